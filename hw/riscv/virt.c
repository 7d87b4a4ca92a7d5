/*
 * The RISC-V `virt` board, laid out as QEMU's so kernels built for it run unmodified
 * (memory map in virt_map.h). Boot follows QEMU: every hart starts in a small ROM at
 * 0x1000 that loads a0 = hartid, a1 = device tree, a2 = OpenSBI fw_dynamic info and
 * jumps to the firmware (or, with -bios none, to the kernel) in RAM.
 */
#include "core/machine.h"
#include "core/loader.h"
#include "core/clock.h"
#include "core/chardev.h"
#include "core/log.h"
#include "core/opts.h"
#include "accel/accel.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/gdb.h"
#include "cpu/riscv/debug.h"
#include "hw/riscv/virt_map.h"
#include "hw/riscv/virt_fdt.h"
#include "hw/intc/aclint.h"
#include "hw/intc/plic.h"
#include "hw/char/ns16550a.h"
#include "hw/misc/test_finisher.h"
#include "hw/misc/goldfish_rtc.h"
#include "hw/misc/htif.h"
#include "hw/misc/semihosting.h"
#include "hw/virtio/virtio_board.h"
#include "hw/pci/pci_host_gpex.h"
#include "build/config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VIRT_MROM     0x00001000ull
#define VIRT_MROM_SIZE 0xf000ull
#define KERNEL_OFFSET 0x00200000ull    /* where -kernel goes when firmware is at DRAM */
#define MAX_HARTS     8
#define FIRMWARE_NAME "tern-sbi.bin"

typedef struct virt_board {
    machine *m;
    unsigned nharts;
    rv_cpu *harts[MAX_HARTS];
    vcpu *vcpus[MAX_HARTS];
    rv_hart_env env;
    const accel_ops *accel;
    aclint *clint;
    plic *plic;
    plic_line uart_irq, rtc_irq, virtio_irq[VIRT_VIRTIO_SLOTS], pci_irq[4];
    uint8_t *mrom;
    char *dumpdtb;
    char firmware[PATH_MAX];
} virt_board;

static uint64_t env_read_time(void *opaque)
{
    virt_board *b = opaque;
    return aclint_mtime(b->clint);
}

static void env_stimecmp_changed(void *opaque, rv_cpu *c)
{
    virt_board *b = opaque;
    aclint_stimecmp_changed(b->clint, (unsigned)c->mhartid);
}

static void pci_line_set(void *opaque, unsigned line, bool level)
{
    virt_board *b = opaque;
    plic_line_set(&b->pci_irq[line & 3], level);
}

/* A RAM-backed BAR moved: no hart may keep reaching its memory at the old place. */
static void pci_ram_moved(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t old_at,
                          uint64_t new_at)
{
    virt_board *b = opaque;
    (void)overlay, (void)new_at;
    if (old_at == PCI_UNMAPPED)
        return;                     /* nothing could have cached it */
    for (unsigned i = 0; i < b->nharts; i++)
        if (b->harts[i])
            rv_tlb_drop_host(b->harts[i], host, size);
}

/* A display takes VRAM's dirty bits: the harts' writable translations of it go, so the
 * next store to each page sets its bit again (mmu.c's tlb_fill). */
static void pci_ram_sync_dirty(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t *bitmap)
{
    virt_board *b = opaque;
    (void)overlay, (void)bitmap;
    for (unsigned i = 0; i < b->nharts; i++)
        if (b->harts[i])
            rv_tlb_drop_host(b->harts[i], host, size);
}

static void kick_hart(void *opaque, unsigned hart)
{
    virt_board *b = opaque;
    if (hart < b->nharts && b->vcpus[hart])
        b->accel->kick(b->vcpus[hart]);
}

/* tern's own firmware: next to the binary (build tree) or in the install's data dir */
static bool find_firmware(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            int n2 = snprintf(out, size, "%s/roms/%s", exe, FIRMWARE_NAME);
            if (n2 > 0 && (size_t)n2 < size && access(out, R_OK) == 0)
                return true;
        }
    }
    snprintf(out, size, "%s/%s", TERN_DATADIR, FIRMWARE_NAME);
    return access(out, R_OK) == 0;
}

static bool write_file_atomically(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, len) == (ssize_t)len;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    unlink(tmp);
    return false;
}

