/*
 * Synchronous exceptions in M-mode: each cause's mcause, mtval and mepc as priv 1.12
 * says (illegal instruction: the instruction bits, 16 of them for a compressed one;
 * breakpoint: the pc; access faults: the address), misaligned accesses (regular ones
 * are emulated, atomics trap), fetch from a hole, and mret restoring MPIE/MPP.
 */
#include "test.h"
TEST_START

    /* 1: illegal 32-bit instruction: mtval holds its bits */
    TEST(1)
    EXPECT_TRAP(1f)
bad32:
    .word 0xffffffff
    j fail
1:  CHECK(s8, 2)
    CHECK(s9, 0xffffffff)
    la t0, bad32
    CHECK_REG(s10, t0)

    /* 2: illegal compressed instruction (all zeros): mtval holds the 16 bits (0) */
    TEST(2)
    EXPECT_TRAP(1f)
bad16:
    .half 0x0000
    j fail
1:  CHECK(s8, 2)
    CHECK(s9, 0)
    la t0, bad16
    CHECK_REG(s10, t0)

    /* 3: a reserved compressed encoding (c.lui with imm 0): mtval = 0x6501 */
    TEST(3)
    EXPECT_TRAP(1f)
    .half 0x6501
    j fail
1:  CHECK(s8, 2)
    CHECK(s9, 0x6501)

    /* 4: ebreak and c.ebreak: cause 3, mepc = pc, mtval = pc (tern) or 0 (the spec
     * allows either; QEMU writes 0) */
    TEST(4)
    EXPECT_TRAP(1f)
brk:
    .option push
    .option norvc
    ebreak
    .option pop
    j fail
1:  CHECK(s8, 3)
    la t0, brk
    CHECK_REG(s10, t0)
    beqz s9, 2f
    CHECK_REG(s9, t0)
2:
    TEST(5)
    EXPECT_TRAP(1f)
cbrk:
    c.ebreak
    j fail
1:  CHECK(s8, 3)
    la t0, cbrk
    CHECK_REG(s10, t0)

    /* 6: ecall from M: cause 11, mtval 0 */
    TEST(6)
    EXPECT_TRAP(1f)
    ecall
    j fail
1:  CHECK(s8, 11)
    CHECK(s9, 0)

    /* 7: load and store to a hole in the physical map: access faults with the address */
    TEST(7)
    li a0, 0x08000008
    EXPECT_TRAP(1f)
    ld a1, 0(a0)
    j fail
1:  CHECK(s8, 5)
    CHECK_REG(s9, a0)
    TEST(8)
    EXPECT_TRAP(1f)
    sw a1, 0(a0)
    j fail
1:  CHECK(s8, 7)
    CHECK_REG(s9, a0)

    /* 9: fetch from a hole: instruction access fault, mtval = mepc = target */
    TEST(9)
    li a0, 0x08000000
    EXPECT_TRAP(1f)
    jalr a0
    j fail
1:  CHECK(s8, 1)
    CHECK_REG(s9, a0)
    CHECK_REG(s10, a0)

    /* 10: misaligned regular loads and stores are emulated (no trap) */
    TEST(10)
    la a0, scratch
    li t0, 0x1122334455667788
    sd t0, 1(a0)
    ld t1, 1(a0)
    CHECK_REG(t1, t0)
    lw t1, 3(a0)
    li t2, 0x33445566
    CHECK_REG(t1, t2)
    lhu t1, 7(a0)
    CHECK(t1, 0x1122)

    /* 11: a misaligned load crossing a page boundary */
    TEST(11)
    la a0, page_end
    li t0, 0x0102030405060708
    sd t0, -4(a0)
    ld t1, -4(a0)
    CHECK_REG(t1, t0)

    /* 12: misaligned AMO: store/AMO address misaligned (6) with the address. (QEMU 7.2
     * reports a misaligned load here, which the spec does not allow for an AMO.) */
    TEST(12)
    la a0, scratch
    addi a0, a0, 2
    EXPECT_TRAP(1f)
    amoadd.w a1, a1, (a0)
    j fail
1:  CHECK(s8, 6)
    CHECK_REG(s9, a0)
    /* 13: misaligned LR: load address misaligned (4) */
    TEST(13)
    EXPECT_TRAP(1f)
    lr.d a1, (a0)
    j fail
1:  CHECK(s8, 4)
    CHECK_REG(s9, a0)

    /* 14: an AMO to MMIO-free hole: store/AMO access fault */
    TEST(14)
    li a0, 0x08000000
    EXPECT_TRAP(1f)
    amoswap.d a1, a1, (a0)
    j fail
1:  CHECK(s8, 7)

    /* 15: the trap clears MIE into MPIE; mret restores it and sets MPIE */
    TEST(15)
    csrsi mstatus, MSTATUS_MIE
    EXPECT_TRAP(1f)
    ecall
1:  csrr t0, mstatus
    andi t1, t0, MSTATUS_MIE
    CHECK(t1, MSTATUS_MIE)
    andi t1, t0, MSTATUS_MPIE
    CHECK(t1, MSTATUS_MPIE)
    csrci mstatus, MSTATUS_MIE

    /* 16: mepc ignores bit 0 */
    TEST(16)
    li t0, 0x80000003
    csrw mepc, t0
    csrr t1, mepc
    CHECK(t1, 0x80000002)

    /* 17: an unknown CSR is illegal, mtval = instruction bits */
    TEST(17)
    EXPECT_TRAP(1f)
unk:
    csrr a0, 0x7c0
    j fail
1:  CHECK(s8, 2)
    la t0, unk
    lwu t0, 0(t0)
    CHECK_REG(s9, t0)

    j pass

    .data
    .align 3
scratch:
    .dword 0, 0, 0
    .align 12
    .space 4096
page_end:
    .space 16
