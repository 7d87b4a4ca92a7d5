/*
 * The RISC-V vCPU thread (see riscv_vcpu.h). The thread leaves guest code when kicked
 * (pause, exit, interrupt) and sleeps while the hart is in WFI until an interrupt is
 * pending.
 */
#include "accel/riscv_vcpu.h"
#include "accel/vcpu_ctl.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/debug.h"
#include "core/log.h"
#include <stdlib.h>
#include <time.h>

struct vcpu {
    rv_cpu *cpu;
    unsigned index;
    riscv_run_fn *run;
    void *opaque;
    bool honours_bp;
    bool step;                  /* the debugger asked for one instruction */
    vcpu_ctl ctl;
};

/* Stop for the debugger: park this thread at the next look at its controls, and tell
 * the handler (which stops the rest of the machine from the main thread). */
static void debug_stop(vcpu *v, int reason, uint64_t addr)
{
    pthread_mutex_lock(&v->ctl.lock);
    v->ctl.pause_req = true;
    pthread_mutex_unlock(&v->ctl.lock);
    accel_debug_report(v->index, reason, addr);
}

/*
 * Guest code under the debugger. A step is one instruction with no interrupt taken (so
 * it does not wander into a handler, as QEMU's default). With watchpoints set, or on
 * the interpreter, instructions go one at a time, each checked; the translator stops
 * before breakpoints by itself.
 */
static bool debug_run(vcpu *v)
{
    rv_cpu *c = v->cpu;
    if (v->step) {
        v->step = false;
        c->wfi = false;
        rv_cpu_step(c);
        if (c->dbg_hit_kind)
            debug_stop(v, ACCEL_DBG_WATCH_WRITE + c->dbg_hit_kind - RV_WATCH_WRITE, c->dbg_hit_addr);
        else
            debug_stop(v, ACCEL_DBG_STEP, 0);
        c->dbg_hit_kind = 0;
        return true;
    }
    if (rv_dbg_any_watch() || !v->honours_bp) {
        for (unsigned n = 0; n < 200000; n++) {
            rv_take_interrupt(c);
            if (rv_dbg_bp_at(c->pc)) {
                debug_stop(v, ACCEL_DBG_BREAK, c->pc);
                return true;
            }
            if (c->wfi || atomic_load_explicit(&c->kick, memory_order_relaxed))
                return true;
            rv_cpu_step(c);
            if (c->dbg_hit_kind) {
                debug_stop(v, ACCEL_DBG_WATCH_WRITE + c->dbg_hit_kind - RV_WATCH_WRITE, c->dbg_hit_addr);
                c->dbg_hit_kind = 0;
                return true;
            }
        }
        return true;
    }
    bool more = v->run(v->opaque, c);
    if (more && !c->wfi && rv_dbg_bp_at(c->pc))
        debug_stop(v, ACCEL_DBG_BREAK, c->pc);
    return more;
}

bool riscv_vcpu_debug_step(vcpu *v, bool on)
{
    v->step = on;
    return true;
}

rv_cpu *riscv_vcpu_hart(vcpu *v) { return v->cpu; }

static void *vcpu_thread(void *arg)
{
    vcpu *v = arg;
    rv_cpu *c = v->cpu;
    pthread_mutex_lock(&v->ctl.lock);
    for (;;) {
        /* Forget old kicks before looking at the controls, never after: a pause asked
         * for once we have looked kicks again, and translated code that chains block
         * to block (a spin loop) notices nothing else. */
        atomic_store(&c->kick, 0);
        if (!vcpu_ctl_runnable(&v->ctl))
            break;
        if (c->wfi && !v->step) {
            if (rv_cpu_pending_irqs(c) & c->mie) {
                c->wfi = false;
            } else {
                /* sleep until kicked: the PLIC, the ACLINT's timers and IPIs and the
                 * Sstc timer (a qtimer in aclint.c) all kick. The bound is only a
                 * safety net; at 1 ms it woke an idle guest a thousand times a second
                 * (2.5% of a host core for nothing) */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 50000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&v->ctl.cond, &v->ctl.lock, &ts);
                continue;
            }
        }
        pthread_mutex_unlock(&v->ctl.lock);
        bool more = v->step || rv_dbg_any() ? debug_run(v) : v->run(v->opaque, c);
        pthread_mutex_lock(&v->ctl.lock);
        if (!more)
            v->ctl.stopped = true;      /* for good: park until destroyed */
    }
    vcpu_ctl_exit(&v->ctl);
    return NULL;
}

vcpu *riscv_vcpu_new(rv_cpu *c, unsigned index, riscv_run_fn *run, void *opaque, bool honours_bp)
{
    vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        fatal("out of memory");
    v->cpu = c;
    v->index = index;
    v->run = run;
    v->opaque = opaque;
    v->honours_bp = honours_bp;
    vcpu_ctl_init(&v->ctl);
    return v;
}

rv_cpu *riscv_vcpu_cpu(vcpu *v) { return v->cpu; }
void *riscv_vcpu_opaque(vcpu *v) { return v->opaque; }

void riscv_vcpu_start(vcpu *v)
{
    vcpu_ctl_start(&v->ctl, vcpu_thread, v);
}

static void kick(void *opaque)
{
    vcpu *v = opaque;
    atomic_store(&v->cpu->kick, 1);
    pthread_mutex_lock(&v->ctl.lock);
    pthread_cond_broadcast(&v->ctl.cond);
    pthread_mutex_unlock(&v->ctl.lock);
}

void riscv_vcpu_kick(vcpu *v) { kick(v); }
void riscv_vcpu_pause(vcpu *v) { vcpu_ctl_pause(&v->ctl, kick, v); }
int riscv_vcpu_thread_id(vcpu *v) { return v->ctl.tid; }
void riscv_vcpu_request_pause(vcpu *v) { vcpu_ctl_request_pause(&v->ctl, kick, v); }
void riscv_vcpu_wait_paused(vcpu *v) { vcpu_ctl_wait_paused(&v->ctl); }
void riscv_vcpu_resume(vcpu *v) { vcpu_ctl_resume(&v->ctl); }

void riscv_vcpu_destroy(vcpu *v)
{
    vcpu_ctl_destroy(&v->ctl, kick, v);
    free(v);
}
