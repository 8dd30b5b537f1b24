#!/bin/bash
# tests/t-conv-filtered.sh - filtered dumps made by makedumpfile itself go
# through rawdump's readers and writers with the excluded pages left out.
#
# Input: an ELF vmcore of a real Debian guest crashed with sysrq-c (QEMU's
# dump-guest-memory with the guest's VMCOREINFO; tests/guest/qemu-vmcore.sh,
# cached as build/cache/filter-guest.elf), rewritten by `rawdump convert`
# as a kernel-style ELF (makedumpfile does not take QEMU's own ELF: "Can't
# get the number of PT_LOAD"). makedumpfile -d 31 (zlib -c and uncompressed)
# and -E -d 31 filter it; then `rawdump convert` the -c file to ELF, LKCD and
# kdump-compressed, and check against the makedumpfile file:
#   - the kept page set of every output equals makedumpfile's (libkdumpfile,
#     an independent reader, on all four files; the ELF's PT_LOAD file
#     extents; the kdump file's bitmap 2; the LKCD page records), and every
#     kept page's content is equal. Two libkdumpfile 0.5.1 quirks are
#     allowed for: on ELF files it reads some pages outside every PT_LOAD's
#     file bytes as zeros (the page below a PT_LOAD, the last page of a
#     p_memsz tail; makedumpfile -E files too), and it refuses LKCD's size-0
#     RAW records (zero pages, which crash reads as zeros);
#   - no excluded page is written as data (ELF file bytes = kept pages; LKCD
#     records and kdump descriptors = kept pages);
#   - our readers: every output converted back to kdump-compressed gives the
#     same file; `rawdump info` shows dump level 31 and the excluded count
#     (bitmap 1 minus bitmap 2), not partial; makedumpfile -E's p_memsz
#     tails read as excluded;
#   - convert exits 0 and prints the excluded count per class;
#   - `rawdump status`'s dump estimate from the guest's /proc (read just
#     before the crash) is at least makedumpfile's kept bytes at levels 31,
#     16 and 2, and within 5 % of them;
#   - rawdump's excluded-pages note: runs given known classes keep them
#     through ELF -> LKCD -> kdump (same file back), and a page no run
#     covers counts as missing (partial, exit 6), not excluded;
#   - crash knows the ELF and kdump outputs (--osrelease), and gives the same
#     sys, log and bt with the debug vmlinux on all three outputs as on
#     makedumpfile's own file.
# Cost: about 3-4 minutes (guest boot ~10 s when not cached, four crash
# sessions with the debug vmlinux ~40 s each); ~1.5 GB of temporary files.
. "$(dirname "$0")/lib.sh"
need qemu-system-x86_64 makedumpfile crash /usr/bin/python3 busybox cpio gzip
[ -x "$RAWDUMP" ] || { fail "build" "$RAWDUMP missing (run make)"; exit 1; }
PY=/usr/bin/python3	# Debian's, with python3-libkdumpfile
"$PY" -c 'import kdumpfile' 2>/dev/null || { fail "need python3-libkdumpfile" "import kdumpfile failed"; exit 1; }
REL=$(ls -1 /lib/modules | sort -V | tail -n 1)
VMLINUX=$("$TOP/scripts/get-debug-vmlinux.sh" "$REL") || { fail "debug vmlinux" "get-debug-vmlinux.sh failed"; exit 1; }

# 1. The guest vmcore (cached per kernel release).
C=$B/cache/filter-guest.elf
mkdir -p "$B/cache"
for try in 1 2; do	# (a kernel message inside the /proc dump spoils it: retry once)
	[ -s "$C" ] && [ -s "$C.proc/proc/kpageflags" ] && [ "$(cat "$C.rel" 2>/dev/null)" = "$REL" ] && break
	rm -rf "$C" "$C.rel" "$C.proc"
	"$TOP/tests/guest/qemu-vmcore.sh" "$C" >"$T/vmcore.log" 2>&1
