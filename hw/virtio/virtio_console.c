/*
 * virtio-console (virtio 1.x, section 5.3), single port: queue 0 receives (host to
 * guest), queue 1 transmits. Input waits in the chardev until the guest posts buffers.
 */
#include "hw/virtio/virtio_console.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vcons {
    chardev *chr;
    virtio_dev *vd;
    uint8_t pending[64];         /* bytes accepted from the chardev, not yet delivered */
    size_t npending;
} vcons;

static void flush_rx(vcons *c)
{
    virtio_dev *vd = c->vd;
    while (c->npending && vd && (vd->status & VIRTIO_STATUS_DRIVER_OK)) {
        vq_req req;
        if (vq_pop(vd, 0, &req) != 1)
            return;
        size_t n = vq_write(vd, &req, 0, c->pending, c->npending);
        memmove(c->pending, c->pending + n, c->npending - n);
        c->npending -= n;
        vq_push(vd, 0, &req, (uint32_t)n);
    }
}

static size_t cons_can_rx(void *opaque)
{
    vcons *c = opaque;
    return sizeof(c->pending) - c->npending;
}

static void cons_rx(void *opaque, uint8_t b)
{
    vcons *c = opaque;
    if (c->npending < sizeof(c->pending))
        c->pending[c->npending++] = b;
    flush_rx(c);
}

static void cons_notify(virtio_dev *vd, unsigned q)
{
    vcons *c = vd->priv;
    if (q == 0) {                /* the guest posted receive buffers */
        flush_rx(c);
        if (c->chr)
            chardev_accept_input(c->chr);
        return;
    }
    uint8_t buf[256];
    vq_req req;
    while (vq_pop(vd, 1, &req) == 1) {
        size_t len = vq_out_len(&req);
        for (size_t off = 0; off < len;) {
            size_t n = vq_read(vd, &req, off, buf, len - off < sizeof(buf) ? len - off : sizeof(buf));
            if (!n)
                break;
            if (c->chr)             /* a port with no chardev drops what it is sent */
                chardev_write(c->chr, buf, n);
            off += n;
        }
        vq_push(vd, 1, &req, 0);
    }
}

static void cons_config_read(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len)
{
    /* cols, rows, max_nr_ports, emerg_wr: 80x25, one port */
    uint8_t cfg[12] = { 80, 0, 25, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
    memset(buf, 0, len);
    if (off < sizeof(cfg))
        memcpy(buf, cfg + off, len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

static void cons_reset(virtio_dev *vd)
{
    vcons *c = vd->priv;
    c->npending = 0;
}

static void cons_destroy(virtio_dev *vd)
{
    free(vd->priv);
}

/* Snapshots: the input accepted from the chardev and not yet in a guest buffer. Output
 * is written out in the notify, so nothing else is in flight. */
static void cons_save(virtio_dev *vd, state_out *o)
{
    vcons *c = vd->priv;
    state_put_u32(o, (uint32_t)c->npending);
    state_put(o, c->pending, c->npending);
}

static bool cons_load(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize)
{
    vcons *c = vd->priv;
    uint32_t n = state_get_u32(in);
    if (n > sizeof(c->pending)) {
        snprintf(err, errsize, "virtio-console: %u bytes of input waiting (it holds %zu)", n, sizeof(c->pending));
        return false;
    }
    if (!state_get(in, c->pending, n)) {
        snprintf(err, errsize, "virtio-console: its state is cut short");
        return false;
    }
    c->npending = n;
    return true;
}

/* Input the chardev held back while the buffer above was full may come now. */
static void cons_post_load(virtio_dev *vd)
{
    vcons *c = vd->priv;
    flush_rx(c);
    if (c->chr)
        chardev_accept_input(c->chr);
}

const virtio_backend virtio_console_backend = {
    .name = "virtio-console",
    .device_id = 3,
    .num_queues = 2,
    .config_read = cons_config_read,
    .queue_notify = cons_notify,
    .reset = cons_reset,
    .destroy = cons_destroy,
    .state_version = 1,
    .save = cons_save,
    .load = cons_load,
    .post_load = cons_post_load,
};

void *virtio_console_new(chardev *chr)
{
    vcons *c = calloc(1, sizeof(*c));
    if (!c)
        fatal("out of memory");
    c->chr = chr;
    return c;
}

bool virtio_console_attach(virtio_dev *vd, char *err, size_t errsize)
{
    vcons *c = vd->priv;
    c->vd = vd;
    if (!c->chr)
        return true;
    return chardev_attach(c->chr, cons_can_rx, cons_rx, NULL, c, err, errsize);
}
