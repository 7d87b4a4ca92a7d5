/*
 * virtio-net (virtio 1.2, section 5.1; device ID 1): queue 0 receives, queue 1
 * transmits; no control queue. Features: MAC, STATUS (link), MRG_RXBUF, CSUM and
 * GUEST_CSUM, and HOST_TSO4 and HOST_ECN where the backend takes super-frames (user
 * networking: the guest's TCP then hands over 64 KiB at a time and libslirp takes the
 * IPv4 packet whole, so nothing is segmented at all). Not TSO6 or UFO: libslirp's IPv6
 * input answers a packet over its MTU with Packet Too Big (naming the same MTU, so the
 * guest's TCP would stall), and Linux no longer sends UFO. Each buffer starts with a virtio_net_hdr: 12 bytes with VERSION_1 or
 * MRG_RXBUF (the last 2 are num_buffers), 10 on a legacy transport without MRG_RXBUF.
 *
 * Transmit: every chain is one frame after its header. With NEEDS_CSUM in the header the
 * device fills the checksum in (csum_start, csum_offset) before the frame leaves, since
 * backends take complete frames only. A super-frame (gso_type set) has a valid IP header
 * for its whole length and its TCP/UDP pseudo-header sum covers that length too, so
 * with the checksum filled it is one valid large packet and goes out as it is. Frames shorter than an Ethernet header or longer
 * than NET_MAX_FRAME, or unreadable, are dropped and counted.
 *
 * Receive: a frame goes to the driver only whole. can_receive() looks at the posted
 * buffers without taking them; receive() takes one chain (or, with MRG_RXBUF, as many
 * as the frame needs) and publishes them all at once, so the driver never sees the
 * first buffer of a frame before the rest. With too few buffers the frame is refused and
 * the backend keeps it until the driver posts more (queue 0's notify calls
 * netdev_rx_ready). A frame larger than anything the driver can post (its whole ring,
 * or one buffer without MRG_RXBUF, as QEMU) is dropped and counted instead of stalling
 * the network forever.
 */
#include "hw/virtio/virtio_net.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_CSUM       (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MAC        (1ull << 5)
#define F_HOST_TSO4  (1ull << 11)
#define F_HOST_ECN   (1ull << 13)
#define F_MRG_RXBUF  (1ull << 15)
#define F_STATUS     (1ull << 16)

#define HDR_F_NEEDS_CSUM 1
#define S_LINK_UP 1
#define ETH_HLEN 14
#define CONFIG_SIZE 12          /* mac[6], status, max_virtqueue_pairs, mtu (not offered) */

typedef struct vnet {
    netdev *nd;
    const char *model;
    virtio_dev *vd;             /* set by virtio_net_attach */
    uint8_t mac[6];             /* what the config space shows (a legacy driver may write it) */
    uint8_t conf_mac[6];        /* mac= or the default: what reset restores */
    bool link_up;
    virtio_net_stats st;
    vq_req rx[VIRTQ_MAX_SIZE];  /* the chains one received frame fills */
    uint32_t rx_written[VIRTQ_MAX_SIZE];
    uint8_t tx[NET_MAX_FRAME];
} vnet;

static unsigned default_macs;   /* NICs given QEMU's default MAC so far */

bool virtio_net_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = *s++;
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                       : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
            if (d == 16)
                return false;
            v = v << 4 | d;
        }
        mac[i] = (uint8_t)v;
        if (i < 5 && *s != ':' && *s != '-')
            return false;
        if (i < 5)
            s++;
    }
    return *s == '\0';
}

static size_t hdr_len(const virtio_dev *vd)
{
    return vd->driver_features & (VIRTIO_F_VERSION_1 | F_MRG_RXBUF) ? 12 : 10;
}

static bool mergeable(const virtio_dev *vd)
{
    return (vd->driver_features & F_MRG_RXBUF) != 0;
}

/* ---- configuration space ---- */

static void fill_config(vnet *vn, uint8_t *cfg)
{
    memcpy(cfg, vn->mac, 6);
    uint16_t status = vn->link_up ? S_LINK_UP : 0;
    cfg[6] = (uint8_t)status;
    cfg[7] = (uint8_t)(status >> 8);
    cfg[8] = 1;                 /* max_virtqueue_pairs */
    cfg[9] = 0;
    cfg[10] = cfg[11] = 0;      /* mtu: not offered */
}

