/*
 * -netdev user on libslirp (4.7 API), in QEMU's spelling.
 *
 * libslirp's socket model (slirp_pollfds_fill / slirp_pollfds_poll around one poll())
 * is mapped onto tern's per-fd io_watches: after every call into libslirp that may
 * change its sockets (input, timers, poll, forwarding rules) resync() asks libslirp
 * for its fds and adds, updates and removes one io_watch per fd; a watch's callback
 * runs slirp_pollfds_poll with that fd's revents (every other fd reports none). The
 * timeout slirp_pollfds_fill returns (its TCP fast/slow timers) arms a host-clock
 * timer that runs slirp_pollfds_poll with no events.
 *
 * Backpressure: a frame the NIC cannot take is kept (at most SLIRP_QUEUE frames) and,
 * while any is kept, no slirp socket (nor guestfwd connection) is polled for input;
 * netdev_rx_ready delivers the kept frames first and then polls again.
 *
 * guestfwd=tcp:SERVER:PORT-[tcp:]HOSTADDR:HOSTPORT: libslirp's write-callback guestfwd
 * knows one connection and no EOF, so each guestfwd is a Unix socket of ours that
 * libslirp connects every guest connection to (slirp_add_unix, in a private directory
 * under /tmp), relayed to a new TCP connection to HOSTADDR:HOSTPORT: any number of
 * connections, each with flow control and half-close either way.
 */
#include "net/slirp.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "core/main_loop.h"
#include "core/clock.h"
#include "core/log.h"
#include "build/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CONFIG_SLIRP

bool net_slirp_open(const char *id, opt_list *opts, char *err, size_t errsize)
{
    (void)id;
    (void)opts;
    snprintf(err, errsize, "-netdev user: tern was built without libslirp");
    return false;
}

bool net_slirp_hostfwd_add(const char *netdev_id, const char *rule, char *err, size_t errsize)
{
    (void)netdev_id;
    (void)rule;
    snprintf(err, errsize, "user mode network stack not in use (built without libslirp)");
    return false;
}

bool net_slirp_hostfwd_remove(const char *netdev_id, const char *rule, char *err, size_t errsize)
{
    return net_slirp_hostfwd_add(netdev_id, rule, err, errsize);
}

#else

#include <slirp/libslirp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SLIRP_QUEUE 256

typedef struct slirp_state slirp_state;

typedef struct sfd {
    slirp_state *s;
    int fd;
    short events;       /* as slirp asked, in poll(2) bits */
    short revents;      /* set while its watch's callback runs */
    bool seen;
    io_watch *w;
} sfd;

typedef struct stimer {
    slirp_state *s;
    qtimer *t;
    SlirpTimerId id;
    void *cb_opaque;
} stimer;

typedef struct gfwd {
    slirp_state *s;
    struct sockaddr_in host;    /* where its connections go */
    char path[108];             /* the Unix socket libslirp connects to */
    int lfd;
    io_watch *lw;
    unsigned nrelays;           /* its open connections, at most GFWD_MAX_RELAYS */
    qtimer *retry;              /* re-arms lw after accept ran out of fds */
    struct gfwd *next;
} gfwd;

/* Each relay holds three fds and 128 KiB: a guest opening connections without end
 * must not exhaust the host. Past this, new connections wait in the backlog. */
#define GFWD_MAX_RELAYS 256

/* One guest connection: libslirp's end of the Unix socket <-> a TCP connection to the
 * host address, a buffer each way (0: guest to host, 1: host to guest). */
typedef struct relay {
    gfwd *g;
    int fd[2];                  /* 0: slirp's side, 1: the host's */
    io_watch *w[2];
    bool connecting;
    uint8_t *buf[2];
    size_t len[2], off[2];
    bool eof[2], shut[2];
    struct relay *next;
} relay;

struct slirp_state {
    netdev *nd;
    Slirp *slirp;
    char *id;
    char info[160];
    char *hostname, *domainname;
    char *tftp, *bootfile, *tftp_name; /* tftp=, bootfile=, tftp-server-name= */
    /* slirp's fds and their watches */
    sfd **fds;
    int nfds, capfds;
    int *pollfd;                /* index from add_poll -> fd */
    int npoll, cappoll;
    qtimer *poll_timer;
    /* frames the NIC could not take yet */
    uint8_t *q[SLIRP_QUEUE];
    size_t qlen[SLIRP_QUEUE];
    int qhead, qcount;
    gfwd *gfwds;
    relay *relays;
    char *tmpdir;               /* holds the guestfwd sockets */
    int depth;                  /* nested calls into libslirp */
    bool resync_pending;        /* a resync asked of the main thread */
    slirp_state *next;
};

static slirp_state *stacks;

static void resync(slirp_state *s);

/* ---- the queue of frames for the NIC ---- */

static bool paused(const slirp_state *s)
{
    return s->qcount > 0;
}

