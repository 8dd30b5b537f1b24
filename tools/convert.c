/*
 * tools/convert.c - `rawdump convert IN OUT --to elf|lcrash|kdump`: read any
 * dump rawdump understands (partition, image, ELF, LKCD, kdump-compressed)
 * and write it in another format, with the output rules of `rawdump save`:
 * mode 0600, written to a temp file in the same directory (removed again on
 * SIGINT/SIGTERM/SIGHUP), fsync'ed, then renamed into place with
 * RENAME_NOREPLACE (link + unlink where that is unsupported): no symlink
 * is followed and nothing is replaced. (cmd_save.c has the same steps as
 * static helpers.)
 * Also the page walk shared by the LKCD and kdump-compressed writers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "convert.h"
#include "kinfo.h"

#define CONV_CMD "convert"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

void conv_pages_init(struct conv_pages *it, const struct memimage *m)
{
	it->m = m;
	it->ri = 0;
	it->next = 0;
}

int conv_pages_next(struct conv_pages *it, uint64_t *paddr)
{
	const struct mi_range *r;
	uint64_t start, end;

	for (; it->ri < it->m->nranges; it->ri++) {
		r = &it->m->ranges[it->ri];
		if ((r->flags & MI_ALIAS) || r->size == 0)
			continue;
		start = r->paddr & ~(uint64_t)(MI_PAGE - 1);
		end = r->paddr + r->size;
		if (end < r->paddr)
			end = UINT64_MAX & ~(uint64_t)(MI_PAGE - 1);
		if (start < it->next)
			start = it->next;
		if (start >= end)
			continue;
		*paddr = start;
		it->next = start + MI_PAGE;
		return 1;
	}
	return 0;
}

uint64_t conv_pages_total(const struct memimage *m)
{
	struct conv_pages it;
	uint64_t n = 0, paddr;
	const struct mi_range *r;
	size_t i;

	/* fast path for sorted, non-overlapping ranges; exact walk otherwise */
	for (i = 0; i < m->nranges; i++) {
		r = &m->ranges[i];
		if (!(r->flags & MI_ALIAS) && i && r->paddr < m->ranges[i - 1].paddr + m->ranges[i - 1].size)
			break;
	}
	if (i == m->nranges) {
		uint64_t last = 0, s, e;

		for (i = 0; i < m->nranges; i++) {
			r = &m->ranges[i];
			if ((r->flags & MI_ALIAS) || !r->size)
				continue;
			s = r->paddr / MI_PAGE;
			e = (r->paddr + r->size + MI_PAGE - 1) / MI_PAGE;
			if (s < last)
				s = last;
			if (e > s)
				n += e - s;
			if (e > last)
				last = e;
		}
		return n;
	}
	conv_pages_init(&it, m);
	while (conv_pages_next(&it, &paddr))
		n++;
	return n;
}

