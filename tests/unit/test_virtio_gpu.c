/*
 * The virtio-gpu backend driven as a guest driver drives it, through real virtqueues in a
 * fake guest RAM and the real console: create a resource, attach backing scattered over
 * guest memory, transfer, set the scanout, flush, and check the console's picture (and
 * that only flushed lines are copied); pixel formats, the cursor queue, the window's
 * resize hint and the config interrupt, reset. Then every malformed request we can think
 * of (bad ids, huge or wrapping rectangles, backing outside RAM or wrapping, truncated
 * commands and responses, the host memory cap) must get its error code, and 20,000
 * random commands must get answers without a crash (the sanitizer build runs this too).
 */
#include "core/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_gpu.h"
#include "ui/console.h"
#include "ui/edid.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- the spec's structures, as a driver sees them ---- */
typedef struct { uint32_t type, flags; uint64_t fence_id; uint32_t ctx_id; uint8_t ring_idx, pad[3]; } hdr_t;
typedef struct { uint32_t x, y, w, h; } rect_t;
typedef struct { hdr_t hdr; uint32_t id, format, width, height; } create_t;
typedef struct { hdr_t hdr; uint32_t id, pad; } res_t;
typedef struct { hdr_t hdr; rect_t r; uint32_t scanout, id; } scanout_t;
typedef struct { hdr_t hdr; rect_t r; uint32_t id, pad; } flush_t;
typedef struct { hdr_t hdr; rect_t r; uint64_t offset; uint32_t id, pad; } xfer_t;
typedef struct { hdr_t hdr; uint32_t id, nr; } attach_t;
typedef struct { uint64_t addr; uint32_t len, pad; } ent_t;
typedef struct { hdr_t hdr; uint32_t scanout, x, y, pad0, id, hot_x, hot_y, pad1; } cursor_t;
typedef struct { hdr_t hdr; struct { rect_t r; uint32_t enabled, flags; } pm[16]; } dinfo_t;
typedef struct { hdr_t hdr; uint32_t size, pad; uint8_t edid[1024]; } edid_t;

enum {
    GET_DISPLAY_INFO = 0x100, CREATE_2D, UNREF, SET_SCANOUT, FLUSH, TRANSFER, ATTACH, DETACH,
    GET_CAPSET_INFO, GET_CAPSET, GET_EDID, ASSIGN_UUID, CREATE_BLOB, SET_SCANOUT_BLOB,
    CTX_CREATE = 0x200, UPDATE_CURSOR = 0x300, MOVE_CURSOR,
    OK_NODATA = 0x1100, OK_DISPLAY_INFO, OK_CAPSET_INFO, OK_CAPSET, OK_EDID,
    ERR_UNSPEC = 0x1200, ERR_OOM, ERR_SCANOUT, ERR_RESOURCE, ERR_CONTEXT, ERR_PARAM,
};
enum { B8G8R8A8 = 1, B8G8R8X8 = 2, A8R8G8B8 = 3, X8R8G8B8 = 4, R8G8B8A8 = 67, X8B8G8R8 = 68,
       A8B8G8R8 = 121, R8G8B8X8 = 134 };

/* ---- fake guest: RAM, two queues ---- */
#define RAM 0x80000000ull
#define RAM_SIZE (16u << 20)
#define QSIZE 256
#define Q_OFF(q) (0x6000u * (q))            /* desc, avail at +0x1000, used at +0x2000 */
#define CMD_OFF 0x10000u                     /* up to 0x50000 bytes of command */
#define RESP_OFF 0x60000u
#define FB_OFF 0x100000u                     /* framebuffers from here */

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };

static uint8_t *ram;
static virtio_dev vd;
static uint16_t avail_idx[2];
static int notified, last_notify_queue;
static void notify(virtio_dev *d) { notified++; last_notify_queue = d->notify_queue; }

static uint32_t last_used_len;

/* One request: cmd (device-readable), then a device-writable response buffer of
 * resp_len bytes. Returns the response type (0 if none written). */
