/*
 * The Linux x86 boot protocol for -kernel bzImage: the setup header is checked, the
 * protected-mode kernel loaded at 1 MiB, and the boot_params "zero page" filled in
 * (the header, the command line, the initrd, the e820 memory map) for the kernel's
 * 64-bit entry point (Documentation/arch/x86/boot.rst).
 */
#ifndef TERN_LINUX_BOOT_H
#define TERN_LINUX_BOOT_H
#include "core/memory.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct e820_entry_in {
    uint64_t addr, size;
    uint32_t type;                  /* 1 RAM, 2 reserved */
} e820_entry_in;

typedef struct linux_boot {
    uint64_t entry;                 /* the 64-bit entry point */
    uint64_t boot_params;           /* where the zero page is (rsi at entry) */
} linux_boot;

/* Whether the file starts like a bzImage (so the caller knows which loader to use). */
bool linux_is_bzimage(const char *path);

/*
 * Load the kernel (and initrd, if any) and write the zero page. On failure, one line
 * naming the file and the problem in err.
 */
bool linux_load(address_space *as, uint64_t ram_size, const char *kernel, const char *initrd,
                const char *cmdline, const e820_entry_in *e820, unsigned ne820, linux_boot *out,
                char *err, size_t errsize);

#endif
