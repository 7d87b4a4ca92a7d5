/*
 * Split virtqueues (virtio 1.x, section 2.7). Every guest address goes through the DMA
 * API, every index is checked against the queue size, and chains are bounded, so a
 * malformed queue marks the device NEEDS_RESET instead of hurting tern.
 */
#include "hw/virtio/virtio.h"
#include "core/log.h"
#include <stdio.h>
#include <string.h>

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4

static const state_field vq_fields[] = {
    STATE_FIELD(virtqueue, num), STATE_FIELD(virtqueue, ready), STATE_FIELD(virtqueue, desc),
    STATE_FIELD(virtqueue, avail), STATE_FIELD(virtqueue, used), STATE_FIELD(virtqueue, last_avail),
    STATE_FIELD(virtqueue, used_idx),
};
const state_desc virtqueue_state = STATE_DESC(1, vq_fields);

int virtio_backend_pre_save(virtio_dev *vd, char *err, size_t errsize)
{
    if (vd->backend && vd->backend->pre_save)
        return vd->backend->pre_save(vd, err, errsize);
    return 0;
}

void virtio_backend_save(virtio_dev *vd, state_out *o)
{
    state_out b = { 0 };
    if (vd->backend && vd->backend->save)
        vd->backend->save(vd, &b);
    state_put_u32(o, vd->backend ? vd->backend->state_version : 0);
    state_put_u32(o, (uint32_t)b.len);
    state_put(o, b.data, b.len);
    state_out_free(&b);
}

bool virtio_backend_load(virtio_dev *vd, state_in *in, char *err, size_t errsize)
{
    uint32_t version = state_get_u32(in), len = state_get_u32(in);
    const uint8_t *p = state_get_ptr(in, len);
    if (!p) {
        snprintf(err, errsize, "the device's state is cut short");
        return false;
    }
    uint32_t mine = vd->backend ? vd->backend->state_version : 0;
    if (version > mine) {
        snprintf(err, errsize, "its state has version %u; this tern knows up to %u", version, mine);
        return false;
    }
    if (!vd->backend || !vd->backend->load)
        return true;
    state_in b = { .data = p, .len = len };
    if (!vd->backend->load(vd, &b, version, err, errsize))
        return false;
    if (b.bad || b.pos != b.len) {
        snprintf(err, errsize, "the device's state has the wrong length");
        return false;
    }
    return true;
}

void virtio_backend_post_load(virtio_dev *vd)
{
    if (vd->backend && vd->backend->post_load)
        vd->backend->post_load(vd);
    /* the interrupt line follows the ISR as the guest left it */
    vd->notify_queue = -1;
    if (vd->notify)
        vd->notify(vd);
}

typedef struct vring_desc { uint64_t addr; uint32_t len; uint16_t flags, next; } vring_desc;

void virtio_set_needs_reset(virtio_dev *vd)
{
    vd->status |= VIRTIO_STATUS_NEEDS_RESET;
    vd->isr |= 2;
    vd->notify_queue = -1;
    if (vd->notify)
        vd->notify(vd);
}

void virtio_reset(virtio_dev *vd)
{
    vd->driver_features = 0;
    vd->status = 0;
    vd->isr = 0;
    memset(vd->vq, 0, sizeof(vd->vq));
    if (vd->backend && vd->backend->reset)
        vd->backend->reset(vd);
}

void virtio_status_write(virtio_dev *vd, uint32_t status)
{
    bool started = (status & VIRTIO_STATUS_DRIVER_OK) && !(vd->status & VIRTIO_STATUS_DRIVER_OK);
    vd->status = status;
    if (started && vd->backend && vd->backend->driver_ok)
        vd->backend->driver_ok(vd);
}

static bool read_desc(virtio_dev *vd, uint64_t table, uint32_t n, uint32_t i, vring_desc *d)
{
    if (i >= n)
        return false;
    return dma_read(vd->as, table + 16ull * i, d, sizeof(*d));
}

static bool add_seg(vq_req *req, const vring_desc *d)
{
    if (req->nseg == VQ_MAX_SEGS)
        return false;
    req->seg[req->nseg++] = (vq_seg){ d->addr, d->len, (d->flags & VRING_DESC_F_WRITE) != 0 };
    return true;
}

