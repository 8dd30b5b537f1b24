#!/bin/sh
# tests/guest/init.sh - /init of the rawdump test guest (busybox initramfs
# built by scripts/guest/build-guest.sh).
#
# What it does is chosen on the kernel command line:
#   rdguest.run=crash    format the dump partition (rdguest.format=1), arm
#                        (rdguest.exit=MODE, rdguest.comp=C, rdguest.level=N,
#                        rdguest.method=M, rdguest.dumplevel=N are passed to
#                        `rawdump arm` as --exit, --comp, --level, --method,
#                        --dump-level; rdguest.conflevel=N puts
#                        dump_level = N in /etc/rawdump.conf), load the plant module
#                        (rdguest.seed=N; none with rdguest.plant=0), print its page list, crash with
#                        sysrq-c; with rdguest.fill=1, before the plant
#                        module: memory for the page filter (fill_memory:
#                        rdguest.cache=MIB of files on the ext4 written,
#                        dropped from the cache and read back, default 384;
#                        rdguest.anon=MIB of anonymous memory touched by a
#                        process left running, default 512);
#                        with rdguest.scribble=N the plant module overwrites
#                        N struct pages of its own pages right before
#                        sysrq-c ("rdscribble" lines, corrupted mem_map);
#                        with rdguest.live=1, before sysrq-c: files
#                        written and synced on the ext4 (their sha256 printed,
#                        "RDGUEST: synced PATH SUM") and a writer loop left
#                        running on it (tests/t-drv-live.sh);
#                        rdguest.minikernel=PATH arms that image; with
#                        rdguest.sbcases=1, first the Secure Boot refusals
#                        (tests/t-e2e-secureboot.sh): arm with the unsigned
#                        image (--method auto, then file), with
#                        rdguest.wrongkey=PATH, with --method load,
#                        each rc and kexec_crash_loaded printed
#   rdguest.run=armcheck arm on the unformatted partition, format, arm
#                        --dry-run, arm, status, disarm, arm --method load,
#                        disarm, mkswap over the partition, arm (refused),
#                        each rc printed (tests/t-e2e-arm.sh)
#   rdguest.run=plant    load the plant module, print its page list, idle
#                        (for checking the module against QEMU's own dump)
#   rdguest.run=save     `rawdump arm` (must refuse: unsaved dump), then the
#                        boot-time path: /usr/lib/rawdump/rawdump-boot all
#                        saves the waiting dump to /var/crash (the ext4
#                        partition) and re-arms; then power off
#   rdguest.run=bench    the rawdump/kdump comparison (scripts/bench/50-kdump.sh;
#                        guest built with build-guest.sh --kdump):
#                        rdguest.dumper=rawdump formats the partition and
#                        arms (--exit qemu, rdguest.dumplevel=N -> --dump-level N);
#                        rdguest.dumper=kdump loads Debian's kernel and the
#                        capture initramfs with `kexec -p` (rdguest.kmode=
#                        cp|md0|md31, see tests/guest/kdump-init.sh); then
#                        rdguest.load=full fills rdguest.fill=MIB of anonymous
#                        memory with incompressible data, rdguest.load=filtered
#                        leaves 96 MiB read + 64 MiB written page cache on the
#                        ext4 and 512 MiB of touched anonymous memory,
#                        rdguest.load=none nothing (tests/t-kdump-smoke.sh); sysrq-c
#   rdguest.run=shell    a shell on the console (default)
# Disks: partition 1 is ext4 (mounted on /var/crash), the partition named
# "rawdump" is the dump partition. Every line the host parses starts with
# "RDGUEST:" or "rdplant ".
PATH=/usr/sbin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
# what systemd mounts on a real system: the lockdown state (and, after the
# modules, EFI variables)
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null

arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "$1"=*) echo "${w#*=}"; return 0 ;; esac
	done
	echo "$2"
}
say() { echo "RDGUEST: $*"; }
finish() {
	say "END $1"
	sync
	umount /var/crash 2>/dev/null
	poweroff -f
	sleep 10
}

while read -r ko; do
	insmod "$ko" 2>/dev/null
