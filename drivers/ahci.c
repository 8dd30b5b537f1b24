/*
 * drivers/ahci.c - polled AHCI (Serial ATA AHCI 1.3.1) for one SATA disk.
 *
 * Take-over of the port the dead kernel was using (rd.unit = port): stop
 * its command engine (§10.1.2: clear PxCMD.ST, wait PxCMD.CR=0; clear FRE,
 * wait FR=0). If the engine does not stop, reset the whole HBA (§10.4.3).
 * Then our command list, received-FIS area and command tables in
 * minikernel memory, errors cleared, the device made ready (§10.4.2
 * COMRESET or command list override when it stays busy), PxCMD.ST set.
 * IDENTIFY DEVICE gives capacity and sector size; data moves with WRITE
 * DMA EXT / READ DMA EXT, durability with FLUSH CACHE EXT (ATA8-ACS).
 *
 * Writes use native command queuing (WRITE FPDMA QUEUED, §9.3) when the
 * HBA (CAP.SNCQ) and the disk (IDENTIFY word 76) support it, one command
 * slot per write, up to the smaller queue depth; otherwise WRITE DMA EXT
 * one at a time. Reads and flushes are non-queued and wait until no queued
 * command is outstanding. A task-file or host-bus error is reported with
 * PxTFD/PxSERR and recovered per §6.2.2. Which queued command failed
 * cannot be told without READ LOG EXT, so every command in flight at the
 * error fails (the writer retries) and from then on writes are non-queued
 * WRITE DMA EXT, one at a time, so each later error names its command.
 */
#include "hw.h"
#include "blkdev.h"
#include "blkq.h"
#include "rawdump/err.h"

/* HBA registers (§3.1) */
#define AHCI_CAP		0x00
#define AHCI_GHC		0x04
#define AHCI_PI			0x0c
#define AHCI_VS			0x10
#define AHCI_CAP_S64A		(1u << 31)
#define AHCI_CAP_SCLO		(1u << 24)
#define AHCI_CAP_SNCQ		(1u << 30)
#define AHCI_CAP_NCS(c)		((((c) >> 8) & 0x1f) + 1)
#define AHCI_CAP_SSS		(1u << 27)
#define AHCI_GHC_HR		(1u << 0)
#define AHCI_GHC_IE		(1u << 1)
#define AHCI_GHC_AE		(1u << 31)

/* Port registers (§3.3) */
#define AHCI_PORT(p)		(0x100 + 0x80 * (p))
#define PX_CLB			0x00
#define PX_CLBU			0x04
#define PX_FB			0x08
#define PX_FBU			0x0c
#define PX_IS			0x10
#define PX_IE			0x14
#define PX_CMD			0x18
#define PX_TFD			0x20
#define PX_SIG			0x24
#define PX_SSTS			0x28
#define PX_SCTL			0x2c
#define PX_SERR			0x30
#define PX_SACT			0x34
#define PX_CI			0x38

#define PX_CMD_ST		(1u << 0)
#define PX_CMD_SUD		(1u << 1)
#define PX_CMD_POD		(1u << 2)
#define PX_CMD_CLO		(1u << 3)
#define PX_CMD_FRE		(1u << 4)
#define PX_CMD_FR		(1u << 14)
#define PX_CMD_CR		(1u << 15)
#define PX_IS_ERRORS		0x7d800010u	/* TFES HBFS HBDS IFS INFS OFS UFS */
#define PX_TFD_ERR		0x01
#define PX_TFD_DRQ		0x08
#define PX_TFD_BSY		0x80
#define PX_SSTS_DET_OK		3
#define PX_SIG_ATA		0x00000101u

/* ATA commands (ATA8-ACS) */
#define ATA_READ_DMA_EXT	0x25
#define ATA_WRITE_DMA_EXT	0x35
#define ATA_FLUSH_CACHE_EXT	0xea
#define ATA_WRITE_FPDMA		0x61
#define ATA_IDENTIFY		0xec
#define FIS_TYPE_H2D		0x27

