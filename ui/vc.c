/*
 * Text consoles (see vc.h): a VT100/ANSI terminal emulator drawing into an XRGB8888
 * picture with the console font, and its console and socket-pair end in the main loop.
 *
 * What the terminal understands: UTF-8; CR, LF (down only, as a real terminal: Linux
 * and the monitor send CR LF), BS, TAB, BEL (ignored); ESC 7/8/D/E/M/c; CSI A-G, H/f,
 * J, K, L, M, P, @, X, S, T, d, m (SGR: bold, underline, reverse, 30-37/40-47/90-97/
 * 100-107, 38;5;N and 38;2;R;G;B), r (scrolling region), s/u, n (status and cursor
 * reports), c (device attributes) and ?25/?7 h/l. Other sequences are parsed and
 * ignored, so a program that uses them leaves no garbage behind.
 */
#include "ui/vc.h"
#include "ui/console.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/main_loop.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PARAMS 16
#define MAX_COLS 1024
#define MAX_ROWS 512
#define HISTORY_LINES 1000
#define BLINK_NS 500000000ull     /* the cursor's half period, as the Linux console's */

enum parse_state {
    S_NORMAL,
    S_ESC,
    S_CSI,
    S_STRING,       /* OSC, DCS, APC, PM, SOS: skipped up to BEL or ST */
    S_STRING_ESC,   /* ESC inside a string: '\' ends it */
    S_SKIP_ONE,     /* ESC ( X, ESC # X: one byte more to skip */
};

struct vc_term {
    unsigned cols, rows;
    const font *font;
    vc_cell *screen;            /* rows * cols */
    /* scrollback: a ring of lines that went off the top */
    vc_cell *hist;
    unsigned hist_count, hist_head;     /* head: where the next line goes */
    unsigned view_off;          /* lines back from the live screen being shown */
    /* cursor and the attributes of what is written next */
    unsigned x, y;
    bool wrap_pending;          /* the last column was written: the next character wraps */
    bool cursor_visible, autowrap;
    uint8_t fg, bg, attr;
    unsigned top, bottom;       /* scrolling region, inclusive */
    struct { unsigned x, y; uint8_t fg, bg, attr; bool wrap_pending; } saved;
    /* parser */
    enum parse_state state;
    int params[MAX_PARAMS];
    unsigned nparams;
    char priv;                  /* '?', '>', '=' or '<' right after CSI, else 0 */
    bool intermediate;          /* a byte 0x20-0x2f in the CSI: not a sequence we know */
    uint32_t utf8_ch;
    unsigned utf8_left;
    /* drawing */
    bool *dirty;                /* per screen row */
    bool any_dirty;
    uint32_t *pixels;
    uint32_t pw, ph;
    unsigned drawn_cx, drawn_cy;
    bool drawn_cursor;
    void (*reply)(void *opaque, const uint8_t *buf, size_t n);
    void *reply_opaque;
};

/* ---- colours ---- */

uint32_t vc_palette(unsigned i)
{
    /* the VGA text-mode colours the Linux console uses */
    static const uint32_t ansi[16] = {
        0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
        0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
    };
    if (i < 16)
        return ansi[i];
    if (i < 232) {
        static const uint8_t level[6] = { 0, 95, 135, 175, 215, 255 };
        i -= 16;
        return (uint32_t)level[i / 36] << 16 | (uint32_t)level[i / 6 % 6] << 8 | level[i % 6];
    }
    if (i < 256) {
        uint32_t g = 8 + 10 * (i - 232);
        return g << 16 | g << 8 | g;
    }
    return ansi[7];
}

/* The nearest palette entry to an RGB colour (SGR 38;2;R;G;B): the 6x6x6 cube. */
static uint8_t nearest_colour(int r, int g, int b)
{
    int c[3] = { r, g, b };
    int idx[3];
    for (int k = 0; k < 3; k++) {
        int v = c[k] < 0 ? 0 : c[k] > 255 ? 255 : c[k];
        idx[k] = v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
    }
    return (uint8_t)(16 + 36 * idx[0] + 6 * idx[1] + idx[2]);
}

/* ---- the screen ---- */

static vc_cell blank_cell(const vc_term *t)
{
    /* erasing fills with the current background, as xterm and the Linux console do */
    return (vc_cell){ ' ', VC_DEFAULT_FG, t->bg, 0 };
}

