/*
 * writer/sim/classify.c - `rawdump-sim classify`: run the page filter
 * (writer/pfilter.c) over a crashed kernel's memory on the host, the way
 * the capture does, and check it against makedumpfile.
 *
 *   rawdump-sim classify RAM.ELF [--elfcorehdr PADDR] [--vmcoreinfo FILE]
 *        [--level N] [--oracle KDUMP] [--kept FILE] [--scribble N --seed S]
 *        [--print-vmcoreinfo] [--window N] [--two-pass]
 *        [--scribble-tables pgtable|meta --seed S]
 *
 * RAM.ELF is an ELF memory image: QEMU's dump-guest-memory output or a
 * vmcore. With --elfcorehdr the ranges and VMCOREINFO are taken from the
 * crashed kernel's elfcorehdr inside that image (as the minikernel takes
 * them); otherwise from the ELF's own PT_LOADs and notes. Source addresses
 * are file offsets, so every range has src != paddr.
 *
 * Prints per-class page counts, the kernel-first extents and the time per
 * GiB. --oracle reads bitmap 2 of a kdump-compressed file made by
 * makedumpfile from the same image (at the same level, without -d 1) and
 * compares: a page makedumpfile keeps that we leave out is an error.
 * --scribble overwrites N random struct pages plus one page of struct
 * pages with random bytes (in a private copy-on-write mapping of the
 * image), classifies again and checks that those pages are kept, that
 * RD_FF_MEMMAP_BAD is set and that nothing kept before is left out now.
 * --scribble-tables overwrites the kernel page tables below init_top_pgt
 * (pgtable) or mem_section's roots and their pages (meta) with random
 * bytes, then checks that classification completes, that nothing kept
 * before is left out and that the flags say the struct pages were not
 * usable.
 * --kept writes the kept frames as "first-last" pfn runs (hex).
 * --print-vmcoreinfo prints the VMCOREINFO text found and exits.
 * --window N calls the filter with N frames at a time (1..64, default 64);
 * --two-pass keeps the kernel-first extents whole (the writer's pass 1
 * writes them unclassified), then classifies every range skipping them
 * (pass 2).
 *
 * Exit: 0 fine, 1 bad input, 2 the oracle comparison failed, 3 the
 * scribble check failed.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "writer.h"
#include "pfilter.h"
#include "classify.h"

#define CL_MAX_RANGES	64
#define CL_WINDOW	64u
#define CL_PAGE		4096ull

struct cl_image {
	uint8_t *map;
	uint64_t size;
	const Elf64_Phdr *loads[CL_MAX_RANGES];
	int nloads;
};

static void cl_die(const char *fmt, const char *a)
{
	fprintf(stderr, "rawdump-sim classify: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(1);
}

static const void *cl_map(void *ctx, uint64_t addr, size_t len)
{
	struct cl_image *im = ctx;

	if (addr > im->size || len > im->size - addr)
		return NULL;
	return im->map + addr;
}

/* file offset of physical [paddr, paddr + len) in one PT_LOAD, or -1 */
static int64_t cl_phys_off(const struct cl_image *im, uint64_t paddr, uint64_t len)
{
	int i;

	for (i = 0; i < im->nloads; i++) {
		const Elf64_Phdr *p = im->loads[i];

		if (paddr >= p->p_paddr && paddr - p->p_paddr < p->p_filesz &&
		    len <= p->p_filesz - (paddr - p->p_paddr))
			return (int64_t)(p->p_offset + (paddr - p->p_paddr));
	}
	return -1;
}

