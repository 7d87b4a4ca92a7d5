/*
 * Snapshot files (see snapshot.h; the format is in docs/snapshots.md).
 *
 *   [0, 4096)        header: magic, format version, where the metadata is, file size,
 *                    its own checksum
 *   [4096, ...)      RAM, region after region, each page-aligned: raw with zero pages
 *                    left as holes (so it can be mapped), or zstd frames per chunk
 *   [meta, end)      sections: configuration, clock, CPUs, one per device, disks, RAM
 *                    index (a checksum per 1 MiB chunk), network; each with a tag, a
 *                    version, a length and a checksum
 */
#include "core/snapshot.h"
#include "core/block.h"
#include "core/fileio.h"
#include "core/chardev.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/state.h"
#include "accel/accel.h"
#include "net/net.h"
#include "build/config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef CONFIG_ZSTD
#include <zstd.h>
#endif

#define HDR_SIZE 4096
/* at least what zstd may make of n bytes (its bound is n + n/256 + a little) */
#define ZSTD_BOUND_GUESS(n) ((n) + (n) / 128 + 1024)
#define CHUNK (1u << 20)
#define PAGE 4096u
static const char MAGIC[8] = { 'T', 'E', 'R', 'N', 'S', 'N', 'A', 'P' };

enum { HF_COMPRESSED = 1 };
enum { CHUNK_ZERO = 1 };

/* section tags, as four characters */
#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define T_CONF TAG('C', 'O', 'N', 'F')
#define T_CLCK TAG('C', 'L', 'C', 'K')
#define T_CPUS TAG('C', 'P', 'U', 'S')
#define T_DEV  TAG('D', 'E', 'V', ' ')
#define T_DISK TAG('D', 'I', 'S', 'K')
#define T_RAMI TAG('R', 'A', 'M', 'I')
#define T_NET  TAG('N', 'E', 'T', ' ')

typedef struct header {
    uint32_t version, flags;
    uint64_t file_size, meta_off, meta_len;
    uint32_t meta_crc;
    int64_t saved_at;
    uint64_t vm_clock;
} header;

static snapshot_stats last;

/* A start-up load's RAM check still running: a save waits for it, so damaged RAM is
 * never written out again under fresh checksums. */
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t check_done = PTHREAD_COND_INITIALIZER;
static bool checking;

static void snapshot_wait_checked(void)
{
    pthread_mutex_lock(&check_lock);
    while (checking)
        pthread_cond_wait(&check_done, &check_lock);
    pthread_mutex_unlock(&check_lock);
}
static snapshot_progress_fn *progress;

const snapshot_stats *snapshot_last_stats(void) { return &last; }
void snapshot_set_progress(snapshot_progress_fn *fn) { progress = fn; }

/* The snapshot RAM follows (for going back in place): its file, still open, and how
 * each chunk sits in it. */
static struct {
    int fd;                      /* -1: none */
    dev_t dev;
    ino_t ino;
} base = { -1, 0, 0 };

/* Snapshot files this process wrote or checked whole, as they were then: loading one
 * again while it is unchanged (same inode, size, modification and change times; any
 * write moves the change time, which no user can set) needs no second RAM check. */
typedef struct file_id { dev_t dev; ino_t ino; off_t size; struct timespec mtime, ctime; } file_id;
#define MAX_TRUSTED 16
static file_id trusted[MAX_TRUSTED];
static int ntrusted;

static bool same_id(const file_id *a, const struct stat *st)
{
    return a->dev == st->st_dev && a->ino == st->st_ino && a->size == st->st_size &&
           a->mtime.tv_sec == st->st_mtim.tv_sec && a->mtime.tv_nsec == st->st_mtim.tv_nsec &&
           a->ctime.tv_sec == st->st_ctim.tv_sec && a->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void trust_file(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return;
    for (int i = 0; i < ntrusted; i++)
        if (trusted[i].dev == st.st_dev && trusted[i].ino == st.st_ino) {
            trusted[i] = (file_id){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim };
            return;
        }
    if (ntrusted == MAX_TRUSTED)
        memmove(trusted, trusted + 1, sizeof(file_id) * (MAX_TRUSTED - 1));
    else
        ntrusted++;
    trusted[ntrusted - 1] = (file_id){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim };
}

static bool is_trusted(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    for (int i = 0; i < ntrusted; i++)
        if (same_id(&trusted[i], &st))
            return true;
    return false;
}

static void base_drop(void)
{
    if (base.fd >= 0)
        close(base.fd);
    base.fd = -1;
}

/* ---- small helpers ---- */

static bool all_zero(const uint8_t *p, size_t n)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < n / 8; i += 4)
        if (w[i] | w[i + 1] | w[i + 2] | w[i + 3])
            return false;
    return true;
}

static uint64_t now_ns(void) { return host_clock_ns(); }

static void section(state_out *meta, uint32_t tag, uint32_t version, const char *name, const state_out *body)
{
    state_put_u32(meta, tag);
    state_put_u32(meta, version);
    state_put_str(meta, name);
    state_put_u64(meta, body->len);
    state_put_u32(meta, crc32c(0, body->data, body->len));
    state_put(meta, body->data, body->len);
}

static void encode_header(uint8_t *h, const header *hd)
{
    state_out o = { 0 };
    state_put(&o, MAGIC, 8);
    state_put_u32(&o, hd->version);
    state_put_u32(&o, 0);                  /* the header's checksum, filled below */
    state_put_u32(&o, hd->flags);
    state_put_u32(&o, hd->meta_crc);
    state_put_u64(&o, hd->file_size);
    state_put_u64(&o, hd->meta_off);
    state_put_u64(&o, hd->meta_len);
    state_put_u64(&o, (uint64_t)hd->saved_at);
    state_put_u64(&o, hd->vm_clock);
    memset(h, 0, HDR_SIZE);
    memcpy(h, o.data, o.len);
    state_out_free(&o);
    uint32_t crc = crc32c(0, h, HDR_SIZE);
    for (int i = 0; i < 4; i++)
        h[12 + i] = (uint8_t)(crc >> (8 * i));
}

/* -1: not a snapshot; -2: damaged; -3: newer; 0: fine */
static int decode_header(uint8_t *h, header *hd)
{
    if (memcmp(h, MAGIC, 8))
        return -1;
    state_in in = { .data = h, .len = HDR_SIZE, .pos = 8 };
    hd->version = state_get_u32(&in);
    uint32_t crc = state_get_u32(&in);
    if (hd->version > SNAPSHOT_FORMAT_VERSION)
        return -3;
    memset(h + 12, 0, 4);
    if (crc32c(0, h, HDR_SIZE) != crc)
        return -2;
    hd->flags = state_get_u32(&in);
    hd->meta_crc = state_get_u32(&in);
    hd->file_size = state_get_u64(&in);
    hd->meta_off = state_get_u64(&in);
    hd->meta_len = state_get_u64(&in);
    hd->saved_at = (int64_t)state_get_u64(&in);
    hd->vm_clock = state_get_u64(&in);
    return 0;
}

