#!/bin/bash
# scripts/guest/build-systemd-guest.sh - a Debian 12 guest whose init is
# systemd, for tests/t-deb-systemd.sh (the Debian package on a real system).
#
# Usage: scripts/guest/build-systemd-guest.sh [--release REL] [--out DIR]
#                                             [--cache DIR]
# Prints two lines: the root filesystem image (ext4, label rdroot) and the
# boot initramfs.
#
# 1. The root filesystem, from Debian packages only: mmdebstrap --variant
#    minbase from this machine's configured apt source
#    (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list) plus
#    $PKGS below, made into an ext4 image with mke2fs -d. It is cached as
#    CACHE/systemd-rootfs-HASH.ext4 (default CACHE /var/cache/rawdump), HASH
#    of the package list and ROOTFS_LAYOUT: rebuilt only when they change.
#    The stock kernel is the host's /boot/vmlinuz-REL (the package
#    linux-image-REL, as in the other guests); its modules for the root
#    disk are copied in (/lib/modules/REL, depmod'ed).
# 2. The boot initramfs (DIR/initrd.gz, default build/e2e/systemd): busybox-static
#    loads virtio-blk and ext4 (modprobe --show-depends order), mounts
#    /dev/vda1 (the root disk's partition 1) and switch_root's to /sbin/init (systemd). Debian's
#    initramfs-tools would do the same in a minute of TCG time more.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
out=$top/build/e2e/systemd
cache=${RAWDUMP_CACHE:-/var/cache/rawdump}
while [ $# -gt 0 ]; do
	case $1 in
	--release) rel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	*) echo "usage: $0 [--release REL] [--out DIR] [--cache DIR]" >&2; exit 1 ;;
	esac
done
die() { echo "build-systemd-guest: $*" >&2; exit 1; }

# What the guest has besides minbase: systemd as init, the tools rawdump's
# package needs (Depends: kexec-tools and the libraries) and a few an
# administrator uses next to it.
PKGS="systemd systemd-sysv udev kmod kexec-tools e2fsprogs util-linux fdisk
libblkid1 zlib1g liblz4-1 libisal2 libxxhash0 libzstd1 libjson-c5"
ROOTFS_LAYOUT=1		# bump when what is done to the tree below changes
ROOTFS_SIZE=1G
MODULES="virtio_pci virtio_blk ext4"

for c in mmdebstrap mke2fs busybox cpio; do
	command -v "$c" >/dev/null || die "$c missing (scripts/install-deps.sh)"
done
[ -f "/boot/vmlinuz-$rel" ] || die "/boot/vmlinuz-$rel missing"
sources=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
	[ -s "$f" ] && { sources=$f; break; }
done
[ -n "$sources" ] || die "no configured apt source"

# module_files: the .ko files of $MODULES and their dependencies, in load order
module_files() {
	for m in $MODULES; do
		modprobe -S "$rel" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

hash=$(printf '%s\n' $PKGS "layout $ROOTFS_LAYOUT" "$rel" | sha256sum | cut -c1-12)
rootfs=$cache/systemd-rootfs-$hash.ext4
mkdir -p "$cache" "$out"
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -s "$rootfs" ]; then
	t0=$SECONDS
	tree=$work/root
	mmdebstrap --quiet --variant=minbase --include="$(echo $PKGS | tr ' ' ',')" \
		bookworm "$tree" "$sources" >"$work/mmdebstrap.log" 2>&1 ||
		{ tail -n 20 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
	echo rdguest >"$tree/etc/hostname"
	echo "LABEL=rdroot / ext4 defaults 0 1" >"$tree/etc/fstab"
	passwd -R "$tree" -d root >/dev/null
	module_files | while read -r ko; do
		install -D -m 0644 "$ko" "$tree$ko"
	done
	cp /lib/modules/"$rel"/modules.order /lib/modules/"$rel"/modules.builtin* "$tree/lib/modules/$rel/"
	depmod -b "$tree" "$rel"
	mke2fs -q -F -t ext4 -L rdroot -d "$tree" "$work/rootfs.ext4" "$ROOTFS_SIZE" \
		>"$work/mke2fs.log" 2>&1 || { cat "$work/mke2fs.log" >&2; die "mke2fs -d failed"; }
	mv "$work/rootfs.ext4" "$rootfs"
	echo "build-systemd-guest: built $rootfs in $((SECONDS - t0)) s ($(du -sm "$tree" | cut -f1) MiB)" >&2
fi

# The boot initramfs: small, rebuilt when this script is newer.
initrd=$out/initrd-$rel.gz
if [ ! -s "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	ir=$work/initramfs
	mkdir -p "$ir"/{bin,dev,proc,sys,root}
	cp /bin/busybox "$ir/bin/busybox"
	for app in sh mount umount switch_root insmod sleep cat echo ls; do
		ln -s busybox "$ir/bin/$app"
	done
	module_files >"$work/modules"
	while read -r ko; do
		install -D -m 0644 "$ko" "$ir$ko"
	done <"$work/modules"
	{
		echo '#!/bin/sh'
		echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev'
		sed 's/^/insmod /' "$work/modules"
		cat <<'INIT'
i=0
while ! mount -t ext4 /dev/vda1 /root 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "rdinitrd: cannot mount /dev/vda1"; ls /dev; exec sh; }
	sleep 0.1
done
umount /proc /sys; mount --move /dev /root/dev
exec switch_root /root /sbin/init
INIT
	} >"$ir/init"
	chmod 0755 "$ir/init"
	(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 -n >"$work/initrd.gz"
	mv "$work/initrd.gz" "$initrd"
fi
echo "$rootfs"
echo "$initrd"
