#!/bin/bash
# tests/t-cli-format.sh - `rawdump format` and `rawdump info` on disk images
# made with truncate + sfdisk (GPT) holding a real ext4 partition (mkfs.ext4
# -E offset=) and a dump partition: what format refuses, what it writes,
# that the ext4 bytes never change, target forms, header fallback, exit codes.
. "$(dirname "$0")/lib.sh"
need sfdisk mkfs.ext4 e2fsck blkid python3 cmp
[ -x "$RAWDUMP" ] || { fail "build/rawdump exists" "run make"; exit 1; }

img=$T/disk.img
truncate -s 96M "$img"
printf 'label: gpt\nsize=32M, type=linux, name=data\nsize=40M, type=linux, name=dump\n' |
	sfdisk -q "$img" || { fail "sfdisk"; exit 1; }
# start/size in sectors of partition N, from sfdisk's own dump
pstart() { sfdisk -d "$img" | awk -v n="$img$1 " 'index($0, n) == 1 { gsub(/[ ,]/, ""); split($0, a, /start=|size=|type=/); print a[2] }'; }
psize() { sfdisk -d "$img" | awk -v n="$img$1 " 'index($0, n) == 1 { gsub(/[ ,]/, ""); split($0, a, /start=|size=|type=/); print a[3] }'; }
s1=$(pstart 1); n1=$(psize 1); s2=$(pstart 2); n2=$(psize 2)
mkfs.ext4 -q -F -E offset=$((s1 * 512)) "$img" $((n1 / 2))k >/dev/null 2>&1 ||
	{ fail "mkfs.ext4"; exit 1; }
ext4_sum() { dd if="$img" bs=512 skip="$s1" count="$n1" status=none | sha256sum | cut -d' ' -f1; }
ext4_before=$(ext4_sum)
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

# --- refusals, each writing nothing ---
cp "$img" "$T/orig.img"
check_rc "format refuses the ext4 partition" 3 "$RAWDUMP" format "$img:1"
grep -q "ext4" "$T/.out" && pass "refusal names ext4" || fail "refusal names ext4" "$(cat "$T/.out")"
check_rc "format refuses the whole disk image" 3 "$RAWDUMP" format "$img"
check "refusals wrote nothing" cmp "$img" "$T/orig.img"

# --- format the dump partition by number, by PARTLABEL, by PARTUUID ---
check_rc "format dump partition" 0 "$RAWDUMP" format "$img:2" --label crashes
check_rc "info --json" 0 sh -c "'$RAWDUMP' info '$img:2' --json > '$T/i.json'"
check_eq "state empty" "$(json "$T/i.json" state)" "empty"
check_eq "part_offset" "$(json "$T/i.json" part_offset)" "$((s2 * 512))"
check_eq "part_size" "$(json "$T/i.json" part_size)" "$((n2 * 512))"
check_eq "sector_size" "$(json "$T/i.json" sector_size)" "512"
check_eq "label" "$(json "$T/i.json" label)" "crashes"
uuid=$(json "$T/i.json" uuid)
echo "$uuid" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' &&
	pass "uuid is 8-4-4-4-12 (v4)" || fail "uuid is 8-4-4-4-12 (v4)" "$uuid"
# the header bytes on disk: magic at the partition start and in the backup slot
bk=$(( (n2 * 512 / 4096) * 4096 - 4096 ))
check_eq "primary magic" "$(dd if="$img" bs=1 skip=$((s2 * 512)) count=7 status=none)" "RAWDUMP"
check_eq "backup magic" "$(dd if="$img" bs=1 skip=$((s2 * 512 + bk)) count=7 status=none)" "RAWDUMP"
check_eq "ext4 unchanged by format" "$(ext4_sum)" "$ext4_before"
check "ext4 still clean (e2fsck)" sh -c "dd if='$img' of='$T/p1' bs=512 skip=$s1 count=$n1 status=none && e2fsck -fn '$T/p1'"

"$RAWDUMP" info "$img:PARTLABEL=dump" --json > "$T/j2.json" 2>&1
check_eq "FILE:PARTLABEL= resolves" "$(json "$T/j2.json" uuid)" "$uuid"
puuid=$(sfdisk --part-uuid "$img" 2)
"$RAWDUMP" info "$img:PARTUUID=$puuid" --json > "$T/j3.json" 2>&1
check_eq "FILE:PARTUUID= resolves" "$(json "$T/j3.json" part_offset)" "$((s2 * 512))"
"$RAWDUMP" info "$img" --json > "$T/j4.json" 2>&1
check_eq "disk image finds its rawdump partition" "$(json "$T/j4.json" uuid)" "$uuid"
check_rc "no such partition number" 2 "$RAWDUMP" info "$img:7"
check_rc "no such PARTLABEL" 2 "$RAWDUMP" info "$img:PARTLABEL=nope"

