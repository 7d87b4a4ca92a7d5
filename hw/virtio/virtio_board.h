/*
 * A board's virtio devices from the command line (-drive, -device, -chardev), created
 * on virtio-mmio transports: shared by the RISC-V virt and x86 microvm boards.
 */
#ifndef TERN_VIRTIO_BOARD_H
#define TERN_VIRTIO_BOARD_H
#include "core/machine.h"
#include "core/chardev.h"
#include "hw/char/ns16550a.h"

typedef struct virtio_slot {
    uint64_t base;                  /* the transport's MMIO address */
    irq_fn irq;
    void *irq_opaque;
    bool used;                      /* set: a device sits here */
} virtio_slot;

#define VIRTIO_BOARD_MAX_SLOTS 32

/*
 * Devices with bus=virtio-mmio-bus.N go to slot N; the other virtio-mmio devices, then
 * the if=virtio disks (virtio-blk-pci instead where the board has a PCI bus, as on
 * QEMU), each go to the next free slot of `order` (indices into slots[]). *-pci devices
 * go on the PCI bus, at addr= or the next free slot. With
 * `all_slots`, the remaining slots get empty transports (device ID 0), as on QEMU's
 * virt. The transports are legacy unless -global virtio-mmio.force-legacy=false.
 * Returns -1 after reporting a user error.
 */
struct pci_bus;
/* A board's PCI bus for virtio-pci devices (NULL: none; -device *-pci is refused). */
typedef struct virtio_pci_bus {
    struct pci_bus *bus;
    address_space *dma;
    void (*msi)(void *opaque, uint64_t addr, uint32_t data);   /* NULL: no MSI controller */
    void *msi_opaque;
} virtio_pci_bus;

/* Whether -device DRIVER sits on PCI (so a board with PCI on demand creates its bus). */
bool board_device_is_pci(const char *driver);

int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots, const virtio_pci_bus *pci);

#endif
