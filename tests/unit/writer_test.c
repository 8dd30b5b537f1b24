/*
 * tests/unit/writer_test.c - unit and round-trip tests of the format code
 * and the dump engine, with an in-memory partition.
 *
 * The sink performs each write only when the writer waits for it (so a
 * writer that reuses a buffer too early corrupts the dump and fails here),
 * can fail writes in a chosen byte range, and records every access for the
 * bounds assertions. The decoder below is an independent reading of
 * Documentation/format.md, not the tool's reader; it checks checksums with
 * the libraries (tools/image/hostcsum.c: zlib, ISA-L, libxxhash) and decodes LZ4
 * with liblz4. The writer's own checksums (writer/csum.c) are checked
 * against those libraries and against published test vectors.
 *
 * Prints "ok - NAME" / "not ok - NAME: why" lines (tests/run counts them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <lz4.h>
#include <zstd.h>
#include "writer.h"
#include "image/hostcsum.h"
#include "pfilter.h"

static int failures;

static void report(int ok, const char *name, const char *why)
{
	if (ok)
		printf("ok - %s\n", name);
	else {
		printf("not ok - %s: %s\n", name, why);
		failures++;
	}
}

/* ---- deterministic memory --------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31; x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27; x *= 0x81dadef4bc2dd44dull;
	return x ^ (x >> 33);
}

struct mem {
	uint64_t seed;
	uint8_t win[RD_BLOCK_MAX_MEM];
	uint64_t unreadable_from, unreadable_len;
};

static uint8_t mem_byte(uint64_t seed, uint64_t a)
{
	uint64_t pg = mix(seed + (a >> 12));

	switch (pg & 3) {
	case 0: case 1: return 0;				/* zero page */
	case 2: return (uint8_t)mix(seed ^ (a >> 3) ^ 0x55) ;	/* noise */
	default: return (uint8_t)("abcabcabd"[a % 9]);		/* compressible */
	}
}

static const void *mem_map(void *ctx, uint64_t addr, size_t len)
{
	struct mem *m = ctx;
	size_t i;

	if (len > sizeof(m->win))
		return NULL;
	if (m->unreadable_len && addr < m->unreadable_from + m->unreadable_len &&
	    m->unreadable_from < addr + len)
		return NULL;
	for (i = 0; i < len; i++)
		m->win[i] = mem_byte(m->seed, addr + i);
	return m->win;
}

/* ---- in-memory partition ------------------------------------------------ */

#define MAXQ 16
struct disk {
	uint8_t *data;
	uint64_t size;
	struct { uint64_t off; const void *buf; uint32_t len; int busy; } q[MAXQ];
	uint64_t fail_off, fail_len;
	uint64_t writes, out_of_bounds, misaligned;
	uint32_t align;		/* sector size the disk insists on; 0 = 512 */
	int stop_after_writes;	/* >0: later writes vanish (power cut) */
};

static int d_read(void *c, uint64_t off, void *buf, uint32_t len)
{
	struct disk *d = c;

	if (off + len > d->size)
		return -RD_EIO;
	memcpy(buf, d->data + off, len);
	return 0;
}

static long d_submit(void *c, uint64_t off, const void *buf, uint32_t len)
{
	struct disk *d = c;
	long i;

	if (off + len > d->size)
		d->out_of_bounds++;
	if ((off | len) % (d->align ? d->align : 512))
		d->misaligned++;
	for (i = 0; i < MAXQ; i++)
		if (!d->q[i].busy) {
			d->q[i].off = off;
			d->q[i].buf = buf;
			d->q[i].len = len;
			d->q[i].busy = 1;
			return i;
		}
	return -RD_EIO;
}

static int d_wait(void *c, long tag)
{
	struct disk *d = c;

	if (tag < 0 || tag >= MAXQ || !d->q[tag].busy)
		return -RD_EINVAL;
	d->q[tag].busy = 0;
	if (d->fail_len && d->q[tag].off < d->fail_off + d->fail_len &&
	    d->fail_off < d->q[tag].off + d->q[tag].len)
		return -RD_EIO;
	d->writes++;
	if (d->stop_after_writes && d->writes > (uint64_t)d->stop_after_writes)
		return 0;
	if (d->q[tag].off + d->q[tag].len <= d->size)
		memcpy(d->data + d->q[tag].off, d->q[tag].buf, d->q[tag].len);
	return 0;
}

static int d_flush(void *c)
{
	struct disk *d = c;
	int i, err = 0;

	for (i = 0; i < MAXQ; i++)
		if (d->q[i].busy) {
			int e = d_wait(c, i);
			if (e && !err)
				err = e;
		}
	return err;
}

static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void disk_format(struct disk *d, uint64_t size)
{
	struct rd_part_header h;

	free(d->data);
	memset(d, 0, sizeof(*d));
	d->size = size;
	d->data = calloc(1, size);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RD_PART_MAGIC, 8);
	h.version = RD_FORMAT_VERSION;
	h.header_size = sizeof(h);
	memcpy(h.uuid, uuid, 16);
	h.part_size = size;
	h.sector_size = 512;
	h.state = RD_STATE_EMPTY;
	rd_part_header_seal(&h);
	memcpy(d->data, &h, sizeof(h));
	memcpy(d->data + rd_part_backup_offset(size), &h, sizeof(h));
}

