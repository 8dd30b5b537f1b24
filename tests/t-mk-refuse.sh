#!/bin/bash
# tests/t-mk-refuse.sh - the minikernel must not write a byte when it should
# not: wrong UUID, no rawdump signature, partition size mismatch, a byte
# flipped in the image's text (self-check), a malformed command line. Each
# case compares the whole disk image before and after (cmp) and checks the
# serial line that says why.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
mk_need objdump nm

IMG=$T/disk.img
RANGE=0x1000000:2M
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
LOADERS=$(mk_plant 5 "$T/pat" "$RANGE")

# refuse NAME SERIAL_TEXT CMDLINE: boot, expect FAILED and an unchanged disk.
refuse() {
	local name=$1 text=$2 cmd=$3 rc
	cp "$IMG" "$T/before.img"
	# shellcheck disable=SC2086
	mk_boot "$T/$name.serial" "$IMG" "$cmd rd.ranges=$RANGE" $LOADERS
	rc=$?
	check_eq "$name: QEMU exit (35 = FAILED)" "$rc" 35
	mk_serial_has "$name: serial FAILED line" "$T/$name.serial" "rawdump: FAILED"
	mk_serial_has "$name: serial says why" "$T/$name.serial" "$text"
	check "$name: whole disk unchanged" cmp "$T/before.img" "$IMG"
}

refuse "wrong uuid" "partition UUID does not match" \
	"$(mk_target_args 2 $MK_UUID_BAD)"
refuse "size mismatch" "partition size does not match" \
	"rd.start=$MK_P2_START rd.size=$((MK_P2_SIZE - 8)) rd.uuid=$UUID"
refuse "start mismatch" "no rawdump signature" \
	"rd.start=$((MK_P2_START + 16)) rd.size=$MK_P2_SIZE rd.uuid=$UUID"
refuse "ext4 partition named" "the partition was reused: no rawdump header, other data at its start" \
	"rd.start=$MK_P1_START rd.size=$MK_P1_SIZE rd.uuid=$UUID"
refuse "bad rd.uuid" "bad value in 'rd.uuid=12345'" \
	"rd.start=$MK_P2_START rd.size=$MK_P2_SIZE rd.uuid=12345"
refuse "no rd.uuid" "command line lacks rd.uuid" \
	"rd.start=$MK_P2_START rd.size=$MK_P2_SIZE"

# rd.ranges outside RAM (the PCI hole) or over the minikernel itself.
cp "$IMG" "$T/before.img"
mk_boot "$T/mmio.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=0xfe000000:64K"
check_eq "rd.ranges in MMIO: QEMU exit 35" "$?" 35
mk_serial_has "rd.ranges in MMIO: says why" "$T/mmio.serial" "is not RAM in the memory map"
check "rd.ranges in MMIO: disk unchanged" cmp "$T/before.img" "$IMG"
mk_boot "$T/self.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=0x200000:1M"
check_eq "rd.ranges over the minikernel: QEMU exit 35" "$?" 35
mk_serial_has "rd.ranges over the minikernel: says why" "$T/self.serial" "overlaps the minikernel"
check "rd.ranges over the minikernel: disk unchanged" cmp "$T/before.img" "$IMG"

# No signature: wipe both header copies of p2 (what is left is a partition
# of zeros and old data), then name it correctly.
dd if=/dev/zero of="$IMG" bs=512 seek=$MK_P2_START count=8 conv=notrunc status=none
dd if=/dev/zero of="$IMG" bs=512 seek=$((MK_P2_START + MK_P2_SIZE - 8)) count=8 conv=notrunc status=none
refuse "no signature" "no rawdump signature" "$(mk_target_args 2 "$UUID")"
"$RAWDUMP" format "$IMG:2" --force >/dev/null 2>&1
UUID=$(mk_info_field "$IMG:2" uuid)

# Self-check: flip one byte inside dump_run's code in a copy of the image.
BAD=$T/rdmk-bad.elf
cp "$MK_ELF" "$BAD"
off=$(python3 - "$MK_ELF" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', f, 32)
phnum, = struct.unpack_from('<H', f, 56)
shoff, = struct.unpack_from('<Q', f, 40)
shnum, shstrndx = struct.unpack_from('<HH', f, 60)
secs = [struct.unpack_from('<IIQQQQIIQQ', f, shoff + 64 * i) for i in range(shnum)]
symtab = [s for s in secs if s[1] == 2][0]
strtab = secs[symtab[6]]
for i in range(symtab[5] // 24):
    name, info, other, shndx, value, size = struct.unpack_from('<IBBHQQ', f, symtab[4] + 24 * i)
    n = f[strtab[4] + name:f.index(b'\0', strtab[4] + name)]
    if n == b'dump_run':
        for j in range(phnum):
            t, fl, off, va, pa, fs, ms, al = struct.unpack_from('<IIQQQQQQ', f, phoff + 56 * j)
            if t == 1:
                print(off + value + 16 - va)
PY
)
if [ -n "$off" ]; then
	printf "\\x$(printf %02x $(( $(od -An -tu1 -j "$off" -N1 "$BAD") ^ 0x40 )))" |
		dd of="$BAD" bs=1 seek="$off" conv=notrunc status=none
	check_not "flipped image differs" cmp -s "$MK_ELF" "$BAD"
	MK_KERNEL=$BAD refuse "self-check" "image corrupted, nothing written" \
		"$(mk_target_args 2 "$UUID")"
	mk_serial_has "self-check: crc values printed" "$T/self-check.serial" "expected"
else
	fail "self-check" "dump_run not found in $MK_ELF"
fi

# And the unmodified image still dumps into the same disk (the refusals
# above were for the named reasons, not a broken setup).
mk_boot "$T/ok.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=$RANGE" $LOADERS
check_eq "control: good command line dumps (33)" "$?" 33
