/*
 * virtio-pci, the modern transport (virtio 1.x, section 4.1), over the same backends as
 * virtio-mmio. Laid out as QEMU lays it out, so guests and tools see the same thing:
 * BAR1 holds the MSI-X table (0x000) and PBA (0x800); BAR4 (64-bit, prefetchable) holds
 * the common configuration (0x0000), the ISR (0x1000), the device configuration
 * (0x2000) and the notifications (0x3000, 4 bytes a queue). The vendor capabilities in
 * configuration space point there, plus the PCI configuration access window. Without
 * MSI-X enabled (and there is no MSI controller on virt's PLIC) interrupts go through
 * INTx, which reading the ISR lowers.
 */
#include "hw/virtio/virtio_pci.h"
#include "core/log.h"
#include <stdlib.h>
#include <string.h>

#define VIRTIO_PCI_VENDOR 0x1af4
#define BAR_MSIX 1
#define BAR_MODERN 4
#define MODERN_SIZE 0x4000
#define OFF_COMMON 0x0000
#define OFF_ISR 0x1000
#define OFF_DEVICE 0x2000
#define OFF_NOTIFY 0x3000
#define NOTIFY_MULT 4
#define MSIX_PBA 0x800
#define NO_VECTOR 0xffff

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4, CAP_PCI_CFG = 5 };

typedef struct msix_entry { uint32_t addr_lo, addr_hi, data, ctrl; } msix_entry;

static const state_field msix_fields[] = {
    STATE_FIELD(msix_entry, addr_lo), STATE_FIELD(msix_entry, addr_hi),
    STATE_FIELD(msix_entry, data), STATE_FIELD(msix_entry, ctrl),
};
static const state_desc msix_state = STATE_DESC(1, msix_fields);

typedef struct virtio_pci {
    virtio_dev vd;
    pci_dev *pci;
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
    uint16_t msix_config;
    uint16_t queue_vector[VIRTIO_MAX_QUEUES];
    unsigned nvectors;
    msix_entry msix[VIRTIO_MAX_QUEUES + 1];
    uint64_t msix_pending;
    unsigned msix_cap, cfg_cap;
    virtio_pci_msi_fn *msi;
    void *msi_opaque;
} virtio_pci;

static uint64_t offered(virtio_pci *t)
{
    return t->vd.backend->features | t->vd.extra_features | VIRTIO_F_VERSION_1;
}

static bool msix_enabled(virtio_pci *t)
{
    return t->pci->config[t->msix_cap + 3] & 0x80;
}

static bool msix_masked_all(virtio_pci *t)
{
    return t->pci->config[t->msix_cap + 3] & 0x40;
}

static void msix_send(virtio_pci *t, unsigned v)
{
    if (v >= t->nvectors)
        return;
    if ((t->msix[v].ctrl & 1) || msix_masked_all(t)) {
        t->msix_pending |= 1ull << v;
        return;
    }
    t->msix_pending &= ~(1ull << v);
    uint64_t addr = ((uint64_t)t->msix[v].addr_hi << 32) | t->msix[v].addr_lo;
    if (t->msi)
        t->msi(t->msi_opaque, addr, t->msix[v].data);
}

/* The backend has something to say: a used buffer (notify_queue) or a config change. */
static void pci_notify(virtio_dev *vd)
{
    virtio_pci *t = vd->transport;
    if (msix_enabled(t)) {
        unsigned v = vd->notify_queue >= 0 && vd->notify_queue < VIRTIO_MAX_QUEUES
                         ? t->queue_vector[vd->notify_queue] : t->msix_config;
        if (v != NO_VECTOR)
            msix_send(t, v);
        return;
    }
    pci_set_irq(t->pci, vd->isr != 0);
}

static virtqueue *cur_vq(virtio_pci *t)
{
    return t->queue_sel < t->vd.backend->num_queues ? &t->vd.vq[t->queue_sel] : NULL;
}

/* ---- BAR4: common configuration, ISR, device configuration, notifications ---- */

