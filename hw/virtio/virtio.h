/*
 * Virtio devices independent of their transport: the split virtqueue walked through the
 * DMA API, and the interface between a transport (virtio-mmio now, virtio-pci later)
 * and a device backend (blk, rng, console).
 */
#ifndef TERN_VIRTIO_H
#define TERN_VIRTIO_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/memory.h"
#include "core/state.h"

#define VIRTIO_MAX_QUEUES 4
#define VIRTQ_MAX_SIZE 256
#define VIRTIO_F_VERSION_1 (1ull << 32)

enum {
    VIRTIO_STATUS_ACKNOWLEDGE = 1, VIRTIO_STATUS_DRIVER = 2, VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8, VIRTIO_STATUS_NEEDS_RESET = 64, VIRTIO_STATUS_FAILED = 128,
};

typedef struct virtqueue {
    uint32_t num;                /* size chosen by the driver */
    bool ready;
    uint64_t desc, avail, used;  /* guest-physical addresses of the three areas */
    uint16_t last_avail;         /* next avail ring entry to consume */
    uint16_t used_idx;
} virtqueue;

/* A virtqueue's state, for the transports' tables. */
extern const state_desc virtqueue_state;

typedef struct virtio_dev virtio_dev;

typedef struct virtio_backend {
    const char *name;
    uint32_t device_id;
    unsigned num_queues;
    uint64_t features;           /* offered in addition to VERSION_1 */
    /* device configuration space */
    void (*config_read)(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len);
    void (*config_write)(virtio_dev *vd, uint32_t off, const uint8_t *buf, uint32_t len);
    void (*queue_notify)(virtio_dev *vd, unsigned q);
    void (*reset)(virtio_dev *vd);
    void (*destroy)(virtio_dev *vd);
    /* The driver set DRIVER_OK (may be NULL): buffers it posted before then, without a
     * notify (which the spec allows), may be used now. */
    void (*driver_ok)(virtio_dev *vd);
    /* Snapshots (all optional; see device_ops in core/device.h): pre_save finishes or
     * hands back requests in flight (or says why it cannot); save/load the backend's
     * state at state_version; post_load after everything was loaded. A backend with
     * state and no save cannot be snapshotted correctly, so give it one. */
    uint32_t state_version;
    int (*pre_save)(virtio_dev *vd, char *err, size_t errsize);
    void (*save)(virtio_dev *vd, state_out *o);
    bool (*load)(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize);
    void (*post_load)(virtio_dev *vd);
} virtio_backend;

/* The state a transport keeps for its device; backends see it through these helpers. */
struct virtio_dev {
    const virtio_backend *backend;
    void *priv;                  /* backend state */
    address_space *as;
    uint64_t extra_features;     /* offered beyond backend->features (per instance) */
    uint64_t driver_features;
    uint32_t status;
    uint32_t isr;                /* bit 0: used buffer, bit 1: config change */
    virtqueue vq[VIRTIO_MAX_QUEUES];
    void (*notify)(virtio_dev *vd);      /* transport: raise the interrupt */
    int notify_queue;                    /* what notify is for: a queue, or -1 (config) */
    void *transport;
};

/* A request popped from a queue: its descriptor chain as guest-physical segments. */
#define VQ_MAX_SEGS 64
typedef struct vq_seg { uint64_t addr; uint32_t len; bool write; } vq_seg;
typedef struct vq_req {
    uint16_t head;
    unsigned nseg;
    vq_seg seg[VQ_MAX_SEGS];
} vq_req;

/* Pop the next available chain: 1 if one was popped, 0 if none, -1 if malformed (the
 * device is then marked NEEDS_RESET and must stop using the queue). */
int vq_pop(virtio_dev *vd, unsigned q, vq_req *req);
/* Return a chain to the driver with `written` bytes written into it; raises the irq. */
void vq_push(virtio_dev *vd, unsigned q, const vq_req *req, uint32_t written);
/* n chains at once, published by one used-index update (a frame across several receive
 * buffers: the driver must not see the first before the rest). */
void vq_push_n(virtio_dev *vd, unsigned q, const vq_req *reqs, const uint32_t *written, unsigned n);
/* Copy between a request's device-readable / device-writable bytes and a host buffer,
 * starting `off` bytes into that part of the chain. Return bytes copied. */
size_t vq_read(virtio_dev *vd, const vq_req *req, size_t off, void *buf, size_t len);
size_t vq_write(virtio_dev *vd, const vq_req *req, size_t off, const void *buf, size_t len);
size_t vq_in_len(const vq_req *req);      /* device-writable bytes */
size_t vq_out_len(const vq_req *req);     /* device-readable bytes */

void virtio_reset(virtio_dev *vd);
/* A transport's status write (not 0: that is virtio_reset): stores it and tells the
 * backend when DRIVER_OK comes on. */
void virtio_status_write(virtio_dev *vd, uint32_t status);
void virtio_set_needs_reset(virtio_dev *vd);

/* The transports' snapshot hooks for the backend part (virtqueue.c): the backend's
 * state goes after the transport's table, with its own version and length. */
int virtio_backend_pre_save(virtio_dev *vd, char *err, size_t errsize);
void virtio_backend_save(virtio_dev *vd, state_out *o);
bool virtio_backend_load(virtio_dev *vd, state_in *in, char *err, size_t errsize);
void virtio_backend_post_load(virtio_dev *vd);

#endif
