/*
 * tests/guest/fill/rdfill.c - memory the page filter must classify, made
 * inside the test guest (tests/guest/init.sh, rdguest.fill=1). Built as a
 * static binary by scripts/guest/build-guest.sh.
 *
 *   rdfill anon MIB [READY]
 *                       map MIB MiB of private anonymous memory, write a
 *                       non-zero pattern into every page (user pages,
 *                       makedumpfile class 8), print "rdfill: anon MIB MiB
 *                       touched", create the file READY if named, and sleep
 *                       until killed: the pages stay mapped at the crash.
 *                       Runs in the background.
 *   rdfill file PATH MIB
 *                       write MIB MiB of non-zero pattern to PATH and
 *                       fsync it (the data then sits in the page cache,
 *                       makedumpfile classes 2 and 4).
 * The pattern is never zero, so no page of either kind can be mistaken for
 * a zero page (class 1), and every word is random (splitmix64): the data
 * does not compress (the full-dump case of scripts/bench/50-kdump.sh).
 * Used by the filter tests (rdguest.fill=1) and the kdump bench
 * (rdguest.run=bench). Exit 0, or 1 with a one-line reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RDFILL_PAGE	4096u
#define RDFILL_CHUNK	(1024u * 1024u)
#define RDFILL_MAX_MIB	65536ul

static uint64_t rdfill_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (x ^ (x >> 31)) | 1;	/* never zero */
}

/* One page of pattern: every word random, never zero. */
static void rdfill_page(uint8_t *p, uint64_t tag, uint64_t page)
{
	uint64_t *w = (uint64_t *)p;
	unsigned i;

	for (i = 0; i < RDFILL_PAGE / 8; i++)
		w[i] = rdfill_mix(tag ^ (page << 12) ^ i);
}

static int rdfill_die(const char *what)
{
	fprintf(stderr, "rdfill: %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned long rdfill_mib(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > RDFILL_MAX_MIB) {
		fprintf(stderr, "rdfill: bad size '%s' (MiB, 1..%lu)\n", s, RDFILL_MAX_MIB);
		exit(1);
	}
	return v;
}

static int rdfill_anon(unsigned long mib, const char *ready)
{
	size_t len = mib << 20, off;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return rdfill_die("mmap");
	for (off = 0; off < len; off += RDFILL_PAGE)
		rdfill_page(m + off, 0xa11a, off / RDFILL_PAGE);
	printf("rdfill: anon %lu MiB touched\n", mib);
	fflush(stdout);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || close(fd) != 0)
			return rdfill_die(ready);
	}
	for (;;)
		pause();
}

static int rdfill_file(const char *path, unsigned long mib)
{
	static uint8_t buf[RDFILL_CHUNK];
	uint64_t chunk, page = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return rdfill_die(path);
	for (chunk = 0; chunk < mib; chunk++) {
		size_t off, done = 0;

		for (off = 0; off < RDFILL_CHUNK; off += RDFILL_PAGE)
			rdfill_page(buf + off, 0xf11e, page++);
		while (done < RDFILL_CHUNK) {
			ssize_t n = write(fd, buf + done, RDFILL_CHUNK - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return rdfill_die(path);
			done += (size_t)n;
		}
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		return rdfill_die(path);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "anon") == 0)
		return rdfill_anon(rdfill_mib(argv[2]), argc == 4 ? argv[3] : NULL);
	if (argc == 4 && strcmp(argv[1], "file") == 0)
		return rdfill_file(argv[2], rdfill_mib(argv[3]));
	fprintf(stderr, "usage: rdfill anon MIB [READY] | rdfill file PATH MIB\n");
	return 1;
}
