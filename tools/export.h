/*
 * tools/export.h - writing a memory image out as a vmcore, the one step
 * `rawdump save` and `rawdump convert` share (tools/export.c): the table of
 * output formats (name, aliases, writer, what crash opens it with) and
 * create -> write -> fsync -> publish through tools/outfile.h.
 */
#ifndef RAWDUMP_TOOLS_EXPORT_H
#define RAWDUMP_TOOLS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "image/memimage.h"

struct export_fmt {
	const char *name;	/* as on the command line: "elf", "lcrash", "kdump" */
	const char *aliases[2];	/* other names `rawdump convert --to` takes */
	const char *kind;	/* memimage kind of the result, for the crash command */
	const char *label;	/* "ELF", "LKCD", "kdump-compressed" */
	int (*write)(struct memimage *m, int fd, mi_progress_fn pr, void *ctx,
		     char *msg, size_t msgsz);
};

/* The format called name (aliases too when with_aliases), or NULL. */
const struct export_fmt *export_fmt_find(const char *name, int with_aliases);

/* Which step of export_write failed. */
enum export_step {
	EXPORT_OK = 0,
	EXPORT_CREATE,		/* the temp file could not be created */
	EXPORT_WRITE,		/* the writer failed (msg may say why) */
	EXPORT_FSYNC,		/* fsync of the file */
	EXPORT_CLOSE,		/* close of the file */
	EXPORT_PUBLISH,		/* the rename to name (-EEXIST: name appeared) */
	EXPORT_SYNCDIR,		/* fsync of the directory, after the rename */
};

/* Fill a fresh empty file fd; 0 or a negative errno (msg: why). */
typedef int (*export_fill_fn)(int fd, void *ctx, char *msg, size_t msgsz);

/* A new file dfd/name: temp file (tools/outfile.h), fill, fsync, close,
 * rename without replacing, fsync of the directory. Returns EXPORT_OK, or
 * the failed step with -errno in *rc (and fill's reason in msg for
 * EXPORT_WRITE, else msg is ""); the temp file is removed on every failure
 * before the rename. */
enum export_step export_file(int dfd, const char *name, export_fill_fn fill, void *ctx,
			     int *rc, char *msg, size_t msgsz);

/* export_file of m written as f, with progress (tools/progress.h) labelled
 * what unless quiet. */
enum export_step export_write(struct memimage *m, const struct export_fmt *f, int dfd,
			      const char *name, const char *what, int quiet, int *rc,
			      char *msg, size_t msgsz);

/* Bytes the filesystem must have free to hold m written as f: an upper
 * bound. data_bytes: the non-zero memory when the input knows it (a rawdump
 * partition), else 0 (every page held counts). ELF: data + headers (zero
 * pages are holes); kdump and LKCD: data uncompressed + per-page
 * descriptors, bitmaps and headers. */
uint64_t export_need_bytes(const struct memimage *m, const struct export_fmt *f,
			   uint64_t data_bytes);

/* The least bytes m written as f can take: ELF the same as
 * export_need_bytes (pages are stored as they are); kdump and LKCD, which
 * compress page by page, only their headers, bitmaps and one descriptor or
 * page header per non-zero page. */
uint64_t export_least_bytes(const struct memimage *m, const struct export_fmt *f,
			    uint64_t data_bytes);

/* Room for an output of least..need bytes on the filesystem of dfd:
 * EXPORT_ROOM_NO when it has less than least free (msg: "the filesystem
 * has X free, the output needs up to Y" or "at least Y (up to Z)"),
 * EXPORT_ROOM_MAYBE when less than need (msg: the warning to print; the
 * write may still fill it: ENOSPC), EXPORT_ROOM_YES otherwise or when the
 * free space cannot be read. */
enum export_room { EXPORT_ROOM_YES, EXPORT_ROOM_MAYBE, EXPORT_ROOM_NO };
enum export_room export_space_check(int dfd, uint64_t least, uint64_t need, char *msg,
				    size_t msgsz);

/* Did an export fail because the filesystem filled up (ENOSPC, EDQUOT,
 * EFBIG)? The command then exits RD_EXIT_NOSPACE. */
int export_rc_nospace(int rc);

/* On stdout: "open with: CMD" (the crash command line that opens the
 * exported file at path; for LKCD with phys_base_note, a note when
 * VMCOREINFO has no phys_base), then the excluded-pages summary line. */
void export_print_how(struct memimage *m, const struct export_fmt *f, const char *path,
		      int phys_base_note);

#endif
