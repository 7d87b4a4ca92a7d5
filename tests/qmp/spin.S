/* A guest for the QMP and monitor tests: with a0 = 0 it spins (counting in s0) until
 * 3 s of guest time have passed, then powers off through the test finisher; the
 * count and the time are in RAM at 0x80001000 for the tests to read with xp. */
.section .text.init
.globl _start
_start:
    li t0, 0x80001000
    li s0, 0
    csrr s1, time
    li s2, 30000000            /* 3 s at 10 MHz */
1:  addi s0, s0, 1
    sd s0, 0(t0)
    csrr t1, time
    sd t1, 8(t0)
    sub t2, t1, s1
    bltu t2, s2, 1b
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
2:  j 2b
