/*
 * bench/snapshot's bare-metal guest for in-process returns (M-mode, -bios none, linked
 * with bench/guest/start.S and bench/guest/link.ld).
 *
 * It prints the address of its counter page and "READY", then goes round a loop for
 * ever: store the round's number once into each of 64 distinct 4 KiB pages, store it
 * into the counter page, then wait in wfi for the machine timer 10 us (guest time)
 * ahead. The bench saves the machine once inside this loop and then returns to that
 * snapshot again and again; after each return the guest runs on from the saved point,
 * so within one period it writes the 64 pages (and the counter page, which is the
 * bench's evidence that it did) before the next return.
 *
 * Interrupts stay globally off (mstatus.MIE = 0): wfi wakes on the pending timer
 * without a trap, and the loop keeps everything in registers, so no other page (no
 * stack) is written.
 *
 * Built with -DSPIN (for QEMU) it spins on mtime instead of waiting in wfi: QEMU 7.2
 * sometimes reads mtime as a value just below 2^64 right after a loadvm, and a timer
 * set from that never fires, so the guest would sleep for ever. The wait compares a
 * difference of mtime readings, so one such reading ends a wait early, never makes
 * it endless.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define MTIME (*(volatile uint64_t *)0x200bff8UL)
#define MTIMECMP (*(volatile uint64_t *)0x2004000UL)     /* hart 0 */
#define PAGES 64
#define PERIOD 100                                       /* mtime ticks (10 MHz): 10 us */

static volatile uint64_t pages[PAGES][512] __attribute__((aligned(4096)));
static volatile uint64_t counter[512] __attribute__((aligned(4096)));

static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

void main(void)
{
    puts_("dirty-guest counter=");
    puthex((uint64_t)(uintptr_t)counter);
    puts_(" pages=");
    puthex((uint64_t)(uintptr_t)pages);
    puts_(" READY\n");
    __asm__ volatile("csrs mie, %0" :: "r"(1UL << 7));   /* MTIE: the timer wakes wfi */
    for (uint64_t round = 1;; round++) {
        for (int i = 0; i < PAGES; i++)
            pages[i][0] = round;
        counter[0] = round;
        uint64_t start = MTIME;
#ifndef SPIN
        MTIMECMP = start + PERIOD;
#endif
        while (MTIME - start < PERIOD) {     /* a difference: see SPIN above */
#ifndef SPIN
            __asm__ volatile("wfi");
#endif
        }
    }
}
