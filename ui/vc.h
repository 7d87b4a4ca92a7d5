/*
 * Text consoles (QEMU's "vc" chardev backend): -serial vc, -monitor vc and -chardev
 * vc,id=X each make a console the window can show (Ctrl-Alt-N), with a terminal
 * emulator (a VT100/ANSI subset: enough for the human monitor, a busybox shell and
 * Linux's serial output) drawing it with the console font (ui/font.h).
 *
 * The chardev and its console talk through a socket pair: the chardev writes what
 * the guest or the monitor sends into one end, as to any socket backend, and the
 * console reads the other end in the main loop; keys typed in the window go back the
 * same way. A vCPU that writes never waits on the window.
 */
#ifndef TERN_UI_VC_H
#define TERN_UI_VC_H

#include "core/chardev.h"
#include "ui/font.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default size, in characters. */
#define VC_DEFAULT_COLS 80
#define VC_DEFAULT_ROWS 24

/* A chardev on a new text console named `label`. size_spec: NULL (80x24 characters),
 * "COLSCxROWSC" in characters or "WxH" in pixels, as QEMU's vc:SIZE. Big lock held. */
chardev *vc_chardev_open(const char *label, const char *size_spec, char *err, size_t errsize);

/* QEMU's vc:SIZE: each of "W" or "COLSC", 'x', "H" or "ROWSC". Pixel sizes go in
 * *width / *height, character counts in *cols / *rows; what is not given stays 0. */
bool vc_parse_size(const char *spec, unsigned *cols, unsigned *rows, unsigned *width, unsigned *height,
                   char *err, size_t errsize);

/* For the chardev backend (core/chardev_open.c): a new text console named `label`,
 * reading and writing `fd` (which it owns from now on, success or not). Size in
 * characters, else in pixels, else the default; 0 means not given. */
bool vc_open_fd(const char *label, unsigned cols, unsigned rows, unsigned width, unsigned height, int fd,
                char *err, size_t errsize);

/* ---- the terminal emulator itself (also for the unit tests) ---- */

typedef struct vc_term vc_term;

enum { VC_ATTR_BOLD = 1, VC_ATTR_UNDERLINE = 2, VC_ATTR_REVERSE = 4 };
/* the default colours, as indexes into the 256-colour palette */
enum { VC_DEFAULT_FG = 7, VC_DEFAULT_BG = 0 };

typedef struct vc_cell {
    uint32_t ch;                /* a Unicode character */
    uint8_t fg, bg;             /* palette indexes */
    uint8_t attr;               /* VC_ATTR_* */
} vc_cell;

vc_term *vc_term_new(unsigned cols, unsigned rows, const font *f);
void vc_term_free(vc_term *t);
/* Where the terminal's answers go (cursor position and device status reports): the
 * same path as keys typed. */
void vc_term_set_reply(vc_term *t, void (*reply)(void *opaque, const uint8_t *buf, size_t n), void *opaque);
/* Bytes from the guest or the monitor. */
void vc_term_feed(vc_term *t, const uint8_t *buf, size_t n);

unsigned vc_term_cols(const vc_term *t);
unsigned vc_term_rows(const vc_term *t);
/* A cell of the live screen (not the scrollback view). */
const vc_cell *vc_term_cell(const vc_term *t, unsigned col, unsigned row);
void vc_term_cursor(const vc_term *t, unsigned *col, unsigned *row, bool *visible);
/* 0x00RRGGBB of palette entry i (0-15: the ANSI colours, then xterm's cube and greys). */
uint32_t vc_palette(unsigned i);

/* Scrollback: show `delta` more lines of history (negative: fewer). 0 lines back is the
 * live screen; typing goes back there. */
void vc_term_scroll_view(vc_term *t, int delta);
unsigned vc_term_view_offset(const vc_term *t);

/* Draw the rows changed since the last call (every row when `full`) into the picture,
 * cols * font width by rows * font height pixels of XRGB8888; [*y0, *y1) are the pixel
 * lines that changed (empty when nothing did). cursor_on: the blink phase shows the
 * cursor. The picture stays valid until the next call. */
const uint32_t *vc_term_render(vc_term *t, bool full, bool cursor_on, uint32_t *width, uint32_t *height,
                               uint32_t *y0, uint32_t *y1);

#endif
