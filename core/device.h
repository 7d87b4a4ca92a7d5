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

typedef struct state_field {
    const char *name;
    uint32_t offset;             /* from the start of the device struct */
    uint32_t size;               /* of one element: 1, 2, 4 or 8 */
    uint32_t count;              /* elements (1 for a scalar) */
} state_field;

typedef struct state_desc {
    uint32_t version;
    const state_field *fields;
    size_t nfields;
} state_desc;

#define STATE_FIELD(type, member) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member), 1 }
#define STATE_ARRAY(type, member) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member[0]), \
      sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0]) }
#define STATE_DESC(version, table) { version, table, sizeof(table) / sizeof(table[0]) }

typedef struct device_list device_list;

typedef struct device_ops {
    const char *type;
    const state_desc *state;     /* NULL: no guest-visible state of its own */
    void (*reset)(void *dev);
    void (*destroy)(void *dev);
} device_ops;

device_list *device_list_new(void);
void device_register(device_list *l, const char *name, const device_ops *ops, void *dev);
void device_list_reset(device_list *l);
/* Print every device's state fields (the monitor's "info devices"). */
void device_list_print(device_list *l, void (*out)(void *opaque, const char *text), void *opaque);
/* Destroys devices in reverse order of registration, then the list. */
void device_list_free(device_list *l);

#endif
