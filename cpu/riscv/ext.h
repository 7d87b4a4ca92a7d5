/*
 * The ISA extensions of tern's RISC-V harts, by QEMU's -cpu property names: which
 * tern implements, for -cpu help and for refusing what it cannot do.
 */
#ifndef TERN_RISCV_EXT_H
#define TERN_RISCV_EXT_H

#include <stdbool.h>

typedef struct riscv_ext {
    const char *name;            /* QEMU's property name */
    bool present;                /* tern's harts have it (and cannot turn it off) */
    const char *desc;
} riscv_ext;

extern const riscv_ext riscv_exts[];
/* By name, ignoring case (QEMU 7.2 spells some "Zicsr", later ones "zicsr"). */
const riscv_ext *riscv_ext_find(const char *name);

#endif
