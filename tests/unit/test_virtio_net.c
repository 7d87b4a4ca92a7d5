/*
 * virtio-net (hw/virtio/virtio_net.c) against a fake guest driver writing split rings
 * into fake RAM and a fake netdev: transmit with and without NEEDS_CSUM (the TCP and UDP
 * checksums checked), receive into one buffer or, with MRG_RXBUF, several (num_buffers),
 * backpressure (frames refused while too few buffers are posted, rx_ready when the driver
 * posts), frames dropped and counted, the configuration space and link, reset, and a
 * hostile driver (random rings, features and frames) that must not crash anything.
 */
#include "core/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_net.h"
#include "net/net.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define F_CSUM       (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MAC        (1ull << 5)
#define F_MRG_RXBUF  (1ull << 15)
#define F_STATUS     (1ull << 16)

/* ---- stand-ins for net/net.c while it is not in this tree: they behave as its
 * functions do for one netdev without filters, and the real ones win once linked ---- */

__attribute__((weak)) bool netdev_attach(netdev *nd, const net_nic_ops *ops, void *opaque, const char *model,
                                         char *err, size_t errsize)
{
    if (nd->nic) {
        snprintf(err, errsize, "netdev '%s' is in use by another NIC", nd->id);
        return false;
    }
    nd->nic = ops;
    nd->nic_opaque = opaque;
    nd->nic_model = model;
    return true;
}

__attribute__((weak)) void netdev_send(netdev *nd, const uint8_t *frame, size_t len)
{
    nd->tx_frames++;
    nd->ops->send(nd, frame, len);
}

__attribute__((weak)) void netdev_rx_ready(netdev *nd)
{
    if (nd->ops->rx_ready)
        nd->ops->rx_ready(nd);
}

/* ---- the fake backend ---- */

static uint8_t sent[8][2048];
static size_t sent_len[8];
static int nsent, rx_ready_calls;

static void fake_send(netdev *nd, const uint8_t *frame, size_t len)
{
    if (nsent < 8) {
        memcpy(sent[nsent], frame, len < 2048 ? len : 2048);
        sent_len[nsent] = len;
    }
    nsent++;
}

static void fake_rx_ready(netdev *nd) { rx_ready_calls++; }

static const netdev_ops fake_ops = { .type = "user", .send = fake_send, .rx_ready = fake_rx_ready };
static netdev nd;

static bool can_rx(size_t len) { return nd.nic->can_receive(nd.nic_opaque, len); }
static bool rx(const uint8_t *f, size_t len) { return nd.nic->receive(nd.nic_opaque, f, len); }

/* ---- a guest driver over fake RAM ---- */

#define RAM 0x80000000ull
#define RAM_SIZE (4u << 20)
#define DESC(q) (RAM + 0x1000 + (q) * 0x8000)
#define AVAIL(q) (RAM + 0x3000 + (q) * 0x8000)
#define USED(q) (RAM + 0x5000 + (q) * 0x8000)
#define HEAP (RAM + 0x20000)

static address_space as;
static uint8_t *ram;
static int irqs;
static void notify(virtio_dev *vd) { irqs++; }

typedef struct drv { uint16_t avail_idx, used_seen, next_desc; } drv;
static drv drvq[2];
static uint64_t heap;

static void *gpa(uint64_t a) { return ram + (a - RAM); }
static uint16_t rd16(uint64_t a) { uint16_t v; memcpy(&v, gpa(a), 2); return v; }
static uint32_t rd32(uint64_t a) { uint32_t v; memcpy(&v, gpa(a), 4); return v; }
static void wr16(uint64_t a, uint16_t v) { memcpy(gpa(a), &v, 2); }

static uint64_t alloc(uint32_t len)
{
    uint64_t a = heap;
    heap += (len + 15) & ~15u;
    if (heap > RAM + RAM_SIZE) {
        printf("test heap exhausted\n");
        exit(2);
    }
    return a;
}

