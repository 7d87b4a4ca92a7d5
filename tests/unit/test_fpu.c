/*
 * Unit tests of cpu/riscv/fpu.c on the cases the ISA suites touch lightly: RMM ties
 * (the software path), tininess after rounding, saturating conversions, fmin/fmax
 * signed zeros and NaNs, fused rounding, and flag accumulation.
 */
#include "cpu/riscv/fpu.h"
#include <stdio.h>
#include <inttypes.h>

static int failures;

static void check(const char *what, uint64_t got, uint64_t want, uint32_t gotf, uint32_t wantf)
{
    if (got != want || gotf != wantf) {
        printf("FAIL %s: got %#" PRIx64 " flags %#x, want %#" PRIx64 " flags %#x\n",
               what, got, gotf, want, wantf);
        failures++;
    }
}

#define T1(expr, want, wantf) do { uint32_t fl = 0; uint64_t r = (uint64_t)(expr); \
    check(#expr, r, (uint64_t)(want), fl, (wantf)); } while (0)

enum { NX = FFLAG_NX, UF = FFLAG_UF, OF = FFLAG_OF, DZ = FFLAG_DZ, NV = FFLAG_NV };

int main(void)
{
    /* RMM ties go away from zero; RNE ties go to even */
    T1(f32_add(0x3f800000, 0x33800000, RM_RMM, &fl), 0x3f800001, NX);
    T1(f32_add(0x3f800000, 0x33800000, RM_RNE, &fl), 0x3f800000, NX);
    T1(f32_sub(0xbf800000, 0x33800000, RM_RMM, &fl), 0xbf800001, NX);
    T1(f64_add(0x3ff0000000000000, 0x3ca0000000000000, RM_RMM, &fl), 0x3ff0000000000001, NX);
    T1(f64_add(0x3ff0000000000000, 0x3ca0000000000000, RM_RNE, &fl), 0x3ff0000000000000, NX);
    T1(f64_mul(0x3ff8000000000000, 0x3ff0000000000001, RM_RMM, &fl), 0x3ff8000000000002, NX);
    /* exact results raise nothing, in every mode */
    for (int rm = 0; rm <= 4; rm++)
        T1(f32_add(0x3f800000, 0x3f800000, rm, &fl), 0x40000000, 0);
    /* x + -x is +0, except -0 when rounding down */
    T1(f32_sub(0x3f800000, 0x3f800000, RM_RNE, &fl), 0x00000000, 0);
    T1(f32_sub(0x3f800000, 0x3f800000, RM_RDN, &fl), 0x80000000, 0);
    T1(f64_sub(0x3ff0000000000000, 0x3ff0000000000000, RM_RMM, &fl), 0, 0);
    /* overflow: infinity or the largest finite value depending on the mode */
    T1(f32_mul(0x7f000000, 0x40000000, RM_RNE, &fl), 0x7f800000, OF | NX);
    T1(f32_mul(0x7f000000, 0x40000000, RM_RTZ, &fl), 0x7f7fffff, OF | NX);
    T1(f32_mul(0xff000000, 0x40000000, RM_RUP, &fl), 0xff7fffff, OF | NX);
    T1(f32_mul(0x7f000000, 0x40000000, RM_RMM, &fl), 0x7f800000, OF | NX);
    T1(f64_mul(0x7fe0000000000000, 0x4000000000000000, RM_RDN, &fl), 0x7fefffffffffffff, OF | NX);
    /* tininess after rounding: (1 - 2^-24) * 2^-126 rounds up to 2^-126 yet is tiny */
    T1(f32_mul(0x3f7fffff, 0x00800000, RM_RNE, &fl), 0x00800000, UF | NX);
    T1(f32_mul(0x3f7fffff, 0x00800000, RM_RMM, &fl), 0x00800000, UF | NX);
    T1(f32_mul(0x3f7fffff, 0x00800000, RM_RTZ, &fl), 0x007fffff, UF | NX);
    /* an exact subnormal result does not underflow */
    T1(f32_mul(0x00800000, 0x3f000000, RM_RNE, &fl), 0x00400000, 0);
    T1(f32_mul(0x00800000, 0x3f000000, RM_RMM, &fl), 0x00400000, 0);
    /* division */
    T1(f32_div(0x3f800000, 0x00000000, RM_RNE, &fl), 0x7f800000, DZ);
    T1(f32_div(0x00000000, 0x00000000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    T1(f64_div(0x3ff0000000000000, 0x4008000000000000, RM_RMM, &fl), 0x3fd5555555555555, NX);
    T1(f32_div(0x3f800000, 0x40400000, RM_RUP, &fl), 0x3eaaaaab, NX);
    /* sqrt */
    T1(f32_sqrt(0xbf800000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    T1(f64_sqrt(0x4000000000000000, RM_RMM, &fl), 0x3ff6a09e667f3bcd, NX);
    /* NaNs: canonical results; sNaN inputs raise NV, qNaN inputs do not */
    T1(f32_add(0x7fa00000, 0x3f800000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    T1(f32_add(0x7fc12345, 0x3f800000, RM_RNE, &fl), F32_CANONICAL_NAN, 0);
    T1(f32_add(0x7fa00000, 0x3f800000, RM_RMM, &fl), F32_CANONICAL_NAN, NV);
    T1(f64_mul(0x7ff4000000000000, 0x3ff0000000000000, RM_RMM, &fl), F64_CANONICAL_NAN, NV);
    T1(f32_add(0x7f800000, 0xff800000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    /* fused multiply-add: (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105 exactly; a separate
     * multiply would round the product to 1 + 2^-52 and give 2^-52 */
    T1(f64_fmadd(0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, RM_RNE, &fl),
       0x3c9ffffffffffffe, 0);
    T1(f64_fmadd(0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, RM_RMM, &fl),
       0x3c9ffffffffffffe, 0);
    T1(f32_fmadd(0x3f800001, 0x3f7ffffe, 0xbf800000, RM_RNE, &fl), 0xa8800000 | 0, 0);
    /* inf * 0 + qNaN is invalid */
    T1(f64_fmadd(0x7ff0000000000000, 0, 0x7ff8000000000000, RM_RNE, &fl), F64_CANONICAL_NAN, NV);
    T1(f32_fmadd(0x7f800000, 0, 0x7fc00000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    /* signed-zero results of fnmadd: -(0 * 1) - 0 = -0 */
    T1(f32_fnmadd(0x00000000, 0x3f800000, 0x00000000, RM_RNE, &fl), 0x80000000, 0);
    T1(f64_fnmsub(0x0000000000000000, 0x3ff0000000000000, 0x8000000000000000, RM_RNE, &fl),
       0x8000000000000000, 0);
    /* min/max: -0 < +0; one NaN gives the other operand; two give canonical */
    T1(f32_min(0x00000000, 0x80000000, &fl), 0x80000000, 0);
    T1(f32_max(0x80000000, 0x00000000, &fl), 0x00000000, 0);
    T1(f32_min(0x7fa00000, 0x3f800000, &fl), 0x3f800000, NV);
    T1(f64_max(0x7ff8000000000000, 0x7ff8000000000001, &fl), F64_CANONICAL_NAN, 0);
    T1(f64_min(0xbff0000000000000, 0x3ff0000000000000, &fl), 0xbff0000000000000, 0);
    /* comparisons: eq is quiet, lt/le signal on any NaN */
    T1(f32_eq(0x7fc00000, 0x3f800000, &fl), 0, 0);
    T1(f32_eq(0x7fa00000, 0x3f800000, &fl), 0, NV);
    T1(f32_lt(0x7fc00000, 0x3f800000, &fl), 0, NV);
    T1(f64_le(0x8000000000000000, 0, &fl), 1, 0);
    /* conversions to integers */
    T1(f32_to_i32(0x40200000, RM_RMM, &fl), 3, NX);                   /* 2.5 */
    T1(f32_to_i32(0x40200000, RM_RNE, &fl), 2, NX);
    T1(f32_to_i32(0xc0200000, RM_RMM, &fl), -3, NX);
    T1(f32_to_i32(0xc0200000, RM_RDN, &fl), -3, NX);
    T1(f32_to_i32(0x7fc00000, RM_RNE, &fl), 0x7fffffff, NV);
    T1(f32_to_i32(0xff800000, RM_RNE, &fl), (int64_t)INT32_MIN, NV);
    T1(f32_to_i32(0x4f000000, RM_RNE, &fl), 0x7fffffff, NV);          /* 2^31 */
    T1(f32_to_i32(0xcf000000, RM_RNE, &fl), (int64_t)INT32_MIN, 0);    /* -2^31 exact */
    T1(f32_to_u32(0xbe99999a, RM_RTZ, &fl), 0, NX);                   /* -0.3 */
    T1(f32_to_u32(0xbf800000, RM_RTZ, &fl), 0, NV);                   /* -1.0 */
    T1(f32_to_u32(0x7fc00000, RM_RNE, &fl), -1, NV);                  /* sign-extended max */
    T1(f32_to_u32(0x4f800000, RM_RNE, &fl), -1, NV);                  /* 2^32 */
    T1(f64_to_i64(0xc3e0000000000000, RM_RNE, &fl), INT64_MIN, 0);     /* -2^63 */
    T1(f64_to_i64(0x43e0000000000000, RM_RNE, &fl), INT64_MAX, NV);    /* 2^63 */
    T1(f64_to_u64(0x43f0000000000000, RM_RNE, &fl), -1, NV);           /* 2^64 */
    T1(f64_to_u64(0x43efffffffffffff, RM_RNE, &fl), (int64_t)0xfffffffffffff800ull, 0);
    T1(f64_to_i64(0x3fe0000000000000, RM_RMM, &fl), 1, NX);            /* 0.5 */
    T1(f64_to_i64(0x3fe0000000000000, RM_RNE, &fl), 0, NX);
    T1(f64_to_i64(0x3fd0000000000000, RM_RUP, &fl), 1, NX);            /* 0.25 */
    T1(f64_to_i32(0x8000000000000000, RM_RNE, &fl), 0, 0);             /* -0 */
    /* conversions from integers */
    T1(i64_to_f32(0x1000001, RM_RMM, &fl), 0x4b800001, NX);           /* 2^24+1 */
    T1(i64_to_f32(0x1000001, RM_RNE, &fl), 0x4b800000, NX);
    T1(i64_to_f32(-0x1000001, RM_RUP, &fl), 0xcb800000, NX);
    T1(u64_to_f64(~0ull, RM_RNE, &fl), 0x43f0000000000000, NX);
    T1(u64_to_f64(~0ull, RM_RTZ, &fl), 0x43efffffffffffff, NX);
    T1(i32_to_f64(-1, RM_RNE, &fl), 0xbff0000000000000, 0);
    T1(u32_to_f32(0, RM_RNE, &fl), 0, 0);
    /* between formats */
    T1(f64_to_f32(0x3ff0000010000000, RM_RMM, &fl), 0x3f800001, NX);   /* 1 + 2^-24 */
    T1(f64_to_f32(0x3ff0000010000000, RM_RNE, &fl), 0x3f800000, NX);
    T1(f64_to_f32(0x47f0000000000000, RM_RTZ, &fl), 0x7f7fffff, OF | NX);
    /* 2^-150 is half the smallest subnormal: RNE ties to even (0), RMM away */
    T1(f64_to_f32(0x3690000000000000, RM_RNE, &fl), 0x00000000, UF | NX);
    T1(f64_to_f32(0x3690000000000000, RM_RMM, &fl), 0x00000001, UF | NX);
    T1(f64_to_f32(0x7ff4000000000000, RM_RNE, &fl), F32_CANONICAL_NAN, NV);
    T1(f32_to_f64(0x00000001, &fl), 0x36a0000000000000, 0);            /* 2^-149 exact */
    T1(f32_to_f64(0xff800000, &fl), 0xfff0000000000000, 0);
    /* classify */
    T1(f32_classify(0xff800000), 1u << 0, 0);
    T1(f32_classify(0x80000001), 1u << 2, 0);
    T1(f32_classify(0x7fa00000), 1u << 8, 0);
    T1(f64_classify(0x7ff8000000000000), 1u << 9, 0);
    T1(f64_classify(0x0000000000000000), 1u << 4, 0);
    /* NaN boxing */
    T1(fpu_unbox32(0xffffffff3f800000ull), 0x3f800000, 0);
    T1(fpu_unbox32(0x000000003f800000ull), F32_CANONICAL_NAN, 0);

    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
