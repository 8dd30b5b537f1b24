/*
 * tools/arm.c - `rawdump arm`, `rawdump disarm` and the arm part of
 * `rawdump status`.
 *
 * Arming resolves the dump partition to what the minikernel needs to reach
 * it without Linux: the controller's PCI address (from the partition's
 * sysfs path), the AHCI port or NVMe namespace, the start and length in
 * 512-byte units (sysfs 'start' and 'size'), and the rawdump partition
 * UUID (from its header, which is checked). It then loads the minikernel
 * as the crash kernel with those on its command line (the rd.* keys of
 * Documentation/user-guide.md): kexec_file_load(2) first, kexec-tools'
 * `kexec -p --type=bzImage64` (kexec_load) when the kernel refuses the
 * file interface. Under kernel lockdown (Secure Boot) only kexec_file_load
 * is tried and its refusals are explained (arm_load_locked,
 * tools/lockdown.c). A record of what was armed goes to /run/rawdump/armed
 * ($RAWDUMP_RUNDIR), which vanishes on reboot like the kexec image does.
 *
 * Linux interfaces: /sys/kernel/kexec_crash_size, kexec_crash_loaded,
 * /sys/dev/block/MAJ:MIN, ata_port 'port_no' (1-based), nvme 'nsid' and,
 * for a multipath NVMe namespace, its subsystem's controller links;
 * the x86 boot protocol header (Documentation/x86/boot.rst) of the
 * minikernel for its init_size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kexec.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arm.h"
#include "estimate.h"
#include "cli.h"
#include "config.h"
#include "lockdown.h"
#include "target.h"
#include "util.h"
#include "writer.h"

#define ARM_SYS_KEXEC		"/sys/kernel"
#define ARM_RUNDIR_DEFAULT	"/run/rawdump"
#define ARM_STATE_NAME		"armed"
/* Crash-region room beyond the minikernel's init_size: purgatory, boot
 * parameters and command line, the elfcorehdr and, with kexec_load, the
 * 640 KiB backup of low memory. */
#define ARM_CRASH_SLACK		(1024u * 1024u)
#define ARM_CMDLINE_MAX		2048
#define ARM_MIB_UP(b)		(((b) + (1u << 20) - 1) >> 20)
#define ARM_BZ_HDR_SIZE		0x268u

/* x86 boot protocol setup header offsets (Documentation/x86/boot.rst). */
#define BZ_OFF_SETUP_SECTS	0x1f1
#define BZ_OFF_BOOT_FLAG	0x1fe
#define BZ_OFF_HEADER		0x202
#define BZ_OFF_VERSION		0x206
#define BZ_OFF_XLOADFLAGS	0x236
#define BZ_OFF_INIT_SIZE	0x260
#define BZ_XLF_KERNEL_64	0x1

struct arm_dev {
	char sysdir[PATH_MAX];	/* sysfs directory of the partition (or disk) */
	char pci[32];		/* SSSS:BB:DD.F */
	const char *ctrl;	/* "virtio-blk", "ahci", "nvme" */
	unsigned unit;		/* AHCI port, NVMe namespace id, 0 for virtio */
	uint64_t start, size;	/* 512-byte units */
};

struct arm_opts {
	const char *target;
	const char *exit_mode;
	const char *comp;
	int level;
	int dump_level;			/* rd.dumplevel, -1 = the minikernel's default */
	const char *minikernel;
	const char *method;
	const char *append;
	const char *config;
	int force;
	int dry_run;
};

static const char *arm_rundir(void)
{
	const char *d = getenv("RAWDUMP_RUNDIR");

	return d && *d ? d : ARM_RUNDIR_DEFAULT;
}

/* Read a sysfs-style file holding one unsigned number. 0 or -errno. */
static int arm_read_u64(const char *path, uint64_t *val)
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

static int arm_crash_size(uint64_t *size)
{
	return arm_read_u64(ARM_SYS_KEXEC "/kexec_crash_size", size);
}

