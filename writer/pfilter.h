/*
 * writer/pfilter.h - page filtering inside the capture: which page frames
 * an analyst does not need (makedumpfile's dump-level classes), decided
 * from the crashed kernel's own struct page array, and which memory to
 * write first (kernel-first order). Documentation/filtering.md is the
 * design; this is the interface the writer uses.
 *
 * Freestanding like the rest of writer/: no libc, no malloc, no globals.
 * The filter lives in a caller-supplied area of rd_pf_size() bytes and
 * needs O(1) memory whatever the RAM size: it reads struct pages a window
 * at a time through the same rd_source the writer dumps from, and keeps no
 * bitmap.
 *
 * Everything it reads is the dead kernel's memory: every pointer it
 * follows is checked against the dumped ranges, every count is bounded;
 * a struct page that makes no sense means "keep that page", never a fault,
 * a loop or a failed dump. A class whose VMCOREINFO keys are missing is
 * not applied (rd_pf_active() says which are).
 */
#ifndef RAWDUMP_PFILTER_H
#define RAWDUMP_PFILTER_H

#include <stdint.h>
#include <stddef.h>
#include "writer.h"

#define RD_PF_PRIORITY_MAX	1024u	/* kernel-first extents at most */

struct rd_pf_extent {
	uint64_t paddr;			/* page aligned */
	uint64_t len;			/* bytes, page multiple */
	uint32_t what;			/* RD_PF_PRI_* */
};

enum rd_pf_priority_kind {
	RD_PF_PRI_LOG = 1,		/* printk ring buffer: descs, infos, text */
	RD_PF_PRI_KERNEL = 2,		/* kernel image (kernel-text PT_LOAD) */
	RD_PF_PRI_PGTABLE = 3,		/* kernel page-table pages */
	RD_PF_PRI_META = 4,		/* other kernel data triage needs
					 * (mem_section's roots and their pages) */
	RD_PF_PRI_CPU = 5,		/* what crash needs to start: per-CPU
					 * areas, the CPUs' stacks, current and
					 * idle task_structs */
};

struct rd_pf_config {
	const char *vmcoreinfo;		/* VMCOREINFO note text, not NUL terminated */
	size_t vmcoreinfo_len;
	uint32_t level;			/* RD_CLASS_* bits to leave out */
	/* the dumped ranges (paddr -> source address), as given to the writer */
	const struct rd_writer_range *ranges;
	uint32_t range_count;
	/* the crashed kernel's ELF notes (NT_PRSTATUS gives each CPU's stack
	 * pointer); may be NULL */
	const void *notes;
	size_t notes_size;
	/* one line of explanation at a time (serial console); may be NULL */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct rd_pfilter;

/* Bytes the filter needs (constant). */
size_t rd_pf_size(void);

/*
 * Set the filter up in `area` (rd_pf_size() bytes, 8-aligned): parse
 * VMCOREINFO, find the struct page array and the kernel page tables, and
 * compute the kernel-first extents. Never fails a dump: with missing keys
 * or unreadable structures it applies fewer classes (rd_pf_active) and
 * says why through log. Returns the filter.
 */
struct rd_pfilter *rd_pf_init(void *area, const struct rd_pf_config *cfg,
			      const struct rd_source *src);

/* RD_CLASS_* bits the filter will really apply (subset of cfg->level; the
 * ZERO class is the writer's own and is not reported here). */
uint32_t rd_pf_active(const struct rd_pfilter *f);

/* RD_FF_* flags for the dump header (accumulated as pages are classified). */
uint32_t rd_pf_flags(const struct rd_pfilter *f);

/*
 * Classify npages page frames from paddr (page aligned): out[i] is 0 for a
 * page to keep, or exactly one RD_CLASS_* bit (never ZERO) for a page to
 * leave out. Calls must come in ascending paddr order within one pass;
 * a call for a lower paddr than the last restarts the stream state (so
 * the kernel-first pass and the main pass can both use it).
 */
void rd_pf_classify(struct rd_pfilter *f, uint64_t paddr, uint32_t npages, uint8_t *out);

/* The kernel-first extents, most urgent first (log, kernel image, page
 * tables, ...); *n gets the count. Valid while f is. */
const struct rd_pf_extent *rd_pf_priority(const struct rd_pfilter *f, uint32_t *n);

/* Tests: physical address of the struct page of frame pfn (through the
 * crashed kernel's mem_section and page tables). 0, or -1 if it has none. */
int rd_pf_memmap_paddr(struct rd_pfilter *f, uint64_t pfn, uint64_t *paddr);

#endif /* RAWDUMP_PFILTER_H */
