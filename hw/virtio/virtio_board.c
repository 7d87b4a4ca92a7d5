/* A board's virtio devices from the command line (see virtio_board.h). */
#include "hw/virtio/virtio_board.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_rng.h"
#include "hw/virtio/virtio_console.h"
#include "core/block.h"
#include "core/log.h"
#include <limits.h>
#include <string.h>

int virtio_board_create(machine *m, address_space *as, virtio_slot *slots, const unsigned *order,
                        unsigned nslots, bool all_slots, chardev **chr)
{
    unsigned want = (unsigned)(m->opts.ndrives + m->opts.ndevices);
    if (want > nslots) {
        error_report("too many virtio devices: the %s board has %u virtio-mmio slots",
                     m->cls->name, nslots);
        return -1;
    }
    char err[PATH_MAX + 64];
    for (unsigned n = 0; n < nslots; n++) {
        virtio_slot *s = &slots[order[n]];
        const virtio_backend *be = NULL;
        void *priv = NULL;
        block *img = NULL;
        int dev = (int)n - m->opts.ndrives;
        if (n < (unsigned)m->opts.ndrives) {
            const struct drive_opt *d = &m->opts.drives[n];
            img = block_open(d->file, d->readonly, d->snapshot || m->opts.snapshot, err, sizeof(err));
            if (!img) {
                error_report("-drive %s", err);
                return -1;
            }
            be = &virtio_blk_backend;
            priv = virtio_blk_new(img, NULL);
        } else if (dev >= 0 && dev < m->opts.ndevices) {
            const struct device_opt *d = &m->opts.devices[dev];
            if (!strcmp(d->type, "virtio-rng")) {
                be = &virtio_rng_backend;
            } else {
                chardev *c = NULL;
                for (int k = 0; k < m->opts.nchardevs; k++) {
                    if (strcmp(m->opts.chardevs[k].id, d->chardev))
                        continue;
                    if (!chr[k])
                        chr[k] = chardev_open(m->opts.chardevs[k].spec, err, sizeof(err));
                    if (!chr[k]) {
                        error_report("%s", err);
                        return -1;
                    }
                    c = chr[k];
                }
                if (!c) {
                    error_report("-device virtconsole: no -chardev with id '%s'", d->chardev);
                    return -1;
                }
                be = &virtio_console_backend;
                priv = virtio_console_new(c);
            }
        } else if (!all_slots) {
            continue;
        }
        virtio_dev *vd = virtio_mmio_create(m->devices, as, s->base, be, priv, s->irq, s->irq_opaque);
        s->used = be != NULL;
        if (img)
            vd->extra_features = virtio_blk_extra_features(img);
        if (be == &virtio_console_backend)
            virtio_console_attach(vd);
    }
    return 0;
}
