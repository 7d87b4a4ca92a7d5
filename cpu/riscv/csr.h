/*
 * RISC-V CSR numbers and descriptions, generated from csr.def: the CSR_ names, a
 * lookup from number to name, privilege and flags, the list of the CSRs tern
 * implements (for the gdb stub's org.gnu.gdb.riscv.csr feature), and a debugger's
 * access to them.
 */
#ifndef TERN_RISCV_CSR_H
#define TERN_RISCV_CSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rv_cpu;

/* rv_csr_info.flags */
enum {
    RV_CSR_IMPL = 1 << 0,   /* tern implements it; else only named (disassembler) */
    RV_CSR_RO   = 1 << 1,   /* read-only */
    RV_CSR_IRQ  = 1 << 2,   /* a write may make a pending interrupt takeable */
    RV_CSR_EVEN = 1 << 3,   /* csr.def range rows only: odd members are not implemented */
};

/* CSR_<id> for every row; CSR_<id><lo> and CSR_<id><hi> for the ends of a range row
 * (CSR_PMPADDR0 .. CSR_PMPADDR63, CSR_HPMCOUNTER3 .. CSR_HPMCOUNTER31, ...). */
enum {
#define CSR(id, num, name, priv, flags) CSR_##id = (num),
#define CSR_RANGE(id, base, lo, hi, prefix, priv, flags) \
    CSR_##id##lo = (base) + (lo), CSR_##id##hi = (base) + (hi),
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
};

typedef struct rv_csr_info {
    uint16_t num;
    uint8_t priv;           /* lowest privilege allowed to access it: PRV_U, PRV_S, PRV_M */
    uint8_t flags;          /* RV_CSR_IMPL, RV_CSR_RO, RV_CSR_IRQ */
    const char *name;       /* as GNU objdump spells it; a range member's: "pmpaddr5" */
} rv_csr_info;

/* The CSR with this number, implemented or only named (members of ranges included);
 * NULL if tern knows no such CSR. The result lives as long as the program. */
const rv_csr_info *rv_csr_info_find(unsigned num);

/* The CSRs tern implements, in number order: *count entries. */
const rv_csr_info *rv_csr_list(size_t *count);

/* rv_csr_info_find(num)->flags, or 0 for an unknown number; cheap enough for the
 * execution paths (no lookup of names). */
unsigned rv_csr_flags(unsigned num);

/*
 * A debugger's access to an implemented CSR: as an M-mode csrr/csrw would, with the
 * same write side effects (TLB flushes, mode changes, timer updates), but whatever the
 * hart's privilege and without the other enables (counter enables, mstatus.FS and TVM,
 * Sstc's STCE) and without raising anything. Counters read as the next instruction
 * would see them. False for an unimplemented CSR, and debug_write is false for a
 * read-only one. The hart must be stopped (not running on another thread).
 */
bool rv_csr_debug_read(struct rv_cpu *c, unsigned csr, uint64_t *val);
bool rv_csr_debug_write(struct rv_cpu *c, unsigned csr, uint64_t val);

#endif