#define AHCI_CMD_TABLE_SIZE	256	/* CFIS/ACMD/reserved 0x80 + PRDT */
#define AHCI_PRDT_MAX		8
#define AHCI_PRD_MAX_BYTES	(4u * 1024 * 1024)
#define AHCI_MAX_XFER		(1024u * 1024u)
#define AHCI_NCQ_MAX		BLKQ_MAX_SLOTS

#define AHCI_STOP_TIMEOUT_US	(500ull * 1000)		/* §10.1.2: 500 ms */
#define AHCI_HBA_RESET_TIMEOUT_US (1000ull * 1000)	/* §10.4.3: 1 s */
#define AHCI_LINK_TIMEOUT_US	(1000ull * 1000)
#define AHCI_BUSY_TIMEOUT_US	(10ull * 1000 * 1000)	/* spin-up */
#define AHCI_IDENTIFY_TIMEOUT_US (5ull * 1000 * 1000)
#define AHCI_IO_TIMEOUT_US	(20ull * 1000 * 1000)
#define AHCI_FLUSH_TIMEOUT_US	(60ull * 1000 * 1000)
#define AHCI_COMRESET_HOLD_US	2000	/* §10.4.2: at least 1 ms */

struct ahci_cmd_hdr {
	uint32_t flags;		/* CFL 4:0, W 6, C 10, PRDTL 31:16 */
	uint32_t prdbc;
	uint64_t ctba;
	uint32_t rsvd[4];
};

struct ahci_prd {
	uint64_t dba;
	uint32_t rsvd;
	uint32_t dbc;		/* byte count - 1, bit 31 interrupt */
};

_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "AHCI command header is 32 bytes");
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI PRD entry is 16 bytes");
_Static_assert(BLK_SEG_MAX * (AHCI_MAX_XFER / AHCI_PRD_MAX_BYTES + 1) <= AHCI_PRDT_MAX,
	       "a request's segments fit the PRDT");
_Static_assert(0x80 + AHCI_PRDT_MAX * sizeof(struct ahci_prd) <= AHCI_CMD_TABLE_SIZE,
	       "PRDT fits the command table");

struct ahci {
	uint64_t abar, port;
	uint32_t cap, pn;
	struct ahci_cmd_hdr *clist;	/* DMA: 32 headers, 1 KiB aligned */
	uint8_t *fis;			/* DMA: 256 bytes */
	uint8_t *tables;		/* DMA: one command table per slot */
	uint16_t *ident;		/* DMA: 512 bytes */
	struct blkq q;
	uint32_t lba_shift;		/* sector bytes = 1 << lba_shift */
	uint32_t nslots;		/* command slots the HBA has */
	int ncq;			/* queued writes; off after the first error */
	uint64_t io_timeout_us;
	uint8_t slot_cmd[AHCI_NCQ_MAX];	/* for error messages */
	uint64_t slot_lba[AHCI_NCQ_MAX];
};

static int ahci_match(const struct pci_dev *pd)
{
	/* Mass storage, SATA controller, AHCI 1.0 interface. */
	return pd->class_code == 0x01 && pd->subclass == 0x06 && pd->prog_if == 0x01;
}

static uint32_t ahci_rd(struct ahci *h, uint32_t r) { return mmio_read32(h->abar + r); }
static void ahci_wr(struct ahci *h, uint32_t r, uint32_t v) { mmio_write32(h->abar + r, v); }
static uint32_t ahci_port_rd(struct ahci *h, uint32_t r) { return mmio_read32(h->port + r); }
static void ahci_port_wr(struct ahci *h, uint32_t r, uint32_t v) { mmio_write32(h->port + r, v); }

/* Poll a port register until (reg & mask) == want, under a named deadline. */
static int ahci_port_wait(struct ahci *h, uint32_t reg, uint32_t mask, uint32_t want,
			  const char *what, uint64_t limit_us)
{
	return HW_POLL_UNTIL((ahci_port_rd(h, reg) & mask) == want, what, limit_us);
}

