/*
 * RISC-V semihosting (see semihosting.h and docs/semihosting.md): the operations of
 * ARM's semihosting specification v2 with 8-byte fields, answered as QEMU's
 * semihosting/arm-compat-semi.c answers them with target=native, so test suites that
 * report through QEMU report through tern alike.
 *
 * Calls run on the calling hart's vCPU thread. The guest controls every number it
 * passes: each handle is looked up, each buffer is checked to be guest RAM (through
 * the hart's MMU) before anything is copied, and each length is bounded.
 */
#include "hw/misc/semihosting.h"
#include "cpu/riscv/cpu.h"
#include "core/chardev.h"
#include "core/loader.h"
#include "core/log.h"
#include "core/main_loop.h"
#include "core/memory.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
    SYS_READ = 0x06, SYS_READC = 0x07, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a,
    SYS_FLEN = 0x0c, SYS_TMPNAM = 0x0d, SYS_REMOVE = 0x0e, SYS_RENAME = 0x0f, SYS_CLOCK = 0x10,
    SYS_TIME = 0x11, SYS_SYSTEM = 0x12, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15,
    SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_SYNCCACHE = 0x19, SYS_EXIT_EXTENDED = 0x20,
    SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31,
};

#define ADP_Stopped_ApplicationExit 0x20026
#define MAX_FILES 256                  /* handles 1..255 (0 is never returned) */
#define CHUNK 65536                    /* host I/O goes through a bounce buffer this big */
#define RW_MAX ((uint64_t)INT32_MAX)   /* one READ or WRITE moves at most this, as QEMU */
#define NOT_RETURNED 0xdeadbeefull     /* a0 after calls that return nothing, as QEMU */

enum file_kind { F_UNUSED, F_HOST, F_CONSOLE, F_FEATURES };

typedef struct sh_file {
    enum file_kind kind;
    int fd;                            /* F_HOST: ours; F_CONSOLE: tern's 0, 1 or 2 */
    uint64_t off;                      /* F_FEATURES: read position */
} sh_file;

/* ":semihosting-features": magic "SHFB", then SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR */
static const uint8_t features[] = { 'S', 'H', 'F', 'B', 0x03 };

/* One machine per process; the lock serialises harts calling at once (QEMU's errno is
 * one global too). Lock order: sh.lock, then the big lock. */
static struct {
    pthread_mutex_t lock;
    chardev *chr;                      /* console; NULL: stderr */
    char *cmdline;
    uint64_t heap_base, heap_limit;
    struct timespec start;
    uint64_t err;                      /* SYS_ERRNO: the last error of a call that failed */
    bool exited;
    sh_file files[MAX_FILES];
} sh = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ---- guest memory ---- */

/*
 * Whether [va, va+len) is guest RAM through the hart's current translation. Checked
 * before copying anything, so a call sees all of its buffer or fails with EFAULT and
 * never reads device registers (which can have side effects) for the guest.
 */
static bool guest_ram(rv_cpu *c, uint64_t va, uint64_t len)
{
    if (len && len - 1 > UINT64_MAX - va)
        return false;                  /* wraps around the address space */
    while (len) {
        uint64_t chunk = 4096 - (va & 4095);
        if (chunk > len)
            chunk = len;
        uint64_t pa;
        if (rv_debug_translate(c, va, &pa) != 0 || !as_ram_ptr(c->as, pa, chunk))
            return false;
        va += chunk;
        len -= chunk;
    }
    return true;
}

static bool guest_read(rv_cpu *c, uint64_t va, void *buf, size_t len)
{
    return guest_ram(c, va, len) && rv_debug_access(c, va, buf, len, false);
}

static bool guest_write(rv_cpu *c, uint64_t va, const void *buf, size_t len)
{
    return guest_ram(c, va, len) && rv_debug_access(c, va, (void *)buf, len, true);
}