done </etc/rdguest.modules
[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
mdev -s 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do
	ls /dev/vd[a-z] /dev/sd[a-z] /dev/nvme[0-9]n[0-9] >/dev/null 2>&1 && break
	sleep 0.2
done
disk=$(ls /dev/vda /dev/sda /dev/nvme0n1 2>/dev/null | head -n 1)
case $disk in
/dev/nvme*) fs=${disk}p1 ;;
*) fs=${disk}1 ;;
esac
say "booted $(uname -r) disk=$disk uptime=$(cut -d' ' -f1 /proc/uptime)"
say "crashkernel $(cat /sys/kernel/kexec_crash_size) bytes"

# bench_fill_anon MIB: rdfill holds MIB MiB of anonymous memory, running at return
bench_fill_anon() {
	rm -f /tmp/fill.ready
	rdfill anon "$1" /tmp/fill.ready &
	fill_pid=$!
	i=0
	while [ ! -e /tmp/fill.ready ] && [ $i -lt $BENCH_FILL_TRIES ]; do
		kill -0 $fill_pid 2>/dev/null || finish "rdfill anon $1 failed"
		sleep 0.5
		i=$((i + 1))
	done
	[ -e /tmp/fill.ready ] || finish "rdfill anon $1 timed out"
}
BENCH_FILL_TRIES=1200		# x 0.5 s for rdfill to touch its memory

# live_writer: the synced files, then the writer loop, running at return
live_writer() {
	mkdir -p /var/crash/synced /var/crash/live
	for i in 1 2 3 4 5 6 7 8; do
		dd if=/dev/urandom of=/var/crash/synced/f$i bs=64k count=$i 2>/dev/null
	done
	sync
	for f in /var/crash/synced/f*; do
		say "synced ${f#/var/crash} $(sha256sum <"$f" | cut -d' ' -f1)"
	done
	(
		n=0
		while :; do
			dd if=/dev/urandom of=/var/crash/live/w$((n % 4)) bs=64k count=16 conv=fsync 2>/dev/null
			cp /var/crash/live/w$((n % 4)) /var/crash/live/c$((n % 3))
			n=$((n + 1))
			echo $n >/tmp/live.n
		done
	) &
	while [ "$(cat /tmp/live.n 2>/dev/null || echo 0)" -lt 3 ]; do sleep 0.1; done
	say "writer running, $(cat /tmp/live.n) rounds done"
}

# fill_memory: page cache and user memory for the page filter
# (tests/t-e2e-filter.sh), then a summary from /proc/meminfo
fill_memory() {
	cache=$(arg rdguest.cache 384)
	anon=$(arg rdguest.anon 512)
	mkdir -p /var/crash/fill
	n=0
	while [ $((n * 64)) -lt "$cache" ]; do
		rdfill file /var/crash/fill/c$n 64 || say "rdfill file c$n failed"
		n=$((n + 1))
	done
	sync
	echo 3 >/proc/sys/vm/drop_caches
	cat /var/crash/fill/c* >/dev/null
	rdfill anon "$anon" >/tmp/rdfill.out 2>&1 &
	i=0
	while ! grep -q touched /tmp/rdfill.out && [ $i -lt 3000 ]; do
		kill -0 $! 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	say "fill $(cat /tmp/rdfill.out) cache ${cache} MiB in $n files"
	say "meminfo $(awk '/^(MemTotal|MemFree|Cached|Buffers|AnonPages|Shmem|Slab):/ { printf "%s%s ", $1, $2 }' /proc/meminfo)"
}

