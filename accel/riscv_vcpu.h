/*
 * The vCPU thread shared by the RISC-V accelerators (interp and jit): one thread per
 * hart that runs guest code until kicked, sleeps in WFI until an interrupt is
 * pending, and parks for pause requests. The accelerators differ only in the
 * function that runs guest code.
 */
#ifndef TERN_RISCV_VCPU_H
#define TERN_RISCV_VCPU_H

#include "accel/accel.h"
#include <stdbool.h>

struct rv_cpu;

/* Runs guest code until kicked or a slice is done; false stops the hart for good. */
typedef bool riscv_run_fn(void *opaque, struct rv_cpu *c);

/* honours_bp: run() stops before a breakpoint (the translator); otherwise the thread
 * steps the interpreter one instruction at a time while any is set. */
vcpu *riscv_vcpu_new(struct rv_cpu *c, unsigned index, riscv_run_fn *run, void *opaque, bool honours_bp);
bool riscv_vcpu_debug_step(vcpu *v, bool on);
struct rv_cpu *riscv_vcpu_hart(vcpu *v);
struct rv_cpu *riscv_vcpu_cpu(vcpu *v);
void *riscv_vcpu_opaque(vcpu *v);
void riscv_vcpu_start(vcpu *v);
void riscv_vcpu_kick(vcpu *v);
void riscv_vcpu_pause(vcpu *v);
void riscv_vcpu_request_pause(vcpu *v);
int riscv_vcpu_thread_id(vcpu *v);
void riscv_vcpu_wait_paused(vcpu *v);
void riscv_vcpu_resume(vcpu *v);
void riscv_vcpu_destroy(vcpu *v);

#endif
