/*
 * tests/unit/pfilter_test.c - the page filter (writer/pfilter.c) on a
 * synthetic machine: the layouts the real test dump does not have.
 *
 * 64 MiB of "physical memory" with 5-level page tables (PML5 at a physical
 * address inside a kexec backup region, so it is read through range.src !=
 * paddr), the direct map through a 1 GiB page, vmemmap through 2 MiB pages,
 * the kernel image through 4 KiB pages, a plain (static, non-EXTREME)
 * mem_section array, and hand-made struct pages of every class plus some
 * that a healthy kernel cannot have. Checks every frame's class, the
 * flags, and the kernel-first extents. Prints TAP-style lines for
 * tests/t-unit-pfilter.sh. Exit 1 if a check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "writer.h"
#include "pfilter.h"

#define MEM_SIZE	(64ull << 20)
#define BACKUP_SRC	0x3e00000ull	/* where range A's bytes really are */
#define BACKUP_SIZE	0xa0000ull
#define KTEXT_PHYS	0x1000000ull
#define KTEXT_VIRT	0xffffffff81000000ull
#define START_KMAP	0xffffffff80000000ull
#define PAGE_OFFSET	0xff11000000000000ull	/* 5-level direct map */
#define VMEMMAP		0xffd4000000000000ull	/* 5-level vmemmap */
#define MEMMAP_PHYS	0x200000ull
#define SPAGE		64

static uint8_t *mem;
static uint64_t next_table = 0x100000;	/* bump allocator for tables */
static int failures;

static void ok(int cond, const char *name)
{
	printf("%s - pfilter_test: %s\n", cond ? "ok" : "not ok", name);
	if (!cond)
		failures++;
}

/* physical address -> where its bytes live in mem (range A is displaced) */
static uint8_t *phys(uint64_t pa)
{
	if (pa < BACKUP_SIZE)
		return mem + BACKUP_SRC + pa;
	return mem + pa;
}

static void put64(uint64_t pa, uint64_t v) { memcpy(phys(pa), &v, 8); }
static uint64_t get64(uint64_t pa) { uint64_t v; memcpy(&v, phys(pa), 8); return v; }

static uint64_t table_alloc(void)
{
	uint64_t t = next_table;

	next_table += 4096;
	memset(phys(t), 0, 4096);
	return t;
}

#define PML5_PHYS	0x10000ull	/* inside the backup region */

/* map vaddr -> pa with a page of 1 << shift bytes (12, 21 or 30) */
static void map(uint64_t vaddr, uint64_t pa, int shift)
{
	uint64_t table = PML5_PHYS;
	int s;

	for (s = 48; s > shift; s -= 9) {
		uint64_t e = table + ((vaddr >> s) & 511) * 8;

		if (!(get64(e) & 1))
			put64(e, table_alloc() | 0x63);
		table = get64(e) & 0x000ffffffffff000ull;
	}
	put64(table + ((vaddr >> shift) & 511) * 8, pa | 0x63 | (shift > 12 ? 0x80 : 0));
}

static uint64_t spage_pa(uint64_t pfn) { return MEMMAP_PHYS + pfn * SPAGE; }
static uint64_t spage_va(uint64_t pfn) { return VMEMMAP + pfn * SPAGE; }

static void sp_set(uint64_t pfn, uint64_t flags, uint64_t mapping, uint64_t priv, int32_t mapcount)
{
	uint64_t pa = spage_pa(pfn);

	put64(pa + 0, flags);
	put64(pa + 24, mapping);
	put64(pa + 40, priv);
	memcpy(phys(pa + 48), &mapcount, 4);
}

static void compound(uint64_t head, int order, uint64_t flags, uint64_t mapping, uint8_t dtor)
{
	uint64_t i;

	sp_set(head, flags | (1ull << 16), mapping, 0, -1);
	for (i = 1; i < (1ull << order); i++)
		put64(spage_pa(head + i) + 8, spage_va(head) | 1);
	phys(spage_pa(head + 1) + 16)[0] = dtor;
	phys(spage_pa(head + 1) + 17)[0] = (uint8_t)order;
}

static const void *src_map(void *ctx, uint64_t addr, size_t len)
{
	if (addr > MEM_SIZE || len > MEM_SIZE - addr)
		return NULL;
	return mem + addr;
}

