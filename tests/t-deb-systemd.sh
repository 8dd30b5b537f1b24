#!/bin/bash
# tests/t-deb-systemd.sh - the Debian package on a Debian 12 guest whose init
# is systemd (scripts/guest/build-systemd-guest.sh: mmdebstrap from the
# configured apt source, cached; the stock 6.1 kernel, crashkernel=4M).
#
# Host: `make deb` (reused while no source file is newer), its file list and
# conffile. One QEMU run with --reboot, so the minikernel's reboot after the
# dump comes back into the same guest with the same command line; the guest
# driver is tests/guest/deb-systemd.sh (rdtest.service):
#   boot 1  dpkg -i the .deb (no error, units enabled, /etc/rawdump.conf a
#           conffile), target = /dev/vda2, rawdump format, systemctl enable
#           --now rawdump-arm.service, armed, sysrq-c; QEMU's own memory
#           dump is taken when the minikernel's writer starts
#   boot 2  rawdump-save.service saved the dump into output_dir, the
#           partition says saved, rawdump-arm.service re-armed
#           (kexec_crash_loaded 1), journalctl -u rawdump-save shows the
#           save's lines; apt-get remove (disarms, keeps the conffile) and
#           dpkg --purge (removes everything) without errors
# Host again: the saved vmcore, read from the guest's ext4 root, equals
# QEMU's dump byte for byte (every PT_LOAD), its notes equal the kernel's,
# and its kernel log (makedumpfile --dump-dmesg) ends in the sysrq panic.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/guest/e2e-lib.sh"
MEM=256
DUMP_SIZE=$((MEM + 176))M
e2e_need
need dpkg-buildpackage dpkg-deb mmdebstrap debugfs sfdisk makedumpfile git

# Where boot-time save puts vmcores, and which of the files the guest lists
# under output_dir is the ELF vmcore: the one place to change when the
# output layout changes (per-dump directories).
OUTPUT_DIR=/var/crash
saved_elf() { grep -v -e '\.kdump$' -e '\.lcrash$' | grep '/vmcore[^/]*$' | head -n 1; }

# ---- the package --------------------------------------------------------
deb=$(ls "$B"/deb/rawdump_*_amd64.deb 2>/dev/null | head -n 1)
stale=0
if [ -z "$deb" ]; then
	stale=1
else
	newer=$(cd "$TOP" && git ls-files -co --exclude-standard -z |
		xargs -0 -r sh -c 'find "$@" -maxdepth 0 -newer "$0" 2>/dev/null' "$deb" | head -n 1)
	[ -n "$newer" ] && stale=1
fi
if [ "$stale" = 1 ]; then
	t0=$SECONDS
	if make -s -C "$TOP" deb DEB_LINTIAN=0 >"$T/deb.log" 2>&1; then
		pass "make deb builds the package ($((SECONDS - t0)) s)"
	else
		fail "make deb builds the package" "$(tail -n 3 "$T/deb.log" | tr '\n' ' ')"; exit 1
	fi
	deb=$(ls "$B"/deb/rawdump_*_amd64.deb | head -n 1)
else
	pass "package up to date ($(basename "$deb") newer than every source file)"
fi
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
for f in /usr/sbin/rawdump /usr/lib/rawdump/rdmk.bzImage /usr/lib/rawdump/rawdump-boot \
	/lib/systemd/system/rawdump-arm.service /lib/systemd/system/rawdump-save.service \
	/usr/share/man/man8/rawdump.8.gz /etc/rawdump.conf /usr/share/doc/rawdump/copyright; do
	check "the package ships $f" grep -qx "$f" "$T/files"
done
dpkg-deb -e "$deb" "$T/control"
check_eq "the package's conffiles" "$(cat "$T/control/conffiles")" "/etc/rawdump.conf"
check "the package depends on kexec-tools" sh -c "dpkg-deb -f '$deb' Depends | grep -q 'kexec-tools'"

# ---- the guest -------------------------------------------------------------
t0=$SECONDS
"$TOP/scripts/guest/build-systemd-guest.sh" --release "$E2E_REL" >"$T/guest.out" 2>"$T/guest.err" ||
	{ fail "systemd guest builds" "$(tail -n 3 "$T/guest.err" | tr '\n' ' ')"; exit 1; }
{ read -r rootfs; read -r initrd; } <"$T/guest.out"
pass "systemd guest ($(basename "$rootfs"), $((SECONDS - t0)) s$(grep -o ' in [0-9]* s' "$T/guest.err" | sed 's/^ in/, built in/'))"

