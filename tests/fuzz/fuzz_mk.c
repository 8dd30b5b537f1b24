/*
 * tests/fuzz/fuzz_mk.c - libFuzzer harnesses for the minikernel's parsers,
 * compiled for the host: the command line (minikernel/cmdline.c,
 * cmdline_parse), the elfcorehdr kexec prepared (minikernel/crashhdr.c,
 * crashhdr_load) and the ACPI IVRS table of an AMD IOMMU (minikernel/amdvi.c,
 * amdvi_takeover: input = 2 bytes of the dump device's bus and devfn, then
 * the table; acpi_find hands it over in a buffer of exactly its length and
 * hw_map_mmio refuses, so no register is touched). Built three times:
 * -DFUZZ_CMDLINE, -DFUZZ_ELFCOREHDR and -DFUZZ_IVRS.
 *
 * The minikernel reads physical memory through its identity map, and only
 * what pt_map() mapped. Here "physical memory" is FUZZ_MEM_SIZE bytes mapped
 * at the fixed address FUZZ_MEM_BASE (so that the input's addresses and
 * offsets mean the same thing on every run), the elfcorehdr sits at its
 * start, and the pt_map() stub refuses anything outside it: a parser that
 * touches memory it did not map first is caught by ASan as a wild read.
 * That memory is a memfd mapped twice: read-only at FUZZ_MEM_BASE, as the
 * minikernel maps it (a write faults), and writable elsewhere, where the
 * harness puts each input (no mprotect() per run: flipping 4 MiB of page
 * tables twice per run cost more than the parse).
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mk.h"

#define FUZZ_MEM_BASE	0x10000000ul
#define FUZZ_MEM_SIZE	(4ul << 20)
#define FUZZ_HEAP_SIZE	(1ul << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mk_bootinfo mk_boot;
static uint8_t *fuzz_mem;	/* the writable view */
static size_t fuzz_mem_used;
static uint8_t fuzz_heap[FUZZ_HEAP_SIZE] __attribute__((aligned(4096)));
static size_t fuzz_heap_used;

void kprintf(const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);	/* formats are checked too */
	va_end(ap);
}

void con_putc(char c)
{
	(void)c;
}

int pt_map(uint64_t phys, uint64_t len, unsigned mode)
{
	(void)mode;
	if (phys < FUZZ_MEM_BASE || len > FUZZ_MEM_SIZE ||
	    phys - FUZZ_MEM_BASE > FUZZ_MEM_SIZE - len)
		return -RD_EINVAL;
	return 0;
}

void *hw_alloc(size_t size, size_t align)
{
	size_t at = (fuzz_heap_used + align - 1) & ~(align - 1);

	if (at > FUZZ_HEAP_SIZE || size > FUZZ_HEAP_SIZE - at)
		return NULL;
	fuzz_heap_used = at + size;
	memset(fuzz_heap + at, 0, size);
	return fuzz_heap + at;
}

#ifdef FUZZ_IVRS
static struct acpi_hdr *fuzz_ivrs;

const struct acpi_hdr *acpi_find(const char sig[4])
{
	return memcmp(sig, "IVRS", 4) ? NULL : fuzz_ivrs;
}

int iommu_regs_ok(uint64_t base, uint64_t len, const struct iommu_dumped *dumped)
{
	(void)base;
	(void)len;
	(void)dumped;
	return 0;
}

int hw_map_mmio(uint64_t phys, uint64_t len)
{
	(void)phys;
	(void)len;
	return -RD_EINVAL;	/* no registers here: the parse is what is fuzzed */
}

void mk_clflush(const void *p, size_t len)
{
	(void)p;
	(void)len;
}

void hw_deadline_start(struct hw_deadline *d, const char *name, uint64_t limit_us)
{
	d->name = name;
	d->limit_us = limit_us;
}

int hw_deadline_expired(struct hw_deadline *d)
{
	(void)d;
	return 1;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_IVRS
	struct pci_addr dev = { 0 };
	uint32_t len;

	if (size < 2 + sizeof(struct acpi_hdr))
		return 0;
	dev.bus = data[0];
	dev.dev = data[1] >> 3;
	dev.fn = data[1] & 7;
	len = (uint32_t)(size - 2);
	fuzz_ivrs = malloc(len);	/* exactly the table: ASan sees any overread */
	memcpy(fuzz_ivrs, data + 2, len);
	fuzz_ivrs->len = len;		/* as acpi_find checked it */
	fuzz_heap_used = 0;
	amdvi_takeover(&dev, NULL);
	free(fuzz_ivrs);
#elif defined(FUZZ_CMDLINE)
	static char line[MK_CMDLINE_MAX];
	static struct mk_args a;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	memset(&a, 0, sizeof(a));
	cmdline_parse(line, &a);
#else
	static struct mk_crash c;

	if (!fuzz_mem) {
		int fd = memfd_create("fuzz_mem", MFD_CLOEXEC);

		if (fd < 0 || ftruncate(fd, FUZZ_MEM_SIZE) ||
		    mmap((void *)FUZZ_MEM_BASE, FUZZ_MEM_SIZE, PROT_READ,
			 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0) != (void *)FUZZ_MEM_BASE)
			abort();
		fuzz_mem = mmap(NULL, FUZZ_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fuzz_mem == MAP_FAILED)
			abort();
		close(fd);
	}
	if (size > FUZZ_MEM_SIZE)
		size = FUZZ_MEM_SIZE;
	/* only the last input made any of it non-zero (the parser cannot
	 * write): clearing 4 MiB per run held the harness to ~800 runs/s */
	memset(fuzz_mem, 0, fuzz_mem_used);
	memcpy(fuzz_mem, data, size);
	fuzz_mem_used = size;
	fuzz_heap_used = 0;
	crashhdr_load(FUZZ_MEM_BASE, &c);
#endif
	return 0;
}
