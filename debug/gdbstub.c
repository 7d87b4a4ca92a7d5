/* gdb stub (placeholder). */
#include "debug/gdbstub.h"
#include <stdio.h>
bool gdbstub_open(machine *m, const char *dev, char *err, size_t errsize)
{
    snprintf(err, errsize, "-gdb: not yet");
    return false;
}