/* ---- the machine's configuration: what a snapshot must be loaded into ---- */

static void put_config(machine *m, state_out *o)
{
    state_put_str(o, m->cls->name);
    state_put_str(o, m->accel ? m->accel->arch : "");
    state_put_u32(o, m->ncpus);
    state_put_u64(o, m->opts.ram_size);
    state_put_u32(o, (uint32_t)m->as.nram);
    for (int i = 0; i < m->as.nram; i++) {
        state_put_str(o, m->as.ram[i].name);
        state_put_u64(o, m->as.ram[i].base);
        state_put_u64(o, m->as.ram[i].size);
    }
    int n = device_list_count(m->devices);
    state_put_u32(o, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        state_put_str(o, device_name(m->devices, i));
        state_put_str(o, device_ops_of(m->devices, i)->type);
    }
    state_put_u32(o, (uint32_t)block_count());
    for (int i = 0; i < block_count(); i++) {
        state_put_u64(o, block_size(block_at(i)));
        state_put_u8(o, block_readonly(block_at(i)));
    }
}

/* Say what differs between the machine and the one a snapshot was saved on. */
static bool check_config(machine *m, const uint8_t *data, size_t len, char *what, size_t size)
{
    state_in in = { .data = data, .len = len };
    char s[256];
    state_get_str(&in, s, sizeof(s));
    if (strcmp(s, m->cls->name)) {
        snprintf(what, size, "it was saved on board '%s', this is '%s'", s, m->cls->name);
        return false;
    }
    state_get_str(&in, s, sizeof(s));
    if (strcmp(s, m->accel ? m->accel->arch : "")) {
        snprintf(what, size, "it was saved with %s CPUs, these are %s", s, m->accel ? m->accel->arch : "none");
        return false;
    }
    uint32_t ncpus = state_get_u32(&in);
    if (ncpus != m->ncpus) {
        snprintf(what, size, "it was saved with -smp %u, this machine has %u", ncpus, m->ncpus);
        return false;
    }
    uint64_t ram = state_get_u64(&in);
    if (ram != m->opts.ram_size) {
        snprintf(what, size, "it was saved with -m %lluM, this machine has %lluM",
                 (unsigned long long)(ram >> 20), (unsigned long long)(m->opts.ram_size >> 20));
        return false;
    }
    uint32_t nram = state_get_u32(&in);
    if (nram != (uint32_t)m->as.nram) {
        snprintf(what, size, "its RAM has %u regions, this machine's %d", nram, m->as.nram);
        return false;
    }
    for (uint32_t i = 0; i < nram; i++) {
        state_get_str(&in, s, sizeof(s));
        uint64_t b = state_get_u64(&in), sz = state_get_u64(&in);
        if (strcmp(s, m->as.ram[i].name) || b != m->as.ram[i].base || sz != m->as.ram[i].size) {
            snprintf(what, size, "its RAM region %s differs from this machine's", s);
            return false;
        }
    }
    uint32_t ndev = state_get_u32(&in);
    int mine = device_list_count(m->devices);
    char t[128];
    bool *seen = calloc((size_t)mine + 1, 1);
    if (!seen)
        fatal("out of memory");
    bool ok = true;
    for (uint32_t i = 0; i < ndev && !in.bad && ok; i++) {
        state_get_str(&in, s, sizeof(s));
        state_get_str(&in, t, sizeof(t));
        int k = device_find(m->devices, s);
        if (k < 0) {
            snprintf(what, size, "it has device %.100s (%.60s), which this machine has not", s, t);
            ok = false;
        } else if (strcmp(t, device_ops_of(m->devices, k)->type)) {
            snprintf(what, size, "its device %.100s is a %.60s, this machine's a %.60s", s, t,
                     device_ops_of(m->devices, k)->type);
            ok = false;
        } else {
            seen[k] = true;
        }
    }
    for (int k = 0; k < mine && ok && !in.bad; k++)
        if (!seen[k]) {
            snprintf(what, size, "this machine has device %s, which the snapshot has not",
                     device_name(m->devices, k));
            ok = false;
        }
    free(seen);
    if (!ok)
        return false;
    uint32_t nblk = state_get_u32(&in);
    if (!in.bad && nblk != (uint32_t)block_count()) {
        snprintf(what, size, "it has %u disk images, this machine %d", nblk, block_count());
        return false;
    }
    for (uint32_t i = 0; i < nblk && !in.bad; i++) {
        uint64_t sz = state_get_u64(&in);
        uint8_t ro = state_get_u8(&in);
        if (sz != block_size(block_at((int)i)) || ro != block_readonly(block_at((int)i))) {
            snprintf(what, size, "its disk %u (%llu bytes%s) differs from %s", i, (unsigned long long)sz,
                     ro ? ", read-only" : "", block_path(block_at((int)i)));
            return false;
        }
    }
    if (in.bad || in.pos != in.len) {
        snprintf(what, size, "its configuration section is malformed");
        return false;
    }
    return true;
}

/* ---- RAM ---- */

typedef struct ram_chunk {
    uint32_t crc, flags;
    uint64_t off, len;           /* where it is stored, and how many bytes */
} ram_chunk;

typedef struct ram_index {
    uint64_t data_off;           /* region's raw data (uncompressed) */
    uint64_t size;
    uint32_t nchunks;
    ram_chunk *c;
} ram_index;

static void put_ram_index(state_out *o, const ram_index *ri, int n)
{
    state_put_u32(o, CHUNK);
    state_put_u32(o, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        state_put_u64(o, ri[i].data_off);
        state_put_u64(o, ri[i].size);
        state_put_u32(o, ri[i].nchunks);
        for (uint32_t k = 0; k < ri[i].nchunks; k++) {
            state_put_u32(o, ri[i].c[k].crc);
            state_put_u32(o, ri[i].c[k].flags);
            state_put_u64(o, ri[i].c[k].off);
            state_put_u64(o, ri[i].c[k].len);
        }
    }
}

static void free_ram_index(ram_index *ri, int n)
{
    for (int i = 0; ri && i < n; i++)
        free(ri[i].c);
    free(ri);
}

#ifdef CONFIG_ZSTD
/* Compression of one region's chunks on every core: worker k takes chunks k, k+n, ...
 * into its own buffers; the main thread writes them in order. */
typedef struct zjob {
    const uint8_t *ram;
    ram_index *ri;
    uint8_t **out;               /* per chunk: its frame (NULL: zero chunk) */
    _Atomic uint32_t next;
    uint32_t written;            /* chunks the writer has taken (under lock) */
    uint32_t window;             /* how far ahead of it workers may go */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool *ready;
} zjob;

