/* Serial output, then a guest-initiated poweroff (exit status 0). */
#include "guest.h"

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    puts_("hello from an x86-64 guest on tern\n");
}
