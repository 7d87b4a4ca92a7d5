/* Start file for the semihosting test guest (M-mode, -bios none, at 0x80000000): a
 * stack, the FPU, .bss cleared, a trap handler in C, and the semihosting call itself. */
.section .text.init
.globl _start
_start:
    la sp, stack_top
    li t0, 0x2000           /* mstatus.FS = Initial: the compiler may use FP registers */
    csrs mstatus, t0
    la t0, trap_entry
    csrw mtvec, t0
    li t0, -1               /* PMP: S and U may use all memory (QEMU refuses an mret */
    csrw pmpaddr0, t0       /* to them while no PMP entry is set) */
    li t0, 0x1f             /* NAPOT, RWX */
    csrw pmpcfg0, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call main
    li a0, 2                /* main never returns: it exits through SYS_EXIT */
    call finish
3:  j 3b

.text
.option push
.option norvc               /* the spec's sequence: three uncompressed instructions */

/* long sys_semihost(long op, long arg): the spec's function, aligned so the sequence
 * never crosses a page */
.balign 16
.globl sys_semihost
sys_semihost:
    slli zero, zero, 0x1f
.globl semihost_ebreak
semihost_ebreak:
    ebreak
    srai zero, zero, 0x7
    ret

/* an ebreak that is not a semihosting call: always a breakpoint exception */
.balign 16
.globl plain_ebreak
plain_ebreak:
    li a0, 0x4
.globl plain_ebreak_at
plain_ebreak_at:
    ebreak
    srai zero, zero, 0x7
    ret

/* the sequence with its last instruction wrong: also a breakpoint */
.balign 16
.globl bad_tail_ebreak
bad_tail_ebreak:
    slli zero, zero, 0x1f
.globl bad_tail_at
bad_tail_at:
    ebreak
    srai zero, zero, 0x6
    ret
.option pop

/* void run_in_mode(void (*fn)(void), long mpp): call fn in S (mpp 1) or U (mpp 0)
 * mode on the same stack; fn's caller ecalls back and trap_c returns us to M-mode */
.balign 4
.globl run_in_mode
run_in_mode:
    addi sp, sp, -16
    sd ra, 0(sp)
    la t0, lower_mode
    csrw mepc, t0
    li t0, 0x1800           /* mstatus.MPP */
    csrc mstatus, t0
    slli a1, a1, 11
    csrs mstatus, a1
    mret
lower_mode:
    jalr a0
    ecall
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

/* Traps: save what a C call may clobber, let trap_c decide (it returns the pc to go on
 * at, or ends the run), and return there. */
.balign 4
trap_entry:
    addi sp, sp, -128
    sd ra, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd a0, 32(sp)
    sd a1, 40(sp)
    sd a2, 48(sp)
    sd a3, 56(sp)
    sd a4, 64(sp)
    sd a5, 72(sp)
    sd a6, 80(sp)
    sd a7, 88(sp)
    sd t3, 96(sp)
    sd t4, 104(sp)
    sd t5, 112(sp)
    sd t6, 120(sp)
    csrr a0, mcause
    csrr a1, mepc
    csrr a2, mtval
    call trap_c
    csrw mepc, a0
    ld ra, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld a0, 32(sp)
    ld a1, 40(sp)
    ld a2, 48(sp)
    ld a3, 56(sp)
    ld a4, 64(sp)
    ld a5, 72(sp)
    ld a6, 80(sp)
    ld a7, 88(sp)
    ld t3, 96(sp)
    ld t4, 104(sp)
    ld t5, 112(sp)
    ld t6, 120(sp)
    addi sp, sp, 128
    mret

.bss
.balign 16
stack:
    .space 16384
stack_top:
