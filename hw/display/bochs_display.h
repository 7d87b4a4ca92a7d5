/*
 * The Bochs display adapter as QEMU models it for Linux's `bochs` DRM driver:
 * bochs-display (PCI 1234:1111, class 0380) and VGA (the same with class 0300 and the
 * VGA register shadow). BAR 0 is the framebuffer (VRAM), BAR 2 the MMIO registers: an
 * EDID blob at 0x000, VGA's ports 0x3c0-0x3df at 0x400 (VGA only), the DISPI registers
 * at 0x500 and QEMU's extended registers (framebuffer byte order) at 0x600.
 */
#ifndef TERN_BOCHS_DISPLAY_H
#define TERN_BOCHS_DISPLAY_H

#include "hw/pci/pci.h"
#include "core/device.h"

typedef struct bochs_config {
    bool vga;                   /* VGA: class 0300 and the VGA ports */
    uint64_t vram_size;         /* a power of two, 1-256 MiB; 0: 16 MiB */
    uint32_t xres, yres;        /* the EDID's preferred mode; 0: 1280x800 */
    bool edid;                  /* an EDID blob (QEMU's edid=on, the default) */
    const char *id;             /* -device id=, for the console's name */
} bochs_config;

/* On `bus` at devfn (-1: the next free slot); NULL with a reason in err. */
pci_dev *bochs_display_create(device_list *devs, pci_bus *bus, int devfn, const bochs_config *cfg,
                              char *err, size_t errsize);

#endif
