/*
 * bochs-display under KVM (tests/shell/kvm-display.sh): the firmware placed the BARs;
 * the guest finds 1234:1111 through ports 0xCF8/0xCFC, checks the DISPI ID, sets
 * 320x200x32 and draws picture A over the whole frame, then picture B over part of it
 * (rows 50-99 and four single pixels in other pages). VRAM is a KVM memory slot: the
 * window learns what changed only from KVM's dirty log.
 *
 * It talks with the test over the serial port: after each step it prints a line
 * ("bochs: mode", "bochs: A", "bochs: B") and waits for a byte from the host (the test
 * has looked at the window by then), or about 10 s without one, so that it ends alone
 * too. The pictures are those kvm-display.sh computes.
 */
#include "guest.h"

#define COM1 0x3f8
#define TICK_VECTOR 0x40
#define W 320
#define H 200

static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint32_t cfg_read(unsigned devfn, unsigned reg)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc));
    return inl(0xcfc);
}

#define R16(a) (*(volatile uint16_t *)(a))
#define R32(a) (*(volatile uint32_t *)(a))

enum { DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
       DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET };

static uint64_t vram, mmio;

static void dispi(unsigned idx, uint16_t v) { R16(mmio + 0x500 + 2 * idx) = v; }

static uint32_t picture_a(unsigned x, unsigned y)
{
    return ((x * 7 + y) & 255) << 16 | ((y * 3) & 255) << 8 | ((x ^ y) & 255);
}

static void pixel(unsigned x, unsigned y, uint32_t v) { R32(vram + 4 * ((uint64_t)y * W + x)) = v; }

static volatile unsigned ticks;

static void on_tick(unsigned v)
{
    (void)v;
    ticks++;
}

/* a byte from the host, or about 10 s (a 10 ms tick, counting halts as well) */
static void wait_host(void)
{
    unsigned start = ticks;
    lapic_timer(TICK_VECTOR, 625000, true);          /* 10 ms at KVM's 1 GHz APIC bus / 16 */
    for (unsigned n = 0; n < 1000 && ticks - start < 1000; n++) {
        if (inb(COM1 + 5) & 1) {
            (void)inb(COM1);
            break;
        }
        halt();
    }
    lapic_timer(TICK_VECTOR, 0, false);
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    idt_init();
    lapic_init();
    set_handler(TICK_VECTOR, on_tick);
    int found = -1;
    for (unsigned slot = 0; slot < 32 && found < 0; slot++)
        if (cfg_read(slot << 3, 0) == 0x11111234u)
            found = (int)slot;
    if (found < 0)
        finish(2);
    unsigned dev = (unsigned)found << 3;
    if ((cfg_read(dev, 0x04) & 2) == 0)              /* the firmware turned decoding on */
        finish(3);
    vram = cfg_read(dev, 0x10) & ~15u;
    mmio = cfg_read(dev, 0x18) & ~15u;
    if (vram < 0xc0000000ul || mmio < 0xc0000000ul)
        finish(4);
    if (R16(mmio + 0x500 + 2 * DISPI_ID) != 0xb0c5)
        finish(5);
    dispi(DISPI_ENABLE, 0);
    dispi(DISPI_BPP, 32);
    dispi(DISPI_XRES, W);
    dispi(DISPI_YRES, H);
    dispi(DISPI_VIRT_WIDTH, W);
    dispi(DISPI_X_OFFSET, 0);
    dispi(DISPI_Y_OFFSET, 0);
    dispi(DISPI_ENABLE, 0x41);                       /* enabled, linear frame buffer */
    if (R16(mmio + 0x500 + 2 * DISPI_XRES) != W || R16(mmio + 0x500 + 2 * DISPI_YRES) != H)
        finish(6);
    puts_("bochs: mode 320x200x32, VRAM at ");
    puthex(vram);
    puts_(", MMIO at ");
    puthex(mmio);
    puts_("\n");
    wait_host();

    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++)
            pixel(x, y, picture_a(x, y));
    puts_("bochs: A\n");
    wait_host();

    /* B: rows 50-99 (VRAM pages 15-31) and single pixels in pages 3, 37, 46 and 62 */
    for (unsigned y = 50; y < 100; y++)
        for (unsigned x = 0; x < W; x++)
            pixel(x, y, 0x00ff8040);
    pixel(5, 10, 0x00ffffff);
    pixel(100, 120, 0x00ffffff);
    pixel(200, 150, 0x00ffffff);
    pixel(319, 199, 0x00ffffff);
    puts_("bochs: B\n");
    wait_host();
    puts_("bochs: done\n");
}