static void setup(virtio_dev *vd, uint64_t features, uint32_t num, const uint8_t *mac)
{
    memset(vd, 0, sizeof(*vd));
    memset(&nd, 0, sizeof(nd));
    nd.id = "n0";
    nd.ops = &fake_ops;
    nsent = rx_ready_calls = irqs = 0;
    vd->backend = &virtio_net_backend;
    vd->priv = virtio_net_new(&nd, mac, "virtio-net-pci");
    vd->as = &as;
    vd->notify = notify;
    vd->driver_features = features;
    vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                 VIRTIO_STATUS_DRIVER_OK;
    memset(ram, 0, RAM_SIZE);
    heap = HEAP;
    for (unsigned q = 0; q < 2; q++) {
        vd->vq[q] = (virtqueue){ .num = num, .ready = true, .desc = DESC(q), .avail = AVAIL(q), .used = USED(q) };
        drvq[q] = (drv){ 0, 0, 0 };
    }
    char err[128];
    CHECK(virtio_net_attach(vd, err, sizeof(err)));
}

static void teardown(virtio_dev *vd)
{
    virtio_net_backend.destroy(vd);
    CHECK(nd.nic == NULL && nd.nic_opaque == NULL);
}

/* Make a chain of n segments (addr, len, device-writable) and make it available. */
static void add_chain(virtio_dev *vd, unsigned q, unsigned n, const uint64_t *addr, const uint32_t *len,
                      const bool *write)
{
    uint32_t num = vd->vq[q].num;
    uint16_t head = (uint16_t)(drvq[q].next_desc % num);
    for (unsigned i = 0; i < n; i++) {
        uint16_t d = (uint16_t)(drvq[q].next_desc++ % num);
        struct { uint64_t addr; uint32_t len; uint16_t flags, next; } desc = {
            addr[i], len[i], (uint16_t)((i + 1 < n ? 1 : 0) | (write[i] ? 2 : 0)), (uint16_t)(drvq[q].next_desc % num),
        };
        memcpy(gpa(DESC(q) + 16ull * d), &desc, sizeof(desc));
    }
    wr16(AVAIL(q) + 4 + 2ull * (drvq[q].avail_idx % num), head);
    drvq[q].avail_idx++;
    wr16(AVAIL(q) + 2, drvq[q].avail_idx);
}

/* Post n receive buffers of len bytes (one descriptor each) and kick; their addresses to bufs. */
static void post_rx(virtio_dev *vd, unsigned n, uint32_t len, uint64_t *bufs)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = alloc(len);
        bool w = true;
        add_chain(vd, 0, 1, &a, &len, &w);
        if (bufs)
            bufs[i] = a;
    }
    virtio_net_backend.queue_notify(vd, 0);
}

/* Send a frame with header hdr (hl bytes) in its own descriptor, the frame in one or two. */
static void send_frame(virtio_dev *vd, const uint8_t *hdr, size_t hl, const uint8_t *frame, size_t len, bool split)
{
    uint64_t a[3];
    uint32_t l[3];
    bool w[3] = { false, false, false };
    a[0] = alloc((uint32_t)hl);
    l[0] = (uint32_t)hl;
    memcpy(gpa(a[0]), hdr, hl);
    unsigned n = 1;
    size_t first = split ? len / 2 : len;
    a[n] = alloc((uint32_t)first);
    l[n] = (uint32_t)first;
    memcpy(gpa(a[n]), frame, first);
    n++;
    if (split) {
        a[n] = alloc((uint32_t)(len - first));
        l[n] = (uint32_t)(len - first);
        memcpy(gpa(a[n]), frame + first, len - first);
        n++;
    }
    add_chain(vd, 1, n, a, l, w);
    virtio_net_backend.queue_notify(vd, 1);
}

typedef struct used { uint32_t id, len; } used;

static int collect(virtio_dev *vd, unsigned q, used *out, int max)
{
    uint32_t num = vd->vq[q].num;
    uint16_t idx = rd16(USED(q) + 2);
    int n = 0;
    while (drvq[q].used_seen != idx && n < max) {
        uint64_t e = USED(q) + 4 + 8ull * (drvq[q].used_seen % num);
        out[n].id = rd32(e);
        out[n].len = rd32(e + 4);
        n++;
        drvq[q].used_seen++;
    }
    return n;
}

/* ---- frames ---- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += be16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* An Ethernet + IPv4 + (TCP 6 | UDP 17) frame with plen payload bytes. Returns its length;
 * *l4 is where the transport header starts. */
