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
