/*
 * The front end's integer part: RV64I/M, Zba, Zbb, Zbs, Zicond, loads and stores with
 * the inline TLB check, branches and jumps (see translate.c for the block structure).
 */
#include "jit/translate.h"
#include <string.h>

/* ---- loads and stores ---- */

/* RSI = rs1 + imm */
void tr_effective_address(tctx *t, const rv_insn *d)
{
    int h = jit_host_reg(d->rs1);
    if (d->rs1 == 0)
        x_mov_imm(&t->b, RSI, (uint64_t)d->imm);
    else if (h >= 0)
        x_lea(&t->b, RSI, XM((unsigned)h, (int32_t)d->imm));
    else {
        x_mov(&t->b, 64, XR(RSI), gop(d->rs1));
        if (d->imm)
            x_lea(&t->b, RSI, XM(RSI, (int32_t)d->imm));
    }
}

/* Inline TLB check for the access at RSI; on a hit RSI becomes the host address.
 * Returns the rel32 of the miss jump. Clobbers RAX, RDX. */
uint8_t *tr_tlb_check(tctx *t, unsigned size, enum rv_access acc)
{
    xbuf *b = &t->b;
    x_mov(b, 32, XR(RAX), XR(RSI));
    x_shift_imm(b, 32, SH_SHR, XR(RAX), 12 - 4);
    x_alu_imm(b, 32, ALU_AND, XR(RAX), (int32_t)((TLB_SIZE - 1) << 4));
    /* the page of the access's last byte: a page-crossing access misses */
    if (size > 1)
        x_lea(b, RDX, XM(RSI, (int32_t)size - 1));
    else
        x_mov(b, 64, XR(RDX), XR(RSI));
    x_alu_imm(b, 64, ALU_AND, XR(RDX), -4096);
    int32_t base = TLB_OFF(t->data_ctx, acc);
    x_alu(b, 64, ALU_CMP, XR(RDX), XMI(RBP, RAX, 0, base));
    uint8_t *miss = x_jcc32(b, CC_NE);
    x_alu(b, 64, ALU_ADD, XR(RSI), XMI(RBP, RAX, 0, base + 8));
    return miss;
}

static void emit_load(tctx *t, const rv_insn *d, unsigned size, bool sign)
{
    xbuf *b = &t->b;
    tr_effective_address(t, d);
    unsigned dst = dst_reg(d->rd, RAX);
    uint8_t *miss = tr_tlb_check(t, size, ACC_READ);
    xop m = XM(RSI, 0);
    switch (size) {
    case 1: sign ? x_movsx(b, 8, dst, m) : x_movzx(b, 8, dst, m); break;
    case 2: sign ? x_movsx(b, 16, dst, m) : x_movzx(b, 16, dst, m); break;
    case 4: sign ? x_movsx(b, 32, dst, m) : x_mov(b, 32, XR(dst), m); break;
    default: x_mov(b, 64, XR(dst), m); break;
    }
    stub *s = tr_new_stub(t, STUB_LOAD);
    s->fix = miss;
    s->ret = x_here(b);
    s->kind_arg = size | (sign ? K_SIGNED : 0);
    s->dst = (uint8_t)dst;
    put(t, d->rd, dst);
}

static void emit_store(tctx *t, const rv_insn *d, unsigned size)
{
    xbuf *b = &t->b;
    unsigned val = XNONE;
    if (d->rs2 != 0)
        val = in_reg(t, d->rs2, RCX);
    tr_effective_address(t, d);
    uint8_t *miss = tr_tlb_check(t, size, ACC_WRITE);
    xop m = XM(RSI, 0);
    if (val == XNONE)
        x_mov_store_imm(b, size * 8, m, 0);
    else
        x_mov(b, size * 8, m, XR(val));
    stub *s = tr_new_stub(t, STUB_STORE);
    s->fix = miss;
    s->ret = x_here(b);
    s->kind_arg = size | ((unsigned)d->len << 4);
    s->val = (uint8_t)val;
}

