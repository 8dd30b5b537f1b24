#!/bin/bash
# scripts/demo.sh - `make demo`: a Debian guest crashes in QEMU, the
# minikernel dumps it, the dump is saved and summarised.
#
# `make demo` has already installed the packages (scripts/install-deps.sh)
# and built build/rawdump and build/minikernel/rdmk.bzImage. Steps:
#   1. guest initramfs (stock Debian kernel, busybox, kexec-tools, rawdump,
#      the minikernel, the rdplant test module) and a disk image with an
#      ext4 partition and a dump partition           -> build/demo/
#   2. boot 1: rawdump format, rawdump arm, plant known data, sysrq-c; the
#      minikernel writes the dump and reboots (QEMU stops at the reboot)
#   3. boot 2: the boot-time path saves the vmcore to the guest's ext4
#      partition and re-arms
#   4. host: rawdump info on the image's dump partition, rawdump save it to
#      build/demo/, and the crash command line to open it
# Environment: DEMO_MEM (MiB, default 1024), DEMO_CRASHKERNEL (default 4M).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/demo
mem=${DEMO_MEM:-1024}
ck=${DEMO_CRASHKERNEL:-4M}
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
rawdump=$top/build/rawdump
qemu=$top/scripts/qemu/rdqemu.py
t0=$(date +%s)

step() { printf '\n\033[1m== [%s s] %s\033[0m\n' "$(( $(date +%s) - t0 ))" "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
# Show the guest's progress: our own lines, the panic, the minikernel's.
show() { grep --line-buffered -aE '^saved /|^(RDGUEST|rawdump|dump:|blk:|cpu:|elfcorehdr:|virtio-blk:|armed|minikernel cmdline|crashkernel:)|Kernel panic|sysrq: Trigger' | sed -u 's/^/   | /'; }

[ -x "$rawdump" ] || die "build/rawdump missing: run make demo (it builds first)"
[ -f "$top/build/minikernel/rdmk.bzImage" ] || die "build/minikernel/rdmk.bzImage missing"
mkdir -p "$out"
rm -rf "$out"/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]-*	# dump directories of a previous run

step "1/4 guest: Debian $rel (stock bzImage, KASLR on), busybox initramfs, disk image"
"$top/scripts/guest/build-guest.sh" --release "$rel" --out "$out/guest" >/dev/null
"$top/scripts/guest/make-disk.sh" "$out/disk.img" --fs-size 2G --dump-size $((mem + 176))M
sfdisk -l "$out/disk.img" | sed -n '/^Device/,$p' | sed 's/^/   /'

step "2/4 boot 1 (${mem} MiB, 2 CPUs, crashkernel=$ck): format, arm, plant data, echo c > /proc/sysrq-trigger"
set +e
"$qemu" --kernel "/boot/vmlinuz-$rel" --initrd "$out/guest/initrd.gz" --echo \
	--append "console=ttyS0 quiet panic=-1 crashkernel=$ck rdguest.run=crash rdguest.format=1 rdguest.seed=42" \
	--disk "$out/disk.img" --mem "$mem" --smp 2 --log "$out/boot1.log" --timeout 900 | show
set -e
grep -aq '^rawdump: DONE' "$out/boot1.log" || die "the minikernel did not finish (see $out/boot1.log)"
awk '/RDGUEST: crashing|sysrq: Trigger a crash/ && !c { c = $1 } / rawdump: DONE/ && !e { e = $1 }
     END { if (c && e) printf "   sysrq -> dump complete: %.1f s (host clock)\n", e - c }' "$out/boot1.log.ts"

step "3/4 boot 2: the boot-time save path (rawdump-boot: save to /var/crash on ext4, re-arm)"
set +e
"$qemu" --kernel "/boot/vmlinuz-$rel" --initrd "$out/guest/initrd.gz" --echo \
	--append "console=ttyS0 quiet panic=-1 crashkernel=$ck rdguest.run=save" \
	--disk "$out/disk.img" --mem "$mem" --smp 2 --log "$out/boot2.log" --timeout 900 | show
set -e
grep -q '^RDGUEST: boot-save rc=0' "$out/boot2.log" ||
	echo "   WARNING: the guest's boot-time save did not succeed ($(sed -n 's/^RDGUEST: boot-save //p' "$out/boot2.log")): see $out/boot2.log"

step "4/4 host: rawdump info and rawdump save of the image's dump partition"
"$rawdump" info "$out/disk.img:2" | sed 's/^/   /'
set +e
"$rawdump" save "$out/disk.img:2" -o "$out" --quiet >"$out/save.log" 2>&1
save_rc=$?
set -e
grep -v 'saved before' "$out/save.log" | sed 's/^/   /'
case $save_rc in
0) ;;
6) echo "   WARNING: rawdump save says the dump is partial (exit 6): memory listed above is missing" ;;
*) die "rawdump save failed (exit $save_rc)" ;;
esac
vmcore=$(ls -1t "$out"/[0-9]*-[0-9]*-*/vmcore | head -n 1)
vmlinux=/var/cache/rawdump/vmlinux-$rel
echo
echo "vmcore: $vmcore ($(du -h "$vmcore" | cut -f1) on disk, $(du -h --apparent-size "$vmcore" | cut -f1) apparent)"
echo "open it with crash (debug vmlinux from linux-image-$rel-dbg):"
if [ ! -s "$vmlinux" ]; then
	echo "   scripts/get-debug-vmlinux.sh $rel     # once: ~860 MB download, cached in /var/cache/rawdump"
fi
echo "   crash $vmlinux $vmcore"
if [ -s "$vmlinux" ] && [ "$save_rc" = 0 ]; then
	echo "crash's bt of the panicking task:"
	printf 'bt\nquit\n' | timeout 120 crash -s "$vmlinux" "$vmcore" 2>&1 | grep -E '^ *#|^PID' | sed 's/^/   /' || true
fi
echo "demo finished in $(( $(date +%s) - t0 )) s"
