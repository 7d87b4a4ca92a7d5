/*
 * Entry of tern's x86-64 test guests. tern starts every vCPU at _start in 64-bit mode
 * with rdi = its index, rsi = the number of vCPUs and a stack of its own (-M microvm
 * with a plain ELF). The same ELF also carries a PVH entry (_start32, named by a Xen
 * ELF note), which QEMU's microvm uses: one CPU in 32-bit protected mode without
 * paging, which builds identity page tables for 4 GiB, enters long mode and goes on at
 * _start like CPU 0 of 1 (so the benchmarks can run one guest under both).
 * Also the interrupt entry stubs: one per vector, pushing a zero error code where the
 * CPU pushes none, then the vector, into isr_common, which saves the caller-saved
 * registers and calls isr(vector).
 */
    .section .note.tern, "a"
    .balign 4
    .long 4                     /* name size */
    .long 4                     /* descriptor size */
    .long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long _start32

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    call guest_start
1:  cli
    hlt
    jmp 1b

#define PVH_TABLES 0x70000      /* PML4, PDPT, 4 page directories */
    .code32
_start32:
    cli
    /* page directories: 2048 entries of 2 MiB pages, present | writable | large */
    mov $PVH_TABLES + 0x2000, %edi
    xor %eax, %eax
    mov $0x83, %ebx
    mov $2048, %ecx
2:  mov %ebx, (%edi)
    movl $0, 4(%edi)
    add $0x200000, %ebx
    jnc 3f
    incl 4(%edi)                /* never needed below 4 GiB; keeps the high half right */
3:  add $8, %edi
    loop 2b
    /* PDPT entries 0-3 point at the directories, PML4 entry 0 at the PDPT */
    mov $PVH_TABLES + 0x1000, %edi
    mov $PVH_TABLES + 0x2003, %eax
    mov %eax, (%edi)
    movl $0, 4(%edi)
    add $0x1000, %eax
    mov %eax, 8(%edi)
    movl $0, 12(%edi)
    add $0x1000, %eax
    mov %eax, 16(%edi)
    movl $0, 20(%edi)
    add $0x1000, %eax
    mov %eax, 24(%edi)
    movl $0, 28(%edi)
    movl $PVH_TABLES + 0x1003, PVH_TABLES
    movl $0, PVH_TABLES + 4
    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $PVH_TABLES, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG | PE */
    mov %eax, %cr0
    lgdt pvh_gdt_desc
    ljmp $0x10, $4f
    .code64
4:  mov $0x18, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %edi, %edi
    mov $1, %esi
    mov $0x80000, %esp
    jmp _start

    .balign 8
pvh_gdt:
    .quad 0, 0
    .quad 0x00af9b000000ffff    /* 0x10: 64-bit code */
    .quad 0x00cf93000000ffff    /* 0x18: data */
pvh_gdt_desc:
    .word pvh_gdt_desc - pvh_gdt - 1
    .long pvh_gdt

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