static void mark_row(vc_term *t, unsigned y)
{
    if (y < t->rows) {
        t->dirty[y] = true;
        t->any_dirty = true;
    }
}

static void mark_rows(vc_term *t, unsigned y0, unsigned y1)
{
    for (unsigned y = y0; y <= y1 && y < t->rows; y++)
        t->dirty[y] = true;
    t->any_dirty = true;
}

static vc_cell *row_at(vc_term *t, unsigned y) { return t->screen + (size_t)y * t->cols; }

static void fill(vc_term *t, unsigned y, unsigned x0, unsigned x1)
{
    vc_cell b = blank_cell(t);
    vc_cell *r = row_at(t, y);
    for (unsigned x = x0; x < x1 && x < t->cols; x++)
        r[x] = b;
    mark_row(t, y);
}

static void push_history(vc_term *t, const vc_cell *line)
{
    memcpy(t->hist + (size_t)t->hist_head * t->cols, line, t->cols * sizeof(vc_cell));
    t->hist_head = (t->hist_head + 1) % HISTORY_LINES;
    if (t->hist_count < HISTORY_LINES)
        t->hist_count++;
    /* scrolled back: what is being looked at stays still (until it is the oldest) */
    if (t->view_off && t->view_off < t->hist_count)
        t->view_off++;
}

/* Scroll rows [top, bottom] up by n; lines leaving the top of the whole screen go to
 * the scrollback. */
static void scroll_up(vc_term *t, unsigned top, unsigned bottom, unsigned n)
{
    unsigned height = bottom - top + 1;
    if (n > height)
        n = height;
    if (top == 0)
        for (unsigned i = 0; i < n; i++)
            push_history(t, row_at(t, i));
    memmove(row_at(t, top), row_at(t, top + n), (size_t)(height - n) * t->cols * sizeof(vc_cell));
    for (unsigned y = bottom + 1 - n; y <= bottom; y++)
        fill(t, y, 0, t->cols);
    mark_rows(t, top, bottom);
}

static void scroll_down(vc_term *t, unsigned top, unsigned bottom, unsigned n)
{
    unsigned height = bottom - top + 1;
    if (n > height)
        n = height;
    memmove(row_at(t, top + n), row_at(t, top), (size_t)(height - n) * t->cols * sizeof(vc_cell));
    for (unsigned y = top; y < top + n; y++)
        fill(t, y, 0, t->cols);
    mark_rows(t, top, bottom);
}

static void line_feed(vc_term *t)
{
    t->wrap_pending = false;
    if (t->y == t->bottom)
        scroll_up(t, t->top, t->bottom, 1);
    else if (t->y + 1 < t->rows)
        t->y++;
}

static void reverse_index(vc_term *t)
{
    t->wrap_pending = false;
    if (t->y == t->top)
        scroll_down(t, t->top, t->bottom, 1);
    else if (t->y > 0)
        t->y--;
}

static void move_to(vc_term *t, int x, int y)
{
    t->x = x < 0 ? 0 : (unsigned)x >= t->cols ? t->cols - 1 : (unsigned)x;
    t->y = y < 0 ? 0 : (unsigned)y >= t->rows ? t->rows - 1 : (unsigned)y;
    t->wrap_pending = false;
}

static void put_char(vc_term *t, uint32_t ch)
{
    if (t->wrap_pending) {
        t->x = 0;
        line_feed(t);
    }
    row_at(t, t->y)[t->x] = (vc_cell){ ch, t->fg, t->bg, t->attr };
    mark_row(t, t->y);
    if (t->x + 1 < t->cols)
        t->x++;
    else
        t->wrap_pending = t->autowrap;
}

static void reset_attrs(vc_term *t)
{
    t->fg = VC_DEFAULT_FG;
    t->bg = VC_DEFAULT_BG;
    t->attr = 0;
}

static void full_reset(vc_term *t)
{
    reset_attrs(t);
    t->x = t->y = 0;
    t->wrap_pending = false;
    t->cursor_visible = true;
    t->autowrap = true;
    t->top = 0;
    t->bottom = t->rows - 1;
    t->saved.x = t->saved.y = 0;
    t->saved.fg = VC_DEFAULT_FG;
    t->saved.bg = VC_DEFAULT_BG;
    t->saved.attr = 0;
    t->saved.wrap_pending = false;
    t->state = S_NORMAL;
    t->utf8_left = 0;
    for (unsigned y = 0; y < t->rows; y++)
        fill(t, y, 0, t->cols);
}

