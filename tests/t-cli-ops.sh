#!/bin/bash
# tests/t-cli-ops.sh - the operator interface of issue 13
# (Documentation/operator.md) on a loop device and image files, no kexec:
# $RAWDUMP_SYSROOT stands in for /sys/kernel/kexec_crash_* and
# /proc/sys/kernel/{panic_on_oops,random/boot_id}, $RAWDUMP_RUNDIR for
# /run/rawdump. Checks: --version; one-line usage errors of every
# subcommand; strict configuration (FILE:LINE: KEY: REASON (allowed),
# quotes, a missing --config); status exit codes 2/13/15/14/0 and -q;
# clear; format on the armed partition; arm's panic_on_oops and its
# refusal of another tool's crash kernel.
. "$(dirname "$0")/lib.sh"
need losetup setpriv python3
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }
# err_is NAME WANT: the captured output ($T/.out) is exactly the line WANT
err_is() { check_eq "$1" "$(cat "$T/.out")" "$2"; }

# --- --version, usage errors, --help ---
check_rc "--version exits 0" 0 "$RAWDUMP" --version
grep -Eq '^rawdump [0-9A-Za-z][-0-9A-Za-z._]*$' "$T/.out" && pass "--version prints rawdump VERSION" ||
	fail "--version prints rawdump VERSION" "$(cat "$T/.out")"
for c in "format --bogus:format: unknown option --bogus" "format:format: no TARGET" \
	 "arm --level 0 x:arm: --level 0: allowed 1 to 9" "arm --exit nope x:arm: --exit nope: allowed reboot, poweroff, halt, qemu" \
	 "arm --dump-level 32 x:arm: --dump-level 32: allowed 0 to 31" "disarm now:disarm: takes no arguments ('now')" \
	 "status --bogus:status: unknown option --bogus" "info:info: need exactly one TARGET or FILE" \
	 "save -o:save: option -o needs a value" "save a b:save: one TARGET only ('b' is a second)" \
	 "convert a b:convert: need --to elf|lcrash|kdump" "clear:clear: no TARGET" \
	 "discard -x:discard: unknown option -x"; do
	args=${c%%:*}; line="rawdump: ${c#*:}"
	# shellcheck disable=SC2086
	check_rc "usage error: rawdump $args exits 1" 1 "$RAWDUMP" $args
	err_is "usage error: rawdump $args says one line" "$line"
done
for c in format arm status info save convert clear; do
	"$RAWDUMP" "$c" --help > "$T/h" 2>&1; rc=$?
	# every option on its own line, -h/--help among them
	if [ $rc = 0 ] && grep -Eq '^  -h, --help +this text$|^      --help|^  -h, --help' "$T/h"; then
		pass "$c --help lists its options"
	else
		fail "$c --help lists its options" "exit $rc: $(tail -n 2 "$T/h" | tr '\n' ' ')"
	fi
done
"$RAWDUMP" format --help | grep -q '^  -f, --force ' &&
	pass "format --help: --force on a line" || fail "format --help: --force on a line"

# --- the loop device and the stand-ins for /sys, /proc, /run ---
truncate -s 16M "$T/p.img"
loop=$(losetup -f --show "$T/p.img" 2>"$T/lo") || { fail "losetup" "$(cat "$T/lo")"; exit 1; }
trap 'losetup -d "$loop" 2>/dev/null; rm -rf "$T"' EXIT
root=$T/root
mkdir -p "$root/sys/kernel" "$root/proc/sys/kernel/random" "$T/run"
echo 67108864 > "$root/sys/kernel/kexec_crash_size"
echo 0 > "$root/sys/kernel/kexec_crash_loaded"
echo 0 > "$root/proc/sys/kernel/panic_on_oops"
echo 5e1f0c3a-0000-4000-8000-000000000001 > "$root/proc/sys/kernel/random/boot_id"
export RAWDUMP_SYSROOT=$root RAWDUMP_RUNDIR=$T/run
printf '# test configuration\n' > "$T/ok.conf"
export RAWDUMP_CONF=$T/ok.conf
check_rc "format --force $loop" 0 "$RAWDUMP" format --force "$loop"
uuid() { "$RAWDUMP" info "$1" --json > "$T/u.json" 2>/dev/null; json "$T/u.json" uuid; }
u1=$(uuid "$loop")
mk=$B/minikernel/rdmk.bzImage
# record FILE-STYLE: what rawdump arm writes, for the uuid given, this boot
record() {
	printf 'target=%s\ndevice=%s\nsize=%s\nuuid=%s\nmethod=kexec_file_load\nminikernel=%s\nminikernel_size=%s\nminikernel_mtime=%s\nboot_id=%s\narg=%s\narg=--level\narg=3\n' \
		"$loop" "$loop" $((16 * 2048)) "$1" "$mk" "${2:-$(stat -c %s "$mk")}" "$(stat -c %Y "$mk")" \
		"${3:-$(cat "$root/proc/sys/kernel/random/boot_id")}" "$loop" > "$T/run/armed"
}

