/*
 * tools/cmd_info.c - `rawdump info TARGET|FILE [--json] [--verbose] [--verify]
 * [--log]`: what a dump says about the crash, on a rawdump partition or in
 * an ELF / LKCD / kdump file. The text puts the answer first (panic, crashed
 * task and CPU, kernel log tail, the crash command line); --verbose adds
 * the partition's and the dump's internals and every CPU's registers.
 *
 * Both outputs come from one JSON object (json-c, tools/jsonout.h): the
 * JSON prints it, the text reads its internals from it. Every key is always
 * there, for a partition and for a file alike; what does not apply is null.
 * The key list is Documentation/rawdump.8 (JSON OUTPUT); schema_version
 * changes when a key changes meaning or goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "info.h"
#include "jsonout.h"
#include "image/excl.h"
#include "image/formats.h"
#include "image/kinfo.h"
#include "image/memimage.h"
#include "image/partition.h"
#include "writer.h"
#include "disk/target.h"
#include "disk/partheader.h"

#define INFO_SCHEMA_VERSION	1
#define INFO_TAIL_LINES		20	/* log records shown without --log */

static const char info_usage[] =
	"usage: rawdump info TARGET|FILE [--json] [--verbose] [--verify] [--log]\n"
	"What a dump on a rawdump partition, or in a vmcore / LKCD / kdump file,\n"
	"says about the crash: panic, crashed task, kernel log, crash command.\n"
	"  -j, --json      one JSON object on stdout (keys: rawdump(8))\n"
	"  -V, --verbose   also the partition's and the dump's internals, registers\n"
	"  -v, --verify    check every block's payload (reads the whole dump)\n"
	"  -l, --log, --full-log  the whole kernel log instead of its last lines\n"
	"  -h, --help      this text\n";

/* What info describes. */
struct info_src {
	const struct target *t;			/* the partition; NULL for a file */
	const struct rd_part_header *h;		/* its header (with t) */
	enum part_hdr_copy copy;
	int primary_ok;
	struct memimage *m;			/* the dump; NULL when there is none */
	const char *error;			/* why the partition's dump cannot be read */
	const char *vmcore;			/* for the crash command line; NULL "<vmcore>" */
	long verified_bad;			/* --verify: corrupt blocks; -1 not asked */
	int full_log;
};

