/*
 * tools/export.c - the output formats and the export step of save and
 * convert (tools/export.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "outfile.h"
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

enum export_step export_write(struct memimage *m, const struct export_fmt *f, int dfd,
			      const char *name, const char *what, int *rc,
			      char *msg, size_t msgsz)
{
	struct cli_progress prog;
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
	cli_progress_init(&prog, what);
	*rc = f->write(m, fd, cli_progress, &prog, msg, msgsz);
	cli_progress_done(&prog);
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
