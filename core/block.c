/*
 * Raw disk images (see block.h). The snapshot overlay works in 64 KiB chunks: a chunk is
 * copied from the file on its first write and served from memory afterwards.
 */
#include "core/block.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct block {
    int fd;
    uint64_t size;
    bool readonly, snapshot;
    uint8_t **chunks;            /* snapshot overlay, NULL where unwritten */
    uint64_t nchunks;
};

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
    if (snapshot) {
        b->nchunks = (b->size + CHUNK - 1) / CHUNK;
        b->chunks = calloc(b->nchunks ? b->nchunks : 1, sizeof(uint8_t *));
        if (!b->chunks)
            fatal("out of memory");
    }
    return b;
}

void block_close(block *b)
{
    if (!b)
        return;
    for (uint64_t i = 0; b->chunks && i < b->nchunks; i++)
        free(b->chunks[i]);
    free(b->chunks);
    close(b->fd);
    free(b);
}

uint64_t block_size(const block *b) { return b->size; }
bool block_readonly(const block *b) { return b->readonly; }

static bool in_range(const block *b, uint64_t off, size_t len)
{
    return off <= b->size && len <= b->size - off;
}

static bool file_read(block *b, uint64_t off, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(b->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
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
    if (!b->snapshot) {
        size_t done = 0;
        while (done < len) {
            ssize_t n = pwrite(b->fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            done += (size_t)n;
        }
        return true;
    }
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
