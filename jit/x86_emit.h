/*
 * An x86-64 instruction encoder for the translator: just the instructions the RISC-V
 * front end needs, each a small function that appends its bytes to an xbuf. Operands
 * are registers or memory references [base + index*scale + disp]; the encoder picks
 * the short forms (disp8, imm8) itself. A full buffer sets `full` and stops writing,
 * so callers check once per block rather than per instruction.
 */
#ifndef TERN_X86_EMIT_H
#define TERN_X86_EMIT_H

#include <stdint.h>
#include <stdbool.h>

enum xreg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    XNONE = 0xff,
};

/* condition codes (the low nibble of Jcc/SETcc/CMOVcc) */
enum xcc {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

/* group-1 ALU operations (the /digit of 0x81) */
enum xalu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
/* group-2 shifts and rotates (the /digit of 0xC1) */
enum xshift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

typedef struct xbuf {
    uint8_t *p;        /* next byte to write */
    uint8_t *start;
    uint8_t *end;
    bool full;
} xbuf;

/* A register or memory operand. */
typedef struct xop {
    bool mem;
    uint8_t reg;       /* register, or memory base (XNONE: none) */
    uint8_t index;     /* memory index register or XNONE */
    uint8_t scale;     /* 0..3 (x1, x2, x4, x8) */
    int32_t disp;
} xop;

static inline xop XR(unsigned r) { return (xop){ .mem = false, .reg = (uint8_t)r, .index = XNONE }; }
static inline xop XM(unsigned base, int32_t disp)
{
    return (xop){ .mem = true, .reg = (uint8_t)base, .index = XNONE, .disp = disp };
}
static inline xop XMI(unsigned base, unsigned index, unsigned scale, int32_t disp)
{
    return (xop){ .mem = true, .reg = (uint8_t)base, .index = (uint8_t)index,
                  .scale = (uint8_t)scale, .disp = disp };
}

void xb_init(xbuf *b, uint8_t *start, uint8_t *end);
void x_byte(xbuf *b, uint8_t v);
void x_u32(xbuf *b, uint32_t v);
void x_u64(xbuf *b, uint64_t v);
static inline uint8_t *x_here(xbuf *b) { return b->p; }
/* pad with multi-byte NOPs until the address is `align`-aligned plus `offset` */
void x_align(xbuf *b, unsigned align, unsigned offset);

/* width: 8, 16, 32 or 64 bits; moves of 8/16 bits are only used for stores */
void x_mov(xbuf *b, unsigned width, xop dst, xop src);           /* one must be a register */
void x_mov_imm(xbuf *b, unsigned reg, uint64_t imm);            /* shortest form; no flags */
void x_mov_store_imm(xbuf *b, unsigned width, xop dst, int32_t imm);
void x_movzx(xbuf *b, unsigned from_width, unsigned dst, xop src);  /* 8/16 -> 32 (zero 64) */
void x_movsx(xbuf *b, unsigned from_width, unsigned dst, xop src);  /* 8/16/32 -> 64 */
void x_lea(xbuf *b, unsigned dst, xop m);

void x_alu(xbuf *b, unsigned width, enum xalu op, xop dst, xop src);   /* one a register */
void x_alu_imm(xbuf *b, unsigned width, enum xalu op, xop dst, int32_t imm);
void x_test(xbuf *b, unsigned width, xop a, unsigned reg);
void x_test_imm(xbuf *b, unsigned width, xop a, int32_t imm);
void x_shift_imm(xbuf *b, unsigned width, enum xshift op, xop dst, unsigned count);
void x_shift_cl(xbuf *b, unsigned width, enum xshift op, xop dst);
void x_imul(xbuf *b, unsigned width, unsigned dst, xop src);           /* dst *= src */
void x_unary(xbuf *b, unsigned width, unsigned digit, xop a);          /* F7 /digit */
#define X_NOT 2
#define X_NEG 3
#define X_MUL 4      /* rdx:rax = rax * a (unsigned) */
#define X_IMUL1 5    /* signed */
#define X_DIV 6
#define X_IDIV 7
void x_cqo(xbuf *b);
void x_cdq(xbuf *b);
void x_setcc(xbuf *b, enum xcc cc, unsigned reg);                     /* low byte */
void x_cmov(xbuf *b, unsigned width, enum xcc cc, unsigned dst, xop src);
void x_bswap(xbuf *b, unsigned width, unsigned reg);
/* bit test family: digit 4 bt, 5 bts, 6 btr, 7 btc */
void x_bt_reg(xbuf *b, unsigned width, unsigned digit, xop a, unsigned bitreg);
void x_bt_imm(xbuf *b, unsigned width, unsigned digit, xop a, unsigned bit);
/* F3 0F xx: 0xB8 popcnt, 0xBC tzcnt, 0xBD lzcnt */
void x_f3_op(xbuf *b, unsigned width, uint8_t op, unsigned dst, xop src);
void x_andn(xbuf *b, unsigned width, unsigned dst, unsigned src1_inverted, xop src2);

/* SSE2 scalar double (registers are xmm0..xmm15, numbered like the GPRs) */
enum xsse {
    SSE_MOVSD_LOAD = 0x10, SSE_MOVSD_STORE = 0x11, SSE_SQRTSD = 0x51, SSE_ADDSD = 0x58,
    SSE_MULSD = 0x59, SSE_SUBSD = 0x5c, SSE_DIVSD = 0x5e,
};
void x_sse_sd(xbuf *b, enum xsse op, unsigned xmm, xop rm);    /* F2 0F op */
void x_ucomisd(xbuf *b, unsigned xmm, xop rm);
void x_comisd(xbuf *b, unsigned xmm, xop rm);
void x_movq_to_xmm(xbuf *b, unsigned xmm, unsigned gpr);
void x_movq_from_xmm(xbuf *b, unsigned gpr, unsigned xmm);
/* FMA3 scalar double, 231 form: dst = +-(src1 * src2) +- dst; op is the opcode byte:
 * 0xB9 vfmadd231sd, 0xBB vfmsub231sd, 0xBD vfnmadd231sd, 0xBF vfnmsub231sd */
void x_fma231sd(xbuf *b, uint8_t op, unsigned dst, unsigned src1, xop src2);
void x_stmxcsr(xbuf *b, xop m);
void x_ldmxcsr(xbuf *b, xop m);

/* control flow: the rel32 jumps return the address of their 4-byte displacement */
uint8_t *x_jcc32(xbuf *b, enum xcc cc);
uint8_t *x_jmp32(xbuf *b);
uint8_t *x_jcc8(xbuf *b, enum xcc cc);
uint8_t *x_jmp8(xbuf *b);
void x_jmp_ind(xbuf *b, xop target);
void x_call_ind(xbuf *b, xop target);
void x_push(xbuf *b, unsigned reg);
void x_pop(xbuf *b, unsigned reg);
void x_ret(xbuf *b);
void x_mfence(xbuf *b);
void x_ud2(xbuf *b);

/* Point a rel32 (from x_jcc32/x_jmp32) or rel8 displacement at `target`. */
void x_patch32(uint8_t *disp, const uint8_t *target);
void x_patch8(uint8_t *disp, const uint8_t *target);

static inline bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

#endif
