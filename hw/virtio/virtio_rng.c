/* virtio-rng (virtio 1.x, section 5.4): fills each buffer from the host's getrandom(). */
#include "hw/virtio/virtio_rng.h"
#include "core/log.h"
#include <sys/random.h>

/* Entropy given per request at most: the driver learns how much from the used length
 * (as with QEMU's rate-limited backends), and a chain claiming gigabytes cannot keep tern
 * calling getrandom() under the big lock for minutes. */
#define RNG_MAX_REQUEST (64 * 1024)

static void rng_notify(virtio_dev *vd, unsigned q)
{
    uint8_t buf[256];
    vq_req req;
    while (vq_pop(vd, q, &req) == 1) {
        size_t want = vq_in_len(&req), done = 0;
        if (want > RNG_MAX_REQUEST)
            want = RNG_MAX_REQUEST;
        while (done < want) {
            size_t n = want - done < sizeof(buf) ? want - done : sizeof(buf);
            ssize_t got = getrandom(buf, n, 0);
            if (got <= 0)
                break;
            size_t put = vq_write(vd, &req, done, buf, (size_t)got);
            done += put;
            if (put < (size_t)got)
                break;           /* the chain runs into memory that is not RAM */
        }
        vq_push(vd, q, &req, (uint32_t)done);
    }
}

/* Snapshots: requests are filled inside the notify and the device keeps nothing
 * between them, so its state is the transport's alone (version 1, empty). */
const virtio_backend virtio_rng_backend = {
    .name = "virtio-rng",
    .device_id = 4,
    .num_queues = 1,
    .queue_notify = rng_notify,
    .state_version = 1,
};
