/*
 * Runtime helpers that translated code calls: the slow paths of loads and stores
 * (TLB miss, MMIO, page crossing, faults) and the interpreter's handler for each
 * instruction the front end does not emit natively. The handlers are the ones in
 * exec.h, instantiated here once per instruction.
 */
#include "jit/jit_internal.h"
#include "cpu/riscv/exec.h"

jit_pair jit_helper_load(rv_cpu *c, uint64_t va, uint64_t pc, unsigned kind)
{
    unsigned size = kind & 0xff;
    uint64_t v, tval;
    int exc = rv_load_slow(c, va, size, &v, &tval);
    if (unlikely(exc)) {
        c->pc = pc;
        rv_raise(c, exc, tval);
        return (jit_pair){ 0, 1 };
    }
    if (kind & 0x100) {
        unsigned sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    return (jit_pair){ v, 0 };
}

/* 0: done; otherwise c->pc is set and the block must be left (fault, or the store
 * dropped translated code, maybe this very block's) */
uint64_t jit_helper_store(rv_cpu *c, uint64_t va, uint64_t val, uint64_t pc, unsigned kind)
{
    unsigned size = kind & 0xf, len = (kind >> 4) & 0xf;
    uint64_t gen = atomic_load(&jit_inval_gen);
    uint64_t tval;
    int exc = rv_store_slow(c, va, size, val, &tval);
    if (unlikely(exc)) {
        c->pc = pc;
        rv_raise(c, exc, tval);
        return 1;
    }
    if (unlikely(atomic_load(&jit_inval_gen) != gen)) {
        c->pc = pc + len;
        return 2;
    }
    return 0;
}

#define INSN(id, ...) \
    static int fb_##id(rv_cpu *c, const rv_insn *d) { return exec_##id(c, d); }
#include "cpu/riscv/insn.def"
#undef INSN
static int fb_ILLEGAL(rv_cpu *c, const rv_insn *d) { return exec_ILLEGAL(c, d); }

const jit_exec_fn jit_exec_table[RV_OP_COUNT + 1] = {
#define INSN(id, ...) [RV_OP_##id] = fb_##id,
#include "cpu/riscv/insn.def"
#undef INSN
    [RV_OP_ILLEGAL] = fb_ILLEGAL,
};

/* For handlers that store (AMOs, SC, FP stores): leave the block if the store dropped
 * translated code. */
int jit_helper_exec_mem(rv_cpu *c, const rv_insn *d)
{
    uint64_t gen = atomic_load(&jit_inval_gen);
    int r = jit_exec_table[d->op](c, d);
    if (r == RV_NEXT && unlikely(atomic_load(&jit_inval_gen) != gen)) {
        c->pc += d->len;
        return RV_EXIT;
    }
    return r;
}

/* Can this instruction make a pending interrupt takeable? */
static bool may_enable_interrupts(const rv_insn *d)
{
    switch (d->op) {
    case RV_OP_mret: case RV_OP_sret:
        return true;
    case RV_OP_csrrw: case RV_OP_csrrs: case RV_OP_csrrc:
    case RV_OP_csrrwi: case RV_OP_csrrsi: case RV_OP_csrrci:
        /* mstatus/sstatus (MIE/SIE), mie/sie, mip/sip, mideleg, menvcfg (Sstc),
         * stimecmp: the rows csr.def marks IRQ */
        return rv_csr_flags((unsigned)d->imm) & RV_CSR_IRQ;
    default:
        return false;
    }
}

int jit_helper_end(rv_cpu *c, const rv_insn *d)
{
    int r = jit_exec_table[d->op](c, d);
    if (r == RV_NEXT)
        c->pc += d->len;
    /* the lockstep check runs every block from the dispatcher, and must not make an
     * outside input read the interpreter would not make */
    if (c->wfi || c->io_hook)
        return 1;
    return may_enable_interrupts(d) && rv_interrupt_ready(c);
}

void jit_helper_fp_flags(rv_cpu *c, uint32_t mxcsr)
{
    uint32_t fresh = mxcsr & c->fp_unseen & FPU_HOST_FLAG_BITS;
    c->fp_unseen &= ~fresh;
    uint32_t fl = fpu_host_flags_to_fflags(fresh);
    if (fl & ~c->fflags) {             /* as the interpreter: Dirty only if fflags changes */
        c->fflags |= fl;
        c->mstatus |= MSTATUS_FS;
    }
}
