/*
 * Unit tests of cpu/riscv/fpu.c, the RISC-V F/D arithmetic library.
 *
 * 1. Targeted vectors: every operation in all five rounding modes on ties (RNE vs RMM),
 *    overflow to infinity or the largest finite value, tininess after rounding,
 *    signed zeros, NaN handling, fmin/fmax, comparisons, fclass, the saturating
 *    conversions of the spec's table, and fused single rounding.
 * 2. Reference vectors recorded from QEMU's softfloat (qemu-riscv64 running fadd.s
 *    etc. with each frm value) on randomly generated hard inputs: ties, underflow,
 *    overflow, invalid, exact zeros. They guard the slow and fast paths alike.
 * 3. Properties on random inputs: the five modes' results must bracket each other
 *    (RDN <= RNE, RMM, RTZ <= RUP, at most one ulp apart, same NX/NV/DZ). RMM takes
 *    fpu.c's wide software route and the others the host route, so this compares
 *    the two.
 * 4. Results do not depend on the host's floating-point environment (rounding mode,
 *    sticky flags, x86's FTZ/DAZ), and the default one is what each call leaves.
 */
#include "cpu/riscv/fpu.h"
#include <fenv.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int failures, checks;

enum {
    S_ADD, S_SUB, S_MUL, S_DIV, S_SQRT, S_FMADD, S_FMSUB, S_FNMSUB, S_FNMADD,
    S_MIN, S_MAX, S_EQ, S_LT, S_LE, S_CLASS, S_TOW, S_TOWU, S_TOL, S_TOLU,
    S_FROMW, S_FROMWU, S_FROML, S_FROMLU,
    D_ADD, D_SUB, D_MUL, D_DIV, D_SQRT, D_FMADD, D_FMSUB, D_FNMSUB, D_FNMADD,
    D_MIN, D_MAX, D_EQ, D_LT, D_LE, D_CLASS, D_TOW, D_TOWU, D_TOL, D_TOLU,
    D_FROMW, D_FROMWU, D_FROML, D_FROMLU, S_TOD, D_TOS,
    S_SGNJ, S_SGNJN, S_SGNJX, D_SGNJ, D_SGNJN, D_SGNJX,
    NOPS
};
static const char *const opname[NOPS] = {
    "fadd.s", "fsub.s", "fmul.s", "fdiv.s", "fsqrt.s", "fmadd.s", "fmsub.s", "fnmsub.s",
    "fnmadd.s", "fmin.s", "fmax.s", "feq.s", "flt.s", "fle.s", "fclass.s", "fcvt.w.s",
    "fcvt.wu.s", "fcvt.l.s", "fcvt.lu.s", "fcvt.s.w", "fcvt.s.wu", "fcvt.s.l", "fcvt.s.lu",
    "fadd.d", "fsub.d", "fmul.d", "fdiv.d", "fsqrt.d", "fmadd.d", "fmsub.d", "fnmsub.d",
    "fnmadd.d", "fmin.d", "fmax.d", "feq.d", "flt.d", "fle.d", "fclass.d", "fcvt.w.d",
    "fcvt.wu.d", "fcvt.l.d", "fcvt.lu.d", "fcvt.d.w", "fcvt.d.wu", "fcvt.d.l", "fcvt.d.lu",
    "fcvt.d.s", "fcvt.s.d",
    "fsgnj.s", "fsgnjn.s", "fsgnjx.s", "fsgnj.d", "fsgnjn.d", "fsgnjx.d",
};

/* Run one operation as the interpreter would; the result as the destination register
 * holds it (single results in the low 32 bits, integer results sign-extended). */
static uint64_t run(int op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, c32 = (uint32_t)c;
    switch (op) {
    case S_ADD: return f32_add(a32, b32, rm, fl);
    case S_SUB: return f32_sub(a32, b32, rm, fl);
    case S_MUL: return f32_mul(a32, b32, rm, fl);
    case S_DIV: return f32_div(a32, b32, rm, fl);
    case S_SQRT: return f32_sqrt(a32, rm, fl);
    case S_FMADD: return f32_fmadd(a32, b32, c32, rm, fl);
    case S_FMSUB: return f32_fmsub(a32, b32, c32, rm, fl);
    case S_FNMSUB: return f32_fnmsub(a32, b32, c32, rm, fl);
    case S_FNMADD: return f32_fnmadd(a32, b32, c32, rm, fl);
    case S_MIN: return f32_min(a32, b32, fl);
    case S_MAX: return f32_max(a32, b32, fl);
    case S_EQ: return f32_eq(a32, b32, fl);
    case S_LT: return f32_lt(a32, b32, fl);
    case S_LE: return f32_le(a32, b32, fl);
    case S_CLASS: return f32_classify(a32);
    case S_TOW: return (uint64_t)f32_to_i32(a32, rm, fl);
    case S_TOWU: return (uint64_t)f32_to_u32(a32, rm, fl);
    case S_TOL: return (uint64_t)f32_to_i64(a32, rm, fl);
    case S_TOLU: return (uint64_t)f32_to_u64(a32, rm, fl);
    case S_FROMW: return i32_to_f32((int32_t)a32, rm, fl);
    case S_FROMWU: return u32_to_f32(a32, rm, fl);
    case S_FROML: return i64_to_f32((int64_t)a, rm, fl);
    case S_FROMLU: return u64_to_f32(a, rm, fl);
    case D_ADD: return f64_add(a, b, rm, fl);
    case D_SUB: return f64_sub(a, b, rm, fl);
    case D_MUL: return f64_mul(a, b, rm, fl);
    case D_DIV: return f64_div(a, b, rm, fl);
    case D_SQRT: return f64_sqrt(a, rm, fl);
    case D_FMADD: return f64_fmadd(a, b, c, rm, fl);
    case D_FMSUB: return f64_fmsub(a, b, c, rm, fl);
    case D_FNMSUB: return f64_fnmsub(a, b, c, rm, fl);
    case D_FNMADD: return f64_fnmadd(a, b, c, rm, fl);
    case D_MIN: return f64_min(a, b, fl);
    case D_MAX: return f64_max(a, b, fl);
    case D_EQ: return f64_eq(a, b, fl);
    case D_LT: return f64_lt(a, b, fl);
    case D_LE: return f64_le(a, b, fl);
    case D_CLASS: return f64_classify(a);
    case D_TOW: return (uint64_t)f64_to_i32(a, rm, fl);
    case D_TOWU: return (uint64_t)f64_to_u32(a, rm, fl);
    case D_TOL: return (uint64_t)f64_to_i64(a, rm, fl);
    case D_TOLU: return (uint64_t)f64_to_u64(a, rm, fl);
    case D_FROMW: return i32_to_f64((int32_t)a32, rm, fl);
    case D_FROMWU: return u32_to_f64(a32, rm, fl);
    case D_FROML: return i64_to_f64((int64_t)a, rm, fl);
    case D_FROMLU: return u64_to_f64(a, rm, fl);
    case S_TOD: return f32_to_f64(a32, fl);
    case D_TOS: return f64_to_f32(a, rm, fl);
    case S_SGNJ: return f32_sgnj(a32, b32);
    case S_SGNJN: return f32_sgnjn(a32, b32);
    case S_SGNJX: return f32_sgnjx(a32, b32);
    case D_SGNJ: return f64_sgnj(a, b);
    case D_SGNJN: return f64_sgnjn(a, b);
    default: return f64_sgnjx(a, b);
    }
}

/* A test vector: operands, then the result and flags for rm = RNE, RTZ, RDN, RUP,
 * RMM (operations without a rounding mode give the same in every column). */
typedef struct vec {
    int op;
    uint64_t a, b, c;
    uint64_t r[5];
    uint8_t fl[5];
    int line;
} vec;
#define VF(op, a, b, c, r0, r1, r2, r3, r4, f0, f1, f2, f3, f4) \
    { op, a, b, c, { r0, r1, r2, r3, r4 }, { f0, f1, f2, f3, f4 }, __LINE__ }
#define V(op, a, b, c, r0, r1, r2, r3, r4, f) VF(op, a, b, c, r0, r1, r2, r3, r4, f, f, f, f, f)
#define V1(op, a, b, c, r, f) V(op, a, b, c, r, r, r, r, r, f)

enum { NX = FFLAG_NX, UF = FFLAG_UF, OF = FFLAG_OF, DZ = FFLAG_DZ, NV = FFLAG_NV };
#define I(x) ((uint64_t)(int64_t)(x))   /* an integer result as the x register holds it */

/* single */
#define S1 0x3f800000u            /* 1.0 */
#define SM1 0xbf800000u           /* -1.0 */
#define S2 0x40000000u            /* 2.0 */
#define SHALF 0x3f000000u         /* 0.5 */
#define SMAX 0x7f7fffffu          /* largest finite */
#define SMIN 0x00800000u          /* smallest normal, 2^-126 */
#define SSUB 0x00000001u          /* smallest subnormal, 2^-149 */
#define SINF 0x7f800000u
#define SNINF 0xff800000u
#define SQNAN F32_CANONICAL_NAN
#define SSNAN 0x7f800001u
#define SNZ 0x80000000u           /* -0.0 */
/* double */
#define D1 0x3ff0000000000000ull
#define DM1 0xbff0000000000000ull
#define D2 0x4000000000000000ull
#define DHALF 0x3fe0000000000000ull
#define DMAX 0x7fefffffffffffffull
#define DMIN 0x0010000000000000ull
#define DSUB 0x0000000000000001ull
#define DINF 0x7ff0000000000000ull
#define DNINF 0xfff0000000000000ull
#define DQNAN F64_CANONICAL_NAN
#define DSNAN 0x7ff0000000000001ull
#define DNZ 0x8000000000000000ull

