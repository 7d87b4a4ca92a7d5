/*
 * Shared harness for tern's bare-metal ISA tests (tests/isa/*.S).
 *
 * A test starts in M-mode at _start with the harness's trap handlers installed. It
 * reports through the test finisher at 0x100000: pass writes 0x5555, a failed check
 * writes (TESTNUM << 16) | 0x3333, so the exit status names the failing check (gp).
 *
 * Expected traps: put the resume address in s11 (EXPECT_TRAP), run the instruction;
 * the handler records cause/tval/epc in s8/s9/s10 (M-mode) or s5/s6/s7 (S-mode handler
 * for delegated traps), clears s11 and resumes there in the privilege mode the trap
 * came from; after an interrupt the handler leaves MIE/SIE and the interrupt's own
 * enable bit clear, so a still-pending source does not trap again. A trap with s11 == 0 is unexpected: exit status 255.
 */
#define TESTNUM gp
#define FINISHER 0x100000

#define MSTATUS_SIE  (1 << 1)
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP  (1 << 8)
#define MSTATUS_MPP  (3 << 11)
#define MSTATUS_FS   (3 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM  (1 << 18)
#define MSTATUS_MXR  (1 << 19)
#define MSTATUS_TVM  (1 << 20)
#define MSTATUS_TW   (1 << 21)
#define MSTATUS_TSR  (1 << 22)

#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8

/* start a numbered check */
#define TEST(n) li TESTNUM, n
/* fail the current check unless reg == value */
#define CHECK(reg, value) li t6, value; bne reg, t6, fail
#define CHECK_REG(reg, other) bne reg, other, fail

/* arrange for the next instruction to trap and resume at label */
#define EXPECT_TRAP(label) la s11, label; li s8, -1; li s5, -1

/* after resuming from an expected M-mode trap: check cause and tval */
#define CHECK_MTRAP(cause, tvalreg) CHECK(s8, cause); CHECK_REG(s9, tvalreg)
#define CHECK_STRAP(cause, tvalreg) CHECK(s5, cause); CHECK_REG(s6, tvalreg)

/* drop from M-mode to mode (0 U, 1 S) at label, with interrupts as they are */
#define ENTER_MODE(mode, label) \
    li t0, MSTATUS_MPP; csrc mstatus, t0; \
    li t0, (mode) << 11; csrs mstatus, t0; \
    la t0, label; csrw mepc, t0; mret

/* drop from M-mode to U-mode at the address in reg (not t0) */
#define ENTER_U_AT(reg) \
    csrw mepc, reg; li t0, MSTATUS_MPP; csrc mstatus, t0; mret

/* make the next expected trap resume in M-mode (for traps from code M can't return to) */
#define RESUME_IN_M li s4, 1

/* go back to M-mode at label (an ecall; s4 != 0 asks the handler to return in M-mode) */
#define BACK_TO_M(label) la s11, label; li s4, 1; ecall

.macro TEST_START
    .section .text.init
    .globl _start
_start:
    la t0, m_trap
    csrw mtvec, t0
    la t0, s_trap
    csrw stvec, t0
    li s11, 0
    li s4, 0
    /* allow S/U access to everything (PMP entry 0: NAPOT covering all) */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    li TESTNUM, 0
    j test_main

    .align 2
m_trap:
    csrr s8, mcause
    csrr s9, mtval
    csrr s10, mepc
    beqz s11, unexpected_trap
    beqz s4, 1f
    li t6, MSTATUS_MPP          /* BACK_TO_M: resume in M-mode */
    csrs mstatus, t6
    li s4, 0
1:  bgez s8, 2f
    li t6, MSTATUS_MPIE         /* an interrupt: come back with MIE clear */
    csrc mstatus, t6
    li t6, 1                    /* and its enable bit in mie clear */
    sll t6, t6, s8
    csrc mie, t6
2:  csrw mepc, s11
    li s11, 0
    mret

    .align 2
s_trap:
    csrr s5, scause
    csrr s6, stval
    csrr s7, sepc
    beqz s11, unexpected_trap
    bgez s5, 1f
    li t6, MSTATUS_SPIE         /* an interrupt: come back with SIE clear */
    csrc sstatus, t6
    li t6, 1
    sll t6, t6, s5
    csrc sie, t6
1:  csrw sepc, s11
    li s11, 0
    sret

unexpected_trap:
    li t0, FINISHER
    li t1, (255 << 16) | 0x3333
    sw t1, 0(t0)
    j unexpected_trap

pass:
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
    j pass

fail:
    li t0, FINISHER
    slli t1, TESTNUM, 16
    li t2, 0x3333
    or t1, t1, t2
    sw t1, 0(t0)
    j fail

test_main:
.endm