/* The reset ROM: QEMU's sequence, then start address, fdt address, fw_dynamic info. */
static void write_mrom(virt_board *b, uint64_t start, uint64_t fdt_addr, uint64_t kernel_entry)
{
    static const uint32_t code[] = {
        0x00000297,   /* auipc t0, 0 */
        0x02828613,   /* addi a2, t0, 40: &fw_dynamic_info */
        0xf1402573,   /* csrr a0, mhartid */
        0x0202b583,   /* ld a1, 32(t0): fdt */
        0x0182b283,   /* ld t0, 24(t0): start */
        0x00028067,   /* jr t0 */
    };
    uint8_t *p = b->mrom;
    memset(p, 0, VIRT_MROM_SIZE);
    memcpy(p, code, sizeof(code));
    memcpy(p + 24, &start, 8);
    memcpy(p + 32, &fdt_addr, 8);
    /* OpenSBI fw_dynamic_info v2: magic, version, next_addr, next_mode (S), options, boot_hart */
    uint64_t info[6] = { 0x4942534f, 2, kernel_entry, 1, 0, 0 };
    memcpy(p + 40, info, sizeof(info));
}

/* Load firmware, kernel, initrd and device tree into RAM; set up the reset ROM. */
static int load_images(virt_board *b, bool first)
{
    machine *m = b->m;
    char err[PATH_MAX + 256];
    loaded_image fw = { 0 }, kern = { 0 };
    uint64_t ram_size = m->opts.ram_size, ram_end = VIRT_DRAM + ram_size;
    const char *bios = m->opts.bios;
    bool have_fw = !bios || strcmp(bios, "none") != 0;
    if (b->dumpdtb && !bios)
        have_fw = false;          /* only the device tree is wanted */
    if (have_fw && !bios) {
        if (!find_firmware(b->firmware, sizeof(b->firmware))) {
            error_report("default firmware %s not found (looked next to tern and in %s); "
                         "build it with 'make' or pass -bios FILE or -bios none",
                         FIRMWARE_NAME, TERN_DATADIR);
            return -1;
        }
        bios = b->firmware;
    }
    if (!have_fw && !m->opts.kernel && !b->dumpdtb) {
        error_report("nothing to run: give -kernel FILE (with -bios none) or -bios FILE");
        return -1;
    }
    uint64_t start = VIRT_DRAM, kernel_entry = 0, kernel_end = VIRT_DRAM;
    if (have_fw) {
        if (!load_image(&m->as, bios, EM_RISCV, VIRT_DRAM, &fw, err, sizeof(err))) {
            error_report("-bios %s", err);
            return -1;
        }
        start = fw.entry;
        kernel_end = fw.high;
    }
    if (m->opts.kernel) {
        uint64_t at = have_fw ? VIRT_DRAM + KERNEL_OFFSET : VIRT_DRAM;
        if (!load_image(&m->as, m->opts.kernel, EM_RISCV, at, &kern, err, sizeof(err))) {
            error_report("-kernel %s", err);
            return -1;
        }
        /* one image loaded over the other would run half of each */
        if (have_fw && kern.low < fw.high && fw.low < kern.high) {
            error_report("-kernel %s (0x%llx-0x%llx) overlaps the firmware %s (0x%llx-0x%llx)",
                         m->opts.kernel, (unsigned long long)kern.low, (unsigned long long)kern.high,
                         bios, (unsigned long long)fw.low, (unsigned long long)fw.high);
            return -1;
        }
        kernel_entry = kern.entry;
        kernel_end = kern.high > kernel_end ? kern.high : kernel_end;
        if (!have_fw)
            start = kern.entry;
    }
    /* initrd halfway into RAM (at most 128 MiB in), clear of the kernel, as QEMU does */
    uint64_t initrd_start = 0, initrd_end = 0;
    if (m->opts.initrd) {
        uint64_t off = ram_size / 2 < (128ull << 20) ? ram_size / 2 : (128ull << 20);
        initrd_start = (VIRT_DRAM + off + 0xfff) & ~0xfffull;
        if (initrd_start < kernel_end)
            initrd_start = (kernel_end + 0xfff) & ~0xfffull;
        uint64_t size;
        uint64_t room = ram_end > initrd_start + (2ull << 20) ? ram_end - initrd_start - (2ull << 20) : 0;
        if (!load_blob(&m->as, m->opts.initrd, initrd_start, room, &size, err, sizeof(err))) {
            error_report("-initrd %s", err);
            return -1;
        }
        initrd_end = initrd_start + size;
    }
    /* the device tree: the user's (-dtb, checked and given /chosen as QEMU does) or
     * the generated one */
    virt_fdt_info info = {
        .nharts = b->nharts, .isa = riscv_isa_string(rv_ext_off), .mmu_type = "riscv,sv57",
        .ram_base = VIRT_DRAM, .ram_size = ram_size, .bootargs = m->opts.append,
        .initrd_start = initrd_start, .initrd_end = initrd_end,
        .virtio_slots = VIRT_VIRTIO_SLOTS,
    };
    /* tern's firmware does not patch the tree the way OpenSBI does, so reserve its
     * memory (image, data and stacks, all below the kernel) here */
    if (have_fw && !m->opts.bios) {
        info.resv_base = VIRT_DRAM;
        info.resv_size = KERNEL_OFFSET;
    }
    size_t fdt_size = 0;
    void *fdt;
    if (m->opts.dtb) {
        fdt = virt_fdt_load(m->opts.dtb, &info, &fdt_size, err, sizeof(err));
        if (!fdt) {
            error_report("-dtb %s", err);
            return -1;
        }
    } else {
        fdt = virt_fdt_build(&info, &fdt_size);
        if (!fdt)
            return -1;
    }
    if (b->dumpdtb) {             /* the tree as the guest would get it, as QEMU dumps it */
        int ok = write_file_atomically(b->dumpdtb, fdt, fdt_size);
        if (!ok)
            error_report("dumpdtb=%s: %s", b->dumpdtb, strerror(errno));
        free(fdt);
        return ok ? 1 : -1;
    }
    /* at the top of RAM, 2 MiB aligned (and below 4 GiB for 32-bit reach), clear of
     * the kernel and the initrd */
    uint64_t fdt_end = ram_end < 0x100000000ull ? ram_end : 0x100000000ull;
    uint64_t fdt_addr = fdt_size < fdt_end - VIRT_DRAM ? (fdt_end - fdt_size) & ~((2ull << 20) - 1) : 0;
    if (fdt_addr < kernel_end || (initrd_end && fdt_addr < initrd_end) ||
        !dma_write(&m->as, fdt_addr, fdt, fdt_size)) {
        free(fdt);
        error_report("-m: %llu MiB of RAM is too small for the kernel, initrd and device tree",
                     (unsigned long long)(ram_size >> 20));
        return -1;
    }
    free(fdt);
    write_mrom(b, start, fdt_addr, kernel_entry);
    /* Spike-style test programs talk to the host through tohost/fromhost */
    loaded_image *img = have_fw ? &fw : &kern;
    if (first && img->has_tohost)
        htif_create(m->devices, &m->as, img->tohost, img->fromhost, img->has_fromhost);
    return 0;
}

