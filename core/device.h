/*
 * The device registry: every device a board creates is listed here with its reset and
 * destroy hooks, so machine reset and teardown reach all of them in one place. (The
 * device's state table for snapshots and the monitor will hang off this too.)
 */
#ifndef TERN_DEVICE_H
#define TERN_DEVICE_H

typedef struct device_list device_list;

typedef struct device_ops {
    const char *type;
    void (*reset)(void *dev);
    void (*destroy)(void *dev);
} device_ops;

device_list *device_list_new(void);
void device_register(device_list *l, const char *name, const device_ops *ops, void *dev);
void device_list_reset(device_list *l);
/* Destroys devices in reverse order of registration, then the list. */
void device_list_free(device_list *l);

#endif
