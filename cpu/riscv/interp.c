/*
 * The RISC-V interpreter: the reference execution tier. Instructions are fetched
 * through the fetch TLB, looked up in a decoded-instruction cache (validated against
 * the fetched bits, so self-modifying code needs no invalidation), and dispatched to
 * the handlers in exec.h, which inline here.
 */
#include "cpu/riscv/exec.h"
#include "core/log.h"
#include <stdio.h>
#include <string.h>

static rv_dcache_entry *decode_miss(rv_cpu *c, uint64_t pc, uint32_t raw)
{
    rv_dcache_entry *de = &c->dcache[(pc >> 1) & ((1u << DCACHE_BITS) - 1)];
    rv_decode(raw, &de->insn);
    de->pc = pc;
    de->mask = de->insn.len == 2 ? 0xffffu : 0xffffffffu;
    if (log_enabled(LOG_IN_ASM)) {
        char buf[96];
        rv_disas(&de->insn, pc, buf, sizeof(buf));
        log_printf("IN: %016llx: %0*x  %s\n", (unsigned long long)pc,
                   de->insn.len == 2 ? 4 : 8, de->insn.raw, buf);
    }
    return de;
}

static void trace_exec(rv_cpu *c, const rv_insn *d)
{
    char buf[96];
    rv_disas(d, c->pc, buf, sizeof(buf));
    log_printf("exec: %c %016llx: %0*x  %s\n", "US?M"[c->priv], (unsigned long long)c->pc,
               d->len == 2 ? 4 : 8, d->raw, buf);
}

static inline __attribute__((always_inline)) int dispatch(rv_cpu *c, const rv_insn *d)
{
    switch (d->op) {
#define INSN(id, ...) case RV_OP_##id: return exec_##id(c, d);
#include "cpu/riscv/insn.def"
#undef INSN
    default:
        return exec_ILLEGAL(c, d);
    }
}

int rv_exec_one(rv_cpu *c, const rv_insn *d)
{
    return dispatch(c, d);
}

/* Runs instructions until a block-ending result; returns false to leave rv_cpu_run. */
static inline __attribute__((always_inline)) bool run_block(rv_cpu *c, uint64_t end, bool trace)
{
    for (;;) {
        uint64_t pc = c->pc;
        uint32_t raw;
        const rv_tlb_entry *e = &c->tlb_cur_fetch->e[ACC_FETCH][rv_tlb_index(pc)];
        if (likely(e->vpage == (pc & ~0xfffull) && (pc & 0xfff) <= 0xffc)) {
            memcpy(&raw, (const void *)(uintptr_t)(pc + e->addend), 4);
        } else {
            uint64_t tval;
            int exc = rv_fetch_slow(c, pc, &raw, &tval);
            if (exc) {
                rv_raise(c, exc, tval);
                return true;
            }
        }
        rv_dcache_entry *de = &c->dcache[(pc >> 1) & ((1u << DCACHE_BITS) - 1)];
        if (unlikely(de->pc != pc || (raw & de->mask) != de->insn.raw))
            de = decode_miss(c, pc, raw);
        const rv_insn *d = &de->insn;
        c->insn_count++;
        if (trace)
            trace_exec(c, d);
        int r = dispatch(c, d);
        if (likely(r == RV_NEXT)) {
            c->pc = pc + d->len;
            continue;
        }
        if (trace && log_enabled(LOG_CPU))
            rv_cpu_dump(c, log_file ? log_file : stderr);
        if (r == RV_EXIT)
            return true;
        /* RV_JUMP: a block boundary */
        if (unlikely(c->insn_count >= end ||
                     atomic_load_explicit(&c->kick, memory_order_relaxed)))
            return false;
    }
}

void rv_cpu_run(rv_cpu *c, uint64_t budget)
{
    uint64_t end = c->insn_count + budget;
    bool trace = log_enabled(LOG_EXEC | LOG_CPU);
    while (!c->wfi) {
        rv_take_interrupt(c);
        bool more = trace ? run_block(c, end, true) : run_block(c, end, false);
        if (!more || c->insn_count >= end ||
            atomic_load_explicit(&c->kick, memory_order_relaxed))
            break;
    }
}

