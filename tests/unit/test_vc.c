/*
 * Unit tests of the text consoles: the console fonts (PSF parsing, the Unicode table,
 * the built-in stand-in), the terminal emulator (text, wrapping, scrolling and the
 * scrollback, erasing, cursor motion, colours and attributes, UTF-8, reports, escape
 * sequences cut anywhere, the drawn pixels and the changed-line range), and a vc
 * chardev end to end through the main loop: output drawn on its console, keys typed
 * on the console arriving at the chardev's frontend.
 */
#include "ui/vc.h"
#include "ui/font.h"
#include "ui/console.h"
#include "core/chardev.h"
#include "core/clock.h"
#include "core/main_loop.h"
#include "core/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void feed(vc_term *t, const char *s)
{
    vc_term_feed(t, (const uint8_t *)s, strlen(s));
}

/* The characters of a screen row, as ASCII ('?' for the rest), trailing blanks cut. */
static const char *row_text(vc_term *t, unsigned row)
{
    static char buf[1100];
    unsigned n = vc_term_cols(t);
    for (unsigned x = 0; x < n; x++) {
        uint32_t ch = vc_term_cell(t, x, row)->ch;
        buf[x] = ch < 0x80 ? (char)ch : '?';
    }
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = 0;
    return buf;
}

static void cursor_at(vc_term *t, unsigned *x, unsigned *y)
{
    bool vis;
    vc_term_cursor(t, x, y, &vis);
}

static bool cursor_is(vc_term *t, unsigned x, unsigned y)
{
    unsigned cx, cy;
    cursor_at(t, &cx, &cy);
    if (cx != x || cy != y)
        printf("  (cursor at %u,%u, expected %u,%u)\n", cx, cy, x, y);
    return cx == x && cy == y;
}

/* ---- fonts ---- */

static void test_fonts(void)
{
    font *b = font_builtin();
    CHECK(b->width == 8 && b->height == 16 && b->builtin);
    const uint8_t *sp = font_bitmap(b, font_glyph(b, ' '));
    const uint8_t *box = font_bitmap(b, font_glyph(b, 'A'));
    bool blank = true;
    for (unsigned i = 0; i < b->glyph_bytes; i++)
        blank = blank && !sp[i];
    CHECK(blank);
    CHECK(box[2] == 0x7e && box[13] == 0x7e && box[7] == 0x42 && box[0] == 0);
    CHECK(font_glyph(b, 0x1f600) == font_glyph(b, 'Z'));     /* outside the BMP: the box */
    font_free(b);

    char err[256];
    CHECK(!font_load("/nonexistent/font.psf.gz", err, sizeof(err)) && strstr(err, "nonexistent"));

    /* a PSF2 font of our own making: 10x12, three glyphs, with a Unicode table */
    char path[] = "/tmp/tern-test-font-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    uint8_t hdr[32] = { 0x72, 0xb5, 0x4a, 0x86 };
    uint32_t fields[7] = { 0, 32, 1, 3, 2 * 12, 12, 10 };
    for (int i = 0; i < 7; i++)
        for (int k = 0; k < 4; k++)
            hdr[4 + 4 * i + k] = (uint8_t)(fields[i] >> (8 * k));
    uint8_t glyphs[3 * 24];
    memset(glyphs, 0, sizeof(glyphs));
    glyphs[24] = 0xff;                  /* glyph 1: its top row's first 8 pixels */
    glyphs[48 + 23] = 0xc0;             /* glyph 2: the bottom row's last two pixels */
    /* glyph 0: '?' and U+FFFD; glyph 1: 'a' then a sequence to skip; glyph 2: U+00E9 é */
    static const uint8_t table[] = { '?', 0xef, 0xbf, 0xbd, 0xff, 'a', 0xfe, 'b', 'c', 0xff, 0xc3, 0xa9, 0xff };
    CHECK(write(fd, hdr, sizeof(hdr)) == sizeof(hdr));
    CHECK(write(fd, glyphs, sizeof(glyphs)) == sizeof(glyphs));
    CHECK(write(fd, table, sizeof(table)) == sizeof(table));
    close(fd);
    font *f = font_load(path, err, sizeof(err));
    unlink(path);
    CHECK(f != NULL);
    if (f) {
        CHECK(f->width == 10 && f->height == 12 && f->nglyphs == 3 && f->row_bytes == 2);
        CHECK(font_glyph(f, 'a') == 1);
        CHECK(font_glyph(f, 0xe9) == 2);
        CHECK(font_glyph(f, 'b') == 0);         /* only in a sequence: not mapped, so the fallback */
        CHECK(font_glyph(f, 0x4e00) == 0);
        CHECK(font_bitmap(f, 1)[0] == 0xff);
        font_free(f);
    }

    /* Debian's font, when console-setup-linux is installed */
    f = font_load("/usr/share/consolefonts/Uni2-Fixed16.psf.gz", err, sizeof(err));
    if (!f) {
        printf("  (skipping the Uni2-Fixed16 checks: %s)\n", err);
        return;
    }
    CHECK(f->width == 8 && f->height == 16 && f->nglyphs == 512);
    unsigned ga = font_glyph(f, 'A');
    CHECK(ga != font_glyph(f, 'B') && ga != f->fallback);
    CHECK(font_glyph(f, 0x2500) != f->fallback);        /* box drawing ─ */
    CHECK(font_glyph(f, 0xe9) != font_glyph(f, 'e'));
    unsigned bits = 0;
    for (unsigned i = 0; i < f->glyph_bytes; i++)
        bits += (unsigned)__builtin_popcount(font_bitmap(f, ga)[i]);
    CHECK(bits > 10);
    font_free(f);
    CHECK(font_default() != NULL);
}

