/*
 * writer/writer.c - the dump engine: memory ranges + ELF notes -> a dump on
 * a rawdump partition, as Documentation/format.md describes.
 *
 * Freestanding: no libc, no malloc, no globals. Everything lives in the
 * caller's work area: a ring of requests (several can be in flight), each
 * with a small header area, a few I/O buffers the requests borrow for
 * copied payloads, the deflate (zlib), LZ4 or zstd state, and for the page filter
 * the EXCLUDED list being built and the set of frames pass 1 wrote. Every
 * checksum is rd_csum() of the configured kind (writer/csum.c); every
 * block's compression is wr_compress().
 *
 * Zero copy: with a sink that has submitv() and a stable source
 * (RD_SRC_STABLE), a RAW block whose memory is whole pages is a request of
 * its own and its payload is never copied: [blocks before it + its header,
 * ending on a page boundary][the source pages][zero pad (+ PAD block)].
 * The bytes on the partition are the same as with the copy.
 *
 * Order of writes (the partition validates itself at every point):
 *   1. read + check the partition header; any mismatch: return, no write
 *   2. partition header -> WRITING with the new dump_id (both copies), flush
 *   3. dump header, range table, notes
 *   4. blocks, back to back on 512-byte boundaries; with a page filter,
 *      first the kernel-first extents (pass 1), then every range in address
 *      order without the frames pass 1 wrote (pass 2); zero pages -> ZERO
 *      records; pages the filter leaves out -> EXCLUDED run lists; failed
 *      writes -> LOST records; no room -> TRUNCATED
 *   5. END record, flush
 *   6. partition header -> COMPLETE (primary, flush, backup, flush)
 */
#include <zlib.h>
#include <lz4.h>
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_initStaticCCtx: the state in the work area */
#include <zstd.h>
#include <zstd_errors.h>
#include "writer.h"
#include "pfilter.h"

#define WR_MAX_REQS	33	/* requests in flight + the one being filled */
#define WR_MAX_EXTENTS	32	/* memory extents one request may carry */
#define WR_PAGE		RD_IOV_PAGE
#define WR_HDR_AREA	(2 * WR_PAGE)	/* per request: head page, tail page */
#define WR_SMALL_FILL	(WR_PAGE - RD_BLOCK_ALIGN)	/* bytes of blocks a request
							 * keeps in its head page */
#define WR_ZLIB_ARENA	(272u * 1024u)	/* deflateInit2(level, 15, 8): 262 KiB */
#define WR_LZ4_STATE	((sizeof(LZ4_stream_t) + 4095u) & ~(size_t)4095u)
/* zstd: strategy fast only (levels 1 down to WR_ZSTD_LEVEL_MIN), 64 KiB
 * window. Its state for level 1 is 328 KiB (ZSTD_estimateCCtxSize_
 * usingCParams, libzstd 1.5.4; checked when the writer starts); a window
 * of 128 KiB or more doubles the sequence store (568 KiB) and saved under
 * 1 % on kernel memory (Documentation/format.md, "Compression default"). */
#define WR_ZSTD_WLOG	16
#define WR_ZSTD_ARENA	(336u * 1024u)
#define WR_ZSTD_LEVEL_MIN	(-7)
#define WR_DEFAULT_IO	(1024u * 1024u)
#define WR_WIN_PAGES	(RD_BLOCK_MAX_MEM / RD_PAGE_SIZE)
/* an EXCLUDED block (header + runs) fills exactly one 4 KiB slot */
#define WR_EXCL_RUNS	((RD_SLOT_SIZE - sizeof(struct rd_block_header)) / sizeof(struct rd_excl_run))
#define WR_P1_MAX	RD_PF_PRIORITY_MAX	/* frames pass 1 wrote: merged extents */
#define WR_FILTER_WORK	((WR_EXCL_RUNS * sizeof(struct rd_excl_run) + WR_P1_MAX * 16u + 4095) & ~(size_t)4095)

_Static_assert(WR_EXCL_RUNS * sizeof(struct rd_excl_run) <= RD_EXCL_MAX_STORED, "excl list size");

struct wr_extent {
	uint64_t paddr, len;
};
_Static_assert(sizeof(struct wr_extent) == 16, "wr_extent size (WR_FILTER_WORK)");

/* One write request. Its bytes are data[0, fill), or for a zero-copy
 * request data[head_off, head_off + zc_at) + zc_mem[0, zc_len) +
 * data[WR_PAGE, ...) (wr_ptr). */
struct wr_buf {
	uint8_t *data;			/* small, or a borrowed copy buffer */
	uint8_t *small;			/* WR_HDR_AREA bytes, page aligned */
	int copy;			/* copy buffer borrowed, -1 if none */
	const uint8_t *zc_mem;		/* RAW payload left in place, or NULL */
	uint32_t zc_at, zc_len;		/* its request offset and length */
	uint32_t head_off;
	uint32_t fill;			/* bytes used, multiple of 512 */
	uint64_t off;			/* partition offset of data[0] */
	long tag;			/* submitted write, -1 if none */
	uint64_t seq_first, seq_end;	/* blocks [seq_first, seq_end) */
	uint32_t nblocks;
	uint32_t next;			/* extents used */
	struct wr_extent ext[WR_MAX_EXTENTS];
};

struct wr_copybuf {
	uint8_t *data;			/* io_size bytes */
	int owner;			/* request using it, -1 if none */
};

struct wr_arena {
	uint8_t *base;
	size_t size, used;
};

struct wr {
	const struct rd_writer_config *cfg;
	const struct rd_source *src;
	const struct rd_sink *sink;
	struct rd_writer_result *res;

	struct wr_buf bufs[WR_MAX_REQS];
	uint32_t nbufs, cur;
	struct wr_copybuf copy[WR_MAX_REQS];
	uint32_t ncopy, next_copy;
	int zc;				/* RAW payloads may stay in place */
	uint32_t io_size;
	uint32_t align;			/* write granularity (sector size) */
	uint8_t *slot;			/* RD_SLOT_SIZE scratch for headers */

	z_stream zs;
	int zs_ready;
	struct wr_arena arena;
	void *lz4_state;		/* LZ4_compress_fast_extState's, 8-aligned */
	ZSTD_CCtx *zstd;		/* static, in the work area */
	uint32_t csum;			/* enum rd_csum_kind */

	uint64_t dump_id;
	uint64_t pos;			/* next block offset */
	uint64_t limit;			/* blocks must end at or before this */
	uint64_t seq;
	uint32_t index_crc;
	uint64_t ok_blocks;
	uint64_t total, done, stored;
	uint64_t next_progress;
	uint64_t t0;
	int full;			/* partition filled: truncating */
	uint64_t described;		/* memory in committed blocks (data, zero,
					 * LOST read errors, EXCLUDED runs) */

	/* page runs not yet in a block */
	uint64_t zero_start, zero_len;	/* may span windows */

	/* page filter (cfg->filter), NULL if none */
	const struct rd_classifier *cls;
	struct rd_excl_run *excl;	/* EXCLUDED list being built */
	uint32_t nexcl;
	struct wr_extent *p1;		/* frames pass 1 wrote: sorted, merged */
	uint32_t np1;

	/* pending LOST records for failed writes */
	struct wr_extent lost[WR_MAX_EXTENTS];
	uint64_t lost_seq_first[WR_MAX_EXTENTS], lost_seq_last[WR_MAX_EXTENTS];
	uint32_t nlost;
};

static uint64_t wr_now(struct wr *w)
{
	return w->cfg->now_us ? w->cfg->now_us(w->cfg->now_ctx) : 0;
}

/* ---- zlib in the work area ---------------------------------------- */

