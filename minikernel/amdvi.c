/*
 * minikernel/amdvi.c - an AMD IOMMU (AMD-Vi) left on by the crashed kernel.
 *
 * With the IOMMU on, the disk controller's DMA goes through the dead
 * kernel's device table and I/O page tables, where our buffers (and, with
 * zero-copy, the pages being dumped) are not mapped. We never write the
 * dead kernel's tables, logs or buffers (they are memory we dump). Instead
 * (AMD I/O Virtualization Technology (IOMMU) Specification, 48882: the
 * device table entry, the command buffer, the MMIO registers, IVRS):
 *   1. find the IOMMU whose IVHD block in the ACPI IVRS table names the dump
 *      device (select, range or ALL entries of the device's PCI segment),
 *      the alias it requests DMA under, if any, and the highest DeviceID
 *      the block names: our device table must cover every one;
 *   2. IommuEn clear: nothing to do;
 *   3. stop every log the IOMMU writes into memory (event, PPR, GA logs:
 *      their buffers are in the dead kernel's memory) and its command
 *      buffer, then give it a command buffer of our own;
 *   4. a device table of our own, in our own memory: the dump device (and
 *      its alias) V=1 TV=1 Mode=0 IR=IW=1, i.e. untranslated pass-through;
 *      every other DeviceID V=1 TV=1 Mode=0 IR=IW=0, i.e. blocked, so a
 *      device still doing DMA from before the crash cannot scribble over
 *      the evidence (a zeroed entry, V=0, would let it through untranslated);
 *      the exclusion range is turned off (it bypasses the device table);
 *   5. Device Table Base pointed at it (with the IOMMU on when only the low
 *      half of the register changes: the hardware takes the 64-bit value as
 *      two 32-bit writes; otherwise IommuEn off for the write), then
 *      INVALIDATE_IOMMU_ALL (or, without EFR.IASup, INVALIDATE_DEVTAB_ENTRY
 *      for every entry and INVALIDATE_IOMMU_PAGES for the domains we use)
 *      and COMPLETION_WAIT storing into our memory. Translation stays on;
 *   6. a device table too large for our heap (the IVHD names DeviceIDs far
 *      above the dump device's): translation is turned off instead (IommuEn
 *      clear), said on the console: other devices' DMA is then unconfined.
 * Registers that would lie in memory being dumped (a corrupt IVRS) are not
 * touched. Every wait has a named deadline; a failure is reported and the
 * dump is tried anyway (minikernel/dump.c).
 */
#include "mk.h"
#include "pci.h"

#define AMDVI_DEVTAB_BASE	0x0000
#define AMDVI_CMDBUF_BASE	0x0008
#define AMDVI_EVTLOG_BASE	0x0010
#define AMDVI_CONTROL		0x0018
#define AMDVI_EXCL_BASE		0x0020
#define AMDVI_EFR		0x0030
#define AMDVI_CMD_HEAD		0x2000
#define AMDVI_CMD_TAIL		0x2008
#define AMDVI_STATUS		0x2020
#define AMDVI_REG_SIZE		0x4000

#define AMDVI_CTL_IOMMU_EN	(1ull << 0)
#define AMDVI_CTL_EVTLOG_EN	(1ull << 2)
#define AMDVI_CTL_EVT_INT_EN	(1ull << 3)
#define AMDVI_CTL_COMWAIT_INT	(1ull << 4)
#define AMDVI_CTL_CMDBUF_EN	(1ull << 12)
#define AMDVI_CTL_PPRLOG_EN	(1ull << 13)
#define AMDVI_CTL_PPR_INT_EN	(1ull << 14)
#define AMDVI_CTL_PPR_EN	(1ull << 15)
#define AMDVI_CTL_GALOG_EN	(1ull << 28)
#define AMDVI_CTL_GA_INT_EN	(1ull << 29)
/* everything that makes the IOMMU write memory or interrupt on its own */
#define AMDVI_CTL_LOGS		(AMDVI_CTL_EVTLOG_EN | AMDVI_CTL_EVT_INT_EN | \
				 AMDVI_CTL_COMWAIT_INT | AMDVI_CTL_PPRLOG_EN | \
				 AMDVI_CTL_PPR_INT_EN | AMDVI_CTL_PPR_EN | \
				 AMDVI_CTL_GALOG_EN | AMDVI_CTL_GA_INT_EN)

