/*
 * Guest physical address space. Regions are few (tens), so lookups are a short binary
 * search; the CPU's software TLB keeps RAM accesses from coming here at all.
 */
#include "core/memory.h"
#include "core/log.h"
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdatomic.h>

static pthread_mutex_t the_big_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static __thread int big_depth;       /* how many times this thread holds it */

void big_lock(void) { pthread_mutex_lock(&the_big_lock); big_depth++; }
void big_unlock(void) { big_depth--; pthread_mutex_unlock(&the_big_lock); }

int big_lock_drop_all(void)
{
    int d = big_depth;
    for (int i = 0; i < d; i++)
        big_unlock();
    return d;
}

void big_lock_retake(int depth)
{
    for (int i = 0; i < depth; i++)
        big_lock();
}

static mem_region *find(mem_region *arr, int n, uint64_t pa);

void as_init(address_space *as)
{
    memset(as, 0, sizeof(*as));
}

void as_destroy(address_space *as)
{
    for (int i = 0; i < as->nram; i++) {
        munmap(as->ram[i].host, as->ram[i].size);
        free((void *)as->ram[i].code);
        free((void *)as->ram[i].dirty);
    }
    free(as->ram);
    free(as->mmio);
    memset(as, 0, sizeof(*as));
}

void as_zero_ram(address_space *as, mem_region *r)
{
    /* every page changes (and a reset's loader writes behind the CPUs' backs): an
     * in-place return must read all of them back */
    if (r->dirty && atomic_load(&as->ram_track))
        memset((void *)r->dirty, 0xff, (((r->size + 4095) / 4096 + 63) / 64) * sizeof(uint64_t));
    /* a snapshot's mapping would come back as the snapshot, not as zeroes */
    if (r->file_backed &&
        mmap(r->host, r->size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != MAP_FAILED) {
        r->file_backed = false;
        return;
    }
    if (madvise(r->host, r->size, MADV_DONTNEED) != 0 || r->file_backed)
        memset(r->host, 0, r->size);
}

void as_reset_ram(address_space *as)
{
    for (int i = 0; i < as->nram; i++)
        as_zero_ram(as, &as->ram[i]);
}

bool as_map_ram_file(address_space *as, mem_region *r, int fd, uint64_t off)
{
    void *p = mmap(r->host, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE,
                   fd, (off_t)off);
    if (p == MAP_FAILED)
        return false;
    r->file_backed = true;
    return true;
}

void as_ram_track(address_space *as, bool on)
{
    for (int i = 0; on && i < as->nram; i++) {
        mem_region *r = &as->ram[i];
        size_t words = ((r->size + 4095) / 4096 + 63) / 64;
        if (!r->dirty) {
            r->dirty = calloc(words ? words : 1, sizeof(uint64_t));
            if (!r->dirty)
                fatal("out of memory");
        } else {
            memset((void *)r->dirty, 0, words * sizeof(uint64_t));
        }
    }
    atomic_store(&as->ram_track, on);
}

void as_mark_ram_slow(address_space *as, uint64_t pa, uint64_t len)
{
    mem_region *r = find(as->ram, as->nram, pa);
    if (!r || !r->dirty || !len)
        return;
    uint64_t first = (pa - r->base) >> 12;
    uint64_t last = (pa - r->base + len - 1 < r->size ? pa - r->base + len - 1 : r->size - 1) >> 12;
    for (uint64_t p = first; p <= last; p++)
        if (!(atomic_load_explicit(&r->dirty[p / 64], memory_order_relaxed) & (1ull << (p % 64))))
            atomic_fetch_or(&r->dirty[p / 64], 1ull << (p % 64));
}

static void insert_sorted(mem_region **arr, int *n, mem_region r)
{
    *arr = realloc(*arr, sizeof(mem_region) * (*n + 1));
    if (!*arr)
        fatal("out of memory");
    int i = *n;
    while (i > 0 && (*arr)[i - 1].base > r.base) {
        (*arr)[i] = (*arr)[i - 1];
        i--;
    }
    (*arr)[i] = r;
    (*n)++;
}

static void update_overlays(address_space *as)
{
    for (int i = 0; i < as->nram; i++) {
        mem_region *r = &as->ram[i];
        r->overlaid = false;
        for (int k = 0; k < as->nmmio; k++)
            if (as->mmio[k].base < r->base + r->size && r->base < as->mmio[k].base + as->mmio[k].size)
                r->overlaid = true;
    }
}

uint8_t *as_add_ram(address_space *as, const char *name, uint64_t base, uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    _Atomic uint64_t *code = calloc((size + 4095) / 4096, sizeof(*code));
    if (!code)
        fatal("out of memory");
    mem_region r = { .name = name, .base = base, .size = size, .host = p, .code = code };
    insert_sorted(&as->ram, &as->nram, r);
    update_overlays(as);
    return p;
}

void as_add_mmio(address_space *as, const char *name, uint64_t base, uint64_t size,
                 const mmio_ops *ops, void *opaque)
{
    mem_region r = { .name = name, .base = base, .size = size, .ops = ops, .opaque = opaque };
    insert_sorted(&as->mmio, &as->nmmio, r);
    update_overlays(as);
}

static mem_region *find(mem_region *arr, int n, uint64_t pa)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (pa < arr[mid].base)
            hi = mid - 1;
        else if (pa - arr[mid].base >= arr[mid].size)
            lo = mid + 1;
        else
            return &arr[mid];
    }
    return NULL;
}