static void *zworker(void *arg)
{
    zjob *j = arg;
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    for (;;) {
        uint32_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->ri->nchunks)
            break;
        /* frames wait in memory until written in order: keep that bounded */
        pthread_mutex_lock(&j->lock);
        while (k >= j->written + j->window)
            pthread_cond_wait(&j->cond, &j->lock);
        pthread_mutex_unlock(&j->lock);
        uint64_t start = (uint64_t)k * CHUNK;
        size_t n = j->ri->size - start < CHUNK ? (size_t)(j->ri->size - start) : CHUNK;
        ram_chunk *c = &j->ri->c[k];
        c->crc = crc32c(0, j->ram + start, n);
        if (all_zero(j->ram + start, n)) {
            c->flags = CHUNK_ZERO;
            c->len = 0;
        } else {
            size_t cap = ZSTD_compressBound(n);
            uint8_t *buf = malloc(cap);
            size_t z = buf && cc ? ZSTD_compressCCtx(cc, buf, cap, j->ram + start, n, 3) : 0;
            if (!buf || !cc || ZSTD_isError(z))
                fatal("zstd: cannot compress guest RAM");
            j->out[k] = buf;
            c->len = z;
            /* the checksum covers what is stored: the frame */
            c->crc = crc32c(0, buf, z);
        }
        pthread_mutex_lock(&j->lock);
        j->ready[k] = true;
        pthread_cond_broadcast(&j->cond);
        pthread_mutex_unlock(&j->lock);
    }
    ZSTD_freeCCtx(cc);
    return NULL;
}

static int ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}
#endif

