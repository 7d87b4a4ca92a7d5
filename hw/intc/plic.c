/*
 * The PLIC (see plic.h). Level-triggered sources: a source is pending while its line
 * is high and it is not being serviced (claimed and not yet completed); a claim
 * returns the highest-priority pending enabled source above the context's threshold
 * (ties go to the lowest source number).
 */
#include "hw/intc/plic.h"
#include "core/log.h"
#include <stdlib.h>

#define MAX_CONTEXTS 16
#define WORDS ((PLIC_NUM_SOURCES + 31) / 32)

struct plic {
    rv_cpu **harts;
    unsigned nharts, ncontexts;
    void (*kick)(void *opaque, unsigned hart);
    void *kick_opaque;
    uint32_t priority[PLIC_NUM_SOURCES];
    uint32_t level[WORDS];       /* input line state */
    uint32_t pending[WORDS];
    uint32_t claimed[WORDS];     /* in service: not pending again until completed */
    uint32_t enable[MAX_CONTEXTS][WORDS];
    uint32_t threshold[MAX_CONTEXTS];
};

static bool bit_get(const uint32_t *w, unsigned i) { return (w[i / 32] >> (i % 32)) & 1; }
static void bit_set(uint32_t *w, unsigned i, bool v)
{
    if (v)
        w[i / 32] |= 1u << (i % 32);
    else
        w[i / 32] &= ~(1u << (i % 32));
}

/* Best pending enabled source for a context, or 0. */
static unsigned best_source(plic *p, unsigned ctx)
{
    unsigned best = 0;
    uint32_t best_prio = p->threshold[ctx];
    for (unsigned s = 1; s < PLIC_NUM_SOURCES; s++) {
        if (bit_get(p->pending, s) && bit_get(p->enable[ctx], s) && p->priority[s] > best_prio) {
            best = s;
            best_prio = p->priority[s];
        }
    }
    return best;
}

static void update(plic *p)
{
    for (unsigned ctx = 0; ctx < p->ncontexts; ctx++) {
        unsigned hart = ctx / 2;
        bool level = best_source(p, ctx) != 0;
        unsigned irq = (ctx & 1) ? IRQ_SEI : IRQ_MEI;
        uint64_t before = atomic_load(&p->harts[hart]->irq_lines);
        rv_cpu_set_irq(p->harts[hart], irq, level);
        if (level && !((before >> irq) & 1))
            p->kick(p->kick_opaque, hart);
    }
}

void plic_set_irq(plic *p, unsigned source, bool level)
{
    if (source == 0 || source >= PLIC_NUM_SOURCES)
        return;
    bit_set(p->level, source, level);
    if (level && !bit_get(p->claimed, source))
        bit_set(p->pending, source, true);
    else if (!level)
        bit_set(p->pending, source, false);
    update(p);
}

static uint64_t plic_read(void *opaque, uint64_t off, unsigned size)
{
    plic *p = opaque;
    if (size != 4) {
        guest_error("guest_errors: plic: %u-byte read at 0x%llx\n", size, (unsigned long long)off);
        return 0;
    }
    if (off < 0x1000) {
        unsigned s = off / 4;
        return s < PLIC_NUM_SOURCES ? p->priority[s] : 0;
    }
    if (off < 0x2000) {
        unsigned w = (off - 0x1000) / 4;
        return w < WORDS ? p->pending[w] : 0;
    }
    if (off < 0x200000) {
        unsigned ctx = (off - 0x2000) / 0x80, w = ((off - 0x2000) % 0x80) / 4;
        return ctx < p->ncontexts && w < WORDS ? p->enable[ctx][w] : 0;
    }
    unsigned ctx = (off - 0x200000) / 0x1000, reg = off & 0xfff;
    if (ctx >= p->ncontexts)
        return 0;
    if (reg == 0)
        return p->threshold[ctx];
    if (reg == 4) {                                   /* claim */
        unsigned s = best_source(p, ctx);
        if (s) {
            bit_set(p->pending, s, false);
            bit_set(p->claimed, s, true);
            update(p);
        }
        return s;
    }
    return 0;
}

