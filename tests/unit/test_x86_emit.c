/*
 * Tests of the x86-64 encoder in jit/x86_emit.c: each emitter is run over every register
 * and a spread of memory operands (every base including the RSP/R12 SIB and RBP/R13
 * displacement cases, every index but RSP, all scales, disp 0/8/32 of both signs), and
 * the bytes must disassemble with capstone as exactly one instruction spelled as
 * expected, using the short ModRM/immediate forms. Also covers jump patching, alignment
 * padding and the full-buffer rule (set `full`, never write past the end).
 */
#include "jit/x86_emit.h"
#include <capstone.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures, cases;
static csh cs;
static cs_x86 got;                      /* detail of the last instruction that matched */
static _Alignas(64) uint8_t code[512];
static xbuf xb;
static char what[200];                  /* the call under test, for failure messages */

/* ---- expected text, in capstone 4's Intel spelling ---- */

static const char *const r64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const r32[16] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const r16[16] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const r8[16] = {
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const ccname[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};
static const char *const aluname[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const enum xshift shifts[5] = { SH_ROL, SH_ROR, SH_SHL, SH_SHR, SH_SAR };
static const char *const shiftname[8] = {
    [SH_ROL] = "rol", [SH_ROR] = "ror", [SH_SHL] = "shl", [SH_SHR] = "shr", [SH_SAR] = "sar",
};
static const char *const unaryname[8] = {
    [X_NOT] = "not", [X_NEG] = "neg", [X_MUL] = "mul", [X_IMUL1] = "imul",
    [X_DIV] = "div", [X_IDIV] = "idiv",
};
static const char *const btname[8] = { [4] = "bt", [5] = "bts", [6] = "btr", [7] = "btc" };

/* a few formatted strings may be live at once (one printf's arguments) */
static char *ring(void)
{
    static char bufs[8][128];
    static unsigned next;
    return bufs[next++ % 8];
}

static const char *R(unsigned width, unsigned r)
{
    if (r > 15)
        return "?";
    return width == 8 ? r8[r] : width == 16 ? r16[r] : width == 32 ? r32[r] : r64[r];
}

/* capstone prints small numbers in decimal, larger ones in hex */
static void put_num(char *dst, size_t size, bool neg, uint64_t mag)
{
    snprintf(dst, size, mag > 9 ? "%s0x%" PRIx64 : "%s%" PRIu64, neg ? "-" : "", mag);
}

static const char *U(uint64_t v)
{
    char *s = ring();
    put_num(s, 128, false, v);
    return s;
}

static const char *S(int64_t v)
{
    char *s = ring();
    put_num(s, 128, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v);
    return s;
}

/* width 0: no size (lea); "[base + index*scale +/- disp]" */
static const char *M(unsigned width, xop m)
{
    char *s = ring();
    const char *sz = width == 8 ? "byte ptr " : width == 16 ? "word ptr " :
                     width == 32 ? "dword ptr " : width == 64 ? "qword ptr " : "";
    int n = snprintf(s, 128, "%s[", sz);
    bool any = false;
    if (m.reg != XNONE) {
        n += snprintf(s + n, 128 - n, "%s", R(64, m.reg));
        any = true;
    }
    if (m.index != XNONE) {
        n += snprintf(s + n, 128 - n, "%s%s", any ? " + " : "", R(64, m.index));
        if (m.scale)
            n += snprintf(s + n, 128 - n, "*%u", 1u << m.scale);
        any = true;
    }
    char d[32];
    put_num(d, sizeof(d), false, m.disp < 0 ? -(uint64_t)(int64_t)m.disp : (uint64_t)m.disp);
    if (!any)
        n += snprintf(s + n, 128 - n, "%s", d);     /* absolute, only tested with disp >= 0 */
    else if (m.disp)
        n += snprintf(s + n, 128 - n, " %c %s", m.disp < 0 ? '-' : '+', d);
    snprintf(s + n, 128 - n, "]");
    return s;
}

static const char *OP(unsigned width, xop x) { return x.mem ? M(width, x) : R(width, x.reg); }

/* ---- checking ---- */

#define STR(x) #x
#define XSTR(x) STR(x)

#define MAX_SHOWN 200     /* a systematic bug fails thousands of cases; show the first */

static void fail(const char *fmt, ...)
{
    failures++;
    if (failures > MAX_SHOWN)
        return;
    char bytes[3 * 32 + 1] = "";
    size_t len = (size_t)(xb.p - xb.start);
    for (size_t i = 0; i < len && i < 32; i++)
        snprintf(bytes + strlen(bytes), 4, "%s%02x", i ? " " : "", xb.start[i]);
    printf("FAIL %s [%s]: ", what, bytes);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* begin a case: describe the call and reset the buffer */
static void start(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    xb_init(&xb, code, code + sizeof(code));
}

/* the emitted bytes are exactly one instruction whose text is `fmt` */
static bool expect(const char *fmt, ...)
{
    char want[200], have[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    cases++;
    size_t len = (size_t)(xb.p - xb.start);
    if (xb.full) {
        fail("buffer marked full, want \"%s\"", want);
        return false;
    }
    cs_insn *insn;
    size_t n = cs_disasm(cs, xb.start, len, (uintptr_t)xb.start, 0, &insn);
    if (n == 0) {
        fail("capstone cannot decode it, want \"%s\"", want);
        return false;
    }
    snprintf(have, sizeof(have), "%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "",
             insn[0].op_str);
    bool ok = false;
    if (n != 1 || insn[0].size != len)
        fail("decodes as %zu instructions, the first \"%s\" of %u bytes (of %zu); want \"%s\"",
             n, have, insn[0].size, len, want);
    else if (strcmp(have, want))
        fail("got \"%s\", want \"%s\"", have, want);
    else {
        got = insn[0].detail->x86;
        ok = true;
    }
    cs_free(insn, n);
    return ok;
}

static void expect_len(size_t len)
{
    if ((size_t)(xb.p - xb.start) != len)
        fail("%zu bytes, want the %zu-byte form", (size_t)(xb.p - xb.start), len);
}

/* after a match with memory operand m: the shortest ModRM/SIB/displacement was used */
static void check_form(xop m)
{
    if (!m.mem)
        return;
    unsigned mod = got.modrm >> 6, rm = got.modrm & 7;
    unsigned want_mod = m.reg == XNONE ? 0 : (m.disp == 0 && (m.reg & 7) != 5) ? 0 :
                        fits_i8(m.disp) ? 1 : 2;
    bool want_sib = m.reg == XNONE || m.index != XNONE || (m.reg & 7) == 4;
    if (mod != want_mod || (rm == 4) != want_sib)
        fail("ModRM %02x: want mod %u %s a SIB byte", got.modrm, want_mod,
             want_sib ? "with" : "without");
}

/* expect() plus the short-form check for one operand */
#define EXPECT_M(m, ...) do { if (expect(__VA_ARGS__)) check_form(m); } while (0)

/* ---- operand sets ---- */

typedef struct { unsigned reg; xop m; } rmpair;

static xop allmems[17 * 61 * 12];       /* every base/index/scale with a range of disps */
static unsigned nallmems;
static xop fewmems[64];                 /* a representative handful */
static unsigned nfewmems;
static rmpair bigpairs[64 * 16 + 17 * 61 * 12];   /* fewmems x every reg + allmems */
static unsigned nbigpairs;
static rmpair smallpairs[64 * 16];                 /* fewmems x every reg */
static unsigned nsmallpairs;

static void build_operands(void)
{
    static const int32_t disps[12] = {
        0, 1, -1, 9, -10, 0x7f, -0x80, 0x80, -0x81, 0x12345678, INT32_MIN, INT32_MAX,
    };
    for (unsigned b = 0; b <= 16; b++) {
        unsigned base = b == 16 ? XNONE : b;
        for (unsigned ix = 0; ix <= 16; ix++) {
            if (ix == RSP)
                continue;                       /* RSP cannot be an index */
            unsigned index = ix == 16 ? XNONE : ix;
            for (unsigned sc = 0; sc < 4; sc++) {
                if (index == XNONE && sc)
                    continue;
                for (unsigned d = 0; d < 12; d++) {
                    /*
                     * [disp32] with no base or index is sign-extended, but capstone 4
                     * prints a negative one inconsistently (64-bit when stored to,
                     * truncated to the operand size when loaded from), so only
                     * non-negative absolute addresses are checked.
                     */
                    if (base == XNONE && index == XNONE && disps[d] < 0)
                        continue;
                    allmems[nallmems++] = XMI(base, index, sc, disps[d]);
                }
            }
        }
    }
    for (unsigned b = 0; b < 16; b++) {
        fewmems[nfewmems++] = XM(b, 0);
        fewmems[nfewmems++] = XM(b, b & 1 ? -0x80 : 0x7f);
        fewmems[nfewmems++] = XM(b, b & 1 ? 0x12345678 : -0x1000);
    }
    fewmems[nfewmems++] = XMI(RSP, R12, 2, -0x80);
    fewmems[nfewmems++] = XMI(RBP, RBP, 0, 0);
    fewmems[nfewmems++] = XMI(R13, R13, 3, 0x100);
    fewmems[nfewmems++] = XMI(R12, R12, 1, 0x10);
    fewmems[nfewmems++] = XMI(RAX, R15, 3, INT32_MIN);
    fewmems[nfewmems++] = XMI(R8, RSI, 1, -1);
    fewmems[nfewmems++] = XMI(XNONE, RCX, 2, 0x1000);
    fewmems[nfewmems++] = XMI(XNONE, R9, 3, -0x10);
    fewmems[nfewmems++] = XM(XNONE, 0x2000);
    for (unsigned i = 0; i < nfewmems; i++)
        for (unsigned r = 0; r < 16; r++) {
            smallpairs[nsmallpairs++] = (rmpair){ r, fewmems[i] };
            bigpairs[nbigpairs++] = (rmpair){ r, fewmems[i] };
        }
    /* a register that varies independently of base and index */
    for (unsigned i = 0; i < nallmems; i++)
        bigpairs[nbigpairs++] = (rmpair){ (i * 5 + 3) % 16, allmems[i] };
}

/* ---- the instructions ---- */

static const unsigned widths4[4] = { 8, 16, 32, 64 };
static const unsigned widths2[2] = { 32, 64 };

static void test_mov(void)
{
    for (unsigned wi = 0; wi < 4; wi++) {
        unsigned w = widths4[wi];
        for (unsigned d = 0; d < 16; d++)
            for (unsigned s = 0; s < 16; s++) {
                start("x_mov(%u, %s, %s)", w, r64[d], r64[s]);
                x_mov(&xb, w, XR(d), XR(s));
                if (w == 64 && d == s) {
                    cases++;
                    if (xb.p != xb.start)
                        fail("a 64-bit move to itself should emit nothing");
                } else
                    expect("mov %s, %s", R(w, d), R(w, s));
            }
        for (unsigned i = 0; i < nbigpairs; i++) {
            rmpair p = bigpairs[i];
            start("x_mov(%u, %s, %s)", w, M(w, p.m), R(w, p.reg));
            x_mov(&xb, w, p.m, XR(p.reg));
            EXPECT_M(p.m, "mov %s, %s", M(w, p.m), R(w, p.reg));
            start("x_mov(%u, %s, %s)", w, R(w, p.reg), M(w, p.m));
            x_mov(&xb, w, XR(p.reg), p.m);
            EXPECT_M(p.m, "mov %s, %s", R(w, p.reg), M(w, p.m));
        }
    }
}

static void test_mov_imm(void)
{
    static const uint64_t imms[] = {
        /* B8+r imm32, zero-extended */
        0, 1, 9, 10, 0x7f, 0x80, 0x12345678, 0x7fffffff, 0x80000000, 0xffffffff,
        /* REX.W C7 /0 imm32, sign-extended */
        0xffffffffffffffffull, 0xfffffffffffffff6ull, 0xffffffff80000000ull,
        0xffffffffabcdef01ull,
        /* REX.W B8+r imm64 */
        0x100000000ull, 0x123456789abcdef0ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, 0xffffffff7fffffffull, 0xfffffffe00000000ull,
    };
    for (unsigned r = 0; r < 16; r++)
        for (unsigned i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
            uint64_t v = imms[i];
            start("x_mov_imm(%s, 0x%" PRIx64 ")", r64[r], v);
            x_mov_imm(&xb, r, v);
            if (v <= 0xffffffffull) {
                if (expect("mov %s, %s", r32[r], U(v)))
                    expect_len(r >= 8 ? 6 : 5);
            } else if (fits_i32((int64_t)v)) {
                if (expect("mov %s, %s", r64[r], S((int64_t)v)))
                    expect_len(7);
            } else if (expect("movabs %s, %s", r64[r], U(v)))
                expect_len(10);
        }
}

static const int32_t imms[] = {
    0, 1, 9, 10, -1, -9, -10, 0x7f, -0x80, 0x80, -0x81, 0xff, 0x100, 0x12345678,
    -0x12345678, INT32_MAX, INT32_MIN,
};
#define NIMMS (sizeof(imms) / sizeof(imms[0]))

/* the text capstone gives an imm32 of a 32/64-bit operation (it sign-extends for 64) */
static const char *imm32_text(unsigned w, int32_t v)
{
    return w == 64 ? S(v) : U((uint32_t)v);
}

static void test_mov_store_imm(void)
{
    for (unsigned wi = 0; wi < 4; wi++) {
        unsigned w = widths4[wi];
        for (unsigned k = 0; k < NIMMS; k++) {
            int32_t v = imms[k];
            char vt[32];
            snprintf(vt, sizeof(vt), "%s",
                     w == 8 ? U((uint8_t)v) : w == 16 ? U((uint16_t)v) : imm32_text(w, v));
            for (unsigned i = 0; i < nfewmems; i++) {
                xop m = fewmems[i];
                start("x_mov_store_imm(%u, %s, %d)", w, M(w, m), v);
                x_mov_store_imm(&xb, w, m, v);
                EXPECT_M(m, "mov %s, %s", M(w, m), vt);
            }
            for (unsigned r = 0; r < 16; r++) {
                start("x_mov_store_imm(%u, %s, %d)", w, r64[r], v);
                x_mov_store_imm(&xb, w, XR(r), v);
                expect("mov %s, %s", R(w, r), vt);
            }
        }
    }
}

static void test_movx(void)
{
    for (unsigned d = 0; d < 16; d++)
        for (unsigned s = 0; s < 16; s++) {
            start("x_movzx(8, %s, %s)", r64[d], r64[s]);
            x_movzx(&xb, 8, d, XR(s));
            expect("movzx %s, %s", r32[d], r8[s]);
            start("x_movzx(16, %s, %s)", r64[d], r64[s]);
            x_movzx(&xb, 16, d, XR(s));
            expect("movzx %s, %s", r32[d], r16[s]);
            start("x_movsx(8, %s, %s)", r64[d], r64[s]);
            x_movsx(&xb, 8, d, XR(s));
            expect("movsx %s, %s", r64[d], r8[s]);
            start("x_movsx(16, %s, %s)", r64[d], r64[s]);
            x_movsx(&xb, 16, d, XR(s));
            expect("movsx %s, %s", r64[d], r16[s]);
            start("x_movsx(32, %s, %s)", r64[d], r64[s]);
            x_movsx(&xb, 32, d, XR(s));
            expect("movsxd %s, %s", r64[d], r32[s]);
        }
    for (unsigned i = 0; i < nbigpairs; i++) {
        rmpair p = bigpairs[i];
        start("x_movzx(8, %s, %s)", r64[p.reg], M(8, p.m));
        x_movzx(&xb, 8, p.reg, p.m);
        EXPECT_M(p.m, "movzx %s, %s", r32[p.reg], M(8, p.m));
        start("x_movzx(16, %s, %s)", r64[p.reg], M(16, p.m));
        x_movzx(&xb, 16, p.reg, p.m);
        EXPECT_M(p.m, "movzx %s, %s", r32[p.reg], M(16, p.m));
        start("x_movsx(8, %s, %s)", r64[p.reg], M(8, p.m));
        x_movsx(&xb, 8, p.reg, p.m);
        EXPECT_M(p.m, "movsx %s, %s", r64[p.reg], M(8, p.m));
        start("x_movsx(16, %s, %s)", r64[p.reg], M(16, p.m));
        x_movsx(&xb, 16, p.reg, p.m);
        EXPECT_M(p.m, "movsx %s, %s", r64[p.reg], M(16, p.m));
        start("x_movsx(32, %s, %s)", r64[p.reg], M(32, p.m));
        x_movsx(&xb, 32, p.reg, p.m);
        EXPECT_M(p.m, "movsxd %s, %s", r64[p.reg], M(32, p.m));
    }
}

static void test_lea(void)
{
    for (unsigned i = 0; i < nbigpairs; i++) {
        rmpair p = bigpairs[i];
        start("x_lea(%s, %s)", r64[p.reg], M(0, p.m));
        x_lea(&xb, p.reg, p.m);
        EXPECT_M(p.m, "lea %s, %s", r64[p.reg], M(0, p.m));
    }
}

static void test_alu(void)
{
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = widths2[wi];
        for (unsigned op = ALU_ADD; op <= ALU_CMP; op++) {
            const char *nm = aluname[op];
            for (unsigned d = 0; d < 16; d++)
                for (unsigned s = 0; s < 16; s++) {
                    start("x_alu(%u, %s, %s, %s)", w, nm, r64[d], r64[s]);
                    x_alu(&xb, w, (enum xalu)op, XR(d), XR(s));
                    expect("%s %s, %s", nm, R(w, d), R(w, s));
                }
            for (unsigned i = 0; i < nsmallpairs; i++) {
                rmpair p = smallpairs[i];
                start("x_alu(%u, %s, %s, %s)", w, nm, M(w, p.m), r64[p.reg]);
                x_alu(&xb, w, (enum xalu)op, p.m, XR(p.reg));
                EXPECT_M(p.m, "%s %s, %s", nm, M(w, p.m), R(w, p.reg));
                start("x_alu(%u, %s, %s, %s)", w, nm, r64[p.reg], M(w, p.m));
                x_alu(&xb, w, (enum xalu)op, XR(p.reg), p.m);
                EXPECT_M(p.m, "%s %s, %s", nm, R(w, p.reg), M(w, p.m));
            }
            /* immediates: imm8 (0x83) when it fits, else imm32 (0x81) */
            for (unsigned k = 0; k < NIMMS; k++) {
                int32_t v = imms[k];
                char vt[32];
                if (op == ALU_AND || op == ALU_OR || op == ALU_XOR)
                    /* capstone prints bitwise immediates unsigned, sign-extended to w */
                    snprintf(vt, sizeof(vt), "%s", U(w == 64 ? (uint64_t)(int64_t)v : (uint32_t)v));
                else
                    snprintf(vt, sizeof(vt), "%s", fits_i8(v) ? S(v) : imm32_text(w, v));
                uint8_t opc = fits_i8(v) ? 0x83 : 0x81;
                for (unsigned n = 0; n < 16 + nfewmems; n++) {
                    xop dst = n < 16 ? XR(n) : fewmems[n - 16];
                    start("x_alu_imm(%u, %s, %s, %d)", w, nm, OP(w, dst), v);
                    x_alu_imm(&xb, w, (enum xalu)op, dst, v);
                    if (expect("%s %s, %s", nm, OP(w, dst), vt)) {
                        check_form(dst);
                        if (got.opcode[0] != opc)
                            fail("opcode %02x, want %02x", got.opcode[0], opc);
                    }
                }
            }
        }
    }
}

static void test_test(void)
{
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = widths2[wi];
        for (unsigned a = 0; a < 16; a++)
            for (unsigned r = 0; r < 16; r++) {
                start("x_test(%u, %s, %s)", w, r64[a], r64[r]);
                x_test(&xb, w, XR(a), r);
                expect("test %s, %s", R(w, a), R(w, r));
            }
        for (unsigned i = 0; i < nsmallpairs; i++) {
            rmpair p = smallpairs[i];
            start("x_test(%u, %s, %s)", w, M(w, p.m), r64[p.reg]);
            x_test(&xb, w, p.m, p.reg);
            EXPECT_M(p.m, "test %s, %s", M(w, p.m), R(w, p.reg));
        }
        for (unsigned k = 0; k < NIMMS; k++)
            for (unsigned n = 0; n < 16 + nfewmems; n++) {
                xop a = n < 16 ? XR(n) : fewmems[n - 16];
                start("x_test_imm(%u, %s, %d)", w, OP(w, a), imms[k]);
                x_test_imm(&xb, w, a, imms[k]);
                EXPECT_M(a, "test %s, %s", OP(w, a), imm32_text(w, imms[k]));
            }
    }
}

static void test_shift(void)
{
    static const unsigned counts[] = { 1, 0, 2, 7, 9, 10, 31, 63 };
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = widths2[wi];
        for (unsigned si = 0; si < 5; si++) {
            enum xshift op = shifts[si];
            const char *nm = shiftname[op];
            for (unsigned n = 0; n < 16 + nfewmems; n++) {
                xop a = n < 16 ? XR(n) : fewmems[n - 16];
                for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
                    unsigned c = counts[k];
                    if (c >= w)
                        continue;
                    start("x_shift_imm(%u, %s, %s, %u)", w, nm, OP(w, a), c);
                    x_shift_imm(&xb, w, op, a, c);
                    if (expect("%s %s, %s", nm, OP(w, a), U(c))) {
                        check_form(a);
                        uint8_t opc = c == 1 ? 0xd1 : 0xc1;
                        if (got.opcode[0] != opc)
                            fail("opcode %02x, want %02x", got.opcode[0], opc);
                    }
                }
                start("x_shift_cl(%u, %s, %s)", w, nm, OP(w, a));
                x_shift_cl(&xb, w, op, a);
                EXPECT_M(a, "%s %s, cl", nm, OP(w, a));
            }
        }
    }
}

