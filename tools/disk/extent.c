/*
 * tools/disk/extent.c - I/O inside an open target's partition extent
 * (tools/disk/extent.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "extent.h"
#include "io.h"

static int target_bounds(const struct target *t, uint64_t off, size_t len)
{
	if (off > t->size || len > t->size - off)
		return -ERANGE;
	return 0;
}

int target_pread(const struct target *t, uint64_t off, void *buf, size_t len)
{
	int rc = target_bounds(t, off, len);

	return rc ? rc : pread_full(t->fd, buf, len, t->io_offset + off);
}

int target_pwrite(const struct target *t, uint64_t off, const void *buf, size_t len)
{
	int rc = target_bounds(t, off, len);

	return rc ? rc : pwrite_full(t->fd, buf, len, t->io_offset + off);
}

void target_prefetch(const struct target *t, uint64_t off, uint64_t len)
{
	if (off >= t->size)
		return;
	if (len > t->size - off)
		len = t->size - off;
	(void)posix_fadvise(t->fd, (off_t)(t->io_offset + off), (off_t)len, POSIX_FADV_WILLNEED);
}

int target_sync(const struct target *t)
{
	return fsync(t->fd) == 0 ? 0 : -errno;
}
