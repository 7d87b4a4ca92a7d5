/*
 * A minimal virtio-blk driver over virtio-mmio (version 2) for tern's bare-metal test
 * guests, RISC-V and x86-64 alike: one queue of 8 descriptors, one request at a time.
 * The guest supplies how to wait for completion (polling or an interrupt).
 */
#ifndef TERN_GUEST_VIRTIO_BLK_H
#define TERN_GUEST_VIRTIO_BLK_H
#include <stdint.h>

#define VBLK_QSIZE 8
#define VREG(base, off) (*(volatile uint32_t *)((base) + (off)))

struct vblk_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vblk_avail { uint16_t flags, idx, ring[VBLK_QSIZE], used_event; };
struct vblk_used_elem { uint32_t id, len; };
struct vblk_used { uint16_t flags, idx; struct vblk_used_elem ring[VBLK_QSIZE]; uint16_t avail_event; };

static struct vblk_desc vblk_descs[VBLK_QSIZE] __attribute__((aligned(16)));
static struct vblk_avail vblk_avail __attribute__((aligned(2)));
static struct vblk_used vblk_used __attribute__((aligned(4)));
static struct { uint32_t type, reserved; uint64_t sector; } vblk_hdr;
static uint8_t vblk_data[512];
static volatile uint8_t vblk_status;

/* Whether a virtio-blk device sits at base. */
static inline int vblk_present(uint64_t base)
{
    return VREG(base, 0) == 0x74726976 && VREG(base, 4) == 2 && VREG(base, 8) == 2;
}

/* Reset and set up the device with one queue; 0, or a step that failed (4, 5). */
static inline int vblk_setup(uint64_t base)
{
    VREG(base, 0x070) = 0;                         /* reset */
    VREG(base, 0x070) = 1 | 2;                     /* ACKNOWLEDGE | DRIVER */
    VREG(base, 0x024) = 1;
    VREG(base, 0x020) = 1;                         /* VERSION_1 (feature bit 32) */
    VREG(base, 0x024) = 0;
    VREG(base, 0x020) = 0;
    VREG(base, 0x070) = 1 | 2 | 8;                 /* FEATURES_OK */
    if (!(VREG(base, 0x070) & 8))
        return 4;
    VREG(base, 0x030) = 0;
    if (VREG(base, 0x034) < VBLK_QSIZE)
        return 5;
    VREG(base, 0x038) = VBLK_QSIZE;
    VREG(base, 0x080) = (uint32_t)(uint64_t)vblk_descs;
    VREG(base, 0x084) = (uint32_t)((uint64_t)vblk_descs >> 32);
    VREG(base, 0x090) = (uint32_t)(uint64_t)&vblk_avail;
    VREG(base, 0x094) = (uint32_t)((uint64_t)&vblk_avail >> 32);
    VREG(base, 0x0a0) = (uint32_t)(uint64_t)&vblk_used;
    VREG(base, 0x0a4) = (uint32_t)((uint64_t)&vblk_used >> 32);
    VREG(base, 0x044) = 1;                         /* QueueReady */
    VREG(base, 0x070) = 1 | 2 | 8 | 4;             /* DRIVER_OK */
    return 0;
}

/* Put a request (type 0 read, 1 write) of sector into the queue; returns the used
 * index that will say it is done. The caller then notifies (VREG(base, 0x050) = 0). */
static inline uint16_t vblk_queue(uint32_t type, uint64_t sector)
{
    vblk_hdr.type = type;
    vblk_hdr.reserved = 0;
    vblk_hdr.sector = sector;
    vblk_status = 0xff;
    vblk_descs[0] = (struct vblk_desc){ (uint64_t)&vblk_hdr, sizeof(vblk_hdr), 1, 1 };
    vblk_descs[1] = (struct vblk_desc){ (uint64_t)vblk_data, 512, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2 };
    vblk_descs[2] = (struct vblk_desc){ (uint64_t)&vblk_status, 1, 2, 0 };
    vblk_avail.ring[vblk_avail.idx % VBLK_QSIZE] = 0;
    __sync_synchronize();
    vblk_avail.idx++;
    __sync_synchronize();
    return (uint16_t)(vblk_used.idx + 1);
}

static inline uint16_t vblk_used_idx(void) { return *(volatile uint16_t *)&vblk_used.idx; }

#endif
