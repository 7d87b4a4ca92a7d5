/*
 * Control and status registers: the table of them (csr.def) as data, access rules
 * (privilege, read-only, counter enables, TVM, FS), WARL legalisation, the side effects
 * of writes (TLB flushes, mode changes, interrupt re-evaluation), and a debugger's
 * access.
 */
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/csr.h"
#include "cpu/riscv/fpu.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
                       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
                       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | \
                      MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MIE_MASK 0xaaaull
#define DELEG_IRQ_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define DELEG_EXC_MASK 0xb3ffull
#define MENVCFG_STCE (1ull << 63)

/* ---- the table (csr.def) ---- */

/* A row of csr.def; a single CSR is a range of one member (lo = hi = 0). */
typedef struct csr_row {
    uint16_t base;
    uint8_t lo, hi;
    uint8_t priv, flags;
    bool range;
    uint16_t first;         /* index of its first member in infos[] */
    const char *name;       /* a range's: the prefix of its members' names */
} csr_row;

enum {
#define CSR(id, ...) ROW_##id,
#define CSR_RANGE(id, ...) ROW_##id,
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
    ROW_COUNT
};

/* Index of each row's first member in infos[], which holds every member in row order. */
enum {
#define CSR(id, ...) INFO_##id,
#define CSR_RANGE(id, base, lo, hi, ...) INFO_##id, INFO_##id##_LAST = INFO_##id + (hi) - (lo),
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
    INFO_COUNT
};

