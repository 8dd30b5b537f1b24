#!/bin/bash
# tests/t-fuzz-parsers.sh - every parser of hostile input under libFuzzer +
# ASan + UBSan, a short deterministic round each (fixed -seed, bounded
# time): the vmcore readers (ELF, LKCD, kdump-compressed) with kernel
# introspection on what they read, /etc/rawdump.conf, and the minikernel's
# command-line, elfcorehdr and ACPI IVRS parsers compiled for the host
# (tests/fuzz/).
# The partition reader has its own test (t-save-fuzz.sh). Seeds are real
# outputs of this tree (tests/fuzz/seeds.sh); `make fuzz` runs long rounds.
. "$(dirname "$0")/lib.sh"
need clang python3
if ! make -s -C "$TOP" fuzz-build >"$T/build" 2>&1; then
	fail "build the fuzz harnesses" "$(grep -m3 error "$T/build" | tr '\n' ' ')"
	exit 1
fi
pass "build the fuzz harnesses"
check "make seed corpora" "$TOP/tests/fuzz/seeds.sh" "$T/seeds"
secs=${FUZZ_SECONDS:-10}
for h in vmcore config cmdline elfcorehdr ivrs; do
	n=$(ls "$T/seeds/$h" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && pass "$h: $n seeds" || fail "$h: seeds" "none made"
	"$B/fuzz/fuzz_$h" -runs=0 "$T/seeds/$h" >"$T/$h.replay" 2>&1 &&
		pass "$h: seeds replay cleanly" || fail "$h: seeds replay" "$(grep -m2 'ERROR\|SUMMARY' "$T/$h.replay")"
	"$B/fuzz/fuzz_$h" -seed=1 -runs=2000000 -max_total_time="$secs" -max_len=1048576 -timeout=20 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$T/art-$h-" "$T/seeds/$h" \
		>"$T/$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$h.log")
	if [ "$rc" = 0 ]; then
		pass "$h: ${secs}s of fuzzing, no crash ($execs inputs)"
	else
		fail "$h: ${secs}s of fuzzing, no crash" "exit $rc: $(grep -m3 'ERROR\|SUMMARY' "$T/$h.log" | tr '\n' ' ')"
		mkdir -p "$B/fuzz/artifacts" && cp "$T"/art-"$h"-* "$B/fuzz/artifacts/" 2>/dev/null &&
			echo "# reproducer kept in build/fuzz/artifacts/"
	fi
done
