/*
 * The x86-64 `microvm` board, run under KVM (memory map in microvm_map.h): RAM from 0
 * with an e820 map, the in-kernel PIC/IOAPIC/LAPIC and PIT, a 16550 UART on port 0x3f8
 * (the same model as on virt, on port I/O), virtio-mmio devices (the same transport and
 * backends as virt) announced on the kernel command line, an MP table for -smp, an exit
 * port and the keyboard controller's reset line. With pcie=on, or when a -device *-pci
 * asks for it, a PCI host bridge (QEMU's microvm addresses, plus configuration
 * mechanism #1 so that a kernel without ACPI finds it) with BARs placed as a PC's
 * firmware would, INTx through the I/O APIC (listed in the MP table) and MSI(-X) to the
 * local APICs.
 *
 * -kernel takes a Linux bzImage (entered at its 64-bit entry point, boot protocol 2.12+)
 * or a plain 64-bit ELF for bare-metal guests: every vCPU then starts at the ELF's
 * entry in 64-bit mode, with the first 4 GiB identity-mapped, rdi = its index, rsi =
 * the number of vCPUs and a 16 KiB stack of its own.
 */
#include "core/machine.h"
#include "core/loader.h"
#include "core/clock.h"
#include "core/chardev.h"
#include "core/log.h"
#include "accel/kvm.h"
#include "hw/x86/microvm_gdb.h"
#include "cpu/x86/cpu.h"
#include "hw/x86/microvm_map.h"
#include "hw/x86/linux_boot.h"
#include "hw/x86/mptable.h"
#include "hw/x86/i8042.h"
#include "hw/misc/debug_exit.h"
#include "hw/misc/test_finisher.h"
#include "hw/virtio/virtio_board.h"
#include "hw/pci/pci_host_gpex.h"
#include "hw/pci/pci_host_cf8.h"
#include "core/opts.h"
#include <cpuid.h>
#include "hw/char/ns16550a.h"
#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CPUS 64

typedef struct microvm {
    machine *m;
    unsigned ncpus;
    const accel_ops *accel;
    kvm_vm *vm;
    x86_cpu cpus[MAX_CPUS];
    vcpu *vcpus[MAX_CPUS];
    kvm_irq_line uart_irq, virtio_irq[MVM_VIRTIO_SLOTS], pci_irq[4];
    virtio_slot slots[MVM_VIRTIO_SLOTS];
    char cmdline[MVM_CMDLINE_MAX];
    pci_bus *pci;               /* NULL: no PCI (pcie=off) */
    int pcie_mode;              /* -M microvm,pcie=: 1 on, 0 off, -1 auto */
} microvm;

/* The host bridge's swizzle puts pin P (1-4) of slot S on line (S + P - 1) mod 4,
 * which is I/O APIC pin 12 + line. */
static unsigned intx_gsi(unsigned devfn, unsigned pin)
{
    return MVM_PCIE_GSI + ((devfn >> 3) + pin - 1) % 4;
}

/* The PCI functions' INTx pins as the MP table lists them. */
static unsigned pci_irqs(microvm *b, mptable_pci_irq *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned f = 0; b->pci && f < PCI_MAX_DEVFN && n < max; f++) {
        pci_dev *d = b->pci->devs[f];
        unsigned pin = d ? d->config[PCI_INTERRUPT_PIN] : 0;
        if (!pin || pin > 4)
            continue;
        bool dup = false;
        for (unsigned i = 0; i < n; i++)
            dup |= out[i].slot == f >> 3 && out[i].pin == pin;
        if (!dup)
            out[n++] = (mptable_pci_irq){ f >> 3, pin, intx_gsi(f, pin) };
    }
    return n;
}

/* The kernel's command line: the user's, then the virtio devices, as QEMU's microvm does. */
static void build_cmdline(microvm *b)
{
    const char *user = b->m->opts.append ? b->m->opts.append : "";
    size_t n = (size_t)snprintf(b->cmdline, sizeof(b->cmdline), "%s", user);
    for (unsigned i = 0; i < MVM_VIRTIO_SLOTS && n < sizeof(b->cmdline); i++)
        if (b->slots[i].used)
            n += (size_t)snprintf(b->cmdline + n, sizeof(b->cmdline) - n, "%svirtio_mmio.device=%llu@%#llx:%u",
                                  n ? " " : "", (unsigned long long)MVM_VIRTIO_SIZE,
                                  (unsigned long long)b->slots[i].base, MVM_VIRTIO_GSI + i);
}

