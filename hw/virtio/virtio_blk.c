/*
 * virtio-blk (virtio 1.x, section 5.2): read, write, flush and get-id on one request
 * queue, done synchronously against the image. Malformed requests get an I/O error
 * status, never a crash.
 */
#include "hw/virtio/virtio_blk.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define VIRTIO_BLK_F_RO      (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH   (1ull << 9)

enum { BLK_T_IN = 0, BLK_T_OUT = 1, BLK_T_FLUSH = 4, BLK_T_GET_ID = 8 };
enum { BLK_S_OK = 0, BLK_S_IOERR = 1, BLK_S_UNSUPP = 2 };

typedef struct vblk {
    block *img;
    char serial[20];
    uint8_t buf[64 * 1024];
} vblk;

struct blk_config {
    uint64_t capacity;
    uint32_t size_max, seg_max;
    uint16_t cylinders;
    uint8_t heads, sectors;
    uint32_t blk_size;
} __attribute__((packed));

static void blk_config_read(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len)
{
    vblk *b = vd->priv;
    struct blk_config cfg = {
        .capacity = block_size(b->img) / 512,
        .size_max = 0,
        .seg_max = VQ_MAX_SEGS - 2,
        .blk_size = 512,
    };
    memset(buf, 0, len);
    if (off < sizeof(cfg))
        memcpy(buf, (uint8_t *)&cfg + off, len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

/* One request: header, data, status byte. Returns the bytes written into the chain. */
static uint32_t blk_request(virtio_dev *vd, vblk *b, const vq_req *req)
{
    struct { uint32_t type, reserved; uint64_t sector; } hdr;
    size_t in = vq_in_len(req), out = vq_out_len(req);
    if (in < 1 || vq_read(vd, req, 0, &hdr, sizeof(hdr)) != sizeof(hdr)) {
        guest_error("guest_errors: virtio-blk: request without header or status\n");
        return 0;
    }
    size_t data_in = in - 1, data_out = out - sizeof(hdr);
    uint8_t status = BLK_S_OK;
    uint32_t written = 0;
    uint64_t off = hdr.sector * 512;
    switch (hdr.type) {
    case BLK_T_IN:
        if (hdr.sector > UINT64_MAX / 512) {
            status = BLK_S_IOERR;
            break;
        }
        for (size_t done = 0; done < data_in;) {
            size_t n = data_in - done < sizeof(b->buf) ? data_in - done : sizeof(b->buf);
            if (!block_read(b->img, off + done, b->buf, n)) {
                status = BLK_S_IOERR;
                break;
            }
            vq_write(vd, req, done, b->buf, n);
            done += n;
        }
        if (status == BLK_S_OK)
            written = (uint32_t)data_in;
        break;
    case BLK_T_OUT:
        if (block_readonly(b->img) || hdr.sector > UINT64_MAX / 512) {
            status = BLK_S_IOERR;
            break;
        }
        for (size_t done = 0; done < data_out;) {
            size_t n = data_out - done < sizeof(b->buf) ? data_out - done : sizeof(b->buf);
            if (vq_read(vd, req, sizeof(hdr) + done, b->buf, n) != n ||
                !block_write(b->img, off + done, b->buf, n)) {
                status = BLK_S_IOERR;
                break;
            }
            done += n;
        }
        break;
    case BLK_T_FLUSH:
        if (!block_flush(b->img))
            status = BLK_S_IOERR;
        break;
    case BLK_T_GET_ID: {
        char id[20];
        memset(id, 0, sizeof(id));
        memcpy(id, b->serial, strnlen(b->serial, sizeof(id)));
        size_t n = data_in < sizeof(id) ? data_in : sizeof(id);
        vq_write(vd, req, 0, id, n);
        written = (uint32_t)n;
        break;
    }
    default:
        status = BLK_S_UNSUPP;
        break;
    }
    vq_write(vd, req, in - 1, &status, 1);
    return written + 1;
}

static void blk_notify(virtio_dev *vd, unsigned q)
{
    vblk *b = vd->priv;
    vq_req req;
    while (vq_pop(vd, q, &req) == 1)
        vq_push(vd, q, &req, blk_request(vd, b, &req));
}

static void blk_destroy(virtio_dev *vd)
{
    vblk *b = vd->priv;
    block_close(b->img);
    free(b);
}

/* Snapshots: requests complete inside the notify (the image is read and written
 * synchronously), so none is ever in flight and there is no pre_save. The disk's
 * contents are the snapshot's business (core/block.c); what is saved here is the
 * capacity the guest was told, so a load onto a disk of another size is refused
 * instead of the guest finding sectors gone. */
static void blk_save(virtio_dev *vd, state_out *o)
{
    vblk *b = vd->priv;
    state_put_u64(o, block_size(b->img) / 512);
}

static bool blk_load(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize)
{
    vblk *b = vd->priv;
    uint64_t sectors = state_get_u64(in), now = block_size(b->img) / 512;
    if (!in->bad && sectors != now) {
        snprintf(err, errsize, "virtio-blk: the snapshot's disk has %llu sectors, this one %llu",
                 (unsigned long long)sectors, (unsigned long long)now);
        return false;
    }
    return true;
}

const virtio_backend virtio_blk_backend = {
    .name = "virtio-blk",
    .device_id = 2,
    .num_queues = 1,
    .features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH,
    .config_read = blk_config_read,
    .queue_notify = blk_notify,
    .destroy = blk_destroy,
    .state_version = 1,
    .save = blk_save,
    .load = blk_load,
};

void *virtio_blk_new(block *img, const char *serial)
{
    vblk *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->img = img;
    if (serial)
        memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
    return b;
}
