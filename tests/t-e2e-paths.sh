#!/bin/bash
# tests/t-e2e-paths.sh - the Debian guest crash path through the other
# controllers and loaders (t-e2e-crash.sh covers virtio-blk with
# kexec_file_load in depth):
#   ahci   AHCI port 1, armed with kexec-tools (kexec_load: purgatory, the
#          640 KiB backup of low memory, elfcorehdr=NNNK)
#   nvme   NVMe namespace 1, kexec_file_load, zlib level 1
# Each: format, arm, plant, sysrq-c at crashkernel=4M, then rawdump save and
# byte-exact checks against the planted data and QEMU's own memory dump.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
e2e_guest
e2e_crash ahci 1001 "crashkernel=4M rdguest.method=load" --disk-if ahci --ahci-port 1
e2e_crash nvme 1002 "crashkernel=4M rdguest.method=file rdguest.comp=zlib rdguest.level=1" --disk-if nvme
exit 0
