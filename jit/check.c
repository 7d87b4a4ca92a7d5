/*
 * -accel jit,check=on: every block runs on both tiers and the results are compared.
 *
 * The translated block runs first while a hook records what it did to the outside:
 * the old contents of every RAM location it wrote, every MMIO read and write, and
 * every outside input (time, interrupt lines). Then RAM and the hart's architectural
 * state are put back, and the interpreter runs the same number of instructions with
 * MMIO and inputs replayed from the record (so devices see each access once). Both
 * end states, the memory both wrote and the MMIO traffic must agree; the first
 * difference is printed with the block and execution stops.
 *
 * The hart's TLB is kept empty meanwhile, so every access of either tier takes the
 * slow path where the hook sees it. Other harts are not stopped: with -smp 2 their
 * stores can show up as false differences, so check mode is meant for one hart.
 */
#include "jit/jit_internal.h"
#include "core/memory.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IO_MMIO_READ, IO_MMIO_WRITE, IO_MMIO_MISS, IO_INPUT };

typedef struct io_rec {
    uint8_t kind;
    uint8_t size;
    uint64_t pa;
    uint64_t val;
} io_rec;

typedef struct ram_rec {
    uint8_t *host;
    uint8_t size;
    uint64_t old;          /* contents before the write */
    uint64_t jit_new;      /* contents after the translated run */
} ram_rec;

typedef struct check_log check_log;
struct check_log {
    address_space *as;
    bool replay;
    io_rec *io;
    size_t nio, capio, pos;
    ram_rec *ram;          /* writes of the translated run */
    size_t nram, capram;
    ram_rec *iram;         /* writes of the interpreter run */
    size_t niram, capiram;
    char mismatch[160];
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * elem);
    if (!q)
        fatal("out of memory");
    *cap = n;
    return q;
}

static void note_mismatch(check_log *l, const char *what, const io_rec *want, uint64_t pa,
                          unsigned size, uint64_t val)
{
    if (l->mismatch[0])
        return;
    if (want)
        snprintf(l->mismatch, sizeof(l->mismatch),
                 "%s: interpreter did %u-byte access at %#llx (value %#llx), translated code did kind %u at %#llx (value %#llx)",
                 what, size, (unsigned long long)pa, (unsigned long long)val, want->kind,
                 (unsigned long long)want->pa, (unsigned long long)want->val);
    else
        snprintf(l->mismatch, sizeof(l->mismatch),
                 "%s: interpreter did %u-byte access at %#llx (value %#llx) the translated code did not",
                 what, size, (unsigned long long)pa, (unsigned long long)val);
}

static io_rec *next_io(check_log *l)
{
    return l->pos < l->nio ? &l->io[l->pos++] : NULL;
}

static void add_io(check_log *l, unsigned kind, uint64_t pa, unsigned size, uint64_t val)
{
    l->io = grow(l->io, &l->capio, l->nio + 1, sizeof(*l->io));
    l->io[l->nio++] = (io_rec){ .kind = (uint8_t)kind, .size = (uint8_t)size, .pa = pa, .val = val };
}

static bool hook_mmio_read(void *opaque, uint64_t pa, unsigned size, uint64_t *val)
{
    check_log *l = opaque;
    if (!l->replay) {
        bool ok = as_read(l->as, pa, size, val);
        add_io(l, ok ? IO_MMIO_READ : IO_MMIO_MISS, pa, size, ok ? *val : 0);
        return ok;
    }
    io_rec *r = next_io(l);
    if (!r || (r->kind != IO_MMIO_READ && r->kind != IO_MMIO_MISS) || r->pa != pa || r->size != size) {
        note_mismatch(l, "MMIO read", r, pa, size, 0);
        *val = 0;
        return true;
    }
    *val = r->val;
    return r->kind == IO_MMIO_READ;   /* a miss: the MMU tries as_read, which fails again */
}

static bool hook_mmio_write(void *opaque, uint64_t pa, unsigned size, uint64_t val)
{
    check_log *l = opaque;
    if (!l->replay) {
        bool ok = as_write(l->as, pa, size, val);
        add_io(l, ok ? IO_MMIO_WRITE : IO_MMIO_MISS, pa, size, val);
        return ok;
    }
    io_rec *r = next_io(l);
    if (!r || (r->kind != IO_MMIO_WRITE && r->kind != IO_MMIO_MISS) || r->pa != pa ||
        r->size != size || (r->kind == IO_MMIO_WRITE && r->val != val)) {
        note_mismatch(l, "MMIO write", r, pa, size, val);
        return true;
    }
    return r->kind == IO_MMIO_WRITE;
}

static void hook_ram_write(void *opaque, void *host, unsigned size)
{
    check_log *l = opaque;
    uint64_t old = 0;
    memcpy(&old, host, size);
    if (!l->replay) {
        l->ram = grow(l->ram, &l->capram, l->nram + 1, sizeof(*l->ram));
        l->ram[l->nram++] = (ram_rec){ .host = host, .size = (uint8_t)size, .old = old };
    } else {
        l->iram = grow(l->iram, &l->capiram, l->niram + 1, sizeof(*l->iram));
        l->iram[l->niram++] = (ram_rec){ .host = host, .size = (uint8_t)size, .old = old };
    }
}

