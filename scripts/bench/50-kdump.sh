#!/bin/bash
# scripts/bench/50-kdump.sh - rawdump against stock kdump: the same guest
# (Debian's kernel, the initramfs of build-guest.sh --kdump), the same
# memory load, the same virtio-blk disk, in the same run, so speed and size
# are stated as ratios.
#
# kdump as users run it with a raw target: Debian's own kernel loaded with
# `kexec -p` (kexec-tools, kexec_load) as the capture kernel, a small
# initramfs with makedumpfile 1.7 (scripts/guest/build-kdump.sh), writing
# the dump to the raw partition from offset 0. Cases, per guest size:
#   full      rdfill holds FILL MiB of incompressible anonymous memory
#             (mem*15/16 - 256: 704 of 1024, 3584 of 4096, what the kdump
#             guest can hold with 96M reserved; BENCH_FILL to change):
#               kdump   cp    dd if=/proc/vmcore of=PART (ELF)
#               kdump   md0   makedumpfile -F -d 0 | dd of=PART
#               rawdump L1    rawdump arm (zero pages elided, the default)
#               rawdump L1zstd  the same with --comp zstd
#   filtered  96 MiB read + 64 MiB written page cache, 512 MiB touched
#             anonymous memory, the rest free:
#               kdump   md31  makedumpfile -F -c -d 31 | dd of=PART
#               rawdump L1    as above
#               rawdump L31   rawdump arm --dump-level 31 (when built)
#               rawdump L31lz4, L31zlib, L31zstd  the same with --comp lz4,
#                             zlib (level 1), zstd (level 1)
#               rawdump L1zstd  level 1 (nothing filtered) with --comp zstd
# Figures, from the runner's host timestamps (scripts/qemu/rdqemu.py), from
# sysrq-c (the guest's "crashing" line or the kernel's "sysrq: Trigger a
# crash", whichever comes first: a line the guest prints just before the
# panic can be lost from the UART):
#   up     sysrq-c -> the capture environment runs (kdump: its init's first
#          line; rawdump: the minikernel's first line)
#   first  sysrq-c -> QEMU sees the first write of dump data (virtio-blk
#          trace; rawdump: past its header slots)
#   done   sysrq-c -> the dump is complete on the disk (kdump: after dd's
#          fsync and sync; rawdump: "rawdump: DONE")
#   bytes  bytes the guest wrote to the disk after sysrq-c (virtio-blk trace)
# then ratios rawdump/kdump of done and bytes. Every dump is checked:
# rawdump's partition must say complete; kdump's vmcore must give
# `makedumpfile --dump-dmesg` the sysrq line, and crash(8) with the debug
# vmlinux (scripts/get-debug-vmlinux.sh) must show the panic in `sys`.
#
# Environment: BENCH_KDUMP_MEM (default "1024 4096"), BENCH_SKIP_4G=1
# (drop 4096: a quick run), KDUMP_CRASHKERNEL (default 90M: the smallest
# that worked for this capture kernel and initramfs, 1 and 4 GiB guests;
# 88M: the capture kernel panics "System is deadlocked on memory" while
# booting, 80M: out of memory in its initcalls; 90M itself failed that
# way once in make check's t-kdump-smoke, which uses 96M), RD_CRASHKERNEL (default 4M),
# BENCH_CASES (default "full filtered"), BENCH_DUMPERS (default
# "kdump rawdump": one side only, e.g. to find the smallest crashkernel),
# BENCH_MODES (default "cp md0 md31 L1 L1zstd L31 L31lz4 L31zlib L31zstd").
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench-kdump
rel=$(ls -1 /lib/modules | sort -V | tail -n 1)
kernel=/boot/vmlinuz-$rel
RAWDUMP=$top/build/rawdump
mems=${BENCH_KDUMP_MEM:-1024 4096}
[ -n "${BENCH_SKIP_4G:-}" ] && mems=$(tr ' ' '\n' <<<"$mems" | grep -vx 4096 | tr '\n' ' ')
kck=${KDUMP_CRASHKERNEL:-90M}
rck=${RD_CRASHKERNEL:-4M}
cases=${BENCH_CASES:-full filtered}
BENCH_RUN_TIMEOUT=2400		# seconds for one guest run (4 GiB full dumps under TCG)
CRASH_TIMEOUT=600		# seconds for crash(8) to open a vmcore
vmlinux=/var/cache/rawdump/vmlinux-$rel
mkdir -p "$out"

for f in "$kernel" "$RAWDUMP" "$top/build/minikernel/rdmk.bzImage"; do
	[ -e "$f" ] || { echo "50-kdump: $f missing (make)"; exit 1; }
done

