/*
 * The x86-64 guest the KVM gdb test debugs (tests/shell/kvm-gdb.sh): CPU 0 waits for
 * the debugger to set `release`, counts through work() and writes `shared_value`,
 * which the test watches; then it ends the run.
 */
#include "guest.h"

volatile uint64_t release;
volatile uint64_t counter;
volatile uint64_t shared_value;

__attribute__((noinline)) uint64_t work(uint64_t n)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += i;
    return sum;
}

void guest_main(unsigned cpu, unsigned n)
{
    (void)n;
    if (cpu != 0)
        return;
    while (!release)
        pause();
    for (int i = 0; i < 10; i++)
        counter += work(100);
    shared_value = 42;
    puts_("debugme: done\n");
}
