/*
 * The part of the PC keyboard controller a guest without a keyboard still uses: the
 * reset line (command 0xFE on port 0x64), which is how Linux reboots a PC without
 * ACPI. Reads report an idle controller with nothing to read.
 */
#ifndef TERN_I8042_H
#define TERN_I8042_H
#include "core/memory.h"

void i8042_create(address_space *io);

#endif
