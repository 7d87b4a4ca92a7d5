/*
 * bochs-display on the software path (tests/shell/display-dirty.sh): a bare-metal guest
 * (M-mode, -bios none, no MMU) on virt finds 1234:1111 through ECAM, places its BARs in
 * the 32-bit MMIO window itself (VRAM there is a RAM-backed overlay the harts reach
 * through their TLBs), checks the DISPI ID and sets 320x200x32. It then writes the whole
 * frame three times: black (before the test looks at the new mode), picture A over all
 * of it, and picture B over part of it (rows 50-99 and single pixels in pages A wrote).
 * It never flushes anything, so every page's writable translation stays in the hart's
 * TLB from one step to the next: the window learns of a later step's stores only if
 * taking the dirty bits dropped those translations (hw/riscv/virt.c) and the next store
 * set its bit again (cpu/riscv/mmu.c). B uses 4-, 8-, 2- and 1-byte stores and an
 * amoor.w.
 *
 * It talks with the test over the UART: after each step it prints a line ("bochs:
 * mode", "bochs: A", "bochs: B") and waits for a byte from the host (the test has looked
 * at the window by then), or about 10 s without one, so that it ends alone too. The
 * pictures are those display-dirty.sh computes.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define FINISHER ((volatile uint32_t *)0x100000UL)
#define MTIMECMP ((volatile uint64_t *)0x2004000UL)
#define MTIME ((volatile uint64_t *)0x200bff8UL)
#define ECAM 0x30000000UL
#define VRAM_AT 0x40000000UL            /* 16 MiB, aligned */
#define MMIO_AT 0x41000000UL
#define W 320
#define H 200

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void finish(int code) { *FINISHER = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555; for (;;) ; }

#define CFG32(devfn, reg) (*(volatile uint32_t *)(ECAM + ((uint64_t)(devfn) << 12) + (reg)))
#define CFG16(devfn, reg) (*(volatile uint16_t *)(ECAM + ((uint64_t)(devfn) << 12) + (reg)))
#define R16(a) (*(volatile uint16_t *)(a))

enum { DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
       DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET };

static void dispi(unsigned idx, uint16_t v) { R16(MMIO_AT + 0x500 + 2 * idx) = v; }

static uint32_t picture_a(unsigned x, unsigned y)
{
    return ((x * 7 + y) & 255) << 16 | ((y * 3) & 255) << 8 | ((x ^ y) & 255);
}

static uint64_t at(unsigned x, unsigned y) { return VRAM_AT + 4 * ((uint64_t)y * W + x); }
static void pixel(unsigned x, unsigned y, uint32_t v) { *(volatile uint32_t *)at(x, y) = v; }

/* a byte from the host, or about 10 s: the timer wakes wfi every 10 ms (mie.MTIE with
 * mstatus.MIE clear wakes it without a trap) */
static void wait_host(void)
{
    uint64_t end = *MTIME + 100000000;   /* 10 MHz */
    __asm__ volatile("csrs mie, %0" :: "r"(1ul << 7));
    while (*MTIME < end) {
        if (UART[5] & 1) {
            (void)UART[0];
            break;
        }
        *MTIMECMP = *MTIME + 100000;
        __asm__ volatile("wfi");
    }
    *MTIMECMP = ~0ull;
    __asm__ volatile("csrc mie, %0" :: "r"(1ul << 7));
}

void main(void)
{
    int found = -1;
    for (unsigned slot = 0; slot < 32 && found < 0; slot++)
        if (CFG32(slot << 3, 0) == 0x11111234u)
            found = (int)slot;
    if (found < 0)
        finish(2);
    unsigned dev = (unsigned)found << 3;
    /* BAR 0: 16 MiB of VRAM, 32-bit prefetchable; BAR 2: 4 KiB of registers */
    CFG16(dev, 0x04) = 0;
    CFG32(dev, 0x10) = 0xffffffffu;
    CFG32(dev, 0x18) = 0xffffffffu;
    if (CFG32(dev, 0x10) != 0xff000008u || CFG32(dev, 0x18) != 0xfffff000u)
        finish(3);
    CFG32(dev, 0x10) = VRAM_AT;
    CFG32(dev, 0x18) = MMIO_AT;
    CFG16(dev, 0x04) = 2;                            /* memory */
    if (R16(MMIO_AT + 0x500 + 2 * DISPI_ID) != 0xb0c5)
        finish(4);
    dispi(DISPI_ENABLE, 0);
    dispi(DISPI_BPP, 32);
    dispi(DISPI_XRES, W);
    dispi(DISPI_YRES, H);
    dispi(DISPI_VIRT_WIDTH, W);
    dispi(DISPI_X_OFFSET, 0);
    dispi(DISPI_Y_OFFSET, 0);
    dispi(DISPI_ENABLE, 0x41);                       /* enabled, linear frame buffer */
    if (R16(MMIO_AT + 0x500 + 2 * DISPI_XRES) != W || R16(MMIO_AT + 0x500 + 2 * DISPI_YRES) != H)
        finish(5);
    /* the first write of every page: black, as the new mode shows it anyway, but now
     * the hart holds a writable translation of each of the frame's 63 pages */
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++)
            pixel(x, y, 0);
    puts_("bochs: mode 320x200x32, VRAM at 0x40000000, registers at 0x41000000\n");
    wait_host();

    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++)
            pixel(x, y, picture_a(x, y));
    puts_("bochs: A\n");
    wait_host();

    /* B: rows 50-79 in words, rows 80-99 in doublewords (VRAM pages 15-31) */
    for (unsigned y = 50; y < 80; y++)
        for (unsigned x = 0; x < W; x++)
            pixel(x, y, 0x00ff8040);
    for (unsigned y = 80; y < 100; y++)
        for (unsigned x = 0; x < W; x += 2)
            *(volatile uint64_t *)at(x, y) = 0x00ff804000ff8040ull;
    /* single pixels in pages 3, 37, 47, 50 and 62, each another way */
    volatile uint8_t *p8 = (volatile uint8_t *)at(5, 10);
    for (int i = 0; i < 4; i++)
        p8[i] = 0xff;                                /* bytes (page 3): 0xffffffff */
    pixel(100, 120, 0x00ffffff);                     /* a word (page 37) */
    __asm__ volatile("amoor.w zero, %1, (%0)"        /* an AMO (page 47) */
                     :: "r"(at(200, 150)), "r"(0x00ffffffu) : "memory");
    *(volatile uint64_t *)at(64, 160) = 0x0000ff000000ff00ull;  /* a doubleword: 2 pixels (page 50) */
    volatile uint16_t *p16 = (volatile uint16_t *)at(319, 199);
    p16[0] = 0xffff;                                 /* halfwords (page 62) */
    p16[1] = 0x00ff;
    puts_("bochs: B\n");
    wait_host();
    puts_("bochs: done\n");
}
