/*
 * The main loop, run by the main thread: timers on the virtual clock, watches on file
 * descriptors (sockets, terminals, pipes), functions other threads ask it to run, and
 * the requests (exit, reset) any thread can make. Every callback runs with the big
 * lock held.
 */
#ifndef TERN_MAIN_LOOP_H
#define TERN_MAIN_LOOP_H

#include <stdint.h>
#include <stdbool.h>
#include <poll.h>

typedef struct qtimer qtimer;
typedef void (*qtimer_cb)(void *opaque);
qtimer *qtimer_new(qtimer_cb cb, void *opaque);
/* The same on the host's monotonic clock (host_clock_ns): for what goes on while the
 * guest is stopped, such as the window's refresh. */
qtimer *qtimer_new_host(qtimer_cb cb, void *opaque);
void qtimer_free(qtimer *t);
/* Fire at virtual time `deadline_ns` (callback runs on the main thread, big lock held). */
void qtimer_mod(qtimer *t, uint64_t deadline_ns);
void qtimer_del(qtimer *t);

/* A watch on an fd: cb(opaque, revents) when any of `events` (POLLIN, POLLOUT) is ready
 * or the fd has hung up or failed. Watches may be added, changed and removed from any
 * callback, their own included. Main thread only. */
typedef struct io_watch io_watch;
typedef void (*io_cb)(void *opaque, short revents);
io_watch *io_watch_add(int fd, short events, io_cb cb, void *opaque);
void io_watch_set_events(io_watch *w, short events);
void io_watch_remove(io_watch *w);

/* Run fn(opaque) on the main thread soon, with the big lock held. Any thread. */
void main_loop_call(void (*fn)(void *opaque), void *opaque);

/* Any thread: ask the main loop to stop with this exit status (the guest asked). */
void main_loop_request_exit(int status);
/* The same, saying who asked and why, in QMP's terms ("host-qmp-quit", "guest-reset"). */
void main_loop_request_exit_why(int status, bool guest, const char *reason);
/* Who asked for the exit the loop returned for (reason NULL: not said), and forget it. */
void main_loop_take_why(bool *guest, const char **reason);
bool main_loop_exit_requested(void);
/* Forget a handled exit request (after a machine reset). */
void main_loop_clear_exit(void);
/* Runs until an exit is requested; returns the exit status. */
int main_loop_run(void);
void main_loop_wake(void);

#endif
