#!/bin/bash
# tests/fuzz/seeds.sh - seed corpora for the parser harnesses, from real
# outputs of this tree. Usage: tests/fuzz/seeds.sh OUTDIR (needs build/).
# Makes OUTDIR/{reader,vmcore,config,cmdline,elfcorehdr,ivrs}/.
set -eu
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
RAWDUMP=$top/build/rawdump SIM=$top/build/rawdump-sim
mkdir -p "$out"/{reader,vmcore,config,cmdline,elfcorehdr,ivrs}
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT

# vmcores: a small dump saved in each output format
truncate -s 2M "$w/p.img"
"$RAWDUMP" format "$w/p.img" >/dev/null
"$SIM" write "$w/p.img" --quiet --pattern 3 --range 0x100000:48K --range 0x200000:16K \
	--kernel-text 0x100000:8K --cpus 2 --release 6.1.0-fuzz >/dev/null
for f in elf lcrash kdump; do
	"$RAWDUMP" save "$w/p.img" -o "$w" --name "s.$f" --format $f >/dev/null 2>&1 || true
	[ -s "$w/s.$f" ] && cp "$w/s.$f" "$out/vmcore/$f"
done

# partition reader (fuzz_reader.c): a 1 MiB partition dump -> harness input
# (body without its zero tail, then the 256-byte backup header)
reader_seed() {
	name=$1; shift
	truncate -s 1M "$w/r.img"
	"$RAWDUMP" format --force "$w/r.img" >/dev/null 2>&1
	"$SIM" write "$w/r.img" --quiet "$@" >/dev/null 2>&1 || true
	python3 - "$w/r.img" "$out/reader/$name" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
bk = (len(d) & ~4095) - 4096
body = d[:bk].rstrip(b'\0')
open(sys.argv[2], 'wb').write(body + d[bk:bk + 256])
PY
	rm -f "$w/r.img"
}
reader_seed zlib --pattern 1 --range 0x100000:96K --range 0x200000:64K --kernel-text 0x104000:16K --comp zlib --cpus 2
reader_seed raw --pattern 2 --range 0x1000:0x1e000 --range 0x9f000:0x1c00 --comp none
reader_seed cut --pattern 3 --range 0x100000:512K --comp zlib --cut-after 3
reader_seed trunc --pattern 4 --range 0x100000:4M --comp none
reader_seed lost --pattern 5 --range 0x100000:128K --comp none --fail-write 0x4000:0x1000
reader_seed lz4 --pattern 6 --range 0x100000:128K --range 0x200000:64K --comp lz4 --csum crc32c
reader_seed zstd --pattern 7 --range 0x100000:128K --range 0x200000:64K --comp zstd
reader_seed empty

# configuration files
cp "$top/scripts/systemd/rawdump.conf.example" "$out/config/example"
printf 'target = "PARTLABEL=rawdump"\noutput_dir=/var/crash\nformats = elf,kdump\ncompression=zlib\nlevel = 1\n' \
	> "$out/config/quoted"

# minikernel command lines, as arm builds them
printf 'elfcorehdr=0x3f000000 rd.pci=0000:00:04.0 rd.unit=0 rd.start=67584 rd.size=2457600 rd.uuid=57db80e4f11344b5b9aa023a3c06b6b5 rd.exit=halt' > "$out/cmdline/arm"
printf 'elfcorehdr=1032192K rd.pci=00:1f.2 rd.unit=2 rd.start=2048 rd.size=409600 rd.uuid=57db80e4-f113-44b5-b9aa-023a3c06b6b5 rd.comp=zlib rd.level=1 rd.iotimeout=3000' > "$out/cmdline/ahci"
printf 'rd.pci=00:04.0 rd.start=2048 rd.size=4096 rd.uuid=00112233445566778899aabbccddeeff rd.ranges=0x1000000:2M,0x3000000:1M rd.test=nmi rd.diskspeed=1048576' > "$out/cmdline/ranges"