static voidpf wr_zalloc(voidpf opaque, uInt items, uInt size)
{
	struct wr_arena *a = opaque;
	size_t n = ((size_t)items * size + 15) & ~(size_t)15;

	if (n > a->size - a->used)
		return Z_NULL;
	a->used += n;
	return a->base + a->used - n;
}

static void wr_zfree(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;		/* the arena is dropped as a whole */
}

static uint32_t wr_nreqs(uint32_t max_inflight)
{
	if (max_inflight == 0)
		max_inflight = 1;
	return (max_inflight > WR_MAX_REQS - 1 ? WR_MAX_REQS - 1 : max_inflight) + 1;
}

static uint32_t wr_ncopy(uint32_t nreqs, uint32_t copy_bufs)
{
	return copy_bufs && copy_bufs < nreqs ? copy_bufs : nreqs;
}

size_t rd_writer_work_size(uint32_t compression, uint32_t io_size, uint32_t max_inflight,
			   uint32_t copy_bufs)
{
	uint32_t nreqs = wr_nreqs(max_inflight);

	if (io_size == 0)
		io_size = WR_DEFAULT_IO;
	return (size_t)wr_ncopy(nreqs, copy_bufs) * io_size + (size_t)nreqs * WR_HDR_AREA +
	       RD_SLOT_SIZE + 4096 + WR_FILTER_WORK +
	       (compression == RD_COMP_ZLIB ? WR_ZLIB_ARENA : 0) +
	       (compression == RD_COMP_LZ4 ? WR_LZ4_STATE : 0) +
	       (compression == RD_COMP_ZSTD ? WR_ZSTD_ARENA : 0);
}

/* ---- zstd in the work area ----------------------------------------- */

/* A static compression context in arena (WR_ZSTD_ARENA bytes, 8-aligned)
 * set to the fast strategy at level, one frame per block, no frame
 * checksum (the block header has its own), content size recorded. */
static ZSTD_CCtx *wr_zstd_init(void *arena, int level)
{
	ZSTD_compressionParameters cp;
	ZSTD_CCtx *c;

	if (level > 1 || level < WR_ZSTD_LEVEL_MIN)
		return NULL;
	cp = ZSTD_getCParams(level, RD_BLOCK_MAX_MEM, 0);
	cp.windowLog = WR_ZSTD_WLOG;
	cp.strategy = ZSTD_fast;
	if (ZSTD_estimateCCtxSize_usingCParams(cp) > WR_ZSTD_ARENA)
		return NULL;	/* a libzstd that needs more state */
	c = ZSTD_initStaticCCtx(arena, WR_ZSTD_ARENA);
	if (!c ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_strategy, ZSTD_fast)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, WR_ZSTD_WLOG)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_hashLog, (int)cp.hashLog)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching,
						ZSTD_ps_disable)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1)))
		return NULL;
	return c;
}

/* ---- page classification ------------------------------------------ */

static int wr_page_is_zero(const void *p, size_t len)
{
	const uint64_t *q = p;
	size_t i;

	if (((uintptr_t)p & 7) || (len & 63)) {
		const uint8_t *b = p;

		for (i = 0; i < len; i++)
			if (b[i])
				return 0;
		return 1;
	}
	for (i = 0; i < len / 8; i += 8)
		if (q[i] | q[i + 1] | q[i + 2] | q[i + 3] |
		    q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7])
			return 0;
	return 1;
}

/* ---- partition header --------------------------------------------- */

static int wr_write_slot(struct wr *w, uint64_t off)
{
	long tag = rd_sink_submit(w->sink, off, w->slot, RD_SLOT_SIZE);

	if (tag < 0)
		return (int)tag;
	return w->sink->wait(w->sink->ctx, tag);
}

/* Write h to the primary slot, flush, then the backup slot, flush. */
static int wr_part_header_store(struct wr *w, struct rd_part_header *h)
{
	int err;

	rd_part_header_seal(h);
	__builtin_memset(w->slot, 0, RD_SLOT_SIZE);
	__builtin_memcpy(w->slot, h, sizeof(*h));
	err = wr_write_slot(w, RD_PART_HDR_OFFSET);
	if (!err)
		err = w->sink->flush(w->sink->ctx);
	if (!err)
		err = wr_write_slot(w, rd_part_backup_offset(w->sink->size));
	if (!err)
		err = w->sink->flush(w->sink->ctx);
	return err;
}

/* Step 1: find a valid header (primary, else backup) that names this
 * partition. Nothing is written before this succeeds. */
static int wr_part_header_load(struct wr *w, struct rd_part_header *h)
{
	const struct rd_writer_config *cfg = w->cfg;
	uint64_t offs[2] = { RD_PART_HDR_OFFSET, rd_part_backup_offset(w->sink->size) };
	uint64_t want = cfg->expect_size ? cfg->expect_size : w->sink->size;
	int err = -RD_ENOSIG, i;

	if (w->sink->size < RD_MIN_PART_SIZE)
		return -RD_ESIZE;
	for (i = 0; i < 2; i++) {
		err = rd_sink_read(w->sink, offs[i], w->slot, RD_SLOT_SIZE);
		if (err)
			continue;
		__builtin_memcpy(h, w->slot, sizeof(*h));
		err = rd_part_header_check(h);
		if (!err)
			break;
		/* The backup stands in only for a primary slot that is all
		 * zeros or still carries the magic (a torn header write);
		 * anything else means the partition was reused (mkswap, mkfs):
		 * never write over it. */
		if (i == 0 && !rd_part_slot_is_ours(w->slot))
			return err == -RD_ENOSIG ? -RD_EFOREIGN : err;
	}
	if (err)
		return err;
	if (__builtin_memcmp(h->uuid, cfg->expect_uuid, 16))
		return -RD_EUUID;
	if (h->part_size != want || h->part_size != w->sink->size)
		return -RD_ESIZE;
	return 0;
}

/* ---- metadata ------------------------------------------------------ */

struct wr_note_scan {
	uint32_t cpus;
	const char *vmcoreinfo;
	uint32_t vmcoreinfo_len;
};

static int wr_note_cb(void *ctx, const struct rd_note *n)
{
	struct wr_note_scan *s = ctx;

	if (n->type == 1 && n->namesz == 5 && !__builtin_memcmp(n->name, "CORE", 5))
		s->cpus++;
	if (n->namesz == 11 && !__builtin_memcmp(n->name, "VMCOREINFO", 11)) {
		s->vmcoreinfo = (const char *)n->desc;
		s->vmcoreinfo_len = n->descsz;
	}
	return 0;
}

static uint64_t wr_parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* Range table entry k as stored. */
static void wr_range_entry(const struct rd_writer_config *cfg, uint32_t k, struct rd_range *rr)
{
	__builtin_memset(rr, 0, sizeof(*rr));
	rr->paddr = cfg->ranges[k].paddr;
	rr->vaddr = cfg->ranges[k].vaddr;
	rr->size = cfg->ranges[k].size;
	rr->flags = cfg->ranges[k].flags & RD_RANGE_ALIAS;
}

/* The metadata is one byte stream: dump header, range table, notes, zero
 * padding to the slot size. Fill dst with its bytes [off, off + len). */
