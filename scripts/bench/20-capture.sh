#!/bin/bash
# scripts/bench/20-capture.sh - the minikernel's capture speed against the
# disk's own write speed, in the same run, for each controller.
#
# A 1 GiB guest (direct boot, QEMU TCG) with 992 MiB of planted memory (the
# rawdump-sim pattern: half zero pages, a quarter text, a quarter random)
# is dumped to a rawdump partition; then the same minikernel, driver,
# request size and queue depth write the same number of bytes with nothing
# else to do (rd.diskspeed=). Ratio = dump bytes stored per second / raw
# bytes per second. Goal (issue 3): >= 0.90. On virtio also every block
# checksum kind (rd.csum=) uncompressed, and lz4 and zlib level 1: the
# basis of the defaults (Documentation/format.md). "mem/raw" = memory
# covered per second / raw disk bytes per second. First, rd.csumspeed=
# times each checksum kind alone over the planted memory (no disk).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
RAWDUMP=$B/rawdump
SIM=$B/rawdump-sim
. "$TOP/minikernel/testlib.sh"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rawdump-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
MK_MEM=1024
MK_QEMU_TIMEOUT=600
RANGE=0x1000000:992M
PSTART=2048 PSIZE=$((1100 * 2048))

truncate -s 1200M "$W/disk.img"
printf 'label: gpt\nstart=%s, size=%s, type=L, name=dump\n' $PSTART $PSIZE | sfdisk -q "$W/disk.img" >/dev/null
"$SIM" pattern --pattern 3 --range "$RANGE" "$W/mem.bin" >/dev/null
LOADER="-device loader,file=$W/mem.bin,addr=${RANGE%%:*}"

# field SERIAL WORD-BEFORE: the number before a word on the DONE/DISKSPEED line
num_before() { sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" <<<"$1" | head -n1; }

run() {	# run NAME CMDLINE-EXTRA -> prints the final rawdump: line
	local uuid
	"$RAWDUMP" format --force "$W/disk.img:1" >/dev/null || return 1
	uuid=$("$RAWDUMP" info "$W/disk.img:1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])')
	# shellcheck disable=SC2086
	mk_boot "$W/$1.serial" "$W/disk.img" "rd.start=$PSTART rd.size=$PSIZE rd.uuid=$uuid rd.ranges=$RANGE $2" $LOADER
	grep -a "rawdump: " "$W/$1.serial" | tail -n1
}

"$RAWDUMP" format --force "$W/disk.img:1" >/dev/null
uuid=$("$RAWDUMP" info "$W/disk.img:1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])')
for cpu in qemu64 max; do	# max: SSE4.2 (crc32 instruction) present
	MK_DISK=virtio mk_boot "$W/csum-$cpu.serial" "$W/disk.img" \
		"rd.start=$PSTART rd.size=$PSIZE rd.uuid=$uuid rd.ranges=$RANGE rd.csumspeed=512M" $LOADER -cpu $cpu
	grep -a "CSUMSPEED" "$W/csum-$cpu.serial" | sed "s/^rawdump: CSUMSPEED/checksum (-cpu $cpu):/; s/ ([0-9a-f]*)$//"
done

printf '%-8s %-5s %-6s %10s %10s %9s %9s %12s %7s %7s\n' controller comp csum "memory MiB" "stored MiB" \
	"dump ms" "MiB/s" "raw MiB/s" ratio mem/raw
for ctl in ${BENCH_CTL:-virtio ahci nvme}; do
	for variant in none/xxh64 none/crc32 none/crc32c lz4/xxh64 zlib/xxh64; do
		comp=${variant%/*} csum=${variant#*/}
		[ "$ctl" != virtio ] && [ "$variant" != none/xxh64 ] && continue
		[ "$comp" = zlib ] && [ -n "${BENCH_NO_ZLIB:-}" ] && continue
		export MK_DISK=$ctl
		done_line=$(run "$ctl-$comp-$csum" "rd.comp=$comp rd.csum=$csum")
		case $done_line in *DONE*) ;; *) echo "$ctl $comp: dump failed: $done_line"; continue ;; esac
		mem=$(num_before "$done_line" "MiB memory")
		stored=$(num_before "$done_line" "MiB stored")
		ms=$(sed -n 's/.* \([0-9][0-9]*\) ms.*/\1/p' <<<"$done_line")
		raw_line=$(run "$ctl-raw" "rd.diskspeed=$((stored + 1))M")
		case $raw_line in *DISKSPEED*) ;; *) echo "$ctl: diskspeed failed: $raw_line"; continue ;; esac
		rmib=$(sed -n 's/.*DISKSPEED \([0-9]*\) MiB in \([0-9]*\) ms.*/\1 \2/p' <<<"$raw_line")
		rate=$(echo "scale=1; $stored * 1000 / $ms" | bc -l)
		raw=$(echo "scale=1; ${rmib% *} * 1000 / ${rmib#* }" | bc -l)
		printf '%-8s %-5s %-6s %10s %10s %9s %9s %12s %7s %7s\n' "$ctl" "$comp" "$csum" "$mem" \
			"$stored" "$ms" "$rate" "$raw" "$(echo "scale=2; $rate / $raw" | bc -l)" \
			"$(echo "scale=2; $mem * 1000 / $ms / $raw" | bc -l)"
	done
done
echo "(MiB/s = stored bytes per second of the dump; mem/raw = memory per second / raw disk speed)"
