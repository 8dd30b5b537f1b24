/*
 * minikernel/cmdline.c - parse the command line `rawdump arm` (or a test)
 * built, plus what kexec appended (elfcorehdr=). Keys are the shared
 * contract in Documentation/minikernel.md; unknown words are ignored,
 * malformed rd.* values are errors (the caller fails before any disk I/O).
 */
#include "rawdump/cmdline.h"
#include "mk.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Number at [*p, end): 0x hex or decimal, then an optional K/M/G suffix
 * when 'suffix'. Advances *p. 0 or -RD_EINVAL (empty, overflow). */
static int parse_num(const char **p, const char *end, int suffix, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int base = 10, digits = 0, d, shift = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end; s++, digits++) {
		d = hexval(*s);
		if (d < 0 || d >= base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -RD_EINVAL;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (!digits)
		return -RD_EINVAL;
	if (suffix && s < end) {
		if (*s == 'K' || *s == 'k')
			shift = 10;
		else if (*s == 'M' || *s == 'm')
			shift = 20;
		else if (*s == 'G' || *s == 'g')
			shift = 30;
		if (shift) {
			if (v > (UINT64_MAX >> shift))
				return -RD_EINVAL;
			v <<= shift;
			s++;
		}
	}
	*p = s;
	*out = v;
	return 0;
}

static int parse_whole(const char *s, const char *end, int suffix, uint64_t *out)
{
	if (parse_num(&s, end, suffix, out) < 0 || s != end)
		return -RD_EINVAL;
	return 0;
}

/* [SSSS:]BB:DD.F, hexadecimal. */
static int parse_pci(const char *s, const char *end, struct pci_addr *a)
{
	uint64_t f[4];
	int n = 0, d;

	while (s < end && n < 4) {
		uint64_t v = 0;
		int digits = 0;

		for (; s < end && (d = hexval(*s)) >= 0; s++, digits++) {
			if (digits >= 4)
				return -RD_EINVAL;
			v = v * 16 + (uint64_t)d;
		}
		if (!digits)
			return -RD_EINVAL;
		f[n++] = v;
		if (s == end)
			break;
		if (*s != ':' && *s != '.')
			return -RD_EINVAL;
		if (*s == '.' && n < 2)
			return -RD_EINVAL;
		s++;
	}
	if (s != end || (n != 3 && n != 4))
		return -RD_EINVAL;
	if (n == 3) {
		f[3] = f[2];
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	}
	if (f[0] > 0xffff || f[1] > 0xff || f[2] > 31 || f[3] > 7)
		return -RD_EINVAL;
	a->seg = (uint16_t)f[0];
	a->bus = (uint8_t)f[1];
	a->dev = (uint8_t)f[2];
	a->fn = (uint8_t)f[3];
	return 0;
}

static int parse_uuid(const char *s, const char *end, uint8_t uuid[16])
{
	int n = 0, hi, lo;

	while (s < end) {
		if (*s == '-') {
			s++;
			continue;
		}
		if (end - s < 2 || n >= 16)
			return -RD_EINVAL;
		hi = hexval(s[0]);
		lo = hexval(s[1]);
		if (hi < 0 || lo < 0)
			return -RD_EINVAL;
		uuid[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n == 16 ? 0 : -RD_EINVAL;
}

static int parse_ranges(const char *s, const char *end, struct mk_args *a)
{
	while (s < end) {
		uint64_t addr, size;

		if (a->range_count >= MK_RANGES_MAX)
			return -RD_EINVAL;
		if (parse_num(&s, end, 1, &addr) < 0 || s >= end || *s != ':')
			return -RD_EINVAL;
		s++;
		if (parse_num(&s, end, 1, &size) < 0 || size == 0 || addr + size < addr)
			return -RD_EINVAL;
		a->ranges[a->range_count].addr = addr;
		a->ranges[a->range_count].size = size;
		a->range_count++;
		if (s < end && *s++ != ',')
			return -RD_EINVAL;
	}
	return a->range_count ? 0 : -RD_EINVAL;
}

/* elfcorehdr=[size@]addr, addr decimal with K suffix (kexec_load) or hex. */
static int parse_elfcorehdr(const char *s, const char *end, uint64_t *addr)
{
	const char *at;

	for (at = s; at < end && *at != '@'; at++)
		;
	if (at < end)
		s = at + 1;
	return parse_whole(s, end, 1, addr);
}

static int word_is(const char *w, size_t klen, const char *key)
{
	return strlen(key) == klen && memcmp(w, key, klen) == 0;
}

static int eq(const char *v, const char *end, const char *s)
{
	return (size_t)(end - v) == strlen(s) && memcmp(v, s, (size_t)(end - v)) == 0;
}

/* Parses every word (so that rd.exit takes effect even when another value
 * is bad); returns the first error. */
int cmdline_parse(const char *s, struct mk_args *a)
{
	int first_err = 0;

	memset(a, 0, sizeof(*a));
	a->comp = -1;
	a->level = -1;
	a->dump_level = -1;
	a->csum = -1;
	a->exit = MK_EXIT_REBOOT;

	while (*s) {
		const char *w, *eqs, *v, *end;
		uint64_t n;
		size_t klen;
		int rc = 0;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && !is_space(*s))
			s++;
		end = s;
		for (eqs = w; eqs < end && *eqs != '='; eqs++)
			;
		if (eqs == end)
			continue;
		klen = (size_t)(eqs - w);
		v = eqs + 1;

		if (word_is(w, klen, RD_KEY_PCI)) {
			rc = parse_pci(v, end, &a->pci);
			a->have_pci = 1;
		} else if (word_is(w, klen, RD_KEY_UNIT)) {
			rc = parse_whole(v, end, 0, &n);
			if (!rc && n > 0xffffffffu)
				rc = -RD_EINVAL;
			a->unit = (uint32_t)n;
		} else if (word_is(w, klen, RD_KEY_START)) {
			rc = parse_whole(v, end, 0, &a->start);
			a->have_start = 1;
		} else if (word_is(w, klen, RD_KEY_SIZE)) {
			rc = parse_whole(v, end, 0, &a->size);
			a->have_size = 1;
		} else if (word_is(w, klen, RD_KEY_UUID)) {
			rc = parse_uuid(v, end, a->uuid);
			a->have_uuid = 1;
		} else if (word_is(w, klen, RD_KEY_COMP)) {
			if (eq(v, end, "none"))
				a->comp = RD_COMP_NONE;
			else if (eq(v, end, "zlib"))
				a->comp = RD_COMP_ZLIB;
			else if (eq(v, end, "lz4"))
				a->comp = RD_COMP_LZ4;
			else if (eq(v, end, "zstd"))
				a->comp = RD_COMP_ZSTD;
			else
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_CSUM)) {
			if (eq(v, end, "crc32"))
				a->csum = RD_CSUM_CRC32;
			else if (eq(v, end, "crc32c"))
				a->csum = RD_CSUM_CRC32C;
			else if (eq(v, end, "xxh64"))
				a->csum = RD_CSUM_XXH64;
			else
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_LEVEL)) {
			rc = parse_whole(v, end, 0, &n);
			if (!rc && (n < 1 || n > 9))
				rc = -RD_EINVAL;
			a->level = (int)n;
		} else if (word_is(w, klen, RD_KEY_DUMPLEVEL)) {
			rc = parse_whole(v, end, 0, &n);
			if (!rc && n > RD_CLASS_ALL)
				rc = -RD_EINVAL;
			a->dump_level = (int)n;
		} else if (word_is(w, klen, RD_KEY_EXIT)) {
			if (eq(v, end, "reboot"))
				a->exit = MK_EXIT_REBOOT;
			else if (eq(v, end, "poweroff"))
				a->exit = MK_EXIT_POWEROFF;
			else if (eq(v, end, "halt"))
				a->exit = MK_EXIT_HALT;
			else if (eq(v, end, "qemu"))
				a->exit = MK_EXIT_QEMU;
			else
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_TEST)) {
			if (eq(v, end, "ud"))
				a->test = MK_TEST_UD;
			else if (eq(v, end, "pf"))
				a->test = MK_TEST_PF;
			else if (eq(v, end, "nmi"))
				a->test = MK_TEST_NMI;
			else if (eq(v, end, "stack"))
				a->test = MK_TEST_STACK;
			else if (eq(v, end, "wrdump"))
				a->test = MK_TEST_WRDUMP;
			else
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_IOTIMEOUT)) {
			uint64_t ms;

			rc = parse_whole(v, end, 0, &ms);
			if (!rc && (ms < 100 || ms > 600000))
				rc = -RD_EINVAL;
			a->io_timeout_ms = (uint32_t)ms;
		} else if (word_is(w, klen, RD_KEY_DISKSPEED)) {
			rc = parse_whole(v, end, 1, &a->diskspeed);
			if (!rc && !a->diskspeed)
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_CSUMSPEED)) {
			rc = parse_whole(v, end, 1, &a->csumspeed);
			if (!rc && !a->csumspeed)
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_DEPTH)) {
			uint64_t d;

			rc = parse_whole(v, end, 0, &d);
			if (!rc && (d < 1 || d > 32))
				rc = -RD_EINVAL;
			a->depth = (uint32_t)d;
		} else if (word_is(w, klen, RD_KEY_SG)) {
			if (eq(v, end, "0"))
				a->no_sg = 1;
			else if (!eq(v, end, "1"))
				rc = -RD_EINVAL;
		} else if (word_is(w, klen, RD_KEY_RANGES)) {
			rc = parse_ranges(v, end, a);
		} else if (word_is(w, klen, "elfcorehdr")) {
			rc = parse_elfcorehdr(v, end, &a->elfcorehdr);
			a->have_elfcorehdr = 1;
		}
		if (rc < 0) {
			kprintf("cmdline: bad value in '");
			for (; w < end; w++)
				con_putc(*w);
			kprintf("'\n");
			if (!first_err)
				first_err = rc;
		}
	}
	return first_err;
}