static void flush_queue(slirp_state *s)
{
    while (s->qcount && s->nd) {
        int i = s->qhead;
        if (!netdev_deliver(s->nd, s->q[i], s->qlen[i]))
            return;
        free(s->q[i]);
        s->q[i] = NULL;
        s->qhead = (s->qhead + 1) % SLIRP_QUEUE;
        s->qcount--;
    }
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    slirp_state *s = opaque;
    if (!s->nd)
        return (ssize_t)len;
    if (!s->qcount && netdev_deliver(s->nd, buf, len))
        return (ssize_t)len;
    if (s->qcount == SLIRP_QUEUE) {
        s->nd->rx_dropped++;
        return (ssize_t)len;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        s->nd->rx_dropped++;
        return (ssize_t)len;
    }
    memcpy(copy, buf, len);
    int i = (s->qhead + s->qcount) % SLIRP_QUEUE;
    s->q[i] = copy;
    s->qlen[i] = len;
    s->qcount++;
    return (ssize_t)len;
}

/* ---- callbacks ---- */

static void cb_guest_error(const char *msg, void *opaque)
{
    slirp_state *s = opaque;
    fprintf(stderr, "tern: netdev %s: guest error: %s\n", s->id, msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return (int64_t)host_clock_ns();
}

static void stimer_fire(void *opaque)
{
    stimer *t = opaque;
    slirp_state *s = t->s;
    s->depth++;
    slirp_handle_timer(s->slirp, t->id, t->cb_opaque);
    s->depth--;
    resync(s);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    stimer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->s = opaque;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->t = qtimer_new_host(stimer_fire, t);
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    stimer *t = timer;
    if (!t)
        return;
    qtimer_free(t->t);
    free(t);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    stimer *t = timer;
    if (t)
        qtimer_mod(t->t, expire_ms < 0 ? 0 : (uint64_t)expire_ms * 1000000ull);
}

/* slirp's old-style timer_new, never used when timer_new_opaque is given */
static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    (void)cb;
    (void)cb_opaque;
    (void)opaque;
    return NULL;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;   /* resync() follows every call into libslirp */
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void schedule_resync(slirp_state *s);

static void cb_notify(void *opaque)
{
    slirp_state *s = opaque;
    /* a guestfwd may take host bytes again: resync re-enables its watch */
    schedule_resync(s);
}

/* ---- slirp's fds as io_watches ---- */

static short to_poll(int ev)
{
    short e = 0;
    if (ev & SLIRP_POLL_IN)
        e |= POLLIN;
    if (ev & SLIRP_POLL_OUT)
        e |= POLLOUT;
    if (ev & SLIRP_POLL_PRI)
        e |= POLLPRI;
    return e;
}

static int from_poll(short re)
{
    int ev = 0;
    if (re & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (re & (POLLERR | POLLNVAL))
        ev |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

static sfd *find_fd(slirp_state *s, int fd)
{
    for (int i = 0; i < s->nfds; i++)
        if (s->fds[i]->fd == fd)
            return s->fds[i];
    return NULL;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    slirp_state *s = opaque;
    sfd *f = find_fd(s, fd);
    if (!f) {
        if (s->nfds == s->capfds) {
            int cap = s->capfds ? s->capfds * 2 : 16;
            sfd **n = realloc(s->fds, (size_t)cap * sizeof(*n));
            if (!n)
                return -1;
            s->fds = n;
            s->capfds = cap;
        }
        f = calloc(1, sizeof(*f));
        if (!f)
            return -1;
        f->s = s;
        f->fd = fd;
        s->fds[s->nfds++] = f;
    }
    if (!f->seen)
        f->events = 0;
    f->seen = true;
    f->events |= to_poll(events);
    if (s->npoll == s->cappoll) {
        int cap = s->cappoll ? s->cappoll * 2 : 16;
        int *n = realloc(s->pollfd, (size_t)cap * sizeof(*n));
        if (!n)
            return -1;
        s->pollfd = n;
        s->cappoll = cap;
    }
    s->pollfd[s->npoll] = fd;
    return s->npoll++;
}

static int cb_get_revents(int idx, void *opaque)
{
    slirp_state *s = opaque;
    if (idx < 0 || idx >= s->npoll)
        return 0;
    sfd *f = find_fd(s, s->pollfd[idx]);
    return f ? from_poll(f->revents) : 0;
}

static void poll_slirp(slirp_state *s)
{
    s->depth++;
    slirp_pollfds_poll(s->slirp, 0, cb_get_revents, s);
    s->depth--;
}

static void fd_ready(void *opaque, short revents)
{
    sfd *f = opaque;
    slirp_state *s = f->s;
    f->revents = revents;
    poll_slirp(s);
    f->revents = 0;
    resync(s);
}

static void poll_timer_fire(void *opaque)
{
    slirp_state *s = opaque;
    poll_slirp(s);
    resync(s);
}


static void resync(slirp_state *s)
{
    if (!s->slirp || s->depth)
        return;
    for (int i = 0; i < s->nfds; i++)
        s->fds[i]->seen = false;
    s->npoll = 0;
    uint32_t timeout = UINT32_MAX;
    s->depth++;
    slirp_pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
    s->depth--;
    short mask = paused(s) ? (short)~(POLLIN | POLLPRI) : (short)~0;
    int k = 0;
    for (int i = 0; i < s->nfds; i++) {
        sfd *f = s->fds[i];
        if (!f->seen) {
            io_watch_remove(f->w);
            free(f);
            continue;
        }
        short ev = f->events & mask;
        if (!f->w)
            f->w = io_watch_add(f->fd, ev, fd_ready, f);
        else
            io_watch_set_events(f->w, ev);
        s->fds[k++] = f;
    }
    s->nfds = k;
    if (timeout == UINT32_MAX)
        qtimer_del(s->poll_timer);
    else
        qtimer_mod(s->poll_timer, host_clock_ns() + (uint64_t)timeout * 1000000ull);
}

/* ---- guestfwd ----
 *
 * libslirp connects each guest connection to SERVER:PORT to a Unix socket of ours
 * (slirp_add_unix), so it keeps its own per-connection state, flow control and EOF;
 * each accepted connection is relayed to a new TCP connection to the host address. All
 * of it runs on the main thread, in watch callbacks.
 */

#define RELAY_BUF 65536

static void relay_free(relay *r)
{
    slirp_state *s = r->g->s;
    if (r->g->nrelays-- == GFWD_MAX_RELAYS)
        io_watch_set_events(r->g->lw, POLLIN);      /* take the next one waiting */
    for (relay **p = &s->relays; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    for (int i = 0; i < 2; i++) {
        io_watch_remove(r->w[i]);
        if (r->fd[i] >= 0)
            close(r->fd[i]);
        free(r->buf[i]);
    }
    free(r);
}

static void relay_update(relay *r)
{
    short ev[2] = { 0, 0 };
    for (int d = 0; d < 2; d++) {
        int src = d, dst = !d;
        if (d == 1 && r->connecting)
            continue;
        if (!r->eof[d] && !r->len[d])
            ev[src] |= POLLIN;
        if (r->len[d] && !(dst == 1 && r->connecting))
            ev[dst] |= POLLOUT;
    }
    if (r->connecting) {
        ev[0] = 0;
        ev[1] = POLLOUT;
    }
    for (int i = 0; i < 2; i++)
        io_watch_set_events(r->w[i], ev[i]);
}

/* Move what can be moved each way; false: the relay is done (freed). */
static bool relay_pump(relay *r)
{
    for (int round = 0; round < 16; round++) {
        bool progress = false;
        for (int d = 0; d < 2; d++) {
            int src = r->fd[d], dst = r->fd[!d];
            if (r->connecting)
                return true;
            if (!r->len[d] && !r->eof[d]) {
                ssize_t n = read(src, r->buf[d], RELAY_BUF);
                if (n > 0) {
                    r->len[d] = (size_t)n;
                    r->off[d] = 0;
                    progress = true;
                } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    r->eof[d] = true;
                    progress = true;
                }
            }
            if (r->len[d]) {
                ssize_t n = send(dst, r->buf[d] + r->off[d], r->len[d], MSG_NOSIGNAL);
                if (n > 0) {
                    r->off[d] += (size_t)n;
                    r->len[d] -= (size_t)n;
                    progress = true;
                } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    relay_free(r);      /* the other side is gone: drop both */
                    return false;
                }
            }
            if (r->eof[d] && !r->len[d] && !r->shut[d]) {
                shutdown(dst, SHUT_WR);
                r->shut[d] = true;
                progress = true;
            }
        }
        if (r->shut[0] && r->shut[1]) {
            relay_free(r);
            return false;
        }
        if (!progress)
            break;
    }
    return true;
}

static void relay_ready(void *opaque, short revents)
{
    relay *r = opaque;
    if (r->connecting) {
        int e = 0;
        socklen_t l = sizeof(e);
        if (getsockopt(r->fd[1], SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e) {
            relay_free(r);      /* the guest sees its connection closed */
            return;
        }
        if (!(revents & POLLOUT))
            return;
        r->connecting = false;
    }
    if (relay_pump(r))
        relay_update(r);
}

static void relay_ready_slirp(void *opaque, short revents)
{
    relay *r = opaque;
    if (!r->connecting && relay_pump(r))
        relay_update(r);
}

static void gfwd_retry(void *opaque)
{
    gfwd *g = opaque;
    if (g->nrelays < GFWD_MAX_RELAYS)
        io_watch_set_events(g->lw, POLLIN);
}

static void gfwd_accept(void *opaque, short revents)
{
    gfwd *g = opaque;
    for (;;) {
        if (g->nrelays >= GFWD_MAX_RELAYS) {
            io_watch_set_events(g->lw, 0);          /* relay_free re-arms it */
            return;
        }
        int fd = accept4(g->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            net_accept_backoff(g->lw, &g->retry, gfwd_retry, g, errno);
            return;
        }
        relay *r = calloc(1, sizeof(*r));
        int tfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (r) {
            r->buf[0] = malloc(RELAY_BUF);
            r->buf[1] = malloc(RELAY_BUF);
        }
        if (!r || tfd < 0 || !r->buf[0] || !r->buf[1]) {
            if (r) {
                free(r->buf[0]);
                free(r->buf[1]);
            }
            free(r);
            close(fd);
            if (tfd >= 0)
                close(tfd);
            continue;
        }
        r->g = g;
        r->fd[0] = fd;
        r->fd[1] = tfd;
        if (connect(tfd, (struct sockaddr *)&g->host, sizeof(g->host)) < 0) {
            if (errno != EINPROGRESS) {
                free(r->buf[0]);
                free(r->buf[1]);
                free(r);
                close(fd);
                close(tfd);
                continue;
            }
            r->connecting = true;
        }
        r->w[0] = io_watch_add(fd, 0, relay_ready_slirp, r);
        r->w[1] = io_watch_add(tfd, 0, relay_ready, r);
        g->nrelays++;
        r->next = g->s->relays;
        g->s->relays = r;
        relay_update(r);
    }
}

/* ---- netdev ops ---- */

/* The NIC's calls come from a vCPU thread (big lock held), but io_watches are the main
 * thread's: there the watches are brought up to date. */
static void deferred_resync(void *opaque)
{
    for (slirp_state *s = stacks; s; s = s->next) {
        if (s == opaque) {
            s->resync_pending = false;
            resync(s);
            return;
        }
    }
}

static void schedule_resync(slirp_state *s)
{
    if (!s->resync_pending) {
        s->resync_pending = true;
        main_loop_call(deferred_resync, s);
    }
}

static void op_send(netdev *nd, const uint8_t *frame, size_t len)
{
    slirp_state *s = nd->opaque;
    if (len > NET_MAX_FRAME) {
        nd->tx_dropped++;
        return;
    }
    s->depth++;
    slirp_input(s->slirp, frame, (int)len);
    s->depth--;
    schedule_resync(s);
}

static void op_rx_ready(netdev *nd)
{
    slirp_state *s = nd->opaque;
    bool was = paused(s);
    flush_queue(s);
    if (was)
        schedule_resync(s);
}

static void op_info(netdev *nd, char *buf, size_t len)
{
    slirp_state *s = nd->opaque;
    snprintf(buf, len, "%s", s->info);
}

static void free_state(slirp_state *s)
{
    for (slirp_state **p = &stacks; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    while (s->relays)
        relay_free(s->relays);
    while (s->gfwds) {
        gfwd *g = s->gfwds;
        s->gfwds = g->next;
        io_watch_remove(g->lw);
        if (g->retry)
            qtimer_free(g->retry);
        if (g->lfd >= 0)
            close(g->lfd);
        unlink(g->path);
        free(g);
    }
    if (s->tmpdir) {
        rmdir(s->tmpdir);
        free(s->tmpdir);
    }
    if (s->slirp)
        slirp_cleanup(s->slirp);    /* frees its timers through cb_timer_free */
    s->slirp = NULL;
    for (int i = 0; i < s->nfds; i++) {
        io_watch_remove(s->fds[i]->w);
        free(s->fds[i]);
    }
    free(s->fds);
    free(s->pollfd);
    if (s->poll_timer)
        qtimer_free(s->poll_timer);
    while (s->qcount) {
        free(s->q[s->qhead]);
        s->qhead = (s->qhead + 1) % SLIRP_QUEUE;
        s->qcount--;
    }
    free(s->hostname);
    free(s->domainname);
    free(s->tftp);
    free(s->bootfile);
    free(s->tftp_name);
    free(s->id);
    free(s);
}

static void op_cleanup(netdev *nd)
{
    slirp_state *s = nd->opaque;
    if (s) {
        s->nd = NULL;
        free_state(s);
    }
    nd->opaque = NULL;
}

/* ---- snapshots ----
 *
 * The frames kept for the NIC (libslirp counts them as sent), then libslirp's own state
 * (its TCP and UDP connections' protocol state, ARP/NDP and DHCP tables), tagged with
 * libslirp's state version. As with QEMU's migration, a connection's host socket is not
 * part of it: libslirp makes new ones on load, so connections to the outside may be
 * reset by their peers. Load is meant for a stack fresh from -netdev user (a new
 * process): the forwarding rules come from the command line, not from the snapshot. */

static ssize_t state_write_cb(const void *buf, size_t len, void *opaque)
{
    state_put(opaque, buf, len);
    return (ssize_t)len;
}

static ssize_t state_read_cb(void *buf, size_t len, void *opaque)
{
    state_in *in = opaque;
    if (!state_get(in, buf, len))
        return -1;
    return (ssize_t)len;
}

static void op_state_save(netdev *nd, state_out *o)
{
    slirp_state *s = nd->opaque;
    state_put_u32(o, (uint32_t)s->qcount);
    for (int k = 0; k < s->qcount; k++) {
        int i = (s->qhead + k) % SLIRP_QUEUE;
        state_put_u32(o, (uint32_t)s->qlen[i]);
        state_put(o, s->q[i], s->qlen[i]);
    }
    state_out b = { 0 };
    slirp_state_save(s->slirp, state_write_cb, &b);
    state_put_u32(o, (uint32_t)slirp_state_version());
    state_put_u32(o, (uint32_t)b.len);
    state_put(o, b.data, b.len);
    state_out_free(&b);
}

static bool op_state_load(netdev *nd, state_in *in, char *err, size_t errsize)
{
    slirp_state *s = nd->opaque;
    uint32_t n = state_get_u32(in);
    if (n > SLIRP_QUEUE) {
        snprintf(err, errsize, "netdev %s: %u frames kept for the NIC (at most %d)", s->id, n, SLIRP_QUEUE);
        return false;
    }
    /* the kept frames are checked before anything changes */
    state_in look = *in;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t len = state_get_u32(&look);
        if (len > NET_MAX_FRAME || !state_get_ptr(&look, len))
            look.bad = true;
    }
    uint32_t version = state_get_u32(&look), len = state_get_u32(&look);
    const uint8_t *blob = state_get_ptr(&look, len);
    if (look.bad || !blob) {
        snprintf(err, errsize, "netdev %s: its state is cut short", s->id);
        return false;
    }
    if (version > (uint32_t)slirp_state_version()) {
        snprintf(err, errsize, "netdev %s: libslirp state version %u; this libslirp (%s) knows up to %d",
                 s->id, version, slirp_version_string(), slirp_state_version());
        return false;
    }
    state_in sin = { .data = blob, .len = len };
    s->depth++;
    int r = slirp_state_load(s->slirp, (int)version, state_read_cb, &sin);
    s->depth--;
    if (r < 0 || sin.bad) {
        snprintf(err, errsize, "netdev %s: libslirp refused its state (%s)", s->id, r < 0 ? strerror(-r) : "cut short");
        return false;
    }
    while (s->qcount) {
        free(s->q[s->qhead]);
        s->q[s->qhead] = NULL;
        s->qhead = (s->qhead + 1) % SLIRP_QUEUE;
        s->qcount--;
    }
    s->qhead = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t flen = state_get_u32(in);
        const uint8_t *p = state_get_ptr(in, flen);
        uint8_t *copy = malloc(flen ? flen : 1);
        if (!copy)
            fatal("out of memory");
        if (flen)
            memcpy(copy, p, flen);
        s->q[k] = copy;
        s->qlen[k] = flen;
        s->qcount++;
    }
    *in = look;
    /* libslirp's sockets changed: the watches follow on the main thread */
    schedule_resync(s);
    return true;
}

static const netdev_ops slirp_ops = {
    .type = "user",
    .takes_gso = true,
    .send = op_send,
    .rx_ready = op_rx_ready,
    .info = op_info,
    .cleanup = op_cleanup,
    .state_save = op_state_save,
    .state_load = op_state_load,
};

static const SlirpCb slirp_cb = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- parsing, as QEMU's net/slirp.c ---- */

/* QEMU's get_str_sep: the text up to sep into buf, *pp after it; -1 if no sep. */
static int get_str_sep(char *buf, size_t size, const char **pp, int sep)
{
    const char *p = *pp, *p1 = strchr(p, sep);
    if (!p1)
        return -1;
    size_t len = (size_t)(p1 - p);
    if (len > size - 1)
        len = size - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    *pp = p1 + 1;
    return 0;
}

static bool parse_port(const char *s, int min, int *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < min || v > 65535)
        return false;
    *out = (int)v;
    return true;
}

static bool add_hostfwd(slirp_state *s, const char *rule, char *err, size_t errsize)
{
    char buf[256];
    const char *p = rule, *why;
    int is_udp = 0, host_port, guest_port;
    struct in_addr host_addr = { .s_addr = htonl(INADDR_ANY) }, guest_addr = { .s_addr = 0 };

    why = "Missing : separator";
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0)
        goto fail;
    why = "Bad protocol name";
    if (!strcmp(buf, "tcp") || !buf[0])
        is_udp = 0;
    else if (!strcmp(buf, "udp"))
        is_udp = 1;
    else
        goto fail;
    why = "Missing : separator";
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0)
        goto fail;
    why = "Bad host address";
    if (buf[0] && !inet_aton(buf, &host_addr))
        goto fail;
    why = "Bad host port separator";
    if (get_str_sep(buf, sizeof(buf), &p, '-') < 0)
        goto fail;
    why = "Bad host port";
    if (!parse_port(buf, 0, &host_port))
        goto fail;
    why = "Missing guest address";
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0)
        goto fail;
    why = "Bad guest address";
    if (buf[0] && !inet_aton(buf, &guest_addr))
        goto fail;
    why = "Bad guest port";
    if (!parse_port(p, 1, &guest_port))
        goto fail;
    s->depth++;
    errno = 0;
    int rc = slirp_add_hostfwd(s->slirp, is_udp, host_addr, host_port, guest_addr, guest_port);
    int why_errno = errno;
    s->depth--;
    if (rc < 0) {
        /* QEMU's words, plus the reason (bind's errno) which QEMU leaves out */
        if (why_errno)
            snprintf(err, errsize, "Could not set up host forwarding rule '%s': %s", rule, strerror(why_errno));
        else
            snprintf(err, errsize, "Could not set up host forwarding rule '%s'", rule);
        return false;
    }
    resync(s);
    return true;
