/*
 * -netdev socket (listen=, connect=, mcast=, udp=) and QEMU 7.2's -netdev stream and
 * -netdev dgram: frames over a host socket, so that several tern (and QEMU) instances
 * on one host form a LAN.
 *
 * Stream sockets carry QEMU's framing: a 4-byte big-endian length, then the frame.
 * Datagram sockets carry one frame per datagram. Everything is nonblocking in the main
 * loop: output is queued up to OUT_MAX bytes and then dropped (counted), never waited
 * for; input stops (the watch loses POLLIN) while the NIC refuses a frame, which is kept
 * until netdev_rx_ready.
 */
#include "net/net_internal.h"
#include "core/main_loop.h"
#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define OUT_MAX (1u << 20)              /* queued output bytes before frames are dropped */
#define IN_CAP  (4 + NET_MAX_FRAME + 65536)

typedef struct net_socket {
    netdev *nd;
    bool dgram;                         /* one frame per datagram, no length */
    int listen_fd;
    io_watch *listen_watch;
    int fd;                             /* the connection (or the datagram socket); -1 */
    io_watch *watch;
    struct sockaddr_storage dst;        /* datagrams go here */
    socklen_t dstlen;
    uint8_t *in;                        /* received bytes not yet delivered */
    size_t inlen;
    bool stalled;                       /* the NIC refused the frame at in[0] */
    bool delivering;
    uint8_t *out;                       /* queued output */
    size_t outlen, outoff;
    char info[400];
    char where[128];                    /* the address, for info */
    bool unix_server;                   /* where is a socket file of ours: removed at exit */
    bool dead;                          /* broken: sock_io tears it down (see sock_fail) */
    qtimer *retry;                      /* re-arms the listener after accept ran out of fds */
} net_socket;

static void sock_update(net_socket *s)
{
    if (!s->watch || s->dead)
        return;
    short ev = 0;
    if (!s->stalled)
        ev |= POLLIN;
    if (s->outlen > s->outoff)
        ev |= POLLOUT;
    io_watch_set_events(s->watch, ev);
}

static void sock_disconnect(net_socket *s)
{
    if (s->fd < 0)
        return;
    io_watch_remove(s->watch);
    s->watch = NULL;
    close(s->fd);
    s->fd = -1;
    s->inlen = 0;
    s->stalled = false;
    s->dead = false;
    s->outlen = s->outoff = 0;
    /* a listener takes the next peer; a peer going away is nothing the guest sees */
    if (s->listen_watch) {
        io_watch_set_events(s->listen_watch, POLLIN);
        snprintf(s->info, sizeof(s->info), "socket: wait connection on %s", s->where);
    } else {
        snprintf(s->info, sizeof(s->info), "socket: disconnected from %s", s->where);
    }
}

/* The connection is broken (a send error, a length that is not QEMU's framing). The
 * send and rx_ready paths run on vCPU threads, which must not remove main-loop watches,
 * so this only marks it and wakes sock_io, which tears it down on the main thread. */
static void sock_fail(net_socket *s)
{
    s->dead = true;
    s->inlen = 0;
    s->stalled = false;
    s->outlen = s->outoff = 0;
    if (s->watch)
        io_watch_set_events(s->watch, POLLIN | POLLOUT);
}

/* Deliver the complete frames in s->in, in order, until one is refused. */
static void sock_deliver(net_socket *s)
{
    if (s->delivering)
        return;
    s->delivering = true;
    size_t off = 0;
    s->stalled = false;
    if (s->dgram) {
        if (s->inlen) {
            if (netdev_deliver(s->nd, s->in, s->inlen))
                s->inlen = 0;
            else
                s->stalled = true;
        }
    } else {
        while (s->inlen - off >= 4) {
            const uint8_t *p = s->in + off;
            uint32_t flen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            if (flen > NET_MAX_FRAME) {
                /* not QEMU's framing: the stream can't be resynchronized */
                s->nd->rx_dropped++;
                s->delivering = false;
                sock_fail(s);
                return;
            }
            if (s->inlen - off < 4 + (size_t)flen)
                break;
            if (!netdev_deliver(s->nd, p + 4, flen)) {
                s->stalled = true;
                break;
            }
            off += 4 + flen;
        }
        if (off) {
            memmove(s->in, s->in + off, s->inlen - off);
            s->inlen -= off;
        }
    }
    s->delivering = false;
    sock_update(s);
}

static void sock_flush(net_socket *s)
{
    while (s->outoff < s->outlen) {
        ssize_t n = send(s->fd, s->out + s->outoff, s->outlen - s->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            sock_fail(s);
            return;
        }
        s->outoff += (size_t)n;
    }
    if (s->outoff == s->outlen)
        s->outoff = s->outlen = 0;
    sock_update(s);
}

