/*
 * ELF64 and raw image loader. Every field read from the file is bounds-checked against
 * the file size, and every segment against guest RAM, so a corrupt image produces an
 * error line rather than a crash.
 */
#include "core/loader.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR(...) do { snprintf(err, errsize, __VA_ARGS__); goto fail; } while (0)

static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390";
    default: return NULL;
    }
}

static void find_symbols(const uint8_t *f, uint64_t size, const Elf64_Ehdr *eh, loaded_image *img)
{
    if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !range_ok(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        if (!range_ok(sh[i].sh_offset, sh[i].sh_size, size) ||
            !range_ok(strs->sh_offset, strs->sh_size, size))
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
        uint64_t n = sh[i].sh_size / sizeof(Elf64_Sym);
        const char *str = (const char *)(f + strs->sh_offset);
        for (uint64_t k = 0; k < n; k++) {
            uint32_t nm = sym[k].st_name;
            if (nm >= strs->sh_size)
                continue;
            const char *name = str + nm;
            size_t maxlen = strs->sh_size - nm;
            if (strnlen(name, maxlen) == maxlen)
                continue;
            if (!strcmp(name, "tohost")) {
                img->has_tohost = true;
                img->tohost = sym[k].st_value;
            } else if (!strcmp(name, "fromhost")) {
                img->has_fromhost = true;
                img->fromhost = sym[k].st_value;
            }
        }
    }
}

static bool load_elf(address_space *as, const uint8_t *f, uint64_t size, const char *path,
                     uint16_t elf_machine, loaded_image *img, char *err, size_t errsize)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (size < EI_NIDENT)
        ERR("%s: truncated ELF header", path);
    const char *want = machine_name(elf_machine) ? machine_name(elf_machine) : "the board's";
    if (f[EI_CLASS] != ELFCLASS64) {
        if (size >= sizeof(Elf32_Ehdr)) {
            const Elf32_Ehdr *e32 = (const Elf32_Ehdr *)f;
            const char *mn = machine_name(e32->e_machine);
            ERR("%s: 32-bit ELF%s%s; a 64-bit %s ELF is needed", path,
                mn ? " for " : "", mn ? mn : "", want);
        }
        ERR("%s: not a 64-bit ELF file", path);
    }
    if (size < sizeof(Elf64_Ehdr))
        ERR("%s: truncated ELF header (%llu bytes)", path, (unsigned long long)size);
    if (f[EI_DATA] != ELFDATA2LSB)
        ERR("%s: big-endian ELF; %s images are little-endian", path, want);
    if (eh->e_machine != elf_machine) {
        const char *mn = machine_name(eh->e_machine);
        if (mn)
            ERR("%s: ELF file is for %s, not %s", path, mn, want);
        ERR("%s: ELF file is for machine %u, not %s", path, eh->e_machine, want);
    }
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        ERR("%s: ELF file is not an executable (type %u)", path, eh->e_type);
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        !range_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
        ERR("%s: truncated or corrupt ELF program headers", path);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    img->low = UINT64_MAX;
    img->high = 0;
    int loaded = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (ph[i].p_filesz > ph[i].p_memsz || !range_ok(ph[i].p_offset, ph[i].p_filesz, size))
            ERR("%s: segment %u extends past the end of the file (truncated?)", path, i);
        uint8_t *dst = as_ram_ptr(as, ph[i].p_paddr, ph[i].p_memsz);
        if (!dst)
            ERR("%s: segment %u at 0x%llx-0x%llx is outside guest RAM", path, i,
                (unsigned long long)ph[i].p_paddr,
                (unsigned long long)(ph[i].p_paddr + ph[i].p_memsz));
        memcpy(dst, f + ph[i].p_offset, ph[i].p_filesz);
        memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
        if (ph[i].p_paddr < img->low)
            img->low = ph[i].p_paddr;
        if (ph[i].p_paddr + ph[i].p_memsz > img->high)
            img->high = ph[i].p_paddr + ph[i].p_memsz;
        loaded++;
    }
    if (!loaded)
        ERR("%s: ELF file has no loadable segments", path);
    img->entry = eh->e_entry;
    img->is_elf = true;
    find_symbols(f, size, eh, img);
    return true;