static void reset_harts(virt_board *b)
{
    for (unsigned i = 0; i < b->nharts; i++)
        rv_cpu_reset(b->harts[i], VIRT_MROM);
}

static int create_vcpus(virt_board *b)
{
    for (unsigned i = 0; i < b->nharts; i++) {
        char err[256];
        b->vcpus[i] = b->accel->create(b->harts[i], i, b->m->opts.accel_props, err, sizeof(err));
        if (!b->vcpus[i]) {
            error_report("%s", err);
            return -1;
        }
    }
    return 0;
}

/* A reset (the guest's or the monitor's): RAM back to zero, images reloaded, devices
 * and harts reset, vCPUs made anew. */
static int virt_reset(machine *m)
{
    virt_board *b = m->board;
    as_reset_ram(&m->as);
    device_list_reset(m->devices);
    for (unsigned i = 0; i < b->nharts; i++)
        atomic_store(&b->harts[i]->irq_lines, 0);
    if (load_images(b, false) < 0)
        return -1;
    reset_harts(b);
    main_loop_clear_exit();
    return create_vcpus(b);
}

/* ---- snapshots: the harts (the devices save themselves) ---- */

static void virt_save_cpus(machine *m, state_out *o)
{
    virt_board *b = m->board;
    for (unsigned i = 0; i < b->nharts; i++) {
        state_save(&rv_cpu_state, b->harts[i], o);
        /* RAM write tracking starts afresh with a save: writable translations made
         * before would let stores through unmarked */
        rv_tlb_flush(b->harts[i]);
    }
    /* semihosting is the board's: its handles and clock go with the harts */
    semihosting_state_save(o);
}

static int virt_pre_save(machine *m, char *err, size_t errsize)
{
    return semihosting_can_snapshot(err, errsize) ? 0 : -1;
}

