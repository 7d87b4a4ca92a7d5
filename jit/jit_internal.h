/*
 * What the translator's files share: the translated-block record, the block cache and
 * code buffer, the layout contract between translated code and the hart struct, and
 * the runtime helpers translated code calls.
 */
#ifndef TERN_JIT_INTERNAL_H
#define TERN_JIT_INTERNAL_H

#include "jit/jit.h"
#include "jit/x86_emit.h"
#include "cpu/riscv/cpu.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/*
 * Translated code addresses the hart through RBP, which points JIT_BIAS bytes into
 * rv_cpu so that x[0..31] are all reachable with 8-bit displacements.
 */
#define JIT_BIAS 128
#define CPU_OFF(field) ((int32_t)offsetof(rv_cpu, field) - JIT_BIAS)
#define XREG_OFF(r) ((int32_t)(offsetof(rv_cpu, x) + 8 * (r)) - JIT_BIAS)
#define TLB_OFF(ctx, acc) \
    ((int32_t)(offsetof(rv_cpu, tlb) + (ctx) * sizeof(rv_tlb) + \
               (acc) * TLB_SIZE * sizeof(rv_tlb_entry)) - JIT_BIAS)
#define JC_OFF(ctx) ((int32_t)(offsetof(rv_cpu, jc) + (ctx) * sizeof(rv_jc_entry[JC_SIZE])) - JIT_BIAS)

#define JIT_MAX_BLOCK 64              /* default guest instructions per block */
#define JIT_MAX_HARTS 8

/*
 * Guest registers kept in host registers across blocks. Callee-saved host registers
 * survive helper calls; the caller-saved ones (r8-r11) are written back before a call
 * and reloaded after. The rest of the guest registers live in rv_cpu.
 */
#define JIT_NMAPPED 9
extern const uint8_t jit_mapped_guest[JIT_NMAPPED];   /* guest register numbers */
extern const uint8_t jit_mapped_host[JIT_NMAPPED];    /* their host registers */
/* host register holding guest register r (0..32), or -1 */
int jit_host_reg(unsigned r);
static inline bool jit_host_caller_saved(unsigned h) { return h >= R8 && h <= R11; }

struct jit_block;

/* Why translated code returned to the dispatcher without an exit record (the value
 * it leaves in RAX; anything larger is a jit_exit pointer) */
enum jit_exit_why {
    EXIT_UNLINKED = 1,          /* linking is off */
    EXIT_JC_MISS,               /* direct jump to another page, not in the jump cache */
    EXIT_JC_MISS_INDIRECT,      /* jalr target not in the jump cache */
    EXIT_END_INSN,              /* an instruction that changes machine state */
    EXIT_TRAP,                  /* exception, or a store that dropped translations */
    EXIT_KICK,                  /* interrupt or request pending at block entry */
    EXIT_WHY_COUNT
};

/* A direct exit of a block that can be linked straight to the block it goes to. */
typedef struct jit_exit {
    uint8_t *jmp_disp;               /* rel32 of the exit's jump (writable view) */
    uint8_t *stub;                   /* where the unlinked jump goes (writable view) */
    uint64_t target_pc;
    struct jit_block *from;
    struct jit_block *to;            /* linked target, or NULL */
    struct jit_exit *next_in;        /* next in to->incoming */
} jit_exit;

typedef struct jit_block {
    uint64_t vpc, ppc;               /* guest virtual and physical address of the start */
    uint32_t flags;                  /* rv_jit_ctx() it was translated for */
    uint16_t ninsns;
    uint16_t guest_bytes;            /* guest code length: [ppc, ppc + guest_bytes) */
    uint8_t *code;                   /* entry (executable view) */
    uint32_t code_size;
    uint16_t nexits;
    _Atomic bool invalid;
    struct jit_block *hash_next;
    struct jit_block *page_next;
    jit_exit *exits;
    jit_exit *incoming;              /* exits of other blocks linked to this one */
    rv_insn *insns;                  /* decoded guest instructions */
    uint32_t *host_off;              /* host code offset of each instruction, [ninsns] = end */
} jit_block;

typedef struct jit_page {
    uint64_t ppn;                    /* physical page number */
    jit_block *blocks;
    struct jit_page *next;
} jit_page;

/* Metadata allocator: freed all at once when the code buffer is flushed. */
typedef struct jit_arena_chunk jit_arena_chunk;
typedef struct jit_arena {
    jit_arena_chunk *chunks;
    uint8_t *p, *end;
} jit_arena;

/* The dispatcher's own cache of blocks by (virtual pc, physical pc, context): unlike
 * the jump cache it survives TLB flushes, because it checks the physical pc. */
