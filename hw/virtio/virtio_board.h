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
 * Devices with bus=virtio-mmio-bus.N go to slot N; if=virtio disks, then the other
 * devices, each go to the next free slot of `order` (indices into slots[]). With
 * `all_slots`, the remaining slots get empty transports (device ID 0), as on QEMU's
 * virt. The transports are legacy unless -global virtio-mmio.force-legacy=false.
 * Returns -1 after reporting a user error.
 */
int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots);

#endif
