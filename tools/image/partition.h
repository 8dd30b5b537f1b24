/*
 * tools/image/partition.h - what the rawdump partition reader (tools/image/partition.c) knows
 * beyond struct memimage: the headers it trusted, what the block scan found,
 * and which memory is missing and why. `info` and `save` use it.
 */
#ifndef RAWDUMP_TOOLS_READER_H
#define RAWDUMP_TOOLS_READER_H

#include <stdint.h>
#include <stddef.h>
#include "rawdump/format.h"
#include "memimage.h"
#include "disk/target.h"
#include "disk/partheader.h"

/* Why memory is missing from a dump. */
enum rdr_missing_why {
	RDR_MISSING_LOST = 1,		/* LOST block: the writer could not read or write it */
	RDR_MISSING_TRUNCATED = 2,	/* END says the partition filled up */
	RDR_MISSING_CUT = 3,		/* no END: the capture stopped early */
	RDR_MISSING_CORRUPT = 4,	/* a block failed its checks */
	RDR_MISSING_UNACCOUNTED = 5,	/* complete dump, yet no block covers it */
};

struct rdr_missing {
	uint64_t paddr, size;
	enum rdr_missing_why why;
};

struct rdr_info {
	struct rd_part_header part;
	enum part_hdr_copy part_copy;	/* which header copy was used */
	int primary_ok;
	struct rd_dump_header dump;
	int have_end;
	struct rd_end_record end;
	uint64_t blocks;		/* valid data/zero/lost blocks accepted */
	uint64_t data_bytes;		/* memory in RAW/ZLIB/LZ4 blocks */
	uint64_t zero_bytes;		/* memory in ZERO blocks */
	uint64_t stored_bytes;		/* payload bytes of accepted blocks */
	uint64_t lost_bytes;		/* memory in LOST blocks */
	uint64_t excl_blocks;		/* EXCLUDED lists accepted (v2) */
	uint64_t excluded_bytes;	/* memory in their runs: left out on purpose */
	uint64_t excluded_pages[RD_CLASS_COUNT];	/* by class bit number, from the
						 * blocks seen (a cut dump counts too) */
	uint64_t bad_headers;		/* places where a block header was bad (resyncs) */
	uint64_t skipped_bytes;		/* partition bytes skipped while resyncing */
	uint64_t rejected_blocks;	/* valid headers with impossible contents */
	uint64_t ignored_blocks;	/* blocks of failed writes (LOST aux) */
	uint64_t corrupt_blocks;	/* payload checks failed (found while reading) */
	int count_ok;			/* END block_count matches (-1: no END) */
	int index_ok;			/* END index_crc matches (-1: no END) */
	uint64_t scan_end;		/* partition offset where the scan stopped */
};

/* Why rdr_open failed (the commands map it to an exit code: cli_exit_rdr). */
enum rdr_err {
	RDR_ERR_NOTRD = 1,	/* no rawdump header, or no dump in the partition */
	RDR_ERR_CORRUPT = 2,	/* dump header, range table or notes are bad */
	RDR_ERR_IO = 3,		/* read error or out of memory */
};

/* Open the dump on an already open target. On failure returns NULL, err
 * gets the reason and *why the kind of failure. The memimage takes over
 * t->fd on success. */
struct memimage *rdr_open(struct target *t, enum rdr_err *why, char *err, size_t errsz);

/* The reader's big buffers (window, block cache): malloc and free unless a
 * program overrides them (weak; the fuzz harness keeps them between opens). */
void *rdr_buf_get(size_t size);
void rdr_buf_put(void *p, size_t size);

/* NULL unless m came from the rawdump reader. */
const struct rdr_info *rdr_info(struct memimage *m);
/* The partition m was read from; NULL unless m came from the rawdump reader. */
const struct target *rdr_target(struct memimage *m);

/* Missing memory, sorted by paddr, merged per reason; valid until the next
 * call or mi_close. Includes corrupt blocks found by reads so far. */
size_t rdr_missing(struct memimage *m, const struct rdr_missing **out);
const char *rdr_missing_name(enum rdr_missing_why why);

/* Walk memory [paddr, paddr+len) in paddr order, one call per piece: data
 * points at the piece's bytes (valid only during the call) or is NULL for
 * zero, missing or excluded memory (read_page and mi_page_class tell them
 * apart). The fast path of the ELF writer. Returns 0, fn's
 * nonzero return, or a negative errno. */
int rdr_walk(struct memimage *m, uint64_t paddr, uint64_t len,
	     int (*fn)(void *ctx, uint64_t paddr, const void *data, uint64_t len), void *ctx);

/* Decode and check every block's payload (what a save does as it reads).
 * Returns the number of corrupt blocks found, or a negative errno. */
long rdr_verify(struct memimage *m, void (*pr)(void *, uint64_t, uint64_t), void *ctx);

#endif
