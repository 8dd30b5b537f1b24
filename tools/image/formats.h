/*
 * tools/image/formats.h - mi_open() (tools/image/detect.c) and the readers it
 * picks from.
 *
 * mi_open() resolves a target (tools/disk/target.h), looks at its first bytes and
 * calls one of these. Each returns a struct memimage (tools/image/memimage.h) or
 * NULL with a one-line reason in err. On success the memimage owns fd and
 * its close op closes it; on failure fd stays open and belongs to the caller.
 *
 *   mi_open_rawdump  tools/image/partition.c   rawdump partition at [offset, offset+size) of fd
 *   mi_open_elf      tools/image/elfread.c  ELF vmcore (ET_CORE)
 *   mi_open_lkcd     tools/image/lkcd.c     LKCD v8/v9 ("lcrash")
 *   mi_open_kdump    tools/image/kdump.c    kdump-compressed ("KDUMP   ")
 */
#ifndef RAWDUMP_TOOLS_FORMATS_H
#define RAWDUMP_TOOLS_FORMATS_H

#include <stddef.h>
#include <stdint.h>
#include "memimage.h"

struct memimage *mi_open_rawdump(int fd, uint64_t offset, uint64_t size,
				 const char *path, char *err, size_t errsz);
struct memimage *mi_open_elf(int fd, const char *path, char *err, size_t errsz);
struct memimage *mi_open_lkcd(int fd, const char *path, char *err, size_t errsz);
struct memimage *mi_open_kdump(int fd, const char *path, char *err, size_t errsz);

/* Content checks on the first bytes of a file (at least 16 bytes). */
int lkcd_probe(const void *head, size_t len);
int kdump_probe(const void *head, size_t len);

/* Open any supported input, detected by content. path may be a file or
 * a target spec (tools/disk/target.h). NULL with a one-line reason in err. */
struct memimage *mi_open(const char *path, char *err, size_t errsz);

#endif
