/*
 * virtio-net on -M microvm under KVM, driven by the guest itself: a frame out and a
 * frame in. The device is found on either transport: a modern virtio-mmio slot
 * (-device virtio-net-device with -global virtio-mmio.force-legacy=false), else a
 * virtio-net-pci on PCI bus 0, whose BAR the guest places itself as an OS without
 * firmware would. The driver negotiates VERSION_1 and MAC only (so every buffer starts
 * with the 12-byte header and each received frame fits one buffer), reads the MAC from
 * the configuration space, posts receive buffers and polls the used rings with a TSC
 * timeout (no interrupts: the exchange, not the interrupt path, is under test here).
 *
 * It first sends an ARP request for 10.0.2.2 from 10.0.2.15. What comes back says who
 * is on the other end of the netdev:
 * - an ARP reply from 10.0.2.2: libslirp (-netdev user), whose gateway must be
 *   52:55:0a:00:02:02; then a DHCP DISCOVER, whose OFFER must give 10.0.2.15;
 * - the request itself, byte for byte: an echo peer (tests/shell/kvm-net.sh's socket
 *   peer); then three frames of 60, 590 and 1514 bytes queued at once must come back
 *   whole and in order, which needs several receive buffers posted at the same time.
 * Frames of neither kind (slirp's IPv6 router advertisements, say) are counted and
 * skipped. The last line is "net: PASS ..." or "net: FAIL: ...".
 */
#include "guest.h"

#define QSIZE 8
#define BUFSZ 2048              /* header + the largest frame (1514) fits one buffer */
#define HDR 12                  /* virtio_net_hdr with num_buffers (VERSION_1) */
#define F_MAC (1ull << 5)
#define F_VERSION_1 (1ull << 32)
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define D_NEXT 1
#define D_WRITE 2
#define TIMEOUT_TSC 10000000000ull  /* a few seconds at any TSC rate tern's hosts have */

#define R8(a) (*(volatile uint8_t *)(a))
#define R16(a) (*(volatile uint16_t *)(a))
#define R32(a) (*(volatile uint32_t *)(a))

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };

struct queue {
    struct desc d[QSIZE] __attribute__((aligned(16)));
    struct avail a __attribute__((aligned(2)));
    struct used u __attribute__((aligned(4)));
    uint16_t last_used;         /* the next used entry the driver looks at */
};

static struct queue rxq, txq;   /* queue 0 receives, queue 1 transmits */
static uint8_t rxbuf[QSIZE][BUFSZ] __attribute__((aligned(64)));
static uint8_t txbuf[QSIZE][BUFSZ] __attribute__((aligned(64)));
static uint8_t mac[6];
static unsigned ignored;        /* received frames that were neither answer */

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t slirp_gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }

__attribute__((noreturn)) static void fail(unsigned code, const char *why)
{
    puts_("net: FAIL: ");
    puts_(why);
    puts_("\n");
    finish(code);
}

static void putmac(const uint8_t *m)
{
    for (int i = 0; i < 6; i++) {
        if (i)
            putc_(':');
        putc_("0123456789abcdef"[m[i] >> 4]);
        putc_("0123456789abcdef"[m[i] & 15]);
    }
}

static void putip(const uint8_t *ip)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            putc_('.');
        putu(ip[i]);
    }
}

