#!/bin/bash
# scripts/fuzz.sh - `make fuzz`: every libFuzzer harness (tests/fuzz/) for a
# fixed budget: FUZZ_RUNS executions each (default 10^7), FUZZ_SECONDS at
# most each (default 1800). Corpora persist in build/fuzz/corpus/NAME (seeded
# from tests/fuzz/seeds.sh and t-save-fuzz's dumps); crashes are kept in
# build/fuzz/artifacts/. Prints executions per harness; exits 1 on any crash.
# Arguments name harnesses to run (scripts/fuzz.sh reader vmcore); none: all.
# FUZZ_JOBS=N (default 1) runs N processes of each harness on its one
# corpus (libFuzzer reloads what the others found), FUZZ_RUNS/N executions
# each; the executions printed are their sum, and a crash in any is one.
# A run stopped with SIGINT (libFuzzer exit 72, no error report) is told
# apart from a crash; it still fails the script (the budget was not run).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fz=$top/build/fuzz
runs=${FUZZ_RUNS:-10000000}
secs=${FUZZ_SECONDS:-1800}
jobs=${FUZZ_JOBS:-1}
case $jobs in ''|*[!0-9]*|0) echo "fuzz: FUZZ_JOBS must be a number >= 1"; exit 2 ;; esac
mkdir -p "$fz/corpus" "$fz/artifacts"
seeds=$(mktemp -d); trap 'rm -rf "$seeds"' EXIT
"$top/tests/fuzz/seeds.sh" "$seeds" || { echo "fuzz: making seeds failed"; exit 1; }
# Largest input per harness (libFuzzer -max_len): what the parser can use,
# no more. Bigger inputs only slow every run (and config files of 1 MiB of
# valid lines took ~0.1 s each: the old common 1 MiB held config to a few
# hundred runs/s late in a campaign).
#   vmcore      256 KiB: the seeds are 32-81 KiB; holds an LKCD file's 64 KiB
#               header area and dozens of pages in each format
#   config       16 KiB: lines are at most 1 KiB (CONFIG_LINE_MAX); room for
#               every key, a too-long line and comments
#   cmdline       4 KiB: MK_CMDLINE_MAX, the harness cuts the rest
#   elfcorehdr   64 KiB: 1025 program headers (57 KiB) pass EH_MAX_LOADS
#   ivrs         16 KiB: real IVRS tables are a few KiB
#   reader      384 KiB: of the 1 MiB partition (fuzz_reader.c): headers,
#               metadata and blocks up to a full 256 KiB RAW block; the rest
#               of the partition is zeros and the last 256 bytes of the input
#               (the backup header) still go to its end
max_len() {
	case $1 in
	vmcore) echo 262144 ;; config) echo 16384 ;; cmdline) echo 4096 ;;
	elfcorehdr) echo 65536 ;; ivrs) echo 16384 ;; reader) echo 393216 ;;
	esac
}
bad=0
harnesses=${*:-vmcore config cmdline elfcorehdr ivrs reader}
for h in $harnesses; do
	[ -n "$(max_len "$h")" ] || { echo "fuzz: no harness $h"; exit 2; }
	corpus=$fz/corpus/$h
	mkdir -p "$corpus"
	[ -d "$seeds/$h" ] && cp -n "$seeds/$h"/* "$corpus/" 2>/dev/null
	# job j logs to $h.log (j = 1) or $h.j.log
	pids=() logs=()
	for j in $(seq 1 "$jobs"); do
		log=$fz/$h.log; [ "$j" = 1 ] || log=$fz/$h.$j.log
		logs+=("$log")
		"$fz/fuzz_$h" -runs="$(( (runs + jobs - 1) / jobs ))" -max_total_time="$secs" \
			-max_len="$(max_len $h)" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$fz/artifacts/$h-" "$corpus" > "$log" 2>&1 &
		pids+=($!)
	done
	execs=0 failed= stopped=
	for j in $(seq 0 $((jobs - 1))); do
		log=${logs[$j]}
		wait "${pids[$j]}"
		rc=$?
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		execs=$((execs + ${n:-0}))
		if [ $rc = 72 ] && grep -q 'libFuzzer: run interrupted' "$log" &&
		   ! grep -q '^==[0-9]*== *ERROR' "$log"; then
			stopped="$stopped $log"	# -interrupted_exitcode: SIGINT, no crash
		elif [ $rc != 0 ]; then
			failed="$failed $log (exit $rc)"
		fi
	done
	if [ -z "$failed" ] && [ -n "$stopped" ]; then
		echo "fuzz_$h: $execs executions in $jobs process(es), no crash, interrupted:$stopped"
		bad=1
	elif [ -z "$failed" ]; then
		echo "fuzz_$h: $execs executions in $jobs process(es), no crash"
	else
		echo "fuzz_$h: CRASH after $execs executions, see$failed"
		bad=1
	fi
done
exit $bad