static void test_mul_div(void)
{
    static const unsigned digits[] = { X_NOT, X_NEG, X_MUL, X_IMUL1, X_DIV, X_IDIV };
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = widths2[wi];
        for (unsigned d = 0; d < 16; d++)
            for (unsigned s = 0; s < 16; s++) {
                start("x_imul(%u, %s, %s)", w, r64[d], r64[s]);
                x_imul(&xb, w, d, XR(s));
                expect("imul %s, %s", R(w, d), R(w, s));
            }
        for (unsigned i = 0; i < nsmallpairs; i++) {
            rmpair p = smallpairs[i];
            start("x_imul(%u, %s, %s)", w, r64[p.reg], M(w, p.m));
            x_imul(&xb, w, p.reg, p.m);
            EXPECT_M(p.m, "imul %s, %s", R(w, p.reg), M(w, p.m));
        }
        for (unsigned k = 0; k < 6; k++) {
            const char *nm = unaryname[digits[k]];
            for (unsigned n = 0; n < 16 + nfewmems; n++) {
                xop a = n < 16 ? XR(n) : fewmems[n - 16];
                start("x_unary(%u, %s, %s)", w, nm, OP(w, a));
                x_unary(&xb, w, digits[k], a);
                EXPECT_M(a, "%s %s", nm, OP(w, a));
            }
        }
    }
    start("x_cqo()");
    x_cqo(&xb);
    expect("cqo");
    start("x_cdq()");
    x_cdq(&xb);
    expect("cdq");
}

