/*
 * Character devices (see chardev.h): the frontends, the mux and its Ctrl-A escapes,
 * input flow control and output. The backends are opened in chardev_open.c. The host
 * terminal is put in raw mode and restored on every way out: normal exit, fatal
 * signals, and atexit.
 */
#include "core/chardev_impl.h"
#include "core/clock.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define OUT_BACKLOG_MAX (1u << 20)    /* a socket peer that does not read loses output past this */

static chardev *all_chardevs;

static void send_event(chardev *c, int i, int event);

static struct termios saved_tio;
static bool tio_saved;

void chardev_restore_terminal(void)
{
    if (tio_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
        tio_saved = false;
    }
}

static void fatal_signal(int sig)
{
    chardev_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

void chardev_raw_terminal(bool keep_signals)
{
    if (tio_saved || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
        return;
    struct termios t = saved_tio;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!keep_signals)
        t.c_lflag &= ~ISIG;      /* Ctrl-C goes to the guest (QEMU's signal=off) */
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_oflag |= OPOST;          /* keep \n -> \r\n for the host side, as QEMU does */
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tio_saved = true;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    atexit(chardev_restore_terminal);
    static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        /* a handler of tern's own (the snapshot's SIGBUS) restores the terminal itself */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL)
            continue;
        signal(sigs[i], fatal_signal);
    }
}

/* ---- registry ---- */

chardev *chardev_alloc(const char *label)
{
    chardev *c = calloc(1, sizeof(*c));
    if (!c)
        fatal("out of memory");
    c->label = strdup(label ? label : "");
    if (!c->label)
        fatal("out of memory");
    c->in_fd = c->out_fd = c->listen_fd = -1;
    c->connected = true;
    c->next = all_chardevs;
    all_chardevs = c;
    return c;
}

chardev *chardev_find(const char *id)
{
    for (chardev *c = all_chardevs; c; c = c->next)
        if (!strcmp(c->label, id))
            return c;
    return NULL;
}

const char *chardev_label(const chardev *c) { return c->label; }
const char *chardev_filename(const chardev *c) { return c->filename ? c->filename : ""; }
bool chardev_connected(const chardev *c) { return c->connected; }

chardev *chardev_null(void)
{
    chardev *c = chardev_alloc("");
    c->filename = strdup("null");
    return c;
}

void chardev_close(chardev *c)
{
    if (!c)
        return;
    for (chardev **p = &all_chardevs; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    io_watch_remove(c->watch);
    io_watch_remove(c->listen_watch);
    if (c->in_fd == STDIN_FILENO) {
        fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) & ~O_NONBLOCK);
        chardev_restore_terminal();
    }
    if (c->in_fd > STDERR_FILENO)
        close(c->in_fd);
    if (c->out_fd > STDERR_FILENO && c->out_fd != c->in_fd)
        close(c->out_fd);
    if (c->pty_slave >= 0 && c->pty_slave_open)
        close(c->pty_slave);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    if (c->unix_path) {
        unlink(c->unix_path);
        free(c->unix_path);
    }
    free(c->outbuf);
    free(c->filename);
    free(c->label);
    free(c);
}

chardev *chardev_first(void) { return all_chardevs; }
bool chardev_is_mux(const chardev *c) { return c->mux; }

void chardev_start_all(void)
{
    for (chardev *c = all_chardevs; c; c = c->next)
        if (c->mux && c->nfe)
            send_event(c, c->focus, CHR_EVENT_MUX_IN);
}

void chardev_list(void (*out)(void *opaque, const char *text), void *opaque)
{
    for (chardev *c = all_chardevs; c; c = c->next) {
        char line[512];
        snprintf(line, sizeof(line), "%s: filename=%s\n", c->label, chardev_filename(c));
        out(opaque, line);
    }
}

void chardev_close_all(void)
{
    while (all_chardevs)
        chardev_close(all_chardevs);
}

/* ---- frontends ---- */

static void send_event(chardev *c, int i, int event)
{
    if (i >= 0 && i < c->nfe && c->fe[i].event)
        c->fe[i].event(c->fe[i].opaque, event);
}

bool chardev_attach(chardev *c, size_t (*can_rx)(void *), void (*rx)(void *, uint8_t),
                    void (*event)(void *, int), void *opaque, char *err, size_t errsize)
{
    if (c->nfe && !c->mux) {
        snprintf(err, errsize, "chardev '%s' is already in use (share it with mux=on)", c->label);
        return false;
    }
    if (c->nfe == CHARDEV_MAX_FE) {
        snprintf(err, errsize, "chardev '%s' has too many users", c->label);
        return false;
    }
    int i = c->nfe++;
    c->fe[i] = (struct chardev_fe){ can_rx, rx, event, opaque };
    /* as in QEMU, the frontend attached last has the focus (told by chardev_start_all,
     * once every frontend is there: a monitor behind a serial port stays quiet) */
    c->focus = i;
    if (c->connected)
        send_event(c, i, CHR_EVENT_OPENED);
    return true;
}

void chardev_detach(chardev *c, void *opaque)
{
    for (int i = 0; i < c->nfe; i++) {
        if (c->fe[i].opaque != opaque)
            continue;
        memmove(&c->fe[i], &c->fe[i + 1], (size_t)(c->nfe - i - 1) * sizeof(c->fe[0]));
        c->nfe--;
        if (c->focus >= c->nfe)
            c->focus = c->nfe ? c->nfe - 1 : 0;
        return;
    }
}

