/*
 * The Intel MultiProcessor Specification table that tells a guest without ACPI (Linux
 * booted on microvm) its CPUs, its I/O APIC, its buses and how interrupt lines reach it.
 */
#ifndef TERN_MPTABLE_H
#define TERN_MPTABLE_H
#include "core/memory.h"
#include <stdbool.h>

/* A PCI function's INTx pin as it reaches the I/O APIC. */
typedef struct mptable_pci_irq {
    unsigned slot, pin;         /* pin 1-4: INTA-INTD */
    unsigned gsi;
} mptable_pci_irq;

typedef struct mptable_config {
    unsigned ncpus;
    uint64_t ioapic, lapic;
    unsigned first_level_gsi, nlevel;   /* level-triggered lines of platform devices */
    bool pci;                           /* a PCI bus 0 (then ISA is bus 1) */
    const mptable_pci_irq *pci_irqs;
    unsigned npci_irqs;
} mptable_config;

/* Write the floating pointer at `fp` (16 bytes, where guests scan: the last KiB below
 * 640 KiB) and the table at `table` (at most `table_max` bytes). */
bool mptable_write(address_space *as, uint64_t fp, uint64_t table, uint64_t table_max,
                   const mptable_config *c);

#endif
