/*
 * tern's SBI firmware: sets up M-mode (PMP, delegation, counters, Sstc) and implements
 * SBI v2.0 Base, TIME, IPI, RFENCE, HSM, SRST and DBCN plus the legacy calls, for the
 * virt board (UART at 0x10000000, CLINT at 0x2000000, test finisher at 0x100000).
 */
#include <stdint.h>
#include <stdbool.h>

#define MAX_HARTS 8
#define UART ((volatile uint8_t *)0x10000000UL)
#define CLINT_MSIP(h) ((volatile uint32_t *)(0x2000000UL + 4 * (h)))
#define FINISHER ((volatile uint32_t *)0x100000UL)
#define KERNEL_DEFAULT 0x80200000UL
#define FW_BASE 0x80000000UL              /* this firmware, its data and stacks */
#define FW_SIZE 0x200000UL
#define CLINT_BASE 0x2000000UL
#define CLINT_SIZE 0x10000UL
#define PMP_NAPOT 0x18UL

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

enum { EXT_BASE = 0x10, EXT_TIME = 0x54494d45, EXT_IPI = 0x735049, EXT_RFENCE = 0x52464e43,
       EXT_HSM = 0x48534d, EXT_SRST = 0x53525354, EXT_DBCN = 0x4442434e };
enum { HSM_STARTED = 0, HSM_STOPPED = 1, HSM_START_PENDING = 2 };

struct fw_dynamic_info {
    uint64_t magic, version, next_addr, next_mode, options, boot_hart;
};

struct hart_state {
    volatile int hsm;
    volatile uint64_t start_addr, start_arg;
    volatile uint32_t ipi_pending;       /* bit 0: S-mode IPI, bit 1: fences */
};
static struct hart_state harts[MAX_HARTS];

void enter_supervisor(uint64_t addr, uint64_t hartid, uint64_t arg) __attribute__((noreturn));

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" : : "r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" : : "r"((uint64_t)(v)))

static void uart_putc(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = (uint8_t)c;
}

static int uart_getc(void)
{
    return (UART[5] & 1) ? UART[0] : -1;
}

