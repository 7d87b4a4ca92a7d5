/* The Linux x86 boot protocol (see linux_boot.h). Offsets are the zero page's. */
#include "hw/x86/linux_boot.h"
#include "hw/x86/microvm_map.h"
#include "core/loader.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HDR_SETUP_SECTS   0x1f1
#define HDR_BOOT_FLAG     0x1fe
#define HDR_JUMP          0x200
#define HDR_MAGIC         0x202
#define HDR_VERSION       0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS     0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE  0x21c
#define HDR_HEAP_END_PTR  0x224
#define HDR_CMD_LINE_PTR  0x228
#define HDR_INITRD_MAX    0x22c
#define HDR_CMDLINE_SIZE  0x238
#define HDR_XLOADFLAGS    0x236
#define HDR_INIT_SIZE     0x260
#define ZP_E820_ENTRIES   0x1e8
#define ZP_E820_TABLE     0x2d0
#define E820_MAX          128

#define LOADED_HIGH   0x01
#define CAN_USE_HEAP  0x80
#define XLF_KERNEL_64 0x01

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

bool linux_is_bzimage(const char *path)
{
    uint8_t hdr[0x210];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool yes = pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
               get16(hdr + HDR_BOOT_FLAG) == 0xaa55 && !memcmp(hdr + HDR_MAGIC, "HdrS", 4);
    close(fd);
    return yes;
}

bool linux_load(address_space *as, uint64_t ram_size, const char *kernel, const char *initrd,
                const char *cmdline, const e820_entry_in *e820, unsigned ne820, linux_boot *out,
                char *err, size_t errsize)
{
    uint64_t size = 0, isize = 0;
    const uint8_t *f = loader_map_file(kernel, &size, err, errsize), *rd = NULL;
    bool ok = false;
    if (!f)
        return false;
#define FAIL(...) do { snprintf(err, errsize, __VA_ARGS__); goto out; } while (0)
    if (size < 0x270 || get16(f + HDR_BOOT_FLAG) != 0xaa55 || memcmp(f + HDR_MAGIC, "HdrS", 4))
        FAIL("%s: not a Linux bzImage (no boot-protocol header)", kernel);
    uint16_t version = get16(f + HDR_VERSION);
    if (version < 0x020c)
        FAIL("%s: boot protocol %u.%02u is too old: tern enters the kernel at its 64-bit "
             "entry point, which needs 2.12 or later", kernel, version >> 8, version & 0xff);
    if (!(get16(f + HDR_XLOADFLAGS) & XLF_KERNEL_64))
        FAIL("%s: the kernel has no 64-bit entry point (a 32-bit kernel?)", kernel);
    if (!(f[HDR_LOADFLAGS] & LOADED_HIGH))
        FAIL("%s: a zImage that loads below 1 MiB; tern boots bzImages", kernel);
    unsigned setup_sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4;
    uint64_t koff = (uint64_t)(setup_sects + 1) * 512;
    if (koff >= size)
        FAIL("%s: truncated (the setup code claims %u sectors)", kernel, setup_sects);
    uint64_t ksize = size - koff;
    uint64_t init_size = get32(f + HDR_INIT_SIZE);
    uint64_t need = MVM_KERNEL + (init_size > ksize ? init_size : ksize);
    if (need > ram_size)
        FAIL("%s: the kernel needs %llu MiB of RAM to unpack itself; -m gives %llu MiB",
             kernel, (unsigned long long)((need + (1 << 20) - 1) >> 20),
             (unsigned long long)(ram_size >> 20));
    uint8_t *dst = as_ram_ptr(as, MVM_KERNEL, ksize);
    if (!dst)
        FAIL("%s: the kernel does not fit in RAM", kernel);
    memcpy(dst, f + koff, ksize);

    /* the zero page: the setup header as the file has it, then what the loader says */
    uint8_t *zp = as_ram_ptr(as, MVM_BOOT_PARAMS, 4096);
    if (!zp)
        FAIL("%s: no RAM for the boot parameters", kernel);
    memset(zp, 0, 4096);
    size_t hdr_end = HDR_JUMP + 2 + f[HDR_JUMP + 1];
    if (hdr_end > size || hdr_end > 4096)
        FAIL("%s: corrupt setup header", kernel);
    memcpy(zp + HDR_SETUP_SECTS, f + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = 0xff;                 /* an undefined boot loader */
    zp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    put16(zp + HDR_HEAP_END_PTR, 0xfe00);

    size_t clen = cmdline ? strlen(cmdline) : 0;
    uint32_t cmax = get32(f + HDR_CMDLINE_SIZE);
    if (clen > cmax || clen >= MVM_CMDLINE_MAX)
        FAIL("-append: the command line is %zu bytes; this kernel takes at most %u", clen, cmax);
    uint8_t *cl = as_ram_ptr(as, MVM_CMDLINE, clen + 1);
    if (!cl)
        FAIL("%s: no RAM for the command line", kernel);
    memcpy(cl, cmdline ? cmdline : "", clen + 1);
    put32(zp + HDR_CMD_LINE_PTR, (uint32_t)MVM_CMDLINE);

    if (initrd) {
        rd = loader_map_file(initrd, &isize, err, errsize);
        if (!rd)
            goto out;
        uint64_t top = ram_size;
        uint64_t max = get32(f + HDR_INITRD_MAX);
        if (max && max + 1 < top)
            top = max + 1;
        uint64_t at = (top - isize) & ~0xfffull;
        if (isize > top || at < need)
            FAIL("-initrd %s: %llu MiB does not fit in RAM above the kernel", initrd,
                 (unsigned long long)(isize >> 20));
        uint8_t *idst = as_ram_ptr(as, at, isize);
        if (!idst)
            FAIL("-initrd %s: does not fit in RAM", initrd);
        memcpy(idst, rd, isize);
        put32(zp + HDR_RAMDISK_IMAGE, (uint32_t)at);
        put32(zp + HDR_RAMDISK_SIZE, (uint32_t)isize);
    }

    if (ne820 > E820_MAX)
        ne820 = E820_MAX;
    zp[ZP_E820_ENTRIES] = (uint8_t)ne820;
    for (unsigned i = 0; i < ne820; i++) {
        uint8_t *e = zp + ZP_E820_TABLE + 20 * i;
        put64(e, e820[i].addr);
        put64(e + 8, e820[i].size);
        put32(e + 16, e820[i].type);
    }
    out->entry = MVM_KERNEL + 0x200;               /* startup_64 */
    out->boot_params = MVM_BOOT_PARAMS;
    ok = true;
out:
    loader_unmap_file(f, size);
    if (rd)
        loader_unmap_file(rd, isize);
    return ok;
#undef FAIL
}
