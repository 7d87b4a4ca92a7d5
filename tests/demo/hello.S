/*
 * A bare-metal demo guest for -M virt -bios none: prints through the NS16550A UART at
 * 0x10000000, then ends the run through the test finisher (exit status 0).
 */
.section .text.init
.globl _start
_start:
    la a0, message
    li t0, 0x10000000
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu t2, 5(t0)          /* LSR: wait for THR empty */
    andi t2, t2, 0x20
    beqz t2, 2b
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
3:  li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
4:  wfi
    j 4b

.section .rodata
message:
    .asciz "Hello from tern: a RISC-V guest running on the virt board.\n"