static int arm_crash_loaded(void)
{
	uint64_t v = 0;

	return arm_read_u64(ARM_SYS_KEXEC "/kexec_crash_loaded", &v) == 0 && v == 1;
}

static int arm_is_pci_bdf(const char *s)
{
	unsigned seg, bus, dev, fn;
	int n = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &seg, &bus, &dev, &fn, &n) != 4)
		return 0;
	return n == (int)strlen(s) && n == 12;
}

/* Check that path is a boot-protocol 2.12+ 64-bit bzImage and return the
 * memory it needs once loaded (init_size). 0 or -EINVAL / -errno. */
static int arm_minikernel_need(const char *path, uint64_t *need, char *why, size_t whysz)
{
	uint8_t h[ARM_BZ_HDR_SIZE];
	uint32_t init_size;
	uint16_t version;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whysz, "minikernel %s: %s", path, strerror(errno));
		return -errno;
	}
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || h[BZ_OFF_BOOT_FLAG] != 0x55 ||
	    h[BZ_OFF_BOOT_FLAG + 1] != 0xaa || memcmp(h + BZ_OFF_HEADER, "HdrS", 4)) {
		snprintf(why, whysz, "minikernel %s: not a bzImage", path);
		return -EINVAL;
	}
	version = (uint16_t)(h[BZ_OFF_VERSION] | h[BZ_OFF_VERSION + 1] << 8);
	if (version < 0x20c || !(h[BZ_OFF_XLOADFLAGS] & BZ_XLF_KERNEL_64)) {
		snprintf(why, whysz, "minikernel %s: boot protocol %x.%02x without a 64-bit entry",
			 path, version >> 8, version & 0xff);
		return -EINVAL;
	}
	memcpy(&init_size, h + BZ_OFF_INIT_SIZE, sizeof(init_size));
	*need = (uint64_t)init_size + ARM_CRASH_SLACK;
	return 0;
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
static int arm_resolve(dev_t rdev, struct arm_dev *d, char *why, size_t whysz)
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

static int arm_build_cmdline(char *buf, size_t bufsz, const struct arm_dev *d,
			     const uint8_t uuid[16], const struct arm_opts *o)
{
	size_t len;
	int i, n;

	n = snprintf(buf, bufsz, "rd.pci=%s rd.unit=%u rd.start=%llu rd.size=%llu rd.uuid=",
		     d->pci, d->unit, (unsigned long long)d->start, (unsigned long long)d->size);
	if (n < 0 || (size_t)n >= bufsz)
		return -E2BIG;
	len = (size_t)n;
	for (i = 0; i < 16 && len + 2 < bufsz; i++, len += 2)
		snprintf(buf + len, bufsz - len, "%02x", uuid[i]);
	if (o->comp && *o->comp)
		len += (size_t)snprintf(buf + len, bufsz - len, " rd.comp=%s", o->comp);
	if (len < bufsz && o->level > 0)
		len += (size_t)snprintf(buf + len, bufsz - len, " rd.level=%d", o->level);
	if (len < bufsz && o->dump_level >= 0)
		len += (size_t)snprintf(buf + len, bufsz - len, " rd.dumplevel=%d", o->dump_level);
	if (len < bufsz)
		len += (size_t)snprintf(buf + len, bufsz - len, " rd.exit=%s", o->exit_mode);
	if (len < bufsz && o->append && *o->append)
		len += (size_t)snprintf(buf + len, bufsz - len, " %s", o->append);
	return len < bufsz ? 0 : -E2BIG;
}

static int arm_file_load(const char *image, const char *cmdline)
{
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	long rc;

	if (fd < 0)
		return -errno;
	rc = syscall(SYS_kexec_file_load, fd, -1, strlen(cmdline) + 1, cmdline,
		     (unsigned long)(KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS));
	rc = rc ? -errno : 0;
	close(fd);
	return (int)rc;
}

/* kexec-tools, which uses kexec_load(2) with its own purgatory. Returns
 * 0, or -ENOENT when the tool is missing, -ECANCELED when it failed. */
