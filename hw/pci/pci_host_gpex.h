/*
 * QEMU's generic PCIe host bridge as the virt and microvm boards have it: configuration
 * space through ECAM, and three windows (32-bit MMIO, 64-bit MMIO, and port I/O at a CPU address),
 * with the host bridge function at 00.0 and INTx swizzled onto four interrupt lines.
 */
#ifndef TERN_PCI_HOST_GPEX_H
#define TERN_PCI_HOST_GPEX_H
#include "hw/pci/pci.h"

typedef struct gpex_config {
    uint64_t ecam_base, ecam_size;
    uint64_t mmio_base, mmio_size;         /* bus address = CPU address */
    uint64_t mmio64_base, mmio64_size;
    uint64_t pio_base, pio_size;           /* CPU address of the I/O window */
    uint64_t pio_bus_base;                 /* the I/O port the window starts at (0 on virt) */
    address_space *pio_as;                 /* where the I/O window is (NULL: with the rest) */
    void (*set_line)(void *opaque, unsigned line, bool level);   /* line 0-3 */
    void *line_opaque;
    /* a RAM-backed BAR moved (see pci.h): the board drops what caches its old place */
    void (*ram_moved)(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t old_at,
                      uint64_t new_at);
    /* a tracked RAM BAR's writes are collected (see pci.h) */
    void (*ram_sync_dirty)(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t *bitmap);
    bool ram_sync_always;
} gpex_config;

pci_bus *gpex_create(address_space *as, device_list *devs, const gpex_config *cfg);
#endif
