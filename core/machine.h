/*
 * Machines (boards) and the options that configure them. A board registers itself with
 * MACHINE_REGISTER; main() picks one by name and calls its init with the parsed options.
 */
#ifndef TERN_MACHINE_H
#define TERN_MACHINE_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "core/memory.h"
#include "core/device.h"
#include "core/opts.h"

struct chardev;
struct pci_bus;

typedef struct drive_opt {
    const char *file;
    const char *id;             /* id=, for -device ...,drive=ID */
    bool readonly, snapshot;
    bool if_none;               /* if=none: only a -device with drive=ID attaches it */
    bool claimed;               /* a device has it */
} drive_opt;

typedef struct device_opt {
    char *driver;               /* -device DRIVER,... */
    char *text;                 /* the whole argument, for messages */
    opt_list props;             /* the rest; the board asks for what the device takes */
} device_opt;

typedef struct global_opt {
    char *driver, *prop, *value;  /* -global DRIVER.PROP=VALUE */
    bool used;
} global_opt;

typedef struct machine_opts {
    const char *machine;        /* -M name */
    const char *machine_props;  /* -M name,<props> */
    uint64_t ram_size;
    const char *bios;           /* NULL: the board's default */
    const char *kernel;
    const char *accel;          /* NULL: the board picks (jit where the host runs it) */
    const char *accel_props;
    const char *cpu;            /* -cpu MODEL[,props]: NULL for the board's */
    bool nographic;
    int smp;
    const char *append;         /* kernel command line */
    const char *initrd;
    const char *dtb;            /* device tree to use instead of the generated one */
    struct chardev *serial;     /* the first serial port's chardev (NULL: none) */
    bool no_reboot;
    bool no_shutdown;           /* -no-shutdown: stop instead of exiting at power-off */
    bool snapshot;              /* -snapshot: every drive keeps its writes in memory */
#define MAX_DRIVES 8
    drive_opt drives[MAX_DRIVES];
    int ndrives;
#define MAX_DEVICES 64
    device_opt devices[MAX_DEVICES];
    int ndevices;
#define MAX_GLOBALS 16
    global_opt globals[MAX_GLOBALS];
    int nglobals;
    /* semihosting (-semihosting, -semihosting-config) */
    bool semihosting;
    struct chardev *semihosting_chr;   /* NULL: stderr */
    const char *semihosting_args;      /* the guest's command line (arg=...) */
} machine_opts;

/* -global DRIVER.PROP: the value (marked used), or NULL. */
const char *machine_global(machine_opts *o, const char *driver, const char *prop);

typedef struct machine machine;

typedef struct machine_class {
    const char *name;
    const char *desc;
    /* Build the board and its vCPUs (m->vcpus, not started). On a user error: print one
     * line with error_report, return -1; 1 means there is nothing to run (dumpdtb). */
    int (*init)(machine *m);
    /* After the vCPUs were destroyed: back to power-on (RAM, devices, images), and the
     * vCPUs created anew. -1 on failure (reported). */
    int (*reset)(machine *m);
    /* optional: system_powerdown, asking the guest to power off */
    void (*powerdown)(machine *m);
    /* Free everything init made (after run, or after a failed init). */
    void (*destroy)(machine *m);
    /* Snapshots (core/snapshot.h; optional: a board without them cannot be saved). Main
     * thread, machine stopped, big lock held. save_cpus writes the CPUs' architectural
     * state and whatever the board keeps beyond its devices (under KVM: the VM's
     * irqchip, PIT and clock); load_cpus reads it back, into vCPUs that stay paused and
     * drop everything derived from the old state (TLBs, translated code). */
    uint32_t cpu_state_version;
    int (*pre_save)(machine *m, char *err, size_t errsize);     /* optional: -1 cannot now */
    void (*save_cpus)(machine *m, state_out *o);
    bool (*load_cpus)(machine *m, state_in *in, uint32_t version, char *err, size_t errsize);
} machine_class;

/*
 * What the monitor and the debugger may do with a board's CPUs, whatever their
 * architecture. Called on the main thread with the machine stopped.
 */
typedef struct machine_cpu_ops {
    const char *cpu_word;                    /* "hart", "CPU" */
    void (*dump)(machine *m, unsigned cpu, FILE *f);   /* info registers */
    uint64_t (*pc)(machine *m, unsigned cpu);
    /* memory as CPU `cpu` sees it now, through its MMU; false where it would fault */
    bool (*read_virt)(machine *m, unsigned cpu, uint64_t va, void *buf, size_t len);
    bool (*write_virt)(machine *m, unsigned cpu, uint64_t va, const void *buf, size_t len);
    /* disassemble n instructions at va (x/i); returns how many it could */
    int (*disas)(machine *m, unsigned cpu, uint64_t va, int n, FILE *f);
    /* gdb (optional): the target description, registers by gdb's numbers (size of the
     * value, 0: no such register), and breakpoints/watchpoints by gdb's Z types */
    const char *(*gdb_xml)(machine *m, const char *annex);
    unsigned gdb_g_regs;
    int (*gdb_read_reg)(machine *m, unsigned cpu, int reg, uint8_t *buf);
    bool (*gdb_write_reg)(machine *m, unsigned cpu, int reg, const uint8_t *buf, int len);
    bool (*gdb_insert)(int type, uint64_t addr, uint64_t len);
    bool (*gdb_remove)(int type, uint64_t addr, uint64_t len);
    void (*gdb_remove_all)(void);
} machine_cpu_ops;

struct accel_ops;
struct vcpu;

struct machine {
    const machine_class *cls;
    machine_opts opts;
    address_space as;
    address_space io;           /* I/O ports, on boards that have them (x86) */
    device_list *devices;
    void *board;                /* board-private state */
    const struct accel_ops *accel;
    struct vcpu **vcpus;        /* the board's array; entries NULL between runs */
    unsigned ncpus;
    const machine_cpu_ops *cpu;
    const char *name;           /* -name */
    struct pci_bus *pci;        /* the root PCI bus (info pci); NULL: none */
};

void machine_class_register(const machine_class *mc);
const machine_class *machine_class_find(const char *name);
void machine_class_list(void);

#define MACHINE_REGISTER(mc) \
    __attribute__((constructor)) static void register_##mc(void) { machine_class_register(&mc); }

#endif
