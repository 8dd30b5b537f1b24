/*
 * tools/disk/locate.h - the controller, port or namespace and extent of a
 * block device, as the minikernel needs them (tools/disk/locate.c).
 */
#ifndef RAWDUMP_TOOLS_LOCATE_H
#define RAWDUMP_TOOLS_LOCATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct arm_dev {
	char sysdir[PATH_MAX];	/* sysfs directory of the partition (or disk) */
	char pci[32];		/* SSSS:BB:DD.F */
	const char *ctrl;	/* "virtio-blk", "ahci", "nvme" */
	unsigned unit;		/* AHCI port, NVMe namespace id, 0 for virtio */
	uint64_t start, size;	/* 512-byte units */
};

/* Fill d for the block device rdev; on failure a one-line reason in why
 * and a negative errno. */
int arm_resolve(dev_t rdev, struct arm_dev *d, char *why, size_t whysz);

/* Read a sysfs-style file holding one unsigned number. 0 or -errno. */
int arm_read_u64(const char *path, uint64_t *val);

/* "SSSS:BB:DD.F" */
int arm_is_pci_bdf(const char *s);

#endif
