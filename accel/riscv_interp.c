/* The `interp` accelerator: each RISC-V hart runs the interpreter in its vCPU thread. */
#include "accel/riscv_vcpu.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/debug.h"
#include <stdio.h>

static bool interp_run(void *opaque, rv_cpu *c)
{
    (void)opaque;
    rv_cpu_run(c, 1u << 20);
    return true;
}

static vcpu *interp_create(void *arch_cpu, unsigned index, const char *props, char *err,
                           unsigned errsize)
{
    if (props && *props) {
        snprintf(err, errsize, "-accel interp: unknown option '%s'", props);
        return NULL;
    }
    return riscv_vcpu_new(arch_cpu, index, interp_run, NULL, false);
}

static bool interp_debug_changed(vcpu *v, char *err, unsigned errsize)
{
    rv_dbg_sync_hart(riscv_vcpu_hart(v));
    return true;
}

static const accel_ops riscv_interp_ops = {
    .desc = "interprets each instruction (the reference tier)",
    .name = "interp",
    .arch = "riscv64",
    .create = interp_create,
    .start = riscv_vcpu_start,
    .kick = riscv_vcpu_kick,
    .pause = riscv_vcpu_pause,
    .request_pause = riscv_vcpu_request_pause,
    .wait_paused = riscv_vcpu_wait_paused,
    .thread_id = riscv_vcpu_thread_id,
    .debug_changed = interp_debug_changed,
    .debug_step = riscv_vcpu_debug_step,
    .resume = riscv_vcpu_resume,
    .destroy = riscv_vcpu_destroy,
};
ACCEL_REGISTER(riscv_interp_ops)
