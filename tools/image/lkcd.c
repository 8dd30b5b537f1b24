/*
 * tools/image/lkcd.c - LKCD ("lcrash") v8/v9 dump writer and reader, x86-64.
 *
 * Follows LKCD's dump_header_t / dump_header_asm_t / dump_page_t as the
 * crash utility reads them (lkcd_v8.c, lkcd_dump_v8.h, lkcd_x86_64): see
 * /work/shared/reference/dump-formats.md and Documentation/formats.md.
 *
 *   0        dump header (734 bytes; v9: + u64 dump_buffer_size)
 *   734/742  x86-64 arch header: registers of every CPU (from NT_PRSTATUS)
 *   ...      rawdump extension ("RDLKCDX1"): the original range table and
 *            ELF notes, so that LKCD -> ELF keeps VMCOREINFO and the
 *            registers exactly; crash never looks here
 *   65536    (v9: dump_buffer_size) page records: dump_page_t + data, in
 *            ascending physical order, each page once; zero pages are RAW
 *            records of size 0, others zlib ("GZIP") or RAW, then END.
 *
 * v8 is written unless the arch header and extension do not fit below
 * 64 KiB (many CPUs); then v9 with a larger dump_buffer_size.
 *
 * Filtered dumps: LKCD says what was dumped with dh_dump_level (1 header,
 * 2 KERN: kernel pages, 4 USED: kernel and user pages, 8 ALL_RAM, 16 ALL;
 * crash only prints it). Excluded pages get no record; the level written
 * is ALL_RAM when nothing was excluded, USED when only zero, cache or free
 * pages were, KERN when user pages (or pages of unknown class) were. The
 * extension's notes carry rawdump's excluded-pages note (tools/image/excl.h) with
 * the classes. Reading, a page of the ranges without a record is excluded
 * when that note says so, or, without the note, when the level is KERN or
 * USED (no ALL_RAM/ALL bit); otherwise it is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rawdump/format.h"
#include "formats.h"
#include "bytes.h"
#include "pages.h"
#include "disk/io.h"
#include "excl.h"
#include "kinfo.h"

#define LKCD_MAGIC		0xa8190173618f23edull
#define LKCD_MAGIC_LIVE		0xa8190173618f23cdull
#define LKCD_VERSION_FLAGS	0xc0000000u
#define LKCD_HDR_SIZE_V8	734u
#define LKCD_HDR_SIZE_V9	742u
#define LKCD_PAGE_OFFSET_V8	65536u
#define LKCD_LEVEL_KERN		2u
#define LKCD_LEVEL_USED		4u
#define LKCD_LEVEL_ALL_RAM	8u
#define LKCD_LEVEL_ALL		16u
#define LKCD_COMPRESS_NONE	0u
#define LKCD_COMPRESS_RLE	1u
#define LKCD_COMPRESS_GZIP	2u

#define LKCD_DP_RAW		0x1u
#define LKCD_DP_COMPRESSED	0x2u
#define LKCD_DP_END		0x4u
#define LKCD_DP_HDR		16u

#define LKCD_ASM_MAGIC		0xdeaddeadull
#define LKCD_ASM_VERSION	2u
#define LKCD_ASM_FIXED		192u	/* through dumping_cpu */
#define LKCD_ASM_PER_CPU	192u	/* pt_regs + current_task + stack + stack_ptr */
#define LKCD_PT_REGS		21u	/* u64s of x86-64 struct pt_regs */

#define LKCD_EXT_MAGIC		"RDLKCDX1"
#define LKCD_EXT_HDR		32u
#define LKCD_EXT_RANGE		32u
#define LKCD_MAX_CPUS		8192u
#define LKCD_MAX_NOTES		(16u << 20)
#define LKCD_ZLEVEL		Z_BEST_SPEED
#define LKCD_WBUF		(1u << 20)

