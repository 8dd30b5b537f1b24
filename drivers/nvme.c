/*
 * drivers/nvme.c - polled NVMe (NVM Express Base Specification 1.4).
 *
 * Take-over: the dead kernel may have left the controller enabled with
 * queues full of commands. Clearing CC.EN and waiting for CSTS.RDY=0 within
 * CAP.TO (§3.1.6, §7.6.2) is a controller reset that drops every queue.
 * Then: admin queue pair in minikernel memory (§7.6.1), enable, Identify
 * controller and namespace, Set Features Number of Queues, create one I/O
 * completion/submission queue pair with interrupts off. Writes and reads
 * use PRP1/PRP2 or a per-slot PRP list (§4.3) built from the segment list
 * (blkdev.h's shape is what PRPs express: only the first entry may start
 * inside a page, only the last may end inside one); the command id is the blkq
 * slot. Completions are found by the phase tag (§4.6); status codes are
 * decoded (§4.6.1.2). A request larger than MDTS is split into several
 * commands under one tag.
 */
#include "hw.h"
#include "blkdev.h"
#include "blkq.h"
#include "rawdump/err.h"

/* Controller registers (§3.1) */
#define NVME_REG_CAP		0x00
#define NVME_REG_VS		0x08
#define NVME_REG_INTMS		0x0c
#define NVME_REG_CC		0x14
#define NVME_REG_CSTS		0x1c
#define NVME_REG_AQA		0x24
#define NVME_REG_ASQ		0x28
#define NVME_REG_ACQ		0x30
#define NVME_REG_DBS		0x1000

#define NVME_CAP_MQES(c)	((uint32_t)((c) & 0xffff))
#define NVME_CAP_TO(c)		((uint32_t)(((c) >> 24) & 0xff))
#define NVME_CAP_DSTRD(c)	((uint32_t)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c)	(((c) >> 37) & 1)
#define NVME_CAP_MPSMIN(c)	((uint32_t)(((c) >> 48) & 0xf))

#define NVME_CC_EN		(1u << 0)
#define NVME_CC_IOSQES		(6u << 16)	/* 64-byte SQ entries */
#define NVME_CC_IOCQES		(4u << 20)	/* 16-byte CQ entries */
#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)

/* Commands */
#define NVME_ADM_CREATE_SQ	0x01
#define NVME_ADM_CREATE_CQ	0x05
#define NVME_ADM_IDENTIFY	0x06
#define NVME_ADM_SET_FEATURES	0x09
#define NVME_FEAT_NUM_QUEUES	0x07
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02
#define NVME_CNS_NAMESPACE	0x00
#define NVME_CNS_CONTROLLER	0x01

/* Identify data offsets (§5.15.2) */
#define NVME_IDC_MDTS		77
#define NVME_IDC_NN		516
#define NVME_IDC_VWC		525
#define NVME_IDN_NSZE		0
#define NVME_IDN_NLBAF		25
#define NVME_IDN_FLBAS		26
#define NVME_IDN_LBAF		128

#define NVME_PAGE		4096u
#define NVME_NO_LBA		(~0ull)
#define NVME_ADMIN_DEPTH	8
#define NVME_IO_DEPTH		64
#define NVME_MAX_XFER		(1024u * 1024u)	/* per command, before MDTS */

#define NVME_TO_UNIT_US		(500ull * 1000)	/* CAP.TO is in 500 ms units */
#define NVME_ADMIN_TIMEOUT_US	(5ull * 1000 * 1000)
#define NVME_IO_TIMEOUT_US	(20ull * 1000 * 1000)
#define NVME_FLUSH_TIMEOUT_US	(60ull * 1000 * 1000)

struct nvme_sqe {
	uint32_t cdw0;		/* opcode | cid << 16 */
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid;
	uint16_t cid, status;	/* status bit 0 is the phase tag */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe SQ entry is 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe CQ entry is 16 bytes");

struct nvme_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint16_t depth, sq_tail, cq_head, phase;
	uint64_t sq_db, cq_db;
};

