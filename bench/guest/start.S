/* Bare-metal start for C guests (bench workloads, tests/baremetal): FPU on, stack,
 * clear .bss, call main, then pass; any trap fails the run. */
.section .text.init
.globl _start
_start:
    li sp, 0x80800000
    li t0, 0x2000          /* mstatus.FS = Initial: enable the FPU */
    csrs mstatus, t0
    la t0, trap            /* any trap ends the run with a failure */
    csrw mtvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call main
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
3:  j 3b
.align 2
trap:
    li t0, 0x100000
    li t1, 0x13333          /* fail with exit status 1 */
    sw t1, 0(t0)
    j trap
