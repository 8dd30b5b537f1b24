/*
 * include/rawdump/notes.h - ELF notes of a crashed kernel (NT_PRSTATUS,
 * VMCOREINFO ...): the one note walker and VMCOREINFO lookup, implemented
 * in writer/notes.c, which is built both into the minikernel (freestanding)
 * and into the host tools. Every length is checked against the buffer.
 */
#ifndef RAWDUMP_NOTES_H
#define RAWDUMP_NOTES_H

#include <stddef.h>
#include <stdint.h>

/* Find "KEY=" in a VMCOREINFO text and copy its value (up to '\n') into out.
 * Returns the value length or -1. Bounded by len; no NUL needed in text. */
int rd_vmcoreinfo_get(const char *text, size_t len, const char *key, char *out, size_t outsz);

struct rd_note {
	uint32_t type;
	const char *name;	/* not NUL terminated: namesz bytes */
	uint32_t namesz;
	const uint8_t *desc;
	uint32_t descsz;
};

/* Walk ELF notes (name/desc padded to 4). For each note calls fn; stops
 * at a malformed or empty note (namesz and descsz 0), or when fn returns
 * non-zero. Returns notes visited. */
int rd_notes_walk(const void *notes, size_t size,
		  int (*fn)(void *ctx, const struct rd_note *n), void *ctx);

/* The same notes one at a time: the note at *pos or after it (4-byte zero
 * words between notes are skipped), into n; *pos moves past it and *start
 * (may be NULL) gets its offset. 1, or 0 at the end or at a malformed note. */
int rd_note_next(const uint8_t *buf, size_t size, size_t *pos, size_t *start,
		 struct rd_note *n);

/* 1 if n's name is exactly name (namesz counts the NUL). */
int rd_note_is(const struct rd_note *n, const char *name);

#endif