# The guest: rebuilt when one of its inputs is newer.
guest=$out/guest
stale=0
[ -f "$guest/initrd.gz" ] || stale=1
for src in "$RAWDUMP" "$top/build/minikernel/rdmk.bzImage" "$top"/tests/guest/init.sh \
	"$top"/tests/guest/kdump-init.sh "$top"/tests/guest/fill/rdfill.c \
	"$top"/scripts/guest/build-guest.sh "$top"/scripts/guest/build-kdump.sh; do
	[ "$src" -nt "$guest/initrd.gz" ] && stale=1
done
if [ "$stale" = 1 ]; then
	"$top/scripts/guest/build-guest.sh" --release "$rel" --out "$guest" --kdump >/dev/null 2>"$out/build.log" ||
		{ cat "$out/build.log"; exit 1; }
fi

level31=0
if "$RAWDUMP" arm --help 2>&1 | grep -q -- '--dump-level'; then
	level31=1
fi

echo "guest: $kernel, QEMU TCG -smp 2, virtio-blk; kdump capture: the same kernel via kexec -p,"
echo "       crashkernel=$kck, makedumpfile $(makedumpfile -v 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p'); rawdump: crashkernel=$rck"
echo "host load at start: $(cut -d' ' -f1-3 /proc/loadavg) (load average on $(nproc) cores)"
fmt='%-6s %-9s %-8s %-5s %-11s %7s %7s %8s %10s %s\n'
# shellcheck disable=SC2059
printf "$fmt" mem load dumper mode crashkernel up_s first_s done_s bytes_MiB check
results=$out/results.txt
: >"$results"

# p2_start DISK: the dump partition's first sector
p2_start() { sfdisk -d "$1" | awk -F'[=,]' '/^[^ ]*2 :/ { print $2 + 0 }'; }

# check_kdump DISK MODE BYTES: the vmcore on the partition gives its kernel
# log. BYTES: the ELF vmcore's size (cp), or the bytes written (md: the
# flattened stream ends with its own end marker, what follows is ignored)
check_kdump() {
	local disk=$1 mode=$2 bytes=$3 start core
	start=$(p2_start "$disk")
	[ -n "$bytes" ] && [ "$bytes" -gt 0 ] || { echo "no bytes"; return; }
	core=$out/check.vmcore
	rm -f "$core" "$out/check.dmesg"
	if [ "$mode" = cp ]; then
		dd if="$disk" of="$core" bs=1M iflag=skip_bytes,count_bytes skip=$((start * 512)) \
			count="$bytes" status=none
	else
		dd if="$disk" bs=1M iflag=skip_bytes,count_bytes skip=$((start * 512)) count="$bytes" \
			status=none | makedumpfile -R "$core" >/dev/null 2>&1 || { echo "makedumpfile -R failed"; rm -f "$core"; return; }
	fi
	if makedumpfile --dump-dmesg "$core" "$out/check.dmesg" >/dev/null 2>&1 &&
		grep -q 'sysrq: Trigger a crash' "$out/check.dmesg"; then
		echo -n "vmcore ok ($(stat -c %s "$core") bytes, dmesg has the sysrq"
	else
		echo -n "vmcore BAD: no kernel log"
	fi
	if [ ! -f "$vmlinux" ]; then
		echo ", no $vmlinux for crash)"
	elif printf 'sys\nquit\n' | timeout $CRASH_TIMEOUT crash -s "$vmlinux" "$core" 2>&1 |
		grep -q 'PANIC:.*sysrq'; then
		echo ", crash shows the panic)"
	else
		echo ", crash BAD: no PANIC line)"
	fi
	rm -f "$core" "$out/check.dmesg"
}

