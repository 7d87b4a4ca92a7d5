/*
 * Traps: synchronous exceptions, interrupt selection and entry (with medeleg/mideleg
 * delegation, direct and vectored tvec), and the xRET instructions.
 */
#include "cpu/riscv/cpu.h"
#include "core/log.h"

void rv_mode_changed(rv_cpu *c)
{
    unsigned dpriv = rv_effective_data_priv(c);
    unsigned dctx = dpriv == PRV_M ? TLBCTX_M : dpriv == PRV_U ? TLBCTX_U :
                    (c->mstatus & MSTATUS_SUM) ? TLBCTX_S_SUM : TLBCTX_S;
    unsigned fctx = c->priv == PRV_M ? TLBCTX_M : c->priv == PRV_U ? TLBCTX_U : TLBCTX_S;
    c->data_ctx = dctx;
    c->fetch_ctx = fctx;
    c->jc_cur = (uint32_t)(rv_jit_ctx(c) * sizeof(c->jc[0]));
    c->tlb_cur_data = &c->tlb[dctx];
    c->tlb_cur_fetch = &c->tlb[fctx];
}

static const char *cause_name(uint64_t cause)
{
    static const char *const exc[] = {
        "insn misaligned", "insn access fault", "illegal insn", "breakpoint",
        "load misaligned", "load access fault", "store misaligned", "store access fault",
        "ecall from U", "ecall from S", "?", "ecall from M", "insn page fault",
        "load page fault", "?", "store page fault",
    };
    static const char *const irq[] = {
        "?", "S software", "?", "M software", "?", "S timer", "?", "M timer",
        "?", "S external", "?", "M external",
    };
    if (cause >> 63) {
        cause &= 63;
        return cause < 12 ? irq[cause] : "?";
    }
    return cause < 16 ? exc[cause] : "?";
}

static void enter_trap(rv_cpu *c, uint64_t cause, uint64_t tval)
{
    bool is_irq = cause >> 63;
    unsigned code = cause & 63;
    unsigned from = c->priv;
    uint64_t deleg = is_irq ? c->mideleg : c->medeleg;
    if (c->priv <= PRV_S && ((deleg >> code) & 1)) {
        c->scause = cause;
        c->sepc = c->pc;
        c->stval = tval;
        uint64_t s = c->mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
        if (c->priv == PRV_S)
            s |= MSTATUS_SPP;
        if (c->mstatus & MSTATUS_SIE)
            s |= MSTATUS_SPIE;
        c->mstatus = s;
        c->priv = PRV_S;
        uint64_t base = c->stvec & ~3ull;
        c->pc = (is_irq && (c->stvec & 1)) ? base + 4 * code : base;
    } else {
        c->mcause = cause;
        c->mepc = c->pc;
        c->mtval = tval;
        uint64_t s = c->mstatus & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE);
        s |= (uint64_t)c->priv << 11;
        if (c->mstatus & MSTATUS_MIE)
            s |= MSTATUS_MPIE;
        c->mstatus = s;
        c->priv = PRV_M;
        uint64_t base = c->mtvec & ~3ull;
        c->pc = (is_irq && (c->mtvec & 1)) ? base + 4 * code : base;
    }
    c->resv_valid = false;
    rv_mode_changed(c);
    log_cat(LOG_INT, "int: %s %u (%s) epc %016llx tval %016llx priv %u->%u pc %016llx\n",
            is_irq ? "interrupt" : "exception", code, cause_name(cause),
            (unsigned long long)(c->priv == PRV_M ? c->mepc : c->sepc),
            (unsigned long long)tval, from, c->priv, (unsigned long long)c->pc);
}

int rv_raise(rv_cpu *c, unsigned cause, uint64_t tval)
{
    enter_trap(c, cause, tval);
    return RV_JUMP;
}

/* Pending interrupts; the Sstc timer (which costs a clock read) only if `want` has STIP. */
static uint64_t pending(rv_cpu *c, uint64_t want)
{
    uint64_t p = c->mip | rv_input(c, atomic_load_explicit(&c->irq_lines, memory_order_relaxed));
    if ((want & MIP_STIP) && (c->menvcfg >> 63) && c->env && c->env->read_time &&
        rv_input(c, c->env->read_time(c->env->opaque)) >= c->stimecmp)
        p |= MIP_STIP;
    return p;
}

uint64_t rv_cpu_pending_irqs(rv_cpu *c)
{
    return pending(c, MIP_STIP);
}

/* The interrupts that are pending and would be taken now (0 most of the time: the
 * clock for Sstc is read only if STIP could be taken). */
static uint64_t takeable(rv_cpu *c)
{
    bool m_on = c->priv < PRV_M || (c->mstatus & MSTATUS_MIE);
    bool s_on = c->priv < PRV_S || (c->priv == PRV_S && (c->mstatus & MSTATUS_SIE));
    uint64_t enabled = c->mie & ((m_on ? ~c->mideleg : 0) | (s_on ? c->mideleg : 0));
    if (!enabled)
        return 0;
    uint64_t pend = pending(c, enabled) & enabled;
    uint64_t m = pend & ~c->mideleg;
    return m ? m : pend;
}

bool rv_interrupt_ready(rv_cpu *c)
{
    return takeable(c) != 0;
}

bool rv_take_interrupt(rv_cpu *c)
{
    uint64_t take = takeable(c);
    if (!take)
        return false;
    static const unsigned order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
    for (unsigned i = 0; i < 6; i++) {
        if ((take >> order[i]) & 1) {
            enter_trap(c, (1ull << 63) | order[i], 0);
            return true;
        }
    }
    return false;
}

int rv_exec_mret(rv_cpu *c)
{
    unsigned mpp = (c->mstatus >> 11) & 3;
    uint64_t s = c->mstatus & ~(MSTATUS_MPP | MSTATUS_MIE);
    if (c->mstatus & MSTATUS_MPIE)
        s |= MSTATUS_MIE;
    s |= MSTATUS_MPIE;
    if (mpp != PRV_M)
        s &= ~MSTATUS_MPRV;
    c->mstatus = s;
    c->priv = mpp;
    c->pc = c->mepc;
    c->resv_valid = false;
    rv_mode_changed(c);
    return RV_EXIT;
}

int rv_exec_sret(rv_cpu *c)
{
    unsigned spp = (c->mstatus & MSTATUS_SPP) ? PRV_S : PRV_U;
    uint64_t s = c->mstatus & ~(MSTATUS_SPP | MSTATUS_SIE | MSTATUS_MPRV);
    if (c->mstatus & MSTATUS_SPIE)
        s |= MSTATUS_SIE;
    s |= MSTATUS_SPIE;
    c->mstatus = s;
    c->priv = spp;
    c->pc = c->sepc;
    c->resv_valid = false;
    rv_mode_changed(c);
    return RV_EXIT;
}
