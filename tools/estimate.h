/*
 * tools/estimate.h - how much partition space a dump of this machine needs
 * at a given dump level (`rawdump status`, `rawdump arm`).
 */
#ifndef RAWDUMP_TOOLS_ESTIMATE_H
#define RAWDUMP_TOOLS_ESTIMATE_H

#include <stdint.h>
#include <stdio.h>

#include "image/memimage.h"

struct estimate {
	uint64_t ram_bytes;			/* memory a dump covers */
	uint64_t class_bytes[MI_CLASS_SLOTS];	/* per class slot; zero pages are
						 * not counted (unknown) */
	uint64_t excluded_bytes;		/* of classes the level leaves out */
	uint64_t dump_bytes;			/* partition bytes needed, at most */
	int kpageflags;				/* classes from /proc/kpageflags (else
						 * from /proc/meminfo alone) */
};

/*
 * Estimate a dump at `level` (RD_CLASS_* bits) of the running machine, from
 * ROOT/proc/meminfo, ROOT/proc/iomem and, when readable, ROOT/proc/kpageflags
 * (root "" or NULL: the real /proc). dump_bytes is an upper bound: every
 * kept page counted uncompressed (the writer stores ZERO blocks for zero
 * pages and compresses the rest, so real dumps are smaller), plus block
 * headers and the EXCLUDED run lists at their worst. 0, or a negative
 * errno when meminfo cannot be read.
 */
int estimate_dump_bytes(uint32_t level, const char *root, struct estimate *e);

/* The dump level arm recorded (rd.dumplevel= in the armed minikernel command
 * line) or else `dump_level` of the config file; 0 if neither says. */
uint32_t estimate_configured_level(void);

/* The dump level on a minikernel command line (rd.dumplevel=N); 0 if none. */
uint32_t estimate_cmdline_level(const char *cmdline);

/* Print the estimate (and a warning line on stderr when part_bytes, if not
 * 0, is smaller). Returns 1 when it warned. */
int estimate_report(FILE *out, const char *cmd, uint32_t level, const char *root,
		    uint64_t part_bytes);

#endif
