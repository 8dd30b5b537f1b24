/*
 * tools/image/kdump.c - kdump-compressed ("KDUMP   ", header version 6) writer and
 * reader, the format of makedumpfile -c that crash and makedumpfile read.
 *
 * Follows makedumpfile's diskdump_mod.h (disk_dump_header, kdump_sub_header,
 * page_desc_t) as described in /work/shared/reference/dump-formats.md:
 *
 *   block 0             disk_dump_header
 *   block 1             kdump_sub_header (phys_base, notes location), the
 *                       crashed kernel's ELF notes right after it, then a
 *                       "RAWDUMP" note with the range table (virtual
 *                       addresses, kernel-text alias) that crash and
 *                       makedumpfile skip and the reader takes back out
 *   1 + sub_hdr_size    bitmap 1 (pfn is RAM), then bitmap 2 (pfn dumped)
 *   then                page_desc_t per set bit of bitmap 2, in pfn order;
 *                       room is reserved for every RAM page that is not
 *                       excluded, so pages the input lacks leave unused
 *                       space at the end
 *   then                page data: one shared compressed zero page first,
 *                       then every other page compressed, or raw when
 *                       compression does not shrink it. zlib (level 1),
 *                       or zstd (level 1, header and page flag 0x20, which
 *                       crash 8 and libkdumpfile read) when the input's
 *                       pages were zstd: a zstd capture stays zstd
 *
 * Zero pages are dumped (bitmap 2 set, pointing at the shared zero page):
 * crash refuses excluded pages. Pages missing from the input are left out
 * of bitmap 2 and the header says INCOMPLETE.
 *
 * Filtered dumps (Documentation/filtering.md): pages the capture or
 * makedumpfile left out are set in bitmap 1 and clear in bitmap 2, as
 * makedumpfile -d N writes them, and the sub-header's dump_level says which
 * classes were filtered. The runs of excluded pages with their classes go
 * in rawdump's excluded-pages note (tools/image/excl.h) before the range note,
 * so rawdump reads classes back and tells excluded from missing pages.
 * Reading a makedumpfile file (no such note), a page of bitmap 1 that is
 * clear in bitmap 2 is excluded when dump_level filters anything (its
 * class is the level's one class, or MI_CLASS_UNKNOWN), missing otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "rawdump/format.h"
#include "formats.h"
#include "bytes.h"
#include "pages.h"
#include "disk/io.h"
#include "excl.h"
#include "kinfo.h"

#define KDUMP_SIGNATURE		"KDUMP   "
#define KDUMP_DISKDUMP_SIGNATURE	"DISKDUMP"	/* historic Diskdump: no sub-header */
#define KDUMP_VERSION		6
#define KDUMP_BS		MI_PAGE
#define KDUMP_HDR_SIZE		464u
#define KDUMP_SUB_SIZE		104u
#define KDUMP_DESC_SIZE		24u

#define KDUMP_ST_ZLIB		0x1u
#define KDUMP_ST_LZO		0x2u
#define KDUMP_ST_SNAPPY		0x4u
#define KDUMP_ST_INCOMPLETE	0x8u
#define KDUMP_ST_ZSTD		0x20u
#define KDUMP_PD_ZLIB		0x1u
#define KDUMP_PD_ZSTD		0x20u

/* rawdump's range-table note, appended after the crashed kernel's notes */
#define KDUMP_RD_NOTE_NAME	"RAWDUMP"	/* namesz 8 */
#define KDUMP_RD_NOTE_TYPE	0x52440001u
#define KDUMP_RD_NOTE_HDR	20u		/* nhdr 12 + name 8 */
#define KDUMP_RD_RANGE		32u
#define KDUMP_RD_MAX_RANGES	65536u

#define KDUMP_ZLEVEL		Z_BEST_SPEED
#define KDUMP_ZSTD_LEVEL	1
#define KDUMP_WBUF		(1u << 20)
#define KDUMP_DESC_BATCH	4096u
#define KDUMP_MAX_NOTES		(16u << 20)
#define KDUMP_MAX_BITMAP	(1ull << 32)	/* bytes per bitmap: 128 TiB of RAM */
_Static_assert(MI_MAX_PHYS / MI_PAGE / 8 <= KDUMP_MAX_BITMAP, "MI_MAX_PHYS fits a kdump bitmap");

