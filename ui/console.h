/*
 * Consoles: what the window shows and screendump writes. A graphic console is a
 * display device's scanout (bochs-display, VGA, virtio-gpu); a text console is a vc
 * chardev rendered by ui/vc.c (the monitor, the serial port). Each console keeps a
 * shadow copy of its picture in XRGB8888, brought up to date under the big lock from
 * what the device says changed, and read by the front ends (SDL window, screendump)
 * without the lock: rendering never holds up the vCPUs.
 *
 * Order, as QEMU's Ctrl-Alt-N has it: graphic consoles first (1: the display), then
 * the text consoles in the order they were made (2: the monitor, 3: the serial port).
 */
#ifndef TERN_UI_CONSOLE_H
#define TERN_UI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pixel layouts a guest framebuffer may use (all little-endian in memory). */
typedef enum {
    PIXFMT_XRGB8888,    /* 32 bpp: 0xXXRRGGBB as a little-endian word (B, G, R, X bytes) */
    PIXFMT_XBGR8888,    /* 32 bpp: R, G, B, X bytes */
    PIXFMT_BGR888,      /* 24 bpp: B, G, R bytes */
    PIXFMT_RGB565,      /* 16 bpp */
    PIXFMT_RGB555,      /* 15 bpp in 16 bits */
    PIXFMT_PAL8,        /* 8 bpp through a 256-entry palette (VGA's DAC) */
} pixfmt;
unsigned pixfmt_bytes(pixfmt f);

/* A device's scanout as it is in guest-visible memory. */
typedef struct gfx_surface {
    uint32_t width, height;
    uint32_t stride;            /* bytes from one line to the next */
    pixfmt fmt;
    const uint8_t *data;        /* the first pixel of the first line */
    const uint32_t *palette;    /* PAL8: 256 entries of 0x00RRGGBB */
} gfx_surface;

typedef struct console console;

typedef struct console_ops {
    /* Main thread, big lock held: bring the shadow up to date by calling
     * console_update() for each run of lines changed since the last refresh (every
     * line when `full`), or console_blank() when nothing is shown. */
    void (*refresh)(void *opaque, console *c, bool full);
    /* Optional: the window showing this console is now w x h pixels (virtio-gpu tells
     * the guest, which may choose that mode). */
    void (*resize_hint)(void *opaque, uint32_t w, uint32_t h);
    /* Optional, text consoles: keys typed while it shows, as the bytes a terminal sends. */
    void (*text_input)(void *opaque, const uint8_t *bytes, size_t n);
} console_ops;

console *console_new_graphic(const char *name, const console_ops *ops, void *opaque);
console *console_new_text(const char *name, const console_ops *ops, void *opaque);

/* Device side, from refresh: copy lines [y0, y1) of s into the shadow, converting the
 * pixels. A surface of another size than the last one resizes the shadow (then every
 * line counts as changed and the caller should pass all of them). */
void console_update(console *c, const gfx_surface *s, uint32_t y0, uint32_t y1);
/* Nothing to show (display disabled): a black picture of the last size. */
void console_blank(console *c);

/* A pointer sprite the front end draws over the picture (virtio-gpu's cursor queue):
 * w x h pixels of 0xAARRGGBB, hot spot (hx, hy); NULL pixels: no sprite. Big lock held. */
void console_set_cursor(console *c, const uint32_t *argb, uint32_t w, uint32_t h, uint32_t hx, uint32_t hy);
void console_move_cursor(console *c, int x, int y);

/* ---- front ends (main thread) ---- */
unsigned console_count(void);
console *console_get(unsigned index);           /* NULL past the end */
const char *console_name(const console *c);
bool console_is_graphic(const console *c);
const console_ops *console_ops_of(const console *c, void **opaque);

/* The picture as of the last refresh: XRGB8888, `width` pixels per line, and the lines
 * changed since the front end last looked ([dirty_y0, dirty_y1), empty when equal). */
typedef struct console_view {
    uint32_t width, height;
    const uint32_t *pixels;
    uint32_t dirty_y0, dirty_y1;
    bool resized;               /* the size changed since the last look */
    /* the pointer sprite (virtio-gpu), if any */
    const uint32_t *cursor;
    uint32_t cursor_w, cursor_h, cursor_hx, cursor_hy;
    int cursor_x, cursor_y;
    bool cursor_changed;
} console_view;
/* Refresh the console (takes and drops the big lock) and describe its picture. The
 * view stays valid until the next console_refresh of this console. */
void console_refresh(console *c, bool full, console_view *v);

/* The index of the console a device (by id= or model name) shows, or -1. */
int console_find(const char *device);
/* screendump: console `index`'s picture (-1: the first, which is the display when there
 * is one) as PPM (P6) or PNG, written to a temporary name and renamed. Main thread.
 * False with a reason in err. */
bool console_screendump(int index, const char *path, const char *format, char *err, size_t errsize);

#endif