static bool virt_load_cpus(machine *m, state_in *in, uint32_t version, char *err, size_t errsize)
{
    virt_board *b = m->board;
    /* each hart's state is read into a scratch copy and checked before any is taken */
    rv_cpu *scratch = malloc(sizeof(rv_cpu));
    if (!scratch)
        fatal("out of memory");
    size_t start = in->pos;
    for (unsigned i = 0; i < b->nharts; i++) {
        memcpy(scratch, b->harts[i], sizeof(rv_cpu));
        if (!state_load(&rv_cpu_state, scratch, in, version)) {
            snprintf(err, errsize, "the state of hart %u is cut short", i);
            free(scratch);
            return false;
        }
        if (!rv_cpu_state_valid(scratch, b->harts[i], err, errsize)) {
            free(scratch);
            return false;
        }
        if (scratch->mhartid != i) {
            snprintf(err, errsize, "hart %u was saved as hart %llu", i, (unsigned long long)scratch->mhartid);
            free(scratch);
            return false;
        }
    }
    free(scratch);
    in->pos = start;
    for (unsigned i = 0; i < b->nharts; i++)
        state_load(&rv_cpu_state, b->harts[i], in, version);
    if (!semihosting_state_load(in, err, errsize))
        return false;
    for (unsigned i = 0; i < b->nharts; i++) {
        rv_cpu_state_loaded(b->harts[i]);
        if (b->vcpus[i] && b->accel->state_loaded)
            b->accel->state_loaded(b->vcpus[i]);
    }
    return true;
}

/* ---- what the monitor and debugger may do with the harts ---- */

static void cpu_dump(machine *m, unsigned i, FILE *f)
{
    virt_board *b = m->board;
    rv_cpu_dump(b->harts[i], f);
}

static uint64_t cpu_pc(machine *m, unsigned i)
{
    virt_board *b = m->board;
    return b->harts[i]->pc;
}

static bool cpu_read_virt(machine *m, unsigned i, uint64_t va, void *buf, size_t len)
{
    virt_board *b = m->board;
    return rv_debug_access(b->harts[i], va, buf, len, false);
}

static bool cpu_write_virt(machine *m, unsigned i, uint64_t va, const void *buf, size_t len)
{
    virt_board *b = m->board;
    return rv_debug_access(b->harts[i], va, (void *)buf, len, true);
}

static int cpu_disas(machine *m, unsigned i, uint64_t va, int n, FILE *f)
{
    virt_board *b = m->board;
    int done = 0;
    for (; done < n; done++) {
        uint32_t raw = 0;
        if (!rv_debug_access(b->harts[i], va, &raw, 2, false))
            break;
        if ((raw & 3) == 3 && !rv_debug_access(b->harts[i], va + 2, (uint8_t *)&raw + 2, 2, false))
            break;
        rv_insn d;
        rv_decode(raw, &d);
        char text[96];
        rv_disas(&d, va, text, sizeof(text));
        fprintf(f, "0x%016llx:  %s\n", (unsigned long long)va, text);
        va += (raw & 3) == 3 ? 4 : 2;
    }
    return done;
}

static const char *gdb_xml(machine *m, const char *annex)
{
    return rv_gdb_xml(annex);
}

static int gdb_read_reg(machine *m, unsigned i, int reg, uint8_t *buf)
{
    virt_board *b = m->board;
    return rv_gdb_read_reg(b->harts[i], reg, buf);
}

static bool gdb_write_reg(machine *m, unsigned i, int reg, const uint8_t *buf, int len)
{
    virt_board *b = m->board;
    return rv_gdb_write_reg(b->harts[i], reg, buf, len);
}

static const machine_cpu_ops virt_cpu_ops = {
    .cpu_word = "hart", .dump = cpu_dump, .pc = cpu_pc, .read_virt = cpu_read_virt,
    .write_virt = cpu_write_virt, .disas = cpu_disas,
    .gdb_xml = gdb_xml, .gdb_g_regs = RV_GDB_G_REGS, .gdb_read_reg = gdb_read_reg,
    .gdb_write_reg = gdb_write_reg, .gdb_insert = rv_dbg_insert, .gdb_remove = rv_dbg_remove,
    .gdb_remove_all = rv_dbg_remove_all,
};

