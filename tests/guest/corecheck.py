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
  corecheck.py vmcore REFERENCE --elfcorehdr ADDR -o OUT
      write OUT, the ELF vmcore the crashed kernel described: its notes
      (NT_PRSTATUS per CPU, VMCOREINFO) and its PT_LOADs, with the bytes
      from REFERENCE (QEMU's dump) where the elfcorehdr says they lie -
      what /proc/vmcore would read in a kdump kernel. It is the input of
      the oracle: makedumpfile -d 31 OUT FILTERED.
  corecheck.py filter ORACLE DUMP [--elf ELF] [--pfns LIST] [--scribble SERIAL_LOG --seed N]
                      [--reference REFERENCE --elfcorehdr ADDR]
      ORACLE and DUMP are kdump-compressed files (makedumpfile's and
      rawdump save --format kdump's): every page ORACLE keeps (bitmap 2)
      must be kept by DUMP and, with --elf, lie inside a PT_LOAD of ELF;
      prints the pages missing and counts the extra ones DUMP keeps
      (zero pages apart). --pfns: these page frames (comma separated)
      must be kept too; --scribble: the frames of the serial log's
      "rdscribble" lines must be kept, and their struct pages (at the
      listed physical address) must hold the scribbled bytes in DUMP.
      --reference: how many of the missing pages are zero in REFERENCE.
      --min-excluded PCT: DUMP leaves out at least PCT % of the pages
      ORACLE leaves out, over all RAM and over RAM above 4 GiB.
The VMCORE of compare may be ELF or kdump-compressed (every page bitmap 2
says is dumped is compared). All input is parsed with bounds checks;
exit 0 when every check passed, 1 on a mismatch, 2 on unusable input.
Only PT_LOAD p_paddr matters (QEMU and rawdump both fill it).
"""
import argparse
import ctypes
import os
import re
import struct
import sys
import zlib

PAGE = 4096
MASK64 = (1 << 64) - 1
PT_LOAD, PT_NOTE = 1, 4
NT_PRSTATUS = 1
CHUNK = 1 << 20


class CoreError(Exception):
    pass


_libzstd = None


def zstd_page(data):
    """One zstd frame decoded to a page, through Debian's libzstd (no
    Python binding is installed)."""
    global _libzstd
    if _libzstd is None:
        _libzstd = ctypes.CDLL("libzstd.so.1")
        _libzstd.ZSTD_decompress.restype = ctypes.c_size_t
        _libzstd.ZSTD_decompress.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                             ctypes.c_char_p, ctypes.c_size_t]
    out = ctypes.create_string_buffer(PAGE)
    n = _libzstd.ZSTD_decompress(out, PAGE, data, len(data))
    if n != PAGE:
        raise CoreError("zstd page decodes to %d bytes (or an error)" % n)
    return out.raw


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


class KdumpCore:
    """Page view of a kdump-compressed file (makedumpfile's format, header
    version >= 6 for 64-bit pfns; zlib, zstd or uncompressed pages)."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        self.f.seek(0, 2)
        self.fsize = self.f.tell()
        hdr = self.read_at(0, 464)
        if hdr[:8] != b"KDUMP   ":
            raise CoreError("%s: not a kdump-compressed file" % path)
        self.status, bs, sub_blocks, bitmap_blocks, mapnr32 = struct.unpack_from("<IiiII", hdr, 424)
        if bs != PAGE or sub_blocks < 1 or bitmap_blocks < 2 or bitmap_blocks % 2:
            raise CoreError("%s: implausible kdump header" % path)
        sub = self.read_at(bs, 104)
        version, = struct.unpack_from("<i", hdr, 8)
        self.max_mapnr = struct.unpack_from("<Q", sub, 96)[0] if version >= 6 else mapnr32
        half = bitmap_blocks // 2 * bs
        if self.max_mapnr > half * 8:
            raise CoreError("%s: bitmap smaller than max_mapnr" % path)
        base = (1 + sub_blocks) * bs
        nbytes = (self.max_mapnr + 7) // 8
        self.bitmap1 = int.from_bytes(self.read_at(base, nbytes), "little")
        self.bitmap2_bytes = self.read_at(base + half, nbytes)
        self.bitmap2 = int.from_bytes(self.bitmap2_bytes, "little")
        self.desc_off = base + bitmap_blocks * bs
        self.ndesc = self.bitmap2.bit_count()
        self.index = None
        self.zero_offs = None

    read_at = Core.read_at

    def dumped(self):
        """Set pfns of bitmap 2, ascending."""
        for i, byte in enumerate(self.bitmap2_bytes):
            if byte:
                for bit in range(8):
                    if byte >> bit & 1:
                        yield i * 8 + bit

    def descs(self):
        """(pfn, offset, size, flags) per dumped page, in pfn order."""
        CH = 4096
        it = self.dumped()
        for first in range(0, self.ndesc, CH):
            n = min(CH, self.ndesc - first)
            raw = self.read_at(self.desc_off + first * 24, n * 24)
            for i in range(n):
                off, size, flags, _ = struct.unpack_from("<qIIQ", raw, i * 24)
                yield next(it), off, size, flags

    def page(self, off, size, flags):
        data = self.read_at(off, size)
        if flags & 1:
            data = zlib.decompress(data)
        elif flags & 0x20:
            data = zstd_page(data)
        elif flags:
            raise CoreError("%s: page compressed with flags 0x%x (only zlib and zstd are read)" % (self.path, flags))
        if len(data) != PAGE:
            raise CoreError("%s: page at offset %d decodes to %d bytes" % (self.path, off, len(data)))
        return data

    def phys(self, paddr, size):
        """Like Core.phys (bytes of dumped pages only), for small reads."""
        if self.index is None:
            self.index = {pfn: (o, s, fl) for pfn, o, s, fl in self.descs()}
        out = bytearray()
        while size > 0:
            d = self.index.get(paddr // PAGE)
            if d is None:
                return None
            page = self.page(*d)
            n = min(size, PAGE - paddr % PAGE)
            out += page[paddr % PAGE:paddr % PAGE + n]
            paddr += n
            size -= n
        return bytes(out)


def open_core(path):
    with open(path, "rb") as f:
        magic = f.read(8)
    return KdumpCore(path) if magic == b"KDUMP   " else Core(path)


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
    core = open_core(a.core)
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


def ref_source(moved, paddr):
    """Where the crashed kernel's byte at paddr lies in the reference."""
    for mp, mn, moff in moved:
        if mp <= paddr < mp + mn:
            return moff + paddr - mp
    return paddr


def compare_kdump(core, ref, moved):
    total = bad_pages = absent = zero = 0
    cache = {}
    for pfn, off, size, flags in core.descs():
        key = (off, size, flags)
        mine = cache.get(key)
        if mine is None:
            mine = core.page(off, size, flags)
            if mine.count(0) == PAGE:
                cache[key] = mine       # makedumpfile and rawdump share one zero page
        if mine.count(0) == PAGE:
            zero += 1
        theirs = ref.phys(ref_source(moved, pfn * PAGE), PAGE)
        if theirs is None:
            absent += PAGE
        elif mine != theirs:
            bad_pages += 1
            if bad_pages <= 5:
                print("compare: page at 0x%x differs" % (pfn * PAGE))
        total += PAGE
    print("compare: %d dumped pages (%d MiB, %d zero) of kdump-compressed %s; %d pages differ; %d bytes not in the reference"
          % (total // PAGE, total >> 20, zero, os.path.basename(core.path), bad_pages, absent))
    return 0 if bad_pages == 0 and absent == 0 and total > 0 else 1


def cmd_compare(a):
    core, ref = open_core(a.vmcore), Core(a.reference)
    moved = []
    if a.elfcorehdr is not None:
        loads, _ = elfcorehdr(ref, a.elfcorehdr)
        moved = [(p, n, off) for p, n, off, _ in loads if off != p]
    if isinstance(core, KdumpCore):
        return compare_kdump(core, ref, moved)
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


def write_all(fd, data, off):
    while data:
        n = os.pwrite(fd, data, off)
        data = data[n:]
        off += n


def cmd_vmcore(a):
    ref = Core(a.reference)
    loads, notes = elfcorehdr(ref, a.elfcorehdr)
    if not loads or not notes:
        raise CoreError("elfcorehdr at 0x%x has no PT_LOAD or no PT_NOTE" % a.elfcorehdr)
    nbuf = bytearray()
    for paddr, size in notes:
        buf = ref.phys(paddr, size)
        if buf is None:
            raise CoreError("note segment at 0x%x not in the reference" % paddr)
        for name, ntype, desc in parse_notes(buf):
            nm = name.encode() + b"\0"
            nbuf += struct.pack("<III", len(nm), len(desc), ntype)
            nbuf += nm + b"\0" * (-len(nm) % 4) + desc + b"\0" * (-len(desc) % 4)
    phnum = 1 + len(loads)
    data_off = 64 + 56 * phnum + len(nbuf)
    data_off = (data_off + PAGE - 1) // PAGE * PAGE
    hdr = bytearray(struct.pack("<4sBBBB8xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0,
                                4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0))
    hdr += struct.pack("<IIQQQQQQ", PT_NOTE, 0, 64 + 56 * phnum, 0, 0, len(nbuf), len(nbuf), 0)
    off = data_off
    for paddr, size, src, vaddr in loads:
        hdr += struct.pack("<IIQQQQQQ", PT_LOAD, 7, off, vaddr, paddr, size, size, 0)
        off += size
    hdr += nbuf
    fd = os.open(a.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.ftruncate(fd, off)
        write_all(fd, bytes(hdr), 0)
        off = data_off
        for paddr, size, src, vaddr in loads:
            pos = 0
            while pos < size:
                n = min(CHUNK, size - pos)
                chunk = ref.phys(src + pos, n)
                if chunk is None:
                    raise CoreError("0x%x+0x%x of the elfcorehdr's PT_LOAD not in the reference" % (src + pos, n))
                if chunk.count(0) != n:         # leave zero chunks sparse
                    write_all(fd, chunk, off + pos)
                pos += n
            off += size
    finally:
        os.close(fd)
    print("vmcore: %d notes bytes, %d PT_LOADs, %d MiB of memory -> %s"
          % (len(nbuf), len(loads), sum(n for _, n, _, _ in loads) >> 20, a.out))
    return 0


def scribble_list(path):
    """(page, pfn, paddr, struct_page_paddr) of the serial log's rdscribble lines."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"rdscribble (\d+) (\d+) 0x([0-9a-f]+) 0x([0-9a-f]+)", line)
            if m:
                out.append((int(m.group(1)), int(m.group(2)), int(m.group(3), 16), int(m.group(4), 16)))
    return out


def pfn_list(bits, limit=8):
    out, b = [], bits
    while b and len(out) < limit:
        low = b & -b
        out.append("0x%x" % (low.bit_length() - 1))
        b ^= low
    return ", ".join(out) + (" ..." if b else "")


def cmd_filter(a):
    oracle, dump = KdumpCore(a.oracle), KdumpCore(a.dump)
    ok = True
    kept_o, kept_d = oracle.bitmap2, dump.bitmap2
    missing = kept_o & ~kept_d
    # zero pages of DUMP: descriptors that decode to a zero page (both
    # makedumpfile and rawdump share one such page)
    zbits = bytearray((dump.max_mapnr + 7) // 8)
    first, zdescs, others = {}, set(), set()
    for pfn, off, size, flags in dump.descs():
        key = (off, size, flags)
        if key not in first:
            first[key] = pfn
            continue
        if key not in zdescs and key not in others:     # shared: check it once
            (zdescs if dump.page(off, size, flags).count(0) == PAGE else others).add(key)
            if key in zdescs:
                zbits[first[key] >> 3] |= 1 << (first[key] & 7)
        if key in zdescs:
            zbits[pfn >> 3] |= 1 << (pfn & 7)
    zero = int.from_bytes(zbits, "little")
    extra = kept_d & ~kept_o
    print("filter: makedumpfile keeps %d of %d RAM pages; %s keeps %d of %d (%d of them zero pages)"
          % (kept_o.bit_count(), oracle.bitmap1.bit_count(), os.path.basename(a.dump),
             kept_d.bit_count(), dump.bitmap1.bit_count(), zero.bit_count()))
    print("filter: %d pages makedumpfile keeps are missing%s" % (
        missing.bit_count(), (": pfn " + pfn_list(missing)) if missing else ""))
    if missing and a.reference:
        ref = Core(a.reference)
        moved = []
        if a.elfcorehdr is not None:
            loads, _ = elfcorehdr(ref, a.elfcorehdr)
            moved = [(p, n, off) for p, n, off, _ in loads if off != p]
        nz = 0
        for i, byte in enumerate(missing.to_bytes((missing.bit_length() + 7) // 8, "little")):
            for bit in range(8):
                if byte >> bit & 1:
                    page = ref.phys(ref_source(moved, (i * 8 + bit) * PAGE), PAGE)
                    nz += page is not None and page.count(0) == PAGE
        print("filter: %d of the missing pages are zero in the reference" % nz)
    print("filter: %d extra pages kept (%d MiB), %d of them not zero pages" % (
        extra.bit_count(), extra.bit_count() * PAGE >> 20, (extra & ~zero).bit_count()))
    if missing:
        ok = False
    # how much of what makedumpfile leaves out rawdump leaves out too,
    # over all RAM and over RAM above 4 GiB
    high = ~((1 << (1 << 20)) - 1)
    for what, mask in (("RAM", -1), ("RAM above 4 GiB", high)):
        ram = oracle.bitmap1 & mask
        if not ram:
            continue
        out_o = (ram & ~kept_o).bit_count()
        out_d = (ram & ~kept_d).bit_count()
        pct = 100.0 * out_d / out_o if out_o else 100.0
        print("filter: %s: %d pages; makedumpfile leaves out %d, %s %d (%.1f %%)"
              % (what, ram.bit_count(), out_o, os.path.basename(a.dump), out_d, pct))
        if a.min_excluded is not None and pct < a.min_excluded:
            print("filter: %s: less than %d %% of what makedumpfile leaves out is left out"
                  % (what, a.min_excluded))
            ok = False
    if a.elf:
        elf = Core(a.elf)
        covered = 0
        for paddr, filesz, _, _ in elf.loads:
            first, last = (paddr + PAGE - 1) // PAGE, (paddr + filesz) // PAGE
            if last > first:
                covered |= ((1 << (last - first)) - 1) << first
        emiss = kept_o & ~covered
        print("filter: %d pages makedumpfile keeps are outside the PT_LOADs of %s%s" % (
            emiss.bit_count(), os.path.basename(a.elf), (": pfn " + pfn_list(emiss)) if emiss else ""))
        if emiss:
            ok = False
    want = []
    if a.pfns:
        want += [int(x, 0) for x in a.pfns.split(",") if x]
    scr = scribble_list(a.scribble) if a.scribble else []
    if a.scribble and not scr:
        print("filter: no rdscribble lines in %s" % a.scribble)
        ok = False
    want += [pfn for _, pfn, _, _ in scr]
    for pfn in want:
        if not kept_d >> pfn & 1:
            print("filter: page frame 0x%x is not kept" % pfn)
            ok = False
    if want:
        print("filter: %d named page frames checked (makedumpfile keeps %d of them)"
              % (len(want), sum(kept_o >> pfn & 1 for pfn in want)))
    bad = 0
    for idx, pfn, paddr, sp in scr:
        got = dump.phys(sp, 64)
        base = (a.seed ^ 0x5c5c5c5c) & MASK64
        expect = b"".join(struct.pack("<Q", splitmix64(((base * 0x100000001b3) & MASK64) ^ ((idx << 20) & MASK64) ^ w))
                          for w in range(8))
        if got != expect:
            bad += 1
            print("filter: struct page of pfn 0x%x at 0x%x %s" % (
                pfn, sp, "is not in the dump" if got is None else "does not hold the scribbled bytes"))
    if scr:
        print("filter: %d scribbled struct pages, %d as written" % (len(scr), len(scr) - bad))
        ok = ok and bad == 0
    return 0 if ok else 1


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
    v = sub.add_parser("vmcore")
    v.add_argument("reference")
    v.add_argument("--elfcorehdr", type=lambda s: int(s, 0), required=True)
    v.add_argument("-o", "--out", required=True)
    f = sub.add_parser("filter")
    f.add_argument("oracle")
    f.add_argument("dump")
    f.add_argument("--elf")
    f.add_argument("--reference", help="QEMU's dump: say which missing pages are zero")
    f.add_argument("--elfcorehdr", type=lambda s: int(s, 0))
    f.add_argument("--pfns")
    f.add_argument("--min-excluded", type=int, metavar="PCT",
                   help="DUMP must leave out at least PCT %% of the pages ORACLE leaves out")
    f.add_argument("--scribble")
    f.add_argument("--seed", type=int, default=1)
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
        if a.cmd == "vmcore":
            return cmd_vmcore(a)
        if a.cmd == "filter":
            return cmd_filter(a)
        print(plant_page(a.seed, a.page).hex())
        return 0
    except (CoreError, OSError, struct.error) as e:
        print("corecheck: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
