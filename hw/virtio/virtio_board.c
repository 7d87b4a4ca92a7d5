/*
 * A board's virtio devices from the command line (see virtio_board.h): -drive disks and
 * -device virtio devices on the board's virtio-mmio slots, with QEMU's bus names
 * (virtio-mmio-bus.N is slot N, the lowest address being 0) and QEMU's placement of
 * devices given no bus (the highest free slot first, so the first disk is /dev/vda).
 */
#include "hw/virtio/virtio_board.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/misc/ivshmem.h"
#include "hw/display/bochs_display.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_rng.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_input.h"
#include "hw/virtio/virtio_gpu.h"
#include "hw/virtio/virtio_net.h"
#include "net/net.h"
#include "core/block.h"
#include "core/log.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct plan {
    const virtio_backend *be;
    void *priv;
    block *img;
    const char *what;            /* for messages */
    bool pci;                    /* a virtio-pci function, not a virtio-mmio slot */
    int devfn;                   /* addr=, or -1 */
    const char *name;
    const char *mmio_bus;        /* bus=virtio-mmio-bus.N, or NULL */
    hostmem *ivshmem;            /* ivshmem-plain's memdev: that device, not a virtio one */
    const char *id;              /* the user's id=, for info pci and query-pci */
    /* a backend that needs its transport (input, GPU): called once that exists */
    bool (*attach)(virtio_dev *vd, char *err, size_t errsize);
    bool bochs;                  /* bochs-display or VGA: `display` says how */
    bochs_config display;
} plan;

/* bus=virtio-mmio-bus.N: the slot, or -1 with a message. */
static int bus_slot(const char *bus, unsigned nslots, const char *dev)
{
    const char *prefix = "virtio-mmio-bus.";
    char *end;
    if (strncmp(bus, prefix, strlen(prefix))) {
        error_report("-device %s: bus '%s' does not exist (virtio-mmio-bus.0 to virtio-mmio-bus.%u)",
                     dev, bus, nslots - 1);
        return -1;
    }
    unsigned long n = strtoul(bus + strlen(prefix), &end, 10);
    if (*end || end == bus + strlen(prefix) || n >= nslots) {
        error_report("-device %s: bus '%s' does not exist (virtio-mmio-bus.0 to virtio-mmio-bus.%u)",
                     dev, bus, nslots - 1);
        return -1;
    }
    return (int)n;
}

static drive_opt *find_drive(machine_opts *o, const char *id)
{
    for (int i = 0; i < o->ndrives; i++)
        if (o->drives[i].id && !strcmp(o->drives[i].id, id))
            return &o->drives[i];
    return NULL;
}

static block *open_drive(machine *m, drive_opt *d)
{
    char err[PATH_MAX + 64];
    block *img = block_open(d->file, d->readonly, d->snapshot || m->opts.snapshot, err, sizeof(err));
    if (!img)
        error_report("-drive %s", err);
    return img;
}

/* The drive=ID of a disk device, claimed for it; NULL after reporting an error. */
static block *claim_drive(machine *m, device_opt *d)
{
    const char *id = opts_get(&d->props, "drive");
    if (!id) {
        error_report("-device %s: drive=ID is required", d->text);
        return NULL;
    }
    drive_opt *dr = find_drive(&m->opts, id);
    if (!dr) {
        error_report("-device %s: no -drive with id '%s'", d->text, id);
        return NULL;
    }
    if (dr->claimed || !dr->if_none) {
        error_report("-device %s: drive '%s' is in use already (give it if=none)", d->text, id);
        return NULL;
    }
    dr->claimed = true;
    return open_drive(m, dr);
}

/* addr=SLOT[.FN] in hex, as QEMU's: the devfn, or -2 after reporting an error */
static int pci_addr(device_opt *d)
{
    const char *a = opts_get(&d->props, "addr");
    bool mf;
    char err[128];
    /* multifunction=on|off: accepted; function 0 of a slot with more says so anyway */
    if (!opts_get_bool(&d->props, "multifunction", false, &mf, err, sizeof(err))) {
        error_report("-device %s: %s", d->text, err);
        return -2;
    }
    if (!a)
        return -1;
    char *end;
    unsigned long slot = strtoul(a, &end, 16), fn = 0;
    if (*end == '.')
        fn = strtoul(end + 1, &end, 16);
    if (end == a || *end || slot > 31 || fn > 7) {
        error_report("-device %s: addr=%s: expected SLOT[.FN] (hex, slot 0-1f, function 0-7)", d->text, a);
        return -2;
    }
    return (int)(slot << 3 | fn);
}

