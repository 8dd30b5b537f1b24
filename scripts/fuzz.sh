#!/bin/bash
# scripts/fuzz.sh - `make fuzz`: every libFuzzer harness (tests/fuzz/) for a
# fixed budget: FUZZ_RUNS executions each (default 10^7), FUZZ_SECONDS at
# most each (default 1800). Corpora persist in build/fuzz/corpus/NAME (seeded
# from tests/fuzz/seeds.sh and t-save-fuzz's dumps); crashes are kept in
# build/fuzz/artifacts/. Prints executions per harness; exits 1 on any crash.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fz=$top/build/fuzz
runs=${FUZZ_RUNS:-10000000}
secs=${FUZZ_SECONDS:-1800}
mkdir -p "$fz/corpus" "$fz/artifacts"
seeds=$(mktemp -d); trap 'rm -rf "$seeds"' EXIT
"$top/tests/fuzz/seeds.sh" "$seeds" || { echo "fuzz: making seeds failed"; exit 1; }
bad=0
for h in vmcore config cmdline elfcorehdr ivrs reader; do
	corpus=$fz/corpus/$h
	mkdir -p "$corpus"
	[ -d "$seeds/$h" ] && cp -n "$seeds/$h"/* "$corpus/" 2>/dev/null
	"$fz/fuzz_$h" -runs="$runs" -max_total_time="$secs" -max_len=1048576 -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$fz/artifacts/$h-" \
		"$corpus" > "$fz/$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$fz/$h.log")
	if [ $rc = 0 ]; then
		echo "fuzz_$h: ${execs:-?} executions, no crash"
	else
		echo "fuzz_$h: CRASH after ${execs:-?} executions (exit $rc), see $fz/$h.log"
		bad=1
	fi
done
exit $bad
