/*
 * The RISC-V `virt` board, laid out as QEMU's so kernels built for it run unmodified:
 * test finisher 0x100000, ACLINT 0x2000000, PLIC 0xc000000, UART0 0x10000000, RAM at
 * 0x80000000. (virtio-mmio, RTC, PCIe and the device tree come with the board issue.)
 */
#include "core/machine.h"
#include "core/loader.h"
#include "core/clock.h"
#include "core/log.h"
#include "accel/accel.h"
#include "cpu/riscv/cpu.h"
#include "hw/intc/aclint.h"
#include "hw/intc/plic.h"
#include "hw/char/ns16550a.h"
#include "hw/misc/test_finisher.h"
#include "hw/misc/htif.h"
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VIRT_TEST     0x00100000ull
#define VIRT_CLINT    0x02000000ull
#define VIRT_PLIC     0x0c000000ull
#define VIRT_UART0    0x10000000ull
#define VIRT_DRAM     0x80000000ull
#define KERNEL_OFFSET 0x00200000ull    /* where -kernel goes when firmware is at DRAM */
#define MAX_HARTS     8

typedef struct virt_board {
    machine *m;
    unsigned nharts;
    rv_cpu *harts[MAX_HARTS];
    vcpu *vcpus[MAX_HARTS];
    rv_hart_env env;
    const accel_ops *accel;
    aclint *clint;
    plic *plic;
    uint64_t entry;
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

static void kick_hart(void *opaque, unsigned hart)
{
    virt_board *b = opaque;
    if (hart < b->nharts && b->vcpus[hart])
        b->accel->kick(b->vcpus[hart]);
}

/* Load firmware and kernel into RAM; decide the entry point. */
static int load_images(virt_board *b, bool first)
{
    machine *m = b->m;
    char err[512];
    loaded_image fw = { 0 }, kern = { 0 };
    bool have_fw = m->opts.bios && strcmp(m->opts.bios, "none") != 0;

    if (!have_fw && !m->opts.kernel) {
        error_report("nothing to run: give -kernel FILE (with -bios none) or -bios FILE");
        return -1;
    }
    if (have_fw) {
        if (!load_image(&m->as, m->opts.bios, EM_RISCV, VIRT_DRAM, &fw, err, sizeof(err))) {
            error_report("-bios %s", err);
            return -1;
        }
        b->entry = fw.entry;
    }
    if (m->opts.kernel) {
        uint64_t at = have_fw ? VIRT_DRAM + KERNEL_OFFSET : VIRT_DRAM;
        if (!load_image(&m->as, m->opts.kernel, EM_RISCV, at, &kern, err, sizeof(err))) {
            error_report("-kernel %s", err);
            return -1;
        }
        if (!have_fw)
            b->entry = kern.entry;
    }
    /* Spike-style test programs talk to the host through tohost/fromhost */
    loaded_image *img = have_fw ? &fw : &kern;
    if (first && img->has_tohost)
        htif_create(m->devices, &m->as, img->tohost, img->fromhost, img->has_fromhost);
    return 0;
}

static void reset_harts(virt_board *b)
{
    for (unsigned i = 0; i < b->nharts; i++) {
        rv_cpu_reset(b->harts[i], b->entry);
        b->harts[i]->x[10] = i;          /* a0 = hartid */
        b->harts[i]->x[11] = 0;          /* a1 = device tree (none yet) */
    }
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

/* A guest-requested reset: RAM back to zero, images reloaded, devices and harts reset. */
static int virt_reset(virt_board *b)
{
    machine *m = b->m;
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

static int virt_init(machine *m)
{
    virt_board *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->m = m;
    m->board = b;
    m->devices = device_list_new();
    if (m->opts.machine_props && *m->opts.machine_props) {
        error_report("-M virt: unknown machine option '%s'", m->opts.machine_props);
        return -1;
    }
    b->nharts = m->opts.smp ? (unsigned)m->opts.smp : 1;
    if (b->nharts > MAX_HARTS) {
        error_report("-smp %u: the virt board supports at most %d harts", b->nharts, MAX_HARTS);
        return -1;
    }
    const char *accel_name = m->opts.accel ? m->opts.accel : "interp";
    b->accel = accel_find(accel_name, "riscv64");
    if (!b->accel) {
        error_report("-accel %s: not available for RISC-V guests (try -accel interp)", accel_name);
        return -1;
    }
    if (!as_add_ram(&m->as, "ram", VIRT_DRAM, m->opts.ram_size)) {
        error_report("-m: cannot allocate %llu MiB of guest RAM",
                     (unsigned long long)(m->opts.ram_size >> 20));
        return -1;
    }
    b->env.read_time = env_read_time;
    b->env.stimecmp_changed = env_stimecmp_changed;
    b->env.opaque = b;
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
    ns16550a_create(m->devices, &m->as, VIRT_UART0, STDOUT_FILENO);
    if (load_images(b, true) < 0)
        return -1;
    reset_harts(b);
    return create_vcpus(b);
}

static int virt_run(machine *m)
{
    virt_board *b = m->board;
    for (;;) {
        for (unsigned i = 0; i < b->nharts; i++)
            b->accel->start(b->vcpus[i]);
        int status = main_loop_run();
        for (unsigned i = 0; i < b->nharts; i++) {
            b->accel->destroy(b->vcpus[i]);
            b->vcpus[i] = NULL;
        }
        if (status != TERN_EXIT_RESET)
            return status;
        if (virt_reset(b) < 0)
            return 2;
    }
}

static void virt_destroy(machine *m)
{
    virt_board *b = m->board;
    if (!b)
        return;
    for (unsigned i = 0; i < b->nharts; i++) {
        if (b->vcpus[i])
            b->accel->destroy(b->vcpus[i]);
        free(b->harts[i]);
    }
    device_list_free(m->devices);
    m->devices = NULL;
    as_destroy(&m->as);
    free(b);
    m->board = NULL;
}

static const machine_class virt_machine = {
    .name = "virt",
    .desc = "RISC-V VirtIO board (QEMU-compatible memory map)",
    .init = virt_init,
    .run = virt_run,
    .destroy = virt_destroy,
};
MACHINE_REGISTER(virt_machine)
