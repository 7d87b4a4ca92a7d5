/*
 * User space as people run it, inside the Linux guest: a static glibc program that
 * reads the time through the vDSO, reads the counters, sleeps, runs threads that meet on
 * futexes, takes signals, forks and execs and waits, maps a file, and computes with
 * libm. tests/shell/linux-user.sh runs it under both firmwares and both CPU tiers and
 * compares its output with the same program's under QEMU, so every line it prints must
 * be deterministic: times and counts are checked here and printed as verdicts.
 * The last line is "usertest: PASS" or "usertest: FAIL (n)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failures++;
}

static int64_t ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- time and counters ---- */

static uint64_t rdcycle(void) { uint64_t v; __asm__ volatile("rdcycle %0" : "=r"(v)); return v; }
static uint64_t rdinstret(void) { uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }
static uint64_t rdtime(void) { uint64_t v; __asm__ volatile("rdtime %0" : "=r"(v)); return v; }

static void test_time(int counters)
{
    check(getauxval(AT_SYSINFO_EHDR) != 0, "the kernel maps a vDSO");
    int64_t m0 = ns(CLOCK_MONOTONIC);
    int64_t r0 = ns(CLOCK_REALTIME);
    int64_t b0 = ns(CLOCK_BOOTTIME);
    int64_t c0 = ns(CLOCK_MONOTONIC_COARSE);
    int ok = 1;
    int64_t prev = m0;
    for (int i = 0; i < 100000; i++) {          /* vDSO calls: no syscall, must not go back */
        int64_t t = ns(CLOCK_MONOTONIC);
        ok &= t >= prev;
        prev = t;
    }
    check(m0 > 0 && ok && prev > m0, "clock_gettime(CLOCK_MONOTONIC) 100000 times, never backwards");
    check(r0 > 1700000000ll * 1000000000, "CLOCK_REALTIME is after 2023 (the RTC's time)");
    check(b0 >= m0 - 1000000 && c0 > 0, "CLOCK_BOOTTIME and CLOCK_MONOTONIC_COARSE");
    struct timespec res;
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
          res.tv_nsec <= 1000, "clock_getres(CLOCK_MONOTONIC) is at most 1 us");

    /* cycle and instret: not with "no-counters", for Linux 6.6 and later on a firmware
     * with an SBI PMU (OpenSBI), which keeps them from user programs (perf_user_access)
     * and stopped until perf starts them */
    uint64_t cy0 = 0, in0 = 0, t0 = rdtime();
    if (counters) {
        cy0 = rdcycle();
        in0 = rdinstret();
    }
    volatile uint64_t sink = 0;
    for (int i = 0; i < 100000; i++)
        sink += (uint64_t)i;
    uint64_t t1 = rdtime();
    if (counters) {
        uint64_t cy1 = rdcycle(), in1 = rdinstret();
        check(in1 - in0 >= 100000 && in1 - in0 < 100000000, "rdinstret counts the loop's instructions");
        check(cy1 > cy0, "rdcycle moves forward");
    }
    check(t1 >= t0, "rdtime moves forward");

    /* nanosleep: at least what was asked, and not wildly more (wide margin for CI) */
    struct timespec req = { 0, 50 * 1000000 };
    int64_t s0 = ns(CLOCK_MONOTONIC);
    int r = nanosleep(&req, NULL);
    int64_t slept = ns(CLOCK_MONOTONIC) - s0;
    check(r == 0 && slept >= 50000000 && slept < 5000000000ll, "nanosleep(50 ms) sleeps 50 ms");
    /* rdtime and CLOCK_MONOTONIC agree on the rate (10 MHz timebase) */
    uint64_t tt0 = rdtime();
    int64_t mm0 = ns(CLOCK_MONOTONIC);
    req.tv_nsec = 20 * 1000000;
    nanosleep(&req, NULL);
    uint64_t dt = rdtime() - tt0;
    int64_t dm = ns(CLOCK_MONOTONIC) - mm0;
    check(dm > 0 && (double)dt * 100.0 > dm * 0.9 && (double)dt * 100.0 < dm * 1.1,
          "rdtime ticks at 10 MHz against CLOCK_MONOTONIC");
    (void)sink;
}

/* ---- threads and futexes ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn;

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *pinger(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&lock);
        while (turn != me)
            pthread_cond_wait(&cond, &lock);
        turn = 1 - me;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("threads: 4 x 20000 locked increments = %ld\n", counter);
    check(counter == 80000, "mutex-protected counter");
    pthread_t a, b;
    pthread_create(&a, NULL, pinger, (void *)0);
    pthread_create(&b, NULL, pinger, (void *)1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    check(turn == 0, "condition variable ping-pong, 1000 hand-overs");
}

/* ---- signals ---- */

static volatile sig_atomic_t got_usr1, got_alrm;
static sigjmp_buf segv_jmp;

static void on_usr1(int sig) { (void)sig; got_usr1++; }
static void on_alrm(int sig) { (void)sig; got_alrm++; }
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    siglongjmp(segv_jmp, si->si_addr == (void *)16 ? 1 : 2);
}

