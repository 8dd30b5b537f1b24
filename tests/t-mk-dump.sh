#!/bin/bash
# tests/t-mk-dump.sh - direct-boot the minikernel (PVH, QEMU -kernel) with
# known memory planted by `-device loader`, dump to a rawdump partition on a
# GPT disk over virtio-blk, save with `rawdump save`, and check every byte
# of the vmcore against the pattern; the ext4 partition and everything else
# outside the dump partition stay byte-identical. Also with -smp 2 / -smp 4,
# uncompressed, zlib, lz4 and zstd, each block checksum kind (xxh64 default,
# crc32c, crc32), on virtio-blk, AHCI and NVMe, and into a partition
# smaller than the planted memory.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
mk_need

IMG=$T/disk.img
RANGES=(0x1000000:8M 0x2000000:3M 0x2800000:256K)
SEED=11
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
check_eq "p2 empty after format" "$(mk_info_field "$IMG:2" state)" "empty"
LOADERS=$(mk_plant $SEED "$T/pat" "${RANGES[@]}")
RARG=$(IFS=,; echo "${RANGES[*]}")
mk_outside "$IMG" $MK_P2_START $MK_P2_SIZE "$T/outside.before"

# run_dump NAME SMP EXTRA_CMDLINE [COMP CSUM]: boot, save, verify; the dump
# header names COMP (default none) and CSUM (default xxh64).
run_dump() {
	local name=$1 smp=$2 extra=$3 comp=${4:-none} csum=${5:-xxh64} rc
	# shellcheck disable=SC2086
	mk_boot "$T/$name.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=$RARG $extra" \
		-smp "$smp" $LOADERS
	rc=$?
	check_eq "$name: QEMU exit (33 = DONE)" "$rc" 33
	mk_serial_has "$name: serial DONE" "$T/$name.serial" "rawdump: DONE"
	mk_serial_has "$name: self-check passed" "$T/$name.serial" "selfcheck: "
	mk_serial_has "$name: other CPUs stopped" "$T/$name.serial" "INIT sent to all other CPUs"
	mk_serial_has "$name: progress printed" "$T/$name.serial" "dump: 100%"
	check_eq "$name: partition COMPLETE" "$(mk_info_field "$IMG:2" state)" "complete"
	check_eq "$name: writer name in the header" \
		"$(mk_info_field "$IMG:2" writer)" "rawdump-minikernel 0.1"
	check_eq "$name: compression and checksum kind in the header" \
		"$(mk_info_field "$IMG:2" compression) $(mk_info_field "$IMG:2" checksum)" "$comp $csum"
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n "$name.vmcore"
	# shellcheck disable=SC2046
	check "$name: vmcore bytes equal the planted bytes" "$SIM" verify "$T/$name.vmcore" \
		--pattern $SEED $(printf -- '--range %s ' "${RANGES[@]}")
	mk_outside "$IMG" $MK_P2_START $MK_P2_SIZE "$T/outside.after"
	check "$name: ext4 and the rest of the disk untouched" cmp "$T/outside.before" "$T/outside.after"
	rm -f "$T/$name.vmcore"
}

run_dump "smp1-zlib" 1 "rd.comp=zlib" zlib
run_dump "smp2" 2 ""
run_dump "smp4-raw-crc32c" 4 "rd.comp=none rd.csum=crc32c" none crc32c
MK_DISK=ahci run_dump "ahci-lz4" 2 "rd.comp=lz4" lz4
# The bzImage through QEMU's real-mode Linux loader (setup.S): the image
# runs relocated at 0x100000, with no memory map.
MK_KERNEL=$B/minikernel/rdmk.bzImage run_dump "bzImage" 2 ""
MK_DISK=nvme run_dump "nvme-zlib-crc32" 2 "rd.comp=zlib rd.csum=crc32" zlib crc32
# 4096-byte logical sectors: PAD blocks keep every write sector aligned.
MK_DISK=virtio4k run_dump "virtio-4k-lz4" 2 "rd.comp=lz4" lz4
MK_DISK=virtio4k run_dump "virtio-4k-zlib" 1 "rd.comp=zlib" zlib
run_dump "smp2-zstd" 2 "rd.comp=zstd" zstd
MK_DISK=virtio4k run_dump "virtio-4k-zstd" 1 "rd.comp=zstd rd.csum=crc32c" zstd crc32c

# Memory above 4 GiB (beyond the PVH boot page tables: our own tables map it).
HIGH=0x1f0000000:4M
HLOAD=$(mk_plant $SEED "$T/high" "$HIGH")
# shellcheck disable=SC2086
MK_MEM=8G mk_boot "$T/high.serial" "$IMG" "$(mk_target_args 2 "$UUID") rd.ranges=$HIGH,${RANGES[0]}" \
	$HLOAD $LOADERS
check_eq "above 4 GiB: QEMU exit 33" "$?" 33
check_rc "above 4 GiB: rawdump save" 0 "$RAWDUMP" save "$IMG:2" -o "$T" -n high.vmcore
check "above 4 GiB: vmcore bytes equal the planted bytes" "$SIM" verify "$T/high.vmcore" \
	--pattern $SEED --range $HIGH --range "${RANGES[0]}"

# Partition smaller than memory: a TRUNCATED dump that still saves.
UUID3=$(mk_info_field "$IMG:3" uuid)
mk_outside "$IMG" $MK_P3_START $MK_P3_SIZE "$T/outside3.before"
# shellcheck disable=SC2086
mk_boot "$T/trunc.serial" "$IMG" "$(mk_target_args 3 "$UUID3") rd.ranges=$RARG rd.comp=none" $LOADERS
check_eq "truncated: QEMU exit 33" "$?" 33
mk_serial_has "truncated: serial says TRUNCATED" "$T/trunc.serial" "TRUNCATED"
check_eq "truncated: header says truncated" "$(mk_info_field "$IMG:3" truncated)" "True"
check_rc "truncated: save exits 6 (partial)" 6 "$RAWDUMP" save "$IMG:3" -o "$T" -n trunc.vmcore
# shellcheck disable=SC2046
check "truncated: saved bytes equal the planted bytes" "$SIM" verify "$T/trunc.vmcore" \
	--pattern $SEED --allow-missing $(printf -- '--range %s ' "${RANGES[@]}")
mk_outside "$IMG" $MK_P3_START $MK_P3_SIZE "$T/outside3.after"
check "truncated: the rest of the disk untouched" cmp "$T/outside3.before" "$T/outside3.after"
