/*
 * The ISA extensions of tern's RISC-V harts, by QEMU's -cpu property names: which
 * tern implements, for -cpu help and for refusing what it cannot do.
 */
#ifndef TERN_RISCV_EXT_H
#define TERN_RISCV_EXT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct riscv_ext {
    const char *name;            /* QEMU's property name */
    bool present;                /* tern's harts have it */
    const char *desc;
    unsigned off_bit;            /* RV_EXT_OFF_* if -cpu can turn it off, else 0 */
    const char *isa;             /* its part of the device tree's riscv,isa ("_zba") */
} riscv_ext;

extern const riscv_ext riscv_exts[];
/* By name, ignoring case (QEMU 7.2 spells some "Zicsr", later ones "zicsr"). */
const riscv_ext *riscv_ext_find(const char *name);
/* The device tree's riscv,isa for the harts, without the extensions in `off`. */
const char *riscv_isa_string(uint32_t off);

#endif
