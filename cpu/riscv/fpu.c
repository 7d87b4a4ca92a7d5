/*
 * RISC-V F/D arithmetic (see fpu.h).
 *
 * The four IEEE rounding modes run on the host FPU: on x86-64 the operation is bracketed
 * by writes of MXCSR (rounding control in, exception flags out), which match RISC-V's
 * flags, including tininess detected after rounding. Results that are NaN are replaced by
 * the canonical NaN. RMM (ties away from zero) has no host equivalent: those operations
 * are computed in a wider format with round-to-odd (truncate, then set the lowest bit if
 * anything was lost) and rounded to the target format in software by round_pack(),
 * which is exact because the wider format has at least two more bits. Conversions to
 * and from integers and between the two formats always use the software path.
 */
#include "cpu/riscv/fpu.h"
#include <fenv.h>
#include <math.h>
#include <string.h>

typedef struct fmt {
    int p;          /* precision, including the hidden bit */
    int bias;
    int emax;
} fmt;
static const fmt FMT32 = { 24, 127, 127 };
static const fmt FMT64 = { 53, 1023, 1023 };

static inline float f32_host(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static inline double f64_host(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static inline uint32_t f32_bits(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static inline uint64_t f64_bits(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }

static inline bool f32_isnan(uint32_t a) { return (a & 0x7fffffffu) > 0x7f800000u; }
static inline bool f64_isnan(uint64_t a) { return (a & ~(1ull << 63)) > 0x7ff0000000000000ull; }
static inline bool f32_issnan(uint32_t a) { return f32_isnan(a) && !(a & 0x00400000u); }
static inline bool f64_issnan(uint64_t a) { return f64_isnan(a) && !(a & 0x0008000000000000ull); }

/* ---- host FPU bracket ---- */

#if defined(__x86_64__)
/* MXCSR rounding control for RNE, RTZ, RDN, RUP */
static const uint32_t mxcsr_rc[4] = { 0u << 13, 3u << 13, 1u << 13, 2u << 13 };
#define MXCSR_DEFAULT 0x1f80u

static inline void host_begin(int rm)
{
    uint32_t m = MXCSR_DEFAULT | mxcsr_rc[rm];
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

static inline uint32_t host_end(void)
{
    uint32_t m, d = MXCSR_DEFAULT;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    __asm__ volatile("ldmxcsr %0" : : "m"(d));
    uint32_t f = 0;
    if (m & 0x01) f |= FFLAG_NV;
    if (m & 0x04) f |= FFLAG_DZ;
    if (m & 0x08) f |= FFLAG_OF;
    if (m & 0x10) f |= FFLAG_UF;
    if (m & 0x20) f |= FFLAG_NX;
    return f;
}
/* Keep the compiler from moving FP arithmetic across the MXCSR writes. */
#define PIN(x) __asm__ volatile("" : "+x"(x))
#else
static const int fenv_rm[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static inline void host_begin(int rm)
{
    fesetround(fenv_rm[rm]);
    feclearexcept(FE_ALL_EXCEPT);
}

static inline uint32_t host_end(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
    uint32_t f = 0;
    if (e & FE_INVALID) f |= FFLAG_NV;
    if (e & FE_DIVBYZERO) f |= FFLAG_DZ;
    if (e & FE_OVERFLOW) f |= FFLAG_OF;
    if (e & FE_UNDERFLOW) f |= FFLAG_UF;
    if (e & FE_INEXACT) f |= FFLAG_NX;
    return f;
}
#define PIN(x) __asm__ volatile("" : "+m"(x))
#endif

/* ---- software rounding ---- */

/*
 * sig >> n rounded by rm (sign is the value's sign, for RDN/RUP). n may exceed 64.
 * Returns whether anything non-zero was shifted out.
 */
static bool shift_round(uint64_t sig, int n, bool sign, int rm, uint64_t *out)
{
    if (n <= 0) {
        *out = sig << -n;
        return false;
    }
    uint64_t q, r;
    int cmp;                        /* remainder vs half an ulp: -1, 0, 1 */
    if (n < 64) {
        q = sig >> n;
        r = sig & ((1ull << n) - 1);
        uint64_t half = 1ull << (n - 1);
        cmp = r < half ? -1 : r == half ? 0 : 1;
    } else {
        q = 0;
        r = sig;
        /* n > 64: the value is below a quarter of the last place */
        cmp = n > 64 ? -1 : sig < (1ull << 63) ? -1 : sig == (1ull << 63) ? 0 : 1;
    }
    bool inc = false;
    if (r) {
        switch (rm) {
        case RM_RNE: inc = cmp > 0 || (cmp == 0 && (q & 1)); break;
        case RM_RTZ: break;
        case RM_RDN: inc = sign; break;
        case RM_RUP: inc = !sign; break;
        default: inc = cmp >= 0; break;       /* RMM */
        }
    }
    *out = q + inc;
    return r != 0;
}

/* Largest finite value or infinity, as the rounding mode dictates on overflow. */
static uint64_t overflow_result(const fmt *f, bool sign, int rm)
{
    bool to_inf = rm == RM_RNE || rm == RM_RMM || (rm == RM_RDN && sign) || (rm == RM_RUP && !sign);
    uint64_t inf = (uint64_t)(2 * f->bias + 1) << (f->p - 1);
    uint64_t v = to_inf ? inf : inf - 1;
    return ((uint64_t)sign << (f == &FMT32 ? 31 : 63)) | v;
}

/*
 * Round the finite non-zero value sig * 2^(e - 63) (sig normalised: bit 63 set; its low
 * bits may carry a sticky bit) to format f. Raises NX, UF (tiny after rounding and
 * inexact) and OF.
 */
static uint64_t round_pack(const fmt *f, bool sign, int e, uint64_t sig, int rm, uint32_t *flags)
{
    int signbit = f == &FMT32 ? 31 : 63;
    int emin = 1 - f->bias;
    if (e > f->emax) {
        *flags |= FFLAG_OF | FFLAG_NX;
        return overflow_result(f, sign, rm);
    }
    int n = 64 - f->p + (e < emin ? emin - e : 0);
    uint64_t m;
    bool inexact = shift_round(sig, n, sign, rm, &m);
    bool tiny = false;
    if (e < emin) {
        tiny = true;
        if (e == emin - 1) {
            /* rounded with an unbounded exponent, does it reach 2^emin? */
            uint64_t mu;
            shift_round(sig, 64 - f->p, sign, rm, &mu);
            if (mu >> f->p)
                tiny = false;
        }
    }
    if (inexact) {
        *flags |= FFLAG_NX;
        if (tiny)
            *flags |= FFLAG_UF;
    }
    uint64_t bits;
    if (e >= emin) {
        if (m >> f->p) {            /* rounding carried into a new bit */
            m >>= 1;
            e++;
            if (e > f->emax) {
                *flags |= FFLAG_OF | FFLAG_NX;
                return overflow_result(f, sign, rm);
            }
        }
        bits = ((uint64_t)(e + f->bias) << (f->p - 1)) | (m & ((1ull << (f->p - 1)) - 1));
    } else {
        bits = m;                   /* subnormal, or exactly the smallest normal */
    }
    return ((uint64_t)sign << signbit) | bits;
}

/* Unpack a finite non-zero value into sign, exponent and normalised significand. */
static void unpack(const fmt *f, uint64_t bits, bool *sign, int *e, uint64_t *sig)
{
    int fb = f->p - 1;
    int signbit = f == &FMT32 ? 31 : 63;
    *sign = (bits >> signbit) & 1;
    uint64_t exp = (bits >> fb) & (uint64_t)(2 * f->bias + 1);
    uint64_t frac = bits & ((1ull << fb) - 1);
    if (exp == 0) {
        int lz = __builtin_clzll(frac);
        *sig = frac << lz;
        *e = (1 - f->bias) - (lz - (63 - fb));
    } else {
        *sig = (frac | (1ull << fb)) << (63 - fb);
        *e = (int)exp - f->bias;
    }
}

/* ---- RMM through a wider format ---- */

/* A double computed with truncation; set its lowest bit if inexact (round-to-odd). */
static double to_odd(double d, uint32_t hf)
{
    if ((hf & FFLAG_NX) && isfinite(d) && d != 0) {
        uint64_t b = f64_bits(d) | 1;
        d = f64_host(b);
    }
    return d;
}

/* Finish an f32 operation computed in double with round-to-odd. */
static uint32_t f32_from_odd_double(double d, uint32_t hf, int rm, uint32_t *flags)
{
    *flags |= hf & (FFLAG_NV | FFLAG_DZ);
    uint64_t b = f64_bits(d);
    if (isnan(d))
        return F32_CANONICAL_NAN;
    if (isinf(d))
        return (uint32_t)((b >> 32) & 0x80000000u) | 0x7f800000u;
    if (d == 0)
        return (uint32_t)((b >> 32) & 0x80000000u);
    bool sign;
    int e;
    uint64_t sig;
    unpack(&FMT64, b, &sign, &e, &sig);
    return (uint32_t)round_pack(&FMT32, sign, e, sig, rm, flags);
}

/* Finish an f64 operation computed in x87 long double with round-to-odd. */
static uint64_t f64_from_odd_ldouble(long double x, uint32_t *flags, int rm)
{
    if (isnan(x))
        return F64_CANONICAL_NAN;
    bool sign = signbit(x);
    if (isinf(x))
        return ((uint64_t)sign << 63) | 0x7ff0000000000000ull;
    if (x == 0)
        return (uint64_t)sign << 63;
    int e;
    long double fr = frexpl(fabsl(x), &e);           /* x = fr * 2^e, fr in [0.5, 1) */
    uint64_t sig = (uint64_t)ldexpl(fr, 64);         /* exact: 64-bit significand */
    return round_pack(&FMT64, sign, e - 1, sig, rm, flags);
}

/* A long double computed with truncation; set its lowest significand bit if inexact. */
static long double ld_to_odd(long double r, int fenv_flags)
{
    if ((fenv_flags & FE_INEXACT) && isfinite(r) && r != 0) {
        int e;
        long double fr = frexpl(fabsl(r), &e);
        uint64_t sig = (uint64_t)ldexpl(fr, 64) | 1;
        r = copysignl(ldexpl((long double)sig, e - 64), r);
    }
    return r;
}

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV } arith_op;

static uint32_t f32_rmm(arith_op op, uint32_t a, uint32_t b, uint32_t *flags)
{
    double x = f32_host(a), y = f32_host(b), r;      /* f32 -> f64 is exact */
    host_begin(RM_RTZ);
    PIN(x);
    PIN(y);
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    default: r = x / y; break;
    }
    PIN(r);
    uint32_t hf = host_end();
    /* sNaN operands lose their signalling bit in the widening: check them here */
    if (f32_issnan(a) || f32_issnan(b))
        hf |= FFLAG_NV;
    return f32_from_odd_double(to_odd(r, hf), hf, RM_RMM, flags);
}

static uint64_t f64_rmm(arith_op op, uint64_t a, uint64_t b, uint32_t *flags)
{
    long double x = f64_host(a), y = f64_host(b), r;
    fesetround(FE_TOWARDZERO);
    feclearexcept(FE_ALL_EXCEPT);
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    default: r = x / y; break;
    }
    int ex = fetestexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
    if ((ex & FE_INVALID) || f64_issnan(a) || f64_issnan(b))
        *flags |= FFLAG_NV;
    if (ex & FE_DIVBYZERO)
        *flags |= FFLAG_DZ;
    return f64_from_odd_ldouble(ld_to_odd(r, ex), flags, RM_RMM);
}

/* ---- arithmetic ---- */

#define ARITH(W, T, HT, name, op, opcode) \
    T f##W##_##name(T a, T b, int rm, uint32_t *flags) \
    { \
        if (rm == RM_RMM) \
            return f##W##_rmm(opcode, a, b, flags); \
        HT x = f##W##_host(a), y = f##W##_host(b), r; \
        host_begin(rm); \
        PIN(x); \
        PIN(y); \
        r = x op y; \
        PIN(r); \
        *flags |= host_end(); \
        T bits = f##W##_bits(r); \
        return f##W##_isnan(bits) ? F##W##_CANONICAL_NAN : bits; \
    }
ARITH(32, uint32_t, float, add, +, OP_ADD)
ARITH(32, uint32_t, float, sub, -, OP_SUB)
ARITH(32, uint32_t, float, mul, *, OP_MUL)
ARITH(32, uint32_t, float, div, /, OP_DIV)
ARITH(64, uint64_t, double, add, +, OP_ADD)
ARITH(64, uint64_t, double, sub, -, OP_SUB)
ARITH(64, uint64_t, double, mul, *, OP_MUL)
ARITH(64, uint64_t, double, div, /, OP_DIV)

/* A square root is never exactly halfway between two floats, so RMM rounds as RNE. */
#define SQRT(W, T, HT, fn) \
    T f##W##_sqrt(T a, int rm, uint32_t *flags) \
    { \
        HT x = f##W##_host(a), r; \
        host_begin(rm == RM_RMM ? RM_RNE : rm); \
        PIN(x); \
        r = fn(x); \
        PIN(r); \
        *flags |= host_end(); \
        T bits = f##W##_bits(r); \
        return f##W##_isnan(bits) ? F##W##_CANONICAL_NAN : bits; \
    }
SQRT(32, uint32_t, float, __builtin_sqrtf)
SQRT(64, uint64_t, double, __builtin_sqrt)

/* ---- fused multiply-add ---- */

/*
 * f32: the product of two floats is exact in double, so one double addition with
 * round-to-odd followed by the software rounding gives a correctly rounded fused result
 * in every mode.
 */
static uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, bool neg_prod, bool neg_c,
                        int rm, uint32_t *flags)
{
    double x = f32_host(a), y = f32_host(b), z = f32_host(c), p, r;
    if (neg_prod)
        x = -x;
    if (neg_c)
        z = -z;
    host_begin(RM_RTZ);
    PIN(x);
    PIN(y);
    PIN(z);
    p = x * y;
    PIN(p);
    r = p + z;
    PIN(r);
    uint32_t hf = host_end();
    if (f32_issnan(a) || f32_issnan(b) || f32_issnan(c))
        hf |= FFLAG_NV;
    return f32_from_odd_double(to_odd(r, hf), hf, rm, flags);
}

#if defined(__x86_64__)
__attribute__((target("fma"))) static double fma_hw(double x, double y, double z)
{
    return __builtin_fma(x, y, z);
}
#endif

static uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, bool neg_prod, bool neg_c,
                        int rm, uint32_t *flags)
{
    double x = f64_host(a), y = f64_host(b), z = f64_host(c), r;
    if (neg_prod)
        x = -x;
    if (neg_c)
        z = -z;
    if (rm == RM_RMM) {
        long double lr;
        fesetround(FE_TOWARDZERO);
        feclearexcept(FE_ALL_EXCEPT);
        lr = fmal(x, y, z);
        int ex = fetestexcept(FE_ALL_EXCEPT);
        fesetround(FE_TONEAREST);
        if ((ex & FE_INVALID) || f64_issnan(a) || f64_issnan(b) || f64_issnan(c))
            *flags |= FFLAG_NV;
        return f64_from_odd_ldouble(ld_to_odd(lr, ex), flags, RM_RMM);
    }
#if defined(__x86_64__)
    if (__builtin_cpu_supports("fma")) {
        host_begin(rm);
        PIN(x);
        PIN(y);
        PIN(z);
        r = fma_hw(x, y, z);
        PIN(r);
        *flags |= host_end();
    } else
#endif
    {
        /* libm's software fma follows the fenv rounding mode */
        static const int fenv_mode[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };
        fesetround(fenv_mode[rm]);
        feclearexcept(FE_ALL_EXCEPT);
        r = fma(x, y, z);
        int ex = fetestexcept(FE_ALL_EXCEPT);
        fesetround(FE_TONEAREST);
        if (ex & FE_INVALID) *flags |= FFLAG_NV;
        if (ex & FE_OVERFLOW) *flags |= FFLAG_OF;
        if (ex & FE_UNDERFLOW) *flags |= FFLAG_UF;
        if (ex & FE_INEXACT) *flags |= FFLAG_NX;
    }
    /* inf * 0 is invalid even when the addend is a quiet NaN */
    if ((isinf(x) && y == 0) || (x == 0 && isinf(y)))
        *flags |= FFLAG_NV;
    uint64_t bits = f64_bits(r);
    return f64_isnan(bits) ? F64_CANONICAL_NAN : bits;
}

