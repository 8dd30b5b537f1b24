/*
 * tools/main.c - `rawdump`, the userspace side of the rawdump crash-dump
 * system: prepares dump partitions, arms the capture kernel, and saves a
 * captured dump as a vmcore. One subcommand per invocation; exit codes are
 * enum rd_exit (tools/cli.h), documented in Documentation/rawdump.8.
 */
#include <stdio.h>
#include <string.h>

#include "arm.h"
#include "cli.h"
#include "convert.h"

struct main_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct main_cmd main_cmds[] = {
	{ "format",  cmd_format,  "make a partition a rawdump partition" },
	{ "arm",     cmd_arm,     "load the capture kernel for the next crash" },
	{ "disarm",  cmd_disarm,  "unload the capture kernel" },
	{ "status",  cmd_status,  "list rawdump partitions and whether capture is armed" },
	{ "info",    cmd_info,    "describe a dump on a partition or in a file" },
	{ "save",    cmd_save,    "save a captured dump as a vmcore" },
	{ "convert", cmd_convert, "convert a dump between ELF, LKCD and kdump formats" },
};

static void main_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: rawdump COMMAND [ARGS...]   (rawdump COMMAND --help for details)\n\n");
	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		fprintf(out, "  %-8s %s\n", main_cmds[i].name, main_cmds[i].summary);
	fprintf(out, "\nSee rawdump(8).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		main_usage(stderr);
		return RD_EXIT_USAGE;
	}
	if (cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
		main_usage(stdout);
		return RD_EXIT_OK;
	}
	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (!strcmp(argv[1], main_cmds[i].name))
			return main_cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "rawdump: unknown command '%s' (try rawdump --help)\n", argv[1]);
	return RD_EXIT_USAGE;
}
