/*
 * What a direct 64-bit entry needs: identity page tables and a flat GDT in guest
 * memory, and the register state that points at them (long mode, paging on, flat
 * segments, interrupts off) as the Linux x86-64 boot protocol describes it.
 */
#include "cpu/x86/cpu.h"
#include "core/memory.h"
#include <string.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define GDT_OFF 0x6000

bool x86_build_boot_tables(address_space *as, uint64_t base)
{
    uint8_t *p = as_ram_ptr(as, base, X86_BOOT_TABLES_SIZE);
    if (!p || (base & 0xfff))
        return false;
    memset(p, 0, X86_BOOT_TABLES_SIZE);
    uint64_t *pml4 = (uint64_t *)(void *)p;
    uint64_t *pdpt = (uint64_t *)(void *)(p + 0x1000);
    pml4[0] = (base + 0x1000) | PTE_P | PTE_W;
    for (unsigned g = 0; g < 4; g++) {
        uint64_t *pd = (uint64_t *)(void *)(p + 0x2000 + 0x1000 * g);
        pdpt[g] = (base + 0x2000 + 0x1000 * g) | PTE_P | PTE_W;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = ((uint64_t)g << 30) | ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
    }
    /* null, null, 64-bit code (0x10), data (0x18) */
    uint64_t *gdt = (uint64_t *)(void *)(p + GDT_OFF);
    gdt[2] = 0x00af9b000000ffffull;
    gdt[3] = 0x00cf93000000ffffull;
    return true;
}

static x86_segment flat(uint16_t sel, bool code)
{
    return (x86_segment){
        .base = 0, .limit = 0xffffffff, .selector = sel, .present = 1, .s = 1, .g = 1,
        .type = code ? 11 : 3,                 /* execute/read accessed; read/write accessed */
        .l = code, .db = !code,
    };
}

void x86_long_mode_regs(x86_regs *r, uint64_t base, uint64_t rip, uint64_t rsp)
{
    memset(r, 0, sizeof(*r));
    r->rip = rip;
    r->rsp = rsp;
    r->rflags = 2;
    r->cs = flat(X86_BOOT_CS, true);
    r->ds = r->es = r->fs = r->gs = r->ss = flat(X86_BOOT_DS, false);
    r->tr = (x86_segment){ .limit = 0xffff, .type = 11, .present = 1 };      /* busy 64-bit TSS */
    r->ldt = (x86_segment){ .limit = 0xffff, .type = 2, .present = 1 };
    r->gdt = (x86_dtable){ .base = base + GDT_OFF, .limit = 4 * 8 - 1 };
    r->idt = (x86_dtable){ .base = 0, .limit = 0xffff };
    r->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    r->cr3 = base;
    r->cr4 = X86_CR4_PAE;
    r->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE;
}