# --- status exit codes ---
check_rc "status: empty, nothing loaded: 14" 14 "$RAWDUMP" status --proc-root "$root" "$loop"
grep -q "^armed: no$" "$T/.out" && pass "status says armed: no" || fail "status says armed: no" "$(cat "$T/.out")"
echo 1 > "$root/sys/kernel/kexec_crash_loaded"
check_rc "status: another tool's crash kernel: 14" 14 "$RAWDUMP" status --proc-root "$root" "$loop"
grep -q "^armed: no (a crash kernel is loaded, not by rawdump arm: kdump-tools?)$" "$T/.out" &&
	pass "status names the foreign crash kernel" || fail "status names the foreign crash kernel" "$(cat "$T/.out")"
record "$u1"
check_rc "status: armed, matching: 0" 0 "$RAWDUMP" status --proc-root "$root" "$loop"
record "$u1" 12345
check_rc "status: minikernel replaced: 15" 15 "$RAWDUMP" status --proc-root "$root" "$loop"
grep -q "^armed stale: the minikernel $mk was replaced after arming; run rawdump arm again$" "$T/.out" &&
	pass "stale line names the minikernel" || fail "stale line names the minikernel" "$(grep stale "$T/.out")"
record "$u1" "" 5e1f0c3a-0000-4000-8000-0000000000ff
check_rc "status: record from another boot: 14" 14 "$RAWDUMP" status --proc-root "$root" "$loop"
record "$u1"
"$SIM" write "$loop" --pattern 7 --range 0x100000:2M --quiet >/dev/null 2>&1 || fail "sim write to $loop"
check_rc "status: a dump waiting, armed: 13" 13 "$RAWDUMP" status --proc-root "$root" "$loop"
check_rc "status -q: 13" 13 "$RAWDUMP" status -q --proc-root "$root" "$loop"
check_eq "status -q prints nothing" "$(cat "$T/.out")" ""
echo 0 > "$root/sys/kernel/kexec_crash_loaded"
check_rc "status: waiting beats not armed: 13" 13 "$RAWDUMP" status --proc-root "$root" "$loop"
# errors first: a named target that cannot be opened; permission denied
check_rc "status: missing target beats waiting: 2" 2 "$RAWDUMP" status --proc-root "$root" "$loop" "$T/nope"
check_rc "status as nobody (permission denied): 2" 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
	env RAWDUMP_CONF=/dev/null "$RAWDUMP" status
grep -q "Permission denied (run as root to see every partition)" "$T/.out" &&
	pass "status as nobody says permission denied" || fail "status as nobody says permission denied" "$(head -n 3 "$T/.out")"
check_rc "status -q as nobody: 2" 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
	env RAWDUMP_CONF=/dev/null "$RAWDUMP" status -q
check_eq "status -q as nobody prints nothing" "$(cat "$T/.out")" ""

