/*
 * Self-modifying code: an instruction rewritten in place (then fence.i) runs in its new
 * form, including when the old form has already run (and was cached by the emulator),
 * and when a 32-bit instruction is replaced by a compressed one.
 */
#include "test.h"
TEST_START
    /* 1: run the patch site once, rewrite it, run it again */
    TEST(1)
    jal ra, site
    CHECK(a0, 1)
    la t0, site
    la t1, new_insn
    lw t1, 0(t1)
    sw t1, 0(t0)
    fence.i
    jal ra, site
    CHECK(a0, 2)
    /* 2: replace it with a compressed c.li a0, 3 followed by c.nop */
    TEST(2)
    li t1, 0x0001450d             /* c.nop (0x0001) << 16 | c.li a0, 3 (0x450d) */
    sw t1, 0(t0)
    fence.i
    jal ra, site
    CHECK(a0, 3)
    /* 3: scratch registers keep what is written */
    TEST(3)
    li t0, 0x1234
    csrw mscratch, t0
    csrw sscratch, t0
    csrr t1, mscratch
    CHECK(t1, 0x1234)
    csrr t1, sscratch
    CHECK(t1, 0x1234)
    j pass

    .option push
    .option norvc
site:
    li a0, 1
    ret
new_insn:
    li a0, 2
    .option pop
