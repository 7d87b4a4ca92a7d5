/*
 * Cases that matter to the translator (they run under every tier like the other ISA
 * tests; each was a bug or a design point of jit/): a trapping CSR write leaves a
 * register kept in a host register unchanged; loads into x0 still access memory and
 * fault; jalr with rd == rs1; branches comparing a register with itself; a store that
 * rewrites a later instruction of the same block; minstret exact after a fault in the
 * middle of a long block; accesses crossing a page; FP flags sticky across native
 * operations and cleared by fcsr writes; the dynamic rounding mode other than RNE;
 * FP instructions with FS off.
 */
#include "test.h"
TEST_START
    li t0, MSTATUS_FS
    csrs mstatus, t0                  /* FP on (Dirty) */

    /* 1: a CSR write that traps must leave rd alone (a0 lives in a host register) */
    TEST(1)
    li a0, 0x55
    EXPECT_TRAP(1f)
    csrrw a0, cycle, zero             /* read-only CSR: illegal */
1:  CHECK(s8, 2)
    CHECK(a0, 0x55)
    li a5, 0x66
    EXPECT_TRAP(1f)
    csrrs a5, 0x7ff, a0               /* no such CSR */
1:  CHECK(s8, 2)
    CHECK(a5, 0x66)

    /* 2: a load into x0 still faults */
    TEST(2)
    li t1, 0x4000000                  /* nothing mapped there */
    EXPECT_TRAP(1f)
    ld zero, 0(t1)
1:  CHECK(s8, 5)
    CHECK_REG(s9, t1)

    /* 3: jalr with rd == rs1 jumps to the old value and links the new one */
    TEST(3)
    la a1, 2f
1:  jalr a1, 0(a1)
    j fail
2:  la t3, 1b
    addi t3, t3, 4
    CHECK_REG(a1, t3)

    /* 4: branches on a register against itself */
    TEST(4)
    li a2, 7
    bne a2, a2, fail
    blt a2, a2, fail
    bltu a2, a2, fail
    bge a2, a2, 1f
    j fail
1:  bgeu a2, a2, 1f
    j fail
1:  beq a2, a2, 1f
    j fail
1:

    /* 5: a store that rewrites an instruction further on in the same block: tern
     * runs the new instruction even without fence.i (the store ends the block) */
    TEST(5)
    la t0, 2f
    la t1, 3f
    lw t1, 0(t1)
    li a0, 0
    sw t1, 0(t0)
    .option push
    .option norvc
2:  li a0, 1                          /* becomes li a0, 2 */
    .option pop
    CHECK(a0, 2)
    fence.i
    j 4f
    .option push
    .option norvc
3:  li a0, 2
    .option pop
4:

    /* 6: minstret is exact at every kind of block end: a straight run between two
     * reads, and a run ending in a fault whose handler is counted too */
    TEST(6)
    csrr a3, minstret
    addi a4, zero, 1
    addi a4, a4, 1
    beq a4, zero, fail
    addi a4, a4, 1
    addi a4, a4, 1
    csrr a6, minstret
    sub a6, a6, a3
    CHECK(a6, 6)
    li t1, 0x4000000
    EXPECT_TRAP(1f)
    lw a4, 0(t1)
1:  CHECK(s8, 5)

    /* 7: loads and stores crossing a page boundary */
    TEST(7)
    la t0, cross
    li t1, 0x1122334455667788
    sd t1, 0(t0)
    ld t2, 0(t0)
    CHECK_REG(t2, t1)
    lw t2, 4(t0)
    li t3, 0x11223344
    CHECK_REG(t2, t3)
    sh t1, 7(t0)
    lhu t2, 7(t0)
    li t3, 0x7788
    CHECK_REG(t2, t3)

    /* 8: FP flags: NX from an inexact divide; cleared by writing fflags; an exact
     * operation afterwards leaves it clear; the next inexact one sets it again */
    TEST(8)
    csrw fflags, zero
    li t0, 1
    fcvt.d.l fa0, t0
    li t0, 3
    fcvt.d.l fa1, t0
    csrw fflags, zero
    fdiv.d fa2, fa0, fa1              /* 1/3: inexact */
    csrr t1, fflags
    CHECK(t1, 1)
    csrw fflags, zero
    fadd.d fa3, fa0, fa0              /* 1+1: exact */
    csrr t1, fflags
    CHECK(t1, 0)
    fdiv.d fa2, fa0, fa1
    fdiv.d fa2, fa0, fa1
    csrr t1, fflags
    CHECK(t1, 1)
    /* divide by zero: DZ, and 0/0: NV with the canonical NaN */
    csrw fflags, zero
    fmv.d.x fa4, zero
    fdiv.d fa5, fa0, fa4
    csrr t1, fflags
    CHECK(t1, 8)
    csrw fflags, zero
    fdiv.d fa5, fa4, fa4
    csrr t1, fflags
    CHECK(t1, 16)
    fmv.x.d t1, fa5
    li t2, 0x7ff8000000000000
    CHECK_REG(t1, t2)
    /* fcsr writes clear the flags too */
    fdiv.d fa2, fa0, fa1
    csrw fcsr, zero
    fadd.d fa3, fa0, fa0
    frflags t1
    CHECK(t1, 0)

    /* 9: the dynamic rounding mode: 1/3 rounds differently toward zero and up */
    TEST(9)
    fsrmi 1                           /* RTZ */
    fdiv.d fa2, fa0, fa1
    fsrmi 3                           /* RUP */
    fdiv.d fa3, fa0, fa1
    fsrmi 0
    fmv.x.d t1, fa2
    fmv.x.d t2, fa3
    addi t1, t1, 1
    CHECK_REG(t1, t2)                 /* one ulp apart */
    fdiv.d fa4, fa0, fa1, rtz         /* static RTZ */
    fmv.x.d t3, fa4
    addi t3, t3, 1
    CHECK_REG(t3, t2)

    /* 10: with FS off, FP instructions are illegal (natively emitted ones too) */
    TEST(10)
    li t0, MSTATUS_FS
    csrc mstatus, t0
    EXPECT_TRAP(1f)
    fadd.d fa0, fa0, fa0
1:  CHECK(s8, 2)
    EXPECT_TRAP(1f)
    fld fa0, 0(sp)
1:  CHECK(s8, 2)
    EXPECT_TRAP(1f)
    fmv.x.d a0, fa0
1:  CHECK(s8, 2)
    li t0, MSTATUS_FS
    csrs mstatus, t0

    /* 11: fused multiply-add rounds once: (1+2^-52)*(1-2^-52) - 1 = -2^-104 exactly
     * (with a separate multiply the product rounds to 1 and the result is 0) */
    TEST(11)
    li t0, 0x3ff0000000000001
    fmv.d.x fa0, t0
    li t0, 0x3feffffffffffffe          /* 1 - 2^-52 */
    fmv.d.x fa1, t0
    li t0, 0xbff0000000000000
    fmv.d.x fa2, t0
    fmadd.d fa3, fa0, fa1, fa2
    fmv.x.d t1, fa3
    li t2, 0xb970000000000000         /* -2^-104 */
    CHECK_REG(t1, t2)
    j pass

    .data
    .balign 4096
    .skip 4092
cross:
    .skip 16