#define AMDVI_STS_EVTLOG_RUN	(1u << 3)
#define AMDVI_STS_CMDBUF_RUN	(1u << 4)
#define AMDVI_EFR_IA		(1ull << 6)	/* INVALIDATE_IOMMU_ALL supported */
#define AMDVI_EXCL_EN		(1ull << 0)

/* Device table entry, 256 bits: quad 0 and quad 1 */
#define AMDVI_DTE_V		(1ull << 0)
#define AMDVI_DTE_TV		(1ull << 1)
#define AMDVI_DTE_IR		(1ull << 61)
#define AMDVI_DTE_IW		(1ull << 62)
#define AMDVI_DTE_SE		(1ull << 33)	/* quad 1: suppress page fault events */
#define AMDVI_DTE_SA		(1ull << 34)	/* quad 1: ... all of them */
#define AMDVI_DTE_SIZE		32u
#define AMDVI_DOMAIN		1u		/* the dump device's; blocked ones: 0 */
#define AMDVI_DEVTAB_MAX	(256u * 1024u)	/* 8192 DeviceIDs: buses 0..31 */

/* Commands, 128 bits, opcode in bits 63:60 */
#define AMDVI_CMD_COMPLETION_WAIT	(1ull << 60)
#define AMDVI_CMD_INV_DEVTAB_ENTRY	(2ull << 60)
#define AMDVI_CMD_INV_IOMMU_PAGES	(3ull << 60)
#define AMDVI_CMD_INV_IOMMU_ALL		(8ull << 60)
#define AMDVI_CW_STORE			(1ull << 0)
#define AMDVI_INV_ALL_PAGES		(0x7ffffffffffff000ull | 3)	/* S=1, PDE=1 */
#define AMDVI_CMDBUF_LEN_CODE		8ull	/* 2^8 entries = 4 KiB */
#define AMDVI_CMDBUF_SIZE		4096u

#define AMDVI_TIMEOUT_US	(100u * 1000u)	/* register handshakes, command completion */
#define AMDVI_NO_DEVID		0x10000u

struct amdvi_unit {
	uint64_t base;			/* MMIO registers */
	uint32_t devid, alias;		/* the dump device; alias (or AMDVI_NO_DEVID) */
	uint32_t max_devid;		/* highest DeviceID the IVHD names */
	int coherent;			/* IVHD flags: table walks snoop caches */
	uint64_t *cmd;			/* our command buffer */
	uint32_t tail;			/* its tail, in bytes */
	volatile uint64_t *sem;		/* COMPLETION_WAIT stores here */
};

static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* Walk one IVHD block's device entries: does it name the
 * device, under which alias, and the highest DeviceID it names. */
static int ivhd_covers(const uint8_t *p, const uint8_t *end, struct amdvi_unit *u)
{
	uint32_t start = AMDVI_NO_DEVID, start_alias = AMDVI_NO_DEVID;
	int covers = 0;

	while (p + 4 <= end) {
		uint8_t type = p[0];
		uint32_t id = (uint32_t)p[1] | (uint32_t)p[2] << 8, len;

		if (type == 0xf0)		/* ACPI HID: 22 bytes + UID */
			len = p + 22 <= end ? 22u + p[21] : 0;
		else if (type < 0x80)		/* 4, 8 bytes by type[7:6] */
			len = 4u << (type >> 6);
		else
			break;			/* unknown length: stop here */
		if (!len || len > (uint32_t)(end - p))
			break;
		switch (type) {
		case 0x01:			/* all devices */
			covers = 1;
			u->max_devid = 0xffff;
			break;
		case 0x02: case 0x42: case 0x46:	/* one device (alias: 0x42) */
			u->max_devid = max_u32(u->max_devid, id);
			if (id == u->devid) {
				covers = 1;
				if (type == 0x42)
					u->alias = (uint32_t)p[5] | (uint32_t)p[6] << 8;
			}
			if (type == 0x42)
				u->max_devid = max_u32(u->max_devid, (uint32_t)p[5] | (uint32_t)p[6] << 8);
			break;
		case 0x03: case 0x43: case 0x47:	/* start of a range */
			start = id;
			start_alias = type == 0x43 ? ((uint32_t)p[5] | (uint32_t)p[6] << 8) : AMDVI_NO_DEVID;
			if (start_alias != AMDVI_NO_DEVID)
				u->max_devid = max_u32(u->max_devid, start_alias);
			break;
		case 0x04:			/* end of the range */
			if (start != AMDVI_NO_DEVID && start <= id) {
				u->max_devid = max_u32(u->max_devid, id);
				if (u->devid >= start && u->devid <= id) {
					covers = 1;
					u->alias = start_alias;
				}
			}
			start = AMDVI_NO_DEVID;
			break;
		}
		p += len;
	}
	return covers;
}

