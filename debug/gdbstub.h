/*
 * The gdb remote stub: gdb (gdb-multiarch) attaches over a chardev (-gdb DEV, -s, or
 * the monitor's gdbserver) to debug the guest, with harts as threads.
 */
#ifndef TERN_GDBSTUB_H
#define TERN_GDBSTUB_H

#include "core/machine.h"

/* Listen for gdb on DEV (tcp::PORT, unix:PATH,server=on, ...); "none" stops it. */
bool gdbstub_open(machine *m, const char *dev, char *err, size_t errsize);
/* At exit: the stub, its chardev and what it kept. */
void gdbstub_close(void);

#endif
