/*
 * RISC-V hart state (RV64GC, privileged architecture 1.12) and the interfaces the
 * interpreter, CSR, trap and MMU files share. One rv_cpu per hart.
 */
#ifndef TERN_RISCV_CPU_H
#define TERN_RISCV_CPU_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdatomic.h>
#include "cpu/riscv/insn.h"

struct address_space;
struct rv_hart_env;

enum { PRV_U = 0, PRV_S = 1, PRV_M = 3 };

/* mstatus bits */
#define MSTATUS_SIE   (1ull << 1)
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_SPIE  (1ull << 5)
#define MSTATUS_UBE   (1ull << 6)
#define MSTATUS_MPIE  (1ull << 7)
#define MSTATUS_SPP   (1ull << 8)
#define MSTATUS_VS    (3ull << 9)
#define MSTATUS_MPP   (3ull << 11)
#define MSTATUS_FS    (3ull << 13)
#define MSTATUS_XS    (3ull << 15)
#define MSTATUS_MPRV  (1ull << 17)
#define MSTATUS_SUM   (1ull << 18)
#define MSTATUS_MXR   (1ull << 19)
#define MSTATUS_TVM   (1ull << 20)
#define MSTATUS_TW    (1ull << 21)
#define MSTATUS_TSR   (1ull << 22)
#define MSTATUS_UXL   (3ull << 32)
#define MSTATUS_SXL   (3ull << 34)
#define MSTATUS_SD    (1ull << 63)

/* interrupt numbers / mip bits */
enum { IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11 };
#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)

/* exception causes */
enum {
    EXC_INSN_MISALIGNED = 0, EXC_INSN_ACCESS = 1, EXC_ILLEGAL = 2, EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4, EXC_LOAD_ACCESS = 5, EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7, EXC_ECALL_U = 8, EXC_ECALL_S = 9, EXC_ECALL_M = 11,
    EXC_INSN_PAGE = 12, EXC_LOAD_PAGE = 13, EXC_STORE_PAGE = 15,
};

/* memory access types */
enum rv_access { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };

/*
 * Software TLB. One set of arrays per translation context (effective privilege, and for
 * S-mode whether SUM is set), so privilege changes and SUM toggles (Linux's uaccess
 * does that constantly) need no flush. An entry maps a virtual page to a host address
 * offset: host = vaddr + addend. Only whole RAM pages with the permission already
 * granted (and for writes, D already set) are entered; everything else takes the slow
 * path.
 */
#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID (~0ull)
enum { TLBCTX_U, TLBCTX_S, TLBCTX_S_SUM, TLBCTX_M, TLBCTX_COUNT };

typedef struct rv_tlb_entry {
    uint64_t vpage;        /* virtual page address, or TLB_INVALID */
    uintptr_t addend;      /* host address - guest virtual address */
} rv_tlb_entry;

/* Write mappings of pages holding translated code, which stay out of the write TLB:
 * the store slow path finds them here without a page walk and checks the code marks. */
#define CW_SIZE 64
typedef struct rv_codew_entry {
    uint64_t vpage;                  /* or TLB_INVALID */
    uintptr_t addend;
    uint64_t ppage;
    _Atomic uint64_t *marks;         /* the page's code marks (core/memory.h) */
} rv_codew_entry;

typedef struct rv_tlb {
    rv_tlb_entry e[3][TLB_SIZE];     /* [enum rv_access][index] */
    rv_codew_entry cw[CW_SIZE];
} rv_tlb;

/*
 * Jump cache: translated code by guest pc, one table per translation context
 * (rv_jit_ctx(): fetch privilege and data TLB context, which translated code bakes
 * in). Translated code looks indirect and cross-page jump targets up here inline,
 * which is why it lives in the hart at a fixed offset. An entry assumes the page
 * mapping current when it was made, so the MMU flushes the table with the TLB.
 */
#define JC_BITS 12
#define JC_SIZE (1u << JC_BITS)
#define JC_CTXS 16
typedef struct rv_jc_entry {
    uint64_t pc;                     /* guest virtual pc, or ~0 */
    const void *code;                /* host code of the block */
} rv_jc_entry;

static inline unsigned rv_jc_index(uint64_t pc) { return (pc >> 1) & (JC_SIZE - 1); }
static inline unsigned rv_jc_page_bit(uint64_t pc) { return (unsigned)((pc >> 12) * 0x9e3779b1u) >> 20; }

/*
 * Observer of the hart's memory traffic and outside inputs, used by the translator's
 * lockstep check to record one run and replay it to the other. The MMIO hooks return
 * true when they handled the access themselves.
 */
struct rv_cpu;
typedef struct rv_io_hook {
    bool (*mmio_read)(void *opaque, uint64_t pa, unsigned size, uint64_t *val);
    bool (*mmio_write)(void *opaque, uint64_t pa, unsigned size, uint64_t val);
    void (*ram_write)(void *opaque, void *host, unsigned size);     /* before the write */
    uint64_t (*input)(void *opaque, uint64_t value);                /* time, irq lines */
    void *opaque;
} rv_io_hook;

