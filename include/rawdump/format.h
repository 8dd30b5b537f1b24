/*
 * rawdump/format.h - every on-disk structure of a rawdump dump partition.
 *
 * This is the single definition of the format. It is included by the
 * freestanding writer and minikernel and by the userspace tool, and
 * Documentation/format.md describes the same thing in prose. All integers
 * are little-endian (x86-64 and the tool only ever run little-endian; the
 * tool refuses to build big-endian). Offsets are bytes from the start of
 * the partition.
 *
 *   0                 partition header (struct rd_part_header), 4 KiB slot
 *   4096              dump header (struct rd_dump_header), then the range
 *                     table and the crashed kernel's ELF notes ("metadata")
 *   data_offset       blocks: each a struct rd_block_header followed by its
 *                     payload, each starting on a 512-byte boundary, the
 *                     last one of type RD_BLK_END
 *   size - 4096       backup copy of the partition header, 4 KiB slot
 *
 * Checksums of the partition and dump headers are CRC-32 (ISO-HDLC, the
 * zlib crc32() polynomial, initial 0) computed with the checksum field
 * itself set to zero. Block checksums use the kind named in each block
 * header's flags (RD_BLK_CSUM_*; version 1 dumps: always CRC-32).
 */
#ifndef RAWDUMP_FORMAT_H
#define RAWDUMP_FORMAT_H

#include <stdint.h>
#include <stddef.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rawdump's on-disk format is little-endian; this host is not"
#endif

#define RD_FORMAT_VERSION	2u	/* written by this code */
#define RD_FORMAT_VERSION_MIN	1u	/* oldest version readers accept */

#define RD_SLOT_SIZE		4096u	/* partition header slots, metadata alignment */
#define RD_BLOCK_ALIGN		512u	/* every block starts on this boundary */
#define RD_PAGE_SIZE		4096u	/* memory page: unit of zero elision */
#define RD_BLOCK_MAX_MEM	(256u * 1024u)	/* memory bytes in one RAW/ZLIB block */
#define RD_MIN_PART_SIZE	(1024u * 1024u)
#define RD_END_RESERVE		RD_SLOT_SIZE	/* kept free for the END record */

#define RD_PART_HDR_OFFSET	0u
#define RD_DUMP_HDR_OFFSET	RD_SLOT_SIZE
/* Backup header: at rd_part_backup_offset(size) = (size & ~4095) - 4096. */

/* ------------------------------------------------------------------ */
/* Partition header                                                    */
/* ------------------------------------------------------------------ */

#define RD_PART_MAGIC		"RAWDUMP\0"	/* 8 bytes */

enum rd_part_state {
	RD_STATE_EMPTY = 0,	/* formatted, no dump */
	RD_STATE_WRITING = 1,	/* a capture started and did not finish: partial */
	RD_STATE_COMPLETE = 2,	/* a dump ended with its END record on disk */
	RD_STATE_SAVED = 3,	/* rawdump save extracted it; may be overwritten */
};

struct rd_part_header {
	uint8_t  magic[8];	/* RD_PART_MAGIC */
	uint32_t version;	/* RD_FORMAT_VERSION */
	uint32_t header_size;	/* sizeof(struct rd_part_header) */
	uint8_t  uuid[16];	/* random, made by rawdump format */
	uint64_t part_size;	/* partition bytes, as formatted */
	uint32_t sector_size;	/* logical sector size of the device */
	uint32_t state;		/* enum rd_part_state */
	uint64_t generation;	/* bumped on every format and every capture */
	uint64_t format_time;	/* unix seconds */
	uint64_t dump_id;	/* id of the dump on disk, 0 if none */
	uint64_t data_end;	/* COMPLETE: offset just past the END block */
	uint64_t saved_time;	/* SAVED: unix seconds */
	char     label[32];	/* free text, NUL padded */
	uint8_t  reserved[128];
	uint32_t flags;
	uint32_t header_crc;	/* crc32 of this struct with header_crc = 0 */
};

/* ------------------------------------------------------------------ */
/* Dump header, range table, notes                                     */
/* ------------------------------------------------------------------ */

#define RD_DUMP_MAGIC		"RDDUMP\0\0"

