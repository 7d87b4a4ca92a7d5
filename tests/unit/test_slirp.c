/*
 * -netdev user (net/slirp.c) against a fake NIC: a DHCP DISCOVER from the "guest" gets
 * the OFFER of 10.0.2.15, an ARP for 10.0.2.2 is answered (also after the NIC refused it
 * once: backpressure), a host TCP connect to a hostfwd on 127.0.0.1 makes a SYN toward
 * 10.0.2.15:GUESTPORT, a guestfwd carries bytes both ways and the host's close, and a
 * second connection, the monitor's hostfwd_add/remove, and option errors (bad net=, bad
 * hostfwd, unknown option, a host port in use). 127.0.0.1 only, restrict=on, every wait
 * bounded by a host-clock timer.
 */
#include "net/net.h"
#include "net/slirp.h"
#include "core/opts.h"
#include "core/main_loop.h"
#include "core/clock.h"
#include "build/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

/* ---- stand-ins for the registry (net/net.c), used only while it is not in the tree ---- */

static netdev *sl_netdevs;

__attribute__((weak)) netdev *netdev_first(void)
{
    return sl_netdevs;
}

__attribute__((weak)) netdev *netdev_find(const char *id)
{
    for (netdev *nd = sl_netdevs; nd; nd = nd->next)
        if (!strcmp(nd->id, id))
            return nd;
    return NULL;
}

__attribute__((weak)) netdev *netdev_new(const char *id, const netdev_ops *ops, void *opaque, char *err, size_t errsize)
{
    if (netdev_find(id)) {
        snprintf(err, errsize, "duplicate id '%s'", id);
        return NULL;
    }
    netdev *nd = calloc(1, sizeof(*nd));
    nd->id = strdup(id);
    nd->ops = ops;
    nd->opaque = opaque;
    netdev **p = &sl_netdevs;
    while (*p)
        p = &(*p)->next;
    *p = nd;
    return nd;
}