static void puts_(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void hart_setup(void)
{
    /* PMP as OpenSBI sets it on virt: the firmware's 2 MiB and the CLINT are M-mode's
     * (NAPOT, no permissions; M-mode is not bound by unlocked entries), then all of
     * memory RWX for S and U */
    csr_write(pmpaddr0, (FW_BASE + FW_SIZE / 2 - 1) >> 2);
    csr_write(pmpaddr1, (CLINT_BASE + CLINT_SIZE / 2 - 1) >> 2);
    csr_write(pmpaddr2, -1L);
    csr_write(pmpcfg0, PMP_NAPOT | (PMP_NAPOT << 8) | ((PMP_NAPOT | 7) << 16));
    /* delegate everything but S-mode ecalls (ours) and M-mode ones (not delegable) */
    csr_write(medeleg, 0xb1ff);
    csr_write(mideleg, (1 << 1) | (1 << 5) | (1 << 9));
    /* counters: S-mode may read all; U-mode cycle, time and instret, which Linux 6.1
     * leaves to the firmware (its vDSO reads time in U-mode) */
    csr_write(mcounteren, -1L);
    csr_write(scounteren, 7);
    csr_write(menvcfg, 1UL << 63);       /* Sstc: S-mode owns stimecmp */
    csr_write(stimecmp, -1L);
    csr_write(mie, 1 << 3);              /* M software interrupts: IPIs and HSM */
    csr_set(mstatus, 1 << 13);           /* FS = Initial, so the kernel may use the FPU */
}

void boot_hart_main(uint64_t hartid, uint64_t fdt, struct fw_dynamic_info *info)
{
    hart_setup();
    uint64_t next = KERNEL_DEFAULT;
    if (info && info->magic == 0x4942534f && info->next_addr)
        next = info->next_addr;
    for (int i = 0; i < MAX_HARTS; i++)
        harts[i].hsm = HSM_STOPPED;
    harts[hartid].hsm = HSM_STARTED;
    enter_supervisor(next, hartid, fdt);
}

/* Secondary harts wait (with M interrupts off: wfi still wakes on MSIP) for hart_start. */
void secondary_hart_main(uint64_t hartid)
{
    hart_setup();
    for (;;) {
        __asm__ volatile("wfi");
        if (*CLINT_MSIP(hartid)) {
            *CLINT_MSIP(hartid) = 0;
            if (harts[hartid].hsm == HSM_START_PENDING) {
                __asm__ volatile("fence rw, rw" ::: "memory");
                harts[hartid].hsm = HSM_STARTED;
                enter_supervisor(harts[hartid].start_addr, hartid, harts[hartid].start_arg);
            }
        }
    }
}

static void send_ipi(uint64_t hart, uint32_t what)
{
    __atomic_fetch_or(&harts[hart].ipi_pending, what, __ATOMIC_SEQ_CST);
    *CLINT_MSIP(hart) = 1;
}

/* Do what other harts asked of this one (called from the IPI and while waiting). */
static void handle_ipi(uint64_t me)
{
    *CLINT_MSIP(me) = 0;             /* first, so a request arriving now re-raises it */
    uint32_t what = __atomic_load_n(&harts[me].ipi_pending, __ATOMIC_SEQ_CST);
    if (what & 2) {
        __asm__ volatile("sfence.vma");
        __asm__ volatile("fence.i");
        /* cleared only after the fence: the requester waits for this bit */
        __atomic_fetch_and(&harts[me].ipi_pending, ~2u, __ATOMIC_SEQ_CST);
    }
    if (what & 1) {
        __atomic_fetch_and(&harts[me].ipi_pending, ~1u, __ATOMIC_SEQ_CST);
        csr_set(mip, 1 << 1);                        /* pass it on as SSIP */
    }
}

/*
 * Send `what` to every hart in (mask, base); base == -1 means all harts. Remote fences
 * are synchronous, as the SBI requires: wait until each target has done its fence,
 * meanwhile serving requests aimed at this hart so two harts fencing each other cannot
 * deadlock.
 */
static long for_harts(uint64_t mask, uint64_t base, uint32_t what)
{
    uint64_t me = csr_read(mhartid);
    bool waiting[MAX_HARTS] = { false };
    for (uint64_t h = 0; h < MAX_HARTS; h++) {
        bool sel = base == (uint64_t)-1 ? true : (h >= base && h - base < 64 && ((mask >> (h - base)) & 1));
        if (!sel || harts[h].hsm != HSM_STARTED)
            continue;
        if (h == me) {
            if (what & 2) {
                __asm__ volatile("sfence.vma");
                __asm__ volatile("fence.i");
            }
            if (what & 1)
                csr_set(mip, 1 << 1);
        } else {
            send_ipi(h, what);
            waiting[h] = (what & 2) != 0;
        }
    }
    for (uint64_t h = 0; h < MAX_HARTS; h++) {
        while (waiting[h] && (__atomic_load_n(&harts[h].ipi_pending, __ATOMIC_SEQ_CST) & 2) &&
               harts[h].hsm == HSM_STARTED) {
            if (*CLINT_MSIP(me))
                handle_ipi(me);
        }
    }
    return SBI_SUCCESS;
}

static void system_reset(uint32_t type)
{
    *FINISHER = type == 0 ? 0x5555 : 0x7777;
    for (;;)
        __asm__ volatile("wfi");
}

struct sbiret { long error, value; };

static struct sbiret base_call(long fid, uint64_t a0)
{
    switch (fid) {
    case 0: return (struct sbiret){ 0, 0x02000000 };        /* spec 2.0 */
    case 1: return (struct sbiret){ 0, 0x7465726e };        /* implementation "tern" */
    case 2: return (struct sbiret){ 0, 1 };
    case 3:
        switch (a0) {
        case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM:
        case EXT_SRST: case EXT_DBCN: case 0: case 1: case 2: case 3: case 4: case 5:
        case 6: case 7: case 8:
            return (struct sbiret){ 0, 1 };
        default:
            return (struct sbiret){ 0, 0 };
        }
    case 4: return (struct sbiret){ 0, (long)csr_read(mvendorid) };
    case 5: return (struct sbiret){ 0, (long)csr_read(marchid) };
    case 6: return (struct sbiret){ 0, (long)csr_read(mimpid) };
    default: return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static struct sbiret hsm_call(long fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint64_t me = csr_read(mhartid);
    switch (fid) {
    case 0:                                                  /* hart_start */
        if (a0 >= MAX_HARTS)
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        if (harts[a0].hsm != HSM_STOPPED)
            return (struct sbiret){ SBI_ERR_ALREADY_AVAILABLE, 0 };
        harts[a0].start_addr = a1;
        harts[a0].start_arg = a2;
        __asm__ volatile("fence rw, rw" ::: "memory");
        harts[a0].hsm = HSM_START_PENDING;
        *CLINT_MSIP(a0) = 1;
        return (struct sbiret){ 0, 0 };
    case 1:                                                  /* hart_stop */
        harts[me].hsm = HSM_STOPPED;
        csr_clear(mstatus, 1 << 3);
        secondary_hart_main(me);
        return (struct sbiret){ SBI_ERR_FAILED, 0 };
    case 2:                                                  /* hart_get_status */
        if (a0 >= MAX_HARTS)
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        return (struct sbiret){ 0, harts[a0].hsm };
    case 3:                                                  /* hart_suspend: retentive only */
        if (a0 != 0)
            return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
        __asm__ volatile("wfi");
        return (struct sbiret){ 0, 0 };
    default:
        return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static struct sbiret dbcn_call(long fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    switch (fid) {
    case 0: {                                                /* console_write */
        if (a2)
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        const volatile char *p = (const volatile char *)a1;
        for (uint64_t i = 0; i < a0; i++)
            uart_putc(p[i]);
        return (struct sbiret){ 0, (long)a0 };
    }
    case 1: {                                                /* console_read */
        if (a2)
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        volatile char *p = (volatile char *)a1;
        uint64_t n = 0;
        int c;
        while (n < a0 && (c = uart_getc()) >= 0)
            p[n++] = (char)c;
        return (struct sbiret){ 0, (long)n };
    }
    case 2:                                                  /* console_write_byte */
        uart_putc((char)a0);
        return (struct sbiret){ 0, 0 };
    default:
        return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static void sbi_call(uint64_t *regs)
{
    uint64_t a0 = regs[10], a1 = regs[11], a2 = regs[12], a3 = regs[13];
    long fid = (long)regs[16], eid = (long)regs[17];
    struct sbiret r = { SBI_ERR_NOT_SUPPORTED, 0 };
    (void)a3;
    switch (eid) {
    /* legacy extensions return only a0 */
    case 0: csr_write(stimecmp, a0); regs[10] = 0; return;
    case 1: uart_putc((char)a0); regs[10] = 0; return;
    case 2: regs[10] = (uint64_t)(long)uart_getc(); return;
    case 3: csr_clear(mip, 1 << 1); regs[10] = 0; return;
    case 4: case 5: case 6: case 7: {
        uint64_t mask = a0 ? *(volatile uint64_t *)a0 : ~0UL;
        for_harts(mask, 0, eid == 4 ? 1 : 2);
        regs[10] = 0;
        return;
    }
    case 8: system_reset(0); return;
    case EXT_BASE: r = base_call(fid, a0); break;
    case EXT_TIME:
        if (fid == 0) {
            csr_write(stimecmp, a0);
            r = (struct sbiret){ 0, 0 };
        }
        break;
    case EXT_IPI:
        if (fid == 0)
            r = (struct sbiret){ for_harts(a0, a1, 1), 0 };
        break;
    case EXT_RFENCE:
        if (fid <= 2)
            r = (struct sbiret){ for_harts(a0, a1, 2), 0 };
        break;
    case EXT_HSM: r = hsm_call(fid, a0, a1, a2); break;
    case EXT_SRST:
        if (fid == 0 && a0 <= 2)
            system_reset((uint32_t)a0);
        r = (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        break;
    case EXT_DBCN: r = dbcn_call(fid, a0, a1, a2); break;
    default: break;
    }
    regs[10] = (uint64_t)r.error;
    regs[11] = (uint64_t)r.value;
}

void trap_handler(uint64_t *regs)
{
    uint64_t cause = csr_read(mcause);
    uint64_t me = csr_read(mhartid);
    if ((int64_t)cause < 0) {
        if ((cause & 63) == 3)                               /* IPI through the CLINT */
            handle_ipi(me);
        return;
    }
    if (cause == 9) {                                        /* ecall from S */
        sbi_call(regs);
        csr_write(mepc, csr_read(mepc) + 4);
        return;
    }
    puts_("tern-sbi: unexpected trap in M-mode, stopping\n");
    system_reset(0);
}
