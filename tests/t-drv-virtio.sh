#!/bin/bash
# tests/t-drv-virtio.sh - the minikernel captures planted memory through
# virtio-blk over each PCI transport QEMU offers: legacy only (1af4:1001,
# I/O BAR), modern only (1af4:1042, virtio 1.x capabilities in MMIO) and
# transitional (1af4:1001 with both; the driver picks modern), and a
# 4-entry queue (one request slot). Each dump
# is saved with `rawdump save` and checked byte for byte against the
# pattern; the bytes around the partition must be untouched.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

img=$T/disk.img
drv_disk "$img" || { fail "virtio: disk image" "sfdisk/format failed"; exit 1; }

drv_pattern 11
drv_capture_ok virtio-legacy "$img" '^virtio-blk: legacy interface' \
	"file=$img,format=raw,if=none,id=d0" "rd.comp=none" \
	-device virtio-blk-pci,drive=d0,addr=04.0,disable-modern=on
drv_has "virtio-legacy: RAW blocks go out zero-copy" "$T/virtio-legacy.log" \
	'^dump: RAW blocks zero-copy \(scatter-gather\)'
grep -q '1af4:1001 -> virtio-blk' "$T/virtio-legacy.log" && pass "virtio-legacy: device id 1af4:1001" ||
	fail "virtio-legacy: device id 1af4:1001"

cp "$img.before" "$img"
drv_pattern 12
drv_capture_ok virtio-modern "$img" '^virtio-blk: modern \(virtio 1.x\) interface' \
	"file=$img,format=raw,if=none,id=d0" "rd.comp=zlib" \
	-device virtio-blk-pci,drive=d0,addr=04.0,disable-legacy=on
grep -q '1af4:1042 -> virtio-blk' "$T/virtio-modern.log" && pass "virtio-modern: device id 1af4:1042" ||
	fail "virtio-modern: device id 1af4:1042"

cp "$img.before" "$img"
drv_pattern 13
drv_capture_ok virtio-transitional "$img" '^virtio-blk: modern \(virtio 1.x\) interface' \
	"file=$img,format=raw,if=none,id=d0,$DRV_SLOW_WRITES" "rd.comp=none" \
	-device virtio-blk-pci,drive=d0,addr=04.0
# several requests in flight: the driver offers them, and with the disk
# slowed to 16 MiB/s the writer fills buffers faster than it takes them
drv_has "virtio-transitional: driver offers several requests in flight" \
	"$T/virtio-transitional.log" '^virtio-blk: .* ([2-9]|[12][0-9]|3[0-2]) in flight'
drv_has "virtio-transitional: the capture kept several writes in flight" \
	"$T/virtio-transitional.log" '^[a-z-]+: drained: .* at most ([2-9]|[12][0-9]|3[0-2]) in flight at once'

# the smallest queue (4 entries): one request slot, one write at a time
cp "$img.before" "$img"
drv_pattern 14
drv_capture_ok virtio-queue4 "$img" '^virtio-blk: .* queue 4, .* 1 in flight' \
	"file=$img,format=raw,if=none,id=d0" "rd.comp=none" \
	-device virtio-blk-pci,drive=d0,addr=04.0,disable-legacy=on,queue-size=4
drv_has "virtio-queue4: too few descriptors for scatter-gather: RAW blocks copied" \
	"$T/virtio-queue4.log" '^dump: RAW blocks copied into I/O buffers'
