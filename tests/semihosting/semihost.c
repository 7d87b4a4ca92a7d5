/*
 * The semihosting test guest (run by tests/shell/semihosting.sh, under tern and QEMU):
 * talks to the host only through RISC-V semihosting, the way an embedded test suite
 * reports. It writes to the console (SYS_WRITE0, SYS_WRITEC, SYS_WRITE to ":tt"), reads
 * a host file named on its command line, writes, appends, renames and removes host
 * files, checks the clocks move, asks for the heap, checks that an ebreak outside the
 * magic sequence is a breakpoint, calls from S-mode (also through Sv39) and U-mode
 * (a breakpoint there), and exits through SYS_EXIT with the status the input file gives
 * ("status=N"; "mode=extended" uses SYS_EXIT_EXTENDED, "mode=other" an exit reason
 * other than ApplicationExit, which the host turns into status 1). "strict=1" checks
 * what tern does where QEMU 7.2 differs, and makes hostile calls (bad blocks and
 * buffers, unknown operations, running out of handles) that QEMU would abort on.
 *
 * Without semihosting its first call is a breakpoint exception: the trap handler then
 * ends the run through the test finisher with status 33 (any other trap: 100 + cause).
 */
#include <stddef.h>
#include <stdint.h>

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
    SYS_READ = 0x06, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c,
    SYS_TMPNAM = 0x0d, SYS_REMOVE = 0x0e, SYS_RENAME = 0x0f, SYS_CLOCK = 0x10, SYS_TIME = 0x11,
    SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15, SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20, SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31,
};
enum { MODE_R = 0, MODE_W = 4, MODE_A = 8 };     /* "r", "w", "a" of the 12 fopen modes */
#define ADP_Stopped_ApplicationExit 0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023
#define BAD_ADDR 0x90000000ul                       /* above 128 MiB of RAM: nothing there */
#define RAM_END 0x88000000ul
#define FINISHER ((volatile uint32_t *)0x100000ul)

long sys_semihost(long op, uintptr_t arg);          /* start.S */
extern char semihost_ebreak[], plain_ebreak_at[], bad_tail_at[], _end[];
void plain_ebreak(void);
void bad_tail_ebreak(void);
void run_in_mode(void (*fn)(void), long mpp);

/* the compiler may call these even when freestanding */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}
size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

__attribute__((noreturn)) void finish(unsigned code)
{
    *FINISHER = code ? (code << 16) | 0x3333 : 0x5555;
    for (;;)
        ;
}

/* ---- traps ---- */

volatile int expect_break, expect_ecall;
volatile uint64_t break_at;

uint64_t trap_c(uint64_t cause, uint64_t epc, uint64_t tval)
{
    /* back from run_in_mode's lower mode: to M-mode, after the ecall */
    if (expect_ecall && (cause == 8 || cause == 9)) {
        expect_ecall = 0;
        __asm__ volatile("csrs mstatus, %0" : : "r"(0x1800ul));
        return epc + 4;
    }
    /* QEMU 7.2 leaves mtval 0 for ebreak; tern sets it to the pc, as later QEMUs do */
    if (expect_break && cause == 3 && (tval == epc || tval == 0)) {
        expect_break = 0;
        break_at = epc;
        return epc + 4;
    }
    /* no semihosting: the first call is an ordinary breakpoint at its ebreak */
    if (cause == 3 && epc == (uintptr_t)semihost_ebreak && (tval == epc || tval == 0))
        finish(33);
    finish(100 + (unsigned)(cause & 15));
}

/* ---- the calls ---- */

static long sh(long op, const void *blk) { return sys_semihost(op, (uintptr_t)blk); }
static void put(const char *s) { sh(SYS_WRITE0, s); }
static void putch(char ch) { sh(SYS_WRITEC, &ch); }
static long sh_errno(void) { return sh(SYS_ERRNO, 0); }

