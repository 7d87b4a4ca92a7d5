/*
 * Entry and trap vector of tern's SBI firmware (M-mode). Harts arrive from the reset
 * ROM with a0 = hartid, a1 = device tree, a2 = fw_dynamic info. Each hart gets a stack;
 * mscratch holds its top so the trap vector can switch to it.
 */
#define STACK_SIZE 8192
#define MAX_HARTS 8
#define REGS (32 * 8)

    .section .text.entry
    .globl _start
_start:
    csrw mie, zero
    csrw mip, zero
    li t0, MAX_HARTS
    bgeu a0, t0, park            /* harts we have no room for stay parked */
    la sp, stacks
    li t0, STACK_SIZE
    addi t1, a0, 1
    mul t0, t0, t1
    add sp, sp, t0
    csrw mscratch, sp
    la t0, trap_vector
    csrw mtvec, t0
    /* the first hart through clears .bss and boots; the others wait for HSM */
    la t0, boot_lottery
    li t1, 1
    amoadd.w t1, t1, (t0)
    bnez t1, 2f
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 3f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
3:  fence rw, rw
    la t0, bss_ready
    li t1, 1
    sw t1, 0(t0)
    call boot_hart_main          /* a0 hartid, a1 fdt, a2 fw_dynamic info */
    j park
2:  la t0, bss_ready             /* secondary: wait until .bss is cleared */
4:  lw t1, 0(t0)
    beqz t1, 4b
    fence rw, rw
    call secondary_hart_main
park:
    wfi
    j park

    .align 4
trap_vector:
    csrrw sp, mscratch, sp       /* sp = this hart's firmware stack */
    addi sp, sp, -REGS
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrr t0, mscratch            /* the interrupted sp */
    sd t0, 16(sp)
    addi t0, sp, REGS
    csrw mscratch, t0
    mv a0, sp
    call trap_handler
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    ld sp, 16(sp)
    mret

    /* enter S-mode at a0 with a0 = hartid, a1 = arg (called as enter_supervisor(addr, hartid, arg)) */
    .globl enter_supervisor
enter_supervisor:
    csrw mepc, a0
    li t0, (3 << 11) | (1 << 7)  /* MPP and MPIE */
    csrc mstatus, t0
    li t0, (1 << 11)             /* MPP = S */
    csrs mstatus, t0
    mv a0, a1
    mv a1, a2
    li t0, 0
    li t1, 0
    mret

    .data
    .align 2
boot_lottery: .word 0
bss_ready: .word 0

    .bss
    .align 12
stacks:
    .space STACK_SIZE * MAX_HARTS
