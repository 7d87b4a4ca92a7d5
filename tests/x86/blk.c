/*
 * virtio-blk on the first virtio-mmio slot: read sector 0 (the test filled it with a
 * pattern) and write sector 1, each completion signalled by an interrupt through the
 * in-kernel I/O APIC (pin 16, level-triggered) and local APIC, while the CPU halts.
 */
#include "guest.h"
#include "../guest-common/virtio_blk.h"

#define VECTOR 0x50

static volatile unsigned interrupts;

static void on_irq(unsigned v)
{
    (void)v;
    VREG(VIRTIO_MMIO, 0x064) = VREG(VIRTIO_MMIO, 0x060);   /* InterruptACK: the line drops */
    interrupts++;
}

static void request(uint32_t type, uint64_t sector)
{
    uint16_t want = vblk_queue(type, sector);
    unsigned before = interrupts;
    cli();
    VREG(VIRTIO_MMIO, 0x050) = 0;                  /* QueueNotify */
    while (interrupts == before)
        halt();                                    /* sti; hlt: woken by the interrupt */
    if (vblk_used_idx() != want)
        finish(7);
    if (vblk_status != 0)
        finish(3);
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    idt_init();
    lapic_init();
    set_handler(VECTOR, on_irq);
    ioapic_route(VIRTIO_GSI, VECTOR, lapic_id(), true);
    if (!vblk_present(VIRTIO_MMIO))
        finish(2);
    int rc = vblk_setup(VIRTIO_MMIO);
    if (rc)
        finish((unsigned)rc);
    request(0, 0);                                 /* read sector 0 */
    for (int i = 0; i < 512; i++)
        if (vblk_data[i] != (uint8_t)(i * 7 + 1))
            finish(6);
    const char *msg = "x86-64 guest reply";
    for (int i = 0; i < 512; i++)
        vblk_data[i] = 0;
    for (int i = 0; msg[i]; i++)
        vblk_data[i] = (uint8_t)msg[i];
    request(1, 1);                                 /* write sector 1 */
    puts_("blk: sector 0 verified, sector 1 written, ");
    putu(interrupts);
    puts_(" interrupts\n");
}
