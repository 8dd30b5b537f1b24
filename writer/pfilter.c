/*
 * writer/pfilter.c - page classification from the crashed kernel's struct
 * page array (makedumpfile's dump-level classes) and the kernel-first
 * extents. Interface: writer/pfilter.h; design and the rules' sources:
 * Documentation/filtering.md.
 *
 * The classification rules are makedumpfile's (__exclude_unnecessary_pages,
 * page_is_buddy_v3, is_cache_page, isAnon, isSlab, isHugetlb in
 * makedumpfile.c), driven only by VMCOREINFO keys. On top of them, sanity
 * checks that can only make us keep more: a struct page that a healthy
 * kernel cannot have (a buddy page with page flags or a mapping, a
 * mapping pointer outside the kernel half, a compound tail that does not
 * point back at its head, ...) keeps its page and sets RD_FF_MEMMAP_BAD.
 *
 * Every byte read is the dead kernel's memory, read through rd_source and
 * only inside the non-alias dumped ranges; virtual addresses are
 * translated by walking the crashed kernel's own page tables
 * (init_top_pgt, 4 or 5 levels). Freestanding: no libc, no globals.
 */
#include "pfilter.h"

#define PF_PAGE_SIZE		4096u
#define PF_PAGE_SHIFT		12
#define PF_WINDOW		32u	/* frames whose struct pages are read at once */
#define PF_SPAGE_MAX		128u	/* largest SIZE(page) accepted */
#define PF_KEYVAL_MAX		40
#define PF_START_KERNEL_MAP	0xffffffff80000000ull	/* x86-64 __START_KERNEL_map */
#define PF_PTE_ADDR_MASK	0x000ffffffffff000ull	/* x86-64 PTE_PFN_MASK */
#define PF_PTE_PRESENT		0x1ull
#define PF_PTE_LARGE		0x80ull			/* PS bit in a PUD/PMD entry */
#define PF_COMPOUND_ORDER_MAX	18	/* 1 GiB pages: the largest x86-64 mapping */
#define PF_LOG_REGION_MAX	(1ull << 31)	/* printk's LOG_BUF_LEN_MAX */
#define PF_PGT_READ_BUDGET	(1u << 20)	/* page-table entries read at init */
#define PF_SPLIT_STACK		8	/* pending pieces when extents overlap */
#define PF_SECTION_ROOTS_MAX	(1u << 16)	/* mem_section roots read at init */
#define PF_KS_SYMS_MAX		(1u << 21)	/* kallsyms_num_syms accepted */
#define PF_KS_TOKENS_LEN	4096u		/* kallsyms_token_table bytes read */
#define PF_KS_NAME_MAX		128u		/* KSYM_NAME_LEN (bytes compared) */
#define PF_CPUS_MAX		512u		/* CPUs whose areas go first */
#define PF_PERCPU_UNIT_MAX	(8u << 20)	/* largest per-CPU unit accepted */
#define PF_PERCPU_TOTAL_MAX	(64ull << 20)	/* whole units up to this, else the
						 * static part of each */
#define PF_STACK_SIZE		16384u		/* x86-64 THREAD_SIZE (no KASAN) */
#define PF_TASK_SPAN		16384u		/* bytes kept from a task_struct's
						 * start: SIZE(task_struct) is not
						 * in VMCOREINFO; 6.1's is ~10 KiB */
#define PF_NODES_MAX		1024u		/* x86-64 MAX_NUMNODES (NODES_SHIFT 10) */
#define PF_NODE_SIZE_MAX	(1u << 20)	/* largest SIZE(pglist_data) accepted */
#define PF_NT_PRSTATUS		1u
#define PF_PRSTATUS_SP		264u	/* x86-64 elf_prstatus: pr_reg at 112,
					 * user_regs_struct.sp is its 20th word */

/* mem_section.section_mem_map flag bit (include/linux/mmzone.h), stable
 * since 2.6.x; makedumpfile relies on it too. */
#define PF_SECTION_MARKED_PRESENT	0x1ull

enum { PF_RUN_NONE, PF_RUN_BUDDY, PF_RUN_COMPOUND };
enum { PF_SEC_UNKNOWN, PF_SEC_MEMMAP, PF_SEC_NONE, PF_SEC_BAD };

struct rd_pfilter {
	const struct rd_writer_range *ranges;
	uint32_t range_count;
	uint32_t range_hint;
	struct rd_source src;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;

	uint32_t active, flags;

	/* page tables */
	int have_pgt;
	int l5;
	uint64_t top_pgt_paddr;
	uint64_t phys_base;
	uint64_t sme_mask;
	uint64_t kernel_half;		/* lowest kernel-half address */
	uint64_t tc_vaddr, tc_paddr, tc_len;	/* last translation */

	/* SPARSEMEM */
	int have_memmap;
	int extreme;
	uint64_t ms_addr;		/* SYMBOL(mem_section) */
	uint64_t ms_length, ms_size, ms_map_off, per_root, nr_sections;
	uint32_t pfn_section_shift;	/* SECTION_SIZE_BITS - PAGE_SHIFT */

	/* struct page */
	uint32_t spage;			/* SIZE(page) */
	int32_t off_flags, off_mapcount, off_mapping, off_private, off_chead;
	int32_t off_order, off_dtor;	/* in the first tail page; -1 unknown */
	int order_in_flags1;		/* 6.6+: order in page[1].flags low byte */
	uint64_t head_mask;
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab, pg_hugetlb;
	int have_buddy_mc, have_slab_mc, have_hugetlb_mc, have_unaccepted_mc;
	int32_t buddy_mc, slab_mc, hugetlb_mc, unaccepted_mc;
	int have_hugetlb_dtor;
	uint64_t hugetlb_dtor;
	uint64_t free_area_len;		/* LENGTH(zone.free_area): orders 0..len-1 */
	uint64_t check_mask;		/* page flags a free page never has */

	/* stream state */
	uint64_t next_pfn;		/* pfn after the last one classified */
	uint64_t run_end;		/* pending buddy/compound run: [.., run_end) */
	uint32_t run_kind;
	uint8_t run_class;
	uint64_t run_head_vaddr;	/* struct page of the compound head */
	uint64_t sec_nr;
	uint32_t sec_state;
	uint64_t sec_coded;		/* decoded: struct page of pfn = coded + pfn*spage */
	uint32_t prio_cursor;
	uint64_t bad_pages;
	uint32_t bad_logged;

	/* kernel-first extents */
	uint32_t nprio;
	uint32_t prio_dropped;
	struct rd_pf_extent prio[RD_PF_PRIORITY_MAX];
	uint16_t prio_sorted[RD_PF_PRIORITY_MAX];	/* indices by paddr */

	uint8_t buf[(PF_WINDOW + 1) * PF_SPAGE_MAX];	/* struct pages of a window */

	/* kallsyms reader (setup only) */
	uint64_t ks_at;
	uint32_t ks_len;
	uint8_t ks_buf[512];
	uint16_t ks_tok_index[256];
	uint8_t ks_tok[PF_KS_TOKENS_LEN];
};

/* ---- small freestanding helpers --------------------------------------- */

struct pf_line {
	char s[160];
	uint32_t n;
};

static void pf_put(struct pf_line *l, const char *s)
{
	while (*s && l->n + 1 < sizeof(l->s))
		l->s[l->n++] = *s++;
	l->s[l->n] = '\0';
}

static void pf_put_num(struct pf_line *l, uint64_t v, unsigned base)
{
	char tmp[24];
	int i = 0;

	if (base == 16)
		pf_put(l, "0x");
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i < (int)sizeof(tmp));
	while (i > 0 && l->n + 1 < sizeof(l->s))
		l->s[l->n++] = tmp[--i];
	l->s[l->n] = '\0';
}

static void pf_emit(struct rd_pfilter *f, struct pf_line *l)
{
	if (f->log)
		f->log(f->log_ctx, l->s);
}

