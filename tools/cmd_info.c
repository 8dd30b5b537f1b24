/*
 * tools/cmd_info.c - `rawdump info TARGET|FILE [--json] [--verify] [--full-log]`:
 * describe a rawdump partition and the dump on it (or an ELF / LKCD / kdump
 * file), then what kinfo (tools/image/kinfo.h) finds about the crashed kernel.
 * JSON members are stable names; sizes are bytes, times unix seconds.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "image/excl.h"
#include "image/formats.h"
#include "image/kinfo.h"
#include "image/memimage.h"
#include "image/partition.h"
#include "writer.h"
#include "disk/target.h"
#include "disk/partheader.h"

static const char info_usage[] =
	"usage: rawdump info TARGET|FILE [--json] [--verify] [--log]\n"
	"Describe a rawdump partition and its dump, or a vmcore / LKCD / kdump file.\n"
	"  -j, --json      one JSON object on stdout\n"
	"  -v, --verify    check every block's payload (reads the whole dump)\n"
	"  -l, --log, --full-log  the whole kernel log instead of its last lines\n"
	"  -h, --help      this text\n";

struct info_out {
	FILE *f;
	int json;
	int first;
};

static void info_key(struct info_out *o, const char *key)
{
	if (o->json)
		fprintf(o->f, "%s  \"%s\": ", o->first ? "" : ",\n", key);
	else
		fprintf(o->f, "%-18s ", key);
	o->first = 0;
}

static void info_u64(struct info_out *o, const char *key, uint64_t v)
{
	info_key(o, key);
	fprintf(o->f, "%" PRIu64 "%s", v, o->json ? "" : "\n");
}

static void info_str(struct info_out *o, const char *key, const char *v)
{
	info_key(o, key);
	if (o->json)
		cli_json_str(o->f, v);
	else
		fprintf(o->f, "%s\n", v);
}

static void info_bool(struct info_out *o, const char *key, int v)
{
	info_key(o, key);
	fprintf(o->f, "%s%s", v ? "true" : "false", o->json ? "" : "\n");
}

static void info_size(struct info_out *o, const char *key, uint64_t v)
{
	char sz[32];

	info_key(o, key);
	if (o->json)
		fprintf(o->f, "%" PRIu64, v);
	else
		fprintf(o->f, "%" PRIu64 " (%s)\n", v, cli_size(v, sz, sizeof(sz)));
}

static void info_time(struct info_out *o, const char *key, uint64_t v)
{
	char buf[64];

	info_key(o, key);
	if (o->json) {
		fprintf(o->f, "%" PRIu64, v);
		return;
	}
	if (!v) {
		fprintf(o->f, "unknown\n");
		return;
	}
	if (cli_utc(v, NULL, buf, sizeof(buf))) {
		fprintf(o->f, "%" PRIu64 " (not a date)\n", v);
		return;
	}
	fprintf(o->f, "%s\n", buf);
}

/* In JSON "cpus" is kinfo's per-CPU register array, so the count is "cpu_count". */
static void info_kernel(struct info_out *o, const struct memimage *m)
{
	info_time(o, "crash_time", m->crash_time);
	info_str(o, "kernel_release", m->kernel_release);
	info_u64(o, o->json ? "cpu_count" : "cpus", m->cpu_count);
}

static void info_partition(struct info_out *o, const struct target *t,
			   const struct rd_part_header *h, enum part_hdr_copy copy, int primary_ok)
{
	char uuid[PART_UUID_STR], label[sizeof(h->label) + 1];

	part_uuid_format(h->uuid, uuid);
	memcpy(label, h->label, sizeof(h->label));
	label[sizeof(h->label)] = '\0';
	info_str(o, "state", part_state_name(h->state));
	info_str(o, "uuid", uuid);
	info_str(o, "label", label);
	info_str(o, "device", t->path);
	info_str(o, "kind", target_kind_name(t->kind));
	info_u64(o, "part_offset", t->part_offset);
	info_size(o, "part_size", t->size);
	info_size(o, "header_part_size", h->part_size);
	info_u64(o, "sector_size", t->sector_size);
	info_str(o, "header_copy", copy == PART_HDR_PRIMARY ? "primary" : "backup");
	info_bool(o, "primary_header_ok", primary_ok);
	info_u64(o, "generation", h->generation);
	info_time(o, "format_time", h->format_time);
	if (h->state == RD_STATE_SAVED)
		info_time(o, "saved_time", h->saved_time);
}