/* Field n of the parameter block (8 bytes each on RV64). */
static bool get_arg(rv_cpu *c, uint64_t args, unsigned n, uint64_t *v)
{
    return guest_read(c, args + 8ull * n, v, 8);
}

static bool set_arg(rv_cpu *c, uint64_t args, unsigned n, uint64_t v)
{
    return guest_write(c, args + 8ull * n, &v, 8);
}

/* The length of the NUL-terminated guest string at va, looking at most `max` bytes
 * (page by page, so nothing past the string's last page is touched). -EFAULT if it
 * runs into memory that is not there, -ENAMETOOLONG if it is longer than max. */
static int64_t guest_strlen(rv_cpu *c, uint64_t va, uint64_t max)
{
    uint8_t buf[4096];
    uint64_t n = 0;
    while (n < max) {
        uint64_t chunk = 4096 - ((va + n) & 4095);
        if (chunk > max - n)
            chunk = max - n;
        if (!guest_read(c, va + n, buf, chunk))
            return -EFAULT;
        const uint8_t *z = memchr(buf, 0, chunk);
        if (z)
            return (int64_t)(n + (uint64_t)(z - buf));
        n += chunk;
    }
    return -ENAMETOOLONG;
}

/* A file name: the string at va (into out, PATH_MAX bytes). As QEMU checks it, the
 * byte at va + len, where the guest says the name ends, must be its NUL. 0 or -errno. */
static int guest_path(rv_cpu *c, uint64_t va, uint64_t len, char *out)
{
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    if (!guest_read(c, va, out, len + 1))
        return -EFAULT;
    if (out[len] != 0)
        return -EINVAL;
    return 0;
}

/* ---- host output ---- */

/* All of buf to a host fd; the count written, or -1 if nothing was. A non-blocking fd
 * that is full is waited for if `wait` (tern's own stdout and stderr, which may be a
 * terminal tern also reads), else the write stops there. */
static int64_t write_all(int fd, const uint8_t *p, size_t n, bool wait)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
        } else {
            break;
        }
    }
    return done || !n ? (int64_t)done : -1;
}

/* The console of SYS_WRITEC and SYS_WRITE0: the chardev, or stderr as QEMU without
 * chardev=. The big lock keeps it whole among the devices' output. */
static void console_write(const uint8_t *p, size_t n)
{
    big_lock();
    if (sh.chr)
        chardev_write(sh.chr, p, n);
    else
        write_all(2, p, n, true);
    big_unlock();
}

/* ---- handles ---- */

static sh_file *get_file(uint64_t h)
{
    if (h == 0 || h >= MAX_FILES || sh.files[h].kind == F_UNUSED)
        return NULL;
    return &sh.files[h];
}

/* The lowest free handle (QEMU's order), or 0 if all are taken. */
static uint64_t alloc_file(enum file_kind kind, int fd)
{
    for (uint64_t h = 1; h < MAX_FILES; h++) {
        if (sh.files[h].kind == F_UNUSED) {
            sh.files[h] = (sh_file){ .kind = kind, .fd = fd };
            return h;
        }
    }
    return 0;
}

/* ---- the operations ---- */

#define FAIL(e) do { sh.err = (e); return (uint64_t)-1; } while (0)

