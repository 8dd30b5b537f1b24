/*
 * tools/cli.c - messages and formatting shared by the rawdump
 * subcommands (see tools/cli.h).
 */
#include <inttypes.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "image/excl.h"
#include "image/partition.h"

/* "rawdump: CMD: [warning: ]MESSAGE\n" on stderr. */
static void __attribute__((format(printf, 3, 0)))
cli_say(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "rawdump: %s: %s", cmd, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_say(cmd, "", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_say(cmd, "warning: ", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_say(cmd, "", fmt, ap);
	va_end(ap);
	return RD_EXIT_USAGE;
}

int cli_getopt_error(const char *cmd, char **argv, int ch)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', (char)optopt, '\0' };

	if (optopt && !(arg[0] == '-' && arg[1] == '-'))
		arg = shortopt;
	if (ch == ':')
		return cli_usage_error(cmd, "option %s needs a value", arg);
	return cli_usage_error(cmd, "unknown option %s", arg);
}

int cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

const char *cli_size(uint64_t bytes, char *buf, size_t bufsz)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, bufsz, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, bufsz, "%.1f %s", v, unit[u]);
	return buf;
}

int cli_utc(uint64_t v, const char *fmt, char *buf, size_t bufsz)
{
	const uint64_t last = 253402300799ull;	/* 9999-12-31 23:59:59 UTC */
	time_t t = (time_t)v;
	struct tm tm;

	if (bufsz)
		buf[0] = '\0';
	if (!v || v > last || !gmtime_r(&t, &tm) ||
	    !strftime(buf, bufsz, fmt ? fmt : "%Y-%m-%d %H:%M:%S UTC", &tm))
		return -1;
	return 0;
}

int cli_exit_rdr(int why)
{
	switch (why) {
	case RDR_ERR_NOTRD:
		return RD_EXIT_NOTRD;
	case RDR_ERR_CORRUPT:
		return RD_EXIT_CORRUPT;
	default:
		return RD_EXIT_IO;
	}
}

void cli_excl_summary(struct memimage *m, char *buf, size_t len)
{
	uint64_t cnt[MI_CLASS_SLOTS], total;
	uint32_t level;
	size_t pos;
	unsigned int i;
	char sz[32];
	const char *sep = ": ";

	buf[0] = '\0';
	total = excl_counts(m, cnt, &level);
	if (!total)
		return;
	pos = (size_t)snprintf(buf, len, "%" PRIu64 " pages (%s) left out by page filtering",
			       total, cli_size(total * MI_PAGE, sz, sizeof(sz)));
	if (level && pos < len)
		pos += (size_t)snprintf(buf + pos, len - pos, " (dump level %" PRIu32 ")", level);
	for (i = 0; i < MI_CLASS_SLOTS && pos < len; i++) {
		if (!cnt[i])
			continue;
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s %" PRIu64, sep, mi_class_name(i), cnt[i]);
		sep = ", ";
	}
}
