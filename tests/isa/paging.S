/*
 * Virtual memory: Sv39, Sv48 and Sv57 walks from S- and U-mode; load/store/fetch page
 * faults with stval = the faulting address; hardware A/D update; SUM; MXR; invalid and
 * reserved PTEs; 2 MiB superpages, aligned and misaligned; non-canonical addresses;
 * U-mode fetch from a supervisor page; sfence.vma after a PTE change.
 * Traps are not delegated, so the M-mode harness handler records them (s8/s9).
 */
#include "test.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80

/* PTE for physical address in register `pa` with flags, into register `out` */
#define MKPTE(out, pa, flags) srli out, pa, 12; slli out, out, 10; ori out, out, flags

TEST_START
    /* build the tables (in M-mode, physical addresses) */
    la a0, root
    la a1, l1
    la a2, l0
    /* root[2]: 1 GiB superpage identity-mapping 0x80000000 for code and data */
    li t0, 0x80000000
    MKPTE(t1, t0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
    sd t1, 16(a0)
    /* root[0] -> l1, l1[0] -> l0 */
    MKPTE(t1, a1, PTE_V)
    sd t1, 0(a0)
    MKPTE(t1, a2, PTE_V)
    sd t1, 0(a1)
    la a3, data_page
    /* l0[1]: VA 0x1000, RW, A and D clear: hardware sets them */
    MKPTE(t1, a3, PTE_V | PTE_R | PTE_W)
    sd t1, 8(a2)
    /* l0[2]: VA 0x2000 read-only */
    MKPTE(t1, a3, PTE_V | PTE_R | PTE_A)
    sd t1, 16(a2)
    /* l0[3]: VA 0x3000 user RW */
    MKPTE(t1, a3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
    sd t1, 24(a2)
    /* l0[4]: VA 0x4000 execute-only */
    MKPTE(t1, a3, PTE_V | PTE_X | PTE_A)
    sd t1, 32(a2)
    /* l0[5]: VA 0x5000 invalid; l0[6]: VA 0x6000 W without R (reserved) */
    MKPTE(t1, a3, PTE_R | PTE_W | PTE_A)
    sd t1, 40(a2)
    MKPTE(t1, a3, PTE_V | PTE_W | PTE_A | PTE_D)
    sd t1, 48(a2)
    /* l0[7]: VA 0x7000 user code page (S-mode may not execute it) */
    la t2, user_code
    MKPTE(t1, t2, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
    sd t1, 56(a2)
    /* l1[1]: VA 0x200000, a 2 MiB superpage with a misaligned PPN */
    li t0, 0x80001000
    MKPTE(t1, t0, PTE_V | PTE_R | PTE_A)
    sd t1, 8(a1)
    /* l1[2]: VA 0x400000, a 2 MiB superpage at 0x80000000 */
    li t0, 0x80000000
    MKPTE(t1, t0, PTE_V | PTE_R | PTE_A)
    sd t1, 16(a1)
    /* Sv48 and Sv57 roots: their entry 0 points at the next table down */
    la t2, root48
    MKPTE(t1, a0, PTE_V)
    sd t1, 0(t2)
    la t3, root57
    MKPTE(t1, t2, PTE_V)
    sd t1, 0(t3)
    /* the data page holds a known value */
    li t0, 0x1234567890abcdef
    sd t0, 8(a3)

    /* Sv39 on */
    la t0, root
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    ENTER_MODE(1, sv39)
sv39:
    /* 1: a load through VA 0x1000 sets A but not D; a store then sets D */
    TEST(1)
    li a4, 0x1000
    ld t0, 8(a4)
    li t1, 0x1234567890abcdef
    CHECK_REG(t0, t1)
    la a2, l0
    ld t0, 8(a2)
    andi t1, t0, PTE_A | PTE_D
    CHECK(t1, PTE_A)
    sd t0, 16(a4)
    ld t0, 8(a2)
    andi t1, t0, PTE_A | PTE_D
    CHECK(t1, PTE_A | PTE_D)

    /* 2: store to a read-only page: store page fault (15), stval = address */
    TEST(2)
    li a4, 0x2008
    EXPECT_TRAP(1f)
    sd zero, 0(a4)
    j fail
1:  CHECK_MTRAP(15, a4)
    ld t0, 0(a4)                  /* reading it is fine */

    /* 3: S-mode load from a user page faults unless SUM */
    TEST(3)
    li a4, 0x3008
    EXPECT_TRAP(1f)
    ld t0, 0(a4)
    j fail
1:  CHECK_MTRAP(13, a4)
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    ld t0, 0(a4)
    li t1, 0x1234567890abcdef
    CHECK_REG(t0, t1)
    li t0, MSTATUS_SUM
    csrc sstatus, t0

    /* 4: load from an execute-only page faults unless MXR */
    TEST(4)
    li a4, 0x4008
    EXPECT_TRAP(1f)
    ld t0, 0(a4)
    j fail
1:  CHECK_MTRAP(13, a4)
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    ld t0, 0(a4)
    li t1, 0x1234567890abcdef
    CHECK_REG(t0, t1)
    li t0, MSTATUS_MXR
    csrc sstatus, t0

    /* 5: invalid PTE and reserved W-without-R PTE: page faults */
    TEST(5)
    li a4, 0x5000
    EXPECT_TRAP(1f)
    ld t0, 0(a4)
    j fail
1:  CHECK_MTRAP(13, a4)
    li a4, 0x6010
    EXPECT_TRAP(1f)
    sd t0, 0(a4)
    j fail
1:  CHECK_MTRAP(15, a4)

    /* 6: S-mode fetch from a user page: instruction page fault (12), stval = target */
    TEST(6)
    li a4, 0x7000
    EXPECT_TRAP(1f)
    jalr a4
    j fail
1:  CHECK_MTRAP(12, a4)

    /* 7: a misaligned 2 MiB superpage faults; an aligned one maps */
    TEST(7)
    li a4, 0x200000
    EXPECT_TRAP(1f)
    ld t0, 0(a4)
    j fail
1:  CHECK_MTRAP(13, a4)
    li a4, 0x400000
    lw t0, 0(a4)
    li t1, 0x80000000
    lw t1, 0(t1)
    CHECK_REG(t0, t1)

    /* 8: non-canonical address (bit 38 set, upper bits clear): page fault */
    TEST(8)
    li a4, 0x4000000000
    EXPECT_TRAP(1f)
    ld t0, 0(a4)
    j fail
1:  CHECK_MTRAP(13, a4)

    /* 9: sfence.vma makes a changed PTE visible */
    TEST(9)
    li a4, 0x1000
    ld t0, 8(a4)                  /* now cached, if the hart caches */
    la a2, l0
    la t2, data_page2
    MKPTE(t1, t2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    sd t1, 8(a2)
    sfence.vma a4
    ld t0, 8(a4)
    CHECK(t0, 0x5a5a)

    /* 10: U-mode runs user code at 0x7000 but faults fetching a supervisor page */
    TEST(10)
    BACK_TO_M(2f)
2:  EXPECT_TRAP(1f)
    RESUME_IN_M
    li t1, 0x7000
    ENTER_U_AT(t1)
1:  CHECK(s8, 8)                  /* user_code ends with ecall */
    CHECK(a5, 0x77)
    EXPECT_TRAP(1f)
    RESUME_IN_M
    la t1, user_fetch_target
    ENTER_U_AT(t1)
1:  la t0, user_fetch_target
    CHECK_MTRAP(12, t0)

    /* 11: Sv48 and Sv57 walk the same tables one and two levels deeper */
    TEST(11)
    la t0, root48
    srli t0, t0, 12
    li t1, 9 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    csrr t1, satp
    CHECK_REG(t1, t0)
    ENTER_MODE(1, 2f)
2:  li a4, 0x3008
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    ld t0, 0(a4)
    li t1, 0x1234567890abcdef
    CHECK_REG(t0, t1)
    BACK_TO_M(3f)
3:  TEST(12)
    la t0, root57
    srli t0, t0, 12
    li t1, 10 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    ENTER_MODE(1, 2f)
2:  li a4, 0x2008
    EXPECT_TRAP(1f)
    sd zero, 0(a4)
    j fail
1:  CHECK_MTRAP(15, a4)
    BACK_TO_M(3f)
3:
    /* 13: an unsupported satp mode is ignored entirely */
    TEST(13)
    csrr t0, satp
    li t1, 11 << 60
    csrw satp, t1
    csrr t1, satp
    CHECK_REG(t1, t0)
    csrw satp, zero
    j pass

user_fetch_target:
    nop

    .align 12
user_code:                        /* mapped at VA 0x7000 for U-mode */
    li a5, 0x77
    ecall

    .data
    .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
root48: .space 4096
root57: .space 4096
data_page:
    .space 4096
data_page2:
    .dword 0, 0x5a5a
    .space 4096 - 16
