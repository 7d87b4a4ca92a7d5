/*
 * Unit tests of the network core (net/): the netdev registry and its errors, -netdev
 * option errors, the socket backend between two netdevs of this process over 127.0.0.1
 * (QEMU's length framing, a frame larger than one read), backpressure from a NIC that
 * refuses and then takes frames (nothing lost, order kept), link down, filter-dump's
 * pcap bytes, and tap's error when the tun device is unusable.
 */
#include "net/net.h"
#include "net/net_internal.h"
#include "core/main_loop.h"
#include "core/clock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

/* ---- a fake NIC ---- */

#define MAX_RX 64
typedef struct fake_nic {
    int credits;                /* frames it will take; -1: any number */
    int nrx;
    size_t len[MAX_RX];
    uint8_t *frame[MAX_RX];
    int link_changes;
    bool up;
} fake_nic;

static bool nic_can_receive(void *opaque, size_t len)
{
    (void)len;
    fake_nic *n = opaque;
    return n->credits != 0 && n->nrx < MAX_RX;
}

static bool nic_receive(void *opaque, const uint8_t *frame, size_t len)
{
    fake_nic *n = opaque;
    if (!nic_can_receive(n, len))
        return false;
    n->frame[n->nrx] = malloc(len ? len : 1);
    memcpy(n->frame[n->nrx], frame, len);
    n->len[n->nrx++] = len;
    if (n->credits > 0)
        n->credits--;
    return true;
}

static void nic_link(void *opaque, bool up)
{
    fake_nic *n = opaque;
    n->link_changes++;
    n->up = up;
}

static const net_nic_ops fake_nic_ops = { nic_can_receive, nic_receive, nic_link, NULL };

static void nic_reset(fake_nic *n)
{
    for (int i = 0; i < n->nrx; i++)
        free(n->frame[i]);
    n->nrx = 0;
}

/* ---- a fake backend ---- */

typedef struct fake_be {
    int nsent;
    size_t last_len;
    int rx_ready_calls;
} fake_be;

static void be_send(netdev *nd, const uint8_t *frame, size_t len)
{
    (void)frame;
    fake_be *b = nd->opaque;
    b->nsent++;
    b->last_len = len;
}

static void be_rx_ready(netdev *nd)
{
    fake_be *b = nd->opaque;
    b->rx_ready_calls++;
}

static void be_info(netdev *nd, char *buf, size_t len)
{
    (void)nd;
    snprintf(buf, len, "fake=yes");
}

static const netdev_ops fake_ops = { .type = "fake", .send = be_send, .rx_ready = be_rx_ready, .info = be_info };

/* ---- helpers ---- */

static void stop_loop(void *opaque)
{
    (void)opaque;
    main_loop_request_exit(0);
}

/* Run the main loop in 5 ms slices until done(arg) or about 3 s have passed. */
static bool run_until(bool (*done)(void *), void *arg)
{
    qtimer *t = qtimer_new_host(stop_loop, NULL);
    bool ok = false;
    for (int i = 0; i < 600 && !(ok = done(arg)); i++) {
        qtimer_mod(t, host_clock_ns() + 5000000);
        main_loop_run();
        main_loop_clear_exit();
    }
    qtimer_free(t);
    return ok;
}

static bool never(void *arg)
{
    (void)arg;
    return false;
}

static void run_a_little(void)
{
    /* a few slices, to see that nothing arrives that should not */
    qtimer *t = qtimer_new_host(stop_loop, NULL);
    for (int i = 0; i < 4 && !never(NULL); i++) {
        qtimer_mod(t, host_clock_ns() + 5000000);
        main_loop_run();
        main_loop_clear_exit();
    }
    qtimer_free(t);
}

typedef struct want { fake_nic *nic; int n; } want;

static bool got_frames(void *arg)
{
    want *w = arg;
    return w->nic->nrx >= w->n;
}

static bool is_connected(void *arg)
{
    netdev *nd = arg;
    char buf[256] = "";
    nd->ops->info(nd, buf, sizeof(buf));
    return strstr(buf, "connection from") != NULL;
}