# the root filesystem of this run: the cached image plus the .deb and the driver
cp --sparse=always "$rootfs" "$T/root.ext4"
cat >"$T/rdtest.service" <<'UNIT'
[Unit]
Description=rawdump package test driver (tests/t-deb-systemd.sh)
After=multi-user.target rawdump-save.service rawdump-arm.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/rdtest
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
cp "$TOP/tests/guest/deb-systemd.sh" "$T/rdtest"
chmod 0755 "$T/rdtest"
cp "$deb" "$T/rawdump.deb"
debugfs -w -f - "$T/root.ext4" >"$T/debugfs.out" 2>&1 <<CMDS
cd /root
write $T/rawdump.deb rawdump.deb
cd /usr/local/sbin
write $T/rdtest rdtest
cd /etc/systemd/system
write $T/rdtest.service rdtest.service
mkdir multi-user.target.wants
symlink /etc/systemd/system/multi-user.target.wants/rdtest.service /etc/systemd/system/rdtest.service
CMDS
check "the driver and the .deb are on the guest's root" sh -c \
	"debugfs -R 'stat /usr/local/sbin/rdtest' '$T/root.ext4' 2>/dev/null | grep -q 'Mode:  0755'"
rm -f "$T/rawdump.deb"

# disk: p1 the root filesystem, p2 the dump partition ("rawdump")
disk=$T/disk.img
truncate -s $(( $(stat -c %s "$T/root.ext4") + $(numfmt --from=iec $DUMP_SIZE) + 2 * 1048576 )) "$disk"
printf 'label: gpt\nsize=%sK, name=root\nsize=%s, name=rawdump\n' \
	$(( $(stat -c %s "$T/root.ext4") / 1024 )) "$DUMP_SIZE" | sfdisk -q "$disk"
rootoff=$(( $(sfdisk -d "$disk" | awk -F'[=,]' '/img1 :/ { print $2 + 0 }') * 512 ))
dd if="$T/root.ext4" of="$disk" bs=1M seek=$((rootoff / 1048576)) conv=sparse,notrunc status=none
rm -f "$T/root.ext4"

# ---- one QEMU run: install, arm, crash, dump, reboot, save, re-arm, remove --
log=$T/serial.log
t0=$SECONDS
E2E_INITRD=$initrd e2e_boot "$log" "crashkernel=4M systemd.show_status=0 systemd.mask=serial-getty@ttyS0.service" \
	--disk "$disk" --mem $MEM --smp 2 --reboot --timeout 900 \
	--dump-file "$T/ram.elf" --dump-on '^dump: [0-9]+ ranges'
qrc=$?
echo "# QEMU ran $((SECONDS - t0)) s (exit $qrc; TCG, machine shared)"
awk '
/RDGUEST: booted phase=install/ && !b1 { b1 = $1 }
/RDGUEST: dpkg-install rc=/ && !i { i = $1 }
/RDGUEST: crashing/ && !c { c = $1 }
/ rawdump: DONE/ && !d { d = $1 }
/RDGUEST: booted phase=crashed/ && !b2 { b2 = $1 }
/RDGUEST: remove rc=/ && !r { r = $1 }
/RDGUEST: END/ && !e { e = $1 }
END { if (e) printf "# host clock: boot 1 %.0f s, dpkg -i %.0f s, to sysrq-c %.0f s, dump %.0f s, reboot to rdtest (incl. save) %.0f s, checks %.0f s, remove+purge %.0f s\n", b1, i - b1, c - i, d - c, b2 - d, r - b2, e - r }' "$log.ts"
line() { e2e_line "$log" "$1"; }
line1() { sed -n "s/^RDGUEST: $1 //p" "$log" | head -n 1; }
check_eq "boot 1: init is systemd" "$(sed -n 's/^RDGUEST: booted phase=install init=\([a-z]*\) .*/\1/p' "$log")" systemd
check_eq "dpkg -i rawdump.deb succeeds" "$(line dpkg-install)" "rc=0"
check_eq "... without errors or warnings" "$(grep -ciE '^RDGUEST: dpkg-install\| .*(error|warning)' "$log")" 0
check_eq "the package enables both units" "$(line enabled)" "arm=enabled save=enabled"
check_eq "dpkg lists /etc/rawdump.conf as a conffile" "$(line conffiles)" "/etc/rawdump.conf "
check_eq "rawdump format the target" "$(line format)" "rc=0"
check_eq "systemctl enable --now rawdump-arm.service" "$(line enable)" "rc=0"
check_eq "rawdump status: armed" "$(line1 status)" "rc=0"
check_eq "kexec_crash_loaded after arming" "$(grep -m 1 '^RDGUEST: kexec_crash_loaded' "$log")" "RDGUEST: kexec_crash_loaded 1"
check "sysrq-c entered the minikernel" grep -q '^rawdump: rawdump-minikernel' "$log"
done_line=$(grep -a '^rawdump: \(DONE\|FAILED\)' "$log" | tail -n 1)
case $done_line in
"rawdump: DONE"*) pass "the minikernel wrote the dump (${done_line#rawdump: })" ;;
*) fail "the minikernel wrote the dump" "${done_line:-no DONE line}"
   grep -a -v '^RDGUEST: .*| ' "$log" | tail -n 15 | sed 's/^/# /'; exit 1 ;;
