/*
 * Guest memory as a debugger or the monitor sees it through an x86 vCPU's page tables
 * (4- or 5-level long mode, PAE, or none), without setting accessed bits.
 */
#include "cpu/x86/cpu.h"
#include "core/memory.h"
#include <string.h>

#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull

/* The physical address of va, or false if it is not mapped. */
static bool translate(address_space *as, const x86_regs *r, uint64_t va, uint64_t *pa)
{
    if (!(r->cr0 & CR0_PG)) {
        *pa = va;
        return true;
    }
    if (!(r->cr4 & CR4_PAE)) {
        /* 32-bit paging: two levels of 4-byte entries, 4 MiB pages */
        uint32_t va32 = (uint32_t)va;
        uint64_t e;
        if (!dma_read(as, (r->cr3 & 0xfffff000u) + ((va32 >> 22) & 1023) * 4, &e, 4))
            return false;
        e &= 0xffffffffu;
        if (!(e & PTE_P))
            return false;
        if ((e & PTE_PS) && (r->cr4 & 0x10)) {
            *pa = (e & 0xffc00000u) | (va32 & 0x3fffff);
            return true;
        }
        uint64_t t = e & 0xfffff000u;
        if (!dma_read(as, t + ((va32 >> 12) & 1023) * 4, &e, 4))
            return false;
        e &= 0xffffffffu;
        if (!(e & PTE_P))
            return false;
        *pa = (e & 0xfffff000u) | (va32 & 0xfff);
        return true;
    }
    int levels = !(r->efer & EFER_LMA) ? 3 : (r->cr4 & CR4_LA57) ? 5 : 4;
    uint64_t table = levels == 3 ? (r->cr3 & 0xffffffe0u) : (r->cr3 & ADDR_MASK);
    for (int level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (unsigned)(level - 1);
        unsigned idx = levels == 3 && level == 3 ? (unsigned)((va >> 30) & 3) : (unsigned)((va >> shift) & 511);
        uint64_t e;
        if (!dma_read(as, table + idx * 8ull, &e, 8) || !(e & PTE_P))
            return false;
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            uint64_t mask = (1ull << shift) - 1;
            *pa = (e & ADDR_MASK & ~mask) | (va & mask);
            return true;
        }
        table = e & ADDR_MASK;
    }
    return false;
}

bool x86_debug_access(address_space *as, const x86_regs *r, uint64_t va, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        size_t chunk = 4096 - (va & 4095);
        if (chunk > len)
            chunk = len;
        uint64_t pa;
        if (!translate(as, r, va, &pa))
            return false;
        if (!(write ? dma_write(as, pa, p, chunk) : dma_read(as, pa, p, chunk)))
            return false;
        va += chunk;
        p += chunk;
        len -= chunk;
    }
    return true;
}
