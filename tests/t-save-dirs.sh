#!/bin/bash
# tests/t-save-dirs.sh - what `rawdump save` leaves in the output directory
# (Documentation/operator.md "Saving", "Progress"), host side, on partition
# image files holding dumps the real writer made (build/rawdump-sim):
#   - OUTPUT_DIR/YYYYmmdd-HHMMSS-DUMPID/ from the dump header's crash time
#     (UTC) and dump id, 0700, with vmcore, dmesg.txt, info.txt, info.json,
#     all 0600; info.* equal what `rawdump info [--json]` prints, dmesg.txt
#     the log lines of `rawdump info --log`;
#   - a second format adds vmcore.kdump to the same directory, silently; the
#     same format again is refused (exit 3);
#   - max_dumps = 2 keeps exactly the newest 2 dump directories and leaves
#     alone what is not one (a name not in the pattern, a symlink, a file);
#   - convert into a filesystem too small: exit 16, nothing written (ELF:
#     refused before writing; LKCD: tried, the filesystem fills up);
#   - save --boot: "nothing to save" (exit 0) when no dump waits; else the
#     configured formats into the configured directory, with sd_notify
#     STATUS= lines reaching NOTIFY_SOCKET (a python3 datagram listener);
#   - progress lines on a non-terminal stderr: one per 10 % step; --quiet: none.
. "$(dirname "$0")/lib.sh"
need python3 stat cmp mount umount
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

img=$T/p.img
truncate -s 96M "$img"
"$RAWDUMP" format "$img" >/dev/null || { fail "format"; exit 1; }
sim_write() { "$SIM" write "$img" --pattern "$1" --range 0x100000:32M --cpus 2 \
	--release 6.1.0-dirs --comp zlib --quiet >/dev/null 2>"$T/sim.err" || fail "sim write" "$(cat "$T/sim.err")"; }
sim_write 21
"$RAWDUMP" info "$img" >"$T/before.txt"
"$RAWDUMP" info "$img" --json >"$T/before.json"
"$RAWDUMP" info "$img" --log | sed '1,/^kernel log: /d; /^open with: /,$d' >"$T/before.log"
dname=$(python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1]));
print(time.strftime("%Y%m%d-%H%M%S", time.gmtime(d["crash_time"])) + "-" + d["dump_id"][:8])' "$T/before.json")

# ---- the dump directory -------------------------------------------------------
out=$T/out; mkdir -p "$out"
"$RAWDUMP" save "$img" -o "$out" --quiet >"$T/save.out" 2>"$T/save.err"
check_eq "save: exit 0" "$?" 0
check_eq "--quiet: nothing on stderr" "$(cat "$T/save.err")" ""
check_eq "one dump directory named by crash time and dump id" "$(ls "$out")" "$dname"
d=$out/$dname
check_eq "saved line names the vmcore in it" "$(head -n 1 "$T/save.out")" \
	"saved $d/vmcore (elf format, 32.0 MiB of memory)"
check_eq "directory mode 0700" "$(stat -c %a "$d")" 700
check_eq "its files" "$(ls "$d" | tr '\n' ' ')" "dmesg.txt info.json info.txt vmcore "
check_eq "every file 0600" "$(stat -c %a "$d"/* | sort -u)" 600
check "vmcore holds the pattern" "$SIM" verify "$d/vmcore" --pattern 21 --range 0x100000:32M
check "info.txt = rawdump info" cmp "$d/info.txt" "$T/before.txt"
check "info.json = rawdump info --json" cmp "$d/info.json" "$T/before.json"
check "info.json parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/info.json"
# rawdump-sim writes no kernel log: both are empty here; t-e2e-crash
# compares dmesg.txt with a real crashed kernel's log.
check_eq "dmesg.txt of a dump without a kernel log is empty, as info --log" \
	"$(wc -c <"$d/dmesg.txt") $(wc -c <"$T/before.log")" "0 0"

