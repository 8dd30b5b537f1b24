/*
 * minikernel/iommu.c - an Intel VT-d IOMMU left on by the crashed kernel.
 *
 * With DMA remapping on, the disk controller's DMA goes through the dead
 * kernel's translation tables: our buffers (and, with zero-copy, the pages
 * being dumped) are not mapped there, so every request would fault or land
 * somewhere else. We never write the dead kernel's tables (they are memory
 * we dump). Instead (Intel VT-d spec rev 3.x, 10.4 registers, 9.1/9.3 root
 * and context entries):
 *   1. find the remapping unit (DRHD) of the dump device in the ACPI DMAR
 *      table (RSDP from the boot loader, else the BIOS area scan; XSDT or
 *      RSDT; every table checksummed, every length bounded);
 *   2. translation off in that unit: nothing to do;
 *   3. queued invalidation on: wait for the queue to drain, turn it off
 *      (register-based invalidation is not allowed while it is on);
 *   4. a root table and one context table of our own, in our own memory:
 *      the dump device pass-through (TT=10b, needs ECAP.PT), every other
 *      device of that unit without a context entry, so a device still
 *      doing DMA from before the crash is blocked instead of scribbling
 *      over the evidence; SRTP, then global context-cache and IOTLB
 *      invalidation. Translation stays on.
 *   5. no pass-through support: translation is turned off (TE=0), said on
 *      the console: other devices' DMA then goes straight to memory.
 * Without a DMAR table, an AMD IOMMU (ACPI IVRS) is taken over by
 * minikernel/amdvi.c.
 */
#include "mk.h"
#include "pci.h"

#define VTD_GCMD		0x18
#define VTD_GSTS		0x1c
#define VTD_RTADDR		0x20
#define VTD_CCMD		0x28
#define VTD_CAP			0x08
#define VTD_ECAP		0x10
#define VTD_IQH			0x80
#define VTD_IQT			0x88
#define VTD_REG_SIZE		0x1000

#define VTD_GS_TES		(1u << 31)
#define VTD_GS_RTPS		(1u << 30)
#define VTD_GS_WBFS		(1u << 27)
#define VTD_GS_QIES		(1u << 26)
#define VTD_GCMD_TE		(1u << 31)
#define VTD_GCMD_SRTP		(1u << 30)
#define VTD_GCMD_WBF		(1u << 27)
#define VTD_GCMD_QIE		(1u << 26)
#define VTD_GS_ONESHOT_MASK	0x96ffffffu	/* clear RTPS, FLS, WBFS, IRTPS (10.4.4) */

#define VTD_CAP_RWBF		(1ull << 4)
#define VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)
#define VTD_ECAP_C		(1ull << 0)
#define VTD_ECAP_PT		(1ull << 6)
#define VTD_ECAP_IRO(e)		(((e) >> 8) & 0x3ff)

#define VTD_CCMD_ICC		(1ull << 63)
#define VTD_CCMD_GLOBAL		(1ull << 61)
#define VTD_IOTLB_IVT		(1ull << 63)
#define VTD_IOTLB_GLOBAL	(1ull << 60)
#define VTD_IOTLB_DR		(1ull << 49)
#define VTD_IOTLB_DW		(1ull << 48)

#define VTD_TIMEOUT_US		(100u * 1000u)	/* register handshakes: ms in practice */
#define ACPI_MAX_TABLE		(256u * 1024u)

static int acpi_sum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		s = (uint8_t)(s + b[i]);
	return s == 0;
}

/* Map and check the table at pa; NULL if it is not a sane table. */
static const struct acpi_hdr *acpi_table(uint64_t pa)
{
	const struct acpi_hdr *h;

	if (!pa || pt_map(pa, sizeof(*h), PT_RO))
		return NULL;
	h = (const void *)(uintptr_t)pa;
	if (h->len < sizeof(*h) || h->len > ACPI_MAX_TABLE || pt_map(pa, h->len, PT_RO) ||
	    !acpi_sum_ok(h, h->len))
		return NULL;
	return h;
}

static uint64_t acpi_rsdp_scan(uint64_t from, uint64_t len)
{
	uint64_t a;

	if (pt_map(from, len, PT_RO))
		return 0;
	for (a = from; a + 20 <= from + len; a += 16)
		if (!memcmp((const void *)(uintptr_t)a, "RSD PTR ", 8) &&
		    acpi_sum_ok((const void *)(uintptr_t)a, 20))
			return a;
	return 0;
}

