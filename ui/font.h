/*
 * Console fonts for the text consoles (ui/vc.c): a PSF1 or PSF2 bitmap font, gzip'd
 * or not, as Debian's console-setup-linux installs them in /usr/share/consolefonts,
 * with its Unicode table mapping characters to glyphs. When no font file is there the
 * text consoles still work with a built-in font that draws every visible character as
 * a hollow box.
 */
#ifndef TERN_UI_FONT_H
#define TERN_UI_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct font {
    unsigned width, height;     /* pixels of one glyph */
    unsigned nglyphs;
    unsigned row_bytes;         /* (width + 7) / 8: each row's bits, most significant first */
    unsigned glyph_bytes;       /* row_bytes * height */
    uint8_t *bitmaps;           /* nglyphs * glyph_bytes */
    uint16_t *map;              /* 0x10000 entries: a BMP character's glyph, or FONT_NO_GLYPH */
    unsigned fallback;          /* the glyph for a character the font lacks */
    bool builtin;               /* the hollow-box stand-in */
} font;

#define FONT_NO_GLYPH 0xffff

/* Load a PSF1/PSF2 file (gzip'd or plain). NULL with a reason in err. */
font *font_load(const char *path, char *err, size_t errsize);
/* The built-in stand-in: 8x16, a blank for spaces and a hollow box for the rest. */
font *font_builtin(void);
void font_free(font *f);
/* The font every text console uses: the first of Uni2-Fixed16, Lat15-Fixed16 and any
 * other *Fixed16 / *8x16 font found in /usr/share/consolefonts (TERN_CONSOLE_FONT, if
 * set, names a file to try first); the built-in one, with one warning line on stderr,
 * when there is none. Loaded once. */
const font *font_default(void);

/* The glyph to draw for Unicode character `ch`. */
unsigned font_glyph(const font *f, uint32_t ch);
static inline const uint8_t *font_bitmap(const font *f, unsigned glyph)
{
    return f->bitmaps + (size_t)(glyph < f->nglyphs ? glyph : f->fallback) * f->glyph_bytes;
}

#endif