/* disk_dump_header offsets */
enum {
	DDH_SIGNATURE = 0, DDH_VERSION = 8, DDH_UTSNAME = 12, DDH_TIMESTAMP = 408,
	DDH_STATUS = 424, DDH_BLOCK_SIZE = 428, DDH_SUB_HDR_SIZE = 432,
	DDH_BITMAP_BLOCKS = 436, DDH_MAX_MAPNR = 440, DDH_TOTAL_RAM = 444,
	DDH_DEVICE_BLOCKS = 448, DDH_WRITTEN_BLOCKS = 452, DDH_CURRENT_CPU = 456,
	DDH_NR_CPUS = 460,
};
/* kdump_sub_header offsets */
enum {
	KSH_PHYS_BASE = 0, KSH_DUMP_LEVEL = 8, KSH_SPLIT = 12, KSH_START_PFN = 16,
	KSH_END_PFN = 24, KSH_OFF_VMCOREINFO = 32, KSH_SIZE_VMCOREINFO = 40,
	KSH_OFF_NOTE = 48, KSH_SIZE_NOTE = 56, KSH_OFF_ERASEINFO = 64,
	KSH_SIZE_ERASEINFO = 72, KSH_START_PFN_64 = 80, KSH_END_PFN_64 = 88,
	KSH_MAX_MAPNR_64 = 96,
};


int kdump_probe(const void *head, size_t len)
{
	return len >= 8 && (memcmp(head, KDUMP_SIGNATURE, 8) == 0 ||
			    memcmp(head, KDUMP_DISKDUMP_SIGNATURE, 8) == 0);
}

