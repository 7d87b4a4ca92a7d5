/*
 * RISC-V address translation and protection: Sv39/Sv48/Sv57 page walks with hardware
 * A/D update, PMP (16 entries), the software TLB fill, and the slow paths of loads,
 * stores and instruction fetch (MMIO, page-crossing and misaligned accesses).
 */
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/debug.h"
#include "core/memory.h"
#include "core/log.h"
#include <string.h>
#include <stdatomic.h>

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_RESERVED (0x7full << 54)
#define PTE_PBMT (3ull << 61)
#define PTE_N (1ull << 63)
#define PTE_PPN_MASK ((1ull << 44) - 1)

enum { PMP_R = 1, PMP_W = 2, PMP_X = 4, PMP_A = 0x18, PMP_L = 0x80 };
enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

unsigned rv_effective_data_priv(rv_cpu *c)
{
    if (c->priv == PRV_M && (c->mstatus & MSTATUS_MPRV))
        return (c->mstatus & MSTATUS_MPP) >> 11;
    return c->priv;
}

static void tlb_invalidate_all(rv_tlb *t)
{
    memset(t, 0xff, sizeof(*t));
}

static void jc_flush_except(rv_cpu *c, uint32_t keep)
{
    uint32_t flush = c->jc_used & ~keep;
    for (unsigned i = 0; i < JC_CTXS; i++)
        if (flush & (1u << i))
            memset(c->jc[i], 0xff, sizeof(c->jc[i]));
    bool s_kept = false;
    for (unsigned d = 0; d < 4; d++)
        if (keep & (1u << (PRV_S | (d << 2))))
            s_kept = true;
    if (flush && !s_kept)
        memset(c->jc_pages, 0, sizeof(c->jc_pages));    /* no S/U entries left */
    if (!s_kept)
        c->jc_s_local = false;
    c->jc_used &= keep;
}

void rv_jc_flush(rv_cpu *c, bool machine_mode)
{
    /* M-mode fetches are not translated, so only PMP changes can stale those tables */
    uint32_t keep = 0;
    if (!machine_mode)
        for (unsigned d = 0; d < 4; d++)
            keep |= 1u << (PRV_M | (d << 2));
    jc_flush_except(c, keep);
}

void rv_satp_changed(rv_cpu *c)
{
    for (int i = 0; i < TLBCTX_COUNT; i++)
        tlb_invalidate_all(&c->tlb[i]);
    uint32_t keep = 0;
    for (unsigned d = 0; d < 4; d++) {
        keep |= 1u << (PRV_M | (d << 2));
        if (!c->jc_s_local)
            keep |= 1u << (PRV_S | (d << 2));
    }
    jc_flush_except(c, keep);
}

void rv_tlb_flush(rv_cpu *c)
{
    for (int i = 0; i < TLBCTX_COUNT; i++)
        tlb_invalidate_all(&c->tlb[i]);
    rv_jc_flush(c, false);
}

void rv_tlb_drop_host(rv_cpu *c, const void *host, uint64_t len)
{
    uintptr_t lo = (uintptr_t)host, hi = lo + len;
    /* the caller's change (VRAM's dirty bits taken, an overlay moved) before the look
     * at the entries: an entry a hart made, fenced, then marked or rechecked is seen */
    atomic_thread_fence(memory_order_seq_cst);
    for (int i = 0; i < TLBCTX_COUNT; i++)
        for (int a = 0; a < 3; a++)
            for (unsigned k = 0; k < TLB_SIZE; k++) {
                rv_tlb_entry *e = &c->tlb[i].e[a][k];
                uint64_t vpage = __atomic_load_n(&e->vpage, __ATOMIC_RELAXED);
                uintptr_t h = (uintptr_t)(vpage + __atomic_load_n(&e->addend, __ATOMIC_RELAXED));
                if (vpage != TLB_INVALID && h >= lo && h < hi)
                    __atomic_store_n(&e->vpage, TLB_INVALID, __ATOMIC_RELAXED);
            }
    atomic_thread_fence(memory_order_seq_cst);
}

