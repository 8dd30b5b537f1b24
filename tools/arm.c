/*
 * tools/arm.c - `rawdump arm`, `rawdump disarm`.
 *
 * Arming resolves the dump partition to what the minikernel needs to reach
 * it without Linux (tools/disk/locate.c: the controller's PCI address, the
 * AHCI port or NVMe namespace, the start and length in 512-byte units) and
 * the rawdump partition UUID (from its header, which is checked). It then loads the minikernel
 * as the crash kernel with those on its command line (the rd.* keys of
 * Documentation/user-guide.md): kexec_file_load(2) first, kexec-tools'
 * `kexec -p --type=bzImage64` (kexec_load) when the kernel refuses the
 * file interface. Under kernel lockdown (Secure Boot) only kexec_file_load
 * is tried and its refusals are explained (arm_load_locked,
 * tools/lockdown.c). A record of what was armed goes to /run/rawdump/armed
 * ($RAWDUMP_RUNDIR, tools/armed.c), which vanishes on reboot like the kexec
 * image does.
 *
 * Linux interfaces: /sys/kernel/kexec_crash_size, kexec_crash_loaded; the
 * x86 boot protocol header (Documentation/x86/boot.rst) of the
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
#include "rawdump/cmdline.h"
#include "armed.h"
#include "estimate.h"
#include "cli.h"
#include "config.h"
#include "lockdown.h"
#include "disk/locate.h"
#include "disk/target.h"
#include "disk/partheader.h"
#include "writer.h"

/* Crash-region room beyond the minikernel's init_size: purgatory, boot
 * parameters and command line, the elfcorehdr and, with kexec_load, the
 * 640 KiB backup of low memory. */
#define ARM_CRASH_SLACK		(1024u * 1024u)
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