static bool err_has(bool ok, const char *err, const char *want)
{
    if (ok) {
        printf("  (expected an error about '%s')\n", want);
        return false;
    }
    if (!strstr(err, want)) {
        printf("  (error '%s' does not mention '%s')\n", err, want);
        return false;
    }
    return true;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static char info_text[4096];
static void info_out(void *opaque, const char *text)
{
    (void)opaque;
    strncat(info_text, text, sizeof(info_text) - strlen(info_text) - 1);
}

/* ---- tests ---- */

static void test_registry(void)
{
    char err[256];
    fake_be be = { 0 };
    netdev *nd = netdev_new("r0", &fake_ops, &be, err, sizeof(err));
    CHECK(nd && netdev_find("r0") == nd && netdev_first() == nd);
    CHECK(!netdev_find("r1"));
    CHECK(err_has(netdev_new("r0", &fake_ops, &be, err, sizeof(err)) != NULL, err, "r0"));

    /* nothing attached: frames to the guest are dropped (counted), not kept */
    uint8_t f[60];
    fill(f, sizeof(f), 1);
    CHECK(!netdev_can_deliver(nd, sizeof(f)));
    CHECK(netdev_deliver(nd, f, sizeof(f)) && nd->rx_dropped == 1 && nd->rx_frames == 0);

    fake_nic nic = { .credits = -1 };
    CHECK(netdev_attach(nd, &fake_nic_ops, &nic, "virtio-net-pci", err, sizeof(err)));
    CHECK(be.rx_ready_calls == 1);
    fake_nic other = { .credits = -1 };
    CHECK(err_has(netdev_attach(nd, &fake_nic_ops, &other, "virtio-net-pci", err, sizeof(err)), err, "r0"));

    netdev_send(nd, f, sizeof(f));
    CHECK(be.nsent == 1 && be.last_len == sizeof(f) && nd->tx_frames == 1);
    CHECK(netdev_can_deliver(nd, sizeof(f)));
    CHECK(netdev_deliver(nd, f, sizeof(f)) && nic.nrx == 1 && nd->rx_frames == 1);
    CHECK(nic.len[0] == sizeof(f) && !memcmp(nic.frame[0], f, sizeof(f)));

    /* link down: both ways dropped and counted, the NIC hears of it */
    netdev_set_link(nd, false);
    CHECK(nic.link_changes == 1 && !nic.up);
    CHECK(!netdev_can_deliver(nd, sizeof(f)));
    CHECK(netdev_deliver(nd, f, sizeof(f)) && nic.nrx == 1 && nd->rx_dropped == 2);
    netdev_send(nd, f, sizeof(f));
    CHECK(be.nsent == 1 && nd->tx_dropped == 1);
    int ready = be.rx_ready_calls;
    netdev_set_link(nd, true);
    CHECK(nic.link_changes == 2 && nic.up && be.rx_ready_calls == ready + 1);

    /* a NIC that refuses: false, the frame is the backend's to keep */
    nic.credits = 0;
    CHECK(!netdev_can_deliver(nd, sizeof(f)));
    CHECK(!netdev_deliver(nd, f, sizeof(f)) && nd->rx_dropped == 2);
    nic.credits = -1;

    info_text[0] = 0;
    net_info(info_out, NULL);
    CHECK(strstr(info_text, "virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci\n") != NULL);
    CHECK(strstr(info_text, " \\ r0: index=0,type=fake,fake=yes\n") != NULL);
    nic_reset(&nic);
    netdev_close_all();
    CHECK(!netdev_first());
}

static void test_option_errors(void)
{
    char err[256];
    CHECK(err_has(netdev_create("bogus,id=x", err, sizeof(err)), err, "bogus"));
    CHECK(err_has(netdev_create("socket,listen=127.0.0.1:0", err, sizeof(err)), err, "id="));
    CHECK(err_has(netdev_create("socket,id=1x,listen=127.0.0.1:0", err, sizeof(err)), err, "1x"));
    CHECK(err_has(netdev_create("socket,id=s", err, sizeof(err)), err, "listen="));
    CHECK(err_has(netdev_create("socket,id=s,listen=127.0.0.1:0,connect=127.0.0.1:1", err, sizeof(err)), err, "exactly one"));
    CHECK(err_has(netdev_create("socket,id=s,listen=127.0.0.1:0,frobnicate=3", err, sizeof(err)), err, "'frobnicate'"));
    CHECK(!netdev_find("s"));   /* opened, then closed again for the bad option */
    CHECK(err_has(netdev_create("socket,id=s,listen=127.0.0.1:99999", err, sizeof(err)), err, "99999"));
    {
        /* connect=:PORT: an empty host is this machine, as QEMU takes it */
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t al = sizeof(a);
        CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 1) == 0 &&
              getsockname(l, (struct sockaddr *)&a, &al) == 0);
        char opt[64];
        snprintf(opt, sizeof(opt), "socket,id=sc,connect=:%d", ntohs(a.sin_port));
        bool ok = netdev_create(opt, err, sizeof(err));
        if (!ok)
            printf("FAIL: %s: %s\n", opt, err);
        CHECK(ok);
        close(l);
    }
    CHECK(err_has(netdev_create("socket,id=s,udp=127.0.0.1:5", err, sizeof(err)), err, "localaddr"));
    CHECK(err_has(netdev_create("socket,id=s,mcast=127.0.0.1:5", err, sizeof(err)), err, "multicast"));
    CHECK(err_has(netdev_create("stream,id=s,server=on", err, sizeof(err)), err, "addr.type"));
    CHECK(err_has(netdev_create("stream,id=s,server=maybe,addr.type=inet,addr.host=127.0.0.1,addr.port=0", err, sizeof(err)), err, "server"));
    CHECK(err_has(netdev_create("stream,id=s,addr.type=vsock", err, sizeof(err)), err, "vsock"));

    /* a port in use: one line naming it */
    int port = free_port();
    char opt[128];
    snprintf(opt, sizeof(opt), "socket,id=l1,listen=127.0.0.1:%d", port);
    CHECK(netdev_create(opt, err, sizeof(err)));
    snprintf(opt, sizeof(opt), "socket,id=l2,listen=127.0.0.1:%d", port);
    char want[32];
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    CHECK(err_has(netdev_create(opt, err, sizeof(err)), err, want));
    CHECK(err_has(netdev_create("socket,id=l1,listen=127.0.0.1:0", err, sizeof(err)), err, "exists already"));
    CHECK(!strchr(err, '\n'));
    /* nobody listening */
    int closed = free_port();
    snprintf(opt, sizeof(opt), "socket,id=c1,connect=127.0.0.1:%d", closed);
    CHECK(err_has(netdev_create(opt, err, sizeof(err)), err, "cannot connect"));
    netdev_close_all();
}

