/*
 * RISC-V F and D arithmetic (interface and caller contract in fpu.h).
 *
 * A rounding operation (add, sub, mul, div, sqrt, the fused multiply-adds) takes one
 * of two routes:
 *
 *  - the fast route, on x86-64 hosts in RNE, RTZ, RDN and RUP: one asm block loads
 *    MXCSR with the rounding mode and all exceptions masked, runs the SSE (or FMA)
 *    instruction, reads the exception flags and reloads the default MXCSR. SSE
 *    agrees with RISC-V on everything but NaNs: IEEE results, tininess detected after
 *    rounding, the same five flags (its sixth, "denormal operand", is dropped). NaN
 *    results, which x86 gives with the operand's payload or as a negative default
 *    NaN, become the canonical NaN.
 *
 *  - the wide route, for RMM (no host has ties-to-away), for fused multiply-add when
 *    the CPU has no FMA unit, and for every mode on other hosts (whose underflow rules
 *    may differ, ARM detecting tininess before rounding): the operation runs in a wider
 *    host format (double for f32, long double for f64) rounded toward zero, and if the
 *    host reports it inexact a sticky bit is set below the wide result ("round to
 *    odd"). Since the wide format has at least two more significand bits than the
 *    target, rounding that value once more gives the same result as rounding the exact
 *    one; round_pack() does that in software, in any of the five modes, with RISC-V's
 *    overflow and underflow rules. NaN operands are dealt with before the host sees
 *    them; the host's flags supply NV and DZ.
 *
 * Everything else (conversions, comparisons, min/max, classify, sign injection) is
 * integer code.
 */
#include "cpu/riscv/fpu.h"
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

/*
 * Round to odd needs two spare bits below the target's 53, and an IEEE-style format
 * that reports inexactness: x87 extended (64 bits) or binary128 (113), not PowerPC's
 * double-double nor a long double that is only a double.
 */
#if LDBL_MANT_DIG != 64 && LDBL_MANT_DIG != 113
#error "fpu.c needs long double to be x87 extended or IEEE binary128"
#endif

typedef struct fmt {
    int p;          /* precision, including the hidden bit */
    int bias;       /* also the largest exponent */
    int signbit;
} fmt;
static const fmt FMT32 = { 24, 127, 31 };
static const fmt FMT64 = { 53, 1023, 63 };

