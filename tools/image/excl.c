/*
 * tools/image/excl.c - excluded-page runs of a memimage and the "RAWDUMP" note
 * that carries them (format in tools/image/excl.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "partition.h"
#include "excl.h"
#include "writer.h"

#define EXCL_NOTE_HDR	20u	/* nhdr 12 + name 8 */
#define EXCL_DESC_HDR	16u
#define EXCL_RUN	16u

int mi_page_class(struct memimage *m, uint64_t paddr)
{
	if (m->excl_runs)
		return excl_lookup(m, paddr);
	return m->ops->page_class ? m->ops->page_class(m, paddr) : 0;
}

int excl_scan(struct memimage *m, struct rd_excl_run **runs, size_t *n,
	      uint64_t counts[MI_CLASS_SLOTS])
{
	struct rd_excl_run *r = NULL, *nr;
	struct mi_pages it;
	size_t cnt = 0, cap = 0;
	uint64_t paddr;
	int cls;

	*runs = NULL;
	*n = 0;
	if (counts)
		memset(counts, 0, MI_CLASS_SLOTS * sizeof(*counts));
	if (!m->excl_runs && !m->ops->page_class)
		return 0;
	mi_pages_init(&it, m);
	while (mi_pages_next(&it, &paddr)) {
		cls = mi_page_class(m, paddr);
		if (cls <= 0)
			continue;
		if (counts)
			counts[mi_class_slot((uint32_t)cls)]++;
		if (cnt && r[cnt - 1].class == (uint32_t)cls && r[cnt - 1].pages < UINT32_MAX &&
		    r[cnt - 1].paddr + (uint64_t)r[cnt - 1].pages * MI_PAGE == paddr) {
			r[cnt - 1].pages++;
			continue;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 256;
			nr = realloc(r, cap * sizeof(*r));
			if (!nr) {
				free(r);
				return -ENOMEM;
			}
			r = nr;
		}
		r[cnt].paddr = paddr;
		r[cnt].pages = 1;
		r[cnt].class = (uint32_t)cls;
		cnt++;
	}
	*runs = r;
	*n = cnt;
	return 0;
}

size_t excl_note_size(size_t n)
{
	return EXCL_NOTE_HDR + EXCL_DESC_HDR + n * EXCL_RUN;
}

void excl_note_put(uint8_t *out, uint32_t dump_level, const struct rd_excl_run *runs, size_t n)
{
	uint32_t v[3] = { sizeof(EXCL_NOTE_NAME), (uint32_t)(EXCL_DESC_HDR + n * EXCL_RUN),
			  EXCL_NOTE_TYPE };
	uint32_t ver = EXCL_NOTE_VERSION;
	uint64_t count = n;
	uint8_t *d = out + EXCL_NOTE_HDR;

	memcpy(out, v, sizeof(v));
	memcpy(out + 12, EXCL_NOTE_NAME, sizeof(EXCL_NOTE_NAME));
	memcpy(d, &ver, 4);
	memcpy(d + 4, &dump_level, 4);
	memcpy(d + 8, &count, 8);
	if (n)
		memcpy(d + EXCL_DESC_HDR, runs, n * EXCL_RUN);
}

int excl_note_take(struct memimage *m)
{
	size_t pos = 0, start = 0, end, i;
	struct rd_excl_run *runs;
	struct rd_note n;
	uint32_t ver, level;
	uint64_t count, prev_end = 0;
	int found = 0;

	while (!found && rd_note_next(m->notes, m->notes_size, &pos, &start, &n))
		found = n.type == EXCL_NOTE_TYPE && n.namesz == sizeof(EXCL_NOTE_NAME) &&
			!memcmp(n.name, EXCL_NOTE_NAME, sizeof(EXCL_NOTE_NAME));
	if (!found || n.descsz < EXCL_DESC_HDR)
		return -ENOENT;
	memcpy(&ver, n.desc, 4);
	memcpy(&level, n.desc + 4, 4);
	memcpy(&count, n.desc + 8, 8);
	if (ver != EXCL_NOTE_VERSION || count > EXCL_NOTE_MAX_RUNS ||
	    n.descsz != EXCL_DESC_HDR + count * EXCL_RUN)
		return -ENOENT;
	runs = malloc(count ? count * sizeof(*runs) : 1);
	if (!runs)
		return -ENOMEM;
	if (count)
		memcpy(runs, n.desc + EXCL_DESC_HDR, count * EXCL_RUN);
	for (i = 0; i < count; i++) {
		uint64_t e = runs[i].paddr + (uint64_t)runs[i].pages * MI_PAGE;

		if ((runs[i].paddr & (MI_PAGE - 1)) || !runs[i].pages || e < runs[i].paddr ||
		    (i && runs[i].paddr < prev_end) || !runs[i].class ||
		    (runs[i].class & (runs[i].class - 1)) ||
		    !(runs[i].class & (RD_CLASS_ALL | MI_CLASS_UNKNOWN))) {
			free(runs);
			return -ENOENT;
		}
		prev_end = e;
	}
	memset(m->excluded_pages, 0, sizeof(m->excluded_pages));
	for (i = 0; i < count; i++)
		m->excluded_pages[mi_class_slot(runs[i].class)] += runs[i].pages;
	free(m->excl_runs);
	m->excl_runs = runs;
	m->nexcl_runs = count;
	m->dump_level = level;
	/* take the note out of the notes */
	end = pos;
	memmove(m->notes + start, m->notes + end, m->notes_size - end);
	m->notes_size -= end - start;
	return 0;
}

int excl_lookup(const struct memimage *m, uint64_t paddr)
{
	size_t lo = 0, hi = m->nexcl_runs, mid;
	const struct rd_excl_run *r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->excl_runs[mid].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	r = &m->excl_runs[lo - 1];
	if (paddr - r->paddr < (uint64_t)r->pages * MI_PAGE)
		return (int)r->class;
	return 0;
}

uint64_t excl_counts(struct memimage *m, uint64_t cnt[MI_CLASS_SLOTS], uint32_t *level)
{
	const struct rdr_info *in = rdr_info(m);
	uint64_t total = 0;
	unsigned int i;

	memcpy(cnt, m->excluded_pages, MI_CLASS_SLOTS * sizeof(*cnt));
	*level = m->dump_level;
	if (in && !mi_excluded_total(m) && in->have_end)
		memcpy(cnt, in->end.excluded_pages, MI_CLASS_SLOTS * sizeof(*cnt));
	if (in && !*level)
		*level = in->dump.dump_level;
	for (i = 0; i < MI_CLASS_SLOTS; i++) {
		if (!mi_class_name(i))
			cnt[i] = 0;
		total += cnt[i];
	}
	return total;
}
