#!/bin/bash
# tests/t-drv-sg.sh - the scatter-gather (zero-copy) capture path, per
# driver: RAW payloads go to the device straight from the dumped pages,
# behind a 64-byte header that ends a page of the writer's header area
# (NVMe: PRP1 at offset 4032), with the zero pad (and on 4 KiB-sector disks
# a PAD block) from a third piece. Every dump is saved and checked byte for
# byte; the bytes outside the partition must not change.
#   - 4096-byte sectors on virtio-blk and NVMe (MDTS 8 KiB: each request is
#     split into several commands, PRP1 of the first with an offset),
#     incompressible memory so that RAW blocks are long;
#   - AHCI with NCQ: several queued writes in flight (the drained line);
#   - rd.sg=0: the copy path still writes the same dump.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

RANDOM_SEED=$((0x4000000000000000 + 31))	# PAT_SEED_RANDOM: no zero pages

img=$T/disk.img
drv_disk "$img" || { fail "sg: disk image" "sfdisk/format failed"; exit 1; }

# the console says the path was taken, and how often
drv_sg_used() {
	drv_has "$1: RAW blocks zero-copy" "$T/$1.log" '^dump: RAW blocks zero-copy \(scatter-gather\)'
	drv_has "$1: scatter-gather writes went out" "$T/$1.log" '^dump: [1-9][0-9]* scatter-gather writes'
}

drv_pattern "$RANDOM_SEED"
drv_capture_ok virtio-4k "$img" '^virtio-blk: [0-9]+ sectors of 4096 bytes' \
	"file=$img,format=raw,if=none,id=d0" "rd.comp=none" \
	-device virtio-blk-pci,drive=d0,addr=04.0,logical_block_size=4096,physical_block_size=4096
drv_sg_used virtio-4k

cp "$img.before" "$img"
drv_pattern "$((RANDOM_SEED + 1))"
drv_capture_ok nvme-4k "$img" '^nvme: namespace 1: [0-9]+ blocks of 4096 bytes, 8 KiB per command' \
	"file=$img,format=raw,if=none,id=d0" "rd.unit=1 rd.comp=none" \
	-device nvme,serial=rdsg,drive=d0,addr=04.0,mdts=1,logical_block_size=4096,physical_block_size=4096
drv_sg_used nvme-4k

cp "$img.before" "$img"
drv_pattern 32
drv_capture_ok ahci-ncq "$img" '^ahci: port 0: 131072 sectors of 512 bytes, NCQ, ' \
	"file=$img,format=raw,if=none,id=d0,$DRV_SLOW_WRITES" "rd.unit=0 rd.comp=none" \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0
drv_sg_used ahci-ncq
drv_has "ahci-ncq: queue depth above 1 (NCQ writes in flight at once)" "$T/ahci-ncq.log" \
	'^ahci: drained: .* at most ([2-9]|[12][0-9]|3[0-2]) in flight at once'

cp "$img.before" "$img"
drv_pattern 33
drv_capture_ok nvme-copy "$img" '^nvme: namespace 1: 131072 blocks of 512 bytes' \
	"file=$img,format=raw,if=none,id=d0" "rd.unit=1 rd.comp=none rd.sg=0" \
	-device nvme,serial=rdsg,drive=d0,addr=04.0
drv_has "nvme-copy: rd.sg=0 copies RAW blocks" "$T/nvme-copy.log" '^dump: RAW blocks copied into I/O buffers'
drv_has "nvme-copy: no scatter-gather write" "$T/nvme-copy.log" '^dump: 0 scatter-gather writes'
