/*
 * The front end's floating-point part: double-precision arithmetic, fused
 * multiply-add, square root, comparisons, sign injection, moves, and the FP loads and
 * stores, as SSE2/FMA3 code. Single-precision arithmetic, conversions, min/max and
 * classify call the interpreter's handlers.
 *
 * SSE agrees with RISC-V on every result but NaNs (x86 keeps payloads; RISC-V returns
 * the canonical NaN) and on the exception flags, including tininess after rounding;
 * its sixth flag (denormal operand) has no RISC-V meaning. So an operation is: guards,
 * the SSE instruction, a NaN check, the store, and the flags.
 *
 * - Guards: mstatus.FS must not be Off, and with the dynamic rounding mode frm must be
 *   RNE (the mode MXCSR stays in); otherwise a cold stub runs the handler instead.
 *   Static modes other than RNE always use the handler.
 * - Flags: native code never clears MXCSR's sticky flags, so after each operation a
 *   flag that is set but not yet in fflags (rv_cpu.fp_unseen) calls a helper that
 *   folds it in. Anything that sets fflags other than by accumulating (CSR writes,
 *   the start of jit_run, the lockstep check) clears MXCSR and fp_unseen together
 *   (rv_fflags_written); the interpreter's FP helpers leave MXCSR's flags clear.
 * - mstatus.FS becomes Dirty at the first instruction of the block that writes an FP
 *   register, or when a flag new to fflags is folded in (as in the interpreter).
 * - Fused multiply-adds with a NaN result are redone by the handler: RISC-V raises NV
 *   for infinity times zero even when the addend is a quiet NaN; x86 does not.
 */
#include "jit/translate.h"
#include "cpu/riscv/fpu.h"
#include <string.h>

#define F_OFF(r) ((int32_t)(offsetof(rv_cpu, f) + 8 * (r)) - JIT_BIAS)
#define MSTATUS_FS_BITS 0x6000

/* mstatus.FS on, and the rounding mode RNE: else the handler runs the instruction */
static void fp_guard(tctx *t, const rv_insn *d, bool rounds)
{
    xbuf *b = &t->b;
    x_test_imm(b, 32, XM(RBP, CPU_OFF(mstatus)), MSTATUS_FS_BITS);
    stub *s = tr_jcc_handler(t, CC_E);
    if (rounds && d->rm == 7) {
        x_alu_imm(b, 32, ALU_CMP, XM(RBP, CPU_OFF(frm)), 0);
        s->fix2 = x_jcc32(b, CC_NE);
    }
}

/* the static rounding modes done natively: RNE and dynamic */
static bool native_rm(const rv_insn *d) { return d->rm == 0 || d->rm == 7; }

static void fs_dirty(tctx *t)
{
    if (t->fs_dirtied)
        return;
    x_alu_imm(&t->b, 32, ALU_OR, XM(RBP, CPU_OFF(mstatus)), MSTATUS_FS_BITS);
    t->fs_dirtied = true;
}

/* xmm0 = canonical NaN if it is a NaN */
static void nan_fix(tctx *t)
{
    x_ucomisd(&t->b, 0, XR(0));
    stub *s = tr_new_stub(t, STUB_FP_NAN);
    s->fix = x_jcc32(&t->b, CC_P);
    s->ret = x_here(&t->b);
}

/* flags raised that fflags does not have yet: fold them in (cold) */
static void fp_flags(tctx *t)
{
    xbuf *b = &t->b;
    x_stmxcsr(b, XM(RBP, CPU_OFF(fp_mxcsr)));
    x_mov(b, 32, XR(RAX), XM(RBP, CPU_OFF(fp_mxcsr)));
    x_test(b, 32, XM(RBP, CPU_OFF(fp_unseen)), RAX);
    stub *s = tr_new_stub(t, STUB_FP_FLAGS);
    s->fix = x_jcc32(b, CC_NE);
    s->ret = x_here(b);
}

void tr_emit_fp_stub(tctx *t, stub *s)
{
    xbuf *b = &t->b;
    if (s->kind == STUB_FP_NAN) {
        x_mov_imm(b, RAX, F64_CANONICAL_NAN);
        x_movq_to_xmm(b, 0, RAX);
    } else {
        tr_save_caller_saved(t);
        x_lea(b, RDI, XM(RBP, -JIT_BIAS));
        x_mov(b, 32, XR(RSI), XR(RAX));
        tr_call_helper(t, (const void *)jit_helper_fp_flags);
        tr_reload_caller_saved(t);
    }
    tr_jmp_to(t, s->ret);
}

