/* The PCI bus: configuration space, BARs and INTx (see pci.h). */
#include "hw/pci/pci.h"
#include "core/log.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rd(const uint8_t *p, unsigned len)
{
    uint32_t v = 0;
    memcpy(&v, p, len);
    return v;
}

static void wr(uint8_t *p, uint32_t v, unsigned len)
{
    memcpy(p, &v, len);
}

pci_bus *pci_bus_new(const char *name, const pci_bus_host *host)
{
    pci_bus *b = calloc(1, sizeof(*b));
    if (!b)
        fatal("out of memory");
    b->host = *host;
    b->name = name;
    return b;
}

void pci_bus_free(pci_bus *b)
{
    if (!b)
        return;
    for (unsigned i = 0; i < PCI_MAX_DEVFN; i++) {
        pci_dev *d = b->devs[i];
        for (int k = 0; d && k < PCI_NUM_BARS; k++) {
            if (d->bars[k].dirty && d->bars[k].overlay >= 0 && b->host.as)
                as_overlay_set_dirty(b->host.as, d->bars[k].overlay, NULL);
            free((void *)d->bars[k].dirty);
        }
        free(d);
    }
    free(b);
}

pci_dev *pci_dev_new(pci_bus *b, int devfn, const char *name, char *err, size_t errsize)
{
    if (devfn < 0) {
        /* the first free slot, function 0, as QEMU places devices without addr= */
        for (unsigned slot = 0; slot < 32 && devfn < 0; slot++)
            if (!b->devs[slot << 3])
                devfn = (int)(slot << 3);
        if (devfn < 0) {
            snprintf(err, errsize, "bus %s is full", b->name);
            return NULL;
        }
    }
    if (devfn >= PCI_MAX_DEVFN || b->devs[devfn]) {
        snprintf(err, errsize, "slot %x.%x of bus %s is taken", (unsigned)devfn >> 3, (unsigned)devfn & 7, b->name);
        return NULL;
    }
    pci_dev *d = calloc(1, sizeof(*d));
    if (!d)
        fatal("out of memory");
    d->bus = b;
    d->devfn = (unsigned)devfn;
    d->name = name;
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        d->bars[i].mapped = d->bars[i].ram_at = PCI_UNMAPPED;
        d->bars[i].overlay = -1;
    }
    d->next_cap = 0x40;
    /* command: I/O, memory, bus master, INTx disable; interrupt line */
    wr(d->wmask + PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE, 2);
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    d->wmask[0x0c] = 0xff;                  /* cache line size */
    d->wmask[0x0d] = 0xff;                  /* latency timer */
    b->devs[devfn] = d;
    b->list[b->nlist++] = d;
    /* a slot with functions beyond 0 says so in function 0's header type, or a guest
     * never looks past it (QEMU wants multifunction=on given; tern sets it itself) */
    unsigned slot0 = (unsigned)devfn & ~7u;
    for (unsigned f = 1; f < 8; f++)
        if (b->devs[slot0 | f] && b->devs[slot0])
            b->devs[slot0]->config[PCI_HEADER_TYPE] |= 0x80;
    return d;
}

void pci_set_ids(pci_dev *d, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
                 uint16_t subsys_vendor, uint16_t subsys_id)
{
    wr(d->config + PCI_VENDOR_ID, vendor, 2);
    wr(d->config + PCI_DEVICE_ID, device, 2);
    d->config[PCI_REVISION] = revision;
    d->config[PCI_CLASS_PROG] = (uint8_t)class_code;
    wr(d->config + PCI_CLASS_DEVICE, class_code >> 8, 2);
    wr(d->config + PCI_SUBSYS_VENDOR, subsys_vendor, 2);
    wr(d->config + PCI_SUBSYS_ID, subsys_id, 2);
}

