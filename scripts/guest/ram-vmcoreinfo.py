#!/usr/bin/env python3
"""scripts/guest/ram-vmcoreinfo.py - give a QEMU dump-guest-memory ELF the
crashed kernel's VMCOREINFO note, as QEMU's -device vmcoreinfo would have
(the test guest does not load the qemu_fw_cfg driver that tells QEMU where
the note is), so that makedumpfile and crash can read the dump.

  ram-vmcoreinfo.py RAM.ELF ELFCOREHDR_PADDR

The note is found the way a capture kernel finds it: the elfcorehdr at
ELFCOREHDR_PADDR (from the crash kernel's command line) lists PT_NOTE
segments by physical address. The file is changed in place: the notes
(QEMU's, then VMCOREINFO) are appended at its end and its PT_NOTE points
there, and the program headers move to right after the ELF header (where
makedumpfile reads them, as in /proc/vmcore; QEMU puts a section header
there). Running it twice is harmless (a dump that has VMCOREINFO is left
alone). Exit 1 with one line on stderr when the dump is not as expected.
"""
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4


def die(msg):
    sys.stderr.write("ram-vmcoreinfo: %s\n" % msg)
    sys.exit(1)


def notes_iter(blob):
    off = 0
    while off + 12 <= len(blob):
        namesz, descsz, ntype = struct.unpack_from("<III", blob, off)
        if namesz == 0 and descsz == 0:
            break
        name_end = off + 12 + ((namesz + 3) & ~3)
        end = name_end + ((descsz + 3) & ~3)
        if end > len(blob):
            break
        yield blob[off + 12:off + 12 + namesz].rstrip(b"\0"), blob[off:end]
        off = end


def main():
    if len(sys.argv) != 3:
        die("usage: ram-vmcoreinfo.py RAM.ELF ELFCOREHDR_PADDR")
    path, ech = sys.argv[1], int(sys.argv[2], 0)
    with open(path, "r+b") as f:
        eh = EHDR.unpack(f.read(EHDR.size))
        if eh[0][:4] != b"\x7fELF" or eh[0][4] != 2:
            die("%s: not an ELF64 file" % path)
        phoff, phnum = eh[5], eh[10]
        phdrs = []
        for i in range(phnum):
            f.seek(phoff + i * PHDR.size)
            phdrs.append(list(PHDR.unpack(f.read(PHDR.size))))
        loads = [p for p in phdrs if p[0] == PT_LOAD]
        notes = [p for p in phdrs if p[0] == PT_NOTE]
        if len(notes) != 1:
            die("%s: %d PT_NOTE segments, wanted 1" % (path, len(notes)))
        note = notes[0]
        f.seek(note[2])
        own = f.read(note[5])
        if phoff == EHDR.size and any(n == b"VMCOREINFO" for n, _ in notes_iter(own)):
            return

        def phys(paddr, size):
            for p in loads:
                if p[4] <= paddr and paddr + size <= p[4] + p[5]:
                    f.seek(p[2] + paddr - p[4])
                    return f.read(size)
            die("%s: physical 0x%x+0x%x is not in the dump" % (path, paddr, size))

        h = EHDR.unpack(phys(ech, EHDR.size))
        if h[0][:4] != b"\x7fELF":
            die("no elfcorehdr at 0x%x" % ech)
        vmci = None
        for i in range(h[10]):
            p = PHDR.unpack(phys(ech + h[5] + i * PHDR.size, PHDR.size))
            if p[0] == PT_NOTE:
                for n, raw in notes_iter(phys(p[2], p[5])):
                    if n == b"VMCOREINFO":
                        vmci = raw
        if vmci is None:
            die("the elfcorehdr at 0x%x lists no VMCOREINFO note" % ech)
        if any(n == b"VMCOREINFO" for n, _ in notes_iter(own)):
            vmci = b""
        blob = own + vmci
        f.seek(0, 2)
        end = f.tell()
        f.write(blob)
        note[2], note[5], note[6] = end, len(blob), len(blob)
        if min(p[2] for p in phdrs if p[5]) < EHDR.size + PHDR.size * phnum:
            die("%s: no room for the program headers after the ELF header" % path)
        eh = list(eh)
        eh[5], eh[6], eh[12], eh[13] = EHDR.size, 0, 0, 0   # phoff, shoff, shnum, shstrndx
        f.seek(0)
        f.write(EHDR.pack(*eh))
        f.write(b"".join(PHDR.pack(*p) for p in phdrs))


main()
