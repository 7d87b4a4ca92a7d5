/*
 * The commands of the small monitor behind Ctrl-A c, the same on every board: quit,
 * info registers (each CPU paused, dumped by the board, resumed), info devices, help.
 */
#ifndef TERN_BOARD_MONITOR_H
#define TERN_BOARD_MONITOR_H
#include "core/machine.h"
#include "accel/accel.h"
#include <stdio.h>

typedef struct board_monitor {
    machine *m;
    const accel_ops *accel;
    vcpu **vcpus;
    unsigned ncpus;
    const char *cpu_word;            /* "hart", "CPU" */
    void (*dump_cpu)(void *opaque, unsigned i, FILE *f);
    void *opaque;
} board_monitor;

/* A monitor_fn (core/chardev.h); opaque is the board_monitor. */
void board_monitor_cmd(void *opaque, const char *line, void (*out)(const char *text));

#endif
