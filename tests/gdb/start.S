/* Start of the gdb test guest (guest.c): M-mode, -bios none, two harts, each with a
 * stack of its own; traps go to trap_entry, which skips an ecall and returns. */
.section .text.init
.globl _start
_start:
    csrr a0, mhartid
    la sp, stacks_end
    slli t0, a0, 14             /* 16 KiB each */
    sub sp, sp, t0
    la t0, trap_entry
    csrw mtvec, t0
    bnez a0, 1f
    la t0, __bss_start
    la t1, __bss_end
2:  bgeu t0, t1, 3f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 2b
3:  call hart0_main
    j finish
1:  call hart1_main
4:  wfi
    j 4b
finish:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
5:  j 5b

.align 4
.globl trap_entry
trap_entry:
    csrr t6, mepc
    addi t6, t6, 4              /* past the ecall */
    csrw mepc, t6
    la t6, traps
    ld t5, 0(t6)
    addi t5, t5, 1
    sd t5, 0(t6)
    mret

.bss
.align 4
.space 32768
stacks_end:
