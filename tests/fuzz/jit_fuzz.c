/*
 * Differential fuzzer for the translator (jit/). For each seed it generates a random
 * but valid RV64GC guest program (integer, M, Zba/Zbb/Zbs/Zicond, compressed forms,
 * loads and stores of every width to RAM and to a test device, faults and traps, CSRs,
 * interrupts, F and D, AMOs and LR/SC, branches, loops, calls, self-modifying code, and
 * in some programs Sv39 paging with parts running in S- or U-mode), runs it once on the
 * interpreter (the reference) and once on the translator, each on an identical fresh
 * machine, and compares registers, CSRs, the instruction count, RAM and the device
 * traffic afterwards.
 *
 *   jit_fuzz [--seed N] [--count N | --seconds S] [--verbose] [--keep-going]
 *            [--repro SEED [--reduce]] [--trace]
 *
 * Programs only branch forward, loop on counters no other code may write, and end in
 * `wfi` in M-mode with mie = 0, so every one terminates; one that does not (on the
 * interpreter) is a generator bug and is reported as such. The trap handler records
 * every trap in a log in RAM and resumes after the faulting instruction. Everything a
 * program does is defined by the ISA (or, where noted, by tern's documented behaviour),
 * so any difference is a bug in one of the tiers.
 */
#include "core/log.h"
#include "core/memory.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/csr.h"
#include "cpu/riscv/insn.h"
#include "jit/jit.h"
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---- guest memory layout ---- */

#define RAM_BASE   0x80000000ull
#define RAM_SIZE   0x40000ull
#define RAM_END    (RAM_BASE + RAM_SIZE)
#define MAIN_END   (RAM_BASE + 0x10000)    /* main program: RAM_BASE .. */
#define FUNC_BASE  (RAM_BASE + 0x10000)    /* called routines */
#define FUNC_END   (RAM_BASE + 0x16000)
#define VCODE_P1   (RAM_BASE + 0x16000)    /* two routines an alias page is switched between */
#define VCODE_P2   (RAM_BASE + 0x17000)
#define PT_BASE    (RAM_BASE + 0x18000)    /* Sv39 page tables (vm programs) */
#define HANDLER    (RAM_BASE + 0x1f000)    /* the trap handler */
#define DATA_BASE  (RAM_BASE + 0x20000)    /* random loads, stores and AMOs */
#define DATA_END   (RAM_BASE + 0x3e000)
#define TLOG       (RAM_BASE + 0x3e000)    /* trap log: count, then 64 entries of 32 bytes */
#define EDGE_PAGE  (RAM_BASE + 0x3f000)    /* last page: accesses running off the end of RAM */
#define MMIO_BASE  0x10000000ull
#define MMIO_SIZE  0x1000ull

/* Page tables: root, then the tables below it. RAM is identity-mapped, so the M-mode
 * trap handler can read the instruction at a (virtual) mepc. */
#define PT_ROOT     (PT_BASE + 0x0000)
#define PT_L1_RAM   (PT_BASE + 0x1000)     /* root[2]: 0x80000000.. */
#define PT_L0_RAM   (PT_BASE + 0x2000)
#define PT_L1_ALIAS (PT_BASE + 0x3000)     /* root[1] and root[511]: the alias window */
#define PT_L0_ALIAS (PT_BASE + 0x4000)
#define PT_L1_MMIO  (PT_BASE + 0x5000)     /* root[0]: a megapage over the device */
#define ALIAS_VA    0x40000000ull          /* 32 data pages with mixed permissions... */
#define HIGH_VA     0xffffffffc0000000ull  /* ...also seen from the top of the address space */
#define N_ALIAS     32
#define VCODE_VA    (ALIAS_VA + 0x1000ull * N_ALIAS)   /* then two pages of code */
#define SATP_SV39   (8ull << 60 | PT_ROOT >> 12)

enum { PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_G = 32, PTE_A = 64, PTE_D = 128 };

/* Room kept free in a code region before starting another item: bigger than any item
 * can grow between two checks, so emitting never runs past the region. */
#define ROOM 1024

#define BUDGET     4000000ull              /* instructions: a safety net, programs use far fewer */
#define WATCHDOG_S 10                      /* seconds the translator may take for one program */

enum { RA = 1, SP = 2, T0 = 5, T5 = 30, T6 = 31 };

/* ---- deterministic random numbers (splitmix64) ---- */

typedef struct rng { uint64_t s; } rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd(rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    return mix64(r->s);
}

static unsigned below(rng *r, unsigned n) { return (unsigned)(rnd(r) % n); }
static bool chance(rng *r, unsigned percent) { return below(r, 100) < percent; }

static noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("jit_fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---- the generator's state ---- */

#define MAX_RECS 32768
#define MAX_FUNCS 64
#define MAX_PATCHES 256
#define MAX_IDS 8192

typedef struct rec { uint64_t addr; uint8_t len; } rec;                 /* one emitted instruction */
typedef struct patch { uint64_t addr, bytes; unsigned len; } patch;     /* code a program rewrites */
typedef struct func { uint64_t addr; uint32_t clobber; unsigned link; bool reusable; } func;

/*
 * Interrupts come only from the software-writable mip bits (SSIP, STIP, SEIP; nothing
 * drives the lines and Sstc stays off). A program either never makes one pending or
 * never enables one, or (IRQ_LIVE) does both: then the handler takes them and clears
 * the bit, and the tiers must take each at the same instruction, which the privileged
 * spec fixes: right after the CSR write or xRET that made it takeable.
 */
enum irq_mode { IRQ_MIP_ONLY, IRQ_MIE_ONLY, IRQ_LIVE };

typedef struct gen {
    rng r;
    uint64_t seed;
    uint8_t *img;                   /* the RAM image being written */
    uint64_t pc, end, hard_end;     /* current code region: next address, item limit, hard limit */
    uint64_t fpc;                   /* next free byte of the function area */
    uint64_t body_start, body_end;  /* the main program between prologue and epilogue */
    uint32_t protect;               /* registers the code being generated must not write */
    uint32_t clobber;               /* registers written since the current function began */
    unsigned depth;
    bool in_func;
    unsigned irq;                   /* what the program may do with interrupts (enum irq_mode) */
    bool vm;                        /* paging on, parts of the program run in S- or U-mode */
    unsigned lower;                 /* that mode: PRV_S or PRV_U (one per program) */
    func funcs[MAX_FUNCS];
    unsigned nfuncs;
    rec recs[MAX_RECS];
    unsigned nrec;
    patch patches[MAX_PATCHES];
    unsigned npatch;
    uint64_t ids[MAX_IDS];          /* items generated, in order (for the reducer) */
    unsigned nids;
    const uint64_t *off;            /* items the reducer switched off */
    unsigned noff;
} gen;

/* A rewind point: item code that turned out too long for its branch is regenerated. */
typedef struct mark { uint64_t pc, fpc; unsigned nfuncs, nrec, npatch, nids; } mark;

static mark gen_mark(gen *g)
{
    return (mark){ g->pc, g->fpc, g->nfuncs, g->nrec, g->npatch, g->nids };
}

static void gen_rewind(gen *g, mark m)
{
    memset(g->img + (m.pc - RAM_BASE), 0, g->pc - m.pc);
    memset(g->img + (m.fpc - RAM_BASE), 0, g->fpc - m.fpc);
    g->pc = m.pc;
    g->fpc = m.fpc;
    g->nfuncs = m.nfuncs;
    g->nrec = m.nrec;
    g->npatch = m.npatch;
    g->nids = m.nids;
}

/* ---- encoders: fields onto the insn.def match values, so opcodes come from the table ---- */

static uint32_t match(unsigned op) { return rv_insn_table[op].match; }

static uint32_t enc_r(unsigned op, unsigned rd, unsigned rs1, unsigned rs2)
{
    return match(op) | rd << 7 | rs1 << 15 | rs2 << 20;
}
static uint32_t enc_i(unsigned op, unsigned rd, unsigned rs1, int32_t imm)
{
    return match(op) | rd << 7 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}
static uint32_t enc_s(unsigned op, unsigned rs2, unsigned rs1, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return match(op) | (u & 31) << 7 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 0x7f) << 25;
}
static uint32_t enc_b(unsigned op, unsigned rs1, unsigned rs2, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return match(op) | ((u >> 11) & 1) << 7 | ((u >> 1) & 0xf) << 8 | rs1 << 15 | rs2 << 20 |
           ((u >> 5) & 0x3f) << 25 | ((u >> 12) & 1) << 31;
}
static uint32_t enc_u(unsigned op, unsigned rd, uint32_t imm20) { return match(op) | rd << 7 | (imm20 & 0xfffff) << 12; }
static uint32_t enc_j(unsigned rd, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return match(RV_OP_jal) | rd << 7 | ((u >> 12) & 0xff) << 12 | ((u >> 11) & 1) << 20 |
           ((u >> 1) & 0x3ff) << 21 | ((u >> 20) & 1) << 31;
}
static uint32_t enc_csr(unsigned op, unsigned rd, unsigned src, unsigned csr)
{
    return match(op) | rd << 7 | src << 15 | csr << 20;
}
static uint32_t enc_amo(unsigned op, unsigned rd, unsigned rs1, unsigned rs2, unsigned aqrl)
{
    return match(op) | rd << 7 | rs1 << 15 | rs2 << 20 | aqrl << 25;
}

/* compressed formats (field layouts of the RVC spec) */
static uint16_t c_ci(unsigned f3, unsigned rd, uint32_t imm6, unsigned quadrant)
{
    return (uint16_t)(f3 << 13 | ((imm6 >> 5) & 1) << 12 | rd << 7 | (imm6 & 31) << 2 | quadrant);
}
static uint16_t c_cb_alu(unsigned kind, unsigned rdp, uint32_t imm6)       /* c.srli/srai/andi */
{
    return (uint16_t)(4u << 13 | ((imm6 >> 5) & 1) << 12 | kind << 10 | (rdp - 8) << 7 | (imm6 & 31) << 2 | 1);
}
static uint16_t c_ca(unsigned bit12, unsigned k, unsigned rdp, unsigned rs2p)
{
    return (uint16_t)(4u << 13 | bit12 << 12 | 3u << 10 | (rdp - 8) << 7 | k << 5 | (rs2p - 8) << 2 | 1);
}
static uint16_t c_j(int32_t off)
{
    uint32_t u = (uint32_t)off;
    return (uint16_t)(5u << 13 | ((u >> 11) & 1) << 12 | ((u >> 4) & 1) << 11 | ((u >> 8) & 3) << 9 |
                      ((u >> 10) & 1) << 8 | ((u >> 6) & 1) << 7 | ((u >> 7) & 1) << 6 |
                      ((u >> 1) & 7) << 3 | ((u >> 5) & 1) << 2 | 1);
}
static uint16_t c_b(bool bnez, unsigned rs1p, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return (uint16_t)((bnez ? 7u : 6u) << 13 | ((u >> 8) & 1) << 12 | ((u >> 3) & 3) << 10 |
                      (rs1p - 8) << 7 | ((u >> 6) & 3) << 5 | ((u >> 1) & 3) << 3 | ((u >> 5) & 1) << 2 | 1);
}
static uint16_t c_addi16sp(int32_t nz)
{
    uint32_t u = (uint32_t)nz;
    return (uint16_t)(3u << 13 | ((u >> 9) & 1) << 12 | 2u << 7 | ((u >> 4) & 1) << 6 |
                      ((u >> 6) & 1) << 5 | ((u >> 7) & 3) << 3 | ((u >> 5) & 1) << 2 | 1);
}
static uint16_t c_addi4spn(unsigned rdp, uint32_t nz)
{
    return (uint16_t)(((nz >> 4) & 3) << 11 | ((nz >> 6) & 15) << 7 | ((nz >> 2) & 1) << 6 |
                      ((nz >> 3) & 1) << 5 | (rdp - 8) << 2);
}
/* c.lw/c.ld/c.fld/c.sw/c.sd/c.fsd: f3 selects; `dword` the offset layout */
static uint16_t c_mem(unsigned f3, unsigned rs1p, unsigned rp, uint32_t u, bool dword)
{
    uint32_t lo = dword ? ((u >> 6) & 3) << 5 : ((u >> 2) & 1) << 6 | ((u >> 6) & 1) << 5;
    return (uint16_t)(f3 << 13 | ((u >> 3) & 7) << 10 | (rs1p - 8) << 7 | lo | (rp - 8) << 2);
}
/* c.lwsp/c.ldsp/c.fldsp */
static uint16_t c_lsp(unsigned f3, unsigned rd, uint32_t u, bool dword)
{
    uint32_t lo = dword ? ((u >> 3) & 3) << 5 | ((u >> 6) & 7) << 2 : ((u >> 2) & 7) << 4 | ((u >> 6) & 3) << 2;
    return (uint16_t)(f3 << 13 | ((u >> 5) & 1) << 12 | rd << 7 | lo | 2);
}
/* c.swsp/c.sdsp/c.fsdsp */
static uint16_t c_ssp(unsigned f3, unsigned rs2, uint32_t u, bool dword)
{
    uint32_t hi = dword ? ((u >> 3) & 7) << 10 | ((u >> 6) & 7) << 7 : ((u >> 2) & 15) << 9 | ((u >> 6) & 3) << 7;
    return (uint16_t)(f3 << 13 | hi | rs2 << 2 | 2);
}
static uint16_t c_cr(unsigned bit12, unsigned rd, unsigned rs2)
{
    return (uint16_t)(4u << 13 | bit12 << 12 | rd << 7 | rs2 << 2 | 2);
}

/* ---- emitting, with every encoding checked against the decoder ---- */

static rv_insn decode(uint32_t raw)
{
    rv_insn d;
    rv_decode(raw, &d);
    return d;
}

/* A mistake in an encoder would silently test something else: catch it at once. */
static void expect(uint32_t raw, unsigned op, int rd, int rs1, bool check_imm, int64_t imm)
{
    rv_insn d = decode(raw);
    bool ok = d.op == op;
    if (ok && rd >= 0)
        ok = (int)rv_insn_rd(&d) == rd;
    if (ok && rs1 >= 0)
        ok = d.rs1 == rs1;
    if (ok && check_imm)
        ok = d.imm == imm;
    if (!ok)
        die("generator bug: %08x decodes as %s rd %u rs1 %u imm %" PRId64 ", wanted %s rd %d rs1 %d imm %" PRId64,
            raw, rv_insn_table[d.op].name, rv_insn_rd(&d), d.rs1, d.imm, rv_insn_table[op].name,
            rd, rs1, imm);
}

static void emit_bytes(gen *g, uint64_t v, unsigned len)
{
    if (g->pc + len > g->hard_end)
        die("generator bug: seed %" PRIu64 ": code region overflow at %" PRIx64, g->seed, g->pc);
    memcpy(g->img + (g->pc - RAM_BASE), &v, len);
    if (g->nrec < MAX_RECS)
        g->recs[g->nrec++] = (rec){ g->pc, (uint8_t)len };
    g->pc += len;
}

static void emit32(gen *g, uint32_t w, unsigned op)
{
    expect(w, op, -1, -1, false, 0);
    emit_bytes(g, w, 4);
}
static void emit16(gen *g, uint16_t h, unsigned op)
{
    expect(h, op, -1, -1, false, 0);
    emit_bytes(g, h, 2);
}
static void patch_bytes(gen *g, uint64_t addr, uint64_t v, unsigned len)
{
    memcpy(g->img + (addr - RAM_BASE), &v, len);
}
static bool room(gen *g, unsigned bytes) { return g->pc + bytes <= g->end; }

/* ---- registers ---- */

static unsigned pick_src(gen *g)
{
    unsigned k = below(&g->r, 100);
    if (k < 8)
        return 0;
    if (k < 40)
        return 8 + below(&g->r, 8);         /* the compressed-encodable ones */
    return 1 + below(&g->r, 31);
}

static bool writable(gen *g, unsigned r) { return r == 0 || !((g->protect >> r) & 1); }

static void wrote(gen *g, unsigned r)
{
    if (r)
        g->clobber |= 1u << r;
}

/* A destination, maybe x0. */
static unsigned pick_rd(gen *g)
{
    for (;;) {
        unsigned r = pick_src(g);
        if (writable(g, r)) {
            wrote(g, r);
            return r;
        }
    }
}

