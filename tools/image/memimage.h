/*
 * tools/image/memimage.h - a read-only view of a crashed kernel's memory, whatever
 * holds it: a rawdump partition (or image), an ELF vmcore, an LKCD or a
 * kdump-compressed file. Readers produce one; writers (ELF, LKCD, kdump)
 * and `rawdump info` consume one. Everything a reader parses is hostile
 * input: bounds-check every length and offset.
 */
#ifndef RAWDUMP_MEMIMAGE_H
#define RAWDUMP_MEMIMAGE_H

#include <stdint.h>
#include <stddef.h>

#define MI_PAGE 4096u

/* mi_range.flags */
#define MI_ALIAS	0x1u	/* duplicates memory of other ranges (kernel text
				 * PT_LOAD); readable, but not stored twice */

struct mi_range {
	uint64_t paddr, vaddr, size;
	uint32_t flags;
};

/* read_page() results */
enum mi_page_state {
	MI_DATA = 0,		/* buf holds the page */
	MI_ZERO = 1,		/* the page is known to be zero (buf zeroed) */
	MI_MISSING = 2,		/* not in the dump: truncated, lost or corrupt (buf zeroed) */
	MI_EXCLUDED = 3,	/* left out on purpose by page filtering (buf zeroed);
				 * mi_page_class() says which class */
};

/* Classes of excluded pages: the RD_CLASS_* bits of include/rawdump/format.h
 * (makedumpfile's dump-level bits), plus MI_CLASS_UNKNOWN for a page a
 * filter left out without saying why (bitmap 2 of a makedumpfile -d N file,
 * the p_memsz tail of a makedumpfile -E PT_LOAD, a page absent from an LKCD
 * dump of level KERN or USED). memimage.excluded_pages[] is indexed by the
 * class's bit number: 0 zero, 1 cache, 2 cache with private, 3 user,
 * 4 free, 7 unknown. */
#define MI_CLASS_UNKNOWN	0x80u
#define MI_CLASS_SLOTS		8

struct memimage;
struct rd_excl_run;

struct memimage_ops {
	/* paddr page aligned; buf MI_PAGE bytes. Returns enum mi_page_state, or
	 * a negative errno for an I/O error on the underlying file. */
	int  (*read_page)(struct memimage *m, uint64_t paddr, void *buf);
	void (*close)(struct memimage *m);
	/* Optional. The class bit (RD_CLASS_* or MI_CLASS_UNKNOWN) of the
	 * excluded page at paddr, 0 if the page is not excluded. Must be cheap
	 * (no page data read, no decompression): writers call it for every
	 * page to lay out their output before copying. */
	int  (*page_class)(struct memimage *m, uint64_t paddr);
};

struct memimage {
	const struct memimage_ops *ops;
	void *priv;
	const char *kind;		/* "rawdump", "elf", "lkcd", "kdump" */
	uint8_t *notes;			/* crashed kernel's ELF notes (NT_PRSTATUS..., VMCOREINFO) */
	size_t notes_size;
	struct mi_range *ranges;	/* sorted by paddr, aliases included */
	size_t nranges;
	char kernel_release[65];	/* "" if unknown */
	uint64_t crash_time;		/* unix seconds, 0 if unknown */
	uint32_t cpu_count;
	int partial;			/* dump was cut off, truncated or has lost/corrupt blocks */
	uint64_t missing_bytes;		/* memory known to be absent (never
					 * counts excluded pages) */
	uint32_t dump_level;		/* RD_CLASS_* bits the dump was filtered with
					 * (makedumpfile -d); 0 or 1: every non-zero
					 * page is there. 0 also when the input does
					 * not say (ELF, LKCD) */
	uint64_t excluded_pages[MI_CLASS_SLOTS]; /* pages left out on purpose, by
					 * class bit number (see MI_CLASS_UNKNOWN) */
	struct rd_excl_run *excl_runs;	/* excluded runs read from rawdump's own
					 * note (tools/image/excl.h), sorted; when set,
					 * mi_page_class() answers from them */
	size_t nexcl_runs;
	uint32_t compression;		/* enum rd_compression the input stored its
					 * pages with, RD_COMP_NONE if unknown: the
					 * kdump writer keeps zstd (tools/kdump.c) */
};

static inline int mi_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	return m->ops->read_page(m, paddr, buf);
}

/* RD_CLASS_* bit / MI_CLASS_UNKNOWN of an excluded page, 0 if paddr is not
 * excluded or the reader knows no classes. */
int mi_page_class(struct memimage *m, uint64_t paddr);	/* tools/image/excl.c */

/* Sum of excluded_pages[]. */
uint64_t mi_excluded_total(const struct memimage *m);
/* Bit number -> class bit and name ("zero", "cache", "cache_private",
 * "user", "free", "unknown"); NULL for an unused slot. */
const char *mi_class_name(unsigned int slot);
/* Class bit -> slot (bit number); MI_CLASS_SLOTS - 1 for unknown bits. */
unsigned int mi_class_slot(uint32_t class_bit);

/* The highest physical address an output may hold: every writer refuses
 * memory past it (2^47 = 128 TiB, what a 4 GiB kdump bitmap maps, more
 * than x86-64 4-level paging addresses). */
#define MI_MAX_PHYS	(1ull << 47)

/* Range-table rules every reader applies (ranges sorted by paddr): no
 * range wrapping, no two real (non-alias) ranges overlapping, neighbours
 * or not, and every alias inside memory the real ranges cover. Empty
 * ranges hold nothing and pass (the rawdump reader refuses them itself).
 * 0, -EINVAL with a one-line reason in err, or -ENOMEM. */
int mi_ranges_check(const struct mi_range *r, size_t n, char *err, size_t errsz);
/* The writers' size rule: -EFBIG with a one-line reason in msg when a range
 * ends past MI_MAX_PHYS, else 0. */
int mi_extent_check(const struct memimage *m, char *msg, size_t msgsz);

/* For a reader's read_page: the page at hand does not decode. Zeroes buf,
 * marks m partial with the page missing; returns MI_MISSING. */
int mi_page_corrupt(struct memimage *m, void *buf);

void mi_close(struct memimage *m);	/* calls ops->close, frees notes/ranges/excl_runs and m */

/* Opening an input by content: mi_open(), tools/image/formats.h. */

/* Output writers. fd is a fresh, empty regular file; the caller owns the
 * temp-file/fsync/rename dance. Return 0 or a negative errno; msg gets a
 * one-line reason. progress(ctx, done, total) may be NULL. */
typedef void (*mi_progress_fn)(void *ctx, uint64_t done, uint64_t total);
int mi_write_elf(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);
int mi_write_lkcd(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);
int mi_write_kdump(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);

#endif
