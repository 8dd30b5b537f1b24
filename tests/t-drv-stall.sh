#!/bin/bash
# tests/t-drv-stall.sh - an AHCI disk and an NVMe namespace that never
# complete a write (QEMU write throttling at 1 byte/s, as the virtio-blk
# case in tests/t-drv-faults.sh), rd.iotimeout=3000: the driver's named
# write-completion timeout fires and the console says which wait expired,
# the minikernel reports FAILED and exits QEMU through isa-debug-exit
# (QEMU runs under `timeout`: a hang shows as exit 124, not 35), and the
# bytes outside the rawdump partition are unchanged.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/drivers.sh"

img=$T/disk.img
drv_disk "$img" || { fail "stall: disk image" "sfdisk/format failed"; exit 1; }
drv_pattern 51

# stall_case NAME UNIT DRIVER QEMU_ARGS...
stall_case() {
	local name=$1 unit=$2 drv=$3 log=$T/$1.log
	shift 3
	cp "$img.before" "$img"
	drv_boot "$log" "file=$img,format=raw,if=none,id=d0,throttling.bps-write=1" \
		"rd.unit=$unit rd.comp=none rd.iotimeout=3000" "$@"
	check_eq "$name: QEMU exits through isa-debug-exit with failure" "$DRV_RC" 35
	drv_has "$name: the named timeout fired" "$log" "^timeout: $drv: write completion after 3[0-9]{3} ms"
	drv_has "$name: device abandoned after the timeout" "$log" "^$drv: request timed out; device abandoned"
	drv_has "$name: minikernel reports the timeout" "$log" '^rawdump: FAILED: .*timed out'
	drv_outside "$name: bytes outside the partition unchanged" "$img"
	grep -E "^($drv|blk|rawdump|timeout):" "$log" | tail -n 4 | sed "s/^/# $name: /"
}

stall_case stall-ahci 0 ahci \
	-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0
stall_case stall-nvme 1 nvme \
	-device nvme,serial=rdtest,drive=d0,addr=04.0