static void cl_open(struct cl_image *im, const char *path)
{
	struct stat st;
	const Elf64_Ehdr *eh;
	int fd = open(path, O_RDONLY), i;

	if (fd < 0 || fstat(fd, &st))
		cl_die("cannot open %s", path);
	im->size = (uint64_t)st.st_size;
	/* private: --scribble writes into a copy-on-write copy, never the file */
	im->map = mmap(NULL, im->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (im->map == MAP_FAILED)
		cl_die("cannot map %s", path);
	eh = (const Elf64_Ehdr *)im->map;
	if (im->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > im->size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > im->size - eh->e_phoff)
		cl_die("%s: not an ELF64 memory image", path);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)(im->map + eh->e_phoff) + i;

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset > im->size || p->p_filesz > im->size - p->p_offset)
			cl_die("%s: a PT_LOAD lies past the end of the file", path);
		if (im->nloads == CL_MAX_RANGES)
			cl_die("%s: too many PT_LOADs", path);
		im->loads[im->nloads++] = p;
	}
}

struct cl_notes {
	const char *vmcoreinfo;
	size_t len;
	uint8_t *all;		/* every PT_NOTE segment, one after another */
	size_t all_len;
};

static int cl_note(void *ctx, const struct rd_note *n)
{
	struct cl_notes *c = ctx;

	if (n->namesz >= 10 && !memcmp(n->name, "VMCOREINFO", 10)) {
		c->vmcoreinfo = (const char *)n->desc;
		c->len = n->descsz;
	}
	return 0;
}

/* Ranges and notes from an ELF header: the image's own (hdr == map) or an
 * elfcorehdr inside it, whose offsets are physical addresses. */
static uint32_t cl_ranges(struct cl_image *im, const uint8_t *hdr, int physical,
			  struct rd_writer_range *r, struct cl_notes *notes)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)hdr;
	uint32_t n = 0;
	int i;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phnum > 256 || eh->e_phoff > 65536)
		cl_die("%s: no ELF header there", "elfcorehdr");
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)(hdr + eh->e_phoff) + i;
		int64_t off = physical ? cl_phys_off(im, p->p_offset, p->p_filesz) :
			      (int64_t)p->p_offset;

		if (off < 0 || (uint64_t)off + p->p_filesz > im->size)
			cl_die("%s: a segment is not in the image", "elfcorehdr");
		if (p->p_type == PT_NOTE) {
			rd_notes_walk(im->map + off, p->p_filesz, cl_note, notes);
			notes->all = realloc(notes->all, notes->all_len + p->p_filesz);
			if (!notes->all)
				cl_die("%s", "out of memory");
			memcpy(notes->all + notes->all_len, im->map + off, p->p_filesz);
			notes->all_len += p->p_filesz;
		}
		if (p->p_type != PT_LOAD || !p->p_filesz)
			continue;
		if (n == CL_MAX_RANGES)
			cl_die("%s: too many ranges", "elfcorehdr");
		r[n].paddr = p->p_paddr;
		r[n].vaddr = p->p_vaddr;
		r[n].size = p->p_filesz;
		r[n].src = (uint64_t)off;
		r[n].flags = 0;
		n++;
	}
	rd_ranges_mark_aliases(r, n);
	return n;
}

static uint64_t cl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void cl_log(void *ctx, const char *line)
{
	if (ctx)
		printf("# %s\n", line);
}

/* Classify every page of every non-alias range: one bit per pfn in kept
 * (set = kept), counts per class. */
struct cl_result {
	uint64_t pages, kept, cls[RD_CLASS_COUNT];
	uint64_t ns;
	uint32_t flags, active;
};

struct cl_pass {
	uint32_t window;		/* frames per call */
	const struct rd_pf_extent *skip;	/* pass 2 skips these frames */
	uint32_t nskip;
};

static int cl_in_extents(const struct rd_pf_extent *e, uint32_t n, uint64_t paddr)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (paddr >= e[i].paddr && paddr - e[i].paddr < e[i].len)
			return 1;
	return 0;
}

/* Frames [a, b) in calls of at most ps->window frames, leaving out the
 * frames of ps->skip (a call never spans a skipped frame). */