__attribute__((weak)) bool netdev_attach(netdev *nd, const net_nic_ops *ops, void *opaque, const char *model, char *err, size_t errsize)
{
    if (nd->nic) {
        snprintf(err, errsize, "has a NIC");
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

__attribute__((weak)) bool netdev_can_deliver(netdev *nd, size_t len)
{
    return nd->nic && !nd->link_down && nd->nic->can_receive(nd->nic_opaque, len);
}

__attribute__((weak)) bool netdev_deliver(netdev *nd, const uint8_t *frame, size_t len)
{
    if (!netdev_can_deliver(nd, len) || !nd->nic->receive(nd->nic_opaque, frame, len))
        return false;
    nd->rx_frames++;
    return true;
}

__attribute__((weak)) void netdev_rx_ready(netdev *nd)
{
    if (nd->ops->rx_ready)
        nd->ops->rx_ready(nd);
}

__attribute__((weak)) void netdev_close_all(void)
{
    while (sl_netdevs) {
        netdev *nd = sl_netdevs;
        sl_netdevs = nd->next;
        if (nd->ops->cleanup)
            nd->ops->cleanup(nd);
        free(nd->id);
        free(nd);
    }
}

#ifdef CONFIG_SLIRP

/* ---- the fake NIC ---- */

#define MAXF 64
static uint8_t *frames[MAXF];
static size_t flen[MAXF];
static int nframes;
static bool nic_accepts = true;
static int refused;

static bool nic_can_receive(void *opaque, size_t len)
{
    if (!nic_accepts)
        refused++;
    return nic_accepts && nframes < MAXF;
}

static bool nic_receive(void *opaque, const uint8_t *f, size_t len)
{
    if (!nic_accepts || nframes == MAXF)
        return false;
    frames[nframes] = malloc(len);
    memcpy(frames[nframes], f, len);
    flen[nframes++] = len;
    main_loop_request_exit(0);
    return true;
}

static const net_nic_ops fake_nic = { .can_receive = nic_can_receive, .receive = nic_receive };

static void clear_frames(void)
{
    for (int i = 0; i < nframes; i++)
        free(frames[i]);
    nframes = 0;
}

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* ---- driving the main loop ---- */

static void deadline_cb(void *opaque)
{
    *(bool *)opaque = true;
    main_loop_request_exit(0);
}

typedef bool (*match_fn)(const uint8_t *f, size_t len);

/* The index of the first frame received that matches, running the loop for at most ms. */
static int wait_frame(match_fn m, unsigned ms)
{
    bool expired = false;
    qtimer *t = qtimer_new_host(deadline_cb, &expired);
    qtimer_mod(t, host_clock_ns() + (uint64_t)ms * 1000000ull);
    int found = -1;
    for (;;) {
        for (int i = 0; i < nframes && found < 0; i++)
            if (m(frames[i], flen[i]))
                found = i;
        if (found >= 0 || expired)
            break;
        main_loop_run();
        main_loop_clear_exit();
    }
    qtimer_free(t);
    return found;
}

/* ---- frames ---- */

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t build_dhcp_discover(uint8_t *f)
{
    memset(f, 0, 14 + 20 + 8 + 300);
    memset(f, 0xff, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8;
    size_t bplen = 300;
    ip[0] = 0x45;
    uint16_t tot = (uint16_t)(20 + 8 + bplen);
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);           /* 0.0.0.0 -> 255.255.255.255 */
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (uint8_t)((8 + bplen) >> 8);
    udp[5] = (uint8_t)(8 + bplen);      /* checksum 0: none */
    bp[0] = 1;                          /* BOOTREQUEST */
    bp[1] = 1;
    bp[2] = 6;
    bp[4] = 0x12; bp[5] = 0x34; bp[6] = 0x56; bp[7] = 0x78;    /* xid */
    memcpy(bp + 28, guest_mac, 6);
    uint8_t *o = bp + 236;
    *o++ = 99; *o++ = 130; *o++ = 83; *o++ = 99;               /* magic cookie */
    *o++ = 53; *o++ = 1; *o++ = 1;                              /* DHCPDISCOVER */
    *o++ = 255;
    return 14 + 20 + 8 + bplen;
}

static bool is_dhcp_offer(const uint8_t *f, size_t len)
{
    if (len < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0x00)
        return false;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    const uint8_t *udp = ip + ihl, *bp = udp + 8;
    if (ip[9] != 17 || udp[1] != 67 || udp[3] != 68 || bp[0] != 2)
        return false;
    if (memcmp(bp + 4, "\x12\x34\x56\x78", 4) || memcmp(bp + 16, "\x0a\x00\x02\x0f", 4))
        return false;
    for (const uint8_t *o = bp + 240; o + 2 < f + len && *o != 255; o += o[0] ? 2 + o[1] : 1)
        if (o[0] == 53)
            return o[2] == 2;          /* DHCPOFFER */
    return false;
}

static size_t build_arp_request(uint8_t *f, const char *target)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1;           /* Ethernet */
    a[2] = 0x08;        /* IPv4 */
    a[4] = 6;
    a[5] = 4;
    a[7] = 1;           /* request */
    memcpy(a + 8, guest_mac, 6);
    inet_pton(AF_INET, "10.0.2.15", a + 14);
    inet_pton(AF_INET, target, a + 24);
    return 60;
}

static bool is_arp_reply_host(const uint8_t *f, size_t len)
{
    return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[14 + 7] == 2 &&
           !memcmp(f + 14 + 14, "\x0a\x00\x02\x02", 4) && !memcmp(f, guest_mac, 6);
}

static int syn_port;

static bool is_syn_to_guest(const uint8_t *f, size_t len)
{
    if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00)
        return false;
    const uint8_t *ip = f + 14;
    const uint8_t *tcp = ip + (size_t)(ip[0] & 15) * 4;
    return ip[9] == 6 && !memcmp(ip + 16, "\x0a\x00\x02\x0f", 4) &&
           (tcp[2] << 8 | tcp[3]) == syn_port && (tcp[13] & 0x12) == 0x02;
}

