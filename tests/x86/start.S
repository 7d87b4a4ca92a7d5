/*
 * Entry of tern's x86-64 test guests. tern starts every vCPU here in 64-bit mode with
 * rdi = its index, rsi = the number of vCPUs and a stack of its own (-M microvm with a
 * plain ELF). Also the interrupt entry stubs: one per vector, pushing a zero error
 * code where the CPU pushes none, then the vector, into isr_common, which saves the
 * caller-saved registers and calls isr(vector).
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    call guest_start
1:  cli
    hlt
    jmp 1b

    .text
    .altmacro
    .macro stub vec
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    push $0
    .endif
    push $\vec
    jmp isr_common
    .align 16
    .endm

    .align 16
    .globl isr_stubs
isr_stubs:
    .set v, 0
    .rept 256
    stub %v
    .set v, v + 1
    .endr

isr_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    mov 72(%rsp), %rdi          /* vector */
    mov 80(%rsp), %rsi          /* error code */
    mov 88(%rsp), %rdx          /* rip */
    call isr
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq
    .section .note.GNU-stack, "", @progbits
