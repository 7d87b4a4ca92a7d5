/*
 * x86-64 guest support for the KVM path: the architectural register state tern sets
 * and shows (boot entry, `info registers`, error reports), the structures a 64-bit
 * entry needs in guest memory (identity page tables, a flat GDT), CPUID filtering, and
 * capstone disassembly of guest code. The CPU itself runs in hardware.
 */
#ifndef TERN_X86_CPU_H
#define TERN_X86_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct address_space;

typedef struct x86_segment {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t type, present, dpl, db, s, l, g, avl, unusable;
} x86_segment;

typedef struct x86_dtable {
    uint64_t base;
    uint16_t limit;
} x86_dtable;

/* The registers tern reads and writes; the rest (FPU, MSRs, LAPIC...) stays KVM's. */
typedef struct x86_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
    x86_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
} x86_regs;

/* One vCPU of an x86 board: what the accelerator needs to create and reset it. */
typedef struct x86_cpu {
    unsigned index;
    unsigned ncpus;
    void *vm;                        /* the accelerator's VM */
    struct address_space *mem;       /* guest physical memory (MMIO exits) */
    struct address_space *io;        /* I/O ports (port exits) */
    x86_regs boot;                   /* state at reset, if `runnable` */
    bool runnable;                   /* false: waits for INIT/SIPI from another CPU */
} x86_cpu;

/* Control register bits used for a direct 64-bit entry */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

/* Selectors of the flat GDT tern builds (the Linux 64-bit boot protocol's) */
#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18

/*
 * Guest memory for a direct 64-bit entry, at `base` (page aligned, X86_BOOT_TABLES_SIZE
 * bytes): page tables identity-mapping the first 4 GiB with 2 MiB pages (PML4, PDPT,
 * four page directories) and a GDT with flat 64-bit code at X86_BOOT_CS and data at
 * X86_BOOT_DS. Returns false if the range is not RAM.
 */
#define X86_BOOT_TABLES_SIZE 0x7000
bool x86_build_boot_tables(struct address_space *as, uint64_t base);
/* Registers for entering 64-bit code at `rip` with the tables built at `base`. */
void x86_long_mode_regs(x86_regs *r, uint64_t base, uint64_t rip, uint64_t rsp);

/* Print registers as `info registers` and error reports do. */
void x86_regs_dump(const x86_regs *r, FILE *f);
/* Guest memory through the page tables r describes, as a debugger reads it. */
bool x86_debug_access(struct address_space *as, const x86_regs *r, uint64_t va, void *buf, size_t len,
                      bool write);
/* Disassemble up to `n` instructions of guest code (capstone); returns lines written. */
int x86_disas(const uint8_t *code, size_t len, uint64_t addr, bool long_mode, int n, FILE *f);

#endif
