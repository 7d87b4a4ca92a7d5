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
    bool is_linux_image;         /* a RISC-V Linux Image (header with "RSC\x05") */
    bool has_tohost, has_fromhost;
    uint64_t tohost, fromhost;   /* symbol addresses, when present */
} loaded_image;

/*
 * Load `path`. ELF files must be for `elf_machine` (EM_RISCV = 243); a RISC-V Linux
 * Image and any other raw file load at `raw_addr` (an Image's header is checked: its
 * image_size must fit in RAM). Files recognisably for something else (other ELF
 * machines, x86 bzImage, arm64 Image, gzip-compressed) are refused. On failure, writes
 * a one-line reason (naming the file) to err and returns false.
 */
bool load_image(address_space *as, const char *path, uint16_t elf_machine, uint64_t raw_addr,
                loaded_image *img, char *err, size_t errsize);

/* Map a whole regular, non-empty file read-only (unmap with loader_unmap_file); NULL
 * with a one-line reason naming the file. */
const uint8_t *loader_map_file(const char *path, uint64_t *size, char *err, size_t errsize);
void loader_unmap_file(const uint8_t *p, uint64_t size);

/* Load a file's bytes at `addr` as they are (initrd, device tree). */
bool load_blob(address_space *as, const char *path, uint64_t addr, uint64_t max_size,
               uint64_t *size, char *err, size_t errsize);

#endif
