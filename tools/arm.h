/*
 * tools/arm.h - `rawdump arm` / `rawdump disarm`: load the minikernel as the
 * crash kernel (kexec_file_load, or kexec-tools' kexec_load) with its dump
 * partition on the command line. What is armed now: tools/armed.h; where
 * the partition is (controller, port, extent): tools/disk/locate.h.
 */
#ifndef RAWDUMP_TOOLS_ARM_H
#define RAWDUMP_TOOLS_ARM_H

#include <stdio.h>

/* Entry points tools/main.c dispatches to; argv[0] is the subcommand name.
 * Return a process exit status (enum rd_exit in cli.h). */
int cmd_arm(int argc, char **argv);
int cmd_disarm(int argc, char **argv);

/* Arm again with the arguments the armed record (text of /run/rawdump/armed)
 * lists; how gets the command line that does it, for a message. Returns
 * cmd_arm's exit status. Used by format --force on the armed partition. */
int arm_again(const char *record, char *how, size_t howsz);

#endif