static const char *const kinfo_reg_names[KINFO_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

/* ---- the JSON object ---- */

static struct json_object *info_u64_or_null(uint64_t v)
{
	return v ? jo_u64(v) : NULL;
}

static void info_j_partition(struct json_object *o, const struct info_src *s)
{
	const struct rd_part_header *h = s->h;
	char uuid[PART_UUID_STR];

	if (!s->t) {
		static const char *const keys[] = {
			"state", "uuid", "label", "device", "kind", "part_offset",
			"part_size", "header_part_size", "sector_size", "header_copy",
			"primary_header_ok", "generation", "format_time", "saved_time",
		};
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			jo_put(o, keys[i], NULL);
		return;
	}
	part_uuid_format(h->uuid, uuid);
	jo_put(o, "state", jo_str(part_state_name(h->state)));
	jo_put(o, "uuid", jo_str(uuid));
	jo_put(o, "label", jo_strn((const char *)h->label, sizeof(h->label)));
	jo_put(o, "device", jo_str(s->t->path));
	jo_put(o, "kind", jo_str(target_kind_name(s->t->kind)));
	jo_put(o, "part_offset", jo_u64(s->t->part_offset));
	jo_put(o, "part_size", jo_u64(s->t->size));
	jo_put(o, "header_part_size", jo_u64(h->part_size));
	jo_put(o, "sector_size", jo_u64(s->t->sector_size));
	jo_put(o, "header_copy", jo_str(s->copy == PART_HDR_PRIMARY ? "primary" : "backup"));
	jo_put(o, "primary_header_ok", jo_bool(s->primary_ok));
	jo_put(o, "generation", jo_u64(h->generation));
	jo_put(o, "format_time", info_u64_or_null(h->format_time));
	jo_put(o, "saved_time", h->state == RD_STATE_SAVED ? info_u64_or_null(h->saved_time) : NULL);
}

static const char *info_comp_name(uint32_t c)
{
	return c == RD_COMP_ZLIB ? "zlib" : c == RD_COMP_LZ4 ? "lz4" : c == RD_COMP_ZSTD ? "zstd" :
		c == RD_COMP_NONE ? "none" : "unknown";
}

/* What only a rawdump partition's dump has (null for a file). */
static void info_j_rawdump(struct json_object *o, const struct info_src *s)
{
	const struct rdr_info *in = s->m ? rdr_info(s->m) : NULL;
	const struct rd_dump_header *d = in ? &in->dump : NULL;
	int v2 = d && d->version >= 2, end = in && in->have_end;
	char hex[20];

	if (d)
		snprintf(hex, sizeof(hex), "%016" PRIx64, d->dump_id);
	jo_put(o, "dump_id", d ? jo_str(hex) : NULL);
	jo_put(o, "writer", d ? jo_strn((const char *)d->writer, sizeof(d->writer)) : NULL);
	jo_put(o, "format_version", d ? jo_u64(d->version) : NULL);
	jo_put(o, "dumping_cpu", d && d->dumping_cpu != ~0u ? jo_u64(d->dumping_cpu) : NULL);
	jo_put(o, "compression", d ? jo_str(info_comp_name(d->compression)) : NULL);
	jo_put(o, "zlib_level", d && d->compression == RD_COMP_ZLIB ? jo_u64(d->zlib_level) : NULL);
	jo_put(o, "zstd_level", d && d->compression == RD_COMP_ZSTD ? jo_u64(d->zlib_level) : NULL);
	jo_put(o, "checksum", d ? jo_str(rd_csum_name(v2 ? d->csum_kind : RD_CSUM_CRC32)) : NULL);
	jo_put(o, "data_bytes", in ? jo_u64(in->data_bytes) : NULL);
	jo_put(o, "zero_bytes", in ? jo_u64(in->zero_bytes) : NULL);
	jo_put(o, "stored_bytes", in ? jo_u64(in->stored_bytes) : NULL);
	jo_put(o, "blocks", in ? jo_u64(in->blocks) : NULL);
	jo_put(o, "complete", in ? jo_bool(end) : NULL);
	jo_put(o, "truncated", in ? jo_bool(end && (in->end.flags & RD_END_TRUNCATED)) : NULL);
	jo_put(o, "truncated_bytes", end ? jo_u64(in->end.missing_bytes) : NULL);
	jo_put(o, "lost_bytes", in ? jo_u64(in->lost_bytes) : NULL);
	jo_put(o, "cpu_notes_dropped", d ? jo_bool(d->flags & RD_DF_NOTES_DROPPED) : NULL);
	jo_put(o, "capture_us", end ? jo_u64(in->end.elapsed_us) : NULL);
	jo_put(o, "block_count_ok", end ? jo_bool(in->count_ok == 1) : NULL);
	jo_put(o, "index_crc_ok", end ? jo_bool(in->index_ok == 1) : NULL);
	jo_put(o, "bad_headers", in ? jo_u64(in->bad_headers) : NULL);
	jo_put(o, "rejected_blocks", in ? jo_u64(in->rejected_blocks) : NULL);
	jo_put(o, "ignored_blocks", in ? jo_u64(in->ignored_blocks) : NULL);
	jo_put(o, "corrupt_blocks", in ? jo_u64(in->corrupt_blocks) : NULL);
	jo_put(o, "verified_corrupt_blocks", in && s->verified_bad >= 0 ? jo_u64(s->verified_bad) : NULL);
	jo_put(o, "kernel_first", v2 ? jo_bool(d->flags & RD_DF_KERNEL_FIRST) : NULL);
	jo_put(o, "filter_flags", v2 ? jo_u64(d->filter_flags | (end ? in->end.filter_flags : 0)) : NULL);
	jo_put(o, "filter_active", d && (d->flags & RD_DF_FILTERED) ? jo_u64(d->filter_active) : NULL);
}

static void info_j_ranges(struct json_object *o, const struct memimage *m)
{
	struct json_object *a = m ? json_object_new_array() : NULL;
	size_t i;

	for (i = 0; m && i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];
		struct json_object *e = json_object_new_object();

		jo_put(e, "paddr", jo_hex(r->paddr));
		jo_put(e, "vaddr", jo_hex(r->vaddr));
		jo_put(e, "size", jo_u64(r->size));
		jo_put(e, "alias", jo_bool(r->flags & MI_ALIAS));
		json_object_array_add(a, e);
	}
	jo_put(o, "ranges", a);
}

