/*
 * devfuzz: a hostile bare-metal guest for the RISC-V virt board (-bios none, M-mode).
 *
 * From a seed (bootargs "seed=N", see parse_args) it makes random accesses to every device
 * the board has: the UART, CLINT, PLIC, goldfish RTC, test finisher, the eight virtio-mmio
 * slots, the PCI ECAM, and the PCI I/O, 32-bit and 64-bit memory windows. It programs BARs
 * anywhere (RAM, other BARs, other devices, all ones), toggles the command register, drives
 * the virtio devices through both transports with queues placed anywhere and descriptor
 * chains of every shape (loops, huge lengths, indirect tables, next out of range), resets
 * devices in the middle, points MSI-X vectors anywhere, does mis-sized, misaligned, FP and
 * atomic accesses, and fetches instructions from device memory in a U-mode sandbox.
 *
 * Faulting accesses are expected: the trap handler counts them and skips the instruction.
 * At the end the program prints "devfuzz: seed S, N accesses, T traps" and powers off
 * through the test finisher. tern must not crash, hang or write outside guest RAM; the
 * host side (tests/shell/devfuzz.sh) checks that.
 *
 * The program, its data and stacks live in the bottom megabyte of RAM (the protected
 * region). Devices can write anywhere in RAM, so the fuzzer never gives a device an address
 * that leads there: DMA addresses it chooses avoid [DANGER_LO, PROT_END), and every value
 * it writes where a device could take it for an address (virtio-mmio and PCI window
 * registers, the virtio-pci configuration access window, legacy queue page numbers) is
 * filtered so that it cannot lead into the region either (see do_write). Any change to
 * the program's code is checked for at the end and fails the run.
 */
#include <stdint.h>
#include <stddef.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

/* ---- the board (hw/riscv/virt_map.h) ---- */
#define TEST_BASE    0x00100000ull
#define RTC_BASE     0x00101000ull
#define CLINT_BASE   0x02000000ull
#define PIO_BASE     0x03000000ull
#define PIO_SIZE     0x00010000ull
#define PLIC_BASE    0x0c000000ull
#define UART_BASE    0x10000000ull
#define VIRTIO_BASE  0x10001000ull
#define VIRTIO_SLOTS 8
#define ECAM_BASE    0x30000000ull
#define ECAM_SIZE    0x10000000ull
#define PCIMEM_BASE  0x40000000ull
#define PCIMEM_SIZE  0x40000000ull
#define MMIO64_SIZE  0x400000000ull
#define DRAM_BASE    0x80000000ull

#define PROT_START   0x80000000ull
#define PROT_END     0x80100000ull
#define DANGER_LO    0x7fff0000ull     /* a used ring or MSI below here cannot reach PROT_START */

extern char _text_start[], _text_end[], _ro_end[];

static u64 ram_size = 128ull << 20, ram_end, mmio64_base, scratch_lo, scratch_hi;
static u64 seed, max_iters = 200000, max_secs = 20, trace_from = ~0ull;
static int quiet_uart;                 /* args: no raw UART data writes (clean console) */
/* Known tern bugs the fuzzer steps around unless asked (docs/devfuzz.md): rtc_far=1 lets
 * it set goldfish RTC alarms 2^63 ns or more ahead, which hang tern (the alarm's deadline
 * wraps around and the timer fires for ever). */
static u64 rtc_far;

/* ---- statistics, shared with the trap handler ---- */
static volatile u64 n_access, n_traps, n_probes, n_probe_timeouts, n_dma_req, n_used, n_used_sane;
static volatile int faulted;
static u64 iter;

/* ---- CSRs ---- */
#define csrr(r) ({ u64 __v; asm volatile("csrr %0, " #r : "=r"(__v) :: "memory"); __v; })
#define csrw(r, v) asm volatile("csrw " #r ", %0" :: "r"((u64)(v)) : "memory")
#define csrs(r, v) asm volatile("csrs " #r ", %0" :: "r"((u64)(v)) : "memory")
#define csrc(r, v) asm volatile("csrc " #r ", %0" :: "r"((u64)(v)) : "memory")

