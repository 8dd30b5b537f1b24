#!/bin/bash
# tests/t-save-partial.sh - damaged and incomplete dumps: a capture cut off
# after N blocks, a flipped byte inside a stored payload, a flipped byte in
# a block header (resync), a partition too small (TRUNCATED), a failed
# write (LOST), a bad dump header. save keeps every valid byte, names the
# missing memory exactly, and exits 6 (7 when nothing can be recovered).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/part.sh"
need sfdisk
part_sim_setup
R="--range 0x100000:8M --range 0x1000000:4M"

# --- cut after 20 data blocks (power lost): WRITING, partial ---
fresh 32M
"$SIM" write "$part" --pattern 21 $R --comp none --cut-after 20 --quiet >/dev/null 2>&1
check_rc "cut dump: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name cut
grep -q "missing 0x" "$T/.out" && pass "cut dump: missing ranges listed" || fail "cut dump: missing ranges listed" "$(cat "$T/.out")"
grep -q "capture stopped before the end" "$T/.out" && pass "cut dump: reason given" || fail "cut dump: reason given"
check "cut dump: saved bytes are right" "$SIM" verify "$out/cut" --pattern 21 $R --allow-missing
"$RAWDUMP" info "$part" --json > "$T/c.json"
covered=$(python3 - "$part" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
did = struct.unpack_from('<Q', d, 4096 + 16)[0]
off = struct.unpack_from('<Q', d, 4096 + 176)[0]
tot = 0
for o in range(off, len(d) - 64, 512):
    if d[o:o + 4] == b'RDBK':
        t, f, i, s, p, m = struct.unpack_from('<HHQQQQ', d, o + 4)
        if i == did and t in (1, 2, 3):
            tot += m
print(tot)
EOF
)
check_eq "cut dump: missing = ranges - blocks on disk" "$(json "$T/c.json" missing_bytes)" "$((12 * 1048576 - covered))"
check_eq "cut dump: state after save" "$(json "$T/c.json" state)" "saved"
check_eq "cut dump: complete false" "$(json "$T/c.json" complete)" "False"

# --- one flipped byte inside a stored payload ---
fresh 32M
"$SIM" write "$part" --pattern 22 $R --comp zlib --quiet >/dev/null 2>&1
victim=$(blocks "$part" | awk '!done && $2 == 2 && $5 > 1000 { print; done = 1 }')
read -r voff vtype vpaddr vmem vstored _ <<< "$victim"
printf '\x5a' | dd of="$part" bs=1 seek=$((voff + 64 + vstored / 2)) conv=notrunc status=none
check_rc "corrupt payload: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name corrupt
want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
grep -q "$want.*corrupt" "$T/.out" && pass "corrupt payload: exactly its block reported" ||
	fail "corrupt payload: exactly its block reported" "wanted '$want': $(cat "$T/.out")"
check_eq "corrupt payload: one range missing" "$(grep -c 'missing 0x' "$T/.out")" "1"
check "corrupt payload: everything else saved" "$SIM" verify "$out/corrupt" --pattern 22 $R --allow-missing
"$SIM" verify "$out/corrupt" --pattern 22 $R > "$T/v" 2>&1
pages=$(sed -n 's/.* \([0-9]*\) missing (zero).*/\1/p' "$T/v")
[ "${pages:-0}" -ge 1 ] && [ "${pages:-0}" -le $((vmem / 4096)) ] &&
	pass "corrupt payload: only that block's pages are zero ($pages)" ||
	fail "corrupt payload: only that block's pages are zero" "$(cat "$T/v")"

# --- info --verify finds the corrupt block without saving ---
fresh 32M
"$SIM" write "$part" --pattern 22 $R --comp zlib --quiet >/dev/null 2>&1
victim=$(blocks "$part" | awk '!done && $2 == 2 && $5 > 1000 { print; done = 1 }')
read -r voff vtype vpaddr vmem vstored _ <<< "$victim"
printf '\x5a' | dd of="$part" bs=1 seek=$((voff + 64 + 7)) conv=notrunc status=none
"$RAWDUMP" info "$part" --json --verify > "$T/v.json"
check_eq "info --verify counts the corrupt block" "$(json "$T/v.json" verified_corrupt_blocks)" "1"
check_eq "info --verify: partial" "$(json "$T/v.json" partial)" "True"