/* Load the kernel (and initrd) and set every vCPU's state at reset. */
static int load_images(microvm *b)
{
    machine *m = b->m;
    uint64_t ram = m->opts.ram_size;
    char err[PATH_MAX + 256];
    if (!m->opts.kernel) {
        error_report("-M microvm: nothing to run: give -kernel FILE (a Linux bzImage or a 64-bit ELF)");
        return -1;
    }
    if (!x86_build_boot_tables(&m->as, MVM_BOOT_TABLES)) {
        error_report("-m: too little RAM for the boot page tables");
        return -1;
    }
    bool is_linux = linux_is_bzimage(m->opts.kernel);
    mptable_pci_irq irqs[PCI_MAX_DEVFN];
    mptable_config mp = {
        .ncpus = b->ncpus, .ioapic = MVM_IOAPIC, .lapic = MVM_LAPIC, .first_level_gsi = MVM_VIRTIO_GSI,
        .nlevel = MVM_VIRTIO_SLOTS, .pci = b->pci != NULL, .pci_irqs = irqs,
        .npci_irqs = pci_irqs(b, irqs, PCI_MAX_DEVFN),
    };
    if (!mptable_write(&m->as, MVM_MP_FLOATING, MVM_MPTABLE, MVM_MP_FLOATING - MVM_MPTABLE, &mp)) {
        error_report("-smp %u: too many vCPUs for the MP table", b->ncpus);
        return -1;
    }
    /* as a PC's firmware does before the OS: BARs placed, decoding on, and each
     * function's interrupt line register saying which I/O APIC pin its INTx reaches */
    if (b->pci) {
        pci_bus_assign_bars(b->pci);
        for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
            pci_dev *d = b->pci->devs[f];
            unsigned pin = d ? d->config[PCI_INTERRUPT_PIN] : 0;
            if (pin >= 1 && pin <= 4)
                pci_config_write(b->pci, f, PCI_INTERRUPT_LINE, intx_gsi(f, pin), 1);
        }
    }
    if (is_linux) {
        /* the ECAM is reserved, so that nothing else lands there; the MMIO window is a
         * hole of the map, which is where Linux's PCI resources go */
        e820_entry_in map[] = {
            { 0, MVM_MPTABLE, 1 },
            { MVM_MPTABLE, 0x100000 - MVM_MPTABLE, 2 },
            { MVM_KERNEL, ram - MVM_KERNEL, 1 },
            { MVM_PCIE_ECAM, MVM_PCIE_ECAM_SIZE, 2 },
        };
        build_cmdline(b);
        linux_boot lb;
        if (!linux_load(&m->as, ram, m->opts.kernel, m->opts.initrd, b->cmdline, map, b->pci ? 4 : 3, &lb,
                        err, sizeof(err))) {
            error_report("-kernel %s", err);
            return -1;
        }
        /* the boot CPU enters the kernel; the others wait for its INIT/SIPI */
        x86_long_mode_regs(&b->cpus[0].boot, MVM_BOOT_TABLES, lb.entry, 0);
        b->cpus[0].boot.rsi = lb.boot_params;
        b->cpus[0].runnable = true;
        for (unsigned i = 1; i < b->ncpus; i++)
            b->cpus[i].runnable = false;
        return 0;
    }
    if (m->opts.initrd) {
        error_report("-initrd: only a Linux bzImage takes an initrd");
        return -1;
    }
    loaded_image img = { 0 };
    if (!load_image(&m->as, m->opts.kernel, EM_X86_64, MVM_KERNEL, &img, err, sizeof(err))) {
        error_report("-kernel %s", err);
        return -1;
    }
    for (unsigned i = 0; i < b->ncpus; i++) {
        x86_long_mode_regs(&b->cpus[i].boot, MVM_BOOT_TABLES, img.entry, MVM_AP_STACKS - 0x4000ull * i);
        b->cpus[i].boot.rdi = i;
        b->cpus[i].boot.rsi = b->ncpus;
        b->cpus[i].runnable = true;
    }
    if (MVM_AP_STACKS - 0x4000ull * b->ncpus < MVM_CMDLINE + MVM_CMDLINE_MAX) {
        error_report("-smp %u: too many vCPUs for the bare-metal stacks", b->ncpus);
        return -1;
    }
    return 0;
}

