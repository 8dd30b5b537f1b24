/*
 * tools/disk/extent.h - an open target: the file or device a command works
 * on and the byte range of the rawdump partition inside it, with
 * whole-buffer I/O that stays inside that range (tools/disk/extent.c).
 * Opening one from a command-line spec is tools/disk/target.h.
 */
#ifndef RAWDUMP_TOOLS_EXTENT_H
#define RAWDUMP_TOOLS_EXTENT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum target_kind {
	TARGET_BLK_PART,	/* a partition block device, e.g. /dev/sda3 */
	TARGET_BLK_DISK,	/* a whole-disk block device */
	TARGET_IMAGE_PART,	/* partition N of a disk image file (or disk) */
	TARGET_FILE,		/* a regular file with no partition table */
	TARGET_IMAGE_DISK,	/* a file with a partition table, none selected */
};

struct target {
	int fd;
	enum target_kind kind;
	uint64_t io_offset;	/* where the partition starts in fd */
	uint64_t part_offset;	/* bytes from the start of the file or disk */
	uint64_t size;		/* partition bytes, a multiple of 512 */
	uint32_t sector_size;	/* logical sector size */
	int partno;		/* partition number, 0 if none */
	dev_t rdev;		/* block devices: the device opened, else 0 */
	char path[PATH_MAX];	/* the file or device opened */
	char spec[PATH_MAX];	/* as given on the command line */
};

/* Whole-buffer I/O inside the partition: 0, -ERANGE outside it, -EIO on a
 * short transfer, or -errno. */
int target_pread(const struct target *t, uint64_t off, void *buf, size_t len);
int target_pwrite(const struct target *t, uint64_t off, const void *buf, size_t len);
int target_sync(const struct target *t);

/* Ask the kernel to start reading [off, off + len) of the extent (clipped
 * to it) into the page cache now, without waiting: a sequential reader
 * prefetches the next piece while it parses this one. Only a hint. */
void target_prefetch(const struct target *t, uint64_t off, uint64_t len);

#endif