/* Expected values worked out by hand, each also confirmed on qemu-riscv64. */
static const vec targeted[] = {
    /* ---- add/sub: ties (RNE to even, RMM away), sticky bits, exact zeros ---- */
    /* 1 + 2^-24 is half an ulp above 1: even is below */
    V(S_ADD, S1, 0x33800000, 0, S1, S1, S1, 0x3f800001, 0x3f800001, NX),
    V(S_SUB, S1, 0xb3800000, 0, S1, S1, S1, 0x3f800001, 0x3f800001, NX),
    /* (1 + 2^-23) + 2^-24: half an ulp, even is above */
    V(S_ADD, 0x3f800001, 0x33800000, 0, 0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002, NX),
    V(S_ADD, SM1, 0xb3800000, 0, SM1, SM1, 0xbf800001, SM1, 0xbf800001, NX),
    /* a little over and under half an ulp */
    V(S_ADD, S1, 0x33820000, 0, 0x3f800001, S1, S1, 0x3f800001, 0x3f800001, NX),
    V(S_ADD, S1, 0x33000000, 0, S1, S1, S1, 0x3f800001, S1, NX),
    /* far-away operands leave only a sticky bit */
    V(S_SUB, S1, SSUB, 0, S1, 0x3f7fffff, 0x3f7fffff, S1, S1, NX),
    V(D_ADD, D1, DSUB, 0, D1, D1, D1, D1 + 1, D1, NX),
    V(D_SUB, D1, DSUB, 0, D1, 0x3fefffffffffffff, 0x3fefffffffffffff, D1, D1, NX),
    V(D_ADD, D1, 0x3ca0000000000000, 0, D1, D1, D1, D1 + 1, D1 + 1, NX),
    V(D_SUB, DM1, 0x3ca0000000000000, 0, DM1, DM1, DM1 + 1, DM1, DM1 + 1, NX),
    V1(S_ADD, S1, S1, 0, S2, 0),
    V1(D_SUB, 0x3ff0000000000001, D1, 0, 0x3cb0000000000000, 0),     /* exact cancellation */
    /* x - x and x + -x are +0, but -0 when rounding down */
    V(S_SUB, S1, S1, 0, 0, 0, SNZ, 0, 0, 0),
    V(S_ADD, 0x40490fdb, 0xc0490fdb, 0, 0, 0, SNZ, 0, 0, 0),
    V(D_SUB, 0x400921fb54442d18, 0x400921fb54442d18, 0, 0, 0, DNZ, 0, 0, 0),
    V(D_ADD, DM1, D1, 0, 0, 0, DNZ, 0, 0, 0),
    V(S_ADD, 0, SNZ, 0, 0, 0, SNZ, 0, 0, 0),
    V1(S_ADD, SNZ, SNZ, 0, SNZ, 0),
    V1(S_SUB, SNZ, 0, 0, SNZ, 0),
    V1(D_ADD, DNZ, DNZ, 0, DNZ, 0),
    V1(D_ADD, 0, 0, 0, 0, 0),
    /* sums of subnormals are exact: no underflow */
    V1(S_ADD, SSUB, SSUB, 0, 0x00000002, 0),
    V1(S_SUB, SMIN, SSUB, 0, 0x007fffff, 0),
    V1(D_SUB, DMIN, DSUB, 0, 0x000fffffffffffff, 0),
    /* overflow: infinity or the largest finite value, by mode and sign */
    V(S_ADD, SMAX, SMAX, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX),
    V(S_SUB, 0xff7fffff, SMAX, 0, SNINF, 0xff7fffff, SNINF, 0xff7fffff, SNINF, OF | NX),
    V(D_ADD, DMAX, DMAX, 0, DINF, DMAX, DMAX, DINF, DINF, OF | NX),
    V(D_ADD, 0xffefffffffffffff, 0xffefffffffffffff, 0,
      DNINF, 0xffefffffffffffff, DNINF, 0xffefffffffffffff, DNINF, OF | NX),
    /* max + half an ulp: a tie whose even neighbour is 2^128, so RNE overflows */
    VF(S_ADD, SMAX, 0x73000000, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX, NX, NX, OF | NX, OF | NX),
    VF(D_ADD, DMAX, 0x7c90000000000000, 0, DINF, DMAX, DMAX, DINF, DINF, OF | NX, NX, NX, OF | NX, OF | NX),
    /* max + a quarter ulp only overflows rounding up */
    VF(S_ADD, SMAX, 0x72800000, 0, SMAX, SMAX, SMAX, SINF, SMAX, NX, NX, NX, OF | NX, NX),
    /* infinities and NaNs */
    V1(S_SUB, SINF, SINF, 0, SQNAN, NV),
    V1(S_ADD, SINF, SNINF, 0, SQNAN, NV),
    V1(D_ADD, DNINF, DINF, 0, DQNAN, NV),
    V1(S_ADD, SNINF, SMAX, 0, SNINF, 0),
    V1(D_SUB, DINF, DNINF, 0, DINF, 0),
    V1(S_ADD, 0x7fc12345, S1, 0, SQNAN, 0),          /* payloads are not propagated */
    V1(S_SUB, 0xffffffff, S1, 0, SQNAN, 0),          /* nor signs */
    V1(S_ADD, SSNAN, S1, 0, SQNAN, NV),
    V1(S_ADD, S1, 0xffa00000, 0, SQNAN, NV),
    V1(S_ADD, 0xffc00000, SSNAN, 0, SQNAN, NV),
    V1(D_ADD, DSNAN, D1, 0, DQNAN, NV),
    V1(D_SUB, 0x7ff8000000000001, DINF, 0, DQNAN, 0),
    V1(D_ADD, 0xfff8000000000000, 0xfff4000000000000, 0, DQNAN, NV),

    /* ---- mul ---- */
    /* 1.5 * (1 + 3*2^-23) = 1.5 + 4.5 ulp: a tie with an even lower neighbour */
    V(S_MUL, 0x3fc00000, 0x3f800003, 0, 0x3fc00004, 0x3fc00004, 0x3fc00004, 0x3fc00005, 0x3fc00005, NX),
    V(S_MUL, 0xbfc00000, 0x3f800003, 0, 0xbfc00004, 0xbfc00004, 0xbfc00005, 0xbfc00004, 0xbfc00005, NX),
    V(D_MUL, 0x3ff8000000000000, 0x3ff0000000000003, 0,
      0x3ff8000000000004, 0x3ff8000000000004, 0x3ff8000000000004, 0x3ff8000000000005, 0x3ff8000000000005, NX),
    V(S_MUL, 0x7f000000, S2, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX),
    V(S_MUL, 0xff000000, S2, 0, SNINF, 0xff7fffff, SNINF, 0xff7fffff, SNINF, OF | NX),
    V(D_MUL, 0x7fe0000000000000, D2, 0, DINF, DMAX, DMAX, DINF, DINF, OF | NX),
    /*
     * Tininess after rounding. (1 - 2^-24) * 2^-126 is tiny in every mode (exact at 24
     * bits) and a tie between 0x007fffff and 2^-126: UF even where it rounds to 2^-126.
     */
    V(S_MUL, 0x3f7fffff, SMIN, 0, SMIN, 0x007fffff, 0x007fffff, SMIN, SMIN, UF | NX),
    /*
     * (1 - 2^-46) * 2^-126 rounds to 2^-126 at 24 bits in RNE/RUP/RMM, so it is not tiny
     * there (no UF, though below 2^-126 before rounding); RTZ/RDN make it tiny.
     */
    VF(S_MUL, 0x3f7ffffe, 0x00800001, 0, SMIN, 0x007fffff, 0x007fffff, SMIN, SMIN,
       NX, UF | NX, UF | NX, NX, NX),
    VF(D_MUL, 0x3feffffffffffffe, 0x0010000000000001, 0,
       DMIN, 0x000fffffffffffff, 0x000fffffffffffff, DMIN, DMIN, NX, UF | NX, UF | NX, NX, NX),
    /* exact subnormal results do not underflow */
    V1(S_MUL, SMIN, SHALF, 0, 0x00400000, 0),
    V1(D_MUL, DMIN, DHALF, 0, 0x0008000000000000, 0),
    /* half the smallest subnormal: a tie between 0 and it */
    V(S_MUL, SSUB, SHALF, 0, 0, 0, 0, SSUB, SSUB, UF | NX),
    V(S_MUL, 0x80000001, SHALF, 0, SNZ, SNZ, 0x80000001, SNZ, 0x80000001, UF | NX),
    V(S_MUL, SSUB, 0x3e800000, 0, 0, 0, 0, SSUB, 0, UF | NX),
    V(D_MUL, DSUB, DHALF, 0, 0, 0, 0, DSUB, DSUB, UF | NX),
    V1(S_MUL, SINF, SNZ, 0, SQNAN, NV),
    V1(D_MUL, 0, DNINF, 0, DQNAN, NV),
    V1(S_MUL, SNZ, S1, 0, SNZ, 0),
    V1(S_MUL, SNZ, SM1, 0, 0, 0),
    V1(D_MUL, DINF, 0xc000000000000000, 0, DNINF, 0),
    V1(D_MUL, DSNAN, 0, 0, DQNAN, NV),

    /* ---- div ---- */
    V(S_DIV, S1, 0x40400000, 0, 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab, NX),
    V(S_DIV, SM1, 0x40400000, 0, 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab, 0xbeaaaaaa, 0xbeaaaaab, NX),
    V(D_DIV, D1, 0x4008000000000000, 0,
      0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555556, 0x3fd5555555555555, NX),
    /* 5 * 2^-149 / 2: a subnormal tie */
    V(S_DIV, 0x00000005, S2, 0, 2, 2, 2, 3, 3, UF | NX),
    V(D_DIV, 0x0000000000000005, D2, 0, 2, 2, 2, 3, 3, UF | NX),
    V(S_DIV, SMAX, SHALF, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX),
    V(D_DIV, 0xffefffffffffffff, DHALF, 0, DNINF, 0xffefffffffffffff, DNINF, 0xffefffffffffffff, DNINF, OF | NX),
    V1(S_DIV, 0x40c00000, 0x40400000, 0, S2, 0),
    V1(S_DIV, S1, 0, 0, SINF, DZ),
    V1(S_DIV, S1, SNZ, 0, SNINF, DZ),
    V1(S_DIV, SM1, SNZ, 0, SINF, DZ),
    V1(D_DIV, DM1, 0, 0, DNINF, DZ),
    V1(S_DIV, 0, 0, 0, SQNAN, NV),                    /* NV, not DZ */
    V1(S_DIV, SINF, SNINF, 0, SQNAN, NV),
    V1(S_DIV, SINF, 0, 0, SINF, 0),                   /* infinity is exact: no DZ */
    V1(S_DIV, SNZ, SINF, 0, SNZ, 0),
    V1(D_DIV, D1, DNINF, 0, DNZ, 0),
    V1(D_DIV, DSNAN, 0, 0, DQNAN, NV),
    V1(D_DIV, 0x7ff8000000000000, 0, 0, DQNAN, 0),

    /* ---- sqrt: never a tie, so RMM agrees with RNE ---- */
    V(S_SQRT, S2, 0, 0, 0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3, NX),
    V(D_SQRT, D2, 0, 0,
      0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd, NX),
    V1(S_SQRT, 0x40800000, 0, 0, S2, 0),
    V1(S_SQRT, 0x00000002, 0, 0, 0x1a800000, 0),      /* sqrt(2^-148) = 2^-74 */
    V1(D_SQRT, DSUB, 0, 0, 0x1e60000000000000, 0),    /* sqrt(2^-1074) = 2^-537 */
    V1(S_SQRT, SNZ, 0, 0, SNZ, 0),
    V1(D_SQRT, DNZ, 0, 0, DNZ, 0),
    V1(S_SQRT, SM1, 0, 0, SQNAN, NV),
    V1(S_SQRT, 0x80000001, 0, 0, SQNAN, NV),
    V1(S_SQRT, SNINF, 0, 0, SQNAN, NV),
    V1(S_SQRT, SINF, 0, 0, SINF, 0),
    V1(S_SQRT, SSNAN, 0, 0, SQNAN, NV),
    V1(S_SQRT, 0xffc00000, 0, 0, SQNAN, 0),
    V1(D_SQRT, DM1, 0, 0, DQNAN, NV),
    V1(D_SQRT, DSNAN, 0, 0, DQNAN, NV),

    /* ---- fused multiply-add: one rounding ---- */
    /*
     * (1 + 2^-23)^2 + (2^-24 - 2^-46) = 1 + 2^-22 + 2^-24 exactly: a tie. Rounding the
     * product first would lose the 2^-46 and fall below the tie (RMM 0x3f800002).
     */
    V(S_FMADD, 0x3f800001, 0x3f800001, 0x337ffffc, 0x3f800002, 0x3f800002, 0x3f800002, 0x3f800003, 0x3f800003, NX),
    V(D_FMADD, 0x3ff0000000000001, 0x3ff0000000000001, 0x3c9ffffffffffffc,
      0x3ff0000000000002, 0x3ff0000000000002, 0x3ff0000000000002, 0x3ff0000000000003, 0x3ff0000000000003, NX),
    /* (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105, exact (a separate multiply gives 2^-52) */
    V1(D_FMADD, 0x3ff0000000000001, 0x3fefffffffffffff, DM1, 0x3c9ffffffffffffe, 0),
    V1(S_FMADD, 0x3f800001, 0x3f7fffff, SM1, 0x337ffffe, 0),
    V1(S_FMADD, 0x3f800001, 0x3f7ffffe, SM1, 0xa8800000, 0),
    /* 2*max - max: the product overflows only if rounded */
    V1(S_FMADD, SMAX, S2, 0xff7fffff, SMAX, 0),
    V1(D_FMSUB, DMAX, D2, DMAX, DMAX, 0),
    V(S_FMADD, SMAX, S2, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX),
    /* a tiny product only leaves a sticky bit */
    V(S_FMADD, SSUB, SSUB, S1, S1, S1, S1, 0x3f800001, S1, NX),
    V(S_FNMSUB, SSUB, SSUB, S1, S1, 0x3f7fffff, 0x3f7fffff, S1, S1, NX),
    V(D_FMADD, DSUB, DSUB, DM1, DM1, 0xbfefffffffffffff, DM1, 0xbfefffffffffffff, DM1, NX),
    /* tininess after rounding, through the fused path */
    VF(S_FMADD, 0x3f7ffffe, 0x00800001, SNZ, SMIN, 0x007fffff, 0x007fffff, SMIN, SMIN,
       NX, UF | NX, UF | NX, NX, NX),
    VF(D_FMADD, 0x3feffffffffffffe, 0x0010000000000001, 0,
       DMIN, 0x000fffffffffffff, 0x000fffffffffffff, DMIN, DMIN, NX, UF | NX, UF | NX, NX, NX),
    V(D_FNMADD, DSUB, DHALF, 0, DNZ, DNZ, 0x8000000000000001, DNZ, 0x8000000000000001, UF | NX),
    /* the four variants: 2*3 with 1 */
    V1(S_FMADD, S2, 0x40400000, S1, 0x40e00000, 0),
    V1(S_FMSUB, S2, 0x40400000, S1, 0x40a00000, 0),
    V1(S_FNMSUB, S2, 0x40400000, S1, 0xc0a00000, 0),
    V1(S_FNMADD, S2, 0x40400000, S1, 0xc0e00000, 0),
    V1(D_FNMSUB, D2, 0x4008000000000000, D1, 0xc014000000000000, 0),
    V1(D_FNMADD, D2, 0x4008000000000000, D1, 0xc01c000000000000, 0),
    /* signed zeros: the negation applies to the product (+0 * 1) before the sum */
    V1(S_FMADD, 0, S1, 0, 0, 0),
    V(S_FMSUB, 0, S1, 0, 0, 0, SNZ, 0, 0, 0),
    V(S_FNMSUB, 0, S1, 0, 0, 0, SNZ, 0, 0, 0),
    V1(S_FNMADD, 0, S1, 0, SNZ, 0),
    V(S_FMADD, 0, S1, SNZ, 0, 0, SNZ, 0, 0, 0),
    V1(S_FMSUB, 0, S1, SNZ, 0, 0),
    V1(S_FNMSUB, 0, S1, SNZ, SNZ, 0),
    V(S_FNMADD, 0, S1, SNZ, 0, 0, SNZ, 0, 0, 0),
    V1(D_FMADD, 0, D1, 0, 0, 0),
    V(D_FMSUB, 0, D1, 0, 0, 0, DNZ, 0, 0, 0),
    V(D_FNMSUB, 0, D1, 0, 0, 0, DNZ, 0, 0, 0),
    V1(D_FNMADD, 0, D1, 0, DNZ, 0),
    V(D_FMADD, 0, D1, DNZ, 0, 0, DNZ, 0, 0, 0),
    V1(D_FMSUB, 0, D1, DNZ, 0, 0),
    V1(D_FNMSUB, 0, D1, DNZ, DNZ, 0),
    V(D_FNMADD, 0, D1, DNZ, 0, 0, DNZ, 0, 0, 0),
    V(S_FMADD, SNZ, SM1, SNZ, 0, 0, SNZ, 0, 0, 0),      /* +0 + -0 */
    V1(S_FMADD, SNZ, S1, SNZ, SNZ, 0),                 /* -0 + -0 */
    /* exact cancellation of non-zero terms */
    V(S_FMADD, S1, S1, SM1, 0, 0, SNZ, 0, 0, 0),
    V(S_FNMADD, S1, S1, SM1, 0, 0, SNZ, 0, 0, 0),
    V(D_FMSUB, D2, DHALF, D1, 0, 0, DNZ, 0, 0, 0),
    /* invalid: inf * 0, even with a quiet NaN addend; inf - inf */
    V1(S_FMADD, SINF, 0, SQNAN, SQNAN, NV),
    V1(S_FMADD, 0, SNINF, 0x7fc00001, SQNAN, NV),
    V1(D_FNMADD, DINF, DNZ, DQNAN, DQNAN, NV),
    V1(S_FMADD, SINF, 0, S1, SQNAN, NV),
    V1(S_FMADD, SINF, S1, SNINF, SQNAN, NV),
    V1(S_FMSUB, SINF, S1, SINF, SQNAN, NV),
    V1(D_FMADD, DNINF, D1, DINF, DQNAN, NV),
    V1(S_FNMADD, SINF, S1, SINF, SNINF, 0),
    V1(S_FMADD, S1, S1, SINF, SINF, 0),
    V1(D_FNMSUB, DINF, D2, DINF, DQNAN, NV),
    /* NaN operands: canonical result, NV only for signaling ones */
    V1(S_FMADD, SQNAN, S1, S1, SQNAN, 0),
    V1(S_FMADD, S1, S1, SSNAN, SQNAN, NV),
    V1(S_FNMSUB, S1, 0xff800001, S1, SQNAN, NV),
    V1(D_FMADD, D1, D1, 0x7ff8000000000001, DQNAN, 0),
    V1(D_FMSUB, DSNAN, 0, DINF, DQNAN, NV),

    /* ---- min/max: minimumNumber/maximumNumber ---- */
    V1(S_MIN, 0, SNZ, 0, SNZ, 0),
    V1(S_MIN, SNZ, 0, 0, SNZ, 0),
    V1(S_MAX, SNZ, 0, 0, 0, 0),
    V1(S_MAX, 0, SNZ, 0, 0, 0),
    V1(D_MIN, 0, DNZ, 0, DNZ, 0),
    V1(D_MAX, DNZ, 0, 0, 0, 0),
    V1(S_MIN, SQNAN, S1, 0, S1, 0),
    V1(S_MAX, S1, 0x7fc00001, 0, S1, 0),
    V1(S_MIN, SSNAN, S1, 0, S1, NV),
    V1(S_MAX, SM1, 0xff800001, 0, SM1, NV),
    V1(S_MIN, SQNAN, 0xffc00000, 0, SQNAN, 0),
    V1(S_MAX, SSNAN, SQNAN, 0, SQNAN, NV),
    V1(D_MAX, 0xfff8000000000001, DNINF, 0, DNINF, 0),
    V1(D_MIN, D1, DSNAN, 0, D1, NV),
    V1(D_MAX, 0x7ff8000000000000, 0x7ff8000000000001, 0, DQNAN, 0),
    V1(S_MIN, SM1, S1, 0, SM1, 0),
    V1(S_MAX, SM1, S1, 0, S1, 0),
    V1(S_MIN, SM1, 0xc0000000, 0, 0xc0000000, 0),
    V1(S_MAX, SM1, 0xc0000000, 0, SM1, 0),
    V1(S_MIN, SNINF, 0xff7fffff, 0, SNINF, 0),
    V1(S_MAX, SINF, SMAX, 0, SINF, 0),
    V1(S_MIN, 0x00000002, SSUB, 0, SSUB, 0),
    V1(D_MIN, DM1, 0xc000000000000000, 0, 0xc000000000000000, 0),
    V1(D_MAX, DSUB, 0x8000000000000001, 0, DSUB, 0),

    /* ---- comparisons: feq quiet, flt/fle signaling ---- */
    V1(S_EQ, S1, S1, 0, 1, 0),
    V1(S_EQ, 0, SNZ, 0, 1, 0),
    V1(S_EQ, S1, SM1, 0, 0, 0),
    V1(S_EQ, SQNAN, SQNAN, 0, 0, 0),
    V1(S_EQ, SSNAN, S1, 0, 0, NV),
    V1(S_EQ, S1, 0xffa00000, 0, 0, NV),
    V1(S_LT, SQNAN, S1, 0, 0, NV),
    V1(S_LE, S1, SQNAN, 0, 0, NV),
    V1(S_LT, SNZ, 0, 0, 0, 0),
    V1(S_LE, SNZ, 0, 0, 1, 0),
    V1(S_LE, 0, SNZ, 0, 1, 0),
    V1(S_LT, SM1, S1, 0, 1, 0),
    V1(S_LT, S1, SM1, 0, 0, 0),
    V1(S_LT, 0xc0000000, SM1, 0, 1, 0),
    V1(S_LT, SM1, 0xc0000000, 0, 0, 0),
    V1(S_LT, S1, S1, 0, 0, 0),
    V1(S_LE, SINF, SINF, 0, 1, 0),
    V1(S_LT, SNINF, 0xff7fffff, 0, 1, 0),
    V1(S_LT, 0x007fffff, SMIN, 0, 1, 0),
    V1(D_EQ, 0, DNZ, 0, 1, 0),
    V1(D_EQ, DQNAN, D1, 0, 0, 0),
    V1(D_EQ, DSNAN, DSNAN, 0, 0, NV),
    V1(D_LT, D1, DQNAN, 0, 0, NV),
    V1(D_LE, DQNAN, DQNAN, 0, 0, NV),
    V1(D_LE, DNZ, 0, 0, 1, 0),
    V1(D_LT, 0xc000000000000000, DM1, 0, 1, 0),
    V1(D_LT, DM1, DSUB, 0, 1, 0),
    V1(D_LE, D2, D1, 0, 0, 0),

    /* ---- fclass: every class ---- */
    V1(S_CLASS, SNINF, 0, 0, 1 << 0, 0),
    V1(S_CLASS, SM1, 0, 0, 1 << 1, 0),
    V1(S_CLASS, 0x807fffff, 0, 0, 1 << 2, 0),
    V1(S_CLASS, SNZ, 0, 0, 1 << 3, 0),
    V1(S_CLASS, 0, 0, 0, 1 << 4, 0),
    V1(S_CLASS, SSUB, 0, 0, 1 << 5, 0),
    V1(S_CLASS, SMAX, 0, 0, 1 << 6, 0),
    V1(S_CLASS, SMIN, 0, 0, 1 << 6, 0),
    V1(S_CLASS, SINF, 0, 0, 1 << 7, 0),
    V1(S_CLASS, SSNAN, 0, 0, 1 << 8, 0),
    V1(S_CLASS, 0xffbfffff, 0, 0, 1 << 8, 0),
    V1(S_CLASS, SQNAN, 0, 0, 1 << 9, 0),
    V1(S_CLASS, 0xffc00001, 0, 0, 1 << 9, 0),
    V1(D_CLASS, DNINF, 0, 0, 1 << 0, 0),
    V1(D_CLASS, 0xffefffffffffffff, 0, 0, 1 << 1, 0),
    V1(D_CLASS, 0x8000000000000001, 0, 0, 1 << 2, 0),
    V1(D_CLASS, DNZ, 0, 0, 1 << 3, 0),
    V1(D_CLASS, 0, 0, 0, 1 << 4, 0),
    V1(D_CLASS, 0x000fffffffffffff, 0, 0, 1 << 5, 0),
    V1(D_CLASS, D1, 0, 0, 1 << 6, 0),
    V1(D_CLASS, DINF, 0, 0, 1 << 7, 0),
    V1(D_CLASS, DSNAN, 0, 0, 1 << 8, 0),
    V1(D_CLASS, 0xfff7ffffffffffff, 0, 0, 1 << 8, 0),
    V1(D_CLASS, DQNAN, 0, 0, 1 << 9, 0),
    V1(D_CLASS, 0xffffffffffffffff, 0, 0, 1 << 9, 0),

    /* ---- sign injection: bit operations, NaNs kept as they are ---- */
    V1(S_SGNJ, S1, SNZ, 0, SM1, 0),
    V1(S_SGNJ, SM1, 0, 0, S1, 0),
    V1(S_SGNJN, S1, SNZ, 0, S1, 0),
    V1(S_SGNJN, S1, 0, 0, SM1, 0),
    V1(S_SGNJX, SM1, SNZ, 0, S1, 0),
    V1(S_SGNJX, SM1, 0, 0, SM1, 0),
    V1(S_SGNJ, SSNAN, SNINF, 0, 0xff800001, 0),
    V1(D_SGNJ, D1, DNZ, 0, DM1, 0),
    V1(D_SGNJN, DM1, DNZ, 0, D1, 0),
    V1(D_SGNJX, DSNAN, DM1, 0, 0xfff0000000000001, 0),

    /* ---- float -> integer ---- */
    V(S_TOW, 0x40200000, 0, 0, 2, 2, 2, 3, 3, NX),                    /* 2.5 */
    V(S_TOW, 0xc0200000, 0, 0, I(-2), I(-2), I(-3), I(-2), I(-3), NX), /* -2.5 */
    V(S_TOW, 0x40600000, 0, 0, 4, 3, 3, 4, 4, NX),                    /* 3.5 */
    V(S_TOW, SHALF, 0, 0, 0, 0, 0, 1, 1, NX),
    V(S_TOW, 0xbf000000, 0, 0, 0, 0, I(-1), 0, I(-1), NX),
    V(S_TOW, SSUB, 0, 0, 0, 0, 0, 1, 0, NX),
    V(S_TOW, 0x80000001, 0, 0, 0, 0, I(-1), 0, 0, NX),
    V1(S_TOW, SNZ, 0, 0, 0, 0),
    V1(S_TOW, SQNAN, 0, 0, 0x7fffffff, NV),                           /* NaN: largest */
    V1(S_TOW, 0xffc00000, 0, 0, 0x7fffffff, NV),
    V1(S_TOW, SSNAN, 0, 0, 0x7fffffff, NV),
    V1(S_TOW, SINF, 0, 0, 0x7fffffff, NV),
    V1(S_TOW, SNINF, 0, 0, I(INT32_MIN), NV),
    V1(S_TOW, 0x4f000000, 0, 0, 0x7fffffff, NV),                      /* 2^31 */
    V1(S_TOW, 0xcf000000, 0, 0, I(INT32_MIN), 0),                     /* -2^31 */
    V1(S_TOW, 0xcf000001, 0, 0, I(INT32_MIN), NV),
    V1(S_TOW, 0x4effffff, 0, 0, 0x7fffff80, 0),
    V1(S_TOW, SMAX, 0, 0, 0x7fffffff, NV),
    /* unsigned: 32-bit results are sign-extended; a negative value rounding to 0 is
     * only inexact, one rounding to -1 or below is invalid */
    VF(S_TOWU, 0xbe99999a, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NX),  /* -0.3 */
    VF(S_TOWU, 0xbf000000, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NV),  /* -0.5 */
    V1(S_TOWU, SM1, 0, 0, 0, NV),
    V1(S_TOWU, SNZ, 0, 0, 0, 0),
    V1(S_TOWU, SQNAN, 0, 0, I(-1), NV),
    V1(S_TOWU, SINF, 0, 0, I(-1), NV),
    V1(S_TOWU, SNINF, 0, 0, 0, NV),
    V1(S_TOWU, 0x4f800000, 0, 0, I(-1), NV),                          /* 2^32 */
    V1(S_TOWU, 0x4f000000, 0, 0, 0xffffffff80000000, 0),              /* 2^31 */
    V1(S_TOWU, 0x4f7fffff, 0, 0, 0xffffffffffffff00, 0),
    V(S_TOWU, 0x40200000, 0, 0, 2, 2, 2, 3, 3, NX),
    V1(S_TOL, 0x5f000000, 0, 0, I(INT64_MAX), NV),                    /* 2^63 */
    V1(S_TOL, 0xdf000000, 0, 0, I(INT64_MIN), 0),
    V1(S_TOL, 0xdf000001, 0, 0, I(INT64_MIN), NV),
    V1(S_TOL, SQNAN, 0, 0, I(INT64_MAX), NV),
    V1(S_TOL, SNINF, 0, 0, I(INT64_MIN), NV),
    V(S_TOL, 0xc0200000, 0, 0, I(-2), I(-2), I(-3), I(-2), I(-3), NX),
    V1(S_TOLU, 0x5f800000, 0, 0, UINT64_MAX, NV),                     /* 2^64 */
    V1(S_TOLU, 0x5f000000, 0, 0, 0x8000000000000000, 0),
    V1(S_TOLU, SM1, 0, 0, 0, NV),
    VF(S_TOLU, 0xbe99999a, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NX),
    V1(S_TOLU, 0xffc00000, 0, 0, UINT64_MAX, NV),
    V1(S_TOLU, SNINF, 0, 0, 0, NV),
    V1(S_TOLU, SINF, 0, 0, UINT64_MAX, NV),
    /* -(2^31 + 0.5) and 2^31 - 0.5: in range or not depending on the mode */
    VF(D_TOW, 0xc1e0000000100000, 0, 0, I(INT32_MIN), I(INT32_MIN), I(INT32_MIN), I(INT32_MIN), I(INT32_MIN),
       NX, NX, NV, NX, NV),
    VF(D_TOW, 0x41dfffffffe00000, 0, 0, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
       NV, NX, NX, NV, NV),
    V1(D_TOW, 0x41dfffffffc00000, 0, 0, 0x7fffffff, 0),
    V1(D_TOW, DNZ, 0, 0, 0, 0),
    V1(D_TOW, DQNAN, 0, 0, 0x7fffffff, NV),
    V1(D_TOW, 0x7e37e43c8800759c, 0, 0, 0x7fffffff, NV),               /* 1e300 */
    V1(D_TOW, 0xfe37e43c8800759c, 0, 0, I(INT32_MIN), NV),
    V(D_TOW, 0x3ff8000000000000, 0, 0, 2, 1, 1, 2, 2, NX),              /* 1.5 */
    VF(D_TOWU, 0x41effffffff00000, 0, 0, I(-1), I(-1), I(-1), I(-1), I(-1), NV, NX, NX, NV, NV),
    VF(D_TOWU, 0xbfe8000000000000, 0, 0, 0, 0, 0, 0, 0, NV, NX, NV, NX, NV),   /* -0.75 */
    VF(D_TOWU, 0xbfe0000000000000, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NV),   /* -0.5 */
    V1(D_TOWU, 0x41e0000000000000, 0, 0, 0xffffffff80000000, 0),
    V1(D_TOWU, DNINF, 0, 0, 0, NV),
    V1(D_TOL, 0x43e0000000000000, 0, 0, I(INT64_MAX), NV),              /* 2^63 */
    V1(D_TOL, 0xc3e0000000000000, 0, 0, I(INT64_MIN), 0),
    V1(D_TOL, 0xc3e0000000000001, 0, 0, I(INT64_MIN), NV),
    V1(D_TOL, 0x43dfffffffffffff, 0, 0, 0x7ffffffffffffc00, 0),
    V(D_TOL, DHALF, 0, 0, 0, 0, 0, 1, 1, NX),
    V(D_TOL, 0xbfe0000000000000, 0, 0, 0, 0, I(-1), 0, I(-1), NX),
    V(D_TOL, 0x3fd0000000000000, 0, 0, 0, 0, 0, 1, 0, NX),              /* 0.25 */
    V1(D_TOL, 0x7ff4000000000000, 0, 0, I(INT64_MAX), NV),
    V1(D_TOLU, 0x43f0000000000000, 0, 0, UINT64_MAX, NV),               /* 2^64 */
    V1(D_TOLU, 0x43efffffffffffff, 0, 0, 0xfffffffffffff800, 0),
    V1(D_TOLU, 0x43e0000000000000, 0, 0, 0x8000000000000000, 0),
    V1(D_TOLU, DM1, 0, 0, 0, NV),
    VF(D_TOLU, 0xbfd3333333333333, 0, 0, 0, 0, 0, 0, 0, NX, NX, NV, NX, NX),   /* -0.3 */
    V1(D_TOLU, DQNAN, 0, 0, UINT64_MAX, NV),
    V1(D_TOLU, DNZ, 0, 0, 0, 0),

    /* ---- integer -> float ---- */
    V(S_FROMW, 0x01000001, 0, 0, 0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001, NX),
    V(S_FROMW, 0xfeffffff, 0, 0, 0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001, NX),
    V(S_FROMW, 0x01000003, 0, 0, 0x4b800002, 0x4b800001, 0x4b800001, 0x4b800002, 0x4b800002, NX),
    V1(S_FROMW, 0x80000000, 0, 0, 0xcf000000, 0),
    V(S_FROMW, 0x7fffffff, 0, 0, 0x4f000000, 0x4effffff, 0x4effffff, 0x4f000000, 0x4f000000, NX),
    V1(S_FROMW, 0, 0, 0, 0, 0),                       /* +0, even rounding down */
    V(S_FROMWU, 0xffffffff, 0, 0, 0x4f800000, 0x4f7fffff, 0x4f7fffff, 0x4f800000, 0x4f800000, NX),
    V1(S_FROMWU, 0x80000000, 0, 0, 0x4f000000, 0),
    V1(S_FROML, 0x8000000000000000, 0, 0, 0xdf000000, 0),
    V1(S_FROML, 0xffffffffffffffff, 0, 0, SM1, 0),
    V(S_FROMLU, UINT64_MAX, 0, 0, 0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000, NX),
    V(D_FROML, 0x0020000000000001, 0, 0,
      0x4340000000000000, 0x4340000000000000, 0x4340000000000000, 0x4340000000000001, 0x4340000000000001, NX),
    V(D_FROMLU, UINT64_MAX, 0, 0,
      0x43f0000000000000, 0x43efffffffffffff, 0x43efffffffffffff, 0x43f0000000000000, 0x43f0000000000000, NX),
    V1(D_FROML, 0xffffffffffffffff, 0, 0, DM1, 0),
    V1(D_FROMW, 0x80000000, 0, 0, 0xc1e0000000000000, 0),
    V1(D_FROMWU, 0xffffffff, 0, 0, 0x41efffffffe00000, 0),
    V1(D_FROMLU, 0, 0, 0, 0, 0),

    /* ---- between formats ---- */
    V(D_TOS, 0x3ff0000010000000, 0, 0, S1, S1, S1, 0x3f800001, 0x3f800001, NX),   /* 1 + 2^-24 */
    V(D_TOS, 0xbff0000010000000, 0, 0, SM1, SM1, 0xbf800001, SM1, 0xbf800001, NX),
    V(D_TOS, 0x47f0000000000000, 0, 0, SINF, SMAX, SMAX, SINF, SINF, OF | NX),     /* 2^128 */
    VF(D_TOS, 0x47effffff0000000, 0, 0, SINF, SMAX, SMAX, SINF, SINF,             /* max + ulp/2 */
       OF | NX, NX, NX, OF | NX, OF | NX),
    V(D_TOS, 0x3690000000000000, 0, 0, 0, 0, 0, SSUB, SSUB, UF | NX),              /* 2^-150 */
    /* (1 - 2^-25) * 2^-126: not tiny after rounding in RNE/RUP/RMM */
    VF(D_TOS, 0x380ffffff0000000, 0, 0, SMIN, 0x007fffff, 0x007fffff, SMIN, SMIN, NX, UF | NX, UF | NX, NX, NX),
    V(D_TOS, 0x358dee7a4ad4b81f, 0, 0, 0, 0, 0, SSUB, 0, UF | NX),                /* 1e-50 */
    V(D_TOS, 0x8000000000000001, 0, 0, SNZ, SNZ, 0x80000001, SNZ, SNZ, UF | NX),
    V1(D_TOS, 0x3fb99999a0000000, 0, 0, 0x3dcccccd, 0),                             /* exact */
    V1(D_TOS, 0x47efffffe0000000, 0, 0, SMAX, 0),
    V1(D_TOS, DSNAN, 0, 0, SQNAN, NV),
    V1(D_TOS, 0xfff8000012345678, 0, 0, SQNAN, 0),
    V1(D_TOS, DNINF, 0, 0, SNINF, 0),
    V1(D_TOS, DNZ, 0, 0, SNZ, 0),
    V1(S_TOD, SSUB, 0, 0, 0x36a0000000000000, 0),
    V1(S_TOD, SMAX, 0, 0, 0x47efffffe0000000, 0),
    V1(S_TOD, SSNAN, 0, 0, DQNAN, NV),
    V1(S_TOD, 0xffc12345, 0, 0, DQNAN, 0),
    V1(S_TOD, SNINF, 0, 0, DNINF, 0),
    V1(S_TOD, SNZ, 0, 0, DNZ, 0),
};

