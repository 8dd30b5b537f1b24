# tests/guest/e2e-lib.sh - shared steps of the end-to-end tests (tests/t-e2e-*.sh).
# Source after tests/lib.sh. Provides:
#   e2e_need              fail loudly unless QEMU, the guest kernel and the
#                         built rawdump + minikernel are present
#   e2e_guest             build the guest initramfs into $E2E_GUEST (once per
#                         run of the tests: rebuilt when an input is newer)
#   e2e_boot LOG APPEND [rdqemu.py options...]
#                         boot the guest; APPEND is added to the kernel
#                         command line; returns QEMU's exit status.
#                         With E2E_LOCK=FILE the boot holds flock FILE:
#                         scripts run at once boot one guest at a time.
#                         E2E_KERNEL and E2E_INITRD (default: the built
#                         guest's) may be set to boot other ones
#   e2e_line LOG PREFIX   the value after "RDGUEST: PREFIX" in LOG (last one)
#   e2e_done NAME LOG     ok/not ok for the minikernel's DONE line in LOG
E2E_REL=${E2E_REL:-$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)}
E2E_KERNEL=/boot/vmlinuz-$E2E_REL
E2E_GUEST=$B/e2e/guest
E2E_QEMU=$TOP/scripts/qemu/rdqemu.py
E2E_CHECK=$TOP/tests/guest/corecheck.py

e2e_need() {
	need qemu-system-x86_64 python3 sfdisk mke2fs cpio gzip
	for f in "$E2E_KERNEL" "$RAWDUMP" "$B/minikernel/rdmk.bzImage"; do
		[ -e "$f" ] || { fail "e2e prerequisites" "$f missing (run make)"; exit 1; }
	done
}

e2e_guest() {
	local stamp=$E2E_GUEST/initrd.gz src stale=0
	[ -f "$stamp" ] || stale=1
	for src in "$RAWDUMP" "$B/minikernel/rdmk.bzImage" "$TOP"/tests/guest/init.sh \
		"$TOP"/tests/guest/plant/rdplant.c "$TOP"/tests/guest/fill/rdfill.c \
		"$TOP"/scripts/guest/build-guest.sh \
		"$TOP"/scripts/systemd/rawdump-boot; do
		[ "$src" -nt "$stamp" ] && stale=1
	done
	# build-guest.sh replaces the initrd atomically: a concurrent run keeps
	# booting the old one until the new one is in place
	if [ "$stale" = 1 ]; then
		"$TOP/scripts/guest/build-guest.sh" --release "$E2E_REL" --out "$E2E_GUEST" \
			>"$T/build-guest.log" 2>&1 ||
			{ fail "guest image builds" "$(tail -n 3 "$T/build-guest.log" | tr '\n' ' ')"; exit 1; }
	fi
	pass "guest image builds ($(du -k "$stamp" | cut -f1) KiB initramfs, kernel $E2E_REL)"
}

e2e_boot() {
	local log=$1 append=$2
	shift 2
	${E2E_LOCK:+flock "$E2E_LOCK"} "$E2E_QEMU" --kernel "$E2E_KERNEL" --initrd "${E2E_INITRD:-$E2E_GUEST/initrd.gz}" \
		--append "console=ttyS0 quiet panic=-1 $append" --log "$log" "$@" \
		>"$log.runner" 2>&1
}

e2e_line() {
	sed -n "s/^RDGUEST: $2 //p" "$1" | tail -n 1
}

# e2e_done NAME LOG: "ok" with the minikernel's DONE line from the serial
# LOG, or "not ok" and the log's last lines and the runner's messages;
# returns 1 when the minikernel wrote no dump
e2e_done() {
	local line
	line=$(grep -a '^rawdump: \(DONE\|FAILED\)' "$2" | tail -n 1)
	case $line in
	"rawdump: DONE"*) pass "$1: minikernel wrote the dump (${line#rawdump: })"; return 0 ;;
	esac
	fail "$1: minikernel wrote the dump" "${line:-no DONE line}"
	grep -a -v '^rdplant ' "$2" | tail -n 8 | sed "s/^/# $1: /"
	sed "s/^/# $1: /" "$2.runner"
	return 1
}

