/*
 * EDID generator (see edid.h). The content follows what QEMU's monitor EDID offers a
 * guest: a digital sRGB display, the usual 60 Hz VESA modes as established and standard
 * timings, and one detailed timing for the preferred mode, here with CVT reduced
 * blanking (VESA CVT 1.2, RB v1) so that the numbers are those of a real flat panel.
 */
#include "ui/edid.h"
#include <string.h>

#define REFRESH_HZ 60
#define DPI 96

/* CVT reduced blanking, version 1 */
#define RB_HBLANK 160
#define RB_HSYNC 32
#define RB_HFRONT 48
#define RB_VFRONT 3
#define RB_MIN_VBACK 6
#define RB_MIN_VBLANK_NS 460000u

static void put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void checksum(uint8_t *block)
{
    uint8_t sum = 0;
    for (int i = 0; i < 127; i++)
        sum += block[i];
    block[127] = (uint8_t)(0x100 - sum);
}

/* CVT's vertical sync width says the aspect ratio, so a panel's timing carries it too. */
static uint32_t cvt_vsync(uint32_t x, uint32_t y)
{
    uint64_t x64 = x, y64 = y;
    if (x64 * 3 == y64 * 4)
        return 4;
    if (x64 * 9 == y64 * 16)
        return 5;
    if (x64 * 10 == y64 * 16)
        return 6;
    if (x64 * 4 == y64 * 5 || x64 * 9 == y64 * 15)
        return 7;
    return 10;
}

static uint32_t mm_of(uint32_t px)
{
    return px * 254u / (DPI * 10u);
}

/* An 18-byte detailed timing descriptor for the preferred mode. */
static void detailed_timing(uint8_t *d, uint32_t x, uint32_t y)
{
    uint32_t vsync = cvt_vsync(x, y);
    /* the vertical blank must last at least 460 us, and hold front porch, sync and a
     * minimum back porch */
    uint32_t hperiod_ns = (1000000000u / REFRESH_HZ - RB_MIN_VBLANK_NS) / y;
    uint32_t vblank = RB_MIN_VBLANK_NS / hperiod_ns + 1;
    if (vblank < RB_VFRONT + vsync + RB_MIN_VBACK)
        vblank = RB_VFRONT + vsync + RB_MIN_VBACK;
    uint32_t hblank = RB_HBLANK;
    uint64_t vtotal = y + vblank;
    /* parsers take a clock under 10 MHz for garbage: a small mode gets a longer
     * horizontal blank instead (at most 2000 pixels, for 64x64) */
    uint64_t min_htotal = (10000000 + REFRESH_HZ * vtotal - 1) / (REFRESH_HZ * vtotal);
    if (x + hblank < min_htotal)
        hblank = (uint32_t)(min_htotal - x);
    uint64_t htotal = x + hblank;
    /* the clock field is 16 bits of 10 kHz: a mode too big for 60 Hz gets a lower rate */
    uint64_t clock = (htotal * vtotal * REFRESH_HZ + 5000) / 10000;
    if (clock > 0xffff)
        clock = 0xffff;
    if (clock == 0)
        clock = 1;
    uint32_t hfront = RB_HFRONT, hsync = RB_HSYNC, vfront = RB_VFRONT;
    uint32_t wmm = mm_of(x), hmm = mm_of(y);

    put_le16(d, (uint32_t)clock);
    d[2] = (uint8_t)x;
    d[3] = (uint8_t)hblank;
    d[4] = (uint8_t)(((x >> 8) & 0xf) << 4 | ((hblank >> 8) & 0xf));
    d[5] = (uint8_t)y;
    d[6] = (uint8_t)vblank;
    d[7] = (uint8_t)(((y >> 8) & 0xf) << 4 | ((vblank >> 8) & 0xf));
    d[8] = (uint8_t)hfront;
    d[9] = (uint8_t)hsync;
    d[10] = (uint8_t)((vfront & 0xf) << 4 | (vsync & 0xf));
    d[11] = (uint8_t)(((hfront >> 8) & 3) << 6 | ((hsync >> 8) & 3) << 4 |
                      ((vfront >> 4) & 3) << 2 | ((vsync >> 4) & 3));
    d[12] = (uint8_t)wmm;
    d[13] = (uint8_t)hmm;
    d[14] = (uint8_t)(((wmm >> 8) & 0xf) << 4 | ((hmm >> 8) & 0xf));
    d[15] = 0;
    d[16] = 0;
    /* digital separate sync; reduced blanking has +hsync, -vsync */
    d[17] = 0x18 | 0x02;
}

/* A display descriptor: three zero bytes, a tag, a zero byte, then 13 bytes of data. */
static void display_desc(uint8_t *d, uint8_t tag)
{
    memset(d, 0, 18);
    d[3] = tag;
}

