#!/bin/bash
# tests/t-layout.sh - the import rule of Documentation/layout.md holds:
# scripts/check-layout.sh finds no include circle and no include that goes
# up a floor in the tree, and it does notice both in a copy of the tree
# where one was planted.
. "$(dirname "$0")/lib.sh"
need python3
top=$(cd "$(dirname "$0")/.." && pwd)

out=$("$top/scripts/check-layout.sh" 2>&1); rc=$?
check_eq "the tree has no include circle and no upward include" "$rc:${out%%:*}" "0:layout ok"

mkdir -p "$T/tree/scripts"
cp "$top/scripts/check-layout.sh" "$T/tree/scripts/"
(cd "$top" && cp -r include writer drivers minikernel tools "$T/tree/")
# disk/extent.h is below partheader; make it import partheader back
sed -i 's|#include <sys/types.h>|#include <sys/types.h>\n#include "partheader.h"|' "$T/tree/tools/disk/extent.h"
out=$("$T/tree/scripts/check-layout.sh" 2>&1); rc=$?
check_eq "a planted circle is reported" "$rc:$(printf '%s\n' "$out" | grep '^cycle:')" \
	"1:cycle: tools/disk/extent <-> tools/disk/partheader"

sed -i '/#include "partheader.h"/d' "$T/tree/tools/disk/extent.h"
sed -i '0,/#include "io.h"/s||#include "io.h"\n#include "image/memimage.h"|' "$T/tree/tools/disk/extent.c"
out=$("$T/tree/scripts/check-layout.sh" 2>&1); rc=$?
check_eq "a planted upward include is reported" "$rc:$out" \
	"1:up: tools/disk/extent.c includes tools/image/memimage.h"
