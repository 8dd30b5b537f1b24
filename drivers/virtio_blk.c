/*
 * drivers/virtio_blk.c - polled virtio-blk (virtio 1.x §5.2) over the PCI
 * transport in virtio_pci.c, legacy or modern.
 *
 * One split virtqueue (queue 0) in minikernel memory, cut into fixed
 * request slots of 2 + segs descriptors: the request header, up to `segs`
 * data descriptors, the status byte. A write's segment list (blkdev.h) is
 * cut into descriptors of at most size_max bytes; a slot carries req_bytes
 * of it, leaving BLK_SEG_MAX - 1 descriptors for the segment boundaries.
 * A write takes as many slots as that needs and returns a tag
 * (drivers/blkq.c keeps slots, tags and deadlines). Completions are found
 * by polling the used ring; every request's status byte is preset to 0xff
 * and must come back VIRTIO_BLK_S_OK.
 */
#include "hw.h"
#include "blkdev.h"
#include "blkq.h"
#include "virtio_pci.h"
#include "rawdump/err.h"

#define VIRTIO_VENDOR			0x1af4
#define VIRTIO_DEV_BLK_LEGACY		0x1001
#define VIRTIO_DEV_BLK_MODERN		0x1042

/* Feature bits (§5.2.3) */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9

/* Device configuration layout (§5.2.4) */
#define VIRTIO_BLK_CFG_CAPACITY		0
#define VIRTIO_BLK_CFG_SIZE_MAX		8
#define VIRTIO_BLK_CFG_SEG_MAX		12
#define VIRTIO_BLK_CFG_BLK_SIZE		20

/* Requests (§5.2.6) */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2
#define VBLK_STATUS_UNSET		0xff

#define VBLK_QUEUE			0
#define VBLK_QUEUE_MAX			256	/* entries we use of a modern queue */
#define VBLK_LEGACY_QUEUE_MAX		1024	/* largest fixed legacy queue we accept */
#define VBLK_MAX_SEGS			64
#define VBLK_SUBMIT_MAX_BYTES		(1024u * 1024u)

#define VBLK_IO_TIMEOUT_US		(20ull * 1000 * 1000)
#define VBLK_FLUSH_TIMEOUT_US		(60ull * 1000 * 1000)

struct vblk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct vp_dev vp;
	struct blkq q;
	uint16_t qsize;
	struct vring_desc *desc;
	struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t avail_idx, last_used;
	uint32_t segs, dpr;		/* data segments, descriptors per slot */
	uint32_t seg_bytes;		/* largest data segment */
	uint32_t req_bytes;		/* largest data per slot */
	uint32_t lba_shift;		/* bd->sector_size = 512 << lba_shift */
	int has_flush;
	uint64_t io_timeout_us;
	struct vblk_req_hdr *hdr;	/* DMA: one per slot */
	volatile uint8_t *status;	/* DMA: one per slot */
};

static int virtio_blk_match(const struct pci_dev *pd)
{
	return pd->vendor == VIRTIO_VENDOR &&
	       (pd->device == VIRTIO_DEV_BLK_LEGACY || pd->device == VIRTIO_DEV_BLK_MODERN);
}

/* blkq reap(): take every completion the device posted to the used ring. */
static int vblk_reap(void *dev)
{
	struct vblk *v = dev;
	uint16_t idx = v->used->idx;
	uint32_t id, s;
	uint8_t st;

	__asm__ volatile("" ::: "memory");
	if ((uint16_t)(idx - v->last_used) > v->q.busy) {
		kprintf("virtio-blk: used index %u, last seen %u, %u in flight\n",
			idx, v->last_used, v->q.busy);
		return -RD_EIO;
	}
	while (v->last_used != idx) {
		id = v->used->ring[v->last_used & (v->qsize - 1)].id;
		v->last_used++;
		s = id / v->dpr;
		st = s < v->q.nslots ? v->status[s] : VBLK_STATUS_UNSET;
		if (st != VIRTIO_BLK_S_OK && id % v->dpr == 0 && s < v->q.nslots)
			kprintf("virtio-blk: request (type %u, sector %lu) failed: status %u (%s)\n",
				v->hdr[s].type, (unsigned long)v->hdr[s].sector, st,
				st == VIRTIO_BLK_S_IOERR ? "I/O error" :
				st == VIRTIO_BLK_S_UNSUPP ? "unsupported" : "status not written");
		if (id % v->dpr || blkq_complete(&v->q, s, st == VIRTIO_BLK_S_OK ? 0 : -RD_EIO)) {
			kprintf("virtio-blk: device completed descriptor %u, not in flight\n", id);
			return -RD_EIO;
		}
	}
	return 0;
}