# e2e_crash NAME SEED APPEND [rdqemu.py options...]
#   One crash boot on a fresh disk $T/NAME.img (format, arm, plant with SEED,
#   sysrq-c, rd.exit=halt; QEMU's reference dump taken when the writer
#   starts, quit at DONE), then on the host rawdump save to $T/NAME.vmcore and
#   the byte-exact checks: planted pages, every PT_LOAD against the
#   reference (the kexec_load backup region through the elfcorehdr), notes.
#   With E2E_KEEP_VMCORE=1, $T/NAME.vmcore is left for more checks; with
#   E2E_NO_PLANT=1 the plant module is not loaded (a Secure Boot guest
#   refuses unsigned modules) and its check is left out.
e2e_crash() {
	local name=$1 seed=$2 append=$3 log ech done_line
	shift 3
	log=$T/$name.log
	"$TOP/scripts/guest/make-disk.sh" "$T/$name.img" --fs-size 32M --dump-size 1200M 2>/dev/null
	[ "${E2E_NO_PLANT:-0}" = 1 ] && append="rdguest.plant=0 $append"
	e2e_boot "$log" "rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$seed $append" \
		--disk "$T/$name.img" --mem 1024 --smp 2 --timeout 600 --dump-file "$T/$name.ram" \
		--dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)' "$@"
	check "$name: armed ($(sed -n 's/^rawdump: armed .*(\(.*unit [0-9]*\),.* via \([a-z_]*\);.*/\1, \2/p' "$log"))" \
		grep -q '^RDGUEST: arm rc=0 ' "$log"
	done_line=$(grep -a '^rawdump: \(DONE\|FAILED\)' "$log" | tail -n 1)
	case $done_line in
	"rawdump: DONE"*) pass "$name: minikernel wrote the dump (${done_line#rawdump: })" ;;
	*) fail "$name: minikernel wrote the dump" "${done_line:-no DONE line}"; return 1 ;;
	esac
	check_rc "$name: rawdump save" 0 "$RAWDUMP" save "$T/$name.img:2" -o "$T" --name "$name.vmcore"
	ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$log" | head -n 1 | cut -d= -f2)
	case $ech in *[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;; esac
	[ "${E2E_NO_PLANT:-0}" = 1 ] ||
		check "$name: every planted byte is in the vmcore" "$E2E_CHECK" plant --seed "$seed" --list "$log" "$T/$name.vmcore"
	check "$name: every dumped byte equals QEMU's dump-guest-memory" \
		"$E2E_CHECK" compare "$T/$name.vmcore" "$T/$name.ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed "s/^/# $name: /"
	check "$name: NT_PRSTATUS per CPU and VMCOREINFO equal the kernel's" \
		"$E2E_CHECK" notes "$T/$name.vmcore" "$T/$name.ram" --elfcorehdr "$ech"
	rm -f "$T/$name.img" "$T/$name.ram"
	[ "${E2E_KEEP_VMCORE:-0}" = 1 ] || rm -f "$T/$name.vmcore"
}

# ---- page filtering (tests/t-e2e-filter*.sh) ------------------------------

e2e_has_dump_level() { "$RAWDUMP" arm --help 2>&1 | grep -q -- '--dump-level'; }

# e2e_need_level NAME LEVEL: true when this build can dump at LEVEL; else
# one "not ok" line saying why (level 1 is today's behaviour, always there)
e2e_need_level() {
	[ "$2" = 1 ] && return 0
	e2e_has_dump_level && return 0
	fail "$1: dump level $2" "rawdump arm --dump-level not supported by this build"
	return 1
}

