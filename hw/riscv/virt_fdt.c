/*
 * Device tree for the virt board, built with libfdt's sequential-write API. Node names,
 * compatibles and properties follow what QEMU's virt board generates, so kernels and
 * firmware find the same things.
 */
#include "hw/riscv/virt_fdt.h"
#include "hw/riscv/virt_map.h"
#include "core/log.h"
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