fail:
    snprintf(err, errsize, "Invalid host forwarding rule '%s' (%s)", rule, why);
    return false;
}

static bool add_guestfwd(slirp_state *s, const char *rule, char *err, size_t errsize)
{
    char buf[256];
    const char *p = rule;
    struct in_addr server = { .s_addr = 0 };
    int port, hport;

    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0 || (strcmp(buf, "tcp") && buf[0]))
        goto fail;
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0 || (buf[0] && !inet_aton(buf, &server)))
        goto fail;
    if (get_str_sep(buf, sizeof(buf), &p, '-') < 0 || !parse_port(buf, 1, &port))
        goto fail;
    if (!strncmp(p, "cmd:", 4)) {
        snprintf(err, errsize, "guestfwd '%s': cmd: is not supported by tern (use tcp:HOSTADDR:HOSTPORT)", rule);
        return false;
    }
    if (!strncmp(p, "tcp:", 4))
        p += 4;
    struct in_addr haddr;
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0 || !inet_aton(buf[0] ? buf : "127.0.0.1", &haddr) ||
        !parse_port(p, 1, &hport)) {
        snprintf(err, errsize, "Could not open guest forwarding device '%s' (tern takes [tcp:]HOSTADDR:HOSTPORT)", rule);
        return false;
    }
    if (!s->tmpdir) {
        char tmpl[] = "/tmp/tern-slirp-XXXXXX";
        if (!mkdtemp(tmpl)) {
            snprintf(err, errsize, "Could not open guest forwarding device '%s' (%s)", rule, strerror(errno));
            return false;
        }
        s->tmpdir = strdup(tmpl);
    }
    gfwd *g = calloc(1, sizeof(*g));
    if (!g || !s->tmpdir) {
        free(g);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    g->s = s;
    g->host.sin_family = AF_INET;
    g->host.sin_addr = haddr;
    g->host.sin_port = htons((uint16_t)hport);
    int idx = 0;
    for (gfwd *o = s->gfwds; o; o = o->next)
        idx++;
    snprintf(g->path, sizeof(g->path), "%s/g%d", s->tmpdir, idx);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->path);
    g->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (g->lfd < 0 || bind(g->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(g->lfd, SOMAXCONN) < 0) {
        snprintf(err, errsize, "Could not open guest forwarding device '%s' (%s)", rule, strerror(errno));
        if (g->lfd >= 0)
            close(g->lfd);
        unlink(g->path);
        free(g);
        return false;
    }
    g->next = s->gfwds;
    s->gfwds = g;
    s->depth++;
    int rc = slirp_add_unix(s->slirp, g->path, &server, port);
    s->depth--;
    if (rc < 0) {
        snprintf(err, errsize, "Conflicting/invalid host:port in guest forwarding rule '%s'", rule);
        return false;   /* the state's cleanup closes it */
    }
    g->lw = io_watch_add(g->lfd, POLLIN, gfwd_accept, g);
    return true;
fail:
    snprintf(err, errsize, "Invalid guest forwarding rule '%s'", rule);
    return false;
}

