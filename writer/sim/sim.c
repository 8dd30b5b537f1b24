/*
 * writer/sim/sim.c - rawdump-sim: runs the real dump engine (writer/) on the
 * host, with "memory" from a deterministic pattern or a QEMU ELF memory
 * dump, into a rawdump partition in a file or disk image. It drives the
 * fast tests, seeds fuzzing and is the baseline of the benchmarks.
 *
 *   rawdump-sim write TARGET [--pattern SEED] [--range PADDR:SIZE]...
 *        [--kernel-text PADDR:SIZE] [--mem-elf FILE] [--cpus N]
 *        [--release STR] [--comp none|zlib|lz4|zstd] [--level N]
 *        [--csum crc32|crc32c|xxh64] [--cut-after N]
 *        [--inflight N] [--io-size BYTES] [--fail-write OFF:LEN]
 *        [--fake-filter FSEED:LEVEL | --dump-level N] [--quiet]
 *        [--vectored [--stable]] [--sector 512|4096]
 *   rawdump-sim pattern --pattern SEED --range PADDR:SIZE OUT
 *   rawdump-sim verify VMCORE --pattern SEED [--range PADDR:SIZE]...
 *        [--fake-filter FSEED:LEVEL] [--allow-missing]
 *
 * --fake-filter plugs a deterministic test classifier into the writer's
 * page-filter interface (struct rd_classifier): each frame's class is a
 * function of (FSEED, pfn) masked by LEVEL, and five kernel-first extents
 * are derived from the --range list (overlapping, unaligned, partly outside
 * the ranges). verify, given the same option and ranges, expects exactly
 * those pages left out (zero or absent in the ELF), every other page equal,
 * and prints the per-class page counts the dump must report.
 * --dump-level N runs the real page filter (writer/pfilter.c, when it is
 * built in) on the notes' VMCOREINFO, as the minikernel does: with
 * --mem-elf of a crashed kernel's memory it filters for real.
 *
 * TARGET is a partition image, or FILE:N for partition N of a disk image
 * (found with libblkid's partition table probing).
 *
 *   rawdump-sim classify RAM.ELF [options]
 * runs the page filter over a crashed kernel's memory (writer/sim/classify.c).
 * --vectored gives the sink a submitv() (the minikernel's scatter-gather
 * path); --stable generates the pattern memory up front into read-only
 * pages and marks the source RD_SRC_STABLE, so RAW payloads go to the sink
 * in place, as in the minikernel. Without --stable every map() overwrites
 * one window: a payload sent in place from it would be wrong on disk.
 * Writes happen only at wait(), so memory reused before then shows too.
 */
#include <sys/uio.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <blkid/blkid.h>
#include "writer.h"
#include "pfilter.h"
#include "pattern.h"
#include "classify.h"

#define SIM_MAX_RANGES	64
#define SIM_MAX_REQS	32
#define SIM_DIRECT_MAP	0xffff888000000000ull
#define SIM_TEXT_VADDR	0xffffffff81000000ull

static const char *prog = "rawdump-sim";

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t parse_num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad number '%s'", s);
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end)
		die("bad number '%s'", s);
	return v;
}

static void parse_pair(const char *s, uint64_t *a, uint64_t *b)
{
	char buf[128], *colon;

	if (strlen(s) >= sizeof(buf) || !(colon = strchr(strcpy(buf, s), ':')))
		die("expected A:B, got '%s'", s);
	*colon = 0;
	*a = parse_num(buf);
	*b = parse_num(colon + 1);
}

