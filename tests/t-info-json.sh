#!/bin/bash
# tests/t-info-json.sh - `rawdump info --json` is output a program can trust
# (issue 13): parsed with python3's json module (strict UTF-8), its values
# checked against the binary partition header, dump header, range table,
# NT_PRSTATUS notes and END record read independently (python struct, per
# include/rawdump/format.h); the same keys, in the same order, for an empty
# partition, a dump on a partition and the ELF / kdump / LKCD files saved
# from it; 64-bit values past 2^53 exact; invalid UTF-8 from the crashed
# kernel (its OSRELEASE here; t-conv-guest plants bytes in a real kernel
# log) comes out as U+FFFD. Then the text: the answer first, the internals
# only under --verbose. The dump is made by the real writer (rawdump-sim).
. "$(dirname "$0")/lib.sh"
need python3
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

part=$T/p.img
out=$T/out; mkdir -p "$out"
truncate -s 64M "$part"
check_rc "format with a label" 0 "$RAWDUMP" format "$part" --label crashes

# jsoncheck FILE: strict UTF-8 and JSON; prints nothing, exits 1 on failure
jsoncheck() { python3 -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$1"; }

"$RAWDUMP" info "$part" --json >"$T/empty.json"
check "empty partition: valid JSON" jsoncheck "$T/empty.json"

# A dump with 3 CPUs, an alias range, lz4, crc32c, page filtering (classes
# from the test classifier), and a kernel release with invalid UTF-8.
rel=$(printf '6.1.0-\377\303(-amd64')
"$SIM" write "$part" --pattern 21 --range 0x1000:0x9e000 --range 0x100000:24M \
	--kernel-text 0x1000000:2M --cpus 3 --release "$rel" --comp lz4 --csum crc32c \
	--fake-filter 7:30 --quiet >/dev/null 2>"$T/sim.err" || fail "sim write" "$(cat "$T/sim.err")"
"$RAWDUMP" info "$part" --json >"$T/part.json"
check "dump on the partition: valid JSON, strict UTF-8" jsoncheck "$T/part.json"

# Every value against the bytes on disk.
check "partition: values equal the binary headers, ranges, notes and END record" \
	python3 - "$part" "$T/part.json" <<'EOF'
import json, struct, sys
img = open(sys.argv[1], 'rb').read()
j = json.load(open(sys.argv[2]))
bad = []
def eq(key, got, want):
    if got != want or type(got) != type(want):
        bad.append('%s: %r != %r' % (key, got, want))
# partition header (struct rd_part_header)
(magic, ver, hsz, uuid, part_size, sector, state, gen, ftime, dump_id_p, data_end,
 stime, label, _, flags, crc) = struct.unpack_from('<8sII16sQIIQQQQQ32s128sII', img, 0)
u = uuid.hex()
eq('schema_version', j['schema_version'], 1)
eq('format', j['format'], 'rawdump')
eq('uuid', j['uuid'], '%s-%s-%s-%s-%s' % (u[:8], u[8:12], u[12:16], u[16:20], u[20:]))
eq('part_size', j['part_size'], len(img))
eq('header_part_size', j['header_part_size'], part_size)
eq('sector_size', j['sector_size'], sector)
eq('state', j['state'], {0: 'empty', 1: 'writing', 2: 'complete', 3: 'saved'}[state])
eq('generation', j['generation'], gen)
eq('format_time', j['format_time'], ftime)
eq('label', j['label'], label.rstrip(b'\0').decode())
eq('saved_time', j['saved_time'], None)
# dump header (struct rd_dump_header) at 4096
f = struct.unpack_from('<8sIIQ16sQ65s7sIIIIIIIIQQQQQQQ32sIIII120sII', img, 4096)
(dmagic, dver, dhsz, dump_id, puuid, ctime, krel, _, ncpu, dcpu, apic, comp, zlevel, dflags,
 psz, nranges, roff, noff, nsz, doff, dlim, mem, ech, writer, csum, level, factive, fflags,
 _, mcrc, hcrc) = f
eq('dump_id', int(j['dump_id'], 16), dump_id)
eq('dump_id > 2^53 or not, 16 hex digits', len(j['dump_id']), 16)
eq('dump_id (header copy)', dump_id_p, dump_id)
eq('format_version', j['format_version'], dver)
eq('crash_time', j['crash_time'], ctime)
eq('kernel_release', j['kernel_release'],
   krel.split(b'\0')[0].decode('utf-8', 'replace'))
eq('cpu_count', j['cpu_count'], ncpu)
eq('dumping_cpu', j['dumping_cpu'], None if dcpu == 0xffffffff else dcpu)
eq('compression', j['compression'], ['none', 'zlib', 'lz4'][comp])
eq('zlib_level', j['zlib_level'], zlevel if comp == 1 else None)
eq('checksum', j['checksum'], ['crc32', 'crc32c', 'xxh64'][csum])
eq('mem_bytes', j['mem_bytes'], mem)
eq('writer', j['writer'], writer.rstrip(b'\0').decode())
eq('dump_level', j['dump_level'], level)
eq('filter_active', j['filter_active'], factive if dflags & 0x10 else None)
eq('kernel_first', j['kernel_first'], bool(dflags & 0x8))
eq('cpu_notes_dropped', j['cpu_notes_dropped'], bool(dflags & 0x20))
# range table: addresses as "0x..." strings, exact past 2^53
rng = [struct.unpack_from('<QQQII', img, roff + 32 * i) for i in range(nranges)]
eq('ranges (sorted by paddr)', j['ranges'],
   [{'paddr': hex(p), 'vaddr': hex(v), 'size': s, 'alias': bool(fl & 1)}
    for p, v, s, fl, _ in sorted(rng)])
if not any(int(r['vaddr'], 16) > 1 << 53 for r in j['ranges']):
    bad.append('no vaddr above 2^53 to check')
# NT_PRSTATUS notes: pid and the 27 registers of each CPU
notes, off, cpus = img[noff:noff + nsz], 0, []
while off + 12 <= len(notes):
    nsz_, dsz, typ = struct.unpack_from('<III', notes, off)
    desc = off + 12 + (nsz_ + 3) // 4 * 4
    if typ == 1:
        pid = struct.unpack_from('<I', notes, desc + 32)[0]
        regs = struct.unpack_from('<27Q', notes, desc + 112)
        cpus.append((pid, regs))
    off = desc + (dsz + 3) // 4 * 4
names = ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx',
         'rdx', 'rsi', 'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base',
         'gs_base', 'ds', 'es', 'fs', 'gs']