static void info_ranges(struct info_out *o, const struct memimage *m)
{
	size_t i;

	info_key(o, "ranges");
	if (o->json)
		fputc('[', o->f);
	else
		fprintf(o->f, "%zu\n", m->nranges);
	for (i = 0; i < m->nranges; i++) {
		const struct mi_range *r = &m->ranges[i];

		if (o->json)
			fprintf(o->f, "%s{\"paddr\": %" PRIu64 ", \"vaddr\": %" PRIu64
				", \"size\": %" PRIu64 ", \"alias\": %s}",
				i ? ", " : "", r->paddr, r->vaddr, r->size,
				(r->flags & MI_ALIAS) ? "true" : "false");
		else
			fprintf(o->f, "  0x%016" PRIx64 "-0x%016" PRIx64 " vaddr 0x%016" PRIx64 "%s\n",
				r->paddr, r->paddr + r->size - 1, r->vaddr,
				(r->flags & MI_ALIAS) ? " (alias)" : "");
	}
	if (o->json)
		fputc(']', o->f);
}

static void info_missing(struct info_out *o, struct memimage *m)
{
	const struct rdr_missing *miss;
	size_t i, n = rdr_missing(m, &miss);

	info_key(o, "missing");
	if (o->json)
		fputc('[', o->f);
	else
		fprintf(o->f, "%zu range%s\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		if (o->json) {
			fprintf(o->f, "%s{\"paddr\": %" PRIu64 ", \"size\": %" PRIu64 ", \"why\": ",
				i ? ", " : "", miss[i].paddr, miss[i].size);
			cli_json_str(o->f, rdr_missing_name(miss[i].why));
			fputc('}', o->f);
		} else {
			fprintf(o->f, "  0x%016" PRIx64 "-0x%016" PRIx64 " %s\n", miss[i].paddr,
				miss[i].paddr + miss[i].size - 1, rdr_missing_name(miss[i].why));
		}
	}
	if (o->json)
		fputc(']', o->f);
}

/* The dump level and the pages filtering left out, per class:
 *   dump_level         31
 *   excluded_pages     110625 (432.1 MiB)
 *     free             100000
 * In JSON "excluded_pages" is an object of every class plus "total"
 * (counts from excl_counts, tools/image/excl.h). */
static void info_filter(struct info_out *o, struct memimage *m)
{
	const struct rdr_info *in = rdr_info(m);
	uint64_t cnt[MI_CLASS_SLOTS], total;
	uint32_t level;
	unsigned int i;
	char sz[32];

	total = excl_counts(m, cnt, &level);
	info_u64(o, "dump_level", level);
	if (in && (in->dump.flags & RD_DF_FILTERED))
		info_u64(o, "filter_active", in->dump.filter_active);
	info_key(o, "excluded_pages");
	if (o->json) {
		fprintf(o->f, "{");
		for (i = 0; i < MI_CLASS_SLOTS; i++)
			if (mi_class_name(i))
				fprintf(o->f, "\"%s\": %" PRIu64 ", ", mi_class_name(i), cnt[i]);
		fprintf(o->f, "\"total\": %" PRIu64 "}", total);
		return;
	}
	fprintf(o->f, "%" PRIu64 " (%s)\n", total, cli_size(total * MI_PAGE, sz, sizeof(sz)));
	for (i = 0; i < MI_CLASS_SLOTS; i++)
		if (mi_class_name(i) && cnt[i])
			fprintf(o->f, "  %-16s %" PRIu64 "\n", mi_class_name(i), cnt[i]);
}

