# tests/lib.sh - shared helpers for rawdump's shell tests. Source it.
# A test reports each check as one line, "ok - NAME" or "not ok - NAME: why";
# tests/run counts those lines. Every helper here can fail.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
RAWDUMP=$B/rawdump
SIM=$B/rawdump-sim
T=$(mktemp -d "${TMPDIR:-/tmp}/rawdump-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; }
# check NAME CMD...: pass if CMD succeeds
check() { n=$1; shift; if "$@" >"$T/.out" 2>&1; then pass "$n"; else fail "$n" "$(tail -n 3 "$T/.out" | tr '\n' ' ')"; fi; }
# check_not NAME CMD...: pass if CMD fails
check_not() { n=$1; shift; if "$@" >"$T/.out" 2>&1; then fail "$n" "succeeded unexpectedly"; else pass "$n"; fi; }
# check_rc NAME RC CMD...: pass if CMD exits with RC exactly
check_rc() { n=$1; want=$2; shift 2; "$@" >"$T/.out" 2>&1; rc=$?; if [ "$rc" = "$want" ]; then pass "$n"; else fail "$n" "exit $rc, wanted $want: $(tail -n 2 "$T/.out" | tr '\n' ' ')"; fi; }
# check_eq NAME GOT WANT
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }
# skip when something the test needs is absent is NOT allowed to hide a
# failure: tests call need() which fails loudly instead.
need() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || { fail "need $c" "not installed"; exit 1; }; done; }
# crash_run OUT ARGS...: `crash -s ARGS` fed the commands in $T/cmds, its
# output into OUT without the lines that differ between files of one dump.
crash_run() {
	local out=$1; shift
	timeout 600 crash -s "$@" <"$T/cmds" 2>&1 |
		grep -v -e '^ *DUMPFILE:' -e '^NOTE: setting phys_base' -e '^$' \
			-e 'cannot read vmcoreinfo_data' >"$out"
}
