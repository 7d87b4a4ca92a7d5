/*
 * Device tree for the virt board, built with libfdt's sequential-write API. Node names,
 * compatibles and properties follow what QEMU's virt board generates, so kernels and
 * firmware find the same things.
 */
#include "hw/riscv/virt_fdt.h"
#include "hw/riscv/virt_map.h"
#include "core/log.h"
#include "core/loader.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#define TRY(x) do { int _e = (x); if (_e < 0) { error_report("device tree: %s: %s", #x, fdt_strerror(_e)); goto fail; } } while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
    fdt64_t cells[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
    return fdt_property(fdt, "reg", cells, sizeof(cells));
}

/* interrupts-extended: for each hart, <intc irq_a intc irq_b> */
static int prop_hart_irqs(void *fdt, const unsigned *intc_ph, unsigned nharts,
                          unsigned irq_a, unsigned irq_b)
{
    fdt32_t cells[64 * 4];
    unsigned n = 0;
    for (unsigned h = 0; h < nharts && h < 64; h++) {
        cells[n++] = cpu_to_fdt32(intc_ph[h]);
        cells[n++] = cpu_to_fdt32(irq_a);
        cells[n++] = cpu_to_fdt32(intc_ph[h]);
        cells[n++] = cpu_to_fdt32(irq_b);
    }
    return fdt_property(fdt, "interrupts-extended", cells, n * sizeof(fdt32_t));
}

/* QEMU's generic ECAM host: one bus, its three windows, and INTx after the swizzle */
static int pci_node(void *fdt, const virt_fdt_info *info, unsigned plic_ph)
{
    char name[64];
    int e;
    snprintf(name, sizeof(name), "pci@%llx", (unsigned long long)VIRT_PCIE_ECAM);
    if ((e = fdt_begin_node(fdt, name)) < 0 ||
        (e = fdt_property_u32(fdt, "#address-cells", 3)) < 0 ||
        (e = fdt_property_u32(fdt, "#interrupt-cells", 1)) < 0 ||
        (e = fdt_property_u32(fdt, "#size-cells", 2)) < 0 ||
        (e = fdt_property_string(fdt, "compatible", "pci-host-ecam-generic")) < 0 ||
        (e = fdt_property_string(fdt, "device_type", "pci")) < 0 ||
        (e = fdt_property_u32(fdt, "linux,pci-domain", 0)) < 0)
        return e;
    fdt32_t range[2] = { cpu_to_fdt32(0), cpu_to_fdt32(0xff) };
    if ((e = fdt_property(fdt, "bus-range", range, sizeof(range))) < 0 ||
        (e = fdt_property(fdt, "dma-coherent", NULL, 0)) < 0 ||
        (e = prop_reg(fdt, VIRT_PCIE_ECAM, VIRT_PCIE_ECAM_SIZE)) < 0)
        return e;
    /* <flags bus-hi bus-lo cpu-hi cpu-lo size-hi size-lo> for I/O, MEM32 and MEM64 */
    uint64_t m64 = VIRT_PCIE_MMIO64(info->ram_size);
    const uint64_t win[3][3] = {
        { 0x01000000, 0, VIRT_PCIE_PIO }, { 0x02000000, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO },
        { 0x03000000, m64, m64 },
    };
    const uint64_t win_size[3] = { VIRT_PCIE_PIO_SIZE, VIRT_PCIE_MMIO_SIZE, VIRT_PCIE_MMIO64_SIZE };
    fdt32_t ranges[3 * 7];
    for (int i = 0; i < 3; i++) {
        fdt32_t *r = ranges + 7 * i;
        r[0] = cpu_to_fdt32((uint32_t)win[i][0]);
        r[1] = cpu_to_fdt32((uint32_t)(win[i][1] >> 32));
        r[2] = cpu_to_fdt32((uint32_t)win[i][1]);
        r[3] = cpu_to_fdt32((uint32_t)(win[i][2] >> 32));
        r[4] = cpu_to_fdt32((uint32_t)win[i][2]);
        r[5] = cpu_to_fdt32((uint32_t)(win_size[i] >> 32));
        r[6] = cpu_to_fdt32((uint32_t)win_size[i]);
    }
    if ((e = fdt_property(fdt, "ranges", ranges, sizeof(ranges))) < 0)
        return e;
    /* <devfn<<8 0 0 pin plic irq> for slots 0-3 and pins A-D; the mask repeats it */
    fdt32_t map[16 * 6];
    unsigned n = 0;
    for (unsigned slot = 0; slot < 4; slot++)
        for (unsigned pin = 1; pin <= 4; pin++) {
            map[n++] = cpu_to_fdt32(slot << 11);
            map[n++] = cpu_to_fdt32(0);
            map[n++] = cpu_to_fdt32(0);
            map[n++] = cpu_to_fdt32(pin);
            map[n++] = cpu_to_fdt32(plic_ph);
            map[n++] = cpu_to_fdt32(VIRT_PCIE_IRQ + (slot + pin - 1) % 4);
        }
    fdt32_t mask[4] = { cpu_to_fdt32(0x1800), 0, 0, cpu_to_fdt32(7) };
    if ((e = fdt_property(fdt, "interrupt-map", map, sizeof(map))) < 0 ||
        (e = fdt_property(fdt, "interrupt-map-mask", mask, sizeof(mask))) < 0)
        return e;
    return fdt_end_node(fdt);
}

