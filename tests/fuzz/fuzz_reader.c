/*
 * tests/fuzz/fuzz_reader.c - libFuzzer harness for the rawdump partition
 * reader (tools/image/partition.c): every byte of a dump partition is hostile input.
 *
 * An input becomes a FUZZ_PART_SIZE partition of zeros in a memfd: its last
 * FUZZ_TAIL bytes go to the backup header slot, the rest to offset 0. The
 * harness opens it with mi_open_rawdump, reads up to FUZZ_PAGE_BUDGET pages
 * across the ranges, lists the missing memory and decodes every block; then
 * it fixes every checksum in the image (fuzz_fixup) and does it again, so
 * that hostile values behind valid crcs are exercised too (when the fixup
 * changed nothing, the second round would repeat the first: it is skipped).
 * Only what may be non-zero is written: [0, fuzz_hi) and the backup slot.
 *
 *   make build/fuzz/fuzz_reader
 *   build/fuzz/fuzz_reader -max_len=393216 CORPUS_DIR      (fuzz, as make fuzz)
 *   build/fuzz/fuzz_reader -runs=0 CORPUS_DIR              (replay)
 * tests/t-save-fuzz.sh makes a seed corpus with rawdump-sim and runs both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sanitizer/asan_interface.h>

#include "image/memimage.h"
#include "image/partition.h"
#include "image/formats.h"
#include "rawdump/format.h"
#include "writer.h"

#define FUZZ_PART_SIZE		(1u << 20)	/* RD_MIN_PART_SIZE */
#define FUZZ_TAIL		256u		/* bytes of a partition header */
#define FUZZ_PAGE_BUDGET	1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SLOT		rd_part_backup_offset(FUZZ_PART_SIZE)	/* backup header */

static int fuzz_fd = -1;
static uint8_t fuzz_img[FUZZ_PART_SIZE];
static size_t fuzz_hi;		/* fuzz_img is zero in [fuzz_hi, FUZZ_SLOT) */
static size_t fuzz_fd_hi;	/* and so is the memfd */

/*
 * The reader's window (1 MiB here) and block cache (256 KiB), kept between
 * opens: ASan maps every allocation this big afresh, and faulting it in
 * took 60% of each run. An idle buffer is poisoned (a use after mi_close
 * still stops the run) and a buffer handed out is zeroed, as fresh memory
 * is (a run does not depend on the one before it). Other sizes: malloc.
 */
#define FUZZ_BUFS		4
static struct { void *p; size_t size; int busy; } fuzz_buf[FUZZ_BUFS];

void *rdr_buf_get(size_t size)
{
	int i;

	for (i = 0; i < FUZZ_BUFS; i++)
		if (fuzz_buf[i].p && !fuzz_buf[i].busy && fuzz_buf[i].size == size) {
			ASAN_UNPOISON_MEMORY_REGION(fuzz_buf[i].p, size);
			memset(fuzz_buf[i].p, 0, size);
			fuzz_buf[i].busy = 1;
			return fuzz_buf[i].p;
		}
	for (i = 0; i < FUZZ_BUFS; i++)
		if (!fuzz_buf[i].p) {
			fuzz_buf[i].p = malloc(size);
			if (!fuzz_buf[i].p)
				return NULL;
			memset(fuzz_buf[i].p, 0, size);
			fuzz_buf[i].size = size;
			fuzz_buf[i].busy = 1;
			return fuzz_buf[i].p;
		}
	return malloc(size);
}

void rdr_buf_put(void *p, size_t size)
{
	int i;

	for (i = 0; i < FUZZ_BUFS; i++)
		if (fuzz_buf[i].p == p && fuzz_buf[i].busy) {
			if (fuzz_buf[i].size != size)
				abort();
			fuzz_buf[i].busy = 0;
			ASAN_POISON_MEMORY_REGION(p, size);
			return;
		}
	free(p);
}

/* The partition image of an input, in fuzz_img. */
static void fuzz_image(const uint8_t *data, size_t size)
{
	size_t body = size, max_body = FUZZ_SLOT;

	memset(fuzz_img, 0, fuzz_hi);
	memset(fuzz_img + FUZZ_SLOT, 0, FUZZ_PART_SIZE - FUZZ_SLOT);
	if (size > FUZZ_TAIL) {
		body = size - FUZZ_TAIL;
		memcpy(fuzz_img + max_body, data + body, FUZZ_TAIL);
	}
	if (body > max_body)
		body = max_body;
	memcpy(fuzz_img, data, body);
	fuzz_hi = body;
}

/* len bytes at off of fuzz_img: 1 if that changed them, else 0. */
static int fuzz_put(uint64_t off, const void *p, size_t len)
{
	if (!memcmp(fuzz_img + off, p, len))
		return 0;
	memcpy(fuzz_img + off, p, len);
	if (off < FUZZ_SLOT && off + len > fuzz_hi)
		fuzz_hi = off + len;
	return 1;
}