bool board_device_is_pci(const char *driver)
{
    size_t n = strlen(driver);
    return (n > 4 && !strcmp(driver + n - 4, "-pci")) || !strcmp(driver, "ivshmem-plain") ||
           !strcmp(driver, "bochs-display") || !strcmp(driver, "VGA");
}

/* bochs-display's and VGA's properties, as QEMU names them. */
static int plan_bochs(device_opt *d, plan *p, bool vga)
{
    opt_list *l = &d->props;
    char err[256];
    uint64_t mem, x, y;
    bool edid, b;
    /* bochs-display takes vgamem= in bytes, VGA vgamem_mb= in MiB */
    bool ok = vga ? opts_get_u64(l, "vgamem_mb", 16, &mem, err, sizeof(err))
                  : opts_get_u64(l, "vgamem", 16ull << 20, &mem, err, sizeof(err));
    if (ok && vga)
        mem <<= 20;
    ok = ok && opts_get_u64(l, "xres", 1280, &x, err, sizeof(err)) &&
         opts_get_u64(l, "yres", 800, &y, err, sizeof(err)) &&
         opts_get_bool(l, "edid", true, &edid, err, sizeof(err));
    /* VGA's register windows are always there in tern (QEMU's defaults) */
    ok = ok && (!vga || (opts_get_bool(l, "mmio", true, &b, err, sizeof(err)) &&
                         opts_get_bool(l, "qemu-extended-regs", true, &b, err, sizeof(err))));
    if (!ok) {
        error_report("-device %s: %s", d->text, err);
        return -1;
    }
    if (vga)
        opts_get(l, "romfile");     /* no option ROM: nothing on RISC-V or microvm runs one */
    p->bochs = true;
    p->display = (bochs_config){ .vga = vga, .vram_size = mem, .xres = x > 0xffff ? 0 : (uint32_t)x,
                                 .yres = y > 0xffff ? 0 : (uint32_t)y, .edid = edid, .id = p->id };
    if (x > 0xffff || y > 0xffff) {
        error_report("-device %s: xres=%llu,yres=%llu: too large", d->text, (unsigned long long)x,
                     (unsigned long long)y);
        return -1;
    }
    return 0;
}

/* A virtio-serial-pci waiting for its console port (QEMU's bus=ID.0). */
typedef struct serial_pending {
    bool waiting;
    int devfn;
    const char *id;
} serial_pending;

