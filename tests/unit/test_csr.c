/*
 * Tests of the CSR table (csr.def) and what is made from it: every row's name and
 * number round-trip through rv_csr_name() and rv_csr_info_find(), numbers are unique,
 * the privilege and read-only columns agree with the number's bits, the implemented
 * list is complete and in order, and the access code implements exactly the rows
 * marked implemented. Then a debugger's reads and writes on a hart.
 */
#include "core/memory.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/csr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#define CHECKN(num, cond) do { if (!(cond)) { printf("FAIL %s:%d: csr 0x%03x: %s\n", __FILE__, __LINE__, (num), #cond); failures++; } } while (0)

static unsigned seen[4096];
static size_t impl_members;

/* One member of a row: number, expected name, privilege and flags. */
static void check_member(unsigned num, const char *name, unsigned priv, unsigned flags)
{
    CHECKN(num, num < 4096);
    if (num >= 4096)
        return;
    CHECKN(num, ++seen[num] == 1);                          /* unique */
    const char *n = rv_csr_name(num);
    CHECKN(num, n && !strcmp(n, name));
    const rv_csr_info *i = rv_csr_info_find(num);
    CHECKN(num, i != NULL);
    if (!i)
        return;
    CHECKN(num, i->num == num && !strcmp(i->name, name));
    CHECKN(num, i->priv == priv && i->flags == flags);
    CHECKN(num, rv_csr_flags(num) == flags);
    /* the explicit columns say what the number's bits say */
    CHECKN(num, priv == ((num >> 8) & 3));
    if (flags & RV_CSR_IMPL) {
        CHECKN(num, !!(flags & RV_CSR_RO) == ((num >> 10) == 3));
        impl_members++;
    }
}

