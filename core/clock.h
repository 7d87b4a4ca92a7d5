/*
 * Guest time: one virtual clock. It follows the host's monotonic clock, less the time
 * the machine spent stopped: while stopped it stands still, and on `cont` the guest
 * sees no jump (QEMU's virtual clock does the same). -icount will replace it later.
 * The main loop (timers, fd watches, requests to the main thread) is in main_loop.h.
 */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include <stdint.h>
#include <stdbool.h>
#include "core/main_loop.h"

uint64_t vclock_ns(void);
/* Host monotonic time, for what must go on while the guest is stopped. */
uint64_t host_clock_ns(void);
/* Freeze and unfreeze guest time (the stop primitive calls these, vCPUs parked). */
void vclock_stop(void);
void vclock_cont(void);
bool vclock_stopped(void);
/* Make guest time `ns` now (a snapshot's), so that it goes on from there (or stays
 * there while frozen). */
void vclock_set(uint64_t ns);

#endif