static int arm_tool_load(const char *tool, const char *image, const char *cmdline)
{
	char *append;
	pid_t pid;
	int status;

	if (asprintf(&append, "--append=%s", cmdline) < 0)
		return -ENOMEM;
	pid = fork();
	if (pid < 0) {
		free(append);
		return -errno;
	}
	if (pid == 0) {
		char *argv[] = { (char *)tool, "-p", (char *)image, "--type=bzImage64", append, NULL };

		execvp(tool, argv);
		_exit(127);
	}
	free(append);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECANCELED;
}

static int arm_state_write(const char *text)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s", arm_rundir());
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, ARM_STATE_NAME);
	snprintf(dst, sizeof(dst), "%s/%s", dir, ARM_STATE_NAME);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		rc = -EIO;
	if (fclose(f) == EOF && !rc)
		rc = -errno;
	if (!rc && rename(tmp, dst) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static void arm_usage(FILE *out)
{
	fprintf(out,
		"usage: rawdump arm [TARGET] [--force] [--dry-run] [--exit reboot|poweroff|halt|qemu]\n"
		"                   [--comp zstd|lz4|zlib|none] [--level N] [--dump-level N] [--minikernel PATH]\n"
		"                   [--method auto|file|load] [--append STR] [--config FILE]\n"
		"       rawdump disarm\n"
		"TARGET defaults to 'target' in %s.\n", CONFIG_DEFAULT_PATH);
}

static int arm_parse(int argc, char **argv, struct arm_opts *o, const struct rd_config *c)
{
	static const struct option lopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "exit", required_argument, NULL, 'e' },
		{ "comp", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "dump-level", required_argument, NULL, 'd' },
		{ "minikernel", required_argument, NULL, 'm' },
		{ "method", required_argument, NULL, 'M' },
		{ "append", required_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->target = c->target[0] ? c->target : NULL;
	o->exit_mode = c->exit_mode;
	o->comp = c->compression;
	o->level = c->level;
	o->dump_level = c->dump_level;
	o->minikernel = c->minikernel;
	o->method = c->kexec_method;
	o->append = c->append;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "fn", lopts, NULL)) != -1) {
		switch (ch) {
		case 'f': o->force = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'e': o->exit_mode = optarg; break;
		case 'c': o->comp = optarg; break;
		case 'l': o->level = atoi(optarg); break;
		case 'd': o->dump_level = config_dump_level(optarg); if (o->dump_level < 0) o->dump_level = -2; break;
		case 'm': o->minikernel = optarg; break;
		case 'M': o->method = optarg; break;
		case 'a': o->append = optarg; break;
		case 'C': break;	/* read before parsing, see cmd_arm */
		case 'h': arm_usage(stdout); return -1;
		default: arm_usage(stderr); return RD_EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->target = argv[optind++];
	if (optind < argc || (strcmp(o->exit_mode, "reboot") && strcmp(o->exit_mode, "poweroff") &&
			      strcmp(o->exit_mode, "halt") && strcmp(o->exit_mode, "qemu")) ||
	    (*o->comp && strcmp(o->comp, "zlib") && strcmp(o->comp, "lz4") &&
	     strcmp(o->comp, "zstd") && strcmp(o->comp, "none")) ||
	    (o->level != -1 && (o->level < 1 || o->level > 9)) || o->dump_level < -1 ||
	    (strcmp(o->method, "auto") && strcmp(o->method, "file") && strcmp(o->method, "load"))) {
		arm_usage(stderr);
		return RD_EXIT_USAGE;
	}
	if (!o->target) {
		cli_error("arm", "no target: name one or set 'target' in %s", config_default_path());
		return RD_EXIT_USAGE;
	}
	return 0;
}

/*
 * A kexec_file_load refusal (err: positive errno) that is about the
 * signature - lockdown, or a kernel built with KEXEC_SIG_FORCE: print the
 * sentence, return its exit code; 0 when err is about something else.
 */
static int arm_sig_refusal(const struct ld_state *ld, const char *image, int err)
{
	char why[PATH_MAX + 512];

	switch (ld_file_refusal(ld, err, image, why, sizeof(why))) {
	case LD_REFUSED_UNSIGNED:
		cli_error("arm", "%s", why);
		return RD_EXIT_UNSIGNED;
	case LD_REFUSED_UNTRUSTED:
		cli_error("arm", "%s", why);
		return RD_EXIT_UNTRUSTED;
	case LD_REFUSED_OTHER:
		break;
	}
	return 0;
}

/*
 * Under lockdown: kexec_load is forbidden, kexec_file_load checks the
 * image's signature against the kernel's keyrings. One sentence with the
 * fix for each refusal, each with its exit code (Documentation/rawdump.8).
 * 0 when the image is loaded, else the exit code (nothing is loaded).
 */
static int arm_load_locked(const struct ld_state *ld, const struct arm_opts *o,
			   const char *cmdline)
{
	char why[PATH_MAX + 512];
	enum ld_sig sig;
	unsigned nsigs;
	int rc, ret;

	if (!strcmp(o->method, "load")) {
		ld_load_forbidden(ld, why, sizeof(why));
		cli_error("arm", "%s", why);
		return RD_EXIT_LOCKDOWN;
	}
	/* kexec_file_load unloads the armed image before it checks the new
	 * one: refuse an unsigned image here and keep what is armed (--method
	 * file tries anyway, for an IMA-appraised image) */
	sig = ld_image_sig(o->minikernel, &nsigs);
	if (!strcmp(o->method, "auto") && (sig == LD_SIG_NOT_PE || sig == LD_SIG_UNSIGNED))
		return arm_sig_refusal(ld, o->minikernel, ENODATA);
	rc = arm_file_load(o->minikernel, cmdline);
	if (!rc)
		return 0;
	ret = arm_sig_refusal(ld, o->minikernel, -rc);
	if (ret)
		return ret;
	cli_error("arm", "kexec_file_load refused the minikernel: %s", strerror(-rc));
	return rc == -ENOMEM || rc == -EADDRNOTAVAIL ? RD_EXIT_CRASHKERNEL : RD_EXIT_ARM;
}

/* State-file lines on lockdown and the armed image's signature. */
static const char *arm_sig_state(const struct ld_state *ld, const char *image,
				 char *buf, size_t bufsz)
{
	char desc[128];
	unsigned nsigs = 0;
	enum ld_sig sig = ld_image_sig(image, &nsigs);

	snprintf(buf, bufsz, "lockdown=%s\nsignature=%s\n", ld_describe(ld, desc, sizeof(desc)),
		 sig != LD_SIG_SIGNED ? "unsigned" :
		 ld_locked(ld) ? "signed, verified by the kernel (kexec_file_load under lockdown)" :
		 "signed, not verified (no lockdown)");
	return buf;
}

/* --config FILE must be known before the defaults it sets are parsed. */
static const char *arm_config_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
	}
	return NULL;
}

