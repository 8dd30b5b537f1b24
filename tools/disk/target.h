/*
 * tools/disk/target.h - what a rawdump command line names as its partition.
 *
 * Accepted forms (resolved with libblkid):
 *   /dev/X                a block device (partition or whole disk)
 *   LABEL=, PARTLABEL=, PARTUUID=, UUID=
 *                         a tag; UUID= also matches a rawdump partition's own
 *                         UUID (which libblkid does not know)
 *   FILE                  a disk image or plain file; a file with no partition
 *                         table is itself the partition
 *   FILE:N                partition N of the table libblkid finds in FILE
 *   FILE:PARTLABEL=x, FILE:PARTUUID=x
 *
 * I/O on a target goes through target_pread/target_pwrite, which refuse any
 * access outside [0, size) of the partition.
 */
#ifndef RAWDUMP_TOOLS_TARGET_H
#define RAWDUMP_TOOLS_TARGET_H

#include <stddef.h>
#include <blkid/blkid.h>
#include <stdint.h>
#include <limits.h>
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

/* Open spec with open(2) flags (O_RDONLY or O_RDWR; O_CLOEXEC is added).
 * Returns 0, or -ENOENT (nothing matches), -EINVAL (malformed), another
 * negative errno; err gets a one-line reason. */
int  target_open(const char *spec, int oflags, struct target *t, char *err, size_t errsz);
void target_close(struct target *t);
const char *target_kind_name(enum target_kind k);

/* Whole-buffer I/O inside the partition: 0, -ERANGE outside it, -EIO on a
 * short transfer, or -errno. */
int target_pread(const struct target *t, uint64_t off, void *buf, size_t len);
int target_pwrite(const struct target *t, uint64_t off, const void *buf, size_t len);
int target_sync(const struct target *t);

/* What libblkid recognises on t (filesystem, swap, RAID, LVM, partition
 * table) as text in what ("" if nothing: a rawdump partition is unknown to
 * libblkid). 0, or a negative errno. */
int target_probe_signature(const struct target *t, char *what, size_t whatsz);

/* A libblkid probe over t's extent with superblock and partition probing
 * on (callers set the flags they need); NULL with *err set on failure.
 * blkid_free_probe() it. */
blkid_probe target_blkid_probe(const struct target *t, int *err);

/* t is a disk image (TARGET_IMAGE_DISK): reopen t as its one partition
 * that holds a rawdump header. 0, -ENOENT (none), -EINVAL (several). */
int target_pick_rawdump(struct target *t, char *err, size_t errsz);

/* Each block device of the system (from /sys/class/block), as /dev/NAME;
 * calls fn(ctx, devpath) and stops when fn returns nonzero. */
int target_for_each_blockdev(int (*fn)(void *ctx, const char *dev), void *ctx);

#endif