static uint64_t sys_open(rv_cpu *c, uint64_t args)
{
    uint64_t name, mode, len;
    if (!get_arg(c, args, 0, &name) || !get_arg(c, args, 1, &mode) || !get_arg(c, args, 2, &len))
        FAIL(EFAULT);
    char path[PATH_MAX];
    int64_t n = guest_strlen(c, name, sizeof(path));
    if (n < 0)
        FAIL((uint64_t)-n);
    if (!guest_read(c, name, path, (size_t)n + 1))
        FAIL(EFAULT);
    if (mode >= 12)
        FAIL(EINVAL);
    uint64_t h;
    if (!strcmp(path, ":tt")) {
        /* SH_EXT_STDOUT_STDERR: read is stdin, write stdout, append stderr, as QEMU
         * has them: tern's own file descriptors, not the console chardev */
        h = alloc_file(F_CONSOLE, mode < 4 ? 0 : mode < 8 ? 1 : 2);
    } else if (!strcmp(path, ":semihosting-features")) {
        if (mode > 1)
            FAIL(EACCES);             /* only "r" and "rb" */
        h = alloc_file(F_FEATURES, -1);
    } else {
        int r = guest_path(c, name, len, path);
        if (r < 0)
            FAIL((uint64_t)-r);
        /* the 12 fopen modes: r rb r+ r+b w wb w+ w+b a ab a+ a+b */
        static const int flags[3] = { 0, O_CREAT | O_TRUNC, O_CREAT | O_APPEND };
        int f = flags[mode / 4] | ((mode & 2) ? O_RDWR : mode < 4 ? O_RDONLY : O_WRONLY);
        /* non-blocking, so a FIFO or device cannot hold the hart in open() or read()
         * forever; regular files go back to blocking I/O */
        int fd = open(path, f | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
        if (fd < 0)
            FAIL((uint64_t)errno);
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        h = alloc_file(F_HOST, fd);
        if (!h)
            close(fd);
    }
    if (!h)
        FAIL(EMFILE);
    return h;
}

static uint64_t sys_close(rv_cpu *c, uint64_t args)
{
    uint64_t h;
    if (!get_arg(c, args, 0, &h))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    if (!f)
        FAIL(EBADF);
    int fd = f->kind == F_HOST ? f->fd : -1;   /* the console's fds stay open */
    *f = (sh_file){ .kind = F_UNUSED };
    if (fd >= 0 && close(fd) < 0)
        FAIL((uint64_t)errno);
    return 0;
}

/* SYS_READ and SYS_WRITE return how many bytes were NOT moved: all of them on error. */
static uint64_t sys_read(rv_cpu *c, uint64_t args)
{
    uint64_t h, buf, len;
    if (!get_arg(c, args, 0, &h) || !get_arg(c, args, 1, &buf) || !get_arg(c, args, 2, &len))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    uint64_t want = len > RW_MAX ? RW_MAX : len;
    if (!f) {
        sh.err = EBADF;
        return len;
    }
    if (!guest_ram(c, buf, want)) {
        sh.err = EFAULT;
        return len;
    }
    if (f->kind == F_FEATURES) {
        uint64_t n = sizeof(features) - f->off;
        if (n > want)
            n = want;
        guest_write(c, buf, features + f->off, n);
        f->off += n;
        return len - n;
    }
    if (f->kind == F_CONSOLE)
        return len;                    /* console input is not implemented: end of file */
    static uint8_t bounce[CHUNK];      /* under sh.lock */
    uint64_t got = 0;
    while (got < want) {
        size_t chunk = want - got < CHUNK ? (size_t)(want - got) : CHUNK;
        ssize_t r;
        do
            r = read(f->fd, bounce, chunk);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            sh.err = (uint64_t)errno;
            break;
        }
        if (r > 0 && !guest_write(c, buf + got, bounce, (size_t)r)) {
            sh.err = EFAULT;           /* the guest remapped its buffer meanwhile */
            break;
        }
        got += (uint64_t)r;
        if ((size_t)r < chunk)
            break;                     /* end of file, or all a pipe had */
    }
    return len - got;
}