static uint64_t now_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- fake page filter (tests of the writer's filter path) ------------ */

#define FAKE_PRI	5

struct fake_filter {
	uint64_t seed;
	uint32_t level;
	struct rd_pf_extent pri[FAKE_PRI];
	uint64_t last;			/* next paddr expected at least */
	uint64_t order_errors;		/* classify() calls against the contract */
	uint64_t calls;
};

static uint64_t fake_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Runs of 8 frames share a class; one frame in 8 is kept whatever its run. */
static uint32_t fake_class(uint64_t seed, uint32_t level, uint64_t pfn)
{
	static const uint32_t cls[8] = { RD_CLASS_CACHE, RD_CLASS_CACHE_PRI, RD_CLASS_USER,
					 RD_CLASS_FREE, RD_CLASS_FREE, 0, 0, 0 };

	if ((fake_mix(pfn ^ (seed << 32)) & 7) == 0)
		return 0;
	return cls[fake_mix((pfn >> 3) + seed) & 7] & level;
}

/* Kernel-first extents from the ranges (kernel text excluded): most urgent
 * first, the second unaligned, the third overlapping the first, the last
 * two reaching outside the ranges. */
static void fake_extents(struct rd_pf_extent *e, const struct rd_writer_range *r, int n)
{
	uint64_t lo = UINT64_MAX, hi = 0, span;
	int i;

	for (i = 0; i < n; i++) {
		if (r[i].flags & RD_RANGE_ALIAS)
			continue;
		if (r[i].paddr < lo)
			lo = r[i].paddr;
		if (r[i].paddr + r[i].size > hi)
			hi = r[i].paddr + r[i].size;
	}
	if (lo >= hi)
		lo = hi = 0;
	span = hi - lo;
	e[0] = (struct rd_pf_extent){ (lo + span / 2) & ~4095ull, 192 << 10, RD_PF_PRI_LOG };
	e[1] = (struct rd_pf_extent){ lo + span / 4 + 0x123, 0x10000, RD_PF_PRI_KERNEL };
	e[2] = (struct rd_pf_extent){ ((lo + span / 2) & ~4095ull) + (128 << 10), 256 << 10, RD_PF_PRI_META };
	e[3] = (struct rd_pf_extent){ hi - 8192, 64 << 10, RD_PF_PRI_PGTABLE };
	e[4] = (struct rd_pf_extent){ 0, lo + 8192, RD_PF_PRI_META };
}

static int fake_in_priority(const struct rd_pf_extent *e, uint64_t paddr)
{
	int i;

	for (i = 0; i < FAKE_PRI; i++)
		if ((e[i].paddr & ~4095ull) <= paddr && paddr < e[i].paddr + e[i].len)
			return 1;
	return 0;
}

static void fake_classify(void *ctx, uint64_t paddr, uint32_t npages, uint8_t *out)
{
	struct fake_filter *f = ctx;
	uint32_t i;

	f->calls++;
	if (paddr % 4096 || !npages || npages > RD_BLOCK_MAX_MEM / 4096 || paddr < f->last ||
	    fake_in_priority(f->pri, paddr))
		f->order_errors++;
	f->last = paddr + (uint64_t)npages * 4096;
	for (i = 0; i < npages; i++)
		out[i] = (uint8_t)fake_class(f->seed, f->level, paddr / 4096 + i);
}

#ifdef RD_HAVE_PFILTER
/* The real filter, glued as minikernel/dump.c glues it. */
struct sim_pf {
	struct rd_pfilter *pf;
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
};

static int sim_pf_note(void *ctx, const struct rd_note *n)
{
	struct sim_pf *p = ctx;

	if (n->namesz == 11 && !memcmp(n->name, "VMCOREINFO", 11)) {
		p->vmcoreinfo = (const char *)n->desc;
		p->vmcoreinfo_len = n->descsz;
	}
	return 0;
}

static void sim_pf_log(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "filter: %s\n", line);
}

static void sim_pf_classify(void *ctx, uint64_t paddr, uint32_t npages, uint8_t *out)
{
	rd_pf_classify(((struct sim_pf *)ctx)->pf, paddr, npages, out);
}

static uint32_t sim_pf_flags(void *ctx)
{
	return rd_pf_flags(((struct sim_pf *)ctx)->pf);
}

/* 0 with *cls set up, or -1 (said on stderr) when there is nothing to filter with. */
static int sim_pf_setup(struct sim_pf *p, struct rd_classifier *cls, uint32_t level,
			const void *notes, size_t notes_size, const struct rd_writer_range *r,
			int nr, const struct rd_source *src)
{
	struct rd_pf_config pc;
	void *area;
	uint32_t n = 0;

	memset(p, 0, sizeof(*p));
	rd_notes_walk(notes, notes_size, sim_pf_note, p);
	if (!p->vmcoreinfo) {
		fprintf(stderr, "filter: off: no VMCOREINFO note\n");
		return -1;
	}
	area = aligned_alloc(64, (rd_pf_size() + 63) & ~(size_t)63);
	if (!area)
		die("out of memory");
	memset(&pc, 0, sizeof(pc));
	pc.vmcoreinfo = p->vmcoreinfo;
	pc.vmcoreinfo_len = p->vmcoreinfo_len;
	pc.level = level;
	pc.ranges = r;
	pc.range_count = (uint32_t)nr;
	pc.notes = notes;
	pc.notes_size = notes_size;
	pc.log = sim_pf_log;
	p->pf = rd_pf_init(area, &pc, src);
	memset(cls, 0, sizeof(*cls));
	cls->classify = sim_pf_classify;
	cls->flags = sim_pf_flags;
	cls->ctx = p;
	cls->active = rd_pf_active(p->pf);
	cls->priority = rd_pf_priority(p->pf, &n);
	cls->priority_count = cls->priority ? n : 0;
	return 0;
}
#endif

static void parse_fake(const char *v, uint64_t *seed, uint32_t *level)
{
	uint64_t l;

	parse_pair(v, seed, &l);
	if (l > RD_CLASS_ALL)
		die("--fake-filter FSEED:LEVEL, LEVEL 0..31");
	*level = (uint32_t)l;
}

/* ---- target: a partition in a file ---------------------------------- */

