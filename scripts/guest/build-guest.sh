#!/bin/bash
# scripts/guest/build-guest.sh - build the Debian test guest's initramfs.
#
# Usage: scripts/guest/build-guest.sh [--release REL] [--out DIR]
#                                     [--rawdump BIN] [--minikernel IMG]
#                                     [--kdump]
#   REL  kernel release of an installed linux-image (default: newest in
#        /lib/modules); the guest boots /boot/vmlinuz-REL unchanged (the
#        stock bzImage, KASLR on).
#   DIR  output directory (default build/guest)
#   BIN, IMG  the rawdump binary and minikernel to put in the guest
#        (default build/rawdump, build/minikernel/rdmk.bzImage)
#   --kdump  also the stock-kdump baseline (scripts/bench/50-kdump.sh): the
#        capture initramfs of scripts/guest/build-kdump.sh (built into
#        DIR/kdump, cached) and /boot/vmlinuz-REL under /usr/lib/rdkdump/ for
#        `kexec -p` (the memory fill is /bin/rdfill, built always)
# Produces DIR/initrd.gz and DIR/rdplant.ko, and prints the kernel path.
#
# Everything comes from Debian packages installed on the host:
# busybox-static (the shell and tools), the kernel's own modules for
# virtio-blk, AHCI, NVMe, ext4 and efivarfs (order from `modprobe --show-depends`),
# kexec-tools' /sbin/kexec and e2fsprogs' mkfs/fsck with the libraries ldd
# lists, plus this tree's build/rawdump, build/minikernel/rdmk.bzImage
# (when built), the test module tests/guest/plant built with Kbuild
# against linux-headers-REL and tests/guest/fill/rdfill.c built static
# (gcc -static, libc6-dev) as /bin/rdfill. /init is tests/guest/init.sh.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
out=$top/build/guest
rawdump_bin=$top/build/rawdump
minikernel=$top/build/minikernel/rdmk.bzImage
kdump=0
while [ $# -gt 0 ]; do
	case $1 in
	--release) rel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--rawdump) rawdump_bin=$2; shift 2 ;;
	--minikernel) minikernel=$2; shift 2 ;;
	--kdump) kdump=1; shift ;;
	*) echo "usage: $0 [--release REL] [--out DIR] [--rawdump BIN] [--minikernel IMG] [--kdump]" >&2; exit 1 ;;
	esac
done

die() { echo "build-guest: $*" >&2; exit 1; }
[ -f "/boot/vmlinuz-$rel" ] || die "/boot/vmlinuz-$rel missing (apt-get install linux-image-amd64)"
[ -d "/lib/modules/$rel/build" ] || die "headers for $rel missing (apt-get install linux-headers-amd64)"
[ -x /bin/busybox ] || die "busybox missing (apt-get install busybox-static)"
busybox --list | grep -qx ash || die "/bin/busybox is not busybox-static"
mkdir -p "$out"
# Stage privately: two test runs may build the same output at once.
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The plant module, built out of tree (Kbuild writes into M=, so build
#    a copy in the output directory, not in the source tree).
kb=$work/plant
mkdir -p "$kb"
cp "$top/tests/guest/plant/Kbuild" "$top/tests/guest/plant/rdplant.c" "$kb/"
make -s -C "/lib/modules/$rel/build" M="$kb" modules >"$work/plant-build.log" 2>&1 ||
	{ cat "$work/plant-build.log" >&2; die "module build failed"; }

# 1b. The memory filler (static: the initramfs has no libc of its own).
${CC:-gcc} -static -O2 -Wall -Werror -o "$work/rdfill" "$top/tests/guest/fill/rdfill.c" \
	>"$work/rdfill-build.log" 2>&1 || { cat "$work/rdfill-build.log" >&2; die "rdfill build failed"; }

# 2. The root tree.
root=$work/initramfs
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,mnt,var/crash,usr/sbin,usr/lib/rawdump,lib/modules/"$rel"}
cp /bin/busybox "$root/bin/busybox"
for app in $(busybox --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done

# copy_bin SRC DEST: a dynamic executable and every library ldd lists.
copy_bin() {
	install -D -m 0755 "$1" "$root$2"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}
copy_bin /usr/sbin/kexec /sbin/kexec
for t in mke2fs e2fsck; do
	p=$(command -v "$t" || true)
	[ -n "$p" ] && copy_bin "$p" "/sbin/$t"
done
ln -sf mke2fs "$root/sbin/mkfs.ext4"
# busybox's applets must not shadow the real tools copied above
rm -f "$root/bin/mkfs.ext2" "$root/bin/e2fsck" "$root/bin/mke2fs"

included="busybox kexec e2fsprogs rdplant.ko rdfill"
install -m 0755 "$work/rdfill" "$root/bin/rdfill"
if [ -x "$rawdump_bin" ]; then
	copy_bin "$rawdump_bin" /usr/sbin/rawdump
	included="$included rawdump"
else
	echo "build-guest: note: $rawdump_bin not built; guest has no rawdump" >&2
fi
if [ -f "$minikernel" ]; then
	cp "$minikernel" "$root/usr/lib/rawdump/rdmk.bzImage"
	included="$included rdmk.bzImage"
else
	echo "build-guest: note: $minikernel not built; guest cannot arm" >&2
fi
cp "$kb/rdplant.ko" "$root/lib/modules/$rel/rdplant.ko"
for f in "$top"/scripts/systemd/rawdump-boot; do
	[ -f "$f" ] && install -m 0755 "$f" "$root/usr/lib/rawdump/$(basename "$f")"
done

if [ "$kdump" = 1 ]; then
	"$top/scripts/guest/build-kdump.sh" --release "$rel" --out "$out/kdump" >/dev/null ||
		die "capture initramfs build failed"
	install -D -m 0644 "/boot/vmlinuz-$rel" "$root/usr/lib/rdkdump/vmlinuz"
	install -m 0644 "$out/kdump/initrd.gz" "$root/usr/lib/rdkdump/initrd.gz"
	included="$included kdump-capture"
fi

# 3. Kernel modules, in dependency order, listed in /etc/rdguest.modules.
: >"$root/etc/rdguest.modules"
for m in virtio_pci virtio_blk virtio_scsi ahci sd_mod nvme ext4 efivarfs; do
	modprobe -S "$rel" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	install -D -m 0644 "$ko" "$root$ko"
	echo "$ko" >>"$root/etc/rdguest.modules"
done

# 4. Configuration and init.
cat >"$root/etc/rawdump.conf" <<CONF
# rawdump configuration of the test guest (see Documentation/user-guide.md)
target = PARTLABEL=rawdump
output_dir = /var/crash
minikernel = /usr/lib/rawdump/rdmk.bzImage
CONF
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
install -m 0755 "$top/tests/guest/init.sh" "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$work/initrd.gz"
cp "$kb/rdplant.ko" "$work/rdplant.ko.new"
mv "$work/rdplant.ko.new" "$out/rdplant.ko"
mv "$work/initrd.gz" "$out/initrd.gz"
echo "build-guest: $out/initrd.gz ($(du -k "$out/initrd.gz" | cut -f1) KiB: $included)" >&2
echo "/boot/vmlinuz-$rel"
