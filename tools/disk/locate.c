/*
 * tools/disk/locate.c - where the minikernel finds the dump partition
 * without Linux: from the block device's sysfs directory to its PCI
 * controller, the driver bound to it (virtio-blk, AHCI, NVMe), the AHCI
 * port or NVMe namespace, and the extent in 512-byte units (sysfs 'start'
 * and 'size'). Used by `rawdump arm` (tools/arm.c).
 *
 * Linux interfaces: /sys/dev/block/MAJ:MIN, ata_port 'port_no' (1-based),
 * nvme 'nsid' and, for a multipath NVMe namespace, its subsystem's
 * controller links.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "locate.h"

/* Read a sysfs-style file holding one unsigned number. 0 or -errno. */
int arm_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

int arm_is_pci_bdf(const char *s)
{
	unsigned seg, bus, dev, fn;
	int n = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &seg, &bus, &dev, &fn, &n) != 4)
		return 0;
	return n == (int)strlen(s) && n == 12;
}

/* Name of the driver bound to sysfs device directory dir, "" if none. */
static void arm_driver_name(const char *dir, char *out, size_t outsz)
{
	char path[PATH_MAX + 16], drv[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, drv, sizeof(drv) - 1);
	if (n < 0) {
		snprintf(out, outsz, "%s", "");
		return;
	}
	drv[n] = '\0';
	base = strrchr(drv, '/');
	snprintf(out, outsz, "%s", base ? base + 1 : drv);
}

/* Smallest entry name of dir that accept() takes, into best. 0 or -1. */
static int arm_first_entry(const char *dir, int (*accept)(const char *), char *best, size_t bestsz)
{
	struct dirent *de;
	DIR *dp = opendir(dir);

	if (!dp)
		return -1;
	best[0] = '\0';
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.' && accept(de->d_name) && strlen(de->d_name) < bestsz &&
		    (!best[0] || strcmp(de->d_name, best) < 0))
			snprintf(best, bestsz, "%s", de->d_name);
	closedir(dp);
	return best[0] ? 0 : -1;
}

static int arm_any_name(const char *name)
{
	return name[0] != '\0';
}

