/*
 * Floating point state: mstatus.FS gating (Off makes FP instructions and fcsr illegal)
 * and dirtying (SD), the dynamic rounding mode from frm versus static modes, fflags
 * accumulation and the fcsr/frm/fflags aliasing, reserved rounding modes, NaN boxing
 * of single-precision values, canonical NaNs, fmin of signed zeros, saturating fcvt.
 */
#include "test.h"
TEST_START

    /* 1: FS=Off: FP instructions and FP CSRs are illegal (mtval = instruction) */
    TEST(1)
    li t0, MSTATUS_FS
    csrc mstatus, t0
    EXPECT_TRAP(1f)
off_insn:
    fadd.s f0, f1, f2
    j fail
1:  CHECK(s8, 2)
    la t0, off_insn
    lwu t0, 0(t0)
    CHECK_REG(s9, t0)
    EXPECT_TRAP(1f)
    csrr a0, fcsr
    j fail
1:  CHECK(s8, 2)

    /* 2: FS=Initial, then an FP write makes it Dirty and sets SD */
    TEST(2)
    li t0, 1 << 13
    csrs mstatus, t0
    fmv.w.x f1, zero
    csrr t0, mstatus
    srli t1, t0, 13
    andi t1, t1, 3
    CHECK(t1, 3)
    bgez t0, fail                 /* SD is bit 63 */

    /* 3: dynamic rounding from frm; a static mode overrides it */
    TEST(3)
    li t0, 0x3f800000             /* 1.0f */
    fmv.w.x f1, t0
    li t0, 0x40400000             /* 3.0f */
    fmv.w.x f2, t0
    fsrmi 1                       /* RTZ */
    fdiv.s f3, f1, f2
    fmv.x.w a0, f3
    CHECK(a0, 0x3eaaaaaa)
    fsrmi 3                       /* RUP */
    fdiv.s f3, f1, f2
    fmv.x.w a0, f3
    CHECK(a0, 0x3eaaaaab)
    fdiv.s f3, f1, f2, rtz
    fmv.x.w a0, f3
    CHECK(a0, 0x3eaaaaaa)
    frrm a0
    CHECK(a0, 3)

    /* 4: flags accumulate; fcsr = frm << 5 | fflags */
    TEST(4)
    fsflags zero
    fmv.w.x f4, zero
    fdiv.s f3, f1, f4             /* 1/0: DZ */
    frflags a0
    CHECK(a0, 8)
    fdiv.s f3, f1, f2             /* 1/3: NX */
    frflags a0
    CHECK(a0, 9)
    csrr a0, fcsr
    CHECK(a0, (3 << 5) | 9)
    li t0, 0x1f
    csrw fcsr, t0                 /* writes frm = 0 and all flags */
    frrm a0
    CHECK(a0, 0)
    frflags a0
    CHECK(a0, 0x1f)
    fsflags zero

    /* 5: reserved rounding modes are illegal: static 5, or dynamic with frm = 5 */
    TEST(5)
    EXPECT_TRAP(1f)
    .word 0x0020d1d3 | (5 << 12)  /* fadd.s f3, f1, f2 with rm = 5 */
    j fail
1:  CHECK(s8, 2)
    fsrmi 5
    EXPECT_TRAP(1f)
    fadd.s f3, f1, f2             /* dyn */
    j fail
1:  CHECK(s8, 2)
    fsrmi 0

    /* 6: NaN boxing: a single read from a register not holding a boxed value is the
     * canonical NaN; single results are boxed */
    TEST(6)
    li t0, 0x3f800000
    fmv.d.x f5, t0                /* upper half zero: not a boxed single */
    fadd.s f6, f5, f5
    fmv.x.d a0, f6
    li t1, 0xffffffff7fc00000
    CHECK_REG(a0, t1)
    fmv.x.w a0, f6
    CHECK(a0, 0x7fc00000)
    la t0, one_f
    flw f7, 0(t0)
    fmv.x.d a0, f7
    li t1, 0xffffffff3f800000
    CHECK_REG(a0, t1)
    /* fsgnj.s on an unboxed input also sees the canonical NaN */
    fsgnj.s f8, f5, f7
    fmv.x.w a0, f8
    CHECK(a0, 0x7fc00000)

    /* 7: canonical NaN from an invalid operation, with NV */
    TEST(7)
    fsflags zero
    fmv.d.x f9, zero
    fdiv.d f10, f9, f9            /* 0/0 */
    fmv.x.d a0, f10
    li t1, 0x7ff8000000000000
    CHECK_REG(a0, t1)
    frflags a0
    CHECK(a0, 16)

    /* 8: fmin/fmax order -0 below +0; a NaN operand gives the other operand */
    TEST(8)
    li t0, 0x80000000
    fmv.w.x f11, t0               /* -0.0f */
    fmv.w.x f12, zero             /* +0.0f */
    fmin.s f13, f12, f11
    fmv.x.w a0, f13
    li t1, 0xffffffff80000000     /* fmv.x.w sign-extends */
    CHECK_REG(a0, t1)
    fmax.s f13, f11, f12
    fmv.x.w a0, f13
    CHECK(a0, 0)
    li t0, 0x7fc00000
    fmv.w.x f14, t0
    fmin.s f13, f14, f7
    fmv.x.w a0, f13
    CHECK(a0, 0x3f800000)

    /* 9: saturating conversions: NaN -> max, too large -> max, negative to unsigned */
    TEST(9)
    fsflags zero
    fcvt.w.s a0, f14
    CHECK(a0, 0x7fffffff)
    frflags a1
    CHECK(a1, 16)
    li t0, 0xcf800000             /* -2^32 */
    fmv.w.x f15, t0
    fcvt.wu.s a0, f15, rtz
    CHECK(a0, 0)
    li t0, 0x4f800000             /* 2^32 */
    fmv.w.x f15, t0
    fcvt.wu.s a0, f15, rtz
    CHECK(a0, -1)                 /* 0xffffffff sign-extended */
    li t0, 0x40200000             /* 2.5 */
    fmv.w.x f15, t0
    fcvt.l.s a0, f15, rmm
    CHECK(a0, 3)
    fcvt.l.s a0, f15, rne
    CHECK(a0, 2)

    /* 10: fclass */
    TEST(10)
    fclass.s a0, f11              /* -0 */
    CHECK(a0, 1 << 3)
    fclass.d a0, f10              /* quiet NaN */
    CHECK(a0, 1 << 9)
    j pass

    .section .rodata
    .align 2
one_f: .word 0x3f800000