static void test_cc(void)
{
    for (unsigned cc = 0; cc < 16; cc++) {
        for (unsigned r = 0; r < 16; r++) {
            start("x_setcc(%s, %s)", ccname[cc], r64[r]);
            x_setcc(&xb, (enum xcc)cc, r);
            expect("set%s %s", ccname[cc], r8[r]);
        }
        for (unsigned wi = 0; wi < 2; wi++) {
            unsigned w = widths2[wi];
            for (unsigned d = 0; d < 16; d++)
                for (unsigned s = 0; s < 16; s++) {
                    start("x_cmov(%u, %s, %s, %s)", w, ccname[cc], r64[d], r64[s]);
                    x_cmov(&xb, w, (enum xcc)cc, d, XR(s));
                    expect("cmov%s %s, %s", ccname[cc], R(w, d), R(w, s));
                }
            for (unsigned i = 0; i < nfewmems; i++) {
                rmpair p = smallpairs[i * 16 + (i + cc) % 16];
                start("x_cmov(%u, %s, %s, %s)", w, ccname[cc], r64[p.reg], M(w, p.m));
                x_cmov(&xb, w, (enum xcc)cc, p.reg, p.m);
                EXPECT_M(p.m, "cmov%s %s, %s", ccname[cc], R(w, p.reg), M(w, p.m));
            }
        }
    }
}

