/*
 * tools/cmd_clear.c - `rawdump clear TARGET` (alias `discard`): mark the
 * dump waiting on a rawdump partition as not wanted, without saving it.
 *
 * Only the partition header's state changes, to RD_STATE_CLEARED
 * (include/rawdump/format.h): the UUID, so the armed minikernel's command
 * line, stays valid and the dump's blocks stay readable for `info` (and
 * `save --force`) until the next capture overwrites them. Both header
 * copies are rewritten (part_header_write, tools/disk/partheader.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "disk/partheader.h"
#include "disk/target.h"

static const char clear_usage[] =
	"usage: rawdump clear TARGET   (alias: rawdump discard TARGET)\n"
	"Mark the dump waiting on TARGET as not wanted (state cleared): status stops\n"
	"reporting it, the next capture may overwrite it; the UUID stays.\n"
	"  -h, --help    this text\n";

/* t opened read-write on the rawdump partition spec names (a disk image:
 * its one rawdump partition). 0 or an exit code, after saying why. */
static int clear_open(const char *cmd, const char *spec, struct target *t)
{
	char err[512], sub[PATH_MAX + 16];

	if (target_open(spec, O_RDWR, t, err, sizeof(err))) {
		cli_error(cmd, "%s", err);
		return RD_EXIT_TARGET;
	}
	if (t->kind != TARGET_IMAGE_DISK)
		return 0;
	if (target_pick_rawdump(t, err, sizeof(err))) {
		cli_error(cmd, "%s", err);
		return RD_EXIT_NOTRD;
	}
	snprintf(sub, sizeof(sub), "%s:%d", t->path, t->partno);
	target_close(t);
	if (target_open(sub, O_RDWR, t, err, sizeof(err))) {
		cli_error(cmd, "%s", err);
		return RD_EXIT_TARGET;
	}
	return 0;
}

int cmd_clear(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	struct rd_part_header h;
	struct target t;
	int c, rc, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(clear_usage, stdout);
			return RD_EXIT_OK;
		}
		return cli_getopt_error(cmd, argv, c);
	}
	if (optind != argc - 1)
		return cli_usage_error(cmd, optind == argc ? "no TARGET" : "one TARGET only");
	ret = clear_open(cmd, argv[optind], &t);
	if (ret)
		return ret;
	rc = part_header_read(&t, &h, NULL, NULL);
	if (rc) {
		cli_error(cmd, "%s is not a rawdump partition (%s)", argv[optind],
			  rc == -EIO ? strerror(EIO) : "no valid header");
		ret = rc == -EIO ? RD_EXIT_IO : RD_EXIT_NOTRD;
		goto out;
	}
	if (h.state != RD_STATE_WRITING && h.state != RD_STATE_COMPLETE) {
		printf("%s: no dump waiting (state %s); nothing to clear\n", argv[optind],
		       part_state_name(h.state));
		ret = RD_EXIT_OK;
		goto out;
	}
	h.state = RD_STATE_CLEARED;
	rc = part_header_write(&t, &h);
	if (rc) {
		cli_error(cmd, "%s: writing the header: %s", argv[optind], strerror(-rc));
		ret = RD_EXIT_IO;
		goto out;
	}
	printf("%s: dump %016llx cleared (not saved); the next capture may overwrite it\n",
	       argv[optind], (unsigned long long)h.dump_id);
	ret = RD_EXIT_OK;
out:
	target_close(&t);
	return ret;
}
