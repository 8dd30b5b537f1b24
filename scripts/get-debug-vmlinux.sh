#!/bin/bash
# scripts/get-debug-vmlinux.sh - fetch the debug vmlinux of a Debian kernel
# release (for crash and gdb) into a cache outside the repository.
#
# Usage: scripts/get-debug-vmlinux.sh [RELEASE]     (default: the newest
#        /lib/modules/* release, i.e. the guest kernel)
# Prints the path of the vmlinux on stdout. The package
# linux-image-RELEASE-dbg (~860 MB) is downloaded once with apt-get download,
# only ./usr/lib/debug/boot/vmlinux-RELEASE is extracted from it (~630 MB),
# and the .deb is deleted. Cache: $RAWDUMP_CACHE (default /var/cache/rawdump).
# Exit status: 0 ok, 1 download or extraction failed.
set -eu

rel=${1:-$(ls -1 /lib/modules | sort -V | tail -n 1)}
cache=${RAWDUMP_CACHE:-/var/cache/rawdump}
out=$cache/vmlinux-$rel

if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/dbg.XXXXXX")
trap 'rm -rf "$work"' EXIT

pkg=linux-image-$rel-dbg
echo "get-debug-vmlinux: downloading $pkg (~860 MB, once; cached in $cache)" >&2
if ! (cd "$work" && apt-get download -q "$pkg" >&2); then
	echo "get-debug-vmlinux: apt-get download $pkg failed (is apt's package list current? try apt-get update)" >&2
	exit 1
fi
deb=$(ls "$work"/*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	echo "get-debug-vmlinux: apt-get download left no .deb" >&2
	exit 1
fi
echo "get-debug-vmlinux: extracting vmlinux-$rel (~35 s)" >&2
member=./usr/lib/debug/boot/vmlinux-$rel
if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "$member"; then
	echo "get-debug-vmlinux: $member not found in $deb" >&2
	exit 1
fi
rm -f "$deb"
mv "$work/$member" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
