/*
 * A hart's architectural state for snapshots: what the ISA defines (registers, CSRs,
 * PMP, the LR/SC reservation, WFI) and nothing the host derives from it (TLBs, the
 * jump and decode caches, translated code), which rv_cpu_state_loaded() drops.
 */
#include "cpu/riscv/cpu.h"
#include "core/state.h"
#include <stdio.h>
#include <string.h>

static const state_field rv_fields[] = {
    STATE_ARRAY(rv_cpu, x), STATE_ARRAY(rv_cpu, f), STATE_FIELD(rv_cpu, pc),
    STATE_FIELD(rv_cpu, priv), STATE_FIELD(rv_cpu, fflags), STATE_FIELD(rv_cpu, frm),
    STATE_FIELD(rv_cpu, mstatus), STATE_FIELD(rv_cpu, misa), STATE_FIELD(rv_cpu, medeleg),
    STATE_FIELD(rv_cpu, mideleg), STATE_FIELD(rv_cpu, mie), STATE_FIELD(rv_cpu, mip),
    STATE_FIELD(rv_cpu, mtvec), STATE_FIELD(rv_cpu, mscratch), STATE_FIELD(rv_cpu, mepc),
    STATE_FIELD(rv_cpu, mcause), STATE_FIELD(rv_cpu, mtval), STATE_FIELD(rv_cpu, mcounteren),
    STATE_FIELD(rv_cpu, mcountinhibit), STATE_FIELD(rv_cpu, menvcfg),
    STATE_FIELD(rv_cpu, stvec), STATE_FIELD(rv_cpu, sscratch), STATE_FIELD(rv_cpu, sepc),
    STATE_FIELD(rv_cpu, scause), STATE_FIELD(rv_cpu, stval), STATE_FIELD(rv_cpu, satp),
    STATE_FIELD(rv_cpu, scounteren), STATE_FIELD(rv_cpu, senvcfg), STATE_FIELD(rv_cpu, stimecmp),
    STATE_FIELD(rv_cpu, mhartid), STATE_FIELD(rv_cpu, mconfigptr),
    STATE_ARRAY(rv_cpu, pmpcfg), STATE_ARRAY(rv_cpu, pmpaddr), STATE_FIELD(rv_cpu, tselect),
    STATE_FIELD(rv_cpu, insn_count), STATE_FIELD(rv_cpu, minstret_off),
    STATE_FIELD(rv_cpu, mcycle_off),
    STATE_FIELD(rv_cpu, resv_addr), STATE_FIELD(rv_cpu, resv_value), STATE_FIELD(rv_cpu, resv_valid),
    STATE_FIELD(rv_cpu, wfi), STATE_FIELD(rv_cpu, irq_lines),
};
const state_desc rv_cpu_state = STATE_DESC(1, rv_fields);

bool rv_cpu_state_valid(const rv_cpu *c, const rv_cpu *now, char *err, size_t errsize)
{
    const char *bad = NULL;
    unsigned satp_mode = (unsigned)(c->satp >> 60);
    if (c->priv != PRV_U && c->priv != PRV_S && c->priv != PRV_M)
        bad = "privilege mode";
    else if (c->frm > 7 || c->fflags > 0x1f)
        bad = "floating-point control";
    else if (c->misa != now->misa)
        bad = "misa (another set of extensions)";
    else if (satp_mode != 0 && satp_mode != 8 && satp_mode != 9 && satp_mode != 10)
        bad = "satp mode";
    else if (((c->mstatus & MSTATUS_MPP) >> 11) == 2)
        bad = "mstatus.MPP";
    if (bad) {
        snprintf(err, errsize, "hart %llu has an impossible %s", (unsigned long long)c->mhartid, bad);
        return false;
    }
    return true;
}

void rv_cpu_state_loaded(rv_cpu *c)
{
    c->x[32] = 0;
    c->pmp_active = false;
    for (int i = 0; i < 16; i++)
        if (c->pmpcfg[i] & 0x18)
            c->pmp_active = true;
    rv_fflags_written(c);
    for (unsigned i = 0; i < (1u << DCACHE_BITS); i++)
        c->dcache[i].pc = ~0ull;
    rv_tlb_flush(c);
    rv_jc_flush(c, true);
    rv_mode_changed(c);
    /* the Sstc timer follows stimecmp as loaded */
    if (c->env && c->env->stimecmp_changed)
        c->env->stimecmp_changed(c->env->opaque, c);
}
