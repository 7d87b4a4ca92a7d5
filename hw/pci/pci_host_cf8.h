/*
 * PCI configuration mechanism #1, as on every PC: a 32-bit address latch at port
 * 0xCF8 (enable, bus, device, function, register) and the data window at 0xCFC-0xCFF.
 * It is how a kernel without ACPI (no MCFG, so no ECAM) reaches configuration space.
 */
#ifndef TERN_PCI_HOST_CF8_H
#define TERN_PCI_HOST_CF8_H
#include "hw/pci/pci.h"

#define PCI_CF8_PORT 0xcf8
#define PCI_CFC_PORT 0xcfc

/* Ports 0xCF8-0xCFF of `io` reach bus 0 of `bus` (there are no bridges behind it). */
void pci_cf8_create(address_space *io, device_list *devs, pci_bus *bus);
#endif
