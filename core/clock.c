/* Virtual clock, timers, fd handlers and the main loop (see clock.h). */
#include "core/clock.h"
#include "core/memory.h"
#include "core/log.h"
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

struct qtimer {
    qtimer_cb cb;
    void *opaque;
    uint64_t deadline;
    bool armed;
    qtimer *next;
};

static qtimer *timers;
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t clock_base;
static int wake_pipe[2] = { -1, -1 };
/* when the main loop will next wake by itself (0: it is awake); a timer set earlier
 * than that must wake it */
static _Atomic uint64_t loop_deadline;
static atomic_int exit_requested;
static atomic_int exit_status;

#define MAX_FDS 16
static struct { int fd; fd_cb cb; void *opaque; } fds[MAX_FDS];
static int nfds;

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vclock_ns(void)
{
    if (!clock_base)
        clock_base = host_ns() - 1;
    return host_ns() - clock_base;
}

qtimer *qtimer_new(qtimer_cb cb, void *opaque)
{
    qtimer *t = calloc(1, sizeof(*t));
    if (!t)
        fatal("out of memory");
    t->cb = cb;
    t->opaque = opaque;
    pthread_mutex_lock(&timer_lock);
    t->next = timers;
    timers = t;
    pthread_mutex_unlock(&timer_lock);
    return t;
}

void qtimer_free(qtimer *t)
{
    pthread_mutex_lock(&timer_lock);
    for (qtimer **p = &timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    pthread_mutex_unlock(&timer_lock);
    free(t);
}

void qtimer_mod(qtimer *t, uint64_t deadline_ns)
{
    pthread_mutex_lock(&timer_lock);
    t->deadline = deadline_ns;
    t->armed = true;
    pthread_mutex_unlock(&timer_lock);
    if (deadline_ns < atomic_load(&loop_deadline))
        main_loop_wake();
}

void qtimer_del(qtimer *t)
{
    pthread_mutex_lock(&timer_lock);
    t->armed = false;
    pthread_mutex_unlock(&timer_lock);
}

void main_loop_add_fd(int fd, fd_cb cb, void *opaque)
{
    if (nfds == MAX_FDS)
        fatal("too many fd handlers");
    fds[nfds].fd = fd;
    fds[nfds].cb = cb;
    fds[nfds].opaque = opaque;
    nfds++;
}

void main_loop_remove_fd(int fd)
{
    for (int i = 0; i < nfds; i++) {
        if (fds[i].fd == fd) {
            fds[i] = fds[--nfds];
            return;
        }
    }
}

static void ensure_pipe(void)
{
    if (wake_pipe[0] >= 0)
        return;
    if (pipe(wake_pipe) < 0)
        fatal("pipe failed");
    for (int i = 0; i < 2; i++)
        fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
}

void main_loop_wake(void)
{
    if (wake_pipe[1] >= 0) {
        char b = 0;
        ssize_t r = write(wake_pipe[1], &b, 1);
        (void)r;
    }
}

void main_loop_request_exit(int status)
{
    if (!atomic_exchange(&exit_requested, 1))
        atomic_store(&exit_status, status);
    main_loop_wake();
}

void main_loop_clear_exit(void)
{
    atomic_store(&exit_requested, 0);
    atomic_store(&exit_status, 0);
}

bool main_loop_exit_requested(void)
{
    return atomic_load(&exit_requested);
}

/* The earliest armed timer's deadline (UINT64_MAX: none). */
static uint64_t next_deadline(void)
{
    uint64_t next = UINT64_MAX;
    pthread_mutex_lock(&timer_lock);
    for (qtimer *t = timers; t; t = t->next)
        if (t->armed && t->deadline < next)
            next = t->deadline;
    pthread_mutex_unlock(&timer_lock);
    return next;
}

/* Runs due timers; returns the next deadline (UINT64_MAX: none). */
static uint64_t run_timers(void)
{
    for (;;) {
        uint64_t now = vclock_ns();
        qtimer *due = NULL;
        pthread_mutex_lock(&timer_lock);
        for (qtimer *t = timers; t; t = t->next) {
            if (t->armed && t->deadline <= now) {
                due = t;
                break;
            }
        }
        if (due)
            due->armed = false;
        pthread_mutex_unlock(&timer_lock);
        if (!due)
            return next_deadline();
        big_lock();
        due->cb(due->opaque);
        big_unlock();
    }
}

int main_loop_run(void)
{
    ensure_pipe();
    while (!atomic_load(&exit_requested)) {
        atomic_store(&loop_deadline, 0);
        uint64_t next = run_timers();
        /* publish when we will wake, then look again: a timer set meanwhile either
         * sees the deadline and wakes us, or is seen here */
        uint64_t cap = vclock_ns() + 1000000000ull;
        atomic_store(&loop_deadline, next < cap ? next : cap);
        if (next_deadline() < next)
            continue;
        struct pollfd pfd[MAX_FDS + 1];
        pfd[0].fd = wake_pipe[0];
        pfd[0].events = POLLIN;
        for (int i = 0; i < nfds; i++) {
            pfd[i + 1].fd = fds[i].fd;
            pfd[i + 1].events = POLLIN;
        }
        struct timespec ts, *tsp = NULL;
        if (next != UINT64_MAX) {
            uint64_t now = vclock_ns();
            uint64_t wait = next > now ? next - now : 0;
            if (wait > 1000000000ull)
                wait = 1000000000ull;
            ts.tv_sec = (time_t)(wait / 1000000000ull);
            ts.tv_nsec = (long)(wait % 1000000000ull);
            tsp = &ts;
        }
        int n = ppoll(pfd, (nfds_t)nfds + 1, tsp, NULL);
        atomic_store(&loop_deadline, 0);
        if (n <= 0)
            continue;
        if (pfd[0].revents) {
            char buf[64];
            while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
                ;
        }
        for (int i = 0; i < nfds; i++) {
            if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
                big_lock();
                fds[i].cb(fds[i].opaque);
                big_unlock();
            }
        }
    }
    return atomic_load(&exit_status);
}

__attribute__((constructor)) static void clock_init(void)
{
    vclock_ns();
    ensure_pipe();
}
