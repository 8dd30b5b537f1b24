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
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "armed.h"
#include "cli.h"
#include "estimate.h"
#include "disk/target.h"
#include "disk/partheader.h"
#include "jsonout.h"

static const char status_usage[] =
	"usage: rawdump status [--proc-root DIR] [TARGET...]\n"
	"List the rawdump partitions of this system (or the TARGETs named) with\n"
	"their state, then whether a capture kernel is armed, and how much space\n"
	"a dump at the armed (or configured) dump level needs; warns when the\n"
	"partition is smaller. --proc-root reads DIR/proc instead of /proc.\n"
	"  --json  one JSON object instead (keys: rawdump(8), JSON OUTPUT)\n";

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

/* --json: one partition into the array; a named target that is not one
 * with its error, others found while scanning left out. */
struct status_json_ctx {
	struct json_object *parts;
	int named;
};

static int status_json_one(void *ctx, const char *spec)
{
	struct status_json_ctx *s = ctx;
	struct rd_part_header h;
	char err[512], uuid[PART_UUID_STR], partuuid[64], id[20];
	const char *why = NULL;
	struct json_object *e;
	struct target t;
	int opened, ok = 0;

	opened = target_open(spec, O_RDONLY, &t, err, sizeof(err)) == 0;
	if (!opened)
		why = err;
	else if (s->named && t.kind == TARGET_IMAGE_DISK && target_pick_rawdump(&t, err, sizeof(err)))
		why = err;
	else if (!part_has_magic(&t))
		why = "not a rawdump partition";
	else if (part_header_read(&t, &h, NULL, NULL) != 0)
		why = "rawdump signature, but both headers are bad";
	else
		ok = 1;
	if (!ok && !s->named && (!opened || !part_has_magic(&t))) {
		if (opened)
			target_close(&t);
		return 0;
	}
	partuuid[0] = '\0';
	if (ok) {
		part_uuid_format(h.uuid, uuid);
		snprintf(id, sizeof(id), "%016" PRIx64, h.dump_id);
		if (t.kind == TARGET_BLK_PART)
			status_partuuid(t.path, partuuid, sizeof(partuuid));
	}
	e = json_object_new_object();
	jo_put(e, "target", jo_str(spec));
	jo_put(e, "device", opened ? jo_str(t.path) : NULL);
	jo_put(e, "error", jo_str(why));
	jo_put(e, "state", ok ? jo_str(part_state_name(h.state)) : NULL);
	jo_put(e, "uuid", ok ? jo_str(uuid) : NULL);
	jo_put(e, "label", ok ? jo_strn((const char *)h.label, sizeof(h.label)) : NULL);
	jo_put(e, "part_size", opened ? jo_u64(t.size) : NULL);
	jo_put(e, "partuuid", partuuid[0] ? jo_str(partuuid) : NULL);
	jo_put(e, "dump_id", ok && h.state != RD_STATE_EMPTY ? jo_str(id) : NULL);
	if (opened)
		target_close(&t);
	json_object_array_add(s->parts, e);
	return 0;
}

/* `status --json`: the partitions (named, or every one found) and the arm state. */
static int status_json(int argc, char **argv, int first)
{
	struct json_object *o = json_object_new_object();
	struct status_json_ctx s = { json_object_new_array(), first < argc };
	char cmdline[ARM_CMDLINE_MAX];
	uint64_t crash = 0;
	int i, armed;

	if (s.named)
		for (i = first; i < argc; i++)
			status_json_one(&s, argv[i]);
	else
		target_for_each_blockdev(status_json_one, &s);
	armed = arm_armed_cmdline(cmdline, sizeof(cmdline)) == 0;
	jo_put(o, "schema_version", jo_u64(1));
	jo_put(o, "partitions", s.parts);
	jo_put(o, "crash_kernel_loaded", jo_bool(arm_crash_loaded()));
	jo_put(o, "armed", jo_bool(armed));
	jo_put(o, "armed_cmdline", armed ? jo_str(cmdline) : NULL);
	jo_put(o, "armed_bytes", armed ? jo_u64(arm_armed_bytes()) : NULL);
	jo_put(o, "crashkernel_bytes", arm_crash_size(&crash) == 0 ? jo_u64(crash) : NULL);
	return jo_print(stdout, o) ? RD_EXIT_IO : RD_EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_ctx s = { 0, 0, 0 };
	const char *root = NULL;
	uint64_t part;
	int c, i, json = 0;

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
		if (c == 'j') {
			json = 1;
			continue;
		}
		fputs(status_usage, stderr);
		return RD_EXIT_USAGE;
	}
	if (json)
		return status_json(argc, argv, optind);
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
