/*
 * tools/cmd_status.c - `rawdump status [TARGET...]`: every rawdump partition
 * on the system (each block device in /sys/class/block whose header slot
 * holds our magic; PARTUUID and PARTLABEL from libblkid's partition probe),
 * or the named targets, with their state; then the arm state
 * (arm_status_print, tools/arm.c).
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
	"usage: rawdump status [-q] [--proc-root DIR] [TARGET...]\n"
	"List the rawdump partitions of this system (or the TARGETs named) with\n"
	"their state, then whether a capture kernel is armed, and how much space\n"
	"a dump at the armed (or configured) dump level needs; warns when the\n"
	"partition is smaller. The exit status answers first what matters most:\n"
	"2/5 error, 13 a dump waiting, 15 armed but stale, 14 not armed, 0 ready.\n"
	"  -q, --quiet          print nothing, only exit\n"
	"      --json           one JSON object instead (keys: rawdump(8), JSON OUTPUT)\n"
	"      --proc-root DIR  read DIR/proc instead of /proc (for the estimate)\n"
	"  -h, --help           this text\n";

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
	int waiting;		/* partitions holding a dump not saved or cleared */
	int error;		/* RD_EXIT_TARGET or RD_EXIT_IO when one could not be read */
	int denied;		/* a block device refused us (not root?) */
	uint64_t smallest;	/* size of the smallest rawdump partition listed */
};

/* Note an open or read failure rc (negative errno): 5 for I/O, else 2. */
static void status_failed(struct status_ctx *s, int rc)
{
	int code = rc == -EIO ? RD_EXIT_IO : RD_EXIT_TARGET;

	if (!s->error || code == RD_EXIT_TARGET)
		s->error = code;
}

static int status_one(void *ctx, const char *spec)
{
	struct status_ctx *s = ctx;
	struct rd_part_header h;
	char err[512], uuid[PART_UUID_STR], partuuid[64], sz[32], label[33];
	struct target t;
	int rc;

	rc = target_open(spec, O_RDONLY, &t, err, sizeof(err));
	if (rc) {
		/* enumerating, a device that cannot be opened (an empty drive)
		 * is not ours to report, but a refusal hides what it holds */
		if (s->named) {
			cli_error("status", "%s", err);
			status_failed(s, rc);
		} else if ((rc == -EACCES || rc == -EPERM) && !s->denied++) {
			cli_error("status", "%s (run as root to see every partition)", err);
			status_failed(s, rc);
		}
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
	rc = part_header_read(&t, &h, NULL, NULL);
	if (rc == -EIO) {
		cli_error("status", "%s: cannot read the partition header: %s", spec, strerror(EIO));
		status_failed(s, rc);
		goto out;
	}
	if (rc) {
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
	if (h.state == RD_STATE_WRITING || h.state == RD_STATE_COMPLETE)
		s->waiting++;
	if (!s->smallest || t.size < s->smallest)
		s->smallest = t.size;
out:
	target_close(&t);
	return 0;
}

/* The code of the arm state: 0 ready, RD_EXIT_STALE (why says what no
 * longer matches), RD_EXIT_NOTARMED, or an error code (why says it). */
static int status_arm_code(char *why, size_t whysz)
{
	char text[8192];
	int rc;

	why[0] = '\0';
	if (arm_owner(text, sizeof(text)) != ARM_OURS)
		return RD_EXIT_NOTARMED;
	rc = arm_stale(text, why, whysz);
	if (rc < 0)
		return rc == -EIO ? RD_EXIT_IO : RD_EXIT_TARGET;
	return rc ? RD_EXIT_STALE : RD_EXIT_OK;
}

/* The exit status of status, in the documented order: an error (2/5) >
 * 13 a dump waiting > the arm state (15 stale, 14 not armed, 0). */
static int status_exit(int error, int waiting, int armed)
{
	if (error)
		return error;
	if (armed == RD_EXIT_TARGET || armed == RD_EXIT_IO)
		return armed;
	if (waiting)
		return RD_EXIT_WAITING;
	return armed;
}

/* The arm state lines, then what makes it stale; status_arm_code's code. */
static int status_armed(void)
{
	char why[PATH_MAX + 256];
	int rc;

	fflush(stdout);
	arm_status_print(stdout);
	rc = status_arm_code(why, sizeof(why));
	if (rc == RD_EXIT_IO || rc == RD_EXIT_TARGET)
		cli_error("status", "%s", why);
	else if (rc == RD_EXIT_STALE)
		printf("armed stale: %s; run rawdump arm again\n", why);
	return rc;
}

/* --json: one partition into the array; a named target that is not one
 * with its error, others found while scanning left out. */
struct status_json_ctx {
	struct json_object *parts;
	int named;
	int waiting;		/* as struct status_ctx */
	int error;
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
	if (!ok && s->named && !s->error)
		s->error = RD_EXIT_TARGET;
	if (ok && (h.state == RD_STATE_WRITING || h.state == RD_STATE_COMPLETE))
		s->waiting++;
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
	struct status_json_ctx s = { json_object_new_array(), first < argc, 0, 0 };
	char cmdline[ARM_CMDLINE_MAX], why[PATH_MAX + 256];
	uint64_t crash = 0;
	int i, armed, code;

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
	code = status_arm_code(why, sizeof(why));
	jo_put(o, "stale", code == RD_EXIT_STALE ? jo_str(why) : NULL);
	if (jo_print(stdout, o))
		return RD_EXIT_IO;
	return status_exit(s.error, s.waiting, code);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_ctx s = { 0 };
	const char *root = NULL;
	uint64_t part;
	int c, i, armed, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(status_usage, stdout);
			return RD_EXIT_OK;
		case 'q':
			/* like savecore -C: the exit status is the answer */
			if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
				return RD_EXIT_IO;
			break;
		case 'r':
			root = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return cli_getopt_error("status", argv, c);
		}
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
	armed = status_armed();
	part = arm_armed_bytes();
	estimate_report(stdout, "status", estimate_configured_level(), root, part ? part : s.smallest);
	return status_exit(s.error, s.waiting, armed);
}