static void wr_meta_bytes(const struct wr *w, const struct rd_dump_header *dh,
			  uint64_t off, uint8_t *dst, uint32_t len)
{
	const struct rd_writer_config *cfg = w->cfg;
	uint64_t range_bytes = (uint64_t)cfg->range_count * sizeof(struct rd_range);
	uint64_t notes_at = sizeof(*dh) + range_bytes;
	uint32_t i = 0;

	while (i < len) {
		uint64_t at = off + i;
		uint32_t n;

		if (at < sizeof(*dh)) {
			n = (uint32_t)(sizeof(*dh) - at);
			if (n > len - i)
				n = len - i;
			__builtin_memcpy(dst + i, (const uint8_t *)dh + at, n);
		} else if (at < notes_at) {
			uint64_t k = (at - sizeof(*dh)) / sizeof(struct rd_range);
			uint32_t in = (uint32_t)((at - sizeof(*dh)) % sizeof(struct rd_range));
			struct rd_range rr;

			wr_range_entry(cfg, (uint32_t)k, &rr);
			n = (uint32_t)sizeof(rr) - in;
			if (n > len - i)
				n = len - i;
			__builtin_memcpy(dst + i, (const uint8_t *)&rr + in, n);
		} else if (at < notes_at + cfg->notes_size) {
			uint64_t left = notes_at + cfg->notes_size - at;

			n = left < len - i ? (uint32_t)left : len - i;
			__builtin_memcpy(dst + i, (const uint8_t *)cfg->notes + (at - notes_at), n);
		} else {
			n = len - i;
			__builtin_memset(dst + i, 0, n);
		}
		i += n;
	}
}

static int wr_write_meta(struct wr *w, struct rd_dump_header *dh)
{
	const struct rd_writer_config *cfg = w->cfg;
	struct wr_note_scan ns = { 0, 0, 0 };
	uint8_t *buf = w->copy[0].data;
	uint64_t range_bytes = (uint64_t)cfg->range_count * sizeof(struct rd_range);
	uint64_t meta_end = RD_DUMP_HDR_OFFSET + sizeof(*dh) + range_bytes + cfg->notes_size;
	uint64_t meta_len = rd_align_up(meta_end, RD_SLOT_SIZE) - RD_DUMP_HDR_OFFSET;
	uint64_t off;
	uint32_t i;
	char tmp[32];
	int err;

	if (meta_end + RD_SLOT_SIZE + RD_END_RESERVE > rd_part_backup_offset(w->sink->size))
		return -RD_ENOSPC;

	__builtin_memset(dh, 0, sizeof(*dh));
	__builtin_memcpy(dh->magic, RD_DUMP_MAGIC, 8);
	dh->version = RD_FORMAT_VERSION;
	dh->header_size = sizeof(*dh);
	dh->dump_id = w->dump_id;
	__builtin_memcpy(dh->part_uuid, cfg->expect_uuid, 16);
	dh->compression = cfg->compression;
	dh->zlib_level = cfg->compression == RD_COMP_ZLIB || cfg->compression == RD_COMP_ZSTD ?
			 (uint32_t)cfg->zlib_level : 0;
	dh->csum_kind = w->csum;
	dh->flags = cfg->flags;
	dh->page_size = RD_PAGE_SIZE;
	dh->dumping_cpu = cfg->dumping_cpu;
	dh->dumping_apic_id = cfg->dumping_apic_id;
	dh->elfcorehdr_addr = cfg->elfcorehdr_addr;
	dh->range_count = cfg->range_count;
	dh->range_offset = RD_DUMP_HDR_OFFSET + sizeof(*dh);
	dh->notes_offset = dh->range_offset + range_bytes;
	dh->notes_size = cfg->notes_size;
	dh->data_offset = RD_DUMP_HDR_OFFSET + meta_len;
	dh->data_limit = rd_part_backup_offset(w->sink->size);
	dh->mem_bytes = w->total;
	dh->dump_level = cfg->dump_level;
	dh->filter_active = RD_CLASS_ZERO;	/* zero pages: always ZERO blocks */
	if (w->cls) {
		if (w->cls->active & RD_CLASS_ALL & ~RD_CLASS_ZERO)
			dh->flags |= RD_DF_FILTERED;
		if (w->cls->priority_count)
			dh->flags |= RD_DF_KERNEL_FIRST;
		dh->filter_active |= w->cls->active & RD_CLASS_ALL;
		dh->filter_flags = w->cls->flags ? w->cls->flags(w->cls->ctx) : 0;
	}

	rd_notes_walk(cfg->notes, cfg->notes_size, wr_note_cb, &ns);
	dh->cpu_count = ns.cpus;
	dh->crash_time = cfg->crash_time;
	if (!dh->crash_time && ns.vmcoreinfo &&
	    rd_vmcoreinfo_get(ns.vmcoreinfo, ns.vmcoreinfo_len, "CRASHTIME", tmp, sizeof(tmp)) > 0)
		dh->crash_time = wr_parse_u64(tmp);
	if (cfg->kernel_release) {
		for (i = 0; i < sizeof(dh->kernel_release) - 1 && cfg->kernel_release[i]; i++)
			dh->kernel_release[i] = cfg->kernel_release[i];
	} else if (ns.vmcoreinfo) {
		rd_vmcoreinfo_get(ns.vmcoreinfo, ns.vmcoreinfo_len, "OSRELEASE",
				  dh->kernel_release, sizeof(dh->kernel_release));
	}
	if (cfg->writer_name)
		for (i = 0; i < sizeof(dh->writer) - 1 && cfg->writer_name[i]; i++)
			dh->writer[i] = cfg->writer_name[i];

	/* meta_crc over the range table then the notes, as they will be stored */
	dh->meta_crc = 0;
	for (i = 0; i < cfg->range_count; i++) {
		struct rd_range rr;

		wr_range_entry(cfg, i, &rr);
		dh->meta_crc = rd_crc32(dh->meta_crc, &rr, sizeof(rr));
	}
	if (cfg->notes_size)
		dh->meta_crc = rd_crc32(dh->meta_crc, cfg->notes, cfg->notes_size);
	rd_dump_header_seal(dh);

	/* the stream, one request at a time (many CPUs' notes can take more
	 * than one request) */
	for (off = 0; off < meta_len; off += w->io_size) {
		uint32_t n = meta_len - off < w->io_size ? (uint32_t)(meta_len - off) : w->io_size;
		long tag;

		wr_meta_bytes(w, dh, off, buf, n);
		tag = rd_sink_submit(w->sink, RD_DUMP_HDR_OFFSET + off, buf, n);
		if (tag < 0)
			return (int)tag;
		err = w->sink->wait(w->sink->ctx, tag);
		if (err)
			return err;
	}
	w->pos = dh->data_offset;
	w->limit = dh->data_limit - RD_END_RESERVE;
	return 0;
}

/* ---- the request ring ---------------------------------------------- */

/* Where byte `off` of request b lives (never inside a zero-copy payload:
 * only headers and pads are read or written through this). */
static uint8_t *wr_ptr(const struct wr_buf *b, uint32_t off)
{
	if (!b->zc_mem)
		return b->data + off;
	if (off < b->zc_at)
		return b->data + b->head_off + off;
	return b->data + WR_PAGE + (off - b->zc_at - b->zc_len);
}

/* Submit request b (again, for a retry): one buffer, or the three pieces
 * of a zero-copy request (the RD_IOV_* shape: the head ends and the tail
 * starts on a page boundary, the payload is whole pages). */
static long wr_send(struct wr *w, struct wr_buf *b)
{
	struct rd_iov iov[3];

	if (!b->zc_mem)
		return rd_sink_submit(w->sink, b->off, b->data, b->fill);
	iov[0].base = b->data + b->head_off;
	iov[0].len = b->zc_at;
	iov[1].base = b->zc_mem;
	iov[1].len = b->zc_len;
	iov[2].base = b->data + WR_PAGE;
	iov[2].len = b->fill - b->zc_at - b->zc_len;
	return rd_sink_submitv(w->sink, b->off, iov, 3);
}

