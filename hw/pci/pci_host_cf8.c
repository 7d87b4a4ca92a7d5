/* PCI configuration mechanism #1 (see pci_host_cf8.h). */
#include "hw/pci/pci_host_cf8.h"
#include "core/log.h"
#include <stdlib.h>

typedef struct cf8 {
    pci_bus *bus;
    uint32_t addr;      /* the latch: bit 31 enable, 23:16 bus, 15:8 devfn, 7:2 register */
} cf8;

static uint64_t ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Only whole-dword accesses reach the latch, as on a PC's host bridge: byte writes to
 * 0xCFB are how old kernels probe for mechanism #2, and must not disturb it. */
static uint64_t addr_read(void *opaque, uint64_t off, unsigned size)
{
    cf8 *c = opaque;
    return off == 0 && size == 4 ? c->addr : ones(size);
}

static void addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    cf8 *c = opaque;
    if (off == 0 && size == 4)
        c->addr = (uint32_t)val;
}

/* The function and register the latch points at, or false for nothing (decoding off,
 * another bus, or an access that would run past the dword). */
static bool target(cf8 *c, uint64_t off, unsigned size, unsigned *devfn, unsigned *reg)
{
    if (!(c->addr & 0x80000000u) || ((c->addr >> 16) & 0xff) != 0 || off + size > 4)
        return false;
    *devfn = (c->addr >> 8) & 0xff;
    *reg = (c->addr & 0xfc) + (unsigned)off;
    return size == 1 || size == 2 || size == 4;
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    cf8 *c = opaque;
    unsigned devfn, reg;
    if (!target(c, off, size, &devfn, &reg))
        return ones(size);
    return pci_config_read(c->bus, devfn, reg, size);
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    cf8 *c = opaque;
    unsigned devfn, reg;
    if (target(c, off, size, &devfn, &reg))
        pci_config_write(c->bus, devfn, reg, (uint32_t)val, size);
}

static const mmio_ops addr_ops = { addr_read, addr_write };
static const mmio_ops data_ops = { data_read, data_write };

static void cf8_reset(void *dev)
{
    cf8 *c = dev;
    c->addr = 0;
}

/* The latch is the guest's: a snapshot taken between its 0xCF8 and 0xCFC accesses
 * must keep it. */
static const state_field cf8_fields[] = { STATE_FIELD(cf8, addr) };
static const state_desc cf8_state = STATE_DESC(1, cf8_fields);

static const device_ops cf8_dev_ops = {
    .type = "pci-conf1", .state = &cf8_state, .reset = cf8_reset, .destroy = free,
};

void pci_cf8_create(address_space *io, device_list *devs, pci_bus *bus)
{
    cf8 *c = calloc(1, sizeof(*c));
    if (!c)
        fatal("out of memory");
    c->bus = bus;
    as_add_mmio(io, "pci-conf1-addr", PCI_CF8_PORT, 4, &addr_ops, c);
    as_add_mmio(io, "pci-conf1-data", PCI_CFC_PORT, 4, &data_ops, c);
    device_register(devs, "pci-conf1", &cf8_dev_ops, c);
}
