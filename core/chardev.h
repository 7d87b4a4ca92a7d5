/*
 * Character devices, as QEMU has them: a backend (the terminal, a file, a pty, a unix or
 * TCP socket as server or client, or nothing) and the frontends that use it (a serial
 * port, a virtio console, a monitor). A chardev made with mux=on is shared: Ctrl-A c
 * moves its input between frontends, Ctrl-A x quits, Ctrl-A h helps, as in QEMU.
 * Input waits in the chardev while the focused frontend cannot take it.
 *
 * Every function here runs with the big lock held (devices call them from their MMIO
 * callbacks, monitors from the main loop).
 */
#ifndef TERN_CHARDEV_H
#define TERN_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct chardev chardev;

enum chardev_event {
    CHR_EVENT_OPENED,           /* a peer is there: a socket client connected, or at start */
    CHR_EVENT_CLOSED,           /* the peer went away */
    CHR_EVENT_MUX_IN,           /* this frontend has the mux's focus now */
    CHR_EVENT_MUX_OUT,
};

/* -chardev BACKEND,id=ID[,...]: backends stdio, null, file (path=), pty, socket (path=
 * or host=/port=, server=on|off, wait=on|off), with mux=on to share it. */
chardev *chardev_new(const char *opts, char *err, size_t errsize);
/* The short forms of -serial, -monitor, -qmp and -gdb: stdio, mon:stdio, null, none, pty,
 * file:PATH, unix:PATH[,opts], tcp:[HOST]:PORT[,opts], telnet:..., chardev:ID, each
 * optionally behind "mon:" (then *mon is set: the caller puts a monitor on it too).
 * `label` names the chardev made. "none" gives NULL with no error (err is empty). */
chardev *chardev_from_spec(const char *spec, const char *label, bool *mon, char *err, size_t errsize);
chardev *chardev_find(const char *id);
const char *chardev_label(const chardev *c);
/* What the backend is, for `info chardev` ("socket:...", "pty:/dev/pts/3", ...). */
const char *chardev_filename(const chardev *c);
/* Server sockets with wait=on wait here for their first client, as QEMU does before the
 * machine starts. False (with err) if waiting fails. */
bool chardev_wait_clients(char *err, size_t errsize);
bool chardev_is_mux(const chardev *c);
/* Once every frontend is attached: give each mux's focused frontend its MUX_IN. */
void chardev_start_all(void);
/* `info chardev`: "label: filename=..." lines. */
void chardev_list(void (*out)(void *opaque, const char *text), void *opaque);
/* Close every chardev (at exit). */
void chardev_close_all(void);
/* For tests: a chardev on nothing. */
chardev *chardev_null(void);
void chardev_close(chardev *c);

/* Attach a frontend. can_rx: how many bytes it can take now; rx: take one; event: see
 * above (may be NULL). Fails, with a reason, when the chardev already has a frontend
 * and is not a mux. */
bool chardev_attach(chardev *c, size_t (*can_rx)(void *opaque), void (*rx)(void *opaque, uint8_t byte),
                    void (*event)(void *opaque, int event), void *opaque, char *err, size_t errsize);
/* Detach the frontend with this opaque. */
void chardev_detach(chardev *c, void *opaque);
/* The old name for a device attaching itself; its board has checked the chardev is free. */
void chardev_set_receiver(chardev *c, size_t (*can_rx)(void *opaque),
                          void (*rx)(void *opaque, uint8_t byte), void *opaque);

void chardev_write(chardev *c, const uint8_t *buf, size_t n);
void chardev_printf(chardev *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The frontend has room again: deliver what is waiting. */
void chardev_accept_input(chardev *c);
/* Is a peer connected (always true but for sockets)? */
bool chardev_connected(const chardev *c);
/* Text as QEMU's monitor writes it: every "\n" as "\r\n", on every backend. */
void chardev_write_text(chardev *c, const char *text);

/* Put the terminal back as it was before raw mode (async-signal-safe: a fatal signal's
 * handler calls it). */
void chardev_restore_terminal(void);

#endif
