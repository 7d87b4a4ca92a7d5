/*
 * Robustness of the virtqueue code and the virtio-blk backend against a hostile guest:
 * random descriptor tables, rings and indices (chains that loop, point outside RAM,
 * nest indirect tables, overflow lengths) must never crash tern or touch memory outside
 * guest RAM; a malformed queue must put the device in NEEDS_RESET. Deterministic seed;
 * the sanitizer build runs it too. Also checks a well-formed read/write round trip.
 */
#include "core/memory.h"
#include "core/block.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_blk.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define RAM 0x80000000ull
#define RAM_SIZE (1u << 20)
#define DESC (RAM + 0x1000)
#define AVAIL (RAM + 0x2000)
#define USED (RAM + 0x3000)
#define DATA (RAM + 0x10000)

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };

static int notified;
static void notify(virtio_dev *vd) { notified++; }

static void setup(virtio_dev *vd, address_space *as, const virtio_backend *be, void *priv, uint32_t num)
{
    memset(vd, 0, sizeof(*vd));
    vd->backend = be;
    vd->priv = priv;
    vd->as = as;
    vd->notify = notify;
    vd->status = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
    vd->vq[0] = (virtqueue){ .num = num, .ready = true, .desc = DESC, .avail = AVAIL, .used = USED };
}

int main(void)
{
    address_space as;
    as_init(&as);
    uint8_t *ram = as_add_ram(&as, "ram", RAM, RAM_SIZE);
    CHECK(ram != NULL);

    /* a disk image with known content */
    char path[] = "/tmp/tern-vq-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    uint8_t sector[512];
    for (int s = 0; s < 64; s++) {
        memset(sector, s, sizeof(sector));
        CHECK(write(fd, sector, sizeof(sector)) == (ssize_t)sizeof(sector));
    }
    close(fd);
    char err[256];
    block *img = block_open(path, false, true, err, sizeof(err));
    CHECK(img != NULL);
    void *blk = virtio_blk_new(img, "unit");
    virtio_dev vd;

    /* 1: a well-formed read of sector 5 and a write of sector 6 */
    setup(&vd, &as, &virtio_blk_backend, blk, 8);
    struct { uint32_t type, reserved; uint64_t sector; } hdr = { 0, 0, 5 };
    memcpy(ram + 0x20000, &hdr, sizeof(hdr));
    struct desc d[3] = {
        { RAM + 0x20000, 16, 1, 1 }, { DATA, 512, 1 | 2, 2 }, { RAM + 0x20100, 1, 2, 0 },
    };
    memcpy(ram + 0x1000, d, sizeof(d));
    uint16_t avail[4] = { 0, 1, 0, 0 };          /* flags, idx = 1, ring[0] = 0 */
    memcpy(ram + 0x2000, avail, sizeof(avail));
    ram[0x20100] = 0xff;
    virtio_blk_backend.queue_notify(&vd, 0);
    CHECK(ram[0x20100] == 0);                    /* status OK */
    CHECK(ram[0x10000] == 5 && ram[0x10000 + 511] == 5);
    uint16_t used_idx;
    memcpy(&used_idx, ram + 0x3002, 2);
    CHECK(used_idx == 1);
    hdr = (typeof(hdr)){ 1, 0, 6 };
    memcpy(ram + 0x20000, &hdr, sizeof(hdr));
    d[1].flags = 1;                              /* device-readable data */
    memcpy(ram + 0x1000, d, sizeof(d));
    memset(ram + 0x10000, 0xab, 512);
    avail[1] = 2;
    avail[3] = 0;
    memcpy(ram + 0x2000, avail, sizeof(avail));
    virtio_blk_backend.queue_notify(&vd, 0);
    CHECK(ram[0x20100] == 0);
    CHECK(block_read(img, 6 * 512, sector, 512) && sector[0] == 0xab && sector[511] == 0xab);
    CHECK(!(vd.status & VIRTIO_STATUS_NEEDS_RESET));

    /* 2: hostile queues */
    int needs_reset = 0, popped = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint32_t num = 1u << (rnd() % 9);        /* 1..256 */
        setup(&vd, &as, &virtio_blk_backend, blk, num);
        struct desc *tab = (struct desc *)(ram + 0x1000);
        for (uint32_t i = 0; i < num && i < 256; i++) {
            uint64_t r = rnd();
            switch (r % 4) {
            case 0: tab[i].addr = rnd(); break;                           /* anywhere */
            case 1: tab[i].addr = RAM + (rnd() % RAM_SIZE); break;        /* in RAM */
            case 2: tab[i].addr = RAM + 0x1000; break;                     /* the table itself */
            default: tab[i].addr = RAM + RAM_SIZE - (rnd() % 64); break;   /* near the end */
            }
            tab[i].len = (r >> 8) % 3 ? (uint32_t)(rnd() % 4096) : (uint32_t)rnd();
            tab[i].flags = (uint16_t)(rnd() & 7);
            tab[i].next = (uint16_t)(rnd() % (num + 2));
        }
        uint16_t *av = (uint16_t *)(ram + 0x2000);
        av[0] = (uint16_t)(rnd() & 1);
        av[1] = (uint16_t)(rnd() % 4 ? rnd() % 4 : rnd());
        for (uint32_t i = 0; i < num; i++)
            av[2 + i] = (uint16_t)(rnd() % (num + 1));
        /* random request headers where descriptors may point */
        for (int k = 0; k < 8; k++)
            ram[0x20000 + rnd() % 64] = (uint8_t)rnd();
        virtio_blk_backend.queue_notify(&vd, 0);
        if (vd.status & VIRTIO_STATUS_NEEDS_RESET)
            needs_reset++;
        /* also pop by hand and exercise the copy helpers on whatever came out */
        setup(&vd, &as, &virtio_blk_backend, blk, num);
        vq_req req;
        for (int k = 0; k < 4 && vq_pop(&vd, 0, &req) == 1; k++) {
            popped++;
            CHECK(req.nseg <= VQ_MAX_SEGS);
            uint8_t buf[256];
            vq_read(&vd, &req, rnd() % 64, buf, sizeof(buf));
            vq_write(&vd, &req, rnd() % 64, buf, rnd() % sizeof(buf));
            vq_push(&vd, 0, &req, (uint32_t)rnd());
        }
    }
    CHECK(needs_reset > 0 && popped > 0);        /* both paths were exercised */
    printf("hostile queues: %d marked NEEDS_RESET, %d chains popped\n", needs_reset, popped);

    virtio_blk_backend.destroy(&(virtio_dev){ .priv = blk });
    unlink(path);
    as_destroy(&as);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
