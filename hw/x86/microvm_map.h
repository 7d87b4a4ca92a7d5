/*
 * The memory and I/O map of tern's x86 `microvm` board. Like QEMU's microvm it has no
 * firmware: RAM from 0, a 16550 UART on port 0x3f8 (irq 4), the in-kernel
 * PIC/IOAPIC/LAPIC and PIT, and virtio-mmio slots at 0xfeb00000 (QEMU's microvm
 * address) announced to Linux on its command line. With pcie=on (or a -device *-pci),
 * a PCI host bridge at QEMU's microvm addresses (ECAM 0xe0000000, MMIO 0xc0000000,
 * INTx on GSI 12-15), also reachable through ports 0xCF8/0xCFC as on a PC so that a
 * kernel without ACPI finds it; its I/O window is ports 0x1000-0xffff.
 */
#ifndef TERN_MICROVM_MAP_H
#define TERN_MICROVM_MAP_H

/* low memory used by the loader */
#define MVM_BOOT_PARAMS   0x7000ull      /* Linux boot_params ("zero page") */
#define MVM_BOOT_TABLES   0x10000ull     /* page tables and GDT for the 64-bit entry */
#define MVM_CMDLINE       0x20000ull     /* kernel command line */
#define MVM_CMDLINE_MAX   0x10000ull
#define MVM_AP_STACKS     0x80000ull     /* ELF guests: 16 KiB stack per vCPU below this */
#define MVM_MPTABLE       0x9e000ull     /* MP configuration table (up to the floating pointer) */
#define MVM_MP_FLOATING   0x9fc00ull     /* MP floating pointer: the last KiB below 640K */
#define MVM_LOW_END       0xa0000ull     /* end of the low RAM Linux may use */
#define MVM_KERNEL        0x100000ull    /* kernels load at 1 MiB */

/* devices */
#define MVM_VIRTIO        0xfeb00000ull
#define MVM_VIRTIO_SIZE   0x200ull
#define MVM_VIRTIO_SLOTS  8
#define MVM_VIRTIO_GSI    16             /* slot i uses IOAPIC pin 16 + i (level) */
#define MVM_IOAPIC        0xfec00000ull
#define MVM_LAPIC         0xfee00000ull
#define MVM_RAM_MAX       0xc0000000ull  /* RAM stays below the 3 GiB hole */

/* PCI (QEMU's microvm,pcie=on addresses) */
#define MVM_PCIE_MMIO     0xc0000000ull
#define MVM_PCIE_MMIO_SIZE 0x20000000ull
#define MVM_PCIE_ECAM     0xe0000000ull
#define MVM_PCIE_ECAM_SIZE 0x10000000ull
#define MVM_PCIE_GSI      12             /* INTx lines A-D after the swizzle: GSI 12-15 */
#define MVM_PCIE_PIO      0x1000ull      /* the I/O window: ports 0x1000-0xffff */
#define MVM_PCIE_PIO_SIZE 0xf000ull

#define MVM_UART_PORT     0x3f8
#define MVM_UART_GSI      4
#define MVM_EXIT_PORT     0x501          /* QEMU's isa-debug-exit port */
#define MVM_I8042_DATA    0x60
#define MVM_I8042_CMD     0x64

#endif