static long sh_open(const char *name, long mode)
{
    long b[3] = { (long)name, mode, (long)strlen(name) };
    return sh(SYS_OPEN, b);
}
static long sh_close(long h)
{
    long b[1] = { h };
    return sh(SYS_CLOSE, b);
}
static long sh_write(long h, const void *p, long n)
{
    long b[3] = { h, (long)p, n };
    return sh(SYS_WRITE, b);
}
static long sh_read(long h, void *p, long n)
{
    long b[3] = { h, (long)p, n };
    return sh(SYS_READ, b);
}
static long sh_seek(long h, long pos)
{
    long b[2] = { h, pos };
    return sh(SYS_SEEK, b);
}
static long sh_flen(long h)
{
    long b[1] = { h };
    return sh(SYS_FLEN, b);
}
static long sh_istty(long h)
{
    long b[1] = { h };
    return sh(SYS_ISTTY, b);
}
static long sh_iserror(long v)
{
    long b[1] = { v };
    return sh(SYS_ISERROR, b);
}
static long sh_remove(const char *name)
{
    long b[2] = { (long)name, (long)strlen(name) };
    return sh(SYS_REMOVE, b);
}
static long sh_rename(const char *from, const char *to)
{
    long b[4] = { (long)from, (long)strlen(from), (long)to, (long)strlen(to) };
    return sh(SYS_RENAME, b);
}
static long sh_elapsed(void)
{
    long b[1] = { -1 };
    return sh(SYS_ELAPSED, b) == 0 ? b[0] : -1;
}
__attribute__((noreturn)) static void sh_exit(long op, long reason, long status)
{
    long b[2] = { reason, status };
    sh(op, b);
    finish(4);                  /* the host should not have let us get here */
}

/* ---- output ---- */

static void putdec(long v)
{
    char buf[24], *p = buf + sizeof(buf);
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    *--p = 0;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(p);
}
static void puthex(unsigned long v)
{
    char buf[19] = "0x";
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = 0;
    put(buf);
}

static int failures, strict;
static void check(int ok, const char *what)
{
    if (!ok) {
        put("semihost: FAIL: ");
        put(what);
        put("\n");
        failures++;
    }
}
/* What tern does where QEMU 7.2 differs (see docs/semihosting.md): checked with
 * "strict=1" in the input file, reported either way. */
static void check_strict(int ok, const char *what)
{
    if (strict) {
        check(ok, what);
    } else if (!ok) {
        put("semihost: differs: ");
        put(what);
        put("\n");
    }
}

/* the value after "key=" in text (up to a newline), or NULL; *len gets its length */
static const char *find_key(const char *text, long n, const char *key, long *len)
{
    long k = (long)strlen(key);
    for (long i = 0; i + k <= n; i++) {
        if ((i == 0 || text[i - 1] == '\n') && !memcmp(text + i, key, (size_t)k)) {
            long j = i + k;
            while (j < n && text[j] != '\n')
                j++;
            *len = j - i - k;
            return text + i + k;
        }
    }
    return NULL;
}

/* ---- privilege: honoured in S-mode, a breakpoint in U-mode ---- */

static volatile long lower_result;

static void s_work(void)
{
    put("semihost: hello from S-mode\n");
    lower_result = sh_elapsed();
}

/* with Sv39 on: RAM is also seen 1 GiB lower, and the calls are given those addresses */
#define ALIAS(p) ((uintptr_t)(p) - 0x40000000ul)
static uint64_t root_pt[512] __attribute__((aligned(4096)));

static void s_work_paged(void)
{
    static const char msg[] = "semihost: hello from S-mode through Sv39\n";
    static long eb[1];
    sys_semihost(SYS_WRITE0, ALIAS(msg));
    eb[0] = -1;
    lower_result = sys_semihost(SYS_ELAPSED, ALIAS(eb)) == 0 ? eb[0] : -1;
}

static void u_work(void)
{
    expect_break = 1;           /* trap_c steps over it: a0 keeps the operation number */
    lower_result = sys_semihost(SYS_TICKFREQ, 0);
}

/* ---- a hostile guest (tern only: QEMU aborts on operations it does not know) ---- */

static long junk[4];
static char cmdline[256], inbuf[1024], tmp[1024];

