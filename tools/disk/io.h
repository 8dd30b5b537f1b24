/*
 * tools/disk/io.h - the one whole-buffer I/O pair of the tool: every read
 * or write of a file or device at an offset goes through these (partition
 * extents in target.c, vmcore readers and writers in tools/image/).
 */
#ifndef RAWDUMP_TOOLS_IO_H
#define RAWDUMP_TOOLS_IO_H

#include <stddef.h>
#include <stdint.h>

/* Read exactly len bytes at off (EINTR retried): 0, -EIO at end of file,
 * or -errno. */
int pread_full(int fd, void *buf, size_t len, uint64_t off);
/* Write all of len bytes at off (EINTR retried): 0, -EIO if the file takes
 * no byte, or -errno. */
int pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