static size_t make_ip(uint8_t *f, int proto, size_t plen, size_t *l4)
{
    size_t thl = proto == 6 ? 20 : 8;
    memset(f, 0, 14 + 20 + thl + plen);
    memcpy(f, "\x52\x55\x0a\x00\x02\x02\x52\x54\x00\x12\x34\x56\x08\x00", 14);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + thl + plen));
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
    uint8_t *t = ip + 20;
    put16(t, 40000);
    put16(t + 2, proto == 6 ? 80 : 53);
    if (proto == 6) {
        t[12] = 5 << 4;
        t[13] = 0x18;
        put16(t + 14, 64240);
    } else {
        put16(t + 4, (uint16_t)(8 + plen));
    }
    for (size_t i = 0; i < plen; i++)
        t[thl + i] = (uint8_t)(i * 7 + 3);
    *l4 = 34;
    return 14 + 20 + thl + plen;
}

/* The pseudo-header sum of an IPv4 frame's transport segment (not inverted). */
static uint32_t pseudo(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14;
    uint32_t s = sum16(ip + 12, 8, 0);
    return s + ip[9] + (uint32_t)(len - 34);
}

/* Does the frame's transport checksum verify? */
static bool l4_ok(const uint8_t *f, size_t len)
{
    return fold(sum16(f + 34, len - 34, pseudo(f, len))) == 0xffff;
}

/* ---- tests ---- */

static void test_config(void)
{
    virtio_dev vd;
    uint8_t mac[6], cfg[12];
    CHECK(virtio_net_parse_mac("52:54:00:ab:CD:ef", mac) && !memcmp(mac, "\x52\x54\x00\xab\xcd\xef", 6));
    CHECK(virtio_net_parse_mac("02-00-00-00-00-01", mac) && mac[0] == 2 && mac[5] == 1);
    CHECK(!virtio_net_parse_mac("52:54:00:12:34", mac) && !virtio_net_parse_mac("52:54:00:12:34:567", mac) &&
          !virtio_net_parse_mac("52:54:00:12:34:5g", mac) && !virtio_net_parse_mac("525400123456", mac) &&
          !virtio_net_parse_mac("", mac));

    CHECK(virtio_net_backend.device_id == 1 && virtio_net_backend.num_queues == 2);
    uint64_t f = virtio_net_backend.features;
    CHECK((f & (F_CSUM | F_GUEST_CSUM | F_MAC | F_MRG_RXBUF | F_STATUS)) == (F_CSUM | F_GUEST_CSUM | F_MAC | F_MRG_RXBUF | F_STATUS));
    CHECK(!(f & (1ull << 17)));                     /* no control queue */

    /* QEMU's default MACs: 52:54:00:12:34:56, then :57 for the next NIC without mac= */
    setup(&vd, VIRTIO_F_VERSION_1, 16, NULL);
    virtio_net_backend.config_read(&vd, 0, cfg, 12);
    CHECK(!memcmp(cfg, "\x52\x54\x00\x12\x34\x56", 6));
    CHECK(cfg[6] == 1 && cfg[7] == 0);              /* LINK_UP */
    CHECK(cfg[8] == 1 && cfg[9] == 0);              /* max_virtqueue_pairs */
    teardown(&vd);
    setup(&vd, VIRTIO_F_VERSION_1, 16, NULL);
    virtio_net_backend.config_read(&vd, 5, cfg, 1);
    CHECK(cfg[0] == 0x57);
    teardown(&vd);

    setup(&vd, VIRTIO_F_VERSION_1, 16, (const uint8_t *)"\x02\x11\x22\x33\x44\x55");
    virtio_net_backend.config_read(&vd, 0, cfg, 6);
    CHECK(!memcmp(cfg, "\x02\x11\x22\x33\x44\x55", 6));
    uint32_t v = 0xdeadbeef;
    virtio_net_backend.config_read(&vd, 6, (uint8_t *)&v, 2);
    CHECK((v & 0xffff) == 1);
    virtio_net_backend.config_read(&vd, 10, (uint8_t *)&v, 4);   /* past the end: zeros */
    CHECK(v == 0);
    virtio_net_backend.config_read(&vd, 0xfffffffe, (uint8_t *)&v, 4);
    CHECK(v == 0);
    /* the link: status follows, with a configuration interrupt */
    irqs = 0;
    nd.nic->link_changed(nd.nic_opaque, false);
    virtio_net_backend.config_read(&vd, 6, cfg, 2);
    CHECK(cfg[0] == 0 && irqs == 1 && (vd.isr & 2) && vd.notify_queue == -1);
    nd.nic->link_changed(nd.nic_opaque, false);    /* no change: no interrupt */
    CHECK(irqs == 1);
    nd.nic->link_changed(nd.nic_opaque, true);
    virtio_net_backend.config_read(&vd, 6, cfg, 2);
    CHECK(cfg[0] == 1 && irqs == 2);
    /* VERSION_1: the MAC is read-only */
    virtio_net_backend.config_write(&vd, 0, (const uint8_t *)"\x0a\x0b", 2);
    virtio_net_backend.config_read(&vd, 0, cfg, 2);
    CHECK(cfg[0] == 0x02 && cfg[1] == 0x11);
    /* a legacy driver may write it; reset restores mac= */
    vd.driver_features = F_MAC;
    virtio_net_backend.config_write(&vd, 4, (const uint8_t *)"\x0a\x0b\x0c\x0d", 4);
    virtio_net_backend.config_read(&vd, 0, cfg, 7);
    CHECK(cfg[4] == 0x0a && cfg[5] == 0x0b && cfg[6] == 1);
    virtio_reset(&vd);
    virtio_net_backend.config_read(&vd, 0, cfg, 6);
    CHECK(!memcmp(cfg, "\x02\x11\x22\x33\x44\x55", 6));
    /* a second NIC on the same netdev is refused */
    char err[128] = "";
    void *other = virtio_net_new(&nd, NULL, "virtio-net-pci");
    virtio_dev vd2 = { .backend = &virtio_net_backend, .priv = other, .as = &as };
    CHECK(!virtio_net_attach(&vd2, err, sizeof(err)) && err[0]);
    virtio_net_backend.destroy(&vd2);
    CHECK(nd.nic != NULL);                          /* the first keeps it */
    teardown(&vd);
}