/* ---- integer operations ---- */

/* rd = rs1 op rs2 (64 or 32 bits; 32-bit results are sign-extended) */
static void alu_rr(tctx *t, const rv_insn *d, enum xalu op, bool commutative, unsigned width)
{
    unsigned rd = d->rd, rs1 = d->rs1, rs2 = d->rs2;
    if (rd >= 32)
        return;
    int hd = jit_host_reg(rd);
    unsigned tr = dst_reg(rd, RAX);
    if (hd >= 0 && rs2 == rd && rs1 != rd) {
        if (commutative) {
            unsigned tmp = rs1;
            rs1 = rs2;
            rs2 = tmp;
        } else {
            tr = RAX;
        }
    }
    get(t, tr, rs1);
    if (rs2 == 0)
        x_alu_imm(&t->b, width, op, XR(tr), 0);
    else
        x_alu(&t->b, width, op, XR(tr), gop(rs2));
    if (width == 32)
        x_movsx(&t->b, 32, tr, XR(tr));
    put(t, rd, tr);
}

static void alu_ri(tctx *t, const rv_insn *d, enum xalu op, unsigned width)
{
    unsigned rd = d->rd, rs1 = d->rs1;
    int32_t imm = (int32_t)d->imm;
    if (rd >= 32)
        return;
    xbuf *b = &t->b;
    if (width == 64 && rs1 == rd && !mapped(rd)) {
        if (imm || op == ALU_AND)
            x_alu_imm(b, 64, op, gop(rd), imm);
        return;
    }
    unsigned tr = dst_reg(rd, RAX);
    if (rs1 == 0) {
        int64_t v = op == ALU_ADD || op == ALU_OR || op == ALU_XOR ? imm : 0;
        if (width == 32)
            v = (int32_t)v;
        x_mov_imm(b, tr, (uint64_t)v);
    } else if (op == ALU_ADD && width == 64 && mapped(rs1)) {
        x_lea(b, tr, XM((unsigned)jit_host_reg(rs1), imm));
    } else if (op == ALU_ADD && width == 32 && imm == 0) {
        x_movsx(b, 32, tr, gop(rs1));
    } else {
        get(t, tr, rs1);
        x_alu_imm(b, width, op, XR(tr), imm);
        if (width == 32)
            x_movsx(b, 32, tr, XR(tr));
    }
    put(t, rd, tr);
}

/* rd = (rs1 <cc> src) ? 1 : 0 */
static void set_cmp(tctx *t, const rv_insn *d, enum xcc cc, bool use_imm)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    unsigned a = in_reg(t, d->rs1, RAX);
    if (use_imm)
        x_alu_imm(b, 64, ALU_CMP, XR(a), (int32_t)d->imm);
    else if (d->rs2 == 0)
        x_alu_imm(b, 64, ALU_CMP, XR(a), 0);
    else
        x_alu(b, 64, ALU_CMP, XR(a), gop(d->rs2));
    x_setcc(b, cc, RAX);
    unsigned tr = dst_reg(d->rd, RAX);
    x_movzx(b, 8, tr, XR(RAX));
    put(t, d->rd, tr);
}

static void shift_imm(tctx *t, const rv_insn *d, enum xshift op, unsigned width)
{
    if (d->rd >= 32)
        return;
    unsigned tr = dst_reg(d->rd, RAX);
    get(t, tr, d->rs1);
    unsigned n = (unsigned)d->imm & (width - 1);
    if (n)
        x_shift_imm(&t->b, width, op, XR(tr), n);
    if (width == 32)
        x_movsx(&t->b, 32, tr, XR(tr));
    put(t, d->rd, tr);
}