static uint32_t submit(unsigned q, const void *cmd, size_t cmd_len, void *resp, size_t resp_len)
{
    memcpy(ram + CMD_OFF, cmd, cmd_len);
    memset(ram + RESP_OFF, 0, resp_len + 8);
    struct desc d[2] = {
        { RAM + CMD_OFF, (uint32_t)cmd_len, resp_len ? 1 : 0, 1 },
        { RAM + RESP_OFF, (uint32_t)resp_len, 2, 0 },
    };
    memcpy(ram + Q_OFF(q), d, sizeof(d));
    uint16_t slot = avail_idx[q] % QSIZE, zero = 0;
    memcpy(ram + Q_OFF(q) + 0x1000 + 4 + 2 * slot, &zero, 2);
    avail_idx[q]++;
    memcpy(ram + Q_OFF(q) + 0x1000 + 2, &avail_idx[q], 2);
    uint16_t used_before, used_after;
    memcpy(&used_before, ram + Q_OFF(q) + 0x2002, 2);
    virtio_gpu_backend.queue_notify(&vd, q);
    memcpy(&used_after, ram + Q_OFF(q) + 0x2002, 2);
    CHECK((uint16_t)(used_before + 1) == used_after);
    memcpy(&last_used_len, ram + Q_OFF(q) + 0x2000 + 4 + 8 * (used_before % QSIZE) + 4, 4);
    CHECK(last_used_len <= resp_len);
    /* nothing written past the buffer */
    for (int i = 0; i < 8; i++)
        CHECK(ram[RESP_OFF + resp_len + i] == 0);
    if (resp)
        memcpy(resp, ram + RESP_OFF, resp_len);
    uint32_t type = 0;
    if (resp_len >= 4)
        memcpy(&type, ram + RESP_OFF, 4);
    return type;
}

static uint32_t cmd(const void *c, size_t len)
{
    hdr_t resp;
    return submit(0, c, len, &resp, sizeof(resp));
}

static uint32_t create(uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
    create_t c = { { .type = CREATE_2D }, id, fmt, w, h };
    return cmd(&c, sizeof(c));
}

static uint32_t simple(uint32_t type, uint32_t id)
{
    res_t c = { { .type = type }, id, 0 };
    return cmd(&c, sizeof(c));
}

static uint32_t attach(uint32_t id, const ent_t *e, uint32_t n, uint32_t nr)
{
    uint8_t buf[sizeof(attach_t) + 64 * sizeof(ent_t)];
    attach_t c = { { .type = ATTACH }, id, nr };
    memcpy(buf, &c, sizeof(c));
    memcpy(buf + sizeof(c), e, n * sizeof(ent_t));
    return cmd(buf, sizeof(c) + n * sizeof(ent_t));
}

static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
    xfer_t c = { { .type = TRANSFER }, { x, y, w, h }, off, id, 0 };
    return cmd(&c, sizeof(c));
}

static uint32_t set_scanout(uint32_t so, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    scanout_t c = { { .type = SET_SCANOUT }, { x, y, w, h }, so, id };
    return cmd(&c, sizeof(c));
}

static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    flush_t c = { { .type = FLUSH }, { x, y, w, h }, id, 0 };
    return cmd(&c, sizeof(c));
}

static void cursor(uint32_t type, uint32_t id, int32_t x, int32_t y, uint32_t hx, uint32_t hy)
{
    cursor_t c = { { .type = type }, 0, (uint32_t)x, (uint32_t)y, 0, id, hx, hy, 0 };
    CHECK(submit(1, &c, sizeof(c), NULL, 0) == 0);
}

static uint32_t config32(uint32_t off)
{
    uint32_t v;
    virtio_gpu_backend.config_read(&vd, off, (uint8_t *)&v, 4);
    return v;
}

static console *con;
static console_view view;
static void refresh(bool full) { console_refresh(con, full, &view); }
static uint32_t px(uint32_t x, uint32_t y) { return view.pixels[(size_t)y * view.width + x]; }

/* the test picture: a guest XRGB8888 pixel for (x, y) */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t salt)
{
    return ((x * 7 + salt) & 0xff) << 16 | ((y * 13 + salt) & 0xff) << 8 | ((x ^ y ^ salt) & 0xff);
}

/* Guest memory of a w x h B8G8R8X8 framebuffer, split in two runs at `split` bytes. */
static void fill_fb(uint32_t w, uint32_t h, uint32_t split, uint32_t salt)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint32_t off = (y * w + x) * 4, v = pattern(x, y, salt);
            for (int b = 0; b < 4; b++) {
                uint32_t o = off + b;
                ram[o < split ? FB_OFF + o : FB_OFF + 0x200000 + (o - split)] = (uint8_t)(v >> (8 * b));
            }
        }
}

