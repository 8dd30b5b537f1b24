/*
 * tools/image/elfwrite.c - mi_write_elf(): write a memimage as an ELF vmcore the
 * way /proc/vmcore presents one (see /work/shared/reference/dump-formats.md):
 * ELFCLASS64, ET_CORE, EM_X86_64; phdr[0] is the PT_NOTE holding the crashed
 * kernel's notes (empty terminator notes dropped); one PT_LOAD per range
 * with p_paddr, p_vaddr, p_filesz == p_memsz and p_align 0. An alias range
 * (kernel text) points at the file bytes of the RAM range that holds it.
 * With 0xffff or more program headers e_phnum is PN_XNUM and section 0's
 * sh_info holds the count.
 *
 * Each segment's data starts at a file offset congruent to its paddr modulo
 * the page size, so every memory page is one file page: runs of zero and
 * missing pages of ELFW_HOLE_MIN or more are left as holes (never
 * written); shorter ones are written as zeros, so data goes out in
 * page-aligned ELFW_RUN_MAX writes (O_DIRECT when the file system takes
 * it) by a second thread while the next run is read and verified: one
 * write per short run of pages cost two thirds of the time before.
 *
 * Filtered dumps (pages MI_EXCLUDED), laid out like makedumpfile -E: a
 * range is split into one PT_LOAD per run of kept pages, and the excluded
 * run after it goes in that PT_LOAD's p_memsz tail (p_memsz > p_filesz:
 * readers see zeros, and no file byte stands for an excluded page); a range
 * that starts with excluded pages starts with a PT_LOAD of p_filesz 0.
 * Segments follow each other in the file. Unlike makedumpfile, which keeps
 * runs of fewer than 256 excluded pages inside p_filesz (their content
 * written as if kept) to save program headers, every excluded run is cut
 * out, so the kept page set is exactly the input's; only when that would
 * take more than ELFW_MAX_SEGS PT_LOADs do stretches of fewer than 256
 * excluded pages between kept ones stay inside p_filesz, as holes (never
 * written; zeros to other readers, excluded to rawdump through the
 * note). The kernel-text alias
 * is cut at the same places. The PT_NOTE also carries rawdump's
 * excluded-pages note (tools/image/excl.h) with each run's class and the dump
 * level.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "excl.h"
#include "memimage.h"
#include "partition.h"
#include "disk/io.h"
#include "writer.h"

#define ELFW_RUN_MAX	(8u << 20)	/* bytes gathered before one pwrite (a page multiple) */
#define ELFW_HOLE_MIN	(1u << 20)	/* shorter gaps are written as zeros */
#define ELFW_MAX_SEGS	(1u << 19)	/* PT_LOADs before small stretches stay in
					 * (tools/image/elfread.c takes up to 1 << 20) */
#define ELFW_MAX_OFF	((uint64_t)INT64_MAX)	/* file offsets are off_t */
#define ELFW_SMALL_GAP	256u		/* then: excluded pages kept as holes when
					 * fewer back to back (makedumpfile -E) */

struct elfw_run {
	int fd;
	int direct;		/* fd has O_DIRECT: writes bypass the page cache */
	uint8_t *buf;		/* the one being filled: ELFW_RUN_MAX bytes, page-aligned */
	uint64_t off;		/* file offset of buf[0], a page multiple */
	size_t len;
	/* the writer thread: writes one full buffer while the other fills */
	uint8_t *spare;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int threaded, busy, quit, err;
	const uint8_t *job;
	size_t job_len;
	uint64_t job_off;
};

/* Write through O_DIRECT when the file system takes it: a buffered write
 * copies every byte into the page cache, which costs more CPU on this
 * path than the verification (see Documentation/formats.md). Runs are
 * whole pages at page offsets from a page-aligned buffer; a file system
 * that refuses (EINVAL) gets buffered writes from then on. */
