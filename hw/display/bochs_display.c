/* bochs-display and VGA (see bochs_display.h). */
#include "hw/display/bochs_display.h"
#include "ui/console.h"
#include "ui/edid.h"
#include "core/log.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* DISPI register indices and values (Bochs' VBE extension, as QEMU has it) */
enum {
    DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
    DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET, DISPI_VIDEO_MEMORY_64K, DISPI_NREGS,
};
#define DISPI_ID5 0xb0c5
#define DISPI_ENABLED 0x01
#define DISPI_GETCAPS 0x02
#define DISPI_NOCLEARMEM 0x80
#define DISPI_MAX_XRES 16000
#define DISPI_MAX_YRES 12000
#define DISPI_MAX_BPP 32

/* BAR 2's layout */
#define MMIO_SIZE 0x1000
#define MMIO_EDID 0x000
#define MMIO_VGA 0x400          /* ports 0x3c0-0x3df */
#define MMIO_DISPI 0x500
#define MMIO_QEXT 0x600
#define QEXT_SIZE 8
#define QEXT_LITTLE 0x1e1e1e1e
#define QEXT_BIG 0xbebebebe

typedef struct bochs {
    pci_dev *pci;
    console *con;
    bool vga;
    uint8_t *vram;
    uint64_t vram_size;
    uint8_t edid[256];
    bool have_edid;
    uint64_t *dirty;            /* scratch: VRAM pages written since the last refresh */
    uint64_t *prev_dirty;       /* those of the refresh before */
    /* guest-visible state */
    uint16_t dispi[DISPI_NREGS];
    uint32_t endian;            /* QEMU's framebuffer byte-order register */
    uint8_t vga_regs[32];       /* ports 0x3c0-0x3df as last written */
    uint8_t dac_write, dac_read, dac_sub;
    uint8_t dac[256 * 3];       /* 6-bit colour values */
    uint32_t palette[256];      /* the DAC as 0x00RRGGBB */
    bool palette_changed;
    /* what the last refresh showed: a change means every line */
    uint32_t shown_w, shown_h, shown_bpp, shown_stride;
    uint64_t shown_start;
    bool shown_on;
} bochs;

static const state_field bochs_fields[] = {
    STATE_ARRAY(bochs, dispi), STATE_FIELD(bochs, endian), STATE_ARRAY(bochs, vga_regs),
    STATE_FIELD(bochs, dac_write), STATE_FIELD(bochs, dac_read), STATE_FIELD(bochs, dac_sub),
    STATE_ARRAY(bochs, dac), STATE_ARRAY(bochs, palette),
};
static const state_desc bochs_state = STATE_DESC(1, bochs_fields);

static unsigned bytes_per_pixel(unsigned bpp)
{
    switch (bpp) {
    case 8: return 1;
    case 15: case 16: return 2;
    case 24: return 3;
    case 32: return 4;
    }
    return 0;
}

/* ---- DISPI ---- */

static uint16_t dispi_read(bochs *s, unsigned idx)
{
    if (idx >= DISPI_NREGS)
        return 0;
    if (idx == DISPI_VIDEO_MEMORY_64K)
        return (uint16_t)(s->vram_size >> 16);
    if (s->dispi[DISPI_ENABLE] & DISPI_GETCAPS) {
        /* the largest values each register takes */
        if (idx == DISPI_XRES)
            return DISPI_MAX_XRES;
        if (idx == DISPI_YRES)
            return DISPI_MAX_YRES;
        if (idx == DISPI_BPP)
            return DISPI_MAX_BPP;
    }
    return s->dispi[idx];
}

/* Virtual size from the visible one, as the Bochs BIOS and QEMU derive it. */
static void dispi_fixup(bochs *s)
{
    unsigned bpp = bytes_per_pixel(s->dispi[DISPI_BPP]);
    if (!bpp)
        return;
    if (s->dispi[DISPI_VIRT_WIDTH] < s->dispi[DISPI_XRES])
        s->dispi[DISPI_VIRT_WIDTH] = s->dispi[DISPI_XRES];
    uint64_t line = (uint64_t)s->dispi[DISPI_VIRT_WIDTH] * bpp;
    uint64_t lines = line ? s->vram_size / line : 0;
    s->dispi[DISPI_VIRT_HEIGHT] = (uint16_t)(lines > 0xffff ? 0xffff : lines);
}