# --- clear ---
check_rc "arm refuses the unsaved dump: 3" 3 "$RAWDUMP" arm "$loop"
check_rc "clear $loop" 0 "$RAWDUMP" clear "$loop"
"$RAWDUMP" info "$loop" --json > "$T/c.json" 2>/dev/null
check_eq "info: state cleared" "$(json "$T/c.json" state)" "cleared"
check_eq "clear keeps the uuid" "$(json "$T/c.json" uuid)" "$u1"
check_rc "status: cleared is not waiting: 14" 14 "$RAWDUMP" status --proc-root "$root" "$loop"
grep -q "^$loop  *cleared  *uuid $u1" "$T/.out" && pass "status lists the state cleared" ||
	fail "status lists the state cleared" "$(head -n 1 "$T/.out")"
mkdir -p "$T/out"
check_rc "save of a cleared dump refused: 3" 3 "$RAWDUMP" save "$loop" -o "$T/out"
check_eq "the refusal wrote nothing" "$(ls -A "$T/out")" ""
check_rc "discard (alias) on a cleared partition: 0" 0 "$RAWDUMP" discard "$loop"
grep -q "no dump waiting (state cleared)" "$T/.out" && pass "discard says nothing to clear" ||
	fail "discard says nothing to clear" "$(cat "$T/.out")"
# arm accepts it: past the partition checks, it fails only at the loop
# device's controller (exit 8), not at the dump (3)
check_rc "arm accepts a cleared partition (stops at the controller: 8)" 8 "$RAWDUMP" arm "$loop"
grep -q "not on a PCI controller" "$T/.out" && pass "arm got to the controller" || fail "arm got to the controller" "$(cat "$T/.out")"
check_rc "save --force of a cleared dump: 0" 0 "$RAWDUMP" save "$loop" -o "$T/out" --force
check_eq "saved after save --force" "$("$RAWDUMP" info "$loop" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "saved"
check_rc "clear on an image file with no dump: 0" 0 sh -c "truncate -s 2M '$T/e.img' && '$RAWDUMP' format '$T/e.img' >/dev/null && '$RAWDUMP' clear '$T/e.img'"

# --- arm: panic_on_oops, another tool's crash kernel ---
echo 0 > "$root/sys/kernel/kexec_crash_loaded"; rm -f "$T/run/armed"
echo 0 > "$root/proc/sys/kernel/panic_on_oops"
check_rc "arm on the loop device (stops at the controller: 8)" 8 "$RAWDUMP" arm "$loop"
grep -q "^rawdump: set kernel.panic_on_oops to 1 (was 0)" "$T/.out" && pass "arm says it set panic_on_oops" ||
	fail "arm says it set panic_on_oops" "$(cat "$T/.out")"
check_eq "panic_on_oops is 1" "$(cat "$root/proc/sys/kernel/panic_on_oops")" "1"
echo 0 > "$root/proc/sys/kernel/panic_on_oops"
printf 'panic_on_oops = "no"   # keep it\n' > "$T/nopanic.conf"
check_rc "arm with panic_on_oops = no: 8" 8 "$RAWDUMP" --config "$T/nopanic.conf" arm "$loop"
grep -q "warning: kernel.panic_on_oops is 0: an oops will not reach the capture kernel" "$T/.out" &&
	pass "panic_on_oops = no: a warning" || fail "panic_on_oops = no: a warning" "$(cat "$T/.out")"
check_eq "panic_on_oops = no leaves it 0" "$(cat "$root/proc/sys/kernel/panic_on_oops")" "0"
echo 1 > "$root/sys/kernel/kexec_crash_loaded"
check_rc "arm: another tool's crash kernel: 3" 3 "$RAWDUMP" arm "$loop"
grep -q "kdump-tools" "$T/.out" && pass "the refusal names kdump-tools" || fail "the refusal names kdump-tools" "$(cat "$T/.out")"
record "$u1" "" 5e1f0c3a-0000-4000-8000-0000000000ff
check_rc "arm: a record from another boot is not ours: 3" 3 "$RAWDUMP" arm "$loop"
check_rc "arm --force replaces it (stops at the controller: 8)" 8 "$RAWDUMP" arm --force "$loop"
record "$u1"
check_rc "arm over its own crash kernel (stops at the controller: 8)" 8 "$RAWDUMP" arm "$loop"

