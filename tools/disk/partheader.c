/*
 * tools/disk/partheader.c - the partition header, read and written
 * (tools/disk/partheader.h); UUID text form. The header layout and its checks are include/rawdump/format.h and
 * writer/format.c (rd_part_header_check / rd_part_header_seal); the primary
 * copy sits at offset 0, the backup at rd_part_backup_offset(part_size).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "partheader.h"
#include "writer.h"

int part_uuid_parse(const char *s, uint8_t out[16])
{
	int n = 0, hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == '-')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -1;
		if (n >= 16)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return (n == 16 && hi < 0) ? 0 : -1;
}

void part_uuid_format(const uint8_t u[16], char out[PART_UUID_STR])
{
	snprintf(out, PART_UUID_STR,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

const char *part_state_name(uint32_t state)
{
	switch (state) {
	case RD_STATE_EMPTY:	return "empty";
	case RD_STATE_WRITING:	return "partial";
	case RD_STATE_COMPLETE:	return "complete";
	case RD_STATE_SAVED:	return "saved";
	case RD_STATE_CLEARED:	return "cleared";
	}
	return "unknown";
}

/* 0 if the copy at off is a valid header of exactly this target: its
 * part_size must equal the target's size, so a whole disk never takes the
 * header of its last partition (whose backup slot it shares) for its own,
 * and a partition that grew after format is not taken for one the capture
 * would accept (the capture requires the same exact size). */
static int part_copy_read(const struct target *t, uint64_t off,
			       struct rd_part_header *h)
{
	int rc = target_pread(t, off, h, sizeof(*h));

	if (rc)
		return rc;
	rc = rd_part_header_check(h);
	if (rc)
		return rc;
	if (h->part_size != t->size || h->part_size % 512)
		return -RD_ESIZE;
	return 0;
}

/* May the backup copy stand in for a bad primary? The writer's rule
 * (rd_part_slot_is_ours, writer/format.c) on t's primary slot. */
static int part_backup_allowed(const struct target *t)
{
	uint8_t slot[RD_SLOT_SIZE];

	if (target_pread(t, RD_PART_HDR_OFFSET, slot, sizeof(slot)))
		return 0;
	return rd_part_slot_is_ours(slot);
}

int part_header_read(const struct target *t, struct rd_part_header *h,
			  enum part_hdr_copy *which, int *primary_ok)
{
	int rc, rc_backup;

	if (primary_ok)
		*primary_ok = 0;
	if (t->size < RD_MIN_PART_SIZE)
		return -RD_ENOSIG;
	rc = part_copy_read(t, RD_PART_HDR_OFFSET, h);
	if (rc == 0) {
		if (primary_ok)
			*primary_ok = 1;
		if (which)
			*which = PART_HDR_PRIMARY;
		return 0;
	}
	rc_backup = part_backup_allowed(t) ?
		part_copy_read(t, rd_part_backup_offset(t->size), h) : -RD_ENOSIG;
	if (rc_backup == 0) {
		if (which)
			*which = PART_HDR_BACKUP;
		return 0;
	}
	memset(h, 0, sizeof(*h));
	return rc;
}

int part_header_write(const struct target *t, struct rd_part_header *h)
{
	static uint8_t slot[RD_SLOT_SIZE];
	int rc;

	rd_part_header_seal(h);
	memset(slot, 0, sizeof(slot));
	memcpy(slot, h, sizeof(*h));
	rc = target_pwrite(t, RD_PART_HDR_OFFSET, slot, sizeof(slot));
	if (rc)
		return rc;
	rc = target_sync(t);
	if (rc)
		return rc;
	rc = target_pwrite(t, rd_part_backup_offset(h->part_size), slot, sizeof(slot));
	if (rc)
		return rc;
	return target_sync(t);
}

int part_has_magic(const struct target *t)
{
	uint8_t magic[8];

	if (target_pread(t, RD_PART_HDR_OFFSET, magic, sizeof(magic)) == 0 &&
	    !memcmp(magic, RD_PART_MAGIC, 8))
		return 1;
	if (t->size >= RD_MIN_PART_SIZE && part_backup_allowed(t) &&
	    target_pread(t, rd_part_backup_offset(t->size), magic, sizeof(magic)) == 0 &&
	    !memcmp(magic, RD_PART_MAGIC, 8))
		return 1;
	return 0;
}
