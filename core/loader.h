/*
 * Loading guest images into guest RAM: ELF executables (by physical address, with
 * symbol lookup for HTIF's tohost/fromhost) and raw binaries.
 */
#ifndef TERN_LOADER_H
#define TERN_LOADER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/memory.h"

typedef struct loaded_image {
    uint64_t entry;
    uint64_t low, high;          /* physical range occupied */
    bool is_elf;
    bool has_tohost, has_fromhost;
    uint64_t tohost, fromhost;   /* symbol addresses, when present */
} loaded_image;

/*
 * Load `path`. ELF files must be for `elf_machine` (EM_RISCV = 243); anything else is
 * loaded raw at `raw_addr`. On failure, writes a one-line reason (naming the file) to
 * err and returns false; guest memory may have been partly written.
 */
bool load_image(address_space *as, const char *path, uint16_t elf_machine, uint64_t raw_addr,
                loaded_image *img, char *err, size_t errsize);

#endif
