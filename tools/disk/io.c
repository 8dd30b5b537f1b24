/*
 * tools/disk/io.c - pread_full / pwrite_full (tools/disk/io.h).
 */
#include <errno.h>
#include <unistd.h>

#include "io.h"

/* The one loop: retry EINTR and short transfers; a transfer of no byte
 * (end of file on read, a file that takes nothing on write) is -EIO. */
static int io_full(int fd, void *buf, size_t len, uint64_t off, int write)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	return io_full(fd, buf, len, off, 0);
}

int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	return io_full(fd, (void *)buf, len, off, 1);
}