static void reply(vc_term *t, const char *s)
{
    if (t->reply)
        t->reply(t->reply_opaque, (const uint8_t *)s, strlen(s));
}

/* ---- escape sequences ---- */

static int param(const vc_term *t, unsigned i, int def)
{
    return i < t->nparams && t->params[i] > 0 ? t->params[i] : def;
}

static void sgr(vc_term *t)
{
    if (!t->nparams) {
        reset_attrs(t);
        return;
    }
    for (unsigned i = 0; i < t->nparams; i++) {
        int p = t->params[i];
        if (p == 0) {
            reset_attrs(t);
        } else if (p == 1) {
            t->attr |= VC_ATTR_BOLD;
        } else if (p == 4) {
            t->attr |= VC_ATTR_UNDERLINE;
        } else if (p == 7) {
            t->attr |= VC_ATTR_REVERSE;
        } else if (p == 22) {
            t->attr &= (uint8_t)~VC_ATTR_BOLD;
        } else if (p == 24) {
            t->attr &= (uint8_t)~VC_ATTR_UNDERLINE;
        } else if (p == 27) {
            t->attr &= (uint8_t)~VC_ATTR_REVERSE;
        } else if (p >= 30 && p <= 37) {
            t->fg = (uint8_t)(p - 30);
        } else if (p == 39) {
            t->fg = VC_DEFAULT_FG;
        } else if (p >= 40 && p <= 47) {
            t->bg = (uint8_t)(p - 40);
        } else if (p == 49) {
            t->bg = VC_DEFAULT_BG;
        } else if (p >= 90 && p <= 97) {
            t->fg = (uint8_t)(p - 90 + 8);
        } else if (p >= 100 && p <= 107) {
            t->bg = (uint8_t)(p - 100 + 8);
        } else if (p == 38 || p == 48) {
            /* 38;5;N (256 colours) or 38;2;R;G;B (true colour, to the nearest) */
            uint8_t *dst = p == 38 ? &t->fg : &t->bg;
            if (i + 2 < t->nparams && t->params[i + 1] == 5) {
                *dst = (uint8_t)(t->params[i + 2] & 0xff);
                i += 2;
            } else if (i + 4 < t->nparams && t->params[i + 1] == 2) {
                *dst = nearest_colour(t->params[i + 2], t->params[i + 3], t->params[i + 4]);
                i += 4;
            } else {
                return;         /* malformed: the rest cannot be told apart */
            }
        }
        /* others (italic, blink, conceal, fonts) are not drawn */
    }
}

static void erase_display(vc_term *t, int mode)
{
    switch (mode) {
    case 0:
        fill(t, t->y, t->x, t->cols);
        for (unsigned y = t->y + 1; y < t->rows; y++)
            fill(t, y, 0, t->cols);
        break;
    case 1:
        for (unsigned y = 0; y < t->y; y++)
            fill(t, y, 0, t->cols);
        fill(t, t->y, 0, t->x + 1);
        break;
    case 3:
        /* xterm's "erase saved lines": the scrollback goes too */
        t->hist_count = 0;
        t->view_off = 0;
        /* fall through */
    case 2:
        for (unsigned y = 0; y < t->rows; y++)
            fill(t, y, 0, t->cols);
        break;
    }
}

static void erase_line(vc_term *t, int mode)
{
    if (mode == 0)
        fill(t, t->y, t->x, t->cols);
    else if (mode == 1)
        fill(t, t->y, 0, t->x + 1);
    else if (mode == 2)
        fill(t, t->y, 0, t->cols);
}

static void insert_chars(vc_term *t, unsigned n)
{
    vc_cell *r = row_at(t, t->y);
    if (n > t->cols - t->x)
        n = t->cols - t->x;
    memmove(r + t->x + n, r + t->x, (t->cols - t->x - n) * sizeof(vc_cell));
    fill(t, t->y, t->x, t->x + n);
}

