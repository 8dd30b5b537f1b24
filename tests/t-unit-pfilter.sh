#!/bin/bash
# tests/t-unit-pfilter.sh - the page filter (writer/pfilter.c) on a real
# crashed Debian guest, against makedumpfile on the same memory.
#
# The input is QEMU's dump-guest-memory of a 1 GiB guest taken while the
# minikernel runs after sysrq-c (the crashed kernel's memory no longer
# changes; rdguest.live=1 leaves ext4 page cache with buffers, dirty pages
# and a writer loop), with the crashed kernel's VMCOREINFO added as an ELF
# note (scripts/guest/ram-vmcoreinfo.py). It is made once (~1 min of QEMU)
# and kept in build/pfilter/ until the guest kernel changes.
# Host-only checks (seconds):
#   - tests/unit/pfilter_test.c: hand-made struct pages of every class
#     under 5-level page tables and a static mem_section, read through a
#     displaced (kexec backup) range;
#   - for dump levels 2, 4, 8, 16 and 30: `rawdump-sim classify` with the
#     elfcorehdr's ranges keeps every page makedumpfile keeps (bitmap 2 of
#     its kdump-compressed output), and any page we keep beyond it lies in
#     a kernel-first extent;
#   - windows of other sizes keep the same frames; the writer's two passes
#     (kernel-first extents whole, then the rest) keep makedumpfile's set
#     plus kernel-first frames only;
#   - struct pages overwritten with random bytes: classification completes,
#     those pages are kept, RD_FF_MEMMAP_BAD is set, nothing kept before is
#     left out;
#   - mem_section's pages or the kernel page tables overwritten with random
#     bytes: classification completes, keeps everything it kept before;
#   - a VMCOREINFO without PAGE_BUDDY_MAPCOUNT_VALUE turns the free class
#     off (and says so), the other classes still match makedumpfile;
#     without SYMBOL(mem_section) nothing is left out (RD_FF_NO_MEMMAP).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
need makedumpfile python3
[ -x "$SIM" ] || { fail "rawdump-sim built"; exit 1; }
[ -x "$B/tests/pfilter_test" ] || { fail "pfilter_test built"; exit 1; }

# ---- a synthetic machine: 5-level paging, static mem_section, backup region
"$B/tests/pfilter_test" >"$T/pf.out" 2>&1
rc=$?
grep -v '^#' "$T/pf.out"
check_eq "pfilter_test ran to its end (exit 0)" "$rc" 0

