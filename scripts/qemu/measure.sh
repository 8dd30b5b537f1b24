#!/bin/bash
# scripts/qemu/measure.sh - time rawdump's capture in the Debian guest.
#
# Usage: scripts/qemu/measure.sh [MEM_MiB...]    (default: 1024 4096)
# Environment: CRASHKERNEL (default 4M), COMP (zlib|none, default: the
# minikernel's), RUNS (default 1).
# For each memory size: one guest boot (-smp 2, stock Debian bzImage with
# KASLR) that formats, arms (rd.exit=qemu), plants data and crashes. From
# the runner's host timestamps on the serial lines it reports
#   boot    QEMU start -> the guest's init shell runs ("RDGUEST: booted")
#   mk      sysrq-c -> the minikernel's first line
#   write   sysrq-c -> the writer starts (the "dump: N ranges" line)
#   first   sysrq-c -> QEMU sees the first disk write (trace event
#           virtio_blk_handle_write: the partition header going "writing")
#   data    sysrq-c -> the first write past the header slots and the dump
#           header (sector > rd.start + 8): the first data block
#   done    sysrq-c -> "rawdump: DONE" (partition marked complete)
#   MiB/s   memory covered / (done - write), and stored bytes / same
# and checks the partition says complete. Needs build/rawdump and the
# minikernel (make) and builds the guest into build/measure/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/measure
ck=${CRASHKERNEL:-4M}
runs=${RUNS:-1}
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
mems=("$@")
[ ${#mems[@]} -gt 0 ] || mems=(1024 4096)
mkdir -p "$out"
"$top/scripts/guest/build-guest.sh" --release "$rel" --out "$out/guest" >/dev/null 2>"$out/build.log" ||
	{ cat "$out/build.log" >&2; exit 1; }
comp_arg=
[ -n "${COMP:-}" ] && comp_arg="rdguest.comp=$COMP"

printf '%-6s %-4s %-11s %7s %7s %7s %7s %7s %7s %10s %10s %s\n' mem run crashkernel boot_s mk_s write_s first_s data_s done_s mem_MiB/s stored_MiB/s result
for mem in "${mems[@]}"; do
	for run in $(seq 1 "$runs"); do
		disk=$out/disk-$mem.img
		log=$out/serial-$mem-$run.log
		"$top/scripts/guest/make-disk.sh" "$disk" --fs-size 64M --dump-size $((mem + 176))M 2>/dev/null
		rc=0
		"$top/scripts/qemu/rdqemu.py" --kernel "/boot/vmlinuz-$rel" --initrd "$out/guest/initrd.gz" \
			--append "console=ttyS0 quiet panic=-1 crashkernel=$ck rdguest.run=crash rdguest.format=1 rdguest.exit=qemu $comp_arg" \
			--disk "$disk" --mem "$mem" --smp 2 --log "$log" --timeout 1200 --trace-writes >"$log.runner" 2>&1 || rc=$?
		state=$("$top/build/rawdump" info "$disk:2" --json 2>/dev/null |
			sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')
		awk -v mem="$mem" -v run="$run" -v ck="$ck" -v rc="$rc" -v state="${state:-?}" '
			/ RDGUEST: booted/ && !b { b = $1 }
			/RDGUEST: crashing|sysrq: Trigger a crash/ && !c { c = $1 }
			/ rawdump: rawdump-minikernel/ && !m { m = $1 }
			/ dump: [0-9]+ ranges/ && !w { w = $1 }
			/^ *[0-9.]+ cmdline: / && !ps { for (i = 1; i <= NF; i++) {
				if ($i ~ /^rd.start=/) ps = substr($i, 10) + 0
				if ($i ~ /^rd.size=/) pz = substr($i, 9) + 0 } }
			/virtio_blk_handle_write/ && c && !f { f = $1 }
			/virtio_blk_handle_write/ && c && ps && !g { for (i = 1; i < NF; i++) if ($i == "sector") s = $(i+1) + 0
				if (s > ps + 8 && s < ps + pz - 8) g = $1 }
			/ rawdump: DONE/ && !d { d = $1; for (i = 1; i <= NF; i++) {
				if ($(i+1) == "MiB" && $(i+2) == "memory,") mb = $i
				if ($(i+1) == "MiB" && $(i+2) == "stored,") sb = $i } }
			END {
				if (!(c && d)) { printf "%-6s %-4s %-11s %7.2f %7s %7s %7s %7s %7s %10s %10s FAILED (qemu exit %s, state %s)\n", mem, run, ck, b, "-", "-", "-", "-", "-", "-", "-", rc, state; exit }
				printf "%-6s %-4s %-11s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %10.1f %10.1f qemu exit %s, state %s\n",
					mem, run, ck, b, m - c, w - c, f ? f - c : -1, g ? g - c : -1, d - c, mb / (d - w), sb / (d - w), rc, state
			}' "$log.ts"
	done
done