static void net_config_read(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len)
{
    uint8_t cfg[CONFIG_SIZE];
    fill_config(vd->priv, cfg);
    memset(buf, 0, len);
    if (off < CONFIG_SIZE)
        memcpy(buf, cfg + off, len < CONFIG_SIZE - off ? len : CONFIG_SIZE - off);
}

static void net_config_write(virtio_dev *vd, uint32_t off, const uint8_t *buf, uint32_t len)
{
    vnet *vn = vd->priv;
    /* as QEMU: a legacy driver (no VERSION_1, no control queue) may set the MAC here */
    if (vd->driver_features & VIRTIO_F_VERSION_1)
        return;
    for (uint32_t i = 0; i < len && off < 6 && off + i < 6; i++)
        vn->mac[off + i] = buf[i];
}

/* ---- transmit ---- */

/* The Internet checksum of frame[start, len), folded into the field at start + off. */
static bool fill_csum(uint8_t *frame, size_t len, size_t start, size_t off)
{
    if (start >= len || off + 2 > len - start)
        return false;
    uint64_t sum = 0;
    size_t i = start;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)frame[i] << 8 | frame[i + 1];
    if (i < len)
        sum += (uint32_t)frame[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    if (c == 0)
        c = 0xffff;             /* as Linux's skb_checksum_help: 0 means "none" to UDP */
    frame[start + off] = (uint8_t)(c >> 8);
    frame[start + off + 1] = (uint8_t)c;
    return true;
}

static void tx_flush(vnet *vn)
{
    virtio_dev *vd = vn->vd;
    vq_req req;
    while (vq_pop(vd, 1, &req) == 1) {
        size_t hl = hdr_len(vd), out = vq_out_len(&req);
        uint8_t hdr[12];
        if (!vn->link_up) {
            vn->st.tx_link_down++;           /* as QEMU: the queue drains, nothing leaves */
        } else if (out < hl + ETH_HLEN || out - hl > NET_MAX_FRAME) {
            vn->st.tx_bad++;
            guest_error("guest_errors: virtio-net: a %zu-byte frame to send (%zu to %d bytes)\n",
                        out < hl ? 0 : out - hl, (size_t)ETH_HLEN, NET_MAX_FRAME);
        } else {
            size_t len = out - hl;
            if (vq_read(vd, &req, 0, hdr, hl) != hl || vq_read(vd, &req, hl, vn->tx, len) != len) {
                vn->st.tx_bad++;
                guest_error("guest_errors: virtio-net: a frame to send outside RAM\n");
            } else if ((hdr[0] & HDR_F_NEEDS_CSUM) &&
                       !fill_csum(vn->tx, len, (size_t)(hdr[6] | hdr[7] << 8), (size_t)(hdr[8] | hdr[9] << 8))) {
                vn->st.tx_bad++;
                guest_error("guest_errors: virtio-net: checksum at %u+%u outside a %zu-byte frame\n",
                            hdr[6] | hdr[7] << 8, hdr[8] | hdr[9] << 8, len);
            } else if (vn->nd) {
                netdev_send(vn->nd, vn->tx, len);
            }
        }
        vq_push(vd, 1, &req, 0);
    }
}

/* ---- receive ---- */

static bool rx_usable(const virtio_dev *vd)
{
    return vd && (vd->status & VIRTIO_STATUS_DRIVER_OK) && !(vd->status & VIRTIO_STATUS_NEEDS_RESET) &&
           vd->vq[0].ready && vd->vq[0].num;
}

enum { RX_WAIT = 0, RX_NEVER = -1, RX_BROKEN = -2 };

/* Pop the chains a frame of `need` bytes (header included) takes into vn->rx: how many,
 * or RX_WAIT (too few posted), RX_NEVER (it cannot fit, however many are posted) or
 * RX_BROKEN (a malformed queue, now NEEDS_RESET). Only a count > 0 consumes chains. */
static int rx_gather(vnet *vn, size_t need)
{
    virtio_dev *vd = vn->vd;
    virtqueue *vq = &vd->vq[0];
    uint16_t start = vq->last_avail;
    size_t have = 0;
    int n = 0;
    while (have < need) {
        if (n == VIRTQ_MAX_SIZE) {
            vq->last_avail = start;
            return RX_NEVER;
        }
        int r = vq_pop(vd, 0, &vn->rx[n]);
        if (r < 0) {
            vq->last_avail = start;
            return RX_BROKEN;
        }
        if (r == 0) {
            vq->last_avail = start;
            /* the whole ring posted and still too small */
            return (uint32_t)n >= vq->num ? RX_NEVER : RX_WAIT;
        }
        have += vq_in_len(&vn->rx[n]);
        n++;
        if (!mergeable(vd) && have < need) {
            vq->last_avail = start;
            return RX_NEVER;
        }
    }
    return n;
}

