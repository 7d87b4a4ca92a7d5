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
#define VIRT_PCIE_ECAM   0x30000000ull
#define VIRT_PCIE_MMIO   0x40000000ull
#define VIRT_DRAM        0x80000000ull

#define VIRT_TIMEBASE_HZ 10000000u
#define VIRT_UART0_IRQ   10
#define VIRT_RTC_IRQ     11
#define VIRT_VIRTIO_IRQ  1             /* slot n uses irq 1 + n */

#endif