static void test_bits(void)
{
    static const unsigned bits[] = { 0, 5, 9, 10, 31, 63 };
    static const struct { uint8_t op; const char *name; } f3[3] = {
        { 0xb8, "popcnt" }, { 0xbc, "tzcnt" }, { 0xbd, "lzcnt" },
    };
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = widths2[wi];
        for (unsigned r = 0; r < 16; r++) {
            start("x_bswap(%u, %s)", w, r64[r]);
            x_bswap(&xb, w, r);
            expect("bswap %s", R(w, r));
        }
        for (unsigned digit = 4; digit <= 7; digit++) {
            const char *nm = btname[digit];
            for (unsigned a = 0; a < 16; a++)
                for (unsigned r = 0; r < 16; r++) {
                    start("x_bt_reg(%u, %s, %s, %s)", w, nm, r64[a], r64[r]);
                    x_bt_reg(&xb, w, digit, XR(a), r);
                    expect("%s %s, %s", nm, R(w, a), R(w, r));
                }
            for (unsigned i = 0; i < nsmallpairs; i++) {
                rmpair p = smallpairs[i];
                start("x_bt_reg(%u, %s, %s, %s)", w, nm, M(w, p.m), r64[p.reg]);
                x_bt_reg(&xb, w, digit, p.m, p.reg);
                EXPECT_M(p.m, "%s %s, %s", nm, M(w, p.m), R(w, p.reg));
            }
            for (unsigned n = 0; n < 16 + nfewmems; n++) {
                xop a = n < 16 ? XR(n) : fewmems[n - 16];
                for (unsigned k = 0; k < sizeof(bits) / sizeof(bits[0]); k++) {
                    if (bits[k] >= w)
                        continue;
                    start("x_bt_imm(%u, %s, %s, %u)", w, nm, OP(w, a), bits[k]);
                    x_bt_imm(&xb, w, digit, a, bits[k]);
                    EXPECT_M(a, "%s %s, %s", nm, OP(w, a), U(bits[k]));
                }
            }
        }
        for (unsigned k = 0; k < 3; k++) {
            for (unsigned d = 0; d < 16; d++)
                for (unsigned s = 0; s < 16; s++) {
                    start("x_f3_op(%u, %s, %s, %s)", w, f3[k].name, r64[d], r64[s]);
                    x_f3_op(&xb, w, f3[k].op, d, XR(s));
                    expect("%s %s, %s", f3[k].name, R(w, d), R(w, s));
                }
            for (unsigned i = 0; i < nsmallpairs; i++) {
                rmpair p = smallpairs[i];
                start("x_f3_op(%u, %s, %s, %s)", w, f3[k].name, r64[p.reg], M(w, p.m));
                x_f3_op(&xb, w, f3[k].op, p.reg, p.m);
                EXPECT_M(p.m, "%s %s, %s", f3[k].name, R(w, p.reg), M(w, p.m));
            }
        }
        for (unsigned d = 0; d < 16; d++)
            for (unsigned s1 = 0; s1 < 16; s1++) {
                for (unsigned s2 = 0; s2 < 16; s2++) {
                    start("x_andn(%u, %s, %s, %s)", w, r64[d], r64[s1], r64[s2]);
                    x_andn(&xb, w, d, s1, XR(s2));
                    expect("andn %s, %s, %s", R(w, d), R(w, s1), R(w, s2));
                }
                for (unsigned i = 0; i < nfewmems; i++) {
                    xop m = fewmems[i];
                    start("x_andn(%u, %s, %s, %s)", w, r64[d], r64[s1], M(w, m));
                    x_andn(&xb, w, d, s1, m);
                    EXPECT_M(m, "andn %s, %s, %s", R(w, d), R(w, s1), M(w, m));
                }
            }
    }
}

