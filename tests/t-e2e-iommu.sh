#!/bin/bash
# tests/t-e2e-iommu.sh - the crashed kernel left an Intel IOMMU on (q35 with
# QEMU's intel-iommu, the guest booted intel_iommu=on, virtio-blk with
# iommu_platform=on so that its DMA is translated too): the minikernel
# finds the VT-d unit in the ACPI DMAR table, gives the dump device
# pass-through through a root table of its own (the dead kernel's tables
# are never written, other devices are blocked), and the dump is
# byte-exact, for virtio-blk, AHCI and NVMe.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
e2e_guest
for drv in ${IOMMU_DRIVERS:-virtio ahci nvme}; do
	e2e_crash iommu-$drv $((2100 + ${#drv})) "crashkernel=4M intel_iommu=on" --iommu intel --disk-if $drv
	log=$T/iommu-$drv.log
	[ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG.$drv"
	check "iommu-$drv: the minikernel found translation on" grep -aq '^iommu: VT-d unit [0-9a-f]*: DMA translation is on' "$log"
	check "iommu-$drv: own root table, the dump device pass-through" \
		grep -aq '^iommu: VT-d unit [0-9a-f]*: own root table, .* pass-through, every other device blocked' "$log"
done
exit 0
