/*
 * The RISC-V decoder: the instruction table materialised from insn.def, an index of
 * rows by major opcode, and field extraction by operand format.
 */
#include "cpu/riscv/insn.h"
#include <pthread.h>

const rv_insn_info rv_insn_table[RV_OP_COUNT + 1] = {
#define INSN(id, mn, mk, mt, fm, fl) \
    [RV_OP_##id] = { mn, mk, mt, RV_FMT_##fm, (fl) },
#define RD RV_F_RD
#define FRD RV_F_FRD
#define FRS1 RV_F_FRS1
#define FRS2 RV_F_FRS2
#define FRS3 RV_F_FRS3
#define RM RV_F_RM
#define FP RV_F_FP
#define MEM RV_F_MEM
#define JUMP RV_F_JUMP
#define END RV_F_END
#include "cpu/riscv/insn.def"
#undef RD
#undef FRD
#undef FRS1
#undef FRS2
#undef FRS3
#undef RM
#undef FP
#undef MEM
#undef JUMP
#undef END
#undef INSN
    [RV_OP_ILLEGAL] = { "unknown", 0, 0, RV_FMT_NONE, 0 },
};

/* Rows grouped by the 5-bit major opcode (bits 6:2), so a lookup scans a few rows. */
static uint16_t by_major[32][64];
static uint8_t by_major_count[32];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    for (unsigned op = 0; op < RV_OP_COUNT; op++) {
        unsigned major = (rv_insn_table[op].match >> 2) & 31;
        by_major[major][by_major_count[major]++] = op;
    }
}

static inline int64_t sext(uint64_t v, unsigned bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static unsigned lookup(uint32_t raw)
{
    if ((raw & 3) != 3)
        return RV_OP_ILLEGAL;
    unsigned major = (raw >> 2) & 31;
    for (unsigned k = 0; k < by_major_count[major]; k++) {
        unsigned op = by_major[major][k];
        if ((raw & rv_insn_table[op].mask) == rv_insn_table[op].match)
            return op;
    }
    return RV_OP_ILLEGAL;
}

#include <stdbool.h>
/* extensions -cpu turned off (RV_EXT_OFF_*), the same for every hart of the machine */
uint32_t rv_ext_off;

static bool disabled(unsigned op)
{
    return ((rv_ext_off & RV_EXT_OFF_ZBA) && op >= RV_OP_add_uw && op <= RV_OP_slli_uw) ||
           ((rv_ext_off & RV_EXT_OFF_ZBB) && op >= RV_OP_andn && op <= RV_OP_rev8) ||
           ((rv_ext_off & RV_EXT_OFF_ZBS) && op >= RV_OP_bclr && op <= RV_OP_bseti) ||
           ((rv_ext_off & RV_EXT_OFF_ZICOND) && op >= RV_OP_czero_eqz && op <= RV_OP_czero_nez);
}

void rv_decode(uint32_t raw, rv_insn *d)
{
    pthread_once(&index_once, build_index);
    uint32_t w = raw;
    d->len = 4;
    if ((raw & 3) != 3) {
        raw &= 0xffff;
        d->len = 2;
        w = rvc_expand((uint16_t)raw);
    }
    d->raw = raw;
    unsigned op = w ? lookup(w) : RV_OP_ILLEGAL;
    if (rv_ext_off && disabled(op))
        op = RV_OP_ILLEGAL;
    d->op = op;
    d->rd = (w >> 7) & 31;
    d->rs1 = (w >> 15) & 31;
    d->rs2 = (w >> 20) & 31;
    d->rs3 = (w >> 27) & 31;
    d->rm = (w >> 12) & 7;
    d->imm = 0;
    if (op == RV_OP_ILLEGAL)
        return;
    const rv_insn_info *ii = &rv_insn_table[op];
    switch (ii->fmt) {
    case RV_FMT_I: case RV_FMT_LOAD:
        d->imm = sext(w >> 20, 12);
        break;
    case RV_FMT_STORE:
        d->imm = sext(((w >> 25) << 5) | ((w >> 7) & 31), 12);
        break;
    case RV_FMT_B:
        d->imm = sext((((w >> 31) & 1) << 12) | (((w >> 7) & 1) << 11) |
                      (((w >> 25) & 0x3f) << 5) | (((w >> 8) & 0xf) << 1), 13);
        break;
    case RV_FMT_U:
        d->imm = sext(w & 0xfffff000u, 32);
        break;
    case RV_FMT_J:
        d->imm = sext((((w >> 31) & 1) << 20) | (((w >> 12) & 0xff) << 12) |
                      (((w >> 20) & 1) << 11) | (((w >> 21) & 0x3ff) << 1), 21);
        break;
    case RV_FMT_SH:
        d->imm = (w >> 20) & 63;
        break;
    case RV_FMT_CSR: case RV_FMT_CSRI:
        d->imm = w >> 20;
        break;
    case RV_FMT_FENCE:
        d->imm = (w >> 20) & 0xfff;
        break;
    default:
        break;
    }
    /* Integer writes to x0 go to the scratch slot 32 so handlers need no x0 test. */
    if ((ii->flags & RV_F_RD) && d->rd == 0)
        d->rd = 32;
}
