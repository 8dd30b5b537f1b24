#!/bin/bash
# tests/t-save-estimate.sh - `rawdump status` estimates the partition space
# a dump needs at the configured dump level (tools/estimate.c), from a fake
# /proc (--proc-root): iomem gives the RAM a dump covers (top-level System
# RAM minus Crash kernel), kpageflags the cache / cache-with-private / user
# pages, meminfo the free memory (and everything when kpageflags is not
# readable). A 2 MiB rawdump partition is smaller than the estimate: status
# warns and still exits 0. Cost: < 1 s.
. "$(dirname "$0")/lib.sh"
need python3 truncate
[ -x "$RAWDUMP" ] || { fail "build" "$RAWDUMP missing (run make)"; exit 1; }
P=$T/root/proc
mkdir -p "$P" "$T/run"
export RAWDUMP_RUNDIR=$T/run RAWDUMP_CONF=$T/rawdump.conf
: >"$RAWDUMP_CONF"	# a named configuration must exist (rawdump.8)
# RAM: 0x1000-0x9ffff (159 pages) + 0x100000-0x8ffffff (143 MiB) - 16 MiB crash kernel
cat >"$P/iomem" <<'EOF2'
00000000-00000fff : Reserved
00001000-0009ffff : System RAM
000a0000-000fffff : Reserved
00100000-08ffffff : System RAM
  01000000-01ffffff : Kernel code
  04000000-04ffffff : Crash kernel
fd000000-fdffffff : PCI Bus 0000:00
EOF2
cat >"$P/meminfo" <<'EOF2'
MemTotal:         131072 kB
MemFree:           40960 kB
Buffers:            1024 kB
Cached:             8192 kB
AnonPages:          4096 kB
EOF2
# kpageflags: 100 anon (bit 12), 300 LRU file (bit 5), 50 LRU + PRIVATE (35),
# 20 anon + swapcache, 10 LRU + swapcache (not cache), 7 NOPAGE+LRU (no page),
# 1000 slab (bit 7)
python3 - "$P/kpageflags" <<'EOF2'
import struct, sys
f = []
f += [1 << 12] * 100 + [1 << 5] * 300 + [(1 << 5) | (1 << 35)] * 50
f += [(1 << 12) | (1 << 13)] * 20 + [(1 << 5) | (1 << 13)] * 10
f += [(1 << 20) | (1 << 5)] * 7 + [1 << 7] * 1000
open(sys.argv[1], 'wb').write(b''.join(struct.pack('<Q', x) for x in f))
EOF2
truncate -s 2M "$T/part.img"
check_rc "format a 2 MiB partition image" 0 "$RAWDUMP" format "$T/part.img"

ram=$(( 159 * 4096 + 0x8f00000 - 0x1000000 ))
est() {	# LEVEL KEPT_BYTES EXCLUDED_PAGES -> the upper bound tools/estimate.c documents
	local kept=$2
	echo $(( kept + (kept + 262143) / 262144 * (64 + 512) + $3 * 16 + 65536 ))
}
echo "dump_level = 31" >"$RAWDUMP_CONF"
"$RAWDUMP" status --proc-root "$T/root" "$T/part.img" >"$T/out" 2>"$T/err"
check_eq "status exits 14 (not armed, nothing waiting)" "$?" 14
excl=$(( (300 + 50 + 120) * 4096 + 40960 * 1024 ))
check_eq "level 31: estimate line" "$(grep '^dump estimate: ' "$T/out")" \
	"dump estimate: level 31, at most $(est 31 $((ram - excl)) $((excl / 4096))) bytes ($(
	python3 -c "import sys; print('%.1f MiB' % ($(est 31 $((ram - excl)) $((excl / 4096))) / 1048576))"
	)) of $ram bytes (127.6 MiB) of RAM, classes from kpageflags"
check_eq "level 31: class bytes from kpageflags and MemFree" "$(grep '^dump estimate bytes' "$T/out")" \
	"dump estimate bytes: cache $((300 * 4096)) (left out) cache_private $((50 * 4096)) (left out) user $((120 * 4096)) (left out) free $((40960 * 1024)) (left out)"
check "level 31: warns that the 2 MiB partition is too small" \
	grep -q "^rawdump: status: warning: the dump partition (2.0 MiB) is smaller than a dump at level 31 may need (" "$T/err"

echo "dump_level = 16" >"$RAWDUMP_CONF"
"$RAWDUMP" status --proc-root "$T/root" "$T/part.img" >"$T/out" 2>"$T/err"
check_eq "level 16: only free memory left out" "$(grep '^dump estimate bytes' "$T/out")" \
	"dump estimate bytes: cache $((300 * 4096)) cache_private $((50 * 4096)) user $((120 * 4096)) free $((40960 * 1024)) (left out)"
check "level 16: estimate = RAM - MemFree + overhead" grep -q \
	"^dump estimate: level 16, at most $(est 16 $((ram - 40960 * 1024)) 10240) bytes" "$T/out"

# no kpageflags (not root, or no such file): meminfo alone
rm "$P/kpageflags"
echo "dump_level = 14" >"$RAWDUMP_CONF"
"$RAWDUMP" status --proc-root "$T/root" "$T/part.img" >"$T/out" 2>"$T/err"
check_eq "meminfo only: Cached, Buffers, AnonPages" "$(grep '^dump estimate bytes' "$T/out")" \
	"dump estimate bytes: cache $((8192 * 1024)) (left out) cache_private $((1024 * 1024)) (left out) user $((4096 * 1024)) (left out) free $((40960 * 1024))"
check "meminfo only: says so" grep -q "classes from meminfo$" "$T/out"

# a partition large enough: no warning
: >"$RAWDUMP_CONF"
truncate -s 256M "$T/big.img"
"$RAWDUMP" format "$T/big.img" >/dev/null 2>&1
"$RAWDUMP" status --proc-root "$T/root" "$T/big.img" >"$T/out" 2>"$T/err"
check_eq "no level configured: the default, level 1" "$(grep -o '^dump estimate: level [0-9]*' "$T/out")" "dump estimate: level 1"
check_eq "256 MiB partition: no warning" "$(cat "$T/err")" ""
