/*
 * A bare-metal computation for the snapshot tests (tests/shell/snapshot-baremetal.sh):
 * integer and floating-point work in rounds, a line of results after each round, while
 * the machine timer interrupts it; it finishes only after enough timer interrupts
 * arrived, so a restored machine whose timer was not re-armed never finishes. Its
 * output depends on nothing but the computation, so a run saved and restored anywhere
 * prints exactly what an uninterrupted run prints. It never exits: the tests go back to
 * snapshots in the same machine after it is done.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define MTIME (*(volatile uint64_t *)0x200bff8UL)
#define MTIMECMP (*(volatile uint64_t *)0x2004000UL)
#define ROUNDS 40

static volatile uint64_t ticks;
static uint64_t buf[4096];

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

__attribute__((interrupt("machine"), aligned(4))) static void on_trap(void)
{
    uint64_t cause;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    if (cause != (1ull << 63 | 7)) {
        *(volatile uint32_t *)0x100000UL = 0x33333;      /* an unexpected trap: exit status 3 */
        for (;;)
            ;
    }
    ticks++;
    MTIMECMP = MTIME + 20000;                             /* 2 ms at 10 MHz */
}

int main(void)
{
    __asm__ volatile("csrw mtvec, %0" ::"r"(on_trap));
    MTIMECMP = MTIME + 20000;
    __asm__ volatile("csrs mie, %0" ::"r"(1ul << 7));
    __asm__ volatile("csrs mstatus, %0" ::"r"(1ul << 3));
    uint64_t h = 0x9e3779b97f4a7c15ull;
    double f = 1.0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < 4096; i++) {
            h ^= h << 13;
            h ^= h >> 7;
            h ^= h << 17;
            buf[(h >> 7) & 4095] += h;
            f = f * 1.0000001 + (double)(h & 0xff) / 256.0;
        }
        for (int k = 0; k < 2000000; k++)
            h += buf[(h + (uint64_t)k) & 4095] * 0x100000001b3ull;
        puts_("round ");
        putc_((char)('0' + r / 10));
        putc_((char)('0' + r % 10));
        puts_(": ");
        puthex(h);
        putc_(' ');
        uint64_t fb;
        __builtin_memcpy(&fb, &f, 8);
        puthex(fb);
        putc_('\n');
    }
    while (ticks < 50)                                    /* at least 100 ms of timer */
        __asm__ volatile("wfi");
    puts_("done\n");
    for (;;)                     /* the test quits tern: the machine stays to go back in */
        __asm__ volatile("wfi");
}
