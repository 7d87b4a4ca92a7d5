/*
 * Guest time and the main loop: one virtual clock (host monotonic time for now;
 * instruction-counted under -icount later), timers that fire on the main thread, fd
 * handlers, and the requests (exit, reset) that any thread can make of the main loop.
 */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include <stdint.h>
#include <stdbool.h>

uint64_t vclock_ns(void);

typedef struct qtimer qtimer;
typedef void (*qtimer_cb)(void *opaque);
qtimer *qtimer_new(qtimer_cb cb, void *opaque);
void qtimer_free(qtimer *t);
/* Fire at virtual time `deadline_ns` (callback runs on the main thread, big lock held). */
void qtimer_mod(qtimer *t, uint64_t deadline_ns);
void qtimer_del(qtimer *t);

typedef void (*fd_cb)(void *opaque);
void main_loop_add_fd(int fd, fd_cb on_readable, void *opaque);
void main_loop_remove_fd(int fd);

/* Any thread: ask the main loop to stop with this exit status. */
void main_loop_request_exit(int status);
bool main_loop_exit_requested(void);
/* Forget a handled exit request (after a machine reset). */
void main_loop_clear_exit(void);
/* Runs until an exit is requested; returns the exit status. */
int main_loop_run(void);
void main_loop_wake(void);

#endif