void rv_tlb_flush_page(rv_cpu *c, uint64_t va)
{
    uint64_t vpage = va & ~0xfffull;
    unsigned idx = rv_tlb_index(va);
    for (int i = 0; i < TLBCTX_COUNT; i++)
        for (int a = 0; a < 3; a++)
            if (c->tlb[i].e[a][idx].vpage == vpage)
                c->tlb[i].e[a][idx].vpage = TLB_INVALID;
    for (int i = 0; i < TLBCTX_COUNT; i++)
        if (c->tlb[i].cw[(va >> 12) & (CW_SIZE - 1)].vpage == vpage)
            c->tlb[i].cw[(va >> 12) & (CW_SIZE - 1)].vpage = TLB_INVALID;
    /* jump-cache entries of a page are spread over the whole table: look at all, if
     * the filter says the page may have some (most flushed pages hold data) */
    unsigned bit = rv_jc_page_bit(vpage);
    if (!((c->jc_pages[bit / 64] >> (bit % 64)) & 1))
        return;
    uint32_t used = c->jc_used;
    for (unsigned d = 0; d < 4; d++)
        used &= ~(1u << (PRV_M | (d << 2)));
    for (unsigned i = 0; i < JC_CTXS; i++) {
        if (!(used & (1u << i)))
            continue;
        rv_jc_entry *e = c->jc[i];
        for (unsigned k = 0; k < JC_SIZE; k++)
            if ((e[k].pc & ~0xfffull) == vpage)
                e[k].pc = ~0ull;
    }
}

/* ---- PMP ---- */

/* The byte range [lo, hi) entry i covers; false if OFF. */
static bool pmp_range(rv_cpu *c, int i, uint64_t *lo, uint64_t *hi)
{
    unsigned a = (c->pmpcfg[i] & PMP_A) >> 3;
    uint64_t addr = c->pmpaddr[i];
    switch (a) {
    case PMP_TOR:
        *lo = i ? c->pmpaddr[i - 1] << 2 : 0;
        *hi = addr << 2;
        return true;
    case PMP_NA4:
        *lo = addr << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        /* trailing ones in pmpaddr give the size: 2^(ones+3) bytes */
        unsigned ones = __builtin_ctzll(~addr);
        if (ones >= 54) {
            *lo = 0;
            *hi = ~0ull;
            return true;
        }
        uint64_t size = 1ull << (ones + 3);
        *lo = (addr << 2) & ~(size - 1);
        *hi = *lo + size;
        return true;
    }
    default:
        return false;
    }
}

bool rv_pmp_check(rv_cpu *c, uint64_t pa, unsigned size, enum rv_access acc, unsigned priv)
{
    if (!c->pmp_active)
        return priv == PRV_M;
    uint64_t end = pa + size;
    for (int i = 0; i < 16; i++) {
        uint64_t lo, hi;
        if (!pmp_range(c, i, &lo, &hi))
            continue;
        bool any = pa < hi && end > lo;
        if (!any)
            continue;
        bool all = pa >= lo && end <= hi;
        if (!all)
            return false;          /* partial match always fails */
        uint8_t cfg = c->pmpcfg[i];
        if (priv == PRV_M && !(cfg & PMP_L))
            return true;
        unsigned need = acc == ACC_READ ? PMP_R : acc == ACC_WRITE ? PMP_W : PMP_X;
        return (cfg & need) != 0;
    }
    return priv == PRV_M;
}

/* ---- page walk ---- */

static int fault_cause(enum rv_access acc, bool page)
{
    if (page)
        return acc == ACC_FETCH ? EXC_INSN_PAGE : acc == ACC_READ ? EXC_LOAD_PAGE : EXC_STORE_PAGE;
    return acc == ACC_FETCH ? EXC_INSN_ACCESS : acc == ACC_READ ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
}

/*
 * Translate va for an access of type acc at privilege priv. Returns 0 and sets *paddr,
 * or the exception cause. PMP on the final address is checked by the caller (it knows
 * the access size).
 */