/* ---- the terminal ---- */

static void test_text(font *fnt)
{
    vc_term *t = vc_term_new(80, 24, fnt);
    CHECK(vc_term_cols(t) == 80 && vc_term_rows(t) == 24);
    CHECK(cursor_is(t, 0, 0));
    feed(t, "hello");
    CHECK(!strcmp(row_text(t, 0), "hello"));
    CHECK(cursor_is(t, 5, 0));
    feed(t, "\r\nworld");
    CHECK(!strcmp(row_text(t, 1), "world"));
    CHECK(cursor_is(t, 5, 1));
    /* LF alone goes down and keeps the column */
    feed(t, "\nX");
    CHECK(!strcmp(row_text(t, 2), "     X"));
    /* BS moves left, TAB to the next multiple of 8 */
    feed(t, "\r\nab\bc\tZ");
    CHECK(!strcmp(row_text(t, 3), "ac      Z"));
    feed(t, "\r\n\t\t\t\t\t\t\t\t\t\t\tQ");    /* tabs stop at the last column */
    CHECK(vc_term_cell(t, 79, 4)->ch == 'Q');
    /* BEL and other controls draw nothing */
    feed(t, "\r\n\a\x0e\x0fok\x7f");
    CHECK(!strcmp(row_text(t, 5), "ok"));
    vc_term_free(t);
}

static void test_wrap_and_scroll(font *fnt)
{
    vc_term *t = vc_term_new(10, 4, fnt);
    /* the 10th character stays on the line; the 11th wraps */
    feed(t, "0123456789");
    CHECK(cursor_is(t, 9, 0));
    CHECK(!strcmp(row_text(t, 1), ""));
    feed(t, "A");
    CHECK(!strcmp(row_text(t, 1), "A"));
    CHECK(cursor_is(t, 1, 1));
    /* CR LF right after a full line does not make an empty line */
    feed(t, "\r\n0123456789\r\nB");
    CHECK(!strcmp(row_text(t, 2), "0123456789"));
    CHECK(!strcmp(row_text(t, 3), "B"));
    /* a line feed at the bottom scrolls */
    feed(t, "\r\nC");
    CHECK(!strcmp(row_text(t, 0), "A"));
    CHECK(!strcmp(row_text(t, 3), "C"));
    CHECK(cursor_is(t, 1, 3));
    /* ?7l: no wrapping, the last column is overwritten */
    feed(t, "\033[?7l\r\n0123456789XY\033[?7h");
    CHECK(!strcmp(row_text(t, 3), "012345678Y"));
    vc_term_free(t);

    /* many lines: the screen shows the last ones, the rest went to the scrollback */
    t = vc_term_new(80, 24, fnt);
    char line[32];
    for (int i = 0; i < 30; i++) {
        snprintf(line, sizeof(line), "line %d\r\n", i);
        feed(t, line);
    }
    CHECK(!strcmp(row_text(t, 0), "line 7"));
    CHECK(!strcmp(row_text(t, 22), "line 29"));
    CHECK(!strcmp(row_text(t, 23), ""));
    CHECK(cursor_is(t, 0, 23));
    vc_term_scroll_view(t, 3);
    CHECK(vc_term_view_offset(t) == 3);
    vc_term_scroll_view(t, 1000);
    CHECK(vc_term_view_offset(t) == 7);
    vc_term_scroll_view(t, -1000);
    CHECK(vc_term_view_offset(t) == 0);
    /* ESC[3J forgets the scrollback */
    feed(t, "\033[3J");
    vc_term_scroll_view(t, 5);
    CHECK(vc_term_view_offset(t) == 0);
    vc_term_free(t);

    /* a scrolling region: only its lines move */
    t = vc_term_new(10, 6, fnt);
    feed(t, "a\r\nb\r\nc\r\nd\r\ne\r\nf");
    feed(t, "\033[2;4r");                   /* rows 2..4; the cursor goes home */
    CHECK(cursor_is(t, 0, 0));
    feed(t, "\033[4;1H\nX");                /* LF at the region's bottom scrolls it */
    CHECK(!strcmp(row_text(t, 0), "a"));
    CHECK(!strcmp(row_text(t, 1), "c"));
    CHECK(!strcmp(row_text(t, 2), "d"));
    CHECK(!strcmp(row_text(t, 3), "X"));
    CHECK(!strcmp(row_text(t, 4), "e"));
    CHECK(!strcmp(row_text(t, 5), "f"));
    feed(t, "\033[2;1H\033M");              /* reverse index at its top scrolls down */
    CHECK(!strcmp(row_text(t, 1), ""));
    CHECK(!strcmp(row_text(t, 2), "c"));
    CHECK(!strcmp(row_text(t, 4), "e"));
    feed(t, "\033[r\033[6;1H\n");           /* the region reset: the whole screen scrolls */
    CHECK(!strcmp(row_text(t, 0), ""));
    CHECK(!strcmp(row_text(t, 4), "f"));
    vc_term_free(t);
}

