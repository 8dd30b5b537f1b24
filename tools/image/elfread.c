/*
 * tools/image/elfread.c - read an ELF vmcore (as /proc/vmcore, makedumpfile -E,
 * QEMU dump-guest-memory or `rawdump save` write it) as a struct memimage.
 *
 * Follows the ELF-64 object file format (System V gABI) for ET_CORE files:
 * PT_NOTE segments are concatenated into the notes; every PT_LOAD is a
 * memory range by p_paddr (bytes past p_filesz read as zero). A PT_LOAD
 * whose physical extent lies inside another one is an alias (the kernel
 * text segment). PN_XNUM: with e_phnum == 0xffff the count is section 0's
 * sh_info. Everything is bounds-checked against the file size.
 *
 * Filtered dumps: makedumpfile -E and rawdump's own ELF writer put pages
 * left out by filtering in the p_memsz tail of a PT_LOAD (p_memsz >
 * p_filesz); such a whole page reads as MI_EXCLUDED. rawdump's
 * excluded-pages note (tools/image/excl.h) gives their classes and dump level;
 * without it the class is MI_CLASS_UNKNOWN and the level 0 (unknown).
 * Adjacent PT_LOADs (paddr and vaddr contiguous, or both vaddr 0) make one
 * range again.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memimage.h"
#include "formats.h"
#include "excl.h"
#include "disk/io.h"
#include "writer.h"

#define ELFR_MAX_PHDRS	(1u << 20)
#define ELFR_MAX_NOTES	(64u << 20)

struct elfr_seg {
	uint64_t paddr, vaddr, memsz, filesz, off;
	int alias;
};

struct elfr {
	int fd;
	struct elfr_seg *seg;	/* non-alias first, each part sorted by paddr */
	size_t nseg, nreal;
};


static int elfr_seg_cmp(const void *a, const void *b)
{
	const struct elfr_seg *x = a, *y = b;

	if (x->alias != y->alias)
		return x->alias - y->alias;
	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->memsz > y->memsz ? -1 : (x->memsz < y->memsz);
}

static int elfr_range_cmp(const void *a, const void *b)
{
	const struct mi_range *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return (int)(x->flags & MI_ALIAS) - (int)(y->flags & MI_ALIAS);
}

/* Is the page at paddr wholly in the p_memsz tail of a non-alias segment? */
/* The first real segment that ends after paddr (e->nreal if none). */
static size_t elfr_seg_after(const struct elfr *e, uint64_t paddr)
{
	size_t lo = 0, hi = e->nreal;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->seg[mid].paddr + e->seg[mid].memsz <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int elfr_in_tail(const struct elfr *e, uint64_t paddr)
{
	size_t lo = elfr_seg_after(e, paddr);
	const struct elfr_seg *s;

	if (lo == e->nreal)
		return 0;
	s = &e->seg[lo];
	return s->paddr <= paddr && paddr >= s->paddr + s->filesz &&
	       paddr + MI_PAGE <= s->paddr + s->memsz;
}

static int elfr_page_class(struct memimage *m, uint64_t paddr)
{
	return elfr_in_tail(m->priv, paddr) ? (int)MI_CLASS_UNKNOWN : 0;
}

static int elfr_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	struct elfr *e = m->priv;
	uint64_t pend = paddr + MI_PAGE;
	size_t lo;
	int covered = 0, rc;
	const uint64_t *w;
	size_t i;

	memset(buf, 0, MI_PAGE);
	if (mi_page_class(m, paddr))
		return MI_EXCLUDED;
	lo = elfr_seg_after(e, paddr);
	for (; lo < e->nreal && e->seg[lo].paddr < pend; lo++) {
		const struct elfr_seg *s = &e->seg[lo];
		uint64_t a = s->paddr > paddr ? s->paddr : paddr;
		uint64_t b = s->paddr + s->memsz < pend ? s->paddr + s->memsz : pend;
		uint64_t fend = s->paddr + s->filesz;

		covered = 1;
		if (a >= fend)
			continue;
		if (b > fend)
			b = fend;
		rc = pread_full(e->fd, (uint8_t *)buf + (a - paddr), b - a, s->off + (a - s->paddr));
		if (rc)
			return rc;
	}
	if (!covered)
		return MI_MISSING;
	w = buf;
	for (i = 0; i < MI_PAGE / 8; i++)
		if (w[i])
			return MI_DATA;
	return MI_ZERO;
}

static void elfr_close(struct memimage *m)
{
	struct elfr *e = m->priv;

	if (e) {
		close(e->fd);
		free(e->seg);
		free(e);
	}
	m->priv = NULL;
}

static const struct memimage_ops elfr_ops = {
	.read_page = elfr_read_page,
	.close = elfr_close,
	.page_class = elfr_page_class,
};

