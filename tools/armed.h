/*
 * tools/armed.h - what is armed now (tools/armed.c): the kernel's
 * crash-kernel state and the record `rawdump arm` leaves in
 * $RAWDUMP_RUNDIR (default /run/rawdump)/armed.
 */
#ifndef RAWDUMP_TOOLS_ARMED_H
#define RAWDUMP_TOOLS_ARMED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARM_SYS_KEXEC		"/sys/kernel"
#define ARM_PROC_PANIC_ON_OOPS	"/proc/sys/kernel/panic_on_oops"
#define ARM_PROC_BOOT_ID	"/proc/sys/kernel/random/boot_id"
#define ARM_STATE_NAME		"armed"
#define ARM_CMDLINE_MAX		2048

const char *arm_rundir(void);
/* $RAWDUMP_SYSROOT (tests): stands in for / when reading the kexec files
 * of /sys/kernel and panic_on_oops, boot_id of /proc/sys/kernel. "" when
 * unset. */
const char *arm_root(void);
/* This boot's /proc/sys/kernel/random/boot_id into out; 0 or -errno. */
int arm_boot_id(char *out, size_t outsz);
/* kernel.panic_on_oops: 1, 0, or -errno; setting it to 1: 0 or -errno. */
int arm_panic_on_oops(void);
int arm_set_panic_on_oops(void);
int arm_crash_size(uint64_t *size);		/* /sys/kernel/kexec_crash_size: 0 or -errno */
int arm_crash_loaded(void);			/* 1 if a crash kernel is loaded */
/* Replace the state file with text (temp file + rename). 0 or -errno. */
int arm_state_write(const char *text);

/* The armed record's text, loaded or not; 0 or -ENOENT / -errno. */
int arm_record_read(char *text, size_t textsz);
/* Value of key in a record's text into out, or NULL. */
const char *arm_state_get(char *text, const char *key, char *out, size_t outsz);

/* Whose crash kernel is loaded: none, rawdump's (a record of this boot;
 * text gets it), or another tool's (no record, or one from an older boot). */
enum arm_owner { ARM_NOT_LOADED, ARM_OURS, ARM_FOREIGN };
enum arm_owner arm_owner(char *text, size_t textsz);

/* Does what the record text says was armed still match: the partition's
 * header (UUID), its size, the minikernel file (size and mtime)? 0 yes,
 * 1 no (why says what changed, in one sentence), a negative errno when
 * the partition cannot be read (why says so). */
int arm_stale(char *text, char *why, size_t whysz);

/* For `rawdump status`: "armed:", "target:", "crashkernel:" ... lines. */
void arm_status_print(FILE *out);

/* The minikernel command line of the armed crash kernel (from the arm
 * state, when a crash kernel is loaded). 0, or -ENOENT when not armed by
 * rawdump arm. */
int arm_armed_cmdline(char *out, size_t outsz);

/* The extent size in bytes of the armed partition, 0 when not armed. */
unsigned long long arm_armed_bytes(void);

#endif
