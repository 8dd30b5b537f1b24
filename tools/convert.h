/*
 * tools/convert.h - `rawdump convert IN OUT --to elf|lcrash|kdump`, the LKCD
 * and kdump-compressed readers, and the page walk the LKCD and
 * kdump-compressed writers share (tools/image/lkcd.c, tools/image/kdump.c).
 */
#ifndef RAWDUMP_CONVERT_H
#define RAWDUMP_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "image/memimage.h"

int cmd_convert(int argc, char **argv);

/* Readers, detected by content (mi_open dispatches to them). fd is open
 * read-only and owned by the memimage on success. */
struct memimage *mi_open_lkcd(int fd, const char *path, char *err, size_t errsz);
struct memimage *mi_open_kdump(int fd, const char *path, char *err, size_t errsz);

/* Content checks on the first bytes of a file (at least 16 bytes). */
int lkcd_probe(const void *head, size_t len);
int kdump_probe(const void *head, size_t len);

/* Every page of m's non-alias ranges, ascending, each page once. */
struct conv_pages {
	const struct memimage *m;
	size_t ri;
	uint64_t next;		/* next page address to look at */
};
void conv_pages_init(struct conv_pages *it, const struct memimage *m);
int conv_pages_next(struct conv_pages *it, uint64_t *paddr);	/* 1, or 0 at the end */
uint64_t conv_pages_total(const struct memimage *m);		/* number of pages */

int conv_page_is_zero(const void *page);
/* pwrite all of buf at off: 0 or -errno */
int conv_pwrite(int fd, const void *buf, size_t len, uint64_t off);
/* pread exactly len bytes at off: 0, -EIO at end of file, or -errno */
int conv_pread(int fd, void *buf, size_t len, uint64_t off);

#endif
