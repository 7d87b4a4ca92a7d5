/*
 * The guest physical address space: RAM regions backed by host mappings and MMIO
 * regions with read/write callbacks, plus the one bounds-checked DMA API devices use
 * (DESIGN.md, interface 2).
 */
#ifndef TERN_MEMORY_H
#define TERN_MEMORY_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mmio_ops {
    /* `size` is 1, 2, 4 or 8; `off` is relative to the region base. */
    uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
    void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
} mmio_ops;

typedef struct mem_region {
    const char *name;
    uint64_t base, size;
    uint8_t *host;              /* RAM: host mapping; MMIO: NULL */
    const mmio_ops *ops;
    void *opaque;
    _Atomic uint64_t *code;     /* RAM: per page, which 64-byte granules hold code the
                                   translator has translated (bit i: bytes 64i..64i+63) */
    bool overlaid;              /* RAM: some MMIO region covers part of it */
    bool file_backed;           /* RAM: a copy-on-write mapping of a snapshot file */
    _Atomic uint64_t *dirty;    /* RAM: a bit per 4 KiB page written while tracking */
} mem_region;

/*
 * Writes to RAM that holds translated code must reach the translator so it can drop
 * what it translated from there (self-modifying code, DMA over old code). The
 * translator marks the 64-byte granules it translated; CPUs keep pages with marks out
 * of their fast-path write TLB, and their slow store path and DMA call code_written
 * for writes that touch a marked granule. Data next to code on the same page (small
 * programs, the kernel's data after its text) thus costs a slow store, not a
 * retranslation.
 */
typedef void code_write_fn(void *opaque, uint64_t pa, uint64_t len);

/*
 * RAM that moves: memory a device owns (a RAM-backed PCI BAR: VRAM, shared memory)
 * seen at a place the guest chooses, or nowhere. The device's host memory lives as
 * long as the device; only where it shows changes, while vCPUs run, so the few fields
 * sit behind a sequence count (odd while changing) and readers retry or miss. They
 * are for loads and stores only: code is fetched and translated from RAM alone (the
 * windows BARs live in never cover RAM), so nothing translated ever comes from here.
 */
#define AS_MAX_OVERLAYS 32
typedef struct as_overlay {
    _Atomic unsigned seq;
    uint64_t base, size;        /* size 0: mapped nowhere */
    uint8_t *host;
    _Atomic uint64_t *dirty;    /* NULL, or one bit per 4 KiB page of host: written */
} as_overlay;

typedef struct address_space {
    mem_region *ram;            /* sorted by base */
    int nram;
    mem_region *mmio;           /* sorted by base; MMIO overrides RAM where they overlap */
    int nmmio;
    code_write_fn *code_written;
    void *code_opaque;
    as_overlay overlays[AS_MAX_OVERLAYS];
    _Atomic int noverlays;
    _Atomic unsigned overlay_gen;   /* bumped by every as_overlay_map (see mmu.c tlb_fill) */
    _Atomic bool ram_track;         /* RAM writes are being marked (as_ram_track) */
} address_space;

void as_init(address_space *as);
void as_destroy(address_space *as);
/* Return all RAM to zeroes (machine reset) without touching every page. */
void as_reset_ram(address_space *as);
/* Map `size` bytes of zeroed RAM at `base`. Returns the host pointer or NULL. */
uint8_t *as_add_ram(address_space *as, const char *name, uint64_t base, uint64_t size);
void as_add_mmio(address_space *as, const char *name, uint64_t base, uint64_t size,
                 const mmio_ops *ops, void *opaque);

/* Host pointer for [pa, pa+len) if it lies wholly in one RAM region with no MMIO over it. */
uint8_t *as_ram_ptr(address_space *as, uint64_t pa, uint64_t len);
/* Host pointer for a load or store of [pa, pa+len): RAM (as as_ram_ptr), else a mapped
 * overlay that holds it whole. */
uint8_t *as_data_ptr(address_space *as, uint64_t pa, uint64_t len);
/* A new overlay, mapped nowhere; -1 when all are taken. */
int as_overlay_new(address_space *as);
/* Show overlay `id` (host memory of `size` bytes) at `base`, or nowhere if size is 0.
 * Callers serialise changes (the big lock); readers may run meanwhile. Whoever caches
 * translations to host memory (CPU TLBs, KVM memory slots) must be told afterwards. */