static void shift_reg(tctx *t, const rv_insn *d, enum xshift op, unsigned width)
{
    if (d->rd >= 32)
        return;
    get(t, RCX, d->rs2);
    unsigned tr = dst_reg(d->rd, RAX);
    get(t, tr, d->rs1);
    x_shift_cl(&t->b, width, op, XR(tr));
    if (width == 32)
        x_movsx(&t->b, 32, tr, XR(tr));
    put(t, d->rd, tr);
}

static void emit_mul(tctx *t, const rv_insn *d, unsigned width)
{
    if (d->rd >= 32)
        return;
    unsigned rs1 = d->rs1, rs2 = d->rs2;
    int hd = jit_host_reg(d->rd);
    if (hd >= 0 && rs2 == d->rd) {
        rs2 = rs1;
        rs1 = d->rd;
    }
    unsigned tr = dst_reg(d->rd, RAX);
    get(t, tr, rs1);
    if (rs2 == 0)
        x_mov_imm(&t->b, tr, 0);
    else
        x_imul(&t->b, width, tr, gop(rs2));
    if (width == 32)
        x_movsx(&t->b, 32, tr, XR(tr));
    put(t, d->rd, tr);
}

/* high 64 bits of the product: signedness of rs1 and rs2 */
static void emit_mulh(tctx *t, const rv_insn *d, bool s1, bool s2)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    if (d->rs2 == 0 || d->rs1 == 0) {
        x_mov_imm(b, RDX, 0);
    } else {
        get(t, RAX, d->rs1);
        x_unary(b, 64, s1 && s2 ? X_IMUL1 : X_MUL, gop(d->rs2));
        if (s1 && !s2) {
            /* signed x unsigned = unsigned product - (rs1 < 0 ? rs2 << 64 : 0) */
            get(t, RCX, d->rs1);
            x_shift_imm(b, 64, SH_SAR, XR(RCX), 63);
            x_alu(b, 64, ALU_AND, XR(RCX), gop(d->rs2));
            x_alu(b, 64, ALU_SUB, XR(RDX), XR(RCX));
        }
    }
    put(t, d->rd, RDX);
}

/* div/rem with RISC-V's results for division by zero and overflow (no traps) */
static void emit_div(tctx *t, const rv_insn *d, bool sign, bool rem, unsigned width)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    get(t, RCX, d->rs2);
    get(t, RAX, d->rs1);
    x_test(b, width, XR(RCX), RCX);
    uint8_t *zero = x_jcc8(b, CC_E);
    uint8_t *ovf = NULL;
    if (sign) {
        x_alu_imm(b, width, ALU_CMP, XR(RCX), -1);
        uint8_t *normal = x_jcc8(b, CC_NE);
        /* x / -1 = -x (INT_MIN stays INT_MIN); x % -1 = 0 */
        if (rem)
            x_mov_imm(b, RDX, 0);
        else
            x_unary(b, width, X_NEG, XR(RAX));
        ovf = x_jmp8(b);
        x_patch8(normal, x_here(b));
        width == 64 ? x_cqo(b) : x_cdq(b);
        x_unary(b, width, X_IDIV, XR(RCX));
    } else {
        x_mov_imm(b, RDX, 0);
        x_unary(b, width, X_DIV, XR(RCX));
    }
    uint8_t *done = x_jmp8(b);
    x_patch8(zero, x_here(b));
    if (rem)
        x_mov(b, 64, XR(RDX), XR(RAX));        /* x % 0 = x */
    else
        x_mov_imm(b, RAX, ~0ull);              /* x / 0 = all ones */
    x_patch8(done, x_here(b));
    if (ovf)
        x_patch8(ovf, x_here(b));
    unsigned res = rem ? RDX : RAX;
    if (width == 32)
        x_movsx(b, 32, res, XR(res));
    put(t, d->rd, res);
}