static void hostile(const char *in)
{
    /* every operation with blocks that are not there, wrap, or hold nonsense */
    *(volatile long *)(RAM_END - 8) = 0;
    for (long op = 0; op <= 0x40; op++) {
        if (op == SYS_EXIT || op == SYS_EXIT_EXTENDED)
            continue;
        for (int i = 0; i < 7; i++) {
            static const long fill[3][4] = {
                { -1, -1, -1, -1 },
                { BAD_ADDR, 5, 1l << 40, BAD_ADDR },
                { RAM_END - 2, 1l << 62, RAM_END - 2, -2 },
            };
            uintptr_t a = i == 0 ? 0 : i == 1 ? BAD_ADDR : i == 2 ? (uintptr_t)-1 : i == 3 ? RAM_END - 8
                        : (uintptr_t)junk;
            if (i >= 4)
                memcpy(junk, fill[i - 4], sizeof(junk));
            if ((op == SYS_WRITEC || op == SYS_WRITE0) && i >= 3)
                continue;       /* they would print what is there */
            sys_semihost(op, a);
        }
    }
    /* a string and buffers running off the end of RAM */
    volatile char *end = (volatile char *)(RAM_END - 4);
    for (int i = 0; i < 4; i++)
        end[i] = 'a';
    sh(SYS_WRITE0, (const void *)end);
    long ob[3] = { (long)end, 0, 4 };
    check(sh(SYS_OPEN, ob) == -1 && sh_errno() == 14, "open a name off the end of RAM: EFAULT");
    long fd = sh_open(in, MODE_R), tt = sh_open(":tt", MODE_W);
    check(sh_read(fd, (void *)(RAM_END - 16), 64) == 64 && sh_errno() == 14, "read off the end of RAM");
    check(sh_write(tt, (void *)(RAM_END - 16), 64) == 64 && sh_errno() == 14, "write off the end of RAM");
    check(sh_read(fd, tmp, -1) == -1 && sh_errno() == 14, "read of length -1: EFAULT");
    /* handles run out, and come back */
    long h = 0, n = 0;
    while (n < 1000 && (h = sh_open(":tt", MODE_W)) > 0)
        n++;
    check(h == -1 && sh_errno() == 24 && n < 1000, "handles run out: EMFILE");
    for (h = 1; h < 1000; h++)
        sh_close(h);
    check(sh_open(":tt", MODE_W) == 1, "handles freed");
    sh_close(1);
    /* a read over the code making the call (the same bytes): translated code of it is
     * dropped while it runs */
    fd = sh_open("code.bin", MODE_W);
    check(sh_write(fd, (const void *)sys_semihost, 64) == 0 && sh_close(fd) == 0, "save code");
    fd = sh_open("code.bin", MODE_R);
    for (int i = 0; i < 3; i++)
        check(sh_seek(fd, 0) == 0 && sh_read(fd, (void *)sys_semihost, 64) == 0, "read over the calling code");
    sh_close(fd);
    sh_remove("code.bin");
    check(sys_semihost(0x99, 0) == -1 && sh_errno() == 38, "unknown operation: ENOSYS");
    long sb[2] = { (long)"true", 4 };
    check(sh(0x12, sb) == -1, "SYS_SYSTEM is refused");
    put("semihost: hostile calls survived\n");
}

static const char *argv[8];