/* A fresh VM with the board's RAM, and its vCPUs. */
static int create_vm(microvm *b)
{
    machine *m = b->m;
    char err[256];
    b->vm = kvm_vm_create(err, sizeof(err));
    if (!b->vm) {
        error_report("%s", err);
        return -1;
    }
    for (int i = 0; i < m->as.nram; i++)
        if (!kvm_vm_add_ram(b->vm, m->as.ram[i].base, m->as.ram[i].host, m->as.ram[i].size,
                            err, sizeof(err))) {
            error_report("%s", err);
            return -1;
        }
    b->uart_irq.vm = b->vm;
    for (unsigned i = 0; i < MVM_VIRTIO_SLOTS; i++)
        b->virtio_irq[i].vm = b->vm;
    for (unsigned i = 0; i < 4; i++)
        b->pci_irq[i].vm = b->vm;
    return 0;
}

static int create_vcpus(microvm *b)
{
    for (unsigned i = 0; i < b->ncpus; i++) {
        char err[256];
        b->cpus[i].vm = b->vm;
        b->vcpus[i] = b->accel->create(&b->cpus[i], i, b->m->opts.accel_props, err, sizeof(err));
        if (!b->vcpus[i]) {
            error_report("%s", err);
            return -1;
        }
    }
    return 0;
}

static void destroy_vm(microvm *b)
{
    for (unsigned i = 0; i < b->ncpus; i++) {
        if (b->vcpus[i])
            b->accel->destroy(b->vcpus[i]);
        b->vcpus[i] = NULL;
    }
    /* what the guest wrote since the last stop still counts (a snapshot return) */
    if (b->vm)
        kvm_vm_collect_ram_writes(b->vm, &b->m->as);
    kvm_vm_destroy(b->vm);
    b->vm = NULL;
}

/* ---- what the monitor and debugger may do with the CPUs ---- */

static void cpu_dump(machine *m, unsigned i, FILE *f)
{
    microvm *b = m->board;
    kvm_vcpu_dump(b->vcpus[i], f);
}

static uint64_t cpu_pc(machine *m, unsigned i)
{
    microvm *b = m->board;
    x86_regs r;
    return kvm_vcpu_get_regs(b->vcpus[i], &r) ? r.rip : 0;
}

static bool cpu_access(machine *m, unsigned i, uint64_t va, void *buf, size_t len, bool write)
{
    microvm *b = m->board;
    x86_regs r;
    return kvm_vcpu_get_regs(b->vcpus[i], &r) && x86_debug_access(&m->as, &r, va, buf, len, write);
}

static bool cpu_read_virt(machine *m, unsigned i, uint64_t va, void *buf, size_t len)
{
    return cpu_access(m, i, va, buf, len, false);
}

static bool cpu_write_virt(machine *m, unsigned i, uint64_t va, const void *buf, size_t len)
{
    return cpu_access(m, i, va, (void *)buf, len, true);
}

static int cpu_disas(machine *m, unsigned i, uint64_t va, int n, FILE *f)
{
    microvm *b = m->board;
    x86_regs r;
    uint8_t code[15 * 64];
    size_t len = (size_t)n * 15 < sizeof(code) ? (size_t)n * 15 : sizeof(code);
    while (len && !cpu_access(m, i, va, code, len, false))
        len /= 2;
    if (!len || !kvm_vcpu_get_regs(b->vcpus[i], &r))
        return 0;
    return x86_disas(code, len, va, r.cs.l, n, f);
}