enum rd_compression {
	RD_COMP_NONE = 0,
	RD_COMP_ZLIB = 1,
	RD_COMP_LZ4 = 2,	/* version 2 */
	RD_COMP_ZSTD = 3,	/* version 2 */
};

/* Block checksum kinds (version 2): flags bits 8..11 of every block header
 * name the function used for that block's header_crc, stored_crc and
 * data_crc. Each is a 32-bit value; for XXH64 the low 32 bits of XXH64 with
 * seed 0. CRC-32C is the Castagnoli CRC (iSCSI), reflected, init ~0, final
 * xor ~0 (the usual crc32c()). */
enum rd_csum_kind {
	RD_CSUM_CRC32 = 0,	/* zlib crc32(): version 1 and the default for v2 readers */
	RD_CSUM_CRC32C = 1,
	RD_CSUM_XXH64 = 2,
};
#define RD_BLK_CSUM_SHIFT	8
#define RD_BLK_CSUM_MASK	0x0f00u
#define RD_BLK_CSUM(flags)	(((flags) & RD_BLK_CSUM_MASK) >> RD_BLK_CSUM_SHIFT)

/* Page classes (version 2). The bits are makedumpfile's dump-level bits: a
 * dump level is the OR of the classes the capture leaves out. */
#define RD_CLASS_ZERO		0x01u	/* zero-filled page */
#define RD_CLASS_CACHE		0x02u	/* page cache, no private data */
#define RD_CLASS_CACHE_PRI	0x04u	/* page cache with private data (buffers) */
#define RD_CLASS_USER		0x08u	/* user (anonymous) pages */
#define RD_CLASS_FREE		0x10u	/* free pages (buddy allocator) */
#define RD_CLASS_ALL		0x1fu
#define RD_CLASS_COUNT		5	/* bit numbers 0..4 */

/* rd_dump_header.flags */
#define RD_DF_ELFCOREHDR	0x1u	/* ranges and notes came from an elfcorehdr */
#define RD_DF_TEST_RANGES	0x2u	/* ranges named on the command line (tests) */
#define RD_DF_SIMULATED		0x4u	/* written by the host simulator */
#define RD_DF_KERNEL_FIRST	0x8u	/* v2: priority extents (log, kernel image,
					 * page tables) were written before the rest */
#define RD_DF_FILTERED		0x10u	/* v2: page filtering ran (filter_* fields) */
#define RD_DF_NOTES_DROPPED	0x20u	/* v2: too many CPUs: some CPU notes were
					 * left out (VMCOREINFO always kept) */

struct rd_dump_header {
	uint8_t  magic[8];	/* RD_DUMP_MAGIC */
	uint32_t version;	/* RD_FORMAT_VERSION */
	uint32_t header_size;	/* sizeof(struct rd_dump_header) */
	uint64_t dump_id;	/* also in every block header */
	uint8_t  part_uuid[16];	/* the partition it was written to */
	uint64_t crash_time;	/* unix seconds (VMCOREINFO CRASHTIME), 0 unknown */
	char     kernel_release[65];	/* VMCOREINFO OSRELEASE, NUL terminated */
	uint8_t  pad0[7];
	uint32_t cpu_count;	/* NT_PRSTATUS notes */
	uint32_t dumping_cpu;	/* index of the dumping CPU's note, ~0u unknown */
	uint32_t dumping_apic_id;
	uint32_t compression;	/* enum rd_compression of data blocks */
	uint32_t zlib_level;	/* zlib: 1-9; zstd: its level (1 from the minikernel) */
	uint32_t flags;		/* RD_DF_* */
	uint32_t page_size;	/* RD_PAGE_SIZE */
	uint32_t range_count;
	uint64_t range_offset;	/* partition offset of range_count rd_range */
	uint64_t notes_offset;	/* partition offset of the notes, verbatim */
	uint64_t notes_size;
	uint64_t data_offset;	/* first block, multiple of RD_SLOT_SIZE */
	uint64_t data_limit;	/* blocks never extend past this */
	uint64_t mem_bytes;	/* memory the dump should cover (non-alias ranges) */
	uint64_t elfcorehdr_addr;	/* physical, 0 if none */
	char     writer[32];	/* e.g. "rawdump-minikernel 0.1" */
	/* version 2 (zero in version 1) */
	uint32_t csum_kind;	/* enum rd_csum_kind of the data blocks */
	uint32_t dump_level;	/* RD_CLASS_* bits asked for (makedumpfile -d) */
	uint32_t filter_active;	/* RD_CLASS_* bits actually applied: a class
				 * whose VMCOREINFO keys were missing is off */
	uint32_t filter_flags;	/* RD_FF_* */
	uint8_t  reserved[120];
	uint32_t meta_crc;	/* crc32 of range table then notes */
	uint32_t header_crc;	/* crc32 of this struct with header_crc = 0 */
};

