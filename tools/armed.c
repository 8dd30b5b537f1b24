/*
 * tools/armed.c - what is armed now: the kernel's crash-kernel state
 * (/sys/kernel/kexec_crash_size, kexec_crash_loaded) and rawdump's record
 * of what `rawdump arm` loaded (/run/rawdump/armed, $RAWDUMP_RUNDIR), read
 * by `rawdump status` and the size estimate (tools/estimate.c).
 */
#include <errno.h>
#include <fcntl.h>
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
#include "rawdump/err.h"
#include "disk/partheader.h"
#include "disk/target.h"

#define ARM_RUNDIR_DEFAULT	"/run/rawdump"

const char *arm_rundir(void)
{
	const char *d = getenv("RAWDUMP_RUNDIR");

	return d && *d ? d : ARM_RUNDIR_DEFAULT;
}

const char *arm_root(void)
{
	const char *d = getenv("RAWDUMP_SYSROOT");

	return d && *d ? d : "";
}

/* path (absolute) under $RAWDUMP_SYSROOT into buf. */
static const char *arm_root_path(const char *path, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s%s", arm_root(), path);
	return buf;
}

int arm_crash_size(uint64_t *size)
{
	char p[PATH_MAX];

	return arm_read_u64(arm_root_path(ARM_SYS_KEXEC "/kexec_crash_size", p, sizeof(p)), size);
}

int arm_crash_loaded(void)
{
	char p[PATH_MAX];
	uint64_t v = 0;

	return arm_read_u64(arm_root_path(ARM_SYS_KEXEC "/kexec_crash_loaded", p, sizeof(p)), &v) == 0 &&
	       v == 1;
}

int arm_boot_id(char *out, size_t outsz)
{
	char p[PATH_MAX];
	FILE *f = fopen(arm_root_path(ARM_PROC_BOOT_ID, p, sizeof(p)), "re");
	size_t n;

	out[0] = '\0';
	if (!f)
		return -errno;
	n = fread(out, 1, outsz - 1, f);
	fclose(f);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return out[0] ? 0 : -EINVAL;
}

int arm_panic_on_oops(void)
{
	char p[PATH_MAX];
	uint64_t v;
	int rc = arm_read_u64(arm_root_path(ARM_PROC_PANIC_ON_OOPS, p, sizeof(p)), &v);

	return rc ? rc : v != 0;
}

int arm_set_panic_on_oops(void)
{
	char p[PATH_MAX];
	int fd = open(arm_root_path(ARM_PROC_PANIC_ON_OOPS, p, sizeof(p)), O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1\n", 2) != 2)
		rc = -errno;
	close(fd);
	return rc;
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
const char *arm_state_get(char *text, const char *key, char *out, size_t outsz)
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
	char text[8192], v[ARM_CMDLINE_MAX], sz[32];
	uint64_t crash_size = 0, start, size;
	struct ld_state ld;
	enum arm_owner own = arm_owner(text, sizeof(text));

	if (own == ARM_NOT_LOADED)
		fprintf(out, "armed: no\n");
	else if (own == ARM_FOREIGN)
		fprintf(out, "armed: no (a crash kernel is loaded, not by rawdump arm: kdump-tools?)\n");
	else
		fprintf(out, "armed: yes (%s)\n",
			arm_state_get(text, "method", v, sizeof(v)) ? v : "?");
	if (own == ARM_OURS) {
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

/* The arm record's text when rawdump armed the loaded crash kernel this
 * boot; 0 or -ENOENT. */
static int arm_state_read(char *text, size_t textsz)
{
	return arm_owner(text, textsz) == ARM_OURS ? 0 : -ENOENT;
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

int arm_record_read(char *text, size_t textsz)
{
	char path[PATH_MAX + 16];
	size_t n;
	FILE *f;

	text[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	n = fread(text, 1, textsz - 1, f);
	fclose(f);
	text[n] = '\0';
	return n ? 0 : -ENOENT;
}

enum arm_owner arm_owner(char *text, size_t textsz)
{
	char now[64], then[64];

	if (!arm_crash_loaded())
		return ARM_NOT_LOADED;
	if (arm_record_read(text, textsz))
		return ARM_FOREIGN;
	/* a record from another boot describes a kernel that is gone: the one
	 * loaded now is someone else's (a record without boot_id is older
	 * than that key and trusted, /run being emptied at boot) */
	if (arm_state_get(text, "boot_id", then, sizeof(then)) && arm_boot_id(now, sizeof(now)) == 0 &&
	    strcmp(now, then))
		return ARM_FOREIGN;
	return ARM_OURS;
}

int arm_stale(char *text, char *why, size_t whysz)
{
	char dev[PATH_MAX], uuid[PART_UUID_STR], now_uuid[PART_UUID_STR], v[PATH_MAX], err[512];
	struct rd_part_header h;
	struct target t;
	struct stat st;
	unsigned long long sectors;
	int rc, stale = 0;

	why[0] = '\0';
	if (arm_state_get(text, "device", dev, sizeof(dev))) {
		rc = target_open(dev, O_RDONLY, &t, err, sizeof(err));
		if (rc == -EACCES || rc == -EPERM || rc == -EIO) {
			snprintf(why, whysz, "%s", err);
			return rc;
		}
		if (rc) {
			snprintf(why, whysz, "the armed partition %s is gone", dev);
			return 1;
		}
		rc = part_header_read(&t, &h, NULL, NULL);
		if (rc == -EIO || rc == -EACCES) {
			snprintf(why, whysz, "%s: cannot read the partition header: %s", dev, strerror(-rc));
			target_close(&t);
			return rc;
		}
		sectors = arm_state_get(text, "size", v, sizeof(v)) ? strtoull(v, NULL, 10) : 0;
		if (rc) {
			snprintf(why, whysz, "%s no longer holds a rawdump header (%s)", dev, rd_strerror(rc));
			stale = 1;
		} else if (arm_state_get(text, "uuid", uuid, sizeof(uuid)) &&
			   (part_uuid_format(h.uuid, now_uuid), strcmp(uuid, now_uuid))) {
			snprintf(why, whysz, "%s was reformatted: uuid %s armed, %s now", dev, uuid, now_uuid);
			stale = 1;
		} else if (sectors && sectors * 512 != t.size) {
			snprintf(why, whysz, "%s changed size: %llu bytes armed, %llu now", dev,
				 sectors * 512, (unsigned long long)t.size);
			stale = 1;
		}
		target_close(&t);
		if (stale)
			return 1;
	}
	if (arm_state_get(text, "minikernel", v, sizeof(v))) {
		char sz[32], mt[32];

		if (stat(v, &st) < 0) {
			snprintf(why, whysz, "the armed minikernel %s is gone", v);
			return 1;
		}
		if (arm_state_get(text, "minikernel_size", sz, sizeof(sz)) &&
		    arm_state_get(text, "minikernel_mtime", mt, sizeof(mt)) &&
		    (strtoull(sz, NULL, 10) != (unsigned long long)st.st_size ||
		     strtoll(mt, NULL, 10) != (long long)st.st_mtime)) {
			snprintf(why, whysz, "the minikernel %s was replaced after arming", v);
			return 1;
		}
	}
	return 0;
}