static void test_socket_pair(const char *kind)
{
    char err[256], opt[256];
    int port = free_port();
    CHECK(port > 0);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/tern-test-net-%d.sock", (int)getpid());
    if (!strcmp(kind, "socket"))
        snprintf(opt, sizeof(opt), "socket,id=srv,listen=127.0.0.1:%d", port);
    else if (!strcmp(kind, "unix"))
        snprintf(opt, sizeof(opt), "stream,id=srv,server=on,addr.type=unix,addr.path=%s", path);
    else
        snprintf(opt, sizeof(opt), "stream,id=srv,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=%d", port);
    CHECK(netdev_create(opt, err, sizeof(err)));
    if (!strcmp(kind, "socket"))
        snprintf(opt, sizeof(opt), "socket,id=cli,connect=127.0.0.1:%d", port);
    else if (!strcmp(kind, "unix"))
        snprintf(opt, sizeof(opt), "stream,id=cli,server=off,addr.type=unix,addr.path=%s", path);
    else
        snprintf(opt, sizeof(opt), "stream,id=cli,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=%d", port);
    CHECK(netdev_create(opt, err, sizeof(err)));
    netdev *srv = netdev_find("srv"), *cli = netdev_find("cli");
    if (!srv || !cli) {
        printf("  (%s: %s)\n", kind, err);
        netdev_close_all();
        return;
    }
    fake_nic sn = { .credits = -1 }, cn = { .credits = -1 };
    CHECK(netdev_attach(srv, &fake_nic_ops, &sn, "virtio-net-pci", err, sizeof(err)));
    CHECK(netdev_attach(cli, &fake_nic_ops, &cn, "virtio-net-pci", err, sizeof(err)));
    CHECK(run_until(is_connected, srv));

    /* both ways, one frame bigger than the socket's read size */
    static uint8_t big[60000], small[64], tiny[14];
    fill(big, sizeof(big), 2);
    fill(small, sizeof(small), 3);
    fill(tiny, sizeof(tiny), 4);
    netdev_send(cli, small, sizeof(small));
    netdev_send(cli, big, sizeof(big));
    netdev_send(cli, tiny, sizeof(tiny));
    netdev_send(srv, big, sizeof(big));
    want w = { &sn, 3 };
    CHECK(run_until(got_frames, &w));
    want w2 = { &cn, 1 };
    CHECK(run_until(got_frames, &w2));
    CHECK(sn.nrx == 3 && cn.nrx == 1);
    if (sn.nrx == 3) {
        CHECK(sn.len[0] == sizeof(small) && !memcmp(sn.frame[0], small, sizeof(small)));
        CHECK(sn.len[1] == sizeof(big) && !memcmp(sn.frame[1], big, sizeof(big)));
        CHECK(sn.len[2] == sizeof(tiny) && !memcmp(sn.frame[2], tiny, sizeof(tiny)));
    }
    if (cn.nrx == 1)
        CHECK(cn.len[0] == sizeof(big) && !memcmp(cn.frame[0], big, sizeof(big)));
    CHECK(cli->tx_frames == 3 && cli->tx_dropped == 0 && srv->rx_frames == 3);

    /* backpressure: the server's NIC takes nothing; frames wait, none lost */
    nic_reset(&sn);
    sn.credits = 0;
    for (unsigned i = 0; i < 20; i++) {
        uint8_t f[100 + 20 * 50];
        fill(f, 100 + i * 50, 10 + i);
        netdev_send(cli, f, 100 + i * 50);
    }
    run_a_little();
    CHECK(sn.nrx == 0);
    /* two buffers posted: two frames (what was kept, then more read), no more until
     * the next rx_ready */
    sn.credits = 2;
    netdev_rx_ready(srv);
    CHECK(sn.nrx >= 1);
    want w2b = { &sn, 2 };
    CHECK(run_until(got_frames, &w2b));
    run_a_little();
    CHECK(sn.nrx == 2);
    sn.credits = -1;
    netdev_rx_ready(srv);
    want w3 = { &sn, 20 };
    CHECK(run_until(got_frames, &w3));
    CHECK(sn.nrx == 20);
    for (int i = 0; i < sn.nrx && i < 20; i++) {
        uint8_t f[100 + 20 * 50];
        fill(f, 100 + (size_t)i * 50, 10 + (unsigned)i);
        CHECK(sn.len[i] == 100 + (size_t)i * 50 && !memcmp(sn.frame[i], f, sn.len[i]));
    }

    info_text[0] = 0;
    net_info(info_out, NULL);
    CHECK(strstr(info_text, " \\ srv: index=0,type=") != NULL);
    CHECK(strstr(info_text, strcmp(kind, "unix") ? "connection from 127.0.0.1:" : "connection from /tmp/") != NULL);
    nic_reset(&sn);
    nic_reset(&cn);
    netdev_close_all();
    unlink(path);
}

