/*
 * tools/image/partition.c - read a dump from a rawdump partition (format:
 * include/rawdump/format.h) as a struct memimage.
 *
 * Order of checks, each on hostile bytes:
 *   1. partition header: primary copy, else the backup copy
 *      (tools/disk/partheader.c);
 *   2. dump header: magic, version, crc, same dump_id and partition uuid,
 *      range table and notes inside the metadata area, meta_crc; the range
 *      rules (mi_ranges_check, tools/image/memimage.c): no two real ranges
 *      overlap, every alias inside real memory;
 *   3. block stream from data_offset: every block on a 512-byte boundary,
 *      header crc, dump_id, seq increasing, lengths possible for its type,
 *      inside data_limit. A bad header starts a resync: forward in 512-byte
 *      steps to the next valid header of this dump. The scan ends at END or
 *      where nothing valid follows;
 *   4. blocks named by a LOST block's failed-write seq range are dropped;
 *      END's block_count and index_crc (chained over the 64 header bytes
 *      of every counted block, in seq order, with the END block's
 *      checksum kind) are checked;
 *   5. EXCLUDED lists (v2): payload checksum, then every run: page aligned,
 *      inside the block's span, sorted, not overlapping, one known class
 *      bit; a list failing any check is refused whole. Its runs join the
 *      index as entries of their own;
 *   6. data blocks and runs are indexed by paddr; overlapping or out-of-range
 *      entries are refused; memory nothing covers is recorded as missing.
 * Payload checksums (stored_crc, data_crc, of the kind in each block's
 * flags: host_csum(), tools/image/hostcsum.c) are checked when a block is
 * decoded, once: the last decoded block is cached, and a block that fails
 * is marked corrupt and its memory reported missing. Version 1 blocks are
 * CRC-32 and never LZ4 or ZSTD. A ZSTD payload must be exactly one frame
 * that records mem_len as its content size and decodes to it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <lz4.h>
#include <zstd.h>

#include "partition.h"
#include "hostcsum.h"
#include "formats.h"
#include "writer.h"

#define RDR_WINDOW		(8u << 20)	/* read-ahead window of the block stream */
#define RDR_WINDOW_FIRST	(64u << 10)	/* its first read: then doubling */
#define RDR_MAX_RANGES		(1u << 20)
#define RDR_MAX_NOTES		(64u << 20)
#define RDR_MAX_ZLIB_STORED	(RD_BLOCK_MAX_MEM + 4096u)	/* ZLIB, LZ4, ZSTD payloads */
#define RDR_MAX_END_STORED	RD_SLOT_SIZE
#define RDR_ZSTD_WLOG_MAX	18	/* RD_ZSTD_MAX_WINDOW: larger windows refused */
_Static_assert((1u << RDR_ZSTD_WLOG_MAX) == RD_ZSTD_MAX_WINDOW, "zstd window");
#define RDR_MAX_EXCL_RUNS	(RD_EXCL_MAX_STORED / sizeof(struct rd_excl_run))

struct rdr_block {
	uint64_t off;		/* partition offset of the block header */
	uint64_t seq;
	uint64_t paddr, mem_len;
	uint32_t stored_len, stored_crc, data_crc;
	uint16_t type, flags;
	uint32_t aux[2];	/* EXCLUDED run entries: aux[0] = RD_CLASS_* bit */
	uint8_t  bad;		/* payload failed its checks */
};

struct rdr {
	struct target t;
	struct rdr_info info;
	uint64_t limit;			/* blocks end before this partition offset */
	struct rd_range *rranges;	/* as on disk, sorted by paddr */
	size_t nrranges;
	struct rdr_block *blk;		/* accepted blocks: seq order, then paddr order */
	size_t nblk, cap;
	size_t *data_idx;		/* RAW/ZLIB/ZERO blocks sorted by paddr */
	size_t ndata;
	struct rdr_missing *miss;	/* computed gaps + corrupt blocks */
	size_t nmiss, miss_cap;
	struct rdr_missing *miss_out;	/* merged view returned by rdr_missing */
	uint8_t *cache;			/* decoded memory of ZLIB/LZ4 block cache_idx */
	const uint8_t *cur;		/* memory of block cache_idx: cache, or the window (RAW) */
	size_t cache_idx;
	int cache_valid;
	uint8_t *win;			/* partition bytes [win_off, win_off + win_len) */
	uint64_t win_off;
	size_t win_len;
	size_t win_ahead;		/* bytes the next move of the window reads */
	uint64_t pf_end;		/* the scan's prefetch reaches this far */
	z_stream zs;
	int zs_ready;
	ZSTD_DCtx *zd;
	uint64_t end_seq;
	uint32_t scan_csum;		/* kind scan_crc is chained with: the dump header's */
	uint32_t end_csum;		/* kind of the END block: index_crc's */
	uint32_t scan_crc;		/* chained over every accepted block header */
};

static int rdr_fail(char *err, size_t errsz, enum rdr_err *why, enum rdr_err code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int rdr_fail(char *err, size_t errsz, enum rdr_err *why, enum rdr_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errsz)
		vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	if (why)
		*why = code;
	return -1;
}

const char *rdr_missing_name(enum rdr_missing_why why)
{
	switch (why) {
	case RDR_MISSING_LOST:		return "lost (the capture could not read or write it)";
	case RDR_MISSING_TRUNCATED:	return "not written (dump partition full)";
	case RDR_MISSING_CUT:		return "not written (capture stopped before the end)";
	case RDR_MISSING_CORRUPT:	return "corrupt on disk";
	case RDR_MISSING_UNACCOUNTED:	return "absent (no block covers it)";
	}
	return "missing";
}

