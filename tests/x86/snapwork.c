/*
 * A computation for the KVM snapshot tests: rounds of integer work, a line of results
 * after each, while the local APIC timer and the PIT (through
 * I/O APIC pin 0) interrupt it. With a virtio-blk disk on the first slot, each round's
 * line is also written to sector 1 + round and read back, every request completed by
 * a level-triggered interrupt; the disk then holds the lines. Each round waits for
 * two ticks of the APIC timer (a run lasts about half a second on any host, so a save
 * lands mid-run), and the end for enough ticks of both timers, so a machine restored
 * with a timer left stopped never finishes. The output depends on nothing but the
 * computation, so a run saved and restored anywhere prints what an uninterrupted run
 * prints. Kept short: every character printed and every interrupt is a VM exit, and
 * an exit costs a millisecond or more on some hosts (kvm_pvm).
 */
#include "guest.h"
#include "../guest-common/virtio_blk.h"

#define ROUNDS 20
#define APIC_VECTOR 0x40
#define PIT_VECTOR 0x41
#define BLK_VECTOR 0x50

static volatile uint64_t apic_ticks, pit_ticks;
static volatile unsigned blk_interrupts;
static uint64_t buf[4096];
static bool disk;

static void on_apic(unsigned v) { (void)v; apic_ticks++; }
static void on_pit(unsigned v) { (void)v; pit_ticks++; }

static void on_blk(unsigned v)
{
    (void)v;
    VREG(VIRTIO_MMIO, 0x064) = VREG(VIRTIO_MMIO, 0x060);   /* InterruptACK: the line drops */
    blk_interrupts++;
}

static void request(uint32_t type, uint64_t sector)
{
    uint16_t want = vblk_queue(type, sector);
    unsigned before = blk_interrupts;
    cli();
    VREG(VIRTIO_MMIO, 0x050) = 0;                  /* QueueNotify */
    while (blk_interrupts == before)
        halt();
    sti();
    if (vblk_used_idx() != want || vblk_status != 0)
        finish(7);
}

static char line[64];
static unsigned len;

static void add(char c) { if (len < sizeof(line) - 1) line[len++] = c; }
static void addhex(uint64_t v)
{
    for (int i = 60; i >= 0; i -= 4)
        add("0123456789abcdef"[(v >> i) & 15]);
}

/* The PIT's channel 0 as a rate generator at about 100 Hz. */
static void pit_start(void)
{
    outb(0x43, 0x34);
    outb(0x40, 11932 & 0xff);
    outb(0x40, 11932 >> 8);
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    outb(0x21, 0xff);                              /* the PICs stay out of it */
    outb(0xa1, 0xff);
    idt_init();
    lapic_init();
    set_handler(APIC_VECTOR, on_apic);
    set_handler(PIT_VECTOR, on_pit);
    set_handler(BLK_VECTOR, on_blk);
    ioapic_route(0, PIT_VECTOR, lapic_id(), false);
    disk = vblk_present(VIRTIO_MMIO);
    if (disk) {
        ioapic_route(VIRTIO_GSI, BLK_VECTOR, lapic_id(), true);
        int rc = vblk_setup(VIRTIO_MMIO);
        if (rc)
            finish((unsigned)rc);
    }
    lapic_timer(APIC_VECTOR, 625000, true);        /* 10 ms */
    pit_start();
    sti();
    uint64_t h = 0x9e3779b97f4a7c15ull, g = 1;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < 4096; i++) {
            h ^= h << 13;
            h ^= h >> 7;
            h ^= h << 17;
            buf[(h >> 7) & 4095] += h;
            g = g * 6364136223846793005ull + (h & 0xff);
        }
        for (int k = 0; k < 20000; k++)
            h += buf[(h + (uint64_t)k) & 4095] * 0x100000001b3ull;
        len = 0;
        add('r');
        add((char)('0' + r / 10));
        add((char)('0' + r % 10));
        add(' ');
        addhex(h);
        add(' ');
        addhex(g);
        add('\n');
        line[len] = 0;
        if (disk) {
            for (int i = 0; i < 512; i++)
                vblk_data[i] = i < (int)len ? (uint8_t)line[i] : 0;
            request(1, 1 + (uint64_t)r);           /* write the line */
            for (int i = 0; i < 512; i++)
                vblk_data[i] = 0xee;
            request(0, 1 + (uint64_t)r);           /* and read it back */
            for (unsigned i = 0; i < len; i++)
                if (vblk_data[i] != (uint8_t)line[i])
                    finish(8);
        }
        cli();
        puts_(line);
        sti();
        /* paced by the timer (two ticks a round at least), so a run lasts about half
         * a second however fast the host runs it, and a save lands mid-run */
        while (apic_ticks < 2 * (uint64_t)(r + 1))
            halt(), sti();
    }
    while (apic_ticks < 30 || pit_ticks < 30)
        halt(), sti();
    lapic_timer(APIC_VECTOR, 0, false);
    puts_(disk ? "snapwork: done, disk written\n" : "snapwork: done\n");
}
