#!/bin/bash
# tests/t-conv-guest.sh - LKCD and kdump-compressed conversions and the
# crash summary of `rawdump info`, on a real crash of Debian's kernel taken
# by QEMU rather than by rawdump (t-conv-e2e.sh does the rawdump-captured
# dump): registers come from QEMU's CPU state (with CR3), not from the
# kernel's crash notes, and the guest logs a multi-line record.
#
# A guest (the installed /boot/vmlinuz-REL, KASLR on, 512 MiB, 2 CPUs, a
# busybox initramfs that loads qemu_fw_cfg so QEMU's dump carries the
# guest's VMCOREINFO) logs marker lines and crashes with sysrq-c (panic=0:
# it stays in panic); scripts/qemu/rdqemu.py takes QEMU's own ELF dump
# (dump-guest-memory) at the panic's last line. Then:
#   - ELF -> LKCD -> ELF and ELF -> kdump -> ELF keep every memory byte;
#   - crash 8.0.2 with the debug vmlinux gives the same `sys`, `log`, `ps`,
#     `bt` on the LKCD file (with the -m phys_base/--kaslr rawdump prints)
#     and on the kdump-compressed file as on the ELF vmcore (not `bt -a`:
#     on QEMU's ELF crash unwinds the idle CPU from its stack, on kdump and
#     LKCD from its NT_PRSTATUS registers, so that CPU's first frame differs);
#   - makedumpfile --dump-dmesg reads the kdump-compressed file, and its
#     log equals `rawdump info --full-log`'s;
#   - `rawdump info --full-log` shows exactly the kernel lines the guest printed
#     on its serial console (ignore_loglevel: every record is printed), the
#     panic message and the crashing CPU the console showed.
# Cost: about 2-3 minutes (guest boot under TCG ~10 s, three crash sessions
# on 512 MiB dumps, byte comparisons); ~1.8 GB of temporary files.
. "$(dirname "$0")/lib.sh"
need qemu-system-x86_64 python3 crash makedumpfile busybox cpio gzip
[ -x "$RAWDUMP" ] || { fail "build" "$RAWDUMP missing (run make)"; exit 1; }
REL=$(ls -1 /lib/modules | sort -V | tail -n 1)
KERNEL=/boot/vmlinuz-$REL
FWCFG=$(find "/lib/modules/$REL" -name 'qemu_fw_cfg.ko*' | head -n 1)
[ -f "$KERNEL" ] && [ -n "$FWCFG" ] || { fail "guest kernel" "$KERNEL or qemu_fw_cfg.ko missing"; exit 1; }
VMLINUX=$("$TOP/scripts/get-debug-vmlinux.sh" "$REL") || { fail "debug vmlinux" "get-debug-vmlinux.sh failed"; exit 1; }

# 1. The guest.
R=$T/root
mkdir -p "$R"/bin "$R"/proc "$R"/sys "$R"/dev "$R"/lib
cp /bin/busybox "$R/bin/busybox"
case $FWCFG in
*.xz) xz -dc "$FWCFG" >"$R/lib/qemu_fw_cfg.ko" ;;
*.zst) zstd -dcq "$FWCFG" >"$R/lib/qemu_fw_cfg.ko" ;;
*) cp "$FWCFG" "$R/lib/qemu_fw_cfg.ko" ;;
esac
cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /lib/qemu_fw_cfg.ko
echo "conv-guest: marker one" >/dev/kmsg
printf 'conv-guest: multi\nline record\n' >/dev/kmsg
echo "conv-guest: crashing now" >/dev/kmsg
echo c >/proc/sysrq-trigger
EOF
chmod +x "$R/init"
(cd "$R" && find . | cpio -H newc -o 2>/dev/null | gzip -1) >"$T/initrd.gz"
E=$T/ram.elf
python3 "$TOP/scripts/qemu/rdqemu.py" --kernel "$KERNEL" --initrd "$T/initrd.gz" \
	--append "console=ttyS0 panic=0 ignore_loglevel" --mem 512 --smp 2 \
	--log "$T/serial.log" --dump-file "$E" --dump-on '---\[ end Kernel panic' \
	--quit-after-dump --timeout 300 -- -device vmcoreinfo >"$T/qemu.out" 2>&1
