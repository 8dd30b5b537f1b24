#!/bin/bash
# tests/fuzz/seeds.sh - seed corpora for the parser harnesses, from real
# outputs of this tree. Usage: tests/fuzz/seeds.sh OUTDIR (needs build/).
# Makes OUTDIR/{vmcore,config,cmdline,elfcorehdr}/.
set -eu
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
RAWDUMP=$top/build/rawdump SIM=$top/build/rawdump-sim
mkdir -p "$out"/{vmcore,config,cmdline,elfcorehdr}
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