/* rd = (rs1 [zero-extended from 32 bits]) << sh + rs2 */
static void emit_shadd(tctx *t, const rv_insn *d, unsigned sh, bool uw)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    unsigned a;
    if (uw) {
        if (d->rs1 == 0)
            x_mov_imm(b, RAX, 0);
        else
            x_mov(b, 32, XR(RAX), gop(d->rs1));
        a = RAX;
    } else {
        a = in_reg(t, d->rs1, RAX);
    }
    unsigned c = in_reg(t, d->rs2, RCX);
    unsigned tr = dst_reg(d->rd, RAX);
    x_lea(b, tr, XMI(c, a, sh, 0));
    put(t, d->rd, tr);
}

/* rd = op(rs1) through one of the F3 0F bit-count instructions */
static void emit_bitcount(tctx *t, const rv_insn *d, uint8_t op, unsigned width)
{
    if (d->rd >= 32)
        return;
    unsigned tr = dst_reg(d->rd, RAX);
    if (d->rs1 == 0) {
        x_mov_imm(&t->b, tr, op == 0xb8 ? 0 : width);
    } else {
        x_f3_op(&t->b, width, op, tr, gop(d->rs1));
    }
    put(t, d->rd, tr);
}

static void emit_minmax(tctx *t, const rv_insn *d, enum xcc take_rs2)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    get(t, RAX, d->rs1);
    unsigned s2 = in_reg(t, d->rs2, RCX);
    x_alu(b, 64, ALU_CMP, XR(RAX), XR(s2));
    x_cmov(b, 64, take_rs2, RAX, XR(s2));
    put(t, d->rd, RAX);
}

static void emit_bitop_reg(tctx *t, const rv_insn *d, unsigned digit)
{
    if (d->rd >= 32)
        return;
    get(t, RCX, d->rs2);
    get(t, RAX, d->rs1);
    x_bt_reg(&t->b, 64, digit, XR(RAX), RCX);
    put(t, d->rd, RAX);
}

static void emit_bitop_imm(tctx *t, const rv_insn *d, unsigned digit)
{
    if (d->rd >= 32)
        return;
    unsigned tr = dst_reg(d->rd, RAX);
    get(t, tr, d->rs1);
    x_bt_imm(&t->b, 64, digit, XR(tr), (unsigned)d->imm & 63);
    put(t, d->rd, tr);
}

static void emit_bext(tctx *t, const rv_insn *d, bool imm)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    if (!imm)
        get(t, RCX, d->rs2);
    get(t, RAX, d->rs1);
    if (imm)
        x_shift_imm(b, 64, SH_SHR, XR(RAX), (unsigned)d->imm & 63);
    else
        x_shift_cl(b, 64, SH_SHR, XR(RAX));
    x_alu_imm(b, 32, ALU_AND, XR(RAX), 1);
    put(t, d->rd, RAX);
}

static void emit_rotate(tctx *t, const rv_insn *d, enum xshift op, unsigned width, bool imm)
{
    if (d->rd >= 32)
        return;
    if (!imm)
        get(t, RCX, d->rs2);
    unsigned tr = dst_reg(d->rd, RAX);
    get(t, tr, d->rs1);
    if (imm) {
        unsigned n = (unsigned)d->imm & (width - 1);
        if (n)
            x_shift_imm(&t->b, width, op, XR(tr), n);
    } else {
        x_shift_cl(&t->b, width, op, XR(tr));
    }
    if (width == 32)
        x_movsx(&t->b, 32, tr, XR(tr));
    put(t, d->rd, tr);
}

static void emit_logic_not(tctx *t, const rv_insn *d, enum xalu op, bool invert_result)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    if (invert_result) {                        /* xnor: ~(rs1 ^ rs2) */
        get(t, RAX, d->rs1);
        if (d->rs2)
            x_alu(b, 64, ALU_XOR, XR(RAX), gop(d->rs2));
        x_unary(b, 64, X_NOT, XR(RAX));
    } else {                                    /* andn/orn: rs1 op ~rs2 */
        get(t, RAX, d->rs2);
        x_unary(b, 64, X_NOT, XR(RAX));
        if (d->rs1)
            x_alu(b, 64, op, XR(RAX), gop(d->rs1));
        else
            x_alu_imm(b, 64, op, XR(RAX), 0);
    }
    put(t, d->rd, RAX);
}

