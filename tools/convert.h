/*
 * tools/convert.h - `rawdump convert IN OUT --to elf|lcrash|kdump`.
 */
#ifndef RAWDUMP_CONVERT_H
#define RAWDUMP_CONVERT_H

int cmd_convert(int argc, char **argv);

#endif
