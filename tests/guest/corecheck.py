#!/usr/bin/env python3
"""tests/guest/corecheck.py - check an ELF vmcore against known truths.

  corecheck.py plant --seed N --list SERIAL_LOG CORE
      every page the rdplant module listed ("rdplant IDX PADDR KIND" lines)
      is in CORE at its physical address with the bytes the module wrote
      (tests/guest/plant/rdplant.c: splitmix64 words, "RDPLANT1" tag).
  corecheck.py compare VMCORE REFERENCE [--elfcorehdr ADDR]
      every byte of every PT_LOAD of VMCORE equals REFERENCE (QEMU's
      dump-guest-memory of the same guest) at the same physical address.
      With --elfcorehdr, segments the kexec elfcorehdr (read from
      REFERENCE's RAM) says were moved (the kexec_load backup region:
      p_offset != p_paddr) are compared with the copy where it lies.
  corecheck.py notes VMCORE REFERENCE --elfcorehdr ADDR
      VMCORE's NT_PRSTATUS notes (one per CPU) and VMCOREINFO note equal
      the notes the crashed kernel wrote, read from REFERENCE's RAM where
      the elfcorehdr's PT_NOTE segments point.
  corecheck.py pattern --seed N --page I
      print the page's expected bytes as hex (debugging).
All input is parsed with bounds checks; exit 0 when every check passed,
1 on a mismatch, 2 on unusable input. Only PT_LOAD p_paddr matters (QEMU
and rawdump both fill it).
"""
import argparse
import re
import struct
import sys

PAGE = 4096
MASK64 = (1 << 64) - 1
PT_LOAD, PT_NOTE = 1, 4
NT_PRSTATUS = 1
CHUNK = 1 << 20


class CoreError(Exception):
    pass


def splitmix64(x):
    x = (x + 0x9e3779b97f4a7c15) & MASK64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK64
    return x ^ (x >> 31)