/* A destination other than x0. */
static unsigned pick_rd_nz(gen *g)
{
    for (;;) {
        unsigned r = pick_src(g);
        if (r && writable(g, r)) {
            wrote(g, r);
            return r;
        }
    }
}

/* A register that must keep its value across instructions that may trap, which the
 * trap handler would clobber if it were t5 or t6. */
static unsigned pick_tmp(gen *g)
{
    for (;;) {
        unsigned r = pick_rd_nz(g);
        if (r != T5 && r != T6)
            return r;
    }
}

/* x8..x15 (for compressed encodings), or -1 when all are protected. */
static int pick_rdc(gen *g)
{
    unsigned start = below(&g->r, 8);
    for (unsigned i = 0; i < 8; i++) {
        unsigned r = 8 + (start + i) % 8;
        if (writable(g, r)) {
            wrote(g, r);
            return (int)r;
        }
    }
    return -1;
}

/* ---- values ---- */

static const uint64_t edge_values[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7ff, 0x800, 0xfff, 0x7fff, 0x8000, 0xffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xffffffff80000000, 0xffffffff7fffffff,
    0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001, 0xffffffffffffffff,
    0xfffffffffffffffe, 31, 32, 33, 63, 64, 65, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa,
    0x0123456789abcdef, 0x00000000fffffffe, 0x41e0000000000000, 0x43e0000000000000,
    0x3ff0000000000000, 0x4f000000, 0xffffffff4f800000, 0x0000000100000001,
};
#define NEDGE (sizeof(edge_values) / sizeof(edge_values[0]))

static uint64_t pick_value(rng *r)
{
    switch (below(r, 10)) {
    case 0: case 1: case 2: case 3:
        return edge_values[below(r, NEDGE)];
    case 4:
        return (uint64_t)-(int64_t)below(r, 64);
    case 5:
        return (uint64_t)(int64_t)(int32_t)rnd(r);
    case 6:
        return 1ull << below(r, 64);
    case 7:
        return edge_values[below(r, NEDGE)] + (uint64_t)(int64_t)((int)below(r, 5) - 2);
    default:
        return rnd(r);
    }
}

static const uint32_t f32_special[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc00000,
    0x7fbfffff, 0x00000001, 0x807fffff, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
    0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0xc0200000,
    0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000, 0x5f000000, 0xdf000000,
    0x5f800000, 0x3eaaaaab, 0x33800000, 0x4b000001,
};
static const uint64_t f64_special[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0x7ff0000000000001, 0xfff8000000000000, 0x7ff7ffffffffffff,
    0x0000000000000001, 0x800fffffffffffff, 0x000fffffffffffff, 0x0010000000000000,
    0x7fefffffffffffff, 0xffefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000,
    0x3fe0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000,
    0x41dfffffffc00000, 0x41e0000000000000, 0xc1e0000000000000, 0xc1e0000000200000,
    0x41efffffffe00000, 0x41f0000000000000, 0x43e0000000000000, 0xc3e0000000000000,
    0x43f0000000000000, 0x3fd5555555555555, 0x36a0000000000000, 0x4330000000000001,
    0x47efffffe0000000, 0x3810000000000000, 0x380fffffffffffff, 0x41dfffffffffffff,
};

static uint64_t pick_fp_bits(rng *r)
{
    switch (below(r, 10)) {
    case 0: case 1: case 2: case 3:
        return 0xffffffff00000000ull | f32_special[below(r, sizeof(f32_special) / 4)];
    case 4: case 5: case 6: case 7:
        return f64_special[below(r, sizeof(f64_special) / 8)];
    case 8:                                        /* a single that is not NaN-boxed */
        return (rnd(r) & 0xffffffff00000000ull) | f32_special[below(r, sizeof(f32_special) / 4)];
    default:
        return rnd(r);
    }
}

static int32_t pick_imm12(gen *g)
{
    switch (below(&g->r, 8)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 2047;
    case 3: return -2048;
    case 4: return (int32_t)below(&g->r, 33) - 16;
    default: return (int32_t)(rnd(&g->r) & 0xfff) - 2048;
    }
}

static unsigned pick_shamt(gen *g, unsigned bits)
{
    static const unsigned s[] = { 0, 1, 31, 32, 33, 63, 16, 8 };
    unsigned v = chance(&g->r, 50) ? s[below(&g->r, 8)] : below(&g->r, 64);
    return v & (bits - 1);
}

static unsigned pick_rm(gen *g)
{
    unsigned k = below(&g->r, 100);
    if (k < 35)
        return 7;                                    /* dynamic: frm */
    if (k < 97)
        return below(&g->r, 5);
    return 5 + below(&g->r, 2);                      /* reserved: illegal instruction */
}

/* ---- instruction lists (by insn.def id) ---- */

static const uint16_t int_ops[] = {
    RV_OP_add, RV_OP_sub, RV_OP_sll, RV_OP_slt, RV_OP_sltu, RV_OP_xor, RV_OP_srl, RV_OP_sra,
    RV_OP_or, RV_OP_and, RV_OP_addw, RV_OP_subw, RV_OP_sllw, RV_OP_srlw, RV_OP_sraw,
    RV_OP_mul, RV_OP_mulh, RV_OP_mulhsu, RV_OP_mulhu, RV_OP_div, RV_OP_divu, RV_OP_rem,
    RV_OP_remu, RV_OP_mulw, RV_OP_divw, RV_OP_divuw, RV_OP_remw, RV_OP_remuw,
    RV_OP_add_uw, RV_OP_sh1add, RV_OP_sh2add, RV_OP_sh3add, RV_OP_sh1add_uw, RV_OP_sh2add_uw,
    RV_OP_sh3add_uw, RV_OP_andn, RV_OP_orn, RV_OP_xnor, RV_OP_max, RV_OP_maxu, RV_OP_min,
    RV_OP_minu, RV_OP_rol, RV_OP_ror, RV_OP_rolw, RV_OP_rorw, RV_OP_bclr, RV_OP_bext,
    RV_OP_binv, RV_OP_bset, RV_OP_czero_eqz, RV_OP_czero_nez,
    RV_OP_addi, RV_OP_slti, RV_OP_sltiu, RV_OP_xori, RV_OP_ori, RV_OP_andi, RV_OP_addiw,
    RV_OP_slli, RV_OP_srli, RV_OP_srai, RV_OP_slliw, RV_OP_srliw, RV_OP_sraiw, RV_OP_slli_uw,
    RV_OP_rori, RV_OP_roriw, RV_OP_bclri, RV_OP_bexti, RV_OP_binvi, RV_OP_bseti,
    RV_OP_clz, RV_OP_ctz, RV_OP_cpop, RV_OP_clzw, RV_OP_ctzw, RV_OP_cpopw, RV_OP_sext_b,
    RV_OP_sext_h, RV_OP_zext_h, RV_OP_orc_b, RV_OP_rev8, RV_OP_lui, RV_OP_auipc,
};
#define NINT_OPS (sizeof(int_ops) / sizeof(int_ops[0]))

static const uint16_t fp_ops[] = {
    RV_OP_fmadd_s, RV_OP_fmsub_s, RV_OP_fnmsub_s, RV_OP_fnmadd_s, RV_OP_fadd_s, RV_OP_fsub_s,
    RV_OP_fmul_s, RV_OP_fdiv_s, RV_OP_fsqrt_s, RV_OP_fsgnj_s, RV_OP_fsgnjn_s, RV_OP_fsgnjx_s,
    RV_OP_fmin_s, RV_OP_fmax_s, RV_OP_fcvt_w_s, RV_OP_fcvt_wu_s, RV_OP_fcvt_l_s,
    RV_OP_fcvt_lu_s, RV_OP_fmv_x_w, RV_OP_feq_s, RV_OP_flt_s, RV_OP_fle_s, RV_OP_fclass_s,
    RV_OP_fcvt_s_w, RV_OP_fcvt_s_wu, RV_OP_fcvt_s_l, RV_OP_fcvt_s_lu, RV_OP_fmv_w_x,
    RV_OP_fmadd_d, RV_OP_fmsub_d, RV_OP_fnmsub_d, RV_OP_fnmadd_d, RV_OP_fadd_d, RV_OP_fsub_d,
    RV_OP_fmul_d, RV_OP_fdiv_d, RV_OP_fsqrt_d, RV_OP_fsgnj_d, RV_OP_fsgnjn_d, RV_OP_fsgnjx_d,
    RV_OP_fmin_d, RV_OP_fmax_d, RV_OP_fcvt_s_d, RV_OP_fcvt_d_s, RV_OP_feq_d, RV_OP_flt_d,
    RV_OP_fle_d, RV_OP_fclass_d, RV_OP_fcvt_w_d, RV_OP_fcvt_wu_d, RV_OP_fcvt_l_d,
    RV_OP_fcvt_lu_d, RV_OP_fcvt_d_w, RV_OP_fcvt_d_wu, RV_OP_fcvt_d_l, RV_OP_fcvt_d_lu,
    RV_OP_fmv_x_d, RV_OP_fmv_d_x,
};
#define NFP_OPS (sizeof(fp_ops) / sizeof(fp_ops[0]))

static const uint16_t amo_ops[] = {
    RV_OP_amoswap_w, RV_OP_amoadd_w, RV_OP_amoxor_w, RV_OP_amoand_w, RV_OP_amoor_w,
    RV_OP_amomin_w, RV_OP_amomax_w, RV_OP_amominu_w, RV_OP_amomaxu_w,
    RV_OP_amoswap_d, RV_OP_amoadd_d, RV_OP_amoxor_d, RV_OP_amoand_d, RV_OP_amoor_d,
    RV_OP_amomin_d, RV_OP_amomax_d, RV_OP_amominu_d, RV_OP_amomaxu_d,
};

/*
 * Any instruction of the register-register, register-immediate, unary, fused or upper
 * immediate formats, operands chosen by the row's format and register-class flags.
 */
static uint32_t enc_random(gen *g, unsigned op)
{
    const rv_insn_info *ii = &rv_insn_table[op];
    unsigned fl = ii->flags;
    uint32_t w = ii->match;
    unsigned rd = (fl & RV_F_FRD) ? below(&g->r, 32) : (fl & RV_F_RD) ? pick_rd(g) : 0;
    unsigned rs1 = (fl & RV_F_FRS1) ? below(&g->r, 32) : pick_src(g);
    unsigned rs2 = (fl & RV_F_FRS2) ? below(&g->r, 32) : pick_src(g);
    w |= rd << 7;
    switch (ii->fmt) {
    case RV_FMT_R:
        w |= rs1 << 15 | rs2 << 20;
        break;
    case RV_FMT_R1:                             /* rs2 is part of the opcode */
        w |= rs1 << 15;
        break;
    case RV_FMT_R4:
        w |= rs1 << 15 | rs2 << 20 | below(&g->r, 32) << 27;
        break;
    case RV_FMT_I:
        w |= rs1 << 15 | ((uint32_t)pick_imm12(g) & 0xfff) << 20;
        break;
    case RV_FMT_SH:                             /* W forms have a 5-bit shift amount */
        w |= rs1 << 15 | pick_shamt(g, (ii->mask >> 25) & 1 ? 32 : 64) << 20;
        break;
    case RV_FMT_U:
        w |= (uint32_t)(chance(&g->r, 50) ? (unsigned)rnd(&g->r) : below(&g->r, 4) << 18 | below(&g->r, 16)) << 12;
        break;
    default:
        die("generator bug: enc_random on %s", ii->name);
    }
    if (fl & RV_F_RM)
        w |= pick_rm(g) << 12;
    expect(w, op, -1, -1, false, 0);
    return w;
}

/* ---- constants and addresses ---- */

static int64_t sext12(uint64_t v) { return (int64_t)(v << 52) >> 52; }

/* rd = v, the way compilers do it: lui/addiw, or a shorter constant shifted up. */
static void emit_li(gen *g, unsigned rd, uint64_t v)
{
    int64_t s = (int64_t)v;
    wrote(g, rd);
    if (s >= -2048 && s < 2048) {
        if (rd && s >= -32 && s < 32 && chance(&g->r, 40))
            emit16(g, c_ci(2, rd, (uint32_t)s & 63, 1), RV_OP_addi);          /* c.li */
        else
            emit32(g, enc_i(RV_OP_addi, rd, 0, (int32_t)s), RV_OP_addi);
        return;
    }
    if (s == (int32_t)s) {
        int64_t lo = sext12(v);
        int64_t hi = (s - lo) >> 12;
        emit32(g, enc_u(RV_OP_lui, rd, (uint32_t)hi), RV_OP_lui);
        if (lo)
            emit32(g, enc_i(RV_OP_addiw, rd, rd, (int32_t)lo), RV_OP_addiw);
        return;
    }
    int64_t lo = sext12(v);
    uint64_t rest = v - (uint64_t)lo;
    unsigned sh = (unsigned)__builtin_ctzll(rest);
    emit_li(g, rd, (uint64_t)((int64_t)rest >> sh));
    emit32(g, enc_i(RV_OP_slli, rd, rd, (int32_t)sh), RV_OP_slli);
    if (lo)
        emit32(g, enc_i(RV_OP_addi, rd, rd, (int32_t)lo), RV_OP_addi);
}

/* rd = addr: pc-relative (auipc/addi) for RAM, else a constant. */
static void emit_addr(gen *g, unsigned rd, uint64_t addr)
{
    if (addr >= RAM_BASE && addr < RAM_END && chance(&g->r, 60)) {
        int64_t delta = (int64_t)(addr - g->pc);
        int64_t lo = sext12((uint64_t)delta);
        int64_t hi = (delta - lo) >> 12;
        wrote(g, rd);
        emit32(g, enc_u(RV_OP_auipc, rd, (uint32_t)hi), RV_OP_auipc);
        emit32(g, enc_i(RV_OP_addi, rd, rd, (int32_t)lo), RV_OP_addi);
        return;
    }
    emit_li(g, rd, addr);
}

/* ---- items: the units a program is made of ---- */

enum { F_SIMPLE = 1 };          /* straight-line and short: fits a compressed branch */
#define MAX_DEPTH 3

static void gen_items(gen *g, uint64_t parent, unsigned n, unsigned flags);

/* One compressed computational instruction; false if none fits the protected set. */
static bool make_c_alu(gen *g, uint16_t *out, unsigned *op)
{
    uint32_t imm6 = chance(&g->r, 50) ? below(&g->r, 64) : (chance(&g->r, 50) ? 63 : 1);
    int rp, rq;
    unsigned r;
    switch (below(&g->r, 12)) {
    case 0:                                            /* c.addi */
        r = pick_rd_nz(g);
        *out = c_ci(0, r, imm6, 1);
        *op = RV_OP_addi;
        return true;
    case 1:                                            /* c.addiw */
        r = pick_rd_nz(g);
        *out = c_ci(1, r, imm6, 1);
        *op = RV_OP_addiw;
        return true;
    case 2:                                            /* c.li */
        r = pick_rd(g);
        *out = c_ci(2, r, imm6, 1);
        *op = RV_OP_addi;
        return true;
    case 3:                                            /* c.lui */
        r = pick_rd_nz(g);
        if (r == SP || !imm6)
            return false;
        *out = c_ci(3, r, imm6, 1);
        *op = RV_OP_lui;
        return true;
    case 4: {                                          /* c.addi16sp */
        if (!writable(g, SP))
            return false;
        wrote(g, SP);
        int32_t nz = ((int32_t)below(&g->r, 64) - 32) * 16;
        if (!nz)
            nz = 16;
        *out = c_addi16sp(nz);
        *op = RV_OP_addi;
        return true;
    }
    case 5:                                            /* c.addi4spn */
        if ((rp = pick_rdc(g)) < 0)
            return false;
        *out = c_addi4spn((unsigned)rp, (1 + below(&g->r, 255)) * 4);
        *op = RV_OP_addi;
        return true;
    case 6:                                            /* c.srli / c.srai */
        if ((rp = pick_rdc(g)) < 0)
            return false;
        *out = c_cb_alu(below(&g->r, 2), (unsigned)rp, imm6);
        *op = (*out >> 10) & 1 ? RV_OP_srai : RV_OP_srli;
        return true;
    case 7:                                            /* c.andi */
        if ((rp = pick_rdc(g)) < 0)
            return false;
        *out = c_cb_alu(2, (unsigned)rp, imm6);
        *op = RV_OP_andi;
        return true;
    case 8: {                                          /* c.sub/xor/or/and/subw/addw */
        static const uint16_t ops[6] = { RV_OP_sub, RV_OP_xor, RV_OP_or, RV_OP_and, RV_OP_subw, RV_OP_addw };
        if ((rp = pick_rdc(g)) < 0)
            return false;
        rq = 8 + (int)below(&g->r, 8);
        unsigned k = below(&g->r, 6);
        *out = c_ca(k >= 4, k < 4 ? k : k - 4, (unsigned)rp, (unsigned)rq);
        *op = ops[k];
        return true;
    }
    case 9:                                            /* c.slli */
        r = pick_rd_nz(g);
        *out = c_ci(0, r, imm6, 2);
        *op = RV_OP_slli;
        return true;
    case 10:                                           /* c.mv */
        r = pick_rd(g);
        *out = c_cr(0, r, 1 + below(&g->r, 31));
        *op = RV_OP_add;
        return true;
    default:                                           /* c.add */
        r = pick_rd(g);
        *out = c_cr(1, r, 1 + below(&g->r, 31));
        *op = RV_OP_add;
        return true;
    }
}