static void emit_czero(tctx *t, const rv_insn *d, enum xcc zero_when)
{
    if (d->rd >= 32)
        return;
    xbuf *b = &t->b;
    x_alu(b, 32, ALU_XOR, XR(RCX), XR(RCX));
    get(t, RAX, d->rs1);
    if (d->rs2 == 0)
        x_alu_imm(b, 32, ALU_CMP, XR(RCX), 0);  /* rs2 is zero: ZF = 1 */
    else
        x_alu_imm(b, 64, ALU_CMP, gop(d->rs2), 0);
    x_cmov(b, 64, zero_when, RAX, XR(RCX));
    put(t, d->rd, RAX);
}

static void emit_ext(tctx *t, const rv_insn *d, unsigned from, bool sign)
{
    if (d->rd >= 32)
        return;
    unsigned tr = dst_reg(d->rd, RAX);
    unsigned s = in_reg(t, d->rs1, RAX);
    if (sign)
        x_movsx(&t->b, from, tr, XR(s));
    else
        x_movzx(&t->b, from, tr, XR(s));
    put(t, d->rd, tr);
}

/* ---- control flow ---- */

static enum xcc swap_cc(enum xcc cc)
{
    switch (cc) {
    case CC_L: return CC_G;
    case CC_GE: return CC_LE;
    case CC_B: return CC_A;
    case CC_AE: return CC_BE;
    default: return cc;
    }
}

/* compare rs1 with rs2 for a branch; returns the condition (possibly swapped) */
static enum xcc branch_compare(tctx *t, const rv_insn *d, enum xcc cc)
{
    xbuf *b = &t->b;
    unsigned rs1 = d->rs1, rs2 = d->rs2;
    if (rs2 == 0) {
        x_alu_imm(b, 64, ALU_CMP, gop(rs1), 0);
        return cc;
    }
    if (rs1 == 0) {
        x_alu_imm(b, 64, ALU_CMP, gop(rs2), 0);
        return swap_cc(cc);
    }
    if (mapped(rs1)) {
        x_alu(b, 64, ALU_CMP, gop(rs1), gop(rs2));
    } else if (mapped(rs2)) {
        x_alu(b, 64, ALU_CMP, gop(rs1), gop(rs2));   /* memory - register */
    } else {
        get(t, RAX, rs1);
        x_alu(b, 64, ALU_CMP, XR(RAX), gop(rs2));
    }
    return cc;
}

/* Returns true if the block ends here. */
static bool emit_branch(tctx *t, const rv_insn *d, enum xcc cc, bool last)
{
    uint64_t taken = t->pc + (uint64_t)d->imm;
    uint64_t next = t->pc + d->len;
    unsigned n = t->idx + 1;
    if (d->rs1 == d->rs2) {                 /* beq x,x / bge x,x / ... always or never */
        bool always = cc == CC_E || cc == CC_GE || cc == CC_AE;
        if (always) {
            tr_direct_exit(t, taken, n);
            return true;
        }
        if (last)
            tr_direct_exit(t, next, n);
        return last;
    }
    if (last) {
        /* both exits here: count once, before the compare */
        tr_add_count(t, n);
        enum xcc c = branch_compare(t, d, cc);
        uint8_t *to_taken = x_jcc32(&t->b, c);
        tr_direct_exit(t, next, 0);
        x_patch32(to_taken, x_here(&t->b));
        tr_direct_exit(t, taken, 0);
        return true;
    }
    /* side exit: cold stub counts and leaves */
    enum xcc c = branch_compare(t, d, cc);
    stub *s = tr_new_stub(t, STUB_SIDE_EXIT);
    s->fix = x_jcc32(&t->b, c);
    s->target = taken;
    s->count = n;
    return false;
}

