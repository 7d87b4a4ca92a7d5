/*
 * The console registry and each console's shadow picture (see console.h), plus
 * screendump (PPM, or PNG through libpng).
 */
#include "ui/console.h"
#include "core/memory.h"
#include "core/log.h"
#include "build/config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef CONFIG_PNG
#include <png.h>
#endif

#define MAX_CONSOLES 16
#define MAX_DIM 16384           /* no guest mode is larger; keeps w*h*4 far from overflow */

struct console {
    char *name;
    bool graphic;
    const console_ops *ops;
    void *opaque;
    uint32_t width, height;
    uint32_t *pixels;           /* width * height, XRGB8888 */
    uint32_t *line;             /* scratch: one converted line */
    uint32_t line_cap;
    uint32_t dirty_y0, dirty_y1;
    bool resized;
    uint32_t *cursor;           /* w * h ARGB, NULL: no sprite */
    uint32_t cursor_w, cursor_h, cursor_hx, cursor_hy;
    int cursor_x, cursor_y;
    bool cursor_changed;
};

static console *consoles[MAX_CONSOLES];
static unsigned nconsoles;

unsigned pixfmt_bytes(pixfmt f)
{
    switch (f) {
    case PIXFMT_XRGB8888: case PIXFMT_XBGR8888: return 4;
    case PIXFMT_BGR888: return 3;
    case PIXFMT_RGB565: case PIXFMT_RGB555: return 2;
    case PIXFMT_PAL8: return 1;
    }
    return 4;
}

static console *console_new(const char *name, bool graphic, const console_ops *ops, void *opaque)
{
    if (nconsoles == MAX_CONSOLES)
        fatal("too many consoles");
    console *c = calloc(1, sizeof(*c));
    if (!c || !(c->name = strdup(name)))
        fatal("out of memory");
    c->graphic = graphic;
    c->ops = ops;
    c->opaque = opaque;
    /* graphic consoles go before every text one (Ctrl-Alt-1 is the display) */
    unsigned at = nconsoles;
    if (graphic)
        while (at > 0 && !consoles[at - 1]->graphic)
            at--;
    memmove(&consoles[at + 1], &consoles[at], (nconsoles - at) * sizeof(consoles[0]));
    consoles[at] = c;
    nconsoles++;
    /* until the device says otherwise: QEMU's 640x480 of black */
    c->width = 640;
    c->height = 480;
    c->pixels = calloc((size_t)c->width * c->height, 4);
    if (!c->pixels)
        fatal("out of memory");
    c->resized = true;
    c->dirty_y1 = c->height;
    return c;
}

console *console_new_graphic(const char *name, const console_ops *ops, void *opaque)
{
    return console_new(name, true, ops, opaque);
}

console *console_new_text(const char *name, const console_ops *ops, void *opaque)
{
    return console_new(name, false, ops, opaque);
}

unsigned console_count(void) { return nconsoles; }
console *console_get(unsigned index) { return index < nconsoles ? consoles[index] : NULL; }
const char *console_name(const console *c) { return c->name; }
bool console_is_graphic(const console *c) { return c->graphic; }

const console_ops *console_ops_of(const console *c, void **opaque)
{
    if (opaque)
        *opaque = c->opaque;
    return c->ops;
}

static void mark_dirty(console *c, uint32_t y0, uint32_t y1)
{
    if (y0 >= y1)
        return;
    if (c->dirty_y0 >= c->dirty_y1) {
        c->dirty_y0 = y0;
        c->dirty_y1 = y1;
        return;
    }
    if (y0 < c->dirty_y0)
        c->dirty_y0 = y0;
    if (y1 > c->dirty_y1)
        c->dirty_y1 = y1;
}

static void resize(console *c, uint32_t w, uint32_t h)
{
    if (w == c->width && h == c->height)
        return;
    uint32_t *p = calloc((size_t)w * h, 4);
    if (!p)
        fatal("out of memory");
    free(c->pixels);
    c->pixels = p;
    c->width = w;
    c->height = h;
    c->resized = true;
    c->dirty_y0 = 0;
    c->dirty_y1 = h;
}

