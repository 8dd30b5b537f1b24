#!/bin/bash
# tests/t-save-xnum.sh - a dump with 70000 memory ranges, built by an
# independent Python implementation of include/rawdump/format.h (struct
# layouts, zlib crc32): save must write an ELF with e_phnum = PN_XNUM and
# the real count (70001) in section 0's sh_info; readelf and rawdump's own
# ELF reader must read it back, and the RAW ranges must hold their bytes.
# Also checks that blocks outside every range or overlapping an earlier
# block are refused, not saved.
. "$(dirname "$0")/lib.sh"
need python3 readelf
[ -x "$RAWDUMP" ] || { fail "build/rawdump exists" "run make"; exit 1; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

part=$T/part.img
python3 - "$part" <<'EOF' || { fail "generate image"; exit 1; }
import struct, sys, zlib
crc = lambda b: zlib.crc32(b) & 0xffffffff
N = 70000                      # ranges: 4 KiB each, 8 KiB apart
SIZE = 48 << 20
img = bytearray(SIZE)
uuid = bytes(range(16))
dump_id = 0x1234567890abcdef

ranges = b''.join(struct.pack('<QQQII', 0x100000 + i * 0x2000, 0xffff888000100000 + i * 0x2000,
                              0x1000, 0, 0) for i in range(N))
name = b'VMCOREINFO\0\0'
desc = b'OSRELEASE=6.1.0-xnum\nPAGESIZE=4096\n'
desc += b'\0' * (-len(desc) % 4)
notes = struct.pack('<III', 11, len(desc), 0) + name + desc
range_off = 8192
notes_off = range_off + len(ranges)
data_off = (notes_off + len(notes) + 4095) & ~4095
backup = (SIZE & ~4095) - 4096
meta_crc = crc(ranges + notes)

def block(off, typ, seq, paddr, mem, payload=b''):
    h = struct.pack('<IHHQQQQIII2II', 0x4b424452, typ, 0, dump_id, seq, paddr, mem,
                    len(payload), crc(payload), crc(payload) if typ == 1 else 0, 0, 0, 0)
    h = h[:60] + struct.pack('<I', crc(h))
    img[off:off + 64] = h
    img[off + 64:off + 64 + len(payload)] = payload
    return h, (off + 64 + len(payload) + 511) & ~511

off, seq, idx = data_off, 0, 0
headers = []
for i in range(N):
    paddr = 0x100000 + i * 0x2000
    if i % 1000 == 7:
        data = bytes(((i * 7 + j) & 0xff) or 1 for j in range(4096))
        h, off = block(off, 1, seq, paddr, 4096, data)
    else:
        h, off = block(off, 3, seq, paddr, 4096)
    headers.append(h); seq += 1
# hostile extras with valid crcs: outside every range, and overlapping range 0
h, off = block(off, 1, seq, 0x10000000000, 4096, b'\x55' * 4096); headers.append(h); seq += 1
h, off = block(off, 1, seq, 0x100000, 4096, b'\x66' * 4096); headers.append(h); seq += 1
icrc = 0
for h in headers:
    icrc = zlib.crc32(h, icrc)
end = struct.pack('<QQQQQQII16s', len(headers), N * 4096, 0, 0, 0, 0, 0, icrc & 0xffffffff, b'')
_, data_end = block(off, 5, seq, 0, 0, end)

dh = struct.pack('<8sIIQ16sQ65s7sIIIIIIIIQQQQQQQ32s136sII', b'RDDUMP\0\0', 1, 384, dump_id, uuid,
                 1790000000, b'6.1.0-xnum', b'', 0, 0xffffffff, 0, 0, 0, 0, 4096, N,
                 range_off, notes_off, len(notes), data_off, backup, N * 4096, 0,
                 b'xnum-test', b'', meta_crc, 0)
dh = dh[:380] + struct.pack('<I', crc(dh))
img[4096:4096 + 384] = dh
img[range_off:range_off + len(ranges)] = ranges
img[notes_off:notes_off + len(notes)] = notes
ph = struct.pack('<8sII16sQIIQQQQQ32s128sII', b'RAWDUMP\0', 1, 256, uuid, SIZE, 512, 2, 2,
                 1790000000, dump_id, data_end, 0, b'xnum', b'', 0, 0)
ph = ph[:252] + struct.pack('<I', crc(ph))
img[0:256] = ph
img[backup:backup + 256] = ph
open(sys.argv[1], 'wb').write(img)
EOF

"$RAWDUMP" info "$part" --json > "$T/i.json" 2>"$T/i.err"
check_eq "info: 70000 ranges described" "$(json "$T/i.json" mem_bytes)" "$((70000 * 4096))"
check_eq "info: 2 hostile blocks refused" "$(json "$T/i.json" rejected_blocks)" "2"
check_eq "info: index crc over every block" "$(json "$T/i.json" index_crc_ok)" "True"
check_eq "info: nothing missing" "$(json "$T/i.json" missing_bytes)" "0"
mkdir -p "$T/out"
# refused blocks make the dump suspect: saved, exit 6
check_rc "save (refused blocks: exit 6)" 6 "$RAWDUMP" save "$part" -o "$T/out" --name v
readelf -h "$T/out/v" > "$T/h" 2>&1
grep -q "Number of program headers: *65535 (70001)" "$T/h" && pass "e_phnum = PN_XNUM, sh_info = 70001" ||
	fail "e_phnum = PN_XNUM" "$(grep -i 'program headers' "$T/h")"
check_eq "readelf lists 70000 PT_LOADs" "$(readelf -lW "$T/out/v" 2>/dev/null | grep -c '^  LOAD')" "70000"
"$RAWDUMP" info "$T/out/v" --json > "$T/e.json" 2>&1
check_eq "rawdump reads the PN_XNUM vmcore back" "$(json "$T/e.json" mem_bytes)" "$((70000 * 4096))"
check_eq "release from VMCOREINFO" "$(json "$T/e.json" kernel_release)" "6.1.0-xnum"
python3 - "$T/out/v" <<'EOF' > "$T/c" 2>&1
import struct, sys
d = open(sys.argv[1], 'rb').read()
phoff, shoff = struct.unpack_from('<Q', d, 32)[0], struct.unpack_from('<Q', d, 40)[0]
n = struct.unpack_from('<I', d, shoff + 44)[0]
bad = 0
for k in range(1, n):
    t, fl, off, va, pa, fs, ms, al = struct.unpack_from('<IIQQQQQQ', d, phoff + 56 * k)
    i = (pa - 0x100000) // 0x2000
    want = bytes(((i * 7 + j) & 0xff) or 1 for j in range(4096)) if i % 1000 == 7 else bytes(4096)
    if d[off:off + fs].ljust(fs, b'\0') != want or va != 0xffff888000100000 + i * 0x2000:
        bad += 1
print(bad)
EOF
check_eq "every PT_LOAD holds the right bytes" "$(cat "$T/c")" "0"
