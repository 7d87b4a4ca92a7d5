/*
 * virtio-mmio transport (virtio 1.x, section 4.2.2): version 2, and the legacy version 1
 * (4.2.4) that QEMU presents unless virtio-mmio.force-legacy=false. Register accesses
 * are 32-bit; the device configuration space from 0x100 takes any width. The transport
 * identifies itself as QEMU's does (vendor "QEMU"), since guests check it.
 */
#include "hw/virtio/virtio_mmio.h"
#include "core/log.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

enum {
    MMIO_MAGIC = 0x000, MMIO_VERSION = 0x004, MMIO_DEVICE_ID = 0x008, MMIO_VENDOR_ID = 0x00c,
    MMIO_DEVICE_FEATURES = 0x010, MMIO_DEVICE_FEATURES_SEL = 0x014,
    MMIO_DRIVER_FEATURES = 0x020, MMIO_DRIVER_FEATURES_SEL = 0x024,
    MMIO_GUEST_PAGE_SIZE = 0x028,              /* legacy */
    MMIO_QUEUE_SEL = 0x030, MMIO_QUEUE_NUM_MAX = 0x034, MMIO_QUEUE_NUM = 0x038,
    MMIO_QUEUE_ALIGN = 0x03c, MMIO_QUEUE_PFN = 0x040,     /* legacy */
    MMIO_QUEUE_READY = 0x044, MMIO_QUEUE_NOTIFY = 0x050,
    MMIO_INTERRUPT_STATUS = 0x060, MMIO_INTERRUPT_ACK = 0x064, MMIO_STATUS = 0x070,
    MMIO_QUEUE_DESC_LOW = 0x080, MMIO_QUEUE_DESC_HIGH = 0x084,
    MMIO_QUEUE_DRIVER_LOW = 0x090, MMIO_QUEUE_DRIVER_HIGH = 0x094,
    MMIO_QUEUE_DEVICE_LOW = 0x0a0, MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    MMIO_CONFIG_GENERATION = 0x0fc, MMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_VENDOR 0x554d4551      /* "QEMU", what QEMU's transport reports */

typedef struct virtio_mmio {
    virtio_dev vd;
    irq_fn irq;
    void *irq_opaque;
    bool legacy;                 /* version 1: queues by page frame number */
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint32_t guest_page_size;    /* legacy */
    uint32_t queue_align[VIRTIO_MAX_QUEUES];
    uint32_t queue_pfn[VIRTIO_MAX_QUEUES];
} virtio_mmio;

static void mmio_notify(virtio_dev *vd)
{
    virtio_mmio *t = vd->transport;
    t->irq(t->irq_opaque, vd->isr != 0);
}

static uint64_t offered(virtio_mmio *t)
{
    if (!t->vd.backend)
        return 0;
    uint64_t f = t->vd.backend->features | t->vd.extra_features;
    /* a legacy transport shows only the low 32 feature bits, so never VERSION_1 */
    return t->legacy ? (uint32_t)f : f | VIRTIO_F_VERSION_1;
}

/* Legacy queues: one contiguous area at pfn * page size, the used ring aligned. */
static void legacy_map_queue(virtio_mmio *t, unsigned q)
{
    virtqueue *vq = &t->vd.vq[q];
    uint64_t base = (uint64_t)t->queue_pfn[q] * t->guest_page_size;
    uint64_t align = t->queue_align[q] ? t->queue_align[q] : 4096;
    vq->desc = base;
    vq->avail = base + 16ull * vq->num;
    uint64_t avail_end = vq->avail + 6 + 2ull * vq->num;
    vq->used = (avail_end + align - 1) & ~(align - 1);
    vq->ready = t->queue_pfn[q] != 0 && vq->num != 0;
}

static virtqueue *cur_vq(virtio_mmio *t)
{
    if (!t->vd.backend || t->queue_sel >= t->vd.backend->num_queues)
        return NULL;
    return &t->vd.vq[t->queue_sel];
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    virtio_mmio *t = opaque;
    virtio_dev *vd = &t->vd;
    if (off >= MMIO_CONFIG) {
        uint8_t buf[8] = { 0 };
        if (vd->backend && vd->backend->config_read)
            vd->backend->config_read(vd, (uint32_t)(off - MMIO_CONFIG), buf, size);
        uint64_t v = 0;
        memcpy(&v, buf, size);
        return v;
    }
    if (size != 4) {
        guest_error("guest_errors: virtio-mmio: %u-byte read at 0x%llx\n", size, (unsigned long long)off);
        return 0;
    }
    virtqueue *vq = cur_vq(t);
    switch (off) {
    case MMIO_MAGIC: return 0x74726976;                /* "virt" */
    case MMIO_VERSION: return t->legacy ? 1 : 2;
    case MMIO_DEVICE_ID: return vd->backend ? vd->backend->device_id : 0;
    case MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
    case MMIO_DEVICE_FEATURES:
        return t->dev_features_sel == 0 ? (uint32_t)offered(t) :
               t->dev_features_sel == 1 ? (uint32_t)(offered(t) >> 32) : 0;
    case MMIO_QUEUE_NUM_MAX: return vq ? VIRTQ_MAX_SIZE : 0;
    case MMIO_QUEUE_READY: return vq && !t->legacy ? vq->ready : 0;
    case MMIO_QUEUE_PFN: return vq && t->legacy ? t->queue_pfn[t->queue_sel] : 0;
    case MMIO_INTERRUPT_STATUS: return vd->isr;
    case MMIO_STATUS: return vd->status;
    case MMIO_CONFIG_GENERATION: return 0;
    /* shared memory regions (SHMLen, SHMBase): none, which reads as all ones (virtio
     * 1.2, 4.2.2); 0 would be a region of no bytes at 0 that virtio-gpu tries to claim */
    case 0x0b0: case 0x0b4: case 0x0b8: case 0x0bc: return t->legacy ? 0 : 0xffffffffu;
    default: return 0;
    }
}

static void set_addr(uint64_t *a, bool high, uint32_t v)
{
    *a = high ? (*a & 0xffffffffull) | ((uint64_t)v << 32) : (*a & ~0xffffffffull) | v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    virtio_mmio *t = opaque;
    virtio_dev *vd = &t->vd;
    if (!vd->backend)
        return;
    if (off >= MMIO_CONFIG) {
        uint8_t buf[8];
        memcpy(buf, &val, 8);
        if (vd->backend->config_write)
            vd->backend->config_write(vd, (uint32_t)(off - MMIO_CONFIG), buf, size);
        return;
    }
    if (size != 4) {
        guest_error("guest_errors: virtio-mmio: %u-byte write at 0x%llx\n", size, (unsigned long long)off);
        return;
    }
    uint32_t v = (uint32_t)val;
    virtqueue *vq = cur_vq(t);
    switch (off) {
    case MMIO_DEVICE_FEATURES_SEL: t->dev_features_sel = v; break;
    case MMIO_DRIVER_FEATURES_SEL: t->drv_features_sel = v; break;
    case MMIO_DRIVER_FEATURES:
        if (t->drv_features_sel < 2)
            set_addr(&vd->driver_features, t->drv_features_sel == 1, v);
        break;
    case MMIO_QUEUE_SEL: t->queue_sel = v; break;
    case MMIO_QUEUE_NUM:
        /* a power of two no larger than the maximum (split queues) */
        if (vq && v && v <= VIRTQ_MAX_SIZE && !(v & (v - 1)))
            vq->num = v;
        else if (vq)
            guest_error("guest_errors: virtio-mmio: bad queue size %u\n", v);
        if (vq && t->legacy)
            legacy_map_queue(t, t->queue_sel);
        break;
    case MMIO_QUEUE_READY:
        if (vq && !t->legacy)
            vq->ready = (v & 1) && vq->num;
        break;
    case MMIO_GUEST_PAGE_SIZE:
        /* legacy: a power of two; 0 or garbage leaves queues unusable, not tern broken */
        if (t->legacy)
            t->guest_page_size = v && !(v & (v - 1)) ? v : 0;
        break;
    case MMIO_QUEUE_ALIGN:
        if (vq && t->legacy)
            t->queue_align[t->queue_sel] = v && !(v & (v - 1)) ? v : 4096;
        break;
    case MMIO_QUEUE_PFN:
        if (vq && t->legacy) {
            t->queue_pfn[t->queue_sel] = v;
            legacy_map_queue(t, t->queue_sel);
        }
        break;
    case MMIO_QUEUE_NOTIFY:
        if (v < vd->backend->num_queues && vd->vq[v].ready && (vd->status & VIRTIO_STATUS_DRIVER_OK) &&
            vd->backend->queue_notify)
            vd->backend->queue_notify(vd, v);
        break;
    case MMIO_INTERRUPT_ACK:
        vd->isr &= ~v;
        mmio_notify(vd);
        break;
    case MMIO_STATUS:
        if (v == 0) {
            virtio_reset(vd);
            t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
            memset(t->queue_pfn, 0, sizeof(t->queue_pfn));
            mmio_notify(vd);
            break;
        }
        if ((v & VIRTIO_STATUS_FEATURES_OK) && !(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
            /* only features we offered; a driver that does not take VERSION_1 is still
             * accepted, as QEMU accepts it */
            if (vd->driver_features & ~offered(t))
                v &= ~VIRTIO_STATUS_FEATURES_OK;
        }
        virtio_status_write(vd, v);
        break;
    case MMIO_QUEUE_DESC_LOW: case MMIO_QUEUE_DESC_HIGH:
        if (vq) set_addr(&vq->desc, off == MMIO_QUEUE_DESC_HIGH, v);
        break;
    case MMIO_QUEUE_DRIVER_LOW: case MMIO_QUEUE_DRIVER_HIGH:
        if (vq) set_addr(&vq->avail, off == MMIO_QUEUE_DRIVER_HIGH, v);
        break;
    case MMIO_QUEUE_DEVICE_LOW: case MMIO_QUEUE_DEVICE_HIGH:
        if (vq) set_addr(&vq->used, off == MMIO_QUEUE_DEVICE_HIGH, v);
        break;
    default:
        guest_error("guest_errors: virtio-mmio: write to 0x%llx\n", (unsigned long long)off);
        break;
    }
}

static const mmio_ops virtio_mmio_ops = { mmio_read, mmio_write };

static const state_field vm_fields[] = {
    STATE_FIELD(virtio_mmio, vd.driver_features), STATE_FIELD(virtio_mmio, vd.status),
    STATE_FIELD(virtio_mmio, vd.isr), STATE_STRUCT_ARRAY(virtio_mmio, vd.vq, virtqueue_state),
    STATE_FIELD(virtio_mmio, dev_features_sel), STATE_FIELD(virtio_mmio, drv_features_sel),
    STATE_FIELD(virtio_mmio, queue_sel), STATE_FIELD(virtio_mmio, guest_page_size),
    STATE_ARRAY(virtio_mmio, queue_align), STATE_ARRAY(virtio_mmio, queue_pfn),
};
static const state_desc vm_state = STATE_DESC(1, vm_fields);

/* Transport state is cleared by the registry; the backend resets its own. */
static void vm_reset(void *dev)
{
    virtio_mmio *t = dev;
    if (t->vd.backend && t->vd.backend->reset)
        t->vd.backend->reset(&t->vd);
    mmio_notify(&t->vd);
}

static void vm_destroy(void *dev)
{
    virtio_mmio *t = dev;
    if (t->vd.backend && t->vd.backend->destroy)
        t->vd.backend->destroy(&t->vd);
    free(t);
}

static int vm_pre_save(void *dev, char *err, size_t errsize)
{
    return virtio_backend_pre_save(&((virtio_mmio *)dev)->vd, err, errsize);
}

static void vm_save_extra(void *dev, state_out *o)
{
    virtio_backend_save(&((virtio_mmio *)dev)->vd, o);
}

static bool vm_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    return virtio_backend_load(&((virtio_mmio *)dev)->vd, in, err, errsize);
}

static void vm_post_load(void *dev)
{
    virtio_backend_post_load(&((virtio_mmio *)dev)->vd);
}

static const device_ops virtio_mmio_dev_ops = {
    .type = "virtio-mmio", .state = &vm_state, .reset = vm_reset, .destroy = vm_destroy,
    .pre_save = vm_pre_save, .save_extra = vm_save_extra, .load_extra = vm_load_extra,
    .post_load = vm_post_load,
};

virtio_dev *virtio_mmio_create(device_list *devs, address_space *as, uint64_t base,
                               const virtio_backend *backend, void *priv,
                               irq_fn irq, void *irq_opaque, bool legacy)
{
    virtio_mmio *t = calloc(1, sizeof(*t));
    if (!t)
        fatal("out of memory");
    t->legacy = legacy;
    t->vd.backend = backend;
    t->vd.priv = priv;
    t->vd.as = as;
    t->vd.notify = mmio_notify;
    t->vd.transport = t;
    t->irq = irq;
    t->irq_opaque = irq_opaque;
    as_add_mmio(as, backend ? backend->name : "virtio-mmio-empty", base, 0x200, &virtio_mmio_ops, t);
    char name[64];
    snprintf(name, sizeof(name), "%s@%llx", backend ? backend->name : "virtio-mmio", (unsigned long long)base);
    device_register(devs, name, &virtio_mmio_dev_ops, t);
    return &t->vd;
}
