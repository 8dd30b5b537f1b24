/*
 * tools/cmd_save.c - `rawdump save [TARGET] [-o DIR] [--format F] [--name N]
 * [--boot] [--quiet]`: read the dump on a rawdump partition
 * (tools/image/partition.c), save it as an ELF vmcore (or LKCD /
 * kdump-compressed), then mark the partition SAVED.
 *
 * Without --name the output is a directory per dump (Documentation/operator.md
 * "Saving"): DIR/YYYYmmdd-HHMMSS-DUMPID/ (0700) holding vmcore[.lcrash|.kdump],
 * dmesg.txt, info.txt and info.json; max_dumps of the configuration then
 * removes the oldest such directories. With --name, one file DIR/NAME.
 *
 * Nothing is ever replaced: every file is a temp file created in its
 * directory with O_CREAT|O_EXCL|O_NOFOLLOW mode 0600, fsync'ed, renamed with
 * RENAME_NOREPLACE, and the directory fsync'ed (tools/export.c); a failure or
 * a signal removes the temp file. The free space is checked first (exit 16).
 * Missing memory of a partial dump is listed range by range and the exit
 * status is 6.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
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
#include "info.h"
#include "image/excl.h"
#include "image/kinfo.h"
#include "config.h"
#include "export.h"
#include "image/memimage.h"
#include "image/partition.h"
#include "disk/target.h"
#include "disk/partheader.h"

#define SAVE_DEFAULT_DIR	"/var/crash"
#define SAVE_UNKNOWN_TIME	"unknown-time"

static const char save_usage[] =
	"usage: rawdump save [TARGET] [-o DIR] [--format elf|lcrash|kdump] [--name NAME] [--quiet]\n"
	"       rawdump save --boot [--quiet]\n"
	"Save the dump on TARGET (default: the one rawdump partition holding an\n"
	"unsaved dump) into DIR (default: output_dir of /etc/rawdump.conf, else\n"
	SAVE_DEFAULT_DIR "), then mark it saved.\n"
	"  -o, --output DIR    where the dump directory YYYYmmdd-HHMMSS-DUMPID goes\n"
	"  -F, --format FMT    elf (default; for crash and gdb), lcrash (LKCD v8),\n"
	"                      kdump (makedumpfile's kdump-compressed)\n"
	"  -n, --name NAME     one file DIR/NAME instead of the dump directory\n"
	"  -b, --boot          target, formats, output_dir from the configuration;\n"
	"                      exit 0 when no dump is waiting (the boot service)\n"
	"  -q, --quiet         no progress lines\n"
	"  -f, --force         save a dump that rawdump clear marked as not wanted\n"
	"  -h, --help          this text\n"
	"Exit 6 when the dump was saved but is partial; the missing memory is listed.\n"
	"Exit 16 when DIR's filesystem has less free space than the output needs.\n";

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

/* The dump directory: crash time (UTC) and the first 8 hex digits of the
 * dump id; a crash time that is no date (hostile or broken header) gives
 * "unknown-time-DUMPID", which max_dumps never removes. */
static void save_dir_name(const struct memimage *m, uint64_t dump_id, char *out, size_t outsz)
{
	char stamp[32];

	if (cli_utc(m->crash_time, "%Y%m%d-%H%M%S", stamp, sizeof(stamp)))
		snprintf(stamp, sizeof(stamp), "%s", SAVE_UNKNOWN_TIME);
	snprintf(out, outsz, "%s-%08" PRIx32, stamp, (uint32_t)(dump_id >> 32));
}