static int walk(rv_cpu *c, uint64_t va, enum rv_access acc, unsigned priv, uint64_t *paddr, bool debug)
{
    unsigned mode = c->satp >> 60;
    if (priv == PRV_M || mode == 0) {
        *paddr = va;
        if (!debug)
            c->walk_global = false;
        return 0;
    }
    unsigned levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
    unsigned vabits = 12 + 9 * levels;
    /* the address must be sign-extended from its top bit */
    if ((uint64_t)((int64_t)(va << (64 - vabits)) >> (64 - vabits)) != va) {
        log_cat(LOG_MMU, "mmu: va %016llx not canonical\n", (unsigned long long)va);
        return fault_cause(acc, true);
    }
    uint64_t base = (c->satp & PTE_PPN_MASK) << 12;
    for (int i = levels - 1; i >= 0; i--) {
        uint64_t pte_addr = base + ((va >> (12 + 9 * i)) & 511) * 8;
        uint64_t pte;
        const uint8_t *pte_host = as_ram_ptr(c->as, pte_addr, 8);
        if (pte_host)
            pte = __atomic_load_n((const uint64_t *)(const void *)pte_host, __ATOMIC_RELAXED);
        if (!rv_pmp_check(c, pte_addr, 8, ACC_READ, PRV_S) ||
            (!pte_host && !as_read(c->as, pte_addr, 8, &pte))) {
            log_cat(LOG_MMU, "mmu: pte read at %016llx faults\n", (unsigned long long)pte_addr);
            return fault_cause(acc, false);
        }
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
            (pte & (PTE_RESERVED | PTE_PBMT | PTE_N)))
            goto page_fault;
        uint64_t ppn = (pte >> 10) & PTE_PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            /* pointer to the next level; A, D and U are reserved here */
            if (i == 0 || (pte & (PTE_A | PTE_D | PTE_U)))
                goto page_fault;
            base = ppn << 12;
            continue;
        }
        uint64_t lowmask = (1ull << (9 * i)) - 1;
        if (debug) {
            /* the debugger sees what the mapping points to, without the access rules
             * and without setting A/D */
            if (ppn & lowmask)
                goto page_fault;
            *paddr = ((ppn & ~lowmask) << 12) | (va & ((1ull << (12 + 9 * i)) - 1));
            return 0;
        }
        /* leaf: permissions */
        if (priv == PRV_U) {
            if (!(pte & PTE_U))
                goto page_fault;
        } else if (pte & PTE_U) {
            if (acc == ACC_FETCH || !(c->mstatus & MSTATUS_SUM))
                goto page_fault;
        }
        if (acc == ACC_FETCH && !(pte & PTE_X))
            goto page_fault;
        if (acc == ACC_READ && !(pte & PTE_R) && !((c->mstatus & MSTATUS_MXR) && (pte & PTE_X)))
            goto page_fault;
        if (acc == ACC_WRITE && !(pte & PTE_W))
            goto page_fault;
        if (ppn & lowmask)
            goto page_fault;       /* misaligned superpage */
        /* hardware A/D update */
        uint64_t want = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
        if ((pte & want) != want) {
            if (!rv_pmp_check(c, pte_addr, 8, ACC_WRITE, PRV_S))
                return fault_cause(acc, false);
            uint8_t *host = as_ram_ptr(c->as, pte_addr, 8);
            if (!host)
                return fault_cause(acc, false);
            /* compare-and-swap so that a concurrent change by another hart is not lost */
            if (c->io_hook)
                c->io_hook->ram_write(c->io_hook->opaque, host, 8);
            uint64_t expect = pte;
            if (!__atomic_compare_exchange_n((uint64_t *)host, &expect, pte | want, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                return walk(c, va, acc, priv, paddr, false);
            as_mark_ram(c->as, pte_addr, 8);
        }
        *paddr = ((ppn & ~lowmask) << 12) | (va & ((1ull << (12 + 9 * i)) - 1));
        c->walk_global = (pte & PTE_G) != 0;
        log_cat(LOG_MMU, "mmu: va %016llx -> pa %016llx (level %d, pte %016llx)\n",
                (unsigned long long)va, (unsigned long long)*paddr, i, (unsigned long long)pte);
        return 0;
    }
page_fault:
    log_cat(LOG_MMU, "mmu: page fault va %016llx acc %d priv %u\n",
            (unsigned long long)va, acc, priv);
    return fault_cause(acc, true);
}

int rv_translate(rv_cpu *c, uint64_t va, enum rv_access acc, unsigned priv, uint64_t *paddr)
{
    return walk(c, va, acc, priv, paddr, false);
}

