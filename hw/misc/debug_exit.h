/*
 * An exit port for x86 guests, at QEMU's isa-debug-exit address: a write of value v
 * ends tern with status (v << 1) | 1, as QEMU's device does, except for the test
 * finisher's 32-bit commands, which mean the same as on the RISC-V virt board:
 * 0x5555 ends with status 0 (a guest's poweroff), (code << 16) | 0x3333 with code, and
 * 0x7777 resets the machine.
 */
#ifndef TERN_DEBUG_EXIT_H
#define TERN_DEBUG_EXIT_H
#include "core/memory.h"

void debug_exit_create(address_space *io, uint64_t port);

#endif
