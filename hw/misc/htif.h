/*
 * Spike's host-target interface (HTIF), for test programs that define `tohost` and
 * `fromhost` symbols (riscv-tests): a write to tohost ends the run (1: pass; else the
 * exit status is the value >> 1), prints a character (device 1, command 1), or runs a
 * proxied syscall (device 0, even value: pointer to a syscall block; write and exit).
 */
#ifndef TERN_HTIF_H
#define TERN_HTIF_H
#include "core/memory.h"

#include "core/device.h"
void htif_create(device_list *devs, address_space *as, uint64_t tohost, uint64_t fromhost, bool has_fromhost);

#endif
