/*
 * writer/sim/pattern.c - see pattern.h. Page kinds: half the pages zero,
 * a quarter text-like (compresses well), an eighth random (does not
 * compress), an eighth half random, half zero.
 */
#include <string.h>
#include "pattern.h"

static uint64_t pat_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

enum pat_kind pattern_kind(uint64_t seed, uint64_t pfn)
{
	if (seed & PAT_SEED_RANDOM)
		return PAT_RANDOM;
	switch (pat_mix(seed * 0x9e3779b97f4a7c15ull + pfn) & 7) {
	case 0: case 1: case 2: case 3: return PAT_ZERO;
	case 4: case 5: return PAT_TEXT;
	case 6: return PAT_RANDOM;
	default: return PAT_HALF;
	}
}

static void pat_random(uint64_t state, uint8_t *buf, unsigned len)
{
	unsigned i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		state += 0x9e3779b97f4a7c15ull;
		v = pat_mix(state);
		memcpy(buf + i, &v, 8);
	}
}

void pattern_page(uint64_t seed, uint64_t pfn, uint8_t *buf)
{
	static const char *const words[] = {
		"kernel ", "panic ", "task_struct ", "0xffff8880 ", "page ", "mm ",
		"rawdump ", "sched ", "irq ", "slab ", "inode ", "dentry ",
	};
	uint64_t st = pat_mix(seed ^ (pfn * 0x2545f4914f6cdd1dull));
	unsigned i = 0;

	switch (pattern_kind(seed, pfn)) {
	case PAT_ZERO:
		memset(buf, 0, 4096);
		break;
	case PAT_RANDOM:
		pat_random(st, buf, 4096);
		break;
	case PAT_HALF:
		pat_random(st, buf, 2048);
		memset(buf + 2048, 0, 2048);
		break;
	case PAT_TEXT:
		/* the pfn first, so no two text pages are equal */
		memcpy(buf, &pfn, 8);
		i = 8;
		while (i < 4096) {
			const char *w;
			unsigned n;

			st = st * 6364136223846793005ull + 1442695040888963407ull;
			w = words[(st >> 33) % 12];
			n = (unsigned)strlen(w);
			if (n > 4096 - i)
				n = 4096 - i;
			memcpy(buf + i, w, n);
			i += n;
		}
		break;
	}
}

void pattern_fill(uint64_t seed, uint64_t paddr, uint8_t *buf, uint64_t len)
{
	uint8_t page[4096];

	while (len) {
		uint64_t pfn = paddr >> 12, in = paddr & 4095;
		uint64_t n = 4096 - in < len ? 4096 - in : len;

		if (in == 0 && n == 4096) {
			pattern_page(seed, pfn, buf);
		} else {
			pattern_page(seed, pfn, page);
			memcpy(buf, page + in, n);
		}
		buf += n;
		paddr += n;
		len -= n;
	}
}