check "guest crashed and QEMU dumped its RAM" test -s "$E"
[ -s "$E" ] || { tail -n 20 "$T/serial.log" | sed 's/^/#   /'; exit 1; }

# 2. Conversions and round trips.
check_rc "elf -> lcrash" 0 "$RAWDUMP" convert "$E" "$T/g.lcrash" --to lcrash
check_rc "elf -> kdump" 0 "$RAWDUMP" convert "$E" "$T/g.kdump" --to kdump
memcmp() {
	python3 - "$1" "$2" <<'EOF'
import mmap, struct, sys
def loads(path):
    f = open(path, 'rb'); mm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    phoff, = struct.unpack_from('<Q', mm, 32); phentsize, phnum = struct.unpack_from('<HH', mm, 54)
    return mm, [struct.unpack_from('<IIQQQQQQ', mm, phoff + i * phentsize) for i in range(phnum)]
def read(mm, segs, pa, n):
    for t, fl, off, va, p, fsz, msz, al in segs:
        if t == 1 and p <= pa and pa + n <= p + msz:
            o = pa - p
            d = mm[off + o: off + min(o + n, fsz)] if o < fsz else b''
            return d + bytes(n - len(d))
    return None
a, sa = loads(sys.argv[1]); b, sb = loads(sys.argv[2]); total = 0
for t, fl, off, va, p, fsz, msz, al in sa:
    if t != 1 or va >= 0xffffffff80000000: continue
    pos = 0
    while pos < msz:
        n = min(1 << 20, msz - pos)
        y = read(b, sb, p + pos, n)
        if y is None: sys.exit("0x%x+0x%x not in %s" % (p + pos, n, sys.argv[2]))
        if read(a, sa, p + pos, n) != y: sys.exit("bytes differ in 0x%x+0x%x" % (p + pos, n))
        pos += n; total += n
if total < (256 << 20): sys.exit("only %d bytes compared" % total)
print("identical", total)
EOF
}
for f in lcrash kdump; do
	check_rc "$f -> elf" 0 "$RAWDUMP" convert "$T/g.$f" "$T/back.elf" --to elf
	check "elf -> $f -> elf keeps every byte" memcmp "$E" "$T/back.elf"
	rm -f "$T/back.elf"
done

# 3. crash: same answers on every format.
printf 'sys\nlog\nps\nbt\nquit\n' >"$T/cmds"
crash_run "$T/c.elf" "$VMLINUX" "$E"
check "crash on the ELF shows the panic" grep -q 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$T/c.elf"
check "crash bt on the ELF reaches sysrq_handle_crash" grep -q sysrq_handle_crash "$T/c.elf"
crash_run "$T/c.kdump" "$VMLINUX" "$T/g.kdump"
check "crash: kdump-compressed = ELF (sys log ps bt)" diff "$T/c.elf" "$T/c.kdump"
# the exact command line rawdump printed for the LKCD file
cmd=$("$RAWDUMP" convert "$E" "$T/g2.lcrash" --to lcrash | sed -n 's/^open with: crash //p')
read -r -a opts <<<"${cmd% *}"
check_eq "printed LKCD options" "${opts[0]}" "-m"
crash_run "$T/c.lcrash" "${opts[0]}" "${opts[1]}" "${opts[2]}" "$VMLINUX" "$T/g.lcrash"
# LKCD carries only rip/rsp of each CPU: crash unwinds the bottom frames
# (syscall entry) differently from run to run; compare up to vfs_write,
# which the sysrq write path always passes through
upto_vfs_write() { awk '{ print } /vfs_write/ { exit }' "$1"; }
check "crash: LKCD = ELF (sys log ps, bt down to vfs_write)" \
	diff <(upto_vfs_write "$T/c.elf") <(upto_vfs_write "$T/c.lcrash")
check "crash: the LKCD bt reaches vfs_write" grep -q vfs_write "$T/c.lcrash"