/* §10.1.2: stop the command engine and the FIS receive engine. */
static int ahci_port_stop(struct ahci *h)
{
	uint32_t cmd = ahci_port_rd(h, PX_CMD);
	int r;

	if (cmd & (PX_CMD_ST | PX_CMD_CR)) {
		ahci_port_wr(h, PX_CMD, cmd & ~PX_CMD_ST);
		r = ahci_port_wait(h, PX_CMD, PX_CMD_CR, 0, "ahci: PxCMD.CR=0 after ST=0",
				   AHCI_STOP_TIMEOUT_US);
		if (r)
			return r;
	}
	cmd = ahci_port_rd(h, PX_CMD);
	if (cmd & (PX_CMD_FRE | PX_CMD_FR)) {
		ahci_port_wr(h, PX_CMD, cmd & ~PX_CMD_FRE);
		r = ahci_port_wait(h, PX_CMD, PX_CMD_FR, 0, "ahci: PxCMD.FR=0 after FRE=0",
				   AHCI_STOP_TIMEOUT_US);
		if (r)
			return r;
	}
	return 0;
}

/* §10.4.3: HBA reset, then AHCI mode again. */
static int ahci_hba_reset(struct ahci *h)
{
	int rc;

	kprintf("ahci: port %u engine will not stop; resetting the HBA\n", h->pn);
	ahci_wr(h, AHCI_GHC, ahci_rd(h, AHCI_GHC) | AHCI_GHC_HR);
	rc = HW_POLL_UNTIL(!(ahci_rd(h, AHCI_GHC) & AHCI_GHC_HR), "ahci: GHC.HR=0 after HBA reset",
			   AHCI_HBA_RESET_TIMEOUT_US);
	if (rc)
		return rc;
	ahci_wr(h, AHCI_GHC, AHCI_GHC_AE);
	return 0;
}

/* §10.4.2 COMRESET: DET=1 for at least 1 ms, DET=0, wait for the link. */
static int ahci_comreset(struct ahci *h)
{
	uint32_t sctl = ahci_port_rd(h, PX_SCTL) & ~0xfu;

	ahci_port_wr(h, PX_SCTL, sctl | 1);
	hw_udelay(AHCI_COMRESET_HOLD_US);
	ahci_port_wr(h, PX_SCTL, sctl);
	return ahci_port_wait(h, PX_SSTS, 0xf, PX_SSTS_DET_OK, "ahci: link up after COMRESET",
			      AHCI_LINK_TIMEOUT_US);
}

/* Clear errors, make sure the device is not busy, start the engine.
 * Used at bring-up and for §6.2.2 recovery after an error. */
static int ahci_port_start(struct ahci *h)
{
	int r;

	ahci_port_wr(h, PX_SERR, 0xffffffffu);
	ahci_port_wr(h, PX_IS, 0xffffffffu);
	ahci_port_wr(h, PX_CMD, ahci_port_rd(h, PX_CMD) | PX_CMD_FRE);
	if (ahci_port_rd(h, PX_TFD) & (PX_TFD_BSY | PX_TFD_DRQ)) {
		/* §10.4.2: command list override if the HBA has it, else (or
		 * if it does not take) COMRESET. */
		r = -RD_EINVAL;
		if (h->cap & AHCI_CAP_SCLO) {
			ahci_port_wr(h, PX_CMD, ahci_port_rd(h, PX_CMD) | PX_CMD_CLO);
			r = ahci_port_wait(h, PX_CMD, PX_CMD_CLO, 0, "ahci: command list override",
					   AHCI_STOP_TIMEOUT_US);
		}
		if (r)
			r = ahci_comreset(h);
		if (r)
			return r;
		r = ahci_port_wait(h, PX_TFD, PX_TFD_BSY | PX_TFD_DRQ, 0,
				   "ahci: device not busy", AHCI_BUSY_TIMEOUT_US);
		if (r)
			return r;
		ahci_port_wr(h, PX_SERR, 0xffffffffu);
		ahci_port_wr(h, PX_IS, 0xffffffffu);
	}
	ahci_port_wr(h, PX_CMD, ahci_port_rd(h, PX_CMD) | PX_CMD_ST);
	/* what the device reported about earlier commands is not ours */
	ahci_port_wr(h, PX_IS, 0xffffffffu);
	return 0;
}