# --- format on the armed partition ---
cp "$T/p.img" "$T/before.img"
check_rc "format refuses the armed partition: 3" 3 "$RAWDUMP" format "$loop"
err_is "the refusal says why and names --force" \
	"rawdump: format: $loop is the armed dump partition: a new UUID would not match the capture kernel's; format --force formats it and arms again"
check "the refusal wrote nothing" cmp "$T/p.img" "$T/before.img"
check_rc "format --force: formats, re-arm fails at the controller: 8" 8 "$RAWDUMP" format --force "$loop"
grep -q "^rawdump: format: formatted, but arming again failed: .* run rawdump arm $loop --level 3$" "$T/.out" &&
	pass "format --force names the re-arm command" || fail "format --force names the re-arm command" "$(cat "$T/.out")"
u2=$(uuid "$loop")
[ -n "$u2" ] && [ "$u2" != "$u1" ] && pass "format --force made a new uuid" || fail "format --force made a new uuid" "$u1 -> $u2"
check_rc "status: the record names the old uuid: 15" 15 "$RAWDUMP" status --proc-root "$root" "$loop"
grep -q "^armed stale: $loop was reformatted: uuid $u1 armed, $u2 now; run rawdump arm again$" "$T/.out" &&
	pass "stale line names both uuids" || fail "stale line names both uuids" "$(grep stale "$T/.out")"
echo 0 > "$root/sys/kernel/kexec_crash_loaded"

# --- configuration: one strict parser, quotes, --config anywhere ---
printf 'output_dir = /var/crash\nbogus = 1\n' > "$T/bad.conf"
check_rc "unknown key stops status: 1" 1 "$RAWDUMP" --config "$T/bad.conf" status --proc-root "$root" "$loop"
err_is "unknown key: FILE:LINE: KEY: REASON (allowed)" \
	"rawdump: $T/bad.conf:2: bogus: unknown key (allowed: target, output_dir, formats, compression, level, dump_level, panic_on_oops, max_dumps, minikernel, exit, kexec, kexec_tool, append)"
printf "exit = 'explode'\n" > "$T/bad2.conf"
check_rc "bad value, --config after the command: 1" 1 "$RAWDUMP" info "$loop" --config "$T/bad2.conf"
err_is "bad value: allowed values listed" \
	"rawdump: $T/bad2.conf:1: exit: 'explode' not allowed (allowed: reboot, poweroff, halt, qemu)"
printf 'append = "rd.x=1\n' > "$T/bad3.conf"
check_rc "unclosed quote: 1" 1 env RAWDUMP_CONF="$T/bad3.conf" "$RAWDUMP" status -q --proc-root "$root" "$loop"
printf 'dump_level = 3 x\n' > "$T/bad4.conf"
check_rc "dump_level = 3 x: 1" 1 "$RAWDUMP" --config="$T/bad4.conf" save "$loop" -o "$T/out"
err_is "dump_level: allowed 0 to 31" "rawdump: $T/bad4.conf:1: dump_level: '3 x' is not a dump level (allowed: 0 to 31)"
check_rc "missing --config file: 1" 1 "$RAWDUMP" --config "$T/none.conf" status "$loop"
err_is "missing --config file named" "rawdump: $T/none.conf: No such file or directory"
check_rc "missing RAWDUMP_CONF file: 1" 1 env RAWDUMP_CONF="$T/none.conf" "$RAWDUMP" info "$loop"
# quotes: a '#' inside is text, the quotes are dropped (seen in arm's target)
printf 'target = "%s/a #1.img"   # quoted\n' "$T" > "$T/q.conf"
check_rc "quoted target with a #: arm reads it (no such file: 2)" 2 "$RAWDUMP" arm --config "$T/q.conf"
grep -q "$T/a #1.img" "$T/.out" && pass "double-quoted value keeps its #" || fail "double-quoted value keeps its #" "$(cat "$T/.out")"
printf "target = '%s/b #2.img'\n" "$T" > "$T/q2.conf"
"$RAWDUMP" arm --config "$T/q2.conf" > "$T/.out" 2>&1
grep -q "$T/b #2.img" "$T/.out" && pass "single-quoted value keeps its #" || fail "single-quoted value keeps its #" "$(cat "$T/.out")"