void *memset(void *d, int c, size_t n)
{
    u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

/* ---- the console: the UART, put back into a printable state around each line ---- */
static volatile u8 *const uart = (volatile u8 *)UART_BASE;

static void putc_raw(char c)
{
    for (int i = 0; i < 100000 && !(uart[5] & 0x20); i++)
        ;
    uart[0] = (u8)c;
}

static void puts_raw(const char *s)
{
    while (*s)
        putc_raw(*s++);
}

static void put_dec(u64 v)
{
    char b[24];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_raw(b[--n]);
}

static void put_hex(u64 v)
{
    puts_raw("0x");
    int started = 0;
    for (int i = 60; i >= 0; i -= 4) {
        unsigned d = (v >> i) & 15;
        if (d || started || i == 0) {
            putc_raw("0123456789abcdef"[d]);
            started = 1;
        }
    }
}

/* Print a line with the UART's line control and modem control set for output, then put
 * back what the fuzzer had left there (reads of LCR and MCR have no side effects). */
static u8 saved_lcr, saved_mcr;
static void line_begin(void)
{
    saved_lcr = uart[3];
    saved_mcr = uart[4];
    uart[3] = 0x03;
    uart[4] = 0x00;
}

static void line_end(void)
{
    uart[3] = saved_lcr;
    uart[4] = saved_mcr;
}

static void finish(u32 code)
{
    *(volatile u32 *)TEST_BASE = code;
    for (;;)
        ;
}

static void die(const char *why, u64 a, u64 b)
{
    uart[1] = 0;
    uart[3] = 0x03;
    uart[4] = 0x00;
    puts_raw("\ndevfuzz: FAIL: ");
    puts_raw(why);
    puts_raw(" ");
    put_hex(a);
    puts_raw(" ");
    put_hex(b);
    puts_raw(" (seed ");
    put_dec(seed);
    puts_raw(", iteration ");
    put_dec(iter);
    puts_raw(")\n");
    finish(0x23333);               /* exit status 2 */
}

/* ---- the PRNG: xorshift64*, seeded through splitmix64 ---- */
static u64 rs;
static u64 rnd(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545f4914f6cdd1dull;
}
static u64 below(u64 n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return below(100) < pct; }

/* ---- arguments from /chosen/bootargs: "seed=N iters=N secs=N ram=MiB trace=N quiet" ---- */
static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

static int arg_num(const u8 *s, u64 len, const char *key, u64 *out)
{
    u64 kl = 0;
    while (key[kl])
        kl++;
    for (u64 i = 0; i + kl < len; i++) {
        u64 k = 0;
        while (k < kl && s[i + k] == (u8)key[k])
            k++;
        if (k != kl || (i && ((s[i - 1] >= 'a' && s[i - 1] <= 'z') || s[i - 1] == '_')))
            continue;
        u64 v = 0, j = i + kl, base = 10;
        if (j + 1 < len && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
            base = 16;
            j += 2;
        }
        for (; j < len; j++) {
            u8 c = s[j];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (base == 16 && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (base == 16 && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            v = v * base + d;
        }
        *out = v;
        return 1;
    }
    return 0;
}

static void parse_args(u64 fdt)
{
    if (fdt < DRAM_BASE || fdt >= DRAM_BASE + (1ull << 32))
        return;
    const u8 *p = (const u8 *)fdt;
    if (be32(p) != 0xd00dfeed)
        return;
    u64 size = be32(p + 4);
    u64 v;
    if (arg_num(p, size, "seed=", &v))
        seed = v;
    if (arg_num(p, size, "iters=", &v))
        max_iters = v;
    if (arg_num(p, size, "secs=", &v))
        max_secs = v;
    if (arg_num(p, size, "ram=", &v) && v >= 16)
        ram_size = v << 20;
    if (arg_num(p, size, "trace=", &v))
        trace_from = v;
    if (arg_num(p, size, "quiet=", &v))
        quiet_uart = v != 0;
    arg_num(p, size, "rtc_far=", &rtc_far);
}

/* ---- the trap handler ---- */
/* named in probe_exec's assembly, so not static */
u64 probe_active, probe_resume, probe_sp, probe_gp[3];

void trap_handler(u64 *r)
{
    u64 cause = csrr(mcause), epc = csrr(mepc);
    /* M-mode never takes interrupts (mret would otherwise set MIE from MPIE, which the
     * previous mret left at 1); U-mode probes always do, whatever MIE says */
    csrc(mstatus, 1u << 7);
    if (probe_active) {
        /* back from the U-mode sandbox: whatever it did, return to probe_exec */
        probe_active = 0;
        csrw(mie, 0);
        csrs(mstatus, 3ull << 11);           /* MPP = M */
        csrw(mepc, probe_resume);
        r[2] = probe_sp;
        if (cause >> 63)
            n_probe_timeouts++;
        else
            n_traps++;
        return;
    }
    if (cause >> 63)
        die("an interrupt taken in M-mode with mstatus.MIE clear: mcause, mepc", cause, epc);
    if (epc < (u64)_text_start || epc >= (u64)_text_end)
        die("trap outside the program: mcause, mepc", cause, epc);
    n_traps++;
    faulted = 1;
    u16 h = *(volatile u16 *)epc;
    csrw(mepc, epc + ((h & 3) == 3 ? 4 : 2));
}

/* ---- raw accesses: one instruction each, so a fault skips exactly that ---- */
static u64 rd_raw(u64 a, int size, int sign)
{
    u64 v = 0x5a5a5a5a5a5a5a5aull;
    n_access++;
    switch (size) {
    case 1:
        if (sign)
            asm volatile("lb %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        else
            asm volatile("lbu %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        break;
    case 2:
        if (sign)
            asm volatile("lh %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        else
            asm volatile("lhu %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        break;
    case 4:
        if (sign)
            asm volatile("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        else
            asm volatile("lwu %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        break;
    default:
        asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
        break;
    }
    return v;
}

static void wr_raw(u64 a, int size, u64 v)
{
    n_access++;
    switch (size) {
    case 1: asm volatile("sb %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 2: asm volatile("sh %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 4: asm volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    default: asm volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    }
}

static u64 rd_fp(u64 a, int dbl)
{
    u64 v = 0;
    n_access++;
    if (dbl)
        asm volatile("fld ft0, 0(%1)\n fmv.x.d %0, ft0" : "+r"(v) : "r"(a) : "memory", "ft0");
    else
        asm volatile("flw ft0, 0(%1)\n fmv.x.w %0, ft0" : "+r"(v) : "r"(a) : "memory", "ft0");
    return v;
}

static void wr_fp(u64 a, int dbl, u64 v)
{
    n_access++;
    if (dbl)
        asm volatile("fmv.d.x ft0, %0\n fsd ft0, 0(%1)" :: "r"(v), "r"(a) : "memory", "ft0");
    else
        asm volatile("fmv.w.x ft0, %0\n fsw ft0, 0(%1)" :: "r"(v), "r"(a) : "memory", "ft0");
}

static void amo_raw(u64 a, int kind, u64 v)
{
    u64 o = 0;
    n_access++;
    switch (kind) {
    case 0: asm volatile("amoswap.w %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    case 1: asm volatile("amoadd.d %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    case 2: asm volatile("amoor.w %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    case 3: asm volatile("amomaxu.d %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    case 4: asm volatile("lr.w %0, (%1)" : "+r"(o) : "r"(a) : "memory"); break;
    case 5: asm volatile("sc.w %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    default: asm volatile("lr.d %0, (%1)\n sc.d %0, %2, (%1)" : "+r"(o) : "r"(a), "r"(v) : "memory"); break;
    }
}

/* ---- what may be written where ---- */

static int danger32(u32 v) { return v >= (u32)DANGER_LO && v < (u32)PROT_END; }
static int in_danger(u64 a, u64 len) { return a < PROT_END && a + len > DANGER_LO && a + len >= a; }

/* A value for a register a device may take as (half of) an address. */
static u64 filt(u64 v, int size)
{
    if (size >= 4 && danger32((u32)v))
        v ^= 0x40000000ull;
    if (size == 8 && danger32((u32)(v >> 32)))
        v ^= 0x40000000ull << 32;
    return v;
}

static int is_pow2(u64 v) { return v && !(v & (v - 1)); }

/* Legacy virtio-mmio: a queue is at pfn * page size, its used ring aligned up to
 * QueueAlign. Page sizes are kept to 1, 4096 and 65536 (other powers of two are replaced;
 * anything else the device takes as 0), and a page number must not put a queue base in
 * [0x3fff0000, PROT_END) under any of them: from below that, aligning up (alignments up to
 * 2^30 once filt() has removed 2^31) cannot reach PROT_START. */
static u64 safe_pagesize(u64 v)
{
    v = (u32)v;
    if (is_pow2(v) && v != 1 && v != 4096 && v != 65536)
        return 4096;
    return v;
}

static u64 safe_pfn(u64 v)
{
    u64 p = (u32)v;
    static const u64 ps[3] = { 1, 4096, 65536 };
    for (int i = 0; i < 3; i++) {
        u64 b = p * ps[i];
        if (b >= 0x3fff0000ull && b < PROT_END)
            return p | 0x80100000ull;
    }
    return v;
}

/* ---- PCI functions as discovered ---- */
typedef struct pdev {
    unsigned devfn;
    u16 vendor, device;
    u64 bar_size[6];
    u8 bar_kind[6];                 /* 0 none, 1 mem32, 2 mem64 (low half), 3 io, 4 upper half */
    unsigned msix_cap, msix_n, cfg_cap;
    int virtio;
    u8 cap_bar[6];                  /* virtio capabilities by type 1..5 */
    u32 cap_off[6], notify_mult;
    u8 cfgwin[4];                   /* the virtio-pci access window's data, as written */
} pdev;
static pdev pdevs[32];
static int npdev;

static pdev *pdev_at(unsigned devfn)
{
    for (int i = 0; i < npdev; i++)
        if (pdevs[i].devfn == devfn)
            return &pdevs[i];
    return 0;
}

static u64 ecam(unsigned devfn, unsigned reg) { return ECAM_BASE + ((u64)devfn << 12) + reg; }

/* A configuration write reaching the virtio-pci access window: its 32-bit data goes to
 * BAR4 at whatever offset the window names, a queue address included, so the word after
 * the write must be a safe value too. Returns the value to write; *nw the window after. */
static u64 cfgwin_fix(pdev *d, unsigned reg, int size, u64 v, u8 nw[4])
{
    unsigned w0 = d->cfg_cap + 16;
    for (;;) {
        int touched[4] = { 0, 0, 0, 0 }, any = 0;
        memcpy(nw, d->cfgwin, 4);
        for (int i = 0; i < size; i++) {
            unsigned r = reg + (unsigned)i;
            if (r >= w0 && r < w0 + 4) {
                nw[r - w0] = (u8)(v >> (8 * i));
                touched[r - w0] = 1;
                any = 1;
            }
        }
        u32 word = nw[0] | (u32)nw[1] << 8 | (u32)nw[2] << 16 | (u32)nw[3] << 24;
        if (!any || !danger32(word))
            return v;
        /* the window was safe before, so the write touched byte 2 or 3: change it */
        int b = touched[3] ? 3 : 2;
        if (!touched[b])
            die("cfg window shadow", word, reg);
        unsigned i = w0 + (unsigned)b - reg;
        v = (v & ~(0xffull << (8 * i))) | ((u64)(b == 3 ? 0x00 : 0x20) << (8 * i));
    }
}

static int finisher_hit(u64 a, int size, u64 v)
{
    if (a != TEST_BASE || size < 2)
        return 0;
    u16 c = (u16)v;
    return c == 0x5555 || c == 0x3333 || c == 0x7777;
}

/* Where a write could turn into an address a device uses, or end the run. */
static int hazard(u64 a)
{
    return (a >= VIRTIO_BASE && a < VIRTIO_BASE + VIRTIO_SLOTS * 0x1000ull) ||
           (a >= ECAM_BASE && a < ECAM_BASE + (1ull << 20)) ||
           (a >= PCIMEM_BASE && a < PCIMEM_BASE + PCIMEM_SIZE) ||
           (a >= mmio64_base && a < mmio64_base + MMIO64_SIZE) ||
           (a >= PIO_BASE && a < PIO_BASE + PIO_SIZE) ||
           (a >= TEST_BASE && a < TEST_BASE + 0x1000) || in_danger(a, 16);
}

/* The value a store of size bytes at a may carry (see the header comment); *dp and nw
 * get the access window to update if the store goes through. */
static u64 sanitize(u64 a, int size, u64 v, pdev **dp, u8 nw[4])
{
    *dp = 0;
    if (size < 8)
        v &= (1ull << (8 * size)) - 1;
    if (a >= ECAM_BASE && a < ECAM_BASE + (1ull << 20)) {
        /* configuration space: BARs take any value; only the access window matters */
        pdev *d = pdev_at((unsigned)(a >> 12) & 0xff);
        if (d && d->cfg_cap) {
            v = cfgwin_fix(d, (unsigned)a & 0xfff, size, v, nw);
            *dp = d;
        }
    } else if (!(a >= ECAM_BASE && a < ECAM_BASE + ECAM_SIZE)) {
        v = filt(v, size);
    }
    if (a >= VIRTIO_BASE && a < VIRTIO_BASE + VIRTIO_SLOTS * 0x1000ull && size == 4) {
        if ((a & 0xfff) == 0x28)
            v = safe_pagesize(v);
        else if ((a & 0xfff) == 0x40)
            v = safe_pfn(v);
    }
    if (finisher_hit(a, size, v))
        v ^= 1;
    if (a == RTC_BASE + 0x0c && !rtc_far)
        v &= ~0x80000000ull;                          /* ALARM_HIGH: see rtc_far */
    return v;
}

/* Every write to a device goes through here. Returns 1 unless it faulted. */
static int do_write(u64 a, int size, u64 v)
{
    pdev *d;
    u8 nw[4];
    if (in_danger(a, (u64)size))
        return 0;
    v = sanitize(a, size, v, &d, nw);
    faulted = 0;
    wr_raw(a, size, v);
    if (faulted)
        return 0;
    if (d)
        memcpy(d->cfgwin, nw, 4);
    return 1;
}

static void do_write_fp(u64 a, int dbl, u64 v)
{
    pdev *d;
    u8 nw[4];
    if (in_danger(a, 8))
        return;
    v = sanitize(a, dbl ? 8 : 4, v, &d, nw);
    faulted = 0;
    wr_fp(a, dbl, v);
    if (!faulted && d)
        memcpy(d->cfgwin, nw, 4);
}

static u64 do_read(u64 a, int size)
{
    faulted = 0;
    return rd_raw(a, size, 0);
}

static u32 cfg_rd(unsigned devfn, unsigned reg, int size) { return (u32)do_read(ecam(devfn, reg), size); }
static void cfg_wr(unsigned devfn, unsigned reg, int size, u64 v) { do_write(ecam(devfn, reg), size, v); }

/* ---- generators ---- */

static const u64 dev_addrs[] = {
    TEST_BASE, RTC_BASE, CLINT_BASE, CLINT_BASE + 0x4000, CLINT_BASE + 0xbff8, PIO_BASE,
    PLIC_BASE, PLIC_BASE + 0x200000, UART_BASE, VIRTIO_BASE, VIRTIO_BASE + 0x7000,
    ECAM_BASE, ECAM_BASE + 0x8000, PCIMEM_BASE, PCIMEM_BASE + 0x100000, 0x1000, 0,
};
#define NDEV_ADDRS (sizeof(dev_addrs) / sizeof(dev_addrs[0]))

static u64 scratch_addr(u64 len, u64 align)
{
    u64 room = scratch_hi - scratch_lo;
    if (len > room / 2)
        len = room / 2;
    u64 a = scratch_lo + below(room - len);
    return align > 1 ? a & ~(align - 1) : a;
}

/* A guest-physical address for a device to read or write len bytes at. Anything but the
 * protected region (and the 64 KiB below it). */
static u64 dma_addr(u64 len)
{
    u64 a;
    for (int tries = 0;; tries++) {
        switch (below(16)) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
            a = scratch_addr(len < 0x100000 ? len : 0x1000, chance(70) ? 16 : 1);
            break;
        case 8: a = ram_end - below(0x2000); break;                   /* across the end of RAM */
        case 9: a = dev_addrs[below(NDEV_ADDRS)] + below(0x100); break;
        case 10: a = mmio64_base + below(0x10000); break;
        case 11: a = below(0x10000); break;                           /* low memory, the reset ROM */
        case 12: a = ~0ull - below(0x10000); break;                   /* wrapping */
        case 13: a = rnd(); break;
        case 14: a = (u32)rnd(); break;
        default: a = scratch_lo + below(0x1000); break;
        }
        if (!in_danger(a, 0x1000) || tries > 20)
            break;
    }
    if (in_danger(a, 0x1000))
        a = scratch_lo + 0x1000;
    return a;
}

static u32 rnd_len(void)
{
    u32 l;
    switch (below(12)) {
    case 0: l = 0; break;
    case 1: l = 1; break;
    case 2: l = (u32)below(16); break;
    case 3: l = 16; break;
    case 4: l = 512; break;
    case 5: l = 4096; break;
    case 6: l = 0xffffffffu; break;
    case 7: l = (u32)rnd(); break;
    case 8: l = (u32)below(0x20000); break;
    case 9: l = 0x10000; break;
    default: l = (u32)below(2048); break;
    }
    return (u32)filt(l, 4);
}

/* A value to write: mostly the interesting ones. */
static u64 rnd_val(void)
{
    switch (below(16)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0ull;
    case 3: return below(256);
    case 4: return 1ull << below(64);
    case 5: return (u32)rnd();
    case 6: return rnd();
    case 7: return scratch_addr(0x1000, 0x1000);
    case 8: return dev_addrs[below(NDEV_ADDRS)];
    case 9: return below(16);
    case 10: return 0x80;
    case 11: return 0xffffffffull;
    case 12: return (1ull << below(64)) - 1;
    case 13: return ~0ull << below(64);
    default: return below(0x10000);
    }
}

static int rnd_size(void) { return 1 << below(4); }

/* ---- PCI discovery and BAR placement ---- */

static u64 bar_get(pdev *d, int i)
{
    u64 lo = cfg_rd(d->devfn, 0x10 + 4 * (unsigned)i, 4);
    if (d->bar_kind[i] == 3)
        return lo & ~3ull;
    u64 a = lo & ~15ull;
    if (d->bar_kind[i] == 2)
        a |= (u64)cfg_rd(d->devfn, 0x14 + 4 * (unsigned)i, 4) << 32;
    return a;
}

static void bar_set(pdev *d, int i, u64 a)
{
    cfg_wr(d->devfn, 0x10 + 4 * (unsigned)i, 4, (u32)a);
    if (d->bar_kind[i] == 2)
        cfg_wr(d->devfn, 0x14 + 4 * (unsigned)i, 4, a >> 32);
}

static void pci_discover(void)
{
    npdev = 0;
    for (unsigned devfn = 0; devfn < 256 && npdev < 32; devfn++) {
        u32 id = cfg_rd(devfn, 0, 4);
        if (id == 0xffffffffu || faulted)
            continue;
        pdev *d = &pdevs[npdev++];
        memset(d, 0, sizeof(*d));
        d->devfn = devfn;
        d->vendor = (u16)id;
        d->device = (u16)(id >> 16);
        u16 cmd = (u16)cfg_rd(devfn, 4, 2);
        cfg_wr(devfn, 4, 2, cmd & ~3u);
        for (int i = 0; i < 6; i++) {
            unsigned r = 0x10 + 4 * (unsigned)i;
            u32 old = cfg_rd(devfn, r, 4);
            cfg_wr(devfn, r, 4, 0xffffffffu);
            u32 sz = cfg_rd(devfn, r, 4);
            cfg_wr(devfn, r, 4, old);
            if (!sz)
                continue;
            if (sz & 1) {
                d->bar_kind[i] = 3;
                d->bar_size[i] = (u32)(~(sz & ~3u) + 1) & 0xffff;
            } else if ((sz & 6) == 4 && i < 5) {
                u32 oldh = cfg_rd(devfn, r + 4, 4);
                cfg_wr(devfn, r + 4, 4, 0xffffffffu);
                u32 szh = cfg_rd(devfn, r + 4, 4);
                cfg_wr(devfn, r + 4, 4, oldh);
                d->bar_kind[i] = 2;
                d->bar_kind[i + 1] = 4;
                d->bar_size[i] = ~(((u64)szh << 32) | (sz & ~15u)) + 1;
                i++;
            } else {
                d->bar_kind[i] = 1;
                d->bar_size[i] = (u32)(~(sz & ~15u) + 1);
            }
        }
        /* capabilities, bounded against loops */
        unsigned p = cfg_rd(devfn, 0x34, 1) & 0xfc;
        for (int n = 0; p >= 0x40 && n < 48; n++) {
            unsigned capid = cfg_rd(devfn, p, 1);
            if (capid == 0x11) {
                d->msix_cap = p;
                d->msix_n = (cfg_rd(devfn, p + 2, 2) & 0x7ff) + 1;
            } else if (capid == 0x09 && d->vendor == 0x1af4) {
                unsigned type = cfg_rd(devfn, p + 3, 1);
                if (type >= 1 && type <= 5) {
                    d->virtio = 1;
                    d->cap_bar[type] = (u8)cfg_rd(devfn, p + 4, 1);
                    d->cap_off[type] = cfg_rd(devfn, p + 8, 4);
                    if (type == 2)
                        d->notify_mult = cfg_rd(devfn, p + 16, 4);
                    if (type == 5)
                        d->cfg_cap = p;
                }
            }
            p = cfg_rd(devfn, p + 1, 1) & 0xfc;
        }
    }
}

/* Sane places for every BAR: 32-bit ones in the 32-bit window, 64-bit ones in either,
 * slots by devfn so they do not overlap; memory decode and bus mastering on. */
static void pci_place(pdev *d, int hi64)
{
    for (int i = 0; i < 6; i++) {
        if (!d->bar_size[i] || d->bar_kind[i] == 4)
            continue;
        u64 slot = (u64)(d - pdevs) * 8 + (u64)i;
        u64 a;
        if (d->bar_kind[i] == 3)
            a = 0x1000 + slot * 0x100;
        else if (d->bar_kind[i] == 2 && hi64)
            a = mmio64_base + slot * 0x100000;
        else
            a = PCIMEM_BASE + slot * 0x100000;
        bar_set(d, i, a);
    }
    u16 cmd = (u16)cfg_rd(d->devfn, 4, 2);
    cfg_wr(d->devfn, 4, 2, cmd | 7);
}

/* An address for BAR i: sane, or anywhere at all. */
static u64 rnd_bar_value(pdev *d, int i)
{
    u64 size = d->bar_size[i] ? d->bar_size[i] : 0x1000;
    switch (below(13)) {
    case 0: return ~0ull;                                        /* sizing */
    case 1: return 0;
    case 2: return DRAM_BASE + (below(ram_size) & ~(size - 1));   /* over RAM */
    case 3: {                                                    /* over another BAR */
        pdev *o = &pdevs[below((u64)npdev)];
        int j = (int)below(6);
        return o->bar_size[j] ? bar_get(o, j) : PCIMEM_BASE;
    }
    case 4: return dev_addrs[below(NDEV_ADDRS)];                 /* over a device */
    case 5: return rnd();
    case 6: return PCIMEM_BASE + PCIMEM_SIZE - size * below(3) / 2;  /* window's end, across it, past it */
    case 7: return mmio64_base + MMIO64_SIZE - size * below(3) / 2;
    case 10: return (chance(50) ? PCIMEM_BASE : mmio64_base) - size / 2;   /* across a window's start */
    case 8: return mmio64_base + (below(MMIO64_SIZE) & ~(size - 1));
    default: return PCIMEM_BASE + (below(PCIMEM_SIZE) & ~(size - 1));
    }
}

/* ---- virtio devices, over either transport ---- */
enum { VK_MMIO, VK_PCI };
typedef struct vq {
    u64 desc, avail, used;
    u32 num;
    u16 avail_idx;
} vq;
typedef struct vdev {
    int kind, legacy;
    u64 base;                       /* virtio-mmio: the slot */
    pdev *pd;
    u32 devid;
    unsigned nq;
    vq q[4];
} vdev;
static vdev vdevs[16];
static int nvdev;

static u64 pci_bar_addr(pdev *d, int bar)
{
    if (bar > 5 || !d->bar_size[bar])
        return 0;
    return bar_get(d, bar);
}

static u64 vp_cap(vdev *v, int type)
{
    return pci_bar_addr(v->pd, v->pd->cap_bar[type]) + v->pd->cap_off[type];
}

static void vt_wr(vdev *v, unsigned off, int size, u64 val)
{
    if (v->kind == VK_MMIO)
        do_write(v->base + off, size, val);
    else
        do_write(vp_cap(v, 1) + off, size, val);
}

static u64 vt_rd(vdev *v, unsigned off, int size)
{
    return v->kind == VK_MMIO ? do_read(v->base + off, size) : do_read(vp_cap(v, 1) + off, size);
}

static void vt_status(vdev *v, u32 s)
{
    if (v->kind == VK_MMIO)
        vt_wr(v, 0x70, 4, s);
    else
        vt_wr(v, 0x14, 1, s);
}

static u32 vt_get_status(vdev *v)
{
    return v->kind == VK_MMIO ? (u32)vt_rd(v, 0x70, 4) : (u32)vt_rd(v, 0x14, 1);
}

static void vt_notify(vdev *v, unsigned q)
{
    if (v->kind == VK_MMIO) {
        vt_wr(v, 0x50, 4, q);
    } else {
        u64 n = vp_cap(v, 2) + (u64)q * v->pd->notify_mult;
        do_write(n, chance(80) ? 2 : rnd_size(), q);
    }
}

static void vt_ack(vdev *v)
{
    if (v->kind == VK_MMIO) {
        u32 isr = (u32)vt_rd(v, 0x60, 4);
        vt_wr(v, 0x64, 4, chance(80) ? isr : rnd_val());
    } else {
        do_read(vp_cap(v, 3), chance(80) ? 1 : rnd_size());
    }
}

/* Where a queue's areas go: usually sane and apart, sometimes anywhere. */
static void pick_rings(vq *q, u32 num, int hostile)
{
    q->num = num;
    if (!hostile) {
        u64 base = scratch_addr(0x4000, 0x1000);
        q->desc = base;
        q->avail = base + 16ull * num;
        q->used = (q->avail + 6 + 2ull * num + 4095) & ~4095ull;
        return;
    }
    q->desc = chance(60) ? scratch_addr(16ull * num, chance(80) ? 16 : 1) : dma_addr(16ull * num);
    q->avail = chance(60) ? scratch_addr(6 + 2ull * num, chance(80) ? 2 : 1) : dma_addr(6 + 2ull * num);
    q->used = chance(60) ? scratch_addr(6 + 8ull * num, chance(80) ? 4 : 1) : dma_addr(6 + 8ull * num);
}

static u32 rnd_num(void)
{
    if (chance(85))
        return 1u << below(9);                /* 1..256 */
    switch (below(4)) {
    case 0: return 0;
    case 1: return 512;
    case 2: return 3;
    default: return (u32)rnd_val();
    }
}

static void vt_setup_queue(vdev *v, unsigned qi, int hostile)
{
    vq *q = &v->q[qi & 3];
    u32 num = hostile ? rnd_num() : 1u << (2 + below(7));
    pick_rings(q, num, hostile);
    q->avail_idx = 0;
    if (v->kind == VK_MMIO && v->legacy) {
        vt_wr(v, 0x28, 4, hostile && chance(30) ? rnd_val() : 4096);
        vt_wr(v, 0x30, 4, qi);
        vt_rd(v, 0x34, 4);
        vt_wr(v, 0x38, 4, num);
        vt_wr(v, 0x3c, 4, hostile && chance(30) ? rnd_val() : 4096);
        /* the legacy layout from a page-aligned base */
        u64 base = hostile && chance(30) ? dma_addr(0x4000) : scratch_addr(0x4000, 0x1000);
        base &= ~4095ull;
        if (in_danger(base, 0x4000))
            base = scratch_lo;
        q->desc = base;
        q->avail = base + 16ull * num;
        q->used = (q->avail + 6 + 2ull * num + 4095) & ~4095ull;
        vt_wr(v, 0x40, 4, base >> 12);
        return;
    }
    if (v->kind == VK_MMIO) {
        vt_wr(v, 0x30, 4, qi);
        vt_rd(v, 0x34, 4);
        vt_wr(v, 0x38, 4, num);
        vt_wr(v, 0x80, 4, q->desc);
        vt_wr(v, 0x84, 4, q->desc >> 32);
        vt_wr(v, 0x90, 4, q->avail);
        vt_wr(v, 0x94, 4, q->avail >> 32);
        vt_wr(v, 0xa0, 4, q->used);
        vt_wr(v, 0xa4, 4, q->used >> 32);
        vt_wr(v, 0x44, 4, hostile && chance(10) ? rnd_val() : 1);
        return;
    }
    vt_wr(v, 0x16, 2, qi);
    vt_rd(v, 0x18, 2);
    vt_wr(v, 0x18, 2, num);
    if (chance(50)) {
        vt_wr(v, 0x20, 8, q->desc);
        vt_wr(v, 0x28, 8, q->avail);
        vt_wr(v, 0x30, 8, q->used);
    } else {
        vt_wr(v, 0x20, 4, q->desc);
        vt_wr(v, 0x24, 4, q->desc >> 32);
        vt_wr(v, 0x28, 4, q->avail);
        vt_wr(v, 0x2c, 4, q->avail >> 32);
        vt_wr(v, 0x30, 4, q->used);
        vt_wr(v, 0x34, 4, q->used >> 32);
    }
    if (chance(30))
        vt_wr(v, 0x1a, 2, chance(50) ? qi + 1 : rnd_val());     /* MSI-X vector */
    vt_wr(v, 0x1c, 2, hostile && chance(10) ? rnd_val() : 1);
}

static void pci_make_sane(pdev *d)
{
    u16 cmd = (u16)cfg_rd(d->devfn, 4, 2);
    u64 a = pci_bar_addr(d, d->cap_bar[1]);
    int bar = d->cap_bar[1];
    int ok = (cmd & 6) == 6 && a && a != ~0ull;
    if (ok && d->bar_kind[bar] == 2)
        ok = (a >= PCIMEM_BASE && a < PCIMEM_BASE + PCIMEM_SIZE) ||
             (a >= mmio64_base && a < mmio64_base + MMIO64_SIZE);
    if (!ok)
        pci_place(d, chance(50));
}

/* The driver's start-up sequence, with deviations. */
static void vt_init(vdev *v, int hostile)
{
    if (v->kind == VK_PCI && (!hostile || chance(80)))
        pci_make_sane(v->pd);
    vt_status(v, 0);
    vt_status(v, 1);
    vt_status(v, 3);
    u64 f;
    if (v->kind == VK_MMIO) {
        vt_wr(v, 0x14, 4, 0);
        f = vt_rd(v, 0x10, 4);
        vt_wr(v, 0x14, 4, 1);
        f |= vt_rd(v, 0x10, 4) << 32;
        if (hostile && chance(30))
            f ^= rnd();
        vt_wr(v, 0x24, 4, 0);
        vt_wr(v, 0x20, 4, f);
        vt_wr(v, 0x24, 4, 1);
        vt_wr(v, 0x20, 4, f >> 32);
    } else {
        vt_wr(v, 0x00, 4, 0);
        f = vt_rd(v, 0x04, 4);
        vt_wr(v, 0x00, 4, 1);
        f |= vt_rd(v, 0x04, 4) << 32;
        if (hostile && chance(30))
            f ^= rnd();
        vt_wr(v, 0x08, 4, 0);
        vt_wr(v, 0x0c, 4, f);
        vt_wr(v, 0x08, 4, 1);
        vt_wr(v, 0x0c, 4, f >> 32);
        if (chance(30))
            vt_wr(v, 0x10, 2, chance(50) ? 0 : rnd_val());
    }
    if (!v->legacy) {
        vt_status(v, 0xb);
        vt_get_status(v);
    }
    for (unsigned q = 0; q < v->nq; q++)
        vt_setup_queue(v, q, hostile);
    if (hostile && chance(10))
        vt_setup_queue(v, (unsigned)below(8), 1);              /* a queue that is not there */
    vt_status(v, v->legacy ? 7 : 0xf);
}

static int in_scratch(u64 a, u64 len)
{
    return a >= scratch_lo && a + len <= scratch_hi && a + len >= a;
}

/* The CPU's side of the rings: stores and loads in scratch RAM only, bytewise (rings may be
 * anywhere, aligned or not). */
static void ram_wr(u64 a, u64 v, int n)
{
    if (!in_scratch(a, (u64)n))
        return;
    u8 *p = (u8 *)a;
    for (int i = 0; i < n; i++)
        p[i] = (u8)(v >> (8 * i));
}

static void ram_w64(u64 a, u64 v) { ram_wr(a, v, 8); }
static void ram_w32(u64 a, u32 v) { ram_wr(a, v, 4); }
static void ram_w16(u64 a, u16 v) { ram_wr(a, v, 2); }

static u16 ram_r16(u64 a)
{
    if (!in_scratch(a, 2))
        return 0;
    u8 *p = (u8 *)a;
    return (u16)(p[0] | p[1] << 8);
}

static void put_desc(u64 table, u32 i, u64 addr, u32 len, u16 flags, u16 next)
{
    u64 d = table + 16ull * i;
    ram_w64(d, addr);
    ram_w32(d + 8, len);
    ram_w16(d + 12, flags);
    ram_w16(d + 14, next);
}

static void fill(u64 a, u32 len)
{
    if (len > 4096)
        len = 4096;
    for (u32 i = 0; i + 8 <= len; i += 8)
        ram_w64(a + i, rnd());
}

enum { F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4 };

/* A frame for virtio-net's transmit queue at a (len bytes, header first): the 12-byte
 * virtio_net_hdr with random offload requests, then mostly plausible Ethernet (ARP, IPv4
 * UDP/TCP/ICMP, IPv6 to slirp's gateway or broadcast) with fields that are often wrong. */
static void net_frame(u64 a, u32 len)
{
    fill(a, len);
    if (len < 12)
        return;
    /* flags: NEEDS_CSUM (1) often; gso_type: none mostly, else TCPv4/UDP/TCPv6/ECN/junk */
    ram_wr(a, chance(40) ? 1 : below(4), 1);
    static const u8 gso[] = { 0, 0, 0, 1, 3, 4, 0x81, 0x7f };
    ram_wr(a + 1, gso[below(sizeof(gso))], 1);
    ram_w16(a + 2, (u16)(chance(80) ? 54 : rnd()));                  /* hdr_len */
    ram_w16(a + 4, (u16)(chance(70) ? 1448 : rnd()));                /* gso_size */
    ram_w16(a + 6, (u16)(chance(70) ? 14 + 20 + below(40) : rnd())); /* csum_start */
    ram_w16(a + 8, (u16)(chance(70) ? 16 : rnd()));                  /* csum_offset */
    u64 f = a + 12;
    u32 flen = len - 12;
    if (flen < 14 || chance(10))
        return;
    static const u8 gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
    for (int i = 0; i < 6; i++)
        ram_wr(f + (u64)i, chance(50) ? gw[i] : 0xff, 1);
    static const u16 types[] = { 0x0800, 0x0806, 0x86dd, 0x8100 };
    u16 type = types[below(4)];
    ram_wr(f + 12, type >> 8, 1);
    ram_wr(f + 13, type & 0xff, 1);
    if (type == 0x0800 && flen >= 34) {
        u32 ihl = chance(80) ? 5 : (u32)below(16);
        ram_wr(f + 14, 0x40 | ihl, 1);
        u32 tot = chance(70) ? flen - 14 : (u32)below(0x10000);
        ram_wr(f + 16, tot >> 8, 1);
        ram_wr(f + 17, tot & 0xff, 1);
        ram_wr(f + 20, chance(80) ? 0 : rnd(), 2);                  /* fragment offset */
        static const u8 protos[] = { 1, 6, 17, 2, 0xff };
        ram_wr(f + 23, protos[below(sizeof(protos))], 1);
        static const u8 dst[4] = { 10, 0, 2, 2 };
        for (int i = 0; i < 4; i++)
            ram_wr(f + 30 + (u64)i, chance(80) ? dst[i] : rnd(), 1);
    }
}


/* A chain of descriptors in table (n entries) starting at head: what the device would
 * take for a request (mode 0), the same shapes with wild addresses, lengths and sectors
 * (mode 1), or anything (mode 2). */
enum { M_SANE, M_WILD, M_RANDOM };
static void build_chain(vdev *v, unsigned qi, u64 table, u32 n, u32 head, int mode, int depth)
{
    if (!n)
        return;
    int wild = mode == M_WILD;
    if (mode != M_RANDOM) {
        /* blk: header, data, status; rng and console rx: writable buffers; console tx: readable */
        u32 idx[4];
        int k = 0;
        for (int i = 0; i < 4; i++)
            idx[i] = (head + (u32)i) % n;
        if (v->devid == 2) {
            u64 hdr = scratch_addr(16, 16), data = scratch_addr(0x10000, 512), st = scratch_addr(1, 1);
            u32 type = (u32)(chance(80) ? below(2) : chance(50) ? (below(3) == 0 ? 4 : 8) : rnd_val());
            u64 sector = chance(80) ? below(2048) : chance(50) ? 2048 - below(4) : rnd();
            u32 len = chance(70) ? 512u * (u32)(1 + below(8)) : rnd_len();
            if (wild) {
                sector = chance(50) ? rnd_val() : (u64)1 << below(64);
                len = rnd_len();
                if (chance(50))
                    data = dma_addr(len);
                if (chance(20))
                    st = dma_addr(1);
            }
            ram_w32(hdr, type);
            ram_w32(hdr + 4, 0);
            ram_w64(hdr + 8, sector);
            if (type == 1)
                fill(data, len);
            u32 hlen = wild && chance(30) ? rnd_len() : 16;
            put_desc(table, idx[k], hdr, hlen, (u16)(F_NEXT | (wild && chance(10) ? F_WRITE : 0)), (u16)idx[k + 1]);
            k++;
            if (!chance(10)) {
                put_desc(table, idx[k], chance(90) ? data : dma_addr(len), len,
                         (u16)(F_NEXT | (type == 1 ? 0 : F_WRITE)), (u16)idx[k + 1]);
                k++;
            }
            put_desc(table, idx[k], st, wild && chance(30) ? rnd_len() : 1, F_WRITE, 0);
        } else if (v->devid == 1 && (qi & 1) && !chance(20)) {
            /* net transmit: a header and frame, split in one to three pieces */
            static const u32 sizes[] = { 12, 13, 20, 26, 42, 72, 1526, 9030, 65550, 65562, 70000 };
            u32 len = chance(80) ? sizes[below(sizeof(sizes) / sizeof(sizes[0]))] : rnd_len();
            if (wild && chance(50))
                len = rnd_len();
            u64 a = chance(wild ? 60 : 95) ? scratch_addr(len < 0x20000 ? len : 0x20000, 16) : dma_addr(len);
            net_frame(a, len < 4096 ? len : 4096);
            int segs = 1 + (int)below(n < 3 ? n : 3);
            u32 cut1 = segs > 1 ? (u32)below(len + 1) : len, cut2 = segs > 2 ? cut1 + (u32)below(len - cut1 + 1) : len;
            u32 starts[3] = { 0, cut1, cut2 }, ends[3] = { cut1, cut2, len };
            for (int i = 0; i < segs; i++)
                put_desc(table, idx[i], a + starts[i], ends[i] - starts[i],
                         (u16)((i + 1 < segs ? F_NEXT : 0) | (wild && chance(10) ? F_WRITE : 0)), (u16)idx[(i + 1) % 4]);
        } else {
            int segs = 1 + (int)below(3);
            int write = !(v->devid == 3 && qi == 1) && !(v->devid == 1 && (qi & 1));
            if (wild && chance(20))
                write = !write;
            for (int i = 0; i < segs; i++) {
                u32 len = chance(wild ? 10 : 80) ? (u32)(1 + below(2048)) : rnd_len();
                u64 a = chance(wild ? 30 : 90) ? scratch_addr(len < 0x10000 ? len : 0x10000, 1) : dma_addr(len);
                if (!write)
                    fill(a, len);
                put_desc(table, idx[i], a, len, (u16)((i + 1 < segs ? F_NEXT : 0) | (write ? F_WRITE : 0)),
                         (u16)idx[(i + 1) % 4]);
            }
        }
        return;
    }
    /* hostile: a random walk of descriptors, with loops, strays and indirect tables */
    u32 cur = head;
    int len = 1 + (int)below(chance(80) ? 6 : 70);
    for (int i = 0; i < len; i++) {
        u16 flags = (u16)below(8);
        if (i + 1 < len)
            flags |= F_NEXT;
        u32 next;
        switch (below(8)) {
        case 0: next = head; break;                               /* a loop */
        case 1: next = cur; break;                                /* to itself */
        case 2: next = n + (u32)below(0x10000 - n + 1); break;    /* out of range */
        default: next = (u32)below(n); break;
        }
        u32 dlen = rnd_len();
        u64 addr = dma_addr(dlen);
        if ((flags & F_INDIRECT) && depth < 2 && chance(70)) {
            u32 in = chance(80) ? 1 + (u32)below(16) : (u32)below(300);
            u64 t = chance(85) ? scratch_addr(16ull * in + 16, chance(90) ? 16 : 1) : dma_addr(16ull * in);
            build_chain(v, qi, t, in ? in : 1, 0, (int)below(3), depth + 1);
            addr = t;
            dlen = chance(80) ? 16 * in : rnd_len();
        }
        if (chance(5) && v->devid == 2 && in_scratch(addr, 16)) {
            ram_w32(addr, (u32)below(2));
            ram_w64(addr + 8, chance(50) ? below(4096) : rnd());
        }
        put_desc(table, cur % (n ? n : 1), addr, dlen, flags, (u16)next);
        if (next >= n)
            break;
        cur = next;
    }
}

/* One request on queue qi: chain, avail entry, notify, a look at the used ring. */
static void vt_request(vdev *v, unsigned qi, int hostile)
{
    vq *q = &v->q[qi & 3];
    u32 n = q->num && q->num <= 1024 ? q->num : 1;
    u32 head = (u32)below(n);
    if (hostile && chance(5))
        head = (u32)below(0x10000);
    int mode = !hostile ? M_SANE : chance(50) ? M_WILD : M_RANDOM;
    if (mode == M_WILD && chance(30)) {
        /* the well-formed chain behind an indirect descriptor */
        u32 in = 1 + (u32)below(8);
        u64 t = scratch_addr(16ull * in + 16, 16);
        build_chain(v, qi, t, in, 0, M_WILD, 1);
        put_desc(q->desc, head, t, chance(80) ? 16 * in : rnd_len(), F_INDIRECT, 0);
    } else {
        build_chain(v, qi, q->desc, n, head, mode, 0);
    }
    u16 flags = chance(70) ? 0 : (u16)below(4);
    ram_w16(q->avail, flags);
    int posts = chance(85) ? 1 : 1 + (int)below(n + 2);
    for (int i = 0; i < posts; i++) {
        ram_w16(q->avail + 4 + 2ull * ((q->avail_idx + (u32)i) % n), (u16)(i ? below(n + 2) : head));
    }
    q->avail_idx = (u16)(q->avail_idx + posts);
    if (hostile && chance(5))
        q->avail_idx = (u16)rnd();
    ram_w16(q->avail + 2, q->avail_idx);
    asm volatile("fence rw, rw" ::: "memory");
    if (hostile && chance(8)) {
        /* reset while the request is posted, then maybe bring queues back up without rings */
        vt_status(v, 0);
        if (chance(50))
            vt_status(v, v->legacy ? 7 : 0xf);
        if (chance(30) && !v->legacy && v->kind == VK_MMIO)
            vt_wr(v, 0x44, 4, 1);
        if (chance(30) && v->kind == VK_PCI)
            vt_wr(v, 0x1c, 2, 1);
    }
    n_dma_req++;
    u16 used0 = ram_r16(q->used + 2);
    if (chance(95))
        vt_notify(v, hostile && chance(10) ? (unsigned)rnd_val() : qi);
    u16 got = (u16)(ram_r16(q->used + 2) - used0);
    if (got > posts)
        got = 0;                                  /* not this queue's doing */
    n_used += got;
    if (!hostile)
        n_used_sane += got;
    if (hostile && chance(10))
        vt_status(v, 0);
    if (chance(70))
        vt_ack(v);
}

/* ---- MSI-X ---- */
static void msix_op(pdev *d)
{
    if (!d->msix_cap)
        return;
    u32 t = cfg_rd(d->devfn, d->msix_cap + 4, 4);
    int bar = t & 7;
    if (bar > 5 || !d->bar_size[bar])
        return;
    u64 base = pci_bar_addr(d, bar) + (t & ~7u);
    unsigned nv = d->msix_n + (chance(10) ? 2 : 0);
    for (int k = 0; k < 1 + (int)below(6); k++) {
        unsigned vec = (unsigned)below(nv);
        unsigned w = (unsigned)below(4);
        u64 val;
        switch (w) {
        case 0: val = chance(70) ? dma_addr(4) : rnd_val(); break;
        case 1: val = chance(80) ? 0 : rnd_val(); break;
        case 2: val = rnd(); break;
        default: val = below(2); break;
        }
        do_write(base + 16ull * vec + 4 * w, chance(85) ? 4 : rnd_size(), val);
    }
    if (chance(50))
        do_read(base + 0x800 + 4 * below(3), chance(85) ? 4 : rnd_size());
    /* enable and function mask */
    u8 ctl = (u8)(chance(70) ? 0x80 : below(4) << 6);
    cfg_wr(d->devfn, d->msix_cap + 3, 1, ctl);
}

/* ---- fetching from devices, in a U-mode sandbox ---- */

/* PMP: the protected region nothing, everything else execute-only, for U-mode. */
static void pmp_setup(void)
{
    csrw(pmpaddr0, (PROT_START >> 2) | ((PROT_END - PROT_START) / 8 - 1));
    csrw(pmpaddr1, ~0ull);
    csrw(pmpcfg0, 0x18 | (0x1cull << 8));      /* 0: NAPOT ---, 1: NAPOT --x */
}

static u64 rdtime(void) { u64 t; asm volatile("rdtime %0" : "=r"(t)); return t; }

__attribute__((noinline)) static void probe_exec(u64 target)
{
    volatile u64 *mtimecmp = (volatile u64 *)(CLINT_BASE + 0x4000);
    csrc(mstatus, 1u << 3);                    /* MIE off: the watchdog waits for U-mode */
    *mtimecmp = rdtime() + 20000;              /* 2 ms: a watchdog for loops */
    csrw(mie, 1u << 7);
    probe_active = 1;
    n_probes++;
    asm volatile(
        "la t0, 1f\n"
        "la t1, probe_resume\n sd t0, 0(t1)\n"
        "la t1, probe_sp\n sd sp, 0(t1)\n"
        "la t1, probe_gp\n sd gp, 0(t1)\n sd tp, 8(t1)\n sd s0, 16(t1)\n"
        "li t0, 0x1800\n csrc mstatus, t0\n"
        "csrw mepc, %0\n"
        "li ra, 0\n li a0, 0\n li a1, 0\n"
        "mret\n"
        ".align 2\n"
        "1:\n"
        "la t1, probe_gp\n ld gp, 0(t1)\n ld tp, 8(t1)\n ld s0, 16(t1)\n"
        :: "r"(target)
        : "memory", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a2", "a3", "a4",
          "a5", "a6", "a7", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
          "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
          "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
          "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11");
    *mtimecmp = ~0ull;
}

/* ---- raw accesses anywhere ---- */
typedef struct region { u64 base, size; } region;

static u64 rnd_device_addr(void)
{
    switch (below(14)) {
    case 0: return TEST_BASE + (chance(50) ? below(16) : below(0x1000));
    case 1: return RTC_BASE + (chance(80) ? below(0x20) : below(0x1000));
    case 2: {
        static const u64 offs[] = { 0, 4, 0x4000, 0x4004, 0x4008, 0xbff8, 0xbffc, 0x3ffc, 0xbff0 };
        return CLINT_BASE + (chance(70) ? offs[below(9)] : below(0x10000));
    }
    case 3: {
        static const u64 offs[] = { 0, 4, 0x28, 0x80, 0x84, 0x1000, 0x1004, 0x2000, 0x2004, 0x2080,
                                    0x200000, 0x200004, 0x201000, 0x201004, 0x5ffffc };
        return PLIC_BASE + (chance(70) ? offs[below(15)] + (chance(30) ? 4 * below(32) : 0) : below(0x600000));
    }
    case 4: return UART_BASE + (chance(90) ? below(8) : below(0x1000));
    case 5: case 6: case 7:
        return VIRTIO_BASE + 0x1000 * below(VIRTIO_SLOTS) + (chance(85) ? below(0x110) : below(0x1000));
    case 8: return PIO_BASE + (chance(70) ? below(0x2000) : below(PIO_SIZE));
    case 9: {
        unsigned devfn = npdev && chance(80) ? pdevs[below((u64)npdev)].devfn : (unsigned)below(256);
        u64 reg = chance(60) ? below(0x40) : chance(70) ? below(0x100) : below(0x1000);
        return chance(95) ? ecam(devfn, (unsigned)reg) : ECAM_BASE + below(ECAM_SIZE);
    }
    case 10: {
        /* where a BAR is now, or near it */
        if (npdev) {
            pdev *d = &pdevs[below((u64)npdev)];
            int i = (int)below(6);
            if (d->bar_size[i] && d->bar_kind[i] != 4) {
                u64 a = bar_get(d, i);
                u64 off = d->bar_size[i] > 0x4000 || chance(70) ? below(0x100) + 0x1000 * below(4) : below(d->bar_size[i] + 16);
                if (d->bar_kind[i] == 3)
                    return PIO_BASE + ((a + off) & 0xffff);
                return a + off;
            }
        }
        return PCIMEM_BASE + below(PCIMEM_SIZE);
    }
    case 11: return PCIMEM_BASE + (chance(50) ? below(0x1000000) : below(PCIMEM_SIZE));
    case 12: return mmio64_base + (chance(50) ? below(0x10000000) : below(MMIO64_SIZE));
    default:
        switch (below(6)) {
        case 0: return 0x1000 + below(0xf000);         /* the reset ROM */
        case 1: return below(0x1000);
        case 2: return ram_end - 8 + below(16);
        case 3: return rnd();
        case 4: return PCIMEM_BASE - 8 + below(16);
        default: return mmio64_base + MMIO64_SIZE - 8 + below(16);
        }
    }
}

static void raw_op(void)
{
    u64 a = rnd_device_addr();
    int size = rnd_size();
    if (chance(85))
        a &= ~(u64)(size - 1);
    if (a >= UART_BASE && a < UART_BASE + 8 && (a & 7) == 0 && quiet_uart && !chance(2))
        a += 7;                                       /* the scratch register, not THR */
    switch (below(16)) {
    case 0:
        faulted = 0;
        if (chance(50))
            rd_fp(a, size == 8);
        else
            do_write_fp(a, size == 8, rnd_val());
        return;
    case 1:
        /* atomics: read-modify-write, so only where no value can do harm (they fault on
         * devices anyway); lr elsewhere */
        faulted = 0;
        amo_raw(a, hazard(a) ? 4 : (int)below(7), filt(rnd_val(), 8));
        return;
    case 2: case 3: case 4: case 5: case 6: case 7: case 8:
        faulted = 0;
        rd_raw(a, size, (int)below(2));
        return;
    default:
        do_write(a, size, rnd_val());
        return;
    }
}

/* ---- operations ---- */

static vdev *rnd_vdev(void) { return nvdev ? &vdevs[below((u64)nvdev)] : 0; }

static void op_cfg(void)
{
    if (!npdev)
        return;
    pdev *d = &pdevs[below((u64)npdev)];
    unsigned devfn = chance(95) ? d->devfn : (unsigned)below(256);
    unsigned reg;
    switch (below(6)) {
    case 0: reg = (unsigned)below(0x40); break;
    case 1: reg = 0x40 + (unsigned)below(0xc0); break;                  /* capabilities */
    case 2: reg = d->cfg_cap ? d->cfg_cap + (unsigned)below(20) : 0; break;
    case 3: reg = d->msix_cap ? d->msix_cap + (unsigned)below(12) : 0; break;
    case 4: reg = (unsigned)below(0x1000); break;
    default: reg = 0x10 + (unsigned)below(0x18); break;                 /* BARs */
    }
    int size = rnd_size();
    if (chance(90))
        reg &= ~(unsigned)(size - 1);
    if (chance(40)) {
        faulted = 0;
        rd_raw(ecam(devfn, reg), size, 0);
    } else {
        u64 val = rnd_val();
        if (d->cfg_cap && reg >= d->cfg_cap + 4 && reg < d->cfg_cap + 16 && chance(60)) {
            /* a meaningful window: BAR4, an offset into it, a length */
            if (reg == d->cfg_cap + 4)
                val = chance(80) ? 4 : below(8);
            else if (reg == d->cfg_cap + 8)
                val = chance(80) ? below(0x4000) : rnd_val();
            else if (reg == d->cfg_cap + 12)
                val = chance(80) ? 1u << below(3) : rnd_val();
        }
        cfg_wr(devfn, reg, size, val);
    }
}

static void op_bar(void)
{
    if (!npdev)
        return;
    pdev *d = &pdevs[below((u64)npdev)];
    int i = (int)below(6);
    if (d->bar_kind[i] == 4)
        i--;
    u64 v = rnd_bar_value(d, i);
    if (d->bar_kind[i] == 2 && chance(80)) {
        bar_set(d, i, v);
    } else {
        cfg_wr(d->devfn, 0x10 + 4 * (unsigned)i, chance(80) ? 4 : rnd_size(), v);
    }
    if (chance(50))
        bar_get(d, i);
    if (chance(30)) {
        u16 cmd = (u16)cfg_rd(d->devfn, 4, 2);
        cfg_wr(d->devfn, 4, 2, cmd | 2);
    }
}

static void op_cmd(void)
{
    if (!npdev)
        return;
    pdev *d = &pdevs[below((u64)npdev)];
    static const u16 vals[] = { 0, 1, 2, 4, 6, 7, 0x400, 0x406, 0xffff, 3, 5 };
    u16 cmd = chance(80) ? vals[below(11)] : (u16)rnd();
    cfg_wr(d->devfn, 4, chance(85) ? 2 : rnd_size(), cmd);
    if (chance(30))
        cfg_wr(d->devfn, 6, 2, 0xffff);                   /* status: write-one-to-clear bits */
}

static void op_vio(int hostile)
{
    vdev *v = rnd_vdev();
    if (!v)
        return;
    if (v->kind == VK_PCI && chance(hostile ? 50 : 95))
        pci_make_sane(v->pd);
    unsigned q = (unsigned)below(v->nq ? v->nq : 1);
    u32 st = vt_get_status(v);
    if ((st & 0x44) != 4 || chance(hostile ? 15 : 3))
        vt_init(v, hostile);
    else if (chance(hostile ? 10 : 2))
        vt_setup_queue(v, q, hostile);
    int reqs = 1 + (int)below(chance(90) ? 3 : 20);
    for (int i = 0; i < reqs; i++)
        vt_request(v, q, hostile);
}

static void op_vio_config(void)
{
    vdev *v = rnd_vdev();
    if (!v)
        return;
    u64 base = v->kind == VK_MMIO ? v->base + 0x100 : vp_cap(v, 4);
    u64 off = chance(80) ? below(0x40) : below(0x1000);
    int size = rnd_size();
    if (chance(80))
        off &= ~(u64)(size - 1);
    if (chance(60))
        do_read(base + off, size);
    else
        do_write(base + off, size, rnd_val());
}

static void op_msix(void)
{
    vdev *v = rnd_vdev();
    if (!v || v->kind != VK_PCI)
        return;
    pci_make_sane(v->pd);
    msix_op(v->pd);
    if (chance(50)) {
        vt_wr(v, 0x10, 2, chance(70) ? 0 : rnd_val());
        if (v->q[0].num)
            vt_request(v, 0, chance(30));
    }
}

static void op_probe(void)
{
    u64 a = chance(80) ? rnd_device_addr() : scratch_addr(0x100, 2);
    if (chance(90))
        a &= ~1ull;
    probe_exec(a);
}

static void op_scribble(void)
{
    /* the CPU changes rings behind the devices' backs */
    vdev *v = rnd_vdev();
    if (!v)
        return;
    vq *q = &v->q[below(4)];
    u64 a;
    switch (below(4)) {
    case 0: a = q->avail + below(8); break;
    case 1: a = q->used + below(8); break;
    case 2: a = q->desc + below(64); break;
    default: a = scratch_addr(64, 1); break;
    }
    if (in_scratch(a, 8)) {
        int size = rnd_size();
        if (!(a & (u64)(size - 1)) || chance(30))
            wr_raw(a, size, rnd_val());
    }
}

/* A virtio-pci function's configuration access window: BAR4, an offset, a length, then
 * the data register read or written (writes reach BAR4 from configuration space). */
static void op_cfgwin(void)
{
    vdev *v = rnd_vdev();
    if (!v || v->kind != VK_PCI || !v->pd->cfg_cap)
        return;
    pdev *d = v->pd;
    unsigned c = d->cfg_cap;
    static const u32 offs[] = { 0x00, 0x04, 0x08, 0x0c, 0x10, 0x12, 0x14, 0x15, 0x16, 0x18, 0x1a,
                                0x1c, 0x1e, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x1000, 0x2000,
                                0x2004, 0x3000, 0x3004 };
    cfg_wr(d->devfn, c + 4, 1, chance(90) ? 4 : below(8));
    cfg_wr(d->devfn, c + 8, 4, chance(85) ? offs[below(24)] : chance(50) ? below(0x4000) : rnd_val());
    cfg_wr(d->devfn, c + 12, 4, chance(90) ? 1u << below(3) : rnd_val());
    int size = chance(80) ? 4 : (int)(1u << below(3));
    for (int k = 0; k < 1 + (int)below(3); k++) {
        if (chance(50))
            cfg_rd(d->devfn, c + 16, size);
        else
            cfg_wr(d->devfn, c + 16, size, chance(50) ? below(8) : rnd_val());
    }
}

/* Any register of a virtio transport, read or written. */
static void op_vio_regs(void)
{
    vdev *v = rnd_vdev();
    if (!v)
        return;
    u64 a;
    int size;
    if (v->kind == VK_MMIO) {
        a = v->base + (chance(90) ? 4 * below(0x40) : below(0x100));
        size = chance(85) ? 4 : rnd_size();
    } else {
        static const u8 fields[][2] = { { 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 },
                                        { 0x12, 2 }, { 0x14, 1 }, { 0x15, 1 }, { 0x16, 2 }, { 0x18, 2 },
                                        { 0x1a, 2 }, { 0x1c, 2 }, { 0x1e, 2 }, { 0x20, 8 }, { 0x24, 4 },
                                        { 0x28, 8 }, { 0x2c, 4 }, { 0x30, 8 }, { 0x34, 4 } };
        switch (below(4)) {
        case 0: case 1: {
            int f = (int)below(19);
            a = vp_cap(v, 1) + fields[f][0];
            size = chance(80) ? fields[f][1] : rnd_size();
            if (size == 8 && (fields[f][0] & 4))
                size = 4;
            break;
        }
        case 2: a = vp_cap(v, 3) + below(8); size = rnd_size(); break;
        default: a = vp_cap(v, 2) + below(0x20); size = rnd_size(); break;
        }
    }
    if (chance(80))
        a &= ~(u64)(size - 1);
    if (chance(55))
        do_read(a, size);
    else
        do_write(a, size, chance(50) ? below(0x100) : rnd_val());
}

/* The PLIC as a driver uses it: sources on, claim, complete. */
static void op_plic(void)
{
    unsigned ctx = (unsigned)below(chance(90) ? 2 : 4);
    if (chance(30)) {
        unsigned src = (unsigned)below(96);
        do_write(PLIC_BASE + 4 * src, 4, below(8));
        do_write(PLIC_BASE + 0x2000 + 0x80 * ctx + 4 * (src / 32), 4, chance(70) ? ~0ull : rnd_val());
        do_write(PLIC_BASE + 0x200000 + 0x1000 * ctx, 4, below(8));
    }
    u32 claim = (u32)do_read(PLIC_BASE + 0x200004 + 0x1000 * ctx, 4);
    if (chance(85))
        do_write(PLIC_BASE + 0x200004 + 0x1000 * (chance(90) ? ctx : (unsigned)below(4)), 4,
                 chance(85) ? claim : below(100));
}

/* Sstc: the supervisor timer compare the CLINT backs, from M-mode. */
static void op_stimecmp(void)
{
    if (chance(80))
        csrs(0x30a, 1ull << 63);                 /* menvcfg.STCE */
    else
        csrc(0x30a, 1ull << 63);
    u64 v;
    switch (below(4)) {
    case 0: v = rdtime() + below(100000); break;
    case 1: v = ~0ull; break;
    case 2: v = rdtime() - below(1000); break;
    default: v = rnd_val(); break;
    }
    csrw(0x14d, v);
}

/* ivshmem-plain: host memory as a BAR. Placed somewhere free, written, moved: the new place
 * must hold what was written, the old one must go dead at once (a stale mapping fails the
 * run), and decode off must hide it. */
static pdev *ivshmem;

static int bar_overlaps(u64 a, u64 size, pdev *skip, int skip_bar)
{
    for (int i = 0; i < npdev; i++) {
        pdev *d = &pdevs[i];
        for (int j = 0; j < 6; j++) {
            if (!d->bar_size[j] || d->bar_kind[j] == 4 || d->bar_kind[j] == 3 || (d == skip && j == skip_bar))
                continue;
            u64 b = bar_get(d, j);
            if (b < a + size && a < b + d->bar_size[j])
                return 1;
        }
    }
    return 0;
}

static u64 free_place(u64 size)
{
    for (int tries = 0; tries < 8; tries++) {
        u64 a = chance(50) ? PCIMEM_BASE + (below(PCIMEM_SIZE - size) & ~(size - 1))
                           : mmio64_base + (below(MMIO64_SIZE - size) & ~(size - 1));
        if (!bar_overlaps(a, size, ivshmem, 2))
            return a;
    }
    return 0;
}

static void op_ivshmem(void)
{
    pdev *d = ivshmem;
    if (!d || d->bar_kind[2] != 2)
        return;
    u64 size = d->bar_size[2];
    u64 x = free_place(size), y = free_place(size);
    if (!x || !y || (x < y + size && y < x + size))
        return;
    u16 cmd = (u16)cfg_rd(d->devfn, 4, 2);
    cfg_wr(d->devfn, 4, 2, cmd | 2);
    bar_set(d, 2, x);
    u64 off = below(size / 8) * 8, val = filt(rnd() | 1, 8);      /* as do_write will write it */
    int size_w = chance(70) ? 8 : (int)(1u << below(3));
    u64 mask = size_w == 8 ? ~0ull : (1ull << (8 * size_w)) - 1;
    off &= ~(u64)(size_w - 1);
    do_write(x + off, size_w, val);
    u64 got = do_read(x + off, size_w);
    if (got != (val & mask))
        die("ivshmem: a write to its BAR reads back otherwise", got, val & mask);
    bar_set(d, 2, y);
    got = do_read(x + off, size_w);
    if (got != mask)
        die("ivshmem: the BAR's old place still answers after a move", x + off, got);
    got = do_read(y + off, size_w);
    if (got != (val & mask))
        die("ivshmem: the moved BAR lost what was written", y + off, got);
    if (chance(30)) {
        cfg_wr(d->devfn, 4, 2, cmd & ~2u);
        got = do_read(y + off, size_w);
        if (got != mask)
            die("ivshmem: the BAR answers with memory decode off", y + off, got);
        cfg_wr(d->devfn, 4, 2, cmd | 2);
    }
    if (chance(30))
        probe_exec(y + off);                     /* run what is there, in the sandbox */
}

/* ---- the run ---- */

static u64 checksum(const char *a, const char *b)
{
    u64 h = 0xcbf29ce484222325ull;
    for (const char *p = a; p < b; p++)
        h = (h ^ (u8)*p) * 0x100000001b3ull;
    return h;
}

static void discover_virtio(void)
{
    nvdev = 0;
    ivshmem = 0;
    for (int i = 0; i < npdev; i++)
        if (pdevs[i].vendor == 0x1af4 && pdevs[i].device == 0x1110)
            ivshmem = &pdevs[i];
    for (unsigned s = 0; s < VIRTIO_SLOTS; s++) {
        u64 base = VIRTIO_BASE + 0x1000ull * s;
        if (do_read(base, 4) != 0x74726976)
            continue;
        u32 id = (u32)do_read(base + 8, 4);
        if (!id)
            continue;
        vdev *v = &vdevs[nvdev++];
        memset(v, 0, sizeof(*v));
        v->kind = VK_MMIO;
        v->base = base;
        v->legacy = do_read(base + 4, 4) == 1;
        v->devid = id;
        /* the queues there are: QueueNumMax is 0 past the last (up to 4 used here) */
        v->nq = 1;
        while (v->nq < 4) {
            do_write(base + 0x30, 4, v->nq);
            if (!do_read(base + 0x34, 4))
                break;
            v->nq++;
        }
    }
    for (int i = 0; i < npdev && nvdev < 16; i++) {
        pdev *d = &pdevs[i];
        if (!d->virtio || !d->cap_bar[1])
            continue;
        vdev *v = &vdevs[nvdev++];
        memset(v, 0, sizeof(*v));
        v->kind = VK_PCI;
        v->pd = d;
        v->devid = d->device >= 0x1040 ? d->device - 0x1040u : 0;
        pci_place(d, (int)(i & 1));
        v->nq = (unsigned)vt_rd(v, 0x12, 2);
        if (v->nq > 4)
            v->nq = 4;
    }
}

static void op_vio_sane(void) { op_vio(0); }
static void op_vio_hostile(void) { op_vio(1); }

static const struct op { unsigned weight; void (*fn)(void); const char *name; } ops[] = {
    { 28, raw_op, "raw" }, { 10, op_cfg, "cfg" }, { 4, op_bar, "bar" }, { 3, op_cmd, "cmd" },
    { 13, op_vio_sane, "vio" }, { 13, op_vio_hostile, "vio-hostile" }, { 4, op_vio_config, "vio-config" },
    { 5, op_vio_regs, "vio-regs" }, { 3, op_cfgwin, "cfg-window" }, { 5, op_msix, "msix" },
    { 2, op_probe, "probe" }, { 3, op_scribble, "scribble" }, { 2, op_plic, "plic" },
    { 1, op_stimecmp, "stimecmp" }, { 4, op_ivshmem, "ivshmem" },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

int devfuzz_main(u64 fdt)
{
    parse_args(fdt);
    ram_end = DRAM_BASE + ram_size;
    mmio64_base = (ram_end + MMIO64_SIZE - 1) & ~(MMIO64_SIZE - 1);
    scratch_lo = PROT_END;
    scratch_hi = ram_end;
    u64 z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    rs = (z ^ (z >> 31)) | 1;
    u64 sum = checksum(_text_start, _ro_end);

    line_begin();
    puts_raw("devfuzz: seed ");
    put_dec(seed);
    puts_raw(", up to ");
    put_dec(max_iters);
    puts_raw(" operations or ");
    put_dec(max_secs);
    puts_raw(" s\n");
    line_end();

    pmp_setup();
    pci_discover();
    discover_virtio();
    line_begin();
    puts_raw("devfuzz: ");
    put_dec((u64)npdev);
    puts_raw(" PCI functions, ");
    put_dec((u64)nvdev);
    puts_raw(" virtio devices:");
    for (int i = 0; i < nvdev; i++) {
        puts_raw(vdevs[i].kind == VK_PCI ? " pci:" : vdevs[i].legacy ? " mmio-legacy:" : " mmio:");
        put_dec(vdevs[i].devid);
    }
    puts_raw("\n");
    line_end();

    u64 t0 = rdtime(), limit = max_secs * 10000000ull;
    u64 slow_ticks = 0, slow_iter = 0;
    unsigned slow_op = 0;
    for (iter = 0; iter < max_iters; iter++) {
        if ((iter & 63) == 0 && max_secs && rdtime() - t0 > limit)
            break;
        unsigned total = 0, op = 0;
        for (unsigned i = 0; i < NOPS; i++)
            total += ops[i].weight;
        unsigned w = (unsigned)below(total);
        while (w >= ops[op].weight)
            w -= ops[op++].weight;
        if (iter >= trace_from) {
            line_begin();
            puts_raw("devfuzz: op ");
            put_dec(iter);
            puts_raw(" ");
            puts_raw(ops[op].name);
            puts_raw(" rng ");
            put_hex(rs);
            puts_raw("\n");
            line_end();
        }
        u64 t1 = rdtime();
        ops[op].fn();
        t1 = rdtime() - t1;
        if (t1 > slow_ticks) {
            slow_ticks = t1;
            slow_iter = iter;
            slow_op = op;
        }
    }

    /* quiet the devices a little, then report */
    *(volatile u64 *)(CLINT_BASE + 0x4000) = ~0ull;
    uart[1] = 0;
    uart[2] = 0;
    uart[3] = 0x03;
    uart[4] = 0x00;
    if (checksum(_text_start, _ro_end) != sum)
        die("the program's code or constants changed under it", sum, 0);
    puts_raw("\ndevfuzz: ");
    put_dec(iter);
    puts_raw(" operations, ");
    put_dec(n_dma_req);
    puts_raw(" virtio requests (");
    put_dec(n_used);
    puts_raw(" used, ");
    put_dec(n_used_sane);
    puts_raw(" of them well-formed), ");
    put_dec(n_probes);
    puts_raw(" fetch probes (");
    put_dec(n_probe_timeouts);
    puts_raw(" timed out); the slowest operation ");
    put_dec(slow_iter);
    puts_raw(" (");
    puts_raw(ops[slow_op].name);
    puts_raw(") took ");
    put_dec(slow_ticks / 10000);
    puts_raw(" ms\n");
    puts_raw("devfuzz: seed ");
    put_dec(seed);
    puts_raw(", ");
    put_dec(n_access);
    puts_raw(" accesses, ");
    put_dec(n_traps);
    puts_raw(" traps\n");
    finish(0x5555);
    return 0;
}
