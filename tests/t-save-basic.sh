#!/bin/bash
# tests/t-save-basic.sh - `rawdump save` of dumps the real writer made
# (build/rawdump-sim) on a GPT disk image next to an ext4 partition: every
# vmcore byte checked against the pattern (rawdump-sim verify), readelf,
# gdb and crash accept the vmcore, the kernel-text alias shares file bytes,
# the output is 0600, never overwrites, never follows a symlink, leaves no
# temp file, the partition is marked saved, the ext4 bytes never change.
. "$(dirname "$0")/lib.sh"
need sfdisk mkfs.ext4 readelf gdb crash python3 cmp stat
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

img=$T/disk.img
truncate -s 160M "$img"
printf 'label: gpt\nsize=16M, type=linux, name=data\nsize=128M, type=linux, name=dump\n' |
	sfdisk -q "$img" || { fail "sfdisk"; exit 1; }
s1=$(sfdisk -d "$img" | awk '/disk.img1 /{gsub(/,/,""); for(i=1;i<=NF;i++) if($i=="start=") print $(i+1)}')
n1=$(sfdisk -d "$img" | awk '/disk.img1 /{gsub(/,/,""); for(i=1;i<=NF;i++) if($i=="size=") print $(i+1)}')
mkfs.ext4 -q -F -E offset=$((s1 * 512)) "$img" $((n1 / 2))k >/dev/null 2>&1 || { fail "mkfs.ext4"; exit 1; }
ext4_sum() { dd if="$img" bs=512 skip="$s1" count="$n1" status=none | sha256sum | cut -d' ' -f1; }
ext4_before=$(ext4_sum)
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }
out=$T/out; mkdir -p "$out"

check_rc "format" 0 "$RAWDUMP" format "$img:2"
check_rc "save of an empty partition: exit 4" 4 "$RAWDUMP" save "$img:2" -o "$out"

# --- zlib dump with a kernel-text alias, 3 CPUs ---
ranges="--range 0x1000:0x9e000 --range 0x100000:24M --range 0x2000000:8M"
"$SIM" write "$img:2" --pattern 11 $ranges --kernel-text 0x1000000:2M --cpus 3 \
	--release 6.1.0-56-amd64 --comp zlib --quiet >/dev/null 2>"$T/sim.err" ||
	fail "sim write zlib" "$(cat "$T/sim.err")"
check_rc "save zlib dump" 0 "$RAWDUMP" save "$img:2" -o "$out" --name vmcore.z
check "vmcore bytes equal the pattern" "$SIM" verify "$out/vmcore.z" --pattern 11 $ranges
check_eq "vmcore mode 0600" "$(stat -c %a "$out/vmcore.z")" "600"
check "readelf -a accepts it" sh -c "readelf -a '$out/vmcore.z' >/dev/null 2>'$T/re' && ! grep -qi 'warning\|error' '$T/re'"
phdrs=$(readelf -lW "$out/vmcore.z")
check_eq "PT_NOTE first" "$(echo "$phdrs" | awk '/^  (NOTE|LOAD) /{print $1; exit}')" "NOTE"
check_eq "4 PT_LOADs (3 RAM + alias)" "$(echo "$phdrs" | grep -c '^  LOAD')" "4"
check_eq "p_align 0 everywhere" "$(echo "$phdrs" | awk '/^  LOAD/{print $NF}' | sort -u)" "0"
# alias: paddr 0x1000000 is inside RAM 0x100000.. whose data starts at its offset
ram_off=$(echo "$phdrs" | awk '/^  LOAD/ && $4=="0x0000000000100000" {print $2}')
txt_off=$(echo "$phdrs" | awk '/^  LOAD/ && $4=="0x0000000001000000" {print $2}')
check_eq "alias shares the RAM range's file bytes" "$((txt_off - ram_off))" "$((0x1000000 - 0x100000))"
check_eq "crash --osrelease" "$(crash --osrelease "$out/vmcore.z" 2>&1)" "6.1.0-56-amd64"
gdb -batch -c "$out/vmcore.z" -ex 'info threads' >"$T/gdb" 2>&1
check_eq "gdb sees 3 threads" "$(grep -c '^[* ] *[0-9]  *LWP 100[0-2] ' "$T/gdb")" "3"
sz=$(stat -c %s "$out/vmcore.z"); blocks=$(( $(stat -c %b "$out/vmcore.z") * $(stat -c %B "$out/vmcore.z") ))
[ "$blocks" -lt "$sz" ] && pass "vmcore is sparse ($blocks of $sz bytes allocated)" ||
	fail "vmcore is sparse" "$blocks allocated of $sz"
