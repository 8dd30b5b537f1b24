/*
 * tools/info.h - the report of `rawdump info` (tools/cmd_info.c), which
 * `rawdump save` also writes next to each saved vmcore (info.txt and
 * info.json). The JSON keys are listed in Documentation/rawdump.8 (JSON
 * OUTPUT).
 */
#ifndef RAWDUMP_TOOLS_INFO_H
#define RAWDUMP_TOOLS_INFO_H

#include <stdio.h>

struct memimage;

/* Print exactly what `rawdump info [--json] [--verbose]` prints about m: a
 * rawdump partition's dump (rdr_open) or a vmcore file (mi_open). vmcore:
 * the path the crash command line names (NULL: "<vmcore>"). The kernel log
 * is cut to its last lines, as without --log. 0, or -EIO when out reports
 * a write error. */
int info_report(FILE *out, struct memimage *m, const char *vmcore, int json, int verbose);

#endif
