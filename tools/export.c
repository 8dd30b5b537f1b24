/*
 * tools/export.c - the output formats and the export step of save and
 * convert (tools/export.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "outfile.h"
#include "progress.h"
#include "image/kinfo.h"

static const struct export_fmt export_fmts[] = {
	{ "elf", { NULL, NULL }, "elf", "ELF", mi_write_elf },
	{ "lcrash", { "lkcd", NULL }, "lkcd", "LKCD", mi_write_lkcd },
	{ "kdump", { "kdump-compressed", NULL }, "kdump", "kdump-compressed", mi_write_kdump },
};

const struct export_fmt *export_fmt_find(const char *name, int with_aliases)
{
	size_t i, a;

	for (i = 0; i < sizeof(export_fmts) / sizeof(export_fmts[0]); i++) {
		const struct export_fmt *f = &export_fmts[i];

		if (!strcmp(name, f->name))
			return f;
		for (a = 0; with_aliases && a < 2 && f->aliases[a]; a++)
			if (!strcmp(name, f->aliases[a]))
				return f;
	}
	return NULL;
}

enum export_step export_file(int dfd, const char *name, export_fill_fn fill, void *ctx,
			     int *rc, char *msg, size_t msgsz)
{
	char tmp[320];
	enum export_step step = EXPORT_OK;
	int fd;

	msg[0] = '\0';
	*rc = 0;
	fd = outfile_create(dfd, name, tmp, sizeof(tmp));
	if (fd < 0) {
		*rc = fd;
		return EXPORT_CREATE;
	}
	*rc = fill(fd, ctx, msg, msgsz);
	if (*rc)
		step = EXPORT_WRITE;
	if (!step && fsync(fd) != 0) {
		*rc = -errno;
		step = EXPORT_FSYNC;
	}
	if (close(fd) != 0 && !step) {
		*rc = -errno;
		step = EXPORT_CLOSE;
	}
	if (!step) {
		*rc = outfile_publish(dfd, tmp, name);
		if (*rc)
			step = EXPORT_PUBLISH;
	}
	if (step) {
		outfile_abandon(dfd, tmp);
		return step;
	}
	if (fsync(dfd) != 0) {
		*rc = -errno;
		return EXPORT_SYNCDIR;
	}
	return EXPORT_OK;
}

struct export_vmcore {
	struct memimage *m;
	const struct export_fmt *f;
	struct progress prog;
};

static int export_fill_vmcore(int fd, void *ctx, char *msg, size_t msgsz)
{
	struct export_vmcore *v = ctx;
	int rc = v->f->write(v->m, fd, progress_update, &v->prog, msg, msgsz);

	progress_done(&v->prog, rc == 0);
	return rc;
}

enum export_step export_write(struct memimage *m, const struct export_fmt *f, int dfd,
			      const char *name, const char *what, int quiet, int *rc,
			      char *msg, size_t msgsz)
{
	struct export_vmcore v = { .m = m, .f = f };

	progress_init(&v.prog, what, quiet);
	return export_file(dfd, name, export_fill_vmcore, &v, rc, msg, msgsz);
}

/* What the sizes of every format start from: the memory of m's real
 * ranges (*mem), their top address (*top), and the non-zero bytes to write
 * - data_bytes when the input knows it (a rawdump partition), else every
 * page it holds less what it says is excluded or missing. */
static uint64_t export_extent(const struct memimage *m, uint64_t data_bytes, uint64_t *mem,
			      uint64_t *top)
{
	uint64_t gone;
	size_t i;

	*mem = *top = 0;
	for (i = 0; i < m->nranges; i++) {
		if (m->ranges[i].flags & MI_ALIAS)
			continue;
		*mem += m->ranges[i].size;
		if (m->ranges[i].paddr + m->ranges[i].size > *top)
			*top = m->ranges[i].paddr + m->ranges[i].size;
	}
	if (data_bytes)
		return data_bytes;
	gone = mi_excluded_total(m) * MI_PAGE + m->missing_bytes;
	return *mem > gone ? *mem - gone : 0;
}