/* dump_header_t field offsets (packed) */
enum {
	DH_MAGIC = 0, DH_VERSION = 8, DH_HEADER_SIZE = 12, DH_DUMP_LEVEL = 16,
	DH_PAGE_SIZE = 20, DH_MEMORY_SIZE = 24, DH_MEMORY_START = 32,
	DH_MEMORY_END = 40, DH_NUM_PAGES = 48, DH_PANIC_STRING = 52,
	DH_TIME = 308, DH_UTSNAME = 324, DH_CURRENT_TASK = 714,
	DH_DUMP_COMPRESS = 722, DH_DUMP_FLAGS = 726, DH_DUMP_DEVICE = 730,
	DH_DUMP_BUFFER_SIZE = 734,
};


int lkcd_probe(const void *head, size_t len)
{
	uint64_t magic;
	uint32_t ver;

	if (len < 12)
		return 0;
	memcpy(&magic, head, 8);
	memcpy(&ver, (const uint8_t *)head + 8, 4);
	ver &= ~LKCD_VERSION_FLAGS;
	return (magic == LKCD_MAGIC || magic == LKCD_MAGIC_LIVE) && ver >= 8 && ver <= 10;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

struct lkcd_out {
	int fd;
	uint64_t off;		/* file offset of buf[0] */
	uint8_t *buf;
	size_t len;
};

static int lkcd_out_flush(struct lkcd_out *o)
{
	int rc = pwrite_full(o->fd, o->buf, o->len, o->off);

	o->off += o->len;
	o->len = 0;
	return rc;
}

static int lkcd_out_add(struct lkcd_out *o, const void *p, size_t n)
{
	int rc;

	if (o->len + n > LKCD_WBUF) {
		rc = lkcd_out_flush(o);
		if (rc < 0)
			return rc;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int lkcd_out_page(struct lkcd_out *o, uint64_t paddr, uint32_t size, uint32_t flags,
			 const void *data)
{
	uint8_t hdr[LKCD_DP_HDR];
	int rc;

	put64(hdr, paddr);
	put32(hdr + 8, size);
	put32(hdr + 12, flags);
	rc = lkcd_out_add(o, hdr, sizeof(hdr));
	if (rc == 0 && size)
		rc = lkcd_out_add(o, data, size);
	return rc;
}

/* Header area: dump header, arch header, extension. Returns its size in
 * *len (a malloc'd buffer in *out) and the page offset in *page_off. */
static int lkcd_build_header(struct memimage *m, const struct kinfo *ki, uint64_t num_pages,
			     const struct rd_excl_run *runs, size_t nruns, size_t excl_size,
			     uint32_t level, uint8_t **out, size_t *len, uint64_t *page_off)
{
	uint32_t ncpu = ki->ncpus, version = 8, hsize = LKCD_HDR_SIZE_V8, c, i;
	uint64_t lo = UINT64_MAX, hi = 0, mem_pages = 0, ext_off, need, poff = LKCD_PAGE_OFFSET_V8;
	size_t asm_size, nranges = m->nranges, ext_size;
	uint8_t *h, *a, *e;

	if (ncpu > LKCD_MAX_CPUS)
		ncpu = LKCD_MAX_CPUS;
	asm_size = LKCD_ASM_FIXED + (size_t)LKCD_ASM_PER_CPU * (ncpu ? ncpu : 1);
	ext_size = LKCD_EXT_HDR + nranges * LKCD_EXT_RANGE + m->notes_size + excl_size;
	need = rd_align_up(LKCD_HDR_SIZE_V8 + asm_size, 8) + ext_size;
	if (need > LKCD_PAGE_OFFSET_V8) {
		version = 9;
		hsize = LKCD_HDR_SIZE_V9;
		need = rd_align_up(LKCD_HDR_SIZE_V9 + asm_size, 8) + ext_size;
		poff = rd_align_up(need, LKCD_PAGE_OFFSET_V8);
	}
	h = calloc(1, poff);
	if (!h)
		return -ENOMEM;

	for (i = 0; i < m->nranges; i++) {
		if (m->ranges[i].flags & MI_ALIAS)
			continue;
		if (m->ranges[i].paddr < lo)
			lo = m->ranges[i].paddr;
		if (m->ranges[i].paddr + m->ranges[i].size > hi)
			hi = m->ranges[i].paddr + m->ranges[i].size;
		mem_pages += (m->ranges[i].size + MI_PAGE - 1) / MI_PAGE;
	}
	put64(h + DH_MAGIC, LKCD_MAGIC);
	put32(h + DH_VERSION, version);
	put32(h + DH_HEADER_SIZE, hsize);
	put32(h + DH_DUMP_LEVEL, level);
	put32(h + DH_PAGE_SIZE, MI_PAGE);
	put64(h + DH_MEMORY_SIZE, mem_pages);
	put64(h + DH_MEMORY_START, lo == UINT64_MAX ? 0 : lo);
	put64(h + DH_MEMORY_END, hi);
	put32(h + DH_NUM_PAGES, num_pages > UINT32_MAX ? UINT32_MAX : (uint32_t)num_pages);
	snprintf((char *)h + DH_PANIC_STRING, 256, "%s", ki->panic);
	put64(h + DH_TIME, ki->crash_time);
	kinfo_put_utsname(ki, h + DH_UTSNAME);
	put32(h + DH_DUMP_COMPRESS, LKCD_COMPRESS_GZIP);
	if (version >= 9)
		put64(h + DH_DUMP_BUFFER_SIZE, poff);

	/* arch header: every CPU's pt_regs = the first 21 u64s of its pr_reg */
	a = h + hsize;
	put64(a, LKCD_ASM_MAGIC);
	put32(a + 8, LKCD_ASM_VERSION);
	put32(a + 12, (uint32_t)asm_size);
	if (ki->crashed_cpu >= 0 && (uint32_t)ki->crashed_cpu < ncpu)
		memcpy(a + 16, ki->cpus[ki->crashed_cpu].regs, LKCD_PT_REGS * 8);
	put32(a + 184, ncpu);
	put32(a + 188, ki->crashed_cpu >= 0 ? (uint32_t)ki->crashed_cpu : 0);
	for (c = 0; c < ncpu; c++) {
		memcpy(a + LKCD_ASM_FIXED + (size_t)c * LKCD_PT_REGS * 8, ki->cpus[c].regs,
		       LKCD_PT_REGS * 8);
		/* stack_ptr[c] */
		put64(a + LKCD_ASM_FIXED + (size_t)ncpu * (LKCD_PT_REGS * 8 + 16) + (size_t)c * 8,
		      ki->cpus[c].regs[KR_RSP]);
	}

	/* rawdump extension */
	ext_off = rd_align_up(hsize + asm_size, 8);
	e = h + ext_off;
	memcpy(e, LKCD_EXT_MAGIC, 8);
	put32(e + 8, 1);
	put32(e + 12, (uint32_t)nranges);
	put64(e + 16, m->notes_size + excl_size);
	for (i = 0; i < m->nranges; i++) {
		uint8_t *r = e + LKCD_EXT_HDR + (size_t)i * LKCD_EXT_RANGE;

		put64(r, m->ranges[i].paddr);
		put64(r + 8, m->ranges[i].vaddr);
		put64(r + 16, m->ranges[i].size);
		put32(r + 24, m->ranges[i].flags);
	}
	if (m->notes_size)
		memcpy(e + LKCD_EXT_HDR + nranges * LKCD_EXT_RANGE, m->notes, m->notes_size);
	if (excl_size)
		excl_note_put(e + LKCD_EXT_HDR + nranges * LKCD_EXT_RANGE + m->notes_size,
			      m->dump_level, runs, nruns);
	put32(e + 28, (uint32_t)crc32(0, e + LKCD_EXT_HDR, (uInt)(ext_size - LKCD_EXT_HDR)));
	put32(e + 24, (uint32_t)crc32(0, e, 24));

	*out = h;
	*len = poff;
	*page_off = poff;
	return 0;
}

int mi_write_lkcd(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz)
{
	uint8_t page[MI_PAGE], *hdr = NULL;
	struct lkcd_out o = { .fd = fd };
	struct mi_pages it;
	struct kinfo ki;
	uint64_t paddr, total, done = 0, written = 0, counts[MI_CLASS_SLOTS];
	struct rd_excl_run *runs = NULL;
	size_t nruns = 0, excl_size = 0;
	uint32_t level = LKCD_LEVEL_ALL_RAM;
	uLongf zlen;
	uint8_t *zbuf = NULL;
	size_t hlen;
	int rc, st;

	kinfo_gather(m, &ki);
	/* the writers' one size rule: a range past MI_MAX_PHYS would be walked
	 * page by page for ever */
	rc = mi_extent_check(m, msg, msgsz);
	if (rc < 0)
		goto free_all;
	rc = excl_scan(m, &runs, &nruns, counts);
	if (rc < 0) {
		snprintf(msg, msgsz, "out of memory");
		goto free_all;
	}
	if (nruns || m->dump_level)
		excl_size = excl_note_size(nruns);
	if (counts[3] || counts[MI_CLASS_SLOTS - 1])
		level = LKCD_LEVEL_KERN;
	else if (nruns)
		level = LKCD_LEVEL_USED;
	total = mi_pages_total(m);
	o.buf = malloc(LKCD_WBUF);
	zbuf = malloc(compressBound(MI_PAGE));
	if (!o.buf || !zbuf) {
		rc = -ENOMEM;
		snprintf(msg, msgsz, "out of memory");
		goto free_all;
	}
	rc = lkcd_build_header(m, &ki, total, runs, nruns, excl_size, level, &hdr, &hlen, &o.off);
	if (rc < 0) {
		snprintf(msg, msgsz, "out of memory");
		goto free_all;
	}
	mi_pages_init(&it, m);
	while (mi_pages_next(&it, &paddr)) {
		st = mi_read_page(m, paddr, page);
		if (st < 0) {
			rc = st;
			snprintf(msg, msgsz, "reading page 0x%" PRIx64 ": %s", paddr, strerror(-st));
			goto free_all;
		}
		if (st == MI_MISSING || st == MI_EXCLUDED) {
			/* not in the input, or left out: no record, crash
			 * reports it as not dumped */
		} else if (st == MI_ZERO || mi_page_is_zero(page)) {
			rc = lkcd_out_page(&o, paddr, 0, LKCD_DP_RAW, NULL);
			written++;
		} else {
			zlen = compressBound(MI_PAGE);
			if (compress2(zbuf, &zlen, page, MI_PAGE, LKCD_ZLEVEL) == Z_OK && zlen < MI_PAGE)
				rc = lkcd_out_page(&o, paddr, (uint32_t)zlen, LKCD_DP_COMPRESSED, zbuf);
			else
				rc = lkcd_out_page(&o, paddr, MI_PAGE, LKCD_DP_RAW, page);
			written++;
		}
		if (rc < 0) {
			snprintf(msg, msgsz, "write: %s", strerror(-rc));
			goto free_all;
		}
		if (pr && (++done & 255) == 0)
			pr(ctx, done * MI_PAGE, total * MI_PAGE);
	}
	rc = lkcd_out_page(&o, 0, 0, LKCD_DP_END, NULL);
	if (rc == 0)
		rc = lkcd_out_flush(&o);
	/* the header goes last: num_pages is what was really written */
	put32(hdr + DH_NUM_PAGES, written > UINT32_MAX ? UINT32_MAX : (uint32_t)written);
	if (rc == 0)
		rc = pwrite_full(fd, hdr, hlen, 0);
	if (rc < 0) {
		snprintf(msg, msgsz, "write: %s", strerror(-rc));
		goto free_all;
	}
	if (pr)
		pr(ctx, total * MI_PAGE, total * MI_PAGE);
free_all:
	free(runs);
	free(hdr);
	free(zbuf);
	free(o.buf);
	kinfo_free(&ki);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

struct lkcd_rec {
	uint64_t paddr;
	uint64_t off;		/* file offset of the data */
	uint32_t size;
	uint32_t flags;
};

struct lkcd_priv {
	int fd;
	uint32_t compress;
	int filtered;		/* level KERN or USED: pages without a record
				 * were left out (when no rawdump note says) */
	struct lkcd_rec *recs;	/* sorted by paddr, unique */
	size_t nrecs;
	uint8_t *cbuf;
};

/* LKCD RLE: a non-zero byte is itself; 0,0 is a zero; 0,n,v is n+1 v's. */
static int lkcd_rle_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t i = 0, o = 0, n;

	while (i < inlen) {
		if (in[i] != 0) {
			if (o >= outlen)
				return -EINVAL;
			out[o++] = in[i++];
		} else if (i + 1 < inlen && in[i + 1] == 0) {
			if (o >= outlen)
				return -EINVAL;
			out[o++] = 0;
			i += 2;
		} else if (i + 2 < inlen) {
			n = (size_t)in[i + 1] + 1;
			if (o + n > outlen)
				return -EINVAL;
			memset(out + o, in[i + 2], n);
			o += n;
			i += 3;
		} else {
			return -EINVAL;
		}
	}
	return o == outlen ? 0 : -EINVAL;
}

static const struct lkcd_rec *lkcd_find(const struct lkcd_priv *p, uint64_t paddr)
{
	size_t lo = 0, hi = p->nrecs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->recs[mid].paddr == paddr)
			return &p->recs[mid];
		if (p->recs[mid].paddr < paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int lkcd_page_class(struct memimage *m, uint64_t paddr)
{
	struct lkcd_priv *p = m->priv;

	return p->filtered && !lkcd_find(p, paddr) ? (int)MI_CLASS_UNKNOWN : 0;
}

static int lkcd_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	struct lkcd_priv *p = m->priv;
	const struct lkcd_rec *r = lkcd_find(p, paddr);
	uLongf dlen = MI_PAGE;
	int rc;

	memset(buf, 0, MI_PAGE);
	if (!r)
		return mi_page_class(m, paddr) ? MI_EXCLUDED : MI_MISSING;
	if (r->size == 0)
		return MI_ZERO;
	if (r->flags & LKCD_DP_RAW) {
		rc = pread_full(p->fd, buf, r->size < MI_PAGE ? r->size : MI_PAGE, r->off);
		return rc < 0 ? rc : MI_DATA;
	}
	rc = pread_full(p->fd, p->cbuf, r->size, r->off);
	if (rc < 0)
		return rc;
	if (p->compress == LKCD_COMPRESS_RLE)
		rc = lkcd_rle_decode(p->cbuf, r->size, buf, MI_PAGE);
	else
		rc = (uncompress(buf, &dlen, p->cbuf, r->size) == Z_OK && dlen == MI_PAGE) ? 0 : -EINVAL;
	if (rc < 0)
		return mi_page_corrupt(m, buf);
	return MI_DATA;
}

static void lkcd_close(struct memimage *m)
{
	struct lkcd_priv *p = m->priv;

	if (!p)
		return;
	close(p->fd);
	free(p->recs);
	free(p->cbuf);
	free(p);
}

static const struct memimage_ops lkcd_ops = {
	.read_page = lkcd_read_page,
	.close = lkcd_close,
	.page_class = lkcd_page_class,
};

static int lkcd_rec_cmp(const void *a, const void *b)
{
	const struct lkcd_rec *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Scan every page record from page_off. 0, or -errno on an I/O error;
 * *partial set when the file ends before an END record or a record is
 * implausible. */
static int lkcd_scan(struct lkcd_priv *p, uint64_t page_off, uint64_t fsize, int *partial)
{
	uint8_t hdr[LKCD_DP_HDR];
	uint64_t off = page_off;
	size_t cap = 0, i, j;
	struct lkcd_rec *n;
	uint32_t size, flags;
	int rc;

	*partial = 1;
	while (off + LKCD_DP_HDR <= fsize) {
		rc = pread_full(p->fd, hdr, sizeof(hdr), off);
		if (rc < 0)
			return rc;
		size = get32(hdr + 8);
		flags = get32(hdr + 12);
		if (flags & LKCD_DP_END) {
			*partial = 0;
			break;
		}
		if ((get64(hdr) & (MI_PAGE - 1)) || size > 2 * MI_PAGE ||
		    !(flags & (LKCD_DP_RAW | LKCD_DP_COMPRESSED)) ||
		    ((flags & LKCD_DP_RAW) && size != 0 && size != MI_PAGE) ||
		    off + LKCD_DP_HDR + size > fsize)
			break;
		if (p->nrecs == cap) {
			cap = cap ? cap * 2 : 256;
			n = realloc(p->recs, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			p->recs = n;
		}
		p->recs[p->nrecs].paddr = get64(hdr);
		p->recs[p->nrecs].off = off + LKCD_DP_HDR;
		p->recs[p->nrecs].size = size;
		p->recs[p->nrecs].flags = flags;
		p->nrecs++;
		off += LKCD_DP_HDR + size;
	}
	if (p->nrecs)
		qsort(p->recs, p->nrecs, sizeof(*p->recs), lkcd_rec_cmp);
	for (i = j = 0; i < p->nrecs; i++)	/* first record of a page wins */
		if (j == 0 || p->recs[j - 1].paddr != p->recs[i].paddr)
			p->recs[j++] = p->recs[i];
	p->nrecs = j;
	return 0;
}

/* Ranges from runs of consecutive recorded pages (files without the
 * rawdump extension). */
static int lkcd_ranges_from_recs(struct memimage *m, const struct lkcd_priv *p)
{
	size_t i, n = 0;

	m->ranges = calloc(p->nrecs ? p->nrecs : 1, sizeof(*m->ranges));
	if (!m->ranges)
		return -ENOMEM;
	for (i = 0; i < p->nrecs; i++) {
		if (n && m->ranges[n - 1].paddr + m->ranges[n - 1].size == p->recs[i].paddr) {
			m->ranges[n - 1].size += MI_PAGE;
			continue;
		}
		m->ranges[n].paddr = p->recs[i].paddr;
		m->ranges[n].size = MI_PAGE;
		n++;
	}
	m->nranges = n;
	return 0;
}

/* The rawdump extension after the arch header: ranges and notes. 0 if
 * found and valid, -ENOENT otherwise. */
static int lkcd_read_ext(struct memimage *m, const uint8_t *area, size_t area_len)
{
	uint32_t nranges, i;
	uint64_t notes_size;
	const uint8_t *r;
	char why[128];
	size_t body;
	int rc;

	if (area_len < LKCD_EXT_HDR || memcmp(area, LKCD_EXT_MAGIC, 8) != 0 || get32(area + 8) != 1 ||
	    get32(area + 24) != (uint32_t)crc32(0, area, 24))
		return -ENOENT;
	nranges = get32(area + 12);
	notes_size = get64(area + 16);
	if (nranges > (area_len - LKCD_EXT_HDR) / LKCD_EXT_RANGE ||
	    notes_size > area_len - LKCD_EXT_HDR - (size_t)nranges * LKCD_EXT_RANGE)
		return -ENOENT;
	body = (size_t)nranges * LKCD_EXT_RANGE + notes_size;
	if (get32(area + 28) != (uint32_t)crc32(0, area + LKCD_EXT_HDR, (uInt)body))
		return -ENOENT;
	m->ranges = calloc(nranges ? nranges : 1, sizeof(*m->ranges));
	if (!m->ranges)
		return -ENOMEM;
	for (i = 0; i < nranges; i++) {
		r = area + LKCD_EXT_HDR + (size_t)i * LKCD_EXT_RANGE;
		m->ranges[i].paddr = get64(r);
		m->ranges[i].vaddr = get64(r + 8);
		m->ranges[i].size = get64(r + 16);
		m->ranges[i].flags = get32(r + 24) & MI_ALIAS;
	}
	/* the readers' range rules (overlaps, aliases inside real memory):
	 * a table breaking them is not used */
	rc = mi_ranges_check(m->ranges, nranges, why, sizeof(why));
	if (rc < 0) {
		free(m->ranges);
		m->ranges = NULL;
		return rc == -ENOMEM ? rc : -ENOENT;
	}
	m->nranges = nranges;
	if (notes_size) {
		m->notes = malloc(notes_size);
		if (!m->notes)
			return -ENOMEM;
		memcpy(m->notes, area + LKCD_EXT_HDR + (size_t)nranges * LKCD_EXT_RANGE, notes_size);
		m->notes_size = notes_size;
	}
	return 0;
}

/* NT_PRSTATUS notes made from the arch header's smp_regs, for LKCD files
 * without the extension (pr_pid = cpu + 1: gdb needs distinct ids). */
static int lkcd_notes_from_asm(struct memimage *m, const uint8_t *a, uint32_t ncpu)
{
	const size_t note = 12 + 8 + 336;
	uint8_t *n;
	uint32_t c, pid;

	m->notes = calloc(ncpu ? ncpu : 1, note);
	if (!m->notes)
		return -ENOMEM;
	for (c = 0; c < ncpu; c++) {
		n = m->notes + (size_t)c * note;
		put32(n, 5);
		put32(n + 4, 336);
		put32(n + 8, 1);
		memcpy(n + 12, "CORE", 5);
		pid = c + 1;
		memcpy(n + 20 + 32, &pid, 4);
		memcpy(n + 20 + 112, a + LKCD_ASM_FIXED + (size_t)c * LKCD_PT_REGS * 8, LKCD_PT_REGS * 8);
	}
	m->notes_size = (size_t)ncpu * note;
	m->cpu_count = ncpu;
	return 0;
}

/* Pages of the (non-alias) ranges that have no record: excluded ones are
 * counted by class in m->excluded_pages[], the others returned. */
static uint64_t lkcd_count_missing(struct memimage *m, const struct lkcd_priv *p)
{
	struct mi_pages it;
	uint64_t paddr, missing = 0;
	size_t j = 0;
	int cls;

	if (!m->excl_runs)
		memset(m->excluded_pages, 0, sizeof(m->excluded_pages));
	mi_pages_init(&it, m);
	while (mi_pages_next(&it, &paddr)) {
		while (j < p->nrecs && p->recs[j].paddr < paddr)
			j++;
		if (j < p->nrecs && p->recs[j].paddr == paddr)
			continue;
		cls = mi_page_class(m, paddr);
		if (!cls)
			missing++;
		else if (!m->excl_runs)
			m->excluded_pages[mi_class_slot((uint32_t)cls)]++;
	}
	return missing;
}

struct memimage *mi_open_lkcd(int fd, const char *path, char *err, size_t errsz)
{
	struct memimage *m = NULL;
	struct lkcd_priv *p = NULL;
	uint8_t *area = NULL;
	uint32_t version, hsize, asm_size = 0, ncpu = 0;
	uint64_t page_off = LKCD_PAGE_OFFSET_V8, hlen, time_sec;
	struct stat st;
	int partial = 0, rc;
	const char *why = "out of memory";

	if (fstat(fd, &st) < 0 || st.st_size < (off_t)LKCD_HDR_SIZE_V9) {
		why = "too short for an LKCD header";
		goto fail;
	}
	area = malloc(LKCD_PAGE_OFFSET_V8);
	if (!area)
		goto fail;
	if (pread_full(fd, area, LKCD_HDR_SIZE_V9, 0) < 0 || !lkcd_probe(area, LKCD_HDR_SIZE_V9)) {
		why = "not an LKCD v8/v9 dump";
		goto fail;
	}
	version = get32(area + DH_VERSION) & ~LKCD_VERSION_FLAGS;
	hsize = get32(area + DH_HEADER_SIZE);
	if (get32(area + DH_PAGE_SIZE) != MI_PAGE) {
		why = "LKCD page size is not 4096";
		goto fail;
	}
	if (version >= 9) {
		page_off = get64(area + DH_DUMP_BUFFER_SIZE);
		if (page_off < LKCD_HDR_SIZE_V9 || page_off > (uint64_t)st.st_size)
			page_off = LKCD_PAGE_OFFSET_V8;
	}
	if (hsize < LKCD_HDR_SIZE_V8 || hsize >= page_off || page_off > (64u << 20)) {
		why = "LKCD header size implausible";
		goto fail;
	}
	/* a file shorter than page_off (truncated) has only hlen header
	 * bytes: nothing past them is parsed */
	hlen = page_off < (uint64_t)st.st_size ? page_off : (uint64_t)st.st_size;
	free(area);
	area = calloc(1, page_off);
	if (!area)
		goto fail;
	if (pread_full(fd, area, hlen, 0) < 0) {
		why = "cannot read the LKCD header";
		goto fail;
	}

	m = calloc(1, sizeof(*m));
	p = calloc(1, sizeof(*p));
	if (!m || !p)
		goto fail;
	p->fd = fd;
	p->compress = get32(area + DH_DUMP_COMPRESS);
	p->cbuf = malloc(2 * MI_PAGE);
	if (!p->cbuf)
		goto fail;
	m->ops = &lkcd_ops;
	m->priv = p;
	m->kind = "lkcd";

	if (hsize + LKCD_ASM_FIXED <= hlen && get64(area + hsize) == LKCD_ASM_MAGIC) {
		asm_size = get32(area + hsize + 12);
		if (asm_size < LKCD_ASM_FIXED || asm_size > hlen - hsize)
			asm_size = 0;
		else
			ncpu = (asm_size - LKCD_ASM_FIXED) / LKCD_ASM_PER_CPU;
	}
	rc = lkcd_scan(p, page_off, (uint64_t)st.st_size, &partial);
	if (rc < 0) {
		why = "cannot read the LKCD page records";
		goto fail;
	}
	m->partial = partial;
	rc = -ENOENT;
	if (asm_size) {
		size_t ext = rd_align_up(hsize + asm_size, 8);

		if (ext < hlen)
			rc = lkcd_read_ext(m, area + ext, hlen - ext);
	}
	if (rc == -ENOMEM)
		goto fail;
	if (rc < 0) {
		if (lkcd_ranges_from_recs(m, p) < 0)
			goto fail;
		if (asm_size && lkcd_notes_from_asm(m, area + hsize, ncpu) < 0)
			goto fail;
	} else {
		struct kinfo_cpu *cpus = NULL;

		if (kinfo_parse_cpus(m->notes, m->notes_size, &cpus, &m->cpu_count) == 0)
			free(cpus);
	}
	if (!m->cpu_count)
		m->cpu_count = ncpu;
	{
		uint32_t level = get32(area + DH_DUMP_LEVEL);

		p->filtered = !(level & (LKCD_LEVEL_ALL_RAM | LKCD_LEVEL_ALL)) &&
			      (level & (LKCD_LEVEL_KERN | LKCD_LEVEL_USED));
	}
	if (m->notes && excl_note_take(m) == -ENOMEM)
		goto fail;
	m->missing_bytes = lkcd_count_missing(m, p) * MI_PAGE;
	if (m->missing_bytes)
		m->partial = 1;
	memcpy(m->kernel_release, area + DH_UTSNAME + 2 * KINFO_UTS_LEN, KINFO_UTS_LEN);
	m->kernel_release[sizeof(m->kernel_release) - 1] = '\0';
	time_sec = get64(area + DH_TIME);
	m->crash_time = time_sec;
	free(area);
	(void)path;
	return m;
fail:
	snprintf(err, errsz, "%s", why);
	free(area);
	if (m) {
		free(m->ranges);
		free(m->notes);
		free(m->excl_runs);
		free(m);
	}
	if (p) {
		free(p->recs);
		free(p->cbuf);
		free(p);
	}
	return NULL;
}