/* ---- independent decoder ------------------------------------------------ */

struct decoded {
	int state;
	int have_end;
	struct rd_end_record end;
	uint64_t blocks, bad_blocks, pads;
	uint64_t mem_ok, mem_wrong, lost;
	uint64_t index_crc;
	uint64_t wrong_kind;		/* blocks whose checksum kind is not the header's */
	uint64_t types;			/* bit per block type seen */
	char release[65];
	uint32_t cpus;
};

/* Check every block against the memory it claims to hold. */
static void decode(struct disk *d, uint64_t seed, struct decoded *out)
{
	struct rd_part_header ph;
	struct rd_dump_header dh;
	uint64_t off;
	uint32_t crc = 0;
	static uint8_t tmp[RD_BLOCK_MAX_MEM];

	memset(out, 0, sizeof(*out));
	memcpy(&ph, d->data, sizeof(ph));
	if (rd_part_header_check(&ph)) {
		out->state = -1;
		return;
	}
	out->state = (int)ph.state;
	memcpy(&dh, d->data + RD_DUMP_HDR_OFFSET, sizeof(dh));
	if (rd_dump_header_check(&dh) || dh.dump_id != ph.dump_id) {
		out->state = -2;
		return;
	}
	memcpy(out->release, dh.kernel_release, 65);
	out->cpus = dh.cpu_count;
	for (off = dh.data_offset; off + 64 <= dh.data_limit; ) {
		struct rd_block_header h;
		const uint8_t *payload = d->data + off + 64;
		uint64_t i;

		uint32_t kind;

		memcpy(&h, d->data + off, 64);
		if (rd_block_header_check(&h) || h.dump_id != dh.dump_id ||
		    off + 64 + h.stored_len > dh.data_limit)
			break;
		kind = RD_BLK_CSUM(h.flags);
		if (kind != dh.csum_kind)
			out->wrong_kind++;
		out->types |= 1ull << h.type;
		if (host_csum(kind, 0, payload, h.stored_len) != h.stored_crc) {
			out->bad_blocks++;
		} else if (h.type == RD_BLK_END) {
			memcpy(&out->end, payload, sizeof(out->end));
			out->have_end = 1;
			out->index_crc = crc;
			break;
		} else if (h.type == RD_BLK_RAW || h.type == RD_BLK_ZLIB || h.type == RD_BLK_LZ4 ||
			   h.type == RD_BLK_ZSTD) {
			const uint8_t *data = payload;
			uLongf n = sizeof(tmp);

			if (h.type == RD_BLK_ZLIB) {
				if (uncompress(tmp, &n, payload, h.stored_len) != Z_OK || n != h.mem_len) {
					out->bad_blocks++;
					goto next;
				}
				data = tmp;
			} else if (h.type == RD_BLK_LZ4) {
				if (LZ4_decompress_safe((const char *)payload, (char *)tmp, (int)h.stored_len,
							(int)sizeof(tmp)) != (int)h.mem_len) {
					out->bad_blocks++;
					goto next;
				}
				data = tmp;
			} else if (h.type == RD_BLK_ZSTD) {
				if (ZSTD_getFrameContentSize(payload, h.stored_len) != h.mem_len ||
				    ZSTD_decompress(tmp, sizeof(tmp), payload, h.stored_len) != h.mem_len) {
					out->bad_blocks++;
					goto next;
				}
				data = tmp;
			}
			if (host_csum(kind, 0, data, h.mem_len) != h.data_crc)
				out->bad_blocks++;
			for (i = 0; i < h.mem_len; i++) {
				if (data[i] == mem_byte(seed, h.paddr + i))
					out->mem_ok++;
				else
					out->mem_wrong++;
			}
		} else if (h.type == RD_BLK_ZERO) {
			for (i = 0; i < h.mem_len; i++) {
				if (mem_byte(seed, h.paddr + i) == 0)
					out->mem_ok++;
				else
					out->mem_wrong++;
			}
		} else if (h.type == RD_BLK_LOST) {
			out->lost += h.mem_len;
		} else if (h.type == RD_BLK_PAD) {
			out->pads++;
		}
next:
		out->blocks++;
		crc = host_csum(kind, crc, &h, 64);
		off += rd_align_up(64 + h.stored_len, RD_BLOCK_ALIGN);
	}
}

/* ---- running the writer --------------------------------------------------- */

static uint8_t notes[4096];
static size_t notes_len;
static uint32_t run_csum;	/* checksum kind of the next run() */

