/*
 * tools/cmd_save.c - `rawdump save [TARGET] [-o DIR] [--format F] [--name N]`:
 * read the dump on a rawdump partition (tools/image/partition.c) and save it as an
 * ELF vmcore (or LKCD / kdump-compressed), then mark the partition SAVED.
 *
 * The output never replaces anything: it is written to a temp file created
 * in DIR with O_CREAT|O_EXCL|O_NOFOLLOW mode 0600, fsync'ed, renamed with
 * RENAME_NOREPLACE (link+unlink where the filesystem lacks it), and DIR is
 * fsync'ed; a failure or a signal removes the temp file. Missing memory of
 * a partial dump is listed range by range and the exit status is 6.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "image/excl.h"
#include "config.h"
#include "export.h"
#include "image/memimage.h"
#include "image/partition.h"
#include "disk/target.h"
#include "disk/partheader.h"

#define SAVE_DEFAULT_DIR	"/var/crash"

static const char save_usage[] =
	"usage: rawdump save [TARGET] [-o DIR] [--format elf|lcrash|kdump] [--name NAME]\n"
	"Save the dump on TARGET (default: the one rawdump partition holding an\n"
	"unsaved dump) into DIR (default: output_dir of /etc/rawdump.conf, else\n"
	SAVE_DEFAULT_DIR "), then mark it saved.\n"
	"  -o, --output DIR    directory for the dump file\n"
	"  -F, --format FMT    elf (default; for crash and gdb), lcrash (LKCD v8),\n"
	"                      kdump (makedumpfile's kdump-compressed)\n"
	"  -n, --name NAME     file name (default vmcore-YYYYmmdd-HHMMSS[.lcrash|.kdump])\n"
	"Exit 6 when the dump was saved but is partial; the missing memory is listed.\n";

struct save_find {
	char spec[PATH_MAX];	/* the first one found */
	char names[1024];	/* every one found, ", " between, "..." when cut */
	int found;
};

static int save_find_unsaved(void *ctx, const char *dev)
{
	struct save_find *f = ctx;
	struct rd_part_header h;
	struct target t;

	if (target_open(dev, O_RDONLY, &t, NULL, 0) != 0)
		return 0;
	if (part_has_magic(&t) && part_header_read(&t, &h, NULL, NULL) == 0 &&
	    (h.state == RD_STATE_WRITING || h.state == RD_STATE_COMPLETE)) {
		size_t len = strlen(f->names);

		if (!f->found)
			snprintf(f->spec, sizeof(f->spec), "%s", dev);
		if (len + strlen(dev) + 8 < sizeof(f->names))
			snprintf(f->names + len, sizeof(f->names) - len, "%s%s",
				 f->found ? ", " : "", dev);
		else if (len + 5 < sizeof(f->names) && !strstr(f->names, "..."))
			snprintf(f->names + len, sizeof(f->names) - len, ", ...");
		f->found++;
	}
	target_close(&t);
	return 0;
}

static int save_mark(const char *spec, uint64_t dump_id, char *err, size_t errsz)
{
	struct rd_part_header h;
	struct target t;
	int rc;

	rc = target_open(spec, O_RDWR, &t, err, errsz);
	if (rc)
		return rc;
	if (t.kind == TARGET_IMAGE_DISK) {
		target_close(&t);
		rc = target_open(spec, O_RDONLY, &t, err, errsz);
		if (!rc)
			rc = target_pick_rawdump(&t, err, errsz);
		if (!rc) {
			char sub[PATH_MAX + 16];

			snprintf(sub, sizeof(sub), "%s:%d", t.path, t.partno);
			target_close(&t);
			rc = target_open(sub, O_RDWR, &t, err, errsz);
		}
		if (rc)
			return rc;
	}
	rc = part_header_read(&t, &h, NULL, NULL);
	if (rc) {
		snprintf(err, errsz, "partition header unreadable now");
		goto out;
	}
	if (h.dump_id != dump_id) {
		snprintf(err, errsz, "the partition holds another dump now");
		rc = -ESTALE;
		goto out;
	}
	h.state = RD_STATE_SAVED;
	h.saved_time = (uint64_t)time(NULL);
	rc = part_header_write(&t, &h);
	if (rc)
		snprintf(err, errsz, "%s", strerror(-rc));
out:
	target_close(&t);
	return rc;
}