static void sock_io(void *opaque, short revents)
{
    net_socket *s = opaque;
    if (!s->dead && (revents & POLLOUT))
        sock_flush(s);
    if (s->dead) {
        sock_disconnect(s);
        return;
    }
    if (s->stalled)
        return;
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        if (s->dgram) {
            if (s->inlen)
                return;
            ssize_t n = recv(s->fd, s->in, NET_MAX_FRAME, MSG_DONTWAIT);
            if (n <= 0)
                return;
            s->inlen = (size_t)n;
            sock_deliver(s);
            return;
        }
        ssize_t n = recv(s->fd, s->in + s->inlen, IN_CAP - s->inlen, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            sock_disconnect(s);
            return;
        }
        s->inlen += (size_t)n;
        sock_deliver(s);
        if (s->dead)
            sock_disconnect(s);
    }
}

/* frames are whole messages: send each at once, not after Nagle's wait for an ack */
static void sock_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void sock_connected(net_socket *s, int fd, const char *how)
{
    s->fd = fd;
    s->inlen = 0;
    s->stalled = false;
    s->outlen = s->outoff = 0;
    s->watch = io_watch_add(fd, POLLIN, sock_io, s);
    snprintf(s->info, sizeof(s->info), "socket: %s", how);
}

static void sock_accept_retry(void *opaque)
{
    net_socket *s = opaque;
    if (s->fd < 0)
        io_watch_set_events(s->listen_watch, POLLIN);
}

static void sock_accept(void *opaque, short revents)
{
    (void)revents;
    net_socket *s = opaque;
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    int fd = accept4(s->listen_fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        net_accept_backoff(s->listen_watch, &s->retry, sock_accept_retry, s, errno);
        return;
    }
    if (s->fd >= 0) {
        /* one peer at a time */
        close(fd);
        return;
    }
    char host[64] = "?", serv[16] = "";
    char how[256];
    if (sa.ss_family == AF_UNIX)
        snprintf(how, sizeof(how), "connection from %s", s->where);
    else {
        getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV);
        snprintf(how, sizeof(how), "connection from %s:%s", host, serv);
    }
    if (sa.ss_family != AF_UNIX)
        sock_nodelay(fd);
    sock_connected(s, fd, how);
    /* further peers wait in the backlog until this one goes */
    io_watch_set_events(s->listen_watch, 0);
}

static void sock_send(netdev *nd, const uint8_t *frame, size_t len)
{
    net_socket *s = nd->opaque;
    if (s->fd < 0 || s->dead) {
        nd->tx_dropped++;
        return;
    }
    if (s->dgram) {
        ssize_t n = sendto(s->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL,
                           s->dstlen ? (struct sockaddr *)&s->dst : NULL, s->dstlen);
        if (n != (ssize_t)len)
            nd->tx_dropped++;
        return;
    }
    /* full counts only what is still to be sent; the part sent already is reclaimed */
    if (s->outlen - s->outoff + 4 + len > OUT_MAX) {
        nd->tx_dropped++;
        return;
    }
    if (s->outoff && s->outlen + 4 + len > OUT_MAX) {
        memmove(s->out, s->out + s->outoff, s->outlen - s->outoff);
        s->outlen -= s->outoff;
        s->outoff = 0;
    }
    uint8_t *p = s->out + s->outlen;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memcpy(p + 4, frame, len);
    s->outlen += 4 + len;
    sock_flush(s);
}

static void sock_rx_ready(netdev *nd)
{
    net_socket *s = nd->opaque;
    if (s->fd >= 0 && !s->dead && (s->stalled || s->inlen))
        sock_deliver(s);
}

static void sock_info(netdev *nd, char *buf, size_t len)
{
    net_socket *s = nd->opaque;
    snprintf(buf, len, "%s", s->info);
}

static void sock_cleanup(netdev *nd)
{
    net_socket *s = nd->opaque;
    if (!s)
        return;
    if (s->watch)
        io_watch_remove(s->watch);
    if (s->fd >= 0)
        close(s->fd);
    if (s->listen_watch)
        io_watch_remove(s->listen_watch);
    if (s->retry)
        qtimer_free(s->retry);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->unix_server)
        unlink(s->where);
    free(s->in);
    free(s->out);
    free(s);
    nd->opaque = NULL;
}

