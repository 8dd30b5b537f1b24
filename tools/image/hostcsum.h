/*
 * tools/image/hostcsum.h - block checksums on the host, through the fast
 * libraries: zlib crc32 (CRC-32), ISA-L crc32_iscsi (CRC-32C), libxxhash
 * XXH64. Same values and chaining as the writer's own rd_csum()
 * (writer/csum.c); tests/unit/writer_test.c proves it.
 */
#ifndef RAWDUMP_TOOLS_HOSTCSUM_H
#define RAWDUMP_TOOLS_HOSTCSUM_H

#include <stdint.h>
#include <stddef.h>

uint32_t host_csum(uint32_t kind, uint32_t prev, const void *buf, size_t len);
uint32_t host_crc32c(uint32_t crc, const void *buf, size_t len);
uint64_t host_xxh64(const void *buf, size_t len, uint64_t seed);

#endif
