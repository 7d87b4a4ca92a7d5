/* The device registry (see device.h). */
#include "core/device.h"
#include "core/log.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dev_entry {
    char *name;
    const device_ops *ops;
    void *dev;
} dev_entry;

struct device_list {
    dev_entry *e;
    int n, cap;
};

device_list *device_list_new(void)
{
    device_list *l = calloc(1, sizeof(*l));
    if (!l)
        fatal("out of memory");
    return l;
}

void device_register(device_list *l, const char *name, const device_ops *ops, void *dev)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->e = realloc(l->e, sizeof(dev_entry) * (size_t)l->cap);
        if (!l->e)
            fatal("out of memory");
    }
    char err[160];
    if (ops->state && !state_check(ops->state, SIZE_MAX, err, sizeof(err)))
        fatal("device %s: %s", name, err);
    char *unique = strdup(name);
    for (int k = 1; unique && device_find(l, unique) >= 0; k++) {
        free(unique);
        if (asprintf(&unique, "%s.%d", name, k) < 0)
            unique = NULL;
    }
    if (!unique)
        fatal("out of memory");
    l->e[l->n++] = (dev_entry){ unique, ops, dev };
}

int device_list_count(const device_list *l) { return l ? l->n : 0; }
const char *device_name(const device_list *l, int i) { return l->e[i].name; }
const device_ops *device_ops_of(const device_list *l, int i) { return l->e[i].ops; }
void *device_instance(const device_list *l, int i) { return l->e[i].dev; }

int device_find(const device_list *l, const char *name)
{
    for (int i = 0; l && i < l->n; i++)
        if (!strcmp(l->e[i].name, name))
            return i;
    return -1;
}

void device_list_reset(device_list *l)
{
    for (int i = 0; i < l->n; i++) {
        if (l->e[i].ops->state)
            state_clear(l->e[i].ops->state, l->e[i].dev);
        if (l->e[i].ops->reset)
            l->e[i].ops->reset(l->e[i].dev);
    }
}

static uint64_t field_elem(const uint8_t *p, uint32_t size)
{
    uint64_t v = 0;
    memcpy(&v, p, size > 8 ? 8 : size);
    return v;
}

void device_list_print(device_list *l, void (*out)(void *opaque, const char *text), void *opaque)
{
    char line[160];
    for (int i = 0; i < l->n; i++) {
        const state_desc *sd = l->e[i].ops->state;
        snprintf(line, sizeof(line), "%s (%s)%s\n", l->e[i].name, l->e[i].ops->type,
                 sd ? "" : ": no state");
        out(opaque, line);
        for (size_t f = 0; sd && f < sd->nfields; f++) {
            const state_field *fd = &sd->fields[f];
            const uint8_t *p = (const uint8_t *)l->e[i].dev + fd->offset;
            int n = snprintf(line, sizeof(line), "  %-16s", fd->name);
            /* long arrays are shortened: the monitor is for a quick look */
            uint32_t shown = fd->count > 8 ? 8 : fd->count;
            for (uint32_t k = 0; k < shown && n < (int)sizeof(line) - 24; k++)
                n += snprintf(line + n, sizeof(line) - (size_t)n, " %llx",
                              (unsigned long long)field_elem(p + (size_t)k * fd->size, fd->size));
            snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", shown < fd->count ? " ..." : "");
            out(opaque, line);
        }
    }
}

void device_list_free(device_list *l)
{
    if (!l)
        return;
    for (int i = l->n - 1; i >= 0; i--)
        if (l->e[i].ops->destroy)
            l->e[i].ops->destroy(l->e[i].dev);
    for (int i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
    free(l);
}
