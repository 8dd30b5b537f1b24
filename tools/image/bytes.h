/*
 * tools/image/bytes.h - fields of on-disk headers of other formats (LKCD,
 * kdump-compressed), read and written at any alignment in host (x86-64,
 * little-endian) byte order.
 */
#ifndef RAWDUMP_TOOLS_BYTES_H
#define RAWDUMP_TOOLS_BYTES_H

#include <stdint.h>
#include <string.h>

static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

#endif