static void test_tx(void)
{
    virtio_dev vd;
    uint8_t f[2048], hdr[12] = { 0 };
    size_t l4;
    used u[8];
    /* a plain frame, VERSION_1 (12-byte header), header and frame in separate descriptors */
    setup(&vd, VIRTIO_F_VERSION_1 | F_CSUM | F_MRG_RXBUF | F_MAC | F_STATUS, 64, NULL);
    size_t len = make_ip(f, 17, 100, &l4);
    put16(f + 34 + 6, (uint16_t)~fold(sum16(f + 34, len - 34, pseudo(f, len))));
    CHECK(l4_ok(f, len));
    send_frame(&vd, hdr, 12, f, len, false);
    CHECK(nsent == 1 && sent_len[0] == len && !memcmp(sent[0], f, len));
    CHECK(collect(&vd, 1, u, 8) == 1 && u[0].id == 0 && u[0].len == 0);
    CHECK(nd.tx_frames == 1);

    /* NEEDS_CSUM, UDP: the field holds the pseudo-header sum, as Linux leaves it */
    for (int proto = 6; proto <= 17; proto += 11) {
        for (size_t plen = 0; plen < 40; plen += 13) {   /* odd lengths too */
            len = make_ip(f, proto, plen, &l4);
            size_t coff = proto == 6 ? 16 : 6;
            put16(f + 34 + coff, fold(pseudo(f, len)));
            memset(hdr, 0, sizeof(hdr));
            hdr[0] = 1;                                 /* NEEDS_CSUM */
            put16(hdr + 6, 0);
            hdr[6] = 34;                                /* csum_start, little-endian */
            hdr[8] = (uint8_t)coff;                     /* csum_offset */
            nsent = 0;
            send_frame(&vd, hdr, 12, f, len, true);
            CHECK(nsent == 1 && sent_len[0] == len);
            CHECK(l4_ok(sent[0], len));
            /* the same value computed here */
            uint8_t g[2048];
            memcpy(g, f, len);
            put16(g + 34 + coff, 0);
            uint16_t want = (uint16_t)~fold(sum16(g + 34, len - 34, pseudo(g, len)));
            CHECK(be16(sent[0] + 34 + coff) == (want ? want : 0xffff));
            CHECK(!memcmp(sent[0], f, 34 + coff) && !memcmp(sent[0] + 36 + coff, f + 36 + coff, len - 36 - coff));
        }
    }
    /* the checksum field outside the frame: dropped */
    virtio_net_stats st;
    len = make_ip(f, 17, 10, &l4);
    hdr[0] = 1;
    hdr[6] = 34;
    hdr[8] = (uint8_t)(len - 34 - 1);
    nsent = 0;
    send_frame(&vd, hdr, 12, f, len, false);
    virtio_net_get_stats(&vd, &st);
    CHECK(nsent == 0 && st.tx_bad == 1);
    hdr[6] = 0xff;
    hdr[7] = 0xff;
    hdr[8] = 0;
    send_frame(&vd, hdr, 12, f, len, false);
    virtio_net_get_stats(&vd, &st);
    CHECK(nsent == 0 && st.tx_bad == 2);
    collect(&vd, 1, u, 8);
    teardown(&vd);

    /* legacy without MRG_RXBUF: a 10-byte header */
    setup(&vd, F_MAC, 64, NULL);
    memset(hdr, 0, sizeof(hdr));
    len = make_ip(f, 6, 33, &l4);
    send_frame(&vd, hdr, 10, f, len, true);
    CHECK(nsent == 1 && sent_len[0] == len && !memcmp(sent[0], f, len));
    /* legacy with MRG_RXBUF: 12 */
    vd.driver_features = F_MAC | F_MRG_RXBUF;
    send_frame(&vd, hdr, 12, f, len, false);
    CHECK(nsent == 2 && sent_len[1] == len && !memcmp(sent[1], f, len));
    teardown(&vd);
}

