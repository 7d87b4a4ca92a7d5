/* A guest for the chardev tests: waits for a key on the UART, prints a line, waits for
 * another key, and powers off through the test finisher. (Waiting first means a
 * client that connects late still sees the line.) */
.section .text.init
.globl _start
_start:
    li t0, 0x10000000
    call getc
    la t1, msg
1:  lbu t2, 0(t1)
    beqz t2, 3f
2:  lbu t3, 5(t0)              /* LSR: THR empty */
    andi t3, t3, 0x20
    beqz t3, 2b
    sb t2, 0(t0)
    addi t1, t1, 1
    j 1b
3:  call getc
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
4:  j 4b
getc:
    lbu t3, 5(t0)              /* LSR: data ready */
    andi t3, t3, 1
    beqz t3, getc
    lbu t3, 0(t0)
    ret
.data
msg: .asciz "hello from the UART\r\n"
