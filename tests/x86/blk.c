/*
 * virtio-blk on the first virtio-mmio slot: read sector 0 (the test filled it with a
 * pattern) and write sector 1, each completion signalled by an interrupt through the
 * in-kernel I/O APIC (pin 16, level-triggered) and local APIC, while the CPU halts.
 */
#include "guest.h"

#define R(off) (VIRTIO_MMIO + (off))
#define QSIZE 8
#define VECTOR 0x50

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
static volatile unsigned interrupts;

static void on_irq(unsigned v)
{
    (void)v;
    uint32_t why = mmio_read(R(0x060));
    mmio_write(R(0x064), why);                     /* InterruptACK: the line drops */
    interrupts++;
}

static void request(uint32_t type, uint64_t sector)
{
    hdr = (typeof(hdr)){ type, 0, sector };
    status = 0xff;
    descs[0] = (struct desc){ (uint64_t)&hdr, sizeof(hdr), 1, 1 };
    descs[1] = (struct desc){ (uint64_t)data, 512, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2 };
    descs[2] = (struct desc){ (uint64_t)&status, 1, 2, 0 };
    avail.ring[avail.idx % QSIZE] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    avail.idx++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned before = interrupts;
    uint16_t want = (uint16_t)(used.idx + 1);
    cli();
    mmio_write(R(0x050), 0);                       /* QueueNotify */
    while (interrupts == before)
        halt();                                    /* sti; hlt: woken by the interrupt */
    if (*(volatile uint16_t *)&used.idx != want)
        finish(7);
    if (status != 0)
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
    if (mmio_read(R(0)) != 0x74726976 || mmio_read(R(4)) != 2 || mmio_read(R(8)) != 2)
        finish(2);
    mmio_write(R(0x070), 0);                       /* reset */
    mmio_write(R(0x070), 1 | 2);                   /* ACKNOWLEDGE | DRIVER */
    mmio_write(R(0x024), 1);
    mmio_write(R(0x020), 1);                       /* VERSION_1 (feature bit 32) */
    mmio_write(R(0x024), 0);
    mmio_write(R(0x020), 0);
    mmio_write(R(0x070), 1 | 2 | 8);               /* FEATURES_OK */
    if (!(mmio_read(R(0x070)) & 8))
        finish(4);
    mmio_write(R(0x030), 0);
    if (mmio_read(R(0x034)) < QSIZE)
        finish(5);
    mmio_write(R(0x038), QSIZE);
    mmio_write(R(0x080), (uint32_t)(uint64_t)descs);
    mmio_write(R(0x084), (uint32_t)((uint64_t)descs >> 32));
    mmio_write(R(0x090), (uint32_t)(uint64_t)&avail);
    mmio_write(R(0x094), (uint32_t)((uint64_t)&avail >> 32));
    mmio_write(R(0x0a0), (uint32_t)(uint64_t)&used);
    mmio_write(R(0x0a4), (uint32_t)((uint64_t)&used >> 32));
    mmio_write(R(0x044), 1);                       /* QueueReady */
    mmio_write(R(0x070), 1 | 2 | 8 | 4);           /* DRIVER_OK */

    request(0, 0);                                 /* read sector 0 */
    for (int i = 0; i < 512; i++)
        if (data[i] != (uint8_t)(i * 7 + 1))
            finish(6);
    const char *msg = "x86-64 guest reply";
    for (int i = 0; i < 512; i++)
        data[i] = 0;
    for (int i = 0; msg[i]; i++)
        data[i] = (uint8_t)msg[i];
    request(1, 1);                                 /* write sector 1 */
    puts_("blk: sector 0 verified, sector 1 written, ");
    putu(interrupts);
    puts_(" interrupts\n");
}
