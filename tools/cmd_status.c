/*
 * tools/cmd_status.c - `rawdump status [TARGET...]`: every rawdump partition
 * on the system (each block device in /sys/class/block whose header slot
 * holds our magic; PARTUUID and PARTLABEL from libblkid's partition probe),
 * or the named targets, with their state; then the arm state
 * (arm_status_print, tools/arm.c).
 */
#include <blkid/blkid.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "armed.h"
#include "cli.h"
#include "estimate.h"
#include "disk/target.h"
#include "disk/partheader.h"

static const char status_usage[] =
	"usage: rawdump status [--proc-root DIR] [TARGET...]\n"
	"List the rawdump partitions of this system (or the TARGETs named) with\n"
	"their state, then whether a capture kernel is armed, and how much space\n"
	"a dump at the armed (or configured) dump level needs; warns when the\n"
	"partition is smaller. --proc-root reads DIR/proc instead of /proc.\n";

/* PARTUUID of a partition block device, "" if unknown. */
static void status_partuuid(const char *dev, char *out, size_t outsz)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *v;

	out[0] = '\0';
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0 &&
	    blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &v, NULL) == 0)
		snprintf(out, outsz, "%s", v);
	blkid_free_probe(pr);
}

struct status_ctx {
	int count;
	int named;		/* targets named on the command line */
	uint64_t smallest;	/* size of the smallest rawdump partition listed */
};

static int status_one(void *ctx, const char *spec)
{
	struct status_ctx *s = ctx;
	struct rd_part_header h;
	char err[512], uuid[PART_UUID_STR], partuuid[64], sz[32], label[33];
	struct target t;

	if (target_open(spec, O_RDONLY, &t, err, sizeof(err)) != 0) {
		if (s->named)
			cli_error("status", "%s", err);
		return 0;
	}
	if (s->named && t.kind == TARGET_IMAGE_DISK && target_pick_rawdump(&t, err, sizeof(err)) != 0) {
		cli_error("status", "%s", err);
		goto out;
	}
	if (!part_has_magic(&t)) {
		if (s->named)
			printf("%-24s not a rawdump partition\n", spec);
		goto out;
	}
	if (part_header_read(&t, &h, NULL, NULL) != 0) {
		printf("%-24s rawdump signature, but both headers are bad\n", spec);
		s->count++;
		goto out;
	}
	part_uuid_format(h.uuid, uuid);
	memcpy(label, h.label, 32);
	label[32] = '\0';
	partuuid[0] = '\0';
	if (t.kind == TARGET_BLK_PART)
		status_partuuid(t.path, partuuid, sizeof(partuuid));
	printf("%-24s %-8s uuid %s  %s", spec, part_state_name(h.state), uuid,
	       cli_size(t.size, sz, sizeof(sz)));
	if (partuuid[0])
		printf("  PARTUUID=%s", partuuid);
	if (label[0])
		printf("  label \"%s\"", label);
	putchar('\n');
	s->count++;
	if (!s->smallest || t.size < s->smallest)
		s->smallest = t.size;
out:
	target_close(&t);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_ctx s = { 0, 0, 0 };
	const char *root = NULL;
	uint64_t part;
	int c, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(status_usage, stdout);
			return RD_EXIT_OK;
		}
		if (c == 'r') {
			root = optarg;
			continue;
		}
		fputs(status_usage, stderr);
		return RD_EXIT_USAGE;
	}
	if (optind < argc) {
		s.named = 1;
		for (i = optind; i < argc; i++)
			status_one(&s, argv[i]);
	} else {
		target_for_each_blockdev(status_one, &s);
		if (!s.count)
			printf("no rawdump partitions found\n");
	}
	fflush(stdout);
	arm_status_print(stdout);
	part = arm_armed_bytes();
	estimate_report(stdout, "status", estimate_configured_level(), root, part ? part : s.smallest);
	return RD_EXIT_OK;
}