int rv_debug_translate(rv_cpu *c, uint64_t va, uint64_t *paddr)
{
    return walk(c, va, ACC_READ, c->priv, paddr, true);
}

static rv_tlb *tlb_for(rv_cpu *c, enum rv_access acc)
{
    return acc == ACC_FETCH ? c->tlb_cur_fetch : c->tlb_cur_data;
}

/* The translator may have marked the page between our look at its marks and the new
 * write entry; it removes write entries after marking, so look again after making
 * one (both sides sequentially consistent) and take it back if so. */
static void recheck_write_entry(rv_cpu *c, rv_tlb_entry *e, uint64_t ppage)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (as_page_has_code(c->as, ppage))
        __atomic_store_n(&e->vpage, TLB_INVALID, __ATOMIC_RELAXED);
}

/* Enter va's page in the TLB if the whole page is plain RAM with uniform PMP permission. */
static void tlb_fill(rv_cpu *c, uint64_t va, uint64_t pa, enum rv_access acc, unsigned priv)
{
    uint64_t ppage = pa & ~0xfffull;
    /* S-mode code through a mapping that is not global may reach the jump cache from
     * here (the translator finds code through the fetch TLB only) */
    if (acc == ACC_FETCH && priv == PRV_S && !c->walk_global)
        c->jc_s_local = true;
    if ((c->tlb_nofill || c->dbg_watch) && acc != ACC_FETCH)
        return;
    if (!rv_pmp_check(c, ppage, 4096, acc, priv))
        return;
    /* code comes from RAM only; loads and stores may also reach a RAM-backed BAR */
    unsigned gen = atomic_load(&c->as->overlay_gen);
    uint8_t *host = acc == ACC_FETCH ? as_ram_ptr(c->as, ppage, 4096) : as_data_ptr(c->as, ppage, 4096);
    if (!host)
        return;
    /* stores through the entry will not be seen one by one (snapshot write tracking) */
    if (acc == ACC_WRITE)
        as_mark_ram(c->as, ppage, 4096);
    /* stores to pages holding translated code must reach the translator */
    if (acc == ACC_WRITE && as_page_has_code(c->as, ppage)) {
        rv_codew_entry *w = &tlb_for(c, acc)->cw[(va >> 12) & (CW_SIZE - 1)];
        w->vpage = va & ~0xfffull;
        w->addend = (uintptr_t)host - w->vpage;
        w->ppage = ppage;
        w->marks = as_code_marks(c->as, ppage);
        return;
    }
    rv_tlb_entry *e = &tlb_for(c, acc)->e[acc][rv_tlb_index(va)];
    e->vpage = va & ~0xfffull;
    e->addend = (uintptr_t)host - e->vpage;
    if (acc == ACC_WRITE)
        recheck_write_entry(c, e, ppage);
    /* an overlay moved while we looked: whoever moved it may have swept the TLBs
     * before this entry existed, so it must not stay */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(&c->as->overlay_gen) != gen)
        __atomic_store_n(&e->vpage, TLB_INVALID, __ATOMIC_RELAXED);
    /* a display's VRAM learns of the stores this entry will let through. Marked only
     * now that the entry is in place (the fence above): a display that takes the marks
     * (pci_bar_take_dirty) before this leaves this one for its next turn, and one that
     * takes it finds the entry when it drops the harts' translations right after.
     * Marked before, a take and drop between the two would miss the entry, and the
     * stores through it would never show. */
    if (acc == ACC_WRITE && atomic_load_explicit(&c->as->noverlays, memory_order_relaxed))
        as_mark_dirty(c->as, ppage, 4096);
}

/* Translate + PMP check for an access lying within one page. */
static int access_page(rv_cpu *c, uint64_t va, unsigned size, enum rv_access acc,
                       uint64_t *pa, unsigned *priv_out)
{
    unsigned priv = acc == ACC_FETCH ? c->priv : rv_effective_data_priv(c);
    int exc = walk(c, va, acc, priv, pa, false);
    if (exc)
        return exc;
    if (!rv_pmp_check(c, *pa, size, acc, priv))
        return fault_cause(acc, false);
    *priv_out = priv;
    return 0;
}

