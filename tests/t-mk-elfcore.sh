#!/bin/bash
# tests/t-mk-elfcore.sh - the real-crash path of the minikernel without a
# crash: a test-made elfcorehdr (ELF64 ET_CORE as the kernel builds it: one
# PT_NOTE per CPU ending in an empty terminator note, a VMCOREINFO PT_NOTE,
# a kernel-text PT_LOAD aliasing RAM, and a PT_LOAD whose data lies at
# p_offset != p_paddr like kexec_load's backup copy of low memory) is placed
# in guest memory with `-device loader`, named by elfcorehdr= in both forms
# (0x hex from kexec_file_load, decimal NNNK from kexec_load). The saved
# vmcore must hold the planted bytes for every PT_LOAD's p_paddr, the notes,
# and the release, crash time and CPU count from them.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
mk_need

IMG=$T/disk.img
SEED=21
RAM=0x1000000:8M		# a RAM PT_LOAD, data at p_offset == p_paddr
LOW=0x100000:512K		# a PT_LOAD whose data kexec copied elsewhere
BACKUP=0x3000000		# ... to here (p_offset)
NOTES=0x3800000			# the per-CPU and VMCOREINFO notes
HDR=0x3900000			# the elfcorehdr
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
"$SIM" pattern --pattern $SEED --range $RAM "$T/ram.bin" >/dev/null
"$SIM" pattern --pattern $SEED --range $LOW "$T/low.bin" >/dev/null

python3 - "$T" $NOTES $HDR $BACKUP <<'PY'
import struct, sys
out, notes_at, hdr_at, backup = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)

def note(name, ntype, desc):
    n = name + b'\0'
    pad = lambda b: b + b'\0' * (-len(b) % 4)
    return struct.pack('<III', len(n), len(desc), ntype) + pad(n) + pad(desc)

def prstatus(pid, rip):
    d = bytearray(0x150)
    struct.pack_into('<I', d, 32, pid)			# pr_pid
    struct.pack_into('<Q', d, 112 + 16 * 8, rip)	# pr_reg.rip
    return bytes(d)

terminator = b'\0' * 12
cpu0 = note(b'CORE', 1, prstatus(4242, 0xffffffff81234567)) + terminator + b'\0' * 64
cpu1 = note(b'CORE', 1, prstatus(0, 0xffffffff81000abc)) + terminator + b'\0' * 64
info = note(b'VMCOREINFO', 0, b'OSRELEASE=6.1.0-mktest\nPAGESIZE=4096\nCRASHTIME=1700000123\n')
blob = cpu0 + cpu1 + info
segs = [(4, notes_at, 0, 0, len(cpu0)),
        (4, notes_at + len(cpu0), 0, 0, len(cpu1)),
        (4, notes_at + len(cpu0) + len(cpu1), 0, 0, len(info)),
        (1, 0x1000000, 0xffffffff81000000, 0x1000000, 1 << 20),	# kernel text alias
        (1, 0x100000, 0xffff888000100000, backup, 512 << 10),	# low memory, in backup
        (1, 0x1000000, 0xffff888001000000, 0x1000000, 8 << 20)]	# RAM
eh = b'\x7fELF' + bytes([2, 1, 1, 0]) + b'\0' * 8
eh += struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, len(segs), 0, 0, 0)
ph = b''
for t, paddr, vaddr, off, size in segs:
    ph += struct.pack('<IIQQQQQQ', t, 0 if t == 4 else 7, off if t == 1 else paddr,
                      vaddr, paddr if t == 1 else 0, size, size, 0)
open(out + '/notes.bin', 'wb').write(blob)
open(out + '/elfcorehdr.bin', 'wb').write(eh + ph)
PY
LOADERS="-device loader,file=$T/ram.bin,addr=${RAM%%:*} -device loader,file=$T/low.bin,addr=$BACKUP
-device loader,file=$T/notes.bin,addr=$NOTES -device loader,file=$T/elfcorehdr.bin,addr=$HDR"

for form in hex decimal; do
	if [ $form = hex ]; then ech="elfcorehdr=$HDR"; else ech="elfcorehdr=$((HDR / 1024))K"; fi
	# shellcheck disable=SC2086
	mk_boot "$T/$form.serial" "$IMG" "$(mk_target_args 2 "$UUID") $ech" $LOADERS
	check_eq "$form elfcorehdr: QEMU exit 33" "$?" 33
	mk_serial_has "$form: header parsed" "$T/$form.serial" \
		"elfcorehdr: 3 PT_LOAD, "
	mk_serial_has "$form: release from VMCOREINFO" "$T/$form.serial" "release '6.1.0-mktest'"
	check_eq "$form: kernel_release in dump header" "$(mk_info_field "$IMG:2" kernel_release)" "6.1.0-mktest"
	check_eq "$form: crash_time in dump header" "$(mk_info_field "$IMG:2" crash_time)" "1700000123"
	check_eq "$form: memory described (alias not counted)" "$(mk_info_field "$IMG:2" mem_bytes)" \
		$(( (8 << 20) + (512 << 10) ))
	check_rc "$form: rawdump save" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n $form.vmcore
	check "$form: every PT_LOAD holds the planted bytes of its p_paddr" "$SIM" verify \
		"$T/$form.vmcore" --pattern $SEED --range $RAM --range $LOW
	n=$("$RAWDUMP" info "$T/$form.vmcore" --json 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["cpus"]), [c["pid"] for c in d["cpus"]], [c["rip"] for c in d["cpus"]])')
	check_eq "$form: both CPU notes in the vmcore, verbatim" "$n" \
		"2 [4242, 0] ['0xffffffff81234567', '0xffffffff81000abc']"
	rm -f "$T/$form.vmcore"