static void cl_span(struct rd_pfilter *f, uint64_t a, uint64_t b, const struct cl_pass *ps,
		    uint8_t *kept, struct cl_result *res)
{
	uint8_t out[CL_WINDOW];
	uint32_t j;

	while (a < b) {
		uint32_t n = 0;

		if (ps->skip && cl_in_extents(ps->skip, ps->nskip, a)) {
			a += CL_PAGE;
			continue;
		}
		while (n < ps->window && a + (uint64_t)n * CL_PAGE < b &&
		       !(ps->skip && cl_in_extents(ps->skip, ps->nskip, a + (uint64_t)n * CL_PAGE)))
			n++;
		rd_pf_classify(f, a, n, out);
		for (j = 0; j < n; j++) {
			uint64_t pfn = a / CL_PAGE + j;

			res->pages++;
			if (!out[j]) {
				res->kept++;
				kept[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
			} else {
				res->cls[__builtin_ctz(out[j])]++;
			}
		}
		a += (uint64_t)n * CL_PAGE;
	}
}

static void cl_run(struct rd_pfilter *f, const struct rd_writer_range *r, uint32_t nr,
		   uint32_t window, int two_pass, uint8_t *kept, struct cl_result *res)
{
	struct cl_pass ps = { window, NULL, 0 };
	uint64_t t0 = cl_now_ns();
	uint32_t i;

	memset(res, 0, sizeof(*res));
	if (two_pass) {
		/* pass 1 writes the kernel-first extents whole, unclassified */
		const struct rd_pf_extent *e = rd_pf_priority(f, &ps.nskip);
		uint64_t p;

		for (i = 0; i < ps.nskip; i++) {
			for (p = e[i].paddr / CL_PAGE; p < (e[i].paddr + e[i].len) / CL_PAGE; p++)
				kept[p >> 3] |= (uint8_t)(1u << (p & 7));
			res->pages += e[i].len / CL_PAGE;
			res->kept += e[i].len / CL_PAGE;
		}
		ps.skip = e;
	}
	for (i = 0; i < nr; i++) {
		uint64_t a = (r[i].paddr + CL_PAGE - 1) & ~(CL_PAGE - 1);
		uint64_t b = (r[i].paddr + r[i].size) & ~(CL_PAGE - 1);

		if (!(r[i].flags & RD_RANGE_ALIAS))
			cl_span(f, a, b, &ps, kept, res);
	}
	res->ns = cl_now_ns() - t0;
	res->flags = rd_pf_flags(f);
	res->active = rd_pf_active(f);
}

static void cl_print(const char *tag, const struct cl_result *res)
{
	double gib = (double)res->pages * CL_PAGE / (1024.0 * 1024 * 1024);

	printf("%s: pages %llu kept %llu cache %llu cache_private %llu user %llu free %llu\n", tag,
	       (unsigned long long)res->pages, (unsigned long long)res->kept,
	       (unsigned long long)res->cls[1], (unsigned long long)res->cls[2],
	       (unsigned long long)res->cls[3], (unsigned long long)res->cls[4]);
	printf("%s: active 0x%x flags 0x%x\n", tag, res->active, res->flags);
	printf("%s: time %.1f ms for %.2f GiB = %.1f ms/GiB\n", tag, res->ns / 1e6, gib,
	       gib > 0 ? res->ns / 1e6 / gib : 0.0);
}

/* bitmap 2 of a kdump-compressed file (makedumpfile's diskdump_mod.h) */
static uint8_t *cl_kdump_bitmap2(const char *path, uint64_t *bits)
{
	uint8_t h[464], *bm;
	int32_t block_size, sub_hdr_size;
	uint32_t bitmap_blocks;
	uint64_t off, len;
	FILE *fp = fopen(path, "rb");

	if (!fp || fread(h, 1, sizeof(h), fp) != sizeof(h) || memcmp(h, "KDUMP   ", 8))
		cl_die("%s: not a kdump-compressed file", path);
	memcpy(&block_size, h + 428, 4);
	memcpy(&sub_hdr_size, h + 432, 4);
	memcpy(&bitmap_blocks, h + 436, 4);
	if (block_size <= 0 || sub_hdr_size < 0 || !bitmap_blocks || bitmap_blocks > (1u << 20))
		cl_die("%s: bad kdump header", path);
	off = (uint64_t)block_size * (1 + (uint64_t)sub_hdr_size);
	len = (uint64_t)bitmap_blocks * (uint64_t)block_size / 2;
	bm = malloc(len);
	if (!bm || fseeko(fp, (off_t)(off + len), SEEK_SET) || fread(bm, 1, len, fp) != len)
		cl_die("%s: cannot read bitmap 2", path);
	fclose(fp);
	*bits = len * 8;
	return bm;
}

static int cl_bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

/* RD_PF_PRI_* of the kernel-first extent holding paddr, 0 if none */
static uint32_t cl_in_prio(const struct rd_pf_extent *e, uint32_t n, uint64_t paddr)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (paddr >= e[i].paddr && paddr - e[i].paddr < e[i].len)
			return e[i].what < 6 ? e[i].what : 0;
	return 0;
}