/* Join ranges that continue each other (the PT_LOADs a filtered dump was
 * split into): same alias flag, paddr and vaddr contiguous. Sorted input. */
static void elfr_merge_ranges(struct memimage *m)
{
	size_t i, k = 0, last[2] = { SIZE_MAX, SIZE_MAX };

	for (i = 0; i < m->nranges; i++) {
		struct mi_range r = m->ranges[i];
		int a = (r.flags & MI_ALIAS) != 0;
		struct mi_range *p = last[a] != SIZE_MAX ? &m->ranges[last[a]] : NULL;

		if (p && p->paddr + p->size == r.paddr &&
		    (p->vaddr + p->size == r.vaddr || (!p->vaddr && !r.vaddr))) {
			p->size += r.size;
			continue;
		}
		m->ranges[k] = r;
		last[a] = k++;
	}
	m->nranges = k;
}

/* Whole pages in the p_memsz tails of the non-alias segments. */
static uint64_t elfr_tail_pages(const struct elfr *e)
{
	uint64_t n = 0, a, b;
	size_t i;

	for (i = 0; i < e->nreal; i++) {
		a = rd_align_up(e->seg[i].paddr + e->seg[i].filesz, MI_PAGE);
		b = (e->seg[i].paddr + e->seg[i].memsz) & ~(uint64_t)(MI_PAGE - 1);
		if (b > a)
			n += (b - a) / MI_PAGE;
	}
	return n;
}

/* Release, crash time and CPU count from the notes. */
static void elfr_note_facts(struct memimage *m)
{
	struct rd_note n;
	size_t pos = 0;

	while (rd_note_next(m->notes, m->notes_size, &pos, NULL, &n)) {
		if (n.type == NT_PRSTATUS && n.namesz == 5 && !memcmp(n.name, "CORE", 5)) {
			m->cpu_count++;
		} else if (n.type == 0 && n.namesz == 11 && !memcmp(n.name, "VMCOREINFO", 11)) {
			char t[32];

			rd_vmcoreinfo_get((const char *)n.desc, n.descsz, "OSRELEASE",
					  m->kernel_release, sizeof(m->kernel_release));
			if (rd_vmcoreinfo_get((const char *)n.desc, n.descsz, "CRASHTIME",
					      t, sizeof(t)) > 0)
				m->crash_time = strtoull(t, NULL, 10);
		}
	}
}

/* Step 1: the ELF header (an x86-64 ELF64 core) and the program headers,
 * PN_XNUM included. 0, or -1 with the reason in err. */
static int elfr_read_phdrs(int fd, const char *path, uint64_t fsize, Elf64_Phdr **php,
			   uint64_t *phnump, char *err, size_t errsz)
{
	Elf64_Phdr *ph;
	Elf64_Ehdr eh;
	uint64_t phnum;
	int rc;

	if (fsize < sizeof(eh) || pread_full(fd, &eh, sizeof(eh), 0) != 0) {
		snprintf(err, errsz, "%s: too short for an ELF header", path);
		return -1;
	}
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_CORE ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		snprintf(err, errsz, "%s: not an x86-64 ELF64 core file", path);
		return -1;
	}
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		Elf64_Shdr sh;

		if (eh.e_shoff > fsize || fsize - eh.e_shoff < sizeof(sh) ||
		    pread_full(fd, &sh, sizeof(sh), eh.e_shoff) != 0) {
			snprintf(err, errsz, "%s: PN_XNUM without a section header", path);
			return -1;
		}
		phnum = sh.sh_info;
	}
	if (!phnum || phnum > ELFR_MAX_PHDRS || eh.e_phoff > fsize ||
	    phnum * sizeof(Elf64_Phdr) > fsize - eh.e_phoff) {
		snprintf(err, errsz, "%s: program headers are malformed", path);
		return -1;
	}
	ph = malloc(phnum * sizeof(*ph));
	if (!ph) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	rc = pread_full(fd, ph, phnum * sizeof(*ph), eh.e_phoff);
	if (rc) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		free(ph);
		return -1;
	}
	*php = ph;
	*phnump = phnum;
	return 0;
}

/* Step 2: PT_NOTE contents into m->notes, PT_LOAD segments into e->seg
 * (room for phnum). 0, or -1 with the reason in err. */
