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
#include "export.h"
#include "image/kinfo.h"

#define CONV_CMD "convert"

/* ------------------------------------------------------------------ */
/* rawdump convert                                                     */
/* ------------------------------------------------------------------ */

static void conv_usage(FILE *out)
{
	fprintf(out,
		"usage: rawdump convert IN OUT --to elf|lcrash|kdump [--quiet]\n"
		"  IN   a rawdump partition or disk image (as for rawdump save), or an\n"
		"       ELF vmcore, LKCD or kdump-compressed file\n"
		"  OUT  a new file (never overwritten; written 0600 via a temp file)\n"
		"  --to FMT    the output format: elf, lcrash or kdump\n"
		"  -q, --quiet no progress lines\n"
		"  -h, --help  this text\n"
		"Exit 16 when OUT's filesystem has less free space than OUT needs.\n");
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
	const struct export_fmt *fmt = NULL;
	struct memimage *m = NULL;
	enum export_step step;
	char err[512], msg[512], name[256];
	struct stat st;
	int i, dfd = -1, rc, ret, quiet = 0;
	uint64_t need;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			conv_usage(stdout);
			return RD_EXIT_OK;
		} else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[++i];
		} else if (!strncmp(argv[i], "--to=", 5)) {
			to = argv[i] + 5;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error(CONV_CMD, "unknown option %s", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else if (!out) {
			out = argv[i];
		} else {
			return cli_usage_error(CONV_CMD, "IN and OUT only ('%s' is a third)", argv[i]);
		}
	}
	if (!in || !out)
		return cli_usage_error(CONV_CMD, "need IN and OUT");
	if (!to)
		return cli_usage_error(CONV_CMD, "need --to elf|lcrash|kdump");
	if (!(fmt = export_fmt_find(to, 1)))
		return cli_usage_error(CONV_CMD, "--to %s: allowed elf, lcrash, kdump", to);
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
	if (dfd < 0) {
		cli_error(CONV_CMD, "cannot create a file next to %s: %s", out, strerror(-dfd));
		ret = RD_EXIT_IO;
		goto close_image;
	}
	need = export_need_bytes(m, fmt, 0);
	switch (export_space_check(dfd, export_least_bytes(m, fmt, 0), need, msg, sizeof(msg))) {
	case EXPORT_ROOM_NO:
		cli_error(CONV_CMD, "%s: %s", out, msg);
		ret = RD_EXIT_NOSPACE;
		goto close_image;
	case EXPORT_ROOM_MAYBE:
		cli_warn(CONV_CMD, "%s: %s", out, msg);
		break;
	case EXPORT_ROOM_YES:
		break;
	}
	step = export_write(m, fmt, dfd, name, "converting", quiet, &rc, msg, sizeof(msg));
	if (step == EXPORT_CREATE) {
		cli_error(CONV_CMD, "cannot create a file next to %s: %s", out, strerror(-rc));
		ret = RD_EXIT_IO;
		goto close_image;
	}
	if (step) {
		if (export_rc_nospace(rc)) {
			cli_error(CONV_CMD, "writing %s: %s: nothing kept", out, strerror(-rc));
			ret = RD_EXIT_NOSPACE;
			goto close_image;
		}
		cli_error(CONV_CMD, "writing %s: %s", out, msg[0] ? msg : strerror(-rc));
		ret = rc == -EEXIST ? RD_EXIT_REFUSED : RD_EXIT_IO;
		goto close_image;
	}
	printf("%s: %s dump written\n", out, fmt->label);
	export_print_how(m, fmt, out, 1);
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