eq('cpu_notes', j['cpu_notes'], len(cpus))
for i, (pid, regs) in enumerate(cpus):
    c = j['cpus'][i]
    eq('cpus[%d].pid' % i, c['pid'], pid)
    for n, r in zip(names, regs):
        eq('cpus[%d].%s' % (i, n), int(c[n], 16), r)
    eq('cpus[%d].cr3' % i, c['cr3'], None)
if not any(int(c['rip'], 16) > 1 << 53 for c in j['cpus']):
    bad.append('no rip above 2^53 to check')
# END record: walk the blocks (512-byte aligned) to the END of this dump
# and count the accepted blocks (RAW ZLIB ZERO LOST LZ4 EXCLUDED) and their payload
end, nblk, stored = None, 0, 0
for off in range(doff, len(img) - 64, 512):
    if img[off:off + 4] != b'RDBK':
        continue
    typ, fl, did, seq, paddr, mlen, slen = struct.unpack_from('<HHQQQQI', img, off + 4)
    if did == dump_id and typ in (1, 2, 3, 4, 7, 8):
        nblk, stored = nblk + 1, stored + slen
    if did == dump_id and typ == 5:
        end = struct.unpack_from('<QQQQQQIII12s8Q', img, off + 64)
        break
eq('blocks', j['blocks'], nblk)
eq('stored_bytes', j['stored_bytes'], stored)
if end is None:
    bad.append('no END record found')
else:
    bcount, emem, estored, emissing, elost, elapsed, eflags, icrc, effl = end[:9]
    excl = end[10:]
    eq('complete', j['complete'], True)
    eq('partial', j['partial'], False)
    eq('truncated', j['truncated'], bool(eflags & 1))
    eq('truncated_bytes', j['truncated_bytes'], emissing)
    eq('lost_bytes', j['lost_bytes'], elost)
    eq('capture_us', j['capture_us'], elapsed)
    eq('filter_flags', j['filter_flags'], fflags | effl)
    cls = ['zero', 'cache', 'cache_private', 'user', 'free', None, None, 'unknown']
    want = {c: excl[i] for i, c in enumerate(cls) if c}
    want['total'] = sum(want.values())
    eq('excluded_pages', j['excluded_pages'], want)
    if want['total'] == 0:
        bad.append('no excluded pages to check')
    eq('data+zero+excluded = mem', j['data_bytes'] + j['zero_bytes'] + 4096 * want['total'], mem)
eq('missing', j['missing'], [])
if bad:
    sys.exit('\n'.join(bad))
EOF
[ -s "$T/.out" ] && sed 's/^/# /' "$T/.out" | head -n 20