/* A write completed (or failed): fold its block headers into the index,
 * or queue LOST records for its memory. */
static void wr_retire(struct wr *w, struct wr_buf *b, int err)
{
	uint32_t off = 0, i;

	if (err) {
		if (!w->res->first_error)
			w->res->first_error = err;
		for (i = 0; i < b->next; i++) {
			if (w->nlost < WR_MAX_EXTENTS) {
				w->lost[w->nlost] = b->ext[i];
				w->lost_seq_first[w->nlost] = b->seq_first;
				w->lost_seq_last[w->nlost] = b->seq_end - 1;
				w->nlost++;
			}
			w->res->lost_bytes += b->ext[i].len;
		}
		return;
	}
	while (off + sizeof(struct rd_block_header) <= b->fill) {
		struct rd_block_header h;

		__builtin_memcpy(&h, wr_ptr(b, off), sizeof(h));
		w->index_crc = rd_csum(w->csum, w->index_crc, &h, sizeof(h));
		w->ok_blocks++;
		off += (uint32_t)rd_align_up(sizeof(h) + h.stored_len, RD_BLOCK_ALIGN);
	}
}

static int wr_wait_buf(struct wr *w, struct wr_buf *b)
{
	int err;

	if (b->tag < 0)
		return 0;
	err = w->sink->wait(w->sink->ctx, b->tag);
	if (err) {
		/* one retry of the whole request at the same place */
		long tag = wr_send(w, b);

		err = tag < 0 ? (int)tag : w->sink->wait(w->sink->ctx, tag);
	}
	b->tag = -1;
	wr_retire(w, b, err);
	return err;
}

/* Wait for every outstanding write, oldest first (the index is chained
 * in write order). */
static void wr_drain(struct wr *w)
{
	uint32_t i;

	for (i = 1; i <= w->nbufs; i++)
		wr_wait_buf(w, &w->bufs[(w->cur + i) % w->nbufs]);
}

static void wr_commit_block(struct wr *w, struct rd_block_header *h);

/* A write must end on a sector boundary: fill the rest of the sector with
 * a PAD block (at least 512 bytes, so there is room for its header). */
static void wr_pad_cur(struct wr *w)
{
	struct wr_buf *b = &w->bufs[w->cur];
	uint32_t gap = (uint32_t)(rd_align_up(b->fill, w->align) - b->fill);
	struct rd_block_header h;

	if (!gap)
		return;
	__builtin_memset(&h, 0, sizeof(h));
	h.type = RD_BLK_PAD;
	h.stored_len = gap - sizeof(h);
	__builtin_memset(wr_ptr(b, b->fill + sizeof(h)), 0, h.stored_len);
	h.stored_crc = rd_csum(w->csum, 0, wr_ptr(b, b->fill + sizeof(h)), h.stored_len);
	wr_commit_block(w, &h);
}

/* Request b, retired, becomes the one being filled at w->pos. */
static void wr_buf_reset(struct wr *w, struct wr_buf *b)
{
	if (b->copy >= 0 && w->copy[b->copy].owner == (int)(b - w->bufs))
		w->copy[b->copy].owner = -1;
	b->copy = -1;
	b->data = b->small;
	b->zc_mem = 0;
	b->zc_at = b->zc_len = b->head_off = 0;
	b->fill = 0;
	b->nblocks = 0;
	b->next = 0;
	b->off = w->pos;
	b->seq_first = b->seq_end = w->seq;
}

static int wr_submit_cur(struct wr *w)
{
	struct wr_buf *b = &w->bufs[w->cur], *next;
	long tag;

	if (b->fill == 0)
		return 0;
	wr_pad_cur(w);
	/* the oldest request first: never more than max_inflight outstanding */
	next = &w->bufs[(w->cur + 1) % w->nbufs];
	wr_wait_buf(w, next);
	tag = wr_send(w, b);
	if (tag == -RD_EBOUNDS)
		return (int)tag;	/* a writer bug: never write there */
	b->tag = tag;
	if (tag < 0) {
		b->tag = -1;
		wr_retire(w, b, (int)tag);
	}
	w->stored += b->fill;
	w->cur = (uint32_t)(next - w->bufs);
	wr_buf_reset(w, next);
	return 0;
}

/* A copy buffer is busy while the request that used it is in flight. */
static int wr_copybuf_busy(const struct wr *w, const struct wr_copybuf *c)
{
	return c->owner >= 0 && w->bufs[c->owner].tag >= 0;
}

/* The current request outgrew its head page: move it to the next copy
 * buffer, retiring older requests (in write order) until that is free. */
static void wr_use_copybuf(struct wr *w)
{
	struct wr_buf *b = &w->bufs[w->cur];
	struct wr_copybuf *c = &w->copy[w->next_copy];
	uint32_t i;

	w->next_copy = (w->next_copy + 1) % w->ncopy;
	for (i = 1; i < w->nbufs && wr_copybuf_busy(w, c); i++)
		wr_wait_buf(w, &w->bufs[(w->cur + i) % w->nbufs]);
	__builtin_memcpy(c->data, b->data, b->fill);
	c->owner = (int)w->cur;
	b->copy = (int)(c - w->copy);
	b->data = c->data;
}

/* Room for a block of `need` bytes (header + payload, unpadded) in the
 * current buffer; 0 if it fits the partition, -RD_ENOSPC if not. */
static int wr_reserve(struct wr *w, uint64_t need)
{
	struct wr_buf *b = &w->bufs[w->cur];
	uint64_t padded = rd_align_up(need, RD_BLOCK_ALIGN);
	int err;

	if (w->pos + padded > w->limit)
		return -RD_ENOSPC;
	if (b->fill + padded > w->io_size || b->next == WR_MAX_EXTENTS) {
		err = wr_submit_cur(w);
		if (err)
			return err;
		b = &w->bufs[w->cur];
	}
	if (b->copy < 0 && b->fill + padded > WR_SMALL_FILL)
		wr_use_copybuf(w);
	return 0;
}

static void wr_add_extent(struct wr_buf *b, uint64_t paddr, uint64_t len)
{
	if (b->next && b->ext[b->next - 1].paddr + b->ext[b->next - 1].len == paddr) {
		b->ext[b->next - 1].len += len;
		return;
	}
	b->ext[b->next].paddr = paddr;
	b->ext[b->next].len = len;
	b->next++;
}

/* Append a block whose payload (stored_len bytes) is already in place
 * after the header slot at the buffer's fill point. */
static void wr_commit_block(struct wr *w, struct rd_block_header *h)
{
	struct wr_buf *b = &w->bufs[w->cur];
	uint32_t padded = (uint32_t)rd_align_up(sizeof(*h) + h->stored_len, RD_BLOCK_ALIGN);

	h->magic = RD_BLOCK_MAGIC;
	h->flags |= (uint16_t)(w->csum << RD_BLK_CSUM_SHIFT);
	h->dump_id = w->dump_id;
	h->seq = w->seq++;
	rd_block_header_seal(h);
	__builtin_memcpy(wr_ptr(b, b->fill), h, sizeof(*h));
	__builtin_memset(wr_ptr(b, b->fill + sizeof(*h) + h->stored_len), 0,
			 padded - sizeof(*h) - h->stored_len);
	if (h->type != RD_BLK_LOST && h->type != RD_BLK_END && h->type != RD_BLK_PAD &&
	    h->type != RD_BLK_EXCLUDED)
		wr_add_extent(b, h->paddr, h->mem_len);
	b->fill += padded;
	b->nblocks++;
	b->seq_end = w->seq;
	w->pos += padded;
	w->res->blocks++;
}