static const char *gdb_xml(machine *m, const char *annex)
{
    microvm *b = m->board;
    /* without KVM's guest debugging there is nothing gdb can do */
    return b->vcpus[0] && kvm_has_guest_debug(b->vcpus[0]) ? microvm_gdb_xml(annex) : NULL;
}

static int gdb_read_reg(machine *m, unsigned i, int reg, uint8_t *buf)
{
    microvm *b = m->board;
    return microvm_gdb_read_reg(b->vcpus[i], reg, buf);
}

static bool gdb_write_reg(machine *m, unsigned i, int reg, const uint8_t *buf, int len)
{
    microvm *b = m->board;
    return microvm_gdb_write_reg(b->vcpus[i], reg, buf, len);
}

static const machine_cpu_ops microvm_cpu_ops = {
    .cpu_word = "CPU", .dump = cpu_dump, .pc = cpu_pc, .read_virt = cpu_read_virt,
    .write_virt = cpu_write_virt, .disas = cpu_disas,
    .gdb_xml = gdb_xml, .gdb_g_regs = MICROVM_GDB_G_REGS, .gdb_read_reg = gdb_read_reg,
    .gdb_write_reg = gdb_write_reg, .gdb_insert = kvm_debug_insert, .gdb_remove = kvm_debug_remove,
    .gdb_remove_all = kvm_debug_remove_all,
};

/* -M microvm,pcie=on|off|auto: auto (tern's default) gives a PCI bus when a -device
 * asks for one, where QEMU would refuse the device without pcie=on. */
static int parse_machine_props(microvm *b, const char *props)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, props ? props : "", NULL, err, sizeof(err))) {
        error_report("-M microvm: %s", err);
        return -1;
    }
    int rc = 0;
    const char *pcie = opts_get(&l, "pcie");
    bool on;
    b->pcie_mode = -1;
    if (pcie && strcmp(pcie, "auto")) {
        if (!opts_parse_bool(pcie, &on)) {
            error_report("-M microvm,pcie=%s: expected on, off or auto", pcie);
            rc = -1;
        } else {
            b->pcie_mode = on;
        }
    }
    if (!rc && opts_unused(&l)) {
        error_report("-M microvm: unknown machine option '%s' (known: pcie=on|off|auto)", opts_unused(&l));
        rc = -1;
    }
    opts_free(&l);
    return rc;
}

static bool wants_pci(microvm *b)
{
    machine *m = b->m;
    if (b->pcie_mode >= 0)
        return b->pcie_mode;
    for (int i = 0; i < m->opts.ndevices; i++)
        if (board_device_is_pci(m->opts.devices[i].driver))
            return true;
    return false;
}

static void pci_line_set(void *opaque, unsigned line, bool level)
{
    microvm *b = opaque;
    kvm_irq_line_set(&b->pci_irq[line & 3], level);
}

/* A RAM-backed BAR moved: its memory slot follows it, so the guest reaches it without
 * exits. Where KVM refuses (it overlaps another BAR's slot), exits to the window serve it. */
static void pci_ram_moved(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t old_at,
                          uint64_t new_at)
{
    microvm *b = opaque;
    if (!b->vm)
        return;                     /* between VMs (reset): the next one gets it anew */
    unsigned slot = KVM_FIRST_FREE_SLOT + (unsigned)overlay;
    if (old_at != PCI_UNMAPPED)
        kvm_vm_set_slot(b->vm, slot, old_at, host, 0);
    if (new_at != PCI_UNMAPPED && !kvm_vm_set_slot_logged(b->vm, slot, new_at, host, size))
        guest_error("guest_errors: PCI: a RAM BAR at 0x%llx overlaps another; served by exits\n",
                    (unsigned long long)new_at);
}

/* A display takes VRAM's dirty pages: those the guest wrote through the slot. */
static void pci_ram_sync_dirty(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t *bitmap)
{
    microvm *b = opaque;
    (void)host;
    if (b->vm && !kvm_vm_dirty_log(b->vm, KVM_FIRST_FREE_SLOT + (unsigned)overlay, size, bitmap))
        memset(bitmap, 0xff, (size_t)((size / 4096 + 63) / 64) * 8);    /* not logged: redraw it all */
}

