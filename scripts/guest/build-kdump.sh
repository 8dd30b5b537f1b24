#!/bin/bash
# scripts/guest/build-kdump.sh - build the stock-kdump capture initramfs,
# the baseline rawdump is compared with (scripts/bench/50-kdump.sh).
#
# Usage: scripts/guest/build-kdump.sh [--release REL] [--out DIR]
#   REL  kernel release (default: newest in /lib/modules); the capture kernel
#        is Debian's own /boot/vmlinuz-REL, loaded by `kexec -p` in the guest
#   DIR  output directory (default build/kdump)
# Produces DIR/initrd.gz; does nothing when it is newer than its inputs.
#
# Contents, all from Debian packages installed on the host: busybox-static,
# makedumpfile (1.7) with the shared libraries ldd lists, the kernel's own
# modules for virtio-blk (order from `modprobe --show-depends`), and
# tests/guest/kdump-init.sh as /init. No kdump-tools scripts: the init does
# what kdump's raw target does (see that file).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
out=$top/build/kdump
while [ $# -gt 0 ]; do
	case $1 in
	--release) rel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: $0 [--release REL] [--out DIR]" >&2; exit 1 ;;
	esac
done

die() { echo "build-kdump: $*" >&2; exit 1; }
md=$(command -v makedumpfile) || die "makedumpfile missing (apt-get install makedumpfile)"
[ -x /bin/busybox ] || die "busybox missing (apt-get install busybox-static)"
[ -d "/lib/modules/$rel" ] || die "/lib/modules/$rel missing"

stale=0
[ -f "$out/initrd.gz" ] || stale=1
for src in "$top/tests/guest/kdump-init.sh" "$0" "$md" /bin/busybox; do
	[ "$src" -nt "$out/initrd.gz" ] && stale=1
done
[ "$stale" = 1 ] || { echo "$out/initrd.gz"; exit 0; }

mkdir -p "$out"
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/initramfs
mkdir -p "$root"/{bin,sbin,usr/sbin,etc,proc,sys,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
for app in $(busybox --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
install -m 0755 "$md" "$root/usr/sbin/makedumpfile"
ldd "$md" | grep -o '/[^ ]*' | while read -r lib; do
	[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
done

: >"$root/etc/rdkdump.modules"
for m in virtio_pci virtio_blk; do
	modprobe -S "$rel" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	install -D -m 0644 "$ko" "$root$ko"
	echo "$ko" >>"$root/etc/rdkdump.modules"
done
install -m 0755 "$top/tests/guest/kdump-init.sh" "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 >"$work/initrd.gz"
mv "$work/initrd.gz" "$out/initrd.gz"
echo "build-kdump: $out/initrd.gz ($(du -k "$out/initrd.gz" | cut -f1) KiB: busybox, makedumpfile $("$md" -v 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p'), virtio-blk modules)" >&2
echo "$out/initrd.gz"
