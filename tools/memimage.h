/*
 * tools/memimage.h - a read-only view of a crashed kernel's memory, whatever
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

struct memimage;

struct memimage_ops {
	/* paddr page aligned; buf MI_PAGE bytes. Returns enum mi_page_state, or
	 * a negative errno for an I/O error on the underlying file. */
	int  (*read_page)(struct memimage *m, uint64_t paddr, void *buf);
	void (*close)(struct memimage *m);
	/* RD_CLASS_* bit of an MI_EXCLUDED page, 0 otherwise; may be NULL
	 * (an input that does not know classes) */
	uint32_t (*page_class)(struct memimage *m, uint64_t paddr);
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
	uint64_t missing_bytes;		/* memory known to be absent */
};

static inline int mi_read_page(struct memimage *m, uint64_t paddr, void *buf)
{
	return m->ops->read_page(m, paddr, buf);
}

/* Which class (RD_CLASS_* bit) page filtering put the page at paddr in;
 * 0 if the page was not left out or the input does not say. */
static inline uint32_t mi_page_class(struct memimage *m, uint64_t paddr)
{
	return m->ops->page_class ? m->ops->page_class(m, paddr) : 0;
}

void mi_close(struct memimage *m);	/* calls ops->close, frees notes/ranges and m */

/* Open any supported input, detected by content. path may be a file or
 * block device; part selects a partition inside a disk image (see
 * tools/target.h). Returns NULL and sets *err (a message) on failure. */
struct memimage *mi_open(const char *path, char *err, size_t errsz);

/* Output writers. fd is a fresh, empty regular file; the caller owns the
 * temp-file/fsync/rename dance. Return 0 or a negative errno; msg gets a
 * one-line reason. progress(ctx, done, total) may be NULL. */
typedef void (*mi_progress_fn)(void *ctx, uint64_t done, uint64_t total);
int mi_write_elf(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);
int mi_write_lkcd(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);
int mi_write_kdump(struct memimage *m, int fd, mi_progress_fn pr, void *ctx, char *msg, size_t msgsz);

#endif
