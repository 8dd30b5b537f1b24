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
#define ARM_STATE_NAME		"armed"
#define ARM_CMDLINE_MAX		2048

const char *arm_rundir(void);
int arm_crash_size(uint64_t *size);		/* /sys/kernel/kexec_crash_size: 0 or -errno */
int arm_crash_loaded(void);			/* 1 if a crash kernel is loaded */
/* Replace the state file with text (temp file + rename). 0 or -errno. */
int arm_state_write(const char *text);

/* For `rawdump status`: "armed:", "target:", "crashkernel:" ... lines. */
void arm_status_print(FILE *out);

/* The minikernel command line of the armed crash kernel (from the arm
 * state, when a crash kernel is loaded). 0, or -ENOENT when not armed by
 * rawdump arm. */
int arm_armed_cmdline(char *out, size_t outsz);

/* The extent size in bytes of the armed partition, 0 when not armed. */
unsigned long long arm_armed_bytes(void);

#endif