/* Run the loop until pred() holds, looking every few ms, for at most ms. */
static void tick_cb(void *opaque)
{
    main_loop_request_exit(0);
}

static bool run_until(bool (*pred)(void), unsigned ms)
{
    qtimer *t = qtimer_new_host(tick_cb, NULL);
    uint64_t end = host_clock_ns() + (uint64_t)ms * 1000000ull;
    bool ok;
    while (!(ok = pred()) && host_clock_ns() < end) {
        qtimer_mod(t, host_clock_ns() + 5000000ull);
        main_loop_run();
        main_loop_clear_exit();
    }
    qtimer_free(t);
    return ok;
}

/* A TCP segment from the guest (10.0.2.15:sport) to dst:dport. */
static size_t build_tcp(uint8_t *f, const char *dst, int sport, int dport, uint32_t seq, uint32_t ack,
                        uint8_t flags, const void *data, size_t dlen)
{
    static const uint8_t slirp_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
    size_t tl = 20 + dlen;
    memset(f, 0, 14 + 20 + tl);
    memcpy(f, slirp_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14, *tcp = ip + 20;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + tl) >> 8);
    ip[3] = (uint8_t)(20 + tl);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    inet_pton(AF_INET, "10.0.2.15", ip + 12);
    inet_pton(AF_INET, dst, ip + 16);
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    tcp[0] = (uint8_t)(sport >> 8);
    tcp[1] = (uint8_t)sport;
    tcp[2] = (uint8_t)(dport >> 8);
    tcp[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff;
    tcp[15] = 0xff;
    if (dlen)
        memcpy(tcp + 20, data, dlen);
    /* checksum over the pseudo header and the segment */
    uint8_t ph[12 + 20 + 1500];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 6;
    ph[10] = (uint8_t)(tl >> 8);
    ph[11] = (uint8_t)tl;
    memcpy(ph + 12, tcp, tl);
    c = csum(ph, 12 + tl);
    tcp[16] = (uint8_t)(c >> 8);
    tcp[17] = (uint8_t)c;
    return 14 + 20 + tl;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int guest_sport = 40000;

static const uint8_t *tcp_of(const uint8_t *f, size_t len, size_t *dlen)
{
    if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6)
        return NULL;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = (size_t)(ip[2] << 8 | ip[3]);
    const uint8_t *tcp = ip + ihl;
    if (memcmp(ip + 12, "\x0a\x00\x02\x64", 4) || (tcp[2] << 8 | tcp[3]) != guest_sport)
        return NULL;
    *dlen = tot - ihl - (size_t)(tcp[12] >> 4) * 4;
    return tcp;
}

static bool is_synack_from_fwd(const uint8_t *f, size_t len)
{
    size_t d;
    const uint8_t *tcp = tcp_of(f, len, &d);
    return tcp && (tcp[13] & 0x12) == 0x12;
}

static bool is_world_from_fwd(const uint8_t *f, size_t len)
{
    size_t d;
    const uint8_t *tcp = tcp_of(f, len, &d);
    return tcp && d == 5 && !memcmp(tcp + (tcp[12] >> 4) * 4, "world", 5);
}

static bool is_fin_from_fwd(const uint8_t *f, size_t len)
{
    size_t d;
    const uint8_t *tcp = tcp_of(f, len, &d);
    return tcp && (tcp[13] & 0x01);
}

static int fwd_listener = -1, fwd_conn = -1;
static char fwd_got[16];
static size_t fwd_ngot;

static bool fwd_accepted(void)
{
    if (fwd_conn < 0)
        fwd_conn = accept4(fwd_listener, NULL, NULL, SOCK_NONBLOCK);
    return fwd_conn >= 0;
}

static bool fwd_hello(void)
{
    if (!fwd_accepted())
        return false;
    ssize_t n = recv(fwd_conn, fwd_got + fwd_ngot, sizeof(fwd_got) - 1 - fwd_ngot, 0);
    if (n > 0)
        fwd_ngot += (size_t)n;
    return fwd_ngot >= 5;
}