"$RAWDUMP" info "$img:2" --json > "$T/i.json"
check_eq "partition marked saved" "$(json "$T/i.json" state)" "saved"
check_eq "info: release" "$(json "$T/i.json" kernel_release)" "6.1.0-56-amd64"
check_eq "info: cpu_count" "$(json "$T/i.json" cpu_count)" "3"
check_eq "info: compression" "$(json "$T/i.json" compression)" "zlib"
check_eq "info: mem_bytes" "$(json "$T/i.json" mem_bytes)" "$((0x9e000 + 24 * 1048576 + 8 * 1048576))"
check_eq "info: not partial" "$(json "$T/i.json" partial)" "False"
check_eq "info: index crc ok" "$(json "$T/i.json" index_crc_ok)" "True"
check_rc "info on the saved vmcore file" 0 "$RAWDUMP" info "$out/vmcore.z"
check_eq "no temp files after success" "$(ls -A "$out" | grep -c '\.tmp$')" "0"

# --- refusals: existing output, symlink at the output name ---
sum_before=$(sha256sum < "$out/vmcore.z")
check_rc "existing output is not overwritten: exit 3" 3 "$RAWDUMP" save "$img:2" -o "$out" --name vmcore.z
check_eq "existing output unchanged" "$(sha256sum < "$out/vmcore.z")" "$sum_before"
echo precious > "$T/victim"
ln -s "$T/victim" "$out/link"
check_rc "symlink at output name: exit 3" 3 "$RAWDUMP" save "$img:2" -o "$out" --name link
check_eq "symlink target untouched" "$(cat "$T/victim")" "precious"
ln -s "$T/nonexistent-target" "$out/dangling"
check_rc "dangling symlink at output name: exit 3" 3 "$RAWDUMP" save "$img:2" -o "$out" --name dangling
[ ! -e "$T/nonexistent-target" ] && pass "dangling symlink not followed" || fail "dangling symlink not followed"
check_rc "output dir missing: exit 2" 2 "$RAWDUMP" save "$img:2" -o "$T/no/such/dir"
check_rc "bad --format: exit 1" 1 "$RAWDUMP" save "$img:2" -o "$out" --format tar
check_rc "bad --name: exit 1" 1 "$RAWDUMP" save "$img:2" -o "$out" --name a/b
check_rc "missing target: exit 2" 2 "$RAWDUMP" save "$T/none.img" -o "$out"
check_rc "not a rawdump partition: exit 4" 4 "$RAWDUMP" save "$img:1" -o "$out"
# An unwritable output directory: as root every directory is writable, so
# save runs as an unprivileged user (setpriv) that may read the image.
need setpriv
chmod 0555 "$out"
chmod o+x "$T"; chmod o+r "$img"
if [ "$(id -u)" = 0 ]; then
	check_rc "unwritable dir (as nobody): exit 5" 5 setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$RAWDUMP" save "$img:2" -o "$out" --name x
else
	check_rc "unwritable dir: exit 5" 5 "$RAWDUMP" save "$img:2" -o "$out" --name x
fi
[ ! -e "$out/x" ] && pass "unwritable dir: no output" || fail "unwritable dir: no output"
chmod o-x "$T"; chmod o-r "$img"
chmod 0755 "$out"
check_eq "no temp files after failures" "$(ls -A "$out" | grep -c 'tmp')" "0"

# --- write failure mid-save leaves no temp file (a full filesystem) ---
mkdir -p "$T/tiny"
if mount -t tmpfs -o size=2M tmpfs "$T/tiny" 2>/dev/null; then
	check_rc "save into a too small filesystem: exit 16" 16 "$RAWDUMP" save "$img:2" -o "$T/tiny" --name v
	check_eq "... one line naming free and needed space" "$(grep -v warning "$T/.out")" \
		"rawdump: save: $T/tiny: the filesystem has 2.0 MiB free, the output needs up to 16.0 MiB"
	check_eq "... nothing written" "$(ls -A "$T/tiny" | wc -l)" "0"
	check_rc "... nor a dump directory: exit 16" 16 "$RAWDUMP" save "$img:2" -o "$T/tiny"
	check_eq "... nothing written" "$(ls -A "$T/tiny" | wc -l)" "0"
	umount "$T/tiny"
else
	fail "tmpfs mount for the full-filesystem check"
fi