static void save_default_name(const struct memimage *m, const char *fmt, char *out, size_t outsz)
{
	char stamp[32];

	/* a crash time that is no date (hostile or broken header): name the
	 * file by the time of the save instead */
	if (cli_utc(m->crash_time, "%Y%m%d-%H%M%S", stamp, sizeof(stamp)) &&
	    cli_utc((uint64_t)time(NULL), "%Y%m%d-%H%M%S", stamp, sizeof(stamp)))
		snprintf(stamp, sizeof(stamp), "unknown");
	snprintf(out, outsz, "vmcore-%s%s", stamp,
		 !strcmp(fmt, "lcrash") ? ".lcrash" : !strcmp(fmt, "kdump") ? ".kdump" : "");
}

static void save_report_missing(struct memimage *m)
{
	const struct rdr_missing *miss;
	size_t i, n = rdr_missing(m, &miss);
	char sz[32];

	for (i = 0; i < n; i++)
		fprintf(stderr, "rawdump: save: missing 0x%016llx-0x%016llx (%s): %s\n",
			(unsigned long long)miss[i].paddr,
			(unsigned long long)(miss[i].paddr + miss[i].size - 1),
			cli_size(miss[i].size, sz, sizeof(sz)), rdr_missing_name(miss[i].why));
}

/* Write m as f to dir/outname (tools/export.c); each failed step gets its
 * message. An exit code. */