static void make_notes(void)
{
	const char info[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n";
	uint32_t hdr[3];
	int cpu;

	for (cpu = 0; cpu < 3; cpu++) {
		hdr[0] = 5; hdr[1] = 336; hdr[2] = 1;
		memcpy(notes + notes_len, hdr, 12);
		memcpy(notes + notes_len + 12, "CORE\0\0\0", 8);
		memset(notes + notes_len + 20, cpu + 1, 336);
		notes_len += 20 + 336;
	}
	hdr[0] = 11; hdr[1] = sizeof(info) - 1; hdr[2] = 0;
	memcpy(notes + notes_len, hdr, 12);
	memcpy(notes + notes_len + 12, "VMCOREINFO\0\0", 12);
	memcpy(notes + notes_len + 24, info, sizeof(info) - 1);
	notes_len += 24 + ((sizeof(info) - 1 + 3) & ~3u);
}

static const struct rd_classifier *run_filter;	/* page filter for run(), or NULL */

static int run(struct disk *d, struct mem *m, struct rd_writer_range *r, uint32_t nr,
	       uint32_t comp, uint64_t cut, uint32_t inflight, struct rd_writer_result *res)
{
	struct rd_writer_config cfg;
	struct rd_source src = { mem_map, m, 0 };
	struct rd_sink sink = { d_read, d_submit, d_wait, d_flush, d, d->size, inflight, NULL };
	static uint8_t *work;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.expect_uuid = uuid;
	cfg.dump_id = 0x1234 + m->seed;
	cfg.compression = comp;
	cfg.zlib_level = 1;
	cfg.csum_kind = run_csum;
	cfg.ranges = r;
	cfg.range_count = nr;
	cfg.notes = notes;
	cfg.notes_size = notes_len;
	cfg.io_size = 512 * 1024;
	cfg.write_align = d->align;
	cfg.cut_after_blocks = cut;
	cfg.filter = run_filter;
	cfg.work_size = rd_writer_work_size(comp, cfg.io_size, inflight, 0);
	free(work);
	work = malloc(cfg.work_size);
	cfg.work = work;
	err = rd_dump_write(&cfg, &src, &sink, res);
	return err;
}

static uint64_t non_alias_bytes(const struct rd_writer_range *r, uint32_t n)
{
	uint64_t t = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!(r[i].flags & RD_RANGE_ALIAS))
			t += r[i].size;
	return t;
}

static void test_roundtrip(const char *name, uint32_t comp, uint32_t inflight, uint64_t seed)
{
	struct rd_writer_range r[3] = {
		{ 0x1000, 0, 0x9f000, 0x1000, 0 },
		{ 0x100000, 0, 7 << 20, 0x100000, 0 },
		{ 0x200000, 0xffffffff81000000ull, 1 << 20, 0x200000, 0 },	/* kernel text alias */
	};
	struct disk d = { 0 };
	struct mem m = { .seed = seed };
	struct rd_writer_result res;
	struct decoded dec;
	char why[256];
	int err;

	rd_ranges_mark_aliases(r, 3);
	disk_format(&d, 32 << 20);
	err = run(&d, &m, r, 3, comp, 0, inflight, &res);
	decode(&d, seed, &dec);
	snprintf(why, sizeof(why), "err=%d state=%d end=%d ok=%llu wrong=%llu bad=%llu crc=%llx/%x oob=%llu",
		 err, dec.state, dec.have_end, (unsigned long long)dec.mem_ok,
		 (unsigned long long)dec.mem_wrong, (unsigned long long)dec.bad_blocks,
		 (unsigned long long)dec.index_crc, dec.end.index_crc, (unsigned long long)d.out_of_bounds);
	report(!err && dec.state == RD_STATE_COMPLETE && dec.have_end && !dec.wrong_kind &&
	       (comp != RD_COMP_NONE || (dec.types & (1u << RD_BLK_RAW))) &&
	       (comp == RD_COMP_NONE || (dec.types & (1u << (comp == RD_COMP_LZ4 ? RD_BLK_LZ4 :
							   comp == RD_COMP_ZSTD ? RD_BLK_ZSTD :
							   RD_BLK_ZLIB)))) &&
	       dec.mem_ok == non_alias_bytes(r, 3) && !dec.mem_wrong && !dec.bad_blocks &&
	       dec.end.block_count == dec.blocks && dec.end.index_crc == dec.index_crc &&
	       !d.out_of_bounds && (r[2].flags & RD_RANGE_ALIAS) &&
	       !strcmp(dec.release, "6.1.0-test") && dec.cpus == 3 &&
	       !memcmp(d.data, d.data + rd_part_backup_offset(d.size), sizeof(struct rd_part_header)),
	       name, why);
	free(d.data);
}

/* A 4 KiB-sector disk: every write sector aligned, PAD blocks fill the
 * gaps, the dump decodes completely. */
static void test_4k_sectors(uint32_t comp, const char *name)
{
	struct rd_writer_range r[2] = {
		{ 0x1000, 0, 0x9f000, 0x1000, 0 },
		{ 0x100000, 0, 5 << 20, 0x100000, 0 },
	};
	struct disk d = { 0 };
	struct mem m = { .seed = 21 };
	struct rd_writer_result res;
	struct decoded dec;
	char why[200];
	int err;

	disk_format(&d, 16 << 20);
	d.align = 4096;
	err = run(&d, &m, r, 2, comp, 0, 3, &res);
	decode(&d, 21, &dec);
	snprintf(why, sizeof(why), "err=%d state=%d misaligned=%llu pads=%llu ok=%llu wrong=%llu",
		 err, dec.state, (unsigned long long)d.misaligned, (unsigned long long)dec.pads,
		 (unsigned long long)dec.mem_ok, (unsigned long long)dec.mem_wrong);
	report(!err && dec.state == RD_STATE_COMPLETE && !d.misaligned && dec.pads > 0 &&
	       dec.mem_ok == non_alias_bytes(r, 2) && !dec.mem_wrong && !dec.bad_blocks &&
	       dec.end.block_count == dec.blocks && dec.end.index_crc == dec.index_crc,
	       name, why);
	free(d.data);
}