/* f[rd] = op(f[rs1], f[rs2]) */
static void fp_binary(tctx *t, const rv_insn *d, enum xsse op)
{
    xbuf *b = &t->b;
    fp_guard(t, d, true);
    x_sse_sd(b, SSE_MOVSD_LOAD, 0, XM(RBP, F_OFF(d->rs1)));
    x_sse_sd(b, op, 0, op == SSE_SQRTSD ? XR(0) : XM(RBP, F_OFF(d->rs2)));
    nan_fix(t);
    x_sse_sd(b, SSE_MOVSD_STORE, 0, XM(RBP, F_OFF(d->rd)));
    fs_dirty(t);
    fp_flags(t);
}

/* f[rd] = +-(f[rs1] * f[rs2]) +- f[rs3], rounded once */
static void fp_fma(tctx *t, const rv_insn *d, uint8_t op)
{
    xbuf *b = &t->b;
    fp_guard(t, d, true);
    x_sse_sd(b, SSE_MOVSD_LOAD, 0, XM(RBP, F_OFF(d->rs3)));
    x_sse_sd(b, SSE_MOVSD_LOAD, 1, XM(RBP, F_OFF(d->rs1)));
    x_fma231sd(b, op, 0, 1, XM(RBP, F_OFF(d->rs2)));
    /* a NaN result: the handler decides, since RISC-V wants NV for inf * 0 even with
     * a quiet-NaN addend, which x86 does not raise (the flags x86 did raise are ones
     * the handler raises too) */
    x_ucomisd(b, 0, XR(0));
    tr_jcc_handler(t, CC_P);
    x_sse_sd(b, SSE_MOVSD_STORE, 0, XM(RBP, F_OFF(d->rd)));
    fs_dirty(t);
    fp_flags(t);
}

/* x[rd] = f[rs1] <cmp> f[rs2] */
static void fp_compare(tctx *t, const rv_insn *d, int kind)
{
    xbuf *b = &t->b;
    fp_guard(t, d, false);
    if (kind == 0) {                        /* feq: quiet, equal and ordered */
        x_sse_sd(b, SSE_MOVSD_LOAD, 0, XM(RBP, F_OFF(d->rs1)));
        x_ucomisd(b, 0, XM(RBP, F_OFF(d->rs2)));
        x_setcc(b, CC_E, RAX);
        x_setcc(b, CC_NP, RCX);
        x_movzx(b, 8, RAX, XR(RAX));
        x_movzx(b, 8, RCX, XR(RCX));
        x_alu(b, 32, ALU_AND, XR(RAX), XR(RCX));
    } else {                                /* flt/fle: signaling; rs2 > / >= rs1 */
        x_sse_sd(b, SSE_MOVSD_LOAD, 0, XM(RBP, F_OFF(d->rs2)));
        x_comisd(b, 0, XM(RBP, F_OFF(d->rs1)));
        x_setcc(b, kind == 1 ? CC_A : CC_AE, RAX);
        x_movzx(b, 8, RAX, XR(RAX));
    }
    put(t, d->rd, RAX);
    fp_flags(t);
}

/* sign injection on the bit patterns (fmv.d, fneg.d and fabs.d among them) */
static void fp_sgnj(tctx *t, const rv_insn *d, int kind)
{
    xbuf *b = &t->b;
    fp_guard(t, d, false);
    x_mov(b, 64, XR(RAX), XM(RBP, F_OFF(d->rs1)));
    if (d->rs1 == d->rs2) {
        if (kind == 1)
            x_bt_imm(b, 64, 7, XR(RAX), 63);     /* fneg: flip */
        else if (kind == 2)
            x_bt_imm(b, 64, 6, XR(RAX), 63);     /* fabs: clear */
    } else {
        x_mov(b, 64, XR(RCX), XM(RBP, F_OFF(d->rs2)));
        if (kind == 1)
            x_unary(b, 64, X_NOT, XR(RCX));
        x_shift_imm(b, 64, SH_SHR, XR(RCX), 63);
        x_shift_imm(b, 64, SH_SHL, XR(RCX), 63);
        if (kind != 2)
            x_bt_imm(b, 64, 6, XR(RAX), 63);
        x_alu(b, 64, kind == 2 ? ALU_XOR : ALU_OR, XR(RAX), XR(RCX));
    }
    x_mov(b, 64, XM(RBP, F_OFF(d->rd)), XR(RAX));
    fs_dirty(t);
}

