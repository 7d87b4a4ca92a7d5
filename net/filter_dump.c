/*
 * -object filter-dump,id=ID,netdev=ND,file=F[,maxlen=N][,queue=all|rx|tx]: every frame
 * on the netdev, either way, appended to a pcap file (LINKTYPE_ETHERNET, microsecond
 * timestamps, frames cut at maxlen, 65536 by default), as QEMU's filter-dump. The file
 * is truncated when tern starts and each frame is written with one write(2), so tcpdump
 * can read it while tern runs.
 */
#include "net/net_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct dump {
    int fd;
    uint32_t maxlen;
    char *file;
    uint8_t *rec;               /* 16-byte record header + the frame */
} dump;

static void put32(uint8_t *p, uint32_t v)
{
    /* pcap is written in the host's byte order; readers tell from the magic */
    memcpy(p, &v, 4);
}

static void dump_frame(struct net_filter *f, bool to_guest, const uint8_t *frame, size_t len)
{
    (void)to_guest;
    dump *d = f->opaque;
    if (d->fd < 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    size_t cap = len < d->maxlen ? len : d->maxlen;
    put32(d->rec, (uint32_t)ts.tv_sec);
    put32(d->rec + 4, (uint32_t)(ts.tv_nsec / 1000));
    put32(d->rec + 8, (uint32_t)cap);
    put32(d->rec + 12, (uint32_t)len);
    memcpy(d->rec + 16, frame, cap);
    ssize_t n = write(d->fd, d->rec, 16 + cap);
    if (n != (ssize_t)(16 + cap)) {
        /* disk full or the like: stop, once, rather than write a broken record each time */
        fprintf(stderr, "tern: filter-dump %s: writing %s failed (%s); no more frames are dumped\n", f->id,
                d->file, n < 0 ? strerror(errno) : "short write");
        close(d->fd);
        d->fd = -1;
    }
}

static void dump_info(struct net_filter *f, char *buf, size_t len)
{
    dump *d = f->opaque;
    snprintf(buf, len, "file=%s,maxlen=%u", d->file, (unsigned)d->maxlen);
}

static void dump_cleanup(struct net_filter *f)
{
    dump *d = f->opaque;
    if (d->fd >= 0)
        close(d->fd);
    free(d->file);
    free(d->rec);
    free(d);
}

bool net_filter_dump_create(const char *text, char *err, size_t errsize)
{
    opt_list l;
    if (!opts_parse(&l, text, "qom-type", err, errsize))
        return false;
    bool ok = false;
    dump *d = NULL;
    struct net_filter *f = NULL;
    const char *type = opts_get(&l, "qom-type");
    const char *id = opts_get(&l, "id"), *ndid = opts_get(&l, "netdev"), *file = opts_get(&l, "file");
    const char *queue = opts_get(&l, "queue"), *status = opts_get(&l, "status");
    uint64_t maxlen;
    if (!type || strcmp(type, "filter-dump")) {
        snprintf(err, errsize, "-object %s: not a filter-dump", text);
        goto out;
    }
    if (!id || !*id || !ndid || !file || !*file) {
        snprintf(err, errsize, "-object filter-dump: needs id=, netdev= and file=");
        goto out;
    }
    if (!opts_get_u64(&l, "maxlen", 65536, &maxlen, err, errsize))
        goto out;
    if (maxlen == 0 || maxlen > 0xffffffffu) {
        snprintf(err, errsize, "-object filter-dump: maxlen=%llu is not from 1 to 4294967295",
                 (unsigned long long)maxlen);
        goto out;
    }
    int q = NET_FILTER_ALL;
    if (queue) {
        if (!strcmp(queue, "rx"))
            q = NET_FILTER_RX;
        else if (!strcmp(queue, "tx"))
            q = NET_FILTER_TX;
        else if (strcmp(queue, "all")) {
            snprintf(err, errsize, "-object filter-dump: queue=%s: all, rx or tx", queue);
            goto out;
        }
    }
    if (status && strcmp(status, "on")) {
        snprintf(err, errsize, "-object filter-dump: status=%s: tern has status=on only", status);
        goto out;
    }
    const char *bad = opts_unused(&l);
    if (bad) {
        snprintf(err, errsize, "-object filter-dump: unknown option '%s'", bad);
        goto out;
    }
    netdev *nd = netdev_find(ndid);
    if (!nd) {
        snprintf(err, errsize, "-object filter-dump: there is no netdev '%s'", ndid);
        goto out;
    }
    d = calloc(1, sizeof(*d));
    f = calloc(1, sizeof(*f));
    if (!d || !f || !(d->file = strdup(file)) || !(f->id = strdup(id)) ||
        /* frames never exceed NET_MAX_FRAME (net.c drops them) */
        !(d->rec = malloc(16 + (maxlen < NET_MAX_FRAME ? maxlen : NET_MAX_FRAME)))) {
        snprintf(err, errsize, "out of memory");
        goto out;
    }
    d->maxlen = (uint32_t)maxlen;
    d->fd = -1;
    f->type = "filter-dump";
    f->queue = q;
    f->opaque = d;
    f->frame = dump_frame;
    f->info = dump_info;
    f->cleanup = dump_cleanup;
    /* the id check before the file is touched */
    if (!net_filter_add(nd, f, err, errsize)) {
        goto out;
    }
    d->fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (d->fd < 0) {
        snprintf(err, errsize, "-object filter-dump: cannot create %s: %s", file, strerror(errno));
        /* unlink it from the chain again */
        struct net_filter **p = &nd->filters;
        while (*p != f)
            p = &(*p)->next;
        *p = NULL;
        goto out;
    }
    uint8_t hdr[24];
    put32(hdr, 0xa1b2c3d4);             /* microsecond timestamps */
    uint16_t v[2] = { 2, 4 };
    memcpy(hdr + 4, v, 4);
    put32(hdr + 8, 0);                  /* thiszone */
    put32(hdr + 12, 0);                 /* sigfigs */
    put32(hdr + 16, (uint32_t)maxlen);  /* snaplen */
    put32(hdr + 20, 1);                 /* LINKTYPE_ETHERNET */
    if (write(d->fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
        snprintf(err, errsize, "-object filter-dump: cannot write %s: %s", file, strerror(errno));
        close(d->fd);
        struct net_filter **p = &nd->filters;
        while (*p != f)
            p = &(*p)->next;
        *p = NULL;
        goto out;
    }
    ok = true;
out:
    if (!ok) {
        if (d) {
            free(d->file);
            free(d->rec);
        }
        free(d);
        if (f)
            free(f->id);
        free(f);
    }
    opts_free(&l);
    return ok;
}