int cmd_arm(int argc, char **argv)
{
	char why[PATH_MAX + 128], cmdline[ARM_CMDLINE_MAX], uuid[UTIL_UUID_STR];
	char size_a[32], size_b[32], *state;
	struct rd_part_header h;
	struct rd_config cfg;
	struct arm_opts o = { 0 };
	struct arm_dev d;
	struct target t;
	struct ld_state ld;
	const char *method = "kexec_file_load";
	uint64_t crash_size = 0, need = 0;
	int rc, ret;

	rc = config_load(arm_config_arg(argc, argv), &cfg, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		return RD_EXIT_USAGE;
	}
	ret = arm_parse(argc, argv, &o, &cfg);
	if (ret)
		return ret < 0 ? RD_EXIT_OK : ret;

	/* 1. A crashkernel reservation the minikernel fits in. */
	rc = arm_minikernel_need(o.minikernel, &need, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		return RD_EXIT_ARM;
	}
	rc = arm_crash_size(&crash_size);
	if (rc == -ENOENT) {
		cli_error("arm", "this kernel has no kexec crash support (no %s/kexec_crash_size)",
			  ARM_SYS_KEXEC);
		return RD_EXIT_ARM;
	}
	if (rc || crash_size == 0) {
		cli_error("arm", "no crashkernel reservation: boot with crashkernel=%lluM or more",
			  (unsigned long long)ARM_MIB_UP(need));
		return RD_EXIT_CRASHKERNEL;
	}
	if (crash_size < need) {
		cli_error("arm", "crashkernel reservation of %s is too small: the minikernel needs %s "
			  "(boot with crashkernel=%lluM)", cli_size(crash_size, size_a, sizeof(size_a)),
			  cli_size(need, size_b, sizeof(size_b)), (unsigned long long)ARM_MIB_UP(need));
		return RD_EXIT_CRASHKERNEL;
	}

	/* 2. The partition: a block device holding a rawdump header. */
	rc = target_open(o.target, O_RDONLY, &t, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		return RD_EXIT_TARGET;
	}
	if (t.kind != TARGET_BLK_PART && t.kind != TARGET_BLK_DISK) {
		cli_error("arm", "%s is a %s: arming needs a block device", o.target,
			  target_kind_name(t.kind));
		ret = RD_EXIT_TARGET;
		goto out_close;
	}
	rc = util_part_header_read(&t, &h, NULL, NULL);
	if (rc == -RD_ESIZE && target_pread(&t, RD_PART_HDR_OFFSET, &h, sizeof(h)) == 0 &&
	    rd_part_header_check(&h) == 0) {
		cli_error("arm", "%s (%s) was formatted as %llu bytes and is %llu bytes now: "
			  "the capture would refuse it; run rawdump format again", o.target,
			  t.path, (unsigned long long)h.part_size, (unsigned long long)t.size);
		ret = RD_EXIT_NOTRD;
		goto out_close;
	}
	if (rc) {
		cli_error("arm", "%s (%s) is not a formatted rawdump partition: run rawdump format",
			  o.target, t.path);
		ret = rc == -RD_ENOSIG || rc == -RD_ECRC || rc == -RD_EVERSION || rc == -RD_ESIZE ?
			RD_EXIT_NOTRD : RD_EXIT_IO;
		goto out_close;
	}
	rc = target_probe_signature(&t, why, sizeof(why));
	if (rc || why[0]) {
		if (rc)
			cli_error("arm", "%s: probing for other signatures failed: %s", t.path,
				  strerror(-rc));
		else
			cli_error("arm", "%s holds a %s besides the rawdump header: the partition "
				  "was reused; a crash would overwrite it. Run rawdump format --force "
				  "to make it rawdump's again", t.path, why);
		ret = rc ? RD_EXIT_IO : RD_EXIT_NOTRD;
		goto out_close;
	}
	if ((h.state == RD_STATE_WRITING || h.state == RD_STATE_COMPLETE) && !o.force) {
		cli_error("arm", "%s holds an unsaved dump (state %s): run rawdump save first, "
			  "or arm --force to overwrite it", t.path, util_state_name(h.state));
		ret = RD_EXIT_REFUSED;
		goto out_close;
	}
	util_uuid_format(h.uuid, uuid);

	/* 3. Controller, unit and extent, as the minikernel will see them. */
	rc = arm_resolve(t.rdev, &d, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		ret = RD_EXIT_ARM;
		goto out_close;
	}
	if (d.size * 512 != t.size || h.part_size != t.size) {
		cli_error("arm", "%s: sysfs size %llu sectors disagrees with the device (%llu bytes)",
			  t.path, (unsigned long long)d.size, (unsigned long long)t.size);
		ret = RD_EXIT_ARM;
		goto out_close;
	}
	if (arm_build_cmdline(cmdline, sizeof(cmdline), &d, h.uuid, &o)) {
		cli_error("arm", "minikernel command line too long");
		ret = RD_EXIT_USAGE;
		goto out_close;
	}
	if (o.dry_run) {
		printf("%s\n", cmdline);
		ret = RD_EXIT_OK;
		goto out_close;
	}

	/* 4. Load it: kexec_file_load, else kexec-tools (kexec_load); under
	 *    lockdown kexec_file_load only, and the image must be signed. */
	ld_probe(&ld);
	rc = -ENOSYS;
	if (ld_locked(&ld)) {
		ret = arm_load_locked(&ld, &o, cmdline);
		if (ret)
			goto out_close;
		rc = 0;
	} else if (strcmp(o.method, "load")) {
		rc = arm_file_load(o.minikernel, cmdline);
		/* signature enforced without a lockdown we could read: say so */
		if (rc && (ret = arm_sig_refusal(&ld, o.minikernel, -rc)))
			goto out_close;
		if (rc && !strcmp(o.method, "file")) {
			cli_error("arm", "kexec_file_load refused the minikernel: %s", strerror(-rc));
			ret = rc == -ENOMEM || rc == -EADDRNOTAVAIL ? RD_EXIT_CRASHKERNEL : RD_EXIT_ARM;
			goto out_close;
		}
	}
	if (rc) {
		int frc = rc;

		method = "kexec_load";
		rc = arm_tool_load(cfg.kexec_tool, o.minikernel, cmdline);
		if (rc == -ENOENT) {
			cli_error("arm", "kexec_file_load failed (%s) and %s (kexec-tools) is not installed",
				  strerror(-frc), cfg.kexec_tool);
			ret = RD_EXIT_ARM;
			goto out_close;
		}
		if (rc) {
			cli_error("arm", "kexec refused the minikernel (kexec_file_load: %s; kexec -p: %s)",
				  strcmp(o.method, "load") ? strerror(-frc) : "not tried",
				  rc == -ECANCELED ? "failed, see above" : strerror(-rc));
			ret = RD_EXIT_ARM;
			goto out_close;
		}
	}
	if (!arm_crash_loaded()) {
		cli_error("arm", "%s returned success but %s/kexec_crash_loaded is not 1",
			  method, ARM_SYS_KEXEC);
		ret = RD_EXIT_ARM;
		goto out_close;
	}

	/* 5. Remember what was armed, for status. */
	if (asprintf(&state, "target=%s\ndevice=%s\ncontroller=%s %s unit %u\n"
		     "start=%llu\nsize=%llu\nuuid=%s\nmethod=%s\nminikernel=%s\n"
		     "cmdline=%s\ntime=%lld\n%s", o.target, t.path, d.ctrl, d.pci, d.unit,
		     (unsigned long long)d.start, (unsigned long long)d.size, uuid, method,
		     o.minikernel, cmdline, (long long)time(NULL),
		     arm_sig_state(&ld, o.minikernel, why, sizeof(why))) < 0) {
		ret = RD_EXIT_IO;
		goto out_close;
	}
	rc = arm_state_write(state);
	free(state);
	if (rc)
		cli_warn("arm", "armed, but cannot record it in %s: %s", arm_rundir(), strerror(-rc));
	printf("rawdump: armed %s (%s %s unit %u, start %llu, %s, uuid %s) via %s; crashkernel %s\n",
	       t.path, d.ctrl, d.pci, d.unit, (unsigned long long)d.start,
	       cli_size(d.size * 512, size_a, sizeof(size_a)), uuid, method,
	       cli_size(crash_size, size_b, sizeof(size_b)));
	estimate_report(stdout, "arm", estimate_cmdline_level(cmdline), NULL, d.size * 512);
	ret = RD_EXIT_OK;
out_close:
	target_close(&t);
	return ret;
}