/* MSI: a write to the local APICs' page is an interrupt; anywhere else it is a DMA
 * write to RAM like any other (never to a device: see virtio_board.c). */
static void pci_msi(void *opaque, uint64_t addr, uint32_t data)
{
    microvm *b = opaque;
    if ((addr >> 20) == (MVM_LAPIC >> 20))
        kvm_vm_signal_msi(b->vm, addr, data);
    else if ((addr & 3) || !dma_write(&b->m->as, addr, &data, 4))
        guest_error("guest_errors: MSI to 0x%llx (data %x) reached nothing\n", (unsigned long long)addr, data);
}

/* The top quarter of the guest's physical address space, as QEMU's microvm has it. */
static void mmio64_window(uint64_t *base, uint64_t *size)
{
    unsigned a, bx, c, d, bits = 36;
    if (__get_cpuid(0x80000000u, &a, &bx, &c, &d) && a >= 0x80000008u &&
        __get_cpuid(0x80000008u, &a, &bx, &c, &d))
        bits = a & 0xff;
    if (bits < 36 || bits > 52)
        bits = 36;
    *size = 1ull << (bits - 2);
    *base = (1ull << bits) - *size;
}

static void create_pci(microvm *b)
{
    machine *m = b->m;
    gpex_config cfg = {
        .ecam_base = MVM_PCIE_ECAM, .ecam_size = MVM_PCIE_ECAM_SIZE,
        .mmio_base = MVM_PCIE_MMIO, .mmio_size = MVM_PCIE_MMIO_SIZE,
        .pio_base = MVM_PCIE_PIO, .pio_size = MVM_PCIE_PIO_SIZE, .pio_bus_base = MVM_PCIE_PIO,
        .pio_as = &m->io, .set_line = pci_line_set, .line_opaque = b, .ram_moved = pci_ram_moved,
        .ram_sync_dirty = pci_ram_sync_dirty, .ram_sync_always = true,
    };
    mmio64_window(&cfg.mmio64_base, &cfg.mmio64_size);
    for (unsigned i = 0; i < 4; i++)
        b->pci_irq[i] = (kvm_irq_line){ b->vm, MVM_PCIE_GSI + i };
    b->pci = m->pci = gpex_create(&m->as, m->devices, &cfg);
    pci_cf8_create(&m->io, m->devices, b->pci);
}

