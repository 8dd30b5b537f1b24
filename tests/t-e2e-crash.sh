#!/bin/bash
# tests/t-e2e-crash.sh - the end-to-end crash test with a real Debian guest.
#
# Boot 1 (1 GiB, -smp 2, crashkernel=$E2E_CRASHKERNEL, stock 6.1 bzImage with
# KASLR): rawdump format, rawdump arm (rd.exit=halt), load the rdplant module
# (known data in kmalloc'ed and vmalloc'ed pages), echo c >
# /proc/sysrq-trigger. When the minikernel's writer starts ("dump: N ranges"),
# QEMU's own dump-guest-memory is taken while the minikernel runs (the VM
# pauses for it; the crashed kernel's RAM does not change once the
# minikernel runs); at "rawdump: DONE" QEMU quits. On the host, rawdump save the image's
# partition (of a copy of the disk), then check:
#   - every planted byte is in the vmcore at its physical address;
#   - every byte of every PT_LOAD equals QEMU's dump at that address;
#   - the NT_PRSTATUS notes (one per CPU) and VMCOREINFO equal what the
#     kernel wrote (read from the elfcorehdr in QEMU's dump);
#   - gdb reads linux_banner and the crashing CPU's frame (panic path);
#   - makedumpfile --dump-dmesg shows the panic message;
#   - crash 8.0.2 with the debug vmlinux: log, bt (sysrq path), ps.
# Boot 2 of the same disk: arm refuses (unsaved dump, exit 3), the boot-time
# path saves the vmcore to the ext4 partition and re-arms; the partition says
# saved; the ext4 filesystem is clean (e2fsck -fn) and its vmcore is right.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
E2E_MEM=${E2E_MEM:-1024}
E2E_CRASHKERNEL=${E2E_CRASHKERNEL:-4M}
SEED=$((RANDOM * 32768 + RANDOM + 1))
e2e_need
need crash gdb makedumpfile e2fsck debugfs
e2e_guest

disk=$T/disk.img
"$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 2G --dump-size $((E2E_MEM + 176))M 2>/dev/null
log=$T/crash.log

# ---- boot 1: format, arm, plant, crash ---------------------------------
e2e_boot "$log" "crashkernel=$E2E_CRASHKERNEL rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$SEED" \
	--disk "$disk" --mem "$E2E_MEM" --smp 2 --timeout 600 \
	--dump-file "$T/ram.elf" --dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)'
check_eq "boot 1: arm refuses an unformatted partition (exit 4)" "$(e2e_line "$log" arm-before-format)" "rc=4"
check_eq "boot 1: rawdump format" "$(e2e_line "$log" format)" "rc=0"
check "boot 1: rawdump arm" grep -q '^RDGUEST: arm rc=0 ' "$log"
check "boot 1: plant module loaded" grep -q '^RDGUEST: plant end' "$log"
check "boot 1: minikernel started after sysrq-c" grep -q '^rawdump: rawdump-minikernel' "$log"
done_line=$(grep -a '^rawdump: \(DONE\|FAILED\)' "$log" | tail -n 1)
case $done_line in
"rawdump: DONE"*) pass "boot 1: minikernel wrote the dump (${done_line#rawdump: })" ;;
*) fail "boot 1: minikernel wrote the dump" "${done_line:-no DONE line}"; exit 1 ;;
esac
check "boot 1: QEMU dump-guest-memory reference taken while the minikernel ran" test -s "$T/ram.elf"
check "boot 1: the minikernel finished after the reference dump" \
	awk '/rdqemu: guest memory dumped/ { d = 1 } /rawdump: DONE/ && d { ok = 1 } END { exit !ok }' "$log.ts"
# timings from the runner's host clock
awk '
/RDGUEST: crashing|sysrq: Trigger a crash/ && !c { c = $1 }
/ rawdump: rawdump-minikernel/ && !m { m = $1 }
/ dump: [0-9]+ ranges/ && !d { d = $1 }
/ rawdump: DONE/ && !e { e = $1 }
END { if (c && e) printf "# sysrq -> minikernel %.2f s, -> writing %.2f s, -> DONE %.2f s (host clock, includes the pause for the QMP dump)\n", m - c, d - c, e - c }' "$log.ts"