/* A word for why memory is missing (rdr_missing_name says it in a sentence). */
static const char *info_missing_code(enum rdr_missing_why why)
{
	switch (why) {
	case RDR_MISSING_LOST:		return "lost";
	case RDR_MISSING_TRUNCATED:	return "truncated";
	case RDR_MISSING_CUT:		return "cut";
	case RDR_MISSING_CORRUPT:	return "corrupt";
	case RDR_MISSING_UNACCOUNTED:	return "unaccounted";
	}
	return "unknown";
}

/* Missing memory, by reason: only the rawdump reader lists it. */
static void info_j_missing(struct json_object *o, struct memimage *m)
{
	const struct rdr_missing *miss;
	struct json_object *a;
	size_t i, n;

	if (!m || !rdr_info(m)) {
		jo_put(o, "missing", NULL);
		return;
	}
	n = rdr_missing(m, &miss);
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_new_object();

		jo_put(e, "paddr", jo_hex(miss[i].paddr));
		jo_put(e, "size", jo_u64(miss[i].size));
		jo_put(e, "why", jo_str(info_missing_code(miss[i].why)));
		jo_put(e, "reason", jo_str(rdr_missing_name(miss[i].why)));
		json_object_array_add(a, e);
	}
	jo_put(o, "missing", a);
}

/* dump_level and excluded_pages: every class (tools/image/excl.h) and "total". */
static void info_j_filter(struct json_object *o, struct memimage *m)
{
	uint64_t cnt[MI_CLASS_SLOTS], total;
	struct json_object *x;
	uint32_t level;
	unsigned int i;

	if (!m) {
		jo_put(o, "dump_level", NULL);
		jo_put(o, "excluded_pages", NULL);
		return;
	}
	total = excl_counts(m, cnt, &level);
	jo_put(o, "dump_level", jo_u64(level));
	x = json_object_new_object();
	for (i = 0; i < MI_CLASS_SLOTS; i++)
		if (mi_class_name(i))
			jo_put(x, mi_class_name(i), jo_u64(cnt[i]));
	jo_put(x, "total", jo_u64(total));
	jo_put(o, "excluded_pages", x);
}

static uint64_t info_mem_bytes(const struct memimage *m)
{
	const struct rdr_info *in = rdr_info((struct memimage *)m);
	uint64_t mem = 0;
	size_t i;

	if (in)
		return in->dump.mem_bytes;
	for (i = 0; i < m->nranges; i++)
		if (!(m->ranges[i].flags & MI_ALIAS))
			mem += m->ranges[i].size;
	return mem;
}

static void info_print_rec(FILE *out, const struct kinfo_rec *r)
{
	const char *p = r->text, *nl;

	do {
		nl = strchr(p, '\n');
		fprintf(out, "[%5" PRIu64 ".%06" PRIu64 "] %.*s\n", r->ts_nsec / 1000000000u,
			(r->ts_nsec % 1000000000u) / 1000u, nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	} while (p && *p);
}

/* One log record as printed in the text, without the last newline. */
static struct json_object *info_j_rec(const struct kinfo_rec *r)
{
	struct json_object *v;
	char *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&line, &len);

	if (!mem)
		return NULL;
	info_print_rec(mem, r);
	fclose(mem);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	v = jo_str(line);
	free(line);
	return v;
}

static struct json_object *info_j_cpus(const struct kinfo *ki)
{
	struct json_object *a = json_object_new_array();
	uint32_t c;
	int r;

	for (c = 0; c < ki->ncpus; c++) {
		struct json_object *e = json_object_new_object();

		jo_put(e, "cpu", jo_u64(c));
		jo_put(e, "pid", jo_u64(ki->cpus[c].pid));
		jo_put(e, "crashed", jo_bool((int)c == ki->crashed_cpu));
		for (r = 0; r < KINFO_NREGS; r++)
			jo_put(e, kinfo_reg_names[r], jo_hex(ki->cpus[c].regs[r]));
		jo_put(e, "cr3", ki->cpus[c].have_cr3 ? jo_hex(ki->cpus[c].cr3) : NULL);
		json_object_array_add(a, e);
	}
	return a;
}

