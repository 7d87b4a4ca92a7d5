/*
 * Snapshot state of virtio backends and of the network, saved and loaded as the
 * transports save them (virtio_backend_save / virtio_backend_load, then post_load):
 *  - virtio-input with events held for a driver that has posted no buffers: a second
 *    device loaded from the first hands the driver the same events once buffers come;
 *  - virtio-gpu with a resource (backing, pixels), a scanout and a cursor: the loaded
 *    device saves the very same bytes, knows the resource and its backing, and shows
 *    the picture on its console;
 *  - virtio-console with input bytes not yet delivered: they reach the first receive
 *    buffer the driver posts after the load;
 *  - net_state_save/load with a user netdev (libslirp's state inside), and a snapshot
 *    naming a netdev this machine does not have.
 * A cut-short or inconsistent state is refused and leaves the device as it was.
 */
#include "core/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_input.h"
#include "hw/virtio/virtio_gpu.h"
#include "hw/virtio/virtio_console.h"
#include "ui/input.h"
#include "ui/console.h"
#include "net/net.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define RAM 0x80000000ull
#define RAM_SIZE (4u << 20)
#define DESC(q) (RAM + 0x1000 + (q) * 0x10000)
#define AVAIL(q) (RAM + 0x3000 + (q) * 0x10000)
#define USED(q) (RAM + 0x5000 + (q) * 0x10000)
#define BUF(q) (RAM + 0x8000 + (q) * 0x10000)
#define CMD (RAM + 0x40000)
#define RESP (RAM + 0x50000)
#define FB (RAM + 0x100000)

static address_space as;
static uint8_t *ram;
static void notify(virtio_dev *vd) { (void)vd; }
static void *gpa(uint64_t a) { return ram + (a - RAM); }
static uint16_t rd16(uint64_t a) { uint16_t v; memcpy(&v, gpa(a), 2); return v; }
static void wr16(uint64_t a, uint16_t v) { memcpy(gpa(a), &v, 2); }

static uint16_t avail_idx[2], used_seen[2];

static void setup(virtio_dev *vd, const virtio_backend *be, void *priv)
{
    memset(vd, 0, sizeof(*vd));
    vd->backend = be;
    vd->priv = priv;
    vd->as = &as;
    vd->notify = notify;
    vd->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                 VIRTIO_STATUS_DRIVER_OK;
    for (unsigned q = 0; q < 2; q++) {
        vd->vq[q] = (virtqueue){ .num = 16, .ready = true, .desc = DESC(q), .avail = AVAIL(q), .used = USED(q) };
        memset(gpa(DESC(q)), 0, 0x7000);
        avail_idx[q] = used_seen[q] = 0;
    }
}

/* The backend's state as the transport saves it, and back into another device. */
static state_out save(virtio_dev *vd)
{
    state_out o = { 0 };
    char err[128];
    CHECK(virtio_backend_pre_save(vd, err, sizeof(err)) == 0);
    virtio_backend_save(vd, &o);
    return o;
}

static bool load(virtio_dev *vd, const state_out *o, size_t len, char *err, size_t errsize)
{
    state_in in = { .data = o->data, .len = len };
    if (!virtio_backend_load(vd, &in, err, errsize))
        return false;
    virtio_backend_post_load(vd);
    return true;
}

/* ---- virtio-input ---- */

static void post_event_buffers(virtio_dev *vd, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        uint16_t slot = (uint16_t)(avail_idx[0] % 16);
        struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = { BUF(0) + 8ull * slot, 8, 2, 0 };
        memcpy(gpa(DESC(0) + 16ull * slot), &d, sizeof(d));
        wr16(AVAIL(0) + 4 + 2ull * slot, slot);
        avail_idx[0]++;
    }
    wr16(AVAIL(0) + 2, avail_idx[0]);
    vd->backend->queue_notify(vd, 0);
}

/* the next event the device returned: type, code, value */
static bool next_event(uint16_t *type, uint16_t *code, int32_t *value)
{
    if (rd16(USED(0) + 2) == used_seen[0])
        return false;
    uint32_t id;
    memcpy(&id, gpa(USED(0) + 4 + 8ull * (used_seen[0] % 16)), 4);
    uint8_t *b = gpa(BUF(0) + 8ull * id);
    *type = (uint16_t)(b[0] | b[1] << 8);
    *code = (uint16_t)(b[2] | b[3] << 8);
    *value = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24);
    used_seen[0]++;
    return true;
}