/* -M virt,PROP=...: what tern models; QEMU's other properties are refused by name */
static int parse_machine_props(virt_board *b, const char *props)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, props ? props : "", NULL, err, sizeof(err))) {
        error_report("-M virt: %s", err);
        return -1;
    }
    int rc = 0;
    bool aclint;
    const char *dump = opts_get(&l, "dumpdtb");
    const char *aia = opts_get(&l, "aia");
    if (dump && *dump) {
        free(b->dumpdtb);
        b->dumpdtb = strdup(dump);
    }
    if (!opts_get_bool(&l, "aclint", false, &aclint, err, sizeof(err))) {
        error_report("-M virt,%s", err);
        rc = -1;
    } else if (aclint) {
        error_report("-M virt,aclint=on: tern's virt has QEMU's default SiFive CLINT (aclint=off) only");
        rc = -1;
    } else if (aia && strcmp(aia, "none")) {
        error_report("-M virt,aia=%s: tern's virt has the PLIC only (aia=none)", aia);
        rc = -1;
    } else if (opts_unused(&l)) {
        error_report("-M virt: unknown machine option '%s' (known: dumpdtb=FILE, aclint=off, aia=none)",
                     opts_unused(&l));
        rc = -1;
    }
    opts_free(&l);
    return rc;
}

/* -cpu: QEMU's rv64 (also "max" and "any"), with the extensions tern has left on */
static int parse_cpu(const char *arg)
{
    if (!arg)
        return 0;
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "model", err, sizeof(err))) {
        error_report("-cpu %s: %s", arg, err);
        return -1;
    }
    const char *model = opts_get(&l, "model");
    int rc = 0;
    if (strcmp(model, "rv64") && strcmp(model, "max") && strcmp(model, "any")) {
        error_report("-cpu %s: unknown CPU model (-cpu help lists them)", model);
        rc = -1;
    }
    for (int i = 0; i < l.n && !rc; i++) {
        if (l.items[i].used)
            continue;
        l.items[i].used = true;
        bool on;
        const riscv_ext *e = riscv_ext_find(l.items[i].key);
        if (!e) {
            error_report("-cpu %s: unknown property '%s' (-cpu help lists them)", model, l.items[i].key);
            rc = -1;
        } else if (!opts_parse_bool(l.items[i].val, &on)) {
            error_report("-cpu %s: %s=%s: expected on or off", model, l.items[i].key, l.items[i].val);
            rc = -1;
        } else if (!on && e->present && e->off_bit) {
            rv_ext_off |= e->off_bit;
        } else if (on != e->present) {
            error_report("-cpu %s: %s=%s: tern's harts %s this extension", model, l.items[i].key,
                         l.items[i].val, e->present ? "always have" : "do not have");
            rc = -1;
        }
    }
    opts_free(&l);
    return rc;
}

