/*
 * The input router (ui/input.c) and the virtio-input devices: who gets which event,
 * the configuration space of the keyboard, mouse and tablet as a Linux driver reads it,
 * events arriving in posted buffers in order and in whole groups, waiting for buffers,
 * overflow, the status queue, reset, and a hostile driver (random rings and config
 * accesses) that must not crash anything. The "driver" here is a few helpers writing
 * split rings into fake guest RAM.
 */
#include "core/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_input.h"
#include "ui/input.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define KEY_A 30
#define KEY_MEDIA 226
#define EV_LED 0x11
#define EV_REP 0x14
#define LED_CAPSL 1

/* ---- the router, with recording handlers ---- */

typedef struct ev { uint16_t type, code; int32_t value; } ev;
typedef struct rec { ev e[64]; int n; } rec;

static void record(void *opaque, uint16_t type, uint16_t code, int32_t value)
{
    rec *r = opaque;
    if (r->n < 64)
        r->e[r->n++] = (ev){ type, code, value };
}

static bool is(const ev *e, uint16_t type, uint16_t code, int32_t value)
{
    return e->type == type && e->code == code && e->value == value;
}

static void test_router(void)
{
    rec kbd = { 0 }, mouse = { 0 }, tablet = { 0 };
    input_handler hk = { INPUT_KIND_KEYBOARD, record, &kbd };
    input_handler hm = { INPUT_KIND_MOUSE, record, &mouse };
    input_handler ht = { INPUT_KIND_TABLET, record, &tablet };
    CHECK(!input_have(INPUT_KIND_KEYBOARD) && !input_have(INPUT_KIND_MOUSE));
    input_register(&hk);
    input_register(&hm);
    input_register(&hm);                     /* twice is once */
    CHECK(input_have(INPUT_KIND_KEYBOARD) && input_have(INPUT_KIND_MOUSE) && !input_have(INPUT_KIND_TABLET));
    input_register(&ht);
    CHECK(input_have(INPUT_KIND_TABLET));

    input_send_key(KEY_A, true);
    input_sync();
    CHECK(kbd.n == 2 && is(&kbd.e[0], INPUT_EV_KEY, KEY_A, 1) && is(&kbd.e[1], INPUT_EV_SYN, INPUT_SYN_REPORT, 0));
    CHECK(mouse.n == 0 && tablet.n == 0);    /* no SYN for those that got nothing */

    kbd.n = 0;
    input_send_button(INPUT_BTN_LEFT, true);
    input_send_rel(5, -3, 0);
    input_send_abs(100, 0x10000);            /* y beyond the range: clamped */
    input_sync();
    CHECK(kbd.n == 0);
    CHECK(mouse.n == 4 && is(&mouse.e[0], INPUT_EV_KEY, INPUT_BTN_LEFT, 1) &&
          is(&mouse.e[1], INPUT_EV_REL, INPUT_REL_X, 5) && is(&mouse.e[2], INPUT_EV_REL, INPUT_REL_Y, -3) &&
          is(&mouse.e[3], INPUT_EV_SYN, INPUT_SYN_REPORT, 0));
    CHECK(tablet.n == 4 && is(&tablet.e[0], INPUT_EV_KEY, INPUT_BTN_LEFT, 1) &&
          is(&tablet.e[1], INPUT_EV_ABS, INPUT_ABS_X, 100) &&
          is(&tablet.e[2], INPUT_EV_ABS, INPUT_ABS_Y, INPUT_ABS_MAX) &&
          is(&tablet.e[3], INPUT_EV_SYN, INPUT_SYN_REPORT, 0));

    /* the wheel reaches mice and tablets; zero motion sends nothing */
    mouse.n = tablet.n = 0;
    input_send_rel(0, 0, -1);
    input_sync();
    CHECK(mouse.n == 2 && is(&mouse.e[0], INPUT_EV_REL, INPUT_REL_WHEEL, -1));
    CHECK(tablet.n == 2 && is(&tablet.e[0], INPUT_EV_REL, INPUT_REL_WHEEL, -1));
    mouse.n = tablet.n = 0;
    input_send_rel(0, 0, 0);
    input_sync();
    input_sync();
    CHECK(mouse.n == 0 && tablet.n == 0);

    input_unregister(&hk);
    input_unregister(&hm);
    input_unregister(&ht);
    input_unregister(&ht);                   /* not registered: nothing happens */
    CHECK(!input_have(INPUT_KIND_KEYBOARD | INPUT_KIND_MOUSE | INPUT_KIND_TABLET));
    kbd.n = 0;
    input_send_key(KEY_A, false);
    input_sync();
    CHECK(kbd.n == 0);
}

