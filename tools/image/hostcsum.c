/*
 * tools/image/hostcsum.c - block checksums on the host through the libraries
 * (see hostcsum.h). ISA-L's crc32_iscsi(buf, len, init) runs the CRC-32C
 * register without the standard inversions: the usual crc32c(crc, ...)
 * (init ~0, final xor ~0, chainable like zlib's crc32) is
 * ~crc32_iscsi(buf, len, ~crc).
 */
#include <limits.h>
#include <isa-l/crc.h>
#include <xxhash.h>
#include <zlib.h>

#include "hostcsum.h"
#include "rawdump/format.h"
#include "writer.h"

uint32_t host_crc32c(uint32_t crc, const void *buf, size_t len)
{
	unsigned char *p = (unsigned char *)(uintptr_t)buf;
	uint32_t c = ~crc;

	while (len > 0) {	/* crc32_iscsi takes an int length */
		int n = len > (size_t)(INT_MAX & ~4095) ? (INT_MAX & ~4095) : (int)len;

		c = crc32_iscsi(p, n, c);
		p += n;
		len -= (size_t)n;
	}
	return ~c;
}

uint64_t host_xxh64(const void *buf, size_t len, uint64_t seed)
{
	return XXH64(buf, len, seed);
}

uint32_t host_csum(uint32_t kind, uint32_t prev, const void *buf, size_t len)
{
	switch (kind) {
	case RD_CSUM_CRC32C:
		return host_crc32c(prev, buf, len);
	case RD_CSUM_XXH64:
		return (uint32_t)host_xxh64(buf, len, prev);
	default:
		return rd_crc32(prev, buf, len);
	}
}