# e2e_elfcorehdr LOG: the elfcorehdr address the minikernel got
e2e_elfcorehdr() {
	local ech
	ech=$(grep -a -o 'elfcorehdr=[0-9a-fx]*[kK]\?' "$1" | head -n 1 | cut -d= -f2)
	case $ech in *[kK]) ech=$(( ${ech%[kK]} * 1024 )) ;; esac
	echo "$ech"
}

# e2e_crash_tool NAME VMCORE: crash 8.0.2 with the debug vmlinux runs log,
# bt and kmem -i on VMCORE: the panic in the log, the sysrq path in bt,
# kmem -i's totals, and no error about memory crash could not read.
# With E2E_CRASH_CMDS="log bt" only those two; with E2E_CRASH_STRICT=0
# (partial dumps) unreadable memory is only reported.
e2e_crash_tool() {
	local name=$1 core=$2 out=$T/$1.crash cmds=${E2E_CRASH_CMDS:-log bt kmem}
	local vmlinux="${RAWDUMP_CACHE:-/var/cache/rawdump}/vmlinux-$E2E_REL" t0=$SECONDS why
	{
		case " $cmds " in *" log "*) echo log ;; esac
		case " $cmds " in *" bt "*) echo bt ;; esac
		case " $cmds " in *" kmem "*) echo 'kmem -i' ;; esac
		echo quit
	} | timeout 600 crash -s "$vmlinux" "$core" >"$out" 2>&1
	why=$(grep -a -m 1 -E '^crash: |^[a-z_]+: (read|seek) error' "$out")
	e2e_crash_has() {
		if eval "$2"; then pass "$name: crash $1"; else fail "$name: crash $1" "${why:-not in its output}"; fi
	}
	case " $cmds " in *" log "*)
		e2e_crash_has "log shows the panic" \
			"grep -q 'Kernel panic - not syncing: sysrq triggered crash' '$out'" ;;
	esac
	case " $cmds " in *" bt "*)
		e2e_crash_has "bt shows the sysrq path" \
			"grep -q ' panic at ' '$out' && grep -q ' sysrq_handle_crash at ' '$out'" ;;
	esac
	case " $cmds " in *" kmem "*)
		e2e_crash_has "kmem -i prints the memory totals" \
			"grep -q '^ *TOTAL MEM ' '$out' && grep -q '^ *FREE ' '$out'" ;;
	esac
	why=$(grep -a -m 1 -iE 'page excluded|seek error|read error|invalid kernel virtual address|cannot (read|access)' "$out")
	if [ "${E2E_CRASH_STRICT:-1}" = 1 ]; then
		check_eq "$name: crash reports no unreadable memory" "$why" ""
	elif [ -n "$why" ]; then
		echo "# $name: crash: $why"
	fi
	echo "# $name: crash ran $cmds in $((SECONDS - t0)) s"
}