static int rdr_miss_add(struct rdr *r, uint64_t paddr, uint64_t size, enum rdr_missing_why why)
{
	if (!size)
		return 0;
	if (r->nmiss == r->miss_cap) {
		size_t cap = r->miss_cap ? r->miss_cap * 2 : 16;
		struct rdr_missing *n = realloc(r->miss, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->miss = n;
		r->miss_cap = cap;
	}
	r->miss[r->nmiss].paddr = paddr;
	r->miss[r->nmiss].size = size;
	r->miss[r->nmiss].why = why;
	r->nmiss++;
	return 0;
}

/*
 * The reader's two big buffers, the window (rdr_win_size) and the decoded
 * block cache (RD_BLOCK_MAX_MEM), come from here and go back here. Weak:
 * the fuzz harness (tests/fuzz/fuzz_reader.c) keeps them between opens,
 * poisoned while idle and zeroed when handed out again, because faulting in
 * 1.25 MiB of fresh memory per open took more of its time than the parsing.
 */
__attribute__((weak)) void *rdr_buf_get(size_t size)
{
	return malloc(size);
}

__attribute__((weak)) void rdr_buf_put(void *p, size_t size)
{
	(void)size;
	free(p);
}

static size_t rdr_win_size(const struct rdr *r)
{
	return r->t.size < RDR_WINDOW ? (size_t)r->t.size : RDR_WINDOW;
}

/* len bytes at partition offset off, through the window: blocks are laid
 * out in order, so the scan and the decoding each read the partition in
 * pieces of up to RDR_WINDOW (never more than the partition). The
 * read-ahead starts at RDR_WINDOW_FIRST and doubles at every move of the
 * window: a small dump (or one whose END comes early) is read, and its
 * buffer touched, no further than it goes. The pointer stays valid until
 * the window moves. Returns NULL with *rc set on failure. */
static const uint8_t *rdr_map(struct rdr *r, uint64_t off, size_t len, int *rc)
{
	size_t win_size = rdr_win_size(r);

	if (!r->win) {
		r->win = rdr_buf_get(win_size);
		if (!r->win) {
			*rc = -ENOMEM;
			return NULL;
		}
	}
	if (len > RDR_WINDOW / 2) {
		*rc = -ERANGE;
		return NULL;
	}
	if (off < r->win_off || off > r->win_off + r->win_len ||
	    len > r->win_off + r->win_len - off) {
		uint64_t start = off & ~(uint64_t)(RD_SLOT_SIZE - 1);
		uint64_t n = r->win_ahead ? r->win_ahead : RDR_WINDOW_FIRST;

		if (start > r->t.size || off + len > r->t.size) {
			*rc = -ERANGE;
			return NULL;
		}
		/* at least the request: off - start < RD_SLOT_SIZE and len is at
		 * most RDR_WINDOW / 2, so it fits win_size */
		if (n < off - start + len)
			n = off - start + len;
		if (n > win_size)
			n = win_size;
		if (n > r->t.size - start)
			n = r->t.size - start;
		r->win_len = 0;
		if (r->cache_valid && r->cur != r->cache)
			r->cache_valid = 0;
		*rc = target_pread(&r->t, start, r->win, n);
		if (*rc)
			return NULL;
		r->win_off = start;
		r->win_len = n;
		r->win_ahead = n < win_size / 2 ? 2 * n : win_size;
		/* the disk reads the next window while this one is parsed (a
		 * cold save read the partition at the speed of one 8 MiB
		 * synchronous read after another) */
		target_prefetch(&r->t, start + n, r->win_ahead);
	}
	return r->win + (off - r->win_off);
}

static int rdr_pread(struct rdr *r, uint64_t off, void *buf, size_t len)
{
	int rc;
	const uint8_t *p = rdr_map(r, off, len, &rc);

	if (!p)
		return rc;
	memcpy(buf, p, len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Metadata                                                            */
/* ------------------------------------------------------------------ */

static int rdr_range_cmp(const void *a, const void *b)
{
	const struct rd_range *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return (x->flags & RD_RANGE_ALIAS) - (y->flags & RD_RANGE_ALIAS);
}

/* Is [off, off+len) inside the metadata area after the dump header? */
static int rdr_meta_inside(const struct rd_dump_header *d, uint64_t off, uint64_t len)
{
	uint64_t lo = RD_DUMP_HDR_OFFSET + sizeof(*d);

	return off >= lo && off <= d->data_offset && len <= d->data_offset - off;
}

static int rdr_read_meta(struct rdr *r, struct memimage *m, enum rdr_err *why, char *err, size_t errsz)
{
	struct rd_dump_header *d = &r->info.dump;
	const struct rd_part_header *p = &r->info.part;
	uint64_t backup = rd_part_backup_offset(p->part_size);
	uint32_t crc;
	size_t i;
	int rc;

	rc = target_pread(&r->t, RD_DUMP_HDR_OFFSET, d, sizeof(*d));
	if (rc)
		return rdr_fail(err, errsz, why, RDR_ERR_IO, "cannot read dump header: %s", strerror(-rc));
	rc = rd_dump_header_check(d);
	if (rc)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "dump header is bad: %s", rd_strerror(rc));
	if (d->dump_id != p->dump_id || !d->dump_id)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT,
				"dump header (id %llx) is not the partition's dump (id %llx)",
				(unsigned long long)d->dump_id, (unsigned long long)p->dump_id);
	if (memcmp(d->part_uuid, p->uuid, 16))
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT,
				"dump header names another partition's uuid");
	if (d->page_size != RD_PAGE_SIZE)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "dump page size %u is not %u",
				d->page_size, RD_PAGE_SIZE);
	if (d->data_offset % RD_SLOT_SIZE || d->data_offset < RD_DUMP_HDR_OFFSET + RD_SLOT_SIZE ||
	    d->data_limit > backup || d->data_offset >= d->data_limit)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT,
				"dump data area [%llu, %llu) does not fit the partition",
				(unsigned long long)d->data_offset, (unsigned long long)d->data_limit);
	if (d->range_count == 0 || d->range_count > RDR_MAX_RANGES ||
	    !rdr_meta_inside(d, d->range_offset, (uint64_t)d->range_count * sizeof(struct rd_range)))
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "range table (%u ranges) is malformed",
				d->range_count);
	if (d->notes_size > RDR_MAX_NOTES || !rdr_meta_inside(d, d->notes_offset, d->notes_size))
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "notes (%llu bytes) are malformed",
				(unsigned long long)d->notes_size);
	if (d->version >= 2 && d->csum_kind > RD_CSUM_MAX)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "unknown block checksum kind %u",
				d->csum_kind);
	r->scan_csum = d->version >= 2 ? d->csum_kind : RD_CSUM_CRC32;
	r->end_csum = r->scan_csum;
	r->limit = d->data_limit;

	r->nrranges = d->range_count;
	r->rranges = calloc(r->nrranges, sizeof(*r->rranges));
	m->notes = malloc(d->notes_size ? d->notes_size : 1);
	if (!r->rranges || !m->notes)
		return rdr_fail(err, errsz, why, RDR_ERR_IO, "out of memory");
	m->notes_size = d->notes_size;
	rc = target_pread(&r->t, d->range_offset, r->rranges, r->nrranges * sizeof(*r->rranges));
	if (!rc)
		rc = target_pread(&r->t, d->notes_offset, m->notes, m->notes_size);
	if (rc)
		return rdr_fail(err, errsz, why, RDR_ERR_IO, "cannot read metadata: %s", strerror(-rc));
	crc = rd_crc32(0, r->rranges, r->nrranges * sizeof(*r->rranges));
	crc = rd_crc32(crc, m->notes, m->notes_size);
	if (crc != d->meta_crc)
		return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "range table and notes fail their crc");

	for (i = 0; i < r->nrranges; i++) {
		const struct rd_range *g = &r->rranges[i];

		if (!g->size || g->paddr + g->size < g->paddr)
			return rdr_fail(err, errsz, why, RDR_ERR_CORRUPT, "range %zu is malformed", i);
	}
	qsort(r->rranges, r->nrranges, sizeof(*r->rranges), rdr_range_cmp);
	m->ranges = calloc(r->nrranges, sizeof(*m->ranges));
	if (!m->ranges)
		return rdr_fail(err, errsz, why, RDR_ERR_IO, "out of memory");
	for (i = 0; i < r->nrranges; i++) {
		m->ranges[i].paddr = r->rranges[i].paddr;
		m->ranges[i].vaddr = r->rranges[i].vaddr;
		m->ranges[i].size = r->rranges[i].size;
		m->ranges[i].flags = (r->rranges[i].flags & RD_RANGE_ALIAS) ? MI_ALIAS : 0;
	}
	m->nranges = r->nrranges;
	/* every real range against every other, aliases inside real memory */
	rc = mi_ranges_check(m->ranges, m->nranges, err, errsz);
	if (rc == -ENOMEM)
		return rdr_fail(err, errsz, why, RDR_ERR_IO, "out of memory");
	if (rc)
		return rdr_fail(NULL, 0, why, RDR_ERR_CORRUPT, "bad range table");	/* err says why */
	memcpy(m->kernel_release, d->kernel_release, sizeof(m->kernel_release) - 1);
	m->kernel_release[sizeof(m->kernel_release) - 1] = '\0';
	m->crash_time = d->crash_time;
	m->cpu_count = d->cpu_count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Block scan                                                          */
