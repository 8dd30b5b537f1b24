/*
 * tools/arm.h - `rawdump arm` / `rawdump disarm`: load the minikernel as the
 * crash kernel (kexec_file_load, or kexec-tools' kexec_load) with its dump
 * partition on the command line, and the arm state `rawdump status` shows.
 */
#ifndef RAWDUMP_TOOLS_ARM_H
#define RAWDUMP_TOOLS_ARM_H

#include <stdio.h>

/* Entry points tools/main.c dispatches to; argv[0] is the subcommand name.
 * Return a process exit status (enum rd_exit in cli.h). */
int cmd_arm(int argc, char **argv);
int cmd_disarm(int argc, char **argv);

/* For `rawdump status`: "armed:", "target:", "crashkernel:" ... lines. */
void arm_status_print(FILE *out);

/* The minikernel command line of the armed crash kernel (from the arm
 * state, when a crash kernel is loaded). 0, or -ENOENT when not armed by
 * rawdump arm. */
int arm_armed_cmdline(char *out, size_t outsz);

/* The extent size in bytes of the armed partition, 0 when not armed. */
unsigned long long arm_armed_bytes(void);

#endif
