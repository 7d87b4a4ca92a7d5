/*
 * The debugger's view of RISC-V harts: breakpoints, watchpoints and single steps, as
 * the gdb stub sets them. Both CPU tiers honour them: the interpreter by stepping, the
 * translator by ending blocks before a breakpoint and leaving chaining off while any
 * is set, so guest memory is never patched. A watched page stays out of the TLB, so
 * every access to it takes the slow path, which checks the watchpoints.
 *
 * The lists change only while every hart is parked (the stub runs on the main thread
 * with the machine stopped); harts read them while running.
 */
#ifndef TERN_RISCV_DEBUG_H
#define TERN_RISCV_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

struct rv_cpu;

enum { RV_WATCH_WRITE = 1, RV_WATCH_READ = 2, RV_WATCH_ACCESS = 3 };

/* gdb's Z types: 0 software and 1 hardware breakpoint, 2 write, 3 read, 4 access
 * watchpoint. False if the list is full or the type is unknown. */
bool rv_dbg_insert(int type, uint64_t addr, uint64_t len);
bool rv_dbg_remove(int type, uint64_t addr, uint64_t len);
void rv_dbg_remove_all(void);
/* Any breakpoint or watchpoint set. */
bool rv_dbg_any(void);
bool rv_dbg_any_watch(void);
bool rv_dbg_bp_at(uint64_t pc);
/* Does a breakpoint lie in [pc, pc + len)? (the translator: end the block before it) */
bool rv_dbg_bp_in(uint64_t pc, uint64_t len);
/* A load or store of size bytes at va completed: record a watchpoint hit on c. */
void rv_dbg_check_access(struct rv_cpu *c, uint64_t va, unsigned size, bool write);
/* Bring a hart's TLB in line with the watchpoints (the caller holds it stopped). */
void rv_dbg_sync_hart(struct rv_cpu *c);

#endif