static void test_random_maps(void)
{
	int iter, bad = 0;
	char why[160] = "";

	for (iter = 0; iter < 40; iter++) {
		struct rd_writer_range r[8];
		struct disk d = { 0 };
		struct mem m = { .seed = 100 + iter };
		struct rd_writer_result res;
		struct decoded dec;
		uint64_t a = 0;
		uint32_t n = 1 + mix(iter) % 8, i;
		int err;

		for (i = 0; i < n; i++) {
			a += (mix(iter * 16 + i) % 64) * 4096;
			r[i].paddr = a;
			r[i].size = (1 + mix(iter * 16 + i + 8) % 300) * 4096 - (i == 3 ? 512 : 0);
			r[i].src = a;
			r[i].vaddr = 0;
			r[i].flags = 0;
			a += r[i].size + 4096;
		}
		disk_format(&d, 8 << 20);
		err = run(&d, &m, r, n, iter & 1 ? RD_COMP_ZLIB : RD_COMP_NONE, 0, 1 + iter % 4, &res);
		decode(&d, m.seed, &dec);
		if (err || dec.state != RD_STATE_COMPLETE || dec.mem_wrong || dec.bad_blocks ||
		    dec.mem_ok != non_alias_bytes(r, n) || dec.end.index_crc != dec.index_crc) {
			bad++;
			snprintf(why, sizeof(why), "iter %d: err=%d state=%d ok=%llu want=%llu wrong=%llu bad=%llu crc=%llx/%x blocks=%llu/%llu",
				 iter, err, dec.state, (unsigned long long)dec.mem_ok,
				 (unsigned long long)non_alias_bytes(r, n), (unsigned long long)dec.mem_wrong, (unsigned long long)dec.bad_blocks, (unsigned long long)dec.index_crc, dec.end.index_crc, (unsigned long long)dec.blocks, (unsigned long long)dec.end.block_count);
		}
		free(d.data);
	}
	report(!bad, "round trip over 40 random memory maps", why);
}

static void test_truncated(void)
{
	struct rd_writer_range r[1] = { { 0, 0, 16 << 20, 0, 0 } };
	struct disk d = { 0 };
	struct mem m = { .seed = 7 };
	struct rd_writer_result res;
	struct decoded dec;
	char why[200];
	int err;

	disk_format(&d, 4 << 20);	/* far less than 16 MiB of half-random memory */
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	decode(&d, 7, &dec);
	snprintf(why, sizeof(why), "err=%d state=%d flags=%u missing=%llu ok=%llu",
		 err, dec.state, dec.end.flags, (unsigned long long)dec.end.missing_bytes,
		 (unsigned long long)dec.mem_ok);
	report(!err && dec.state == RD_STATE_COMPLETE && (dec.end.flags & RD_END_TRUNCATED) &&
	       dec.end.missing_bytes + dec.mem_ok == (16u << 20) && !dec.mem_wrong &&
	       dec.mem_ok > (2u << 20) && !d.out_of_bounds,
	       "partition too small: TRUNCATED, missing bytes exact, rest intact", why);
	free(d.data);
}

static void test_cut(void)
{
	struct rd_writer_range r[1] = { { 0x100000, 0, 8 << 20, 0x100000, 0 } };
	struct disk d = { 0 };
	struct mem m = { .seed = 9 };
	struct rd_writer_result res;
	struct decoded dec;
	char why[200];
	int err;

	disk_format(&d, 32 << 20);
	err = run(&d, &m, r, 1, RD_COMP_ZLIB, 10, 3, &res);
	decode(&d, 9, &dec);
	snprintf(why, sizeof(why), "err=%d state=%d end=%d blocks=%llu wrong=%llu",
		 err, dec.state, dec.have_end, (unsigned long long)dec.blocks,
		 (unsigned long long)dec.mem_wrong);
	report(!err && dec.state == RD_STATE_WRITING && !dec.have_end && dec.blocks >= 10 &&
	       dec.mem_ok > 0 && !dec.mem_wrong,
	       "cut after 10 blocks: WRITING, no END, blocks before the cut intact", why);
	free(d.data);
}

static void test_write_error(void)
{
	struct rd_writer_range r[1] = { { 0x100000, 0, 6 << 20, 0x100000, 0 } };
	struct disk d = { 0 };
	struct mem m = { .seed = 11 };
	struct rd_writer_result res;
	struct decoded dec;
	char why[200];
	int err;

	disk_format(&d, 32 << 20);
	d.fail_off = 2 << 20;
	d.fail_len = 4096;
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 3, &res);
	decode(&d, 11, &dec);
	snprintf(why, sizeof(why), "err=%d state=%d lost=%llu/%llu flags=%u ok=%llu",
		 err, dec.state, (unsigned long long)dec.lost, (unsigned long long)res.lost_bytes,
		 dec.end.flags, (unsigned long long)dec.mem_ok);
	/* the decoder does not skip the failed write's seq range: it stops at
	 * the hole the failed write left (zeros), so it sees a prefix; what
	 * matters here is the writer's own account and the END record */
	report(!err && dec.state == RD_STATE_COMPLETE && res.lost_bytes > 0 &&
	       (res.end_flags & RD_END_ERRORS) && res.first_error == -RD_EIO &&
	       res.mem_bytes == (6u << 20) && !dec.mem_wrong,
	       "write error: retried, range recorded LOST, dump completes", why);
	free(d.data);
}

