/*
 * The gdb stub (see gdbstub.h): the protocol engine of gdb_proto.c given tern's
 * machine. All-stop, as QEMU's: gdb attaching stops the machine, a breakpoint,
 * watchpoint or step on one CPU stops them all (through vm_stop, so guest time stands
 * still), continue lets them all go, and detaching (or gdb going away) removes the
 * breakpoints and lets the machine run on.
 */
#include "debug/gdbstub.h"
#include "debug/gdb_proto.h"
#include "debug/monitor.h"
#include "accel/accel.h"
#include "accel/cpus.h"
#include "core/chardev.h"
#include "core/log.h"
#include "core/main_loop.h"
#include "core/memory.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gdbstub {
    machine *m;
    chardev *chr;
    gdb_session *sess;
    bool connected;
    /* the first stop a vCPU reported, waiting for the main thread */
    pthread_mutex_t lock;
    bool pending;
    unsigned cpu;
    int reason;
    uint64_t addr;
} gdbstub;

static gdbstub *stub;
static gdbstub *retired[8];
static int nretired;

/* ---- the target ---- */

static unsigned t_ncpus(void *t) { return ((gdbstub *)t)->m->ncpus; }

static const char *t_xml(void *t, const char *annex)
{
    machine *m = ((gdbstub *)t)->m;
    return m->cpu->gdb_xml ? m->cpu->gdb_xml(m, annex) : NULL;
}

static unsigned t_g_regs(void *t) { return ((gdbstub *)t)->m->cpu->gdb_g_regs; }

static bool cpu_ok(machine *m, unsigned cpu)
{
    return cpu < m->ncpus && m->vcpus[cpu];
}

static int t_read_reg(void *t, unsigned cpu, int reg, uint8_t *buf)
{
    machine *m = ((gdbstub *)t)->m;
    return cpu_ok(m, cpu) && m->cpu->gdb_read_reg ? m->cpu->gdb_read_reg(m, cpu, reg, buf) : 0;
}

static bool t_write_reg(void *t, unsigned cpu, int reg, const uint8_t *buf, int len)
{
    machine *m = ((gdbstub *)t)->m;
    return cpu_ok(m, cpu) && m->cpu->gdb_write_reg && m->cpu->gdb_write_reg(m, cpu, reg, buf, len);
}

static bool t_read_mem(void *t, unsigned cpu, bool phys, uint64_t addr, uint8_t *buf, size_t len)
{
    machine *m = ((gdbstub *)t)->m;
    if (phys)
        return dma_read(&m->as, addr, buf, len);
    return cpu_ok(m, cpu) && m->cpu->read_virt(m, cpu, addr, buf, len);
}

static bool t_write_mem(void *t, unsigned cpu, bool phys, uint64_t addr, const uint8_t *buf, size_t len)
{
    machine *m = ((gdbstub *)t)->m;
    if (phys)
        return dma_write(&m->as, addr, buf, len);
    return cpu_ok(m, cpu) && m->cpu->write_virt(m, cpu, addr, buf, len);
}

/* Breakpoints changed: every vCPU brings itself in line (TLBs, translated code). */
static bool sync_vcpus(machine *m)
{
    char err[256];
    for (unsigned i = 0; i < m->ncpus; i++) {
        if (!m->vcpus[i])
            continue;
        if (!m->accel->debug_changed || !m->accel->debug_changed(m->vcpus[i], err, sizeof(err)))
            return false;
    }
    return true;
}

static bool t_insert(void *t, int type, uint64_t addr, uint64_t kind, bool *unsupported)
{
    machine *m = ((gdbstub *)t)->m;
    if (!m->cpu->gdb_insert || !m->accel->debug_changed) {
        *unsupported = true;
        return false;
    }
    if (!m->cpu->gdb_insert(type, addr, kind))
        return false;
    return sync_vcpus(m);
}

static bool t_remove(void *t, int type, uint64_t addr, uint64_t kind)
{
    machine *m = ((gdbstub *)t)->m;
    if (!m->cpu->gdb_remove || !m->cpu->gdb_remove(type, addr, kind))
        return false;
    return sync_vcpus(m);
}

static void remove_all(machine *m)
{
    if (m->cpu->gdb_remove_all) {
        m->cpu->gdb_remove_all();
        sync_vcpus(m);
    }
    for (unsigned i = 0; i < m->ncpus; i++)
        if (m->vcpus[i] && m->accel->debug_step)
            m->accel->debug_step(m->vcpus[i], false);
}