static const netdev_ops socket_ops = {
    .type = "socket",
    .send = sock_send,
    .rx_ready = sock_rx_ready,
    .info = sock_info,
    .cleanup = sock_cleanup,
};
static const netdev_ops stream_ops = {
    .type = "stream",
    .send = sock_send,
    .rx_ready = sock_rx_ready,
    .info = sock_info,
    .cleanup = sock_cleanup,
};
static const netdev_ops dgram_ops = {
    .type = "dgram",
    .send = sock_send,
    .rx_ready = sock_rx_ready,
    .info = sock_info,
    .cleanup = sock_cleanup,
};

bool net_parse_hostport(const char *str, bool empty_host_ok, struct sockaddr_storage *sa,
                        unsigned *salen, char *err, size_t errsize)
{
    char host[256];
    const char *colon = strrchr(str, ':');
    if (!colon) {
        snprintf(err, errsize, "'%s' is not HOST:PORT", str);
        return false;
    }
    size_t hl = (size_t)(colon - str);
    if (hl >= sizeof(host)) {
        snprintf(err, errsize, "'%s': the host name is too long", str);
        return false;
    }
    memcpy(host, str, hl);
    host[hl] = 0;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535) {
        snprintf(err, errsize, "'%s': the port is not a number from 0 to 65535", str);
        return false;
    }
    memset(sa, 0, sizeof(*sa));
    if (!*host) {
        if (!empty_host_ok) {
            snprintf(err, errsize, "'%s': a host is needed", str);
            return false;
        }
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        in->sin_port = htons((uint16_t)port);
        *salen = sizeof(*in);
        return true;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
    int e = getaddrinfo(host, NULL, &hints, &res);
    if (e) {
        snprintf(err, errsize, "'%s': %s", host, gai_strerror(e));
        return false;
    }
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *salen = (unsigned)res->ai_addrlen;
    freeaddrinfo(res);
    if (sa->ss_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
    return true;
}

static net_socket *sock_alloc(void)
{
    net_socket *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->fd = s->listen_fd = -1;
    s->in = malloc(IN_CAP);
    s->out = malloc(OUT_MAX);
    if (!s->in || !s->out) {
        free(s->in);
        free(s->out);
        free(s);
        return NULL;
    }
    return s;
}

static void sock_free(net_socket *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s->in);
    free(s->out);
    free(s);
}

