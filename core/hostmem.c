/* Host memory backends (see hostmem.h). */
#include "core/hostmem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BACKENDS 8
static hostmem backends[MAX_BACKENDS];
static int nbackends;

bool hostmem_parse(const char *arg, char *err, size_t errsize)
{
    opt_list l;
    if (!opts_parse(&l, arg, "qom-type", err, errsize))
        return false;
    const char *type = opts_get(&l, "qom-type"), *id = opts_get(&l, "id");
    bool ok = false;
    hostmem m = { 0 };
    if (!type || (strcmp(type, "memory-backend-ram") && strcmp(type, "memory-backend-file") &&
                  strcmp(type, "memory-backend-memfd"))) {
        snprintf(err, errsize, "-object %s: tern has the memory backends only (memory-backend-ram, "
                 "memory-backend-file, memory-backend-memfd)", type ? type : arg);
    } else if (!id || !*id) {
        snprintf(err, errsize, "-object %s: needs id=", arg);
    } else if (!opts_get_u64(&l, "size", 0, &m.size, err, errsize) ||
               !opts_get_bool(&l, "share", !strcmp(type, "memory-backend-memfd"), &m.share, err, errsize)) {
        char why[256];
        snprintf(why, sizeof(why), "%s", err);
        snprintf(err, errsize, "-object %s: %s", arg, why);
    } else if (m.size < 4096 || (m.size & (m.size - 1))) {
        snprintf(err, errsize, "-object %s: size must be a power of two of at least 4K", arg);
    } else if (!strcmp(type, "memory-backend-file") && !opts_get(&l, "mem-path")) {
        snprintf(err, errsize, "-object %s: memory-backend-file needs mem-path=", arg);
    } else if (opts_unused(&l)) {
        snprintf(err, errsize, "-object %s: unknown property '%s'", arg, opts_unused(&l));
    } else if (nbackends == MAX_BACKENDS) {
        snprintf(err, errsize, "-object %s: too many memory backends", arg);
    } else {
        for (int i = 0; i < nbackends; i++)
            if (!strcmp(backends[i].id, id)) {
                snprintf(err, errsize, "-object %s: id '%s' is taken", arg, id);
                opts_free(&l);
                return false;
            }
        const char *path = opts_get(&l, "mem-path");
        m.id = strdup(id);
        m.type = strdup(type);
        m.path = path ? strdup(path) : NULL;
        backends[nbackends++] = m;
        ok = true;
    }
    opts_free(&l);
    return ok;
}

static bool map(hostmem *m, char *err, size_t errsize)
{
    if (!m->path) {
        int flags = m->share ? MAP_SHARED | MAP_ANONYMOUS : MAP_PRIVATE | MAP_ANONYMOUS;
        void *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, flags | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            snprintf(err, errsize, "-object %s: cannot allocate %llu bytes", m->id, (unsigned long long)m->size);
            return false;
        }
        m->host = p;
        return true;
    }
    int fd = open(m->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errsize, "-object %s: mem-path=%s: %s", m->id, m->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    /* a regular file grows to the size; a smaller one would fault past its end */
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < m->size && ftruncate(fd, (off_t)m->size) < 0) {
        snprintf(err, errsize, "-object %s: mem-path=%s: %s", m->id, m->path, strerror(errno));
        close(fd);
        return false;
    }
    void *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, m->share ? MAP_SHARED : MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errsize, "-object %s: mem-path=%s: %s", m->id, m->path, strerror(errno));
        return false;
    }
    m->host = p;
    return true;
}

hostmem *hostmem_get(const char *id, char *err, size_t errsize)
{
    for (int i = 0; i < nbackends; i++) {
        hostmem *m = &backends[i];
        if (strcmp(m->id, id))
            continue;
        if (m->used) {
            snprintf(err, errsize, "memdev '%s' is used by another device", id);
            return NULL;
        }
        if (!m->host && !map(m, err, errsize))
            return NULL;
        m->used = true;
        return m;
    }
    snprintf(err, errsize, "no -object with id '%s'", id);
    return NULL;
}

void hostmem_free_all(void)
{
    for (int i = 0; i < nbackends; i++) {
        if (backends[i].host)
            munmap(backends[i].host, backends[i].size);
        free(backends[i].id);
        free(backends[i].type);
        free(backends[i].path);
    }
    nbackends = 0;
}