/* One computational instruction, 2 or 4 bytes (for self-modifying code). */
static unsigned make_alu(gen *g, uint32_t *raw, bool compressed)
{
    if (compressed) {
        uint16_t h;
        unsigned op;
        while (!make_c_alu(g, &h, &op))
            ;
        *raw = h;
        return 2;
    }
    unsigned op;
    do
        op = int_ops[below(&g->r, NINT_OPS)];
    while (op == RV_OP_auipc);                 /* its value would depend on where it runs */
    *raw = enc_random(g, op);
    return 4;
}

/* A branch that can never be taken (rs1 == rs2) to anywhere: the translator folds these. */
static void emit_never_branch(gen *g)
{
    static const uint16_t never[] = { RV_OP_bne, RV_OP_blt, RV_OP_bltu };
    unsigned r = pick_src(g);
    int32_t off = ((int32_t)below(&g->r, 4096) - 2048) * 2;
    if (!off)
        off = 2;
    unsigned op = never[below(&g->r, 3)];
    emit32(g, enc_b(op, r, r, off), op);
}

static void item_alu(gen *g)
{
    unsigned n = 1 + below(&g->r, 5);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = below(&g->r, 100);
        if (k < 12) {
            emit_li(g, pick_rd_nz(g), pick_value(&g->r));
            continue;
        }
        if (k < 32) {
            uint16_t h;
            unsigned op;
            if (make_c_alu(g, &h, &op)) {
                emit16(g, h, op);
                continue;
            }
        }
        if (k < 35) {
            emit_never_branch(g);
            continue;
        }
        unsigned op = int_ops[below(&g->r, NINT_OPS)];
        emit32(g, enc_random(g, op), op);
    }
}

static void item_li(gen *g)
{
    emit_li(g, pick_rd(g), pick_value(&g->r));
}

/* Where a load or store of `size` bytes goes. */
enum spot { S_DATA, S_CROSS, S_MMIO, S_EDGE, S_UNMAPPED, S_MMIO_MISALIGNED, S_ALIAS };

static enum spot pick_spot(gen *g)
{
    if (g->vm && chance(&g->r, 30))
        return S_ALIAS;
    unsigned k = below(&g->r, 100);
    return k < 52 ? S_DATA : k < 68 ? S_CROSS : k < 80 ? S_MMIO : k < 87 ? S_EDGE :
           k < 95 ? S_UNMAPPED : k < 97 ? S_MMIO_MISALIGNED : S_DATA;
}

static uint64_t spot_addr(gen *g, enum spot s, unsigned size, bool store)
{
    static const uint64_t unmapped[] = {
        0, 0x1000, 0x20000000, 0x7ffffff8, RAM_END, RAM_END + 0x1000, 0xffffffff80000000,
        0x8000000000000000, MMIO_BASE + MMIO_SIZE, MMIO_BASE - 8,
    };
    switch (s) {
    case S_DATA: {
        uint64_t a = DATA_BASE + below(&g->r, (unsigned)(DATA_END - DATA_BASE - 16));
        return chance(&g->r, 60) ? a & ~(uint64_t)(size - 1) : a;
    }
    case S_CROSS: {
        uint64_t page = DATA_BASE + 0x1000ull * (1 + below(&g->r, (unsigned)((DATA_END - DATA_BASE) / 0x1000 - 1)));
        return page - below(&g->r, size + 1);
    }
    case S_MMIO:
        return MMIO_BASE + below(&g->r, (unsigned)(MMIO_SIZE / size)) * size;
    case S_MMIO_MISALIGNED:
        return MMIO_BASE + 1 + below(&g->r, (unsigned)MMIO_SIZE - 16);
    case S_ALIAS: {
        /* the alias window (from below or from the top), across its pages, and beyond
         * it: not mapped, or not canonical */
        static const uint64_t odd[] = { 0x0000004000000000ull, 0x00007ffffffff000ull, 0x100000000ull,
                                        0x140000000ull, 0x180000000ull, 0x1c0000000ull, 0x200000ull };
        if (chance(&g->r, 10))
            return odd[below(&g->r, sizeof(odd) / 8)] + below(&g->r, 64);
        uint64_t base = chance(&g->r, 75) ? ALIAS_VA : HIGH_VA;
        uint64_t a = base + below(&g->r, N_ALIAS * 0x1000 - 8);
        if (chance(&g->r, 20))
            a = base + 0x1000ull * (1 + below(&g->r, N_ALIAS - 1)) - below(&g->r, size + 1);
        return chance(&g->r, 60) ? a & ~(uint64_t)(size - 1) : a;
    }
    case S_EDGE: {
        /* RAM_END-2 holds the low half of the instruction the fetch-fault item jumps to
         * (its low bits 11 make it a 32-bit one running off the end of RAM). Stores
         * keep clear of RAM_END-2 so that instruction survives (a store running off the
         * end faults without writing anything, but this keeps the seeds' programs as
         * they were when an early tern still wrote the bytes before the end). */
        unsigned k = 1 + below(&g->r, 23);
        if (store && k >= 2 && k < size + 2u)
            k = chance(&g->r, 50) ? 1 : size + 2;
        return RAM_END - k;
    }
    default:
        return unmapped[below(&g->r, sizeof(unmapped) / 8)];
    }
}

typedef struct memop { uint16_t op; uint8_t size; bool store, fp; } memop;
static const memop memops[] = {
    { RV_OP_lb, 1, false, false }, { RV_OP_lh, 2, false, false }, { RV_OP_lw, 4, false, false },
    { RV_OP_ld, 8, false, false }, { RV_OP_lbu, 1, false, false }, { RV_OP_lhu, 2, false, false },
    { RV_OP_lwu, 4, false, false }, { RV_OP_sb, 1, true, false }, { RV_OP_sh, 2, true, false },
    { RV_OP_sw, 4, true, false }, { RV_OP_sd, 8, true, false }, { RV_OP_flw, 4, false, true },
    { RV_OP_fld, 8, false, true }, { RV_OP_fsw, 4, true, true }, { RV_OP_fsd, 8, true, true },
};
#define NMEMOPS (sizeof(memops) / sizeof(memops[0]))

/* One load or store at the spot: the base register is set right before it. */
static void emit_access(gen *g, const memop *m, enum spot s)
{
    uint64_t addr = spot_addr(g, s, m->size, m->store);
    bool dword = m->size == 8;
    /* the ones with compressed forms: c.lw/ld/fld/sw/sd/fsd and the sp-relative ones */
    bool cform = m->op == RV_OP_lw || m->op == RV_OP_ld || m->op == RV_OP_fld ||
                 m->op == RV_OP_sw || m->op == RV_OP_sd || m->op == RV_OP_fsd;
    unsigned f3 = m->op == RV_OP_fld ? 1 : m->op == RV_OP_lw ? 2 : m->op == RV_OP_ld ? 3 :
                  m->op == RV_OP_fsd ? 5 : m->op == RV_OP_sw ? 6 : 7;
    unsigned k = below(&g->r, 100);
    int base;
    if (cform && k < 25 && (base = pick_rdc(g)) >= 0) {
        uint32_t off = below(&g->r, 32) * (dword ? 8 : 4);
        unsigned rp = 8 + below(&g->r, 8);
        if (!m->store && !m->fp) {
            int r = pick_rdc(g);
            rp = r < 0 ? (unsigned)base : (unsigned)r;          /* maybe the base itself */
        }
        emit_addr(g, (unsigned)base, addr - off);
        uint16_t h = c_mem(f3, (unsigned)base, rp, off, dword);
        expect(h, m->op, m->store || m->fp ? -1 : (int)rp, base, true, off);
        emit_bytes(g, h, 2);
        return;
    }
    if (cform && k < 40 && writable(g, SP)) {
        uint32_t off = below(&g->r, 64) * (dword ? 8 : 4);
        uint16_t h;
        int rd = -1;
        wrote(g, SP);
        if (m->store) {
            h = c_ssp(f3, m->fp ? below(&g->r, 32) : pick_src(g), off, dword);
        } else if (m->fp) {
            h = c_lsp(f3, below(&g->r, 32), off, dword);
        } else {
            rd = (int)pick_rd_nz(g);                       /* c.lwsp/c.ldsp x0 is reserved */
            h = c_lsp(f3, (unsigned)rd, off, dword);
        }
        emit_addr(g, SP, addr - off);
        expect(h, m->op, rd, SP, true, off);
        emit_bytes(g, h, 2);
        return;
    }
    if (!m->store && k >= 97) {
        /* x0 as the base: an address near 0, where nothing is */
        unsigned rd = m->fp ? below(&g->r, 32) : pick_rd(g);
        emit32(g, enc_i(m->op, rd, 0, pick_imm12(g)), m->op);
        return;
    }
    unsigned b = pick_tmp(g);
    int32_t off = pick_imm12(g);
    emit_addr(g, b, addr - (uint64_t)(int64_t)off);
    if (m->store)
        emit32(g, enc_s(m->op, m->fp ? below(&g->r, 32) : pick_src(g), b, off), m->op);
    else
        emit32(g, enc_i(m->op, m->fp ? below(&g->r, 32) : pick_rd(g), b, off), m->op);
}

static void item_mem(gen *g)
{
    enum spot s = pick_spot(g);
    unsigned n = 1 + below(&g->r, 3);
    for (unsigned i = 0; i < n; i++)
        emit_access(g, &memops[below(&g->r, NMEMOPS)], s);
}

/* A forward conditional branch over a few items. */
static void item_branch(gen *g, uint64_t id, unsigned flags)
{
    static const uint16_t bops[] = { RV_OP_beq, RV_OP_bne, RV_OP_blt, RV_OP_bge, RV_OP_bltu, RV_OP_bgeu };
    bool comp = chance(&g->r, 20);
    unsigned op = bops[below(&g->r, 6)];
    unsigned rs1 = pick_src(g), rs2;
    unsigned k = below(&g->r, 100);
    if (comp) {
        rs1 = 8 + below(&g->r, 8);
        rs2 = 0;
        op = chance(&g->r, 50) ? RV_OP_beq : RV_OP_bne;
    } else if (k < 20) {
        rs2 = rs1;                                  /* always or never taken */
    } else if (k < 35) {
        rs2 = 0;
        if (chance(&g->r, 50)) {
            rs2 = rs1;
            rs1 = 0;
        }
    } else if (k < 55) {
        /* a nearby value, so both outcomes are common */
        rs2 = pick_rd_nz(g);
        emit32(g, enc_i(RV_OP_addi, rs2, rs1, (int32_t)below(&g->r, 3) - 1), RV_OP_addi);
    } else {
        rs2 = pick_src(g);
    }
    unsigned nsub = below(&g->r, 4);
    for (unsigned attempt = 0;; attempt++) {
        mark m = gen_mark(g);
        uint64_t bpc = g->pc;
        if (comp)
            emit16(g, c_b(op == RV_OP_bne, rs1, 0), op);
        else
            emit32(g, enc_b(op, rs1, rs2, 0), op);
        gen_items(g, id, attempt == 0 ? nsub : attempt == 1 ? 1 : 0,
                  (comp || attempt) ? flags | F_SIMPLE : flags);
        int64_t off = (int64_t)(g->pc - bpc);
        if (comp && off < 256) {
            patch_bytes(g, bpc, c_b(op == RV_OP_bne, rs1, (int32_t)off), 2);
            return;
        }
        if (!comp && off < 4096) {
            patch_bytes(g, bpc, enc_b(op, rs1, rs2, (int32_t)off), 4);
            return;
        }
        gen_rewind(g, m);
    }
}

/* A forward jump (jal, c.j, jalr, c.jr, c.jalr) over dead code. */
static void item_jump(gen *g, uint64_t id, unsigned flags)
{
    unsigned kind = below(&g->r, 5);
    if (kind == 4 && !writable(g, RA))
        kind = 2;
    unsigned rd = 0, r = 0;
    int32_t jimm = 0;
    bool odd = chance(&g->r, 20);               /* jalr ignores bit 0 of the target */
    if (kind == 0 || kind == 2)
        rd = pick_rd(g);
    if (kind >= 2)
        r = pick_tmp(g);
    if (kind == 4)
        wrote(g, RA);
    if (kind == 2)
        jimm = (int32_t)below(&g->r, 64) - 32;
    for (unsigned attempt = 0;; attempt++) {
        mark m = gen_mark(g);
        uint64_t start = g->pc, jpc = g->pc;
        switch (kind) {
        case 0:
            emit32(g, enc_j(rd, 0), RV_OP_jal);
            break;
        case 1:
            emit16(g, c_j(0), RV_OP_jal);
            break;
        default:
            emit32(g, enc_u(RV_OP_auipc, r, 0), RV_OP_auipc);
            emit32(g, enc_i(RV_OP_addi, r, r, 0), RV_OP_addi);
            if (kind == 2)
                emit32(g, enc_i(RV_OP_jalr, rd, r, jimm), RV_OP_jalr);
            else
                emit16(g, c_cr(kind == 4, r, 0), RV_OP_jalr);
            break;
        }
        gen_items(g, id, attempt == 0 ? below(&g->r, 3) : attempt == 1 ? 1 : 0,
                  attempt ? flags | F_SIMPLE : flags);
        int64_t off = (int64_t)(g->pc - jpc);
        switch (kind) {
        case 0:
            patch_bytes(g, jpc, enc_j(rd, (int32_t)off), 4);
            return;
        case 1:
            if (off < 2048) {
                patch_bytes(g, jpc, c_j((int32_t)off), 2);
                return;
            }
            break;
        default: {
            int64_t a = off - (kind == 2 ? jimm : 0) + (odd ? 1 : 0);
            if (a < 2048) {
                patch_bytes(g, start + 4, enc_i(RV_OP_addi, r, r, (int32_t)a), 4);
                return;
            }
            break;
        }
        }
        gen_rewind(g, m);
    }
}

/* A loop of 1-4 iterations on a counter no code inside may write. */
static void item_loop(gen *g, uint64_t id, unsigned flags)
{
    unsigned cnt = pick_tmp(g);
    emit_li(g, cnt, 1 + below(&g->r, 4));
    uint32_t saved = g->protect;
    g->protect |= 1u << cnt;
    uint64_t top = g->pc;
    gen_items(g, id, 1 + below(&g->r, 3), flags);
    g->protect = saved;
    if (chance(&g->r, 30))
        emit16(g, c_ci(0, cnt, 63, 1), RV_OP_addi);                      /* c.addi cnt, -1 */
    else {
        unsigned op = chance(&g->r, 50) ? RV_OP_addi : RV_OP_addiw;
        emit32(g, enc_i(op, cnt, cnt, -1), op);
    }
    int64_t off = (int64_t)(top - g->pc);
    unsigned k = below(&g->r, 4);
    if (k == 0 && cnt >= 8 && cnt < 16 && off >= -256) {
        emit16(g, c_b(true, cnt, (int32_t)off), RV_OP_bne);
    } else if (off >= -4096) {
        if (k == 1)
            emit32(g, enc_b(RV_OP_blt, 0, cnt, (int32_t)off), RV_OP_blt);
        else if (k == 2)
            emit32(g, enc_b(RV_OP_bltu, 0, cnt, (int32_t)off), RV_OP_bltu);
        else
            emit32(g, enc_b(RV_OP_bne, cnt, 0, (int32_t)off), RV_OP_bne);
    } else {
        emit32(g, enc_b(RV_OP_beq, cnt, 0, 8), RV_OP_beq);
        emit32(g, enc_j(0, (int32_t)(top - g->pc)), RV_OP_jal);
    }
}

