/*
 * tests/fuzz/fuzz_config.c - libFuzzer harness for the /etc/rawdump.conf
 * parser (tools/config.c): the input is the file.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct rd_config c;
	char path[64], err[512];

	if (fd < 0 && (fd = memfd_create("fuzz_config", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_load(path, &c, err, sizeof(err));
	return 0;
}