/* What a -device asks for; -1 after reporting a user error. */
static int plan_device(machine *m, device_opt *d, plan *p, bool have_pci, serial_pending *sp)
{
    opt_list *l = &d->props;
    const char *drv = d->driver;
    memset(p, 0, sizeof(*p));
    p->what = d->text;
    p->devfn = -1;
    p->name = d->driver;
    const char *id = opts_get(l, "id");      /* QEMU's id= on any device */
    p->id = id;
    bool ivshmem = !strcmp(drv, "ivshmem-plain");
    bool pci = board_device_is_pci(drv);
    if (pci) {
        if (!have_pci) {
            error_report("-device %s: the %s board has no PCI bus", drv, m->cls->name);
            return -1;
        }
        const char *bus = opts_get(l, "bus");
        bool b;
        char err[128];
        if (bus && strcmp(bus, "pcie.0")) {
            error_report("-device %s: bus '%s' does not exist (pcie.0)", d->text, bus);
            return -1;
        }
        /* accepted for QEMU's command lines: tern's virtio-pci is modern only */
        bool virtio = !ivshmem && strcmp(drv, "bochs-display") && strcmp(drv, "VGA");
        const char *dl = virtio ? opts_get(l, "disable-legacy") : NULL;
        if ((dl && strcmp(dl, "auto") && !opts_parse_bool(dl, &b)) ||
            (virtio && (!opts_get_bool(l, "disable-modern", false, &b, err, sizeof(err)) || b))) {
            error_report("-device %s: tern's virtio-pci devices are modern (disable-modern=off)", d->text);
            return -1;
        }
        p->pci = true;
        p->devfn = pci_addr(d);
        if (p->devfn == -2)
            return -1;
    }
    if (ivshmem) {
        const char *memdev = opts_get(l, "memdev");
        char err[256];
        if (!memdev) {
            error_report("-device %s: memdev=ID is required (an -object memory-backend-*)", d->text);
            return -1;
        }
        p->ivshmem = hostmem_get(memdev, err, sizeof(err));
        if (!p->ivshmem) {
            error_report("-device %s: %s", d->text, err);
            return -1;
        }
        opts_get(l, "master");          /* QEMU's master=on|off: one host, nothing to migrate */
        return 0;
    }
    if (!strcmp(drv, "bochs-display") || !strcmp(drv, "VGA"))
        return plan_bochs(d, p, !strcmp(drv, "VGA"));
    if (!strcmp(drv, "virtio-blk-device") || !strcmp(drv, "virtio-blk-pci")) {
        p->img = claim_drive(m, d);
        if (!p->img)
            return -1;
        p->be = &virtio_blk_backend;
        p->priv = virtio_blk_new(p->img, NULL);
    } else if (!strcmp(drv, "virtio-gpu-pci") || !strcmp(drv, "virtio-gpu-device")) {
        uint64_t x, y;
        bool edid;
        char err[256];
        if (!opts_get_u64(l, "xres", 1280, &x, err, sizeof(err)) || !opts_get_u64(l, "yres", 800, &y, err, sizeof(err)) ||
            !opts_get_bool(l, "edid", true, &edid, err, sizeof(err))) {
            error_report("-device %s: %s", d->text, err);
            return -1;
        }
        if (x < 64 || y < 64 || x > 4095 || y > 4095) {
            error_report("-device %s: xres=%llu,yres=%llu: from 64x64 to 4095x4095", d->text,
                         (unsigned long long)x, (unsigned long long)y);
            return -1;
        }
        opts_get(l, "max_outputs");     /* one scanout: the window shows one */
        p->be = &virtio_gpu_backend;
        p->priv = virtio_gpu_new((uint32_t)x, (uint32_t)y, id ? id : drv);
        p->attach = virtio_gpu_attach;
    } else if (!strncmp(drv, "virtio-keyboard-", 16) || !strncmp(drv, "virtio-mouse-", 13) ||
               !strncmp(drv, "virtio-tablet-", 14)) {
        const char *kind = strchr(drv + 7, '-') + 1;
        if (strcmp(kind, "pci") && strcmp(kind, "device")) {
            error_report("-device %s: unknown device (-device help lists them)", drv);
            return -1;
        }
        p->be = &virtio_input_backend;
        p->priv = virtio_input_new(!strncmp(drv, "virtio-keyboard", 15) ? VIRTIO_INPUT_KEYBOARD
                                   : !strncmp(drv, "virtio-mouse", 12) ? VIRTIO_INPUT_MOUSE
                                                                        : VIRTIO_INPUT_TABLET);
        p->attach = virtio_input_attach;
    } else if (!strcmp(drv, "virtio-net-pci") || !strcmp(drv, "virtio-net-device")) {
        const char *nid = opts_get(l, "netdev"), *macs = opts_get(l, "mac");
        uint8_t mac[6];
        if (!nid) {
            error_report("-device %s: netdev=ID is required", d->text);
            return -1;
        }
        netdev *nd = netdev_find(nid);
        if (!nd) {
            error_report("-device %s: no -netdev with id '%s'", d->text, nid);
            return -1;
        }
        if (macs && !virtio_net_parse_mac(macs, mac)) {
            error_report("-device %s: mac=%s: expected six hex bytes, as 52:54:00:12:34:56", d->text, macs);
            return -1;
        }
        opts_get(l, "romfile");         /* no option ROM: nothing here runs iPXE */
        netdev_set_nic_id(nd, id);
        p->be = &virtio_net_backend;
        p->priv = virtio_net_new(nd, macs ? mac : NULL, drv);
        p->attach = virtio_net_attach;
    } else if (!strcmp(drv, "virtio-rng-device") || !strcmp(drv, "virtio-rng") || !strcmp(drv, "virtio-rng-pci")) {
        p->be = &virtio_rng_backend;
    } else if (!strcmp(drv, "virtconsole")) {
        const char *cid = opts_get(l, "chardev");
        opts_get(l, "name");
        if (!cid) {
            error_report("-device %s: chardev=ID is required", d->text);
            return -1;
        }
        chardev *c = chardev_find(cid);
        if (!c) {
            error_report("-device %s: no -chardev with id '%s'", d->text, cid);
            return -1;
        }
        /* the port of the virtio-serial-pci before it (bus=ID.0 names it), else a
         * virtio-mmio transport of its own */
        const char *bus = opts_get(l, "bus");
        bool mmio_bus = bus && !strncmp(bus, "virtio-mmio-bus.", 16);
        if (sp->waiting && !mmio_bus) {
            if (bus && !(sp->id && !strncmp(bus, sp->id, strlen(sp->id)) && !strcmp(bus + strlen(sp->id), ".0"))) {
                error_report("-device %s: bus '%s' does not exist%s%s%s", d->text, bus,
                             sp->id ? " (" : "", sp->id ? sp->id : "", sp->id ? ".0)" : "");
                return -1;
            }
            p->pci = true;
            p->devfn = sp->devfn;
            p->name = "virtio-serial-pci";
            p->id = sp->id;             /* the function is the virtio-serial-pci's */
            sp->waiting = false;
        } else if (bus && !mmio_bus) {
            /* QEMU's virtio-serial-bus names (ID.0) where the console's port rides on
             * its virtio-serial-device's own transport */
            bus = NULL;
        }
        p->mmio_bus = bus;
        p->be = &virtio_console_backend;
        p->priv = virtio_console_new(c);
    } else if (!strcmp(drv, "virtio-serial-device")) {
        opts_get(l, "bus");      /* the transport comes with each virtconsole */
        return 0;
    } else if (!strcmp(drv, "virtio-serial-pci")) {
        if (sp->waiting) {
            error_report("-device %s: one virtio-serial-pci at a time: give the one before it a virtconsole",
                         d->text);
            return -1;
        }
        sp->waiting = true;      /* its port is the next virtconsole */
        sp->devfn = p->devfn;
        sp->id = id;
        return 0;
    } else {
        error_report("-device %s: unknown device (-device help lists them)", drv);
        return -1;
    }
    if (!p->pci && strcmp(drv, "virtconsole"))
        p->mmio_bus = opts_get(l, "bus");
    return 0;
}

