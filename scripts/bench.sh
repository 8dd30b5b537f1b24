#!/bin/bash
# scripts/bench.sh - run every benchmark in scripts/bench/ (sorted), or the
# ones named: scripts/bench.sh save mk. Each prints its figures and the ratio
# against a baseline measured in the same run; none asserts a time.
cd "$(dirname "$0")/.." || exit 2
rc=0
if [ $# -gt 0 ]; then
	list=(); for n in "$@"; do list+=(scripts/bench/*"$n"*.sh); done
else
	list=(scripts/bench/*.sh)
fi
for b in "${list[@]}"; do
	[ -e "$b" ] || continue
	echo "=== $b"
	bash "$b" || { echo "bench $b failed"; rc=1; }
done
exit $rc
