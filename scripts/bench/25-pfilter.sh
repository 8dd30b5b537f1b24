#!/bin/bash
# scripts/bench/25-pfilter.sh - page classification (writer/pfilter.c, run
# by `rawdump-sim classify`) against makedumpfile's own "Excluding
# unnecessary pages" step on the same crashed guest's memory, same run.
#
# The memory: build/pfilter/crash.ram, the 1 GiB crashed guest that
# tests/t-unit-pfilter.sh makes and caches (run here when it is missing:
# a crash of the Debian guest, a few minutes), or BENCH_RAM=FILE with BENCH_ECH=elfcorehdr-address (empty for an
# ELF vmcore that has its own VMCOREINFO note). Level 30 (no zero-page
# check: that is the writer's, done on the page data). Each runs three
# times on a warm page cache; the best counts.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sim=$top/build/rawdump-sim
w=$(mktemp -d "${TMPDIR:-/tmp}/rawdump-bench-pf.XXXXXX")
trap 'rm -rf "$w"' EXIT
die() { echo "bench-pfilter: $*" >&2; exit 1; }
[ -x "$sim" ] || die "$sim missing (run make)"
command -v makedumpfile >/dev/null || die "makedumpfile not installed"
ram=${BENCH_RAM:-$top/build/pfilter/crash.ram}
if [ -n "${BENCH_RAM:-}" ]; then
	ech=${BENCH_ECH:-}
else
	if [ ! -s "$ram" ]; then
		echo "bench-pfilter: $ram missing: making it (tests/run unit-pfilter)"
		"$top/tests/run" unit-pfilter >"$w/unit.out" 2>&1
		[ -s "$ram" ] || die "tests/run unit-pfilter did not make $ram: $(tail -n 3 "$w/unit.out")"
	fi
	ech=$(cat "$top/build/pfilter/elfcorehdr")
fi
opt=()
[ -n "$ech" ] && opt=(--elfcorehdr "$ech")

best_ours= best_mdf=
for i in 1 2 3; do
	ms=$("$sim" classify "$ram" "${opt[@]}" --level 30 |
		sed -n 's/^classify: time \([0-9.]*\) ms for .*/\1/p')
	[ -n "$ms" ] || die "classify failed"
	best_ours=$(awk -v a="$ms" -v b="${best_ours:-1e9}" 'BEGIN { print (a < b) ? a : b }')
	rm -f "$w/mdf"
	s=$(makedumpfile -d 30 --message-level 31 "$ram" "$w/mdf" 2>&1 |
		sed -n 's/^STEP \[Excluding unnecessary pages\] : \([0-9.]*\) seconds/\1/p' | head -n 1)
	[ -n "$s" ] || die "makedumpfile printed no step time"
	best_mdf=$(awk -v a="$s" -v b="${best_mdf:-1e9}" 'BEGIN { print (a * 1000 < b) ? a * 1000 : b }')
done
gib=$("$sim" classify "$ram" "${opt[@]}" --level 30 | sed -n 's/^classify: time .* ms for \([0-9.]*\) GiB.*/\1/p')
awk -v o="$best_ours" -v m="$best_mdf" -v g="$gib" 'BEGIN {
	printf "pfilter classify: %.1f ms for %.2f GiB = %.1f ms/GiB\n", o, g, o / g
	printf "makedumpfile -d 30, excluding step: %.1f ms = %.1f ms/GiB\n", m, m / g
	printf "ratio pfilter/makedumpfile: %.2f\n", o / m
}'
