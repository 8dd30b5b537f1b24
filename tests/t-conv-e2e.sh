#!/bin/bash
# tests/t-conv-e2e.sh - LKCD, kdump-compressed and `rawdump info` on the
# end-to-end guest's real dump: the Debian guest (tests/guest, 512 MiB,
# 2 CPUs, KASLR on, ignore_loglevel so every printk reaches the serial
# console) is armed, crashes with sysrq-c, the minikernel writes the dump to
# the rawdump partition of its disk image, and then on the host:
#   - partition -> elf, lcrash, kdump; lcrash -> elf and kdump -> elf give
#     the very ELF file partition -> elf gives (every byte, notes, ranges);
#   - crash 8.0.2 with the debug vmlinux: `sys`, `log`, `ps`, `bt` on the
#     kdump-compressed file equal the ELF's; on the LKCD file (with the
#     -m phys_base/--kaslr line rawdump printed) `sys`, `log`, `ps` equal and
#     `bt` equals from `panic` on: LKCD keeps only rip/rsp, so crash starts
#     at the saved RIP in __crash_kexec instead of unwinding machine_kexec;
#   - makedumpfile --dump-dmesg reads the kdump file; its log equals
#     `rawdump info`'s; rawdump reads makedumpfile -c -d 0's own output back
#     byte for byte;
#   - `rawdump info --full-log`: exactly the kernel lines of the serial
#     console (same lines, same order), the panic message, the crashing CPU,
#     the crash time (VMCOREINFO CRASHTIME), registers of both CPUs.
# Cost: about 3 minutes (guest boot and capture ~40 s under TCG, three crash
# sessions, makedumpfile); ~2 GB of temporary files.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
need crash makedumpfile python3
VMLINUX=$("$TOP/scripts/get-debug-vmlinux.sh" "$E2E_REL") || { fail "debug vmlinux" "get-debug-vmlinux.sh failed"; exit 1; }
e2e_guest

disk=$T/disk.img
"$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 64M --dump-size 688M >/dev/null 2>&1
log=$T/crash.log
t0=$(date +%s)
e2e_boot "$log" "crashkernel=4M rdguest.run=crash rdguest.format=1 rdguest.exit=qemu rdguest.seed=3 ignore_loglevel" \
	--disk "$disk" --mem 512 --smp 2 --timeout 600
rc=$?
check_eq "guest crashed, minikernel wrote the dump (QEMU exit 33)" "$rc" 33
[ "$rc" = 33 ] || { grep -a '^rawdump: ' "$log" | tail -n 5 | sed 's/^/#   /'; exit 1; }

# 1. Conversions straight from the partition, and back.
for f in elf lcrash kdump; do
	check_rc "partition -> $f" 0 "$RAWDUMP" convert "$disk:2" "$T/g.$f" --to $f
done
for f in lcrash kdump; do
	check_rc "$f -> elf" 0 "$RAWDUMP" convert "$T/g.$f" "$T/back.elf" --to elf
	check "$f -> elf is the very ELF partition -> elf gives" cmp "$T/g.elf" "$T/back.elf"
	rm -f "$T/back.elf"
done

# 2. crash on each format.
printf 'sys\nlog\nps\nbt\nquit\n' >"$T/cmds"
bt_from_panic() { sed -n '/^PID: .*COMMAND:/,$p' "$1" | sed -n '/ panic at /,$p' | sed 's/^ *#[0-9]* //'; }
no_bt() { sed '/^PID: .*COMMAND:/,$d' "$1"; }
crash_run "$T/c.elf" "$VMLINUX" "$T/g.elf"
check "crash on the ELF: panic and sysrq backtrace" \
	sh -c "grep -q 'PANIC: \"Kernel panic - not syncing: sysrq triggered crash\"' '$T/c.elf' && grep -q ' sysrq_handle_crash at ' '$T/c.elf'"
crash_run "$T/c.kdump" "$VMLINUX" "$T/g.kdump"
check "crash: kdump-compressed = ELF (sys log ps bt)" diff "$T/c.elf" "$T/c.kdump"
cmd=$("$RAWDUMP" convert "$disk:2" "$T/g2.lcrash" --to lcrash | sed -n 's/^open with: crash //p')
rm -f "$T/g2.lcrash"
read -r -a opts <<<"${cmd% *}"
pb=$(grep -a -m 1 -o 'NUMBER(phys_base)=-\?[0-9]*' "$T/g.elf" | cut -d= -f2)	# %ld: may be negative
ko=$(grep -a -m 1 -o 'KERNELOFFSET=[0-9a-f]*' "$T/g.elf" | cut -d= -f2)
check_eq "printed LKCD options = VMCOREINFO's phys_base and KERNELOFFSET" \
	"${opts[*]:0:3}" "-m phys_base=$(printf '0x%x' "$pb") --kaslr=0x$ko"
