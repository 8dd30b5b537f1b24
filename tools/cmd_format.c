/*
 * tools/cmd_format.c - `rawdump format TARGET [--force] [--label L]`: write
 * an empty rawdump partition header (primary at 0, backup at
 * rd_part_backup_offset(size); include/rawdump/format.h) with a random UUID.
 *
 * Without --force it refuses, writing nothing, when the target is a whole
 * disk, when libblkid finds any superblock (filesystem, RAID, LVM, swap...)
 * or partition table in it, or when it holds a dump that was not saved.
 * With --force, the signatures libblkid finds are wiped first (as wipefs
 * does) so no stale filesystem or RAID member is seen there afterwards.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arm.h"
#include "armed.h"
#include "cli.h"
#include "disk/target.h"
#include "disk/partheader.h"
#include "writer.h"

static const char fmt_usage[] =
	"usage: rawdump format TARGET [--force] [--label LABEL]\n"
	"Make TARGET (a partition, a tag such as PARTLABEL=x, an image FILE or\n"
	"FILE:N) an empty rawdump dump partition.\n"
	"  -f, --force        format even over a filesystem, partition table,\n"
	"                     whole disk or unsaved dump (their signatures are wiped)\n"
	"  -L, --label LABEL  free text stored in the header (up to 31 bytes)\n"
	"  -h, --help         this text\n"
	"The armed partition (rawdump status) is refused; --force formats it and arms\n"
	"again with the arguments it was armed with.\n";

/* Is t the partition rawdump arm armed (this boot, still loaded)? The
 * record's text into text. */
static int fmt_is_armed(const struct target *t, char *text, size_t textsz)
{
	char dev[PATH_MAX];
	struct stat st;

	return t->rdev && arm_owner(text, textsz) == ARM_OURS &&
	       arm_state_get(text, "device", dev, sizeof(dev)) && stat(dev, &st) == 0 &&
	       S_ISBLK(st.st_mode) && st.st_rdev == t->rdev;
}

/* Erase every signature libblkid finds (superblocks and partition tables). */
static int fmt_wipe(const struct target *t)
{
	int rc;
	blkid_probe pr = target_blkid_probe(t, &rc);

	if (!pr)
		return rc;
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	while (blkid_do_probe(pr) == 0) {
		if (blkid_do_wipe(pr, 0) != 0) {
			rc = -EIO;
			break;
		}
	}
	blkid_free_probe(pr);
	return rc;
}

