/*
 * Chardev backends and their options (see chardev.h): stdio, null, file, pty, sockets
 * (unix or TCP, server or client) and vc (a text console in the window, ui/vc.c), from
 * -chardev's syntax or the short forms of -serial, -monitor, -qmp and -gdb.
 */
#include "core/chardev_impl.h"
#include "core/opts.h"
#include "core/log.h"
#include "ui/vc.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static bool stdio_taken;
static int anon_count;

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void chardev_update_watch(chardev *c)
{
    if (c->watch)
        io_watch_set_events(c->watch, (short)((c->in_fd >= 0 ? POLLIN : 0) | (c->outlen ? POLLOUT : 0)));
}

static void on_listen(void *opaque, short revents);

static void drop_client(chardev *c)
{
    io_watch_remove(c->watch);
    c->watch = NULL;
    close(c->in_fd);
    c->in_fd = c->out_fd = -1;
    if (c->server)
        c->listen_watch = io_watch_add(c->listen_fd, POLLIN, on_listen, c);
    chardev_peer_changed(c, false);
}

static void on_io(void *opaque, short revents)
{
    chardev *c = opaque;
    if ((revents & POLLOUT) && c->outlen)
        chardev_flush_backlog(c);
    if (!(revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) || c->in_fd < 0)
        return;
    uint8_t buf[4096];
    ssize_t n = read(c->in_fd, buf, sizeof(buf));
    if (n > 0) {
        chardev_input(c, buf, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (c->is_socket) {
        drop_client(c);
    } else {
        /* end of input (stdin closed): the guest just sees no more */
        io_watch_remove(c->watch);
        c->watch = NULL;
        if (c->out_fd < 0)
            c->in_fd = -1;
    }
}

static void accept_client(chardev *c, int fd)
{
    set_nonblock(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));   /* fails harmlessly on unix */
    c->in_fd = c->out_fd = fd;
    c->watch = io_watch_add(fd, POLLIN, on_io, c);
    /* one client at a time, as QEMU: the next waits in the backlog until this one goes */
    io_watch_remove(c->listen_watch);
    c->listen_watch = NULL;
    chardev_peer_changed(c, true);
}

static void on_listen(void *opaque, short revents)
{
    chardev *c = opaque;
    int fd = accept(c->listen_fd, NULL, NULL);
    if (fd >= 0)
        accept_client(c, fd);
}

bool chardev_wait_clients(char *err, size_t errsize)
{
    for (chardev *c = chardev_first(); c; c = c->next) {
        if (!c->server || !c->wait || c->connected)
            continue;
        fprintf(stderr, "tern: waiting for a connection on %s (label %s)\n", c->filename, c->label);
        int fd;
        for (;;) {
            struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };
            if (poll(&p, 1, -1) < 0 && errno != EINTR) {
                snprintf(err, errsize, "chardev '%s': waiting for a client: %s", c->label, strerror(errno));
                return false;
            }
            fd = accept(c->listen_fd, NULL, NULL);
            if (fd >= 0)
                break;
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
                snprintf(err, errsize, "chardev '%s': accept: %s", c->label, strerror(errno));
                return false;
            }
        }
        accept_client(c, fd);
    }
    return true;
}

/* ---- sockets ---- */

static int unix_socket(const char *path, bool server, char *err, size_t errsize)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(a.sun_path)) {
        snprintf(err, errsize, "unix socket path '%s' is too long", path);
        return -1;
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsize, "socket: %s", strerror(errno));
        return -1;
    }
    if (server) {
        struct stat st;
        /* a stale socket from an earlier run is replaced, as QEMU does */
        if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(path);
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
            snprintf(err, errsize, "cannot listen on unix:%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        snprintf(err, errsize, "cannot connect to unix:%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_socket(const char *host, const char *port, bool server, char *err, size_t errsize)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = server ? AI_PASSIVE : 0 };
    struct addrinfo *res;
    const char *h = host && *host ? host : (server ? NULL : "localhost");
    int e = getaddrinfo(h, port, &hints, &res);
    if (e) {
        snprintf(err, errsize, "tcp:%s:%s: %s", host ? host : "", port, gai_strerror(e));
        return -1;
    }
    int fd = -1, last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        if (server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0)
                break;
        } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errsize, "cannot %s tcp:%s:%s: %s", server ? "listen on" : "connect to",
                 host ? host : "", port, strerror(last ? last : EADDRNOTAVAIL));
    return fd;
}