void pci_set_bar(pci_dev *d, int bar, pci_bar_kind kind, uint64_t size, bool prefetch,
                 const mmio_ops *ops, void *opaque)
{
    pci_bar *b = &d->bars[bar];
    b->size = size;
    b->kind = kind;
    b->prefetch = prefetch;
    b->ops = ops;
    b->opaque = opaque;
    unsigned off = PCI_BAR0 + 4u * (unsigned)bar;
    if (kind == PCI_BAR_IO) {
        wr(d->config + off, 1, 4);
        wr(d->wmask + off, (uint32_t)~(size - 1) & ~3u, 4);
    } else {
        uint32_t type = (kind == PCI_BAR_MEM64 ? 4u : 0u) | (prefetch ? 8u : 0u);
        wr(d->config + off, type, 4);
        wr(d->wmask + off, (uint32_t)~(size - 1) & ~15u, 4);
        if (kind == PCI_BAR_MEM64)
            wr(d->wmask + off + 4, (uint32_t)(~(size - 1) >> 32), 4);
    }
}

void pci_set_bar_ram(pci_dev *d, int bar, pci_bar_kind kind, uint64_t size, bool prefetch, uint8_t *host)
{
    if (size < 4096 || (size & (size - 1)) || kind == PCI_BAR_IO)
        fatal("RAM-backed BAR %d of %s: needs a memory BAR of a power of two >= 4 KiB", bar, d->name);
    pci_set_bar(d, bar, kind, size, prefetch, NULL, NULL);
    d->bars[bar].ram = host;
}

void pci_set_intx_pin(pci_dev *d, unsigned pin)
{
    d->config[PCI_INTERRUPT_PIN] = (uint8_t)pin;
}

unsigned pci_add_capability(pci_dev *d, uint8_t id, unsigned len)
{
    unsigned off = d->next_cap;
    if (off + len > 0x100)
        fatal("PCI capabilities of %s do not fit", d->name);
    d->config[off] = id;
    d->config[off + 1] = d->config[PCI_CAP_PTR];
    d->config[PCI_CAP_PTR] = (uint8_t)off;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    d->next_cap = (uint8_t)((off + len + 3) & ~3u);
    return off;
}

bool pci_bus_master(const pci_dev *d)
{
    return rd(d->config + PCI_COMMAND, 2) & PCI_CMD_MASTER;
}

/* ---- INTx ---- */