static int elfr_take_segments(struct memimage *m, struct elfr *e, int fd, const char *path,
			      uint64_t fsize, const Elf64_Phdr *ph, uint64_t phnum,
			      char *err, size_t errsz)
{
	size_t i;
	int rc;

	for (i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_NOTE && p->p_type != PT_LOAD)
			continue;
		if (p->p_offset > fsize || p->p_filesz > fsize - p->p_offset) {
			snprintf(err, errsz, "%s: segment %zu lies past the end of the file", path, i);
			return -1;
		}
		if (p->p_type == PT_NOTE) {
			uint8_t *n;

			if (p->p_filesz > ELFR_MAX_NOTES - m->notes_size) {
				snprintf(err, errsz, "%s: notes too large", path);
				return -1;
			}
			n = realloc(m->notes, m->notes_size + p->p_filesz + 1);
			if (!n) {
				snprintf(err, errsz, "out of memory");
				return -1;
			}
			m->notes = n;
			rc = pread_full(fd, n + m->notes_size, p->p_filesz, p->p_offset);
			if (rc) {
				snprintf(err, errsz, "%s: %s", path, strerror(-rc));
				return -1;
			}
			m->notes_size += p->p_filesz;
			continue;
		}
		if (!p->p_memsz || p->p_filesz > p->p_memsz || p->p_paddr + p->p_memsz < p->p_paddr)
			continue;
		e->seg[e->nseg].paddr = p->p_paddr;
		e->seg[e->nseg].vaddr = p->p_vaddr;
		e->seg[e->nseg].memsz = p->p_memsz;
		e->seg[e->nseg].filesz = p->p_filesz;
		e->seg[e->nseg].off = p->p_offset;
		e->nseg++;
	}
	if (!e->nseg) {
		snprintf(err, errsz, "%s: no PT_LOAD segments", path);
		return -1;
	}
	return 0;
}

/* Step 3: a segment whose memory earlier ones cover is an alias (kernel
 * text mapped twice); real segments first, then the aliases. */
static void elfr_mark_aliases(struct elfr *e)
{
	uint64_t cover_end = 0;
	int have = 0;
	size_t i;

	qsort(e->seg, e->nseg, sizeof(*e->seg), elfr_seg_cmp);
	for (i = 0; i < e->nseg; i++) {
		struct elfr_seg *s = &e->seg[i];

		if (have && s->paddr + s->memsz <= cover_end)
			s->alias = 1;
		else if (!have || s->paddr + s->memsz > cover_end) {
			cover_end = s->paddr + s->memsz;
			have = 1;
		}
	}
	qsort(e->seg, e->nseg, sizeof(*e->seg), elfr_seg_cmp);
	for (e->nreal = 0; e->nreal < e->nseg && !e->seg[e->nreal].alias; e->nreal++)
		;
}

/* Step 4: m's range table from the segments. 0, or -1 (out of memory). */
static int elfr_fill_ranges(struct memimage *m, const struct elfr *e)
{
	size_t i, k;

	m->ranges = calloc(e->nseg, sizeof(*m->ranges));
	if (!m->ranges)
		return -1;
	for (i = 0, k = 0; i < e->nseg; i++) {
		m->ranges[k].paddr = e->seg[i].paddr;
		m->ranges[k].vaddr = e->seg[i].vaddr;
		m->ranges[k].size = e->seg[i].memsz;
		m->ranges[k].flags = e->seg[i].alias ? MI_ALIAS : 0;
		k++;
	}
	m->nranges = k;
	qsort(m->ranges, m->nranges, sizeof(*m->ranges), elfr_range_cmp);
	elfr_merge_ranges(m);
	return 0;
}

struct memimage *mi_open_elf(int fd, const char *path, char *err, size_t errsz)
{
	struct memimage *m = calloc(1, sizeof(*m));
	struct elfr *e = calloc(1, sizeof(*e));
	Elf64_Phdr *ph = NULL;
	struct stat st;
	uint64_t phnum;

	if (!m || !e) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (elfr_read_phdrs(fd, path, (uint64_t)st.st_size, &ph, &phnum, err, errsz))
		goto fail;
	e->seg = calloc(phnum, sizeof(*e->seg));
	if (!e->seg) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (elfr_take_segments(m, e, fd, path, (uint64_t)st.st_size, ph, phnum, err, errsz))
		goto fail;
	elfr_mark_aliases(e);
	if (elfr_fill_ranges(m, e)) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	e->fd = fd;
	m->ops = &elfr_ops;
	m->priv = e;
	m->kind = "elf";
	elfr_note_facts(m);
	if (excl_note_take(m) == -ENOMEM) {
		snprintf(err, errsz, "out of memory");
		m->ops = NULL;
		goto fail;
	}
	if (!m->excl_runs)
		m->excluded_pages[mi_class_slot(MI_CLASS_UNKNOWN)] = elfr_tail_pages(e);
	free(ph);
	return m;
fail:
	free(ph);
	if (e)
		free(e->seg);
	free(e);
	if (m) {
		free(m->notes);
		free(m->ranges);
		free(m);
	}
	return NULL;
}
