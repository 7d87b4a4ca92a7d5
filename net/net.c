/*
 * The netdev registry: -netdev parsing and dispatch to the backends, a NIC's attachment,
 * frames either way through the filters, counters, link state and `info network`.
 * See net.h for the backpressure contract.
 */
#include "net/net_internal.h"
#include "core/clock.h"
#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("net/slirp.h")
#include "net/slirp.h"
#define HAVE_NET_SLIRP 1
#endif
#endif

static netdev *netdevs;

netdev *netdev_first(void)
{
    return netdevs;
}

netdev *netdev_find(const char *id)
{
    for (netdev *nd = netdevs; nd; nd = nd->next)
        if (!strcmp(nd->id, id))
            return nd;
    return NULL;
}

static bool valid_id(const char *id)
{
    /* QEMU's rule: a letter, then letters, digits, '-', '.', '_' (tern's -nic ids start
     * with "__org.qemu." as QEMU's do, so '_' is allowed first here) */
    if (!*id || !(((*id | 32) >= 'a' && (*id | 32) <= 'z') || *id == '_'))
        return false;
    for (const char *p = id; *p; p++)
        if (!(((*p | 32) >= 'a' && (*p | 32) <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            return false;
    return true;
}

netdev *netdev_new(const char *id, const netdev_ops *ops, void *opaque, char *err, size_t errsize)
{
    if (netdev_find(id)) {
        snprintf(err, errsize, "-netdev: a netdev with id '%s' exists already", id);
        return NULL;
    }
    netdev *nd = calloc(1, sizeof(*nd));
    char *s = strdup(id);
    if (!nd || !s) {
        free(nd);
        free(s);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    nd->id = s;
    nd->ops = ops;
    nd->opaque = opaque;
    netdev **p = &netdevs;
    while (*p)
        p = &(*p)->next;
    *p = nd;
    return nd;
}

#ifndef HAVE_NET_SLIRP
static bool net_slirp_open(const char *id, opt_list *opts, char *err, size_t errsize)
{
    (void)id;
    (void)opts;
    snprintf(err, errsize, "-netdev user: user networking is not built yet");
    return false;
}
#endif

static const char *const netdev_types[] = { "user", "socket", "stream", "dgram", "tap", NULL };

bool netdev_create(const char *text, char *err, size_t errsize)
{
    opt_list l;
    if (!opts_parse(&l, text, "type", err, errsize))
        return false;
    const char *type = opts_get(&l, "type");
    const char *id = opts_get(&l, "id");
    bool ok = false;
    if (!type || !*type) {
        snprintf(err, errsize, "-netdev %s: the backend type comes first (user, socket, stream, dgram, tap)", text);
        goto out;
    }
    if (!id || !*id) {
        snprintf(err, errsize, "-netdev %s: needs id=ID", type);
        goto out;
    }
    if (!valid_id(id)) {
        snprintf(err, errsize, "-netdev %s: id '%s' is not valid (a letter, then letters, digits, '-', '.', '_')", type, id);
        goto out;
    }
    if (netdev_find(id)) {
        snprintf(err, errsize, "-netdev %s: a netdev with id '%s' exists already", type, id);
        goto out;
    }
    if (!strcmp(type, "user"))
        ok = net_slirp_open(id, &l, err, errsize);
    else if (!strcmp(type, "socket") || !strcmp(type, "stream") || !strcmp(type, "dgram"))
        ok = net_socket_open(type, id, &l, err, errsize);
    else if (!strcmp(type, "tap"))
        ok = net_tap_open(id, &l, err, errsize);
    else {
        snprintf(err, errsize, "-netdev %s: unknown backend type (tern has user, socket, stream, dgram, tap)", type);
        goto out;
    }
    if (ok) {
        const char *bad = opts_unused(&l);
        if (bad) {
            snprintf(err, errsize, "-netdev %s: unknown option '%s'", type, bad);
            netdev *nd = netdev_find(id);
            if (nd) {
                /* unlink and close it */
                netdev **p = &netdevs;
                while (*p != nd)
                    p = &(*p)->next;
                *p = nd->next;
                if (nd->ops && nd->ops->cleanup)
                    nd->ops->cleanup(nd);
                free(nd->id);
                free(nd);
            }
            ok = false;
        }
    }
out:
    opts_free(&l);
    return ok;
}

const char *const *netdev_type_names(void)
{
    return netdev_types;
}

bool netdev_attach(netdev *nd, const net_nic_ops *ops, void *opaque, const char *model, char *err, size_t errsize)
{
    if (nd->nic) {
        snprintf(err, errsize, "netdev '%s' is used by another NIC (%s) already", nd->id,
                 nd->nic_model ? nd->nic_model : "?");
        return false;
    }
    nd->nic = ops;
    nd->nic_opaque = opaque;
    nd->nic_model = model;
    if (!nd->nic_name[0]) {
        /* QEMU's default name: the model and how many NICs of it came before */
        int index = 0;
        for (netdev *n = netdevs; n; n = n->next)
            if (n != nd && n->nic && n->nic_model && model && !strcmp(n->nic_model, model))
                index++;
        snprintf(nd->nic_name, sizeof(nd->nic_name), "%s.%d", model ? model : "nic", index);
    }
    /* the backend may have kept a frame from before there was a NIC */
    if (nd->ops && nd->ops->rx_ready)
        nd->ops->rx_ready(nd);
    return true;
}

void netdev_send(netdev *nd, const uint8_t *frame, size_t len)
{
    if (nd->link_down || len > NET_MAX_FRAME) {
        nd->tx_dropped++;
        return;
    }
    for (struct net_filter *f = nd->filters; f; f = f->next)
        if (f->queue != NET_FILTER_TX && f->frame)
            f->frame(f, false, frame, len);
    nd->tx_frames++;
    if (nd->ops && nd->ops->send)
        nd->ops->send(nd, frame, len);
    else
        nd->tx_dropped++;
}

static void filter_to_guest(struct net_filter *f, const uint8_t *frame, size_t len)
{
    /* the reverse order of the way out, as QEMU */
    if (!f)
        return;
    filter_to_guest(f->next, frame, len);
    if (f->queue != NET_FILTER_RX && f->frame)
        f->frame(f, true, frame, len);
}

bool netdev_can_deliver(netdev *nd, size_t len)
{
    if (!nd->nic || nd->link_down)
        return false;
    return !nd->nic->can_receive || nd->nic->can_receive(nd->nic_opaque, len);
}

bool netdev_deliver(netdev *nd, const uint8_t *frame, size_t len)
{
    /* nobody to take it: dropped (counted), not kept, as QEMU drops without a peer */
    if (!nd->nic || nd->link_down || len > NET_MAX_FRAME) {
        nd->rx_dropped++;
        return true;
    }
    if (nd->nic->can_receive && !nd->nic->can_receive(nd->nic_opaque, len))
        return false;
    /* the filters see a frame once, when the NIC took it: one it refused comes again */
    if (!nd->nic->receive(nd->nic_opaque, frame, len))
        return false;
    filter_to_guest(nd->filters, frame, len);
    nd->rx_frames++;
    return true;
}

void netdev_rx_ready(netdev *nd)
{
    if (nd->ops && nd->ops->rx_ready)
        nd->ops->rx_ready(nd);
}

void netdev_set_link(netdev *nd, bool up)
{
    if (nd->link_down == !up)
        return;
    nd->link_down = !up;
    if (nd->nic && nd->nic->link_changed)
        nd->nic->link_changed(nd->nic_opaque, up);
    if (up)
        netdev_rx_ready(nd);
}

bool net_accept_backoff(io_watch *w, qtimer **retry, qtimer_cb cb, void *opaque, int err)
{
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED)
        return true;
    io_watch_set_events(w, 0);
    if (!*retry)
        *retry = qtimer_new_host(cb, opaque);
    qtimer_mod(*retry, host_clock_ns() + 100000000ull);
    return false;
}

void netdev_set_nic_id(netdev *nd, const char *id)
{
    if (id)
        snprintf(nd->nic_name, sizeof(nd->nic_name), "%s", id);
}

bool net_set_link(const char *name, bool up)
{
    for (netdev *nd = netdevs; nd; nd = nd->next)
        if (!strcmp(nd->id, name) || (nd->nic && !strcmp(nd->nic_name, name))) {
            netdev_set_link(nd, up);
            return true;
        }
    return false;
}

bool net_filter_add(netdev *nd, struct net_filter *f, char *err, size_t errsize)
{
    for (netdev *n = netdevs; n; n = n->next)
        for (struct net_filter *g = n->filters; g; g = g->next)
            if (!strcmp(g->id, f->id)) {
                snprintf(err, errsize, "-object %s: an object with id '%s' exists already", f->type, f->id);
                return false;
            }
    f->nd = nd;
    f->next = NULL;
    struct net_filter **p = &nd->filters;
    while (*p)
        p = &(*p)->next;
    *p = f;
    return true;
}

void netdev_close_all(void)
{
    while (netdevs) {
        netdev *nd = netdevs;
        netdevs = nd->next;
        while (nd->filters) {
            struct net_filter *f = nd->filters;
            nd->filters = f->next;
            if (f->cleanup)
                f->cleanup(f);
            free(f->id);
            free(f);
        }
        if (nd->ops && nd->ops->cleanup)
            nd->ops->cleanup(nd);
        free(nd->id);
        free(nd);
    }
}

/* ---- snapshots ---- */

void net_state_save(state_out *o)
{
    uint32_t n = 0;
    for (netdev *nd = netdevs; nd; nd = nd->next)
        n++;
    state_put_u32(o, n);
    for (netdev *nd = netdevs; nd; nd = nd->next) {
        state_put_str(o, nd->id);
        state_put_str(o, nd->ops ? nd->ops->type : "");
        state_put_u8(o, nd->link_down);
        state_put_u64(o, nd->tx_frames);
        state_put_u64(o, nd->rx_frames);
        state_put_u64(o, nd->tx_dropped);
        state_put_u64(o, nd->rx_dropped);
        state_out b = { 0 };
        if (nd->ops && nd->ops->state_save)
            nd->ops->state_save(nd, &b);
        state_put_u32(o, (uint32_t)b.len);
        state_put(o, b.data, b.len);
        state_out_free(&b);
    }
}

/* One netdev's record: its netdev here (NULL, with err, if it has none or another
 * type) and where its blob lies. */
static netdev *read_record(state_in *in, bool *link_down, uint64_t cnt[4], state_in *blob,
                           char *err, size_t errsize)
{
    char id[256], type[32];
    bool ok = state_get_str(in, id, sizeof(id));
    ok = state_get_str(in, type, sizeof(type)) && ok;
    *link_down = state_get_u8(in) != 0;
    for (int k = 0; k < 4; k++)
        cnt[k] = state_get_u64(in);
    uint32_t len = state_get_u32(in);
    const uint8_t *p = state_get_ptr(in, len);
    if (!ok || in->bad || !p) {
        snprintf(err, errsize, "the network's state is cut short");
        return NULL;
    }
    *blob = (state_in){ .data = p, .len = len };
    netdev *nd = netdev_find(id);
    if (!nd || !nd->ops || strcmp(nd->ops->type, type)) {
        snprintf(err, errsize, "the snapshot has -netdev %s,id=%s; this machine %s", type, id,
                 nd ? "has it of another type" : "has no such netdev");
        return NULL;
    }
    return nd;
}

bool net_state_load(state_in *in, char *err, size_t errsize)
{
    uint32_t have = 0;
    for (netdev *nd = netdevs; nd; nd = nd->next)
        have++;
    /* the records are checked first: another machine's network changes nothing */
    state_in look = *in;
    uint32_t n = state_get_u32(&look);
    if (!look.bad && n != have) {
        snprintf(err, errsize, "the snapshot has %u netdevs, this machine %u", n, have);
        return false;
    }
    bool link_down;
    uint64_t cnt[4];
    state_in blob;
    for (uint32_t i = 0; i < n; i++)
        if (!read_record(&look, &link_down, cnt, &blob, err, errsize))
            return false;
    if (look.bad) {
        snprintf(err, errsize, "the network's state is cut short");
        return false;
    }
    state_get_u32(in);
    for (uint32_t i = 0; i < n; i++) {
        netdev *nd = read_record(in, &link_down, cnt, &blob, err, errsize);
        nd->tx_frames = cnt[0];
        nd->rx_frames = cnt[1];
        nd->tx_dropped = cnt[2];
        nd->rx_dropped = cnt[3];
        if (nd->ops->state_load) {
            if (!nd->ops->state_load(nd, &blob, err, errsize))
                return false;
            if (blob.bad || blob.pos != blob.len) {
                snprintf(err, errsize, "netdev %s: its state has the wrong length", nd->id);
                return false;
            }
        }
        /* the NIC hears of a link that differs from what it showed, as from set_link */
        netdev_set_link(nd, !link_down);
        netdev_rx_ready(nd);
    }
    return true;
}

static void print_filters(netdev *nd, void (*out)(void *, const char *), void *opaque)
{
    static const char *const queues[] = { "all", "rx", "tx" };
    if (nd->filters)
        out(opaque, "filters:\n");
    for (struct net_filter *f = nd->filters; f; f = f->next) {
        char extra[256] = "", line[512];
        if (f->info)
            f->info(f, extra, sizeof(extra));
        snprintf(line, sizeof(line), "  - %s: type=%s,netdev=%s,queue=%s,status=on%s%s\n", f->id, f->type,
                 nd->id, queues[f->queue], *extra ? "," : "", extra);
        out(opaque, line);
    }
}

void net_info(void (*out)(void *opaque, const char *text), void *opaque)
{
    /* QEMU's shape: each NIC, its netdev indented under it; then netdevs without one */
    char line[512], info[256];
    for (int pass = 0; pass < 2; pass++) {
        for (netdev *nd = netdevs; nd; nd = nd->next) {
            if ((nd->nic != NULL) != (pass == 0))
                continue;
            info[0] = 0;
            if (nd->ops && nd->ops->info)
                nd->ops->info(nd, info, sizeof(info));
            const char *type = nd->ops ? nd->ops->type : "?";
            if (pass == 0) {
                const char *model = nd->nic_model ? nd->nic_model : "nic";
                snprintf(line, sizeof(line), "%s: index=0,type=nic,model=%s%s\n", nd->nic_name, model,
                         nd->link_down ? ",link=down" : "");
                out(opaque, line);
                snprintf(line, sizeof(line), " \\ %s: index=0,type=%s%s%s\n", nd->id, type, *info ? "," : "", info);
            } else {
                snprintf(line, sizeof(line), "%s: index=0,type=%s%s%s\n", nd->id, type, *info ? "," : "", info);
            }
            out(opaque, line);
            print_filters(nd, out, opaque);
            /* tern's counters, after QEMU's lines */
            char nic_stats[256] = "";
            if (nd->nic && nd->nic->stats)
                nd->nic->stats(nd->nic_opaque, nic_stats, sizeof(nic_stats));
            snprintf(line, sizeof(line), "  frames: %llu out (%llu dropped), %llu in (%llu dropped)%s%s\n",
                     (unsigned long long)nd->tx_frames, (unsigned long long)nd->tx_dropped,
                     (unsigned long long)nd->rx_frames, (unsigned long long)nd->rx_dropped,
                     *nic_stats ? "; NIC: " : "", nic_stats);
            out(opaque, line);
        }
    }
}