done

# A malformed header (wrong machine) is refused before any write.
cp "$IMG" "$T/before.img"
printf '\x03' | dd of="$T/elfcorehdr.bin" bs=1 seek=18 conv=notrunc status=none
# shellcheck disable=SC2086
mk_boot "$T/bad.serial" "$IMG" "$(mk_target_args 2 "$UUID") elfcorehdr=$HDR" $LOADERS
check_eq "bad elfcorehdr: QEMU exit 35" "$?" 35
mk_serial_has "bad elfcorehdr: says why" "$T/bad.serial" "no ELF64 x86-64 core header"
check "bad elfcorehdr: disk unchanged" cmp "$T/before.img" "$IMG"

# Many CPUs: 4096 per-CPU PT_NOTE buffers (about 1.6 MiB raw, as a kernel
# with 4096 possible CPUs builds them). (a) 64 online CPUs, the other
# buffers hold only their terminator: every real note is kept. (b) all 4096
# filled: past the note budget VMCOREINFO is still kept, the first CPUs'
# notes too, the rest are dropped and counted; the dump completes.
cp "$T/before.img" "$IMG"
HDR2=0x3c00000			# after the 1.7 MiB of notes
LOADERS2="-device loader,file=$T/ram.bin,addr=${RAM%%:*}
-device loader,file=$T/notes.bin,addr=$NOTES -device loader,file=$T/elfcorehdr.bin,addr=$HDR2"
for variant in online64 full4096; do
	python3 - "$T" $NOTES $HDR2 $variant <<'PY'
import struct, sys
out, notes_at, hdr_at, variant = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), sys.argv[4]
def note(name, ntype, desc):
    n = name + b'\0'
    pad = lambda b: b + b'\0' * (-len(b) % 4)
    return struct.pack('<III', len(n), len(desc), ntype) + pad(n) + pad(desc)
def prstatus(pid):
    d = bytearray(0x150)
    struct.pack_into('<I', d, 32, pid)
    return bytes(d)
size = len(note(b'CORE', 1, prstatus(0))) + 12		# one per-CPU buffer
blob, segs = b'', []
for cpu in range(4096):
    filled = variant == 'full4096' or cpu < 64
    buf = (note(b'CORE', 1, prstatus(1000 + cpu)) if filled else b'') + b'\0' * 12
    buf += b'\0' * (size - len(buf))
    segs.append((4, notes_at + len(blob), 0, 0, size))
    blob += buf
info = note(b'VMCOREINFO', 0, b'OSRELEASE=6.1.0-manycpu\nPAGESIZE=4096\nCRASHTIME=1700000456\n')
segs.append((4, notes_at + len(blob), 0, 0, len(info)))
blob += info
segs.append((1, 0x1000000, 0xffff888001000000, 0x1000000, 8 << 20))
eh = b'\x7fELF' + bytes([2, 1, 1, 0]) + b'\0' * 8
eh += struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, len(segs), 0, 0, 0)
ph = b''
for t, paddr, vaddr, off, sz in segs:
    ph += struct.pack('<IIQQQQQQ', t, 0 if t == 4 else 7, off if t == 1 else paddr,
                      vaddr, paddr if t == 1 else 0, sz, sz, 0)
open(out + '/notes.bin', 'wb').write(blob)
open(out + '/elfcorehdr.bin', 'wb').write(eh + ph)
PY
	# shellcheck disable=SC2086
	mk_boot "$T/$variant.serial" "$IMG" "$(mk_target_args 2 "$UUID") elfcorehdr=$HDR2" $LOADERS2
	check_eq "$variant: dump completes (QEMU exit 33)" "$?" 33
	check_eq "$variant: release from VMCOREINFO kept" "$(mk_info_field "$IMG:2" kernel_release)" "6.1.0-manycpu"
	check_rc "$variant: rawdump save" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n $variant.vmcore
	check "$variant: RAM bytes right" "$SIM" verify "$T/$variant.vmcore" --pattern $SEED --range $RAM
	n=$("$RAWDUMP" info "$T/$variant.vmcore" --json 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); p=[c["pid"] for c in d["cpus"]]; print(len(p), p == list(range(1000, 1000 + len(p))))')
	if [ $variant = online64 ]; then
		check_eq "$variant: the 64 real CPU notes, in order" "$n" "64 True"
		check_eq "$variant: nothing dropped" "$(mk_info_field "$IMG:2" cpu_notes_dropped)" "False"
	else
		kept=${n% *}
		[ "${n#* }" = True ] && [ "$kept" -ge 600 ] && [ "$kept" -lt 4096 ] &&
			pass "$variant: the first $kept CPU notes kept, in order" ||
			fail "$variant: the first CPU notes kept, in order" "got '$n'"
		check_eq "$variant: dropped notes flagged in the dump header" \
			"$(mk_info_field "$IMG:2" cpu_notes_dropped)" "True"
		mk_serial_has "$variant: the serial console counts the dropped notes" "$T/$variant.serial" \
			"dropped $((4096 - kept)) CPU note segments"
	fi
	rm -f "$T/$variant.vmcore"
done
