/*
 * tools/estimate.c - the partition space a dump of the running machine
 * needs at a dump level (Documentation/filtering.md classes).
 *
 * Sources (Linux Documentation/filesystems/proc.rst and
 * admin-guide/mm/pagemap.rst):
 *   /proc/iomem      top-level "System RAM" minus "Crash kernel": the memory
 *                    a dump covers (sizes read as 0 without root: then
 *                    MemTotal is used)
 *   /proc/meminfo    MemFree (free class: buddy pages), and without
 *                    kpageflags: AnonPages (user), Cached - Buffers split
 *                    as cache, Buffers as cache with private
 *   /proc/kpageflags one u64 per pfn (root only). KPF_ANON (12) -> user;
 *                    not anon, on an LRU list (KPF_LRU 5, KPF_UNEVICTABLE
 *                    18) and not swap cache (KPF_SWAPCACHE 13) -> page
 *                    cache, with private data when KPF_PRIVATE (35);
 *                    KPF_NOPAGE (20): no page there. KPF_BUDDY marks only
 *                    the first page of a free block, so free memory comes
 *                    from MemFree in both cases.
 * Zero pages cannot be known without reading memory; they are counted as
 * kept (the writer stores them as ZERO blocks of a few bytes anyway).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "armed.h"
#include "cli.h"
#include "config.h"
#include "estimate.h"
#include "rawdump/cmdline.h"
#include "rawdump/format.h"

#define KPF_LRU			5
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_UNEVICTABLE		18
#define KPF_NOPAGE		20
#define KPF_PRIVATE		35

#define EST_KPF_BATCH		4096	/* u64s per read */
#define EST_BLOCK_OVERHEAD	(64u + RD_BLOCK_ALIGN)	/* header + worst padding */
#define EST_RUN_BYTES		16u	/* struct rd_excl_run */
#define EST_FIXED		(64u * 1024u)	/* headers, range table, notes, END */

static FILE *est_open(const char *root, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/%s", root && *root ? root : "", name);
	return fopen(path, "re");
}

/* kB value of a /proc/meminfo key, in bytes; 0 if absent. */
static uint64_t est_meminfo(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoull(p + klen + 1, NULL, 10) * 1024;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* Top-level "System RAM" bytes minus "Crash kernel" (any depth). */
static uint64_t est_iomem_ram(const char *root)
{
	FILE *f = est_open(root, "iomem");
	uint64_t ram = 0, crash = 0, a, b;
	char line[256];
	int off;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &a, &b, &off) < 2 || b < a)
			continue;
		if (line[0] != ' ' && !strncmp(line + off, "System RAM", 10))
			ram += b - a + 1;
		else if (!strncmp(line + off, "Crash kernel", 12))
			crash += b - a + 1;
	}
	fclose(f);
	return ram > crash ? ram - crash : 0;
}

/* Classes from /proc/kpageflags into e->class_bytes; 0 or -errno. */
static int est_kpageflags(const char *root, struct estimate *e)
{
	uint64_t buf[EST_KPF_BATCH], user = 0, cache = 0, cache_pri = 0, f;
	char path[PATH_MAX];
	ssize_t n;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/proc/kpageflags", root && *root ? root : "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n / 8; i++) {
			f = buf[i];
			if (f & (1ull << KPF_NOPAGE))
				continue;
			if (f & (1ull << KPF_ANON))
				user++;
			else if ((f & ((1ull << KPF_LRU) | (1ull << KPF_UNEVICTABLE))) &&
				 !(f & (1ull << KPF_SWAPCACHE)))
				(f & (1ull << KPF_PRIVATE)) ? cache_pri++ : cache++;
		}
	}
	close(fd);
	if (n < 0)
		return -errno;
	e->class_bytes[1] = cache * RD_PAGE_SIZE;
	e->class_bytes[2] = cache_pri * RD_PAGE_SIZE;
	e->class_bytes[3] = user * RD_PAGE_SIZE;
	return 0;
}

