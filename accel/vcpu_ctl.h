/*
 * What every vCPU thread shares, whatever runs the guest: starting, pausing until
 * resumed, stopping for good, and quitting. The accelerators (riscv_vcpu.c, kvm.c)
 * supply the run step and how to kick the thread out of guest code.
 */
#ifndef TERN_VCPU_CTL_H
#define TERN_VCPU_CTL_H

#include <pthread.h>
#include <stdbool.h>

typedef struct vcpu_ctl {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;            /* wakes the thread (resume, quit, kicks) */
    pthread_cond_t paused_cond;     /* tells pause() the thread has stopped */
    bool running;                   /* the thread exists */
    bool quit, pause_req, paused;
    bool stopped;                   /* it cannot go on: parked until destroyed */
    int tid;                        /* the thread's id, for `info cpus` */
} vcpu_ctl;

typedef void vcpu_kick_fn(void *opaque);

void vcpu_ctl_init(vcpu_ctl *c);
void vcpu_ctl_start(vcpu_ctl *c, void *(*fn)(void *), void *arg);
/* In the thread, with c->lock held: waits while paused or stopped; false: quit. */
bool vcpu_ctl_runnable(vcpu_ctl *c);
/* In the thread, with c->lock held, when it returns: marks it stopped and unlocks. */
void vcpu_ctl_exit(vcpu_ctl *c);
/* Ask the thread to pause and wait until it has. */
void vcpu_ctl_pause(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque);
/* Ask it to pause without waiting (before start: it starts paused); then wait for it. */
void vcpu_ctl_request_pause(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque);
void vcpu_ctl_wait_paused(vcpu_ctl *c);
void vcpu_ctl_resume(vcpu_ctl *c);
/* Make the thread quit, join it, and free the controls. */
void vcpu_ctl_destroy(vcpu_ctl *c, vcpu_kick_fn *kick, void *opaque);

#endif