static void test_refusals(void)
{
	struct rd_writer_range r[1] = { { 0, 0, 1 << 20, 0, 0 } };
	struct disk d = { 0 };
	struct mem m = { .seed = 3 };
	struct rd_writer_result res;
	uint8_t *copy;
	struct rd_part_header h;
	int err;

	/* no signature */
	disk_format(&d, 4 << 20);
	memset(d.data, 0, 4096);
	memset(d.data + rd_part_backup_offset(d.size), 0, 4096);
	copy = malloc(d.size);
	memcpy(copy, d.data, d.size);
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	report(err == -RD_ENOSIG && !memcmp(copy, d.data, d.size) && d.writes == 0,
	       "no signature: refused, nothing written", rd_strerror(err));

	/* wrong UUID */
	disk_format(&d, 4 << 20);
	memcpy(&h, d.data, sizeof(h));
	h.uuid[0] ^= 0xff;
	rd_part_header_seal(&h);
	memcpy(d.data, &h, sizeof(h));
	memcpy(d.data + rd_part_backup_offset(d.size), &h, sizeof(h));
	memcpy(copy, d.data, d.size);
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	report(err == -RD_EUUID && !memcmp(copy, d.data, d.size) && d.writes == 0,
	       "wrong UUID: refused, nothing written", rd_strerror(err));

	/* size mismatch */
	disk_format(&d, 4 << 20);
	memcpy(&h, d.data, sizeof(h));
	h.part_size = 8 << 20;
	rd_part_header_seal(&h);
	memcpy(d.data, &h, sizeof(h));
	memcpy(d.data + rd_part_backup_offset(d.size), &h, sizeof(h));
	memcpy(copy, d.data, d.size);
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	report(err == -RD_ESIZE && !memcmp(copy, d.data, d.size) && d.writes == 0,
	       "partition size mismatch: refused, nothing written", rd_strerror(err));

	/* corrupt primary, intact backup: accepted */
	disk_format(&d, 4 << 20);
	d.data[20] ^= 1;
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	report(err == 0, "corrupt primary header: backup copy used", rd_strerror(err));
	free(copy);
	free(d.data);
}

static void test_unreadable(void)
{
	struct rd_writer_range r[1] = { { 0, 0, 2 << 20, 0, 0 } };
	struct disk d = { 0 };
	struct mem m = { .seed = 5, .unreadable_from = 1 << 20, .unreadable_len = 4096 };
	struct rd_writer_result res;
	struct decoded dec;
	int err;

	disk_format(&d, 8 << 20);
	err = run(&d, &m, r, 1, RD_COMP_NONE, 0, 2, &res);
	decode(&d, 5, &dec);
	report(!err && dec.state == RD_STATE_COMPLETE && dec.lost == RD_BLOCK_MAX_MEM &&
	       dec.mem_ok == (2u << 20) - RD_BLOCK_MAX_MEM && !dec.mem_wrong,
	       "unreadable memory: LOST block, rest dumped", rd_strerror(err));
	free(d.data);
}

/* ---- checksums --------------------------------------------------------- */

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
	}
	return ~c;
}

static void test_checksums(void)
{
	static uint8_t buf[RD_BLOCK_MAX_MEM + 64];
	const char *v = "123456789";
	size_t i, len, off;
	int bad_c = 0, bad_x = 0, bad_chain = 0, iter;
	char why[160] = "";

	report(rd_crc32c(0, v, 9) == 0xE3069283u && rd_crc32c_soft(0, v, 9) == 0xE3069283u &&
	       host_crc32c(0, v, 9) == 0xE3069283u, "CRC-32C of \"123456789\" = e3069283 (own, table, ISA-L)", "");
	report(rd_xxh64("", 0, 0) == 0xEF46DB3751D8E999ull && host_xxh64("", 0, 0) == 0xEF46DB3751D8E999ull,
	       "XXH64 of empty input, seed 0 = ef46db3751d8e999 (own, libxxhash)", "");
	report(rd_csum(RD_CSUM_CRC32, 0, v, 9) == 0xCBF43926u && host_csum(RD_CSUM_CRC32, 0, v, 9) == 0xCBF43926u &&
	       rd_csum(RD_CSUM_XXH64, 0, "", 0) == 0x51D8E999u,
	       "rd_csum: CRC-32 of \"123456789\" = cbf43926, XXH64 kind = low 32 bits", "");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)mix(i * 7 + 3);
	/* every length 0..300 and alignment 0..7, then long random pieces */
	for (iter = 0; iter < 2400 + 64; iter++) {
		uint64_t seed = mix(iter) & (iter & 1 ? ~0ull : 0xffffffffull);

		if (iter < 2400) {
			len = (size_t)iter / 8;
			off = (size_t)iter % 8;
		} else {
			len = mix(iter) % RD_BLOCK_MAX_MEM;
			off = mix(iter + 1) % 64;
		}
		if (rd_crc32c(0, buf + off, len) != host_crc32c(0, buf + off, len) ||
		    rd_crc32c_soft(0, buf + off, len) != host_crc32c(0, buf + off, len) ||
		    (len < 4096 && rd_crc32c(0, buf + off, len) != crc32c_bitwise(buf + off, len))) {
			bad_c++;
			snprintf(why, sizeof(why), "crc32c len %zu off %zu", len, off);
		}
		if (rd_xxh64(buf + off, len, seed) != host_xxh64(buf + off, len, seed)) {
			bad_x++;
			snprintf(why, sizeof(why), "xxh64 len %zu off %zu seed %llx", len, off,
				 (unsigned long long)seed);
		}
	}
	report(!bad_c, "CRC-32C: own (SSE4.2 and table) == ISA-L == bitwise, 2464 random buffers", why);
	report(!bad_x, "XXH64: own == libxxhash, 2464 random buffers and seeds", why);
	for (len = 0; len < 3000; len += 37) {
		uint32_t k;

		for (k = 0; k <= RD_CSUM_MAX; k++)
			if (rd_csum(k, rd_csum(k, 5, buf, len), buf + len, 999) !=
			    host_csum(k, host_csum(k, 5, buf, len), buf + len, 999))
				bad_chain++;
		if (rd_csum(RD_CSUM_CRC32C, rd_csum(RD_CSUM_CRC32C, 0, buf, len), buf + len, 999) !=
		    rd_csum(RD_CSUM_CRC32C, 0, buf, len + 999))
			bad_chain++;
	}
	report(!bad_chain, "chained rd_csum == chained host_csum for every kind; CRC-32C chains", "");
	report(1, rd_crc32c_has_hw() ? "CRC-32C: this CPU has SSE4.2 (hardware path tested)" :
	       "CRC-32C: no SSE4.2 here (table path tested only)", "");
}

