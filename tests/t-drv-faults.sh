#!/bin/bash
# tests/t-drv-faults.sh - the drivers under faults, in QEMU:
#  - a virtio-blk disk that stops completing writes (QEMU write throttling
#    at 1 byte/s): the named per-request timeout fires, the minikernel
#    reports FAILED and QEMU exits on its own, well before the outer timeout;
#  - a write error injected with blkdebug at one sector inside the
#    partition, for virtio-blk, AHCI (also with NCQ writes in flight) and
#    NVMe: the driver reports the device's status, the dump completes with
#    that part recorded as lost, `rawdump save` says partial (exit 6) and
#    every other byte is right;
#  - rd.pci naming a function no driver handles, or no function at all:
#    FAILED before any write.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

img=$T/disk.img
drv_disk "$img" || { fail "faults: disk image" "sfdisk/format failed"; exit 1; }
drv_pattern 31

# 1. a device that never completes
t0=$(date +%s)
drv_boot "$T/stall.log" "file=$img,format=raw,if=none,id=d0,throttling.bps-write=1" "rd.comp=none rd.iotimeout=3000" \
	-device virtio-blk-pci,drive=d0,addr=04.0
t1=$(date +%s)
check_eq "stall: QEMU exits through isa-debug-exit with failure" "$DRV_RC" 35
drv_has "stall: the named timeout fired" "$T/stall.log" '^timeout: virtio-blk: write completion after 3[0-9]{3} ms'
drv_has "stall: device abandoned after the timeout" "$T/stall.log" '^virtio-blk: request timed out; device abandoned'
drv_has "stall: minikernel reports the timeout" "$T/stall.log" '^rawdump: FAILED: .*timed out'
if [ $((t1 - t0)) -lt 90 ]; then pass "stall: finished in $((t1 - t0)) s"; else
	fail "stall: finished in $((t1 - t0)) s" "wanted < 90 s"; fi
drv_outside "stall: bytes outside the partition unchanged" "$img"

# 2. an injected write error, per driver
bad=$((DRV_START + 4096))
printf '[inject-error]\nevent = "write_aio"\niotype = "write"\nerrno = "5"\nsector = "%d"\nonce = "off"\n' \
	"$bad" >"$T/rules.conf"
drive="file=blkdebug:$T/rules.conf:$img,format=raw,if=none,id=d0,werror=report,rerror=report"
ioerr_case() {
	local name=$1 errline=$2
	shift 2
	cp "$img.before" "$img"
	drv_boot "$T/$name.log" "$drive${DRIVE_EXTRA:-}" "rd.comp=none $UNIT" "$@"
	check_eq "$name: QEMU exits through isa-debug-exit with success" "$DRV_RC" 33
	drv_has "$name: driver reports the device's error" "$T/$name.log" "$errline"
	drv_has "$name: capture DONE" "$T/$name.log" '^rawdump: DONE'
	check_rc "$name: rawdump save says partial" 6 "$RAWDUMP" save "$img:2" -o "$T" -n "$name.vmcore"
	check "$name: every byte not lost equals the pattern" \
		"$SIM" verify "$T/$name.vmcore" --pattern "$DRV_SEED" \
		--range "$DRV_RANGE_ADDR:$DRV_RANGE_SIZE" --allow-missing
	drv_outside "$name: bytes outside the partition unchanged" "$img"
}
UNIT="" ioerr_case ioerr-virtio '^virtio-blk: request \(type 1, sector [0-9]+\) failed: status 1 \(I/O error\)' \
	-device virtio-blk-pci,drive=d0,addr=04.0
UNIT="rd.unit=0" ioerr_case ioerr-ahci '^ahci: port 0 command 0x(35|61) \(LBA [0-9]+\) failed: PxIS 0x4' \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0
# AHCI with NCQ and a slowed disk: the queued writes in flight when the
# error comes all fail, later writes are non-queued and name the bad one
UNIT="rd.unit=0" DRIVE_EXTRA=",$DRV_SLOW_WRITES" ioerr_case ioerr-ahci-ncq \
	'^ahci: port 0 command 0x61 \(LBA [0-9]+\) failed: .* [0-9]+ in flight' \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0
drv_has "ioerr-ahci-ncq: after the error, the bad write fails alone, non-queued" \
	"$T/ioerr-ahci-ncq.log" '^ahci: port 0 command 0x35 \(LBA [0-9]+\) failed: .*, 1 in flight'
UNIT="rd.unit=1" ioerr_case ioerr-nvme '^nvme: write at LBA [0-9]+ failed: status type 2 code 0x80' \
	-device nvme,serial=rdtest,drive=d0,addr=04.0

# 3. the dispatcher refuses what it cannot drive
cp "$img.before" "$img"
drv_boot "$T/nodrv.log" "file=$img,format=raw,if=none,id=d0" "" \
	-device virtio-blk-pci,drive=d0,addr=05.0 -device e1000,addr=04.0
check_eq "no driver: QEMU exits with failure" "$DRV_RC" 35
drv_has "no driver: dispatcher names the function" "$T/nodrv.log" '^blk: no driver for 8086:100e'
drv_boot "$T/nodev.log" "file=$img,format=raw,if=none,id=d0" "" \
	-device virtio-blk-pci,drive=d0,addr=05.0
check_eq "no device: QEMU exits with failure" "$DRV_RC" 35
drv_has "no device: dispatcher says nothing is there" "$T/nodev.log" '^blk: no PCI function at 00:04.0'
check "no driver/no device: disk unchanged" cmp -s "$img.before" "$img"
