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
    void (*resume)(vcpu *v);
    void (*destroy)(vcpu *v);         /* stop the thread and free */
    bool (*available)(void);          /* optional: false if it cannot run on this host */
} accel_ops;

void accel_register(const accel_ops *ops);
const accel_ops *accel_find(const char *name, const char *arch);
/* The first of the names (in order of preference) that exists and can run here. */
const accel_ops *accel_pick(const char *const *names, const char *arch);
void accel_list(const char *arch);

#define ACCEL_REGISTER(ops) \
    __attribute__((constructor)) static void register_##ops(void) { accel_register(&ops); }

#endif