/* The server side's peer goes away: nothing for the guest, the next peer is taken. */
static void test_socket_reconnect(void)
{
    char err[256], opt[128];
    int port = free_port();
    snprintf(opt, sizeof(opt), "socket,id=srv,listen=127.0.0.1:%d", port);
    CHECK(netdev_create(opt, err, sizeof(err)));
    netdev *srv = netdev_find("srv");
    if (!srv)
        return;
    fake_nic sn = { .credits = -1 };
    CHECK(netdev_attach(srv, &fake_nic_ops, &sn, "virtio-net-pci", err, sizeof(err)));
    for (int round = 0; round < 2; round++) {
        /* a raw peer writing QEMU's framing: a half frame, then the rest */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
        CHECK(run_until(is_connected, srv));
        uint8_t buf[4 + 42];
        buf[0] = 0, buf[1] = 0, buf[2] = 0, buf[3] = 42;
        fill(buf + 4, 42, 50 + (unsigned)round);
        CHECK(write(fd, buf, 10) == 10);
        run_a_little();
        CHECK(sn.nrx == round);
        CHECK(write(fd, buf + 10, sizeof(buf) - 10) == (ssize_t)sizeof(buf) - 10);
        want w = { &sn, round + 1 };
        CHECK(run_until(got_frames, &w));
        CHECK(sn.nrx == round + 1 && sn.len[round] == 42 && !memcmp(sn.frame[round], buf + 4, 42));
        close(fd);
        /* frames to a gone peer: dropped, no error */
        run_a_little();
        netdev_send(srv, buf + 4, 42);
        CHECK(!srv->link_down);
    }
    nic_reset(&sn);
    netdev_close_all();
}