static int virt_init(machine *m)
{
    virt_board *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->m = m;
    m->board = b;
    m->devices = device_list_new();
    if (parse_machine_props(b, m->opts.machine_props) < 0 || parse_cpu(m->opts.cpu) < 0)
        return -1;
    b->nharts = m->opts.smp ? (unsigned)m->opts.smp : 1;
    if (b->nharts > MAX_HARTS) {
        error_report("-smp %u: the virt board supports at most %d harts", b->nharts, MAX_HARTS);
        return -1;
    }
    if (m->opts.accel) {
        b->accel = accel_find(m->opts.accel, "riscv64");
        if (!b->accel) {
            error_report("-accel %s: not available for RISC-V guests (try -accel jit or -accel interp)",
                         m->opts.accel);
            return -1;
        }
    } else {
        /* the translator where the host can run it, else the interpreter */
        static const char *const preferred[] = { "jit", "interp", NULL };
        b->accel = accel_pick(preferred, "riscv64");
    }
    if (!as_add_ram(&m->as, "ram", VIRT_DRAM, m->opts.ram_size)) {
        error_report("-m: cannot allocate %llu MiB of guest RAM",
                     (unsigned long long)(m->opts.ram_size >> 20));
        return -1;
    }
    b->mrom = as_add_ram(&m->as, "mrom", VIRT_MROM, VIRT_MROM_SIZE);
    if (!b->mrom)
        fatal("cannot map the reset ROM");
    m->accel = b->accel;
    m->vcpus = b->vcpus;
    m->ncpus = b->nharts;
    m->cpu = &virt_cpu_ops;
    b->env.read_time = env_read_time;
    b->env.stimecmp_changed = env_stimecmp_changed;
    b->env.opaque = b;
    if (m->opts.semihosting) {
        semihosting_init(&m->opts, VIRT_DRAM, m->opts.ram_size);
        b->env.semihost = semihosting_call;
    }
    for (unsigned i = 0; i < b->nharts; i++) {
        rv_cpu *c = aligned_alloc(64, (sizeof(rv_cpu) + 63) & ~(size_t)63);
        if (!c)
            fatal("out of memory");
        rv_cpu_init(c, &m->as, i);
        c->env = &b->env;
        b->harts[i] = c;
    }
    test_finisher_create(&m->as, VIRT_TEST);
    b->clint = aclint_create(m->devices, &m->as, VIRT_CLINT, b->harts, b->nharts, kick_hart, b);
    b->plic = plic_create(m->devices, &m->as, VIRT_PLIC, b->harts, b->nharts, kick_hart, b);
    b->uart_irq = (plic_line){ b->plic, VIRT_UART0_IRQ };
    b->rtc_irq = (plic_line){ b->plic, VIRT_RTC_IRQ };
    if (!b->dumpdtb && !ns16550a_create(m->devices, &m->as, VIRT_UART0, m->opts.serial, plic_line_set, &b->uart_irq))
        return -1;
    goldfish_rtc_create(m->devices, &m->as, VIRT_RTC, plic_line_set, &b->rtc_irq);
    for (unsigned i = 0; i < 4; i++)
        b->pci_irq[i] = (plic_line){ b->plic, VIRT_PCIE_IRQ + i };
    gpex_config pcfg = {
        .ecam_base = VIRT_PCIE_ECAM, .ecam_size = VIRT_PCIE_ECAM_SIZE,
        .mmio_base = VIRT_PCIE_MMIO, .mmio_size = VIRT_PCIE_MMIO_SIZE,
        .mmio64_base = VIRT_PCIE_MMIO64(m->opts.ram_size), .mmio64_size = VIRT_PCIE_MMIO64_SIZE,
        .pio_base = VIRT_PCIE_PIO, .pio_size = VIRT_PCIE_PIO_SIZE,
        .set_line = pci_line_set, .line_opaque = b, .ram_moved = pci_ram_moved,
        .ram_sync_dirty = pci_ram_sync_dirty,
    };
    m->pci = gpex_create(&m->as, m->devices, &pcfg);
    virtio_pci_bus pci = { .bus = m->pci, .dma = &m->as };
    /* disks, then other devices, take the slots from the top down as on QEMU (vda first) */
    virtio_slot slots[VIRT_VIRTIO_SLOTS];
    unsigned order[VIRT_VIRTIO_SLOTS];
    for (unsigned i = 0; i < VIRT_VIRTIO_SLOTS; i++) {
        b->virtio_irq[i] = (plic_line){ b->plic, VIRT_VIRTIO_IRQ + i };
        slots[i] = (virtio_slot){ .base = VIRT_VIRTIO + (uint64_t)i * VIRT_VIRTIO_SIZE,
                                  .irq = plic_line_set, .irq_opaque = &b->virtio_irq[i] };
        order[i] = VIRT_VIRTIO_SLOTS - 1 - i;
    }
    if (virtio_board_create(m, &m->as, slots, order, VIRT_VIRTIO_SLOTS, true, &pci) < 0)
        return -1;
    int rc = load_images(b, true);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 1;                 /* dumpdtb: written, nothing to run */
    reset_harts(b);
    return create_vcpus(b);
}

static void virt_destroy(machine *m)
{
    virt_board *b = m->board;
    if (!b)
        return;
    /* every vCPU before any hart: the last one out takes the shared translator, which
     * looks at all the harts */
    for (unsigned i = 0; i < b->nharts; i++)
        if (b->vcpus[i])
            b->accel->destroy(b->vcpus[i]);
    for (unsigned i = 0; i < b->nharts; i++)
        free(b->harts[i]);
    device_list_free(m->devices);
    m->devices = NULL;
    as_destroy(&m->as);
    free(b->dumpdtb);
    free(b);
    m->board = NULL;
}

static const machine_class virt_machine = {
    .name = "virt",
    .desc = "RISC-V VirtIO board (QEMU-compatible memory map)",
    .init = virt_init,
    .reset = virt_reset,
    .destroy = virt_destroy,
    .cpu_state_version = 1,
    .pre_save = virt_pre_save,
    .save_cpus = virt_save_cpus,
    .load_cpus = virt_load_cpus,
};
MACHINE_REGISTER(virt_machine)