# --- re-format: allowed on an empty partition, generation grows ---
check_rc "re-format empty partition" 0 "$RAWDUMP" format "$img:2"
"$RAWDUMP" info "$img:2" --json > "$T/g.json"
check_eq "generation bumped" "$(json "$T/g.json" generation)" "2"
[ "$(json "$T/g.json" uuid)" != "$uuid" ] && pass "new uuid on re-format" || fail "new uuid on re-format"

# --- an unsaved dump is protected; --force overrides ---
if [ -x "$SIM" ]; then
	"$SIM" write "$img:2" --pattern 3 --range 0x100000:2M --quiet >/dev/null 2>&1
	cp "$img" "$T/dumped.img"
	check_rc "format refuses an unsaved dump" 3 "$RAWDUMP" format "$img:2"
	check "refusal left the dump intact" cmp "$img" "$T/dumped.img"
	check_rc "format --force over an unsaved dump" 0 "$RAWDUMP" format --force "$img:2"
	"$RAWDUMP" info "$img:2" --json > "$T/f.json"
	check_eq "state empty after --force" "$(json "$T/f.json" state)" "empty"
	check_eq "ext4 unchanged after dump + force" "$(ext4_sum)" "$ext4_before"
else
	fail "rawdump-sim built" "build/rawdump-sim missing"
fi

# --- header fallback: primary damaged -> backup; both -> exit 4 ---
po=$((s2 * 512))
printf 'XXXX' | dd of="$img" bs=1 seek=$((po + 100)) conv=notrunc status=none
"$RAWDUMP" info "$img:2" --json > "$T/b.json" 2>&1
check_eq "damaged primary: backup used" "$(json "$T/b.json" header_copy)" "backup"
check_eq "damaged primary: primary_header_ok false" "$(json "$T/b.json" primary_header_ok)" "False"
printf 'XXXX' | dd of="$img" bs=1 seek=$((po + bk + 100)) conv=notrunc status=none
check_rc "both headers bad: exit 4" 4 "$RAWDUMP" info "$img:2"
check_rc "format repairs it" 0 "$RAWDUMP" format "$img:2"

# --- --force over ext4 wipes its signature ---
dd if="$img" of="$T/e.img" bs=512 skip="$s1" count="$n1" status=none
check_rc "format refuses ext4 partition image file" 3 "$RAWDUMP" format "$T/e.img"
check_rc "format --force over ext4" 0 "$RAWDUMP" format --force "$T/e.img"
blkid -p "$T/e.img" >/dev/null 2>&1; rc=$?
check_eq "no filesystem signature left (blkid -p exit 2)" "$rc" "2"
check_eq "plain file is its own partition (offset 0)" \
	"$("$RAWDUMP" info "$T/e.img" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["part_offset"])')" "0"

# --- other refusals and errors ---
truncate -s 512K "$T/small.img"
check_rc "too small target: exit 2" 2 "$RAWDUMP" format "$T/small.img"
check_rc "missing target: exit 2" 2 "$RAWDUMP" format "$T/nope.img"
check_rc "missing tag: exit 2" 2 "$RAWDUMP" format "PARTLABEL=no-such-rawdump-label-$$"
check_rc "format without target: exit 1" 1 "$RAWDUMP" format
check_rc "format bad option: exit 1" 1 "$RAWDUMP" format --bogus "$img:2"
check_rc "label too long: exit 1" 1 "$RAWDUMP" format "$img:2" --label "$(printf '%040d' 0)"
check_rc "info on a non-dump file: exit 4" 4 "$RAWDUMP" info "$T/p1"
check_rc "no command: exit 1" 1 "$RAWDUMP"
check_rc "unknown command: exit 1" 1 "$RAWDUMP" frobnicate
for c in format save info status convert arm disarm; do
	check_rc "$c --help" 0 "$RAWDUMP" $c --help
done
"$RAWDUMP" format "$T/nope.img" 2>"$T/err"
check_eq "one-line error format" "$(wc -l < "$T/err") $(cut -c1-16 "$T/err")" "1 rawdump: format:"
check_eq "ext4 unchanged at the end" "$(ext4_sum)" "$ext4_before"