/* A routine in the function area, returning through `link`. */
static func *new_function(gen *g, uint64_t id, unsigned link)
{
    if (g->nfuncs == MAX_FUNCS || g->fpc + 4 * ROOM > FUNC_END)
        return NULL;
    uint64_t pc = g->pc, end = g->end, hard_end = g->hard_end;
    uint32_t protect = g->protect, clobber = g->clobber;
    g->pc = g->fpc;
    g->end = FUNC_END - 2 * ROOM;
    g->hard_end = FUNC_END;
    g->protect |= 1u << link;
    g->clobber = 0;
    g->in_func = true;
    func *f = &g->funcs[g->nfuncs++];
    f->addr = g->pc;
    f->link = link;
    f->reusable = true;
    gen_items(g, mix64(id ^ 0xf00d), 1 + below(&g->r, 3), 0);
    if (chance(&g->r, 30))
        emit16(g, c_cr(0, link, 0), RV_OP_jalr);                          /* c.jr link */
    else
        emit32(g, enc_i(RV_OP_jalr, 0, link, 0), RV_OP_jalr);
    f->clobber = g->clobber | 1u << link;
    g->fpc = (g->pc + 3) & ~3ull;
    g->pc = pc;
    g->end = end;
    g->hard_end = hard_end;
    g->protect = protect;
    g->clobber = clobber | f->clobber;
    g->in_func = false;
    return f;
}

static void emit_call(gen *g, const func *f)
{
    unsigned link = f->link;
    wrote(g, link);
    g->clobber |= f->clobber;
    switch (below(&g->r, 3)) {
    case 0:
        emit32(g, enc_j(link, (int32_t)(f->addr - g->pc)), RV_OP_jal);
        break;
    case 1: {
        int64_t delta = (int64_t)(f->addr - g->pc);
        int64_t lo = sext12((uint64_t)delta);
        emit32(g, enc_u(RV_OP_auipc, link, (uint32_t)((delta - lo) >> 12)), RV_OP_auipc);
        emit32(g, enc_i(RV_OP_jalr, link, link, (int32_t)lo), RV_OP_jalr);
        break;
    }
    default:
        if (link == RA) {
            unsigned r = pick_tmp(g);
            emit_addr(g, r, f->addr);
            emit16(g, c_cr(1, r, 0), RV_OP_jalr);                          /* c.jalr r */
        } else {
            emit32(g, enc_j(link, (int32_t)(f->addr - g->pc)), RV_OP_jal);
        }
        break;
    }
}

static void item_call(gen *g, uint64_t id)
{
    unsigned link = chance(&g->r, 70) ? RA : T0;
    if (!writable(g, link))
        link = link == RA ? T0 : RA;
    if (!writable(g, link)) {
        item_alu(g);
        return;
    }
    func *f = NULL;
    if (chance(&g->r, 50)) {
        unsigned start = g->nfuncs ? below(&g->r, g->nfuncs) : 0;
        for (unsigned i = 0; i < g->nfuncs && !f; i++) {
            func *c = &g->funcs[(start + i) % g->nfuncs];
            if (c->reusable && c->link == link && !(c->clobber & g->protect))
                f = c;
        }
    }
    if (!f)
        f = new_function(g, id, link);
    if (!f) {
        item_alu(g);
        return;
    }
    emit_call(g, f);
    if (chance(&g->r, 25))
        emit_call(g, f);
}

/* ---- CSRs ---- */

enum { V_ANY, V_MSTATUS, V_FP, V_RO, V_MTVEC, V_MIE, V_MIP, V_BAD, V_DELEG, V_SATP };
/* V_BAD: 0x7c0 and 0x5c0 are no CSR's numbers */
static const struct { uint16_t csr; uint8_t kind; } csr_list[] = {
    { CSR_MSCRATCH, V_ANY }, { CSR_MEPC, V_ANY }, { CSR_MCAUSE, V_ANY }, { CSR_MTVAL, V_ANY },
    { CSR_MSTATUS, V_MSTATUS }, { CSR_MSTATUS, V_MSTATUS }, { CSR_MSTATUS, V_MSTATUS },
    { CSR_FFLAGS, V_FP }, { CSR_FRM, V_FP }, { CSR_FCSR, V_FP }, { CSR_FCSR, V_FP },
    { CSR_CYCLE, V_RO }, { CSR_TIME, V_RO }, { CSR_INSTRET, V_RO },
    { CSR_MCYCLE, V_ANY }, { CSR_MINSTRET, V_ANY }, { CSR_MINSTRET, V_RO }, { CSR_MCYCLE, V_RO },
    { CSR_MTVEC, V_MTVEC }, { CSR_MIE, V_MIE }, { CSR_MIP, V_MIP }, { CSR_STIMECMP, V_ANY },
    { CSR_MHARTID, V_RO }, { CSR_MISA, V_ANY }, { CSR_MEDELEG, V_DELEG }, { CSR_MIDELEG, V_DELEG },
    { CSR_SSCRATCH, V_ANY }, { CSR_SEPC, V_ANY }, { CSR_SCAUSE, V_ANY }, { CSR_STVAL, V_ANY },
    { CSR_SATP, V_SATP }, { CSR_SATP, V_SATP },
    { CSR_MCOUNTINHIBIT, V_ANY }, { 0x7c0, V_BAD }, { 0x5c0, V_BAD }, { CSR_SSTATUS, V_MSTATUS },
    { CSR_SIE, V_MIE }, { CSR_SIP, V_MIP }, { CSR_MIE, V_MIE }, { CSR_MIP, V_MIP },
};
#define NCSRS (sizeof(csr_list) / sizeof(csr_list[0]))

/* Only bits that cannot take the program out of M-mode or enable an interrupt that
 * is pending (see enum irq_mode). */
static uint64_t mstatus_value(gen *g)
{
    uint64_t v = 0;
    /* TVM would make sfence.vma illegal in S-mode, and then a rewritten PTE could be
     * seen or not, as the TLB happens to hold it: not something the tiers must agree on */
    static const uint64_t bits[] = { MSTATUS_SIE, MSTATUS_MIE, MSTATUS_SPIE, MSTATUS_MPIE, MSTATUS_SPP,
                                     MSTATUS_SUM, MSTATUS_MXR, MSTATUS_TVM, MSTATUS_TW, MSTATUS_TSR };
    for (unsigned i = 0; i < sizeof(bits) / 8; i++)
        if (chance(&g->r, 30))
            v |= bits[i];
    v |= (uint64_t)below(&g->r, 4) << 11;                  /* MPP, 2 is kept as it was */
    v |= (uint64_t)(chance(&g->r, 10) ? 0 : 1 + below(&g->r, 3)) << 13;   /* FS */
    if (chance(&g->r, g->vm ? 12 : 3))
        v |= MSTATUS_MPRV;                                 /* loads and stores as MPP */
    if (g->vm)
        v &= ~MSTATUS_TVM;
    if (chance(&g->r, 10))
        v |= rnd(&g->r) & (MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL | MSTATUS_XS | MSTATUS_UBE);
    return v;
}

/* Sv39 on the program's page tables (maybe with an ASID), or bare; the mode is WARL.
 * Nothing else: code must stay where it is in every mode. */
static uint64_t satp_value(gen *g)
{
    switch (below(&g->r, 5)) {
    case 0: return 0;
    case 1: return SATP_SV39 | (uint64_t)below(&g->r, 0x10000) << 44;
    case 2: return 5ull << 60 | (PT_ROOT >> 12);            /* reserved mode: the write is ignored */
    default: return SATP_SV39;
    }
}

/* some of the interrupts a program can make pending: SSI, STI, SEI */
static uint64_t irq_bits(gen *g)
{
    uint64_t v = 0;
    while (!v)
        v = (chance(&g->r, 50) ? MIP_SSIP : 0) | (chance(&g->r, 40) ? MIP_STIP : 0) |
            (chance(&g->r, 40) ? MIP_SEIP : 0);
    return v;
}

static void item_csr(gen *g)
{
    unsigned i = below(&g->r, NCSRS);
    unsigned csr = csr_list[i].csr, kind = csr_list[i].kind;
    /* with paging, a delegated trap would go to stvec, which has no handler */
    if (kind == V_DELEG)
        kind = g->vm ? V_RO : V_ANY;
    if (kind == V_SATP && !g->vm)
        kind = V_RO;
    if (kind == V_MIE && g->irq == IRQ_MIP_ONLY)
        kind = V_RO;
    if (kind == V_MIP && g->irq == IRQ_MIE_ONLY)
        kind = V_RO;
    if (kind == V_RO && (csr >> 10) == 3 && chance(&g->r, 4))
        kind = V_BAD;                                       /* a write to a read-only one */
    unsigned rd = pick_rd(g);
    static const uint16_t reg_ops[3] = { RV_OP_csrrw, RV_OP_csrrs, RV_OP_csrrc };
    static const uint16_t imm_ops[3] = { RV_OP_csrrwi, RV_OP_csrrsi, RV_OP_csrrci };
    unsigned form = below(&g->r, 3);
    if (kind == V_RO || (kind == V_BAD && chance(&g->r, 50))) {
        /* a read: csrrs/csrrc with x0 or uimm 0 do not write */
        bool imm = chance(&g->r, 30);
        unsigned op = imm ? imm_ops[1 + below(&g->r, 2)] : reg_ops[1 + below(&g->r, 2)];
        emit32(g, enc_csr(op, rd, 0, csr), op);
        return;
    }
    if (kind == V_BAD) {
        unsigned op = reg_ops[0];
        emit32(g, enc_csr(op, rd, pick_src(g), csr), op);
        return;
    }
    uint64_t v;
    switch (kind) {
    case V_MSTATUS: v = mstatus_value(g); break;
    case V_FP: v = chance(&g->r, 50) ? below(&g->r, 256) : rnd(&g->r); break;
    case V_MTVEC: v = HANDLER | below(&g->r, 2); form = 0; break;
    case V_MIE: v = chance(&g->r, 70) ? irq_bits(g) : chance(&g->r, 50) ? rnd(&g->r) : 0; break;
    case V_MIP: v = chance(&g->r, 70) ? irq_bits(g) : rnd(&g->r); break;
    case V_SATP: v = satp_value(g); form = 0; break;
    default: v = pick_value(&g->r); break;
    }
    if (kind == V_MSTATUS && form == 2)
        v = rnd(&g->r) & (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SUM |
                          MSTATUS_MXR | MSTATUS_TW | MSTATUS_TVM | MSTATUS_TSR | MSTATUS_MPRV |
                          (chance(&g->r, 10) ? MSTATUS_FS : 0));
    if (kind == V_MSTATUS && g->vm)
        v &= ~MSTATUS_TVM;
    if (kind != V_MTVEC && kind != V_SATP && chance(&g->r, 30)) {
        /* csrrwi would clear mstatus.FS and make every FP instruction trap: only set/clear */
        if (kind == V_MSTATUS && form == 0)
            form = 1 + below(&g->r, 2);
        unsigned op = imm_ops[form];
        emit32(g, enc_csr(op, rd, (uint32_t)v & 31, csr), op);
        return;
    }
    unsigned src = pick_tmp(g);
    emit_li(g, src, v);
    emit32(g, enc_csr(reg_ops[form], rd, src, csr), reg_ops[form]);
}

/* Make an interrupt pending, enable it, and set mstatus.MIE, in some order: it is
 * taken right after whichever comes last (IRQ_LIVE programs only). */
static void item_irq(gen *g)
{
    if (g->irq != IRQ_LIVE) {
        item_csr(g);
        return;
    }
    unsigned r = pick_tmp(g);
    emit_li(g, r, irq_bits(g));
    unsigned order = below(&g->r, 6);
    static const uint8_t perm[6][3] = { {0,1,2}, {0,2,1}, {1,0,2}, {1,2,0}, {2,0,1}, {2,1,0} };
    for (unsigned i = 0; i < 3; i++) {
        unsigned step = perm[order][i];
        if (chance(&g->r, 15))
            continue;
        unsigned rd = chance(&g->r, 60) ? 0 : pick_rd(g);
        if (rd == r)
            rd = 0;
        if (step == 0)
            emit32(g, enc_csr(RV_OP_csrrs, rd, r, chance(&g->r, 80) ? 0x344 : 0x144), RV_OP_csrrs);
        else if (step == 1)
            emit32(g, enc_csr(RV_OP_csrrs, rd, r, 0x304), RV_OP_csrrs);
        else
            emit32(g, enc_csr(RV_OP_csrrsi, rd, MSTATUS_MIE, 0x300), RV_OP_csrrsi);
    }
}

/* ---- traps ---- */

static void item_trap(gen *g)
{
    switch (below(&g->r, 12)) {
    case 0:
        if (g->vm && chance(&g->r, 70))          /* an ecall would end an S/U part */
            emit32(g, 0x00100073, RV_OP_ebreak);
        else
            emit32(g, 0x00000073, RV_OP_ecall);
        break;
    case 1: emit32(g, 0x00100073, RV_OP_ebreak); break;
    case 2: emit16(g, 0x9002, RV_OP_ebreak); break;                   /* c.ebreak */
    case 3: emit16(g, 0x0000, RV_OP_ILLEGAL); break;                  /* the all-zero parcel */
    case 4: emit32(g, 0xffffffff, RV_OP_ILLEGAL); break;
    case 5: emit32(g, 0x0000000b | (uint32_t)(rnd(&g->r) & 0xffffff80), RV_OP_ILLEGAL);  /* custom-0 */
        break;
    case 6: {                                                         /* slliw with shamt[5] */
        uint32_t w = enc_random(g, RV_OP_slliw) | 1u << 25;
        emit32(g, w, RV_OP_ILLEGAL);
        break;
    }
    case 7: {                                                         /* reserved compressed */
        /* c.lwsp x0, c.lui t0 0, c.addiw x0, c.jr x0, c.ldsp x0, c.addi16sp 0 */
        static const uint16_t bad[] = { 0x4002, 0x6001 | 5 << 7, 0x2001, 0x8002, 0x6002, 0x6101 };
        emit16(g, bad[below(&g->r, 6)], RV_OP_ILLEGAL);
        break;
    }
    case 8: {                                                         /* reserved rounding mode */
        unsigned op = chance(&g->r, 50) ? RV_OP_fadd_d : RV_OP_fmul_s;
        uint32_t w = enc_r(op, below(&g->r, 32), below(&g->r, 32), below(&g->r, 32)) | (5u + below(&g->r, 2)) << 12;
        emit32(g, w, op);
        break;
    }
    case 9: {                                                         /* misaligned LR/SC/AMO */
        unsigned r = pick_tmp(g);
        emit_li(g, r, DATA_BASE + 8 * below(&g->r, 1024) + 1 + below(&g->r, 3));
        unsigned k = below(&g->r, 3);
        unsigned rd = pick_rd(g);
        if (k == 0)
            emit32(g, enc_amo(RV_OP_lr_d, rd, r, 0, below(&g->r, 4)), RV_OP_lr_d);
        else if (k == 1)
            emit32(g, enc_amo(RV_OP_sc_w, rd, r, pick_src(g), below(&g->r, 4)), RV_OP_sc_w);
        else {
            unsigned op = amo_ops[below(&g->r, sizeof(amo_ops) / 2)];
            emit32(g, enc_amo(op, rd, r, pick_src(g), below(&g->r, 4)), op);
        }
        break;
    }
    case 10:                                                          /* csrr of a missing CSR */
        emit32(g, enc_csr(RV_OP_csrrs, pick_rd(g), 0, 0x7c0 + below(&g->r, 8)), RV_OP_csrrs);
        break;
    default:
        emit32(g, g->vm ? 0x00100073 : 0x00000073, g->vm ? RV_OP_ebreak : RV_OP_ecall);
        break;
    }
}

