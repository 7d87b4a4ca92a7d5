/*
 * The guest the gdb tests debug (tests/shell/gdb.sh): hart 0 waits for the debugger to
 * set `release` (so there is a running machine to interrupt), counts through work(),
 * takes a trap with ecall, waits for hart 1's value and ends the run; hart 1 writes
 * shared_value once hart 0 has counted for a while. Compiled -O0 -g so gdb steps by
 * source line.
 */
#include <stdint.h>

volatile uint64_t traps;            /* trap_entry counts ecalls here */
volatile uint64_t hart0_count;
volatile uint64_t shared_value;      /* written once, by hart 1: the watchpoint */
volatile uint64_t go_hart1;
volatile uint64_t release;           /* the debugger sets it: hart 0 waits until then */

static uint64_t work(uint64_t n)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += i;
    return sum;
}

void do_ecall(void)
{
    __asm__ volatile("ecall");
    hart0_count += 1000;
}

void hart0_main(void)
{
    while (!release)
        ;
    for (int i = 0; i < 100; i++)
        hart0_count += work(10);
    do_ecall();
    go_hart1 = 1;
    while (shared_value != 42)
        ;
    hart0_count += work(100000);     /* time for the debugger to stop it here */
}

void hart1_main(void)
{
    while (!go_hart1)
        ;
    shared_value = 42;
}