static uint64_t common_read(virtio_pci *t, uint64_t off, unsigned size)
{
    virtio_dev *vd = &t->vd;
    virtqueue *vq = cur_vq(t);
    uint64_t f = offered(t);
    switch (off) {
    case 0x00: return t->dfselect;
    case 0x04: return t->dfselect == 0 ? (uint32_t)f : t->dfselect == 1 ? (uint32_t)(f >> 32) : 0;
    case 0x08: return t->gfselect;
    case 0x0c: return t->gfselect == 0 ? (uint32_t)vd->driver_features
                      : t->gfselect == 1 ? (uint32_t)(vd->driver_features >> 32) : 0;
    case 0x10: return t->msix_config;
    case 0x12: return vd->backend->num_queues;
    case 0x14: return vd->status;
    case 0x15: return 0;                           /* config generation */
    case 0x16: return t->queue_sel;
    case 0x18: return vq ? (vq->num ? vq->num : VIRTQ_MAX_SIZE) : 0;
    case 0x1a: return vq ? t->queue_vector[t->queue_sel] : NO_VECTOR;
    case 0x1c: return vq ? vq->ready : 0;
    case 0x1e: return vq ? t->queue_sel : 0;       /* notify offset: the queue's index */
    case 0x20: return vq ? (size == 8 ? vq->desc : (uint32_t)vq->desc) : 0;
    case 0x24: return vq ? vq->desc >> 32 : 0;
    case 0x28: return vq ? (size == 8 ? vq->avail : (uint32_t)vq->avail) : 0;
    case 0x2c: return vq ? vq->avail >> 32 : 0;
    case 0x30: return vq ? (size == 8 ? vq->used : (uint32_t)vq->used) : 0;
    case 0x34: return vq ? vq->used >> 32 : 0;
    default: return 0;
    }
}

static void set64(uint64_t *a, uint64_t off, unsigned size, uint64_t v)
{
    if (size == 8)
        *a = v;
    else if (off & 4)
        *a = (*a & 0xffffffffull) | (v << 32);
    else
        *a = (*a & ~0xffffffffull) | (uint32_t)v;
}

static void common_write(virtio_pci *t, uint64_t off, unsigned size, uint64_t v)
{
    virtio_dev *vd = &t->vd;
    virtqueue *vq = cur_vq(t);
    switch (off) {
    case 0x00: t->dfselect = (uint32_t)v; break;
    case 0x08: t->gfselect = (uint32_t)v; break;
    case 0x0c:
        if (t->gfselect < 2) {
            uint64_t sh = 32ull * t->gfselect;
            vd->driver_features = (vd->driver_features & ~(0xffffffffull << sh)) | ((v & 0xffffffffull) << sh);
        }
        break;
    case 0x10: t->msix_config = (uint16_t)v < t->nvectors ? (uint16_t)v : NO_VECTOR; break;
    case 0x14:
        if ((v & 0xff) == 0) {
            virtio_reset(vd);
            t->dfselect = t->gfselect = t->queue_sel = 0;
            t->msix_config = NO_VECTOR;
            for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
                t->queue_vector[i] = NO_VECTOR;
            pci_set_irq(t->pci, false);
            break;
        }
        if ((v & VIRTIO_STATUS_FEATURES_OK) && !(vd->status & VIRTIO_STATUS_FEATURES_OK) &&
            (vd->driver_features & ~offered(t)))
            v &= ~(uint64_t)VIRTIO_STATUS_FEATURES_OK;
        virtio_status_write(vd, (uint32_t)(v & 0xff));
        break;
    case 0x16: t->queue_sel = (uint16_t)v; break;
    case 0x18:
        if (vq && v && v <= VIRTQ_MAX_SIZE && !(v & (v - 1)) && !vq->ready)
            vq->num = (uint32_t)v;
        else if (vq)
            guest_error("guest_errors: virtio-pci: bad queue size %llu\n", (unsigned long long)v);
        break;
    case 0x1a:
        if (vq)
            t->queue_vector[t->queue_sel] = (uint16_t)v < t->nvectors ? (uint16_t)v : NO_VECTOR;
        break;
    case 0x1c:
        if (vq && (v & 1)) {
            if (!vq->num)
                vq->num = VIRTQ_MAX_SIZE;
            vq->ready = true;
        }
        break;
    case 0x20: case 0x24: if (vq && !vq->ready) set64(&vq->desc, off, size, v); break;
    case 0x28: case 0x2c: if (vq && !vq->ready) set64(&vq->avail, off, size, v); break;
    case 0x30: case 0x34: if (vq && !vq->ready) set64(&vq->used, off, size, v); break;
    default:
        guest_error("guest_errors: virtio-pci: write to common config 0x%llx\n", (unsigned long long)off);
        break;
    }
}

