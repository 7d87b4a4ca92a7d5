/* Runs one Zba instruction: exit 0 if it executes, 7 if it is an illegal instruction
 * (as with -cpu rv64,zba=off). */
.section .text.init
.globl _start
_start:
    la t0, trap
    csrw mtvec, t0
    li a0, 3
    li a1, 5
    .option push
    .option arch, +zba
    sh1add a2, a0, a1
    .option pop
    li t1, 11
    bne a2, t1, bad
    li t1, 0x5555
    j out
.align 2
trap:
    csrr t2, mcause
    li t3, 2
    bne t2, t3, bad
    li t1, (7 << 16) | 0x3333
    j out
bad:
    li t1, (1 << 16) | 0x3333
out:
    li t0, 0x100000
    sw t1, 0(t0)
1:  j 1b