static void delete_chars(vc_term *t, unsigned n)
{
    vc_cell *r = row_at(t, t->y);
    if (n > t->cols - t->x)
        n = t->cols - t->x;
    memmove(r + t->x, r + t->x + n, (t->cols - t->x - n) * sizeof(vc_cell));
    fill(t, t->y, t->cols - n, t->cols);
}

static void set_mode(vc_term *t, bool on)
{
    if (t->priv != '?')
        return;                 /* ANSI modes (insert, newline): not supported */
    for (unsigned i = 0; i < t->nparams; i++) {
        switch (t->params[i]) {
        case 7:
            t->autowrap = on;
            if (!on)
                t->wrap_pending = false;
            break;
        case 25:
            t->cursor_visible = on;
            mark_row(t, t->y);
            break;
        }
    }
}

static void save_cursor(vc_term *t)
{
    t->saved.x = t->x;
    t->saved.y = t->y;
    t->saved.fg = t->fg;
    t->saved.bg = t->bg;
    t->saved.attr = t->attr;
    t->saved.wrap_pending = t->wrap_pending;
}

static void restore_cursor(vc_term *t)
{
    move_to(t, (int)t->saved.x, (int)t->saved.y);
    t->fg = t->saved.fg;
    t->bg = t->saved.bg;
    t->attr = t->saved.attr;
    t->wrap_pending = t->saved.wrap_pending;
}

static void csi_dispatch(vc_term *t, uint8_t final)
{
    if (t->intermediate)
        return;
    int n = param(t, 0, 1);
    int x = (int)t->x, y = (int)t->y;
    if (t->priv && final != 'h' && final != 'l' && final != 'c')
        return;                 /* private sequences we do not know (?1049 etc. are h/l) */
    switch (final) {
    case 'A':
        /* up and down stop at the scrolling region's edge when inside it */
        move_to(t, x, y >= (int)t->top && y - n < (int)t->top ? (int)t->top : y - n);
        break;
    case 'B':
        move_to(t, x, y <= (int)t->bottom && y + n > (int)t->bottom ? (int)t->bottom : y + n);
        break;
    case 'C':
        move_to(t, x + n, y);
        break;
    case 'D':
        move_to(t, x - n, y);
        break;
    case 'E':
        move_to(t, 0, y + n);
        break;
    case 'F':
        move_to(t, 0, y - n);
        break;
    case 'G':
    case '`':
        move_to(t, n - 1, y);
        break;
    case 'd':
        move_to(t, x, n - 1);
        break;
    case 'H':
    case 'f':
        move_to(t, param(t, 1, 1) - 1, n - 1);
        break;
    case 'J':
        erase_display(t, param(t, 0, 0));
        break;
    case 'K':
        erase_line(t, param(t, 0, 0));
        break;
    case 'L':
        if (t->y >= t->top && t->y <= t->bottom)
            scroll_down(t, t->y, t->bottom, (unsigned)n);
        break;
    case 'M':
        if (t->y >= t->top && t->y <= t->bottom) {
            /* deleted lines are not history: keep the scrollback to what scrolled off */
            unsigned top = t->y, height = t->bottom - t->y + 1, k = (unsigned)n > height ? height : (unsigned)n;
            memmove(row_at(t, top), row_at(t, top + k), (size_t)(height - k) * t->cols * sizeof(vc_cell));
            for (unsigned r = t->bottom + 1 - k; r <= t->bottom; r++)
                fill(t, r, 0, t->cols);
            mark_rows(t, top, t->bottom);
        }
        break;
    case '@':
        insert_chars(t, (unsigned)n);
        break;
    case 'P':
        delete_chars(t, (unsigned)n);
        break;
    case 'X':
        fill(t, t->y, t->x, t->x + (unsigned)n);
        break;
    case 'S':
        scroll_up(t, t->top, t->bottom, (unsigned)n);
        break;
    case 'T':
        scroll_down(t, t->top, t->bottom, (unsigned)n);
        break;
    case 'm':
        sgr(t);
        break;
    case 'r': {
        int top = param(t, 0, 1) - 1, bottom = param(t, 1, (int)t->rows) - 1;
        if (bottom >= (int)t->rows)
            bottom = (int)t->rows - 1;
        if (top < bottom) {
            t->top = (unsigned)top;
            t->bottom = (unsigned)bottom;
            move_to(t, 0, 0);
        }
        break;
    }
    case 's':
        save_cursor(t);
        break;
    case 'u':
        restore_cursor(t);
        break;
    case 'n':
        if (param(t, 0, 0) == 5) {
            reply(t, "\033[0n");
        } else if (param(t, 0, 0) == 6) {
            char buf[32];
            snprintf(buf, sizeof(buf), "\033[%u;%uR", t->y + 1, t->x + 1);
            reply(t, buf);
        }
        break;
    case 'c':
        if (!t->priv && param(t, 0, 0) == 0)
            reply(t, "\033[?6c");       /* a VT102 */
        break;
    case 'h':
        set_mode(t, true);
        break;
    case 'l':
        set_mode(t, false);
        break;
    }
}

