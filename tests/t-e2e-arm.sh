#!/bin/bash
# tests/t-e2e-arm.sh - `rawdump arm` / `disarm` / status inside the real Debian
# guest (stock 6.1 kernel, KASLR on) on each supported controller: the
# minikernel command line it builds is checked against the disk layout
# (sfdisk) and the partition's UUID (rawdump info on the host), kexec_file_load
# and the kexec-tools fallback both load it, disarm unloads it, and the
# distinct refusals (unformatted: 4, controller not supported: 8,
# crashkernel too small: 9) are returned.
# Boots: virtio-blk, AHCI on port 2, NVMe namespace 3, a multipath-capable
# NVMe subsystem (namespace under nvme-subsystem/), virtio-scsi (not
# supported: exit 8), crashkernel=2M.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
e2e_guest

# armcheck_boot NAME APPEND RDQEMU-OPTS...: one armcheck boot on a fresh disk
armcheck_boot() {
	local name=$1 append=$2
	shift 2
	scripts_disk=$T/$name.img
	"$TOP/scripts/guest/make-disk.sh" "$scripts_disk" --fs-size 32M --dump-size 64M 2>/dev/null
	e2e_boot "$T/$name.log" "crashkernel=$append rdguest.run=armcheck" \
		--disk "$scripts_disk" --timeout 240 "$@"
	check_eq "$name: guest ran armcheck to the end" "$(e2e_line "$T/$name.log" END)" "armcheck"
}

# expect_cmdline NAME UNIT: the dry-run command line names the partition
expect_cmdline() {
	local name=$1 unit=$2 img=$T/$1.img line start size uuid
	line=$(grep '^rd.pci=' "$T/$name.log" | head -n 1)
	read -r start size < <(sfdisk -d "$img" | awk -F'[=,]' '/img2 :/ { print $2+0, $4+0 }')
	uuid=$("$RAWDUMP" info "$img:2" --json | sed -n 's/.*"uuid": *"\([0-9a-f-]*\)".*/\1/p' | tr -d -)
	case $line in
	"rd.pci=0000:00:0"?".0 rd.unit=$unit rd.start=$start rd.size=$size rd.uuid=$uuid rd.exit=reboot")
		pass "$name: minikernel command line matches the disk ($line)" ;;
	*) fail "$name: minikernel command line" "got '$line', wanted unit $unit start $start size $size uuid $uuid" ;;
	esac
}

armcheck_boot virtio 8M
log=$T/virtio.log
check_eq "virtio: arm on an unformatted partition exits 4" "$(e2e_line "$log" arm-unformatted)" "rc=4"
check_eq "virtio: format" "$(e2e_line "$log" format)" "rc=0"
expect_cmdline virtio 0
check_eq "virtio: arm (kexec_file_load) exits 0" "$(e2e_line "$log" arm)" "rc=0"
check "virtio: status shows armed with the target" grep -q '^armed: yes (kexec_file_load)' "$log"
check "virtio: status shows the reservation" grep -q '^crashkernel: 8.0 MiB (8388608 bytes)' "$log"
check "virtio: status shows no lockdown (BIOS boot)" grep -qx 'lockdown: none (Secure Boot: no EFI)' "$log"
check "virtio: status says the armed minikernel is unsigned" grep -qx 'minikernel signature: unsigned' "$log"
check_eq "virtio: disarm exits 0" "$(sed -n 's/^RDGUEST: disarm //p' "$log" | head -n 1)" "rc=0"
check_eq "virtio: kexec_crash_loaded after arm, disarm, arm --method load" \
	"$(sed -n 's/^RDGUEST: loaded //p' "$log" | head -n 3 | tr '\n' ' ')" "1 0 1 "
check_eq "virtio: arm --method load (kexec-tools, kexec_load) exits 0" \
	"$(e2e_line "$log" arm-kexec-load)" "rc=0"
check_eq "virtio: mkswap over the dump partition" "$(e2e_line "$log" mkswap | sed 's/.* //')" "rc=0"
check_eq "virtio: arm refuses the partition reused as swap (exit 4)" "$(e2e_line "$log" arm-after-mkswap)" "rc=4"
check "virtio: the refusal says why" grep -Eq 'rawdump: arm: .*(was reused|is not a formatted rawdump partition)' "$log"
check_eq "virtio: nothing loaded after the refusal" "$(sed -n 's/^RDGUEST: loaded //p' "$log" | tail -n 1)" "0"
# issue 13: panic_on_oops, status exit codes, format on the armed partition
check_eq "virtio: panic_on_oops 0 before arm, 1 after" \
	"$(e2e_line "$log" panic_on_oops-before) $(e2e_line "$log" panic_on_oops-after)" "0 1"
check "virtio: arm said it set panic_on_oops" grep -q '^rawdump: set kernel.panic_on_oops to 1 (was 0)' "$log"
check_eq "virtio: status -q when armed exits 0" "$(e2e_line "$log" status-armed)" "rc=0"
check_eq "virtio: format refuses the armed partition (3)" "$(e2e_line "$log" format-armed)" "rc=3"
check_eq "virtio: format --force formats and re-arms (0)" "$(e2e_line "$log" format-force-armed)" "rc=0"
check_eq "virtio: status -q after the re-arm exits 0" "$(e2e_line "$log" status-rearmed)" "rc=0"
check_eq "virtio: old header back under the armed record: stale (15)" "$(e2e_line "$log" status-stale)" "rc=15"
check_eq "virtio: status -q after disarm: not armed (14)" "$(e2e_line "$log" status-disarmed)" "rc=14"

armcheck_boot ahci 8M --disk-if ahci --ahci-port 2
expect_cmdline ahci 2
check_eq "ahci port 2: arm exits 0" "$(e2e_line "$T/ahci.log" arm)" "rc=0"

armcheck_boot nvme 8M --disk-if nvme --nvme-nsid 3
expect_cmdline nvme 3
check_eq "nvme nsid 3: arm exits 0" "$(e2e_line "$T/nvme.log" arm)" "rc=0"

armcheck_boot nvmesub 8M --disk-if nvme-subsys --nvme-nsid 2
expect_cmdline nvmesub 2
check_eq "multipath NVMe subsystem (nsid 2): arm exits 0" "$(e2e_line "$T/nvmesub.log" arm)" "rc=0"

armcheck_boot scsi 8M --disk-if virtio-scsi
check_eq "virtio-scsi: format" "$(e2e_line "$T/scsi.log" format)" "rc=0"
check_eq "virtio-scsi: arm exits 8 (controller not supported)" "$(e2e_line "$T/scsi.log" dry-run)" "rc=8"
check "virtio-scsi: the message names the controller" \
	grep -q '^rawdump: arm: controller 0000:00:0.\.0 (driver virtio_scsi) not supported' "$T/scsi.log"

armcheck_boot small 2M
check_eq "crashkernel=2M: arm exits 9" "$(e2e_line "$T/small.log" arm)" "rc=9"
check "crashkernel=2M: the message says too small" grep -q 'crashkernel reservation of 2.0 MiB is too small' "$T/small.log"
exit 0
