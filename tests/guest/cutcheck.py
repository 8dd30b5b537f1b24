#!/usr/bin/env python3
"""tests/guest/cutcheck.py - what a rawdump partition cut short holds, read
straight from its blocks (independent of tools/reader.c), for the power-cut
checks (scripts/powercut.sh).

  cutcheck.py IMAGE [--offset BYTES] [--size BYTES] [--saved SAVE_OUTPUT]

IMAGE holds the partition at OFFSET (default 0), SIZE bytes (default: to
the end). The dump header gives the dump_id, the ranges (alias ranges left
out) and where blocks lie; every 512-byte boundary from data_offset to
data_limit is looked at for a block header of that dump_id ("RDBK", the
dump_id: a block of an older dump never matches), a block's payload is
skipped. Memory of RAW, ZLIB, LZ4, ZSTD and ZERO blocks and the runs of
EXCLUDED blocks is accounted for; the missing memory is the ranges less
that. Prints
  cutcheck: header yes|no, end yes|no, N blocks, ON_DISK bytes on disk, MISSING bytes missing in R ranges
  pages P                  (pages on disk, excluded ones (class ZERO apart) left
                            out: what a kdump-compressed save keeps)
  missing 0xFIRST-0xLAST   (one line per maximal run, inclusive)
With --saved FILE (the stderr of `rawdump save`, its "missing 0x...-0x..."
lines) the runs that output names, merged where they touch, must be these
exactly: exit 1 and the difference otherwise. Exit 2 on unusable input.
"""
import argparse
import mmap
import re
import struct
import sys

SLOT = 4096
ALIGN = 512
PAGE = 4096
CLASS_ZERO = 0x01
T_RAW, T_ZLIB, T_ZERO, T_LOST, T_END, T_PAD, T_LZ4, T_EXCL, T_ZSTD = 1, 2, 3, 4, 5, 6, 7, 8, 9


def merge(runs):
    out = []
    for a, b in sorted(runs):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out if b > a]


def subtract(ranges, covered):
    """ranges less covered; both merged lists of [start, end)"""
    out, j = [], 0
    for a, b in ranges:
        pos = a
        while j < len(covered) and covered[j][1] <= pos:
            j += 1
        k = j
        while k < len(covered) and covered[k][0] < b:
            if covered[k][0] > pos:
                out.append((pos, covered[k][0]))
            pos = max(pos, covered[k][1])
            k += 1
        if pos < b:
            out.append((pos, b))
    return out


def scan(m, base, size):
    dh = base + SLOT
    if m[dh:dh + 8] != b"RDDUMP\0\0":
        return None
    dump_id, = struct.unpack_from("<Q", m, dh + 16)
    nrange, roff = struct.unpack_from("<IQ", m, dh + 148)
    data_off, data_lim = struct.unpack_from("<QQ", m, dh + 176)
    if nrange > 1 << 20 or roff + nrange * 32 > size or data_lim > size or data_off >= data_lim:
        raise ValueError("dump header out of bounds")
    ranges = []
    for i in range(nrange):
        paddr, _, rsize, flags = struct.unpack_from("<QQQI", m, base + roff + 32 * i)
        if not flags & 1:
            ranges.append((paddr, paddr + rsize))
    covered, excluded, nblocks, end = [], [], 0, False
    off = data_off
    while off + 64 <= data_lim:
        hit = m.find(b"RDBK", base + off, base + data_lim)
        if hit < 0:
            break
        rel = hit - base
        if rel % ALIGN:
            off = rel + ALIGN - rel % ALIGN
            continue
        typ, _, did, _, paddr, mem, stored = struct.unpack_from("<HHQQQQI", m, hit + 4)
        if did != dump_id:
            off = rel + ALIGN
            continue
        nblocks += 1
        if typ in (T_RAW, T_ZLIB, T_ZERO, T_LZ4, T_ZSTD):
            covered.append((paddr, paddr + mem))
        elif typ == T_EXCL:
            for e in range(0, min(stored, data_lim - rel - 64) // 16 * 16, 16):
                p, pages, cls = struct.unpack_from("<QII", m, hit + 64 + e)
                covered.append((p, p + pages * PAGE))
                if cls != CLASS_ZERO:       # left out; a ZERO run reads as zeros
                    excluded.append((p, p + pages * PAGE))
        elif typ == T_END:
            end = True
        off = rel + (64 + stored + ALIGN - 1) // ALIGN * ALIGN
    ranges = merge(ranges)
    covered = merge(covered)
    return ranges, subtract(ranges, covered), merge(excluded), nblocks, end


def saved_missing(path):
    pat = re.compile(r"missing 0x([0-9a-f]+)-0x([0-9a-f]+)")
    runs = []
    with open(path, errors="replace") as f:
        for line in f:
            mt = pat.search(line)
            if mt:
                runs.append((int(mt.group(1), 16), int(mt.group(2), 16) + 1))
    return merge(runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--size", type=int)
    ap.add_argument("--saved")
    a = ap.parse_args()
    with open(a.image, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        size = a.size if a.size is not None else len(m) - a.offset
        if a.offset + size > len(m):
            print("cutcheck: partition past the end of %s" % a.image)
            return 2
        try:
            got = scan(m, a.offset, size)
        except (ValueError, struct.error) as e:
            print("cutcheck: %s" % e)
            return 2
    if got is None:
        print("cutcheck: header no, end no, 0 blocks")
        return 0 if a.saved is None else 2
    ranges, missing, excluded, nblocks, end = got
    total = sum(b - a for a, b in ranges)
    gone = sum(b - a for a, b in missing)
    print("cutcheck: header yes, end %s, %d blocks, %d bytes on disk, %d bytes missing in %d ranges"
          % ("yes" if end else "no", nblocks, total - gone, gone, len(missing)))
    pages = set()               # a page the memory only touches is saved too
    for lo, hi in subtract(ranges, missing):
        pages.update(range(lo // PAGE, (hi + PAGE - 1) // PAGE))
    for lo, hi in excluded:
        pages.difference_update(range(lo // PAGE, hi // PAGE))
    print("pages %d" % len(pages))
    for lo, hi in missing:
        print("missing 0x%016x-0x%016x" % (lo, hi - 1))
    if a.saved is None:
        return 0
    theirs = saved_missing(a.saved)
    if theirs == missing:
        return 0
    for lo, hi in sorted(set(theirs) - set(missing)):
        print("cutcheck: save named 0x%x-0x%x, not missing here" % (lo, hi - 1))
    for lo, hi in sorted(set(missing) - set(theirs)):
        print("cutcheck: missing here 0x%x-0x%x, save did not name it" % (lo, hi - 1))
    return 1


if __name__ == "__main__":
    sys.exit(main())
