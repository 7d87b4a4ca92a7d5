/* virtio-rng backend: entropy from the host. */
#ifndef TERN_VIRTIO_RNG_H
#define TERN_VIRTIO_RNG_H
#include "hw/virtio/virtio.h"
extern const virtio_backend virtio_rng_backend;
#endif
