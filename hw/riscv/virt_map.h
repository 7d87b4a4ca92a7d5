/* The virt board's physical memory map and interrupt numbers (QEMU's layout). */
#ifndef TERN_VIRT_MAP_H
#define TERN_VIRT_MAP_H

#define VIRT_TEST        0x00100000ull
#define VIRT_RTC         0x00101000ull
#define VIRT_CLINT       0x02000000ull
#define VIRT_CLINT_SIZE  0x00010000ull
#define VIRT_PLIC        0x0c000000ull
#define VIRT_PLIC_SIZE   0x00600000ull
#define VIRT_PLIC_NDEV   95
#define VIRT_UART0       0x10000000ull
#define VIRT_VIRTIO      0x10001000ull
#define VIRT_VIRTIO_SIZE 0x00001000ull
#define VIRT_VIRTIO_SLOTS 8
#define VIRT_PCIE_PIO    0x03000000ull
#define VIRT_PCIE_PIO_SIZE 0x00010000ull
#define VIRT_PCIE_ECAM   0x30000000ull
#define VIRT_PCIE_ECAM_SIZE 0x10000000ull
#define VIRT_PCIE_MMIO   0x40000000ull
#define VIRT_PCIE_MMIO_SIZE 0x40000000ull
#define VIRT_PCIE_MMIO64_SIZE 0x400000000ull  /* 16 GiB, above RAM at a 16 GiB boundary */
#define VIRT_DRAM        0x80000000ull

#define VIRT_TIMEBASE_HZ 10000000u
#define VIRT_UART0_IRQ   10
#define VIRT_RTC_IRQ     11
#define VIRT_VIRTIO_IRQ  1             /* slot n uses irq 1 + n */
#define VIRT_PCIE_IRQ    32            /* INTA-INTD after the swizzle: 32-35 */

/* the 64-bit PCI window: the first 16 GiB boundary at or above the end of RAM */
#define VIRT_PCIE_MMIO64(ram_size) \
    ((VIRT_DRAM + (ram_size) + VIRT_PCIE_MMIO64_SIZE - 1) & ~(VIRT_PCIE_MMIO64_SIZE - 1))

#endif
