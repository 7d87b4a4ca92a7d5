/* The virtual clock (see clock.h). */
#include "core/clock.h"
#include <stdatomic.h>
#include <time.h>

/* vclock = host - offset while running; frozen_at (non-zero) while stopped */
static _Atomic uint64_t offset;
static _Atomic uint64_t frozen_at;

uint64_t host_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vclock_ns(void)
{
    uint64_t f = atomic_load(&frozen_at);
    if (f)
        return f;
    return host_clock_ns() - atomic_load(&offset);
}

void vclock_stop(void)
{
    if (!atomic_load(&frozen_at))
        atomic_store(&frozen_at, vclock_ns());
}

void vclock_cont(void)
{
    uint64_t f = atomic_load(&frozen_at);
    if (!f)
        return;
    /* the new offset first, so a reader that sees the clock running sees it too */
    atomic_store(&offset, host_clock_ns() - f);
    atomic_store(&frozen_at, 0);
}

void vclock_set(uint64_t ns)
{
    if (!ns)
        ns = 1;                  /* frozen_at 0 means running */
    if (atomic_load(&frozen_at))
        atomic_store(&frozen_at, ns);
    else                         /* before the machine first starts (-incoming) */
        atomic_store(&offset, host_clock_ns() - ns);
}

bool vclock_stopped(void)
{
    return atomic_load(&frozen_at) != 0;
}

__attribute__((constructor)) static void vclock_init(void)
{
    /* guest time starts near zero, as a machine's does at power-on */
    atomic_store(&offset, host_clock_ns() - 1);
}
