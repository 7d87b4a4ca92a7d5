/*
 * Character backends (see chardev.h). The terminal is put in raw mode and restored on
 * every way out: normal exit, fatal signals, and atexit.
 */
#include "core/chardev.h"
#include "core/clock.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define INBUF 4096

struct chardev {
    int in_fd, out_fd;
    bool mux;                   /* Ctrl-A escapes and the monitor */
    bool escape;                /* saw Ctrl-A */
    bool in_monitor;
    char line[256];
    size_t line_len;
    uint8_t pending[INBUF];
    size_t npending;
    size_t (*can_rx)(void *opaque);
    void (*rx)(void *opaque, uint8_t byte);
    void *opaque;
    monitor_fn monitor;
    void *monitor_opaque;
};

static struct termios saved_tio;
static bool tio_saved;

static void restore_terminal(void)
{
    if (tio_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
        tio_saved = false;
    }
}

static void fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void raw_terminal(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
        return;
    struct termios t = saved_tio;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_oflag |= OPOST;          /* keep \n -> \r\n for the host side, as QEMU does */
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tio_saved = true;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    atexit(restore_terminal);
    static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], fatal_signal);
}

static void out_text(chardev *c, const char *s)
{
    chardev_write(c, (const uint8_t *)s, strlen(s));
}

static chardev *monitor_out_dev;
static void monitor_out(const char *text)
{
    if (monitor_out_dev)
        out_text(monitor_out_dev, text);
}

static void deliver(chardev *c)
{
    size_t room = c->can_rx ? c->can_rx(c->opaque) : 0;
    size_t n = c->npending < room ? c->npending : room;
    for (size_t i = 0; i < n; i++)
        c->rx(c->opaque, c->pending[i]);
    memmove(c->pending, c->pending + n, c->npending - n);
    c->npending -= n;
}

static void queue_byte(chardev *c, uint8_t b)
{
    if (c->npending < INBUF)
        c->pending[c->npending++] = b;
}

static void monitor_byte(chardev *c, uint8_t b)
{
    if (b == '\r' || b == '\n') {
        out_text(c, "\r\n");
        c->line[c->line_len] = 0;
        if (c->line_len && c->monitor) {
            monitor_out_dev = c;
            c->monitor(c->monitor_opaque, c->line, monitor_out);
        }
        c->line_len = 0;
        if (c->in_monitor)
            out_text(c, "(tern) ");
    } else if (b == 0x7f || b == 8) {
        if (c->line_len) {
            c->line_len--;
            out_text(c, "\b \b");
        }
    } else if (b >= 32 && c->line_len + 1 < sizeof(c->line)) {
        c->line[c->line_len++] = (char)b;
        chardev_write(c, &b, 1);
    }
}

static void input_byte(chardev *c, uint8_t b)
{
    if (c->mux && c->escape) {
        c->escape = false;
        switch (b) {
        case 'x':
            out_text(c, "\r\ntern: terminated by Ctrl-A x\r\n");
            main_loop_request_exit(0);
            return;
        case 'h':
            out_text(c, "\r\nC-a h    print this help\r\nC-a x    exit tern\r\n"
                        "C-a c    switch between console and monitor\r\nC-a C-a  send C-a\r\n");
            return;
        case 'c':
            c->in_monitor = !c->in_monitor;
            c->line_len = 0;
            out_text(c, c->in_monitor ? "\r\n(tern) " : "\r\n");
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
    if (c->in_monitor)
        monitor_byte(c, b);
    else
        queue_byte(c, b);
}

static void on_readable(void *opaque)
{
    chardev *c = opaque;
    uint8_t buf[256];
    ssize_t n = read(c->in_fd, buf, sizeof(buf));
    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            main_loop_remove_fd(c->in_fd);   /* EOF: the guest just sees no more input */
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        input_byte(c, buf[i]);
    deliver(c);
}

chardev *chardev_open(const char *spec, char *err, size_t errsize)
{
    chardev *c = calloc(1, sizeof(*c));
    if (!c)
        fatal("out of memory");
    c->in_fd = c->out_fd = -1;
    if (!strcmp(spec, "mon:stdio") || !strcmp(spec, "stdio")) {
        c->mux = !strcmp(spec, "mon:stdio");
        c->in_fd = STDIN_FILENO;
        c->out_fd = STDOUT_FILENO;
        raw_terminal();
        fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) | O_NONBLOCK);
        main_loop_add_fd(c->in_fd, on_readable, c);
    } else if (!strncmp(spec, "file:", 5)) {
        c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->out_fd < 0) {
            snprintf(err, errsize, "-serial %s: %s", spec, strerror(errno));
            free(c);
            return NULL;
        }
    } else if (strcmp(spec, "null") != 0) {
        snprintf(err, errsize, "-serial %s: unknown backend (mon:stdio, stdio, file:PATH, null)", spec);
        free(c);
        return NULL;
    }
    return c;
}

void chardev_close(chardev *c)
{
    if (!c)
        return;
    if (c->in_fd >= 0) {
        main_loop_remove_fd(c->in_fd);
        fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) & ~O_NONBLOCK);
        restore_terminal();
    }
    if (c->out_fd > STDERR_FILENO)
        close(c->out_fd);
    free(c);
}

void chardev_write(chardev *c, const uint8_t *buf, size_t n)
{
    while (c->out_fd >= 0 && n) {
        ssize_t w = write(c->out_fd, buf, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                usleep(1000);
                continue;
            }
            return;              /* closed terminal or full disk: output is lost */
        }
        buf += w;
        n -= (size_t)w;
    }
}

void chardev_set_receiver(chardev *c, size_t (*can_rx)(void *), void (*rx)(void *, uint8_t),
                          void *opaque)
{
    c->can_rx = can_rx;
    c->rx = rx;
    c->opaque = opaque;
}

void chardev_accept_input(chardev *c)
{
    if (c && c->npending)
        deliver(c);
}

void chardev_set_monitor(chardev *c, monitor_fn fn, void *opaque)
{
    c->monitor = fn;
    c->monitor_opaque = opaque;
}

void monitor_out_text(void (*out)(const char *text), char *text)
{
    for (char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl) {
            out(p);
            break;
        }
        *nl = 0;
        out(p);
        out("\r\n");
    }
}