static void test_cursor_and_erase(font *fnt)
{
    vc_term *t = vc_term_new(20, 10, fnt);
    feed(t, "\033[5;10H");
    CHECK(cursor_is(t, 9, 4));
    feed(t, "\033[2A");
    CHECK(cursor_is(t, 9, 2));
    feed(t, "\033[B");
    CHECK(cursor_is(t, 9, 3));
    feed(t, "\033[3C");
    CHECK(cursor_is(t, 12, 3));
    feed(t, "\033[20D");
    CHECK(cursor_is(t, 0, 3));
    feed(t, "\033[99;99f");
    CHECK(cursor_is(t, 19, 9));
    feed(t, "\033[H");
    CHECK(cursor_is(t, 0, 0));
    feed(t, "\033[;5H");
    CHECK(cursor_is(t, 4, 0));
    feed(t, "\033[7G\033[3d");
    CHECK(cursor_is(t, 6, 2));
    feed(t, "\0337\033[1;1H\0338");          /* save, move, restore */
    CHECK(cursor_is(t, 6, 2));
    feed(t, "\033[s\033[9;9H\033[u");
    CHECK(cursor_is(t, 6, 2));

    /* erasing */
    feed(t, "\033[H");
    for (int i = 0; i < 5; i++)
        feed(t, "abcdefghij\r\n");
    feed(t, "\033[1;4H\033[K");
    CHECK(!strcmp(row_text(t, 0), "abc"));
    feed(t, "\033[2;4H\033[1K");
    CHECK(!strcmp(row_text(t, 1), "    efghij"));
    feed(t, "\033[3;4H\033[2K");
    CHECK(!strcmp(row_text(t, 2), ""));
    /* insert and delete characters, erase characters */
    feed(t, "\033[4;3H\033[2@");
    CHECK(!strcmp(row_text(t, 3), "ab  cdefghij"));
    feed(t, "\033[3P");
    CHECK(!strcmp(row_text(t, 3), "abdefghij"));
    feed(t, "\033[2X");
    CHECK(!strcmp(row_text(t, 3), "ab  fghij"));
    /* insert and delete lines */
    feed(t, "\033[5;1H\033[L");
    CHECK(!strcmp(row_text(t, 4), ""));
    CHECK(!strcmp(row_text(t, 5), "abcdefghij"));
    feed(t, "\033[M");
    CHECK(!strcmp(row_text(t, 4), "abcdefghij"));
    /* ESC[J from the cursor down, ESC[1J up to it, ESC[2J everything */
    feed(t, "\033[5;3H\033[J");
    CHECK(!strcmp(row_text(t, 4), "ab"));
    CHECK(!strcmp(row_text(t, 3), "ab  fghij"));
    feed(t, "\033[4;2H\033[1J");
    CHECK(!strcmp(row_text(t, 0), ""));
    CHECK(!strcmp(row_text(t, 3), "    fghij"));
    feed(t, "\033[2J");
    for (unsigned y = 0; y < 10; y++)
        CHECK(!strcmp(row_text(t, y), ""));
    CHECK(cursor_is(t, 1, 3));                /* ESC[2J does not move the cursor */
    /* ESC c: a full reset */
    feed(t, "xyz\033[31m\033c");
    CHECK(cursor_is(t, 0, 0) && !strcmp(row_text(t, 3), ""));
    feed(t, "q");
    CHECK(vc_term_cell(t, 0, 0)->fg == VC_DEFAULT_FG);
    /* cursor visibility */
    bool vis;
    unsigned x, y;
    feed(t, "\033[?25l");
    vc_term_cursor(t, &x, &y, &vis);
    CHECK(!vis);
    feed(t, "\033[?25h");
    vc_term_cursor(t, &x, &y, &vis);
    CHECK(vis);
    vc_term_free(t);
}

