/*
 * tools/outfile.h - how rawdump creates every output file (save, convert):
 * a temp file in the target directory, created exclusively with mode 0600
 * and O_NOFOLLOW (never through a symlink), removed if SIGINT/TERM/HUP
 * arrives, fsync'ed, then given its name with a rename that never replaces
 * an existing file (link + unlink where RENAME_NOREPLACE is unsupported),
 * and the directory fsync'ed.
 */
#ifndef RAWDUMP_OUTFILE_H
#define RAWDUMP_OUTFILE_H

#include <stddef.h>

/* Create dfd/.NAME.XXXXXXXX.tmp; returns its fd (tmp gets the name) or
 * -errno. The temp file is removed on a fatal signal until published or
 * abandoned. */
int outfile_create(int dfd, const char *name, char *tmp, size_t tmpsz);

/* Rename tmp to name without replacing anything (the caller has fsync'ed
 * the file, and fsyncs dfd after). 0, -EEXIST when name exists, or another
 * -errno; on failure tmp is still there: call outfile_abandon. */
int outfile_publish(int dfd, const char *tmp, const char *name);

/* Remove the temp file (after any failure). */
void outfile_abandon(int dfd, const char *tmp);

#endif
