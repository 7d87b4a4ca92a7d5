/* ACLINT machine timer and software interrupts (see aclint.h). */
#include "hw/intc/aclint.h"
#include "core/clock.h"
#include "core/log.h"
#include <stdlib.h>

#define MAX_HARTS 64

typedef struct hart_timer {
    aclint *a;
    unsigned hart;
    qtimer *mt, *st;
} hart_timer;

struct aclint {
    rv_cpu **harts;
    unsigned nharts;
    void (*kick)(void *opaque, unsigned hart);
    void *kick_opaque;
    hart_timer t[MAX_HARTS];
    uint64_t mtimecmp[MAX_HARTS];
    uint32_t msip[MAX_HARTS];
};

uint64_t aclint_mtime(aclint *a)
{
    return vclock_ns() / (1000000000ull / ACLINT_TIMEBASE_HZ);
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    if (ticks > UINT64_MAX / 100)
        return UINT64_MAX;
    return ticks * (1000000000ull / ACLINT_TIMEBASE_HZ);
}

static void update_mtip(hart_timer *t)
{
    aclint *a = t->a;
    uint64_t now = aclint_mtime(a);
    bool level = now >= a->mtimecmp[t->hart];
    rv_cpu_set_irq(a->harts[t->hart], IRQ_MTI, level);
    if (level)
        a->kick(a->kick_opaque, t->hart);
    else
        qtimer_mod(t->mt, ticks_to_ns(a->mtimecmp[t->hart]));
}

static void mtimer_fired(void *opaque)
{
    update_mtip(opaque);
}

static void stimer_fired(void *opaque)
{
    hart_timer *t = opaque;
    t->a->kick(t->a->kick_opaque, t->hart);
}

void aclint_stimecmp_changed(aclint *a, unsigned hart)
{
    if (hart >= a->nharts)
        return;
    rv_cpu *c = a->harts[hart];
    if (!(c->menvcfg >> 63) || c->stimecmp == UINT64_MAX) {
        qtimer_del(a->t[hart].st);
        return;
    }
    qtimer_mod(a->t[hart].st, ticks_to_ns(c->stimecmp));
}

static uint64_t aclint_read(void *opaque, uint64_t off, unsigned size)
{
    aclint *a = opaque;
    uint64_t v = 0;
    unsigned shift = (off & 7) * 8;
    if (off < 0x4000) {
        unsigned h = off / 4;
        if (h < a->nharts)
            return a->msip[h];
        return 0;
    }
    if (off >= 0xbff8) {
        v = aclint_mtime(a);
    } else if (off >= 0x4000) {
        unsigned h = (off - 0x4000) / 8;
        if (h < a->nharts)
            v = a->mtimecmp[h];
    }
    v >>= shift;
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void aclint_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    aclint *a = opaque;
    if (off < 0x4000) {
        unsigned h = off / 4;
        if (h < a->nharts && (off & 3) == 0) {
            a->msip[h] = val & 1;
            rv_cpu_set_irq(a->harts[h], IRQ_MSI, val & 1);
            a->kick(a->kick_opaque, h);
        }
        return;
    }
    if (off >= 0xbff8) {
        guest_error("guest_errors: aclint: mtime is read-only here\n");
        return;
    }
    unsigned h = (off - 0x4000) / 8;
    if (h >= a->nharts)
        return;
    hart_timer *t = &a->t[h];
    unsigned shift = (off & 7) * 8;
    uint64_t mask = size == 8 ? ~0ull : ((1ull << (8 * size)) - 1) << shift;
    a->mtimecmp[h] = (a->mtimecmp[h] & ~mask) | ((val << shift) & mask);
    update_mtip(t);
}

static const mmio_ops aclint_ops = { aclint_read, aclint_write };

static void aclint_reset(void *dev);

static const state_field aclint_fields[] = {
    STATE_ARRAY(aclint, mtimecmp), STATE_ARRAY(aclint, msip),
};
static const state_desc aclint_state = STATE_DESC(1, aclint_fields);

static void aclint_destroy(void *dev)
{
    aclint *a = dev;
    for (unsigned i = 0; i < a->nharts; i++) {
        qtimer_free(a->t[i].mt);
        qtimer_free(a->t[i].st);
    }
    free(a);
}

/* After a snapshot was loaded (the harts' stimecmp and menvcfg among it, and the guest
 * clock at its saved value): each hart's MTIP and MSIP follow the loaded registers
 * again, and the timers that wake a hart for mtimecmp and Sstc's stimecmp are armed
 * from them; a fresh instance has none armed, a running one has the old ones. */
static void aclint_post_load(void *dev)
{
    aclint *a = dev;
    for (unsigned i = 0; i < a->nharts; i++) {
        a->msip[i] &= 1;
        rv_cpu_set_irq(a->harts[i], IRQ_MSI, a->msip[i]);
        qtimer_del(a->t[i].mt);
        update_mtip(&a->t[i]);
        aclint_stimecmp_changed(a, i);
    }
}

static const device_ops aclint_dev_ops = {
    .type = "aclint", .state = &aclint_state, .reset = aclint_reset, .destroy = aclint_destroy,
    .post_load = aclint_post_load,
};

aclint *aclint_create(device_list *devs, address_space *as, uint64_t base, rv_cpu **harts, unsigned nharts,
                      void (*kick)(void *opaque, unsigned hart), void *kick_opaque)
{
    aclint *a = calloc(1, sizeof(*a));
    if (!a)
        fatal("out of memory");
    a->harts = harts;
    a->nharts = nharts > MAX_HARTS ? MAX_HARTS : nharts;
    a->kick = kick;
    a->kick_opaque = kick_opaque;
    for (unsigned i = 0; i < a->nharts; i++) {
        a->t[i].a = a;
        a->t[i].hart = i;
        a->t[i].mt = qtimer_new(mtimer_fired, &a->t[i]);
        a->t[i].st = qtimer_new(stimer_fired, &a->t[i]);
    }
    aclint_reset(a);
    as_add_mmio(as, "aclint", base, 0x10000, &aclint_ops, a);
    device_register(devs, "aclint", &aclint_dev_ops, a);
    return a;
}

static void aclint_reset(void *dev)
{
    aclint *a = dev;
    for (unsigned i = 0; i < a->nharts; i++) {
        a->mtimecmp[i] = UINT64_MAX;          /* no timer interrupt until programmed */
        qtimer_del(a->t[i].mt);
        qtimer_del(a->t[i].st);
        rv_cpu_set_irq(a->harts[i], IRQ_MTI, false);
        rv_cpu_set_irq(a->harts[i], IRQ_MSI, false);
    }
}