/* The IOMMU for the device: 0 and u filled, or -RD_EINVAL. Several IVHD
 * blocks may describe one IOMMU (types 10h, 11h, 40h): the DeviceIDs of
 * every block with that base count. */
static int ivrs_unit_for(const struct acpi_hdr *ivrs, const struct pci_addr *dev,
			 struct amdvi_unit *u)
{
	const uint8_t *t = (const uint8_t *)ivrs, *end = t + ivrs->len, *p;
	int pass;

	u->base = 0;
	u->devid = (uint32_t)dev->bus << 8 | (uint32_t)dev->dev << 3 | dev->fn;
	u->alias = AMDVI_NO_DEVID;
	u->max_devid = 0;
	for (pass = 0; pass < 2; pass++) {
		for (p = t + 48; p + 4 <= end; ) {
			uint8_t type = p[0], flags = p[1];
			uint16_t len, seg;
			uint64_t base;
			uint32_t hdr;
			struct amdvi_unit probe = *u;

			memcpy(&len, p + 2, 2);
			if (len < 4 || len > end - p)
				break;
			hdr = type == 0x10 ? 24 : (type == 0x11 || type == 0x40) ? 40 : 0;
			if (hdr && len >= hdr) {
				memcpy(&base, p + 8, 8);
				memcpy(&seg, p + 16, 2);
				if (seg == dev->seg && pass == 0 && !u->base &&
				    ivhd_covers(p + hdr, p + len, &probe)) {
					u->base = base;
					u->alias = probe.alias;
					u->coherent = !!(flags & 0x20);
				}
				if (seg == dev->seg && pass == 1 && base == u->base) {
					ivhd_covers(p + hdr, p + len, &probe);
					u->max_devid = max_u32(u->max_devid, probe.max_devid);
				}
			}
			p += len;
		}
		if (!u->base)
			return -RD_EINVAL;
	}
	return 0;
}

static int amdvi_wait_status(struct amdvi_unit *u, uint32_t bit, uint32_t want, const char *what)
{
	struct hw_deadline d;

	hw_deadline_start(&d, what, AMDVI_TIMEOUT_US);
	while ((mmio_read32(u->base + AMDVI_STATUS) & bit) != want) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	return 0;
}

/* Queue one command (waits while the buffer is full). */
static int amdvi_cmd(struct amdvi_unit *u, uint64_t q0, uint64_t q1)
{
	uint32_t next = (u->tail + 16) % AMDVI_CMDBUF_SIZE;
	struct hw_deadline d;

	hw_deadline_start(&d, "iommu: AMD-Vi command buffer space", AMDVI_TIMEOUT_US);
	while ((mmio_read64(u->base + AMDVI_CMD_HEAD) & 0x7fff0) == next) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	u->cmd[u->tail / 8] = q0;
	u->cmd[u->tail / 8 + 1] = q1;
	if (!u->coherent)
		mk_clflush(&u->cmd[u->tail / 8], 16);
	hw_mb();
	u->tail = next;
	mmio_write64(u->base + AMDVI_CMD_TAIL, u->tail);
	return 0;
}