/* Datagrams: socket udp= and dgram, one frame per datagram, a refused one kept. */
static void test_dgram(void)
{
    char err[256], opt[512];
    int pa = free_port(), pb = free_port();
    snprintf(opt, sizeof(opt), "socket,id=ua,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d", pb, pa);
    CHECK(netdev_create(opt, err, sizeof(err)));
    snprintf(opt, sizeof(opt), "dgram,id=ub,remote.type=inet,remote.host=127.0.0.1,remote.port=%d,"
             "local.type=inet,local.host=127.0.0.1,local.port=%d", pa, pb);
    CHECK(netdev_create(opt, err, sizeof(err)));
    CHECK(err_has(netdev_create("dgram,id=uc,remote.type=inet,remote.host=127.0.0.1,remote.port=9", err, sizeof(err)),
                  err, "local"));
    netdev *a = netdev_find("ua"), *b = netdev_find("ub");
    if (!a || !b) {
        printf("  (dgram: %s)\n", err);
        netdev_close_all();
        return;
    }
    fake_nic an = { .credits = -1 }, bn = { .credits = 0 };
    CHECK(netdev_attach(a, &fake_nic_ops, &an, "virtio-net-pci", err, sizeof(err)));
    CHECK(netdev_attach(b, &fake_nic_ops, &bn, "virtio-net-pci", err, sizeof(err)));
    uint8_t f[3][300];
    for (int i = 0; i < 3; i++) {
        fill(f[i], 100 + (size_t)i * 100, 30 + (unsigned)i);
        netdev_send(a, f[i], 100 + (size_t)i * 100);
    }
    run_a_little();
    CHECK(bn.nrx == 0);
    bn.credits = -1;
    netdev_rx_ready(b);
    want w = { &bn, 3 };
    CHECK(run_until(got_frames, &w));
    for (int i = 0; i < bn.nrx && i < 3; i++)
        CHECK(bn.len[i] == 100 + (size_t)i * 100 && !memcmp(bn.frame[i], f[i], bn.len[i]));
    netdev_send(b, f[0], 100);
    want w2 = { &an, 1 };
    CHECK(run_until(got_frames, &w2));
    CHECK(an.nrx == 1 && an.len[0] == 100 && !memcmp(an.frame[0], f[0], 100));
    nic_reset(&an);
    nic_reset(&bn);
    netdev_close_all();
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void test_pcap(void)
{
    char err[256];
    char path[] = "/tmp/tern-test-net-XXXXXX";
    int tfd = mkstemp(path);
    CHECK(tfd >= 0);
    close(tfd);
    char opt[256];
    snprintf(opt, sizeof(opt), "filter-dump,id=f0,netdev=d0,file=%s", path);
    CHECK(err_has(net_filter_dump_create(opt, err, sizeof(err)), err, "d0"));

    fake_be be = { 0 };
    netdev *nd = netdev_new("d0", &fake_ops, &be, err, sizeof(err));
    fake_nic nic = { .credits = -1 };
    CHECK(netdev_attach(nd, &fake_nic_ops, &nic, "virtio-net-pci", err, sizeof(err)));
    CHECK(net_filter_dump_create(opt, err, sizeof(err)));
    CHECK(err_has(net_filter_dump_create(opt, err, sizeof(err)), err, "f0"));
    CHECK(err_has(net_filter_dump_create("filter-dump,id=f9,netdev=d0", err, sizeof(err)), err, "file="));
    CHECK(err_has(net_filter_dump_create("filter-dump,id=f9,netdev=d0,file=/tmp/x,colour=red", err, sizeof(err)), err, "colour"));

    uint8_t a[60], b[1514];
    fill(a, sizeof(a), 7);
    fill(b, sizeof(b), 8);
    netdev_send(nd, a, sizeof(a));
    CHECK(netdev_deliver(nd, b, sizeof(b)));
    /* a refused frame is not dumped (it will be offered again) */
    nic.credits = 0;
    CHECK(!netdev_deliver(nd, b, sizeof(b)));

    FILE *f = fopen(path, "rb");
    static uint8_t buf[4096];
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f)
        fclose(f);
    CHECK(n == 24 + 16 + sizeof(a) + 16 + sizeof(b));
    if (n == 24 + 16 + sizeof(a) + 16 + sizeof(b)) {
        uint16_t maj, min;
        memcpy(&maj, buf + 4, 2);
        memcpy(&min, buf + 6, 2);
        CHECK(rd32(buf) == 0xa1b2c3d4 && maj == 2 && min == 4);
        CHECK(rd32(buf + 8) == 0 && rd32(buf + 12) == 0);
        CHECK(rd32(buf + 16) == 65536 && rd32(buf + 20) == 1);
        const uint8_t *r = buf + 24;
        CHECK(rd32(r + 4) < 1000000);
        CHECK(rd32(r + 8) == sizeof(a) && rd32(r + 12) == sizeof(a));
        CHECK(!memcmp(r + 16, a, sizeof(a)));
        const uint8_t *r2 = r + 16 + sizeof(a);
        CHECK(rd32(r2) >= rd32(r) && rd32(r2 + 4) < 1000000);
        CHECK(rd32(r2 + 8) == sizeof(b) && rd32(r2 + 12) == sizeof(b));
        CHECK(!memcmp(r2 + 16, b, sizeof(b)));
    }

    /* maxlen cuts frames, the original length stays; a second filter on the netdev */
    char path2[] = "/tmp/tern-test-net-XXXXXX";
    tfd = mkstemp(path2);
    close(tfd);
    snprintf(opt, sizeof(opt), "filter-dump,id=f1,netdev=d0,file=%s,maxlen=20", path2);
    CHECK(net_filter_dump_create(opt, err, sizeof(err)));
    nic.credits = -1;
    CHECK(netdev_deliver(nd, b, sizeof(b)));
    f = fopen(path2, "rb");
    n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f)
        fclose(f);
    CHECK(n == 24 + 16 + 20);
    if (n == 24 + 16 + 20) {
        CHECK(rd32(buf + 16) == 20);
        CHECK(rd32(buf + 24 + 8) == 20 && rd32(buf + 24 + 12) == sizeof(b));
        CHECK(!memcmp(buf + 40, b, 20));
    }
    info_text[0] = 0;
    net_info(info_out, NULL);
    CHECK(strstr(info_text, "  - f0: type=filter-dump,netdev=d0,queue=all,status=on,file=") != NULL);
    nic_reset(&nic);
    netdev_close_all();
    unlink(path);
    unlink(path2);
}

