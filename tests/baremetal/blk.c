/*
 * An xv6-style bare-metal guest (M-mode, -bios none) with its own UART and virtio-mmio
 * block driver: finds the disk among the virtio-mmio slots, reads sector 0 (which the
 * test filled with a pattern), writes sector 1 with a reply, waits for completion by
 * polling the used ring, and reports through the test finisher.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define FINISHER ((volatile uint32_t *)0x100000UL)
#define VIRTIO(i) (0x10001000UL + 0x1000UL * (i))
#define R(base, off) (*(volatile uint32_t *)((base) + (off)))

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void finish(int code) { *FINISHER = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555; for (;;) ; }

#define QSIZE 8
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t data[512];
static volatile uint8_t status;

static void request(uint64_t base, uint32_t type, uint64_t sector)
{
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status = 0xff;
    descs[0] = (struct desc){ (uint64_t)&hdr, sizeof(hdr), 1, 1 };
    descs[1] = (struct desc){ (uint64_t)data, 512, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2 };
    descs[2] = (struct desc){ (uint64_t)&status, 1, 2, 0 };
    avail.ring[avail.idx % QSIZE] = 0;
    __sync_synchronize();
    avail.idx++;
    __sync_synchronize();
    uint16_t want = used.idx + 1;
    R(base, 0x050) = 0;                            /* QueueNotify */
    while (*(volatile uint16_t *)&used.idx != want)
        ;
    R(base, 0x064) = R(base, 0x060);               /* acknowledge the interrupt */
    if (status != 0)
        finish(3);
}

void main(void)
{
    uint64_t base = 0;
    for (int i = 0; i < 8; i++)
        if (R(VIRTIO(i), 0) == 0x74726976 && R(VIRTIO(i), 4) == 2 && R(VIRTIO(i), 8) == 2)
            base = VIRTIO(i);
    if (!base)
        finish(2);
    R(base, 0x070) = 0;                             /* reset */
    R(base, 0x070) = 1 | 2;                         /* ACKNOWLEDGE | DRIVER */
    R(base, 0x024) = 1;
    R(base, 0x020) = 1;                             /* VERSION_1 (feature bit 32) */
    R(base, 0x024) = 0;
    R(base, 0x020) = 0;
    R(base, 0x070) = 1 | 2 | 8;                     /* FEATURES_OK */
    if (!(R(base, 0x070) & 8))
        finish(4);
    R(base, 0x030) = 0;
    if (R(base, 0x034) < QSIZE)
        finish(5);
    R(base, 0x038) = QSIZE;
    R(base, 0x080) = (uint32_t)(uint64_t)descs;
    R(base, 0x084) = (uint32_t)((uint64_t)descs >> 32);
    R(base, 0x090) = (uint32_t)(uint64_t)&avail;
    R(base, 0x094) = (uint32_t)((uint64_t)&avail >> 32);
    R(base, 0x0a0) = (uint32_t)(uint64_t)&used;
    R(base, 0x0a4) = (uint32_t)((uint64_t)&used >> 32);
    R(base, 0x044) = 1;                             /* QueueReady */
    R(base, 0x070) = 1 | 2 | 8 | 4;                 /* DRIVER_OK */

    request(base, 0, 0);                            /* read sector 0 */
    for (int i = 0; i < 512; i++)
        if (data[i] != (uint8_t)(i * 7 + 1))
            finish(6);
    const char *msg = "bare-metal reply";
    for (int i = 0; i < 512; i++)
        data[i] = 0;
    for (int i = 0; msg[i]; i++)
        data[i] = (uint8_t)msg[i];
    request(base, 1, 1);                            /* write sector 1 */
    puts_("blk: sector 0 verified, sector 1 written\n");
    finish(0);
}
