/* The local APIC timer, periodic: ten interrupts arrive while the CPU halts. */
#include "guest.h"

static volatile unsigned ticks;

static void on_tick(unsigned v)
{
    (void)v;
    ticks++;
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    idt_init();
    lapic_init();
    set_handler(0x40, on_tick);
    lapic_timer(0x40, 100000, true);
    while (ticks < 10)
        halt();
    lapic_timer(0x40, 0, false);
    puts_("timer: ");
    putu(ticks);
    puts_(" ticks\n");
}
