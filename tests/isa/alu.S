/*
 * Every integer instruction group with edge values: RV64I ALU and W forms, shifts by
 * 0/31/63, slt/sltu signs, lui/auipc, branches both ways, jal/jalr links, loads with
 * sign/zero extension, M (division by zero, overflow, high multiplies), A (LR/SC, AMOs,
 * sign extension of .w results), C, Zba, Zbb, Zbs and Zicond.
 */
#include "test.h"

/* rd = op(a, b) == expected */
#define RR(n, op, a, b, exp) TEST(n); li a1, a; li a2, b; op a0, a1, a2; li t5, exp; bne a0, t5, fail
#define RI(n, op, a, imm, exp) TEST(n); li a1, a; op a0, a1, imm; li t5, exp; bne a0, t5, fail
#define R1(n, op, a, exp) TEST(n); li a1, a; op a0, a1; li t5, exp; bne a0, t5, fail

TEST_START
    /* RV64I */
    RR(1, add, 0x7fffffffffffffff, 1, 0x8000000000000000)
    RR(2, sub, 0, 1, -1)
    RR(3, addw, 0x7fffffff, 1, 0xffffffff80000000)
    RR(4, subw, 0, 0x100000000, 0)
    RR(5, sll, 1, 63, 0x8000000000000000)
    RR(6, sll, 1, 64, 1)                      /* only the low 6 bits count */
    RR(7, srl, 0x8000000000000000, 63, 1)
    RR(8, sra, 0x8000000000000000, 63, -1)
    RR(9, sllw, 1, 31, 0xffffffff80000000)
    RR(10, srlw, 0xffffffff80000000, 31, 1)
    RR(11, sraw, 0x0000000080000000, 31, -1)
    RR(12, slt, -1, 0, 1)
    RR(13, sltu, -1, 0, 0)
    RR(14, xor, 0xff00, 0x0ff0, 0xf0f0)
    RR(15, or, 0xff00, 0x0ff0, 0xfff0)
    RR(16, and, 0xff00, 0x0ff0, 0x0f00)
    RI(17, addi, 5, -6, -1)
    RI(18, addiw, 0x7fffffff, 1, 0xffffffff80000000)
    RI(19, slti, -5, -4, 1)
    RI(20, sltiu, 5, -1, 1)                   /* -1 compares as 2^64-1 */
    RI(21, xori, 0xf0, -1, 0xffffffffffffff0f)
    RI(22, slli, 3, 0, 3)
    RI(23, srai, -16, 2, -4)
    RI(24, srliw, 0x80000000, 0, 0xffffffff80000000)
    RI(25, sraiw, 0x80000000, 31, -1)
    RI(26, slliw, 0xffffffff, 31, 0xffffffff80000000)
    TEST(27)
    lui a0, 0x80000
    li t5, 0xffffffff80000000
    bne a0, t5, fail
    TEST(28)
1:  auipc a0, 0
    la t5, 1b
    bne a0, t5, fail

    /* branches both ways and jumps */
    TEST(29)
    li a1, -1
    li a2, 1
    blt a2, a1, fail
    bge a1, a2, fail
    bltu a1, a2, fail
    bgeu a2, a1, fail
    beq a1, a2, fail
    bne a1, a1, fail
    blt a1, a2, 1f
    j fail
1:  bgeu a1, a2, 1f
    j fail
1:  TEST(30)
    jal a0, 2f
1:  j fail
2:  la t5, 1b
    bne a0, t5, fail
    la t0, 3f + 1                 /* jalr clears bit 0 of the target */
    jalr a0, 0(t0)
    j fail