/* COMPLETION_WAIT: every command before it has completed. */
static int amdvi_sync(struct amdvi_unit *u, uint64_t token)
{
	struct hw_deadline d;
	int err;

	*u->sem = 0;
	hw_mb();
	err = amdvi_cmd(u, AMDVI_CMD_COMPLETION_WAIT | AMDVI_CW_STORE |
			((uint64_t)(uintptr_t)u->sem & 0x000ffffffffffff8ull), token);
	if (err)
		return err;
	hw_deadline_start(&d, "iommu: AMD-Vi completion wait", AMDVI_TIMEOUT_US);
	while (*u->sem != token) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	return 0;
}

static void amdvi_control(struct amdvi_unit *u, uint64_t ctl)
{
	mmio_write64(u->base + AMDVI_CONTROL, ctl);
}

/* V=1 TV=1 Mode=0: no translation, access as IR and IW say */
static void amdvi_dte(uint64_t *dte, uint32_t id, int pass)
{
	dte[id * 4] = AMDVI_DTE_V | AMDVI_DTE_TV |
		      (pass ? AMDVI_DTE_IR | AMDVI_DTE_IW : 0);
	dte[id * 4 + 1] = AMDVI_DTE_SE | AMDVI_DTE_SA | (pass ? AMDVI_DOMAIN : 0);
}

/* 3. no log into the dead kernel's memory; our command buffer */
static int amdvi_own_cmdbuf(struct amdvi_unit *u, uint64_t *ctl)
{
	int err;

	*ctl &= ~(AMDVI_CTL_LOGS | AMDVI_CTL_CMDBUF_EN);
	amdvi_control(u, *ctl);
	err = amdvi_wait_status(u, AMDVI_STS_CMDBUF_RUN | AMDVI_STS_EVTLOG_RUN, 0,
				"iommu: AMD-Vi command buffer and event log stop");
	if (err)
		return err;
	u->cmd = hw_alloc(AMDVI_CMDBUF_SIZE, 4096);
	u->sem = hw_alloc(64, 64);
	if (!u->cmd || !u->sem)
		return -RD_ENOMEM;
	mmio_write64(u->base + AMDVI_CMDBUF_BASE, (uint64_t)(uintptr_t)u->cmd |
		     AMDVI_CMDBUF_LEN_CODE << 56);
	mmio_write64(u->base + AMDVI_CMD_HEAD, 0);
	mmio_write64(u->base + AMDVI_CMD_TAIL, 0);
	u->tail = 0;
	*ctl |= AMDVI_CTL_CMDBUF_EN;
	amdvi_control(u, *ctl);
	return amdvi_wait_status(u, AMDVI_STS_CMDBUF_RUN, AMDVI_STS_CMDBUF_RUN,
				 "iommu: AMD-Vi command buffer start");
}

/* 5. invalidate what the IOMMU cached from the dead kernel's tables */
static int amdvi_invalidate(struct amdvi_unit *u, uint64_t efr, uint32_t entries)
{
	uint32_t id;
	int err = 0;

	if (efr & AMDVI_EFR_IA) {
		err = amdvi_cmd(u, AMDVI_CMD_INV_IOMMU_ALL, 0);
		return err ? err : amdvi_sync(u, 1);
	}
	for (id = 0; id < entries && !err; id++) {
		err = amdvi_cmd(u, AMDVI_CMD_INV_DEVTAB_ENTRY | id, 0);
		if (!err && id % 128 == 127)
			err = amdvi_sync(u, 2 + id);
	}
	if (!err)
		err = amdvi_cmd(u, AMDVI_CMD_INV_IOMMU_PAGES | (uint64_t)AMDVI_DOMAIN << 32,
				AMDVI_INV_ALL_PAGES);
	if (!err)
		err = amdvi_cmd(u, AMDVI_CMD_INV_IOMMU_PAGES, AMDVI_INV_ALL_PAGES);
	return err ? err : amdvi_sync(u, 1);
}

