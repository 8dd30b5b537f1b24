#!/bin/bash
# scripts/bench/21-encoding.sh - block checksum kinds and compressions in the
# capture (virtio-blk), each against the disk's own write speed, in the same run.
#
# A 1 GiB guest (direct boot, QEMU TCG) with 992 MiB of planted memory (the
# rawdump-sim pattern: half zero pages, a quarter text, a quarter random)
# is dumped to a rawdump partition; then the same minikernel, driver,
# request size and queue depth write the same number of bytes with nothing
# else to do (rd.diskspeed=). Ratio = dump bytes stored per second / raw
# bytes per second. Goal (issue 3): >= 0.90. On virtio also every block
# checksum kind (rd.csum=) uncompressed, and lz4, zstd level 1 and zlib
# level 1: the basis of the defaults (Documentation/format.md);
# BENCH_VARIANTS="none/xxh64 lz4/xxh64" picks some. "mem/raw" = memory
# covered per second / raw disk bytes per second. First, rd.csumspeed=
# times each checksum kind alone over the planted memory (no disk).
# BENCH_REPEAT=N: best of N runs of each capture and raw write.
. "$(dirname "$0")/lib/capture.sh"
"$SIM" pattern --pattern 3 --range "$RANGE" "$W/mem.bin" >/dev/null
LOADER="-device loader,file=$W/mem.bin,addr=${RANGE%%:*}"

# The clock: the host's. Each serial line is stamped with the host time
# as QEMU writes it (the serial port is a FIFO read here): the guest's TSC
# calibration against the PIT is unreliable on a loaded host under TCG
# (it read 2.8 to 68 GHz in one run), so its own ms figures are not used.
# tboot NAME CMDLINE [QEMU ARGS...]: boot; $W/NAME.serial = "SECONDS LINE"
tboot() {
	local name=$1 cmd=$2 rd
	shift 2
	rm -f "$W/$name.fifo"
	mkfifo "$W/$name.fifo"
	while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done \
		< "$W/$name.fifo" > "$W/$name.serial" &
	rd=$!
	mk_boot "$W/$name.fifo" "$W/disk.img" "$cmd" "$@"
	wait $rd
}
# at NAME REGEX: host time of the first serial line matching REGEX
at() { grep -a -m1 -E "^[0-9.]+ $2" "$W/$1.serial" | cut -d' ' -f1; }
# line NAME REGEX: that line, without its time
line() { grep -a -m1 -E "^[0-9.]+ $2" "$W/$1.serial" | cut -d' ' -f2-; }
ms() { echo "($2 - $1) * 1000 / 1" | bc; }
# num_before LINE WORDS: the number before WORDS on LINE
num_before() { sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" <<<"$1" | head -n1; }

new_part() {	# format the partition, print its uuid
	"$RAWDUMP" format --force "$W/disk.img:1" >/dev/null || return 1
	"$RAWDUMP" info "$W/disk.img:1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])'
}
target() { echo "rd.start=$PSTART rd.size=$PSIZE rd.uuid=$1 rd.ranges=$RANGE"; }

# 1. each checksum kind alone, over the planted memory (no disk writes)
uuid=$(new_part)
for cpu in qemu64 max; do	# max: SSE4.2 (the crc32 instruction) present
	MK_DISK=virtio tboot "csum-$cpu" "$(target "$uuid") rd.csumspeed=512M" $LOADER -cpu "$cpu"
	prev=$(at "csum-$cpu" "csumspeed: ")
	while read -r t rest; do
		printf 'checksum -cpu %-6s %-18s %6s ms for 512 MiB\n' "$cpu" \
			"$(sed -n 's/rawdump: CSUMSPEED \(.*\) [0-9]* MiB in.*/\1/p' <<<"$rest")" "$(ms "$prev" "$t")"
		prev=$t
	done < <(grep -a "CSUMSPEED" "$W/csum-$cpu.serial")
done

# 2. captures, each against the raw disk speed for the same byte count
printf '%-8s %-5s %-6s %10s %10s %9s %9s %12s %7s %7s\n' controller comp csum "memory MiB" "stored MiB" \
	"dump ms" "MiB/s" "raw MiB/s" ratio mem/raw
for ctl in ${BENCH_CTL:-virtio ahci nvme}; do
	for variant in none/xxh64 none/crc32 none/crc32c lz4/xxh64 zstd/xxh64 zlib/xxh64; do
		comp=${variant%/*} csum=${variant#*/} name=$ctl-$comp-$csum
		[ "$ctl" != virtio ] && [ "$variant" != none/xxh64 ] && continue
		[ "$comp" = zlib ] && [ -n "${BENCH_NO_ZLIB:-}" ] && continue
		[ -n "${BENCH_VARIANTS:-}" ] && [[ " $BENCH_VARIANTS " != *" $variant "* ]] && continue
		export MK_DISK=$ctl
		dms= rms=
		for rep in $(seq "${BENCH_REPEAT:-1}"); do	# best of N: the host is shared
			tboot "$name" "$(target "$(new_part)") rd.comp=$comp rd.csum=$csum" $LOADER
			done_line=$(line "$name" "rawdump: DONE")
			case $done_line in *DONE*) ;; *) echo "$name: dump failed: $(tail -n1 "$W/$name.serial")"; continue 2 ;; esac
			mem=$(num_before "$done_line" "MiB memory")
			stored=$(num_before "$done_line" "MiB stored")
			t=$(ms "$(at "$name" "dump: .* checksums")" "$(at "$name" "rawdump: DONE")")
			[ -z "$dms" ] || [ "$t" -lt "$dms" ] && dms=$t
			tboot "$name-raw" "$(target "$(new_part)") rd.diskspeed=$((stored + 1))M" $LOADER
			case $(line "$name-raw" "rawdump: DISKSPEED") in *DISKSPEED*) ;; *) echo "$ctl: diskspeed failed"; continue 2 ;; esac
			rmib=$(num_before "$(line "$name-raw" "diskspeed: writing")" "MiB")
			t=$(ms "$(at "$name-raw" "diskspeed: writing")" "$(at "$name-raw" "rawdump: DISKSPEED")")
			[ -z "$rms" ] || [ "$t" -lt "$rms" ] && rms=$t
		done
		rate=$(echo "scale=1; $stored * 1000 / $dms" | bc -l)
		raw=$(echo "scale=1; $rmib * 1000 / $rms" | bc -l)
		printf '%-8s %-5s %-6s %10s %10s %9s %9s %12s %7s %7s\n' "$ctl" "$comp" "$csum" "$mem" \
			"$stored" "$dms" "$rate" "$raw" "$(echo "scale=2; $rate / $raw" | bc -l)" \
			"$(echo "scale=2; $mem * 1000 / $dms / $raw" | bc -l)"
	done
done
echo "(host clock; MiB/s = stored bytes per second of the dump; mem/raw = memory per second / raw disk speed)"
