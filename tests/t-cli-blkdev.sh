#!/bin/bash
# tests/t-cli-blkdev.sh - rawdump on a real block device: a loop device
# (losetup) backed by a partition image. A loop device is a whole disk, so
# format refuses it without --force; then status finds it among the
# system's block devices, UUID= (the rawdump UUID, unknown to libblkid)
# resolves to it, and save with no TARGET picks its unsaved dump.
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
n_unsaved=$(grep -c " complete \| partial " "$T/st")
if [ "$n_unsaved" = 1 ]; then
	check_rc "save without TARGET finds $loop" 0 "$RAWDUMP" save -o "$out" --name auto
	check "auto-saved vmcore is right" "$SIM" verify "$out/auto" --pattern 31 --range 0x100000:4M
else
	check_rc "save $loop" 0 "$RAWDUMP" save "$loop" -o "$out" --name auto
	echo "# $n_unsaved unsaved dumps on this system: save without TARGET not tried"
fi
check_eq "marked saved on the device" "$("$RAWDUMP" info "$loop" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "saved"
check_rc "status on a named image" 0 "$RAWDUMP" status "$img"
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