/* Decoded-instruction cache entry: validated by comparing the fetched bits. */
#define DCACHE_BITS 14
typedef struct rv_dcache_entry {
    uint64_t pc;
    uint32_t mask;
    rv_insn insn;
} rv_dcache_entry;

typedef struct rv_cpu {
    uint64_t x[33];                  /* x[32] is the sink for writes to x0 */
    uint64_t f[32];
    uint64_t pc;
    unsigned priv;
    uint32_t fflags, frm;

    /* CSRs */
    uint64_t mstatus, misa, medeleg, mideleg, mie, mip;
    uint64_t mtvec, mscratch, mepc, mcause, mtval, mcounteren, mcountinhibit, menvcfg;
    uint64_t stvec, sscratch, sepc, scause, stval, satp, scounteren, senvcfg, stimecmp;
    uint64_t mhartid, mconfigptr;
    uint8_t pmpcfg[16];
    uint64_t pmpaddr[16];
    uint64_t tselect;

    uint64_t insn_count;             /* instructions retired: minstret, and mcycle */
    uint64_t minstret_off, mcycle_off;

    /* LR/SC reservation */
    uint64_t resv_addr, resv_value;
    bool resv_valid;
    uint64_t amo_pa;                 /* physical address of the last rv_amo_ptr() */
    bool wfi;                        /* stopped in WFI until an interrupt is pending */

    /* interrupt lines driven by devices (MEIP, SEIP, MTIP, MSIP), set from any thread */
    _Atomic uint64_t irq_lines;
    /* set by another thread to make the hart leave its run loop at the next boundary */
    _Atomic int kick;

    /* memory */
    struct address_space *as;
    rv_tlb *tlb_cur_data;            /* data TLB for loads/stores in the current mode */
    rv_tlb *tlb_cur_fetch;
    unsigned data_ctx, fetch_ctx;
    rv_tlb tlb[TLBCTX_COUNT];
    bool pmp_active;                 /* some PMP entry is not OFF */
    bool tlb_nofill;                 /* no data TLB entries: every load/store takes the slow path */
    bool dbg_watch;                  /* watchpoints are set: loads/stores are checked (debug.c) */
    uint8_t dbg_hit_kind;            /* a watchpoint this hart hit (RV_WATCH_*), 0: none */
    uint64_t dbg_hit_addr;
    const rv_io_hook *io_hook;       /* NULL unless a lockstep check is recording */

    /* host glue: time source, wait-for-interrupt, exit/trace hooks */
    struct rv_hart_env *env;

    rv_dcache_entry dcache[1u << DCACHE_BITS];

    uint32_t jc_used;                /* contexts whose jump cache may hold entries */
    uint32_t jc_cur;                 /* byte offset of the current context's table in jc */
    uint64_t jc_pages[64];           /* filter of the virtual pages with S/U entries */
    /* The S-mode jump-cache entries may include code reached through a translation that
     * is not global (a PTE without G, or satp bare). Without any, a satp write keeps
     * them: global mappings are the same in every address space (the privileged spec's
     * rule for G), and Linux switches address spaces with a bare satp write (it has
     * ASIDs), so its kernel's code stays found across context switches. */
    bool jc_s_local;
    bool walk_global;                /* the last successful walk's leaf had G set */
    /* the translator's native FP leaves x86 exception flags sticky in MXCSR: those of
     * them not yet folded into fflags (x86 layout; see jit/translate_fp.c) */
    uint32_t fp_unseen;
    uint32_t fp_mxcsr;               /* scratch for stmxcsr */
    rv_jc_entry jc[JC_CTXS][JC_SIZE];
} rv_cpu;

/* The translation context a block is made for: fetch privilege | data TLB context << 2. */
static inline unsigned rv_jit_ctx(const rv_cpu *c) { return c->priv | (c->data_ctx << 2); }

/* What the hart needs from the machine it sits in. */
typedef struct rv_hart_env {
    uint64_t (*read_time)(void *opaque);                 /* mtime, 10 MHz */
    void (*stimecmp_changed)(void *opaque, struct rv_cpu *c);
    /* A semihosting call (an ebreak in the magic sequence, in M or S mode): true if
     * handled, a0 then holds the result. NULL: ebreak is always a breakpoint. */
    bool (*semihost)(void *opaque, struct rv_cpu *c);
    void *opaque;
} rv_hart_env;

/* The host (x86 TSO) keeps every order but a store before a later load; a fence that
 * asks for that one (pred W/O, succ R/I) needs a real barrier for other harts. */
static inline bool rv_fence_needs_barrier(int64_t imm)
{
    unsigned pred = (imm >> 4) & 15, succ = imm & 15;
    return (pred & 5) && (succ & 10);
}

/* handler results */
enum { RV_NEXT = 0, RV_JUMP = 1, RV_EXIT = 2 };