static void dispi_write(bochs *s, unsigned idx, uint16_t v)
{
    switch (idx) {
    case DISPI_ID:
        if ((v & 0xfff0) == 0xb0c0)
            s->dispi[idx] = v;
        break;
    case DISPI_XRES:
        s->dispi[idx] = v <= DISPI_MAX_XRES ? v & ~7u : s->dispi[idx];
        break;
    case DISPI_YRES:
        s->dispi[idx] = v <= DISPI_MAX_YRES ? v : s->dispi[idx];
        break;
    case DISPI_BPP:
        if (v == 0)
            v = 8;
        if (bytes_per_pixel(v))
            s->dispi[idx] = v;
        break;
    case DISPI_ENABLE: {
        bool was = s->dispi[idx] & DISPI_ENABLED;
        s->dispi[idx] = v;
        if ((v & DISPI_ENABLED) && !was) {
            s->dispi[DISPI_VIRT_WIDTH] = s->dispi[DISPI_XRES];
            s->dispi[DISPI_X_OFFSET] = s->dispi[DISPI_Y_OFFSET] = 0;
            dispi_fixup(s);
            /* a mode set clears the screen unless told not to */
            uint64_t n = (uint64_t)s->dispi[DISPI_VIRT_WIDTH] * s->dispi[DISPI_YRES] *
                         bytes_per_pixel(s->dispi[DISPI_BPP]);
            if (!(v & DISPI_NOCLEARMEM))
                memset(s->vram, 0, n < s->vram_size ? n : s->vram_size);
        }
        break;
    }
    case DISPI_BANK:
        s->dispi[idx] = v < (s->vram_size >> 16) ? v : 0;
        break;
    case DISPI_VIRT_WIDTH:
    case DISPI_X_OFFSET:
    case DISPI_Y_OFFSET:
        s->dispi[idx] = v;
        if (idx == DISPI_VIRT_WIDTH)
            dispi_fixup(s);
        break;
    default:
        break;                  /* VIRT_HEIGHT and VIDEO_MEMORY_64K are derived */
    }
}

/* ---- VGA's ports, as far as the Bochs driver and a palette need them ---- */

static uint8_t vga_read(bochs *s, unsigned port)
{
    switch (port) {
    case 0x3c7:
        return 0;               /* DAC state: ready for writes */
    case 0x3c8:
        return s->dac_write;
    case 0x3c9: {
        uint8_t v = s->dac[s->dac_read * 3 + s->dac_sub];
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_read++;
        }
        return v;
    }
    case 0x3da:
        s->vga_regs[0] &= 0x7f; /* reading input status resets the attribute flip-flop */
        return 0;
    }
    return s->vga_regs[port - 0x3c0];
}

static void vga_write(bochs *s, unsigned port, uint8_t v)
{
    switch (port) {
    case 0x3c7:
        s->dac_read = v;
        s->dac_sub = 0;
        return;
    case 0x3c8:
        s->dac_write = v;
        s->dac_sub = 0;
        return;
    case 0x3c9: {
        unsigned i = s->dac_write;
        s->dac[i * 3 + s->dac_sub] = v & 0x3f;
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_write++;
            uint32_t r = s->dac[i * 3], g = s->dac[i * 3 + 1], b = s->dac[i * 3 + 2];
            s->palette[i] = (r << 2 | r >> 4) << 16 | (g << 2 | g >> 4) << 8 | (b << 2 | b >> 4);
            s->palette_changed = true;
        }
        return;
    }
    }
    s->vga_regs[port - 0x3c0] = v;
}

/* ---- BAR 2 ---- */

static uint8_t mmio_byte(bochs *s, uint64_t off)
{
    if (off < MMIO_VGA)
        return s->have_edid && off < sizeof(s->edid) ? s->edid[off] : 0;
    if (off < MMIO_VGA + 0x20)
        return s->vga ? vga_read(s, 0x3c0 + (unsigned)(off - MMIO_VGA)) : 0xff;
    if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * DISPI_NREGS) {
        uint16_t v = dispi_read(s, (unsigned)(off - MMIO_DISPI) / 2);
        return (uint8_t)(v >> (8 * ((off - MMIO_DISPI) & 1)));
    }
    if (off >= MMIO_QEXT && off < MMIO_QEXT + QEXT_SIZE) {
        uint32_t v = off < MMIO_QEXT + 4 ? QEXT_SIZE : s->endian;
        return (uint8_t)(v >> (8 * (off & 3)));
    }
    return 0;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    bochs *s = opaque;
    /* DISPI registers are 16 bits: whole ones read as one (a VGA port read has effects) */
    if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * DISPI_NREGS && !(off & 1) && size == 2)
        return dispi_read(s, (unsigned)(off - MMIO_DISPI) / 2);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)mmio_byte(s, off + i) << (8 * i);
    return v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    bochs *s = opaque;
    if (off >= MMIO_VGA && off < MMIO_VGA + 0x20) {
        for (unsigned i = 0; i < size && off + i < MMIO_VGA + 0x20; i++)
            if (s->vga)
                vga_write(s, 0x3c0 + (unsigned)(off + i - MMIO_VGA), (uint8_t)(val >> (8 * i)));
        return;
    }
    if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * DISPI_NREGS) {
        /* whole registers only; a 32-bit write sets two */
        for (unsigned i = 0; i + 2 <= size || (i == 0 && size == 1); i += 2) {
            unsigned idx = (unsigned)(off + i - MMIO_DISPI) / 2;
            if (idx >= DISPI_NREGS)
                break;
            uint16_t v = size == 1 ? (uint16_t)((s->dispi[idx] & ~(0xffu << (8 * (off & 1)))) |
                                                (uint16_t)((val & 0xff) << (8 * (off & 1))))
                                   : (uint16_t)(val >> (8 * i));
            dispi_write(s, idx, v);
            if (size == 1)
                break;
        }
        return;
    }
    if (off == MMIO_QEXT + 4 && size == 4) {
        if (val == QEXT_LITTLE || val == QEXT_BIG)
            s->endian = (uint32_t)val;
        return;
    }
    guest_error("guest_errors: %s: write of %u bytes at BAR 2 offset 0x%llx ignored\n",
                s->pci->name, size, (unsigned long long)off);
}

