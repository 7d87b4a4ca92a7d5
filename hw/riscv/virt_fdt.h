/*
 * The flattened device tree for the virt board: what the firmware and kernel read to
 * find harts, memory, the interrupt controllers and the devices.
 */
#ifndef TERN_VIRT_FDT_H
#define TERN_VIRT_FDT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef struct virt_fdt_info {
    unsigned nharts;
    const char *isa;              /* riscv,isa string */
    const char *mmu_type;         /* "riscv,sv57" ... */
    uint64_t ram_base, ram_size;
    const char *bootargs;         /* NULL: none */
    uint64_t initrd_start, initrd_end;   /* 0, 0: no initrd */
    unsigned virtio_slots;        /* virtio-mmio transports to describe */
    uint64_t resv_base, resv_size;       /* firmware memory the kernel must not use */
} virt_fdt_info;

/* Returns a malloc'd blob, or NULL (libfdt error; internal). */
void *virt_fdt_build(const virt_fdt_info *info, size_t *size);

/* A user's tree (-dtb): checked in full with libfdt, then given the command line, the
 * initrd and the firmware reservation from `info` as QEMU does. Returns a malloc'd blob,
 * or NULL with a reason naming the file in err. */
void *virt_fdt_load(const char *path, const virt_fdt_info *info, size_t *size,
                    char *err, size_t errsize);

#endif
