#!/bin/bash
# tests/t-save-filter.sh - page filtering and kernel-first order (format v2)
# through the real writer with rawdump-sim's fake classifier (--fake-filter:
# classes from a hash of the frame number, five kernel-first extents that
# overlap, start unaligned and reach outside the ranges): exactly the pages
# the classifier named are left out, with their class, and are not missing;
# kept bytes are equal; the kernel-first extents are the first blocks; cut
# and truncated dumps keep them and count exactly; damaged EXCLUDED lists
# are refused; a format-version-1 dump still reads.
. "$(dirname "$0")/lib.sh"
need python3 gzip
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

part=$T/part.img
out=$T/out; mkdir -p "$out"
R="--range 0x1000:0x9f000 --range 0x100000:0xf00000"
F="--fake-filter 7:30"
fresh() { rm -f "$part"; truncate -s "$1" "$part"; "$RAWDUMP" format "$part" >/dev/null || fail "format $part"; }
# json FILE KEY[.KEY]: one member of `rawdump info --json` ("-" if null or absent)
json() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("-" if d is None else d)' "$1" "$2"
}
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
field() { sed -n "s/.*[ :]$2=\([0-9]*\).*/\1/p" "$1" | head -1; }

# layout IMG SIMOUT: walks the blocks of the dump in seq order and prints
#   pass1_blocks=N prio_bytes=B prio_covered=C order_ok=0|1 runs_ok=0|1
#   excl=cache,cache_pri,user,free excl_blocks=K blocks=M (not END/PAD)
# pass1 = the leading blocks inside the kernel-first set (the extents of
# SIMOUT clipped to the ranges); order_ok: no later data/zero block and no
# EXCLUDED run touches that set.
layout() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
ranges = [(0x1000, 0x1000 + 0x9f000), (0x100000, 0x100000 + 0xf00000)]
ext = []
for line in open(sys.argv[2]):
    if line.startswith('filter: extent '):
        a, n = (int(x, 16) for x in line.split()[2:4])
        ext.append((a & ~4095, (a + n + 4095) & ~4095))
prio = set()
for a, e in ext:
    for lo, hi in ranges:
        for p in range(max(a, lo), min(e, hi), 4096):
            prio.add(p)
dump_id = struct.unpack_from('<Q', d, 4096 + 16)[0]
off = struct.unpack_from('<Q', d, 4096 + 176)[0]
blocks = []
while off + 64 <= len(d):
    if d[off:off + 4] != b'RDBK':
        break
    typ, flags, did, seq, paddr, mem, stored = struct.unpack_from('<HHQQQQI', d, off + 4)
    if did != dump_id:
        break
    blocks.append((seq, typ, paddr, mem, d[off + 64:off + 64 + stored]))
    if typ == 5:
        break
    off += (64 + stored + 511) & ~511
pass1, covered, in_pass1 = 0, set(), True
order_ok, runs_ok = 1, 1
excl = [0] * 5
nexcl = 0
last_seq = -1
for seq, typ, paddr, mem, pay in blocks:
    if seq != last_seq + 1:
        order_ok = 0
    last_seq = seq
    if typ in (1, 2, 3, 7):
        pages = set(range(paddr & ~4095, paddr + mem, 4096))
        if in_pass1 and pages <= prio:
            pass1 += 1
            covered |= pages
            continue
        in_pass1 = False
        if pages & prio:
            order_ok = 0
    elif typ == 8:
        in_pass1 = False
        nexcl += 1
        prev = paddr
        for i in range(0, len(pay), 16):
            rp, n, c = struct.unpack_from('<QII', pay, i)
            if rp < prev or rp + n * 4096 > paddr + mem or bin(c).count('1') != 1:
                runs_ok = 0
            prev = rp + n * 4096
            excl[c.bit_length() - 1] += n
            if set(range(rp, rp + n * 4096, 4096)) & prio:
                runs_ok = 0
nblocks = sum(1 for b in blocks if b[1] not in (5, 6))
print('pass1_blocks=%d prio_bytes=%d prio_covered=%d order_ok=%d runs_ok=%d excl=%s excl_blocks=%d blocks=%d' %
      (pass1, len(prio) * 4096, len(covered) * 4096, order_ok, runs_ok,
       ','.join(str(x) for x in excl[1:]), nexcl, nblocks))
EOF
}