static uint64_t modern_read(void *opaque, uint64_t off, unsigned size)
{
    virtio_pci *t = opaque;
    virtio_dev *vd = &t->vd;
    if (off < OFF_ISR)
        return common_read(t, off, size);
    if (off < OFF_DEVICE) {
        if (off != OFF_ISR)
            return 0;
        /* reading the ISR acknowledges it and lowers INTx */
        uint64_t v = vd->isr;
        vd->isr = 0;
        if (!msix_enabled(t))
            pci_set_irq(t->pci, false);
        return v;
    }
    if (off < OFF_NOTIFY) {
        uint8_t buf[8] = { 0 };
        if (vd->backend->config_read)
            vd->backend->config_read(vd, (uint32_t)(off - OFF_DEVICE), buf, size);
        uint64_t v = 0;
        memcpy(&v, buf, size);
        return v;
    }
    return 0;
}

static void modern_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    virtio_pci *t = opaque;
    virtio_dev *vd = &t->vd;
    if (off < OFF_ISR) {
        common_write(t, off, size, v);
    } else if (off >= OFF_DEVICE && off < OFF_NOTIFY) {
        uint8_t buf[8];
        memcpy(buf, &v, 8);
        if (vd->backend->config_write)
            vd->backend->config_write(vd, (uint32_t)(off - OFF_DEVICE), buf, size);
    } else if (off >= OFF_NOTIFY) {
        unsigned q = (unsigned)(off - OFF_NOTIFY) / NOTIFY_MULT;
        /* DMA only with bus mastering on, as on a real bus */
        if (q < vd->backend->num_queues && vd->vq[q].ready && (vd->status & VIRTIO_STATUS_DRIVER_OK) &&
            pci_bus_master(t->pci) && vd->backend->queue_notify)
            vd->backend->queue_notify(vd, q);
    }
}

static const mmio_ops modern_ops = { modern_read, modern_write };

/* ---- BAR1: MSI-X table and PBA ---- */

static uint64_t msix_read(void *opaque, uint64_t off, unsigned size)
{
    virtio_pci *t = opaque;
    if (off >= MSIX_PBA)
        return off == MSIX_PBA ? (uint32_t)t->msix_pending : off == MSIX_PBA + 4 ? t->msix_pending >> 32 : 0;
    unsigned v = (unsigned)(off / 16), w = (unsigned)(off % 16) / 4;
    if (v >= t->nvectors || (size != 4 && size != 8) || (off & (size - 1)))
        return 0;
    uint32_t *e = &t->msix[v].addr_lo;
    /* the PCI spec lets software use dword or aligned qword accesses on the table */
    return size == 8 ? e[w] | (uint64_t)e[w + 1] << 32 : e[w];
}

static void msix_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    virtio_pci *t = opaque;
    if (off >= MSIX_PBA)
        return;
    unsigned v = (unsigned)(off / 16), w = (unsigned)(off % 16) / 4;
    if (v >= t->nvectors || (size != 4 && size != 8) || (off & (size - 1)))
        return;
    uint32_t *e = &t->msix[v].addr_lo;
    bool was_masked = e[3] & 1;
    e[w] = (uint32_t)val;
    if (size == 8)
        e[w + 1] = (uint32_t)(val >> 32);
    /* unmasking a vector with a message pending sends it */
    if (!(e[3] & 1) && was_masked && (t->msix_pending >> v) & 1)
        msix_send(t, v);
}

static const mmio_ops msix_ops = { msix_read, msix_write };

/* ---- configuration space ---- */