static chardev *open_socket(const char *label, opt_list *o, char *err, size_t errsize)
{
    const char *path = opts_get(o, "path");
    const char *host = opts_get(o, "host");
    const char *port = opts_get(o, "port");
    bool server, wait, b;
    if (!opts_get_bool(o, "server", false, &server, err, errsize) ||
        !opts_get_bool(o, "wait", true, &wait, err, errsize) ||
        /* accepted for QEMU's command lines; tern has no telnet negotiation or reconnection */
        !opts_get_bool(o, "telnet", false, &b, err, errsize) ||
        !opts_get_bool(o, "delay", true, &b, err, errsize) ||
        !opts_get_bool(o, "ipv4", false, &b, err, errsize) ||
        !opts_get_bool(o, "ipv6", false, &b, err, errsize))
        return NULL;
    opts_get(o, "reconnect");
    opts_get(o, "to");
    if (!path && !port) {
        snprintf(err, errsize, "socket: path=PATH (unix) or host=HOST,port=PORT (tcp) is required");
        return NULL;
    }
    int fd = path ? unix_socket(path, server, err, errsize) : tcp_socket(host, port, server, err, errsize);
    if (fd < 0)
        return NULL;
    chardev *c = chardev_alloc(label);
    c->is_socket = true;
    c->nonblocking_out = true;
    c->server = server;
    c->wait = wait;
    if (asprintf(&c->filename, "%s%s%s%s%s", path ? "unix:" : "tcp:", path ? path : (host ? host : ""),
                 path ? "" : ":", path ? "" : port, server ? ",server=on" : "") < 0)
        fatal("out of memory");
    if (server) {
        set_nonblock(fd);
        c->listen_fd = fd;
        c->connected = false;
        if (path) {
            c->unix_path = strdup(path);
            if (!c->unix_path)
                fatal("out of memory");
        }
        c->listen_watch = io_watch_add(fd, POLLIN, on_listen, c);
    } else {
        set_nonblock(fd);
        c->in_fd = c->out_fd = fd;
        c->watch = io_watch_add(fd, POLLIN, on_io, c);
    }
    return c;
}

/* ---- the other backends ---- */

static chardev *open_stdio(const char *label, bool signals, char *err, size_t errsize)
{
    if (stdio_taken) {
        snprintf(err, errsize, "stdio can be used by only one chardev");
        return NULL;
    }
    stdio_taken = true;
    chardev *c = chardev_alloc(label);
    c->in_fd = STDIN_FILENO;
    c->out_fd = STDOUT_FILENO;
    c->filename = strdup("stdio");
    chardev_raw_terminal(signals);
    fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) | O_NONBLOCK);
    c->watch = io_watch_add(c->in_fd, POLLIN, on_io, c);
    return c;
}

static chardev *open_file(const char *label, const char *path, bool append, char *err, size_t errsize)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return NULL;
    }
    chardev *c = chardev_alloc(label);
    c->out_fd = fd;
    if (asprintf(&c->filename, "file:%s", path) < 0)
        fatal("out of memory");
    return c;
}

static chardev *open_pty(const char *label, char *err, size_t errsize)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
        snprintf(err, errsize, "pty: %s", strerror(errno));
        if (m >= 0)
            close(m);
        return NULL;
    }
    const char *name = ptsname(m);
    /* keep the slave open: with no process on it the master would report a hang-up
     * forever; raw, so the line discipline neither echoes nor edits */
    int s = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (s < 0) {
        snprintf(err, errsize, "pty: %s", strerror(errno));
        close(m);
        return NULL;
    }
    struct termios t;
    if (tcgetattr(s, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(s, TCSANOW, &t);
    }
    set_nonblock(m);
    chardev *c = chardev_alloc(label);
    c->in_fd = c->out_fd = m;
    c->pty_slave = s;
    c->pty_slave_open = true;
    c->nonblocking_out = true;
    if (asprintf(&c->filename, "pty:%s", name) < 0)
        fatal("out of memory");
    c->watch = io_watch_add(m, POLLIN, on_io, c);
    /* QEMU's words, which scripts look for */
    printf("char device redirected to %s (label %s)\n", name, label);
    fflush(stdout);
    return c;
}