# 4. makedumpfile and the kernel log.
check "makedumpfile --dump-dmesg reads the kdump file" makedumpfile --dump-dmesg "$T/g.kdump" "$T/dmesg.mdf"
kernlines() { grep -aE '^\[ *[0-9]+\.[0-9]{6}\] ' "$1"; }
"$RAWDUMP" info "$T/g.kdump" --full-log >"$T/info.txt"
kernlines "$T/info.txt" >"$T/info.log"
tr -d '\r' <"$T/serial.log" >"$T/serial.txt"
kernlines "$T/serial.txt" >"$T/serial.log2"
# makedumpfile indents the continuation lines of a record instead of
# repeating the timestamp: compare record by record (info --json).
"$RAWDUMP" info "$T/g.kdump" --json --full-log >"$T/info-full.json"
python3 - "$T/info-full.json" >"$T/info.mdfstyle" <<'EOF2'
import json, re, sys
for rec in json.load(open(sys.argv[1]))['log']:
    lines = rec.split('\n')
    print(lines[0])
    for l in lines[1:]:
        m = re.match(r'^\[ *[0-9]+\.[0-9]{6}\] ', l)
        print(' ' * m.end() + l[m.end():])
EOF2
check "info log = makedumpfile's dmesg" diff "$T/dmesg.mdf" "$T/info.mdfstyle"
check "info log = serial console (same lines, same order)" diff "$T/serial.log2" "$T/info.log"
check_eq "log has the guest's markers" "$(grep -c 'conv-guest: ' "$T/info.log")" 3
check "multi-line record printed like the console" grep -qE '^\[ *[0-9.]+\] line record$' "$T/info.log"
panic_serial=$(grep -o 'Kernel panic - not syncing: .*' "$T/serial.txt" | head -n 1)
"$RAWDUMP" info "$T/g.lcrash" --json >"$T/info.json"
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/info.json" "$1"; }
check_eq "panic message (json)" "$(jget panic)" "$panic_serial"
cpu_serial=$(sed -n 's/^\[ *[0-9.]*\] CPU: \([0-9]*\) PID: .*/\1/p' "$T/serial.txt" | tail -n 1)
check_eq "crashed CPU (json)" "$(jget crashed_cpu)" "$cpu_serial"
check_eq "kernel release (json)" "$(jget kernel_release)" "$REL"
check_eq "registers of every CPU (json)" "$(jget cpu_notes)" 2
check "crash command for LKCD has phys_base and kaslr" \
	bash -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"crash_command\"])' $T/info.json | grep -q -- '-m phys_base=0x[0-9a-f]* --kaslr=0x'"
check "CR3 of every CPU from QEMU's CPU-state notes" python3 -c '
import json, sys
cpus = json.load(open(sys.argv[1]))["cpus"]
sys.exit(0 if len(cpus) == 2 and all(int(c["cr3"] or "0", 16) for c in cpus) else 1)' "$T/info.json"

# Hostile VMCOREINFO: an offset of -1 must not make the log reader read
# outside its buffers (found by fuzzing); info still works, without a log.
python3 - "$T/g.kdump" "$T/bad.kdump" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
k = b'OFFSET(printk_info.caller_id)=20\n'
assert d.count(k) >= 1
open(sys.argv[2], 'wb').write(d.replace(k, b'OFFSET(printk_info.caller_id)=-1\n', 1))
EOF
"$RAWDUMP" info "$T/bad.kdump" --json >"$T/bad.json" 2>&1
check_eq "info on a dump with OFFSET(...)=-1 exits 0" "$?" 0
check "it says why there is no log" grep -q '"log_error": "printk ring buffer layout missing or implausible' "$T/bad.json"

# Bytes that are not UTF-8 in the kernel log (a crashed kernel's log may hold
# anything): overwrite "marker one" in QEMU's ELF dump (the log record, and
# the init script's copies) with invalid sequences; info --json stays valid
# UTF-8, each bad byte one U+FFFD.
python3 - "$E" <<'EOF'
import mmap, sys
f = open(sys.argv[1], 'r+b'); mm = mmap.mmap(f.fileno(), 0)
old, new, n, pos = b'marker one', b'marker \xff\xc3(', 0, 0
while True:
    pos = mm.find(old, pos)
    if pos < 0:
        break
    mm[pos:pos + len(old)] = new; n += 1; pos += len(old)
mm.flush()
sys.exit(0 if n else 1)
EOF
"$RAWDUMP" info "$E" --json --full-log >"$T/utf8.json"
check_eq "invalid UTF-8 in the kernel log: valid JSON, U+FFFD for each bad byte" \
	"$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))
print([ascii(r.split("] ", 1)[1]) for r in d["log"] if "conv-guest: marker" in r])' "$T/utf8.json")" \
	"[\"'conv-guest: marker \\\\ufffd\\\\ufffd('\"]"