esac
check "QEMU's reference dump taken while the minikernel ran" test -s "$T/ram.elf"
check_eq "boot 2: the same guest came back after the minikernel's reboot" \
	"$(sed -n 's/^RDGUEST: booted phase=\([a-z]*\) init=\([a-z]*\) .*/\1 \2/p' "$log" | tail -n 1)" "crashed systemd"
check_eq "rawdump-save.service succeeded" "$(line save.service)" "success ExecMainStatus=0"
check_eq "rawdump-arm.service active again" "$(line arm.service)" "active"
check_eq "rawdump status after the save" "$(line status)" "rc=0"
check "... says armed" grep -q '^RDGUEST: status| .*armed' "$log"
check_eq "kexec_crash_loaded after the reboot" "$(grep '^RDGUEST: kexec_crash_loaded' "$log" | tail -n 1)" "RDGUEST: kexec_crash_loaded 1"
check_eq "the partition says saved" "$(line 'partition state')" "saved"
check_eq "journalctl -u rawdump-save" "$(line journal)" "rc=0"
check "... shows the boot helper saving" grep -q "^RDGUEST: journal| rawdump-boot: saving the complete dump on /dev/vda2 to $OUTPUT_DIR/" "$log"
check "... and rawdump save's result" grep -q "^RDGUEST: journal| saved $OUTPUT_DIR/" "$log"
grep '^RDGUEST: journal| ' "$log" | sed 's/^RDGUEST: journal| /# journal: /'
sed -n 's/^RDGUEST: saved //p' "$log" >"$T/saved"
vmpath=$(cut -d' ' -f1 "$T/saved" | saved_elf)
check "an ELF vmcore under $OUTPUT_DIR ($vmpath)" test -n "$vmpath"
check_eq "apt-get remove rawdump" "$(line remove)" "rc=0"
check_eq "... without errors or warnings" "$(grep -ciE '^RDGUEST: remove\| .*(error|warning)' "$log")" 0
check_eq "... disarms and keeps the conffile" "$(line 'after remove:')" "kexec_crash_loaded 0 conf=kept status=rc "
check_eq "dpkg --purge rawdump" "$(line purge)" "rc=0"
check_eq "... without errors or warnings" "$(grep -ciE '^RDGUEST: purge\| .*(error|warning)' "$log")" 0
check_eq "... removes the conffile and the package" "$(line 'after purge:')" \
	"conf=gone status=dpkg-query: no packages found matching rawdump"
check_eq "... and leaves no file, unit link or enable state" "$(line 'left:')" ""
check_eq "the guest powered off at the end" "$(line END)" "saved"

# ---- the saved vmcore against QEMU's dump --------------------------------
rootoff=$(( $(sfdisk -d "$disk" | awk -F'[=,]' '/img1 :/ { print $2 + 0 }') * 512 ))
[ -n "$vmpath" ] && debugfs -R "dump $vmpath $T/vmcore" "$disk?offset=$rootoff" >/dev/null 2>&1
check_eq "the vmcore read from the guest's root has the size the guest saw" \
	"$(stat -c %s "$T/vmcore" 2>/dev/null)" "$(awk -v p="$vmpath" '$1 == p { print $2 }' "$T/saved")"
ech=$(e2e_elfcorehdr "$log")
check "every byte of the saved vmcore equals QEMU's dump" "$E2E_CHECK" compare "$T/vmcore" "$T/ram.elf" --elfcorehdr "$ech"
grep '^compare:' "$T/.out" | sed 's/^/# /'
check "its notes equal the kernel's" "$E2E_CHECK" notes "$T/vmcore" "$T/ram.elf" --elfcorehdr "$ech"
rm -f "$T/ram.elf" "$disk"
makedumpfile --dump-dmesg "$T/vmcore" "$T/dmesg.txt" >"$T/mdf.out" 2>&1
check "makedumpfile --dump-dmesg reads the saved vmcore" grep -q 'The dmesg log is saved' "$T/mdf.out"
check "... its log ends in the sysrq panic" grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$T/dmesg.txt"
exit 0