static inline uint32_t expand5(uint32_t v) { return (v << 3) | (v >> 2); }
static inline uint32_t expand6(uint32_t v) { return (v << 2) | (v >> 4); }

static void convert_line(uint32_t *dst, const uint8_t *src, uint32_t w, pixfmt f, const uint32_t *pal)
{
    switch (f) {
    case PIXFMT_XRGB8888:
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v;
            memcpy(&v, src + 4 * x, 4);
            dst[x] = v & 0xffffff;
        }
        break;
    case PIXFMT_XBGR8888:
        for (uint32_t x = 0; x < w; x++)
            dst[x] = (uint32_t)src[4 * x] << 16 | (uint32_t)src[4 * x + 1] << 8 | src[4 * x + 2];
        break;
    case PIXFMT_BGR888:
        for (uint32_t x = 0; x < w; x++)
            dst[x] = (uint32_t)src[3 * x + 2] << 16 | (uint32_t)src[3 * x + 1] << 8 | src[3 * x];
        break;
    case PIXFMT_RGB565:
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v = src[2 * x] | (uint32_t)src[2 * x + 1] << 8;
            dst[x] = expand5(v >> 11) << 16 | expand6((v >> 5) & 63) << 8 | expand5(v & 31);
        }
        break;
    case PIXFMT_RGB555:
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v = src[2 * x] | (uint32_t)src[2 * x + 1] << 8;
            dst[x] = expand5((v >> 10) & 31) << 16 | expand5((v >> 5) & 31) << 8 | expand5(v & 31);
        }
        break;
    case PIXFMT_PAL8:
        for (uint32_t x = 0; x < w; x++)
            dst[x] = pal ? pal[src[x]] & 0xffffff : (uint32_t)src[x] * 0x010101u;
        break;
    }
}

void console_update(console *c, const gfx_surface *s, uint32_t y0, uint32_t y1)
{
    if (!s->width || !s->height || s->width > MAX_DIM || s->height > MAX_DIM) {
        console_blank(c);
        return;
    }
    resize(c, s->width, s->height);
    if (y1 > s->height)
        y1 = s->height;
    if (c->line_cap < s->width) {
        free(c->line);
        c->line = malloc((size_t)s->width * 4);
        if (!c->line)
            fatal("out of memory");
        c->line_cap = s->width;
    }
    /* only lines that really changed count: devices report pages and flushes, which
     * often hold lines drawn the same again, and an unchanged picture costs the front
     * end nothing */
    for (uint32_t y = y0; y < y1; y++) {
        uint32_t *dst = c->pixels + (size_t)y * c->width;
        convert_line(c->line, s->data + (size_t)y * s->stride, s->width, s->fmt, s->palette);
        if (memcmp(dst, c->line, (size_t)s->width * 4)) {
            memcpy(dst, c->line, (size_t)s->width * 4);
            mark_dirty(c, y, y + 1);
        }
    }
}

void console_blank(console *c)
{
    /* only a change of picture counts: an idle disabled display stays idle */
    bool black = true;
    for (size_t i = 0, n = (size_t)c->width * c->height; i < n && black; i++)
        black = c->pixels[i] == 0;
    if (black)
        return;
    memset(c->pixels, 0, (size_t)c->width * c->height * 4);
    mark_dirty(c, 0, c->height);
}

void console_set_cursor(console *c, const uint32_t *argb, uint32_t w, uint32_t h, uint32_t hx, uint32_t hy)
{
    free(c->cursor);
    c->cursor = NULL;
    if (argb && w && h && w <= 256 && h <= 256) {
        c->cursor = malloc((size_t)w * h * 4);
        if (!c->cursor)
            fatal("out of memory");
        memcpy(c->cursor, argb, (size_t)w * h * 4);
        c->cursor_w = w;
        c->cursor_h = h;
        c->cursor_hx = hx < w ? hx : 0;
        c->cursor_hy = hy < h ? hy : 0;
    }
    c->cursor_changed = true;
}

void console_move_cursor(console *c, int x, int y)
{
    if (x != c->cursor_x || y != c->cursor_y)
        c->cursor_changed = true;
    c->cursor_x = x;
    c->cursor_y = y;
}