/* rel32/rel8 jumps placed mid-buffer and patched forwards, backwards and to themselves */
static void test_jumps(void)
{
    uint8_t *at = code + 200;
    for (unsigned cc = 0; cc <= 16; cc++) {      /* 16: the unconditional jump */
        const char *nm = cc == 16 ? "jmp" : ccname[cc];
        char mn[8];
        snprintf(mn, sizeof(mn), "%s%s", cc == 16 ? "" : "j", nm);
        unsigned len32 = cc == 16 ? 5 : 6;
        uint8_t *t32[] = { code, at, at + len32, code + sizeof(code) - 1, at + len32 + 200 };
        for (unsigned k = 0; k < 5; k++) {
            start("x_%s32 patched to %+td", cc == 16 ? "jmp" : "jcc", t32[k] - (at + len32));
            xb_init(&xb, at, code + sizeof(code));
            uint8_t *d = cc == 16 ? x_jmp32(&xb) : x_jcc32(&xb, (enum xcc)cc);
            if (d != at + len32 - 4 || xb.p != at + len32) {
                fail("displacement at +%td, end at +%td", d - at, xb.p - at);
                continue;
            }
            x_patch32(d, t32[k]);
            expect("%s %s", mn, U((uintptr_t)t32[k]));
        }
        uint8_t *next = at + 2;
        uint8_t *t8[] = { next - 128, next + 127, at, next, next - 1 };
        for (unsigned k = 0; k < 5; k++) {
            start("x_%s8 patched to %+td", cc == 16 ? "jmp" : "jcc", t8[k] - next);
            xb_init(&xb, at, code + sizeof(code));
            uint8_t *d = cc == 16 ? x_jmp8(&xb) : x_jcc8(&xb, (enum xcc)cc);
            if (d != at + 1 || xb.p != next) {
                fail("displacement at +%td, end at +%td", d - at, xb.p - at);
                continue;
            }
            x_patch8(d, t8[k]);
            expect("%s %s", mn, U((uintptr_t)t8[k]));
        }
    }
    for (unsigned r = 0; r < 16; r++) {
        start("x_jmp_ind(%s)", r64[r]);
        x_jmp_ind(&xb, XR(r));
        expect("jmp %s", r64[r]);
        start("x_call_ind(%s)", r64[r]);
        x_call_ind(&xb, XR(r));
        expect("call %s", r64[r]);
        start("x_push(%s)", r64[r]);
        x_push(&xb, r);
        expect("push %s", r64[r]);
        start("x_pop(%s)", r64[r]);
        x_pop(&xb, r);
        expect("pop %s", r64[r]);
    }
    for (unsigned i = 0; i < nallmems; i++) {
        xop m = allmems[i];
        start("x_jmp_ind(%s)", M(64, m));
        x_jmp_ind(&xb, m);
        EXPECT_M(m, "jmp %s", M(64, m));
        start("x_call_ind(%s)", M(64, m));
        x_call_ind(&xb, m);
        EXPECT_M(m, "call %s", M(64, m));
    }
    start("x_ret()");
    x_ret(&xb);
    expect("ret");
    start("x_mfence()");
    x_mfence(&xb);
    expect("mfence");
    start("x_ud2()");
    x_ud2(&xb);
    expect("ud2");
}