static void log_line(void *ctx, const char *line)
{
	printf("# %s\n", line);
}


/* kallsyms in the kernel image: token t is the character t, token 1 is
 * "__per_cpu_" (a multi-character token) */
#define KS_TT		(KTEXT_PHYS + 0x6000)
#define KS_TI		(KTEXT_PHYS + 0x6400)
#define KS_NAMES	(KTEXT_PHYS + 0x7000)
#define KS_OFFS		(KTEXT_PHYS + 0x9000)
#define KS_NUM		(KTEXT_PHYS + 0xa000)
#define KS_RBASE	(KTEXT_PHYS + 0xa008)
#define KS_PCPU_OFF	(KTEXT_PHYS + 0xb000)
#define KS_NR_CPU	(KTEXT_PHYS + 0xb100)

static uint32_t ks_n;
static uint64_t ks_pos = KS_NAMES;

/* name: type character first; '\001' stands for token 1 */
static void ks_sym(const char *name, int32_t off)
{
	size_t len = strlen(name);

	if (len >= 128) {
		phys(ks_pos++)[0] = (uint8_t)(0x80 | (len & 0x7f));
		phys(ks_pos++)[0] = (uint8_t)(len >> 7);
	} else {
		phys(ks_pos++)[0] = (uint8_t)len;
	}
	memcpy(phys(ks_pos), name, len);
	ks_pos += len;
	memcpy(phys(KS_OFFS + ks_n * 4), &off, 4);
	ks_n++;
}

static void ks_build(void)
{
	char big[140];
	uint32_t t;

	for (t = 0; t < 256; t++) {
		uint16_t at = (uint16_t)(t * 2);

		phys(KS_TT + t * 2)[0] = (uint8_t)t;
		phys(KS_TT + t * 2 + 1)[0] = 0;
		memcpy(phys(KS_TI + t * 2), &at, 2);
	}
	memcpy(phys(KS_TT + 512), "__per_cpu_", 11);
	memcpy(phys(KS_TI + 2), &(uint16_t){ 512 }, 2);
	memset(big, 'x', sizeof(big));
	big[0] = 't';
	big[sizeof(big) - 1] = 0;
	ks_sym(big, -1);				/* a "big" name: two length bytes */
	ks_sym("Tprb", -(int32_t)0x4001);		/* relative: KTEXT_VIRT + 0x4000 */
	ks_sym("D\001offset", -(int32_t)0xb001);
	ks_sym("Dnr_cpu_ids", -(int32_t)0xb101);
	ks_sym("D\001start", 0);			/* absolute per-CPU symbols */
	ks_sym("D\001end", 0x3000);
	ks_sym("Dcurrent_task", 0x100);
	ks_sym("didle_threads", 0x108);
	memcpy(phys(KS_NUM), &ks_n, 4);
	put64(KS_RBASE, KTEXT_VIRT);
}

/* bit i: physical [a_i, a_i + len_i) lies in one RD_PF_PRI_CPU extent */
static int cpu_extent(const struct rd_pf_extent *e, uint32_t n, uint64_t a, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (e[i].what == RD_PF_PRI_CPU && e[i].paddr <= a && a + len <= e[i].paddr + e[i].len)
			return 1;
	return 0;
}

#define PG_LRU		(1ull << 4)
#define PG_PRIVATE	(1ull << 13)
#define PG_SLAB		(1ull << 9)
#define KADDR(pa)	(PAGE_OFFSET + (pa))

