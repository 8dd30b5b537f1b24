/*
 * tools/elfwrite.c - mi_write_elf(): write a memimage as an ELF vmcore the
 * way /proc/vmcore presents one (see /work/shared/reference/dump-formats.md):
 * ELFCLASS64, ET_CORE, EM_X86_64; phdr[0] is the PT_NOTE holding the crashed
 * kernel's notes (empty terminator notes dropped); one PT_LOAD per range
 * with p_paddr, p_vaddr, p_filesz == p_memsz and p_align 0. An alias range
 * (kernel text) points at the file bytes of the RAM range that holds it.
 * With 0xffff or more program headers e_phnum is PN_XNUM and section 0's
 * sh_info holds the count.
 *
 * Each range's data starts at a file offset congruent to its paddr modulo
 * the page size, so every memory page is one file page: zero and missing
 * pages are left as holes (never written), data is written in big runs.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memimage.h"
#include "reader.h"
#include "util.h"
#include "writer.h"

#define ELFW_RUN_MAX	(8u << 20)	/* bytes gathered before one pwrite */

struct elfw_run {
	int fd;
	uint8_t *buf;
	uint64_t off;		/* file offset of buf[0] */
	size_t len;
};

static int elfw_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int elfw_flush(struct elfw_run *w)
{
	int rc = elfw_pwrite(w->fd, w->buf, w->len, w->off);

	w->len = 0;
	return rc;
}

/* Append bytes that belong at file offset off; flushes on a gap or when full. */
static int elfw_put(struct elfw_run *w, uint64_t off, const void *data, size_t len)
{
	int rc;

	if (w->len && (w->off + w->len != off || w->len + len > ELFW_RUN_MAX)) {
		rc = elfw_flush(w);
		if (rc)
			return rc;
	}
	if (!w->len)
		w->off = off;
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	return 0;
}

/* The notes without empty or malformed ones. Returns the size written to out. */
static size_t elfw_notes(const struct memimage *m, uint8_t *out)
{
	struct rd_note n;
	size_t pos = 0, start, len = 0;

	while (util_note_next(m->notes, m->notes_size, &pos, &start, &n)) {
		memcpy(out + len, m->notes + start, pos - start);
		len += pos - start;
	}
	return len;
}

/* The non-alias range holding [paddr, paddr+size), or -1. real[] lists
 * the non-alias ranges' indexes in paddr order (they do not overlap). */
static long elfw_holder(const struct memimage *m, const size_t *real, size_t nreal,
			uint64_t paddr, uint64_t size)
{
	size_t lo = 0, hi = nreal;
	const struct mi_range *r;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ranges[real[mid]].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	r = &m->ranges[real[lo - 1]];
	if (paddr - r->paddr <= r->size && size <= r->size - (paddr - r->paddr))
		return (long)real[lo - 1];
	return -1;
}

struct elfw_walk {
	struct elfw_run *w;
	uint64_t paddr, off;		/* range start and its file offset */
	uint64_t *done, total;
	mi_progress_fn pr;
	void *ctx;
};

static int elfw_piece(void *ctx, uint64_t paddr, const void *data, uint64_t len)
{
	struct elfw_walk *k = ctx;
	uint64_t before = *k->done;
	int rc = 0;

	if (data)
		rc = elfw_put(k->w, k->off + (paddr - k->paddr), data, len);
	*k->done += len;
	if (k->pr && (before >> 24) != (*k->done >> 24))
		k->pr(k->ctx, *k->done, k->total);
	return rc;
}

/* Copy memory [paddr, paddr+size) to file offset off: straight from the
 * blocks for a rawdump partition, page by page from any other image. */
static int elfw_copy(struct memimage *m, struct elfw_run *w, uint8_t *page,
		     uint64_t paddr, uint64_t size, uint64_t off,
		     mi_progress_fn pr, void *ctx, uint64_t *done, uint64_t total)
{
	uint64_t pos = paddr, end = paddr + size;
	int rc;

	if (rdr_info(m)) {
		struct elfw_walk k = { w, paddr, off, done, total, pr, ctx };

		return rdr_walk(m, paddr, size, elfw_piece, &k);
	}
	while (pos < end) {
		uint64_t base = pos & ~(uint64_t)(MI_PAGE - 1);
		uint64_t stop = base + MI_PAGE < end ? base + MI_PAGE : end;

		rc = mi_read_page(m, base, page);
		if (rc < 0)
			return rc;
		if (rc == MI_DATA) {
			rc = elfw_put(w, off + (pos - paddr), page + (pos - base), stop - pos);
			if (rc)
				return rc;
		}
		*done += stop - pos;
		pos = stop;
		if (pr && (pos & ((1u << 24) - 1)) == 0)
			pr(ctx, *done, total);
	}
	return 0;
}

