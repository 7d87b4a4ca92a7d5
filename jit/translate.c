/*
 * The RISC-V front end: turns a run of guest instructions (a block) into x86-64 code.
 *
 * A block starts at a guest pc and runs until a jump, an instruction that changes
 * machine state (RV_F_END), the end of the guest page, or the length limit.
 * Conditional branches inside it become side exits, so a block is a superblock along
 * the fall-through path. Common instructions (integer ALU, M, Zba/Zbb/Zbs/Zicond,
 * loads, stores, branches, jumps) are emitted natively; every other instruction calls
 * the interpreter's handler (DESIGN.md interface 1), so everything works and the fast
 * paths grow one by one.
 *
 * Code shape:
 *   entry:  cmp [kick], 0; jne kick_exit       - interrupts within one block
 *           ... instructions ...
 *   exits:  add [insn_count], n; jmp <next>    - linked to the next block, or to a
 *                                                stub that returns to the dispatcher
 *   cold:   TLB-miss paths, side exits, fault exits, unlinked stubs
 * Loads and stores check the hart's TLB inline (index, compare, add, access); a miss
 * calls a helper that does the full access and may raise the exception precisely.
 * Instruction counts are added at exits (including fault exits), so insn_count is
 * exact whenever control is outside translated code.
 */
#include "jit/jit_internal.h"
#include "core/log.h"
#include <string.h>

enum stub_kind { STUB_LOAD, STUB_STORE, STUB_EXIT_COUNT, STUB_SIDE_EXIT, STUB_UNLINKED };

typedef struct stub {
    enum stub_kind kind;
    uint8_t *fix;                   /* rel32 in hot code that jumps here */
    uint8_t *ret;                   /* hot code to continue at */
    uint64_t pc;                    /* guest pc of the instruction */
    uint64_t target;                /* exits: where it goes */
    unsigned count;                 /* instructions retired when leaving through here */
    unsigned kind_arg;              /* load/store size and flags; STUB_UNLINKED: exit */
    uint8_t dst, val;               /* load result / store value register (XNONE: zero) */
} stub;

#define MAX_STUBS (4 * JIT_MAX_BLOCK + 8)

typedef struct tctx {
    jit *j;
    xbuf b;
    jit_block *blk;
    uint32_t flags;
    unsigned data_ctx;
    bool link;                      /* exits may be linked / use the jump cache */
    uint64_t pc;                    /* current instruction */
    unsigned idx;                   /* its index in the block */
    const rv_insn *d;
    stub stubs[MAX_STUBS];
    unsigned nstubs;
    jit_exit *exits;                /* the block's, room for max_exits */
    unsigned nexits, max_exits;
    bool overflow;                  /* ran out of stubs or exits */
} tctx;

/* kind bits for loads/stores: size in the low byte */
#define K_SIGNED 0x100

