/* Timers, fd watches, cross-thread calls and the main loop (see main_loop.h). */
#include "core/main_loop.h"
#include "core/clock.h"
#include "core/memory.h"
#include "core/log.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct qtimer {
    qtimer_cb cb;
    void *opaque;
    uint64_t deadline;
    bool armed;
    bool host;                  /* on the host's clock: runs on while the guest is stopped */
    qtimer *next;
};

static qtimer *timers;
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static int wake_pipe[2] = { -1, -1 };
/* when the main loop will next wake by itself (0: it is awake); a timer set earlier
 * than that must wake it */
static _Atomic uint64_t loop_deadline;
static atomic_int exit_requested;
static atomic_int exit_status;

struct io_watch {
    int fd;
    short events;
    io_cb cb;
    void *opaque;
    bool removed;               /* freed after the dispatch that may still see it */
};
static io_watch **watches;
static size_t nwatches, watches_cap;
static bool dispatching;

struct call {
    void (*fn)(void *opaque);
    void *opaque;
    struct call *next;
};
static struct call *calls, **calls_tail = &calls;
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- timers ---- */

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

qtimer *qtimer_new_host(qtimer_cb cb, void *opaque)
{
    qtimer *t = qtimer_new(cb, opaque);
    pthread_mutex_lock(&timer_lock);
    t->host = true;
    pthread_mutex_unlock(&timer_lock);
    return t;
}

/* A timer's deadline on the virtual clock, which the loop sleeps by: a host timer's
 * remaining time counts the same on both (the loop looks again at least every second,
 * and a stopped virtual clock only makes the sleep end early). */
static uint64_t virtual_deadline(const qtimer *t, uint64_t vnow, uint64_t hnow)
{
    if (!t->host)
        return t->deadline;
    return t->deadline <= hnow ? vnow : vnow + (t->deadline - hnow);
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
    uint64_t vd = virtual_deadline(t, vclock_ns(), host_clock_ns());
    pthread_mutex_unlock(&timer_lock);
    if (vd < atomic_load(&loop_deadline))
        main_loop_wake();
}

void qtimer_del(qtimer *t)
{
    pthread_mutex_lock(&timer_lock);
    t->armed = false;
    pthread_mutex_unlock(&timer_lock);
}

/* The earliest armed timer's deadline (UINT64_MAX: none). */
static uint64_t next_deadline(void)
{
    uint64_t next = UINT64_MAX, vnow = vclock_ns(), hnow = host_clock_ns();
    pthread_mutex_lock(&timer_lock);
    for (qtimer *t = timers; t; t = t->next)
        if (t->armed && virtual_deadline(t, vnow, hnow) < next)
            next = virtual_deadline(t, vnow, hnow);
    pthread_mutex_unlock(&timer_lock);
    return next;
}

