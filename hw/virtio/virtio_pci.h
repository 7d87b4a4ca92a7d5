/* The virtio-pci transport (modern) over the virtio backends (see virtio_pci.c). */
#ifndef TERN_VIRTIO_PCI_H
#define TERN_VIRTIO_PCI_H
#include "hw/virtio/virtio.h"
#include "hw/pci/pci.h"

/* Deliver an MSI: a write of data to addr (NULL where the board has no MSI controller). */
typedef void virtio_pci_msi_fn(void *opaque, uint64_t addr, uint32_t data);

/* A virtio-pci function at devfn (-1: the next free slot) on bus, doing DMA in dma.
 * NULL with a reason if the slot is taken. */
virtio_dev *virtio_pci_create(device_list *devs, pci_bus *bus, int devfn, address_space *dma,
                              const virtio_backend *backend, void *priv, const char *name,
                              virtio_pci_msi_fn *msi, void *msi_opaque, char *err, size_t errsize);
#endif