void *virt_fdt_build(const virt_fdt_info *info, size_t *size_out)
{
    size_t size = 64 * 1024;
    void *fdt = calloc(1, size);
    char name[64];
    if (!fdt)
        fatal("out of memory");
    unsigned phandle = 1;
    unsigned intc_ph[64];
    unsigned plic_ph, test_ph;

    TRY(fdt_create(fdt, (int)size));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_u32(fdt, "#address-cells", 2));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
    TRY(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

    TRY(fdt_begin_node(fdt, "chosen"));
    if (info->bootargs)
        TRY(fdt_property_string(fdt, "bootargs", info->bootargs));
    snprintf(name, sizeof(name), "/soc/serial@%llx", (unsigned long long)VIRT_UART0);
    TRY(fdt_property_string(fdt, "stdout-path", name));
    if (info->initrd_end > info->initrd_start) {
        TRY(fdt_property_u64(fdt, "linux,initrd-start", info->initrd_start));
        TRY(fdt_property_u64(fdt, "linux,initrd-end", info->initrd_end));
    }
    TRY(fdt_end_node(fdt));

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)info->ram_base);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    TRY(prop_reg(fdt, info->ram_base, info->ram_size));
    TRY(fdt_end_node(fdt));

    if (info->resv_size) {
        TRY(fdt_begin_node(fdt, "reserved-memory"));
        TRY(fdt_property_u32(fdt, "#address-cells", 2));
        TRY(fdt_property_u32(fdt, "#size-cells", 2));
        TRY(fdt_property(fdt, "ranges", NULL, 0));
        snprintf(name, sizeof(name), "mmode_resv0@%llx", (unsigned long long)info->resv_base);
        TRY(fdt_begin_node(fdt, name));
        TRY(prop_reg(fdt, info->resv_base, info->resv_size));
        TRY(fdt_property(fdt, "no-map", NULL, 0));
        TRY(fdt_end_node(fdt));
        TRY(fdt_end_node(fdt));
    }

    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    TRY(fdt_property_u32(fdt, "timebase-frequency", VIRT_TIMEBASE_HZ));
    unsigned cpu_ph[64];
    for (unsigned h = 0; h < info->nharts && h < 64; h++) {
        snprintf(name, sizeof(name), "cpu@%u", h);
        TRY(fdt_begin_node(fdt, name));
        cpu_ph[h] = phandle++;
        TRY(fdt_property_u32(fdt, "phandle", cpu_ph[h]));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_u32(fdt, "reg", h));
        TRY(fdt_property_string(fdt, "status", "okay"));
        TRY(fdt_property_string(fdt, "compatible", "riscv"));
        TRY(fdt_property_string(fdt, "riscv,isa", info->isa));
        TRY(fdt_property_string(fdt, "mmu-type", info->mmu_type));
        TRY(fdt_begin_node(fdt, "interrupt-controller"));
        intc_ph[h] = phandle++;
        TRY(fdt_property_u32(fdt, "phandle", intc_ph[h]));
        TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
        TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
        TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
        TRY(fdt_end_node(fdt));
        TRY(fdt_end_node(fdt));
    }
    TRY(fdt_begin_node(fdt, "cpu-map"));
    TRY(fdt_begin_node(fdt, "cluster0"));
    for (unsigned h = 0; h < info->nharts && h < 64; h++) {
        snprintf(name, sizeof(name), "core%u", h);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_u32(fdt, "cpu", cpu_ph[h]));
        TRY(fdt_end_node(fdt));
    }
    TRY(fdt_end_node(fdt));
    TRY(fdt_end_node(fdt));
    TRY(fdt_end_node(fdt));                       /* cpus */

    TRY(fdt_begin_node(fdt, "soc"));
    TRY(fdt_property_u32(fdt, "#address-cells", 2));
    TRY(fdt_property_u32(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
    TRY(fdt_property(fdt, "ranges", NULL, 0));

    /* CLINT: per hart, M software (3) and M timer (7) */
    snprintf(name, sizeof(name), "clint@%llx", (unsigned long long)VIRT_CLINT);
    TRY(fdt_begin_node(fdt, name));
    {
        const char compat[] = "sifive,clint0\0riscv,clint0";
        TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
        TRY(prop_reg(fdt, VIRT_CLINT, VIRT_CLINT_SIZE));
        TRY(prop_hart_irqs(fdt, intc_ph, info->nharts, 3, 7));
    }
    TRY(fdt_end_node(fdt));

    /* PLIC: per hart, M external (11) and S external (9) contexts */
    snprintf(name, sizeof(name), "plic@%llx", (unsigned long long)VIRT_PLIC);
    TRY(fdt_begin_node(fdt, name));
    plic_ph = phandle++;
    TRY(fdt_property_u32(fdt, "phandle", plic_ph));
    {
        const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
        TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
        TRY(prop_reg(fdt, VIRT_PLIC, VIRT_PLIC_SIZE));
        TRY(fdt_property_u32(fdt, "#address-cells", 0));
        TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
        TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
        TRY(fdt_property_u32(fdt, "riscv,ndev", VIRT_PLIC_NDEV));
        TRY(prop_hart_irqs(fdt, intc_ph, info->nharts, 11, 9));
    }
    TRY(fdt_end_node(fdt));

    /* test finisher, as a syscon with poweroff and reboot children */
    snprintf(name, sizeof(name), "test@%llx", (unsigned long long)VIRT_TEST);
    TRY(fdt_begin_node(fdt, name));
    test_ph = phandle++;
    TRY(fdt_property_u32(fdt, "phandle", test_ph));
    {
        const char compat[] = "sifive,test1\0sifive,test0\0syscon";
        TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
    }
    TRY(prop_reg(fdt, VIRT_TEST, 0x1000));
    TRY(fdt_end_node(fdt));
    TRY(fdt_begin_node(fdt, "poweroff"));
    TRY(fdt_property_string(fdt, "compatible", "syscon-poweroff"));
    TRY(fdt_property_u32(fdt, "regmap", test_ph));
    TRY(fdt_property_u32(fdt, "offset", 0));
    TRY(fdt_property_u32(fdt, "value", 0x5555));
    TRY(fdt_end_node(fdt));
    TRY(fdt_begin_node(fdt, "reboot"));
    TRY(fdt_property_string(fdt, "compatible", "syscon-reboot"));
    TRY(fdt_property_u32(fdt, "regmap", test_ph));
    TRY(fdt_property_u32(fdt, "offset", 0));
    TRY(fdt_property_u32(fdt, "value", 0x7777));
    TRY(fdt_end_node(fdt));

    snprintf(name, sizeof(name), "rtc@%llx", (unsigned long long)VIRT_RTC);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
    TRY(prop_reg(fdt, VIRT_RTC, 0x1000));
    TRY(fdt_property_u32(fdt, "interrupts", VIRT_RTC_IRQ));
    TRY(fdt_property_u32(fdt, "interrupt-parent", plic_ph));
    TRY(fdt_end_node(fdt));

    snprintf(name, sizeof(name), "serial@%llx", (unsigned long long)VIRT_UART0);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
    TRY(prop_reg(fdt, VIRT_UART0, 0x100));
    TRY(fdt_property_u32(fdt, "clock-frequency", 3686400));
    TRY(fdt_property_u32(fdt, "interrupts", VIRT_UART0_IRQ));
    TRY(fdt_property_u32(fdt, "interrupt-parent", plic_ph));
    TRY(fdt_end_node(fdt));

    /* virtio-mmio transports, highest address first as QEMU lists them */
    for (int i = (int)info->virtio_slots - 1; i >= 0; i--) {
        uint64_t base = VIRT_VIRTIO + (uint64_t)i * VIRT_VIRTIO_SIZE;
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
        TRY(prop_reg(fdt, base, VIRT_VIRTIO_SIZE));
        TRY(fdt_property_u32(fdt, "interrupts", VIRT_VIRTIO_IRQ + (unsigned)i));
        TRY(fdt_property_u32(fdt, "interrupt-parent", plic_ph));
        TRY(fdt_end_node(fdt));
    }

    TRY(pci_node(fdt, info, plic_ph));

    TRY(fdt_end_node(fdt));                       /* soc */
    TRY(fdt_end_node(fdt));                       /* root */
    TRY(fdt_finish(fdt));
    TRY(fdt_pack(fdt));
    *size_out = fdt_totalsize(fdt);
    return fdt;
fail:
    free(fdt);
    return NULL;
}

/* Set a property to a 64-bit address or size written in `cells` cells (1 or 2). */
static int setprop_cells(void *fdt, int node, const char *name, uint64_t v, int cells)
{
    return cells == 1 ? fdt_setprop_u32(fdt, node, name, (uint32_t)v)
                      : fdt_setprop_u64(fdt, node, name, v);
}

static int root_cells(const void *fdt, const char *name)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, 0, name, &len);
    return p && len == 4 ? (int)fdt32_to_cpu(*p) : 2;
}

