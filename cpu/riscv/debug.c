/* Breakpoints and watchpoints for the debugger (see debug.h). */
#include "cpu/riscv/debug.h"
#include "cpu/riscv/cpu.h"
#include <stdatomic.h>

#define MAX_BP 64
#define MAX_WP 16

static uint64_t bps[MAX_BP];
static int nbp;
static struct { uint64_t addr, len; int kind; } wps[MAX_WP];
static int nwp;
static atomic_bool any;

static void update(void)
{
    atomic_store(&any, nbp > 0 || nwp > 0);
}

bool rv_dbg_any(void) { return atomic_load_explicit(&any, memory_order_relaxed); }
bool rv_dbg_any_watch(void) { return nwp > 0; }

bool rv_dbg_insert(int type, uint64_t addr, uint64_t len)
{
    if (type == 0 || type == 1) {
        for (int i = 0; i < nbp; i++)
            if (bps[i] == addr)
                return true;
        if (nbp == MAX_BP)
            return false;
        bps[nbp++] = addr;
    } else if (type >= 2 && type <= 4) {
        if (nwp == MAX_WP || !len || len > 4096 || addr + len < addr)
            return false;
        wps[nwp].addr = addr;
        wps[nwp].len = len;
        wps[nwp].kind = type == 2 ? RV_WATCH_WRITE : type == 3 ? RV_WATCH_READ : RV_WATCH_ACCESS;
        nwp++;
    } else {
        return false;
    }
    update();
    return true;
}

bool rv_dbg_remove(int type, uint64_t addr, uint64_t len)
{
    bool found = false;
    if (type == 0 || type == 1) {
        for (int i = 0; i < nbp; i++) {
            if (bps[i] == addr) {
                bps[i] = bps[--nbp];
                found = true;
                break;
            }
        }
    } else {
        int kind = type == 2 ? RV_WATCH_WRITE : type == 3 ? RV_WATCH_READ : RV_WATCH_ACCESS;
        for (int i = 0; i < nwp; i++) {
            if (wps[i].addr == addr && wps[i].len == len && wps[i].kind == kind) {
                wps[i] = wps[--nwp];
                found = true;
                break;
            }
        }
    }
    update();
    return found;
}

void rv_dbg_remove_all(void)
{
    nbp = nwp = 0;
    update();
}

bool rv_dbg_bp_at(uint64_t pc)
{
    for (int i = 0; i < nbp; i++)
        if (bps[i] == pc)
            return true;
    return false;
}

bool rv_dbg_bp_in(uint64_t pc, uint64_t len)
{
    for (int i = 0; i < nbp; i++)
        if (bps[i] >= pc && bps[i] - pc < len)
            return true;
    return false;
}

void rv_dbg_check_access(rv_cpu *c, uint64_t va, unsigned size, bool write)
{
    for (int i = 0; i < nwp; i++) {
        bool kind_ok = wps[i].kind == RV_WATCH_ACCESS || (write ? wps[i].kind == RV_WATCH_WRITE
                                                                 : wps[i].kind == RV_WATCH_READ);
        if (kind_ok && va < wps[i].addr + wps[i].len && wps[i].addr < va + size) {
            if (!c->dbg_hit_kind) {
                c->dbg_hit_kind = (uint8_t)wps[i].kind;
                c->dbg_hit_addr = wps[i].addr;
            }
            return;
        }
    }
}

void rv_dbg_sync_hart(rv_cpu *c)
{
    bool watch = nwp > 0;
    /* watched or not, TLB entries made under the other rule must go */
    if (watch != c->dbg_watch || watch)
        rv_tlb_flush(c);
    c->dbg_watch = watch;
    c->dbg_hit_kind = 0;
}
