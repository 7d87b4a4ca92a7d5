/*
 * The dynamic binary translator from RISC-V to x86-64: what the `jit` accelerator and
 * the tests use. One translator serves all harts of a machine (they share translated
 * code); each hart runs guest code with jit_run().
 */
#ifndef TERN_JIT_H
#define TERN_JIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct rv_cpu;
struct address_space;
typedef struct jit jit;

typedef struct jit_options {
    size_t code_size;        /* bytes of host code before a full flush (0: default) */
    bool check;              /* lockstep: run every block on both tiers and compare */
    bool no_chain;           /* never link blocks (every block returns to the dispatcher) */
    unsigned max_block;      /* guest instructions per block (0: default) */
} jit_options;

typedef struct jit_stats {
    uint64_t blocks_translated, guest_insns_translated, host_bytes;
    uint64_t flushes, invalidations, chains, interp_steps, check_blocks;
    uint64_t lookups, lookup_steps, jc_hits, dispatches;
    uint64_t exits_linkable, exits_why[8];    /* returns to the dispatcher, by reason */
} jit_stats;

/* One line of statistics, e.g. for -d jit and the monitor. */
void jit_format_stats(jit *j, char *buf, size_t size);

/* Whether this host can run translated code (x86-64 Linux). */
bool jit_supported(void);
/* NULL with a reason in err if the translator cannot start (e.g. no executable memory). */
jit *jit_create(struct address_space *as, const jit_options *opt, char *err, size_t errsize);
void jit_destroy(jit *j);
/* Harts must be added before they run; translated code is shared between them. */
void jit_add_hart(jit *j, struct rv_cpu *c);

/*
 * Runs hart c until it is kicked, enters WFI, or has retired at least `budget`
 * instructions (checked between blocks). In check mode a difference between the tiers
 * prints both states and returns false; otherwise returns true.
 */
bool jit_run(jit *j, struct rv_cpu *c, uint64_t budget);

/* Drop every translation (e.g. after the guest's memory was replaced). */
void jit_flush(jit *j);
/* Breakpoints set (or all gone): drop every block and translate for them from now on;
 * every hart must be outside translated code (parked). */
void jit_set_debug(jit *j, bool on);
void jit_get_stats(jit *j, jit_stats *s);

#endif
