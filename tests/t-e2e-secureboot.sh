#!/bin/bash
# tests/t-e2e-secureboot.sh - rawdump under UEFI Secure Boot and kernel
# lockdown, with Debian's own firmware and kernel: OVMF's Secure Boot build
# whose db holds the test "SnakeOil" certificate (package ovmf, q35 + SMM),
# Debian's 6.1 bzImage given an extra SnakeOil signature so that the
# firmware boots it (the kernel then locks itself down, integrity mode, and
# loads db into its platform keyring).
# One boot (virtio-blk; SB_DISKS="ahci nvme" adds a crash boot for each), in
# this order:
#   - arm with the unsigned minikernel: exit 10 (refused by arm itself, and
#     with --method file by the kernel), nothing loaded
#   - arm with a minikernel signed by a key no keyring trusts: exit 11,
#     nothing loaded
#   - arm --method load (kexec_load): exit 12, nothing loaded
#   - arm with the SnakeOil-signed minikernel (scripts/sign-minikernel.sh):
#     kexec_file_load accepts it; status says lockdown, Secure Boot, signed;
#     sysrq-c; the minikernel dumps; on the host rawdump save, the byte-exact
#     checks of e2e_crash (against QEMU's dump-guest-memory; no plant module:
#     the locked-down kernel refuses unsigned modules, and SnakeOil is in the
#     platform keyring, which 6.1 consults for kexec, not for modules) and
#     crash reads the vmcore with the debug vmlinux.
# Host side first: the PE/COFF form of the bzImage signs and verifies
# (sbsign/sbverify), and the signed image boots directly (QEMU -kernel,
# the real-mode entry) with its self-check intact.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
. "$TOP/tests/lib/minikernel.sh"
e2e_need
need sbsign sbverify openssl crash
SB_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
SB_CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
SB_VMLINUX=/var/cache/rawdump/vmlinux-$E2E_REL
for f in $SB_KEY $SB_CERT /usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd; do
	[ -r "$f" ] || { fail "Secure Boot prerequisites" "$f missing (apt-get install ovmf)"; exit 1; }
done
BZ=$B/minikernel/rdmk.bzImage
SEED=$((RANDOM * 32768 + RANDOM + 1))

# ---- keys and signed images (host) -------------------------------------
openssl rsa -in $SB_KEY -passin pass:snakeoil -out "$T/snakeoil.key" 2>/dev/null ||
	{ fail "decrypt the SnakeOil key"; exit 1; }
openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rawdump untrusted test key" \
	-keyout "$T/other.key" -out "$T/other.pem" 2>/dev/null ||
	{ fail "make an untrusted key"; exit 1; }
check "sign-minikernel.sh signs with SnakeOil" \
	"$TOP/scripts/sign-minikernel.sh" "$T/snakeoil.key" $SB_CERT "$BZ" "$T/rdmk.signed.bzImage"
check "sign-minikernel.sh signs with the untrusted key" \
	"$TOP/scripts/sign-minikernel.sh" "$T/other.key" "$T/other.pem" "$BZ" "$T/rdmk.wrongkey.bzImage"
sbsign --key "$T/snakeoil.key" --cert $SB_CERT --output "$T/sbsign.out" "$BZ" >"$T/sbsign.log" 2>&1
check_eq "sbsign has no warning about the PE/COFF layout" "$(grep -ci 'warning' "$T/sbsign.log")" 0
check "sbverify: signed image verifies against SnakeOil" sbverify --cert $SB_CERT "$T/rdmk.signed.bzImage"
check_not "sbverify: untrusted-key image does not verify against SnakeOil" \
	sbverify --cert $SB_CERT "$T/rdmk.wrongkey.bzImage"
check_eq "sbverify: the unsigned image has no signature" \
	"$(sbverify --list "$BZ" 2>&1 | grep -c '^signature ')" 0