static void esc_dispatch(vc_term *t, uint8_t b)
{
    t->state = S_NORMAL;
    switch (b) {
    case '[':
        t->state = S_CSI;
        t->nparams = 0;
        t->priv = 0;
        t->intermediate = false;
        memset(t->params, 0, sizeof(t->params));
        break;
    case ']': case 'P': case 'X': case '^': case '_':
        t->state = S_STRING;
        break;
    case '(': case ')': case '*': case '+': case '-': case '.': case '/': case '#': case '%':
        t->state = S_SKIP_ONE;   /* character sets, DEC line sizes: not drawn */
        break;
    case '7':
        save_cursor(t);
        break;
    case '8':
        restore_cursor(t);
        break;
    case 'D':
        line_feed(t);
        break;
    case 'E':
        t->x = 0;
        line_feed(t);
        break;
    case 'M':
        reverse_index(t);
        break;
    case 'c':
        full_reset(t);
        break;
    }
}

/* C0 controls act anywhere, even inside an escape sequence, as on a VT100. */
static bool control(vc_term *t, uint8_t b)
{
    switch (b) {
    case '\r':
        t->x = 0;
        t->wrap_pending = false;
        return true;
    case '\n': case '\v': case '\f':
        line_feed(t);
        return true;
    case '\b':
        if (t->x > 0 && !t->wrap_pending)
            t->x--;
        t->wrap_pending = false;
        return true;
    case '\t': {
        unsigned nx = (t->x / 8 + 1) * 8;
        t->x = nx < t->cols ? nx : t->cols - 1;
        t->wrap_pending = false;
        return true;
    }
    case 0x18: case 0x1a:        /* CAN, SUB: abandon the sequence */
        t->state = S_NORMAL;
        return true;
    case 0x1b:
        t->state = S_ESC;
        return true;
    }
    return b < 0x20 || b == 0x7f;  /* BEL, SO, SI, NUL, DEL...: nothing to draw */
}

static void feed_byte(vc_term *t, uint8_t b)
{
    switch (t->state) {
    case S_STRING:
        if (b == 0x07)
            t->state = S_NORMAL;
        else if (b == 0x1b)
            t->state = S_STRING_ESC;
        return;
    case S_STRING_ESC:
        /* ESC \ ends the string; any other ESC starts a new sequence */
        if (b == '\\')
            t->state = S_NORMAL;
        else
            esc_dispatch(t, b);
        return;
    case S_SKIP_ONE:
        t->state = S_NORMAL;
        return;
    default:
        break;
    }
    if (b < 0x80 && t->utf8_left) {
        /* a character cut short */
        t->utf8_left = 0;
        if (t->state == S_NORMAL)
            put_char(t, 0xfffd);
    }
    if (control(t, b))
        return;
    switch (t->state) {
    case S_ESC:
        esc_dispatch(t, b);
        return;
    case S_CSI:
        if (b >= '0' && b <= '9') {
            if (!t->nparams)
                t->nparams = 1;
            int *p = &t->params[t->nparams - 1];
            if (*p < 100000)
                *p = *p * 10 + (b - '0');
        } else if (b == ';' || b == ':') {
            if (!t->nparams)
                t->nparams = 1;
            if (t->nparams < MAX_PARAMS)
                t->nparams++;
        } else if (b >= '<' && b <= '?') {
            t->priv = (char)b;
        } else if (b >= 0x20 && b <= 0x2f) {
            t->intermediate = true;
        } else if (b >= 0x40 && b <= 0x7e) {
            t->state = S_NORMAL;
            csi_dispatch(t, b);
        } else {
            t->state = S_NORMAL;    /* not a sequence: give up on it */
        }
        return;
    default:
        break;
    }
    /* S_NORMAL: text, in UTF-8 */
    if (b < 0x80) {
        put_char(t, b);
    } else if ((b & 0xc0) == 0x80) {
        if (!t->utf8_left) {
            put_char(t, 0xfffd);
            return;
        }
        t->utf8_ch = t->utf8_ch << 6 | (b & 0x3f);
        if (--t->utf8_left == 0) {
            uint32_t ch = t->utf8_ch;
            /* C1 controls have no picture */
            if (ch >= 0x80 && ch < 0xa0)
                return;
            put_char(t, ch);
        }
    } else {
        if (t->utf8_left)
            put_char(t, 0xfffd);
        if ((b & 0xe0) == 0xc0) {
            t->utf8_ch = b & 0x1f;
            t->utf8_left = 1;
        } else if ((b & 0xf0) == 0xe0) {
            t->utf8_ch = b & 0x0f;
            t->utf8_left = 2;
        } else if ((b & 0xf8) == 0xf0) {
            t->utf8_ch = b & 0x07;
            t->utf8_left = 3;
        } else {
            t->utf8_left = 0;
            put_char(t, 0xfffd);
        }
    }
}