struct nvme {
	uint64_t regs;
	uint32_t dstrd;
	uint64_t ready_timeout_us;
	struct nvme_queue admin, io;
	struct blkq q;
	uint32_t nsid, lba_shift;	/* lba bytes = 1 << lba_shift */
	uint32_t max_xfer;		/* bytes per command */
	int vwc;
	uint64_t io_timeout_us;
	uint64_t *prp;			/* DMA: one PRP list page per slot */
	uint64_t slot_lba[BLKQ_MAX_SLOTS];	/* for error messages */
	uint8_t slot_op[BLKQ_MAX_SLOTS];
	uint8_t *ident;			/* DMA: 4 KiB for Identify */
};

static int nvme_match(const struct pci_dev *pd)
{
	/* Mass storage, Non-Volatile Memory controller, NVM Express. */
	return pd->class_code == 0x01 && pd->subclass == 0x08 && pd->prog_if == 0x02;
}

static uint32_t nvme_rd32(struct nvme *c, uint32_t r) { return mmio_read32(c->regs + r); }
static void nvme_wr32(struct nvme *c, uint32_t r, uint32_t v) { mmio_write32(c->regs + r, v); }

static uint64_t nvme_rd64(struct nvme *c, uint32_t r)
{
	return nvme_rd32(c, r) | (uint64_t)nvme_rd32(c, r + 4) << 32;
}

static void nvme_wr64(struct nvme *c, uint32_t r, uint64_t v)
{
	nvme_wr32(c, r, (uint32_t)v);
	nvme_wr32(c, r + 4, (uint32_t)(v >> 32));
}

/* Wait for CSTS.RDY to become `rdy` within CAP.TO. */
static int nvme_wait_ready(struct nvme *c, uint32_t rdy, const char *what)
{
	return HW_POLL_UNTIL((nvme_rd32(c, NVME_REG_CSTS) & NVME_CSTS_RDY) == rdy, what,
			     c->ready_timeout_us);
}

static int nvme_queue_alloc(struct nvme *c, struct nvme_queue *nq, uint16_t qid, uint16_t depth)
{
	nq->sq = hw_alloc((size_t)depth * sizeof(struct nvme_sqe), NVME_PAGE);
	nq->cq = hw_alloc((size_t)depth * sizeof(struct nvme_cqe), NVME_PAGE);
	if (!nq->sq || !nq->cq)
		return -RD_ENOMEM;
	nq->depth = depth;
	nq->sq_tail = 0;
	nq->cq_head = 0;
	nq->phase = 1;
	nq->sq_db = c->regs + NVME_REG_DBS + (2u * qid) * (4u << c->dstrd);
	nq->cq_db = c->regs + NVME_REG_DBS + (2u * qid + 1) * (4u << c->dstrd);
	return 0;
}

static void nvme_sq_push(struct nvme_queue *nq, const struct nvme_sqe *e)
{
	nq->sq[nq->sq_tail] = *e;
	nq->sq_tail = (nq->sq_tail + 1) % nq->depth;
	hw_mb();
	mmio_write32(nq->sq_db, nq->sq_tail);
}

/* Next completion if its phase tag says the controller posted it. */
static volatile struct nvme_cqe *nvme_cq_peek(struct nvme_queue *nq)
{
	volatile struct nvme_cqe *e = &nq->cq[nq->cq_head];

	if ((e->status & 1) != nq->phase)
		return 0;
	__asm__ volatile("" ::: "memory");
	return e;
}

static void nvme_cq_pop(struct nvme_queue *nq)
{
	nq->cq_head++;
	if (nq->cq_head == nq->depth) {
		nq->cq_head = 0;
		nq->phase ^= 1;
	}
	mmio_write32(nq->cq_db, nq->cq_head);
}

