# tests/lib/drivers.sh - shared steps of the driver tests (tests/t-drv-*.sh):
# a GPT disk image with a rawdump partition between random data, a direct
# (PVH) boot of the minikernel in QEMU that captures planted memory through
# one disk controller, and the checks that follow (exit status, console
# lines, `rawdump save`, `rawdump-sim verify`, bytes outside the partition).
# Source it after tests/lib.sh.

MK_ELF=$B/minikernel/rdmk.elf
DRV_MEM=256
DRV_RANGE_ADDR=0x4000000
DRV_RANGE_SIZE=8M
DRV_QEMU_TIMEOUT=120
# QEMU drive option: writes slower than the writer fills buffers, so that
# several are in flight
DRV_SLOW_WRITES=throttling.bps-write=16777216

need qemu-system-x86_64 sfdisk python3 timeout cmp
for f in "$MK_ELF" "$RAWDUMP" "$SIM"; do
	[ -e "$f" ] || { fail "build: $f exists" "run make first"; exit 1; }
done

# drv_disk IMG: 64 MiB of random bytes, GPT: 1 "data" (16 MiB), 2 "rawdump"
# (32 MiB), formatted. Sets DRV_START/DRV_SIZE (512-byte units), DRV_UUID,
# DRV_OFF/DRV_END (bytes) and keeps a copy in IMG.before.
drv_disk() {
	local img=$1 info
	dd if=/dev/urandom of="$img" bs=1M count=64 status=none || return 1
	printf 'label: gpt\nstart=2048, size=32768, name=data\nstart=34816, size=65536, name=rawdump\n' |
		sfdisk -q "$img" >/dev/null || return 1
	"$RAWDUMP" format "$img:2" --force --label drvtest >"$T/format.out" 2>&1 || {
		cat "$T/format.out"; return 1; }
	info=$("$RAWDUMP" info "$img:2" --json) || return 1
	read -r DRV_UUID DRV_OFF DRV_PSIZE < <(printf '%s' "$info" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["uuid"], j["part_offset"], j["part_size"])') || return 1
	DRV_START=$((DRV_OFF / 512))
	DRV_SIZE=$((DRV_PSIZE / 512))
	DRV_END=$((DRV_OFF + DRV_PSIZE))
	cp "$img" "$img.before"
}

# drv_boot LOG DRIVE_SPEC EXTRA_CMDLINE QEMU_ARGS...: capture planted pattern
# memory through the controller the QEMU_ARGS create at PCI 00:04.0, drive
# id d0. Sets DRV_RC to QEMU's exit status (33 = DONE, 35 = FAILED).
drv_boot() {
	local log=$1 drive=$2 extra=$3
	shift 3
	timeout "$DRV_QEMU_TIMEOUT" qemu-system-x86_64 -m "$DRV_MEM" -nographic -no-reboot \
		-display none -monitor none -serial "file:$log" -kernel "$MK_ELF" \
		-append "console=ttyS0 rd.pci=00:04.0 rd.start=$DRV_START rd.size=$DRV_SIZE rd.uuid=$DRV_UUID rd.ranges=$DRV_RANGE_ADDR:$DRV_RANGE_SIZE rd.exit=qemu $extra" \
		-device "loader,file=$T/pattern.bin,addr=$DRV_RANGE_ADDR" \
		-drive "$drive" "$@" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 >"$log.qemu" 2>&1
	DRV_RC=$?
}

# drv_pattern SEED: the bytes planted at DRV_RANGE_ADDR.
drv_pattern() {
	DRV_SEED=$1
	rm -f "$T/pattern.bin"
	"$SIM" pattern --pattern "$1" --range "$DRV_RANGE_ADDR:$DRV_RANGE_SIZE" "$T/pattern.bin" ||
		{ fail "pattern $1" "rawdump-sim pattern failed"; exit 1; }
}

# drv_has NAME LOG REGEX: pass if the console log has a line matching REGEX.
drv_has() {
	if grep -Eq "$3" "$2"; then pass "$1"; else
		fail "$1" "no /$3/ in console: $(grep -E 'rawdump:|timeout|blk:' "$2" | tail -n 3 | tr '\n' ' ')"
	fi
}

# drv_outside NAME IMG: bytes outside the rawdump partition are unchanged.
drv_outside() {
	if cmp -s -n "$DRV_OFF" "$2.before" "$2" && cmp -s -i "$DRV_END" "$2.before" "$2"; then
		pass "$1"
	else
		fail "$1" "$(cmp "$2.before" "$2" | head -n 1)"
	fi
}

# drv_capture_ok NAME IMG DEVLINE DRIVE_SPEC EXTRA QEMU_ARGS...: a whole
# capture that must succeed and save a vmcore equal to the pattern.
drv_capture_ok() {
	local name=$1 img=$2 devline=$3 drive=$4 extra=$5 log=$T/$1.log
	shift 5
	drv_boot "$log" "$drive" "$extra" "$@"
	check_eq "$name: QEMU exits through isa-debug-exit with success" "$DRV_RC" 33
	drv_has "$name: driver bound" "$log" "$devline"
	drv_has "$name: capture DONE" "$log" '^rawdump: DONE'
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$img:2" -o "$T" -n "$name.vmcore"
	check "$name: every dumped byte equals the planted pattern" \
		"$SIM" verify "$T/$name.vmcore" --pattern "$DRV_SEED" --range "$DRV_RANGE_ADDR:$DRV_RANGE_SIZE"
	drv_outside "$name: bytes outside the partition unchanged" "$img"
}