/* A listening or connected stream socket at sa (inet) or path (unix). */
static bool sock_stream(net_socket *s, const char *kind, bool server, const struct sockaddr_storage *sa,
                        unsigned salen, const char *path, char *err, size_t errsize)
{
    struct sockaddr_un un;
    if (path) {
        if (strlen(path) >= sizeof(un.sun_path)) {
            snprintf(err, errsize, "-netdev %s: unix socket path '%s' is too long", kind, path);
            return false;
        }
        memset(&un, 0, sizeof(un));
        un.sun_family = AF_UNIX;
        strcpy(un.sun_path, path);
        sa = (const struct sockaddr_storage *)&un;
        salen = sizeof(un);
        snprintf(s->where, sizeof(s->where), "%s", path);
    } else {
        char host[64] = "?", serv[16] = "?";
        getnameinfo((const struct sockaddr *)sa, salen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV);
        snprintf(s->where, sizeof(s->where), "%s:%s", host, serv);
    }
    int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsize, "-netdev %s: socket: %s", kind, strerror(errno));
        return false;
    }
    if (server) {
        int one = 1;
        if (!path)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        else
            unlink(path);   /* a stale socket from an earlier run, as QEMU */
        if (bind(fd, (const struct sockaddr *)sa, salen) < 0 || listen(fd, 1) < 0) {
            snprintf(err, errsize, "-netdev %s: cannot listen on %s: %s", kind, s->where, strerror(errno));
            close(fd);
            return false;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        s->listen_fd = fd;
        s->unix_server = path != NULL;
        snprintf(s->info, sizeof(s->info), "socket: wait connection on %s", s->where);
        return true;
    }
    /* QEMU connects at startup and fails if nobody listens */
    if (connect(fd, (const struct sockaddr *)sa, salen) < 0) {
        snprintf(err, errsize, "-netdev %s: cannot connect to %s: %s", kind, s->where, strerror(errno));
        close(fd);
        return false;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (!path)
        sock_nodelay(fd);
    s->fd = fd;
    snprintf(s->info, sizeof(s->info), "socket: connect to %s", s->where);
    return true;
}

/* A datagram socket bound to local (may be NULL) sending to remote; mcast joins. */
static bool sock_dgram(net_socket *s, const char *kind, const struct sockaddr_storage *remote, unsigned rlen,
                       const struct sockaddr_storage *local, unsigned llen, bool mcast, const char *mcast_if,
                       char *err, size_t errsize)
{
    char host[64] = "?", serv[16] = "?";
    getnameinfo((const struct sockaddr *)remote, rlen, host, sizeof(host), serv, sizeof(serv),
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(s->where, sizeof(s->where), "%s:%s", host, serv);
    int fd = socket(remote->ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errsize, "-netdev %s: socket: %s", kind, strerror(errno));
        return false;
    }
    int one = 1;
    struct sockaddr_storage any;
    if (mcast) {
        if (remote->ss_family != AF_INET ||
            !IN_MULTICAST(ntohl(((const struct sockaddr_in *)remote)->sin_addr.s_addr))) {
            snprintf(err, errsize, "-netdev %s: mcast=%s is not an IPv4 multicast address", kind, s->where);
            close(fd);
            return false;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        /* bind the group's port on any address, as QEMU */
        memcpy(&any, remote, rlen);
        ((struct sockaddr_in *)&any)->sin_addr.s_addr = htonl(INADDR_ANY);
        local = &any;
        llen = rlen;
    }
    if (local && bind(fd, (const struct sockaddr *)local, llen) < 0) {
        char lh[64] = "?", ls[16] = "?";
        getnameinfo((const struct sockaddr *)local, llen, lh, sizeof(lh), ls, sizeof(ls),
                    NI_NUMERICHOST | NI_NUMERICSERV);
        snprintf(err, errsize, "-netdev %s: cannot bind %s:%s: %s", kind, lh, ls, strerror(errno));
        close(fd);
        return false;
    }
    if (mcast) {
        struct ip_mreq mr = { 0 };
        mr.imr_multiaddr = ((const struct sockaddr_in *)remote)->sin_addr;
        mr.imr_interface.s_addr = htonl(INADDR_ANY);
        if (mcast_if && inet_pton(AF_INET, mcast_if, &mr.imr_interface) != 1) {
            snprintf(err, errsize, "-netdev %s: localaddr=%s is not an IPv4 address", kind, mcast_if);
            close(fd);
            return false;
        }
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
            snprintf(err, errsize, "-netdev %s: cannot join %s: %s", kind, s->where, strerror(errno));
            close(fd);
            return false;
        }
        unsigned char loop = 1;
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
        if (mcast_if)
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr.imr_interface, sizeof(mr.imr_interface));
        snprintf(s->info, sizeof(s->info), "socket: mcast=%s", s->where);
    } else {
        snprintf(s->info, sizeof(s->info), "socket: udp=%s", s->where);
    }
    memcpy(&s->dst, remote, rlen);
    s->dstlen = rlen;
    s->fd = fd;
    s->dgram = true;
    return true;
}

static bool hostport(const char *kind, const char *key, const char *val, bool empty_ok,
                     struct sockaddr_storage *sa, unsigned *len, char *err, size_t errsize)
{
    char e[200];
    if (!net_parse_hostport(val, empty_ok, sa, len, e, sizeof(e))) {
        snprintf(err, errsize, "-netdev %s: %s=%s", kind, key, e);
        return false;
    }
    return true;
}

