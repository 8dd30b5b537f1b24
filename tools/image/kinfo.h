/*
 * tools/image/kinfo.h - what a dump says about the crashed kernel, found without a
 * vmlinux: VMCOREINFO keys, per-CPU registers from the NT_PRSTATUS notes,
 * kernel virtual-to-physical translation through the kernel's own page
 * tables (SYMBOL(init_top_pgt)), utsname from init_uts_ns, and the printk
 * ring buffer of Linux 5.10+ (kernel/printk/printk_ringbuffer.h) located
 * through the VMCOREINFO symbols and offsets. `rawdump info` prints it; the
 * LKCD and kdump-compressed writers take their headers from it.
 */
#ifndef RAWDUMP_KINFO_H
#define RAWDUMP_KINFO_H

#include <stdint.h>
#include <stdio.h>

#include "memimage.h"

#define KINFO_NREGS	27	/* x86-64 user_regs_struct, as in NT_PRSTATUS */
#define KINFO_UTS_LEN	65

/* Indexes into kinfo_cpu.regs (user_regs_struct order). */
enum kinfo_reg {
	KR_R15, KR_R14, KR_R13, KR_R12, KR_RBP, KR_RBX, KR_R11, KR_R10,
	KR_R9, KR_R8, KR_RAX, KR_RCX, KR_RDX, KR_RSI, KR_RDI, KR_ORIG_RAX,
	KR_RIP, KR_CS, KR_EFLAGS, KR_RSP, KR_SS, KR_FS_BASE, KR_GS_BASE,
	KR_DS, KR_ES, KR_FS, KR_GS,
};

struct kinfo_cpu {
	uint32_t pid;			/* pr_pid of the note */
	uint64_t regs[KINFO_NREGS];
	int have_cr3;			/* a QEMU CPU-state note gave control registers */
	uint64_t cr3;
};

/* One printk record. */
struct kinfo_rec {
	uint64_t seq;
	uint64_t ts_nsec;
	uint32_t caller_id;
	char *text;			/* NUL terminated, may hold '\n' */
};

struct kinfo {
	const char *vmcoreinfo;		/* points into m->notes, not NUL terminated */
	size_t vmcoreinfo_len;
	char release[KINFO_UTS_LEN];
	char uts[6][KINFO_UTS_LEN];	/* sysname nodename release version machine domainname */
	int have_uts;			/* uts[] read from init_uts_ns */
	uint64_t crash_time;		/* unix seconds, 0 unknown */
	int have_phys_base;
	uint64_t phys_base;
	uint64_t kaslr_offset;		/* KERNELOFFSET, 0 if absent */
	int l5;				/* 5-level paging */
	uint64_t top_pgt;		/* physical address of init_top_pgt, 0 unknown */

	struct kinfo_cpu *cpus;
	uint32_t ncpus;
	int crashed_cpu;		/* index into cpus, -1 unknown */
	uint32_t crashed_pid;
	char crashed_comm[17];

	struct kinfo_rec *log;		/* ring buffer records, oldest first */
	size_t nlog;
	const char *log_error;		/* why there is no log (static string) */
	uint64_t uptime_ns;		/* timestamp of the last record, 0 unknown */
	char panic[256];		/* panic message, "" unknown */
};

/* Gather everything from m. Never fails as a whole: what cannot be found is
 * left empty (and log_error says why the log is missing). */
void kinfo_gather(struct memimage *m, struct kinfo *ki);
void kinfo_free(struct kinfo *ki);

/* VMCOREINFO lookup: value of "KEY=" as a string (0 found, -ENOENT), or as a
 * number (SYMBOL(), KERNELOFFSET and BUILD-ID style keys are hex, the rest
 * decimal). */
int kinfo_vmci_str(const struct kinfo *ki, const char *key, char *out, size_t outsz);
int kinfo_vmci_num(const struct kinfo *ki, const char *key, uint64_t *val);

/* Read len bytes of kernel virtual memory. 0, -EFAULT if unmapped or not
 * in the dump, or a negative errno from the image. */
int kinfo_read_virt(struct memimage *m, const struct kinfo *ki, uint64_t vaddr,
		    void *buf, size_t len);

/* Parse NT_PRSTATUS notes: malloc'd array in note order, count in *n. */
int kinfo_parse_cpus(const uint8_t *notes, size_t size, struct kinfo_cpu **cpus, uint32_t *n);

/* The crash command line that opens a dump of kind m->kind (path may be
 * NULL: "<vmcore>" is printed). */
void kinfo_crash_cmd(const struct memimage *m, const struct kinfo *ki, const char *path,
		     char *out, size_t outsz);

/* A struct new_utsname (6 fields of KINFO_UTS_LEN bytes, zeroed by the
 * caller) for an output header: the dump's own, else sysname "Linux",
 * release and machine "x86_64". */
void kinfo_put_utsname(const struct kinfo *ki, uint8_t *out);

#endif
