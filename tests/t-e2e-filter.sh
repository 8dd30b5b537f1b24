#!/bin/bash
# tests/t-e2e-filter.sh - page filtering and kernel-first order, end to end
# (Documentation/filtering.md), with one real Debian crash.
#
# One boot: a 2 GiB guest (-smp 2, crashkernel=4M, virtio-blk) fills its
# memory (rdguest.fill=1: 384 MiB of ext4 page cache read back from disk,
# 512 MiB of anonymous memory held by a running process, the rest free),
# arms at dump level $E2E_FILTER_LEVEL (default 31) with zstd blocks
# (--comp zstd: the kdump output keeps zstd pages), loads the plant
# module, scribbles over 4 of its pages' struct pages (corrupted mem_map)
# and crashes with sysrq-c. QEMU's own dump of guest RAM is taken when
# the writer starts; while the minikernel writes, the disk image is copied
# at 5 %, 30 % and 70 % of the dump (the VM stopped through QMP: three
# power cuts from one crash).
#
# Complete dump (e2e_filter in tests/guest/e2e-lib.sh): rawdump keeps every
# page makedumpfile -d LEVEL keeps when run over the same memory (the
# difference is printed, the extra pages counted), the scribbled struct
# pages' frames are kept and their bytes are in the dump, every planted
# page and every kept byte is right, and crash 8.0.2 runs log, bt and
# kmem -i on the ELF and kdump-compressed outputs without unreadable
# memory; the kdump output's pages are zstd (header status 0x20) and
# libkdumpfile (python3-libkdumpfile) reads them as corecheck.py decodes
# them. Each cut: rawdump save exits 6, rawdump info --log still has
# the panic and the whole log, and crash opens the partial vmcore and
# prints log, bt and kmem -i (kernel-first order puts the log,
# the kernel, its page tables, the per-CPU areas, the CPUs' stacks and
# tasks and the NUMA node data first); the power-cut checks of make
# powercut (e2e_cut_check): save names exactly the memory the partition's
# blocks lack, saves exactly the pages on disk, each equal to QEMU's dump.
#
# E2E_FILTER_LEVEL=1 runs the same at today's level (no filtering): the
# oracle is then makedumpfile -d 1. At another level, a build whose
# rawdump arm has no --dump-level fails here with that one reason.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/part.sh"
. "$TOP/tests/guest/e2e-lib.sh"
LEVEL=${E2E_FILTER_LEVEL:-31}
e2e_need
need crash makedumpfile
e2e_need_level filter "$LEVEL" || exit 1
e2e_guest
[ -s "${RAWDUMP_CACHE:-/var/cache/rawdump}/vmlinux-$E2E_REL" ] ||
	{ fail "debug vmlinux for $E2E_REL" "run scripts/get-debug-vmlinux.sh $E2E_REL"; exit 1; }

cuts="5 30 70"
snap=()
for c in $cuts; do snap+=(--snapshot-at "$c=$T/cut$c.img"); done
e2e_filter filter "$LEVEL" 2048 "rdguest.fill=1 rdguest.scribble=4 rdguest.comp=zstd" "${snap[@]}" || exit 1
rm -f "$T/filter.mdf"
ech=$(e2e_elfcorehdr "$T/filter.log")
check "filter: plant module scribbled 4 struct pages before the crash" \
	grep -q 'rdplant: scribbled 4 struct pages' "$T/filter.log"
e2e_crash_tool filter-elf "$T/filter.elf"
e2e_crash_tool filter-kdump "$T/filter.kdump"
check_eq "filter: the dump's blocks are zstd" "$("$RAWDUMP" info "$T/filter.img:2" --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["compression"])')" zstd
check_eq "filter: the kdump output says zstd (status 0x20)" \
	"$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(428), 424)[0])' "$T/filter.kdump")" 32