static void plic_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    plic *p = opaque;
    uint32_t v = (uint32_t)val;
    if (size != 4) {
        guest_error("guest_errors: plic: %u-byte write at 0x%llx\n", size, (unsigned long long)off);
        return;
    }
    if (off < 0x1000) {
        unsigned s = off / 4;
        if (s && s < PLIC_NUM_SOURCES)
            p->priority[s] = v & 7;
    } else if (off < 0x2000) {
        /* pending bits are read-only */
    } else if (off < 0x200000) {
        unsigned ctx = (off - 0x2000) / 0x80, w = ((off - 0x2000) % 0x80) / 4;
        if (ctx < p->ncontexts && w < WORDS)
            p->enable[ctx][w] = w == 0 ? v & ~1u : v;  /* source 0 does not exist */
    } else {
        unsigned ctx = (off - 0x200000) / 0x1000, reg = off & 0xfff;
        if (ctx >= p->ncontexts)
            return;
        if (reg == 0) {
            p->threshold[ctx] = v & 7;
        } else if (reg == 4) {                        /* complete */
            /* The spec lets a PLIC ignore completions for sources not enabled in this
             * context, but Linux may move an irq's affinity between claim and complete;
             * like QEMU, accept the completion so the source is not stuck in service. */
            if (v && v < PLIC_NUM_SOURCES && bit_get(p->claimed, v)) {
                bit_set(p->claimed, v, false);
                if (bit_get(p->level, v))
                    bit_set(p->pending, v, true);
            }
        }
    }
    update(p);
}

static const mmio_ops plic_ops = { plic_read, plic_write };

static const state_field plic_fields[] = {
    STATE_ARRAY(plic, priority), STATE_ARRAY(plic, level), STATE_ARRAY(plic, pending),
    STATE_ARRAY(plic, claimed), STATE_ARRAY2(plic, enable), STATE_ARRAY(plic, threshold),
};
static const state_desc plic_state = STATE_DESC(1, plic_fields);

/* State is cleared by the registry; devices registered after the PLIC re-assert their
 * lines in their own resets. */
static void plic_reset(void *dev)
{
    update(dev);
}

/* A snapshot's values come from a file: priorities and thresholds are 3 bits and
 * source 0 does not exist, whatever it says, so best_source's comparisons hold. */
static bool plic_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    plic *p = dev;
    (void)in, (void)version, (void)err, (void)errsize;
    for (unsigned s = 0; s < PLIC_NUM_SOURCES; s++)
        p->priority[s] &= 7;
    for (unsigned c = 0; c < MAX_CONTEXTS; c++) {
        p->threshold[c] &= 7;
        p->enable[c][0] &= ~1u;
    }
    p->pending[0] &= ~1u;
    p->claimed[0] &= ~1u;
    return true;
}

/* After a load every context's MEIP/SEIP follows the loaded pending, enable, priority
 * and threshold again (the harts' irq_lines are not part of their saved state). The
 * input levels were saved too: the devices driving them re-assert the same values. */
static void plic_post_load(void *dev)
{
    update(dev);
}

static const device_ops plic_dev_ops = {
    .type = "plic", .state = &plic_state, .reset = plic_reset, .destroy = free,
    .load_extra = plic_load_extra, .post_load = plic_post_load,
};

plic *plic_create(device_list *devs, address_space *as, uint64_t base, rv_cpu **harts,
                  unsigned nharts, void (*kick)(void *opaque, unsigned hart), void *kick_opaque)
{
    plic *p = calloc(1, sizeof(*p));
    if (!p)
        fatal("out of memory");
    p->harts = harts;
    p->nharts = nharts;
    p->ncontexts = nharts * 2 > MAX_CONTEXTS ? MAX_CONTEXTS : nharts * 2;
    p->kick = kick;
    p->kick_opaque = kick_opaque;
    as_add_mmio(as, "plic", base, 0x600000, &plic_ops, p);
    device_register(devs, "plic", &plic_dev_ops, p);
    return p;
}
