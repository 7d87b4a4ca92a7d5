/*
 * Decoded RISC-V instructions: the enum of opcodes and flags generated from insn.def,
 * the decoded-instruction record shared by the interpreter, disassembler and tracer,
 * and the decoder entry points.
 */
#ifndef TERN_RISCV_INSN_H
#define TERN_RISCV_INSN_H

#include <stdint.h>
#include <stddef.h>

enum rv_fmt {
    RV_FMT_R, RV_FMT_R1, RV_FMT_R4, RV_FMT_I, RV_FMT_SH, RV_FMT_LOAD, RV_FMT_STORE,
    RV_FMT_B, RV_FMT_U, RV_FMT_J, RV_FMT_CSR, RV_FMT_CSRI, RV_FMT_NONE, RV_FMT_FENCE,
    RV_FMT_SFENCE, RV_FMT_AMO, RV_FMT_LR,
};

/* Row flags. RD/FRD: destination register class; FRSn: source read from FP file. */
enum {
    RV_F_RD   = 1u << 0,   /* writes an integer rd */
    RV_F_FRD  = 1u << 1,   /* writes an FP rd */
    RV_F_FRS1 = 1u << 2,
    RV_F_FRS2 = 1u << 3,
    RV_F_FRS3 = 1u << 4,
    RV_F_RM   = 1u << 5,   /* has a rounding-mode field */
    RV_F_FP   = 1u << 6,   /* needs mstatus.FS != Off */
    RV_F_MEM  = 1u << 7,   /* accesses memory */
    RV_F_JUMP = 1u << 8,   /* may change control flow: ends a block */
    RV_F_END  = 1u << 9,   /* changes machine state the translator must not cache across */
};

enum rv_op {
#define INSN(id, mn, mask, match, fmt, flags) RV_OP_##id,
#include "cpu/riscv/insn.def"
#undef INSN
    RV_OP_COUNT,
    RV_OP_ILLEGAL = RV_OP_COUNT,
};

typedef struct rv_insn_info {
    const char *name;
    uint32_t mask, match;
    uint8_t fmt;
    uint16_t flags;
} rv_insn_info;

extern const rv_insn_info rv_insn_table[RV_OP_COUNT + 1];

/*
 * One decoded instruction. An integer destination x0 is decoded as register 32, a
 * scratch slot, so handlers never test for x0 (the architectural rd is in `raw`).
 */
typedef struct rv_insn {
    uint32_t raw;       /* instruction bits as fetched (16 bits for compressed) */
    uint16_t op;        /* enum rv_op, RV_OP_ILLEGAL if undecodable */
    uint8_t len;        /* 2 or 4 */
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;         /* rounding mode / funct3 */
    int64_t imm;        /* immediate, CSR number, or shift amount */
} rv_insn;

/* Expand a 16-bit compressed instruction to its 32-bit equivalent; 0 if illegal. */
uint32_t rvc_expand(uint16_t c);

/* Extensions turned off with -cpu (their instructions decode as illegal); set before
 * any hart runs. */
enum { RV_EXT_OFF_ZBA = 1, RV_EXT_OFF_ZBB = 2, RV_EXT_OFF_ZBS = 4, RV_EXT_OFF_ZICOND = 8 };
extern uint32_t rv_ext_off;

/* Decode instruction bits (a compressed one in the low 16 bits). Always fills *d. */
void rv_decode(uint32_t raw, rv_insn *d);

/* Architectural destination register (0..31) of a decoded instruction. */
static inline unsigned rv_insn_rd(const rv_insn *d) { return d->rd & 31; }

/*
 * Disassemble in GNU objdump's spelling (aliases such as li, mv, ret, j, csrr).
 * `pc` resolves branch targets. Returns the length written (excluding NUL).
 */
int rv_disas(const rv_insn *d, uint64_t pc, char *buf, size_t size);

const char *rv_csr_name(unsigned csr);
extern const char *const rv_xreg_name[32];
extern const char *const rv_freg_name[32];

#endif
