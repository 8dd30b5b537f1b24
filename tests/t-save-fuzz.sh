#!/bin/bash
# tests/t-save-fuzz.sh - the partition reader under libFuzzer + ASan + UBSan
# (tests/fuzz/fuzz_reader.c). Seeds are real dumps from rawdump-sim in
# 1 MiB partitions (zlib, lz4, zstd, raw, cut, truncated, with a failed write),
# reduced to the harness's input layout. The seeds are replayed, then a
# short deterministic fuzzing run (fixed -seed, bounded -runs) must find
# no crash, leak, hang or undefined behaviour. FUZZ_SECONDS=N fuzzes longer.
. "$(dirname "$0")/lib.sh"
need python3 clang
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }
FUZZ=$B/fuzz/fuzz_reader
if ! make -s -C "$TOP" build/fuzz/fuzz_reader >"$T/build" 2>&1; then
	fail "build fuzz harness (clang -fsanitize=fuzzer)" "$(tail -n 3 "$T/build" | tr '\n' ' ')"
	exit 1
fi
pass "build fuzz harness"

corpus=$T/corpus; mkdir -p "$corpus"
# seed NAME SIM-ARGS...: a 1 MiB partition dump -> harness input (body without
# its zero tail, then the 256-byte backup header)
seed() {
	name=$1; shift
	truncate -s 1M "$T/p.img"
	"$RAWDUMP" format --force "$T/p.img" >/dev/null 2>&1
	"$SIM" write "$T/p.img" --quiet "$@" >/dev/null 2>&1
	python3 - "$T/p.img" "$corpus/$name" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
bk = (len(d) & ~4095) - 4096
body = d[:bk].rstrip(b'\0')
open(sys.argv[2], 'wb').write(body + d[bk:bk + 256])
EOF
}
seed zlib --pattern 1 --range 0x100000:96K --range 0x200000:64K --kernel-text 0x104000:16K --comp zlib --cpus 2
seed raw --pattern 2 --range 0x1000:0x1e000 --range 0x9f000:0x1c00 --comp none
seed cut --pattern 3 --range 0x100000:512K --comp zlib --cut-after 3
seed trunc --pattern 4 --range 0x100000:4M --comp none
seed lost --pattern 5 --range 0x100000:128K --comp none --fail-write 0x4000:0x1000
seed lz4 --pattern 6 --range 0x100000:128K --range 0x200000:64K --comp lz4 --csum crc32c
seed zstd --pattern 7 --range 0x100000:128K --range 0x200000:64K --comp zstd
seed empty
n=$(ls "$corpus" | wc -l)
check_eq "8 seeds made" "$n" "8"

check "replay seeds" "$FUZZ" -runs=0 -artifact_prefix="$T/" "$corpus"
secs=${FUZZ_SECONDS:-15}
"$FUZZ" -seed=1 -runs=1000000 -max_total_time="$secs" -max_len=1048576 -timeout=20 \
	-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$T/art-" "$corpus" >"$T/fuzz.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/fuzz.log")
if [ "$rc" = 0 ]; then
	pass "fuzz ${secs}s: no crash ($execs inputs)"
else
	fail "fuzz ${secs}s: no crash" "exit $rc: $(grep -m3 'ERROR\|SUMMARY\|==' "$T/fuzz.log" | tr '\n' ' ')"
	mkdir -p "$B/fuzz/artifacts" && cp "$T"/art-* "$B/fuzz/artifacts/" 2>/dev/null &&
		echo "# reproducer kept in build/fuzz/artifacts/"
fi