# --- a complete filtered dump ---
fresh 32M
"$SIM" write "$part" --pattern 3 $R $F --comp zlib > "$T/w.out" 2>&1
check_eq "filtered write: no classify() contract errors" "$?" 0
"$RAWDUMP" info "$part" --json > "$T/i.json"
check_eq "info: complete" "$(json "$T/i.json" complete)" True
check_eq "info: not partial (excluded is not missing)" "$(json "$T/i.json" partial)" False
check_eq "info: nothing missing" "$(json "$T/i.json" missing_bytes)" 0
check_eq "info: format version 2" "$(json "$T/i.json" format_version)" 2
check_eq "info: dump level asked" "$(json "$T/i.json" dump_level)" 31
check_eq "info: classes applied" "$(json "$T/i.json" filter_active)" 31
check_eq "info: kernel-first" "$(json "$T/i.json" kernel_first)" True
check_eq "info: index and count ok" "$(json "$T/i.json" index_crc_ok)/$(json "$T/i.json" block_count_ok)" True/True
want_counts=$(sed -n 's/^filter: .* cache=\([0-9]*\) cache_pri=\([0-9]*\) user=\([0-9]*\) free=\([0-9]*\).*/\1,\2,\3,\4/p' "$T/w.out")
got_counts=$(for c in cache cache_private user free; do json "$T/i.json" excluded_pages.$c; done | paste -sd,)
check_eq "info: per-class counts = the writer's" "$got_counts" "$want_counts"
check_rc "save of a complete filtered dump exits 0" 0 "$RAWDUMP" save "$part" -o "$out" --name full
check "kept pages equal, left-out pages exactly the classifier's" \
	"$SIM" verify "$out/full" --pattern 3 $R $F
v_counts=$(sed -n 's/^verify: excluded cache=\([0-9]*\) cache_pri=\([0-9]*\) user=\([0-9]*\) free=\([0-9]*\)/\1,\2,\3,\4/p' "$T/.out")
check_eq "classifier's per-class counts = the dump's" "$v_counts" "$got_counts"
lay=$(layout "$part" "$T/w.out")
check_eq "EXCLUDED runs on disk: valid, none in the kernel-first set, per-class counts" \
	"$(echo "$lay" | sed 's/.*\(runs_ok=[01] excl=[0-9,]*\).*/\1/')" "runs_ok=1 excl=$want_counts"
prio_bytes=$(echo "$lay" | sed 's/.*prio_bytes=\([0-9]*\).*/\1/')
check_eq "kernel-first extents are the first blocks, written whole, once" \
	"$(echo "$lay" | sed 's/.*prio_covered=\([0-9]*\) order_ok=\([01]\).*/\1 \2/')" "$prio_bytes 1"
check_eq "writer's priority bytes = the extents clipped to the ranges" "$(field "$T/w.out" priority)" "$prio_bytes"
pass1=$(echo "$lay" | sed 's/.*pass1_blocks=\([0-9]*\).*/\1/')
[ "$pass1" -gt 2 ] && pass "pass 1 has several blocks ($pass1)" || fail "pass 1 has several blocks" "$lay"

# one class only
fresh 32M
"$SIM" write "$part" --pattern 3 $R --fake-filter 9:16 > "$T/w2.out" 2>&1
"$RAWDUMP" info "$part" --json > "$T/i2.json"
check_eq "free only: classes applied (zero, free)" "$(json "$T/i2.json" filter_active)" 17
check_eq "free only: other classes kept" \
	"$(for c in cache cache_private user; do json "$T/i2.json" excluded_pages.$c; done | paste -sd,)" "0,0,0"
check_rc "free only: save exits 0" 0 "$RAWDUMP" save "$part" -o "$out" --name free
check "free only: verify" "$SIM" verify "$out/free" --pattern 3 $R --fake-filter 9:16

# no filter: today's dump, v2 headers
fresh 32M
"$SIM" write "$part" --pattern 3 $R > "$T/w3.out" 2>&1
"$RAWDUMP" info "$part" --json > "$T/i3.json"
check_eq "no filter: level 1, no filter, not kernel-first, nothing excluded" \
	"$(json "$T/i3.json" dump_level) $(json "$T/i3.json" filter_active) $(json "$T/i3.json" kernel_first) $(json "$T/i3.json" excluded_pages.total)" \
	"1 - False 0"
check_eq "no filter: no EXCLUDED block" "$(kv "$(layout "$part" "$T/w3.out")" excl_blocks)" 0
check_rc "no filter: save exits 0" 0 "$RAWDUMP" save "$part" -o "$out" --name plain
check "no filter: verify" "$SIM" verify "$out/plain" --pattern 3 $R

# --- cut short at several points: the kernel-first extents come first ---
for cut in 1 2 $((pass1 - 1)) $pass1 $((pass1 + 3)) 200; do
	fresh 32M
	"$SIM" write "$part" --pattern 3 $R $F --comp zlib --cut-after $cut > "$T/c.out" 2>&1
	"$RAWDUMP" info "$part" --json > "$T/c.json"
	check_eq "cut after $cut: partial, no END" "$(json "$T/c.json" partial) $(json "$T/c.json" complete)" "True False"
	lay=$(layout "$part" "$T/c.out")
	got=$(echo "$lay" | sed 's/.*prio_covered=\([0-9]*\) order_ok=\([01]\) runs_ok=\([01]\).*/\1 \2 \3/')
	if [ "$cut" -ge "$pass1" ]; then
		check_eq "cut after $cut: kernel-first extents all there, in order" "$got" "$prio_bytes 1 1"
	else
		check_eq "cut after $cut: blocks are kernel-first extents only" \
			"$(kv "$lay" pass1_blocks) $(kv "$lay" order_ok)" "$(kv "$lay" blocks) 1"
	fi
	ondisk=$(echo "$lay" | sed 's/.*excl=\([0-9,]*\).*/\1/')
	check_eq "cut after $cut: per-class counts from the lists on disk" \
		"$(for c in cache cache_private user free; do json "$T/c.json" excluded_pages.$c; done | paste -sd,)" "$ondisk"
	check_rc "cut after $cut: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name cut$cut
	check "cut after $cut: saved bytes right" "$SIM" verify "$out/cut$cut" --pattern 3 $R $F --allow-missing
