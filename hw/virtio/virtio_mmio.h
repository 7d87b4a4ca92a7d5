/* The virtio-mmio transport (version 2, or legacy 1) for one slot; an empty slot reports device 0. */
#ifndef TERN_VIRTIO_MMIO_H
#define TERN_VIRTIO_MMIO_H
#include "hw/virtio/virtio.h"
#include "core/device.h"
#include "hw/char/ns16550a.h"

/* backend NULL: an empty slot. priv is the backend's state. legacy: version 1 (QEMU's
 * default, virtio-mmio.force-legacy=true) rather than version 2. */
virtio_dev *virtio_mmio_create(device_list *devs, address_space *as, uint64_t base,
                               const virtio_backend *backend, void *priv,
                               irq_fn irq, void *irq_opaque, bool legacy);

#endif