static int arm_build_cmdline(char *buf, size_t bufsz, const struct arm_dev *d,
			     const uint8_t uuid[16], const struct arm_opts *o)
{
	size_t len;
	int i, n;

	n = snprintf(buf, bufsz, RD_KEY_PCI "=%s " RD_KEY_UNIT "=%u " RD_KEY_START "=%llu " RD_KEY_SIZE "=%llu "
		     RD_KEY_UUID "=",
		     d->pci, d->unit, (unsigned long long)d->start, (unsigned long long)d->size);
	if (n < 0 || (size_t)n >= bufsz)
		return -E2BIG;
	len = (size_t)n;
	for (i = 0; i < 16 && len + 2 < bufsz; i++, len += 2)
		snprintf(buf + len, bufsz - len, "%02x", uuid[i]);
	if (o->comp && *o->comp)
		len += (size_t)snprintf(buf + len, bufsz - len, " " RD_KEY_COMP "=%s", o->comp);
	if (len < bufsz && o->level > 0)
		len += (size_t)snprintf(buf + len, bufsz - len, " " RD_KEY_LEVEL "=%d", o->level);
	if (len < bufsz && o->dump_level >= 0)
		len += (size_t)snprintf(buf + len, bufsz - len, " " RD_KEY_DUMPLEVEL "=%d", o->dump_level);
	if (len < bufsz)
		len += (size_t)snprintf(buf + len, bufsz - len, " " RD_KEY_EXIT "=%s", o->exit_mode);
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

/* Step 1: a crashkernel reservation the minikernel fits in; its size in
 * *crash_size. An exit code. */
static int arm_check_crashkernel(const struct arm_opts *o, uint64_t *crash_size)
{
	char why[PATH_MAX + 128], size_a[32], size_b[32];
	uint64_t need = 0;
	int rc;

	rc = arm_minikernel_need(o->minikernel, &need, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		return RD_EXIT_ARM;
	}
	rc = arm_crash_size(crash_size);
	if (rc == -ENOENT) {
		cli_error("arm", "this kernel has no kexec crash support (no %s/kexec_crash_size)",
			  ARM_SYS_KEXEC);
		return RD_EXIT_ARM;
	}
	if (rc || *crash_size == 0) {
		cli_error("arm", "no crashkernel reservation: boot with crashkernel=%lluM or more",
			  (unsigned long long)ARM_MIB_UP(need));
		return RD_EXIT_CRASHKERNEL;
	}
	if (*crash_size < need) {
		cli_error("arm", "crashkernel reservation of %s is too small: the minikernel needs %s "
			  "(boot with crashkernel=%lluM)", cli_size(*crash_size, size_a, sizeof(size_a)),
			  cli_size(need, size_b, sizeof(size_b)), (unsigned long long)ARM_MIB_UP(need));
		return RD_EXIT_CRASHKERNEL;
	}
	return RD_EXIT_OK;
}

/* Step 2: the partition t (open) is a block device holding a valid
 * rawdump header h, with no other signature and no unsaved dump (unless
 * --force). An exit code. */
static int arm_check_partition(const struct arm_opts *o, struct target *t, struct rd_part_header *h)
{
	char why[PATH_MAX + 128];
	int rc;

	if (t->kind != TARGET_BLK_PART && t->kind != TARGET_BLK_DISK) {
		cli_error("arm", "%s is a %s: arming needs a block device", o->target,
			  target_kind_name(t->kind));
		return RD_EXIT_TARGET;
	}
	rc = part_header_read(t, h, NULL, NULL);
	if (rc == -RD_ESIZE && target_pread(t, RD_PART_HDR_OFFSET, h, sizeof(*h)) == 0 &&
	    rd_part_header_check(h) == 0) {
		cli_error("arm", "%s (%s) was formatted as %llu bytes and is %llu bytes now: "
			  "the capture would refuse it; run rawdump format again", o->target,
			  t->path, (unsigned long long)h->part_size, (unsigned long long)t->size);
		return RD_EXIT_NOTRD;
	}
	if (rc) {
		cli_error("arm", "%s (%s) is not a formatted rawdump partition: run rawdump format",
			  o->target, t->path);
		return rc == -RD_ENOSIG || rc == -RD_ECRC || rc == -RD_EVERSION || rc == -RD_ESIZE ?
			RD_EXIT_NOTRD : RD_EXIT_IO;
	}
	rc = target_probe_signature(t, why, sizeof(why));
	if (rc || why[0]) {
		if (rc)
			cli_error("arm", "%s: probing for other signatures failed: %s", t->path,
				  strerror(-rc));
		else
			cli_error("arm", "%s holds a %s besides the rawdump header: the partition "
				  "was reused; a crash would overwrite it. Run rawdump format --force "
				  "to make it rawdump's again", t->path, why);
		return rc ? RD_EXIT_IO : RD_EXIT_NOTRD;
	}
	if ((h->state == RD_STATE_WRITING || h->state == RD_STATE_COMPLETE) && !o->force) {
		cli_error("arm", "%s holds an unsaved dump (state %s): run rawdump save first, "
			  "or arm --force to overwrite it", t->path, part_state_name(h->state));
		return RD_EXIT_REFUSED;
	}
	return RD_EXIT_OK;
}

/* Step 4: load the minikernel with cmdline: kexec_file_load, else
 * kexec-tools (kexec_load); under lockdown kexec_file_load only, and the
 * image must be signed. *method says which worked. An exit code. */
static int arm_load(const struct arm_opts *o, const struct rd_config *cfg, const struct ld_state *ld,
		    const char *cmdline, const char **method)
{
	int rc, ret;

	rc = -ENOSYS;
	if (ld_locked(ld)) {
		ret = arm_load_locked(ld, o, cmdline);
		if (ret)
			return ret;
		rc = 0;
	} else if (strcmp(o->method, "load")) {
		rc = arm_file_load(o->minikernel, cmdline);
		/* signature enforced without a lockdown we could read: say so */
		if (rc && (ret = arm_sig_refusal(ld, o->minikernel, -rc)))
			return ret;
		if (rc && !strcmp(o->method, "file")) {
			cli_error("arm", "kexec_file_load refused the minikernel: %s", strerror(-rc));
			return rc == -ENOMEM || rc == -EADDRNOTAVAIL ? RD_EXIT_CRASHKERNEL : RD_EXIT_ARM;
		}
	}
	if (rc) {
		int frc = rc;

		*method = "kexec_load";
		rc = arm_tool_load(cfg->kexec_tool, o->minikernel, cmdline);
		if (rc == -ENOENT) {
			cli_error("arm", "kexec_file_load failed (%s) and %s (kexec-tools) is not installed",
				  strerror(-frc), cfg->kexec_tool);
			return RD_EXIT_ARM;
		}
		if (rc) {
			cli_error("arm", "kexec refused the minikernel (kexec_file_load: %s; kexec -p: %s)",
				  strcmp(o->method, "load") ? strerror(-frc) : "not tried",
				  rc == -ECANCELED ? "failed, see above" : strerror(-rc));
			return RD_EXIT_ARM;
		}
	}
	if (!arm_crash_loaded()) {
		cli_error("arm", "%s returned success but %s/kexec_crash_loaded is not 1",
			  *method, ARM_SYS_KEXEC);
		return RD_EXIT_ARM;
	}
	return RD_EXIT_OK;
}

int cmd_arm(int argc, char **argv)
{
	char why[PATH_MAX + 128], cmdline[ARM_CMDLINE_MAX], uuid[PART_UUID_STR];
	char size_a[32], size_b[32], *state;
	struct rd_part_header h;
	struct rd_config cfg;
	struct arm_opts o = { 0 };
	struct arm_dev d;
	struct target t;
	struct ld_state ld;
	const char *method = "kexec_file_load";
	uint64_t crash_size = 0;
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
	ret = arm_check_crashkernel(&o, &crash_size);
	if (ret)
		return ret;

	/* 2. The partition: a block device holding a rawdump header. */
	rc = target_open(o.target, O_RDONLY, &t, why, sizeof(why));
	if (rc) {
		cli_error("arm", "%s", why);
		return RD_EXIT_TARGET;
	}
	ret = arm_check_partition(&o, &t, &h);
	if (ret)
		goto out_close;
	part_uuid_format(h.uuid, uuid);

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

	/* 4. Load it. */
	ld_probe(&ld);
	ret = arm_load(&o, &cfg, &ld, cmdline, &method);
	if (ret)
		goto out_close;

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