static inline float f32_host(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static inline double f64_host(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static inline uint32_t f32_bits(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static inline uint64_t f64_bits(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }

#define F32_SIGN 0x80000000u
#define F64_SIGN 0x8000000000000000ull
#define F32_INF 0x7f800000u
#define F64_INF 0x7ff0000000000000ull

static inline bool f32_isnan(uint32_t a) { return (a & ~F32_SIGN) > F32_INF; }
static inline bool f64_isnan(uint64_t a) { return (a & ~F64_SIGN) > F64_INF; }
static inline bool f32_issnan(uint32_t a) { return f32_isnan(a) && !(a & 0x00400000u); }
static inline bool f64_issnan(uint64_t a) { return f64_isnan(a) && !(a & 0x0008000000000000ull); }
static inline bool f32_isinf(uint32_t a) { return (a & ~F32_SIGN) == F32_INF; }
static inline bool f64_isinf(uint64_t a) { return (a & ~F64_SIGN) == F64_INF; }
static inline bool f32_iszero(uint32_t a) { return (a & ~F32_SIGN) == 0; }
static inline bool f64_iszero(uint64_t a) { return (a & ~F64_SIGN) == 0; }
static inline uint32_t f32_canon(uint32_t r) { return f32_isnan(r) ? F32_CANONICAL_NAN : r; }
static inline uint64_t f64_canon(uint64_t r) { return f64_isnan(r) ? F64_CANONICAL_NAN : r; }

/* Out-of-range modes cannot reach here from a correct caller; never index with them. */
static inline int valid_rm(int rm) { return (unsigned)rm <= RM_RMM ? rm : RM_RNE; }

/* ---- software rounding ---- */

/*
 * sig >> n rounded by rm (sign is the value's sign, for RDN/RUP); n may exceed 64.
 * Returns whether anything non-zero was shifted out.
 */
static bool shift_round(uint64_t sig, int n, bool sign, int rm, uint64_t *out)
{
    if (n <= 0) {
        *out = sig << -n;
        return false;
    }
    uint64_t q, r;
    int cmp;                        /* remainder vs half a unit of the result: -1, 0, 1 */
    if (n < 64) {
        q = sig >> n;
        r = sig & ((1ull << n) - 1);
        uint64_t half = 1ull << (n - 1);
        cmp = r < half ? -1 : r == half ? 0 : 1;
    } else {
        q = 0;
        r = sig;
        /* for n > 64 the whole of sig is below half a unit */
        cmp = n > 64 ? -1 : sig < (1ull << 63) ? -1 : sig == (1ull << 63) ? 0 : 1;
    }
    bool inc = false;
    if (r) {
        switch (rm) {
        case RM_RNE: inc = cmp > 0 || (cmp == 0 && (q & 1)); break;
        case RM_RTZ: break;
        case RM_RDN: inc = sign; break;
        case RM_RUP: inc = !sign; break;
        default: inc = cmp >= 0; break;       /* RMM: ties away from zero */
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
    return ((uint64_t)sign << f->signbit) | (to_inf ? inf : inf - 1);
}

/*
 * Round the finite non-zero value sig * 2^(e - 63) (sig normalised: bit 63 set; bits
 * below the target's guard bit may hold a sticky bit) to format f. Raises NX, OF, and
 * UF when the result is inexact and tiny, tininess judged after rounding: the value
 * rounded to f's precision with an unbounded exponent range is below 2^emin.
 */
static uint64_t round_pack(const fmt *f, bool sign, int e, uint64_t sig, int rm, uint32_t *flags)
{
    int emin = 1 - f->bias;
    if (e > f->bias) {
        *flags |= FFLAG_OF | FFLAG_NX;
        return overflow_result(f, sign, rm);
    }
    /* a subnormal result keeps emin - e fewer bits */
    int n = 64 - f->p + (e < emin ? emin - e : 0);
    uint64_t m;
    bool inexact = shift_round(sig, n, sign, rm, &m);
    bool tiny = false;
    if (e < emin) {
        tiny = true;
        if (e == emin - 1) {
            /* just below 2^emin: does rounding at full precision carry up to it? */
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
            if (e > f->bias) {
                *flags |= FFLAG_OF | FFLAG_NX;
                return overflow_result(f, sign, rm);
            }
        }
        bits = ((uint64_t)(e + f->bias) << (f->p - 1)) | (m & ((1ull << (f->p - 1)) - 1));
    } else {
        /* subnormal; a carry into bit p-1 makes it exactly the smallest normal */
        bits = m;
    }
    return ((uint64_t)sign << f->signbit) | bits;
}

/* Unpack a finite non-zero value into sign, exponent and normalised significand. */
static void unpack(const fmt *f, uint64_t bits, bool *sign, int *e, uint64_t *sig)
{
    int fb = f->p - 1;
    *sign = (bits >> f->signbit) & 1;
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

/* ---- the fast route: SSE under a private MXCSR ---- */

#if defined(__x86_64__) && !defined(FPU_NO_FAST_PATH)
#define FAST_PATH 1
#define MXCSR_MASKED 0x1f80u        /* all exceptions masked, FTZ/DAZ off, no flags */
/* MXCSR rounding control for RNE, RTZ, RDN, RUP */
static const uint32_t mxcsr_rc[4] = { 0u << 13, 3u << 13, 1u << 13, 2u << 13 };
/* a global, so that no output operand can share its memory */
static const uint32_t mxcsr_default = MXCSR_MASKED;

#define mxcsr_fflags fpu_host_flags_to_fflags

/*
 * The instruction sits in the same asm block as the MXCSR writes, so the compiler
 * cannot schedule it outside them (it knows nothing of the rounding mode). MXCSR is
 * left at its default rather than saved and restored: the stmxcsr that saving takes
 * and the ldmxcsr that then depends on it cost about 4 ns a call, a third of the
 * whole, and tern never runs with anything but the default (see fpu.h).
 */
#define SSE_BEGIN "ldmxcsr %[mx]\n\t"
#define SSE_END "\n\tstmxcsr %[st]\n\tldmxcsr %[dfl]"
#define SSE_VARS(rm) uint32_t mx = MXCSR_MASKED | mxcsr_rc[rm], st
#define SSE_MX [st] "=m"(st)
#define SSE_IN [mx] "m"(mx), [dfl] "m"(mxcsr_default)

#define SSE_FNS(W, HT, SFX) \
    static inline uint##W##_t sse##W##_binary(int op, uint##W##_t a, uint##W##_t b, int rm, \
                                              uint32_t *flags) \
    { \
        HT x = f##W##_host(a), y = f##W##_host(b); \
        SSE_VARS(rm); \
        switch (op) { \
        case OP_ADD: \
            __asm__ volatile(SSE_BEGIN "add" SFX " %[y], %[x]" SSE_END \
                             : [x] "+x"(x), SSE_MX : [y] "x"(y), SSE_IN); \
            break; \
        case OP_SUB: \
            __asm__ volatile(SSE_BEGIN "sub" SFX " %[y], %[x]" SSE_END \
                             : [x] "+x"(x), SSE_MX : [y] "x"(y), SSE_IN); \
            break; \
        case OP_MUL: \
            __asm__ volatile(SSE_BEGIN "mul" SFX " %[y], %[x]" SSE_END \
                             : [x] "+x"(x), SSE_MX : [y] "x"(y), SSE_IN); \
            break; \
        default: \
            __asm__ volatile(SSE_BEGIN "div" SFX " %[y], %[x]" SSE_END \
                             : [x] "+x"(x), SSE_MX : [y] "x"(y), SSE_IN); \
            break; \
        } \
        *flags |= mxcsr_fflags(st); \
        return f##W##_canon(f##W##_bits(x)); \
    } \
    static inline uint##W##_t sse##W##_sqrt(uint##W##_t a, int rm, uint32_t *flags) \
    { \
        HT x = f##W##_host(a); \
        SSE_VARS(rm); \
        __asm__ volatile(SSE_BEGIN "sqrt" SFX " %[x], %[x]" SSE_END \
                         : [x] "+x"(x), SSE_MX : SSE_IN); \
        *flags |= mxcsr_fflags(st); \
        return f##W##_canon(f##W##_bits(x)); \
    } \
    /* c + a*b; the assembler accepts the FMA3 mnemonic whatever -march says */ \
    static inline uint##W##_t sse##W##_fma(uint##W##_t a, uint##W##_t b, uint##W##_t c, \
                                           int rm, uint32_t *flags) \
    { \
        HT x = f##W##_host(a), y = f##W##_host(b), z = f##W##_host(c); \
        SSE_VARS(rm); \
        __asm__ volatile(SSE_BEGIN "vfmadd231" SFX " %[y], %[x], %[z]" SSE_END \
                         : [z] "+x"(z), SSE_MX : [x] "x"(x), [y] "x"(y), SSE_IN); \
        *flags |= mxcsr_fflags(st); \
        return f##W##_canon(f##W##_bits(z)); \
    }

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };
SSE_FNS(32, float, "ss")
SSE_FNS(64, double, "sd")

static inline bool host_has_fma(void) { return __builtin_cpu_supports("fma"); }
#else
#define FAST_PATH 0
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };
#endif

/* ---- the wide route: round to odd in a wider host format ---- */

/*
 * GCC does not order floating-point arithmetic against the fenv calls that switch the
 * rounding mode (it has no FENV_ACCESS), but it must order this asm, which may touch
 * any memory, against them; the data dependency then keeps the arithmetic between
 * two pins.
 */
#define PIN(x) __asm__ volatile("" : "+m"(x) : : "memory")

static uint32_t fenv_fflags(int ex)
{
    return (ex & FE_INVALID ? FFLAG_NV : 0) | (ex & FE_DIVBYZERO ? FFLAG_DZ : 0) |
           (ex & FE_INEXACT ? FFLAG_NX : 0);
}

/* NV if any of the operands is a signaling NaN. */
#define NAN_OPERANDS(W, flags, ...) do { \
        uint##W##_t ops_[] = { __VA_ARGS__ }; \
        for (unsigned i_ = 0; i_ < sizeof(ops_) / sizeof(ops_[0]); i_++) \
            if (f##W##_issnan(ops_[i_])) \
                *(flags) |= FFLAG_NV; \
    } while (0)

/*
 * f32 in double: f32 -> f64 is exact; a product of two floats (48 bits) is exact
 * in double, so the fused multiply-add only rounds in its addition.
 * a, b, c are not NaN here.
 */
static uint32_t f32_wide(int op, uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags)
{
    double x, y, z, r;
    /* widened in software: cvtss2sd would flush subnormals under a caller's DAZ */
    uint32_t unused = 0, hf;
    x = f64_host(f32_to_f64(a, &unused));
    y = f64_host(f32_to_f64(b, &unused));
    z = f64_host(f32_to_f64(c, &unused));
#if FAST_PATH
    /* double arithmetic is SSE here: MXCSR is all the environment there is */
    uint32_t mx = MXCSR_MASKED | mxcsr_rc[RM_RTZ], st;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx) : "memory");
#else
    fenv_t env;
    feholdexcept(&env);
    fesetround(FE_TOWARDZERO);
#endif
    PIN(x);
    PIN(y);
    PIN(z);
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    case OP_DIV: r = x / y; break;
    case OP_SQRT: r = sqrt(x); break;
    default: {
        double p = x * y;
        PIN(p);
        r = p + z;
        break;
    }
    }
    PIN(r);
