/*
 * RISC-V F and D arithmetic on raw bit patterns: IEEE 754 results with RISC-V's rules
 * (canonical NaN, fmin/fmax as minimumNumber/maximumNumber, saturating conversions)
 * and its five rounding modes. `rm` is already resolved (0 RNE, 1 RTZ, 2 RDN, 3 RUP,
 * 4 RMM); each function ORs the exception flags it raises into *flags.
 */
#ifndef TERN_RISCV_FPU_H
#define TERN_RISCV_FPU_H

#include <stdint.h>
#include <stdbool.h>

enum { FFLAG_NX = 1, FFLAG_UF = 2, FFLAG_OF = 4, FFLAG_DZ = 8, FFLAG_NV = 16 };
enum { RM_RNE = 0, RM_RTZ = 1, RM_RDN = 2, RM_RUP = 3, RM_RMM = 4 };

#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_CANONICAL_NAN 0x7ff8000000000000ull

/* Single-precision values live NaN-boxed in the 64-bit FP registers. */
static inline uint64_t fpu_box32(uint32_t v) { return 0xffffffff00000000ull | v; }
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
    T f##W##_fmadd(T a, T b, T c, int rm, uint32_t *flags);   /*  a*b + c */ \
    T f##W##_fmsub(T a, T b, T c, int rm, uint32_t *flags);   /*  a*b - c */ \
    T f##W##_fnmsub(T a, T b, T c, int rm, uint32_t *flags);  /* -a*b + c */ \
    T f##W##_fnmadd(T a, T b, T c, int rm, uint32_t *flags);  /* -a*b - c */ \
    T f##W##_min(T a, T b, uint32_t *flags); \
    T f##W##_max(T a, T b, uint32_t *flags); \
    bool f##W##_eq(T a, T b, uint32_t *flags); \
    bool f##W##_lt(T a, T b, uint32_t *flags); \
    bool f##W##_le(T a, T b, uint32_t *flags); \
    uint64_t f##W##_classify(T a); \
    /* conversions to integers return the register value (32-bit results sign-extended) */ \
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

uint64_t f32_to_f64(uint32_t a, uint32_t *flags);
uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags);

#endif
