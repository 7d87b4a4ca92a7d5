/*
 * RISC-V Platform-Level Interrupt Controller, laid out as SiFive's/QEMU virt's:
 * priorities at +0, pending at +0x1000, per-context enables at +0x2000 + 0x80*ctx,
 * per-context threshold/claim at +0x200000 + 0x1000*ctx. Context 2h is hart h's
 * M-mode external interrupt, 2h+1 its S-mode one.
 */
#ifndef TERN_PLIC_H
#define TERN_PLIC_H
#include "core/memory.h"
#include "core/device.h"
#include "cpu/riscv/cpu.h"

#define PLIC_NUM_SOURCES 96     /* sources 1..95, as on QEMU's virt */

typedef struct plic plic;
plic *plic_create(device_list *devs, address_space *as, uint64_t base, rv_cpu **harts,
                  unsigned nharts, void (*kick)(void *opaque, unsigned hart), void *kick_opaque);
/* A device's interrupt line (level-triggered). Called with the big lock held. */
void plic_set_irq(plic *p, unsigned source, bool level);

/* An irq_fn-compatible wire to one PLIC source, for devices that take a callback. */
typedef struct plic_line { plic *p; unsigned source; } plic_line;
static inline void plic_line_set(void *line, bool level)
{
    plic_line *l = line;
    plic_set_irq(l->p, l->source, level);
}

#endif
