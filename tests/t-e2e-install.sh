#!/bin/bash
# tests/t-e2e-install.sh - the host side of deployment, without a guest:
# `make install` into a DESTDIR (files, unit paths, example config), the
# /etc/rawdump.conf parser as `rawdump arm` reports it (exact exit codes
# and messages), and the boot-time helper rawdump-boot (rawdump save --boot)
# saving a real captured dump (written by rawdump-sim, the real writer) from a
# disk image into its dump directory in output_dir, in every configured
# format, then finding nothing to save.
. "$(dirname "$0")/lib.sh"
need sfdisk make
for f in "$RAWDUMP" "$SIM" "$B/minikernel/rdmk.bzImage"; do
	[ -e "$f" ] || { fail "prerequisites" "$f missing (run make)"; exit 1; }
done

# ---- make install ----------------------------------------------------------
stage=$T/stage
check "make install DESTDIR PREFIX=/usr" make -s -C "$TOP" -f Makefile -f scripts/install.mk \
	install DESTDIR="$stage" PREFIX=/usr
for f in usr/sbin/rawdump usr/lib/rawdump/rdmk.bzImage usr/lib/rawdump/rawdump-boot \
	lib/systemd/system/rawdump-arm.service lib/systemd/system/rawdump-save.service \
	etc/rawdump.conf usr/share/doc/rawdump/user-guide.md; do
	check "installed /$f" test -s "$stage/$f"
done
check "rawdump-arm.service runs /usr/sbin/rawdump arm" grep -qx 'ExecStart=/usr/sbin/rawdump arm' "$stage/lib/systemd/system/rawdump-arm.service"
check "rawdump-save.service runs rawdump save --boot" grep -qx 'ExecStart=/usr/sbin/rawdump save --boot' "$stage/lib/systemd/system/rawdump-save.service"
check "rawdump-save.service lets rawdump send STATUS=" grep -qx 'NotifyAccess=main' "$stage/lib/systemd/system/rawdump-save.service"
check_eq "make install creates /var/crash 0700" "$(stat -c %a "$stage/var/crash" 2>&1)" "700"
check "save is ordered before arm" grep -qx 'Before=rawdump-arm.service' "$stage/lib/systemd/system/rawdump-save.service"
check_not "no unsubstituted @VARS@ in the units" grep -q '@' "$stage/lib/systemd/system/rawdump-arm.service" "$stage/lib/systemd/system/rawdump-save.service"
echo "target = PARTLABEL=mine" >"$stage/etc/rawdump.conf"
make -s -C "$TOP" -f Makefile -f scripts/install.mk install DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check_eq "make install keeps an existing /etc/rawdump.conf" "$(cat "$stage/etc/rawdump.conf")" "target = PARTLABEL=mine"
# it gets past the image check and stops at this host's kexec state:
# 8 without kexec support, 9 without a reservation, 2 (/dev/null) otherwise
env RAWDUMP_CONF=/dev/null "$stage/usr/sbin/rawdump" arm /dev/null >"$T/inst.out" 2>&1
case "$?:$(cat "$T/inst.out")" in
*minikernel*|*bzImage*) fail "the installed rawdump finds its installed minikernel" "$(cat "$T/inst.out")" ;;
[289]:*) pass "the installed rawdump finds its installed minikernel" ;;
*) fail "the installed rawdump finds its installed minikernel" "$(cat "$T/inst.out")" ;;
esac

# units checked by systemd itself, installed under a PREFIX whose binaries exist
need systemd-analyze
px=$T/prefix
check "make install PREFIX=$px" make -s -C "$TOP" -f Makefile -f scripts/install.mk install \
	PREFIX="$px" SYSCONFDIR="$px/etc" CRASHDIR="$px/crash"
check "systemd-analyze verify accepts both units" systemd-analyze verify --man=no \
	"$px/lib/systemd/system/rawdump-arm.service" "$px/lib/systemd/system/rawdump-save.service"

# ---- configuration errors, as arm reports them -------------------------------
printf '# ok\ntarget = /dev/null\n\nlevle = 3\n' >"$T/typo.conf"
check_rc "unknown key: exit 1" 1 env RAWDUMP_CONF="$T/typo.conf" "$RAWDUMP" arm
check_eq "unknown key: message names file, line and key" "$(cat "$T/.out" | cut -d'(' -f1)" "rawdump: $T/typo.conf:4: levle: unknown key "
printf 'compression = lzo\n' >"$T/bad.conf"
check_rc "bad value: exit 1" 1 "$RAWDUMP" arm --config "$T/bad.conf"
check_eq "bad value: message" "$(cat "$T/.out")" "rawdump: $T/bad.conf:1: compression: 'lzo' not allowed (allowed: zlib, lz4, zstd, none)"
printf 'output_dir = /x\n' >"$T/notarget.conf"
check_rc "no target anywhere: exit 1" 1 env RAWDUMP_CONF="$T/notarget.conf" "$RAWDUMP" arm
check_rc "--exit bogus: exit 1" 1 env RAWDUMP_CONF=/dev/null "$RAWDUMP" arm /dev/null --exit bogus
check_rc "minikernel missing: exit 8" 8 env RAWDUMP_CONF=/dev/null "$RAWDUMP" arm /dev/null --minikernel "$T/none"
check_rc "minikernel not a bzImage: exit 8" 8 env RAWDUMP_CONF=/dev/null "$RAWDUMP" arm /dev/null --minikernel /etc/passwd
cp "$T/.out" "$T/msg"
check "... message says so" grep -q 'not a bzImage' "$T/msg"

# ---- rawdump-boot: save a real dump from a disk image ---------------------
img=$T/disk.img
truncate -s 64M "$img"
printf 'label: gpt\nsize=8M, name=other\nsize=40M, name=rawdump\n' | sfdisk -q "$img"
check "format the image's dump partition" "$RAWDUMP" format "$img:2"
check "rawdump-sim writes a complete dump" "$SIM" write "$img:2" --pattern 77 \
	--range 0x100000:8M --range 0x2000000:4M --cpus 2 --quiet
out=$T/crash
cat >"$T/boot.conf" <<CONF
target = $img:2       # a disk image partition works as a target too
output_dir = $out
formats = elf, kdump
CONF
export RAWDUMP_CONF=$T/boot.conf RAWDUMP=$RAWDUMP
check_rc "rawdump-boot save" 0 "$TOP/scripts/systemd/rawdump-boot" save
dumpdir=$(ls "$out" 2>/dev/null)
[[ $dumpdir =~ ^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$ ]] && pass "rawdump-boot saved into one dump directory ($dumpdir)" ||
	fail "rawdump-boot saved into one dump directory" "got '$dumpdir'"
check_eq "... holding the ELF and the kdump file" "$(ls "$out/$dumpdir" 2>&1 | tr '\n' ' ')" \
	"dmesg.txt info.json info.txt vmcore vmcore.kdump "
check "the saved ELF vmcore holds the pattern" "$SIM" verify "$out/$dumpdir/vmcore" \
	--pattern 77 --range 0x100000:8M --range 0x2000000:4M
state=$("$RAWDUMP" info "$img:2" --json | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')
check_eq "partition marked saved" "$state" saved
check_rc "rawdump-boot save again: nothing to save" 0 "$TOP/scripts/systemd/rawdump-boot" save
cp "$T/.out" "$T/msg"
check_eq "... and says so" "$(cat "$T/msg")" "$img:2: no dump waiting (state saved); nothing to save"
check_eq "... and wrote nothing new" "$(find "$out" | wc -l)" 7
exit 0
