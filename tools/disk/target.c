/*
 * tools/disk/target.c - resolve a rawdump target to an open partition extent.
 *
 * Tags go through libblkid's blkid_evaluate_tag(); partitions inside disk
 * images come from libblkid's partition-table probing
 * (blkid_probe_get_partitions; start and size are in 512-byte sectors
 * whatever the device's sector size). Block-device partitions take their
 * start from sysfs (/sys/dev/block/MAJ:MIN/start, 512-byte units), the
 * same number `rawdump arm` hands the minikernel as rd.start.
 */
#include <blkid/blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "target.h"
#include "partheader.h"
#include "writer.h"

#define TARGET_MAX_PARTNO	128	/* highest partition number searched */

static int target_fail(char *err, size_t errsz, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int target_fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errsz)
		vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}

const char *target_kind_name(enum target_kind k)
{
	switch (k) {
	case TARGET_BLK_PART:	return "partition";
	case TARGET_BLK_DISK:	return "disk";
	case TARGET_IMAGE_PART:	return "image-partition";
	case TARGET_FILE:	return "file";
	case TARGET_IMAGE_DISK:	return "image-disk";
	}
	return "unknown";
}

/* Read a decimal number from /sys/dev/block/MAJ:MIN/<name>. */
static int target_sysfs_u64(dev_t dev, const char *name, uint64_t *val)
{
	char path[96], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s",
		 major(dev), minor(dev), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	*val = strtoull(buf, NULL, 10);
	return 0;
}

/* Partition-table probe of the whole of fd. Returns the probe (caller frees)
 * with *ls set, or NULL when libblkid fails; *ls is NULL when no table. */
