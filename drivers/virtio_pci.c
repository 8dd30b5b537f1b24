/*
 * drivers/virtio_pci.c - the virtio PCI transport, virtio 1.x §4.1.
 *
 * Modern devices (1af4:1040.. and transitional ones that carry the
 * capabilities) are driven through the vendor-specific capabilities of
 * §4.1.4: common configuration, notifications, device configuration, each
 * a window into a memory BAR. Legacy devices (1af4:1000..103f without the
 * capabilities) are driven through the I/O BAR0 register block of
 * §4.1.4.8. MSI-X is switched off first, so the legacy device-specific
 * configuration starts at offset 0x14.
 *
 * Every window's offset and length comes from the device and is checked
 * against the BAR's size before it is mapped or used.
 */
#include "hw.h"
#include "pci.h"
#include "virtio_pci.h"
#include "rawdump/err.h"

/* Vendor-specific capability (§4.1.4) */
#define PCI_CAP_ID_VNDR			0x09
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VP_CAP_TYPE			3
#define VP_CAP_BAR			4
#define VP_CAP_OFFSET			8
#define VP_CAP_LENGTH			12
#define VP_CAP_NOTIFY_MULT		16
#define VP_CAP_MIN_LEN			16
#define VP_CAP_NOTIFY_MIN_LEN		20

/* Common configuration structure (§4.1.4.3) */
#define VP_COMMON_DFSELECT		0x00
#define VP_COMMON_DF			0x04
#define VP_COMMON_GFSELECT		0x08
#define VP_COMMON_GF			0x0c
#define VP_COMMON_MSIX			0x10
#define VP_COMMON_NUMQ			0x12
#define VP_COMMON_STATUS		0x14
#define VP_COMMON_CFGGEN		0x15
#define VP_COMMON_Q_SELECT		0x16
#define VP_COMMON_Q_SIZE		0x18
#define VP_COMMON_Q_MSIX		0x1a
#define VP_COMMON_Q_ENABLE		0x1c
#define VP_COMMON_Q_NOFF		0x1e
#define VP_COMMON_Q_DESC		0x20
#define VP_COMMON_Q_AVAIL		0x28
#define VP_COMMON_Q_USED		0x30
#define VP_COMMON_LEN			0x38
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* Legacy register block in I/O BAR0 (§4.1.4.8) */
#define VP_LEGACY_HOST_FEATURES		0x00
#define VP_LEGACY_GUEST_FEATURES	0x04
#define VP_LEGACY_QUEUE_PFN		0x08
#define VP_LEGACY_QUEUE_SIZE		0x0c
#define VP_LEGACY_QUEUE_SEL		0x0e
#define VP_LEGACY_QUEUE_NOTIFY		0x10
#define VP_LEGACY_STATUS		0x12
#define VP_LEGACY_ISR			0x13
#define VP_LEGACY_CONFIG		0x14	/* with MSI-X disabled */
#define VP_LEGACY_MIN_BAR		0x20
#define VP_LEGACY_PFN_SHIFT		12

#define VP_RESET_TIMEOUT_US		(1000u * 1000u)
#define VP_CONFIG_GEN_RETRIES		16
#define VP_MAX_CAPS			48	/* bounds a looping capability list */

/* Locate one capability window: physical address and length, checked
 * against its BAR and mapped. */
static int vp_map_cap(const struct pci_dev *pd, uint8_t pos, uint64_t *addr, uint32_t *len)
{
	uint8_t bar = pci_read8(&pd->addr, pos + VP_CAP_BAR);
	uint32_t off = pci_read32(&pd->addr, pos + VP_CAP_OFFSET);
	uint32_t l = pci_read32(&pd->addr, pos + VP_CAP_LENGTH);
	uint64_t base, size;
	int is_io;

	if (bar > 5) {
		kprintf("virtio-pci: capability at 0x%x names BAR %u\n", pos, bar);
		return -RD_EINVAL;
	}
	base = pci_bar(pd, bar, &is_io, &size);
	if (!base || is_io) {
		kprintf("virtio-pci: BAR %u is %s\n", bar, base ? "an I/O BAR" : "not assigned");
		return -RD_EINVAL;
	}
	if (l == 0 || (uint64_t)off + l > size) {
		kprintf("virtio-pci: window 0x%x+0x%x outside BAR %u (0x%lx bytes)\n",
			off, l, bar, (unsigned long)size);
		return -RD_EINVAL;
	}
	*addr = base + off;
	*len = l;
	return hw_map_mmio(*addr, l);
}