static void test_input(void)
{
    virtio_dev a, b;
    setup(&a, &virtio_input_backend, virtio_input_new(VIRTIO_INPUT_KEYBOARD));
    char err[160];
    CHECK(virtio_input_attach(&a, err, sizeof(err)));
    /* the driver selects ID_NAME, then two key strokes come with no buffers posted */
    uint8_t sel = 1, sub = 0;
    a.backend->config_write(&a, 0, &sel, 1);
    a.backend->config_write(&a, 1, &sub, 1);
    input_send_key(30, true);
    input_sync();
    input_send_key(30, false);
    input_sync();
    CHECK(rd16(USED(0) + 2) == 0);
    state_out s = save(&a);

    /* a fresh keyboard (as a new process has), loaded */
    setup(&b, &virtio_input_backend, virtio_input_new(VIRTIO_INPUT_KEYBOARD));
    CHECK(load(&b, &s, s.len, err, sizeof(err)));
    state_out again = save(&b);
    CHECK(again.len == s.len && !memcmp(again.data, s.data, s.len));
    uint8_t u[32];
    b.backend->config_read(&b, 8, u, sizeof(u));
    CHECK(!strcmp((char *)u, "QEMU Virtio Keyboard"));
    post_event_buffers(&b, 8);
    uint16_t t, c;
    int32_t v;
    CHECK(next_event(&t, &c, &v) && t == INPUT_EV_KEY && c == 30 && v == 1);
    CHECK(next_event(&t, &c, &v) && t == INPUT_EV_SYN && c == INPUT_SYN_REPORT);
    CHECK(next_event(&t, &c, &v) && t == INPUT_EV_KEY && c == 30 && v == 0);
    CHECK(next_event(&t, &c, &v) && t == INPUT_EV_SYN);
    CHECK(!next_event(&t, &c, &v));

    /* cut short: refused, and the device keeps what it has (nothing held now) */
    virtio_dev d;
    setup(&d, &virtio_input_backend, virtio_input_new(VIRTIO_INPUT_KEYBOARD));
    state_out before = save(&d);
    err[0] = 0;
    CHECK(!load(&d, &s, s.len - 3, err, sizeof(err)));
    printf("refused: %s\n", err);
    state_out after = save(&d);
    CHECK(after.len == before.len && !memcmp(after.data, before.data, before.len));
    state_out_free(&s);
    state_out_free(&again);
    state_out_free(&before);
    state_out_free(&after);
    virtio_input_backend.destroy(&b);
    virtio_input_backend.destroy(&d);
}

/* ---- virtio-gpu ---- */

enum { CREATE_2D = 0x101, SET_SCANOUT = 0x103, FLUSH = 0x104, TRANSFER = 0x105, ATTACH = 0x106,
       UPDATE_CURSOR = 0x300, OK_NODATA = 0x1100, ERR_RESOURCE = 0x1203 };
typedef struct { uint32_t type, flags; uint64_t fence_id; uint32_t ctx_id, pad; } hdr_t;

/* One command on queue q (response buffer on the control queue): the response type. */
static uint32_t gpu_cmd(virtio_dev *vd, unsigned q, const void *cmd, size_t len)
{
    memcpy(gpa(CMD), cmd, len);
    memset(gpa(RESP), 0, 64);
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d[2] = {
        { CMD, (uint32_t)len, q == 0 ? 1 : 0, 1 }, { RESP, 64, 2, 0 },
    };
    memcpy(gpa(DESC(q)), d, sizeof(d));
    wr16(AVAIL(q) + 4 + 2ull * (avail_idx[q] % 16), 0);
    avail_idx[q]++;
    wr16(AVAIL(q) + 2, avail_idx[q]);
    vd->backend->queue_notify(vd, q);
    uint32_t type;
    memcpy(&type, gpa(RESP), 4);
    return type;
}