static void target_open(const char *spec, int *fd, uint64_t *off, uint64_t *size)
{
	char path[4096];
	const char *colon = strrchr(spec, ':');
	struct stat st;
	int partno = 0;

	snprintf(path, sizeof(path), "%s", spec);
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		path[colon - spec] = 0;
		partno = atoi(colon + 1);
	}
	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (fstat(*fd, &st))
		die("stat %s: %s", path, strerror(errno));
	*off = 0;
	*size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	if (!S_ISREG(st.st_mode)) {
		off_t end = lseek(*fd, 0, SEEK_END);

		if (end < 0)
			die("cannot size %s", path);
		*size = (uint64_t)end;
	}
	if (partno) {
		blkid_probe pr = blkid_new_probe_from_filename(path);
		blkid_partlist pl;
		blkid_partition par;

		if (!pr)
			die("libblkid cannot probe %s", path);
		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_enable_superblocks(pr, 0);
		if (blkid_do_fullprobe(pr) < 0 || !(pl = blkid_probe_get_partitions(pr)))
			die("%s: no partition table", path);
		par = blkid_partlist_get_partition_by_partno(pl, partno);
		if (!par)
			die("%s: no partition %d", path, partno);
		*off = (uint64_t)blkid_partition_get_start(par) * 512;
		*size = (uint64_t)blkid_partition_get_size(par) * 512;
		blkid_free_probe(pr);
	}
}

/* ---- sink: pwrite, with emulated queueing and fault injection -------- */

struct sim_req {
	uint64_t off;
	struct rd_iov iov[RD_IOV_MAX];
	uint32_t niov, len;
	int busy;
};

struct sim_sink {
	int fd;
	uint64_t base;
	uint64_t fail_off, fail_len;	/* writes touching this fail */
	struct sim_req req[SIM_MAX_REQS];
	uint64_t writes, failed, vectored;
	uint32_t max_inflight, busy;
};

static int sim_read(void *ctx, uint64_t off, void *buf, uint32_t len)
{
	struct sim_sink *s = ctx;

	return pread(s->fd, buf, len, (off_t)(s->base + off)) == (ssize_t)len ? 0 : -RD_EIO;
}

static long sim_submitv(void *ctx, uint64_t off, const struct rd_iov *iov, uint32_t n)
{
	struct sim_sink *s = ctx;
	struct sim_req *r;
	uint32_t i;
	long t;

	for (t = 0; t < SIM_MAX_REQS && s->req[t].busy; t++)
		;
	if (t == SIM_MAX_REQS || s->busy >= s->max_inflight || n > RD_IOV_MAX) {
		fprintf(stderr, "%s: more than %u writes in flight: a writer bug\n", prog,
			s->max_inflight);
		return -RD_EIO;
	}
	s->busy++;
	r = &s->req[t];
	r->off = off;
	r->niov = n;
	r->len = 0;
	for (i = 0; i < n; i++) {
		r->iov[i] = iov[i];
		r->len += iov[i].len;
	}
	r->busy = 1;
	if (n > 1)
		s->vectored++;
	return t;
}

static long sim_submit(void *ctx, uint64_t off, const void *buf, uint32_t len)
{
	struct rd_iov iov = { buf, len };

	return sim_submitv(ctx, off, &iov, 1);
}

/* The write happens only now: a writer that touched the buffer after
 * submit() would put wrong bytes on disk, and the tests would see it. */
static int sim_wait(void *ctx, long tag)
{
	struct sim_sink *s = ctx;
	struct sim_req *r;

	if (tag < 0 || tag >= SIM_MAX_REQS || !s->req[tag].busy)
		return -RD_EINVAL;
	r = &s->req[tag];
	r->busy = 0;
	s->busy--;
	s->writes++;
	if (s->fail_len && r->off < s->fail_off + s->fail_len && s->fail_off < r->off + r->len) {
		s->failed++;
		return -RD_EIO;
	}
	{
		struct iovec v[RD_IOV_MAX];
		uint32_t i;

		for (i = 0; i < r->niov; i++) {
			v[i].iov_base = (void *)(uintptr_t)r->iov[i].base;
			v[i].iov_len = r->iov[i].len;
		}
		if (pwritev(s->fd, v, (int)r->niov, (off_t)(s->base + r->off)) != (ssize_t)r->len)
			return -RD_EIO;
	}
	return 0;
}

static int sim_flush(void *ctx)
{
	struct sim_sink *s = ctx;
	int i, err = 0;

	for (i = 0; i < SIM_MAX_REQS; i++)
		if (s->req[i].busy) {
			int e = sim_wait(ctx, i);

			if (e && !err)
				err = e;
		}
	if (fdatasync(s->fd) && errno != EINVAL)
		return -RD_EIO;
	return err;
}

/* ---- memory sources --------------------------------------------------- */

struct sim_mem {
	uint64_t seed;
	uint8_t *win;			/* pattern: generated window */
	const struct rd_writer_range *r;	/* --stable: ranges, and each one's */
	uint8_t *stable[SIM_MAX_RANGES];	/* memory, generated, read-only */
	int nr;
	const uint8_t *elf;		/* mem-elf: mapped file */
	uint64_t elf_size;
};

