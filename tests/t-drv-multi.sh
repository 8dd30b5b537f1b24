#!/bin/bash
# tests/t-drv-multi.sh - two disks behind one controller, the rawdump
# partition on the SECOND: AHCI (ide-hd on ports 0 and 1 of one ich9-ahci,
# rd.unit=1) and NVMe (namespaces 1 and 2 of one controller, rd.unit=2).
# Each disk is a drv_disk image with its own formatted rawdump partition
# (own UUID). Checked: the dump lands on the second disk (`rawdump save`,
# `rawdump-sim verify` of every byte), the first disk is byte-identical
# before/after, the second disk's bytes outside the partition unchanged;
# then rd.unit naming the FIRST disk with the second disk's rd.uuid: the
# partition-header UUID check refuses (FAILED) and neither disk changes.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

one=$T/one.img
two=$T/two.img
drv_disk "$one" || { fail "multi: first disk image" "sfdisk/format failed"; exit 1; }
uuid_one=$DRV_UUID
drv_disk "$two" || { fail "multi: second disk image" "sfdisk/format failed"; exit 1; }
[ "$uuid_one" != "$DRV_UUID" ] || { fail "multi: the two partitions have different UUIDs"; exit 1; }

# multi_case NAME UNIT WRONG_UNIT DEVLINE QEMU_ARGS...: d0 is the first disk,
# d1 the second; QEMU_ARGS attach both to one controller at 00:04.0.
multi_case() {
	local name=$1 unit=$2 wrong=$3 devline=$4 log=$T/$1.log
	shift 4
	cp "$one.before" "$one"
	cp "$two.before" "$two"
	drv_boot "$log" "file=$one,format=raw,if=none,id=d0" "rd.unit=$unit rd.comp=none" \
		-drive "file=$two,format=raw,if=none,id=d1" "$@"
	check_eq "$name: QEMU exits through isa-debug-exit with success" "$DRV_RC" 33
	drv_has "$name: driver bound the second disk" "$log" "$devline"
	drv_has "$name: capture DONE" "$log" '^rawdump: DONE'
	check_rc "$name: rawdump save from the second disk" 0 \
		"$RAWDUMP" save "$two:2" -o "$T" -n "$name.vmcore"
	check "$name: every dumped byte equals the planted pattern" \
		"$SIM" verify "$T/$name.vmcore" --pattern "$DRV_SEED" --range "$DRV_RANGE_ADDR:$DRV_RANGE_SIZE"
	check "$name: the first disk is byte-identical" cmp "$one.before" "$one"
	drv_outside "$name: second disk: bytes outside the partition unchanged" "$two"
	rm -f "$T/$name.vmcore"

	# the first disk's unit with the second disk's UUID
	cp "$one.before" "$one"
	cp "$two.before" "$two"
	drv_boot "$log.wrong" "file=$one,format=raw,if=none,id=d0" "rd.unit=$wrong rd.comp=none" \
		-drive "file=$two,format=raw,if=none,id=d1" "$@"
	check_eq "$name wrong unit: QEMU exits through isa-debug-exit with failure" "$DRV_RC" 35
	drv_has "$name wrong unit: UUID check refuses" "$log.wrong" \
		'^rawdump: FAILED: .*partition UUID does not match'
	check "$name wrong unit: first disk unchanged" cmp "$one.before" "$one"
	check "$name wrong unit: second disk unchanged" cmp "$two.before" "$two"
}

drv_pattern 41
multi_case ahci-two 1 0 '^ahci: port 1: 131072 sectors of 512 bytes' \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0 \
	-device ide-hd,drive=d1,bus=ahci0.1
drv_pattern 42
multi_case nvme-two 2 1 '^nvme: namespace 2: 131072 blocks of 512 bytes' \
	-device nvme,id=nvme0,serial=rdtest,addr=04.0 \
	-device nvme-ns,drive=d0,bus=nvme0,nsid=1 -device nvme-ns,drive=d1,bus=nvme0,nsid=2
