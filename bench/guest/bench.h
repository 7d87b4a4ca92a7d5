/*
 * Helpers for bench guests: UART output and the measurement report. Each workload
 * calls bench_begin()/bench_end(); the report line is parsed by bench/run:
 *   BENCH name insns=N ticks=T mips=M check=C
 * ticks are mtime ticks (10 MHz), so the guest measures only its own work.
 */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
static inline void b_putc(char c) { while (!(UART[5] & 0x20)) ; UART[0] = (uint8_t)c; }
static inline void b_puts(const char *s) { while (*s) b_putc(*s++); }
static inline void b_putu(uint64_t v)
{
    char b[24];
    int i = 0;
    do { b[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (i) b_putc(b[--i]);
}
static inline uint64_t b_instret(void) { uint64_t v; __asm__ volatile("csrr %0, minstret" : "=r"(v)); return v; }
static inline uint64_t b_time(void) { return *(volatile uint64_t *)0x200bff8; }

static uint64_t b_t0, b_i0;
static inline void bench_begin(void) { b_t0 = b_time(); b_i0 = b_instret(); }
static inline void bench_end(const char *name, uint64_t check)
{
    uint64_t t = b_time() - b_t0, n = b_instret() - b_i0;
    b_puts("BENCH "); b_puts(name);
    b_puts(" insns="); b_putu(n);
    b_puts(" ticks="); b_putu(t);
    b_puts(" mips="); b_putu(t ? n * 10 / t : 0);
    b_puts(" check="); b_putu(check);
    b_puts("\n");
}
#endif
