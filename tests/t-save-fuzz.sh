#!/bin/bash
# tests/t-save-fuzz.sh - the partition reader under libFuzzer + ASan + UBSan
# (tests/fuzz/fuzz_reader.c). Seeds are real dumps from rawdump-sim in
# 1 MiB partitions (zlib, lz4, zstd, raw, cut, truncated, with a failed write),
# reduced to the harness's input layout (tests/fuzz/seeds.sh, which
# `make fuzz` seeds its corpus from too). The seeds are replayed, then a
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

"$TOP/tests/fuzz/seeds.sh" "$T/seeds" >"$T/seeds.log" 2>&1 ||
	fail "make seed corpora" "$(tail -n 2 "$T/seeds.log" | tr '\n' ' ')"
corpus=$T/seeds/reader
n=$(ls "$corpus" 2>/dev/null | wc -l)
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
