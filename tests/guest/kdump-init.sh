#!/bin/sh
# tests/guest/kdump-init.sh - /init of the stock-kdump capture initramfs
# (scripts/guest/build-kdump.sh): what a kdump "raw" target does, nothing more.
#
# The crashed guest loaded Debian's own kernel with `kexec -p` and this
# initramfs; it boots here after the panic and copies /proc/vmcore to the
# partition whose GPT name is rdkdump.part= (default "rawdump"), as raw bytes
# from offset 0, the way kdump's raw target does. rdkdump.mode= chooses:
#   cp     dd if=/proc/vmcore of=PART           (full ELF vmcore)
#   md0    makedumpfile -F -d 0 /proc/vmcore | dd of=PART  (full, flattened)
#   md31   makedumpfile -F -c -d 31 /proc/vmcore | dd of=PART (filtered, zlib)
# dd writes through the page cache in 1 MiB blocks, then fsync.
# Serial lines the host parses (scripts/bench/50-kdump.sh):
#   RDKDUMP: up RELEASE uptime=S vmcore=BYTES part=DEV mode=M
#   RDKDUMP: first data written      (the partition's first write I/O, polled)
#   RDKDUMP: done mode=M dd=N+M_records_out rc=RC   or   RDKDUMP: FAILED why
# then the capture kernel powers off.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
WAIT_DISK_TRIES=50		# x 0.1 s for the disk's partition to appear

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "$1"=*) echo "${w#*=}"; return 0 ;; esac
	done
	echo "$2"
}
say() { echo "RDKDUMP: $*"; }
finish() {
	sync
	poweroff -f
	sleep 10
}

while read -r ko; do
	insmod "$ko" 2>/dev/null
done </etc/rdkdump.modules

pname=$(arg rdkdump.part rawdump)
mode=$(arg rdkdump.mode md31)
part=
i=0
while [ -z "$part" ] && [ $i -lt $WAIT_DISK_TRIES ]; do
	for u in /sys/class/block/*/uevent; do
		grep -qx "PARTNAME=$pname" "$u" 2>/dev/null || continue
		part=${u%/uevent}
		part=${part##*/}
	done
	[ -n "$part" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$part" ] || { say "FAILED no partition named $pname"; finish; }
say "up $(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime) vmcore=$(stat -c %s /proc/vmcore) part=/dev/$part mode=$mode"

# first_write_watch: one line when the partition's first write is in flight
# or done (fields 5 and 9 of the block stat file: writes, I/Os in flight)
first_write_watch() {
	while :; do
		read -r _ _ _ _ w _ _ _ f _ <"/sys/class/block/$part/stat"
		[ "$w" -gt 0 ] || [ "$f" -gt 0 ] && break
		sleep 0.02
	done
	say "first data written"
}
first_write_watch &
watch=$!

# shellcheck disable=SC3040 # busybox ash has pipefail
set -o pipefail
case $mode in
cp) dd if=/proc/vmcore of="/dev/$part" bs=1M conv=fsync 2>/tmp/dd.err ;;
md0) makedumpfile -F -d 0 /proc/vmcore 2>/tmp/md.err | dd of="/dev/$part" bs=1M conv=fsync 2>/tmp/dd.err ;;
md31) makedumpfile -F -c -d 31 /proc/vmcore 2>/tmp/md.err | dd of="/dev/$part" bs=1M conv=fsync 2>/tmp/dd.err ;;
*) say "FAILED unknown rdkdump.mode=$mode"; finish ;;
esac
rc=$?
sync
kill "$watch" 2>/dev/null
out=$(tail -n 1 /tmp/dd.err | tr ' ' _)	# busybox dd: "N+M_records_out"
if [ "$rc" != 0 ]; then
	cat /tmp/md.err /tmp/dd.err 2>/dev/null | tail -n 5
	say "FAILED mode=$mode rc=$rc dd=$out"
else
	say "done mode=$mode dd=$out rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
fi
finish
