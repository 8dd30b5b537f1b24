#!/bin/bash
# tests/t-conv-roundtrip.sh - `rawdump convert` between ELF, LKCD and
# kdump-compressed on a simulated capture (rawdump-sim runs the real writer
# into a partition image: pattern memory, a kernel-text alias range, 3 CPUs).
# Every memory byte survives partition -> X -> ELF for X in elf, lcrash,
# kdump and the cross conversions; the notes survive byte for byte; headers
# carry the documented fields; output rules (0600, no overwrite, no symlink
# following) and hostile inputs (truncated, corrupted files) behave.
# Cost: about a minute (two on a busy machine), mostly byte comparisons.
. "$(dirname "$0")/lib.sh"
need python3 readelf
for f in "$RAWDUMP" "$SIM"; do
	[ -x "$f" ] || { fail "build" "$f missing (run make)"; exit 1; }
done

SEED=7
RANGES=(--range 0x100000:8M --range 0x2000000:3M --range 0x3000000:100K)
P=$T/part.img
truncate -s 64M "$P"
check "format" "$RAWDUMP" format "$P" --force
check "simulated capture" "$SIM" write "$P" --pattern $SEED "${RANGES[@]}" \
	--kernel-text 0x100000:2M --cpus 3 --release 6.1.0-conv --quiet

# memcmp A B: every byte of every non-alias PT_LOAD of ELF A is in ELF B at
# the same physical address (B may split or merge ranges).
memcmp() {
	python3 - "$1" "$2" <<'EOF'
import mmap, struct, sys
def loads(path):
    f = open(path, 'rb'); mm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    phoff, = struct.unpack_from('<Q', mm, 32); phentsize, phnum = struct.unpack_from('<HH', mm, 54)
    segs = []
    for i in range(phnum):
        t, fl, off, va, pa, fsz, msz, al = struct.unpack_from('<IIQQQQQQ', mm, phoff + i * phentsize)
        if t == 1: segs.append((pa, off, fsz, msz, va))
    return mm, segs
def read(mm, segs, pa, n):
    for p, off, fsz, msz, va in segs:
        if p <= pa and pa + n <= p + msz:
            o = pa - p
            d = mm[off + o: off + min(o + n, fsz)] if o < fsz else b''
            return d + bytes(n - len(d))
    return None
a, sa = loads(sys.argv[1]); b, sb = loads(sys.argv[2])
total = 0
for p, off, fsz, msz, va in sa:
    if va >= 0xffffffff80000000: continue     # kernel-text alias of RAM
    pos = 0
    while pos < msz:
        n = min(1 << 20, msz - pos)
        x = read(a, sa, p + pos, n); y = read(b, sb, p + pos, n)
        if y is None: sys.exit("0x%x+0x%x not in %s" % (p + pos, n, sys.argv[2]))
        if x != y: sys.exit("bytes differ in 0x%x+0x%x" % (p + pos, n))
        pos += n; total += n
if total == 0: sys.exit("no memory compared")
print("identical", total)
EOF
}
# notes FILE: hex of the PT_NOTE contents
notes() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', d, 32); phentsize, phnum = struct.unpack_from('<HH', d, 54)
for i in range(phnum):
    t, fl, off, va, pa, fsz, msz, al = struct.unpack_from('<IIQQQQQQ', d, phoff + i * phentsize)
    if t == 4: print(d[off:off + fsz].hex())
EOF
}
# field FILE OFFSET FMT: one little-endian field (struct format) of a file
field() {
	python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); v=struct.unpack_from(sys.argv[3],d,int(sys.argv[2]))[0]; print(v.rstrip(b"\0").decode() if isinstance(v,bytes) else v)' "$1" "$2" "$3"
}
mode() { stat -c %a "$1"; }

for f in elf lcrash kdump; do
	check_rc "partition -> $f" 0 "$RAWDUMP" convert "$P" "$T/o.$f" --to $f
	check_eq "$f output mode" "$(mode "$T/o.$f")" 600
done
check "partition -> elf: every pattern byte" "$SIM" verify "$T/o.elf" --pattern $SEED "${RANGES[@]}"
for f in lcrash kdump; do
	check_rc "$f -> elf" 0 "$RAWDUMP" convert "$T/o.$f" "$T/b.$f.elf" --to elf
	check "$f -> elf: every pattern byte" "$SIM" verify "$T/b.$f.elf" --pattern $SEED "${RANGES[@]}"
	check "$f -> elf: same bytes as the direct ELF" memcmp "$T/o.elf" "$T/b.$f.elf"
	check_eq "$f -> elf: notes byte-identical" "$(notes "$T/b.$f.elf" | md5sum)" "$(notes "$T/o.elf" | md5sum)"
	check "$f -> elf: the very file partition -> elf gives (notes, ranges, vaddrs)" cmp "$T/o.elf" "$T/b.$f.elf"
