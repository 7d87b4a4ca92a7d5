/*
 * NS16550A UART with byte-wide registers (reg-shift 0), as on QEMU's virt board.
 * Output goes to a host fd.
 */
#ifndef TERN_NS16550A_H
#define TERN_NS16550A_H
#include "core/memory.h"

typedef struct ns16550a ns16550a;
#include "core/device.h"
ns16550a *ns16550a_create(device_list *devs, address_space *as, uint64_t base, int out_fd);

#endif