/* 0 for success; otherwise print the status (§4.6.1.2) and return -RD_EIO. */
static int nvme_status(uint16_t status, const char *what, uint64_t lba)
{
	uint32_t sc = (status >> 1) & 0xff, sct = (status >> 9) & 7;

	if (sc == 0 && sct == 0)
		return 0;
	kprintf("nvme: %s", what);
	if (lba != NVME_NO_LBA)
		kprintf(" at LBA %lu", (unsigned long)lba);
	kprintf(" failed: status type %u code 0x%02x%s%s\n", sct, sc,
		sct == 0 && sc == 0x80 ? " (LBA out of range)" :
		sct == 2 && sc == 0x80 ? " (write fault)" :
		sct == 2 ? " (media error)" : "",
		(status >> 15) & 1 ? ", do not retry" : "");
	return -RD_EIO;
}

/* One admin command, synchronously: cid 0, the only one in flight. */
static int nvme_admin(struct nvme *c, struct nvme_sqe *e, const char *what)
{
	volatile struct nvme_cqe *ce;
	uint16_t status;
	int rc;

	e->cdw0 &= 0xffff;
	nvme_sq_push(&c->admin, e);
	rc = HW_POLL_UNTIL((ce = nvme_cq_peek(&c->admin)) != 0, what, NVME_ADMIN_TIMEOUT_US);
	if (rc)
		return rc;
	status = ce->status;
	nvme_cq_pop(&c->admin);
	return nvme_status(status, what, NVME_NO_LBA);
}

static int nvme_identify(struct nvme *c, uint32_t cns, uint32_t nsid, const char *what)
{
	struct nvme_sqe e = { 0 };

	e.cdw0 = NVME_ADM_IDENTIFY;
	e.nsid = nsid;
	e.prp1 = (uintptr_t)c->ident;
	e.cdw10 = cns;
	return nvme_admin(c, &e, what);
}

/* blkq reap(): take every posted I/O completion. */
static int nvme_reap(void *dev)
{
	struct nvme *c = dev;
	volatile struct nvme_cqe *ce;
	uint16_t cid, status;
	uint32_t n = 0;

	while ((ce = nvme_cq_peek(&c->io)) != 0) {
		cid = ce->cid;
		status = ce->status;
		nvme_cq_pop(&c->io);
		if (cid >= c->q.nslots || !c->q.slot[cid].busy) {
			kprintf("nvme: completion for command id %u, not in flight\n", cid);
			return -RD_EIO;
		}
		blkq_complete(&c->q, cid, nvme_status(status,
			c->slot_op[cid] == NVME_CMD_WRITE ? "write" :
			c->slot_op[cid] == NVME_CMD_READ ? "read" : "flush",
			c->slot_op[cid] == NVME_CMD_FLUSH ? NVME_NO_LBA : c->slot_lba[cid]));
		if (++n > c->io.depth)
			break;
	}
	return 0;
}

/* PRP entries for the next len bytes of sg (§4.3): one entry per memory
 * page piece; PRP2 is the second entry or the slot's PRP list. len <=
 * max_xfer (1 MiB) and at most BLK_SEG_MAX segments keep the list (at most
 * 256 + BLK_SEG_MAX entries) within its page; -RD_EINVAL if they did not. */
static int nvme_prps(struct nvme *c, uint32_t s, struct nvme_sqe *e, struct blk_sg *sg,
		      uint32_t len)
{
	uint64_t *list = c->prp + (uint64_t)s * (NVME_PAGE / 8);
	uint64_t a = 0;
	uint32_t i = 0, got;

	got = blk_sg_take(sg, len, NVME_PAGE, &a);
	e->prp1 = a;
	e->prp2 = 0;
	len -= got;
	while (len && i < NVME_PAGE / 8) {
		got = blk_sg_take(sg, len, NVME_PAGE, &a);
		if (!got)
			break;
		list[i++] = a;
		len -= got;
	}
	if (len)
		return -RD_EINVAL;
	if (i == 1)
		e->prp2 = list[0];
	else if (i > 1)
		e->prp2 = (uintptr_t)list;
	return 0;
}