check "signed image: the setup sectors and payload are unchanged apart from CheckSum and the certificate entry" \
	python3 - "$BZ" "$T/rdmk.signed.bzImage" <<'PY'
import struct, sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
pe = struct.unpack_from("<I", a, 0x3c)[0]
opt = pe + 24
csum, cert = opt + 64, opt + 112 + 4 * 8
skip = set(range(csum, csum + 4)) | set(range(cert, cert + 8))
assert len(b) > len(a) and len(a) % 512 == 0
diff = [i for i in range(len(a)) if a[i] != b[i] and i not in skip]
assert not diff, "bytes changed at %s" % diff[:8]
off, size = struct.unpack_from("<II", b, cert)
assert off == len(a) and off + size == len(b), (off, size, len(a), len(b))
PY

# make sign writes build/minikernel/rdmk.signed.bzImage; make install
# installs it as rdmk.bzImage (the unsigned one again once it is removed)
check "make sign KEY= CERT=" make -s -C "$TOP" sign KEY="$T/snakeoil.key" CERT=$SB_CERT
check "make install installs the signed minikernel" sh -c "make -s -C '$TOP' install \
	DESTDIR='$T/stage' PREFIX=/usr >/dev/null 2>&1 &&
	cmp '$T/stage/usr/lib/rawdump/rdmk.bzImage' '$B/minikernel/rdmk.signed.bzImage'"
rm -f "$B/minikernel/rdmk.signed.bzImage"
check "make install without make sign installs the unsigned one" sh -c "make -s -C '$TOP' install \
	DESTDIR='$T/stage' PREFIX=/usr >/dev/null 2>&1 &&
	cmp '$T/stage/usr/lib/rawdump/rdmk.bzImage' '$BZ'"

# The signed bzImage through QEMU -kernel (real-mode entry; the signature
# is loaded after the image, in what becomes .bss): self-check and a dump.
IMG=$T/direct.img
check "make disk" mk_make_disk "$IMG"
UUID=$(mk_info_field "$IMG:2" uuid)
LOADERS=$(mk_plant 9 "$T/pat" 0x1000000:1M)
# shellcheck disable=SC2086
MK_KERNEL=$T/rdmk.signed.bzImage mk_boot "$T/direct.serial" "$IMG" \
	"$(mk_target_args 2 "$UUID") rd.ranges=0x1000000:1M" $LOADERS
check_eq "signed bzImage boots directly: QEMU exit 33 (DONE)" "$?" 33
mk_serial_has "signed bzImage: self-check passes" "$T/direct.serial" "bytes of text and rodata ok"

# ---- the Secure Boot guest ------------------------------------------------
e2e_guest
sbsign --key "$T/snakeoil.key" --cert $SB_CERT --output "$T/vmlinuz.signed" "$E2E_KERNEL" >/dev/null 2>&1 ||
	{ fail "add a SnakeOil signature to $E2E_KERNEL"; exit 1; }