static bool get_onoff(opt_list *o, const char *key, bool def, bool *out, char *err, size_t errsize)
{
    const char *v = opts_get(o, key);
    *out = def;
    if (!v)
        return true;
    if (!strcmp(v, "y"))
        *out = true;
    else if (!strcmp(v, "n"))
        *out = false;
    else if (!opts_parse_bool(v, out)) {
        snprintf(err, errsize, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

static bool in_net(struct in_addr a, struct in_addr net, struct in_addr mask)
{
    return (a.s_addr & mask.s_addr) == net.s_addr;
}

bool net_slirp_open(const char *id, opt_list *o, char *err, size_t errsize)
{
    struct in_addr net = { htonl(0x0a000200) }, mask = { htonl(0xffffff00) };
    struct in_addr host = { htonl(0x0a000202) }, dhcp = { htonl(0x0a00020f) };
    struct in_addr dns = { htonl(0x0a000203) };
    struct in6_addr ip6_prefix, ip6_host, ip6_dns;
    int ip6_plen = 64;
    bool restricted, ipv4, ipv6;

    (void)opts_get(o, "id");
    (void)opts_get(o, "type");
    if (!get_onoff(o, "restrict", false, &restricted, err, errsize) ||
        !get_onoff(o, "ipv4", true, &ipv4, err, errsize) ||
        !get_onoff(o, "ipv6", true, &ipv6, err, errsize))
        return false;
    if (!ipv4 && !ipv6) {
        snprintf(err, errsize, "IPv4 and IPv6 cannot both be disabled");
        return false;
    }
    const char *v;
    static const char *const refused[] = { "smb", "smbserver", NULL };
    for (int i = 0; refused[i]; i++) {
        if (opts_get(o, refused[i])) {
            snprintf(err, errsize, "-netdev user: '%s=' is not supported by tern", refused[i]);
            return false;
        }
    }
    if ((v = opts_get(o, "net"))) {
        char buf[64];
        const char *p = v;
        if (get_str_sep(buf, sizeof(buf), &p, '/') < 0) {
            if (!inet_aton(v, &net)) {
                snprintf(err, errsize, "Failed to parse netmask");
                return false;
            }
            /* QEMU's default prefix for an address without one: the private and
             * benchmarking ranges by their size, then class A /8, class B /16, classes
             * D/E /24, and anything else (class C included) /28 */
            uint32_t a = ntohl(net.s_addr), m;
            if ((a & 0xfff00000) == 0xac100000)
                m = 0xfff00000;                     /* 172.16.0.0/12 */
            else if ((a & 0xffff0000) == 0xc0a80000)
                m = 0xffff0000;                     /* 192.168.0.0/16 */
            else if ((a & 0xffff0000) == 0xc6120000)  /* QEMU tests 198.18 only */
                m = 0xfffe0000;                     /* 198.18.0.0/15 */
            else if (!(a & 0x80000000))
                m = 0xff000000;
            else if ((a & 0xc0000000) == 0x80000000)
                m = 0xffff0000;
            else if ((a & 0xe0000000) == 0xe0000000)
                m = 0xffffff00;
            else
                m = 0xfffffff0;
            mask.s_addr = htonl(m);
        } else {
            if (!inet_aton(buf, &net)) {
                snprintf(err, errsize, "Failed to parse netmask");
                return false;
            }
            char *end;
            long shift = strtol(p, &end, 10);
            if (*end || !*p) {
                if (!inet_aton(p, &mask)) {
                    snprintf(err, errsize, "Failed to parse netmask");
                    return false;
                }
            } else if (shift < 4 || shift > 32) {
                snprintf(err, errsize, "Invalid netmask provided (must be in range 4-32)");
                return false;
            } else {
                mask.s_addr = htonl((uint32_t)(0xffffffffull << (32 - shift)));
            }
        }
        net.s_addr &= mask.s_addr;
        host.s_addr = net.s_addr | (htonl(0x0202) & ~mask.s_addr);
        dhcp.s_addr = net.s_addr | (htonl(0x020f) & ~mask.s_addr);
        dns.s_addr = net.s_addr | (htonl(0x0203) & ~mask.s_addr);
    }
    if ((v = opts_get(o, "host")) && !inet_aton(v, &host)) {
        snprintf(err, errsize, "Failed to parse host");
        return false;
    }
    if (!in_net(host, net, mask)) {
        snprintf(err, errsize, "Host doesn't belong to network");
        return false;
    }
    if ((v = opts_get(o, "dns")) && !inet_aton(v, &dns)) {
        snprintf(err, errsize, "Failed to parse DNS");
        return false;
    }
    if (restricted && !in_net(dns, net, mask)) {
        snprintf(err, errsize, "DNS doesn't belong to network");
        return false;
    }
    if (dns.s_addr == host.s_addr) {
        snprintf(err, errsize, "DNS must be different from host");
        return false;
    }
    if ((v = opts_get(o, "dhcpstart")) && !inet_aton(v, &dhcp)) {
        snprintf(err, errsize, "Failed to parse DHCP start address");
        return false;
    }
    if (!in_net(dhcp, net, mask)) {
        snprintf(err, errsize, "DHCP doesn't belong to network");
        return false;
    }
    if (dhcp.s_addr == host.s_addr || dhcp.s_addr == dns.s_addr) {
        snprintf(err, errsize, "DHCP must be different from host and DNS");
        return false;
    }
    inet_pton(AF_INET6, "fec0::", &ip6_prefix);
    if ((v = opts_get(o, "ipv6-net")) || (v = opts_get(o, "ipv6-prefix"))) {
        char buf[64];
        const char *p = v;
        const char *addr = v;
        if (get_str_sep(buf, sizeof(buf), &p, '/') == 0) {
            addr = buf;
            char *end;
            long l = strtol(p, &end, 10);
            if (*end || !*p || l < 0 || l > 126) {
                snprintf(err, errsize, "Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)");
                return false;
            }
            ip6_plen = (int)l;
        }
        if (inet_pton(AF_INET6, addr, &ip6_prefix) != 1) {
            snprintf(err, errsize, "Failed to parse IPv6 prefix");
            return false;
        }
    }
    if ((v = opts_get(o, "ipv6-prefixlen"))) {
        char *end;
        long l = strtol(v, &end, 10);
        if (*end || !*v || l < 0 || l > 126) {
            snprintf(err, errsize, "Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)");
            return false;
        }
        ip6_plen = (int)l;
    }
    ip6_host = ip6_prefix;
    ip6_host.s6_addr[15] |= 2;
    ip6_dns = ip6_prefix;
    ip6_dns.s6_addr[15] |= 3;
    if ((v = opts_get(o, "ipv6-host")) && inet_pton(AF_INET6, v, &ip6_host) != 1) {
        snprintf(err, errsize, "Failed to parse IPv6 host");
        return false;
    }
    if ((v = opts_get(o, "ipv6-dns")) && inet_pton(AF_INET6, v, &ip6_dns) != 1) {
        snprintf(err, errsize, "Failed to parse IPv6 DNS");
        return false;
    }
    const char *hostname = opts_get(o, "hostname");
    /* tftp=DIR: libslirp's TFTP server (read-only) at the host address; bootfile= goes in
     * DHCP replies. A directory that is not there is an error here, not a silent TFTP
     * failure later (QEMU takes it as it is). */
    const char *tftp = opts_get(o, "tftp"), *bootfile = opts_get(o, "bootfile");
    const char *tftp_name = opts_get(o, "tftp-server-name");
    if (tftp) {
        struct stat st;
        if (stat(tftp, &st) < 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errsize, "-netdev user: tftp=%s: %s", tftp,
                     stat(tftp, &st) < 0 ? strerror(errno) : "not a directory");
            return false;
        }
    }
    if (bootfile && strlen(bootfile) > 127) {
        snprintf(err, errsize, "-netdev user: bootfile= is longer than DHCP's 127 bytes");
        return false;
    }
    const char *domainname = opts_get(o, "domainname");
    if (domainname && strlen(domainname) > 255) {
        snprintf(err, errsize, "'domainname' parameter cannot exceed 255 bytes");
        return false;
    }
    if (hostname && strlen(hostname) > 255) {
        snprintf(err, errsize, "'vhostname' parameter cannot exceed 255 bytes");
        return false;
    }
    /* hostfwd= and guestfwd= may come several times: take every one, in order */
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->items[i].key, "hostfwd") || !strcmp(o->items[i].key, "guestfwd"))
            o->items[i].used = true;
    const char *unknown = opts_unused(o);
    if (unknown) {
        snprintf(err, errsize, "Invalid parameter '%s'", unknown);
        return false;
    }

    slirp_state *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    s->id = strdup(id ? id : "");
    s->hostname = hostname ? strdup(hostname) : NULL;
    s->domainname = domainname ? strdup(domainname) : NULL;
    s->tftp = tftp ? strdup(tftp) : NULL;
    s->bootfile = bootfile ? strdup(bootfile) : NULL;
    s->tftp_name = tftp_name ? strdup(tftp_name) : NULL;
    s->poll_timer = qtimer_new_host(poll_timer_fire, s);
    char nbuf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &net, nbuf, sizeof(nbuf));
    snprintf(s->info, sizeof(s->info), "net=%s,restrict=%s", nbuf, restricted ? "on" : "off");

    SlirpConfig cfg = {
        .version = 4,
        .restricted = restricted,
        .in_enabled = ipv4,
        .vnetwork = net,
        .vnetmask = mask,
        .vhost = host,
        .in6_enabled = ipv6,
        .vprefix_addr6 = ip6_prefix,
        .vprefix_len = (uint8_t)ip6_plen,
        .vhost6 = ip6_host,
        .vhostname = s->hostname,
        .vdhcp_start = dhcp,
        .vnameserver = dns,
        .vnameserver6 = ip6_dns,
        .vdomainname = s->domainname,
        .tftp_path = s->tftp,
        .bootfile = s->bootfile,
        .tftp_server_name = s->tftp_name,
    };
    s->depth++;
    s->slirp = slirp_new(&cfg, &slirp_cb, s);
    s->depth--;
    if (!s->slirp) {
        snprintf(err, errsize, "-netdev user: libslirp could not start");
        free_state(s);
        return false;
    }
    for (int i = 0; i < o->n; i++) {
        bool ok = true;
        if (!strcmp(o->items[i].key, "hostfwd"))
            ok = add_hostfwd(s, o->items[i].val, err, errsize);
        else if (!strcmp(o->items[i].key, "guestfwd"))
            ok = add_guestfwd(s, o->items[i].val, err, errsize);
        if (!ok) {
            free_state(s);
            return false;
        }
    }
    s->nd = netdev_new(id, &slirp_ops, s, err, errsize);
    if (!s->nd) {
        free_state(s);
        return false;
    }
    s->next = stacks;
    stacks = s;
    resync(s);
    return true;
}