uint64_t export_need_bytes(const struct memimage *m, const struct export_fmt *f,
			   uint64_t data_bytes)
{
	uint64_t mem, top, pages, fixed;

	data_bytes = export_extent(m, data_bytes, &mem, &top);
	pages = mem / MI_PAGE;
	/* headers, notes and alignment of every format */
	fixed = m->notes_size + (uint64_t)(m->nranges + 2) * 64 + 4 * MI_PAGE;
	if (!strcmp(f->name, "elf"))
		return data_bytes + fixed;	/* zero pages are holes */
	if (!strcmp(f->name, "kdump"))	/* 2 bitmaps + a descriptor per page */
		return data_bytes + fixed + 2 * (top / MI_PAGE / 8 + MI_PAGE) + pages * 24;
	/* LKCD: a page header per page, zero pages stored compressed */
	return data_bytes + fixed + pages * 64;
}

uint64_t export_least_bytes(const struct memimage *m, const struct export_fmt *f,
			    uint64_t data_bytes)
{
	uint64_t mem, top, pages, fixed;

	if (!strcmp(f->name, "elf"))
		return export_need_bytes(m, f, data_bytes);
	pages = export_extent(m, data_bytes, &mem, &top) / MI_PAGE;
	fixed = m->notes_size + MI_PAGE;
	if (!strcmp(f->name, "kdump"))	/* 2 bitmaps + 24-byte descriptors */
		return fixed + 2 * (top / MI_PAGE / 8) + pages * 24;
	return fixed + pages * 16;	/* LKCD: 16-byte page headers */
}

enum export_room export_space_check(int dfd, uint64_t least, uint64_t need, char *msg,
				    size_t msgsz)
{
	char have_s[32], need_s[32], least_s[32];
	struct statvfs vfs;
	uint64_t have;

	if (fstatvfs(dfd, &vfs) != 0)
		return EXPORT_ROOM_YES;	/* cannot tell: let the write find out */
	have = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (have >= need)
		return EXPORT_ROOM_YES;
	cli_size(have, have_s, sizeof(have_s));
	cli_size(need, need_s, sizeof(need_s));
	cli_size(least, least_s, sizeof(least_s));
	if (least >= need) {
		snprintf(msg, msgsz, "the filesystem has %s free, the output needs up to %s",
			 have_s, need_s);
		return EXPORT_ROOM_NO;
	}
	if (have < least) {
		snprintf(msg, msgsz, "the filesystem has %s free, the output needs at least %s "
			 "(up to %s)", have_s, least_s, need_s);
		return EXPORT_ROOM_NO;
	}
	snprintf(msg, msgsz, "the filesystem has %s free, the compressed output needs %s to %s: "
		 "trying (a full filesystem keeps nothing)", have_s, least_s, need_s);
	return EXPORT_ROOM_MAYBE;
}

int export_rc_nospace(int rc)
{
	return rc == -ENOSPC || rc == -EDQUOT || rc == -EFBIG;
}

void export_print_how(struct memimage *m, const struct export_fmt *f, const char *path,
		      int phys_base_note)
{
	const char *kind = m->kind;
	char cmd[4352], sum[512];
	struct kinfo ki;

	kinfo_gather(m, &ki);
	m->kind = f->kind;
	kinfo_crash_cmd(m, &ki, path, cmd, sizeof(cmd));
	m->kind = kind;
	printf("open with: %s\n", cmd);
	if (phys_base_note && !strcmp(f->kind, "lkcd") && !ki.have_phys_base)
		printf("note: no phys_base in VMCOREINFO; crash may need -m phys_base=...\n");
	kinfo_free(&ki);
	cli_excl_summary(m, sum, sizeof(sum));
	if (sum[0])
		printf("%s\n", sum);
}
