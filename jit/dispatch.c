/*
 * The translator's run loop for one hart: take interrupts, find the block for pc (jump
 * cache, then the block cache, then translate), link the exit we came from to it, run
 * it. Code that cannot be translated (outside RAM, an instruction crossing a page) is
 * interpreted one instruction at a time. When the code buffer fills, every hart is
 * brought out of translated code and everything is flushed.
 */
#include "jit/jit_internal.h"
#include "cpu/riscv/debug.h"
#include "core/memory.h"
#include "core/log.h"
#include <cpuid.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CODE_SIZE (128u << 20)

bool jit_supported(void)
{
#if defined(__x86_64__) && defined(__linux__)
    return true;
#else
    return false;
#endif
}

static void detect_host(jit *j)
{
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d))
        j->has_popcnt = (c >> 23) & 1;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        j->has_bmi1 = (b >> 3) & 1;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d))
        j->has_lzcnt = (c >> 5) & 1;
    /* FMA3 is VEX-encoded: the CPU must have it and the OS must save AVX state */
    if (__get_cpuid(1, &a, &b, &c, &d) && ((c >> 12) & 1) && ((c >> 27) & 1)) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        j->has_fma = (lo & 6) == 6;
    }
}

jit *jit_create(address_space *as, const jit_options *opt, char *err, size_t errsize)
{
    if (!jit_supported()) {
        snprintf(err, errsize, "-accel jit: the translator needs an x86-64 Linux host (use -accel interp)");
        return NULL;
    }
    jit *j = calloc(1, sizeof(*j));
    if (!j) {
        snprintf(err, errsize, "-accel jit: out of memory");
        return NULL;
    }
    j->as = as;
    j->opt = *opt;
    size_t size = opt->code_size ? opt->code_size : DEFAULT_CODE_SIZE;
    if (!jit_codebuf_init(j, size, err, errsize)) {
        free(j);
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->flush_done, NULL);
    detect_host(j);
    as_set_code_hook(as, jit_code_written, j);
    return j;
}

