#!/bin/bash
# tests/t-save-tamper.sh - block headers and payloads changed so that only
# a checksum can tell: a flipped byte in a header field no other check
# reads (RAW, ZLIB, LZ4, ZSTD, ZERO, EXCLUDED, END blocks), a ZLIB payload
# replaced by another valid stream of the same length, a block of an older
# dump (another dump_id) in the middle of the stream, a wrong index_crc in
# END. Each must be noticed: exit 6 and exactly the named memory missing.
# These are the checks `make mutate` disables one at a time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/part.sh"
part_sim_setup

seed=400
# --- a changed block header of each kind: only its header checksum sees it ---
# aux[1] (header offset 56) means nothing outside LOST blocks, so no other
# check notices a flipped byte there. The header checksum must: the block
# is dropped and exactly its memory is reported missing (exit 6). A reader
# that took the header would report no missing memory (the index crc,
# chained over the changed header, only makes the dump "suspect").
for t in 1:none:RAW 2:zlib:ZLIB 7:lz4:LZ4 9:zstd:ZSTD 3:none:ZERO 8:none:EXCLUDED 5:none:END; do
	type=${t%%:*}; rest=${t#*:}; comp=${rest%%:*}; name=${rest#*:}
	seed=$((seed + 1))
	fresh
	filt=(); [ "$name" = EXCLUDED ] && filt=(--fake-filter 5:31)
	"$SIM" write "$part" --pattern $seed $R --comp $comp "${filt[@]}" --quiet >/dev/null 2>&1
	victim=$(blocks "$part" | awk -v t="$type" '$2 == t { n++; if (n == 2 || t == 5) print }' | head -n 1)
	read -r voff vtype vpaddr vmem vstored vkind <<< "$victim"
	if [ -z "$victim" ]; then
		fail "$name header: a block to change" "no $name block"
		continue
	fi
	flip "$part" $((voff + 56))
	check_rc "$name header changed: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name "hdr-$name"
	if [ "$name" = END ]; then
		# no END taken: the capture counts as not finished
		"$RAWDUMP" info "$part" --json > "$T/i.json" 2>/dev/null
		check_eq "END header changed: END not taken" "$(json "$T/i.json" complete)" "False"
	elif [ "$name" = EXCLUDED ]; then
		# the list is refused whole: its excluded pages become missing
		n_miss=$(grep -c 'missing 0x' "$T/.out")
		[ "$n_miss" -ge 1 ] && pass "EXCLUDED header changed: the list is refused ($n_miss ranges missing)" ||
			fail "EXCLUDED header changed: the list is refused" "$(tail -n 3 "$T/.out" | tr '\n' ' ')"
	else
		want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
		if grep -q "$want" "$T/.out"; then
			check_eq "$name header changed: exactly its block missing" "$(grep -c 'missing 0x' "$T/.out")" 1
		else
			fail "$name header changed: exactly its block missing" \
				"wanted '$want': $(grep missing "$T/.out" | head -3 | tr '\n' ' ')"
		fi
	fi
	check "$name header changed: the rest is saved" "$SIM" verify "$out/hdr-$name" --pattern $seed $R \
		"${filt[@]}" --allow-missing
done

# --- a ZLIB payload that inflates cleanly to other bytes ---
# zlib's own adler32 catches a flipped byte; it cannot catch a payload
# replaced by another valid stream of the same length (one memory byte
# changed, recompressed). Only the block's checksums see that.
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --comp zlib --quiet >/dev/null 2>&1
victim=$(blocks "$part" | awk '$2 == 2 { n++; if (n == 3) print }')
read -r voff vtype vpaddr vmem vstored vkind <<< "$victim"
if python3 - "$part" "$voff" "$vstored" <<'PY'
import sys, zlib
path, off, n = sys.argv[1], int(sys.argv[2]) + 64, int(sys.argv[3])
with open(path, 'r+b') as f:
    f.seek(off); old = f.read(n)
    mem = bytearray(zlib.decompress(old))
    for i in range(len(mem) // 2, len(mem), 61):
        for lvl in range(1, 10):
            m = bytearray(mem); m[i] ^= 0x01
            z = zlib.compress(bytes(m), lvl)
            if len(z) == n and z != old:
                f.seek(off); f.write(z); sys.exit(0)
sys.exit("no same-length stream found")
PY
then
	check_rc "ZLIB payload replaced by another valid stream: save exits 6" 6 \
		"$RAWDUMP" save "$part" -o "$out" --name zlib-swap
	want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
	grep -q "$want.*corrupt" "$T/.out" && pass "ZLIB payload replaced: exactly its block reported corrupt" ||
		fail "ZLIB payload replaced: exactly its block reported corrupt" "wanted '$want': $(grep missing "$T/.out" | head -3 | tr '\n' ' ')"
	check "ZLIB payload replaced: the rest is saved" "$SIM" verify "$out/zlib-swap" --pattern $seed $R --allow-missing
else
	fail "ZLIB payload replaced by another valid stream" "could not make one"
fi

# --- a flipped payload byte: RAW (nothing else checks it), LZ4 and ZSTD
# (they may decode to other bytes: no frame checksum) ---
for t in 1:none:RAW 7:lz4:LZ4 9:zstd:ZSTD; do
	type=${t%%:*}; rest=${t#*:}; comp=${rest%%:*}; name=${rest#*:}
	seed=$((seed + 1))
	fresh
	"$SIM" write "$part" --pattern $seed $R --comp $comp --quiet >/dev/null 2>&1
	victim=$(blocks "$part" | awk -v t="$type" '$2 == t && $5 > 1000 { n++; if (n == 2) print }')
	read -r voff vtype vpaddr vmem vstored vkind <<< "$victim"
	flip "$part" $((voff + 64 + vstored / 2))
	check_rc "$name payload byte flipped: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name "pay-$name"
	want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
	grep -q "$want.*corrupt" "$T/.out" && pass "$name payload byte flipped: its block reported corrupt" ||
		fail "$name payload byte flipped: its block reported corrupt" "wanted '$want': $(grep missing "$T/.out" | head -3 | tr '\n' ' ')"
done

# The remaining cases re-seal what they change, so only the check named
# can object: the dumps use CRC-32 blocks (python's zlib.crc32).
# reseal IMG OFF LEN: CRC-32 of [OFF, OFF+LEN) with its last 4 bytes zero, stored there
reseal() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, off, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'r+b') as f:
    f.seek(off); b = bytearray(f.read(n))
    b[n - 4:] = b'\0\0\0\0'
    struct.pack_into('<I', b, n - 4, zlib.crc32(bytes(b)) & 0xffffffff)
    f.seek(off); f.write(b)
PY
}
# put IMG OFF FMT VALUE: struct.pack FMT VALUE at OFF
put() {
	python3 -c 'import struct,sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); f.write(struct.pack(sys.argv[3], int(sys.argv[4], 0)))' "$@"
}

# --- a block of another dump (dump_id differs, header valid) ---
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --csum crc32 --quiet >/dev/null 2>&1
victim=$(blocks "$part" | awk '$2 == 1 { n++; if (n == 4) print }')
read -r voff vtype vpaddr vmem vstored vkind <<< "$victim"
put "$part" $((voff + 8)) '<Q' 0x0123456789abcdef
reseal "$part" "$voff" 64
check_rc "a block of another dump: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name other-id
want=$(printf 'missing 0x%016x-0x%016x' "$vpaddr" $((vpaddr + vmem - 1)))
grep -q "$want" "$T/.out" && pass "a block of another dump: not taken, its memory missing" ||
	fail "a block of another dump: not taken, its memory missing" "wanted '$want': $(grep missing "$T/.out" | head -3 | tr '\n' ' ')"

# --- a dump header of another dump than the partition header names ---
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --csum crc32 --quiet >/dev/null 2>&1
put "$part" 64 '<Q' 0x0123456789abcdef	# partition header dump_id
reseal "$part" 0 256
check_rc "partition header names another dump: refused (7)" 7 "$RAWDUMP" save "$part" -o "$out" --name other-hdr
grep -q "is not the partition's dump" "$T/.out" && pass "partition header names another dump: says so" ||
	fail "partition header names another dump: says so" "$(tail -n 2 "$T/.out" | tr '\n' ' ')"

# --- END: a wrong index_crc (END re-sealed), a changed END payload byte ---
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --csum crc32 --quiet >/dev/null 2>&1
cp "$part" "$T/end.orig"
read -r eoff etype epaddr emem estored ekind <<< "$(blocks "$part" | awk '$2 == 5')"
put "$part" $((eoff + 64 + 52)) '<I' 0x12345678	# index_crc
python3 - "$part" "$eoff" "$estored" <<'PY'
import struct, sys, zlib
path, off, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'r+b') as f:
    f.seek(off + 64); pay = f.read(n)
    f.seek(off + 44); f.write(struct.pack('<I', zlib.crc32(pay) & 0xffffffff))	# stored_crc