static uint64_t sys_write(rv_cpu *c, uint64_t args)
{
    uint64_t h, buf, len;
    if (!get_arg(c, args, 0, &h) || !get_arg(c, args, 1, &buf) || !get_arg(c, args, 2, &len))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    uint64_t want = len > RW_MAX ? RW_MAX : len;
    if (!f || f->kind == F_FEATURES) {
        sh.err = EBADF;
        return len;
    }
    if (!guest_ram(c, buf, want)) {
        sh.err = EFAULT;
        return len;
    }
    static uint8_t bounce[CHUNK];
    uint64_t put = 0;
    while (put < want) {
        size_t chunk = want - put < CHUNK ? (size_t)(want - put) : CHUNK;
        if (!guest_read(c, buf + put, bounce, chunk)) {
            sh.err = EFAULT;
            break;
        }
        /* the console's fds are shared with the chardevs on tern's terminal */
        if (f->kind == F_CONSOLE)
            big_lock();
        int64_t w = write_all(f->fd, bounce, chunk, f->kind == F_CONSOLE);
        int e = errno;
        if (f->kind == F_CONSOLE)
            big_unlock();
        if (w < 0) {
            sh.err = (uint64_t)e;
            break;
        }
        put += (uint64_t)w;
        if ((size_t)w < chunk)
            break;
    }
    return len - put;
}

static uint64_t sys_writec(rv_cpu *c, uint64_t args)
{
    uint8_t ch;
    if (guest_read(c, args, &ch, 1))
        console_write(&ch, 1);
    return NOT_RETURNED;
}

static uint64_t sys_write0(rv_cpu *c, uint64_t args)
{
    /* as QEMU: nothing is written unless the whole string is there */
    int64_t n = guest_strlen(c, args, RW_MAX);
    if (n < 0)
        return NOT_RETURNED;
    uint8_t buf[4096];
    for (uint64_t off = 0; off < (uint64_t)n;) {
        size_t chunk = (uint64_t)n - off < sizeof(buf) ? (size_t)((uint64_t)n - off) : sizeof(buf);
        if (!guest_read(c, args + off, buf, chunk))
            break;
        console_write(buf, chunk);
        off += chunk;
    }
    return NOT_RETURNED;
}

static uint64_t sys_istty(rv_cpu *c, uint64_t args)
{
    uint64_t h;
    if (!get_arg(c, args, 0, &h))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    if (!f)
        FAIL(EBADF);
    if (f->kind == F_FEATURES) {
        sh.err = ENOTTY;
        return 0;
    }
    if (isatty(f->fd))
        return 1;
    if (errno != ENOTTY)
        FAIL((uint64_t)errno);
    sh.err = ENOTTY;
    return 0;
}

static uint64_t sys_seek(rv_cpu *c, uint64_t args)
{
    uint64_t h, pos;
    if (!get_arg(c, args, 0, &h) || !get_arg(c, args, 1, &pos))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    if (!f)
        FAIL(EBADF);
    if (f->kind == F_FEATURES) {
        if (pos > sizeof(features))
            FAIL(EINVAL);
        f->off = pos;
        return 0;
    }
    if (f->kind == F_CONSOLE)
        FAIL(ESPIPE);                  /* tern's own stdout/stderr are not the guest's to move */
    if (lseek(f->fd, (off_t)pos, SEEK_SET) < 0)
        FAIL((uint64_t)errno);
    return 0;
}

static uint64_t sys_flen(rv_cpu *c, uint64_t args)
{
    uint64_t h;
    if (!get_arg(c, args, 0, &h))
        FAIL(EFAULT);
    sh_file *f = get_file(h);
    if (!f)
        FAIL(EBADF);
    if (f->kind == F_FEATURES)
        return sizeof(features);
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        FAIL((uint64_t)errno);
    return (uint64_t)st.st_size;
}

static uint64_t sys_tmpnam(rv_cpu *c, uint64_t args)
{
    uint64_t buf, id, size;
    if (!get_arg(c, args, 0, &buf) || !get_arg(c, args, 1, &id) || !get_arg(c, args, 2, &size))
        FAIL(EFAULT);
    char name[64];
    int n = snprintf(name, sizeof(name), "/tmp/tern-%x%02x", (unsigned)getpid(), (unsigned)(id & 0xff));
    if (n < 0 || (uint64_t)n + 1 > size)
        return (uint64_t)-1;           /* QEMU sets no errno here */
    if (!guest_write(c, buf, name, (size_t)n + 1))
        FAIL(EFAULT);
    return 0;
}

