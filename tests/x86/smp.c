/* Two vCPUs both running: each counts and reports, the first waits for the second. */
#include "guest.h"

static volatile unsigned seen[8];
static volatile uint64_t work[8];

void guest_main(unsigned cpu, unsigned n)
{
    if (cpu >= 8)
        return;
    for (uint64_t i = 0; i < 1000000; i++)
        work[cpu]++;
    __atomic_store_n(&seen[cpu], lapic_id() + 1, __ATOMIC_SEQ_CST);
    if (cpu != 0)
        return;
    for (unsigned c = 0; c < n && c < 8; c++)
        while (!__atomic_load_n(&seen[c], __ATOMIC_SEQ_CST))
            pause();
    puts_("smp: ");
    putu(n);
    puts_(" vCPUs ran:");
    for (unsigned c = 0; c < n && c < 8; c++) {
        puts_(" cpu");
        putu(c);
        puts_("/apic");
        putu(seen[c] - 1);
        if (work[c] != 1000000)
            finish(3);
    }
    puts_("\n");
    if (n < 2)
        finish(2);
}