/* What QEMU does to a -dtb tree before the guest sees it: /chosen gets the command
 * line and the initrd; tern's firmware also reserves its own memory, as it does in the
 * generated tree, because (unlike OpenSBI) it does not edit the tree itself. */
static int patch_user_tree(void *fdt, const virt_fdt_info *info)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0)
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    if (chosen < 0)
        return chosen;
    int e;
    if (info->bootargs && (e = fdt_setprop_string(fdt, chosen, "bootargs", info->bootargs)) < 0)
        return e;
    if (info->initrd_end > info->initrd_start) {
        int ac = root_cells(fdt, "#address-cells");
        if ((e = setprop_cells(fdt, chosen, "linux,initrd-start", info->initrd_start, ac)) < 0 ||
            (e = setprop_cells(fdt, chosen, "linux,initrd-end", info->initrd_end, ac)) < 0)
            return e;
    }
    if (info->resv_size) {
        int ac = root_cells(fdt, "#address-cells"), sc = root_cells(fdt, "#size-cells");
        if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
            return -FDT_ERR_BADNCELLS;
        int rm = fdt_path_offset(fdt, "/reserved-memory");
        if (rm < 0) {
            rm = fdt_add_subnode(fdt, 0, "reserved-memory");
            if (rm < 0)
                return rm;
            if ((e = fdt_setprop_u32(fdt, rm, "#address-cells", (uint32_t)ac)) < 0 ||
                (e = fdt_setprop_u32(fdt, rm, "#size-cells", (uint32_t)sc)) < 0 ||
                (e = fdt_setprop(fdt, rm, "ranges", NULL, 0)) < 0)
                return e;
        }
        char name[64];
        snprintf(name, sizeof(name), "tern_sbi@%llx", (unsigned long long)info->resv_base);
        int n = fdt_add_subnode(fdt, rm, name);
        if (n < 0)
            return n;
        fdt32_t reg[4];
        int k = 0;
        if (ac == 2)
            reg[k++] = cpu_to_fdt32((uint32_t)(info->resv_base >> 32));
        reg[k++] = cpu_to_fdt32((uint32_t)info->resv_base);
        if (sc == 2)
            reg[k++] = cpu_to_fdt32((uint32_t)(info->resv_size >> 32));
        reg[k++] = cpu_to_fdt32((uint32_t)info->resv_size);
        if ((e = fdt_setprop(fdt, n, "reg", reg, (int)(k * sizeof(fdt32_t)))) < 0 ||
            (e = fdt_setprop(fdt, n, "no-map", NULL, 0)) < 0)
            return e;
    }
    return fdt_pack(fdt);
}

