/* The runtime of tern's x86-64 test guests (see guest.h). */
#include "guest.h"

#define COM1 0x3f8
#define EXIT_PORT 0x501

void putc_(char c)
{
    if (c == '\n')
        putc_('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

void putu(uint64_t v)
{
    char b[24];
    int i = 0;
    do {
        b[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        putc_(b[--i]);
}

void puthex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

void finish(unsigned code)
{
    outl(EXIT_PORT, code ? (code << 16) | 0x3333 : 0x5555);
    for (;;)
        halt();
}

/* ---- interrupts ---- */

struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler handlers[256];
extern char isr_stubs[];

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)(isr_stubs + 16 * v);
        idt[v] = (struct idt_entry){ (uint16_t)a, 0x10, 0, 0x8e, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
    }
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(d));
}

void set_handler(unsigned vector, irq_handler h) { handlers[vector & 255] = h; }

void isr(uint64_t vector, uint64_t error, uint64_t rip);
void isr(uint64_t vector, uint64_t error, uint64_t rip)
{
    if (vector < 32) {
        puts_("guest: exception ");
        putu(vector);
        puts_(" error ");
        puthex(error);
        puts_(" at ");
        puthex(rip);
        puts_("\n");
        finish(100 + (unsigned)vector);
    }
    /* the handler quiets its device first, then the EOI: a level-triggered line still
     * high at the EOI would be delivered again */
    if (handlers[vector])
        handlers[vector]((unsigned)vector);
    if (vector != 0xff)                       /* spurious: no EOI */
        mmio_write(LAPIC + 0xb0, 0);
}

void lapic_init(void)
{
    mmio_write(LAPIC + 0xf0, 0x100 | 0xff);   /* enabled, spurious vector 0xff */
    mmio_write(LAPIC + 0x80, 0);              /* task priority: take everything */
}

unsigned lapic_id(void) { return mmio_read(LAPIC + 0x20) >> 24; }

void lapic_timer(unsigned vector, uint32_t count, bool periodic)
{
    mmio_write(LAPIC + 0x3e0, 0x3);           /* divide by 16 */
    mmio_write(LAPIC + 0x320, vector | (periodic ? 1u << 17 : 0));
    mmio_write(LAPIC + 0x380, count);
}

void ioapic_route(unsigned pin, unsigned vector, unsigned dest, bool level)
{
    mmio_write(IOAPIC, 0x11 + 2 * pin);
    mmio_write(IOAPIC + 0x10, dest << 24);
    mmio_write(IOAPIC, 0x10 + 2 * pin);
    mmio_write(IOAPIC + 0x10, vector | (level ? 1u << 15 : 0));
}

void guest_start(unsigned cpu, unsigned n);
void guest_start(unsigned cpu, unsigned n)
{
    guest_main(cpu, n);
    if (cpu == 0)
        finish(0);
    for (;;)
        halt();
}
