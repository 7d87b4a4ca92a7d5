/*
 * Switching address spaces with a bare satp write, as Linux does with ASIDs: S-mode code
 * at one virtual address, mapped without G to different code in two page tables with
 * different ASIDs. After each satp write (no sfence.vma: a new ASID needs none) a call
 * to that address must run the new table's code, however often the old one ran there
 * (the translator's jump cache keeps S-mode code across satp writes only when all of
 * it came from global mappings). Then the same with G set on both: also correct, since
 * software must keep global mappings equal (here they differ, so either result is
 * legal and only the absence of a crash is checked).
 */
#include "test.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define MKPTE(out, pa, flags) srli out, pa, 12; slli out, out, 10; ori out, out, flags

/* satp for Sv39 with root `table` and ASID n, into t0 */
#define SATP(table, n) la t0, table; srli t0, t0, 12; li t1, (8 << 60) | ((n) << 44); or t0, t0, t1

/* call VA 0x1000 `times` times, summing a0 into s2 */
#define CALL_SHARED(times) li s2, 0; li s3, times; 9: li t2, 0x1000; jalr ra, 0(t2); add s2, s2, a0; addi s3, s3, -1; bnez s3, 9b

TEST_START
    /* both tables: root[2] a 1 GiB identity superpage for the test itself (without G,
     * as xv6 maps its kernel), root[0] -> l1 -> l0, l0[1] (VA 0x1000) the table's code */
    la a0, rootA
    la a1, l1A
    la a2, l0A
    la a3, codeA
    jal build
    la a0, rootB
    la a1, l1B
    la a2, l0B
    la a3, codeB
    jal build
    SATP(rootA, 1)
    csrw satp, t0
    sfence.vma
    ENTER_MODE(1, smode)
smode:
    /* 1: table A's code, 50 times (translated and cached) */
    TEST(1)
    CALL_SHARED(50)
    CHECK(s2, 50)
    /* 2: satp to table B, ASID 2, no fence: table B's code every time */
    TEST(2)
    SATP(rootB, 2)
    csrw satp, t0
    CALL_SHARED(50)
    CHECK(s2, 100)
    /* 3: and back to A, ASID 1 */
    TEST(3)
    SATP(rootA, 1)
    csrw satp, t0
    CALL_SHARED(50)
    CHECK(s2, 50)
    /* 4: back and forth many times, one call each */
    TEST(4)
    li s4, 200
4:  SATP(rootB, 2)
    csrw satp, t0
    li t2, 0x1000
    jalr ra, 0(t2)
    CHECK(a0, 2)
    SATP(rootA, 1)
    csrw satp, t0
    li t2, 0x1000
    jalr ra, 0(t2)
    CHECK(a0, 1)
    addi s4, s4, -1
    bnez s4, 4b
    BACK_TO_M(5f)
5:
    /* 6: with G on both mappings (unequal, so software breaks the rule: either code may
     * run) the switches still work and return */
    TEST(6)
    csrw satp, zero
    sfence.vma
    la a0, l0A
    ld t0, 8(a0)
    ori t0, t0, PTE_G
    sd t0, 8(a0)
    la a0, l0B
    ld t0, 8(a0)
    ori t0, t0, PTE_G
    sd t0, 8(a0)
    SATP(rootA, 1)
    csrw satp, t0
    sfence.vma
    ENTER_MODE(1, smode2)
smode2:
    li s4, 50
6:  SATP(rootB, 2)
    csrw satp, t0
    li t2, 0x1000
    jalr ra, 0(t2)
    addi a0, a0, -1
    li t1, 1
    bgtu a0, t1, fail             /* 1 or 2 */
    SATP(rootA, 1)
    csrw satp, t0
    li t2, 0x1000
    jalr ra, 0(t2)
    addi s4, s4, -1
    bnez s4, 6b
    /* 7: sfence.vma with everything: table B's code for sure */
    TEST(7)
    SATP(rootB, 2)
    csrw satp, t0
    sfence.vma
    li t2, 0x1000
    jalr ra, 0(t2)
    CHECK(a0, 2)
    BACK_TO_M(8f)
8:  csrw satp, zero
    j pass

/* a0 root, a1 l1, a2 l0, a3 the code page for VA 0x1000 (M-mode, physical addresses) */
build:
    li t0, 0x80000000
    MKPTE(t1, t0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
    sd t1, 16(a0)
    MKPTE(t1, a1, PTE_V)
    sd t1, 0(a0)
    MKPTE(t1, a2, PTE_V)
    sd t1, 0(a1)
    MKPTE(t1, a3, PTE_V | PTE_R | PTE_X | PTE_A)
    sd t1, 8(a2)
    ret

    .align 12
codeA:
    li a0, 1
    ret
    .align 12
codeB:
    li a0, 2
    ret
    .align 12

    .data
    .align 12
rootA:  .space 4096
l1A:    .space 4096
l0A:    .space 4096
rootB:  .space 4096
l1B:    .space 4096
l0B:    .space 4096