void jit_destroy(jit *j)
{
    if (!j)
        return;
    as_set_code_hook(j->as, NULL, NULL);
    as_clear_code_marks(j->as);
    for (unsigned i = 0; i < j->nharts; i++) {
        rv_jc_flush(j->harts[i].c, true);
        free(j->harts[i].l2);
        jit_check_free(&j->harts[i]);
    }
    jit_arena_reset(j);
    jit_codebuf_free(j);
    pthread_cond_destroy(&j->flush_done);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

void jit_add_hart(jit *j, rv_cpu *c)
{
    pthread_mutex_lock(&j->lock);
    if (j->nharts < JIT_MAX_HARTS) {
        jit_hart *h = &j->harts[j->nharts++];
        h->c = c;
        h->l2 = calloc(1u << JIT_L2_BITS, sizeof(jit_l2_entry));
        if (!h->l2)
            fatal("out of memory");
    }
    rv_jc_flush(c, true);
    pthread_mutex_unlock(&j->lock);
}

void jit_get_stats(jit *j, jit_stats *s)
{
    pthread_mutex_lock(&j->lock);
    *s = j->stats;
    pthread_mutex_unlock(&j->lock);
}

void jit_format_stats(jit *j, char *buf, size_t size)
{
    jit_stats s;
    jit_get_stats(j, &s);
    snprintf(buf, size,
             "%llu blocks (%llu guest instructions, %llu host bytes, %zu KiB of %zu KiB in use), "
             "%llu links, %llu dropped by writes, %llu full flushes, %llu dispatches "
             "(%llu jump-cache hits, %llu lookups, %.2f probes each), %llu interpreted steps; "
             "exits: %llu unlinked, %llu jump-cache misses, %llu indirect misses, %llu state changes, "
             "%llu traps, %llu kicks, %llu linkable",
             (unsigned long long)s.blocks_translated, (unsigned long long)s.guest_insns_translated,
             (unsigned long long)s.host_bytes, j->used >> 10, j->size >> 10,
             (unsigned long long)s.chains, (unsigned long long)s.invalidations,
             (unsigned long long)s.flushes, (unsigned long long)s.dispatches,
             (unsigned long long)s.jc_hits, (unsigned long long)s.lookups,
             s.lookups ? (double)s.lookup_steps / (double)s.lookups : 0.0,
             (unsigned long long)s.interp_steps, (unsigned long long)s.exits_why[EXIT_UNLINKED],
             (unsigned long long)s.exits_why[EXIT_JC_MISS], (unsigned long long)s.exits_why[EXIT_JC_MISS_INDIRECT],
             (unsigned long long)s.exits_why[EXIT_END_INSN], (unsigned long long)s.exits_why[EXIT_TRAP],
             (unsigned long long)s.exits_why[EXIT_KICK], (unsigned long long)s.exits_linkable);
}

static jit_hart *hart_of(jit *j, rv_cpu *c)
{
    for (unsigned i = 0; i < j->nharts; i++)
        if (j->harts[i].c == c)
            return &j->harts[i];
    return NULL;
}

/*
 * Flush everything, with no hart in translated code. Called with j->lock held and
 * self->in_code set; returns the same way.
 */
static void flush_all(jit *j, jit_hart *self)
{
    if (atomic_exchange(&j->flush_req, 1)) {
        /* another hart is flushing: wait for it */
        atomic_store(&self->in_code, 0);
        while (atomic_load(&j->flush_req))
            pthread_cond_wait(&j->flush_done, &j->lock);
        atomic_store(&self->in_code, 1);
        return;
    }
    atomic_store(&self->in_code, 0);
    for (unsigned i = 0; i < j->nharts; i++)
        if (&j->harts[i] != self)
            atomic_store(&j->harts[i].c->kick, 1);
    pthread_mutex_unlock(&j->lock);
    for (unsigned i = 0; i < j->nharts; i++)
        while (&j->harts[i] != self && atomic_load(&j->harts[i].in_code))
            sched_yield();
    pthread_mutex_lock(&j->lock);
    jit_flush_locked(j);
    atomic_store(&j->flush_req, 0);
    pthread_cond_broadcast(&j->flush_done);
    atomic_store(&self->in_code, 1);
}

void jit_set_debug(jit *j, bool on)
{
    /* blocks made under the other rule (linked, or running past a breakpoint) go */
    atomic_store(&j->debug, on);
    jit_flush(j);
}

void jit_flush(jit *j)
{
    pthread_mutex_lock(&j->lock);
    jit_flush_locked(j);
    pthread_mutex_unlock(&j->lock);
}

enum { FOUND, RAISED, INTERPRET };

/* The host address of the code at pc and its physical address, through the fetch TLB. */
static int fetch_host(jit *j, rv_cpu *c, uint64_t pc, const uint8_t **host, uint64_t *ppc)
{
    const rv_tlb_entry *e = &c->tlb_cur_fetch->e[ACC_FETCH][rv_tlb_index(pc)];
    if (e->vpage != (pc & ~0xfffull)) {
        uint32_t raw;
        uint64_t tval;
        int exc = rv_fetch_slow(c, pc, &raw, &tval);
        if (exc) {
            rv_raise(c, exc, tval);
            return RAISED;
        }
        if (e->vpage != (pc & ~0xfffull))
            return INTERPRET;          /* not cacheable: MMIO, partial PMP, ... */
    }
    const uint8_t *h = (const uint8_t *)(uintptr_t)(pc + e->addend);
    address_space *as = j->as;
    for (int i = 0; i < as->nram; i++) {
        mem_region *r = &as->ram[i];
        if (h >= r->host && h < r->host + r->size) {
            *host = h;
            *ppc = r->base + (uint64_t)(h - r->host);
            return FOUND;
        }
    }
    return INTERPRET;
}

/* Make b the jump cache's entry for pc in context flags. */
static void jc_insert(rv_cpu *c, uint32_t flags, uint64_t pc, jit_block *b)
{
    rv_jc_entry *e = &c->jc[flags][rv_jc_index(pc)];
    e->code = b->code;
    __atomic_store_n(&e->pc, pc, __ATOMIC_RELEASE);
    c->jc_used |= 1u << flags;
    unsigned bit = rv_jc_page_bit(pc);
    c->jc_pages[bit / 64] |= 1ull << (bit % 64);
    /* a hart dropping b clears jump-cache entries after marking it invalid; if it
     * looked before this entry existed, it is ours to clear */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(&b->invalid))
        __atomic_store_n(&e->pc, ~0ull, __ATOMIC_RELEASE);
}

static unsigned l2_index(uint64_t vpc)
{
    return (unsigned)(((vpc >> 1) ^ (vpc >> (JIT_L2_BITS + 1))) & ((1u << JIT_L2_BITS) - 1));
}