void as_overlay_map(address_space *as, int id, uint64_t base, uint64_t size, uint8_t *host);
/* Track writes to overlay `id` (VRAM the display redraws from): a CPU store that
 * reaches it sets the bit of its page in `bitmap` (bit i: bytes 4096i.., of the
 * overlay's host memory), at the latest when the CPU caches a writable translation of
 * the page; whoever clears bits must drop those translations afterwards. NULL: none. */
void as_overlay_set_dirty(address_space *as, int id, _Atomic uint64_t *bitmap);
/* A CPU store to [pa, pa+len) other than through a cached translation, or a cached
 * writable translation of it made: mark tracked overlay pages it covers. */
void as_mark_dirty(address_space *as, uint64_t pa, uint64_t len);
/*
 * RAM write tracking, for going back to a snapshot in place: only the pages written
 * since are read back. While on, every path that writes RAM marks the page: a CPU's
 * writable TLB entry when it is made (so whoever clears the marks must drop the CPUs'
 * write translations afterwards), slow-path stores, atomics, page-table A/D updates,
 * and DMA. as_ram_track(on) starts with no page marked.
 */
void as_ram_track(address_space *as, bool on);
void as_mark_ram_slow(address_space *as, uint64_t pa, uint64_t len);
static inline void as_mark_ram(address_space *as, uint64_t pa, uint64_t len)
{
    if (__atomic_load_n((bool *)&as->ram_track, __ATOMIC_RELAXED))
        as_mark_ram_slow(as, pa, len);
}
/* Make RAM region r a copy-on-write mapping of fd from `off` (a snapshot's RAM):
 * nothing is read until the guest touches it, and processes mapping one file share
 * its pages. False (RAM unchanged) if mmap refuses. */
bool as_map_ram_file(address_space *as, mem_region *r, int fd, uint64_t off);
/* Make RAM region r all zeroes again, without touching its pages (fresh anonymous
 * memory at the same address). */
void as_zero_ram(address_space *as, mem_region *r);

/* The MMIO region containing pa, or NULL. */
mem_region *as_find_mmio(address_space *as, uint64_t pa);

/* CPU-side accesses of 1/2/4/8 bytes (naturally aligned). False: nothing there. */
bool as_read(address_space *as, uint64_t pa, unsigned size, uint64_t *val);
bool as_write(address_space *as, uint64_t pa, unsigned size, uint64_t val);

/* Code tracking (see code_write_fn); only RAM can be marked. as_mark_code marks the
 * granules of [pa, pa+len) within one page and returns true if the page had none. */
void as_set_code_hook(address_space *as, code_write_fn *fn, void *opaque);
bool as_mark_code(address_space *as, uint64_t pa, uint64_t len);
/* Replace a page's marks (the translator recomputes them after dropping code). */
void as_set_code_marks(address_space *as, uint64_t ppage, uint64_t granules);
void as_clear_code_marks(address_space *as);
bool as_page_has_code(address_space *as, uint64_t pa);
/* Called after the CPU or a device wrote [pa, pa+len) of RAM other than through the
 * CPU's fast path: tells the translator if that touched marked granules. */
void as_notify_write(address_space *as, uint64_t pa, uint64_t len);
/* The page-mark word for pa (NULL outside RAM), for callers that cache it. */
_Atomic uint64_t *as_code_marks(address_space *as, uint64_t pa);
/* The granule bits [pa, pa+len) covers within its page (len may not cross it). */
static inline uint64_t as_granules(uint64_t pa, uint64_t len)
{
    unsigned first = (unsigned)((pa & 0xfff) >> 6), last = (unsigned)(((pa & 0xfff) + len - 1) >> 6);
    return (last == 63 ? ~0ull : (2ull << last) - 1) & ~((1ull << first) - 1);
}

/* DMA: copy between guest RAM and a host buffer. False if any byte is outside RAM. */
bool dma_read(address_space *as, uint64_t pa, void *buf, size_t len);
bool dma_write(address_space *as, uint64_t pa, const void *buf, size_t len);

/* The lock all device callbacks run under (DESIGN.md, interface 7). */
void big_lock(void);
void big_unlock(void);
/* Let go of it entirely (it is recursive), for a wait another thread must not block on;
 * returns how deep this thread held it, for big_lock_retake(). */
int big_lock_drop_all(void);
void big_lock_retake(int depth);

#endif
