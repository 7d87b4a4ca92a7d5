/*
 * What -device help, -device NAME,help and -cpu help print, in QEMU's layout, from one
 * table of the devices tern's boards create from -device.
 */
#include "hw/device_help.h"
#include "cpu/riscv/ext.h"
#include <stdio.h>
#include <string.h>

typedef struct dev_prop { const char *name, *type, *desc; } dev_prop;

typedef struct dev_info {
    const char *name, *category, *bus, *desc;
    dev_prop props[6];
} dev_info;

static const dev_info devices[] = {
    { "virtio-blk-device", "Storage devices", "virtio-bus", "a virtio disk on a virtio-mmio slot",
      { { "drive", "str", "the -drive id=ID it uses (with if=none)" },
        { "bus", "str", "virtio-mmio-bus.N: the slot (0 is the lowest address)" } } },
    { "virtio-net-pci", "Network devices", "PCI", "a virtio NIC on the PCI bus (1af4:1041)",
      { { "netdev", "str", "the -netdev id=ID it is connected to" },
        { "mac", "str", "its MAC (52:54:00:12:34:56, the last byte +1 for each NIC without mac=)" },
        { "bus", "str", "pcie.0" }, { "addr", "str", "SLOT[.FN] in hex (default: the first free slot)" },
        { "disable-legacy", "str", "on|off|auto: accepted; tern's virtio-pci is modern only" },
        { "romfile", "str", "accepted: no option ROM" } } },
    { "virtio-net-device", "Network devices", "virtio-bus", "a virtio NIC on a virtio-mmio slot",
      { { "netdev", "str", "the -netdev id=ID it is connected to" },
        { "mac", "str", "its MAC (52:54:00:12:34:56, the last byte +1 for each NIC without mac=)" },
        { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-rng-device", "Misc devices", "virtio-bus", "entropy from the host (alias virtio-rng)",
      { { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-serial-device", "Input devices", "virtio-bus", "virtio console transport (consoles attach to it)",
      { { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-blk-pci", "Storage devices", "PCI", "a virtio disk on the PCI bus (modern, 1af4:1042)",
      { { "drive", "str", "the -drive id=ID it uses (with if=none)" },
        { "bus", "str", "pcie.0" }, { "addr", "str", "SLOT[.FN] in hex (default: the first free slot)" },
        { "disable-legacy", "str", "on|off|auto: accepted; tern's virtio-pci is modern only" } } },
    { "virtio-rng-pci", "Misc devices", "PCI", "entropy from the host on the PCI bus (1af4:1044)",
      { { "bus", "str", "pcie.0" }, { "addr", "str", "SLOT[.FN] in hex" },
        { "disable-legacy", "str", "on|off|auto: accepted" } } },
    { "virtio-serial-pci", "Input devices", "PCI", "virtio console transport on the PCI bus (1af4:1043)",
      { { "bus", "str", "pcie.0" }, { "addr", "str", "SLOT[.FN] in hex" },
        { "disable-legacy", "str", "on|off|auto: accepted" } } },
    { "ivshmem-plain", "Misc devices", "PCI", "memory shared with the host (1af4:1110, BAR 2)",
      { { "memdev", "str", "the -object memory-backend-* id=ID it shows" },
        { "bus", "str", "pcie.0" }, { "addr", "str", "SLOT[.FN] in hex" },
        { "master", "str", "on|off: accepted" } } },
    { "virtconsole", "Input devices", "virtio-serial-bus", "a console port on a chardev",
      { { "chardev", "str", "the -chardev id=ID it uses" }, { "name", "str", "port name (accepted)" } } },
    { "bochs-display", "Display devices", "PCI", "the Bochs display (1234:1111, class 0380) for Linux's bochs driver",
      { { "vgamem", "size", "VRAM (BAR 0) in bytes: 1M-256M, a power of two (16M)" },
        { "xres", "uint32", "the EDID's preferred width (1280)" }, { "yres", "uint32", "and height (800)" },
        { "edid", "bool", "an EDID blob in BAR 2 (on)" }, { "addr", "str", "SLOT[.FN] in hex" } } },
    { "VGA", "Display devices", "PCI", "the standard VGA (1234:1111, class 0300; the Bochs registers in BAR 2)",
      { { "vgamem_mb", "uint32", "VRAM in MiB (16)" }, { "xres", "uint32", "the EDID's preferred width (1280)" },
        { "yres", "uint32", "and height (800)" }, { "edid", "bool", "an EDID blob (on)" },
        { "addr", "str", "SLOT[.FN] in hex" } } },
    { "virtio-gpu-pci", "Display devices", "PCI", "virtio GPU, 2D (1af4:1050)",
      { { "xres", "uint32", "the first mode's width (1280)" }, { "yres", "uint32", "and height (800)" },
        { "edid", "bool", "answer GET_EDID (on)" }, { "addr", "str", "SLOT[.FN] in hex" } } },
    { "virtio-gpu-device", "Display devices", "virtio-bus", "virtio GPU, 2D, on a virtio-mmio slot",
      { { "xres", "uint32", "the first mode's width (1280)" }, { "yres", "uint32", "and height (800)" },
        { "edid", "bool", "answer GET_EDID (on)" }, { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-keyboard-pci", "Input devices", "PCI", "a keyboard fed from the window (1af4:1052)",
      { { "addr", "str", "SLOT[.FN] in hex" } } },
    { "virtio-mouse-pci", "Input devices", "PCI", "a relative mouse, fed while the window grabs the pointer",
      { { "addr", "str", "SLOT[.FN] in hex" } } },
    { "virtio-tablet-pci", "Input devices", "PCI", "an absolute pointer: the window without a grab",
      { { "addr", "str", "SLOT[.FN] in hex" } } },
    { "virtio-keyboard-device", "Input devices", "virtio-bus", "a keyboard on a virtio-mmio slot",
      { { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-mouse-device", "Input devices", "virtio-bus", "a relative mouse on a virtio-mmio slot",
      { { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
    { "virtio-tablet-device", "Input devices", "virtio-bus", "an absolute pointer on a virtio-mmio slot",
      { { "bus", "str", "virtio-mmio-bus.N: the slot" } } },
};

int device_help(const char *name)
{
    size_t n = sizeof(devices) / sizeof(devices[0]);
    if (!strcmp(name, "help") || !strcmp(name, "?")) {
        static const char *const cats[] = { "Storage devices", "Network devices", "Display devices", "Input devices", "Misc devices" };
        for (size_t c = 0; c < sizeof(cats) / sizeof(cats[0]); c++) {
            printf("%s%s:\n", c ? "\n" : "", cats[c]);
            for (size_t i = 0; i < n; i++)
                if (!strcmp(devices[i].category, cats[c]))
                    printf("name \"%s\", bus %s, desc \"%s\"\n", devices[i].name, devices[i].bus, devices[i].desc);
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(devices[i].name, name) && !(strcmp(name, "virtio-rng") == 0 && !strcmp(devices[i].name, "virtio-rng-device")))
            continue;
        printf("%s options:\n", devices[i].name);
        for (const dev_prop *p = devices[i].props; p < devices[i].props + 6 && p->name; p++)
            printf("  %s=<%s>%*s - %s\n", p->name, p->type, (int)(16 - strlen(p->name) - strlen(p->type)), "", p->desc);
        return 0;
    }
    fprintf(stderr, "tern: -device %s: unknown device (-device help lists them)\n", name);
    return 2;
}

int cpu_help(const char *machine)
{
    if (machine && !strcmp(machine, "microvm")) {
        printf("Available CPUs:\n  host   the host CPU, as KVM offers it (the default)\n");
        return 0;
    }
    printf("Available CPUs:\n  rv64   RV64GC with tern's extensions (the default; also 'max', 'any')\n\n");
    printf("Extensions (-cpu rv64,NAME=on|off; 'fixed': always as shown):\n");
    for (const riscv_ext *e = riscv_exts; e->name; e++)
        printf("  %-10s %-4s %-6s %s\n", e->name, e->present ? "on" : "off", e->off_bit ? "" : "fixed", e->desc);
    return 0;
}
