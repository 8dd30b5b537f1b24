#!/bin/bash
# tests/t-kdump-smoke.sh - the stock-kdump baseline of `make bench`
# (scripts/bench/50-kdump.sh) really works: a 512 MiB guest built with
# build-guest.sh --kdump loads Debian's kernel with `kexec -p`, crashes, the
# capture kernel's `makedumpfile -F -c -d 31` writes the raw partition, and
# on the host makedumpfile -R rebuilds a vmcore whose kernel log
# (--dump-dmesg) and crash(8) `sys` show the sysrq panic. No timing here.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
need makedumpfile crash
# 96M: the bench's 90M is the edge (88M fails); at 90M the capture kernel
# once panicked "System is deadlocked on memory" during make check.
KDUMP_CK=96M
E2E_GUEST=$B/e2e/guest-kdump
stale=0
[ -f "$E2E_GUEST/initrd.gz" ] || stale=1
for src in "$RAWDUMP" "$B/minikernel/rdmk.bzImage" "$TOP"/tests/guest/init.sh "$TOP"/tests/guest/kdump-init.sh \
	"$TOP"/tests/guest/fill/rdfill.c "$TOP"/scripts/guest/build-guest.sh "$TOP"/scripts/guest/build-kdump.sh; do
	[ "$src" -nt "$E2E_GUEST/initrd.gz" ] && stale=1
done
if [ "$stale" = 1 ]; then
	"$TOP/scripts/guest/build-guest.sh" --release "$E2E_REL" --out "$E2E_GUEST" --kdump >"$T/build.log" 2>&1 ||
		{ fail "guest image with the kdump baseline builds" "$(tail -n 3 "$T/build.log" | tr '\n' ' ')"; exit 1; }
fi
pass "guest image with the kdump baseline builds ($(du -k "$E2E_GUEST/initrd.gz" | cut -f1) KiB)"
VMLINUX=$("$TOP/scripts/get-debug-vmlinux.sh" "$E2E_REL") || { fail "debug vmlinux" "get-debug-vmlinux.sh failed"; exit 1; }

"$TOP/scripts/guest/make-disk.sh" "$T/disk.img" --fs-size 32M --dump-size 600M 2>/dev/null
e2e_boot "$T/g.log" "rdguest.run=bench rdguest.dumper=kdump rdguest.kmode=md31 rdguest.load=none crashkernel=$KDUMP_CK" \
	--disk "$T/disk.img" --mem 512 --smp 2 --timeout 600 --quit-on '^RDKDUMP: (done|FAILED)'
check "kexec -p loads Debian's kernel into crashkernel=$KDUMP_CK" grep -q '^RDGUEST: kexec-p rc=0 loaded=1' "$T/g.log"
if grep -q "^RDKDUMP: up " "$T/g.log"; then
	pass "the capture kernel runs its init"
else
	fail "the capture kernel runs its init"
	grep -a -E 'Kernel panic|Out of memory|deadlocked|RDKDUMP|RDGUEST: END' "$T/g.log" | tail -n 5 | sed 's/^/# /'
fi
check "it reports the first data write" grep -q '^RDKDUMP: first data written' "$T/g.log"
check "makedumpfile -F -c -d 31 | dd completes" grep -q '^RDKDUMP: done mode=md31 .* rc=0' "$T/g.log"
start=$(sfdisk -d "$T/disk.img" | awk -F'[=,]' '/^[^ ]*2 :/ { print $2 + 0 }')
# rebuild: the flattened stream from the partition's start; makedumpfile
# stops reading at the stream's end marker (dd then dies of SIGPIPE)
rebuild() {
	dd if="$T/disk.img" bs=1M iflag=skip_bytes skip=$((start * 512)) status=none 2>/dev/null |
		makedumpfile -R "$T/vmcore"
	[ "${PIPESTATUS[1]}" = 0 ] && test -s "$T/vmcore"
}
check "makedumpfile -R rebuilds the flattened dump" rebuild
check "makedumpfile --dump-dmesg: the kernel log ends in the sysrq crash" \
	makedumpfile --dump-dmesg "$T/vmcore" "$T/dmesg.txt"
check "the log has the sysrq line" grep -q 'sysrq: Trigger a crash' "$T/dmesg.txt"
printf 'sys\nquit\n' | crash -s "$VMLINUX" "$T/vmcore" >"$T/crash.out" 2>&1
check "crash sys shows the panic" grep -q 'PANIC:.*sysrq' "$T/crash.out"