static int load_one_page(rv_cpu *c, uint64_t va, unsigned size, uint64_t *val)
{
    uint64_t pa;
    unsigned priv;
    int exc = access_page(c, va, size, ACC_READ, &pa, &priv);
    if (exc)
        return exc;
    if (c->dbg_watch)
        rv_dbg_check_access(c, va, size, false);
    uint8_t *host = as_data_ptr(c->as, pa, size);
    if (host) {
        uint64_t v = 0;
        memcpy(&v, host, size);
        *val = v;
        tlb_fill(c, va, pa, ACC_READ, priv);
        return 0;
    }
    if ((pa & (size - 1)) == 0) {
        if (c->io_hook && c->io_hook->mmio_read(c->io_hook->opaque, pa, size, val))
            return 0;
        if (as_read(c->as, pa, size, val))
            return 0;
    }
    guest_error("guest_errors: load of %u bytes at pa %016llx: nothing there\n",
                size, (unsigned long long)pa);
    return EXC_LOAD_ACCESS;
}

int rv_load_slow(rv_cpu *c, uint64_t va, unsigned size, uint64_t *val, uint64_t *tval)
{
    unsigned in_page = 0x1000 - (va & 0xfff);
    if (size <= in_page) {
        *tval = va;
        return load_one_page(c, va, size, val);
    }
    /* a misaligned access crossing a page: two halves, little-endian */
    uint64_t lo = 0, hi = 0;
    for (unsigned part = 0; part < 2; part++) {
        uint64_t pva = part ? va + in_page : va;
        unsigned psize = part ? size - in_page : in_page;
        uint64_t v = 0;
        for (unsigned b = 0; b < psize; b++) {
            uint64_t byte;
            int e = load_one_page(c, pva + b, 1, &byte);
            if (e) {
                *tval = pva;
                return e;
            }
            v |= byte << (8 * b);
        }
        if (part)
            hi = v;
        else
            lo = v;
    }
    *val = lo | (hi << (8 * in_page));
    return 0;
}

static int store_one_page(rv_cpu *c, uint64_t va, unsigned size, uint64_t val)
{
    uint64_t pa;
    unsigned priv;
    int exc = access_page(c, va, size, ACC_WRITE, &pa, &priv);
    if (exc)
        return exc;
    if (c->dbg_watch)
        rv_dbg_check_access(c, va, size, true);
    uint8_t *host = as_data_ptr(c->as, pa, size);
    if (host) {
        if (c->io_hook)
            c->io_hook->ram_write(c->io_hook->opaque, host, size);
        memcpy(host, &val, size);
        as_notify_write(c->as, pa, size);
        tlb_fill(c, va, pa, ACC_WRITE, priv);
        return 0;
    }
    if ((pa & (size - 1)) == 0) {
        if (c->io_hook && c->io_hook->mmio_write(c->io_hook->opaque, pa, size, val))
            return 0;
        if (as_write(c->as, pa, size, val))
            return 0;
    }
    guest_error("guest_errors: store of %u bytes at pa %016llx: nothing there\n",
                size, (unsigned long long)pa);
    return EXC_STORE_ACCESS;
}

/* A store to a page holding translated code, through its code-write mapping. */
static bool store_code_page(rv_cpu *c, uint64_t va, unsigned size, uint64_t val)
{
    rv_tlb *t = c->tlb_cur_data;
    rv_codew_entry *w = &t->cw[(va >> 12) & (CW_SIZE - 1)];
    if (w->vpage != (va & ~0xfffull))
        return false;
    if (c->dbg_watch)
        rv_dbg_check_access(c, va, size, true);
    void *host = (void *)(uintptr_t)(va + w->addend);
    if (c->io_hook)
        c->io_hook->ram_write(c->io_hook->opaque, host, size);
    memcpy(host, &val, size);
    /* as_notify_write, with the page's marks at hand */
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t marks = atomic_load_explicit(w->marks, memory_order_relaxed);
    if (marks & as_granules(va, size))
        as_notify_write(c->as, w->ppage | (va & 0xfff), size);
    else if (!marks) {
        /* the code is gone: back to the fast path */
        rv_tlb_entry *e = &t->e[ACC_WRITE][rv_tlb_index(va)];
        e->vpage = w->vpage;
        e->addend = w->addend;
        w->vpage = TLB_INVALID;
        recheck_write_entry(c, e, w->ppage);
    }
    return true;
}