static void update_intx(pci_dev *d)
{
    unsigned pin = d->config[PCI_INTERRUPT_PIN];
    if (!pin)
        return;
    bool on = d->irq_level && !(rd(d->config + PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE);
    if (d->irq_level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTX;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTX;
    if (d->bus->host.set_intx)
        d->bus->host.set_intx(d->bus->host.opaque, d->devfn, pin, on);
}

void pci_set_irq(pci_dev *d, bool level)
{
    if (d->irq_level == level)
        return;
    d->irq_level = level;
    update_intx(d);
}

/* ---- BARs ---- */

uint64_t pci_bar_address(const pci_dev *d, int i)
{
    const pci_bar *b = &d->bars[i];
    unsigned off = PCI_BAR0 + 4u * (unsigned)i;
    uint64_t addr = rd(d->config + off, 4);
    if (b->kind == PCI_BAR_MEM64)
        addr |= (uint64_t)rd(d->config + off + 4, 4) << 32;
    return addr & ~(uint64_t)(b->kind == PCI_BAR_IO ? 3 : 15);
}

static bool in_window(uint64_t a, uint64_t size, uint64_t base, uint64_t wsize)
{
    return wsize && a >= base && a - base < wsize && size <= wsize - (a - base);
}

static size_t dirty_words(const pci_bar *b)
{
    return (size_t)((b->size / 4096 + 63) / 64);
}

static void mark_all_dirty(pci_bar *b)
{
    for (size_t i = 0; i < dirty_words(b); i++)
        atomic_store(&b->dirty[i], ~0ull);
}

void pci_bar_track_dirty(pci_dev *d, int bar)
{
    pci_bar *b = &d->bars[bar];
    if (!b->ram || b->dirty)
        return;
    b->dirty = calloc(dirty_words(b), sizeof(uint64_t));
    if (!b->dirty)
        fatal("out of memory");
    mark_all_dirty(b);
    if (b->overlay >= 0 && d->bus->host.as)
        as_overlay_set_dirty(d->bus->host.as, b->overlay, b->dirty);
}

bool pci_bar_take_dirty(pci_dev *d, int bar, uint64_t *bitmap)
{
    pci_bar *b = &d->bars[bar];
    if (!b->dirty)
        return false;
    bool any = false;
    /* bits first, then the CPUs' writable translations, so every later store sets its
     * bit again; a store already past its translation lookup may still land after the
     * caller's copy (the display copies a frame's pages twice for that, see
     * bochs_display.c) */
    for (size_t i = 0; i < dirty_words(b); i++) {
        uint64_t w = atomic_exchange(&b->dirty[i], 0);
        bitmap[i] |= w;
        any |= w != 0;
    }
    const pci_bus_host *h = &d->bus->host;
    if (b->ram_at != PCI_UNMAPPED && h->ram_sync_dirty && (any || h->ram_sync_always)) {
        h->ram_sync_dirty(h->ram_opaque, b->overlay, b->ram, b->size, bitmap);
        for (size_t i = 0; i < dirty_words(b) && !any; i++)
            any = bitmap[i] != 0;
    }
    if (b->size % (64 * 4096))
        bitmap[dirty_words(b) - 1] &= (1ull << (b->size / 4096 % 64)) - 1;
    return any;
}

/* A RAM-backed BAR shows as an overlay only where CPU accesses reach it: wholly inside
 * a memory window (elsewhere the bridge does not decode it, and over RAM the RAM wins).
 * Called under the big lock, like every configuration access. */
static void move_ram(pci_bus *bus, pci_bar *b)
{
    const pci_bus_host *h = &bus->host;
    uint64_t at = b->mapped;
    if (at != PCI_UNMAPPED && !in_window(at, b->size, h->mem_base, h->mem_size) &&
        !in_window(at, b->size, h->mem64_base, h->mem64_size))
        at = PCI_UNMAPPED;
    if (at == b->ram_at || !h->as)
        return;
    if (b->overlay < 0 && (b->overlay = as_overlay_new(h->as)) < 0) {
        /* out of overlays: the window path still serves it, only slower */
        guest_error("guest_errors: PCI: no overlay left for a RAM BAR at 0x%llx\n", (unsigned long long)at);
        return;
    }
    uint64_t old = b->ram_at;
    b->ram_at = at;
    as_overlay_set_dirty(h->as, b->overlay, b->dirty);
    as_overlay_map(h->as, b->overlay, at == PCI_UNMAPPED ? 0 : at, at == PCI_UNMAPPED ? 0 : b->size, b->ram);
    if (b->dirty)
        mark_all_dirty(b);          /* what it shows may have changed with where */
    if (h->ram_moved)
        h->ram_moved(h->ram_opaque, b->overlay, b->ram, b->size, old, at);
}

/* Where each BAR answers now: nowhere while its decode is off, at 0, or wrapping. */
static void update_mappings(pci_dev *d)
{
    uint16_t cmd = (uint16_t)rd(d->config + PCI_COMMAND, 2);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        pci_bar *b = &d->bars[i];
        if (!b->size)
            continue;
        bool on = b->kind == PCI_BAR_IO ? (cmd & PCI_CMD_IO) : (cmd & PCI_CMD_MEM);
        uint64_t a = pci_bar_address(d, i);
        b->mapped = on && a && a + b->size > a ? a : PCI_UNMAPPED;
        if (b->ram)
            move_ram(d->bus, b);
        if (b->kind == PCI_BAR_MEM64)
            i++;
    }
}

/* ---- configuration space ---- */

uint32_t pci_config_read(pci_bus *b, unsigned devfn, unsigned off, unsigned len)
{
    pci_dev *d = devfn < PCI_MAX_DEVFN ? b->devs[devfn] : NULL;
    if (!d || off + len > PCI_CONFIG_SIZE || (len != 1 && len != 2 && len != 4))
        return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
    uint32_t v = rd(d->config + off, len);
    return d->config_read ? d->config_read(d, off, len, v) : v;
}

void pci_config_write(pci_bus *b, unsigned devfn, unsigned off, uint32_t val, unsigned len)
{
    pci_dev *d = devfn < PCI_MAX_DEVFN ? b->devs[devfn] : NULL;
    if (!d || off + len > PCI_CONFIG_SIZE || (len != 1 && len != 2 && len != 4))
        return;
    for (unsigned i = 0; i < len; i++) {
        uint8_t m = d->wmask[off + i], v = (uint8_t)(val >> (8 * i));
        d->config[off + i] = (uint8_t)((d->config[off + i] & ~m) | (v & m));
    }
    if (off < PCI_BAR0 + 24 && off + len > PCI_COMMAND)
        update_mappings(d);
    if (off <= PCI_COMMAND + 1 && off + len > PCI_COMMAND)
        update_intx(d);
    if (d->config_written)
        d->config_written(d, off, len);
}

/* ---- windows ---- */

/* Every window access comes here (virtio notifies among them), so only the functions
 * present are looked at. */
static pci_bar *find_bar(pci_bus *b, bool io, uint64_t addr, unsigned size)
{
    for (unsigned k = 0; k < b->nlist; k++) {
        pci_dev *d = b->list[k];
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            pci_bar *bar = &d->bars[i];
            if (!bar->size || bar->mapped == PCI_UNMAPPED || (bar->kind == PCI_BAR_IO) != io)
                continue;
            if (addr >= bar->mapped && addr - bar->mapped < bar->size && size <= bar->size - (addr - bar->mapped))
                return bar;
        }
    }
    return NULL;
}

