/*
 * writer/notes.c - ELF note walking and VMCOREINFO lookup. Freestanding;
 * used by the writer (kernel release, crash time, CPU count) and the tool.
 * Notes come from a crashed kernel or a dump file: every length is checked.
 */
#include "writer.h"

#define RD_NOTE_ALIGN4(x) (((uint64_t)(x) + 3) & ~(uint64_t)3)

int rd_notes_walk(const void *notes, size_t size,
		  int (*fn)(void *ctx, const struct rd_note *n), void *ctx)
{
	const uint8_t *p = notes;
	size_t off = 0;
	int count = 0;

	while (size - off >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t name_off, desc_off, end;
		struct rd_note n;

		__builtin_memcpy(&namesz, p + off, 4);
		__builtin_memcpy(&descsz, p + off + 4, 4);
		__builtin_memcpy(&type, p + off + 8, 4);
		if (namesz == 0 && descsz == 0)
			break;			/* terminator or padding */
		name_off = off + 12;
		desc_off = name_off + RD_NOTE_ALIGN4(namesz);
		end = desc_off + RD_NOTE_ALIGN4(descsz);
		if (desc_off > size || end > size || end <= off)
			break;			/* malformed: stop here */
		n.type = type;
		n.name = (const char *)p + name_off;
		n.namesz = namesz;
		n.desc = p + desc_off;
		n.descsz = descsz;
		count++;
		if (fn && fn(ctx, &n))
			break;
		off = end;
	}
	return count;
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