static int find_block(jit *j, jit_hart *self, rv_cpu *c, jit_block **out)
{
    uint64_t pc = c->pc;
    uint32_t flags = rv_jit_ctx(c);
    rv_jc_entry *e = &c->jc[flags][rv_jc_index(pc)];
    bool link = !j->opt.check && !j->opt.no_chain && !atomic_load_explicit(&j->debug, memory_order_relaxed);
    j->stats.dispatches++;
    if (link && e->pc == pc) {
        memcpy(out, (const uint8_t *)e->code - 8, sizeof(*out));
        j->stats.jc_hits++;
        return FOUND;
    }
    const uint8_t *host;
    uint64_t ppc;
    int r = fetch_host(j, c, pc, &host, &ppc);
    if (r != FOUND)
        return r;
    jit_l2_entry *l2 = &self->l2[l2_index(pc)];
    jit_block *b = l2->b;
    if (b && l2->vpc == pc && l2->ppc == ppc && l2->flags == flags && !atomic_load(&b->invalid)) {
        if (link)
            jc_insert(c, flags, pc, b);
        *out = b;
        return FOUND;
    }
    pthread_mutex_lock(&j->lock);
    b = jit_lookup(j, pc, ppc, flags);
    for (int attempt = 0; !b && attempt < 2; attempt++) {
        bool full;
        b = jit_translate(j, pc, ppc, host, flags, &full);
        if (b) {
            jit_insert(j, b);
        } else if (full && attempt == 0) {
            flush_all(j, self);
            b = jit_lookup(j, pc, ppc, flags);   /* maybe another hart made it */
        } else {
            break;
        }
    }
    pthread_mutex_unlock(&j->lock);
    if (!b)
        return INTERPRET;
    *l2 = (jit_l2_entry){ .vpc = pc, .ppc = ppc, .flags = flags, .b = b };
    if (link)
        jc_insert(c, flags, pc, b);
    *out = b;
    return FOUND;
}

static void trace_block(rv_cpu *c, jit_block *b)
{
    log_printf("exec: hart %llu block %016llx [%c] %u instructions\n",
               (unsigned long long)c->mhartid, (unsigned long long)b->vpc, "US?M"[c->priv], b->ninsns);
}

bool jit_run(jit *j, rv_cpu *c, uint64_t budget)
{
    jit_hart *self = hart_of(j, c);
    if (!self)
        return true;
    uint64_t end = c->insn_count + budget;
    bool trace = log_enabled(LOG_EXEC | LOG_CPU);
    /* native FP code accumulates flags in MXCSR from here on (translate_fp.c) */
    rv_fflags_written(c);
    bool dbg = atomic_load_explicit(&j->debug, memory_order_relaxed);
    bool link = !j->opt.check && !j->opt.no_chain && !dbg;
    while (!c->wfi) {
        rv_take_interrupt(c);
        if (atomic_load_explicit(&c->kick, memory_order_relaxed) || c->insn_count >= end)
            break;
        if (dbg && rv_dbg_bp_at(c->pc))
            break;                     /* the vCPU thread reports it */
        atomic_store(&self->in_code, 1);
        if (atomic_load(&j->flush_req)) {
            atomic_store(&self->in_code, 0);
            pthread_mutex_lock(&j->lock);
            while (atomic_load(&j->flush_req))
                pthread_cond_wait(&j->flush_done, &j->lock);
            pthread_mutex_unlock(&j->lock);
            self->last_exit = NULL;
            continue;
        }
        jit_block *b = NULL;
        int r = find_block(j, self, c, &b);
        if (r != FOUND) {
            atomic_store(&self->in_code, 0);
            self->last_exit = NULL;
            if (r == INTERPRET) {
                rv_cpu_step(c);
                j->stats.interp_steps++;
            }
            continue;
        }
        jit_exit *e = self->last_exit;
        if (e && link && !e->to && e->target_pc == b->vpc && e->from->flags == b->flags) {
            pthread_mutex_lock(&j->lock);
            jit_link(j, e, b);
            pthread_mutex_unlock(&j->lock);
        }
        if (trace)
            trace_block(c, b);
        if (j->opt.check) {
            self->last_exit = NULL;
            bool ok = jit_check_block(j, self, b);
            atomic_store(&self->in_code, 0);
            if (!ok)
                return false;
            continue;
        }
        jit_exit *ex = jit_enter(j, c, b->code);
        atomic_store(&self->in_code, 0);
        if ((uintptr_t)ex < EXIT_WHY_COUNT) {
            j->stats.exits_why[(uintptr_t)ex]++;
            ex = NULL;
        } else {
            j->stats.exits_linkable++;
        }
        self->last_exit = ex;
        if (trace && log_enabled(LOG_CPU))
            rv_cpu_dump(c, log_file ? log_file : stderr);
    }
    return true;
}
