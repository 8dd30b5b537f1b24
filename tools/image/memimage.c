/*
 * tools/image/memimage.c - the memory-image interface every reader fills
 * (tools/image/memimage.h): range-table and extent rules, class names,
 * mi_close. Picking a reader by content is tools/image/detect.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memimage.h"


uint64_t mi_excluded_total(const struct memimage *m)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < MI_CLASS_SLOTS; i++)
		n += m->excluded_pages[i];
	return n;
}

const char *mi_class_name(unsigned int slot)
{
	static const char *const names[MI_CLASS_SLOTS] = {
		"zero", "cache", "cache_private", "user", "free", NULL, NULL, "unknown",
	};

	return slot < MI_CLASS_SLOTS ? names[slot] : NULL;
}

unsigned int mi_class_slot(uint32_t class_bit)
{
	unsigned int slot;

	if (class_bit == 0 || (class_bit & (class_bit - 1)))
		return MI_CLASS_SLOTS - 1;
	slot = (unsigned int)__builtin_ctz(class_bit);
	return mi_class_name(slot) ? slot : MI_CLASS_SLOTS - 1;
}

int mi_ranges_check(const struct mi_range *r, size_t n, char *err, size_t errsz)
{
	struct { uint64_t start, end; } *run;	/* back-to-back real ranges merged */
	size_t i, nrun = 0, last = 0;
	int rc = 0;

	run = malloc((n ? n : 1) * sizeof(*run));
	if (!run)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint64_t end = r[i].paddr + r[i].size;

		if (end < r[i].paddr || (i && r[i].paddr < r[i - 1].paddr)) {
			snprintf(err, errsz, "range %zu is malformed", i);
			rc = -EINVAL;
			goto out;
		}
		if ((r[i].flags & MI_ALIAS) || !r[i].size)	/* an empty range holds nothing */
			continue;
		/* sorted: i overlaps an earlier real range iff it starts below
		 * the highest end so far, the end of the last run */
		if (nrun && r[i].paddr < run[nrun - 1].end) {
			snprintf(err, errsz, "memory ranges %llx and %llx overlap",
				 (unsigned long long)r[last].paddr, (unsigned long long)r[i].paddr);
			rc = -EINVAL;
			goto out;
		}
		if (nrun && r[i].paddr == run[nrun - 1].end) {
			run[nrun - 1].end = end;
		} else {
			run[nrun].start = r[i].paddr;
			run[nrun++].end = end;
		}
		last = i;
	}
	for (i = 0; i < n; i++) {
		uint64_t a = r[i].paddr, b = r[i].paddr + r[i].size;
		size_t lo = 0, hi = nrun;

		if (!(r[i].flags & MI_ALIAS) || !r[i].size)
			continue;
		while (lo < hi) {	/* first run starting above a */
			size_t mid = lo + (hi - lo) / 2;

			if (run[mid].start <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || b > run[lo - 1].end) {
			snprintf(err, errsz, "alias range %llx-%llx is not memory of the other ranges",
				 (unsigned long long)a, (unsigned long long)(b - 1));
			rc = -EINVAL;
			goto out;
		}
	}
out:
	free(run);
	return rc;
}

int mi_extent_check(const struct memimage *m, char *msg, size_t msgsz)
{
	size_t i;

	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];

		if (r->paddr > MI_MAX_PHYS || r->size > MI_MAX_PHYS - r->paddr) {
			snprintf(msg, msgsz, "memory range 0x%llx (%llu bytes) ends past %llu TiB: "
				 "no output holds it", (unsigned long long)r->paddr,
				 (unsigned long long)r->size, (unsigned long long)(MI_MAX_PHYS >> 40));
			return -EFBIG;
		}
	}
	return 0;
}

void mi_close(struct memimage *m)
{
	if (!m)
		return;
	if (m->ops && m->ops->close)
		m->ops->close(m);
	free(m->notes);
	free(m->ranges);
	free(m->excl_runs);
	free(m);
}

int mi_page_corrupt(struct memimage *m, void *buf)
{
	memset(buf, 0, MI_PAGE);
	m->partial = 1;
	m->missing_bytes += MI_PAGE;
	return MI_MISSING;
}