run=$(arg rdguest.run shell)
case $run in
crash)
	mount -t ext4 "$fs" /var/crash || say "mount $fs failed"
	date >/var/crash/boot-crash.txt
	sync
	if [ "$(arg rdguest.format 0)" = 1 ]; then
		rawdump arm
		say "arm-before-format rc=$?"
		rawdump format PARTLABEL=rawdump --force --label e2e
		say "format rc=$?"
	fi
	rawdump info PARTLABEL=rawdump --json | tr -d '\n'
	echo
	if [ "$(arg rdguest.sbcases 0)" = 1 ]; then
		say "lockdown $(cat /sys/kernel/security/lockdown 2>/dev/null || echo none)"
		rawdump arm --force --minikernel /usr/lib/rawdump/rdmk.bzImage
		say "arm-unsigned rc=$? loaded=$(cat /sys/kernel/kexec_crash_loaded)"
		rawdump arm --force --method file --minikernel /usr/lib/rawdump/rdmk.bzImage
		say "arm-unsigned-file rc=$? loaded=$(cat /sys/kernel/kexec_crash_loaded)"
		rawdump arm --force --minikernel "$(arg rdguest.wrongkey "")"
		say "arm-wrongkey rc=$? loaded=$(cat /sys/kernel/kexec_crash_loaded)"
		rawdump arm --force --method load --minikernel "$(arg rdguest.minikernel "")"
		say "arm-load rc=$? loaded=$(cat /sys/kernel/kexec_crash_loaded)"
		dmesg | grep -i 'kexec\|lockdown\|signature\|PEFILE' | sed 's/^/RDGUEST: dmesg /'
	fi
	set -- --force
	m=$(arg rdguest.minikernel ""); [ -n "$m" ] && set -- "$@" --minikernel "$m"
	e=$(arg rdguest.exit ""); [ -n "$e" ] && set -- "$@" --exit "$e"
	c=$(arg rdguest.comp ""); [ -n "$c" ] && set -- "$@" --comp "$c"
	l=$(arg rdguest.level ""); [ -n "$l" ] && set -- "$@" --level "$l"
	k=$(arg rdguest.method ""); [ -n "$k" ] && set -- "$@" --method "$k"
	d=$(arg rdguest.dumplevel ""); [ -n "$d" ] && set -- "$@" --dump-level "$d"
	d=$(arg rdguest.conflevel ""); [ -n "$d" ] && echo "dump_level = $d" >>/etc/rawdump.conf
	t0=$(cut -d' ' -f1 /proc/uptime)
	rawdump arm "$@"
	rc=$?
	say "arm rc=$rc uptime $t0 -> $(cut -d' ' -f1 /proc/uptime)"
	rawdump status
	[ "$rc" = 0 ] || finish "arm failed"
	[ "$(arg rdguest.fill 0)" = 1 ] && fill_memory
	# rdguest.plant=0: no plant module (Secure Boot refuses unsigned modules)
	if [ "$(arg rdguest.plant 1)" = 1 ]; then
		scribble=$(arg rdguest.scribble 0)
		insmod /lib/modules/$(uname -r)/rdplant.ko seed="$(arg rdguest.seed 1)" scribble="$scribble" ||
			finish "insmod rdplant failed"
		say "plant begin"
		cat /proc/rdplant
		say "plant end"
	fi
	[ "$(arg rdguest.live 0)" = 1 ] && live_writer
	say "crashing uptime=$(cut -d' ' -f1 /proc/uptime)"
	[ "$scribble" != 0 ] && echo scribble >/proc/rdplant
	echo c >/proc/sysrq-trigger
	finish "still alive after sysrq-c"
	;;
bench)
	mount -t ext4 "$fs" /var/crash || finish "mount $fs failed"
	case $(arg rdguest.dumper rawdump) in
	kdump)
		kmode=$(arg rdguest.kmode md31)
		t0=$(cut -d' ' -f1 /proc/uptime)
		kexec -p /usr/lib/rdkdump/vmlinuz --initrd=/usr/lib/rdkdump/initrd.gz \
			--append="console=ttyS0 quiet reset_devices nr_cpus=1 irqpoll nousb panic=-1 rdkdump.mode=$kmode rdkdump.part=rawdump"
		rc=$?
		say "kexec-p rc=$rc loaded=$(cat /sys/kernel/kexec_crash_loaded) uptime $t0 -> $(cut -d' ' -f1 /proc/uptime)"
		[ "$rc" = 0 ] || finish "kexec -p failed"
		;;
	*)
		rawdump format PARTLABEL=rawdump --force --label bench >/dev/null || finish "format failed"
		set -- --force --exit qemu
		l=$(arg rdguest.dumplevel ""); [ -n "$l" ] && set -- "$@" --dump-level "$l"
		c=$(arg rdguest.comp ""); [ -n "$c" ] && set -- "$@" --comp "$c"
		rawdump arm "$@"
		rc=$?
		say "arm rc=$rc"
		[ "$rc" = 0 ] || finish "arm failed"
		;;
	esac
	case $(arg rdguest.load full) in
	none) ;;
	filtered)
		rdfill file /var/crash/read.bin 96 || finish "rdfill file failed"
		sync
		echo 3 >/proc/sys/vm/drop_caches
		cat /var/crash/read.bin >/dev/null
		rdfill file /var/crash/written.bin 64 || finish "rdfill file failed"
		sync
		bench_fill_anon 512
		;;
	*)
		bench_fill_anon "$(arg rdguest.fill 512)"
		;;
	esac
	say "meminfo $(grep -E '^(MemTotal|MemFree|MemAvailable|Cached|AnonPages):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
	say "crashing uptime=$(cut -d' ' -f1 /proc/uptime)"
	echo c >/proc/sysrq-trigger
	finish "still alive after sysrq-c"
	;;
