/*
 * virtio-input backends (virtio 1.x, section 5.8): a keyboard, a mouse and a tablet
 * that take their events from the input router (ui/input.h) and look to the guest as
 * QEMU's virtio-keyboard, virtio-mouse and virtio-tablet do.
 */
#ifndef TERN_VIRTIO_INPUT_H
#define TERN_VIRTIO_INPUT_H
#include "hw/virtio/virtio.h"

extern const virtio_backend virtio_input_backend;

typedef enum { VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_MOUSE, VIRTIO_INPUT_TABLET } virtio_input_kind;

/* Backend state; call virtio_input_attach once the transport exists. */
void *virtio_input_new(virtio_input_kind kind);
/* Start taking events from the router (the backend's destroy stops it). */
bool virtio_input_attach(virtio_dev *vd, char *err, size_t errsize);

#endif