static long nvme_submit(struct nvme *c, uint8_t op, uint64_t lba, const struct blk_seg *segs,
			uint32_t nseg, uint64_t len)
{
	struct blk_sg sg = { segs, nseg, 0, 0 };
	uint32_t nreq = len ? (len + c->max_xfer - 1) / c->max_xfer : 1;
	const char *what = op == NVME_CMD_WRITE ? "nvme: write completion" :
			   op == NVME_CMD_READ ? "nvme: read completion" : "nvme: flush completion";
	uint64_t limit = op == NVME_CMD_FLUSH ? NVME_FLUSH_TIMEOUT_US : c->io_timeout_us;
	struct nvme_sqe e;
	uint32_t chunk;
	long tag;
	int s;

	tag = blkq_begin(&c->q, nreq);
	if (tag < 0)
		return tag;
	do {
		chunk = len < c->max_xfer ? len : c->max_xfer;
		s = blkq_issue(&c->q, tag, what, limit);
		if (s < 0) {
			blkq_abort(&c->q, tag);
			return s;
		}
		memset(&e, 0, sizeof(e));
		e.cdw0 = op | (uint32_t)s << 16;
		c->slot_op[s] = op;
		c->slot_lba[s] = lba;
		e.nsid = c->nsid;
		if (op != NVME_CMD_FLUSH) {
			if (nvme_prps(c, s, &e, &sg, chunk)) {
				/* slot s stays busy: the queue cannot be trusted */
				blkq_fail(&c->q, "request does not fit its PRP list");
				return -RD_EIO;
			}
			e.cdw10 = (uint32_t)lba;
			e.cdw11 = (uint32_t)(lba >> 32);
			e.cdw12 = (chunk >> c->lba_shift) - 1;
		}
		nvme_sq_push(&c->io, &e);
		lba += chunk >> c->lba_shift;
		len -= chunk;
	} while (len);
	return tag;
}

static long nvme_submit_writev(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
			       uint32_t nseg, uint32_t n)
{
	struct nvme *c = bd->priv;

	return nvme_submit(c, NVME_CMD_WRITE, lba, segs, nseg, (uint64_t)n << c->lba_shift);
}

static int nvme_wait(struct blkdev *bd, long tag)
{
	struct nvme *c = bd->priv;

	return blkq_wait(&c->q, tag);
}

static int nvme_read(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n)
{
	struct nvme *c = bd->priv;
	struct blk_seg seg = { (uintptr_t)buf, n << c->lba_shift };
	long tag = nvme_submit(c, NVME_CMD_READ, lba, &seg, 1, seg.len);

	return tag < 0 ? (int)tag : blkq_wait(&c->q, tag);
}

/* Drain, then Flush (§6.8) when a volatile write cache is present. */
static int nvme_flush(struct blkdev *bd)
{
	struct nvme *c = bd->priv;
	long tag;
	int r;

	r = blkq_drain(&c->q);
	if (r)
		return r;
	blkq_report(&c->q);
	if (!c->vwc)
		return 0;
	tag = nvme_submit(c, NVME_CMD_FLUSH, 0, 0, 0, 0);
	return tag < 0 ? (int)tag : blkq_wait(&c->q, tag);
}

/* §7.6.2: a controller reset through CC.EN. */
static int nvme_disable(struct nvme *c)
{
	uint32_t cc = nvme_rd32(c, NVME_REG_CC), csts = nvme_rd32(c, NVME_REG_CSTS);
	int r;

	if (csts & NVME_CSTS_CFS)
		kprintf("nvme: controller fatal status set; resetting\n");
	/* EN=1 and RDY=0 is an enable in progress: let it finish first. */
	if ((cc & NVME_CC_EN) && !(csts & NVME_CSTS_RDY) && !(csts & NVME_CSTS_CFS)) {
		r = nvme_wait_ready(c, NVME_CSTS_RDY, "nvme: CSTS.RDY=1 before reset");
		if (r)
			return r;
	}
	nvme_wr32(c, NVME_REG_CC, cc & ~NVME_CC_EN);
	return nvme_wait_ready(c, 0, "nvme: CSTS.RDY=0 after CC.EN=0");
}