static void test_tx_drops(void)
{
    virtio_dev vd;
    uint8_t f[64] = { 0 }, hdr[12] = { 0 };
    used u[16];
    virtio_net_stats st;
    setup(&vd, VIRTIO_F_VERSION_1, 64, NULL);
    send_frame(&vd, hdr, 12, f, 13, false);         /* shorter than an Ethernet header */
    send_frame(&vd, hdr, 12, f, 0, false);          /* the header alone */
    send_frame(&vd, hdr, 4, f, 0, false);           /* not even a header */
    send_frame(&vd, hdr, 12, f, 14, false);         /* the smallest: passes */
    CHECK(nsent == 1 && sent_len[0] == 14);
    /* longer than NET_MAX_FRAME: two 40000-byte descriptors */
    {
        uint64_t a[3] = { alloc(12), alloc(40000), alloc(40000) };
        uint32_t l[3] = { 12, 40000, 40000 };
        bool w[3] = { false, false, false };
        add_chain(&vd, 1, 3, a, l, w);
        virtio_net_backend.queue_notify(&vd, 1);
    }
    /* outside RAM */
    {
        uint64_t a[2] = { alloc(12), 0x1000 };
        uint32_t l[2] = { 12, 100 };
        bool w[2] = { false, false };
        add_chain(&vd, 1, 2, a, l, w);
        virtio_net_backend.queue_notify(&vd, 1);
    }
    /* a chain with only device-writable parts */
    {
        uint64_t a = alloc(100);
        uint32_t l = 100;
        bool w = true;
        add_chain(&vd, 1, 1, &a, &l, &w);
        virtio_net_backend.queue_notify(&vd, 1);
    }
    virtio_net_get_stats(&vd, &st);
    CHECK(nsent == 1 && st.tx_bad == 6);
    CHECK(collect(&vd, 1, u, 16) == 7);             /* every chain returned */
    CHECK(!(vd.status & VIRTIO_STATUS_NEEDS_RESET));
    /* link down: drained, not sent */
    nd.nic->link_changed(nd.nic_opaque, false);
    send_frame(&vd, hdr, 12, f, 60, false);
    virtio_net_get_stats(&vd, &st);
    CHECK(nsent == 1 && st.tx_link_down == 1 && collect(&vd, 1, u, 16) == 1);
    nd.nic->link_changed(nd.nic_opaque, true);
    send_frame(&vd, hdr, 12, f, 60, false);
    CHECK(nsent == 2);
    teardown(&vd);
}