void *virt_fdt_load(const char *path, const virt_fdt_info *info, size_t *size_out,
                    char *err, size_t errsize)
{
    uint64_t fsize;
    const uint8_t *f = loader_map_file(path, &fsize, err, errsize);
    if (!f)
        return NULL;
    void *fdt = NULL;
    /* libfdt's full check walks every tag, name and property against the header, so
     * nothing the guest later parses can run past the blob */
    int e = fsize < sizeof(struct fdt_header) || fsize > INT32_MAX ? -FDT_ERR_TRUNCATED
                                                                    : fdt_check_full(f, fsize);
    if (e < 0) {
        snprintf(err, errsize, "%s: not a valid flattened device tree (%s)", path,
                 fsize >= 4 && fdt_magic(f) != FDT_MAGIC ? "no FDT magic" : fdt_strerror(e));
        goto out;
    }
    size_t room = fdt_totalsize(f) + 4096 + (info->bootargs ? strlen(info->bootargs) : 0);
    fdt = calloc(1, room);
    if (!fdt)
        fatal("out of memory");
    if ((e = fdt_open_into(f, fdt, (int)room)) < 0 || (e = patch_user_tree(fdt, info)) < 0) {
        snprintf(err, errsize, "%s: cannot add /chosen to the device tree (%s)", path, fdt_strerror(e));
        free(fdt);
        fdt = NULL;
        goto out;
    }
    *size_out = fdt_totalsize(fdt);
out:
    loader_unmap_file(f, fsize);
    return fdt;
}