/* Build and issue one command in slot s. sg/len: data (len 0 for none),
 * one PRD per segment piece of at most 4 MiB (§4.2.3: even byte count,
 * word-aligned address, as blkdev.h's segment shape guarantees). */
static void ahci_issue(struct ahci *h, uint32_t s, uint8_t ata_cmd, int write, uint64_t lba,
		       uint32_t count, struct blk_sg *sg, uint32_t len)
{
	uint64_t buf = 0;
	struct ahci_cmd_hdr *ch = &h->clist[s];
	uint8_t *table = h->tables + (uint64_t)s * AHCI_CMD_TABLE_SIZE;
	struct ahci_prd *prd = (struct ahci_prd *)(table + 0x80);
	uint8_t *fis = table;
	uint32_t n = 0, chunk;

	memset(table, 0, AHCI_CMD_TABLE_SIZE);
	fis[0] = FIS_TYPE_H2D;
	fis[1] = 0x80;			/* C: command register update */
	fis[2] = ata_cmd;
	fis[4] = lba;
	fis[5] = lba >> 8;
	fis[6] = lba >> 16;
	fis[7] = ata_cmd == ATA_IDENTIFY ? 0 : 0x40;	/* LBA mode */
	fis[8] = lba >> 24;
	fis[9] = lba >> 32;
	fis[10] = lba >> 40;
	if (ata_cmd == ATA_WRITE_FPDMA) {
		/* count in the features registers, tag in count (ATA8-ACS 7.53) */
		fis[3] = count;
		fis[11] = count >> 8;
		fis[12] = s << 3;
	} else {
		fis[12] = count;
		fis[13] = count >> 8;
	}
	while (len && n < AHCI_PRDT_MAX) {
		chunk = blk_sg_take(sg, len < AHCI_PRD_MAX_BYTES ? len : AHCI_PRD_MAX_BYTES, 0, &buf);
		if (!chunk)
			break;
		prd[n].dba = buf;
		prd[n].dbc = chunk - 1;
		len -= chunk;
		n++;
	}
	if (len)	/* the static assert on the PRDT rules this out */
		kprintf("ahci: %u bytes of the request did not fit the PRDT\n", len);
	ch->flags = 5 | (write ? 1u << 6 : 0) | n << 16;	/* CFL = 5 dwords */
	ch->prdbc = 0;
	ch->ctba = (uintptr_t)table;
	h->slot_cmd[s] = ata_cmd;
	h->slot_lba[s] = lba;
	hw_mb();
	if (ata_cmd == ATA_WRITE_FPDMA)
		ahci_port_wr(h, PX_SACT, 1u << s);
	ahci_port_wr(h, PX_CI, 1u << s);
}

/* blkq reap(): commands whose PxCI and PxSACT bits cleared finished well;
 * on a port error every command in flight fails and the port recovers. */