static bool same(const void *a, const void *b, unsigned n)
{
    const uint8_t *x = a, *y = b;
    for (unsigned i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static void copy(void *dst, const void *src, unsigned n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (unsigned i = 0; i < n; i++)
        d[i] = s[i];
}

static void zero(void *dst, unsigned n)
{
    uint8_t *d = dst;
    for (unsigned i = 0; i < n; i++)
        d[i] = 0;
}

/* ---- the two transports, behind one small interface ---- */

static bool on_pci;
static uint64_t mmio;                           /* virtio-mmio: the slot's base */
static uint64_t common, notify, devcfg;         /* virtio-pci: the structures, in the BAR */
static uint32_t notify_mult;

static void set_status(uint8_t s)
{
    if (on_pci)
        R8(common + 0x14) = s;
    else
        R32(mmio + 0x070) = s;
}

static uint8_t get_status(void)
{
    return on_pci ? R8(common + 0x14) : (uint8_t)R32(mmio + 0x070);
}

static uint32_t dev_features(unsigned word)
{
    if (on_pci) {
        R32(common + 0x00) = word;
        return R32(common + 0x04);
    }
    R32(mmio + 0x014) = word;
    return R32(mmio + 0x010);
}

static void drv_features(unsigned word, uint32_t v)
{
    if (on_pci) {
        R32(common + 0x08) = word;
        R32(common + 0x0c) = v;
    } else {
        R32(mmio + 0x024) = word;
        R32(mmio + 0x020) = v;
    }
}

static uint8_t config8(unsigned off)
{
    return on_pci ? R8(devcfg + off) : R8(mmio + 0x100 + off);
}

static void setup_queue(unsigned q, struct queue *vq)
{
    uint64_t d = (uint64_t)vq->d, a = (uint64_t)&vq->a, u = (uint64_t)&vq->u;
    if (on_pci) {
        R16(common + 0x16) = (uint16_t)q;
        if (R16(common + 0x18) < QSIZE)
            fail(5, "queue too small");
        R16(common + 0x18) = QSIZE;
        R16(common + 0x1a) = 0xffff;                   /* no MSI-X vector: polled */
        R32(common + 0x20) = (uint32_t)d;
        R32(common + 0x24) = (uint32_t)(d >> 32);
        R32(common + 0x28) = (uint32_t)a;
        R32(common + 0x2c) = (uint32_t)(a >> 32);
        R32(common + 0x30) = (uint32_t)u;
        R32(common + 0x34) = (uint32_t)(u >> 32);
        if (R16(common + 0x1e) != q)                   /* tern gives queue q notify offset q */
            fail(12, "unexpected queue notify offset");
        R16(common + 0x1c) = 1;
        return;
    }
    R32(mmio + 0x030) = q;
    if (R32(mmio + 0x034) < QSIZE)
        fail(5, "queue too small");
    R32(mmio + 0x038) = QSIZE;
    R32(mmio + 0x080) = (uint32_t)d;
    R32(mmio + 0x084) = (uint32_t)(d >> 32);
    R32(mmio + 0x090) = (uint32_t)a;
    R32(mmio + 0x094) = (uint32_t)(a >> 32);
    R32(mmio + 0x0a0) = (uint32_t)u;
    R32(mmio + 0x0a4) = (uint32_t)(u >> 32);
    R32(mmio + 0x044) = 1;
}

static void kick(unsigned q)
{
    __sync_synchronize();                               /* the ring before the doorbell */
    if (on_pci)
        R16(notify + q * notify_mult) = (uint16_t)q;
    else
        R32(mmio + 0x050) = q;
}

/* ---- finding the device ---- */

static bool find_mmio(void)
{
    for (unsigned i = 0; i < 8; i++) {
        uint64_t b = VIRTIO_MMIO + i * 0x200;
        if (R32(b) != 0x74726976 || R32(b + 8) != 1)  /* "virt", device ID 1 */
            continue;
        if (R32(b + 4) != 2)
            fail(3, "virtio-mmio is legacy (version 1): run with -global virtio-mmio.force-legacy=false");
        mmio = b;
        puts_("net: virtio-net on virtio-mmio slot ");
        putu(i);
        puts_(" (gsi ");
        putu(VIRTIO_GSI + i);
        puts_(")\n");
        return true;
    }
    return false;
}

static uint32_t cfg_addr(unsigned devfn, unsigned reg) { return 0x80000000u | devfn << 8 | (reg & 0xfc); }
static uint32_t pci_read32(unsigned devfn, unsigned reg) { outl(0xcf8, cfg_addr(devfn, reg)); return inl(0xcfc); }
static uint16_t pci_read16(unsigned devfn, unsigned reg) { outl(0xcf8, cfg_addr(devfn, reg)); return inw((uint16_t)(0xcfc + (reg & 2))); }
static uint8_t pci_read8(unsigned devfn, unsigned reg) { outl(0xcf8, cfg_addr(devfn, reg)); return inb((uint16_t)(0xcfc + (reg & 3))); }
static void pci_write32(unsigned devfn, unsigned reg, uint32_t v) { outl(0xcf8, cfg_addr(devfn, reg)); outl(0xcfc, v); }
static void pci_write16(unsigned devfn, unsigned reg, uint16_t v) { outl(0xcf8, cfg_addr(devfn, reg)); outw((uint16_t)(0xcfc + (reg & 2)), v); }

#define BAR_AT 0xc0100000ul     /* in microvm's 32-bit PCI MMIO window */

static bool find_pci(void)
{
    outl(0xcf8, 0x80000000u);
    if (inl(0xcf8) != 0x80000000u)                      /* no PCI (pcie=off) */
        return false;
    unsigned devfn = 0;
    bool found = false;
    for (unsigned slot = 0; slot < 32 && !found; slot++) {
        if (pci_read32(slot << 3, 0) == 0x10411af4u) {  /* modern virtio-net */
            devfn = slot << 3;
            found = true;
        }
    }
    if (!found)
        return false;
    /* the vendor capabilities name the BAR and offset of each structure */
    int bar = -1;
    uint32_t off_common = 0, off_notify = 0, off_dev = 0;
    bool have_common = false, have_notify = false, have_dev = false;
    if (!(pci_read16(devfn, 0x06) & 0x10))
        fail(23, "virtio-net-pci has no capability list");
    for (unsigned p = pci_read8(devfn, 0x34); p; p = pci_read8(devfn, p + 1)) {
        if (pci_read8(devfn, p) != 0x09)
            continue;
        unsigned type = pci_read8(devfn, p + 3), which = pci_read8(devfn, p + 4);
        uint32_t off = pci_read32(devfn, p + 8);
        if (type < 1 || type > 4)
            continue;
        if (bar >= 0 && (int)which != bar)
            fail(24, "virtio structures in more than one BAR");
        bar = (int)which;
        if (type == 1) {
            off_common = off;
            have_common = true;
        } else if (type == 2) {
            off_notify = off;
            notify_mult = pci_read32(devfn, p + 16);
            have_notify = true;
        } else if (type == 4) {
            off_dev = off;
            have_dev = true;
        }
    }
    if (!have_common || !have_notify || !have_dev || bar < 0 || bar > 5)
        fail(25, "virtio-net-pci lacks a common, notify or device capability");
    /* size the BAR as an OS does (all ones, read back), then place it */
    unsigned reg = 0x10 + 4 * (unsigned)bar;
    uint16_t cmd = pci_read16(devfn, 0x04);
    pci_write16(devfn, 0x04, cmd & (uint16_t)~2);       /* memory decode off while moving */
    pci_write32(devfn, reg, 0xffffffffu);
    uint32_t lo = pci_read32(devfn, reg);
    if (lo & 1)
        fail(26, "the virtio BAR is an I/O BAR");
    uint32_t size = ~(lo & ~15u) + 1;
    if (size < 0x1000 || size > 0x100000)
        fail(26, "odd virtio BAR size");
    pci_write32(devfn, reg, (uint32_t)BAR_AT);
    if ((lo & 6) == 4)
        pci_write32(devfn, reg + 4, 0);                 /* the high half of a 64-bit BAR */
    pci_write16(devfn, 0x04, cmd | 2 | 4);              /* memory decode, bus master */
    common = BAR_AT + off_common;
    notify = BAR_AT + off_notify;
    devcfg = BAR_AT + off_dev;
    on_pci = true;
    puts_("net: virtio-net-pci at slot ");
    putu(devfn >> 3);
    puts_(", BAR ");
    putu((unsigned)bar);
    puts_(" of ");
    putu(size);
    puts_(" bytes at ");
    puthex(BAR_AT);
    puts_("\n");
    return true;
}

/* ---- the driver ---- */

static void init_device(void)
{
    set_status(0);                                      /* reset */
    set_status(S_ACK | S_DRIVER);
    uint64_t offered = dev_features(0) | (uint64_t)dev_features(1) << 32;
    if (!(offered & F_VERSION_1))
        fail(4, "device does not offer VERSION_1");
    if (!(offered & F_MAC))
        fail(4, "device does not offer MAC");
    uint64_t want = F_VERSION_1 | F_MAC;
    drv_features(0, (uint32_t)want);
    drv_features(1, (uint32_t)(want >> 32));
    set_status(S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(get_status() & S_FEATURES_OK))
        fail(4, "device refused VERSION_1 | MAC");
    setup_queue(0, &rxq);
    setup_queue(1, &txq);
    /* MAC is valid once features are negotiated */
    for (int i = 0; i < 6; i++)
        mac[i] = config8((unsigned)i);
    set_status(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    if (get_status() & 0x40)
        fail(8, "device set NEEDS_RESET");
    puts_("net: features ");
    puthex(offered);
    puts_(" offered, VERSION_1|MAC taken; mac ");
    putmac(mac);
    puts_("\n");
    /* every receive buffer posted at once, each a single device-writable descriptor */
    for (uint16_t i = 0; i < QSIZE; i++) {
        rxq.d[i] = (struct desc){ (uint64_t)rxbuf[i], BUFSZ, D_WRITE, 0 };
        rxq.a.ring[i] = i;
    }
    __sync_synchronize();
    rxq.a.idx = QSIZE;
    kick(0);
}

/* Queue frames[i] (len[i] bytes each, header added here) on the transmit queue with one
 * notification, and wait until the device has taken them all. */
static void send(unsigned n, const uint8_t *const *frames, const unsigned *len)
{
    for (unsigned i = 0; i < n; i++) {
        uint16_t slot = (uint16_t)((txq.a.idx + i) % QSIZE);
        zero(txbuf[slot], HDR);                         /* no offloads */
        copy(txbuf[slot] + HDR, frames[i], len[i]);
        txq.d[slot] = (struct desc){ (uint64_t)txbuf[slot], HDR + len[i], 0, 0 };
        txq.a.ring[slot] = slot;
    }
    __sync_synchronize();
    txq.a.idx = (uint16_t)(txq.a.idx + n);
    kick(1);
    uint64_t t0 = rdtsc();
    while (*(volatile uint16_t *)&txq.u.idx != txq.a.idx) {
        if (rdtsc() - t0 > TIMEOUT_TSC)
            fail(9, "transmit queue not consumed in time");
        pause();
    }
    txq.last_used = txq.a.idx;
}

/* Wait for the next received frame: its buffer index (the frame is at rxbuf[i] + HDR),
 * *len its length; -1 on timeout. The caller gives the buffer back with repost(). */
static int receive(unsigned *len)
{
    uint64_t t0 = rdtsc();
    while (*(volatile uint16_t *)&rxq.u.idx == rxq.last_used) {
        if (rdtsc() - t0 > TIMEOUT_TSC)
            return -1;
        pause();
    }
    __sync_synchronize();                               /* the entry after its index */
    struct used_elem e = rxq.u.ring[rxq.last_used % QSIZE];
    rxq.last_used++;
    if (e.id >= QSIZE || e.len < HDR + 14 || e.len > BUFSZ)
        fail(10, "bad used entry on the receive queue");
    const uint8_t *h = rxbuf[e.id];
    if ((h[10] | h[11] << 8) != 1)                      /* num_buffers: one, without MRG_RXBUF */
        fail(10, "received header's num_buffers is not 1");
    *len = e.len - HDR;
    return (int)e.id;
}

static void repost(int id)
{
    rxq.a.ring[rxq.a.idx % QSIZE] = (uint16_t)id;
    __sync_synchronize();
    rxq.a.idx++;
    kick(0);
}

/* ---- frames ---- */

static unsigned eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    copy(f, dst, 6);
    copy(f + 6, mac, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    return 14;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* ARP request: who has 10.0.2.2, tell 10.0.2.15; padded to Ethernet's 60 bytes */
static unsigned arp_request(uint8_t *f)
{
    zero(f, 60);
    unsigned n = eth(f, broadcast, 0x0806);
    static const uint8_t fixed[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };  /* Ethernet, IPv4, request */
    copy(f + n, fixed, 8);
    copy(f + n + 8, mac, 6);
    copy(f + n + 14, my_ip, 4);
    copy(f + n + 24, gw_ip, 4);
    return 60;
}

static uint16_t ip_checksum(const uint8_t *p, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

#define XID 0x7465726eu         /* "tern" */
#define BOOTP_LEN 548           /* the fixed part (236) and 312 bytes of options, which
                                 * is the least libslirp takes as a BOOTP message */

/* DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67 (UDP checksum 0: none) */
static unsigned dhcp_discover(uint8_t *f)
{
    unsigned total = 14 + 20 + 8 + BOOTP_LEN;
    zero(f, total);
    uint8_t *ip = f + eth(f, broadcast, 0x0800), *udp = ip + 20, *bp = udp + 8;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((total - 14) >> 8);
    ip[3] = (uint8_t)(total - 14);
    ip[8] = 64;                                         /* TTL */
    ip[9] = 17;                                         /* UDP */
    copy(ip + 16, broadcast, 4);
    uint16_t c = ip_checksum(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (uint8_t)((8 + BOOTP_LEN) >> 8);
    udp[5] = (uint8_t)(8 + BOOTP_LEN);
    bp[0] = 1;                                          /* BOOTREQUEST */
    bp[1] = 1;                                          /* Ethernet */
    bp[2] = 6;
    bp[4] = (uint8_t)(XID >> 24);
    bp[5] = (uint8_t)(XID >> 16);
    bp[6] = (uint8_t)(XID >> 8);
    bp[7] = (uint8_t)XID;
    bp[10] = 0x80;                                      /* broadcast the answer */
    copy(bp + 28, mac, 6);                              /* chaddr */
    static const uint8_t opts[] = { 99, 130, 83, 99, 53, 1, 1, 255 };  /* cookie, DISCOVER, end */
    copy(bp + 236, opts, sizeof(opts));
    return total;
}

/* the DHCP message type of an OFFER/ACK for our XID, or 0 */
static unsigned dhcp_type(const uint8_t *f, unsigned len, const uint8_t **yiaddr)
{
    if (len < 14 + 20 + 8 + 240 || be16(f + 12) != 0x0800)
        return 0;
    const uint8_t *ip = f + 14;
    unsigned ihl = (ip[0] & 15) * 4u;
    if (ip[9] != 17 || len < 14 + ihl + 8 + 240)
        return 0;
    const uint8_t *udp = ip + ihl, *bp = udp + 8;
    if (be16(udp) != 67 || be16(udp + 2) != 68 || bp[0] != 2)
        return 0;
    if ((uint32_t)(bp[4] << 24 | bp[5] << 16 | bp[6] << 8 | bp[7]) != XID || !same(bp + 28, mac, 6))
        return 0;
    if (bp[236] != 99 || bp[237] != 130 || bp[238] != 83 || bp[239] != 99)
        return 0;
    *yiaddr = bp + 16;
    const uint8_t *end = f + len;
    for (const uint8_t *o = bp + 240; o < end && *o != 255;) {
        if (*o == 0) {
            o++;
            continue;
        }
        if (o + 2 > end || o + 2 + o[1] > end)
            break;
        if (o[0] == 53 && o[1] == 1)
            return o[2];
        o += 2 + o[1];
    }
    return 0;
}

/* ---- the test ---- */

static void slirp_dhcp(void)
{
    static uint8_t f[BUFSZ];
    const uint8_t *frames[1] = { f };
    unsigned len[1] = { dhcp_discover(f) };
    send(1, frames, len);
    for (;;) {
        unsigned n;
        int id = receive(&n);
        if (id < 0)
            fail(13, "no DHCP OFFER");
        const uint8_t *yi;
        unsigned type = dhcp_type(rxbuf[id] + HDR, n, &yi);
        if (type == 0) {
            ignored++;
            repost(id);
            continue;
        }
        if (type != 2)
            fail(13, "DHCP answer is not an OFFER");
        puts_("net: DHCP OFFER of ");
        putip(yi);
        puts_(" (");
        putu(n);
        puts_("-byte frame)\n");
        if (!same(yi, my_ip, 4))
            fail(14, "the OFFER is not 10.0.2.15");
        repost(id);
        return;
    }
}

static void echo_frames(void)
{
    static uint8_t f[3][1514];
    static const unsigned sizes[3] = { 60, 590, 1514 };
    const uint8_t *frames[3] = { f[0], f[1], f[2] };
    for (unsigned k = 0; k < 3; k++) {
        unsigned n = eth(f[k], broadcast, 0x88b5);       /* the local experimental type */
        for (unsigned i = n; i < sizes[k]; i++)
            f[k][i] = (uint8_t)(i * 13 + k * 101 + 7);
    }
    send(3, frames, sizes);
    for (unsigned k = 0; k < 3; k++) {
        unsigned n;
        int id = receive(&n);
        if (id < 0)
            fail(15, "an echoed frame did not come back");
        if (n != sizes[k] || !same(rxbuf[id] + HDR, f[k], n))
            fail(16, "an echoed frame came back different");
        puts_("net: echo of ");
        putu(n);
        puts_("-byte frame verified\n");
        repost(id);
    }
}

void guest_main(unsigned cpu, unsigned ncpu)
{
    (void)ncpu;
    if (cpu != 0)
        return;
    /* nothing here takes interrupts, but finish() halts with them enabled: a PCI INTx
     * line the device left raised would reach the unprogrammed legacy PIC (GSI 12-15)
     * and arrive as an exception vector, so mask the PIC as any OS using the I/O APIC
     * does (the I/O APIC's pins start masked) */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    idt_init();                         /* an exception prints itself instead of a triple fault */
    if (!find_mmio() && !find_pci())
        fail(2, "no virtio-net device (virtio-mmio or PCI)");
    init_device();

    static uint8_t req[64];
    const uint8_t *frames[1] = { req };
    unsigned len[1] = { arp_request(req) };
    send(1, frames, len);
    puts_("net: sent ARP request for 10.0.2.2 from 10.0.2.15\n");
    for (;;) {
        unsigned n;
        int id = receive(&n);
        if (id < 0)
            fail(11, "nothing answered the ARP request");
        const uint8_t *f = rxbuf[id] + HDR;
        if (n == len[0] && same(f, req, n)) {
            puts_("net: got the ARP request back: an echo peer\n");
            repost(id);
            echo_frames();
            puts_("net: PASS (echo: 4 frames out, 4 in)\n");
            return;
        }
        /* an ARP reply (op 2) from 10.0.2.2 to us */
        if (n >= 42 && be16(f + 12) == 0x0806 && be16(f + 20) == 2 && same(f + 28, gw_ip, 4)) {
            puts_("net: ARP reply: 10.0.2.2 is at ");
            putmac(f + 22);
            puts_("\n");
            if (!same(f, mac, 6) || !same(f + 32, mac, 6) || !same(f + 38, my_ip, 4))
                fail(17, "the ARP reply is not addressed to us");
            if (!same(f + 22, slirp_gw_mac, 6))
                fail(18, "the gateway is not at slirp's 52:55:0a:00:02:02");
            repost(id);
            slirp_dhcp();
            puts_("net: PASS (slirp: ARP and DHCP, ");
            putu(ignored);
            puts_(" other frames skipped)\n");
            return;
        }
        ignored++;
        repost(id);
    }
}
