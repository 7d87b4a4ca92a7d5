/*
 * The `jit` accelerator (the default for RISC-V guests): each hart runs translated
 * code in its vCPU thread, with the interpreter as the fallback tier for what cannot
 * be translated. One translator is shared by all harts of the machine. Options:
 *   check=on     run every block on both tiers and stop at the first difference
 *   chain=off    never link blocks (every block returns to the dispatcher)
 *   tb-size=MiB  code buffer size (QEMU's name)
 * `-accel tcg` is accepted as another name, so QEMU command lines work unchanged.
 */
#include "accel/riscv_vcpu.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/debug.h"
#include "jit/jit.h"
#include "core/clock.h"
#include "core/log.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static jit *shared;
static unsigned shared_users;

static bool jit_vcpu_run(void *opaque, rv_cpu *c)
{
    if (jit_run(opaque, c, 1u << 22))
        return true;
    /* the lockstep check found a difference and printed it */
    main_loop_request_exit(1);
    return false;
}

static bool parse_onoff(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_props(const char *name, const char *props, jit_options *o, char *err, unsigned errsize)
{
    memset(o, 0, sizeof(*o));
    if (!props || !*props)
        return true;
    char *copy = strdup(props);
    if (!copy)
        fatal("out of memory");
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *val = eq ? eq + 1 : "on";
        if (eq)
            *eq = 0;
        bool b;
        if (!strcmp(tok, "check") && parse_onoff(val, &b)) {
            o->check = b;
        } else if (!strcmp(tok, "chain") && parse_onoff(val, &b)) {
            o->no_chain = !b;
        } else if (!strcmp(tok, "tb-size") && eq) {
            char *end;
            unsigned long mib = strtoul(val, &end, 10);
            if (*end || mib < 1 || mib > 2048) {
                snprintf(err, errsize, "-accel %s: tb-size=%s: give the code buffer size in MiB (1-2048)", name, val);
                ok = false;
            }
            o->code_size = (size_t)mib << 20;
        } else {
            snprintf(err, errsize, "-accel %s: unknown option '%s%s%s' (known: check=on|off, chain=on|off, tb-size=MiB)",
                     name, tok, eq ? "=" : "", eq ? val : "");
            ok = false;
        }
    }
    free(copy);
    return ok;
}

static vcpu *create(const char *name, void *arch_cpu, const char *props, unsigned index, char *err,
                    unsigned errsize)
{
    rv_cpu *c = arch_cpu;
    jit_options o;
    if (!parse_props(name, props, &o, err, errsize))
        return NULL;
    if (log_enabled(LOG_EXEC | LOG_CPU))
        o.no_chain = true;            /* so that every block is traced */
    pthread_mutex_lock(&shared_lock);
    if (!shared) {
        shared = jit_create(c->as, &o, err, errsize);
        if (!shared) {
            pthread_mutex_unlock(&shared_lock);
            return NULL;
        }
    }
    shared_users++;
    jit_add_hart(shared, c);
    jit *j = shared;
    pthread_mutex_unlock(&shared_lock);
    return riscv_vcpu_new(c, index, jit_vcpu_run, j, true);
}

static bool jit_debug_changed(vcpu *v, char *err, unsigned errsize)
{
    rv_dbg_sync_hart(riscv_vcpu_hart(v));
    jit_set_debug(riscv_vcpu_opaque(v), rv_dbg_any());
    return true;
}

static vcpu *jit_create_vcpu(void *arch_cpu, unsigned index, const char *props, char *err, unsigned errsize)
{
    return create("jit", arch_cpu, props, index, err, errsize);
}

static vcpu *tcg_create_vcpu(void *arch_cpu, unsigned index, const char *props, char *err, unsigned errsize)
{
    return create("tcg", arch_cpu, props, index, err, errsize);
}

static void jit_state_loaded(vcpu *v)
{
    jit_flush(riscv_vcpu_opaque(v));
}

static void jit_destroy_vcpu(vcpu *v)
{
    riscv_vcpu_destroy(v);
    pthread_mutex_lock(&shared_lock);
    if (shared_users && --shared_users == 0) {
        if (log_enabled(LOG_JIT)) {
            char buf[512];
            jit_format_stats(shared, buf, sizeof(buf));
            log_printf("jit: %s\n", buf);
        }
        jit_destroy(shared);
        shared = NULL;
    }
    pthread_mutex_unlock(&shared_lock);
}

/* the same accelerator under two names */
#define JIT_OPS(id, nm, description, create_fn) \
    static const accel_ops id = { \
        .name = nm, .arch = "riscv64", .desc = description, .create = create_fn, \
        .start = riscv_vcpu_start, .kick = riscv_vcpu_kick, .pause = riscv_vcpu_pause, \
        .request_pause = riscv_vcpu_request_pause, .wait_paused = riscv_vcpu_wait_paused, \
        .thread_id = riscv_vcpu_thread_id, \
        .debug_changed = jit_debug_changed, .debug_step = riscv_vcpu_debug_step, \
        .resume = riscv_vcpu_resume, .destroy = jit_destroy_vcpu, .state_loaded = jit_state_loaded, .available = jit_supported, \
    }; \
    ACCEL_REGISTER(id)
JIT_OPS(riscv_jit_ops, "jit", "translates to x86-64 code (the default)", jit_create_vcpu)
JIT_OPS(riscv_tcg_ops, "tcg", "the same translator under QEMU's name", tcg_create_vcpu)