/* No MSI controller: an MSI is a plain memory write, as on a bus with nothing to
 * catch it. Only RAM takes it: a device's MSI aimed at a device (itself, say) would
 * let a guest build an endless chain of interrupts inside one access. */
static void msi_as_write(void *opaque, uint64_t addr, uint32_t data)
{
    if ((addr & 3) || !dma_write(opaque, addr, &data, 4))
        guest_error("guest_errors: MSI to 0x%llx (data %x) reached nothing\n",
                    (unsigned long long)addr, data);
}

static bool create_pci(machine *m, const virtio_pci_bus *pb, plan *p)
{
    char err[128];
    virtio_dev *vd = virtio_pci_create(m->devices, pb->bus, p->devfn, pb->dma, p->be, p->priv, p->name,
                                       pb->msi ? pb->msi : msi_as_write, pb->msi ? pb->msi_opaque : pb->dma, err, sizeof(err));
    if (!vd) {
        error_report("-device %s: %s", p->what, err);
        return false;
    }
    pb->bus->list[pb->bus->nlist - 1]->qdev_id = p->id;     /* the function just made */
    if (p->img)
        vd->extra_features = virtio_blk_extra_features(p->img);
    if (p->be == &virtio_console_backend && !virtio_console_attach(vd, err, sizeof(err))) {
        error_report("-device virtconsole: %s", err);
        return false;
    }
    if (p->attach && !p->attach(vd, err, sizeof(err))) {
        error_report("-device %s: %s", p->what, err);
        return false;
    }
    return true;
}

