/*
 * minikernel/dump.c - glue between the command line, the memory to dump,
 * the block driver (drivers/blkdev.h) and the writer (writer/writer.h).
 * The partition checks (magic, UUID, size) and the one bounds check are
 * the writer's; this file converts partition offsets to device LBAs and
 * supplies memory, time and progress.
 */
#include "mk.h"
#include "blkdev.h"
#ifdef RD_HAVE_PFILTER
#include "pfilter.h"
#endif

/* Measured (Documentation/format.md, "Compression default"): the CPU, not
 * the disk, is the bottleneck of a capture kernel on one CPU; lz4 took
 * 2.1x and zlib level 1 over 100x the time of none under QEMU TCG. */
#define MK_DEFAULT_COMP		RD_COMP_NONE
#define MK_DEFAULT_LEVEL	1
/* zstd (writer.c: fast strategy): levels -1 and -3 were no faster under
 * QEMU TCG and stored 8-10 % more per MiB (Documentation/format.md). */
#define MK_ZSTD_LEVEL		1
/* Measured with rd.csumspeed= (Documentation/format.md, "Block checksums"). */
#define MK_DEFAULT_CSUM		RD_CSUM_DEFAULT
#define MK_CSUMSPEED_CHUNK	RD_BLOCK_MAX_MEM
#define MK_IO_MAX		(512u * 1024u)	/* the writer's minimum: two full blocks */
#define MK_INFLIGHT_MAX		32u	/* the writer's and blkq's limit */
#define MK_COPY_BUFS		3u	/* with scatter-gather: for zlib and metadata */
#define MK_PROGRESS_STEP	5u	/* percent between progress lines */
#define MK_DEFAULT_DUMPLEVEL	1	/* zero pages only: no filter, address order */

struct mk_sink {
	struct blkdev bd;
	uint64_t lba0;			/* partition start, device sectors */
	uint32_t ss;
	uint64_t sg_writes;		/* scatter-gather writes submitted */
};

static struct mk_sink mk_sink;
static struct rd_writer_range mk_test_ranges[MK_RANGES_MAX];
static unsigned mk_last_pct;

static int sink_geometry(const struct mk_sink *s, uint64_t off, uint32_t len, uint64_t *lba)
{
	if (off % s->ss || len % s->ss || len == 0)
		return -RD_EINVAL;
	*lba = s->lba0 + off / s->ss;
	return 0;
}

static int sink_read(void *ctx, uint64_t off, void *buf, uint32_t len)
{
	struct mk_sink *s = ctx;
	uint64_t lba;
	int err = sink_geometry(s, off, len, &lba);

	return err ? err : blk_read(&s->bd, lba, buf, len / s->ss);
}

static long sink_submit(void *ctx, uint64_t off, const void *buf, uint32_t len)
{
	struct mk_sink *s = ctx;
	uint64_t lba;
	int err = sink_geometry(s, off, len, &lba);

	return err ? err : blk_submit_write(&s->bd, lba, buf, len / s->ss);
}

/* The writer's pieces are identity-mapped memory: physical addresses. */
static long sink_submitv(void *ctx, uint64_t off, const struct rd_iov *iov, uint32_t n)
{
	struct mk_sink *s = ctx;
	struct blk_seg seg[RD_IOV_MAX];
	uint64_t lba, len = 0;
	uint32_t i;
	int err;

	if (n > RD_IOV_MAX)
		return -RD_EINVAL;
	for (i = 0; i < n; i++) {
		seg[i].addr = (uintptr_t)iov[i].base;
		seg[i].len = iov[i].len;
		len += iov[i].len;
	}
	err = sink_geometry(s, off, (uint32_t)len, &lba);
	if (err)
		return err;
	s->sg_writes++;
	return blk_submit_writev(&s->bd, lba, seg, n);
}

static int sink_wait(void *ctx, long tag)
{
	struct mk_sink *s = ctx;

	return blk_wait(&s->bd, tag);
}

static int sink_flush(void *ctx)
{
	struct mk_sink *s = ctx;

	return blk_flush(&s->bd);
}

/* Memory source: identity-mapped physical memory, only inside the ranges
 * being dumped (whose source extents were mapped). */
struct mk_source {
	const struct rd_writer_range *r;
	uint32_t n;
};