/* rd_dump_header.filter_flags */
#define RD_FF_NO_MEMMAP		0x1u	/* struct page array not usable: nothing
					 * but zero pages was filtered */
#define RD_FF_MEMMAP_BAD	0x2u	/* some struct pages failed sanity checks:
					 * their pages were kept */
#define RD_FF_NO_PRIORITY	0x4u	/* kernel-first extents not found */

/* rd_range.flags */
#define RD_RANGE_ALIAS		0x1u	/* same physical memory as other ranges
					 * (kernel text PT_LOAD): not dumped again */

struct rd_range {
	uint64_t paddr;		/* physical address (ELF p_paddr) */
	uint64_t vaddr;		/* virtual address (ELF p_vaddr), 0 if none */
	uint64_t size;		/* bytes (ELF p_memsz) */
	uint32_t flags;		/* RD_RANGE_* */
	uint32_t reserved;
};

/* ------------------------------------------------------------------ */
/* Blocks                                                              */
/* ------------------------------------------------------------------ */

#define RD_BLOCK_MAGIC		0x4b424452u	/* "RDBK" */

enum rd_block_type {
	RD_BLK_RAW = 1,		/* payload = mem_len bytes of memory */
	RD_BLK_ZLIB = 2,	/* payload = zlib stream inflating to mem_len bytes */
	RD_BLK_ZERO = 3,	/* no payload: mem_len bytes at paddr are zero */
	RD_BLK_LOST = 4,	/* no payload: mem_len bytes at paddr were not
				 * captured (write or read error); reason in flags */
	RD_BLK_END = 5,		/* payload = struct rd_end_record */
	RD_BLK_PAD = 6,		/* no memory (paddr = mem_len = 0); payload is
				 * zero filler that aligns the next write to the
				 * device's sector size (4 KiB-sector disks) */
	RD_BLK_LZ4 = 7,		/* v2: payload = one LZ4 block (raw block format,
				 * no frame) decoding to exactly mem_len bytes */
	RD_BLK_EXCLUDED = 8,	/* v2: payload = rd_excl_run[stored_len / 16]:
				 * pages the capture chose not to dump. paddr and
				 * mem_len give the span the runs lie in */
	RD_BLK_ZSTD = 9,	/* v2: payload = one zstd frame (RFC 8878) whose
				 * content size is mem_len, decoding to exactly
				 * mem_len bytes; window at most RD_ZSTD_MAX_WINDOW */
};
#define RD_BLK_TYPE_MAX		RD_BLK_ZSTD	/* higher types: refused */

/* The largest zstd window a ZSTD block may need (a reader's decoder is
 * sized by it; the minikernel writes 64 KiB windows). */
#define RD_ZSTD_MAX_WINDOW	RD_BLOCK_MAX_MEM

/* RD_BLK_EXCLUDED payload entry: `pages` pages from paddr (page aligned)
 * were left out, all of one class (exactly one RD_CLASS_* bit; ZERO means
 * the same as a ZERO block). Runs of one block are sorted by paddr, do not
 * overlap and lie inside the block's [paddr, paddr + mem_len). */
struct rd_excl_run {
	uint64_t paddr;
	uint32_t pages;
	uint32_t class;
};
#define RD_EXCL_MAX_STORED	4096u	/* EXCLUDED payload bytes at most (256 runs) */

/* rd_block_header.flags for RD_BLK_LOST */
#define RD_LOST_WRITE_ERROR	0x1u	/* the device failed the write; aux = seq range */
#define RD_LOST_READ_ERROR	0x2u	/* the memory could not be read */