int estimate_dump_bytes(uint32_t level, const char *root, struct estimate *e)
{
	char text[8192];
	uint64_t kept, blocks, excluded_pages;
	unsigned int i;
	size_t n;
	FILE *f;

	memset(e, 0, sizeof(*e));
	f = est_open(root, "meminfo");
	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	e->ram_bytes = est_iomem_ram(root);
	if (!e->ram_bytes)
		e->ram_bytes = est_meminfo(text, "MemTotal");
	if (!e->ram_bytes)
		return -EINVAL;
	e->class_bytes[4] = est_meminfo(text, "MemFree");
	if (est_kpageflags(root, e) == 0) {
		e->kpageflags = 1;
	} else {
		uint64_t cached = est_meminfo(text, "Cached"), buffers = est_meminfo(text, "Buffers");

		e->class_bytes[1] = cached;
		e->class_bytes[2] = buffers;
		e->class_bytes[3] = est_meminfo(text, "AnonPages");
	}
	for (i = 0; i < RD_CLASS_COUNT; i++)
		if (level & (1u << i))
			e->excluded_bytes += e->class_bytes[i];
	if (e->excluded_bytes > e->ram_bytes)
		e->excluded_bytes = e->ram_bytes;
	kept = e->ram_bytes - e->excluded_bytes;
	blocks = (kept + RD_BLOCK_MAX_MEM - 1) / RD_BLOCK_MAX_MEM;
	excluded_pages = e->excluded_bytes / RD_PAGE_SIZE;
	e->dump_bytes = kept + blocks * EST_BLOCK_OVERHEAD + excluded_pages * EST_RUN_BYTES + EST_FIXED;
	return 0;
}

uint32_t estimate_cmdline_level(const char *cmdline)
{
	const char *p = cmdline;

	while (p && (p = strstr(p, RD_KEY_DUMPLEVEL "=")) != NULL) {
		if (p == cmdline || p[-1] == ' ')
			return (uint32_t)strtoul(p + 13, NULL, 0) & RD_CLASS_ALL;
		p += 13;
	}
	return 0;
}

/* `dump_level = N` of the configuration (the one parser, tools/config.c);
 * the minikernel's default, 1, when it is not set or the file is bad. */
static uint32_t est_config_level(void)
{
	struct rd_config c;
	char err[512];

	if (config_load(NULL, &c, err, sizeof(err)) || c.dump_level < 0)
		return 1;
	return (uint32_t)c.dump_level & RD_CLASS_ALL;
}

uint32_t estimate_configured_level(void)
{
	char cmdline[4096];

	if (arm_armed_cmdline(cmdline, sizeof(cmdline)) == 0)
		return estimate_cmdline_level(cmdline);
	return est_config_level();
}

int estimate_report(FILE *out, const char *cmd, uint32_t level, const char *root,
		    uint64_t part_bytes)
{
	static const char *const label[RD_CLASS_COUNT] = {
		"zero", "cache", "cache_private", "user", "free",
	};
	struct estimate e;
	char a[32], b[32];
	unsigned int i;
	int rc = estimate_dump_bytes(level, root, &e);

	if (rc < 0) {
		fprintf(out, "dump estimate: unknown (/proc/meminfo: %s)\n", strerror(-rc));
		return 0;
	}
	fprintf(out, "dump estimate: level %" PRIu32 ", at most %" PRIu64 " bytes (%s) of %" PRIu64
		" bytes (%s) of RAM, classes from %s\n", level, e.dump_bytes,
		cli_size(e.dump_bytes, a, sizeof(a)), e.ram_bytes, cli_size(e.ram_bytes, b, sizeof(b)),
		e.kpageflags ? "kpageflags" : "meminfo");
	fprintf(out, "dump estimate bytes:");
	for (i = 1; i < RD_CLASS_COUNT; i++)
		fprintf(out, " %s %" PRIu64 "%s", label[i], e.class_bytes[i],
			level & (1u << i) ? " (left out)" : "");
	fputc('\n', out);
	if (part_bytes && part_bytes < e.dump_bytes) {
		fflush(out);
		cli_warn(cmd, "the dump partition (%s) is smaller than a dump at level %" PRIu32
			 " may need (%s): the dump may be cut off", cli_size(part_bytes, a, sizeof(a)),
			 level, cli_size(e.dump_bytes, b, sizeof(b)));
		return 1;
	}
	return 0;
}