done

# --- truncated: the partition fills up in pass 2 ---
fresh 2M
"$SIM" write "$part" --pattern 3 $R $F > "$T/t.out" 2>&1
"$RAWDUMP" info "$part" --json > "$T/t.json"
check_eq "truncated: END says so" "$(json "$T/t.json" truncated)" True
mem=$(json "$T/t.json" mem_bytes); dat=$(json "$T/t.json" data_bytes)
zer=$(json "$T/t.json" zero_bytes); exc=$(( $(json "$T/t.json" excluded_pages.total) * 4096 ))
check_eq "truncated: END missing = memory - data - zero - excluded" \
	"$(json "$T/t.json" truncated_bytes)" "$((mem - dat - zer - exc))"
check_eq "truncated: reader's missing = END's" "$(json "$T/t.json" missing_bytes)" "$(json "$T/t.json" truncated_bytes)"
check_eq "truncated: writer's missing = END's" "$(field "$T/t.out" missing)" "$(json "$T/t.json" truncated_bytes)"
check_eq "truncated: kernel-first extents all there" \
	"$(layout "$part" "$T/t.out" | sed 's/.*prio_covered=\([0-9]*\) order_ok=\([01]\).*/\1 \2/')" "$prio_bytes 1"
check_rc "truncated: save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name trunc
check "truncated: saved bytes right" "$SIM" verify "$out/trunc" --pattern 3 $R $F --allow-missing

# --- damaged EXCLUDED lists ---
# damage IMG MODE: MODE payload = flip a byte of the first list's payload;
# MODE class = give its first run two class bits, with valid checksums
damage() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys, zlib
path, mode = sys.argv[1], sys.argv[2]
d = bytearray(open(path, 'rb').read())
off = struct.unpack_from('<Q', d, 4096 + 176)[0]
while d[off:off + 4] == b'RDBK':
    typ = struct.unpack_from('<H', d, off + 4)[0]
    stored = struct.unpack_from('<I', d, off + 40)[0]
    if typ == 8:
        print(struct.unpack_from('<Q', d, off + 64)[0])
        if mode == 'payload':
            d[off + 64 + 5] ^= 0x40
        else:
            struct.pack_into('<I', d, off + 64 + 12, 0x6)
            struct.pack_into('<I', d, off + 44, zlib.crc32(bytes(d[off + 64:off + 64 + stored])))
            struct.pack_into('<I', d, off + 60, 0)
            struct.pack_into('<I', d, off + 60, zlib.crc32(bytes(d[off:off + 64])))
        open(path, 'wb').write(d)
        sys.exit(0)
    off += (64 + stored + 511) & ~511
sys.exit(1)
EOF
}
for mode in payload class; do
	fresh 32M
	# CRC-32 blocks: damage() re-seals with zlib.crc32
	"$SIM" write "$part" --pattern 3 $R $F --csum crc32 --quiet >/dev/null 2>&1
	run0=$(damage "$part" $mode) || fail "damage $mode: a list found"
	"$RAWDUMP" info "$part" --json > "$T/d.json"
	case $mode in
	payload) key=corrupt_blocks ;;
	class) key=rejected_blocks ;;
	esac
	check_eq "bad list ($mode): refused ($key)" "$(json "$T/d.json" $key)" 1
	check_eq "bad list ($mode): partial" "$(json "$T/d.json" partial)" True
	check_rc "bad list ($mode): save exits 6" 6 "$RAWDUMP" save "$part" -o "$out" --name bad$mode
	check_eq "bad list ($mode): its first run reported missing" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); p = int(sys.argv[2])
print(any(int(m["paddr"], 16) <= p < int(m["paddr"], 16) + m["size"] for m in d["missing"]))' "$T/d.json" "$run0")" True
done

# --- a format-version-1 dump (tests/data/v1-dump.img.gz) still reads ---
gzip -dc "$TOP/tests/data/v1-dump.img.gz" > "$T/v1.img"
"$RAWDUMP" info "$T/v1.img" --json > "$T/v1.json"
check_eq "v1 dump: version, complete, not partial" \
	"$(json "$T/v1.json" format_version) $(json "$T/v1.json" complete) $(json "$T/v1.json" partial)" "1 True False"
check_rc "v1 dump: save exits 0" 0 "$RAWDUMP" save "$T/v1.img" -o "$out" --name v1
check "v1 dump: saved bytes right" "$SIM" verify "$out/v1" --pattern 5 --range 0x100000:0x10000 --range 0x200000:0x4000