static void pf_say(struct rd_pfilter *f, const char *a, const char *b)
{
	struct pf_line l = { .n = 0 };

	pf_put(&l, "pfilter: ");
	pf_put(&l, a);
	pf_put(&l, b);
	pf_emit(f, &l);
}

static uint64_t pf_get64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static uint32_t pf_get32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

/* ---- VMCOREINFO ---------------------------------------------------------- */

/* Value of KEY, parsed as hex (SYMBOL, KERNELOFFSET) or signed decimal.
 * Returns 1 and sets *v, or 0 when the key is missing or malformed. */
static int pf_key(const struct rd_pf_config *cfg, const char *key, int hex, uint64_t *v)
{
	char val[PF_KEYVAL_MAX];
	int n, i = 0, neg = 0;
	uint64_t x = 0;

	if (!cfg->vmcoreinfo)
		return 0;
	n = rd_vmcoreinfo_get(cfg->vmcoreinfo, cfg->vmcoreinfo_len, key, val, sizeof(val));
	if (n <= 0 || n >= PF_KEYVAL_MAX - 1)
		return 0;
	if (!hex && val[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i >= n)
		return 0;
	for (; i < n; i++) {
		char c = val[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		x = x * (hex ? 16 : 10) + d;
	}
	*v = neg ? (uint64_t)0 - x : x;
	return 1;
}

/* A key a rule needs: logs it when missing. */
static int pf_need(struct rd_pfilter *f, const struct rd_pf_config *cfg, const char *key,
		   int hex, uint64_t *v, const char *rule)
{
	struct pf_line l = { .n = 0 };

	if (pf_key(cfg, key, hex, v))
		return 1;
	pf_put(&l, "pfilter: VMCOREINFO has no ");
	pf_put(&l, key);
	pf_put(&l, ": ");
	pf_put(&l, rule);
	pf_emit(f, &l);
	return 0;
}

/* An offset of a field of `width` bytes inside a struct of `limit` bytes. */
static int pf_off(const struct rd_pf_config *cfg, const char *key, int32_t *off,
		  uint32_t limit, uint32_t width)
{
	uint64_t v;

	if (!pf_key(cfg, key, 0, &v) || v + width > limit)
		return 0;
	*off = (int32_t)v;
	return 1;
}

static int pf_bit(const struct rd_pf_config *cfg, const char *key, int *bit)
{
	uint64_t v;

	if (!pf_key(cfg, key, 0, &v) || v > 63)
		return 0;
	*bit = (int)v;
	return 1;
}

static int pf_mapcount_key(const struct rd_pf_config *cfg, const char *key, int32_t *mc)
{
	uint64_t v;

	if (!pf_key(cfg, key, 0, &v))
		return 0;
	*mc = (int32_t)v;
	return 1;
}

/* ---- physical and virtual reads ------------------------------------------ */

/* Copy len bytes at physical paddr out of the dumped (non-alias) ranges. */
static int pf_pread(struct rd_pfilter *f, uint64_t paddr, void *out, uint32_t len)
{
	uint8_t *o = out;

	while (len) {
		const struct rd_writer_range *r = 0;
		const void *p;
		uint64_t n;
		uint32_t i;

		for (i = 0; i < f->range_count; i++) {
			uint32_t k = (f->range_hint + i) % f->range_count;
			const struct rd_writer_range *c = &f->ranges[k];

			if (!(c->flags & RD_RANGE_ALIAS) && paddr >= c->paddr &&
			    paddr - c->paddr < c->size) {
				r = c;
				f->range_hint = k;
				break;
			}
		}
		if (!r)
			return -1;
		n = r->size - (paddr - r->paddr);
		if (n > len)
			n = len;
		p = f->src.map(f->src.ctx, r->src + (paddr - r->paddr), (size_t)n);
		if (!p)
			return -1;
		__builtin_memcpy(o, p, (size_t)n);
		o += n;
		paddr += n;
		len -= (uint32_t)n;
	}
	return 0;
}

static int pf_dumped(struct rd_pfilter *f, uint64_t paddr)
{
	uint32_t i;

	for (i = 0; i < f->range_count; i++) {
		const struct rd_writer_range *c = &f->ranges[i];

		if (!(c->flags & RD_RANGE_ALIAS) && paddr >= c->paddr && paddr - c->paddr < c->size)
			return 1;
	}
	return 0;
}

static int pf_is_kernel_addr(const struct rd_pfilter *f, uint64_t v)
{
	return v >= f->kernel_half;
}

/*
 * Virtual -> physical through the crashed kernel's page tables. *span gets
 * the bytes from vaddr to the end of the mapping that holds it (4 KiB,
 * 2 MiB or 1 GiB page). Returns 0 or -1 (not mapped, not readable).
 */
static int pf_v2p(struct rd_pfilter *f, uint64_t vaddr, uint64_t *paddr, uint64_t *span)
{
	uint64_t table, entry = 0;
	int shift, level;

	if (!f->have_pgt || !pf_is_kernel_addr(f, vaddr))
		return -1;
	if (f->tc_len && vaddr - f->tc_vaddr < f->tc_len) {
		*paddr = f->tc_paddr + (vaddr - f->tc_vaddr);
		*span = f->tc_len - (vaddr - f->tc_vaddr);
		return 0;
	}
	table = f->top_pgt_paddr;
	shift = f->l5 ? 48 : 39;
	for (level = f->l5 ? 5 : 4; level >= 1; level--, shift -= 9) {
		uint64_t idx = (vaddr >> shift) & 511;
		uint64_t size = 1ull << shift;

		if (pf_pread(f, table + idx * 8, &entry, 8))
			return -1;
		if (!(entry & PF_PTE_PRESENT))
			return -1;
		entry &= ~f->sme_mask;
		if (level == 1 || ((level == 2 || level == 3) && (entry & PF_PTE_LARGE))) {
			uint64_t base = entry & PF_PTE_ADDR_MASK & ~(size - 1);

			f->tc_vaddr = vaddr & ~(size - 1);
			f->tc_paddr = base;
			f->tc_len = size;
			*paddr = base + (vaddr & (size - 1));
			*span = size - (vaddr & (size - 1));
			return 0;
		}
		table = entry & PF_PTE_ADDR_MASK;
	}
	return -1;
}

static int pf_vread(struct rd_pfilter *f, uint64_t vaddr, void *out, uint32_t len)
{
	uint8_t *o = out;

	while (len) {
		uint64_t p, span;
		uint32_t n;

		if (pf_v2p(f, vaddr, &p, &span))
			return -1;
		n = span < len ? (uint32_t)span : len;
		if (pf_pread(f, p, o, n))
			return -1;
		o += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}

/* ---- kernel-first extents ------------------------------------------------ */

/* Add [a, b) (page aligned, inside one dumped range) minus what earlier
 * extents already hold; merge with an adjacent extent of the same kind. */
static void pf_extent_add_piece(struct rd_pfilter *f, uint64_t a, uint64_t b, uint32_t what)
{
	uint64_t stack_a[PF_SPLIT_STACK], stack_b[PF_SPLIT_STACK];
	int sp = 0;

	stack_a[sp] = a;
	stack_b[sp++] = b;
	while (sp > 0) {
		uint32_t i, merge = RD_PF_PRIORITY_MAX;
		int split = 0;

		sp--;
		a = stack_a[sp];
		b = stack_b[sp];
		for (i = 0; i < f->nprio; i++) {
			struct rd_pf_extent *e = &f->prio[i];
			uint64_t ea = e->paddr, eb = e->paddr + e->len;

			if (b <= ea || a >= eb) {
				if (e->what == what && (eb == a || ea == b))
					merge = i;
				continue;
			}
			if (a < ea) {
				if (sp < PF_SPLIT_STACK) {
					stack_a[sp] = a;
					stack_b[sp++] = ea;
				} else {
					f->prio_dropped++;
				}
			}
			if (b > eb) {
				if (sp < PF_SPLIT_STACK) {
					stack_a[sp] = eb;
					stack_b[sp++] = b;
				} else {
					f->prio_dropped++;
				}
			}
			split = 1;
			break;
		}
		if (split)
			continue;
		if (merge < RD_PF_PRIORITY_MAX) {
			struct rd_pf_extent *e = &f->prio[merge];

			if (e->paddr == b)
				e->paddr = a;
			e->len += b - a;
		} else if (f->nprio < RD_PF_PRIORITY_MAX) {
			f->prio[f->nprio].paddr = a;
			f->prio[f->nprio].len = b - a;
			f->prio[f->nprio].what = what;
			f->nprio++;
		} else {
			f->prio_dropped++;
		}
	}
}

/* Add physical [a, b), clipped to the dumped non-alias ranges. */
static void pf_extent_add(struct rd_pfilter *f, uint64_t a, uint64_t b, uint32_t what)
{
	uint32_t i;

	a &= ~(uint64_t)(PF_PAGE_SIZE - 1);
	b = (b + PF_PAGE_SIZE - 1) & ~(uint64_t)(PF_PAGE_SIZE - 1);
	for (i = 0; i < f->range_count && a < b; i++) {
		const struct rd_writer_range *r = &f->ranges[i];
		uint64_t ra = (r->paddr + PF_PAGE_SIZE - 1) & ~(uint64_t)(PF_PAGE_SIZE - 1);
		uint64_t rb = (r->paddr + r->size) & ~(uint64_t)(PF_PAGE_SIZE - 1);
		uint64_t x = a > ra ? a : ra, y = b < rb ? b : rb;

		if ((r->flags & RD_RANGE_ALIAS) || x >= y)
			continue;
		pf_extent_add_piece(f, x, y, what);
	}
}

/*
 * Add the page-table pages that translate vaddr (top level down to the
 * table holding its mapping): a reader of a dump cut short walks them to
 * find an extent, so they go with it (a power cut after the log but
 * before RD_PF_PRI_PGTABLE must still leave the log readable).
 */
static void pf_extent_add_walk(struct rd_pfilter *f, uint64_t vaddr, uint32_t what)
{
	uint64_t table = f->top_pgt_paddr, entry = 0;
	int shift = f->l5 ? 48 : 39, level;

	for (level = f->l5 ? 5 : 4; level >= 1; level--, shift -= 9) {
		table &= ~(uint64_t)(PF_PAGE_SIZE - 1);
		pf_extent_add(f, table, table + PF_PAGE_SIZE, what);
		if (level == 1 || pf_pread(f, table + ((vaddr >> shift) & 511) * 8, &entry, 8))
			return;
		entry &= ~f->sme_mask;
		if (!(entry & PF_PTE_PRESENT) || ((level == 2 || level == 3) && (entry & PF_PTE_LARGE)))
			return;
		table = entry & PF_PTE_ADDR_MASK;
	}
}

/* Add the physical pages behind virtual [v, v + len) and the page-table
 * pages that map them. */
static int pf_extent_add_virt(struct rd_pfilter *f, uint64_t v, uint64_t len, uint32_t what)
{
	uint64_t end = v + len;

	if (end < v)
		return -1;
	v &= ~(uint64_t)(PF_PAGE_SIZE - 1);
	while (v < end) {
		uint64_t p, span;

		if (pf_v2p(f, v, &p, &span))
			return -1;
		pf_extent_add_walk(f, v, what);
		if (span > end - v)
			span = (end - v + PF_PAGE_SIZE - 1) & ~(uint64_t)(PF_PAGE_SIZE - 1);
		pf_extent_add(f, p, p + span, what);
		v += span;
	}
	return 0;
}

static void pf_prio_log(struct rd_pfilter *f, const struct rd_pf_config *cfg)
{
	uint64_t prb, rb, off_desc, off_text, cb_off, descs_off, infos_off, sb_off, data_off;
	uint64_t sz_desc, sz_info, descs, infos, data;
	uint32_t count_bits, size_bits;

	if (!pf_need(f, cfg, "SYMBOL(prb)", 1, &prb, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(printk_ringbuffer.desc_ring)", 0, &off_desc, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(printk_ringbuffer.text_data_ring)", 0, &off_text, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(prb_desc_ring.count_bits)", 0, &cb_off, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(prb_desc_ring.descs)", 0, &descs_off, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(prb_desc_ring.infos)", 0, &infos_off, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(prb_data_ring.size_bits)", 0, &sb_off, "printk log not written first") ||
	    !pf_need(f, cfg, "OFFSET(prb_data_ring.data)", 0, &data_off, "printk log not written first") ||
	    !pf_need(f, cfg, "SIZE(prb_desc)", 0, &sz_desc, "printk log not written first") ||
	    !pf_need(f, cfg, "SIZE(printk_info)", 0, &sz_info, "printk log not written first"))
		return;
	/* prb is a pointer to the ring buffer (printk_rb_static or the
	 * boot-time one of log_buf_len=) */
	if (pf_vread(f, prb, &rb, 8) ||
	    pf_vread(f, rb + off_desc + cb_off, &count_bits, 4) ||
	    pf_vread(f, rb + off_desc + descs_off, &descs, 8) ||
	    pf_vread(f, rb + off_desc + infos_off, &infos, 8) ||
	    pf_vread(f, rb + off_text + sb_off, &size_bits, 4) ||
	    pf_vread(f, rb + off_text + data_off, &data, 8)) {
		pf_say(f, "printk ring buffer unreadable: ", "log not written first");
		return;
	}
	if (count_bits > 31 || size_bits > 31 || sz_desc > 4096 || sz_info > 4096 ||
	    ((uint64_t)sz_desc << count_bits) > PF_LOG_REGION_MAX ||
	    ((uint64_t)sz_info << count_bits) > PF_LOG_REGION_MAX) {
		pf_say(f, "printk ring buffer sizes make no sense: ", "log not written first");
		return;
	}
	if (pf_extent_add_virt(f, descs, (uint64_t)sz_desc << count_bits, RD_PF_PRI_LOG) ||
	    pf_extent_add_virt(f, infos, (uint64_t)sz_info << count_bits, RD_PF_PRI_LOG) ||
	    pf_extent_add_virt(f, data, 1ull << size_bits, RD_PF_PRI_LOG) ||
	    pf_extent_add_virt(f, prb, 8, RD_PF_PRI_LOG) ||
	    pf_extent_add_virt(f, rb, 88, RD_PF_PRI_LOG))
		pf_say(f, "printk ring buffer partly unmapped: ", "part of the log not written first");
}

static void pf_prio_kernel(struct rd_pfilter *f)
{
	uint32_t i, found = 0;

	for (i = 0; i < f->range_count; i++) {
		const struct rd_writer_range *r = &f->ranges[i];

		if (r->vaddr >= PF_START_KERNEL_MAP && r->size) {
			pf_extent_add(f, r->paddr, r->paddr + r->size, RD_PF_PRI_KERNEL);
			found++;
		}
	}
	if (!found)
		pf_say(f, "no kernel-text range: ", "kernel image not written first");
}

/* The kernel half of init_top_pgt: every table page down to the PTE
 * tables (whose entries are not read: they point at data). */
static void pf_prio_pgtables(struct rd_pfilter *f)
{
	uint64_t table[6], idx[6];
	uint32_t reads = 0;
	int top = f->l5 ? 5 : 4, lv;

	if (!f->have_pgt)
		return;
	pf_extent_add(f, f->top_pgt_paddr, f->top_pgt_paddr + PF_PAGE_SIZE, RD_PF_PRI_PGTABLE);
	lv = top;
	table[lv] = f->top_pgt_paddr;
	idx[lv] = 256;			/* kernel half of the top level */
	while (lv <= top) {
		uint64_t e, next;

		if (idx[lv] >= 512 || reads >= PF_PGT_READ_BUDGET) {
			lv++;
			continue;
		}
		reads++;
		if (pf_pread(f, table[lv] + idx[lv] * 8, &e, 8)) {
			idx[lv]++;
			continue;
		}
		idx[lv]++;
		e &= ~f->sme_mask;
		if (!(e & PF_PTE_PRESENT) || ((lv == 2 || lv == 3) && (e & PF_PTE_LARGE)))
			continue;
		next = e & PF_PTE_ADDR_MASK;
		if (!pf_dumped(f, next))
			continue;
		pf_extent_add(f, next, next + PF_PAGE_SIZE, RD_PF_PRI_PGTABLE);
		if (lv == 2)
			continue;	/* a PTE table: recorded, not read */
		lv--;
		table[lv] = next;
		idx[lv] = 0;
	}
	if (reads >= PF_PGT_READ_BUDGET)
		pf_say(f, "kernel page tables: read budget spent, ", "the rest not written first");
}

static void pf_prio_meta(struct rd_pfilter *f)
{
	uint64_t i, root;

	if (!f->have_memmap || !f->extreme)
		return;			/* a static mem_section is in the kernel image */
	pf_extent_add_virt(f, f->ms_addr, f->ms_length * 8, RD_PF_PRI_META);
	for (i = 0; i < f->ms_length && i < PF_SECTION_ROOTS_MAX; i++) {
		if (pf_vread(f, f->ms_addr + i * 8, &root, 8) || !root)
			continue;
		if (pf_is_kernel_addr(f, root))
			pf_extent_add_virt(f, root, f->per_root * f->ms_size, RD_PF_PRI_META);
	}
}

static void pf_prio_sort(struct rd_pfilter *f)
{
	uint32_t i, j;

	for (i = 0; i < f->nprio; i++)
		f->prio_sorted[i] = (uint16_t)i;
	/* insertion sort: 1024 entries at most, once */
	for (i = 1; i < f->nprio; i++) {
		uint16_t x = f->prio_sorted[i];

		for (j = i; j > 0 && f->prio[f->prio_sorted[j - 1]].paddr > f->prio[x].paddr; j--)
			f->prio_sorted[j] = f->prio_sorted[j - 1];
		f->prio_sorted[j] = x;
	}
}

/* RD_PF_PRI_* of the kernel-first extent holding paddr, 0 if none. Calls
 * ascend; a restart searches (pf_prio_seek). */
static uint32_t pf_in_prio(struct rd_pfilter *f, uint64_t paddr)
{
	uint32_t c = f->prio_cursor;

	while (c < f->nprio) {
		const struct rd_pf_extent *e = &f->prio[f->prio_sorted[c]];

		if (paddr < e->paddr + e->len) {
			f->prio_cursor = c;
			return paddr >= e->paddr ? e->what : 0;
		}
		c++;
	}
	f->prio_cursor = c;
	return 0;
}

static void pf_prio_seek(struct rd_pfilter *f, uint64_t paddr)
{
	uint32_t lo = 0, hi = f->nprio;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct rd_pf_extent *e = &f->prio[f->prio_sorted[mid]];

		if (e->paddr + e->len <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	f->prio_cursor = lo;
}

/* ---- kallsyms: symbols VMCOREINFO does not name ------------------------ */

/*
 * The crashed kernel's own symbol table, decoded from the format facts of
 * kernel/kallsyms.c and scripts/kallsyms.c (6.1): kallsyms_names is a
 * sequence of entries, each a length byte (when its top bit is set, a
 * second byte carries bits 7..13) and that many token numbers; token t
 * expands to the NUL-terminated string at kallsyms_token_table +
 * kallsyms_token_index[t]; the first expanded character is the symbol's
 * type. kallsyms_offsets[i] is an s32: on x86-64 SMP (absolute per-CPU)
 * a non-negative one is the absolute value (the zero-based per-CPU
 * symbols), a negative one means kallsyms_relative_base - 1 - offset.
 */

/* The names we look up, in this order, NUL-separated (a string, not an
 * array of pointers: no relocations in the freestanding build). */
#define PF_KS_WANTED	"prb\0__per_cpu_offset\0nr_cpu_ids\0__per_cpu_start\0" \
			"__per_cpu_end\0pcpu_unit_size\0current_task\0idle_threads\0" \
			"node_data\0"
enum {
	PF_KS_PRB, PF_KS_PER_CPU_OFFSET, PF_KS_NR_CPU_IDS, PF_KS_PCPU_START,
	PF_KS_PCPU_END, PF_KS_UNIT_SIZE, PF_KS_CURRENT_TASK, PF_KS_IDLE_THREADS,
	PF_KS_NODE_DATA, PF_KS_COUNT
};

/* One byte of kernel virtual memory, through a small read-ahead buffer. */
static int pf_ks_byte(struct rd_pfilter *f, uint64_t v, uint8_t *b)
{
	if (!f->ks_len || v < f->ks_at || v - f->ks_at >= f->ks_len) {
		uint32_t n = PF_PAGE_SIZE - (uint32_t)(v & (PF_PAGE_SIZE - 1));

		if (n > sizeof(f->ks_buf))
			n = sizeof(f->ks_buf);
		f->ks_len = 0;
		if (pf_vread(f, v, f->ks_buf, n))
			return -1;
		f->ks_at = v;
		f->ks_len = n;
	}
	*b = f->ks_buf[v - f->ks_at];
	return 0;
}

static int pf_streq(const char *a, uint32_t alen, const char *b)
{
	uint32_t i;

	for (i = 0; i < alen; i++)
		if (!b[i] || a[i] != b[i])
			return 0;
	return !b[alen];
}

/* Look up the PF_KS_WANTED names: addr[k] and bit k of the result for
 * each found. 0 when the table cannot be read. */
static uint32_t pf_kallsyms(struct rd_pfilter *f, const struct rd_pf_config *cfg,
			    uint64_t addr[PF_KS_COUNT])
{
	const char *wanted = PF_KS_WANTED;
	uint64_t names, num_a, tt, ti, offs, rb_a, rbase, pos;
	uint32_t num, i, found = 0, all = (1u << PF_KS_COUNT) - 1;
	char name[PF_KS_NAME_MAX];

	if (!pf_need(f, cfg, "SYMBOL(kallsyms_names)", 1, &names, "per-CPU data not written first") ||
	    !pf_need(f, cfg, "SYMBOL(kallsyms_num_syms)", 1, &num_a, "per-CPU data not written first") ||
	    !pf_need(f, cfg, "SYMBOL(kallsyms_token_table)", 1, &tt, "per-CPU data not written first") ||
	    !pf_need(f, cfg, "SYMBOL(kallsyms_token_index)", 1, &ti, "per-CPU data not written first") ||
	    !pf_need(f, cfg, "SYMBOL(kallsyms_offsets)", 1, &offs, "per-CPU data not written first") ||
	    !pf_need(f, cfg, "SYMBOL(kallsyms_relative_base)", 1, &rb_a, "per-CPU data not written first"))
		return 0;
	if (pf_vread(f, num_a, &num, 4) || pf_vread(f, rb_a, &rbase, 8) ||
	    pf_vread(f, ti, f->ks_tok_index, sizeof(f->ks_tok_index)) ||
	    pf_vread(f, tt, f->ks_tok, sizeof(f->ks_tok)) || num > PF_KS_SYMS_MAX) {
		pf_say(f, "kallsyms unreadable: ", "per-CPU data not written first");
		return 0;
	}
	pos = names;
	f->ks_len = 0;
	for (i = 0; i < num && found != all; i++) {
		uint8_t b, t;
		uint32_t len, j, n = 0, k;
		const char *w;

		if (pf_ks_byte(f, pos++, &b))
			break;
		len = b;
		if (len & 0x80) {
			if (pf_ks_byte(f, pos++, &b))
				break;
			len = (len & 0x7f) | ((uint32_t)b << 7);
		}
		for (j = 0; j < len; j++) {
			uint32_t at;

			if (pf_ks_byte(f, pos + j, &t))
				break;
			for (at = f->ks_tok_index[t]; at < PF_KS_TOKENS_LEN && f->ks_tok[at]; at++)
				if (n < PF_KS_NAME_MAX)
					name[n++] = (char)f->ks_tok[at];
		}
		if (j < len)
			break;
		pos += len;
		if (n < 2 || n >= PF_KS_NAME_MAX)
			continue;
		for (k = 0, w = wanted; k < PF_KS_COUNT; k++) {
			if (!(found & (1u << k)) && pf_streq(name + 1, n - 1, w)) {
				int32_t o;

				if (pf_vread(f, offs + (uint64_t)i * 4, &o, 4))
					break;
				addr[k] = o >= 0 ? (uint64_t)o : rbase - 1 - (uint64_t)(int64_t)o;
				found |= 1u << k;
				break;
			}
			while (*w)
				w++;
			w++;
		}
	}
	if (!(found & (1u << PF_KS_PRB)) || !pf_key(cfg, "SYMBOL(prb)", 1, &pos) ||
	    pos != addr[PF_KS_PRB]) {
		pf_say(f, "kallsyms decoding does not give SYMBOL(prb): ", "per-CPU data not written first");
		return 0;
	}
	return found;
}

/* ---- what crash needs to start: CPUs, their stacks and tasks ----------- */

static int pf_prio_note(void *ctx, const struct rd_note *n)
{
	struct rd_pfilter *f = ctx;
	uint64_t sp;

	if (n->type != PF_NT_PRSTATUS || n->descsz < PF_PRSTATUS_SP + 8 || n->namesz < 4 ||
	    n->name[0] != 'C' || n->name[1] != 'O' || n->name[2] != 'R' || n->name[3] != 'E')
		return 0;
	sp = pf_get64(n->desc + PF_PRSTATUS_SP);
	if (pf_is_kernel_addr(f, sp))
		pf_extent_add_virt(f, sp & ~(uint64_t)(PF_STACK_SIZE - 1), PF_STACK_SIZE, RD_PF_PRI_CPU);
	return 0;
}

/* Add the task_struct a per-CPU pointer at vaddr points at. */
static void pf_prio_task(struct rd_pfilter *f, uint64_t vaddr)
{
	uint64_t task;

	if (!pf_vread(f, vaddr, &task, 8) && pf_is_kernel_addr(f, task))
		pf_extent_add_virt(f, task, PF_TASK_SPAN, RD_PF_PRI_CPU);
}

/* NUMA: the pglist_data node_data[] points at (memblock memory; crash's
 * node and zone tables, "MEMORY:" of sys). */
static void pf_prio_nodes(struct rd_pfilter *f, const struct rd_pf_config *cfg, uint64_t node_data)
{
	uint64_t size, pgdat;
	uint32_t i;

	if (!pf_key(cfg, "SIZE(pglist_data)", 0, &size) || !size || size > PF_NODE_SIZE_MAX)
		return;
	for (i = 0; i < PF_NODES_MAX; i++) {
		if (pf_vread(f, node_data + (uint64_t)i * 8, &pgdat, 8))
			break;
		if (pgdat && pf_is_kernel_addr(f, pgdat))
			pf_extent_add_virt(f, pgdat, size, RD_PF_PRI_CPU);
	}
}

/*
 * crash's startup reads each CPU's per-CPU area (runqueues, current_task,
 * cpu_number, the IRQ and exception stacks), the idle and current tasks
 * and the stacks the NT_PRSTATUS notes point into: without them it stops
 * ("cannot determine idle task addresses") on a dump cut short.
 */
static void pf_prio_cpus(struct rd_pfilter *f, const uint64_t a[PF_KS_COUNT], uint32_t found)
{
	uint64_t len, off;
	uint32_t ncpu = 0, unit = 0, cpu, areas = 0;

	if (!(found & (1u << PF_KS_PER_CPU_OFFSET)) || !(found & (1u << PF_KS_NR_CPU_IDS)) ||
	    !(found & (1u << PF_KS_PCPU_START)) || !(found & (1u << PF_KS_PCPU_END)) ||
	    a[PF_KS_PCPU_END] <= a[PF_KS_PCPU_START] || pf_vread(f, a[PF_KS_NR_CPU_IDS], &ncpu, 4)) {
		if (found)
			pf_say(f, "kallsyms has no per-CPU layout: ", "per-CPU data not written first");
		return;
	}
	len = a[PF_KS_PCPU_END] - a[PF_KS_PCPU_START];
	if ((found & (1u << PF_KS_UNIT_SIZE)) && !pf_vread(f, a[PF_KS_UNIT_SIZE], &unit, 4) &&
	    unit >= len && unit <= PF_PERCPU_UNIT_MAX)
		len = unit;		/* the dynamic per-CPU data too */
	if (ncpu > PF_CPUS_MAX)
		ncpu = PF_CPUS_MAX;
	if (unit == len && (uint64_t)ncpu * len > PF_PERCPU_TOTAL_MAX)
		len = a[PF_KS_PCPU_END] - a[PF_KS_PCPU_START];	/* many CPUs: static part only */
	if (len > PF_PERCPU_UNIT_MAX)
		return;
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (pf_vread(f, a[PF_KS_PER_CPU_OFFSET] + (uint64_t)cpu * 8, &off, 8))
			break;
		if (!pf_is_kernel_addr(f, off + a[PF_KS_PCPU_START]))
			continue;
		pf_extent_add_virt(f, off + a[PF_KS_PCPU_START], len, RD_PF_PRI_CPU);
		areas++;
		if (found & (1u << PF_KS_CURRENT_TASK))
			pf_prio_task(f, off + a[PF_KS_CURRENT_TASK]);
		if (found & (1u << PF_KS_IDLE_THREADS))
			pf_prio_task(f, off + a[PF_KS_IDLE_THREADS]);
	}
	{
		struct pf_line l = { .n = 0 };

		pf_put(&l, "pfilter: per-CPU areas of ");
		pf_put_num(&l, areas, 10);
		pf_put(&l, " CPUs, ");
		pf_put_num(&l, len, 16);
		pf_put(&l, " bytes each, kallsyms names ");
		pf_put_num(&l, found, 16);
		pf_emit(f, &l);
	}
}

/* In this order: the CPUs' stacks, their per-CPU areas and tasks, the
 * NUMA nodes. */
static void pf_prio_crash(struct rd_pfilter *f, const struct rd_pf_config *cfg)
{
	uint64_t a[PF_KS_COUNT] = { 0 };
	uint32_t found;

	if (cfg->notes)
		rd_notes_walk(cfg->notes, cfg->notes_size, pf_prio_note, f);
	if (!f->have_pgt)
		return;
	found = pf_kallsyms(f, cfg, a);
	pf_prio_cpus(f, a, found);
	if (found & (1u << PF_KS_NODE_DATA))
		pf_prio_nodes(f, cfg, a[PF_KS_NODE_DATA]);
}

/* ---- setup --------------------------------------------------------------- */

static void pf_setup_pgt(struct rd_pfilter *f, const struct rd_pf_config *cfg)
{
	uint64_t top, pb, v;
	uint32_t i;

	/* the top page table's name before 4.13: init_level4_pgt */
	if (!pf_key(cfg, "SYMBOL(init_top_pgt)", 1, &top) &&
	    !pf_key(cfg, "SYMBOL(init_level4_pgt)", 1, &top)) {
		pf_say(f, "VMCOREINFO has no SYMBOL(init_top_pgt): ", "no virtual addresses, no filtering");
		return;
	}
	if (!pf_key(cfg, "NUMBER(phys_base)", 0, &pb)) {
		/* before 4.10: from the kernel-text PT_LOAD, as makedumpfile does */
		for (i = 0; i < f->range_count; i++)
			if (f->ranges[i].vaddr >= PF_START_KERNEL_MAP)
				break;
		if (i == f->range_count) {
			pf_say(f, "no NUMBER(phys_base) and no kernel-text range: ",
			       "no virtual addresses, no filtering");
			return;
		}
		pb = f->ranges[i].paddr - (f->ranges[i].vaddr - PF_START_KERNEL_MAP);
	}
	if (top < PF_START_KERNEL_MAP)
		return;
	f->l5 = pf_key(cfg, "NUMBER(pgtable_l5_enabled)", 0, &v) && v == 1;
	f->kernel_half = f->l5 ? 0xff00000000000000ull : 0xffff800000000000ull;
	if (pf_key(cfg, "NUMBER(sme_mask)", 0, &v))
		f->sme_mask = v;
	f->phys_base = pb;
	f->top_pgt_paddr = (top - PF_START_KERNEL_MAP + pb) & PF_PTE_ADDR_MASK;
	f->have_pgt = pf_dumped(f, f->top_pgt_paddr);
	if (!f->have_pgt)
		pf_say(f, "init_top_pgt is not in the dumped memory: ", "no virtual addresses, no filtering");
}

static void pf_setup_memmap(struct rd_pfilter *f, const struct rd_pf_config *cfg)
{
	uint64_t ssb, mpb, sp, v, ps;
	const char *why = "no struct pages, no filtering";

	if (!f->have_pgt)
		return;
	if (!pf_need(f, cfg, "PAGESIZE", 0, &ps, why) ||
	    !pf_need(f, cfg, "SYMBOL(mem_section)", 1, &f->ms_addr, why) ||
	    !pf_need(f, cfg, "LENGTH(mem_section)", 0, &f->ms_length, why) ||
	    !pf_need(f, cfg, "SIZE(mem_section)", 0, &f->ms_size, why) ||
	    !pf_need(f, cfg, "OFFSET(mem_section.section_mem_map)", 0, &f->ms_map_off, why) ||
	    !pf_need(f, cfg, "NUMBER(SECTION_SIZE_BITS)", 0, &ssb, why) ||
	    !pf_need(f, cfg, "NUMBER(MAX_PHYSMEM_BITS)", 0, &mpb, why) ||
	    !pf_need(f, cfg, "SIZE(page)", 0, &sp, why) ||
	    !pf_need(f, cfg, "OFFSET(page.flags)", 0, &v, why) ||
	    !pf_need(f, cfg, "OFFSET(page.compound_head)", 0, &v, why))
		return;
	if (sp < 32 || sp > PF_SPAGE_MAX ||
	    !pf_off(cfg, "OFFSET(page.flags)", &f->off_flags, (uint32_t)sp, 8) ||
	    !pf_off(cfg, "OFFSET(page.compound_head)", &f->off_chead, (uint32_t)sp, 8)) {
		pf_say(f, "SIZE(page) or OFFSET(page.flags/compound_head) out of range: ", why);
		return;
	}
	if (ps != PF_PAGE_SIZE || ssb <= PF_PAGE_SHIFT || ssb >= mpb || mpb > 52 ||
	    sp < 32 || sp > PF_SPAGE_MAX || (sp & 7) || f->ms_size < 8 || f->ms_size > PF_PAGE_SIZE ||
	    f->ms_map_off + 8 > f->ms_size || f->ms_length == 0) {
		pf_say(f, "struct page or mem_section geometry out of range: ", why);
		return;
	}
	f->spage = (uint32_t)sp;
	f->pfn_section_shift = (uint32_t)(ssb - PF_PAGE_SHIFT);
	f->nr_sections = 1ull << (mpb - ssb);
	f->per_root = PF_PAGE_SIZE / f->ms_size;
	/* SPARSEMEM_EXTREME has LENGTH = sections / (PAGE_SIZE / SIZE) roots
	 * (pointers); plain SPARSEMEM has one static entry per section
	 * (makedumpfile's is_sparsemem_extreme test). */
	if (f->ms_length == (f->nr_sections + f->per_root - 1) / f->per_root) {
		f->extreme = 1;
	} else if (f->ms_length == f->nr_sections) {
		f->extreme = 0;
	} else {
		pf_say(f, "LENGTH(mem_section) fits neither SPARSEMEM layout: ", why);
		return;
	}
	if (!pf_is_kernel_addr(f, f->ms_addr) || pf_vread(f, f->ms_addr, &v, 8)) {
		pf_say(f, "SYMBOL(mem_section) cannot be read through the page tables: ", why);
		return;
	}
	f->have_memmap = 1;
}

static void pf_setup_classes(struct rd_pfilter *f, const struct rd_pf_config *cfg)
{
	uint32_t want = cfg->level & (RD_CLASS_ALL & ~RD_CLASS_ZERO);
	uint32_t lim = f->spage;
	uint64_t v;
	int32_t o;

	if (!want)
		return;
	if (!f->have_memmap) {
		f->flags |= RD_FF_NO_MEMMAP;
		return;
	}
		f->off_mapcount = f->off_mapping = f->off_private = f->off_order = f->off_dtor = -1;
	pf_off(cfg, "OFFSET(page._mapcount)", &f->off_mapcount, lim, 4);
	pf_off(cfg, "OFFSET(page.mapping)", &f->off_mapping, lim, 8);
	pf_off(cfg, "OFFSET(page.private)", &f->off_private, lim, 8);
	f->pg_lru = f->pg_private = f->pg_swapcache = f->pg_swapbacked = f->pg_slab = f->pg_hugetlb = -1;
	pf_bit(cfg, "NUMBER(PG_lru)", &f->pg_lru);
	pf_bit(cfg, "NUMBER(PG_private)", &f->pg_private);
	pf_bit(cfg, "NUMBER(PG_swapcache)", &f->pg_swapcache);
	pf_bit(cfg, "NUMBER(PG_swapbacked)", &f->pg_swapbacked);
	pf_bit(cfg, "NUMBER(PG_slab)", &f->pg_slab);
	pf_bit(cfg, "NUMBER(PG_hugetlb)", &f->pg_hugetlb);
	f->have_buddy_mc = pf_mapcount_key(cfg, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", &f->buddy_mc);
	f->have_slab_mc = pf_mapcount_key(cfg, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", &f->slab_mc);
	f->have_hugetlb_mc = pf_mapcount_key(cfg, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", &f->hugetlb_mc);
	f->have_unaccepted_mc = pf_mapcount_key(cfg, "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)", &f->unaccepted_mc);
	f->have_hugetlb_dtor = pf_key(cfg, "NUMBER(HUGETLB_PAGE_DTOR)", 0, &f->hugetlb_dtor);
	if (pf_key(cfg, "NUMBER(PG_head_mask)", 0, &v))
		f->head_mask = v;

	/* compound order and destructor live in the first tail page */
	if (f->have_hugetlb_mc || f->pg_hugetlb >= 0) {
		f->order_in_flags1 = 1;			/* 6.6+: folio._flags_1 */
	} else {
		if (pf_key(cfg, "OFFSET(folio._folio_order)", 0, &v) && v >= f->spage &&
		    v < 2ull * f->spage)
			f->off_order = (int32_t)(v - f->spage);
		else if (pf_off(cfg, "OFFSET(page.compound_order)", &o, lim, 1))
			f->off_order = o;
		if (pf_key(cfg, "OFFSET(folio._folio_dtor)", 0, &v) && v >= f->spage &&
		    v < 2ull * f->spage)
			f->off_dtor = (int32_t)(v - f->spage);
		else if (pf_off(cfg, "OFFSET(page.compound_dtor)", &o, lim, 1))
			f->off_dtor = o;
	}

	/* flags a free page never has (PAGE_FLAGS_CHECK_AT_PREP) */
	f->check_mask = f->head_mask;
	if (f->pg_lru >= 0) f->check_mask |= 1ull << f->pg_lru;
	if (f->pg_private >= 0) f->check_mask |= 1ull << f->pg_private;
	if (f->pg_swapcache >= 0) f->check_mask |= 1ull << f->pg_swapcache;
	if (f->pg_swapbacked >= 0) f->check_mask |= 1ull << f->pg_swapbacked;
	if (f->pg_slab >= 0) f->check_mask |= 1ull << f->pg_slab;

	if (want & RD_CLASS_FREE) {
		if (!f->have_buddy_mc)
			pf_say(f, "VMCOREINFO has no NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE): ", "free pages kept");
		else if (f->off_mapcount < 0 || f->off_private < 0)
			pf_say(f, "VMCOREINFO has no OFFSET(page._mapcount/private): ", "free pages kept");
		else if (f->pg_slab < 0 || f->off_mapping < 0)
			pf_say(f, "VMCOREINFO has no NUMBER(PG_slab) or OFFSET(page.mapping): ", "free pages kept");
		else if (!pf_need(f, cfg, "LENGTH(zone.free_area)", 0, &f->free_area_len, "free pages kept"))
			;
		else if (f->free_area_len == 0 || f->free_area_len > 20)
			pf_say(f, "LENGTH(zone.free_area) out of range: ", "free pages kept");
		else
			f->active |= RD_CLASS_FREE;
	}
	if (want & (RD_CLASS_CACHE | RD_CLASS_CACHE_PRI)) {
		if (f->pg_lru < 0 || f->pg_private < 0 || f->pg_swapcache < 0 || f->pg_slab < 0 ||
		    f->off_mapping < 0)
			pf_say(f, "VMCOREINFO lacks NUMBER(PG_lru/PG_private/PG_swapcache/PG_slab) "
			       "or OFFSET(page.mapping): ", "page cache kept");
		else
			f->active |= want & (RD_CLASS_CACHE | RD_CLASS_CACHE_PRI);
	}
	if (want & RD_CLASS_USER) {
		if (f->pg_slab < 0 || f->off_mapping < 0)
			pf_say(f, "VMCOREINFO lacks NUMBER(PG_slab) or OFFSET(page.mapping): ",
			       "user pages kept");
		else
			f->active |= RD_CLASS_USER;
	}
	if (f->active && !f->head_mask)
		pf_say(f, "VMCOREINFO has no NUMBER(PG_head_mask): ",
		       "compound pages' tails kept");
	else if (f->active && f->off_order < 0 && !f->order_in_flags1)
		pf_say(f, "VMCOREINFO has no compound order offset: ", "compound pages' tails kept");
}

size_t rd_pf_size(void)
{
	return sizeof(struct rd_pfilter);
}

struct rd_pfilter *rd_pf_init(void *area, const struct rd_pf_config *cfg,
			      const struct rd_source *src)
{
	struct rd_pfilter *f = area;
	struct pf_line l = { .n = 0 };
	uint64_t *w = area;
	size_t i;

	for (i = 0; i < sizeof(*f) / 8; i++)
		w[i] = 0;
	f->ranges = cfg->ranges;
	f->range_count = cfg->ranges ? cfg->range_count : 0;
	f->src = *src;
	f->log = cfg->log;
	f->log_ctx = cfg->log_ctx;
	f->sec_state = PF_SEC_UNKNOWN;

	pf_setup_pgt(f, cfg);
	pf_setup_memmap(f, cfg);
	pf_setup_classes(f, cfg);

	pf_prio_log(f, cfg);
	pf_prio_kernel(f);
	pf_prio_pgtables(f);
	pf_prio_meta(f);
	pf_prio_crash(f, cfg);
	if (!f->nprio)
		f->flags |= RD_FF_NO_PRIORITY;
	pf_prio_sort(f);

	pf_put(&l, "pfilter: classes ");
	pf_put_num(&l, f->active, 10);
	pf_put(&l, " of ");
	pf_put_num(&l, cfg->level & ~RD_CLASS_ZERO, 10);
	pf_put(&l, ", kernel-first extents ");
	pf_put_num(&l, f->nprio, 10);
	if (f->prio_dropped) {
		pf_put(&l, " (");
		pf_put_num(&l, f->prio_dropped, 10);
		pf_put(&l, " pieces over the limit)");
	}
	pf_emit(f, &l);
	return f;
}

uint32_t rd_pf_active(const struct rd_pfilter *f)
{
	return f->active;
}

uint32_t rd_pf_flags(const struct rd_pfilter *f)
{
	return f->flags;
}

const struct rd_pf_extent *rd_pf_priority(const struct rd_pfilter *f, uint32_t *n)
{
	*n = f->nprio;
	return f->prio;
}

/* ---- classification ------------------------------------------------------ */

/* Look up the section of pfn: sets sec_state and sec_coded. */
static void pf_section(struct rd_pfilter *f, uint64_t pfn)
{
	uint64_t nr = pfn >> f->pfn_section_shift, entry, map;

	if (f->sec_state != PF_SEC_UNKNOWN && nr == f->sec_nr)
		return;
	f->sec_nr = nr;
	f->sec_state = PF_SEC_NONE;
	if (nr >= f->nr_sections)
		return;
	if (f->extreme) {
		uint64_t root;

		if (pf_vread(f, f->ms_addr + (nr / f->per_root) * 8, &root, 8)) {
			f->sec_state = PF_SEC_BAD;
			return;
		}
		if (!root)
			return;
		entry = root + (nr % f->per_root) * f->ms_size;
	} else {
		entry = f->ms_addr + nr * f->ms_size;
	}
	if (!pf_is_kernel_addr(f, entry) || pf_vread(f, entry + f->ms_map_off, &map, 8)) {
		f->sec_state = PF_SEC_BAD;
		return;
	}
	if (!(map & PF_SECTION_MARKED_PRESENT) || !(map & ~(uint64_t)(PF_PAGE_SIZE - 1)))
		return;
	/* the encoded value is mem_map - section_start_pfn (in struct pages),
	 * page aligned, with the SECTION_* flag bits below: the struct page of
	 * pfn is at coded + pfn * SIZE(page) */
	f->sec_coded = map & ~(uint64_t)(PF_PAGE_SIZE - 1);
	if (!pf_is_kernel_addr(f, f->sec_coded + (nr << f->pfn_section_shift) * f->spage)) {
		f->sec_state = PF_SEC_BAD;
		return;
	}
	f->sec_state = PF_SEC_MEMMAP;
}

int rd_pf_memmap_paddr(struct rd_pfilter *f, uint64_t pfn, uint64_t *paddr)
{
	uint64_t span;

	if (!f->have_memmap)
		return -1;
	pf_section(f, pfn);
	if (f->sec_state != PF_SEC_MEMMAP)
		return -1;
	return pf_v2p(f, f->sec_coded + pfn * f->spage, paddr, &span);
}

static void pf_bad(struct rd_pfilter *f, uint64_t pfn, const char *why)
{
	f->flags |= RD_FF_MEMMAP_BAD;
	f->bad_pages++;
	if (f->bad_logged < 4) {
		struct pf_line l = { .n = 0 };

		f->bad_logged++;
		pf_put(&l, "pfilter: struct page of pfn ");
		pf_put_num(&l, pfn, 16);
		pf_put(&l, " makes no sense (");
		pf_put(&l, why);
		pf_put(&l, "): page kept");
		pf_emit(f, &l);
	}
}

static int pf_test(uint64_t flags, int bit)
{
	return bit >= 0 && ((flags >> bit) & 1);
}

/* A mapping pointer a healthy kernel can have: NULL or (with the low
 * PAGE_MAPPING_* bits cleared) a kernel-half address. */
static int pf_mapping_ok(const struct rd_pfilter *f, uint64_t mapping, int allow_null)
{
	uint64_t p = mapping & ~3ull;

	if (!p)
		return allow_null && !mapping;
	return pf_is_kernel_addr(f, p);
}

/* A page inside a pending buddy or compound run. */
static uint8_t pf_run_page(struct rd_pfilter *f, uint64_t pfn, const uint8_t *sp)
{
	uint64_t chead = pf_get64(sp + f->off_chead);

	if (f->run_kind == PF_RUN_COMPOUND) {
		if (chead != (f->run_head_vaddr | 1)) {
			pf_bad(f, pfn, "compound tail does not point at its head");
			return 0;
		}
		return f->run_class;
	}
	/* a frame inside a free buddy block: a plain, unused struct page */
	if ((chead & 1) || (pf_get64(sp + f->off_flags) & f->check_mask) ||
	    pf_get64(sp + f->off_mapping)) {
		pf_bad(f, pfn, "in-use page inside a free block");
		return 0;
	}
	return f->run_class;
}

/* One frame that starts no run yet: makedumpfile's rule order. */
static uint8_t pf_page(struct rd_pfilter *f, uint64_t pfn, const uint8_t *sp, const uint8_t *next)
{
	uint64_t flags = pf_get64(sp + f->off_flags);
	uint64_t chead = pf_get64(sp + f->off_chead);
	uint64_t mapping = f->off_mapping >= 0 ? pf_get64(sp + f->off_mapping) : 0;
	uint64_t priv = f->off_private >= 0 ? pf_get64(sp + f->off_private) : 0;
	int32_t mapcount = f->off_mapcount >= 0 ? (int32_t)pf_get32(sp + f->off_mapcount) : -1;
	uint64_t order = 0, dtor = 0, nr;
	int slab, anon, cache, hugetlb = 0;
	uint8_t cls = 0;
	uint32_t kind = PF_RUN_COMPOUND;

	if (chead & 1)
		return 0;		/* a tail whose head is not being left out */
	if (f->head_mask && (flags & f->head_mask) && next) {
		if (f->order_in_flags1) {
			uint64_t flags1 = pf_get64(next + f->off_flags);

			order = flags1 & 0xff;
			if (f->have_hugetlb_mc)
				hugetlb = mapcount == f->hugetlb_mc;
			else
				hugetlb = pf_test(flags1, f->pg_hugetlb);
		} else {
			/* one byte: a u8 field, or the low byte of an older u16 */
			if (f->off_order >= 0)
				order = next[f->off_order];
			if (f->off_dtor >= 0)
				dtor = next[f->off_dtor];
			hugetlb = f->have_hugetlb_dtor && dtor == f->hugetlb_dtor;
		}
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;	/* makedumpfile: invalid order */
		if (order > PF_COMPOUND_ORDER_MAX) {
			pf_bad(f, pfn, "compound order");
			return 0;
		}
	}
	slab = pf_test(flags, f->pg_slab) || (f->have_slab_mc && mapcount == f->slab_mc);
	anon = (mapping & 1) && !slab;
	cache = pf_test(flags, f->pg_lru) ||
		((f->pg_swapbacked < 0 || pf_test(flags, f->pg_swapbacked)) &&
		 pf_test(flags, f->pg_swapcache));

	if ((f->active & RD_CLASS_FREE) && !slab && mapcount == f->buddy_mc) {
		if (priv >= f->free_area_len) {
			pf_bad(f, pfn, "buddy order");
			return 0;
		}
		if ((flags & f->check_mask) || mapping || (pfn & ((1ull << priv) - 1))) {
			pf_bad(f, pfn, "buddy page in use");
			return 0;
		}
		order = priv;
		cls = RD_CLASS_FREE;
		kind = PF_RUN_BUDDY;
	} else if ((f->active & RD_CLASS_FREE) && f->have_unaccepted_mc &&
		   mapcount == f->unaccepted_mc) {
		order = f->free_area_len - 1;
		if (pfn & ((1ull << order) - 1)) {
			pf_bad(f, pfn, "unaccepted block alignment");
			return 0;
		}
		cls = RD_CLASS_FREE;
		kind = PF_RUN_BUDDY;
	} else if ((f->active & RD_CLASS_CACHE) && cache && !pf_test(flags, f->pg_private) && !anon) {
		cls = RD_CLASS_CACHE;
	} else if ((f->active & RD_CLASS_CACHE_PRI) && cache && !anon) {
		cls = pf_test(flags, f->pg_private) ? RD_CLASS_CACHE_PRI : RD_CLASS_CACHE;
	} else if ((f->active & RD_CLASS_USER) && (anon || hugetlb)) {
		cls = RD_CLASS_USER;
	} else {
		return 0;
	}
	if (cls == RD_CLASS_CACHE || cls == RD_CLASS_CACHE_PRI) {
		if (slab || !pf_mapping_ok(f, mapping, 1)) {
			pf_bad(f, pfn, slab ? "slab page on the LRU" : "mapping pointer");
			return 0;
		}
	} else if (cls == RD_CLASS_USER && anon) {
		if (!pf_mapping_ok(f, mapping, 0)) {
			pf_bad(f, pfn, "anon_vma pointer");
			return 0;
		}
	}
	nr = 1ull << order;
	if (nr > 1) {
		f->run_end = pfn + nr;
		f->run_kind = kind;
		f->run_class = cls;
		f->run_head_vaddr = f->sec_coded + pfn * f->spage;
	}
	return cls;
}

/* Frames [pfn, pfn + n) of one section, n <= PF_WINDOW. */
static void pf_classify_chunk(struct rd_pfilter *f, uint64_t pfn, uint32_t n, uint8_t *out)
{
	uint64_t sec_end, vaddr;
	uint32_t i, kind, have_next = 0;

	pf_section(f, pfn);
	if (f->sec_state == PF_SEC_BAD) {
		for (i = 0; i < n; i++)
			pf_bad(f, pfn + i, "mem_section unreadable");
		return;
	}
	if (f->sec_state != PF_SEC_MEMMAP)
		return;			/* no struct pages: kept, like makedumpfile */
	/* the window's struct pages and, for a compound head at its end, the
	 * next frame's (its first tail) when it is in the same section */
	vaddr = f->sec_coded + pfn * f->spage;
	sec_end = ((pfn >> f->pfn_section_shift) + 1) << f->pfn_section_shift;
	have_next = pfn + n < sec_end;
	if (have_next && pf_vread(f, vaddr, f->buf, (n + 1) * f->spage))
		have_next = 0;
	if (!have_next && pf_vread(f, vaddr, f->buf, n * f->spage)) {
		for (i = 0; i < n; i++)
			pf_bad(f, pfn + i, "struct pages unreadable");
		return;
	}

	for (i = 0; i < n; i++) {
		const uint8_t *sp = f->buf + i * f->spage;
		const uint8_t *next = (i + 1 < n || have_next) ? sp + f->spage : 0;
		uint64_t p = pfn + i;

		/* log, page tables and mem_section are never left out; the
		 * kernel image's frames are classified like any others: the
		 * kernel freed its __init sections and reused those frames */
		kind = pf_in_prio(f, p << PF_PAGE_SHIFT);
		if (kind && kind != RD_PF_PRI_KERNEL) {
			out[i] = 0;
			continue;
		}
		if (p < f->run_end) {
			out[i] = pf_run_page(f, p, sp);
			continue;
		}
		out[i] = pf_page(f, p, sp, next);
	}
}

void rd_pf_classify(struct rd_pfilter *f, uint64_t paddr, uint32_t npages, uint8_t *out)
{
	uint64_t pfn = paddr >> PF_PAGE_SHIFT;
	uint32_t i;

	for (i = 0; i < npages; i++)
		out[i] = 0;
	if (!f->active || !npages)
		return;
	if (pfn < f->next_pfn) {
		/* a new pass: forget the pending run, find the extent cursor */
		f->run_end = 0;
		f->run_kind = PF_RUN_NONE;
		pf_prio_seek(f, paddr);
	}
	f->next_pfn = pfn + npages;
	while (npages) {
		uint64_t sec_end = ((pfn >> f->pfn_section_shift) + 1) << f->pfn_section_shift;
		uint32_t n = npages < PF_WINDOW ? npages : PF_WINDOW;

		if (pfn + n > sec_end)
			n = (uint32_t)(sec_end - pfn);
		pf_classify_chunk(f, pfn, n, out);
		pfn += n;
		out += n;
		npages -= n;
	}
}