check_eq "invalid UTF-8 of the crashed kernel: U+FFFD, one per bad byte" \
	"$(python3 -c 'import json,sys; print(ascii(json.load(open(sys.argv[1]))["kernel_release"]))' "$T/part.json")" \
	"'6.1.0-\\ufffd\\ufffd(-amd64'"
check_eq "crash command: U+FFFD too" \
	"$(python3 -c 'import json,sys; print(ascii(json.load(open(sys.argv[1]))["crash_command"]))' "$T/part.json")" \
	"'crash /usr/lib/debug/boot/vmlinux-6.1.0-\\ufffd\\ufffd(-amd64 <vmcore>'"

# The same keys, in the same order, whatever was opened; null where a key
# does not apply (a file has no partition header, a dump without a log no
# panic), never missing.
for f in elf:vmcore kdump:vmcore.kdump lcrash:vmcore.lcrash; do
	check_rc "save --format ${f%%:*}" 0 "$RAWDUMP" save "$part" -o "$out" --format "${f%%:*}" --name "${f#*:}"
	"$RAWDUMP" info "$out/${f#*:}" --json >"$T/${f%%:*}.json"
	check "${f%%:*} file: valid JSON, strict UTF-8" jsoncheck "$T/${f%%:*}.json"
done
check "the same keys for an empty partition, a dump, ELF, kdump, LKCD" python3 - \
	"$T/empty.json" "$T/part.json" "$T/elf.json" "$T/kdump.json" "$T/lcrash.json" <<'EOF'
import json, sys
keys = [list(json.load(open(f))) for f in sys.argv[1:]]
for f, k in zip(sys.argv[2:], keys[1:]):
    if k != keys[0]:
        sys.exit('%s: %s' % (f, sorted(set(k) ^ set(keys[0]))))
if len(keys[0]) < 60:
    sys.exit('only %d keys' % len(keys[0]))
EOF
check "files: partition keys null, the memory and the kernel's the partition's" python3 - \
	"$T/part.json" "$T/elf.json" "$T/kdump.json" "$T/lcrash.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
bad = []
for f in sys.argv[2:]:
    j = json.load(open(f))
    for k in ('state', 'uuid', 'device', 'part_size', 'dump_id', 'blocks', 'missing', 'saved_time'):
        if j[k] is not None:
            bad.append('%s: %s = %r' % (f, k, j[k]))
    for k in ('kernel_release', 'cpu_count', 'mem_bytes', 'crash_time', 'excluded_pages', 'partial',
              'missing_bytes', 'cpu_notes', 'kaslr_offset'):
        if j[k] != p[k]:
            bad.append('%s: %s = %r, partition %r' % (f, k, j[k], p[k]))
    if [c['rip'] for c in j['cpus']] != [c['rip'] for c in p['cpus']]:
        bad.append('%s: registers differ' % f)
if bad:
    sys.exit('\n'.join(bad))
EOF
check_eq "ELF file: the crash command names it" \
	"$(python3 -c 'import json,sys; print(ascii(json.load(open(sys.argv[1]))["crash_command"]))' "$T/elf.json")" \
	"'crash /usr/lib/debug/boot/vmlinux-6.1.0-\\ufffd\\ufffd(-amd64 $out/vmcore'"
check "the man page lists every key, in order (rawdump.8, JSON OUTPUT)" python3 - \
	"$TOP/Documentation/rawdump.8" "$T/part.json" <<'EOF'
import json, re, sys
man = open(sys.argv[1]).read()
sec = man[man.index('.SH JSON OUTPUT\n'):]
sec = sec[:sec.index('\n.SH ', 1)]
sec = sec[:sec.index('\n.SS status')]
keys = []
for m in re.finditer(r'^\.TP\n\.BR? (.*)$', sec, re.M):
    keys += [k for k in re.split(r' *", " *| +', m.group(1)) if k]
got = list(json.load(open(sys.argv[2])))
if keys != got:
    sys.exit('man %s\njson %s' % (keys, got))
EOF
check_eq "empty partition: dump and kernel keys null" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["label"], d["dump_id"], d["mem_bytes"], d["cpus"], d["log"], d["panic"])' "$T/empty.json")" \
	"empty crashes None None None None None"
check_eq "one line per key (a line-based tool finds \"state\")" \
	"$(grep -c '^  "state": "saved",$' "$T/elf.json") $(grep -c '^  "state": null,$' "$T/elf.json")" "0 1"

