#!/bin/bash
# tests/guest/qemu-vmcore.sh OUT - an ELF vmcore of a real Debian guest,
# taken by QEMU (dump-guest-memory) at the panic of a sysrq-c crash, with the
# guest's VMCOREINFO note (-device vmcoreinfo + qemu_fw_cfg), so makedumpfile
# can filter it. Same guest as tests/t-conv-guest.sh (512 MiB, 2 CPUs,
# KASLR on). Writes OUT (and OUT.rel, the kernel release) only when the dump
# succeeded; callers cache OUT under build/. Also OUT.proc/proc/: the
# guest's /proc/meminfo, /proc/iomem and /proc/kpageflags read just before
# the crash (printed on the serial console, kpageflags gzip+base64), for
# comparing rawdump's dump estimate with the real dump. Exit 0 or 1.
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
mkdir -p "$R"/bin "$R"/proc "$R"/sys "$R"/dev "$R"/lib "$R"/tmp
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
echo ==meminfo==; cat /proc/meminfo; echo ==iomem==; cat /proc/iomem
echo ==kpageflags==; gzip -c /proc/kpageflags | base64; echo ==end==
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
P=$W/proc-out/proc
mkdir -p "$P"
tr -d '\r' <"$W/serial.log" >"$W/serial.txt"
sec() { sed -n "/^==$1==\$/,/^==/p" "$W/serial.txt" | sed '1d;$d'; }
sec meminfo | grep -v '^\[' >"$P/meminfo"
sec iomem | grep -v '^\[' >"$P/iomem"
# kernel messages on the same console are whole lines starting with '['
sec kpageflags | grep -E '^[A-Za-z0-9+/=]+$' | base64 -d | gzip -dc >"$P/kpageflags" ||
	{ echo "kpageflags not captured" >&2; exit 1; }
rm -rf "$out.proc"
mv "$W/proc-out" "$out.proc" &&
mv "$W/ram.elf" "$out.tmp" && echo "$REL" >"$out.rel" && mv "$out.tmp" "$out"
