/*
 * Character backends for serial ports: the host terminal (raw mode, with QEMU's Ctrl-A
 * escapes when multiplexed with the monitor), a file, or nothing. A device registers a
 * receiver; input waits in the backend while the device cannot take it.
 */
#ifndef TERN_CHARDEV_H
#define TERN_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct chardev chardev;

/* spec: "mon:stdio", "stdio", "file:PATH", "null". NULL and a message on error. */
chardev *chardev_open(const char *spec, char *err, size_t errsize);
void chardev_close(chardev *c);

void chardev_write(chardev *c, const uint8_t *buf, size_t n);
/* can_rx returns how many bytes the device can take now; rx takes one. */
void chardev_set_receiver(chardev *c, size_t (*can_rx)(void *opaque),
                          void (*rx)(void *opaque, uint8_t byte), void *opaque);
/* The device has room again: deliver what is waiting. Big lock held. */
void chardev_accept_input(chardev *c);

/* The monitor reached with Ctrl-A c: handler runs one command line, printing to out. */
typedef void (*monitor_fn)(void *opaque, const char *line, void (*out)(const char *text));
void chardev_set_monitor(chardev *c, monitor_fn fn, void *opaque);
/* Give a monitor's `out` multi-line text: the terminal is raw, so \n becomes \r\n. */
void monitor_out_text(void (*out)(const char *text), char *text);

#endif