# --- kdump/LKCD compress page by page: below the upper bound but above the
# least they can take, save tries; the filesystem filling up keeps nothing ---
nsp=$T/nsp.img
truncate -s 64M "$nsp"; "$RAWDUMP" format "$nsp" >/dev/null
"$SIM" write "$nsp" --pattern 12 --range 0x100000:24M --cpus 1 --release 6.1.0-nsp \
	--comp zstd --quiet >/dev/null 2>&1 || fail "sim write (no-space dump)"
if mount -t tmpfs -o size=3M tmpfs "$T/tiny" 2>/dev/null; then
	# the output is 6.0 MiB, the upper bound 12.2 MiB, the least 78 KiB
	check_rc "the filesystem fills up during the save: exit 16" 16 "$RAWDUMP" save "$nsp" -o "$T/tiny" \
		--name k --format kdump --quiet
	cp "$T/.out" "$T/nsp.out"
	check "... a warning first: it may not fit, trying" grep -q \
		"warning: $T/tiny: the filesystem has 3.0 MiB free, the compressed output needs .* to 12.2 MiB: trying" "$T/nsp.out"
	check "... then one error line: nothing kept" grep -qx \
		"rawdump: save: $T/tiny/k: No space left on device: nothing kept" "$T/nsp.out"
	check_eq "... no file, no temp file left" "$(ls -A "$T/tiny" | wc -l)" 0
	check_eq "... the dump is not marked saved" "$("$RAWDUMP" info "$nsp" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" complete
	check_rc "... nor into a dump directory: exit 16" 16 "$RAWDUMP" save "$nsp" -o "$T/tiny" \
		--format lcrash --quiet
	check_eq "... only the dump directory's text files left" \
		"$(cd "$T/tiny" && find . -type f | sed 's|.*/||' | sort | tr '\n' ' ')" "dmesg.txt info.json info.txt "
	rm -rf "${T:?}/tiny/"*
	mount -o remount,size=8M "$T/tiny"
	check_rc "kdump output below its upper bound (before: refused): saved" 0 "$RAWDUMP" save "$nsp" \
		-o "$T/tiny" --name k --format kdump --quiet
	cp "$T/.out" "$T/nsp.out"
	check "... with the warning" grep -q "the filesystem has 8.0 MiB free, the compressed output needs" "$T/nsp.out"
	check_rc "... and its pages are right (converted to ELF)" 0 "$RAWDUMP" convert "$T/tiny/k" "$T/nsp.elf" --to elf --quiet
	check "... every byte" "$SIM" verify "$T/nsp.elf" --pattern 12 --range 0x100000:24M
	umount "$T/tiny"
else
	fail "tmpfs mount for the filesystem-fills-up check"
fi

# --- uncompressed dump, default name: the dump directory ---
"$SIM" write "$img:2" --pattern 12 --range 0x100000:16M --cpus 1 --release 6.1.0-raw \
	--comp none --quiet >/dev/null 2>&1 || fail "sim write none"
"$RAWDUMP" save "$img:2" -o "$out" >"$T/save.out" 2>&1; rc=$?
check_eq "save uncompressed dump" "$rc" "0"
name=$(sed -n 's|^saved .*/\([0-9]\{8\}-[0-9]\{6\}-[0-9a-f]\{8\}/vmcore\) .*|\1|p' "$T/save.out")
[ -n "$name" ] && [ -f "$out/$name" ] && pass "default name DATE-TIME-DUMPID/vmcore ($name)" || fail "default name" "$(cat "$T/save.out")"
check "uncompressed vmcore bytes equal the pattern" "$SIM" verify "$out/$name" --pattern 12 --range 0x100000:16M
check_eq "uncompressed: crash --osrelease" "$(crash --osrelease "$out/$name" 2>&1)" "6.1.0-raw"

# --- the other output formats go through the same save path ---
for f in kdump:kdump lcrash:lkcd; do
	kind=${f#*:}; f=${f%:*}
	check_rc "save --format $f" 0 "$RAWDUMP" save "$img:2" -o "$out" --format $f --name "v.$f"
	check_eq "save --format $f: mode 0600" "$(stat -c %a "$out/v.$f" 2>/dev/null)" "600"
	"$RAWDUMP" info "$out/v.$f" --json > "$T/f.json" 2>&1
	check_eq "save --format $f: rawdump reads it back ($kind)" "$(json "$T/f.json" format)" "$kind"
done
check_eq "kdump output: crash --osrelease" "$(crash --osrelease "$out/v.kdump" 2>&1)" "6.1.0-raw"

# --- a saved dump may be formatted over without --force ---
check_rc "format over a saved dump" 0 "$RAWDUMP" format "$img:2"
check_eq "ext4 unchanged by format/save" "$(ext4_sum)" "$ext4_before"