static stub *new_stub(tctx *t, enum stub_kind kind)
{
    static __thread stub dummy;
    if (t->nstubs >= MAX_STUBS) {
        t->overflow = true;
        return &dummy;
    }
    stub *s = &t->stubs[t->nstubs++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->pc = t->pc;
    s->count = t->idx + 1;
    s->dst = s->val = XNONE;
    return s;
}

/* ---- guest register access ---- */

static xop gop(unsigned r)
{
    int h = jit_host_reg(r);
    return h >= 0 ? XR((unsigned)h) : XM(RBP, XREG_OFF(r));
}

static bool mapped(unsigned r) { return jit_host_reg(r) >= 0; }

/* host register h = guest register r */
static void get(tctx *t, unsigned h, unsigned r)
{
    if (r == 0)
        x_mov_imm(&t->b, h, 0);
    else if (jit_host_reg(r) != (int)h)
        x_mov(&t->b, 64, XR(h), gop(r));
}

/* guest register rd = host register h (rd 0 or 32 is x0: dropped) */
static void put(tctx *t, unsigned rd, unsigned h)
{
    if (rd == 0 || rd >= 32)
        return;
    if (jit_host_reg(rd) != (int)h)
        x_mov(&t->b, 64, gop(rd), XR(h));
}

/* where to compute a result for rd: its own host register, or the scratch */
static unsigned dst_reg(unsigned rd, unsigned scratch)
{
    int h = jit_host_reg(rd);
    return h >= 0 ? (unsigned)h : scratch;
}

/* a register holding guest register r: its host register, or r loaded into scratch */
static unsigned in_reg(tctx *t, unsigned r, unsigned scratch)
{
    int h = jit_host_reg(r);
    if (h >= 0 && r != 0)
        return (unsigned)h;
    get(t, scratch, r);
    return scratch;
}

static void set_pc(tctx *t, uint64_t pc)
{
    if (fits_i32((int64_t)pc)) {
        x_mov_store_imm(&t->b, 64, XM(RBP, CPU_OFF(pc)), (int32_t)pc);
    } else {
        x_mov_imm(&t->b, RAX, pc);
        x_mov(&t->b, 64, XM(RBP, CPU_OFF(pc)), XR(RAX));
    }
}

static void add_count(tctx *t, unsigned n)
{
    if (n)
        x_alu_imm(&t->b, 64, ALU_ADD, XM(RBP, CPU_OFF(insn_count)), (int32_t)n);
}

static void jmp_to(tctx *t, const uint8_t *target_rw)
{
    x_patch32(x_jmp32(&t->b), target_rw);
}

/* Return to the dispatcher with pc already set; `why` (enum jit_exit_why) is counted. */
static void exit_to_dispatcher(tctx *t, unsigned why)
{
    x_mov_imm(&t->b, RAX, why);
    jmp_to(t, jit_rw(t->j, t->j->epilogue));
}

static void save_caller_saved(tctx *t)
{
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        if (jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(&t->b, 64, XM(RBP, XREG_OFF(jit_mapped_guest[i])), XR(jit_mapped_host[i]));
}

static void reload_caller_saved(tctx *t)
{
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        if (jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(&t->b, 64, XR(jit_mapped_host[i]), XM(RBP, XREG_OFF(jit_mapped_guest[i])));
}

static void call_helper(tctx *t, const void *fn)
{
    uint64_t a;
    memcpy(&a, &fn, sizeof(a));
    x_mov_imm(&t->b, RAX, a);
    x_call_ind(&t->b, XR(RAX));
}

/* ---- exits ---- */

/*
 * Leave the block for guest pc `target` after `count` instructions in total. Exits to
 * the same guest page are linkable jumps (the page's mapping cannot change without a
 * return to the dispatcher); others look the target up in the jump cache inline.
 */
static void direct_exit(tctx *t, uint64_t target, unsigned count)
{
    add_count(t, count);
    bool same_page = (target >> 12) == (t->blk->vpc >> 12);
    if (t->link && same_page) {
        if (t->nexits >= t->max_exits) {
            t->overflow = true;
            return;
        }
        x_align(&t->b, 4, 3);                     /* rel32 4-byte aligned: atomic patch */
        uint8_t *disp = x_jmp32(&t->b);
        jit_exit *e = &t->exits[t->nexits++];
        e->jmp_disp = disp;
        e->target_pc = target;
        e->from = t->blk;
        stub *s = new_stub(t, STUB_UNLINKED);
        s->fix = disp;
        s->target = target;
        s->kind_arg = t->nexits - 1;
        return;
    }
    if (t->link) {
        int32_t slot = JC_OFF(t->flags) + (int32_t)(rv_jc_index(target) * sizeof(rv_jc_entry));
        x_mov_imm(&t->b, RAX, target);
        x_alu(&t->b, 64, ALU_CMP, XR(RAX), XM(RBP, slot));
        uint8_t *miss = x_jcc8(&t->b, CC_NE);
        x_jmp_ind(&t->b, XM(RBP, slot + 8));
        x_patch8(miss, x_here(&t->b));
        x_mov(&t->b, 64, XM(RBP, CPU_OFF(pc)), XR(RAX));
        exit_to_dispatcher(t, EXIT_JC_MISS);
        return;
    }
    set_pc(t, target);
    exit_to_dispatcher(t, EXIT_UNLINKED);
}

/* Leave for the guest pc in RAX (jalr): jump cache lookup, else the dispatcher. */
static void indirect_exit(tctx *t, unsigned count)
{
    add_count(t, count);
    if (t->link) {
        x_mov(&t->b, 32, XR(RCX), XR(RAX));
        x_shift_imm(&t->b, 32, SH_SHL, XR(RCX), 3);
        x_alu_imm(&t->b, 32, ALU_AND, XR(RCX), (int32_t)((JC_SIZE - 1) << 4));
        int32_t base = JC_OFF(t->flags);
        x_alu(&t->b, 64, ALU_CMP, XR(RAX), XMI(RBP, RCX, 0, base));
        uint8_t *miss = x_jcc8(&t->b, CC_NE);
        x_jmp_ind(&t->b, XMI(RBP, RCX, 0, base + 8));
        x_patch8(miss, x_here(&t->b));
    }
    x_mov(&t->b, 64, XM(RBP, CPU_OFF(pc)), XR(RAX));
    exit_to_dispatcher(t, t->link ? EXIT_JC_MISS_INDIRECT : EXIT_UNLINKED);
}

/* jcc to a cold stub that leaves after `count` instructions (pc already set) */
static void jcc_exit(tctx *t, enum xcc cc, unsigned count)
{
    stub *s = new_stub(t, STUB_EXIT_COUNT);
    s->count = count;
    s->fix = x_jcc32(&t->b, cc);
}

/* ---- loads and stores ---- */

/* RSI = rs1 + imm */
static void effective_address(tctx *t, const rv_insn *d)
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
static uint8_t *tlb_check(tctx *t, unsigned size, enum rv_access acc)
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
    effective_address(t, d);
    unsigned dst = dst_reg(d->rd, RAX);
    uint8_t *miss = tlb_check(t, size, ACC_READ);
    xop m = XM(RSI, 0);
    switch (size) {
    case 1: sign ? x_movsx(b, 8, dst, m) : x_movzx(b, 8, dst, m); break;
    case 2: sign ? x_movsx(b, 16, dst, m) : x_movzx(b, 16, dst, m); break;
    case 4: sign ? x_movsx(b, 32, dst, m) : x_mov(b, 32, XR(dst), m); break;
    default: x_mov(b, 64, XR(dst), m); break;
    }
    stub *s = new_stub(t, STUB_LOAD);
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
    effective_address(t, d);
    uint8_t *miss = tlb_check(t, size, ACC_WRITE);
    xop m = XM(RSI, 0);
    if (val == XNONE)
        x_mov_store_imm(b, size * 8, m, 0);
    else
        x_mov(b, size * 8, m, XR(val));
    stub *s = new_stub(t, STUB_STORE);
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
            direct_exit(t, taken, n);
            return true;
        }
        if (last)
            direct_exit(t, next, n);
        return last;
    }
    if (last) {
        /* both exits here: count once, before the compare */
        add_count(t, n);
        enum xcc c = branch_compare(t, d, cc);
        uint8_t *to_taken = x_jcc32(&t->b, c);
        direct_exit(t, next, 0);
        x_patch32(to_taken, x_here(&t->b));
        direct_exit(t, taken, 0);
        return true;
    }
    /* side exit: cold stub counts and leaves */
    enum xcc c = branch_compare(t, d, cc);
    stub *s = new_stub(t, STUB_SIDE_EXIT);
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
    direct_exit(t, t->pc + (uint64_t)d->imm, t->idx + 1);
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
    indirect_exit(t, t->idx + 1);
}

