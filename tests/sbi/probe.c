/*
 * The firmware probe: an S-mode payload that checks what the machine-mode firmware left
 * to the kernel, the way Linux and its user space rely on it. It runs under tern's own
 * firmware and under OpenSBI (tests/shell/firmware.sh) and, where QEMU is installed,
 * under QEMU too, so that tern's firmware is held to OpenSBI's observable behaviour:
 * counters readable from U-mode (scounteren), Sstc open to S-mode (menvcfg.STCE), the
 * SBI extensions Linux probes, timer and IPI delivery, delegated traps with their tval,
 * firmware memory and the CLINT closed to S-mode (PMP), misaligned loads.
 * Prints one line per check and "sbi-probe: ALL OK", then shuts down through SBI SRST;
 * a failure exits through the test finisher with status 1.
 */
#include <stdint.h>
#include <stdbool.h>

enum { EXT_BASE = 0x10, EXT_TIME = 0x54494d45, EXT_IPI = 0x735049, EXT_RFENCE = 0x52464e43,
       EXT_HSM = 0x48534d, EXT_SRST = 0x53525354, EXT_PMU = 0x504d55, EXT_DBCN = 0x4442434e,
       EXT_SUSP = 0x53555350, EXT_CPPC = 0x43505043, EXT_STA = 0x535441 };

struct sbiret { long error, value; };

static struct sbiret sbi(long eid, long fid, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
    register long r6 __asm__("a6") = fid, r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ r0, r1 };
}

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" : : "r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" : : "r"((uint64_t)(v)))

