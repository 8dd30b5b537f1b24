# tests/guest/e2e-lib.sh - shared steps of the end-to-end tests (tests/t-e2e-*.sh).
# Source after tests/lib.sh. Provides:
#   e2e_need              fail loudly unless QEMU, the guest kernel and the
#                         built rawdump + minikernel are present
#   e2e_guest             build the guest initramfs into $E2E_GUEST (once per
#                         run of the tests: rebuilt when an input is newer)
#   e2e_boot LOG APPEND [rdqemu.py options...]
#                         boot the guest; APPEND is added to the kernel
#                         command line; returns QEMU's exit status
#   e2e_line LOG PREFIX   the value after "RDGUEST: PREFIX" in LOG (last one)
E2E_REL=${E2E_REL:-$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)}
E2E_KERNEL=/boot/vmlinuz-$E2E_REL
E2E_GUEST=$B/e2e/guest
E2E_QEMU=$TOP/scripts/qemu/rdqemu.py
E2E_CHECK=$TOP/tests/guest/corecheck.py

e2e_need() {
	need qemu-system-x86_64 python3 sfdisk mke2fs cpio gzip
	for f in "$E2E_KERNEL" "$RAWDUMP" "$B/minikernel/rdmk.bzImage"; do
		[ -e "$f" ] || { fail "e2e prerequisites" "$f missing (run make)"; exit 1; }
	done
}

e2e_guest() {
	local stamp=$E2E_GUEST/initrd.gz src
	if [ -f "$stamp" ]; then
		for src in "$RAWDUMP" "$B/minikernel/rdmk.bzImage" "$TOP"/tests/guest/init.sh \
			"$TOP"/tests/guest/plant/rdplant.c "$TOP"/scripts/guest/build-guest.sh \
			"$TOP"/scripts/systemd/rawdump-boot; do
			[ "$src" -nt "$stamp" ] && { rm -f "$stamp"; break; }
		done
	fi
	if [ ! -f "$stamp" ]; then
		"$TOP/scripts/guest/build-guest.sh" --release "$E2E_REL" --out "$E2E_GUEST" \
			>"$T/build-guest.log" 2>&1 ||
			{ fail "guest image builds" "$(tail -n 3 "$T/build-guest.log" | tr '\n' ' ')"; exit 1; }
	fi
	pass "guest image builds ($(du -k "$stamp" | cut -f1) KiB initramfs, kernel $E2E_REL)"
}

e2e_boot() {
	local log=$1 append=$2
	shift 2
	"$E2E_QEMU" --kernel "$E2E_KERNEL" --initrd "$E2E_GUEST/initrd.gz" \
		--append "console=ttyS0 quiet panic=-1 $append" --log "$log" "$@" \
		>"$log.runner" 2>&1
}

e2e_line() {
	sed -n "s/^RDGUEST: $2 //p" "$1" | tail -n 1
}