# status --json: the partition as info reads it, a file that is not one with its error
"$RAWDUMP" info "$part" --json >"$T/saved.json"
"$RAWDUMP" status --json "$part" "$out/vmcore" "$T/nonexistent" >"$T/status.json"
check "status --json: valid JSON" jsoncheck "$T/status.json"
check_eq "status --json: state, uuid, label, dump_id as info's; errors named" \
	"$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); i = json.load(open(sys.argv[2]))
p = s["partitions"]
print(s["schema_version"], len(p), [p[0][k] == i[k] for k in ("state", "uuid", "label", "dump_id", "device", "part_size")],
      p[0]["error"], p[1]["error"], p[2]["device"], p[2]["error"] is not None, type(s["armed"]).__name__)' "$T/status.json" "$T/saved.json")" \
	"1 3 [True, True, True, True, True, True] None not a rawdump partition None True bool"
"$RAWDUMP" status "$part" >/dev/null 2>&1; rc_text=$?
"$RAWDUMP" status --json "$part" >/dev/null 2>&1; rc_json=$?
check_eq "status --json exits as status does (one saved partition)" "$rc_json" "$rc_text"
check_rc "status --json: a named target that is missing exits 2" 2 "$RAWDUMP" status --json "$part" "$T/nonexistent"
check "the man page lists every status --json key" python3 - "$TOP/Documentation/rawdump.8" "$T/status.json" <<'EOF'
import json, re, sys
man = open(sys.argv[1]).read()
sec = man[man.index('.SS status \\-\\-json\n'):]
sec = sec[:sec.index('\n.SH ', 1)]
keys = []
for m in re.finditer(r'^\.TP\n\.BR? (.*)$', sec, re.M):
    keys += [k for k in re.split(r' *", " *| +', m.group(1)) if k]
got = json.load(open(sys.argv[2]))
elem = [k for k in re.findall(r'\.BR? ([a-z_]+(?: ", " [a-z_]+)*)', sec[sec.index('array of objects'):sec.index('crash_kernel_loaded')])]
elem = [x for e in elem for x in e.split('", "') for x in [x.strip(' "')]]
if keys != list(got) or elem != list(got['partitions'][0]):
    sys.exit('man %s %s\njson %s %s' % (keys, elem, list(got), list(got['partitions'][0])))
EOF

# --verify adds its count; a write error on stdout is an I/O error (5)
"$RAWDUMP" info "$part" --json --verify >"$T/v.json"
check_eq "--verify: verified_corrupt_blocks" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verified_corrupt_blocks"])' "$T/v.json")" 0
if [ -w /dev/full ]; then
	check_rc "info --json to a full device: exit 5" 5 sh -c "'$RAWDUMP' info '$part' --json >/dev/full"
fi

# The text: the answer first, block-level internals only under --verbose.
"$RAWDUMP" info "$part" >"$T/text.txt"
check_eq "text: the answer first (panic, task, kernel, time, partition, dump)" \
	"$(cut -c1-14 "$T/text.txt" | head -n 7 | tr -s ' ' | tr '\n' '|')" \
	"panic: |crashed task: |kernel: |crash time: |partition: |dump: |filtered: |"
check_eq "text: the last line is the crash command" "$(tail -n 1 "$T/text.txt")" \
	"open with:    crash /usr/lib/debug/boot/vmlinux-$rel <vmcore>"
check "text: no block counts without --verbose" sh -c "! grep -q '^blocks ' '$T/text.txt'"
"$RAWDUMP" info "$part" --verbose >"$T/verbose.txt"
check_eq "--verbose: block counts, checksum kind, header fields, registers" \
	"$(grep -cE '^(blocks|checksum +crc32c|generation|index_crc_ok +true|CPU [0-2] pid 100[0-2])( |$)' "$T/verbose.txt")" 7
check_eq "--verbose: the answer still first" "$(head -n 1 "$T/verbose.txt" | cut -c1-6)" "panic:"

# zstd: its level in zstd_level (the header's zlib_level field), zlib_level null
"$SIM" write "$part" --pattern 22 --range 0x100000:4M --cpus 1 --comp zstd --quiet >/dev/null 2>&1 ||
	fail "sim write zstd"
"$RAWDUMP" info "$part" --json >"$T/zstd.json"
check_eq "zstd dump: compression, zstd_level, zlib_level as the header says" \
	"$(python3 -c '
import json, struct, sys
j = json.load(open(sys.argv[1])); comp, level = struct.unpack_from("<II", open(sys.argv[2], "rb").read(), 4096 + 132)
print(j["compression"], j["zstd_level"] == level, comp, j["zlib_level"])' "$T/zstd.json" "$part")" "zstd True 3 None"
exit 0
