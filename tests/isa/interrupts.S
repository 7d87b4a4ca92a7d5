/*
 * Interrupts: the CLINT machine timer (mtimecmp/mtime) and software interrupt (msip),
 * priority when several are pending (MSI before MTI), vectored mtvec, M interrupts
 * taken in lower modes whatever MIE says, and a delegated S-mode timer through Sstc
 * (menvcfg.STCE + stimecmp).
 */
#include "test.h"
TEST_START

    /* 1: software interrupt: msip=1 with MSIE+MIE traps at once with cause 3|irq */
    TEST(1)
    li t0, 1 << 3
    csrw mie, t0
    EXPECT_TRAP(1f)
    li a0, CLINT_MSIP
    li t0, 1
    sw t0, 0(a0)
    csrsi mstatus, MSTATUS_MIE
2:  j 2b                          /* wait for it */
1:  li t0, (1 << 63) | 3
    CHECK_REG(s8, t0)
    CHECK(s9, 0)
    sw zero, 0(a0)
    csrci mstatus, MSTATUS_MIE

    /* 2: machine timer: mtimecmp a little in the future, wait in wfi */
    TEST(2)
    li t0, 1 << 7
    csrw mie, t0
    li a0, CLINT_MTIME
    ld t1, 0(a0)
    addi t1, t1, 1000             /* 100 us at 10 MHz */
    li a1, CLINT_MTIMECMP
    sd t1, 0(a1)
    EXPECT_TRAP(1f)
    csrsi mstatus, MSTATUS_MIE
2:  wfi
    j 2b
1:  li t0, (1 << 63) | 7
    CHECK_REG(s8, t0)
    /* the interrupt is taken only once mtime has reached mtimecmp */
    ld t2, 0(a0)
    bltu t2, t1, fail
    /* writing mtimecmp far ahead clears MTIP */
    li t0, -1
    sd t0, 0(a1)
    csrr t0, mip
    andi t0, t0, 1 << 7
    CHECK(t0, 0)
    csrci mstatus, MSTATUS_MIE

    /* 3: wfi with the interrupt enabled in mie but MIE=0 wakes up without trapping */
    TEST(3)
    li t0, 1 << 7
    csrw mie, t0
    li a0, CLINT_MTIME
    ld t1, 0(a0)
    addi t1, t1, 1000
    sd t1, 0(a1)
    wfi
2:  csrr t0, mip
    andi t0, t0, 1 << 7
    beqz t0, 2b
    li t0, -1
    sd t0, 0(a1)

    /* 4: MSI and MTI both pending: MSI first (priority), then MTI */
    TEST(4)
    li t0, (1 << 3) | (1 << 7)
    csrw mie, t0
    sd zero, 0(a1)                /* mtimecmp = 0: MTIP now */
    li a0, CLINT_MSIP
    li t0, 1
    sw t0, 0(a0)
    EXPECT_TRAP(1f)
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  li t0, (1 << 63) | 3
    CHECK_REG(s8, t0)
    sw zero, 0(a0)                /* clear MSIP: the timer comes next */
    li t0, 1 << 7
    csrw mie, t0
    EXPECT_TRAP(1f)
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  li t0, (1 << 63) | 7
    CHECK_REG(s8, t0)
    li t0, -1
    sd t0, 0(a1)
    csrci mstatus, MSTATUS_MIE

    /* 5: vectored mtvec: an interrupt goes to base + 4 * cause */
    TEST(5)
    la t0, vec_table
    ori t0, t0, 1
    csrw mtvec, t0
    li t0, 1 << 3
    csrw mie, t0
    li t0, 1
    sw t0, 0(a0)
    csrsi mstatus, MSTATUS_MIE
2:  j 2b
vec_ok:
    sw zero, 0(a0)
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap
    csrw mtvec, t0

    /* 6: an M interrupt is taken in U-mode even with MIE=0 */
    TEST(6)
    csrci mstatus, MSTATUS_MIE
    li t0, 1 << 3
    csrw mie, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(0, 2f)
2:  li t0, 1
    sw t0, 0(a0)                  /* PMP entry 0 lets U-mode reach the CLINT */
