/* virtio-blk backend over a disk image (core/block.h). */
#ifndef TERN_VIRTIO_BLK_H
#define TERN_VIRTIO_BLK_H
#include "hw/virtio/virtio.h"
#include "core/block.h"

extern const virtio_backend virtio_blk_backend;
/* The backend state for an image; the device owns the image from then on. */
void *virtio_blk_new(block *img, const char *serial);
/* Features to add for this image (read-only disks say so). */
static inline uint64_t virtio_blk_extra_features(block *img)
{
    return block_readonly(img) ? 1ull << 5 : 0;
}

#endif