static blkid_probe target_probe_table(int fd, blkid_partlist *ls)
{
	blkid_probe pr = blkid_new_probe();

	*ls = NULL;
	if (!pr)
		return NULL;
	if (blkid_probe_set_device(pr, fd, 0, 0) != 0) {
		blkid_free_probe(pr);
		return NULL;
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	*ls = blkid_probe_get_partitions(pr);
	if (*ls && !blkid_partlist_get_table(*ls))
		*ls = NULL;
	return pr;
}

/* Select the partition named by sel ("N", "PARTLABEL=x", "PARTUUID=x"). */
static int target_select(struct target *t, uint64_t whole, const char *sel,
			 char *err, size_t errsz)
{
	blkid_partlist ls;
	blkid_probe pr;
	blkid_partition par = NULL;
	int i, n, rc;
	long want = -1;

	pr = target_probe_table(t->fd, &ls);
	if (!pr)
		return target_fail(err, errsz, -EIO, "%s: libblkid cannot probe it", t->path);
	if (!ls) {
		rc = target_fail(err, errsz, -ENOENT, "%s: no partition table", t->path);
		goto out_probe;
	}
	if (isdigit((unsigned char)sel[0])) {
		char *end;

		want = strtol(sel, &end, 10);
		if (*end || want <= 0) {
			rc = target_fail(err, errsz, -EINVAL, "bad partition number '%s'", sel);
			goto out_probe;
		}
	}
	n = blkid_partlist_numof_partitions(ls);
	for (i = 0; i < n; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		const char *s;

		if (!p)
			continue;
		if (want > 0) {
			if (blkid_partition_get_partno(p) == want) {
				par = p;
				break;
			}
		} else if (!strncmp(sel, "PARTLABEL=", 10)) {
			s = blkid_partition_get_name(p);
			if (s && !strcmp(s, sel + 10)) {
				par = p;
				break;
			}
		} else if (!strncmp(sel, "PARTUUID=", 9)) {
			s = blkid_partition_get_uuid(p);
			if (s && !strcasecmp(s, sel + 9)) {
				par = p;
				break;
			}
		}
	}
	if (!par) {
		rc = target_fail(err, errsz, -ENOENT, "%s: no partition %s", t->path, sel);
		goto out_probe;
	}
	{
		blkid_loff_t start = blkid_partition_get_start(par);
		blkid_loff_t size = blkid_partition_get_size(par);

		if (start < 0 || size <= 0 || (uint64_t)start > whole / 512 ||
		    (uint64_t)size > whole / 512 - (uint64_t)start) {
			rc = target_fail(err, errsz, -EINVAL,
					 "%s: partition %s lies outside the file", t->path, sel);
			goto out_probe;
		}
		t->io_offset = (uint64_t)start * 512;
		t->part_offset = t->io_offset;
		t->size = (uint64_t)size * 512;
		t->partno = blkid_partition_get_partno(par);
	}
	{
		unsigned int ss = blkid_probe_get_sectorsize(pr);

		if (ss >= 512 && ss <= 65536)
			t->sector_size = ss;
	}
	t->kind = TARGET_IMAGE_PART;
	rc = 0;
out_probe:
	blkid_free_probe(pr);
	return rc;
}

static int target_open_path(const char *path, const char *sel, int oflags,
			    struct target *t, char *err, size_t errsz)
{
	struct stat st;
	uint64_t whole;
	int rc;

	snprintf(t->path, sizeof(t->path), "%s", path);
	t->fd = open(path, oflags | O_CLOEXEC);
	if (t->fd < 0)
		return target_fail(err, errsz, errno == ENOENT ? -ENOENT : -errno,
				   "cannot open %s: %s", path, strerror(errno));
	if (fstat(t->fd, &st) != 0) {
		rc = target_fail(err, errsz, -errno, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	t->sector_size = 512;
	if (S_ISBLK(st.st_mode)) {
		int ss = 0;

		if (ioctl(t->fd, BLKGETSIZE64, &whole) != 0) {
			rc = target_fail(err, errsz, -errno, "%s: cannot get size: %s",
					 path, strerror(errno));
			goto out_close;
		}
		if (ioctl(t->fd, BLKSSZGET, &ss) == 0 && ss >= 512)
			t->sector_size = (uint32_t)ss;
		t->rdev = st.st_rdev;
	} else if (S_ISREG(st.st_mode)) {
		whole = (uint64_t)st.st_size;
	} else {
		rc = target_fail(err, errsz, -EINVAL,
				 "%s: not a block device or regular file", path);
		goto out_close;
	}
	whole &= ~(uint64_t)511;

	if (sel) {
		rc = target_select(t, whole, sel, err, errsz);
		if (rc)
			goto out_close;
		return 0;
	}
	t->io_offset = 0;
	t->part_offset = 0;
	t->size = whole;
	if (S_ISBLK(st.st_mode)) {
		uint64_t partno, start;

		if (target_sysfs_u64(st.st_rdev, "partition", &partno) == 0 &&
		    target_sysfs_u64(st.st_rdev, "start", &start) == 0) {
			t->kind = TARGET_BLK_PART;
			t->partno = (int)partno;
			t->part_offset = start * 512;
		} else {
			t->kind = TARGET_BLK_DISK;
		}
	} else {
		blkid_partlist ls;
		blkid_probe pr = target_probe_table(t->fd, &ls);

		if (!pr) {
			rc = target_fail(err, errsz, -EIO, "%s: libblkid cannot probe it", path);
			goto out_close;
		}
		t->kind = ls ? TARGET_IMAGE_DISK : TARGET_FILE;
		blkid_free_probe(pr);
	}
	return 0;

out_close:
	close(t->fd);
	t->fd = -1;
	return rc;
}

struct target_uuid_scan {
	uint8_t uuid[16];
	char found[PATH_MAX];
};

static int target_uuid_match(void *ctx, const char *dev)
{
	struct target_uuid_scan *s = ctx;
	struct rd_part_header h;
	struct target t;
	int rc;

	if (target_open_path(dev, NULL, O_RDONLY, &t, NULL, 0) != 0)
		return 0;
	rc = part_header_read(&t, &h, NULL, NULL);
	target_close(&t);
	if (rc == 0 && !memcmp(h.uuid, s->uuid, 16)) {
		snprintf(s->found, sizeof(s->found), "%s", dev);
		return 1;
	}
	return 0;
}

int target_open(const char *spec, int oflags, struct target *t, char *err, size_t errsz)
{
	static const char *const tags[] = { "LABEL=", "PARTLABEL=", "PARTUUID=", "UUID=" };
	struct stat st;
	char *path, *colon;
	const char *sel;
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	snprintf(t->spec, sizeof(t->spec), "%s", spec);
	if (!*spec)
		return target_fail(err, errsz, -EINVAL, "empty target");

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i]);
		char *dev;

		if (strncmp(spec, tags[i], n))
			continue;
		if (!spec[n])
			return target_fail(err, errsz, -EINVAL, "empty value in %s", spec);
		dev = blkid_evaluate_tag(spec, NULL, NULL);
		if (!dev && !strcmp(tags[i], "UUID=")) {
			struct target_uuid_scan s = { .found = "" };

			if (part_uuid_parse(spec + n, s.uuid) == 0) {
				target_for_each_blockdev(target_uuid_match, &s);
				if (s.found[0])
					dev = strdup(s.found);
			}
		}
		if (!dev)
			return target_fail(err, errsz, -ENOENT, "no device has %s", spec);
		rc = target_open_path(dev, NULL, oflags, t, err, errsz);
		free(dev);
		snprintf(t->spec, sizeof(t->spec), "%s", spec);
		return rc;
	}

	if (stat(spec, &st) == 0)
		return target_open_path(spec, NULL, oflags, t, err, errsz);

	path = strdup(spec);
	if (!path)
		return target_fail(err, errsz, -ENOMEM, "out of memory");
	colon = strstr(path, ":PARTLABEL=");
	if (!colon)
		colon = strstr(path, ":PARTUUID=");
	if (!colon) {
		colon = strrchr(path, ':');
		if (colon && (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)))
			colon = NULL;
	}
	if (!colon) {
		rc = target_fail(err, errsz, -ENOENT, "%s: no such file or device", spec);
		goto out_free;
	}
	*colon = '\0';
	sel = colon + 1;
	if (stat(path, &st) != 0) {
		rc = target_fail(err, errsz, -ENOENT, "%s: no such file or device", path);
		goto out_free;
	}
	rc = target_open_path(path, sel, oflags, t, err, errsz);