/* The ACPI table with that signature (checksummed, mapped read-only), or NULL. */
const struct acpi_hdr *acpi_find(const char sig[4])
{
	uint64_t rsdp = mk_boot.rsdp, ebda;
	const uint8_t *r;
	const struct acpi_hdr *sdt;
	uint32_t i, n, esz;

	if (!rsdp) {
		if (pt_map(0x40e, 2, PT_RO) == 0) {
			uint64_t bda = 0x40e;	/* BIOS data area: EBDA segment */
			uint16_t seg;

			__asm__ volatile("movw (%1), %0" : "=r"(seg) : "r"(bda) : "memory");
			ebda = (uint64_t)seg << 4;
			if (ebda >= 0x80000 && ebda < 0xa0000)
				rsdp = acpi_rsdp_scan(ebda, 1024);
		}
		if (!rsdp)
			rsdp = acpi_rsdp_scan(0xe0000, 0x20000);
	}
	if (!rsdp || pt_map(rsdp, 36, PT_RO))
		return NULL;
	r = (const uint8_t *)(uintptr_t)rsdp;
	if (memcmp(r, "RSD PTR ", 8) || !acpi_sum_ok(r, 20))
		return NULL;
	if (r[15] >= 2 && acpi_sum_ok(r, 36)) {
		uint64_t x;

		memcpy(&x, r + 24, 8);
		sdt = acpi_table(x);
		esz = 8;
	} else {
		uint32_t x;

		memcpy(&x, r + 16, 4);
		sdt = acpi_table(x);
		esz = 4;
	}
	if (!sdt)
		return NULL;
	n = (sdt->len - (uint32_t)sizeof(*sdt)) / esz;
	for (i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(sdt + 1) + (size_t)i * esz;
		uint64_t pa = 0;
		const struct acpi_hdr *t;

		memcpy(&pa, e, esz);
		t = acpi_table(pa);
		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

/* Register base of the DRHD unit that covers the device, 0 if none. */
static uint64_t dmar_unit_for(const struct acpi_hdr *dmar, const struct pci_addr *dev)
{
	const uint8_t *p = (const uint8_t *)dmar + 48, *end = (const uint8_t *)dmar + dmar->len;
	uint64_t catch_all = 0;

	while (p + 4 <= end) {
		uint16_t type, len;

		memcpy(&type, p, 2);
		memcpy(&len, p + 2, 2);
		if (len < 4 || len > end - p)
			break;
		if (type == 0 && len >= 16) {		/* DRHD */
			uint16_t seg;
			uint64_t base;
			const uint8_t *s = p + 16;

			memcpy(&seg, p + 6, 2);
			memcpy(&base, p + 8, 8);
			if (seg == dev->seg && (p[4] & 1))
				catch_all = base;	/* INCLUDE_PCI_ALL */
			while (seg == dev->seg && s + 6 <= p + len) {
				uint8_t slen = s[1];

				if (slen < 6 || slen > p + len - s)
					break;
				/* an endpoint right on its start bus (path of one) */
				if (s[0] == 1 && slen == 8 && s[5] == dev->bus &&
				    s[6] == dev->dev && s[7] == dev->fn)
					return base;
				s += slen;
			}
		}
		p += len;
	}
	return catch_all;
}

static int vtd_wait(uint64_t reg, uint32_t mask, uint32_t want, const char *what)
{
	struct hw_deadline d;

	hw_deadline_start(&d, what, VTD_TIMEOUT_US);
	while ((mmio_read32(reg) & mask) != want) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	return 0;
}

static int vtd_wait64(uint64_t reg, uint64_t bit, const char *what)
{
	struct hw_deadline d;

	hw_deadline_start(&d, what, VTD_TIMEOUT_US);
	while (mmio_read64(reg) & bit) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	return 0;
}

/* One GCMD bit on or off, the others as GSTS says (10.4.4). */
static int vtd_gcmd(uint64_t base, uint32_t bit, int on, uint32_t sts_bit, const char *what)
{
	uint32_t sts = mmio_read32(base + VTD_GSTS) & VTD_GS_ONESHOT_MASK;

	mmio_write32(base + VTD_GCMD, on ? sts | bit : sts & ~bit);
	return vtd_wait(base + VTD_GSTS, sts_bit, on ? sts_bit : 0, what);
}

void mk_clflush(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i += 64)
		__asm__ volatile("clflush (%0)" :: "r"(b + i) : "memory");
	hw_mb();
}

int iommu_regs_ok(uint64_t base, uint64_t len, const struct iommu_dumped *dumped)
{
	uint32_t i;

	for (i = 0; dumped && i < dumped->n; i++) {
		const struct rd_writer_range *r = &dumped->r[i];

		if ((base < r->src + r->size && r->src < base + len) ||
		    (base < r->paddr + r->size && r->paddr < base + len)) {
			kprintf("iommu: registers at %lx lie in dumped memory (%lx+%lx): "
				"not touched\n", base, r->paddr, r->size);
			return -RD_EBOUNDS;
		}
	}
	return 0;
}

static int vtd_takeover(uint64_t base, const struct pci_addr *dev,
			const struct iommu_dumped *dumped)
{
	uint64_t cap, ecap, iotlb, *root, *ctx;
	uint32_t sts, sagaw, aw;
	int err;

	err = iommu_regs_ok(base, VTD_REG_SIZE, dumped);
	if (!err)
		err = hw_map_mmio(base, VTD_REG_SIZE);
	if (err)
		return err;
	cap = mmio_read64(base + VTD_CAP);
	ecap = mmio_read64(base + VTD_ECAP);
	sts = mmio_read32(base + VTD_GSTS);
	if (!(sts & VTD_GS_TES)) {
		kprintf("iommu: VT-d unit %lx: DMA translation is off\n", base);
		return 0;
	}
	kprintf("iommu: VT-d unit %lx: DMA translation is on (gsts %08x cap %lx ecap %lx)\n",
		base, sts, cap, ecap);

	/* 3. register-based invalidation needs queued invalidation off */
	if (sts & VTD_GS_QIES) {
		struct hw_deadline d;

		hw_deadline_start(&d, "iommu: invalidation queue drain", VTD_TIMEOUT_US);
		while (mmio_read64(base + VTD_IQH) != mmio_read64(base + VTD_IQT)) {
			if (hw_deadline_expired(&d))
				break;	/* turn it off anyway: we wait for nothing in it */
			hw_pause();
		}
		err = vtd_gcmd(base, VTD_GCMD_QIE, 0, VTD_GS_QIES, "iommu: queued invalidation off");
		if (err)
			return err;
	}

	if (!(ecap & VTD_ECAP_PT)) {
		/* 5. */
		err = vtd_gcmd(base, VTD_GCMD_TE, 0, VTD_GS_TES, "iommu: translation off");
		if (!err)
			kprintf("iommu: no pass-through support: translation turned off "
				"(other devices' DMA is no longer confined)\n");
		return err;
	}

	/* 4. our own root and context tables: the dump device, nothing else */
	sagaw = VTD_CAP_SAGAW(cap);
	aw = (sagaw & 8) ? 3 : (sagaw & 4) ? 2 : (sagaw & 2) ? 1 : 0;
	root = hw_alloc(4096, 4096);
	ctx = hw_alloc(4096, 4096);
	if (!root || !ctx)
		return -RD_ENOMEM;
	ctx[2 * ((uint32_t)dev->dev << 3 | dev->fn)] = 1ull | (2ull << 2);	/* P, TT=pass-through */
	ctx[2 * ((uint32_t)dev->dev << 3 | dev->fn) + 1] = aw | (1ull << 8);	/* AW, DID 1 */
	root[2 * dev->bus] = (uint64_t)(uintptr_t)ctx | 1;
	if (!(ecap & VTD_ECAP_C)) {
		mk_clflush(root, 4096);
		mk_clflush(ctx, 4096);
	}
	hw_mb();
	mmio_write64(base + VTD_RTADDR, (uint64_t)(uintptr_t)root);	/* TTM 00: legacy */
	err = vtd_gcmd(base, VTD_GCMD_SRTP, 1, VTD_GS_RTPS, "iommu: set root table");
	if (err)
		return err;
	mmio_write64(base + VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
	err = vtd_wait64(base + VTD_CCMD, VTD_CCMD_ICC, "iommu: context-cache invalidation");
	if (err)
		return err;
	iotlb = base + VTD_ECAP_IRO(ecap) * 16 + 8;
	if (VTD_ECAP_IRO(ecap) * 16 + 16 > VTD_REG_SIZE)
		return -RD_EINVAL;
	mmio_write64(iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL | VTD_IOTLB_DR | VTD_IOTLB_DW);
	err = vtd_wait64(iotlb, VTD_IOTLB_IVT, "iommu: IOTLB invalidation");
	if (err)
		return err;
	if (cap & VTD_CAP_RWBF) {
		/* one-shot: done when WBFS reads 0 again */
		mmio_write32(base + VTD_GCMD, (mmio_read32(base + VTD_GSTS) & VTD_GS_ONESHOT_MASK) |
			     VTD_GCMD_WBF);
		err = vtd_wait(base + VTD_GSTS, VTD_GS_WBFS, 0, "iommu: write-buffer flush");
		if (err)
			return err;
	}
	kprintf("iommu: VT-d unit %lx: own root table, %02x:%02x.%x pass-through, every other "
		"device blocked\n", base, dev->bus, dev->dev, dev->fn);
	return 0;
}

int iommu_takeover(const struct pci_addr *dev, const struct iommu_dumped *dumped)
{
	const struct acpi_hdr *dmar = acpi_find("DMAR");
	uint64_t base;

	if (!dmar)
		return amdvi_takeover(dev, dumped);
	if (dmar->len < 48)
		return 0;
	base = dmar_unit_for(dmar, dev);
	if (!base) {
		kprintf("iommu: DMAR lists no unit for %02x:%02x.%x\n", dev->bus, dev->dev, dev->fn);
		return 0;
	}
	return vtd_takeover(base, dev, dumped);
}