void vc_term_feed(vc_term *t, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        feed_byte(t, buf[i]);
}

/* ---- the terminal's life ---- */

vc_term *vc_term_new(unsigned cols, unsigned rows, const font *f)
{
    vc_term *t = calloc(1, sizeof(*t));
    if (!t)
        fatal("out of memory");
    t->cols = cols < 1 ? 1 : cols > MAX_COLS ? MAX_COLS : cols;
    t->rows = rows < 1 ? 1 : rows > MAX_ROWS ? MAX_ROWS : rows;
    t->font = f;
    t->screen = calloc((size_t)t->cols * t->rows, sizeof(vc_cell));
    t->hist = calloc((size_t)t->cols * HISTORY_LINES, sizeof(vc_cell));
    t->dirty = calloc(t->rows, sizeof(bool));
    t->pw = t->cols * f->width;
    t->ph = t->rows * f->height;
    t->pixels = calloc((size_t)t->pw * t->ph, sizeof(uint32_t));
    if (!t->screen || !t->hist || !t->dirty || !t->pixels)
        fatal("out of memory");
    full_reset(t);
    return t;
}

void vc_term_free(vc_term *t)
{
    if (!t)
        return;
    free(t->screen);
    free(t->hist);
    free(t->dirty);
    free(t->pixels);
    free(t);
}

void vc_term_set_reply(vc_term *t, void (*fn)(void *, const uint8_t *, size_t), void *opaque)
{
    t->reply = fn;
    t->reply_opaque = opaque;
}

unsigned vc_term_cols(const vc_term *t) { return t->cols; }
unsigned vc_term_rows(const vc_term *t) { return t->rows; }

const vc_cell *vc_term_cell(const vc_term *t, unsigned col, unsigned row)
{
    if (col >= t->cols || row >= t->rows)
        return NULL;
    return t->screen + (size_t)row * t->cols + col;
}

void vc_term_cursor(const vc_term *t, unsigned *col, unsigned *row, bool *visible)
{
    *col = t->x;
    *row = t->y;
    *visible = t->cursor_visible;
}

void vc_term_scroll_view(vc_term *t, int delta)
{
    long off = (long)t->view_off + delta;
    if (off < 0)
        off = 0;
    if (off > (long)t->hist_count)
        off = (long)t->hist_count;
    if ((unsigned)off != t->view_off) {
        t->view_off = (unsigned)off;
        mark_rows(t, 0, t->rows - 1);
    }
}

unsigned vc_term_view_offset(const vc_term *t) { return t->view_off; }

/* ---- drawing ---- */

/* Line y of what is shown: the scrollback above the live screen when scrolled back. */
static const vc_cell *shown_row(const vc_term *t, unsigned y)
{
    if (y >= t->view_off)
        return t->screen + (size_t)(y - t->view_off) * t->cols;
    unsigned back = t->view_off - y;        /* 1: the newest history line */
    unsigned idx = (t->hist_head + HISTORY_LINES - back) % HISTORY_LINES;
    return t->hist + (size_t)idx * t->cols;
}

