#!/bin/bash
# tests/t-save-hostile.sh - headers that are valid but say absurd things:
# save and info must stay sane. A crash time that gmtime_r cannot convert
# (year past 2^31): save names the file by the time of the save, info
# prints the number. The dump header is rewritten and re-sealed (CRC-32)
# so that it passes every check.
. "$(dirname "$0")/lib.sh"
need python3 readelf
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

img=$T/part.img
truncate -s 8M "$img"
"$RAWDUMP" format "$img" >/dev/null || fail "format"
"$SIM" write "$img" --pattern 5 --range 0x100000:1M --release 6.1.0-hostile --quiet >/dev/null 2>&1 ||
	fail "sim write"
# dump header at 4096: crash_time at +40, header_crc at +380 over 384 bytes
python3 - "$img" <<'PY'
import struct, sys, zlib
f = open(sys.argv[1], "r+b")
f.seek(4096); h = bytearray(f.read(384))
struct.pack_into("<Q", h, 40, (1 << 63) - 1)
struct.pack_into("<I", h, 380, 0)
struct.pack_into("<I", h, 380, zlib.crc32(bytes(h)) & 0xffffffff)
f.seek(4096); f.write(h)
PY
"$RAWDUMP" info "$img" > "$T/info" 2>&1
check_eq "info accepts the re-sealed header" "$?" "0"
grep -q "9223372036854775807 (not a date)" "$T/info" && pass "info prints an unconvertible crash time as a number" ||
	fail "info prints an unconvertible crash time as a number" "$(grep -i time "$T/info")"
mkdir -p "$T/out"
check_rc "save with an unconvertible crash time" 0 "$RAWDUMP" save "$img" -o "$T/out"
name=$(ls "$T/out")
[[ $name =~ ^unknown-time-[0-9a-f]{8}$ ]] && pass "dump directory unknown-time-DUMPID ($name)" ||
	fail "dump directory unknown-time-DUMPID" "got '$name'"
check "the saved vmcore is right" "$SIM" verify "$T/out/$name/vmcore" --pattern 5 --range 0x100000:1M

# Metadata larger than one write request (2000 CPUs' notes, 512 KiB
# requests): the writer streams it in pieces; every note comes back.
img=$T/many.img
truncate -s 16M "$img"
"$RAWDUMP" format "$img" >/dev/null
check "writer: 2000 CPUs' notes with 512 KiB requests" "$SIM" write "$img" --pattern 9 \
	--range 0x100000:2M --cpus 2000 --io-size 524288 --release 6.1.0-many --quiet
check_eq "all 2000 CPU notes in the dump header" "$("$RAWDUMP" info "$img" --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["cpu_count"])')" "2000"
check_rc "save it" 0 "$RAWDUMP" save "$img" -o "$T/out" --name many
check_eq "2000 NT_PRSTATUS notes in the vmcore" "$(readelf -n "$T/out/many" | grep -c NT_PRSTATUS)" "2000"
check "vmcore bytes right" "$SIM" verify "$T/out/many" --pattern 9 --range 0x100000:2M

# Range tables that pass every crc but break the range rules (the dump
# header's meta_crc and header_crc are re-sealed). save refuses them as
# corrupt (7) in every format, before any output exists:
#  - an alias range (kernel text) outside the real ranges: its memory is in
#    no block, and the ELF writer's offsets overflowed (exit 0, bad ELF);
#  - two real ranges overlapping with an alias between them in the sorted
#    table (not neighbours);
#  - a range of 2^52 bytes: the LKCD writer walked it page by page for ever.
img=$T/ranges.img
truncate -s 8M "$img"
"$RAWDUMP" format "$img" >/dev/null
"$SIM" write "$img" --pattern 5 --range 0x100000:512K --range 0x180000:512K --range 0x300000:64K \
	--kernel-text 0x100000:64K --quiet >/dev/null 2>&1 || fail "sim write (4 ranges)"
cp "$img" "$T/ranges.orig"
# setranges IMG PADDR:SIZE[:a]... rewrites the range table and re-seals it
setranges() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
f = open(sys.argv[1], "r+b")
f.seek(4096); h = bytearray(f.read(384))
cnt, roff, noff, nsz = struct.unpack_from("<IQQQ", h, 148)
rs = [a.split(":") for a in sys.argv[2:]]
assert len(rs) == cnt
tab = b"".join(struct.pack("<QQQII", int(r[0], 0), 0, int(r[1], 0), len(r) > 2, 0) for r in rs)
f.seek(roff); f.write(tab)
f.seek(noff); notes = f.read(nsz)
struct.pack_into("<I", h, 376, zlib.crc32(notes, zlib.crc32(tab)) & 0xffffffff)
struct.pack_into("<I", h, 380, 0)
struct.pack_into("<I", h, 380, zlib.crc32(bytes(h)) & 0xffffffff)
f.seek(4096); f.write(h)
PY
}
bad_ranges() {	# NAME MESSAGE RANGES...
	local name=$1 msg=$2 f; shift 2
	cp "$T/ranges.orig" "$img"
	setranges "$img" "$@" || { fail "$name: rewrite the range table"; return; }
	for f in elf lcrash kdump; do
		rm -rf "$T/rout"; mkdir -p "$T/rout"
		check_rc "$name: save -F $f refuses it (7)" 7 timeout 60 "$RAWDUMP" save "$img" -o "$T/rout" -F $f
		grep -q "$msg" "$T/.out" && pass "$name: -F $f says '$msg'" ||
			fail "$name: -F $f says '$msg'" "$(tail -n 2 "$T/.out" | tr '\n' ' ')"
		check_eq "$name: -F $f wrote nothing" "$(ls -A "$T/rout")" ""
	done
}
bad_ranges "alias outside the ranges" "alias range 1000-fffffffffff00fff is not memory of the other ranges" \
	0x100000:0x80000 0x180000:0x80000 0x300000:0x10000 0x1000:0xfffffffffff00000:a
bad_ranges "alias past the end of the ranges" "alias range 1f0000-20ffff is not memory" \
	0x100000:0x80000 0x180000:0x80000 0x300000:0x10000 0x1f0000:0x20000:a
bad_ranges "overlap across an alias" "memory ranges 100000 and 180000 overlap" \
	0x100000:0x100000 0x110000:0x1000:a 0x180000:0x80000 0x300000:0x10000
bad_ranges "a 2^52-byte range" "ends past 128 TiB: no output holds it" \
	0x100000:0x80000 0x100000:0x10000:a 0x180000:0x80000 0x300000:0x10000000000000
# the rules do not refuse what the writer makes: an alias inside two
# back-to-back ranges, an alias equal to a range
cp "$T/ranges.orig" "$img"
setranges "$img" 0x100000:0x80000 0x170000:0x20000:a 0x180000:0x80000 0x300000:0x10000
rm -rf "$T/rout"; mkdir -p "$T/rout"
check_rc "alias across two back-to-back ranges: saved (0)" 0 "$RAWDUMP" save "$img" -o "$T/rout" --name across
check "alias across two ranges: the vmcore is right" "$SIM" verify "$T/rout/across" --pattern 5 \
	--range 0x100000:512K --range 0x180000:512K --range 0x300000:64K
