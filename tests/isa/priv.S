/*
 * Privilege modes and CSR access rules: ecall causes from U and S, medeleg delegation
 * to S (scause/sepc/stval set, mcause untouched), CSR privilege and read-only checks,
 * counter enables (mcounteren/scounteren), mcountinhibit, TW, TSR, TVM, sret/mret state, and SPP.
 */
#include "test.h"
TEST_START

    /* 1: ecall from U is cause 8, from S cause 9 */
    TEST(1)
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  ecall
    j fail
1:  CHECK(s8, 8)
    /* we are back in U-mode after the handler: return to M */
    BACK_TO_M(3f)
3:  TEST(2)
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  ecall
    j fail
1:  CHECK(s8, 9)
    BACK_TO_M(3f)
3:
    /* 3: mret leaves MPP at U, the least-privileged mode */
    TEST(3)
    csrr t0, mstatus
    li t1, MSTATUS_MPP
    and t0, t0, t1
    CHECK(t0, 0)

    /* 4: a delegated breakpoint from U lands in S: scause 3, stval/sepc = pc, and
     * M-mode state untouched */
    TEST(4)
    li t0, 1 << 3
    csrw medeleg, t0
    csrw mcause, zero
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:
ubrk:
    ebreak
    j fail
1:  /* resumed in U-mode by sret */
    CHECK(s5, 3)
    la t0, ubrk
    CHECK_REG(s7, t0)
    BACK_TO_M(3f)
3:  csrw medeleg, zero
    csrr t0, mcause
    CHECK(t0, 8)               /* the BACK_TO_M ecall from U, not the breakpoint */
    csrr t0, scause
    CHECK(t0, 3)

    /* 5: M-mode CSR from S: illegal, mtval = instruction bits */
    TEST(5)
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:
mstat_rd:
    csrr a0, mstatus
    j fail
1:  CHECK(s8, 2)
    la t0, mstat_rd
    lwu t0, 0(t0)
    CHECK_REG(s9, t0)
    /* S-mode CSRs are fine from S */
    csrr a0, sstatus
    csrw sscratch, a0
    BACK_TO_M(3f)
3:
    /* 6: S-mode CSR from U is illegal */
    TEST(6)
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  csrr a0, sstatus
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:
    /* 7: writing a read-only CSR is illegal even in M; reading it with csrrs x0 is fine */
    TEST(7)
    EXPECT_TRAP(1f)
    csrw mhartid, zero
    j fail
1:  CHECK(s8, 2)
    csrrs a0, mhartid, zero
    CHECK(a0, 0)
    EXPECT_TRAP(1f)
    csrrsi a0, mvendorid, 1
    j fail
1:  CHECK(s8, 2)

    /* 8: counters: cycle from S traps unless mcounteren.CY; from U also needs scounteren */
    TEST(8)
    csrw mcounteren, zero
    csrw scounteren, zero
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  rdcycle a0
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  li t0, 7
    csrw mcounteren, t0
    ENTER_MODE(1, 2f)
2:  rdcycle a0
    rdinstret a1
    rdtime a2
    EXPECT_TRAP(1f)
    BACK_TO_M(3f)
1:
3:  TEST(9)
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  rdinstret a0
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  li t0, 7
    csrw scounteren, t0
    ENTER_MODE(0, 2f)
2:  rdinstret a0
    BACK_TO_M(3f)
3:
    /* 10: instret counts: two reads around three instructions differ by 4 (tern counts
     * retired instructions exactly; QEMU without -icount does not) */
    TEST(10)
    rdinstret a0
    nop
    nop
    nop
    rdinstret a1
    sub a1, a1, a0
    CHECK(a1, 4)

    /* 11: TW: wfi in S traps */
    TEST(11)
    li t0, MSTATUS_TW
    csrs mstatus, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  wfi
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  li t0, MSTATUS_TW
    csrc mstatus, t0
    /* 12: wfi in U always traps (S-mode exists) */
    TEST(12)
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  wfi
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:
    /* 13: TSR: sret in S traps */
    TEST(13)
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  sret
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  li t0, MSTATUS_TSR
    csrc mstatus, t0
    /* 14: TVM: satp and sfence.vma in S trap */
    TEST(14)
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  csrr a0, satp
    j fail
1:  CHECK(s8, 2)
    EXPECT_TRAP(1f)
    sfence.vma
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  li t0, MSTATUS_TVM
    csrc mstatus, t0
    /* 15: sret and mret are illegal in U; mret is illegal in S */
    TEST(15)
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  sret
    j fail
1:  CHECK(s8, 2)
    EXPECT_TRAP(1f)
    mret
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:  EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  mret
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:
    /* 16: sret from M to U via SPP=0, restoring SIE from SPIE */
    TEST(16)
    li t0, MSTATUS_SPP
    csrc mstatus, t0
    li t0, MSTATUS_SPIE
    csrs mstatus, t0
    la t0, 2f
    csrw sepc, t0
    sret
2:  /* now in U: a U-mode ecall proves it */
    EXPECT_TRAP(1f)
    ecall
1:  CHECK(s8, 8)
    BACK_TO_M(3f)
3:  csrr t0, mstatus
    andi t1, t0, MSTATUS_SIE
    CHECK(t1, MSTATUS_SIE)
    csrci mstatus, MSTATUS_SIE

    /* 17: medeleg cannot delegate ecall from M; mideleg only S interrupts */
    TEST(17)
    li t0, -1
    csrw medeleg, t0
    csrr t1, medeleg
    srli t2, t1, 11
    andi t2, t2, 1
    CHECK(t2, 0)
    csrw medeleg, zero
    csrw mideleg, t0
    csrr t1, mideleg
    CHECK(t1, 0x222)
    csrw mideleg, zero

    /* 18: misa says RV64 with IMAFDCSU */
    TEST(18)
    csrr t0, misa
    srli t1, t0, 62
    CHECK(t1, 2)
    li t1, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
    and t2, t0, t1
    CHECK_REG(t2, t1)

    /* 19: mcountinhibit.CY and .IR stop mcycle and minstret where they stand; cleared,
     * they count on from there; a write while stopped sets the value that stays */
    TEST(19)
    csrwi mcountinhibit, 5
    csrr t0, minstret
    csrr t1, mcycle
    nop
    nop
    csrr t2, minstret
    csrr t3, mcycle
    CHECK_REG(t2, t0)
    CHECK_REG(t3, t1)
    li t0, 1000
    csrw minstret, t0
    nop
    csrr t2, minstret
    CHECK(t2, 1000)
    csrwi mcountinhibit, 0
    nop
    csrr t2, minstret
    li t1, 1000
    sub t2, t2, t1
    beqz t2, fail
    li t1, 8
    bgeu t2, t1, fail

    j pass