static void cfg_written(pci_dev *d, unsigned off, unsigned len)
{
    virtio_pci *t = d->opaque;
    /* the PCI configuration access window: pci_cfg_data writes go to the BAR */
    unsigned data = t->cfg_cap + 16;
    if (off >= data && off < data + 4) {
        uint8_t bar = d->config[t->cfg_cap + 4];
        uint32_t boff, blen;
        memcpy(&boff, d->config + t->cfg_cap + 8, 4);
        memcpy(&blen, d->config + t->cfg_cap + 12, 4);
        uint32_t v;
        memcpy(&v, d->config + data, 4);
        /* the window's first blen bytes, as a BAR write of that size carries them */
        if (blen < 4)
            v &= (1u << (8 * blen)) - 1;
        if (bar == BAR_MODERN && (blen == 1 || blen == 2 || blen == 4) && boff <= MODERN_SIZE - blen)
            modern_write(t, boff, v, blen);
    }
    /* MSI-X turned on: INTx is no longer used, and clearing the function mask sends
     * what the mask held back; off: vectors pending stay pending */
    if (off <= t->msix_cap + 3 && off + len > t->msix_cap + 2 && msix_enabled(t)) {
        pci_set_irq(d, false);
        for (unsigned v = 0; v < t->nvectors && !msix_masked_all(t); v++)
            if ((t->msix_pending >> v) & 1 && !(t->msix[v].ctrl & 1))
                msix_send(t, v);
    }
}

static uint32_t cfg_read(pci_dev *d, unsigned off, unsigned len, uint32_t val)
{
    virtio_pci *t = d->opaque;
    unsigned data = t->cfg_cap + 16;
    if (off != data)
        return val;
    uint8_t bar = d->config[t->cfg_cap + 4];
    uint32_t boff, blen;
    memcpy(&boff, d->config + t->cfg_cap + 8, 4);
    memcpy(&blen, d->config + t->cfg_cap + 12, 4);
    if (bar == BAR_MODERN && (blen == 1 || blen == 2 || blen == 4) && boff <= MODERN_SIZE - blen)
        return (uint32_t)modern_read(t, boff, blen);
    return val;
}

static unsigned add_vendor_cap(pci_dev *d, uint8_t type, uint8_t bar, uint32_t off, uint32_t len,
                               unsigned extra)
{
    unsigned c = pci_add_capability(d, 0x09, 16 + extra);
    d->config[c + 2] = (uint8_t)(16 + extra);
    d->config[c + 3] = type;
    d->config[c + 4] = bar;
    memcpy(d->config + c + 8, &off, 4);
    memcpy(d->config + c + 12, &len, 4);
    return c;
}

/* ---- the device ---- */

static const state_field vp_fields[] = {
    STATE_FIELD(virtio_pci, vd.driver_features), STATE_FIELD(virtio_pci, vd.status),
    STATE_FIELD(virtio_pci, vd.isr), STATE_STRUCT_ARRAY(virtio_pci, vd.vq, virtqueue_state),
    STATE_FIELD(virtio_pci, dfselect), STATE_FIELD(virtio_pci, gfselect),
    STATE_FIELD(virtio_pci, queue_sel), STATE_STRUCT_ARRAY(virtio_pci, msix, msix_state),
    STATE_FIELD(virtio_pci, msix_pending), STATE_FIELD(virtio_pci, msix_config),
    STATE_ARRAY(virtio_pci, queue_vector),
};
static const state_desc vp_state = STATE_DESC(1, vp_fields);

static void vp_reset(void *dev)
{
    virtio_pci *t = dev;
    t->msix_config = NO_VECTOR;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        t->queue_vector[i] = NO_VECTOR;
    if (t->vd.backend->reset)
        t->vd.backend->reset(&t->vd);
}

static void vp_destroy(void *dev)
{
    virtio_pci *t = dev;
    if (t->vd.backend->destroy)
        t->vd.backend->destroy(&t->vd);
    free(t);
}

static int vp_pre_save(void *dev, char *err, size_t errsize)
{
    return virtio_backend_pre_save(&((virtio_pci *)dev)->vd, err, errsize);
}

static void vp_save_extra(void *dev, state_out *o)
{
    virtio_backend_save(&((virtio_pci *)dev)->vd, o);
}

static bool vp_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    return virtio_backend_load(&((virtio_pci *)dev)->vd, in, err, errsize);
}