3:
    /* loads: sign and zero extension */
    TEST(31)
    la a3, bytes
    lb a0, 0(a3)
    li t5, -128
    bne a0, t5, fail
    lbu a0, 0(a3)
    li t5, 0x80
    bne a0, t5, fail
    lh a0, 0(a3)
    li t5, 0xffffffffffff8180
    bne a0, t5, fail
    lhu a0, 0(a3)
    li t5, 0x8180
    bne a0, t5, fail
    lw a0, 0(a3)
    li t5, 0xffffffff83828180
    bne a0, t5, fail
    lwu a0, 0(a3)
    li t5, 0x83828180
    bne a0, t5, fail
    ld a0, 0(a3)
    li t5, 0x8786858483828180
    bne a0, t5, fail

    /* M */
    RR(40, mul, -3, 7, -21)
    RR(41, mulh, -1, -1, 0)
    RR(42, mulhu, -1, -1, 0xfffffffffffffffe)
    RR(43, mulhsu, -1, -1, -1)
    RR(44, div, 7, 0, -1)
    RR(45, divu, 7, 0, -1)
    RR(46, rem, 7, 0, 7)
    RR(47, remu, 7, 0, 7)
    RR(48, div, 0x8000000000000000, -1, 0x8000000000000000)
    RR(49, rem, 0x8000000000000000, -1, 0)
    RR(50, div, -7, 2, -3)
    RR(51, rem, -7, 2, -1)
    RR(52, mulw, 0x10000, 0x10000, 0)
    RR(53, divw, 0xffffffff80000000, -1, 0xffffffff80000000)
    RR(54, remw, 0xffffffff80000000, -1, 0)
    RR(55, divuw, 0xfffffffe, 2, 0x7fffffff)
    RR(56, remuw, 5, 0, 5)
    RR(57, divw, 5, 0, -1)

    /* A */
    TEST(60)
    la a3, words
    li a1, 0x80000000
    amoswap.w a0, a1, (a3)        /* old value 1 */
    li t5, 1
    bne a0, t5, fail
    amoadd.w a0, a1, (a3)         /* old 0x80000000 sign-extends */
    li t5, 0xffffffff80000000
    bne a0, t5, fail
    lw a0, 0(a3)                  /* 0x80000000 + 0x80000000 = 0 */
    bnez a0, fail
    li a1, -5
    amomin.w a0, a1, (a3)
    amomaxu.w a0, a1, (a3)
    lw a0, 0(a3)
    li t5, -5
    bne a0, t5, fail
    TEST(61)
    la a3, dwords
    li a1, 6
    amoor.d a0, a1, (a3)
    amoand.d a0, a1, (a3)
    amoxor.d a0, a1, (a3)
    ld a0, 0(a3)
    li t5, 0                      /* ((9|6)&6)^6 = 0 */
    bne a0, t5, fail
    TEST(62)
    li a1, 42
    sc.d a0, a1, (a3)             /* no reservation: fails */
    beqz a0, fail
    lr.d a0, (a3)
    sc.d a0, a1, (a3)
    bnez a0, fail
    ld a0, 0(a3)
    li t5, 42
    bne a0, t5, fail
    sc.d a0, a1, (a3)             /* reservation used up */
    beqz a0, fail
    lr.w a0, (a3)
    li a1, -1
    sc.w a0, a1, (a3)
    bnez a0, fail
    lw a0, 0(a3)
    li t5, -1
    bne a0, t5, fail

    /* C */
    TEST(70)
    c.li a0, -3
    c.addi a0, 5
    c.slli a0, 4
    li t5, 32
    bne a0, t5, fail
    c.lui a1, 0x1
    c.addiw a1, -1
    li t5, 0xfff
    bne a1, t5, fail
    mv a2, sp
    la sp, dwords
    c.sdsp a1, 8(sp)
    c.ldsp a0, 8(sp)
    mv sp, a2
    bne a0, a1, fail

    /* Zba */
    RR(80, add.uw, 0xffffffff00000001, 2, 3)
    RR(81, sh1add, 3, 1, 7)
    RR(82, sh2add, 3, 1, 13)
    RR(83, sh3add, 3, 1, 25)
    RR(84, sh3add.uw, 0x100000001, 0, 8)
    RI(85, slli.uw, 0xffffffff00000003, 4, 0x30)
    /* Zbb */
    RR(90, andn, 0xff, 0x0f, 0xf0)
    RR(91, orn, 0, -2, 1)
    RR(92, xnor, 0, 0, -1)
    R1(93, clz, 1, 63)
    R1(94, clz, 0, 64)
    R1(95, ctz, 0, 64)
    R1(96, cpop, -1, 64)
    R1(97, clzw, 0x100000000, 32)
    R1(98, ctzw, 0x100000000, 32)
    R1(99, cpopw, -1, 32)
    RR(100, max, -1, 1, 1)
    RR(101, maxu, -1, 1, -1)
    RR(102, min, -1, 1, -1)
    RR(103, minu, -1, 1, 1)
    R1(104, sext.b, 0x80, -128)
    R1(105, sext.h, 0x8000, -32768)
    R1(106, zext.h, -1, 0xffff)
    RR(107, rol, 0x8000000000000001, 1, 3)
    RR(108, ror, 1, 1, 0x8000000000000000)
    RR(109, rolw, 0x80000001, 1, 3)
    RR(110, rorw, 1, 1, 0xffffffff80000000)
    RI(111, rori, 1, 63, 2)
    RI(112, roriw, 1, 0, 1)
    R1(113, orc.b, 0x0100200000400008, 0xff00ff0000ff00ff)
    R1(114, rev8, 0x0102030405060708, 0x0807060504030201)
    /* Zbs */
    RR(120, bclr, -1, 63, 0x7fffffffffffffff)
    RI(121, bseti, 0, 63, 0x8000000000000000)
    RR(122, binv, 0, 64, 1)                   /* index taken mod 64 */
    RI(123, bexti, 0x8000000000000000, 63, 1)
    RR(124, bext, 5, 1, 0)
    /* Zicond (encoded with .insn: Debian 12's binutils predates it) */
    TEST(130)
    li a1, 7
    li a2, 0
    .insn r 0x33, 5, 7, a0, a1, a2   /* czero.eqz a0, a1, a2 */
    bnez a0, fail
    .insn r 0x33, 7, 7, a0, a1, a2   /* czero.nez a0, a1, a2 */
    li t5, 7
    bne a0, t5, fail
    li a2, 1
    .insn r 0x33, 5, 7, a0, a1, a2
    bne a0, t5, fail
    .insn r 0x33, 7, 7, a0, a1, a2
    bnez a0, fail
    /* x0 stays zero whatever is written to it */
    TEST(131)
    li a1, 5
    add zero, a1, a1
    bnez zero, fail
    j pass

    .data
    .align 3
bytes: .byte 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87
words: .word 1, 0
dwords: .dword 9, 0
