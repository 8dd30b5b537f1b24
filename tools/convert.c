/*
 * tools/convert.c - `rawdump convert IN OUT --to elf|lcrash|kdump`: read any
 * dump rawdump understands (partition, image, ELF, LKCD, kdump-compressed)
 * and write it in another format, with the output rules of `rawdump save`
 * (tools/outfile.c: 0600 temp file, never through a symlink, fsync, a
 * rename that replaces nothing).
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
#include "image/excl.h"
#include "image/formats.h"
#include "outfile.h"
#include "image/kinfo.h"

#define CONV_CMD "convert"

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

/* The directory of path (opened) and its last component. */
static int conv_out_dir(const char *path, char *name, size_t namesz)
{
	char *c1 = strdup(path), *c2 = strdup(path);
	int dfd = -ENOMEM;

	if (c1 && c2) {
		if ((size_t)snprintf(name, namesz, "%s", basename(c2)) >= namesz) {
			dfd = -ENAMETOOLONG;
		} else {
			dfd = open(dirname(c1), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				dfd = -errno;
		}
	}
	free(c1);
	free(c2);
	return dfd;
}

int cmd_convert(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *to = NULL;
	struct cli_progress prog;
	struct memimage *m = NULL;
	enum conv_fmt fmt;
	char err[512], msg[512], tmp[320], name[256], cmd[4352];
	struct stat st;
	struct kinfo ki;
	int i, fd = -1, dfd = -1, rc, ret;

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
	if (mi_extent_check(m, err, sizeof(err)) < 0) {	/* every writer would refuse it */
		cli_error(CONV_CMD, "%s: %s", in, err);
		mi_close(m);
		return RD_EXIT_CORRUPT;
	}
	dfd = conv_out_dir(out, name, sizeof(name));
	fd = dfd < 0 ? dfd : outfile_create(dfd, name, tmp, sizeof(tmp));
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
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0)
		rc = outfile_publish(dfd, tmp, name);
	if (rc == 0 && fsync(dfd) != 0)
		rc = -errno;
	if (rc < 0) {
		outfile_abandon(dfd, tmp);
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
	cli_excl_summary(m, msg, sizeof(msg));
	if (msg[0])
		printf("%s\n", msg);
	kinfo_free(&ki);
	ret = RD_EXIT_OK;
	if (m->partial) {
		cli_warn(CONV_CMD, "the input dump is partial (%" PRIu64 " bytes missing); so is %s",
			 m->missing_bytes, out);
		ret = RD_EXIT_PARTIAL;
	}
close_image:
	if (dfd >= 0)
		close(dfd);
	mi_close(m);
	return ret;
}
