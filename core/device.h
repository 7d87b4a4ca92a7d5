/*
 * The device registry and device state tables (DESIGN.md, interface 4).
 *
 * Every device a board creates is registered with its ops. A device declares its guest-
 * visible state as a table of fields (name, offset, size, count) in device_ops.state:
 * reset clears those fields before the device's own reset hook runs (which only sets
 * non-zero reset values and re-derives outputs such as irq levels), the monitor prints
 * them, and snapshots will save and load them. No device writes its own serialisation.
 */
#ifndef TERN_DEVICE_H
#define TERN_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "core/state.h"

typedef struct device_list device_list;

typedef struct device_ops {
    const char *type;
    const state_desc *state;     /* NULL: no guest-visible state of its own */
    void (*reset)(void *dev);
    void (*destroy)(void *dev);
    /* Snapshots (all optional; machine stopped, big lock held):
     * pre_save: finish or hand back work in flight, or say why a save cannot happen now
     *   (-1 with err, e.g. a host file the guest has open);
     * save_extra / load_extra: state with no fixed shape, after the table's fields, in
     *   the same stream (load_extra gets the table version the file was written at);
     * post_load: after every device and CPU was loaded: re-arm timers, re-drive irq
     *   lines, map BARs again. */
    int (*pre_save)(void *dev, char *err, size_t errsize);
    void (*save_extra)(void *dev, state_out *o);
    bool (*load_extra)(void *dev, state_in *in, uint32_t version, char *err, size_t errsize);
    void (*post_load)(void *dev);
} device_ops;

device_list *device_list_new(void);
/* Register a device under a unique name (copied); a name taken already gets ".1", ".2"... */
void device_register(device_list *l, const char *name, const device_ops *ops, void *dev);
/* The registry in order of registration, for snapshots. */
int device_list_count(const device_list *l);
const char *device_name(const device_list *l, int i);
const device_ops *device_ops_of(const device_list *l, int i);
void *device_instance(const device_list *l, int i);
/* The index of the device called `name`, or -1. */
int device_find(const device_list *l, const char *name);
void device_list_reset(device_list *l);
/* Print every device's state fields (the monitor's "info devices"). */
void device_list_print(device_list *l, void (*out)(void *opaque, const char *text), void *opaque);
/* Destroys devices in reverse order of registration, then the list. */
void device_list_free(device_list *l);

#endif