static void t_remove_all(void *t) { remove_all(((gdbstub *)t)->m); }

static bool t_resume(void *t, const uint8_t *action, unsigned ncpus)
{
    gdbstub *g = t;
    machine *m = g->m;
    if (vm_state() == RUN_STATE_SHUTDOWN || vm_state() == RUN_STATE_INTERNAL_ERROR)
        return false;
    bool all = true, some = false;
    for (unsigned i = 0; i < m->ncpus && i < ncpus; i++) {
        if (action[i] == GDB_RESUME_NONE) {
            all = false;
            continue;
        }
        some = true;
        if (!cpu_ok(m, i))
            return false;
        if (action[i] == GDB_RESUME_STEP &&
            (!m->accel->debug_step || !m->accel->debug_step(m->vcpus[i], true)))
            return false;
    }
    if (!some)
        return false;
    pthread_mutex_lock(&g->lock);
    g->pending = false;
    pthread_mutex_unlock(&g->lock);
    if (all) {
        vm_start(m);
    } else {
        /* only these CPUs go (gdb stepping one thread over a breakpoint, say); the
         * others stay parked and guest time stays still */
        for (unsigned i = 0; i < m->ncpus && i < ncpus; i++)
            if (action[i] != GDB_RESUME_NONE)
                vm_resume_cpu(m, i);
    }
    return true;
}

static void t_interrupt(void *t)
{
    gdbstub *g = t;
    vm_stop(g->m, RUN_STATE_DEBUG);
    gdb_session_stopped(g->sess, GDB_CURRENT_CPU, GDB_STOP_SIGNAL, 2, 0);
}

static char *t_monitor(void *t, const char *cmd, unsigned cpu)
{
    return hmp_run_capture(((gdbstub *)t)->m, cmd, cpu);
}

static void t_detach(void *t)
{
    gdbstub *g = t;
    remove_all(g->m);
    vm_start(g->m);
}

static void t_kill(void *t)
{
    vm_request_shutdown(0, false, "host-ui");
}

static void t_send(void *t, const char *data, size_t len)
{
    chardev_write(((gdbstub *)t)->chr, (const uint8_t *)data, len);
}

static const gdb_target_ops target_ops = {
    .ncpus = t_ncpus, .xml = t_xml, .g_regs = t_g_regs, .read_reg = t_read_reg,
    .write_reg = t_write_reg, .read_mem = t_read_mem, .write_mem = t_write_mem,
    .insert = t_insert, .remove = t_remove, .remove_all = t_remove_all, .resume = t_resume,
    .interrupt = t_interrupt, .monitor = t_monitor, .detach = t_detach, .kill = t_kill,
    .send = t_send,
};

/* ---- stops reported by vCPU threads ---- */

static void handle_stop(void *opaque)
{
    gdbstub *g = opaque;
    pthread_mutex_lock(&g->lock);
    bool pending = g->pending;
    unsigned cpu = g->cpu;
    int reason = g->reason;
    uint64_t addr = g->addr;
    g->pending = false;
    pthread_mutex_unlock(&g->lock);
    if (!pending)
        return;
    vm_stop(g->m, RUN_STATE_DEBUG);
    vm_pause_cpu(g->m, cpu);      /* stepped alone, it has parked itself: wait for it */
    for (unsigned i = 0; i < g->m->ncpus; i++)
        if (g->m->vcpus[i] && g->m->accel->debug_step)
            g->m->accel->debug_step(g->m->vcpus[i], false);
    if (!g->sess || !gdb_session_running(g->sess))
        return;                   /* nobody waits (gdb went away): the machine stays stopped */
    int kind = reason == ACCEL_DBG_WATCH_WRITE ? GDB_STOP_WATCH
               : reason == ACCEL_DBG_WATCH_READ ? GDB_STOP_RWATCH
               : reason == ACCEL_DBG_WATCH_ACCESS ? GDB_STOP_AWATCH : GDB_STOP_SIGNAL;
    gdb_session_stopped(g->sess, cpu, kind, 5, addr);
}

/* On the vCPU's thread: the first report wins; the main thread does the rest. */
static void on_debug_stop(void *opaque, unsigned cpu, int reason, uint64_t addr)
{
    gdbstub *g = opaque;
    pthread_mutex_lock(&g->lock);
    bool first = !g->pending;
    if (first) {
        g->pending = true;
        g->cpu = cpu;
        g->reason = reason;
        g->addr = addr;
    }
    pthread_mutex_unlock(&g->lock);
    if (!first)
        return;
    /* the others stop now, not when the main thread gets to it: "all-stop" should
     * leave them as near the stopping instruction as it can */
    machine *m = g->m;
    for (unsigned i = 0; i < m->ncpus; i++)
        if (i != cpu && m->vcpus[i])
            m->accel->request_pause(m->vcpus[i]);
    main_loop_call(handle_stop, g);
}

