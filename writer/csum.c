/*
 * writer/csum.c - the three block checksum kinds of format version 2
 * (include/rawdump/format.h, enum rd_csum_kind), freestanding:
 *   CRC-32   zlib's crc32() (the minikernel links zlib's crc32.o);
 *   CRC-32C  Castagnoli, reflected, init ~0, final xor ~0: the SSE4.2
 *            crc32 instruction when CPUID has it, slicing-by-8 otherwise;
 *   XXH64    written from the xxHash specification (doc/xxhash_spec.md
 *            of the xxHash project), seed 0; a block checksum is its low
 *            32 bits.
 * rd_csum() is the one entry point. Chaining (the END record's index
 * checksum, rd_csum(kind, prev, ...)): CRC kinds continue the CRC from
 * prev, so chained calls equal one call over the concatenation; XXH64
 * hashes each piece with seed = prev.
 */
#include <zlib.h>
#include "writer.h"

uint32_t rd_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* zlib's crc32() takes a uInt length. */
	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

/* ---- CRC-32C ---------------------------------------------------------- */

/*
 * Slicing-by-8 tables: rd_crc32c_tab[k][v] is the CRC register after the
 * byte v and then k zero bytes went through it (register starting at 0).
 * That is linear in v, so each entry is the XOR of the entries of v's set
 * bits, and CVK_k lists the eight entries for v = 1 << b, b = 0..7: a
 * bitwise CRC (polynomial 0x82F63B78, reflected) shifted 8 (k + 1) times
 * from 1 << b. tests/unit/writer_test.c checks the result against a
 * bitwise CRC-32C and ISA-L.
 */
#define CVK_0 0xf26b8303u, 0xe13b70f7u, 0xc79a971fu, 0x8ad958cfu, 0x105ec76fu, 0x20bd8edeu, 0x417b1dbcu, 0x82f63b78u
#define CVK_1 0x13a29877u, 0x274530eeu, 0x4e8a61dcu, 0x9d14c3b8u, 0x3fc5f181u, 0x7f8be302u, 0xff17c604u, 0xfbc3faf9u
#define CVK_2 0xa541927eu, 0x4f6f520du, 0x9edea41au, 0x38513ec5u, 0x70a27d8au, 0xe144fb14u, 0xc76580d9u, 0x8b277743u
#define CVK_3 0xdd45aab8u, 0xbf672381u, 0x7b2231f3u, 0xf64463e6u, 0xe964b13du, 0xd725148bu, 0xaba65fe7u, 0x52a0c93fu
#define CVK_4 0x38116facu, 0x7022df58u, 0xe045beb0u, 0xc5670b91u, 0x8f2261d3u, 0x1ba8b557u, 0x37516aaeu, 0x6ea2d55cu
#define CVK_5 0xef306b19u, 0xdb8ca0c3u, 0xb2f53777u, 0x6006181fu, 0xc00c303eu, 0x85f4168du, 0x0e045bebu, 0x1c08b7d6u
#define CVK_6 0x68032cc8u, 0xd0065990u, 0xa5e0c5d1u, 0x4e2dfd53u, 0x9c5bfaa6u, 0x3d5b83bdu, 0x7ab7077au, 0xf56e0ef4u
#define CVK_7 0x493c7d27u, 0x9278fa4eu, 0x211d826du, 0x423b04dau, 0x847609b4u, 0x0d006599u, 0x1a00cb32u, 0x34019664u

#define CSEL(v, bit, c) (((v) >> (bit) & 1) ? (c) : 0u)
#define CT(v, c0, c1, c2, c3, c4, c5, c6, c7) \
	(CSEL(v, 0, c0) ^ CSEL(v, 1, c1) ^ CSEL(v, 2, c2) ^ CSEL(v, 3, c3) ^ \
	 CSEL(v, 4, c4) ^ CSEL(v, 5, c5) ^ CSEL(v, 6, c6) ^ CSEL(v, 7, c7))
#define CTX(v, ...) CT(v, __VA_ARGS__)
#define CTK(v, k)   CTX(v, CVK_##k)
#define CR4(v, k)   CTK((v), k), CTK((v) + 1, k), CTK((v) + 2, k), CTK((v) + 3, k)
#define CR16(v, k)  CR4((v), k), CR4((v) + 4, k), CR4((v) + 8, k), CR4((v) + 12, k)
#define CR64(v, k)  CR16((v), k), CR16((v) + 16, k), CR16((v) + 32, k), CR16((v) + 48, k)
#define CR256(k)    { CR64(0, k), CR64(64, k), CR64(128, k), CR64(192, k) }

static const uint32_t rd_crc32c_tab[8][256] = {
	CR256(0), CR256(1), CR256(2), CR256(3), CR256(4), CR256(5), CR256(6), CR256(7),
};

static uint32_t rd_crc32c_sw(uint32_t c, const uint8_t *p, size_t len)
{
	const uint32_t (*t)[256] = rd_crc32c_tab;

	while (len && ((uintptr_t)p & 7)) {
		c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
		len--;
	}
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t q;

		__builtin_memcpy(&q, p, 8);
		q ^= c;
		c = t[7][q & 0xff] ^ t[6][(q >> 8) & 0xff] ^
		    t[5][(q >> 16) & 0xff] ^ t[4][(q >> 24) & 0xff] ^
		    t[3][(q >> 32) & 0xff] ^ t[2][(q >> 40) & 0xff] ^
		    t[1][(q >> 48) & 0xff] ^ t[0][q >> 56];
	}
	while (len--)
		c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