static const void *sim_map_pattern(void *ctx, uint64_t addr, size_t len)
{
	struct sim_mem *m = ctx;

	if (len > RD_BLOCK_MAX_MEM)
		return NULL;
	pattern_fill(m->seed, addr, m->win, len);
	return m->win;
}

static const void *sim_map_stable(void *ctx, uint64_t addr, size_t len)
{
	struct sim_mem *m = ctx;
	int i;

	for (i = 0; i < m->nr; i++)
		if (m->stable[i] && addr >= m->r[i].src && len <= m->r[i].size &&
		    addr - m->r[i].src <= m->r[i].size - len)
			return m->stable[i] + (addr - m->r[i].src);
	return NULL;
}

/* --stable: every range's memory generated once, then made read-only. */
static void sim_make_stable(struct sim_mem *m, const struct rd_writer_range *r, int nr)
{
	int i;

	m->r = r;
	m->nr = nr;
	for (i = 0; i < nr; i++) {
		size_t len = (r[i].size + 4095) & ~(size_t)4095;
		uint8_t *p;

		if (r[i].flags & RD_RANGE_ALIAS || !len)
			continue;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap %zu bytes: %s", len, strerror(errno));
		pattern_fill(m->seed, r[i].src, p, r[i].size);
		if (mprotect(p, len, PROT_READ))
			die("mprotect: %s", strerror(errno));
		m->stable[i] = p;
	}
}

static const void *sim_map_elf(void *ctx, uint64_t addr, size_t len)
{
	struct sim_mem *m = ctx;

	if (addr > m->elf_size || len > m->elf_size - addr)
		return NULL;
	return m->elf + addr;
}

/* Notes a crashed kernel would hand over: one NT_PRSTATUS per CPU and a
 * VMCOREINFO. */