static void test_headers(void)
{
	struct rd_part_header h;
	struct rd_block_header b;
	char out[64];
	const char vi[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\nCRASHTIME=12\n";
	int n;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RD_PART_MAGIC, 8);
	h.version = RD_FORMAT_VERSION;
	h.header_size = sizeof(h);
	h.part_size = 1 << 20;
	rd_part_header_seal(&h);
	report(rd_part_header_check(&h) == 0, "part header seals and checks", "");
	h.state = 9;
	report(rd_part_header_check(&h) == -RD_ECRC, "part header: changed byte fails crc", "");
	memset(&b, 0, sizeof(b));
	b.magic = RD_BLOCK_MAGIC;
	b.type = RD_BLK_TYPE_MAX + 1;	/* the highest type is the last known one */
	rd_block_header_seal(&b);
	report(rd_block_header_check(&b) == -RD_EINVAL, "block header: unknown type refused", "");
	n = rd_vmcoreinfo_get(vi, sizeof(vi) - 1, "PAGESIZE", out, sizeof(out));
	report(n == 4 && !strcmp(out, "4096"), "vmcoreinfo lookup", out);
	n = rd_vmcoreinfo_get(vi, sizeof(vi) - 1, "PAGE", out, sizeof(out));
	report(n == -1, "vmcoreinfo: key prefix does not match", "");
	n = rd_vmcoreinfo_get(vi, 20, "CRASHTIME", out, sizeof(out));
	report(n == -1, "vmcoreinfo: bounded by length", "");
	report(rd_notes_walk(notes, notes_len, NULL, NULL) == 4, "notes walk counts 4 notes", "");
	report(rd_notes_walk(notes, 100, NULL, NULL) == 0, "notes walk stops at a truncated note", "");
	{
		struct rd_sink s = { 0 };

		s.size = 1 << 20;
		report(rd_sink_check(&s, 0, 512) == 0 && rd_sink_check(&s, (1 << 20) - 512, 512) == 0 &&
		       rd_sink_check(&s, (1 << 20) - 512, 1024) == -RD_EBOUNDS &&
		       rd_sink_check(&s, 100, 512) == -RD_EBOUNDS &&
		       rd_sink_check(&s, ~0ull - 511, 1024) == -RD_EBOUNDS,
		       "bounds check: inside ok, past end / unaligned / overflow refused", "");
	}
}

/* ---- page filter edges ----------------------------------------------------- */

struct edge_cls {
	uint64_t calls, bad_calls, next;
};

/* Answers by pfn % 8: keep, cache, two bits, ZERO, unknown bit, user (not
 * active), free, free. Only cache and free may be left out. */
static void edge_classify(void *ctx, uint64_t paddr, uint32_t npages, uint8_t *out)
{
	static const uint8_t ans[8] = { 0, RD_CLASS_CACHE, RD_CLASS_CACHE | RD_CLASS_FREE,
					RD_CLASS_ZERO, 0x40, RD_CLASS_USER, RD_CLASS_FREE, RD_CLASS_FREE };
	struct edge_cls *e = ctx;
	uint32_t i;

	e->calls++;
	if (paddr % 4096 || !npages || npages > 64 || paddr < e->next)
		e->bad_calls++;
	e->next = paddr + npages * 4096ull;
	for (i = 0; i < npages; i++)
		out[i] = ans[(paddr / 4096 + i) % 8];
}

static int edge_left_out(uint64_t paddr, uint64_t base, uint64_t end)
{
	uint32_t k = (uint32_t)(paddr / 4096 % 8);

	/* only whole pages of the range are classified */
	if (paddr < ((base + 4095) & ~4095ull) || paddr + 4096 > end)
		return 0;
	return k == 1 ? RD_CLASS_CACHE : (k == 6 || k == 7) ? RD_CLASS_FREE : 0;
}