/* Format version 2 capture facts: the order and the filter's own flags. */
static void info_capture_v2(struct info_out *o, const struct rdr_info *in)
{
	const struct rd_dump_header *d = &in->dump;

	info_u64(o, "format_version", d->version);
	if (d->version < 2)
		return;
	info_bool(o, "kernel_first", !!(d->flags & RD_DF_KERNEL_FIRST));
	info_u64(o, "filter_flags", d->filter_flags | (in->have_end ? in->end.filter_flags : 0));
}

static void info_dump(struct info_out *o, struct memimage *m)
{
	const struct rdr_info *in = rdr_info(m);
	const struct rd_dump_header *d = &in->dump;
	char writer[sizeof(d->writer) + 1], hex[20];

	memcpy(writer, d->writer, sizeof(d->writer));
	writer[sizeof(d->writer)] = '\0';
	snprintf(hex, sizeof(hex), "%016" PRIx64, d->dump_id);
	info_str(o, "dump_id", hex);
	info_str(o, "writer", writer);
	info_kernel(o, m);
	info_key(o, "dumping_cpu");
	if (d->dumping_cpu == ~0u)
		fprintf(o->f, "%s", o->json ? "null" : "unknown\n");
	else
		fprintf(o->f, "%u%s", d->dumping_cpu, o->json ? "" : "\n");
	info_str(o, "compression", d->compression == RD_COMP_ZLIB ? "zlib" :
		 d->compression == RD_COMP_LZ4 ? "lz4" :
		 d->compression == RD_COMP_ZSTD ? "zstd" :
		 d->compression == RD_COMP_NONE ? "none" : "unknown");
	if (d->compression == RD_COMP_ZLIB)
		info_u64(o, "zlib_level", d->zlib_level);
	if (d->compression == RD_COMP_ZSTD)
		info_u64(o, "zstd_level", d->zlib_level);
	info_str(o, "checksum", rd_csum_name(d->version >= 2 ? d->csum_kind : RD_CSUM_CRC32));
	info_size(o, "mem_bytes", d->mem_bytes);
	info_size(o, "data_bytes", in->data_bytes);
	info_size(o, "zero_bytes", in->zero_bytes);
	info_capture_v2(o, in);
	info_size(o, "stored_bytes", in->stored_bytes);
	info_u64(o, "blocks", in->blocks);
	info_bool(o, "complete", in->have_end);
	info_bool(o, "partial", m->partial);
	info_bool(o, "truncated", in->have_end && (in->end.flags & RD_END_TRUNCATED));
	info_size(o, "missing_bytes", m->missing_bytes);
	info_size(o, "lost_bytes", in->lost_bytes);
	info_bool(o, "cpu_notes_dropped", (d->flags & RD_DF_NOTES_DROPPED) != 0);
	if (in->have_end) {
		info_size(o, "truncated_bytes", in->end.missing_bytes);
		info_u64(o, "capture_us", in->end.elapsed_us);
		info_bool(o, "block_count_ok", in->count_ok == 1);
		info_bool(o, "index_crc_ok", in->index_ok == 1);
	}
	info_u64(o, "bad_headers", in->bad_headers);
	info_u64(o, "rejected_blocks", in->rejected_blocks);
	info_u64(o, "ignored_blocks", in->ignored_blocks);
	info_u64(o, "corrupt_blocks", in->corrupt_blocks);
	info_filter(o, m);
	info_ranges(o, m);
	info_missing(o, m);
}

static void info_image(struct info_out *o, struct memimage *m)
{
	uint64_t mem = 0;
	size_t i;

	for (i = 0; i < m->nranges; i++)
		if (!(m->ranges[i].flags & MI_ALIAS))
			mem += m->ranges[i].size;
	info_str(o, "format", m->kind);
	info_kernel(o, m);
	info_size(o, "mem_bytes", mem);
	info_bool(o, "partial", m->partial);
	info_size(o, "missing_bytes", m->missing_bytes);
	info_filter(o, m);
	info_ranges(o, m);
}

/* ---- the crash summary of the kernel (tools/image/kinfo.h gathers it) ---- */

#define KINFO_TAIL_LINES	20	/* log lines shown without --log */

