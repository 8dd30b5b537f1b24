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
[[ $name =~ ^vmcore-20[0-9]{6}-[0-9]{6}$ ]] && pass "default name from the save time ($name)" ||
	fail "default name from the save time" "got '$name'"
check "the saved vmcore is right" "$SIM" verify "$T/out/$name" --pattern 5 --range 0x100000:1M

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