# e2e_filter NAME LEVEL MEM APPEND [rdqemu.py options...]
#   One crash boot of a MEM MiB guest on a fresh disk $T/NAME.img, armed at
#   dump level LEVEL (rdguest.dumplevel, or what APPEND sets), the plant
#   module loaded (seed $E2E_SEED); QEMU's reference dump $T/NAME.ram taken
#   when the writer starts, QEMU quit at DONE. Then on the host:
#   rawdump save ELF ($T/NAME.elf) and kdump ($T/NAME.kdump); the oracle:
#   makedumpfile -d LEVEL over the vmcore the crashed kernel described
#   (corecheck.py vmcore) -> $T/NAME.mdf; rawdump keeps every page it keeps
#   and (LEVEL > 1) leaves out at least 90 % of the pages it leaves out;
#   planted pages, every kept byte against the reference, the notes.
#   Leaves the files for the caller; returns 1 when no dump was written.
E2E_SEED=${E2E_SEED:-$((RANDOM * 32768 + RANDOM + 1))}
# e2e_lap STEP: add "STEP Ns" (seconds since the last lap) to $E2E_LAPS; - resets
e2e_lap() {
	[ "$1" = - ] && { E2E_LAPS=; E2E_LAP0=$SECONDS; return; }
	E2E_LAPS="$E2E_LAPS $1 $((SECONDS - E2E_LAP0))"
	E2E_LAP0=$SECONDS
}
e2e_filter() {
	local name=$1 level=$2 mem=$3 append=$4 log ech t0=$SECONDS t1 fs=64M
	shift 4
	log=$T/$name.log
	case " $append " in *" rdguest.fill=1 "*) fs=640M ;; esac
	# level 1 without --dump-level: today's build, nothing to pass
	case " $append " in
	*" rdguest.conflevel="*) ;;
	*) [ "$level" = 1 ] && ! e2e_has_dump_level || append="$append rdguest.dumplevel=$level" ;;
	esac
	"$TOP/scripts/guest/make-disk.sh" "$T/$name.img" --fs-size $fs --dump-size $((mem + 176))M 2>/dev/null
	e2e_boot "$log" "crashkernel=${E2E_CRASHKERNEL:-4M} rdguest.run=crash rdguest.format=1 rdguest.exit=halt rdguest.seed=$E2E_SEED $append" \
		--disk "$T/$name.img" --mem "$mem" --smp 2 --timeout 1200 --dump-file "$T/$name.ram" \
		--dump-on '^dump: [0-9]+ ranges' --quit-on '^rawdump: (DONE|FAILED)' "$@"
	check "$name: armed at dump level $level" grep -q '^RDGUEST: arm rc=0 ' "$log"
	case " $append " in *" rdguest.fill=1 "*)
		check "$name: guest filled its memory ($(e2e_line "$log" meminfo))" \
			grep -q '^RDGUEST: fill rdfill: anon [0-9]* MiB touched' "$log" ;;
	esac
	e2e_done "$name" "$log" || return 1
	t1=$SECONDS
	check "$name: QEMU's reference dump taken" test -s "$T/$name.ram"
	if e2e_has_dump_level; then
		check_eq "$name: the dump header says dump level $level" \
			"$("$RAWDUMP" info "$T/$name.img:2" --json | sed -n 's/^ *"dump_level": *\([0-9]*\).*/\1/p' | head -n 1)" "$level"
	fi
	e2e_lap -
	check_rc "$name: rawdump save (ELF)" 0 "$RAWDUMP" save "$T/$name.img:2" -o "$T" --name "$name.elf"
	check_rc "$name: rawdump save --format kdump" 0 "$RAWDUMP" save "$T/$name.img:2" -o "$T" --name "$name.kdump" --format kdump
	ech=$(e2e_elfcorehdr "$log")
	e2e_lap save

	# the oracle: makedumpfile over what /proc/vmcore would have shown
	"$E2E_CHECK" vmcore "$T/$name.ram" --elfcorehdr "$ech" -o "$T/$name.full" >"$T/.out" 2>&1 ||
		{ fail "$name: the crashed kernel's vmcore from the reference" "$(tail -n 1 "$T/.out")"; return 1; }
	check "$name: makedumpfile -d $level over the reference" \
		makedumpfile -d "$level" "$T/$name.full" "$T/$name.mdf"
	rm -f "$T/$name.full"
	e2e_lap oracle
	check "$name: kdump output keeps every page makedumpfile -d $level keeps (ELF too)" \
		"$E2E_CHECK" filter "$T/$name.mdf" "$T/$name.kdump" --elf "$T/$name.elf" \
		--reference "$T/$name.ram" --elfcorehdr "$ech" --seed "$E2E_SEED" \
		$([ "$level" = 1 ] || echo --min-excluded 90) \
		$(case " $append " in *" rdguest.scribble="*) echo --scribble "$log" ;; esac)
	grep '^filter:' "$T/.out" | sed "s/^/# $name: /"
	e2e_lap filter
	check "$name: every planted byte is in the ELF" "$E2E_CHECK" plant --seed "$E2E_SEED" --list "$log" "$T/$name.elf"
	check "$name: every planted byte is in the kdump output" "$E2E_CHECK" plant --seed "$E2E_SEED" --list "$log" "$T/$name.kdump"
	e2e_lap plant
	check "$name: every byte of the ELF equals QEMU's dump" \
		"$E2E_CHECK" compare "$T/$name.elf" "$T/$name.ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed "s/^/# $name: /"
	check "$name: every page of the kdump output equals QEMU's dump" \
		"$E2E_CHECK" compare "$T/$name.kdump" "$T/$name.ram" --elfcorehdr "$ech"
	grep '^compare:' "$T/.out" | sed "s/^/# $name: /"
	e2e_lap compare
	check "$name: NT_PRSTATUS per CPU and VMCOREINFO equal the kernel's" \
		"$E2E_CHECK" notes "$T/$name.elf" "$T/$name.ram" --elfcorehdr "$ech"
	echo "# $name: boot, crash and dump $((t1 - t0)) s, host checks $((SECONDS - t1)) s:$E2E_LAPS (host clock, machine shared)"
}

