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
#include "jit/translate.h"
#include "cpu/riscv/debug.h"
#include <stdatomic.h>
#include "core/log.h"
#include <string.h>

stub *tr_new_stub(tctx *t, enum stub_kind kind)
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

void tr_set_pc(tctx *t, uint64_t pc)
{
    if (fits_i32((int64_t)pc)) {
        x_mov_store_imm(&t->b, 64, XM(RBP, CPU_OFF(pc)), (int32_t)pc);
    } else {
        x_mov_imm(&t->b, RAX, pc);
        x_mov(&t->b, 64, XM(RBP, CPU_OFF(pc)), XR(RAX));
    }
}

void tr_add_count(tctx *t, unsigned n)
{
    if (n)
        x_alu_imm(&t->b, 64, ALU_ADD, XM(RBP, CPU_OFF(insn_count)), (int32_t)n);
}

void tr_jmp_to(tctx *t, const uint8_t *target_rw)
{
    x_patch32(x_jmp32(&t->b), target_rw);
}

void tr_exit_to_dispatcher(tctx *t, unsigned why)
{
    x_mov_imm(&t->b, RAX, why);
    tr_jmp_to(t, jit_rw(t->j, t->j->epilogue));
}

void tr_save_caller_saved(tctx *t)
{
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        if (jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(&t->b, 64, XM(RBP, XREG_OFF(jit_mapped_guest[i])), XR(jit_mapped_host[i]));
}

void tr_reload_caller_saved(tctx *t)
{
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        if (jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(&t->b, 64, XR(jit_mapped_host[i]), XM(RBP, XREG_OFF(jit_mapped_guest[i])));
}

void tr_call_helper(tctx *t, const void *fn)
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
void tr_direct_exit(tctx *t, uint64_t target, unsigned count)
{
    tr_add_count(t, count);
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
        stub *s = tr_new_stub(t, STUB_UNLINKED);
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
        tr_exit_to_dispatcher(t, EXIT_JC_MISS);
        return;
    }
    tr_set_pc(t, target);
    tr_exit_to_dispatcher(t, EXIT_UNLINKED);
}

/* Leave for the guest pc in RAX (jalr): jump cache lookup, else the dispatcher. */
void tr_indirect_exit(tctx *t, unsigned count)
{
    tr_add_count(t, count);
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
    tr_exit_to_dispatcher(t, t->link ? EXIT_JC_MISS_INDIRECT : EXIT_UNLINKED);
}

/* jcc to a cold stub that leaves after `count` instructions (pc already set) */
void tr_jcc_exit(tctx *t, enum xcc cc, unsigned count)
{
    stub *s = tr_new_stub(t, STUB_EXIT_COUNT);
    s->count = count;
    s->fix = x_jcc32(&t->b, cc);
}

/* ---- everything else: the interpreter's handler ---- */

static bool writes_memory(const rv_insn *d)
{
    const rv_insn_info *ii = &rv_insn_table[d->op];
    return (ii->flags & RV_F_MEM) && ii->fmt != RV_FMT_LOAD;
}

/* Call fn (a handler's signature) for instruction idx at guest pc, with its sources
 * in rv_cpu before and its destination reloaded after; leaves the result in EAX. */
static void emit_handler_call(tctx *t, const rv_insn *d, unsigned idx, uint64_t pc, jit_exec_fn fn,
                              unsigned count_before)
{
    xbuf *b = &t->b;
    const rv_insn_info *ii = &rv_insn_table[d->op];
    tr_set_pc(t, pc);
    /* the handler reads its sources from rv_cpu */
    if (!(ii->flags & RV_F_FRS1) && mapped(d->rs1) && !jit_host_caller_saved((unsigned)jit_host_reg(d->rs1)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rs1)), gop(d->rs1));
    if (!(ii->flags & RV_F_FRS2) && mapped(d->rs2) && !jit_host_caller_saved((unsigned)jit_host_reg(d->rs2)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rs2)), gop(d->rs2));
    /* rd is reloaded afterwards, also when the handler trapped without writing it */
    if ((ii->flags & RV_F_RD) && d->rd < 32 && mapped(d->rd) &&
        !jit_host_caller_saved((unsigned)jit_host_reg(d->rd)))
        x_mov(b, 64, XM(RBP, XREG_OFF(d->rd)), gop(d->rd));
    tr_save_caller_saved(t);
    /* ebreak may be a semihosting call, which reads a0/a1 in rv_cpu and sets a0 there:
     * the callee-saved host registers go out and come back too */
    bool all = d->op == RV_OP_ebreak;
    for (unsigned i = 0; all && i < JIT_NMAPPED; i++)
        if (!jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(b, 64, XM(RBP, XREG_OFF(jit_mapped_guest[i])), XR(jit_mapped_host[i]));
    tr_add_count(t, count_before);
    x_lea(b, RDI, XM(RBP, -JIT_BIAS));
    uint64_t dp;
    const rv_insn *stored = &t->blk->insns[idx];
    memcpy(&dp, &stored, sizeof(dp));
    x_mov_imm(b, RSI, dp);
    tr_call_helper(t, (const void *)fn);
    tr_reload_caller_saved(t);
    for (unsigned i = 0; all && i < JIT_NMAPPED; i++)
        if (!jit_host_caller_saved(jit_mapped_host[i]))
            x_mov(b, 64, XR(jit_mapped_host[i]), XM(RBP, XREG_OFF(jit_mapped_guest[i])));
    if ((ii->flags & RV_F_RD) && d->rd < 32 && mapped(d->rd) &&
        !jit_host_caller_saved((unsigned)jit_host_reg(d->rd)))
        x_mov(b, 64, gop(d->rd), XM(RBP, XREG_OFF(d->rd)));
}