/*
 * Recorded from qemu-riscv64 7.2 (softfloat): random operands biased to hard cases
 * (ties, values near overflow and underflow, cancellation, NaNs, integer limits), each
 * run with frm = 0..4. Flags: NX 1, UF 2, OF 4, DZ 8, NV 16.
 */
static const vec reference[] = {
    V(S_ADD, 0xc5ffffff, 0x00fffff0, 0x00000000,
      0xc5ffffff, 0xc5fffffe, 0xc5ffffff, 0xc5fffffe, 0xc5ffffff, 1),
    V1(S_ADD, 0x027fffbf, 0xffbfff7f, 0x00000000, 0x7fc00000, 16),
    V(S_ADD, 0xfeffefff, 0xff5fffff, 0x00000000,
      0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000, 5),
    V1(S_ADD, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0),
    V(S_ADD, 0x01000000, 0x00000001, 0x00000000,
      0x01000000, 0x01000000, 0x01000000, 0x01000001, 0x01000001, 1),
    V(S_ADD, 0xfefffffe, 0x7e44dc1b, 0x00000000,
      0xfe9d91f0, 0xfe9d91f0, 0xfe9d91f1, 0xfe9d91f0, 0xfe9d91f1, 1),
    V(S_ADD, 0xf27f7fff, 0x5f7ffc00, 0x00000000,
      0xf27f7fff, 0xf27f7ffe, 0xf27f7fff, 0xf27f7ffe, 0xf27f7fff, 1),
    V(S_SUB, 0x377fefff, 0xb77e640a, 0x00000000,
      0x37ff2a04, 0x37ff2a04, 0x37ff2a04, 0x37ff2a05, 0x37ff2a05, 1),
    V(S_SUB, 0x01000000, 0x0f7fffff, 0x00000000,
      0x8f7fffff, 0x8f7ffffe, 0x8f7fffff, 0x8f7ffffe, 0x8f7fffff, 1),
    V1(S_SUB, 0x38fffeff, 0x7fbffffd, 0x00000000, 0x7fc00000, 16),
    V(S_SUB, 0x01800400, 0x003fffff, 0x00000000,
      0x01600800, 0x01600800, 0x01600800, 0x01600801, 0x01600801, 1),
    V(S_SUB, 0x00000000, 0x00000000, 0x00000000,
      0x00000000, 0x00000000, 0x80000000, 0x00000000, 0x00000000, 0),
    VF(S_SUB, 0xff7fffff, 0x6e800080, 0x00000000,
       0xff7fffff, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff7fffff, 1, 1, 5, 1, 1),
    V1(S_SUB, 0x2e100000, 0xff800000, 0x00000000, 0x7f800000, 0),
    V(S_MUL, 0x02000100, 0x007fffff, 0x00000000,
      0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000000, 3),
    V1(S_MUL, 0x43000080, 0x00000000, 0x00000000, 0x00000000, 0),
    V(S_MUL, 0x7e7fff80, 0xe1960000, 0x00000000,
      0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000, 5),
    V(S_MUL, 0xdf56d171, 0x80b3abc5, 0x00000000,
      0x2096c495, 0x2096c495, 0x2096c495, 0x2096c496, 0x2096c495, 1),
    V1(S_MUL, 0x7f808000, 0x7dbfffff, 0x00000000, 0x7fc00000, 16),
    V(S_MUL, 0x57400000, 0x807fffbf, 0x00000000,
      0x983fff9e, 0x983fff9e, 0x983fff9f, 0x983fff9e, 0x983fff9f, 1),
    V(S_MUL, 0x55fffe00, 0xe8ffc000, 0x00000000,
      0xff7fbe00, 0xff7fbe00, 0xff7fbe01, 0xff7fbe00, 0xff7fbe01, 1),
    V1(S_DIV, 0xffbfffff, 0x7cfffe00, 0x00000000, 0x7fc00000, 16),
    V(S_DIV, 0xbfec0000, 0x53ba3000, 0x00000000,
      0xaba23ebc, 0xaba23ebb, 0xaba23ebc, 0xaba23ebb, 0xaba23ebc, 1),
    V(S_DIV, 0x01a88d3d, 0xfe7e0000, 0x00000000,
      0x80000000, 0x80000000, 0x80000001, 0x80000000, 0x80000000, 3),
    V1(S_DIV, 0x80000000, 0x80008000, 0x00000000, 0x00000000, 0),
    V(S_DIV, 0x4e8bce5b, 0x8d900000, 0x00000000,
      0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000, 5),
    V(S_DIV, 0xbb7fffff, 0xfe7f0000, 0x00000000,
      0x00008080, 0x00008080, 0x00008080, 0x00008081, 0x00008081, 3),
    V(S_DIV, 0xbffffffd, 0x7f000000, 0x00000000,
      0x807ffffe, 0x807ffffe, 0x807fffff, 0x807ffffe, 0x807fffff, 3),
    V(S_SQRT, 0x47800200, 0x00000000, 0x00000000,
      0x43800100, 0x438000ff, 0x438000ff, 0x43800100, 0x43800100, 1),
    V1(S_SQRT, 0x80000000, 0x00000000, 0x00000000, 0x80000000, 0),
    V1(S_SQRT, 0x81900000, 0x00000000, 0x00000000, 0x7fc00000, 16),
    V1(S_SQRT, 0x7ff1d000, 0x00000000, 0x00000000, 0x7fc00000, 0),
    V1(S_SQRT, 0x7f800000, 0x00000000, 0x00000000, 0x7f800000, 0),
    V1(S_SQRT, 0xdbffff7f, 0x00000000, 0x00000000, 0x7fc00000, 16),
    V(S_SQRT, 0x00ea7000, 0x00000000, 0x00000000,
      0x202d3a6a, 0x202d3a69, 0x202d3a69, 0x202d3a6a, 0x202d3a6a, 1),
    V(S_FMADD, 0x24780000, 0x3f7fffff, 0x3f7fff00,
      0x3f7fff00, 0x3f7fff00, 0x3f7fff00, 0x3f7fff01, 0x3f7fff00, 1),
    V(S_FMADD, 0x63800000, 0x68000000, 0x00000000,
      0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000, 5),
    V1(S_FMADD, 0x7f800001, 0x40001170, 0x0180000c, 0x7fc00000, 16),
    V(S_FMADD, 0xbfeebe9c, 0x00000200, 0x000003ba,
      0x80000001, 0x80000000, 0x80000001, 0x80000000, 0x80000001, 3),
    V(S_FMADD, 0x4a00c2bf, 0xf33fefff, 0x7dc11403,
      0xf289a6a0, 0xf289a6a0, 0xf289a6a1, 0xf289a6a0, 0xf289a6a1, 1),
    V(S_FMADD, 0x00421d87, 0x00000000, 0x80000000,
      0x00000000, 0x00000000, 0x80000000, 0x00000000, 0x00000000, 0),
    V(S_FMADD, 0x7eff7fff, 0x3e800001, 0xfdff8003,
      0xf2804000, 0xf2804000, 0xf2804001, 0xf2804000, 0xf2804001, 1),
    V(S_FMSUB, 0x50000008, 0xebc883e5, 0xd5ffffff,
      0xfc4883f2, 0xfc4883f1, 0xfc4883f2, 0xfc4883f1, 0xfc4883f2, 1),
    V1(S_FMSUB, 0x7f800001, 0x00802000, 0x57800005, 0x7fc00000, 16),
    V(S_FMSUB, 0xff7fffff, 0x65810c36, 0x7e7fffff,
      0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000, 5),
    V(S_FMSUB, 0x8f000080, 0x26bfff7f, 0x80000009,
      0x00000003, 0x00000002, 0x00000002, 0x00000003, 0x00000003, 3),
    V(S_FMSUB, 0x00000000, 0x15ffffff, 0x00000000,
      0x00000000, 0x00000000, 0x80000000, 0x00000000, 0x00000000, 0),
    V(S_FMSUB, 0x80e00000, 0x5a000000, 0x1b5ffffd,
      0x9bdffffe, 0x9bdffffe, 0x9bdfffff, 0x9bdffffe, 0x9bdfffff, 1),
    V(S_FMSUB, 0xd9810000, 0xc9802000, 0xe3812041,
      0x64012040, 0x64012040, 0x64012040, 0x64012041, 0x64012041, 1),
    V(S_FNMSUB, 0x40000001, 0xff003eef, 0x741000e8,
      0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000, 5),
    V(S_FNMSUB, 0xaa7f7fff, 0x1f7fffff, 0x8a7f8000,
      0x800ffc00, 0x800ffbff, 0x800ffc00, 0x800ffbff, 0x800ffc00, 3),
    V(S_FNMSUB, 0xf2800000, 0xc07ffc00, 0x817ffe00,
      0xf37ffc00, 0xf37ffc00, 0xf37ffc01, 0xf37ffc00, 0xf37ffc00, 1),
    V1(S_FNMSUB, 0x7f800000, 0x00000000, 0xa9ffff00, 0x7fc00000, 16),
    V1(S_FNMSUB, 0x80000000, 0xbec80000, 0x80000000, 0x80000000, 0),
    V(S_FNMSUB, 0x40526000, 0xfd6be800, 0xff1af474,
      0xfed4fa84, 0xfed4fa84, 0xfed4fa85, 0xfed4fa84, 0xfed4fa85, 1),
    V(S_FNMSUB, 0x5d800008, 0xbf800000, 0x5d800009,
      0x5e000008, 0x5e000008, 0x5e000008, 0x5e000009, 0x5e000009, 1),
    V(S_FNMADD, 0x01800000, 0x807fbfff, 0x017ffffe,
      0x817ffffe, 0x817ffffd, 0x817ffffe, 0x817ffffd, 0x817ffffe, 1),
    V(S_FNMADD, 0x80f8da8c, 0x80000040, 0x00000003,
      0x80000003, 0x80000003, 0x80000004, 0x80000003, 0x80000003, 3),
    V(S_FNMADD, 0xeaffffff, 0xee880000, 0x81600000,
      0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000, 5),
    V1(S_FNMADD, 0xbd000000, 0xffa23197, 0x7fe23194, 0x7fc00000, 16),
    V1(S_FNMADD, 0x3f2e0000, 0x80000000, 0x80000000, 0x00000000, 0),
    V(S_FNMADD, 0x1d7e0000, 0x2aa00000, 0x089ebffd,
      0x891ebffe, 0x891ebffe, 0x891ebfff, 0x891ebffe, 0x891ebfff, 1),
    V(S_FNMADD, 0xdc968388, 0x00800000, 0x9d968389,
      0x1e168388, 0x1e168388, 0x1e168388, 0x1e168389, 0x1e168389, 1),
    V1(S_MIN, 0x80000004, 0x7f800001, 0x00000000, 0x80000004, 16),
    V1(S_MIN, 0x00000000, 0x184e5a88, 0x00000000, 0x00000000, 0),
    V1(S_MIN, 0xf67c0000, 0xff800000, 0x00000000, 0xff800000, 0),
    V1(S_MIN, 0x80fffffd, 0xc0000000, 0x00000000, 0xc0000000, 0),
    V1(S_MIN, 0xd9ffffff, 0x00fc0000, 0x00000000, 0xd9ffffff, 0),
    V1(S_MIN, 0x7d90e000, 0x7f7fffff, 0x00000000, 0x7d90e000, 0),
    V1(S_MAX, 0x80000000, 0x7fbffff7, 0x00000000, 0x80000000, 16),
    V1(S_MAX, 0xff800000, 0x80000000, 0x00000000, 0x80000000, 0),
    V1(S_MAX, 0x288eee6e, 0x98d90a89, 0x00000000, 0x288eee6e, 0),
    V1(S_MAX, 0xfeffffff, 0x72c38000, 0x00000000, 0x72c38000, 0),
    V1(S_MAX, 0xc5f5a039, 0xfdfffffd, 0x00000000, 0xc5f5a039, 0),
    V1(S_MAX, 0x07800000, 0x80000040, 0x00000000, 0x07800000, 0),
    V1(S_EQ, 0x75800000, 0xe4fffff7, 0x00000000, 0x0000000000000000, 0),
    V1(S_EQ, 0xb357b000, 0xff8ad118, 0x00000000, 0x0000000000000000, 16),
    V1(S_EQ, 0x02840000, 0xffc00400, 0x00000000, 0x0000000000000000, 0),
    V1(S_EQ, 0xed800003, 0xedffffff, 0x00000000, 0x0000000000000000, 0),
    V1(S_EQ, 0x7f800000, 0x00000000, 0x00000000, 0x0000000000000000, 0),
    V1(S_EQ, 0x25ffffbf, 0x437fffbf, 0x00000000, 0x0000000000000000, 0),
    V1(S_LT, 0x53800008, 0x40800000, 0x00000000, 0x0000000000000000, 0),
    V1(S_LT, 0x01004000, 0x7fc00000, 0x00000000, 0x0000000000000000, 16),
    V1(S_LT, 0x80000001, 0xff800000, 0x00000000, 0x0000000000000000, 0),
    V1(S_LT, 0x4c00018c, 0xbc000003, 0x00000000, 0x0000000000000000, 0),
    V1(S_LT, 0x7e88a81f, 0xffafffff, 0x00000000, 0x0000000000000000, 16),
    V1(S_LT, 0x01112ba2, 0x00000000, 0x00000000, 0x0000000000000000, 0),
    V1(S_LE, 0x027ff000, 0x007fffff, 0x00000000, 0x0000000000000000, 0),
    V1(S_LE, 0x00000000, 0xff82c418, 0x00000000, 0x0000000000000000, 16),
    V1(S_LE, 0x807fffff, 0x7f800000, 0x00000000, 0x0000000000000001, 0),
    V1(S_LE, 0x41000010, 0xbe800002, 0x00000000, 0x0000000000000000, 0),
    V1(S_LE, 0x7f800000, 0xea040000, 0x00000000, 0x0000000000000000, 0),
    V1(S_LE, 0x34200000, 0x7fbbffff, 0x00000000, 0x0000000000000000, 16),
    V1(S_CLASS, 0x80000000, 0x00000000, 0x00000000, 0x0000000000000008, 0),
    V1(S_CLASS, 0x7fcf62ce, 0x00000000, 0x00000000, 0x0000000000000200, 0),
    V1(S_CLASS, 0x81dc90c4, 0x00000000, 0x00000000, 0x0000000000000002, 0),
    V1(S_CLASS, 0x0e080000, 0x00000000, 0x00000000, 0x0000000000000040, 0),
    V1(S_CLASS, 0x40600000, 0x00000000, 0x00000000, 0x0000000000000040, 0),
    V1(S_CLASS, 0xffbfffff, 0x00000000, 0x00000000, 0x0000000000000100, 0),
    V1(S_TOW, 0x7fc00040, 0x00000000, 0x00000000, 0x000000007fffffff, 16),
    V(S_TOW, 0x00b50000, 0x00000000, 0x00000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(S_TOW, 0x407fffff, 0x00000000, 0x00000000,
      0x0000000000000004, 0x0000000000000003, 0x0000000000000003, 0x0000000000000004, 0x0000000000000004, 1),
    V(S_TOW, 0x42c90000, 0x00000000, 0x00000000,
      0x0000000000000064, 0x0000000000000064, 0x0000000000000064, 0x0000000000000065, 0x0000000000000065, 1),
    V(S_TOW, 0x441a2000, 0x00000000, 0x00000000,
      0x0000000000000268, 0x0000000000000268, 0x0000000000000268, 0x0000000000000269, 0x0000000000000269, 1),
    V(S_TOW, 0x81fc0000, 0x00000000, 0x00000000,
      0x0000000000000000, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000000, 1),
    V1(S_TOW, 0x49a885e8, 0x00000000, 0x00000000, 0x00000000001510bd, 0),
    V1(S_TOWU, 0x7f8c3989, 0x00000000, 0x00000000, 0xffffffffffffffff, 16),
    V(S_TOWU, 0x02000008, 0x00000000, 0x00000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(S_TOWU, 0x43f14000, 0x00000000, 0x00000000,
      0x00000000000001e2, 0x00000000000001e2, 0x00000000000001e2, 0x00000000000001e3, 0x00000000000001e3, 1),
    V(S_TOWU, 0x3f8a333a, 0x00000000, 0x00000000,
      0x0000000000000001, 0x0000000000000001, 0x0000000000000001, 0x0000000000000002, 0x0000000000000001, 1),
    V(S_TOWU, 0x42d10000, 0x00000000, 0x00000000,
      0x0000000000000068, 0x0000000000000068, 0x0000000000000068, 0x0000000000000069, 0x0000000000000069, 1),
    VF(S_TOWU, 0x8077ffff, 0x00000000, 0x00000000,
       0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 1, 1, 16, 1, 1),
    VF(S_TOWU, 0x80d9ae1b, 0x00000000, 0x00000000,
       0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 1, 1, 16, 1, 1),
    V1(S_TOL, 0xfe000004, 0x00000000, 0x00000000, 0x8000000000000000, 16),
    V1(S_TOL, 0x00000000, 0x00000000, 0x00000000, 0x0000000000000000, 0),
    V(S_TOL, 0x81ffffff, 0x00000000, 0x00000000,
      0x0000000000000000, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000000, 1),
    V(S_TOL, 0xc3408000, 0x00000000, 0x00000000,
      0xffffffffffffff40, 0xffffffffffffff40, 0xffffffffffffff3f, 0xffffffffffffff40, 0xffffffffffffff3f, 1),
    V(S_TOL, 0x42cd0000, 0x00000000, 0x00000000,
      0x0000000000000066, 0x0000000000000066, 0x0000000000000066, 0x0000000000000067, 0x0000000000000067, 1),
    V1(S_TOL, 0xd36fcfb2, 0x00000000, 0x00000000, 0xffffff10304e0000, 0),
    V1(S_TOL, 0x6fffffff, 0x00000000, 0x00000000, 0x7fffffffffffffff, 16),
    V1(S_TOLU, 0xff800000, 0x00000000, 0x00000000, 0x0000000000000000, 16),
    V(S_TOLU, 0x3e800000, 0x00000000, 0x00000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(S_TOLU, 0x4a7fffff, 0x00000000, 0x00000000,
      0x0000000000400000, 0x00000000003fffff, 0x00000000003fffff, 0x0000000000400000, 0x0000000000400000, 1),
    V(S_TOLU, 0x4a5e509a, 0x00000000, 0x00000000,
      0x0000000000379426, 0x0000000000379426, 0x0000000000379426, 0x0000000000379427, 0x0000000000379427, 1),
    V(S_TOLU, 0x4416a000, 0x00000000, 0x00000000,
      0x000000000000025a, 0x000000000000025a, 0x000000000000025a, 0x000000000000025b, 0x000000000000025b, 1),
    V1(S_TOLU, 0x4e8ac709, 0x00000000, 0x00000000, 0x0000000045638480, 0),
    V1(S_TOLU, 0xffbffffe, 0x00000000, 0x00000000, 0xffffffffffffffff, 16),
    V(S_FROMW, 0x000000006112b9cc, 0x0000000000000000, 0x0000000000000000,
      0x4ec22574, 0x4ec22573, 0x4ec22573, 0x4ec22574, 0x4ec22574, 1),
    V1(S_FROMW, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000, 0),
    V(S_FROMW, 0x0000000011d92e90, 0x0000000000000000, 0x0000000000000000,
      0x4d8ec974, 0x4d8ec974, 0x4d8ec974, 0x4d8ec975, 0x4d8ec975, 1),
    V(S_FROMW, 0x00000000f68fd258, 0x0000000000000000, 0x0000000000000000,
      0xcd1702da, 0xcd1702da, 0xcd1702db, 0xcd1702da, 0xcd1702db, 1),
    V1(S_FROMW, 0x0000000000001001, 0x0000000000000000, 0x0000000000000000, 0x45800800, 0),
    V(S_FROMW, 0x0000000071afbe47, 0x0000000000000000, 0x0000000000000000,
      0x4ee35f7d, 0x4ee35f7c, 0x4ee35f7c, 0x4ee35f7d, 0x4ee35f7d, 1),
    V1(S_FROMW, 0x00000000fffe17a7, 0x0000000000000000, 0x0000000000000000, 0xc7f42c80, 0),
    V(S_FROMWU, 0x00000000fffff918, 0x0000000000000000, 0x0000000000000000,
      0x4f7ffff9, 0x4f7ffff9, 0x4f7ffff9, 0x4f7ffffa, 0x4f7ffff9, 1),
    V1(S_FROMWU, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000, 0),
    V(S_FROMWU, 0x0000000002000002, 0x0000000000000000, 0x0000000000000000,
      0x4c000000, 0x4c000000, 0x4c000000, 0x4c000001, 0x4c000001, 1),
    V(S_FROMWU, 0x0000000006652174, 0x0000000000000000, 0x0000000000000000,
      0x4ccca42e, 0x4ccca42e, 0x4ccca42e, 0x4ccca42f, 0x4ccca42f, 1),
    V1(S_FROMWU, 0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x3f800000, 0),
    V(S_FROMWU, 0x00000000a7e03a57, 0x0000000000000000, 0x0000000000000000,
      0x4f27e03a, 0x4f27e03a, 0x4f27e03a, 0x4f27e03b, 0x4f27e03a, 1),
    V1(S_FROMWU, 0x0000000086000000, 0x0000000000000000, 0x0000000000000000, 0x4f060000, 0),
    V(S_FROML, 0xffffffffc23f19c1, 0x0000000000000000, 0x0000000000000000,
      0xce770399, 0xce770398, 0xce770399, 0xce770398, 0xce770399, 1),
    V(S_FROML, 0x0000000002000002, 0x0000000000000000, 0x0000000000000000,
      0x4c000000, 0x4c000000, 0x4c000000, 0x4c000001, 0x4c000001, 1),
    V1(S_FROML, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000, 0),
    V(S_FROML, 0x00000000076f85f4, 0x0000000000000000, 0x0000000000000000,
      0x4cedf0be, 0x4cedf0be, 0x4cedf0be, 0x4cedf0bf, 0x4cedf0bf, 1),
    V1(S_FROML, 0xfffffffffeb1a0ea, 0x0000000000000000, 0x0000000000000000, 0xcba72f8b, 0),
    V(S_FROML, 0x000092fc681f7825, 0x0000000000000000, 0x0000000000000000,
      0x5712fc68, 0x5712fc68, 0x5712fc68, 0x5712fc69, 0x5712fc68, 1),
    V(S_FROML, 0x00000000094be53f, 0x0000000000000000, 0x0000000000000000,
      0x4d14be54, 0x4d14be53, 0x4d14be53, 0x4d14be54, 0x4d14be54, 1),
    V1(S_FROMLU, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000, 0),
    V(S_FROMLU, 0xfffffffffff0cb3d, 0x0000000000000000, 0x0000000000000000,
      0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000, 1),
    V(S_FROMLU, 0x0000000061446540, 0x0000000000000000, 0x0000000000000000,
      0x4ec288ca, 0x4ec288ca, 0x4ec288ca, 0x4ec288cb, 0x4ec288cb, 1),
    V(S_FROMLU, 0x000008f4a2e80000, 0x0000000000000000, 0x0000000000000000,
      0x550f4a2e, 0x550f4a2e, 0x550f4a2e, 0x550f4a2f, 0x550f4a2f, 1),
    V(S_FROMLU, 0x538e0f1b63440000, 0x0000000000000000, 0x0000000000000000,
      0x5ea71c1e, 0x5ea71c1e, 0x5ea71c1e, 0x5ea71c1f, 0x5ea71c1e, 1),
    V(S_FROMLU, 0x00007ffffffffffe, 0x0000000000000000, 0x0000000000000000,
      0x57000000, 0x56ffffff, 0x56ffffff, 0x57000000, 0x57000000, 1),
    V1(S_FROMLU, 0xa000000000000000, 0x0000000000000000, 0x0000000000000000, 0x5f200000, 0),
    V(D_ADD, 0x0030800000000000, 0xc22ffffffff00000, 0x0000000000000000,
      0xc22ffffffff00000, 0xc22fffffffefffff, 0xc22ffffffff00000, 0xc22fffffffefffff, 0xc22ffffffff00000, 1),
    V1(D_ADD, 0xfff42e8800000000, 0x7ff2bec08a13c000, 0x0000000000000000, 0x7ff8000000000000, 16),
    V(D_ADD, 0xffcfffffffffffff, 0x7fe0000000000000, 0x0000000000000000,
      0x7fd0000000000000, 0x7fd0000000000000, 0x7fd0000000000000, 0x7fd0000000000001, 0x7fd0000000000001, 1),
    V(D_ADD, 0x802ffffffdffffff, 0x00423c128b0c68db, 0x0000000000000000,
      0x003478251718d1b6, 0x003478251718d1b6, 0x003478251718d1b6, 0x003478251718d1b7, 0x003478251718d1b7, 1),
    V1(D_ADD, 0x8000000000000000, 0x8000000000000000, 0x0000000000000000, 0x8000000000000000, 0),
    V(D_ADD, 0xffe3a00000000000, 0xffe2e0688572b2a2, 0x0000000000000000,
      0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 5),
    V1(D_ADD, 0x0000000000000001, 0x000fdfffffffffff, 0x0000000000000000, 0x000fe00000000000, 0),
    V(D_SUB, 0x735ffc0000000000, 0x76b0000000000000, 0x0000000000000000,
      0xf6afffffffffffff, 0xf6afffffffffffff, 0xf6b0000000000000, 0xf6afffffffffffff, 0xf6afffffffffffff, 1),
    V(D_SUB, 0x7fe00000008ae289, 0xffe00003d65dcedb, 0x0000000000000000,
      0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 0x7ff0000000000000, 5),
    V1(D_SUB, 0xfff040d9d8000000, 0x001ffffdffffffff, 0x0000000000000000, 0x7ff8000000000000, 16),
    V(D_SUB, 0x6f3e8fb435a0a49c, 0xef3e8fb0a69d9895, 0x0000000000000000,
      0x6f4e8fb26e1f1e98, 0x6f4e8fb26e1f1e98, 0x6f4e8fb26e1f1e98, 0x6f4e8fb26e1f1e99, 0x6f4e8fb26e1f1e99, 1),
    V(D_SUB, 0x002e080000000000, 0x802e0800000201d9, 0x0000000000000000,
      0x003e0800000100ec, 0x003e0800000100ec, 0x003e0800000100ec, 0x003e0800000100ed, 0x003e0800000100ed, 1),
    V(D_SUB, 0x803ff00000000000, 0x803ff00000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_SUB, 0x3feffffffffffffd, 0x7ff9c40000000000, 0x0000000000000000, 0x7ff8000000000000, 0),
    V(D_MUL, 0x481ffbffffffffff, 0x487fbfffffffffff, 0x0000000000000000,
      0x50afbc07fffffffe, 0x50afbc07fffffffe, 0x50afbc07fffffffe, 0x50afbc07ffffffff, 0x50afbc07fffffffe, 1),
    V(D_MUL, 0x7fe657a7d0ab02c2, 0x7ef98c7ace78af97, 0x0000000000000000,
      0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 0x7ff0000000000000, 5),
    V1(D_MUL, 0x0000000000000000, 0x3f0e35be60000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_MUL, 0x0d50000000000800, 0x0a4fffffff800000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 3),
    V1(D_MUL, 0xfff7ffffffffffff, 0x0010000000000000, 0x0000000000000000, 0x7ff8000000000000, 16),
    V(D_MUL, 0xca9d800000000000, 0x75363800e1fcc1e0, 0x0000000000000000,
      0xffe47ba0d05502ba, 0xffe47ba0d05502ba, 0xffe47ba0d05502bb, 0xffe47ba0d05502ba, 0xffe47ba0d05502bb, 1),
    V(D_MUL, 0x5930002000000000, 0xe6a0000000004000, 0x0000000000000000,
      0xffe0002000004000, 0xffe0002000004000, 0xffe0002000004001, 0xffe0002000004000, 0xffe0002000004001, 1),
    V(D_DIV, 0x8010000000000080, 0x821ffffffffdffff, 0x0000000000000000,
      0x3de0000000010081, 0x3de0000000010080, 0x3de0000000010080, 0x3de0000000010081, 0x3de0000000010081, 1),
    V1(D_DIV, 0x8000000000000000, 0x8000000000000000, 0x0000000000000000, 0x7ff8000000000000, 16),
    V1(D_DIV, 0x0000000000000000, 0x7ff0000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_DIV, 0x3ffbffffffffffff, 0x7fe7288000000000, 0x0000000000000000,
      0x0009ac2f69bab1b1, 0x0009ac2f69bab1b0, 0x0009ac2f69bab1b0, 0x0009ac2f69bab1b1, 0x0009ac2f69bab1b1, 3),
    V(D_DIV, 0xffe00045921a754e, 0x3fc0000000000000, 0x0000000000000000,
      0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 5),
    V(D_DIV, 0x8000000000000001, 0x4000000000000000, 0x0000000000000000,
      0x8000000000000000, 0x8000000000000000, 0x8000000000000001, 0x8000000000000000, 0x8000000000000001, 3),
    V(D_DIV, 0xaa500773fc74626a, 0x6a50000000000000, 0x0000000000000000,
      0x800401dcff1d189a, 0x800401dcff1d189a, 0x800401dcff1d189b, 0x800401dcff1d189a, 0x800401dcff1d189b, 3),
    V(D_SQRT, 0x63e04fd977eae3ea, 0x0000000000000000, 0x0000000000000000,
      0x51e6d8ceef52ca29, 0x51e6d8ceef52ca29, 0x51e6d8ceef52ca29, 0x51e6d8ceef52ca2a, 0x51e6d8ceef52ca29, 1),
    V1(D_SQRT, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_SQRT, 0xfff0000000000000, 0x0000000000000000, 0x0000000000000000, 0x7ff8000000000000, 16),
    V(D_SQRT, 0x1d9ffffffff80000, 0x0000000000000000, 0x0000000000000000,
      0x2ec6a09e667c67b9, 0x2ec6a09e667c67b8, 0x2ec6a09e667c67b8, 0x2ec6a09e667c67b9, 0x2ec6a09e667c67b9, 1),
    V(D_SQRT, 0x0000000000000002, 0x0000000000000000, 0x0000000000000000,
      0x1e66a09e667f3bcd, 0x1e66a09e667f3bcc, 0x1e66a09e667f3bcc, 0x1e66a09e667f3bcd, 0x1e66a09e667f3bcd, 1),
    V1(D_SQRT, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000000, 0x7ff8000000000000, 0),
    V1(D_SQRT, 0xc21fffc000000000, 0x0000000000000000, 0x0000000000000000, 0x7ff8000000000000, 16),
    V(D_FMADD, 0x879000006f923e3e, 0x800ffffe00000000, 0x000fffffffffffff,
      0x000fffffffffffff, 0x000fffffffffffff, 0x000fffffffffffff, 0x0010000000000000, 0x000fffffffffffff, 3),
    V1(D_FMADD, 0xfff7ffffffffffff, 0x7d40000000400000, 0xffe0000000000000, 0x7ff8000000000000, 16),
    V(D_FMADD, 0xc00ffffffffdffff, 0x7fe0000001000000, 0x7feffffffffffffc,
      0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 5),
    V(D_FMADD, 0xc29b660a9f2e508c, 0x802fffffffffffff, 0x0204de6000000000,
      0x02db66b1922e508b, 0x02db66b1922e508b, 0x02db66b1922e508b, 0x02db66b1922e508c, 0x02db66b1922e508b, 1),
    V(D_FMADD, 0xe2143af15e417ff0, 0x0010000000000000, 0xa2343af15e417ff1,
      0xa2443af15e417ff0, 0xa2443af15e417ff0, 0xa2443af15e417ff1, 0xa2443af15e417ff0, 0xa2443af15e417ff1, 1),
    V(D_FMADD, 0xd140000002000000, 0xd129d60000000000, 0xe279d600033ac000,
      0x0000000000000000, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FMADD, 0x599a4924b6c0a69c, 0x0000000000008000, 0x176a4924b6c0a699,
      0x177a4924b6c0a69a, 0x177a4924b6c0a69a, 0x177a4924b6c0a69a, 0x177a4924b6c0a69b, 0x177a4924b6c0a69b, 1),
    V1(D_FMSUB, 0xc100000000000000, 0x0000000000000000, 0xfff7ffffffffffff, 0x7ff8000000000000, 16),
    V(D_FMSUB, 0x1330000000000000, 0x12907a2c21e02b21, 0xc001072b2ef88df7,
      0x4001072b2ef88df7, 0x4001072b2ef88df7, 0x4001072b2ef88df7, 0x4001072b2ef88df8, 0x4001072b2ef88df7, 1),
    V(D_FMSUB, 0x985ff80000000000, 0x1bac4ba899e00000, 0x0000000000000003,
      0x8000000000000003, 0x8000000000000003, 0x8000000000000004, 0x8000000000000003, 0x8000000000000003, 3),
    V(D_FMSUB, 0xbfdfffffffffffff, 0xffe0000000000000, 0xffed3b80ec3f7d29,
      0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 0x7ff0000000000000, 5),
    V(D_FMSUB, 0xac50000002000000, 0x1520000000000000, 0x8180000002000000,
      0x0000000000000000, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FMSUB, 0x763e017affe209da, 0x801ffffffffdffff, 0xb66e017affe029c4,
      0x3335004fc4e58276, 0x3335004fc4e58276, 0x3335004fc4e58276, 0x3335004fc4e58277, 0x3335004fc4e58277, 1),
    V(D_FMSUB, 0x00205fff258e152e, 0x7feffffffffbffff, 0x40205fff258c092b,
      0x3cf4c272216e7ab4, 0x3cf4c272216e7ab4, 0x3cf4c272216e7ab4, 0x3cf4c272216e7ab5, 0x3cf4c272216e7ab5, 1),
    V(D_FNMSUB, 0x001fffffffffdfff, 0xffe0000000000001, 0x400fffffffffe001,
      0x401fffffffffe001, 0x401fffffffffe000, 0x401fffffffffe000, 0x401fffffffffe001, 0x401fffffffffe001, 1),
    V(D_FNMSUB, 0x0030000000000008, 0x800fffffffffffc0, 0x800000000761a531,
      0x800000000761a531, 0x800000000761a530, 0x800000000761a531, 0x800000000761a530, 0x800000000761a531, 3),
    V1(D_FNMSUB, 0x340fffffffffe000, 0x7fefffffffffffff, 0xfff08a90db8291b8, 0x7ff8000000000000, 16),
    V(D_FNMSUB, 0x6870000000000693, 0x682fffffffffffff, 0x7fe0000000000000,
      0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 0xffefffffffffffff, 0xfff0000000000000, 5),
    V1(D_FNMSUB, 0x7fd0000000000000, 0x0000000000000000, 0x8000000000000000, 0x8000000000000000, 0),
    V(D_FNMSUB, 0xd8d0040000000000, 0xda80000000000000, 0xf36003fffffffffd,
      0xf37003fffffffffe, 0xf37003fffffffffe, 0xf37003ffffffffff, 0xf37003fffffffffe, 0xf37003ffffffffff, 1),
    V(D_FNMSUB, 0xc2b00000287b8ac7, 0xc090000000000000, 0xc3500000287b8aca,
      0xc3600000287b8ac8, 0xc3600000287b8ac8, 0xc3600000287b8ac9, 0xc3600000287b8ac8, 0xc3600000287b8ac9, 1),
    V(D_FNMADD, 0xe400000000008000, 0x5be0000000000000, 0x801fffffffffffff,
      0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 0x7ff0000000000000, 5),
    V1(D_FNMADD, 0xf150000000000000, 0x7fc9882ae9a1a5f0, 0xfff0000000000003, 0x7ff8000000000000, 16),
    V(D_FNMADD, 0x07ffffffffffffc0, 0xffefffffffffffff, 0xc7ffffffffffffbe,
      0x480fffffffffffbf, 0x480fffffffffffbe, 0x480fffffffffffbe, 0x480fffffffffffbf, 0x480fffffffffffbf, 1),
    V(D_FNMADD, 0x0000000000000001, 0x418ffeffffffffff, 0x800f800000000000,
      0x000f7ffffc002000, 0x000f7ffffc002000, 0x000f7ffffc002000, 0x000f7ffffc002001, 0x000f7ffffc002000, 3),
    V(D_FNMADD, 0xd14fffffffffdfff, 0x4ef09f9b03e25746, 0x60509f9b03e246a3,
      0x5d26fffa2c4d3a2e, 0x5d26fffa2c4d3a2e, 0x5d26fffa2c4d3a2e, 0x5d26fffa2c4d3a2f, 0x5d26fffa2c4d3a2f, 1),
    V(D_FNMADD, 0x002c317300000000, 0xc1a0001000000000, 0x01dc318f31730000,
      0x0000000000000000, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FNMADD, 0x76b0000100000000, 0x48f0000000400000, 0x7fe0000000000000,
      0xffe2000020080000, 0xffe2000020080000, 0xffe2000020080001, 0xffe2000020080000, 0xffe2000020080001, 1),
    V1(D_MIN, 0x4850000000000000, 0x8000000000000000, 0x0000000000000000, 0x8000000000000000, 0),
    V1(D_MIN, 0x7ff725416976440e, 0x80300000003acb1c, 0x0000000000000000, 0x80300000003acb1c, 16),
    V1(D_MIN, 0xffb64e665ba9cb56, 0x0040000000000002, 0x0000000000000000, 0xffb64e665ba9cb56, 0),
    V1(D_MIN, 0x41ffffffffffffff, 0x804fffe000000000, 0x0000000000000000, 0x804fffe000000000, 0),
    V1(D_MIN, 0x9b3ffffffffffffc, 0x8000000000000001, 0x0000000000000000, 0x9b3ffffffffffffc, 0),
    V1(D_MIN, 0x0d122c01d389b731, 0xbfe8838b89d45074, 0x0000000000000000, 0xbfe8838b89d45074, 0),
    V1(D_MAX, 0xdf80000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_MAX, 0xfff00000000002f6, 0x002fffffffffffc0, 0x0000000000000000, 0x002fffffffffffc0, 16),
    V1(D_MAX, 0x57f0000000001000, 0xc3df544340ff63b0, 0x0000000000000000, 0x57f0000000001000, 0),
    V1(D_MAX, 0x05af000000000000, 0x0030048fbd5467ed, 0x0000000000000000, 0x05af000000000000, 0),
    V1(D_MAX, 0x7ff0000000000000, 0x7e5b8b13d668aedc, 0x0000000000000000, 0x7ff0000000000000, 0),
    V1(D_MAX, 0xfff0000000000000, 0xffeff00000000000, 0x0000000000000000, 0xffeff00000000000, 0),
    V1(D_EQ, 0x0000000000000000, 0x029fff8000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_EQ, 0x7ff0000000000001, 0xffe000158564df80, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_EQ, 0xd3bffe0000000000, 0xfff0000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_EQ, 0x7ffffffe00000000, 0x0008000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_EQ, 0x7ff7ffffffffffff, 0xbfe0000100000000, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_EQ, 0x002ffffff7ffffff, 0xffd0000000000800, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_LT, 0x801ff7ffffffffff, 0xfff8000000000001, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_LT, 0x77ef000000000000, 0x423fffffffffffff, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_LT, 0x8f362ddd8f4a1948, 0x802003d5410f5635, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_LT, 0x001fffffffffffff, 0x800fffffffffffef, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_LT, 0x3fd0000000000000, 0x7fb000000000001a, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_LT, 0x801fffffffffffff, 0x0000000000000001, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_LE, 0x000fffffffffffdf, 0x800fff0000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_LE, 0x4190000000000000, 0xfff0000000400000, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_LE, 0x802ffffffdffffff, 0x8000000000000000, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_LE, 0x001fff8000000000, 0x8220000804e7d6e5, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_LE, 0xbfffffffffffffff, 0x00205c4ce55f6b4a, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_LE, 0xed742ec34e42708a, 0x43a0000000008000, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_CLASS, 0x23ffffffff000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000040, 0),
    V1(D_CLASS, 0xe70fffffffffffff, 0x0000000000000000, 0x0000000000000000, 0x0000000000000002, 0),
    V1(D_CLASS, 0x7fffff0000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000200, 0),
    V1(D_CLASS, 0x920eba2b9f7c9571, 0x0000000000000000, 0x0000000000000000, 0x0000000000000002, 0),
    V1(D_CLASS, 0xfff0000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0),
    V1(D_CLASS, 0xd87ffbffffffffff, 0x0000000000000000, 0x0000000000000000, 0x0000000000000002, 0),
    V(D_TOW, 0xbffffffffffdffff, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffffffffe, 0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffffffffffff, 0xfffffffffffffffe, 1),
    V1(D_TOW, 0xfff6ffffffffffff, 0x0000000000000000, 0x0000000000000000, 0x000000007fffffff, 16),
    V(D_TOW, 0x000e10475d47f600, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(D_TOW, 0x418f710174000000, 0x0000000000000000, 0x0000000000000000,
      0x0000000003ee202e, 0x0000000003ee202e, 0x0000000003ee202e, 0x0000000003ee202f, 0x0000000003ee202f, 1),
    V(D_TOW, 0xc12fc33d00000000, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffff01e62, 0xfffffffffff01e62, 0xfffffffffff01e61, 0xfffffffffff01e62, 0xfffffffffff01e61, 1),
    V(D_TOW, 0xc10ffffffff7ffff, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffffc0000, 0xfffffffffffc0001, 0xfffffffffffc0000, 0xfffffffffffc0001, 0xfffffffffffc0000, 1),
    V1(D_TOW, 0x7ffe8981bd2c965b, 0x0000000000000000, 0x0000000000000000, 0x000000007fffffff, 16),
    V1(D_TOWU, 0xc154e4bd30000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 16),
    V(D_TOWU, 0x3aa0000000000000, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(D_TOWU, 0x4008796b2767d8b3, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000003, 0x0000000000000003, 0x0000000000000003, 0x0000000000000004, 0x0000000000000003, 1),
    V(D_TOWU, 0x3fe0000000000000, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000001, 1),
    V(D_TOWU, 0x418d694844000000, 0x0000000000000000, 0x0000000000000000,
      0x0000000003ad2908, 0x0000000003ad2908, 0x0000000003ad2908, 0x0000000003ad2909, 0x0000000003ad2909, 1),
    V1(D_TOWU, 0x420485279e700000, 0x0000000000000000, 0x0000000000000000, 0xffffffffffffffff, 16),
    V(D_TOWU, 0x3310000000800000, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V1(D_TOL, 0x6ea0000000000000, 0x0000000000000000, 0x0000000000000000, 0x7fffffffffffffff, 16),
    V(D_TOL, 0xc00c000000000000, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffffffffc, 0xfffffffffffffffd, 0xfffffffffffffffc, 0xfffffffffffffffd, 0xfffffffffffffffc, 1),
    V(D_TOL, 0x002f7fffffffffff, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(D_TOL, 0xc01a000000000000, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffffffffa, 0xfffffffffffffffa, 0xfffffffffffffff9, 0xfffffffffffffffa, 0xfffffffffffffff9, 1),
    V(D_TOL, 0x41b5be1406800000, 0x0000000000000000, 0x0000000000000000,
      0x0000000015be1406, 0x0000000015be1406, 0x0000000015be1406, 0x0000000015be1407, 0x0000000015be1407, 1),
    V(D_TOL, 0xc19029daf7000000, 0x0000000000000000, 0x0000000000000000,
      0xfffffffffbf58942, 0xfffffffffbf58943, 0xfffffffffbf58942, 0xfffffffffbf58943, 0xfffffffffbf58942, 1),
    V1(D_TOL, 0x7ffdbee8935f8d11, 0x0000000000000000, 0x0000000000000000, 0x7fffffffffffffff, 16),
    V1(D_TOLU, 0xffeec4fa39bc407b, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 16),
    V(D_TOLU, 0x3570000000000000, 0x0000000000000000, 0x0000000000000000,
      0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001, 0x0000000000000000, 1),
    V(D_TOLU, 0x41bb6ce992400000, 0x0000000000000000, 0x0000000000000000,
      0x000000001b6ce992, 0x000000001b6ce992, 0x000000001b6ce992, 0x000000001b6ce993, 0x000000001b6ce992, 1),
    V(D_TOLU, 0x42316e07a2288000, 0x0000000000000000, 0x0000000000000000,
      0x000000116e07a228, 0x000000116e07a228, 0x000000116e07a228, 0x000000116e07a229, 0x000000116e07a229, 1),
    V(D_TOLU, 0x40e4e75000000000, 0x0000000000000000, 0x0000000000000000,
      0x000000000000a73a, 0x000000000000a73a, 0x000000000000a73a, 0x000000000000a73b, 0x000000000000a73b, 1),
    V1(D_TOLU, 0xc348dcf90723b0a3, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_TOLU, 0xc6bfffffffffffff, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 16),
    V1(D_FROMW, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_FROMW, 0x000000005ff7c5aa, 0x0000000000000000, 0x0000000000000000, 0x41d7fdf16a800000, 0),
    V1(D_FROMW, 0x000000001fffffff, 0x0000000000000000, 0x0000000000000000, 0x41bfffffff000000, 0),
    V1(D_FROMW, 0x0000000082817429, 0x0000000000000000, 0x0000000000000000, 0xc1df5fa2f5c00000, 0),
    V1(D_FROMW, 0x00000000fffffffe, 0x0000000000000000, 0x0000000000000000, 0xc000000000000000, 0),
    V1(D_FROMW, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_FROMW, 0x00000000a040a001, 0x0000000000000000, 0x0000000000000000, 0xc1d7efd7ffc00000, 0),
    V1(D_FROMWU, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V1(D_FROMWU, 0x00000000a65b2cb4, 0x0000000000000000, 0x0000000000000000, 0x41e4cb6596800000, 0),
    V1(D_FROMWU, 0x00000000e80629b2, 0x0000000000000000, 0x0000000000000000, 0x41ed00c536400000, 0),
    V1(D_FROMWU, 0x0000000000200000, 0x0000000000000000, 0x0000000000000000, 0x4140000000000000, 0),
    V1(D_FROMWU, 0x00000000fc912c23, 0x0000000000000000, 0x0000000000000000, 0x41ef922584600000, 0),
    V1(D_FROMWU, 0x00000000ffffffff, 0x0000000000000000, 0x0000000000000000, 0x41efffffffe00000, 0),
    V1(D_FROMWU, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FROML, 0x0800000000000002, 0x0000000000000000, 0x0000000000000000,
      0x43a0000000000000, 0x43a0000000000000, 0x43a0000000000000, 0x43a0000000000001, 0x43a0000000000000, 1),
    V(D_FROML, 0x0c7168bb64dd3d40, 0x0000000000000000, 0x0000000000000000,
      0x43a8e2d176c9ba7a, 0x43a8e2d176c9ba7a, 0x43a8e2d176c9ba7a, 0x43a8e2d176c9ba7b, 0x43a8e2d176c9ba7b, 1),
    V1(D_FROML, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FROML, 0x0020000000000001, 0x0000000000000000, 0x0000000000000000,
      0x4340000000000000, 0x4340000000000000, 0x4340000000000000, 0x4340000000000001, 0x4340000000000001, 1),
    V1(D_FROML, 0x0000000016cba600, 0x0000000000000000, 0x0000000000000000, 0x41b6cba600000000, 0),
    V(D_FROML, 0x47e7c5fbb9b4851c, 0x0000000000000000, 0x0000000000000000,
      0x43d1f9f17eee6d21, 0x43d1f9f17eee6d21, 0x43d1f9f17eee6d21, 0x43d1f9f17eee6d22, 0x43d1f9f17eee6d21, 1),
    V1(D_FROML, 0x0000000000000017, 0x0000000000000000, 0x0000000000000000, 0x4037000000000000, 0),
    V(D_FROMLU, 0xff57ea92e1103235, 0x0000000000000000, 0x0000000000000000,
      0x43efeafd525c2206, 0x43efeafd525c2206, 0x43efeafd525c2206, 0x43efeafd525c2207, 0x43efeafd525c2206, 1),
    V1(D_FROMLU, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0),
    V(D_FROMLU, 0x0021d5d38950aac1, 0x0000000000000000, 0x0000000000000000,
      0x4340eae9c4a85560, 0x4340eae9c4a85560, 0x4340eae9c4a85560, 0x4340eae9c4a85561, 0x4340eae9c4a85561, 1),
    V(D_FROMLU, 0x002a5f8edd261f29, 0x0000000000000000, 0x0000000000000000,
      0x43452fc76e930f94, 0x43452fc76e930f94, 0x43452fc76e930f94, 0x43452fc76e930f95, 0x43452fc76e930f95, 1),
    V1(D_FROMLU, 0x0000ffffffffffff, 0x0000000000000000, 0x0000000000000000, 0x42efffffffffffe0, 0),
    V1(D_FROMLU, 0x0000100000000000, 0x0000000000000000, 0x0000000000000000, 0x42b0000000000000, 0),
    V1(D_FROMLU, 0x000000000000002c, 0x0000000000000000, 0x0000000000000000, 0x4046000000000000, 0),
    V1(S_TOD, 0x7f800010, 0x00000000, 0x00000000, 0x7ff8000000000000, 16),
    V1(S_TOD, 0x00000000, 0x00000000, 0x00000000, 0x0000000000000000, 0),
    V1(S_TOD, 0x3fe84bde, 0x00000000, 0x00000000, 0x3ffd097bc0000000, 0),
    V1(S_TOD, 0xffda53b5, 0x00000000, 0x00000000, 0x7ff8000000000000, 0),
    V1(S_TOD, 0xf17ffff0, 0x00000000, 0x00000000, 0xc62ffffe00000000, 0),
    V1(S_TOD, 0xff940000, 0x00000000, 0x00000000, 0x7ff8000000000000, 16),
    V(D_TOS, 0x28161a8780000000, 0x0000000000000000, 0x0000000000000000,
      0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000000, 3),
    V1(D_TOS, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000, 0),
    V(D_TOS, 0x67d2700000000000, 0x0000000000000000, 0x0000000000000000,
      0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000, 5),
    V1(D_TOS, 0x7ff0000000000001, 0x0000000000000000, 0x0000000000000000, 0x7fc00000, 16),
    V(D_TOS, 0x463bfee4c3aff537, 0x0000000000000000, 0x0000000000000000,
      0x71dff726, 0x71dff726, 0x71dff726, 0x71dff727, 0x71dff726, 1),
    V(D_TOS, 0x3fe0000010000000, 0x0000000000000000, 0x0000000000000000,
      0x3f000000, 0x3f000000, 0x3f000000, 0x3f000001, 0x3f000001, 1),
    V(D_TOS, 0xbe40000010000000, 0x0000000000000000, 0x0000000000000000,
      0xb2000000, 0xb2000000, 0xb2000001, 0xb2000000, 0xb2000001, 1),
};

static void check_vectors(const char *table, const vec *v, size_t n, void (*before)(void))
{
    for (size_t i = 0; i < n; i++) {
        for (int rm = 0; rm < 5; rm++) {
            uint32_t fl = 0;
            if (before)
                before();
            uint64_t r = run(v[i].op, v[i].a, v[i].b, v[i].c, rm, &fl);
            checks++;
            if (r != v[i].r[rm] || fl != v[i].fl[rm]) {
                printf("FAIL %s line %d: %s rm=%d a=%#" PRIx64 " b=%#" PRIx64 " c=%#" PRIx64
                       ": got %#" PRIx64 " flags %#x, want %#" PRIx64 " flags %#x\n",
                       table, v[i].line, opname[v[i].op], rm, v[i].a, v[i].b, v[i].c,
                       r, fl, v[i].r[rm], v[i].fl[rm]);
                failures++;
            }
        }
    }
}

static void expect(const char *what, uint64_t got, uint64_t want)
{
    checks++;
    if (got != want) {
        printf("FAIL %s: got %#" PRIx64 ", want %#" PRIx64 "\n", what, got, want);
        failures++;
    }
}

/* ---- properties of the rounding modes on random operands ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng += 0x9e3779b97f4a7c15ull;           /* splitmix64 */
    uint64_t z = rng;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A random value with exponent near `near` (biased) or anywhere, and a fraction
 * with long runs of zeros or ones so that ties and carries are common. */
static uint64_t rand_float(bool dbl, int near)
{
    int fb = dbl ? 52 : 23, emax = dbl ? 0x7ff : 0xff;
    uint64_t fmask = (1ull << fb) - 1, frac;
    switch (rnd() % 4) {
    case 0: frac = rnd() & fmask; break;
    case 1: frac = (rnd() & fmask) & ~((1ull << (rnd() % fb)) - 1); break;
    case 2: frac = (fmask >> (rnd() % fb)) ^ (1ull << (rnd() % fb)); break;
    default: frac = (rnd() & fmask) | ((1ull << (rnd() % fb)) - 1); break;
    }
    long e;
    switch (rnd() % 8) {
    case 0: e = 0; break;                                   /* zero or subnormal */
    case 1: e = 1 + (long)(rnd() % 3); break;
    case 2: e = emax - 1 - (long)(rnd() % 3); break;
    case 3: case 4: e = near + (long)(rnd() % 61) - 30; break;
    default: e = 1 + (long)(rnd() % (uint64_t)(emax - 1)); break;
    }
    if (e < 0) e = 0;
    if (e > emax - 1) e = emax - 1;
    return ((rnd() & 1) << (dbl ? 63 : 31)) | ((uint64_t)e << fb) | frac;
}

/* order-preserving integer for a non-NaN value; -0 and +0 both map to 0 */
static int64_t key(uint64_t v, bool dbl)
{
    uint64_t sign = dbl ? v >> 63 : (v >> 31) & 1;
    int64_t mag = (int64_t)(dbl ? v & ~(1ull << 63) : v & 0x7fffffffu);
    return sign ? -mag : mag;
}

static void check_modes(int op, uint64_t a, uint64_t b, uint64_t c, bool dbl)
{
    uint64_t r[5];
    uint32_t f[5];
    for (int rm = 0; rm < 5; rm++) {
        f[rm] = 0;
        r[rm] = run(op, a, b, c, rm, &f[rm]);
    }
    const uint32_t same = FFLAG_NX | FFLAG_NV | FFLAG_DZ;
    const char *bad = NULL;
    uint64_t qnan = dbl ? F64_CANONICAL_NAN : F32_CANONICAL_NAN;
    for (int rm = 1; rm < 5 && !bad; rm++)
        if ((f[rm] & same) != (f[0] & same))
            bad = "NX/NV/DZ differ between modes";
    if (bad) {
    } else if (f[0] & FFLAG_NV) {
        for (int rm = 0; rm < 5; rm++)
            if (r[rm] != qnan)
                bad = "invalid but not the canonical NaN";
    } else if (!(f[0] & FFLAG_NX)) {
        /* exact: the same in every mode, up to the sign of a zero sum */
        for (int rm = 1; rm < 5; rm++)
            if (r[rm] != r[0] && !(key(r[rm], dbl) == 0 && key(r[0], dbl) == 0))
                bad = "exact result differs between modes";
    } else {
        int64_t kd = key(r[RM_RDN], dbl), ku = key(r[RM_RUP], dbl);
        if (ku - kd != 1)
            bad = "RDN and RUP not adjacent";
        else if (r[RM_RTZ] != (kd >= 0 ? r[RM_RDN] : r[RM_RUP]))
            bad = "RTZ is not RDN/RUP by sign";
        else if (r[RM_RNE] != r[RM_RDN] && r[RM_RNE] != r[RM_RUP])
            bad = "RNE is neither neighbour";
        else if (r[RM_RMM] != r[RM_RDN] && r[RM_RMM] != r[RM_RUP])
            bad = "RMM is neither neighbour";
    }
    checks++;
    if (bad) {
        printf("FAIL %s: %s a=%#" PRIx64 " b=%#" PRIx64 " c=%#" PRIx64 "\n", opname[op], bad, a, b, c);
        for (int rm = 0; rm < 5; rm++)
            printf("    rm=%d: %#" PRIx64 " flags %#x\n", rm, r[rm], f[rm]);
        failures++;
    }
}

static void test_mode_properties(int iterations)
{
    static const int ops[] = {
        S_ADD, S_SUB, S_MUL, S_DIV, S_SQRT, S_FMADD, S_FMSUB, S_FNMSUB, S_FNMADD,
        D_ADD, D_SUB, D_MUL, D_DIV, D_SQRT, D_FMADD, D_FMSUB, D_FNMSUB, D_FNMADD,
        D_TOS, S_FROML, S_FROMLU, D_FROML, D_FROMLU,
    };
    for (int i = 0; i < iterations; i++) {
        int op = ops[rnd() % (sizeof(ops) / sizeof(ops[0]))];
        bool dbl = op >= D_ADD && op != D_TOS;
        bool src_dbl = op >= D_ADD;
        int bias = src_dbl ? 1023 : 127;
        uint64_t a = rand_float(src_dbl, bias);
        int ea = (int)((a >> (src_dbl ? 52 : 23)) & (src_dbl ? 0x7ff : 0xff));
        uint64_t b = rand_float(src_dbl, ea);
        int eb = (int)((b >> (src_dbl ? 52 : 23)) & (src_dbl ? 0x7ff : 0xff));
        uint64_t c = rand_float(src_dbl, ea + eb - bias);
        if (op == S_FROML || op == S_FROMLU || op == D_FROML || op == D_FROMLU)
            a = rnd() >> (rnd() % 64);
        check_modes(op, a, b, c, dbl);
    }
}

/* ---- odds and ends ---- */

static void test_misc(void)
{
    /* flags accumulate: nothing is cleared */
    uint32_t fl = FFLAG_DZ;
    f32_add(0x3f800000, 0x33800000, RM_RNE, &fl);
    f64_mul(0x7fe0000000000000, 0x4000000000000000, RM_RMM, &fl);
    expect("flags accumulate", fl, FFLAG_DZ | FFLAG_NX | FFLAG_OF);
    fl = FFLAG_NV;
    f32_add(0x3f800000, 0x3f800000, RM_RNE, &fl);
    expect("exact op keeps flags", fl, FFLAG_NV);

    /* NaN-boxing */
    expect("box", fpu_box32(0x3f800000), 0xffffffff3f800000ull);
    expect("unbox", fpu_unbox32(0xffffffff3f800000ull), 0x3f800000);
    expect("unbox unboxed", fpu_unbox32(0x000000003f800000ull), F32_CANONICAL_NAN);
    expect("unbox almost", fpu_unbox32(0xfffffffe3f800000ull), F32_CANONICAL_NAN);
    expect("unbox nan", fpu_unbox32(0xffffffff7fa00000ull), 0x7fa00000);

    /* out-of-range modes never index past a table; they round as RNE */
    fl = 0;
    expect("rm 7", f32_add(0x3f800000, 0x33800000, 7, &fl), 0x3f800000);
}

#if defined(__x86_64__)
static unsigned get_mxcsr(void) { unsigned m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }
static void set_mxcsr(unsigned m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }
#endif

/* the worst a caller could leave: rounding upward, a sticky flag, FTZ and DAZ */
static void hostile_environment(void)
{
    fesetround(FE_UPWARD);
    feraiseexcept(FE_OVERFLOW);
#if defined(__x86_64__)
    set_mxcsr(get_mxcsr() | 0x8040);
#endif
}

static void test_host_environment(void)
{
    int failures_before = failures;
    check_vectors("targeted (hostile host env)", targeted, sizeof(targeted) / sizeof(targeted[0]),
                  hostile_environment);
    fesetenv(FE_DFL_ENV);
    if (failures != failures_before)
        printf("(the failures above ran under a non-default host environment)\n");

    /* from the default environment, each route leaves the default environment */
    static const vec routes[] = {
        V(S_ADD, 0x3f800000, 0x33800000, 0, 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001, NX),
        V(D_FMADD, 0x3ff0000000000001, 0x3ff0000000000001, 0x3c9ffffffffffffc,
          0x3ff0000000000002, 0x3ff0000000000002, 0x3ff0000000000002, 0x3ff0000000000003, 0x3ff0000000000003, NX),
        V(S_FMADD, 0x3f800001, 0x3f800001, 0x337ffffc, 0x3f800002, 0x3f800002, 0x3f800002, 0x3f800003, 0x3f800003, NX),
        V(D_SQRT, 0x4000000000000000, 0, 0, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc,
          0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd, NX),
    };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        for (int rm = 0; rm < 5; rm++) {
            uint32_t fl = 0;
            run(routes[i].op, routes[i].a, routes[i].b, routes[i].c, rm, &fl);
            expect("host rounding mode after a call", (uint64_t)fegetround(), FE_TONEAREST);
#if defined(__x86_64__)
            expect("MXCSR after a call", get_mxcsr() & ~0x3fu, 0x1f80);
#endif
        }
    }
    check_vectors("routes", routes, sizeof(routes) / sizeof(routes[0]), NULL);
}

int main(void)
{
    check_vectors("targeted", targeted, sizeof(targeted) / sizeof(targeted[0]), NULL);
    check_vectors("reference", reference, sizeof(reference) / sizeof(reference[0]), NULL);
    test_mode_properties(300000);
    test_misc();
    test_host_environment();
    if (failures)
        printf("%d of %d checks failed\n", failures, checks);
    else
        printf("%d fpu checks passed\n", checks);
    return failures ? 1 : 0;
}