static bool net_can_receive(void *opaque, size_t len)
{
    vnet *vn = opaque;
    if (!rx_usable(vn->vd))
        return false;
    if (len > NET_MAX_FRAME)
        return true;                        /* receive drops it */
    int r = rx_gather(vn, hdr_len(vn->vd) + len);
    if (r > 0)
        vn->vd->vq[0].last_avail = (uint16_t)(vn->vd->vq[0].last_avail - r);   /* only a look */
    return r != RX_WAIT && r != RX_BROKEN;
}

static bool net_receive(void *opaque, const uint8_t *frame, size_t len)
{
    vnet *vn = opaque;
    virtio_dev *vd = vn->vd;
    if (!rx_usable(vd))
        return false;
    size_t hl = hdr_len(vd), total = hl + len;
    int n = len > NET_MAX_FRAME ? RX_NEVER : rx_gather(vn, total);
    if (n == RX_WAIT || n == RX_BROKEN)
        return false;
    if (n == RX_NEVER) {
        vn->st.rx_too_big++;
        return true;
    }
    /* the header: no offloads (flags, gso_type, hdr_len, gso_size, csum_*), num_buffers */
    uint8_t hdr[12] = { 0 };
    uint16_t nb = mergeable(vd) ? (uint16_t)n : 1;
    hdr[10] = (uint8_t)nb;
    hdr[11] = (uint8_t)(nb >> 8);
    size_t pos = 0;                         /* into header + frame */
    for (int i = 0; i < n; i++) {
        size_t cap = vq_in_len(&vn->rx[i]), off = 0;
        if (cap > total - pos)
            cap = total - pos;
        if (pos < hl) {
            size_t k = hl - pos < cap ? hl - pos : cap;
            vq_write(vd, &vn->rx[i], 0, hdr + pos, k);
            off = k;
        }
        if (off < cap)
            vq_write(vd, &vn->rx[i], off, frame + (pos + off - hl), cap - off);
        vn->rx_written[i] = (uint32_t)cap;
        pos += cap;
    }
    vq_push_n(vd, 0, vn->rx, vn->rx_written, (unsigned)n);
    return true;
}

static void net_link_changed(void *opaque, bool up)
{
    vnet *vn = opaque;
    if (vn->link_up == up)
        return;
    vn->link_up = up;
    virtio_dev *vd = vn->vd;
    if (vd && (vd->status & VIRTIO_STATUS_DRIVER_OK)) {
        vd->isr |= 2;                       /* configuration change */
        vd->notify_queue = -1;
        if (vd->notify)
            vd->notify(vd);
    }
}

static void net_stats(void *opaque, char *buf, size_t len)
{
    vnet *vn = opaque;
    snprintf(buf, len, "%llu malformed and %llu sent while the link was down from the guest, %llu too big for its buffers",
             (unsigned long long)vn->st.tx_bad, (unsigned long long)vn->st.tx_link_down,
             (unsigned long long)vn->st.rx_too_big);
}

static const net_nic_ops nic_ops = {
    .stats = net_stats,
    .can_receive = net_can_receive,
    .receive = net_receive,
    .link_changed = net_link_changed,
};

/* ---- the backend ---- */

static void net_queue_notify(virtio_dev *vd, unsigned q)
{
    vnet *vn = vd->priv;
    if (!vn->vd)
        vn->vd = vd;
    if (q == 1)
        tx_flush(vn);
    else if (q == 0 && vn->nd && vn->nd->nic_opaque == vn)
        netdev_rx_ready(vn->nd);            /* buffers posted: the backend may deliver */
}

/* Receive buffers posted before DRIVER_OK come without a notify: the backend, which the
 * NIC refused while the driver was not ready, may deliver now (QEMU flushes its queued
 * packets when the device starts, too). */