# run MEM LOAD DUMPER MODE: one guest boot, crash and dump; one result line
run() {
	local mem=$1 load=$2 dumper=$3 mode=$4 disk log ck append start fill check line cbytes
	local up first fin mib bytes
	case " ${BENCH_DUMPERS:-kdump rawdump} " in *" $dumper "*) ;; *) return ;; esac
	case " ${BENCH_MODES:-cp md0 md31 L1 L1zstd L31 L31lz4 L31zlib L31zstd} " in *" $mode "*) ;; *) return ;; esac
	disk=$out/disk.img
	log=$out/serial-$mem-$load-$dumper-$mode.log
	fill=${BENCH_FILL:-$((mem * 15 / 16 - 256))}
	"$top/scripts/guest/make-disk.sh" "$disk" --fs-size 256M --dump-size $((mem + 176))M 2>/dev/null
	start=$(p2_start "$disk")
	append="console=ttyS0 quiet panic=-1 rdguest.run=bench rdguest.dumper=$dumper rdguest.load=$load rdguest.fill=$fill"
	if [ "$dumper" = kdump ]; then
		ck=$kck
		append="$append rdguest.kmode=$mode"
	else
		ck=$rck
		case $mode in
		L31) append="$append rdguest.dumplevel=31" ;;
		L31lz4) append="$append rdguest.dumplevel=31 rdguest.comp=lz4" ;;
		L31zlib) append="$append rdguest.dumplevel=31 rdguest.comp=zlib" ;;
		L31zstd) append="$append rdguest.dumplevel=31 rdguest.comp=zstd" ;;
		L1zstd) append="$append rdguest.comp=zstd" ;;
		esac
	fi
	"$top/scripts/qemu/rdqemu.py" --kernel "$kernel" --initrd "$guest/initrd.gz" \
		--append "$append crashkernel=$ck" --disk "$disk" --mem "$mem" --smp 2 \
		--log "$log" --timeout $BENCH_RUN_TIMEOUT --trace-writes \
		--quit-on '^RDKDUMP: (done|FAILED)|^rawdump: (DONE|FAILED)' >"$log.runner" 2>&1
	line=$(awk -v ps="$start" -v dumper="$dumper" '
		/ RDGUEST: crashing| sysrq: Trigger a crash/ && !c { c = $1 }
		/ RDKDUMP: up | rawdump: rawdump-minikernel/ && c && !u { u = $1 }
		/virtio_blk_handle_write/ && c {
			s = -1; n = 0
			for (i = 1; i < NF; i++) { if ($i == "sector") s = $(i+1) + 0; if ($i == "nsectors") n = $(i+1) + 0 }
			bytes += n * 512
			if (!f && s >= ps + (dumper == "rawdump" ? 8 : 0)) f = $1 }
		/ RDKDUMP: done | rawdump: DONE/ && c && !d { d = $1 }
		END {
			if (!(c && d)) { print "FAILED"; exit }
			printf "%.2f %.2f %.2f %.1f %.0f\n", u ? u - c : -1, f ? f - c : -1, d - c, bytes / 1048576, bytes }
		' "$log.ts")
	if [ "$line" = FAILED ]; then
		check="FAILED: $(grep -a -E 'RDGUEST: END|RDKDUMP: FAILED|rawdump: FAILED|Kernel panic|Out of memory' "$log" |
			grep -v 'sysrq triggered crash' | tail -n 1)"
		# shellcheck disable=SC2059
		printf "$fmt" "$mem" "$load" "$dumper" "$mode" "$ck" - - - - "$check"
		echo "$mem $load $dumper $mode $ck FAILED" >>"$results"
		return
	fi
	read -r up first fin mib bytes <<<"$line"
	if [ "$dumper" = kdump ]; then
		cbytes=$bytes
		[ "$mode" = cp ] && cbytes=$(sed -n 's/^RDKDUMP: up .*vmcore=\([0-9]*\).*/\1/p' "$log")
		check=$(check_kdump "$disk" "$mode" "$cbytes")
	else
		check="partition $("$RAWDUMP" info "$disk:2" --json 2>/dev/null | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')"
		check="$check, $(sed -n 's/^rawdump: DONE [^:]*: \([0-9]* MiB memory, [0-9]* MiB stored\).*/\1/p' "$log")"
	fi
	# shellcheck disable=SC2059
	printf "$fmt" "$mem" "$load" "$dumper" "$mode" "$ck" "$up" "$first" "$fin" "$mib" "$check"
	echo "$mem $load $dumper $mode $ck $up $first $fin $bytes" >>"$results"
	rm -f "$disk"
}

for mem in $mems; do
	for load in $cases; do
		case $load in
		full)
			run "$mem" full kdump cp
			run "$mem" full kdump md0
			run "$mem" full rawdump L1
			run "$mem" full rawdump L1zstd
			;;
		filtered)
			run "$mem" filtered kdump md31
			run "$mem" filtered rawdump L1
			run "$mem" filtered rawdump L1zstd
			if [ "$level31" = 1 ] || [[ " ${BENCH_DUMPERS:-rawdump} " != *" rawdump "* ]]; then
				run "$mem" filtered rawdump L31
				run "$mem" filtered rawdump L31lz4
				run "$mem" filtered rawdump L31zlib
				run "$mem" filtered rawdump L31zstd
			else
				echo "rawdump level 31: not supported by this build"
			fi
			;;
		esac
	done
done
echo "host load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# The table: each rawdump case against each kdump case of the same load.
echo
echo "rawdump / kdump (same guest, same run; < 1 means rawdump is faster or smaller):"
printf '%-6s %-9s %-12s %-6s %12s %12s %12s\n' mem load rawdump kdump "first data" "dump done" "bytes"
awk '
	$6 == "FAILED" { next }
	{ line[++n] = $0 }
	END {
		for (i = 1; i <= n; i++) {
			split(line[i], a, " ")
			if (a[3] != "rawdump") continue
			for (j = 1; j <= n; j++) {
				split(line[j], b, " ")
				if (b[3] != "kdump" || b[1] != a[1] || b[2] != a[2]) continue
				printf "%-6s %-9s %-12s %-6s %12.2f %12.2f %12.3f\n", a[1], a[2], "level " substr(a[4], 2), b[4],
					(b[7] > 0 ? a[7] / b[7] : -1), a[8] / b[8], a[9] / b[9]
			}
		}
	}' "$results"