/* A jump to where nothing is: the handler returns to ra. */
static void item_fetch_fault(gen *g)
{
    static const uint64_t targets[] = { 0, 0x40, 0x1000, 0x20000000, RAM_END, RAM_END + 0x1000,
                                        0x7ffff000, RAM_END - 2, RAM_END - 2 };
    if (!writable(g, RA)) {
        item_alu(g);
        return;
    }
    unsigned r;
    do
        r = pick_tmp(g);
    while (r == RA);
    wrote(g, RA);
    emit_li(g, r, targets[below(&g->r, sizeof(targets) / 8)]);
    if (chance(&g->r, 50))
        emit32(g, enc_i(RV_OP_jalr, RA, r, 0), RV_OP_jalr);
    else
        emit16(g, c_cr(1, r, 0), RV_OP_jalr);
}

/* ---- floating point ---- */

static void item_fp(gen *g)
{
    if (chance(&g->r, 15))
        emit32(g, enc_csr(RV_OP_csrrwi, pick_rd(g), below(&g->r, 8), 0x002), RV_OP_csrrwi);
    if (chance(&g->r, 30)) {
        /* a special value straight into an FP register */
        unsigned r = pick_tmp(g);
        uint64_t v = pick_fp_bits(&g->r);
        emit_li(g, r, v);
        unsigned op = chance(&g->r, 50) ? RV_OP_fmv_d_x : RV_OP_fmv_w_x;
        emit32(g, enc_r(op, below(&g->r, 32), r, 0), op);
    }
    unsigned n = 1 + below(&g->r, 4);
    for (unsigned i = 0; i < n; i++) {
        unsigned op = fp_ops[below(&g->r, NFP_OPS)];
        emit32(g, enc_random(g, op), op);
    }
}

/* ---- atomics ---- */

static uint64_t pick_atomic_addr(gen *g)
{
    unsigned k = below(&g->r, 100);
    if (k < 84)
        return DATA_BASE + 8 * below(&g->r, (unsigned)(DATA_END - DATA_BASE) / 8 - 2) + (chance(&g->r, 30) ? 4 : 0);
    if (k < 90)
        return DATA_BASE + 1 + below(&g->r, 0x1000);              /* misaligned */
    if (k < 95)
        return MMIO_BASE + 8 * below(&g->r, 512);                 /* not RAM: access fault */
    return 0x20000000;
}

static void item_amo(gen *g)
{
    unsigned r = pick_tmp(g);
    emit_addr(g, r, pick_atomic_addr(g));
    unsigned n = 1 + below(&g->r, 3);
    for (unsigned i = 0; i < n; i++) {
        unsigned op = amo_ops[below(&g->r, sizeof(amo_ops) / 2)];
        unsigned rd = pick_rd(g);
        emit32(g, enc_amo(op, rd, r, pick_src(g), below(&g->r, 4)), op);
        if (rd == r)
            break;
    }
}

static void item_lrsc(gen *g)
{
    unsigned r = pick_tmp(g);
    uint64_t addr = pick_atomic_addr(g);
    emit_addr(g, r, addr);
    bool dw = chance(&g->r, 50);
    unsigned lr = dw ? RV_OP_lr_d : RV_OP_lr_w, sc = dw ? RV_OP_sc_d : RV_OP_sc_w;
    if (chance(&g->r, 10))
        sc = dw ? RV_OP_sc_w : RV_OP_sc_d;                   /* the other width */
    uint32_t saved = g->protect;
    g->protect |= 1u << r;
    unsigned rd = pick_rd(g);
    if (chance(&g->r, 90))
        emit32(g, enc_amo(lr, rd, r, 0, below(&g->r, 4)), lr);
    switch (below(&g->r, 6)) {
    case 0:
        item_alu(g);
        break;
    case 1: {                                                /* a store to the reserved word */
        unsigned op = chance(&g->r, 50) ? RV_OP_sw : RV_OP_sd;
        emit32(g, enc_s(op, pick_src(g), r, 0), op);
        break;
    }
    case 2: {                                                /* a store elsewhere */
        unsigned q = pick_tmp(g);
        emit_addr(g, q, DATA_BASE + 8 * below(&g->r, 256));
        emit32(g, enc_s(RV_OP_sd, pick_src(g), q, 0), RV_OP_sd);
        break;
    }
    case 3:
        emit32(g, 0x00000073, RV_OP_ecall);                  /* a trap drops the reservation */
        break;
    default:
        break;
    }
    g->protect = saved;
    unsigned base = r;
    if (chance(&g->r, 15)) {                                 /* SC to another address */
        base = pick_tmp(g);
        emit_addr(g, base, addr + 8);
    }
    emit32(g, enc_amo(sc, pick_rd(g), base, pick_src(g), below(&g->r, 4)), sc);
    if (chance(&g->r, 20))
        emit32(g, enc_amo(sc, pick_rd(g), base, pick_src(g), 0), sc);   /* fails: no reservation */
}

static void item_fence(gen *g)
{
    switch (below(&g->r, 4)) {
    case 0: emit32(g, 0x0000100f, RV_OP_fence_i); break;
    case 1: emit32(g, 0x8330000f, RV_OP_fence); break;                   /* fence.tso */
    case 2: emit32(g, 0x0100000f, RV_OP_fence); break;                   /* pause */
    default:
        emit32(g, match(RV_OP_fence) | (uint32_t)below(&g->r, 256) << 20, RV_OP_fence);
        break;
    }
}

/* ---- self-modifying code ---- */

/* The bytes of `len` (2, 4 or 8) worth of computational instructions. */
static uint64_t make_code(gen *g, unsigned len)
{
    uint64_t v = 0;
    unsigned at = 0;
    while (at < len) {
        uint32_t w;
        unsigned n = make_alu(g, &w, len - at == 2 || chance(&g->r, 25));
        v |= (uint64_t)w << (8 * at);
        at += n;
    }
    return v;
}

static void emit_code(gen *g, uint64_t v, unsigned len)
{
    unsigned at = 0;
    while (at < len) {
        uint32_t w = (uint32_t)(v >> (8 * at));
        unsigned n = (w & 3) == 3 ? 4 : 2;
        emit_bytes(g, n == 4 ? w : (w & 0xffff), n);
        at += n;
    }
}

/* Store `len` bytes `v` at the address in register a, with a plain store, an FP store,
 * an AMO or an SC, so every store path reaches the translator's invalidation. Returns
 * true if it used an AMO or SC, which need the address aligned; `atomic_ok` allows them. */
static bool emit_patch_store(gen *g, unsigned a, uint64_t v, unsigned len, bool atomic_ok)
{
    unsigned val = pick_tmp(g);
    while (val == a)
        val = pick_tmp(g);
    emit_li(g, val, v);
    unsigned k = below(&g->r, 4);
    if (len == 2 || k == 0 || (k >= 2 && !atomic_ok)) {
        unsigned op = len == 2 ? RV_OP_sh : len == 4 ? RV_OP_sw : RV_OP_sd;
        emit32(g, enc_s(op, val, a, 0), op);
        return false;
    }
    if (k == 1) {
        /* The fmv twice: with mstatus.FS Off (a random mstatus write) the first is
         * illegal, and the handler turns FS on but resumes after it; the store would then
         * write whatever the FP register held over the code, which could loop forever. */
        unsigned f = below(&g->r, 32);
        unsigned mv = len == 4 ? RV_OP_fmv_w_x : RV_OP_fmv_d_x, st = len == 4 ? RV_OP_fsw : RV_OP_fsd;
        emit32(g, enc_r(mv, f, val, 0), mv);
        emit32(g, enc_r(mv, f, val, 0), mv);
        emit32(g, enc_s(st, f, a, 0), st);
        return false;
    }
    if (k == 2) {
        unsigned op = len == 4 ? RV_OP_amoswap_w : RV_OP_amoswap_d;
        emit32(g, enc_amo(op, pick_rd(g), a, val, below(&g->r, 4)), op);
        return true;
    }
    unsigned lr = len == 4 ? RV_OP_lr_w : RV_OP_lr_d, sc = len == 4 ? RV_OP_sc_w : RV_OP_sc_d;
    unsigned rd = pick_rd(g);
    while (rd == a || rd == val)
        rd = pick_rd(g);
    emit32(g, enc_amo(lr, rd, a, 0, 0), lr);
    emit32(g, enc_amo(sc, rd, a, val, 0), sc);
    return true;
}

static void record_patch(gen *g, uint64_t slot, uint64_t v, unsigned len)
{
    if (g->npatch < MAX_PATCHES)
        g->patches[g->npatch++] = (patch){ slot, v, len };
}

static void align_code(gen *g, unsigned len)
{
    while (g->pc & (len - 1))
        emit16(g, 0x0001, RV_OP_addi);                       /* c.nop */
}

static void item_smc(gen *g)
{
    static const unsigned lens[] = { 2, 4, 4, 4, 8 };
    unsigned len = lens[below(&g->r, 5)];
    unsigned kind = below(&g->r, 7);
    if (kind == 1 && (g->in_func || g->depth >= MAX_DEPTH))
        kind = 0;
    if (kind == 0) {
        /* a loop whose second pass runs the instruction the first pass rewrote */
        unsigned cnt = pick_tmp(g);
        emit_li(g, cnt, 2);
        uint32_t saved = g->protect;
        g->protect |= 1u << cnt;
        align_code(g, len);
        uint64_t top = g->pc, slot = g->pc;
        emit_code(g, make_code(g, len), len);
        unsigned a = pick_tmp(g);
        emit_addr(g, a, slot);
        uint64_t v = make_code(g, len);
        emit_patch_store(g, a, v, len, true);
        emit32(g, 0x0000100f, RV_OP_fence_i);
        record_patch(g, slot, v, len);
        g->protect = saved;
        emit32(g, enc_i(RV_OP_addi, cnt, cnt, -1), RV_OP_addi);
        emit32(g, enc_b(RV_OP_bne, cnt, 0, (int32_t)(top - g->pc)), RV_OP_bne);
    } else if (kind == 1) {
        /* a routine called, rewritten, called again */
        unsigned link = writable(g, RA) ? RA : T0;
        if (!writable(g, link) || g->nfuncs == MAX_FUNCS || g->fpc + ROOM > FUNC_END) {
            item_alu(g);
            return;
        }
        uint64_t pc = g->pc, end = g->end, hard_end = g->hard_end;
        g->pc = g->fpc;
        g->end = FUNC_END - ROOM;
        g->hard_end = FUNC_END;
        uint32_t saved = g->protect;
        g->protect |= 1u << link;
        func *f = &g->funcs[g->nfuncs++];
        f->addr = g->pc;
        f->link = link;
        f->reusable = false;
        if (chance(&g->r, 50))
            item_alu(g);
        align_code(g, len);
        uint64_t slot = g->pc;
        emit_code(g, make_code(g, len), len);
        uint64_t v = make_code(g, len);
        emit32(g, enc_i(RV_OP_jalr, 0, link, 0), RV_OP_jalr);
        f->clobber = ~0u;
        g->fpc = (g->pc + 3) & ~3ull;
        g->pc = pc;
        g->end = end;
        g->hard_end = hard_end;
        g->protect = saved;
        emit_call(g, f);
        unsigned a = pick_tmp(g);
        emit_addr(g, a, slot);
        emit_patch_store(g, a, v, len, true);
        emit32(g, 0x0000100f, RV_OP_fence_i);
        record_patch(g, slot, v, len);
        emit_call(g, f);
    } else {
        /*
         * An instruction ahead rewritten before it runs. Mostly with fence.i between;
         * sometimes without, in the same block: the ISA does not promise the new
         * instruction then, but tern does on both tiers (the interpreter compares the
         * fetched bits on every instruction, and a translated store that drops
         * translations leaves its block), so the tiers must still agree.
         */
        bool fence = kind < 5;
        unsigned a = pick_tmp(g);
        uint64_t apc = g->pc;
        emit32(g, enc_u(RV_OP_auipc, a, 0), RV_OP_auipc);
        emit32(g, enc_i(RV_OP_addi, a, a, 0), RV_OP_addi);
        uint64_t v = make_code(g, len);
        uint32_t saved = g->protect;
        g->protect |= 1u << a;
        bool atomic = emit_patch_store(g, a, v, len, true);
        if (fence)
            emit32(g, 0x0000100f, RV_OP_fence_i);
        else if (chance(&g->r, 50))
            emit_code(g, make_code(g, 4), 4);
        g->protect = saved;
        if (atomic)
            align_code(g, len);
        uint64_t slot = g->pc;
        patch_bytes(g, apc + 4, enc_i(RV_OP_addi, a, a, (int32_t)(slot - apc)), 4);
        emit_code(g, make_code(g, len), len);
        record_patch(g, slot, v, len);
    }
}

/* mret to a label after it, into M or (vm programs) the lower mode. In S- or U-mode the
 * mret is illegal and the handler skips it: the words after it are then illegal too. */
static void item_mret(gen *g)
{
    unsigned target = g->vm && chance(&g->r, 80) ? g->lower : PRV_M;
    unsigned r = pick_tmp(g);
    uint64_t apc = g->pc;
    emit32(g, enc_u(RV_OP_auipc, r, 0), RV_OP_auipc);
    emit32(g, enc_i(RV_OP_addi, r, r, 0), RV_OP_addi);
    emit32(g, enc_csr(RV_OP_csrrw, chance(&g->r, 50) ? 0 : pick_rd(g), r, 0x341), RV_OP_csrrw);
    unsigned q = pick_tmp(g);
    while (q == r)
        q = pick_tmp(g);
    emit_li(g, q, MSTATUS_MPP);
    if (target == PRV_M) {
        emit32(g, enc_csr(RV_OP_csrrs, 0, q, 0x300), RV_OP_csrrs);
    } else {
        emit32(g, enc_csr(RV_OP_csrrc, 0, q, 0x300), RV_OP_csrrc);
        if (target == PRV_S) {
            emit_li(g, q, (uint64_t)PRV_S << 11);
            emit32(g, enc_csr(RV_OP_csrrs, 0, q, 0x300), RV_OP_csrrs);
        }
    }
    if (chance(&g->r, 50)) {                                 /* MPIE: what MIE becomes */
        unsigned op = chance(&g->r, 50) ? RV_OP_csrrs : RV_OP_csrrc;
        emit_li(g, q, MSTATUS_MPIE);
        emit32(g, enc_csr(op, 0, q, 0x300), op);
    }
    emit32(g, 0x30200073, RV_OP_mret);
    unsigned junk = below(&g->r, 3);                         /* runs only if the mret traps */
    for (unsigned i = 0; i < junk; i++)
        emit_bytes(g, 0, 4);
    patch_bytes(g, apc + 4, enc_i(RV_OP_addi, r, r, (int32_t)(g->pc - apc)), 4);
}

/* sret to a label after it, into the lower mode (from M or S; illegal in U). */
static void item_sret(gen *g)
{
    unsigned r = pick_tmp(g);
    uint64_t apc = g->pc;
    emit32(g, enc_u(RV_OP_auipc, r, 0), RV_OP_auipc);
    emit32(g, enc_i(RV_OP_addi, r, r, 0), RV_OP_addi);
    emit32(g, enc_csr(RV_OP_csrrw, 0, r, 0x141), RV_OP_csrrw);      /* sepc */
    unsigned q = pick_tmp(g);
    while (q == r)
        q = pick_tmp(g);
    emit_li(g, q, MSTATUS_SPP | (chance(&g->r, 50) ? MSTATUS_SPIE : 0));
    unsigned op = g->lower == PRV_S ? RV_OP_csrrs : RV_OP_csrrc;
    emit32(g, enc_csr(op, 0, q, 0x100), op);                        /* sstatus.SPP */
    emit32(g, 0x10200073, RV_OP_sret);
    emit_bytes(g, 0, 4);
    patch_bytes(g, apc + 4, enc_i(RV_OP_addi, r, r, (int32_t)(g->pc - apc)), 4);
}