int conv_page_is_zero(const void *page)
{
	const uint64_t *p = page;
	size_t i;

	for (i = 0; i < MI_PAGE / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

int conv_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int conv_pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rawdump convert                                                     */
/* ------------------------------------------------------------------ */

enum conv_fmt { CONV_ELF, CONV_LKCD, CONV_KDUMP };

static int conv_parse_fmt(const char *s, enum conv_fmt *f)
{
	if (!strcmp(s, "elf"))
		*f = CONV_ELF;
	else if (!strcmp(s, "lcrash") || !strcmp(s, "lkcd"))
		*f = CONV_LKCD;
	else if (!strcmp(s, "kdump") || !strcmp(s, "kdump-compressed"))
		*f = CONV_KDUMP;
	else
		return -1;
	return 0;
}

static void conv_usage(FILE *out)
{
	fprintf(out,
		"usage: rawdump convert IN OUT --to elf|lcrash|kdump\n"
		"  IN   a rawdump partition or disk image (as for rawdump save), or an\n"
		"       ELF vmcore, LKCD or kdump-compressed file\n"
		"  OUT  a new file (never overwritten; written 0600 via a temp file)\n");
}

/* The temp file to remove if a signal arrives while it exists. */
static char conv_sig_tmp[4096];

static void conv_on_signal(int sig)
{
	if (conv_sig_tmp[0])
		unlink(conv_sig_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void conv_signals(void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Temp file next to out: 0600, created exclusively (so never through a
 * symlink). The name goes to tmp. */
static int conv_tmp_open(const char *out, char *tmp, size_t tmpsz)
{
	char *copy = strdup(out), *dir, *base;
	int fd = -1;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	base = basename((char *)out);
	if ((size_t)snprintf(tmp, tmpsz, "%s/.%s.rawdump-XXXXXX", dir, base) >= tmpsz) {
		free(copy);
		return -ENAMETOOLONG;
	}
	free(copy);
	conv_signals(conv_on_signal);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(conv_sig_tmp, sizeof(conv_sig_tmp), "%s", tmp);
	if (fchmod(fd, 0600) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		conv_sig_tmp[0] = '\0';
		return -e;
	}
	return fd;
}

/* fsync the file, link it to out (fails if out exists), drop the temp
 * name, fsync the directory. */
static int conv_tmp_commit(int fd, const char *tmp, const char *out)
{
	char *copy;
	int dfd, rc = 0;

	if (fsync(fd) < 0)
		return -errno;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) < 0) {
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
		if (link(tmp, out) < 0)
			return -errno;
		unlink(tmp);
	}
	conv_sig_tmp[0] = '\0';
	copy = strdup(out);
	if (!copy)
		return 0;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			rc = -errno;
		close(dfd);
	}
	free(copy);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *to = NULL;
	struct cli_progress prog;
	struct memimage *m = NULL;
	enum conv_fmt fmt;
	char err[512], msg[512], tmp[4096], cmd[4352];
	struct stat st;
	struct kinfo ki;
	int i, fd = -1, rc, ret;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			conv_usage(stdout);
			return RD_EXIT_OK;
		} else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[++i];
		} else if (!strncmp(argv[i], "--to=", 5)) {
			to = argv[i] + 5;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error(CONV_CMD, "unknown option '%s'", argv[i]);
			conv_usage(stderr);
			return RD_EXIT_USAGE;
		} else if (!in) {
			in = argv[i];
		} else if (!out) {
			out = argv[i];
		} else {
			conv_usage(stderr);
			return RD_EXIT_USAGE;
		}
	}
	if (!in || !out || !to || conv_parse_fmt(to, &fmt) < 0) {
		conv_usage(stderr);
		return RD_EXIT_USAGE;
	}
	if (lstat(out, &st) == 0) {
		cli_error(CONV_CMD, "%s exists; not overwriting it", out);
		return RD_EXIT_REFUSED;
	}
	if (stat(in, &st) < 0 && !strchr(in, '=') && !strchr(in, ':')) {
		cli_error(CONV_CMD, "%s: %s", in, strerror(errno));
		return RD_EXIT_TARGET;
	}
	m = mi_open(in, err, sizeof(err));
	if (!m) {
		cli_error(CONV_CMD, "%s", err);
		return stat(in, &st) == 0 ? RD_EXIT_NOTRD : RD_EXIT_TARGET;
	}
	fd = conv_tmp_open(out, tmp, sizeof(tmp));
	if (fd < 0) {
		cli_error(CONV_CMD, "cannot create a file next to %s: %s", out, strerror(-fd));
		ret = RD_EXIT_IO;
		goto close_image;
	}
	cli_progress_init(&prog, "converting");
	msg[0] = '\0';
	if (fmt == CONV_ELF)
		rc = mi_write_elf(m, fd, cli_progress, &prog, msg, sizeof(msg));
	else if (fmt == CONV_LKCD)
		rc = mi_write_lkcd(m, fd, cli_progress, &prog, msg, sizeof(msg));
	else
		rc = mi_write_kdump(m, fd, cli_progress, &prog, msg, sizeof(msg));
	cli_progress_done(&prog);
	if (rc == 0)
		rc = conv_tmp_commit(fd, tmp, out);
	close(fd);
	if (rc < 0) {
		unlink(tmp);
		conv_sig_tmp[0] = '\0';
		cli_error(CONV_CMD, "writing %s: %s", out, msg[0] ? msg : strerror(-rc));
		ret = rc == -EEXIST ? RD_EXIT_REFUSED : RD_EXIT_IO;
		goto close_image;
	}

	kinfo_gather(m, &ki);
	{
		const char *kind = m->kind;

		m->kind = fmt == CONV_ELF ? "elf" : fmt == CONV_LKCD ? "lkcd" : "kdump";
		kinfo_crash_cmd(m, &ki, out, cmd, sizeof(cmd));
		m->kind = kind;
	}
	printf("%s: %s dump written\n", out, fmt == CONV_ELF ? "ELF" : fmt == CONV_LKCD ?
	       "LKCD" : "kdump-compressed");
	printf("open with: %s\n", cmd);
	if (fmt == CONV_LKCD && !ki.have_phys_base)
		printf("note: no phys_base in VMCOREINFO; crash may need -m phys_base=...\n");
	kinfo_free(&ki);
	ret = RD_EXIT_OK;
	if (m->partial) {
		cli_warn(CONV_CMD, "the input dump is partial (%" PRIu64 " bytes missing); so is %s",
			 m->missing_bytes, out);
		ret = RD_EXIT_PARTIAL;
	}
close_image:
	mi_close(m);
	return ret;
}