/* "nvme" followed by digits only: a controller link in a subsystem */
static int arm_nvme_ctrl_name(const char *name)
{
	size_t i;

	if (strncmp(name, "nvme", 4) || !name[4])
		return 0;
	for (i = 4; name[i]; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

/*
 * A namespace of a multipath-capable NVMe subsystem appears under
 * /sys/devices/virtual/nvme-subsystem/nvme-subsysN/, not under its PCI
 * controller. Newer kernels list the per-controller paths in the disk's
 * multipath/ directory; 6.1 has links nvme0, nvme1 ... to the subsystem's
 * controllers beside the disk. Put the sysfs path of the first one (by
 * name) in out. 0, or -1 when sysdir is not such a namespace.
 */
static int arm_nvme_path(const char *sysdir, char *out, size_t outsz)
{
	char disk[PATH_MAX], dir[PATH_MAX + 16], name[256], link[PATH_MAX * 2 + 300];
	char real[PATH_MAX], *slash;

	if (!strstr(sysdir, "/nvme-subsystem/"))
		return -1;
	snprintf(disk, sizeof(disk), "%s", sysdir);
	snprintf(dir, sizeof(dir), "%s/partition", disk);
	if (access(dir, F_OK) == 0) {
		slash = strrchr(disk, '/');
		if (slash)
			*slash = '\0';
	}
	snprintf(dir, sizeof(dir), "%s/multipath", disk);
	if (arm_first_entry(dir, arm_any_name, name, sizeof(name))) {
		slash = strrchr(disk, '/');
		if (!slash)
			return -1;
		*slash = '\0';
		snprintf(dir, sizeof(dir), "%s", disk);
		if (arm_first_entry(dir, arm_nvme_ctrl_name, name, sizeof(name)))
			return -1;
	}
	snprintf(link, sizeof(link), "%s/%s", dir, name);
	if (!realpath(link, real) || strlen(real) >= outsz)
		return -1;
	memcpy(out, real, strlen(real) + 1);
	return 0;
}

/*
 * From the block device's sysfs directory up to the PCI function of its
 * controller: the last path component shaped like a PCI address is the
 * function the disk hangs off (bridges come before it).
 */
int arm_resolve(dev_t rdev, struct arm_dev *d, char *why, size_t whysz)
{
	char link[128], path[PATH_MAX + 32], drv[PATH_MAX], *comp, *save = NULL;
	char walk[PATH_MAX], hw[PATH_MAX], pcidir[PATH_MAX] = "", virtio[PATH_MAX] = "", ata[32] = "";
	uint64_t v;
	char *disk;

	memset(d, 0, sizeof(*d));
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	if (!realpath(link, d->sysdir)) {
		snprintf(why, whysz, "%s: %s", link, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/partition", d->sysdir);
	if (access(path, F_OK) == 0) {
		snprintf(path, sizeof(path), "%s/start", d->sysdir);
		if (arm_read_u64(path, &d->start))
			goto out_sysfs;
	}
	snprintf(path, sizeof(path), "%s/size", d->sysdir);
	if (arm_read_u64(path, &d->size))
		goto out_sysfs;

	if (arm_nvme_path(d->sysdir, hw, sizeof(hw)))
		snprintf(hw, sizeof(hw), "%s", d->sysdir);
	snprintf(walk, sizeof(walk), "%s", hw);
	for (comp = strtok_r(walk, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (arm_is_pci_bdf(comp)) {
			snprintf(pcidir, sizeof(pcidir), "%.*s", (int)(comp - walk + strlen(comp)), hw);
			snprintf(d->pci, sizeof(d->pci), "%s", comp);
			ata[0] = '\0';
			virtio[0] = '\0';
		} else if (!strncmp(comp, "virtio", 6) && comp[6] >= '0' && comp[6] <= '9') {
			snprintf(virtio, sizeof(virtio), "%.*s", (int)(comp - walk + strlen(comp)), hw);
		} else if (!strncmp(comp, "ata", 3) && comp[3] >= '0' && comp[3] <= '9') {
			snprintf(ata, sizeof(ata), "%s", comp);
		}
	}
	if (!pcidir[0]) {
		snprintf(why, whysz, "%s is not on a PCI controller", d->sysdir);
		return -ENODEV;
	}
	arm_driver_name(pcidir, drv, sizeof(drv));
	if (!drv[0]) {
		snprintf(why, whysz, "controller %s has no driver bound", d->pci);
		return -ENODEV;
	}
	/* a virtio PCI function is supported when its virtio device is a disk */
	if (!strcmp(drv, "virtio-pci") && virtio[0])
		arm_driver_name(virtio, drv, sizeof(drv));
	comp = drv;

	if (!strcmp(comp, "virtio_blk")) {
		d->ctrl = "virtio-blk";
		d->unit = 0;
	} else if (!strcmp(comp, "ahci") && ata[0]) {
		d->ctrl = "ahci";
		snprintf(path, sizeof(path), "/sys/class/ata_port/%s/port_no", ata);
		if (arm_read_u64(path, &v) || v == 0 || v > 32)
			goto out_sysfs;
		d->unit = (unsigned)(v - 1);
	} else if (!strcmp(comp, "nvme")) {
		d->ctrl = "nvme";
		disk = strdup(d->sysdir);
		if (!disk)
			return -ENOMEM;
		snprintf(path, sizeof(path), "%s/nsid", disk);
		if (arm_read_u64(path, &v)) {
			/* a partition: the namespace is its parent directory */
			char *slash = strrchr(disk, '/');

			if (slash)
				*slash = '\0';
			snprintf(path, sizeof(path), "%s/nsid", disk);
			if (arm_read_u64(path, &v) || v == 0 || v > UINT32_MAX) {
				free(disk);
				goto out_sysfs;
			}
		}
		free(disk);
		d->unit = (unsigned)v;
	} else {
		snprintf(why, whysz, "controller %s (driver %s) not supported: the minikernel "
			 "drives virtio-blk, AHCI and NVMe", d->pci, comp);
		return -EOPNOTSUPP;
	}
	return 0;

out_sysfs:
	snprintf(why, whysz, "cannot read %s", path);
	return -EIO;
}
