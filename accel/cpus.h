/*
 * The machine's run state and the one way to stop it. The monitor, QMP, the gdb stub
 * and (later) snapshots all stop and restart the guest through vm_stop()/vm_start():
 * every vCPU is parked, guest time is frozen (on `cont` the guest sees no jump), and a
 * vCPU waiting on the big lock, sleeping in WFI, sending an IPI or inside KVM_RUN still
 * parks, because vm_stop() lets go of the big lock while it waits.
 *
 * vm_run() is every board's run loop: start the vCPUs, run the main loop, and serve
 * reset and shutdown requests, with QMP's events for each.
 */
#ifndef TERN_CPUS_H
#define TERN_CPUS_H

#include "core/machine.h"
#include <stdbool.h>

typedef enum run_state {
    RUN_STATE_PRELAUNCH,        /* -S: created, not started yet */
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,           /* stop (monitor, QMP) */
    RUN_STATE_DEBUG,            /* stopped by the debugger */
    RUN_STATE_SHUTDOWN,         /* the guest powered off (with -no-shutdown) */
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_POSTMIGRATE,      /* saved by migrate: stopped until cont */
} run_state;

run_state vm_state(void);
const char *run_state_name(run_state s);   /* QMP's names: "running", "paused", ... */
bool vm_running(void);

/* Main thread, big lock held: park every vCPU and freeze guest time. No-op if stopped
 * already (the state still changes to `why` from paused/prelaunch). Emits STOP. */
void vm_stop(machine *m, run_state why);
/* Main thread, big lock held: unfreeze time and let every vCPU go on. Emits RESUME. */
void vm_start(machine *m);
/* Stop or start one vCPU only, with the machine stopped (the debugger's step). */
void vm_resume_cpu(machine *m, unsigned i);
void vm_pause_cpu(machine *m, unsigned i);

/* Requests, from any thread: reset the machine or end the run. */
void vm_request_reset(bool guest, const char *reason);
void vm_request_shutdown(int status, bool guest, const char *reason);
/* system_powerdown: ask the guest to power off (boards that cannot ask: only the event). */
void vm_request_powerdown(machine *m);

/* Events for QMP: name ("STOP", "RESUME", "RESET", "SHUTDOWN", "POWERDOWN"), and for
 * RESET/SHUTDOWN whether the guest asked and why (QMP's reason strings). */
typedef void vm_event_fn(void *opaque, const char *name, bool guest, const char *reason);
void vm_add_event_listener(vm_event_fn *fn, void *opaque);

/* Start the machine (stopped, in prelaunch, with -S) and run until it ends; returns
 * tern's exit status. */
int vm_run(machine *m, bool start_stopped);

#endif
