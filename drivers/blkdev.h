/*
 * drivers/blkdev.h - the block-device interface every polled driver implements
 * (virtio-blk, AHCI, NVMe), and the dispatcher the minikernel calls.
 *
 * Drivers never see partitions: they move whole logical blocks at absolute
 * LBAs. The partition bounds check lives above them, in the writer
 * (rd_sink_check) - never in a driver. No driver waits without a named
 * timeout (hw_deadline_*), and none uses interrupts.
 *
 * LBAs and counts are in units of bd->sector_size. A write of up to
 * bd->max_sectors sectors (at least 1 MiB) is one submit_writev; the driver
 * splits it as the device needs. Its memory side is a list of up to
 * bd->max_segs segments (struct blk_seg) of the shape NVMe PRPs can
 * express, so every driver can (BLK_SEG_*, checked in the dispatcher).
 * Up to bd->max_inflight tags may be outstanding; wait() consumes a tag.
 * Documentation/drivers.md has the rest.
 *
 * Errors: 0 or a negative enum rd_err (writer/writer.h).
 */
#ifndef RAWDUMP_BLKDEV_H
#define RAWDUMP_BLKDEV_H

#include <stdint.h>
#include "pci.h"

/* What the command line says about the target disk. */
struct blk_target {
	struct pci_addr pci;	/* controller */
	uint32_t unit;		/* AHCI port, NVMe namespace id; 0 for virtio */
	uint32_t io_timeout_ms;	/* per-request limit; 0 = the driver's default */
};

struct blkdev;

/* One piece of a write's memory: physical (identity-mapped) address and
 * length. In a list: at most BLK_SEG_MAX pieces, each of even length at an
 * even address (AHCI PRDs); every piece but the first starts on a
 * BLK_SEG_PAGE boundary and every piece but the last ends on one (NVMe
 * PRPs, §4.3: only the first entry has an offset, only the last may be
 * partial). Contiguous memory is one piece. */
struct blk_seg {
	uint64_t addr;
	uint32_t len;
};

#define BLK_SEG_MAX	4
#define BLK_SEG_PAGE	4096u

/* Walks a segment list: blk_sg_take returns the next piece, at most max
 * bytes, not crossing a `page` boundary (0: any), and its address; 0 at
 * the end. */
struct blk_sg {
	const struct blk_seg *seg;
	uint32_t n, i, off;
};

uint32_t blk_sg_take(struct blk_sg *sg, uint32_t max, uint32_t page, uint64_t *addr);

struct blk_driver {
	const char *name;			/* "virtio-blk" */
	/* 1 if this driver handles the PCI function (vendor/device/class). */
	int  (*match)(const struct pci_dev *pd);
	/* Take over the controller whatever state the dead kernel left it in:
	 * reset, bring up, fill bd->sector_size/bd->sectors/bd->max_inflight. */
	int  (*init)(struct blkdev *bd);
	/* Start writing n sectors gathered from segs[0..nseg) (checked by the
	 * dispatcher: shape, n * sector_size bytes in all) at lba. Returns a
	 * tag >= 0 or negative rd_err. */
	long (*submit_writev)(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
			      uint32_t nseg, uint32_t n);
	/* Synchronous read (headers, verification). */
	int  (*read)(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n);
	/* Wait for a submitted write. 0 or negative rd_err. */
	int  (*wait)(struct blkdev *bd, long tag);
	/* Wait for everything outstanding, then make it durable (cache flush). */
	int  (*flush)(struct blkdev *bd);
};

struct blkdev {
	const struct blk_driver *drv;
	struct pci_dev pci;
	struct blk_target target;
	uint32_t sector_size;		/* bytes, from the device */
	uint64_t sectors;		/* device capacity */
	uint32_t max_inflight;		/* writes that may be outstanding */
	uint32_t max_sectors;		/* largest single request */
	uint32_t max_segs;		/* segments a write may have, 1..BLK_SEG_MAX */
	void *priv;			/* driver state, in minikernel memory */
};

/* Dispatcher (drivers/blkdev.c): find the PCI function named by t, pick the
 * driver that matches it, init it. 0 or negative rd_err; messages on the
 * console say which step failed. */
int  blk_open(struct blkdev *bd, const struct blk_target *t);
long blk_submit_write(struct blkdev *bd, uint64_t lba, const void *buf, uint32_t n);
/* Scatter-gather write: the bytes of segs[0..nseg) in order, a whole
 * number of sectors, to lba. */
long blk_submit_writev(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
		       uint32_t nseg);
int  blk_read(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n);
int  blk_wait(struct blkdev *bd, long tag);
int  blk_flush(struct blkdev *bd);
const char *blk_name(const struct blkdev *bd);	/* driver name, "none" before open */

/* The drivers the dispatcher tries, in this order. */
extern const struct blk_driver virtio_blk_driver;
extern const struct blk_driver ahci_driver;
extern const struct blk_driver nvme_driver;

#endif