bool pci_window_read(pci_bus *b, bool io, uint64_t addr, unsigned size, uint64_t *val)
{
    pci_bar *bar = find_bar(b, io, addr, size);
    if (bar && bar->ram) {
        uint64_t v = 0;
        memcpy(&v, bar->ram + (addr - bar->mapped), size);
        *val = v;
        return true;
    }
    if (!bar || !bar->ops || !bar->ops->read)
        return false;
    *val = bar->ops->read(bar->opaque, addr - bar->mapped, size);
    return true;
}

bool pci_window_write(pci_bus *b, bool io, uint64_t addr, unsigned size, uint64_t val)
{
    pci_bar *bar = find_bar(b, io, addr, size);
    if (bar && bar->ram) {
        memcpy(bar->ram + (addr - bar->mapped), &val, size);
        if (bar->dirty) {
            uint64_t p = (addr - bar->mapped) >> 12;
            atomic_fetch_or(&bar->dirty[p / 64], 1ull << (p % 64));
        }
        return true;
    }
    if (!bar || !bar->ops || !bar->ops->write)
        return false;
    bar->ops->write(bar->opaque, addr - bar->mapped, val, size);
    return true;
}

void pci_bus_reset(pci_bus *b)
{
    for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
        pci_dev *d = b->devs[f];
        if (!d)
            continue;
        wr(d->config + PCI_COMMAND, 0, 2);
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTX;
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            unsigned off = PCI_BAR0 + 4u * (unsigned)i;
            /* keep the type bits, clear the address */
            uint32_t keep = rd(d->config + off, 4) & ~rd(d->wmask + off, 4);
            wr(d->config + off, keep, 4);
        }
        d->config[PCI_INTERRUPT_LINE] = 0;
        d->irq_level = false;
        update_mappings(d);
        update_intx(d);
    }
}

/* ---- snapshots ---- */

void pci_bus_save(pci_bus *b, state_out *o)
{
    state_put_u32(o, b->nlist);
    for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
        pci_dev *d = b->devs[f];
        if (!d)
            continue;
        state_put_u32(o, f);
        state_put_u32(o, rd(d->config + PCI_VENDOR_ID, 4));     /* vendor and device, checked on load */
        state_put(o, d->config, PCI_CONFIG_SIZE);
        state_put_u8(o, d->irq_level);
    }
}