static void test_colours(font *fnt)
{
    vc_term *t = vc_term_new(40, 5, fnt);
    feed(t, "a\033[31mb\033[1;32;44mc\033[0md\033[7me\033[27;93;105mf\033[39;49mg\033[4mh\033[24mi");
    const vc_cell *c = vc_term_cell(t, 0, 0);
    CHECK(c[0].fg == VC_DEFAULT_FG && c[0].bg == VC_DEFAULT_BG && c[0].attr == 0);
    CHECK(c[1].fg == 1 && c[1].attr == 0);
    CHECK(c[2].fg == 2 && c[2].bg == 4 && c[2].attr == VC_ATTR_BOLD);
    CHECK(c[3].fg == VC_DEFAULT_FG && c[3].bg == VC_DEFAULT_BG && c[3].attr == 0);
    CHECK(c[4].attr == VC_ATTR_REVERSE);
    CHECK(c[5].fg == 11 && c[5].bg == 13 && c[5].attr == 0);
    CHECK(c[6].fg == VC_DEFAULT_FG && c[6].bg == VC_DEFAULT_BG);
    CHECK(c[7].attr == VC_ATTR_UNDERLINE && c[8].attr == 0);
    feed(t, "\033[m\033[38;5;196mj\033[48;2;0;0;255mk\033[0;22m");
    CHECK(c[9].fg == 196);
    CHECK(c[10].bg == 21);                     /* pure blue in the cube */
    CHECK(vc_palette(1) == 0xaa0000 && vc_palette(15) == 0xffffff && vc_palette(196) == 0xff0000);
    CHECK(vc_palette(232) == 0x080808);
    /* erasing takes the current background */
    feed(t, "\r\n\033[41m\033[K\033[0m");
    CHECK(vc_term_cell(t, 39, 1)->bg == 1);
    vc_term_free(t);
}

static void test_utf8_and_sequences(font *fnt)
{
    vc_term *t = vc_term_new(20, 4, fnt);
    feed(t, "\xc3\xa9\xe2\x94\x80\xf0\x9f\x98\x80|\xff|\xc3(");
    const vc_cell *c = vc_term_cell(t, 0, 0);
    CHECK(c[0].ch == 0xe9);
    CHECK(c[1].ch == 0x2500);
    CHECK(c[2].ch == 0x1f600);
    CHECK(c[3].ch == '|' && c[4].ch == 0xfffd && c[5].ch == '|');
    CHECK(c[6].ch == 0xfffd && c[7].ch == '(');   /* a lead byte cut short */
    /* sequences split at every byte boundary behave as whole ones */
    const char *seq = "\033[2;3H\033[1;31mR\033]0;title\007\033(B\033[?1049hS";
    for (size_t cut = 0; cut <= strlen(seq); cut++) {
        feed(t, "\033c");
        vc_term_feed(t, (const uint8_t *)seq, cut);
        vc_term_feed(t, (const uint8_t *)seq + cut, strlen(seq) - cut);
        const vc_cell *r = vc_term_cell(t, 2, 1);
        CHECK(r[0].ch == 'R' && r[0].fg == 1 && r[1].ch == 'S');
        CHECK(!strcmp(row_text(t, 0), ""));
    }
    /* an OSC ended by ESC \, unknown CSI finals and intermediates leave nothing */
    feed(t, "\033c\033]2;x\033\\\033[5q\033[!p\033[>1;2mZ");
    CHECK(!strcmp(row_text(t, 0), "Z"));
    /* CAN abandons a sequence; controls inside a sequence still act */
    feed(t, "\033c\033[3\030A\033[\r2CB");
    CHECK(!strcmp(row_text(t, 0), "A B"));
    vc_term_free(t);
}