# an elfcorehdr at the harness's FUZZ_MEM_BASE (tests/fuzz/fuzz_mk.c):
# per-CPU notes, VMCOREINFO, a kernel-text alias and RAM
python3 - "$out/elfcorehdr/kernel" <<'PY'
import struct, sys
base = 0x10000000
def note(name, ntype, desc):
    n = name + b'\0'
    pad = lambda b: b + b'\0' * (-len(b) % 4)
    return struct.pack('<III', len(n), len(desc), ntype) + pad(n) + pad(desc)
cpu = note(b'CORE', 1, bytes(0x150)) + b'\0' * 12
info = note(b'VMCOREINFO', 0, b'OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nCRASHTIME=1700000000\n')
notes_at = base + 0x1000
segs = [(4, notes_at, 0, len(cpu)), (4, notes_at + len(cpu), 0, len(cpu)),
        (4, notes_at + 2 * len(cpu), 0, len(info)),
        (1, base + 0x2000, 0xffffffff81000000, 0x1000), (1, base + 0x2000, 0xffff888010002000, 0x2000)]
eh = b'\x7fELF' + bytes([2, 1, 1, 0]) + b'\0' * 8
eh += struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, len(segs), 0, 0, 0)
ph = b''
for t, addr, vaddr, size in segs:
    ph += struct.pack('<IIQQQQQQ', t, 0 if t == 4 else 7, addr, vaddr, addr if t == 1 else 0, size, size, 0)
img = bytearray(0x4000)
img[0:len(eh + ph)] = eh + ph
blob = cpu + cpu + info
img[0x1000:0x1000 + len(blob)] = blob
open(sys.argv[1], 'wb').write(bytes(img))
PY

# ACPI IVRS tables (tests/fuzz/fuzz_mk.c, FUZZ_IVRS: bus and devfn of the dump
# device first): QEMU's shape (IVHD 10h and 40h, one bus as a range) with
# alias, special and ACPI HID entries; and an "all devices" one
python3 - "$out/ivrs" <<'PY'
import struct, sys
def ivhd(t, entries, base=0xfed80000):
    hdr = 24 if t == 0x10 else 40
    h = struct.pack('<BBHHHQHHI', t, 0x20, hdr + len(entries), 0x10, 0x40, base, 0, 0, 0)
    return h + b'\0' * (hdr - len(h)) + entries
def ivrs(blocks):
    body = struct.pack('<I', 0x203040) + b'\0' * 8 + b''.join(blocks)
    return b'IVRS' + struct.pack('<I', 36 + len(body)) + b'\2\0' + b'QEMU  QEMUIVRS' + b'\0' * 12 + body
rng = struct.pack('<BHB', 3, 0x0000, 0) + struct.pack('<BHB', 4, 0x00ff, 0)
alias = struct.pack('<BHBBHB', 0x42, 0x0208, 0, 0, 0x0200, 0) + \
	struct.pack('<BHBBHB', 0x43, 0x0300, 0, 0, 0x0210, 0) + struct.pack('<BHB', 4, 0x03ff, 0)
special = struct.pack('<BHBBHB', 0x48, 0, 0xd7, 0, 0x00a0, 1)
hid = struct.pack('<BHB', 0xf0, 0x00a5, 0x40) + b'AMDI0020' + b'\0' * 8 + bytes([2, 4]) + b'ID00'
open(sys.argv[1] + '/qemu', 'wb').write(bytes([0, 0x18]) + ivrs([ivhd(0x10, rng), ivhd(0x40, rng + alias + special + hid)]))
open(sys.argv[1] + '/alias', 'wb').write(bytes([3, 0x08]) + ivrs([ivhd(0x11, rng + alias + hid)]))
open(sys.argv[1] + '/all', 'wb').write(bytes([1, 0]) + ivrs([ivhd(0x10, struct.pack('<BHB', 1, 0, 0))]))
PY