/* ------------------------------------------------------------------ */

/* Is [paddr, paddr+len) inside one non-alias range? */
static int rdr_in_range(const struct rdr *r, uint64_t paddr, uint64_t len)
{
	size_t lo = 0, hi = r->nrranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->rranges[mid].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0) {
		const struct rd_range *g = &r->rranges[--lo];

		if (g->flags & RD_RANGE_ALIAS)
			continue;
		return paddr >= g->paddr && paddr - g->paddr <= g->size &&
		       len <= g->size - (paddr - g->paddr);
	}
	return 0;
}

/* Header-level validity of a block of this dump at partition offset off. */
static int rdr_block_ok(const struct rdr *r, const struct rd_block_header *h,
			uint64_t off, uint64_t min_seq)
{
	uint64_t end;

	if (h->magic != RD_BLOCK_MAGIC || rd_block_header_check(h) != 0)
		return 0;
	if (h->dump_id != r->info.dump.dump_id || h->seq < min_seq || h->seq == UINT64_MAX)
		return 0;
	if (r->info.dump.version < 2 && (RD_BLK_CSUM(h->flags) != RD_CSUM_CRC32 ||
					 h->type == RD_BLK_LZ4 || h->type == RD_BLK_ZSTD))
		return 0;
	switch (h->type) {
	case RD_BLK_RAW:
		if (!h->mem_len || h->mem_len > RD_BLOCK_MAX_MEM || h->stored_len != h->mem_len)
			return 0;
		break;
	case RD_BLK_ZLIB:
	case RD_BLK_LZ4:
	case RD_BLK_ZSTD:
		if (!h->mem_len || h->mem_len > RD_BLOCK_MAX_MEM || !h->stored_len ||
		    h->stored_len > RDR_MAX_ZLIB_STORED)
			return 0;
		break;
	case RD_BLK_ZERO:
	case RD_BLK_LOST:
		if (!h->mem_len || h->stored_len)
			return 0;
		break;
	case RD_BLK_PAD:
		if (h->paddr || h->mem_len || h->stored_len > RD_SLOT_SIZE)
			return 0;
		break;
	case RD_BLK_EXCLUDED:
		if (r->info.dump.version < 2 || !h->mem_len || h->mem_len % RD_PAGE_SIZE ||
		    h->paddr % RD_PAGE_SIZE || !h->stored_len ||
		    h->stored_len % sizeof(struct rd_excl_run) || h->stored_len > RD_EXCL_MAX_STORED)
			return 0;
		break;
	case RD_BLK_END:
		if (h->stored_len < RD_END_RECORD_V1_SIZE ||
		    h->stored_len > RDR_MAX_END_STORED)
			return 0;
		break;
	default:
		return 0;
	}
	if (h->paddr + h->mem_len < h->paddr)
		return 0;
	end = off + sizeof(*h) + h->stored_len;
	return end <= r->limit;
}

/* Find the next valid header at or after off (512-byte steps), through the
 * window: the scan reads on from there, and the bytes are read once. */
