#!/bin/bash
# tests/t-cli-reuse.sh - which partition header may be trusted.
#   - a formatted partition reused by mkswap: the tool no longer sees a
#     rawdump partition (the backup copy at the end is a stale leftover), and
#     the writer refuses it without writing a byte;
#   - a torn primary (slot all zeros, or magic with a bad CRC): the backup
#     copy is used, by the tool and by the writer;
#   - a whole disk whose last partition ends at the disk's end shares that
#     partition's backup slot: the disk itself is not a rawdump partition;
#   - a partition that grew after format: refused (the capture requires the
#     exact size), and the message says so.
. "$(dirname "$0")/lib.sh"
need mkswap sfdisk losetup sha256sum python3
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }
field() { "$RAWDUMP" info "$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }
simwrite() { "$SIM" write "$1" --pattern 7 --range 0x100000:2M --release 6.1.0-reuse --quiet; }

# ---- mkswap over a formatted partition ----------------------------------
img=$T/swap.img
truncate -s 8M "$img"
check_rc "format" 0 "$RAWDUMP" format "$img"
mkswap "$img" >/dev/null 2>&1 || fail "mkswap"
before=$(sha256sum < "$img")
check_rc "info after mkswap: not a rawdump partition (exit 4)" 4 "$RAWDUMP" info "$img"
"$RAWDUMP" status "$img" > "$T/st" 2>&1
grep -q "not a rawdump partition" "$T/st" && pass "status after mkswap: not a rawdump partition" ||
	fail "status after mkswap: not a rawdump partition" "$(head -n 1 "$T/st")"
check_not "writer refuses the reused partition" simwrite "$img"
grep -q "reused" "$T/.out" && pass "writer says the partition was reused" ||
	fail "writer says the partition was reused" "$(tail -n 2 "$T/.out")"
check_eq "not a byte of the swap area changed" "$(sha256sum < "$img")" "$before"

# ---- torn primary: zeros, or magic with a bad CRC -----------------------
img=$T/torn.img
truncate -s 8M "$img"
"$RAWDUMP" format "$img" >/dev/null
dd if=/dev/zero of="$img" bs=4096 count=1 conv=notrunc status=none
check_eq "primary slot all zeros: backup used" "$(field "$img" header_copy)" "backup"
check "writer accepts it through the backup" simwrite "$img"
check_eq "dump written" "$(field "$img" state)" "complete"
"$RAWDUMP" format --force "$img" >/dev/null
printf 'X' | dd of="$img" bs=1 seek=100 conv=notrunc status=none	# inside the label: CRC breaks
check_eq "primary with magic and a bad CRC: backup used" "$(field "$img" header_copy)" "backup"
check "writer accepts it through the backup" simwrite "$img"

# ---- whole disk sharing its last partition's backup slot ----------------
disk=$T/disk.img
truncate -s 16M "$disk"
printf 'label: dos\n2048,8192,83\n10240,,83\n' | sfdisk -q "$disk" || fail "sfdisk"
check_rc "format the last partition (FILE:2)" 0 "$RAWDUMP" format "$disk:2"
loop=$(losetup -f --show "$disk" 2>"$T/lo") || { fail "losetup" "$(cat "$T/lo")"; exit 1; }
trap 'losetup -d "$loop" 2>/dev/null; rm -rf "$T"' EXIT
check_rc "the whole disk ($loop, no partition scan) is not a rawdump partition" 4 "$RAWDUMP" info "$loop"
check_eq "the partition itself still is" "$(field "$disk:2" state)" "empty"
losetup -d "$loop"

# ---- a partition that grew after format ----------------------------------
img=$T/grown.img
truncate -s 8M "$img"
"$RAWDUMP" format "$img" >/dev/null
truncate -s 12M "$img"
check_rc "grown partition: not accepted (exit 4)" 4 "$RAWDUMP" info "$img"
before=$(sha256sum < "$img")
check_not "writer refuses the grown partition" simwrite "$img"
check_eq "nothing written to the grown partition" "$(sha256sum < "$img")" "$before"
truncate -s 8M "$img"
check_eq "back at its formatted size it is accepted again" "$(field "$img" header_part_size)" "8388608"
