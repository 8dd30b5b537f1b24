/*
 * tools/image/pages.h - every page of a memory image in address order
 * (tools/image/pages.c).
 */
#ifndef RAWDUMP_TOOLS_PAGES_H
#define RAWDUMP_TOOLS_PAGES_H

#include <stdint.h>

#include "memimage.h"

/* Every page of m's non-alias ranges, ascending, each page once. */
struct mi_pages {
	const struct memimage *m;
	size_t ri;
	uint64_t next;		/* next page address to look at */
};
void mi_pages_init(struct mi_pages *it, const struct memimage *m);
int mi_pages_next(struct mi_pages *it, uint64_t *paddr);	/* 1, or 0 at the end */
uint64_t mi_pages_total(const struct memimage *m);		/* number of pages */

int mi_page_is_zero(const void *page);

#endif