/* padding reaches the requested alignment (less than one `align` of it) and is all NOPs */
static void test_align(void)
{
    for (unsigned align = 1; align <= 64; align *= 2)
        for (unsigned from = 0; from < align; from++)
            for (unsigned offset = 0; offset < align; offset++) {
                start("x_align(%u, %u) from +%u", align, offset, from);
                cases++;
                xb_init(&xb, code + from, code + sizeof(code));
                x_align(&xb, align, offset);
                size_t pad = (size_t)(xb.p - xb.start);
                if (xb.full || ((uintptr_t)xb.p - offset) % align || pad >= align) {
                    fail("ends at +%td", xb.p - code);
                    continue;
                }
                cs_insn *insn = NULL;
                size_t n = pad ? cs_disasm(cs, xb.start, pad, (uintptr_t)xb.start, 0, &insn) : 0;
                size_t covered = 0;
                bool nops = true;
                for (size_t i = 0; i < n; i++) {
                    covered += insn[i].size;
                    nops &= !strcmp(insn[i].mnemonic, "nop");
                }
                if (n)
                    cs_free(insn, n);
                if (covered != pad || !nops || n > (pad + 7) / 8)
                    fail("%zu bytes of padding are not %zu NOP%s", pad, (pad + 7) / 8,
                         pad > 8 ? "s" : "");
            }
}

/* ---- full buffers ---- */

