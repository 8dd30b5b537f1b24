#!/bin/bash
# tests/t-mk-dumplevel.sh - rd.dumplevel on the minikernel, direct boot with
# rd.ranges (no crashed kernel, so no VMCOREINFO: the filter stays off):
# level 1 (the default) gives exactly the blocks of a dump without the key;
# level 31 is accepted, says on the console why nothing is filtered, and
# records the level asked; a level above 31 fails before any disk access.
# (Filtering a real kernel's memory: the e2e tests.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
mk_need

IMG=$T/disk.img
RANGES=(0x1000000:4M 0x2000000:1M)
SEED=12
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
LOADERS=$(mk_plant $SEED "$T/pat" "${RANGES[@]}")
RARG=$(IFS=,; echo "${RANGES[*]}")
info() { "$RAWDUMP" info "$IMG:2" --json > "$T/$1.json" 2>&1; }
# jf NAME KEY: one member of info --json, "-" when null (a key that does not apply)
jf() { python3 -c 'import json,sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("-" if v is None else v)' "$T/$1.json" "$2"; }
# blocks NAME: "type paddr mem_len stored_len" of every block of the dump
blocks() {
	python3 - "$IMG" $((MK_P2_START * 512)) > "$T/$1.blocks" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); base = int(sys.argv[2])
f.seek(base); d = f.read(64 << 20)
dump_id = struct.unpack_from('<Q', d, 4096 + 16)[0]
off = struct.unpack_from('<Q', d, 4096 + 176)[0]
while off + 64 <= len(d) and d[off:off + 4] == b'RDBK':
    typ, flags, did, seq, paddr, mem, stored = struct.unpack_from('<HHQQQQI', d, off + 4)
    if did != dump_id:
        break
    if typ != 5:
        print(typ, paddr, mem, stored)
    if typ == 5:
        break
    off += (64 + stored + 511) & ~511
PY
}
# boot NAME EXTRA: dump, expect DONE, save and verify
boot() {
	# shellcheck disable=SC2086
	mk_boot "$T/$1.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=$RARG $2" -smp 1 $LOADERS
	check_eq "$1: QEMU exit (33 = DONE)" "$?" 33
	info "$1"
	blocks "$1"
	check_rc "$1: save exits 0" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n "$1.vmcore"
	# shellcheck disable=SC2046
	check "$1: vmcore bytes equal the planted bytes" "$SIM" verify "$T/$1.vmcore" \
		--pattern $SEED $(printf -- '--range %s ' "${RANGES[@]}")
	rm -f "$T/$1.vmcore"
}

boot default ""
boot level1 "rd.dumplevel=1"
mk_serial_has "level1: console names the level" "$T/level1.serial" "filter: dump level 1: zero pages only"
check_eq "level1: header (level 1, no filter, address order, nothing left out)" \
	"$(jf level1 dump_level) $(jf level1 filter_active) $(jf level1 kernel_first) $(jf level1 excluded_pages | tr -d ' ')" \
	"1 - False {'zero':0,'cache':0,'cache_private':0,'user':0,'free':0,'unknown':0,'total':0}"
check "level1: the same blocks as without the key" cmp "$T/default.blocks" "$T/level1.blocks"
[ -s "$T/level1.blocks" ] && pass "level1: blocks listed" || fail "level1: blocks listed"

boot level31 "rd.dumplevel=31"
mk_serial_has "level31: console says why nothing is filtered" "$T/level31.serial" \
	"filter: off: no elfcorehdr (test ranges), every page dumped"
check_eq "level31: header records the level asked, no filter ran" \
	"$(jf level31 dump_level) $(jf level31 filter_active) $(jf level31 kernel_first) $(jf level31 partial)" \
	"31 - False False"
check "level31: the same blocks as level 1" cmp "$T/level1.blocks" "$T/level31.blocks"

# shellcheck disable=SC2086
mk_boot "$T/bad.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=$RARG rd.dumplevel=32" -smp 1 $LOADERS
check_eq "rd.dumplevel=32: QEMU exit (35 = FAILED)" "$?" 35
mk_serial_has "rd.dumplevel=32: named on the console" "$T/bad.serial" "cmdline: bad value in 'rd.dumplevel=32'"
check_eq "rd.dumplevel=32: the dump on disk untouched" "$(jf level31 dump_id)" \
	"$("$RAWDUMP" info "$IMG:2" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["dump_id"])')"
