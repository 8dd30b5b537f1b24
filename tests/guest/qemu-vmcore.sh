#!/bin/bash
# tests/guest/qemu-vmcore.sh OUT - an ELF vmcore of a real Debian guest,
# taken by QEMU (dump-guest-memory) at the panic of a sysrq-c crash, with the
# guest's VMCOREINFO note (-device vmcoreinfo + qemu_fw_cfg), so makedumpfile
# can filter it. Same guest as tests/t-conv-guest.sh (512 MiB, 2 CPUs,
# KASLR on). Writes OUT (and OUT.rel, the kernel release) only when the dump
# succeeded; callers cache OUT under build/. Exit 0 or 1.
set -u
out=$1
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/rawdump-vmcore.XXXXXX")
trap 'rm -rf "$W"' EXIT
REL=$(ls -1 /lib/modules | sort -V | tail -n 1)
KERNEL=/boot/vmlinuz-$REL
FWCFG=$(find "/lib/modules/$REL" -name 'qemu_fw_cfg.ko*' | head -n 1)
[ -f "$KERNEL" ] && [ -n "$FWCFG" ] || { echo "$KERNEL or qemu_fw_cfg.ko missing" >&2; exit 1; }
R=$W/root
mkdir -p "$R"/bin "$R"/proc "$R"/sys "$R"/dev "$R"/lib
cp /bin/busybox "$R/bin/busybox"
case $FWCFG in
*.xz) xz -dc "$FWCFG" >"$R/lib/qemu_fw_cfg.ko" ;;
*.zst) zstd -dcq "$FWCFG" >"$R/lib/qemu_fw_cfg.ko" ;;
*) cp "$FWCFG" "$R/lib/qemu_fw_cfg.ko" ;;
esac
# some user memory and page cache, so every dump-level class has pages
cat >"$R/init" <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
insmod /lib/qemu_fw_cfg.ko
dd if=/dev/urandom of=/tmp/cache bs=1M count=16 2>/dev/null
cat /bin/busybox >/dev/null
echo "filter-guest: crashing now" >/dev/kmsg
echo c >/proc/sysrq-trigger
EOI
chmod +x "$R/init"
(cd "$R" && find . | cpio -H newc -o 2>/dev/null | gzip -1) >"$W/initrd.gz"
python3 "$TOP/scripts/qemu/rdqemu.py" --kernel "$KERNEL" --initrd "$W/initrd.gz" \
	--append "console=ttyS0 panic=0 ignore_loglevel" --mem 512 --smp 2 \
	--log "$W/serial.log" --dump-file "$W/ram.elf" --dump-on '---\[ end Kernel panic' \
	--quit-after-dump --timeout 300 -- -device vmcoreinfo >"$W/qemu.out" 2>&1
if [ ! -s "$W/ram.elf" ]; then
	tail -n 20 "$W/serial.log" >&2
	exit 1
fi
mv "$W/ram.elf" "$out.tmp" && echo "$REL" >"$out.rel" && mv "$out.tmp" "$out"
