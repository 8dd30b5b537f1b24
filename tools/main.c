/*
 * tools/main.c - `rawdump`, the userspace side of the rawdump crash-dump
 * system: prepares dump partitions, arms the capture kernel, and saves a
 * captured dump as a vmcore. One subcommand per invocation; exit codes are
 * enum rd_exit (tools/cli.h), documented in Documentation/rawdump.8.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "arm.h"
#include "cli.h"
#include "config.h"
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
	{ "clear",   cmd_clear,   "mark a waiting dump as not wanted (alias: discard)" },
	{ "discard", cmd_clear,   NULL },
	{ "info",    cmd_info,    "describe a dump on a partition or in a file" },
	{ "save",    cmd_save,    "save a captured dump as a vmcore" },
	{ "convert", cmd_convert, "convert a dump between ELF, LKCD and kdump formats" },
};

static void main_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: rawdump [--config FILE] COMMAND [ARGS...]   (rawdump COMMAND --help for details)\n"
		"       rawdump --version\n\n");
	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (main_cmds[i].summary)
			fprintf(out, "  %-8s %s\n", main_cmds[i].name, main_cmds[i].summary);
	fprintf(out, "\n  --config FILE  the configuration to read (default $RAWDUMP_CONF, else %s)\n"
		"\nSee rawdump(8).\n", CONFIG_DEFAULT_PATH);
}

/*
 * Take the global "--config FILE" / "--config=FILE" out of argv, before or
 * after the subcommand (not after "--"). Returns the new argc, or -1 when
 * --config has no value.
 */
static int main_take_config(int argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc || !argv[i + 1][0])
				return -1;
			config_set_path(argv[++i]);
		} else if (!strncmp(argv[i], "--config=", 9)) {
			if (!argv[i][9])
				return -1;
			config_set_path(argv[i] + 9);
		} else {
			argv[j++] = argv[i];
		}
	}
	argv[j] = NULL;
	return j;
}

int main(int argc, char **argv)
{
	struct rd_config cfg;
	char err[PATH_MAX + 512];
	size_t i;

	argc = main_take_config(argc, argv);
	if (argc < 0) {
		fprintf(stderr, "rawdump: --config needs a FILE\n");
		return RD_EXIT_USAGE;
	}
	if (argc < 2) {
		main_usage(stderr);
		return RD_EXIT_USAGE;
	}
	if (cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
		main_usage(stdout);
		return RD_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("rawdump %s\n", RAWDUMP_VERSION);
		return RD_EXIT_OK;
	}
	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++) {
		if (strcmp(argv[1], main_cmds[i].name))
			continue;
		/* one parser for every command: a bad file stops any of them */
		if (!(argc > 2 && cli_is_help(argv[2])) &&
		    config_load(NULL, &cfg, err, sizeof(err))) {
			fprintf(stderr, "rawdump: %s\n", err);
			return RD_EXIT_USAGE;
		}
		return main_cmds[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "rawdump: unknown command '%s' (try rawdump --help)\n", argv[1]);
	return RD_EXIT_USAGE;
}