struct rd_block_header {
	uint32_t magic;		/* RD_BLOCK_MAGIC */
	uint16_t type;		/* enum rd_block_type */
	uint16_t flags;
	uint64_t dump_id;	/* rd_dump_header.dump_id: old blocks never match */
	uint64_t seq;		/* 0, 1, 2 ... in write order; END is last */
	uint64_t paddr;
	uint64_t mem_len;	/* memory bytes this block describes */
	uint32_t stored_len;	/* payload bytes after this header */
	uint32_t stored_crc;	/* crc32 of the payload as stored */
	uint32_t data_crc;	/* crc32 of the decoded memory bytes (RAW, ZLIB) */
	uint32_t aux[2];	/* LOST + RD_LOST_WRITE_ERROR: first and last seq of
				 * the failed write; blocks with seq in that range
				 * must be ignored even if they look valid */
	uint32_t header_crc;	/* crc32 of this header with header_crc = 0 */
};

/* rd_end_record.flags */
#define RD_END_TRUNCATED	0x1u	/* the partition filled up: missing_bytes */
#define RD_END_ERRORS		0x2u	/* some ranges LOST: lost_bytes */

struct rd_end_record {
	uint64_t block_count;	/* blocks written successfully before END (blocks
				 * of failed writes, named by LOST aux, excluded) */
	uint64_t mem_bytes;	/* memory described by RAW/ZLIB/ZERO blocks */
	uint64_t stored_bytes;	/* payload bytes of all blocks */
	uint64_t missing_bytes;	/* memory not written: partition too small */
	uint64_t lost_bytes;	/* memory in LOST blocks */
	uint64_t elapsed_us;	/* capture time as measured by the writer, 0 unknown */
	uint32_t flags;		/* RD_END_* */
	uint32_t index_crc;	/* checksum chained, in seq order, over the 64
				 * header bytes of every block counted in
				 * block_count (v2: with the END block's csum kind) */
	uint32_t filter_flags;	/* v2: RD_FF_* at the end of the capture (the
				 * dump header has those known at its start) */
	uint8_t  reserved[12];
	/* version 2 (absent in version 1, whose END payload is 72 bytes) */
	uint64_t excluded_pages[8];	/* pages left out, by class bit number */
};
#define RD_END_RECORD_V1_SIZE	72u

/* ------------------------------------------------------------------ */
/* Layout checks                                                       */
/* ------------------------------------------------------------------ */

_Static_assert(sizeof(struct rd_part_header) == 256, "rd_part_header size");
_Static_assert(offsetof(struct rd_part_header, uuid) == 16, "uuid offset");
_Static_assert(offsetof(struct rd_part_header, state) == 44, "state offset");
_Static_assert(offsetof(struct rd_part_header, header_crc) == 252, "crc offset");
_Static_assert(sizeof(struct rd_dump_header) == 384, "rd_dump_header size");
_Static_assert(offsetof(struct rd_dump_header, kernel_release) == 48, "release offset");
_Static_assert(offsetof(struct rd_dump_header, range_offset) == 152, "range_offset");
_Static_assert(offsetof(struct rd_dump_header, header_crc) == 380, "dump crc offset");
_Static_assert(sizeof(struct rd_range) == 32, "rd_range size");
_Static_assert(sizeof(struct rd_block_header) == 64, "rd_block_header size");
_Static_assert(offsetof(struct rd_block_header, paddr) == 24, "block paddr");
_Static_assert(offsetof(struct rd_block_header, header_crc) == 60, "block crc");
_Static_assert(sizeof(struct rd_end_record) == 136, "rd_end_record size");
_Static_assert(offsetof(struct rd_end_record, excluded_pages) == RD_END_RECORD_V1_SIZE, "end v1 size");
_Static_assert(sizeof(struct rd_excl_run) == 16, "rd_excl_run size");
_Static_assert(offsetof(struct rd_dump_header, csum_kind) == 240, "csum_kind offset");


static inline uint64_t rd_part_backup_offset(uint64_t part_size)
{
	return (part_size & ~(uint64_t)(RD_SLOT_SIZE - 1)) - RD_SLOT_SIZE;
}

static inline uint64_t rd_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif /* RAWDUMP_FORMAT_H */