# --- a flipped byte in a block header: resync, only that block lost ---
fresh 32M
"$SIM" write "$part" --pattern 23 $R --comp none --quiet >/dev/null 2>&1
victim=$(blocks "$part" | awk '$2 == 1 { n++ } $2 == 1 && n == 5 { print }')
read -r voff vtype vpaddr vmem vstored _ <<< "$victim"
printf '\xff' | dd of="$part" bs=1 seek=$((voff + 30)) conv=notrunc status=none
check_rc "bad block header: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name hdr
want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
grep -q "$want" "$T/.out" && pass "bad block header: exactly its block reported" ||
	fail "bad block header: exactly its block reported" "wanted '$want': $(cat "$T/.out")"
check "bad block header: the rest after it is saved" "$SIM" verify "$out/hdr" --pattern 23 $R --allow-missing
"$RAWDUMP" info "$part" --json > "$T/h.json"
check_eq "bad block header: one resync" "$(json "$T/h.json" bad_headers)" "1"
check_eq "bad block header: END found after resync" "$(json "$T/h.json" complete)" "True"
check_eq "bad block header: block count mismatch seen" "$(json "$T/h.json" block_count_ok)" "False"

# --- partition too small: TRUNCATED ---
fresh 2M
"$SIM" write "$part" --pattern 24 --range 0x100000:16M --comp none --quiet >/dev/null 2>&1
check_rc "truncated dump: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name trunc
grep -q "dump partition full" "$T/.out" && pass "truncated: reported as partition full" || fail "truncated: reported" "$(cat "$T/.out")"
"$RAWDUMP" info "$part" --json > "$T/t.json"
check_eq "truncated: flag" "$(json "$T/t.json" truncated)" "True"
check_eq "truncated: missing = END's missing_bytes" "$(json "$T/t.json" missing_bytes)" "$(json "$T/t.json" truncated_bytes)"
check "truncated: saved bytes are right" "$SIM" verify "$out/trunc" --pattern 24 --range 0x100000:16M --allow-missing

# --- a failed device write: LOST blocks, failed blocks ignored ---
fresh 32M
"$SIM" write "$part" --pattern 25 $R --comp none --fail-write 0x80000:0x1000 --quiet >"$T/fw" 2>&1
"$RAWDUMP" info "$part" --json > "$T/l.json"
lost=$(json "$T/l.json" lost_bytes)
[ "$lost" -gt 0 ] && pass "failed write: LOST recorded ($lost bytes)" || fail "failed write: LOST recorded" "$(cat "$T/fw")"
check_eq "failed write: missing == lost" "$(json "$T/l.json" missing_bytes)" "$lost"
check_rc "failed write: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name lost
grep -q "lost (the capture could not" "$T/.out" && pass "failed write: reported as lost" || fail "failed write: reported as lost" "$(cat "$T/.out")"
check "failed write: saved bytes are right" "$SIM" verify "$out/lost" --pattern 25 $R --allow-missing

# --- a bad dump header: nothing to recover, exit 7, no output ---
fresh 32M
"$SIM" write "$part" --pattern 26 $R --quiet >/dev/null 2>&1
printf '\x00\x00\x00\x00' | dd of="$part" bs=1 seek=$((4096 + 48)) conv=notrunc status=none
check_rc "bad dump header: exit 7" 7 "$RAWDUMP" save "$part" -o "$out" --name bad
[ ! -e "$out/bad" ] && pass "bad dump header: no output" || fail "bad dump header: no output"
check_rc "bad dump header: info exits 7" 7 "$RAWDUMP" info "$part"

# --- primary partition header destroyed: the backup still finds the dump ---
fresh 32M
"$SIM" write "$part" --pattern 27 $R --quiet >/dev/null 2>&1
dd if=/dev/zero of="$part" bs=256 count=1 conv=notrunc status=none
check_rc "primary header zeroed: save from backup" 0 "$RAWDUMP" save "$part" -o "$out" --name backup
check "backup-header save is right" "$SIM" verify "$out/backup" --pattern 27 $R
check_eq "primary repaired when marked saved" "$(dd if="$part" bs=1 count=7 status=none)" "RAWDUMP"
check_eq "no temp files in the output dir" "$(ls -A "$out" | grep -c tmp)" "0"