/* Write one region at *pos; fills its index. */
static bool write_ram(int fd, const mem_region *r, ram_index *ri, uint64_t *pos, bool compress,
                      uint64_t *stored, uint64_t total, uint64_t *progress_done)
{
    ri->data_off = *pos;
    ri->size = r->size;
    ri->nchunks = (uint32_t)((r->size + CHUNK - 1) / CHUNK);
    ri->c = calloc(ri->nchunks ? ri->nchunks : 1, sizeof(ram_chunk));
    if (!ri->c)
        fatal("out of memory");
#ifdef CONFIG_ZSTD
    if (compress) {
        zjob j = { .ram = r->host, .ri = ri };
        j.out = calloc(ri->nchunks + 1, sizeof(uint8_t *));
        j.ready = calloc(ri->nchunks + 1, sizeof(bool));
        if (!j.out || !j.ready)
            fatal("out of memory");
        pthread_mutex_init(&j.lock, NULL);
        pthread_cond_init(&j.cond, NULL);
        int nt = ncores();
        j.window = 4 * (uint32_t)nt;
        pthread_t th[16];
        for (int i = 0; i < nt; i++)
            if (pthread_create(&th[i], NULL, zworker, &j))
                fatal("cannot start a compression thread");
        bool ok = true;
        for (uint32_t k = 0; k < ri->nchunks; k++) {
            pthread_mutex_lock(&j.lock);
            while (!j.ready[k])
                pthread_cond_wait(&j.cond, &j.lock);
            j.written = k + 1;
            pthread_cond_broadcast(&j.cond);
            pthread_mutex_unlock(&j.lock);
            ri->c[k].off = *pos;
            if (ok && j.out[k]) {
                ok = pwrite_full(fd, j.out[k], ri->c[k].len, *pos);
                *pos += ri->c[k].len;
                *stored += ri->c[k].len;
            }
            free(j.out[k]);
            *progress_done += CHUNK;
            if (progress && (k % 64 == 63))
                progress("saving", *progress_done, total);
        }
        for (int i = 0; i < nt; i++)
            pthread_join(th[i], NULL);
        free(j.out);
        free(j.ready);
        *pos = (*pos + PAGE - 1) & ~(uint64_t)(PAGE - 1);
        return ok;
    }
#else
    (void)compress;
#endif
    for (uint32_t k = 0; k < ri->nchunks; k++) {
        uint64_t start = (uint64_t)k * CHUNK;
        size_t n = r->size - start < CHUNK ? (size_t)(r->size - start) : CHUNK;
        const uint8_t *p = r->host + start;
        ram_chunk *c = &ri->c[k];
        c->off = *pos + start;
        c->len = n;
        c->crc = crc32c(0, p, n);
        bool any = false;
        /* runs of non-zero pages are written; zero pages stay holes */
        for (size_t pg = 0; pg < n;) {
            if (all_zero(p + pg, PAGE)) {
                pg += PAGE;
                continue;
            }
            size_t end = pg + PAGE;
            while (end < n && !all_zero(p + end, PAGE))
                end += PAGE;
            if (!pwrite_full(fd, p + pg, end - pg, c->off + pg))
                return false;
            *stored += end - pg;
            any = true;
            pg = end;
        }
        if (!any)
            c->flags = CHUNK_ZERO;
        *progress_done += n;
        if (progress && (k % 64 == 63))
            progress("saving", *progress_done, total);
    }
    *pos += (r->size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    return true;
}

/* ---- saving ---- */

static char *disk_copy_name(const char *path, const char *tag, int i)
{
    char *s;
    if (asprintf(&s, "%s.%s.disk%d", path, tag, i) < 0)
        fatal("out of memory");
    return s;
}

/* The disk copies an existing snapshot names, to delete them with it: only names a
 * save of this very path makes (PATH.XXXXXX.diskN beside it), so a copied or crafted
 * file cannot delete anything else. */
static int read_disk_names(const char *path, char ***names);

static bool own_copy_name(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    const char *bn = slash ? slash + 1 : path;
    size_t n = strlen(bn);
    if (strncmp(name, bn, n) || name[n] != '.')
        return false;
    const char *p = name + n + 1;
    for (int i = 0; i < 6; i++, p++)
        if (!*p || *p == '/' || *p == '.')
            return false;
    if (strncmp(p, ".disk", 5))
        return false;
    p += 5;
    if (!*p)
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

int snapshot_save(machine *m, const char *path, const snapshot_save_opts *o, char *err, size_t errsize)
{
    uint64_t t0 = now_ns();
    memset(&last, 0, sizeof(last));
    last.save = true;
    if (errsize)
        err[0] = 0;
    if (!m->cls->save_cpus) {
        snprintf(err, errsize, "the %s board cannot be saved", m->cls->name);
        return -1;
    }
#ifndef CONFIG_ZSTD
    if (o && o->compress) {
        snprintf(err, errsize, "this tern was built without zstd: cannot compress");
        return -1;
    }
#endif
    char why[300];
    if (m->cls->pre_save && m->cls->pre_save(m, why, sizeof(why)) < 0) {
        snprintf(err, errsize, "cannot save now: %s", why);
        return -1;
    }
    int ndev = device_list_count(m->devices);
    for (int i = 0; i < ndev; i++) {
        const device_ops *ops = device_ops_of(m->devices, i);
        if (ops->pre_save && ops->pre_save(device_instance(m->devices, i), why, sizeof(why)) < 0) {
            snprintf(err, errsize, "cannot save now: %s: %s", device_name(m->devices, i), why);
            return -1;
        }
    }

    /* a symbolic link is followed (as QEMU writes through it); anything but a regular
     * file at the destination is refused rather than replaced */
    char *real = realpath(path, NULL);
    struct stat dst;
    if (real)
        path = real;
    if (stat(path, &dst) == 0 && !S_ISREG(dst.st_mode)) {
        snprintf(err, errsize, "cannot write %s: not a regular file", path);
        free(real);
        return -1;
    }
    snapshot_wait_checked();
    /* the temporary file beside the destination, so that rename() is atomic */
    char *tmp;
    if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
        fatal("out of memory");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        free(real);
        return -1;
    }
    const char *tag = tmp + strlen(path) + 5;      /* mkstemp's six characters */
    int nblk = block_count();
    char **copies = calloc((size_t)nblk + 1, sizeof(char *));
    if (!copies)
        fatal("out of memory");
    bool ok = true;

    /* RAM writes from now on are measured against this snapshot */
    as_ram_track(&m->as, true);
    base_drop();

    state_out meta = { 0 }, body = { 0 };
    /* configuration */
    put_config(m, &body);
    section(&meta, T_CONF, 1, "", &body);
    body.len = 0;
    /* guest time */
    state_put_u64(&body, vclock_ns());
    section(&meta, T_CLCK, 1, "", &body);
    body.len = 0;
    /* CPUs */
    m->cls->save_cpus(m, &body);
    section(&meta, T_CPUS, m->cls->cpu_state_version, "", &body);
    body.len = 0;
    /* devices */
    for (int i = 0; i < ndev; i++) {
        const device_ops *ops = device_ops_of(m->devices, i);
        void *dev = device_instance(m->devices, i);
        if (ops->state)
            state_save(ops->state, dev, &body);
        if (ops->save_extra)
            ops->save_extra(dev, &body);
        section(&meta, T_DEV, ops->state ? ops->state->version : 0, device_name(m->devices, i), &body);
        body.len = 0;
    }
    /* networks: after the devices on load */
    net_state_save(&body);
    section(&meta, T_NET, 1, "", &body);
    body.len = 0;
    /* disks */
    state_put_u32(&body, (uint32_t)nblk);
    for (int i = 0; i < nblk && ok; i++) {
        block *b = block_at(i);
        if (block_readonly(b)) {
            uint64_t size;
            int64_t mtime;
            block_identity(b, &size, &mtime);
            state_put_u8(&body, 0);
            state_put_str(&body, block_path(b));
            state_put_u64(&body, size);
            state_put_u64(&body, (uint64_t)mtime);
            continue;
        }
        copies[i] = disk_copy_name(path, tag, i);
        char why[300];
        if (!block_save_copy(b, copies[i], why, sizeof(why))) {
            snprintf(err, errsize, "cannot write %s: %s", path, why);
            free(copies[i]);
            copies[i] = NULL;
            ok = false;
            break;
        }
        /* named without a directory: the copy lies beside the snapshot */
        const char *slash = strrchr(path, '/');
        char *bn = disk_copy_name(slash ? slash + 1 : path, tag, i);
        state_put_u8(&body, 1);
        state_put_str(&body, bn);
        free(bn);
        state_put_u64(&body, block_size(b));
        state_put_u64(&body, 0);
    }
    if (ok) {
        section(&meta, T_DISK, 1, "", &body);
        body.len = 0;
    }

    /* RAM */
    uint64_t pos = HDR_SIZE, stored = 0, total = 0, done = 0;
    for (int i = 0; i < m->as.nram; i++)
        total += m->as.ram[i].size;
    ram_index *ri = calloc((size_t)m->as.nram + 1, sizeof(ram_index));
    if (!ri)
        fatal("out of memory");
    bool compress = o && o->compress;
    for (int i = 0; i < m->as.nram && ok; i++)
        if (!write_ram(fd, &m->as.ram[i], &ri[i], &pos, compress, &stored, total, &done))
            ok = false;
    if (ok) {
        put_ram_index(&body, ri, m->as.nram);
        section(&meta, T_RAMI, 1, "", &body);
        body.len = 0;
    }
    free_ram_index(ri, m->as.nram);

    /* metadata, then the header that points at it */
    header hd = { .version = SNAPSHOT_FORMAT_VERSION, .flags = compress ? HF_COMPRESSED : 0,
                  .meta_off = pos, .meta_len = meta.len, .meta_crc = crc32c(0, meta.data, meta.len),
                  .file_size = pos + meta.len, .saved_at = (int64_t)time(NULL), .vm_clock = vclock_ns() };
    uint8_t h[HDR_SIZE];
    encode_header(h, &hd);
    if (ok && !(pwrite_full(fd, meta.data, meta.len, pos) && pwrite_full(fd, h, HDR_SIZE, 0) &&
                ftruncate(fd, (off_t)hd.file_size) == 0 && fdatasync(fd) == 0)) {
        ok = false;
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
    } else if (!ok && !err[0]) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
    }
    state_out_free(&meta);
    state_out_free(&body);

    char **old = NULL;
    int nold = ok ? read_disk_names(path, &old) : 0;
    if (ok && rename(tmp, path) != 0) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        for (int i = 0; i < nblk; i++)
            if (copies[i])
                unlink(copies[i]);
    } else {
        /* the snapshot this one replaced: its disk copies go too */
        for (int i = 0; i < nold; i++) {
            bool mine = false;
            for (int k = 0; k < nblk; k++)
                if (copies[k] && !strcmp(copies[k], old[i]))
                    mine = true;
            if (!mine)
                unlink(old[i]);
        }
        trust_file(fd);
        for (int i = 0; i < nblk; i++)
            if (copies[i])
                block_set_base(block_at(i), copies[i]);
        /* RAM goes back to this file in place from now on (raw RAM only) */
        if (!compress) {
            base.fd = open(path, O_RDONLY | O_CLOEXEC);
            struct stat st;
            if (base.fd >= 0 && fstat(base.fd, &st) == 0) {
                base.dev = st.st_dev;
                base.ino = st.st_ino;
            } else {
                base_drop();
            }
        }
    }
    for (int i = 0; i < nold; i++)
        free(old[i]);
    free(old);
    for (int i = 0; i < nblk; i++)
        free(copies[i]);
    free(copies);
    close(fd);
    free(tmp);
    free(real);
    if (progress)
        progress(NULL, 0, 0);
    last.ok = ok;
    last.total_ns = now_ns() - t0;
    last.ram_bytes = total;
    last.ram_written = stored;
    last.file_bytes = hd.file_size;
    return ok ? 0 : -1;
}

