/*
 * Machines (boards) and the options that configure them. A board registers itself with
 * MACHINE_REGISTER; main() picks one by name and calls its init with the parsed options.
 */
#ifndef TERN_MACHINE_H
#define TERN_MACHINE_H

#include <stdint.h>
#include <stdbool.h>
#include "core/memory.h"
#include "core/device.h"

typedef struct machine_opts {
    const char *machine;        /* -M name */
    const char *machine_props;  /* -M name,<props> */
    uint64_t ram_size;
    const char *bios;           /* NULL: the board's default */
    const char *kernel;
    const char *accel;          /* NULL: the board picks (jit where the host runs it) */
    const char *accel_props;
    bool nographic;
    int smp;
    const char *append;         /* kernel command line */
    const char *initrd;
    const char *dtb;            /* device tree to use instead of the generated one */
    const char *serial;         /* -serial backend: mon:stdio, stdio, file:PATH, null */
    bool no_reboot;
    bool snapshot;              /* -snapshot: every drive keeps its writes in memory */
#define MAX_DRIVES 8
    struct drive_opt {
        const char *file;
        bool readonly, snapshot;
    } drives[MAX_DRIVES];
    int ndrives;
#define MAX_DEVICES 8
    struct device_opt {
        const char *type;       /* "virtio-rng", "virtconsole" */
        const char *chardev;    /* -chardev id for consoles */
    } devices[MAX_DEVICES];
    int ndevices;
#define MAX_CHARDEVS 8
    struct chardev_opt {
        const char *id;
        char *spec;             /* chardev_open() syntax: file:PATH, stdio, null */
    } chardevs[MAX_CHARDEVS];
    int nchardevs;
} machine_opts;

typedef struct machine machine;

typedef struct machine_class {
    const char *name;
    const char *desc;
    /* Build the board. On a user error: print one line with error_report, return -1. */
    int (*init)(machine *m);
    /* Start the vCPUs and run until exit; returns the exit status. */
    int (*run)(machine *m);
    /* Free everything init made (after run, or after a failed init). */
    void (*destroy)(machine *m);
} machine_class;

struct machine {
    const machine_class *cls;
    machine_opts opts;
    address_space as;
    address_space io;           /* I/O ports, on boards that have them (x86) */
    device_list *devices;
    void *board;                /* board-private state */
};

void machine_class_register(const machine_class *mc);
const machine_class *machine_class_find(const char *name);
void machine_class_list(void);

#define MACHINE_REGISTER(mc) \
    __attribute__((constructor)) static void register_##mc(void) { machine_class_register(&mc); }

#endif