#define JIT_L2_BITS 12
typedef struct jit_l2_entry {
    uint64_t vpc, ppc;
    uint32_t flags;
    struct jit_block *b;
} jit_l2_entry;

typedef struct jit_hart {
    rv_cpu *c;
    _Atomic int in_code;             /* between lookup and return from translated code */
    jit_exit *last_exit;
    jit_l2_entry *l2;
    struct check_log *check;         /* the lockstep check's record (check.c) */
} jit_hart;

#define JIT_HASH_BITS 16
#define JIT_PAGE_HASH_BITS 12

struct jit {
    struct address_space *as;
    jit_options opt;
    pthread_mutex_t lock;            /* block cache, code buffer, linking */

    /* code buffer: one memfd mapped twice, writable and executable */
    uint8_t *rw, *rx;
    size_t size, used;
    ptrdiff_t rx_minus_rw;
    void (*enter)(void);             /* trampoline: (rv_cpu *, code) -> exit record */
    uint8_t *epilogue;               /* executable view */
    size_t code_start;               /* first byte after the trampolines */

    jit_arena arena;
    jit_block *htab[1u << JIT_HASH_BITS];
    jit_page *ptab[1u << JIT_PAGE_HASH_BITS];

    jit_hart harts[JIT_MAX_HARTS];
    unsigned nharts;
    _Atomic int flush_req;
    pthread_cond_t flush_done;

    bool has_lzcnt, has_bmi1, has_popcnt, has_fma;
    jit_stats stats;
    _Atomic bool debug;              /* breakpoints set: no linking, blocks end before them */
};

static inline uint8_t *jit_rw(jit *j, const uint8_t *rx) { return (uint8_t *)rx - j->rx_minus_rw; }
static inline uint8_t *jit_rx(jit *j, const uint8_t *rw) { return (uint8_t *)rw + j->rx_minus_rw; }

/* codebuf.c */
bool jit_codebuf_init(jit *j, size_t size, char *err, size_t errsize);
void jit_codebuf_free(jit *j);
/* Runs translated code at `code` (executable view); returns the exit record or NULL. */
jit_exit *jit_enter(jit *j, rv_cpu *c, const uint8_t *code);

/* arena */
void *jit_alloc(jit *j, size_t size);
void jit_arena_reset(jit *j);

/* cache.c (all with j->lock held) */
jit_block *jit_lookup(jit *j, uint64_t vpc, uint64_t ppc, uint32_t flags);
void jit_insert(jit *j, jit_block *b);
void jit_link(jit *j, jit_exit *e, jit_block *to);
void jit_flush_locked(jit *j);
void jit_code_written(void *opaque, uint64_t pa, uint64_t len);
/* Marks [ppc, ppc+len) (within one page) as translated code; if the page had none,
 * removes it from every hart's write TLB. */
void jit_protect_code(jit *j, uint64_t ppc, uint64_t len);

/* translate.c (with j->lock held). NULL with *full set if the code buffer is full;
 * NULL alone if the code there cannot be translated (the first instruction crosses
 * into the next page): the caller interprets it. */
jit_block *jit_translate(jit *j, uint64_t vpc, uint64_t ppc, const uint8_t *host,
                         uint32_t flags, bool *full);
void jit_log_block(jit *j, jit_block *b);     /* -d out_asm */

/* helpers.c: called from translated code */
typedef struct jit_pair { uint64_t val, fault; } jit_pair;
jit_pair jit_helper_load(rv_cpu *c, uint64_t va, uint64_t pc, unsigned kind);
uint64_t jit_helper_store(rv_cpu *c, uint64_t va, uint64_t val, uint64_t pc, unsigned kind);
typedef int (*jit_exec_fn)(rv_cpu *c, const rv_insn *d);
extern const jit_exec_fn jit_exec_table[RV_OP_COUNT + 1];
int jit_helper_exec_mem(rv_cpu *c, const rv_insn *d);
/* Folds the MXCSR flags of native FP code not yet in fflags into it (translate_fp.c). */
void jit_helper_fp_flags(rv_cpu *c, uint32_t mxcsr);
/* For the instructions that end a block: runs the handler and sets pc; returns
 * nonzero if the dispatcher must look at the hart (WFI, an interrupt now takeable). */
int jit_helper_end(rv_cpu *c, const rv_insn *d);
/* bumped whenever translations are dropped: a helper that sees it change after a
 * store leaves the block, which may be one of those dropped */
extern _Atomic uint64_t jit_inval_gen;

/* check.c */
bool jit_check_block(jit *j, jit_hart *h, jit_block *b);
void jit_check_free(jit_hart *h);

#endif
