/*
 * tools/disk/partheader.h - small helpers of the rawdump tool: UUID text form and the
 * partition-header I/O shared by format, save, info, status and the reader.
 */
#ifndef RAWDUMP_TOOLS_UTIL_H
#define RAWDUMP_TOOLS_UTIL_H

#include <stdint.h>
#include <stddef.h>
#include "rawdump/format.h"
#include "extent.h"

#define UTIL_UUID_STR 37	/* 8-4-4-4-12 and NUL */

/* 32 hex digits, dashes anywhere ignored. 0 or -1. */
int  util_uuid_parse(const char *s, uint8_t out[16]);
void util_uuid_format(const uint8_t u[16], char out[UTIL_UUID_STR]);

const char *util_state_name(uint32_t state);

/* Where a partition header was found. */
enum util_hdr_copy {
	UTIL_HDR_PRIMARY = 0,
	UTIL_HDR_BACKUP = 1,
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
int util_part_header_read(const struct target *t, struct rd_part_header *h,
			  enum util_hdr_copy *which, int *primary_ok);

/* Seal h and write it to the primary slot, sync, then the backup slot at
 * rd_part_backup_offset(h->part_size), sync. Each slot is written whole:
 * the header followed by zeros. 0 or -errno. */
int util_part_header_write(const struct target *t, struct rd_part_header *h);

/* Does the partition header look like rawdump at all (magic only)? */
int util_has_magic(const struct target *t);

#endif
