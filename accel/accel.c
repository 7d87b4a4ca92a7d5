/* The accelerator registry. */
#include "accel/accel.h"
#include <stdio.h>
#include <string.h>

static accel_debug_fn *debug_fn;
static void *debug_opaque;

void accel_set_debug_handler(accel_debug_fn *fn, void *opaque)
{
    debug_fn = fn;
    debug_opaque = opaque;
}

void accel_debug_report(unsigned cpu, int reason, uint64_t addr)
{
    if (debug_fn)
        debug_fn(debug_opaque, cpu, reason, addr);
}

#define MAX_ACCELS 8
static const accel_ops *accels[MAX_ACCELS];
static int naccels;

void accel_register(const accel_ops *ops)
{
    if (naccels < MAX_ACCELS)
        accels[naccels++] = ops;
}

const accel_ops *accel_find(const char *name, const char *arch)
{
    for (int i = 0; i < naccels; i++)
        if (!strcmp(accels[i]->name, name) && (!arch || !strcmp(accels[i]->arch, arch)))
            return accels[i];
    return NULL;
}

const accel_ops *accel_pick(const char *const *names, const char *arch)
{
    for (; *names; names++) {
        const accel_ops *a = accel_find(*names, arch);
        if (a && (!a->available || a->available()))
            return a;
    }
    return NULL;
}

void accel_list(const char *arch)
{
    printf("Accelerators:\n");
    for (int i = 0; i < naccels; i++)
        if (!arch || !strcmp(accels[i]->arch, arch))
            printf("%-8s %s guests: %s%s\n", accels[i]->name, accels[i]->arch,
                   accels[i]->desc ? accels[i]->desc : "",
                   accels[i]->available && !accels[i]->available() ? " (not on this host)" : "");
}
