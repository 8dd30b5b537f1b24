#!/bin/bash
# tests/t-drv-live.sh - the rawdump partition shares its disk with an ext4
# the crashed guest had mounted and was writing to. A real Debian guest
# (AHCI, then NVMe) formats and arms rawdump, writes and syncs files with
# known sha256 sums on the ext4 (partition 1), leaves a dd/cp writer loop
# (with fsync) running on it and panics with sysrq-c. When the minikernel's
# banner appears on the serial line, the runner stops QEMU through QMP
# (`stop` drains the crashed kernel's in-flight requests), copies the disk
# image and continues (rdqemu.py --snapshot-on). Checked on the host after QEMU exits:
#  - the dump: DONE, `rawdump save`;
#  - no byte outside the rawdump partition changed between that snapshot
#    and the end (writes the minikernel might make between its banner and
#    the stop are not caught);
#  - the ext4, on a copy: its journal replayed and the check forced with
#    `e2fsck -fy` (a crash while writing leaves the journal to replay and
#    possibly orphan inodes to release: that is what an unclean shutdown
#    allows), then `e2fsck -fn` must report a clean filesystem (exit 0);
#  - every synced file read back with debugfs has its sha256.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/part.sh"
. "$TOP/tests/guest/e2e-lib.sh"
e2e_need
need debugfs e2fsck sha256sum
e2e_guest

# live_case NAME DRIVER-REGEX RDQEMU-OPTS...
live_case() {
	local name=$1 drvline=$2 disk=$T/$1.img log=$T/$1.log
	local fs_start fs_size fs=$T/$1.ext4 path sum got nsynced=0 rc
	shift 2
	"$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 32M --dump-size 160M >/dev/null 2>&1 ||
		{ fail "$name: disk image"; return; }
	e2e_boot "$log" "crashkernel=8M rdguest.run=crash rdguest.format=1 rdguest.exit=qemu rdguest.comp=zlib rdguest.live=1" \
		--disk "$disk" --mem 512 --timeout 400 --snapshot-on "^rawdump: .*entry, image=$disk.snap" "$@"
	if [ ! -s "$disk.snap" ]; then
		fail "$name: snapshot when the minikernel starts" "$(grep 'rdqemu:' "$log.runner" | tail -n 1) $(tail -n 2 "$log" | tr '\n' ' ')"
		return
	fi
	pass "$name: snapshot taken while QEMU was stopped at the minikernel's banner"
	check "$name: guest armed rawdump" grep -aq 'RDGUEST: arm rc=0 ' "$log"
	check "$name: writer loop running at the crash" grep -aq 'RDGUEST: writer running' "$log"
	check "$name: driver took over the controller" grep -aEq "$drvline" "$log"
	check "$name: minikernel wrote the dump" grep -aq '^rawdump: DONE' "$log"
	awk '/^ *[0-9.]+ rawdump: .*entry, image/ { t0 = $1 } /^ *[0-9.]+ rawdump: DONE/ { t1 = $1 }
		END { if (t0 && t1) printf "# %s: minikernel banner to DONE: %.1f s\n", name, t1 - t0 }' \
		name="$name" "$log.ts"
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$disk:2" -o "$T" -n "$name.vmcore"
	rm -f "$T/$name.vmcore"

	check "$name: no byte outside the rawdump partition changed during the dump" same_outside "$disk" "$disk.snap" 2

	read -r fs_start fs_size < <(sfdisk -d "$disk" | awk -F'[=,]' '/^[^ ]*1 :/ { print $2+0, $4+0 }')
	dd if="$disk" of="$fs" bs=512 skip="$fs_start" count="$fs_size" status=none
	e2fsck -fy "$fs" >"$T/$name.fsck1" 2>&1
	rc=$?
	grep -v '^e2fsck [0-9]\|^Pass [0-9]' "$T/$name.fsck1" | grep -v "^$" | head -n 6 | sed "s/^/# $name: e2fsck -fy: /"
	if [ "$rc" -lt 4 ]; then pass "$name: e2fsck -fy replays the journal (exit $rc)"; else
		fail "$name: e2fsck -fy replays the journal" "exit $rc"; fi
	check "$name: ext4 clean after journal replay (e2fsck -fn)" e2fsck -fn "$fs"
	while read -r path sum; do
		nsynced=$((nsynced + 1))
		got=$(debugfs -R "cat $path" "$fs" 2>/dev/null | sha256sum | cut -d' ' -f1)
		check_eq "$name: synced file $path intact" "$got" "$sum"
	done < <(sed -n 's/^RDGUEST: synced \([^ ]*\) \([0-9a-f]*\).*/\1 \2/p' "$log")
	check_eq "$name: synced files listed" "$nsynced" 8
	rm -f "$disk" "$disk.snap" "$fs"
}

live_case live-ahci '^ahci: port 1: [0-9]+ sectors of 512 bytes' --disk-if ahci --ahci-port 1
live_case live-nvme '^nvme: namespace 1: [0-9]+ blocks of 512 bytes' --disk-if nvme