done
check_rc "lcrash -> kdump" 0 "$RAWDUMP" convert "$T/o.lcrash" "$T/x.kdump" --to kdump
check_rc "kdump -> lcrash" 0 "$RAWDUMP" convert "$T/o.kdump" "$T/x.lcrash" --to lcrash
for f in kdump lcrash; do
	check_rc "x.$f -> elf" 0 "$RAWDUMP" convert "$T/x.$f" "$T/x.$f.elf" --to elf
	check "cross $f: same bytes" memcmp "$T/o.elf" "$T/x.$f.elf"
done
check_rc "elf -> lcrash" 0 "$RAWDUMP" convert "$T/o.elf" "$T/e.lcrash" --to lcrash
check "elf -> lcrash equals partition -> lcrash" cmp "$T/e.lcrash" "$T/o.lcrash"

# Headers, as crash reads them (dump-formats.md).
L=$T/o.lcrash K=$T/o.kdump
check_eq "LKCD magic" "$(field "$L" 0 '<Q')" 12112714267859297261
check_eq "LKCD version" "$(field "$L" 8 '<I')" 8
check_eq "LKCD header size" "$(field "$L" 12 '<I')" 734
check_eq "LKCD compression GZIP" "$(field "$L" 722 '<I')" 2
check_eq "LKCD utsname.release" "$(field "$L" $((324 + 130)) '65s')" 6.1.0-conv
check_eq "LKCD arch magic" "$(field "$L" 734 '<Q')" $((0xdeaddead))
check_eq "LKCD arch cpus" "$(field "$L" $((734 + 184)) '<I')" 3
check_eq "LKCD arch header size" "$(field "$L" $((734 + 12)) '<I')" $((192 + 3 * 192))
npages=$(field "$L" 48 '<I')
check_eq "LKCD num_pages (RAM pages, alias dropped)" "$npages" $((2048 + 768 + 25))
check_eq "kdump signature" "$(field "$K" 0 '8s')" "KDUMP   "
check_eq "kdump header version" "$(field "$K" 8 '<i')" 6
check_eq "kdump status zlib" "$(field "$K" 424 '<I')" 1
check_eq "kdump block size" "$(field "$K" 428 '<i')" 4096
check_eq "kdump nr_cpus" "$(field "$K" 460 '<i')" 3
check_eq "kdump max_mapnr" "$(field "$K" 440 '<I')" $(((0x3000000 + 100 * 1024 + 4095) / 4096))

# Output rules.
echo keep >"$T/exists"
check_rc "existing output refused (3)" 3 "$RAWDUMP" convert "$P" "$T/exists" --to kdump
check_eq "existing output untouched" "$(cat "$T/exists")" keep
ln -s "$T/victim" "$T/link"
check_rc "symlink output refused (3)" 3 "$RAWDUMP" convert "$P" "$T/link" --to lcrash
check_not "symlink target not created" test -e "$T/victim"
check_rc "missing input (2)" 2 "$RAWDUMP" convert "$T/nonexistent" "$T/n1" --to elf
head -c 1M /dev/urandom >"$T/junk"
check_rc "junk input (4)" 4 "$RAWDUMP" convert "$T/junk" "$T/n2" --to elf
check_rc "bad --to (1)" 1 "$RAWDUMP" convert "$P" "$T/n3" --to tiff
check_eq "no temp files left" "$(ls -A "$T" | grep -c '\.tmp$')" 0

# Hostile inputs: cut files and a corrupted page read as partial, never
# as wrong bytes.
size=$(stat -c %s "$L")
head -c $((size / 2)) "$L" >"$T/cut.lcrash"
check_rc "cut LKCD -> elf is partial (6)" 6 "$RAWDUMP" convert "$T/cut.lcrash" "$T/cut.l.elf" --to elf
check "cut LKCD: present bytes right" "$SIM" verify "$T/cut.l.elf" --pattern $SEED "${RANGES[@]}" --allow-missing
# cut inside the header area (dump header, arch header, extension: the
# first 64 KiB): the reader parses only the bytes the file has. Under
# valgrind, reading past them (uninitialised memory) exits 9.
need valgrind
for cut in 800 1400; do
	head -c $cut "$L" >"$T/short$cut.lcrash"
	check_rc "LKCD cut at $cut bytes: info reads only what is there (valgrind)" 0 \
		valgrind -q --error-exitcode=9 "$RAWDUMP" info "$T/short$cut.lcrash"
	grep -q "^dump: .*, partial" "$T/.out" && pass "LKCD cut at $cut bytes: info says partial" ||
		fail "LKCD cut at $cut bytes: info says partial" "$(grep '^dump:' "$T/.out")"
