/*
 * tools/image/excl.h - pages left out by page filtering, as runs: found in any
 * memimage (through mi_page_class), and carried inside the ELF, LKCD and
 * kdump-compressed files rawdump writes as one ELF note, so that reading
 * such a file back gives every excluded page its class and tells excluded
 * pages from missing ones.
 *
 * The note (name "RAWDUMP", type EXCL_NOTE_TYPE; crash, gdb and
 * makedumpfile skip notes they do not know), all little-endian:
 *   u32 version (1), u32 dump_level, u64 run count,
 *   then per run: u64 paddr, u32 pages, u32 class (struct rd_excl_run of
 *   include/rawdump/format.h; class one RD_CLASS_* bit or MI_CLASS_UNKNOWN),
 *   sorted by paddr, not overlapping.
 */
#ifndef RAWDUMP_TOOLS_EXCL_H
#define RAWDUMP_TOOLS_EXCL_H

#include <stddef.h>
#include <stdint.h>

#include "rawdump/format.h"
#include "memimage.h"

#define EXCL_NOTE_NAME		"RAWDUMP"	/* namesz 8 */
#define EXCL_NOTE_TYPE		0x52440002u
#define EXCL_NOTE_VERSION	1u
#define EXCL_NOTE_MAX_RUNS	(1u << 26)	/* 1 GiB of runs: refuse more */

/* Every excluded page of m's non-alias ranges, as runs of one class,
 * ascending (adjacent pages of one class merged). *runs is malloc'd (NULL
 * when there are none). Counts per class slot go to counts[] when not NULL.
 * 0 or -ENOMEM. */
int excl_scan(struct memimage *m, struct rd_excl_run **runs, size_t *n,
	      uint64_t counts[MI_CLASS_SLOTS]);

/* Bytes of the note for n runs, and the note itself (out has that size). */
size_t excl_note_size(size_t n);
void excl_note_put(uint8_t *out, uint32_t dump_level, const struct rd_excl_run *runs, size_t n);

/* Find the note in m->notes, take it out of the notes, and install its runs
 * on m (m->excl_runs, m->dump_level, m->excluded_pages[]). 0, -ENOENT (no
 * valid note; m unchanged) or -ENOMEM. */
int excl_note_take(struct memimage *m);

/* m's dump level and excluded pages per class slot: m->dump_level and
 * m->excluded_pages[], or for a rawdump partition whose reader left them
 * zero, the dump header's dump_level and the END record's counts. Returns
 * the total. */
uint64_t excl_counts(struct memimage *m, uint64_t cnt[MI_CLASS_SLOTS], uint32_t *level);

/* The class of paddr from m's installed runs; 0 if none holds it. */
int excl_lookup(const struct memimage *m, uint64_t paddr);

#endif