#if FAST_PATH
    __asm__ volatile("stmxcsr %0\n\tldmxcsr %1" : "=m"(st) : "m"(mxcsr_default) : "memory");
    hf = mxcsr_fflags(st);
#else
    hf = fenv_fflags(fetestexcept(FE_ALL_EXCEPT));
    fesetenv(&env);
#endif

    *flags |= hf & (FFLAG_NV | FFLAG_DZ);
    uint64_t rb = f64_bits(r);
    uint32_t sign = (uint32_t)(rb >> 32) & F32_SIGN;
    if (f64_isnan(rb))
        return F32_CANONICAL_NAN;
    if (f64_isinf(rb))              /* from an infinite operand or x/0: exact */
        return sign | F32_INF;
    if (f64_iszero(rb)) {
        /*
         * An exact zero. Truncation gave a sum of opposite-signed terms +0, right in
         * every mode but RDN, where it is -0 unless both terms are +0.
         */
        if (rm == RM_RDN && (op == OP_ADD || op == OP_SUB || op == OP_FMA)) {
            uint32_t s1 = op == OP_FMA ? (a ^ b) : a;
            uint32_t s2 = op == OP_FMA ? c : op == OP_SUB ? ~b : b;
            sign = (s1 | s2) & F32_SIGN;
        }
        return sign;
    }
    bool s;
    int e;
    uint64_t sig;
    unpack(&FMT64, rb, &s, &e, &sig);
    if (hf & FFLAG_NX)
        sig |= 1;                   /* round to odd: lies strictly between two doubles */
    return (uint32_t)round_pack(&FMT32, s, e, sig, rm, flags);
}