static int ahci_reap(void *dev)
{
	struct ahci *h = dev;
	uint32_t is, tfd, busy, s, first = 0;
	int r;

	if (h->q.busy == 0)
		return 0;
	/* Slot bits first: a command that failed may have its bit cleared
	 * too, but then the error status is already visible below. */
	busy = ahci_port_rd(h, PX_CI) | ahci_port_rd(h, PX_SACT);
	is = ahci_port_rd(h, PX_IS);
	tfd = ahci_port_rd(h, PX_TFD);
	if (!(is & PX_IS_ERRORS)) {
		ahci_port_wr(h, PX_IS, is);
		for (s = 0; s < h->q.nslots; s++) {
			if (!h->q.slot[s].busy || (busy & (1u << s)))
				continue;
			/* a non-queued command runs alone: PxTFD is its status */
			if (h->slot_cmd[s] != ATA_WRITE_FPDMA && (tfd & PX_TFD_ERR))
				break;
			blkq_complete(&h->q, s, 0);
		}
		if (s == h->q.nslots)
			return 0;
	}
	for (s = 0; s < h->q.nslots; s++)
		if (h->q.slot[s].busy) {
			first = s;
			break;
		}
	kprintf("ahci: port %u command 0x%02x (LBA %lu) failed: PxIS 0x%x, status 0x%02x, "
		"error 0x%02x, PxSERR 0x%x, %u in flight\n", h->pn, h->slot_cmd[first],
		(unsigned long)h->slot_lba[first], is, tfd & 0xff, (tfd >> 8) & 0xff,
		ahci_port_rd(h, PX_SERR), h->q.busy);
	for (s = 0; s < h->q.nslots; s++)
		if (h->q.slot[s].busy)
			blkq_complete(&h->q, s, -RD_EIO);
	h->ncq = 0;
	/* §6.2.2: stop (clears PxCI, PxSACT), clear errors, override, restart. */
	r = ahci_port_stop(h);
	if (r == 0)
		r = ahci_port_start(h);
	return r;
}

static long ahci_submit(struct ahci *h, uint8_t ata_cmd, int write, uint64_t lba,
			const struct blk_seg *segs, uint32_t nseg, uint32_t len)
{
	struct blk_sg sg = { segs, nseg, 0, 0 };
	const char *what = write ? "ahci: write completion" :
			   ata_cmd == ATA_READ_DMA_EXT ? "ahci: read completion" :
			   ata_cmd == ATA_IDENTIFY ? "ahci: identify completion" :
			   "ahci: flush completion";
	uint64_t limit = ata_cmd == ATA_FLUSH_CACHE_EXT ? AHCI_FLUSH_TIMEOUT_US :
			 ata_cmd == ATA_IDENTIFY ? AHCI_IDENTIFY_TIMEOUT_US : h->io_timeout_us;
	long tag;
	int r, s;

	/* A non-queued command runs alone (SATA 1.3 §13.6.1.1). */
	if (ata_cmd != ATA_WRITE_FPDMA) {
		r = blkq_drain(&h->q);
		if (r)
			return r;
	}
	tag = blkq_begin(&h->q, 1);
	if (tag < 0)
		return tag;
	s = blkq_issue(&h->q, tag, what, limit);
	if (s < 0) {
		blkq_abort(&h->q, tag);
		return s;
	}
	ahci_issue(h, s, ata_cmd, write, lba,
		   ata_cmd == ATA_IDENTIFY ? 0 : len >> h->lba_shift, &sg, len);
	return tag;
}

static long ahci_submit_writev(struct blkdev *bd, uint64_t lba, const struct blk_seg *segs,
			       uint32_t nseg, uint32_t n)
{
	struct ahci *h = bd->priv;

	return ahci_submit(h, h->ncq ? ATA_WRITE_FPDMA : ATA_WRITE_DMA_EXT, 1, lba,
			   segs, nseg, n << h->lba_shift);
}

/* One segment for a read or IDENTIFY. */
static long ahci_submit_buf(struct ahci *h, uint8_t ata_cmd, uint64_t lba, void *buf,
			    uint32_t len)
{
	struct blk_seg seg = { (uintptr_t)buf, len };

	return ahci_submit(h, ata_cmd, 0, lba, &seg, 1, len);
}

static int ahci_wait(struct blkdev *bd, long tag)
{
	struct ahci *h = bd->priv;

	return blkq_wait(&h->q, tag);
}

static int ahci_read(struct blkdev *bd, uint64_t lba, void *buf, uint32_t n)
{
	struct ahci *h = bd->priv;
	long tag = ahci_submit_buf(h, ATA_READ_DMA_EXT, lba, buf, n << h->lba_shift);

	return tag < 0 ? (int)tag : blkq_wait(&h->q, tag);
}