static int wr_emit_nodata(struct wr *w, uint16_t type, uint16_t flags,
			  uint64_t paddr, uint64_t len, uint32_t aux0, uint32_t aux1)
{
	struct rd_block_header h;
	int err = wr_reserve(w, sizeof(h));

	if (err)
		return err;
	__builtin_memset(&h, 0, sizeof(h));
	h.type = type;
	h.flags = flags;
	h.paddr = paddr;
	h.mem_len = len;
	h.aux[0] = aux0;
	h.aux[1] = aux1;
	h.stored_crc = rd_csum(w->csum, 0, &h, 0);	/* of no bytes: 0, except XXH64 */
	wr_commit_block(w, &h);
	return 0;
}

static int wr_flush_lost(struct wr *w)
{
	while (w->nlost) {
		uint32_t i = --w->nlost;
		int err = wr_emit_nodata(w, RD_BLK_LOST, RD_LOST_WRITE_ERROR,
					 w->lost[i].paddr, w->lost[i].len,
					 (uint32_t)w->lost_seq_first[i],
					 (uint32_t)w->lost_seq_last[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Compress len bytes of mem into payload (room for len bytes). Sets
 * h->type (ZLIB, LZ4 or ZSTD), stored_len and stored_crc when that saves at
 * least one 512-byte sector; leaves h->type 0 (store RAW) otherwise. */
static int wr_compress(struct wr *w, struct rd_block_header *h, const uint8_t *mem,
		       uint32_t len, uint8_t *payload)
{
	uint32_t room = len - RD_BLOCK_ALIGN;	/* must save at least a sector */
	size_t zn;
	int n, zr;

	if (len <= 2 * RD_BLOCK_ALIGN)
		return 0;
	if (w->zs_ready) {
		deflateReset(&w->zs);
		w->zs.next_in = (Bytef *)(uintptr_t)mem;
		w->zs.avail_in = len;
		w->zs.next_out = payload;
		w->zs.avail_out = room;
		zr = deflate(&w->zs, Z_FINISH);
		if (zr == Z_STREAM_END) {
			h->type = RD_BLK_ZLIB;
			h->stored_len = (uint32_t)w->zs.total_out;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return -RD_ECOMPRESS;
		}
	} else if (w->lz4_state) {
		/* 0: does not fit in room (incompressible), nothing else */
		n = LZ4_compress_fast_extState(w->lz4_state, (const char *)mem, (char *)payload,
					       (int)len, (int)room, 1);
		if (n > 0) {
			h->type = RD_BLK_LZ4;
			h->stored_len = (uint32_t)n;
		}
	} else if (w->zstd) {
		zn = ZSTD_compress2(w->zstd, payload, room, mem, len);
		if (!ZSTD_isError(zn)) {
			h->type = RD_BLK_ZSTD;
			h->stored_len = (uint32_t)zn;
		} else if (ZSTD_getErrorCode(zn) != ZSTD_error_dstSize_tooSmall) {
			return -RD_ECOMPRESS;
		}
	}
	if (h->type)
		h->stored_crc = rd_csum(w->csum, 0, payload, h->stored_len);
	return 0;
}

/*
 * Is a block worth a compression attempt? Random, encrypted or already
 * compressed memory costs the compressor its full work for nothing (the
 * block ends up RAW) and keeps the block off the zero-copy path. The test:
 * a byte histogram of WR_FLAT_PIECES pieces of 256 bytes spread over the
 * block; uniformly random bytes give a sum of squared counts near
 * n + n(n-1)/256 = 18424 (n = 2048), code, text, pointers and structures
 * far more. Below WR_FLAT_SUM the block is stored RAW untried. Measured on
 * the host with zstd level 1 over 256 KiB blocks: 256 of 256 random blocks
 * skipped; a crashed 1 GiB Debian guest's non-zero memory 58 of 481 blocks
 * skipped, losing 0.11 MiB of the 80.1 MiB zstd saves; the 2 GiB filter
 * guest 120 of 408, losing 0.02 of 54.1 MiB; 200 MiB of vmlinuz + shared
 * libraries 30 of 800 (the compressed kernel), losing nothing.
 */
#define WR_FLAT_PIECES	8u
#define WR_FLAT_SUM	20000u

static int wr_flat(const uint8_t *mem, uint32_t len)
{
	uint16_t hist[256];
	uint32_t step = len / WR_FLAT_PIECES, p, i, sum = 0;

	if (step < 256)
		return 0;
	__builtin_memset(hist, 0, sizeof(hist));
	for (p = 0; p < WR_FLAT_PIECES; p++)
		for (i = 0; i < 256; i++)
			hist[mem[p * step + i]]++;
	for (i = 0; i < 256; i++)
		sum += (uint32_t)hist[i] * hist[i];
	return sum < WR_FLAT_SUM;
}

/* Can a RAW payload at mem stay where it is (see the file header)? Only
 * without compression, or for a block wr_flat() keeps from it. On
 * disks with sectors above 512 bytes each such request ends with a PAD to
 * the sector: only worth it for long runs (at most ~3% more bytes). */
#define WR_ZC_MIN_SECTORS	32

static int wr_zc_ok(const struct wr *w, const uint8_t *mem, uint32_t len, int flat)
{
	return w->zc && (w->cfg->compression == RD_COMP_NONE || flat) &&
	       (uintptr_t)mem % WR_PAGE == 0 && len % WR_PAGE == 0 &&
	       (w->align == RD_BLOCK_ALIGN || len >= WR_ZC_MIN_SECTORS * w->align);
}

/* A RAW block (header h sealed here) whose payload stays at mem: ends the
 * current request, which must not hold a copy buffer, right behind it. */
static int wr_emit_zc(struct wr *w, struct rd_block_header *h, const uint8_t *mem)
{
	struct wr_buf *b = &w->bufs[w->cur];
	uint64_t padded = rd_align_up(sizeof(*h) + h->stored_len, RD_BLOCK_ALIGN);
	int err;

	if (w->pos + padded > w->limit)
		return -RD_ENOSPC;
	if (b->copy >= 0 || b->next == WR_MAX_EXTENTS) {
		err = wr_submit_cur(w);
		if (err)
			return err;
		b = &w->bufs[w->cur];
	}
	/* the blocks before it and its header end where the head page does */
	b->head_off = WR_PAGE - b->fill - (uint32_t)sizeof(*h);
	__builtin_memmove(b->data + b->head_off, b->data, b->fill);
	b->zc_mem = mem;
	b->zc_at = b->fill + (uint32_t)sizeof(*h);
	b->zc_len = h->stored_len;
	wr_commit_block(w, h);
	return wr_submit_cur(w);
}

/* One run of non-zero memory, at most RD_BLOCK_MAX_MEM bytes. */
static int wr_emit_data(struct wr *w, uint64_t paddr, const uint8_t *mem, uint32_t len)
{
	struct rd_block_header h;
	uint8_t *payload;
	int err, flat;

	__builtin_memset(&h, 0, sizeof(h));
	h.paddr = paddr;
	h.mem_len = len;
	h.data_crc = rd_csum(w->csum, 0, mem, len);
	flat = w->cfg->compression != RD_COMP_NONE && wr_flat(mem, len);
	if (wr_zc_ok(w, mem, len, flat)) {
		h.type = RD_BLK_RAW;
		h.stored_len = len;
		h.stored_crc = h.data_crc;
		return wr_emit_zc(w, &h, mem);
	}
	err = wr_reserve(w, sizeof(h) + len);
	if (err)
		return err;
	payload = wr_ptr(&w->bufs[w->cur], w->bufs[w->cur].fill + sizeof(h));
	err = flat ? 0 : wr_compress(w, &h, mem, len, payload);
	if (err)
		return err;
	if (!h.type) {
		h.type = RD_BLK_RAW;
		h.stored_len = len;
		__builtin_memcpy(payload, mem, len);
		h.stored_crc = h.data_crc;
	}
	wr_commit_block(w, &h);
	return 0;
}

static void wr_progress(struct wr *w)
{
	struct rd_progress p;

	if (!w->cfg->progress || w->done < w->next_progress)
		return;
	w->next_progress = w->done + (w->total / 100 ? w->total / 100 : 1);
	p.done = w->done;
	p.total = w->total;
	p.stored = w->stored;
	p.elapsed_us = wr_now(w) - w->t0;
	w->cfg->progress(w->cfg->progress_ctx, &p);
}

static int wr_cut(const struct wr *w)
{
	return w->cfg->cut_after_blocks && w->res->blocks >= w->cfg->cut_after_blocks;
}

static int wr_flush_zero(struct wr *w)
{
	int err;

	if (!w->zero_len)
		return 0;
	err = wr_emit_nodata(w, RD_BLK_ZERO, 0, w->zero_start, w->zero_len, 0, 0);
	if (err)
		return err;
	w->res->mem_bytes += w->zero_len;
	w->res->zero_bytes += w->zero_len;
	w->described += w->zero_len;
	w->zero_len = 0;
	return 0;
}

/* The EXCLUDED list built so far becomes one block: paddr and mem_len span
 * its runs (kept pages between them are in other blocks). */
static int wr_flush_excl(struct wr *w)
{
	struct rd_block_header h;
	const struct rd_excl_run *last;
	uint32_t i, len;
	uint8_t *payload;
	int err;

	if (!w->nexcl)
		return 0;
	len = w->nexcl * (uint32_t)sizeof(struct rd_excl_run);
	err = wr_reserve(w, sizeof(h) + len);
	if (err)
		return err;
	payload = wr_ptr(&w->bufs[w->cur], w->bufs[w->cur].fill + sizeof(h));
	__builtin_memcpy(payload, w->excl, len);
	last = &w->excl[w->nexcl - 1];
	__builtin_memset(&h, 0, sizeof(h));
	h.type = RD_BLK_EXCLUDED;
	h.paddr = w->excl[0].paddr;
	h.mem_len = last->paddr + (uint64_t)last->pages * RD_PAGE_SIZE - h.paddr;
	h.stored_len = len;
	h.stored_crc = rd_csum(w->csum, 0, payload, len);
	wr_commit_block(w, &h);
	for (i = 0; i < w->nexcl; i++) {
		uint64_t bytes = (uint64_t)w->excl[i].pages * RD_PAGE_SIZE;

		w->described += bytes;
		w->res->excluded_bytes += bytes;
		w->res->excluded_pages[__builtin_ctz(w->excl[i].class)] += w->excl[i].pages;
	}
	w->nexcl = 0;
	return 0;
}

/* One page left out: grow the last run or start a new one. */
static int wr_add_excl(struct wr *w, uint64_t paddr, uint32_t class)
{
	struct rd_excl_run *last = w->nexcl ? &w->excl[w->nexcl - 1] : 0;
	int err;

	if (last && last->class == class &&
	    last->paddr + (uint64_t)last->pages * RD_PAGE_SIZE == paddr && last->pages < UINT32_MAX) {
		last->pages++;
		return 0;
	}
	if (w->nexcl == WR_EXCL_RUNS) {
		err = wr_flush_excl(w);
		if (err)
			return err;
	}
	w->excl[w->nexcl].paddr = paddr;
	w->excl[w->nexcl].pages = 1;
	w->excl[w->nexcl].class = class;
	w->nexcl++;
	return 0;
}

/* First extent of the pass-1 set that ends after paddr (np1 if none). */
static uint32_t wr_p1_find(const struct wr *w, uint64_t paddr)
{
	uint32_t lo = 0, hi = w->np1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (w->p1[mid].paddr + w->p1[mid].len <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add [paddr, paddr+len) to the pass-1 set, which it does not overlap.
 * 0, or -RD_ENOMEM when the set is full (the caller stops pass 1). */
static int wr_p1_add(struct wr *w, uint64_t paddr, uint64_t len)
{
	uint32_t k = wr_p1_find(w, paddr), i;
	int prev = k > 0 && w->p1[k - 1].paddr + w->p1[k - 1].len == paddr;
	int next = k < w->np1 && w->p1[k].paddr == paddr + len;

	if (prev && next) {
		w->p1[k - 1].len += len + w->p1[k].len;
		for (i = k; i + 1 < w->np1; i++)
			w->p1[i] = w->p1[i + 1];
		w->np1--;
	} else if (prev) {
		w->p1[k - 1].len += len;
	} else if (next) {
		w->p1[k].paddr = paddr;
		w->p1[k].len += len;
	} else {
		if (w->np1 == WR_P1_MAX)
			return -RD_ENOMEM;
		for (i = w->np1; i > k; i--)
			w->p1[i] = w->p1[i - 1];
		w->p1[k].paddr = paddr;
		w->p1[k].len = len;
		w->np1++;
	}
	return 0;
}

/* What becomes of one piece of a window (a page, or less at an unaligned
 * range edge): kept (0), left out (an RD_CLASS_* bit) or already written
 * by pass 1. */
#define WR_SKIP		0x80u

static uint32_t wr_valid_class(const struct wr *w, uint8_t c)
{
	/* exactly one bit, a class the filter applies, never ZERO */
	if (!c || (c & (c - 1)) || !(c & w->cls->active & RD_CLASS_ALL & ~RD_CLASS_ZERO))
		return 0;
	return c;
}

/* Classify the whole pages of a window that pass 1 did not write, one
 * call per run of them. */
static void wr_classify(struct wr *w, uint64_t pa, uint32_t npages, uint8_t *disp)
{
	uint32_t i = 0, j;

	while (i < npages) {
		if (disp[i] == WR_SKIP) {
			i++;
			continue;
		}
		for (j = i; j < npages && disp[j] != WR_SKIP; j++)
			;
		w->cls->classify(w->cls->ctx, pa + (uint64_t)i * RD_PAGE_SIZE, j - i, disp + i);
		for (; i < j; i++)
			disp[i] = (uint8_t)wr_valid_class(w, disp[i]);
	}
}

/*
 * Dump bytes [pos, end) of range r a window at a time. Each window is
 * classified (pass 2 with a filter) before it is mapped, then split into
 * runs: data -> RAW/ZLIB blocks (per window), zero -> ZERO blocks (runs may
 * span windows), unreadable -> LOST, left out -> the EXCLUDED list, frames
 * pass 1 wrote -> nothing. Returns 0, 1 for a simulated cut, or a negative
 * rd_err (-RD_ENOSPC: the partition is full).
 */
static int wr_dump_span(struct wr *w, const struct rd_writer_range *r,
			uint64_t pos, uint64_t end, int pass2)
{
	uint8_t disp[WR_WIN_PAGES];
	uint32_t k = pass2 ? wr_p1_find(w, r->paddr + pos) : 0;
	int err;

	while (pos < end) {
		uint64_t left = end - pos, pa = r->paddr + pos;
		uint32_t win = left > RD_BLOCK_MAX_MEM ? RD_BLOCK_MAX_MEM : (uint32_t)left;
		uint32_t i, n, pg, need_map = 0, run = 0, lost = 0;
		const uint8_t *mem = 0;

		/* stay page aligned in the physical address space: an unaligned
		 * start is one piece up to the next page boundary */
		if (pa % RD_PAGE_SIZE && RD_PAGE_SIZE - pa % RD_PAGE_SIZE < win)
			win = (uint32_t)(RD_PAGE_SIZE - pa % RD_PAGE_SIZE);
		n = (win + RD_PAGE_SIZE - 1) / RD_PAGE_SIZE;
		__builtin_memset(disp, 0, n);
		for (i = 0; pass2 && i < n; i++) {
			uint64_t p = pa + (uint64_t)i * RD_PAGE_SIZE;

			while (k < w->np1 && w->p1[k].paddr + w->p1[k].len <= p)
				k++;
			if (k < w->np1 && w->p1[k].paddr <= p)
				disp[i] = WR_SKIP;
		}
		/* nothing to classify when only the kernel-first order is asked
		 * for (dump level 0 or 1) */
		if (pass2 && w->cls && (w->cls->active & RD_CLASS_ALL & ~RD_CLASS_ZERO) &&
		    !(pa % RD_PAGE_SIZE))
			wr_classify(w, pa, win / RD_PAGE_SIZE, disp);
		for (i = 0; i < n; i++)
			need_map |= !disp[i];
		if (need_map)
			mem = w->src->map(w->src->ctx, r->src + pos, win);

		for (i = 0; i < win; i += pg) {
			uint8_t d = disp[i / RD_PAGE_SIZE];
			int zero = 0;

			pg = win - i < RD_PAGE_SIZE ? win - i : RD_PAGE_SIZE;
			if (!d && mem)
				zero = wr_page_is_zero(mem + i, pg);
			/* close the runs this piece does not continue */
			if (run && (d || zero)) {
				err = wr_emit_data(w, pa + i - run, mem + i - run, run);
				if (err)
					return err;
				w->res->mem_bytes += run;
				w->described += run;
				run = 0;
				if (wr_cut(w))
					return 1;
			}
			if (lost && d) {
				err = wr_emit_nodata(w, RD_BLK_LOST, RD_LOST_READ_ERROR,
						     pa + i - lost, lost, 0, 0);
				if (err)
					return err;
				w->res->lost_bytes += lost;
				w->described += lost;
				lost = 0;
			}
			if (w->zero_len && !(zero && w->zero_start + w->zero_len == pa + i)) {
				err = wr_flush_zero(w);
				if (err)
					return err;
			}
			if (d == WR_SKIP)
				continue;
			w->done += pg;
			if (d) {
				err = wr_add_excl(w, pa + i, d);
				if (err)
					return err;
			} else if (!mem) {
				lost += pg;
			} else if (zero) {
				if (!w->zero_len)
					w->zero_start = pa + i;
				w->zero_len += pg;
			} else {
				run += pg;
			}
		}
		if (run) {
			err = wr_emit_data(w, pa + win - run, mem + win - run, run);
			if (err)
				return err;
			w->res->mem_bytes += run;
			w->described += run;
			if (wr_cut(w))
				return 1;
		}
		if (lost) {
			err = wr_emit_nodata(w, RD_BLK_LOST, RD_LOST_READ_ERROR,
					     pa + win - lost, lost, 0, 0);
			if (err)
				return err;
			w->res->lost_bytes += lost;
			w->described += lost;
		}
		pos += win;
		if (w->nlost) {
			err = wr_flush_lost(w);
			if (err)
				return err;
		}
		wr_progress(w);
	}
	return wr_flush_zero(w);
}

/*
 * Pass 1: the kernel-first extents, most urgent first, each clipped to the
 * dumped (non-alias) ranges and to what earlier extents already wrote, so
 * every frame is written once. Returns like wr_dump_span.
 */
static int wr_pass1(struct wr *w)
{
	const struct rd_writer_config *cfg = w->cfg;
	const struct rd_pf_extent *pri = w->cls->priority;
	uint32_t n = w->cls->priority_count, i, j;
	int err;

	if (n > RD_PF_PRIORITY_MAX)
		n = RD_PF_PRIORITY_MAX;
	for (i = 0; i < n; i++) {
		uint64_t a = pri[i].paddr & ~(uint64_t)(RD_PAGE_SIZE - 1);
		uint64_t e = pri[i].paddr + pri[i].len;

		if (e < pri[i].paddr || e > UINT64_MAX - RD_PAGE_SIZE)
			continue;
		e = rd_align_up(e, RD_PAGE_SIZE);
		for (j = 0; j < cfg->range_count; j++) {
			const struct rd_writer_range *r = &cfg->ranges[j];
			uint64_t lo = a > r->paddr ? a : r->paddr;
			uint64_t hi = e < r->paddr + r->size ? e : r->paddr + r->size;

			if (r->flags & RD_RANGE_ALIAS)
				continue;
			while (lo < hi) {
				uint32_t k = wr_p1_find(w, lo);
				uint64_t next = hi;

				if (k < w->np1 && w->p1[k].paddr <= lo) {
					lo = w->p1[k].paddr + w->p1[k].len;
					continue;
				}
				if (k < w->np1 && w->p1[k].paddr < hi)
					next = w->p1[k].paddr;
				/* recorded first: a cut or a full partition in the
				 * middle still must not write it again in pass 2 */
				if (wr_p1_add(w, lo, next - lo))
					return wr_flush_zero(w);	/* set full: the rest in pass 2 */
				err = wr_dump_span(w, r, lo - r->paddr, next - r->paddr, 0);
				if (err)
					return err;
				w->res->priority_bytes += next - lo;
				lo = next;
			}
		}
	}
	return 0;
}

/* Pass 2 (the only pass without a filter): one range in address order. */
static int wr_dump_range(struct wr *w, const struct rd_writer_range *r)
{
	int err = wr_dump_span(w, r, 0, r->size, 1);

	if (!err && w->nexcl) {
		err = wr_flush_excl(w);
		if (!err && wr_cut(w))
			err = 1;
	}
	return err;
}

static int wr_finish(struct wr *w, struct rd_part_header *ph)
{
	struct rd_block_header h;
	struct rd_end_record *e;
	struct wr_buf *b;
	uint32_t i;
	int err;

	/* Retire everything so the index and LOST records are final. */
	err = wr_submit_cur(w);
	if (err)
		return err;
	wr_drain(w);
	if (w->nlost) {
		/* Room for LOST records: taken from the END reserve if needed. */
		w->limit += RD_END_RESERVE / 2;
		err = wr_flush_lost(w);
		if (err)
			return err;
		err = wr_submit_cur(w);
		if (err)
			return err;
		wr_drain(w);
	}

	w->limit = rd_part_backup_offset(w->sink->size);
	err = wr_reserve(w, sizeof(h) + sizeof(*e));
	if (err)
		return err;
	b = &w->bufs[w->cur];
	e = (struct rd_end_record *)(b->data + b->fill + sizeof(h));
	__builtin_memset(e, 0, sizeof(*e));
	e->block_count = w->ok_blocks;
	e->mem_bytes = w->res->mem_bytes;
	e->stored_bytes = w->stored;
	e->missing_bytes = w->res->missing_bytes;
	e->lost_bytes = w->res->lost_bytes;
	e->flags = (w->full ? RD_END_TRUNCATED : 0) | (w->res->lost_bytes ? RD_END_ERRORS : 0);
	e->index_crc = w->index_crc;
	e->elapsed_us = wr_now(w) - w->t0;
	for (i = 0; i < RD_CLASS_COUNT; i++)
		e->excluded_pages[i] = w->res->excluded_pages[i];
	if (w->cls && w->cls->flags)
		e->filter_flags = w->cls->flags(w->cls->ctx);
	__builtin_memset(&h, 0, sizeof(h));
	h.type = RD_BLK_END;
	h.stored_len = sizeof(*e);
	h.stored_crc = rd_csum(w->csum, 0, e, sizeof(*e));
	wr_commit_block(w, &h);
	w->res->end_flags = e->flags;
	w->res->elapsed_us = e->elapsed_us;

	err = wr_submit_cur(w);
	if (err)
		return err;
	for (i = 1; i <= w->nbufs; i++) {
		struct wr_buf *ob = &w->bufs[(w->cur + i) % w->nbufs];
		int werr;

		if (ob->tag < 0)
			continue;
		werr = w->sink->wait(w->sink->ctx, ob->tag);
		ob->tag = -1;
		if (werr)
			return werr;	/* END did not land: the dump stays WRITING */
	}
	err = w->sink->flush(w->sink->ctx);
	if (err)
		return err;

	w->res->data_end = w->pos;
	ph->state = RD_STATE_COMPLETE;
	ph->data_end = w->pos;
	return wr_part_header_store(w, ph);
}

void rd_ranges_mark_aliases(struct rd_writer_range *r, uint32_t n)
{
	uint32_t i, j;

	/* i is an alias when the union of the other non-alias ranges covers
	 * it; of two identical ranges the first one is kept. */
	for (i = 0; i < n; i++) {
		uint64_t start = r[i].paddr, end = r[i].paddr + r[i].size;
		int moved = 1;

		while (start < end && moved) {
			moved = 0;
			for (j = 0; j < n; j++) {
				if (j == i || (r[j].flags & RD_RANGE_ALIAS))
					continue;
				if (j > i && r[j].paddr == r[i].paddr && r[j].size == r[i].size)
					continue;
				if (r[j].paddr <= start && start < r[j].paddr + r[j].size) {
					start = r[j].paddr + r[j].size;
					moved = 1;
				}
			}
		}
		if (r[i].size && start >= end)
			r[i].flags |= RD_RANGE_ALIAS;
	}
}

int rd_dump_write(const struct rd_writer_config *cfg,
		  const struct rd_source *src, const struct rd_sink *sink,
		  struct rd_writer_result *res)
{
	struct wr w;
	struct rd_part_header ph;
	struct rd_dump_header dh;
	uint8_t *p;
	uint32_t i;
	size_t need;
	int err, cut = 0;

	__builtin_memset(res, 0, sizeof(*res));
	__builtin_memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.src = src;
	w.sink = sink;
	w.res = res;
	w.io_size = cfg->io_size ? cfg->io_size : WR_DEFAULT_IO;
	w.dump_id = cfg->dump_id;
	w.csum = cfg->csum_kind;
	w.align = cfg->write_align ? cfg->write_align : RD_BLOCK_ALIGN;
	if ((w.align & (w.align - 1)) || w.align < RD_BLOCK_ALIGN || w.align > RD_SLOT_SIZE)
		return -RD_EINVAL;
	w.cls = cfg->filter;
	if ((w.cls && !w.cls->classify) ||
	    !cfg->expect_uuid || !cfg->dump_id || w.io_size % RD_SLOT_SIZE ||
	    w.io_size < 2 * RD_BLOCK_MAX_MEM || !sink->max_inflight ||
	    cfg->compression > RD_COMP_ZSTD || cfg->csum_kind > RD_CSUM_MAX)
		return -RD_EINVAL;
	need = rd_writer_work_size(cfg->compression, w.io_size, sink->max_inflight,
				   cfg->copy_bufs);
	if (cfg->work_size < need)
		return -RD_ENOMEM;

	/* carve the work area (4 KiB aligned): slot, filter lists, request
	 * header areas, copy buffers, zlib arena, LZ4 or zstd state */
	p = (uint8_t *)rd_align_up((uintptr_t)cfg->work, 4096);
	w.slot = p;
	p += RD_SLOT_SIZE;
	w.excl = (struct rd_excl_run *)p;
	p += WR_EXCL_RUNS * sizeof(struct rd_excl_run);
	w.p1 = (struct wr_extent *)p;
	p += WR_P1_MAX * sizeof(struct wr_extent);
	p = (uint8_t *)rd_align_up((uintptr_t)p, 4096);
	w.nbufs = wr_nreqs(sink->max_inflight);
	w.ncopy = wr_ncopy(w.nbufs, cfg->copy_bufs);
	for (i = 0; i < w.nbufs; i++) {
		w.bufs[i].small = p;
		w.bufs[i].tag = -1;
		w.bufs[i].copy = -1;
		w.bufs[i].data = p;
		p += WR_HDR_AREA;
	}
	for (i = 0; i < w.ncopy; i++) {
		w.copy[i].data = p;
		w.copy[i].owner = -1;
		p += w.io_size;
	}
	w.zc = sink->submitv && (src->flags & RD_SRC_STABLE);
	for (i = 0; i < cfg->range_count; i++)
		if (!(cfg->ranges[i].flags & RD_RANGE_ALIAS))
			w.total += cfg->ranges[i].size;

	/* 1. the partition must be ours */
	err = wr_part_header_load(&w, &ph);
	if (err)
		return err;

	if (cfg->compression == RD_COMP_ZLIB) {
		w.arena.base = p;
		w.arena.size = WR_ZLIB_ARENA;
		w.zs.zalloc = wr_zalloc;
		w.zs.zfree = wr_zfree;
		w.zs.opaque = &w.arena;
		if (deflateInit2(&w.zs, cfg->zlib_level, Z_DEFLATED, 15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return -RD_ECOMPRESS;
		w.zs_ready = 1;
	}
	if (cfg->compression == RD_COMP_LZ4) {
		if ((size_t)LZ4_sizeofState() > WR_LZ4_STATE)
			return -RD_ENOMEM;	/* a liblz4 built with a larger state */
		w.lz4_state = p;
	}
	if (cfg->compression == RD_COMP_ZSTD) {
		w.zstd = wr_zstd_init(p, cfg->zlib_level);
		if (!w.zstd)
			return -RD_ECOMPRESS;
	}
	w.t0 = wr_now(&w);
	res->dump_id = w.dump_id;

	/* 2. WRITING, with the new dump id, before anything else changes */
	ph.state = RD_STATE_WRITING;
	ph.generation++;
	ph.dump_id = w.dump_id;
	ph.data_end = 0;
	ph.saved_time = 0;
	err = wr_part_header_store(&w, &ph);
	if (err)
		return err;

	/* 3. metadata */
	err = wr_write_meta(&w, &dh);
	if (err)
		return err;

	/* 4. blocks */
	w.cur = 0;
	w.seq = 0;
	wr_buf_reset(&w, &w.bufs[0]);
	err = w.cls && w.cls->priority_count ? wr_pass1(&w) : 0;
	for (i = 0; !err && i < cfg->range_count; i++) {
		if (!(cfg->ranges[i].flags & RD_RANGE_ALIAS))
			err = wr_dump_range(&w, &cfg->ranges[i]);
	}
	if (err == -RD_ENOSPC) {
		/* The partition is full: what no committed block describes
		 * (the rest, pending zero runs and EXCLUDED lists) is missing. */
		w.full = 1;
		err = 0;
	}
	if (err < 0)
		return err;
	cut = err > 0;
	if (!cut)
		res->missing_bytes = w.total - w.described;
	if (cut) {
		/* simulated power cut: what was submitted lands, nothing more */
		wr_submit_cur(&w);
		wr_drain(&w);
		sink->flush(sink->ctx);
		res->stored_bytes = w.stored;
		return 0;
	}

	/* 5, 6. END, then COMPLETE */
	err = wr_finish(&w, &ph);
	res->stored_bytes = w.stored;
	return err;
}
