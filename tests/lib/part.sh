# tests/lib/part.sh - helpers for tests that take a rawdump partition image
# apart (sourced after tests/lib.sh): list its blocks, damage one byte.

# part_sim_setup: the opening of the tests that write dumps with rawdump-sim
# into one image file: needs python3 and the built tools; $part, $out, $R
# (two ranges), json FILE KEY (one key of a JSON file), fresh [SIZE] (a
# newly formatted $part, 24M unless SIZE).
part_sim_setup() {
	need python3
	[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }
	part=$T/part.img
	out=$T/out; mkdir -p "$out"
	R="--range 0x100000:3M --range 0x1000000:1M"
}
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }
fresh() { rm -f "$part"; truncate -s "${1:-24M}" "$part"; "$RAWDUMP" format "$part" >/dev/null || fail "format $part"; }
# blocks IMG: "off type paddr mem_len stored_len kind" for each block of the dump
blocks() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
dump_id = struct.unpack_from('<Q', d, 4096 + 16)[0]
data_off = struct.unpack_from('<Q', d, 4096 + 176)[0]
for off in range(data_off, len(d) - 64, 512):
    if d[off:off + 4] != b'RDBK':
        continue
    typ, flags, did, seq, paddr, mem, stored = struct.unpack_from('<HHQQQQI', d, off + 4)
    if did == dump_id:
        print(off, typ, paddr, mem, stored, (flags >> 8) & 15)
EOF
}
# flip IMG OFFSET: invert one byte
flip() {
	python3 - "$1" "$2" <<'EOF'
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))
EOF
}
# part_span DISK N: "OFFSET SIZE" in bytes of partition N of DISK's table
part_span() {
	sfdisk -d "$1" | awk -F'[=,]' -v n="$2" '$0 ~ "^[^ ]*[^0-9 ]" n " :" { printf "%.0f %.0f\n", $2 * 512, $4 * 512 }'
}
# same_outside DISK COPY N: true when COPY holds DISK's bytes everywhere
# outside partition N (prints cmp's first difference when not)
same_outside() {
	local off size
	read -r off size < <(part_span "$1" "$3")
	[ -n "$off" ] || { echo "same_outside: no partition $3 in $1"; return 1; }
	cmp -n "$off" "$2" "$1" && cmp -i $((off + size)) "$2" "$1"
}