void chardev_set_receiver(chardev *c, size_t (*can_rx)(void *), void (*rx)(void *, uint8_t),
                          void *opaque)
{
    char err[128];
    if (!chardev_attach(c, can_rx, rx, NULL, opaque, err, sizeof(err)))
        fatal("%s", err);
}

/* ---- input ---- */

static void deliver(chardev *c)
{
    if (!c->nfe) {
        c->npending = 0;
        return;
    }
    struct chardev_fe *f = &c->fe[c->focus];
    size_t room = f->can_rx ? f->can_rx(f->opaque) : 0;
    size_t n = c->npending < room ? c->npending : room;
    for (size_t i = 0; i < n; i++)
        f->rx(f->opaque, c->pending[i]);
    /* the frontend may have been detached or the chardev refilled meanwhile */
    if (n > c->npending)
        n = c->npending;
    memmove(c->pending, c->pending + n, c->npending - n);
    c->npending -= n;
}

void chardev_accept_input(chardev *c)
{
    if (c && c->npending)
        deliver(c);
}

static void queue_byte(chardev *c, uint8_t b)
{
    if (c->npending < sizeof(c->pending))
        c->pending[c->npending++] = b;
}

static void mux_switch(chardev *c)
{
    if (c->nfe < 2)
        return;
    c->npending = 0;              /* what the old focus had not taken is not the new one's */
    send_event(c, c->focus, CHR_EVENT_MUX_OUT);
    c->focus = (c->focus + 1) % c->nfe;
    send_event(c, c->focus, CHR_EVENT_MUX_IN);
}

static void input_byte(chardev *c, uint8_t b)
{
    if (c->mux && c->escape) {
        c->escape = false;
        switch (b) {
        case 'x':
            chardev_write_text(c, "\ntern: terminated by Ctrl-A x\n");
            main_loop_request_exit_why(0, false, "host-ui");
            return;
        case 'h':
        case '?':
            chardev_write_text(c, "\nC-a h    print this help\nC-a x    exit tern\n"
                                  "C-a c    switch between console and monitor\nC-a C-a  sends C-a\n");
            return;
        case 'c':
            mux_switch(c);
            return;
        case 1:
            break;               /* a literal Ctrl-A */
        default:
            return;
        }
    } else if (c->mux && b == 1) {
        c->escape = true;
        return;
    }
    queue_byte(c, b);
}

void chardev_input(chardev *c, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        input_byte(c, buf[i]);
        /* a monitor takes its input at once, so a Ctrl-A c later in the same read
         * finds its line already done */
        if (c->npending)
            deliver(c);
    }
}

void chardev_peer_changed(chardev *c, bool connected)
{
    c->connected = connected;
    if (!connected) {
        c->outlen = 0;
        c->npending = 0;
    }
    for (int i = 0; i < c->nfe; i++)
        send_event(c, i, connected ? CHR_EVENT_OPENED : CHR_EVENT_CLOSED);
}

/* ---- output ---- */

static void write_blocking(int fd, const uint8_t *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                poll(&p, 1, 100);
                continue;
            }
            return;              /* closed terminal or full disk: output is lost */
        }
        buf += w;
        n -= (size_t)w;
    }
}

/* Write what fits without blocking; false if the peer is gone. */
static bool write_some(chardev *c, const uint8_t **buf, size_t *n)
{
    while (*n) {
        ssize_t w = c->is_socket ? send(c->out_fd, *buf, *n, MSG_NOSIGNAL) : write(c->out_fd, *buf, *n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        *buf += w;
        *n -= (size_t)w;
    }
    return true;
}

void chardev_flush_backlog(chardev *c)
{
    const uint8_t *p = c->outbuf;
    size_t n = c->outlen;
    bool alive = write_some(c, &p, &n);
    memmove(c->outbuf, p, n);
    c->outlen = alive ? n : 0;
    chardev_update_watch(c);
}

void chardev_write(chardev *c, const uint8_t *buf, size_t n)
{
    if (!c || c->out_fd < 0 || !c->connected || !n)
        return;
    if (!c->nonblocking_out) {
        write_blocking(c->out_fd, buf, n);
        return;
    }
    /* sockets and ptys: never block the caller (a vCPU, the main loop) on a slow peer */
    if (!c->outlen && !write_some(c, &buf, &n))
        return;
    if (!n)
        return;
    if (c->outlen + n > OUT_BACKLOG_MAX)
        n = OUT_BACKLOG_MAX - c->outlen;
    if (c->outlen + n > c->outcap) {
        size_t cap = c->outcap ? c->outcap : 4096;
        while (cap < c->outlen + n)
            cap *= 2;
        uint8_t *nb = realloc(c->outbuf, cap);
        if (!nb)
            return;
        c->outbuf = nb;
        c->outcap = cap;
    }
    memcpy(c->outbuf + c->outlen, buf, n);
    c->outlen += n;
    chardev_update_watch(c);
}

void chardev_write_text(chardev *c, const char *text)
{
    if (!c)
        return;
    /* every line ends "\r\n", as QEMU's monitor writes them on every backend */
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        chardev_write(c, (const uint8_t *)p, n);
        if (!nl)
            break;
        chardev_write(c, (const uint8_t *)"\r\n", 2);
        p = nl + 1;
    }
}

void chardev_printf(chardev *c, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0)
        chardev_write_text(c, s);
    free(s);
}
