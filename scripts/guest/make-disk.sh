#!/bin/bash
# scripts/guest/make-disk.sh - make the test guest's disk image.
#
# Usage: scripts/guest/make-disk.sh IMAGE [--fs-size SIZE] [--dump-size SIZE]
# A sparse raw image with a GPT (sfdisk): partition 1 "crash", ext4 labelled
# rdcrash (the guest mounts it on /var/crash and saves vmcores there);
# partition 2 "rawdump", left empty for `rawdump format`. SIZE as sfdisk
# takes it (e.g. 2G, 1200M). Defaults: 2G and 1200M (a 1 GiB guest).
# The ext4 filesystem is made in place with mke2fs -E offset=.
set -eu
usage() { echo "usage: $0 IMAGE [--fs-size SIZE] [--dump-size SIZE]" >&2; exit 1; }
[ $# -ge 1 ] || usage
img=$1; shift
fs_size=2G
dump_size=1200M
while [ $# -gt 0 ]; do
	case $1 in
	--fs-size) fs_size=$2; shift 2 ;;
	--dump-size) dump_size=$2; shift 2 ;;
	*) usage ;;
	esac
done
bytes() { numfmt --from=iec "$1"; }
total=$(( (1 + $(bytes "$fs_size") / 1048576 + $(bytes "$dump_size") / 1048576 + 1) * 1048576 ))

rm -f "$img"
truncate -s "$total" "$img"
sfdisk -q "$img" <<PT
label: gpt
size=$fs_size, type=linux, name=crash
size=$dump_size, type=linux, name=rawdump
PT
# partition 1's start and size in sectors, from sfdisk's own dump
read -r start size < <(sfdisk -d "$img" | awk -F'[=,]' '/^[^ ]*1 :/ { print $2+0, $4+0 }')
[ -n "${size:-}" ] || { echo "make-disk: cannot read partition 1 of $img" >&2; exit 1; }
mke2fs -q -F -t ext4 -L rdcrash -E offset=$((start * 512)) "$img" $((size / 2))k
echo "make-disk: $img: $fs_size ext4 (p1) + $dump_size dump partition (p2)" >&2