/*
 * An unaligned range, a classifier that answers nonsense for some pages,
 * 1100 one-page kernel-first extents (more than the writer's pass-1 set
 * holds), an empty one and one that wraps the address space. Every byte
 * must be described exactly once, the pages left out exactly the valid
 * answers outside the kernel-first pages, the first blocks the extents.
 */
static void test_filter_edges(void)
{
	enum { NPRI = 1100 };
	static struct rd_pf_extent pri[NPRI + 2];
	static uint8_t seen[(12u << 20) / 4096 + 2];
	uint64_t base = 0x100800, size = (10u << 20) + 0x300, end = base + size;
	struct rd_writer_range r[1] = { { base, 0, size, base, 0 } };
	struct edge_cls ec = { 0, 0, 0 };
	struct rd_classifier cls;
	struct disk d = { 0 };
	struct mem m = { .seed = 21 };
	struct rd_writer_result res;
	struct rd_dump_header dh;
	uint64_t off, twice = 0, wrong_class = 0, uncovered = 0, excl = 0, bad_data = 0;
	uint64_t prio_seen = 0, first_other_seq = ~0ull, seq = 0;
	char why[300];
	uint32_t i;
	int err;

	for (i = 0; i < NPRI; i++) {
		pri[i].paddr = 0x200000 + (uint64_t)i * 8192;	/* every other page */
		pri[i].len = 4096;
		pri[i].what = RD_PF_PRI_PGTABLE;
	}
	pri[NPRI] = (struct rd_pf_extent){ 0x300000, 0, RD_PF_PRI_META };
	pri[NPRI + 1] = (struct rd_pf_extent){ ~0ull - 100, 8192, RD_PF_PRI_META };
	memset(&cls, 0, sizeof(cls));
	cls.classify = edge_classify;
	cls.ctx = &ec;
	cls.active = RD_CLASS_CACHE | RD_CLASS_FREE;
	cls.priority = pri;
	cls.priority_count = NPRI + 2;
	memset(seen, 0, sizeof(seen));

	disk_format(&d, 32 << 20);
	run_filter = &cls;
	err = run(&d, &m, r, 1, RD_COMP_ZLIB, 0, 3, &res);
	run_filter = NULL;
	memcpy(&dh, d.data + RD_DUMP_HDR_OFFSET, sizeof(dh));
	for (off = dh.data_offset; !err && off + 64 <= dh.data_limit; seq++) {
		struct rd_block_header h;
		const uint8_t *pay = d.data + off + 64;
		static uint8_t tmp[RD_BLOCK_MAX_MEM];
		uint64_t a;

		memcpy(&h, d.data + off, 64);
		if (rd_block_header_check(&h) || h.dump_id != dh.dump_id || h.type == RD_BLK_END)
			break;
		if (h.type == RD_BLK_EXCLUDED) {
			for (i = 0; i < h.stored_len / 16; i++) {
				struct rd_excl_run x;

				memcpy(&x, pay + i * 16, 16);
				for (a = x.paddr; a < x.paddr + x.pages * 4096ull; a += 4096) {
					excl++;
					if (seen[(a - (base & ~4095ull)) / 4096]++)
						twice++;
					if ((int)x.class != edge_left_out(a, base, end))
						wrong_class++;
				}
			}
		} else if (h.type == RD_BLK_RAW || h.type == RD_BLK_ZLIB || h.type == RD_BLK_ZERO) {
			uLongf n = sizeof(tmp);
			const uint8_t *data = h.type == RD_BLK_RAW ? pay : tmp;
			int is_prio = h.paddr >= 0x200000 && h.paddr < 0x200000 + NPRI * 8192ull &&
				      h.paddr % 8192 == 0 && h.mem_len == 4096;

			if (h.type == RD_BLK_ZLIB && uncompress(tmp, &n, pay, h.stored_len) != Z_OK)
				bad_data++;
			for (a = h.paddr; a < h.paddr + h.mem_len; a++)
				if ((h.type == RD_BLK_ZERO ? 0 : data[a - h.paddr]) != mem_byte(21, a)) {
					bad_data++;
					break;
				}
			for (a = h.paddr & ~4095ull; a < h.paddr + h.mem_len; a += 4096) {
				if (seen[(a - (base & ~4095ull)) / 4096]++)
					twice++;
				if (edge_left_out(a, base, end) && !(a >= 0x200000 && a % 8192 == 0 &&
				    a < 0x200000 + 1024 * 8192ull))
					wrong_class++;	/* kept although it should be left out */
			}
			if (is_prio && first_other_seq == ~0ull)
				prio_seen++;
			else if (first_other_seq == ~0ull) {
				first_other_seq = seq;
			}
		}
		off += rd_align_up(64 + h.stored_len, RD_BLOCK_ALIGN);
	}
	for (off = base & ~4095ull; off < end; off += 4096)
		if (!seen[(off - (base & ~4095ull)) / 4096])
			uncovered++;
	snprintf(why, sizeof(why), "err=%d bad_calls=%llu twice=%llu wrong_class=%llu uncovered=%llu "
		 "bad_data=%llu prio_first=%llu excl=%llu/%llu missing=%llu",
		 err, (unsigned long long)ec.bad_calls, (unsigned long long)twice,
		 (unsigned long long)wrong_class, (unsigned long long)uncovered,
		 (unsigned long long)bad_data, (unsigned long long)prio_seen,
		 (unsigned long long)excl * 4096, (unsigned long long)res.excluded_bytes,
		 (unsigned long long)res.missing_bytes);
	report(!err && !ec.bad_calls && !twice && !wrong_class && !uncovered && !bad_data &&
	       excl * 4096 == res.excluded_bytes && excl &&
	       res.excluded_pages[1] + res.excluded_pages[4] == excl && !res.missing_bytes &&
	       (dh.flags & (RD_DF_FILTERED | RD_DF_KERNEL_FIRST)) == (RD_DF_FILTERED | RD_DF_KERNEL_FIRST) &&
	       dh.filter_active == (RD_CLASS_ZERO | RD_CLASS_CACHE | RD_CLASS_FREE),
	       "filter: nonsense answers kept, unaligned edges kept, each page once, classes exact", why);
	report(!err && prio_seen == 1024 && res.priority_bytes == 1024 * 4096ull,
	       "filter: kernel-first extents first, 1024 held by pass 1, the rest in pass 2", why);
	free(d.data);
}