/* QEMU 7.2's SocketAddress as flat keys: PREFIX.type=inet|unix, .host, .port, .path */
static bool socket_address(const char *kind, opt_list *l, const char *prefix, bool need,
                           struct sockaddr_storage *sa, unsigned *salen, const char **path, bool *given,
                           char *err, size_t errsize)
{
    char k[64];
    snprintf(k, sizeof(k), "%s.type", prefix);
    const char *type = opts_get(l, k);
    snprintf(k, sizeof(k), "%s.host", prefix);
    const char *host = opts_get(l, k);
    snprintf(k, sizeof(k), "%s.port", prefix);
    const char *port = opts_get(l, k);
    snprintf(k, sizeof(k), "%s.path", prefix);
    const char *p = opts_get(l, k);
    *path = NULL;
    *given = type != NULL;
    if (!type) {
        if (need)
            snprintf(err, errsize, "-netdev %s: needs %s.type=inet|unix", kind, prefix);
        return !need;
    }
    if (!strcmp(type, "inet")) {
        if (!host || !port) {
            snprintf(err, errsize, "-netdev %s: %s.type=inet needs %s.host= and %s.port=", kind, prefix, prefix, prefix);
            return false;
        }
        char hp[300];
        snprintf(hp, sizeof(hp), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
        snprintf(k, sizeof(k), "%s.host/port", prefix);
        return hostport(kind, k, hp, true, sa, salen, err, errsize);
    }
    if (!strcmp(type, "unix")) {
        if (!p || !*p) {
            snprintf(err, errsize, "-netdev %s: %s.type=unix needs %s.path=", kind, prefix, prefix);
            return false;
        }
        *path = p;
        return true;
    }
    snprintf(err, errsize, "-netdev %s: %s.type=%s: tern has inet and unix", kind, prefix, type);
    return false;
}

bool net_socket_open(const char *type, const char *id, opt_list *l, char *err, size_t errsize)
{
    net_socket *s = sock_alloc();
    if (!s) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    const netdev_ops *ops;
    struct sockaddr_storage sa, la;
    unsigned salen = 0, lalen = 0;
    bool ok = false;
    if (!strcmp(type, "socket")) {
        ops = &socket_ops;
        const char *listen_ = opts_get(l, "listen"), *conn = opts_get(l, "connect");
        const char *mcast = opts_get(l, "mcast"), *udp = opts_get(l, "udp");
        const char *local = opts_get(l, "localaddr");
        if (opts_has(l, "fd")) {
            snprintf(err, errsize, "-netdev socket: fd= is not supported by tern (use listen=, connect=, mcast= or udp=)");
            goto fail;
        }
        int n = !!listen_ + !!conn + !!mcast + !!udp;
        if (n != 1) {
            snprintf(err, errsize, "-netdev socket: needs exactly one of listen=, connect=, mcast=, udp=");
            goto fail;
        }
        if (local && !mcast && !udp) {
            snprintf(err, errsize, "-netdev socket: localaddr= goes with mcast= or udp=");
            goto fail;
        }
        if (listen_)
            ok = hostport(type, "listen", listen_, true, &sa, &salen, err, errsize) &&
                 sock_stream(s, type, true, &sa, salen, NULL, err, errsize);
        else if (conn)
            ok = hostport(type, "connect", conn, true, &sa, &salen, err, errsize) &&
                 sock_stream(s, type, false, &sa, salen, NULL, err, errsize);
        else if (mcast)
            ok = hostport(type, "mcast", mcast, false, &sa, &salen, err, errsize) &&
                 sock_dgram(s, type, &sa, salen, NULL, 0, true, local, err, errsize);
        else {
            if (!local) {
                snprintf(err, errsize, "-netdev socket: udp= needs localaddr=HOST:PORT");
                goto fail;
            }
            ok = hostport(type, "udp", udp, false, &sa, &salen, err, errsize) &&
                 hostport(type, "localaddr", local, true, &la, &lalen, err, errsize) &&
                 sock_dgram(s, type, &sa, salen, &la, lalen, false, NULL, err, errsize);
        }
    } else if (!strcmp(type, "stream")) {
        ops = &stream_ops;
        bool server;
        const char *path;
        bool given;
        if (!opts_get_bool(l, "server", false, &server, err, errsize))
            goto fail;
        opts_get(l, "reconnect");       /* accepted, ignored: tern does not reconnect */
        if (!socket_address(type, l, "addr", true, &sa, &salen, &path, &given, err, errsize))
            goto fail;
        ok = sock_stream(s, type, server, &sa, salen, path, err, errsize);
    } else {
        ops = &dgram_ops;
        const char *rpath, *lpath;
        bool rgiven, lgiven;
        if (!socket_address(type, l, "remote", false, &sa, &salen, &rpath, &rgiven, err, errsize) ||
            !socket_address(type, l, "local", false, &la, &lalen, &lpath, &lgiven, err, errsize))
            goto fail;
        if (rpath || lpath || !rgiven) {
            snprintf(err, errsize, "-netdev dgram: tern has remote.type=inet (with local.type=inet) only");
            goto fail;
        }
        bool mc = sa.ss_family == AF_INET &&
                  IN_MULTICAST(ntohl(((struct sockaddr_in *)&sa)->sin_addr.s_addr));
        if (!mc && !lgiven) {
            snprintf(err, errsize, "-netdev dgram: a unicast remote needs local.type=inet,local.host=,local.port=");
            goto fail;
        }
        ok = sock_dgram(s, type, &sa, salen, mc ? NULL : &la, lalen, mc, NULL, err, errsize);
    }
    if (!ok)
        goto fail;
    netdev *nd = netdev_new(id, ops, s, err, errsize);
    if (!nd)
        goto fail;
    s->nd = nd;
    if (s->listen_fd >= 0)
        s->listen_watch = io_watch_add(s->listen_fd, POLLIN, sock_accept, s);
    if (s->fd >= 0)
        s->watch = io_watch_add(s->fd, POLLIN, sock_io, s);
    return true;
fail:
    sock_free(s);
    return false;
}