static jit_exec_fn handler_for(const rv_insn *d)
{
    return writes_memory(d) ? jit_helper_exec_mem : jit_exec_table[d->op];
}

stub *tr_jcc_handler(tctx *t, enum xcc cc)
{
    stub *s = tr_new_stub(t, STUB_CALL);
    s->fix = x_jcc32(&t->b, cc);
    s->kind_arg = t->idx;
    s->ret_after = true;
    s->ret = NULL;
    return s;
}

/* Returns true if the block ends here. */
static bool emit_fallback(tctx *t, const rv_insn *d, bool ends)
{
    xbuf *b = &t->b;
    /* CSR reads of minstret in an instruction that ends the block see it counted */
    emit_handler_call(t, d, t->idx, t->pc, ends ? jit_helper_end : handler_for(d), ends ? t->idx + 1 : 0);
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
        tr_exit_to_dispatcher(t, EXIT_END_INSN);
        return true;
    }
    x_test(b, 32, XR(RAX), RAX);
    tr_jcc_exit(t, CC_NE, t->idx + 1);
    return false;
}

/* ---- one instruction ---- */

/* Returns true if the block ends with this instruction. */
static bool emit_insn(tctx *t, const rv_insn *d, bool last)
{
    int r = tr_insn_int(t, d, last);
    if (r < 0)
        r = tr_insn_fp(t, d);
    if (r >= 0)
        return r > 0;
    const rv_insn_info *ii = &rv_insn_table[d->op];
    bool ends = d->op == RV_OP_ILLEGAL || (ii->flags & (RV_F_END | RV_F_JUMP));
    return emit_fallback(t, d, ends);
}

/* ---- cold code ---- */

/* After a helper call: if `reg` (of `width`) is non-zero the helper left pc set for a
 * trap (or a store that dropped code): leave, counting the instruction. */
static void leave_if_set(tctx *t, const stub *s, unsigned width, unsigned reg)
{
    xbuf *b = &t->b;
    x_test(b, width, XR(reg), reg);
    uint8_t *ok = x_jcc8(b, CC_E);
    tr_add_count(t, s->count);
    tr_exit_to_dispatcher(t, EXIT_TRAP);
    x_patch8(ok, x_here(b));
}

