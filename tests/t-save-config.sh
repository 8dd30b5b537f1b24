#!/bin/bash
# tests/t-save-config.sh - `rawdump save` without -o writes to the
# output_dir of the configuration file ($RAWDUMP_CONF).
. "$(dirname "$0")/lib.sh"
truncate -s 64M "$T/p.img"
check "format" "$RAWDUMP" format "$T/p.img"
check "capture" "$SIM" write "$T/p.img" --pattern 4 --quiet
mkdir "$T/out"
printf 'output_dir = %s/out\n' "$T" > "$T/conf"
check_rc "save without -o" 0 env RAWDUMP_CONF="$T/conf" "$RAWDUMP" save "$T/p.img" -n core
check "vmcore in output_dir" test -f "$T/out/core"
check "vmcore bytes equal the pattern" "$SIM" verify "$T/out/core" --pattern 4
check "partition saved" sh -c "'$RAWDUMP' info '$T/p.img' --json | grep -q '\"state\": *\"saved\"'"

# dump_level (page filtering, read by arm): 0..31, anything else refused
printf 'output_dir = %s/out\ndump_level = 31\n' "$T" > "$T/conf"
check_rc "dump_level = 31 accepted" 0 env RAWDUMP_CONF="$T/conf" "$RAWDUMP" save "$T/p.img" -n core31
grep -q "ignoring the configuration" "$T/.out" && fail "dump_level = 31: no config warning" "$(cat "$T/.out")" ||
	pass "dump_level = 31: no config warning"
printf 'dump_level = 32\n' > "$T/conf32"
check_rc "arm: dump_level = 32 in the config refused" 1 "$RAWDUMP" arm "$T/p.img" --dry-run --config "$T/conf32"
cp "$T/.out" "$T/arm32.out"
check "arm: the bad dump_level named" grep -q "conf32:1: dump_level: '32' is not a dump level (allowed: 0 to 31)" "$T/arm32.out"
check_rc "arm --dump-level 32: usage error" 1 "$RAWDUMP" arm "$T/p.img" --dry-run --dump-level 32
check_rc "arm --dump-level x: usage error" 1 "$RAWDUMP" arm "$T/p.img" --dry-run --dump-level x