bool pci_bus_load(pci_bus *b, state_in *in, char *err, size_t errsize)
{
    /* Checked whole first, then applied: a snapshot of another machine changes nothing. */
    state_in look = *in;
    uint32_t n = state_get_u32(&look);
    if (!look.bad && n != b->nlist) {
        snprintf(err, errsize, "bus %s: the snapshot has %u PCI functions, this machine %u", b->name, n, b->nlist);
        return false;
    }
    for (uint32_t i = 0; i < n && !look.bad; i++) {
        uint32_t f = state_get_u32(&look), ids = state_get_u32(&look);
        state_get_ptr(&look, PCI_CONFIG_SIZE + 1);
        if (look.bad)
            break;
        pci_dev *d = f < PCI_MAX_DEVFN ? b->devs[f] : NULL;
        if (!d || rd(d->config + PCI_VENDOR_ID, 4) != ids) {
            snprintf(err, errsize, "bus %s: the snapshot has PCI device %04x:%04x at %02x.%x, this machine %s",
                     b->name, ids & 0xffff, ids >> 16, (f >> 3) & 0x1f, f & 7, d ? "another" : "none");
            return false;
        }
    }
    if (look.bad) {
        snprintf(err, errsize, "bus %s: the PCI state is cut short", b->name);
        return false;
    }
    state_get_u32(in);
    for (uint32_t i = 0; i < n; i++) {
        pci_dev *d = b->devs[state_get_u32(in)];
        state_get_u32(in);
        state_get(in, d->config, PCI_CONFIG_SIZE);
        d->irq_level = state_get_u8(in) != 0;
    }
    return true;
}

void pci_bus_post_load(pci_bus *b)
{
    for (unsigned k = 0; k < b->nlist; k++) {
        pci_dev *d = b->list[k];
        update_mappings(d);
        update_intx(d);
    }
}

static bool page_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    uint64_t any = 0;
    for (size_t i = 0; i < 4096 / 8; i++)
        any |= w[i];
    return any == 0;
}

void pci_bar_ram_save(const pci_dev *d, int bar, state_out *o)
{
    const pci_bar *b = &d->bars[bar];
    size_t pages = (size_t)(b->size / 4096), words = (pages + 63) / 64;
    uint64_t *map = calloc(words ? words : 1, sizeof(uint64_t));
    if (!map)
        fatal("out of memory");
    for (size_t p = 0; p < pages; p++)
        if (!page_zero(b->ram + p * 4096))
            map[p / 64] |= 1ull << (p % 64);
    state_put_u64(o, b->size);
    for (size_t i = 0; i < words; i++)
        state_put_u64(o, map[i]);
    for (size_t p = 0; p < pages; p++)
        if ((map[p / 64] >> (p % 64)) & 1)
            state_put(o, b->ram + p * 4096, 4096);
    free(map);
}

bool pci_bar_ram_load(pci_dev *d, int bar, state_in *in, char *err, size_t errsize)
{
    pci_bar *b = &d->bars[bar];
    uint64_t size = state_get_u64(in);
    if (in->bad || size != b->size) {
        snprintf(err, errsize, "BAR %d of %s: the snapshot has %llu bytes of memory, this machine %llu",
                 bar, d->name, (unsigned long long)size, (unsigned long long)b->size);
        return false;
    }
    size_t pages = (size_t)(size / 4096), words = (pages + 63) / 64, present = 0;
    const uint8_t *map = state_get_ptr(in, words * 8);
    for (size_t i = 0; map && i < words * 8; i++)
        present += (size_t)__builtin_popcount(map[i]);
    const uint8_t *data = map ? state_get_ptr(in, present * 4096) : NULL;
    if (!data) {
        snprintf(err, errsize, "BAR %d of %s: its memory is cut short", bar, d->name);
        return false;
    }
    for (size_t p = 0; p < pages; p++) {
        uint8_t *to = b->ram + p * 4096;
        if ((map[p / 8] >> (p % 8)) & 1) {
            memcpy(to, data, 4096);
            data += 4096;
        } else if (!page_zero(to)) {
            memset(to, 0, 4096);     /* a zero page read is not written: it stays unallocated */
        }
    }
    if (b->dirty)
        mark_all_dirty(b);
    return true;
}

/* What firmware does on a PC before the OS starts: every BAR placed in the bridge's
 * windows (largest first, so each lands aligned without holes), decoding turned on.
 * A BAR that does not fit stays unassigned for the guest to place. */