/* ---- everything else: the interpreter's handler ---- */

static bool writes_memory(const rv_insn *d)
{
    const rv_insn_info *ii = &rv_insn_table[d->op];
    return (ii->flags & RV_F_MEM) && ii->fmt != RV_FMT_LOAD;
}

/* Returns true if the block ends here. */
static bool emit_fallback(tctx *t, const rv_insn *d, bool ends)
{
    xbuf *b = &t->b;
    const rv_insn_info *ii = &rv_insn_table[d->op];
    set_pc(t, t->pc);
    /* the handler reads its sources from rv_cpu */
    if (!(ii->flags & RV_F_FRS1) && mapped(d->rs1) && !jit_host_caller_saved((unsigned)jit_host_reg(d->rs1)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rs1)), gop(d->rs1));
    if (!(ii->flags & RV_F_FRS2) && mapped(d->rs2) && !jit_host_caller_saved((unsigned)jit_host_reg(d->rs2)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rs2)), gop(d->rs2));
    /* rd is reloaded afterwards, also when the handler trapped without writing it */
    if ((ii->flags & RV_F_RD) && d->rd < 32 && mapped(d->rd) &&
        !jit_host_caller_saved((unsigned)jit_host_reg(d->rd)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rd)), gop(d->rd));
    save_caller_saved(t);
    if (ends)
        add_count(t, t->idx + 1);           /* CSR reads of minstret see this one */
    x_lea(b, RDI, XM(RBP, -JIT_BIAS));
    uint64_t dp;
    const rv_insn *stored = &t->blk->insns[t->idx];
    memcpy(&dp, &stored, sizeof(dp));
    x_mov_imm(b, RSI, dp);
    jit_exec_fn fn = ends ? jit_helper_end : writes_memory(d) ? jit_helper_exec_mem :
                     jit_exec_table[d->op];
    uint64_t fa;
    memcpy(&fa, &fn, sizeof(fa));
    x_mov_imm(b, RAX, fa);
    x_call_ind(b, XR(RAX));
    reload_caller_saved(t);
    if ((ii->flags & RV_F_RD) && d->rd < 32 && mapped(d->rd) &&
        !jit_host_caller_saved((unsigned)jit_host_reg(d->rd)))
        x_mov(b, 64, gop(d->rd), XM(RBP, XREG_OFF(d->rd)));
    if (ends) {
        /* pc is set. Unless an interrupt may now be taken, go straight on to the
         * block for pc in the context the hart is in now (which may have changed). */
        if (t->link) {
            x_test(b, 32, XR(RAX), RAX);
            uint8_t *dispatch = x_jcc8(b, CC_NE);
            x_mov(b, 64, XR(RAX), XM(RBP, CPU_OFF(pc)));
            x_mov(b, 32, XR(RCX), XR(RAX));
            x_shift_imm(b, 32, SH_SHL, XR(RCX), 3);
            x_alu_imm(b, 32, ALU_AND, XR(RCX), (int32_t)((JC_SIZE - 1) << 4));
            x_alu(b, 32, ALU_ADD, XR(RCX), XM(RBP, CPU_OFF(jc_cur)));
            x_alu(b, 64, ALU_CMP, XR(RAX), XMI(RBP, RCX, 0, JC_OFF(0)));
            uint8_t *miss = x_jcc8(b, CC_NE);
            x_jmp_ind(b, XMI(RBP, RCX, 0, JC_OFF(0) + 8));
            x_patch8(dispatch, x_here(b));
            x_patch8(miss, x_here(b));
        }
        exit_to_dispatcher(t, EXIT_END_INSN);
        return true;
    }
    x_test(b, 32, XR(RAX), RAX);
    jcc_exit(t, CC_NE, t->idx + 1);
    return false;
}