uint32_t f32_fmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fl) { return f32_fma(a, b, c, false, false, rm, fl); }
uint32_t f32_fmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fl) { return f32_fma(a, b, c, false, true, rm, fl); }
uint32_t f32_fnmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fl) { return f32_fma(a, b, c, true, false, rm, fl); }
uint32_t f32_fnmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fl) { return f32_fma(a, b, c, true, true, rm, fl); }
uint64_t f64_fmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl) { return f64_fma(a, b, c, false, false, rm, fl); }
uint64_t f64_fmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl) { return f64_fma(a, b, c, false, true, rm, fl); }
uint64_t f64_fnmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl) { return f64_fma(a, b, c, true, false, rm, fl); }
uint64_t f64_fnmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl) { return f64_fma(a, b, c, true, true, rm, fl); }

/* ---- comparisons, min/max, classify ---- */

#define COMPARE(W, T) \
    bool f##W##_eq(T a, T b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            if (f##W##_issnan(a) || f##W##_issnan(b)) \
                *flags |= FFLAG_NV; \
            return false; \
        } \
        return f##W##_host(a) == f##W##_host(b); \
    } \
    bool f##W##_lt(T a, T b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            *flags |= FFLAG_NV; \
            return false; \
        } \
        return f##W##_host(a) < f##W##_host(b); \
    } \
    bool f##W##_le(T a, T b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            *flags |= FFLAG_NV; \
            return false; \
        } \
        return f##W##_host(a) <= f##W##_host(b); \
    } \
    static T f##W##_minmax(T a, T b, bool want_max, uint32_t *flags) \
    { \
        bool an = f##W##_isnan(a), bn = f##W##_isnan(b); \
        if (f##W##_issnan(a) || f##W##_issnan(b)) \
            *flags |= FFLAG_NV; \
        if (an && bn) \
            return F##W##_CANONICAL_NAN; \
        if (an) \
            return b; \
        if (bn) \
            return a; \
        const T sign = (T)1 << (W - 1); \
        if (((a | b) & ~sign) == 0)       /* both zeros: -0 < +0 */ \
            return want_max ? (a & b) : (a | b); \
        bool a_less = f##W##_host(a) < f##W##_host(b); \
        return want_max ? (a_less ? b : a) : (a_less ? a : b); \
    } \
    T f##W##_min(T a, T b, uint32_t *flags) { return f##W##_minmax(a, b, false, flags); } \
    T f##W##_max(T a, T b, uint32_t *flags) { return f##W##_minmax(a, b, true, flags); }
COMPARE(32, uint32_t)
COMPARE(64, uint64_t)

uint64_t f32_classify(uint32_t a)
{
    bool sign = a >> 31;
    uint32_t exp = (a >> 23) & 0xff, frac = a & 0x7fffff;
    if (exp == 0xff)
        return frac ? (frac & 0x400000 ? 1u << 9 : 1u << 8) : sign ? 1u << 0 : 1u << 7;
    if (exp == 0)
        return frac ? (sign ? 1u << 2 : 1u << 5) : (sign ? 1u << 3 : 1u << 4);
    return sign ? 1u << 1 : 1u << 6;
}

uint64_t f64_classify(uint64_t a)
{
    bool sign = a >> 63;
    uint64_t exp = (a >> 52) & 0x7ff, frac = a & ((1ull << 52) - 1);
    if (exp == 0x7ff)
        return frac ? (frac & (1ull << 51) ? 1u << 9 : 1u << 8) : sign ? 1u << 0 : 1u << 7;
    if (exp == 0)
        return frac ? (sign ? 1u << 2 : 1u << 5) : (sign ? 1u << 3 : 1u << 4);
    return sign ? 1u << 1 : 1u << 6;
}

/* ---- conversions ---- */

/*
 * Float to integer with saturation. `bits` is 32 or 64. NaN gives the largest value;
 * out-of-range values saturate; an invalid conversion raises only NV.
 */
static int64_t to_int(const fmt *f, uint64_t a, int rm, int bits, bool is_signed, uint32_t *flags)
{
    int fb = f->p - 1;
    uint64_t expmask = (uint64_t)(2 * f->bias + 1);
    uint64_t maxu = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t maxs = (1ull << (bits - 1)) - 1;
    bool nan = ((a >> fb) & expmask) == expmask && (a & ((1ull << fb) - 1));
    uint64_t res;
    bool sign;
    if (nan) {
        *flags |= FFLAG_NV;
        res = is_signed ? maxs : maxu;
        goto out;
    }
    if ((a & ~(1ull << (f == &FMT32 ? 31 : 63))) == 0) {
        res = 0;
        goto out;
    }
    int e;
    uint64_t sig;
    bool is_inf = ((a >> fb) & expmask) == expmask;
    unpack(f, a, &sign, &e, &sig);
    uint64_t mag = 0;
    bool inexact = false, overflow = is_inf || e >= 64;
    /* value = sig * 2^(e-63); with e <= 63 the rounded magnitude cannot wrap */
    if (!overflow)
        inexact = shift_round(sig, 63 - e, sign, rm, &mag);
    if (!overflow) {
        if (is_signed)
            overflow = sign ? mag > maxs + 1 : mag > maxs;
        else
            overflow = sign ? mag != 0 : mag > maxu;
    }
    if (overflow) {
        *flags |= FFLAG_NV;
        if (is_signed)
            res = sign ? (uint64_t)(-(int64_t)maxs - 1) : maxs;
        else
            res = sign ? 0 : maxu;
        goto out;
    }
    if (inexact)
        *flags |= FFLAG_NX;
    res = sign ? -mag : mag;
out:
    if (bits == 32)
        return (int64_t)(int32_t)(uint32_t)res;
    return (int64_t)res;
}

static uint64_t from_int(const fmt *f, bool sign, uint64_t mag, int rm, uint32_t *flags)
{
    if (mag == 0)
        return 0;
    int lz = __builtin_clzll(mag);
    return round_pack(f, sign, 63 - lz, mag << lz, rm, flags);
}

#define CONVERSIONS(W, T, F) \
    int64_t f##W##_to_i32(T a, int rm, uint32_t *fl) { return to_int(&F, a, rm, 32, true, fl); } \
    int64_t f##W##_to_u32(T a, int rm, uint32_t *fl) { return to_int(&F, a, rm, 32, false, fl); } \
    int64_t f##W##_to_i64(T a, int rm, uint32_t *fl) { return to_int(&F, a, rm, 64, true, fl); } \
    int64_t f##W##_to_u64(T a, int rm, uint32_t *fl) { return to_int(&F, a, rm, 64, false, fl); } \
    T i32_to_f##W(int32_t v, int rm, uint32_t *fl) \
    { return (T)from_int(&F, v < 0, v < 0 ? -(uint64_t)(int64_t)v : (uint64_t)v, rm, fl); } \
    T u32_to_f##W(uint32_t v, int rm, uint32_t *fl) { return (T)from_int(&F, false, v, rm, fl); } \
    T i64_to_f##W(int64_t v, int rm, uint32_t *fl) \
    { return (T)from_int(&F, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v, rm, fl); } \
    T u64_to_f##W(uint64_t v, int rm, uint32_t *fl) { return (T)from_int(&F, false, v, rm, fl); }
CONVERSIONS(32, uint32_t, FMT32)
CONVERSIONS(64, uint64_t, FMT64)

uint64_t f32_to_f64(uint32_t a, uint32_t *flags)
{
    if (f32_isnan(a)) {
        if (f32_issnan(a))
            *flags |= FFLAG_NV;
        return F64_CANONICAL_NAN;
    }
    bool sign = a >> 31;
    if ((a & 0x7fffffffu) == 0x7f800000u)
        return ((uint64_t)sign << 63) | 0x7ff0000000000000ull;
    if ((a & 0x7fffffffu) == 0)
        return (uint64_t)sign << 63;
    int e;
    uint64_t sig;
    unpack(&FMT32, a, &sign, &e, &sig);
    return round_pack(&FMT64, sign, e, sig, RM_RNE, flags);   /* exact */
}

uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags)
{
    if (f64_isnan(a)) {
        if (f64_issnan(a))
            *flags |= FFLAG_NV;
        return F32_CANONICAL_NAN;
    }
    bool sign = a >> 63;
    if ((a & ~(1ull << 63)) == 0x7ff0000000000000ull)
        return ((uint32_t)sign << 31) | 0x7f800000u;
    if ((a & ~(1ull << 63)) == 0)
        return (uint32_t)sign << 31;
    int e;
    uint64_t sig;
    unpack(&FMT64, a, &sign, &e, &sig);
    return (uint32_t)round_pack(&FMT32, sign, e, sig, rm, flags);
}
