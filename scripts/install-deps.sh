#!/bin/sh
# scripts/install-deps.sh - install the Debian packages rawdump's build, tests,
# benchmarks and demo need. Idempotent: installs only what is missing, and
# runs apt-get update at most once. Run as root (CI and the README do).
set -eu

PKGS="build-essential gcc make binutils zlib1g-dev libblkid-dev pkg-config
qemu-system-x86 qemu-utils linux-image-amd64 linux-headers-amd64 kexec-tools
busybox-static cpio fdisk gdisk e2fsprogs crash gdb makedumpfile python3
util-linux kmod xz-utils bc clang libclang-rt-14-dev systemd liblz4-dev libzstd-dev
libisal-dev libxxhash-dev sbsigntool efitools mokutil ovmf openssl valgrind
python3-libkdumpfile libzstd-dev debhelper dpkg-dev lintian mmdebstrap
libsystemd-dev libjson-c-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