# ---- power cuts (scripts/powercut.sh, tests/t-e2e-filter.sh) ---------------

# e2e_cut_check NAME DISK REFERENCE ELFCOREHDR
#   DISK is a copy of a guest's disk taken while the minikernel was writing
#   (rdqemu.py --snapshot-at/--snapshot-bytes: a power cut). From partition
#   2's blocks, read by tests/guest/cutcheck.py (not by rawdump's reader):
#   `rawdump save --format kdump` exits 6 (0 when the END block made it,
#   7 when not even the dump header did) and names exactly the memory
#   missing there, every page it saved equals REFERENCE (QEMU's dump of the
#   crashed guest) and it saved exactly the pages on disk; rawdump info
#   prints the panic whenever the dump header with the notes is on disk.
#   Leaves the kdump file out.
e2e_cut_check() {
	local name=$1 disk=$2 ref=$3 ech=$4 off size want
	read -r off size < <(part_span "$disk" 2)
	"$TOP/tests/guest/cutcheck.py" "$disk" --offset "${off:-0}" --size "${size:-0}" >"$T/cut.blocks" 2>&1
	sed -n 's/^cutcheck: /# '"$name"': on disk: /p' "$T/cut.blocks"
	want=6
	grep -q '^cutcheck: header no' "$T/cut.blocks" && want=7
	grep -q '^cutcheck: header yes, end yes' "$T/cut.blocks" && want=0
	check_rc "$name: rawdump save exits $want" $want "$RAWDUMP" save "$disk:2" -o "$T" --name cut.kdump --format kdump
	cp "$T/.out" "$T/cut.save"
	[ "$want" = 7 ] && return
	check "$name: save names exactly the missing memory ($(grep -c '^missing' "$T/cut.blocks") ranges)" \
		"$TOP/tests/guest/cutcheck.py" "$disk" --offset "$off" --size "$size" --saved "$T/cut.save"
	check "$name: every saved page equals QEMU's dump" "$E2E_CHECK" compare "$T/cut.kdump" "$ref" --elfcorehdr "$ech"
	check_eq "$name: saved exactly the pages on disk" \
		"$(sed -n 's/^compare: \([0-9]*\) dumped pages.*/\1/p' "$T/.out")" "$(sed -n 's/^pages //p' "$T/cut.blocks")"
	"$RAWDUMP" info "$disk:2" >"$T/cut.info" 2>&1
	if grep -q '^panic: *.*sysrq triggered crash' "$T/cut.info"; then
		pass "$name: rawdump info prints the panic"
	else
		fail "$name: rawdump info prints the panic" "$(grep -E '^(panic|kernel log): ' "$T/cut.info" | tr -s ' ' | tr '\n' ' ')"
	fi
	rm -f "$T/cut.kdump"
}