# ---- a second format, with progress lines (stderr is not a terminal) --------
"$RAWDUMP" save "$img" -o "$out" --format kdump >"$T/save2.out" 2>"$T/save2.err"
check_eq "second format: exit 0" "$?" 0
check_eq "... into the same directory" "$(ls "$d" | tr '\n' ' ')" \
	"dmesg.txt info.json info.txt vmcore vmcore.kdump "
check_eq "... vmcore.kdump 0600" "$(stat -c %a "$d/vmcore.kdump")" 600
check_eq "... no warning" "$(grep -c warning "$T/save2.err")" 0
check "... info.txt kept" cmp "$d/info.txt" "$T/before.txt"
check_eq "progress: one line per 10 % step" "$(sed -n 's/^rawdump: saving vmcore.kdump: .* (\([0-9]*\)%).*/\1/p' "$T/save2.err" |
	awk '{print int($1 / 10)}' | uniq | tr '\n' ' ')" "0 1 2 3 4 5 6 7 8 9 10 "
check_eq "progress: nothing else on stderr" "$(grep -vc '^rawdump: saving vmcore.kdump: [0-9.]* [KM]*i*B of 32.0 MiB ([0-9]*%), [0-9.]* [KMG]*i*B/s' "$T/save2.err")" 0
check_rc "the same format again: exit 3" 3 "$RAWDUMP" save "$img" -o "$out" --format kdump
check_eq "... one line" "$(grep -v warning "$T/.out")" "rawdump: save: $d/vmcore.kdump already exists; not overwriting it"

mkdir -p "$T/o3d" "$T/victim"
ln -s "$T/victim" "$T/o3d/$dname"
check_rc "a symlink named like the dump directory: exit 3" 3 "$RAWDUMP" save "$img" -o "$T/o3d" -q
check_eq "... nothing written through it" "$(ls -A "$T/victim" | wc -l)" 0

# ---- max_dumps ----------------------------------------------------------------
o2=$T/rot; mkdir -p "$o2"
for n in 20200101-000000-aaaaaaaa 20200102-000000-bbbbbbbb 20200103-000000-cccccccc \
	20990101-000000-ffffffff 20200101-000000-zzzzzzzz keepme; do
	mkdir "$o2/$n" && echo x >"$o2/$n/vmcore"
done
echo precious >"$T/victim/vmcore"
ln -s "$T/victim" "$o2/20190101-000000-dddddddd"
echo file >"$o2/20190102-000000-eeeeeeee"
printf 'max_dumps = 2\n' >"$T/max.conf"
RAWDUMP_CONF=$T/max.conf "$RAWDUMP" save "$img" -o "$o2" -q >"$T/rot.out" 2>&1
check_eq "max_dumps save: exit 0" "$?" 0
check_eq "max_dumps = 2: the 3 oldest dump directories removed" "$(grep '^removed' "$T/rot.out")" \
"removed $o2/20200101-000000-aaaaaaaa (max_dumps = 2)
removed $o2/20200102-000000-bbbbbbbb (max_dumps = 2)
removed $o2/20200103-000000-cccccccc (max_dumps = 2)"
check_eq "... the newest 2 and everything else kept" "$(ls "$o2" | tr '\n' ' ')" \
	"20190101-000000-dddddddd 20190102-000000-eeeeeeee 20200101-000000-zzzzzzzz $dname 20990101-000000-ffffffff keepme "
check_eq "... the symlink's target untouched" "$(cat "$T/victim/vmcore")" precious