static uint64_t sys_remove(rv_cpu *c, uint64_t args)
{
    uint64_t name, len;
    if (!get_arg(c, args, 0, &name) || !get_arg(c, args, 1, &len))
        FAIL(EFAULT);
    char path[PATH_MAX];
    int r = guest_path(c, name, len, path);
    if (r < 0)
        FAIL((uint64_t)-r);
    if (remove(path) < 0)
        FAIL((uint64_t)errno);
    return 0;
}

static uint64_t sys_rename(rv_cpu *c, uint64_t args)
{
    uint64_t from, from_len, to, to_len;
    if (!get_arg(c, args, 0, &from) || !get_arg(c, args, 1, &from_len) ||
        !get_arg(c, args, 2, &to) || !get_arg(c, args, 3, &to_len))
        FAIL(EFAULT);
    char a[PATH_MAX], b[PATH_MAX];
    int r = guest_path(c, from, from_len, a);
    if (r == 0)
        r = guest_path(c, to, to_len, b);
    if (r < 0)
        FAIL((uint64_t)-r);
    if (rename(a, b) < 0)
        FAIL((uint64_t)errno);
    return 0;
}

static uint64_t sys_get_cmdline(rv_cpu *c, uint64_t args)
{
    uint64_t buf, size;
    if (!get_arg(c, args, 0, &buf) || !get_arg(c, args, 1, &size))
        FAIL(EFAULT);
    size_t n = strlen(sh.cmdline) + 1;
    if (n > size)
        FAIL(E2BIG);
    if (!set_arg(c, args, 1, n - 1) || !guest_write(c, buf, sh.cmdline, n))
        FAIL(EFAULT);
    return 0;
}

static uint64_t sys_heapinfo(rv_cpu *c, uint64_t args)
{
    uint64_t blk;
    if (!get_arg(c, args, 0, &blk))
        FAIL(EFAULT);
    /* heap base and limit, stack base and limit: QEMU gives the stack the same gap */
    uint64_t v[4] = { sh.heap_base, sh.heap_limit, sh.heap_limit, sh.heap_base };
    if (!guest_write(c, blk, v, sizeof(v)))
        FAIL(EFAULT);
    return 0;
}

static uint64_t elapsed_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - sh.start.tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
           (uint64_t)sh.start.tv_nsec;
}

static uint64_t sys_exit(rv_cpu *c, uint64_t args)
{
    /* on RV64 both take a block {reason, subcode}: an application exit gives its
     * status, any other reason is a failure, status 1 */
    uint64_t reason, code;
    if (!get_arg(c, args, 0, &reason) || !get_arg(c, args, 1, &code))
        FAIL(EFAULT);
    int status = reason == ADP_Stopped_ApplicationExit ? (int)(code & 0xff) : 1;
    sh.exited = true;
    main_loop_request_exit_why(status, true, "guest-shutdown");
    return 0;
}