void console_refresh(console *c, bool full, console_view *v)
{
    big_lock();
    if (c->ops && c->ops->refresh)
        c->ops->refresh(c->opaque, c, full);
    v->width = c->width;
    v->height = c->height;
    v->pixels = c->pixels;
    v->dirty_y0 = c->dirty_y0;
    v->dirty_y1 = c->dirty_y1;
    if (full) {
        v->dirty_y0 = 0;
        v->dirty_y1 = c->height;
    }
    v->resized = c->resized;
    v->cursor = c->cursor;
    v->cursor_w = c->cursor_w;
    v->cursor_h = c->cursor_h;
    v->cursor_hx = c->cursor_hx;
    v->cursor_hy = c->cursor_hy;
    v->cursor_x = c->cursor_x;
    v->cursor_y = c->cursor_y;
    v->cursor_changed = c->cursor_changed;
    c->dirty_y0 = c->dirty_y1 = 0;
    c->resized = false;
    c->cursor_changed = false;
    big_unlock();
}

int console_find(const char *device)
{
    for (unsigned i = 0; i < nconsoles; i++)
        if (!strcmp(consoles[i]->name, device))
            return (int)i;
    return -1;
}

/* ---- screendump ---- */

static bool write_ppm(FILE *f, const console_view *v)
{
    if (fprintf(f, "P6\n%u %u\n255\n", v->width, v->height) < 0)
        return false;
    uint8_t *line = malloc((size_t)v->width * 3);
    if (!line)
        fatal("out of memory");
    bool ok = true;
    for (uint32_t y = 0; y < v->height && ok; y++) {
        const uint32_t *p = v->pixels + (size_t)y * v->width;
        for (uint32_t x = 0; x < v->width; x++) {
            line[3 * x] = (uint8_t)(p[x] >> 16);
            line[3 * x + 1] = (uint8_t)(p[x] >> 8);
            line[3 * x + 2] = (uint8_t)p[x];
        }
        ok = fwrite(line, 3, v->width, f) == v->width;
    }
    free(line);
    return ok;
}

#ifdef CONFIG_PNG
static bool write_png(FILE *f, const console_view *v, char *err, size_t errsize)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *line = malloc((size_t)v->width * 3);
    if (!png || !info || !line) {
        png_destroy_write_struct(&png, &info);
        free(line);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(line);
        snprintf(err, errsize, "libpng could not write the image");
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, v->width, v->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < v->height; y++) {
        const uint32_t *p = v->pixels + (size_t)y * v->width;
        for (uint32_t x = 0; x < v->width; x++) {
            line[3 * x] = (uint8_t)(p[x] >> 16);
            line[3 * x + 1] = (uint8_t)(p[x] >> 8);
            line[3 * x + 2] = (uint8_t)p[x];
        }
        png_write_row(png, line);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(line);
    return true;
}
#endif

bool console_screendump(int index, const char *path, const char *format, char *err, size_t errsize)
{
    bool png = false;
    if (format && !strcmp(format, "png")) {
#ifndef CONFIG_PNG
        snprintf(err, errsize, "this tern was built without libpng: only format ppm");
        return false;
#endif
        png = true;
    } else if (format && strcmp(format, "ppm")) {
        snprintf(err, errsize, "format '%s' is not supported (ppm, png)", format);
        return false;
    }
    console *c = console_get(index < 0 ? 0 : (unsigned)index);
    if (!c) {
        snprintf(err, errsize, nconsoles ? "there is no console %d" : "There is no console to take a screendump from.", index);
        return false;
    }
    /* a full refresh: the picture as the device has it now, whatever the window saw */
    console_view v;
    console_refresh(c, true, &v);
    /* the window still has to redraw what changed: a full refresh took it in */
    c->dirty_y0 = 0;
    c->dirty_y1 = c->height;
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
        snprintf(err, errsize, "%s: name too long", path);
        return false;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    bool ok;
    err[0] = 0;
#ifdef CONFIG_PNG
    ok = png ? write_png(f, &v, err, errsize) : write_ppm(f, &v);
#else
    (void)png;
    ok = write_ppm(f, &v);
#endif
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        if (!err[0])
            snprintf(err, errsize, "%s: %s", path, strerror(e));
    }
    return ok;
}