static void fill(uint8_t *f, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

static void test_rx_single(void)
{
    virtio_dev vd;
    static uint8_t f[70000];
    uint64_t bufs[8];
    used u[8];
    virtio_net_stats st;
    /* VERSION_1 without MRG_RXBUF: one buffer a frame, 12-byte header, num_buffers 1 */
    setup(&vd, VIRTIO_F_VERSION_1 | F_MAC, 64, NULL);
    CHECK(!can_rx(60) && !rx(f, 60));               /* nothing posted */
    CHECK(rx_ready_calls == 0);
    post_rx(&vd, 4, 1526, bufs);
    CHECK(rx_ready_calls == 1);
    fill(f, 1514, 1);
    CHECK(can_rx(1514));
    CHECK(can_rx(100) && rx(f, 100));
    CHECK(can_rx(1514) && rx(f, 1514));
    CHECK(collect(&vd, 0, u, 8) == 2);
    CHECK(u[0].id == 0 && u[0].len == 112 && u[1].id == 1 && u[1].len == 1526);
    uint8_t *b0 = gpa(bufs[0]), *b1 = gpa(bufs[1]);
    CHECK(b0[0] == 0 && b0[1] == 0 && b0[10] == 1 && b0[11] == 0 && !memcmp(b0 + 12, f, 100));
    CHECK(b1[10] == 1 && !memcmp(b1 + 12, f, 1514));
    /* too big for one buffer: dropped (as QEMU), the buffer stays posted */
    CHECK(can_rx(1515) && rx(f, 1515));
    virtio_net_get_stats(&vd, &st);
    CHECK(st.rx_too_big == 1 && collect(&vd, 0, u, 8) == 0);
    CHECK(rx(f, NET_MAX_FRAME + 1));
    virtio_net_get_stats(&vd, &st);
    CHECK(st.rx_too_big == 2);
    CHECK(rx(f, 60) && rx(f, 61));
    CHECK(collect(&vd, 0, u, 8) == 2 && u[0].id == 2 && u[1].id == 3 && u[1].len == 73);
    CHECK(!can_rx(60) && !rx(f, 60));               /* used up */
    teardown(&vd);

    /* legacy without MRG_RXBUF: 10-byte header, in its own descriptor as old drivers post */
    setup(&vd, F_MAC, 64, NULL);
    uint64_t a[2] = { alloc(10), alloc(1518) };
    uint32_t l[2] = { 10, 1518 };
    bool w[2] = { true, true };
    add_chain(&vd, 0, 2, a, l, w);
    virtio_net_backend.queue_notify(&vd, 0);
    fill(f, 200, 9);
    memset(gpa(a[0]), 0xee, 10);
    CHECK(can_rx(200) && rx(f, 200));
    CHECK(collect(&vd, 0, u, 8) == 1 && u[0].len == 210);
    uint8_t zero[10] = { 0 };
    CHECK(!memcmp(gpa(a[0]), zero, 10) && !memcmp(gpa(a[1]), f, 200));
    teardown(&vd);
}

static void test_rx_mergeable(void)
{
    virtio_dev vd;
    static uint8_t f[70000];
    static uint8_t got[70000];
    uint64_t bufs[64];
    used u[64];
    virtio_net_stats st;
    setup(&vd, VIRTIO_F_VERSION_1 | F_MRG_RXBUF | F_MAC, 64, NULL);
    post_rx(&vd, 2, 1000, bufs);
    fill(f, 3000, 5);
    /* 3012 bytes need 4 buffers: refused with 2, nothing taken */
    CHECK(!can_rx(3000) && !rx(f, 3000));
    CHECK(vd.vq[0].last_avail == 0 && collect(&vd, 0, u, 8) == 0);
    CHECK(rx_ready_calls == 1);
    post_rx(&vd, 3, 1000, bufs + 2);
    CHECK(rx_ready_calls == 2);
    int before = irqs;
    CHECK(can_rx(3000) && rx(f, 3000));
    CHECK(irqs == before + 1);                      /* the frame's buffers published at once */
    CHECK(collect(&vd, 0, u, 8) == 4);
    CHECK(u[0].len == 1000 && u[1].len == 1000 && u[2].len == 1000 && u[3].len == 12);
    uint8_t *b0 = gpa(bufs[0]);
    CHECK(b0[10] == 4 && b0[11] == 0);              /* num_buffers */
    memcpy(got, b0 + 12, 988);
    memcpy(got + 988, gpa(bufs[1]), 1000);
    memcpy(got + 1988, gpa(bufs[2]), 1000);
    memcpy(got + 2988, gpa(bufs[3]), 12);
    CHECK(!memcmp(got, f, 3000));
    /* a small one fits the one left */
    CHECK(rx(f, 60) && collect(&vd, 0, u, 8) == 1 && u[0].id == 4 && u[0].len == 72);
    CHECK(((uint8_t *)gpa(bufs[4]))[10] == 1);
    teardown(&vd);

    /* a 64 KiB frame across page-sized buffers (Linux's big mergeable buffers) */
    setup(&vd, VIRTIO_F_VERSION_1 | F_MRG_RXBUF, 64, NULL);
    post_rx(&vd, 17, 4096, bufs);
    fill(f, 65536, 77);
    CHECK(can_rx(65536) && rx(f, 65536));
    int n = collect(&vd, 0, u, 64);
    CHECK(n == 17 && ((uint8_t *)gpa(bufs[0]))[10] == 17);
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *b = gpa(bufs[u[i].id]);
        size_t skip = i == 0 ? 12 : 0;
        memcpy(got + pos, b + skip, u[i].len - skip);
        pos += u[i].len - skip;
    }
    CHECK(pos == 65536 && !memcmp(got, f, 65536));
    teardown(&vd);

    /* the whole ring posted and still too small: dropped, not waited for forever */
    setup(&vd, VIRTIO_F_VERSION_1 | F_MRG_RXBUF, 8, NULL);
    post_rx(&vd, 8, 100, bufs);
    CHECK(can_rx(2000) && rx(f, 2000));
    virtio_net_get_stats(&vd, &st);
    CHECK(st.rx_too_big == 1 && collect(&vd, 0, u, 8) == 0);
    CHECK(rx(f, 700) && collect(&vd, 0, u, 8) == 8);      /* 712 bytes: all 8 */
    teardown(&vd);

    /* no DRIVER_OK, or the queue not ready: refused */
    setup(&vd, VIRTIO_F_VERSION_1 | F_MRG_RXBUF, 8, NULL);
    post_rx(&vd, 4, 2048, bufs);
    vd.status &= ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
    CHECK(!can_rx(60) && !rx(f, 60));
    vd.status |= VIRTIO_STATUS_DRIVER_OK;
    vd.vq[0].ready = false;
    CHECK(!can_rx(60) && !rx(f, 60));
    vd.vq[0].ready = true;
    CHECK(can_rx(60) && rx(f, 60));
    teardown(&vd);
}

