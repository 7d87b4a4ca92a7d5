/* virtio-rng (virtio 1.x, section 5.4): fills each buffer from the host's getrandom(). */
#include "hw/virtio/virtio_rng.h"
#include "core/log.h"
#include <sys/random.h>

static void rng_notify(virtio_dev *vd, unsigned q)
{
    uint8_t buf[256];
    vq_req req;
    while (vq_pop(vd, q, &req) == 1) {
        size_t want = vq_in_len(&req), done = 0;
        while (done < want) {
            size_t n = want - done < sizeof(buf) ? want - done : sizeof(buf);
            ssize_t got = getrandom(buf, n, 0);
            if (got <= 0)
                break;
            vq_write(vd, &req, done, buf, (size_t)got);
            done += (size_t)got;
        }
        vq_push(vd, q, &req, (uint32_t)done);
    }
}

const virtio_backend virtio_rng_backend = {
    .name = "virtio-rng",
    .device_id = 4,
    .num_queues = 1,
    .queue_notify = rng_notify,
};
