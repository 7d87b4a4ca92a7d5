/*
 * Raw disk images (see block.h). The snapshot overlay works in 64 KiB chunks: a chunk is
 * copied from the file on its first write and served from memory afterwards.
 */
#include "core/block.h"
#include "core/fileio.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct block {
    int fd;
    uint64_t size;
    bool readonly, snapshot;
    uint8_t **chunks;            /* snapshot overlay, NULL where unwritten */
    uint64_t nchunks;
    char *path;
    char *base;                  /* the snapshot copy writes are tracked against */
    uint8_t *written;            /* per chunk: written since `base` */
};

static block **open_blocks;
static int nopen;

block *block_open(const char *path, bool readonly, bool snapshot, char *err, size_t errsize)
{
    int fd = open(path, (readonly || snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        snprintf(err, errsize, "%s: not a regular file or block device", path);
        close(fd);
        return NULL;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    block *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->fd = fd;
    b->size = (uint64_t)end;
    b->readonly = readonly;
    b->snapshot = snapshot;
    b->nchunks = (b->size + CHUNK - 1) / CHUNK;
    if (snapshot) {
        b->chunks = calloc(b->nchunks ? b->nchunks : 1, sizeof(uint8_t *));
        if (!b->chunks)
            fatal("out of memory");
    }
    b->path = strdup(path);
    block **n = realloc(open_blocks, sizeof(*n) * (size_t)(nopen + 1));
    if (!b->path || !n)
        fatal("out of memory");
    open_blocks = n;
    open_blocks[nopen++] = b;
    return b;
}

void block_close(block *b)
{
    if (!b)
        return;
    for (int i = 0; i < nopen; i++)
        if (open_blocks[i] == b) {
            memmove(open_blocks + i, open_blocks + i + 1, sizeof(*open_blocks) * (size_t)(nopen - i - 1));
            nopen--;
            break;
        }
    for (uint64_t i = 0; b->chunks && i < b->nchunks; i++)
        free(b->chunks[i]);
    free(b->chunks);
    free(b->path);
    free(b->base);
    free(b->written);
    close(b->fd);
    free(b);
}

uint64_t block_size(const block *b) { return b->size; }
bool block_readonly(const block *b) { return b->readonly; }
bool block_is_overlay(const block *b) { return b->snapshot; }

static bool in_range(const block *b, uint64_t off, size_t len)
{
    return off <= b->size && len <= b->size - off;
}

static bool file_read(block *b, uint64_t off, void *buf, size_t len)
{
    return pread_full(b->fd, buf, len, off);
}

bool block_read(block *b, uint64_t off, void *buf, size_t len)
{
    if (!in_range(b, off, len))
        return false;
    if (!b->snapshot)
        return file_read(b, off, buf, len);
    while (len) {
        uint64_t c = off / CHUNK, in = off % CHUNK;
        size_t n = CHUNK - in < len ? CHUNK - in : len;
        if (b->chunks[c])
            memcpy(buf, b->chunks[c] + in, n);
        else if (!file_read(b, off, buf, n))
            return false;
        buf = (uint8_t *)buf + n;
        off += n;
        len -= n;
    }
    return true;
}

bool block_write(block *b, uint64_t off, const void *buf, size_t len)
{
    if (b->readonly || !in_range(b, off, len))
        return false;
    if (b->written && len)
        memset(b->written + off / CHUNK, 1, (off + len - 1) / CHUNK - off / CHUNK + 1);
    if (!b->snapshot)
        return pwrite_full(b->fd, buf, len, off);
    while (len) {
        uint64_t c = off / CHUNK, in = off % CHUNK;
        size_t n = CHUNK - in < len ? CHUNK - in : len;
        if (!b->chunks[c]) {
            uint8_t *chunk = calloc(1, CHUNK);
            if (!chunk)
                fatal("out of memory");
            uint64_t start = c * CHUNK;
            size_t avail = b->size - start < CHUNK ? (size_t)(b->size - start) : CHUNK;
            if (!file_read(b, start, chunk, avail)) {
                free(chunk);
                return false;
            }
            b->chunks[c] = chunk;
        }
        memcpy(b->chunks[c] + in, buf, n);
        buf = (const uint8_t *)buf + n;
        off += n;
        len -= n;
    }
    return true;
}

bool block_flush(block *b)
{
    if (b->readonly || b->snapshot)
        return true;
    return fdatasync(b->fd) == 0;
}

/* ---- snapshots ---- */

int block_count(void) { return nopen; }
block *block_at(int i) { return i >= 0 && i < nopen ? open_blocks[i] : NULL; }
const char *block_path(const block *b) { return b->path; }

/* [off, off+len) of `in` to the same place in `out`, in the kernel where it can */
static bool copy_range(int in, int out, uint64_t off, uint64_t len)
{
    static uint8_t buf[1 << 20];
    while (len) {
        loff_t a = (loff_t)off, b = (loff_t)off;
        ssize_t n = copy_file_range(in, &a, out, &b, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* not across these file systems: through a buffer (the main thread only) */
            size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
            ssize_t r = pread(in, buf, want, (off_t)off);
            if (r <= 0 || !pwrite_full(out, buf, (size_t)r, off))
                return false;
            n = r;
        }
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return true;
}

/* Make `out` (already `size` long) hold what `in` holds: its allocated extents are
 * copied, its holes become holes (or zeroes) in `out`. */
static bool copy_extents(int in, int out, uint64_t size, bool out_fresh)
{
    uint64_t off = 0;
    while (off < size) {
        off_t data = lseek(in, (off_t)off, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            data = (off_t)size;              /* a hole to the end */
        else if (data < 0)
            return copy_range(in, out, off, size - off);   /* no extent map: all of it */
        if ((uint64_t)data > off && !out_fresh) {
            /* a hole in the copy: make it one (or zeroes) in the image too */
            if (fallocate(out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
                          (off_t)((uint64_t)data - off)) < 0) {
                static const uint8_t zero[65536];
                for (uint64_t z = off; z < (uint64_t)data;) {
                    size_t n = (uint64_t)data - z < sizeof(zero) ? (size_t)((uint64_t)data - z) : sizeof(zero);
                    if (!pwrite_full(out, zero, n, z))
                        return false;
                    z += n;
                }
            }
        }
        if ((uint64_t)data >= size)
            break;
        off_t hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0 || (uint64_t)hole > size)
            hole = (off_t)size;
        if (!copy_range(in, out, (uint64_t)data, (uint64_t)(hole - data)))
            return false;
        off = (uint64_t)hole;
    }
    return true;
}

static bool overlay_empty(const block *b)
{
    for (uint64_t i = 0; b->chunks && i < b->nchunks; i++)
        if (b->chunks[i])
            return false;
    return true;
}

bool block_save_copy(block *b, const char *dest, char *err, size_t errsize)
{
    int out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        snprintf(err, errsize, "%s: %s", dest, strerror(errno));
        return false;
    }
    bool ok = true;
    /* a reflink shares the blocks until either side writes: instant, and no space */
    if (!(overlay_empty(b) && ioctl(out, FICLONE, b->fd) == 0)) {
        ok = ftruncate(out, (off_t)b->size) == 0 && copy_extents(b->fd, out, b->size, true);
        for (uint64_t i = 0; ok && b->chunks && i < b->nchunks; i++) {
            if (!b->chunks[i])
                continue;
            uint64_t start = i * CHUNK;
            size_t n = b->size - start < CHUNK ? (size_t)(b->size - start) : CHUNK;
            ok = pwrite_full(out, b->chunks[i], n, start);
        }
    }
    if (ok)
        ok = fdatasync(out) == 0;
    if (!ok) {
        snprintf(err, errsize, "%s: %s", dest, strerror(errno ? errno : EIO));
        unlink(dest);            /* no partial copy stays behind */
    }
    close(out);
    return ok;
}

void block_set_base(block *b, const char *copy)
{
    free(b->base);
    b->base = strdup(copy);
    if (!b->written)
        b->written = calloc(b->nchunks ? b->nchunks : 1, 1);
    else
        memset(b->written, 0, b->nchunks);
    if (!b->base || !b->written)
        fatal("out of memory");
}

bool block_load_copy(block *b, const char *copy, char *err, size_t errsize)
{
    int in = open(copy, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (in < 0 || fstat(in, &st) < 0) {
        snprintf(err, errsize, "%s: %s", copy, strerror(errno));
        if (in >= 0)
            close(in);
        return false;
    }
    if ((uint64_t)st.st_size != b->size) {
        snprintf(err, errsize, "%s holds %llu bytes, the image %s %llu", copy,
                 (unsigned long long)st.st_size, b->path, (unsigned long long)b->size);
        close(in);
        return false;
    }
    if (b->snapshot) {
        /* the copy is the new base; the overlay starts again */
        for (uint64_t i = 0; i < b->nchunks; i++) {
            free(b->chunks[i]);
            b->chunks[i] = NULL;
        }
        close(b->fd);
        b->fd = in;
        block_set_base(b, copy);
        return true;
    }
    bool ok = true;
    if (b->base && b->written && !strcmp(b->base, copy)) {
        /* back to the snapshot this image follows: only what was written since */
        for (uint64_t i = 0; ok && i < b->nchunks; i++) {
            if (!b->written[i])
                continue;
            uint64_t start = i * CHUNK;
            ok = copy_range(in, b->fd, start, b->size - start < CHUNK ? b->size - start : CHUNK);
        }
    } else if (ioctl(b->fd, FICLONE, in) != 0) {
        ok = copy_extents(in, b->fd, b->size, false);
    }
    if (!ok)
        snprintf(err, errsize, "%s: cannot write the snapshot's contents: %s", b->path, strerror(errno ? errno : EIO));
    close(in);
    if (ok)
        block_set_base(b, copy);
    return ok;
}

bool block_identity(block *b, uint64_t *size, int64_t *mtime_ns)
{
    struct stat st;
    if (fstat(b->fd, &st) < 0)
        return false;
    *size = b->size;
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return true;
}