def plant_page(seed, page):
    base = (seed * 0x100000001b3) & MASK64 ^ ((page << 20) & MASK64)
    words = [splitmix64(base ^ w) for w in range(PAGE // 8)]
    words[1] = seed & MASK64
    words[2] = page
    data = bytearray(struct.pack("<%dQ" % (PAGE // 8), *words))
    data[0:8] = b"RDPLANT1"
    return bytes(data)


class Core:
    """Physical memory view of an ELF64 core file (PT_LOAD by p_paddr)."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.f.seek(0, 2)
        self.fsize = self.f.tell()
        eh = self.read_at(0, 64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise CoreError("%s: not a little-endian ELF64 file" % path)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        if phnum == 0xffff:     # PN_XNUM: real count in section 0's sh_info
            shoff, = struct.unpack_from("<Q", eh, 40)
            sh = self.read_at(shoff, 64)
            phnum, = struct.unpack_from("<I", sh, 44)
        if phentsize != 56 or phnum > 1 << 20:
            raise CoreError("%s: bad program header table" % path)
        self.loads, self.notes = [], []
        for i in range(phnum):
            ph = self.read_at(phoff + i * 56, 56)
            p_type, _, off, vaddr, paddr, filesz, memsz, _ = struct.unpack("<IIQQQQQQ", ph)
            if off + filesz > self.fsize:
                raise CoreError("%s: segment %d extends past the file" % (path, i))
            if p_type == PT_LOAD:
                self.loads.append((paddr, filesz, off, vaddr))
            elif p_type == PT_NOTE:
                self.notes.append((off, filesz))
        self.loads.sort()

    def read_at(self, off, size):
        if off < 0 or off + size > self.fsize:
            raise CoreError("read of %d bytes at 0x%x past end of file" % (size, off))
        self.f.seek(off)
        return self.f.read(size)

    def phys(self, paddr, size):
        """size bytes at paddr, or None if not entirely inside one PT_LOAD
        (regions that span segments are read piecewise)."""
        out = bytearray()
        while size > 0:
            for p, fs, off, _ in self.loads:
                if p <= paddr < p + fs:
                    n = min(size, p + fs - paddr)
                    out += self.read_at(off + paddr - p, n)
                    paddr += n
                    size -= n
                    break
            else:
                return None
        return bytes(out)

    def note_bytes(self):
        return b"".join(self.read_at(off, n) for off, n in self.notes)


def parse_notes(buf):
    """[(name, type, desc)] of an ELF note buffer; stops at a zero header."""
    out, pos = [], 0
    while pos + 12 <= len(buf):
        namesz, descsz, ntype = struct.unpack_from("<III", buf, pos)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        pos += 12
        nend = pos + ((namesz + 3) & ~3)
        dend = nend + ((descsz + 3) & ~3)
        if dend > len(buf) or namesz > 4096 or descsz > 1 << 20:
            raise CoreError("malformed note at offset %d" % (pos - 12))
        name = buf[pos:pos + namesz].rstrip(b"\0").decode("ascii", "replace")
        out.append((name, ntype, buf[nend:nend + descsz]))
        pos = dend
    return out


def elfcorehdr(ref, addr):
    """PT_LOAD (paddr, size, data_paddr) and PT_NOTE (paddr, size) lists
    of the kexec elfcorehdr at physical addr in ref."""
    eh = ref.phys(addr, 64)
    if eh is None or eh[:4] != b"\x7fELF":
        raise CoreError("no ELF header at elfcorehdr 0x%x" % addr)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phnum, = struct.unpack_from("<H", eh, 56)
    loads, notes = [], []
    for i in range(min(phnum, 4096)):
        ph = ref.phys(addr + phoff + i * 56, 56)
        if ph is None:
            raise CoreError("elfcorehdr program header %d unreadable" % i)
        p_type, _, off, vaddr, paddr, filesz, memsz, _ = struct.unpack("<IIQQQQQQ", ph)
        if p_type == PT_LOAD:
            loads.append((paddr, memsz, off, vaddr))
        elif p_type == PT_NOTE:
            notes.append((off, memsz))
    return loads, notes


def cmd_plant(a):
    core = Core(a.core)
    pages = []
    with open(a.list, errors="replace") as f:
        for line in f:
            m = re.search(r"rdplant (\d+) 0x([0-9a-f]+) (\w+)", line)
            if m:
                pages.append((int(m.group(1)), int(m.group(2), 16), m.group(3)))
    if not pages:
        print("plant: no rdplant lines in %s" % a.list)
        return 2
    bad = missing = 0
    for idx, paddr, kind in pages:
        got = core.phys(paddr, PAGE)
        if got is None:
            missing += 1
            if missing <= 5:
                print("plant: page %d (%s) at 0x%x not in the core" % (idx, kind, paddr))
        elif got != plant_page(a.seed, idx):
            bad += 1
            if bad <= 5:
                want = plant_page(a.seed, idx)
                first = next(i for i in range(PAGE) if got[i] != want[i])
                print("plant: page %d (%s) at 0x%x differs from byte %d" % (idx, kind, paddr, first))
    kinds = {}
    for _, _, k in pages:
        kinds[k] = kinds.get(k, 0) + 1
    print("plant: %d pages (%s), %d equal, %d differ, %d missing" % (
        len(pages), ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())),
        len(pages) - bad - missing, bad, missing))
    return 0 if bad == 0 and missing == 0 else 1


def cmd_compare(a):
    core, ref = Core(a.vmcore), Core(a.reference)
    moved = []
    if a.elfcorehdr is not None:
        loads, _ = elfcorehdr(ref, a.elfcorehdr)
        moved = [(p, n, off) for p, n, off, _ in loads if off != p]
    total = bad_pages = absent = 0
    for paddr, filesz, off, _ in core.loads:
        pos = 0
        while pos < filesz:
            n = min(CHUNK, filesz - pos)
            mine = core.read_at(off + pos, n)
            src = paddr + pos
            for mp, mn, moff in moved:
                if src < mp < src + n:          # stop where a moved region starts
                    n = mp - src
                    mine = mine[:n]
            for mp, mn, moff in moved:
                if mp <= src < mp + mn:
                    src = moff + src - mp
                    n = min(n, mp + mn - (paddr + pos))
                    mine = mine[:n]
                    break
            theirs = ref.phys(src, n)
            if theirs is None:
                absent += n
            elif mine != theirs:
                for q in range(0, n, PAGE):
                    if mine[q:q + PAGE] != theirs[q:q + PAGE]:
                        bad_pages += 1
                        if bad_pages <= 5:
                            print("compare: page at 0x%x differs" % (paddr + pos + q))
            total += n
            pos += n
    print("compare: %d PT_LOAD bytes (%d MiB) in %d segments; %d pages differ; %d bytes not in the reference"
          % (total, total >> 20, len(core.loads), bad_pages, absent))
    return 0 if bad_pages == 0 and absent == 0 and total > 0 else 1


def cmd_notes(a):
    core, ref = Core(a.vmcore), Core(a.reference)
    _, notes = elfcorehdr(ref, a.elfcorehdr)
    truth = []
    for paddr, size in notes:
        buf = ref.phys(paddr, size)
        if buf is None:
            raise CoreError("note segment at 0x%x not in the reference" % paddr)
        truth += parse_notes(buf)
    mine = parse_notes(core.note_bytes())
    t_pr = [d for n, t, d in truth if n == "CORE" and t == NT_PRSTATUS]
    m_pr = [d for n, t, d in mine if n == "CORE" and t == NT_PRSTATUS]
    t_vi = [d for n, t, d in truth if n == "VMCOREINFO"]
    m_vi = [d for n, t, d in mine if n == "VMCOREINFO"]
    ok = True
    print("notes: kernel wrote %d NT_PRSTATUS, %d VMCOREINFO; vmcore has %d NT_PRSTATUS, %d VMCOREINFO"
          % (len(t_pr), len(t_vi), len(m_pr), len(m_vi)))
    if len(m_pr) != len(t_pr) or sorted(m_pr) != sorted(t_pr):
        print("notes: NT_PRSTATUS notes differ")
        ok = False
    if len(m_vi) != 1 or len(t_vi) != 1 or m_vi[0].rstrip(b"\0") != t_vi[0].rstrip(b"\0"):
        print("notes: VMCOREINFO differs")
        ok = False
    for d in m_pr:
        if len(d) >= 0x150:
            pid, = struct.unpack_from("<I", d, 32)
            rip, = struct.unpack_from("<Q", d, 112 + 16 * 8)
            print("notes: prstatus pid %d rip 0x%x" % (pid, rip))
    for d in m_vi[:1]:
        for line in d.decode("ascii", "replace").splitlines():
            if line.startswith(("OSRELEASE=", "CRASHTIME=")):
                print("notes: " + line)
    return 0 if ok and t_pr else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plant")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--list", required=True)
    p.add_argument("core")
    c = sub.add_parser("compare")
    c.add_argument("vmcore")
    c.add_argument("reference")
    c.add_argument("--elfcorehdr", type=lambda s: int(s, 0))
    n = sub.add_parser("notes")
    n.add_argument("vmcore")
    n.add_argument("reference")
    n.add_argument("--elfcorehdr", type=lambda s: int(s, 0), required=True)
    t = sub.add_parser("pattern")
    t.add_argument("--seed", type=int, required=True)
    t.add_argument("--page", type=int, required=True)
    a = ap.parse_args()
    try:
        if a.cmd == "plant":
            return cmd_plant(a)
        if a.cmd == "compare":
            return cmd_compare(a)
        if a.cmd == "notes":
            return cmd_notes(a)
        print(plant_page(a.seed, a.page).hex())
        return 0
    except (CoreError, OSError, struct.error) as e:
        print("corecheck: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