/* fld/flw: f[rd] = memory, single values NaN-boxed */
static void fp_load(tctx *t, const rv_insn *d, unsigned size)
{
    xbuf *b = &t->b;
    fp_guard(t, d, false);
    tr_effective_address(t, d);
    uint8_t *miss = tr_tlb_check(t, size, ACC_READ);
    x_mov(b, size == 8 ? 64 : 32, XR(RAX), XM(RSI, 0));
    stub *s = tr_new_stub(t, STUB_LOAD);
    s->fix = miss;
    s->ret = x_here(b);
    s->kind_arg = size;
    s->dst = RAX;
    if (size == 4) {
        x_mov_imm(b, RCX, 0xffffffff00000000ull);
        x_alu(b, 64, ALU_OR, XR(RAX), XR(RCX));
    }
    x_mov(b, 64, XM(RBP, F_OFF(d->rd)), XR(RAX));
    fs_dirty(t);
}

/* fsd/fsw */
static void fp_store(tctx *t, const rv_insn *d, unsigned size)
{
    xbuf *b = &t->b;
    fp_guard(t, d, false);
    x_mov(b, size == 8 ? 64 : 32, XR(RCX), XM(RBP, F_OFF(d->rs2)));
    tr_effective_address(t, d);
    uint8_t *miss = tr_tlb_check(t, size, ACC_WRITE);
    x_mov(b, size * 8, XM(RSI, 0), XR(RCX));
    stub *s = tr_new_stub(t, STUB_STORE);
    s->fix = miss;
    s->ret = x_here(b);
    s->kind_arg = size | ((unsigned)d->len << 4);
    s->val = RCX;
}

int tr_insn_fp(tctx *t, const rv_insn *d)
{
    switch (d->op) {
    case RV_OP_fadd_d: case RV_OP_fsub_d: case RV_OP_fmul_d: case RV_OP_fdiv_d:
    case RV_OP_fsqrt_d:
        if (!native_rm(d))
            return -1;
        fp_binary(t, d, d->op == RV_OP_fadd_d ? SSE_ADDSD : d->op == RV_OP_fsub_d ? SSE_SUBSD :
                        d->op == RV_OP_fmul_d ? SSE_MULSD : d->op == RV_OP_fdiv_d ? SSE_DIVSD :
                        SSE_SQRTSD);
        return 0;
    case RV_OP_fmadd_d: case RV_OP_fmsub_d: case RV_OP_fnmsub_d: case RV_OP_fnmadd_d:
        if (!native_rm(d) || !t->j->has_fma)
            return -1;
        fp_fma(t, d, d->op == RV_OP_fmadd_d ? 0xb9 : d->op == RV_OP_fmsub_d ? 0xbb :
                     d->op == RV_OP_fnmsub_d ? 0xbd : 0xbf);
        return 0;
    case RV_OP_feq_d: fp_compare(t, d, 0); return 0;
    case RV_OP_flt_d: fp_compare(t, d, 1); return 0;
    case RV_OP_fle_d: fp_compare(t, d, 2); return 0;
    case RV_OP_fsgnj_d: fp_sgnj(t, d, 0); return 0;
    case RV_OP_fsgnjn_d: fp_sgnj(t, d, 1); return 0;
    case RV_OP_fsgnjx_d: fp_sgnj(t, d, 2); return 0;
    case RV_OP_fld: fp_load(t, d, 8); return 0;
    case RV_OP_flw: fp_load(t, d, 4); return 0;
    case RV_OP_fsd: fp_store(t, d, 8); return 0;
    case RV_OP_fsw: fp_store(t, d, 4); return 0;
    case RV_OP_fmv_x_d:
        fp_guard(t, d, false);
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_mov(&t->b, 64, XR(tr), XM(RBP, F_OFF(d->rs1)));
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_fmv_x_w:
        fp_guard(t, d, false);
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_movsx(&t->b, 32, tr, XM(RBP, F_OFF(d->rs1)));
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_fmv_d_x:
    case RV_OP_fmv_w_x:
        fp_guard(t, d, false);
        if (d->op == RV_OP_fmv_w_x) {
            if (d->rs1 == 0)
                x_mov_imm(&t->b, RAX, 0);
            else
                x_mov(&t->b, 32, XR(RAX), gop(d->rs1));
            x_mov_imm(&t->b, RCX, 0xffffffff00000000ull);
            x_alu(&t->b, 64, ALU_OR, XR(RAX), XR(RCX));
        } else {
            get(t, RAX, d->rs1);
        }
        x_mov(&t->b, 64, XM(RBP, F_OFF(d->rd)), XR(RAX));
        fs_dirty(t);
        return 0;
    default:
        return -1;
    }
}