/* Fill slot s with one request of the next len bytes of sg and make it
 * available (not yet notified). -RD_EINVAL, nothing made available, if
 * they do not fit the slot's descriptors (vblk_layout rules that out). */
static int vblk_post(struct vblk *v, uint32_t s, uint32_t type, uint64_t sector,
		      struct blk_sg *sg, uint32_t len)
{
	struct vring_desc *d = &v->desc[s * v->dpr];
	uint16_t head = s * v->dpr, i = 0;
	uint64_t data = 0;
	uint32_t chunk;

	v->hdr[s].type = type;
	v->hdr[s].reserved = 0;
	v->hdr[s].sector = sector;
	v->status[s] = VBLK_STATUS_UNSET;

	d[0].addr = (uintptr_t)&v->hdr[s];
	d[0].len = sizeof(struct vblk_req_hdr);
	d[0].flags = VRING_DESC_F_NEXT;
	while (len && i < v->segs) {
		chunk = blk_sg_take(sg, len < v->seg_bytes ? len : v->seg_bytes, 0, &data);
		if (!chunk)
			break;
		i++;
		d[i - 1].next = head + i;
		d[i].addr = data;
		d[i].len = chunk;
		d[i].flags = VRING_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0);
		len -= chunk;
	}
	if (len)
		return -RD_EINVAL;
	i++;
	d[i - 1].next = head + i;
	d[i].addr = (uintptr_t)&v->status[s];
	d[i].len = 1;
	d[i].flags = VRING_DESC_F_WRITE;
	d[i].next = 0;

	v->avail->ring[v->avail_idx & (v->qsize - 1)] = head;
	hw_mb();
	v->avail_idx++;
	v->avail->idx = v->avail_idx;
	return 0;
}

/* Start a request of `len` bytes at `data` (none for a flush): as many
 * slots as it needs, one tag. */
static long vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
			const struct blk_seg *segs, uint32_t nseg, uint64_t len)
{
	struct blk_sg sg = { segs, nseg, 0, 0 };
	uint32_t nreq = len ? (len + v->req_bytes - 1) / v->req_bytes : 1;
	const char *what = type == VIRTIO_BLK_T_OUT ? "virtio-blk: write completion" :
			   type == VIRTIO_BLK_T_IN ? "virtio-blk: read completion" :
			   "virtio-blk: flush completion";
	uint64_t limit = type == VIRTIO_BLK_T_FLUSH ? VBLK_FLUSH_TIMEOUT_US : v->io_timeout_us;
	uint32_t chunk;
	long tag;
	int s;

	tag = blkq_begin(&v->q, nreq);
	if (tag < 0)
		return tag;
	do {
		chunk = len < v->req_bytes ? len : v->req_bytes;
		s = blkq_issue(&v->q, tag, what, limit);
		if (s < 0) {
			blkq_abort(&v->q, tag);
			return s;
		}
		if (vblk_post(v, s, type, sector, &sg, chunk)) {
			/* slot s stays busy: the queue cannot be trusted */
			blkq_fail(&v->q, "request does not fit its descriptors");
			return -RD_EIO;
		}
		vp_queue_notify(&v->vp, VBLK_QUEUE);
		sector += chunk >> 9;
		len -= chunk;
	} while (len);
	return tag;
}

static long virtio_blk_submit_writev(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
				     uint32_t nseg, uint32_t n)
{
	struct vblk *v = bd->priv;

	return vblk_submit(v, VIRTIO_BLK_T_OUT, lba << v->lba_shift, segs, nseg,
			   (uint64_t)n * bd->sector_size);
}

static int virtio_blk_wait(struct blkdev *bd, long tag)
{
	struct vblk *v = bd->priv;

	return blkq_wait(&v->q, tag);
}

static int virtio_blk_read(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n)
{
	struct vblk *v = bd->priv;
	struct blk_seg seg = { (uintptr_t)buf, n * bd->sector_size };
	long tag;

	tag = vblk_submit(v, VIRTIO_BLK_T_IN, lba << v->lba_shift, &seg, 1, seg.len);
	if (tag < 0)
		return tag;
	return blkq_wait(&v->q, tag);
}

/* Drain every request (their tags keep their results for wait), then
 * VIRTIO_BLK_T_FLUSH if the device has a write cache (§5.2.6.2). */
