/*
 * writer/sim/pattern.h - deterministic test memory: the content of every
 * physical page is a function of (seed, page frame number), so a test can
 * plant it, dump it and check every byte of the result.
 */
#ifndef RAWDUMP_SIM_PATTERN_H
#define RAWDUMP_SIM_PATTERN_H

#include <stdint.h>

enum pat_kind { PAT_ZERO, PAT_TEXT, PAT_RANDOM, PAT_HALF };

/* Seeds with this bit set make every page random: incompressible memory
 * without zero pages (benchmarks, long RAW blocks). */
#define PAT_SEED_RANDOM	(1ull << 62)

enum pat_kind pattern_kind(uint64_t seed, uint64_t pfn);
/* Fill buf (4096 bytes) with the page at pfn. */
void pattern_page(uint64_t seed, uint64_t pfn, uint8_t *buf);
/* Fill len bytes from physical address paddr (any alignment). */
void pattern_fill(uint64_t seed, uint64_t paddr, uint8_t *buf, uint64_t len);

#endif