static void test_signals(void)
{
    signal(SIGUSR1, on_usr1);
    kill(getpid(), SIGUSR1);
    check(got_usr1 == 1, "SIGUSR1 to self is handled");
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int where = sigsetjmp(segv_jmp, 1);
    volatile int *volatile bad = (volatile int *)16;
    if (where == 0)
        *bad = 1;
    check(where == 1, "SIGSEGV on a store to address 16 names that address");
    signal(SIGALRM, on_alrm);
    alarm(1);
    int64_t t0 = ns(CLOCK_MONOTONIC);
    while (!got_alrm && ns(CLOCK_MONOTONIC) - t0 < 10000000000ll)
        pause();
    check(got_alrm == 1, "alarm(1) delivers SIGALRM to pause()");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    kill(getpid(), SIGUSR1);
    check(got_usr1 == 1, "a blocked signal waits");
    sigprocmask(SIG_SETMASK, &old, NULL);
    check(got_usr1 == 2, "and arrives when unblocked");
}

/* ---- processes ---- */

static void test_processes(const char *self)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "child", (char *)NULL);
        _exit(99);
    }
    int status = 0;
    check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 42, "fork, exec of itself, wait: the child's exit status 42");
    int pipefd[2];
    check(pipe(pipefd) == 0, "pipe");
    pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        const char msg[] = "through a pipe from a child";
        ssize_t w = write(pipefd[1], msg, sizeof(msg));
        _exit(w == (ssize_t)sizeof(msg) ? 0 : 1);
    }
    close(pipefd[1]);
    char buf[64] = { 0 };
    ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    check(n > 0 && !strcmp(buf, "through a pipe from a child") && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0, "a child writes through a pipe");
    pid = fork();
    if (pid == 0) {
        raise(SIGKILL);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "wait sees a child killed by SIGKILL");
}

/* ---- files and mmap ---- */

static void test_mmap(void)
{
    const char *path = "/tmp/usertest.map";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "create a file in /tmp");
    if (fd < 0)
        return;
    char page[8192];
    for (unsigned i = 0; i < sizeof(page); i++)
        page[i] = (char)('a' + i % 26);
    check(write(fd, page, sizeof(page)) == (ssize_t)sizeof(page), "write 8 KiB to it");
    char *m = mmap(NULL, sizeof(page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap it shared");
    if (m == MAP_FAILED)
        return;
    check(!memcmp(m, page, sizeof(page)), "the mapping holds the file's bytes");
    memcpy(m + 4096, "written through the mapping", 27);
    check(msync(m, sizeof(page), MS_SYNC) == 0, "msync");
    char back[32] = { 0 };
    check(pread(fd, back, 27, 4096) == 27 && !memcmp(back, "written through the mapping", 27),
          "read() sees what was stored through the mapping");
    pid_t pid = fork();
    if (pid == 0) {
        m[0] = 'Z';                             /* a shared mapping is shared with children */
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    check(m[0] == 'Z', "a child's store to the shared mapping is seen by the parent");
    munmap(m, sizeof(page));
    close(fd);
    unlink(path);
    void *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(anon != MAP_FAILED && mprotect(anon, 1 << 20, PROT_READ) == 0, "anonymous mmap and mprotect");
    munmap(anon, 1 << 20);
}

/* ---- floating point through libm ---- */

static void test_libm(void)
{
    volatile double x = 0.7, y = 2.5, z = -3.25;
    printf("libm: sin %.17g cos %.17g tan %.17g\n", sin(x), cos(x), tan(x));
    printf("libm: exp %.17g log %.17g log10 %.17g log2 %.17g\n", exp(y), log(y), log10(y), log2(y));
    printf("libm: pow %.17g sqrt %.17g cbrt %.17g hypot %.17g\n", pow(y, x), sqrt(y), cbrt(z), hypot(y, z));
    printf("libm: atan2 %.17g asin %.17g acos %.17g sinh %.17g tanh %.17g\n",
           atan2(z, y), asin(x), acos(x), sinh(x), tanh(z));
    printf("libm: fma %.17g fmod %.17g remainder %.17g lgamma %.17g erf %.17g\n",
           fma(x, y, z), fmod(z, x), remainder(y, x), lgamma(y), erf(x));
    printf("libm: floor %g ceil %g round %g trunc %g rint %g lrint %ld\n",
           floor(z), ceil(z), round(z), trunc(z), rint(y), lrint(y));
    volatile float fx = 0.7f;
    printf("libm: sinf %.9g expf %.9g sqrtf %.9g powf %.9g\n", sinf(fx), expf(fx), sqrtf(fx), powf(fx, 3.5f));
    double sum = 0;
    for (int i = 1; i <= 100000; i++)
        sum += 1.0 / ((double)i * i);
    printf("libm: sum 1/i^2 to 100000 = %.17g\n", sum);
    check(fabs(sum - M_PI * M_PI / 6) < 1e-4, "the series converges to pi^2/6");
    check(fabs(sin(x) * sin(x) + cos(x) * cos(x) - 1) < 1e-15, "sin^2 + cos^2 = 1");
    printf("libm: 1/0 %g, -1/0 %g, 0/0 is nan %d, sqrt(-1) is nan %d\n",
           1.0 / (x - x), -1.0 / (x - x), isnan((x - x) / (x - x)), isnan(sqrt(-y)));
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return 42;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("usertest: start\n");
    test_time(!(argc > 1 && !strcmp(argv[1], "no-counters")));
    test_threads();
    test_signals();
    test_processes(argv[0]);
    test_mmap();
    test_libm();
    if (failures)
        printf("usertest: FAIL (%d)\n", failures);
    else
        printf("usertest: PASS\n");
    return failures ? 1 : 0;
}
