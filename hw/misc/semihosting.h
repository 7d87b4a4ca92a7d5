/*
 * RISC-V semihosting, as QEMU's -semihosting / -semihosting-config target=native: ARM's
 * semihosting operations (open, read and write host files, the console, clocks, the
 * command line, exit with a status) called by an ebreak between `slli x0, x0, 0x1f`
 * and `srai x0, x0, 7`. See docs/semihosting.md.
 */
#ifndef TERN_SEMIHOSTING_H
#define TERN_SEMIHOSTING_H

#include <stdbool.h>
#include <stdint.h>
#include "core/machine.h"
#include "core/state.h"

struct rv_cpu;

/* Once, before the harts run: the console (o->semihosting_chr, or stderr), the guest's
 * command line (o->semihosting_args, or the -kernel file name and -append words, as
 * QEMU gives it), and for SYS_HEAPINFO the RAM the board has at ram_base and where
 * the -kernel image lies in it. */
void semihosting_init(const machine_opts *o, uint64_t ram_base, uint64_t ram_size);

/* rv_hart_env.semihost: carry out the call in a0 (operation) and a1 (parameter); the
 * result goes to a0. Always true: every operation number gets an answer. */
bool semihosting_call(void *opaque, struct rv_cpu *c);

/* Snapshots (machine stopped, big lock held, so no hart is inside a call). A host file
 * the guest has open cannot be saved (its position and contents are the host's): false
 * with the reason while any is, so the save is refused until the guest closes them.
 * The console handles (":tt"), feature files, the last errno and the clock since start
 * (SYS_CLOCK, SYS_ELAPSED go on from the saved value) are the state. */
bool semihosting_can_snapshot(char *err, size_t errsize);
void semihosting_state_save(state_out *o);
/* Host files open now are closed: the guest goes back to when it had none. */
bool semihosting_state_load(state_in *in, char *err, size_t errsize);

#endif
