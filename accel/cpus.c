/* Run state, the stop primitive and the run loop (see cpus.h). */
#include "accel/cpus.h"
#include "accel/accel.h"
#include "core/clock.h"
#include "core/memory.h"
#include "core/log.h"
#include "hw/misc/test_finisher.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static run_state state = RUN_STATE_PRELAUNCH;

#define MAX_LISTENERS 8
static struct { vm_event_fn *fn; void *opaque; } listeners[MAX_LISTENERS];
static int nlisteners;


run_state vm_state(void) { return state; }
bool vm_running(void) { return state == RUN_STATE_RUNNING; }

const char *run_state_name(run_state s)
{
    switch (s) {
    case RUN_STATE_PRELAUNCH: return "prelaunch";
    case RUN_STATE_RUNNING: return "running";
    case RUN_STATE_PAUSED: return "paused";
    case RUN_STATE_DEBUG: return "debug";
    case RUN_STATE_SHUTDOWN: return "shutdown";
    case RUN_STATE_INTERNAL_ERROR: return "internal-error";
    case RUN_STATE_POSTMIGRATE: return "postmigrate";
    }
    return "unknown";
}

void vm_add_event_listener(vm_event_fn *fn, void *opaque)
{
    if (nlisteners < MAX_LISTENERS)
        listeners[nlisteners++] = (typeof(listeners[0])){ fn, opaque };
}

static void emit(const char *name, bool guest, const char *reason)
{
    for (int i = 0; i < nlisteners; i++)
        listeners[i].fn(listeners[i].opaque, name, guest, reason);
}

static bool cpus_parked(machine *m)
{
    return m->accel && m->vcpus && m->ncpus;
}

void vm_stop(machine *m, run_state why)
{
    if (state != RUN_STATE_RUNNING) {
        if (state == RUN_STATE_PAUSED || state == RUN_STATE_PRELAUNCH || state == RUN_STATE_DEBUG ||
            state == RUN_STATE_POSTMIGRATE)
            state = why;
        return;
    }
    if (cpus_parked(m)) {
        for (unsigned i = 0; i < m->ncpus; i++)
            if (m->vcpus[i])
                m->accel->request_pause(m->vcpus[i]);
        /* a vCPU may be waiting for the big lock (an MMIO access, an IPI): let it have
         * it, finish, and park */
        int depth = big_lock_drop_all();
        for (unsigned i = 0; i < m->ncpus; i++)
            if (m->vcpus[i])
                m->accel->wait_paused(m->vcpus[i]);
        big_lock_retake(depth);
        if (m->accel->machine_stopped && m->vcpus[0])
            m->accel->machine_stopped(m->vcpus[0], true);
    }
    vclock_stop();
    state = why;
    emit("STOP", false, NULL);
}

void vm_start(machine *m)
{
    if (state == RUN_STATE_RUNNING || state == RUN_STATE_SHUTDOWN || state == RUN_STATE_INTERNAL_ERROR)
        return;
    vclock_cont();
    state = RUN_STATE_RUNNING;
    if (cpus_parked(m)) {
        if (m->accel->machine_stopped && m->vcpus[0])
            m->accel->machine_stopped(m->vcpus[0], false);
        for (unsigned i = 0; i < m->ncpus; i++)
            if (m->vcpus[i])
                m->accel->resume(m->vcpus[i]);
    }
    emit("RESUME", false, NULL);
}

void vm_resume_cpu(machine *m, unsigned i)
{
    if (cpus_parked(m) && i < m->ncpus && m->vcpus[i])
        m->accel->resume(m->vcpus[i]);
}

void vm_pause_cpu(machine *m, unsigned i)
{
    if (cpus_parked(m) && i < m->ncpus && m->vcpus[i]) {
        m->accel->request_pause(m->vcpus[i]);
        int depth = big_lock_drop_all();
        m->accel->wait_paused(m->vcpus[i]);
        big_lock_retake(depth);
    }
}

void vm_request_reset(bool guest, const char *reason)
{
    main_loop_request_exit_why(TERN_EXIT_RESET, guest, reason);
}

void vm_request_shutdown(int status, bool guest, const char *reason)
{
    main_loop_request_exit_why(status, guest, reason);
}

void vm_request_powerdown(machine *m)
{
    emit("POWERDOWN", false, NULL);
    if (m->cls->powerdown)
        m->cls->powerdown(m);
}

static void destroy_vcpus(machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        if (m->vcpus[i]) {
            m->accel->destroy(m->vcpus[i]);
            m->vcpus[i] = NULL;
        }
    }
}

int vm_run(machine *m, bool start_stopped)
{
    state = start_stopped ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING;
    if (start_stopped)
        vclock_stop();
    else
        vclock_cont();           /* a snapshot loaded at start-up froze it at its time */
    for (;;) {
        for (unsigned i = 0; i < m->ncpus; i++) {
            /* a stopped machine's vCPUs start parked, before running one instruction */
            if (state != RUN_STATE_RUNNING)
                m->accel->request_pause(m->vcpus[i]);
            m->accel->start(m->vcpus[i]);
        }
        int status = main_loop_run();
        bool guest;
        const char *reason;
        main_loop_take_why(&guest, &reason);
        if (!reason)
            reason = status == TERN_EXIT_RESET ? "guest-reset" : "guest-shutdown";
        /* the vCPUs go before the board resets or frees what they use (without the
         * big lock: one may be waiting for it to finish an MMIO access) */
        destroy_vcpus(m);
        if (status != TERN_EXIT_RESET) {
            big_lock();
            emit("SHUTDOWN", guest, reason);
            big_unlock();
            return status;
        }
        if (m->opts.no_reboot && guest) {
            big_lock();
            emit("SHUTDOWN", true, "guest-reset");
            big_unlock();
            return 0;
        }
        big_lock();
        emit("RESET", guest, reason);
        big_unlock();
        main_loop_clear_exit();
        if (m->cls->reset(m) < 0)
            return 2;
    }
}
