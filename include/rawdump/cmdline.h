/*
 * include/rawdump/cmdline.h - the minikernel's command-line keys, defined
 * once: `rawdump arm` writes them (tools/arm.c), the minikernel parses them
 * (minikernel/cmdline.c). Meanings: Documentation/user-guide.md.
 */
#ifndef RAWDUMP_CMDLINE_H
#define RAWDUMP_CMDLINE_H

/* Where the dump partition is (written by arm from sysfs and the header). */
#define RD_KEY_PCI		"rd.pci"	/* SSSS:BB:DD.F of the controller */
#define RD_KEY_UNIT		"rd.unit"	/* AHCI port, NVMe namespace id */
#define RD_KEY_START		"rd.start"	/* partition start, 512-byte units */
#define RD_KEY_SIZE		"rd.size"	/* partition length, 512-byte units */
#define RD_KEY_UUID		"rd.uuid"	/* rawdump partition UUID, 32 hex digits */
/* How to dump. */
#define RD_KEY_COMP		"rd.comp"
#define RD_KEY_CSUM		"rd.csum"
#define RD_KEY_LEVEL		"rd.level"
#define RD_KEY_DUMPLEVEL	"rd.dumplevel"
#define RD_KEY_EXIT		"rd.exit"
/* Tuning and tests. */
#define RD_KEY_TEST		"rd.test"
#define RD_KEY_IOTIMEOUT	"rd.iotimeout"
#define RD_KEY_DISKSPEED	"rd.diskspeed"
#define RD_KEY_CSUMSPEED	"rd.csumspeed"
#define RD_KEY_DEPTH		"rd.depth"
#define RD_KEY_SG		"rd.sg"
#define RD_KEY_RANGES		"rd.ranges"

#endif
