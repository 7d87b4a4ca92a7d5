/*
 * NS16550A UART with byte-wide registers (reg-shift 0), as on QEMU's virt board: 16-byte
 * receive FIFO, the interrupt identification and line status behaviour Linux's 8250
 * driver relies on, loopback for its probes. Connected to a chardev and an irq line.
 */
#ifndef TERN_NS16550A_H
#define TERN_NS16550A_H
#include "core/memory.h"
#include "core/device.h"
#include "core/chardev.h"

typedef struct ns16550a ns16550a;
typedef void (*irq_fn)(void *opaque, bool level);

/* NULL (reported) if chr cannot take another user. */
ns16550a *ns16550a_create(device_list *devs, address_space *as, uint64_t base, chardev *chr,
                          irq_fn irq, void *irq_opaque);

#endif