/* ---- a guest driver over fake RAM ---- */

#define RAM 0x80000000ull
#define RAM_SIZE (1u << 20)
/* queue 0 (events) and queue 1 (status): descriptor table, avail and used rings */
#define DESC(q) (RAM + 0x1000 + (q) * 0x10000)
#define AVAIL(q) (RAM + 0x3000 + (q) * 0x10000)
#define USED(q) (RAM + 0x5000 + (q) * 0x10000)
#define BUF(q) (RAM + 0x8000 + (q) * 0x10000)     /* buffer of descriptor i at BUF + 8i */

static address_space as;
static uint8_t *ram;
static int irqs;
static void notify(virtio_dev *vd) { irqs++; }

typedef struct drv { uint16_t avail_idx, used_seen; } drv;
static drv drvq[2];

static void *gpa(uint64_t a) { return ram + (a - RAM); }
static uint16_t rd16(uint64_t a) { uint16_t v; memcpy(&v, gpa(a), 2); return v; }
static uint32_t rd32(uint64_t a) { uint32_t v; memcpy(&v, gpa(a), 4); return v; }
static void wr16(uint64_t a, uint16_t v) { memcpy(gpa(a), &v, 2); }

static void setup(virtio_dev *vd, void *priv, uint32_t num)
{
    memset(vd, 0, sizeof(*vd));
    vd->backend = &virtio_input_backend;
    vd->priv = priv;
    vd->as = &as;
    vd->notify = notify;
    vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                 VIRTIO_STATUS_DRIVER_OK;
    for (unsigned q = 0; q < 2; q++) {
        vd->vq[q] = (virtqueue){ .num = num, .ready = true, .desc = DESC(q), .avail = AVAIL(q), .used = USED(q) };
        memset(gpa(DESC(q)), 0, 0x7000);
        drvq[q] = (drv){ 0, 0 };
    }
}

/* Post n buffers of `len` bytes on queue q (device-writable on 0, readable on 1, whose
 * contents the caller wrote) and kick. Descriptor i is used for avail slot i: the device returns them in order. */
static void post(virtio_dev *vd, unsigned q, unsigned n, uint32_t len)
{
    uint32_t num = vd->vq[q].num;
    for (unsigned k = 0; k < n; k++) {
        uint16_t slot = (uint16_t)(drvq[q].avail_idx % num);
        struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = {
            BUF(q) + 8ull * slot, len, q == 0 ? 2 : 0, 0,
        };
        memcpy(gpa(DESC(q) + 16ull * slot), &d, sizeof(d));
        if (q == 0)
            memset(gpa(BUF(q) + 8ull * slot), 0xee, 8);
        wr16(AVAIL(q) + 4 + 2ull * slot, slot);
        drvq[q].avail_idx++;
    }
    wr16(AVAIL(q) + 2, drvq[q].avail_idx);
    virtio_input_backend.queue_notify(vd, q);
}

/* Events the device returned on queue 0 since the last call. */
static int collect(virtio_dev *vd, ev *out, int max)
{
    uint32_t num = vd->vq[0].num;
    uint16_t used = rd16(USED(0) + 2);
    int n = 0;
    while (drvq[0].used_seen != used && n < max) {
        uint64_t elem = USED(0) + 4 + 8ull * (drvq[0].used_seen % num);
        uint32_t id = rd32(elem), len = rd32(elem + 4);
        CHECK(id < num && len == 8);
        uint8_t *b = gpa(BUF(0) + 8ull * id);
        out[n].type = (uint16_t)(b[0] | b[1] << 8);
        out[n].code = (uint16_t)(b[2] | b[3] << 8);
        out[n].value = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24);
        n++;
        drvq[0].used_seen++;
    }
    return n;
}

