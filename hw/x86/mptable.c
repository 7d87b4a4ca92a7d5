/*
 * MP table (see mptable.h; MultiProcessor Specification 1.4): a floating pointer
 * structure, then the configuration table with one processor entry per vCPU, an ISA
 * bus, the I/O APIC, and an interrupt entry for each of its pins: ISA IRQs 0-15 as
 * on a PC (IRQ 0 to pin 2), and the virtio pins as level-triggered, active high.
 */
#include "hw/x86/mptable.h"
#include <string.h>

enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return (uint8_t)(0x100 - s);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint8_t *intsrc(uint8_t *p, unsigned type, unsigned irqtype, unsigned flags, unsigned bus,
                       unsigned busirq, unsigned apic, unsigned pin)
{
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)irqtype;
    put16(p + 2, (uint16_t)flags);
    p[4] = (uint8_t)bus;
    p[5] = (uint8_t)busirq;
    p[6] = (uint8_t)apic;
    p[7] = (uint8_t)pin;
    return p + 8;
}

bool mptable_write(address_space *as, uint64_t addr, unsigned ncpus, uint64_t ioapic,
                   uint64_t lapic, unsigned first_level_gsi, unsigned nlevel)
{
    uint8_t *base = as_ram_ptr(as, addr, 1024);
    if (!base || 16 + 44 + ncpus * 20 + 8 + 8 + (16 + nlevel + 2) * 8 > 1024)
        return false;
    memset(base, 0, 1024);
    uint8_t *fp = base, *ct = base + 16, *p = ct + 44;
    unsigned entries = 0;
    for (unsigned i = 0; i < ncpus; i++, entries++) {
        p[0] = MP_PROCESSOR;
        p[1] = (uint8_t)i;                          /* local APIC id */
        p[2] = 0x14;                                /* local APIC version */
        p[3] = (uint8_t)(1 | (i == 0 ? 2 : 0));     /* enabled; bootstrap processor */
        put32(p + 4, 0x600);                        /* family 6 */
        put32(p + 8, 0x201);                        /* FPU, APIC */
        p += 20;
    }
    p[0] = MP_BUS;
    p[1] = 0;
    memcpy(p + 2, "ISA   ", 6);
    p += 8;
    entries++;
    unsigned ioapic_id = ncpus;
    p[0] = MP_IOAPIC;
    p[1] = (uint8_t)ioapic_id;
    p[2] = 0x11;
    p[3] = 1;                                       /* usable */
    put32(p + 4, (uint32_t)ioapic);
    p += 8;
    entries++;
    for (unsigned irq = 0; irq < 16; irq++, entries++)
        p = intsrc(p, MP_INTSRC, 0, 0, 0, irq, ioapic_id, irq == 0 ? 2 : irq);
    for (unsigned i = 0; i < nlevel; i++, entries++)
        p = intsrc(p, MP_INTSRC, 0, 0x0d /* active high, level */, 0, first_level_gsi + i,
                   ioapic_id, first_level_gsi + i);
    /* ExtINT to LINT0 and NMI to LINT1 of every local APIC */
    p = intsrc(p, MP_LINTSRC, 3, 0, 0, 0, 0xff, 0);
    p = intsrc(p, MP_LINTSRC, 1, 0, 0, 0, 0xff, 1);
    entries += 2;

    memcpy(ct, "PCMP", 4);
    put16(ct + 4, (uint16_t)(p - ct));
    ct[6] = 4;                                      /* spec revision 1.4 */
    memcpy(ct + 8, "TERN    ", 8);
    memcpy(ct + 16, "MICROVM     ", 12);
    put16(ct + 34, (uint16_t)entries);
    put32(ct + 36, (uint32_t)lapic);
    ct[7] = checksum(ct, (size_t)(p - ct));

    memcpy(fp, "_MP_", 4);
    put32(fp + 4, (uint32_t)(addr + 16));
    fp[8] = 1;                                      /* length in 16-byte units */
    fp[9] = 4;
    fp[10] = checksum(fp, 16);
    return true;
}
