/*
 * ivshmem-plain, QEMU's inter-VM shared memory device: PCI 1af4:1110 (class "RAM
 * memory") whose BAR 2 is a memory backend (-object memory-backend-*,share=on), so a
 * guest and host processes (or other guests) share pages. BAR 0 holds the registers,
 * which the plain variant, having no doorbell or interrupts, keeps at zero.
 */
#ifndef TERN_IVSHMEM_H
#define TERN_IVSHMEM_H
#include "hw/pci/pci.h"
#include "core/hostmem.h"

/* On `bus` at devfn (-1: the next free slot); NULL with a reason in err. */
pci_dev *ivshmem_create(device_list *devs, pci_bus *bus, int devfn, hostmem *mem, char *err, size_t errsize);

#endif