/*
 * Make every checksum in fuzz_img right, so that mutated fields reach the
 * reader's logic behind the crc checks: both partition headers, the dump
 * header and meta_crc, and each block header with its stored_crc (and
 * data_crc of RAW blocks), of the block's own checksum kind: compressed
 * payloads (ZLIB, LZ4, ZSTD) of every kind reach their decoders. Returns
 * whether any byte changed. Block headers are looked for where the image
 * may be non-zero: below fuzz_hi and in the backup slot.
 */
static int fuzz_fixup(void)
{
	struct rd_part_header ph;
	struct rd_dump_header dh;
	uint64_t offs[2] = { 0, FUZZ_SLOT }, off;
	int i, changed = 0;

	for (i = 0; i < 2; i++) {
		memcpy(&ph, fuzz_img + offs[i], sizeof(ph));
		if (memcmp(ph.magic, RD_PART_MAGIC, 8))
			continue;
		rd_part_header_seal(&ph);
		changed |= fuzz_put(offs[i], &ph, sizeof(ph));
	}
	memcpy(&dh, fuzz_img + RD_DUMP_HDR_OFFSET, sizeof(dh));
	if (!memcmp(dh.magic, RD_DUMP_MAGIC, 8)) {
		uint64_t rlen = (uint64_t)dh.range_count * sizeof(struct rd_range);

		if (dh.range_offset < FUZZ_PART_SIZE && rlen <= FUZZ_PART_SIZE - dh.range_offset &&
		    dh.notes_offset < FUZZ_PART_SIZE && dh.notes_size <= FUZZ_PART_SIZE - dh.notes_offset) {
			uint32_t crc = rd_crc32(0, fuzz_img + dh.range_offset, rlen);

			dh.meta_crc = rd_crc32(crc, fuzz_img + dh.notes_offset, dh.notes_size);
		}
		rd_dump_header_seal(&dh);
		changed |= fuzz_put(RD_DUMP_HDR_OFFSET, &dh, sizeof(dh));
	}
	for (off = RD_DUMP_HDR_OFFSET + RD_SLOT_SIZE; off + 64 <= FUZZ_PART_SIZE; off += RD_BLOCK_ALIGN) {
		struct rd_block_header bh;

		if (off >= fuzz_hi && off < FUZZ_SLOT) {
			off = FUZZ_SLOT - RD_BLOCK_ALIGN;	/* zeros up to the slot */
			continue;
		}

		memcpy(&bh, fuzz_img + off, sizeof(bh));
		if (bh.magic != RD_BLOCK_MAGIC)
			continue;
		if (bh.stored_len <= FUZZ_PART_SIZE - off - sizeof(bh)) {
			uint32_t kind = RD_BLK_CSUM(bh.flags) <= RD_CSUM_MAX ? RD_BLK_CSUM(bh.flags) :
					RD_CSUM_CRC32;

			bh.stored_crc = rd_csum(kind, 0, fuzz_img + off + sizeof(bh), bh.stored_len);
			if (bh.type == RD_BLK_RAW)
				bh.data_crc = bh.stored_crc;
		}
		rd_block_header_seal(&bh);
		changed |= fuzz_put(off, &bh, sizeof(bh));
	}
	return changed;
}

/* Open the image in fuzz_img and read everything a save would. */
static void fuzz_read(void)
{
	static uint8_t page[MI_PAGE];
	const struct rdr_missing *miss;
	unsigned budget = FUZZ_PAGE_BUDGET;
	struct memimage *m;
	char err[256];
	size_t i, n = fuzz_hi > fuzz_fd_hi ? fuzz_hi : fuzz_fd_hi;
	int fd;

	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz-part", MFD_CLOEXEC);
		if (fuzz_fd < 0 || ftruncate(fuzz_fd, FUZZ_PART_SIZE))
			abort();
	}
	/* [fuzz_hi, n) is zero in fuzz_img: what the last image left there goes */
	if (pwrite(fuzz_fd, fuzz_img, n, 0) != (ssize_t)n ||
	    pwrite(fuzz_fd, fuzz_img + FUZZ_SLOT, FUZZ_PART_SIZE - FUZZ_SLOT, FUZZ_SLOT) !=
	    (ssize_t)(FUZZ_PART_SIZE - FUZZ_SLOT))
		abort();
	fuzz_fd_hi = fuzz_hi;
	fd = dup(fuzz_fd);
	if (fd < 0)
		abort();
	m = mi_open_rawdump(fd, 0, FUZZ_PART_SIZE, "fuzz", err, sizeof(err));
	if (!m) {
		close(fd);
		return;
	}
	for (i = 0; i < m->nranges && budget; i++) {
		uint64_t p = m->ranges[i].paddr & ~(uint64_t)(MI_PAGE - 1);
		uint64_t end = m->ranges[i].paddr + m->ranges[i].size;

		for (; p < end && budget; p += MI_PAGE, budget--)
			if (mi_read_page(m, p, page) < 0)
				break;
	}
	rdr_verify(m, NULL, NULL);
	rdr_missing(m, &miss);
	mi_close(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image(data, size);
	fuzz_read();
	if (fuzz_fixup())
		fuzz_read();
	return 0;
}
