/*
 * tools/config.h - /etc/rawdump.conf: the settings `rawdump arm`, `rawdump
 * save` and the boot-time units share. Format (Documentation/user-guide.md):
 * one "key = value" per line, '#' starts a comment, blank lines ignored,
 * unknown keys are an error (a typo must not silently change behaviour).
 */
#ifndef RAWDUMP_TOOLS_CONFIG_H
#define RAWDUMP_TOOLS_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH	"/etc/rawdump.conf"
#ifndef RAWDUMP_LIBDIR
#define RAWDUMP_LIBDIR		"/usr/lib/rawdump"
#endif

struct rd_config {
	char target[PATH_MAX];		/* dump partition, as on the command line; "" unset */
	char output_dir[PATH_MAX];	/* where save writes vmcores */
	char formats[64];		/* comma list of elf, lcrash (= lkcd), kdump */
	char compression[8];		/* minikernel data blocks: "zstd", "lz4", "zlib", "none", "" = its default */
	int level;			/* zlib level 1-9, -1 = minikernel default */
	int dump_level;			/* page filtering 0-31 (RD_CLASS_* bits),
					 * -1 = minikernel default (1) */
	int panic_on_oops;		/* arm sets kernel.panic_on_oops=1: 1 yes (default), 0 no */
	int max_dumps;			/* save keeps the newest N dump directories, 0 = all */
	char minikernel[PATH_MAX];	/* the capture kernel image */
	char exit_mode[16];		/* minikernel's rd.exit: reboot, poweroff, halt */
	char kexec_method[8];		/* auto, file (kexec_file_load), load (kexec-tools) */
	char kexec_tool[PATH_MAX];	/* kexec-tools' kexec binary */
	char append[512];		/* extra minikernel command line */
	char path[PATH_MAX];		/* file read, "" when none existed */
};

/* The file to read: $RAWDUMP_CONF when set, else CONFIG_DEFAULT_PATH. */
const char *config_default_path(void);

/* A dump level (rawdump arm --dump-level, dump_level =): 0..31, or -1 if v is not one. */
int config_dump_level(const char *v);

/* Fill c with defaults, then apply the file at path (NULL: the default
 * path). A missing file is not an error. Returns 0, or -EINVAL (a bad line:
 * err says which) or another negative errno from reading the file. */
int config_load(const char *path, struct rd_config *c, char *err, size_t errsz);

#endif