static const mmio_ops bochs_mmio_ops = { mmio_read, mmio_write };

/* ---- the picture ---- */

static bool page_dirty(const uint64_t *bm, uint64_t p)
{
    return (bm[p / 64] >> (p % 64)) & 1;
}

static void refresh(void *opaque, console *c, bool full)
{
    bochs *s = opaque;
    size_t words = (size_t)((s->vram_size / 4096 + 63) / 64);
    memset(s->dirty, 0, words * sizeof(uint64_t));
    /* taken every time, so a write while nothing shows does not linger for later */
    pci_bar_take_dirty(s->pci, 0, s->dirty);
    /* A store that had passed its TLB check when the bits were taken lands a few host
     * instructions later, after this copy and with no bit of its own: the pages of the
     * last refresh are copied once more, so such a store shows a frame late instead of
     * never. An idle display has no bits either time. */
    for (size_t i = 0; i < words; i++) {
        uint64_t now = s->dirty[i];
        s->dirty[i] |= s->prev_dirty[i];
        s->prev_dirty[i] = now;
    }

    uint32_t w = s->dispi[DISPI_XRES], h = s->dispi[DISPI_YRES], bpp = s->dispi[DISPI_BPP];
    unsigned bpx = bytes_per_pixel(bpp);
    bool on = (s->dispi[DISPI_ENABLE] & DISPI_ENABLED) && w && h && bpx;
    uint64_t stride = (uint64_t)s->dispi[DISPI_VIRT_WIDTH] * bpx;
    uint64_t start = (uint64_t)s->dispi[DISPI_Y_OFFSET] * stride + (uint64_t)s->dispi[DISPI_X_OFFSET] * bpx;
    /* a mode that would show memory past VRAM shows nothing */
    if (on && (stride < (uint64_t)w * bpx || start + (uint64_t)(h - 1) * stride + (uint64_t)w * bpx > s->vram_size))
        on = false;
    if (!on) {
        s->shown_on = false;
        console_blank(c);
        return;
    }
    if (!s->shown_on || w != s->shown_w || h != s->shown_h || bpp != s->shown_bpp || stride != s->shown_stride ||
        start != s->shown_start || (bpp == 8 && s->palette_changed))
        full = true;
    s->shown_on = true;
    s->shown_w = w, s->shown_h = h, s->shown_bpp = bpp, s->shown_stride = (uint32_t)stride;
    s->shown_start = start;
    s->palette_changed = false;

    static const pixfmt fmts[5] = { PIXFMT_PAL8, PIXFMT_PAL8, PIXFMT_RGB565, PIXFMT_BGR888, PIXFMT_XRGB8888 };
    gfx_surface surf = {
        .width = w, .height = h, .stride = (uint32_t)stride, .data = s->vram + start,
        .fmt = bpp == 15 ? PIXFMT_RGB555 : fmts[bpx], .palette = s->palette,
    };
    if (full) {
        console_update(c, &surf, 0, h);
        return;
    }
    /* the lines that touch a written page, in runs */
    uint32_t run = UINT32_MAX;
    for (uint32_t y = 0; y <= h; y++) {
        bool d = false;
        if (y < h) {
            uint64_t a = start + y * stride, e = a + (uint64_t)w * bpx - 1;
            for (uint64_t p = a >> 12; p <= e >> 12 && !d; p++)
                d = page_dirty(s->dirty, p);
        }
        if (d && run == UINT32_MAX)
            run = y;
        else if (!d && run != UINT32_MAX) {
            console_update(c, &surf, run, y);
            run = UINT32_MAX;
        }
    }
}

static const console_ops bochs_console_ops = { .refresh = refresh };

/* ---- the device ---- */