int main(void)
{
	struct rd_writer_range r[3] = {
		{ 0, 0, BACKUP_SIZE, BACKUP_SRC, 0 },
		{ 0x100000, PAGE_OFFSET + 0x100000, BACKUP_SRC - 0x100000, 0x100000, 0 },
		{ KTEXT_PHYS, KTEXT_VIRT, 0x10000, KTEXT_PHYS, RD_RANGE_ALIAS },
	};
	struct rd_source src = { src_map, NULL, 0 };
	struct rd_pf_config cfg;
	char vmci[4096];
	uint8_t want[16384], got[16384];
	uint64_t pfn, rb = KTEXT_PHYS + 0x3000, ms = KTEXT_PHYS + 0x2000, prb = KTEXT_PHYS + 0x4000;
	uint64_t descs = 0x800000, infos = 0x900000, data = 0xa00000;
	const struct rd_pf_extent *e;
	uint32_t n, i, kinds = 0, mismatch = 0;
	void *area;
	struct rd_pfilter *f;
	int len;

	mem = calloc(1, MEM_SIZE);
	area = aligned_alloc(8, (rd_pf_size() + 7) & ~(size_t)7);
	if (!mem || !area)
		return 1;
	memset(mem, 0xa5, BACKUP_SIZE);		/* the displaced region's stale copy */
	memset(phys(PML5_PHYS), 0, 4096);

	/* mappings: direct map (1 GiB page), vmemmap (2 MiB), kernel image (4 KiB) */
	map(PAGE_OFFSET, 0, 30);
	map(VMEMMAP, MEMMAP_PHYS, 21);
	for (i = 0; i < 16; i++)
		map(KTEXT_VIRT + i * 4096ull, KTEXT_PHYS + i * 4096ull, 12);

	/* static mem_section[NR_SECTIONS][1]: section 0 */
	put64(ms, VMEMMAP | 0x3);
	/* prb -> ring buffer with 2^4 descriptors and a 2^13-byte text ring */
	put64(prb, KTEXT_VIRT + 0x3000);
	memcpy(phys(rb + 0), &(uint32_t){ 4 }, 4);
	put64(rb + 8, KADDR(descs));
	put64(rb + 16, KADDR(infos));
	memcpy(phys(rb + 48), &(uint32_t){ 13 }, 4);
	put64(rb + 56, KADDR(data));

	/* struct pages: by default in use (kept); then one of everything */
	memset(want, 0, sizeof(want));
	for (pfn = 0; pfn < 16384; pfn++)
		sp_set(pfn, 0, 0, 0, -1);
	sp_set(0x2000, 0, 0, 10, -129);			/* free, order 10 */
	memset(want + 0x2000, RD_CLASS_FREE, 1024);
	sp_set(0x2400, PG_LRU, KADDR(0x5000), 0, 0);		/* page cache */
	want[0x2400] = RD_CLASS_CACHE;
	sp_set(0x2401, PG_LRU | PG_PRIVATE, KADDR(0x5000), 0, 0);
	want[0x2401] = RD_CLASS_CACHE_PRI;
	sp_set(0x2402, PG_LRU, KADDR(0x6000) | 1, 0, 0);	/* anon */
	want[0x2402] = RD_CLASS_USER;
	compound(0x2404, 2, PG_LRU, KADDR(0x6000) | 1, 1);	/* anon THP */
	memset(want + 0x2404, RD_CLASS_USER, 4);
	compound(0x2600, 9, 0, 0, 2);				/* hugetlb, free in the pool */
	memset(want + 0x2600, RD_CLASS_USER, 512);
	compound(0x2800, 3, PG_LRU, KADDR(0x5000), 1);	/* file THP, one tail corrupt */
	memset(want + 0x2800, RD_CLASS_CACHE, 8);
	put64(spage_pa(0x2805) + 8, 0x1234567);
	want[0x2805] = 0;
	sp_set(0x2408, PG_LRU | PG_SLAB, KADDR(0x5000), 0, 0);	/* slab on the LRU */
	sp_set(0x2409, 0, 0, 11, -129);			/* buddy order 11 >= MAX_ORDER + 1 */
	sp_set(0x240a, PG_LRU, 0x0000123400005000ull, 0, 0);	/* user-space "mapping" */
	sp_set(0x240b, PG_SLAB, 0, 0, -129);		/* slab: never buddy */
	sp_set(0x3000, 0, 0, 3, -129);			/* free, order 3, one frame in use */
	memset(want + 0x3000, RD_CLASS_FREE, 8);
	put64(spage_pa(0x3002) + 24, KADDR(0x5000));
	want[0x3002] = 0;
	/* frames of the log are never left out, whatever their struct page says */
	sp_set(descs >> 12, 0, 0, 0, -129);
	sp_set(data >> 12, 0, 0, 1, -129);

	len = snprintf(vmci, sizeof(vmci),
		"OSRELEASE=test\nPAGESIZE=4096\n"
		"SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=1\n"
		"SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=%llu\nSIZE(mem_section)=16\n"
		"OFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\n"
		"NUMBER(MAX_PHYSMEM_BITS)=52\nSIZE(page)=64\nOFFSET(page.flags)=0\n"
		"OFFSET(page._refcount)=52\nOFFSET(page.mapping)=24\nOFFSET(page._mapcount)=48\n"
		"OFFSET(page.private)=40\nOFFSET(page.compound_dtor)=16\n"
		"OFFSET(page.compound_order)=17\nOFFSET(page.compound_head)=8\n"
		"LENGTH(zone.free_area)=11\nNUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
		"NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\n"
		"NUMBER(PG_head_mask)=65536\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		"NUMBER(HUGETLB_PAGE_DTOR)=2\nSYMBOL(prb)=%llx\n"
		"OFFSET(printk_ringbuffer.desc_ring)=0\nOFFSET(printk_ringbuffer.text_data_ring)=48\n"
		"OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=8\n"
		"OFFSET(prb_desc_ring.infos)=16\nSIZE(prb_desc)=24\nSIZE(printk_info)=88\n"
		"OFFSET(prb_data_ring.size_bits)=0\nOFFSET(prb_data_ring.data)=8\n",
		(unsigned long long)(START_KMAP + PML5_PHYS),
		(unsigned long long)(KTEXT_VIRT + 0x2000), 1ull << 25,
		(unsigned long long)(KTEXT_VIRT + 0x4000));

	memset(&cfg, 0, sizeof(cfg));
	cfg.vmcoreinfo = vmci;
	cfg.vmcoreinfo_len = (size_t)len;
	cfg.level = RD_CLASS_ALL;
	cfg.ranges = r;
	cfg.range_count = 3;
	cfg.log = log_line;
	f = rd_pf_init(area, &cfg, &src);
	ok(rd_pf_active(f) == (RD_CLASS_ALL & ~RD_CLASS_ZERO), "5-level, static mem_section: all classes active");

	memset(got, 0xee, sizeof(got));
	for (pfn = 0; pfn < 16384; pfn += 64) {
		uint64_t pa = pfn << 12;
		int in = 0;

		for (i = 0; i < 2; i++)
			if (pa >= r[i].paddr && pa - r[i].paddr < r[i].size)
				in = 1;
		if (in)
			rd_pf_classify(f, pa, 64, got + pfn);
	}
	for (pfn = 0x100; pfn < BACKUP_SRC >> 12; pfn++) {	/* range B */
		if (got[pfn] != want[pfn]) {
			if (mismatch++ < 8)
				printf("# pfn 0x%llx: class %u, wanted %u\n", (unsigned long long)pfn,
				       got[pfn], want[pfn]);
		}
	}
	ok(mismatch == 0, "every frame classified as built (free, cache, private, anon, THP, hugetlb)");
	ok(rd_pf_flags(f) == RD_FF_MEMMAP_BAD, "the impossible struct pages set RD_FF_MEMMAP_BAD, and only that");

	e = rd_pf_priority(f, &n);
	for (i = 0; i < n; i++) {
		kinds |= 1u << e[i].what;
		if (e[i].what == RD_PF_PRI_LOG && e[i].paddr <= data && data < e[i].paddr + e[i].len)
			kinds |= 1u << 8;
		/* the tables that map the log go with it, the PML5 first */
		if (e[i].what == RD_PF_PRI_LOG && e[i].paddr <= PML5_PHYS && PML5_PHYS < e[i].paddr + e[i].len)
			kinds |= 1u << 9;
	}
	ok((kinds & 0x31e) == 0x30e, "kernel-first: log (through the direct map) with the page tables "
	   "that map it from the PML5 in the backup region, kernel image, the other page tables; "
	   "no mem_section roots (static array)");

	/* per-CPU data through kallsyms: 2 CPUs, a stack from an NT_PRSTATUS note */
	{
		uint8_t note[12 + 8 + 336];
		uint64_t sp = KADDR(0xe01234);

		ks_build();
		put64(KS_PCPU_OFF, KADDR(0xc00000));
		put64(KS_PCPU_OFF + 8, KADDR(0xc10000));
		memcpy(phys(KS_NR_CPU), &(uint32_t){ 2 }, 4);
		put64(0xc00000 + 0x100, KADDR(0xd00040));	/* CPU 0 current_task */
		put64(0xc10000 + 0x108, KADDR(0xd10000));	/* CPU 1 idle task */
		memset(note, 0, sizeof(note));
		memcpy(note, &(uint32_t){ 5 }, 4);
		memcpy(note + 4, &(uint32_t){ 336 }, 4);
		memcpy(note + 8, &(uint32_t){ 1 }, 4);
		memcpy(note + 12, "CORE", 5);
		memcpy(note + 20 + 264, &sp, 8);
		len += snprintf(vmci + len, sizeof(vmci) - (size_t)len,
			"SYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
			"SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
			"SYMBOL(kallsyms_offsets)=%llx\nSYMBOL(kallsyms_relative_base)=%llx\n",
			(unsigned long long)(KS_NAMES - KTEXT_PHYS + KTEXT_VIRT),
			(unsigned long long)(KS_NUM - KTEXT_PHYS + KTEXT_VIRT),
			(unsigned long long)(KS_TT - KTEXT_PHYS + KTEXT_VIRT),
			(unsigned long long)(KS_TI - KTEXT_PHYS + KTEXT_VIRT),
			(unsigned long long)(KS_OFFS - KTEXT_PHYS + KTEXT_VIRT),
			(unsigned long long)(KS_RBASE - KTEXT_PHYS + KTEXT_VIRT));
		cfg.vmcoreinfo_len = (size_t)len;
		cfg.notes = note;
		cfg.notes_size = sizeof(note);
		f = rd_pf_init(area, &cfg, &src);
		e = rd_pf_priority(f, &n);
		ok(cpu_extent(e, n, 0xc00000, 0x3000) && cpu_extent(e, n, 0xc10000, 0x3000) &&
		   cpu_extent(e, n, 0xd00040, 16384) && cpu_extent(e, n, 0xd10000, 16384) &&
		   cpu_extent(e, n, 0xe00000, 16384) && !cpu_extent(e, n, 0xc03000, 4096),
		   "kallsyms: both CPUs' per-CPU areas, current and idle task, the noted stack");

		/* hostile symbol tables: no per-CPU extents, no fault */
		memcpy(phys(KS_NUM), &(uint32_t){ 0xffffffffu }, 4);
		f = rd_pf_init(area, &cfg, &src);
		e = rd_pf_priority(f, &n);
		ok(!cpu_extent(e, n, 0xc00000, 4096) && cpu_extent(e, n, 0xe00000, 16384),
		   "kallsyms_num_syms 2^32-1: no per-CPU areas (the stack still)");
		memcpy(phys(KS_NUM), &ks_n, 4);
		memcpy(phys(KS_TI + 2 * 'p'), &(uint16_t){ 0xffff }, 2);	/* 'p' beyond the table */
		f = rd_pf_init(area, &cfg, &src);
		e = rd_pf_priority(f, &n);
		ok(!cpu_extent(e, n, 0xc00000, 4096), "a token beyond the token table: no per-CPU areas");
		memcpy(phys(KS_TI + 2 * 'p'), &(uint16_t){ 2 * 'p' }, 2);
		put64(KS_PCPU_OFF + 8, 0x1234);		/* CPU 1's offset: a user address */
		memcpy(phys(KS_NR_CPU), &(uint32_t){ 0xffffffffu }, 4);
		f = rd_pf_init(area, &cfg, &src);
		e = rd_pf_priority(f, &n);
		ok(cpu_extent(e, n, 0xc00000, 0x3000) && !cpu_extent(e, n, 0xc10000, 4096),
		   "nr_cpu_ids 2^32-1, a bad per-CPU offset: bounded, that CPU skipped");
		cfg.notes = NULL;
	}

	/* the same with the displaced region unreadable: no page tables, nothing filtered */
	r[0].src = MEM_SIZE;
	f = rd_pf_init(area, &cfg, &src);
	rd_pf_classify(f, 0x2000ull << 12, 64, got);
	ok(rd_pf_active(f) == 0 && (rd_pf_flags(f) & RD_FF_NO_MEMMAP) && got[0] == 0,
	   "top page table unreadable: no class active, RD_FF_NO_MEMMAP");
	free(mem);
	free(area);
	return failures ? 1 : 0;
}
