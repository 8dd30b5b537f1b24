/*
 * minikernel/paging.c - the minikernel's own 4-level page tables (Intel SDM
 * vol. 3, 4.5 "4-level paging"): identity map (virtual == physical) of
 * exactly what it uses - its image (read-write), the memory it dumps and
 * the elfcorehdr (read-only, with CR0.WP on: a stray write into the crashed
 * kernel's memory faults instead of changing the evidence), and MMIO
 * (uncached: PCD|PWT selects PAT entry 3, UC). 1 GiB pages where
 * the CPU has them and a range covers one, else 2 MiB, and 4 KiB pages at
 * the unaligned edges of MMIO. Page-table pages come from a fixed pool in
 * .bss; running out is an error, never a write elsewhere.
 */
#include "mk.h"

#define PT_POOL_PAGES		48
#define PTE_P			0x001ull
#define PTE_RW			0x002ull
#define PTE_PWT			0x008ull
#define PTE_PCD			0x010ull
#define PTE_PS			0x080ull
#define PTE_ADDR		0x000ffffffffff000ull
#define PTE_ATTR		(PTE_PWT | PTE_PCD)
#define SZ_4K			0x1000ull
#define SZ_2M			0x200000ull
#define SZ_1G			0x40000000ull
#define PHYS_LIMIT		(1ull << 46)
#define CR4_LA57		(1ull << 12)
#define CR0_WP			(1ull << 16)

static uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static uint32_t pt_used;
static uint64_t *pt_pml4, *pt_pml5;
static int pt_active, pt_1g;

static uint64_t *pt_new(void)
{
	uint64_t *p;

	if (pt_used >= PT_POOL_PAGES)
		return NULL;
	p = pt_pool[pt_used++];
	memset(p, 0, SZ_4K);
	return p;
}

/* Next-level table under *e, splitting a large page of 'size' if needed. */
static uint64_t *pt_next(uint64_t *e, uint64_t size)
{
	uint64_t *t;
	int i;

	if ((*e & PTE_P) && !(*e & PTE_PS))
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	t = pt_new();
	if (!t)
		return NULL;
	if (*e & PTE_P) {
		uint64_t base = *e & PTE_ADDR & ~(size - 1);
		uint64_t attr = *e & (PTE_ATTR | PTE_RW);
		uint64_t sub = size / 512;

		for (i = 0; i < 512; i++)
			t[i] = (base + (uint64_t)i * sub) | PTE_P | attr |
			       (sub > SZ_4K ? PTE_PS : 0);
	}
	*e = (uint64_t)(uintptr_t)t | PTE_P | PTE_RW;
	return t;
}

int pt_map(uint64_t phys, uint64_t len, unsigned mode)
{
	uint64_t a = phys & ~(SZ_4K - 1);
	uint64_t end = rd_align_up(phys + len, SZ_4K);
	int uncached = mode == PT_MMIO;
	uint64_t attr = (uncached ? PTE_ATTR : 0) | (mode == PT_RO ? 0 : PTE_RW);

	if (len == 0)
		return 0;
	if (phys + len < phys || end > PHYS_LIMIT)
		return -RD_EINVAL;
	while (a < end) {
		uint64_t *pdpt, *pd, *pt;
		uint64_t *e4 = &pt_pml4[(a >> 39) & 511];

		pdpt = pt_next(e4, 0);
		if (!pdpt)
			goto out_of_pages;
		if (pt_1g && !(a & (SZ_1G - 1)) && end - a >= SZ_1G &&
		    !(pdpt[(a >> 30) & 511] & PTE_P)) {
			pdpt[(a >> 30) & 511] = a | PTE_P | PTE_PS | attr;
			a += SZ_1G;
			continue;
		}
		pd = pt_next(&pdpt[(a >> 30) & 511], SZ_1G);
		if (!pd)
			goto out_of_pages;
		if (!(a & (SZ_2M - 1)) && end - a >= SZ_2M &&
		    (!(pd[(a >> 21) & 511] & PTE_P) || (pd[(a >> 21) & 511] & PTE_PS))) {
			pd[(a >> 21) & 511] = a | PTE_P | PTE_PS | attr;
			a += SZ_2M;
			continue;
		}
		if (!uncached && (pd[(a >> 21) & 511] & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) {
			/* RAM inside a 2 MiB page that is already mapped */
			a = (a & ~(SZ_2M - 1)) + SZ_2M;
			continue;
		}
		if (!uncached && !(pd[(a >> 21) & 511] & PTE_P)) {
			/* RAM: map the whole 2 MiB page around it */
			pd[(a >> 21) & 511] = (a & ~(SZ_2M - 1)) | PTE_P | PTE_PS | attr;
			a = (a & ~(SZ_2M - 1)) + SZ_2M;
			continue;
		}
		pt = pt_next(&pd[(a >> 21) & 511], SZ_2M);
		if (!pt)
			goto out_of_pages;
		pt[(a >> 12) & 511] = a | PTE_P | attr;
		a += SZ_4K;
	}
	if (pt_active)
		pt_activate();
	return 0;

out_of_pages:
	kprintf("paging: page-table pool (%u pages) exhausted mapping %lx+%lx\n",
		PT_POOL_PAGES, phys, len);
	return -RD_ENOMEM;
}

/* Unmap one 4 KiB page of the image: the guard below the boot stack. */
static int pt_guard(uint64_t a)
{
	uint64_t *pdpt = pt_next(&pt_pml4[(a >> 39) & 511], 0), *pd, *pt;

	pd = pdpt ? pt_next(&pdpt[(a >> 30) & 511], SZ_1G) : NULL;
	pt = pd ? pt_next(&pd[(a >> 21) & 511], SZ_2M) : NULL;
	if (!pt)
		return -RD_ENOMEM;
	pt[(a >> 12) & 511] = 0;
	return 0;
}

int pt_init(void)
{
	int err;

	pt_1g = cpu_has_1g_pages();
	pt_pml4 = pt_new();
	err = pt_map((uint64_t)(uintptr_t)_start, (uint64_t)(_end - _start), PT_RW);
	return err ? err : pt_guard((uint64_t)(uintptr_t)mk_boot_stack);
}

/*
 * A kernel running 5-level paging (CR4.LA57) enters us with LA57 on, and
 * LA57 cannot be cleared while paging is on: then the root is a PML5 whose
 * first entry holds our PML4 (SDM 4.5: identity addresses below 2^48 all
 * go through PML5[0]).
 */
void pt_activate(void)
{
	uint64_t cr4, root = (uint64_t)(uintptr_t)pt_pml4;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	if (cr4 & CR4_LA57) {
		if (!pt_pml5) {
			pt_pml5 = pt_new();
			if (!pt_pml5)
				mk_fail("paging: no page for the PML5 of 5-level paging");
			pt_pml5[0] = root | PTE_P | PTE_RW;
			kprintf("paging: 5-level paging (LA57) is on: PML5 above our PML4\n");
		}
		root = (uint64_t)(uintptr_t)pt_pml5;
	}
	__asm__ volatile("movq %0, %%cr3" :: "r"(root) : "memory");
	if (!pt_active) {
		uint64_t cr0;

		/* supervisor writes honour read-only pages (SDM 4.6) */
		__asm__ volatile("movq %%cr0, %0" : "=r"(cr0));
		__asm__ volatile("movq %0, %%cr0" :: "r"(cr0 | CR0_WP) : "memory");
	}
	pt_active = 1;
}

uint32_t pt_pages_used(void)
{
	return pt_used;
}
