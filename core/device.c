/* The device registry (see device.h). */
#include "core/device.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dev_entry {
    const char *name;
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
    l->e[l->n++] = (dev_entry){ name, ops, dev };
}

static void clear_state(const state_desc *sd, void *dev)
{
    for (size_t f = 0; f < sd->nfields; f++)
        memset((uint8_t *)dev + sd->fields[f].offset, 0,
               (size_t)sd->fields[f].size * sd->fields[f].count);
}

void device_list_reset(device_list *l)
{
    for (int i = 0; i < l->n; i++) {
        if (l->e[i].ops->state)
            clear_state(l->e[i].ops->state, l->e[i].dev);
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
    free(l->e);
    free(l);
}