/* ---- reading ---- */

typedef struct sect {
    uint32_t tag, version;
    char name[128];
    const uint8_t *data;
    size_t len;
} sect;

typedef struct snapfile {
    int fd;
    header hd;
    uint8_t *meta;
    sect *s;
    int ns;
    char *dir;                   /* where the disk copies are */
} snapfile;

static void snapfile_close(snapfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->meta);
    free(f->s);
    free(f->dir);
    memset(f, 0, sizeof(*f));
    f->fd = -1;
}

/* Open and check everything but RAM contents. */
static int snapfile_open(snapfile *f, const char *path, char *err, size_t errsize)
{
    memset(f, 0, sizeof(*f));
    /* not blocking: a FIFO would wait for a writer forever */
    f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (f->fd < 0 || fstat(f->fd, &st) < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "%s: not a regular file", path);
        return -1;
    }
    uint8_t h[HDR_SIZE];
    if ((uint64_t)st.st_size < 8 || !pread_full(f->fd, h, (uint64_t)st.st_size < HDR_SIZE ? (size_t)st.st_size : HDR_SIZE, 0) ||
        memcmp(h, MAGIC, 8)) {
        snprintf(err, errsize, "%s is not a tern snapshot", path);
        return -1;
    }
    if (st.st_size < HDR_SIZE) {
        snprintf(err, errsize, "%s is truncated (%lld bytes)", path, (long long)st.st_size);
        return -1;
    }
    int r = decode_header(h, &f->hd);
    if (r == -3) {
        snprintf(err, errsize, "%s has snapshot format version %u; this tern reads version %d or older",
                 path, f->hd.version, SNAPSHOT_FORMAT_VERSION);
        return -1;
    }
    if (r < 0) {
        snprintf(err, errsize, "%s is damaged: its header fails its checksum", path);
        return -1;
    }
    if (f->hd.file_size != (uint64_t)st.st_size) {
        snprintf(err, errsize, "%s is %s: %llu bytes, the header says %llu", path,
                 (uint64_t)st.st_size < f->hd.file_size ? "truncated" : "damaged",
                 (unsigned long long)st.st_size, (unsigned long long)f->hd.file_size);
        return -1;
    }
    if (f->hd.meta_off < HDR_SIZE || f->hd.meta_len > 1u << 30 || f->hd.meta_off + f->hd.meta_len != f->hd.file_size) {
        snprintf(err, errsize, "%s is damaged: its header is inconsistent", path);
        return -1;
    }
    f->meta = malloc(f->hd.meta_len + 1);
    if (!f->meta)
        fatal("out of memory");
    if (!pread_full(f->fd, f->meta, f->hd.meta_len, f->hd.meta_off)) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno ? errno : EIO));
        return -1;
    }
    if (crc32c(0, f->meta, f->hd.meta_len) != f->hd.meta_crc) {
        snprintf(err, errsize, "%s is damaged: its state fails its checksum", path);
        return -1;
    }
    state_in in = { .data = f->meta, .len = f->hd.meta_len };
    while (in.pos < in.len && !in.bad) {
        sect s = { 0 };
        s.tag = state_get_u32(&in);
        s.version = state_get_u32(&in);
        state_get_str(&in, s.name, sizeof(s.name));
        uint64_t len = state_get_u64(&in);
        uint32_t crc = state_get_u32(&in);
        if (len > in.len)
            in.bad = true;
        s.data = state_get_ptr(&in, (size_t)len);
        s.len = (size_t)len;
        if (in.bad)
            break;
        if (crc32c(0, s.data, s.len) != crc) {
            snprintf(err, errsize, "%s is damaged: section %.4s %s fails its checksum", path, (char *)&s.tag, s.name);
            return -1;
        }
        if (f->ns == 1 << 16) {            /* far beyond any machine's devices */
            in.bad = true;
            break;
        }
        if ((f->ns & (f->ns - 1)) == 0) {
            f->s = realloc(f->s, sizeof(sect) * (size_t)(f->ns ? 2 * f->ns : 16));
            if (!f->s)
                fatal("out of memory");
        }
        f->s[f->ns++] = s;
    }
    if (in.bad) {
        snprintf(err, errsize, "%s is damaged: its sections are malformed", path);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    f->dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    if (!f->dir)
        fatal("out of memory");
    return 0;
}

static const sect *find_sect(const snapfile *f, uint32_t tag, const char *name)
{
    for (int i = 0; i < f->ns; i++)
        if (f->s[i].tag == tag && (!name || !strcmp(f->s[i].name, name)))
            return &f->s[i];
    return NULL;
}

static int read_disk_names(const char *path, char ***names)
{
    snapfile f;
    char err[256];
    *names = NULL;
    int n = 0;
    if (snapfile_open(&f, path, err, sizeof(err)) == 0) {
        const sect *d = find_sect(&f, T_DISK, NULL);
        state_in in = { .data = d ? d->data : NULL, .len = d ? d->len : 0 };
        uint32_t cnt = d ? state_get_u32(&in) : 0;
        for (uint32_t i = 0; i < cnt && !in.bad && i < 64; i++) {
            char name[PATH_MAX];
            uint8_t copied = state_get_u8(&in);
            state_get_str(&in, name, sizeof(name));
            state_get_u64(&in);
            state_get_u64(&in);
            if (!copied || in.bad || !own_copy_name(path, name))
                continue;
            *names = realloc(*names, sizeof(char *) * (size_t)(n + 1));
            if (!*names || asprintf(&(*names)[n], "%s/%s", f.dir, name) < 0)
                fatal("out of memory");
            n++;
        }
    }
    snapfile_close(&f);
    return n;
}

int snapshot_read_info(const char *path, snapshot_info *info)
{
    snapfile f;
    char err[256];
    memset(info, 0, sizeof(*info));
    if (snapfile_open(&f, path, err, sizeof(err)) < 0) {
        snapfile_close(&f);
        return -1;
    }
    info->vm_clock_ns = f.hd.vm_clock;
    info->saved_at = f.hd.saved_at;
    struct stat st;
    if (fstat(f.fd, &st) == 0)
        info->file_bytes = (uint64_t)st.st_blocks * 512;
    snapfile_close(&f);
    char **names;
    int n = read_disk_names(path, &names);
    for (int i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0)
            info->file_bytes += (uint64_t)st.st_blocks * 512;
        free(names[i]);
    }
    free(names);
    return 0;
}