static uint64_t hook_input(void *opaque, uint64_t value)
{
    check_log *l = opaque;
    if (!l->replay) {
        add_io(l, IO_INPUT, 0, 8, value);
        return value;
    }
    io_rec *r = next_io(l);
    if (!r || r->kind != IO_INPUT) {
        note_mismatch(l, "input (time or interrupt lines)", r, 0, 8, value);
        return value;
    }
    return r->val;
}

/* ---- architectural state ---- */

#define ARCH_START offsetof(rv_cpu, x)
#define ARCH_END offsetof(rv_cpu, irq_lines)
typedef struct arch_state { uint8_t bytes[ARCH_END - ARCH_START]; } arch_state;

static void save(const rv_cpu *c, arch_state *s)
{
    memcpy(s->bytes, (const uint8_t *)c + ARCH_START, sizeof(s->bytes));
}

static void restore(rv_cpu *c, const arch_state *s)
{
    memcpy((uint8_t *)c + ARCH_START, s->bytes, sizeof(s->bytes));
    rv_mode_changed(c);
}

static uint64_t field(const arch_state *s, size_t off, size_t size)
{
    uint64_t v = 0;
    memcpy(&v, s->bytes + off - ARCH_START, size);
    return v;
}

#define F(name) { #name, offsetof(rv_cpu, name), sizeof(((rv_cpu *)0)->name) }
static const struct { const char *name; size_t off, size; } named[] = {
    F(pc), F(priv), F(fflags), F(frm), F(mstatus), F(misa), F(medeleg), F(mideleg), F(mie),
    F(mip), F(mtvec), F(mscratch), F(mepc), F(mcause), F(mtval), F(mcounteren),
    F(mcountinhibit), F(menvcfg), F(stvec), F(sscratch), F(sepc), F(scause), F(stval),
    F(satp), F(scounteren), F(senvcfg), F(stimecmp), F(tselect), F(insn_count),
    F(minstret_off), F(mcycle_off), F(resv_addr), F(resv_value), F(resv_valid), F(wfi),
};
#undef F

/* Prints every differing field; returns the number. */
static int diff_states(const arch_state *jit_s, const arch_state *int_s)
{
    int n = 0;
    for (unsigned r = 1; r < 32; r++) {
        size_t off = offsetof(rv_cpu, x) + 8 * r;
        uint64_t a = field(jit_s, off, 8), b = field(int_s, off, 8);
        if (a != b) {
            fprintf(stderr, "  %-12s jit %016llx  interp %016llx\n", rv_xreg_name[r],
                    (unsigned long long)a, (unsigned long long)b);
            n++;
        }
    }
    for (unsigned r = 0; r < 32; r++) {
        size_t off = offsetof(rv_cpu, f) + 8 * r;
        uint64_t a = field(jit_s, off, 8), b = field(int_s, off, 8);
        if (a != b) {
            fprintf(stderr, "  %-12s jit %016llx  interp %016llx\n", rv_freg_name[r],
                    (unsigned long long)a, (unsigned long long)b);
            n++;
        }
    }
    for (unsigned i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        uint64_t a = field(jit_s, named[i].off, named[i].size);
        uint64_t b = field(int_s, named[i].off, named[i].size);
        if (a != b) {
            fprintf(stderr, "  %-12s jit %016llx  interp %016llx\n", named[i].name,
                    (unsigned long long)a, (unsigned long long)b);
            n++;
        }
    }
    for (unsigned i = 0; i < 16; i++) {
        size_t o1 = offsetof(rv_cpu, pmpaddr) + 8 * i, o2 = offsetof(rv_cpu, pmpcfg) + i;
        if (field(jit_s, o1, 8) != field(int_s, o1, 8) || field(jit_s, o2, 1) != field(int_s, o2, 1)) {
            fprintf(stderr, "  pmp%-9u jit %02llx/%016llx  interp %02llx/%016llx\n", i,
                    (unsigned long long)field(jit_s, o2, 1), (unsigned long long)field(jit_s, o1, 8),
                    (unsigned long long)field(int_s, o2, 1), (unsigned long long)field(int_s, o1, 8));
            n++;
        }
    }
    return n;
}

static void print_block(jit_block *b)
{
    uint64_t pc = b->vpc;
    for (unsigned i = 0; i < b->ninsns; i++) {
        char buf[96];
        rv_disas(&b->insns[i], pc, buf, sizeof(buf));
        fprintf(stderr, "    %016llx: %s\n", (unsigned long long)pc, buf);
        pc += b->insns[i].len;
    }
}

static const rv_io_hook check_hook = {
    .mmio_read = hook_mmio_read,
    .mmio_write = hook_mmio_write,
    .ram_write = hook_ram_write,
    .input = hook_input,
};