# the signed minikernels ride in a second cpio archive after the guest's
mkdir -p "$T/extra/usr/lib/rawdump"
cp "$T/rdmk.signed.bzImage" "$T/rdmk.wrongkey.bzImage" "$T/extra/usr/lib/rawdump/"
(cd "$T/extra" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$T/extra.gz"
cat "$E2E_GUEST/initrd.gz" "$T/extra.gz" >"$T/initrd-sb.gz"
E2E_KERNEL=$T/vmlinuz.signed
E2E_INITRD=$T/initrd-sb.gz
E2E_KEEP_VMCORE=1
E2E_NO_PLANT=1
e2e_crash sb "$SEED" "crashkernel=4M rdguest.sbcases=1 rdguest.minikernel=/usr/lib/rawdump/rdmk.signed.bzImage rdguest.wrongkey=/usr/lib/rawdump/rdmk.wrongkey.bzImage" \
	--secure-boot
log=$T/sb.log
check "firmware booted the kernel with Secure Boot" grep -q 'Kernel is locked down from EFI Secure Boot' "$log"
check_eq "lockdown state in the guest" "$(e2e_line "$log" lockdown)" "none [integrity] confidentiality"
ML=/usr/lib/rawdump
SB_STATE="lockdown integrity, Secure Boot enabled"
check_eq "unsigned minikernel: arm exits 10, nothing loaded" "$(e2e_line "$log" arm-unsigned)" "rc=10 loaded=0"
check "unsigned minikernel: the sentence says why and how to fix it" grep -qxF \
	"rawdump: arm: the minikernel $ML/rdmk.bzImage is not signed, and this kernel loads only signed images ($SB_STATE): sign it with a key the kernel trusts (make sign KEY=... CERT=..., or scripts/sign-minikernel.sh) and arm that image (--minikernel, or 'minikernel' in rawdump.conf; Documentation/user-guide.md, \"Secure Boot\")" "$log"
check_eq "unsigned minikernel, --method file: the kernel refuses it (ENODATA), arm exits 10" \
	"$(e2e_line "$log" arm-unsigned-file)" "rc=10 loaded=0"
check "unsigned minikernel, --method file: the kernel said ENODATA" \
	grep -q 'kexec_file: Enforced kernel signature verification failed (-61)' "$log"
check_eq "untrusted signature: arm exits 11, nothing loaded" "$(e2e_line "$log" arm-wrongkey)" "rc=11 loaded=0"
check "untrusted signature: the sentence says why and how to fix it" grep -qxF \
	"rawdump: arm: no keyring of this kernel trusts the signature of the minikernel $ML/rdmk.wrongkey.bzImage (kexec_file_load: Required key not available; $SB_STATE): enroll the signing certificate (mokutil --import CERT.der on shim systems, or into the UEFI db) and reboot, or sign with a key that is enrolled (Documentation/user-guide.md, \"Secure Boot\")" "$log"
check "untrusted signature: the kernel said ENOKEY" \
	grep -q 'kexec_file: Enforced kernel signature verification failed (-126)' "$log"
check_eq "--method load under lockdown: arm exits 12, nothing loaded" "$(e2e_line "$log" arm-load)" "rc=12 loaded=0"
check "--method load: the sentence says lockdown forbids kexec_load" grep -qxF \
	"rawdump: arm: kexec_load is forbidden by kernel lockdown ($SB_STATE): arm with --method auto or file (kexec_file_load) and a signed minikernel" "$log"
check "signed minikernel: armed via kexec_file_load" grep -q '^rawdump: armed .* via kexec_file_load' "$log"
check "status: lockdown and Secure Boot" grep -q '^lockdown: integrity (Secure Boot: enabled)' "$log"
check "status: the armed image is signed and was verified" \
	grep -q '^minikernel signature: signed, verified by the kernel' "$log"
if [ -f "$T/sb.vmcore" ]; then
	if [ -r "$SB_VMLINUX" ] || { fail "debug vmlinux" "$SB_VMLINUX missing (scripts/get-debug-vmlinux.sh)"; false; }; then
		printf 'log\nquit\n' | timeout 300 crash -s "$SB_VMLINUX" "$T/sb.vmcore" >"$T/crash.out" 2>&1
		check "crash reads the vmcore: log shows the panic" \
			grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$T/crash.out"
	fi
	check_eq "crash --osrelease" "$(crash --osrelease "$T/sb.vmcore" 2>/dev/null)" "$E2E_REL"
else
	fail "vmcore saved" "no $T/sb.vmcore"
fi

# The other controllers under the same firmware, one crash boot each: slow
# under TCG, so by request: SB_DISKS="ahci nvme" tests/run secureboot
for disk in ${SB_DISKS:-}; do
	e2e_crash "sb-$disk" "$SEED" "crashkernel=4M rdguest.minikernel=/usr/lib/rawdump/rdmk.signed.bzImage" \
		--secure-boot --disk-if "$disk"
	rm -f "$T/sb-$disk.vmcore"
done
exit 0