static void draw_cell(vc_term *t, unsigned cx, unsigned cy, const vc_cell *c, bool cursor)
{
    const font *f = t->font;
    uint8_t fgi = c->fg;
    if ((c->attr & VC_ATTR_BOLD) && fgi < 8)
        fgi += 8;               /* bold as the bright colour, as the Linux console */
    uint32_t fg = vc_palette(fgi), bg = vc_palette(c->bg);
    if (!!(c->attr & VC_ATTR_REVERSE) != cursor) {
        uint32_t tmp = fg;
        fg = bg;
        bg = tmp;
    }
    const uint8_t *bits = font_bitmap(f, font_glyph(f, c->ch));
    uint32_t *dst = t->pixels + (size_t)cy * f->height * t->pw + (size_t)cx * f->width;
    for (unsigned gy = 0; gy < f->height; gy++, dst += t->pw, bits += f->row_bytes) {
        if ((c->attr & VC_ATTR_UNDERLINE) && gy == f->height - 1) {
            for (unsigned gx = 0; gx < f->width; gx++)
                dst[gx] = fg;
            continue;
        }
        for (unsigned gx = 0; gx < f->width; gx++)
            dst[gx] = bits[gx >> 3] & (0x80 >> (gx & 7)) ? fg : bg;
    }
}

const uint32_t *vc_term_render(vc_term *t, bool full, bool cursor_on, uint32_t *width, uint32_t *height,
                               uint32_t *y0, uint32_t *y1)
{
    bool show = cursor_on && t->cursor_visible && t->view_off == 0;
    /* where the cursor was drawn and where it goes now both need drawing */
    if (show != t->drawn_cursor || t->x != t->drawn_cx || t->y != t->drawn_cy) {
        if (t->drawn_cursor)
            mark_row(t, t->drawn_cy);
        if (show)
            mark_row(t, t->y);
    }
    if (t->view_off && t->any_dirty)
        full = true;            /* scrolled back: any change moves every shown line */
    *width = t->pw;
    *height = t->ph;
    *y0 = *y1 = 0;
    if (!full && !t->any_dirty)
        return t->pixels;
    unsigned first = t->rows, last = 0;
    for (unsigned y = 0; y < t->rows; y++) {
        if (!full && !t->dirty[y])
            continue;
        t->dirty[y] = false;
        const vc_cell *r = shown_row(t, y);
        for (unsigned x = 0; x < t->cols; x++)
            draw_cell(t, x, y, &r[x], show && y == t->y && x == t->x);
        if (y < first)
            first = y;
        last = y;
    }
    t->any_dirty = false;
    t->drawn_cursor = show;
    t->drawn_cx = t->x;
    t->drawn_cy = t->y;
    if (first <= last) {
        *y0 = first * t->font->height;
        *y1 = (last + 1) * t->font->height;
    }
    return t->pixels;
}

/* ---- the text console: a terminal on a console and a socket-pair end ---- */

typedef struct vc {
    vc_term *t;
    console *con;
    int fd;                     /* our end of the pair; the chardev has the other */
    io_watch *watch;
    bool need_full;             /* the console's picture is not ours yet */
    uint64_t blink_epoch;       /* when the cursor last moved: it shows for a while */
    unsigned last_cx, last_cy;
} vc;

/* Bytes for the chardev's input: typed keys and the terminal's answers. The pair's
 * buffer is far larger than anyone types, and the chardev end is always read, so a
 * short write only happens with no one reading at all: then the bytes are dropped. */
