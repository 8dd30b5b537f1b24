/*
 * writer/notes.c - ELF note walking and VMCOREINFO lookup
 * (include/rawdump/notes.h). Freestanding;
 * used by the writer (kernel release, crash time, CPU count) and the tool.
 * Notes come from a crashed kernel or a dump file: every length is checked.
 */
#include "writer.h"

#define RD_NOTE_ALIGN4(x) (((uint64_t)(x) + 3) & ~(uint64_t)3)

/* The note at off: its fields into n and the offset just past it, or 0
 * when it does not fit in size. The one parser of a note header. */
static size_t rd_note_at(const uint8_t *p, size_t size, size_t off, struct rd_note *n)
{
	uint32_t namesz, descsz, type;
	uint64_t name_off, desc_off, end;

	if (off > size || size - off < 12)
		return 0;
	__builtin_memcpy(&namesz, p + off, 4);
	__builtin_memcpy(&descsz, p + off + 4, 4);
	__builtin_memcpy(&type, p + off + 8, 4);
	name_off = off + 12;
	desc_off = name_off + RD_NOTE_ALIGN4(namesz);
	end = desc_off + RD_NOTE_ALIGN4(descsz);
	if (desc_off > size || end > size || end <= off)
		return 0;
	n->type = type;
	n->name = (const char *)p + name_off;
	n->namesz = namesz;
	n->desc = p + desc_off;
	n->descsz = descsz;
	return (size_t)end;
}

int rd_notes_walk(const void *notes, size_t size,
		  int (*fn)(void *ctx, const struct rd_note *n), void *ctx)
{
	const uint8_t *p = notes;
	size_t off = 0, end;
	int count = 0;

	while (size - off >= 12) {
		struct rd_note n;

		end = rd_note_at(p, size, off, &n);
		if (!end)
			break;			/* malformed: stop here */
		if (n.namesz == 0 && n.descsz == 0)
			break;			/* terminator or padding */
		count++;
		if (fn && fn(ctx, &n))
			break;
		off = end;
	}
	return count;
}

int rd_note_next(const uint8_t *buf, size_t size, size_t *pos, size_t *start,
		 struct rd_note *n)
{
	size_t p = *pos, end;
	uint32_t namesz;

	for (;;) {
		if (p > size || size - p < 12)
			return 0;
		__builtin_memcpy(&namesz, buf + p, 4);
		if (namesz == 0) {
			p += 4;
			continue;
		}
		end = rd_note_at(buf, size, p, n);
		if (!end)
			return 0;
		if (start)
			*start = p;
		*pos = end;
		return 1;
	}
}

int rd_note_is(const struct rd_note *n, const char *name)
{
	uint32_t l = 0;

	while (name[l])
		l++;
	return n->namesz == l + 1 && __builtin_memcmp(n->name, name, l) == 0 && n->name[l] == '\0';
}

int rd_vmcoreinfo_get(const char *text, size_t len, const char *key,
		      char *out, size_t outsz)
{
	size_t klen = 0, i = 0;

	while (key[klen])
		klen++;
	while (i < len) {
		size_t eol = i, n = 0;

		while (eol < len && text[eol] != '\n' && text[eol] != '\0')
			eol++;
		if (eol - i > klen && text[i + klen] == '=') {
			size_t k = 0;

			while (k < klen && text[i + k] == key[k])
				k++;
			if (k == klen) {
				size_t v = i + klen + 1;

				if (outsz == 0)
					return -1;
				while (v + n < eol && n + 1 < outsz) {
					out[n] = text[v + n];
					n++;
				}
				out[n] = '\0';
				return (int)n;
			}
		}
		if (eol < len && text[eol] == '\0')
			break;
		i = eol + 1;
	}
	return -1;
}