mem_region *as_find_mmio(address_space *as, uint64_t pa)
{
    return find(as->mmio, as->nmmio, pa);
}

static bool mmio_overlaps(address_space *as, uint64_t pa, uint64_t len)
{
    for (int i = 0; i < as->nmmio; i++) {
        mem_region *m = &as->mmio[i];
        if (m->base < pa + len && pa < m->base + m->size)
            return true;
    }
    return false;
}

uint8_t *as_ram_ptr(address_space *as, uint64_t pa, uint64_t len)
{
    mem_region *r = find(as->ram, as->nram, pa);
    if (!r || len > r->size - (pa - r->base))
        return NULL;
    if (r->overlaid && mmio_overlaps(as, pa, len))
        return NULL;
    return r->host + (pa - r->base);
}

int as_overlay_new(address_space *as)
{
    int n = atomic_load(&as->noverlays);
    if (n >= AS_MAX_OVERLAYS)
        return -1;
    atomic_store(&as->noverlays, n + 1);
    return n;
}

void as_overlay_map(address_space *as, int id, uint64_t base, uint64_t size, uint8_t *host)
{
    if (id < 0 || id >= AS_MAX_OVERLAYS)
        return;
    as_overlay *o = &as->overlays[id];
    atomic_fetch_add_explicit(&o->seq, 1, memory_order_acq_rel);     /* odd: changing */
    atomic_thread_fence(memory_order_release);
    __atomic_store_n(&o->base, base, __ATOMIC_RELAXED);
    __atomic_store_n(&o->size, host ? size : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&o->host, host, __ATOMIC_RELAXED);
    atomic_fetch_add_explicit(&o->seq, 1, memory_order_release);     /* even: settled */
    atomic_fetch_add(&as->overlay_gen, 1);
}

void as_overlay_set_dirty(address_space *as, int id, _Atomic uint64_t *bitmap)
{
    if (id >= 0 && id < AS_MAX_OVERLAYS)
        atomic_store(&as->overlays[id].dirty, bitmap);
}

void as_mark_dirty(address_space *as, uint64_t pa, uint64_t len)
{
    int n = atomic_load_explicit(&as->noverlays, memory_order_acquire);
    for (int i = 0; i < n && len; i++) {
        as_overlay *o = &as->overlays[i];
        _Atomic uint64_t *bm = atomic_load_explicit(&o->dirty, memory_order_acquire);
        if (!bm)
            continue;
        /* a racing move marks a page of the old place or of the new: either way one the
         * display redraws, and moving itself makes it redraw everything */
        uint64_t base = __atomic_load_n(&o->base, __ATOMIC_RELAXED);
        uint64_t size = __atomic_load_n(&o->size, __ATOMIC_RELAXED);
        if (!size || pa < base || pa - base >= size)
            continue;
        uint64_t first = (pa - base) >> 12;
        uint64_t last = (pa - base + len - 1 < size ? pa - base + len - 1 : size - 1) >> 12;
        for (uint64_t p = first; p <= last; p++)
            if (!(atomic_load_explicit(&bm[p / 64], memory_order_relaxed) & (1ull << (p % 64))))
                atomic_fetch_or(&bm[p / 64], 1ull << (p % 64));
        return;
    }
}

uint8_t *as_data_ptr(address_space *as, uint64_t pa, uint64_t len)
{
    uint8_t *p = as_ram_ptr(as, pa, len);
    if (p)
        return p;
    int n = atomic_load_explicit(&as->noverlays, memory_order_acquire);
    for (int i = 0; i < n; i++) {
        as_overlay *o = &as->overlays[i];
        unsigned seq = atomic_load_explicit(&o->seq, memory_order_acquire);
        if (seq & 1)
            continue;               /* being moved: this access misses it, like one before */
        uint64_t base = __atomic_load_n(&o->base, __ATOMIC_RELAXED);
        uint64_t size = __atomic_load_n(&o->size, __ATOMIC_RELAXED);
        uint8_t *host = __atomic_load_n(&o->host, __ATOMIC_RELAXED);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&o->seq, memory_order_relaxed) != seq)
            continue;
        if (size && pa >= base && pa - base < size && len <= size - (pa - base))
            return host + (pa - base);
    }
    return NULL;
}

