/*
 * drivers/pci.h - PCI configuration access (mechanism #1, ports 0xcf8/0xcfc)
 * and the little enumeration the drivers need. Segment 0 and the first 256
 * bytes of configuration space only (no ECAM).
 */
#ifndef RAWDUMP_PCI_H
#define RAWDUMP_PCI_H

#include <stdint.h>

struct pci_addr { uint16_t seg; uint8_t bus, dev, fn; };

struct pci_dev {
	struct pci_addr addr;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, header_type;
};

uint32_t pci_read32(const struct pci_addr *a, uint16_t off);
uint16_t pci_read16(const struct pci_addr *a, uint16_t off);
uint8_t  pci_read8(const struct pci_addr *a, uint16_t off);
void     pci_write32(const struct pci_addr *a, uint16_t off, uint32_t v);
void     pci_write16(const struct pci_addr *a, uint16_t off, uint16_t v);
/* Read the function at a; 0 if present, -RD_EINVAL if no device there. */
int      pci_probe(const struct pci_addr *a, struct pci_dev *out);
/* BAR n: physical base (memory or I/O), *is_io, *size (probed by sizing). */
uint64_t pci_bar(const struct pci_dev *pd, int n, int *is_io, uint64_t *size);
/* Enable memory/I-O decoding and bus mastering; disable INTx. */
void     pci_enable(const struct pci_dev *pd);
/* Turn off MSI and MSI-X (the dead kernel may have left them on): we poll. */
void     pci_msi_disable(const struct pci_dev *pd);
/* Offset of the first capability with this id after 'from' (0 = start), 0 if none. */
uint8_t  pci_find_cap(const struct pci_dev *pd, uint8_t id, uint8_t from);
/* Call fn for every present function on bus 0..255; stop if fn returns nonzero. */
int      pci_scan(int (*fn)(void *ctx, const struct pci_dev *pd), void *ctx);

#endif
