/*
 * Control and status registers: access rules (privilege, read-only, counter enables,
 * TVM, FS), WARL legalisation, and the side effects of writes (TLB flushes, mode
 * changes, interrupt re-evaluation).
 */
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/fpu.h"
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

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_STIMECMP = 0x14d, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343, CSR_MIP = 0x344, CSR_MTINST = 0x34a, CSR_MTVAL2 = 0x34b,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPADDR0 = 0x3b0,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA3 = 0x7a3,
};

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

static uint64_t counter_value(rv_cpu *c, unsigned which)
{
    /* insn_count already includes the instruction reading the counter */
    uint64_t n = c->insn_count - 1;
    return which == 0 ? n + c->mcycle_off : n + c->minstret_off;
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

int rv_csr_access(rv_cpu *c, unsigned csr, uint64_t *oldp, uint64_t v, bool write)
{
    unsigned min_priv = (csr >> 8) & 3;
    if (c->priv < min_priv)
        return -1;
    if (write && (csr >> 10) == 3)
        return -1;
    uint64_t old = 0;

    /* floating point */
    if (csr >= CSR_FFLAGS && csr <= CSR_FCSR) {
        if ((c->mstatus & MSTATUS_FS) == 0)
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
    if (csr >= CSR_CYCLE && csr <= 0xc1f) {
        if (!counter_allowed(c, csr - CSR_CYCLE))
            return -1;
        if (csr == CSR_CYCLE)
            old = counter_value(c, 0);
        else if (csr == CSR_TIME)
            old = rv_input(c, c->env && c->env->read_time ? c->env->read_time(c->env->opaque) : 0);
        else if (csr == CSR_INSTRET)
            old = counter_value(c, 2);
        *oldp = old;
        return 0;
    }
    /* PMP */
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG0 + 15) {
        unsigned n = csr - CSR_PMPCFG0;
        if (n & 1)
            return -1;                         /* odd pmpcfg registers do not exist on RV64 */
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
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR0 + 63) {
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
    if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) {
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
        if (c->priv < PRV_M && (!(c->menvcfg & MENVCFG_STCE) || !(c->mcounteren & 2)))
            return -1;
        old = c->stimecmp;
        if (write) {
            c->stimecmp = v;
            if (c->env && c->env->stimecmp_changed)
                c->env->stimecmp_changed(c->env->opaque, c);
        }
        break;
    case CSR_SATP:
        if (c->priv == PRV_S && (c->mstatus & MSTATUS_TVM))
            return -1;
        old = c->satp;
        if (write) {
            unsigned mode = v >> 60;
            if (mode == 0 || mode == 8 || mode == 9 || mode == 10) {
                uint64_t n = v & ((15ull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
                if (mode == 0)
                    n = 0;
                if (n != c->satp)
                    rv_tlb_flush(c);
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
            c->mcountinhibit = v & 5;
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
        old = counter_value(c, 0);
        if (write)
            c->mcycle_off = v - c->insn_count;
        break;
    case CSR_MINSTRET:
        old = counter_value(c, 2);
        if (write)
            c->minstret_off = v - c->insn_count;
        break;
    case CSR_TSELECT:
        old = c->tselect;                      /* no triggers: one selectable, type 0 */
        break;
    case CSR_TDATA1: case CSR_TDATA1 + 1: case CSR_TDATA3:
        old = 0;
        break;
    default:
        return -1;
    }
    *oldp = old;
    return 0;
}

void rv_fflags_written(rv_cpu *c)
{
    fpu_host_flags_clear();
    c->fp_unseen = FPU_HOST_FLAG_BITS;
}
