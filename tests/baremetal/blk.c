/*
 * An xv6-style bare-metal guest (M-mode, -bios none) with its own UART and virtio-mmio
 * block driver: finds the disk among the virtio-mmio slots, reads sector 0 (which the
 * test filled with a pattern), writes sector 1 with a reply, waits for completion by
 * polling the used ring, and reports through the test finisher.
 */
#include "../guest-common/virtio_blk.h"

#define UART ((volatile uint8_t *)0x10000000UL)
#define FINISHER ((volatile uint32_t *)0x100000UL)
#define VIRTIO(i) (0x10001000UL + 0x1000UL * (i))

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void finish(int code) { *FINISHER = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555; for (;;) ; }

static void request(uint64_t base, uint32_t type, uint64_t sector)
{
    uint16_t want = vblk_queue(type, sector);
    VREG(base, 0x050) = 0;                         /* QueueNotify */
    while (vblk_used_idx() != want)
        ;
    VREG(base, 0x064) = VREG(base, 0x060);         /* acknowledge the interrupt */
    if (vblk_status != 0)
        finish(3);
}

void main(void)
{
    uint64_t base = 0;
    for (int i = 0; i < 8; i++)
        if (vblk_present(VIRTIO(i)))
            base = VIRTIO(i);
    if (!base)
        finish(2);
    int rc = vblk_setup(base);
    if (rc)
        finish(rc);
    request(base, 0, 0);                           /* read sector 0 */
    for (int i = 0; i < 512; i++)
        if (vblk_data[i] != (uint8_t)(i * 7 + 1))
            finish(6);
    const char *msg = "bare-metal reply";
    for (int i = 0; i < 512; i++)
        vblk_data[i] = 0;
    for (int i = 0; msg[i]; i++)
        vblk_data[i] = (uint8_t)msg[i];
    request(base, 1, 1);                           /* write sector 1 */
    puts_("blk: sector 0 verified, sector 1 written\n");
    finish(0);
}