static const void *source_map(void *ctx, uint64_t addr, size_t len)
{
	const struct mk_source *s = ctx;
	uint32_t i;

	if (addr + len < addr)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (!(s->r[i].flags & RD_RANGE_ALIAS) && addr >= s->r[i].src &&
		    addr + len <= s->r[i].src + s->r[i].size)
			return (const void *)(uintptr_t)addr;
	return NULL;
}

static uint64_t dump_now(void *ctx)
{
	(void)ctx;
	return hw_now_us();
}

static void dump_progress(void *ctx, const struct rd_progress *p)
{
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
	uint64_t rate10 = 0;

	(void)ctx;
	if (pct < mk_last_pct + MK_PROGRESS_STEP && pct != 100)
		return;
	if (pct == 100 && mk_last_pct == 100)
		return;
	mk_last_pct = pct;
	if (p->elapsed_us)
		rate10 = (p->done * 10) / 1048576 * 1000000 / p->elapsed_us;
	kprintf("dump: %3u%% %lu MiB of %lu MiB, %lu MiB stored, %lu.%lu MiB/s\n", pct,
		p->done >> 20, p->total >> 20, p->stored >> 20, rate10 / 10, rate10 % 10);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- page filter (Documentation/filtering.md) ------------------------- */

static const char *const filter_class_names[RD_CLASS_COUNT] = {
	"zero", "cache", "cache_private", "user", "free",
};

struct mk_filter {
	struct rd_classifier cls;
	void *pf;			/* struct rd_pfilter */
	uint64_t pages, us;		/* classified, time spent */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
};

static int filter_note(void *ctx, const struct rd_note *n)
{
	struct mk_filter *f = ctx;

	if (n->namesz == 11 && !memcmp(n->name, "VMCOREINFO", 11)) {
		f->vmcoreinfo = (const char *)n->desc;
		f->vmcoreinfo_len = n->descsz;
	}
	return 0;
}

#ifdef RD_HAVE_PFILTER
static void filter_log(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("filter: %s\n", line);
}

static void filter_classify(void *ctx, uint64_t paddr, uint32_t npages, uint8_t *out)
{
	struct mk_filter *f = ctx;
	uint64_t t0 = hw_now_us();

	rd_pf_classify(f->pf, paddr, npages, out);
	f->us += hw_now_us() - t0;
	f->pages += npages;
}

static uint32_t filter_flags(void *ctx)
{
	struct mk_filter *f = ctx;

	return rd_pf_flags(f->pf);
}
#endif

/*
 * rd.dumplevel above 1 with the crashed kernel's VMCOREINFO: set the filter
 * up in the heap and plug it into the writer. Never fails the dump: without
 * what it needs, the dump is today's (every page, address order), and the
 * console says why.
 */
static void dump_filter_setup(const struct mk_args *a, struct rd_writer_config *cfg,
			      const struct rd_source *src, struct mk_filter *f)
{
	uint32_t level = a->dump_level >= 0 ? (uint32_t)a->dump_level : MK_DEFAULT_DUMPLEVEL;

	cfg->dump_level = level;
	memset(f, 0, sizeof(*f));
	/* Level 0 or 1 leaves nothing out, but the kernel-first order (log,
	 * kernel image, page tables first) is worth having at every level: a
	 * dump cut short still holds what triage needs. */
	if (!(level & ~RD_CLASS_ZERO))
		kprintf("filter: dump level %u: zero pages only, kernel-first order\n", level);
	if (!(cfg->flags & RD_DF_ELFCOREHDR)) {
		kprintf("filter: off: no elfcorehdr (test ranges), every page dumped\n");
		return;
	}
	rd_notes_walk(cfg->notes, cfg->notes_size, filter_note, f);
	if (!f->vmcoreinfo) {
		kprintf("filter: off: the crashed kernel gave no VMCOREINFO note\n");
		return;
	}
#ifndef RD_HAVE_PFILTER
	(void)src;
	kprintf("filter: off: this minikernel is built without writer/pfilter.c\n");
#else
	{
		struct rd_pf_config pc;
		size_t need = rd_pf_size();
		void *area;
		uint32_t i, n;

		if (need > hw_heap_free() / 4 || !(area = hw_alloc(need, 64))) {
			kprintf("filter: off: %zu bytes of heap needed, %zu free\n", need, hw_heap_free());
			return;
		}
		memset(&pc, 0, sizeof(pc));
		pc.vmcoreinfo = f->vmcoreinfo;
		pc.vmcoreinfo_len = f->vmcoreinfo_len;
		pc.level = level;
		pc.ranges = cfg->ranges;
		pc.range_count = cfg->range_count;
		pc.notes = cfg->notes;
		pc.notes_size = cfg->notes_size;
		pc.log = filter_log;
		f->pf = rd_pf_init(area, &pc, src);
		f->cls.classify = filter_classify;
		f->cls.flags = filter_flags;
		f->cls.ctx = f;
		f->cls.active = rd_pf_active(f->pf);
		f->cls.priority = rd_pf_priority(f->pf, &n);
		f->cls.priority_count = f->cls.priority ? n : 0;
		for (i = 1; i < RD_CLASS_COUNT; i++)
			if (level & (1u << i))
				kprintf("filter: %s pages: %s\n", filter_class_names[i],
					(f->cls.active & (1u << i)) ? "left out" :
					"kept (turned off, reason above)");
		kprintf("filter: %u kernel-first extents, %zu KiB of heap\n",
			f->cls.priority_count, need / 1024);
		cfg->filter = &f->cls;
	}
#endif
}

static void dump_filter_report(const struct mk_filter *f, const struct rd_writer_result *res)
{
	uint32_t i;

	if (!f->cls.classify)
		return;
	kprintf("filter: classified %lu MiB in %lu ms, %lu MiB kernel-first\n",
		(f->pages * RD_PAGE_SIZE) >> 20, f->us / 1000, res->priority_bytes >> 20);
	for (i = 1; i < RD_CLASS_COUNT; i++)
		if (f->cls.active & (1u << i))
			kprintf("filter: %s: %lu MiB left out\n", filter_class_names[i],
				(res->excluded_pages[i] * RD_PAGE_SIZE) >> 20);
}

static int dump_test_ranges(const struct mk_args *a, struct rd_writer_config *cfg)
{
	uint64_t img0 = (uint64_t)(uintptr_t)_start, img1 = (uint64_t)(uintptr_t)_end;
	uint32_t i;
	int err;

	for (i = 0; i < a->range_count; i++) {
		uint64_t p = a->ranges[i].addr, n = a->ranges[i].size;

		if (mk_boot.mem_count && !boot_is_ram(p, n)) {
			kprintf("dump: rd.ranges %lx+%lx is not RAM in the memory map\n", p, n);
			return -RD_EINVAL;
		}
		if (p < img1 && img0 < p + n) {
			kprintf("dump: rd.ranges %lx+%lx overlaps the minikernel\n", p, n);
			return -RD_EINVAL;
		}
		err = pt_map(p, n, PT_RO);
		if (err)
			return err;
		mk_test_ranges[i].paddr = p;
		mk_test_ranges[i].src = p;
		mk_test_ranges[i].size = n;
	}
	cfg->ranges = mk_test_ranges;
	cfg->range_count = a->range_count;
	cfg->flags |= RD_DF_TEST_RANGES;
	return 0;
}

/*
 * rd.diskspeed=BYTES, for `make bench`: the disk's own write speed through
 * the same driver, request size and queue depth as a dump, with no memory
 * to scan, checksum or copy. Only into an EMPTY or SAVED rawdump partition
 * whose UUID and size match (it destroys nothing unsaved), only inside its
 * data area, every write through the writer's bounds check; the headers
 * are not touched.
 */
static void dump_diskspeed(const struct mk_args *a, const struct rd_sink *sink,
			   uint8_t *bufs, size_t avail, uint32_t io, uint32_t inflight)
{
	uint32_t nbufs = avail / io < inflight ? (uint32_t)(avail / io) : inflight;
	struct rd_part_header ph;
	uint64_t off, end, t0, us, done = 0;
	long tags[MK_INFLIGHT_MAX];
	uint32_t i, slot = 0;
	int err;

	err = rd_sink_read(sink, 0, bufs, RD_SLOT_SIZE);
	if (err)
		mk_fail("diskspeed: reading the partition header: %s", rd_strerror(err));
	memcpy(&ph, bufs, sizeof(ph));
	if (rd_part_header_check(&ph) || memcmp(ph.uuid, a->uuid, 16) ||
	    ph.part_size != sink->size)
		mk_fail("diskspeed: not the rawdump partition named on the command line");
	if (ph.state != RD_STATE_EMPTY && ph.state != RD_STATE_SAVED)
		mk_fail("diskspeed: the partition holds a dump not saved");
	off = 2 * RD_SLOT_SIZE;
	end = rd_part_backup_offset(sink->size);
	if (a->diskspeed < end - off)
		end = off + (a->diskspeed & ~(uint64_t)(RD_SLOT_SIZE - 1));
	/* the device only reads them: requests may share a buffer */
	for (i = 0; i < nbufs * io; i++)
		bufs[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i < inflight; i++)
		tags[i] = -1;
	kprintf("diskspeed: writing %lu MiB\n", (end - off) >> 20);	/* bench: start mark */
	t0 = hw_now_us();
	while (off < end) {
		uint32_t n = end - off < io ? (uint32_t)(end - off) : io;
		long tag;

		if (tags[slot] >= 0 && (err = sink->wait(sink->ctx, tags[slot])))
			mk_fail("diskspeed: write failed: %s", rd_strerror(err));
		tag = rd_sink_submit(sink, off, bufs + (size_t)(slot % nbufs) * io, n);
		if (tag < 0)
			mk_fail("diskspeed: write failed: %s", rd_strerror((int)tag));
		tags[slot] = tag;
		slot = (slot + 1) % inflight;
		off += n;
		done += n;
	}
	err = sink->flush(sink->ctx);
	if (err)
		mk_fail("diskspeed: flush: %s", rd_strerror(err));
	us = hw_now_us() - t0;
	kprintf("rawdump: DISKSPEED %lu MiB in %lu ms, %u KiB requests, %u in flight\n",
		done >> 20, us / 1000, io / 1024, inflight);
}

/*
 * rd.csumspeed=BYTES, for `make bench`: each block checksum kind over
 * BYTES of the memory to dump (256 KiB at a time, as the writer does),
 * nothing written.
 */
static void dump_csumspeed(const struct mk_args *a, const struct rd_writer_config *cfg)
{
	uint32_t kind, i;

	kprintf("csumspeed: %lu MiB per kind\n", a->csumspeed >> 20);	/* bench: start mark */
	for (kind = 0; kind <= RD_CSUM_MAX; kind++) {
		uint64_t done = 0, t0 = hw_now_us(), us;
		uint32_t sum = 0;

		for (i = 0; i < cfg->range_count && done < a->csumspeed; i++) {
			const struct rd_writer_range *r = &cfg->ranges[i];
			uint64_t off;

			if (r->flags & RD_RANGE_ALIAS)
				continue;
			for (off = 0; off < r->size && done < a->csumspeed; off += MK_CSUMSPEED_CHUNK) {
				uint64_t n = r->size - off < MK_CSUMSPEED_CHUNK ? r->size - off :
					     MK_CSUMSPEED_CHUNK;

				sum ^= rd_csum(kind, 0, (const void *)(uintptr_t)(r->src + off), n);
				done += n;
			}
		}
		us = hw_now_us() - t0;
		kprintf("rawdump: CSUMSPEED %s%s %lu MiB in %lu ms (%08x)\n", rd_csum_name(kind),
			kind == RD_CSUM_CRC32C ? (rd_crc32c_has_hw() ? " sse4.2" : " table") : "",
			done >> 20, us / 1000, sum);
	}
}

int dump_run(const struct mk_args *a)
{
	static struct mk_crash crash;
	static struct mk_source src;
	static struct mk_filter filter;
	struct rd_source source;
	struct rd_writer_config cfg;
	struct rd_writer_result res;
	struct rd_sink sink;
	struct blk_target t;
	uint64_t part_bytes, w0, w1;
	uint32_t io, inflight, copy_bufs, i;
	size_t need, avail;
	void *work;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	memset(&res, 0, sizeof(res));
	if (!a->have_pci || !a->have_start || !a->have_size || !a->have_uuid)
		mk_fail("command line lacks %s", !a->have_pci ? "rd.pci" :
			!a->have_start ? "rd.start" : !a->have_size ? "rd.size" : "rd.uuid");
	if (a->size == 0 || a->start + a->size < a->start || a->size > (UINT64_MAX >> 9))
		mk_fail("rd.start/rd.size describe no partition");
	part_bytes = a->size * 512;

	/* 1. what to dump */
	if (a->have_elfcorehdr) {
		err = crashhdr_load(a->elfcorehdr, &crash);
		if (err)
			mk_fail("elfcorehdr at %lx unusable: %s", a->elfcorehdr, rd_strerror(err));
		cfg.ranges = crash.ranges;
		cfg.range_count = crash.range_count;
		cfg.notes = crash.notes;
		cfg.notes_size = crash.notes_size;
		cfg.crash_time = crash.crash_time;
		cfg.elfcorehdr_addr = a->elfcorehdr;
		cfg.flags |= RD_DF_ELFCOREHDR;
		if (crash.notes_dropped)
			cfg.flags |= RD_DF_NOTES_DROPPED;
	} else if (a->range_count) {
		err = dump_test_ranges(a, &cfg);
		if (err)
			mk_fail("rd.ranges unusable: %s", rd_strerror(err));
	} else {
		mk_fail("nothing to dump: no elfcorehdr= and no rd.ranges=");
	}
	src.r = cfg.ranges;
	src.n = cfg.range_count;
	source.map = source_map;
	source.ctx = &src;
	source.flags = RD_SRC_STABLE;	/* identity-mapped memory: the device may read it in place */
	if (a->test == MK_TEST_WRDUMP && cfg.range_count) {
		/* the memory to dump is mapped read-only: this must fault */
		kprintf("test: writing dumped memory at %lx\n", cfg.ranges[0].src);
		*(volatile uint8_t *)(uintptr_t)cfg.ranges[0].src ^= 0xff;
		mk_fail("test: a write into dumped memory did not fault");
	}
	if (a->csumspeed) {
		dump_csumspeed(a, &cfg);
		return 0;
	}

	/* 2. the disk (its DMA through an IOMMU the crashed kernel left on) */
	err = iommu_takeover(&a->pci);
	if (err)
		kprintf("iommu: %s: trying the disk anyway\n", rd_strerror(err));
	memset(&t, 0, sizeof(t));
	t.pci = a->pci;
	t.unit = a->unit;
	t.io_timeout_ms = a->io_timeout_ms;
	err = blk_open(&mk_sink.bd, &t);
	if (err)
		mk_fail("disk %02x:%02x.%x unit %u: %s", a->pci.bus, a->pci.dev, a->pci.fn,
			a->unit, rd_strerror(err));
	mk_sink.ss = mk_sink.bd.sector_size;
	if (mk_sink.ss < RD_BLOCK_ALIGN || mk_sink.ss > RD_SLOT_SIZE ||
	    (mk_sink.ss & (mk_sink.ss - 1)))
		mk_fail("%u-byte sectors: only 512..%u-byte sectors are supported",
			mk_sink.ss, RD_SLOT_SIZE);
	if ((a->start * 512) % mk_sink.ss || part_bytes % mk_sink.ss)
		mk_fail("partition %lu+%lu (512-byte units) not aligned to %u-byte sectors",
			a->start, a->size, mk_sink.ss);
	mk_sink.lba0 = a->start * 512 / mk_sink.ss;
	if (mk_sink.lba0 + part_bytes / mk_sink.ss > mk_sink.bd.sectors)
		mk_fail("partition ends at sector %lu, disk has %lu",
			mk_sink.lba0 + part_bytes / mk_sink.ss, mk_sink.bd.sectors);

	/* 3. the page filter, then buffers: as many requests in flight as
	 * the device and what is left of the heap allow */
	dump_filter_setup(a, &cfg, &source, &filter);
	cfg.compression = a->comp >= 0 ? (uint32_t)a->comp : MK_DEFAULT_COMP;
	/* rd.level is zlib's; zstd runs at MK_ZSTD_LEVEL */
	cfg.zlib_level = cfg.compression == RD_COMP_ZSTD ? MK_ZSTD_LEVEL :
			 a->level > 0 ? a->level : MK_DEFAULT_LEVEL;
	cfg.csum_kind = a->csum >= 0 ? (uint32_t)a->csum : MK_DEFAULT_CSUM;
	io = MK_IO_MAX;
	if ((uint64_t)mk_sink.bd.max_sectors * mk_sink.ss < io)
		io = mk_sink.bd.max_sectors * mk_sink.ss & ~4095u;
	inflight = mk_sink.bd.max_inflight < MK_INFLIGHT_MAX ? mk_sink.bd.max_inflight : MK_INFLIGHT_MAX;
	if (a->depth && a->depth < inflight)
		inflight = a->depth;
	/* scatter-gather: RAW blocks need no copy buffer (writer.h) */
	copy_bufs = mk_sink.bd.max_segs >= RD_IOV_MAX && !a->no_sg ? MK_COPY_BUFS : 0;
	avail = hw_heap_free();
	for (;;) {
		need = rd_writer_work_size(cfg.compression, io, inflight, copy_bufs);
		if (need <= avail || inflight == 1)
			break;
		inflight--;
	}
	work = hw_alloc_max(&avail, 4096);
	if (!work || avail < need)
		mk_fail("work area: %zu bytes needed, %zu available", need, avail);

	sink.read = sink_read;
	sink.submit = sink_submit;
	sink.submitv = copy_bufs ? sink_submitv : NULL;
	sink.wait = sink_wait;
	sink.flush = sink_flush;
	sink.ctx = &mk_sink;
	sink.size = part_bytes;
	sink.max_inflight = inflight;
	if (a->diskspeed) {
		dump_diskspeed(a, &sink, work, avail, io, inflight);
		return 0;
	}

	w0 = cpu_rdtsc();
	for (i = 0; i < 16; i += 8) {
		memcpy(&w1, a->uuid + i, 8);
		w0 ^= mix64(w1 + i);
	}
	w1 = mix64(w0);
	cfg.expect_uuid = a->uuid;
	cfg.expect_size = part_bytes;
	cfg.dump_id = w1 ? w1 : 1;
	cfg.writer_name = MK_VERSION;
	cfg.dumping_cpu = ~0u;
	cfg.dumping_apic_id = cpu_apic_id();
	cfg.work = work;
	cfg.work_size = avail;
	cfg.io_size = io;
	cfg.copy_bufs = copy_bufs;
	cfg.write_align = mk_sink.ss;	/* PAD blocks keep every write sector aligned */
	cfg.progress = dump_progress;
	cfg.now_us = dump_now;

	kprintf("dump: %u ranges, %u KiB requests, %u in flight, partition %lu MiB at sector %lu\n",
		cfg.range_count, io / 1024, inflight, part_bytes >> 20, mk_sink.lba0);
	kprintf("dump: RAW blocks %s\n", sink.submitv ? "zero-copy (scatter-gather)" :
		"copied into I/O buffers");
	if (cfg.compression == RD_COMP_ZLIB || cfg.compression == RD_COMP_ZSTD)
		kprintf("dump: %s level %d, %s checksums\n",
			cfg.compression == RD_COMP_ZLIB ? "zlib" : "zstd", cfg.zlib_level,
			rd_csum_name(cfg.csum_kind));
	else
		kprintf("dump: %s, %s checksums\n",
			cfg.compression == RD_COMP_LZ4 ? "lz4" : "uncompressed",
			rd_csum_name(cfg.csum_kind));
	err = rd_dump_write(&cfg, &source, &sink, &res);
	if (err)
		mk_fail("dump: %s (%lu MiB stored)", rd_strerror(err), res.stored_bytes >> 20);
	kprintf("rawdump: DONE dump_id %016lx: %lu MiB memory, %lu MiB stored, %lu MiB zero, "
		"%lu MiB missing, %lu MiB lost, %lu ms%s\n", res.dump_id, res.mem_bytes >> 20,
		res.stored_bytes >> 20, res.zero_bytes >> 20, res.missing_bytes >> 20,
		res.lost_bytes >> 20, res.elapsed_us / 1000,
		(res.end_flags & RD_END_TRUNCATED) ? " TRUNCATED" : "");
	dump_filter_report(&filter, &res);
	kprintf("dump: %lu scatter-gather writes\n", (unsigned long)mk_sink.sg_writes);
	return 0;
}