/* ---- one instruction ---- */

/* Returns true if the block ends with this instruction. */
static bool emit_insn(tctx *t, const rv_insn *d, bool last)
{
    jit *j = t->j;
    switch (d->op) {
    case RV_OP_lui:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_mov_imm(&t->b, tr, (uint64_t)d->imm);
            put(t, d->rd, tr);
        }
        return false;
    case RV_OP_auipc:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            x_mov_imm(&t->b, tr, t->pc + (uint64_t)d->imm);
            put(t, d->rd, tr);
        }
        return false;
    case RV_OP_jal: emit_jal(t, d); return true;
    case RV_OP_jalr: emit_jalr(t, d); return true;
    case RV_OP_beq: return emit_branch(t, d, CC_E, last);
    case RV_OP_bne: return emit_branch(t, d, CC_NE, last);
    case RV_OP_blt: return emit_branch(t, d, CC_L, last);
    case RV_OP_bge: return emit_branch(t, d, CC_GE, last);
    case RV_OP_bltu: return emit_branch(t, d, CC_B, last);
    case RV_OP_bgeu: return emit_branch(t, d, CC_AE, last);
    case RV_OP_lb: emit_load(t, d, 1, true); return false;
    case RV_OP_lh: emit_load(t, d, 2, true); return false;
    case RV_OP_lw: emit_load(t, d, 4, true); return false;
    case RV_OP_ld: emit_load(t, d, 8, false); return false;
    case RV_OP_lbu: emit_load(t, d, 1, false); return false;
    case RV_OP_lhu: emit_load(t, d, 2, false); return false;
    case RV_OP_lwu: emit_load(t, d, 4, false); return false;
    case RV_OP_sb: emit_store(t, d, 1); return false;
    case RV_OP_sh: emit_store(t, d, 2); return false;
    case RV_OP_sw: emit_store(t, d, 4); return false;
    case RV_OP_sd: emit_store(t, d, 8); return false;
    case RV_OP_addi: alu_ri(t, d, ALU_ADD, 64); return false;
    case RV_OP_slti: set_cmp(t, d, CC_L, true); return false;
    case RV_OP_sltiu: set_cmp(t, d, CC_B, true); return false;
    case RV_OP_xori: alu_ri(t, d, ALU_XOR, 64); return false;
    case RV_OP_ori: alu_ri(t, d, ALU_OR, 64); return false;
    case RV_OP_andi: alu_ri(t, d, ALU_AND, 64); return false;
    case RV_OP_slli: shift_imm(t, d, SH_SHL, 64); return false;
    case RV_OP_srli: shift_imm(t, d, SH_SHR, 64); return false;
    case RV_OP_srai: shift_imm(t, d, SH_SAR, 64); return false;
    case RV_OP_add: alu_rr(t, d, ALU_ADD, true, 64); return false;
    case RV_OP_sub: alu_rr(t, d, ALU_SUB, false, 64); return false;
    case RV_OP_sll: shift_reg(t, d, SH_SHL, 64); return false;
    case RV_OP_slt: set_cmp(t, d, CC_L, false); return false;
    case RV_OP_sltu: set_cmp(t, d, CC_B, false); return false;
    case RV_OP_xor: alu_rr(t, d, ALU_XOR, true, 64); return false;
    case RV_OP_srl: shift_reg(t, d, SH_SHR, 64); return false;
    case RV_OP_sra: shift_reg(t, d, SH_SAR, 64); return false;
    case RV_OP_or: alu_rr(t, d, ALU_OR, true, 64); return false;
    case RV_OP_and: alu_rr(t, d, ALU_AND, true, 64); return false;
    case RV_OP_addiw: alu_ri(t, d, ALU_ADD, 32); return false;
    case RV_OP_slliw: shift_imm(t, d, SH_SHL, 32); return false;
    case RV_OP_srliw: shift_imm(t, d, SH_SHR, 32); return false;
    case RV_OP_sraiw: shift_imm(t, d, SH_SAR, 32); return false;
    case RV_OP_addw: alu_rr(t, d, ALU_ADD, true, 32); return false;
    case RV_OP_subw: alu_rr(t, d, ALU_SUB, false, 32); return false;
    case RV_OP_sllw: shift_reg(t, d, SH_SHL, 32); return false;
    case RV_OP_srlw: shift_reg(t, d, SH_SHR, 32); return false;
    case RV_OP_sraw: shift_reg(t, d, SH_SAR, 32); return false;
    case RV_OP_fence:
        if (rv_fence_needs_barrier(d->imm))
            x_mfence(&t->b);
        return false;
    case RV_OP_mul: emit_mul(t, d, 64); return false;
    case RV_OP_mulw: emit_mul(t, d, 32); return false;
    case RV_OP_mulh: emit_mulh(t, d, true, true); return false;
    case RV_OP_mulhsu: emit_mulh(t, d, true, false); return false;
    case RV_OP_mulhu: emit_mulh(t, d, false, false); return false;
    case RV_OP_div: emit_div(t, d, true, false, 64); return false;
    case RV_OP_divu: emit_div(t, d, false, false, 64); return false;
    case RV_OP_rem: emit_div(t, d, true, true, 64); return false;
    case RV_OP_remu: emit_div(t, d, false, true, 64); return false;
    case RV_OP_divw: emit_div(t, d, true, false, 32); return false;
    case RV_OP_divuw: emit_div(t, d, false, false, 32); return false;
    case RV_OP_remw: emit_div(t, d, true, true, 32); return false;
    case RV_OP_remuw: emit_div(t, d, false, true, 32); return false;
    case RV_OP_add_uw: emit_shadd(t, d, 0, true); return false;
    case RV_OP_sh1add: emit_shadd(t, d, 1, false); return false;
    case RV_OP_sh2add: emit_shadd(t, d, 2, false); return false;
    case RV_OP_sh3add: emit_shadd(t, d, 3, false); return false;
    case RV_OP_sh1add_uw: emit_shadd(t, d, 1, true); return false;
    case RV_OP_sh2add_uw: emit_shadd(t, d, 2, true); return false;
    case RV_OP_sh3add_uw: emit_shadd(t, d, 3, true); return false;
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
        return false;
    case RV_OP_andn: emit_logic_not(t, d, ALU_AND, false); return false;
    case RV_OP_orn: emit_logic_not(t, d, ALU_OR, false); return false;
    case RV_OP_xnor: emit_logic_not(t, d, ALU_XOR, true); return false;
    case RV_OP_clz: case RV_OP_clzw:
        if (!j->has_lzcnt)
            break;
        emit_bitcount(t, d, 0xbd, d->op == RV_OP_clz ? 64 : 32);
        return false;
    case RV_OP_ctz: case RV_OP_ctzw:
        if (!j->has_bmi1)
            break;
        emit_bitcount(t, d, 0xbc, d->op == RV_OP_ctz ? 64 : 32);
        return false;
    case RV_OP_cpop: case RV_OP_cpopw:
        if (!j->has_popcnt)
            break;
        emit_bitcount(t, d, 0xb8, d->op == RV_OP_cpop ? 64 : 32);
        return false;
    case RV_OP_max: emit_minmax(t, d, CC_L); return false;
    case RV_OP_maxu: emit_minmax(t, d, CC_B); return false;
    case RV_OP_min: emit_minmax(t, d, CC_G); return false;
    case RV_OP_minu: emit_minmax(t, d, CC_A); return false;
    case RV_OP_sext_b: emit_ext(t, d, 8, true); return false;
    case RV_OP_sext_h: emit_ext(t, d, 16, true); return false;
    case RV_OP_zext_h: emit_ext(t, d, 16, false); return false;
    case RV_OP_rol: emit_rotate(t, d, SH_ROL, 64, false); return false;
    case RV_OP_ror: emit_rotate(t, d, SH_ROR, 64, false); return false;
    case RV_OP_rolw: emit_rotate(t, d, SH_ROL, 32, false); return false;
    case RV_OP_rorw: emit_rotate(t, d, SH_ROR, 32, false); return false;
    case RV_OP_rori: emit_rotate(t, d, SH_ROR, 64, true); return false;
    case RV_OP_roriw: emit_rotate(t, d, SH_ROR, 32, true); return false;
    case RV_OP_rev8:
        if (d->rd < 32) {
            unsigned tr = dst_reg(d->rd, RAX);
            get(t, tr, d->rs1);
            x_bswap(&t->b, 64, tr);
            put(t, d->rd, tr);
        }
        return false;
    case RV_OP_bclr: emit_bitop_reg(t, d, 6); return false;
    case RV_OP_bset: emit_bitop_reg(t, d, 5); return false;
    case RV_OP_binv: emit_bitop_reg(t, d, 7); return false;
    case RV_OP_bclri: emit_bitop_imm(t, d, 6); return false;
    case RV_OP_bseti: emit_bitop_imm(t, d, 5); return false;
    case RV_OP_binvi: emit_bitop_imm(t, d, 7); return false;
    case RV_OP_bext: emit_bext(t, d, false); return false;
    case RV_OP_bexti: emit_bext(t, d, true); return false;
    case RV_OP_czero_eqz: emit_czero(t, d, CC_E); return false;
    case RV_OP_czero_nez: emit_czero(t, d, CC_NE); return false;
    default:
        break;
    }
    const rv_insn_info *ii = &rv_insn_table[d->op];
    bool ends = d->op == RV_OP_ILLEGAL || (ii->flags & (RV_F_END | RV_F_JUMP));
    return emit_fallback(t, d, ends);
}