out_free:
	free(path);
	return rc;
}

void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int target_for_each_blockdev(int (*fn)(void *ctx, const char *dev), void *ctx)
{
	struct dirent *de;
	DIR *d = opendir("/sys/class/block");
	int rc = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char dev[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		if (stat(dev, &st) != 0 || !S_ISBLK(st.st_mode))
			continue;
		rc = fn(ctx, dev);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

/* In a disk image with no partition named, the one rawdump partition. */
int target_pick_rawdump(struct target *t, char *err, size_t errsz)
{
	char spec[PATH_MAX + 16];
	struct target c;
	int n, found = 0, rc;

	for (n = 1; n <= TARGET_MAX_PARTNO; n++) {
		snprintf(spec, sizeof(spec), "%s:%d", t->path, n);
		if (target_open(spec, O_RDONLY, &c, NULL, 0) != 0)
			continue;
		if (part_has_magic(&c)) {
			if (found) {
				target_close(&c);
				snprintf(err, errsz, "%s holds several rawdump partitions: name one as %s:N",
					 t->path, t->path);
				return -EINVAL;
			}
			found = n;
		}
		target_close(&c);
	}
	if (!found) {
		snprintf(err, errsz, "%s: no rawdump partition in its partition table", t->path);
		return -ENOENT;
	}
	snprintf(spec, sizeof(spec), "%s:%d", t->path, found);
	target_close(t);
	rc = target_open(spec, O_RDONLY, t, err, errsz);
	return rc;
}

/* What libblkid recognises in the target (filesystem, swap, RAID, LVM,
 * partition table), "" if nothing. 0, or <0 on error. */
blkid_probe target_blkid_probe(const struct target *t, int *err)
{
	blkid_probe pr = blkid_new_probe();

	*err = 0;
	if (!pr) {
		*err = -ENOMEM;
		return NULL;
	}
	if (blkid_probe_set_device(pr, t->fd, (blkid_loff_t)t->io_offset,
				   (blkid_loff_t)t->size) != 0) {
		blkid_free_probe(pr);
		*err = -EIO;
		return NULL;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_enable_partitions(pr, 1);
	return pr;
}

int target_probe_signature(const struct target *t, char *what, size_t whatsz)
{
	const char *v = NULL;
	blkid_probe pr;
	int rc;

	what[0] = '\0';
	pr = target_blkid_probe(t, &rc);
	if (!pr)
		return rc;
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	rc = blkid_do_safeprobe(pr);
	if (rc == -2) {
		snprintf(what, whatsz, "several conflicting signatures");
		rc = 0;
	} else if (rc == 0) {
		const char *usage = NULL;

		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0) {
			blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
			snprintf(what, whatsz, "%s %s", v, usage ? usage : "signature");
		} else if (blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0) {
			snprintf(what, whatsz, "%s partition table", v);
		} else {
			snprintf(what, whatsz, "an unidentified signature");
		}
	} else if (rc == 1) {
		rc = 0;
	} else {
		rc = -EIO;
	}
	blkid_free_probe(pr);
	return rc;
}