void pci_bus_assign_bars(pci_bus *b)
{
    uint64_t mem = b->host.mem_base, io = b->host.io_base;
    uint64_t mem_end = b->host.mem_base + b->host.mem_size, io_end = b->host.io_base + b->host.io_size;
    for (uint64_t size = 1ull << 40; size >= 4; size >>= 1)
        for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
            pci_dev *d = b->devs[f];
            for (int i = 0; d && i < PCI_NUM_BARS; i++) {
                pci_bar *bar = &d->bars[i];
                if (bar->size != size)
                    continue;
                bool isio = bar->kind == PCI_BAR_IO;
                uint64_t *next = isio ? &io : &mem, end = isio ? io_end : mem_end;
                uint64_t a = (*next + size - 1) & ~(size - 1);
                if (a < *next || a + size > end || a + size < a)
                    continue;
                *next = a + size;
                unsigned off = PCI_BAR0 + 4u * (unsigned)i;
                pci_config_write(b, f, off, (uint32_t)a, 4);
                if (bar->kind == PCI_BAR_MEM64)
                    pci_config_write(b, f, off + 4, (uint32_t)(a >> 32), 4);
                uint16_t cmd = (uint16_t)pci_config_read(b, f, PCI_COMMAND, 2);
                pci_config_write(b, f, PCI_COMMAND, cmd | (isio ? PCI_CMD_IO : PCI_CMD_MEM), 2);
            }
        }
}

const char *pci_class_name(uint32_t cls)
{
    switch (cls >> 8) {
    case 0x0100: return "SCSI controller";
    case 0x0600: return "Host bridge";
    case 0x0780: return "Communication controller";
    case 0x00ff: return "Class 00ff";
    case 0x0200: return "Ethernet controller";
    case 0x0300: return "VGA controller";
    case 0x0380: return "Display controller";
    case 0x0900: return "Keyboard controller";
    case 0x0500: return "RAM memory";
    default: return "Device";
    }
}

void pci_bus_print(pci_bus *b, void (*out)(void *opaque, const char *text), void *opaque)
{
    char line[256];
    for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
        pci_dev *d = b->devs[f];
        if (!d)
            continue;
        uint32_t cls = rd(d->config + PCI_CLASS_PROG, 4) & 0xffffff;
        snprintf(line, sizeof(line), "  Bus  0, device %3u, function %u:\n    %s: PCI device %04x:%04x\n"
                 "      PCI subsystem %04x:%04x\n", f >> 3, f & 7, pci_class_name(cls),
                 rd(d->config + PCI_VENDOR_ID, 2), rd(d->config + PCI_DEVICE_ID, 2),
                 rd(d->config + PCI_SUBSYS_VENDOR, 2), rd(d->config + PCI_SUBSYS_ID, 2));
        out(opaque, line);
        if (d->config[PCI_INTERRUPT_PIN]) {
            snprintf(line, sizeof(line), "      IRQ %u, pin %c\n", d->config[PCI_INTERRUPT_LINE],
                     'A' + d->config[PCI_INTERRUPT_PIN] - 1);
            out(opaque, line);
        }
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            pci_bar *bar = &d->bars[i];
            if (!bar->size)
                continue;
            uint64_t a = pci_bar_address(d, i);
            if (bar->kind == PCI_BAR_IO)
                snprintf(line, sizeof(line), "      BAR%d: I/O at 0x%04llx [0x%04llx].\n", i,
                         (unsigned long long)a, (unsigned long long)(a + bar->size - 1));
            else
                snprintf(line, sizeof(line), "      BAR%d: %s bit %smemory at 0x%08llx [0x%08llx].\n", i,
                         bar->kind == PCI_BAR_MEM64 ? "64" : "32", bar->prefetch ? "prefetchable " : "",
                         (unsigned long long)a, (unsigned long long)(a + bar->size - 1));
            out(opaque, line);
            if (bar->kind == PCI_BAR_MEM64)
                i++;
        }
        snprintf(line, sizeof(line), "      id \"%s\"\n", d->qdev_id ? d->qdev_id : "");
        out(opaque, line);
    }
}
