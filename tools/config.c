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

static const char *config_override;	/* rawdump --config FILE (tools/main.c) */

void config_set_path(const char *path)
{
	config_override = path;
}

const char *config_default_path(void)
{
	const char *env = getenv("RAWDUMP_CONF");

	if (config_override)
		return config_override;
	return env && *env ? env : CONFIG_DEFAULT_PATH;
}

int config_path_named(void)
{
	const char *env = getenv("RAWDUMP_CONF");

	return config_override || (env && *env);
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

static const char *const config_keys[] = {
	"target", "output_dir", "formats", "compression", "level", "dump_level",
	"panic_on_oops", "max_dumps", "minikernel", "exit", "kexec", "kexec_tool",
	"append", NULL,
};
static const char *const config_yes[] = { "yes", "true", "on", "1", NULL };
static const char *const config_no[] = { "no", "false", "off", "0", NULL };

/* ", " joined list into buf. */
static const char *config_list(const char *const *l, char *buf, size_t bufsz)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *l && len < bufsz; l++)
		len += (size_t)snprintf(buf + len, bufsz - len, "%s%s", len ? ", " : "", *l);
	return buf;
}

/* A whole number in [lo, hi] into *out; 0 or -1. */
static int config_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

/* Store value v for key k; 0, or -EINVAL with "REASON (allowed: ...)" in why. */
static int config_set(struct rd_config *c, const char *k, const char *v, char *why, size_t whysz)
{
	static const char *const comps[] = { "zlib", "lz4", "zstd", "none", NULL };
	static const char *const exits[] = { "reboot", "poweroff", "halt", "qemu", NULL };
	static const char *const methods[] = { "auto", "file", "load", NULL };
	static const char *const fmts[] = { "elf", "lcrash", "lkcd", "kdump", NULL };
	struct { const char *key; char *dst; size_t size; const char *const *allowed; } str[] = {
		{ "target", c->target, sizeof(c->target), NULL },
		{ "output_dir", c->output_dir, sizeof(c->output_dir), NULL },
		{ "formats", c->formats, sizeof(c->formats), NULL },
		{ "compression", c->compression, sizeof(c->compression), comps },
		{ "minikernel", c->minikernel, sizeof(c->minikernel), NULL },
		{ "exit", c->exit_mode, sizeof(c->exit_mode), exits },
		{ "kexec", c->kexec_method, sizeof(c->kexec_method), methods },
		{ "kexec_tool", c->kexec_tool, sizeof(c->kexec_tool), NULL },
		{ "append", c->append, sizeof(c->append), NULL },
	};
	char list[256];
	size_t i;

	if (!strcmp(k, "dump_level")) {
		c->dump_level = config_dump_level(v);
		if (c->dump_level < 0) {
			snprintf(why, whysz, "'%s' is not a dump level (allowed: 0 to 31)", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "panic_on_oops")) {
		if (config_one_of(v, config_yes))
			c->panic_on_oops = 1;
		else if (config_one_of(v, config_no))
			c->panic_on_oops = 0;
		else {
			snprintf(why, whysz, "'%s' is not yes or no (allowed: yes, no, true, false, "
				 "on, off, 1, 0)", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "max_dumps")) {
		if (config_int(v, 0, 100000, &c->max_dumps)) {
			snprintf(why, whysz, "'%s' is not a count (allowed: 0 = keep all, to 100000)", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "level")) {
		if (config_int(v, 1, 9, &c->level)) {
			snprintf(why, whysz, "'%s' is not a zlib level (allowed: 1 to 9)", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "formats") && !config_formats_ok(v)) {
		snprintf(why, whysz, "'%s' is not a list of formats (allowed: a comma list of %s)",
			 v, config_list(fmts, list, sizeof(list)));
		return -EINVAL;
	}
	for (i = 0; i < sizeof(str) / sizeof(str[0]); i++) {
		if (strcmp(k, str[i].key))
			continue;
		if (str[i].allowed && !config_one_of(v, str[i].allowed)) {
			snprintf(why, whysz, "'%s' not allowed (allowed: %s)", v,
				 config_list(str[i].allowed, list, sizeof(list)));
			return -EINVAL;
		}
		if (strlen(v) >= str[i].size) {
			snprintf(why, whysz, "value too long (allowed: up to %zu bytes)", str[i].size - 1);
			return -EINVAL;
		}
		memcpy(str[i].dst, v, strlen(v) + 1);
		return 0;
	}
	snprintf(why, whysz, "unknown key (allowed: %s)", config_list(config_keys, list, sizeof(list)));
	return -EINVAL;
}

/*
 * Split line s (newline removed) into key and value: "KEY = VALUE", the
 * value bare (a '#' starts a comment) or quoted "..." / '...' as in an
 * /etc/default file (the quotes are dropped, a '#' inside is text, only a
 * comment may follow). 1 with *k and *v set, 0 for a blank or comment
 * line, -1 with a reason in why.
 */
static int config_split(char *s, char **k, char **v, const char **why)
{
	char *eq, *e, q;

	s = config_trim(s);
	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq || memchr(s, '#', (size_t)(eq - s))) {
		*why = "expected KEY = VALUE";
		return -1;
	}
	*eq = '\0';
	*k = config_trim(s);
	s = eq + 1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '"' || *s == '\'') {
		q = *s++;
		e = strchr(s, q);
		if (!e) {
			*why = "quote not closed";
			return -1;
		}
		*e++ = '\0';
		while (isspace((unsigned char)*e))
			e++;
		if (*e && *e != '#') {
			*why = "text after the closing quote";
			return -1;
		}
		*v = s;
		return 1;
	}
	e = strchr(s, '#');
	if (e)
		*e = '\0';
	*v = config_trim(s);
	return 1;
}

int config_load(const char *path, struct rd_config *c, char *err, size_t errsz)
{
	char line[CONFIG_LINE_MAX], why[512];
	const char *split_why = NULL;
	unsigned lineno = 0;
	int named = path || config_path_named();
	FILE *f;
	int rc = 0;

	config_defaults(c);
	if (!path)
		path = config_default_path();
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !named)
			return 0;
		rc = errno == ENOENT ? -EINVAL : -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *k = NULL, *v = NULL, *nl = strchr(line, '\n');

		lineno++;
		if (!nl && !feof(f)) {
			snprintf(err, errsz, "%s:%u: line too long (allowed: %d bytes)", path, lineno,
				 CONFIG_LINE_MAX - 2);
			rc = -EINVAL;
			goto out_close;
		}
		if (nl)
			*nl = '\0';
		rc = config_split(line, &k, &v, &split_why);
		if (rc < 0) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, split_why);
			rc = -EINVAL;
			goto out_close;
		}
		if (!rc)
			continue;
		rc = config_set(c, k, v, why, sizeof(why));
		if (rc) {
			snprintf(err, errsz, "%s:%u: %s: %s", path, lineno, k, why);
			goto out_close;
		}
	}
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errsz, "%s: read error", path);
	}
out_close:
	fclose(f);
	return rc;
}