/* 1 when n is named like a dated dump directory: YYYYmmdd-HHMMSS-xxxxxxxx. */
static int save_is_dump_dir(const char *n)
{
	static const char pat[] = "99999999-999999-ffffffff";
	size_t i;

	if (strlen(n) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++) {
		if (pat[i] == '-' ? n[i] != '-' :
		    pat[i] == '9' ? !(n[i] >= '0' && n[i] <= '9') :
		    !((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int save_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove dfd/name: its regular files, then the directory itself (which
 * fails, and is reported, when anything else is inside). Never follows a
 * symlink. 0 or -errno. */
static int save_remove_dump_dir(int dfd, const char *name)
{
	struct dirent *e;
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			unlinkat(fd, e->d_name, 0);
	}
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR) ? -errno : 0;
}

/* max_dumps: remove the oldest (by name: crash time) dump directories of
 * dfd beyond max, never keep (the one just written). */
static void save_rotate(int dfd, const char *dir, const char *keep, int max)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, i, count;
	struct dirent *e;
	struct stat st;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		cli_warn("save", "max_dumps: cannot list %s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (!save_is_dump_dir(e->d_name) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), save_cmp_names);
	for (i = 0, count = n; i < n && count > (size_t)max; i++) {
		if (!strcmp(names[i], keep))
			continue;
		rc = save_remove_dump_dir(dfd, names[i]);
		if (rc)
			cli_warn("save", "max_dumps = %d: cannot remove %s/%s: %s", max, dir,
				 names[i], strerror(-rc));
		else
			printf("removed %s/%s (max_dumps = %d)\n", dir, names[i], max);
		count--;
	}
	if (n > (size_t)max)
		fsync(dfd);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
		       const char *dir, const char *outname, int quiet)
{
	char msg[512], what[256];
	int rc;
	enum export_step step;

	snprintf(what, sizeof(what), "saving %s", outname);
	step = export_write(m, f, dfd, outname, what, quiet, &rc, msg, sizeof(msg));

	switch (step) {
	case EXPORT_OK:
		return RD_EXIT_OK;
	case EXPORT_CREATE:
		cli_error("save", "cannot create a file in %s: %s", dir, strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_WRITE:
		if (export_rc_nospace(rc)) {
			cli_error("save", "%s/%s: %s: nothing kept", dir, outname, strerror(-rc));
			return RD_EXIT_NOSPACE;
		}
		cli_error("save", "%s/%s: %s", dir, outname, msg[0] ? msg : strerror(-rc));
		return RD_EXIT_IO;
	case EXPORT_FSYNC:
	case EXPORT_CLOSE:
		cli_error("save", "%s/%s: %s: %s%s", dir, outname,
			  step == EXPORT_FSYNC ? "fsync" : "close", strerror(-rc),
			  export_rc_nospace(rc) ? ": nothing kept" : "");
		return export_rc_nospace(rc) ? RD_EXIT_NOSPACE : RD_EXIT_IO;
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
	const struct export_fmt *f[3];	/* the formats to write, NULL-padded */
	int boot, quiet, max_dumps;
	const char *target;		/* --boot: the configuration's, "" = find it */
	int force;			/* --force: save a cleared dump too */
};

/* The comma list of formats (config formats =) into o->f. 0 or -1. */
static int save_formats(const char *list, struct save_opts *o, const char *where)
{
	char buf[64], *tok, *sp;
	size_t n = 0, i;
	const struct export_fmt *f;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", ", &sp); tok; tok = strtok_r(NULL, ", ", &sp)) {
		f = export_fmt_find(tok, 1);
		if (!f) {
			cli_error("save", "%s: unknown format '%s' (elf, lcrash or kdump)", where, tok);
			return -1;
		}
		for (i = 0; i < n && o->f[i] != f; i++)
			;
		if (i == n && n < 3)
			o->f[n++] = f;
	}
	if (!n)
		o->f[0] = export_fmt_find("elf", 0);
	return 0;
}

/* Step 1: options, with the configuration's output_dir as the default.
 * An exit code, or -1 to go on. */
static int save_parse(int argc, char **argv, struct save_opts *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "name", required_argument, NULL, 'n' },
		{ "boot", no_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct rd_config conf;
	char err[512];
	int c, crc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:F:n:fbqh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->force = 1;
			break;
		case 'o':
			o->dir = optarg;
			break;
		case 'F':
			o->fmt = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'b':
			o->boot = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			fputs(save_usage, stdout);
			return RD_EXIT_OK;
		default:
			return cli_getopt_error("save", argv, c);
		}
	}
	crc = config_load(NULL, &conf, err, sizeof(err));
	if (o->boot) {
		if (o->dir || o->fmt || o->name || optind < argc) {
			cli_error("save", "--boot takes target, formats and output_dir "
				  "from the configuration only");
			return RD_EXIT_USAGE;
		}
		if (crc) {	/* the boot service must not guess */
			cli_error("save", "%s", err);
			return RD_EXIT_USAGE;
		}
		o->target = conf.target;
		o->dir = conf.output_dir[0] ? conf.output_dir : SAVE_DEFAULT_DIR;
		if (save_formats(conf.formats, o, conf.path[0] ? conf.path : "formats"))
			return RD_EXIT_USAGE;
	} else {
		/* a broken file does not stop a manual save */
		if (crc) {
			cli_error("save", "ignoring the configuration: %s", err);
			memset(&conf, 0, sizeof(conf));
		}
		if (!o->dir)
			o->dir = conf.output_dir[0] ? conf.output_dir : SAVE_DEFAULT_DIR;
		if (!o->fmt)
			o->fmt = "elf";
		o->f[0] = export_fmt_find(o->fmt, 0);
		if (!o->f[0]) {
			cli_error("save", "unknown format '%s' (elf, lcrash or kdump)", o->fmt);
			return RD_EXIT_USAGE;
		}
	}
	o->max_dumps = conf.max_dumps;
	if (o->name && (!*o->name || strchr(o->name, '/') || !strcmp(o->name, ".") ||
			!strcmp(o->name, "..") || strlen(o->name) > 200)) {
		cli_error("save", "bad --name '%s': a plain file name is needed", o->name);
		return RD_EXIT_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error("save", "one TARGET only ('%s' is a second)", argv[optind + 1]);
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

/* dmesg.txt, info.txt, info.json of the dump directory */
struct save_aux {
	const struct target *t;	/* the partition (its fd taken over by m) */
	struct memimage *m;
	const struct kinfo *ki;	/* gathered once from m for the three files */
	int json;		/* info: 0 text, 1 JSON; -1: the kernel log */
};

static int save_fill_aux(int fd, void *ctx, char *msg, size_t msgsz)
{
	struct save_aux *a = ctx;
	int fd2 = dup(fd), rc = 0;
	FILE *out = fd2 >= 0 ? fdopen(fd2, "w") : NULL;

	if (!out) {
		rc = -errno;
		if (fd2 >= 0)
			close(fd2);
		return rc;
	}
	if (a->json < 0)
		info_print_log_ki(a->ki, out);
	else
		info_report_open(out, a->t, a->m, a->ki, a->json);
	if (ferror(out))
		rc = -EIO;
	if (fclose(out) != 0 && !rc)
		rc = -errno;
	if (rc)
		snprintf(msg, msgsz, "%s", strerror(-rc));
	return rc;
}

/* The three text files, each unless there already (a second format of the
 * same dump): a warning when one cannot be written, the vmcore matters more.
 * The dump is not read again: the report comes from the open m, and the
 * kernel is introspected once for all three. */
static void save_aux_files(const struct target *t, struct memimage *m, int dfd, const char *path)
{
	static const char *const names[] = { "dmesg.txt", "info.txt", "info.json" };
	struct kinfo ki;
	char msg[512];
	struct stat st;
	int i, rc, gathered = 0;

	fflush(stdout);
	for (i = 0; i < 3; i++) {
		struct save_aux a = { t, m, &ki, i - 1 };

		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (!gathered) {
			kinfo_gather(m, &ki);
			gathered = 1;
		}
		if (export_file(dfd, names[i], save_fill_aux, &a, &rc, msg, sizeof(msg)) != EXPORT_OK)
			cli_warn("save", "%s/%s: %s", path, names[i], strerror(-rc));
	}
	if (gathered)
		kinfo_free(&ki);
}

/* The dump directory dir/sub (created 0700 when missing) opened in *sdfd.
 * An exit code. */
static int save_open_dump_dir(int odfd, const char *dir, const char *sub, int *sdfd)
{
	if (mkdirat(odfd, sub, 0700) == 0) {
		if (fsync(odfd) != 0) {
			cli_error("save", "fsync %s: %s", dir, strerror(errno));
			return RD_EXIT_IO;
		}
	} else if (errno != EEXIST) {
		cli_error("save", "cannot create %s/%s: %s", dir, sub, strerror(errno));
		return RD_EXIT_IO;
	}
	*sdfd = openat(odfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*sdfd < 0) {
		cli_error("save", "%s/%s exists and is not a directory; not using it", dir, sub);
		return RD_EXIT_REFUSED;
	}
	return RD_EXIT_OK;
}

/* One format of m into dir (flat: name) or dir/sub/vmcore[.lcrash|.kdump].
 * An exit code. */
static int save_one(struct memimage *m, const struct rdr_info *in, const struct target *t,
		    const struct save_opts *o, int odfd, const char *sub,
		    const struct export_fmt *f)
{
	char file[64], path[PATH_MAX + 64], msg[256], sz[32];
	const char *outname = o->name;
	int ret, sdfd = odfd;
	struct stat st;

	if (!outname) {
		snprintf(file, sizeof(file), "vmcore%s",
			 !strcmp(f->name, "lcrash") ? ".lcrash" :
			 !strcmp(f->name, "kdump") ? ".kdump" : "");
		outname = file;
		snprintf(path, sizeof(path), "%s/%s", o->dir, sub);
		/* a vmcore there is refused before anything is written */
		sdfd = openat(odfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sdfd >= 0 && fstatat(sdfd, outname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			cli_error("save", "%s/%s already exists; not overwriting it", path, outname);
			close(sdfd);
			return RD_EXIT_REFUSED;
		}
		if (sdfd >= 0)
			close(sdfd);
		sdfd = odfd;
	} else {
		snprintf(path, sizeof(path), "%s", o->dir);
		if (fstatat(odfd, outname, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			cli_error("save", "%s/%s already exists; not overwriting it", path, outname);
			return RD_EXIT_REFUSED;
		}
	}
	switch (export_space_check(odfd, export_least_bytes(m, f, in->data_bytes),
				   export_need_bytes(m, f, in->data_bytes), msg, sizeof(msg))) {
	case EXPORT_ROOM_NO:
		cli_error("save", "%s: %s", o->dir, msg);
		return RD_EXIT_NOSPACE;
	case EXPORT_ROOM_MAYBE:
		cli_warn("save", "%s: %s", o->dir, msg);
		break;
	case EXPORT_ROOM_YES:
		break;
	}
	if (!o->name) {
		ret = save_open_dump_dir(odfd, o->dir, sub, &sdfd);
		if (ret != RD_EXIT_OK)
			return ret;
		save_aux_files(t, m, sdfd, path);
	}
	ret = save_export(m, f, sdfd, path, outname, o->quiet);
	if (ret == RD_EXIT_OK) {
		char full[PATH_MAX + 128];

		snprintf(full, sizeof(full), "%s/%s", path, outname);
		printf("saved %s (%s format, %s of memory)\n", full, f->name,
		       cli_size(in->data_bytes + in->zero_bytes, sz, sizeof(sz)));
		export_print_how(m, f, full, 0);
	}
	if (sdfd != odfd)
		close(sdfd);
	return ret;
}

/* --boot: is a dump waiting on the configured target (or, with none
 * configured, on the one partition holding one)? 1 yes (spec set), 0
 * nothing to save (said on stdout), or an exit code + 2. */
static int save_boot_waiting(const struct save_opts *o, char *spec, size_t specsz)
{
	struct save_find find = { .found = 0 };
	struct rd_part_header h;
	struct target t;
	char err[512];

	if (!o->target[0]) {
		target_for_each_blockdev(save_find_unsaved, &find);
		if (find.found == 0) {
			printf("no dump waiting on any rawdump partition; nothing to save\n");
			return 0;
		}
		if (find.found > 1) {
			cli_error("save", "%d rawdump partitions hold unsaved dumps (%s); set target",
				  find.found, find.names);
			return RD_EXIT_USAGE + 2;
		}
		snprintf(spec, specsz, "%s", find.spec);
		return 1;
	}
	snprintf(spec, specsz, "%s", o->target);
	if (target_open(spec, O_RDONLY, &t, err, sizeof(err)) ||
	    (t.kind == TARGET_IMAGE_DISK && target_pick_rawdump(&t, err, sizeof(err)))) {
		cli_error("save", "%s", err);
		return RD_EXIT_TARGET + 2;
	}
	if (!part_has_magic(&t) || part_header_read(&t, &h, NULL, NULL) != 0) {
		target_close(&t);
		cli_error("save", "%s: not a rawdump partition", spec);
		return RD_EXIT_NOTRD + 2;
	}
	target_close(&t);
	if (h.state != RD_STATE_WRITING && h.state != RD_STATE_COMPLETE) {
		printf("%s: no dump waiting (state %s); nothing to save\n", spec,
		       part_state_name(h.state));
		return 0;
	}
	return 1;
}

int cmd_save(int argc, char **argv)
{
	struct save_opts o = { .dir = NULL };
	char err[512], sub[64], bootspec[PATH_MAX];
	struct save_find find = { .found = 0 };
	const struct rdr_info *in;
	struct memimage *m = NULL;
	struct target t;
	const char *spec;
	enum rdr_err why;
	int rc, ret, odfd = -1;
	size_t i;

	ret = save_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.boot) {
		rc = save_boot_waiting(&o, bootspec, sizeof(bootspec));
		if (rc != 1)
			return rc ? rc - 2 : RD_EXIT_OK;
		spec = bootspec;
		/* the configured output directory may not exist yet */
		if (mkdir(o.dir, 0700) != 0 && errno != EEXIST) {
			cli_error("save", "cannot create %s: %s", o.dir, strerror(errno));
			return RD_EXIT_TARGET;
		}
	} else if (optind < argc) {
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
	if (in->part.state == RD_STATE_CLEARED && !o.force) {
		cli_error("save", "%s: this dump was cleared (rawdump clear: not wanted); "
			  "save --force saves it anyway", spec);
		ret = RD_EXIT_REFUSED;
		goto out;
	}
	odfd = open(o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (odfd < 0) {
		cli_error("save", "cannot open directory %s: %s", o.dir, strerror(errno));
		ret = RD_EXIT_TARGET;
		goto out;
	}
	save_dir_name(m, in->dump.dump_id, sub, sizeof(sub));
	/* another format into the dump's directory is no surprise */
	if (in->part.state == RD_STATE_SAVED &&
	    (o.name || faccessat(odfd, sub, F_OK, AT_SYMLINK_NOFOLLOW) != 0))
		cli_warn("save", "%s: this dump was saved before; saving it again", spec);
	for (i = 0, ret = RD_EXIT_OK; i < 3 && o.f[i] && ret == RD_EXIT_OK; i++)
		ret = save_one(m, in, &t, &o, odfd, sub, o.f[i]);
	if (ret != RD_EXIT_OK)
		goto out;

	rc = save_mark(spec, in->dump.dump_id, err, sizeof(err));
	if (rc) {
		cli_error("save", "%s: saved, but cannot mark the partition saved: %s", spec, err);
		ret = RD_EXIT_IO;
		goto out;
	}
	if (!o.name && o.max_dumps > 0)
		save_rotate(odfd, o.dir, sub, o.max_dumps);
	if (m->partial) {
		save_report_partial(m, in);
		ret = RD_EXIT_PARTIAL;
	}
out:
	if (odfd >= 0)
		close(odfd);
	mi_close(m);
	return ret;
}