/* f64 in long double (x87 extended on x86, binary128 elsewhere); as f32_wide. */
static uint64_t f64_wide(int op, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags)
{
    fenv_t env;
    long double x, y, z, r;
    feholdexcept(&env);
    fesetround(FE_TOWARDZERO);
    x = f64_host(a);
    y = f64_host(b);
    z = f64_host(c);
    PIN(x);
    PIN(y);
    PIN(z);
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    case OP_DIV: r = x / y; break;
    case OP_SQRT: r = sqrtl(x); break;
    default: r = fmal(x, y, z); break;  /* libm's fmal rounds once, in the current mode */
    }
    PIN(r);
    uint32_t hf = fenv_fflags(fetestexcept(FE_ALL_EXCEPT));
    fesetenv(&env);

    *flags |= hf & (FFLAG_NV | FFLAG_DZ);
    bool sign = signbit(r);
    if (isnan(r))
        return F64_CANONICAL_NAN;
    if (isinf(r))
        return ((uint64_t)sign << 63) | F64_INF;
    if (r == 0) {
        if (rm == RM_RDN && (op == OP_ADD || op == OP_SUB || op == OP_FMA)) {
            uint64_t s1 = op == OP_FMA ? (a ^ b) : a;
            uint64_t s2 = op == OP_FMA ? c : op == OP_SUB ? ~b : b;
            sign = ((s1 | s2) & F64_SIGN) != 0;
        }
        return (uint64_t)sign << 63;
    }
    /* the top 64 significand bits, and a sticky bit for anything below them */
    int e;
    long double top = ldexpl(frexpl(fabsl(r), &e), 64);     /* in [2^63, 2^64) */
    uint64_t sig = (uint64_t)top;
    if ((hf & FFLAG_NX) || top != (long double)sig)
        sig |= 1;
    return round_pack(&FMT64, sign, e - 1, sig, rm, flags);
}

