/*
 * tools/jsonout.c - JSON values for `rawdump info --json` (tools/jsonout.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if s[0] starts none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void jo_utf8_clean(const char *s, size_t n, char *out, size_t outsz)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, len;

	while (i < n && p[i]) {
		len = utf8_len(p + i, n - i);	/* a NUL fails as a continuation byte */
		if (o + (len ? len : 3) >= outsz)
			break;
		if (len) {
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, repl, 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
}

struct json_object *jo_strn(const char *s, size_t n)
{
	struct json_object *v;
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	len = strnlen(s, n);
	buf = malloc(3 * len + 1);	/* every byte may become 3 */
	if (!buf)
		return NULL;
	jo_utf8_clean(s, len, buf, 3 * len + 1);
	v = json_object_new_string(buf);
	free(buf);
	return v;
}

struct json_object *jo_str(const char *s)
{
	return s ? jo_strn(s, strlen(s)) : NULL;
}

struct json_object *jo_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *jo_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

struct json_object *jo_bool(int v)
{
	return json_object_new_boolean(v != 0);
}

void jo_put(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

int jo_print(FILE *out, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	fprintf(out, "%s\n", s ? s : "null");
	json_object_put(o);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
