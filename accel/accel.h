/*
 * The accelerator interface (DESIGN.md, interface 6): how vCPUs are created, run in
 * their own threads, kicked out of guest code, stopped, and how their state is read.
 * Boards, devices, the monitor and snapshots use only this.
 */
#ifndef TERN_ACCEL_H
#define TERN_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct vcpu vcpu;

typedef struct accel_ops {
    const char *name;
    const char *arch;                 /* guest architecture it runs: "riscv64", "x86_64" */
    const char *desc;                 /* one line for -accel help */
    /* Create vCPU `index`; `arch_cpu` is the architecture state (e.g. rv_cpu). */
    vcpu *(*create)(void *arch_cpu, unsigned index, const char *props, char *err, unsigned errsize);
    void (*start)(vcpu *v);           /* start its thread */
    void (*kick)(vcpu *v);            /* make it notice interrupts / requests soon */
    void (*pause)(vcpu *v);           /* stop running guest code; returns when stopped */
    /* pause() in two halves, so a machine stops all its vCPUs at once: ask (before
     * start: the thread starts paused), then wait */
    void (*request_pause)(vcpu *v);
    void (*wait_paused)(vcpu *v);
    void (*resume)(vcpu *v);
    /* optional: the whole machine stopped or goes on (given its first vCPU): KVM keeps
     * its guest clock from jumping over the stop */
    void (*machine_stopped)(vcpu *v, bool stopped);
    /* optional: the paused vCPU's state and guest RAM were replaced (a snapshot was
     * loaded): drop everything derived from them (translated code) */
    void (*state_loaded)(vcpu *v);
    void (*destroy)(vcpu *v);         /* stop the thread and free */
    bool (*available)(void);          /* optional: false if it cannot run on this host */
    int (*thread_id)(vcpu *v);        /* the host thread running it (0: not started) */
    /* the debugger (optional; all with the machine stopped): breakpoints or watchpoints
     * changed (given any vCPU of the machine); run one instruction, without taking
     * interrupts, next time this vCPU runs. False: cannot, with the reason in err. */
    bool (*debug_changed)(vcpu *v, char *err, unsigned errsize);
    bool (*debug_step)(vcpu *v, bool on);
} accel_ops;

/* What a vCPU stopped for under the debugger; reported from its own thread, which then
 * parks (the handler must hand the rest to the main thread). */
enum { ACCEL_DBG_STEP = 1, ACCEL_DBG_BREAK, ACCEL_DBG_WATCH_WRITE, ACCEL_DBG_WATCH_READ,
       ACCEL_DBG_WATCH_ACCESS };
typedef void accel_debug_fn(void *opaque, unsigned cpu, int reason, uint64_t addr);
void accel_set_debug_handler(accel_debug_fn *fn, void *opaque);
void accel_debug_report(unsigned cpu, int reason, uint64_t addr);

void accel_register(const accel_ops *ops);
const accel_ops *accel_find(const char *name, const char *arch);
/* The first of the names (in order of preference) that exists and can run here. */
const accel_ops *accel_pick(const char *const *names, const char *arch);
void accel_list(const char *arch);

#define ACCEL_REGISTER(ops) \
    __attribute__((constructor)) static void register_##ops(void) { accel_register(&ops); }

#endif
