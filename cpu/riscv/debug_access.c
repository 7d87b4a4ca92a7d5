/*
 * Guest memory as a debugger or the monitor sees it through a hart's MMU: page by page,
 * with the hart's current translation but no access checks or A/D updates. Writes go
 * through the DMA path, so translated code over them is dropped.
 */
#include "cpu/riscv/cpu.h"
#include "core/memory.h"
#include <string.h>

bool rv_debug_access(rv_cpu *c, uint64_t va, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        size_t chunk = 4096 - (va & 4095);
        if (chunk > len)
            chunk = len;
        uint64_t pa;
        if (rv_debug_translate(c, va, &pa) != 0)
            return false;
        bool ok = write ? dma_write(c->as, pa, p, chunk) : dma_read(c->as, pa, p, chunk);
        if (!ok && !write) {
            /* not RAM: device registers, a byte at a time as QEMU reads them */
            for (size_t i = 0; i < chunk; i++) {
                uint64_t v;
                if (!as_read(c->as, pa + i, 1, &v))
                    return false;
                p[i] = (uint8_t)v;
            }
            ok = true;
        }
        if (!ok)
            return false;
        va += chunk;
        p += chunk;
        len -= chunk;
    }
    return true;
}
