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

#include "extent.h"


/* Open spec with open(2) flags (O_RDONLY or O_RDWR; O_CLOEXEC is added).
 * Returns 0, or -ENOENT (nothing matches), -EINVAL (malformed), another
 * negative errno; err gets a one-line reason. */
int  target_open(const char *spec, int oflags, struct target *t, char *err, size_t errsz);
void target_close(struct target *t);
const char *target_kind_name(enum target_kind k);


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
