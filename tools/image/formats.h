/*
 * tools/image/formats.h - the container readers behind mi_open() (tools/image/memimage.c).
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
#ifndef RAWDUMP_TOOLS_READERS_H
#define RAWDUMP_TOOLS_READERS_H

#include <stddef.h>
#include <stdint.h>
#include "memimage.h"

struct memimage *mi_open_rawdump(int fd, uint64_t offset, uint64_t size,
				 const char *path, char *err, size_t errsz);
struct memimage *mi_open_elf(int fd, const char *path, char *err, size_t errsz);
struct memimage *mi_open_lkcd(int fd, const char *path, char *err, size_t errsz);
struct memimage *mi_open_kdump(int fd, const char *path, char *err, size_t errsz);

#endif
