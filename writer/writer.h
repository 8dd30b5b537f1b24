/*
 * writer/writer.h - the dump engine's interface.
 *
 * The writer turns a list of memory ranges and the crashed kernel's ELF
 * notes into a dump on a rawdump partition (include/rawdump/format.h).
 * It is freestanding C: no libc, no malloc, no global state. The caller
 * supplies
 *   - a memory source (maps physical ranges for reading),
 *   - a block sink (reads and writes bytes inside the partition; every
 *     access passes rd_sink_check(), the one bounds check),
 *   - a work area from which the writer carves its I/O buffers and the
 *     compressor state,
 *   - optionally a progress callback.
 * The same code runs inside the minikernel and in the host simulator.
 *
 * Errors are negative values of enum rd_err (include/rawdump/err.h); 0 is
 * success.
 */
#ifndef RAWDUMP_WRITER_H
#define RAWDUMP_WRITER_H

#include <stdint.h>
#include <stddef.h>
#include "rawdump/format.h"
#include "rawdump/err.h"
#include "rawdump/notes.h"

/* Where memory comes from. map() returns a pointer to len readable bytes at
 * source address addr (which is rd_writer_range.src + offset), valid until the
 * next map() call, or NULL when that memory cannot be read. */
struct rd_source {
	const void *(*map)(void *ctx, uint64_t addr, size_t len);
	void *ctx;
	uint32_t flags;		/* RD_SRC_* */
};

/* map()'s pointers stay valid and unchanged for the whole dump and are
 * addresses the sink's device can read (the minikernel: identity-mapped
 * physical memory). Only then may RAW payloads go to the sink in place. */
#define RD_SRC_STABLE	1u

/* One piece of a vectored write's memory side. */
struct rd_iov {
	const void *base;
	uint32_t len;
};

/* The shape every submitv() request has (what NVMe PRPs can express, and
 * so AHCI PRDs and virtio descriptors too): at most RD_IOV_MAX pieces, each
 * of even length at an even address; every piece but the first starts on a
 * RD_IOV_PAGE boundary; every piece but the last ends on one. */
#define RD_IOV_MAX	3
#define RD_IOV_PAGE	4096u

/*
 * Where the dump goes: a partition of `size` bytes. Offsets are relative to
 * the partition start.
 *
 * submit() starts a write of len bytes (a multiple of 512) at off (a
 * multiple of 512) and returns a tag >= 0, or a negative rd_err. The buffer
 * must stay untouched until wait(tag) returns; a synchronous sink does the
 * whole write in submit() and returns 0 from wait(). wait() returns 0 or a
 * negative rd_err for that write. flush() waits for every submitted write
 * and makes them durable. read() is synchronous.
 *
 * Never call these directly: go through rd_sink_read/rd_sink_submit, which
 * bounds-check every access against the partition.
 */
struct rd_sink {
	int  (*read)(void *ctx, uint64_t off, void *buf, uint32_t len);
	long (*submit)(void *ctx, uint64_t off, const void *buf, uint32_t len);
	int  (*wait)(void *ctx, long tag);
	int  (*flush)(void *ctx);
	void *ctx;
	uint64_t size;		/* partition bytes */
	uint32_t max_inflight;	/* writes the sink can have outstanding (>= 1) */
	/* optional: like submit(), the bytes gathered from iov[0..n) in order;
	 * every piece must stay untouched until wait(tag) returns */
	long (*submitv)(void *ctx, uint64_t off, const struct rd_iov *iov, uint32_t n);
};

/* The one bounds check: 0 if [off, off+len) lies inside the partition and
 * is 512-aligned, -RD_EBOUNDS otherwise. */
int rd_sink_check(const struct rd_sink *s, uint64_t off, uint64_t len);
int rd_sink_read(const struct rd_sink *s, uint64_t off, void *buf, uint32_t len);
long rd_sink_submit(const struct rd_sink *s, uint64_t off, const void *buf, uint32_t len);
long rd_sink_submitv(const struct rd_sink *s, uint64_t off, const struct rd_iov *iov, uint32_t n);