/* What kinfo found; every key null when there is no dump (ki NULL). */
static void info_j_kernel(struct json_object *o, const struct info_src *s,
			  const struct kinfo *ki, size_t first)
{
	struct json_object *log = NULL;
	char cmd[512];
	size_t i;

	jo_put(o, "kernel_version", ki && ki->have_uts ? jo_str(ki->uts[3]) : NULL);
	jo_put(o, "nodename", ki && ki->have_uts ? jo_str(ki->uts[1]) : NULL);
	jo_put(o, "machine", ki && ki->have_uts ? jo_str(ki->uts[4]) : NULL);
	jo_put(o, "uptime_ns", ki && ki->nlog ? jo_u64(ki->uptime_ns) : NULL);
	jo_put(o, "panic", ki && ki->panic[0] ? jo_str(ki->panic) : NULL);
	jo_put(o, "crashed_cpu", ki && ki->crashed_cpu >= 0 ? jo_u64((uint64_t)ki->crashed_cpu) : NULL);
	jo_put(o, "crashed_pid", ki && ki->crashed_cpu >= 0 ? jo_u64(ki->crashed_pid) : NULL);
	jo_put(o, "crashed_comm", ki && ki->crashed_cpu >= 0 ? jo_str(ki->crashed_comm) : NULL);
	jo_put(o, "phys_base", ki && ki->have_phys_base ? jo_hex(ki->phys_base) : NULL);
	jo_put(o, "kaslr_offset", ki ? jo_hex(ki->kaslr_offset) : NULL);
	jo_put(o, "cpu_notes", ki ? jo_u64(ki->ncpus) : NULL);
	jo_put(o, "cpus", ki ? info_j_cpus(ki) : NULL);
	if (ki)
		kinfo_crash_cmd(s->m, ki, s->vmcore, cmd, sizeof(cmd));
	jo_put(o, "crash_command", ki ? jo_str(cmd) : NULL);
	jo_put(o, "log_records", ki ? jo_u64(ki->nlog) : NULL);
	jo_put(o, "log_error", ki && ki->log_error ? jo_str(ki->log_error) : NULL);
	if (ki && !ki->log_error) {
		log = json_object_new_array();
		for (i = first; i < ki->nlog; i++)
			json_object_array_add(log, info_j_rec(&ki->log[i]));
	}
	jo_put(o, "log", log);
}

static struct json_object *info_json(const struct info_src *s, const struct kinfo *ki, size_t first)
{
	struct json_object *o = json_object_new_object();
	struct memimage *m = s->m;

	jo_put(o, "schema_version", jo_u64(INFO_SCHEMA_VERSION));
	jo_put(o, "format", s->t ? jo_str("rawdump") : jo_str(m->kind));
	jo_put(o, "error", jo_str(s->error));
	info_j_partition(o, s);
	jo_put(o, "crash_time", m ? info_u64_or_null(m->crash_time ? m->crash_time :
						       ki->crash_time) : NULL);
	jo_put(o, "kernel_release", m && m->kernel_release[0] ? jo_str(m->kernel_release) : NULL);
	jo_put(o, "cpu_count", m ? jo_u64(m->cpu_count) : NULL);
	jo_put(o, "mem_bytes", m ? jo_u64(info_mem_bytes(m)) : NULL);
	jo_put(o, "partial", m ? jo_bool(m->partial) : NULL);
	jo_put(o, "missing_bytes", m ? jo_u64(m->missing_bytes) : NULL);
	info_j_rawdump(o, s);
	info_j_filter(o, m);
	info_j_ranges(o, m);
	info_j_missing(o, m);
	info_j_kernel(o, s, ki, first);
	return o;
}

/* ---- the text ---- */

#define INFO_COL	"%-14s"