static uint32_t gpu_create(virtio_dev *vd, uint32_t id, uint32_t w, uint32_t h)
{
    struct { hdr_t hd; uint32_t id, fmt, w, h; } c = { { .type = CREATE_2D }, id, 2, w, h };
    return gpu_cmd(vd, 0, &c, sizeof(c));
}

static uint32_t gpu_transfer(virtio_dev *vd, uint32_t id, uint32_t w, uint32_t h)
{
    struct { hdr_t hd; uint32_t x, y, w, h; uint64_t off; uint32_t id, pad; } c = {
        { .type = TRANSFER }, 0, 0, w, h, 0, id, 0 };
    return gpu_cmd(vd, 0, &c, sizeof(c));
}

static void test_gpu(void)
{
    virtio_dev a, b;
    char err[160];
    setup(&a, &virtio_gpu_backend, virtio_gpu_new(640, 480, "snap-gpu-a"));
    CHECK(virtio_gpu_attach(&a, err, sizeof(err)));
    /* a 64x32 B8G8R8X8 resource backed by two runs, transferred, shown, flushed */
    for (uint32_t i = 0; i < 64 * 32; i++) {
        uint32_t px = 0x00102030u + i * 0x010101u;
        memcpy(gpa(i < 1024 ? FB + 4 * i : FB + 0x10000 + 4 * (i - 1024)), &px, 4);
    }
    CHECK(gpu_create(&a, 7, 64, 32) == OK_NODATA);
    struct { hdr_t h; uint32_t id, nr; struct { uint64_t addr; uint32_t len, pad; } e[2]; } at = {
        { .type = ATTACH }, 7, 2, { { FB, 4096, 0 }, { FB + 0x10000, 4096, 0 } } };
    CHECK(gpu_cmd(&a, 0, &at, sizeof(at)) == OK_NODATA);
    CHECK(gpu_transfer(&a, 7, 64, 32) == OK_NODATA);
    struct { hdr_t hd; uint32_t x, y, w, h, scanout, id; } so = { { .type = SET_SCANOUT }, 0, 0, 64, 32, 0, 7 };
    CHECK(gpu_cmd(&a, 0, &so, sizeof(so)) == OK_NODATA);
    /* a cursor from a 64x64 resource (its pixels zero: transparent black) */
    CHECK(gpu_create(&a, 9, 64, 64) == OK_NODATA);
    struct { hdr_t h; uint32_t scanout, x, y, pad0, id, hx, hy, pad1; } cu = {
        { .type = UPDATE_CURSOR }, 0, 10, 12, 0, 9, 1, 2, 0 };
    gpu_cmd(&a, 1, &cu, sizeof(cu));
    state_out s = save(&a);

    /* the guest changes its framebuffer pages after the save: the host copy must not */
    memset(gpa(FB), 0xff, 4096);

    setup(&b, &virtio_gpu_backend, virtio_gpu_new(1024, 768, "snap-gpu-b"));
    CHECK(virtio_gpu_attach(&b, err, sizeof(err)));
    CHECK(load(&b, &s, s.len, err, sizeof(err)));
    state_out again = save(&b);
    CHECK(again.len == s.len && !memcmp(again.data, s.data, s.len));
    /* the console of b shows the saved picture */
    console *con = console_get(console_count() - 1);
    CHECK(con && !strcmp(console_name(con), "snap-gpu-b"));
    console_view view = { 0 };
    console_refresh(con, true, &view);
    CHECK(view.width == 64 && view.height == 32);
    if (view.width == 64 && view.height == 32) {
        CHECK((view.pixels[0] & 0xffffff) == 0x102030);
        CHECK((view.pixels[64 * 31 + 63] & 0xffffff) == ((0x00102030u + 2047 * 0x010101u) & 0xffffff));
    }
    /* the resources are there (an id in use), with their backing (a transfer works) */
    CHECK(gpu_create(&b, 7, 16, 16) == ERR_RESOURCE);
    CHECK(gpu_transfer(&b, 7, 64, 32) == OK_NODATA);

    /* a scanout naming a resource that is not there: refused, b unchanged */
    state_out bad = { 0 };
    state_put(&bad, s.data, s.len);
    /* the scanout's resource id is 20 bytes before the end */
    uint32_t len;
    memcpy(&len, bad.data + 4, 4);
    CHECK(len + 8 == bad.len);
    uint32_t nope = 99;
    memcpy(bad.data + bad.len - 20, &nope, 4);
    err[0] = 0;
    state_out before = save(&b);
    CHECK(!load(&b, &bad, bad.len, err, sizeof(err)));
    printf("refused: %s\n", err);
    state_out after = save(&b);
    CHECK(after.len == before.len && !memcmp(after.data, before.data, before.len));
    state_out_free(&s);
    state_out_free(&again);
    state_out_free(&bad);
    state_out_free(&before);
    state_out_free(&after);
}

