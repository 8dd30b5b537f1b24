#!/bin/bash
# scripts/bench/40-convert.sh - ELF -> kdump-compressed (zlib) with
# `rawdump convert` against `makedumpfile -c -d 0` on the same vmcore, in the
# same run: wall/CPU time and output size, and the ratios.
#
# The vmcore: a 1 GiB Debian guest (the installed kernel, KASLR on) crashed
# with sysrq-c and dumped by QEMU (dump-guest-memory), rewritten once as a
# rawdump ELF (makedumpfile does not take QEMU's ELF). Set BENCH_VMCORE=FILE
# to use another ELF vmcore instead. Each tool runs twice on a warm page
# cache; the second run counts. Both outputs are read back, compared byte
# for byte, and how much memory each holds is printed with the sizes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rawdump=$top/build/rawdump
w=$(mktemp -d "${TMPDIR:-/tmp}/rawdump-bench-conv.XXXXXX")
trap 'rm -rf "$w"' EXIT
die() { echo "bench-convert: $*" >&2; exit 1; }
[ -x "$rawdump" ] || die "$rawdump missing (run make)"
command -v makedumpfile >/dev/null || die "makedumpfile not installed"

if [ -n "${BENCH_VMCORE:-}" ]; then
	vmcore=$BENCH_VMCORE
else
	rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
	fwcfg=$(find "/lib/modules/$rel" -name 'qemu_fw_cfg.ko*' | head -n 1)
	[ -n "$fwcfg" ] || die "qemu_fw_cfg.ko of $rel not found"
	r=$w/root
	mkdir -p "$r"/bin "$r"/proc "$r"/sys "$r"/dev "$r"/lib
	cp /bin/busybox "$r/bin/busybox"
	case $fwcfg in
	*.xz) xz -dc "$fwcfg" >"$r/lib/qemu_fw_cfg.ko" ;;
	*) cp "$fwcfg" "$r/lib/qemu_fw_cfg.ko" ;;
	esac
	printf '%s\n' '#!/bin/busybox sh' '/bin/busybox --install -s /bin' \
		'mount -t proc proc /proc' 'insmod /lib/qemu_fw_cfg.ko' \
		'echo c >/proc/sysrq-trigger' >"$r/init"
	chmod +x "$r/init"
	(cd "$r" && find . | cpio -H newc -o 2>/dev/null | gzip -1) >"$w/initrd.gz"
	python3 "$top/scripts/qemu/rdqemu.py" --kernel "/boot/vmlinuz-$rel" --initrd "$w/initrd.gz" \
		--append "console=ttyS0 panic=0" --mem 1024 --smp 2 --log "$w/serial.log" \
		--dump-file "$w/qemu.elf" --dump-on '---\[ end Kernel panic' --quit-after-dump \
		--timeout 300 -- -device vmcoreinfo >"$w/qemu.out" 2>&1
	[ -s "$w/qemu.elf" ] || die "guest dump failed (see $w/serial.log)"
	"$rawdump" convert "$w/qemu.elf" "$w/vmcore" --to elf >/dev/null || die "ELF rewrite failed"
	rm -f "$w/qemu.elf"
	vmcore=$w/vmcore
fi

# run NAME CMD...: time CMD (second of two runs); sets secs, cpu
run() {
	local name=$1 t0 t1 c0 c1; shift
	rm -f "$w/out.$name"
	"$@" >/dev/null 2>&1 || die "$name failed"
	rm -f "$w/out.$name"
	c0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || die "$name failed"
	t1=$(date +%s.%N)
	c1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	secs=$(echo "$t1 - $t0" | bc -l)
	cpu=$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)
}
run rawdump "$rawdump" convert "$vmcore" "$w/out.rawdump" --to kdump
rd_s=$secs rd_c=$cpu rd_b=$(stat -c %s "$w/out.rawdump")
run makedumpfile makedumpfile -c -d 0 "$vmcore" "$w/out.makedumpfile"
md_s=$secs md_c=$cpu md_b=$(stat -c %s "$w/out.makedumpfile")

"$rawdump" convert "$w/out.rawdump" "$w/a.elf" --to elf >/dev/null || die "reading rawdump's kdump failed"
"$rawdump" convert "$w/out.makedumpfile" "$w/b.elf" --to elf >/dev/null || die "reading makedumpfile's kdump failed"
# What each file holds, read back through rawdump's kdump reader: every
# byte makedumpfile stored must equal rawdump's (makedumpfile leaves out
# non-RAM ranges such as a frame buffer, so it can hold less).
same=$(python3 - "$w/a.elf" "$w/b.elf" <<'EOF'
import mmap, struct, sys
def loads(p):
    f = open(p, 'rb'); mm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    o, = struct.unpack_from('<Q', mm, 32); es, n = struct.unpack_from('<HH', mm, 54)
    return mm, [s for s in (struct.unpack_from('<IIQQQQQQ', mm, o + i * es) for i in range(n)) if s[0] == 1]
(a, sa), (b, sb) = loads(sys.argv[1]), loads(sys.argv[2])
def rd(mm, ss, pa, n):
    for t, fl, off, va, p, fsz, msz, al in ss:
        if p <= pa and pa + n <= p + msz:
            d = mm[off + pa - p: off + min(pa - p + n, fsz)]
            return d + bytes(n - len(d))
tot_a = sum(s[6] for s in sa); tot_b = 0
for t, fl, off, va, p, fsz, msz, al in sb:
    for pos in range(0, msz, 1 << 20):
        n = min(1 << 20, msz - pos)
        if rd(b, sb, p + pos, n) != rd(a, sa, p + pos, n):
            print("DIFFERENT at 0x%x" % (p + pos)); sys.exit(0)
        tot_b += n
print("rawdump's file holds %d MiB, makedumpfile's %d MiB, all identical to rawdump's" % (tot_a >> 20, tot_b >> 20))
EOF
)
mem=$("$rawdump" info "$vmcore" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["mem_bytes"])')
printf 'vmcore: %s, %d MiB of memory\n' "$vmcore" $((mem >> 20))
printf '%-28s %8s %8s %12s\n' tool wall_s cpu_s bytes
printf '%-28s %8.2f %8.2f %12d\n' "rawdump convert --to kdump" "$rd_s" "$rd_c" "$rd_b"
printf '%-28s %8.2f %8.2f %12d\n' "makedumpfile -c -d 0" "$md_s" "$md_c" "$md_b"
printf 'ratio rawdump/makedumpfile: wall %.2f, cpu %.2f, size %.3f\n' \
	"$(echo "$rd_s / $md_s" | bc -l)" "$(echo "$rd_c / $md_c" | bc -l)" "$(echo "$rd_b / $md_b" | bc -l)"
printf 'memory read back: %s\n' "$same"