armcheck)
	say "panic_on_oops-before $(cat /proc/sys/kernel/panic_on_oops)"
	rawdump arm
	say "arm-unformatted rc=$?"
	rawdump format PARTLABEL=rawdump --force --label armcheck
	say "format rc=$?"
	rawdump arm --dry-run
	say "dry-run rc=$?"
	rawdump arm
	say "arm rc=$?"
	say "loaded $(cat /sys/kernel/kexec_crash_loaded)"
	rawdump status
	rawdump disarm
	say "disarm rc=$?"
	say "loaded $(cat /sys/kernel/kexec_crash_loaded)"
	rawdump arm --method load
	say "arm-kexec-load rc=$?"
	say "loaded $(cat /sys/kernel/kexec_crash_loaded)"
	rawdump disarm
	say "disarm rc=$?"
	# the partition reused as swap: arm must refuse it (tests/t-cli-reuse.sh
	# covers the header rules on the host)
	part=$(rawdump info PARTLABEL=rawdump --json | sed -n 's/^ *"device": *"\([^"]*\)".*/\1/p')
	dd if="$part" of=/tmp/slot0 bs=4096 count=1 2>/dev/null
	mkswap "$part" >/dev/null 2>&1
	say "mkswap $part rc=$?"
	rawdump arm
	say "arm-after-mkswap rc=$?"
	say "loaded $(cat /sys/kernel/kexec_crash_loaded)"
	# mkswap wrote the first page only: put the rawdump header back, so the
	# host still finds the partition it checks the command line against
	dd if=/tmp/slot0 of="$part" bs=4096 count=1 conv=fsync 2>/dev/null
	# issue 13 (Documentation/operator.md): status exit codes, panic_on_oops,
	# format on the armed partition re-arms; both header slots are put back
	# afterwards for the host's command line check
	rawdump arm
	say "arm-again rc=$?"
	say "panic_on_oops-after $(cat /proc/sys/kernel/panic_on_oops)"
	rawdump status -q
	say "status-armed rc=$?"
	rawdump format PARTLABEL=rawdump
	say "format-armed rc=$?"
	size=$(rawdump info PARTLABEL=rawdump --json | sed -n 's/^ *"part_size": *\([0-9]*\).*/\1/p')
	dd if="$part" of=/tmp/slotb bs=4096 skip=$((size / 4096 - 1)) count=1 2>/dev/null
	rawdump format --force PARTLABEL=rawdump
	say "format-force-armed rc=$?"
	rawdump status -q
	say "status-rearmed rc=$?"
	dd if=/tmp/slot0 of="$part" bs=4096 count=1 conv=fsync 2>/dev/null
	dd if=/tmp/slotb of="$part" bs=4096 seek=$((size / 4096 - 1)) count=1 conv=fsync,notrunc 2>/dev/null
	rawdump status -q
	say "status-stale rc=$?"
	rawdump disarm
	rawdump status -q
	say "status-disarmed rc=$?"
	finish "armcheck"
	;;
plant)
	insmod /lib/modules/$(uname -r)/rdplant.ko seed="$(arg rdguest.seed 1)" ||
		finish "insmod rdplant failed"
	say "plant begin"
	cat /proc/rdplant
	say "plant end"
	sleep 3600
	finish "plant"
	;;
save)
	mount -t ext4 "$fs" /var/crash || finish "mount $fs failed"
	rawdump arm
	say "arm-before-save rc=$?"
	/usr/lib/rawdump/rawdump-boot all
	say "boot-save rc=$?"
	rawdump status
	rawdump info PARTLABEL=rawdump --json | tr -d '\n'
	echo
	ls -l /var/crash /var/crash/* 2>/dev/null
	finish "save"
	;;
*)
	say "shell"
	setsid cttyhack sh
	finish "shell"
	;;
esac
