/*
 * Networking between a guest's NIC and a host backend, in QEMU's terms: a netdev
 * (`-netdev user|socket|tap,id=ID,...`) is the backend, a NIC (virtio-net) is its peer,
 * and they pass whole Ethernet frames (no FCS) to each other. Filters (filter-dump)
 * see every frame either way.
 *
 * Every function here runs with the big lock held: NICs send from their queue notify
 * (a vCPU thread), backends deliver from main-loop callbacks.
 *
 * Backpressure: a backend offers a frame with netdev_deliver(); when the NIC cannot
 * take it (no receive buffers posted) the call returns false and the backend keeps the
 * frame and stops reading its source until the NIC calls netdev_rx_ready(). So nothing
 * is lost while the guest is slow, and nothing is read that cannot be delivered.
 */
#ifndef TERN_NET_H
#define TERN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/state.h"

/* The largest frame either side passes: a TSO super-frame (an IP packet of up to 64 KiB
 * and its headers) fits; QEMU's NET_BUFSIZE. */
#define NET_MAX_FRAME 69632

typedef struct netdev netdev;

/* A backend's side. */
typedef struct netdev_ops {
    const char *type;               /* "user", "socket", "tap" */
    /* A frame from the NIC, to the backend's network. Must not block: a backend that
     * cannot keep up queues a little and then drops (counted). */
    void (*send)(netdev *nd, const uint8_t *frame, size_t len);
    /* The NIC can take frames again: resume reading, deliver what was kept. */
    void (*rx_ready)(netdev *nd);
    /* One line for `info network` (without the id and type). */
    void (*info)(netdev *nd, char *buf, size_t len);
    void (*cleanup)(netdev *nd);
    /* Snapshots (optional; machine stopped, big lock held): the backend's state beyond
     * the netdev's own (user: libslirp's connections and frames kept for the NIC), and
     * back. load gets what save wrote (maybe nothing, from a backend without save). */
    void (*state_save)(netdev *nd, state_out *o);
    bool (*state_load)(netdev *nd, state_in *in, char *err, size_t errsize);
    /* The backend takes a NIC's TCP/IPv4 super-frames (one IP packet of up to 64 KiB that
     * a segmentation offload would have cut into MTU-sized ones): libslirp's IPv4 and TCP
     * take packets of any size (its IPv6 does not). Backends that lead to another NIC (socket, tap without
     * a vnet header) do not, so the NIC does not offer the guest these offloads there. */
    bool takes_gso;
} netdev_ops;

/* A NIC's side. */
typedef struct net_nic_ops {
    /* Could a frame of len bytes be taken now? */
    bool (*can_receive)(void *opaque, size_t len);
    /* Take a frame (can_receive said yes). False: it could not after all (kept by the
     * backend, offered again after netdev_rx_ready). */
    bool (*receive)(void *opaque, const uint8_t *frame, size_t len);
    /* The link came up or went down (set_link in the monitor). May be NULL. */
    void (*link_changed)(void *opaque, bool up);
    /* The NIC's own drop counts for `info network` (malformed frames from the guest,
     * frames too big for its buffers), one short phrase. May be NULL. */
    void (*stats)(void *opaque, char *buf, size_t len);
} net_nic_ops;

struct netdev {
    char *id;
    const netdev_ops *ops;
    void *opaque;                   /* the backend's state */
    /* the NIC on it, if any */
    const net_nic_ops *nic;
    void *nic_opaque;
    const char *nic_model;          /* "virtio-net-pci", for info network */
    char nic_name[64];              /* the NIC's -device id=, else "virtio-net-pci.0" as QEMU names it */
    bool link_down;
    /* frames counted either way, and dropped */
    uint64_t tx_frames, rx_frames, tx_dropped, rx_dropped;
    struct net_filter *filters;
    netdev *next;
};

/* ---- the registry (net/net.c) ---- */

/* -netdev TYPE,id=ID,...: parse and open the backend. False with one line in err. */
bool netdev_create(const char *opts, char *err, size_t errsize);
netdev *netdev_find(const char *id);
netdev *netdev_first(void);
/* For backends: register a new netdev (the id and ops; the caller fills opaque). */
netdev *netdev_new(const char *id, const netdev_ops *ops, void *opaque, char *err, size_t errsize);
/* Attach a NIC as the netdev's peer. False (with a reason) if it has one already. */
bool netdev_attach(netdev *nd, const net_nic_ops *ops, void *opaque, const char *model, char *err, size_t errsize);
/* The NIC's id= from -device (before netdev_attach), for info network and set_link. */
void netdev_set_nic_id(netdev *nd, const char *id);
/* The monitor's set_link NAME on|off: NAME is a NIC's name or a netdev's id. False: no such. */
bool net_set_link(const char *name, bool up);
/* Close every netdev (at exit). */
void netdev_close_all(void);

/* NIC to backend: through the filters, then the backend's send. */
void netdev_send(netdev *nd, const uint8_t *frame, size_t len);
/* Backend to NIC: through the filters, then the NIC. False: not taken (see above). */
bool netdev_deliver(netdev *nd, const uint8_t *frame, size_t len);
/* Could the NIC take a frame of len bytes now (false also with no NIC or link down)? */
bool netdev_can_deliver(netdev *nd, size_t len);
/* NIC: receive buffers were posted. */
void netdev_rx_ready(netdev *nd);

/* ---- snapshots ---- */

/* Every netdev, in the order they were made: its id and type (checked on load), link
 * state and counters, then its backend's state as a length-prefixed blob (user: the
 * frames kept for the NIC and libslirp's slirp_state_save with its version; socket and
 * tap: nothing, their host connections are this process's). Machine stopped, big lock
 * held; main thread for load (the backends' watches change). */
void net_state_save(state_out *o);
/* False with one line in err if the snapshot's netdevs are not this machine's (by id
 * and type, nothing is changed then) or a backend refuses its state. Call it after the
 * devices' state was loaded (before or after their post_load hooks): it hands kept
 * frames to the NICs at once if their loaded queues have buffers, which must not go
 * into the queues as they were before the load. */
bool net_state_load(state_in *in, char *err, size_t errsize);

/* ---- filters (net/filter_dump.c) ---- */

/* -object filter-dump,id=ID,netdev=ND,file=F[,maxlen=N]: a pcap of the netdev's frames. */
bool net_filter_dump_create(const char *opts, char *err, size_t errsize);

/* ---- the monitor ---- */

/* `info network`: one line per netdev and its NIC. */
void net_info(void (*out)(void *opaque, const char *text), void *opaque);

#endif