static uint8_t replies[256];
static size_t nreplies;
static void on_reply(void *opaque, const uint8_t *buf, size_t n)
{
    memcpy(replies + nreplies, buf, n);
    nreplies += n;
}

static void test_reports(font *fnt)
{
    vc_term *t = vc_term_new(80, 24, fnt);
    vc_term_set_reply(t, on_reply, NULL);
    nreplies = 0;
    feed(t, "\033[12;34H\033[6n");
    CHECK(nreplies == 8 && !memcmp(replies, "\033[12;34R", 8));
    nreplies = 0;
    feed(t, "\033[5n\033[c");
    CHECK(nreplies == 9 && !memcmp(replies, "\033[0n\033[?6c", 9));
    vc_term_free(t);
}

static void test_render(font *fnt)
{
    vc_term *t = vc_term_new(4, 3, fnt);
    uint32_t w, h, y0, y1;
    const uint32_t *px = vc_term_render(t, true, false, &w, &h, &y0, &y1);
    CHECK(w == 4 * fnt->width && h == 3 * fnt->height && y0 == 0 && y1 == h);
    for (uint32_t i = 0; i < w * h; i++)
        if (px[i]) {
            CHECK(!"a blank screen is black");
            break;
        }
    /* nothing changed: an empty range */
    vc_term_render(t, false, false, &w, &h, &y0, &y1);
    CHECK(y0 == y1);
    /* one character on the second row: only that row's lines, the glyph in grey */
    feed(t, "\r\n\033[31mA");
    px = vc_term_render(t, false, false, &w, &h, &y0, &y1);
    CHECK(y0 == fnt->height && y1 == 2 * fnt->height);
    const uint8_t *bits = font_bitmap(fnt, font_glyph(fnt, 'A'));
    bool same = true;
    for (unsigned gy = 0; gy < fnt->height; gy++)
        for (unsigned gx = 0; gx < fnt->width; gx++) {
            bool on = bits[gy * fnt->row_bytes + gx / 8] & (0x80 >> (gx % 8));
            uint32_t p = px[(fnt->height + gy) * w + gx];
            same = same && p == (on ? vc_palette(1) : 0);
        }
    CHECK(same);
    /* the cursor, now after the 'A', is drawn as an inverted cell when its phase is on */
    px = vc_term_render(t, false, true, &w, &h, &y0, &y1);
    CHECK(y0 == fnt->height && y1 == 2 * fnt->height);
    CHECK(px[fnt->height * w + fnt->width] == vc_palette(VC_DEFAULT_FG));
    px = vc_term_render(t, false, false, &w, &h, &y0, &y1);
    CHECK(y0 == fnt->height && y1 == 2 * fnt->height);
    CHECK(px[fnt->height * w + fnt->width] == 0);
    /* reverse video and bold */
    feed(t, "\033[H\033[0;7m \033[0;1m");
    px = vc_term_render(t, false, false, &w, &h, &y0, &y1);
    CHECK(y0 == 0 && y1 == fnt->height);
    CHECK(px[0] == vc_palette(VC_DEFAULT_FG));
    /* a scroll redraws every row */
    feed(t, "\033[3;1H\n");
    vc_term_render(t, false, false, &w, &h, &y0, &y1);
    CHECK(y0 == 0 && y1 == h);
    vc_term_free(t);
}

/* ---- a vc chardev through the main loop ---- */

static void stop_loop(void *opaque)
{
    main_loop_request_exit(0);
}

/* Let the main loop run its watches for a moment. */
static void spin(void)
{
    qtimer *tm = qtimer_new_host(stop_loop, NULL);
    qtimer_mod(tm, host_clock_ns() + 50000000);
    main_loop_run();
    main_loop_clear_exit();
    qtimer_free(tm);
}

static char got[256];
static size_t ngot;
static size_t fe_can_rx(void *opaque) { return sizeof(got) - 1 - ngot; }
static void fe_rx(void *opaque, uint8_t b) { got[ngot++] = (char)b; }