int main(void)
{
    address_space as;
    as_init(&as);
    ram = as_add_ram(&as, "ram", RAM, RAM_SIZE);
    CHECK(ram != NULL);

    void *gpu = virtio_gpu_new(1280, 800, "virtio-gpu-test");
    memset(&vd, 0, sizeof(vd));
    vd.backend = &virtio_gpu_backend;
    vd.priv = gpu;
    vd.as = &as;
    vd.notify = notify;
    vd.status = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
    for (unsigned q = 0; q < 2; q++)
        vd.vq[q] = (virtqueue){ .num = QSIZE, .ready = true, .desc = RAM + Q_OFF(q),
                                .avail = RAM + Q_OFF(q) + 0x1000, .used = RAM + Q_OFF(q) + 0x2000 };
    char err[128];
    CHECK(virtio_gpu_attach(&vd, err, sizeof(err)));
    CHECK(console_count() == 1);
    con = console_get(0);
    CHECK(con && console_is_graphic(con) && !strcmp(console_name(con), "virtio-gpu-test"));

    /* ---- 1: device identity and configuration ---- */
    CHECK(virtio_gpu_backend.device_id == 16 && virtio_gpu_backend.num_queues == 2);
    CHECK(virtio_gpu_backend.features & (1u << 1));             /* EDID */
    CHECK(config32(0) == 0 && config32(8) == 1 && config32(12) == 0);

    /* ---- 2: display info and EDID ---- */
    dinfo_t di;
    hdr_t gdi = { .type = GET_DISPLAY_INFO };
    CHECK(submit(0, &gdi, sizeof(gdi), &di, sizeof(di)) == OK_DISPLAY_INFO);
    CHECK(last_used_len == sizeof(di));
    CHECK(di.pm[0].enabled == 1 && di.pm[0].r.w == 1280 && di.pm[0].r.h == 800);
    CHECK(di.pm[1].enabled == 0 && di.pm[1].r.w == 0);
    struct { hdr_t hdr; uint32_t scanout, pad; } ge = { { .type = GET_EDID }, 0, 0 };
    static edid_t ed;
    CHECK(submit(0, &ge, sizeof(ge), &ed, sizeof(ed)) == OK_EDID);
    CHECK(ed.size == 256 && ed.edid[0] == 0 && ed.edid[1] == 0xff && ed.edid[18] == 1 && ed.edid[19] == 4);
    uint8_t sum = 0;
    for (int i = 0; i < 128; i++)
        sum += ed.edid[i];
    CHECK(sum == 0);
    CHECK((ed.edid[56] | (ed.edid[58] >> 4) << 8) == 1280 && (ed.edid[59] | (ed.edid[61] >> 4) << 8) == 800);
    ge.scanout = 1;
    CHECK(submit(0, &ge, sizeof(ge), &ed, sizeof(ed)) == ERR_PARAM);

    /* ---- 3: nothing shown yet: a blank picture ---- */
    refresh(true);
    CHECK(view.width > 0 && px(0, 0) == 0);

    /* ---- 4: the driver's sequence: create, attach, transfer, set scanout, flush ---- */
    const uint32_t W = 64, H = 48, SPLIT = 5000;         /* a run boundary inside a pixel */
    CHECK(create(1, B8G8R8X8, W, H) == OK_NODATA);
    CHECK(create(1, B8G8R8X8, W, H) == ERR_RESOURCE);    /* in use */
    CHECK(create(0, B8G8R8X8, W, H) == ERR_RESOURCE);
    CHECK(create(2, 99, W, H) == ERR_PARAM);
    CHECK(create(2, B8G8R8X8, 0, H) == ERR_PARAM);
    CHECK(create(2, B8G8R8X8, W, 0) == ERR_PARAM);
    CHECK(transfer(1, 0, 0, W, H, 0) == ERR_UNSPEC);      /* no backing yet */
    CHECK(set_scanout(0, 1, 0, 0, W, H) == ERR_UNSPEC);
    ent_t ents[2] = { { RAM + FB_OFF, SPLIT, 0 }, { RAM + FB_OFF + 0x200000, W * H * 4 - SPLIT, 0 } };
    CHECK(attach(1, ents, 2, 2) == OK_NODATA);
    CHECK(attach(1, ents, 2, 2) == ERR_UNSPEC);           /* already attached */
    fill_fb(W, H, SPLIT, 0);
    CHECK(transfer(1, 0, 0, W, H, 0) == OK_NODATA);
    CHECK(set_scanout(0, 1, 0, 0, W, H) == OK_NODATA);
    refresh(false);
    CHECK(view.width == W && view.height == H && view.resized);
    CHECK(view.dirty_y0 == 0 && view.dirty_y1 == H);
    int bad = 0;
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++)
            bad += px(x, y) != pattern(x, y, 0);
    CHECK(bad == 0);
    /* an idle display: nothing to copy */
    refresh(false);
    CHECK(view.dirty_y0 == view.dirty_y1 && !view.resized);

    /* ---- 5: a partial update shows only after its flush, and only its lines ---- */
    fill_fb(W, H, SPLIT, 99);
    uint32_t rx = 8, ry = 10, rw = 16, rh = 10;
    CHECK(transfer(1, rx, ry, rw, rh, (uint64_t)ry * W * 4 + rx * 4) == OK_NODATA);
    refresh(false);
    CHECK(view.dirty_y0 == view.dirty_y1 && px(rx, ry) == pattern(rx, ry, 0));
    CHECK(flush(1, rx, ry, rw, rh) == OK_NODATA);
    refresh(false);
    CHECK(view.dirty_y0 == ry && view.dirty_y1 == ry + rh);
    bad = 0;
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            bool in = x >= rx && x < rx + rw && y >= ry && y < ry + rh;
            bad += px(x, y) != pattern(x, y, in ? 99 : 0);
        }
    CHECK(bad == 0);
    /* a flush of another resource, or outside the scanout, changes nothing */
    CHECK(create(2, B8G8R8X8, W, H) == OK_NODATA);
    CHECK(flush(2, 0, 0, W, H) == OK_NODATA);
    refresh(false);
    CHECK(view.dirty_y0 == view.dirty_y1);

    /* ---- 6: a scanout showing part of the resource ---- */
    CHECK(set_scanout(0, 1, 4, 2, 32, 16) == OK_NODATA);
    refresh(false);
    CHECK(view.width == 32 && view.height == 16 && view.dirty_y1 == 16);
    CHECK(px(0, 0) == pattern(4, 2, 0) && px(31, 15) == pattern(35, 17, 0));
    /* new pixels in resource lines 0-2 (the console reports only lines that changed) */
    fill_fb(W, H, SPLIT, 7);
    CHECK(transfer(1, 0, 0, W, 3, 0) == OK_NODATA);
    CHECK(flush(1, 0, 0, W, 3) == OK_NODATA);             /* resource lines 0-2: scanout line 0 */
    refresh(false);
    CHECK(view.dirty_y0 == 0 && view.dirty_y1 == 1);
    /* back as it was: resource lines 0-2 of salt 0, the guest's framebuffer of salt 99 */
    fill_fb(W, H, SPLIT, 0);
    CHECK(transfer(1, 0, 0, W, 3, 0) == OK_NODATA);
    fill_fb(W, H, SPLIT, 99);
    CHECK(flush(1, 40, 0, 24, H) == OK_NODATA);           /* right of the scanout */
    refresh(false);
    CHECK(view.dirty_y0 == view.dirty_y1);
    CHECK(set_scanout(0, 1, 0, 0, W, H) == OK_NODATA);

    /* ---- 7: pixel formats (a resource's bytes name the channels in memory order) ---- */
    static const struct { uint32_t fmt; uint8_t bytes[4]; } fmts[] = {
        { B8G8R8A8, { 0x33, 0x22, 0x11, 0x80 } }, { B8G8R8X8, { 0x33, 0x22, 0x11, 0 } },
        { A8R8G8B8, { 0x80, 0x11, 0x22, 0x33 } }, { X8R8G8B8, { 0, 0x11, 0x22, 0x33 } },
        { R8G8B8A8, { 0x11, 0x22, 0x33, 0x80 } }, { X8B8G8R8, { 0, 0x33, 0x22, 0x11 } },
        { A8B8G8R8, { 0x80, 0x33, 0x22, 0x11 } }, { R8G8B8X8, { 0x11, 0x22, 0x33, 0 } },
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        uint32_t id = 10 + (uint32_t)i;
        CHECK(create(id, fmts[i].fmt, 16, 16) == OK_NODATA);
        for (int p = 0; p < 256; p++)
            memcpy(ram + FB_OFF + 0x400000 + 4 * p, fmts[i].bytes, 4);
        ent_t e = { RAM + FB_OFF + 0x400000, 1024, 0 };
        CHECK(attach(id, &e, 1, 1) == OK_NODATA);
        CHECK(transfer(id, 0, 0, 16, 16, 0) == OK_NODATA);
        CHECK(set_scanout(0, id, 0, 0, 16, 16) == OK_NODATA);
        refresh(false);
        CHECK(view.width == 16 && px(0, 0) == 0x112233 && px(15, 15) == 0x112233);
    }
    CHECK(set_scanout(0, 1, 0, 0, W, H) == OK_NODATA);

    /* ---- 8: fences are echoed ---- */
    create_t fc = { { .type = CREATE_2D, .flags = 1, .fence_id = 0x123456789abull, .ctx_id = 7 }, 30, B8G8R8X8, 16, 16 };
    hdr_t fr;
    CHECK(submit(0, &fc, sizeof(fc), &fr, sizeof(fr)) == OK_NODATA);
    CHECK(fr.flags == 1 && fr.fence_id == 0x123456789abull && fr.ctx_id == 7);
    fc.hdr.fence_id = 5;
    CHECK(submit(0, &fc, sizeof(fc), &fr, sizeof(fr)) == ERR_RESOURCE);   /* errors are fenced too */
    CHECK(fr.flags == 1 && fr.fence_id == 5);
    CHECK(simple(UNREF, 30) == OK_NODATA);

    /* ---- 9: malformed requests ---- */
    CHECK(transfer(77, 0, 0, 1, 1, 0) == ERR_RESOURCE);
    CHECK(transfer(1, 0, 0, W + 1, 1, 0) == ERR_PARAM);
    CHECK(transfer(1, 0xffffffffu, 0, 2, 1, 0) == ERR_PARAM);
    CHECK(transfer(1, 0x80000000u, 0, 0x80000000u + 16, 1, 0) == ERR_PARAM);  /* x + w wraps 32 bits */
    CHECK(transfer(1, 0, 1, W, 0xffffffffu, 0) == ERR_PARAM);
    CHECK(transfer(1, 0, 0, W, H, UINT64_MAX - 3) == OK_NODATA);             /* past the backing: no-op */
    CHECK(transfer(1, 5, 5, 10, 10, UINT64_MAX - 100) == OK_NODATA);
    CHECK(transfer(1, 0, 0, 0, 0, 0) == OK_NODATA);
    CHECK(flush(77, 0, 0, 1, 1) == ERR_RESOURCE);
    CHECK(flush(1, 0, 0, W, H + 1) == ERR_PARAM);
    CHECK(flush(1, 0xfffffff0u, 0, 0x20, 1) == ERR_PARAM);
    CHECK(set_scanout(1, 1, 0, 0, W, H) == ERR_SCANOUT);
    CHECK(set_scanout(0xffffffffu, 0, 0, 0, 0, 0) == ERR_SCANOUT);
    CHECK(set_scanout(0, 77, 0, 0, W, H) == ERR_RESOURCE);
    CHECK(set_scanout(0, 1, 0, 0, 8, 8) == ERR_PARAM);                        /* below 16x16 */
    CHECK(set_scanout(0, 1, 1, 0, W, H) == ERR_PARAM);
    CHECK(set_scanout(0, 1, 0xffffffffu, 0, 16, 16) == ERR_PARAM);
    CHECK(simple(UNREF, 77) == ERR_RESOURCE);
    CHECK(simple(DETACH, 77) == ERR_RESOURCE);
    CHECK(simple(DETACH, 2) == ERR_UNSPEC);                                  /* never attached */
    /* backing */
    ent_t e3[3] = { { RAM + FB_OFF, 64, 0 }, { RAM + FB_OFF + 64, 64, 0 } };
    CHECK(attach(77, e3, 1, 1) == ERR_RESOURCE);
    CHECK(attach(2, e3, 2, 3) == ERR_UNSPEC);                                 /* entries missing */
    CHECK(attach(2, e3, 0, 16385) == ERR_UNSPEC);                             /* over QEMU's limit */
    CHECK(attach(2, e3, 0, 0xffffffffu) == ERR_UNSPEC);
    e3[0] = (ent_t){ 0x1000, 4096, 0 };                                       /* not RAM */
    CHECK(attach(2, e3, 1, 1) == ERR_UNSPEC);
    e3[0] = (ent_t){ RAM + RAM_SIZE - 100, 4096, 0 };                         /* runs off RAM's end */
    CHECK(attach(2, e3, 1, 1) == ERR_UNSPEC);
    e3[0] = (ent_t){ UINT64_MAX - 10, 4096, 0 };                              /* wraps */
    CHECK(attach(2, e3, 1, 1) == ERR_UNSPEC);
    e3[0] = (ent_t){ RAM + FB_OFF, 64, 0 };
    e3[1] = (ent_t){ 0, 0xffffffffu, 0 };                                     /* a bad second entry */
    CHECK(attach(2, e3, 2, 2) == ERR_UNSPEC);
    CHECK(transfer(2, 0, 0, W, H, 0) == ERR_UNSPEC);                          /* so still unbacked */
    /* overlapping entries and empty ones are legal; a short backing fills what it has */
    e3[0] = (ent_t){ RAM + FB_OFF, 256, 0 };
    e3[1] = (ent_t){ RAM + FB_OFF, 0, 0 };
    e3[2] = (ent_t){ RAM + FB_OFF, 256, 0 };
    CHECK(attach(2, e3, 3, 3) == OK_NODATA);
    CHECK(transfer(2, 0, 0, W, H, 0) == OK_NODATA);
    CHECK(transfer(2, 3, 3, 40, 40, 100) == OK_NODATA);
    CHECK(simple(DETACH, 2) == OK_NODATA);
    CHECK(transfer(2, 0, 0, W, H, 0) == ERR_UNSPEC);
    CHECK(attach(2, e3, 0, 0) == OK_NODATA);                                  /* nothing: stays unbacked */
    CHECK(transfer(2, 0, 0, W, H, 0) == ERR_UNSPEC);
    /* truncated commands and responses */
    create_t sc = { { .type = CREATE_2D }, 40, B8G8R8X8, 16, 16 };
    CHECK(cmd(&sc, sizeof(hdr_t)) == ERR_UNSPEC);                             /* header only */
    CHECK(cmd(&sc, sizeof(sc) - 1) == ERR_UNSPEC);
    CHECK(cmd(&sc, 10) == ERR_UNSPEC);                                        /* not even a header */
    uint8_t small[8];
    CHECK(submit(0, &gdi, sizeof(gdi), small, sizeof(small)) == OK_DISPLAY_INFO);
    CHECK(last_used_len == sizeof(small));
    CHECK(submit(0, &gdi, sizeof(gdi), NULL, 0) == 0 && last_used_len == 0);
    /* commands a 2D device does not have */
    res_t capset = { { .type = GET_CAPSET_INFO }, 0, 0 };
    CHECK(cmd(&capset, sizeof(capset)) == ERR_UNSPEC);
    hdr_t other = { .type = CTX_CREATE };
    CHECK(cmd(&other, sizeof(other)) == ERR_UNSPEC);
    other.type = 0xdeadbeef;
    CHECK(cmd(&other, sizeof(other)) == ERR_UNSPEC);
    other.type = CREATE_BLOB;
    CHECK(cmd(&other, sizeof(other)) == ERR_PARAM);
    other.type = UPDATE_CURSOR;                                               /* wrong queue */
    CHECK(cmd(&other, sizeof(other)) == ERR_UNSPEC);
    CHECK(!(vd.status & VIRTIO_STATUS_NEEDS_RESET));
    /* the picture survived all that */
    refresh(true);
    CHECK(view.width == W && px(0, 0) == pattern(0, 0, 0));

    /* ---- 10: the host memory cap (256 MiB, QEMU's) ---- */
    CHECK(create(100, B8G8R8X8, 0xffffffffu, 0xffffffffu) == ERR_OOM);      /* w*h*4 overflows 64 bits */
    CHECK(create(100, B8G8R8X8, 0x10000, 0x10000) == ERR_OOM);              /* 16 GiB */
    int made = 0;
    uint32_t r;
    while ((r = create(100 + (uint32_t)made, B8G8R8X8, 4000, 4000)) == OK_NODATA)   /* 61 MiB each */
        made++;
    CHECK(r == ERR_OOM && made == 4);
    CHECK(create(200, B8G8R8X8, 2000, 2000) == ERR_OOM);
    CHECK(simple(UNREF, 100) == OK_NODATA);                                    /* gives it back */
    CHECK(create(200, B8G8R8X8, 2000, 2000) == OK_NODATA);
    CHECK(simple(UNREF, 200) == OK_NODATA);
    for (int i = 1; i < made; i++)
        CHECK(simple(UNREF, 100 + (uint32_t)i) == OK_NODATA);
    CHECK(create(100, B8G8R8X8, 4000, 4000) == OK_NODATA);
    CHECK(simple(UNREF, 100) == OK_NODATA);

    /* ---- 11: the cursor queue ---- */
    CHECK(create(50, B8G8R8A8, 64, 64) == OK_NODATA);
    for (int i = 0; i < 64 * 64; i++) {
        uint32_t v = 0x80000000u | (uint32_t)i;
        memcpy(ram + FB_OFF + 0x500000 + 4 * i, &v, 4);
    }
    ent_t ce = { RAM + FB_OFF + 0x500000, 64 * 64 * 4, 0 };
    CHECK(attach(50, &ce, 1, 1) == OK_NODATA);
    CHECK(transfer(50, 0, 0, 64, 64, 0) == OK_NODATA);
    cursor(UPDATE_CURSOR, 50, 100, 200, 3, 4);
    refresh(false);
    CHECK(view.cursor && view.cursor_changed && view.cursor_w == 64 && view.cursor_h == 64);
    CHECK(view.cursor_hx == 3 && view.cursor_hy == 4 && view.cursor_x == 100 && view.cursor_y == 200);
    CHECK(view.cursor && view.cursor[0] == 0x80000000u && view.cursor[4095] == 0x80000fffu);
    cursor(MOVE_CURSOR, 50, -5, 7, 0, 0);
    refresh(false);
    CHECK(view.cursor && view.cursor_x == -5 && view.cursor_y == 7);
    cursor(UPDATE_CURSOR, 1, 10, 10, 0, 0);           /* not 64x64: the image stays */
    refresh(false);
    CHECK(view.cursor && view.cursor[1] == 0x80000001u);
    cursor(UPDATE_CURSOR, 0, 10, 10, 0, 0);           /* hide */
    refresh(false);
    CHECK(view.cursor == NULL);
    cursor_t cc = { { .type = UPDATE_CURSOR }, 5, 1, 1, 0, 50, 0, 0, 0 };   /* no scanout 5 */
    CHECK(submit(1, &cc, sizeof(cc), NULL, 0) == 0);
    CHECK(submit(1, &cc, 12, NULL, 0) == 0);          /* truncated */
    cc.hdr.type = 0x1234;
    CHECK(submit(1, &cc, sizeof(cc), NULL, 0) == 0);
    refresh(false);
    CHECK(view.cursor == NULL);

    /* ---- 12: the window resizes: a config interrupt, new display info and EDID ---- */
    void *opaque;
    const console_ops *ops = console_ops_of(con, &opaque);
    CHECK(ops && ops->resize_hint && opaque == gpu);
    notified = 0;
    vd.isr = 0;
    ops->resize_hint(opaque, 1920, 1080);
    CHECK(notified == 1 && last_notify_queue == -1 && (vd.isr & 2));
    CHECK(config32(0) == 1);
    CHECK(submit(0, &gdi, sizeof(gdi), &di, sizeof(di)) == OK_DISPLAY_INFO);
    CHECK(di.pm[0].r.w == 1920 && di.pm[0].r.h == 1080);
    ge.scanout = 0;
    CHECK(submit(0, &ge, sizeof(ge), &ed, sizeof(ed)) == OK_EDID);
    CHECK((ed.edid[56] | (ed.edid[58] >> 4) << 8) == 1920 && (ed.edid[59] | (ed.edid[61] >> 4) << 8) == 1080);
    uint8_t clr[4] = { 1, 0, 0, 0 };
    virtio_gpu_backend.config_write(&vd, 4, clr, 4);                        /* events_clear */
    CHECK(config32(0) == 0);
    virtio_gpu_backend.config_write(&vd, 0, clr, 4);                        /* events_read: read-only */
    CHECK(config32(8) == 1);
    notified = 0;
    ops->resize_hint(opaque, 1920, 1080);                                     /* no change: no event */
    CHECK(notified == 0 && config32(0) == 0);
    ops->resize_hint(opaque, 100000, 3);                                      /* clamped to what EDID says */
    CHECK(submit(0, &gdi, sizeof(gdi), &di, sizeof(di)) == OK_DISPLAY_INFO);
    CHECK(di.pm[0].r.w == EDID_MAX_DIM && di.pm[0].r.h == EDID_MIN_DIM);
    /* a driver not yet running gets the event, without the interrupt */
    vd.status = 0;
    notified = 0;
    ops->resize_hint(opaque, 800, 600);
    CHECK(notified == 0 && config32(0) == 1);
    vd.status = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;

    /* ---- 13: unref of the shown resource blanks the display; reset drops everything ---- */
    CHECK(simple(UNREF, 1) == OK_NODATA);
    refresh(false);
    CHECK(view.dirty_y1 > view.dirty_y0 && px(0, 0) == 0 && px(W - 1, H - 1) == 0);
    refresh(false);
    CHECK(view.dirty_y0 == view.dirty_y1);
    CHECK(create(1, B8G8R8X8, W, H) == OK_NODATA);
    CHECK(attach(1, ents, 2, 2) == OK_NODATA);
    CHECK(transfer(1, 0, 0, W, H, 0) == OK_NODATA);
    CHECK(set_scanout(0, 1, 0, 0, W, H) == OK_NODATA);
    refresh(false);
    CHECK(px(1, 1) == pattern(1, 1, 99));
    virtio_gpu_backend.reset(&vd);
    CHECK(config32(0) == 0);
    refresh(false);
    CHECK(px(1, 1) == 0);
    CHECK(transfer(1, 0, 0, W, H, 0) == ERR_RESOURCE);
    CHECK(create(1, B8G8R8X8, W, H) == OK_NODATA);                            /* the id is free again */
    CHECK(set_scanout(0, 0, 0, 0, 0, 0) == OK_NODATA);                        /* disable: always fine */

    /* ---- 14: random commands ---- */
    static const uint32_t types[] = { GET_DISPLAY_INFO, CREATE_2D, UNREF, SET_SCANOUT, FLUSH, TRANSFER,
                                      ATTACH, DETACH, GET_CAPSET_INFO, GET_EDID, CREATE_BLOB, CTX_CREATE,
                                      UPDATE_CURSOR, 0 };
    static const uint32_t fmtv[] = { B8G8R8A8, B8G8R8X8, A8R8G8B8, X8R8G8B8, R8G8B8A8, X8B8G8R8, A8B8G8R8,
                                     R8G8B8X8, 0, 5 };
    static uint8_t buf[sizeof(attach_t) + 64 * sizeof(ent_t)];
    int answered = 0;
    for (int iter = 0; iter < 20000; iter++) {
        for (size_t i = 0; i < sizeof(buf); i += 8) {
            uint64_t v = rnd();
            memcpy(buf + i, &v, 8);
        }
        hdr_t *h = (hdr_t *)buf;
        h->type = rnd() % 16 ? types[rnd() % (sizeof(types) / sizeof(types[0]))] : (uint32_t)rnd();
        h->flags = (uint32_t)(rnd() % 4);
        uint32_t *f = (uint32_t *)(buf + sizeof(hdr_t));
        /* mostly plausible fields, so the checks past the first ones run too */
        for (int i = 0; i < 10; i++) {
            switch (rnd() % 6) {
            case 0: f[i] = (uint32_t)rnd() % 8; break;                        /* ids, scanouts */
            case 1: f[i] = (uint32_t)rnd() % 300; break;                      /* sizes, offsets */
            case 2: f[i] = fmtv[rnd() % (sizeof(fmtv) / sizeof(fmtv[0]))]; break;
            case 3: f[i] = 0xffffffffu - (uint32_t)(rnd() % 4); break;
            case 4: f[i] = 16 + (uint32_t)(rnd() % 64); break;
            default: break;                                                    /* random */
            }
        }
        /* and often a command right in every field, so that the success paths run */
        if (rnd() % 4) {
            uint32_t id = (uint32_t)(rnd() % 8), sx = (uint32_t)(rnd() % 48), sy = (uint32_t)(rnd() % 48);
            uint32_t sw = 16 + (uint32_t)(rnd() % 100), sh = 16 + (uint32_t)(rnd() % 100);
            switch (h->type) {
            case CREATE_2D: f[0] = id; f[1] = fmtv[rnd() % 8]; break;
            case UNREF: case DETACH: case ATTACH: f[0] = id; break;
            case GET_EDID: f[0] = (uint32_t)(rnd() % 2); break;
            case SET_SCANOUT: f[0] = sx; f[1] = sy; f[2] = sw; f[3] = sh; f[4] = rnd() % 8 != 0; f[5] = id; break;
            case FLUSH: f[0] = sx; f[1] = sy; f[2] = sw; f[3] = sh; f[4] = id; break;
            case TRANSFER:
                f[0] = sx; f[1] = sy; f[2] = sw; f[3] = sh;
                f[4] = (uint32_t)(rnd() % 0x20000); f[5] = 0; f[6] = id;
                break;
            }
        }
        if (h->type == ATTACH) {
            f[1] = rnd() % 8 ? (uint32_t)(rnd() % 5) : (uint32_t)rnd();
            ent_t *e = (ent_t *)(buf + sizeof(attach_t));
            for (int i = 0; i < 64; i++) {
                switch (rnd() % 4) {
                case 0: e[i].addr = RAM + FB_OFF + rnd() % 0x100000; e[i].len = (uint32_t)(rnd() % 0x20000); break;
                case 1: e[i].addr = RAM + RAM_SIZE - rnd() % 0x2000; e[i].len = (uint32_t)(rnd() % 0x4000); break;
                case 2: e[i].addr = RAM + FB_OFF; e[i].len = 0; break;
                default: break;
                }
            }
        }
        if (h->type == CREATE_2D && rnd() % 4) {                              /* keep memory modest */
            f[2] = 1 + (uint32_t)(rnd() % 200);
            f[3] = 1 + (uint32_t)(rnd() % 200);
        }
        size_t len = rnd() % 8 ? sizeof(buf) : (size_t)(rnd() % 80);
        size_t rlen = rnd() % 8 ? 1056 : (size_t)(rnd() % 64);
        unsigned q = h->type >= UPDATE_CURSOR && h->type <= MOVE_CURSOR && rnd() % 2 ? 1 : 0;
        static uint8_t resp[1100];
        uint32_t t = submit(q, buf, len, resp, rlen);
        if (q == 0 && rlen >= 24) {
            answered++;
            CHECK((t >= OK_NODATA && t <= OK_EDID) || (t >= ERR_UNSPEC && t <= ERR_PARAM));
            hdr_t rh;
            memcpy(&rh, resp, sizeof(rh));
            if (len >= sizeof(hdr_t) && (h->flags & 1))
                CHECK((rh.flags & 1) && rh.fence_id == h->fence_id && rh.ctx_id == h->ctx_id);
        }
        if (rnd() % 64 == 0)
            refresh(rnd() % 2);
        if (rnd() % 4096 == 0) {
            resize_hint_again:
            ops->resize_hint(opaque, (uint32_t)(rnd() % 5000), (uint32_t)(rnd() % 5000));
            if (rnd() % 2)
                goto resize_hint_again;
        }
        if (rnd() % 2048 == 0)
            virtio_gpu_backend.reset(&vd);
    }
    CHECK(answered > 10000);
    CHECK(!(vd.status & VIRTIO_STATUS_NEEDS_RESET));
    CHECK(submit(0, &gdi, sizeof(gdi), &di, sizeof(di)) == OK_DISPLAY_INFO);

    virtio_gpu_backend.destroy(&vd);
    as_destroy(&as);
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("test_virtio_gpu: all passed\n");
    return 0;
}
