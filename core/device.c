/* The device registry (see device.h). */
#include "core/device.h"
#include "core/log.h"
#include <stdlib.h>

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

void device_list_reset(device_list *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->e[i].ops->reset)
            l->e[i].ops->reset(l->e[i].dev);
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