static const csr_row rows[ROW_COUNT] = {
#define CSR(id, num, name, priv, flags) \
    [ROW_##id] = { (num), 0, 0, PRV_##priv, (flags), false, INFO_##id, name },
#define CSR_RANGE(id, base, lo, hi, prefix, priv, flags) \
    [ROW_##id] = { (base), (lo), (hi), PRV_##priv, (flags), true, INFO_##id, prefix },
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
};

/* Number -> row + 1, for the checks every CSR instruction makes. Two rows claiming one
 * number would initialise an element twice, which -Woverride-init (in -Wextra) makes
 * a build error. */
static const uint8_t row_of[4096] = {
#define CSR(id, num, ...) [(num)] = ROW_##id + 1,
#define CSR_RANGE(id, base, lo, hi, ...) [(base) + (lo) ... (base) + (hi)] = ROW_##id + 1,
#include "cpu/riscv/csr.def"
#undef CSR
#undef CSR_RANGE
};
_Static_assert(ROW_COUNT < 256, "row_of[] holds row numbers in a byte");

static const csr_row *row_for(unsigned num)
{
    return num < 4096 && row_of[num] ? &rows[row_of[num] - 1] : NULL;
}

/* A member's flags: the row's, but for the odd members of an EVEN range (RV32's upper
 * halves), which are named and nothing more. */
static unsigned member_flags(const csr_row *r, unsigned num)
{
    unsigned f = r->flags & ~RV_CSR_EVEN;
    if ((r->flags & RV_CSR_EVEN) && ((num - r->base) & 1))
        f &= ~RV_CSR_IMPL;
    return f;
}

unsigned rv_csr_flags(unsigned num)
{
    const csr_row *r = row_for(num);
    return r ? member_flags(r, num) : 0;
}

/* Range members' names are made at first use; the table itself needs no start-up. */
static rv_csr_info infos[INFO_COUNT];
static char member_names[INFO_COUNT][16];
static rv_csr_info impl_list[INFO_COUNT];
static size_t impl_count;
static pthread_once_t infos_once = PTHREAD_ONCE_INIT;

static int by_number(const void *a, const void *b)
{
    return (int)((const rv_csr_info *)a)->num - (int)((const rv_csr_info *)b)->num;
}

static void infos_init(void)
{
    for (unsigned i = 0; i < ROW_COUNT; i++) {
        const csr_row *r = &rows[i];
        for (unsigned n = r->lo; n <= r->hi; n++) {
            unsigned k = r->first + n - r->lo, num = r->base + n;
            rv_csr_info *in = &infos[k];
            in->num = (uint16_t)num;
            in->priv = r->priv;
            in->flags = (uint8_t)member_flags(r, num);
            in->name = r->name;
            if (r->range) {
                snprintf(member_names[k], sizeof(member_names[k]), "%s%u", r->name, n);
                in->name = member_names[k];
            }
            if (in->flags & RV_CSR_IMPL)
                impl_list[impl_count++] = *in;
        }
    }
    /* csr.def is in number order, but the list must not depend on it */
    qsort(impl_list, impl_count, sizeof(impl_list[0]), by_number);
}

const rv_csr_info *rv_csr_info_find(unsigned num)
{
    const csr_row *r = row_for(num);
    if (!r)
        return NULL;
    pthread_once(&infos_once, infos_init);
    return &infos[r->first + (num - r->base) - r->lo];
}

const rv_csr_info *rv_csr_list(size_t *count)
{
    pthread_once(&infos_once, infos_init);
    *count = impl_count;
    return impl_list;
}

/* ---- access ---- */

static uint64_t sd_bit(uint64_t s)
{
    bool dirty = (s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_XS) == MSTATUS_XS;
    return dirty ? MSTATUS_SD : 0;
}

static uint64_t read_mstatus(rv_cpu *c)
{
    uint64_t s = c->mstatus & ~(MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL);
    return s | (2ull << 32) | (2ull << 34) | sd_bit(s);
}

static void write_mstatus(rv_cpu *c, uint64_t v, uint64_t mask)
{
    uint64_t old = c->mstatus;
    uint64_t n = (old & ~mask) | (v & mask);
    if (((n >> 11) & 3) == 2)                  /* MPP=2 (H) is not implemented: keep */
        n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    c->mstatus = n;
    if ((old ^ n) & MSTATUS_MXR)
        rv_tlb_flush(c);
    rv_mode_changed(c);
}

static void pmp_changed(rv_cpu *c)
{
    c->pmp_active = false;
    for (int i = 0; i < 16; i++)
        if (c->pmpcfg[i] & 0x18)
            c->pmp_active = true;
    rv_tlb_flush(c);
    rv_jc_flush(c, true);
}

static bool pmp_locked(rv_cpu *c, int i) { return c->pmpcfg[i] & 0x80; }

static uint64_t counter_value(rv_cpu *c, unsigned which, bool debug)
{
    /* insn_count already includes the instruction reading the counter; a debugger looks
     * between instructions and sees what the next one would read */
    uint64_t n = c->insn_count - (debug ? 0 : 1);
    /* an inhibited counter stands still: its offset then holds its value */
    if (c->mcountinhibit & (1u << which))
        return which == 0 ? c->mcycle_off : c->minstret_off;
    return which == 0 ? n + c->mcycle_off : n + c->minstret_off;
}

/* mcountinhibit's CY and IR bits: a counter stopped keeps its value; started again it
 * counts on from there (OpenSBI stops them, and Linux's SBI PMU driver starts them
 * only for a perf event, as on hardware and QEMU). */
static void set_countinhibit(rv_cpu *c, uint64_t v, bool debug)
{
    for (unsigned which = 0; which <= 2; which += 2) {
        uint64_t *off = which == 0 ? &c->mcycle_off : &c->minstret_off;
        bool was = c->mcountinhibit & (1u << which), now = v & (1u << which);
        if (!was && now)
            *off = counter_value(c, which, debug);
        else if (was && !now)
            *off -= c->insn_count - (debug ? 0 : 1);
    }
    c->mcountinhibit = v & 5;
}

/* Counter-enable rule for cycle/time/instret/hpmcounterN reads below M-mode. */
static bool counter_allowed(rv_cpu *c, unsigned idx)
{
    if (c->priv < PRV_M && !((c->mcounteren >> idx) & 1))
        return false;
    if (c->priv < PRV_S && !((c->scounteren >> idx) & 1))
        return false;
    return true;
}

/*
 * One access, as rv_csr_access() describes. `debug`: a debugger's, made as from M-mode
 * whatever the hart's privilege, and past the enables (FS, counter enables, TVM, STCE)
 * that would make it illegal; read-only CSRs stay read-only.
 */
static int csr_rw(rv_cpu *c, unsigned csr, uint64_t *oldp, uint64_t v, bool write, bool debug)
{
    /* which CSRs exist, their privilege and read-only ones: csr.def */
    const csr_row *r = row_for(csr);
    if (!r || !(member_flags(r, csr) & RV_CSR_IMPL))
        return -1;
    if (!debug && c->priv < r->priv)
        return -1;
    if (write && (r->flags & RV_CSR_RO))
        return -1;
    uint64_t old = 0;

    /* floating point */
    if (csr >= CSR_FFLAGS && csr <= CSR_FCSR) {
        if (!debug && (c->mstatus & MSTATUS_FS) == 0)
            return -1;
        old = csr == CSR_FFLAGS ? c->fflags : csr == CSR_FRM ? c->frm : (c->frm << 5) | c->fflags;
        if (write && csr != CSR_FRM)
            rv_fflags_written(c);
        if (write) {
            if (csr == CSR_FFLAGS)
                c->fflags = v & 31;
            else if (csr == CSR_FRM)
                c->frm = v & 7;
            else {
                c->fflags = v & 31;
                c->frm = (v >> 5) & 7;
            }
            c->mstatus |= MSTATUS_FS;
        }
        *oldp = old;
        return 0;
    }
    /* user counters */
    if (csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) {
        if (!debug && !counter_allowed(c, csr - CSR_CYCLE))
            return -1;
        if (csr == CSR_CYCLE)
            old = counter_value(c, 0, debug);
        else if (csr == CSR_TIME)
            old = rv_input(c, c->env && c->env->read_time ? c->env->read_time(c->env->opaque) : 0);
        else if (csr == CSR_INSTRET)
            old = counter_value(c, 2, debug);
        *oldp = old;
        return 0;
    }
    /* PMP */
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = csr - CSR_PMPCFG0;        /* even: the table refused RV32's odd ones */
        if (n >= 4) {                          /* entries 16..63 not implemented */
            *oldp = 0;
            return 0;
        }
        for (int b = 0; b < 8; b++)
            old |= (uint64_t)c->pmpcfg[n * 4 + b] << (8 * b);
        if (write) {
            for (int b = 0; b < 8; b++) {
                int i = n * 4 + b;
                if (pmp_locked(c, i))
                    continue;
                uint8_t cfg = (v >> (8 * b)) & 0x9f;
                if ((cfg & 3) == 2)            /* W without R is reserved */
                    cfg &= ~2;
                c->pmpcfg[i] = cfg;
            }
            pmp_changed(c);
        }
        *oldp = old;
        return 0;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned i = csr - CSR_PMPADDR0;
        if (i >= 16) {
            *oldp = 0;
            return 0;
        }
        old = c->pmpaddr[i];
        if (write && !pmp_locked(c, i) &&
            !(i < 15 && pmp_locked(c, i + 1) && ((c->pmpcfg[i + 1] >> 3) & 3) == 1)) {
            c->pmpaddr[i] = v & ((1ull << 54) - 1);
            pmp_changed(c);
        }
        *oldp = old;
        return 0;
    }
    /* machine counters and events */
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *oldp = 0;
        return 0;
    }

    switch (csr) {
    case CSR_SSTATUS:
        old = read_mstatus(c) & SSTATUS_MASK;
        if (write)
            write_mstatus(c, v, MSTATUS_WMASK & SSTATUS_MASK);
        break;
    case CSR_SIE:
        old = c->mie & c->mideleg;
        if (write)
            c->mie = (c->mie & ~c->mideleg) | (v & c->mideleg & MIE_MASK);
        break;
    case CSR_SIP:
        old = rv_cpu_pending_irqs(c) & c->mideleg;
        if (write)
            c->mip = (c->mip & ~(c->mideleg & MIP_SSIP)) | (v & c->mideleg & MIP_SSIP);
        break;
    case CSR_STVEC:
        old = c->stvec;
        if (write)
            c->stvec = v & ~2ull;
        break;
    case CSR_SCOUNTEREN:
        old = c->scounteren;
        if (write)
            c->scounteren = v & 0xffffffffull;
        break;
    case CSR_SENVCFG:
        old = c->senvcfg;
        if (write)
            c->senvcfg = v & 1;
        break;
    case CSR_SSCRATCH:
        old = c->sscratch;
        if (write)
            c->sscratch = v;
        break;
    case CSR_SEPC:
        old = c->sepc;
        if (write)
            c->sepc = v & ~1ull;
        break;
    case CSR_SCAUSE:
        old = c->scause;
        if (write)
            c->scause = v;
        break;
    case CSR_STVAL:
        old = c->stval;
        if (write)
            c->stval = v;
        break;
    case CSR_STIMECMP:
        if (!debug && c->priv < PRV_M && (!(c->menvcfg & MENVCFG_STCE) || !(c->mcounteren & 2)))
            return -1;
        old = c->stimecmp;
        if (write) {
            c->stimecmp = v;
            if (c->env && c->env->stimecmp_changed)
                c->env->stimecmp_changed(c->env->opaque, c);
        }
        break;
    case CSR_SATP:
        if (!debug && c->priv == PRV_S && (c->mstatus & MSTATUS_TVM))
            return -1;
        old = c->satp;
        if (write) {
            unsigned mode = v >> 60;
            if (mode == 0 || mode == 8 || mode == 9 || mode == 10) {
                uint64_t n = v & ((15ull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
                if (mode == 0)
                    n = 0;
                if (n != c->satp)
                    rv_satp_changed(c);
                c->satp = n;
            }
        }
        break;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        old = 0;
        break;
    case CSR_MHARTID:
        old = c->mhartid;
        break;
    case CSR_MSTATUS:
        old = read_mstatus(c);
        if (write)
            write_mstatus(c, v, MSTATUS_WMASK);
        break;
    case CSR_MISA:
        old = c->misa;                          /* WARL: the extensions are fixed */
        break;
    case CSR_MEDELEG:
        old = c->medeleg;
        if (write)
            c->medeleg = v & DELEG_EXC_MASK;
        break;
    case CSR_MIDELEG:
        old = c->mideleg;
        if (write)
            c->mideleg = v & DELEG_IRQ_MASK;
        break;
    case CSR_MIE:
        old = c->mie;
        if (write)
            c->mie = v & MIE_MASK;
        break;
    case CSR_MIP: {
        old = rv_cpu_pending_irqs(c);
        if (write) {
            uint64_t wmask = MIP_SSIP | MIP_SEIP;
            if (!(c->menvcfg & MENVCFG_STCE))
                wmask |= MIP_STIP;
            c->mip = (c->mip & ~wmask) | (v & wmask);
        }
        break;
    }
    case CSR_MTVEC:
        old = c->mtvec;
        if (write)
            c->mtvec = v & ~2ull;
        break;
    case CSR_MCOUNTEREN:
        old = c->mcounteren;
        if (write)
            c->mcounteren = v & 0xffffffffull;
        break;
    case CSR_MENVCFG:
        old = c->menvcfg;
        if (write) {
            c->menvcfg = v & (MENVCFG_STCE | 1);
            if (c->env && c->env->stimecmp_changed)
                c->env->stimecmp_changed(c->env->opaque, c);
        }
        break;
    case CSR_MCOUNTINHIBIT:
        old = c->mcountinhibit;
        if (write)
            set_countinhibit(c, v, debug);
        break;
    case CSR_MSCRATCH:
        old = c->mscratch;
        if (write)
            c->mscratch = v;
        break;
    case CSR_MEPC:
        old = c->mepc;
        if (write)
            c->mepc = v & ~1ull;
        break;
    case CSR_MCAUSE:
        old = c->mcause;
        if (write)
            c->mcause = v;
        break;
    case CSR_MTVAL:
        old = c->mtval;
        if (write)
            c->mtval = v;
        break;
    case CSR_MTINST: case CSR_MTVAL2:
        old = 0;
        break;
    case CSR_MCYCLE:
        old = counter_value(c, 0, debug);
        if (write)
            c->mcycle_off = (c->mcountinhibit & 1) ? v : v - c->insn_count;
        break;
    case CSR_MINSTRET:
        old = counter_value(c, 2, debug);
        if (write)
            c->minstret_off = (c->mcountinhibit & 4) ? v : v - c->insn_count;
        break;
    case CSR_TSELECT:
        old = c->tselect;                      /* no triggers: one selectable, type 0 */
        break;
    case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3:
        old = 0;
        break;
    default:
        return -1;
    }
    *oldp = old;
    return 0;
}

int rv_csr_access(rv_cpu *c, unsigned csr, uint64_t *oldp, uint64_t v, bool write)
{
    return csr_rw(c, csr, oldp, v, write, false);
}

bool rv_csr_debug_read(rv_cpu *c, unsigned csr, uint64_t *val)
{
    return csr_rw(c, csr, val, 0, false, true) == 0;
}

bool rv_csr_debug_write(rv_cpu *c, unsigned csr, uint64_t val)
{
    uint64_t old;
    return csr_rw(c, csr, &old, val, true, true) == 0;
}

void rv_fflags_written(rv_cpu *c)
{
    fpu_host_flags_clear();
    c->fp_unseen = FPU_HOST_FLAG_BITS;
}