int cmd_disarm(int argc, char **argv)
{
	char path[PATH_MAX + 16];
	long rc;

	if (argc > 1) {
		if (cli_is_help(argv[1])) {
			arm_usage(stdout);
			return RD_EXIT_OK;
		}
		arm_usage(stderr);
		return RD_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	if (!arm_crash_loaded()) {
		unlink(path);
		printf("rawdump: not armed\n");
		return RD_EXIT_OK;
	}
	rc = syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		     (unsigned long)(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH));
	if (rc)
		rc = syscall(SYS_kexec_load, 0UL, 0UL, NULL, (unsigned long)KEXEC_ON_CRASH);
	if (rc || arm_crash_loaded()) {
		cli_error("disarm", "cannot unload the crash kernel: %s",
			  rc ? strerror(errno) : "still loaded");
		return RD_EXIT_ARM;
	}
	unlink(path);
	printf("rawdump: disarmed\n");
	return RD_EXIT_OK;
}

/* Value of key in the state file text, or NULL. */
static const char *arm_state_get(char *text, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(out, outsz, "%.*s", (int)(len - klen - 1), line + klen + 1);
			return out;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

void arm_status_print(FILE *out)
{
	char path[PATH_MAX + 16], text[8192], v[ARM_CMDLINE_MAX], sz[32];
	uint64_t crash_size = 0, start, size;
	struct ld_state ld;
	int loaded = arm_crash_loaded();
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	f = fopen(path, "re");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';

	if (!loaded)
		fprintf(out, "armed: no\n");
	else if (!n)
		fprintf(out, "armed: yes (a crash kernel is loaded, not by rawdump arm)\n");
	else
		fprintf(out, "armed: yes (%s)\n",
			arm_state_get(text, "method", v, sizeof(v)) ? v : "?");
	if (loaded && n) {
		if (arm_state_get(text, "target", v, sizeof(v)))
			fprintf(out, "armed target: %s", v);
		if (arm_state_get(text, "device", v, sizeof(v)))
			fprintf(out, " -> %s", v);
		fputc('\n', out);
		if (arm_state_get(text, "controller", v, sizeof(v)))
			fprintf(out, "armed controller: %s\n", v);
		if (arm_state_get(text, "start", v, sizeof(v)) && (start = strtoull(v, NULL, 10), 1) &&
		    arm_state_get(text, "size", v, sizeof(v)) && (size = strtoull(v, NULL, 10), 1))
			fprintf(out, "armed extent: start %llu, %llu sectors (%s)\n",
				(unsigned long long)start, (unsigned long long)size,
				cli_size(size * 512, sz, sizeof(sz)));
		if (arm_state_get(text, "uuid", v, sizeof(v)))
			fprintf(out, "armed uuid: %s\n", v);
		if (arm_state_get(text, "cmdline", v, sizeof(v)))
			fprintf(out, "minikernel cmdline: %s\n", v);
		if (arm_state_get(text, "signature", v, sizeof(v)))
			fprintf(out, "minikernel signature: %s\n", v);
	}
	ld_probe(&ld);
	fprintf(out, "lockdown: %s\n", ld_describe(&ld, v, sizeof(v)));
	if (arm_crash_size(&crash_size) || crash_size == 0)
		fprintf(out, "crashkernel: none reserved\n");
	else
		fprintf(out, "crashkernel: %s (%llu bytes)\n", cli_size(crash_size, sz, sizeof(sz)),
			(unsigned long long)crash_size);
}

/* The arm state file's text when a crash kernel is loaded; 0 or -ENOENT. */
static int arm_state_read(char *text, size_t textsz)
{
	char path[PATH_MAX + 16];
	size_t n;
	FILE *f;

	if (!arm_crash_loaded())
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", arm_rundir(), ARM_STATE_NAME);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	n = fread(text, 1, textsz - 1, f);
	fclose(f);
	text[n] = '\0';
	return n ? 0 : -ENOENT;
}

int arm_armed_cmdline(char *out, size_t outsz)
{
	char text[8192];

	if (arm_state_read(text, sizeof(text)) || !arm_state_get(text, "cmdline", out, outsz))
		return -ENOENT;
	return 0;
}

unsigned long long arm_armed_bytes(void)
{
	char text[8192], v[64];

	if (arm_state_read(text, sizeof(text)) || !arm_state_get(text, "size", v, sizeof(v)))
		return 0;
	return strtoull(v, NULL, 10) * 512;
}