int vq_pop(virtio_dev *vd, unsigned q, vq_req *req)
{
    virtqueue *vq = &vd->vq[q];
    if (q >= VIRTIO_MAX_QUEUES || !vq->ready || (vd->status & VIRTIO_STATUS_NEEDS_RESET))
        return 0;
    uint16_t avail_idx;
    if (!dma_read(vd->as, vq->avail + 2, &avail_idx, 2))
        goto bad;
    if (avail_idx == vq->last_avail)
        return 0;
    if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
        goto bad;
    uint16_t head;
    if (!dma_read(vd->as, vq->avail + 4 + 2ull * (vq->last_avail % vq->num), &head, 2))
        goto bad;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    req->head = head;
    req->nseg = 0;
    vring_desc d;
    uint32_t i = head, steps = 0;
    if (!read_desc(vd, vq->desc, vq->num, i, &d))
        goto bad;
    if (d.flags & VRING_DESC_F_INDIRECT) {
        /* an indirect table: its own descriptors, chained from entry 0 */
        if (d.len % 16 || d.len == 0 || (d.flags & VRING_DESC_F_NEXT))
            goto bad;
        uint64_t table = d.addr;
        uint32_t n = d.len / 16;
        i = 0;
        for (;;) {
            if (!read_desc(vd, table, n, i, &d) || (d.flags & VRING_DESC_F_INDIRECT) ||
                !add_seg(req, &d) || ++steps > n)
                goto bad;
            if (!(d.flags & VRING_DESC_F_NEXT))
                break;
            i = d.next;
        }
    } else {
        for (;;) {
            if (!add_seg(req, &d) || ++steps > vq->num)
                goto bad;
            if (!(d.flags & VRING_DESC_F_NEXT))
                break;
            if (!read_desc(vd, vq->desc, vq->num, d.next, &d) || (d.flags & VRING_DESC_F_INDIRECT))
                goto bad;
        }
    }
    vq->last_avail++;
    return 1;
bad:
    guest_error("guest_errors: virtio %s: malformed queue %u\n",
                vd->backend ? vd->backend->name : "?", q);
    virtio_set_needs_reset(vd);
    return -1;
}

void vq_push_n(virtio_dev *vd, unsigned q, const vq_req *reqs, const uint32_t *written, unsigned n)
{
    virtqueue *vq = &vd->vq[q];
    for (unsigned i = 0; i < n; i++) {
        uint32_t elem[2] = { reqs[i].head, written[i] };
        if (!dma_write(vd->as, vq->used + 4 + 8ull * ((uint16_t)(vq->used_idx + i) % vq->num), elem, 8)) {
            virtio_set_needs_reset(vd);
            return;
        }
    }
    /* the elements before the index that publishes them, all at once */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vq->used_idx = (uint16_t)(vq->used_idx + n);
    if (!dma_write(vd->as, vq->used + 2, &vq->used_idx, 2)) {
        virtio_set_needs_reset(vd);
        return;
    }
    /* honour VRING_AVAIL_F_NO_INTERRUPT */
    uint16_t avail_flags = 0;
    dma_read(vd->as, vq->avail, &avail_flags, 2);
    if (!(avail_flags & 1)) {
        vd->isr |= 1;
        vd->notify_queue = (int)q;
        if (vd->notify)
            vd->notify(vd);
    }
}

void vq_push(virtio_dev *vd, unsigned q, const vq_req *req, uint32_t written)
{
    vq_push_n(vd, q, req, &written, 1);
}

static size_t copy(virtio_dev *vd, const vq_req *req, bool to_guest, size_t off, void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < req->nseg && done < len; i++) {
        const vq_seg *s = &req->seg[i];
        if (s->write != to_guest)
            continue;
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t n = s->len - off;
        if (n > len - done)
            n = len - done;
        bool ok = to_guest ? dma_write(vd->as, s->addr + off, (uint8_t *)buf + done, n)
                           : dma_read(vd->as, s->addr + off, (uint8_t *)buf + done, n);
        if (!ok)
            break;
        done += n;
        off = 0;
    }
    return done;
}

size_t vq_read(virtio_dev *vd, const vq_req *req, size_t off, void *buf, size_t len)
{
    return copy(vd, req, false, off, buf, len);
}

size_t vq_write(virtio_dev *vd, const vq_req *req, size_t off, const void *buf, size_t len)
{
    return copy(vd, req, true, off, (void *)buf, len);
}

static size_t total(const vq_req *req, bool write)
{
    size_t n = 0;
    for (unsigned i = 0; i < req->nseg; i++)
        if (req->seg[i].write == write)
            n += req->seg[i].len;
    return n;
}

size_t vq_in_len(const vq_req *req) { return total(req, true); }
size_t vq_out_len(const vq_req *req) { return total(req, false); }