/* One memory range to dump. */
struct rd_writer_range {
	uint64_t paddr;		/* physical address recorded in the dump */
	uint64_t vaddr;		/* virtual address (ELF p_vaddr) or 0 */
	uint64_t size;		/* bytes */
	uint64_t src;		/* where the source reads it (p_offset for an
				 * elfcorehdr segment; usually == paddr) */
	uint32_t flags;		/* RD_RANGE_ALIAS: recorded, not dumped */
};

struct rd_progress {
	uint64_t done;		/* memory bytes processed */
	uint64_t total;		/* memory bytes to process */
	uint64_t stored;	/* bytes written to the partition so far */
	uint64_t elapsed_us;	/* from now_us(), 0 if no clock */
};

/*
 * Page filtering and kernel-first order (Documentation/filtering.md), as the
 * writer sees them: the minikernel plugs writer/pfilter.c (rd_pf_*) in
 * here, the simulator a deterministic fake.
 *
 * classify(): out[i] = 0 to keep the page at paddr + i * 4096, or exactly
 * one RD_CLASS_* bit (not ZERO) to leave it out. Called with page-aligned
 * paddr in ascending order within a pass, BEFORE the writer maps that
 * memory (it may map through the same rd_source). Anything else in out[i]
 * keeps the page.
 * priority: kernel-first extents, most urgent first; the writer writes
 * them (clipped to the dumped ranges, each frame once, none left out)
 * before everything else.
 */
struct rd_pf_extent;

struct rd_classifier {
	void (*classify)(void *ctx, uint64_t paddr, uint32_t npages, uint8_t *out);
	uint32_t (*flags)(void *ctx);		/* RD_FF_* so far; may be NULL */
	void *ctx;
	uint32_t active;			/* RD_CLASS_* bits it applies */
	const struct rd_pf_extent *priority;
	uint32_t priority_count;		/* at most RD_PF_PRIORITY_MAX used */
};

struct rd_writer_config {
	const uint8_t *expect_uuid;	/* 16 bytes: refuse any other partition */
	uint64_t expect_size;		/* refuse a header whose part_size differs; 0 = sink size */
	uint64_t dump_id;		/* nonzero; caller derives it (TSC, time...) */
	uint64_t crash_time;
	const char *kernel_release;	/* may be NULL: taken from VMCOREINFO */
	const char *writer_name;
	uint32_t compression;		/* enum rd_compression */
	int zlib_level;			/* zlib 1..9; zstd 1 down to -7 */
	uint32_t csum_kind;		/* enum rd_csum_kind of every block */
	uint32_t flags;			/* RD_DF_* */
	uint32_t dumping_cpu, dumping_apic_id;
	uint64_t elfcorehdr_addr;
	const struct rd_writer_range *ranges;
	uint32_t range_count;
	const void *notes;		/* concatenated PT_NOTE contents, verbatim */
	uint64_t notes_size;
	void *work;			/* work area, see rd_writer_work_size() */
	size_t work_size;
	uint32_t io_size;		/* bytes per write request; 0 = 1 MiB */
	uint32_t copy_bufs;		/* io_size buffers; 0 = one per request
					 * (max_inflight + 1). With a submitv sink
					 * and a stable source RAW blocks need
					 * none, so 2 are enough. */
	uint32_t write_align;		/* every write starts and ends on this
					 * boundary: the device's sector size,
					 * 512..4096, power of two; 0 = 512 */
	/* called about every 1/100 of the dump; may be NULL */
	void (*progress)(void *ctx, const struct rd_progress *p);
	void *progress_ctx;
	uint64_t (*now_us)(void *ctx);	/* monotonic microseconds; may be NULL */
	void *now_ctx;
	/* Page filtering: NULL = none (every page dumped, address order).
	 * dump_level is what was asked for (dump header), whether or not a
	 * classifier could be set up. */
	const struct rd_classifier *filter;
	uint32_t dump_level;
	/* Tests only: stop after this many data blocks as if power was cut
	 * (no END, header stays WRITING). 0 = never. */
	uint64_t cut_after_blocks;
};

