/*
 * tools/jsonout.h - building JSON output with json-c (libjson-c): values
 * a program can trust. Strings are made valid UTF-8 (each byte that is not
 * part of a well-formed sequence becomes U+FFFD: a crashed kernel's log may
 * hold anything), addresses are "0x..." strings (exact past 2^53, where a
 * double stops counting), sizes and counts exact integers. A NULL
 * struct json_object * is JSON null (json-c's own convention).
 */
#ifndef RAWDUMP_TOOLS_JSONOUT_H
#define RAWDUMP_TOOLS_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* s as a JSON string, invalid UTF-8 replaced; NULL for s NULL. */
struct json_object *jo_str(const char *s);
/* At most n bytes of s (stops at a NUL): fixed-size header fields. */
struct json_object *jo_strn(const char *s, size_t n);
/* "0x" and lowercase hex digits of v. */
struct json_object *jo_hex(uint64_t v);
struct json_object *jo_u64(uint64_t v);
struct json_object *jo_bool(int v);

/* Add key to object o; v NULL adds a null (the key is always there). */
void jo_put(struct json_object *o, const char *key, struct json_object *v);

/* Print o, indented, one member a line, and a newline; frees o.
 * 0, or -EIO when out reports a write error. */
int jo_print(FILE *out, struct json_object *o);

/* Copy s into out (outsz > 0, NUL terminated), each invalid UTF-8 byte
 * replaced by U+FFFD; truncated at a character boundary. */
void jo_utf8_clean(const char *s, size_t n, char *out, size_t outsz);

#endif