/* ---- cpu.c ---- */
void rv_cpu_init(rv_cpu *c, struct address_space *as, unsigned hartid);
void rv_cpu_reset(rv_cpu *c, uint64_t pc);
/* Runs until kicked or about `budget` instructions have retired. */
void rv_cpu_run(rv_cpu *c, uint64_t budget);
/* Executes exactly one instruction (or takes the fetch fault); no interrupt check. */
void rv_cpu_step(rv_cpu *c);
/* Executes one decoded instruction at c->pc as the interpreter does (handler result). */
int rv_exec_one(rv_cpu *c, const rv_insn *d);
void rv_cpu_dump(rv_cpu *c, void *file);
uint64_t rv_cpu_pending_irqs(rv_cpu *c);
void rv_cpu_set_irq(rv_cpu *c, unsigned irq, bool level);

/* ---- state.c ---- */
/* The architectural state a snapshot holds (core/state.h). */
extern const struct state_desc rv_cpu_state;
/* After rv_cpu_state was loaded into a paused hart: drop what was derived from the old
 * state (TLB, jump and decode caches) and re-arm its timer. */
void rv_cpu_state_loaded(rv_cpu *c);
/* Whether a loaded state is one the hart can be in (`now`: the hart as configured). */
bool rv_cpu_state_valid(const rv_cpu *c, const rv_cpu *now, char *err, size_t errsize);

/* ---- trap.c ---- */
/* Takes a synchronous exception at c->pc; sets c->pc to the handler. Returns RV_JUMP. */
int rv_raise(rv_cpu *c, unsigned cause, uint64_t tval);
/* Takes the highest-priority enabled pending interrupt, if any. */
bool rv_take_interrupt(rv_cpu *c);
/* Whether rv_take_interrupt would take one now. */
bool rv_interrupt_ready(rv_cpu *c);
void rv_mode_changed(rv_cpu *c);
int rv_exec_mret(rv_cpu *c);
int rv_exec_sret(rv_cpu *c);

/* ---- csr.c ---- */
/* Returns -1 if the access is illegal. `write` is false for reads that must not write. */
int rv_csr_access(rv_cpu *c, unsigned csr, uint64_t *old, uint64_t newv, bool write);

/* ---- mmu.c ---- */
/* Translate + check. On failure returns the exception cause, else 0 and *paddr. */
int rv_translate(rv_cpu *c, uint64_t va, enum rv_access acc, unsigned priv, uint64_t *paddr);
/* The physical address of va at the hart's current privilege, as a debugger reads it:
 * no permission checks, no A/D updates, no TLB fill. 0, or the page-fault cause. */
int rv_debug_translate(rv_cpu *c, uint64_t va, uint64_t *paddr);
/* Read or write guest memory through that translation (debug_access.c). */
bool rv_debug_access(rv_cpu *c, uint64_t va, void *buf, size_t len, bool write);
void rv_tlb_flush(rv_cpu *c);
void rv_tlb_flush_page(rv_cpu *c, uint64_t va);
/* Drop every entry that maps to host memory [host, host+len), from any thread (memory
 * that moved, such as a RAM-backed BAR). A load or store the hart has already looked up
 * still completes, like one made just before the move. */
void rv_tlb_drop_host(rv_cpu *c, const void *host, uint64_t len);
/* Empty the jump cache; `machine_mode` too if M-mode fetch permissions changed (PMP). */
void rv_jc_flush(rv_cpu *c, bool machine_mode);
/* satp changed: every TLB entry and the U-mode jump cache go, the S-mode one too unless
 * it holds only code from global mappings (jc_s_local). */
void rv_satp_changed(rv_cpu *c);

/* fflags was written other than by accumulating: host FP flags must not leak into it */
void rv_fflags_written(rv_cpu *c);
/* Slow paths of loads, stores and fetch: return 0 or an exception cause (tval set). */
int rv_load_slow(rv_cpu *c, uint64_t va, unsigned size, uint64_t *val, uint64_t *tval);
int rv_store_slow(rv_cpu *c, uint64_t va, unsigned size, uint64_t val, uint64_t *tval);
/* Host pointer for an aligned atomic access of `size` (fails on MMIO: access fault).
 * After writing through it, call rv_amo_written() so code-page tracking sees it. */
int rv_amo_ptr(rv_cpu *c, uint64_t va, unsigned size, void **host, uint64_t *tval);
void rv_amo_written(rv_cpu *c, unsigned size);
/* An outside input (time, interrupt lines), passed through the lockstep check's hook. */
static inline uint64_t rv_input(rv_cpu *c, uint64_t v)
{
    return c->io_hook ? c->io_hook->input(c->io_hook->opaque, v) : v;
}
int rv_fetch_slow(rv_cpu *c, uint64_t pc, uint32_t *raw, uint64_t *tval);
bool rv_pmp_check(rv_cpu *c, uint64_t pa, unsigned size, enum rv_access acc, unsigned priv);
unsigned rv_effective_data_priv(rv_cpu *c);

static inline unsigned rv_tlb_index(uint64_t va) { return (va >> 12) & (TLB_SIZE - 1); }

#endif