static void putc_(char c)
{
    sbi(1, 0, c, 0, 0);                        /* legacy console_putchar: both firmwares */
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void puthex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

static int failures;

static void check(bool ok, const char *what)
{
    puts_(ok ? "ok: " : "FAIL: ");
    puts_(what);
    putc_('\n');
    if (!ok)
        failures++;
}

/* what the last trap was: exceptions are skipped over, interrupts acknowledged */
static volatile uint64_t trap_cause, trap_tval, traps, irqs_timer, irqs_soft;

void trap(uint64_t *regs)
{
    (void)regs;
    uint64_t cause = csr_read(scause);
    if ((int64_t)cause < 0) {
        if ((cause & 63) == 5) {
            irqs_timer++;
            csr_clear(sie, 1 << 5);
            sbi(EXT_TIME, 0, -1L, 0, 0);       /* and clear STIP */
        } else if ((cause & 63) == 1) {
            irqs_soft++;
            csr_clear(sip, 1 << 1);
        }
        return;
    }
    traps++;
    trap_cause = cause;
    trap_tval = csr_read(stval);
    uint64_t epc = csr_read(sepc);
    uint16_t half = *(volatile uint16_t *)epc;
    csr_write(sepc, epc + ((half & 3) == 3 ? 4 : 2));
}

long enter_user(void (*fn)(void));

static volatile uint64_t user_vals[6];

static void user_exit(void) __attribute__((noreturn));
static void user_exit(void)
{
    __asm__ volatile("ecall");
    __builtin_unreachable();
}

/* U-mode: what Linux's vDSO and user programs read */
static void user_counters(void)
{
    user_vals[0] = csr_read(cycle);
    user_vals[1] = csr_read(time);
    user_vals[2] = csr_read(instret);
    for (volatile int i = 0; i < 100; i++)
        ;
    user_vals[3] = csr_read(cycle);
    user_vals[4] = csr_read(time);
    user_vals[5] = csr_read(instret);
    user_exit();
}

/* U-mode: an M-mode CSR read is an illegal instruction, delegated to S with its bits */
static void user_illegal(void)
{
    __asm__ volatile(".word 0x30002573");      /* csrr a0, mstatus */
    user_exit();
}

static uint64_t rdtime(void)
{
    return csr_read(time);
}

int main(uint64_t hartid, uint64_t fdt)
{
    (void)fdt;
    puts_("sbi-probe: hart ");
    putc_((char)('0' + hartid));
    putc_('\n');

    /* the SBI base and the extensions Linux probes */
    struct sbiret spec = sbi(EXT_BASE, 0, 0, 0, 0), impl = sbi(EXT_BASE, 1, 0, 0, 0);
    puts_("spec version ");
    puthex((uint64_t)spec.value);
    puts_(", implementation ");
    puthex((uint64_t)impl.value);
    putc_('\n');
    check(spec.error == 0 && spec.value >= 0x01000000, "SBI spec version 1.0 or later");
    static const struct { long eid; const char *name; bool required; } exts[] = {
        { EXT_TIME, "TIME", true }, { EXT_IPI, "IPI", true }, { EXT_RFENCE, "RFENCE", true },
        { EXT_HSM, "HSM", true }, { EXT_SRST, "SRST", true }, { 1, "legacy console_putchar", true },
        { EXT_PMU, "PMU", false }, { EXT_DBCN, "DBCN", false }, { EXT_SUSP, "SUSP", false },
        { EXT_CPPC, "CPPC", false }, { EXT_STA, "STA", false },
    };
    for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        struct sbiret r = sbi(EXT_BASE, 3, exts[i].eid, 0, 0);
        if (exts[i].required) {
            puts_("extension ");
            check(r.error == 0 && r.value != 0, exts[i].name);
        } else {
            puts_("info: extension ");
            puts_(exts[i].name);
            puts_(r.value ? " present\n" : " absent\n");
        }
    }
    check(sbi(EXT_BASE, 3, 0x12345678, 0, 0).value == 0, "an unknown extension probes as absent");
    check(sbi(0x12345678, 0, 0, 0, 0).error == -2, "an unknown extension's call is NOT_SUPPORTED");
    check(sbi(EXT_HSM, 2, (long)hartid, 0, 0).value == 0, "HSM: this hart is STARTED");
    check(sbi(EXT_HSM, 2, 4096, 0, 0).error == -3, "HSM: status of a hart that does not exist is INVALID_PARAM");
    check(sbi(EXT_RFENCE, 0, 1L << hartid, 0, 0).error == 0, "RFENCE remote_fence_i");
    check(sbi(EXT_RFENCE, 1, 0, -1L, 0).error == 0, "RFENCE remote_sfence_vma to all harts");

    /* counters: scounteren lets U-mode read cycle, time and instret (Linux 6.1 leaves
     * that to the firmware); S-mode reads them through mcounteren */
    uint64_t scounteren = csr_read(scounteren);
    puts_("scounteren ");
    puthex(scounteren);
    putc_('\n');
    check((scounteren & 7) == 7, "scounteren opens cycle, time and instret to U-mode");
    traps = 0;
    uint64_t t0 = csr_read(time), c0 = csr_read(cycle), i0 = csr_read(instret);
    check(traps == 0 && t0 && c0 && i0, "S-mode reads time, cycle and instret");
    traps = 0;
    enter_user(user_counters);
    check(traps == 0, "U-mode reads cycle, time and instret without a trap");
    check(user_vals[3] > user_vals[0] && user_vals[5] > user_vals[2] && user_vals[4] >= user_vals[1],
          "U-mode counters move forward");

    /* a delegated trap from U-mode, as the kernel sees it */
    traps = 0;
    enter_user(user_illegal);
    check(traps == 1 && trap_cause == 2 && trap_tval == 0x30002573,
          "U-mode illegal instruction reaches S-mode with stval = its bits");

    /* firmware memory and the CLINT belong to M-mode (PMP), as OpenSBI arranges */
    traps = 0;
    (void)*(volatile uint64_t *)0x80000000ul;
    check(traps == 1 && trap_cause == 5, "S-mode load from firmware memory is an access fault");
    traps = 0;
    (void)*(volatile uint32_t *)0x2000000ul;
    check(traps == 1 && trap_cause == 5, "S-mode load from the CLINT is an access fault");

    /* misaligned loads work (in hardware or emulated by the firmware) */
    static volatile uint8_t buf[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint64_t v;
    traps = 0;
    __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(buf + 3));
    check(traps == 0 && v == 0x0b0a090807060504ull, "misaligned 8-byte load from S-mode");

    /* the timer: through SBI, then through Sstc's stimecmp, which menvcfg.STCE opens */
    csr_set(sstatus, 1 << 1);
    irqs_timer = 0;
    csr_set(sie, 1 << 5);
    sbi(EXT_TIME, 0, (long)(rdtime() + 20000), 0, 0);
    uint64_t until = rdtime() + 10000000;      /* 1 s at 10 MHz */
    while (!irqs_timer && rdtime() < until)
        __asm__ volatile("wfi");
    check(irqs_timer == 1, "SBI set_timer raises the S timer interrupt");
    traps = 0;
    irqs_timer = 0;
    csr_write(stimecmp, rdtime() + 20000);
    csr_set(sie, 1 << 5);
    until = rdtime() + 10000000;
    while (!irqs_timer && !traps && rdtime() < until)
        __asm__ volatile("wfi");
    check(traps == 0 && irqs_timer == 1, "stimecmp (Sstc) is open to S-mode and raises the timer");
    csr_write(stimecmp, -1L);

    /* an IPI to this hart arrives as a supervisor software interrupt */
    irqs_soft = 0;
    csr_set(sie, 1 << 1);
    check(sbi(EXT_IPI, 0, 1L << hartid, 0, 0).error == 0, "IPI send_ipi");
    until = rdtime() + 10000000;
    while (!irqs_soft && rdtime() < until)
        __asm__ volatile("wfi");
    check(irqs_soft == 1, "an IPI to this hart arrives as SSIP");
    csr_clear(sstatus, 1 << 1);

    if (failures) {
        puts_("sbi-probe: FAILED\n");
        *(volatile uint32_t *)0x100000ul = 0x13333;
    } else {
        puts_("sbi-probe: ALL OK\n");
        sbi(EXT_SRST, 0, 0, 0, 0);             /* shutdown */
    }
    for (;;)
        __asm__ volatile("wfi");
}