static void test_tap_errors(void)
{
    char err[256];
    CHECK(err_has(netdev_create("tap,id=t0,ifname=tern0,script=/etc/qemu-ifup", err, sizeof(err)), err, "no scripts"));
    CHECK(err_has(netdev_create("tap,id=t0,ifname=tern0,script=no,downscript=/x", err, sizeof(err)), err, "downscript"));
    CHECK(err_has(netdev_create("tap,id=t0,script=no,vnet_hdr=on", err, sizeof(err)), err, "vnet_hdr"));
    /* an unusable tun device (deterministic: a path that does not exist) */
    const char *saved = net_tap_dev;
    net_tap_dev = "/nonexistent/tern/tun";
    CHECK(err_has(netdev_create("tap,id=t0,ifname=tern0,script=no,downscript=no", err, sizeof(err)), err,
                  "cannot open /nonexistent/tern/tun"));
    CHECK(!strchr(err, '\n'));
    net_tap_dev = saved;
    CHECK(!netdev_find("t0"));
}

int main(void)
{
    test_registry();
    test_option_errors();
    test_socket_pair("socket");
    test_socket_pair("stream");
    test_socket_pair("unix");
    test_socket_reconnect();
    test_dgram();
    test_pcap();
    test_tap_errors();
    printf("%s: %d checks, %d failures\n", failures ? "FAIL" : "ok", checks, failures);
    return failures ? 1 : 0;
}
