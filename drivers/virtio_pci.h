/*
 * drivers/virtio_pci.h - the virtio PCI transport (virtio 1.x §4.1), both
 * the modern capability layout (§4.1.4) and the legacy I/O BAR (§4.1.4.8),
 * behind one set of vp_* calls, plus the split virtqueue layout (§2.6).
 */
#ifndef RAWDUMP_VIRTIO_PCI_H
#define RAWDUMP_VIRTIO_PCI_H

#include <stdint.h>
#include "pci.h"

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33

/* Split virtqueue (§2.6). */
#define VRING_DESC_F_NEXT		1
#define VRING_DESC_F_WRITE		2
#define VRING_AVAIL_F_NO_INTERRUPT	1
#define VRING_LEGACY_ALIGN		4096

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

_Static_assert(sizeof(struct vring_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtq_used_elem is 8 bytes");

struct vp_dev {
	int modern;
	/* legacy */
	uint16_t io;
	/* modern: physical (identity-mapped) addresses of the regions */
	uint64_t common;
	uint64_t notify;
	uint32_t notify_len, notify_mult;
	uint64_t device;
	uint32_t device_len;
	/* the queue in use */
	uint64_t queue_notify;		/* modern: address to write */
};

/* Find the transport of a virtio PCI function: modern if its capabilities
 * are there, else legacy. Maps the regions, enables the function, turns
 * off MSI/MSI-X. 0 or negative rd_err. */
int      vp_attach(struct vp_dev *vp, const struct pci_dev *pd);
/* Reset (§4.1.4.3.2: modern waits for device_status to read 0). */
int      vp_reset(struct vp_dev *vp);
uint8_t  vp_get_status(struct vp_dev *vp);
void     vp_add_status(struct vp_dev *vp, uint8_t bits);
uint64_t vp_get_features(struct vp_dev *vp);
void     vp_set_features(struct vp_dev *vp, uint64_t f);
/* Device-specific configuration, a consistent read of 1/2/4/8 bytes. */
uint64_t vp_config_read(struct vp_dev *vp, uint32_t off, int size);
/* Largest size queue `index` supports (0: no such queue). Selects it. */
uint16_t vp_queue_max(struct vp_dev *vp, uint16_t index);
/* Give the device a queue laid out in legacy layout at `ring` (aligned to
 * VRING_LEGACY_ALIGN) with `size` entries, and enable it. */
int      vp_queue_setup(struct vp_dev *vp, uint16_t index, uint16_t size, void *ring);
void     vp_queue_notify(struct vp_dev *vp, uint16_t index);

/* Bytes of a legacy-layout split ring of `size` entries; offsets of its parts. */
uint64_t vring_bytes(uint16_t size);
uint64_t vring_avail_off(uint16_t size);
uint64_t vring_used_off(uint16_t size);

#endif
