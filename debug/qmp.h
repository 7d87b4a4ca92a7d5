/*
 * QMP, the QEMU Machine Protocol, on a chardev: the greeting, qmp_capabilities, the
 * commands and the events, as JSON objects over a socket (or any chardev).
 */
#ifndef TERN_QMP_H
#define TERN_QMP_H

#include "core/machine.h"
#include "core/chardev.h"

bool qmp_open(machine *m, chardev *c, bool pretty, char *err, size_t errsize);
void qmp_close_all(void);

#endif