/* Between M and the lower mode: down by mret or sret, up by ecall (the handler returns
 * to M after an ecall from S or U). */
static void item_priv(gen *g)
{
    if (!g->vm) {
        item_mret(g);
        return;
    }
    switch (below(&g->r, 10)) {
    case 0: case 1: case 2: case 3: case 4: item_mret(g); break;
    case 5: case 6: case 7: item_sret(g); break;
    default: emit32(g, 0x00000073, RV_OP_ecall); break;
    }
}

/* ---- paging ---- */

/* A random leaf for an alias page: mostly usable, some with A or D clear (set by the
 * page walk), read-only, execute-only, invalid, or reserved (W without R). */
static uint64_t alias_pte(rng *r, bool lower_u)
{
    uint64_t pa = DATA_BASE + 0x1000ull * below(r, (unsigned)((DATA_END - DATA_BASE) / 0x1000));
    uint64_t fl;
    unsigned k = below(r, 100);
    fl = k < 55 ? PTE_R | PTE_W | PTE_A | PTE_D : k < 65 ? PTE_R | PTE_A : k < 70 ? PTE_X | PTE_A :
         k < 77 ? PTE_R | PTE_W | PTE_A : k < 83 ? PTE_R | PTE_W : k < 88 ? PTE_R | PTE_W | PTE_X | PTE_A | PTE_D :
         k < 94 ? 0 : PTE_W | PTE_A;
    if (fl)
        fl |= PTE_V;
    if (chance(r, lower_u ? 90 : 40))
        fl |= PTE_U;
    if (chance(r, 10))
        fl |= PTE_G;
    return (pa >> 12) << 10 | fl;
}

static uint64_t pte_ptr(uint64_t table) { return (table >> 12) << 10 | PTE_V; }
static uint64_t pte_leaf(uint64_t pa, uint64_t fl) { return (pa >> 12) << 10 | PTE_V | fl; }

static void put_pte(gen *g, uint64_t table, unsigned i, uint64_t pte)
{
    memcpy(g->img + (table - RAM_BASE) + 8 * i, &pte, 8);
}

/* The code an alias page can be switched to: it writes only t3 and t4 (so any caller
 * that may write those can call it), and cannot trap. */
static void emit_vcode(gen *g, uint64_t at, unsigned link)
{
    g->pc = at;
    g->end = g->hard_end = at + 0x1000;
    uint32_t saved = g->protect;
    g->protect = ~(1u << 28 | 1u << 29);
    unsigned n = 1 + below(&g->r, 4);
    for (unsigned i = 0; i < n; i++) {
        uint32_t w;
        unsigned len = make_alu(g, &w, chance(&g->r, 30));
        emit_bytes(g, w, len);
    }
    emit32(g, enc_i(RV_OP_jalr, 0, link, 0), RV_OP_jalr);
    g->protect = saved;
}

static void build_page_tables(gen *g, rng *r)
{
    bool u = g->lower == PRV_U;
    uint64_t ufl = u ? PTE_U : 0;
    put_pte(g, PT_ROOT, 0, pte_ptr(PT_L1_MMIO));
    put_pte(g, PT_ROOT, 1, pte_ptr(PT_L1_ALIAS));
    put_pte(g, PT_ROOT, 2, pte_ptr(PT_L1_RAM));
    put_pte(g, PT_ROOT, 4, pte_ptr(0x20000000));                       /* table outside RAM */
    put_pte(g, PT_ROOT, 5, pte_leaf(0x80001000, PTE_R | PTE_W | PTE_A | PTE_D));  /* misaligned gigapage */
    put_pte(g, PT_ROOT, 6, pte_leaf(RAM_BASE, PTE_R | PTE_A) | 1ull << 60);      /* reserved bits */
    put_pte(g, PT_ROOT, 7, pte_leaf(RAM_BASE, PTE_W | PTE_A));                    /* W without R */
    put_pte(g, PT_ROOT, 511, pte_ptr(PT_L1_ALIAS));
    put_pte(g, PT_L1_MMIO, (unsigned)(MMIO_BASE >> 21), pte_leaf(MMIO_BASE, PTE_R | PTE_W | PTE_A | PTE_D | ufl));
    put_pte(g, PT_L1_RAM, 0, pte_ptr(PT_L0_RAM));
    put_pte(g, PT_L1_ALIAS, 0, pte_ptr(PT_L0_ALIAS));
    for (unsigned i = 0; i < RAM_SIZE / 0x1000; i++) {
        uint64_t pa = RAM_BASE + 0x1000ull * i, fl;
        if (pa < PT_BASE || pa >= HANDLER)
            fl = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | ufl;          /* code (rewritable), the last page */
        else
            fl = PTE_R | PTE_W | PTE_A | PTE_D;                        /* page tables: not from U */
        if (pa >= DATA_BASE && pa < DATA_END) {
            fl = PTE_R | PTE_W | (chance(r, 90) ? PTE_A : 0) | (chance(r, 70) ? PTE_D : 0);
            if (u || chance(r, 50))
                fl |= PTE_U;
        }
        if (pa == EDGE_PAGE)
            fl = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | ufl;          /* the fetch running off RAM */
        put_pte(g, PT_L0_RAM, i, pte_leaf(pa, fl));
    }
    for (unsigned i = 0; i < N_ALIAS; i++)
        put_pte(g, PT_L0_ALIAS, i, alias_pte(r, u));
    for (unsigned i = 0; i < 2; i++)
        put_pte(g, PT_L0_ALIAS, N_ALIAS + i, pte_leaf(VCODE_P1, PTE_R | PTE_X | PTE_A | ufl));
    emit_vcode(g, VCODE_P1, RA);
    emit_vcode(g, VCODE_P2, RA);
}

/* What an alias code page may be switched to. */
static uint64_t vcode_pte(gen *g)
{
    uint64_t ufl = g->lower == PRV_U ? PTE_U : 0;
    switch (below(&g->r, 8)) {
    case 0: return pte_leaf(VCODE_P1, PTE_R | PTE_X | PTE_A | ufl);
    case 1: case 2: return pte_leaf(VCODE_P2, PTE_X | PTE_A | ufl);
    case 3: return pte_leaf(VCODE_P2, PTE_R | PTE_X | PTE_A | (ufl ^ PTE_U));     /* wrong U: fetch fault */
    case 4: return pte_leaf(VCODE_P1, PTE_R | PTE_W | PTE_A | ufl);              /* not executable */
    case 5: return 0;                                                           /* invalid */
    default: return pte_leaf(VCODE_P1, PTE_X | PTE_A | ufl);
    }
}

/* sfence.vma of everything, or of the page at the address in register va */
static void emit_sfence(gen *g, int va)
{
    unsigned rs1 = va < 0 ? 0 : (unsigned)va;
    emit32(g, match(RV_OP_sfence_vma) | rs1 << 15, RV_OP_sfence_vma);
}

static void item_vm(gen *g)
{
    if (!g->vm) {
        item_alu(g);
        return;
    }
    switch (below(&g->r, 6)) {
    case 0: {                            /* sfence.vma, any form (nothing depends on it) */
        unsigned rs1 = chance(&g->r, 40) ? 0 : pick_src(g), rs2 = chance(&g->r, 50) ? 0 : pick_src(g);
        emit32(g, match(RV_OP_sfence_vma) | rs1 << 15 | rs2 << 20, RV_OP_sfence_vma);
        break;
    }
    case 1: {                            /* switch translation */
        unsigned q = pick_tmp(g);
        emit_li(g, q, satp_value(g));
        emit32(g, enc_csr(RV_OP_csrrw, pick_rd(g), q, 0x180), RV_OP_csrrw);
        if (chance(&g->r, 50))
            emit_sfence(g, -1);
        break;
    }
    case 2: {                            /* rewrite an alias PTE, then sfence.vma */
        unsigned i = below(&g->r, N_ALIAS);
        unsigned a = pick_tmp(g), v = pick_tmp(g);
        while (v == a)
            v = pick_tmp(g);
        emit_addr(g, a, PT_L0_ALIAS + 8 * i);
        emit_li(g, v, alias_pte(&g->r, g->lower == PRV_U));
        emit32(g, enc_s(RV_OP_sd, v, a, 0), RV_OP_sd);
        if (chance(&g->r, 50)) {
            emit_sfence(g, -1);
        } else {
            emit_li(g, a, (chance(&g->r, 50) ? ALIAS_VA : HIGH_VA) + 0x1000ull * i + below(&g->r, 0x1000));
            emit_sfence(g, (int)a);
        }
        break;
    }
    default: {                           /* call code in an alias page, maybe switch it, call again */
        if (!writable(g, RA) || !writable(g, 28) || !writable(g, 29)) {
            item_alu(g);
            return;
        }
        unsigned slot = below(&g->r, 2);
        uint64_t va = VCODE_VA + 0x1000ull * slot;
        unsigned r = pick_tmp(g);
        while (r == RA || r == 28 || r == 29)                        /* the routine writes t3, t4 */
            r = pick_tmp(g);
        wrote(g, RA);
        wrote(g, 28);
        wrote(g, 29);
        emit_li(g, r, va);
        emit32(g, enc_i(RV_OP_jalr, RA, r, 0), RV_OP_jalr);
        if (chance(&g->r, 70)) {
            unsigned a = pick_tmp(g), v = pick_tmp(g);
            while (a == RA || a == r)
                a = pick_tmp(g);
            while (v == a || v == RA || v == r)
                v = pick_tmp(g);
            emit_addr(g, a, PT_L0_ALIAS + 8 * (N_ALIAS + slot));
            emit_li(g, v, vcode_pte(g));
            emit32(g, enc_s(RV_OP_sd, v, a, 0), RV_OP_sd);
            emit_sfence(g, chance(&g->r, 50) ? -1 : (int)r);
            emit_li(g, r, va);
            if (chance(&g->r, 50))
                emit32(g, enc_i(RV_OP_jalr, RA, r, 0), RV_OP_jalr);
            else
                emit16(g, c_cr(1, r, 0), RV_OP_jalr);                   /* c.jalr */
        }
        break;
    }
    }
}

/* ---- putting items together ---- */

enum { I_ALU, I_LI, I_MEM, I_BRANCH, I_JUMP, I_LOOP, I_CALL, I_CSR, I_TRAP, I_FETCH, I_FP,
       I_AMO, I_LRSC, I_FENCE, I_SMC, I_PRIV, I_IRQ, I_VM, I_N };
static const uint8_t item_weight[2][I_N] = {
    { 20, 5, 16, 9, 4, 4, 4, 8, 5, 1, 10, 3, 3, 2, 3, 3, 2, 0 },
    { 20, 5, 16, 9, 4, 4, 4, 8, 4, 1, 10, 3, 3, 2, 3, 9, 2, 6 },      /* vm programs */
};
/* the kinds that are straight-line and short */
#define SIMPLE_KINDS (1u << I_ALU | 1u << I_LI | 1u << I_MEM | 1u << I_CSR | 1u << I_TRAP | 1u << I_FP)
#define NESTING_KINDS (1u << I_BRANCH | 1u << I_JUMP | 1u << I_LOOP | 1u << I_CALL)

static void gen_item(gen *g, uint64_t id, unsigned flags)
{
    const uint8_t *weight = item_weight[g->vm];
    unsigned total = 0, k;
    for (unsigned i = 0; i < I_N; i++)
        total += weight[i];
    for (;;) {
        unsigned x = below(&g->r, total);
        for (k = 0; x >= weight[k]; k++)
            x -= weight[k];
        if ((flags & F_SIMPLE) && !((SIMPLE_KINDS >> k) & 1))
            continue;
        if (g->depth >= MAX_DEPTH && ((NESTING_KINDS >> k) & 1))
            continue;
        if (g->in_func && k == I_CALL)
            continue;
        break;
    }
    switch (k) {
    case I_ALU: item_alu(g); break;
    case I_LI: item_li(g); break;
    case I_MEM: item_mem(g); break;
    case I_BRANCH: item_branch(g, id, flags); break;
    case I_JUMP: item_jump(g, id, flags); break;
    case I_LOOP: item_loop(g, id, flags); break;
    case I_CALL: item_call(g, id); break;
    case I_CSR: item_csr(g); break;
    case I_TRAP: item_trap(g); break;
    case I_FETCH: item_fetch_fault(g); break;
    case I_FP: item_fp(g); break;
    case I_AMO: item_amo(g); break;
    case I_LRSC: item_lrsc(g); break;
    case I_FENCE: item_fence(g); break;
    case I_SMC: item_smc(g); break;
    case I_PRIV: item_priv(g); break;
    case I_IRQ: item_irq(g); break;
    default: item_vm(g); break;
    }
}

static bool is_off(gen *g, uint64_t id)
{
    for (unsigned i = 0; i < g->noff; i++)
        if (g->off[i] == id)
            return true;
    return false;
}

/*
 * Items get ids from their parent's id and position, and their own random stream from
 * the id, so the reducer can switch one off and everything else comes out the same.
 */
static void gen_items(gen *g, uint64_t parent, unsigned n, unsigned flags)
{
    for (unsigned i = 0; i < n; i++) {
        if (!room(g, ROOM))
            return;
        uint64_t id = mix64(parent ^ (0x632be59bd9b4e019ull * (i + 1)));
        if (is_off(g, id))
            continue;
        if (g->nids < MAX_IDS)
            g->ids[g->nids++] = id;
        rng saved = g->r;
        g->r.s = id;
        g->depth++;
        gen_item(g, id, flags);
        g->depth--;
        g->r = saved;
    }
}

/*
 * The trap handler: 16 jumps to its body first, so vectored mtvec (mode 1) lands on
 * one too. The body logs mcause, mepc, mtval and minstret in the trap log and turns FS
 * on (random mstatus writes may have turned it off). Then:
 *   interrupt: clears its mip bit and returns;
 *   fetch fault (access or page): returns to ra (the jump that caused it linked there);
 *   ecall from S or U: returns to M-mode after the ecall;
 *   anything else: returns after the faulting instruction (its length from its low
 *   bits; code is identity-mapped, so the virtual mepc is also where it is in RAM).
 * Only t5 and t6 are used.
 */
