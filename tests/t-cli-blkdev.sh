#!/bin/bash
# tests/t-cli-blkdev.sh - rawdump on a real block device: a loop device
# (losetup) backed by a partition image. A loop device is a whole disk, so
# format refuses it without --force; then status finds it among the
# system's block devices, UUID= (the rawdump UUID, unknown to libblkid)
# resolves to it, and save with no TARGET picks its unsaved dump, or, when
# several partitions hold one, refuses and names them.
. "$(dirname "$0")/lib.sh"
need losetup python3
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

img=$T/part.img
truncate -s 24M "$img"
loop=$(losetup -f --show "$img" 2>"$T/lo") || { fail "losetup" "$(cat "$T/lo")"; exit 1; }
trap 'losetup -d "$loop" 2>/dev/null; rm -rf "$T"' EXIT

check_rc "format refuses a whole disk ($loop)" 3 "$RAWDUMP" format "$loop"
grep -q "whole disk" "$T/.out" && pass "refusal says whole disk" || fail "refusal says whole disk" "$(cat "$T/.out")"
check_rc "format --force on $loop" 0 "$RAWDUMP" format --force "$loop" --label loop-test
"$RAWDUMP" info "$loop" --json > "$T/i.json"
check_eq "info on the device: kind disk" "$(json "$T/i.json" kind)" "disk"
check_eq "info on the device: size" "$(json "$T/i.json" part_size)" "$((24 * 1048576))"
uuid=$(json "$T/i.json" uuid)

"$RAWDUMP" status > "$T/st" 2>&1
grep -q "^$loop  *empty  *uuid $uuid" "$T/st" && pass "status lists $loop as empty" ||
	fail "status lists $loop" "$(cat "$T/st")"
grep -q "^armed:" "$T/st" && pass "status ends with the arm state" || fail "status ends with the arm state" "$(tail -n 3 "$T/st")"
"$RAWDUMP" info "UUID=$uuid" --json > "$T/u.json" 2>&1
check_eq "UUID=<rawdump uuid> resolves to $loop" "$(json "$T/u.json" device)" "$loop"

"$SIM" write "$loop" --pattern 31 --range 0x100000:4M --release 6.1.0-loop --quiet >/dev/null 2>&1 ||
	fail "sim write to $loop"
"$RAWDUMP" status > "$T/st" 2>&1
grep -q "^$loop  *complete" "$T/st" && pass "status shows complete" || fail "status shows complete" "$(cat "$T/st")"
out=$T/out; mkdir -p "$out"
# Without TARGET, save looks for the one partition with an unsaved dump.
# With several it refuses and names them all: a second loop device with
# an unsaved dump makes that case happen on every machine.
img2=$T/part2.img
truncate -s 8M "$img2"
loop2=$(losetup -f --show "$img2" 2>"$T/lo") || { fail "losetup (second device)" "$(cat "$T/lo")"; exit 1; }
trap 'losetup -d "$loop" 2>/dev/null; losetup -d "$loop2" 2>/dev/null; rm -rf "$T"' EXIT
"$RAWDUMP" format --force "$loop2" >/dev/null 2>&1 || fail "format $loop2"
"$SIM" write "$loop2" --pattern 32 --range 0x100000:1M --quiet >/dev/null 2>&1 || fail "sim write to $loop2"
check_rc "save without TARGET, two unsaved dumps: refused (1)" 1 "$RAWDUMP" save -o "$out" --name auto
for d in "$loop" "$loop2"; do
	grep -q "unsaved dumps (.*$d[,)]" "$T/.out" && pass "the refusal names $d" ||
		fail "the refusal names $d" "$(cat "$T/.out")"
done
check_eq "nothing saved by the refusal" "$(ls -A "$out")" ""
check_rc "save $loop2 by name" 0 "$RAWDUMP" save "$loop2" -o "$out" --name second
# Now $loop holds the only unsaved dump this test made. Other unsaved
# dumps on the machine (other tests' devices) must be named too.
"$RAWDUMP" status > "$T/st" 2>&1
others=$(awk -v me="$loop" '($2 == "complete" || $2 == "partial") && $1 != me { print $1 }' "$T/st")
if [ -z "$others" ]; then
	check_rc "save without TARGET finds $loop" 0 "$RAWDUMP" save -o "$out" --name auto
	check "auto-saved vmcore is right" "$SIM" verify "$out/auto" --pattern 31 --range 0x100000:4M
else
	echo "# other unsaved dumps on this machine: $(echo $others)"
	check_rc "save without TARGET, other unsaved dumps here: refused (1)" 1 "$RAWDUMP" save -o "$out" --name auto
	for d in "$loop" $others; do
		grep -q "unsaved dumps (.*$d[,)]" "$T/.out" && pass "the refusal names $d" ||
			fail "the refusal names $d" "$(cat "$T/.out")"
	done
	check_rc "save $loop" 0 "$RAWDUMP" save "$loop" -o "$out" --name auto
	check "saved vmcore is right" "$SIM" verify "$out/auto" --pattern 31 --range 0x100000:4M
fi
check_eq "marked saved on the device" "$("$RAWDUMP" info "$loop" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "saved"
check_rc "status on a named image (saved, not armed: 14)" 14 "$RAWDUMP" status "$img"
grep -q "saved" "$T/.out" && pass "status TARGET shows saved" || fail "status TARGET shows saved" "$(cat "$T/.out")"

# A mounted device is refused even with --force (O_EXCL open).
need mkfs.ext4 mount umount
truncate -s 8M "$T/fs.img"
mkfs.ext4 -q -F "$T/fs.img" >/dev/null 2>&1
fsloop=$(losetup -f --show "$T/fs.img")
mkdir -p "$T/mnt"
if mount "$fsloop" "$T/mnt" 2>"$T/m"; then
	check_rc "format --force refuses a mounted device" 3 "$RAWDUMP" format --force "$fsloop"
	umount "$T/mnt"
else
	fail "mount ext4 loop device" "$(cat "$T/m")"
fi
losetup -d "$fsloop"