static uint64_t cl_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int cmd_classify(int argc, char **argv)
{
	static struct cl_image im;
	struct rd_writer_range r[CL_MAX_RANGES];
	struct cl_notes notes = { 0 };
	struct rd_pf_config cfg;
	struct rd_source src = { cl_map, &im, 0 };
	struct cl_result res;
	const struct rd_pf_extent *pe;
	const char *path = NULL, *vmci_path = NULL, *oracle = NULL, *kept_path = NULL;
	uint64_t ech = 0, seed = 1, maxpfn = 0, pages_by_kind[6] = { 0 };
	uint32_t level = RD_CLASS_ALL & ~RD_CLASS_ZERO, nr, npe, i, scribble = 0;
	uint8_t *kept;
	void *area;
	char *vmci_buf = NULL;
	struct rd_pfilter *f;
	int have_ech = 0, rc = 0, print_vmci = 0, two_pass = 0;
	uint32_t scribble_kind = 0;
	uint32_t window = CL_WINDOW;

	for (i = 2; i < (uint32_t)argc; i++) {
		if (!strcmp(argv[i], "--elfcorehdr") && i + 1 < (uint32_t)argc) {
			ech = strtoull(argv[++i], NULL, 0);
			have_ech = 1;
		} else if (!strcmp(argv[i], "--vmcoreinfo") && i + 1 < (uint32_t)argc) {
			vmci_path = argv[++i];
		} else if (!strcmp(argv[i], "--level") && i + 1 < (uint32_t)argc) {
			level = (uint32_t)strtoul(argv[++i], NULL, 0) & RD_CLASS_ALL & ~RD_CLASS_ZERO;
		} else if (!strcmp(argv[i], "--oracle") && i + 1 < (uint32_t)argc) {
			oracle = argv[++i];
		} else if (!strcmp(argv[i], "--kept") && i + 1 < (uint32_t)argc) {
			kept_path = argv[++i];
		} else if (!strcmp(argv[i], "--scribble") && i + 1 < (uint32_t)argc) {
			scribble = (uint32_t)strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < (uint32_t)argc) {
			seed = strtoull(argv[++i], NULL, 0) | 1;
		} else if (!strcmp(argv[i], "--window") && i + 1 < (uint32_t)argc) {
			window = (uint32_t)strtoul(argv[++i], NULL, 0);
			if (window < 1 || window > CL_WINDOW)
				cl_die("--window %s: 1..64", argv[i]);
		} else if (!strcmp(argv[i], "--scribble-tables") && i + 1 < (uint32_t)argc) {
			i++;
			if (!strcmp(argv[i], "pgtable"))
				scribble_kind = RD_PF_PRI_PGTABLE;
			else if (!strcmp(argv[i], "meta"))
				scribble_kind = RD_PF_PRI_META;
			else
				cl_die("--scribble-tables %s: pgtable or meta", argv[i]);
		} else if (!strcmp(argv[i], "--two-pass")) {
			two_pass = 1;
		} else if (!strcmp(argv[i], "--print-vmcoreinfo")) {
			print_vmci = 1;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			cl_die("bad argument '%s'", argv[i]);
		}
	}
	if (!path)
		cl_die("%s", "usage: rawdump-sim classify RAM.ELF [--elfcorehdr PADDR] "
		       "[--vmcoreinfo FILE] [--level N] [--oracle KDUMP] [--kept FILE] "
		       "[--scribble N --seed S]");
	cl_open(&im, path);
	if (have_ech) {
		int64_t off = cl_phys_off(&im, ech, 4096);

		if (off < 0)
			cl_die("elfcorehdr %s is not in the image", argv[1]);
		nr = cl_ranges(&im, im.map + off, 1, r, &notes);
	} else {
		nr = cl_ranges(&im, im.map, 0, r, &notes);
	}
	if (vmci_path) {
		FILE *fp = fopen(vmci_path, "rb");

		vmci_buf = calloc(1, 1 << 20);
		if (!fp || !vmci_buf)
			cl_die("cannot read %s", vmci_path);
		notes.len = fread(vmci_buf, 1, (1 << 20) - 1, fp);
		notes.vmcoreinfo = vmci_buf;
		fclose(fp);
	}
	if (!notes.vmcoreinfo)
		cl_die("%s: no VMCOREINFO (use --elfcorehdr or --vmcoreinfo)", path);
	if (print_vmci) {
		fwrite(notes.vmcoreinfo, 1, strnlen(notes.vmcoreinfo, notes.len), stdout);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		printf("range: paddr 0x%llx size 0x%llx vaddr 0x%llx%s\n",
		       (unsigned long long)r[i].paddr, (unsigned long long)r[i].size,
		       (unsigned long long)r[i].vaddr, r[i].flags & RD_RANGE_ALIAS ? " alias" : "");
		if (r[i].paddr + r[i].size > maxpfn * CL_PAGE)
			maxpfn = (r[i].paddr + r[i].size + CL_PAGE - 1) / CL_PAGE;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.vmcoreinfo = notes.vmcoreinfo;
	cfg.vmcoreinfo_len = notes.len;
	cfg.level = level;
	cfg.ranges = r;
	cfg.range_count = nr;
	cfg.notes = notes.all;
	cfg.notes_size = notes.all_len;
	cfg.log = cl_log;
	cfg.log_ctx = &cfg;
	printf("classify: filter area %zu bytes\n", rd_pf_size());
	area = aligned_alloc(8, (rd_pf_size() + 7) & ~(size_t)7);
	kept = calloc(1, maxpfn / 8 + 1);
	if (!area || !kept)
		cl_die("%s", "out of memory");
	f = rd_pf_init(area, &cfg, &src);
	pe = rd_pf_priority(f, &npe);
	for (i = 0; i < npe; i++)
		if (pe[i].what < 6)
			pages_by_kind[pe[i].what] += pe[i].len / CL_PAGE;
	printf("priority: %u extents: log %llu pages, kernel %llu, page tables %llu, meta %llu, cpu %llu\n", npe,
	       (unsigned long long)pages_by_kind[RD_PF_PRI_LOG], (unsigned long long)pages_by_kind[RD_PF_PRI_KERNEL],
	       (unsigned long long)pages_by_kind[RD_PF_PRI_PGTABLE], (unsigned long long)pages_by_kind[RD_PF_PRI_META],
	       (unsigned long long)pages_by_kind[RD_PF_PRI_CPU]);
	cl_run(f, r, nr, window, two_pass, kept, &res);
	cl_print("classify", &res);

	if (kept_path) {
		FILE *fp = fopen(kept_path, "w");
		uint64_t p, start = 0;
		int in = 0;

		if (!fp)
			cl_die("cannot write %s", kept_path);
		for (p = 0; p <= maxpfn; p++) {
			int k = p < maxpfn && cl_bit(kept, p);

			if (k && !in)
				start = p;
			if (!k && in)
				fprintf(fp, "%llx-%llx\n", (unsigned long long)start, (unsigned long long)p - 1);
			in = k;
		}
		fclose(fp);
	}

	if (oracle) {
		uint64_t bits, p, both = 0, mdf_only = 0, ours_only = 0, shown = 0, shown_ours = 0;
		uint64_t why[6] = { 0 };
		uint8_t *bm = cl_kdump_bitmap2(oracle, &bits);

		for (i = 0; i < nr; i++) {
			uint64_t a = (r[i].paddr + CL_PAGE - 1) / CL_PAGE;
			uint64_t b = (r[i].paddr + r[i].size) / CL_PAGE;

			if (r[i].flags & RD_RANGE_ALIAS)
				continue;
			for (p = a; p < b; p++) {
				int m = p < bits && cl_bit(bm, p), o = cl_bit(kept, p);

				if (m && o) {
					both++;
				} else if (m) {
					mdf_only++;
					if (shown++ < 10)
						printf("oracle: pfn 0x%llx kept by makedumpfile, left out by us\n",
						       (unsigned long long)p);
				} else if (o) {
					uint32_t kind = cl_in_prio(pe, npe, p * CL_PAGE);

					/* the filter classifies the kernel-image
					 * extent like any memory: only the writer's
					 * pass 1 (--two-pass) keeps it whole */
					if (kind == RD_PF_PRI_KERNEL && !two_pass)
						kind = 0;
					ours_only++;
					why[kind]++;
					if (!kind && shown_ours++ < 10)
						printf("oracle: pfn 0x%llx kept by us only\n",
						       (unsigned long long)p);
				}
			}
		}
		printf("oracle: both keep %llu, makedumpfile only %llu, we only %llu\n",
		       (unsigned long long)both, (unsigned long long)mdf_only,
		       (unsigned long long)ours_only);
		printf("oracle: we only, kernel-first: log %llu kernel %llu page tables %llu "
		       "meta %llu cpu %llu; other %llu\n", (unsigned long long)why[RD_PF_PRI_LOG],
		       (unsigned long long)why[RD_PF_PRI_KERNEL], (unsigned long long)why[RD_PF_PRI_PGTABLE],
		       (unsigned long long)why[RD_PF_PRI_META], (unsigned long long)why[RD_PF_PRI_CPU],
		       (unsigned long long)why[0]);
		free(bm);
		if (mdf_only)
			rc = 2;
	}

	if (scribble) {
		struct cl_result res2;
		uint8_t *kept2 = calloc(1, maxpfn / 8 + 1);
		uint64_t *victims = calloc(scribble + 64, sizeof(uint64_t));
		uint64_t sp_size = 64, p, lost = 0, nv = 0, tries = 0;
		char val[16];
		uint32_t k;

		if (!kept2 || !victims)
			cl_die("%s", "out of memory");
		if (rd_vmcoreinfo_get(notes.vmcoreinfo, notes.len, "SIZE(page)", val, sizeof(val)) > 0)
			sp_size = strtoull(val, NULL, 10);
		/* N single struct pages, then 64 neighbours (one page of them) */
		while (nv < scribble + 64 && tries++ < 1000000) {
			uint64_t pfn, pa;
			int64_t off;

			if (nv < scribble)
				pfn = cl_rand(&seed) % maxpfn;
			else if (nv == scribble)
				pfn = (cl_rand(&seed) % maxpfn) & ~63ull;
			else
				pfn = victims[nv - 1] + 1;
			if (rd_pf_memmap_paddr(f, pfn, &pa) || (off = cl_phys_off(&im, pa, sp_size)) < 0) {
				if (nv > scribble)
					nv = scribble;	/* start the run again elsewhere */
				continue;
			}
			for (k = 0; k < sp_size; k++)
				im.map[off + k] = (uint8_t)cl_rand(&seed);
			victims[nv++] = pfn;
		}
		f = rd_pf_init(area, &cfg, &src);
		cl_run(f, r, nr, window, two_pass, kept2, &res2);
		cl_print("scribble", &res2);
		for (k = 0; k < nv; k++) {
			int dumped = 0;

			for (i = 0; i < nr; i++)
				if (!(r[i].flags & RD_RANGE_ALIAS) && victims[k] * CL_PAGE >= r[i].paddr &&
				    victims[k] * CL_PAGE - r[i].paddr < r[i].size)
					dumped = 1;
			if (dumped && !cl_bit(kept2, victims[k])) {
				printf("scribble: pfn 0x%llx (struct page overwritten) was left out\n",
				       (unsigned long long)victims[k]);
				rc = 3;
			}
		}
		for (p = 0; p < maxpfn; p++)
			if (cl_bit(kept, p) && !cl_bit(kept2, p))
				lost++;
		printf("scribble: %llu struct pages overwritten; kept before, left out now: %llu; "
		       "MEMMAP_BAD %s\n", (unsigned long long)nv, (unsigned long long)lost,
		       (res2.flags & RD_FF_MEMMAP_BAD) ? "set" : "not set");
		if (lost || !(res2.flags & RD_FF_MEMMAP_BAD) || nv != scribble + 64)
			rc = 3;
		free(kept2);
		free(victims);
	}
	if (scribble_kind) {
		struct cl_result res2;
		uint8_t *kept2 = calloc(1, maxpfn / 8 + 1);
		uint64_t p, lost = 0, pages = 0, first_pgt = 1;
		/* the extents are overwritten below: copy what we need first */
		struct rd_pf_extent *ext = malloc(sizeof(*ext) * (npe + 1));

		if (!kept2 || !ext)
			cl_die("%s", "out of memory");
		memcpy(ext, pe, sizeof(*ext) * npe);
		for (i = 0; i < npe; i++) {
			if (ext[i].what != scribble_kind)
				continue;
			for (p = ext[i].paddr; p < ext[i].paddr + ext[i].len; p += CL_PAGE) {
				int64_t off;
				uint32_t k;

				if (scribble_kind == RD_PF_PRI_PGTABLE && first_pgt) {
					first_pgt = 0;	/* init_top_pgt itself stays */
					continue;
				}
				off = cl_phys_off(&im, p, CL_PAGE);
				if (off < 0)
					continue;
				for (k = 0; k < CL_PAGE; k++)
					im.map[off + k] = (uint8_t)cl_rand(&seed);
				pages++;
			}
		}
		f = rd_pf_init(area, &cfg, &src);
		cl_run(f, r, nr, window, two_pass, kept2, &res2);
		cl_print("tables", &res2);
		for (p = 0; p < maxpfn; p++)
			if (cl_bit(kept, p) && !cl_bit(kept2, p))
				lost++;
		printf("tables: %llu %s pages overwritten; kept before, left out now: %llu; "
		       "struct pages flagged %s\n", (unsigned long long)pages,
		       scribble_kind == RD_PF_PRI_PGTABLE ? "page-table" : "mem_section",
		       (unsigned long long)lost,
		       (res2.flags & (RD_FF_MEMMAP_BAD | RD_FF_NO_MEMMAP)) ? "yes" : "no");
		if (lost || !pages || !(res2.flags & (RD_FF_MEMMAP_BAD | RD_FF_NO_MEMMAP)))
			rc = 3;
		free(kept2);
		free(ext);
	}
	free(kept);
	free(area);
	free(vmci_buf);
	return rc;
}
