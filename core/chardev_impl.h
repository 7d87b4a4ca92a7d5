/*
 * What chardev.c (frontends, mux, I/O) and chardev_open.c (backends, option parsing)
 * share. Not for other files: they use chardev.h.
 */
#ifndef TERN_CHARDEV_IMPL_H
#define TERN_CHARDEV_IMPL_H

#include "core/chardev.h"
#include "core/main_loop.h"

#define CHARDEV_MAX_FE 4

struct chardev_fe {
    size_t (*can_rx)(void *opaque);
    void (*rx)(void *opaque, uint8_t byte);
    void (*event)(void *opaque, int event);
    void *opaque;
};

struct chardev {
    char *label;                /* id=, or a name for an anonymous one */
    char *filename;             /* what `info chardev` shows */
    int in_fd, out_fd;          /* -1: none (file backends have no input) */
    int listen_fd;              /* server sockets */
    int pty_slave;              /* ptys: kept open so the master never sees a hang-up */
    bool pty_slave_open;
    char *unix_path;            /* a unix server socket's path, removed at close */
    bool is_socket, server, wait;
    bool nonblocking_out;       /* sockets, ptys: output is queued, never blocks */
    bool connected;             /* a peer is there (false: a server waiting for a client) */
    io_watch *watch, *listen_watch;
    bool mux, escape;
    struct chardev_fe fe[CHARDEV_MAX_FE];
    int nfe, focus;
    uint8_t pending[4096];      /* input the focused frontend has not taken yet */
    size_t npending;
    uint8_t *outbuf;            /* output a socket or pty could not take yet */
    size_t outlen, outcap;
    chardev *next;
};

chardev *chardev_alloc(const char *label);
chardev *chardev_first(void);
/* Bytes read from the backend: Ctrl-A escapes on a mux, then to the focused frontend. */
void chardev_input(chardev *c, const uint8_t *buf, size_t n);
/* A socket's client came or went. */
void chardev_peer_changed(chardev *c, bool connected);
void chardev_flush_backlog(chardev *c);
/* Re-arm the fd watch: input always, output while a backlog waits. */
void chardev_update_watch(chardev *c);
void chardev_raw_terminal(bool keep_signals);

#endif
