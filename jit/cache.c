/*
 * The block cache: translated blocks found by (physical pc, virtual pc, context), so a
 * block is found again after its TLB entry is gone; the physical pages they came from,
 * so writes to those pages drop exactly the blocks they overlap; linking of direct
 * exits; and the full flush when the code buffer is full.
 *
 * Translated code is shared by the harts. A dropped block's memory stays valid until
 * the next full flush, which waits until no hart is in translated code, so a hart
 * still running a block that another hart dropped finishes it safely.
 */
#include "jit/jit_internal.h"
#include "core/memory.h"
#include <string.h>
#include <sched.h>

_Atomic uint64_t jit_inval_gen;

static unsigned block_hash(uint64_t vpc, uint64_t ppc, uint32_t flags)
{
    uint64_t h = (ppc >> 1) ^ (vpc * 0x9e3779b97f4a7c15ull) ^ flags;
    return (unsigned)((h ^ (h >> 29)) & ((1u << JIT_HASH_BITS) - 1));
}

static unsigned page_hash(uint64_t ppn)
{
    return (unsigned)((ppn * 0x9e3779b97f4a7c15ull) >> (64 - JIT_PAGE_HASH_BITS));
}

jit_block *jit_lookup(jit *j, uint64_t vpc, uint64_t ppc, uint32_t flags)
{
    j->stats.lookups++;
    for (jit_block *b = j->htab[block_hash(vpc, ppc, flags)]; b; b = b->hash_next) {
        j->stats.lookup_steps++;
        if (b->vpc == vpc && b->ppc == ppc && b->flags == flags)
            return b;
    }
    return NULL;
}

static jit_page *find_page(jit *j, uint64_t ppn, bool create)
{
    jit_page **head = &j->ptab[page_hash(ppn)];
    for (jit_page *p = *head; p; p = p->next)
        if (p->ppn == ppn)
            return p;
    if (!create)
        return NULL;
    jit_page *p = jit_alloc(j, sizeof(*p));
    p->ppn = ppn;
    p->next = *head;
    *head = p;
    return p;
}

void jit_insert(jit *j, jit_block *b)
{
    unsigned h = block_hash(b->vpc, b->ppc, b->flags);
    b->hash_next = j->htab[h];
    j->htab[h] = b;
    jit_page *p = find_page(j, b->ppc >> 12, true);
    b->page_next = p->blocks;
    p->blocks = b;
}

/* Point an exit's jump at `target` (writable view of the code). Four-byte aligned
 * displacements make this one atomic store, safe while other harts run the code. */
static void set_jump(uint8_t *disp, const uint8_t *target_rw)
{
    int32_t rel = (int32_t)(target_rw - (disp + 4));
    __atomic_store_n((int32_t *)(void *)disp, rel, __ATOMIC_RELEASE);
}

void jit_link(jit *j, jit_exit *e, jit_block *to)
{
    if (e->to || atomic_load(&e->from->invalid) || atomic_load(&to->invalid))
        return;
    set_jump(e->jmp_disp, jit_rw(j, to->code));
    e->to = to;
    e->next_in = to->incoming;
    to->incoming = e;
    j->stats.chains++;
}

static void invalidate_block(jit *j, jit_block *b)
{
    atomic_store(&b->invalid, true);
    /* out of the hash chain */
    for (jit_block **pp = &j->htab[block_hash(b->vpc, b->ppc, b->flags)]; *pp; pp = &(*pp)->hash_next) {
        if (*pp == b) {
            *pp = b->hash_next;
            break;
        }
    }
    /* blocks that jump straight here go back to their dispatcher exits */
    for (jit_exit *e = b->incoming; e; e = e->next_in) {
        set_jump(e->jmp_disp, e->stub);
        e->to = NULL;
    }
    b->incoming = NULL;
    /* and no hart finds it through its jump cache */
    unsigned idx = rv_jc_index(b->vpc);
    for (unsigned i = 0; i < j->nharts; i++) {
        rv_jc_entry *e = &j->harts[i].c->jc[b->flags][idx];
        if (e->code == b->code)
            __atomic_store_n(&e->pc, ~0ull, __ATOMIC_RELEASE);
    }
    j->stats.invalidations++;
}

void jit_code_written(void *opaque, uint64_t pa, uint64_t len)
{
    jit *j = opaque;
    pthread_mutex_lock(&j->lock);
    for (uint64_t page = pa >> 12; page <= (pa + len - 1) >> 12; page++) {
        jit_page *p = find_page(j, page, false);
        uint64_t marks = 0;
        bool dropped = false;
        for (jit_block **pp = p ? &p->blocks : NULL; pp && *pp;) {
            jit_block *b = *pp;
            if (b->ppc < pa + len && pa < b->ppc + b->guest_bytes) {
                invalidate_block(j, b);
                *pp = b->page_next;
                dropped = true;
            } else {
                marks |= as_granules(b->ppc, b->guest_bytes);
                pp = &b->page_next;
            }
        }
        if (dropped)
            atomic_fetch_add(&jit_inval_gen, 1);
        /* what is left marked is exactly the code of the remaining blocks */
        as_set_code_marks(j->as, page << 12, marks);
    }
    pthread_mutex_unlock(&j->lock);
}

void jit_protect_code(jit *j, uint64_t ppc, uint64_t len)
{
    uint64_t ppage = ppc & ~0xfffull;
    if (!as_mark_code(j->as, ppc, len))
        return;
    uint8_t *host = as_ram_ptr(j->as, ppage, 4096);
    if (!host)
        return;
    /* The page had no code: no hart may keep a fast-path write mapping of it now.
     * Another hart could be between its TLB check and its store right now; that
     * store is then like one made just before this point, which RISC-V lets the
     * translation miss until the hart running the code executes fence.i (see
     * docs/jit.md). */
    for (unsigned i = 0; i < j->nharts; i++) {
        rv_cpu *c = j->harts[i].c;
        for (unsigned ctx = 0; ctx < TLBCTX_COUNT; ctx++) {
            rv_tlb_entry *e = c->tlb[ctx].e[ACC_WRITE];
            for (unsigned k = 0; k < TLB_SIZE; k++) {
                uint64_t vpage = __atomic_load_n(&e[k].vpage, __ATOMIC_RELAXED);
                if (vpage != TLB_INVALID && (uintptr_t)(vpage + e[k].addend) == (uintptr_t)host)
                    __atomic_store_n(&e[k].vpage, TLB_INVALID, __ATOMIC_RELAXED);
            }
        }
    }
    atomic_thread_fence(memory_order_seq_cst);
}

/* Everything goes: the caller has made sure no hart is in translated code. */
void jit_flush_locked(jit *j)
{
    memset(j->htab, 0, sizeof(j->htab));
    memset(j->ptab, 0, sizeof(j->ptab));
    jit_arena_reset(j);
    j->used = j->code_start;
    for (unsigned i = 0; i < j->nharts; i++) {
        rv_jc_flush(j->harts[i].c, true);
        j->harts[i].last_exit = NULL;
        memset(j->harts[i].l2, 0, sizeof(jit_l2_entry) << JIT_L2_BITS);
    }
    as_clear_code_marks(j->as);
    atomic_fetch_add(&jit_inval_gen, 1);
    j->stats.flushes++;
}
