/*
 * drivers/pci.c - PCI configuration access through configuration mechanism
 * #1 (PCI Local Bus 3.0 §3.2.2.3.2: address at port 0xcf8, data at 0xcfc),
 * BAR sizing (§6.2.5.1), the capability list (§6.7) and a bus scan.
 *
 * Mechanism #1 reaches segment 0 and the first 256 bytes of each function's
 * configuration space; that is all the capture drivers need. Everything
 * read here comes from a machine whose kernel just died, so loops over
 * device-provided links are bounded.
 */
#include "hw.h"
#include "pci.h"
#include "rawdump/err.h"

#define PCI_CONF_ADDR		0xcf8
#define PCI_CONF_DATA		0xcfc

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_CLASS	0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_DISABLE	0x0400
#define PCI_STATUS_CAP_LIST	0x0010

#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_MSIX		0x11
#define PCI_MSI_CTRL_ENABLE	0x0001
#define PCI_MSIX_CTRL_ENABLE	0x8000

/* 256-byte space, 64 dwords before the capabilities start: no valid list
 * can be longer than this. */
#define PCI_CAP_MAX_WALK	48

static uint32_t pci_conf_addr(const struct pci_addr *a, uint16_t off)
{
	return 0x80000000u | (uint32_t)a->bus << 16 | (uint32_t)(a->dev & 31) << 11 |
	       (uint32_t)(a->fn & 7) << 8 | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_addr *a, uint16_t off)
{
	outl(PCI_CONF_ADDR, pci_conf_addr(a, off));
	return inl(PCI_CONF_DATA);
}

uint16_t pci_read16(const struct pci_addr *a, uint16_t off)
{
	outl(PCI_CONF_ADDR, pci_conf_addr(a, off));
	return inw(PCI_CONF_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_addr *a, uint16_t off)
{
	outl(PCI_CONF_ADDR, pci_conf_addr(a, off));
	return inb(PCI_CONF_DATA + (off & 3));
}

void pci_write32(const struct pci_addr *a, uint16_t off, uint32_t v)
{
	outl(PCI_CONF_ADDR, pci_conf_addr(a, off));
	outl(PCI_CONF_DATA, v);
}

void pci_write16(const struct pci_addr *a, uint16_t off, uint16_t v)
{
	outl(PCI_CONF_ADDR, pci_conf_addr(a, off));
	outw(PCI_CONF_DATA + (off & 2), v);
}

int pci_probe(const struct pci_addr *a, struct pci_dev *out)
{
	uint32_t id, cls;

	if (a->seg != 0 || a->dev > 31 || a->fn > 7)
		return -RD_EINVAL;
	id = pci_read32(a, PCI_VENDOR_ID);
	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return -RD_EINVAL;
	cls = pci_read32(a, PCI_REVISION_CLASS);
	out->addr = *a;
	out->vendor = id & 0xffff;
	out->device = id >> 16;
	out->class_code = cls >> 24;
	out->subclass = (cls >> 16) & 0xff;
	out->prog_if = (cls >> 8) & 0xff;
	out->header_type = pci_read8(a, PCI_HEADER_TYPE);
	return 0;
}

/*
 * Size a BAR by writing all ones and reading back (§6.2.5.1), with decoding
 * switched off meanwhile so the device never answers at the probe address.
 * Returns 0 for a missing or unimplemented BAR.
 */
uint64_t pci_bar(const struct pci_dev *pd, int n, int *is_io, uint64_t *size)
{
	const struct pci_addr *a = &pd->addr;
	uint16_t off = PCI_BAR0 + 4 * n, cmd;
	uint32_t lo, hi = 0, szlo, szhi = 0xffffffffu;
	uint64_t base, mask;
	int is64;

	*is_io = 0;
	*size = 0;
	if (n < 0 || n > 5 || (pd->header_type & 0x7f) != 0)
		return 0;
	lo = pci_read32(a, off);
	*is_io = lo & 1;
	is64 = !*is_io && (lo & 6) == 4;
	if (is64 && n == 5)
		return 0;
	if (is64)
		hi = pci_read32(a, off + 4);

	cmd = pci_read16(a, PCI_COMMAND);
	pci_write16(a, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	pci_write32(a, off, 0xffffffffu);
	szlo = pci_read32(a, off);
	pci_write32(a, off, lo);
	if (is64) {
		pci_write32(a, off + 4, 0xffffffffu);
		szhi = pci_read32(a, off + 4);
		pci_write32(a, off + 4, hi);
	}
	pci_write16(a, PCI_COMMAND, cmd);

	if (*is_io) {
		base = lo & ~3u;
		mask = (szlo & ~3u) | 0xffff0000u;
		mask |= 0xffffffff00000000ull;
	} else {
		base = ((uint64_t)hi << 32) | (lo & ~0xfu);
		mask = ((uint64_t)szhi << 32) | (szlo & ~0xfu);
	}
	if ((mask & 0xffffffffu) == 0)
		return 0;
	*size = ~mask + 1;
	return base;
}

void pci_enable(const struct pci_dev *pd)
{
	uint16_t cmd = pci_read16(&pd->addr, PCI_COMMAND);

	cmd |= PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE;
	pci_write16(&pd->addr, PCI_COMMAND, cmd);
}

uint8_t pci_find_cap(const struct pci_dev *pd, uint8_t id, uint8_t from)
{
	const struct pci_addr *a = &pd->addr;
	uint8_t pos;
	int i;

	if (!(pci_read16(a, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = from ? pci_read8(a, from + 1) : pci_read8(a, PCI_CAP_PTR);
	for (i = 0; i < PCI_CAP_MAX_WALK; i++) {
		pos &= 0xfc;
		if (pos < 0x40)
			return 0;
		if (pci_read8(a, pos) == id)
			return pos;
		pos = pci_read8(a, pos + 1);
	}
	return 0;
}

void pci_msi_disable(const struct pci_dev *pd)
{
	uint8_t pos;
	uint16_t ctrl;

	pos = pci_find_cap(pd, PCI_CAP_ID_MSI, 0);
	if (pos) {
		ctrl = pci_read16(&pd->addr, pos + 2);
		if (ctrl & PCI_MSI_CTRL_ENABLE)
			pci_write16(&pd->addr, pos + 2, ctrl & ~PCI_MSI_CTRL_ENABLE);
	}
	pos = pci_find_cap(pd, PCI_CAP_ID_MSIX, 0);
	if (pos) {
		ctrl = pci_read16(&pd->addr, pos + 2);
		if (ctrl & PCI_MSIX_CTRL_ENABLE)
			pci_write16(&pd->addr, pos + 2, ctrl & ~PCI_MSIX_CTRL_ENABLE);
	}
}

int pci_scan(int (*fn)(void *ctx, const struct pci_dev *pd), void *ctx)
{
	struct pci_addr a = { 0, 0, 0, 0 };
	struct pci_dev pd;
	unsigned bus, dev, f, nfn;
	int r;

	for (bus = 0; bus < 256; bus++) {
		for (dev = 0; dev < 32; dev++) {
			a.bus = bus;
			a.dev = dev;
			a.fn = 0;
			if (pci_probe(&a, &pd) != 0)
				continue;
			nfn = (pd.header_type & 0x80) ? 8 : 1;
			for (f = 0; f < nfn; f++) {
				a.fn = f;
				if (f && pci_probe(&a, &pd) != 0)
					continue;
				r = fn(ctx, &pd);
				if (r)
					return r;
			}
		}
	}
	return 0;
}