static void test_chardev(void)
{
    char err[256];
    big_lock();
    chardev *c = chardev_from_spec("vc:20Cx5C", "vctest", NULL, err, sizeof(err));
    CHECK(c != NULL);
    if (!c) {
        printf("  (%s)\n", err);
        big_unlock();
        return;
    }
    CHECK(!strcmp(chardev_filename(c), "vc"));
    CHECK(chardev_attach(c, fe_can_rx, fe_rx, NULL, NULL, err, sizeof(err)));
    console *con = NULL;
    for (unsigned i = 0; i < console_count(); i++)
        if (!strcmp(console_name(console_get(i)), "vctest"))
            con = console_get(i);
    CHECK(con && !console_is_graphic(con));
    chardev_write_text(c, "hi\n\033[6n");
    big_unlock();
    if (!con)
        return;
    spin();
    console_view v;
    console_refresh(con, false, &v);
    const font *f = font_default();
    CHECK(v.width == 20 * f->width && v.height == 5 * f->height);
    CHECK(v.dirty_y0 == 0 && v.dirty_y1 == v.height);
    /* the 'h' drawn in the first cell, as the font has it */
    const uint8_t *bits = font_bitmap(f, font_glyph(f, 'h'));
    bool same = true;
    for (unsigned gy = 0; gy < f->height; gy++)
        for (unsigned gx = 0; gx < f->width; gx++) {
            bool on = bits[gy * f->row_bytes + gx / 8] & (0x80 >> (gx % 8));
            same = same && v.pixels[gy * v.width + gx] == (on ? vc_palette(VC_DEFAULT_FG) : 0);
        }
    CHECK(same);
    /* the cursor report and the keys typed come back to the frontend */
    void *opaque;
    const console_ops *ops = console_ops_of(con, &opaque);
    CHECK(ops && ops->text_input);
    big_lock();
    ops->text_input(opaque, (const uint8_t *)"ls\r", 3);
    big_unlock();
    spin();
    got[ngot] = 0;
    CHECK(!strcmp(got, "\033[2;1Rls\r"));
    if (strcmp(got, "\033[2;1Rls\r"))
        printf("  (got %zu bytes: '%s')\n", ngot, got + 1);
    /* other sizes and bad ones */
    big_lock();
    chardev *c2 = chardev_new("vc,id=vc2,cols=30,rows=7", err, sizeof(err));
    CHECK(c2 != NULL);
    chardev *c3 = chardev_from_spec("vc:320x160", "vc3", NULL, err, sizeof(err));
    CHECK(c3 != NULL);
    CHECK(!chardev_from_spec("vc:80x", "vc4", NULL, err, sizeof(err)) && strstr(err, "COLSCxROWSC"));
    CHECK(!chardev_from_spec("vc:0Cx3C", "vc5", NULL, err, sizeof(err)));
    CHECK(!chardev_new("vc,id=vc6,cols=5000", err, sizeof(err)));
    unsigned cols, rows, w, h;
    CHECK(vc_parse_size("80Cx24C", &cols, &rows, &w, &h, err, sizeof(err)) && cols == 80 && rows == 24 && !w && !h);
    CHECK(vc_parse_size("640x480", &cols, &rows, &w, &h, err, sizeof(err)) && w == 640 && h == 480 && !cols);
    CHECK(vc_parse_size("100Cx480", &cols, &rows, &w, &h, err, sizeof(err)) && cols == 100 && h == 480);
    big_unlock();
    console_refresh(console_get(console_count() - 1), false, &v);
    CHECK(v.width == 320 && v.height == 160 / f->height * f->height);
    CHECK(vc_chardev_open("vc7", NULL, err, sizeof(err)) != NULL);
    console_refresh(console_get(console_count() - 1), false, &v);
    CHECK(v.width == VC_DEFAULT_COLS * f->width && v.height == VC_DEFAULT_ROWS * f->height);
}

int main(void)
{
    test_fonts();
    /* the terminal tests run with the built-in font (known glyphs) and with the real one */
    font *fonts[2] = { font_builtin(), font_load("/usr/share/consolefonts/Uni2-Fixed16.psf.gz", (char[256]){ 0 }, 256) };
    for (int i = 0; i < 2; i++) {
        if (!fonts[i])
            continue;
        test_text(fonts[i]);
        test_wrap_and_scroll(fonts[i]);
        test_cursor_and_erase(fonts[i]);
        test_colours(fonts[i]);
        test_utf8_and_sequences(fonts[i]);
        test_reports(fonts[i]);
        test_render(fonts[i]);
        font_free(fonts[i]);
    }
    test_chardev();
    printf("test_vc: %d checks, %d failures\n", checks, failures);
    return failures != 0;
}
