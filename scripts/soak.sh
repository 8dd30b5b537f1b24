#!/bin/bash
# scripts/soak.sh - crash soak (`make soak`): SOAK_RUNS (default 50)
# consecutive real crashes of the Debian test guest, each a different
# machine: the disk driver (virtio-blk, AHCI on port 0 or 1, NVMe, in
# turn), the guest's memory (384-1024 MiB), -smp 2..4 with the sysrq-c
# written on a chosen CPU (taskset: that CPU panics), the kexec loader
# (`rawdump arm --method file`: kexec_file_load, `--method load`:
# kexec_load), the dump level (1, 17, 31) and the compression (none, lz4, zstd)
# drawn from SOAK_SEED (printed; set it to replay a run). With
# SOAK_MINUTES=N no run starts after N minutes (the summary says how many
# ran). Each driver has one disk for the whole soak: an ext4 (partition 1)
# and the rawdump partition, formatted on the driver's first run and
# re-armed after every save, so each capture overwrites the last one's
# blocks; the guest mounts
# the ext4 (replaying the journal of the last crash), writes and syncs
# files and leaves a writer loop (dd with fsync, cp) running when it
# crashes (tests/guest/init.sh rdguest.live=1).
#
# Per run, on the host:
#  - the disk is copied the moment the minikernel prints its banner (QEMU
#    stopped through QMP, the crashed kernel's in-flight requests drained:
#    rdqemu.py --snapshot-on); after QEMU quits, no byte outside the
#    rawdump partition may differ from that copy;
#  - the dump is complete (rawdump: DONE, state complete, the dump level
#    asked for in its header) and `rawdump save` exits 0;
#  - every byte of the ELF and every page of the kdump-compressed output
#    equals QEMU's own dump of the crashed guest's RAM (dump-guest-memory,
#    taken when the minikernel's writer starts), the kdump output has
#    exactly the pages of the ranges that were not excluded (the excluded
#    ones are absent), the notes equal the kernel's;
#  - rawdump info names the panic and the CPU the sysrq-c ran on.
# The guest boots with no_timer_check: on a loaded TCG host the 6.1
# kernel's IO-APIC timer check can fail and panic it at boot (seen in a
# soak run). A failed run keeps its serial log in build/soak/. The last
# lines: the seed, the runs per driver and "N passed, N failed" (runs);
# exit 1 when a run failed. Guests boot one at a time (E2E_LOCK, default
# build/qemu.lock, is held around each QEMU run).
. "$(dirname "$0")/../tests/lib.sh"
. "$TOP/tests/lib/part.sh"
. "$TOP/tests/guest/e2e-lib.sh"
RUNS=${SOAK_RUNS:-50}
BUDGET=${SOAK_MINUTES:-0}	# > 0: start no run after this many minutes
SEED=${SOAK_SEED:-$(( $(date +%s) % 1000000 ))}
export E2E_LOCK=${E2E_LOCK:-$B/qemu.lock}
KEEP=$B/soak
e2e_need
need cmp sha256sum flock taskset
e2e_guest
mkdir -p "$KEEP"

drivers=(virtio ahci nvme)
mems=(384 512 768 1024)
levels=(1 1 17 31)
comps=(none lz4 zstd)
methods=(file load)
declare -A formatted runs passed
RANDOM=$SEED
echo "# soak: seed $SEED, $RUNS runs (replay: SOAK_SEED=$SEED SOAK_RUNS=$RUNS make soak)"

# info_field JSON KEY: a number or string field of rawdump info --json
info_field() { sed -n "s/^ *\"$2\": *\"\\{0,1\\}\\([^\",]*\\).*/\\1/p" "$1" | head -n 1; }