/* A text console: the chardev holds one end of a socket pair, like a connected socket
 * (output never blocks the vCPU), and ui/vc.c's terminal the other. */
static chardev *open_vc(const char *label, opt_list *o, char *err, size_t errsize)
{
    uint64_t cols, rows, width, height;
    if (!opts_get_u64(o, "cols", 0, &cols, err, errsize) || !opts_get_u64(o, "rows", 0, &rows, err, errsize) ||
        !opts_get_u64(o, "width", 0, &width, err, errsize) || !opts_get_u64(o, "height", 0, &height, err, errsize))
        return NULL;
    if (cols > 65535 || rows > 65535 || width > 65535 || height > 65535) {
        snprintf(err, errsize, "vc: size out of range");
        return NULL;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(err, errsize, "vc: socketpair: %s", strerror(errno));
        return NULL;
    }
    if (!vc_open_fd(label, (unsigned)cols, (unsigned)rows, (unsigned)width, (unsigned)height, sv[1], err, errsize)) {
        close(sv[0]);
        return NULL;
    }
    set_nonblock(sv[0]);
    chardev *c = chardev_alloc(label);
    c->in_fd = c->out_fd = sv[0];
    c->is_socket = true;
    c->nonblocking_out = true;
    c->filename = strdup("vc");
    c->watch = io_watch_add(sv[0], POLLIN, on_io, c);
    return c;
}

static chardev *open_backend(const char *backend, const char *label, opt_list *o, bool legacy_mon,
                             char *err, size_t errsize)
{
    if (!strcmp(backend, "null")) {
        chardev *c = chardev_alloc(label);
        c->filename = strdup("null");
        return c;
    }
    if (!strcmp(backend, "stdio")) {
        bool signals;
        /* tern keeps Ctrl-C for the guest on the default console (mon:stdio); an explicit
         * -chardev stdio has QEMU's default, signal=on */
        if (!opts_get_bool(o, "signal", !legacy_mon, &signals, err, errsize))
            return NULL;
        return open_stdio(label, signals, err, errsize);
    }
    if (!strcmp(backend, "file")) {
        const char *path = opts_get(o, "path");
        bool append;
        if (!path) {
            snprintf(err, errsize, "file: path=FILE is required");
            return NULL;
        }
        if (!opts_get_bool(o, "append", false, &append, err, errsize))
            return NULL;
        return open_file(label, path, append, err, errsize);
    }
    if (!strcmp(backend, "pty"))
        return open_pty(label, err, errsize);
    if (!strcmp(backend, "socket"))
        return open_socket(label, o, err, errsize);
    if (!strcmp(backend, "vc"))
        return open_vc(label, o, err, errsize);
    snprintf(err, errsize, "backend '%s' is not supported (stdio, null, file, pty, socket, vc)", backend);
    return NULL;
}

chardev *chardev_new(const char *text, char *err, size_t errsize)
{
    opt_list o;
    char e[256];
    if (!opts_parse(&o, text, "backend", e, sizeof(e))) {
        snprintf(err, errsize, "-chardev %s: %s", text, e);
        return NULL;
    }
    const char *backend = opts_get(&o, "backend");
    const char *id = opts_get(&o, "id");
    bool mux;
    chardev *c = NULL;
    if (!id || !*id) {
        snprintf(err, errsize, "-chardev %s: id=ID is required", text);
    } else if (chardev_find(id)) {
        snprintf(err, errsize, "-chardev %s: a chardev with id '%s' exists already", text, id);
    } else if (!opts_get_bool(&o, "mux", false, &mux, e, sizeof(e))) {
        snprintf(err, errsize, "-chardev %s: %s", text, e);
    } else if (opts_get(&o, "logfile")) {
        snprintf(err, errsize, "-chardev %s: logfile= is not supported", text);
    } else if (!(c = open_backend(backend, id, &o, false, e, sizeof(e)))) {
        snprintf(err, errsize, "-chardev %s: %s", text, e);
    } else if (opts_unused(&o)) {
        snprintf(err, errsize, "-chardev %s: unknown option '%s'", text, opts_unused(&o));
        chardev_close(c);
        c = NULL;
    } else {
        c->mux = mux;
    }
    opts_free(&o);
    return c;
}