static int rdr_resync(struct rdr *r, uint64_t off, uint64_t min_seq, uint64_t *found)
{
	while (off + sizeof(struct rd_block_header) <= r->limit) {
		struct rd_block_header h;
		const uint8_t *p;
		uint64_t end;
		int rc;

		p = rdr_map(r, off, sizeof(h), &rc);
		if (!p)
			return rc;
		/* every step the window holds (at least this one), unmapped */
		end = r->win_off + r->win_len < r->limit ? r->win_off + r->win_len : r->limit;
		for (; off + sizeof(h) <= end; off += RD_BLOCK_ALIGN, p += RD_BLOCK_ALIGN) {
			if (memcmp(p, "RDBK", 4))
				continue;
			memcpy(&h, p, sizeof(h));
			if (rdr_block_ok(r, &h, off, min_seq)) {
				*found = off;
				return 1;
			}
		}
	}
	return 0;
}

static int rdr_block_push(struct rdr *r, const struct rd_block_header *h, uint64_t off)
{
	struct rdr_block *b;

	if (r->nblk == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct rdr_block *n = realloc(r->blk, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->blk = n;
		r->cap = cap;
	}
	b = &r->blk[r->nblk++];
	memset(b, 0, sizeof(*b));
	b->off = off;
	b->seq = h->seq;
	b->paddr = h->paddr;
	b->mem_len = h->mem_len;
	b->stored_len = h->stored_len;
	b->stored_crc = h->stored_crc;
	b->data_crc = h->data_crc;
	b->type = h->type;
	b->flags = h->flags;
	b->aux[0] = h->aux[0];
	b->aux[1] = h->aux[1];
	r->scan_crc = host_csum(r->scan_csum, r->scan_crc, h, sizeof(*h));
	return 0;
}

static int rdr_read_end(struct rdr *r, const struct rd_block_header *h, uint64_t off)
{
	uint8_t buf[RDR_MAX_END_STORED];
	int rc = rdr_pread(r, off + sizeof(*h), buf, h->stored_len);

	if (rc)
		return rc;
	if (host_csum(RD_BLK_CSUM(h->flags), 0, buf, h->stored_len) != h->stored_crc)
		return 0;
	r->end_csum = RD_BLK_CSUM(h->flags);
	memset(&r->info.end, 0, sizeof(r->info.end));
	memcpy(&r->info.end, buf, h->stored_len < sizeof(r->info.end) ?
	       h->stored_len : sizeof(r->info.end));
	return 1;
}

/*
 * The scan's read of the block header at off, after a block that took
 * `prev` bytes of the partition. Dense stretches (small blocks, records)
 * go through the window. After a big block (a 256 KiB RAW one) only the
 * header is read: the scan copies no payload into user space (that was
 * most of a warm save's scan: 0.3-0.5 s of 2.3 GB), while the stretch
 * ahead is prefetched (target_prefetch) so that the disk still streams
 * and the export finds the payloads in the page cache.
 */
#define RDR_SPARSE		(64u << 10)

static int rdr_scan_header(struct rdr *r, uint64_t off, uint64_t prev,
			   struct rd_block_header *h)
{
	if (prev < RDR_SPARSE ||
	    (r->win && off >= r->win_off && off + sizeof(*h) <= r->win_off + r->win_len))
		return rdr_pread(r, off, h, sizeof(*h));
	if (off + RDR_WINDOW / 2 > r->pf_end) {
		if (r->pf_end < off)
			r->pf_end = off;
		target_prefetch(&r->t, r->pf_end, RDR_WINDOW);
		r->pf_end += RDR_WINDOW;
	}
	return target_pread(&r->t, off, h, sizeof(*h));
}

static int rdr_scan(struct rdr *r)
{
	struct rdr_info *in = &r->info;
	uint64_t off = in->dump.data_offset, min_seq = 0, found = 0, prev = 0;
	int rc;

	while (off + sizeof(struct rd_block_header) <= r->limit) {
		struct rd_block_header h;

		rc = rdr_scan_header(r, off, prev, &h);
		if (rc)
			return rc;
		prev = 0;
		if (rdr_block_ok(r, &h, off, min_seq)) {
			if (h.type != RD_BLK_END) {
				rc = rdr_block_push(r, &h, off);
				if (rc)
					return rc;
				min_seq = h.seq + 1;
				prev = rd_align_up(sizeof(h) + h.stored_len, RD_BLOCK_ALIGN);
				off += prev;
				continue;
			}
			rc = rdr_read_end(r, &h, off);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				in->have_end = 1;
				r->end_seq = h.seq;
				off = rd_align_up(off + sizeof(h) + h.stored_len, RD_BLOCK_ALIGN);
				break;
			}
		}
		in->bad_headers++;
		rc = rdr_resync(r, off + RD_BLOCK_ALIGN, min_seq, &found);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		in->skipped_bytes += found - off;
		off = found;
	}
	in->scan_end = off;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Index                                                               */
/* ------------------------------------------------------------------ */

static int rdr_idx_cmp(const void *a, const void *b, void *ctx)
{
	const struct rdr *r = ctx;
	const struct rdr_block *x = &r->blk[*(const size_t *)a];
	const struct rdr_block *y = &r->blk[*(const size_t *)b];

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* Entries of the paddr index: blocks with memory, and EXCLUDED runs. */
static int rdr_is_data(uint16_t type)
{
	return type == RD_BLK_RAW || type == RD_BLK_ZLIB || type == RD_BLK_LZ4 ||
	       type == RD_BLK_ZSTD || type == RD_BLK_ZERO || type == RD_BLK_EXCLUDED;
}

/* Check one EXCLUDED list (the block at index li) and append its runs to
 * the block array as index entries (type EXCLUDED, one run each, class in
 * aux[0]). 0, or a negative errno; a bad list is counted and skipped. */
static int rdr_excl_expand(struct rdr *r, size_t li)
{
	struct rd_excl_run runs[RDR_MAX_EXCL_RUNS];
	struct rdr_block lb = r->blk[li];
	uint64_t end = lb.paddr + lb.mem_len, prev_end = lb.paddr;
	size_t n = lb.stored_len / sizeof(runs[0]), i;
	int rc = rdr_pread(r, lb.off + sizeof(struct rd_block_header), runs, lb.stored_len);

	if (rc)
		return rc;
	if (host_csum(RD_BLK_CSUM(lb.flags), 0, runs, lb.stored_len) != lb.stored_crc) {
		r->info.corrupt_blocks++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct rd_excl_run *x = &runs[i];
		uint64_t len = (uint64_t)x->pages * RD_PAGE_SIZE;

		if (x->paddr % RD_PAGE_SIZE || !x->pages || x->paddr < prev_end ||
		    x->paddr > end || len > end - x->paddr ||
		    !x->class || (x->class & (x->class - 1)) || (x->class & ~RD_CLASS_ALL)) {
			r->info.rejected_blocks++;
			return 0;
		}
		prev_end = x->paddr + len;
	}
	if (r->nblk + n > r->cap) {
		size_t cap = r->cap * 2 > r->nblk + n ? r->cap * 2 : r->nblk + n;
		struct rdr_block *nb = realloc(r->blk, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		r->blk = nb;
		r->cap = cap;
	}
	for (i = 0; i < n; i++) {
		struct rdr_block *b = &r->blk[r->nblk++];

		*b = lb;
		b->paddr = runs[i].paddr;
		b->mem_len = (uint64_t)runs[i].pages * RD_PAGE_SIZE;
		b->stored_len = 0;
		b->aux[0] = runs[i].class;
		b->aux[1] = 0;
	}
	r->info.excl_blocks++;
	r->info.stored_bytes += lb.stored_len;
	return 0;
}

struct rdr_seqspan {
	uint64_t first, last;
};

static int rdr_span_cmp(const void *a, const void *b)
{
	const struct rdr_seqspan *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Blocks of writes the writer reports as failed (LOST + WRITE_ERROR, aux =
 * first and last seq) must not be used even if they look valid. Blocks are
 * in seq order, so one pass over them against the sorted spans does it. */
static int rdr_drop_failed_writes(struct rdr *r)
{
	struct rdr_seqspan *sp;
	size_t i, k, n = 0, si = 0;

	for (i = 0; i < r->nblk; i++)
		if (r->blk[i].type == RD_BLK_LOST && (r->blk[i].flags & RD_LOST_WRITE_ERROR))
			n++;
	if (!n)
		return 0;
	sp = malloc(n * sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	for (i = 0, n = 0; i < r->nblk; i++) {
		const struct rdr_block *l = &r->blk[i];

		if (l->type == RD_BLK_LOST && (l->flags & RD_LOST_WRITE_ERROR)) {
			sp[n].first = l->aux[0];
			sp[n].last = l->aux[1];
			n++;
		}
	}
	qsort(sp, n, sizeof(*sp), rdr_span_cmp);
	for (i = 1, k = 0; i < n; i++) {	/* merge into disjoint spans */
		if (sp[i].first <= sp[k].last || sp[k].last == UINT64_MAX || sp[i].first == sp[k].last + 1) {
			if (sp[i].last > sp[k].last)
				sp[k].last = sp[i].last;
		} else {
			sp[++k] = sp[i];
		}
	}
	n = k + 1;
	for (i = 0, k = 0; i < r->nblk; i++) {
		const struct rdr_block *b = &r->blk[i];
		int failed;

		while (si < n && sp[si].last < b->seq)
			si++;
		failed = si < n && sp[si].first <= b->seq && b->type != RD_BLK_LOST;
		if (failed) {
			r->info.ignored_blocks++;
			continue;
		}
		r->blk[k++] = r->blk[i];
	}
	r->nblk = k;
	free(sp);
	return 0;
}

/* Add [lo, hi) as missing, splitting out what LOST blocks explain. */
static int rdr_gap(struct rdr *r, const size_t *lost, size_t nlost, size_t *cursor,
		   uint64_t lo, uint64_t hi, enum rdr_missing_why rest)
{
	size_t i;
	int rc;

	/* gaps come in paddr order: LOST blocks ending before this one never matter again */
	while (*cursor < nlost && r->blk[lost[*cursor]].paddr + r->blk[lost[*cursor]].mem_len <= lo)
		(*cursor)++;
	for (i = *cursor; i < nlost && lo < hi; i++) {
		const struct rdr_block *l = &r->blk[lost[i]];
		uint64_t a = l->paddr, b = l->paddr + l->mem_len;

		if (b <= lo || a >= hi)
			continue;
		if (a > lo) {
			rc = rdr_miss_add(r, lo, a - lo, rest);
			if (rc)
				return rc;
			lo = a;
		}
		if (b > hi)
			b = hi;
		rc = rdr_miss_add(r, lo, b - lo, RDR_MISSING_LOST);
		if (rc)
			return rc;
		lo = b;
	}
	return lo < hi ? rdr_miss_add(r, lo, hi - lo, rest) : 0;
}

static int rdr_index(struct rdr *r, struct memimage *m)
{
	struct rdr_info *in = &r->info;
	enum rdr_missing_why rest;
	size_t i, k, nlost = 0, nruns = 0, lcur = 0, *lost = NULL;
	uint64_t count = 0, missing = 0;
	uint32_t crc = 0;
	int rc = 0;

	rc = rdr_drop_failed_writes(r);
	if (rc)
		return rc;
	count = r->nblk;
	if (!in->ignored_blocks && (!in->have_end || r->end_csum == r->scan_csum)) {
		crc = r->scan_crc;
	} else {
		/* blocks were dropped, or END names another kind: chain the
		 * kept headers again */
		for (i = 0; i < r->nblk; i++) {
			uint8_t h[sizeof(struct rd_block_header)];

			rc = rdr_pread(r, r->blk[i].off, h, sizeof(h));
			if (rc)
				return rc;
			crc = host_csum(r->end_csum, crc, h, sizeof(h));
		}
	}
	in->count_ok = in->have_end ? count == in->end.block_count : -1;
	in->index_ok = in->have_end ? crc == in->end.index_crc : -1;

	/* the lists' runs become index entries behind the blocks */
	for (i = 0; i < count; i++) {
		if (r->blk[i].type == RD_BLK_EXCLUDED) {
			rc = rdr_excl_expand(r, i);
			if (rc)
				return rc;
		}
	}

	r->data_idx = calloc(r->nblk ? r->nblk : 1, sizeof(*r->data_idx));
	lost = calloc(r->nblk ? r->nblk : 1, sizeof(*lost));
	if (!r->data_idx || !lost) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nblk; i++) {
		const struct rdr_block *b = &r->blk[i];

		if (b->type == RD_BLK_PAD || (b->type == RD_BLK_EXCLUDED && i < count))
			continue;	/* sector filler, or a list: its runs follow */
		if (!rdr_in_range(r, b->paddr, b->mem_len)) {
			in->rejected_blocks++;
			continue;
		}
		if (b->type == RD_BLK_LOST)
			lost[nlost++] = i;
		else if (rdr_is_data(b->type))
			r->data_idx[r->ndata++] = i;
	}
	qsort_r(r->data_idx, r->ndata, sizeof(*r->data_idx), rdr_idx_cmp, r);
	qsort_r(lost, nlost, sizeof(*lost), rdr_idx_cmp, r);
	for (i = 0, k = 0; i < r->ndata; i++) {
		const struct rdr_block *b = &r->blk[r->data_idx[i]];

		if (k > 0) {
			const struct rdr_block *p = &r->blk[r->data_idx[k - 1]];

			if (b->paddr < p->paddr + p->mem_len) {
				in->rejected_blocks++;
				continue;
			}
		}
		r->data_idx[k++] = r->data_idx[i];
		if (b->type == RD_BLK_EXCLUDED) {
			in->excluded_bytes += b->mem_len;
			in->excluded_pages[__builtin_ctz(b->aux[0])] += b->mem_len / RD_PAGE_SIZE;
			nruns++;
		} else if (b->type == RD_BLK_ZERO) {
			in->zero_bytes += b->mem_len;
		} else {
			in->data_bytes += b->mem_len;
		}
		in->stored_bytes += b->stored_len;
	}
	r->ndata = k;
	for (i = 0; i < nlost; i++)
		in->lost_bytes += r->blk[lost[i]].mem_len;
	in->blocks = r->ndata - nruns + in->excl_blocks + nlost;

	if (!in->have_end)
		rest = RDR_MISSING_CUT;
	else if (in->end.flags & RD_END_TRUNCATED)
		rest = RDR_MISSING_TRUNCATED;
	else
		rest = RDR_MISSING_UNACCOUNTED;
	for (i = 0, k = 0; i < r->nrranges; i++) {
		const struct rd_range *g = &r->rranges[i];
		uint64_t pos = g->paddr, end = g->paddr + g->size;

		if (g->flags & RD_RANGE_ALIAS)
			continue;
		while (k < r->ndata && r->blk[r->data_idx[k]].paddr + r->blk[r->data_idx[k]].mem_len <= pos)
			k++;
		for (; k < r->ndata && r->blk[r->data_idx[k]].paddr < end; k++) {
			const struct rdr_block *b = &r->blk[r->data_idx[k]];

			if (b->paddr > pos) {
				rc = rdr_gap(r, lost, nlost, &lcur, pos, b->paddr, rest);
				if (rc)
					goto out;
				missing += b->paddr - pos;
			}
			pos = b->paddr + b->mem_len;
		}
		if (pos < end) {
			rc = rdr_gap(r, lost, nlost, &lcur, pos, end, rest);
			if (rc)
				goto out;
			missing += end - pos;
		}
	}
	m->missing_bytes = missing;
	if (in->dump.version >= 2)
		m->dump_level = in->dump.dump_level;
	m->compression = in->dump.compression;
	for (i = 0; i < RD_CLASS_COUNT; i++)
		m->excluded_pages[i] = in->excluded_pages[i];
	m->partial = !in->have_end || (in->end.flags & (RD_END_TRUNCATED | RD_END_ERRORS)) ||
		     missing || in->bad_headers || in->rejected_blocks || in->ignored_blocks ||
		     in->count_ok != 1 || in->index_ok != 1;
out:
	free(lost);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */
/* ------------------------------------------------------------------ */

static void rdr_mark_corrupt(struct memimage *m, struct rdr *r, struct rdr_block *b)
{
	b->bad = 1;
	r->info.corrupt_blocks++;
	rdr_miss_add(r, b->paddr, b->mem_len, RDR_MISSING_CORRUPT);
	m->missing_bytes += b->mem_len;
	m->partial = 1;
}

/* The ZSTD payload of b (at pay) into the cache: 0, or -1 when it
 * is not exactly one frame of content size mem_len decoding to that. */
static int rdr_unzstd(struct rdr *r, const struct rdr_block *b, const uint8_t *pay)
{
	size_t n;

	if (ZSTD_findFrameCompressedSize(pay, b->stored_len) != b->stored_len ||
	    ZSTD_getFrameContentSize(pay, b->stored_len) != b->mem_len)
		return -1;
	n = ZSTD_decompressDCtx(r->zd, r->cache, b->mem_len, pay, b->stored_len);
	return !ZSTD_isError(n) && n == b->mem_len ? 0 : -1;
}

/* The cache and the decoder a compressed block of this type needs, made at
 * their first use (a dump of RAW blocks needs neither): 0 or -ENOMEM. */
static int rdr_decoder(struct rdr *r, uint16_t type)
{
	if (!r->cache) {
		r->cache = rdr_buf_get(RD_BLOCK_MAX_MEM);
		if (!r->cache)
			return -ENOMEM;
	}
	if (type == RD_BLK_LZ4)
		return 0;
	if (type == RD_BLK_ZSTD) {
		if (r->zd)
			return 0;
		r->zd = ZSTD_createDCtx();
		if (r->zd && !ZSTD_isError(ZSTD_DCtx_setParameter(r->zd, ZSTD_d_windowLogMax,
								  RDR_ZSTD_WLOG_MAX)))
			return 0;
		ZSTD_freeDCtx(r->zd);
		r->zd = NULL;
		return -ENOMEM;
	}
	if (!r->zs_ready) {
		if (inflateInit(&r->zs) != Z_OK)
			return -ENOMEM;
		r->zs_ready = 1;
	}
	return 0;
}

/* Decode block bi into the cache: 0, 1 if corrupt, or a negative errno. */
static int rdr_decode(struct memimage *m, struct rdr *r, size_t bi)
{
	struct rdr_block *b = &r->blk[bi];
	uint64_t pay = b->off + sizeof(struct rd_block_header);
	uint32_t kind = RD_BLK_CSUM(b->flags), crc;
	int rc;

	if (r->cache_valid && r->cache_idx == bi)
		return 0;
	if (b->bad)
		return 1;
	r->cache_valid = 0;
	if (b->type == RD_BLK_RAW) {
		const uint8_t *p = rdr_map(r, pay, b->stored_len, &rc);

		if (!p)
			return rc;
		crc = host_csum(kind, 0, p, b->stored_len);
		if (crc != b->stored_crc || crc != b->data_crc)
			goto corrupt;
		r->cur = p;
	} else {
		/* the payload is decoded where it is, in the window */
		const uint8_t *p = rdr_map(r, pay, b->stored_len, &rc);

		if (!p)
			return rc;
		if (host_csum(kind, 0, p, b->stored_len) != b->stored_crc)
			goto corrupt;
		rc = rdr_decoder(r, b->type);
		if (rc)
			return rc;
		if (b->type == RD_BLK_LZ4) {
			if (LZ4_decompress_safe((const char *)p, (char *)r->cache,
						(int)b->stored_len, (int)b->mem_len) != (int)b->mem_len)
				goto corrupt;
		} else if (b->type == RD_BLK_ZSTD) {
			if (rdr_unzstd(r, b, p))
				goto corrupt;
		} else {
			if (inflateReset(&r->zs) != Z_OK)
				goto corrupt;
			r->zs.next_in = (Bytef *)p;
			r->zs.avail_in = b->stored_len;
			r->zs.next_out = r->cache;
			r->zs.avail_out = (uInt)b->mem_len;
			if (inflate(&r->zs, Z_FINISH) != Z_STREAM_END || r->zs.avail_out ||
			    r->zs.avail_in)
				goto corrupt;
		}
		if (host_csum(kind, 0, r->cache, b->mem_len) != b->data_crc)
			goto corrupt;
		r->cur = r->cache;
	}
	r->cache_idx = bi;
	r->cache_valid = 1;
	return 0;
corrupt:
	rdr_mark_corrupt(m, r, b);
	return 1;
}

static int rdr_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	struct rdr *r = m->priv;
	uint64_t pend = paddr + MI_PAGE;
	size_t lo = 0, hi = r->ndata;
	int data = 0, zero = 0, excluded = 0, rc;

	memset(buf, 0, MI_PAGE);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rdr_block *b = &r->blk[r->data_idx[mid]];

		if (b->paddr + b->mem_len <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->ndata; lo++) {
		size_t bi = r->data_idx[lo];
		const struct rdr_block *b = &r->blk[bi];
		uint64_t s, e;

		if (b->paddr >= pend)
			break;
		s = b->paddr > paddr ? b->paddr : paddr;
		e = b->paddr + b->mem_len < pend ? b->paddr + b->mem_len : pend;
		if (b->type == RD_BLK_ZERO || (b->type == RD_BLK_EXCLUDED && b->aux[0] == RD_CLASS_ZERO)) {
			zero = 1;
			continue;
		}
		if (b->type == RD_BLK_EXCLUDED) {
			excluded = 1;
			continue;
		}
		rc = rdr_decode(m, r, bi);
		if (rc < 0)
			return rc;
		if (rc == 1)
			continue;
		memcpy((uint8_t *)buf + (s - paddr), r->cur + (s - b->paddr), e - s);
		data = 1;
	}
	if (data)
		return MI_DATA;
	if (excluded)
		return MI_EXCLUDED;
	return zero ? MI_ZERO : MI_MISSING;
}

static int rdr_page_class(struct memimage *m, uint64_t paddr)
{
	struct rdr *r = m->priv;
	size_t lo = 0, hi = r->ndata;
	const struct rdr_block *b;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		b = &r->blk[r->data_idx[mid]];
		if (b->paddr + b->mem_len <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->ndata)
		return 0;
	b = &r->blk[r->data_idx[lo]];
	if (b->type != RD_BLK_EXCLUDED || b->paddr > paddr || b->aux[0] == RD_CLASS_ZERO)
		return 0;
	return (int)b->aux[0];
}

static void rdr_free(struct rdr *r)
{
	if (r->zs_ready)
		inflateEnd(&r->zs);
	ZSTD_freeDCtx(r->zd);
	if (r->win)
		rdr_buf_put(r->win, rdr_win_size(r));
	if (r->cache)
		rdr_buf_put(r->cache, RD_BLOCK_MAX_MEM);
	target_close(&r->t);
	free(r->rranges);
	free(r->blk);
	free(r->data_idx);
	free(r->miss);
	free(r->miss_out);
	free(r);
}

static void rdr_close(struct memimage *m)
{
	rdr_free(m->priv);
	m->priv = NULL;
}

static const struct memimage_ops rdr_ops = {
	.read_page = rdr_read_page,
	.close = rdr_close,
	.page_class = rdr_page_class,
};

/* ------------------------------------------------------------------ */
/* Public                                                              */
/* ------------------------------------------------------------------ */

struct memimage *rdr_open(struct target *t, enum rdr_err *why, char *err, size_t errsz)
{
	struct memimage *m = calloc(1, sizeof(*m));
	struct rdr *r = calloc(1, sizeof(*r));
	int rc;

	if (!m || !r) {
		rdr_fail(err, errsz, why, RDR_ERR_IO, "out of memory");
		goto fail;
	}
	r->t = *t;
	m->priv = r;
	m->ops = &rdr_ops;
	m->kind = "rawdump";
	rc = part_header_read(&r->t, &r->info.part, &r->info.part_copy, &r->info.primary_ok);
	if (rc == -EIO || (rc < 0 && rc != -RD_ENOSIG && rc != -RD_EVERSION &&
			   rc != -RD_ECRC && rc != -RD_ESIZE)) {
		rdr_fail(err, errsz, why, RDR_ERR_IO, "cannot read partition header: %s", strerror(-rc));
		goto fail;
	}
	if (rc) {
		rdr_fail(err, errsz, why, RDR_ERR_NOTRD, "not a rawdump partition (%s)", rd_strerror(rc));
		goto fail;
	}
	if (r->info.part.state == RD_STATE_EMPTY || r->info.part.state > RD_STATE_CLEARED) {
		rdr_fail(err, errsz, why, RDR_ERR_NOTRD, "the partition holds no dump (state %s)",
			 part_state_name(r->info.part.state));
		goto fail;
	}
	if (rdr_read_meta(r, m, why, err, errsz))
		goto fail;
	rc = rdr_scan(r);
	if (!rc)
		rc = rdr_index(r, m);
	if (rc) {
		rdr_fail(err, errsz, why, rc == -ENOMEM ? RDR_ERR_IO : RDR_ERR_IO,
			 "reading blocks: %s", strerror(-rc));
		goto fail;
	}
	return m;
fail:
	if (r) {
		r->t.fd = -1;
		rdr_free(r);
	}
	if (m) {
		free(m->notes);
		free(m->ranges);
		free(m);
	}
	return NULL;
}

struct memimage *mi_open_rawdump(int fd, uint64_t offset, uint64_t size,
				 const char *path, char *err, size_t errsz)
{
	struct target t;
	enum rdr_err why;

	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.io_offset = offset;
	t.part_offset = offset;
	t.size = size & ~(uint64_t)511;
	t.sector_size = 512;
	t.kind = TARGET_FILE;
	snprintf(t.path, sizeof(t.path), "%s", path ? path : "");
	snprintf(t.spec, sizeof(t.spec), "%s", t.path);
	return rdr_open(&t, &why, err, errsz);
}

const struct rdr_info *rdr_info(struct memimage *m)
{
	if (!m || m->ops != &rdr_ops)
		return NULL;
	return &((struct rdr *)m->priv)->info;
}

const struct target *rdr_target(struct memimage *m)
{
	if (!m || m->ops != &rdr_ops)
		return NULL;
	return &((struct rdr *)m->priv)->t;
}

static int rdr_miss_cmp(const void *a, const void *b)
{
	const struct rdr_missing *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return (int)x->why - (int)y->why;
}

size_t rdr_missing(struct memimage *m, const struct rdr_missing **out)
{
	struct rdr *r;
	size_t i, k;

	*out = NULL;
	if (!rdr_info(m))
		return 0;
	r = m->priv;
	free(r->miss_out);
	r->miss_out = malloc((r->nmiss ? r->nmiss : 1) * sizeof(*r->miss_out));
	if (!r->miss_out)
		return 0;
	if (r->nmiss) {
		memcpy(r->miss_out, r->miss, r->nmiss * sizeof(*r->miss));
		qsort(r->miss_out, r->nmiss, sizeof(*r->miss_out), rdr_miss_cmp);
	}
	for (i = 0, k = 0; i < r->nmiss; i++) {
		struct rdr_missing *p = k ? &r->miss_out[k - 1] : NULL;
		const struct rdr_missing *c = &r->miss_out[i];

		if (p && p->why == c->why && c->paddr <= p->paddr + p->size) {
			if (c->paddr + c->size > p->paddr + p->size)
				p->size = c->paddr + c->size - p->paddr;
			continue;
		}
		r->miss_out[k++] = *c;
	}
	*out = r->miss_out;
	return k;
}

int rdr_walk(struct memimage *m, uint64_t paddr, uint64_t len,
	     int (*fn)(void *ctx, uint64_t paddr, const void *data, uint64_t len), void *ctx)
{
	struct rdr *r;
	uint64_t pos = paddr, end = paddr + len;
	size_t lo = 0, hi;
	int rc;

	if (!rdr_info(m))
		return -EINVAL;
	r = m->priv;
	hi = r->ndata;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rdr_block *b = &r->blk[r->data_idx[mid]];

		if (b->paddr + b->mem_len <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->ndata && pos < end; lo++) {
		size_t bi = r->data_idx[lo];
		const struct rdr_block *b = &r->blk[bi];
		const uint8_t *data = NULL;
		uint64_t s, e;

		if (b->paddr >= end)
			break;
		if (b->paddr > pos) {
			rc = fn(ctx, pos, NULL, b->paddr - pos);
			if (rc)
				return rc;
			pos = b->paddr;
		}
		s = b->paddr > pos ? b->paddr : pos;
		e = b->paddr + b->mem_len < end ? b->paddr + b->mem_len : end;
		if (b->type != RD_BLK_ZERO && b->type != RD_BLK_EXCLUDED) {
			rc = rdr_decode(m, r, bi);
			if (rc < 0)
				return rc;
			if (rc == 0)
				data = r->cur + (s - b->paddr);
		}
		rc = fn(ctx, s, data, e - s);
		if (rc)
			return rc;
		pos = e;
	}
	return pos < end ? fn(ctx, pos, NULL, end - pos) : 0;
}

long rdr_verify(struct memimage *m, void (*pr)(void *, uint64_t, uint64_t), void *ctx)
{
	struct rdr *r;
	uint64_t before;
	size_t i;

	if (!rdr_info(m))
		return -EINVAL;
	r = m->priv;
	before = r->info.corrupt_blocks;
	for (i = 0; i < r->ndata; i++) {
		size_t bi = r->data_idx[i];
		int rc;

		if (r->blk[bi].type == RD_BLK_ZERO || r->blk[bi].type == RD_BLK_EXCLUDED)
			continue;
		rc = rdr_decode(m, r, bi);
		if (rc < 0)
			return rc;
		if (pr)
			pr(ctx, i + 1, r->ndata);
	}
	return (long)(r->info.corrupt_blocks - before);
}
