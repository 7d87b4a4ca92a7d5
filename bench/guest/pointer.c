/* Memory workload: pointer chasing through a 1 MiB shuffled linked list. */
#include "bench.h"

#define N (1 << 17)
static uint32_t next[N];

int main(void)
{
    /* a full-period permutation: i -> (i * a + c) mod N with a % 4 == 1, c odd */
    for (uint32_t i = 0; i < N; i++)
        next[i] = (i * 1103515245u + 12345u) & (N - 1);
    bench_begin();
    uint32_t p = 0, sum = 0;
    for (int i = 0; i < 80000000; i++) {
        p = next[p];
        sum += p;
    }
    bench_end("pointer", sum);
    return 0;
}