# soak_run N DRIVER MEM SMP CPU METHOD LEVEL COMP PORT
soak_run() {
	local n=$1 drv=$2 mem=$3 smp=$4 cpu=$5 method=$6 level=$7 comp=$8 port=$9
	local disk=$T/$drv.img log=$T/run.log ram=$T/run.ram before=$T/before.img ech
	local excl want fmt=0 ifopt
	[ -e "$disk" ] || "$TOP/scripts/guest/make-disk.sh" "$disk" --fs-size 64M --dump-size 1200M 2>/dev/null
	[ "${formatted[$drv]:-0}" = 1 ] || fmt=1
	case $drv in
	ahci) ifopt="--disk-if ahci --ahci-port $port" ;;
	*) ifopt="--disk-if $drv" ;;
	esac
	rm -f "$before" "$ram" "$log" "$log.ts" "$log.runner"	# no check may read the last run's
	# shellcheck disable=SC2086
	e2e_boot "$log" "crashkernel=4M no_timer_check rdguest.run=crash rdguest.format=$fmt rdguest.exit=halt rdguest.seed=$((SEED + n)) rdguest.live=1 rdguest.method=$method rdguest.dumplevel=$level rdguest.comp=$comp rdguest.crashcpu=$cpu" \
		--disk "$disk" $ifopt --mem "$mem" --smp "$smp" --timeout 600 \
		--snapshot-on "^rawdump: .*entry, image=$before" \
		--dump-file "$ram" --dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)'
	check "armed ($method, level $level, $comp)" grep -q '^RDGUEST: arm rc=0 ' "$log"
	check "ext4 writer loop running at the crash" grep -aq '^RDGUEST: writer running' "$log"
	if ! e2e_done "$drv" "$log"; then
		formatted[$drv]=0
		return
	fi
	if [ -s "$before" ]; then
		check "no byte outside the rawdump partition changed" same_outside "$disk" "$before" 2
	else
		fail "disk copied at the minikernel's banner" "$(grep 'rdqemu:' "$log.runner" | tail -n 1)"
	fi
	rm -f "$before"
	"$RAWDUMP" info "$disk:2" --json >"$T/info.json" 2>&1
	check_eq "partition state" "$(info_field "$T/info.json" state)" complete
	check_eq "dump level in the header" "$(info_field "$T/info.json" dump_level)" "$level"
	check "rawdump info: the panic ($(info_field "$T/info.json" panic))" grep -q '"panic": ".*sysrq triggered crash' "$T/info.json"
	check_eq "rawdump info: crashed CPU" "$(info_field "$T/info.json" crashed_cpu)" "$cpu"
	check_rc "rawdump save --format kdump" 0 "$RAWDUMP" save "$disk:2" -o "$T" --name run.kdump --format kdump
	check_rc "rawdump save (ELF)" 0 "$RAWDUMP" save "$disk:2" -o "$T" --name run.elf
	formatted[$drv]=1
	ech=$(e2e_elfcorehdr "$log")
	check "every byte of the ELF equals QEMU's dump" "$E2E_CHECK" compare "$T/run.elf" "$ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed 's/^/# /'
	check "every page of the kdump output equals QEMU's dump" "$E2E_CHECK" compare "$T/run.kdump" "$ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed 's/^/# /'
	read -r want excl < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
num = lambda v: int(v, 0) if isinstance(v, str) else v   # addresses are "0x..." strings
pages = set()            # a page a range only touches is dumped too
for r in d["ranges"]:
    if not r["alias"]:
        a, n = num(r["paddr"]), num(r["size"])
        pages.update(range(a // 4096, (a + n + 4095) // 4096))
ram = len(pages)
print(ram - d["excluded_pages"]["total"], d["excluded_pages"]["total"])' "$T/info.json")
	check_eq "kdump output: exactly the pages not excluded (${excl:-?} excluded)" \
		"$(sed -n 's/^compare: \([0-9]*\) dumped pages.*/\1/p' "$T/.out")" "${want:-?}"
	check "NT_PRSTATUS per CPU and VMCOREINFO equal the kernel's" "$E2E_CHECK" notes "$T/run.elf" "$ram" --elfcorehdr "$ech"
	rm -f "$T/run.elf" "$T/run.kdump" "$ram"
}

t0=$SECONDS
ok=0 bad=0
ran=0
for ((i = 1; i <= RUNS; i++)); do
	if [ "$BUDGET" -gt 0 ] && [ $((SECONDS - t0)) -ge $((BUDGET * 60)) ]; then
		echo "# soak: SOAK_MINUTES=$BUDGET spent: stopping before run $i"
		break
	fi
	ran=$i
	drv=${drivers[(i + SEED) % 3]}
	mem=${mems[RANDOM % 4]}
	smp=$((2 + RANDOM % 3))
	cpu=$((RANDOM % smp))
	method=${methods[RANDOM % 2]}		# (never $RANDOM in a $(...): a subshell reseeds it)
	level=${levels[RANDOM % 4]}
	comp=${comps[RANDOM % 3]}
	port=$((RANDOM % 2))
	what="$drv$([ "$drv" = ahci ] && echo " port $port") ${mem} MiB -smp $smp crash on CPU $cpu, kexec $method, level $level, $comp"
	echo "# run $i/$RUNS: $what"
	r0=$SECONDS
	soak_run "$i" "$drv" "$mem" "$smp" "$cpu" "$method" "$level" "$comp" "$port" >"$T/run.out" 2>&1
	sed "s/^\(\(not \)\{0,1\}ok - \)/\1run $i: /" "$T/run.out"
	runs[$drv]=$((${runs[$drv]:-0} + 1))
	if grep -q '^not ok' "$T/run.out" || ! grep -q '^ok' "$T/run.out"; then
		bad=$((bad + 1))
		cp "$T/run.log" "$KEEP/run$i-$drv.log" 2>/dev/null
		echo "# run $i FAILED ($((SECONDS - r0)) s): serial log in $KEEP/run$i-$drv.log"
	else
		ok=$((ok + 1))
		passed[$drv]=$((${passed[$drv]:-0} + 1))
		echo "# run $i passed ($((SECONDS - r0)) s)"
	fi
done
echo "# soak: seed $SEED, $ran of $RUNS runs in $((SECONDS - t0)) s: virtio ${passed[virtio]:-0}/${runs[virtio]:-0}, ahci ${passed[ahci]:-0}/${runs[ahci]:-0}, nvme ${passed[nvme]:-0}/${runs[nvme]:-0} passed"
echo "$ok passed, $bad failed"
[ "$bad" = 0 ]