/* Random rings, features and frames: whatever happens, no crash, no write outside RAM
 * (the DMA API sees to that) and the device keeps answering. */
static void test_hostile(void)
{
    virtio_dev vd;
    static uint8_t f[NET_MAX_FRAME + 100];
    srand(13);
    for (size_t i = 0; i < sizeof(f); i++)
        f[i] = (uint8_t)rand();
    setup(&vd, VIRTIO_F_VERSION_1 | F_MRG_RXBUF | F_CSUM, 16, NULL);
    for (int iter = 0; iter < 5000; iter++) {
        if (iter % 500 == 0) {
            virtio_reset(&vd);
            vd.status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                        VIRTIO_STATUS_DRIVER_OK;
            vd.driver_features = (uint64_t)(rand() & 3) << 15 | (rand() & 1 ? VIRTIO_F_VERSION_1 : 0) | F_CSUM;
            uint32_t num = 1u << (rand() % 9);
            for (unsigned q = 0; q < 2; q++)
                vd.vq[q] = (virtqueue){ .num = num, .ready = true, .desc = DESC(q), .avail = AVAIL(q), .used = USED(q) };
        }
        unsigned q = (unsigned)rand() % 2;
        switch (rand() % 4) {
        case 0: {       /* garbage descriptors: random addresses, lengths, flags, next */
            for (int k = 0; k < 8; k++) {
                struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = {
                    rand() % 4 ? RAM + (uint64_t)(rand() % (RAM_SIZE + 0x1000)) : (uint64_t)rand() << 20,
                    (uint32_t)(rand() % 3 ? rand() % 3000 : rand()), (uint16_t)(rand() & 7), (uint16_t)(rand() % 300),
                };
                /* headers with NEEDS_CSUM and random offsets now and then */
                memcpy(gpa(DESC(q) + 16ull * (unsigned)(rand() % 256)), &d, sizeof(d));
            }
            uint64_t h = HEAP + (uint64_t)(rand() % 0x10000);
            uint8_t hdr[12];
            for (int k = 0; k < 12; k++)
                hdr[k] = (uint8_t)rand();
            hdr[0] |= 1;
            memcpy(gpa(h), hdr, 12);
            break;
        }
        case 1: {       /* make some available; sometimes a wild avail index */
            uint16_t idx = rd16(AVAIL(q) + 2);
            for (int k = rand() % 4; k >= 0; k--)
                wr16(AVAIL(q) + 4 + 2ull * ((unsigned)(idx + k) % 256), (uint16_t)(rand() % 300));
            wr16(AVAIL(q) + 2, rand() % 16 ? (uint16_t)(idx + 1 + rand() % 3) : (uint16_t)rand());
            wr16(AVAIL(q), (uint16_t)(rand() & 1));
            break;
        }
        case 2:
            virtio_net_backend.queue_notify(&vd, (unsigned)rand() % 3);
            break;
        case 3: {
            size_t len = rand() % 8 ? (size_t)(rand() % 2000) : (size_t)(rand() % (NET_MAX_FRAME + 50));
            if (can_rx(len) || rand() % 4 == 0)
                rx(f + rand() % 50, len);
            break;
        }
        }
        if (vd.status & VIRTIO_STATUS_NEEDS_RESET && rand() % 8 == 0)
            vd.status &= ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET;    /* keep going on garbage */
        if (rand() % 64 == 0) {
            uint8_t cfg[16];
            virtio_net_backend.config_read(&vd, (uint32_t)rand() % 20, cfg, (uint32_t)(1 + rand() % 8));
            vd.driver_features ^= VIRTIO_F_VERSION_1;
            virtio_net_backend.config_write(&vd, (uint32_t)rand() % 20, cfg, (uint32_t)(1 + rand() % 8));
        }
    }
    /* and it still works after a reset */
    virtio_reset(&vd);
    vd.status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
    vd.driver_features = VIRTIO_F_VERSION_1 | F_MRG_RXBUF;
    memset(ram, 0, RAM_SIZE);
    heap = HEAP;
    for (unsigned q = 0; q < 2; q++) {
        vd.vq[q] = (virtqueue){ .num = 16, .ready = true, .desc = DESC(q), .avail = AVAIL(q), .used = USED(q) };
        drvq[q] = (drv){ 0, 0, 0 };
    }
    uint64_t bufs[2];
    used u[4];
    post_rx(&vd, 2, 2048, bufs);
    CHECK(rx(f, 100) && collect(&vd, 0, u, 4) == 1 && u[0].len == 112);
    uint8_t hdr[12] = { 0 };
    nsent = 0;
    send_frame(&vd, hdr, 12, f, 60, false);
    CHECK(nsent == 1);
    teardown(&vd);
}

/* Receive buffers posted before DRIVER_OK, without a notify (the spec allows it): the
 * backend refused frames meanwhile, and hears it may deliver once DRIVER_OK is set. */
static void test_rx_before_driver_ok(void)
{
    virtio_dev vd;
    setup(&vd, VIRTIO_F_VERSION_1, 8, NULL);
    uint32_t ready = vd.status;
    vd.status = ready & ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t a = alloc(2048);
        uint32_t len = 2048;
        bool w = true;
        add_chain(&vd, 0, 1, &a, &len, &w);
    }
    CHECK(!can_rx(60));
    int before = rx_ready_calls;
    virtio_status_write(&vd, ready);
    CHECK(rx_ready_calls == before + 1);
    CHECK(can_rx(60));
    /* setting it again is no start: nothing more */
    virtio_status_write(&vd, ready);
    CHECK(rx_ready_calls == before + 1);
    teardown(&vd);
}

int main(void)
{
    as_init(&as);
    ram = as_add_ram(&as, "ram", RAM, RAM_SIZE);
    CHECK(ram != NULL);
    test_config();
    test_tx();
    test_tx_drops();
    test_rx_single();
    test_rx_mergeable();
    test_hostile();
    test_rx_before_driver_ok();
    as_destroy(&as);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
