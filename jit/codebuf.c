/*
 * The code buffer and the way into and out of translated code. The buffer is one
 * memfd mapped twice, writable and executable, so no page is ever both (W^X) and
 * linking blocks never needs mprotect while other harts run. The first bytes hold the
 * entry trampoline and the shared epilogue; blocks follow. Also the metadata arena,
 * which lives exactly as long as the code it describes.
 */
#include "jit/jit_internal.h"
#include "core/log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const uint8_t jit_mapped_guest[JIT_NMAPPED] = { 15, 14, 10, 2, 11, 12, 13, 8, 1 };
const uint8_t jit_mapped_host[JIT_NMAPPED] = { RBX, R12, R13, R14, R15, R8, R9, R10, R11 };

static int8_t host_of[33];
static pthread_once_t host_of_once = PTHREAD_ONCE_INIT;

static void init_host_of(void)
{
    memset(host_of, -1, sizeof(host_of));
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        host_of[jit_mapped_guest[i]] = (int8_t)jit_mapped_host[i];
}

int jit_host_reg(unsigned r)
{
    return r < 33 ? host_of[r] : -1;
}

/* Entry: rdi = rv_cpu, rsi = code. Exit: jump to the epilogue with rax = exit record. */
static void emit_trampolines(jit *j, xbuf *b)
{
    uint8_t *enter = x_here(b);
    x_push(b, RBP);
    x_push(b, RBX);
    x_push(b, R12);
    x_push(b, R13);
    x_push(b, R14);
    x_push(b, R15);
    x_alu_imm(b, 64, ALU_SUB, XR(RSP), 8);        /* helper calls need rsp % 16 == 0 */
    x_lea(b, RBP, XM(RDI, JIT_BIAS));
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        x_mov(b, 64, XR(jit_mapped_host[i]), XM(RBP, XREG_OFF(jit_mapped_guest[i])));
    x_jmp_ind(b, XR(RSI));

    x_align(b, 16, 0);
    uint8_t *epi = x_here(b);
    for (unsigned i = 0; i < JIT_NMAPPED; i++)
        x_mov(b, 64, XM(RBP, XREG_OFF(jit_mapped_guest[i])), XR(jit_mapped_host[i]));
    x_alu_imm(b, 64, ALU_ADD, XR(RSP), 8);
    x_pop(b, R15);
    x_pop(b, R14);
    x_pop(b, R13);
    x_pop(b, R12);
    x_pop(b, RBX);
    x_pop(b, RBP);
    x_ret(b);
    x_align(b, 64, 0);

    void *e = jit_rx(j, enter);
    memcpy(&j->enter, &e, sizeof(e));
    j->epilogue = jit_rx(j, epi);
}

bool jit_codebuf_init(jit *j, size_t size, char *err, size_t errsize)
{
    pthread_once(&host_of_once, init_host_of);
    int fd = memfd_create("tern-jit", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsize, "-accel jit: cannot create the code buffer: %s", strerror(errno));
        return false;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        snprintf(err, errsize, "-accel jit: cannot size the code buffer: %s", strerror(errno));
        close(fd);
        return false;
    }
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *rx = rw == MAP_FAILED ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        snprintf(err, errsize, "-accel jit: cannot map executable memory: %s", strerror(errno));
        if (rw != MAP_FAILED)
            munmap(rw, size);
        return false;
    }
    j->rw = rw;
    j->rx = rx;
    j->size = size;
    j->rx_minus_rw = (uint8_t *)rx - (uint8_t *)rw;
    xbuf b;
    xb_init(&b, j->rw, j->rw + 4096);
    emit_trampolines(j, &b);
    j->code_start = j->used = (size_t)(b.p - j->rw);
    return true;
}

void jit_codebuf_free(jit *j)
{
    if (j->rw) {
        munmap(j->rw, j->size);
        munmap(j->rx, j->size);
    }
    j->rw = j->rx = NULL;
}

jit_exit *jit_enter(jit *j, rv_cpu *c, const uint8_t *code)
{
    jit_exit *(*fn)(rv_cpu *, const uint8_t *);
    memcpy(&fn, &j->enter, sizeof(fn));
    return fn(c, code);
}

/* ---- metadata arena ---- */

struct jit_arena_chunk {
    jit_arena_chunk *next;
    size_t size;
    _Alignas(16) uint8_t data[];
};

void *jit_alloc(jit *j, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    jit_arena *a = &j->arena;
    if ((size_t)(a->end - a->p) < size) {
        size_t csize = size > (1u << 20) ? size : (1u << 20);
        jit_arena_chunk *ch = malloc(sizeof(*ch) + csize);
        if (!ch)
            fatal("out of memory");
        ch->next = a->chunks;
        ch->size = csize;
        a->chunks = ch;
        a->p = ch->data;
        a->end = ch->data + csize;
    }
    void *p = a->p;
    a->p += size;
    memset(p, 0, size);
    return p;
}

void jit_arena_reset(jit *j)
{
    jit_arena_chunk *ch = j->arena.chunks;
    while (ch) {
        jit_arena_chunk *next = ch->next;
        free(ch);
        ch = next;
    }
    memset(&j->arena, 0, sizeof(j->arena));
}
