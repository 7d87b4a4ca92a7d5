/*
 * A board's virtio devices from the command line (see virtio_board.h): -drive disks and
 * -device virtio devices on the board's virtio-mmio slots, with QEMU's bus names
 * (virtio-mmio-bus.N is slot N, the lowest address being 0) and QEMU's placement of
 * devices given no bus (the highest free slot first, so the first disk is /dev/vda).
 */
#include "hw/virtio/virtio_board.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_rng.h"
#include "hw/virtio/virtio_console.h"
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

/* What a -device asks for; -1 after reporting a user error. */
static int plan_device(machine *m, device_opt *d, plan *p)
{
    opt_list *l = &d->props;
    const char *drv = d->driver;
    memset(p, 0, sizeof(*p));
    p->what = d->text;
    if (!strcmp(drv, "virtio-blk-device")) {
        const char *id = opts_get(l, "drive");
        if (!id) {
            error_report("-device %s: drive=ID is required", d->text);
            return -1;
        }
        drive_opt *dr = find_drive(&m->opts, id);
        if (!dr) {
            error_report("-device %s: no -drive with id '%s'", d->text, id);
            return -1;
        }
        if (dr->claimed || !dr->if_none) {
            error_report("-device %s: drive '%s' is in use already (give it if=none)", d->text, id);
            return -1;
        }
        dr->claimed = true;
        p->img = open_drive(m, dr);
        if (!p->img)
            return -1;
        p->be = &virtio_blk_backend;
        p->priv = virtio_blk_new(p->img, NULL);
    } else if (!strcmp(drv, "virtio-rng-device") || !strcmp(drv, "virtio-rng")) {
        p->be = &virtio_rng_backend;
    } else if (!strcmp(drv, "virtconsole")) {
        const char *id = opts_get(l, "chardev");
        opts_get(l, "name");
        if (!id) {
            error_report("-device %s: chardev=ID is required", d->text);
            return -1;
        }
        chardev *c = chardev_find(id);
        if (!c) {
            error_report("-device %s: no -chardev with id '%s'", d->text, id);
            return -1;
        }
        p->be = &virtio_console_backend;
        p->priv = virtio_console_new(c);
    } else if (!strcmp(drv, "virtio-serial-device")) {
        return 0;                /* the transport comes with each virtconsole */
    } else {
        error_report("-device %s: unknown device (-device help lists them)", drv);
        return -1;
    }
    return 0;
}

int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots)
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
    /* disks given as if=virtio, then the devices, in command-line order */
    for (int i = 0; i < m->opts.ndrives; i++) {
        drive_opt *d = &m->opts.drives[i];
        if (d->if_none)
            continue;
        plan *p = &queue[nqueue++];
        memset(p, 0, sizeof(*p));
        p->img = open_drive(m, d);
        if (!p->img)
            return -1;
        p->be = &virtio_blk_backend;
        p->priv = virtio_blk_new(p->img, NULL);
        p->what = d->file;
    }
    for (int i = 0; i < m->opts.ndevices; i++) {
        device_opt *d = &m->opts.devices[i];
        plan p;
        if (plan_device(m, d, &p) < 0)
            return -1;
        const char *bus = opts_get(&d->props, "bus");
        if (opts_unused(&d->props)) {
            error_report("-device %s: unknown property '%s' (-device %s,help lists them)",
                         d->text, opts_unused(&d->props), d->driver);
            return -1;
        }
        if (!p.be)
            continue;
        /* a console names its virtio-serial port's bus, which is its own transport here */
        if (bus && !strcmp(d->driver, "virtconsole") && strncmp(bus, "virtio-mmio-bus.", 16))
            bus = NULL;
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
    }
    return 0;
}