# elfcorehdr address as the minikernel got it (0x... from kexec_file_load,
# NNNK from kexec_load)
ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$log" | head -n 1 | cut -d= -f2)
case $ech in
*[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;;
esac

# ---- host: save and check ------------------------------------------------
info=$("$RAWDUMP" info "$disk:2" --json)
check_eq "partition state after the crash" "$(printf '%s' "$info" | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')" "complete"
# save from a copy: the disk itself must still hold the unsaved dump for boot 2
cp --sparse=always "$disk" "$T/host.img"
check_rc "rawdump save the image's partition" 0 "$RAWDUMP" save "$T/host.img:2" -o "$T" --name vmcore
rm -f "$T/host.img"
vmcore=$T/vmcore
check "every planted byte is in the vmcore (seed $SEED)" "$E2E_CHECK" plant --seed "$SEED" --list "$log" "$vmcore"
grep '^plant:' "$T/.out" | sed 's/^/# /'
check "every dumped byte equals QEMU's dump-guest-memory" "$E2E_CHECK" compare "$vmcore" "$T/ram.elf" --elfcorehdr "$ech"
grep '^compare:' "$T/.out" | sed 's/^/# /'
check "NT_PRSTATUS per CPU and VMCOREINFO equal the kernel's" "$E2E_CHECK" notes "$vmcore" "$T/ram.elf" --elfcorehdr "$ech"
cpus=$(sed -n 's/^notes: kernel wrote \([0-9]*\) NT_PRSTATUS.*/\1/p' "$T/.out")
check_eq "one NT_PRSTATUS per CPU" "$cpus" 2
# the crashing CPU's note carries the pid of the shell that wrote sysrq-c (init)
crash_rip=$(sed -n 's/^notes: prstatus pid 1 rip \(0x[0-9a-f]*\)$/\1/p' "$T/.out" | head -n 1)
# the checks can fail: a wrong seed, and one flipped byte in a copy of the vmcore
check_not "the plant check rejects a wrong seed" "$E2E_CHECK" plant --seed $((SEED + 1)) --list "$log" "$vmcore"
off=$(( $(readelf -lW "$vmcore" | awk '$1 == "LOAD" { print $2; exit }') ))
cp --sparse=always "$vmcore" "$T/bad"
printf '\xa5' | dd of="$T/bad" bs=1 seek=$((off + 0x12345)) conv=notrunc status=none
check_not "the compare check finds one flipped byte" "$E2E_CHECK" compare "$T/bad" "$T/ram.elf" --elfcorehdr "$ech"
rm -f "$T/ram.elf" "$T/bad"

# gdb: symbols relocated by the KASLR offset the dump's VMCOREINFO gives
[ -s "${RAWDUMP_CACHE:-/var/cache/rawdump}/vmlinux-$E2E_REL" ] ||
	echo "# fetching the debug vmlinux of $E2E_REL once (linux-image-$E2E_REL-dbg, ~860 MB download)"
vmlinux=$("$TOP/scripts/get-debug-vmlinux.sh" "$E2E_REL" 2>"$T/dbg.err")
if [ -z "$vmlinux" ] || [ ! -s "$vmlinux" ]; then
	fail "debug vmlinux for $E2E_REL" "$(tail -n 2 "$T/dbg.err" | tr '\n' ' ')"
	exit 1
fi
koff=$(grep -a -m 1 -o 'KERNELOFFSET=[0-9a-f]*' "$vmcore" | head -n 1 | cut -d= -f2)
gdb -batch -nx -ex "symbol-file -o 0x$koff $vmlinux" -ex "core-file $vmcore" \
	-ex 'x/s &linux_banner' -ex 'info threads' -ex "info symbol ${crash_rip:-0}" >"$T/gdb.out" 2>&1
check "gdb reads linux_banner from the vmcore" grep -q "linux_banner>:.*\"Linux version $E2E_REL" "$T/gdb.out"
check_eq "gdb lists one thread per CPU" "$(grep -cE '^\*? +[0-9]+ +(LWP|process) ' "$T/gdb.out")" 2
check "gdb: the crashing CPU's RIP ($crash_rip) is in the panic path" \
	grep -qE '^(__crash_kexec|crash_setup_regs|machine_kexec|panic) \+ [0-9]+ in section \.text' "$T/gdb.out"

makedumpfile --dump-dmesg "$vmcore" "$T/dmesg.txt" >"$T/mdf.out" 2>&1
check "makedumpfile --dump-dmesg accepts the vmcore" grep -q 'The dmesg log is saved' "$T/mdf.out"
check "dmesg has the panic message" grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$T/dmesg.txt"
check "dmesg has the plant module's report" grep -q "rdplant: planted 384 pages, seed $SEED" "$T/dmesg.txt"

printf 'log\nbt\nps\nquit\n' | timeout 300 crash -s "$vmlinux" "$vmcore" >"$T/crash.out" 2>&1
check "crash: log shows the panic" grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$T/crash.out"
check "crash: bt of the panicking task shows the sysrq path" \
	sh -c "grep -q ' panic at ' '$T/crash.out' && grep -q ' sysrq_handle_crash at ' '$T/crash.out' && grep -q ' write_sysrq_trigger at ' '$T/crash.out'"
check "crash: ps lists the crashing task (init)" grep -qE '^>? +1 +0 +[01] +[0-9a-f]+ +RU .* init$' "$T/crash.out"

# ---- boot 2: the boot-time save path -------------------------------------
log2=$T/save.log
rm -f "$vmcore"
e2e_boot "$log2" "crashkernel=$E2E_CRASHKERNEL rdguest.run=save" --disk "$disk" \
	--mem "$E2E_MEM" --smp 2 --timeout 600
check_eq "boot 2: arm refuses while the dump is unsaved (exit 3)" "$(e2e_line "$log2" arm-before-save)" "rc=3"
check_eq "boot 2: boot-time save and re-arm" "$(e2e_line "$log2" boot-save)" "rc=0"
check "boot 2: armed again after saving" grep -q '^armed: yes' "$log2"
check_eq "boot 2: guest powered off cleanly" "$(e2e_line "$log2" END)" "save"
info=$("$RAWDUMP" info "$disk:2" --json)
check_eq "partition state after boot 2" "$(printf '%s' "$info" | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')" "saved"
fsoff=$(( $(sfdisk -d "$disk" | awk -F'[=,]' '/img1 :/ { print $2+0 }') * 512 ))
check "ext4 filesystem is clean (e2fsck -fn)" e2fsck -fn "$disk?offset=$fsoff"
name=$(debugfs -R 'ls -l /' "$disk?offset=$fsoff" 2>/dev/null | grep -oE '[0-9]{8}-[0-9]{6}-[0-9a-f]{8}' | head -n 1)
check "the dump directory is on the ext4 partition ($name)" test -n "$name"
debugfs -R "dump /$name/vmcore $T/vmcore2" "$disk?offset=$fsoff" >/dev/null 2>&1
check "the guest-saved vmcore holds every planted byte" "$E2E_CHECK" plant --seed "$SEED" --list "$log" "$T/vmcore2"
debugfs -R "dump /$name/dmesg.txt $T/dmesg2.txt" "$disk?offset=$fsoff" >/dev/null 2>&1
check "dmesg.txt has the panic message" grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$T/dmesg2.txt"
"$RAWDUMP" info "$disk:2" --log | sed '1,/^kernel log: /d; /^open with: /,$d' >"$T/infolog.txt"
check "dmesg.txt = the log lines of rawdump info --log" cmp "$T/dmesg2.txt" "$T/infolog.txt"
exit 0
