/*
 * The RISC-V vCPU thread (see riscv_vcpu.h). The thread leaves guest code when kicked
 * (pause, exit, interrupt) and sleeps while the hart is in WFI until an interrupt is
 * pending.
 */
#include "accel/riscv_vcpu.h"
#include "cpu/riscv/cpu.h"
#include "core/log.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct vcpu {
    rv_cpu *cpu;
    unsigned index;
    riscv_run_fn *run;
    void *opaque;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;         /* wakes the vCPU (WFI, pause, resume) */
    pthread_cond_t paused_cond;  /* tells pause() the vCPU has stopped */
    bool running;
    bool quit, pause_req, paused, stopped;
};

static void *vcpu_thread(void *arg)
{
    vcpu *v = arg;
    rv_cpu *c = v->cpu;
    pthread_mutex_lock(&v->lock);
    while (!v->quit) {
        if (v->pause_req || v->stopped) {
            v->paused = true;
            pthread_cond_broadcast(&v->paused_cond);
            pthread_cond_wait(&v->cond, &v->lock);
            continue;
        }
        v->paused = false;
        if (c->wfi) {
            if (rv_cpu_pending_irqs(c) & c->mie) {
                c->wfi = false;
            } else {
                /* sleep until kicked; a bounded wait covers the Sstc timer, which has
                 * no wire to kick us */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 1000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&v->cond, &v->lock, &ts);
                continue;
            }
        }
        pthread_mutex_unlock(&v->lock);
        atomic_store(&c->kick, 0);
        bool more = v->run(v->opaque, c);
        pthread_mutex_lock(&v->lock);
        if (!more)
            v->stopped = true;      /* for good: park until destroyed */
    }
    v->paused = true;
    pthread_cond_broadcast(&v->paused_cond);
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

vcpu *riscv_vcpu_new(rv_cpu *c, unsigned index, riscv_run_fn *run, void *opaque)
{
    vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        fatal("out of memory");
    v->cpu = c;
    v->index = index;
    v->run = run;
    v->opaque = opaque;
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->cond, NULL);
    pthread_cond_init(&v->paused_cond, NULL);
    return v;
}

rv_cpu *riscv_vcpu_cpu(vcpu *v) { return v->cpu; }
void *riscv_vcpu_opaque(vcpu *v) { return v->opaque; }

void riscv_vcpu_start(vcpu *v)
{
    if (pthread_create(&v->thread, NULL, vcpu_thread, v) != 0)
        fatal("cannot create vCPU thread");
    v->running = true;
}

void riscv_vcpu_kick(vcpu *v)
{
    atomic_store(&v->cpu->kick, 1);
    pthread_mutex_lock(&v->lock);
    pthread_cond_broadcast(&v->cond);
    pthread_mutex_unlock(&v->lock);
}

void riscv_vcpu_pause(vcpu *v)
{
    pthread_mutex_lock(&v->lock);
    v->pause_req = true;
    atomic_store(&v->cpu->kick, 1);
    pthread_cond_broadcast(&v->cond);
    while (v->running && !v->paused)
        pthread_cond_wait(&v->paused_cond, &v->lock);
    pthread_mutex_unlock(&v->lock);
}

void riscv_vcpu_resume(vcpu *v)
{
    pthread_mutex_lock(&v->lock);
    v->pause_req = false;
    pthread_cond_broadcast(&v->cond);
    pthread_mutex_unlock(&v->lock);
}

void riscv_vcpu_destroy(vcpu *v)
{
    if (v->running) {
        pthread_mutex_lock(&v->lock);
        v->quit = true;
        atomic_store(&v->cpu->kick, 1);
        pthread_cond_broadcast(&v->cond);
        pthread_mutex_unlock(&v->lock);
        pthread_join(v->thread, NULL);
    }
    pthread_cond_destroy(&v->cond);
    pthread_cond_destroy(&v->paused_cond);
    pthread_mutex_destroy(&v->lock);
    free(v);
}
