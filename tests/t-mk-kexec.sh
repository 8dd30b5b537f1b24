#!/bin/bash
# tests/t-mk-kexec.sh - the minikernel as users load it: Debian's stock
# kernel (KASLR bzImage, crashkernel=4M, 2 CPUs) in QEMU loads
# build/minikernel/rdmk.bzImage with `kexec -p --type=bzImage64`
# (kexec_load) and with `kexec -s -p` (kexec_file_load), the rdplant module
# writes known pages, sysrq-c crashes it (on the boot CPU with one loader, on
# the other CPU with the other; kexec_load gets the image signed with sbsign,
# which must load and run like the unsigned one); the minikernel must dump into the
# rawdump partition, and the saved vmcore must hold every planted page
# (tests/guest/corecheck.py), both CPU notes and the panic.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/minikernel.sh"
need qemu-system-x86_64 sfdisk mke2fs python3 timeout busybox sbsign openssl
BZ=$B/minikernel/rdmk.bzImage
for f in "$BZ" "$RAWDUMP"; do
	[ -f "$f" ] || { fail "build" "$f missing (run make)"; exit 1; }
done
SEED=77

# The test guest's initramfs (scripts/guest/build-guest.sh), with our own
# /init: format, load with the loader named on the command line, plant, crash.
if ! "$TOP/scripts/guest/build-guest.sh" --out "$T/guest" >"$T/build.log" 2>&1; then
	fail "build guest" "$(tail -n 3 "$T/build.log" | tr '\n' ' ')"; exit 1
fi
KERNEL=$(tail -n 1 "$T/build.log")
ROOT=$T/root
mkdir -p "$ROOT" && (cd "$ROOT" && gzip -dc "$T/guest/initrd.gz" | cpio -id --quiet) ||
	{ fail "unpack guest initramfs"; exit 1; }
# the PE/COFF form signed with a throw-away key (no lockdown here: any key)
openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rawdump test" \
	-keyout "$T/k.pem" -out "$T/c.pem" >/dev/null 2>&1 &&
	sbsign --key "$T/k.pem" --cert "$T/c.pem" --output "$ROOT/usr/lib/rawdump/rdmk.signed.bzImage" \
		"$BZ" >/dev/null 2>&1 || { fail "sign the minikernel"; exit 1; }
cat >"$ROOT/init" <<'INIT'
#!/bin/sh
PATH=/usr/sbin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
while read -r ko; do insmod "$ko" 2>/dev/null; done </etc/rdguest.modules
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/block/vda2 ] && break; sleep 0.3; done
arg() { for w in $(cat /proc/cmdline); do case $w in "$1"=*) echo "${w#*=}";; esac; done; }
rawdump format PARTLABEL=rawdump --force >/dev/null
U=$(rawdump info PARTLABEL=rawdump --json | sed -n 's/^ *"uuid": "\([^"]*\)".*/\1/p' | head -n 1)
A="rd.pci=00:04.0 rd.start=$(cat /sys/class/block/vda2/start) rd.size=$(cat /sys/class/block/vda2/size) rd.uuid=$U rd.exit=qemu"
IMG=/usr/lib/rawdump/rdmk.bzImage
[ "$(arg mk.signed)" = 1 ] && IMG=/usr/lib/rawdump/rdmk.signed.bzImage
if [ "$(arg mk.loader)" = file ]; then
	kexec -s -p $IMG --append="$A"
else
	kexec -p $IMG --type=bzImage64 --append="$A"
fi
echo "MKGUEST: kexec rc=$? loaded=$(cat /sys/kernel/kexec_crash_loaded) size=$(cat /sys/kernel/kexec_crash_size) img=$IMG"
insmod /lib/modules/$(uname -r)/rdplant.ko seed="$(arg mk.seed)"
cat /proc/rdplant
taskset "$(arg mk.cpumask)" sh -c 'echo c >/proc/sysrq-trigger'
echo "MKGUEST: still alive"
poweroff -f
INIT
chmod 0755 "$ROOT/init"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 >"$T/initrd.gz"

