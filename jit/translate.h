/*
 * What the translator's front-end files share (translate.c: blocks, exits, calls,
 * cold code; translate_int.c: integer, memory and control-flow instructions;
 * translate_fp.c: floating point): the translation context, the cold-code stubs, and
 * the small helpers for guest registers.
 */
#ifndef TERN_JIT_TRANSLATE_H
#define TERN_JIT_TRANSLATE_H

#include "jit/jit_internal.h"

enum stub_kind {
    STUB_LOAD, STUB_STORE, STUB_EXIT_COUNT, STUB_SIDE_EXIT, STUB_UNLINKED, STUB_CALL,
    STUB_FP_NAN, STUB_FP_FLAGS,     /* translate_fp.c */
};

typedef struct stub {
    enum stub_kind kind;
    uint8_t *fix;                   /* rel32 in hot code that jumps here */
    uint8_t *fix2;                  /* a second one, or NULL */
    uint8_t *ret;                   /* hot code to continue at */
    uint64_t pc;                    /* guest pc of the instruction */
    uint64_t target;                /* exits: where it goes */
    unsigned count;                 /* instructions retired when leaving through here */
    unsigned kind_arg;              /* load/store size and flags; STUB_UNLINKED: exit */
    uint8_t dst, val;               /* load result / store value register (XNONE: zero) */
    bool ret_after;                 /* STUB_CALL: continue after the instruction's code
                                       (ret is filled in by tr_end_insn) */
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
    bool fs_dirtied;                /* mstatus.FS already set dirty in this block */
    jit_exit *exits;                /* the block's, room for max_exits */
    unsigned nexits, max_exits;
    bool overflow;                  /* ran out of stubs or exits */
} tctx;

/* kind bits for loads/stores: size in the low byte */
#define K_SIGNED 0x100

stub *tr_new_stub(tctx *t, enum stub_kind kind);

/* ---- guest register access ---- */

static inline xop gop(unsigned r)
{
    int h = jit_host_reg(r);
    return h >= 0 ? XR((unsigned)h) : XM(RBP, XREG_OFF(r));
}

static inline bool mapped(unsigned r) { return jit_host_reg(r) >= 0; }

/* host register h = guest register r */
static inline void get(tctx *t, unsigned h, unsigned r)
{
    if (r == 0)
        x_mov_imm(&t->b, h, 0);
    else if (jit_host_reg(r) != (int)h)
        x_mov(&t->b, 64, XR(h), gop(r));
}

/* guest register rd = host register h (rd 0 or 32 is x0: dropped) */
static inline void put(tctx *t, unsigned rd, unsigned h)
{
    if (rd == 0 || rd >= 32)
        return;
    if (jit_host_reg(rd) != (int)h)
        x_mov(&t->b, 64, gop(rd), XR(h));
}

/* where to compute a result for rd: its own host register, or the scratch */
static inline unsigned dst_reg(unsigned rd, unsigned scratch)
{
    int h = jit_host_reg(rd);
    return h >= 0 ? (unsigned)h : scratch;
}

/* a register holding guest register r: its host register, or r loaded into scratch */
static inline unsigned in_reg(tctx *t, unsigned r, unsigned scratch)
{
    int h = jit_host_reg(r);
    if (h >= 0 && r != 0)
        return (unsigned)h;
    get(t, scratch, r);
    return scratch;
}

/* ---- shared code pieces (translate.c) ---- */

void tr_set_pc(tctx *t, uint64_t pc);
void tr_add_count(tctx *t, unsigned n);
void tr_jmp_to(tctx *t, const uint8_t *target_rw);
/* Return to the dispatcher with pc already set; `why` (enum jit_exit_why) is counted. */
void tr_exit_to_dispatcher(tctx *t, unsigned why);
void tr_save_caller_saved(tctx *t);
void tr_reload_caller_saved(tctx *t);
void tr_call_helper(tctx *t, const void *fn);
/* Leave for guest pc `target` after `count` instructions in total. */
void tr_direct_exit(tctx *t, uint64_t target, unsigned count);
/* Leave for the guest pc in RAX (jalr). */
void tr_indirect_exit(tctx *t, unsigned count);
/* jcc to a cold stub that leaves after `count` instructions (pc already set) */
void tr_jcc_exit(tctx *t, enum xcc cc, unsigned count);
/* jcc to a cold stub that runs this instruction's handler instead and comes back
 * after the instruction's native code */
stub *tr_jcc_handler(tctx *t, enum xcc cc);

/* ---- instruction groups: 1 handled and the block ends, 0 handled, -1 not handled ---- */

int tr_insn_int(tctx *t, const rv_insn *d, bool last);
int tr_insn_fp(tctx *t, const rv_insn *d);
/* the cold code of translate_fp.c's stubs */
void tr_emit_fp_stub(tctx *t, stub *s);
/* loads and stores, shared by integer and FP (translate_int.c) */
void tr_effective_address(tctx *t, const rv_insn *d);
uint8_t *tr_tlb_check(tctx *t, unsigned size, enum rv_access acc);

#endif