static void emit_stubs(tctx *t)
{
    xbuf *b = &t->b;
    jit *j = t->j;
    for (unsigned i = 0; i < t->nstubs && !b->full; i++) {
        stub *s = &t->stubs[i];
        x_patch32(s->fix, x_here(b));
        if (s->fix2)
            x_patch32(s->fix2, x_here(b));
        switch (s->kind) {
        case STUB_FP_NAN:
        case STUB_FP_FLAGS:
            tr_emit_fp_stub(t, s);
            break;
        case STUB_UNLINKED: {
            /* an exit not linked (yet): tell the dispatcher which exit it was */
            jit_exit *e = &t->exits[s->kind_arg];
            e->stub = x_here(b);
            tr_set_pc(t, s->target);
            uint64_t ep;
            memcpy(&ep, &e, sizeof(ep));
            x_mov_imm(b, RAX, ep);
            tr_jmp_to(t, jit_rw(j, j->epilogue));
            break;
        }
        case STUB_SIDE_EXIT:                 /* taken conditional branch mid-block */
            t->pc = s->pc;
            tr_direct_exit(t, s->target, s->count);
            break;
        case STUB_EXIT_COUNT:
            tr_add_count(t, s->count);
            tr_exit_to_dispatcher(t, EXIT_TRAP);
            break;
        case STUB_CALL: {
            /* the instruction's handler instead of its native code, then back */
            const rv_insn *d = &t->blk->insns[s->kind_arg];
            emit_handler_call(t, d, s->kind_arg, s->pc, handler_for(d), 0);
            leave_if_set(t, s, 32, RAX);
            tr_jmp_to(t, s->ret);
            break;
        }
        case STUB_LOAD: {
            tr_save_caller_saved(t);
            x_lea(b, RDI, XM(RBP, -JIT_BIAS));
            x_mov_imm(b, RDX, s->pc);
            x_mov_imm(b, RCX, s->kind_arg);
            tr_call_helper(t, (const void *)jit_helper_load);
            tr_reload_caller_saved(t);
            leave_if_set(t, s, 64, RDX);
            if (s->dst != RAX)
                x_mov(b, 64, XR(s->dst), XR(RAX));
            tr_jmp_to(t, s->ret);
            break;
        }
        case STUB_STORE: {
            tr_save_caller_saved(t);
            if (s->val == XNONE)
                x_mov_imm(b, RDX, 0);
            else
                x_mov(b, 64, XR(RDX), XR(s->val));
            x_lea(b, RDI, XM(RBP, -JIT_BIAS));
            x_mov_imm(b, RCX, s->pc);
            x_mov_imm(b, R8, s->kind_arg);
            tr_call_helper(t, (const void *)jit_helper_store);
            tr_reload_caller_saved(t);
            leave_if_set(t, s, 32, RAX);
            tr_jmp_to(t, s->ret);
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
    bool dbg = atomic_load_explicit(&j->debug, memory_order_relaxed);
    while (n < max) {
        if (bytes + 2 > page_left)
            break;
        /* a breakpoint: the block ends before it, and the dispatcher stops there */
        if (dbg && n > 0 && rv_dbg_bp_at(vpc + bytes))
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
    t->fs_dirtied = false;
    t->j = j;
    t->blk = blk;
    t->flags = flags;
    t->data_ctx = flags >> 2;
    /* with breakpoints set every block goes back to the dispatcher, which looks */
    t->link = !j->opt.no_chain && !j->opt.check && !dbg;
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
        unsigned first_stub = t->nstubs;
        ended = emit_insn(t, &blk->insns[done], done == n - 1);
        for (unsigned k = first_stub; k < t->nstubs; k++)
            if (t->stubs[k].ret_after && !t->stubs[k].ret)
                t->stubs[k].ret = x_here(&t->b);
        pc += blk->insns[done].len;
        done++;
    }
    if (!ended) {
        t->pc = pc;
        t->idx = n - 1;
        tr_direct_exit(t, pc, n);
    }
    /* an always-taken branch may have ended the block early */
    blk->ninsns = (uint16_t)done;
    blk->guest_bytes = (uint16_t)(pc - vpc);
    blk->host_off[done] = (uint32_t)(t->b.p - entry);

    /* cold code: the kick exit (nothing has run, so pc is the block's start), then
     * the stubs */
    x_patch32(kick, x_here(&t->b));
    tr_set_pc(t, vpc);
    tr_exit_to_dispatcher(t, EXIT_KICK);
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
