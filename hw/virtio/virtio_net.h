/*
 * virtio-net (virtio 1.2, section 5.1; device ID 1): a NIC on a netdev (net/net.h), as
 * QEMU's virtio-net-pci / virtio-net-device look to Linux's virtio_net driver.
 */
#ifndef TERN_VIRTIO_NET_H
#define TERN_VIRTIO_NET_H
#include "hw/virtio/virtio.h"
#include "net/net.h"

extern const virtio_backend virtio_net_backend;

/* "52:54:00:12:34:56" (or with '-'): false if it is not six hex pairs. */
bool virtio_net_parse_mac(const char *s, uint8_t mac[6]);

/* The backend state for a NIC on nd, with MAC mac; NULL: QEMU's default, 52:54:00:12:34:56
 * with the last byte raised by one for each NIC made so far without a mac=. model
 * ("virtio-net-pci") is what `info network` shows. Call virtio_net_attach once the
 * transport exists. */
void *virtio_net_new(netdev *nd, const uint8_t *mac, const char *model);
/* Become nd's peer (netdev_attach): false, with its reason, if nd has a NIC already. */
bool virtio_net_attach(virtio_dev *vd, char *err, size_t errsize);

/* What the device dropped (the netdev counts what passed). */
typedef struct virtio_net_stats {
    uint64_t tx_bad;          /* from the guest: shorter than 14 bytes, longer than NET_MAX_FRAME, unreadable */
    uint64_t tx_link_down;    /* from the guest while the link was down */
    uint64_t rx_too_big;      /* from the backend: larger than the guest's buffers can ever hold */
} virtio_net_stats;
void virtio_net_get_stats(virtio_dev *vd, virtio_net_stats *st);

#endif