PY
reseal "$part" "$eoff" 64
check_rc "END with a wrong index_crc: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name bad-index
grep -q "block count ok, index crc wrong" "$T/.out" && pass "END with a wrong index_crc: says so" ||
	fail "END with a wrong index_crc: says so" "$(tail -n 2 "$T/.out" | tr '\n' ' ')"
"$RAWDUMP" info "$part" --json > "$T/i.json" 2>/dev/null
check_eq "END with a wrong index_crc: END taken, index_crc_ok false" \
	"$(json "$T/i.json" complete) $(json "$T/i.json" index_crc_ok)" "True False"
cp "$T/end.orig" "$part"
flip "$part" $((eoff + 64 + 40))	# elapsed_us: read by nothing but info
check_rc "END payload changed: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name bad-end
"$RAWDUMP" info "$part" --json > "$T/i.json" 2>/dev/null
check_eq "END payload changed: END not taken" "$(json "$T/i.json" complete)" "False"

# --- EXCLUDED list: one run's class changed to another valid class ---
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --fake-filter 5:31 --quiet >/dev/null 2>&1
read -r xoff xtype xpaddr xmem xstored xkind <<< "$(blocks "$part" | awk '$2 == 8 { print; exit }')"
python3 - "$part" "$xoff" <<'PY'
import struct, sys
with open(sys.argv[1], 'r+b') as f:
    o = int(sys.argv[2]) + 64 + 12	# class of the first run
    f.seek(o); c, = struct.unpack('<I', f.read(4))
    f.seek(o); f.write(struct.pack('<I', 0x10 if c == 0x8 else 0x8))
PY
check_rc "EXCLUDED run class changed: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name bad-excl
grep -q "missing 0x" "$T/.out" && pass "EXCLUDED run class changed: the list is refused, its pages missing" ||
	fail "EXCLUDED run class changed: the list is refused, its pages missing" "$(tail -n 2 "$T/.out" | tr '\n' ' ')"

# --- the range table changed (meta_crc not re-sealed) ---
seed=$((seed + 1))
fresh
"$SIM" write "$part" --pattern $seed $R --quiet >/dev/null 2>&1
roff=$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(4096+160), 4096+152)[0])' "$part")
flip "$part" $((roff + 8))	# vaddr of the first range: nothing else checks it
check_rc "range table changed: refused (7)" 7 "$RAWDUMP" save "$part" -o "$out" --name bad-meta
grep -q "fail their crc" "$T/.out" && pass "range table changed: says so" ||
	fail "range table changed: says so" "$(tail -n 2 "$T/.out" | tr '\n' ' ')"