/* guestfwd: the guest's connection to 10.0.2.100:1234 reaches a server on 127.0.0.1 */
static void test_guestfwd(netdev *nd)
{
    uint8_t f[1514];
    size_t n = build_tcp(f, "10.0.2.100", 40000, 1234, 1000, 0, 0x02, NULL, 0);
    netdev_send(nd, f, n);
    int i = wait_frame(is_synack_from_fwd, 3000);
    CHECK(i >= 0);
    if (i < 0)
        return;
    size_t d;
    uint32_t s = be32(tcp_of(frames[i], flen[i], &d) + 4);
    clear_frames();
    n = build_tcp(f, "10.0.2.100", 40000, 1234, 1001, s + 1, 0x10, NULL, 0);
    netdev_send(nd, f, n);
    n = build_tcp(f, "10.0.2.100", 40000, 1234, 1001, s + 1, 0x18, "hello", 5);
    netdev_send(nd, f, n);
    CHECK(run_until(fwd_hello, 3000));
    CHECK(fwd_ngot == 5 && !memcmp(fwd_got, "hello", 5));
    if (fwd_conn < 0)
        return;
    CHECK(send(fwd_conn, "world", 5, 0) == 5);
    CHECK(wait_frame(is_world_from_fwd, 3000) >= 0);
    clear_frames();
    /* the host server closes: the guest gets a FIN */
    close(fwd_conn);
    fwd_conn = -1;
    CHECK(wait_frame(is_fin_from_fwd, 3000) >= 0);
    clear_frames();

    /* the guest resets it and connects again: a new host connection */
    n = build_tcp(f, "10.0.2.100", 40000, 1234, 1006, s + 6, 0x14, NULL, 0);
    netdev_send(nd, f, n);
    guest_sport = 40001;
    n = build_tcp(f, "10.0.2.100", 40001, 1234, 5000, 0, 0x02, NULL, 0);
    netdev_send(nd, f, n);
    i = wait_frame(is_synack_from_fwd, 3000);
    CHECK(i >= 0);
    if (i < 0)
        return;
    s = be32(tcp_of(frames[i], flen[i], &d) + 4);
    clear_frames();
    n = build_tcp(f, "10.0.2.100", 40001, 1234, 5001, s + 1, 0x10, NULL, 0);
    netdev_send(nd, f, n);      /* libslirp connects the forward on the handshake's ACK */
    CHECK(run_until(fwd_accepted, 3000));
    if (fwd_conn >= 0)
        close(fwd_conn);
}

/* A port on 127.0.0.1 nobody listens on (bound and closed at once). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static bool open_user(const char *id, const char *text, char *err, size_t errsize)
{
    opt_list o = { 0 };
    if (!opts_parse(&o, text, NULL, err, errsize))
        return false;
    bool ok = net_slirp_open(id, &o, err, errsize);
    opts_free(&o);
    return ok;
}

static void expect_error(const char *text, const char *want)
{
    char err[256] = "";
    bool ok = open_user("bad", text, err, sizeof(err));
    CHECK(!ok);
    if (!ok && !strstr(err, want)) {
        printf("FAIL: '%s' said '%s', expected '%s'\n", text, err, want);
        failures++;
    }
    CHECK(!netdev_find("bad"));
}

static void test_errors(void)
{
    expect_error("net=10.0.2.x", "Failed to parse netmask");
    expect_error("net=10.0.2.0/40", "Invalid netmask provided");
    expect_error("net=10.0.3.0/24,host=10.0.2.2", "Host doesn't belong to network");
    expect_error("dhcpstart=10.0.2.2", "DHCP must be different from host and DNS");
    expect_error("restrict=maybe", "restrict");
    expect_error("bogus=1", "Invalid parameter 'bogus'");
    expect_error("tftp=/nonexistent-tftp-dir", "tftp=/nonexistent-tftp-dir: No such file or directory");
    expect_error("tftp=/dev/null", "not a directory");
    expect_error("smb=/tmp", "smb");
    expect_error("hostfwd=tcp:127.0.0.1:80", "Invalid host forwarding rule 'tcp:127.0.0.1:80'");
    expect_error("hostfwd=sctp::80-:80", "Invalid host forwarding rule 'sctp::80-:80'");
    expect_error("hostfwd=tcp:127.0.0.1:70000-:80", "Invalid host forwarding rule");
    expect_error("hostfwd=tcp:127.0.0.1:8080-:0", "Invalid host forwarding rule");
    expect_error("guestfwd=tcp:10.0.2.100:80-cmd:cat", "cmd:");
    expect_error("guestfwd=udp:10.0.2.100:80-127.0.0.1:1", "Invalid guest forwarding rule");

    /* a host port in use: one line, QEMU's words */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof(a);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 1) == 0 &&
          getsockname(l, (struct sockaddr *)&a, &al) == 0);
    char text[128], want[128];
    snprintf(text, sizeof(text), "restrict=on,hostfwd=tcp:127.0.0.1:%d-:80", ntohs(a.sin_port));
    snprintf(want, sizeof(want), "Could not set up host forwarding rule 'tcp:127.0.0.1:%d-:80'", ntohs(a.sin_port));
    expect_error(text, want);
    close(l);
}