static int ahci_flush(struct blkdev *bd)
{
	struct ahci *h = bd->priv;
	long tag;
	int r;

	r = blkq_drain(&h->q);
	if (r)
		return r;
	blkq_report(&h->q);
	tag = ahci_submit(h, ATA_FLUSH_CACHE_EXT, 0, 0, 0, 0, 0);
	return tag < 0 ? (int)tag : blkq_wait(&h->q, tag);
}

/* IDENTIFY DEVICE (ATA8-ACS 7.16): LBA48 capacity and logical sector size. */
static int ahci_identify(struct ahci *h, struct blkdev *bd)
{
	uint64_t sectors = 0;
	uint32_t ss = 512, depth;
	long tag;
	int i, r;

	tag = ahci_submit_buf(h, ATA_IDENTIFY, 0, h->ident, 512);
	if (tag < 0)
		return tag;
	r = blkq_wait(&h->q, tag);
	if (r)
		return r;
	if (!(h->ident[83] & (1u << 10))) {
		kprintf("ahci: device has no 48-bit addressing\n");
		return -RD_EINVAL;
	}
	for (i = 3; i >= 0; i--)
		sectors = sectors << 16 | h->ident[100 + i];
	if ((h->ident[106] & 0xc000) == 0x4000 && (h->ident[106] & (1u << 12)))
		ss = 2 * (h->ident[117] | (uint32_t)h->ident[118] << 16);
	if (ss < 512 || ss > 4096 || (ss & (ss - 1)) || sectors == 0) {
		kprintf("ahci: identify says %lu sectors of %u bytes\n", (unsigned long)sectors, ss);
		return -RD_EINVAL;
	}
	while ((1u << h->lba_shift) < ss)
		h->lba_shift++;
	bd->sector_size = ss;
	bd->sectors = sectors;
	bd->max_sectors = AHCI_MAX_XFER / ss;
	bd->max_inflight = 1;
	bd->max_segs = BLK_SEG_MAX;
	/* NCQ (ATA8-ACS IDENTIFY word 75: depth - 1, word 76 bit 8: supported) */
	if ((h->cap & AHCI_CAP_SNCQ) && (h->ident[76] & (1u << 8)) &&
	    h->ident[76] != 0xffff) {
		depth = (h->ident[75] & 0x1f) + 1;
		if (depth > h->nslots)
			depth = h->nslots;
		if (depth > 1) {
			h->ncq = 1;
			blkq_init(&h->q, "ahci", depth, ahci_reap, h);
			bd->max_inflight = depth < BLKQ_MAX_INFLIGHT ? depth : BLKQ_MAX_INFLIGHT;
		}
	}
	return 0;
}