chardev *chardev_from_spec(const char *spec, const char *label, bool *mon, char *err, size_t errsize)
{
    *err = 0;
    bool mux = false;
    if (mon)
        *mon = false;
    if (!strncmp(spec, "mon:", 4)) {
        if (mon)
            *mon = true;
        mux = true;
        spec += 4;
    }
    char name[64];
    if (!label) {
        snprintf(name, sizeof(name), "compat%d", anon_count++);
        label = name;
    }
    if (!strncmp(spec, "chardev:", 8)) {
        chardev *c = chardev_find(spec + 8);
        if (!c)
            snprintf(err, errsize, "no -chardev with id '%s'", spec + 8);
        return c;
    }
    if (!strcmp(spec, "none"))
        return NULL;
    /* the backend, and the rest as options */
    char *text = NULL;
    const char *colon = strchr(spec, ':');
    size_t blen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *rest = colon ? colon + 1 : "";
    int r;
    if (!strncmp(spec, "unix", blen) && blen == 4) {
        /* unix:PATH[,opts] */
        r = asprintf(&text, "socket,path=%s", rest);
    } else if ((blen == 3 && !strncmp(spec, "tcp", 3)) || (blen == 6 && !strncmp(spec, "telnet", 6))) {
        /* tcp:[HOST]:PORT[,opts]; the host may be empty or a bracketed IPv6 address */
        const char *opts = strchr(rest, ',');
        size_t alen = opts ? (size_t)(opts - rest) : strlen(rest);
        const char *pc = NULL;
        for (const char *p = rest; p < rest + alen; p++)
            if (*p == ':')
                pc = p;
        if (!pc) {
            snprintf(err, errsize, "%s: expected tcp:[HOST]:PORT", spec);
            return NULL;
        }
        const char *h = rest;
        size_t hlen = (size_t)(pc - rest);
        if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
            h++;
            hlen -= 2;
        }
        r = asprintf(&text, "socket,host=%.*s,port=%.*s%s", (int)hlen, h, (int)(alen - (size_t)(pc - rest) - 1),
                     pc + 1, opts ? opts : "");
    } else if (blen == 4 && !strncmp(spec, "file", 4) && colon) {
        r = asprintf(&text, "file,path=%s", rest);
    } else if (!colon && (!strcmp(spec, "stdio") || !strcmp(spec, "null") || !strcmp(spec, "pty"))) {
        r = asprintf(&text, "%s", spec);
    } else if (!strcmp(spec, "vc") || !strncmp(spec, "vc:", 3)) {
        /* vc[:WxH] in pixels or vc[:COLSCxROWSC] in characters: a text console */
        unsigned cols = 0, rows = 0, width = 0, height = 0;
        if (colon && !vc_parse_size(rest, &cols, &rows, &width, &height, err, errsize))
            return NULL;
        r = asprintf(&text, "vc,cols=%u,rows=%u,width=%u,height=%u", cols, rows, width, height);
    } else {
        snprintf(err, errsize, "%s: unknown backend (stdio, mon:stdio, null, none, pty, file:PATH, "
                 "unix:PATH, tcp:HOST:PORT, vc, chardev:ID)", spec);
        return NULL;
    }
    if (r < 0)
        fatal("out of memory");
    opt_list o;
    char e[256];
    chardev *c = NULL;
    if (!opts_parse(&o, text, "backend", e, sizeof(e))) {
        snprintf(err, errsize, "%s: %s", spec, e);
    } else {
        const char *backend = opts_get(&o, "backend");
        if (!(c = open_backend(backend, label, &o, mux, e, sizeof(e)))) {
            snprintf(err, errsize, "%s: %s", spec, e);
        } else if (opts_unused(&o)) {
            snprintf(err, errsize, "%s: unknown option '%s'", spec, opts_unused(&o));
            chardev_close(c);
            c = NULL;
        } else {
            c->mux = mux;
        }
        opts_free(&o);
    }
    free(text);
    return c;
}