static void emit_jal(tctx *t, const rv_insn *d)
{
    if (d->rd < 32 && d->rd != 0) {
        uint64_t link = t->pc + d->len;
        if (mapped(d->rd))
            x_mov_imm(&t->b, (unsigned)jit_host_reg(d->rd), link);
        else if (fits_i32((int64_t)link))
            x_mov_store_imm(&t->b, 64, gop(d->rd), (int32_t)link);
        else {
            x_mov_imm(&t->b, RAX, link);
            put(t, d->rd, RAX);
        }
    }
    tr_direct_exit(t, t->pc + (uint64_t)d->imm, t->idx + 1);
}

static void emit_jalr(tctx *t, const rv_insn *d)
{
    xbuf *b = &t->b;
    if (d->rs1 == 0)
        x_mov_imm(b, RAX, (uint64_t)d->imm & ~1ull);
    else {
        int h = jit_host_reg(d->rs1);
        if (h >= 0)
            x_lea(b, RAX, XM((unsigned)h, (int32_t)d->imm));
        else {
            x_mov(b, 64, XR(RAX), gop(d->rs1));
            if (d->imm)
                x_lea(b, RAX, XM(RAX, (int32_t)d->imm));
        }
        x_alu_imm(b, 64, ALU_AND, XR(RAX), -2);
    }
    if (d->rd < 32 && d->rd != 0) {
        uint64_t link = t->pc + d->len;
        if (mapped(d->rd))
            x_mov_imm(b, (unsigned)jit_host_reg(d->rd), link);
        else if (fits_i32((int64_t)link))
            x_mov_store_imm(b, 64, gop(d->rd), (int32_t)link);
        else {
            x_mov_imm(b, RCX, link);
            put(t, d->rd, RCX);
        }
    }
    tr_indirect_exit(t, t->idx + 1);
}

/* Integer, memory and control-flow instructions: 1 handled and the block ends, 0
 * handled, -1 not handled here. */
