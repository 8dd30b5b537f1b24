#!/bin/bash
# tests/t-save-csum.sh - format v2 checksum kinds, LZ4 and zstd through the real
# writer (rawdump-sim) and `rawdump save`:
#   - every checksum kind x compression round trips byte for byte;
#   - a flipped byte in the payload of a RAW, a ZLIB, an LZ4 and a ZSTD block is
#     found at save under every checksum kind: exit 6, exactly that block's
#     memory reported corrupt, the rest saved;
#   - a version 1 dump (CRC-32 only) still saves; v1 blocks claiming
#     another kind are refused;
#   - save --format kdump of an LZ4 dump writes zlib pages (crash cannot
#     read LZ4), and they decode to the same memory; of a zstd dump it
#     writes zstd pages (status 0x20, crash reads them), same memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/part.sh"
part_sim_setup

# --- round trips: every kind x compression ---
seed=40
for cs in crc32 crc32c xxh64; do
	kind=$(case $cs in crc32) echo 0 ;; crc32c) echo 1 ;; xxh64) echo 2 ;; esac)
	for comp in none zlib lz4 zstd; do
		seed=$((seed + 1))
		fresh
		"$SIM" write "$part" --pattern $seed $R --comp $comp --csum $cs --quiet >/dev/null 2>&1
		check_rc "$comp/$cs: save" 0 "$RAWDUMP" save "$part" -o "$out" --name "rt-$comp-$cs"
		check "$comp/$cs: saved memory equals the pattern" "$SIM" verify "$out/rt-$comp-$cs" --pattern $seed $R
		"$RAWDUMP" info "$part" --json > "$T/i.json"
		check_eq "$comp/$cs: info names the kinds" \
			"$(json "$T/i.json" compression) $(json "$T/i.json" checksum) $(json "$T/i.json" index_crc_ok)" \
			"$comp $cs True"
		blocks "$part" > "$T/b"
		check_eq "$comp/$cs: every block header carries kind $kind" \
			"$(awk -v k=$kind '$6 != k' "$T/b" | wc -l)" 0
	done
done
# the lz4 dump holds both LZ4 blocks and RAW ones (random pages LZ4 cannot shrink by a sector)
fresh
"$SIM" write "$part" --pattern 60 $R --comp lz4 --quiet >/dev/null 2>&1
blocks "$part" > "$T/b"
check_eq "lz4 dump: LZ4 and RAW blocks present" \
	"$(awk '$2 == 7 { l = 1 } $2 == 1 { r = 1 } END { print l + 0, r + 0 }' "$T/b")" "1 1"
check_eq "default checksum kind is xxh64" "$("$RAWDUMP" info "$part" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["checksum"])')" "xxh64"

# --- a corrupt payload of each block type, under each checksum kind ---
for cs in crc32 crc32c xxh64; do
	for t in 1:none:RAW 2:zlib:ZLIB 7:lz4:LZ4 9:zstd:ZSTD; do
		type=${t%%:*}; rest=${t#*:}; comp=${rest%%:*}; name=${rest#*:}
		seed=$((seed + 1))
		fresh
		"$SIM" write "$part" --pattern $seed $R --comp $comp --csum $cs --quiet >/dev/null 2>&1
		victim=$(blocks "$part" | awk -v t=$type '$2 == t && $5 > 1000 { n++ } $2 == t && $5 > 1000 && n == 3 { print }')
		read -r voff vtype vpaddr vmem vstored vkind <<< "$victim"
		if [ -z "$victim" ]; then
			fail "$name/$cs: a block to corrupt" "no $name block"
			continue
		fi
		flip "$part" $((voff + 64 + vstored / 3))
		check_rc "$name/$cs corrupt payload: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name "bad-$name-$cs"
		want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
		grep -q "$want.*corrupt" "$T/.out" && pass "$name/$cs corrupt payload: exactly its block reported" ||
			fail "$name/$cs corrupt payload: exactly its block reported" "wanted '$want': $(grep missing "$T/.out" | head -3)"
		check_eq "$name/$cs corrupt payload: one range missing" "$(grep -c 'missing 0x' "$T/.out")" 1
		check "$name/$cs corrupt payload: the rest is saved" "$SIM" verify "$out/bad-$name-$cs" --pattern $seed $R --allow-missing
	done
done

# --- version 1: CRC-32 blocks read; other kinds refused ---
# set_v1 IMG: dump header version 1, csum_kind 0, header crc resealed
set_v1() {
	python3 - "$1" <<'EOF'
import struct, sys, zlib
with open(sys.argv[1], 'r+b') as f:
    f.seek(4096); h = bytearray(f.read(384))
    struct.pack_into('<I', h, 8, 1)
    struct.pack_into('<I', h, 240, 0)
    struct.pack_into('<I', h, 380, 0)
    struct.pack_into('<I', h, 380, zlib.crc32(bytes(h)))
    f.seek(4096); f.write(h)
EOF
}
fresh
"$SIM" write "$part" --pattern 70 $R --comp zlib --csum crc32 --quiet >/dev/null 2>&1
set_v1 "$part"
check_rc "version 1 dump (CRC-32, zlib): save" 0 "$RAWDUMP" save "$part" -o "$out" --name v1
check "version 1 dump: saved memory equals the pattern" "$SIM" verify "$out/v1" --pattern 70 $R
fresh
"$SIM" write "$part" --pattern 71 $R --comp none --csum xxh64 --quiet >/dev/null 2>&1
set_v1 "$part"
"$RAWDUMP" info "$part" --json > "$T/v1.json" 2>&1
check_eq "version 1 header, XXH64 blocks: every block refused" "$(json "$T/v1.json" blocks)" 0

# --- kdump output: an LZ4 dump gets zlib pages (crash reads no LZ4), a
# zstd dump keeps zstd (header status and every compressed page's
# descriptor 0x20); the same memory either way ---
for k in 72:lz4:1 73:zstd:32; do
	seed=${k%%:*}; rest=${k#*:}; comp=${rest%%:*}; flag=${rest#*:}
	fresh
	"$SIM" write "$part" --pattern $seed $R --comp $comp --quiet >/dev/null 2>&1
	check_rc "$comp dump: save --format kdump" 0 "$RAWDUMP" save "$part" -o "$out" --format kdump --name $comp.kdump
	check_eq "kdump of a $comp dump: status $flag, compressed pages flagged $flag" "$(python3 - "$out/$comp.kdump" "$TOP/tests/guest/corecheck.py" <<'EOF'
import importlib.util, struct, sys
spec = importlib.util.spec_from_file_location("cc", sys.argv[2])
cc = importlib.util.module_from_spec(spec); spec.loader.exec_module(cc)
status = struct.unpack_from("<I", open(sys.argv[1], "rb").read(428), 424)[0]
print(status, sorted({f for _, _, _, f in cc.KdumpCore(sys.argv[1]).descs()} - {0}))
EOF
)" "$flag [$flag]"
	check_rc "$comp: kdump -> elf" 0 "$RAWDUMP" convert "$out/$comp.kdump" "$T/$comp.elf" --to elf
	check "kdump of a $comp dump: memory equals the pattern" "$SIM" verify "$T/$comp.elf" --pattern $seed $R
done