void main(void)
{
    /* console */
    put("semihost: hello through SYS_WRITE0\n");
    putch('W');
    putch('C');
    putch('\n');
    long tt = sh_open(":tt", MODE_W);
    check(tt > 0, "open :tt");
    static const char ttline[] = "semihost: a line through SYS_WRITE to :tt\n";
    check(sh_write(tt, ttline, sizeof(ttline) - 1) == 0, "write :tt");
    /* a huge length over memory that is not there: nothing written, all of it reported
     * not written */
    check(sh_write(tt, ttline, 1l << 40) == 1l << 40, "huge write to :tt");
    sh(SYS_WRITE0, (void *)BAD_ADDR);            /* must not hurt the host */
    check(sh_close(tt) == 0, "close :tt");
    long te = sh_open(":tt", MODE_A);             /* the console's error stream */
    static const char teline[] = "semihost: a line to :tt opened for appending\n";
    check(te > 0 && sh_write(te, teline, sizeof(teline) - 1) == 0 && sh_close(te) == 0, ":tt for appending");

    /* the command line: argv[0] (the program), then the input and output file names */
    long cb[2] = { (long)cmdline, sizeof(cmdline) };
    check(sh(SYS_GET_CMDLINE, cb) == 0, "get_cmdline");
    check(cb[1] == (long)strlen(cmdline), "get_cmdline length");
    put("semihost: cmdline [");
    put(cmdline);
    put("]\n");
    long small[2] = { (long)tmp, 1 };
    check(sh(SYS_GET_CMDLINE, small) == -1 && sh_errno() == 7, "get_cmdline into 1 byte: E2BIG");
    int argc = 0;
    for (char *p = cmdline; *p && argc < 8;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = 0;
    }
    const char *in = argc > 1 ? argv[1] : "semihost-in.txt";
    const char *out = argc > 2 ? argv[2] : "semihost-out.txt";

    /* read the input file */
    long fd = sh_open(in, MODE_R);
    check(fd > 0, "open input");
    long len = sh_flen(fd);
    check(len > 0 && len < (long)sizeof(inbuf), "flen input");
    if (len < 0 || len >= (long)sizeof(inbuf))
        len = 0;
    check(sh_read(fd, inbuf, len) == 0, "read input");
    long n;
    const char *v = find_key(inbuf, len, "status=", &n);
    long status = 0;
    for (long i = 0; v && i < n && v[i] >= '0' && v[i] <= '9'; i++)
        status = status * 10 + (v[i] - '0');
    const char *mode = find_key(inbuf, len, "mode=", &n);
    long mode_len = mode ? n : 0;
    strict = find_key(inbuf, len, "strict=1", &n) != NULL;
    long line_len;
    const char *line = find_key(inbuf, len, "line=", &line_len);

    check(sh_read(fd, tmp, 10) == 10, "read at end of file reads nothing");
    check(sh_seek(fd, 7) == 0, "seek");
    check(sh_read(fd, tmp, 5) == 0 && !memcmp(tmp, inbuf + 7, 5), "read after seek");
    check(sh_seek(fd, -1) == -1 && sh_errno() == 22, "seek to -1: EINVAL");
    check_strict(sh_read(fd, (void *)BAD_ADDR, 16) == 16 && sh_errno() == 14, "read into nothing: EFAULT");
    check(sh_istty(fd) == 0, "istty on a file");
    check(sh_close(fd) == 0, "close input");
    check(sh_close(fd) == -1 && sh_errno() == 9, "close twice: EBADF");
    put("semihost: read ");
    putdec(len);
    put(" bytes\n");

    /* errors */
    check(sh_open("no-such-file.txt", MODE_R) == -1 && sh_errno() == 2, "open a missing file: ENOENT");
    check(sh_iserror(-1) == 1 && sh_iserror(5) == 0, "iserror");
    check(sh_read(12345, tmp, 8) == 8, "read an unknown handle");
    check_strict(sh_errno() == 9, "read an unknown handle: EBADF");
    check(sh_open(in, 12) == -1 && sh_errno() == 22, "open mode 12: EINVAL");
    check(sh(SYS_OPEN, (void *)BAD_ADDR) == -1 && sh_errno() == 14, "open with no block: EFAULT");
    check(sh_flen(-3) == -1 && sh_errno() == 9, "flen of a bad handle: EBADF");

    /* write a new file, append to it, read it back */
    fd = sh_open(out, MODE_W);
    check(fd > 0, "open output");
    static const char copied[] = "copied: ";
    long want = 0;
    check(sh_write(fd, copied, sizeof(copied) - 1) == 0, "write output");
    want += sizeof(copied) - 1;
    if (line) {
        check(sh_write(fd, line, line_len) == 0, "write output line");
        want += line_len;
    }
    check(sh_write(fd, "\n", 1) == 0, "write output newline");
    want += 1;
    check(sh_write(fd, (void *)BAD_ADDR, 16) == 16, "write from nothing");
    check_strict(sh_errno() == 14, "write from nothing: EFAULT");
    check(sh_flen(fd) == want, "flen output");
    check(sh_close(fd) == 0, "close output");
    fd = sh_open(out, MODE_A);
    check(sh_write(fd, "appended\n", 9) == 0, "append");
    want += 9;
    check(sh_close(fd) == 0, "close appended");
    fd = sh_open(out, MODE_R);
    check_strict(sh_flen(fd) == want, "append mode appends");
    check_strict(sh_read(fd, tmp, want) == 0 && !memcmp(tmp, copied, sizeof(copied) - 1) &&
                 !memcmp(tmp + want - 9, "appended\n", 9), "read back");
    sh_close(fd);

    /* rename, remove, tmpnam */
    fd = sh_open("semihost-tmp.txt", MODE_W);
    check(sh_write(fd, "renamed\n", 8) == 0, "write tmp");
    sh_close(fd);
    check(sh_rename("semihost-tmp.txt", "semihost-renamed.txt") == 0, "rename");
    fd = sh_open("semihost-del.txt", MODE_W);
    sh_close(fd);
    check(sh_remove("semihost-del.txt") == 0, "remove");
    check(sh_open("semihost-del.txt", MODE_R) == -1 && sh_errno() == 2, "removed file is gone");
    char name[64];
    long tb[3] = { (long)name, 7, sizeof(name) };
    check(sh(SYS_TMPNAM, tb) == 0 && name[0] == '/', "tmpnam");
    fd = sh_open(name, MODE_W);
    check(fd > 0 && sh_write(fd, "x", 1) == 0 && sh_close(fd) == 0, "write the tmpnam file");
    check(sh_remove(name) == 0, "remove the tmpnam file");

    /* the features file: magic "SHFB", then EXIT_EXTENDED | STDOUT_STDERR */
    fd = sh_open(":semihosting-features", MODE_R);
    check(fd > 0, "open :semihosting-features");
    check(sh_flen(fd) == 5, "features length");
    unsigned char feat[8] = { 0 };
    check(sh_read(fd, feat, 8) == 3 && !memcmp(feat, "SHFB", 4) && (feat[4] & 3) == 3, "features");
    sh_close(fd);
    check(sh_open(":semihosting-features", MODE_W) == -1 && sh_errno() == 13, "features for writing: EACCES");

    /* clocks */
    long c0 = sh(SYS_CLOCK, 0), e0 = sh_elapsed(), freq = sh(SYS_TICKFREQ, 0), t0 = sh(SYS_TIME, 0);
    check(c0 >= 0 && e0 >= 0 && freq > 0, "clock, elapsed, tickfreq");
    check(t0 > 1600000000, "time");
    long e1 = e0, spins = 0;
    while (e1 - e0 < freq / 10 && spins++ < 100000000)      /* 100 ms */
        e1 = sh_elapsed();
    long c1 = sh(SYS_CLOCK, 0);
    check(e1 - e0 >= freq / 10, "elapsed moves");
    check(c1 > c0, "clock moves");
    check(sh(SYS_TIME, 0) >= t0, "time does not go back");

    /* heap */
    uint64_t heap[4] = { 0 };
    uintptr_t hp = (uintptr_t)heap;
    check(sh(SYS_HEAPINFO, &hp) == 0, "heapinfo");
    put("semihost: heap ");
    puthex(heap[0]);
    put("-");
    puthex(heap[1]);
    put(" stack ");
    puthex(heap[2]);
    put("-");
    puthex(heap[3]);
    put("\n");
    check(heap[0] >= (uintptr_t)_end && heap[1] > heap[0] && heap[1] <= 0x88000000ul, "heap range");

    /* an ebreak outside the sequence is a breakpoint, with semihosting on too */
    expect_break = 1;
    plain_ebreak();
    check(!expect_break && break_at == (uintptr_t)plain_ebreak_at, "plain ebreak traps");
    expect_break = 1;
    bad_tail_ebreak();
    check(!expect_break && break_at == (uintptr_t)bad_tail_at, "ebreak with a wrong tail traps");

    /* S-mode calls are honoured, U-mode ones are breakpoints */
    lower_result = -1;
    expect_ecall = 1;
    run_in_mode(s_work, 1);
    check(!expect_ecall && lower_result >= 0, "a call from S-mode");
    root_pt[1] = root_pt[2] = (0x80000000ul >> 12) << 10 | 0xcf;   /* gigapages: VRWX, A, D */
    __asm__ volatile("csrw satp, %0; sfence.vma" : : "r"((8ul << 60) | ((uintptr_t)root_pt >> 12)));
    lower_result = -1;
    expect_ecall = 1;
    run_in_mode(s_work_paged, 1);
    __asm__ volatile("csrw satp, zero; sfence.vma");
    check(!expect_ecall && lower_result >= 0, "a call from S-mode with paging");
    expect_ecall = 1;
    run_in_mode(u_work, 0);
    check(!expect_ecall && !expect_break && lower_result == SYS_TICKFREQ &&
          break_at == (uintptr_t)semihost_ebreak, "a call from U-mode is a breakpoint");

    if (strict)
        hostile(in);

    put("semihost: done, ");
    putdec(failures);
    put(" failures\n");
    if (failures)
        sh_exit(SYS_EXIT, ADP_Stopped_ApplicationExit, 3);
    if (mode_len == 8 && !memcmp(mode, "extended", 8))
        sh_exit(SYS_EXIT_EXTENDED, ADP_Stopped_ApplicationExit, status);
    if (mode_len == 5 && !memcmp(mode, "other", 5))
        sh_exit(SYS_EXIT, ADP_Stopped_RunTimeErrorUnknown, status);
    sh_exit(SYS_EXIT, ADP_Stopped_ApplicationExit, status);
}