fail:
    return false;
}

/* Open a regular file for reading: the fd and its size, or false with a reason. */
static bool open_regular(const char *path, int *fd_out, uint64_t *size, char *err, size_t errsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "%s: not a regular file", path);
        close(fd);
        return false;
    }
    *fd_out = fd;
    *size = (uint64_t)st.st_size;
    return true;
}

const uint8_t *loader_map_file(const char *path, uint64_t *size, char *err, size_t errsize)
{
    int fd;
    if (!open_regular(path, &fd, size, err, errsize))
        return NULL;
    if (*size == 0) {
        snprintf(err, errsize, "%s: file is empty", path);
        close(fd);
        return NULL;
    }
    void *f = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED) {
        snprintf(err, errsize, "%s: cannot map file: %s", path, strerror(errno));
        return NULL;
    }
    return f;
}

void loader_unmap_file(const uint8_t *p, uint64_t size)
{
    munmap((void *)p, size);
}

bool load_image(address_space *as, const char *path, uint16_t elf_machine, uint64_t raw_addr,
                loaded_image *img, char *err, size_t errsize)
{
    memset(img, 0, sizeof(*img));
    uint64_t size;
    const uint8_t *f = loader_map_file(path, &size, err, errsize);
    if (!f)
        return false;
    bool ok;
    uint64_t image_size = size;
    const char *foreign = NULL;
    if (size >= 64 && !memcmp(f + 56, "RSC\x05", 4)) {
        /* RISC-V Linux Image: u64 image_size at offset 16 covers .bss too */
        uint64_t isz;
        memcpy(&isz, f + 16, 8);
        img->is_linux_image = true;
        if (isz > image_size)
            image_size = isz;
    } else if (size >= 2 && f[0] == 0x1f && f[1] == 0x8b) {
        foreign = "a gzip-compressed file (decompress it first)";
    } else if (size >= 0x206 && !memcmp(f + 0x202, "HdrS", 4)) {
        foreign = "an x86 Linux bzImage, not a RISC-V image";
    } else if (size >= 64 && !memcmp(f + 56, "ARM\x64", 4)) {
        foreign = "an arm64 Linux Image, not a RISC-V image";
    }
    if (foreign) {
        snprintf(err, errsize, "%s: %s", path, foreign);
        ok = false;
    } else if (size >= 4 && !memcmp(f, ELFMAG, SELFMAG)) {
        ok = load_elf(as, f, size, path, elf_machine, img, err, errsize);
    } else if (!as_ram_ptr(as, raw_addr, image_size)) {
        snprintf(err, errsize, "%s: image (%llu bytes) does not fit in guest RAM at 0x%llx",
                 path, (unsigned long long)image_size, (unsigned long long)raw_addr);
        ok = false;
    } else {
        uint8_t *dst = as_ram_ptr(as, raw_addr, size);
        if (!dst) {
            snprintf(err, errsize, "%s: image (%llu bytes) does not fit in guest RAM at 0x%llx",
                     path, (unsigned long long)size, (unsigned long long)raw_addr);
            ok = false;
        } else {
            memcpy(dst, f, size);
            img->entry = raw_addr;
            img->low = raw_addr;
            img->high = raw_addr + image_size;
            ok = true;
        }
    }
    loader_unmap_file(f, size);
    return ok;
}

bool load_blob(address_space *as, const char *path, uint64_t addr, uint64_t max_size,
               uint64_t *size, char *err, size_t errsize)
{
    int fd;
    uint64_t n;
    if (!open_regular(path, &fd, &n, err, errsize))
        return false;
    uint8_t *dst = n <= max_size ? as_ram_ptr(as, addr, n ? n : 1) : NULL;
    if (!dst) {
        snprintf(err, errsize, "%s: %llu bytes do not fit in guest RAM at 0x%llx",
                 path, (unsigned long long)n, (unsigned long long)addr);
        close(fd);
        return false;
    }
    uint64_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, dst + done, n - done);
        if (r <= 0) {
            snprintf(err, errsize, "%s: read error: %s", path, r < 0 ? strerror(errno) : "short file");
            close(fd);
            return false;
        }
        done += (uint64_t)r;
    }
    close(fd);
    *size = n;
    return true;
}