static inline void kdump_bit_set(uint8_t *bm, uint64_t pfn)
{
	bm[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

static inline int kdump_bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

struct kdump_w {
	int fd;
	uint8_t *data;		/* buffered page data */
	size_t data_len;
	uint64_t data_off;	/* file offset of data[0] */
	uint8_t *descs;		/* buffered descriptors */
	size_t ndescs;
	uint64_t desc_off;	/* file offset of descs[0] */
};

static int kdump_flush_data(struct kdump_w *w)
{
	int rc = pwrite_full(w->fd, w->data, w->data_len, w->data_off);

	w->data_off += w->data_len;
	w->data_len = 0;
	return rc;
}

static int kdump_flush_descs(struct kdump_w *w)
{
	int rc = pwrite_full(w->fd, w->descs, w->ndescs * KDUMP_DESC_SIZE, w->desc_off);

	w->desc_off += w->ndescs * KDUMP_DESC_SIZE;
	w->ndescs = 0;
	return rc;
}

/* Append page data; returns its file offset in *off. */
static int kdump_add_data(struct kdump_w *w, const void *p, size_t n, uint64_t *off)
{
	int rc;

	if (w->data_len + n > KDUMP_WBUF) {
		rc = kdump_flush_data(w);
		if (rc < 0)
			return rc;
	}
	*off = w->data_off + w->data_len;
	memcpy(w->data + w->data_len, p, n);
	w->data_len += n;
	return 0;
}

static int kdump_add_desc(struct kdump_w *w, uint64_t off, uint32_t size, uint32_t flags)
{
	uint8_t *d = w->descs + w->ndescs * KDUMP_DESC_SIZE;

	put64(d, off);
	put32(d + 8, size);
	put32(d + 12, flags);
	put64(d + 16, 0);
	if (++w->ndescs == KDUMP_DESC_BATCH)
		return kdump_flush_descs(w);
	return 0;
}

static uint64_t kdump_max_pfn(const struct memimage *m)
{
	uint64_t max = 0, end;
	size_t i;

	for (i = 0; i < m->nranges; i++) {
		if (m->ranges[i].flags & MI_ALIAS)
			continue;
		end = (m->ranges[i].paddr + m->ranges[i].size + MI_PAGE - 1) / MI_PAGE;
		if (end > max)
			max = end;
	}
	return max;
}

/* The range table (with virtual addresses and the kernel-text alias) as an
 * ELF note crash and makedumpfile skip; the reader takes it back out. */
static void kdump_put_rd_note(uint8_t *n, const struct memimage *m)
{
	uint8_t *r;
	size_t i;

	put32(n, sizeof(KDUMP_RD_NOTE_NAME));
	put32(n + 4, (uint32_t)(8 + m->nranges * KDUMP_RD_RANGE));
	put32(n + 8, KDUMP_RD_NOTE_TYPE);
	memcpy(n + 12, KDUMP_RD_NOTE_NAME, sizeof(KDUMP_RD_NOTE_NAME));
	put32(n + KDUMP_RD_NOTE_HDR, 1);
	put32(n + KDUMP_RD_NOTE_HDR + 4, (uint32_t)m->nranges);
	for (i = 0; i < m->nranges; i++) {
		r = n + KDUMP_RD_NOTE_HDR + 8 + i * KDUMP_RD_RANGE;
		put64(r, m->ranges[i].paddr);
		put64(r + 8, m->ranges[i].vaddr);
		put64(r + 16, m->ranges[i].size);
		put32(r + 24, m->ranges[i].flags);
		put32(r + 28, 0);
	}
}

/* The output's page compressor: zlib, or zstd when zc is set. */
struct kdump_pack {
	ZSTD_CCtx *zc;
	uint32_t flag;		/* KDUMP_PD_* of a compressed page */
};

/* Page into out (room KDUMP_PACK_ROOM): its compressed size, or 0 when it
 * does not shrink or the compressor fails. */
#define KDUMP_PACK_ROOM		(MI_PAGE + 1024u)	/* > compressBound, ZSTD_COMPRESSBOUND */
static size_t kdump_pack_page(const struct kdump_pack *k, uint8_t *out, const uint8_t *page)
{
	uLongf zlen = KDUMP_PACK_ROOM;
	size_t n;

	if (k->zc) {
		n = ZSTD_compressCCtx(k->zc, out, KDUMP_PACK_ROOM, page, MI_PAGE, KDUMP_ZSTD_LEVEL);
		return ZSTD_isError(n) || n >= MI_PAGE ? 0 : n;
	}
	if (compress2(out, &zlen, page, MI_PAGE, KDUMP_ZLEVEL) != Z_OK || zlen >= MI_PAGE)
		return 0;
	return zlen;
}
_Static_assert(KDUMP_PACK_ROOM >= ZSTD_COMPRESSBOUND(MI_PAGE), "zstd page bound");


/* Where the parts of a kdump-compressed file go, and what its headers say. */
struct kdump_layout {
	uint64_t max_mapnr;	/* pages the bitmaps cover */
	uint64_t bm_len;	/* bytes of each bitmap */
	uint32_t sub_blocks;	/* blocks of the sub-header and its notes */
	size_t hdr_len;		/* main header + sub-header */
	uint32_t level;		/* dump level the header names */
	size_t excl_size;	/* rawdump's excluded-runs note, 0 if none */
	size_t rd_note_size;	/* rawdump's range note, 0 if none */
};

/* Step 2: every page into w (descriptors and data) and the two bitmaps.
 * 0, or <0 with the reason in msg; *missing counts missing pages. */
static int kdump_write_pages(struct memimage *m, struct kdump_w *w, uint8_t *bm1, uint8_t *bm2,
			     const struct kdump_pack *pk, uint8_t *zbuf, uint64_t ndesc_max, uint64_t *missing,
			     mi_progress_fn pr, void *ctx, char *msg, size_t msgsz)
{
	uint8_t page[MI_PAGE], zero[MI_PAGE] = { 0 };
	uint64_t npages = mi_pages_total(m), paddr, done = 0, zero_off = 0, off, ndesc = 0;
	uint32_t zero_size;
	struct mi_pages it;
	size_t zlen;
	int rc, st;

	/* the shared zero page */
	zlen = kdump_pack_page(pk, zbuf, zero);
	if (!zlen) {
		snprintf(msg, msgsz, "%s failed", pk->zc ? "zstd" : "zlib");
		return -EIO;
	}
	zero_size = (uint32_t)zlen;
	rc = kdump_add_data(w, zbuf, zero_size, &zero_off);
	if (rc < 0)
		goto write_error;

	mi_pages_init(&it, m);
	while (mi_pages_next(&it, &paddr)) {
		uint64_t pfn = paddr / MI_PAGE;

		kdump_bit_set(bm1, pfn);
		st = mi_read_page(m, paddr, page);
		if (st < 0) {
			snprintf(msg, msgsz, "reading page 0x%" PRIx64 ": %s", paddr, strerror(-st));
			return st;
		}
		if (st == MI_MISSING) {
			(*missing)++;
			continue;
		}
		if (st == MI_EXCLUDED)
			continue;
		if (++ndesc > ndesc_max) {
			snprintf(msg, msgsz, "page 0x%" PRIx64 " read back although it was excluded", paddr);
			return -EIO;
		}
		kdump_bit_set(bm2, pfn);
		if (st == MI_ZERO || mi_page_is_zero(page)) {
			rc = kdump_add_desc(w, zero_off, zero_size, pk->flag);
		} else {
			zlen = kdump_pack_page(pk, zbuf, page);
			if (zlen) {
				rc = kdump_add_data(w, zbuf, zlen, &off);
				if (rc == 0)
					rc = kdump_add_desc(w, off, (uint32_t)zlen, pk->flag);
			} else {
				rc = kdump_add_data(w, page, MI_PAGE, &off);
				if (rc == 0)
					rc = kdump_add_desc(w, off, MI_PAGE, 0);
			}
		}
		if (rc < 0)
			goto write_error;
		if (pr && (++done & 255) == 0)
			pr(ctx, done * MI_PAGE, npages * MI_PAGE);
	}
	rc = kdump_flush_data(w);
	if (rc == 0)
		rc = kdump_flush_descs(w);
	if (rc == 0)
		return 0;
write_error:
	snprintf(msg, msgsz, "write: %s", strerror(-rc));
	return rc;
}

/* Step 3: the main header and the sub-header with its notes (the crashed
 * kernel's, rawdump's excluded runs and ranges), into hdr (zeroed). */
static void kdump_put_headers(uint8_t *hdr, const struct kdump_layout *l, const struct memimage *m,
			      const struct kinfo *ki, uint32_t status,
			      const struct rd_excl_run *runs, size_t nruns)
{
	uint8_t *sub;

	memcpy(hdr + DDH_SIGNATURE, KDUMP_SIGNATURE, 8);
	put32(hdr + DDH_VERSION, KDUMP_VERSION);
	kinfo_put_utsname(ki, hdr + DDH_UTSNAME);
	put64(hdr + DDH_TIMESTAMP, ki->crash_time);
	put32(hdr + DDH_STATUS, status);
	put32(hdr + DDH_BLOCK_SIZE, KDUMP_BS);
	put32(hdr + DDH_SUB_HDR_SIZE, l->sub_blocks);
	put32(hdr + DDH_BITMAP_BLOCKS, (uint32_t)(2 * l->bm_len / KDUMP_BS));
	put32(hdr + DDH_MAX_MAPNR, l->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)l->max_mapnr);
	put32(hdr + DDH_CURRENT_CPU, ki->crashed_cpu >= 0 ? (uint32_t)ki->crashed_cpu : 0);
	put32(hdr + DDH_NR_CPUS, ki->ncpus);

	sub = hdr + KDUMP_BS;
	put64(sub + KSH_PHYS_BASE, ki->phys_base);
	put32(sub + KSH_DUMP_LEVEL, l->level);
	if (m->notes_size)
		memcpy(sub + KDUMP_SUB_SIZE, m->notes, m->notes_size);
	if (l->excl_size)
		excl_note_put(sub + KDUMP_SUB_SIZE + m->notes_size, m->dump_level, runs, nruns);
	if (l->rd_note_size)
		kdump_put_rd_note(sub + KDUMP_SUB_SIZE + m->notes_size + l->excl_size, m);
	if (m->notes_size + l->excl_size + l->rd_note_size) {
		put64(sub + KSH_OFF_NOTE, KDUMP_BS + KDUMP_SUB_SIZE);
		put64(sub + KSH_SIZE_NOTE, m->notes_size + l->excl_size + l->rd_note_size);
	}
	if (ki->vmcoreinfo) {
		uint64_t vmci_off = KDUMP_BS + KDUMP_SUB_SIZE +
			(uint64_t)((const uint8_t *)ki->vmcoreinfo - m->notes);

		put64(sub + KSH_OFF_VMCOREINFO, vmci_off);
		put64(sub + KSH_SIZE_VMCOREINFO, ki->vmcoreinfo_len);
	}
	put64(sub + KSH_END_PFN, l->max_mapnr);
	put64(sub + KSH_END_PFN_64, l->max_mapnr);
	put64(sub + KSH_MAX_MAPNR_64, l->max_mapnr);
}

/* Step 1 is the layout (sizes from the ranges, the notes and the excluded
 * runs); the file is: headers | bitmap 1 | bitmap 2 | descriptors | data,
 * written in steps 2 (pages), then the bitmaps, then 3 (headers, last). */
int mi_write_kdump(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz)
{
	uint8_t *hdr = NULL, *bm1 = NULL, *bm2 = NULL, *zbuf = NULL;
	struct kdump_w w = { .fd = fd };
	struct kdump_layout l = { 0 };
	struct kinfo ki;
	uint64_t npages, desc_start, ndesc_max, missing = 0, counts[MI_CLASS_SLOTS];
	struct rd_excl_run *runs = NULL;
	size_t nruns = 0, i;
	uint32_t status = KDUMP_ST_ZLIB;
	struct kdump_pack pk = { NULL, KDUMP_PD_ZLIB };
	int rc = -ENOMEM;

	kinfo_gather(m, &ki);
	if (excl_scan(m, &runs, &nruns, counts) < 0) {
		snprintf(msg, msgsz, "out of memory");
		goto free_all;
	}
	/* the header's level names every class left out; the note keeps the
	 * input's own level */
	l.level = m->dump_level;
	for (i = 0; i < MI_CLASS_SLOTS; i++)
		if (counts[i])
			l.level |= i < RD_CLASS_COUNT ? 1u << i : RD_CLASS_ALL;
	if (nruns || m->dump_level)
		l.excl_size = excl_note_size(nruns);
	l.max_mapnr = kdump_max_pfn(m);
	npages = mi_pages_total(m);
	ndesc_max = npages;
	l.bm_len = rd_align_up((l.max_mapnr + 7) / 8, KDUMP_BS);
	if (l.bm_len == 0)
		l.bm_len = KDUMP_BS;
	/* the one size rule of every writer: ranges end below MI_MAX_PHYS,
	 * so that bm_len <= KDUMP_MAX_BITMAP */
	rc = mi_extent_check(m, msg, msgsz);
	if (rc < 0)
		goto free_all;
	rc = -ENOMEM;
	l.rd_note_size = m->nranges <= KDUMP_RD_MAX_RANGES ?
		KDUMP_RD_NOTE_HDR + 8 + m->nranges * KDUMP_RD_RANGE : 0;
	l.sub_blocks = (uint32_t)rd_align_up(KDUMP_SUB_SIZE + m->notes_size + l.excl_size +
					      l.rd_note_size, KDUMP_BS) / KDUMP_BS;
	l.hdr_len = (size_t)(1 + l.sub_blocks) * KDUMP_BS;
	desc_start = l.hdr_len + 2 * l.bm_len;

	hdr = calloc(1, l.hdr_len);
	bm1 = calloc(1, l.bm_len);
	bm2 = calloc(1, l.bm_len);
	zbuf = malloc(KDUMP_PACK_ROOM);
	w.data = malloc(KDUMP_WBUF);
	w.descs = malloc(KDUMP_DESC_BATCH * KDUMP_DESC_SIZE);
	if (m->compression == RD_COMP_ZSTD) {
		pk.zc = ZSTD_createCCtx();
		pk.flag = KDUMP_PD_ZSTD;
		status = KDUMP_ST_ZSTD;
	}
	if (!hdr || !bm1 || !bm2 || !zbuf || !w.data || !w.descs ||
	    (m->compression == RD_COMP_ZSTD && !pk.zc)) {
		snprintf(msg, msgsz, "out of memory");
		goto free_all;
	}
	/* descriptors for every page but the excluded ones */
	for (i = 0; i < MI_CLASS_SLOTS; i++)
		ndesc_max -= counts[i] < ndesc_max ? counts[i] : ndesc_max;
	w.desc_off = desc_start;
	w.data_off = desc_start + ndesc_max * KDUMP_DESC_SIZE;

	rc = kdump_write_pages(m, &w, bm1, bm2, &pk, zbuf, ndesc_max, &missing, pr, ctx, msg, msgsz);
	if (rc < 0)
		goto free_all;
	rc = pwrite_full(fd, bm1, l.bm_len, l.hdr_len);
	if (rc == 0)
		rc = pwrite_full(fd, bm2, l.bm_len, l.hdr_len + l.bm_len);
	if (rc < 0)
		goto write_error;

	kdump_put_headers(hdr, &l, m, &ki,
			  status | (missing || m->partial ? KDUMP_ST_INCOMPLETE : 0), runs, nruns);
	rc = pwrite_full(fd, hdr, l.hdr_len, 0);
	if (rc < 0)
		goto write_error;
	if (pr)
		pr(ctx, npages * MI_PAGE, npages * MI_PAGE);
	rc = 0;
	goto free_all;
write_error:
	snprintf(msg, msgsz, "write: %s", strerror(-rc));
free_all:
	free(runs);
	free(hdr);
	free(bm1);
	free(bm2);
	free(zbuf);
	free(w.data);
	free(w.descs);
	ZSTD_freeCCtx(pk.zc);
	kinfo_free(&ki);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

struct kdump_priv {
	int fd;
	uint64_t fsize;
	uint64_t max_mapnr;
	uint8_t *bm1, *bm2;	/* each bm_len bytes */
	uint64_t *rank;		/* set bits of bm2 before each 64-bit word */
	uint64_t desc_off;
	uint64_t cleared;	/* pages of bitmap 1 clear in bitmap 2 */
	uint32_t excl_class;	/* class of such a page when the level filters
				 * (no rawdump note), else 0: they are missing */
	uint8_t cbuf[KDUMP_BS];
};

/* The class of a page of bitmap 1 that is clear in bitmap 2. */
static int kdump_cleared_class(struct memimage *m, uint64_t paddr)
{
	struct kdump_priv *p = m->priv;

	return m->excl_runs ? excl_lookup(m, paddr) : (int)p->excl_class;
}

static int kdump_page_class(struct memimage *m, uint64_t paddr)
{
	struct kdump_priv *p = m->priv;
	uint64_t pfn = paddr / MI_PAGE;

	if (pfn >= p->max_mapnr || !kdump_bit(p->bm1, pfn) || kdump_bit(p->bm2, pfn))
		return 0;
	return kdump_cleared_class(m, paddr);
}

static int kdump_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	struct kdump_priv *p = m->priv;
	uint64_t pfn = paddr / MI_PAGE, word, idx, off;
	uint8_t d[KDUMP_DESC_SIZE];
	uint32_t size, flags;
	uLongf dlen = MI_PAGE;
	int rc;

	memset(buf, 0, MI_PAGE);
	if (pfn >= p->max_mapnr)
		return MI_MISSING;
	if (!kdump_bit(p->bm2, pfn))
		return kdump_bit(p->bm1, pfn) && kdump_cleared_class(m, paddr) ? MI_EXCLUDED : MI_MISSING;
	memcpy(&word, p->bm2 + (pfn / 64) * 8, 8);
	idx = p->rank[pfn / 64] + (uint64_t)__builtin_popcountll(word & ((1ull << (pfn % 64)) - 1));
	if (p->desc_off + (idx + 1) * KDUMP_DESC_SIZE > p->fsize)
		goto corrupt;		/* file cut inside the descriptors */
	rc = pread_full(p->fd, d, sizeof(d), p->desc_off + idx * KDUMP_DESC_SIZE);
	if (rc < 0)
		return rc;
	off = get64(d);
	size = get32(d + 8);
	flags = get32(d + 12);
	if (size == 0 || size > KDUMP_BS || off > p->fsize || size > p->fsize - off)
		goto corrupt;
	if (flags == 0) {
		if (size != KDUMP_BS)
			goto corrupt;
		rc = pread_full(p->fd, buf, KDUMP_BS, off);
		if (rc < 0)
			return rc;
	} else if (flags & KDUMP_PD_ZLIB) {
		rc = pread_full(p->fd, p->cbuf, size, off);
		if (rc < 0)
			return rc;
		if (uncompress(buf, &dlen, p->cbuf, size) != Z_OK || dlen != MI_PAGE)
			goto corrupt;
	} else if (flags & KDUMP_PD_ZSTD) {
		rc = pread_full(p->fd, p->cbuf, size, off);
		if (rc < 0)
			return rc;
		if (ZSTD_decompress(buf, MI_PAGE, p->cbuf, size) != MI_PAGE)
			goto corrupt;
	} else {
		goto corrupt;		/* lzo, snappy: refused at open */
	}
	return mi_page_is_zero(buf) ? MI_ZERO : MI_DATA;
corrupt:
	return mi_page_corrupt(m, buf);
}

static void kdump_close(struct memimage *m)
{
	struct kdump_priv *p = m->priv;

	if (!p)
		return;
	close(p->fd);
	free(p->bm1);
	free(p->rank);
	free(p);
}

static const struct memimage_ops kdump_ops = {
	.read_page = kdump_read_page,
	.close = kdump_close,
	.page_class = kdump_page_class,
};

/* Ranges = runs of set bits of bitmap 1; p->cleared = RAM pages not dumped. */
static int kdump_ranges(struct memimage *m, struct kdump_priv *p)
{
	size_t n = 0, cap = 0;
	struct mi_range *r;
	uint64_t pfn, missing = 0;

	for (pfn = 0; pfn < p->max_mapnr; pfn++) {
		if ((pfn & 63) == 0 && pfn + 64 <= p->max_mapnr) {
			uint64_t w;

			memcpy(&w, p->bm1 + pfn / 8, 8);
			if (w == 0) {
				pfn += 63;
				continue;
			}
		}
		if (!kdump_bit(p->bm1, pfn))
			continue;
		if (!kdump_bit(p->bm2, pfn))
			missing++;
		if (n && m->ranges[n - 1].paddr + m->ranges[n - 1].size == pfn * MI_PAGE) {
			m->ranges[n - 1].size += MI_PAGE;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			r = realloc(m->ranges, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			m->ranges = r;
		}
		memset(&m->ranges[n], 0, sizeof(m->ranges[n]));
		m->ranges[n].paddr = pfn * MI_PAGE;
		m->ranges[n].size = MI_PAGE;
		n++;
	}
	m->nranges = n;
	p->cleared = missing;
	return 0;
}

/* Split the pages clear in bitmap 2 into excluded (by class) and missing. */
static void kdump_count_cleared(struct memimage *m, struct kdump_priv *p)
{
	uint64_t excluded, missing;

	if (m->excl_runs) {
		excluded = mi_excluded_total(m);
		missing = p->cleared > excluded ? p->cleared - excluded : 0;
	} else if (p->excl_class) {
		m->excluded_pages[mi_class_slot(p->excl_class)] = p->cleared;
		missing = 0;
	} else {
		missing = p->cleared;
	}
	m->missing_bytes = missing * MI_PAGE;
	if (missing)
		m->partial = 1;
}

/* If the last note is rawdump's range table and agrees with bitmap 1,
 * use its ranges and drop the note. 0, -ENOENT (not there or not
 * plausible: bitmap ranges stay), -ENOMEM. */
static int kdump_take_rd_note(struct memimage *m, const struct kdump_priv *p)
{
	size_t pos = 0, start = 0, next, nlen, dlen;
	const uint8_t *n = NULL, *r;
	struct mi_range *ranges;
	uint32_t count, i;
	char why[128];
	int rc;
	uint64_t end, pfn;

	while (pos + 12 <= m->notes_size) {
		nlen = rd_align_up(get32(m->notes + pos), 4);
		dlen = rd_align_up(get32(m->notes + pos + 4), 4);
		if (nlen > m->notes_size - pos - 12 || dlen > m->notes_size - pos - 12 - nlen)
			return -ENOENT;
		next = pos + 12 + nlen + dlen;
		if (next == m->notes_size) {
			start = pos;
			n = m->notes + pos;
		}
		pos = next;
	}
	if (!n || get32(n) != sizeof(KDUMP_RD_NOTE_NAME) || get32(n + 8) != KDUMP_RD_NOTE_TYPE ||
	    memcmp(n + 12, KDUMP_RD_NOTE_NAME, sizeof(KDUMP_RD_NOTE_NAME)) != 0 ||
	    get32(n + 4) < 8 || get32(n + KDUMP_RD_NOTE_HDR) != 1)
		return -ENOENT;
	count = get32(n + KDUMP_RD_NOTE_HDR + 4);
	if (count > KDUMP_RD_MAX_RANGES || get32(n + 4) != 8 + (uint64_t)count * KDUMP_RD_RANGE)
		return -ENOENT;
	for (i = 0; i < count; i++) {
		r = n + KDUMP_RD_NOTE_HDR + 8 + (size_t)i * KDUMP_RD_RANGE;
		end = get64(r) + get64(r + 16);
		if (end < get64(r) || (i && get64(r) < get64(r - KDUMP_RD_RANGE)))
			return -ENOENT;
		if (get32(r + 24) & MI_ALIAS)
			continue;
		if ((end + MI_PAGE - 1) / MI_PAGE > p->max_mapnr)
			return -ENOENT;
		for (pfn = get64(r) / MI_PAGE; pfn < (end + MI_PAGE - 1) / MI_PAGE; pfn++)
			if (!kdump_bit(p->bm1, pfn))
				return -ENOENT;
	}
	ranges = calloc(count ? count : 1, sizeof(*ranges));
	if (!ranges)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		r = n + KDUMP_RD_NOTE_HDR + 8 + (size_t)i * KDUMP_RD_RANGE;
		ranges[i].paddr = get64(r);
		ranges[i].vaddr = get64(r + 8);
		ranges[i].size = get64(r + 16);
		ranges[i].flags = get32(r + 24) & MI_ALIAS;
	}
	/* the readers' range rules: a table breaking them is not used */
	rc = mi_ranges_check(ranges, count, why, sizeof(why));
	if (rc < 0) {
		free(ranges);
		return rc == -ENOMEM ? rc : -ENOENT;
	}
	free(m->ranges);
	m->ranges = ranges;
	m->nranges = count;
	m->notes_size = start;
	return 0;
}

struct memimage *mi_open_kdump(int fd, const char *path, char *err, size_t errsz)
{
	uint8_t hdr[KDUMP_HDR_SIZE], sub[KDUMP_SUB_SIZE];
	struct memimage *m = NULL;
	struct kdump_priv *p = NULL;
	uint32_t version, status, bs, sub_blocks, bm_blocks;
	uint64_t bm_len, max_mapnr, note_off, note_size, words, i, acc;
	struct stat st;
	const char *why = "out of memory";
	int diskdump;

	if (fstat(fd, &st) < 0 || st.st_size < 2 * KDUMP_BS) {
		why = "too short for a kdump-compressed header";
		goto fail;
	}
	if (pread_full(fd, hdr, sizeof(hdr), 0) < 0 || !kdump_probe(hdr, sizeof(hdr))) {
		why = "not a kdump-compressed file";
		goto fail;
	}
	version = get32(hdr + DDH_VERSION);
	status = get32(hdr + DDH_STATUS);
	bs = get32(hdr + DDH_BLOCK_SIZE);
	sub_blocks = get32(hdr + DDH_SUB_HDR_SIZE);
	bm_blocks = get32(hdr + DDH_BITMAP_BLOCKS);
	if (bs != KDUMP_BS) {
		why = "kdump-compressed block size is not 4096";
		goto fail;
	}
	if (status & (KDUMP_ST_LZO | KDUMP_ST_SNAPPY)) {
		why = "kdump-compressed file uses lzo or snappy; rawdump reads zlib and zstd ones";
		goto fail;
	}
	diskdump = memcmp(hdr, KDUMP_DISKDUMP_SIGNATURE, 8) == 0;
	if (version < 1 || (sub_blocks == 0 && !diskdump) || bm_blocks == 0 || (bm_blocks & 1) ||
	    (uint64_t)(1 + sub_blocks + bm_blocks) * bs > (uint64_t)st.st_size) {
		why = "kdump-compressed header fields implausible";
		goto fail;
	}
	memset(sub, 0, sizeof(sub));
	if (!diskdump && pread_full(fd, sub, sizeof(sub), bs) < 0) {
		why = "cannot read the kdump sub-header";
		goto fail;
	}
	bm_len = (uint64_t)bm_blocks / 2 * bs;
	max_mapnr = get32(hdr + DDH_MAX_MAPNR);
	if (!diskdump && version >= 6 && get64(sub + KSH_MAX_MAPNR_64))
		max_mapnr = get64(sub + KSH_MAX_MAPNR_64);
	if (max_mapnr > bm_len * 8 || bm_len > KDUMP_MAX_BITMAP) {
		why = "kdump-compressed bitmap smaller than max_mapnr";
		goto fail;
	}

	m = calloc(1, sizeof(*m));
	p = calloc(1, sizeof(*p));
	if (!m || !p)
		goto fail;
	p->fd = fd;
	p->fsize = (uint64_t)st.st_size;
	p->max_mapnr = max_mapnr;
	p->desc_off = (uint64_t)(1 + sub_blocks + bm_blocks) * bs;
	p->bm1 = malloc(2 * bm_len + 8);
	words = (max_mapnr + 63) / 64;
	p->rank = malloc((words + 1) * sizeof(*p->rank));
	if (!p->bm1 || !p->rank)
		goto fail;
	memset(p->bm1 + 2 * bm_len, 0, 8);
	p->bm2 = p->bm1 + bm_len;
	if (pread_full(fd, p->bm1, 2 * bm_len, (uint64_t)(1 + sub_blocks) * bs) < 0) {
		why = "cannot read the kdump bitmaps";
		goto fail;
	}
	/* bits past max_mapnr mean nothing */
	if (max_mapnr & 7) {
		p->bm1[max_mapnr >> 3] &= (uint8_t)((1u << (max_mapnr & 7)) - 1);
		p->bm2[max_mapnr >> 3] &= (uint8_t)((1u << (max_mapnr & 7)) - 1);
	}
	memset(p->bm1 + (max_mapnr + 7) / 8, 0, bm_len - (max_mapnr + 7) / 8);
	memset(p->bm2 + (max_mapnr + 7) / 8, 0, bm_len - (max_mapnr + 7) / 8);
	for (i = 0, acc = 0; i < words; i++) {
		uint64_t wv;

		memcpy(&wv, p->bm2 + i * 8, 8);
		p->rank[i] = acc;
		acc += (uint64_t)__builtin_popcountll(wv);
	}
	p->rank[words] = acc;

	m->ops = &kdump_ops;
	m->priv = p;
	m->kind = "kdump";
	if (kdump_ranges(m, p) < 0)
		goto fail;
	if (status & KDUMP_ST_INCOMPLETE)
		m->partial = 1;
	if (status & KDUMP_ST_ZSTD)
		m->compression = RD_COMP_ZSTD;

	note_off = !diskdump && version >= 4 ? get64(sub + KSH_OFF_NOTE) : 0;
	note_size = !diskdump && version >= 4 ? get64(sub + KSH_SIZE_NOTE) : 0;
	if (note_size && note_size <= KDUMP_MAX_NOTES && note_off <= p->fsize &&
	    note_size <= p->fsize - note_off) {
		m->notes = malloc(note_size);
		if (!m->notes)
			goto fail;
		if (pread_full(fd, m->notes, note_size, note_off) < 0) {
			why = "cannot read the kdump notes";
			goto fail;
		}
		m->notes_size = note_size;
	}
	if (m->notes && kdump_take_rd_note(m, p) == -ENOMEM)
		goto fail;
	if (!diskdump) {
		uint32_t level = get32(sub + KSH_DUMP_LEVEL);

		m->dump_level = level;
		if (level & RD_CLASS_ALL)
			p->excl_class = __builtin_popcount(level & RD_CLASS_ALL) == 1 ?
					level & RD_CLASS_ALL : MI_CLASS_UNKNOWN;
	}
	if (m->notes && excl_note_take(m) == -ENOMEM)
		goto fail;
	kdump_count_cleared(m, p);
	memcpy(m->kernel_release, hdr + DDH_UTSNAME + 2 * KINFO_UTS_LEN, KINFO_UTS_LEN);
	m->kernel_release[sizeof(m->kernel_release) - 1] = '\0';
	m->crash_time = get64(hdr + DDH_TIMESTAMP);
	m->cpu_count = get32(hdr + DDH_NR_CPUS);
	if (m->notes) {
		struct kinfo_cpu *cpus = NULL;
		uint32_t n = 0;

		if (kinfo_parse_cpus(m->notes, m->notes_size, &cpus, &n) == 0 && n)
			m->cpu_count = n;
		free(cpus);
	}
	(void)path;
	return m;
fail:
	snprintf(err, errsz, "%s", why);
	if (m) {
		free(m->ranges);
		free(m->notes);
		free(m->excl_runs);
		free(m);
	}
	if (p) {
		free(p->bm1);
		free(p->rank);
		free(p);
	}
	return NULL;
}
