/*
 * tools/armed.c - what is armed now: the kernel's crash-kernel state
 * (/sys/kernel/kexec_crash_size, kexec_crash_loaded) and rawdump's record
 * of what `rawdump arm` loaded (/run/rawdump/armed, $RAWDUMP_RUNDIR), read
 * by `rawdump status` and the size estimate (tools/estimate.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "armed.h"
#include "cli.h"
#include "lockdown.h"
#include "disk/locate.h"

#define ARM_RUNDIR_DEFAULT	"/run/rawdump"

const char *arm_rundir(void)
{
	const char *d = getenv("RAWDUMP_RUNDIR");

	return d && *d ? d : ARM_RUNDIR_DEFAULT;
}

int arm_crash_size(uint64_t *size)
{
	return arm_read_u64(ARM_SYS_KEXEC "/kexec_crash_size", size);
}

int arm_crash_loaded(void)
{
	uint64_t v = 0;

	return arm_read_u64(ARM_SYS_KEXEC "/kexec_crash_loaded", &v) == 0 && v == 1;
}

int arm_state_write(const char *text)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s", arm_rundir());
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, ARM_STATE_NAME);
	snprintf(dst, sizeof(dst), "%s/%s", dir, ARM_STATE_NAME);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		rc = -EIO;
	if (fclose(f) == EOF && !rc)
		rc = -errno;
	if (!rc && rename(tmp, dst) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* Value of key in the state file text, or NULL. */
static const char *arm_state_get(char *text, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(out, outsz, "%.*s", (int)(len - klen - 1), line + klen + 1);
			return out;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

void arm_status_print(FILE *out)
{
	char path[PATH_MAX + 16], text[8192], v[ARM_CMDLINE_MAX], sz[32];
	uint64_t crash_size = 0, start, size;
	struct ld_state ld;
	int loaded = arm_crash_loaded();
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	f = fopen(path, "re");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';

	if (!loaded)
		fprintf(out, "armed: no\n");
	else if (!n)
		fprintf(out, "armed: yes (a crash kernel is loaded, not by rawdump arm)\n");
	else
		fprintf(out, "armed: yes (%s)\n",
			arm_state_get(text, "method", v, sizeof(v)) ? v : "?");
	if (loaded && n) {
		if (arm_state_get(text, "target", v, sizeof(v)))
			fprintf(out, "armed target: %s", v);
		if (arm_state_get(text, "device", v, sizeof(v)))
			fprintf(out, " -> %s", v);
		fputc('\n', out);
		if (arm_state_get(text, "controller", v, sizeof(v)))
			fprintf(out, "armed controller: %s\n", v);
		if (arm_state_get(text, "start", v, sizeof(v)) && (start = strtoull(v, NULL, 10), 1) &&
		    arm_state_get(text, "size", v, sizeof(v)) && (size = strtoull(v, NULL, 10), 1))
			fprintf(out, "armed extent: start %llu, %llu sectors (%s)\n",
				(unsigned long long)start, (unsigned long long)size,
				cli_size(size * 512, sz, sizeof(sz)));
		if (arm_state_get(text, "uuid", v, sizeof(v)))
			fprintf(out, "armed uuid: %s\n", v);
		if (arm_state_get(text, "cmdline", v, sizeof(v)))
			fprintf(out, "minikernel cmdline: %s\n", v);
		if (arm_state_get(text, "signature", v, sizeof(v)))
			fprintf(out, "minikernel signature: %s\n", v);
	}
	ld_probe(&ld);
	fprintf(out, "lockdown: %s\n", ld_describe(&ld, v, sizeof(v)));
	if (arm_crash_size(&crash_size) || crash_size == 0)
		fprintf(out, "crashkernel: none reserved\n");
	else
		fprintf(out, "crashkernel: %s (%llu bytes)\n", cli_size(crash_size, sz, sizeof(sz)),
			(unsigned long long)crash_size);
}

/* The arm state file's text when a crash kernel is loaded; 0 or -ENOENT. */
static int arm_state_read(char *text, size_t textsz)
{
	char path[PATH_MAX + 16];
	size_t n;
	FILE *f;

	if (!arm_crash_loaded())
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	n = fread(text, 1, textsz - 1, f);
	fclose(f);
	text[n] = '\0';
	return n ? 0 : -ENOENT;
}

int arm_armed_cmdline(char *out, size_t outsz)
{
	char text[8192];

	if (arm_state_read(text, sizeof(text)) || !arm_state_get(text, "cmdline", out, outsz))
		return -ENOENT;
	return 0;
}

unsigned long long arm_armed_bytes(void)
{
	char text[8192], v[64];

	if (arm_state_read(text, sizeof(text)) || !arm_state_get(text, "size", v, sizeof(v)))
		return 0;
	return strtoull(v, NULL, 10) * 512;
}