/* ---- add, sub, mul, div, sqrt ---- */

#define ARITH(W, name, OP) \
    uint##W##_t f##W##_##name(uint##W##_t a, uint##W##_t b, int rm, uint32_t *flags) \
    { \
        rm = valid_rm(rm); \
        if (FAST_PATH && rm != RM_RMM) \
            return sse##W##_binary(OP, a, b, rm, flags); \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            NAN_OPERANDS(W, flags, a, b); \
            return F##W##_CANONICAL_NAN; \
        } \
        return f##W##_wide(OP, a, b, 0, rm, flags); \
    }

#define SQRT(W) \
    uint##W##_t f##W##_sqrt(uint##W##_t a, int rm, uint32_t *flags) \
    { \
        rm = valid_rm(rm); \
        if (FAST_PATH && rm != RM_RMM) \
            return sse##W##_sqrt(a, rm, flags); \
        if (f##W##_isnan(a)) { \
            NAN_OPERANDS(W, flags, a); \
            return F##W##_CANONICAL_NAN; \
        } \
        if (f##W##_iszero(a))       /* sqrt(-0) = -0 */ \
            return a; \
        if (a & F##W##_SIGN) { \
            *flags |= FFLAG_NV; \
            return F##W##_CANONICAL_NAN; \
        } \
        return f##W##_wide(OP_SQRT, a, 0, 0, rm, flags); \
    }

#if !FAST_PATH
/* never called: FAST_PATH is 0, but the calls must still compile */
#define sse32_binary(op, a, b, rm, fl) 0
#define sse64_binary(op, a, b, rm, fl) 0
#define sse32_sqrt(a, rm, fl) 0
#define sse64_sqrt(a, rm, fl) 0
#define sse32_fma(a, b, c, rm, fl) 0
#define sse64_fma(a, b, c, rm, fl) 0
static inline bool host_has_fma(void) { return false; }
#endif

ARITH(32, add, OP_ADD)
ARITH(32, sub, OP_SUB)
ARITH(32, mul, OP_MUL)
ARITH(32, div, OP_DIV)
ARITH(64, add, OP_ADD)
ARITH(64, sub, OP_SUB)
ARITH(64, mul, OP_MUL)
ARITH(64, div, OP_DIV)
SQRT(32)
SQRT(64)

/* ---- fused multiply-add ---- */

/*
 * a*b + c with a and c already negated as the variant asks: negating an operand is
 * exact, so -(a*b) - c is computed as (-a)*b + (-c), zeros' signs included.
 * NaN operands are settled here, before any host sees them: IEEE 754 leaves it to the
 * implementation whether inf * 0 + qNaN signals invalid, and RISC-V says it does.
 */
#define FMA(W) \
    static uint##W##_t f##W##_fma(uint##W##_t a, uint##W##_t b, uint##W##_t c, int rm, \
                                  uint32_t *flags) \
    { \
        rm = valid_rm(rm); \
        if (f##W##_isnan(a) || f##W##_isnan(b) || f##W##_isnan(c)) { \
            NAN_OPERANDS(W, flags, a, b, c); \
            if ((f##W##_isinf(a) && f##W##_iszero(b)) || (f##W##_iszero(a) && f##W##_isinf(b))) \
                *flags |= FFLAG_NV; \
            return F##W##_CANONICAL_NAN; \
        } \
        if (FAST_PATH && rm != RM_RMM && host_has_fma()) \
            return sse##W##_fma(a, b, c, rm, flags); \
        return f##W##_wide(OP_FMA, a, b, c, rm, flags); \
    } \
    uint##W##_t f##W##_fmadd(uint##W##_t a, uint##W##_t b, uint##W##_t c, int rm, uint32_t *fl) \
    { return f##W##_fma(a, b, c, rm, fl); } \
    uint##W##_t f##W##_fmsub(uint##W##_t a, uint##W##_t b, uint##W##_t c, int rm, uint32_t *fl) \
    { return f##W##_fma(a, b, c ^ F##W##_SIGN, rm, fl); } \
    uint##W##_t f##W##_fnmsub(uint##W##_t a, uint##W##_t b, uint##W##_t c, int rm, uint32_t *fl) \
    { return f##W##_fma(a ^ F##W##_SIGN, b, c, rm, fl); } \
    uint##W##_t f##W##_fnmadd(uint##W##_t a, uint##W##_t b, uint##W##_t c, int rm, uint32_t *fl) \
    { return f##W##_fma(a ^ F##W##_SIGN, b, c ^ F##W##_SIGN, rm, fl); }

FMA(32)
FMA(64)

/* ---- comparisons, min/max, classify, sign injection ---- */

/*
 * Integer comparisons of non-NaN values: sign-magnitude order, where -0 == +0 for the
 * IEEE predicates and -0 < +0 for min/max (total says which).
 */
#define COMPARE(W) \
    static inline bool f##W##_less(uint##W##_t a, uint##W##_t b, bool total) \
    { \
        bool sa = a >> (W - 1), sb = b >> (W - 1); \
        if (!total && f##W##_iszero(a) && f##W##_iszero(b)) \
            return false; \
        if (sa != sb) \
            return sa; \
        return sa ? a > b : a < b; \
    } \
    bool f##W##_eq(uint##W##_t a, uint##W##_t b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            NAN_OPERANDS(W, flags, a, b); \
            return false; \
        } \
        return a == b || (f##W##_iszero(a) && f##W##_iszero(b)); \
    } \
    bool f##W##_lt(uint##W##_t a, uint##W##_t b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            *flags |= FFLAG_NV; \
            return false; \
        } \
        return f##W##_less(a, b, false); \
    } \
    bool f##W##_le(uint##W##_t a, uint##W##_t b, uint32_t *flags) \
    { \
        if (f##W##_isnan(a) || f##W##_isnan(b)) { \
            *flags |= FFLAG_NV; \
            return false; \
        } \
        return !f##W##_less(b, a, false); \
    } \
    static uint##W##_t f##W##_minmax(uint##W##_t a, uint##W##_t b, bool want_max, uint32_t *flags) \
    { \
        bool an = f##W##_isnan(a), bn = f##W##_isnan(b); \
        NAN_OPERANDS(W, flags, a, b); \
        if (an && bn) \
            return F##W##_CANONICAL_NAN; \
        if (an) \
            return b; \
        if (bn) \
            return a; \
        return f##W##_less(a, b, true) != want_max ? a : b; \
    } \
    uint##W##_t f##W##_min(uint##W##_t a, uint##W##_t b, uint32_t *flags) \
    { return f##W##_minmax(a, b, false, flags); } \
    uint##W##_t f##W##_max(uint##W##_t a, uint##W##_t b, uint32_t *flags) \
    { return f##W##_minmax(a, b, true, flags); } \
    uint##W##_t f##W##_sgnj(uint##W##_t a, uint##W##_t b) \
    { return (a & ~F##W##_SIGN) | (b & F##W##_SIGN); } \
    uint##W##_t f##W##_sgnjn(uint##W##_t a, uint##W##_t b) \
    { return (a & ~F##W##_SIGN) | (~b & F##W##_SIGN); } \
    uint##W##_t f##W##_sgnjx(uint##W##_t a, uint##W##_t b) \
    { return a ^ (b & F##W##_SIGN); }
COMPARE(32)
COMPARE(64)

/* fclass bits: 0 -inf, 1 -normal, 2 -subnormal, 3 -0, 4 +0, 5 +subnormal, 6 +normal,
 * 7 +inf, 8 sNaN, 9 qNaN */
static uint64_t classify(const fmt *f, uint64_t a)
{
    int fb = f->p - 1;
    bool sign = (a >> f->signbit) & 1;
    uint64_t expmask = (uint64_t)(2 * f->bias + 1);
    uint64_t exp = (a >> fb) & expmask, frac = a & ((1ull << fb) - 1);
    if (exp == expmask)
        return frac ? (frac >> (fb - 1) ? 1u << 9 : 1u << 8) : sign ? 1u << 0 : 1u << 7;
    if (exp == 0)
        return frac ? (sign ? 1u << 2 : 1u << 5) : (sign ? 1u << 3 : 1u << 4);
    return sign ? 1u << 1 : 1u << 6;
}
uint64_t f32_classify(uint32_t a) { return classify(&FMT32, a); }
uint64_t f64_classify(uint64_t a) { return classify(&FMT64, a); }

/* ---- conversions ---- */

/*
 * Float to integer, `bits` 32 or 64 wide. NaN gives the largest value; out-of-range
 * values saturate; an invalid conversion raises NV and not NX. A negative value that
 * rounds to 0 is valid for the unsigned ones (-0.3 -> 0, NX only).
 */
static int64_t to_int(const fmt *f, uint64_t a, int rm, int bits, bool is_signed, uint32_t *flags)
{
    rm = valid_rm(rm);
    int fb = f->p - 1;
    uint64_t expmask = (uint64_t)(2 * f->bias + 1);
    uint64_t maxu = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t maxs = (1ull << (bits - 1)) - 1;
    bool is_special = ((a >> fb) & expmask) == expmask;
    uint64_t res;
    bool sign;
    if (is_special && (a & ((1ull << fb) - 1))) {       /* NaN */
        *flags |= FFLAG_NV;
        res = is_signed ? maxs : maxu;
        goto out;
    }
    if ((a & ~(1ull << f->signbit)) == 0) {               /* +-0 */
        res = 0;
        goto out;
    }
    int e;
    uint64_t sig;
    unpack(f, a, &sign, &e, &sig);
    uint64_t mag = 0;
    bool inexact = false, overflow = is_special || e >= 64;
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
            res = sign ? maxs + 1 : maxs;       /* maxs + 1 is the minimum, two's complement */
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
    return round_pack(f, sign, 63 - lz, mag << lz, valid_rm(rm), flags);
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
        NAN_OPERANDS(32, flags, a);
        return F64_CANONICAL_NAN;
    }
    uint64_t sign = (uint64_t)(a >> 31) << 63;
    if (f32_isinf(a))
        return sign | F64_INF;
    if (f32_iszero(a))
        return sign;
    bool s;
    int e;
    uint64_t sig;
    unpack(&FMT32, a, &s, &e, &sig);
    return round_pack(&FMT64, s, e, sig, RM_RNE, flags);       /* exact: no flags */
}

uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags)
{
    if (f64_isnan(a)) {
        NAN_OPERANDS(64, flags, a);
        return F32_CANONICAL_NAN;
    }
    uint32_t sign = (uint32_t)(a >> 63) << 31;
    if (f64_isinf(a))
        return sign | F32_INF;
    if (f64_iszero(a))
        return sign;
    bool s;
    int e;
    uint64_t sig;
    unpack(&FMT64, a, &s, &e, &sig);
    return (uint32_t)round_pack(&FMT32, s, e, sig, valid_rm(rm), flags);
}

uint32_t fpu_host_flags_to_fflags(uint32_t m)
{
    uint32_t f = 0;
    if (m & 0x01) f |= FFLAG_NV;
    if (m & 0x04) f |= FFLAG_DZ;
    if (m & 0x08) f |= FFLAG_OF;
    if (m & 0x10) f |= FFLAG_UF;
    if (m & 0x20) f |= FFLAG_NX;
    return f;
}

void fpu_host_flags_clear(void)
{
#if defined(__x86_64__)
    static const uint32_t dfl = 0x1f80u;
    __asm__ volatile("ldmxcsr %0" : : "m"(dfl) : "memory");
#endif
}