static void e_mov(xbuf *b) { x_mov(b, 16, XMI(R13, R12, 3, 0x12345678), XR(RSI)); }
static void e_mov_imm32(xbuf *b) { x_mov_imm(b, R9, 0x89abcdef); }
static void e_mov_imm_sx(xbuf *b) { x_mov_imm(b, R9, 0xffffffff89abcdefull); }
static void e_mov_imm64(xbuf *b) { x_mov_imm(b, R15, 0x123456789abcdef0ull); }
static void e_store_imm(xbuf *b) { x_mov_store_imm(b, 64, XMI(R12, R13, 2, -0x1000), -5); }
static void e_store_imm16(xbuf *b) { x_mov_store_imm(b, 16, XM(RSP, 0x10), 0x1234); }
static void e_movzx(xbuf *b) { x_movzx(b, 8, R10, XR(RDI)); }
static void e_movsx(xbuf *b) { x_movsx(b, 32, RAX, XM(RBP, -8)); }
static void e_lea(xbuf *b) { x_lea(b, R11, XMI(XNONE, RCX, 3, 0x100)); }
static void e_alu(xbuf *b) { x_alu(b, 64, ALU_SUB, XR(RAX), XR(R8)); }
static void e_alu_imm(xbuf *b) { x_alu_imm(b, 64, ALU_CMP, XMI(R13, RAX, 1, 0x1000), 0x12345); }
static void e_test(xbuf *b) { x_test(b, 32, XR(RCX), RDX); }
static void e_test_imm(xbuf *b) { x_test_imm(b, 64, XM(R12, 0x200), 0x40000); }
static void e_shift_imm(xbuf *b) { x_shift_imm(b, 64, SH_SAR, XR(R14), 7); }
static void e_shift_1(xbuf *b) { x_shift_imm(b, 32, SH_SHL, XR(RBX), 1); }
static void e_shift_cl(xbuf *b) { x_shift_cl(b, 64, SH_ROR, XM(RAX, 0)); }
static void e_imul(xbuf *b) { x_imul(b, 64, R9, XMI(RBX, R12, 3, -0x80)); }
static void e_unary(xbuf *b) { x_unary(b, 64, X_IDIV, XR(R10)); }
static void e_cqo(xbuf *b) { x_cqo(b); }
static void e_cdq(xbuf *b) { x_cdq(b); }
static void e_setcc(xbuf *b) { x_setcc(b, CC_NE, RSI); }
static void e_cmov(xbuf *b) { x_cmov(b, 64, CC_G, R15, XM(R13, 0x7fff)); }
static void e_bswap(xbuf *b) { x_bswap(b, 64, R8); }
static void e_bt_reg(xbuf *b) { x_bt_reg(b, 64, 5, XR(RAX), R9); }
static void e_bt_imm(xbuf *b) { x_bt_imm(b, 64, 7, XMI(RSP, R11, 2, 0x44444), 33); }
static void e_f3(xbuf *b) { x_f3_op(b, 64, 0xbd, R12, XMI(R13, R14, 3, -0x12345)); }
static void e_andn(xbuf *b) { x_andn(b, 64, R8, R9, XMI(R10, R11, 1, 0x1000)); }
static void e_jcc32(xbuf *b) { x_jcc32(b, CC_LE); }
static void e_jmp32(xbuf *b) { x_jmp32(b); }
static void e_jcc8(xbuf *b) { x_jcc8(b, CC_B); }
static void e_jmp8(xbuf *b) { x_jmp8(b); }
static void e_jmp_ind(xbuf *b) { x_jmp_ind(b, XM(R12, 0x100)); }
static void e_call_ind(xbuf *b) { x_call_ind(b, XR(R11)); }
static void e_push(xbuf *b) { x_push(b, R12); }
static void e_pop(xbuf *b) { x_pop(b, R13); }
static void e_ret(xbuf *b) { x_ret(b); }
static void e_mfence(xbuf *b) { x_mfence(b); }
static void e_ud2(xbuf *b) { x_ud2(b); }
static void e_align(xbuf *b) { x_align(b, 32, 13); }    /* 13 bytes from an aligned start */
static void e_byte(xbuf *b) { x_byte(b, 0xab); }
static void e_u32(xbuf *b) { x_u32(b, 0x01234567); }
static void e_u64(xbuf *b) { x_u64(b, 0x0123456789abcdefull); }

static const struct { const char *name; void (*fn)(xbuf *); } emitters[] = {
    { "x_mov", e_mov }, { "x_mov_imm imm32", e_mov_imm32 }, { "x_mov_imm simm32", e_mov_imm_sx },
    { "x_mov_imm imm64", e_mov_imm64 }, { "x_mov_store_imm 64", e_store_imm },
    { "x_mov_store_imm 16", e_store_imm16 }, { "x_movzx", e_movzx }, { "x_movsx", e_movsx },
    { "x_lea", e_lea }, { "x_alu", e_alu }, { "x_alu_imm", e_alu_imm }, { "x_test", e_test },
    { "x_test_imm", e_test_imm }, { "x_shift_imm", e_shift_imm }, { "x_shift_imm 1", e_shift_1 },
    { "x_shift_cl", e_shift_cl }, { "x_imul", e_imul }, { "x_unary", e_unary },
    { "x_cqo", e_cqo }, { "x_cdq", e_cdq }, { "x_setcc", e_setcc }, { "x_cmov", e_cmov },
    { "x_bswap", e_bswap }, { "x_bt_reg", e_bt_reg }, { "x_bt_imm", e_bt_imm },
    { "x_f3_op", e_f3 }, { "x_andn", e_andn }, { "x_jcc32", e_jcc32 }, { "x_jmp32", e_jmp32 },
    { "x_jcc8", e_jcc8 }, { "x_jmp8", e_jmp8 }, { "x_jmp_ind", e_jmp_ind },
    { "x_call_ind", e_call_ind }, { "x_push", e_push }, { "x_pop", e_pop }, { "x_ret", e_ret },
    { "x_mfence", e_mfence }, { "x_ud2", e_ud2 }, { "x_align", e_align },
    { "x_byte", e_byte }, { "x_u32", e_u32 }, { "x_u64", e_u64 },
};

