/*
 * Start and trap entry of the firmware probe (probe.c), an S-mode payload. The firmware
 * enters at _start with a0 = hartid, a1 = device tree. Traps go to trap_entry, which
 * saves every register and calls trap(frame); an ecall from U-mode instead returns from
 * the enter_user() call that started it, with the user's a0.
 */
.section .text.init
.globl _start
_start:
    la sp, stack_top
    la t0, trap_stack_top
    csrw sscratch, t0
    la t0, trap_entry
    csrw stvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call main
3:  j 3b

/* long enter_user(void (*fn)(void)): run fn in U-mode (satp is bare) until it ecalls */
.globl enter_user
enter_user:
    addi sp, sp, -112
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    la t0, saved_sp
    sd sp, 0(t0)
    csrw sepc, a0
    li t0, 1 << 8              /* SPP = U */
    csrc sstatus, t0
    la sp, user_stack_top
    sret

.align 4
trap_entry:
    csrrw sp, sscratch, sp     /* the trap stack */
    addi sp, sp, -256
    sd t0, 40(sp)
    csrr t0, scause
    addi t0, t0, -8            /* ecall from U: back to enter_user's caller */
    beqz t0, user_return
    sd ra, 8(sp)
    sd gp, 24(sp)
    sd tp, 32(sp)
    sd t1, 48(sp)
    sd t2, 56(sp)
    sd s0, 64(sp)
    sd s1, 72(sp)
    sd a0, 80(sp)
    sd a1, 88(sp)
    sd a2, 96(sp)
    sd a3, 104(sp)
    sd a4, 112(sp)
    sd a5, 120(sp)
    sd a6, 128(sp)
    sd a7, 136(sp)
    sd s2, 144(sp)
    sd s3, 152(sp)
    sd s4, 160(sp)
    sd s5, 168(sp)
    sd s6, 176(sp)
    sd s7, 184(sp)
    sd s8, 192(sp)
    sd s9, 200(sp)
    sd s10, 208(sp)
    sd s11, 216(sp)
    sd t3, 224(sp)
    sd t4, 232(sp)
    sd t5, 240(sp)
    sd t6, 248(sp)
    csrr t0, sscratch          /* the interrupted sp */
    sd t0, 16(sp)
    mv a0, sp
    call trap
    ld t0, 16(sp)
    csrw sscratch, t0
    ld ra, 8(sp)
    ld gp, 24(sp)
    ld tp, 32(sp)
    ld t0, 40(sp)
    ld t1, 48(sp)
    ld t2, 56(sp)
    ld s0, 64(sp)
    ld s1, 72(sp)
    ld a0, 80(sp)
    ld a1, 88(sp)
    ld a2, 96(sp)
    ld a3, 104(sp)
    ld a4, 112(sp)
    ld a5, 120(sp)
    ld a6, 128(sp)
    ld a7, 136(sp)
    ld s2, 144(sp)
    ld s3, 152(sp)
    ld s4, 160(sp)
    ld s5, 168(sp)
    ld s6, 176(sp)
    ld s7, 184(sp)
    ld s8, 192(sp)
    ld s9, 200(sp)
    ld s10, 208(sp)
    ld s11, 216(sp)
    ld t3, 224(sp)
    ld t4, 232(sp)
    ld t5, 240(sp)
    ld t6, 248(sp)
    addi sp, sp, 256
    csrrw sp, sscratch, sp     /* sscratch: the trap stack again */
    sret

user_return:
    addi sp, sp, 256
    csrrw sp, sscratch, sp     /* sscratch: the trap stack again; sp: the user's */
    li t0, 1 << 8              /* back in S-mode from here on */
    csrs sstatus, t0
    la t0, saved_sp
    ld sp, 0(t0)
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, 112
    ret

.bss
.align 4
saved_sp: .dword 0
.space 8192
stack_top:
.space 4096
trap_stack_top:
.space 4096
user_stack_top:
