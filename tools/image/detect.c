/*
 * tools/image/detect.c - mi_open(): resolve a target (tools/disk/target.h) and pick
 * the reader by content (tools/image/formats.h):
 *   "RAWDUMP\0" at the partition start or in the backup slot -> rawdump
 *   "\177ELF"                                               -> ELF vmcore
 *   u64 0xa8190173618f23ed / ...23cd                         -> LKCD
 *   "KDUMP   " or "DISKDUMP"                                 -> kdump-compressed
 * A disk image with a partition table and no partition named is searched
 * for its one rawdump partition.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"
#include "partition.h"
#include "disk/partheader.h"
#include "disk/target.h"

#define MI_LKCD_MAGIC		0xa8190173618f23edull
#define MI_LKCD_MAGIC_LIVE	0xa8190173618f23cdull

struct memimage *mi_open(const char *path, char *err, size_t errsz)
{
	struct memimage *m = NULL;
	struct target t;
	uint8_t head[8];
	uint64_t magic;
	enum rdr_err why;

	if (target_open(path, O_RDONLY, &t, err, errsz) != 0)
		return NULL;
	if (t.kind == TARGET_IMAGE_DISK && target_pick_rawdump(&t, err, errsz) != 0)
		goto out_close;
	if (part_has_magic(&t)) {
		m = rdr_open(&t, &why, err, errsz);
		goto out;
	}
	if (target_pread(&t, 0, head, sizeof(head)) != 0) {
		snprintf(err, errsz, "%s: too short to hold a dump", t.path);
		goto out_close;
	}
	memcpy(&magic, head, sizeof(magic));
	if (t.io_offset != 0) {
		snprintf(err, errsz, "%s: not a rawdump partition", path);
		goto out_close;
	}
	if (!memcmp(head, "\177ELF", 4))
		m = mi_open_elf(t.fd, t.path, err, errsz);
	else if (magic == MI_LKCD_MAGIC || magic == MI_LKCD_MAGIC_LIVE)
		m = mi_open_lkcd(t.fd, t.path, err, errsz);
	else if (kdump_probe(head, sizeof(head)))
		m = mi_open_kdump(t.fd, t.path, err, errsz);
	else
		snprintf(err, errsz, "%s: not a rawdump partition, ELF, LKCD or kdump file", t.path);
out:
	if (m)
		return m;
out_close:
	target_close(&t);
	return NULL;
}