int mi_write_elf(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz)
{
	struct elfw_run w = { .fd = fd };
	size_t *real = NULL, nreal = 0;
	uint64_t *offs = NULL, nph, hdr_len, notes_off, data_off, total = 0, done = 0, file_end;
	uint8_t *head = NULL, *page = NULL;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t i, notes_len;
	int rc;

	nph = 1 + m->nranges;
	hdr_len = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr) +
		  (nph >= PN_XNUM ? sizeof(Elf64_Shdr) : 0);
	notes_off = hdr_len;
	head = calloc(1, hdr_len + m->notes_size + 1);
	offs = calloc(m->nranges + 1, sizeof(*offs));
	real = calloc(m->nranges + 1, sizeof(*real));
	w.buf = malloc(ELFW_RUN_MAX);
	page = malloc(MI_PAGE);
	if (!head || !offs || !real || !w.buf || !page) {
		snprintf(msg, msgsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	notes_len = elfw_notes(m, head + notes_off);

	/* Layout: non-alias ranges in paddr order, each offset = paddr mod page. */
	data_off = rd_align_up(notes_off + notes_len, MI_PAGE);
	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];

		if (r->flags & MI_ALIAS)
			continue;
		offs[i] = data_off + (r->paddr & (MI_PAGE - 1));
		data_off = rd_align_up(offs[i] + r->size, MI_PAGE);
		total += r->size;
		real[nreal++] = i;
	}
	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];
		long h;

		if (!(r->flags & MI_ALIAS))
			continue;
		h = elfw_holder(m, real, nreal, r->paddr, r->size);
		if (h >= 0) {
			offs[i] = offs[h] + (r->paddr - m->ranges[h].paddr);
		} else {
			offs[i] = data_off + (r->paddr & (MI_PAGE - 1));
			data_off = rd_align_up(offs[i] + r->size, MI_PAGE);
			total += r->size;
		}
	}
	file_end = data_off;

	eh = (Elf64_Ehdr *)head;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	if (nph >= PN_XNUM) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(head + sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr));

		eh->e_phnum = PN_XNUM;
		eh->e_shoff = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
		eh->e_shentsize = sizeof(Elf64_Shdr);
		eh->e_shnum = 0;
		sh->sh_info = (Elf64_Word)nph;
	} else {
		eh->e_phnum = (Elf64_Half)nph;
	}
	ph = (Elf64_Phdr *)(head + sizeof(Elf64_Ehdr));
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = notes_off;
	ph[0].p_filesz = notes_len;
	ph[0].p_memsz = notes_len;
	for (i = 0; i < m->nranges; i++) {
		Elf64_Phdr *p = &ph[1 + i];

		p->p_type = PT_LOAD;
		p->p_flags = PF_R | PF_W | PF_X;
		p->p_offset = offs[i];
		p->p_paddr = m->ranges[i].paddr;
		p->p_vaddr = m->ranges[i].vaddr;
		p->p_filesz = m->ranges[i].size;
		p->p_memsz = m->ranges[i].size;
		p->p_align = 0;
	}

	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];

		if ((r->flags & MI_ALIAS) && elfw_holder(m, real, nreal, r->paddr, r->size) >= 0)
			continue;
		rc = elfw_copy(m, &w, page, r->paddr, r->size, offs[i], pr, ctx, &done, total);
		if (rc) {
			snprintf(msg, msgsz, "copying memory at 0x%llx: %s",
				 (unsigned long long)r->paddr, strerror(-rc));
			goto out;
		}
	}
	rc = elfw_flush(&w);
	if (!rc)
		rc = elfw_pwrite(fd, head, notes_off + notes_len, 0);
	if (!rc && ftruncate(fd, (off_t)file_end) != 0)
		rc = -errno;
	if (rc) {
		snprintf(msg, msgsz, "writing the vmcore: %s", strerror(-rc));
		goto out;
	}
	if (pr)
		pr(ctx, total, total);
out:
	free(head);
	free(offs);
	free(real);
	free(w.buf);
	free(page);
	return rc;
}
