/*
 * Physical memory protection: NAPOT, TOR and NA4 regions; lowest-numbered match wins;
 * S/U accesses matching no entry fail once an entry is active while M-mode's succeed;
 * partial matches fail; fetch needs X; locked entries bind M-mode and ignore writes;
 * odd pmpcfg registers do not exist on RV64; W without R is not kept.
 */
#include "test.h"

#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_TOR (1 << 3)
#define PMP_NA4 (2 << 3)
#define PMP_NAPOT (3 << 3)
#define PMP_L 0x80

/* pmpaddr value for a NAPOT region of `size` bytes at the address in reg base */
#define NAPOT(out, base, size) srli out, base, 2; ori out, out, ((size) / 8 - 1)

TEST_START
    la s0, prot_page

    /* 1: entry 0 = the protected page, read-only; entry 1 = everything */
    TEST(1)
    NAPOT(t0, s0, 4096)
    csrw pmpaddr0, t0
    li t0, -1
    csrw pmpaddr1, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | (PMP_NAPOT | PMP_R)
    csrw pmpcfg0, t0
    ENTER_MODE(1, 2f)
2:  ld t1, 0(s0)                  /* reading is allowed */
    EXPECT_TRAP(1f)
    sd t1, 8(s0)
    j fail
1:  addi t0, s0, 8
    CHECK_MTRAP(7, t0)
    BACK_TO_M(3f)
3:  sd t1, 8(s0)                  /* M-mode is not bound by an unlocked entry */

    /* 2: no entry matches: S-mode access fails, M-mode access succeeds */
    TEST(2)
    li t0, 0x80000000
    NAPOT(t1, t0, 0x1000)         /* only the first code page */
    csrw pmpaddr0, t1
    li t0, PMP_NAPOT | PMP_R | PMP_X
    csrw pmpcfg0, t0
    ld t1, 0(s0)
    ENTER_MODE(1, 2f)
2:  EXPECT_TRAP(1f)
    ld t1, 0(s0)
    j fail
1:  CHECK_MTRAP(5, s0)
    BACK_TO_M(3f)
3:
    /* 3: TOR: [0, prot) RWX, [prot, prot+4K) nothing, then everything via NAPOT */
    TEST(3)
    srli t0, s0, 2
    csrw pmpaddr0, t0
    addi t1, s0, 2047
    addi t1, t1, 2047
    addi t1, t1, 2
    srli t1, t1, 2
    csrw pmpaddr1, t1
    li t0, -1
    csrw pmpaddr2, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16) | (PMP_TOR << 8) | (PMP_TOR | PMP_R | PMP_W | PMP_X)
    csrw pmpcfg0, t0
    ENTER_MODE(1, 2f)
2:  ld t1, -8(s0)
    EXPECT_TRAP(1f)
    ld t1, 0(s0)
    j fail
1:  CHECK_MTRAP(5, s0)
    li t0, 4096
    add t0, t0, s0
    ld t1, 0(t0)                  /* past the TOR hole: entry 2 */
    BACK_TO_M(3f)
3:
    /* 4: NA4: four inaccessible bytes; an access overlapping them partially fails */
    TEST(4)
    addi t0, s0, 16
    srli t0, t0, 2
    csrw pmpaddr0, t0
    li t0, -1
    csrw pmpaddr1, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | PMP_NA4
    csrw pmpcfg0, t0
    ENTER_MODE(1, 2f)
2:  ld t1, 24(s0)
    addi a4, s0, 16
    EXPECT_TRAP(1f)
    lw t1, 0(a4)
    j fail
1:  CHECK_MTRAP(5, a4)
    addi a4, s0, 12
    EXPECT_TRAP(1f)
    ld t1, 0(a4)                  /* bytes 12..19: straddles the NA4 region */
    j fail
1:  CHECK(s8, 5)
    BACK_TO_M(3f)
3:
    /* 5: fetch needs X: jumping into a readable, non-executable page faults (1) */
    TEST(5)
    la s1, code_page
    NAPOT(t0, s1, 4096)
    csrw pmpaddr0, t0
    li t0, -1
    csrw pmpaddr1, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | (PMP_NAPOT | PMP_R)
    csrw pmpcfg0, t0
    ENTER_MODE(1, 2f)
2:  EXPECT_TRAP(1f)
    jalr s1
    j fail
1:  CHECK_MTRAP(1, s1)
    BACK_TO_M(3f)
3:
    /* 6: pmpcfg1 does not exist on RV64; W without R reads back without W */
    TEST(6)
    EXPECT_TRAP(1f)
    csrr t0, pmpcfg1
    j fail
1:  CHECK(s8, 2)
    li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8 | (PMP_NAPOT | PMP_W)
    csrw pmpcfg0, t0
    csrr t1, pmpcfg0
    andi t1, t1, 0xff
    CHECK(t1, PMP_NAPOT)

    /* 7: a locked entry binds M-mode too, and ignores further writes */
    TEST(7)
    NAPOT(t0, s0, 4096)
    csrw pmpaddr0, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | (PMP_NAPOT | PMP_R | PMP_L)
    csrw pmpcfg0, t0
    ld t1, 0(s0)
    EXPECT_TRAP(1f)
    sd t1, 0(s0)
    j fail
1:  CHECK_MTRAP(7, s0)
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | (PMP_NAPOT | PMP_R | PMP_W)
    csrw pmpcfg0, t0
    csrr t1, pmpcfg0
    andi t1, t1, 0xff
    CHECK(t1, PMP_NAPOT | PMP_R | PMP_L)
    csrr t1, pmpaddr0
    csrw pmpaddr0, zero
    csrr t2, pmpaddr0
    CHECK_REG(t1, t2)
    j pass

    .data
    .align 12
prot_page:
    .space 4096
    .space 4096
    .text
    .align 12
code_page:
    ret
    .align 12
