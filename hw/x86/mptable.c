/*
 * MP table (see mptable.h; MultiProcessor Specification 1.4): a floating pointer
 * structure, then the configuration table with one processor entry per vCPU, the buses
 * (PCI as bus 0 when there is one, numbered as its PCI bus number because Linux matches
 * them, and ISA), the I/O APIC, and an interrupt entry for each of its pins in use:
 * ISA IRQs as on a PC (IRQ 0 to pin 2), the platform devices' pins and each PCI
 * function's INTx as level-triggered, active high (what KVM's I/O APIC models).
 */
#include "hw/x86/mptable.h"
#include <string.h>

enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };
#define LEVEL_HIGH 0x0d     /* polarity active high (01), trigger level (11 << 2) */

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

static uint8_t *bus(uint8_t *p, unsigned id, const char *type)
{
    p[0] = MP_BUS;
    p[1] = (uint8_t)id;
    memcpy(p + 2, type, 6);
    return p + 8;
}

static bool is_pci_gsi(const mptable_config *c, unsigned gsi)
{
    for (unsigned i = 0; i < c->npci_irqs; i++)
        if (c->pci_irqs[i].gsi == gsi)
            return true;
    return false;
}

bool mptable_write(address_space *as, uint64_t fp_addr, uint64_t table, uint64_t table_max,
                   const mptable_config *c)
{
    uint64_t need = 44 + c->ncpus * 20ull + 3 * 8 + (16 + c->nlevel + c->npci_irqs + 2) * 8ull;
    uint8_t *fp = as_ram_ptr(as, fp_addr, 16), *ct = as_ram_ptr(as, table, table_max);
    if (!fp || !ct || need > table_max)
        return false;
    memset(fp, 0, 16);
    memset(ct, 0, table_max);
    uint8_t *p = ct + 44;
    unsigned entries = 0;
    for (unsigned i = 0; i < c->ncpus; i++, entries++) {
        p[0] = MP_PROCESSOR;
        p[1] = (uint8_t)i;                          /* local APIC id */
        p[2] = 0x14;                                /* local APIC version */
        p[3] = (uint8_t)(1 | (i == 0 ? 2 : 0));     /* enabled; bootstrap processor */
        put32(p + 4, 0x600);                        /* family 6 */
        put32(p + 8, 0x201);                        /* FPU, APIC */
        p += 20;
    }
    unsigned isa = c->pci ? 1 : 0;
    if (c->pci) {
        p = bus(p, 0, "PCI   ");
        entries++;
    }
    p = bus(p, isa, "ISA   ");
    entries++;
    unsigned ioapic_id = c->ncpus;
    p[0] = MP_IOAPIC;
    p[1] = (uint8_t)ioapic_id;
    p[2] = 0x11;
    p[3] = 1;                                       /* usable */
    put32(p + 4, (uint32_t)c->ioapic);
    p += 8;
    entries++;
    /* the ISA IRQs, except the lines PCI's INTx took over */
    for (unsigned irq = 0; irq < 16; irq++)
        if (!is_pci_gsi(c, irq)) {
            p = intsrc(p, MP_INTSRC, 0, 0, isa, irq, ioapic_id, irq == 0 ? 2 : irq);
            entries++;
        }
    for (unsigned i = 0; i < c->nlevel; i++, entries++)
        p = intsrc(p, MP_INTSRC, 0, LEVEL_HIGH, isa, c->first_level_gsi + i, ioapic_id, c->first_level_gsi + i);
    /* PCI: source bus IRQ is slot << 2 | (pin - 1) */
    for (unsigned i = 0; i < c->npci_irqs; i++, entries++) {
        const mptable_pci_irq *q = &c->pci_irqs[i];
        p = intsrc(p, MP_INTSRC, 0, LEVEL_HIGH, 0, (q->slot & 31) << 2 | ((q->pin - 1) & 3), ioapic_id, q->gsi);
    }
    /* ExtINT to LINT0 and NMI to LINT1 of every local APIC */
    p = intsrc(p, MP_LINTSRC, 3, 0, isa, 0, 0xff, 0);
    p = intsrc(p, MP_LINTSRC, 1, 0, isa, 0, 0xff, 1);
    entries += 2;

    memcpy(ct, "PCMP", 4);
    put16(ct + 4, (uint16_t)(p - ct));
    ct[6] = 4;                                      /* spec revision 1.4 */
    memcpy(ct + 8, "TERN    ", 8);
    memcpy(ct + 16, "MICROVM     ", 12);
    put16(ct + 34, (uint16_t)entries);
    put32(ct + 36, (uint32_t)c->lapic);
    ct[7] = checksum(ct, (size_t)(p - ct));

    memcpy(fp, "_MP_", 4);
    put32(fp + 4, (uint32_t)table);
    fp[8] = 1;                                      /* length in 16-byte units */
    fp[9] = 4;
    fp[10] = checksum(fp, 16);
    return true;
}