static size_t note_put(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t off = 12;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memset(p + off, 0, (namesz + 3) & ~3u);
	memcpy(p + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memset(p + off, 0, (descsz + 3) & ~3u);
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static size_t make_notes(uint8_t *buf, int cpus, const char *release, uint64_t crash_time)
{
	char info[1024];
	size_t off = 0;
	int i;

	for (i = 0; i < cpus; i++) {
		uint8_t pr[336];
		int32_t pid = 1000 + i;
		uint64_t rip = SIM_TEXT_VADDR + 0x1000 + (uint64_t)i * 0x40;
		uint64_t rsp = 0xffffc90000004000ull + (uint64_t)i * 0x4000;

		memset(pr, 0, sizeof(pr));
		memcpy(pr + 32, &pid, 4);
		memcpy(pr + 112 + 16 * 8, &rip, 8);	/* pr_reg.rip */
		memcpy(pr + 112 + 19 * 8, &rsp, 8);	/* pr_reg.rsp */
		off += note_put(buf + off, "CORE", 1, pr, sizeof(pr));
	}
	snprintf(info, sizeof(info),
		 "OSRELEASE=%s\nPAGESIZE=4096\nSYMBOL(_stext)=ffffffff81000000\n"
		 "NUMBER(phys_base)=0\nKERNELOFFSET=0\nCRASHTIME=%llu\n",
		 release, (unsigned long long)crash_time);
	off += note_put(buf + off, "VMCOREINFO", 0, info, (uint32_t)strlen(info));
	return off;
}

/* Ranges and notes of a QEMU dump-guest-memory ELF (paging=false). */
static int load_elf(struct sim_mem *m, const char *path, struct rd_writer_range *r,
		    uint8_t **notes, size_t *notes_size)
{
	const Elf64_Ehdr *eh;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0, i;

	if (fd < 0 || fstat(fd, &st))
		die("cannot open %s: %s", path, strerror(errno));
	m->elf_size = (uint64_t)st.st_size;
	m->elf = mmap(NULL, m->elf_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->elf == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	eh = (const void *)m->elf;
	if (m->elf_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > m->elf_size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > m->elf_size - eh->e_phoff)
		die("%s: not an ELF64 memory dump", path);
	*notes = NULL;
	*notes_size = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(m->elf + eh->e_phoff + i * sizeof(Elf64_Phdr));

		if (ph->p_offset > m->elf_size || ph->p_filesz > m->elf_size - ph->p_offset)
			die("%s: segment %d outside the file", path, i);
		if (ph->p_type == PT_NOTE) {
			*notes = realloc(*notes, *notes_size + ph->p_filesz);
			if (!*notes)
				die("out of memory");
			memcpy(*notes + *notes_size, m->elf + ph->p_offset, ph->p_filesz);
			*notes_size += ph->p_filesz;
		} else if (ph->p_type == PT_LOAD && ph->p_filesz) {
			if (n == SIM_MAX_RANGES)
				die("%s: too many segments", path);
			r[n].paddr = ph->p_paddr;
			r[n].vaddr = ph->p_vaddr ? ph->p_vaddr : SIM_DIRECT_MAP + ph->p_paddr;
			r[n].size = ph->p_filesz;
			r[n].src = ph->p_offset;
			r[n].flags = 0;
			n++;
		}
	}
	return n;
}

static void progress(void *ctx, const struct rd_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\rrawdump-sim: %3llu%% %8.1f MiB/s",
		(unsigned long long)(p->total ? p->done * 100 / p->total : 100),
		p->elapsed_us ? (double)p->done / (double)p->elapsed_us * 1e6 / 1048576.0 : 0.0);
}

static int cmd_write(int argc, char **argv)
{
	struct rd_writer_range ranges[SIM_MAX_RANGES];
	struct rd_writer_config cfg;
	struct rd_writer_result res;
	struct rd_part_header ph;
	struct sim_sink sink_ctx;
	struct sim_mem mem;
	struct rd_source src;
	struct rd_sink sink;
	const char *target = NULL, *mem_elf = NULL, *release = "6.1.0-sim-amd64";
	uint64_t text_paddr = 0, text_size = 0, cut = 0, io_size = 0, sector = 0;
	uint8_t *notes = NULL, slot[RD_SLOT_SIZE];
	size_t notes_size = 0;
	int nr = 0, cpus = 2, level = 1, inflight = 4, quiet = 0, fake = 0, vectored = 0, stable = 0, i, err;
	uint32_t comp = RD_COMP_NONE, csum = RD_CSUM_DEFAULT;
	struct fake_filter ff;
	struct rd_classifier cls;
	long dump_level = -1;
#ifdef RD_HAVE_PFILTER
	struct sim_pf spf;
#endif

	memset(&mem, 0, sizeof(mem));
	memset(&sink_ctx, 0, sizeof(sink_ctx));
	memset(&ff, 0, sizeof(ff));
	mem.seed = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
		if (!strcmp(a, "--vectored")) { vectored = 1; continue; }
		if (!strcmp(a, "--stable")) { stable = 1; continue; }
		if (a[0] != '-') {
			if (target)
				die("write: more than one target");
			target = a;
			continue;
		}
		if (!v)
			die("write: %s needs a value", a);
		i++;
		if (!strcmp(a, "--pattern")) mem.seed = parse_num(v);
		else if (!strcmp(a, "--range")) {
			if (nr == SIM_MAX_RANGES)
				die("too many ranges");
			parse_pair(v, &ranges[nr].paddr, &ranges[nr].size);
			ranges[nr].vaddr = SIM_DIRECT_MAP + ranges[nr].paddr;
			ranges[nr].src = ranges[nr].paddr;
			ranges[nr].flags = 0;
			nr++;
		}
		else if (!strcmp(a, "--kernel-text")) parse_pair(v, &text_paddr, &text_size);
		else if (!strcmp(a, "--mem-elf")) mem_elf = v;
		else if (!strcmp(a, "--cpus")) cpus = (int)parse_num(v);
		else if (!strcmp(a, "--release")) release = v;
		else if (!strcmp(a, "--comp")) {
			if (!strcmp(v, "zlib")) comp = RD_COMP_ZLIB;
			else if (!strcmp(v, "lz4")) comp = RD_COMP_LZ4;
			else if (!strcmp(v, "zstd")) comp = RD_COMP_ZSTD;
			else if (strcmp(v, "none")) die("--comp none|zlib|lz4|zstd");
		}
		else if (!strcmp(a, "--csum")) {
			for (csum = 0; csum <= RD_CSUM_MAX && strcmp(v, rd_csum_name(csum)); csum++)
				;
			if (csum > RD_CSUM_MAX)
				die("--csum crc32|crc32c|xxh64");
		}
		else if (!strcmp(a, "--level")) level = (int)parse_num(v);
		else if (!strcmp(a, "--cut-after")) cut = parse_num(v);
		else if (!strcmp(a, "--inflight")) inflight = (int)parse_num(v);
		else if (!strcmp(a, "--io-size")) io_size = parse_num(v);
		else if (!strcmp(a, "--sector")) sector = parse_num(v);
		else if (!strcmp(a, "--fail-write")) parse_pair(v, &sink_ctx.fail_off, &sink_ctx.fail_len);
		else if (!strcmp(a, "--fake-filter")) { parse_fake(v, &ff.seed, &ff.level); fake = 1; }
		else if (!strcmp(a, "--dump-level")) {
			dump_level = (long)parse_num(v);
			if (dump_level > RD_CLASS_ALL)
				die("write: --dump-level 0..31");
		}
		else die("write: unknown option %s", a);
	}
	if (!target)
		die("write: no target");
	if (cpus < 0 || cpus > 8192 || inflight < 1 || inflight > SIM_MAX_REQS || level < 1 || level > 9)
		die("write: --cpus 0..8192, --inflight 1..%d, --level 1..9", SIM_MAX_REQS);
	if (stable && (!vectored || mem_elf))
		die("write: --stable needs --vectored and pattern memory");

	if (mem_elf) {
		if (nr)
			die("write: --range and --mem-elf exclude each other");
		nr = load_elf(&mem, mem_elf, ranges, &notes, &notes_size);
		src.map = sim_map_elf;
	} else {
		if (!nr) {
			ranges[0] = (struct rd_writer_range){ 0x1000, SIM_DIRECT_MAP + 0x1000, 0x9f000, 0x1000, 0 };
			ranges[1] = (struct rd_writer_range){ 0x100000, SIM_DIRECT_MAP + 0x100000,
							      64 * 1048576 - 0x100000, 0x100000, 0 };
			nr = 2;
			if (!text_size) {
				text_paddr = 0x1000000;
				text_size = 0x800000;
			}
		}
		if (text_size) {
			/* the kernel-text PT_LOAD comes first, as kexec-tools writes it */
			memmove(ranges + 1, ranges, (size_t)nr * sizeof(ranges[0]));
			ranges[0] = (struct rd_writer_range){ text_paddr, SIM_TEXT_VADDR, text_size, text_paddr, 0 };
			nr++;
		}
		notes = malloc(cpus * 400 + 2048);
		if (!notes)
			die("out of memory");
		notes_size = make_notes(notes, cpus, release, (uint64_t)time(NULL));
		mem.win = malloc(RD_BLOCK_MAX_MEM);
		src.map = sim_map_pattern;
	}
	src.ctx = &mem;
	src.flags = mem_elf ? RD_SRC_STABLE : 0;	/* a read-only mapping of the file */
	rd_ranges_mark_aliases(ranges, (uint32_t)nr);
	if (stable) {
		sim_make_stable(&mem, ranges, nr);
		src.map = sim_map_stable;
		src.flags = RD_SRC_STABLE;
	}

	target_open(target, &sink_ctx.fd, &sink_ctx.base, &sink.size);
	sink.read = sim_read;
	sink.submit = sim_submit;
	sink.submitv = vectored ? sim_submitv : NULL;
	sink.wait = sim_wait;
	sink.flush = sim_flush;
	sink.ctx = &sink_ctx;
	sink.max_inflight = (uint32_t)inflight;
	sink_ctx.max_inflight = (uint32_t)inflight;

	/* the capture kernel learns the UUID from its command line; here,
	 * from the header itself (if it is not valid, the writer says so) */
	memset(&ph, 0, sizeof(ph));
	if (pread(sink_ctx.fd, slot, sizeof(slot), (off_t)sink_ctx.base) == (ssize_t)sizeof(slot))
		memcpy(&ph, slot, sizeof(ph));
	/* a torn primary: the UUID the partition was armed with is the backup's */
	if (rd_part_header_check(&ph) && sink.size >= RD_MIN_PART_SIZE &&
	    pread(sink_ctx.fd, slot, sizeof(slot), (off_t)(sink_ctx.base +
		  rd_part_backup_offset(sink.size))) == (ssize_t)sizeof(slot))
		memcpy(&ph, slot, sizeof(ph));

	memset(&cfg, 0, sizeof(cfg));
	cfg.expect_uuid = ph.uuid;
	cfg.dump_id = (now_us(NULL) ^ ((uint64_t)getpid() << 40)) | 1;
	cfg.writer_name = "rawdump-sim";
	cfg.compression = comp;
	cfg.zlib_level = level;
	cfg.csum_kind = csum;
	cfg.flags = RD_DF_SIMULATED | (mem_elf ? 0 : RD_DF_TEST_RANGES);
	cfg.dumping_cpu = 0;
	cfg.ranges = ranges;
	cfg.range_count = (uint32_t)nr;
	cfg.notes = notes;
	cfg.notes_size = notes_size;
	cfg.io_size = (uint32_t)io_size;
	cfg.write_align = (uint32_t)sector;	/* the writer refuses what is not 512..4096 */
	cfg.copy_bufs = vectored ? 2 : 0;
	cfg.work_size = rd_writer_work_size(comp, cfg.io_size, sink.max_inflight, cfg.copy_bufs);
	cfg.work = malloc(cfg.work_size);
	cfg.progress = quiet || !isatty(2) ? NULL : progress;
	cfg.now_us = now_us;
	cfg.cut_after_blocks = cut;
	cfg.dump_level = 1;
	if (fake && dump_level >= 0)
		die("write: --fake-filter and --dump-level exclude each other");
	if (dump_level >= 0)
		cfg.dump_level = (uint32_t)dump_level;
	if (dump_level > 1) {
#ifdef RD_HAVE_PFILTER
		if (!sim_pf_setup(&spf, &cls, (uint32_t)dump_level, notes, notes_size,
				  ranges, nr, &src))
			cfg.filter = &cls;
#else
		fprintf(stderr, "filter: off: rawdump-sim built without writer/pfilter.c\n");
#endif
	}
	if (fake) {
		fake_extents(ff.pri, ranges, nr);
		memset(&cls, 0, sizeof(cls));
		cls.classify = fake_classify;
		cls.ctx = &ff;
		cls.active = ff.level & ~RD_CLASS_ZERO;
		cls.priority = ff.pri;
		cls.priority_count = FAKE_PRI;
		cfg.filter = &cls;
		cfg.dump_level = ff.level | RD_CLASS_ZERO;
	}
	if (!cfg.work)
		die("out of memory");

	err = rd_dump_write(&cfg, &src, &sink, &res);
	if (cfg.progress)
		fputc('\n', stderr);
	if (err) {
		fprintf(stderr, "%s: write: %s\n", prog, rd_strerror(err));
		return 2;
	}
	if (!quiet)
		printf("dump_id=%016llx blocks=%llu mem=%llu stored=%llu zero=%llu missing=%llu "
		       "lost=%llu end_flags=%u elapsed_us=%llu%s\n",
		       (unsigned long long)res.dump_id, (unsigned long long)res.blocks,
		       (unsigned long long)res.mem_bytes, (unsigned long long)res.stored_bytes,
		       (unsigned long long)res.zero_bytes, (unsigned long long)res.missing_bytes,
		       (unsigned long long)res.lost_bytes, res.end_flags,
		       (unsigned long long)res.elapsed_us, cut ? " (cut)" : "");
	if (!quiet && vectored)
		printf("vectored writes: %llu\n", (unsigned long long)sink_ctx.vectored);
	for (i = 0; !quiet && fake && i < FAKE_PRI; i++)
		printf("filter: extent 0x%llx 0x%llx\n", (unsigned long long)ff.pri[i].paddr,
		       (unsigned long long)ff.pri[i].len);
	if (!quiet && cfg.filter)
		printf("filter: priority=%llu excluded=%llu cache=%llu cache_pri=%llu user=%llu free=%llu "
		       "classify_calls=%llu\n",
		       (unsigned long long)res.priority_bytes, (unsigned long long)res.excluded_bytes,
		       (unsigned long long)res.excluded_pages[1], (unsigned long long)res.excluded_pages[2],
		       (unsigned long long)res.excluded_pages[3], (unsigned long long)res.excluded_pages[4],
		       (unsigned long long)ff.calls);
	if (ff.order_errors) {
		fprintf(stderr, "%s: write: %llu classify() calls broke the interface contract\n",
			prog, (unsigned long long)ff.order_errors);
		return 3;
	}
	return 0;
}

