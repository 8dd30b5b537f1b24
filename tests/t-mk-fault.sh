#!/bin/bash
# tests/t-mk-fault.sh - exceptions in the minikernel are reported, never a
# silent triple fault: rd.test=ud (invalid opcode) and rd.test=pf (read of
# an unmapped address) must print vector, RIP, error code and CR2 and leave
# through the failure exit without writing; so must rd.test=stack (a
# recursion into the unmapped guard page below the boot stack: the page
# fault is handled on its own IST stack); rd.test=nmi (an NMI to self,
# handled on its IST stack) must be survived and the dump completed;
# rd.test=wrdump (a write into the memory being dumped, which is mapped
# read-only) must fault the same way.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
mk_need

IMG=$T/disk.img
RANGE=0x1000000:2M
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
LOADERS=$(mk_plant 3 "$T/pat" "$RANGE")
ARGS="$(mk_target_args 2 "$UUID") rd.ranges=$RANGE"

cp "$IMG" "$T/before.img"
# shellcheck disable=SC2086
mk_boot "$T/ud.serial" "$IMG" "$ARGS rd.test=ud" $LOADERS
check_eq "ud2: QEMU exit 35" "$?" 35
mk_serial_has "ud2: vector and name" "$T/ud.serial" "exception 6 (invalid opcode) rip "
mk_serial_has "ud2: FAILED line" "$T/ud.serial" "rawdump: FAILED: exception 6"
check "ud2: disk unchanged" cmp "$T/before.img" "$IMG"

# shellcheck disable=SC2086
mk_boot "$T/pf.serial" "$IMG" "$ARGS rd.test=pf" $LOADERS
check_eq "page fault: QEMU exit 35" "$?" 35
mk_serial_has "page fault: vector, error code, CR2" "$T/pf.serial" \
	"exception 14 (page fault) rip "
mk_serial_has "page fault: CR2 is the unmapped address" "$T/pf.serial" "cr2 00007fff00000000"
check "page fault: disk unchanged" cmp "$T/before.img" "$IMG"

# shellcheck disable=SC2086
mk_boot "$T/stack.serial" "$IMG" "$ARGS rd.test=stack" $LOADERS
check_eq "stack overflow: QEMU exit 35" "$?" 35
mk_serial_has "stack overflow: caught by the guard page" "$T/stack.serial" \
	"the boot stack overflowed into its guard page"
check "stack overflow: disk unchanged" cmp "$T/before.img" "$IMG"

# shellcheck disable=SC2086
mk_boot "$T/wr.serial" "$IMG" "$ARGS rd.test=wrdump" $LOADERS
check_eq "write into dumped memory: QEMU exit 35" "$?" 35
mk_serial_has "write into dumped memory: page fault, error code present+write" "$T/wr.serial" \
	"exception 14 (page fault) rip "
grep -a "exception 14" "$T/wr.serial" | grep -Eq 'err(or)? 0*3\b|error 0x0*3\b' &&
	pass "write into dumped memory: the fault is a write to a present page" ||
	fail "write into dumped memory: the fault is a write to a present page" "$(grep -a 'exception 14' "$T/wr.serial")"
mk_serial_has "write into dumped memory: CR2 is the dumped address" "$T/wr.serial" "cr2 0000000001000000"
check "write into dumped memory: disk unchanged" cmp "$T/before.img" "$IMG"

# shellcheck disable=SC2086
mk_boot "$T/nmi.serial" "$IMG" "$ARGS rd.test=nmi" $LOADERS
check_eq "NMI: dump completes (33)" "$?" 33
mk_serial_has "NMI: handled and counted" "$T/nmi.serial" "test: 1 NMIs seen"
check_rc "NMI: rawdump save" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n nmi.vmcore
check "NMI: vmcore bytes equal the planted bytes" "$SIM" verify "$T/nmi.vmcore" \
	--pattern 3 --range "$RANGE"

# rd.exit: reboot resets the machine (without -no-reboot the firmware and
# the minikernel start again); poweroff is a shutdown (exits, or pauses
# under -no-shutdown); halt stays. Each on the failure path (no rd.pci),
# which takes the same exit.
MK_NO_REBOOT= MK_QEMU_TIMEOUT=8 mk_boot "$T/x1.serial" "$IMG" "rd.exit=reboot"
check_eq "rd.exit=reboot: still running after resets" "$?" 124
n=$(grep -ac "rawdump: FAILED: command line lacks" "$T/x1.serial")
if [ "$n" -ge 2 ]; then pass "rd.exit=reboot: the machine reset and booted again ($n boots)"
else fail "rd.exit=reboot: the machine reset and booted again" "$n boots"; fi
MK_QEMU_TIMEOUT=8 mk_boot "$T/x2.serial" "$IMG" "rd.exit=poweroff"
check_eq "rd.exit=poweroff: QEMU sees a shutdown" "$?" 0
MK_QEMU_TIMEOUT=8 mk_boot "$T/x3.serial" "$IMG" "rd.exit=poweroff" -no-shutdown
check_eq "rd.exit=poweroff: not a reset (paused under -no-shutdown)" "$?" 124
MK_QEMU_TIMEOUT=8 mk_boot "$T/x4.serial" "$IMG" "rd.exit=halt"
check_eq "rd.exit=halt: stays halted" "$?" 124
mk_serial_has "rd.exit=halt: FAILED line first" "$T/x4.serial" "rawdump: FAILED: command line lacks"
