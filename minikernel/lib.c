/*
 * minikernel/lib.c - the few C library functions the writer, the drivers,
 * zlib's, lz4's and zstd's objects link against (drivers/hw.h lists them).
 * zstd allocates only without a static context (the writer always gives
 * one, ZSTD_initStaticCCtx), so its malloc/calloc calls never come. zlib's default
 * allocator (malloc/free, reached only when no zalloc is given) has no heap
 * to draw from here: the writer always passes its own, so malloc fails.
 */
#include "mk.h"

/* Eight bytes a step: under emulation (QEMU TCG) every iteration of a
 * string instruction costs the same, whatever its width. */
void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n >> 3, r = n & 7;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) :: "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) :: "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	uint64_t v = 0x0101010101010101ull * (unsigned char)c;
	size_t q = n >> 3, r = n & 7;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void free(void *p);
void __stack_chk_fail(void);

void *malloc(size_t n)
{
	kprintf("lib: malloc(%zu) refused: no heap in the minikernel\n", n);
	return NULL;
}

/* lz4.o's LZ4_createStream(): the writer never calls it (its state is
 * in the work area, LZ4_compress_fast_extState). */
void *calloc(size_t n, size_t size)
{
	kprintf("lib: calloc(%zu, %zu) refused: no heap in the minikernel\n", n, size);
	return NULL;
}

void free(void *p)
{
	(void)p;
}

void __stack_chk_fail(void)
{
	mk_fail("stack protector: a stack canary was overwritten");
}