/* The driver's virtinput_cfg_select: write select and subsel, read size. */
static uint8_t cfg_select(virtio_dev *vd, uint8_t select, uint8_t subsel)
{
    uint8_t size;
    virtio_input_backend.config_write(vd, 0, &select, 1);
    virtio_input_backend.config_write(vd, 1, &subsel, 1);
    virtio_input_backend.config_read(vd, 2, &size, 1);
    return size;
}

static void cfg_union(virtio_dev *vd, uint8_t *buf)
{
    virtio_input_backend.config_read(vd, 8, buf, 128);
}

static bool bit(const uint8_t *map, unsigned b) { return (map[b / 8] >> (b % 8)) & 1; }

static void test_config(void)
{
    static const char *const names[] = { "QEMU Virtio Keyboard", "QEMU Virtio Mouse", "QEMU Virtio Tablet" };
    uint8_t u[128];
    for (int kind = VIRTIO_INPUT_KEYBOARD; kind <= VIRTIO_INPUT_TABLET; kind++) {
        virtio_dev vd;
        setup(&vd, virtio_input_new((virtio_input_kind)kind), 8);
        CHECK(virtio_input_backend.device_id == 18 && virtio_input_backend.num_queues == 2);

        CHECK(cfg_select(&vd, 1, 0) == strlen(names[kind]) + 1);     /* ID_NAME */
        cfg_union(&vd, u);
        CHECK(strcmp((char *)u, names[kind]) == 0);
        CHECK(cfg_select(&vd, 1, 1) == 0);                           /* a name has no subsel */
        CHECK(cfg_select(&vd, 2, 0) == 0);                           /* ID_SERIAL: none */
        CHECK(cfg_select(&vd, 3, 0) == 8);                           /* ID_DEVIDS */
        cfg_union(&vd, u);
        CHECK(u[0] == 6 && u[1] == 0);                               /* BUS_VIRTUAL */
        CHECK(u[2] == 0x27 && u[3] == 0x06);
        CHECK(u[4] == kind + 1 && u[5] == 0);
        CHECK(u[6] == (kind == VIRTIO_INPUT_KEYBOARD ? 1 : 2));
        CHECK(cfg_select(&vd, 0x10, 0) == 0);                        /* PROP_BITS: none */
        CHECK(cfg_select(&vd, 0, 0) == 0);                           /* UNSET */
        CHECK(cfg_select(&vd, 0x55, 3) == 0);                        /* nonsense */
        cfg_union(&vd, u);
        CHECK(u[0] == 0 && u[127] == 0);
        CHECK(cfg_select(&vd, 0x11, INPUT_EV_SYN) == 0);
        CHECK(cfg_select(&vd, 0x11, 0xff) == 0);

        uint8_t size = cfg_select(&vd, 0x11, INPUT_EV_KEY);
        cfg_union(&vd, u);
        if (kind == VIRTIO_INPUT_KEYBOARD) {
            CHECK(size == KEY_MEDIA / 8 + 1);
            CHECK(bit(u, KEY_A) && bit(u, 1) && bit(u, 83) && bit(u, 194) && bit(u, KEY_MEDIA));
            CHECK(!bit(u, 0) && !bit(u, 84) && !bit(u, 195));
            CHECK(cfg_select(&vd, 0x11, EV_LED) == 1);
            cfg_union(&vd, u);
            CHECK(u[0] == 7);                                        /* NUML, CAPSL, SCROLLL */
            CHECK(cfg_select(&vd, 0x11, EV_REP) == 1);
            cfg_union(&vd, u);
            CHECK(u[0] == 0);
            CHECK(cfg_select(&vd, 0x11, INPUT_EV_REL) == 0 && cfg_select(&vd, 0x11, INPUT_EV_ABS) == 0);
        } else {
            CHECK(size == 0x151 / 8 + 1);                            /* up to BTN_GEAR_UP */
            CHECK(bit(u, INPUT_BTN_LEFT) && bit(u, INPUT_BTN_RIGHT) && bit(u, INPUT_BTN_MIDDLE) &&
                  bit(u, INPUT_BTN_SIDE) && bit(u, INPUT_BTN_EXTRA) && !bit(u, KEY_A));
            CHECK(cfg_select(&vd, 0x11, EV_LED) == 0 && cfg_select(&vd, 0x11, EV_REP) == 0);
            CHECK(cfg_select(&vd, 0x11, INPUT_EV_REL) == 2);
            cfg_union(&vd, u);
            CHECK(bit(u, INPUT_REL_WHEEL));
            CHECK(bit(u, INPUT_REL_X) == (kind == VIRTIO_INPUT_MOUSE) && bit(u, INPUT_REL_Y) == (kind == VIRTIO_INPUT_MOUSE));
        }
        if (kind == VIRTIO_INPUT_TABLET) {
            CHECK(cfg_select(&vd, 0x11, INPUT_EV_ABS) == 1);
            cfg_union(&vd, u);
            CHECK(u[0] == 3);                                        /* ABS_X, ABS_Y */
            for (uint8_t axis = INPUT_ABS_X; axis <= INPUT_ABS_Y; axis++) {
                CHECK(cfg_select(&vd, 0x12, axis) == 20);
                cfg_union(&vd, u);
                uint32_t absinfo[5];
                memcpy(absinfo, u, sizeof(absinfo));
                CHECK(absinfo[0] == 0 && absinfo[1] == 0x7fff && absinfo[2] == 0 && absinfo[3] == 0 && absinfo[4] == 0);
            }
            CHECK(cfg_select(&vd, 0x12, 2) == 0);
        } else {
            CHECK(cfg_select(&vd, 0x11, INPUT_EV_ABS) == 0 && cfg_select(&vd, 0x12, INPUT_ABS_X) == 0);
        }

        /* select and subsel in one 16-bit write; the rest of the space is read-only */
        uint8_t sel[2] = { 1, 0 };
        virtio_input_backend.config_write(&vd, 0, sel, 2);
        uint8_t hdr[8];
        virtio_input_backend.config_read(&vd, 0, hdr, 8);
        CHECK(hdr[0] == 1 && hdr[1] == 0 && hdr[2] == strlen(names[kind]) + 1);
        uint8_t junk[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        virtio_input_backend.config_write(&vd, 2, junk, 8);
        virtio_input_backend.config_write(&vd, 200, junk, 8);
        virtio_input_backend.config_write(&vd, 0xfffffffcu, junk, 8);   /* wraps past 0 if added carelessly */
        virtio_input_backend.config_read(&vd, 0, hdr, 8);
        CHECK(hdr[0] == 1 && hdr[1] == 0 && hdr[2] == strlen(names[kind]) + 1 && hdr[3] == 0);
        /* reads across and past the end: zeros, no overrun */
        uint8_t tail[8];
        memset(tail, 0xaa, sizeof(tail));
        virtio_input_backend.config_read(&vd, 132, tail, 8);
        CHECK(tail[4] == 0 && tail[7] == 0);
        virtio_input_backend.config_read(&vd, 0xfffffff0u, tail, 8);
        CHECK(tail[0] == 0);
        virtio_input_backend.destroy(&vd);
    }
}

static void test_events(void)
{
    ev got[512];
    virtio_dev vd;
    void *kbd = virtio_input_new(VIRTIO_INPUT_KEYBOARD);
    setup(&vd, kbd, 256);
    char err[128];
    CHECK(virtio_input_attach(&vd, err, sizeof(err)));
    CHECK(input_have(INPUT_KIND_KEYBOARD) && !input_have(INPUT_KIND_MOUSE));

    /* 1: posted buffers get the events in order, each group ending in SYN_REPORT */
    post(&vd, 0, 8, 8);
    irqs = 0;
    input_send_key(KEY_A, true);
    input_sync();
    input_send_key(KEY_A, false);
    input_send_key(KEY_MEDIA, true);
    input_send_key(0x2ff, true);              /* not a key this keyboard has: dropped */
    input_sync();
    int n = collect(&vd, got, 512);
    CHECK(n == 5);
    CHECK(is(&got[0], INPUT_EV_KEY, KEY_A, 1) && is(&got[1], INPUT_EV_SYN, INPUT_SYN_REPORT, 0));
    CHECK(is(&got[2], INPUT_EV_KEY, KEY_A, 0) && is(&got[3], INPUT_EV_KEY, KEY_MEDIA, 1) &&
          is(&got[4], INPUT_EV_SYN, INPUT_SYN_REPORT, 0));
    CHECK(irqs > 0);
    /* a group with only unknown keys sends not even its SYN_REPORT */
    input_send_key(0x2ff, false);
    input_sync();
    CHECK(collect(&vd, got, 512) == 0);

    /* 2: no buffers: events wait; a group goes only when all its buffers are there */
    input_send_key(1, true);                 /* 3 buffers left from 1: this one goes */
    input_sync();
    CHECK(collect(&vd, got, 512) == 2);
    input_send_key(2, true);                 /* 1 buffer left: waits */
    input_sync();
    input_send_key(3, true);
    input_sync();
    CHECK(collect(&vd, got, 512) == 0);
    post(&vd, 0, 2, 8);                      /* 3 buffers: the first waiting group only */
    n = collect(&vd, got, 512);
    CHECK(n == 2 && is(&got[0], INPUT_EV_KEY, 2, 1) && is(&got[1], INPUT_EV_SYN, 0, 0));
    post(&vd, 0, 1, 8);
    n = collect(&vd, got, 512);
    CHECK(n == 2 && is(&got[0], INPUT_EV_KEY, 3, 1));
    CHECK(vd.vq[0].last_avail == drvq[0].avail_idx);

    /* 3: overflow: 200 groups of 2 into a ring of 256 events keep the newest 128 */
    for (int i = 0; i < 200; i++) {
        input_send_key((uint16_t)(1 + i % 83), i & 1);
        input_sync();
    }
    CHECK(collect(&vd, got, 512) == 0);
    post(&vd, 0, 256, 8);
    n = collect(&vd, got, 512);
    CHECK(n == 256);
    bool order = true;
    for (int k = 0; k < n / 2; k++) {
        int i = 72 + k;
        order &= is(&got[2 * k], INPUT_EV_KEY, (uint16_t)(1 + i % 83), i & 1) &&
                 is(&got[2 * k + 1], INPUT_EV_SYN, 0, 0);
    }
    CHECK(order);
    post(&vd, 0, 0, 8);
    CHECK(collect(&vd, got, 512) == 0);      /* nothing else was queued */

    /* 4: one group bigger than the ring is dropped whole; the next one goes */
    for (int i = 0; i < 300; i++)
        input_send_key(KEY_A, i & 1);
    input_sync();
    input_send_key(4, true);
    input_sync();
    post(&vd, 0, 2, 8);
    n = collect(&vd, got, 512);
    CHECK(n == 2 && is(&got[0], INPUT_EV_KEY, 4, 1));

    /* 5: a buffer shorter than an event gets what fits; a longer one gets 8 bytes */
    setup(&vd, kbd, 4);
    post(&vd, 0, 2, 3);
    input_send_key(5, true);
    input_sync();
    CHECK(rd16(USED(0) + 2) == 2 && rd32(USED(0) + 8) == 3);
    uint8_t *b = gpa(BUF(0));
    CHECK(b[0] == 1 && b[1] == 0 && b[2] == 5 && b[3] == 0xee);

    /* 6: without DRIVER_OK events are dropped, as QEMU's are */
    setup(&vd, kbd, 8);
    vd.status &= ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
    input_send_key(6, true);
    input_sync();
    vd.status |= VIRTIO_STATUS_DRIVER_OK;
    post(&vd, 0, 4, 8);
    CHECK(collect(&vd, got, 512) == 0);

    /* 7: reset drops what waits */
    for (int i = 0; i < 3; i++) {
        input_send_key(7, i & 1);
        input_sync();
    }
    CHECK(collect(&vd, got, 512) == 4);      /* 4 buffers: the third group waits */
    virtio_reset(&vd);
    setup(&vd, kbd, 8);
    post(&vd, 0, 8, 8);
    CHECK(collect(&vd, got, 512) == 0);

    /* 8: the status queue: LED changes consumed and returned with nothing written */
    uint8_t led[8] = { EV_LED, 0, LED_CAPSL, 0, 1, 0, 0, 0 };
    memcpy(gpa(BUF(1)), led, 8);
    led[4] = 0;
    memcpy(gpa(BUF(1) + 8), led, 8);
    post(&vd, 1, 2, 8);
    CHECK(rd16(USED(1) + 2) == 2 && rd32(USED(1) + 4) == 0 && rd32(USED(1) + 8) == 0 && rd32(USED(1) + 12) == 1);
    CHECK(!(vd.status & VIRTIO_STATUS_NEEDS_RESET));
    post(&vd, 1, 3, 5);                      /* short status buffers: consumed all the same */
    CHECK(rd16(USED(1) + 2) == 5);

    virtio_input_backend.destroy(&vd);
    CHECK(!input_have(INPUT_KIND_KEYBOARD));
    input_send_key(KEY_A, true);             /* nobody to take it: no crash */
    input_sync();
}

static void test_pointers(void)
{
    ev got[64];
    virtio_dev vm, vt;
    char err[128];
    void *mouse = virtio_input_new(VIRTIO_INPUT_MOUSE);
    void *tablet = virtio_input_new(VIRTIO_INPUT_TABLET);
    /* both over the same fake RAM: set the mouse up, use it, then the tablet */
    setup(&vm, mouse, 16);
    CHECK(virtio_input_attach(&vm, err, sizeof(err)));
    vt = vm;
    vt.priv = tablet;
    vt.status = 0;                           /* the tablet's driver is not up yet */
    CHECK(virtio_input_attach(&vt, err, sizeof(err)));
    CHECK(input_have(INPUT_KIND_MOUSE) && input_have(INPUT_KIND_TABLET) && !input_have(INPUT_KIND_KEYBOARD));

    post(&vm, 0, 16, 8);
    input_send_button(INPUT_BTN_RIGHT, true);
    input_send_rel(-7, 9, 1);
    input_send_abs(0x4000, 0x2000);          /* the mouse has no use for it */
    input_sync();
    input_send_key(KEY_A, true);             /* nor for keys */
    input_sync();
    int n = collect(&vm, got, 64);
    CHECK(n == 5);
    CHECK(is(&got[0], INPUT_EV_KEY, INPUT_BTN_RIGHT, 1) && is(&got[1], INPUT_EV_REL, INPUT_REL_X, -7) &&
          is(&got[2], INPUT_EV_REL, INPUT_REL_Y, 9) && is(&got[3], INPUT_EV_REL, INPUT_REL_WHEEL, 1) &&
          is(&got[4], INPUT_EV_SYN, 0, 0));

    /* a group longer than the queue could ever hold is dropped, not waited for */
    setup(&vm, mouse, 4);
    post(&vm, 0, 4, 8);
    input_send_button(INPUT_BTN_LEFT, true);
    input_send_rel(1, 1, 1);                 /* 5 events with SYN_REPORT > 4 buffers */
    input_sync();
    input_send_button(INPUT_BTN_LEFT, false);
    input_sync();
    n = collect(&vm, got, 64);
    CHECK(n == 2 && is(&got[0], INPUT_EV_KEY, INPUT_BTN_LEFT, 0));
    virtio_input_backend.destroy(&vm);

    setup(&vt, tablet, 16);
    post(&vt, 0, 16, 8);
    input_send_abs(0x4000, 0x9000);
    input_send_button(INPUT_BTN_LEFT, true);
    input_send_rel(3, 3, -2);                /* a tablet takes the wheel, not motion */
    input_sync();
    n = collect(&vt, got, 64);
    CHECK(n == 5);
    CHECK(is(&got[0], INPUT_EV_ABS, INPUT_ABS_X, 0x4000) && is(&got[1], INPUT_EV_ABS, INPUT_ABS_Y, 0x7fff) &&
          is(&got[2], INPUT_EV_KEY, INPUT_BTN_LEFT, 1) && is(&got[3], INPUT_EV_REL, INPUT_REL_WHEEL, -2) &&
          is(&got[4], INPUT_EV_SYN, 0, 0));
    virtio_input_backend.destroy(&vt);
    CHECK(!input_have(INPUT_KIND_MOUSE | INPUT_KIND_TABLET));
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A hostile driver: random rings on both queues, random config accesses, events in
 * between. Nothing may crash or touch memory outside RAM (the sanitizer build checks). */
static void test_hostile(void)
{
    virtio_dev vd;
    char err[128];
    void *kbd = virtio_input_new(VIRTIO_INPUT_KEYBOARD);
    setup(&vd, kbd, 8);
    CHECK(virtio_input_attach(&vd, err, sizeof(err)));
    int needs_reset = 0;
    for (int iter = 0; iter < 5000; iter++) {
        uint32_t num = 1u << (rnd() % 9);
        setup(&vd, kbd, num);
        for (unsigned q = 0; q < 2; q++) {
            uint8_t *tab = gpa(DESC(q));
            for (uint32_t i = 0; i < num; i++) {
                struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d;
                uint64_t r = rnd();
                d.addr = r % 3 ? RAM + rnd() % RAM_SIZE : rnd();
                d.len = (r >> 8) % 4 ? (uint32_t)(rnd() % 16) : (uint32_t)rnd();
                d.flags = (uint16_t)(rnd() & 7);
                d.next = (uint16_t)(rnd() % (num + 2));
                memcpy(tab + 16 * i, &d, sizeof(d));
            }
            wr16(AVAIL(q), (uint16_t)(rnd() & 1));
            wr16(AVAIL(q) + 2, (uint16_t)(rnd() % 4 ? rnd() % (num + 2) : rnd()));
            for (uint32_t i = 0; i < num; i++)
                wr16(AVAIL(q) + 4 + 2 * i, (uint16_t)(rnd() % (num + 1)));
        }
        for (int k = 0; k < 4; k++) {
            uint8_t buf[16];
            for (unsigned i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t)rnd();
            uint32_t off = rnd() % 4 ? (uint32_t)(rnd() % 160) : (uint32_t)rnd();
            uint32_t len = (uint32_t)(1 + rnd() % 8);
            if (rnd() & 1)
                virtio_input_backend.config_write(&vd, off, buf, len);
            else
                virtio_input_backend.config_read(&vd, off, buf, len);
        }
        for (int k = 0; k < (int)(rnd() % 4); k++) {
            input_send_key((uint16_t)(rnd() % 300), rnd() & 1);
            if (rnd() % 3)
                input_sync();
        }
        virtio_input_backend.queue_notify(&vd, (unsigned)(rnd() % 3));
        virtio_input_backend.queue_notify(&vd, (unsigned)(rnd() % 3));
        if (vd.status & VIRTIO_STATUS_NEEDS_RESET)
            needs_reset++;
        if (rnd() % 8 == 0)
            virtio_reset(&vd);
    }
    CHECK(needs_reset > 0);
    printf("hostile driver: %d times NEEDS_RESET\n", needs_reset);
    virtio_input_backend.destroy(&vd);
}

int main(void)
{
    as_init(&as);
    ram = as_add_ram(&as, "ram", RAM, RAM_SIZE);
    CHECK(ram != NULL);
    test_router();
    test_config();
    test_events();
    test_pointers();
    test_hostile();
    as_destroy(&as);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