void jit_check_free(jit_hart *h)
{
    check_log *l = h->check;
    if (!l)
        return;
    free(l->io);
    free(l->ram);
    free(l->iram);
    free(l);
    h->check = NULL;
}

bool jit_check_block(jit *j, jit_hart *h, jit_block *b)
{
    rv_cpu *c = h->c;
    if (!h->check) {
        h->check = calloc(1, sizeof(check_log));
        if (!h->check)
            fatal("out of memory");
    }
    check_log *l = h->check;
    l->as = j->as;
    l->nio = l->pos = l->nram = l->niram = 0;
    l->mismatch[0] = 0;
    rv_io_hook hook = check_hook;
    hook.opaque = l;

    if (!c->tlb_nofill) {
        c->tlb_nofill = true;
        rv_tlb_flush(c);
    }
    arch_state before, after_jit, after_interp;
    c->x[32] = 0;
    save(c, &before);

    /* the translated block, recording */
    l->replay = false;
    c->io_hook = &hook;
    jit_enter(j, c, b->code);
    c->io_hook = NULL;
    c->x[32] = 0;
    c->amo_pa = 0;
    save(c, &after_jit);
    uint64_t n = c->insn_count - field(&before, offsetof(rv_cpu, insn_count), 8);
    j->stats.check_blocks++;
    if (n == 0)
        return true;                   /* left at entry (kicked): nothing ran */

    /* put memory and the hart back */
    for (size_t i = 0; i < l->nram; i++)
        memcpy(&l->ram[i].jit_new, l->ram[i].host, l->ram[i].size);
    for (size_t i = l->nram; i-- > 0;)
        memcpy(l->ram[i].host, &l->ram[i].old, l->ram[i].size);
    restore(c, &before);
    rv_fflags_written(c);

    /* the interpreter, replaying */
    l->replay = true;
    c->io_hook = &hook;
    uint64_t end = c->insn_count + n;
    for (uint64_t steps = 0; c->insn_count < end && steps <= n; steps++)
        rv_cpu_step(c);
    c->io_hook = NULL;
    c->x[32] = 0;
    c->amo_pa = 0;
    save(c, &after_interp);

    bool same = memcmp(&after_jit, &after_interp, sizeof(after_jit)) == 0 && !l->mismatch[0] &&
                l->pos == l->nio;
    /* memory: what the translated code left must be what the interpreter left */
    size_t bad_ram = 0;
    for (size_t i = 0; i < l->nram && !bad_ram; i++)
        if (memcmp(l->ram[i].host, &l->ram[i].jit_new, l->ram[i].size) != 0)
            bad_ram = i + 1;
    for (size_t i = 0; i < l->niram && !bad_ram; i++) {
        bool jit_wrote = false;
        for (size_t k = 0; k < l->nram && !jit_wrote; k++)
            jit_wrote = l->ram[k].host < l->iram[i].host + l->iram[i].size &&
                        l->iram[i].host < l->ram[k].host + l->ram[k].size;
        if (!jit_wrote && memcmp(l->iram[i].host, &l->iram[i].old, l->iram[i].size) != 0) {
            fprintf(stderr, "jit check: the interpreter wrote %u bytes at host %p that the translated code left alone\n",
                    l->iram[i].size, (void *)l->iram[i].host);
            same = false;
        }
    }
    if (bad_ram) {
        ram_rec *r = &l->ram[bad_ram - 1];
        uint64_t now = 0;
        memcpy(&now, r->host, r->size);
        fprintf(stderr, "jit check: memory at host %p (%u bytes): jit wrote %#llx, interp left %#llx\n",
                (void *)r->host, r->size, (unsigned long long)r->jit_new, (unsigned long long)now);
        same = false;
    }
    if (same)
        return true;

    fprintf(stderr, "jit check: the tiers differ after the block at %016llx (%llu of %u instructions ran, hart %llu)\n",
            (unsigned long long)b->vpc, (unsigned long long)n, b->ninsns, (unsigned long long)c->mhartid);
    print_block(b);
    if (l->mismatch[0])
        fprintf(stderr, "  %s\n", l->mismatch);
    else if (l->pos != l->nio)
        fprintf(stderr, "  the translated code made %zu outside accesses, the interpreter %zu\n", l->nio, l->pos);
    diff_states(&after_jit, &after_interp);
    fprintf(stderr, "  state before the block:\n");
    fprintf(stderr, "  pc %016llx priv %u insn_count %llu\n", (unsigned long long)field(&before, offsetof(rv_cpu, pc), 8),
            (unsigned)field(&before, offsetof(rv_cpu, priv), 4), (unsigned long long)field(&before, offsetof(rv_cpu, insn_count), 8));
    for (unsigned r = 1; r < 32; r++)
        fprintf(stderr, "  %-4s %016llx%s", rv_xreg_name[r],
                (unsigned long long)field(&before, offsetof(rv_cpu, x) + 8 * r, 8), r % 4 == 3 ? "\n" : "");
    return false;
}