bool as_read(address_space *as, uint64_t pa, unsigned size, uint64_t *val)
{
    mem_region *m = as_find_mmio(as, pa);
    if (m) {
        if (size > m->size - (pa - m->base))
            return false;
        big_lock();
        *val = m->ops->read ? m->ops->read(m->opaque, pa - m->base, size) : 0;
        big_unlock();
        return true;
    }
    uint8_t *p = as_ram_ptr(as, pa, size);
    if (!p)
        return false;
    uint64_t v = 0;
    memcpy(&v, p, size);
    *val = v;
    return true;
}

bool as_write(address_space *as, uint64_t pa, unsigned size, uint64_t val)
{
    mem_region *m = as_find_mmio(as, pa);
    if (m) {
        if (size > m->size - (pa - m->base))
            return false;
        big_lock();
        if (m->ops->write)
            m->ops->write(m->opaque, pa - m->base, val, size);
        big_unlock();
        return true;
    }
    uint8_t *p = as_ram_ptr(as, pa, size);
    if (!p)
        return false;
    memcpy(p, &val, size);
    return true;
}

/* DMA goes to RAM only: a device pointed at MMIO or a hole gets an error, not a crash. */
static uint8_t *dma_ptr(address_space *as, uint64_t pa, size_t len)
{
    if (pa + len < pa)
        return NULL;
    mem_region *r = find(as->ram, as->nram, pa);
    if (!r || len > r->size - (pa - r->base))
        return NULL;
    return r->host + (pa - r->base);
}

bool dma_read(address_space *as, uint64_t pa, void *buf, size_t len)
{
    uint8_t *p = dma_ptr(as, pa, len);
    if (!p)
        return false;
    memcpy(buf, p, len);
    return true;
}

bool dma_write(address_space *as, uint64_t pa, const void *buf, size_t len)
{
    uint8_t *p = dma_ptr(as, pa, len);
    if (!p)
        return false;
    memcpy(p, buf, len);
    as_notify_write(as, pa, len);
    return true;
}

/* ---- code-page tracking ---- */

void as_set_code_hook(address_space *as, code_write_fn *fn, void *opaque)
{
    as->code_written = fn;
    as->code_opaque = opaque;
}

_Atomic uint64_t *as_code_marks(address_space *as, uint64_t pa)
{
    mem_region *r = find(as->ram, as->nram, pa);
    return r ? &r->code[(pa - r->base) >> 12] : NULL;
}

bool as_mark_code(address_space *as, uint64_t pa, uint64_t len)
{
    _Atomic uint64_t *m = as_code_marks(as, pa);
    if (!m || !len)
        return false;
    /* sequentially consistent: the translator reads the code after this, and a
     * writer looks at the marks after its store (as_notify_write), so one of them
     * sees the other */
    return atomic_fetch_or(m, as_granules(pa, len)) == 0;
}

void as_set_code_marks(address_space *as, uint64_t ppage, uint64_t granules)
{
    _Atomic uint64_t *m = as_code_marks(as, ppage);
    if (m)
        atomic_store(m, granules);
}

void as_clear_code_marks(address_space *as)
{
    for (int i = 0; i < as->nram; i++)
        for (uint64_t p = 0; p < (as->ram[i].size + 4095) / 4096; p++)
            atomic_store_explicit(&as->ram[i].code[p], 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
}

bool as_page_has_code(address_space *as, uint64_t pa)
{
    _Atomic uint64_t *m = as_code_marks(as, pa);
    return m && atomic_load_explicit(m, memory_order_relaxed) != 0;
}

void as_notify_write(address_space *as, uint64_t pa, uint64_t len)
{
    if (!len)
        return;
    as_mark_ram(as, pa, len);
    mem_region *r = find(as->ram, as->nram, pa);
    if (!r) {
        as_mark_dirty(as, pa, len);
        return;
    }
    if (!as->code_written)
        return;
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t end = pa + len;
    for (uint64_t p = pa; p < end && p - r->base < r->size;) {
        uint64_t page_end = (p | 0xfff) + 1;
        uint64_t n = (end < page_end ? end : page_end) - p;
        if (atomic_load(&r->code[(p - r->base) >> 12]) & as_granules(p, n)) {
            as->code_written(as->code_opaque, pa, len);
            return;
        }
        p += n;
    }
}
