/* gdb's view of the microvm board's x86-64 vCPUs (see microvm_gdb.c). */
#ifndef TERN_MICROVM_GDB_H
#define TERN_MICROVM_GDB_H
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

#define MICROVM_GDB_G_REGS 57     /* through mxcsr */

const char *microvm_gdb_xml(const char *annex);
int microvm_gdb_read_reg(struct vcpu *v, int reg, uint8_t *buf);
bool microvm_gdb_write_reg(struct vcpu *v, int reg, const uint8_t *buf, int len);
#endif