static void check_rows(void)
{
    unsigned prev = 0;
    bool first = true;
    char name[32];
    /* (csr.def defines its flag names, RW, RO, ..., itself) */
    /* rows are in number order, for readers of csr.def */
#define ORDER(num) do { CHECKN((unsigned)(num), first || (num) > prev); first = false; prev = (num); } while (0)
#define CSR(id, num, nm, priv, flags) \
    ORDER(num); check_member((num), nm, PRV_##priv, (flags)); CHECK(CSR_##id == (num));
#define CSR_RANGE(id, base, lo, hi, prefix, priv, flags) \
    ORDER((base) + (lo)); \
    CHECK(CSR_##id##lo == (base) + (lo) && CSR_##id##hi == (base) + (hi)); \
    for (unsigned n = (lo); n <= (hi); n++) { \
        snprintf(name, sizeof(name), "%s%u", prefix, n); \
        unsigned f = (flags) & ~RV_CSR_EVEN; \
        if (((flags) & RV_CSR_EVEN) && (n & 1)) \
            f &= ~RV_CSR_IMPL; \
        check_member((base) + n, name, PRV_##priv, f); \
    } \
    prev = (base) + (hi);
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
#undef ORDER
}

static void check_lookup(void)
{
    /* numbers no row names: no name, no info, no flags */
    static const unsigned unknown[] = { 0x000, 0x004, 0x101, 0x5c0, 0x7c0, 0x7bf, 0xc20, 0xfff,
                                        0x1000, 0x1300, ~0u };
    for (size_t k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
        unsigned num = unknown[k];
        CHECKN(num, rv_csr_name(num) == NULL && rv_csr_info_find(num) == NULL);
        CHECKN(num, rv_csr_flags(num) == 0);
    }
    /* the list: every implemented CSR once, in number order */
    size_t count;
    const rv_csr_info *l = rv_csr_list(&count);
    CHECK(count == impl_members);
    for (size_t k = 0; k < count; k++) {
        CHECKN(l[k].num, l[k].flags & RV_CSR_IMPL);
        CHECKN(l[k].num, k == 0 || l[k].num > l[k - 1].num);
        const rv_csr_info *i = rv_csr_info_find(l[k].num);
        CHECKN(l[k].num, i && !strcmp(i->name, l[k].name) && i->flags == l[k].flags);
    }
    CHECK(count && l[0].num == CSR_FFLAGS && l[count - 1].num == CSR_MCONFIGPTR);
    /* spot checks */
    CHECK(!strcmp(rv_csr_name(0x3a1), "pmpcfg1") && !(rv_csr_flags(0x3a1) & RV_CSR_IMPL));
    CHECK(!strcmp(rv_csr_name(0x3ef), "pmpaddr63") && (rv_csr_flags(0x3ef) & RV_CSR_IMPL));
    CHECK(!strcmp(rv_csr_name(0xc1f), "hpmcounter31") && (rv_csr_flags(0xc1f) & RV_CSR_RO));
    CHECK(!strcmp(rv_csr_name(0x323), "mhpmevent3"));
    CHECK(rv_csr_flags(CSR_MSTATUS) & RV_CSR_IRQ);
    CHECK(!(rv_csr_flags(CSR_MSCRATCH) & RV_CSR_IRQ));
    CHECK(rv_csr_flags(CSR_DCSR) == 0 && rv_csr_info_find(CSR_DCSR) != NULL);
}

static int stimecmp_calls;
static uint64_t fake_time(void *opaque) { return 12345; }
static void stimecmp_changed(void *opaque, rv_cpu *c) { stimecmp_calls++; }

static void set_priv(rv_cpu *c, unsigned priv)
{
    c->priv = priv;
    rv_mode_changed(c);
}

/* The access code implements exactly the rows marked implemented, at their privilege. */
static void check_access_agrees(rv_cpu *c)
{
    static const unsigned privs[] = { PRV_U, PRV_S, PRV_M };
    c->mstatus |= MSTATUS_FS;                  /* every enable on */
    c->mcounteren = c->scounteren = ~0u;
    c->menvcfg = 1ull << 63;
    for (unsigned num = 0; num < 4096; num++) {
        unsigned f = rv_csr_flags(num);
        const rv_csr_info *i = rv_csr_info_find(num);
        bool impl = f & RV_CSR_IMPL;
        for (size_t p = 0; p < 3; p++) {
            set_priv(c, privs[p]);
            uint64_t v;
            bool ok = rv_csr_access(c, num, &v, 0, false) == 0;
            CHECKN(num, ok == (impl && privs[p] >= i->priv));
        }
        uint64_t v;
        CHECKN(num, rv_csr_debug_read(c, num, &v) == impl);
    }
    set_priv(c, PRV_M);
}

static void check_debug_access(rv_cpu *c)
{
    uint64_t v = 0, old;

    /* mscratch, from U-mode: the hart's privilege does not matter */
    set_priv(c, PRV_U);
    CHECK(rv_csr_access(c, CSR_MSCRATCH, &old, 0, false) < 0);
    CHECK(rv_csr_debug_write(c, CSR_MSCRATCH, 0x1122334455667788ull));
    CHECK(rv_csr_debug_read(c, CSR_MSCRATCH, &v) && v == 0x1122334455667788ull);
    CHECK(c->mscratch == 0x1122334455667788ull && c->priv == PRV_U);

    /* satp: legalised as by csrw, TVM does not stop the debugger */
    set_priv(c, PRV_S);
    c->mstatus |= MSTATUS_TVM;
    CHECK(rv_csr_access(c, CSR_SATP, &old, 0, false) < 0);
    uint64_t sv39 = (8ull << 60) | (5ull << 44) | 0x80123ull;
    CHECK(rv_csr_debug_write(c, CSR_SATP, sv39));
    CHECK(rv_csr_debug_read(c, CSR_SATP, &v) && v == sv39);
    CHECK(rv_csr_debug_write(c, CSR_SATP, (5ull << 60) | 1));   /* reserved mode: ignored */
    CHECK(rv_csr_debug_read(c, CSR_SATP, &v) && v == sv39);
    c->mstatus &= ~MSTATUS_TVM;

    /* mstatus: MPRV with MPP=U makes M-mode loads and stores U-mode ones at once */
    set_priv(c, PRV_M);
    CHECK(rv_csr_debug_write(c, CSR_MSTATUS, MSTATUS_MPRV | MSTATUS_FS));
    CHECK(c->data_ctx == TLBCTX_U && c->fetch_ctx == TLBCTX_M);
    CHECK(rv_csr_debug_read(c, CSR_MSTATUS, &v));
    CHECK((v & MSTATUS_MPRV) && (v & MSTATUS_SD) && ((v >> 32) & 3) == 2);
    CHECK(rv_csr_debug_write(c, CSR_MSTATUS, 0));
    CHECK(c->data_ctx == TLBCTX_M);

    /* fflags with FS off: readable, and the write makes FS Dirty as csrw would */
    c->fflags = 0x5;
    CHECK(rv_csr_debug_read(c, CSR_FFLAGS, &v) && v == 0x5);
    CHECK(rv_csr_debug_write(c, CSR_FCSR, (2 << 5) | 0x3));
    CHECK(c->frm == 2 && c->fflags == 3 && (c->mstatus & MSTATUS_FS) == MSTATUS_FS);

    /* stimecmp below M-mode without STCE: the debugger still reaches it, and the
     * timer hears of the write */
    set_priv(c, PRV_S);
    c->menvcfg = 0;
    stimecmp_calls = 0;
    CHECK(rv_csr_debug_write(c, CSR_STIMECMP, 777));
    CHECK(c->stimecmp == 777 && stimecmp_calls == 1);

    /* counters: counter enables do not apply; a written value is what the next
     * instruction reads */
    set_priv(c, PRV_U);
    c->mcounteren = c->scounteren = 0;
    CHECK(rv_csr_debug_read(c, CSR_TIME, &v) && v == 12345);
    CHECK(rv_csr_debug_read(c, CSR_HPMCOUNTER3 + 4, &v) && v == 0);
    CHECK(rv_csr_debug_write(c, CSR_MINSTRET, 1000));
    CHECK(rv_csr_debug_read(c, CSR_MINSTRET, &v) && v == 1000);
    CHECK(rv_csr_debug_read(c, CSR_INSTRET, &v) && v == 1000);
    set_priv(c, PRV_M);
    c->insn_count++;                           /* as the interpreter, before executing */
    CHECK(rv_csr_access(c, CSR_MINSTRET, &v, 0, false) == 0 && v == 1000);

    /* read-only: readable, never written */
    CHECK(rv_csr_debug_read(c, CSR_MHARTID, &v) && v == 3);
    CHECK(!rv_csr_debug_write(c, CSR_MHARTID, 9));
    CHECK(c->mhartid == 3);
    CHECK(!rv_csr_debug_write(c, CSR_CYCLE, 9));

    /* not implemented: a named-only CSR, RV32's pmpcfg1, an unknown number */
    static const unsigned missing[] = { CSR_DCSR, CSR_TINFO, CSR_SCONTEXT, CSR_PMPCFG0 + 1,
                                        0x7c0, 0x1000 };
    for (size_t k = 0; k < sizeof(missing) / sizeof(missing[0]); k++) {
        v = 42;
        CHECKN(missing[k], !rv_csr_debug_read(c, missing[k], &v) && v == 42);
        CHECKN(missing[k], !rv_csr_debug_write(c, missing[k], 0));
    }

    /* PMP through the debugger: the hart's PMP state follows */
    CHECK(rv_csr_debug_write(c, CSR_PMPADDR0, ~0ull));
    CHECK(rv_csr_debug_write(c, CSR_PMPCFG0, 0x1f));
    CHECK(c->pmp_active && c->pmpcfg[0] == 0x1f);
}

int main(void)
{
    check_rows();
    check_lookup();

    static address_space as;
    as_init(&as);
    CHECK(as_add_ram(&as, "ram", 0x80000000ull, 1 << 20) != NULL);
    rv_cpu *c = aligned_alloc(64, (sizeof(rv_cpu) + 63) & ~(size_t)63);
    rv_hart_env env = { .read_time = fake_time, .stimecmp_changed = stimecmp_changed };
    rv_cpu_init(c, &as, 3);
    c->env = &env;
    check_access_agrees(c);

    rv_cpu_init(c, &as, 3);
    c->env = &env;
    check_debug_access(c);
    free(c);
    as_destroy(&as);

    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("test_csr: ok\n");
    return 0;
}
