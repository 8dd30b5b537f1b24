#!/bin/bash
# tests/t-drv-takeover.sh - the AHCI, NVMe and legacy virtio-blk drivers
# take over controllers a crashed Linux was using: a real Debian guest
# (stock 6.1, its ahci / nvme / virtio_pci legacy driver bound to the disk
# with MSI-X on, ext4 mounted on partition 1) formats and arms rawdump,
# plants known pages (rdplant) and panics with sysrq-c; the minikernel must
# stop the live controller (AHCI: port engine, NVMe: CC.EN, virtio: device
# reset, MSI-X off so the legacy configuration moves back to offset 0x14)
# and write the dump through it. Checked on the host: the driver's console
# lines, DONE, `rawdump save`, every planted byte in the vmcore.
# (transitional virtio-blk, modern interface, is tests/t-e2e-crash.sh.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
e2e_guest

# crash_case NAME DRIVER-REGEX RDQEMU-OPTS...
crash_case() {
	local name=$1 drvline=$2 disk=$T/$1.img log=$T/$1.log seed=$((RANDOM + 1))
	shift 2
	"$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 32M --dump-size 160M >/dev/null 2>&1 ||
		{ fail "$name: disk image"; return; }
	e2e_boot "$log" "crashkernel=8M rdguest.run=crash rdguest.format=1 rdguest.exit=qemu rdguest.comp=zlib rdguest.seed=$seed" \
		--disk "$disk" --timeout 300 "$@"
	[ -s "$log" ] || { fail "$name: guest boots" "$(tail -n 3 "$log.runner" 2>&1 | tr '\n' ' ')"; return; }
	check "$name: guest armed rawdump" grep -aq 'RDGUEST: arm rc=0 ' "$log"
	check "$name: driver took over the controller" grep -aEq "$drvline" "$log"
	check "$name: minikernel wrote the dump" grep -aq '^rawdump: DONE' "$log"
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$disk:2" -o "$T" -n "$name.vmcore"
	check "$name: every planted byte is in the vmcore" \
		"$E2E_CHECK" plant --seed "$seed" --list "$log" "$T/$name.vmcore"
	grep '^plant:' "$T/.out" | sed "s/^/# $name: /"
}

crash_case ahci '^ahci: port 2: [0-9]+ sectors of 512 bytes' --disk-if ahci --ahci-port 2
crash_case nvme '^nvme: namespace 3: [0-9]+ blocks of 512 bytes' --disk-if nvme --nvme-nsid 3
crash_case virtio-legacy '^virtio-blk: legacy interface' --disk-if virtio \
	-- -global virtio-blk-pci.disable-modern=on