int snapshot_delete(const char *path, char *err, size_t errsize)
{
    char **names;
    int n = read_disk_names(path, &names);
    for (int i = 0; i < n; i++) {
        unlink(names[i]);
        free(names[i]);
    }
    free(names);
    if (unlink(path) != 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static bool parse_ram_index(const snapfile *f, machine *m, ram_index **out, char *err, size_t errsize, const char *path)
{
    const sect *s = find_sect(f, T_RAMI, NULL);
    if (!s) {
        snprintf(err, errsize, "%s is damaged: it has no RAM index", path);
        return false;
    }
    state_in in = { .data = s->data, .len = s->len };
    uint32_t chunk = state_get_u32(&in), n = state_get_u32(&in);
    if (chunk != CHUNK || n != (uint32_t)m->as.nram) {
        snprintf(err, errsize, "%s: its RAM index does not fit this machine", path);
        return false;
    }
    bool compressed = f->hd.flags & HF_COMPRESSED;
    ram_index *ri = calloc(n + 1, sizeof(ram_index));
    if (!ri)
        fatal("out of memory");
    for (uint32_t i = 0; i < n && !in.bad; i++) {
        ri[i].data_off = state_get_u64(&in);
        ri[i].size = state_get_u64(&in);
        ri[i].nchunks = state_get_u32(&in);
        if (ri[i].size != m->as.ram[i].size || ri[i].nchunks != (ri[i].size + CHUNK - 1) / CHUNK ||
            (ri[i].data_off & (PAGE - 1))) {
            in.bad = true;
            break;
        }
        ri[i].c = calloc(ri[i].nchunks + 1, sizeof(ram_chunk));
        if (!ri[i].c)
            fatal("out of memory");
        for (uint32_t k = 0; k < ri[i].nchunks && !in.bad; k++) {
            ram_chunk *c = &ri[i].c[k];
            c->crc = state_get_u32(&in);
            c->flags = state_get_u32(&in);
            c->off = state_get_u64(&in);
            c->len = state_get_u64(&in);
            uint64_t want = ri[i].size - (uint64_t)k * CHUNK < CHUNK ? ri[i].size - (uint64_t)k * CHUNK : CHUNK;
            /* everything must lie between the header and the metadata */
            if (c->off < HDR_SIZE || c->len > f->hd.meta_off || c->off > f->hd.meta_off - c->len ||
                (!compressed && (c->len != want || c->off != ri[i].data_off + (uint64_t)k * CHUNK)) ||
                (compressed && c->len > ZSTD_BOUND_GUESS(want)))
                in.bad = true;
        }
        if (!compressed && ri[i].data_off + ri[i].size > f->hd.meta_off)
            in.bad = true;
    }
    if (in.bad || in.pos != in.len) {
        free_ram_index(ri, (int)n);
        snprintf(err, errsize, "%s is damaged: its RAM index is malformed", path);
        return false;
    }
    *out = ri;
    return true;
}

/* ---- checking RAM ---- */

/* Whether chunk c holds what its checksum says (buf: room for a chunk). */
static bool verify_chunk(int fd, const ram_chunk *c, bool compressed, uint8_t *buf)
{
    if (c->flags & CHUNK_ZERO) {
        if (compressed)
            return c->len == 0;
        /* a hole, as written; or zeroes, if the file was copied without holes */
        off_t d = lseek(fd, (off_t)c->off, SEEK_DATA);
        if ((d < 0 && errno == ENXIO) || (d >= 0 && (uint64_t)d >= c->off + c->len))
            return true;
        return pread_full(fd, buf, c->len, c->off) && all_zero(buf, c->len);
    }
    return pread_full(fd, buf, c->len, c->off) && crc32c(0, buf, c->len) == c->crc;
}

typedef struct verify_job {
    int fd;
    char *path;
    ram_index *ri;
    uint64_t *gpa;               /* each region's guest-physical base */
    int n;
    bool compressed;
    uint64_t bad_at;             /* guest-physical address of a bad chunk */
} verify_job;

static bool verify_all(verify_job *j, bool show)
{
    uint8_t *buf = malloc(ZSTD_BOUND_GUESS(CHUNK));
    if (!buf)
        fatal("out of memory");
    uint64_t total = 0, done = 0;
    for (int i = 0; i < j->n; i++)
        total += j->ri[i].size;
    bool ok = true;
    for (int i = 0; i < j->n && ok; i++)
        for (uint32_t k = 0; k < j->ri[i].nchunks && ok; k++) {
            if (!verify_chunk(j->fd, &j->ri[i].c[k], j->compressed, buf)) {
                j->bad_at = j->gpa[i] + (uint64_t)k * CHUNK;
                ok = false;
            }
            done += j->ri[i].c[k].flags & CHUNK_ZERO || j->compressed ? 
                    (j->ri[i].size - (uint64_t)k * CHUNK < CHUNK ? j->ri[i].size - (uint64_t)k * CHUNK : CHUNK)
                    : j->ri[i].c[k].len;
            if (show && progress && k % 64 == 63)
                progress("checking", done, total);
        }
    free(buf);
    return ok;
}

/* Alongside a guest restored at start-up: nothing on the host has been written yet
 * (every writable disk keeps its writes in an overlay), so a damaged file ends the run
 * here with the one line a bad file always gets. */
static void *verify_thread(void *arg)
{
    verify_job *j = arg;
    if (!verify_all(j, false)) {
        fprintf(stderr, "tern: %s is damaged: RAM at 0x%llx fails its checksum\n", j->path,
                (unsigned long long)j->bad_at);
        _exit(2);
    }
    pthread_mutex_lock(&check_lock);
    checking = false;
    pthread_cond_broadcast(&check_done);
    pthread_mutex_unlock(&check_lock);
    close(j->fd);
    free_ram_index(j->ri, j->n);
    free(j->gpa);
    free(j->path);
    free(j);
    return NULL;
}

/* ---- loading RAM ---- */

/* RAM mapped from a snapshot file faults with SIGBUS if the file shrinks under it
 * (truncated or rewritten in place by something else): one line, exit status 2, rather
 * than a crash. */
#define MAX_MAPPED 8
static struct { uintptr_t start, end; } mapped[MAX_MAPPED];
static _Atomic int nmapped;
static struct sigaction old_bus;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < atomic_load(&nmapped); i++)
        if (a >= mapped[i].start && a < mapped[i].end) {
            static const char msg[] = "tern: the snapshot file guest RAM is mapped from was truncated "
                                      "or rewritten: cannot go on\n";
            chardev_restore_terminal();
            ssize_t r = write(2, msg, sizeof(msg) - 1);
            (void)r;
            _exit(2);
        }
    /* not ours: whoever handled it before, else the default action on return */
    if (old_bus.sa_flags & SA_SIGINFO && old_bus.sa_sigaction)
        old_bus.sa_sigaction(sig, si, ctx);
    else if (old_bus.sa_handler != SIG_DFL && old_bus.sa_handler != SIG_IGN)
        old_bus.sa_handler(sig);
    else
        signal(SIGBUS, SIG_DFL);
}