static const char *const kinfo_reg_names[KINFO_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

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

static void info_json_rec(FILE *out, const struct kinfo_rec *r)
{
	char *line;
	size_t len;
	FILE *mem = open_memstream(&line, &len);

	if (!mem)
		return;
	info_print_rec(mem, r);
	fclose(mem);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	cli_json_str(out, line);
	free(line);
}

static void info_kernel_json(struct memimage *m, const struct kinfo *ki, FILE *out, size_t first)
{
	char cmd[512];
	uint32_t c;
	size_t i;
	int r;

	if (ki->have_uts) {
		fputs(",\n  \"kernel_version\": ", out);
		cli_json_str(out, ki->uts[3]);
		fputs(",\n  \"nodename\": ", out);
		cli_json_str(out, ki->uts[1]);
	}
	fprintf(out, ",\n  \"uptime_ns\": %" PRIu64, ki->uptime_ns);
	fputs(",\n  \"panic\": ", out);
	cli_json_str(out, ki->panic);
	fprintf(out, ",\n  \"crashed_cpu\": %d", ki->crashed_cpu);
	fprintf(out, ",\n  \"crashed_pid\": %u", ki->crashed_pid);
	fputs(",\n  \"crashed_comm\": ", out);
	cli_json_str(out, ki->crashed_comm);
	if (ki->have_phys_base)
		fprintf(out, ",\n  \"phys_base\": \"0x%" PRIx64 "\"", ki->phys_base);
	fprintf(out, ",\n  \"kaslr_offset\": \"0x%" PRIx64 "\"", ki->kaslr_offset);
	fprintf(out, ",\n  \"cpu_notes\": %u,\n  \"cpus\": [", ki->ncpus);
	for (c = 0; c < ki->ncpus; c++) {
		fprintf(out, "%s\n    {\"cpu\": %u, \"pid\": %u", c ? "," : "", c, ki->cpus[c].pid);
		for (r = 0; r < KINFO_NREGS; r++)
			fprintf(out, ", \"%s\": \"0x%016" PRIx64 "\"", kinfo_reg_names[r],
				ki->cpus[c].regs[r]);
		if (ki->cpus[c].have_cr3)
			fprintf(out, ", \"cr3\": \"0x%016" PRIx64 "\"", ki->cpus[c].cr3);
		fputc('}', out);
	}
	fputs(ki->ncpus ? "\n  ]" : "]", out);
	kinfo_crash_cmd(m, ki, NULL, cmd, sizeof(cmd));
	fputs(",\n  \"crash_command\": ", out);
	cli_json_str(out, cmd);
	fprintf(out, ",\n  \"log_records\": %zu", ki->nlog);
	if (ki->log_error) {
		fputs(",\n  \"log_error\": ", out);
		cli_json_str(out, ki->log_error);
	}
	fputs(",\n  \"log\": [", out);
	for (i = first; i < ki->nlog; i++) {
		fputs(i > first ? ",\n    " : "\n    ", out);
		info_json_rec(out, &ki->log[i]);
	}
	fputs(ki->nlog > first ? "\n  ]" : "]", out);
}

static void info_kernel_text(struct memimage *m, const struct kinfo *ki, FILE *out, size_t first)
{
	char cmd[512], tbuf[64];
	uint32_t c;
	size_t i;

	fprintf(out, "kernel:       %s\n", ki->release[0] ? ki->release : "(unknown)");
	if (ki->have_uts)
		fprintf(out, "version:      %s %s %s (node %s)\n", ki->uts[0], ki->uts[3],
			ki->uts[4], ki->uts[1]);
	if (!cli_utc(ki->crash_time, NULL, tbuf, sizeof(tbuf))) {
		fprintf(out, "crash time:   %s\n", tbuf);
	} else if (ki->crash_time) {
		fprintf(out, "crash time:   %" PRIu64 " (not a date)\n", ki->crash_time);
	} else {
		fprintf(out, "crash time:   (unknown: no CRASHTIME in VMCOREINFO)\n");
	}
	if (ki->nlog)
		fprintf(out, "uptime:       %" PRIu64 ".%06" PRIu64 " s (last kernel message)\n",
			ki->uptime_ns / 1000000000u, (ki->uptime_ns % 1000000000u) / 1000u);
	fprintf(out, "panic:        %s\n", ki->panic[0] ? ki->panic : "(not found in the kernel log)");
	if (ki->crashed_cpu >= 0)
		fprintf(out, "crashed CPU:  %d (pid %u, %s)\n", ki->crashed_cpu, ki->crashed_pid,
			ki->crashed_comm);
	else
		fprintf(out, "crashed CPU:  (unknown)\n");
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
	kinfo_crash_cmd(m, ki, NULL, cmd, sizeof(cmd));
	fprintf(out, "open with:    %s\n", cmd);
	if (ki->log_error) {
		fprintf(out, "kernel log:   unavailable: %s\n", ki->log_error);
		return;
	}
	fprintf(out, "kernel log:   %zu records%s\n", ki->nlog,
		first ? ", the last lines (--log for all):" : ":");
	for (i = first; i < ki->nlog; i++)
		info_print_rec(out, &ki->log[i]);
}

void info_print_kernel(struct memimage *m, FILE *out, int json, int full_log)
{
	struct kinfo ki;
	size_t first = 0;

	kinfo_gather(m, &ki);
	if (!full_log && ki.nlog > KINFO_TAIL_LINES)
		first = ki.nlog - KINFO_TAIL_LINES;
	if (json)
		info_kernel_json(m, &ki, out, first);
	else
		info_kernel_text(m, &ki, out, first);
	kinfo_free(&ki);
}

void info_print_log(struct memimage *m, FILE *out)
{
	struct kinfo ki;
	size_t i;

	kinfo_gather(m, &ki);
	for (i = 0; !ki.log_error && i < ki.nlog; i++)
		info_print_rec(out, &ki.log[i]);
	kinfo_free(&ki);
}

/* rawdump info of spec onto out; an exit code. */
static int info_run(FILE *out, const char *spec, int json, int verify, int full_log)
{
	struct info_out o = { .f = out, .json = json, .first = 1 };
	enum rdr_err why;
	int rc, primary_ok = 0, ret = RD_EXIT_OK;
	enum part_hdr_copy copy = PART_HDR_PRIMARY;
	struct rd_part_header h;
	struct memimage *m = NULL;
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
		m = mi_open(spec, err, sizeof(err));
		if (!m) {
			cli_error("info", "%s", err);
			return RD_EXIT_NOTRD;
		}
		if (o.json)
			fputs("{\n", o.f);
		info_image(&o, m);
		goto kinfo;
	}

	rc = part_header_read(&t, &h, &copy, &primary_ok);
	if (rc) {
		target_close(&t);
		cli_error("info", "%s: rawdump signature present but both headers are bad",
			  spec);
		return RD_EXIT_NOTRD;
	}
	if (o.json)
		fputs("{\n", o.f);
	info_partition(&o, &t, &h, copy, primary_ok);
	if (h.state == RD_STATE_EMPTY || h.state > RD_STATE_CLEARED) {
		target_close(&t);
		goto close;
	}
	m = rdr_open(&t, &why, err, sizeof(err));
	if (!m) {
		target_close(&t);
		info_str(&o, "error", err);
		ret = cli_exit_rdr(why);
		goto close;
	}
	if (verify) {
		long bad = rdr_verify(m, NULL, NULL);

		info_key(&o, "verified_corrupt_blocks");
		fprintf(o.f, "%ld%s", bad, o.json ? "" : "\n");
	}
	info_dump(&o, m);
kinfo:
	fflush(o.f);
	info_print_kernel(m, o.f, o.json, full_log);
close:
	if (o.json)
		fputs("\n}\n", o.f);
	mi_close(m);
	return ret;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'v' },
		{ "full-log", no_argument, NULL, 'l' },
		{ "log", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int verify = 0, full_log = 0, json = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvlh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
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
	return info_run(stdout, argv[optind], json, verify, full_log);
}

int info_report(FILE *out, const char *spec, int json, int full_log)
{
	return info_run(out, spec, json, 0, full_log);
}