/* ---- virtio-console ---- */

/* The backend part of a transport's section: version, length, then the console's
 * state (bytes waiting, the bytes). */
static state_out console_blob(uint32_t n, const char *bytes)
{
    state_out body = { 0 }, o = { 0 };
    state_put_u32(&body, n);
    state_put(&body, bytes, strlen(bytes));
    state_put_u32(&o, 1);
    state_put_u32(&o, (uint32_t)body.len);
    state_put(&o, body.data, body.len);
    state_out_free(&body);
    return o;
}

static void test_console(void)
{
    virtio_dev a;
    char err[160];
    setup(&a, &virtio_console_backend, virtio_console_new(NULL));
    CHECK(virtio_console_attach(&a, err, sizeof(err)));
    state_out s = console_blob(3, "abc");
    CHECK(load(&a, &s, s.len, err, sizeof(err)));
    /* one 8-byte receive buffer on queue 0 */
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = { BUF(0), 8, 2, 0 };
    memcpy(gpa(DESC(0)), &d, sizeof(d));
    wr16(AVAIL(0) + 4, 0);
    wr16(AVAIL(0) + 2, 1);
    memset(gpa(BUF(0)), 0, 8);
    a.backend->queue_notify(&a, 0);
    uint32_t used_len;
    memcpy(&used_len, gpa(USED(0) + 4 + 4), 4);
    CHECK(rd16(USED(0) + 2) == 1 && used_len == 3 && !memcmp(gpa(BUF(0)), "abc", 3));
    state_out after = save(&a);
    state_out empty = console_blob(0, "");
    CHECK(after.len == empty.len && !memcmp(after.data, empty.data, empty.len));
    /* more than it can hold: refused */
    state_out big = console_blob(65, "");
    err[0] = 0;
    CHECK(!load(&a, &big, big.len, err, sizeof(err)));
    printf("refused: %s\n", err);
    state_out_free(&s);
    state_out_free(&after);
    state_out_free(&empty);
    state_out_free(&big);
    virtio_console_backend.destroy(&a);
}

/* ---- the network ---- */

static void test_net(void)
{
    char err[256];
    if (!netdev_create("user,id=snapnet", err, sizeof(err))) {
        printf("skipped: -netdev user: %s\n", err);
        return;
    }
    CHECK(net_set_link("snapnet", false));
    state_out s = { 0 };
    net_state_save(&s);
    CHECK(net_set_link("snapnet", true));
    state_in in = { .data = s.data, .len = s.len };
    CHECK(net_state_load(&in, err, sizeof(err)));
    CHECK(!in.bad && in.pos == in.len);
    CHECK(netdev_find("snapnet")->link_down);

    /* another machine's network */
    state_out o = { 0 };
    state_put_u32(&o, 1);
    state_put_str(&o, "other");
    state_put_str(&o, "user");
    state_put_u8(&o, 0);
    for (int k = 0; k < 4; k++)
        state_put_u64(&o, 0);
    state_put_u32(&o, 0);
    in = (state_in){ .data = o.data, .len = o.len };
    err[0] = 0;
    CHECK(!net_state_load(&in, err, sizeof(err)));
    printf("refused: %s\n", err);
    CHECK(netdev_find("snapnet")->link_down);
    state_out_free(&s);
    state_out_free(&o);
    netdev_close_all();
}

int main(void)
{
    as_init(&as);
    ram = as_add_ram(&as, "ram", RAM, RAM_SIZE);
    CHECK(ram != NULL);
    test_input();
    test_gpu();
    test_console();
    test_net();
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("snapshot state of virtio-input, virtio-gpu, virtio-console and the network: ok\n");
    return 0;
}