int cmd_format(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "label", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rd_part_header old, h;
	const char *label = "";
	char err[512], what[128], uuid[PART_UUID_STR], sz[32];
	struct target t;
	int force = 0, c, rc, ret, have_old, armed;
	static char armed_text[16384];
	static uint8_t zero_slot[RD_SLOT_SIZE];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fL:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'L':
			label = optarg;
			break;
		case 'h':
			fputs(fmt_usage, stdout);
			return RD_EXIT_OK;
		default:
			return cli_getopt_error("format", argv, c);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("format", optind == argc ? "no TARGET" : "one TARGET only");
	if (strlen(label) >= sizeof(h.label))
		return cli_usage_error("format", "--label: longer than %zu bytes", sizeof(h.label) - 1);
	rc = target_open(argv[optind], O_RDWR, &t, err, sizeof(err));
	if (rc) {
		cli_error("format", "%s", err);
		return RD_EXIT_TARGET;
	}
	if (t.rdev) {
		/* O_EXCL on a block device fails while it is mounted or held,
		 * even with --force. */
		int fd = open(t.path, O_RDWR | O_EXCL | O_CLOEXEC);

		if (fd < 0) {
			cli_error("format", "%s is in use (mounted, swap, RAID or LVM): %s",
				  argv[optind], strerror(errno));
			ret = errno == EBUSY ? RD_EXIT_REFUSED : RD_EXIT_TARGET;
			goto out;
		}
		close(t.fd);
		t.fd = fd;
	}
	if (t.size < RD_MIN_PART_SIZE) {
		cli_error("format", "%s: %s is smaller than the %u KiB minimum", argv[optind],
			  cli_size(t.size, sz, sizeof(sz)), RD_MIN_PART_SIZE / 1024);
		ret = RD_EXIT_TARGET;
		goto out;
	}

	have_old = part_header_read(&t, &old, NULL, NULL) == 0;
	armed = fmt_is_armed(&t, armed_text, sizeof(armed_text));
	if (armed && !force) {
		cli_error("format", "%s is the armed dump partition: a new UUID would not match the "
			  "capture kernel's; format --force formats it and arms again", argv[optind]);
		ret = RD_EXIT_REFUSED;
		goto out;
	}
	if (!force) {
		if (t.kind == TARGET_BLK_DISK || t.kind == TARGET_IMAGE_DISK) {
			cli_error("format", "%s is a whole disk; name a partition (or use --force)",
				  argv[optind]);
			ret = RD_EXIT_REFUSED;
			goto out;
		}
		if (have_old && (old.state == RD_STATE_WRITING || old.state == RD_STATE_COMPLETE)) {
			cli_error("format", "%s holds a dump that was not saved (state %s); "
				  "run rawdump save first (or use --force)",
				  argv[optind], part_state_name(old.state));
			ret = RD_EXIT_REFUSED;
			goto out;
		}
		rc = target_probe_signature(&t, what, sizeof(what));
		if (rc < 0) {
			cli_error("format", "%s: libblkid probe failed", argv[optind]);
			ret = RD_EXIT_IO;
			goto out;
		}
		if (what[0]) {
			cli_error("format", "%s holds %s; refusing to overwrite it (use --force)",
				  argv[optind], what);
			ret = RD_EXIT_REFUSED;
			goto out;
		}
	} else {
		rc = fmt_wipe(&t);
		if (rc) {
			cli_error("format", "%s: wiping old signatures failed", argv[optind]);
			ret = RD_EXIT_IO;
			goto out;
		}
	}

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RD_PART_MAGIC, sizeof(h.magic));
	h.version = RD_FORMAT_VERSION;
	h.header_size = sizeof(h);
	if (getrandom(h.uuid, sizeof(h.uuid), 0) != (ssize_t)sizeof(h.uuid)) {
		cli_error("format", "getrandom: %s", strerror(errno));
		ret = RD_EXIT_IO;
		goto out;
	}
	h.uuid[6] = (uint8_t)((h.uuid[6] & 0x0f) | 0x40);	/* RFC 4122 version 4 */
	h.uuid[8] = (uint8_t)((h.uuid[8] & 0x3f) | 0x80);
	h.part_size = t.size;
	h.sector_size = t.sector_size;
	h.state = RD_STATE_EMPTY;
	h.generation = have_old ? old.generation + 1 : 1;
	h.format_time = (uint64_t)time(NULL);
	memcpy(h.label, label, strlen(label));

	/* An old dump header must not survive into the new partition. */
	rc = target_pwrite(&t, RD_DUMP_HDR_OFFSET, zero_slot, sizeof(zero_slot));
	if (!rc)
		rc = part_header_write(&t, &h);
	if (rc) {
		cli_error("format", "%s: writing the header: %s", argv[optind], strerror(-rc));
		ret = RD_EXIT_IO;
		goto out;
	}
	part_uuid_format(h.uuid, uuid);
	printf("formatted %s: rawdump partition, uuid %s, %s\n", argv[optind], uuid,
	       cli_size(t.size, sz, sizeof(sz)));
	ret = RD_EXIT_OK;
out:
	target_close(&t);
	if (ret == RD_EXIT_OK && armed) {
		char how[ARM_CMDLINE_MAX];

		printf("rawdump: %s was armed: arming again with the new uuid\n", argv[optind]);
		fflush(stdout);
		ret = arm_again(armed_text, how, sizeof(how));
		if (ret)
			cli_error("format", "formatted, but arming again failed: the capture kernel "
				  "still names the old uuid; fix the above, then run %s", how);
	}
	return ret;
}