/* ---- cold code ---- */

static void emit_stubs(tctx *t)
{
    xbuf *b = &t->b;
    jit *j = t->j;
    for (unsigned i = 0; i < t->nstubs && !b->full; i++) {
        stub *s = &t->stubs[i];
        x_patch32(s->fix, x_here(b));
        switch (s->kind) {
        case STUB_UNLINKED: {
            /* an exit not linked (yet): tell the dispatcher which exit it was */
            jit_exit *e = &t->exits[s->kind_arg];
            e->stub = x_here(b);
            set_pc(t, s->target);
            uint64_t ep;
            memcpy(&ep, &e, sizeof(ep));
            x_mov_imm(b, RAX, ep);
            jmp_to(t, jit_rw(j, j->epilogue));
            break;
        }
        case STUB_SIDE_EXIT:                 /* taken conditional branch mid-block */
            t->pc = s->pc;
            direct_exit(t, s->target, s->count);
            break;
        case STUB_EXIT_COUNT:
            add_count(t, s->count);
            exit_to_dispatcher(t, EXIT_TRAP);
            break;
        case STUB_LOAD: {
            save_caller_saved(t);
            x_lea(b, RDI, XM(RBP, -JIT_BIAS));
            x_mov_imm(b, RDX, s->pc);
            x_mov_imm(b, RCX, s->kind_arg);
            call_helper(t, (const void *)jit_helper_load);
            reload_caller_saved(t);
            x_test(b, 64, XR(RDX), RDX);
            uint8_t *ok = x_jcc8(b, CC_E);
            add_count(t, s->count);
            exit_to_dispatcher(t, EXIT_TRAP);
            x_patch8(ok, x_here(b));
            if (s->dst != RAX)
                x_mov(b, 64, XR(s->dst), XR(RAX));
            jmp_to(t, s->ret);
            break;
        }
        case STUB_STORE: {
            save_caller_saved(t);
            if (s->val == XNONE)
                x_mov_imm(b, RDX, 0);
            else
                x_mov(b, 64, XR(RDX), XR(s->val));
            x_lea(b, RDI, XM(RBP, -JIT_BIAS));
            x_mov_imm(b, RCX, s->pc);
            x_mov_imm(b, R8, s->kind_arg);
            call_helper(t, (const void *)jit_helper_store);
            reload_caller_saved(t);
            x_test(b, 32, XR(RAX), RAX);
            uint8_t *ok = x_jcc8(b, CC_E);
            add_count(t, s->count);
            exit_to_dispatcher(t, EXIT_TRAP);
            x_patch8(ok, x_here(b));
            jmp_to(t, s->ret);
            break;
        }
        }
    }
}