done
size=$(stat -c %s "$K")
head -c $((size / 2)) "$K" >"$T/cut.kdump"
check_rc "cut kdump -> elf is partial (6)" 6 "$RAWDUMP" convert "$T/cut.kdump" "$T/cut.k.elf" --to elf
check "cut kdump: present bytes right" "$SIM" verify "$T/cut.k.elf" --pattern $SEED "${RANGES[@]}" --allow-missing
# corrupt the zlib stream of the first compressed LKCD page record
off=$(python3 - "$L" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read(); o = 65536
while True:
    a, s, f = struct.unpack_from('<QII', d, o)
    if f & 4: sys.exit("no compressed page")
    if f & 2: print(o + 16 + s // 2); break
    o += 16 + s
EOF
)
cp "$L" "$T/bad.lcrash"
printf '\x55\xaa\x55\xaa' | dd of="$T/bad.lcrash" bs=1 seek="$off" conv=notrunc status=none
check_rc "corrupt LKCD page -> elf is partial (6)" 6 "$RAWDUMP" convert "$T/bad.lcrash" "$T/bad.l.elf" --to elf
check "corrupt LKCD page: other bytes right" "$SIM" verify "$T/bad.l.elf" --pattern $SEED "${RANGES[@]}" --allow-missing
# header fields that would make a naive reader allocate or seek wildly
cp "$K" "$T/bad.kdump"
printf '\xff\xff\xff\x7f' | dd of="$T/bad.kdump" bs=1 seek=436 conv=notrunc status=none
check_rc "kdump with absurd bitmap_blocks refused (4)" 4 "$RAWDUMP" convert "$T/bad.kdump" "$T/n4" --to elf
cp "$L" "$T/bad2.lcrash"
printf '\xff\xff\xff\x7f' | dd of="$T/bad2.lcrash" bs=1 seek=$((734 + 12)) conv=notrunc status=none
check_rc "LKCD with absurd arch header size still reads (0)" 0 "$RAWDUMP" convert "$T/bad2.lcrash" "$T/b2.elf" --to elf
check "LKCD without arch header: bytes right" "$SIM" verify "$T/b2.elf" --pattern $SEED "${RANGES[@]}"

# A capture cut short by the simulator: the partial state carries through.
P2=$T/part2.img
truncate -s 64M "$P2"
"$RAWDUMP" format "$P2" --force >/dev/null
"$SIM" write "$P2" --pattern $SEED "${RANGES[@]}" --cpus 2 --cut-after 300 --quiet >/dev/null 2>&1
check_rc "cut capture -> kdump is partial (6)" 6 "$RAWDUMP" convert "$P2" "$T/p.kdump" --to kdump
check_eq "kdump INCOMPLETE flag" "$(( $(field "$T/p.kdump" 424 '<I') & 8 ))" 8
check_rc "cut capture -> lcrash is partial (6)" 6 "$RAWDUMP" convert "$P2" "$T/p.lcrash" --to lcrash
check_rc "partial lcrash -> elf still partial (6)" 6 "$RAWDUMP" convert "$T/p.lcrash" "$T/p.elf" --to elf
check "partial: present bytes right" "$SIM" verify "$T/p.elf" --pattern $SEED "${RANGES[@]}" --allow-missing

# Many CPUs: the arch header and notes no longer fit below 64 KiB, so the
# LKCD file is v9 with its pages after dump_buffer_size.
P3=$T/part3.img
truncate -s 16M "$P3"
"$RAWDUMP" format "$P3" --force >/dev/null
check "simulated capture, 300 CPUs" "$SIM" write "$P3" --pattern $SEED --range 0x100000:1M --cpus 300 --quiet
check_rc "300 CPUs -> elf" 0 "$RAWDUMP" convert "$P3" "$T/v9.elf" --to elf
check_rc "300 CPUs -> lcrash" 0 "$RAWDUMP" convert "$P3" "$T/v9.lcrash" --to lcrash
check_eq "LKCD v9 chosen" "$(field "$T/v9.lcrash" 8 '<I')" 9
check_eq "LKCD v9 header size" "$(field "$T/v9.lcrash" 12 '<I')" 742
check_eq "LKCD v9 dump_buffer_size" "$(( $(field "$T/v9.lcrash" 734 '<Q') % 65536 ))" 0
check_eq "LKCD v9 arch cpus" "$(field "$T/v9.lcrash" $((742 + 184)) '<I')" 300
check_rc "v9 lcrash -> elf" 0 "$RAWDUMP" convert "$T/v9.lcrash" "$T/v9.back.elf" --to elf
check "v9 lcrash -> elf: the same file" cmp "$T/v9.elf" "$T/v9.back.elf"
