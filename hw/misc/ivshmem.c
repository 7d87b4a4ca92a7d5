/* ivshmem-plain (see ivshmem.h). */
#include "hw/misc/ivshmem.h"
#include "core/log.h"
#include <stdlib.h>

/* BAR 0: interrupt mask, interrupt status, IV position, doorbell; all zero here */
static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0;
}

static void regs_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)opaque, (void)off, (void)val, (void)size;
}

static const mmio_ops regs_ops = { regs_read, regs_write };

/* The shared memory is saved as the device's state (its non-zero pages) and written
 * back on load. With share=on that memory is other processes' too: a load overwrites
 * what they see, as QEMU's migration of ivshmem-plain does. */
static void ivshmem_save_extra(void *dev, state_out *o)
{
    pci_bar_ram_save(dev, 2, o);
}

static bool ivshmem_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    (void)version;
    return pci_bar_ram_load(dev, 2, in, err, errsize);
}

static const device_ops ivshmem_dev_ops = {
    .type = "ivshmem-plain", .save_extra = ivshmem_save_extra, .load_extra = ivshmem_load_extra,
};

pci_dev *ivshmem_create(device_list *devs, pci_bus *bus, int devfn, hostmem *mem, char *err, size_t errsize)
{
    pci_dev *d = pci_dev_new(bus, devfn, "ivshmem-plain", err, errsize);
    if (!d)
        return NULL;
    pci_set_ids(d, 0x1af4, 0x1110, 1, 0x050000, 0x1af4, 0x1100);
    pci_set_bar(d, 0, PCI_BAR_MEM32, 256, false, &regs_ops, NULL);
    pci_set_bar_ram(d, 2, PCI_BAR_MEM64, mem->size, true, mem->host);
    device_register(devs, "ivshmem-plain", &ivshmem_dev_ops, d);
    return d;
}