static int microvm_init(machine *m)
{
    microvm *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->m = m;
    m->board = b;
    m->devices = device_list_new();
    if (m->opts.cpu && strcmp(m->opts.cpu, "host") && strcmp(m->opts.cpu, "max")) {
        error_report("-cpu %s: under KVM tern's CPUs are the host's (-cpu host)", m->opts.cpu);
        return -1;
    }
    if (parse_machine_props(b, m->opts.machine_props) < 0)
        return -1;
    const char *accel = m->opts.accel ? m->opts.accel : "kvm";
    b->accel = accel_find(accel, "x86_64");
    if (!b->accel) {
        error_report("-M microvm: x86-64 guests run only under KVM (-accel kvm); tern's "
                     "translator and interpreter run RISC-V guests (-M virt)");
        return -1;
    }
    if (b->accel->available && !b->accel->available()) {
        error_report("-accel kvm: KVM runs x86-64 guests on x86-64 Linux hosts only");
        return -1;
    }
    b->ncpus = m->opts.smp ? (unsigned)m->opts.smp : 1;
    if (b->ncpus > MAX_CPUS) {
        error_report("-smp %u: the microvm board supports at most %d CPUs", b->ncpus, MAX_CPUS);
        return -1;
    }
    if (m->opts.ram_size > MVM_RAM_MAX || m->opts.ram_size < (16ull << 20)) {
        error_report("-m: the microvm board takes 16 MiB to %llu MiB of RAM",
                     (unsigned long long)(MVM_RAM_MAX >> 20));
        return -1;
    }
    if (m->opts.bios && strcmp(m->opts.bios, "none")) {
        error_report("-bios: the microvm board boots without firmware (-kernel starts the guest)");
        return -1;
    }
    if (m->opts.dtb) {
        error_report("-dtb: x86 guests have no device tree");
        return -1;
    }
    if (!as_add_ram(&m->as, "ram", 0, m->opts.ram_size)) {
        error_report("-m: cannot allocate %llu MiB of guest RAM",
                     (unsigned long long)(m->opts.ram_size >> 20));
        return -1;
    }
    if (create_vm(b) < 0)
        return -1;
    for (unsigned i = 0; i < b->ncpus; i++) {
        b->cpus[i].index = i;
        b->cpus[i].ncpus = b->ncpus;
        b->cpus[i].mem = &m->as;
        b->cpus[i].io = &m->io;
    }
    m->accel = b->accel;
    m->vcpus = b->vcpus;
    m->ncpus = b->ncpus;
    m->cpu = &microvm_cpu_ops;
    b->uart_irq = (kvm_irq_line){ b->vm, MVM_UART_GSI };
    if (!ns16550a_create(m->devices, &m->io, MVM_UART_PORT, m->opts.serial, kvm_irq_line_set, &b->uart_irq))
        return -1;
    debug_exit_create(&m->io, MVM_EXIT_PORT);
    i8042_create(&m->io);
    unsigned order[MVM_VIRTIO_SLOTS];
    for (unsigned i = 0; i < MVM_VIRTIO_SLOTS; i++) {
        b->virtio_irq[i] = (kvm_irq_line){ b->vm, MVM_VIRTIO_GSI + i };
        b->slots[i] = (virtio_slot){ .base = MVM_VIRTIO + i * MVM_VIRTIO_SIZE,
                                     .irq = kvm_irq_line_set, .irq_opaque = &b->virtio_irq[i] };
        order[i] = i;
    }
    if (wants_pci(b))
        create_pci(b);
    virtio_pci_bus pci = { .bus = b->pci, .dma = &m->as, .msi = pci_msi, .msi_opaque = b };
    if (virtio_board_create(m, &m->as, b->slots, order, MVM_VIRTIO_SLOTS, false, b->pci ? &pci : NULL) < 0)
        return -1;
    if (load_images(b) < 0)
        return -1;
    return create_vcpus(b);
}

/* Reset: a new VM (KVM cannot make vCPUs anew in the old one), RAM cleared, devices
 * reset, images loaded again. */
static int microvm_reset(machine *m)
{
    microvm *b = m->board;
    destroy_vm(b);
    as_reset_ram(&m->as);
    device_list_reset(m->devices);
    main_loop_clear_exit();
    if (create_vm(b) < 0 || load_images(b) < 0)
        return -1;
    return create_vcpus(b);
}

static void microvm_destroy(machine *m)
{
    microvm *b = m->board;
    if (!b)
        return;
    destroy_vm(b);
    device_list_free(m->devices);
    m->devices = NULL;
    as_destroy(&m->as);
    as_destroy(&m->io);
    free(b);
    m->board = NULL;
}

/* ---- snapshots: the vCPUs and the VM (the devices save themselves) ----
 *
 * The stream: a status word (0, or 1 when KVM would not give the state: then a message
 * instead), the number of vCPUs, each vCPU, then the VM's irqchip, PIT and clock (after
 * the vCPUs: the I/O APIC and PICs are loaded into local APICs that already hold their
 * state). The board's own devices here keep nothing a snapshot needs: the i8042 only
 * passes on a reset command and the exit port ends the run; the UART, virtio and PCI
 * devices are registered and save themselves, and re-drive their irq lines after a
 * load (post_load), which reach the VM's I/O APIC through kvm_irq_line_set. */

/* The vCPUs exist (between a reset's destroying them and making them anew they do not). */
static bool have_vcpus(microvm *b, char *err, size_t errsize)
{
    for (unsigned i = 0; i < b->ncpus; i++)
        if (!b->vcpus[i] || !b->vm) {
            snprintf(err, errsize, "vCPU %u does not exist now (the machine is resetting)", i);
            return false;
        }
    return true;
}

static bool save_kvm(microvm *b, state_out *o, char *err, size_t errsize)
{
    if (!have_vcpus(b, err, errsize))
        return false;
    state_put_u32(o, b->ncpus);
    for (unsigned i = 0; i < b->ncpus; i++)
        if (!kvm_vcpu_save(b->vcpus[i], o, err, errsize))
            return false;
    return kvm_vm_save_state(b->vm, o, err, errsize);
}

