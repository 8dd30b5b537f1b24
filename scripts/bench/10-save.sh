#!/bin/bash
# scripts/bench/10-save.sh - `rawdump save` of a 2 GiB simulated dump (raw and
# zlib blocks) against `cp` + fsync of a vmcore-sized file, in the same run,
# on the same filesystem; then the writer's zlib levels 1 and 6, lz4 and
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

# Baseline: a dense file as large as the vmcore save will write.
head -c "$(numfmt --from=iec "$MEM")" /dev/urandom > "$W/src.bin"
sync
t0=$(now); cp "$W/src.bin" "$W/copy.bin"; sync "$W/copy.bin"; t1=$(now)
cp_s=$(secs "$t0" "$t1"); rm -f "$W/copy.bin"
bytes=$(stat -c %s "$W/src.bin")
printf 'cp + fsync of %s:            %6.2f s  %8s MiB/s\n' "$MEM" "$cp_s" "$(mibs "$bytes" "$cp_s")"
# A second baseline: the same copy through a user-space buffer (cp uses
# copy_file_range, an in-kernel copy that no program producing new bytes,
# like save, can use).
t0=$(now); dd if="$W/src.bin" of="$W/copy.bin" bs=8M status=none; sync "$W/copy.bin"; t1=$(now)
dd_s=$(secs "$t0" "$t1"); rm -f "$W/copy.bin"
printf 'dd bs=8M + fsync of %s:      %6.2f s  %8s MiB/s\n' "$MEM" "$dd_s" "$(mibs "$bytes" "$dd_s")"
rm -f "$W/src.bin"

for comp in none zlib lz4; do
	"$B/rawdump" format --force "$W/part.img" >/dev/null
	"$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp "$comp" --level 1 --quiet
	mkdir -p "$W/out-$comp"
	sync
	t0=$(now); "$B/rawdump" save "$W/part.img" -o "$W/out-$comp" >/dev/null; t1=$(now)
	s=$(secs "$t0" "$t1")
	printf 'rawdump save, %-4s blocks:    %6.2f s  %8s MiB/s of memory  ratio to cp: %s, to dd: %s\n' \
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
for w in lz4:xxh64 none:xxh64 none:crc32; do
	"$B/rawdump" format --force "$W/part.img" >/dev/null
	t0=$(now)
	out=$("$B/rawdump-sim" write "$W/part.img" --range "0x100000:$MEM" --comp "${w%:*}" --csum "${w#*:}")
	t1=$(now)
	stored=$(sed -n 's/.* stored=\([0-9]*\).*/\1/p' <<<"$out")
	s=$(secs "$t0" "$t1")
	printf 'writer %-4s %-6s:            %6.2f s  %8s MiB/s of memory  stored %5.1f%% of memory\n' \
		"${w%:*}" "${w#*:}" "$s" "$(mibs "$bytes" "$s")" "$(echo "100 * $stored / $bytes" | bc -l)"
done
