/*
 * -netdev tap,id=ID,ifname=NAME,script=no,downscript=no: frames through a host tap
 * device (/dev/net/tun, IFF_TAP|IFF_NO_PI, no vnet header). tern runs no scripts: the
 * tap is set up beforehand (ip tuntap add ... user $USER) or by whoever owns the host.
 * One read or write is one frame; a frame the tap won't take now is dropped (counted),
 * a frame the NIC won't take is kept and the tap is not read until netdev_rx_ready.
 */
#include "net/net_internal.h"
#include "core/main_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if.h>
#include <linux/if_tun.h>
#endif

/* where the tun device is; a test may point it elsewhere */
const char *net_tap_dev = "/dev/net/tun";

typedef struct net_tap {
    netdev *nd;
    int fd;
    io_watch *watch;
    uint8_t *buf;
    size_t len;                 /* a frame kept for the NIC; 0: none */
    char ifname[32];
} net_tap;

static void tap_deliver(net_tap *t)
{
    if (t->len && netdev_deliver(t->nd, t->buf, t->len))
        t->len = 0;
    io_watch_set_events(t->watch, t->len ? 0 : POLLIN);
}

static void tap_io(void *opaque, short revents)
{
    net_tap *t = opaque;
    if (t->len || !(revents & (POLLIN | POLLERR | POLLHUP)))
        return;
    /* a few frames per wakeup, so one busy tap doesn't starve the rest */
    for (int i = 0; i < 64 && !t->len; i++) {
        ssize_t n = read(t->fd, t->buf, NET_MAX_FRAME);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                io_watch_set_events(t->watch, 0);   /* the tap is gone */
            return;
        }
        t->len = (size_t)n;
        tap_deliver(t);
    }
}

static void tap_send(netdev *nd, const uint8_t *frame, size_t len)
{
    net_tap *t = nd->opaque;
    if (write(t->fd, frame, len) != (ssize_t)len)
        nd->tx_dropped++;
}

static void tap_rx_ready(netdev *nd)
{
    net_tap *t = nd->opaque;
    tap_deliver(t);
}

static void tap_info(netdev *nd, char *buf, size_t len)
{
    net_tap *t = nd->opaque;
    snprintf(buf, len, "ifname=%s,script=no,downscript=no", t->ifname);
}

static void tap_cleanup(netdev *nd)
{
    net_tap *t = nd->opaque;
    if (!t)
        return;
    io_watch_remove(t->watch);
    close(t->fd);
    free(t->buf);
    free(t);
    nd->opaque = NULL;
}

static const netdev_ops tap_ops = {
    .type = "tap",
    .send = tap_send,
    .rx_ready = tap_rx_ready,
    .info = tap_info,
    .cleanup = tap_cleanup,
};

bool net_tap_open(const char *id, opt_list *l, char *err, size_t errsize)
{
    const char *ifname = opts_get(l, "ifname");
    const char *script = opts_get(l, "script"), *downscript = opts_get(l, "downscript");
    bool vnet_hdr;
    if (script && strcmp(script, "no")) {
        snprintf(err, errsize, "-netdev tap: script=%s: tern runs no scripts (set the tap up beforehand and give script=no)", script);
        return false;
    }
    if (downscript && strcmp(downscript, "no")) {
        snprintf(err, errsize, "-netdev tap: downscript=%s: tern runs no scripts (give downscript=no)", downscript);
        return false;
    }
    if (!opts_get_bool(l, "vnet_hdr", false, &vnet_hdr, err, errsize))
        return false;
    if (vnet_hdr) {
        snprintf(err, errsize, "-netdev tap: vnet_hdr=on is not supported by tern");
        return false;
    }
    if (opts_has(l, "fd") || opts_has(l, "fds") || opts_has(l, "helper") || opts_has(l, "br")) {
        snprintf(err, errsize, "-netdev tap: tern opens the tap itself (use ifname=, script=no, downscript=no)");
        return false;
    }
#ifndef __linux__
    (void)id;
    (void)ifname;
    snprintf(err, errsize, "-netdev tap: tap devices need Linux");
    return false;
#else
    if (ifname && strlen(ifname) >= IFNAMSIZ) {
        snprintf(err, errsize, "-netdev tap: ifname=%s is too long (at most %d characters)", ifname, IFNAMSIZ - 1);
        return false;
    }
    int fd = open(net_tap_dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsize, "-netdev tap: cannot open %s: %s%s", net_tap_dev, strerror(errno),
                 errno == ENOENT ? " (no tun driver on this host: modprobe tun)" :
                 errno == EACCES || errno == EPERM ? " (no permission)" : "");
        return false;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ifname)
        memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        snprintf(err, errsize, "-netdev tap: cannot use tap '%s': %s%s", ifname ? ifname : "(new)", strerror(e),
                 e == EPERM || e == EACCES ? " (create it with 'ip tuntap add dev NAME mode tap user $USER', or run with CAP_NET_ADMIN)" :
                 e == EBUSY ? " (another program has it open)" : "");
        close(fd);
        return false;
    }
    net_tap *t = calloc(1, sizeof(*t));
    uint8_t *buf = malloc(NET_MAX_FRAME);
    if (!t || !buf) {
        free(t);
        free(buf);
        close(fd);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    t->fd = fd;
    t->buf = buf;
    snprintf(t->ifname, sizeof(t->ifname), "%.*s", IFNAMSIZ - 1, ifr.ifr_name);
    netdev *nd = netdev_new(id, &tap_ops, t, err, errsize);
    if (!nd) {
        free(buf);
        free(t);
        close(fd);
        return false;
    }
    t->nd = nd;
    t->watch = io_watch_add(fd, POLLIN, tap_io, t);
    return true;
#endif
}