static void emit_handler(gen *g)
{
    g->pc = HANDLER;
    g->end = g->hard_end = HANDLER + 0x1000;
    for (unsigned i = 0; i < 16; i++)
        emit32(g, enc_j(0, (int32_t)(64 - 4 * i)), RV_OP_jal);
    emit32(g, enc_u(RV_OP_lui, T5, 2), RV_OP_lui);                       /* FS = Initial */
    emit32(g, enc_csr(RV_OP_csrrs, 0, T5, 0x300), RV_OP_csrrs);
    int64_t delta = (int64_t)(TLOG - g->pc);
    int64_t lo = sext12((uint64_t)delta);
    emit32(g, enc_u(RV_OP_auipc, T6, (uint32_t)((delta - lo) >> 12)), RV_OP_auipc);
    emit32(g, enc_i(RV_OP_addi, T6, T6, (int32_t)lo), RV_OP_addi);
    emit32(g, enc_i(RV_OP_ld, T5, T6, 0), RV_OP_ld);
    emit32(g, enc_i(RV_OP_addi, T5, T5, 1), RV_OP_addi);
    emit32(g, enc_s(RV_OP_sd, T5, T6, 0), RV_OP_sd);
    emit32(g, enc_i(RV_OP_andi, T5, T5, 63), RV_OP_andi);
    emit32(g, enc_i(RV_OP_addi, T5, T5, 1), RV_OP_addi);
    emit32(g, enc_i(RV_OP_slli, T5, T5, 5), RV_OP_slli);
    emit32(g, enc_r(RV_OP_add, T6, T6, T5), RV_OP_add);
    static const uint16_t logged[4] = { 0x342, 0x341, 0x343, 0xb02 };
    for (unsigned i = 0; i < 4; i++) {
        emit32(g, enc_csr(RV_OP_csrrs, T5, 0, logged[i]), RV_OP_csrrs);
        emit32(g, enc_s(RV_OP_sd, T5, T6, (int32_t)(8 * i)), RV_OP_sd);
    }
    emit32(g, enc_csr(RV_OP_csrrs, T5, 0, 0x342), RV_OP_csrrs);
    uint64_t to_irq = g->pc;
    emit32(g, enc_b(RV_OP_blt, T5, 0, 0), RV_OP_blt);
    emit32(g, enc_i(RV_OP_addi, T5, T5, -EXC_INSN_ACCESS), RV_OP_addi);
    uint64_t to_ra1 = g->pc;
    emit32(g, enc_b(RV_OP_beq, T5, 0, 0), RV_OP_beq);
    emit32(g, enc_i(RV_OP_addi, T5, T5, EXC_INSN_ACCESS - EXC_INSN_PAGE), RV_OP_addi);
    uint64_t to_ra2 = g->pc;
    emit32(g, enc_b(RV_OP_beq, T5, 0, 0), RV_OP_beq);
    emit32(g, enc_i(RV_OP_addi, T5, T5, EXC_INSN_PAGE - EXC_ECALL_U), RV_OP_addi);
    emit32(g, enc_i(RV_OP_sltiu, T5, T5, 2), RV_OP_sltiu);               /* ecall from U or S */
    emit32(g, enc_b(RV_OP_beq, T5, 0, 16), RV_OP_beq);
    emit32(g, enc_u(RV_OP_lui, T6, 2), RV_OP_lui);
    emit32(g, enc_i(RV_OP_addi, T6, T6, -2048), RV_OP_addi);             /* MPP = M */
    emit32(g, enc_csr(RV_OP_csrrs, 0, T6, 0x300), RV_OP_csrrs);
    emit32(g, enc_csr(RV_OP_csrrs, T6, 0, 0x341), RV_OP_csrrs);
    emit32(g, enc_i(RV_OP_lhu, T5, T6, 0), RV_OP_lhu);
    emit32(g, enc_i(RV_OP_andi, T5, T5, 3), RV_OP_andi);
    emit32(g, enc_i(RV_OP_addi, T5, T5, -3), RV_OP_addi);
    emit32(g, enc_i(RV_OP_sltiu, T5, T5, 1), RV_OP_sltiu);
    emit32(g, enc_i(RV_OP_slli, T5, T5, 1), RV_OP_slli);
    emit32(g, enc_i(RV_OP_addi, T5, T5, 2), RV_OP_addi);
    emit32(g, enc_r(RV_OP_add, T6, T6, T5), RV_OP_add);
    emit32(g, enc_csr(RV_OP_csrrw, 0, T6, 0x341), RV_OP_csrrw);
    emit32(g, 0x30200073, RV_OP_mret);
    patch_bytes(g, to_ra1, enc_b(RV_OP_beq, T5, 0, (int32_t)(g->pc - to_ra1)), 4);
    patch_bytes(g, to_ra2, enc_b(RV_OP_beq, T5, 0, (int32_t)(g->pc - to_ra2)), 4);
    emit32(g, enc_csr(RV_OP_csrrw, 0, RA, 0x341), RV_OP_csrrw);         /* fetch fault: to ra */
    emit32(g, 0x30200073, RV_OP_mret);
    patch_bytes(g, to_irq, enc_b(RV_OP_blt, T5, 0, (int32_t)(g->pc - to_irq)), 4);
    emit32(g, enc_i(RV_OP_andi, T5, T5, 63), RV_OP_andi);                 /* interrupt */
    emit32(g, enc_i(RV_OP_addi, T6, 0, 1), RV_OP_addi);
    emit32(g, enc_r(RV_OP_sll, T6, T6, T5), RV_OP_sll);
    emit32(g, enc_csr(RV_OP_csrrc, 0, T6, 0x344), RV_OP_csrrc);
    emit32(g, 0x30200073, RV_OP_mret);
}

typedef struct program {
    uint64_t seed;
    uint8_t *img;                    /* initial RAM */
    uint64_t x[32], f[32], time0;
    jit_options opt;
    unsigned nitems;
} program;

static gen G;                        /* big (the listing): one program at a time */

static void gen_program(program *p, uint64_t seed, const uint64_t *off, unsigned noff)
{
    gen *g = &G;
    g->seed = seed;
    g->img = p->img;
    g->nfuncs = g->nrec = g->npatch = g->nids = 0;
    g->r.s = mix64(seed ^ 0xc0dec0de);   /* nothing may depend on the previous program */
    g->irq = IRQ_MIP_ONLY;
    g->vm = false;
    g->lower = PRV_M;
    g->protect = g->clobber = 0;
    g->depth = 0;
    g->in_func = false;
    g->off = off;
    g->noff = noff;
    p->seed = seed;
    memset(p->img, 0, RAM_SIZE);

    /* initial state: registers, FP registers, data, time, translator options */
    rng init = { mix64(seed ^ 0x5eed5eed) };
    p->x[0] = 0;
    for (unsigned i = 1; i < 32; i++)
        p->x[i] = chance(&init, 15) ? DATA_BASE + below(&init, 0x1000) : pick_value(&init);
    for (unsigned i = 0; i < 32; i++)
        p->f[i] = pick_fp_bits(&init);
    for (uint64_t a = DATA_BASE; a < RAM_END; a += 8) {
        uint64_t v = a < DATA_BASE + 0x800 ? pick_fp_bits(&init) : chance(&init, 20) ? pick_value(&init) : rnd(&init);
        memcpy(p->img + (a - RAM_BASE), &v, 8);
    }
    memset(p->img + (TLOG - RAM_BASE), 0, 0x1000);
    /* the first half of a 32-bit instruction whose second half is past the end of RAM */
    uint16_t half = 0x0003;
    memcpy(p->img + (RAM_END - 2 - RAM_BASE), &half, 2);
    p->time0 = rnd(&init) >> 16;
    memset(&p->opt, 0, sizeof(p->opt));
    unsigned k = below(&init, 10);
    p->opt.max_block = k < 5 ? 0 : k < 8 ? 1 + below(&init, 4) : 1 + below(&init, 64);
    p->opt.no_chain = chance(&init, 25);
    k = below(&init, 10);
    p->opt.code_size = k < 7 ? 1u << 20 : k < 9 ? 64u << 10 : 16u << 10;
    k = below(&init, 10);
    g->irq = k < 4 ? IRQ_LIVE : k < 7 ? IRQ_MIE_ONLY : IRQ_MIP_ONLY;
    g->vm = chance(&init, 35);
    g->lower = chance(&init, 50) ? PRV_S : PRV_U;
    if (g->vm)
        build_page_tables(g, &init);

    emit_handler(g);

    g->pc = RAM_BASE;
    g->end = MAIN_END - 512;
    g->hard_end = MAIN_END;
    g->fpc = FUNC_BASE;
    g->r = init;
    /* prologue: mtvec, mstatus.FS = Initial */
    int64_t delta = (int64_t)(HANDLER - g->pc);
    int64_t lo = sext12((uint64_t)delta);
    emit32(g, enc_u(RV_OP_auipc, T6, (uint32_t)((delta - lo) >> 12)), RV_OP_auipc);
    emit32(g, enc_i(RV_OP_addi, T6, T6, (int32_t)lo), RV_OP_addi);
    emit32(g, enc_csr(RV_OP_csrrw, 0, T6, 0x305), RV_OP_csrrw);
    emit32(g, enc_u(RV_OP_lui, T6, 2), RV_OP_lui);
    emit32(g, enc_csr(RV_OP_csrrs, 0, T6, 0x300), RV_OP_csrrs);
    if (g->vm) {
        /* PMP: everything to S and U (M unaffected: the entry is not locked); Sv39 */
        emit32(g, enc_i(RV_OP_addi, T6, 0, -1), RV_OP_addi);
        emit32(g, enc_csr(RV_OP_csrrw, 0, T6, 0x3b0), RV_OP_csrrw);      /* pmpaddr0: all */
        emit32(g, enc_i(RV_OP_addi, T6, 0, 0x1f), RV_OP_addi);
        emit32(g, enc_csr(RV_OP_csrrw, 0, T6, 0x3a0), RV_OP_csrrw);      /* pmpcfg0: NAPOT RWX */
        emit_li(g, T6, SATP_SV39);
        emit32(g, enc_csr(RV_OP_csrrw, 0, T6, 0x180), RV_OP_csrrw);
    }

    p->nitems = 5 + below(&init, 150);
    g->body_start = g->pc;
    gen_items(g, mix64(seed), p->nitems, 0);
    g->body_end = g->pc;

    /* epilogue: back to M-mode (an ecall from S or U returns there), mie = 0, so the wfi
     * stops the hart for good */
    g->end = g->hard_end;
    if (g->vm)
        emit32(g, 0x00000073, RV_OP_ecall);
    if (g->irq != IRQ_MIP_ONLY)
        emit32(g, enc_csr(RV_OP_csrrwi, 0, 0, 0x304), RV_OP_csrrwi);
    emit32(g, 0x10500073, RV_OP_wfi);
    emit32(g, enc_j(0, 0), RV_OP_jal);
}

/* ---- the machine a program runs on ---- */

#define MAX_DEV_LOG 4096

typedef struct dev_write { uint64_t off, val, seq; unsigned size; } dev_write;

/* The test device: reads return a value that depends on the offset and on how many
 * accesses came before, so a repeated or reordered read shows; writes are logged. */
typedef struct test_dev {
    uint64_t seq;
    unsigned nlog;
    dev_write log[MAX_DEV_LOG];
} test_dev;

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    test_dev *d = opaque;
    uint64_t v = mix64(off * 0x100000001b3ull + (d->seq++ << 16) + size);
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void dev_write_fn(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    test_dev *d = opaque;
    if (d->nlog < MAX_DEV_LOG)
        d->log[d->nlog++] = (dev_write){ off, val, d->seq, size };
    d->seq++;
}

static const mmio_ops dev_ops = { dev_read, dev_write_fn };

typedef struct machine {
    address_space as;
    uint8_t *ram;
    test_dev dev;
    rv_hart_env env;
    uint64_t time, time_reads;
    rv_cpu *c;
    bool stopped;                    /* reached the final wfi */
    bool timed_out;                  /* the watchdog stopped it */
} machine;

/* mtime for the `time` CSR: advances per read, so both tiers see the same values. */
static uint64_t read_time(void *opaque)
{
    machine *m = opaque;
    m->time_reads++;
    return m->time += 13;
}

static void machine_setup(machine *m, rv_cpu *c, const program *p)
{
    as_init(&m->as);
    m->ram = as_add_ram(&m->as, "ram", RAM_BASE, RAM_SIZE);
    if (!m->ram)
        die("cannot map guest RAM");
    memcpy(m->ram, p->img, RAM_SIZE);
    m->dev.seq = 0;
    m->dev.nlog = 0;
    as_add_mmio(&m->as, "fuzz-dev", MMIO_BASE, MMIO_SIZE, &dev_ops, &m->dev);
    m->time = p->time0;
    m->time_reads = 0;
    m->env = (rv_hart_env){ .read_time = read_time, .opaque = m };
    rv_cpu_init(c, &m->as, 0);
    c->env = &m->env;
    c->pc = RAM_BASE;
    memcpy(c->x, p->x, sizeof(p->x));
    memcpy(c->f, p->f, sizeof(p->f));
    m->c = c;
    m->stopped = m->timed_out = false;
}

static void machine_destroy(machine *m)
{
    as_destroy(&m->as);
}

static void run_interp(machine *m)
{
    rv_cpu *c = m->c;
    while (!c->wfi && c->insn_count < BUDGET)
        rv_cpu_run(c, BUDGET - c->insn_count);
    m->stopped = c->wfi;
}

/* The watchdog: translated code that loops forever (linked blocks never come back to
 * the dispatcher) still looks at the kick flag on every block entry. */
static rv_cpu *volatile watched;
static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
    (void)sig;
    watchdog_fired = 1;
    if (watched)
        atomic_store(&watched->kick, 1);
}

