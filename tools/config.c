/*
 * tools/config.c - reads /etc/rawdump.conf (see config.h for the format and
 * Documentation/user-guide.md for the keys).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_LINE_MAX	1024

const char *config_default_path(void)
{
	const char *env = getenv("RAWDUMP_CONF");

	return env && *env ? env : CONFIG_DEFAULT_PATH;
}

/*
 * The installed minikernel, found relative to this executable so that any
 * PREFIX works: EXE_DIR/../lib/rawdump (installed), EXE_DIR/minikernel (the
 * build tree), then RAWDUMP_LIBDIR.
 */
static void config_default_minikernel(char *out, size_t outsz)
{
	char exe[PATH_MAX], try[PATH_MAX + 64], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(try, sizeof(try), "%s/../lib/rawdump/rdmk.bzImage", exe);
			if (access(try, R_OK) == 0 && strlen(try) < outsz) {
				memcpy(out, try, strlen(try) + 1);
				return;
			}
			snprintf(try, sizeof(try), "%s/minikernel/rdmk.bzImage", exe);
			if (access(try, R_OK) == 0 && strlen(try) < outsz) {
				memcpy(out, try, strlen(try) + 1);
				return;
			}
		}
	}
	snprintf(out, outsz, "%s/rdmk.bzImage", RAWDUMP_LIBDIR);
}

static void config_defaults(struct rd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->output_dir, sizeof(c->output_dir), "/var/crash");
	snprintf(c->formats, sizeof(c->formats), "elf");
	c->level = -1;
	c->dump_level = -1;
	c->panic_on_oops = 1;
	c->max_dumps = 0;
	config_default_minikernel(c->minikernel, sizeof(c->minikernel));
	snprintf(c->exit_mode, sizeof(c->exit_mode), "reboot");
	snprintf(c->kexec_method, sizeof(c->kexec_method), "auto");
	snprintf(c->kexec_tool, sizeof(c->kexec_tool), "kexec");
}

static char *config_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int config_one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return 1;
	return 0;
}

static int config_formats_ok(const char *v)
{
	static const char *const names[] = { "elf", "lcrash", "lkcd", "kdump", NULL };
	char buf[64], *tok, *save = NULL;

	if (!*v || strlen(v) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		if (!config_one_of(tok, names))
			return 0;
	return 1;
}

int config_dump_level(const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n > 31)
		return -1;
	return (int)n;
}

/* Store value v for key k; 0, or -EINVAL with a reason in why. */
static int config_set(struct rd_config *c, const char *k, const char *v, const char **why)
{
	static const char *const comps[] = { "zlib", "lz4", "zstd", "none", NULL };
	static const char *const exits[] = { "reboot", "poweroff", "halt", "qemu", NULL };
	static const char *const methods[] = { "auto", "file", "load", NULL };
	struct { const char *key; char *dst; size_t size; } str[] = {
		{ "target", c->target, sizeof(c->target) },
		{ "output_dir", c->output_dir, sizeof(c->output_dir) },
		{ "formats", c->formats, sizeof(c->formats) },
		{ "compression", c->compression, sizeof(c->compression) },
		{ "minikernel", c->minikernel, sizeof(c->minikernel) },
		{ "exit", c->exit_mode, sizeof(c->exit_mode) },
		{ "kexec", c->kexec_method, sizeof(c->kexec_method) },
		{ "kexec_tool", c->kexec_tool, sizeof(c->kexec_tool) },
		{ "append", c->append, sizeof(c->append) },
	};
	size_t i;

	if (!strcmp(k, "dump_level")) {
		c->dump_level = config_dump_level(v);
		if (c->dump_level < 0) {
			*why = "dump_level must be 0 to 31";
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "panic_on_oops")) {
		static const char *const yes[] = { "yes", "true", "on", "1", NULL };
		static const char *const no[] = { "no", "false", "off", "0", NULL };

		if (config_one_of(v, yes))
			c->panic_on_oops = 1;
		else if (config_one_of(v, no))
			c->panic_on_oops = 0;
		else {
			*why = "panic_on_oops must be yes or no";
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "max_dumps")) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (!*v || *end || errno || n < 0 || n > 100000) {
			*why = "max_dumps must be 0 (keep all) to 100000";
			return -EINVAL;
		}
		c->max_dumps = (int)n;
		return 0;
	}
	if (!strcmp(k, "level")) {
		char *end;
		long n = strtol(v, &end, 10);

		if (!*v || *end || n < 1 || n > 9) {
			*why = "level must be 1 to 9";
			return -EINVAL;
		}
		c->level = (int)n;
		return 0;
	}
	if ((!strcmp(k, "compression") && !config_one_of(v, comps)) ||
	    (!strcmp(k, "exit") && !config_one_of(v, exits)) ||
	    (!strcmp(k, "kexec") && !config_one_of(v, methods)) ||
	    (!strcmp(k, "formats") && !config_formats_ok(v))) {
		*why = "value not allowed";
		return -EINVAL;
	}
	for (i = 0; i < sizeof(str) / sizeof(str[0]); i++) {
		if (strcmp(k, str[i].key))
			continue;
		if (strlen(v) >= str[i].size) {
			*why = "value too long";
			return -EINVAL;
		}
		memcpy(str[i].dst, v, strlen(v) + 1);
		return 0;
	}
	*why = "unknown key";
	return -EINVAL;
}

int config_load(const char *path, struct rd_config *c, char *err, size_t errsz)
{
	char line[CONFIG_LINE_MAX];
	const char *why = NULL;
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	config_defaults(c);
	if (!path)
		path = config_default_path();
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *hash, *k, *v;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			why = "line too long";
			rc = -EINVAL;
			goto out_close;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = config_trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			why = "expected key = value";
			rc = -EINVAL;
			goto out_close;
		}
		*eq = '\0';
		k = config_trim(s);
		v = config_trim(eq + 1);
		rc = config_set(c, k, v, &why);
		if (rc)
			goto out_close;
	}
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errsz, "%s: read error", path);
	}
out_close:
	if (rc == -EINVAL && why)
		snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
	fclose(f);
	return rc;
}