static int save_export(struct memimage *m, const struct export_fmt *f, int dfd,
		       const char *dir, const char *outname)
{
	char msg[512];
	int rc;
	enum export_step step = export_write(m, f, dfd, outname, "saving", &rc, msg, sizeof(msg));

	switch (step) {
	case EXPORT_OK:
		return RD_EXIT_OK;
	case EXPORT_CREATE:
		cli_error("save", "cannot create a file in %s: %s", dir, strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_WRITE:
		cli_error("save", "%s/%s: %s", dir, outname, msg[0] ? msg : strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_FSYNC:
	case EXPORT_CLOSE:
		cli_error("save", "%s/%s: %s: %s", dir, outname,
			  step == EXPORT_FSYNC ? "fsync" : "close", strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_PUBLISH:
		if (rc == -EEXIST) {
			cli_error("save", "%s/%s appeared meanwhile; not overwriting it", dir, outname);
			return RD_EXIT_REFUSED;
		}
		cli_error("save", "cannot name the file %s/%s: %s", dir, outname, strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_SYNCDIR:
		cli_error("save", "fsync %s: %s", dir, strerror(-rc));
		return RD_EXIT_IO;
	}
	return RD_EXIT_IO;
}

struct save_opts {
	const char *dir, *fmt, *name;
	const struct export_fmt *f;
};

/* Step 1: options, with the configuration's output_dir as the default.
 * An exit code, or -1 to go on. */
static int save_parse(int argc, char **argv, struct save_opts *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct rd_config conf;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:F:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->dir = optarg;
			break;
		case 'F':
			o->fmt = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'h':
			fputs(save_usage, stdout);
			return RD_EXIT_OK;
		default:
			fputs(save_usage, stderr);
			return RD_EXIT_USAGE;
		}
	}
	if (!o->dir) {
		/* output_dir of /etc/rawdump.conf; a broken file does not stop a save */
		if (config_load(NULL, &conf, err, sizeof(err)) != 0)
			cli_error("save", "ignoring the configuration: %s", err);
		o->dir = conf.output_dir[0] ? conf.output_dir : SAVE_DEFAULT_DIR;
	}
	o->f = export_fmt_find(o->fmt, 0);
	if (!o->f) {
		cli_error("save", "unknown format '%s' (elf, lcrash or kdump)", o->fmt);
		return RD_EXIT_USAGE;
	}
	if (o->name && (!*o->name || strchr(o->name, '/') || !strcmp(o->name, ".") ||
			!strcmp(o->name, "..") || strlen(o->name) > 200)) {
		cli_error("save", "bad --name '%s': a plain file name is needed", o->name);
		return RD_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fputs(save_usage, stderr);
		return RD_EXIT_USAGE;
	}
	return -1;
}

/* The closing complaint of a partial or suspect dump. */
static void save_report_partial(struct memimage *m, const struct rdr_info *in)
{
	char sz[32];

	if (m->missing_bytes)
		cli_error("save", "the dump is partial: %s of memory missing%s%s",
			  cli_size(m->missing_bytes, sz, sizeof(sz)),
			  in->have_end ? "" : " (the capture did not finish)",
			  in->corrupt_blocks ? " (corrupt blocks on disk)" : "");
	else
		cli_error("save", "all memory saved, but the dump is suspect: "
			  "%llu bad block headers, %llu refused blocks, %llu blocks of "
			  "failed writes, block count %s, index crc %s",
			  (unsigned long long)in->bad_headers,
			  (unsigned long long)in->rejected_blocks,
			  (unsigned long long)in->ignored_blocks,
			  in->count_ok == 1 ? "ok" : "wrong",
			  in->index_ok == 1 ? "ok" : "wrong");
	save_report_missing(m);
}

int cmd_save(int argc, char **argv)
{
	struct save_opts o = { .fmt = "elf" };
	const char *dir, *fmt, *name;
	char err[512], outname[256], sz[32], sz2[32];
	struct save_find find = { .found = 0 };
	const struct rdr_info *in;
	const struct export_fmt *f;
	struct memimage *m = NULL;
	struct target t;
	const char *spec;
	struct stat st;
	enum rdr_err why;
	int rc, ret, dfd = -1;

	ret = save_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	dir = o.dir;
	fmt = o.fmt;
	name = o.name;
	f = o.f;
	if (optind < argc) {
		spec = argv[optind];
	} else {
		target_for_each_blockdev(save_find_unsaved, &find);
		if (find.found == 0) {
			cli_error("save", "no rawdump partition holds an unsaved dump");
			return RD_EXIT_NOTRD;
		}
		if (find.found > 1) {
			cli_error("save", "%d rawdump partitions hold unsaved dumps (%s); name one",
				  find.found, find.names);
			return RD_EXIT_USAGE;
		}
		spec = find.spec;
	}

	rc = target_open(spec, O_RDONLY, &t, err, sizeof(err));
	if (!rc && t.kind == TARGET_IMAGE_DISK)
		rc = target_pick_rawdump(&t, err, sizeof(err));
	if (rc) {
		cli_error("save", "%s", err);
		return RD_EXIT_TARGET;
	}
	m = rdr_open(&t, &why, err, sizeof(err));
	if (!m) {
		target_close(&t);
		cli_error("save", "%s: %s", spec, err);
		return cli_exit_rdr(why);
	}
	in = rdr_info(m);
	if (in->data_bytes + in->zero_bytes == 0) {
		cli_error("save", "%s: no memory of the dump could be recovered", spec);
		save_report_missing(m);
		ret = RD_EXIT_CORRUPT;
		goto out;
	}
	if (mi_extent_check(m, err, sizeof(err)) < 0) {	/* every writer would refuse it */
		cli_error("save", "%s: %s", spec, err);
		ret = RD_EXIT_CORRUPT;
		goto out;
	}
	if (in->part.state == RD_STATE_SAVED)
		cli_warn("save", "%s: this dump was saved before; saving it again", spec);

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		cli_error("save", "cannot open directory %s: %s", dir, strerror(errno));
		ret = RD_EXIT_TARGET;
		goto out;
	}
	if (name)
		snprintf(outname, sizeof(outname), "%s", name);
	else
		save_default_name(m, fmt, outname, sizeof(outname));
	if (fstatat(dfd, outname, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
		cli_error("save", "%s/%s already exists; not overwriting it", dir, outname);
		ret = RD_EXIT_REFUSED;
		goto out;
	}
	if (!strcmp(fmt, "elf")) {
		struct statvfs vfs;

		if (fstatvfs(dfd, &vfs) == 0 &&
		    (uint64_t)vfs.f_bavail * vfs.f_frsize < in->data_bytes) {
			cli_error("save", "%s has %s free; the dump needs %s", dir,
				  cli_size((uint64_t)vfs.f_bavail * vfs.f_frsize, sz, sizeof(sz)),
				  cli_size(in->data_bytes, sz2, sizeof(sz2)));
			ret = RD_EXIT_IO;
			goto out;
		}
	}

	ret = save_export(m, f, dfd, dir, outname);
	if (ret != RD_EXIT_OK)
		goto out;
	printf("saved %s/%s (%s format, %s of memory)\n", dir, outname, fmt,
	       cli_size(in->data_bytes + in->zero_bytes, sz, sizeof(sz)));
	{
		char path[4096 + 256];

		snprintf(path, sizeof(path), "%s/%s", dir, outname);
		export_print_how(m, f, path, 0);
	}

	rc = save_mark(spec, in->dump.dump_id, err, sizeof(err));
	if (rc) {
		cli_error("save", "%s: saved, but cannot mark the partition saved: %s", spec, err);
		ret = RD_EXIT_IO;
		goto out;
	}
	ret = RD_EXIT_OK;
	if (m->partial) {
		save_report_partial(m, in);
		ret = RD_EXIT_PARTIAL;
	}
out:
	if (dfd >= 0)
		close(dfd);
	mi_close(m);
	return ret;
}