static int vp_attach_modern(struct vp_dev *vp, const struct pci_dev *pd)
{
	uint64_t isr = 0;
	uint32_t len, isr_len = 0;
	uint8_t pos = 0, type, clen;
	int r, have = 0, n = 0;

	while ((pos = pci_find_cap(pd, PCI_CAP_ID_VNDR, pos)) != 0 && n++ < VP_MAX_CAPS) {
		type = pci_read8(&pd->addr, pos + VP_CAP_TYPE);
		clen = pci_read8(&pd->addr, pos + 2);
		if (clen < VP_CAP_MIN_LEN)
			continue;
		/* §4.1.4.1: use the first capability of each type. */
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !(have & 1)) {
			r = vp_map_cap(pd, pos, &vp->common, &len);
			if (r)
				return r;
			if (len < VP_COMMON_LEN) {
				kprintf("virtio-pci: common config only %u bytes\n", len);
				return -RD_EINVAL;
			}
			have |= 1;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !(have & 2)) {
			if (clen < VP_CAP_NOTIFY_MIN_LEN)
				continue;
			r = vp_map_cap(pd, pos, &vp->notify, &vp->notify_len);
			if (r)
				return r;
			vp->notify_mult = pci_read32(&pd->addr, pos + VP_CAP_NOTIFY_MULT);
			have |= 2;
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !(have & 4)) {
			r = vp_map_cap(pd, pos, &isr, &isr_len);
			if (r)
				return r;
			have |= 4;
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !(have & 8)) {
			r = vp_map_cap(pd, pos, &vp->device, &vp->device_len);
			if (r)
				return r;
			have |= 8;
		}
	}
	/* The ISR window is not needed: we poll the used ring. */
	if ((have & 0xb) != 0xb) {
		kprintf("virtio-pci: modern capabilities incomplete (mask 0x%x)\n", have);
		return -RD_EINVAL;
	}
	vp->modern = 1;
	return 0;
}

static int vp_has_modern_caps(const struct pci_dev *pd)
{
	uint8_t pos = 0;
	int n = 0;

	while ((pos = pci_find_cap(pd, PCI_CAP_ID_VNDR, pos)) != 0 && n++ < VP_MAX_CAPS)
		if (pci_read8(&pd->addr, pos + VP_CAP_TYPE) == VIRTIO_PCI_CAP_COMMON_CFG)
			return 1;
	return 0;
}

int vp_attach(struct vp_dev *vp, const struct pci_dev *pd)
{
	uint64_t base, size;
	int is_io, r;

	memset(vp, 0, sizeof(*vp));
	pci_msi_disable(pd);
	pci_enable(pd);
	if (vp_has_modern_caps(pd)) {
		r = vp_attach_modern(vp, pd);
		if (r == 0 || pd->device >= 0x1040)
			return r;
		kprintf("virtio-pci: falling back to the legacy interface\n");
	}
	base = pci_bar(pd, 0, &is_io, &size);
	if (!is_io || !base || base > 0xffff || size < VP_LEGACY_MIN_BAR) {
		kprintf("virtio-pci: no legacy I/O BAR0 (base 0x%lx size 0x%lx)\n",
			(unsigned long)base, (unsigned long)size);
		return -RD_EINVAL;
	}
	vp->io = base;
	return 0;
}

uint8_t vp_get_status(struct vp_dev *vp)
{
	if (vp->modern)
		return mmio_read8(vp->common + VP_COMMON_STATUS);
	return inb(vp->io + VP_LEGACY_STATUS);
}

static void vp_set_status(struct vp_dev *vp, uint8_t s)
{
	if (vp->modern)
		mmio_write8(vp->common + VP_COMMON_STATUS, s);
	else
		outb(vp->io + VP_LEGACY_STATUS, s);
}

void vp_add_status(struct vp_dev *vp, uint8_t bits)
{
	vp_set_status(vp, vp_get_status(vp) | bits);
}

int vp_reset(struct vp_dev *vp)
{
	vp_set_status(vp, 0);
	if (!vp->modern) {
		/* Legacy: the write resets synchronously; reading the ISR
		 * clears any interrupt the dead kernel left pending. */
		(void)inb(vp->io + VP_LEGACY_ISR);
		return 0;
	}
	return HW_POLL_UNTIL(vp_get_status(vp) == 0, "virtio-pci: device reset", VP_RESET_TIMEOUT_US);
}

uint64_t vp_get_features(struct vp_dev *vp)
{
	uint64_t lo, hi;

	if (!vp->modern)
		return inl(vp->io + VP_LEGACY_HOST_FEATURES);
	mmio_write32(vp->common + VP_COMMON_DFSELECT, 0);
	lo = mmio_read32(vp->common + VP_COMMON_DF);
	mmio_write32(vp->common + VP_COMMON_DFSELECT, 1);
	hi = mmio_read32(vp->common + VP_COMMON_DF);
	return hi << 32 | lo;
}