static void name_desc(uint8_t *d, const char *name)
{
    display_desc(d, 0xfc);
    memset(d + 5, ' ', 13);
    size_t i = 0;
    for (; name[i] && i < 13; i++) {
        unsigned char ch = (unsigned char)name[i];
        d[5 + i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
    }
    if (i < 13)
        d[5 + i] = '\n';
}

static void range_desc(uint8_t *d)
{
    display_desc(d, 0xfd);
    /* wide enough for every mode this EDID lists, the detailed one included (a huge
     * mode runs below 60 Hz because of the clock field's limit) */
    d[5] = 24;          /* vertical Hz, min */
    d[6] = 75;          /* max */
    d[7] = 1;           /* horizontal kHz, min */
    d[8] = 255;         /* max */
    d[9] = 66;          /* pixel clock, 10 MHz units: 660 MHz covers 655.35 */
    d[10] = 0x01;       /* range limits only: no GTF/CVT formula to infer more modes */
    d[11] = '\n';
    memset(d + 12, ' ', 6);
}

/* Standard timings (all 60 Hz): width / 8 - 31, aspect in the top two bits. */
enum { AR_16_10 = 0, AR_4_3 = 1, AR_5_4 = 2, AR_16_9 = 3 };
static const struct { uint16_t x; uint8_t aspect; } std_modes[8] = {
    { 1280, AR_16_9 },  { 1280, AR_16_10 }, { 1280, AR_5_4 },  { 1440, AR_16_10 },
    { 1600, AR_16_9 },  { 1680, AR_16_10 }, { 1920, AR_16_9 }, { 1920, AR_16_10 },
};

/* CTA-861 Video Identification Codes: 640x480, 1280x720 and 1920x1080, all 60 Hz. */
static const uint8_t cta_vics[] = { 1, 4, 16 };

static void cta_block(uint8_t *b)
{
    memset(b, 0, 128);
    b[0] = 0x02;                        /* CTA extension tag */
    b[1] = 0x03;                        /* revision 3 */
    /* underscanned IT formats; one native timing: the base block's preferred one (else
     * the first VIC would count as preferred) */
    b[3] = 0x80 | 1;
    uint8_t n = sizeof(cta_vics), at = 4;
    b[at++] = (uint8_t)(2 << 5 | n);    /* video data block */
    memcpy(b + at, cta_vics, n);
    at += n;
    b[at++] = 7 << 5 | 2;               /* extended tag: video capability data block */
    b[at++] = 0x00;
    b[at++] = 0x4a;                     /* RGB quantization selectable; IT and CE underscanned */
    b[2] = at;                          /* where detailed timings would start: none */
    checksum(b);
}

void edid_generate(uint8_t *out, size_t len, uint32_t xres, uint32_t yres, const char *monitor_name)
{
    memset(out, 0, len);
    if (len < 128)
        return;
    if (!xres || !yres) {
        xres = 1280;
        yres = 800;
    }
    xres = xres < EDID_MIN_DIM ? EDID_MIN_DIM : xres > EDID_MAX_DIM ? EDID_MAX_DIM : xres;
    yres = yres < EDID_MIN_DIM ? EDID_MIN_DIM : yres > EDID_MAX_DIM ? EDID_MAX_DIM : yres;
    if (!monitor_name)
        monitor_name = "tern Monitor";

    uint8_t *e = out;
    static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
    memcpy(e, header, 8);
    /* QEMU's manufacturer and product ("RHT", 0x1234): a guest keeps treating the display
     * as the one it knows from QEMU (no quirks apply to it) */
    const char *vendor = "RHT";
    uint32_t id = (uint32_t)(vendor[0] - '@') << 10 | (uint32_t)(vendor[1] - '@') << 5 | (uint32_t)(vendor[2] - '@');
    e[8] = (uint8_t)(id >> 8);          /* big-endian, unlike every other field */
    e[9] = (uint8_t)id;
    put_le16(e + 10, 0x1234);
    /* serial 0 (bytes 12-15); made in week 1 of 2023 */
    e[16] = 1;
    e[17] = 2023 - 1990;
    e[18] = 1;                          /* EDID 1.4 */
    e[19] = 4;
    e[20] = 0xa5;                       /* digital, 8 bits per colour, DisplayPort */
    uint32_t wcm = (mm_of(xres) + 5) / 10, hcm = (mm_of(yres) + 5) / 10;
    e[21] = (uint8_t)(wcm < 1 ? 1 : wcm > 255 ? 255 : wcm);
    e[22] = (uint8_t)(hcm < 1 ? 1 : hcm > 255 ? 255 : hcm);
    e[23] = 220 - 100;                  /* gamma 2.2 */
    e[24] = 0x06;                       /* sRGB default; the first timing is the preferred mode */

    /* sRGB primaries and D65 white, 10-bit binary fractions: red 0.640,0.330, green
     * 0.300,0.600, blue 0.150,0.060, white 0.3127,0.3290 */
    static const uint16_t chroma[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };
    e[25] = (uint8_t)((chroma[0] & 3) << 6 | (chroma[1] & 3) << 4 | (chroma[2] & 3) << 2 | (chroma[3] & 3));
    e[26] = (uint8_t)((chroma[4] & 3) << 6 | (chroma[5] & 3) << 4 | (chroma[6] & 3) << 2 | (chroma[7] & 3));
    for (int i = 0; i < 8; i++)
        e[27 + i] = (uint8_t)(chroma[i] >> 2);

    /* established timings: 640x480, 800x600 and 1024x768 at 60 Hz */
    e[35] = 1 << 5 | 1 << 0;
    e[36] = 1 << 3;
    e[37] = 0;
    for (int i = 0; i < 8; i++) {
        e[38 + 2 * i] = (uint8_t)(std_modes[i].x / 8 - 31);
        e[39 + 2 * i] = (uint8_t)(std_modes[i].aspect << 6 | (60 - 60));
    }

    detailed_timing(e + 54, xres, yres);
    range_desc(e + 72);
    name_desc(e + 90, monitor_name);
    display_desc(e + 108, 0x10);        /* dummy */

    if (len >= 256) {
        e[126] = 1;
        cta_block(e + 128);
    }
    checksum(e);
}
