/*
 * tests/fuzz/fuzz_vmcore.c - libFuzzer harness for every vmcore reader
 * (ELF, LKCD, kdump-compressed: tools/image/elfread.c, lkcd.c, kdump.c, chosen
 * by content in mi_open) and for kernel introspection on what they return
 * (tools/image/kinfo.c: VMCOREINFO, the printk ring buffer, the page-table walk,
 * the per-CPU registers) and for `rawdump info`'s text and JSON report
 * (tools/cmd_info.c) of them. The input is the file.
 *
 * One report per input: text (with the whole log) when its size is even,
 * JSON when odd. Both are made from the same JSON object (info_json, with
 * kinfo_gather before it), and making it twice, with two more gathers by
 * the harness itself, took three quarters of each run.
 *
 *   make build/fuzz/fuzz_vmcore; build/fuzz/fuzz_vmcore CORPUS_DIR
 * tests/t-fuzz-parsers.sh seeds it with small real outputs of rawdump.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/memimage.h"
#include "image/formats.h"
#include "info.h"

#define FUZZ_PAGE_BUDGET	256u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static FILE *fuzz_null;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[MI_PAGE];
	char path[64], err[256];
	struct memimage *m;
	size_t i, budget = FUZZ_PAGE_BUDGET;

	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz_vmcore", 0);
		fuzz_null = fopen("/dev/null", "w");
		if (fuzz_fd < 0 || !fuzz_null)
			abort();
	}
	if (ftruncate(fuzz_fd, 0) || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fuzz_fd);
	m = mi_open(path, err, sizeof(err));
	if (!m)
		return 0;
	for (i = 0; i < m->nranges && budget; i++) {
		uint64_t a, end = m->ranges[i].paddr + m->ranges[i].size;

		for (a = m->ranges[i].paddr & ~(uint64_t)(MI_PAGE - 1); a < end && budget;
		     a += MI_PAGE, budget--)
			mi_read_page(m, a, page);
	}
	mi_close(m);
	/* what `rawdump info --log` or `rawdump info --json` prints of the
	 * file (opened again): kinfo_gather, the log, the registers */
	info_report(fuzz_null, path, size & 1, !(size & 1));
	return 0;
}