static void elfw_direct(struct elfw_run *w, int on)
{
	int fl = fcntl(w->fd, F_GETFL);

	if (fl < 0)
		return;
	fl = on ? fl | O_DIRECT : fl & ~O_DIRECT;
	if (fcntl(w->fd, F_SETFL, fl) == 0)
		w->direct = on;
}

static int elfw_pwrite(struct elfw_run *w, const void *buf, size_t len, uint64_t off)
{
	int rc = pwrite_full(w->fd, buf, len, off);

	if (rc == -EINVAL && w->direct) {
		/* the file system refused O_DIRECT for this piece: write it
		 * again (the same bytes at the same place) through the cache */
		elfw_direct(w, 0);
		if (!w->direct)
			rc = pwrite_full(w->fd, buf, len, off);
	}
	return rc;
}

static void *elfw_thread(void *arg)
{
	struct elfw_run *w = arg;
	int rc;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->busy)
			break;
		pthread_mutex_unlock(&w->mu);
		rc = elfw_pwrite(w, w->job, w->job_len, w->job_off);
		pthread_mutex_lock(&w->mu);
		if (rc && !w->err)
			w->err = rc;
		w->busy = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Wait until the thread has written what it was given: its first error. */
static int elfw_wait(struct elfw_run *w)
{
	int rc;

	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	rc = w->err;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* A writer thread when a second buffer and a thread can be had; else
 * every run is written by the caller. */
static void elfw_start(struct elfw_run *w)
{
	if (posix_memalign((void **)&w->spare, MI_PAGE, ELFW_RUN_MAX)) {
		w->spare = NULL;
		return;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thr, NULL, elfw_thread, w) == 0) {
		w->threaded = 1;
		return;
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->spare);
	w->spare = NULL;
}

/* Stop the thread after its last write: that write's error, or 0. */
static int elfw_stop(struct elfw_run *w)
{
	int rc;

	if (!w->threaded)
		return 0;
	rc = elfw_wait(w);
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thr, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	w->threaded = 0;
	return rc;
}

/* Write the run out, its end padded with zeros to a page boundary: the
 * caller only ends a run before a gap of at least ELFW_HOLE_MIN bytes or
 * at the end of the data, so the padding stands for zeros of the file.
 * With the thread, the buffer goes to it and the spare one is filled next. */
static int elfw_flush(struct elfw_run *w)
{
	size_t n = rd_align_up(w->len, MI_PAGE);
	uint8_t *b = w->buf;
	int rc;

	memset(w->buf + w->len, 0, n - w->len);
	if (w->threaded) {
		rc = elfw_wait(w);
		if (!rc) {
			pthread_mutex_lock(&w->mu);
			w->job = b;
			w->job_len = n;
			w->job_off = w->off;
			w->busy = 1;
			pthread_cond_broadcast(&w->cv);
			pthread_mutex_unlock(&w->mu);
			w->buf = w->spare;
			w->spare = b;
		}
	} else {
		rc = elfw_pwrite(w, b, n, w->off);
	}
	w->off += n;
	w->len = 0;
	return rc;
}

/* Append len bytes of zeros (data NULL) or of data to the run. */
static int elfw_fill(struct elfw_run *w, const uint8_t *data, size_t len)
{
	int rc;

	while (len) {
		size_t n = ELFW_RUN_MAX - w->len;

		if (!n) {
			rc = elfw_flush(w);	/* full: whole pages, nothing padded */
			if (rc)
				return rc;
			continue;
		}
		if (n > len)
			n = len;
		if (data) {
			memcpy(w->buf + w->len, data, n);
			data += n;
		} else {
			memset(w->buf + w->len, 0, n);
		}
		w->len += n;
		len -= n;
	}
	return 0;
}

/* Bytes that belong at file offset off (after the bytes put before).
 * A gap shorter than ELFW_HOLE_MIN is written as zeros; a longer one ends
 * the run and stays a hole. A new run starts at the page holding off,
 * zeros before off: pages of the file hold the data of one segment only
 * (elfw_split), so those bytes are zeros of the file. */