# libkdumpfile, an independent reader, on the zstd pages (every 16th)
/usr/bin/python3 - "$T/filter.kdump" "$E2E_CHECK" >"$T/kdf.out" 2>&1 <<'EOF'
import sys, importlib.util
import kdumpfile
spec = importlib.util.spec_from_file_location("corecheck", sys.argv[2])
cc = importlib.util.module_from_spec(spec); spec.loader.exec_module(cc)
core, k = cc.KdumpCore(sys.argv[1]), kdumpfile.kdumpfile(sys.argv[1])
n = bad = 0
for i, (pfn, off, size, flags) in enumerate(core.descs()):
    if i % 16 or not flags & 0x20:
        continue
    n += 1
    if k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * 4096, 4096) != core.page(off, size, flags):
        bad += 1
print("kdumpfile: %d zstd pages read, %d differ" % (n, bad))
EOF
sed -n 's/^kdumpfile: /# filter: libkdumpfile: /p' "$T/kdf.out"
check "filter: libkdumpfile reads the zstd pages as corecheck.py does" \
	grep -q '^kdumpfile: [1-9][0-9]* zstd pages read, 0 differ' "$T/kdf.out"

# the whole log, as the complete dump has it
"$RAWDUMP" info "$T/filter.img:2" --log >"$T/full.info" 2>&1
nlog=$(sed -n 's/^kernel log: *\([0-9]*\) records.*/\1/p' "$T/full.info")
sed -n '/^kernel log:/,/^open with:/p' "$T/full.info" | sed '1d;$d' >"$T/full.log"
check "filter: rawdump info --log prints the panic and the log (${nlog:-no} records)" \
	sh -c "grep -q '^panic: *.*sysrq triggered crash' '$T/full.info' && [ '${nlog:-0}' -gt 0 ] && grep -q 'sysrq: Trigger a crash' '$T/full.log'"
rm -f "$T/filter.img" "$T/filter.elf" "$T/filter.kdump"

# ---- cut short -----------------------------------------------------------
for c in $cuts; do
	t0=$SECONDS
	img=$T/cut$c.img
	if [ ! -s "$img" ]; then
		fail "cut $c%: disk copied at $c % of the dump" "no snapshot (see rdqemu: lines in $T/filter.log.ts)"
		continue
	fi
	at=$(sed -n "s/.*rdqemu: disk snapshot at $c% (\([0-9]*\)).*/\1/p" "$T/filter.log.ts")
	check_rc "cut $c%: rawdump save of the cut dump exits 6 (stopped at ${at:-?} %)" 6 \
		"$RAWDUMP" save "$img:2" -o "$T" --name "cut$c.elf"
	grep -m 1 'missing' "$T/.out" | sed "s/^/# cut $c%: /"
	"$RAWDUMP" info "$img:2" --log >"$T/cut.info" 2>&1
	if grep -q '^panic: *.*sysrq triggered crash' "$T/cut.info"; then
		pass "cut $c%: rawdump info prints the panic"
	else
		fail "cut $c%: rawdump info prints the panic" \
			"$(grep -E '^(panic|kernel log): ' "$T/cut.info" | tr -s ' ' | tr '\n' ' ')"
	fi
	sed -n '/^kernel log:/,/^open with:/p' "$T/cut.info" | sed '1d;$d' >"$T/cut.log"
	check_eq "cut $c%: rawdump info prints the whole log ($nlog records)" \
		"$(sed -n 's/^kernel log: *\([0-9]*\) records.*/\1/p' "$T/cut.info")" "$nlog"
	check "cut $c%: the log is the complete dump's, line for line" cmp -s "$T/cut.log" "$T/full.log"
	if [ -s "$T/cut$c.elf" ]; then
		E2E_CRASH_CMDS="log bt kmem" E2E_CRASH_STRICT=0 e2e_crash_tool "cut$c" "$T/cut$c.elf"
	else
		fail "cut $c%: crash on the partial vmcore" "no vmcore saved"
	fi
	rm -f "$T/cut$c.elf"
	e2e_cut_check "cut $c%" "$img" "$T/filter.ram" "$ech"
	rm -f "$img"
	echo "# cut $c%: host checks $((SECONDS - t0)) s"
done
rm -f "$T/filter.ram"
exit 0