int tr_insn_int(tctx *t, const rv_insn *d, bool last)
{
    jit *j = t->j;
    switch (d->op) {
    case RV_OP_lui:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_mov_imm(&t->b, tr, (uint64_t)d->imm);
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_auipc:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_mov_imm(&t->b, tr, t->pc + (uint64_t)d->imm);
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_jal: emit_jal(t, d); return 1;
    case RV_OP_jalr: emit_jalr(t, d); return 1;
    case RV_OP_beq: return emit_branch(t, d, CC_E, last) ? 1 : 0;
    case RV_OP_bne: return emit_branch(t, d, CC_NE, last) ? 1 : 0;
    case RV_OP_blt: return emit_branch(t, d, CC_L, last) ? 1 : 0;
    case RV_OP_bge: return emit_branch(t, d, CC_GE, last) ? 1 : 0;
    case RV_OP_bltu: return emit_branch(t, d, CC_B, last) ? 1 : 0;
    case RV_OP_bgeu: return emit_branch(t, d, CC_AE, last) ? 1 : 0;
    case RV_OP_lb: emit_load(t, d, 1, true); return 0;
    case RV_OP_lh: emit_load(t, d, 2, true); return 0;
    case RV_OP_lw: emit_load(t, d, 4, true); return 0;
    case RV_OP_ld: emit_load(t, d, 8, false); return 0;
    case RV_OP_lbu: emit_load(t, d, 1, false); return 0;
    case RV_OP_lhu: emit_load(t, d, 2, false); return 0;
    case RV_OP_lwu: emit_load(t, d, 4, false); return 0;
    case RV_OP_sb: emit_store(t, d, 1); return 0;
    case RV_OP_sh: emit_store(t, d, 2); return 0;
    case RV_OP_sw: emit_store(t, d, 4); return 0;
    case RV_OP_sd: emit_store(t, d, 8); return 0;
    case RV_OP_addi: alu_ri(t, d, ALU_ADD, 64); return 0;
    case RV_OP_slti: set_cmp(t, d, CC_L, true); return 0;
    case RV_OP_sltiu: set_cmp(t, d, CC_B, true); return 0;
    case RV_OP_xori: alu_ri(t, d, ALU_XOR, 64); return 0;
    case RV_OP_ori: alu_ri(t, d, ALU_OR, 64); return 0;
    case RV_OP_andi: alu_ri(t, d, ALU_AND, 64); return 0;
    case RV_OP_slli: shift_imm(t, d, SH_SHL, 64); return 0;
    case RV_OP_srli: shift_imm(t, d, SH_SHR, 64); return 0;
    case RV_OP_srai: shift_imm(t, d, SH_SAR, 64); return 0;
    case RV_OP_add: alu_rr(t, d, ALU_ADD, true, 64); return 0;
    case RV_OP_sub: alu_rr(t, d, ALU_SUB, false, 64); return 0;
    case RV_OP_sll: shift_reg(t, d, SH_SHL, 64); return 0;
    case RV_OP_slt: set_cmp(t, d, CC_L, false); return 0;
    case RV_OP_sltu: set_cmp(t, d, CC_B, false); return 0;
    case RV_OP_xor: alu_rr(t, d, ALU_XOR, true, 64); return 0;
    case RV_OP_srl: shift_reg(t, d, SH_SHR, 64); return 0;
    case RV_OP_sra: shift_reg(t, d, SH_SAR, 64); return 0;
    case RV_OP_or: alu_rr(t, d, ALU_OR, true, 64); return 0;
    case RV_OP_and: alu_rr(t, d, ALU_AND, true, 64); return 0;
    case RV_OP_addiw: alu_ri(t, d, ALU_ADD, 32); return 0;
    case RV_OP_slliw: shift_imm(t, d, SH_SHL, 32); return 0;
    case RV_OP_srliw: shift_imm(t, d, SH_SHR, 32); return 0;
    case RV_OP_sraiw: shift_imm(t, d, SH_SAR, 32); return 0;
    case RV_OP_addw: alu_rr(t, d, ALU_ADD, true, 32); return 0;
    case RV_OP_subw: alu_rr(t, d, ALU_SUB, false, 32); return 0;
    case RV_OP_sllw: shift_reg(t, d, SH_SHL, 32); return 0;
    case RV_OP_srlw: shift_reg(t, d, SH_SHR, 32); return 0;
    case RV_OP_sraw: shift_reg(t, d, SH_SAR, 32); return 0;
    case RV_OP_fence:
        if (rv_fence_needs_barrier(d->imm))
            x_mfence(&t->b);
        return 0;
    case RV_OP_mul: emit_mul(t, d, 64); return 0;
    case RV_OP_mulw: emit_mul(t, d, 32); return 0;
    case RV_OP_mulh: emit_mulh(t, d, true, true); return 0;
    case RV_OP_mulhsu: emit_mulh(t, d, true, false); return 0;
    case RV_OP_mulhu: emit_mulh(t, d, false, false); return 0;
    case RV_OP_div: emit_div(t, d, true, false, 64); return 0;
    case RV_OP_divu: emit_div(t, d, false, false, 64); return 0;
    case RV_OP_rem: emit_div(t, d, true, true, 64); return 0;
    case RV_OP_remu: emit_div(t, d, false, true, 64); return 0;
    case RV_OP_divw: emit_div(t, d, true, false, 32); return 0;
    case RV_OP_divuw: emit_div(t, d, false, false, 32); return 0;
    case RV_OP_remw: emit_div(t, d, true, true, 32); return 0;
    case RV_OP_remuw: emit_div(t, d, false, true, 32); return 0;
    case RV_OP_add_uw: emit_shadd(t, d, 0, true); return 0;
    case RV_OP_sh1add: emit_shadd(t, d, 1, false); return 0;
    case RV_OP_sh2add: emit_shadd(t, d, 2, false); return 0;
    case RV_OP_sh3add: emit_shadd(t, d, 3, false); return 0;
    case RV_OP_sh1add_uw: emit_shadd(t, d, 1, true); return 0;
    case RV_OP_sh2add_uw: emit_shadd(t, d, 2, true); return 0;
    case RV_OP_sh3add_uw: emit_shadd(t, d, 3, true); return 0;
    case RV_OP_slli_uw:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            if (d->rs1 == 0)
                x_mov_imm(&t->b, tr, 0);
            else
                x_mov(&t->b, 32, XR(tr), gop(d->rs1));
            if (d->imm & 63)
                x_shift_imm(&t->b, 64, SH_SHL, XR(tr), (unsigned)d->imm & 63);
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_andn: emit_logic_not(t, d, ALU_AND, false); return 0;
    case RV_OP_orn: emit_logic_not(t, d, ALU_OR, false); return 0;
    case RV_OP_xnor: emit_logic_not(t, d, ALU_XOR, true); return 0;
    case RV_OP_clz: case RV_OP_clzw:
        if (!j->has_lzcnt)
            return -1;
        emit_bitcount(t, d, 0xbd, d->op == RV_OP_clz ? 64 : 32);
        return 0;
    case RV_OP_ctz: case RV_OP_ctzw:
        if (!j->has_bmi1)
            return -1;
        emit_bitcount(t, d, 0xbc, d->op == RV_OP_ctz ? 64 : 32);
        return 0;
    case RV_OP_cpop: case RV_OP_cpopw:
        if (!j->has_popcnt)
            return -1;
        emit_bitcount(t, d, 0xb8, d->op == RV_OP_cpop ? 64 : 32);
        return 0;
    case RV_OP_max: emit_minmax(t, d, CC_L); return 0;
    case RV_OP_maxu: emit_minmax(t, d, CC_B); return 0;
    case RV_OP_min: emit_minmax(t, d, CC_G); return 0;
    case RV_OP_minu: emit_minmax(t, d, CC_A); return 0;
    case RV_OP_sext_b: emit_ext(t, d, 8, true); return 0;
    case RV_OP_sext_h: emit_ext(t, d, 16, true); return 0;
    case RV_OP_zext_h: emit_ext(t, d, 16, false); return 0;
    case RV_OP_rol: emit_rotate(t, d, SH_ROL, 64, false); return 0;
    case RV_OP_ror: emit_rotate(t, d, SH_ROR, 64, false); return 0;
    case RV_OP_rolw: emit_rotate(t, d, SH_ROL, 32, false); return 0;
    case RV_OP_rorw: emit_rotate(t, d, SH_ROR, 32, false); return 0;
    case RV_OP_rori: emit_rotate(t, d, SH_ROR, 64, true); return 0;
    case RV_OP_roriw: emit_rotate(t, d, SH_ROR, 32, true); return 0;
    case RV_OP_rev8:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            get(t, tr, d->rs1);
            x_bswap(&t->b, 64, tr);
            put(t, d->rd, tr);
        }
        return 0;
    case RV_OP_bclr: emit_bitop_reg(t, d, 6); return 0;
    case RV_OP_bset: emit_bitop_reg(t, d, 5); return 0;
    case RV_OP_binv: emit_bitop_reg(t, d, 7); return 0;
    case RV_OP_bclri: emit_bitop_imm(t, d, 6); return 0;
    case RV_OP_bseti: emit_bitop_imm(t, d, 5); return 0;
    case RV_OP_binvi: emit_bitop_imm(t, d, 7); return 0;
    case RV_OP_bext: emit_bext(t, d, false); return 0;
    case RV_OP_bexti: emit_bext(t, d, true); return 0;
    case RV_OP_czero_eqz: emit_czero(t, d, CC_E); return 0;
    case RV_OP_czero_nez: emit_czero(t, d, CC_NE); return 0;
    default:
        return -1;
    }
    return -1;
}