static uint64_t dispatch(rv_cpu *c, uint32_t op, uint64_t args)
{
    uint64_t v;
    switch (op) {
    case SYS_OPEN:      return sys_open(c, args);
    case SYS_CLOSE:     return sys_close(c, args);
    case SYS_WRITEC:    return sys_writec(c, args);
    case SYS_WRITE0:    return sys_write0(c, args);
    case SYS_WRITE:     return sys_write(c, args);
    case SYS_READ:      return sys_read(c, args);
    case SYS_READC:
        /* QEMU waits for a byte from the chardev; tern has no console input here */
        FAIL(ENOSYS);
    case SYS_ISERROR:
        if (!get_arg(c, args, 0, &v))
            FAIL(EFAULT);
        return (int64_t)v < 0;
    case SYS_ISTTY:     return sys_istty(c, args);
    case SYS_SEEK:      return sys_seek(c, args);
    case SYS_FLEN:      return sys_flen(c, args);
    case SYS_TMPNAM:    return sys_tmpnam(c, args);
    case SYS_REMOVE:    return sys_remove(c, args);
    case SYS_RENAME:    return sys_rename(c, args);
    case SYS_CLOCK:     return elapsed_ns() / 10000000;   /* centiseconds since start */
    case SYS_TIME:      return (uint64_t)time(NULL);
    case SYS_SYSTEM:
        /* a guest running host shell commands: refused (QEMU runs them) */
        FAIL(ENOSYS);
    case SYS_ERRNO:     return sh.err;
    case SYS_GET_CMDLINE: return sys_get_cmdline(c, args);
    case SYS_HEAPINFO:  return sys_heapinfo(c, args);
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED:
        return sys_exit(c, args);
    case SYS_SYNCCACHE: return 0;      /* no caches to clean */
    case SYS_ELAPSED:
        if (!set_arg(c, args, 0, elapsed_ns()))
            FAIL(EFAULT);
        return 0;
    case SYS_TICKFREQ:  return 1000000000;                /* SYS_ELAPSED counts ns */
    default:
        /* QEMU aborts here; the guest gets an error instead */
        guest_error("guest_errors: semihosting: unsupported operation 0x%x\n", op);
        FAIL(ENOSYS);
    }
}

bool semihosting_call(void *opaque, rv_cpu *c)
{
    uint32_t op = (uint32_t)c->x[10];
    uint64_t args = c->x[11];
    pthread_mutex_lock(&sh.lock);
    /* after SYS_EXIT the machine is on its way down: the guest says nothing more */
    uint64_t ret = sh.exited ? (uint64_t)-1 : dispatch(c, op, args);
    pthread_mutex_unlock(&sh.lock);
    c->x[10] = ret;
    return true;
}

/* ---- setup ---- */

/* The end of the image at `path` in guest memory: an ELF's highest loaded byte (by
 * physical address, as the loader places it), or raw_at + its size. 0 if unreadable. */
static uint64_t image_end(const char *path, uint64_t raw_at)
{
    char err[PATH_MAX + 128];
    uint64_t size;
    const uint8_t *p = loader_map_file(path, &size, err, sizeof(err));
    if (!p)
        return 0;
    uint64_t end = raw_at + size;
    Elf64_Ehdr eh;
    if (size >= sizeof(eh)) {
        memcpy(&eh, p, sizeof(eh));
        if (!memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
            eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phoff < size &&
            (size - eh.e_phoff) / sizeof(Elf64_Phdr) >= eh.e_phnum) {
            end = 0;
            for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
                if (ph.p_type == PT_LOAD && ph.p_memsz && ph.p_paddr + ph.p_memsz > end)
                    end = ph.p_paddr + ph.p_memsz;
            }
        }
    }
    loader_unmap_file(p, size);
    return end;
}