/* Keys the answer-first lines (or the register and log sections) show. */
static int info_summary_key(const char *k)
{
	static const char *const keys[] = {
		"schema_version", "panic", "crashed_cpu", "crashed_pid", "crashed_comm",
		"crash_command", "log_records", "log_error", "log", "cpus",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return 1;
	return 0;
}

static int info_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* One scalar as text: sizes with a readable size, times as dates. */
static void info_t_value(FILE *out, const char *key, struct json_object *v)
{
	char buf[64];
	uint64_t n;

	if (!json_object_is_type(v, json_type_int)) {
		fputs(json_object_get_string(v), out);
		return;
	}
	n = json_object_get_uint64(v);
	fprintf(out, "%" PRIu64, n);
	if (info_ends_with(key, "_bytes") || info_ends_with(key, "part_size"))
		fprintf(out, " (%s)", cli_size(n, buf, sizeof(buf)));
	else if (info_ends_with(key, "_time") && !cli_utc(n, NULL, buf, sizeof(buf)))
		fprintf(out, " (%s)", buf);
}

/* --verbose: every other key of the JSON object that is not null, one a line. */
static void info_t_details(FILE *out, struct json_object *o)
{
	char sz[32];

	json_object_object_foreach(o, key, v) {
		size_t i, n;

		if (!v || info_summary_key(key))
			continue;
		fprintf(out, "%-18s ", key);
		if (json_object_is_type(v, json_type_object)) {	/* excluded_pages */
			uint64_t total = json_object_get_uint64(json_object_object_get(v, "total"));

			fprintf(out, "%" PRIu64 " (%s)\n", total, cli_size(total * MI_PAGE, sz, sizeof(sz)));
			json_object_object_foreach(v, cls, cnt)
				if (strcmp(cls, "total") && json_object_get_uint64(cnt))
					fprintf(out, "  %-16s %" PRIu64 "\n", cls, json_object_get_uint64(cnt));
			continue;
		}
		if (!json_object_is_type(v, json_type_array)) {
			info_t_value(out, key, v);
			fputc('\n', out);
			continue;
		}
		n = json_object_array_length(v);			/* ranges, missing */
		fprintf(out, "%zu\n", n);
		for (i = 0; i < n; i++) {
			json_object_object_foreach(json_object_array_get_idx(v, i), ek, ev) {
				fprintf(out, "  %s ", ek);
				info_t_value(out, ek, ev);
			}
			fputc('\n', out);
		}
	}
}

static void info_t_registers(FILE *out, const struct kinfo *ki)
{
	uint32_t c;

	for (c = 0; c < ki->ncpus; c++) {
		const uint64_t *r = ki->cpus[c].regs;

		fprintf(out, "CPU %u%s pid %u\n", c, (int)c == ki->crashed_cpu ? " (crashed)" : "",
			ki->cpus[c].pid);
		fprintf(out, "  RIP %016" PRIx64 "  RSP %016" PRIx64 "  RBP %016" PRIx64
			"  RFLAGS %08" PRIx64 "\n", r[KR_RIP], r[KR_RSP], r[KR_RBP], r[KR_EFLAGS]);
		fprintf(out, "  RAX %016" PRIx64 "  RBX %016" PRIx64 "  RCX %016" PRIx64
			"  RDX %016" PRIx64 "\n", r[KR_RAX], r[KR_RBX], r[KR_RCX], r[KR_RDX]);
		fprintf(out, "  RSI %016" PRIx64 "  RDI %016" PRIx64 "  CS %04" PRIx64 "  SS %04"
			PRIx64 "  GS_BASE %016" PRIx64 "\n", r[KR_RSI], r[KR_RDI], r[KR_CS], r[KR_SS],
			r[KR_GS_BASE]);
		if (ki->cpus[c].have_cr3)
			fprintf(out, "  CR3 %016" PRIx64 "\n", ki->cpus[c].cr3);
	}
}

/* "dump:" - what is there and whether any of it is missing. */
static void info_t_dump(FILE *out, const struct info_src *s)
{
	struct memimage *m = s->m;
	const struct rdr_info *in = m ? rdr_info(m) : NULL;
	char sz[32], excl[256];

	if (!m) {
		if (s->error)
			fprintf(out, INFO_COL "unreadable: %s\n", "dump:", s->error);
		else
			fprintf(out, INFO_COL "none\n", "dump:");
		return;
	}
	fprintf(out, INFO_COL "%s, %s of memory, ", "dump:", m->kind,
		cli_size(info_mem_bytes(m), sz, sizeof(sz)));
	if (!m->partial)
		fputs("complete\n", out);
	else if (!m->missing_bytes)
		fputs("partial\n", out);
	else
		fprintf(out, "partial: %s missing%s%s\n", cli_size(m->missing_bytes, sz, sizeof(sz)),
			in && !in->have_end ? ", the capture stopped early" :
			in && (in->end.flags & RD_END_TRUNCATED) ? ", the partition filled up" : "",
			in ? " (--verbose lists the ranges)" : "");
	cli_excl_summary(m, excl, sizeof(excl));
	if (excl[0])
		fprintf(out, INFO_COL "%s\n", "filtered:", excl);
	if (s->verified_bad >= 0)
		fprintf(out, INFO_COL "every block read: %ld corrupt\n", "verified:", s->verified_bad);
}

static void info_text(FILE *out, const struct info_src *s, const struct kinfo *ki,
		      size_t first, struct json_object *o, int verbose)
{
	char tbuf[64], sz[32], uuid[PART_UUID_STR], cmd[512];
	uint64_t ct;

	if (ki) {
		fprintf(out, INFO_COL "%s\n", "panic:",
			ki->panic[0] ? ki->panic : "(not found in the kernel log)");
		if (ki->crashed_cpu >= 0)
			fprintf(out, INFO_COL "%s (pid %u) on CPU %d\n", "crashed task:",
				ki->crashed_comm, ki->crashed_pid, ki->crashed_cpu);
		else
			fprintf(out, INFO_COL "(unknown)\n", "crashed task:");
		fprintf(out, INFO_COL "%s", "kernel:", ki->release[0] ? ki->release : "(unknown)");
		if (ki->have_uts)
			fprintf(out, " %s (node %s)", ki->uts[3], ki->uts[1]);
		fputc('\n', out);
		ct = s->m->crash_time ? s->m->crash_time : ki->crash_time;
		if (!cli_utc(ct, NULL, tbuf, sizeof(tbuf)))
			fprintf(out, INFO_COL "%s", "crash time:", tbuf);
		else if (ct)
			fprintf(out, INFO_COL "%" PRIu64 " (not a date)", "crash time:", ct);
		else
			fprintf(out, INFO_COL "(unknown)", "crash time:");
		if (ki->nlog)
			fprintf(out, ", uptime %" PRIu64 ".%06" PRIu64 " s",
				ki->uptime_ns / 1000000000u, (ki->uptime_ns % 1000000000u) / 1000u);
		fputc('\n', out);
	}
	if (s->t) {
		part_uuid_format(s->h->uuid, uuid);
		fprintf(out, INFO_COL "%s, state %s, uuid %s, %s\n", "partition:", s->t->path,
			part_state_name(s->h->state), uuid, cli_size(s->t->size, sz, sizeof(sz)));
	}
	info_t_dump(out, s);
	if (verbose) {
		info_t_details(out, o);
		if (ki)
			info_t_registers(out, ki);
	}
	if (!ki)
		return;
	if (ki->log_error)
		fprintf(out, INFO_COL "unavailable: %s\n", "kernel log:", ki->log_error);
	else
		fprintf(out, INFO_COL "%zu records%s\n", "kernel log:", ki->nlog,
			first ? ", the last lines (--log for all):" : ":");
	for (size_t i = first; !ki->log_error && i < ki->nlog; i++)
		info_print_rec(out, &ki->log[i]);
	kinfo_crash_cmd(s->m, ki, s->vmcore, cmd, sizeof(cmd));
	fprintf(out, INFO_COL "%s\n", "open with:", cmd);	/* bytes as the kernel has them */
}

/* Print text or JSON of s; what the dump says about the kernel is gathered
 * here unless the caller did (pre, from s->m). */
static int info_emit(FILE *out, const struct info_src *s, const struct kinfo *pre, int json,
		     int verbose)
{
	const struct kinfo *kp = NULL;
	struct json_object *o;
	struct kinfo ki;
	size_t first = 0;
	int rc = 0;

	if (s->m) {
		if (!pre)
			kinfo_gather(s->m, &ki);
		kp = pre ? pre : &ki;
		if (!s->full_log && kp->nlog > INFO_TAIL_LINES)
			first = kp->nlog - INFO_TAIL_LINES;
	}
	o = info_json(s, kp, first);
	if (json) {
		rc = jo_print(out, o);
	} else {
		info_text(out, s, kp, first, o, verbose);
		json_object_put(o);
		rc = fflush(out) || ferror(out) ? -EIO : 0;
	}
	if (s->m && !pre)
		kinfo_free(&ki);
	return rc;
}

void info_print_log_ki(const struct kinfo *ki, FILE *out)
{
	size_t i;

	for (i = 0; !ki->log_error && i < ki->nlog; i++)
		info_print_rec(out, &ki->log[i]);
}

void info_print_log(struct memimage *m, FILE *out)
{
	struct kinfo ki;

	kinfo_gather(m, &ki);
	info_print_log_ki(&ki, out);
	kinfo_free(&ki);
}

int info_report_open(FILE *out, const struct target *t, struct memimage *m,
		     const struct kinfo *ki, int json)
{
	const struct rdr_info *in = rdr_info(m);
	struct info_src s = {
		.t = t, .h = &in->part, .copy = in->part_copy, .primary_ok = in->primary_ok,
		.m = m, .verified_bad = -1,
	};

	return info_emit(out, &s, ki, json, 0) ? RD_EXIT_IO : RD_EXIT_OK;
}

/* rawdump info of spec onto out; an exit code. */
static int info_run(FILE *out, const char *spec, int json, int verbose, int verify, int full_log)
{
	struct info_src s = { .verified_bad = -1, .copy = PART_HDR_PRIMARY, .full_log = full_log };
	int rc, ret = RD_EXIT_OK;
	struct rd_part_header h;
	enum rdr_err why;
	char err[512];
	struct target t;

	rc = target_open(spec, O_RDONLY, &t, err, sizeof(err));
	if (!rc && t.kind == TARGET_IMAGE_DISK)
		rc = target_pick_rawdump(&t, err, sizeof(err));
	if (rc) {
		cli_error("info", "%s", err);
		return RD_EXIT_TARGET;
	}

	if (!part_has_magic(&t)) {
		target_close(&t);
		s.m = mi_open(spec, err, sizeof(err));
		if (!s.m) {
			cli_error("info", "%s", err);
			return RD_EXIT_NOTRD;
		}
		s.vmcore = spec;
		goto emit;
	}
	if (part_header_read(&t, &h, &s.copy, &s.primary_ok)) {
		target_close(&t);
		cli_error("info", "%s: rawdump signature present but both headers are bad", spec);
		return RD_EXIT_NOTRD;
	}
	s.t = &t;
	s.h = &h;
	if (h.state == RD_STATE_EMPTY || h.state > RD_STATE_CLEARED)
		goto emit;
	s.m = rdr_open(&t, &why, err, sizeof(err));	/* takes over t.fd */
	if (!s.m) {
		s.error = err;
		ret = cli_exit_rdr(why);
		goto emit;
	}
	if (verify) {
		s.verified_bad = rdr_verify(s.m, NULL, NULL);
		if (s.verified_bad < 0) {
			cli_error("info", "--verify: %s", strerror((int)-s.verified_bad));
			ret = RD_EXIT_IO;
		}
	}
emit:
	if (info_emit(out, &s, NULL, json, verbose) && ret == RD_EXIT_OK)
		ret = RD_EXIT_IO;
	if (s.t && !s.m)
		target_close(&t);
	mi_close(s.m);
	return ret;
}

int info_report(FILE *out, const char *spec, int json, int full_log)
{
	return info_run(out, spec, json, 0, 0, full_log);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "verify", no_argument, NULL, 'v' },
		{ "full-log", no_argument, NULL, 'l' },
		{ "log", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, verbose = 0, verify = 0, full_log = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jVvlh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'V':
			verbose = 1;
			break;
		case 'v':
			verify = 1;
			break;
		case 'l':
			full_log = 1;
			break;
		case 'h':
			fputs(info_usage, stdout);
			return RD_EXIT_OK;
		default:
			return cli_getopt_error("info", argv, c);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("info", "need exactly one TARGET or FILE");
	return info_run(stdout, argv[optind], json, verbose, verify, full_log);
}
