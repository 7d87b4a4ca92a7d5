/* Integer/branchy workload: hashing over an array with data-dependent branches. */
#include "bench.h"

static uint32_t arr[4096];

int main(void)
{
    bench_begin();
    uint32_t h = 1;
    for (int r = 0; r < 20000; r++)
        for (int i = 0; i < 4096; i += 4) {
            h = h * 31 + arr[i] + (h >> 7);
            arr[i] = h ^ (uint32_t)i;
            if (h & 1)
                h += (uint32_t)r;
            else
                h ^= 0x55;
        }
    bench_end("intmix", h);
    return 0;
}