void rv_cpu_step(rv_cpu *c)
{
    uint64_t pc = c->pc;
    uint32_t raw;
    uint64_t tval;
    int exc = rv_fetch_slow(c, pc, &raw, &tval);
    if (exc) {
        rv_raise(c, exc, tval);
        return;
    }
    rv_dcache_entry *de = &c->dcache[(pc >> 1) & ((1u << DCACHE_BITS) - 1)];
    if (de->pc != pc || (raw & de->mask) != de->insn.raw)
        de = decode_miss(c, pc, raw);
    c->insn_count++;
    if (dispatch(c, &de->insn) == RV_NEXT)
        c->pc = pc + de->insn.len;
}

void rv_cpu_init(rv_cpu *c, struct address_space *as, unsigned hartid)
{
    memset(c, 0, sizeof(*c));
    c->as = as;
    c->mhartid = hartid;
    /* RV64 IMAFDC + S + U */
    c->misa = (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) |
              (1u << 12) | (1u << 18) | (1u << 20);
    for (unsigned i = 0; i < (1u << DCACHE_BITS); i++)
        c->dcache[i].pc = ~0ull;
    memset(c->jc, 0xff, sizeof(c->jc));
    rv_cpu_reset(c, 0x80000000ull);
}

void rv_cpu_reset(rv_cpu *c, uint64_t pc)
{
    memset(c->x, 0, sizeof(c->x));
    memset(c->f, 0, sizeof(c->f));
    c->pc = pc;
    c->priv = PRV_M;
    c->fflags = c->frm = 0;
    c->fp_unseen = FPU_HOST_FLAG_BITS;
    c->mstatus = 0;
    c->medeleg = c->mideleg = c->mie = c->mip = 0;
    c->mtvec = c->mscratch = c->mepc = c->mcause = c->mtval = 0;
    c->mcounteren = c->mcountinhibit = c->menvcfg = 0;
    c->stvec = c->sscratch = c->sepc = c->scause = c->stval = c->satp = 0;
    c->scounteren = c->senvcfg = 0;
    c->stimecmp = ~0ull;
    memset(c->pmpcfg, 0, sizeof(c->pmpcfg));
    memset(c->pmpaddr, 0, sizeof(c->pmpaddr));
    c->pmp_active = false;
    c->resv_valid = false;
    c->wfi = false;
    rv_tlb_flush(c);
    rv_jc_flush(c, true);
    rv_mode_changed(c);
}

void rv_cpu_set_irq(rv_cpu *c, unsigned irq, bool level)
{
    if (level)
        atomic_fetch_or(&c->irq_lines, 1ull << irq);
    else
        atomic_fetch_and(&c->irq_lines, ~(1ull << irq));
}

void rv_cpu_dump(rv_cpu *c, void *file)
{
    FILE *f = file;
    fprintf(f, " pc       %016llx  priv %c\n", (unsigned long long)c->pc, "US?M"[c->priv]);
    for (int i = 0; i < 32; i++)
        fprintf(f, " %-4s %016llx%s", rv_xreg_name[i], (unsigned long long)c->x[i],
                (i % 4 == 3) ? "\n" : "");
    fprintf(f, " mstatus %016llx mcause %016llx mtval %016llx mepc %016llx\n",
            (unsigned long long)c->mstatus, (unsigned long long)c->mcause,
            (unsigned long long)c->mtval, (unsigned long long)c->mepc);
    fprintf(f, " mie     %016llx mip    %016llx mideleg %04llx medeleg %04llx wfi %d\n",
            (unsigned long long)c->mie, (unsigned long long)rv_cpu_pending_irqs(c),
            (unsigned long long)c->mideleg, (unsigned long long)c->medeleg, c->wfi);
    fprintf(f, " satp    %016llx scause %016llx stval %016llx sepc %016llx\n",
            (unsigned long long)c->satp, (unsigned long long)c->scause,
            (unsigned long long)c->stval, (unsigned long long)c->sepc);
}