void semihosting_init(const machine_opts *o, uint64_t ram_base, uint64_t ram_size)
{
    clock_gettime(CLOCK_MONOTONIC, &sh.start);
    sh.chr = o->semihosting_chr;
    /* with no arg=, QEMU's command line is the -kernel file name and the -append words */
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        fatal("out of memory");
    if (o->semihosting_args) {
        fputs(o->semihosting_args, f);
    } else {
        fputs(o->kernel ? o->kernel : "", f);
        char *words = o->append ? strdup(o->append) : NULL, *save = NULL;
        for (char *w = words ? strtok_r(words, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
            fprintf(f, " %s", w);
        free(words);
    }
    if (fclose(f) != 0 || !line)
        fatal("out of memory");
    free(sh.cmdline);
    sh.cmdline = line;

    /* SYS_HEAPINFO: QEMU gives the largest gap between the images in RAM, which on virt
     * runs from the end of the program to the device tree. The tree lies in the 2 MiB
     * below the top of RAM (or of 4 GiB), where virt puts it. */
    bool firmware = !o->bios || strcmp(o->bios, "none") != 0;
    uint64_t end = 0;
    if (o->kernel)
        end = image_end(o->kernel, ram_base + (firmware ? 0x200000 : 0));
    else if (o->bios && firmware)
        end = image_end(o->bios, ram_base);
    uint64_t top = ram_base + ram_size < 0x100000000ull ? ram_base + ram_size : 0x100000000ull;
    if ((top & ~0x1fffffull) >= ram_base + 0x200000)
        top = (top & ~0x1fffffull) - 0x200000;
    if (end < ram_base || end > top)
        end = ram_base;
    sh.heap_base = end;
    sh.heap_limit = top > end ? top : end;
}

/* ---- snapshots ---- */

/* The machine is stopped: no hart is in a call, so sh.lock is free and is not taken
 * (the big lock, held here, comes after it in the lock order). */
bool semihosting_can_snapshot(char *err, size_t errsize)
{
    for (unsigned h = 1; h < MAX_FILES; h++) {
        if (sh.files[h].kind == F_HOST) {
            snprintf(err, errsize, "the guest has a host file open through semihosting (handle %u): "
                     "a snapshot cannot hold it; try again when the guest has closed it", h);
            return false;
        }
    }
    return true;
}

void semihosting_state_save(state_out *o)
{
    state_put_u64(o, sh.err);
    state_put_u8(o, sh.exited);
    state_put_u64(o, elapsed_ns());
    uint32_t n = 0;
    for (unsigned h = 1; h < MAX_FILES; h++)
        n += sh.files[h].kind == F_CONSOLE || sh.files[h].kind == F_FEATURES;
    state_put_u32(o, n);
    for (unsigned h = 1; h < MAX_FILES; h++) {
        const sh_file *f = &sh.files[h];
        if (f->kind != F_CONSOLE && f->kind != F_FEATURES)
            continue;
        state_put_u32(o, h);
        state_put_u8(o, f->kind == F_CONSOLE ? 1 : 2);
        state_put_u32(o, f->kind == F_CONSOLE ? (uint32_t)f->fd : 0);
        state_put_u64(o, f->off);
    }
}

bool semihosting_state_load(state_in *in, char *err, size_t errsize)
{
    uint64_t e = state_get_u64(in);
    bool exited = state_get_u8(in) != 0;
    uint64_t elapsed = state_get_u64(in);
    uint32_t n = state_get_u32(in);
    sh_file files[MAX_FILES] = { { 0 } };
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        uint32_t h = state_get_u32(in);
        uint8_t kind = state_get_u8(in);
        uint32_t fd = state_get_u32(in);
        uint64_t off = state_get_u64(in);
        if (in->bad)
            break;
        if (h == 0 || h >= MAX_FILES || files[h].kind != F_UNUSED || (kind != 1 && kind != 2) ||
            (kind == 1 && fd > 2) || (kind == 2 && off > sizeof(features))) {
            snprintf(err, errsize, "semihosting: handle %u (kind %u) is not one a guest can have", h, kind);
            return false;
        }
        files[h] = kind == 1 ? (sh_file){ .kind = F_CONSOLE, .fd = (int)fd }
                             : (sh_file){ .kind = F_FEATURES, .fd = -1, .off = off };
    }
    if (in->bad) {
        snprintf(err, errsize, "semihosting: its state is cut short");
        return false;
    }
    for (unsigned h = 1; h < MAX_FILES; h++)
        if (sh.files[h].kind == F_HOST)
            close(sh.files[h].fd);
    memcpy(sh.files, files, sizeof(files));
    sh.err = e;
    sh.exited = exited;
    /* the clocks go on from the saved value */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t t = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
    t = t > elapsed ? t - elapsed : 0;
    sh.start.tv_sec = (time_t)(t / 1000000000ull);
    sh.start.tv_nsec = (long)(t % 1000000000ull);
    return true;
}
