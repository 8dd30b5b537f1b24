#!/bin/bash
# tests/t-unit-sg.sh - the writer's zero-copy path on the host
# (rawdump-sim --vectored): its sink writes only at wait(), so a header
# area or window reused before then would put wrong bytes on disk. Every
# dump is saved and checked byte for byte against the pattern.
#   - stable source: RAW payloads go out in place (vectored writes > 0);
#   - unstable source (one window, overwritten at every map): never in
#     place, still right;
#   - 4096-byte sectors, 32 requests in flight, zlib, a failed write
#     (retry, then LOST records).
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

sg zlib 0 44 --vectored --stable --comp zlib
check_eq "zlib: compressed blocks go through buffers" "$(vec zlib)" 0

sg failed 6 "$RND" --vectored --stable --fail-write 0x80000:0x1000
"$RAWDUMP" info "$part" --json >"$T/f.json"
lost=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lost_bytes"])' "$T/f.json")
check_eq "failed: one RAW block LOST (256 KiB), the rest dumped" "$lost" 262144
