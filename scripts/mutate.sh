#!/bin/bash
# scripts/mutate.sh - mutation check of rawdump's safety-critical checks
# (`make mutate`). Each mutant disables one check by an exact, one-line
# source edit, in a COPY of the tree (the working tree is never touched):
# the copy is rebuilt and the tests that should notice run, in order,
# until one fails. A mutant is killed when a test fails (and that test
# passes on the unmutated copy), and SURVIVED when all its tests pass.
# A mutant whose text is no longer found, or that does not build, is an
# error: the list must follow the code.
#
#   scripts/mutate.sh [NAME...]     (default: every mutant)
#
# Prints one line per mutant and "N killed, N survived"; exits 1 when a
# mutant survived or could not be applied. MUTATE_KEEP=1 keeps the copy.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)

# NAME~FILE~TEXT~REPLACEMENT~TESTS (tests/run patterns, tried in order).
# TEXT must occur exactly once in FILE. Several lines of one NAME are one
# mutant of several edits (TESTS of its last line).
MUTANTS=$(cat <<'EOF'
part-magic-writer~writer/writer.c~		err = rd_part_header_check(h);~		err = 0;~unit-writer
part-uuid-writer~writer/writer.c~	if (__builtin_memcmp(h->uuid, cfg->expect_uuid, 16))~	if (0)~unit-writer mk-refuse
part-size-writer~writer/writer.c~	if (h->part_size != want || h->part_size != w->sink->size)~	if (0)~unit-writer
part-magic-tools~tools/disk/partheader.c~	rc = rd_part_header_check(h);~	rc = 0;~cli-format save-basic
part-size-tools~tools/disk/partheader.c~	if (h->part_size != t->size || h->part_size % 512)~	if (0)~cli-reuse cli-format save-basic
sink-bounds~writer/format.c~	if (off > s->size || len > s->size - off)~	if (0)~unit-writer
mk-selfcheck~minikernel/selfcheck.c~	if (crc != mk_image_check.crc) {~	if (0) {~mk-refuse
hdr-crc-raw~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_RAW && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-zlib~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_ZLIB && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-lz4~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_LZ4 && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-zstd~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_ZSTD && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-zero~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_ZERO && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-excluded~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_EXCLUDED && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
hdr-crc-end~tools/image/partition.c~	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)~	if (h->magic != RD_BLOCK_MAGIC || (rd_block_header_check(h) != 0 && !(h->type == RD_BLK_END && rd_block_header_check(h) == -RD_ECRC)))~save-tamper save-csum
pay-crc-raw~tools/image/partition.c~		if (crc != b->stored_crc || crc != b->data_crc)~		if (0)~save-tamper save-csum
pay-crc-zlib~tools/image/partition.c~		if (host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~		if (b->type != RD_BLK_ZLIB && host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~-
pay-crc-zlib~tools/image/partition.c~		if (host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~		if (b->type != RD_BLK_ZLIB && host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~save-tamper save-csum
pay-crc-lz4~tools/image/partition.c~		if (host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~		if (b->type != RD_BLK_LZ4 && host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~-
pay-crc-lz4~tools/image/partition.c~		if (host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~		if (b->type != RD_BLK_LZ4 && host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~save-tamper save-csum
pay-crc-zstd~tools/image/partition.c~		if (host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~		if (b->type != RD_BLK_ZSTD && host_csum(kind, 0, p, b->stored_len) != b->stored_crc)~-
pay-crc-zstd~tools/image/partition.c~		if (host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~		if (b->type != RD_BLK_ZSTD && host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)~save-tamper save-csum
pay-crc-excluded~tools/image/partition.c~	if (host_csum(RD_BLK_CSUM(lb.flags), 0, runs, lb.stored_len) != lb.stored_crc) {~	if (0) {~save-tamper save-filter
pay-crc-end~tools/image/partition.c~	if (host_csum(RD_BLK_CSUM(h->flags), 0, buf, h->stored_len) != h->stored_crc)~	if (0)~save-tamper save-partial
dump-id-blocks~tools/image/partition.c~	if (h->dump_id != r->info.dump.dump_id || h->seq < min_seq || h->seq == UINT64_MAX)~	if (h->seq < min_seq || h->seq == UINT64_MAX)~save-tamper cli-reuse
dump-id-header~tools/image/partition.c~	if (d->dump_id != p->dump_id || !d->dump_id)~	if (!d->dump_id)~save-tamper cli-reuse
index-crc~tools/image/partition.c~	in->index_ok = in->have_end ? crc == in->end.index_crc : -1;~	in->index_ok = in->have_end ? 1 : -1;~save-tamper save-partial
meta-crc~tools/image/partition.c~	if (crc != d->meta_crc)~	if (0)~save-tamper save-hostile
EOF
)

W=$(mktemp -d "${TMPDIR:-/tmp}/rawdump-mutate.XXXXXX")
[ "${MUTATE_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
LOG=$W/log

# The copy: the working tree's files (tracked and new, as they are now)
# and its build directory, so that rebuilding a mutant recompiles one file.
( cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf - ) | tar -C "$W" -xf - || { echo "mutate: cannot copy the tree"; exit 1; }
[ -d "$TOP/build" ] && cp -a "$TOP/build" "$W/build"
if ! make -C "$W" -j2 all >"$LOG" 2>&1 </dev/null; then
	echo "mutate: the unmutated copy does not build:"; tail -n 5 "$LOG"; exit 1
fi

declare -A base	# test pattern -> 0 when it passes on the unmutated copy
baseline() {
	if [ -z "${base[$1]:-}" ]; then
		if (cd "$W" && tests/run "$1" >"$LOG.base.$1" 2>&1 </dev/null); then base[$1]=0; else base[$1]=1; fi
	fi
	return "${base[$1]}"
}

# apply FILE TEXT REPLACEMENT: exactly one occurrence, or fail
apply() {
	python3 - "$W/$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(path).read()
if s.count(old) != 1:
    sys.exit("found %d times" % s.count(old))
open(path, 'w').write(s.replace(old, new))
PY
}

# runtest NAME PATTERN: 0 pass, 1 fail (a "not ok" line), 2 no verdict
# (the run died without one, e.g. killed from outside: tried twice)
runtest() {
	local try
	for try in 1 2; do
		(cd "$W" && tests/run "$2" >"$LOG.$1.$2" 2>&1 </dev/null) && return 0
		grep -q '^not ok - ' "$LOG.$1.$2" && ! grep -q '^not ok - .* exited [0-9]*$' "$LOG.$1.$2" &&
			return 1
	done
	return 2
}

killed=0 survived=0 broken=0
names=$(printf '%s\n' "$MUTANTS" | cut -d'~' -f1 | awk 'NF && !seen[$0]++')
for name in $names; do
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	# a mutant is every line of its name (one edit each); tests: the last line's
	files=() ok=1
	while IFS='~' read -r n file text repl tests; do
		[ "$n" = "$name" ] || continue
		mtests=$tests
		[ -e "$W/$file.orig" ] || { cp -p "$W/$file" "$W/$file.orig"; files+=("$file"); }
		if ! why=$(apply "$file" "$text" "$repl" 2>&1); then
			echo "mutant $name: CANNOT APPLY to $file ($why)"; ok=0
		fi
	done <<<"$MUTANTS"
	verdict=""
	if [ $ok = 1 ] && ! make -C "$W" -j2 all >"$LOG" 2>&1 </dev/null; then
		echo "mutant $name: DOES NOT BUILD ($(grep -m1 error "$LOG"))"; ok=0
	fi
	if [ $ok = 1 ]; then
		for t in $mtests; do
			runtest "$name" "$t"
			case $? in
			1) verdict="killed by t-$t ($(grep -m1 '^not ok' "$LOG.$name.$t" | cut -c8-110))"; break ;;
			2) verdict="nojudge"; break ;;
			esac
		done
	fi
	for f in "${files[@]}"; do mv "$W/$f.orig" "$W/$f"; touch "$W/$f"; done
	make -C "$W" -j2 all >"$LOG" 2>&1 </dev/null
	if [ $ok = 0 ]; then
		broken=$((broken + 1))
	elif [ "$verdict" = nojudge ]; then
		echo "mutant $name: t-$t died without a verdict (twice): cannot judge"; broken=$((broken + 1))
	elif [ -n "$verdict" ] && ! baseline "$t"; then
		# a test that fails without the mutant proves nothing
		echo "mutant $name: t-$t also fails without the mutant: cannot judge"; broken=$((broken + 1))
	elif [ -n "$verdict" ]; then
		echo "mutant $name: $verdict"; killed=$((killed + 1))
	else
		echo "mutant $name: SURVIVED ($mtests all pass)"; survived=$((survived + 1))
	fi
done
echo "$killed killed, $survived survived$([ "$broken" = 0 ] || echo ", $broken not judged")"
[ "$survived" = 0 ] && [ "$broken" = 0 ]