int rv_store_slow(rv_cpu *c, uint64_t va, unsigned size, uint64_t val, uint64_t *tval)
{
    unsigned in_page = 0x1000 - (va & 0xfff);
    if (size < 8)
        val &= (1ull << (8 * size)) - 1;      /* devices see only the bytes stored */
    if (size <= in_page) {
        if (store_code_page(c, va, size, val))
            return 0;
        *tval = va;
        return store_one_page(c, va, size, val);
    }
    /* check both pages (translation, PMP, and that there is RAM: a misaligned access
     * never reaches MMIO) before writing anything, so a fault leaves memory unchanged */
    uint64_t pa;
    unsigned priv;
    int exc = access_page(c, va, in_page, ACC_WRITE, &pa, &priv);
    if (!exc && !as_data_ptr(c->as, pa, in_page))
        exc = EXC_STORE_ACCESS;
    if (exc) {
        *tval = va;
        return exc;
    }
    exc = access_page(c, va + in_page, size - in_page, ACC_WRITE, &pa, &priv);
    if (!exc && !as_data_ptr(c->as, pa, size - in_page))
        exc = EXC_STORE_ACCESS;
    if (exc) {
        *tval = va + in_page;
        return exc;
    }
    for (unsigned b = 0; b < size; b++) {
        exc = store_one_page(c, va + b, 1, (val >> (8 * b)) & 0xff);
        if (exc) {
            *tval = va + b;
            return exc;
        }
    }
    return 0;
}

int rv_amo_ptr(rv_cpu *c, uint64_t va, unsigned size, void **host, uint64_t *tval)
{
    *tval = va;
    if (va & (size - 1))
        return EXC_STORE_MISALIGNED;
    uint64_t pa;
    unsigned priv;
    int exc = access_page(c, va, size, ACC_WRITE, &pa, &priv);
    if (exc)
        return exc;
    /* AMOs need read permission too */
    if (!rv_pmp_check(c, pa, size, ACC_READ, priv))
        return EXC_STORE_ACCESS;
    uint8_t *p = as_data_ptr(c->as, pa, size);
    if (!p) {
        guest_error("guest_errors: atomic access at pa %016llx outside RAM\n",
                    (unsigned long long)pa);
        return EXC_STORE_ACCESS;
    }
    if (c->dbg_watch) {
        rv_dbg_check_access(c, va, size, false);
        rv_dbg_check_access(c, va, size, true);
    }
    if (c->io_hook)
        c->io_hook->ram_write(c->io_hook->opaque, p, size);
    *host = p;
    c->amo_pa = pa;
    return 0;
}

static int fetch16(rv_cpu *c, uint64_t va, uint32_t *half)
{
    uint64_t pa;
    unsigned priv;
    int exc = access_page(c, va, 2, ACC_FETCH, &pa, &priv);
    if (exc)
        return exc;
    uint8_t *host = as_ram_ptr(c->as, pa, 2);
    if (!host) {
        /* instructions may be fetched from MMIO-backed ROMs */
        uint64_t v;
        if (!as_read(c->as, pa, 2, &v))
            return EXC_INSN_ACCESS;
        *half = (uint32_t)v;
        return 0;
    }
    uint16_t h;
    memcpy(&h, host, 2);
    *half = h;
    tlb_fill(c, va, pa, ACC_FETCH, priv);
    return 0;
}

int rv_fetch_slow(rv_cpu *c, uint64_t pc, uint32_t *raw, uint64_t *tval)
{
    uint32_t lo, hi;
    *tval = pc;
    int exc = fetch16(c, pc, &lo);
    if (exc)
        return exc;
    if ((lo & 3) != 3) {
        *raw = lo;
        return 0;
    }
    exc = fetch16(c, pc + 2, &hi);
    if (exc) {
        *tval = pc + 2;
        return exc;
    }
    *raw = lo | (hi << 16);
    return 0;
}

void rv_amo_written(rv_cpu *c, unsigned size)
{
    as_notify_write(c->as, c->amo_pa, size);
}
