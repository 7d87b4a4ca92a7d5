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

/*
 * Disks first, then other devices, each into the next slot of `order` (indices into
 * slots[]); with `all_slots`, the remaining slots get empty transports (device ID 0).
 * Console chardevs are opened into chr[] (indexed like m->opts.chardevs; the caller
 * closes them). Returns -1 after reporting a user error.
 */
int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots, chardev **chr);

#endif
