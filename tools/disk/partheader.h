/*
 * tools/disk/partheader.h - THE place the tool reads and writes a rawdump
 * partition header (tools/disk/partheader.c): primary copy, else the backup
 * copy, magic, size match, sealing both copies; the UUID's text form and
 * the state names. Used by format, save, info, status, arm and the
 * partition reader (tools/image/partition.c). Picking the rawdump
 * partition of a disk image: target_pick_rawdump (tools/disk/target.h).
 */
#ifndef RAWDUMP_TOOLS_PARTHEADER_H
#define RAWDUMP_TOOLS_PARTHEADER_H

#include <stdint.h>
#include <stddef.h>
#include "rawdump/format.h"
#include "extent.h"

#define PART_UUID_STR 37	/* 8-4-4-4-12 and NUL */

/* 32 hex digits, dashes anywhere ignored. 0 or -1. */
int  part_uuid_parse(const char *s, uint8_t out[16]);
void part_uuid_format(const uint8_t u[16], char out[PART_UUID_STR]);

const char *part_state_name(uint32_t state);

/* Where a partition header was found. */
enum part_hdr_copy {
	PART_HDR_PRIMARY = 0,
	PART_HDR_BACKUP = 1,
};

/*
 * Read the partition header: the primary copy, or the backup copy when the
 * primary is bad and its slot is all zeros or starts with the rawdump magic
 * (a torn write; anything else there means the partition was reused). A
 * copy counts only if it passes rd_part_header_check and its part_size is
 * exactly the target's size (the capture's own rule). Returns 0 and sets
 * *which, or -RD_ENOSIG / -RD_EVERSION / -RD_ECRC / -RD_ESIZE (the primary's
 * reason), or a negative errno for I/O errors. primary_ok tells whether the
 * primary itself was good (may be NULL).
 */
int part_header_read(const struct target *t, struct rd_part_header *h,
			  enum part_hdr_copy *which, int *primary_ok);

/* Seal h and write it to the primary slot, sync, then the backup slot at
 * rd_part_backup_offset(h->part_size), sync. Each slot is written whole:
 * the header followed by zeros. 0 or -errno. */
int part_header_write(const struct target *t, struct rd_part_header *h);

/* Does the partition header look like rawdump at all (magic only)? */
int part_has_magic(const struct target *t);

#endif