static void vp_post_load(void *dev)
{
    virtio_backend_post_load(&((virtio_pci *)dev)->vd);
}

static const device_ops vp_dev_ops = {
    .type = "virtio-pci", .state = &vp_state, .reset = vp_reset, .destroy = vp_destroy,
    .pre_save = vp_pre_save, .save_extra = vp_save_extra, .load_extra = vp_load_extra,
    .post_load = vp_post_load,
};

static uint32_t class_of(uint32_t device_id)
{
    switch (device_id) {
    case 1: return 0x020000;     /* network */
    case 2: return 0x010000;     /* block: SCSI storage, as QEMU */
    case 3: return 0x078000;     /* console: communication */
    case 16: return 0x038000;    /* GPU: display */
    case 18: return 0x098000;    /* input */
    default: return 0x00ff00;
    }
}

virtio_dev *virtio_pci_create(device_list *devs, pci_bus *bus, int devfn, address_space *dma,
                              const virtio_backend *backend, void *priv, const char *name,
                              virtio_pci_msi_fn *msi, void *msi_opaque, char *err, size_t errsize)
{
    pci_dev *d = pci_dev_new(bus, devfn, name, err, errsize);
    if (!d)
        return NULL;
    virtio_pci *t = calloc(1, sizeof(*t));
    if (!t)
        fatal("out of memory");
    t->vd.backend = backend;
    t->vd.priv = priv;
    t->vd.as = dma;
    t->vd.notify = pci_notify;
    t->vd.transport = t;
    t->pci = d;
    t->msi = msi;
    t->msi_opaque = msi_opaque;
    t->nvectors = backend->num_queues + 1;
    d->opaque = t;
    d->config_written = cfg_written;
    d->config_read = cfg_read;
    /* modern-only IDs, as the virtio spec gives them (QEMU's disable-legacy=on) */
    pci_set_ids(d, VIRTIO_PCI_VENDOR, (uint16_t)(0x1040 + backend->device_id), 1,
                class_of(backend->device_id), VIRTIO_PCI_VENDOR, 0x40);
    pci_set_intx_pin(d, 1);
    pci_set_bar(d, BAR_MSIX, PCI_BAR_MEM32, 0x1000, false, &msix_ops, t);
    pci_set_bar(d, BAR_MODERN, PCI_BAR_MEM64, MODERN_SIZE, true, &modern_ops, t);
    /* MSI-X: table and PBA in BAR1 */
    t->msix_cap = pci_add_capability(d, 0x11, 12);
    uint16_t ctrl = (uint16_t)(t->nvectors - 1);
    memcpy(d->config + t->msix_cap + 2, &ctrl, 2);
    d->wmask[t->msix_cap + 3] = 0xc0;              /* enable, function mask */
    uint32_t table = BAR_MSIX, pba = MSIX_PBA | BAR_MSIX;
    memcpy(d->config + t->msix_cap + 4, &table, 4);
    memcpy(d->config + t->msix_cap + 8, &pba, 4);
    add_vendor_cap(d, CAP_COMMON, BAR_MODERN, OFF_COMMON, 0x1000, 0);
    add_vendor_cap(d, CAP_ISR, BAR_MODERN, OFF_ISR, 0x1000, 0);
    add_vendor_cap(d, CAP_DEVICE, BAR_MODERN, OFF_DEVICE, 0x1000, 0);
    unsigned n = add_vendor_cap(d, CAP_NOTIFY, BAR_MODERN, OFF_NOTIFY, 0x1000, 4);
    uint32_t mult = NOTIFY_MULT;
    memcpy(d->config + n + 16, &mult, 4);
    t->cfg_cap = add_vendor_cap(d, CAP_PCI_CFG, 0, 0, 0, 4);
    /* the window's bar, offset, length and data are the driver's to write */
    memset(d->wmask + t->cfg_cap + 4, 0xff, 1);
    memset(d->wmask + t->cfg_cap + 8, 0xff, 12);
    vp_reset(t);
    char unique[96];
    snprintf(unique, sizeof(unique), "%s@%02x.%x", name, d->devfn >> 3, d->devfn & 7);
    device_register(devs, unique, &vp_dev_ops, t);
    return &t->vd;
}
