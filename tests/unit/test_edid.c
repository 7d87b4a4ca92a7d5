/*
 * The EDID generator: both blocks' checksums, the header and version, and the preferred
 * detailed timing decoding back to the requested size (with a pixel clock that fits its
 * field) over many sizes, odd and clamped ones included; the monitor name descriptor.
 * With an argument (WxH), writes that EDID to stdout instead, for edid-decode.
 */
#include "ui/edid.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static int sum(const uint8_t *b)
{
    unsigned s = 0;
    for (int i = 0; i < 128; i++)
        s += b[i];
    return (int)(s & 0xff);
}

/* The preferred mode (the first detailed timing) as a guest's parser reads it. */
static void dtd(const uint8_t *e, uint32_t *w, uint32_t *h, uint32_t *clock10k, double *hz)
{
    const uint8_t *d = e + 54;
    *clock10k = d[0] | (uint32_t)d[1] << 8;
    *w = d[2] | (uint32_t)(d[4] >> 4) << 8;
    uint32_t hblank = d[3] | (uint32_t)(d[4] & 15) << 8;
    *h = d[5] | (uint32_t)(d[7] >> 4) << 8;
    uint32_t vblank = d[6] | (uint32_t)(d[7] & 15) << 8;
    uint32_t hfront = d[8] | (uint32_t)(d[11] >> 6) << 8, hsync = d[9] | (uint32_t)((d[11] >> 4) & 3) << 8;
    uint32_t vfront = (d[10] >> 4) | (uint32_t)((d[11] >> 2) & 3) << 4, vsync = (d[10] & 15) | (uint32_t)(d[11] & 3) << 4;
    /* the porches and sync fit in the blanking */
    CHECK(hfront + hsync < hblank);
    CHECK(vfront + vsync < vblank);
    *hz = *clock10k * 10000.0 / ((double)(*w + hblank) * (*h + vblank));
}

int main(int argc, char **argv)
{
    uint8_t e[1024];
    if (argc > 1) {
        unsigned w, h;
        if (sscanf(argv[1], "%ux%u", &w, &h) != 2)
            return 2;
        edid_generate(e, 256, w, h, argc > 2 ? argv[2] : NULL);
        fwrite(e, 1, 256, stdout);
        return 0;
    }

    /* 1: the default display */
    memset(e, 0xee, sizeof(e));
    edid_generate(e, sizeof(e), 1280, 800, NULL);
    static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    CHECK(!memcmp(e, header, 8));
    CHECK(e[18] == 1 && e[19] == 4);
    CHECK(sum(e) == 0);
    CHECK(e[126] == 1);
    CHECK(e[128] == 0x02 && sum(e + 128) == 0);
    for (int i = 256; i < 1024; i++)
        CHECK(e[i] == 0);
    uint32_t w, h, clk;
    double hz;
    dtd(e, &w, &h, &clk, &hz);
    CHECK(w == 1280 && h == 800);
    CHECK(hz > 59.5 && hz < 60.5);
    CHECK(e[24] & 0x02);                        /* the first timing is preferred */
    /* the name descriptor somewhere among 2-4 */
    int named = 0;
    for (int d = 72; d < 126; d += 18)
        if (e[d] == 0 && e[d + 1] == 0 && e[d + 3] == 0xfc && !memcmp(e + d + 5, "tern Monitor\n", 13))
            named++;
    CHECK(named == 1);

    /* 2: a base block alone, and a given name (cut to 13 characters) */
    memset(e, 0xee, sizeof(e));
    edid_generate(e, 128, 1024, 768, "A very long monitor name");
    CHECK(sum(e) == 0 && e[126] == 0 && e[128] == 0xee);
    CHECK(!memcmp(e + 90 + 5, "A very long m", 13));

    /* 3: many sizes, odd ones, and ones past what a timing can say */
    static const uint32_t sizes[][2] = {
        { 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1920, 1080 }, { 2560, 1600 }, { 3840, 2160 },
        { 1366, 768 }, { 1001, 333 }, { 64, 64 }, { 32, 32 }, { 1, 1 }, { 1, 2000 }, { 4095, 4095 }, { 4096, 2160 },
        { 100000, 70000 }, { 7680, 4320 },
    };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        edid_generate(e, 256, sizes[i][0], sizes[i][1], NULL);
        CHECK(sum(e) == 0 && sum(e + 128) == 0);
        dtd(e, &w, &h, &clk, &hz);
        uint32_t ew = sizes[i][0] > EDID_MAX_DIM ? EDID_MAX_DIM : sizes[i][0] < EDID_MIN_DIM ? EDID_MIN_DIM : sizes[i][0];
        uint32_t eh = sizes[i][1] > EDID_MAX_DIM ? EDID_MAX_DIM : sizes[i][1] < EDID_MIN_DIM ? EDID_MIN_DIM : sizes[i][1];
        CHECK(w == ew && h == eh);
        CHECK(clk >= 1000);                     /* 10 MHz: parsers distrust less */
        /* 60 Hz unless the clock field ran out; never below the range limits' minimum */
        CHECK(hz < 60.5 && hz >= e[72 + 5]);
        /* (the 10 kHz steps of the clock are coarse for a tiny mode) */
        if (clk < 0xffff)
            CHECK(hz > 59.5 || w * h < 4096);
    }

    /* 4: zero size means the default; too short a buffer gets nothing */
    edid_generate(e, 256, 0, 0, NULL);
    dtd(e, &w, &h, &clk, &hz);
    CHECK(w == 1280 && h == 800);
    memset(e, 0xee, 16);
    edid_generate(e, 16, 800, 600, NULL);
    for (int i = 0; i < 16; i++)
        CHECK(e[i] == 0);

    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("test_edid: all passed\n");
    return 0;
}
