/*
 * A bare-metal guest (M-mode, -bios none) on virt with an ivshmem-plain: finds it
 * through ECAM, places BAR 2 (the host's shared memory) in the PCI MMIO window itself,
 * reads what the host wrote there and writes a reply; moves the BAR and checks that the
 * old place reads as nothing while the new one shows the same memory (a hart must not
 * keep reaching it at the old place through its TLB); and programs the BAR over RAM,
 * where RAM must win, since the host bridge decodes only its windows.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define FINISHER ((volatile uint32_t *)0x100000UL)
#define ECAM 0x30000000UL
#define BAR0_AT 0x40000000UL
#define AT_A 0x40100000UL
#define AT_B 0x40200000UL
#define OVER_RAM 0x80400000UL

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void finish(int code) { *FINISHER = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555; for (;;) ; }

#define CFG32(devfn, reg) (*(volatile uint32_t *)(ECAM + ((uint64_t)(devfn) << 12) + (reg)))
#define CFG16(devfn, reg) (*(volatile uint16_t *)(ECAM + ((uint64_t)(devfn) << 12) + (reg)))
#define M8(a) (*(volatile uint8_t *)(a))
#define M64(a) (*(volatile uint64_t *)(a))

static unsigned dev;

static void place_bar2(uint64_t at)
{
    CFG16(dev, 0x04) = 0;                       /* decoding off while it moves */
    CFG32(dev, 0x18) = (uint32_t)at;
    CFG32(dev, 0x1c) = (uint32_t)(at >> 32);
    CFG16(dev, 0x04) = 2;                       /* memory */
}

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

void main(void)
{
    int found = -1;
    for (unsigned slot = 0; slot < 32; slot++)
        if (CFG32(slot << 3, 0) == 0x11101af4u)
            found = (int)slot;
    if (found < 0)
        finish(2);
    dev = (unsigned)found << 3;
    if (CFG16(dev, 0x0a) != 0x0500)             /* class: RAM memory */
        finish(3);
    /* size BAR 2: a 64-bit prefetchable BAR of the backend's 1 MiB */
    CFG32(dev, 0x18) = 0xffffffffu;
    CFG32(dev, 0x1c) = 0xffffffffu;
    if (CFG32(dev, 0x18) != 0xfff0000cu || CFG32(dev, 0x1c) != 0xffffffffu)
        finish(4);
    CFG32(dev, 0x10) = BAR0_AT;
    place_bar2(AT_A);
    if (!same(AT_A, "host-pattern"))
        finish(5);
    /* many stores, so the later ones take the TLB's fast path */
    for (int round = 0; round < 1000; round++)
        for (uint64_t off = 0; off < 0x1000; off += 8)
            M64(AT_A + 0x10000 + off) = off * 3 + (uint64_t)round;
    put(AT_A + 0x1000, "guest-reply");
    /* a page read many times with nothing else on its TLB line (the program's own
     * pages sit at other indexes), so a stale entry would survive the move */
    M64(AT_A + 0x3008) = 0x5151515151515151ull;
    uint64_t sum = 0;
    for (int i = 0; i < 100; i++)
        sum += M64(AT_A + 0x3008);
    if (sum != 100 * 0x5151515151515151ull)
        finish(10);
    /* moved: nothing at the old place, the same memory at the new one */
    place_bar2(AT_B);
    if (M64(AT_A + 0x3008) != ~0ull || M64(AT_A + 0x1000) != ~0ull || M8(AT_A) != 0xff)
        finish(6);
    if (!same(AT_B + 0x1000, "guest-reply") || M64(AT_B + 0x10000 + 8) != 8 * 3 + 999)
        finish(7);
    put(AT_B + 0x2000, "moved-reply");
    /* over RAM the bridge does not decode it: RAM answers */
    M64(OVER_RAM) = 0x1122334455667788ull;
    place_bar2(OVER_RAM);
    if (M64(OVER_RAM) != 0x1122334455667788ull)
        finish(8);
    /* decoding off: nothing anywhere */
    place_bar2(AT_A);
    CFG16(dev, 0x04) = 0;
    if (M64(AT_A) != ~0ull)
        finish(9);
    puts_("ivshmem: host pattern read, reply written, BAR moved, RAM kept\n");
}
