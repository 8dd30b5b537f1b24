// SPDX-License-Identifier: GPL-2.0
/*
 * rdfill.c - fill guest memory for the kdump comparison (scripts/bench/50-kdump.sh).
 * Built static by scripts/guest/build-guest.sh --kdump into /usr/sbin/rdfill.
 *
 *   rdfill anon MIB READY   map MIB MiB of anonymous memory, write every word
 *                           (splitmix64: non-zero and incompressible), create
 *                           the file READY, then sleep until killed
 *   rdfill file MIB PATH    write MIB MiB of the same data to PATH (page cache)
 *
 * Exit status: 0, 1 on bad usage, 2 on an allocation or I/O error (one line
 * on stderr). The anonymous mapping is never unmapped: a crash finds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RDFILL_MAX_MIB		(1u << 20)	/* 1 TiB: anything larger is a typo */
#define RDFILL_CHUNK		(1u << 20)

static uint64_t rdfill_next(uint64_t *state)
{
	uint64_t x = (*state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void rdfill_words(uint64_t *p, size_t bytes, uint64_t *state)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = rdfill_next(state);
}

static int rdfill_anon(unsigned long mib, const char *ready)
{
	size_t bytes = (size_t)mib << 20;
	uint64_t state = 1;
	void *p;
	int fd;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "rdfill: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 2;
	}
	rdfill_words(p, bytes, &state);
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "rdfill: %s: %s\n", ready, strerror(errno));
		return 2;
	}
	close(fd);
	for (;;)
		pause();
}

static int rdfill_file(unsigned long mib, const char *path)
{
	static uint64_t buf[RDFILL_CHUNK / 8];
	uint64_t state = (uint64_t)getpid() << 32 | mib;
	unsigned long i;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "rdfill: %s: %s\n", path, strerror(errno));
		return 2;
	}
	for (i = 0; i < mib; i++) {
		rdfill_words(buf, sizeof(buf), &state);
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "rdfill: write %s: %s\n", path, strerror(errno));
			close(fd);
			return 2;
		}
	}
	if (close(fd) != 0) {
		fprintf(stderr, "rdfill: close %s: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long mib;
	char *end;

	if (argc != 4)
		goto usage;
	errno = 0;
	mib = strtoul(argv[2], &end, 10);
	if (errno || *end || mib == 0 || mib > RDFILL_MAX_MIB)
		goto usage;
	if (!strcmp(argv[1], "anon"))
		return rdfill_anon(mib, argv[3]);
	if (!strcmp(argv[1], "file"))
		return rdfill_file(mib, argv[3]);
usage:
	fprintf(stderr, "usage: rdfill anon MIB READY | rdfill file MIB PATH\n");
	return 1;
}
