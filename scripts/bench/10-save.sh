#!/bin/bash
# scripts/bench/10-save.sh - `rawdump save` of a 2 GiB simulated dump (raw and
# zlib blocks) against `cp` + fsync of a vmcore-sized file, in the same run,
# on the same filesystem, best and median of BENCH_RUNS (3), warm and cold; then the writer's zlib levels 1 and 6, lz4, zstd and
# raw, each with the default (xxh64) block checksums, and raw with crc32.
# Goal (issue 2): save >= 80% of cp speed for raw dumps.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rawdump-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
MEM=${BENCH_MEM:-2G}

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
mibs() { echo "scale=1; $1 / 1048576 / $2" | bc -l; }

truncate -s 2300M "$W/part.img"
"$B/rawdump" format --force "$W/part.img" >/dev/null

# Timing on a shared machine swings 2x for the same binary, so cp and
# `save` of raw blocks are run BENCH_RUNS times each, interleaved, and the
# best and the median are printed, with warm caches (source in the page
# cache) and, as root, with cold ones (drop_caches before each run).
RUNS=${BENCH_RUNS:-3}
head -c "$(numfmt --from=iec "$MEM")" /dev/urandom > "$W/src.bin"
bytes=$(stat -c %s "$W/src.bin")
"$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp none --level 1 --quiet
stats() { sort -n | awk '{v[NR]=$1} END {printf "%.2f %.2f\n", v[1], v[int((NR+1)/2)]}'; }
prep() {	# $1: warm or cold
	rm -rf "$W/copy.bin" "$W/out-none"; mkdir "$W/out-none"; sync
	if [ "$1" = cold ]; then echo 3 > /proc/sys/vm/drop_caches
	else cat "$W/src.bin" "$W/part.img" > /dev/null; fi
}
modes=warm
[ -w /proc/sys/vm/drop_caches ] && modes="warm cold"
for mode in $modes; do
	: > "$W/t-cp"; : > "$W/t-dd"; : > "$W/t-save"
	for _ in $(seq "$RUNS"); do
		prep "$mode"
		t0=$(now); cp "$W/src.bin" "$W/copy.bin"; sync "$W/copy.bin"; t1=$(now)
		secs "$t0" "$t1" >> "$W/t-cp"
		prep "$mode"
		# through a user-space buffer (cp uses copy_file_range, an
		# in-kernel copy that no program producing new bytes can use)
		t0=$(now); dd if="$W/src.bin" of="$W/copy.bin" bs=8M status=none; sync "$W/copy.bin"; t1=$(now)
		secs "$t0" "$t1" >> "$W/t-dd"
		prep "$mode"
		t0=$(now); "$B/rawdump" save "$W/part.img" -o "$W/out-none" >/dev/null 2>&1; t1=$(now)
		secs "$t0" "$t1" >> "$W/t-save"
	done
	read -r cp_b cp_m < <(stats < "$W/t-cp")
	read -r dd_b dd_m < <(stats < "$W/t-dd")
	read -r sv_b sv_m < <(stats < "$W/t-save")
	printf '%s caches, %s runs, best / median:\n' "$mode" "$RUNS"
	printf '  cp + fsync of %s:          %6.2f / %6.2f s  %8s MiB/s best\n' "$MEM" "$cp_b" "$cp_m" "$(mibs "$bytes" "$cp_b")"
	printf '  dd bs=8M + fsync of %s:    %6.2f / %6.2f s  %8s MiB/s best\n' "$MEM" "$dd_b" "$dd_m" "$(mibs "$bytes" "$dd_b")"
	printf '  rawdump save, none blocks:  %6.2f / %6.2f s  %8s MiB/s best  ratio to cp: %s best, %s median; to dd: %s best\n' \
		"$sv_b" "$sv_m" "$(mibs "$bytes" "$sv_b")" "$(echo "scale=2; $cp_b / $sv_b" | bc -l)" \
		"$(echo "scale=2; $cp_m / $sv_m" | bc -l)" "$(echo "scale=2; $dd_b / $sv_b" | bc -l)"
done
cp_s=$cp_b; dd_s=$dd_b
rm -rf "$W/src.bin" "$W/copy.bin" "$W/out-none"

for comp in zlib lz4 zstd; do
	"$B/rawdump" format --force "$W/part.img" >/dev/null
	"$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp "$comp" --level 1 --quiet
	mkdir -p "$W/out-$comp"
	sync
	t0=$(now); "$B/rawdump" save "$W/part.img" -o "$W/out-$comp" >/dev/null; t1=$(now)
	s=$(secs "$t0" "$t1")
	printf 'rawdump save, %-4s blocks:    %6.2f s  %8s MiB/s of memory  ratio to cp: %s, to dd: %s (one run)\n' \
		"$comp" "$s" "$(mibs "$bytes" "$s")" "$(echo "scale=2; $cp_s / $s" | bc -l)" \
		"$(echo "scale=2; $dd_s / $s" | bc -l)"
	rm -rf "$W/out-$comp"
done

# Writer compression on the same memory (half zero, 1/4 text, 1/4 random).
for lvl in 1 6; do
	"$B/rawdump" format --force "$W/part.img" >/dev/null
	t0=$(now)
	out=$("$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp zlib --level "$lvl")
	t1=$(now)
	stored=$(sed -n 's/.* stored=\([0-9]*\).*/\1/p' <<<"$out")
	s=$(secs "$t0" "$t1")
	printf 'writer zlib level %d:            %6.2f s  %8s MiB/s of memory  stored %5.1f%% of memory\n' \
		"$lvl" "$s" "$(mibs "$bytes" "$s")" "$(echo "100 * $stored / $bytes" | bc -l)"
done
for w in lz4:xxh64 zstd:xxh64 none:xxh64 none:crc32; do
	"$B/rawdump" format --force "$W/part.img" >/dev/null
	t0=$(now)
	out=$("$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp "${w%:*}" --csum "${w#*:}")
	t1=$(now)
	stored=$(sed -n 's/.* stored=\([0-9]*\).*/\1/p' <<<"$out")
	s=$(secs "$t0" "$t1")
	printf 'writer %-4s %-6s:            %6.2f s  %8s MiB/s of memory  stored %5.1f%% of memory\n' \
		"${w%:*}" "${w#*:}" "$s" "$(mibs "$bytes" "$s")" "$(echo "100 * $stored / $bytes" | bc -l)"
done