static void watch_mapping(mem_region *r)
{
    static bool installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGBUS, &sa, &old_bus);
        installed = true;
    }
    int n = atomic_load(&nmapped);
    for (int i = 0; i < n; i++)
        if (mapped[i].start == (uintptr_t)r->host)
            return;
    if (n < MAX_MAPPED) {
        mapped[n].start = (uintptr_t)r->host;
        mapped[n].end = (uintptr_t)r->host + r->size;
        atomic_store(&nmapped, n + 1);
    }
}

#ifdef CONFIG_ZSTD
typedef struct unzjob {
    int fd;
    mem_region *r;
    const ram_index *ri;
    _Atomic uint32_t next;
    _Atomic bool failed;
} unzjob;

static void *unz_worker(void *arg)
{
    unzjob *j = arg;
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    uint8_t *buf = malloc(ZSTD_BOUND_GUESS(CHUNK));
    if (!dc || !buf)
        fatal("out of memory");
    for (;;) {
        uint32_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->ri->nchunks || atomic_load(&j->failed))
            break;
        const ram_chunk *c = &j->ri->c[k];
        uint64_t start = (uint64_t)k * CHUNK;
        size_t want = j->ri->size - start < CHUNK ? (size_t)(j->ri->size - start) : CHUNK;
        uint8_t *dst = j->r->host + start;
        if (c->flags & CHUNK_ZERO)
            continue;            /* the region was made zero before */
        size_t got = 0;
        if (pread_full(j->fd, buf, c->len, c->off))
            got = ZSTD_decompressDCtx(dc, dst, want, buf, c->len);
        if (ZSTD_isError(got) || got != want)
            atomic_store(&j->failed, true);
    }
    free(buf);
    ZSTD_freeDCtx(dc);
    return NULL;
}

static bool unzip_region(address_space *as, int fd, mem_region *r, const ram_index *ri)
{
    as_zero_ram(as, r);
    unzjob j = { .fd = fd, .r = r, .ri = ri };
    int nt = ncores();
    pthread_t th[16];
    for (int i = 0; i < nt; i++)
        if (pthread_create(&th[i], NULL, unz_worker, &j))
            fatal("cannot start a decompression thread");
    for (int i = 0; i < nt; i++)
        pthread_join(th[i], NULL);
    return !atomic_load(&j.failed);
}
#endif

/* Going back in place: the pages written since the snapshot, read back from it. */
static bool read_back_dirty(int fd, mem_region *r, const ram_index *ri, uint64_t *pages)
{
    uint64_t npages = r->size / PAGE;
    for (uint64_t p = 0; p < npages;) {
        uint64_t w = r->dirty ? atomic_load_explicit(&r->dirty[p / 64], memory_order_relaxed) : 0;
        if (!(w >> (p % 64) & 1)) {
            p = (p % 64 == 0 && !w) ? p + 64 : p + 1;
            continue;
        }
        uint64_t end = p + 1;
        while (end < npages && (atomic_load_explicit(&r->dirty[end / 64], memory_order_relaxed) >> (end % 64) & 1))
            end++;
        if (!pread_full(fd, r->host + p * PAGE, (end - p) * PAGE, ri->data_off + p * PAGE))
            return false;
        *pages += end - p;
        p = end;
    }
    return true;
}

/* ---- loading ---- */