static void test_stack(void)
{
    char err[256] = "", text[256];
    int p1 = free_port(), p2 = free_port();
    CHECK(p1 > 0 && p2 > 0 && p1 != p2);
    fwd_listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in la = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t lal = sizeof(la);
    CHECK(bind(fwd_listener, (struct sockaddr *)&la, sizeof(la)) == 0 && listen(fwd_listener, 4) == 0 &&
          getsockname(fwd_listener, (struct sockaddr *)&la, &lal) == 0);
    snprintf(text, sizeof(text), "restrict=on,hostfwd=tcp:127.0.0.1:%d-:22,hostfwd=udp:127.0.0.1:%d-:53,"
             "guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:%d", p1, p1, ntohs(la.sin_port));
    bool ok = open_user("u0", text, err, sizeof(err));
    if (!ok)
        printf("FAIL: open: %s\n", err);
    CHECK(ok);
    netdev *nd = netdev_find("u0");
    CHECK(nd);
    if (!nd)
        return;
    CHECK(!strcmp(nd->ops->type, "user"));
    char info[128];
    nd->ops->info(nd, info, sizeof(info));
    CHECK(!strcmp(info, "net=10.0.2.0,restrict=on"));
    CHECK(netdev_attach(nd, &fake_nic, NULL, "fake", err, sizeof(err)));

    /* DHCP */
    uint8_t f[1514];
    size_t n = build_dhcp_discover(f);
    netdev_send(nd, f, n);
    CHECK(wait_frame(is_dhcp_offer, 3000) >= 0);
    clear_frames();

    /* ARP for the host address */
    n = build_arp_request(f, "10.0.2.2");
    netdev_send(nd, f, n);
    CHECK(wait_frame(is_arp_reply_host, 3000) >= 0);
    clear_frames();

    /* backpressure: the NIC refuses, the reply is kept and comes with rx_ready */
    nic_accepts = false;
    refused = 0;
    netdev_send(nd, f, n);
    CHECK(refused > 0);
    CHECK(nframes == 0);
    nic_accepts = true;
    netdev_rx_ready(nd);
    CHECK(wait_frame(is_arp_reply_host, 1000) >= 0);
    clear_frames();

    /* hostfwd: a host connect to 127.0.0.1:p1 makes a SYN toward 10.0.2.15:22 */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)p1) };
    int rc = connect(c, (struct sockaddr *)&a, sizeof(a));
    CHECK(rc == 0 || errno == EINPROGRESS);
    syn_port = 22;
    CHECK(wait_frame(is_syn_to_guest, 3000) >= 0);
    clear_frames();
    close(c);

    test_guestfwd(nd);
    close(fwd_listener);

    /* the monitor */
    char rule[128];
    snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%d-10.0.2.15:8080", p2);
    CHECK(net_slirp_hostfwd_add(NULL, rule, err, sizeof(err)));
    snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%d-10.0.2.15:8080", p2);
    CHECK(!net_slirp_hostfwd_add("u0", rule, err, sizeof(err)));
    CHECK(strstr(err, "Could not set up host forwarding rule"));
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a.sin_port = htons((uint16_t)p2);
    rc = connect(c, (struct sockaddr *)&a, sizeof(a));
    CHECK(rc == 0 || errno == EINPROGRESS);
    syn_port = 8080;
    CHECK(wait_frame(is_syn_to_guest, 3000) >= 0);
    clear_frames();
    close(c);
    CHECK(!net_slirp_hostfwd_add("nosuch", rule, err, sizeof(err)));
    CHECK(!strcmp(err, "unrecognized netdev id 'nosuch'"));
    CHECK(!net_slirp_hostfwd_add("u0", "tcp:127.0.0.1:x-:1", err, sizeof(err)));
    CHECK(strstr(err, "Invalid host forwarding rule 'tcp:127.0.0.1:x-:1'"));
    snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%d", p2);
    CHECK(net_slirp_hostfwd_remove("u0", rule, err, sizeof(err)));
    CHECK(!net_slirp_hostfwd_remove("u0", rule, err, sizeof(err)));
    char want[256];
    snprintf(want, sizeof(want), "host forwarding rule for %s not found", rule);
    CHECK(!strcmp(err, want));
    snprintf(rule, sizeof(rule), "udp:127.0.0.1:%d", p1);
    CHECK(net_slirp_hostfwd_remove(NULL, rule, err, sizeof(err)));
    CHECK(!net_slirp_hostfwd_remove("u0", "tcp:127.0.0.1", err, sizeof(err)));
    CHECK(!strcmp(err, "invalid format"));

    /* a second user netdev with other addresses and options */
    CHECK(open_user("u1", "net=192.168.76.0/24,dhcpstart=192.168.76.9,hostname=g,domainname=example,restrict=y,ipv6=off",
                    err, sizeof(err)));
    netdev *nd1 = netdev_find("u1");
    CHECK(nd1);
    if (nd1) {
        nd1->ops->info(nd1, info, sizeof(info));
        CHECK(!strcmp(info, "net=192.168.76.0,restrict=on"));
    }
    /* net= without a prefix: QEMU's default masks (192.168/16, other class C /28) */
    static const char *const nets[][2] = {
        { "net=192.168.76.0", "net=192.168.0.0,restrict=off" },
        { "net=172.20.0.0", "net=172.16.0.0,restrict=off" },
        { "net=203.0.113.0", "net=203.0.113.0,restrict=off" },
        { "net=10.9.8.0", "net=10.0.0.0,restrict=off" },
        { "net=130.1.2.0", "net=130.1.0.0,restrict=off" },
    };
    for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
        char id[8];
        snprintf(id, sizeof(id), "m%zu", i);
        bool ok = open_user(id, nets[i][0], err, sizeof(err));
        CHECK(ok);
        netdev *m = netdev_find(id);
        if (ok && m) {
            m->ops->info(m, info, sizeof(info));
            if (strcmp(info, nets[i][1]))
                printf("FAIL: %s gives %s, not %s\n", nets[i][0], info, nets[i][1]);
            CHECK(!strcmp(info, nets[i][1]));
        }
    }
    netdev_close_all();
}

int main(void)
{
    test_errors();
    test_stack();
    if (failures) {
        printf("test_slirp: %d failures\n", failures);
        return 1;
    }
    printf("test_slirp: ok\n");
    return 0;
}

#else

int main(void)
{
    opt_list o = { 0 };
    char err[128];
    CHECK(!net_slirp_open("u0", &o, err, sizeof(err)));
    printf("test_slirp: built without libslirp: %s\n", failures ? "FAIL" : "ok");
    return failures != 0;
}

#endif
