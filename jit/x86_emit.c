/*
 * x86-64 instruction encoding for the translator (see x86_emit.h). The one general
 * routine is emit_modrm(): legacy prefix, REX, opcode bytes, ModRM, SIB and
 * displacement for a register field and a register-or-memory operand; every
 * instruction below is a thin wrapper that picks opcode and width.
 */
#include "jit/x86_emit.h"
#include <string.h>

void xb_init(xbuf *b, uint8_t *start, uint8_t *end)
{
    b->p = b->start = start;
    b->end = end;
    b->full = false;
}

static bool room(xbuf *b, unsigned n)
{
    if (b->full || (size_t)(b->end - b->p) < n) {
        b->full = true;
        return false;
    }
    return true;
}

void x_byte(xbuf *b, uint8_t v)
{
    if (room(b, 1))
        *b->p++ = v;
}

void x_u32(xbuf *b, uint32_t v)
{
    if (room(b, 4)) {
        memcpy(b->p, &v, 4);
        b->p += 4;
    }
}

void x_u64(xbuf *b, uint64_t v)
{
    if (room(b, 8)) {
        memcpy(b->p, &v, 8);
        b->p += 8;
    }
}

void x_align(xbuf *b, unsigned align, unsigned offset)
{
    /* the recommended multi-byte NOPs, longest first */
    static const uint8_t nops[8][8] = {
        { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    unsigned pad = (unsigned)((offset - (uintptr_t)b->p) & (align - 1));
    while (pad) {
        unsigned n = pad > 8 ? 8 : pad;
        for (unsigned i = 0; i < n; i++)
            x_byte(b, nops[n - 1][i]);
        pad -= n;
    }
}

/* ModRM, SIB and displacement for register field `reg` and operand `rm`. */
static void emit_modrm_tail(xbuf *b, unsigned reg, xop rm)
{
    unsigned r3 = reg & 7;
    if (!rm.mem) {
        *b->p++ = (uint8_t)(0xc0 | (r3 << 3) | (rm.reg & 7));
        return;
    }
    int32_t disp = rm.disp;
    if (rm.reg == XNONE) {
        /* absolute disp32: SIB with no base */
        *b->p++ = (uint8_t)(0x04 | (r3 << 3));
        unsigned idx = rm.index == XNONE ? 4 : (rm.index & 7);
        *b->p++ = (uint8_t)((rm.scale << 6) | (idx << 3) | 5);
        memcpy(b->p, &disp, 4);
        b->p += 4;
        return;
    }
    unsigned base = rm.reg & 7;
    unsigned mod;
    if (disp == 0 && base != 5)
        mod = 0;
    else if (fits_i8(disp))
        mod = 1;
    else
        mod = 2;
    if (rm.index != XNONE || base == 4) {
        unsigned idx = rm.index == XNONE ? 4 : (rm.index & 7);
        *b->p++ = (uint8_t)((mod << 6) | (r3 << 3) | 4);
        *b->p++ = (uint8_t)((rm.scale << 6) | (idx << 3) | base);
    } else {
        *b->p++ = (uint8_t)((mod << 6) | (r3 << 3) | base);
    }
    if (mod == 1) {
        *b->p++ = (uint8_t)(int8_t)disp;
    } else if (mod == 2) {
        memcpy(b->p, &disp, 4);
        b->p += 4;
    }
}

/* REX.X and REX.B for an operand */
static unsigned rex_xb(xop rm)
{
    unsigned rex = 0;
    if (rm.mem) {
        if (rm.index != XNONE && (rm.index & 8))
            rex |= 2;
        if (rm.reg != XNONE && (rm.reg & 8))
            rex |= 1;
    } else if (rm.reg & 8) {
        rex |= 1;
    }
    return rex;
}

/*
 * prefix: 0, 0x66, 0xF2 or 0xF3. rex_w: REX.W. opc: 1-3 opcode bytes. reg: the ModRM
 * reg field (register or /digit). byte_reg / byte_rm: that field names an 8-bit
 * register, so SPL/BPL/SIL/DIL need a REX prefix to be addressable.
 */
static void emit_modrm2(xbuf *b, uint8_t prefix, bool rex_w, const uint8_t *opc, unsigned nopc,
                        unsigned reg, xop rm, bool byte_reg, bool byte_rm)
{
    if (!room(b, 16))
        return;
    if (prefix)
        *b->p++ = prefix;
    unsigned rex = (rex_w ? 8 : 0) | ((reg & 8) ? 4 : 0) | rex_xb(rm);
    bool need_rex = rex != 0 || (byte_reg && reg >= 4 && reg < 8) ||
                    (byte_rm && !rm.mem && rm.reg >= 4 && rm.reg < 8);
    if (need_rex)
        *b->p++ = (uint8_t)(0x40 | rex);
    for (unsigned i = 0; i < nopc; i++)
        *b->p++ = opc[i];
    emit_modrm_tail(b, reg, rm);
}

static void emit_modrm(xbuf *b, uint8_t prefix, bool rex_w, const uint8_t *opc, unsigned nopc,
                       unsigned reg, xop rm, bool byte_regs)
{
    emit_modrm2(b, prefix, rex_w, opc, nopc, reg, rm, byte_regs, byte_regs);
}

static void op1(xbuf *b, uint8_t prefix, bool w, uint8_t o, unsigned reg, xop rm, bool byte_regs)
{
    emit_modrm(b, prefix, w, &o, 1, reg, rm, byte_regs);
}

static void op2(xbuf *b, uint8_t prefix, bool w, uint8_t o, unsigned reg, xop rm)
{
    uint8_t opc[2] = { 0x0f, o };
    emit_modrm(b, prefix, w, opc, 2, reg, rm, false);
}

static uint8_t pfx16(unsigned width) { return width == 16 ? 0x66 : 0; }

void x_mov(xbuf *b, unsigned width, xop dst, xop src)
{
    bool w = width == 64;
    if (!dst.mem && !src.mem && dst.reg == src.reg && width == 64)
        return;
    if (dst.mem)
        op1(b, pfx16(width), w, width == 8 ? 0x88 : 0x89, src.reg, dst, width == 8);
    else
        op1(b, pfx16(width), w, width == 8 ? 0x8a : 0x8b, dst.reg, src, width == 8);
}

void x_mov_imm(xbuf *b, unsigned reg, uint64_t imm)
{
    if (imm <= 0xffffffffull) {
        /* B8+r id: zero-extends to 64 bits */
        if (reg & 8)
            x_byte(b, 0x41);
        x_byte(b, (uint8_t)(0xb8 + (reg & 7)));
        x_u32(b, (uint32_t)imm);
    } else if (fits_i32((int64_t)imm)) {
        op1(b, 0, true, 0xc7, 0, XR(reg), false);
        x_u32(b, (uint32_t)imm);
    } else {
        x_byte(b, (uint8_t)(0x48 | ((reg & 8) ? 1 : 0)));
        x_byte(b, (uint8_t)(0xb8 + (reg & 7)));
        x_u64(b, imm);
    }
}

void x_mov_store_imm(xbuf *b, unsigned width, xop dst, int32_t imm)
{
    op1(b, pfx16(width), width == 64, width == 8 ? 0xc6 : 0xc7, 0, dst, width == 8);
    if (width == 8)
        x_byte(b, (uint8_t)imm);
    else if (width == 16) {
        x_byte(b, (uint8_t)imm);
        x_byte(b, (uint8_t)(imm >> 8));
    } else
        x_u32(b, (uint32_t)imm);
}

void x_movzx(xbuf *b, unsigned from_width, unsigned dst, xop src)
{
    uint8_t opc[2] = { 0x0f, from_width == 8 ? 0xb6 : 0xb7 };
    emit_modrm2(b, 0, false, opc, 2, dst, src, false, from_width == 8);
}

void x_movsx(xbuf *b, unsigned from_width, unsigned dst, xop src)
{
    if (from_width == 32) {
        op1(b, 0, true, 0x63, dst, src, false);
        return;
    }
    uint8_t opc[2] = { 0x0f, from_width == 8 ? 0xbe : 0xbf };
    emit_modrm2(b, 0, true, opc, 2, dst, src, false, from_width == 8);
}

void x_lea(xbuf *b, unsigned dst, xop m)
{
    op1(b, 0, true, 0x8d, dst, m, false);
}

void x_alu(xbuf *b, unsigned width, enum xalu op, xop dst, xop src)
{
    bool w = width == 64;
    if (dst.mem)
        op1(b, 0, w, (uint8_t)(op * 8 + 1), src.reg, dst, false);
    else
        op1(b, 0, w, (uint8_t)(op * 8 + 3), dst.reg, src, false);
}

void x_alu_imm(xbuf *b, unsigned width, enum xalu op, xop dst, int32_t imm)
{
    bool w = width == 64;
    if (fits_i8(imm)) {
        op1(b, 0, w, 0x83, op, dst, false);
        x_byte(b, (uint8_t)imm);
    } else {
        op1(b, 0, w, 0x81, op, dst, false);
        x_u32(b, (uint32_t)imm);
    }
}

void x_test(xbuf *b, unsigned width, xop a, unsigned reg)
{
    op1(b, 0, width == 64, 0x85, reg, a, false);
}

void x_test_imm(xbuf *b, unsigned width, xop a, int32_t imm)
{
    op1(b, 0, width == 64, 0xf7, 0, a, false);
    x_u32(b, (uint32_t)imm);
}

void x_shift_imm(xbuf *b, unsigned width, enum xshift op, xop dst, unsigned count)
{
    if (count == 1) {
        op1(b, 0, width == 64, 0xd1, op, dst, false);
        return;
    }
    op1(b, 0, width == 64, 0xc1, op, dst, false);
    x_byte(b, (uint8_t)count);
}

void x_shift_cl(xbuf *b, unsigned width, enum xshift op, xop dst)
{
    op1(b, 0, width == 64, 0xd3, op, dst, false);
}

void x_imul(xbuf *b, unsigned width, unsigned dst, xop src)
{
    op2(b, 0, width == 64, 0xaf, dst, src);
}

void x_unary(xbuf *b, unsigned width, unsigned digit, xop a)
{
    op1(b, 0, width == 64, 0xf7, digit, a, false);
}

void x_cqo(xbuf *b) { x_byte(b, 0x48); x_byte(b, 0x99); }
void x_cdq(xbuf *b) { x_byte(b, 0x99); }

void x_setcc(xbuf *b, enum xcc cc, unsigned reg)
{
    uint8_t opc[2] = { 0x0f, (uint8_t)(0x90 + cc) };
    emit_modrm(b, 0, false, opc, 2, 0, XR(reg), true);
}

void x_cmov(xbuf *b, unsigned width, enum xcc cc, unsigned dst, xop src)
{
    op2(b, 0, width == 64, (uint8_t)(0x40 + cc), dst, src);
}

void x_bswap(xbuf *b, unsigned width, unsigned reg)
{
    unsigned rex = (width == 64 ? 8 : 0) | ((reg & 8) ? 1 : 0);
    if (rex)
        x_byte(b, (uint8_t)(0x40 | rex));
    x_byte(b, 0x0f);
    x_byte(b, (uint8_t)(0xc8 + (reg & 7)));
}

void x_bt_reg(xbuf *b, unsigned width, unsigned digit, xop a, unsigned bitreg)
{
    static const uint8_t opc[8] = { [4] = 0xa3, [5] = 0xab, [6] = 0xb3, [7] = 0xbb };
    op2(b, 0, width == 64, opc[digit & 7], bitreg, a);
}

void x_bt_imm(xbuf *b, unsigned width, unsigned digit, xop a, unsigned bit)
{
    op2(b, 0, width == 64, 0xba, digit, a);
    x_byte(b, (uint8_t)bit);
}

void x_f3_op(xbuf *b, unsigned width, uint8_t op, unsigned dst, xop src)
{
    op2(b, 0xf3, width == 64, op, dst, src);
}

/* BMI1 ANDN dst, src1, src2: dst = ~src1 & src2 (VEX-encoded) */
void x_andn(xbuf *b, unsigned width, unsigned dst, unsigned src1_inverted, xop src2)
{
    if (!room(b, 16))
        return;
    /* VEX3: C4, [~R ~X ~B m=00010 (0F38)], [W ~vvvv L=0 pp=00], F2, ModRM */
    unsigned rex = ((dst & 8) ? 4 : 0) | rex_xb(src2);
    *b->p++ = 0xc4;
    *b->p++ = (uint8_t)(((~rex & 7) << 5) | 0x02);
    *b->p++ = (uint8_t)((width == 64 ? 0x80 : 0) | ((~src1_inverted & 15) << 3));
    *b->p++ = 0xf2;
    emit_modrm_tail(b, dst, src2);
}

/* Where a jump's displacement goes; once the buffer is full, a scratch word, so
 * callers may patch it without checking (the block is thrown away anyway). */
static uint8_t *disp_slot(xbuf *b, uint8_t *d)
{
    static __thread uint8_t scratch[8];
    return b->full ? scratch : d;
}

void x_sse_sd(xbuf *b, enum xsse op, unsigned xmm, xop rm)
{
    op2(b, 0xf2, false, (uint8_t)op, xmm, rm);
}

void x_ucomisd(xbuf *b, unsigned xmm, xop rm) { op2(b, 0x66, false, 0x2e, xmm, rm); }
void x_comisd(xbuf *b, unsigned xmm, xop rm) { op2(b, 0x66, false, 0x2f, xmm, rm); }
void x_movq_to_xmm(xbuf *b, unsigned xmm, unsigned gpr) { op2(b, 0x66, true, 0x6e, xmm, XR(gpr)); }
void x_movq_from_xmm(xbuf *b, unsigned gpr, unsigned xmm) { op2(b, 0x66, true, 0x7e, xmm, XR(gpr)); }
void x_stmxcsr(xbuf *b, xop m) { op2(b, 0, false, 0xae, 3, m); }
void x_ldmxcsr(xbuf *b, xop m) { op2(b, 0, false, 0xae, 2, m); }

void x_fma231sd(xbuf *b, uint8_t op, unsigned dst, unsigned src1, xop src2)
{
    if (!room(b, 16))
        return;
    /* VEX3: C4, [~R ~X ~B m=00010 (0F38)], [W=1 ~vvvv L=0 pp=01 (66)], op, ModRM */
    unsigned rex = ((dst & 8) ? 4 : 0) | rex_xb(src2);
    *b->p++ = 0xc4;
    *b->p++ = (uint8_t)(((~rex & 7) << 5) | 0x02);
    *b->p++ = (uint8_t)(0x80 | ((~src1 & 15) << 3) | 0x01);
    *b->p++ = op;
    emit_modrm_tail(b, dst, src2);
}

uint8_t *x_jcc32(xbuf *b, enum xcc cc)
{
    x_byte(b, 0x0f);
    x_byte(b, (uint8_t)(0x80 + cc));
    uint8_t *d = b->p;
    x_u32(b, 0);
    return disp_slot(b, d);
}

uint8_t *x_jmp32(xbuf *b)
{
    x_byte(b, 0xe9);
    uint8_t *d = b->p;
    x_u32(b, 0);
    return disp_slot(b, d);
}

uint8_t *x_jcc8(xbuf *b, enum xcc cc)
{
    x_byte(b, (uint8_t)(0x70 + cc));
    uint8_t *d = b->p;
    x_byte(b, 0);
    return disp_slot(b, d);
}

uint8_t *x_jmp8(xbuf *b)
{
    x_byte(b, 0xeb);
    uint8_t *d = b->p;
    x_byte(b, 0);
    return disp_slot(b, d);
}

void x_jmp_ind(xbuf *b, xop target)
{
    op1(b, 0, false, 0xff, 4, target, false);
}

void x_call_ind(xbuf *b, xop target)
{
    op1(b, 0, false, 0xff, 2, target, false);
}

void x_push(xbuf *b, unsigned reg)
{
    if (reg & 8)
        x_byte(b, 0x41);
    x_byte(b, (uint8_t)(0x50 + (reg & 7)));
}

void x_pop(xbuf *b, unsigned reg)
{
    if (reg & 8)
        x_byte(b, 0x41);
    x_byte(b, (uint8_t)(0x58 + (reg & 7)));
}

void x_ret(xbuf *b) { x_byte(b, 0xc3); }
void x_mfence(xbuf *b) { x_byte(b, 0x0f); x_byte(b, 0xae); x_byte(b, 0xf0); }
void x_ud2(xbuf *b) { x_byte(b, 0x0f); x_byte(b, 0x0b); }

void x_patch32(uint8_t *disp, const uint8_t *target)
{
    int32_t rel = (int32_t)(target - (disp + 4));
    memcpy(disp, &rel, 4);
}

void x_patch8(uint8_t *disp, const uint8_t *target)
{
    *disp = (uint8_t)(int8_t)(target - (disp + 1));
}