/* ---- the block ---- */

static void log_guest_block(jit_block *blk)
{
    log_printf("IN: [jit] %016llx (%u instructions)\n", (unsigned long long)blk->vpc, blk->ninsns);
    uint64_t pc = blk->vpc;
    for (unsigned i = 0; i < blk->ninsns; i++) {
        char buf[96];
        rv_disas(&blk->insns[i], pc, buf, sizeof(buf));
        log_printf("  %016llx: %0*x  %s\n", (unsigned long long)pc,
                   blk->insns[i].len == 2 ? 4 : 8, blk->insns[i].raw, buf);
        pc += blk->insns[i].len;
    }
}

jit_block *jit_translate(jit *j, uint64_t vpc, uint64_t ppc, const uint8_t *host,
                         uint32_t flags, bool *full)
{
    *full = false;
    unsigned max = j->opt.max_block ? j->opt.max_block : JIT_MAX_BLOCK;
    if (max > JIT_MAX_BLOCK)
        max = JIT_MAX_BLOCK;

    /* decode first: the block's extent */
    rv_insn insns[JIT_MAX_BLOCK];
    unsigned n, bytes;
    uint64_t page_left = 0x1000 - (vpc & 0xfff);
    uint8_t copy[JIT_MAX_BLOCK * 4];
decode:
    /* decode from a copy, which is compared with memory after marking it */
    memcpy(copy, host, page_left < sizeof(copy) ? page_left : sizeof(copy));
    n = bytes = 0;
    while (n < max) {
        if (bytes + 2 > page_left)
            break;
        if (bytes + 2 > sizeof(copy))
            break;
        uint16_t lo;
        memcpy(&lo, copy + bytes, 2);
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            if (bytes + 4 > page_left)
                break;                      /* crosses into the next page */
            if (bytes + 4 > sizeof(copy))
                break;
            uint16_t hi;
            memcpy(&hi, copy + bytes + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        rv_decode(raw, &insns[n]);
        const rv_insn_info *ii = &rv_insn_table[insns[n].op];
        bytes += insns[n].len;
        n++;
        if (insns[n - 1].op == RV_OP_ILLEGAL || (ii->flags & (RV_F_END)) ||
            insns[n - 1].op == RV_OP_jal || insns[n - 1].op == RV_OP_jalr)
            break;
    }
    if (n == 0)
        return NULL;                        /* first instruction straddles the page */
    /* Mark the code before using what was read: a write that lands after the marks
     * reaches jit_code_written (which waits for our lock); one that landed before
     * them shows up as a difference from what we decoded. */
    jit_protect_code(j, ppc, bytes);
    if (memcmp(copy, host, bytes) != 0)
        goto decode;

    jit_block *blk = jit_alloc(j, sizeof(*blk));
    blk->vpc = vpc;
    blk->ppc = ppc;
    blk->flags = flags;
    blk->ninsns = (uint16_t)n;
    blk->guest_bytes = (uint16_t)bytes;
    blk->insns = jit_alloc(j, sizeof(rv_insn) * n);
    memcpy(blk->insns, insns, sizeof(rv_insn) * n);
    blk->host_off = jit_alloc(j, sizeof(uint32_t) * (n + 1));

    /* exits: at most two per conditional branch that ends the block, plus one */
    unsigned max_exits = 2;
    for (unsigned i = 0; i < n; i++)
        if (rv_insn_table[insns[i].op].fmt == RV_FMT_B)
            max_exits++;
    blk->exits = jit_alloc(j, sizeof(jit_exit) * max_exits);

    static __thread tctx tc;               /* big (stubs); one translation per thread */
    tctx *t = &tc;
    memset(t, 0, offsetof(tctx, stubs));
    t->nstubs = 0;
    t->nexits = 0;
    t->overflow = false;
    t->j = j;
    t->blk = blk;
    t->flags = flags;
    t->data_ctx = flags >> 2;
    t->link = !j->opt.no_chain && !j->opt.check;
    t->exits = blk->exits;
    t->max_exits = max_exits;

    /* the block pointer sits just before the code, for jump-cache hits */
    size_t start = (j->used + 15) & ~(size_t)15;
    if (start + 16 > j->size) {
        *full = true;
        return NULL;
    }
    xb_init(&t->b, j->rw + start + 8, j->rw + j->size);
    memcpy(j->rw + start, &blk, sizeof(blk));
    uint8_t *entry = t->b.p;

    /* interrupts and pause requests: looked at on every block entry */
    x_alu_imm(&t->b, 32, ALU_CMP, XM(RBP, CPU_OFF(kick)), 0);
    uint8_t *kick = x_jcc32(&t->b, CC_NE);

    uint64_t pc = vpc;
    bool ended = false;
    unsigned done = 0;
    while (done < n && !ended) {
        t->pc = pc;
        t->idx = done;
        t->d = &blk->insns[done];
        blk->host_off[done] = (uint32_t)(t->b.p - entry);
        ended = emit_insn(t, &blk->insns[done], done == n - 1);
        pc += blk->insns[done].len;
        done++;
    }
    if (!ended) {
        t->pc = pc;
        t->idx = n - 1;
        direct_exit(t, pc, n);
    }
    /* an always-taken branch may have ended the block early */
    blk->ninsns = (uint16_t)done;
    blk->guest_bytes = (uint16_t)(pc - vpc);
    blk->host_off[done] = (uint32_t)(t->b.p - entry);

    /* cold code: the kick exit (nothing has run, so pc is the block's start), then
     * the stubs */
    x_patch32(kick, x_here(&t->b));
    set_pc(t, vpc);
    exit_to_dispatcher(t, EXIT_KICK);
    emit_stubs(t);
    blk->nexits = (uint16_t)t->nexits;

    if (t->b.full) {
        *full = true;
        return NULL;
    }
    if (t->overflow)
        return NULL;
    blk->code = jit_rx(j, entry);
    blk->code_size = (uint32_t)(t->b.p - entry);
    j->used = (size_t)(t->b.p - j->rw);
    j->stats.blocks_translated++;
    j->stats.guest_insns_translated += n;
    j->stats.host_bytes += blk->code_size;
    if (log_enabled(LOG_IN_ASM))
        log_guest_block(blk);
    if (log_enabled(LOG_OUT_ASM))
        jit_log_block(j, blk);
    return blk;
}
