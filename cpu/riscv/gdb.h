/*
 * A RISC-V hart as gdb sees it: the target description (QEMU's feature names, so
 * gdb-multiarch's RISC-V support recognises every register: cpu, fpu, csr, and
 * virtual with priv) and register access by gdb's register numbers.
 */
#ifndef TERN_RISCV_GDB_H
#define TERN_RISCV_GDB_H

#include <stdbool.h>
#include <stdint.h>

struct rv_cpu;

#define RV_GDB_G_REGS 33          /* x0-x31 and pc: what the g packet carries */

/* target.xml; NULL for any other annex */
const char *rv_gdb_xml(const char *annex);
/* Register reg into buf: its size, or 0 if there is none. */
int rv_gdb_read_reg(struct rv_cpu *c, int reg, uint8_t *buf);
bool rv_gdb_write_reg(struct rv_cpu *c, int reg, const uint8_t *buf, int len);

#endif