static int amdvi_unit_takeover(struct amdvi_unit *u, const struct iommu_dumped *dumped)
{
	uint64_t ctl, efr, old, devtab, *dte;
	uint32_t entries, bytes, id;
	int err;

	err = iommu_regs_ok(u->base, AMDVI_REG_SIZE, dumped);
	if (!err)
		err = hw_map_mmio(u->base, AMDVI_REG_SIZE);
	if (err)
		return err;
	ctl = mmio_read64(u->base + AMDVI_CONTROL);
	efr = mmio_read64(u->base + AMDVI_EFR);
	old = mmio_read64(u->base + AMDVI_DEVTAB_BASE);
	if (!(ctl & AMDVI_CTL_IOMMU_EN)) {
		kprintf("iommu: AMD-Vi unit %lx: DMA translation is off\n", u->base);
		return 0;
	}
	kprintf("iommu: AMD-Vi unit %lx: DMA translation is on (control %lx efr %lx "
		"device table %lx)\n", u->base, ctl, efr, old);

	/* 6. a table for every DeviceID the IVHD names, if the heap has room */
	entries = max_u32(max_u32(u->max_devid, u->devid),
			  u->alias == AMDVI_NO_DEVID ? 0 : u->alias) + 1;
	entries = (entries + 127) & ~127u;	/* whole 4 KiB pages */
	bytes = entries * AMDVI_DTE_SIZE;
	if (bytes > AMDVI_DEVTAB_MAX) {
		ctl &= ~(AMDVI_CTL_IOMMU_EN | AMDVI_CTL_LOGS | AMDVI_CTL_CMDBUF_EN);
		amdvi_control(u, ctl);
		kprintf("iommu: AMD-Vi unit %lx: a device table for DeviceIDs up to %x does not "
			"fit: translation turned off (other devices' DMA is no longer confined)\n",
			u->base, entries - 1);
		return 0;
	}

	err = amdvi_own_cmdbuf(u, &ctl);
	if (err)
		return err;

	/* 4. */
	dte = hw_alloc(bytes, 4096);
	if (!dte)
		return -RD_ENOMEM;
	for (id = 0; id < entries; id++)
		amdvi_dte(dte, id, 0);
	amdvi_dte(dte, u->devid, 1);
	if (u->alias != AMDVI_NO_DEVID)
		amdvi_dte(dte, u->alias, 1);
	if (!u->coherent)
		mk_clflush(dte, bytes);
	hw_mb();
	if (mmio_read64(u->base + AMDVI_EXCL_BASE) & AMDVI_EXCL_EN)
		mmio_write64(u->base + AMDVI_EXCL_BASE, 0);

	/* 5. */
	devtab = (uint64_t)(uintptr_t)dte | (bytes / 4096 - 1);
	if ((devtab >> 32) == (old >> 32)) {
		mmio_write64(u->base + AMDVI_DEVTAB_BASE, devtab);
	} else {
		amdvi_control(u, ctl & ~AMDVI_CTL_IOMMU_EN);
		mmio_write64(u->base + AMDVI_DEVTAB_BASE, devtab);
		amdvi_control(u, ctl);
	}
	err = amdvi_invalidate(u, efr, entries);
	if (err)
		return err;
	kprintf("iommu: AMD-Vi unit %lx: own device table (%u entries), %02x:%02x.%x "
		"pass-through%s, every other device blocked\n", u->base, entries,
		u->devid >> 8, u->devid >> 3 & 31, u->devid & 7,
		u->alias != AMDVI_NO_DEVID && u->alias != u->devid ? " (and its alias)" : "");
	return 0;
}

int amdvi_takeover(const struct pci_addr *dev, const struct iommu_dumped *dumped)
{
	const struct acpi_hdr *ivrs = acpi_find("IVRS");
	struct amdvi_unit u;

	if (!ivrs || ivrs->len < 48)
		return 0;
	if (ivrs_unit_for(ivrs, dev, &u)) {
		kprintf("iommu: IVRS lists no AMD-Vi unit for %02x:%02x.%x\n",
			dev->bus, dev->dev, dev->fn);
		return 0;
	}
	return amdvi_unit_takeover(&u, dumped);
}
