/*
 * Finisher guest: while mtime is under 1 ms it asks for a machine reset (0x7777), so it
 * boots again and again until then; afterwards it reports failure code 5 through the
 * finisher, which the test expects as tern's exit status.
 */
.section .text.init
.globl _start
_start:
    li t0, 0x200bff8
    ld t1, 0(t0)
    li t2, 10000                   /* 1 ms at 10 MHz */
    li a0, 0x100000
    bgeu t1, t2, 1f
    li t3, 0x7777
    sw t3, 0(a0)
2:  j 2b
1:  li t3, (5 << 16) | 0x3333
    sw t3, 0(a0)
    j 2b