/*
 * Every emitter into every buffer size from 0 to a little past its length: too small
 * must set `full`; nothing may be written at or past `end`; a full buffer takes no more
 * bytes; and with room to spare the bytes are the same as in a large buffer.
 */
static void test_full(void)
{
    static _Alignas(64) uint8_t area[128];
    for (unsigned e = 0; e < sizeof(emitters) / sizeof(emitters[0]); e++) {
        uint8_t ref[64];
        xbuf b;
        memset(area, 0, sizeof(area));
        xb_init(&b, area, area + sizeof(area));
        emitters[e].fn(&b);
        size_t len = (size_t)(b.p - area);
        memcpy(ref, area, len);
        snprintf(what, sizeof(what), "%s", emitters[e].name);
        xb_init(&xb, area, area);
        if (b.full || len == 0 || len > 16) {
            fail("emits %zu bytes into a large buffer%s", len, b.full ? ", full" : "");
            continue;
        }
        for (size_t n = 0; n <= len + 16; n++) {
            cases++;
            snprintf(what, sizeof(what), "%s into %zu of its %zu bytes", emitters[e].name, n, len);
            memset(area, 0xcc, sizeof(area));
            xb_init(&b, area, area + n);
            xb_init(&xb, area, area);   /* so fail() prints no bytes */
            emitters[e].fn(&b);
            bool clean = true;
            for (size_t i = n; i < sizeof(area); i++)
                clean &= area[i] == 0xcc;
            if (!clean || b.p > b.end || b.p < area)
                fail("wrote past the end");
            else if (n < len && !b.full)
                fail("not marked full");
            else if (!b.full && ((size_t)(b.p - area) != len || memcmp(area, ref, len)))
                fail("different bytes from a large buffer");
            else if (n == len + 16 && b.full)
                fail("marked full with 16 bytes to spare");
            else if (b.full) {
                /* nothing more goes into a full buffer, even what would fit */
                uint8_t *p = b.p;
                b.end = area + sizeof(area);
                x_ret(&b);
                x_cqo(&b);
                x_alu(&b, 32, ALU_ADD, XR(RAX), XR(RCX));
                if (b.p != p || !b.full)
                    fail("a full buffer took more bytes");
            }
        }
    }
}

/*
 * Regressions of encoder bugs this test found: 8-bit stores of an immediate to
 * SPL..DIL (needed a REX prefix), ANDN with a base-less memory operand (needs the SIB
 * no-base form), and jumps into a buffer that fills part-way, whose returned
 * displacement must be safe to patch: inside the buffer, or a scratch word outside it.
 */
static void test_regressions(void)
{
    for (unsigned r = RSP; r <= RDI; r++) {
        start("x_mov_store_imm(8, %s, 0x12)", r64[r]);
        x_mov_store_imm(&xb, 8, XR(r), 0x12);
        expect("mov %s, 0x12", r8[r]);
    }
    xop ms[3] = { XM(XNONE, 0x2000), XMI(XNONE, RCX, 2, 0x1000), XMI(XNONE, R9, 3, -0x10) };
    for (unsigned i = 0; i < 3; i++) {
        start("x_andn(64, rax, rcx, %s)", M(64, ms[i]));
        x_andn(&xb, 64, RAX, RCX, ms[i]);
        EXPECT_M(ms[i], "andn rax, rcx, %s", M(64, ms[i]));
    }
    static const char *const jname[4] = { "x_jcc32", "x_jmp32", "x_jcc8", "x_jmp8" };
    static const unsigned jlen[4] = { 6, 5, 2, 2 }, dlen[4] = { 4, 4, 1, 1 };
    static uint8_t area[32];
    for (unsigned k = 0; k < 4; k++)
        for (unsigned n = 0; n < jlen[k]; n++) {
            cases++;
            snprintf(what, sizeof(what), "%s into %u of its %u bytes", jname[k], n, jlen[k]);
            memset(area, 0xaa, sizeof(area));
            xb_init(&xb, area, area + n);
            uint8_t *d = k == 0 ? x_jcc32(&xb, CC_E) : k == 1 ? x_jmp32(&xb) :
                         k == 2 ? x_jcc8(&xb, CC_E) : x_jmp8(&xb);
            bool inside = d >= area && d + dlen[k] <= xb.end;
            bool outside = d + dlen[k] <= area || d >= area + sizeof(area);
            if (!inside && !outside)
                fail("returns a displacement at +%td, whose patch ends %td bytes past the end",
                     d - area, d + dlen[k] - xb.end);
            if (dlen[k] == 4)
                x_patch32(d, area);
            else
                x_patch8(d, area);
            for (unsigned i = n; i < sizeof(area); i++)
                if (area[i] != 0xaa) {
                    fail("patching wrote past the end of the buffer");
                    break;
                }
        }
}

int main(void)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        printf("FAIL cannot open capstone\n");
        return 1;
    }
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    build_operands();

    test_mov();
    test_mov_imm();
    test_mov_store_imm();
    test_movx();
    test_lea();
    test_alu();
    test_test();
    test_shift();
    test_mul_div();
    test_cc();
    test_bits();
    test_jumps();
    test_align();
    test_full();
    test_regressions();

    cs_close(&cs);
    if (failures)
        printf("%d failures in %d cases%s\n", failures, cases,
               failures > MAX_SHOWN ? " (only the first " XSTR(MAX_SHOWN) " shown)" : "");
    else
        printf("%d encoder cases checked\n", cases);
    return failures ? 1 : 0;
}