3:  j 3b
1:  /* resumed in U-mode (the handler cleared MSIE): check, clear, back to M */
    li t0, (1 << 63) | 3
    bne s8, t0, fail
    sw zero, 0(a0)
    BACK_TO_M(3f)
3:  csrr t1, mcause
    CHECK(t1, 8)                  /* BACK_TO_M's ecall came from U: we were in U */
    csrw mie, zero

    /* 7: Sstc: with STCE, stimecmp raises STIP; delegated, it goes to S-mode */
    TEST(7)
    li t0, 1
    slli t0, t0, 63
    csrw menvcfg, t0
    li t0, 2                      /* mcounteren.TM lets S-mode reach stimecmp */
    csrw mcounteren, t0
    li t0, 1 << 5
    csrw mideleg, t0
    csrw mie, t0
    li t0, -1
    csrw stimecmp, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  csrsi sstatus, MSTATUS_SIE
    rdtime t1
    addi t1, t1, 500
    csrw stimecmp, t1
3:  wfi
    j 3b
1:  li t0, (1 << 63) | 5
    CHECK_REG(s5, t0)
    li t0, -1
    csrw stimecmp, t0             /* clears STIP */
    csrr t0, sip
    andi t0, t0, 1 << 5
    CHECK(t0, 0)
    BACK_TO_M(3f)
3:  csrw mideleg, zero
    csrw mie, zero
    /* 8: without STCE, S-mode access to stimecmp is illegal */
    TEST(8)
    csrw menvcfg, zero
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  csrr a0, stimecmp
    j fail
1:  CHECK(s8, 2)
    BACK_TO_M(3f)
3:
    /* 9: a supervisor software interrupt set through mip.SSIP, delegated */
    TEST(9)
    li t0, 1 << 1
    csrw mideleg, t0
    csrw mie, t0
    EXPECT_TRAP(1f)
    ENTER_MODE(1, 2f)
2:  csrsi sstatus, MSTATUS_SIE
    csrsi sip, 1 << 1
3:  j 3b
1:  li t0, (1 << 63) | 1
    CHECK_REG(s5, t0)
    csrci sip, 1 << 1
    BACK_TO_M(3f)
3:  csrw mideleg, zero
    csrw mie, zero

    /* 10: csrs/csrc on mip act on the software-writable bits only: an external SEIP
     * line from the PLIC (UART THR-empty interrupt routed to hart 0's S context) must
     * not be latched into mip by a read-modify-write of another bit (priv 1.12 3.1.9;
     * QEMU 7.2 latches it) */
    TEST(10)
    li a0, 0x0c000000 + 4 * 10    /* PLIC priority of source 10 (UART) */
    li t0, 1
    sw t0, 0(a0)
    li a0, 0x0c002080             /* context 1 (hart 0, S) enable bits */
    li t0, 1 << 10
    sw t0, 0(a0)
    li a0, 0x0c201000             /* context 1 threshold */
    sw zero, 0(a0)
    li a1, 0x10000000
    li t0, 2                      /* UART IER: THR empty interrupt -> line high */
    sb t0, 1(a1)
    csrr t1, mip
    andi t1, t1, 1 << 9
    CHECK(t1, 1 << 9)             /* SEIP visible while the line is high */
    csrsi mip, 1 << 1             /* set SSIP by read-modify-write */
    sb zero, 1(a1)                /* line low again */
    csrr t1, mip
    andi t2, t1, 1 << 9
    CHECK(t2, 0)                  /* SEIP follows the line: it was not latched */
    andi t2, t1, 1 << 1
    CHECK(t2, 1 << 1)
    csrci mip, 1 << 1
    j pass

    .align 6
    .option push
    .option norvc
vec_table:                        /* 4-byte entries: cause 3 is the fourth */
    .rept 3
    j vec_wrong
    .endr
    j vec_msi
    .rept 12
    j vec_wrong
    .endr
    .option pop
vec_wrong:
    j fail
vec_msi:
    csrr t0, mcause
    li t1, (1 << 63) | 3
    bne t0, t1, fail
    li t0, CLINT_MSIP             /* acknowledge before returning with MIE set */
    sw zero, 0(t0)
    la t0, vec_ok
    csrw mepc, t0
    mret