static void bochs_reset(void *dev)
{
    bochs *s = dev;
    s->dispi[DISPI_ID] = DISPI_ID5;
    s->dispi[DISPI_BPP] = 8;
    s->endian = QEXT_LITTLE;
    s->shown_on = false;
    s->palette_changed = true;
    memset(s->palette, 0, sizeof(s->palette));
}

static void bochs_destroy(void *dev)
{
    bochs *s = dev;
    /* the console and the PCI function outlive the board's devices only until exit */
    munmap(s->vram, s->vram_size);
    free(s->dirty);
    free(s->prev_dirty);
    free(s);
}

/* Snapshots: VRAM is the device's memory, saved with its registers (the pages that
 * are not all zero). The palette is saved as it is rather than derived from the DAC:
 * an entry the guest is halfway through writing shows its old colour until the third
 * byte. */
static void bochs_save_extra(void *dev, state_out *o)
{
    bochs *s = dev;
    pci_bar_ram_save(s->pci, 0, o);
}

static bool bochs_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    bochs *s = dev;
    (void)version;
    return pci_bar_ram_load(s->pci, 0, in, err, errsize);
}

/* Everything shows anew at the next refresh: the mode may differ from the one shown,
 * and the VRAM was all replaced (its BAR is wholly dirty after the load). */
static void bochs_post_load(void *dev)
{
    bochs *s = dev;
    s->shown_on = false;
    s->palette_changed = true;
    size_t words = (size_t)((s->vram_size / 4096 + 63) / 64);
    memset(s->prev_dirty, 0, words * sizeof(uint64_t));
}

static const device_ops bochs_dev_ops = {
    .type = "bochs-display", .state = &bochs_state, .reset = bochs_reset, .destroy = bochs_destroy,
    .save_extra = bochs_save_extra, .load_extra = bochs_load_extra, .post_load = bochs_post_load,
};
static const device_ops vga_dev_ops = {
    .type = "VGA", .state = &bochs_state, .reset = bochs_reset, .destroy = bochs_destroy,
    .save_extra = bochs_save_extra, .load_extra = bochs_load_extra, .post_load = bochs_post_load,
};

pci_dev *bochs_display_create(device_list *devs, pci_bus *bus, int devfn, const bochs_config *cfg,
                              char *err, size_t errsize)
{
    uint64_t vram = cfg->vram_size ? cfg->vram_size : 16ull << 20;
    if (vram < (1ull << 20) || vram > (256ull << 20) || (vram & (vram - 1))) {
        snprintf(err, errsize, "vgamem=%llu: a power of two from 1M to 256M is needed", (unsigned long long)vram);
        return NULL;
    }
    uint32_t xres = cfg->xres ? cfg->xres : 1280, yres = cfg->yres ? cfg->yres : 800;
    if (xres < 640 || yres < 480 || xres > DISPI_MAX_XRES || yres > DISPI_MAX_YRES) {
        snprintf(err, errsize, "xres=%u,yres=%u: from 640x480 to %ux%u", xres, yres, DISPI_MAX_XRES, DISPI_MAX_YRES);
        return NULL;
    }
    const char *model = cfg->vga ? "VGA" : "bochs-display";
    pci_dev *d = pci_dev_new(bus, devfn, model, err, errsize);
    if (!d)
        return NULL;
    bochs *s = calloc(1, sizeof(*s));
    if (!s)
        fatal("out of memory");
    s->pci = d;
    s->vga = cfg->vga;
    s->vram_size = vram;
    /* page-aligned and lazily zero, as KVM's memory slots want */
    s->vram = mmap(NULL, vram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    s->dirty = calloc((size_t)((vram / 4096 + 63) / 64), sizeof(uint64_t));
    s->prev_dirty = calloc((size_t)((vram / 4096 + 63) / 64), sizeof(uint64_t));
    if (s->vram == MAP_FAILED || !s->dirty || !s->prev_dirty)
        fatal("out of memory for %s's VRAM", model);
    if (cfg->edid) {
        edid_generate(s->edid, sizeof(s->edid), xres, yres, NULL);
        s->have_edid = true;
    }
    d->opaque = s;
    /* QEMU's IDs: the Bochs/QEMU vendor, subsystem 1af4:1100 */
    pci_set_ids(d, 0x1234, 0x1111, 2, cfg->vga ? 0x030000 : 0x038000, 0x1af4, 0x1100);
    pci_set_bar_ram(d, 0, PCI_BAR_MEM32, vram, true, s->vram);
    pci_set_bar(d, 2, PCI_BAR_MEM32, MMIO_SIZE, false, &bochs_mmio_ops, s);
    pci_bar_track_dirty(d, 0);
    bochs_reset(s);
    s->con = console_new_graphic(cfg->id ? cfg->id : model, &bochs_console_ops, s);
    device_register(devs, model, cfg->vga ? &vga_dev_ops : &bochs_dev_ops, s);
    return d;
}