done
check "guest vmcore (QEMU dump of a sysrq crash)" test -s "$C"
[ -s "$C" ] || { sed 's/^/#   /' "$T/vmcore.log" | tail -n 20; exit 1; }
check_rc "QEMU ELF -> kernel-style ELF" 0 "$RAWDUMP" convert "$C" "$T/full.elf" --to elf

# 2. makedumpfile's filtered files.
check "makedumpfile -d 31 -c" makedumpfile -d 31 -c "$T/full.elf" "$T/m.kdump"
check "makedumpfile -d 31 (uncompressed)" makedumpfile -d 31 "$T/full.elf" "$T/mraw.kdump"
check "makedumpfile -E -d 31" makedumpfile -E -d 31 "$T/full.elf" "$T/m.elf"

jget() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# The dump estimate of `rawdump status` from the guest's /proc, read just
# before the crash, against what makedumpfile keeps of that crash (zero
# pages included): an upper bound, within 5 %.
mkdir -p "$T/run"
for l in 31 16 2; do
	k=$T/m.kdump
	if [ $l != 31 ]; then
		k=$T/l$l.kdump
		makedumpfile -d $l -c "$T/full.elf" "$k" >/dev/null 2>&1
	fi
	"$RAWDUMP" info "$k" --json >"$T/info.json"
	kept=$(jget "$T/info.json" 'd["mem_bytes"] - 4096 * d["excluded_pages"]["total"]')
	echo "dump_level = $l" >"$T/est.conf"
	est=$(RAWDUMP_CONF=$T/est.conf RAWDUMP_RUNDIR=$T/run "$RAWDUMP" status --proc-root "$C.proc" 2>/dev/null |
		sed -n 's/^dump estimate: level [0-9]*, at most \([0-9]*\) bytes .*classes from kpageflags$/\1/p')
	check "estimate at level $l (${est:-none}) >= makedumpfile's kept bytes ($kept), within 5 %" \
		test "${est:-0}" -ge "$kept" -a "${est:-0}" -le $((kept + kept / 20))
	rm -f "$T/l$l.kdump"
done
rm -f "$T/full.elf"

# bitmap 1 minus bitmap 2 of makedumpfile's file: the excluded pages
excluded=$("$PY" - "$T/m.kdump" <<'EOF2'
import struct, sys
d = open(sys.argv[1], 'rb').read()
bs, sub, bmb, mapnr = struct.unpack_from('<iiiI', d, 428)
mapnr = struct.unpack_from('<Q', d, bs + 96)[0] or mapnr
bml = bmb // 2 * bs
b1 = int.from_bytes(d[(1 + sub) * bs:(1 + sub) * bs + bml], 'little')
b2 = int.from_bytes(d[(1 + sub) * bs + bml:(1 + sub) * bs + 2 * bml], 'little')
mask = (1 << mapnr) - 1
print(bin(b1 & ~b2 & mask).count('1'))
EOF2
)
check "makedumpfile left pages out" test "${excluded:-0}" -gt 10000

# 3. Conversions.
for f in elf lcrash kdump; do
	"$RAWDUMP" convert "$T/m.kdump" "$T/o.$f" --to $f --quiet >"$T/conv.$f" 2>&1
	check_eq "convert -d 31 kdump -> $f exits 0" "$?" 0
	check_eq "convert -> $f: excluded pages per class" "$(sed -n 3p "$T/conv.$f")" \
		"$excluded pages ($("$PY" -c "print('%.1f MiB' % ($excluded * 4096 / 1048576))")) left out by page filtering (dump level 31): unknown $excluded"
done

# 4. Kept page sets and contents, read by libkdumpfile.
"$PY" - "$T" >"$T/sets.out" 2>&1 <<'EOF2'
import kdumpfile, struct, sys
from kdumpfile import exceptions as E
T = sys.argv[1]
zero_records = {}
def readable(path, pfns):
    # libkdumpfile 0.5.1 refuses LKCD's RAW records of size 0 (the zero
    # pages crash reads as zeros): count them as zero pages, checked below
    k = kdumpfile.kdumpfile(path); got = {}
    for pfn in pfns:
        try: got[pfn] = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * 4096, 4096)
        except E.NoDataException: pass
        except E.CorruptException as e:
            if str(e) != 'Wrong page size: 0': raise
            got[pfn] = bytes(4096); zero_records[path] = zero_records.get(path, 0) + 1
    return got