cache=$B/pfilter
ram=$cache/crash.ram
# hugepages=16: a hugetlb pool of 2 MiB compound pages (left out as user
# pages at level 8, like makedumpfile does)
append="crashkernel=4M hugepages=16 rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.live=1"
if [ ! -s "$ram" ] || [ "$(cat "$cache/recipe" 2>/dev/null)" != "$append" ] ||
	[ "$E2E_KERNEL" -nt "$ram" ]; then
	e2e_need
	e2e_guest
	mkdir -p "$cache"
	rm -f "$ram" "$cache/elfcorehdr" "$cache/recipe"
	"$TOP/scripts/guest/make-disk.sh" "$T/disk.img" --fs-size 64M --dump-size 1200M 2>/dev/null
	e2e_boot "$T/crash.log" "$append" \
		--disk "$T/disk.img" --mem 1024 --smp 2 --timeout 600 --dump-file "$T/crash.ram" \
		--dump-on '^dump: [0-9]+ ranges' --quit-after-dump
	ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$T/crash.log" | head -n 1 | cut -d= -f2)
	case $ech in *[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;; esac
	check "crashed guest's memory dumped by QEMU (elfcorehdr ${ech:-?})" test -s "$T/crash.ram" -a -n "$ech"
	[ -s "$T/crash.ram" ] && [ -n "$ech" ] || exit 1
	chmod u+w "$T/crash.ram"
	check "VMCOREINFO note added to QEMU's dump" "$TOP/scripts/guest/ram-vmcoreinfo.py" "$T/crash.ram" "$ech"
	mv "$T/crash.ram" "$ram"
	printf '%s\n' "$ech" >"$cache/elfcorehdr"
	printf '%s\n' "$append" >"$cache/recipe"
fi
ech=$(cat "$cache/elfcorehdr")
classify() { "$SIM" classify "$ram" --elfcorehdr "$ech" "$@"; }

# ---- makedumpfile's classes, one level at a time -------------------------
for level in 2 4 8 16 30; do
	rm -f "$T/mdf"
	if ! makedumpfile -d "$level" "$ram" "$T/mdf" >"$T/mdf.out" 2>&1; then
		fail "makedumpfile -d $level" "$(tail -n 2 "$T/mdf.out" | tr '\n' ' ')"
		continue
	fi
	classify --level "$level" --oracle "$T/mdf" >"$T/cl.out" 2>&1
	rc=$?
	grep -E '^(classify|oracle|priority):' "$T/cl.out" | sed "s/^/# -d $level: /"
	check_eq "level $level: classify ran (exit 0)" "$rc" 0
	check_eq "level $level: every page makedumpfile keeps is kept" \
		"$(sed -n 's/^oracle: .*makedumpfile only \([0-9]*\),.*/\1/p' "$T/cl.out")" 0
	check_eq "level $level: pages kept beyond makedumpfile are kernel-first pages" \
		"$(sed -n 's/^oracle: we only, .*; other \([0-9]*\)$/\1/p' "$T/cl.out")" 0
	check_eq "level $level: all asked classes active, no struct page failed a check" \
		"$(sed -n 's/^classify: active \(0x[0-9a-f]*\) flags \(0x[0-9a-f]*\)$/\1 \2/p' "$T/cl.out")" \
		"$(printf '0x%x 0x0' "$level")"
	if [ "$level" = 30 ]; then
		# the page counts makedumpfile reports cover QEMU's whole dump; the
		# crashed kernel's ranges hold every cache/user/free page of it here
		mdf_counts=$(makedumpfile -d 30 --message-level 16 "$ram" "$T/mdf2" 2>&1 |
			awk '/Non-private cache pages/ { c = $NF } /^ *Private cache pages/ { p = $NF }
			     /User process data pages/ { u = $NF } /^ *Free pages/ { f = $NF }
			     END { printf "%d %d %d %d", c, p, u, f }')
		check_eq "level 30: per-class counts equal makedumpfile's (cache, private, user, free)" \
			"$(sed -n 's/^classify: pages [0-9]* kept [0-9]* cache \([0-9]*\) cache_private \([0-9]*\) user \([0-9]*\) free \([0-9]*\)$/\1 \2 \3 \4/p' "$T/cl.out")" \
			"$mdf_counts"
		rm -f "$T/mdf2"
	fi
done
check "the log, kernel image, page tables, mem_section and per-CPU data are kernel-first extents" \
	grep -qE '^priority: [0-9]+ extents: log [1-9][0-9]* pages, kernel [1-9][0-9]*, page tables [1-9][0-9]*, meta [1-9][0-9]*, cpu [1-9][0-9]*$' "$T/cl.out"
check "kallsyms: every looked-up name found, 2 CPUs' per-CPU areas" \
	grep -qE '^# pfilter: per-CPU areas of 2 CPUs, 0x[0-9a-f]+ bytes each, kallsyms names 0x1ff$' "$T/cl.out"

# ---- the stream: other window sizes, the writer's two passes ---------------
classify --level 30 --kept "$T/kept.64" >/dev/null 2>&1
classify --level 30 --window 37 --kept "$T/kept.37" >/dev/null 2>&1
check "windows of 37 frames keep the same frames as windows of 64" cmp "$T/kept.64" "$T/kept.37"
rm -f "$T/mdf"
makedumpfile -d 30 "$ram" "$T/mdf" >/dev/null 2>&1
classify --level 30 --window 13 --two-pass --oracle "$T/mdf" >"$T/2p.out" 2>&1
grep -E '^oracle: (both|we only,)' "$T/2p.out" | sed 's/^/# two passes: /'
check_eq "the writer's order (kernel-first extents whole, then the rest in windows of 13): every page makedumpfile keeps is kept" \
	"$(sed -n 's/^oracle: .*makedumpfile only \([0-9]*\),.*/\1/p' "$T/2p.out")" 0
check_eq "the writer's order: pages kept beyond makedumpfile are kernel-first pages" \
	"$(sed -n 's/^oracle: we only, .*; other \([0-9]*\)$/\1/p' "$T/2p.out")" 0

# ---- corrupt struct pages --------------------------------------------------
classify --level 30 --scribble 200 --seed 7 >"$T/scr.out" 2>&1
rc=$?
grep -E '^(scribble):' "$T/scr.out" | sed 's/^/# /'
check_eq "scribbled struct pages: classify completes (exit 0)" "$rc" 0
check_eq "scribbled struct pages: those pages kept, nothing kept before left out, MEMMAP_BAD set" \
	"$(sed -n 's/^scribble: \([0-9]*\) struct pages overwritten; kept before, left out now: \([0-9]*\); MEMMAP_BAD \(.*\)$/\1 \2 \3/p' "$T/scr.out")" \
	"264 0 set"
check "scribbled struct pages: the console names a failed check" grep -q '^# pfilter: struct page of pfn 0x[0-9a-f]* makes no sense' "$T/scr.out"

# ---- corrupt mem_section and page tables -------------------------------------
for kind in meta pgtable; do
	classify --level 30 --scribble-tables "$kind" --seed 3 >"$T/tab.out" 2>&1
	rc=$?
	grep -E '^tables: [0-9]+ ' "$T/tab.out" | sed 's/^/# /'
	check_eq "scribbled $kind pages: classify completes (exit 0)" "$rc" 0
	check "scribbled $kind pages: nothing kept before left out, struct pages flagged" \
		grep -qE '^tables: [1-9][0-9]* [a-z_-]+ pages overwritten; kept before, left out now: 0; struct pages flagged yes$' "$T/tab.out"
done

# ---- missing VMCOREINFO keys ------------------------------------------------
classify --print-vmcoreinfo >"$T/vmci" 2>&1
grep -v '^NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=' "$T/vmci" >"$T/vmci.nobuddy"
rm -f "$T/mdf"
makedumpfile -d 14 "$ram" "$T/mdf" >/dev/null 2>&1
classify --vmcoreinfo "$T/vmci.nobuddy" --level 30 --oracle "$T/mdf" >"$T/nb.out" 2>&1
check "no PAGE_BUDDY_MAPCOUNT_VALUE: the console says free pages are kept" \
	grep -q '^# pfilter: VMCOREINFO has no NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE): free pages kept$' "$T/nb.out"
check_eq "no PAGE_BUDDY_MAPCOUNT_VALUE: classes 2|4|8 active, no free page left out" \
	"$(sed -n 's/^classify: pages .* free \([0-9]*\)$/\1/p; s/^classify: active \(0x[0-9a-f]*\).*/\1/p' "$T/nb.out" | tr '\n' ' ')" "0 0xe "
check_eq "no PAGE_BUDDY_MAPCOUNT_VALUE: the rest equals makedumpfile -d 14" \
	"$(sed -n 's/^oracle: .*makedumpfile only \([0-9]*\), we only \([0-9]*\)$/\1 \2/p' "$T/nb.out")" "0 0"
grep -v '^SYMBOL(mem_section)=' "$T/vmci" >"$T/vmci.nomem"
classify --vmcoreinfo "$T/vmci.nomem" --level 30 >"$T/nm.out" 2>&1
check "no SYMBOL(mem_section): the console says so" \
	grep -q '^# pfilter: VMCOREINFO has no SYMBOL(mem_section): no struct pages, no filtering$' "$T/nm.out"
check_eq "no SYMBOL(mem_section): nothing left out, RD_FF_NO_MEMMAP" \
	"$(sed -n 's/^classify: pages \([0-9]*\) kept \([0-9]*\) .*/\1 \2/p; s/^classify: active \(.*\)$/\1/p' "$T/nm.out" | tr '\n' ' ')" \
	"$(sed -n 's/^classify: pages \([0-9]*\) .*/\1 \1/p' "$T/nb.out") 0x0 flags 0x1 "
exit 0