static int elfw_put(struct elfw_run *w, uint64_t off, const void *data, size_t len)
{
	uint64_t end = w->off + w->len;
	int rc;

	if (w->len && off > end && off - end < ELFW_HOLE_MIN) {
		rc = elfw_fill(w, NULL, off - end);
		if (rc)
			return rc;
		end = off;
	}
	if (w->len && end != off) {
		rc = elfw_flush(w);
		if (rc)
			return rc;
	}
	if (!w->len) {
		w->off = off & ~(uint64_t)(MI_PAGE - 1);
		rc = elfw_fill(w, NULL, off - w->off);
		if (rc)
			return rc;
	}
	return elfw_fill(w, data, len);
}

/* The notes without empty or malformed ones. Returns the size written to out. */
static size_t elfw_notes(const struct memimage *m, uint8_t *out)
{
	struct rd_note n;
	size_t pos = 0, start, len = 0;

	while (rd_note_next(m->notes, m->notes_size, &pos, &start, &n)) {
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

/* One PT_LOAD: [paddr, paddr + memsz), file bytes for the first filesz. */
struct elfw_seg {
	uint64_t paddr, vaddr, filesz, memsz, off;
	int copy;		/* its file bytes are written from this segment */
};

struct elfw_segs {
	struct elfw_seg *s;
	size_t n, cap;
};

static int elfw_seg_add(struct elfw_segs *v, const struct elfw_seg *g)
{
	struct elfw_seg *ns;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		ns = realloc(v->s, v->cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		v->s = ns;
	}
	v->s[v->n++] = *g;
	return 0;
}

/* First run that ends after paddr. */
static size_t elfw_run_from(const struct rd_excl_run *runs, size_t n, uint64_t paddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (runs[mid].paddr + (uint64_t)runs[mid].pages * MI_PAGE <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* a + b into *sum, -EFBIG when it overflows or is no file offset (off_t):
 * every file offset sum of the layout goes through here, whatever the
 * range table says. */
static int elfw_off_add(uint64_t a, uint64_t b, uint64_t *sum)
{
	if (__builtin_add_overflow(a, b, sum) || *sum > ELFW_MAX_OFF)
		return -EFBIG;
	return 0;
}

/* Split range r into segments around the excluded runs; file offsets are
 * taken from *data_off (advanced). A stretch of fewer than min_gap
 * excluded pages between kept pages stays inside the segment's file bytes
 * (a hole: never written); min_gap 1 cuts out every stretch. */
static int elfw_split(struct elfw_segs *v, const struct mi_range *r,
		      const struct rd_excl_run *runs, size_t nruns, uint64_t min_gap,
		      uint64_t *data_off)
{
	uint64_t pos = r->paddr, end = r->paddr + r->size, start;
	size_t k = elfw_run_from(runs, nruns, pos);
	struct elfw_seg g;

	while (pos < end) {
		uint64_t kept_end, ex_end;

		for (start = pos;;) {
			kept_end = end;
			if (k < nruns && runs[k].paddr < end)
				kept_end = runs[k].paddr > pos ? runs[k].paddr : pos;
			ex_end = kept_end;
			/* the excluded runs that follow, back to back */
			while (k < nruns && runs[k].paddr <= ex_end && ex_end < end) {
				uint64_t e = runs[k].paddr + (uint64_t)runs[k].pages * MI_PAGE;

				if (e > ex_end)
					ex_end = e;
				k++;
			}
			if (ex_end > end)
				ex_end = end;
			if (ex_end == end || kept_end == start || ex_end - kept_end >= min_gap * MI_PAGE)
				break;
			pos = ex_end;	/* a small stretch: the segment goes on */
		}
		pos = start;
		g.paddr = pos;
		g.vaddr = r->vaddr ? r->vaddr + (pos - r->paddr) : 0;
		g.filesz = kept_end - pos;
		g.memsz = ex_end - pos;
		g.copy = 1;
		if (elfw_off_add(*data_off, g.filesz ? (pos & (MI_PAGE - 1)) : 0, &g.off))
			return -EFBIG;
		if (g.filesz) {
			if (elfw_off_add(g.off, g.filesz, data_off))
				return -EFBIG;
			*data_off = rd_align_up(*data_off, MI_PAGE);	/* <= 2^63: no wrap */
		}
		if (elfw_seg_add(v, &g) < 0)
			return -ENOMEM;
		pos = ex_end;
	}
	return 0;
}

/* The alias range a, cut where the segments of its holder are cut. */
static int elfw_split_alias(struct elfw_segs *v, const struct mi_range *a,
			    const struct elfw_seg *hs, size_t nh)
{
	uint64_t end = a->paddr + a->size;
	struct elfw_seg g;
	size_t i;

	for (i = 0; i < nh; i++) {
		uint64_t s = hs[i].paddr > a->paddr ? hs[i].paddr : a->paddr;
		uint64_t e = hs[i].paddr + hs[i].memsz < end ? hs[i].paddr + hs[i].memsz : end;
		uint64_t fend = hs[i].paddr + hs[i].filesz;

		if (s >= e)
			continue;
		g.paddr = s;
		g.vaddr = a->vaddr + (s - a->paddr);
		g.memsz = e - s;
		g.filesz = fend > s ? (fend < e ? fend : e) - s : 0;
		g.off = hs[i].off + (s - hs[i].paddr);
		g.copy = 0;
		if (elfw_seg_add(v, &g) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Segments of the non-alias ranges (file offsets from 0 for now), then of
 * the aliases: cut like their holder, or standalone. first[i], count[i]:
 * range i's segments in v. */
static int elfw_layout(const struct memimage *m, const struct rd_excl_run *runs, size_t nruns,
		       uint64_t min_gap, const size_t *real, size_t nreal,
		       struct elfw_segs *v, size_t *first, size_t *count)
{
	uint64_t data_off = 0;
	size_t i;
	long h;
	int rc;

	v->n = 0;
	for (i = 0; i < m->nranges; i++) {
		if (m->ranges[i].flags & MI_ALIAS)
			continue;
		first[i] = v->n;
		rc = elfw_split(v, &m->ranges[i], runs, nruns, min_gap, &data_off);
		if (rc < 0)
			return rc;
		count[i] = v->n - first[i];
	}
	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];

		if (!(r->flags & MI_ALIAS))
			continue;
		first[i] = v->n;
		h = elfw_holder(m, real, nreal, r->paddr, r->size);
		if (h >= 0)
			rc = elfw_split_alias(v, r, v->s + first[h], count[h]);
		else
			rc = elfw_split(v, r, runs, nruns, min_gap, &data_off);
		if (rc < 0)
			return rc;
		count[i] = v->n - first[i];
	}
	return 0;
}

int mi_write_elf(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz)
{
	struct elfw_run w = { .fd = fd };
	struct elfw_segs v = { 0 };
	struct rd_excl_run *runs = NULL;
	size_t *real = NULL, nreal = 0, *first = NULL, *count = NULL, nruns = 0, excl_size = 0;
	uint64_t nph, hdr_len, notes_off, data_off, total = 0, done = 0, file_end;
	uint8_t *head = NULL, *page = NULL;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t i, j, notes_len;
	int rc = -ENOMEM, werr;

	rc = mi_extent_check(m, msg, msgsz);	/* the writers' one size rule */
	if (rc < 0)
		return rc;
	if (excl_scan(m, &runs, &nruns, NULL) < 0)
		goto nomem;
	if (nruns || m->dump_level)
		excl_size = excl_note_size(nruns);
	first = calloc(m->nranges + 1, sizeof(*first));
	count = calloc(m->nranges + 1, sizeof(*count));
	real = calloc(m->nranges + 1, sizeof(*real));
	if (posix_memalign((void **)&w.buf, MI_PAGE, ELFW_RUN_MAX))
		w.buf = NULL;
	page = malloc(MI_PAGE);
	if (!first || !count || !real || !w.buf || !page)
		goto nomem;
	for (i = 0; i < m->nranges; i++)
		if (!(m->ranges[i].flags & MI_ALIAS))
			real[nreal++] = i;

	rc = elfw_layout(m, runs, nruns, 1, real, nreal, &v, first, count);
	if (!rc && v.n > ELFW_MAX_SEGS)
		rc = elfw_layout(m, runs, nruns, ELFW_SMALL_GAP, real, nreal, &v, first, count);
	if (rc == -ENOMEM)
		goto nomem;
	if (rc)
		goto toobig;

	nph = 1 + v.n;
	hdr_len = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr) +
		  (nph >= PN_XNUM ? sizeof(Elf64_Shdr) : 0);
	notes_off = hdr_len;
	head = calloc(1, hdr_len + m->notes_size + excl_size + 1);
	if (!head)
		goto nomem;
	notes_len = elfw_notes(m, head + notes_off);
	if (excl_size) {
		excl_note_put(head + notes_off + notes_len, m->dump_level, runs, nruns);
		notes_len += excl_size;
	}
	data_off = rd_align_up(notes_off + notes_len, MI_PAGE);
	file_end = data_off;
	for (j = 0; j < v.n; j++) {
		uint64_t end;

		if (elfw_off_add(v.s[j].off, data_off, &v.s[j].off) ||
		    elfw_off_add(v.s[j].off, v.s[j].filesz, &end))
			goto toobig;
		if (v.s[j].copy)
			total += v.s[j].filesz;
		if (v.s[j].filesz && end > file_end)
			file_end = end;
	}
	file_end = rd_align_up(file_end, MI_PAGE);

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
	/* program headers in range order, as the ranges (kernel text first
	 * when the input had it first) */
	for (i = 0, j = 1; i < m->nranges; i++) {
		size_t k;

		for (k = first[i]; k < first[i] + count[i]; k++, j++) {
			const struct elfw_seg *g = &v.s[k];

			ph[j].p_type = PT_LOAD;
			ph[j].p_flags = PF_R | PF_W | PF_X;
			ph[j].p_offset = g->off;
			ph[j].p_paddr = g->paddr;
			ph[j].p_vaddr = g->vaddr;
			ph[j].p_filesz = g->filesz;
			ph[j].p_memsz = g->memsz;
			ph[j].p_align = 0;
		}
	}

	elfw_direct(&w, 1);
	elfw_start(&w);
	for (j = 0; j < v.n; j++) {
		const struct elfw_seg *g = &v.s[j];

		if (!g->copy || !g->filesz)
			continue;
		rc = elfw_copy(m, &w, page, g->paddr, g->filesz, g->off, pr, ctx, &done, total);
		if (rc) {
			snprintf(msg, msgsz, "copying memory at 0x%llx: %s",
				 (unsigned long long)g->paddr, strerror(-rc));
			goto out;
		}
	}
	rc = w.len ? elfw_flush(&w) : 0;
	werr = elfw_stop(&w);
	if (!rc)
		rc = werr;
	if (w.direct)
		elfw_direct(&w, 0);
	if (!rc)
		rc = elfw_pwrite(&w, head, notes_off + notes_len, 0);
	if (!rc && ftruncate(fd, (off_t)file_end) != 0)
		rc = -errno;
	if (rc) {
		snprintf(msg, msgsz, "writing the vmcore: %s", strerror(-rc));
		goto out;
	}
	if (pr)
		pr(ctx, total, total);
	goto out;
nomem:
	rc = -ENOMEM;
	snprintf(msg, msgsz, "out of memory");
	goto out;
toobig:
	rc = -EFBIG;
	snprintf(msg, msgsz, "the memory ranges need file offsets past 2^63");
out:
	free(head);
	free(v.s);
	free(runs);
	free(first);
	free(count);
	free(real);
	elfw_stop(&w);
	free(w.buf);
	free(w.spare);
	free(page);
	return rc;
}
