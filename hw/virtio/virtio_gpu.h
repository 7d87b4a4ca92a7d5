/* virtio-gpu backend (device ID 16): the 2D command set, one scanout shown on a console. */
#ifndef TERN_VIRTIO_GPU_H
#define TERN_VIRTIO_GPU_H
#include "hw/virtio/virtio.h"
#include <stddef.h>
#include <stdint.h>

extern const virtio_backend virtio_gpu_backend;

/* Backend state for a display of xres x yres (0: QEMU's 1280x800; either clamped to
 * what an EDID can describe, 64..4095) that the window may later resize; `name` names
 * its console (NULL: "virtio-gpu"). Call virtio_gpu_attach once the transport exists. */
void *virtio_gpu_new(uint32_t xres, uint32_t yres, const char *name);
/* Registers the graphic console and remembers vd (for the config interrupt a window
 * resize raises). */
bool virtio_gpu_attach(virtio_dev *vd, char *err, size_t errsize);

#endif