static int ahci_init(struct blkdev *bd)
{
	uint64_t base, size;
	struct ahci *h;
	uint32_t pi, ssts, sig;
	int is_io, r;

	h = hw_alloc(sizeof(*h), 64);
	if (!h)
		return -RD_ENOMEM;
	bd->priv = h;
	h->pn = bd->target.unit;
	h->io_timeout_us = bd->target.io_timeout_ms ?
		(uint64_t)bd->target.io_timeout_ms * 1000 : AHCI_IO_TIMEOUT_US;
	base = pci_bar(&bd->pci, 5, &is_io, &size);
	if (!base || is_io || size < AHCI_PORT(h->pn) + 0x80 || h->pn > 31) {
		kprintf("ahci: ABAR (BAR5 0x%lx, 0x%lx bytes) has no port %u\n",
			(unsigned long)base, (unsigned long)size, h->pn);
		return -RD_EINVAL;
	}
	r = hw_map_mmio(base, size);
	if (r)
		return r;
	h->abar = base;
	h->port = base + AHCI_PORT(h->pn);
	pci_msi_disable(&bd->pci);
	pci_enable(&bd->pci);

	ahci_wr(h, AHCI_GHC, (ahci_rd(h, AHCI_GHC) | AHCI_GHC_AE) & ~AHCI_GHC_IE);
	h->cap = ahci_rd(h, AHCI_CAP);
	pi = ahci_rd(h, AHCI_PI);
	kprintf("ahci: version 0x%x, CAP 0x%x, ports 0x%x\n", ahci_rd(h, AHCI_VS), h->cap, pi);
	if (!(pi & (1u << h->pn))) {
		kprintf("ahci: port %u not implemented\n", h->pn);
		return -RD_EINVAL;
	}

	/* 1. Stop whatever the dead kernel left running on the port. */
	if (ahci_port_stop(h)) {
		r = ahci_hba_reset(h);
		if (r)
			return r;
		r = ahci_port_stop(h);
		if (r)
			return r;
	}

	/* 2. Our command list, FIS area, command table (64-bit if CAP.S64A). */
	h->clist = hw_alloc(32 * sizeof(struct ahci_cmd_hdr), 1024);
	h->fis = hw_alloc(256, 256);
	h->nslots = AHCI_CAP_NCS(h->cap);
	if (h->nslots > AHCI_NCQ_MAX)
		h->nslots = AHCI_NCQ_MAX;
	h->tables = hw_alloc((size_t)h->nslots * AHCI_CMD_TABLE_SIZE, 128);
	h->ident = hw_alloc(512, 512);
	if (!h->clist || !h->fis || !h->tables || !h->ident)
		return -RD_ENOMEM;
	if (!(h->cap & AHCI_CAP_S64A) && ((uintptr_t)h->clist >> 32 ||
	    ((uintptr_t)h->tables + h->nslots * AHCI_CMD_TABLE_SIZE) >> 32)) {
		kprintf("ahci: 32-bit HBA and our memory is above 4 GiB\n");
		return -RD_EINVAL;
	}
	ahci_port_wr(h, PX_CLB, (uint32_t)(uintptr_t)h->clist);
	ahci_port_wr(h, PX_CLBU, (uint32_t)((uintptr_t)h->clist >> 32));
	ahci_port_wr(h, PX_FB, (uint32_t)(uintptr_t)h->fis);
	ahci_port_wr(h, PX_FBU, (uint32_t)((uintptr_t)h->fis >> 32));
	ahci_port_wr(h, PX_IE, 0);
	if (h->cap & AHCI_CAP_SSS)
		ahci_port_wr(h, PX_CMD, ahci_port_rd(h, PX_CMD) | PX_CMD_SUD | PX_CMD_POD);

	/* 3. A device on the link (§10.1.1), else try a COMRESET. */
	ssts = ahci_port_rd(h, PX_SSTS);
	if ((ssts & 0xf) != PX_SSTS_DET_OK) {
		r = ahci_comreset(h);
		if (r) {
			kprintf("ahci: port %u: no device (PxSSTS 0x%x)\n", h->pn, ssts);
			return r;
		}
	}

	/* 4. Errors cleared, device not busy, engine on. */
	r = ahci_port_start(h);
	if (r)
		return r;
	sig = ahci_port_rd(h, PX_SIG);
	if (sig != PX_SIG_ATA)
		kprintf("ahci: port %u signature 0x%x is not an ATA disk\n", h->pn, sig);

	blkq_init(&h->q, "ahci", 1, ahci_reap, h);
	r = ahci_identify(h, bd);
	if (r)
		return r;
	kprintf("ahci: port %u: %lu sectors of %u bytes, %s, %u in flight\n", h->pn,
		(unsigned long)bd->sectors, bd->sector_size, h->ncq ? "NCQ" : "no NCQ",
		bd->max_inflight);
	return 0;
}

const struct blk_driver ahci_driver = {
	.name = "ahci",
	.match = ahci_match,
	.init = ahci_init,
	.submit_writev = ahci_submit_writev,
	.read = ahci_read,
	.wait = ahci_wait,
	.flush = ahci_flush,
};