static int cmd_pattern(int argc, char **argv)
{
	uint64_t seed = 1, paddr = 0, size = 0, done = 0;
	const char *out = NULL;
	uint8_t *buf;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pattern") && i + 1 < argc) seed = parse_num(argv[++i]);
		else if (!strcmp(argv[i], "--range") && i + 1 < argc) parse_pair(argv[++i], &paddr, &size);
		else if (argv[i][0] != '-' && !out) out = argv[i];
		else die("pattern: bad argument %s", argv[i]);
	}
	if (!out || !size)
		die("usage: pattern --pattern SEED --range PADDR:SIZE OUT");
	f = fopen(out, "wbx");
	buf = malloc(1 << 20);
	if (!f || !buf)
		die("cannot create %s: %s", out, strerror(errno));
	while (done < size) {
		uint64_t n = size - done < (1u << 20) ? size - done : (1u << 20);

		pattern_fill(seed, paddr + done, buf, n);
		if (fwrite(buf, 1, n, f) != n)
			die("write %s: %s", out, strerror(errno));
		done += n;
	}
	if (fclose(f))
		die("write %s: %s", out, strerror(errno));
	free(buf);
	return 0;
}

/* What verify expects at a page: kept (compare), or left out (zero or absent). */
struct verify_ctx {
	uint64_t seed;
	int fake;
	struct fake_filter ff;
	const struct rd_writer_range *r;
	int nr;
};