static int virtio_blk_flush(struct blkdev *bd)
{
	struct vblk *v = bd->priv;
	long tag;
	int r;

	r = blkq_drain(&v->q);
	if (r)
		return r;
	blkq_report(&v->q);
	if (!v->has_flush)
		return 0;
	tag = vblk_submit(v, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	if (tag < 0)
		return tag;
	return blkq_wait(&v->q, tag);
}

/* Segments, slots and in-flight limit from the negotiated limits. */
static int vblk_layout(struct vblk *v, struct blkdev *bd, uint64_t feat)
{
	uint32_t size_max = 0, seg_max = 1, need, per_mib;

	if (feat & (1ull << VIRTIO_BLK_F_SIZE_MAX))
		size_max = vp_config_read(&v->vp, VIRTIO_BLK_CFG_SIZE_MAX, 4);
	if (feat & (1ull << VIRTIO_BLK_F_SEG_MAX))
		seg_max = vp_config_read(&v->vp, VIRTIO_BLK_CFG_SEG_MAX, 4);
	if (seg_max == 0)
		seg_max = 1;

	v->seg_bytes = VBLK_SUBMIT_MAX_BYTES;
	if (size_max && size_max < v->seg_bytes)
		v->seg_bytes = size_max & ~(bd->sector_size - 1);
	if (v->seg_bytes == 0) {
		kprintf("virtio-blk: size_max %u is below the sector size\n", size_max);
		return -RD_EINVAL;
	}
	/* a slot: req_bytes of data in at most (req_bytes / seg_bytes) +
	 * (BLK_SEG_MAX - 1) descriptors, whatever the segment boundaries */
	need = (VBLK_SUBMIT_MAX_BYTES + v->seg_bytes - 1) / v->seg_bytes + BLK_SEG_MAX - 1;
	v->segs = seg_max < need ? seg_max : need;
	if (v->segs > VBLK_MAX_SEGS)
		v->segs = VBLK_MAX_SEGS;
	if (v->segs + 2u > v->qsize)
		v->segs = v->qsize - 2;
	v->dpr = v->segs + 2;
	if (v->segs >= BLK_SEG_MAX) {
		v->req_bytes = (v->segs - (BLK_SEG_MAX - 1)) * v->seg_bytes;
		bd->max_segs = BLK_SEG_MAX;
	} else {
		v->req_bytes = v->segs * v->seg_bytes;
		bd->max_segs = 1;
	}
	blkq_init(&v->q, "virtio-blk", v->qsize / v->dpr, vblk_reap, v);
	per_mib = (VBLK_SUBMIT_MAX_BYTES + v->req_bytes - 1) / v->req_bytes;
	bd->max_inflight = per_mib < v->q.nslots ? v->q.nslots / per_mib : 1;
	if (bd->max_inflight > BLKQ_MAX_INFLIGHT)
		bd->max_inflight = BLKQ_MAX_INFLIGHT;
	bd->max_sectors = VBLK_SUBMIT_MAX_BYTES / bd->sector_size;
	return 0;
}

static int vblk_queue_init(struct vblk *v)
{
	uint16_t max = vp_queue_max(&v->vp, VBLK_QUEUE);
	void *ring;
	int r;

	if (max == 0 || (max & (max - 1))) {
		kprintf("virtio-blk: queue 0 has size %u\n", max);
		return -RD_EINVAL;
	}
	v->qsize = max;
	if (v->vp.modern) {
		while (v->qsize > VBLK_QUEUE_MAX)
			v->qsize >>= 1;
	} else if (max > VBLK_LEGACY_QUEUE_MAX) {
		kprintf("virtio-blk: legacy queue of %u entries is too large\n", max);
		return -RD_ENOMEM;
	}
	if (v->qsize < 3) {
		kprintf("virtio-blk: queue of %u entries is too small\n", v->qsize);
		return -RD_EINVAL;
	}
	ring = hw_alloc(vring_bytes(v->qsize), VRING_LEGACY_ALIGN);
	v->hdr = hw_alloc(BLKQ_MAX_SLOTS * sizeof(*v->hdr), 16);
	v->status = hw_alloc(BLKQ_MAX_SLOTS, 16);
	if (!ring || !v->hdr || !v->status)
		return -RD_ENOMEM;
	v->desc = ring;
	v->avail = (struct vring_avail *)((char *)ring + vring_avail_off(v->qsize));
	v->used = (struct vring_used *)((char *)ring + vring_used_off(v->qsize));
	v->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	r = vp_queue_setup(&v->vp, VBLK_QUEUE, v->qsize, ring);
	return r;
}

/*
 * Bring-up, virtio 1.x §3.1.1 (legacy: §3.1.2, no FEATURES_OK), on a device
 * the dead kernel may have left with requests in flight: the reset stops
 * them and drops its queues.
 */
static int virtio_blk_init(struct blkdev *bd)
{
	uint64_t offered, want, cap512;
	uint32_t blk_size = 512;
	struct vblk *v;
	int r;

	v = hw_alloc(sizeof(*v), 64);
	if (!v)
		return -RD_ENOMEM;
	bd->priv = v;
	v->io_timeout_us = bd->target.io_timeout_ms ?
		(uint64_t)bd->target.io_timeout_ms * 1000 : VBLK_IO_TIMEOUT_US;

	r = vp_attach(&v->vp, &bd->pci);
	if (r)
		return r;
	kprintf("virtio-blk: %s interface\n", v->vp.modern ? "modern (virtio 1.x)" : "legacy");

	/* 1. Reset. */
	r = vp_reset(&v->vp);
	if (r)
		return r;
	/* 2, 3. ACKNOWLEDGE, DRIVER. */
	vp_add_status(&v->vp, VIRTIO_STATUS_ACKNOWLEDGE);
	vp_add_status(&v->vp, VIRTIO_STATUS_DRIVER);

	/* 4. Features: only what this driver uses. */
	offered = vp_get_features(&v->vp);
	if (offered & (1ull << VIRTIO_BLK_F_RO)) {
		kprintf("virtio-blk: device is read-only\n");
		r = -RD_EIO;
		goto fail_status;
	}
	want = offered & ((1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
			  (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH));
	if (v->vp.modern) {
		if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
			kprintf("virtio-blk: modern device without VIRTIO_F_VERSION_1\n");
			r = -RD_EINVAL;
			goto fail_status;
		}
		want |= 1ull << VIRTIO_F_VERSION_1;
		/* §6.1: the device's DMA goes through the platform's IOMMU; the
		 * minikernel made our addresses valid there (minikernel/iommu.c) */
		want |= offered & (1ull << VIRTIO_F_ACCESS_PLATFORM);
	}
	vp_set_features(&v->vp, want);
	/* 5, 6. FEATURES_OK and check the device kept it. */
	if (v->vp.modern) {
		vp_add_status(&v->vp, VIRTIO_STATUS_FEATURES_OK);
		if (!(vp_get_status(&v->vp) & VIRTIO_STATUS_FEATURES_OK)) {
			kprintf("virtio-blk: device refused features 0x%lx\n", (unsigned long)want);
			r = -RD_EINVAL;
			goto fail_status;
		}
	}
	v->has_flush = !!(want & (1ull << VIRTIO_BLK_F_FLUSH));

	/* Geometry from the device configuration (§5.2.4). */
	if (want & (1ull << VIRTIO_BLK_F_BLK_SIZE)) {
		blk_size = vp_config_read(&v->vp, VIRTIO_BLK_CFG_BLK_SIZE, 4);
		if (blk_size < 512 || blk_size > 4096 || (blk_size & (blk_size - 1))) {
			/* like ahci and nvme: a size the writer cannot address is refused */
			kprintf("virtio-blk: device says sectors of %u bytes; unusable\n", blk_size);
			r = -RD_EINVAL;
			goto fail_status;
		}
	}
	bd->sector_size = blk_size;
	while ((512u << v->lba_shift) < blk_size)
		v->lba_shift++;
	cap512 = vp_config_read(&v->vp, VIRTIO_BLK_CFG_CAPACITY, 8);
	bd->sectors = cap512 >> v->lba_shift;

	/* 7. The virtqueue. */
	r = vblk_queue_init(v);
	if (r)
		goto fail_status;
	r = vblk_layout(v, bd, want);
	if (r)
		goto fail_status;

	/* 8. DRIVER_OK. */
	vp_add_status(&v->vp, VIRTIO_STATUS_DRIVER_OK);
	if (vp_get_status(&v->vp) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		kprintf("virtio-blk: device reports status 0x%x\n", vp_get_status(&v->vp));
		r = -RD_EIO;
		goto fail_status;
	}
	kprintf("virtio-blk: %lu sectors of %u bytes, queue %u, %u segs of %u bytes, "
		"%u in flight%s\n", (unsigned long)bd->sectors, bd->sector_size, v->qsize,
		v->segs, v->seg_bytes, bd->max_inflight, v->has_flush ? ", write cache" : "");
	return 0;

fail_status:
	vp_add_status(&v->vp, VIRTIO_STATUS_FAILED);
	return r;
}

const struct blk_driver virtio_blk_driver = {
	.name = "virtio-blk",
	.match = virtio_blk_match,
	.init = virtio_blk_init,
	.submit_writev = virtio_blk_submit_writev,
	.read = virtio_blk_read,
	.wait = virtio_blk_wait,
	.flush = virtio_blk_flush,
};