static int nvme_bring_up(struct nvme *c)
{
	struct nvme_sqe e;
	int r;

	/* §7.6.1 steps 2-5: admin queues, then enable. */
	r = nvme_queue_alloc(c, &c->admin, 0, NVME_ADMIN_DEPTH);
	if (r)
		return r;
	nvme_wr32(c, NVME_REG_INTMS, 0xffffffffu);
	nvme_wr32(c, NVME_REG_AQA, (NVME_ADMIN_DEPTH - 1) << 16 | (NVME_ADMIN_DEPTH - 1));
	nvme_wr64(c, NVME_REG_ASQ, (uintptr_t)c->admin.sq);
	nvme_wr64(c, NVME_REG_ACQ, (uintptr_t)c->admin.cq);
	nvme_wr32(c, NVME_REG_CC, NVME_CC_IOCQES | NVME_CC_IOSQES | NVME_CC_EN);
	r = nvme_wait_ready(c, NVME_CSTS_RDY, "nvme: CSTS.RDY=1 after CC.EN=1");
	if (r)
		return r;
	if (nvme_rd32(c, NVME_REG_CSTS) & NVME_CSTS_CFS) {
		kprintf("nvme: controller fatal status after enable\n");
		return -RD_EIO;
	}

	/* Step 7: one I/O queue pair. The controller may grant more; fine. */
	memset(&e, 0, sizeof(e));
	e.cdw0 = NVME_ADM_SET_FEATURES;
	e.cdw10 = NVME_FEAT_NUM_QUEUES;
	e.cdw11 = 0;			/* 1 SQ, 1 CQ (0's based) */
	r = nvme_admin(c, &e, "nvme: set features (number of queues)");
	if (r)
		return r;
	memset(&e, 0, sizeof(e));
	e.cdw0 = NVME_ADM_CREATE_CQ;
	e.prp1 = (uintptr_t)c->io.cq;
	e.cdw10 = (uint32_t)(c->io.depth - 1) << 16 | 1;
	e.cdw11 = 1;			/* physically contiguous, interrupts off */
	r = nvme_admin(c, &e, "nvme: create I/O completion queue");
	if (r)
		return r;
	memset(&e, 0, sizeof(e));
	e.cdw0 = NVME_ADM_CREATE_SQ;
	e.prp1 = (uintptr_t)c->io.sq;
	e.cdw10 = (uint32_t)(c->io.depth - 1) << 16 | 1;
	e.cdw11 = 1u << 16 | 1;		/* CQ 1, physically contiguous */
	return nvme_admin(c, &e, "nvme: create I/O submission queue");
}