/* ---- the monitor ---- */

static slirp_state *lookup(const char *netdev_id, char *err, size_t errsize)
{
    if (!netdev_id) {
        /* the first user netdev, in the registry's order */
        for (netdev *nd = netdev_first(); nd; nd = nd->next)
            if (nd->ops == &slirp_ops)
                return nd->opaque;
        if (stacks) {
            slirp_state *s = stacks;
            while (s->next)
                s = s->next;
            return s;
        }
        snprintf(err, errsize, "user mode network stack not in use");
        return NULL;
    }
    netdev *nd = netdev_find(netdev_id);
    if (!nd) {
        snprintf(err, errsize, "unrecognized netdev id '%s'", netdev_id);
        return NULL;
    }
    if (nd->ops != &slirp_ops) {
        snprintf(err, errsize, "invalid device specified");
        return NULL;
    }
    return nd->opaque;
}

bool net_slirp_hostfwd_add(const char *netdev_id, const char *rule, char *err, size_t errsize)
{
    slirp_state *s = lookup(netdev_id, err, errsize);
    return s && add_hostfwd(s, rule, err, errsize);
}

bool net_slirp_hostfwd_remove(const char *netdev_id, const char *rule, char *err, size_t errsize)
{
    slirp_state *s = lookup(netdev_id, err, errsize);
    if (!s)
        return false;
    char buf[256];
    const char *p = rule;
    int is_udp, port;
    struct in_addr host_addr = { .s_addr = htonl(INADDR_ANY) };
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0)
        goto fail;
    if (!strcmp(buf, "tcp") || !buf[0])
        is_udp = 0;
    else if (!strcmp(buf, "udp"))
        is_udp = 1;
    else
        goto fail;
    if (get_str_sep(buf, sizeof(buf), &p, ':') < 0 || (buf[0] && !inet_aton(buf, &host_addr)))
        goto fail;
    if (!parse_port(p, 0, &port))
        goto fail;
    s->depth++;
    int rc = slirp_remove_hostfwd(s->slirp, is_udp, host_addr, port);
    s->depth--;
    resync(s);
    if (rc) {
        snprintf(err, errsize, "host forwarding rule for %s not found", rule);
        return false;
    }
    return true;
fail:
    snprintf(err, errsize, "invalid format");
    return false;
}

#endif
