#!/bin/bash
# tests/t-e2e-iommu.sh - the crashed kernel left an IOMMU on (q35, virtio-blk
# with iommu_platform=on so that its DMA is translated too):
#   intel: QEMU's intel-iommu, the guest booted intel_iommu=on: the
#          minikernel finds the VT-d unit in the ACPI DMAR table and gives
#          the dump device pass-through through a root table of its own;
#   amd:   QEMU's amd-iommu (AMD-Vi, which Linux turns on by itself): the
#          minikernel finds the IOMMU in the ACPI IVRS table and gives the
#          dump device pass-through through a device table of its own.
# The dead kernel's tables are never written, other devices are blocked,
# and the dump is byte-exact. Without the takeover (rd.test=noiommu) the
# dump fails: the controller's DMA goes through the dead kernel's tables.
# IOMMU_CASES (default: every driver on intel, virtio on amd, and the
# negative case on amd/nvme) selects the boots, e.g.
#   IOMMU_CASES="amd:virtio amd:ahci amd:nvme" tests/run e2e-iommu
# `make check-iommu` runs every driver on both IOMMUs and both negative cases.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
e2e_guest
for c in ${IOMMU_CASES:-intel:virtio intel:ahci intel:nvme amd:virtio amd:noiommu-nvme}; do
	iommu=${c%%:*} drv=${c#*:} neg=0 append="crashkernel=4M"
	case $drv in noiommu-*) neg=1 drv=${drv#noiommu-} ;; esac
	case $iommu in
	intel) append="$append intel_iommu=on" unit='VT-d unit [0-9a-f]*'
		what='own root table' table='own root table' seed=2100 ;;
	amd) unit='AMD-Vi unit [0-9a-f]*' what='own device table'
		table='own device table ([0-9]* entries)' seed=2200 ;;
	*) fail "iommu case $c" "unknown IOMMU $iommu"; continue ;;
	esac
	name=iommu-$iommu-$drv
	log=$T/$name.log
	if [ "$neg" = 1 ]; then
		# the takeover skipped: the dump must fail, and nothing be saved
		name=iommu-$iommu-$drv-skipped log=$T/$name.log
		"$TOP/scripts/guest/make-disk.sh" "$T/$name.img" --fs-size 32M --dump-size 1200M 2>/dev/null
		e2e_boot "$log" "$append rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.plant=0 rdguest.mkappend=rd.test=noiommu,rd.iotimeout=2000" \
			--iommu "$iommu" --disk-if "$drv" --disk "$T/$name.img" --mem 1024 --smp 2 \
			--timeout 600 --quit-on '^rawdump: (DONE|FAILED)'
		check "$name: armed" grep -q '^RDGUEST: arm rc=0 ' "$log"
		check "$name: the minikernel skipped the takeover" grep -aq '^iommu: takeover skipped (rd.test=noiommu)' "$log"
		check "$name: the dump fails (DMA through the dead kernel's tables)" \
			grep -aq '^rawdump: FAILED' "$log"
		echo "# $name: $(grep -a '^rawdump: FAILED' "$log" | tail -n 1)"
		rm -f "$T/$name.img"
		continue
	fi
	e2e_crash "$name" $((seed + ${#drv})) "$append" --iommu "$iommu" --disk-if "$drv"
	[ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG.$iommu-$drv"
	check "$name: the minikernel found translation on" grep -aq "^iommu: $unit: DMA translation is on" "$log"
	check "$name: $what, the dump device pass-through" \
		grep -aq "^iommu: $unit: $table, .* pass-through.*, every other device blocked" "$log"
done
exit 0