struct rd_writer_result {
	uint64_t dump_id;
	uint64_t blocks;
	uint64_t mem_bytes;		/* memory described (data + zero) */
	uint64_t stored_bytes;
	uint64_t zero_bytes;
	uint64_t excluded_bytes;	/* left out by the filter (on disk in lists) */
	uint64_t excluded_pages[RD_CLASS_COUNT];	/* by class bit number */
	uint64_t priority_bytes;	/* written by the kernel-first pass */
	uint64_t missing_bytes;		/* truncation */
	uint64_t lost_bytes;		/* I/O errors */
	uint64_t data_end;
	uint64_t elapsed_us;
	uint32_t end_flags;		/* RD_END_* */
	int      first_error;		/* first device error seen, 0 if none */
};

/* Bytes of work area the writer needs for a config (io buffers, a small
 * header area per request in flight, the zlib or LZ4 state, the EXCLUDED
 * list being built and the kernel-first pass's extent set). */
size_t rd_writer_work_size(uint32_t compression, uint32_t io_size, uint32_t max_inflight,
			   uint32_t copy_bufs);

/*
 * Write one dump. In order: read and check the partition header (magic,
 * version, checksum, UUID, size) - on any mismatch return without writing a
 * byte; write dump header, range table and notes; mark the partition
 * WRITING (both header copies) and flush; write the blocks; write END and
 * flush; mark COMPLETE (primary, flush, backup, flush).
 * Device errors on data blocks are retried once, then the range is recorded
 * as LOST and the dump goes on. Returns 0 or a negative rd_err; *res is
 * filled in either case.
 */
int rd_dump_write(const struct rd_writer_config *cfg,
		  const struct rd_source *src, const struct rd_sink *sink,
		  struct rd_writer_result *res);

/* Mark every range whose memory is wholly covered by earlier non-alias
 * ranges (the kernel-text PT_LOAD) with RD_RANGE_ALIAS. */
void rd_ranges_mark_aliases(struct rd_writer_range *r, uint32_t n);

/* Checksums (writer/csum.c). rd_csum(kind, prev, buf, len): the block
 * checksum of kind (enum rd_csum_kind) over buf, chained from prev (0 to
 * start): CRC kinds continue the CRC, XXH64 takes prev as its seed. */
#define RD_CSUM_MAX	RD_CSUM_XXH64
/* The capture's default kind (minikernel and rawdump-sim): the fastest
 * under emulation and on hardware (Documentation/format.md). */
#define RD_CSUM_DEFAULT	RD_CSUM_XXH64
uint32_t rd_csum(uint32_t kind, uint32_t prev, const void *buf, size_t len);
const char *rd_csum_name(uint32_t kind);
uint32_t rd_crc32(uint32_t crc, const void *buf, size_t len);	/* zlib crc32() */
uint32_t rd_crc32c(uint32_t crc, const void *buf, size_t len);	/* SSE4.2 if CPUID has it */
uint32_t rd_crc32c_soft(uint32_t crc, const void *buf, size_t len);	/* table only */
int rd_crc32c_has_hw(void);
uint64_t rd_xxh64(const void *buf, size_t len, uint64_t seed);

/* Format helpers shared with the tool (writer/format.c). Block headers
 * are sealed and checked with the checksum kind in their flags. */
void rd_part_header_seal(struct rd_part_header *h);	/* sets header_crc */
int  rd_part_header_check(const struct rd_part_header *h);	/* 0 / -RD_ENOSIG / -RD_EVERSION / -RD_ECRC */
/* May the backup header stand in for a bad primary? Only when the primary
 * slot (RD_SLOT_SIZE bytes) is all zeros or still starts with the magic (a
 * torn header write); anything else means the partition was reused
 * (mkswap, mkfs ...) and the backup is a stale leftover. The one rule, for
 * the writer and the tool (tools/disk/partheader.c). */
int  rd_part_slot_is_ours(const uint8_t *slot);
void rd_dump_header_seal(struct rd_dump_header *h);
int  rd_dump_header_check(const struct rd_dump_header *h);
void rd_block_header_seal(struct rd_block_header *h);
int  rd_block_header_check(const struct rd_block_header *h);

#endif /* RAWDUMP_WRITER_H */
