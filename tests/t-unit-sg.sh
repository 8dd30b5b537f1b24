#!/bin/bash
# tests/t-unit-sg.sh - the writer's zero-copy path on the host
# (rawdump-sim --vectored): its sink writes only at wait(), so a header
# area or window reused before then would put wrong bytes on disk. Every
# dump is saved and checked byte for byte against the pattern.
#   - stable source: RAW payloads go out in place (vectored writes > 0);
#   - unstable source (one window, overwritten at every map): never in
#     place, still right;
#   - 4096-byte sectors, 32 requests in flight, a failed write (retry,
#     then LOST records);
#   - compression: incompressible blocks are not tried (wr_flat) and go
#     out in place, the others are compressed through the buffers.
. "$(dirname "$0")/lib.sh"
[ -x "$SIM" ] && [ -x "$RAWDUMP" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

part=$T/part.img
R="--range 0x1000:0x9e000 --range 0x100000:24M"
RND=$((0x4000000000000000 + 7))		# PAT_SEED_RANDOM: every page random

fresh() { rm -f "$part"; truncate -s 48M "$part"; "$RAWDUMP" format "$part" >/dev/null; }

# sg NAME RC SEED SIM-ARGS...: dump, save (exit RC), verify; keeps the sim output in $T/NAME.out
sg() {
	local name=$1 rc=$2 seed=$3 allow=
	shift 3
	[ "$rc" = 0 ] || allow=--allow-missing
	fresh
	if ! "$SIM" write "$part" --pattern "$seed" $R "$@" >"$T/$name.out" 2>&1; then
		fail "$name: sim write" "$(cat "$T/$name.out")"; return
	fi
	check_rc "$name: save" "$rc" "$RAWDUMP" save "$part" -o "$T" -n "$name.vmcore"
	check "$name: every byte equals the pattern" "$SIM" verify "$T/$name.vmcore" \
		--pattern "$seed" $R $allow
}
vec() { sed -n 's/^vectored writes: //p' "$T/$1.out"; }

sg stable 0 41 --vectored --stable
[ "$(vec stable)" -gt 0 ] && pass "stable: RAW payloads sent in place ($(vec stable) writes)" ||
	fail "stable: RAW payloads sent in place" "$(cat "$T/stable.out")"

sg window 0 42 --vectored
check_eq "window: an unstable source is never sent in place" "$(vec window)" 0

sg sector4k 0 "$RND" --vectored --stable --sector 4096
[ "$(vec sector4k)" -gt 0 ] && pass "sector4k: in place with 4096-byte sectors" ||
	fail "sector4k: in place with 4096-byte sectors" "$(cat "$T/sector4k.out")"

sg deep 0 43 --vectored --stable --inflight 32

# jfield KEY: a number from rawdump info --json of the partition
jfield() { "$RAWDUMP" info "$part" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# With compression, a block the writer finds incompressible (a flat byte
# histogram: wr_flat) is not tried and goes out in place like a RAW one;
# the others go through the buffers compressed.
sg zlib 0 44 --vectored --stable --comp zlib
data=$(jfield data_bytes) stored=$(jfield stored_bytes)
if [ "$(vec zlib)" -gt 0 ] && [ "$stored" -lt "$data" ]; then
	pass "zlib: random runs in place ($(vec zlib) writes), the rest compressed ($stored of $data bytes stored)"
else
	fail "zlib: random runs in place, the rest compressed" "vectored $(vec zlib), stored $stored of $data"
fi
for c in lz4 zstd; do
	sg "rnd$c" 0 "$RND" --vectored --stable --comp $c
	data=$(jfield data_bytes) stored=$(jfield stored_bytes)
	if [ "$(vec "rnd$c")" -gt 0 ] && [ "$stored" = "$data" ]; then
		pass "rnd$c: random memory not given to $c, sent in place ($(vec "rnd$c") writes)"
	else
		fail "rnd$c: random memory not given to $c, sent in place" "vectored $(vec "rnd$c"), stored $stored of $data"
	fi
done

sg failed 6 "$RND" --vectored --stable --fail-write 0x80000:0x1000
"$RAWDUMP" info "$part" --json >"$T/f.json"
lost=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lost_bytes"])' "$T/f.json")
check_eq "failed: one RAW block LOST (256 KiB), the rest dumped" "$lost" 262144
