/* Floating-point workload: n-body style double-precision arithmetic with sqrt. */
#include "bench.h"

#define NB 16
static double px[NB], py[NB], vx[NB], vy[NB];

int main(void)
{
    for (int i = 0; i < NB; i++) {
        px[i] = i * 1.5;
        py[i] = (i * 7 % 5) * 2.25;
        vx[i] = vy[i] = 0;
    }
    bench_begin();
    for (int step = 0; step < 6000; step++) {
        for (int i = 0; i < NB; i++)
            for (int j = 0; j < NB; j++) {
                if (i == j)
                    continue;
                double dx = px[j] - px[i], dy = py[j] - py[i];
                double d2 = dx * dx + dy * dy + 0.01;
                double inv = 1.0 / (d2 * __builtin_sqrt(d2));
                vx[i] += dx * inv * 1e-3;
                vy[i] += dy * inv * 1e-3;
            }
        for (int i = 0; i < NB; i++) {
            px[i] += vx[i];
            py[i] += vy[i];
        }
    }
    double s = 0;
    for (int i = 0; i < NB; i++)
        s += px[i] + py[i];
    bench_end("fp", (uint64_t)(s * 1000));
    return 0;
}