def phdrs(path):
    d = open(path, 'rb')
    h = d.read(64); phoff, = struct.unpack_from('<Q', h, 32); phnum, = struct.unpack_from('<H', h, 56)
    d.seek(phoff); raw = d.read(56 * phnum)
    return [struct.unpack_from('<IIQQQQQQ', raw, i * 56) for i in range(phnum)]
def elf_kept(path):
    kept, filebytes = set(), 0
    for t, fl, off, va, pa, fsz, msz, al in phdrs(path):
        if t != 1 or va >= 0xffffffff80000000: continue
        filebytes += fsz
        kept.update(range(pa // 4096, (pa + fsz) // 4096))
    return kept, filebytes
def elf_tail_pages(path):
    n = 0
    for t, fl, off, va, pa, fsz, msz, al in phdrs(path):
        if t != 1 or va >= 0xffffffff80000000: continue
        a = (pa + fsz + 4095) // 4096; b = (pa + msz) // 4096
        n += max(0, b - a)
    return n
pfns = range(0, 0x20000)
ref = readable(T + '/m.kdump', pfns)
print('kept', len(ref))
for name in ('mraw.kdump', 'o.kdump', 'o.elf', 'o.lcrash'):
    got = readable(T + '/' + name, pfns)
    extra = set(got) - set(ref)
    # libkdumpfile reads a few pages outside every PT_LOAD's file bytes
    # (the page below a PT_LOAD, the last page of a p_memsz tail) as zeros,
    # on makedumpfile -E files too: allowed when zero and outside the file
    # bytes (the PT_LOAD extents are checked exactly below)
    if name == 'o.elf' and not (extra & elf_kept(T + '/o.elf')[0]) and all(got[p] == bytes(4096) for p in extra):
        extra = set()
    print(name, 'set', 'equal' if not extra and set(ref) <= set(got) else 'differs %d %d' % (len(got), len(ref)))
    print(name, 'data', 'equal' if all(got.get(p) == ref[p] for p in ref) else 'differs')
kept, filebytes = elf_kept(T + '/o.elf')
print('o.elf extents', 'equal' if kept == set(ref) else 'differs', 'filebytes', 'kept' if filebytes == 4096 * len(ref) else filebytes)
# kdump: descriptors = set bits of bitmap 2
d = open(T + '/o.kdump', 'rb').read()
bs, sub, bmb = struct.unpack_from('<iii', d, 428); bml = bmb // 2 * bs
b2 = d[(1 + sub) * bs + bml:(1 + sub) * bs + 2 * bml]
print('o.kdump bitmap2', 'kept' if sum(bin(x).count('1') for x in b2) == len(ref) else 'differs')
# LKCD: page records until END
d = open(T + '/o.lcrash', 'rb').read(); off = 65536; recs = 0
while True:
    a, size, fl = struct.unpack_from('<QII', d, off)
    if fl & 4: break
    recs += 1; off += 16 + size
print('o.lcrash records', 'kept' if recs == len(ref) else recs)
zr = 0; off = 65536
while True:
    a, size, fl = struct.unpack_from('<QII', d, off)
    if fl & 4: break
    zr += size == 0; off += 16 + size
print('o.lcrash zero records', 'read as zero' if zero_records.get(T + '/o.lcrash', 0) == zr else 'differs')
print('m.elf tails', elf_tail_pages(T + '/m.elf'))
EOF2
kept=$(sed -n 's/^kept //p' "$T/sets.out")
check "libkdumpfile reads makedumpfile's kept pages" test "${kept:-0}" -gt 1000
for f in mraw.kdump o.kdump o.elf o.lcrash; do
	check_eq "$f: kept page set = makedumpfile's" "$(sed -n "s/^$f set //p" "$T/sets.out")" equal
	check_eq "$f: kept page contents = makedumpfile's" "$(sed -n "s/^$f data //p" "$T/sets.out")" equal
done
check_eq "ELF: PT_LOAD file extents = kept pages, file bytes = kept pages only" \
	"$(sed -n 's/^o.elf extents //p' "$T/sets.out")" "equal filebytes kept"
check_eq "kdump: bitmap 2 = kept pages" "$(sed -n 's/^o.kdump bitmap2 //p' "$T/sets.out")" kept
check_eq "LKCD: page records = kept pages" "$(sed -n 's/^o.lcrash records //p' "$T/sets.out")" kept
check_eq "LKCD: size-0 zero-page records are zero pages of makedumpfile's" \
	"$(sed -n 's/^o.lcrash zero records //p' "$T/sets.out")" "read as zero"
grep -q '^m.elf tails' "$T/sets.out" || sed 's/^/#   /' "$T/sets.out" | tail -n 5

# 5. Our own readers.
for f in elf lcrash; do
	"$RAWDUMP" convert "$T/o.$f" "$T/back-$f.kdump" --to kdump >/dev/null 2>&1
	check "$f read back by rawdump = the kdump output (same file)" cmp "$T/back-$f.kdump" "$T/o.kdump"
	rm -f "$T/back-$f.kdump"
done
for f in m.kdump mraw.kdump o.elf o.lcrash o.kdump; do
	"$RAWDUMP" info "$T/$f" --json >"$T/info.json" 2>"$T/info.err"
	check_eq "info $f exits 0" "$?" 0
	check_eq "info $f: level, excluded, partial, missing" \
		"$(jget "$T/info.json" 'd["dump_level"], d["excluded_pages"]["unknown"], d["excluded_pages"]["total"], d["partial"], d["missing_bytes"]')" \
		"(31, $excluded, $excluded, False, 0)"
done
"$RAWDUMP" info "$T/o.kdump" --verbose >"$T/info.txt"
check_eq "info text: excluded pages" "$(grep -A1 '^excluded_pages' "$T/info.txt" | tr -s ' ' | tr '\n' '|')" \
	"excluded_pages $excluded ($("$PY" -c "print('%.1f MiB' % ($excluded * 4096 / 1048576))"))| unknown $excluded|"
tails=$(sed -n 's/^m.elf tails //p' "$T/sets.out")
"$RAWDUMP" info "$T/m.elf" --json >"$T/info.json"
check_eq "makedumpfile -E: p_memsz tails read as excluded" \
	"$(jget "$T/info.json" 'd["excluded_pages"]["unknown"], d["partial"]')" "($tails, False)"

# 6. crash.
# (crash --osrelease knows ELF and kdump files, not LKCD: "unknown")
for f in o.elf o.kdump; do
	check_eq "crash --osrelease $f" "$(crash --osrelease "$T/$f" 2>&1)" "$REL"
done
printf 'sys\nlog\nbt\nquit\n' >"$T/cmds"
crash_run "$T/c.ref" "$VMLINUX" "$T/m.kdump"
check "crash on makedumpfile's file shows the panic" grep -q 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$T/c.ref"
check "crash bt reaches sysrq_handle_crash" grep -q sysrq_handle_crash "$T/c.ref"
crash_run "$T/c.kdump" "$VMLINUX" "$T/o.kdump"
check "crash: kdump output = makedumpfile's (sys log bt)" diff "$T/c.ref" "$T/c.kdump"
crash_run "$T/c.elf" "$VMLINUX" "$T/o.elf"
check "crash: ELF output = makedumpfile's (sys log bt)" diff "$T/c.ref" "$T/c.elf"
cmd=$(sed -n 's/^open with: crash //p' "$T/conv.lcrash")
read -r -a opts <<<"${cmd% *}"
crash_run "$T/c.lcrash" "${opts[0]}" "${opts[1]}" "${opts[2]}" "$VMLINUX" "$T/o.lcrash"
check "crash: LKCD output = makedumpfile's (sys log bt)" diff "$T/c.ref" "$T/c.lcrash"

# 7. Classes and missing pages survive our own formats: give the excluded
# runs of rawdump's note in o.kdump known classes (free, user, cache, cache
# with private, zero in turn); ELF -> LKCD -> kdump gives the same file back
# and info counts each class. Then shorten the last run of 2+ pages by one page: that
# page is missing now, not excluded (partial, convert exits 6).
"$PY" - "$T/o.kdump" "$T/cls.kdump" "$T/miss.kdump" >"$T/cls.out" <<'EOF2'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
at = d.find(b'RAWDUMP\0', 4096)
while at >= 0 and struct.unpack_from('<I', d, at - 4)[0] != 0x52440002:
    at = d.find(b'RAWDUMP\0', at + 1)
desc = at + 8
ver, level, n = struct.unpack_from('<IIQ', d, desc)
classes = [0x10, 0x08, 0x02, 0x04, 0x01]
names = {0x01: 'zero', 0x02: 'cache', 0x04: 'cache_private', 0x08: 'user', 0x10: 'free'}
count = dict.fromkeys(names.values(), 0)
for i in range(n):
    o = desc + 16 + 16 * i
    pa, pages, cl = struct.unpack_from('<QII', d, o)
    struct.pack_into('<I', d, o + 12, classes[i % 5])
    count[names[classes[i % 5]]] += pages
open(sys.argv[2], 'wb').write(d)
# the last run of two pages or more (a one-page run would become empty)
last = max(i for i in range(n) if struct.unpack_from('<I', d, desc + 16 + 16 * i + 8)[0] >= 2)
o = desc + 16 + 16 * last
pa, pages, cl = struct.unpack_from('<QII', d, o)
struct.pack_into('<I', d, o + 8, pages - 1)
open(sys.argv[3], 'wb').write(d)
print(n, ' '.join('%s=%d' % (k, count[k]) for k in ('zero', 'cache', 'cache_private', 'user', 'free')))
EOF2
read -r nruns cls_want <<<"$(cat "$T/cls.out")"
check "the note has several runs" test "${nruns:-0}" -ge 5
"$RAWDUMP" info "$T/cls.kdump" --json >"$T/info.json"
got=$(jget "$T/info.json" "' '.join('%s=%d' % (k, d['excluded_pages'][k]) for k in ('zero', 'cache', 'cache_private', 'user', 'free'))")
check_eq "info: excluded pages per class from the note" "$got" "$cls_want"
check_rc "classes: kdump -> elf" 0 "$RAWDUMP" convert "$T/cls.kdump" "$T/cls.elf" --to elf
check_rc "classes: elf -> lcrash" 0 "$RAWDUMP" convert "$T/cls.elf" "$T/cls.lcrash" --to lcrash
check_rc "classes: lcrash -> kdump" 0 "$RAWDUMP" convert "$T/cls.lcrash" "$T/cls2.kdump" --to kdump
check "classes: kdump -> elf -> lcrash -> kdump gives the same file" cmp "$T/cls.kdump" "$T/cls2.kdump"
"$RAWDUMP" info "$T/cls.lcrash" --json >"$T/info.json"
check_eq "classes: LKCD keeps them" "$(jget "$T/info.json" "' '.join('%s=%d' % (k, d['excluded_pages'][k]) for k in ('zero', 'cache', 'cache_private', 'user', 'free'))")" "$cls_want"
"$RAWDUMP" info "$T/miss.kdump" --json >"$T/info.json"
check_eq "one page no run covers: missing, not excluded" \
	"$(jget "$T/info.json" 'd["partial"], d["missing_bytes"], d["excluded_pages"]["total"]')" "(True, 4096, $((excluded - 1)))"
check_rc "convert of a partial filtered dump exits 6" 6 "$RAWDUMP" convert "$T/miss.kdump" "$T/miss.elf" --to elf
"$RAWDUMP" info "$T/miss.elf" --json >"$T/info.json"
check_eq "the ELF of it: that page is not counted as excluded" \
	"$(jget "$T/info.json" 'd["excluded_pages"]["total"]')" "$((excluded - 1))"
