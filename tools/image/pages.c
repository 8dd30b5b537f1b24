/*
 * tools/image/pages.c - the page iterator the LKCD and kdump-compressed
 * writers and the excluded-page scan walk memory with (tools/image/pages.h).
 */
#include "pages.h"

void mi_pages_init(struct mi_pages *it, const struct memimage *m)
{
	it->m = m;
	it->ri = 0;
	it->next = 0;
}

int mi_pages_next(struct mi_pages *it, uint64_t *paddr)
{
	const struct mi_range *r;
	uint64_t start, end;

	for (; it->ri < it->m->nranges; it->ri++) {
		r = &it->m->ranges[it->ri];
		if ((r->flags & MI_ALIAS) || r->size == 0)
			continue;
		start = r->paddr & ~(uint64_t)(MI_PAGE - 1);
		end = r->paddr + r->size;
		if (end < r->paddr)
			end = UINT64_MAX & ~(uint64_t)(MI_PAGE - 1);
		if (start < it->next)
			start = it->next;
		if (start >= end)
			continue;
		*paddr = start;
		it->next = start + MI_PAGE;
		return 1;
	}
	return 0;
}

uint64_t mi_pages_total(const struct memimage *m)
{
	struct mi_pages it;
	uint64_t n = 0, paddr;
	const struct mi_range *r;
	size_t i;

	/* fast path for sorted, non-overlapping ranges; exact walk otherwise */
	for (i = 0; i < m->nranges; i++) {
		r = &m->ranges[i];
		if (!(r->flags & MI_ALIAS) && i && r->paddr < m->ranges[i - 1].paddr + m->ranges[i - 1].size)
			break;
	}
	if (i == m->nranges) {
		uint64_t last = 0, s, e;

		for (i = 0; i < m->nranges; i++) {
			r = &m->ranges[i];
			if ((r->flags & MI_ALIAS) || !r->size)
				continue;
			s = r->paddr / MI_PAGE;
			e = (r->paddr + r->size + MI_PAGE - 1) / MI_PAGE;
			if (s < last)
				s = last;
			if (e > s)
				n += e - s;
			if (e > last)
				last = e;
		}
		return n;
	}
	mi_pages_init(&it, m);
	while (mi_pages_next(&it, &paddr))
		n++;
	return n;
}

int mi_page_is_zero(const void *page)
{
	const uint64_t *p = page;
	size_t i;

	for (i = 0; i < MI_PAGE / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

