/*
 * Watches guest time for a jump: reads CLOCK_MONOTONIC (the vDSO, so rdtime) in a loop
 * for the given number of seconds of guest time, or until the file STOP_FILE appears,
 * and prints the largest step between two reads. tests/qmp/stress.py stops the machine
 * for 2 s while it runs: since guest time stands still while stopped, no step may come
 * near that.
 * usage: timejump SECONDS [STOP_FILE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int64_t secs = argc > 1 ? atoll(argv[1]) : 10;
    const char *stop_file = argc > 2 ? argv[2] : NULL;
    int64_t start = now_ns(), prev = start, max_step = 0, reads = 0;
    while (prev - start < secs * 1000000000) {
        /* rarely enough that the system call does not make the steps */
        if (stop_file && (reads & 0xffff) == 0 && access(stop_file, F_OK) == 0)
            break;
        int64_t t = now_ns();
        if (t - prev > max_step)
            max_step = t - prev;
        prev = t;
        reads++;
    }
    printf("timejump: %lld reads over %.1f s, largest step %lld us\n", (long long)reads,
           (double)(prev - start) / 1e9, (long long)(max_step / 1000));
    return 0;
}