# ---- not enough space: convert -----------------------------------------------
mkdir -p "$T/tiny"
if mount -t tmpfs -o size=2M tmpfs "$T/tiny" 2>/dev/null; then
	check_rc "convert to ELF into a too small filesystem: exit 16" 16 "$RAWDUMP" convert "$d/vmcore" "$T/tiny/x" --to elf
	check_eq "... one line" "$(cat "$T/.out")" \
		"rawdump: convert: $T/tiny/x: the filesystem has 2.0 MiB free, the output needs up to 32.0 MiB"
	check_eq "... nothing written" "$(ls -A "$T/tiny" | wc -l)" 0
	# LKCD compresses page by page: tried, and the filesystem fills up
	check_rc "convert to LKCD: the filesystem fills up: exit 16" 16 "$RAWDUMP" convert "$d/vmcore" "$T/tiny/x" --to lcrash --quiet
	check_eq "... a warning, then one error line" "$(sed 's/needs .* to/needs N to/' "$T/.out")" \
"rawdump: convert: warning: $T/tiny/x: the filesystem has 2.0 MiB free, the compressed output needs N to 32.5 MiB: trying (a full filesystem keeps nothing)
rawdump: convert: writing $T/tiny/x: No space left on device: nothing kept"
	check_eq "... nothing left" "$(ls -A "$T/tiny" | wc -l)" 0
	umount "$T/tiny"
else
	fail "tmpfs mount for the no-space check"
fi

# ---- save --boot, with systemd's NOTIFY_SOCKET ---------------------------------
boot=$T/boot
printf 'target = %s\noutput_dir = %s\nformats = elf, lcrash\n' "$img" "$boot" >"$T/boot.conf"
export RAWDUMP_CONF=$T/boot.conf
check_rc "save --boot, the dump already saved: exit 0" 0 "$RAWDUMP" save --boot
check_eq "... says nothing to save" "$(cat "$T/.out")" "$img: no dump waiting (state saved); nothing to save"
check_eq "... writes nothing" "$(ls -A "$boot" 2>/dev/null | wc -l)" 0
check_rc "save --boot with a TARGET: exit 1" 1 "$RAWDUMP" save --boot "$img"
sim_write 22
"$RAWDUMP" info "$img" --json >"$T/b.json"
wantb=$(python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1]));
print(time.strftime("%Y%m%d-%H%M%S", time.gmtime(d["crash_time"])) + "-" + d["dump_id"][:8])' "$T/b.json")
sock=$T/notify.sock
python3 - "$sock" >"$T/notify.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(120)
open(sys.argv[1] + ".ready", "w").close()
while True:
    m = s.recv(4096).decode()
    print(m, flush=True)
    if m.startswith("STATUS=saving vmcore.lcrash: ") and m.endswith(("done", "failed")):
        break
PY
lpid=$!
for _ in $(seq 100); do [ -e "$sock.ready" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$sock "$RAWDUMP" save --boot >"$T/boot.out" 2>&1
check_eq "save --boot, a dump waiting: exit 0" "$?" 0
wait "$lpid"
check_eq "... into its dump directory in output_dir" "$(ls "$boot")" "$wantb"
check_eq "... in both configured formats" "$(ls "$boot/$wantb" | tr '\n' ' ')" \
	"dmesg.txt info.json info.txt vmcore vmcore.lcrash "
check "... the LKCD file reads back" "$RAWDUMP" info "$boot/$wantb/vmcore.lcrash"
check_eq "sd_notify: each format's end reached NOTIFY_SOCKET" \
	"$(grep -E '^STATUS=saving vmcore(.lcrash)?: (done|failed)$' "$T/notify.txt" | tr '\n' ' ')" \
	"STATUS=saving vmcore: done STATUS=saving vmcore.lcrash: done "
check "sd_notify: progress STATUS= with bytes and percent" \
	grep -qE '^STATUS=saving vmcore.lcrash: [0-9.]+ [KMG]?i?B of 32.0 MiB \(100%\), ' "$T/notify.txt"
check_rc "save --boot again: nothing to save, exit 0" 0 "$RAWDUMP" save --boot
check_eq "... wrote nothing new" "$(find "$boot" | wc -l)" 7
rm -f "$sock" "$sock.ready"
exit 0