static void on_vm_event(void *opaque, const char *name, bool guest, const char *reason)
{
    if (stub && stub->sess && !strcmp(name, "SHUTDOWN"))
        gdb_session_exited(stub->sess, 0);
}

/* ---- the connection ---- */

static size_t stub_can_rx(void *opaque)
{
    return 4096;
}

static void stub_rx(void *opaque, uint8_t b)
{
    gdbstub *g = opaque;
    gdb_session_input(g->sess, &b, 1);
}

static void stub_event(void *opaque, int event)
{
    gdbstub *g = opaque;
    if (event == CHR_EVENT_OPENED) {
        /* gdb attaching stops the machine, as with QEMU */
        g->connected = true;
        vm_stop(g->m, RUN_STATE_DEBUG);
        gdb_session_reset(g->sess, false);
    } else if (event == CHR_EVENT_CLOSED && g->connected) {
        g->connected = false;
        remove_all(g->m);
        if (vm_state() == RUN_STATE_DEBUG)
            vm_start(g->m);
    }
}

static void close_stub(void)
{
    if (!stub)
        return;
    remove_all(stub->m);
    chardev_detach(stub->chr, stub);
    if (!strcmp(chardev_label(stub->chr), "gdb"))
        chardev_close(stub->chr);          /* ours; a -chardev stays the user's */
    gdb_session_free(stub->sess);
    if (vm_state() == RUN_STATE_DEBUG)
        vm_start(stub->m);
    /* the struct stays until exit: a stop queued for it on the main loop may still run */
    stub->sess = NULL;
    if (nretired < 8)
        retired[nretired++] = stub;
    stub = NULL;
}

bool gdbstub_open(machine *m, const char *dev, char *err, size_t errsize)
{
    static bool registered;
    if (!strcmp(dev, "none")) {
        close_stub();
        return true;
    }
    if (!m->cpu || !m->cpu->gdb_xml || !m->cpu->gdb_xml(m, "target.xml")) {
        snprintf(err, errsize, "%s: gdb cannot debug this machine here (%s)", dev,
                 m->accel && !strcmp(m->accel->name, "kvm") ? "this host's KVM has no guest debugging"
                                                            : "no debugger support");
        return false;
    }
    /* QEMU's -gdb tcp::PORT and unix:PATH listen, without waiting */
    char spec[512];
    bool sock = !strncmp(dev, "tcp:", 4) || !strncmp(dev, "unix:", 5);
    if (sock && !strstr(dev, "server"))
        snprintf(spec, sizeof(spec), "%s,server=on,wait=off", dev);
    else
        snprintf(spec, sizeof(spec), "%s", dev);
    if (stub)
        close_stub();
    char e[400];
    chardev *c = chardev_from_spec(spec, "gdb", NULL, e, sizeof(e));
    if (!c) {
        snprintf(err, errsize, "%s", *e ? e : "none: no device");
        return false;
    }
    gdbstub *g = calloc(1, sizeof(*g));
    if (!g)
        fatal("out of memory");
    g->m = m;
    g->chr = c;
    pthread_mutex_init(&g->lock, NULL);
    g->sess = gdb_session_new(&target_ops, g);
    if (!g->sess)
        fatal("out of memory");
    stub = g;
    accel_set_debug_handler(on_debug_stop, g);
    if (!registered) {
        vm_add_event_listener(on_vm_event, NULL);
        registered = true;
    }
    if (!chardev_attach(c, stub_can_rx, stub_rx, stub_event, g, e, sizeof(e))) {
        snprintf(err, errsize, "%s", e);
        stub = NULL;
        gdb_session_free(g->sess);
        pthread_mutex_destroy(&g->lock);
        free(g);
        if (!strcmp(chardev_label(c), "gdb"))
            chardev_close(c);
        return false;
    }
    return true;
}

void gdbstub_close(void)
{
    close_stub();
    for (int i = 0; i < nretired; i++) {
        pthread_mutex_destroy(&retired[i]->lock);
        free(retired[i]);
    }
    nretired = 0;
}

/* the monitor's gdbserver command */
__attribute__((constructor)) static void gdbstub_register(void)
{
    hmp_gdbserver_hook = gdbstub_open;
}