static void to_chardev(void *opaque, const uint8_t *buf, size_t n)
{
    vc *v = opaque;
    while (n) {
        ssize_t w = send(v->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

static void vc_on_io(void *opaque, short revents)
{
    vc *v = opaque;
    uint8_t buf[4096];
    /* a bounded amount per call, so a guest printing without pause cannot keep the
     * main loop from its timers (the window's refresh among them) */
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(v->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            vc_term_feed(v->t, buf, (size_t)n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        /* the chardev end was closed: nothing more will come */
        io_watch_remove(v->watch);
        v->watch = NULL;
        return;
    }
}

static void vc_refresh(void *opaque, console *c, bool full)
{
    vc *v = opaque;
    uint64_t now = host_clock_ns();
    unsigned cx, cy;
    bool visible;
    vc_term_cursor(v->t, &cx, &cy, &visible);
    if (cx != v->last_cx || cy != v->last_cy || !v->blink_epoch) {
        /* a cursor on the move stays lit: it blinks only while it waits */
        v->blink_epoch = now;
        v->last_cx = cx;
        v->last_cy = cy;
    }
    bool on = (now - v->blink_epoch) / BLINK_NS % 2 == 0;
    uint32_t w, h, y0, y1;
    const uint32_t *px = vc_term_render(v->t, full || v->need_full, on, &w, &h, &y0, &y1);
    if (v->need_full) {
        /* the first picture replaces the console's placeholder, of another size */
        y0 = 0;
        y1 = h;
        v->need_full = false;
    }
    if (y0 < y1) {
        gfx_surface s = { .width = w, .height = h, .stride = w * 4, .fmt = PIXFMT_XRGB8888,
                          .data = (const uint8_t *)px };
        console_update(c, &s, y0, y1);
    }
}

static bool bytes_are(const uint8_t *b, size_t n, const char *s)
{
    return n == strlen(s) && !memcmp(b, s, n);
}

static void vc_text_input(void *opaque, const uint8_t *bytes, size_t n)
{
    vc *v = opaque;
    unsigned page = vc_term_rows(v->t) / 2;
    /* Shift-PageUp/PageDown page through the scrollback, as on the Linux console */
    if (bytes_are(bytes, n, "\033[5;2~")) {
        vc_term_scroll_view(v->t, (int)page);
        return;
    }
    if (bytes_are(bytes, n, "\033[6;2~")) {
        vc_term_scroll_view(v->t, -(int)page);
        return;
    }
    vc_term_scroll_view(v->t, -(int)vc_term_view_offset(v->t));
    to_chardev(v, bytes, n);
}

static const console_ops vc_console_ops = {
    .refresh = vc_refresh,
    .text_input = vc_text_input,
};

bool vc_parse_size(const char *spec, unsigned *cols, unsigned *rows, unsigned *width, unsigned *height,
                   char *err, size_t errsize)
{
    *cols = *rows = *width = *height = 0;
    const char *p = spec;
    for (int dim = 0; dim < 2; dim++) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v == 0 || v > 65535)
            goto bad;
        p = end;
        bool chars = *p == 'C' || *p == 'c';
        if (chars)
            p++;
        if (dim == 0) {
            *(chars ? cols : width) = (unsigned)v;
            if (*p++ != 'x')
                goto bad;
        } else {
            *(chars ? rows : height) = (unsigned)v;
        }
    }
    if (*p)
        goto bad;
    return true;
bad:
    snprintf(err, errsize, "vc:%s: expected a size WxH in pixels or COLSCxROWSC in characters", spec);
    return false;
}

bool vc_open_fd(const char *label, unsigned cols, unsigned rows, unsigned width, unsigned height, int fd,
                char *err, size_t errsize)
{
    const font *f = font_default();
    if (!cols)
        cols = width ? width / f->width : VC_DEFAULT_COLS;
    if (!rows)
        rows = height ? height / f->height : VC_DEFAULT_ROWS;
    if (cols < 1 || rows < 1 || cols > MAX_COLS || rows > MAX_ROWS) {
        snprintf(err, errsize, "vc: %ux%u characters is not a size it can show (1x1 to %ux%u)", cols, rows,
                 MAX_COLS, MAX_ROWS);
        close(fd);
        return false;
    }
    vc *v = calloc(1, sizeof(*v));
    if (!v)
        fatal("out of memory");
    v->t = vc_term_new(cols, rows, f);
    v->fd = fd;
    v->need_full = true;
    vc_term_set_reply(v->t, to_chardev, v);
    v->con = console_new_text(label, &vc_console_ops, v);
    v->watch = io_watch_add(fd, POLLIN, vc_on_io, v);
    return true;
}

chardev *vc_chardev_open(const char *label, const char *size_spec, char *err, size_t errsize)
{
    char spec[128];
    if (size_spec && *size_spec)
        snprintf(spec, sizeof(spec), "vc:%s", size_spec);
    else
        snprintf(spec, sizeof(spec), "vc");
    return chardev_from_spec(spec, label, NULL, err, errsize);
}
