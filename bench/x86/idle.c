/* For bench/kvm: one line on the serial port, then the CPU halts with interrupts off
 * (under KVM's in-kernel irqchip the vCPU then sleeps in the host kernel), so start-up
 * time and memory can be read off a quiet process. */
#include "guest.h"

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    puts_("guest ready\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}
