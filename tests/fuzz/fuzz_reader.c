/*
 * tests/fuzz/fuzz_reader.c - libFuzzer harness for the rawdump partition
 * reader (tools/reader.c): every byte of a dump partition is hostile input.
 *
 * An input becomes a FUZZ_PART_SIZE partition of zeros in a memfd: its last
 * FUZZ_TAIL bytes go to the backup header slot, the rest to offset 0. The
 * harness opens it with mi_open_rawdump, reads up to FUZZ_PAGE_BUDGET pages
 * across the ranges, lists the missing memory and decodes every block.
 *
 *   make build/fuzz/fuzz_reader
 *   build/fuzz/fuzz_reader -max_len=1048576 CORPUS_DIR     (fuzz)
 *   build/fuzz/fuzz_reader -runs=0 CORPUS_DIR              (replay)
 * tests/t-save-fuzz.sh makes a seed corpus with rawdump-sim and runs both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memimage.h"
#include "reader.h"
#include "readers.h"
#include "rawdump/format.h"

#define FUZZ_PART_SIZE		(1u << 20)	/* RD_MIN_PART_SIZE */
#define FUZZ_TAIL		256u		/* bytes of a partition header */
#define FUZZ_PAGE_BUDGET	1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static size_t fuzz_last_body;	/* bytes of the previous input at offset 0 */

static void fuzz_image(const uint8_t *data, size_t size)
{
	static uint8_t zeros[FUZZ_PART_SIZE];
	size_t body = size, max_body = rd_part_backup_offset(FUZZ_PART_SIZE);

	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz-part", MFD_CLOEXEC);
		if (fuzz_fd < 0 || ftruncate(fuzz_fd, FUZZ_PART_SIZE) != 0)
			abort();
	}
	if (fuzz_last_body && pwrite(fuzz_fd, zeros, fuzz_last_body, 0) != (ssize_t)fuzz_last_body)
		abort();
	if (pwrite(fuzz_fd, zeros, FUZZ_TAIL, max_body) != FUZZ_TAIL)
		abort();
	if (size > FUZZ_TAIL) {
		body = size - FUZZ_TAIL;
		if (pwrite(fuzz_fd, data + body, FUZZ_TAIL, max_body) != FUZZ_TAIL)
			abort();
	}
	if (body > max_body)
		body = max_body;
	if (body && pwrite(fuzz_fd, data, body, 0) != (ssize_t)body)
		abort();
	fuzz_last_body = body;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[MI_PAGE];
	const struct rdr_missing *miss;
	struct memimage *m;
	unsigned budget = FUZZ_PAGE_BUDGET;
	char err[256];
	size_t i;
	int fd;

	fuzz_image(data, size);
	fd = dup(fuzz_fd);
	if (fd < 0)
		abort();
	m = mi_open_rawdump(fd, 0, FUZZ_PART_SIZE, "fuzz", err, sizeof(err));
	if (!m) {
		close(fd);
		return 0;
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
	if (rdr_info(m)->data_bytes > UINT64_MAX / 2)
		abort();
	mi_close(m);
	return 0;
}
