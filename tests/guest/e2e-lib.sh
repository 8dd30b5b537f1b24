# tests/guest/e2e-lib.sh - shared steps of the end-to-end tests (tests/t-e2e-*.sh).
# Source after tests/lib.sh. Provides:
#   e2e_need              fail loudly unless QEMU, the guest kernel and the
#                         built rawdump + minikernel are present
#   e2e_guest             build the guest initramfs into $E2E_GUEST (once per
#                         run of the tests: rebuilt when an input is newer)
#   e2e_boot LOG APPEND [rdqemu.py options...]
#                         boot the guest; APPEND is added to the kernel
#                         command line; returns QEMU's exit status.
#                         E2E_KERNEL and E2E_INITRD (default: the built
#                         guest's) may be set to boot other ones
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
	local stamp=$E2E_GUEST/initrd.gz src stale=0
	[ -f "$stamp" ] || stale=1
	for src in "$RAWDUMP" "$B/minikernel/rdmk.bzImage" "$TOP"/tests/guest/init.sh \
		"$TOP"/tests/guest/plant/rdplant.c "$TOP"/scripts/guest/build-guest.sh \
		"$TOP"/scripts/systemd/rawdump-boot; do
		[ "$src" -nt "$stamp" ] && stale=1
	done
	# build-guest.sh replaces the initrd atomically: a concurrent run keeps
	# booting the old one until the new one is in place
	if [ "$stale" = 1 ]; then
		"$TOP/scripts/guest/build-guest.sh" --release "$E2E_REL" --out "$E2E_GUEST" \
			>"$T/build-guest.log" 2>&1 ||
			{ fail "guest image builds" "$(tail -n 3 "$T/build-guest.log" | tr '\n' ' ')"; exit 1; }
	fi
	pass "guest image builds ($(du -k "$stamp" | cut -f1) KiB initramfs, kernel $E2E_REL)"
}

e2e_boot() {
	local log=$1 append=$2
	shift 2
	"$E2E_QEMU" --kernel "$E2E_KERNEL" --initrd "${E2E_INITRD:-$E2E_GUEST/initrd.gz}" \
		--append "console=ttyS0 quiet panic=-1 $append" --log "$log" "$@" \
		>"$log.runner" 2>&1
}

e2e_line() {
	sed -n "s/^RDGUEST: $2 //p" "$1" | tail -n 1
}

# e2e_crash NAME SEED APPEND [rdqemu.py options...]
#   One crash boot on a fresh disk $T/NAME.img (format, arm, plant with SEED,
#   sysrq-c, rd.exit=halt; QEMU's reference dump taken when the writer
#   starts, quit at DONE), then on the host rawdump save to $T/NAME.vmcore and
#   the byte-exact checks: planted pages, every PT_LOAD against the
#   reference (the kexec_load backup region through the elfcorehdr), notes.
#   With E2E_KEEP_VMCORE=1, $T/NAME.vmcore is left for more checks; with
#   E2E_NO_PLANT=1 the plant module is not loaded (a Secure Boot guest
#   refuses unsigned modules) and its check is left out.
e2e_crash() {
	local name=$1 seed=$2 append=$3 log ech done_line
	shift 3
	log=$T/$name.log
	"$TOP/scripts/guest/make-disk.sh" "$T/$name.img" --fs-size 32M --dump-size 1200M 2>/dev/null
	[ "${E2E_NO_PLANT:-0}" = 1 ] && append="rdguest.plant=0 $append"
	e2e_boot "$log" "rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$seed $append" \
		--disk "$T/$name.img" --mem 1024 --smp 2 --timeout 600 --dump-file "$T/$name.ram" \
		--dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)' "$@"
	check "$name: armed ($(sed -n 's/^rawdump: armed .*(\(.*unit [0-9]*\),.* via \([a-z_]*\);.*/\1, \2/p' "$log"))" \
		grep -q '^RDGUEST: arm rc=0 ' "$log"
	done_line=$(grep -a '^rawdump: \(DONE\|FAILED\)' "$log" | tail -n 1)
	case $done_line in
	"rawdump: DONE"*) pass "$name: minikernel wrote the dump (${done_line#rawdump: })" ;;
	*) fail "$name: minikernel wrote the dump" "${done_line:-no DONE line}"; return 1 ;;
	esac
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$T/$name.img:2" -o "$T" --name "$name.vmcore"
	ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$log" | head -n 1 | cut -d= -f2)
	case $ech in *[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;; esac
	[ "${E2E_NO_PLANT:-0}" = 1 ] ||
		check "$name: every planted byte is in the vmcore" "$E2E_CHECK" plant --seed "$seed" --list "$log" "$T/$name.vmcore"
	check "$name: every dumped byte equals QEMU's dump-guest-memory" \
		"$E2E_CHECK" compare "$T/$name.vmcore" "$T/$name.ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed "s/^/# $name: /"
	check "$name: NT_PRSTATUS per CPU and VMCOREINFO equal the kernel's" \
		"$E2E_CHECK" notes "$T/$name.vmcore" "$T/$name.ram" --elfcorehdr "$ech"
	rm -f "$T/$name.img" "$T/$name.ram"
	[ "${E2E_KEEP_VMCORE:-0}" = 1 ] || rm -f "$T/$name.vmcore"
}
