/*
 * The C extension: expansion of 16-bit instructions (RV64C) to their 32-bit
 * equivalents, so the rest of tern knows only one instruction table.
 */
#include "cpu/riscv/insn.h"

static uint32_t enc_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
static uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc)
{
    return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
static uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t opc)
{
    return ((uint32_t)((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
           ((uint32_t)(imm & 31) << 7) | opc;
}
static uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}
static uint32_t enc_j(int32_t imm, uint32_t rd)
{
    uint32_t u = (uint32_t)imm;
    return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
           (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

static inline uint32_t bit(uint32_t v, int b) { return (v >> b) & 1; }
static inline uint32_t bits(uint32_t v, int hi, int lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
static inline int32_t sx(uint32_t v, int width) { return (int32_t)(v << (32 - width)) >> (32 - width); }

uint32_t rvc_expand(uint16_t c)
{
    uint32_t rdp = 8 + bits(c, 4, 2);     /* rd' / rs2' */
    uint32_t rs1p = 8 + bits(c, 9, 7);    /* rs1' / rd' */
    uint32_t rd = bits(c, 11, 7);
    uint32_t rs2 = bits(c, 6, 2);
    uint32_t f3 = bits(c, 15, 13);
    int32_t imm6 = sx((bit(c, 12) << 5) | bits(c, 6, 2), 6);

    switch (c & 3) {
    case 0: {
        uint32_t uimm_w = (bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6);
        uint32_t uimm_d = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
        switch (f3) {
        case 0: { /* c.addi4spn */
            uint32_t nz = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
            if (!nz) return 0;
            return enc_i((int32_t)nz, 2, 0, rdp, 0x13);
        }
        case 1: return enc_i((int32_t)uimm_d, rs1p, 3, rdp, 0x07);      /* c.fld */
        case 2: return enc_i((int32_t)uimm_w, rs1p, 2, rdp, 0x03);      /* c.lw */
        case 3: return enc_i((int32_t)uimm_d, rs1p, 3, rdp, 0x03);      /* c.ld */
        case 5: return enc_s((int32_t)uimm_d, rdp, rs1p, 3, 0x27);      /* c.fsd */
        case 6: return enc_s((int32_t)uimm_w, rdp, rs1p, 2, 0x23);      /* c.sw */
        case 7: return enc_s((int32_t)uimm_d, rdp, rs1p, 3, 0x23);      /* c.sd */
        default: return 0;
        }
    }
    case 1:
        switch (f3) {
        case 0: return enc_i(imm6, rd, 0, rd, 0x13);                    /* c.addi / c.nop */
        case 1: if (!rd) return 0;
                return enc_i(imm6, rd, 0, rd, 0x1b);                    /* c.addiw */
        case 2: return enc_i(imm6, 0, 0, rd, 0x13);                     /* c.li */
        case 3:
            if (rd == 2) {                                              /* c.addi16sp */
                int32_t nz = sx((bit(c, 12) << 9) | (bit(c, 6) << 4) | (bit(c, 5) << 6) |
                                (bits(c, 4, 3) << 7) | (bit(c, 2) << 5), 10);
                if (!nz) return 0;
                return enc_i(nz, 2, 0, 2, 0x13);
            } else {                                                    /* c.lui */
                if (!imm6) return 0;
                return ((uint32_t)(imm6 & 0xfffff) << 12) | (rd << 7) | 0x37;
            }
        case 4: {
            uint32_t shamt = (bit(c, 12) << 5) | bits(c, 6, 2);
            switch (bits(c, 11, 10)) {
            case 0: return enc_i((int32_t)shamt, rs1p, 5, rs1p, 0x13);   /* c.srli */
            case 1: return enc_i((int32_t)(shamt | 0x400), rs1p, 5, rs1p, 0x13); /* c.srai */
            case 2: return enc_i(imm6, rs1p, 7, rs1p, 0x13);            /* c.andi */
            default: {
                static const uint32_t f3tab[4] = { 0, 4, 6, 7 };
                uint32_t k = bits(c, 6, 5);
                if (!bit(c, 12))                                         /* c.sub/xor/or/and */
                    return enc_r(k == 0 ? 0x20 : 0, rdp, rs1p, f3tab[k], rs1p, 0x33);
                if (k == 0) return enc_r(0x20, rdp, rs1p, 0, rs1p, 0x3b); /* c.subw */
                if (k == 1) return enc_r(0, rdp, rs1p, 0, rs1p, 0x3b);    /* c.addw */
                return 0;
            }
            }
        }
        case 5: {                                                       /* c.j */
            int32_t off = sx((bit(c, 12) << 11) | (bit(c, 11) << 4) | (bits(c, 10, 9) << 8) |
                             (bit(c, 8) << 10) | (bit(c, 7) << 6) | (bit(c, 6) << 7) |
                             (bits(c, 5, 3) << 1) | (bit(c, 2) << 5), 12);
            return enc_j(off, 0);
        }
        default: {                                                      /* c.beqz / c.bnez */
            int32_t off = sx((bit(c, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) |
                             (bits(c, 4, 3) << 1) | (bit(c, 2) << 5), 9);
            return enc_b(off, 0, rs1p, f3 == 6 ? 0 : 1);
        }
        }
    case 2: {
        uint32_t sp_w = (bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
        uint32_t sp_d = (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
        uint32_t ss_w = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
        uint32_t ss_d = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
        switch (f3) {
        case 0: return enc_i((int32_t)((bit(c, 12) << 5) | rs2), rd, 1, rd, 0x13); /* c.slli */
        case 1: return enc_i((int32_t)sp_d, 2, 3, rd, 0x07);              /* c.fldsp */
        case 2: if (!rd) return 0;
                return enc_i((int32_t)sp_w, 2, 2, rd, 0x03);              /* c.lwsp */
        case 3: if (!rd) return 0;
                return enc_i((int32_t)sp_d, 2, 3, rd, 0x03);              /* c.ldsp */
        case 4:
            if (!bit(c, 12)) {
                if (!rs2) { if (!rd) return 0;
                            return enc_i(0, rd, 0, 0, 0x67); }            /* c.jr */
                return enc_r(0, rs2, 0, 0, rd, 0x33);                     /* c.mv */
            }
            if (!rs2) {
                if (!rd) return 0x00100073;                               /* c.ebreak */
                return enc_i(0, rd, 0, 1, 0x67);                          /* c.jalr */
            }
            return enc_r(0, rs2, rd, 0, rd, 0x33);                        /* c.add */
        case 5: return enc_s((int32_t)ss_d, rs2, 2, 3, 0x27);             /* c.fsdsp */
        case 6: return enc_s((int32_t)ss_w, rs2, 2, 2, 0x23);             /* c.swsp */
        default: return enc_s((int32_t)ss_d, rs2, 2, 3, 0x23);            /* c.sdsp */
        }
    }
    }
    return 0;
}
