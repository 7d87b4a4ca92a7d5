/*
 * Console fonts (see font.h): PSF1 and PSF2 files, read through zlib so the gzip'd
 * files Debian installs load as they are, and a built-in hollow-box stand-in.
 */
#include "ui/font.h"
#include "core/log.h"
#include "build/config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef CONFIG_ZLIB
#include <zlib.h>
#endif

#define FONT_DIR "/usr/share/consolefonts"
#define MAX_FILE (8u << 20)     /* the largest console fonts are a few hundred KiB */
#define MAX_DIM 64

/* One source of bytes: zlib's reader (which passes a file that is not gzip'd through
 * unchanged) where tern has zlib, else the plain file. */
typedef struct source {
#ifdef CONFIG_ZLIB
    gzFile z;
#else
    int fd;
#endif
} source;

static bool source_open(source *s, const char *path)
{
#ifdef CONFIG_ZLIB
    s->z = gzopen(path, "rb");
    if (!s->z && !errno)
        errno = ENOMEM;
    return s->z != NULL;
#else
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    return s->fd >= 0;
#endif
}

/* Bytes read (0 at the end), or -1 with a reason. */
static long source_read(source *s, uint8_t *buf, size_t n, const char **why)
{
#ifdef CONFIG_ZLIB
    int r = gzread(s->z, buf, (unsigned)n), e;
    if (r < 0)
        *why = gzerror(s->z, &e);
    return r;
#else
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            *why = strerror(errno);
        return (long)r;
    }
#endif
}

static void source_close(source *s)
{
#ifdef CONFIG_ZLIB
    gzclose(s->z);
#else
    close(s->fd);
#endif
}

