/*
 * RISC-V F and D arithmetic on raw bit patterns (uint32_t for single, uint64_t for
 * double): IEEE 754 results with RISC-V's rules (canonical NaN results, fmin/fmax as
 * minimumNumber/maximumNumber, saturating float-to-integer conversions, tininess
 * detected after rounding) in all five rounding modes.
 *
 * Contract with the caller (the interpreter):
 *  - `rm` is already resolved: 0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM. The caller turns the
 *    dynamic mode (7) into frm and raises illegal-instruction for 5, 6 and for frm >= 5;
 *    any other value reaching these functions is treated as RNE.
 *  - each function ORs the exception flags it raised into *flags (FFLAG_*, the fflags
 *    bit layout); it never clears bits, so the caller can accumulate.
 *  - NaN-boxing of single values in the 64-bit FP registers is the caller's job, with
 *    fpu_box32()/fpu_unbox32().
 *  - results never depend on the host's floating-point environment (its rounding mode,
 *    sticky flags, x86 FTZ/DAZ). Every function is thread-safe, expects the host's
 *    default environment (round to nearest, exceptions masked; tern never changes
 *    it) and leaves it so, but does not keep the host's own sticky exception flags:
 *    on x86-64 MXCSR is reloaded with its default, 0x1f80, rather than saved and
 *    restored, which would make the common case a third slower.
 */
#ifndef TERN_RISCV_FPU_H
#define TERN_RISCV_FPU_H

#include <stdint.h>
#include <stdbool.h>

enum { FFLAG_NX = 1, FFLAG_UF = 2, FFLAG_OF = 4, FFLAG_DZ = 8, FFLAG_NV = 16 };
enum { RM_RNE = 0, RM_RTZ = 1, RM_RDN = 2, RM_RUP = 3, RM_RMM = 4 };

/*
 * For native FP code (the translator), which runs SSE instructions under the default
 * MXCSR and lets their exception flags accumulate there: the fflags those MXCSR flag
 * bits stand for (the "denormal operand" bit has none), and clearing them.
 */
#define FPU_HOST_FLAG_BITS 0x3du
uint32_t fpu_host_flags_to_fflags(uint32_t host);
void fpu_host_flags_clear(void);

#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_CANONICAL_NAN 0x7ff8000000000000ull

/* Single-precision values live NaN-boxed (upper 32 bits all ones) in the FP registers. */
static inline uint64_t fpu_box32(uint32_t v) { return 0xffffffff00000000ull | v; }
/* A single operand that is not properly boxed reads as the canonical NaN. */
static inline uint32_t fpu_unbox32(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANONICAL_NAN;
}

#define FPU_DECLARE(W, T) \
    T f##W##_add(T a, T b, int rm, uint32_t *flags); \
    T f##W##_sub(T a, T b, int rm, uint32_t *flags); \
    T f##W##_mul(T a, T b, int rm, uint32_t *flags); \
    T f##W##_div(T a, T b, int rm, uint32_t *flags); \
    T f##W##_sqrt(T a, int rm, uint32_t *flags); \
    /* fused, one rounding; the negations apply to the product, before the addition */ \
    T f##W##_fmadd(T a, T b, T c, int rm, uint32_t *flags);   /*  (a*b) + c */ \
    T f##W##_fmsub(T a, T b, T c, int rm, uint32_t *flags);   /*  (a*b) - c */ \
    T f##W##_fnmsub(T a, T b, T c, int rm, uint32_t *flags);  /* -(a*b) + c */ \
    T f##W##_fnmadd(T a, T b, T c, int rm, uint32_t *flags);  /* -(a*b) - c */ \
    /* minimumNumber/maximumNumber: a NaN operand yields the other one, -0 < +0 */ \
    T f##W##_min(T a, T b, uint32_t *flags); \
    T f##W##_max(T a, T b, uint32_t *flags); \
    bool f##W##_eq(T a, T b, uint32_t *flags);   /* quiet: NV only for sNaN */ \
    bool f##W##_lt(T a, T b, uint32_t *flags);   /* signaling: NV for any NaN */ \
    bool f##W##_le(T a, T b, uint32_t *flags); \
    uint64_t f##W##_classify(T a);               /* the fclass 10-bit mask */ \
    /* sign injection: pure bit operations, no flags, NaNs not canonicalised */ \
    T f##W##_sgnj(T a, T b); \
    T f##W##_sgnjn(T a, T b); \
    T f##W##_sgnjx(T a, T b); \
    /* to integers: the x-register value, 32-bit results (also wu) sign-extended; \
     * NaN and too large give the largest value, too small the smallest, with NV */ \
    int64_t f##W##_to_i32(T a, int rm, uint32_t *flags); \
    int64_t f##W##_to_u32(T a, int rm, uint32_t *flags); \
    int64_t f##W##_to_i64(T a, int rm, uint32_t *flags); \
    int64_t f##W##_to_u64(T a, int rm, uint32_t *flags); \
    T i32_to_f##W(int32_t v, int rm, uint32_t *flags); \
    T u32_to_f##W(uint32_t v, int rm, uint32_t *flags); \
    T i64_to_f##W(int64_t v, int rm, uint32_t *flags); \
    T u64_to_f##W(uint64_t v, int rm, uint32_t *flags);

FPU_DECLARE(32, uint32_t)
FPU_DECLARE(64, uint64_t)
#undef FPU_DECLARE

/* fcvt.d.s is exact, so it takes no rounding mode (the caller still validates rm). */
uint64_t f32_to_f64(uint32_t a, uint32_t *flags);
uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags);

#endif