static void net_driver_ok(virtio_dev *vd)
{
    vnet *vn = vd->priv;
    if (!vn->vd)
        vn->vd = vd;
    if (vn->nd && vn->nd->nic_opaque == vn)
        netdev_rx_ready(vn->nd);
}

static void net_reset(virtio_dev *vd)
{
    vnet *vn = vd->priv;
    memcpy(vn->mac, vn->conf_mac, 6);
}

static void net_destroy(virtio_dev *vd)
{
    vnet *vn = vd->priv;
    if (!vn)
        return;
    if (vn->nd && vn->nd->nic_opaque == vn) {
        vn->nd->nic = NULL;                 /* nothing may reach the freed NIC */
        vn->nd->nic_opaque = NULL;
    }
    free(vn);
}

/* Snapshots. Frames the guest sends leave inside the notify, and a received frame is
 * written into the guest's buffers whole or not at all: the NIC holds nothing in
 * flight (a frame the NIC refused waits in the netdev's backend, which net_state_save
 * covers). Saved: the MAC the config space shows (a legacy driver may have written
 * it), the link state the guest was told, and the drop counters. */
static void net_save(virtio_dev *vd, state_out *o)
{
    vnet *vn = vd->priv;
    state_put(o, vn->mac, 6);
    state_put_u8(o, vn->link_up);
    state_put_u64(o, vn->st.tx_bad);
    state_put_u64(o, vn->st.tx_link_down);
    state_put_u64(o, vn->st.rx_too_big);
}

static bool net_load(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize)
{
    vnet *vn = vd->priv;
    uint8_t mac[6];
    state_get(in, mac, 6);
    bool up = state_get_u8(in) != 0;
    virtio_net_stats st;
    st.tx_bad = state_get_u64(in);
    st.tx_link_down = state_get_u64(in);
    st.rx_too_big = state_get_u64(in);
    if (in->bad) {
        snprintf(err, errsize, "virtio-net: its state is cut short");
        return false;
    }
    memcpy(vn->mac, mac, 6);
    vn->link_up = up;
    vn->st = st;
    return true;
}

/* The link as the netdev has it now: if set_link changed it since the save, the guest
 * hears of it as it would have then. Then the backend may deliver what it kept. */
static void net_post_load(virtio_dev *vd)
{
    vnet *vn = vd->priv;
    if (!vn->vd)
        vn->vd = vd;
    if (!vn->nd || vn->nd->nic_opaque != vn)
        return;
    if (vn->link_up == vn->nd->link_down)
        net_link_changed(vn, !vn->nd->link_down);
    netdev_rx_ready(vn->nd);
}

const virtio_backend virtio_net_backend = {
    .name = "virtio-net",
    .device_id = 1,
    .num_queues = 2,
    .features = F_CSUM | F_GUEST_CSUM | F_MAC | F_MRG_RXBUF | F_STATUS,
    .config_read = net_config_read,
    .config_write = net_config_write,
    .queue_notify = net_queue_notify,
    .reset = net_reset,
    .driver_ok = net_driver_ok,
    .destroy = net_destroy,
    .state_version = 1,
    .save = net_save,
    .load = net_load,
    .post_load = net_post_load,
};

void *virtio_net_new(netdev *nd, const uint8_t *mac, const char *model)
{
    vnet *vn = calloc(1, sizeof(*vn));
    if (!vn)
        fatal("out of memory");
    vn->nd = nd;
    vn->model = model;
    if (mac) {
        memcpy(vn->conf_mac, mac, 6);
    } else {
        static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        memcpy(vn->conf_mac, base, 6);
        vn->conf_mac[5] = (uint8_t)(0x56 + default_macs++);
    }
    memcpy(vn->mac, vn->conf_mac, 6);
    vn->link_up = !nd || !nd->link_down;
    return vn;
}

bool virtio_net_attach(virtio_dev *vd, char *err, size_t errsize)
{
    vnet *vn = vd->priv;
    vn->vd = vd;
    if (!vn->nd)
        return true;
    if (!netdev_attach(vn->nd, &nic_ops, vn, vn->model, err, errsize))
        return false;
    if (vn->nd->ops && vn->nd->ops->takes_gso)
        vd->extra_features |= F_HOST_TSO4 | F_HOST_ECN;
    vn->link_up = !vn->nd->link_down;
    return true;
}

void virtio_net_get_stats(virtio_dev *vd, virtio_net_stats *st)
{
    vnet *vn = vd->priv;
    *st = vn->st;
}