int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots, const virtio_pci_bus *pb)
{
    /* QEMU's virtio-mmio is legacy (version 1) unless force-legacy=false */
    bool legacy = true;
    const char *fl = machine_global(&m->opts, "virtio-mmio", "force-legacy");
    if (fl && !opts_parse_bool(fl, &legacy)) {
        error_report("-global virtio-mmio.force-legacy=%s: expected on or off", fl);
        return -1;
    }
    plan at[VIRTIO_BOARD_MAX_SLOTS];
    memset(at, 0, sizeof(at));
    bool taken[VIRTIO_BOARD_MAX_SLOTS] = { false };
    plan queue[MAX_DRIVES + MAX_DEVICES];
    unsigned nqueue = 0;
    serial_pending sp = { .devfn = -1 };
    /* the devices, in command-line order; then, as QEMU, the if=virtio disks, which
     * are virtio-blk-pci where there is a PCI bus */
    for (int i = 0; i < m->opts.ndevices; i++) {
        device_opt *d = &m->opts.devices[i];
        plan p;
        if (plan_device(m, d, &p, pb != NULL, &sp) < 0)
            return -1;
        const char *bus = p.mmio_bus;
        if (opts_unused(&d->props)) {
            error_report("-device %s: unknown property '%s' (-device %s,help lists them)",
                         d->text, opts_unused(&d->props), d->driver);
            return -1;
        }
        if (p.ivshmem) {
            char err[128];
            pci_dev *iv = ivshmem_create(m->devices, pb->bus, p.devfn, p.ivshmem, err, sizeof(err));
            if (!iv) {
                error_report("-device %s: %s", d->text, err);
                return -1;
            }
            iv->qdev_id = p.id;
            continue;
        }
        if (p.bochs) {
            char err[128];
            pci_dev *g = bochs_display_create(m->devices, pb->bus, p.devfn, &p.display, err, sizeof(err));
            if (!g) {
                error_report("-device %s: %s", d->text, err);
                return -1;
            }
            g->qdev_id = p.id;
            continue;
        }
        if (!p.be)
            continue;
        if (p.pci) {
            if (!create_pci(m, pb, &p))
                return -1;
            continue;
        }
        if (bus) {
            int s = bus_slot(bus, nslots, d->driver);
            if (s < 0)
                return -1;
            if (taken[s]) {
                error_report("-device %s: bus '%s' has a device already", d->text, bus);
                return -1;
            }
            taken[s] = true;
            at[s] = p;
        } else {
            queue[nqueue++] = p;
        }
    }
    if (sp.waiting) {
        /* a virtio-serial-pci with no console: the function with a port going nowhere */
        plan p = { .be = &virtio_console_backend, .priv = virtio_console_new(NULL), .what = "virtio-serial-pci",
                   .pci = true, .devfn = sp.devfn, .name = "virtio-serial-pci", .id = sp.id };
        if (!create_pci(m, pb, &p))
            return -1;
    }
    for (int i = 0; i < m->opts.ndrives; i++) {
        drive_opt *d = &m->opts.drives[i];
        if (d->if_none)
            continue;
        plan p;
        memset(&p, 0, sizeof(p));
        p.img = open_drive(m, d);
        if (!p.img)
            return -1;
        p.be = &virtio_blk_backend;
        p.priv = virtio_blk_new(p.img, NULL);
        p.what = d->file;
        p.devfn = -1;
        p.name = "virtio-blk-pci";
        if (pb) {
            if (!create_pci(m, pb, &p))
                return -1;
        } else {
            queue[nqueue++] = p;
        }
    }
    /* the rest into the free slots, in the board's order */
    unsigned k = 0;
    for (unsigned q = 0; q < nqueue; q++) {
        while (k < nslots && taken[order[k]])
            k++;
        if (k == nslots) {
            error_report("too many virtio devices: the %s board has %u virtio-mmio slots",
                         m->cls->name, nslots);
            return -1;
        }
        taken[order[k]] = true;
        at[order[k]] = queue[q];
    }
    for (unsigned s = 0; s < nslots; s++) {
        plan *p = &at[s];
        if (!p->be && !all_slots)
            continue;
        virtio_dev *vd = virtio_mmio_create(m->devices, as, slots[s].base, p->be, p->priv,
                                            slots[s].irq, slots[s].irq_opaque, legacy);
        slots[s].used = p->be != NULL;
        if (p->img)
            vd->extra_features = virtio_blk_extra_features(p->img);
        if (p->be == &virtio_console_backend) {
            char err[256];
            if (!virtio_console_attach(vd, err, sizeof(err))) {
                error_report("-device virtconsole: %s", err);
                return -1;
            }
        }
        if (p->attach) {
            char err[256];
            if (!p->attach(vd, err, sizeof(err))) {
                error_report("-device %s: %s", p->what, err);
                return -1;
            }
        }
    }
    return 0;
}