/* SSE4.2's crc32 instruction computes exactly this register update. It
 * works on general registers: no SSE state to enable. */
static uint32_t rd_crc32c_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64;

	while (len && ((uintptr_t)p & 7)) {
		__asm__("crc32b %1, %0" : "+r"(c) : "rm"(*p));
		p++;
		len--;
	}
	c64 = c;
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t q;

		__builtin_memcpy(&q, p, 8);
		__asm__("crc32q %1, %0" : "+r"(c64) : "rm"(q));
	}
	c = (uint32_t)c64;
	while (len--) {
		__asm__("crc32b %1, %0" : "+r"(c) : "rm"(*p));
		p++;
	}
	return c;
}

/* CPUID.1:ECX bit 20 (SSE4.2). */
static int rd_cpu_has_crc32c(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 20) & 1;
}

/* Buffers shorter than this (block headers) take the table: CPUID costs
 * more than it saves there, and there is no state to remember it in. */
#define RD_CRC32C_HW_MIN	1024u

uint32_t rd_crc32c(uint32_t crc, const void *buf, size_t len)
{
	uint32_t c = ~crc;

	if (len >= RD_CRC32C_HW_MIN && rd_cpu_has_crc32c())
		c = rd_crc32c_hw(c, buf, len);
	else
		c = rd_crc32c_sw(c, buf, len);
	return ~c;
}

uint32_t rd_crc32c_soft(uint32_t crc, const void *buf, size_t len)
{
	return ~rd_crc32c_sw(~crc, buf, len);
}

int rd_crc32c_has_hw(void)
{
	return rd_cpu_has_crc32c();
}

/* ---- XXH64 ------------------------------------------------------------ */

#define XXP1 0x9E3779B185EBCA87ull
#define XXP2 0xC2B2AE3D27D4EB4Full
#define XXP3 0x165667B19E3779F9ull
#define XXP4 0x85EBCA77C2B2AE63ull
#define XXP5 0x27D4EB2F165667C5ull

static inline uint64_t xx_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t xx_round(uint64_t acc, uint64_t lane)
{
	acc += lane * XXP2;
	acc = xx_rotl(acc, 31);
	return acc * XXP1;
}

static inline uint64_t xx_merge(uint64_t acc, uint64_t v)
{
	acc ^= xx_round(0, v);
	return acc * XXP1 + XXP4;
}

static inline uint64_t xx_read64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline uint32_t xx_read32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

uint64_t rd_xxh64(const void *buf, size_t len, uint64_t seed)
{
	const uint8_t *p = buf, *end = p + len;
	uint64_t h;

	if (len >= 32) {
		/* spec step 1-2: four accumulators over 32-byte stripes */
		uint64_t v1 = seed + XXP1 + XXP2, v2 = seed + XXP2;
		uint64_t v3 = seed, v4 = seed - XXP1;

		do {
			v1 = xx_round(v1, xx_read64(p));
			v2 = xx_round(v2, xx_read64(p + 8));
			v3 = xx_round(v3, xx_read64(p + 16));
			v4 = xx_round(v4, xx_read64(p + 24));
			p += 32;
		} while (end - p >= 32);
		/* step 3: convergence */
		h = xx_rotl(v1, 1) + xx_rotl(v2, 7) + xx_rotl(v3, 12) + xx_rotl(v4, 18);
		h = xx_merge(h, v1);
		h = xx_merge(h, v2);
		h = xx_merge(h, v3);
		h = xx_merge(h, v4);
	} else {
		h = seed + XXP5;
	}
	/* step 4: input length, step 5: the remaining bytes */
	h += (uint64_t)len;
	for (; end - p >= 8; p += 8) {
		h ^= xx_round(0, xx_read64(p));
		h = xx_rotl(h, 27) * XXP1 + XXP4;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)xx_read32(p) * XXP1;
		h = xx_rotl(h, 23) * XXP2 + XXP3;
		p += 4;
	}
	for (; p < end; p++) {
		h ^= (uint64_t)*p * XXP5;
		h = xx_rotl(h, 11) * XXP1;
	}
	/* step 6: avalanche */
	h ^= h >> 33;
	h *= XXP2;
	h ^= h >> 29;
	h *= XXP3;
	h ^= h >> 32;
	return h;
}

/* ---- the one entry point ---------------------------------------------- */

uint32_t rd_csum(uint32_t kind, uint32_t prev, const void *buf, size_t len)
{
	switch (kind) {
	case RD_CSUM_CRC32C:
		return rd_crc32c(prev, buf, len);
	case RD_CSUM_XXH64:
		return (uint32_t)rd_xxh64(buf, len, prev);
	default:
		return rd_crc32(prev, buf, len);
	}
}

const char *rd_csum_name(uint32_t kind)
{
	switch (kind) {
	case RD_CSUM_CRC32:	return "crc32";
	case RD_CSUM_CRC32C:	return "crc32c";
	case RD_CSUM_XXH64:	return "xxh64";
	}
	return "unknown";
}