crash_run "$T/c.lcrash" "${opts[0]}" "${opts[1]}" "${opts[2]}" "$VMLINUX" "$T/g.lcrash"
check "crash: LKCD = ELF (sys log ps)" diff <(no_bt "$T/c.elf") <(no_bt "$T/c.lcrash")
check "crash: LKCD bt = ELF bt from panic on" diff <(bt_from_panic "$T/c.elf") <(bt_from_panic "$T/c.lcrash")
check "crash: LKCD bt starts at the saved RIP (__crash_kexec)" \
	grep -qE '^ *#0 \[[0-9a-f]+\] __crash_kexec at ' "$T/c.lcrash"

# 3. makedumpfile both ways.
check "makedumpfile --dump-dmesg reads the kdump file" makedumpfile --dump-dmesg "$T/g.kdump" "$T/dmesg.mdf"
"$RAWDUMP" info "$T/g.kdump" --json --full-log >"$T/info-full.json"
python3 - "$T/info-full.json" >"$T/info.mdfstyle" <<'EOF'
import json, re, sys
for rec in json.load(open(sys.argv[1]))['log']:
    lines = rec.split('\n')
    print(lines[0])
    for l in lines[1:]:
        m = re.match(r'^\[ *[0-9]+\.[0-9]{6}\] ', l)
        print(' ' * m.end() + l[m.end():])
EOF
check "info log = makedumpfile's dmesg" diff "$T/dmesg.mdf" "$T/info.mdfstyle"
check "makedumpfile -c -d 0 on rawdump's ELF" makedumpfile -c -d 0 "$T/g.elf" "$T/m.kdump"
check_rc "makedumpfile's kdump -> elf" 0 "$RAWDUMP" convert "$T/m.kdump" "$T/m.elf" --to elf
check "makedumpfile's kdump read back: every byte it holds equals the ELF's" python3 - "$T/m.elf" "$T/g.elf" <<'EOF'
import mmap, struct, sys
def loads(p):
    f = open(p, 'rb'); mm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    o, = struct.unpack_from('<Q', mm, 32); es, n = struct.unpack_from('<HH', mm, 54)
    return mm, [s for s in (struct.unpack_from('<IIQQQQQQ', mm, o + i * es) for i in range(n)) if s[0] == 1]
(a, sa), (b, sb) = loads(sys.argv[1]), loads(sys.argv[2])
def rd(mm, ss, pa, n):
    for t, fl, off, va, p, fsz, msz, al in ss:
        if p <= pa and pa + n <= p + msz:
            d = mm[off + pa - p: off + min(pa - p + n, fsz)]
            return d + bytes(n - len(d))
total = 0
for t, fl, off, va, p, fsz, msz, al in sa:
    for pos in range(0, msz, 1 << 20):
        n = min(1 << 20, msz - pos)
        x = rd(b, sb, p + pos, n)
        if x is None or rd(a, sa, p + pos, n) != x: sys.exit("differ at 0x%x" % (p + pos))
        total += n
if total < (256 << 20): sys.exit("only %d bytes" % total)
print("identical", total)
EOF
rm -f "$T/m.elf" "$T/m.kdump"

# 4. rawdump info against the serial console.
kernlines() { grep -aE '^\[ *[0-9]+\.[0-9]{6}\] ' "$1"; }
"$RAWDUMP" info "$disk:2" --full-log >"$T/info.txt"
kernlines "$T/info.txt" >"$T/info.log"
tr -d '\r' <"$log" >"$T/serial.txt"
kernlines "$T/serial.txt" >"$T/serial.log"
check "info log = serial console (same lines, same order)" diff "$T/serial.log" "$T/info.log"
check "log holds the plant module's report" grep -q 'rdplant: planted 384 pages, seed 3' "$T/info.log"
"$RAWDUMP" info "$disk:2" --json >"$T/info.json"
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/info.json" "$1"; }
check_eq "panic message" "$(jget panic)" "$(grep -o 'Kernel panic - not syncing: .*' "$T/serial.txt" | head -n 1)"
check_eq "crashed CPU" "$(jget crashed_cpu)" \
	"$(sed -n 's/^\[ *[0-9.]*\] CPU: \([0-9]*\) PID: .*/\1/p' "$T/serial.txt" | tail -n 1)"
check_eq "crashed task" "$(jget crashed_comm)" init
check_eq "registers of both CPUs" "$(jget cpu_notes)" 2
ct=$(jget crash_time)
check "crash time from CRASHTIME, within this test's run" test "$ct" -ge "$t0" -a "$ct" -le "$(date +%s)"
check "uptime is the last record's timestamp" test "$(jget uptime_ns)" -gt 1000000000
"$RAWDUMP" info "$T/g.lcrash" --json >"$T/info.json"
check_eq "info on the LKCD file: same panic" "$(jget panic)" "$(grep -o 'Kernel panic - not syncing: .*' "$T/serial.txt" | head -n 1)"
check_eq "info on the LKCD file: crash command with phys_base/kaslr" \
	"$(jget crash_command | cut -d' ' -f1-4)" "crash ${opts[*]:0:3}"
