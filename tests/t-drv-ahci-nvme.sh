#!/bin/bash
# tests/t-drv-ahci-nvme.sh - the minikernel captures planted memory through
# the AHCI driver (QEMU ich9-ahci 8086:2922, disk on port 2 so the port
# choice matters) and the NVMe driver (QEMU 1b36:0010, namespace 1; again
# with MDTS 8 KiB so that one write becomes 64 commands); each dump is
# saved and checked byte for byte, the rest of the disk untouched. With
# the disk slowed to 16 MiB/s, several writes must be in flight at once.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

img=$T/disk.img
drv_disk "$img" || { fail "ahci/nvme: disk image" "sfdisk/format failed"; exit 1; }

drv_pattern 21
drv_capture_ok ahci "$img" '^ahci: port 2: 131072 sectors of 512 bytes, NCQ, 32 in flight' \
	"file=$img,format=raw,if=none,id=d0,$DRV_SLOW_WRITES" "rd.unit=2 rd.comp=none" \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.2
drv_has "ahci: the capture kept several NCQ writes in flight" "$T/ahci.log" \
	'^[a-z-]+: drained: .* at most ([2-9]|[12][0-9]|3[0-2]) in flight at once'

cp "$img.before" "$img"
drv_pattern 22
drv_capture_ok nvme "$img" '^nvme: namespace 1: 131072 blocks of 512 bytes' \
	"file=$img,format=raw,if=none,id=d0,$DRV_SLOW_WRITES" "rd.unit=1 rd.comp=none" \
	-device nvme,serial=rdtest,drive=d0,addr=04.0
drv_has "nvme: the capture kept several writes in flight" "$T/nvme.log" \
	'^[a-z-]+: drained: .* at most ([2-9]|[12][0-9]|3[0-2]) in flight at once'

# MDTS of 8 KiB: every 512 KiB write is split into 64 commands, more than
# the queue's slots, under one tag
cp "$img.before" "$img"
drv_pattern 23
drv_capture_ok nvme-mdts "$img" '^nvme: namespace 1: 131072 blocks of 512 bytes, 8 KiB per command' \
	"file=$img,format=raw,if=none,id=d0" "rd.unit=1 rd.comp=none" \
	-device nvme,serial=rdtest,drive=d0,addr=04.0,mdts=1