# kexec_load crashes on CPU 0 (the boot CPU: the minikernel INITs the
# other), kexec_file_load on CPU 1 (an AP: INIT to the BSP would reset the
# machine, so the BSP is left halted by the crash NMI).
# la57: the guest runs 5-level paging (QEMU -cpu qemu64,+la57), which the
# minikernel is entered with (kexec_load; kexec_file_load needs the
# header's XLF_5LEVEL, tested by hand the same way).
for loader in load file la57; do
	cpu=qemu64 mask=1 cpumsg="INIT sent to all other CPUs" signed=0
	case $loader in
	load) signed=1 ;;
	file) mask=2 cpumsg="not the boot CPU: no INIT" ;;
	la57) cpu=qemu64,+la57 ;;
	esac
	"$TOP/scripts/guest/make-disk.sh" "$T/disk.img" --fs-size 16M --dump-size 600M 2>/dev/null
	timeout 300 qemu-system-x86_64 -m 512 -smp 2 -cpu "$cpu" -display none -no-reboot \
		-serial "file:$T/$loader.serial" -monitor none \
		-kernel "$KERNEL" -initrd "$T/initrd.gz" \
		-append "console=ttyS0 crashkernel=4M panic=-1 mk.loader=$loader mk.seed=$SEED mk.cpumask=$mask mk.signed=$signed" \
		-drive file="$T/disk.img",format=raw,if=none,id=d0 \
		-device virtio-blk-pci,drive=d0,addr=04.0 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >/dev/null 2>&1
	check_eq "kexec_$loader: QEMU exit 33 (DONE)" "$?" 33
	mk_serial_has "kexec_$loader: loaded into crashkernel=4M" "$T/$loader.serial" \
		"MKGUEST: kexec rc=0 loaded=1 size=4194304"
	[ $signed = 1 ] && mk_serial_has "kexec_$loader: the sbsign-signed image" "$T/$loader.serial" \
		"size=4194304 img=/usr/lib/rawdump/rdmk.signed.bzImage"
	mk_serial_has "kexec_$loader: self-check" "$T/$loader.serial" "selfcheck: "
	mk_serial_has "kexec_$loader: image inside the e820 RAM given" "$T/$loader.serial" \
		"inside the loader's RAM map"
	mk_serial_has "kexec_$loader: elfcorehdr with 2 CPUs" "$T/$loader.serial" "(2 CPUs), release '"
	mk_serial_has "kexec_$loader: other CPUs handled" "$T/$loader.serial" "$cpumsg"
	mk_serial_has "kexec_$loader: DONE" "$T/$loader.serial" "rawdump: DONE"
	if grep -aq "field-spanning\|WARNING:" "$T/$loader.serial"; then
		fail "kexec_$loader: no kernel warning at load" "$(grep -a -m1 'WARNING' "$T/$loader.serial")"
	else
		pass "kexec_$loader: no kernel warning at load"
	fi
	[ $loader = la57 ] && mk_serial_has "kexec_$loader: entered with 5-level paging" \
		"$T/$loader.serial" "5-level paging (LA57) is on"
	check_rc "kexec_$loader: rawdump save" 0 "$RAWDUMP" save "$T/disk.img:2" -o "$T" -n $loader.vmcore
	check "kexec_$loader: every planted page in the vmcore" python3 "$TOP/tests/guest/corecheck.py" \
		plant --seed $SEED --list "$T/$loader.serial" "$T/$loader.vmcore"
	got=$("$RAWDUMP" info "$T/$loader.vmcore" --json 2>/dev/null | python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(len(d["cpus"]), d["panic"])')
	check_eq "kexec_$loader: CPU notes and panic message" "$got" \
		"2 Kernel panic - not syncing: sysrq triggered crash"
	rm -f "$T/$loader.vmcore"
done
