#!/bin/bash
# scripts/bench/20-capture.sh - the minikernel's capture speed against the
# disk's own write speed, in the same run, for each controller.
#
# A 1 GiB guest (direct boot, QEMU TCG) with 992 MiB of planted memory (the
# rawdump-sim pattern: half zero pages, a quarter text, a quarter random)
# is dumped to a rawdump partition; then the same minikernel, driver,
# request size and queue depth write the same number of bytes with nothing
# else to do (rd.diskspeed=). Ratio = dump bytes stored per second / raw
# bytes per second. Goal (issue 3): >= 0.90. Also zlib level 1 on virtio,
# the basis of the uncompressed default.
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

printf '%-8s %-5s %10s %10s %9s %9s %12s %7s\n' controller comp "memory MiB" "stored MiB" "dump ms" "MiB/s" "raw MiB/s" ratio
for ctl in ${BENCH_CTL:-virtio ahci nvme}; do
	for comp in none zlib; do
		[ "$comp" = zlib ] && { [ "$ctl" != virtio ] || [ -n "${BENCH_NO_ZLIB:-}" ]; } && continue
		export MK_DISK=$ctl
		done_line=$(run "$ctl-$comp" "rd.comp=$comp")
		case $done_line in *DONE*) ;; *) echo "$ctl $comp: dump failed: $done_line"; continue ;; esac
		mem=$(num_before "$done_line" "MiB memory")
		stored=$(num_before "$done_line" "MiB stored")
		ms=$(sed -n 's/.* \([0-9][0-9]*\) ms.*/\1/p' <<<"$done_line")
		raw_line=$(run "$ctl-raw" "rd.diskspeed=$((stored + 1))M")
		case $raw_line in *DISKSPEED*) ;; *) echo "$ctl: diskspeed failed: $raw_line"; continue ;; esac
		rmib=$(sed -n 's/.*DISKSPEED \([0-9]*\) MiB in \([0-9]*\) ms.*/\1 \2/p' <<<"$raw_line")
		rate=$(echo "scale=1; $stored * 1000 / $ms" | bc -l)
		raw=$(echo "scale=1; ${rmib% *} * 1000 / ${rmib#* }" | bc -l)
		printf '%-8s %-5s %10s %10s %9s %9s %12s %7s\n' "$ctl" "$comp" "$mem" "$stored" "$ms" \
			"$rate" "$raw" "$(echo "scale=2; $rate / $raw" | bc -l)"
	done
done
echo "(MiB/s = stored bytes per second of the dump; memory MiB/s = memory / dump ms)"
