/*
 * tools/info.h - the report of `rawdump info` (tools/cmd_info.c), which
 * `rawdump save` also writes next to each saved vmcore (info.txt and
 * info.json). The JSON keys are listed in Documentation/rawdump.8 (JSON
 * OUTPUT).
 */
#ifndef RAWDUMP_TOOLS_INFO_H
#define RAWDUMP_TOOLS_INFO_H

#include <stdio.h>

struct kinfo;
struct memimage;
struct target;

/* What `rawdump info [--json] SPEC` prints, onto out (save's info.txt and
 * info.json): a rawdump partition (read again now) or a vmcore file; the
 * kernel log cut to its last lines unless full_log. Returns info's exit code. */
int info_report(FILE *out, const char *spec, int json, int full_log);

/* The same report of a partition's dump that is open already (save's
 * info.txt and info.json): t the target it was opened from (rdr_open took
 * over its fd), m the dump, ki what kinfo_gather found in it (gathered once
 * for the three files); the log cut to its last lines. */
int info_report_open(FILE *out, const struct target *t, struct memimage *m,
		     const struct kinfo *ki, int json);

/* The whole kernel log in ki, as `rawdump info --log` prints it. */
void info_print_log_ki(const struct kinfo *ki, FILE *out);

/* The whole kernel log of m, lines as `rawdump info --log` prints them
 * (save's dmesg.txt); nothing when the log cannot be read. */
void info_print_log(struct memimage *m, FILE *out);

#endif