static int verify_excluded(const struct verify_ctx *v, uint64_t paddr)
{
	int i;

	if (!v->fake || fake_in_priority(v->ff.pri, paddr))
		return 0;
	for (i = 0; i < v->nr; i++)	/* only whole pages of a range are classified */
		if (v->r[i].paddr <= paddr && paddr + 4096 <= v->r[i].paddr + v->r[i].size)
			return (int)fake_class(v->ff.seed, v->ff.level, paddr / 4096);
	return 0;
}

static const Elf64_Phdr *verify_phdr(const uint8_t *map, const Elf64_Ehdr *eh, int i)
{
	return (const void *)(map + eh->e_phoff + (uint64_t)i * sizeof(Elf64_Phdr));
}

/* Every PT_LOAD byte of an ELF vmcore against the pattern; every named
 * range covered by some PT_LOAD, but for the pages a fake filter left out. */
static int cmd_verify(int argc, char **argv)
{
	struct rd_writer_range ranges[SIM_MAX_RANGES];
	struct verify_ctx v;
	uint64_t equal = 0, missing = 0, wrong = 0, uncovered = 0, excl[RD_CLASS_COUNT] = { 0 };
	const char *path = NULL;
	int allow_missing = 0, fd, i, j;
	const Elf64_Ehdr *eh;
	const uint8_t *map;
	struct stat st;
	uint8_t want[4096];

	memset(&v, 0, sizeof(v));
	v.seed = 1;
	v.r = ranges;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pattern") && i + 1 < argc) v.seed = parse_num(argv[++i]);
		else if (!strcmp(argv[i], "--range") && i + 1 < argc && v.nr < SIM_MAX_RANGES) {
			memset(&ranges[v.nr], 0, sizeof(ranges[v.nr]));
			parse_pair(argv[++i], &ranges[v.nr].paddr, &ranges[v.nr].size);
			v.nr++;
		}
		else if (!strcmp(argv[i], "--fake-filter") && i + 1 < argc) {
			parse_fake(argv[++i], &v.ff.seed, &v.ff.level);
			v.fake = 1;
		}
		else if (!strcmp(argv[i], "--allow-missing")) allow_missing = 1;
		else if (argv[i][0] != '-' && !path) path = argv[i];
		else die("verify: bad argument %s", argv[i]);
	}
	if (!path)
		die("usage: verify VMCORE --pattern SEED [--range PADDR:SIZE]... "
		    "[--fake-filter FSEED:LEVEL] [--allow-missing]");
	if (v.fake)
		fake_extents(v.ff.pri, ranges, v.nr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die("cannot open %s: %s", path, strerror(errno));
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		die("mmap %s", path);
	eh = (const void *)map;
	if ((uint64_t)st.st_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size)
		die("%s: not an ELF64 core", path);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = verify_phdr(map, eh, i);
		uint64_t o;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset + ph->p_filesz > (uint64_t)st.st_size)
			die("%s: PT_LOAD %d beyond end of file", path, i);
		for (o = 0; o < ph->p_memsz; o += 4096) {
			uint64_t n = ph->p_memsz - o < 4096 ? ph->p_memsz - o : 4096;
			const uint8_t *got = o < ph->p_filesz ? map + ph->p_offset + o : NULL;
			uint64_t k;
			int zero = 1, cls = verify_excluded(&v, ph->p_paddr + o);

			if (!cls) {
				pattern_fill(v.seed, ph->p_paddr + o, want, n);
				if (got && o + n <= ph->p_filesz && !memcmp(got, want, n)) {
					equal++;
					continue;
				}
			}
			for (k = 0; got && k < n && k + o < ph->p_filesz; k++)
				if (got[k]) { zero = 0; break; }
			if (zero && cls) {
				continue;	/* counted below, by range */
			} else if (zero) {
				missing++;
			} else {
				if (wrong < 5)
					fprintf(stderr, "verify: page at paddr 0x%llx %s\n",
						(unsigned long long)(ph->p_paddr + o),
						cls ? "should have been left out" : "differs");
				wrong++;
			}
		}
	}
	for (j = 0; j < v.nr; j++) {
		uint64_t a = ranges[j].paddr, end = ranges[j].paddr + ranges[j].size;

		while (a < end) {
			uint64_t next = end;
			int covered = 0, cls = verify_excluded(&v, a);

			for (i = 0; i < eh->e_phnum; i++) {
				const Elf64_Phdr *ph = verify_phdr(map, eh, i);

				if (ph->p_type != PT_LOAD)
					continue;
				if (ph->p_paddr <= a && a < ph->p_paddr + ph->p_memsz) {
					covered = 1;
					next = ph->p_paddr + ph->p_memsz;
					break;
				}
				if (ph->p_paddr > a && ph->p_paddr < next)
					next = ph->p_paddr;
			}
			if (v.fake) {	/* page by page: the class of each counts */
				next = (a | 4095) + 1;
				if (next > end)
					next = end;
			}
			if (cls)
				excl[__builtin_ctz((unsigned)cls)]++;
			else if (!covered) {
				if (uncovered < 5)
					fprintf(stderr, "verify: range 0x%llx+0x%llx not covered at 0x%llx\n",
						(unsigned long long)ranges[j].paddr,
						(unsigned long long)ranges[j].size, (unsigned long long)a);
				uncovered++;
			}
			a = next;
		}
	}
	printf("verify: %llu pages equal, %llu missing (zero), %llu wrong, %llu ranges uncovered\n",
	       (unsigned long long)equal, (unsigned long long)missing,
	       (unsigned long long)wrong, (unsigned long long)uncovered);
	if (v.fake)
		printf("verify: excluded cache=%llu cache_pri=%llu user=%llu free=%llu\n",
		       (unsigned long long)excl[1], (unsigned long long)excl[2],
		       (unsigned long long)excl[3], (unsigned long long)excl[4]);
	/* a "missing" page is one the pattern says is non-zero but reads as zero */
	return wrong || uncovered || (missing && !allow_missing) || !equal ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: rawdump-sim write TARGET [options] | pattern ... | verify ...\n"
			"(see the comment at the top of writer/sim/sim.c)\n");
		return argc < 2 ? 1 : 0;
	}
	if (!strcmp(argv[1], "write"))
		return cmd_write(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pattern"))
		return cmd_pattern(argc - 1, argv + 1);
	if (!strcmp(argv[1], "classify"))
		return cmd_classify(argc, argv);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	die("unknown command '%s'", argv[1]);
}
