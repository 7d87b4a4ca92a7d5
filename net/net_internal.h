/*
 * What net.c shares with the backends and filters beyond net.h: the filter chain a
 * netdev carries, the link switch for the monitor's set_link, and the backends' open
 * functions that netdev_create dispatches to.
 */
#ifndef TERN_NET_INTERNAL_H
#define TERN_NET_INTERNAL_H

#include "net/net.h"
#include "core/main_loop.h"
#include "core/opts.h"

enum { NET_FILTER_ALL, NET_FILTER_RX, NET_FILTER_TX };

/* A filter on a netdev. QEMU's queues: rx sees what is sent to the netdev (from the
 * guest), tx what the netdev sends (to the guest). */
struct net_filter {
    char *id;
    const char *type;               /* "filter-dump" */
    int queue;                      /* NET_FILTER_* */
    netdev *nd;
    void *opaque;
    void (*frame)(struct net_filter *f, bool to_guest, const uint8_t *frame, size_t len);
    /* after ",netdev=ID,queue=Q" in info network (may be NULL) */
    void (*info)(struct net_filter *f, char *buf, size_t len);
    void (*cleanup)(struct net_filter *f);
    struct net_filter *next;
};

/* Append a filter to nd's chain (f->nd is set). False if the id is taken. */
bool net_filter_add(netdev *nd, struct net_filter *f, char *err, size_t errsize);

/* The monitor's set_link: the NIC hears of it; frames either way are dropped (and
 * counted) while the link is down. */
void netdev_set_link(netdev *nd, bool up);

/* A listener's accept failed with errno: out of fds or memory (not EAGAIN and the like)
 * leaves the connection in the backlog, and the readable listener would call again at
 * once, so its watch is disarmed and *retry (made on first use) calls cb in 100 ms to
 * re-arm it. True if accept should simply be tried again later (nothing to do). */
bool net_accept_backoff(io_watch *w, qtimer **retry, qtimer_cb cb, void *opaque, int err);

/* user, socket, stream, dgram, tap (NULL-terminated), for -netdev help */
const char *const *netdev_type_names(void);

/* The backends. Each consumes its keys from opts (net.c reports the rest). */
bool net_socket_open(const char *type, const char *id, opt_list *opts, char *err, size_t errsize);
/* the tun device tap opens ("/dev/net/tun"; tests point it elsewhere) */
extern const char *net_tap_dev;
bool net_tap_open(const char *id, opt_list *opts, char *err, size_t errsize);

/* "HOST:PORT" ("[::1]:PORT", ":PORT" = any) into an IPv4/IPv6 address. */
struct sockaddr_storage;
bool net_parse_hostport(const char *s, bool empty_host_ok, struct sockaddr_storage *sa,
                        unsigned *salen, char *err, size_t errsize);

#endif
