/*
 * ivshmem-plain under KVM: the firmware placed BAR 2 (the host's shared memory) and the
 * guest finds it through ports 0xCF8/0xCFC, reads what the host wrote and writes a
 * reply, then moves the BAR itself: the old place must read as nothing and the new one
 * show the same memory (tern moves the BAR's KVM memory slot along).
 */
#include "guest.h"

#define AT_B 0xc8000000ul       /* in the PCI MMIO window, 1 MiB aligned */

static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint32_t cfg_read(unsigned devfn, unsigned reg)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc));
    return inl(0xcfc);
}

static void cfg_write(unsigned devfn, unsigned reg, uint32_t v)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc));
    outl(0xcfc, v);
}

#define M8(a) (*(volatile uint8_t *)(a))
#define M64(a) (*(volatile uint64_t *)(a))

static int same(uint64_t a, const char *s)
{
    for (int i = 0; s[i]; i++)
        if (M8(a + i) != (uint8_t)s[i])
            return 0;
    return 1;
}

static void put(uint64_t a, const char *s)
{
    int i = 0;
    for (; s[i]; i++)
        M8(a + i) = (uint8_t)s[i];
    M8(a + i) = 0;
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    int found = -1;
    for (unsigned slot = 0; slot < 32; slot++)
        if (cfg_read(slot << 3, 0) == 0x11101af4u)
            found = (int)slot;
    if (found < 0)
        finish(2);
    unsigned dev = (unsigned)found << 3;
    if ((cfg_read(dev, 0x04) & 2) == 0)              /* the firmware turned decoding on */
        finish(3);
    uint64_t at = (cfg_read(dev, 0x18) & ~15u) | (uint64_t)cfg_read(dev, 0x1c) << 32;
    if (at < 0xc0000000ul || at >= 0xe0000000ul || at % 0x100000)
        finish(4);
    if (!same(at, "host-pattern"))
        finish(5);
    for (int round = 0; round < 10; round++)
        for (uint64_t off = 0; off < 0x1000; off += 8)
            M64(at + 0x10000 + off) = off * 3 + (uint64_t)round;
    put(at + 0x1000, "guest-reply");
    /* move it: decoding off, the new address, decoding on */
    uint32_t cmd = cfg_read(dev, 0x04) & 0xffff;
    cfg_write(dev, 0x04, cmd & ~2u);
    if (M64(at + 0x1000) != ~0ull)                   /* decoding off: nothing there */
        finish(6);
    cfg_write(dev, 0x18, (uint32_t)AT_B);
    cfg_write(dev, 0x1c, 0);
    cfg_write(dev, 0x04, cmd | 2);
    if (M64(at + 0x1000) != ~0ull || M8(at) != 0xff)
        finish(7);
    if (!same(AT_B + 0x1000, "guest-reply") || M64(AT_B + 0x10000 + 8) != 8 * 3 + 9)
        finish(8);
    put(AT_B + 0x2000, "moved-reply");
    puts_("ivshmem: host pattern read, reply written, BAR moved, RAM kept\n");
}