/* Runs due timers; returns the next deadline (UINT64_MAX: none). */
static uint64_t run_timers(void)
{
    for (;;) {
        uint64_t now = vclock_ns(), hnow = host_clock_ns();
        qtimer *due = NULL;
        pthread_mutex_lock(&timer_lock);
        for (qtimer *t = timers; t; t = t->next) {
            if (t->armed && t->deadline <= (t->host ? hnow : now)) {
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

/* ---- fd watches ---- */

io_watch *io_watch_add(int fd, short events, io_cb cb, void *opaque)
{
    if (nwatches == watches_cap) {
        watches_cap = watches_cap ? watches_cap * 2 : 16;
        watches = realloc(watches, watches_cap * sizeof(*watches));
        if (!watches)
            fatal("out of memory");
    }
    io_watch *w = calloc(1, sizeof(*w));
    if (!w)
        fatal("out of memory");
    *w = (io_watch){ .fd = fd, .events = events, .cb = cb, .opaque = opaque };
    watches[nwatches++] = w;
    main_loop_wake();
    return w;
}

void io_watch_set_events(io_watch *w, short events)
{
    if (w && w->events != events) {
        w->events = events;
        main_loop_wake();
    }
}

static void sweep_watches(void)
{
    size_t k = 0;
    for (size_t i = 0; i < nwatches; i++) {
        if (watches[i]->removed)
            free(watches[i]);
        else
            watches[k++] = watches[i];
    }
    nwatches = k;
}

void io_watch_remove(io_watch *w)
{
    if (!w)
        return;
    w->removed = true;
    w->events = 0;
    if (!dispatching)
        sweep_watches();
}

/* ---- calls from other threads ---- */

void main_loop_call(void (*fn)(void *opaque), void *opaque)
{
    struct call *c = malloc(sizeof(*c));
    if (!c)
        fatal("out of memory");
    *c = (struct call){ fn, opaque, NULL };
    pthread_mutex_lock(&call_lock);
    *calls_tail = c;
    calls_tail = &c->next;
    pthread_mutex_unlock(&call_lock);
    main_loop_wake();
}

static void run_calls(void)
{
    pthread_mutex_lock(&call_lock);
    struct call *list = calls;
    calls = NULL;
    calls_tail = &calls;
    pthread_mutex_unlock(&call_lock);
    while (list) {
        struct call *c = list;
        list = c->next;
        big_lock();
        c->fn(c->opaque);
        big_unlock();
        free(c);
    }
}

/* ---- the loop ---- */

static void ensure_pipe(void)
{
    if (wake_pipe[0] >= 0)
        return;
    if (pipe(wake_pipe) < 0)
        fatal("pipe failed");
    for (int i = 0; i < 2; i++) {
        fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
    }
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

static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;
static bool why_guest = true;
static const char *why_reason;

void main_loop_request_exit_why(int status, bool guest, const char *reason)
{
    pthread_mutex_lock(&why_lock);
    if (!atomic_load(&exit_requested)) {
        why_guest = guest;
        why_reason = reason;
    }
    pthread_mutex_unlock(&why_lock);
    main_loop_request_exit(status);
}

void main_loop_take_why(bool *guest, const char **reason)
{
    pthread_mutex_lock(&why_lock);
    *guest = why_reason ? why_guest : true;
    *reason = why_reason;
    why_reason = NULL;
    pthread_mutex_unlock(&why_lock);
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

int main_loop_run(void)
{
    ensure_pipe();
    struct pollfd *pfd = NULL;
    io_watch **polled = NULL;
    size_t cap = 0;
    while (!atomic_load(&exit_requested)) {
        atomic_store(&loop_deadline, 0);
        run_calls();
        uint64_t next = run_timers();
        if (atomic_load(&exit_requested))
            break;
        /* publish when we will wake, then look again: a timer set meanwhile either
         * sees the deadline and wakes us, or is seen here */
        uint64_t cap_ns = vclock_ns() + 1000000000ull;
        atomic_store(&loop_deadline, next < cap_ns ? next : cap_ns);
        if (next_deadline() < next)
            continue;
        if (cap < nwatches + 1) {
            cap = nwatches + 16;
            pfd = realloc(pfd, cap * sizeof(*pfd));
            polled = realloc(polled, cap * sizeof(*polled));
            if (!pfd || !polled)
                fatal("out of memory");
        }
        pfd[0] = (struct pollfd){ .fd = wake_pipe[0], .events = POLLIN };
        size_t n = 1;
        for (size_t i = 0; i < nwatches; i++) {
            if (watches[i]->removed || !watches[i]->events)
                continue;
            polled[n] = watches[i];
            pfd[n++] = (struct pollfd){ .fd = watches[i]->fd, .events = watches[i]->events };
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
        int ready = ppoll(pfd, (nfds_t)n, tsp, NULL);
        atomic_store(&loop_deadline, 0);
        if (ready <= 0)
            continue;
        if (pfd[0].revents) {
            char buf[64];
            while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
                ;
        }
        dispatching = true;
        for (size_t i = 1; i < n; i++) {
            io_watch *w = polled[i];
            short rev = pfd[i].revents;
            /* a watch removed or changed by an earlier callback in this round is skipped */
            if (!rev || w->removed || !(rev & (w->events | POLLHUP | POLLERR | POLLNVAL)))
                continue;
            big_lock();
            w->cb(w->opaque, rev);
            big_unlock();
        }
        dispatching = false;
        sweep_watches();
    }
    free(pfd);
    free(polled);
    run_calls();
    return atomic_load(&exit_status);
}

__attribute__((constructor)) static void main_loop_init(void)
{
    ensure_pipe();
}
