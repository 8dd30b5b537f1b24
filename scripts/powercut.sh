#!/bin/bash
# scripts/powercut.sh - power cuts during a real dump (`make powercut`).
#
# For each driver of POWERCUT_DRIVERS (default "virtio ahci nvme"): one
# crash of the Debian test guest (1 GiB, -smp 2, crashkernel=4M, dump level
# 1, uncompressed) holding POWERCUT_FILL (default 600) MiB of random data
# (rdfill: anonymous memory of a running process), with POWERCUT_CUTS
# (default 20) power cuts taken during that one capture: at each of that
# many random points - byte counts of disk writes since the minikernel's
# writer started, drawn from POWERCUT_SEED (printed; set it to replay)
# uniformly below the random data's size, so every point falls inside the
# dump - QEMU is stopped through QMP (in-flight requests drained), the disk
# image copied, and the guest continued (rdqemu.py --snapshot-bytes): the
# copy is the disk as a power cut at that point leaves it. One crash per
# driver with 20 cuts in it is much cheaper than 20 crashes; the cuts see
# the same memory, so QEMU's own dump of the crashed guest's RAM (taken
# when the writer starts) is the reference for all of them.
#
# Every cut is checked by e2e_cut_check (tests/guest/e2e-lib.sh): rawdump
# save exits 6 (0 if the END block made it), names exactly the memory the
# partition's blocks do not hold (tests/guest/cutcheck.py reads them), every
# page it saved equals the reference and it saved exactly the pages on disk,
# rawdump info prints the panic. The full dump of each crash is saved and
# compared too. Last lines: cuts checked per driver, "N passed, N failed"
# (checks); exit 1 when one failed. Guests boot one at a time (E2E_LOCK,
# default build/qemu.lock).
. "$(dirname "$0")/../tests/lib.sh"
. "$TOP/tests/lib/part.sh"
. "$TOP/tests/guest/e2e-lib.sh"
DRIVERS=${POWERCUT_DRIVERS:-virtio ahci nvme}
CUTS=${POWERCUT_CUTS:-20}
FILL=${POWERCUT_FILL:-600}
SEED=${POWERCUT_SEED:-$(( $(date +%s) % 1000000 ))}
export E2E_LOCK=${E2E_LOCK:-$B/qemu.lock}
e2e_need
need cmp flock
e2e_guest
echo "# powercut: seed $SEED, $CUTS cuts per driver ($DRIVERS), $FILL MiB of random data" \
	"(replay: POWERCUT_SEED=$SEED make powercut)"

# powercut_driver DRIVER: one crash with CUTS cuts, every cut checked
powercut_driver() {
	local drv=$1 disk=$T/$1.img log=$T/$1.log ram=$T/$1.ram points k=0 p ech snap=() t0=$SECONDS
	points=$(python3 -c 'import random, sys
r = random.Random(sys.argv[1] + sys.argv[2])
print(" ".join(str(x) for x in sorted(r.randrange(1 << 20, int(sys.argv[3]) << 20) for _ in range(int(sys.argv[4])))))' \
		"$SEED" "$drv" "$FILL" "$CUTS")
	echo "# $drv: cuts after $(echo "$points" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f", (i > 1 ? ", " : ""), $i / 1048576 }') MiB written"
	for p in $points; do
		k=$((k + 1))
		snap+=(--snapshot-bytes "$p=$T/$drv-cut$k.img")
	done
	"$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 64M --dump-size 1200M 2>/dev/null
	e2e_boot "$log" "crashkernel=4M no_timer_check rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$SEED rdguest.fill=1 rdguest.cache=0 rdguest.anon=$FILL" \
		--disk "$disk" --disk-if "$drv" --mem 1024 --smp 2 --timeout 1200 \
		--dump-file "$ram" --dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)' "${snap[@]}"
	check "$drv: guest holds $FILL MiB of random data" grep -q "^RDGUEST: fill rdfill: anon $FILL MiB touched" "$log"
	e2e_done "$drv" "$log" || return
	ech=$(e2e_elfcorehdr "$log")
	check_rc "$drv: rawdump save of the whole dump" 0 "$RAWDUMP" save "$disk:2" -o "$T" --name full.kdump --format kdump
	check "$drv: every page of the whole dump equals QEMU's dump" "$E2E_CHECK" compare "$T/full.kdump" "$ram" --elfcorehdr "$ech"
	rm -f "$T/full.kdump" "$disk"
	echo "# $drv: boot, crash, $CUTS cuts and the whole dump $((SECONDS - t0)) s"
	for ((k = 1; k <= CUTS; k++)); do
		p=$(sed -n "s/.*rdqemu: disk snapshot after [0-9]* bytes, \([0-9]*\) bytes written to .*$drv-cut$k.img .*/\1/p" "$log.ts")
		if [ ! -s "$T/$drv-cut$k.img" ]; then
			fail "$drv cut $k: disk copied" "no snapshot (rdqemu: $(grep 'rdqemu:' "$log.runner" | tail -n 1))"
			continue
		fi
		e2e_cut_check "$drv cut $k (${p:-?} bytes written)" "$T/$drv-cut$k.img" "$ram" "$ech" >"$T/cut.out"
		cat "$T/cut.out"
		if grep -q '^not ok' "$T/cut.out"; then
			mkdir -p "$B/powercut"
			mv "$T/$drv-cut$k.img" "$B/powercut/$drv-cut$k.img"
			echo "# $drv cut $k: disk image kept in $B/powercut/$drv-cut$k.img"
		fi
		rm -f "$T/$drv-cut$k.img"
	done
	echo "# $drv: $((SECONDS - t0)) s in all"
	rm -f "$ram"
}

t0=$SECONDS
for drv in $DRIVERS; do
	powercut_driver "$drv"
done 2>&1 | tee "$T/all.out"
# cuts_of DRIVER [not]: how many cuts were checked / had a failed check
cuts_of() {
	grep -E "^${2:+not }ok - $1 cut [0-9]+ " "$T/all.out" | sed 's/ (.*//' | sort -u | wc -l
}
echo "# powercut: seed $SEED, $((SECONDS - t0)) s; cuts checked (failed):$(for d in $DRIVERS; do
	printf ' %s %s (%s)' "$d" "$(grep -E "^(not )?ok - $d cut [0-9]+ .*: rawdump save exits" "$T/all.out" | wc -l)" "$(cuts_of "$d" not)"; done)"
echo "$(grep -c '^ok - ' "$T/all.out") passed, $(grep -c '^not ok - ' "$T/all.out") failed"
! grep -q '^not ok - ' "$T/all.out"