static void microvm_save_cpus(machine *m, state_out *o)
{
    microvm *b = m->board;
    state_out part = { 0 };
    char err[256];
    if (save_kvm(b, &part, err, sizeof(err))) {
        state_put_u32(o, 0);
        state_put(o, part.data, part.len);
    } else {
        /* the file says so, and a load refuses it with the reason */
        error_report("snapshot: %s", err);
        state_put_u32(o, 1);
        state_put_str(o, err);
    }
    state_out_free(&part);
}

/* Put every vCPU and the VM in the given state; false at the first KVM refuses. */
static bool apply_kvm(microvm *b, const kvm_vcpu_state *cpus, const kvm_vm_state *vm, char *err, size_t errsize)
{
    for (unsigned i = 0; i < b->ncpus; i++)
        if (!kvm_vcpu_set_state_err(b->vcpus[i], &cpus[i], err, errsize))
            return false;
    return kvm_vm_set_state(b->vm, vm, err, errsize);
}

/* Every part is read and checked before KVM is told anything; if KVM then refuses the
 * state, the machine gets back the state it had. */
static bool microvm_load_cpus(machine *m, state_in *in, uint32_t version, char *err, size_t errsize)
{
    microvm *b = m->board;
    if (version > KVM_STATE_VERSION) {
        snprintf(err, errsize, "the CPU state is version %u; this tern reads up to %u", version,
                 KVM_STATE_VERSION);
        return false;
    }
    uint32_t status = state_get_u32(in);
    if (status != 0) {
        char why[256];
        if (status != 1 || !state_get_str(in, why, sizeof(why)))
            snprintf(why, sizeof(why), "(no reason given)");
        snprintf(err, errsize, "the snapshot holds no CPU state: KVM failed at the save: %s", why);
        return false;
    }
    uint32_t n = state_get_u32(in);
    if (in->bad) {
        snprintf(err, errsize, "the CPU state is cut short");
        return false;
    }
    if (n != b->ncpus) {
        snprintf(err, errsize, "the snapshot has %u vCPUs, this machine %u (-smp)", n, b->ncpus);
        return false;
    }
    if (!have_vcpus(b, err, errsize))
        return false;
    kvm_vcpu_state *cpus = calloc(2 * b->ncpus, sizeof(*cpus));
    if (!cpus)
        fatal("out of memory");
    kvm_vcpu_state *old = cpus + b->ncpus;
    kvm_vm_state vm, old_vm;
    bool ok = true;
    for (unsigned i = 0; ok && i < b->ncpus; i++) {
        char who[32];
        snprintf(who, sizeof(who), "vCPU %u", i);
        ok = kvm_vcpu_state_read(in, version, &cpus[i], who, err, errsize);
    }
    ok = ok && kvm_vm_state_read(in, version, &vm, err, errsize);
    /* what the machine has now, to go back to */
    for (unsigned i = 0; ok && i < b->ncpus; i++)
        ok = kvm_vcpu_get_state_err(b->vcpus[i], &old[i], err, errsize);
    ok = ok && kvm_vm_get_state(b->vm, &old_vm, err, errsize);
    if (ok && !apply_kvm(b, cpus, &vm, err, errsize)) {
        char err2[256];
        if (!apply_kvm(b, old, &old_vm, err2, sizeof(err2)))
            error_report("snapshot: the machine's own CPU state could not be put back either: %s", err2);
        ok = false;
    }
    free(cpus);
    return ok;
}

static const machine_class microvm_machine = {
    .name = "microvm",
    .desc = "x86-64 guests under KVM: no firmware, virtio-mmio devices, PCI on demand (QEMU's microvm)",
    .init = microvm_init,
    .reset = microvm_reset,
    .destroy = microvm_destroy,
    .cpu_state_version = KVM_STATE_VERSION,
    .save_cpus = microvm_save_cpus,
    .load_cpus = microvm_load_cpus,
};
MACHINE_REGISTER(microvm_machine)