static void set_alarm(unsigned seconds)
{
    struct itimerval it = { { 0, 0 }, { seconds, 0 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static jit_stats jit_totals;         /* summed over programs, for --verbose */

static void run_jit(machine *m, const jit_options *opt)
{
    rv_cpu *c = m->c;
    char err[256];
    jit *j = jit_create(&m->as, opt, err, sizeof(err));
    if (!j)
        die("%s", err);
    jit_add_hart(j, c);
    watchdog_fired = 0;
    watched = c;
    set_alarm(WATCHDOG_S);
    while (!c->wfi && c->insn_count < BUDGET && !watchdog_fired)
        if (!jit_run(j, c, BUDGET - c->insn_count))
            break;
    set_alarm(0);
    watched = NULL;
    m->timed_out = watchdog_fired;
    m->stopped = c->wfi;
    jit_stats st;
    jit_get_stats(j, &st);
    jit_totals.blocks_translated += st.blocks_translated;
    jit_totals.chains += st.chains;
    jit_totals.invalidations += st.invalidations;
    jit_totals.flushes += st.flushes;
    jit_totals.interp_steps += st.interp_steps;
    jit_destroy(j);
}

/* What a crash inside translated code should leave behind: the seed. */
static char crash_note[160];

static void on_crash(int sig)
{
    ssize_t n = write(2, crash_note, strlen(crash_note));
    (void)n;
    signal(sig, SIG_DFL);
    raise(sig);
}

static rv_cpu *cpu_a, *cpu_b;        /* reused: rv_cpu_init() starts them afresh */
static machine mach_a, mach_b;
static uint64_t total_insns;

/* ---- comparing ---- */

typedef struct diffs { unsigned n; bool print; char first[128]; } diffs;

static void differ(diffs *d, const char *what, uint64_t a, uint64_t b)
{
    if (d->print && d->n < 24)
        printf("  %-22s interpreter %016" PRIx64 "  translator %016" PRIx64 "\n", what, a, b);
    if (!d->n)
        snprintf(d->first, sizeof(d->first), "%s: interpreter %" PRIx64 ", translator %" PRIx64, what, a, b);
    d->n++;
}

static char first_difference[128];      /* of the last program checked */

#define CMP(name, field) do { if (a->field != b->field) differ(d, name, (uint64_t)a->field, (uint64_t)b->field); } while (0)

static void compare(machine *ma, machine *mb, diffs *d)
{
    rv_cpu *a = ma->c, *b = mb->c;
    char name[32];
    for (unsigned i = 1; i < 32; i++) {
        snprintf(name, sizeof(name), "x%u (%s)", i, rv_xreg_name[i]);
        if (a->x[i] != b->x[i])
            differ(d, name, a->x[i], b->x[i]);
    }
    for (unsigned i = 0; i < 32; i++) {
        snprintf(name, sizeof(name), "f%u (%s)", i, rv_freg_name[i]);
        if (a->f[i] != b->f[i])
            differ(d, name, a->f[i], b->f[i]);
    }
    CMP("pc", pc);
    CMP("priv", priv);
    CMP("wfi", wfi);
    CMP("insn_count", insn_count);
    CMP("fflags", fflags);
    CMP("frm", frm);
    CMP("mstatus", mstatus);
    CMP("mcause", mcause);
    CMP("mepc", mepc);
    CMP("mtval", mtval);
    CMP("mscratch", mscratch);
    CMP("mtvec", mtvec);
    CMP("mie", mie);
    CMP("mip", mip);
    CMP("medeleg", medeleg);
    CMP("mideleg", mideleg);
    CMP("mcountinhibit", mcountinhibit);
    CMP("stimecmp", stimecmp);
    CMP("satp", satp);
    CMP("scause", scause);
    CMP("sepc", sepc);
    CMP("stval", stval);
    CMP("minstret offset", minstret_off);
    CMP("mcycle offset", mcycle_off);
    CMP("reservation valid", resv_valid);
    if (a->resv_valid && b->resv_valid) {
        CMP("reservation address", resv_addr);
        CMP("reservation value", resv_value);
    }
    if (ma->time_reads != mb->time_reads)
        differ(d, "time CSR reads", ma->time_reads, mb->time_reads);
    for (uint64_t off = 0; off < RAM_SIZE; off += 8) {
        if (memcmp(ma->ram + off, mb->ram + off, 8)) {
            uint64_t va, vb;
            memcpy(&va, ma->ram + off, 8);
            memcpy(&vb, mb->ram + off, 8);
            snprintf(name, sizeof(name), "RAM %08" PRIx64, (uint64_t)(RAM_BASE + off));
            differ(d, name, va, vb);
        }
    }
    if (ma->dev.seq != mb->dev.seq)
        differ(d, "device accesses", ma->dev.seq, mb->dev.seq);
    if (ma->dev.nlog != mb->dev.nlog)
        differ(d, "device writes", ma->dev.nlog, mb->dev.nlog);
    unsigned n = ma->dev.nlog < mb->dev.nlog ? ma->dev.nlog : mb->dev.nlog;
    for (unsigned i = 0; i < n; i++) {
        const dev_write *x = &ma->dev.log[i], *y = &mb->dev.log[i];
        if (x->off != y->off || x->val != y->val || x->size != y->size || x->seq != y->seq) {
            snprintf(name, sizeof(name), "device write %u offset", i);
            if (x->off != y->off)
                differ(d, name, x->off, y->off);
            snprintf(name, sizeof(name), "device write %u size", i);
            if (x->size != y->size)
                differ(d, name, x->size, y->size);
            snprintf(name, sizeof(name), "device write %u value", i);
            if (x->val != y->val)
                differ(d, name, x->val, y->val);
            snprintf(name, sizeof(name), "device write %u access", i);
            if (x->seq != y->seq)
                differ(d, name, x->seq, y->seq);
            if (d->print)
                printf("  (device write %u: offset %" PRIx64 ", %u bytes)\n", i, x->off, x->size);
            break;
        }
    }
}

/*
 * The generator's own check, run once at start: constants and addresses come out as
 * meant (through the interpreter), or every load and store would go somewhere else.
 */
static void selftest(program *p)
{
    gen *g = &G;
    memset(g, 0, offsetof(gen, recs));
    g->img = p->img;
    memset(p->img, 0, RAM_SIZE);
    memset(p->x, 0, sizeof(p->x));
    memset(p->f, 0, sizeof(p->f));
    memset(&p->opt, 0, sizeof(p->opt));
    p->seed = 0;
    g->r.s = 12345;
    rng vr = { 777 };
    for (unsigned round = 0; round < 64; round++) {
        uint64_t want[32];
        g->pc = RAM_BASE;
        g->end = g->hard_end = MAIN_END;
        for (unsigned r = 1; r < 32; r++) {
            want[r] = r & 1 ? pick_value(&vr) : RAM_BASE + below(&vr, (unsigned)RAM_SIZE);
            if (r & 1)
                emit_li(g, r, want[r]);
            else
                emit_addr(g, r, want[r]);
        }
        emit32(g, 0x10500073, RV_OP_wfi);
        machine_setup(&mach_a, cpu_a, p);
        run_interp(&mach_a);
        for (unsigned r = 1; r < 32; r++)
            if (cpu_a->x[r] != want[r])
                die("generator bug: x%u = %016" PRIx64 ", meant %016" PRIx64, r, cpu_a->x[r], want[r]);
        machine_destroy(&mach_a);
    }
}

/* Traps by cause over the programs run (from the trap logs), for --verbose. */
static uint64_t trap_causes[33], trap_total;     /* exceptions 0-15, interrupts 16-31 */

static void count_traps(machine *m)
{
    uint64_t n;
    memcpy(&n, m->ram + (TLOG - RAM_BASE), 8);
    trap_total += n;
    /* trap k (from 1) went to entry (k mod 64) + 1 */
    for (uint64_t k = n > 64 ? n - 63 : 1; k <= n; k++) {
        uint64_t cause;
        memcpy(&cause, m->ram + (TLOG - RAM_BASE) + 32 * ((k & 63) + 1), 8);
        trap_causes[(cause >> 63) * 16 + (cause & 15)]++;
    }
}

/* ---- listing ---- */

static int rec_cmp(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static void print_insn(uint64_t pc, uint32_t raw, const char *prefix)
{
    rv_insn d = decode(raw);
    char buf[96];
    if (d.op == RV_OP_ILLEGAL)
        snprintf(buf, sizeof(buf), "(illegal)");
    else
        rv_disas(&d, pc, buf, sizeof(buf));
    printf("%s%08" PRIx64 ":  %0*x  %s\n", prefix, pc, d.len == 2 ? 4 : 8, d.len == 2 ? raw & 0xffff : raw, buf);
}

static bool skip_nops;              /* after reduction: the listing leaves nops out */

static void print_program(const program *p)
{
    gen *g = &G;
    qsort(g->recs, g->nrec, sizeof(rec), rec_cmp);
    printf("program (seed %" PRIu64 ", %u top-level items):\n", p->seed, p->nitems);
    const char *region = "";
    for (unsigned i = 0; i < g->nrec; i++) {
        const rec *r = &g->recs[i];
        const char *here = r->addr >= HANDLER ? "trap handler" : r->addr >= VCODE_P1 ? "routines behind the alias code pages" :
                           r->addr >= FUNC_BASE ? "routines" : "main";
        if (strcmp(here, region)) {
            printf("%s:\n", here);
            region = here;
        }
        uint32_t raw = 0;
        memcpy(&raw, p->img + (r->addr - RAM_BASE), r->len);
        if (skip_nops && (raw == 0x00000013 || (r->len == 2 && raw == 0x0001)))
            continue;
        print_insn(r->addr, raw, "  ");
        for (unsigned k = 0; k < g->npatch; k++) {
            const patch *pt = &g->patches[k];
            if (pt->addr != r->addr)
                continue;
            printf("      rewritten at run time to:\n");
            for (unsigned at = 0; at < pt->len;) {
                uint32_t w = (uint32_t)(pt->bytes >> (8 * at));
                print_insn(pt->addr + at, w, "      ");
                at += (w & 3) == 3 ? 4 : 2;
            }
        }
    }
    printf("initial registers:\n");
    for (unsigned i = 1; i < 32; i++)
        printf("  %-4s %016" PRIx64 "%s", rv_xreg_name[i], p->x[i], i % 4 == 3 ? "\n" : "");
    printf("\n");
    for (unsigned i = 0; i < 32; i++)
        printf("  %-4s %016" PRIx64 "%s", rv_freg_name[i], p->f[i], i % 4 == 3 ? "\n" : "");
    printf("(data at %08llx-%08llx is random; the trap handler logs to %08llx)\n",
           (unsigned long long)DATA_BASE, (unsigned long long)RAM_END, (unsigned long long)TLOG);
    if (G.vm)
        printf("(paging: Sv39 tables at %08llx, RAM identity-mapped, aliases at %llx; parts run in %s-mode)\n",
               (unsigned long long)PT_BASE, (unsigned long long)ALIAS_VA, G.lower == PRV_S ? "S" : "U");
}

static void print_options(const jit_options *o)
{
    printf("translator options: max_block=%u no_chain=%d code_size=%zu\n", o->max_block, o->no_chain, o->code_size);
}

/* ---- one program on both tiers ---- */

enum result { SAME, DIFFERENT, GENERATOR_BUG };


static enum result check_program(const program *p, bool print)
{
    machine *ma = &mach_a, *mb = &mach_b;
    machine_setup(ma, cpu_a, p);
    snprintf(crash_note, sizeof(crash_note), "jit_fuzz: crashed in seed %" PRIu64 " on the interpreter\n", p->seed);
    run_interp(ma);
    if (!ma->stopped) {
        if (print)
            printf("jit_fuzz: generator bug: seed %" PRIu64 " does not reach its wfi on the interpreter "
                   "(pc %016" PRIx64 " after %" PRIu64 " instructions)\n", p->seed, ma->c->pc, ma->c->insn_count);
        machine_destroy(ma);
        return GENERATOR_BUG;
    }
    machine_setup(mb, cpu_b, p);
    snprintf(crash_note, sizeof(crash_note), "jit_fuzz: crashed in seed %" PRIu64 " on the translator "
             "(reproduce: jit_fuzz --repro %" PRIu64 ")\n", p->seed, p->seed);
    run_jit(mb, &p->opt);
    diffs d = { .print = print };
    if (print && (mb->timed_out || !mb->stopped))
        printf("  the translator did not reach the wfi%s\n", mb->timed_out ? " (watchdog)" : "");
    compare(ma, mb, &d);
    if (!mb->stopped && !d.n++)
        snprintf(d.first, sizeof(d.first), "the translator did not reach the wfi");
    memcpy(first_difference, d.first, sizeof(d.first));
    total_insns += ma->c->insn_count;
    count_traps(ma);
    machine_destroy(ma);
    machine_destroy(mb);
    return d.n ? DIFFERENT : SAME;
}

/* Switch off items one at a time while the difference stays. */
static void reduce(program *p)
{
    static uint64_t off[MAX_IDS], ids[MAX_IDS];
    unsigned noff = 0;
    bool changed = true;
    unsigned trials = 0;
    while (changed) {
        changed = false;
        gen_program(p, p->seed, off, noff);
        unsigned nids = G.nids;
        memcpy(ids, G.ids, nids * sizeof(ids[0]));
        for (unsigned i = 0; i < nids && noff < MAX_IDS; i++) {
            off[noff++] = ids[i];
            gen_program(p, p->seed, off, noff);
            trials++;
            if (check_program(p, false) == DIFFERENT)
                changed = true;
            else
                noff--;
        }
    }
    /* then single instructions: each replaced by a nop of its size while the difference
     * stays (the trap handler and the prologue and epilogue stay as they are) */
    gen_program(p, p->seed, off, noff);
    unsigned nops = 0;
    for (changed = true; changed;) {
        changed = false;
        for (unsigned i = 0; i < G.nrec; i++) {
            const rec *r = &G.recs[i];
            bool body = r->addr >= G.body_start && r->addr < G.body_end;
            if (!body && !(r->addr >= FUNC_BASE && r->addr < PT_BASE))
                continue;
            uint8_t *at = p->img + (r->addr - RAM_BASE), saved[4];
            uint32_t nop = r->len == 2 ? 0x0001 : 0x00000013;
            if (!memcmp(at, &nop, r->len))
                continue;
            memcpy(saved, at, r->len);
            memcpy(at, &nop, r->len);
            trials++;
            if (check_program(p, false) == DIFFERENT) {
                changed = true;
                nops++;
            } else {
                memcpy(at, saved, r->len);
            }
        }
    }
    printf("\nreduced (%u items switched off, %u instructions made nops, %u trials; nops not listed):\n",
           noff, nops, trials);
    skip_nops = true;
    print_options(&p->opt);
    check_program(p, true);
    print_program(p);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end)
        die("%s: not a number: %s", what, s);
    return v;
}

static void usage(void)
{
    printf("usage: jit_fuzz [--seed N] [--count N | --seconds S] [--verbose] [--keep-going]\n"
           "                [--repro SEED [--reduce]] [--trace]\n"
           "  runs random guest programs on the interpreter and on the translator and compares them\n"
           "  --seed N      first program's seed (the others follow: N+1, N+2, ...), default 1\n"
           "  --count N     programs to run (default 1000)\n"
           "  --seconds S   run for S seconds instead\n"
           "  --verbose     one line per program\n"
           "  --repro SEED  run one program, print it and any difference\n"
           "  --reduce      with --repro: switch off items while the difference stays\n"
           "  --trace       log every instruction and trap of both runs on stderr\n"
           "  --keep-going  on a difference, print one line and go on (for triage)\n");
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, count = 1000, repro = 0;
    double seconds = 0;
    bool verbose = false, have_repro = false, do_reduce = false, trace = false, keep_going = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--seed") && more)
            seed = parse_u64(argv[++i], a);
        else if (!strcmp(a, "--count") && more)
            count = parse_u64(argv[++i], a);
        else if (!strcmp(a, "--seconds") && more)
            seconds = (double)parse_u64(argv[++i], a);
        else if (!strcmp(a, "--repro") && more) {
            repro = parse_u64(argv[++i], a);
            have_repro = true;
        } else if (!strcmp(a, "--reduce"))
            do_reduce = true;
        else if (!strcmp(a, "--keep-going"))
            keep_going = true;
        else if (!strcmp(a, "--verbose") || !strcmp(a, "-v"))
            verbose = true;
        else if (!strcmp(a, "--trace"))
            trace = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (!jit_supported()) {
        printf("jit_fuzz: the translator needs an x86-64 Linux host\n");
        return 77;
    }
    size_t csize = (sizeof(rv_cpu) + 63) & ~(size_t)63;
    cpu_a = aligned_alloc(64, csize);
    cpu_b = aligned_alloc(64, csize);
    static program prog;
    prog.img = malloc(RAM_SIZE);
    if (!cpu_a || !cpu_b || !prog.img)
        die("out of memory");
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGILL, on_crash);
    signal(SIGFPE, on_crash);
    setvbuf(stdout, NULL, _IOLBF, 0);
    selftest(&prog);
    if (trace)
        log_mask |= LOG_EXEC | LOG_INT;          /* tern's -d exec,int, on stderr */

    if (have_repro) {
        gen_program(&prog, repro, NULL, 0);
        enum result r = check_program(&prog, true);
        if (r == SAME) {
            printf("jit_fuzz: seed %" PRIu64 ": no difference (%" PRIu64 " instructions)\n", repro, total_insns);
            if (verbose) {
                print_options(&prog.opt);
                print_program(&prog);
            }
            return 0;
        }
        if (r == DIFFERENT) {
            printf("jit_fuzz: seed %" PRIu64 ": the tiers differ\n", repro);
            print_options(&prog.opt);
            print_program(&prog);
            if (do_reduce)
                reduce(&prog);
            return 1;
        }
        print_program(&prog);
        return 2;
    }

    double start = now();
    uint64_t n = 0, genbugs = 0, ndiff = 0;
    for (;; n++) {
        if (seconds > 0 ? now() - start >= seconds : n >= count)
            break;
        uint64_t s = seed + n;
        gen_program(&prog, s, NULL, 0);
        uint64_t before = total_insns;
        enum result r = check_program(&prog, false);
        if (verbose)
            printf("seed %" PRIu64 ": %u items, %" PRIu64 " instructions, max_block %u%s, code %zu KiB: %s\n",
                   s, prog.nitems, total_insns - before, prog.opt.max_block,
                   prog.opt.no_chain ? " no_chain" : "", prog.opt.code_size >> 10,
                   r == SAME ? "same" : r == DIFFERENT ? "DIFFERENT" : "generator bug");
        if (r == GENERATOR_BUG) {
            check_program(&prog, true);
            genbugs++;
            continue;
        }
        if (r == DIFFERENT && keep_going) {
            printf("jit_fuzz: seed %" PRIu64 " differs: %s\n", s, first_difference);
            ndiff++;
            continue;
        }
        if (r == DIFFERENT) {
            printf("jit_fuzz: seed %" PRIu64 ": the tiers differ (reproduce: jit_fuzz --repro %" PRIu64 " --reduce)\n", s, s);
            print_options(&prog.opt);
            check_program(&prog, true);
            print_program(&prog);
            printf("jit_fuzz: %" PRIu64 " programs, %" PRIu64 " instructions executed, 1 difference\n", n + 1, total_insns);
            return 1;
        }
    }
    double secs = now() - start;
    if (verbose) {
        printf("jit_fuzz: %.1f programs per second, %.1f traps per program; logged causes:",
               secs > 0 ? (double)n / secs : 0.0, n ? (double)trap_total / (double)n : 0.0);
        for (unsigned i = 0; i < 32; i++)
            if (trap_causes[i])
                printf(" %s%u:%" PRIu64, i < 16 ? "" : "irq", i & 15, trap_causes[i]);
        printf("\njit_fuzz: translator: %" PRIu64 " blocks, %" PRIu64 " links, %" PRIu64 " dropped by stores, "
               "%" PRIu64 " full flushes, %" PRIu64 " interpreted steps\n", jit_totals.blocks_translated,
               jit_totals.chains, jit_totals.invalidations, jit_totals.flushes, jit_totals.interp_steps);
    }
    printf("jit_fuzz: %" PRIu64 " programs, %" PRIu64 " instructions executed, %" PRIu64 " difference%s",
           n, total_insns, ndiff, ndiff == 1 ? "" : "s");
    if (genbugs)
        printf(", %" PRIu64 " generator bugs", genbugs);
    printf("\n");
    return ndiff ? 1 : genbugs ? 2 : 0;
}
