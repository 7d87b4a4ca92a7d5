/* virtio-console backend (one port, no multiport) connected to a chardev. */
#ifndef TERN_VIRTIO_CONSOLE_H
#define TERN_VIRTIO_CONSOLE_H
#include "hw/virtio/virtio.h"
#include "core/chardev.h"
extern const virtio_backend virtio_console_backend;
/* Backend state; call virtio_console_attach once the transport exists. */
void *virtio_console_new(chardev *chr);
bool virtio_console_attach(virtio_dev *vd, char *err, size_t errsize);
#endif
