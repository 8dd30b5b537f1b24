# tests/lib/minikernel.sh - helpers for the minikernel's direct-boot tests
# (tests/t-mk-*.sh). Source it after tests/lib.sh. Every QEMU run is
# wrapped in `timeout`; the minikernel is booted with -kernel rdmk.elf
# (PVH) and leaves through isa-debug-exit (rd.exit=qemu): 33 = DONE,
# 35 = FAILED.
MK_ELF=$B/minikernel/rdmk.elf
MK_QEMU_TIMEOUT=${MK_QEMU_TIMEOUT:-120}
MK_MEM=${MK_MEM:-256}
# Disk layout (512-byte sectors): p1 ext4 16 MiB, p2 rawdump 40 MiB,
# p3 rawdump 4 MiB (smaller than the planted memory: truncation).
MK_P1_START=2048;  MK_P1_SIZE=32768
MK_P2_START=34816; MK_P2_SIZE=81920
MK_P3_START=116736; MK_P3_SIZE=8192
MK_UUID_BAD=0123456789abcdef0123456789abcdef

# mk_make_disk IMG: GPT, ext4 with a file in p1, p2 and p3 formatted.
mk_make_disk() {
	rm -f "$1"
	truncate -s 64M "$1" &&
	printf 'label: gpt\nstart=%s, size=%s, type=L, name=data\nstart=%s, size=%s, type=L, name=dump\nstart=%s, size=%s, type=L, name=small\n' \
		$MK_P1_START $MK_P1_SIZE $MK_P2_START $MK_P2_SIZE $MK_P3_START $MK_P3_SIZE |
		sfdisk -q "$1" >/dev/null &&
	mkfs.ext4 -q -F -E offset=$((MK_P1_START * 512)) "$1" $((MK_P1_SIZE / 2))k >/dev/null 2>&1 &&
	"$RAWDUMP" format "$1:2" >/dev/null &&
	"$RAWDUMP" format "$1:3" >/dev/null
}

# mk_info_field IMG:N KEY: one field of `rawdump info --json`.
mk_info_field() {
	"$RAWDUMP" info "$1" --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# mk_outside IMG START SIZE OUT: every byte of IMG outside [START, START+SIZE)
# (sectors) - what a dump into that partition must not change.
mk_outside() {
	{ head -c $(($2 * 512)) "$1"; tail -c +$((($2 + $3) * 512 + 1)) "$1"; } >"$4"
}

# mk_plant SEED OUTPREFIX RANGE...: pattern files; prints -device loader args.
mk_plant() {
	local seed=$1 pre=$2 r i=0
	shift 2
	for r in "$@"; do
		"$SIM" pattern --pattern "$seed" --range "$r" "$pre.$i" >/dev/null || return 1
		printf -- '-device loader,file=%s,addr=%s ' "$pre.$i" "${r%%:*}"
		i=$((i + 1))
	done
}

# mk_boot SERIAL IMG CMDLINE [QEMU ARGS...]: direct-boot the minikernel with
# IMG on the controller MK_DISK names (virtio, the default; virtio4k, with
# 4096-byte logical blocks; ahci, port 0; nvme, namespace 1), always at PCI
# 00:04.0; returns QEMU's exit status.
# MK_NO_REBOOT= (empty) lets a reset reboot the machine.
mk_boot() {
	local serial=$1 img=$2 cmd=$3 dev
	shift 3
	case ${MK_DISK:-virtio} in
	virtio) dev="-device virtio-blk-pci,drive=d0,addr=04.0" ;;
	virtio4k) dev="-device virtio-blk-pci,drive=d0,addr=04.0,logical_block_size=4096,physical_block_size=4096" ;;
	ahci) dev="-device ahci,id=ahci0,addr=04.0 -device ide-hd,drive=d0,bus=ahci0.0"
		cmd="rd.unit=0 $cmd" ;;
	nvme) dev="-device nvme,serial=rdmk,drive=d0,addr=04.0"
		cmd="rd.unit=1 $cmd" ;;
	esac
	# shellcheck disable=SC2086
	timeout "$MK_QEMU_TIMEOUT" qemu-system-x86_64 -display none ${MK_NO_REBOOT--no-reboot} \
		-m "$MK_MEM" -serial "file:$serial" -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive file="$img",format=raw,if=none,id=d0 $dev \
		-kernel "${MK_KERNEL:-$MK_ELF}" -append "rd.exit=qemu rd.pci=00:04.0 $cmd" "$@" \
		</dev/null >/dev/null 2>&1
}

# mk_target_args N UUID: rd.start/rd.size/rd.uuid for partition N.
mk_target_args() {
	local start size
	case $1 in
	2) start=$MK_P2_START size=$MK_P2_SIZE ;;
	3) start=$MK_P3_START size=$MK_P3_SIZE ;;
	esac
	printf 'rd.start=%s rd.size=%s rd.uuid=%s' "$start" "$size" "$2"
}

# mk_serial_has NAME FILE TEXT: check the serial log contains TEXT.
mk_serial_has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "no '$3' on serial: $(tail -n 2 "$2" | tr '\r\n' '  ')"; fi
}

# mk_need [TOOL...]: the opening of every minikernel test: the host tools
# (and TOOLs) present, the minikernel, rawdump and rawdump-sim built.
mk_need() {
	need qemu-system-x86_64 sfdisk mkfs.ext4 python3 timeout "$@"
	for f in "$MK_ELF" "$RAWDUMP" "$SIM"; do
		[ -f "$f" ] || { fail "build" "$f missing (run make)"; exit 1; }
	done
}