static int nvme_init(struct blkdev *bd)
{
	uint64_t base, size, cap, nsze;
	uint32_t mdts, nn, lbads, flbas, depth;
	struct nvme *c;
	int is_io, r;

	c = hw_alloc(sizeof(*c), 64);
	if (!c)
		return -RD_ENOMEM;
	bd->priv = c;
	c->io_timeout_us = bd->target.io_timeout_ms ?
		(uint64_t)bd->target.io_timeout_ms * 1000 : NVME_IO_TIMEOUT_US;
	c->nsid = bd->target.unit ? bd->target.unit : 1;

	base = pci_bar(&bd->pci, 0, &is_io, &size);
	if (!base || is_io || size < 0x2000) {
		kprintf("nvme: BAR0 unusable (base 0x%lx size 0x%lx)\n",
			(unsigned long)base, (unsigned long)size);
		return -RD_EINVAL;
	}
	r = hw_map_mmio(base, size);
	if (r)
		return r;
	c->regs = base;
	pci_msi_disable(&bd->pci);
	pci_enable(&bd->pci);

	cap = nvme_rd64(c, NVME_REG_CAP);
	c->dstrd = NVME_CAP_DSTRD(cap);
	c->ready_timeout_us = (NVME_CAP_TO(cap) + 1) * NVME_TO_UNIT_US;
	if (!NVME_CAP_CSS_NVM(cap) || NVME_CAP_MPSMIN(cap) != 0) {
		kprintf("nvme: CAP 0x%lx: no NVM command set or no 4 KiB pages\n",
			(unsigned long)cap);
		return -RD_EINVAL;
	}
	if (NVME_REG_DBS + 4u * (4u << c->dstrd) > size) {
		kprintf("nvme: doorbells outside BAR0 (stride %u)\n", 4u << c->dstrd);
		return -RD_EINVAL;
	}
	kprintf("nvme: version 0x%x, CAP.TO %u ms\n", nvme_rd32(c, NVME_REG_VS),
		NVME_CAP_TO(cap) * 500);

	r = nvme_disable(c);
	if (r)
		return r;
	depth = NVME_CAP_MQES(cap) + 1;
	if (depth > NVME_IO_DEPTH)
		depth = NVME_IO_DEPTH;
	if (depth < 2)
		return -RD_EINVAL;
	r = nvme_queue_alloc(c, &c->io, 1, depth);
	if (r)
		return r;
	c->prp = hw_alloc((size_t)BLKQ_MAX_SLOTS * NVME_PAGE, NVME_PAGE);
	c->ident = hw_alloc(NVME_PAGE, NVME_PAGE);
	if (!c->prp || !c->ident)
		return -RD_ENOMEM;

	r = nvme_bring_up(c);
	if (r)
		return r;

	r = nvme_identify(c, NVME_CNS_CONTROLLER, 0, "nvme: identify controller");
	if (r)
		return r;
	mdts = c->ident[NVME_IDC_MDTS];
	memcpy(&nn, c->ident + NVME_IDC_NN, 4);
	c->vwc = c->ident[NVME_IDC_VWC] & 1;
	if (c->nsid > nn) {
		kprintf("nvme: namespace %u does not exist (controller has %u)\n", c->nsid, nn);
		return -RD_EINVAL;
	}
	c->max_xfer = NVME_MAX_XFER;
	if (mdts && mdts < 20 && (NVME_PAGE << mdts) < c->max_xfer)
		c->max_xfer = NVME_PAGE << mdts;

	r = nvme_identify(c, NVME_CNS_NAMESPACE, c->nsid, "nvme: identify namespace");
	if (r)
		return r;
	memcpy(&nsze, c->ident + NVME_IDN_NSZE, 8);
	flbas = c->ident[NVME_IDN_FLBAS] & 0xf;
	if (flbas > c->ident[NVME_IDN_NLBAF]) {
		kprintf("nvme: namespace %u: LBA format %u not listed\n", c->nsid, flbas);
		return -RD_EINVAL;
	}
	lbads = c->ident[NVME_IDN_LBAF + 4 * flbas + 2];
	if (lbads < 9 || lbads > 12 || nsze == 0) {
		kprintf("nvme: namespace %u: %lu blocks of 2^%u bytes; unusable\n",
			c->nsid, (unsigned long)nsze, lbads);
		return -RD_EINVAL;
	}
	c->lba_shift = lbads;
	bd->sector_size = 1u << lbads;
	bd->sectors = nsze;
	bd->max_sectors = NVME_MAX_XFER >> lbads;

	/* One command per slot; the SQ must always have a free entry. A
	 * request above max_xfer takes more than one slot: blkq_begin waits
	 * for them, so every slot may carry a request of its own. */
	blkq_init(&c->q, "nvme", depth - 1, nvme_reap, c);
	bd->max_inflight = c->q.nslots;
	bd->max_segs = BLK_SEG_MAX;
	if (bd->max_inflight > BLKQ_MAX_INFLIGHT)
		bd->max_inflight = BLKQ_MAX_INFLIGHT;
	if (bd->max_inflight == 0)
		bd->max_inflight = 1;
	kprintf("nvme: namespace %u: %lu blocks of %u bytes, %u KiB per command, "
		"queue %u, %u in flight%s\n", c->nsid, (unsigned long)nsze, bd->sector_size,
		c->max_xfer / 1024, depth, bd->max_inflight, c->vwc ? ", write cache" : "");
	return 0;
}

const struct blk_driver nvme_driver = {
	.name = "nvme",
	.match = nvme_match,
	.init = nvme_init,
	.submit_writev = nvme_submit_writev,
	.read = nvme_read,
	.wait = nvme_wait,
	.flush = nvme_flush,
};