int snapshot_load(machine *m, const char *path, bool startup, bool *changed, char *err, size_t errsize)
{
    uint64_t t0 = now_ns();
    *changed = false;
    memset(&last, 0, sizeof(last));
    snapfile f;
    ram_index *ri = NULL;
    char **disk = NULL;          /* per image: the copy to load, NULL: read-only */
    uint64_t *gpa = NULL;
    int nblk = block_count();
    int rc = -1;
    if (!m->cls->load_cpus) {
        snprintf(err, errsize, "the %s board cannot load snapshots", m->cls->name);
        return -1;
    }
    if (snapfile_open(&f, path, err, errsize) < 0)
        goto out;

    /* everything is checked before anything changes */
    char what[300];
    const sect *conf = find_sect(&f, T_CONF, NULL), *clk = find_sect(&f, T_CLCK, NULL);
    const sect *cpus = find_sect(&f, T_CPUS, NULL), *dsk = find_sect(&f, T_DISK, NULL);
    const sect *net = find_sect(&f, T_NET, NULL);
    if (!conf || !clk || !cpus || !dsk || !net || clk->len != 8) {
        snprintf(err, errsize, "%s is damaged: a section is missing", path);
        goto out;
    }
    if (!check_config(m, conf->data, conf->len, what, sizeof(what))) {
        snprintf(err, errsize, "%s does not fit this machine: %s", path, what);
        goto out;
    }
    if (cpus->version > m->cls->cpu_state_version) {
        snprintf(err, errsize, "%s holds CPU state version %u; this tern reads up to %u", path,
                 cpus->version, m->cls->cpu_state_version);
        goto out;
    }
    int ndev = device_list_count(m->devices);
    for (int i = 0; i < ndev; i++) {
        const device_ops *ops = device_ops_of(m->devices, i);
        const sect *s = find_sect(&f, T_DEV, device_name(m->devices, i));
        uint32_t mine = ops->state ? ops->state->version : 0;
        if (!s) {
            snprintf(err, errsize, "%s is damaged: no state for device %s", path, device_name(m->devices, i));
            goto out;
        }
        if (s->version > mine) {
            snprintf(err, errsize, "%s holds state version %u of device %s; this tern reads up to %u",
                     path, s->version, device_name(m->devices, i), mine);
            goto out;
        }
        size_t fixed = ops->state ? state_size(ops->state, s->version) : 0;
        if (ops->load_extra ? s->len < fixed : s->len != fixed) {
            snprintf(err, errsize, "%s is damaged: the state of device %s has the wrong size", path,
                     device_name(m->devices, i));
            goto out;
        }
    }
    disk = calloc((size_t)nblk + 1, sizeof(char *));
    if (!disk)
        fatal("out of memory");
    bool writes_host = false;
    {
        state_in in = { .data = dsk->data, .len = dsk->len };
        uint32_t n = state_get_u32(&in);
        if (n != (uint32_t)nblk)
            in.bad = true;
        for (int i = 0; i < nblk && !in.bad; i++) {
            char name[PATH_MAX];
            uint8_t copied = state_get_u8(&in);
            state_get_str(&in, name, sizeof(name));
            uint64_t size = state_get_u64(&in);
            int64_t mtime = (int64_t)state_get_u64(&in);
            if (in.bad)
                break;
            block *b = block_at(i);
            if (!copied) {
                uint64_t sz;
                int64_t mt;
                if (!block_identity(b, &sz, &mt) || sz != size || mt != mtime) {
                    snprintf(err, errsize, "%s: the read-only image %s changed since the snapshot was saved",
                             path, block_path(b));
                    goto out;
                }
                continue;
            }
            if (strchr(name, '/') || asprintf(&disk[i], "%s/%s", f.dir, name) < 0) {
                in.bad = true;
                break;
            }
            struct stat st;
            if (stat(disk[i], &st) != 0 || (uint64_t)st.st_size != size) {
                snprintf(err, errsize, "%s: its disk copy %s is missing or the wrong size", path, disk[i]);
                goto out;
            }
            if (!block_is_overlay(b))
                writes_host = true;
        }
        if (in.bad || in.pos != in.len) {
            snprintf(err, errsize, "%s is damaged: its disk section is malformed", path);
            goto out;
        }
    }
    if (!parse_ram_index(&f, m, &ri, err, errsize, path))
        goto out;
    bool compressed = f.hd.flags & HF_COMPRESSED;
#ifndef CONFIG_ZSTD
    if (compressed) {
        snprintf(err, errsize, "%s holds compressed RAM, and this tern was built without zstd", path);
        goto out;
    }
#endif
    struct stat st;
    bool incremental = !compressed && base.fd >= 0 && fstat(f.fd, &st) == 0 && st.st_dev == base.dev &&
                       st.st_ino == base.ino && atomic_load(&m->as.ram_track);
    bool background = startup && !compressed && !writes_host && !is_trusted(f.fd);
    gpa = calloc((size_t)m->as.nram + 1, sizeof(uint64_t));
    if (!gpa)
        fatal("out of memory");
    for (int i = 0; i < m->as.nram; i++)
        gpa[i] = m->as.ram[i].base;
    verify_job vj = { .fd = f.fd, .ri = ri, .gpa = gpa, .n = m->as.nram, .compressed = compressed };
    bool checked = incremental || is_trusted(f.fd);
    if (!checked && !background && !verify_all(&vj, true)) {
        if (progress)
            progress(NULL, 0, 0);
        snprintf(err, errsize, "%s is damaged: RAM at 0x%llx fails its checksum", path, (unsigned long long)vj.bad_at);
        goto out;
    }

    /* ---- from here on the machine changes ---- */
    *changed = true;
    uint64_t clock;
    memcpy(&clock, clk->data, 8);
    /* guest time stands at the saved value until the machine runs again */
    vclock_stop();
    vclock_set(le64toh(clock));
    uint64_t ram_total = 0, pages = 0;
    for (int i = 0; i < m->as.nram; i++) {
        mem_region *r = &m->as.ram[i];
        ram_total += r->size;
        bool ok;
        if (incremental)
            ok = read_back_dirty(base.fd, r, &ri[i], &pages);
#ifdef CONFIG_ZSTD
        else if (compressed)
            ok = unzip_region(&m->as, f.fd, r, &ri[i]);
#endif
        else if (as_map_ram_file(&m->as, r, f.fd, ri[i].data_off)) {
            watch_mapping(r);
            ok = true;
        } else {
            ok = pread_full(f.fd, r->host, r->size, ri[i].data_off);
        }
        if (!ok) {
            snprintf(err, errsize, "%s: cannot read its RAM: %s", path, strerror(errno ? errno : EIO));
            goto out;
        }
    }
    as_ram_track(&m->as, true);
    if (!incremental) {
        base_drop();
        if (!compressed && fstat(f.fd, &st) == 0) {
            base.fd = dup(f.fd);
            base.dev = st.st_dev;
            base.ino = st.st_ino;
        }
    }
    state_in in = { .data = cpus->data, .len = cpus->len };
    if (!m->cls->load_cpus(m, &in, cpus->version, what, sizeof(what)) || in.pos != in.len) {
        snprintf(err, errsize, "%s: CPU state: %s", path, in.pos != in.len ? "wrong size" : what);
        goto out;
    }
    for (int i = 0; i < ndev; i++) {
        const device_ops *ops = device_ops_of(m->devices, i);
        void *dev = device_instance(m->devices, i);
        const sect *s = find_sect(&f, T_DEV, device_name(m->devices, i));
        state_in d = { .data = s->data, .len = s->len };
        bool ok = !ops->state || state_load(ops->state, dev, &d, s->version);
        what[0] = 0;
        if (ok && ops->load_extra)
            ok = ops->load_extra(dev, &d, s->version, what, sizeof(what));
        if (!ok || d.bad || d.pos != d.len) {
            snprintf(err, errsize, "%s: device %s: %s", path, device_name(m->devices, i),
                     what[0] ? what : "its state has the wrong size");
            goto out;
        }
    }
    /* libslirp loads into a fresh stack only: going back in place keeps the live one
     * (its connections go on), as the network is outside the machine anyway */
    if (startup) {
        state_in ni = { .data = net->data, .len = net->len };
        if (!net_state_load(&ni, what, sizeof(what))) {
            snprintf(err, errsize, "%s: network: %s", path, what);
            goto out;
        }
    }
    /* the disks last: a state the machine refused must leave the host's images alone */
    for (int i = 0; i < nblk; i++) {
        char why[400];
        if (disk[i] && !block_load_copy(block_at(i), disk[i], why, sizeof(why))) {
            snprintf(err, errsize, "%s", why);
            goto out;
        }
    }
    for (int i = 0; i < ndev; i++) {
        const device_ops *ops = device_ops_of(m->devices, i);
        if (ops->post_load)
            ops->post_load(device_instance(m->devices, i));
    }
    if (background) {
        verify_job *j = malloc(sizeof(*j));
        pthread_t th;
        if (!j)
            fatal("out of memory");
        *j = vj;
        j->fd = dup(f.fd);
        j->path = strdup(path);
        ri = NULL;               /* the thread owns them */
        gpa = NULL;
        checking = true;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (j->fd < 0 || !j->path || pthread_create(&th, &a, verify_thread, j) != 0)
            fatal("cannot start checking %s", path);
        pthread_attr_destroy(&a);
    }
    if (!background)
        trust_file(f.fd);        /* checked now (or before) */
    rc = 0;
    last.incremental = incremental;
    last.pages_back = pages;
    last.ram_bytes = ram_total;
    last.ram_written = incremental ? pages * PAGE : ram_total;
    last.file_bytes = f.hd.file_size;
out:
    if (progress)
        progress(NULL, 0, 0);
    /* names quoted from a damaged file may hold any byte: the message stays one line */
    for (char *p = err; rc < 0 && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (rc < 0 && *changed)
        base_drop();             /* RAM follows no snapshot any more */
    free_ram_index(ri, m->as.nram);
    free(gpa);
    for (int i = 0; disk && i < nblk; i++)
        free(disk[i]);
    free(disk);
    snapfile_close(&f);
    last.ok = rc == 0;
    last.total_ns = now_ns() - t0;
    return rc;
}
