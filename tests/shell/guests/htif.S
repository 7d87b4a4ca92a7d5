/* HTIF guest: prints "hi\n" through tohost device 1, then exits with status 3. */
.section .text.init
.globl _start
_start:
    la a0, msg
1:  lbu a1, 0(a0)
    beqz a1, 2f
    li t0, 0x0101000000000000      /* device 1 (console), command 1 (putchar) */
    or t0, t0, a1
    la t1, tohost
    sd t0, 0(t1)
3:  ld t2, 0(t1)                   /* wait until the host has taken it */
    bnez t2, 3b
    addi a0, a0, 1
    j 1b
2:  li t0, (3 << 1) | 1
    la t1, tohost
    sd t0, 0(t1)
4:  j 4b
msg: .asciz "hi\n"

.section .tohost, "aw", @progbits
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0