static int iov_calls;

static long iov_submitv(void *ctx, uint64_t off, const struct rd_iov *iov, uint32_t n)
{
	(void)ctx; (void)off; (void)iov; (void)n;
	return iov_calls++;
}

/* rd_sink_submitv: the RD_IOV_* shape and the partition bounds are checked
 * before the sink sees anything. */
static void test_submitv_checks(void)
{
	static uint8_t page[3 * 4096] __attribute__((aligned(4096)));
	struct rd_sink s = { 0 };
	struct rd_iov good[3] = { { page + 4032, 64 }, { page + 4096, 4096 }, { page + 8192, 448 } };
	struct rd_iov bad[3];
	int ok = 1;

	s.submitv = iov_submitv;
	s.size = 1 << 20;
	ok &= rd_sink_submitv(&s, 512, good, 3) == 0;
	memcpy(bad, good, sizeof(bad));
	bad[0].base = page + 4000;		/* head does not end on a page */
	ok &= rd_sink_submitv(&s, 512, bad, 3) == -RD_EINVAL;
	memcpy(bad, good, sizeof(bad));
	bad[1].base = page + 4096 + 512;	/* middle piece not page aligned */
	ok &= rd_sink_submitv(&s, 512, bad, 3) == -RD_EINVAL;
	memcpy(bad, good, sizeof(bad));
	bad[2].len = 447;			/* odd length */
	ok &= rd_sink_submitv(&s, 512, bad, 3) == -RD_EINVAL;
	ok &= rd_sink_submitv(&s, (1 << 20) - 4096, good, 3) == -RD_EBOUNDS;
	ok &= rd_sink_submitv(&s, 100, good, 3) == -RD_EBOUNDS;
	ok &= rd_sink_submitv(&s, 512, good, 4) == -RD_EINVAL;
	s.submitv = NULL;
	ok &= rd_sink_submitv(&s, 512, good, 3) == -RD_EINVAL;
	report(ok && iov_calls == 1, "submitv: shape and bounds checked before the sink", "");
}

int main(void)
{
	test_submitv_checks();
	make_notes();
	test_checksums();
	test_headers();
	test_roundtrip("round trip raw, 1 write in flight", RD_COMP_NONE, 1, 1);
	test_roundtrip("round trip raw, 4 writes in flight", RD_COMP_NONE, 4, 2);
	test_roundtrip("round trip zlib, 3 writes in flight", RD_COMP_ZLIB, 3, 3);
	test_roundtrip("round trip lz4, 3 writes in flight", RD_COMP_LZ4, 3, 4);
	test_roundtrip("round trip zstd, 3 writes in flight", RD_COMP_ZSTD, 3, 5);
	for (run_csum = RD_CSUM_CRC32C; run_csum <= RD_CSUM_MAX; run_csum++) {
		static const uint32_t comps[4] = { RD_COMP_NONE, RD_COMP_ZLIB, RD_COMP_LZ4, RD_COMP_ZSTD };
		static const char *const cname[4] = { "raw", "zlib", "lz4", "zstd" };
		char name[96];
		int c;

		for (c = 0; c < 4; c++) {
			snprintf(name, sizeof(name), "round trip %s, %s checksums", cname[c],
				 rd_csum_name(run_csum));
			test_roundtrip(name, comps[c], 2, 30 + run_csum * 4 + (uint32_t)c);
		}
	}
	run_csum = RD_CSUM_CRC32;
	test_4k_sectors(RD_COMP_LZ4, "4 KiB sectors, lz4: every write aligned, PAD blocks, dump intact");
	test_random_maps();
	test_4k_sectors(RD_COMP_NONE, "4 KiB sectors, raw: every write aligned, PAD blocks, dump intact");
	test_4k_sectors(RD_COMP_ZLIB, "4 KiB sectors, zlib: every write aligned, PAD blocks, dump intact");
	test_4k_sectors(RD_COMP_ZSTD, "4 KiB sectors, zstd: every write aligned, PAD blocks, dump intact");
	test_truncated();
	test_cut();
	test_write_error();
	test_refusals();
	test_unreadable();
	test_filter_edges();
	return failures ? 1 : 0;
}
