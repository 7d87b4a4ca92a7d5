/* String/parse workload: tokenise and sum numbers in a generated text buffer. */
#include "bench.h"

static char text[65536];

int main(void)
{
    /* build "123 4567 89,..." style text */
    uint32_t seed = 42;
    unsigned n = 0;
    while (n < sizeof(text) - 16) {
        seed = seed * 1664525u + 1013904223u;
        unsigned v = seed >> 16, digits = 1 + (seed >> 8) % 5;
        for (unsigned d = 0; d < digits; d++) {
            text[n++] = (char)('0' + v % 10);
            v /= 10;
        }
        text[n++] = (seed & 0x10) ? ' ' : ',';
    }
    text[n] = 0;
    bench_begin();
    uint64_t total = 0;
    for (int rep = 0; rep < 1500; rep++) {
        const char *p = text;
        uint64_t cur = 0;
        while (*p) {
            char ch = *p++;
            if (ch >= '0' && ch <= '9')
                cur = cur * 10 + (uint64_t)(ch - '0');
            else {
                total += cur ^ (uint64_t)rep;
                cur = 0;
            }
        }
    }
    bench_end("parse", total);
    return 0;
}