/* The whole file, uncompressed. NULL with a reason. */
static uint8_t *read_all(const char *path, size_t *len, char *err, size_t errsize)
{
    source src;
    if (!source_open(&src, path)) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        fatal("out of memory");
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FILE) {
                snprintf(err, errsize, "%s: too large for a console font", path);
                goto fail;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                fatal("out of memory");
            buf = nb;
        }
        const char *why = NULL;
        long r = source_read(&src, buf + n, cap - n, &why);
        if (r < 0) {
            snprintf(err, errsize, "%s: %s", path, why);
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    source_close(&src);
#ifndef CONFIG_ZLIB
    if (n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        snprintf(err, errsize, "%s: a gzip'd font, and this tern was built without zlib", path);
        free(buf);
        return NULL;
    }
#endif
    *len = n;
    return buf;
fail:
    source_close(&src);
    free(buf);
    return NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static font *font_alloc(unsigned w, unsigned h, unsigned nglyphs)
{
    font *f = calloc(1, sizeof(*f));
    if (!f)
        fatal("out of memory");
    f->width = w;
    f->height = h;
    f->nglyphs = nglyphs;
    f->row_bytes = (w + 7) / 8;
    f->glyph_bytes = f->row_bytes * h;
    f->bitmaps = calloc(nglyphs, f->glyph_bytes);
    f->map = malloc(0x10000 * sizeof(f->map[0]));
    if (!f->bitmaps || !f->map)
        fatal("out of memory");
    memset(f->map, 0xff, 0x10000 * sizeof(f->map[0]));
    return f;
}

/* A character the table names: the first glyph named for it wins (the table lists a
 * glyph's main character first, and later glyphs only approximate). */
static void map_char(font *f, uint32_t ch, unsigned glyph)
{
    if (ch < 0x10000 && f->map[ch] == FONT_NO_GLYPH)
        f->map[ch] = (uint16_t)glyph;
}

/* Decode one UTF-8 character of a PSF2 table; *len is how many bytes it took. */
static uint32_t utf8_at(const uint8_t *p, size_t avail, size_t *len)
{
    unsigned n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 :
                 (p[0] & 0xf8) == 0xf0 ? 4 : 1;
    if (n > avail)
        n = 1;
    uint32_t ch = n == 1 ? p[0] : p[0] & (0x7f >> n);
    for (unsigned i = 1; i < n; i++)
        ch = ch << 6 | (p[i] & 0x3f);
    *len = n;
    return ch;
}

static void finish(font *f, bool have_table)
{
    if (!have_table) {
        /* no table: assume the glyphs are in ISO 8859-1 order, as the oldest fonts are */
        for (unsigned i = 0; i < f->nglyphs && i < 256; i++)
            map_char(f, i, i);
    }
    f->fallback = f->map[0xfffd] != FONT_NO_GLYPH ? f->map[0xfffd] :
                  f->map['?'] != FONT_NO_GLYPH ? f->map['?'] : 0;
}

font *font_load(const char *path, char *err, size_t errsize)
{
    size_t len;
    uint8_t *d = read_all(path, &len, err, errsize);
    if (!d)
        return NULL;
    font *f = NULL;
    if (len >= 4 && d[0] == 0x36 && d[1] == 0x04) {
        /* PSF1: 8 pixels wide, 256 or 512 glyphs, an optional table of UCS-2 values */
        unsigned mode = d[2], h = d[3];
        unsigned n = mode & 1 ? 512 : 256;
        if (!h || h > MAX_DIM || 4 + (size_t)n * h > len) {
            snprintf(err, errsize, "%s: a broken PSF1 font", path);
            goto out;
        }
        f = font_alloc(8, h, n);
        memcpy(f->bitmaps, d + 4, (size_t)n * h);
        bool table = (mode & 6) != 0;
        if (table) {
            size_t p = 4 + (size_t)n * h;
            for (unsigned g = 0; g < n && p + 2 <= len; g++) {
                bool seq = false;   /* after 0xfffe: combining sequences, which we skip */
                while (p + 2 <= len) {
                    unsigned v = d[p] | (unsigned)d[p + 1] << 8;
                    p += 2;
                    if (v == 0xffff)
                        break;
                    if (v == 0xfffe)
                        seq = true;
                    else if (!seq)
                        map_char(f, v, g);
                }
            }
        }
        finish(f, table);
    } else if (len >= 32 && le32(d) == 0x864ab572) {
        /* PSF2: any size, a header of its own length, an optional table in UTF-8 */
        uint32_t hsize = le32(d + 8), flags = le32(d + 12), n = le32(d + 16);
        uint32_t gbytes = le32(d + 20), h = le32(d + 24), w = le32(d + 28);
        if (!w || !h || w > MAX_DIM || h > MAX_DIM || !n || n > 0x10000 ||
            gbytes != (w + 7) / 8 * h || hsize < 32 || hsize > len ||
            (len - hsize) / gbytes < n) {
            snprintf(err, errsize, "%s: a broken PSF2 font", path);
            goto out;
        }
        f = font_alloc(w, h, n);
        memcpy(f->bitmaps, d + hsize, (size_t)n * gbytes);
        bool table = flags & 1;
        if (table) {
            size_t p = hsize + (size_t)n * gbytes;
            for (unsigned g = 0; g < n && p < len; g++) {
                bool seq = false;
                while (p < len) {
                    if (d[p] == 0xff) {
                        p++;
                        break;
                    }
                    if (d[p] == 0xfe) {
                        seq = true;
                        p++;
                        continue;
                    }
                    size_t l;
                    uint32_t ch = utf8_at(d + p, len - p, &l);
                    p += l;
                    if (!seq)
                        map_char(f, ch, g);
                }
            }
        }
        finish(f, table);
    } else {
        snprintf(err, errsize, "%s: not a PSF console font", path);
    }
out:
    free(d);
    return f;
}

font *font_builtin(void)
{
    font *f = font_alloc(8, 16, 2);
    /* glyph 0 blank, glyph 1 a box inset by a pixel so neighbours stay apart */
    uint8_t *b = f->bitmaps + f->glyph_bytes;
    for (unsigned y = 2; y <= 13; y++)
        b[y] = y == 2 || y == 13 ? 0x7e : 0x42;
    for (unsigned ch = 0; ch < 0x10000; ch++)
        f->map[ch] = ch == ' ' || ch == 0xa0 ? 0 : 1;
    f->fallback = 1;
    f->builtin = true;
    return f;
}

void font_free(font *f)
{
    if (!f)
        return;
    free(f->bitmaps);
    free(f->map);
    free(f);
}

unsigned font_glyph(const font *f, uint32_t ch)
{
    if (ch < 0x10000 && f->map[ch] != FONT_NO_GLYPH)
        return f->map[ch];
    return f->fallback;
}

static bool is_16px(const char *name)
{
    size_t n = strlen(name);
    const char *ext = ".psf.gz";
    size_t e = strlen(ext);
    if (n <= e || strcmp(name + n - e, ext))
        return false;
    /* Fixed16 and *8x16 fonts are 8 pixels wide, which suits an 80-column terminal */
    return strstr(name, "Fixed16.") || strstr(name, "8x16.");
}

static font *try_load(const char *path)
{
    char err[256];
    return font_load(path, err, sizeof(err));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Any other 8-pixel-wide 16-line font in the directory, in name order so every run
 * picks the same one. */
static font *any_16px(void)
{
    DIR *dir = opendir(FONT_DIR);
    if (!dir)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!is_16px(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn)
                fatal("out of memory");
            names = nn;
        }
        if (!(names[n++] = strdup(e->d_name)))
            fatal("out of memory");
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), by_name);
    font *f = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!f) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", FONT_DIR, names[i]);
            f = try_load(path);
        }
        free(names[i]);
    }
    free(names);
    return f;
}

const font *font_default(void)
{
    static font *dflt;
    if (dflt)
        return dflt;
    const char *env = getenv("TERN_CONSOLE_FONT");
    if (env && *env && !(dflt = try_load(env)))
        error_report("warning: TERN_CONSOLE_FONT=%s is not a console font it can load", env);
    if (!dflt)
        dflt = try_load(FONT_DIR "/Uni2-Fixed16.psf.gz");
    if (!dflt)
        dflt = try_load(FONT_DIR "/Lat15-Fixed16.psf.gz");
    if (!dflt)
        dflt = any_16px();
    if (!dflt) {
#ifdef CONFIG_ZLIB
        error_report("warning: no console font in " FONT_DIR " (install Debian's console-setup-linux): "
                     "text consoles draw every character as a box");
#else
        error_report("warning: no console font it can read (this tern was built without zlib, and "
                     FONT_DIR " has gzip'd fonts): text consoles draw every character as a box");
#endif
        dflt = font_builtin();
    }
    return dflt;
}
