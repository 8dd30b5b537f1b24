/*
 * tools/cli.h - what every rawdump subcommand shares: exit codes (the
 * contract documented in Documentation/rawdump.8), the one-line error
 * format "rawdump: <cmd>: <what>", and the
 * subcommand entry points that tools/main.c dispatches to.
 */
#ifndef RAWDUMP_TOOLS_CLI_H
#define RAWDUMP_TOOLS_CLI_H

#include <stdint.h>
#include <stdio.h>

enum rd_exit {
	RD_EXIT_OK = 0,
	RD_EXIT_USAGE = 1,
	RD_EXIT_TARGET = 2,	/* target not found / cannot open */
	RD_EXIT_REFUSED = 3,	/* would lose data */
	RD_EXIT_NOTRD = 4,	/* not a rawdump partition / bad header / no dump */
	RD_EXIT_IO = 5,
	RD_EXIT_PARTIAL = 6,	/* dump saved but partial or truncated */
	RD_EXIT_CORRUPT = 7,	/* corrupt beyond recovery */
	RD_EXIT_ARM = 8,	/* kexec / arming failed */
	RD_EXIT_CRASHKERNEL = 9,	/* no or too small crashkernel reservation */
	RD_EXIT_UNSIGNED = 10,	/* lockdown: the minikernel is not signed */
	RD_EXIT_UNTRUSTED = 11,	/* lockdown: no keyring trusts its signature */
	RD_EXIT_LOCKDOWN = 12,	/* lockdown: kexec_load (--method load) forbidden */
	RD_EXIT_WAITING = 13,	/* status: a dump is waiting (not saved or cleared) */
	RD_EXIT_NOTARMED = 14,	/* status: no rawdump capture kernel loaded */
	RD_EXIT_STALE = 15,	/* status: armed, but the partition or minikernel changed */
	RD_EXIT_NOSPACE = 16,	/* save, convert: not enough free space for the output */
};

/* `rawdump --version`: from the Makefile (git describe at build time). */
#ifndef RAWDUMP_VERSION
#define RAWDUMP_VERSION "unknown"
#endif

/* A usage error: "rawdump: CMD: REASON" on stderr; returns RD_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* getopt_long's complaint as one line: ch is what it returned, '?'
 * (unknown option) or ':' (missing value; the optstring starts with ':').
 * Returns RD_EXIT_USAGE. Callers set opterr = 0 so getopt prints nothing. */
int cli_getopt_error(const char *cmd, char **argv, int ch);

/* One line on the pages page filtering left out of m ("" if none):
 * "N pages (SIZE) left out by page filtering (dump level L): zero N, ...". */
struct memimage;
void cli_excl_summary(struct memimage *m, char *buf, size_t len);

/* The exit code for a failed rdr_open (enum rdr_err, tools/image/partition.h). */
int cli_exit_rdr(int why);

void cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_warn(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);

/* "1.5 GiB" style into buf. */
const char *cli_size(uint64_t bytes, char *buf, size_t bufsz);

/* UTC date of unix seconds v as "%Y-%m-%d %H:%M:%S UTC" (or fmt when not
 * NULL) into buf. 0, or -1 when v is 0 or not a date (a hostile header may
 * say anything: past the year 9999 libc's answers are not to be trusted). */
int cli_utc(uint64_t v, const char *fmt, char *buf, size_t bufsz);

int cmd_format(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_clear(int argc, char **argv);

#endif
