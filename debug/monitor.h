/*
 * The human monitor (HMP), in QEMU's spelling: one table of commands that serves a
 * monitor on any chardev (-monitor, -mon mode=readline, Ctrl-A c on a mux), QMP's
 * human-monitor-command and gdb's `monitor CMD`.
 */
#ifndef TERN_MONITOR_H
#define TERN_MONITOR_H

#include "core/machine.h"
#include "core/chardev.h"
#include <stdbool.h>
#include <stddef.h>

/* Where a command's output goes, and the monitor's current CPU (`cpu N`). */
typedef struct mon_out {
    void (*write)(void *opaque, const char *text);
    void *opaque;
    unsigned cpu;
} mon_out;

void mon_printf(mon_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run one command line (main thread, big lock held). */
void hmp_run(machine *m, const char *line, mon_out *o);
/* Run it and return its output (malloc'd), for QMP and gdb. */
char *hmp_run_capture(machine *m, const char *line, unsigned cpu);

/* A readline monitor on chardev c (banner, "(qemu) " prompt, line editing). */
bool hmp_open(machine *m, chardev *c, char *err, size_t errsize);
void hmp_close_all(void);

/* The gdb stub the `gdbserver` command starts (set by debug/gdbstub.c). */
extern bool (*hmp_gdbserver_hook)(machine *m, const char *dev, char *err, size_t errsize);

#endif
