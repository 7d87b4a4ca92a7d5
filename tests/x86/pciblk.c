/*
 * PCI on microvm as a kernel without ACPI sees it: enumerate bus 0 through ports
 * 0xCF8/0xCFC, find the host bridge and a virtio-blk-pci (modern, 1af4:1042), size
 * and move its BAR 4 itself, find the virtio structures through the capability list,
 * and read sector 0 and write sector 1, each completion signalled by INTx through the
 * I/O APIC (the pin the MP table's swizzle gives: GSI 12 + (slot + pin - 1) mod 4).
 * Between the two requests the BAR moves again: the old address must read as nothing.
 * Then MSI-X, as Linux on x86 uses it: a table entry aimed at this CPU's local APIC,
 * the queue's vector set, and a third request completed by the message alone; a fourth
 * while the vector is masked, whose message waits (pending) until it is unmasked.
 */
#include "guest.h"
#include "../guest-common/virtio_blk.h"

#define VECTOR 0x51
#define MSI_VECTOR 0x52
#define BAR1_AT 0xc0300000ul
#define BAR_A 0xc0100000ul      /* in the PCI MMIO window (0xc0000000, 512 MiB) */
#define BAR_B 0xc0200000ul

static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint32_t cfg_addr(unsigned devfn, unsigned reg)
{
    return 0x80000000u | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_read32(unsigned devfn, unsigned reg)
{
    outl(0xcf8, cfg_addr(devfn, reg));
    return inl(0xcfc);
}

static uint8_t cfg_read8(unsigned devfn, unsigned reg)
{
    outl(0xcf8, cfg_addr(devfn, reg));
    return inb((uint16_t)(0xcfc + (reg & 3)));
}

static void cfg_write32(unsigned devfn, unsigned reg, uint32_t v)
{
    outl(0xcf8, cfg_addr(devfn, reg));
    outl(0xcfc, v);
}

static void cfg_write16(unsigned devfn, unsigned reg, uint16_t v)
{
    outl(0xcf8, cfg_addr(devfn, reg));
    outw((uint16_t)(0xcfc + (reg & 2)), v);
}

static uint16_t cfg_read16(unsigned devfn, unsigned reg)
{
    outl(0xcf8, cfg_addr(devfn, reg));
    return inw((uint16_t)(0xcfc + (reg & 2)));
}

#define R8(a) (*(volatile uint8_t *)(a))
#define R16(a) (*(volatile uint16_t *)(a))
#define R32(a) (*(volatile uint32_t *)(a))

static unsigned blk_devfn;
static uint64_t bar;                    /* where BAR 4 is now */
static uint32_t off_common, off_notify, off_isr, notify_mult;
static volatile unsigned interrupts, msis;

static void on_msi(unsigned v)
{
    (void)v;
    msis++;
}

static void on_irq(unsigned v)
{
    (void)v;
    (void)R8(bar + off_isr);            /* reading the ISR acknowledges: INTx drops */
    interrupts++;
}

static void place_bar(uint64_t addr)
{
    uint16_t cmd = cfg_read16(blk_devfn, 0x04);
    cfg_write16(blk_devfn, 0x04, cmd & (uint16_t)~2);          /* memory decode off while moving */
    cfg_write32(blk_devfn, 0x20, (uint32_t)addr);
    cfg_write32(blk_devfn, 0x24, (uint32_t)(addr >> 32));
    cfg_write16(blk_devfn, 0x04, cmd | 2 | 4);                 /* memory, bus master */
    bar = addr;
}

static void request(uint32_t type, uint64_t sector)
{
    uint16_t want = vblk_queue(type, sector);
    unsigned before = interrupts;
    cli();
    R16(bar + off_notify + 0 * notify_mult) = 0;              /* queue 0's notify address */
    while (interrupts == before)
        halt();
    if (vblk_used_idx() != want)
        finish(7);
    if (vblk_status != 0)
        finish(3);
}

static void setup(void)
{
    uint64_t c = bar + off_common;
    R8(c + 0x14) = 0;                                          /* reset */
    R8(c + 0x14) = 1 | 2;
    R32(c + 0x08) = 1;
    R32(c + 0x0c) = 1;                                         /* VERSION_1 */
    R32(c + 0x08) = 0;
    R32(c + 0x0c) = 0;
    R8(c + 0x14) = 1 | 2 | 8;
    if (!(R8(c + 0x14) & 8))
        finish(4);
    R16(c + 0x16) = 0;                                         /* queue 0 */
    if (R16(c + 0x18) < VBLK_QSIZE)
        finish(5);
    R16(c + 0x18) = VBLK_QSIZE;
    R16(c + 0x1a) = 0xffff;                                    /* no MSI-X vector: INTx */
    R32(c + 0x20) = (uint32_t)(uint64_t)vblk_descs;
    R32(c + 0x24) = (uint32_t)((uint64_t)vblk_descs >> 32);
    R32(c + 0x28) = (uint32_t)(uint64_t)&vblk_avail;
    R32(c + 0x2c) = (uint32_t)((uint64_t)&vblk_avail >> 32);
    R32(c + 0x30) = (uint32_t)(uint64_t)&vblk_used;
    R32(c + 0x34) = (uint32_t)((uint64_t)&vblk_used >> 32);
    if (R16(c + 0x1e) != 0)                                    /* queue 0's notify offset */
        finish(12);
    R16(c + 0x1c) = 1;                                         /* enable */
    R8(c + 0x14) = 1 | 2 | 8 | 4;                              /* DRIVER_OK */
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    /* configuration mechanism #1 answers: the latch reads back */
    outl(0xcf8, 0x80000000u);
    if (inl(0xcf8) != 0x80000000u)
        finish(20);
    if (cfg_read32(0, 0) != 0x00081b36u)                       /* the host bridge, QEMU's IDs */
        finish(21);
    int found = -1;
    for (unsigned slot = 0; slot < 32; slot++) {
        uint32_t id = cfg_read32(slot << 3, 0);
        if (id == 0xffffffffu)
            continue;
        puts_("pci slot ");
        putu(slot);
        puts_(": ");
        puthex(id);
        puts_(" class ");
        puthex(cfg_read32(slot << 3, 8) >> 8);
        puts_("\n");
        if (id == 0x10421af4u && found < 0)
            found = (int)slot;
    }
    if (found < 0)
        finish(22);
    blk_devfn = (unsigned)found << 3;
    /* the virtio structures, from the vendor capabilities: BAR 4 for each */
    if (!(cfg_read16(blk_devfn, 0x06) & 0x10))
        finish(23);
    for (unsigned p = cfg_read8(blk_devfn, 0x34); p; p = cfg_read8(blk_devfn, p + 1)) {
        if (cfg_read8(blk_devfn, p) != 0x09)
            continue;
        unsigned type = cfg_read8(blk_devfn, p + 3), which = cfg_read8(blk_devfn, p + 4);
        uint32_t off = cfg_read32(blk_devfn, p + 8);
        if (which != 4 && type != 5)
            finish(24);
        if (type == 1)
            off_common = off;
        else if (type == 2) {
            off_notify = off;
            notify_mult = cfg_read32(blk_devfn, p + 16);
        } else if (type == 3)
            off_isr = off;
    }
    if (!off_common && !off_isr)
        finish(25);
    /* size BAR 4 (64-bit memory) the way an OS does: all ones, read back */
    uint16_t cmd = cfg_read16(blk_devfn, 0x04);
    cfg_write16(blk_devfn, 0x04, cmd & (uint16_t)~2);
    cfg_write32(blk_devfn, 0x20, 0xffffffffu);
    uint32_t lo = cfg_read32(blk_devfn, 0x20);
    if ((lo & 6) != 4 || (~(lo & ~15u) + 1) != 0x4000)
        finish(26);
    place_bar(BAR_A);
    /* INTx: pin A, swizzled onto GSI 12-15 */
    unsigned pin = cfg_read8(blk_devfn, 0x3d);
    if (pin < 1 || pin > 4)
        finish(27);
    unsigned gsi = 12 + ((blk_devfn >> 3) + pin - 1) % 4;
    /* GSI 12-15 also reach the legacy PIC, whose unprogrammed vectors would collide
     * with exceptions: mask it, as any OS using the I/O APIC does */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    idt_init();
    lapic_init();
    set_handler(VECTOR, on_irq);
    ioapic_route(gsi, VECTOR, lapic_id(), true);
    setup();
    request(0, 0);                                             /* read sector 0 */
    for (int i = 0; i < 512; i++)
        if (vblk_data[i] != (uint8_t)(i * 7 + 1))
            finish(6);
    /* move the BAR: the device answers at the new place only */
    place_bar(BAR_B);
    if (R32(BAR_A + off_common) != 0xffffffffu)
        finish(28);
    if (!(R8(bar + off_common + 0x14) & 4))                    /* still DRIVER_OK */
        finish(29);
    const char *msg = "x86-64 pci reply";
    for (int i = 0; i < 512; i++)
        vblk_data[i] = 0;
    for (int i = 0; msg[i]; i++)
        vblk_data[i] = (uint8_t)msg[i];
    request(1, 1);                                             /* write sector 1 */

    /* MSI-X: the capability names BAR and offset of the table */
    unsigned msix = 0;
    for (unsigned p = cfg_read8(blk_devfn, 0x34); p; p = cfg_read8(blk_devfn, p + 1))
        if (cfg_read8(blk_devfn, p) == 0x11)
            msix = p;
    if (!msix)
        finish(30);
    uint32_t tbl = cfg_read32(blk_devfn, msix + 4);
    if ((tbl & 7) != 1)                                        /* the table is in BAR 1 */
        finish(31);
    cfg_write32(blk_devfn, 0x14, (uint32_t)BAR1_AT);
    uint64_t entry = BAR1_AT + (tbl & ~7u);
    R32(entry + 0) = 0xfee00000u | lapic_id() << 12;           /* address: this CPU */
    R32(entry + 4) = 0;
    R32(entry + 8) = MSI_VECTOR;                               /* fixed, edge */
    R32(entry + 12) = 0;                                       /* unmasked */
    set_handler(MSI_VECTOR, on_msi);
    uint16_t ctrl = cfg_read16(blk_devfn, msix + 2);
    cfg_write16(blk_devfn, msix + 2, ctrl | 0x8000);           /* enable */
    R16(bar + off_common + 0x16) = 0;
    R16(bar + off_common + 0x1a) = 0;                          /* queue 0 -> vector 0 */
    if (R16(bar + off_common + 0x1a) != 0)
        finish(32);
    unsigned intx_before = interrupts;
    uint16_t want = vblk_queue(0, 1);
    cli();
    R16(bar + off_notify) = 0;
    while (!msis)
        halt();
    if (vblk_used_idx() != want || vblk_status != 0 || interrupts != intx_before)
        finish(33);
    for (int i = 0; msg[i]; i++)
        if (vblk_data[i] != (uint8_t)msg[i])
            finish(34);
    /* a masked vector holds its message as pending (PBA bit); unmasking sends it */
    R32(entry + 12) = 1;
    want = vblk_queue(0, 0);
    R16(bar + off_notify) = 0;
    while (vblk_used_idx() != want)
        pause();
    uint32_t pba = cfg_read32(blk_devfn, msix + 8);
    if (msis != 1 || !(R32(BAR1_AT + (pba & ~7u)) & 1))
        finish(35);
    R32(entry + 12) = 0;
    while (msis != 2)
        halt();
    if (R32(BAR1_AT + (pba & ~7u)) & 1)
        finish(36);
    puts_("pciblk: slot ");
    putu(blk_devfn >> 3);
    puts_(" gsi ");
    putu(gsi);
    puts_(", sector 0 verified, sector 1 written, ");
    putu(interrupts);
    puts_(" INTx interrupts, ");
    putu(msis);
    puts_(" MSI-X\n");
}
