/*
 * drivers/blkdev.c - the one dispatcher between the minikernel and the
 * polled block drivers (drivers/blkdev.h, Documentation/drivers.md).
 *
 * blk_open finds the PCI function the command line names and gives it to
 * the first driver that matches. Every later call is checked here against
 * the device (capacity, request size) before it reaches a driver; the
 * partition bounds are checked above, in the writer (rd_sink_check).
 */
#include "hw.h"
#include "blkdev.h"
#include "writer.h"

static const struct blk_driver *const blk_drivers[] = {
	&virtio_blk_driver,
	&ahci_driver,
	&nvme_driver,
};

#define BLK_NDRIVERS	(sizeof(blk_drivers) / sizeof(blk_drivers[0]))

static int blk_check_geometry(const struct blkdev *bd)
{
	uint32_t ss = bd->sector_size;

	if (ss < 512 || ss > 4096 || (ss & (ss - 1))) {
		kprintf("blk: %s reports sector size %u\n", bd->drv->name, ss);
		return -RD_EINVAL;
	}
	if (bd->sectors == 0) {
		kprintf("blk: %s reports no capacity\n", bd->drv->name);
		return -RD_EINVAL;
	}
	if (bd->max_segs == 0 || bd->max_segs > BLK_SEG_MAX) {
		kprintf("blk: %s reports %u segments per request\n", bd->drv->name, bd->max_segs);
		return -RD_EINVAL;
	}
	if (bd->max_inflight == 0 || (uint64_t)bd->max_sectors * ss < 1024 * 1024) {
		kprintf("blk: %s reports %u in flight, %u sectors per request\n",
			bd->drv->name, bd->max_inflight, bd->max_sectors);
		return -RD_EINVAL;
	}
	return 0;
}

int blk_open(struct blkdev *bd, const struct blk_target *t)
{
	const struct pci_addr *a = &t->pci;
	unsigned i;
	int r;

	memset(bd, 0, sizeof(*bd));
	bd->target = *t;
	if (a->seg != 0) {
		kprintf("blk: PCI segment %x needs ECAM, which is not supported\n", a->seg);
		return -RD_EINVAL;
	}
	r = pci_probe(a, &bd->pci);
	if (r) {
		kprintf("blk: no PCI function at %02x:%02x.%x\n", a->bus, a->dev, a->fn);
		return r;
	}
	for (i = 0; i < BLK_NDRIVERS; i++)
		if (blk_drivers[i]->match(&bd->pci))
			break;
	if (i == BLK_NDRIVERS) {
		kprintf("blk: no driver for %04x:%04x (class %02x.%02x.%02x) at %02x:%02x.%x\n",
			bd->pci.vendor, bd->pci.device, bd->pci.class_code, bd->pci.subclass,
			bd->pci.prog_if, a->bus, a->dev, a->fn);
		return -RD_EINVAL;
	}
	bd->drv = blk_drivers[i];
	kprintf("blk: %02x:%02x.%x %04x:%04x -> %s\n", a->bus, a->dev, a->fn,
		bd->pci.vendor, bd->pci.device, bd->drv->name);
	r = bd->drv->init(bd);
	if (r == 0)
		r = blk_check_geometry(bd);
	if (r) {
		kprintf("blk: %s init failed: %s\n", bd->drv->name, rd_strerror(r));
		bd->drv = 0;
	}
	return r;
}

/* The device extent check: [lba, lba+n) on the device, one request's size. */
static int blk_check_io(const struct blkdev *bd, uint64_t lba, const void *buf, uint32_t n)
{
	if (!bd->drv)
		return -RD_EINVAL;
	if (!buf || n == 0 || n > bd->max_sectors || lba >= bd->sectors ||
	    n > bd->sectors - lba) {
		kprintf("blk: refused %u sectors at %lu (device has %lu, max %u per request)\n",
			n, (unsigned long)lba, (unsigned long)bd->sectors, bd->max_sectors);
		return -RD_EINVAL;
	}
	return 0;
}

long blk_submit_write(struct blkdev *bd, uint64_t lba, const void *buf, uint32_t n)
{
	struct blk_seg seg = { (uintptr_t)buf, 0 };
	int r = blk_check_io(bd, lba, buf, n);

	if (r)
		return r;
	seg.len = n * bd->sector_size;
	return bd->drv->submit_writev(bd, lba, &seg, 1, n);
}

/* The segment-list shape of blkdev.h (BLK_SEG_*): bytes in all, or 0. */
static uint64_t blk_check_segs(const struct blkdev *bd, const struct blk_seg *segs,
			       uint32_t nseg)
{
	uint64_t total = 0;
	uint32_t i;

	if (!segs || nseg == 0 || nseg > bd->max_segs)
		return 0;
	for (i = 0; i < nseg; i++) {
		uint64_t a = segs[i].addr, e = a + segs[i].len;

		if (!segs[i].len || ((a | segs[i].len) & 1) ||
		    (i > 0 && a % BLK_SEG_PAGE) || (i + 1 < nseg && e % BLK_SEG_PAGE))
			return 0;
		total += segs[i].len;
	}
	return total;
}

long blk_submit_writev(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
		       uint32_t nseg)
{
	uint64_t bytes;
	uint32_t n;
	int r;

	if (!bd->drv)
		return -RD_EINVAL;
	bytes = blk_check_segs(bd, segs, nseg);
	if (!bytes || bytes % bd->sector_size) {
		kprintf("blk: refused a write of %u segments, %lu bytes (sector %u, max %u segments)\n",
			nseg, (unsigned long)bytes, bd->sector_size, bd->max_segs);
		return -RD_EINVAL;
	}
	n = bytes / bd->sector_size > bd->max_sectors ? 0 : (uint32_t)(bytes / bd->sector_size);
	r = blk_check_io(bd, lba, segs, n);
	return r ? r : bd->drv->submit_writev(bd, lba, segs, nseg, n);
}

uint32_t blk_sg_take(struct blk_sg *sg, uint32_t max, uint32_t page, uint64_t *addr)
{
	uint32_t n, room;

	while (sg->i < sg->n && sg->off == sg->seg[sg->i].len) {
		sg->i++;
		sg->off = 0;
	}
	if (sg->i == sg->n || max == 0)
		return 0;
	*addr = sg->seg[sg->i].addr + sg->off;
	n = sg->seg[sg->i].len - sg->off;
	if (n > max)
		n = max;
	if (page) {
		room = page - (uint32_t)(*addr & (page - 1));
		if (n > room)
			n = room;
	}
	sg->off += n;
	return n;
}

int blk_read(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n)
{
	int r = blk_check_io(bd, lba, buf, n);

	return r ? r : bd->drv->read(bd, lba, buf, n);
}

int blk_wait(struct blkdev *bd, long tag)
{
	if (!bd->drv || tag < 0)
		return -RD_EINVAL;
	return bd->drv->wait(bd, tag);
}

int blk_flush(struct blkdev *bd)
{
	if (!bd->drv)
		return -RD_EINVAL;
	return bd->drv->flush(bd);
}

const char *blk_name(const struct blkdev *bd)
{
	return bd->drv ? bd->drv->name : "none";
}