void vp_set_features(struct vp_dev *vp, uint64_t f)
{
	if (!vp->modern) {
		outl(vp->io + VP_LEGACY_GUEST_FEATURES, (uint32_t)f);
		return;
	}
	mmio_write32(vp->common + VP_COMMON_GFSELECT, 0);
	mmio_write32(vp->common + VP_COMMON_GF, (uint32_t)f);
	mmio_write32(vp->common + VP_COMMON_GFSELECT, 1);
	mmio_write32(vp->common + VP_COMMON_GF, (uint32_t)(f >> 32));
}

static uint64_t vp_config_raw(struct vp_dev *vp, uint32_t off, int size)
{
	uint64_t a;
	uint16_t p;

	if (vp->modern) {
		if ((uint64_t)off + size > vp->device_len)
			return 0;
		a = vp->device + off;
		switch (size) {
		case 1: return mmio_read8(a);
		case 2: return mmio_read16(a);
		case 4: return mmio_read32(a);
		default: return mmio_read32(a) | (uint64_t)mmio_read32(a + 4) << 32;
		}
	}
	p = vp->io + VP_LEGACY_CONFIG + off;
	switch (size) {
	case 1: return inb(p);
	case 2: return inw(p);
	case 4: return inl(p);
	default: return inl(p) | (uint64_t)inl(p + 4) << 32;
	}
}

/* §4.1.4.3.1: read until config_generation is stable around the read. */
uint64_t vp_config_read(struct vp_dev *vp, uint32_t off, int size)
{
	uint64_t v = 0;
	uint8_t g0, g1;
	int i;

	if (!vp->modern)
		return vp_config_raw(vp, off, size);
	for (i = 0; i < VP_CONFIG_GEN_RETRIES; i++) {
		g0 = mmio_read8(vp->common + VP_COMMON_CFGGEN);
		v = vp_config_raw(vp, off, size);
		g1 = mmio_read8(vp->common + VP_COMMON_CFGGEN);
		if (g0 == g1)
			break;
	}
	return v;
}

uint16_t vp_queue_max(struct vp_dev *vp, uint16_t index)
{
	if (vp->modern) {
		if (index >= mmio_read16(vp->common + VP_COMMON_NUMQ))
			return 0;
		mmio_write16(vp->common + VP_COMMON_Q_SELECT, index);
		return mmio_read16(vp->common + VP_COMMON_Q_SIZE);
	}
	outw(vp->io + VP_LEGACY_QUEUE_SEL, index);
	return inw(vp->io + VP_LEGACY_QUEUE_SIZE);
}

uint64_t vring_avail_off(uint16_t size)
{
	return (uint64_t)size * sizeof(struct vring_desc);
}

uint64_t vring_used_off(uint16_t size)
{
	uint64_t end = vring_avail_off(size) + 6 + 2ull * size;

	return (end + VRING_LEGACY_ALIGN - 1) & ~(uint64_t)(VRING_LEGACY_ALIGN - 1);
}

uint64_t vring_bytes(uint16_t size)
{
	return vring_used_off(size) + 6 + 8ull * size;
}

static void vp_write64_split(uint64_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

int vp_queue_setup(struct vp_dev *vp, uint16_t index, uint16_t size, void *ring)
{
	uint64_t pa = (uint64_t)(uintptr_t)ring;
	uint64_t noff;

	if (!vp->modern) {
		if ((pa >> VP_LEGACY_PFN_SHIFT) > 0xffffffffull)
			return -RD_EINVAL;
		outw(vp->io + VP_LEGACY_QUEUE_SEL, index);
		outl(vp->io + VP_LEGACY_QUEUE_PFN, pa >> VP_LEGACY_PFN_SHIFT);
		return 0;
	}
	/* §4.1.5.1.3: select, size, addresses, then enable. */
	mmio_write16(vp->common + VP_COMMON_Q_SELECT, index);
	mmio_write16(vp->common + VP_COMMON_Q_SIZE, size);
	mmio_write16(vp->common + VP_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	vp_write64_split(vp->common + VP_COMMON_Q_DESC, pa);
	vp_write64_split(vp->common + VP_COMMON_Q_AVAIL, pa + vring_avail_off(size));
	vp_write64_split(vp->common + VP_COMMON_Q_USED, pa + vring_used_off(size));
	noff = (uint64_t)mmio_read16(vp->common + VP_COMMON_Q_NOFF) * vp->notify_mult;
	if (noff + 2 > vp->notify_len) {
		kprintf("virtio-pci: queue notify offset 0x%lx outside its window\n",
			(unsigned long)noff);
		return -RD_EINVAL;
	}
	vp->queue_notify = vp->notify + noff;
	mmio_write16(vp->common + VP_COMMON_Q_ENABLE, 1);
	return 0;
}

void vp_queue_notify(struct vp_dev *vp, uint16_t index)
{
	hw_mb();
	if (vp->modern)
		mmio_write16(vp->queue_notify, index);
	else
		outw(vp->io + VP_LEGACY_QUEUE_NOTIFY, index);
}
