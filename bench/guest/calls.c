/* Call-heavy workload: naive recursive Fibonacci plus an indirect-call dispatch loop. */
#include "bench.h"

__attribute__((noinline)) static uint64_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
__attribute__((noinline)) static uint64_t op_add(uint64_t a) { return a + 3; }
__attribute__((noinline)) static uint64_t op_mul(uint64_t a) { return a * 5; }
__attribute__((noinline)) static uint64_t op_xor(uint64_t a) { return a ^ 0x1234; }
static uint64_t (*const ops[3])(uint64_t) = { op_add, op_mul, op_xor };

int main(void)
{
    bench_begin();
    uint64_t v = fib(30);
    for (int i = 0; i < 12000000; i++)
        v = ops[i % 3](v);
    bench_end("calls", v);
    return 0;
}
