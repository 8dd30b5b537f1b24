#!/bin/bash
# scripts/guest/fill-vmcore.sh - a real crashed Debian kernel's memory, for
# checking the page filter (writer/pfilter.c) on the host.
#
# Usage: scripts/guest/fill-vmcore.sh OUTDIR [--mem MIB] [--level N] [--seed N]
#                                     [--append 'rdguest.anon=256 ...']
# Boots the test guest (scripts/guest/build-guest.sh, build/guest) with the
# fill scenario of tests/guest/init.sh (rdguest.fill=1: ext4 page cache,
# anonymous memory of a running process, free memory; the plant module,
# 4 scribbled struct pages), crashes it with sysrq-c and takes QEMU's dump
# of guest RAM the moment the minikernel starts writing; QEMU then quits.
# Writes into OUTDIR:
#   vmcore.elf   the crashed kernel's /proc/vmcore (tests/guest/corecheck.py
#                vmcore: its notes with VMCOREINFO, its PT_LOADs)
#   mdf.kdump    makedumpfile -d N (default 31) of vmcore.elf: bitmap 2 is
#                the set of pages makedumpfile keeps (corecheck.py filter)
#   serial.log   the guest's console (rdplant / rdscribble lines)
# Default 2048 MiB. Takes a few minutes under TCG.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: $0 OUTDIR [--mem MIB] [--level N] [--seed N] [--append STR]}
shift
mem=2048 level=31 seed=1 append=
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--level) level=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	*) echo "fill-vmcore: unknown option $1" >&2; exit 1 ;;
	esac
done
mkdir -p "$out"
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
kernel=$("$top/scripts/guest/build-guest.sh" --release "$rel" --out "$top/build/guest" 2>/dev/null)
"$top/scripts/guest/make-disk.sh" "$out/disk.img" --fs-size 640M --dump-size 64M 2>/dev/null
"$top/scripts/qemu/rdqemu.py" --kernel "$kernel" --initrd "$top/build/guest/initrd.gz" \
	--append "console=ttyS0 quiet panic=-1 crashkernel=4M rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$seed rdguest.fill=1 rdguest.scribble=4 $append" \
	--disk "$out/disk.img" --mem "$mem" --smp 2 --timeout 900 --log "$out/serial.log" \
	--dump-file "$out/ram.elf" --dump-on '^dump: [0-9]+ ranges' --quit-after-dump
rm -f "$out/disk.img"
ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$out/serial.log" | head -n 1 | cut -d= -f2)
case $ech in *[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;; esac
[ -s "$out/ram.elf" ] && [ -n "$ech" ] || { echo "fill-vmcore: no QEMU dump (see $out/serial.log)" >&2; exit 1; }
"$top/tests/guest/corecheck.py" vmcore "$out/ram.elf" --elfcorehdr "$ech" -o "$out/vmcore.elf"
rm -f "$out/ram.elf" "$out/mdf.kdump"
makedumpfile -d "$level" "$out/vmcore.elf" "$out/mdf.kdump" >/dev/null
echo "fill-vmcore: $out/vmcore.elf, $out/mdf.kdump (makedumpfile -d $level), $out/serial.log" >&2
