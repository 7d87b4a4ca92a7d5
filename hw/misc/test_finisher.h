/*
 * QEMU's "sifive,test" finisher: a guest write ends the run (0x5555 pass, exit 0;
 * (code << 16) | 0x3333 fail, exit code) or resets the machine (0x7777).
 */
#ifndef TERN_TEST_FINISHER_H
#define TERN_TEST_FINISHER_H
#include "core/memory.h"

#define TERN_EXIT_RESET 0x10000   /* main-loop status meaning "reset the machine" */

void test_finisher_create(address_space *as, uint64_t base);

#endif
