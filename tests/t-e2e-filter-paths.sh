#!/bin/bash
# tests/t-e2e-filter-paths.sh - page filtering through the other
# controllers and loaders, and with RAM above 4 GiB (t-e2e-filter.sh covers
# virtio-blk in depth; level 1 on every path is t-e2e-crash and t-e2e-paths):
#   ahci   1 GiB, AHCI port 1, kexec_load (the 640 KiB backup of low
#          memory: struct pages and data read through the moved copy),
#          rawdump arm --dump-level; a small fill (128 MiB cache, 128 MiB
#          anonymous)
#   nvme   4 GiB (RAM from 4 GiB to 5 GiB: the allocator hands out the
#          high zone first, so the fill lands there), NVMe namespace 1,
#          kexec_file_load, zlib level 1, dump_level = N in
#          /etc/rawdump.conf; 512 MiB anonymous, 256 MiB cache
# Each: one crash at dump level $E2E_FILTER_LEVEL (default 31), QEMU's
# reference dump when the writer starts; rawdump keeps every page
# makedumpfile keeps over the same memory and leaves out at least 90 % of
# what it leaves out (over all RAM and above 4 GiB), planted pages and
# every kept byte right, notes right (e2e_filter, tests/guest/e2e-lib.sh).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
LEVEL=${E2E_FILTER_LEVEL:-31}
e2e_need
need makedumpfile
e2e_need_level paths "$LEVEL" || exit 1
e2e_guest

if e2e_filter ahci "$LEVEL" 1024 "rdguest.method=load rdguest.fill=1 rdguest.anon=128 rdguest.cache=128" \
	--disk-if ahci --ahci-port 1; then
	check "ahci: armed with kexec_load (elfcorehdr=NNNK)" grep -q 'elfcorehdr=[0-9]*[kK]' "$T/ahci.log"
fi
rm -f "$T"/ahci.img "$T"/ahci.ram "$T"/ahci.elf "$T"/ahci.kdump "$T"/ahci.mdf

# dump_level from the configuration file unless this build has no
# --dump-level at all (level 1: today's behaviour, nothing to configure)
conf="rdguest.conflevel=$LEVEL"
[ "$LEVEL" = 1 ] && ! e2e_has_dump_level && conf=
if e2e_filter nvme "$LEVEL" 4096 "rdguest.method=file rdguest.comp=zlib rdguest.level=1 rdguest.fill=1 rdguest.anon=512 rdguest.cache=256 $conf" \
	--disk-if nvme; then
	hi=0
	for pa in $(readelf -lW "$T/nvme.elf" | awk '$1 == "LOAD" { print $4 }'); do
		[ $((pa)) -ge $((1 << 32)) ] && hi=$((hi + 1))
	done
	check "nvme: the vmcore has memory above 4 GiB ($hi PT_LOADs)" test "$hi" -gt 0
fi
rm -f "$T"/nvme.img "$T"/nvme.ram "$T"/nvme.elf "$T"/nvme.kdump "$T"/nvme.mdf
exit 0
