/*
 * Instruction semantics: one handler per row of insn.def, exec_<id>(cpu, insn).
 * Included by the interpreter (where the handlers inline into the dispatch loop) and
 * by anything else that needs to execute single instructions, such as the translator's
 * fallback path. A handler returns RV_NEXT (fall through: the caller advances pc),
 * RV_JUMP (pc was set: branch taken or trap) or RV_EXIT (pc was set and machine state
 * changed in a way the run loop must look at: interrupts, privilege, translation).
 */
#ifndef TERN_RISCV_EXEC_H
#define TERN_RISCV_EXEC_H

#include "cpu/riscv/cpu.h"
#include "cpu/riscv/csr.h"
#include "cpu/riscv/fpu.h"
#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define EXEC(id) static inline __attribute__((always_inline)) int exec_##id(rv_cpu *c, const rv_insn *d)
#define X(r) (c->x[r])
#define RS1 X(d->rs1)
#define RS2 X(d->rs2)
#define RD X(d->rd)
#define IMM ((uint64_t)d->imm)

static inline int64_t sext32(uint64_t v) { return (int64_t)(int32_t)v; }

static inline int rv_illegal(rv_cpu *c, const rv_insn *d)
{
    return rv_raise(c, EXC_ILLEGAL, d->raw);
}

/* ---- memory access fast paths: inline TLB hit, else the slow path in mmu.c ---- */

static inline bool mem_load(rv_cpu *c, uint64_t va, unsigned size, uint64_t *v)
{
    const rv_tlb_entry *e = &c->tlb_cur_data->e[ACC_READ][rv_tlb_index(va)];
    if (likely(e->vpage == (va & ~0xfffull) && (va & 0xfff) <= 0x1000u - size)) {
        const void *p = (const void *)(uintptr_t)(va + e->addend);
        switch (size) {
        case 1: *v = *(const uint8_t *)p; break;
        case 2: { uint16_t t; memcpy(&t, p, 2); *v = t; break; }
        case 4: { uint32_t t; memcpy(&t, p, 4); *v = t; break; }
        default: memcpy(v, p, 8); break;
        }
        return true;
    }
    uint64_t tval;
    int exc = rv_load_slow(c, va, size, v, &tval);
    if (unlikely(exc)) {
        rv_raise(c, exc, tval);
        return false;
    }
    return true;
}

static inline bool mem_store(rv_cpu *c, uint64_t va, unsigned size, uint64_t v)
{
    const rv_tlb_entry *e = &c->tlb_cur_data->e[ACC_WRITE][rv_tlb_index(va)];
    if (likely(e->vpage == (va & ~0xfffull) && (va & 0xfff) <= 0x1000u - size)) {
        void *p = (void *)(uintptr_t)(va + e->addend);
        switch (size) {
        case 1: *(uint8_t *)p = (uint8_t)v; break;
        case 2: { uint16_t t = (uint16_t)v; memcpy(p, &t, 2); break; }
        case 4: { uint32_t t = (uint32_t)v; memcpy(p, &t, 4); break; }
        default: memcpy(p, &v, 8); break;
        }
        return true;
    }
    uint64_t tval;
    int exc = rv_store_slow(c, va, size, v, &tval);
    if (unlikely(exc)) {
        rv_raise(c, exc, tval);
        return false;
    }
    return true;
}

/* ---- RV64I ---- */

EXEC(lui)   { RD = IMM; return RV_NEXT; }
EXEC(auipc) { RD = c->pc + IMM; return RV_NEXT; }
EXEC(jal)   { uint64_t t = c->pc + IMM; RD = c->pc + d->len; c->pc = t; return RV_JUMP; }
EXEC(jalr)  { uint64_t t = (RS1 + IMM) & ~1ull; RD = c->pc + d->len; c->pc = t; return RV_JUMP; }

#define BRANCH(id, cond) \
    EXEC(id) { if (cond) { c->pc += IMM; return RV_JUMP; } return RV_NEXT; }
BRANCH(beq, RS1 == RS2)
BRANCH(bne, RS1 != RS2)
BRANCH(blt, (int64_t)RS1 < (int64_t)RS2)
BRANCH(bge, (int64_t)RS1 >= (int64_t)RS2)
BRANCH(bltu, RS1 < RS2)
BRANCH(bgeu, RS1 >= RS2)

#define LOAD(id, size, conv) \
    EXEC(id) { uint64_t v; if (unlikely(!mem_load(c, RS1 + IMM, size, &v))) return RV_JUMP; \
               RD = (uint64_t)(conv); return RV_NEXT; }
LOAD(lb, 1, (int8_t)v)
LOAD(lh, 2, (int16_t)v)
LOAD(lw, 4, (int32_t)v)
LOAD(ld, 8, v)
LOAD(lbu, 1, v)
LOAD(lhu, 2, v)
LOAD(lwu, 4, v)

#define STORE(id, size) \
    EXEC(id) { return mem_store(c, RS1 + IMM, size, RS2) ? RV_NEXT : RV_JUMP; }
STORE(sb, 1)
STORE(sh, 2)
STORE(sw, 4)
STORE(sd, 8)

EXEC(addi)  { RD = RS1 + IMM; return RV_NEXT; }
EXEC(slti)  { RD = (int64_t)RS1 < d->imm; return RV_NEXT; }
EXEC(sltiu) { RD = RS1 < IMM; return RV_NEXT; }
EXEC(xori)  { RD = RS1 ^ IMM; return RV_NEXT; }
EXEC(ori)   { RD = RS1 | IMM; return RV_NEXT; }
EXEC(andi)  { RD = RS1 & IMM; return RV_NEXT; }
EXEC(slli)  { RD = RS1 << d->imm; return RV_NEXT; }
EXEC(srli)  { RD = RS1 >> d->imm; return RV_NEXT; }
EXEC(srai)  { RD = (uint64_t)((int64_t)RS1 >> d->imm); return RV_NEXT; }
EXEC(add)   { RD = RS1 + RS2; return RV_NEXT; }
EXEC(sub)   { RD = RS1 - RS2; return RV_NEXT; }
EXEC(sll)   { RD = RS1 << (RS2 & 63); return RV_NEXT; }
EXEC(slt)   { RD = (int64_t)RS1 < (int64_t)RS2; return RV_NEXT; }
EXEC(sltu)  { RD = RS1 < RS2; return RV_NEXT; }
EXEC(xor)   { RD = RS1 ^ RS2; return RV_NEXT; }
EXEC(srl)   { RD = RS1 >> (RS2 & 63); return RV_NEXT; }
EXEC(sra)   { RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); return RV_NEXT; }
EXEC(or)    { RD = RS1 | RS2; return RV_NEXT; }
EXEC(and)   { RD = RS1 & RS2; return RV_NEXT; }
EXEC(addiw) { RD = sext32(RS1 + IMM); return RV_NEXT; }
EXEC(slliw) { RD = sext32((uint32_t)RS1 << d->imm); return RV_NEXT; }
EXEC(srliw) { RD = sext32((uint32_t)RS1 >> d->imm); return RV_NEXT; }
EXEC(sraiw) { RD = (uint64_t)(int64_t)((int32_t)RS1 >> d->imm); return RV_NEXT; }
EXEC(addw)  { RD = sext32(RS1 + RS2); return RV_NEXT; }
EXEC(subw)  { RD = sext32(RS1 - RS2); return RV_NEXT; }
EXEC(sllw)  { RD = sext32((uint32_t)RS1 << (RS2 & 31)); return RV_NEXT; }
EXEC(srlw)  { RD = sext32((uint32_t)RS1 >> (RS2 & 31)); return RV_NEXT; }
EXEC(sraw)  { RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); return RV_NEXT; }
EXEC(fence)
{
    if (rv_fence_needs_barrier(d->imm))
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return RV_NEXT;
}
/* The decoded-instruction cache checks instruction bits on every hit, so stale code is
 * never run; fence.i still ends the block so a translator can drop its translations. */
EXEC(fence_i) { c->pc += d->len; return RV_EXIT; }

/* ---- system ---- */

EXEC(ecall)
{
    static const uint8_t cause[4] = { EXC_ECALL_U, EXC_ECALL_S, 0, EXC_ECALL_M };
    return rv_raise(c, cause[c->priv], 0);
}
/* A semihosting call is this ebreak between `slli x0, x0, 0x1f` and `srai x0, x0, 7`,
 * all three uncompressed and on one page (so reading them cannot fault), made in M or
 * S mode: QEMU's rule. Once handled it completes as any instruction (the srai runs as
 * a no-op); anything else is a breakpoint. */
EXEC(ebreak)
{
    if (unlikely(c->env && c->env->semihost) && d->len == 4 && c->priv != PRV_U &&
        ((c->pc - 4) >> 12) == ((c->pc + 4) >> 12)) {
        uint32_t pre = 0, post = 0;
        if (rv_debug_access(c, c->pc - 4, &pre, 4, false) && pre == 0x01f01013 &&
            rv_debug_access(c, c->pc + 4, &post, 4, false) && post == 0x40705013 &&
            c->env->semihost(c->env->opaque, c))
            return RV_NEXT;
    }
    return rv_raise(c, EXC_BREAKPOINT, c->pc);
}
EXEC(mret)
{
    if (c->priv != PRV_M)
        return rv_illegal(c, d);
    return rv_exec_mret(c);
}
EXEC(sret)
{
    if (c->priv == PRV_U || (c->priv == PRV_S && (c->mstatus & MSTATUS_TSR)))
        return rv_illegal(c, d);
    return rv_exec_sret(c);
}
EXEC(wfi)
{
    if (c->priv == PRV_U || (c->priv == PRV_S && (c->mstatus & MSTATUS_TW)))
        return rv_illegal(c, d);
    c->pc += d->len;
    if (!(rv_cpu_pending_irqs(c) & c->mie))
        c->wfi = true;
    return RV_EXIT;
}
EXEC(sfence_vma)
{
    if (c->priv == PRV_U || (c->priv == PRV_S && (c->mstatus & MSTATUS_TVM)))
        return rv_illegal(c, d);
    if (d->rs1)
        rv_tlb_flush_page(c, X(d->rs1));
    else
        rv_tlb_flush(c);
    c->pc += d->len;
    return RV_EXIT;
}

static inline int csr_op(rv_cpu *c, const rv_insn *d, int kind, uint64_t src, bool src_zero)
{
    unsigned csr = (unsigned)d->imm;
    uint64_t old;
    bool write = kind == 0 || !src_zero;
    /* read first to learn the old value; legality is decided by the access itself */
    if (rv_csr_access(c, csr, &old, 0, false) < 0)
        return rv_illegal(c, d);
    if (write) {
        /* CSRRS/CSRRC on mip/sip modify only the software-writable bits: the lines from
         * the interrupt controllers (e.g. SEIP) must not be latched into them */
        uint64_t base = old;
        if (kind != 0 && (csr == CSR_MIP || csr == CSR_SIP))
            base = c->mip & (csr == CSR_SIP ? c->mideleg : ~0ull);
        uint64_t n = kind == 0 ? src : kind == 1 ? (base | src) : (base & ~src);
        uint64_t ignored;
        if (rv_csr_access(c, csr, &ignored, n, true) < 0)
            return rv_illegal(c, d);
    }
    RD = old;
    c->pc += d->len;
    return write ? RV_EXIT : RV_JUMP;
}
EXEC(csrrw)  { return csr_op(c, d, 0, RS1, false); }
EXEC(csrrs)  { return csr_op(c, d, 1, RS1, d->rs1 == 0); }
EXEC(csrrc)  { return csr_op(c, d, 2, RS1, d->rs1 == 0); }
EXEC(csrrwi) { return csr_op(c, d, 0, d->rs1, false); }
EXEC(csrrsi) { return csr_op(c, d, 1, d->rs1, d->rs1 == 0); }
EXEC(csrrci) { return csr_op(c, d, 2, d->rs1, d->rs1 == 0); }

/* ---- M ---- */

EXEC(mul)    { RD = RS1 * RS2; return RV_NEXT; }
EXEC(mulh)   { RD = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)(int64_t)RS2) >> 64); return RV_NEXT; }
EXEC(mulhsu) { RD = (uint64_t)(((__int128)(int64_t)RS1 * (unsigned __int128)RS2) >> 64); return RV_NEXT; }
EXEC(mulhu)  { RD = (uint64_t)(((unsigned __int128)RS1 * RS2) >> 64); return RV_NEXT; }
EXEC(div)
{
    int64_t a = (int64_t)RS1, b = (int64_t)RS2;
    RD = b == 0 ? ~0ull : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
    return RV_NEXT;
}
EXEC(divu) { uint64_t b = RS2; RD = b ? RS1 / b : ~0ull; return RV_NEXT; }
EXEC(rem)
{
    int64_t a = (int64_t)RS1, b = (int64_t)RS2;
    RD = b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
    return RV_NEXT;
}
EXEC(remu) { uint64_t b = RS2; RD = b ? RS1 % b : RS1; return RV_NEXT; }
EXEC(mulw) { RD = sext32(RS1 * RS2); return RV_NEXT; }
EXEC(divw)
{
    int32_t a = (int32_t)RS1, b = (int32_t)RS2;
    RD = (uint64_t)(int64_t)(b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b);
    return RV_NEXT;
}
EXEC(divuw)
{
    uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
    RD = sext32(b ? a / b : ~0u);
    return RV_NEXT;
}
EXEC(remw)
{
    int32_t a = (int32_t)RS1, b = (int32_t)RS2;
    RD = (uint64_t)(int64_t)(b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b);
    return RV_NEXT;
}
EXEC(remuw)
{
    uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
    RD = sext32(b ? a % b : a);
    return RV_NEXT;
}

/* ---- A ---- */

static inline int lr_op(rv_cpu *c, const rv_insn *d, unsigned size)
{
    uint64_t va = RS1, v;
    if (va & (size - 1))
        return rv_raise(c, EXC_LOAD_MISALIGNED, va);
    if (!mem_load(c, va, size, &v))
        return RV_JUMP;
    c->resv_addr = va;
    c->resv_value = v;
    c->resv_valid = true;
    RD = size == 4 ? (uint64_t)sext32(v) : v;
    return RV_NEXT;
}

static inline int sc_op(rv_cpu *c, const rv_insn *d, unsigned size)
{
    uint64_t va = RS1;
    if (va & (size - 1))
        return rv_raise(c, EXC_STORE_MISALIGNED, va);
    if (!c->resv_valid || c->resv_addr != va) {
        c->resv_valid = false;
        RD = 1;
        return RV_NEXT;
    }
    c->resv_valid = false;
    /* Other harts' stores must break the reservation: the store happens only if memory
     * still holds what LR read (a compare-and-swap, as QEMU does). */
    void *host;
    uint64_t tval;
    int exc = rv_amo_ptr(c, va, size, &host, &tval);
    if (unlikely(exc))
        return rv_raise(c, exc, tval);
    bool ok;
    if (size == 4) {
        uint32_t expect = (uint32_t)c->resv_value;
        ok = __atomic_compare_exchange_n((uint32_t *)host, &expect, (uint32_t)RS2, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    } else {
        uint64_t expect = c->resv_value;
        ok = __atomic_compare_exchange_n((uint64_t *)host, &expect, RS2, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    if (ok)
        rv_amo_written(c, size);
    RD = ok ? 0 : 1;
    return RV_NEXT;
}

EXEC(lr_w) { return lr_op(c, d, 4); }
EXEC(lr_d) { return lr_op(c, d, 8); }
EXEC(sc_w) { return sc_op(c, d, 4); }
EXEC(sc_d) { return sc_op(c, d, 8); }

#define AMO(id, size, T, expr) \
    EXEC(id) { \
        void *host; uint64_t tval; \
        int exc = rv_amo_ptr(c, RS1, size, &host, &tval); \
        if (unlikely(exc)) return rv_raise(c, exc, tval); \
        T *p = host, b = (T)RS2, a = __atomic_load_n(p, __ATOMIC_SEQ_CST), n; \
        do { n = (expr); } while (!__atomic_compare_exchange_n(p, &a, n, false, \
                                 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)); \
        rv_amo_written(c, size); \
        RD = size == 4 ? (uint64_t)sext32(a) : (uint64_t)a; \
        return RV_NEXT; }
AMO(amoswap_w, 4, uint32_t, b)
AMO(amoadd_w, 4, uint32_t, a + b)
AMO(amoxor_w, 4, uint32_t, a ^ b)
AMO(amoand_w, 4, uint32_t, a & b)
AMO(amoor_w, 4, uint32_t, a | b)
AMO(amomin_w, 4, uint32_t, (int32_t)a < (int32_t)b ? a : b)
AMO(amomax_w, 4, uint32_t, (int32_t)a > (int32_t)b ? a : b)
AMO(amominu_w, 4, uint32_t, a < b ? a : b)
AMO(amomaxu_w, 4, uint32_t, a > b ? a : b)
AMO(amoswap_d, 8, uint64_t, b)
AMO(amoadd_d, 8, uint64_t, a + b)
AMO(amoxor_d, 8, uint64_t, a ^ b)
AMO(amoand_d, 8, uint64_t, a & b)
AMO(amoor_d, 8, uint64_t, a | b)
AMO(amomin_d, 8, uint64_t, (int64_t)a < (int64_t)b ? a : b)
AMO(amomax_d, 8, uint64_t, (int64_t)a > (int64_t)b ? a : b)
AMO(amominu_d, 8, uint64_t, a < b ? a : b)
AMO(amomaxu_d, 8, uint64_t, a > b ? a : b)

/* ---- F and D ---- */

/* FS=Off makes every FP instruction illegal. */
#define FP_CHECK() do { if (unlikely(!(c->mstatus & MSTATUS_FS))) return rv_illegal(c, d); } while (0)
/* Resolve the rounding mode; reserved values (5, 6, or dyn with frm >= 5) are illegal. */
#define FP_RM(var) unsigned var = d->rm == 7 ? c->frm : d->rm; \
    if (unlikely(var >= 5)) return rv_illegal(c, d)
#define FP_DIRTY() (c->mstatus |= MSTATUS_FS)
#define F64(r) (c->f[r])
#define F32(r) fpu_unbox32(c->f[r])
#define SET_F64(v) do { c->f[d->rd] = (v); FP_DIRTY(); } while (0)
#define SET_F32(v) do { c->f[d->rd] = fpu_box32(v); FP_DIRTY(); } while (0)
/* FP state changes (and FS becomes Dirty) only if a flag is new */
#define FLAGS(fl) do { if ((fl) & ~c->fflags) { c->fflags |= (fl); FP_DIRTY(); } } while (0)

EXEC(flw)
{
    FP_CHECK();
    uint64_t v;
    if (!mem_load(c, RS1 + IMM, 4, &v))
        return RV_JUMP;
    SET_F32((uint32_t)v);
    return RV_NEXT;
}
EXEC(fld)
{
    FP_CHECK();
    uint64_t v;
    if (!mem_load(c, RS1 + IMM, 8, &v))
        return RV_JUMP;
    SET_F64(v);
    return RV_NEXT;
}
EXEC(fsw) { FP_CHECK(); return mem_store(c, RS1 + IMM, 4, (uint32_t)c->f[d->rs2]) ? RV_NEXT : RV_JUMP; }
EXEC(fsd) { FP_CHECK(); return mem_store(c, RS1 + IMM, 8, c->f[d->rs2]) ? RV_NEXT : RV_JUMP; }

#define FOP3(id, W, fn) \
    EXEC(id) { FP_CHECK(); FP_RM(rm); uint32_t fl = 0; \
               uint##W##_t r = fn(F##W(d->rs1), F##W(d->rs2), F##W(d->rs3), rm, &fl); \
               SET_F##W(r); FLAGS(fl); return RV_NEXT; }
#define FOP2(id, W, fn) \
    EXEC(id) { FP_CHECK(); FP_RM(rm); uint32_t fl = 0; \
               uint##W##_t r = fn(F##W(d->rs1), F##W(d->rs2), rm, &fl); \
               SET_F##W(r); FLAGS(fl); return RV_NEXT; }
#define FOP2NR(id, W, fn) \
    EXEC(id) { FP_CHECK(); uint32_t fl = 0; \
               uint##W##_t r = fn(F##W(d->rs1), F##W(d->rs2), &fl); \
               SET_F##W(r); FLAGS(fl); return RV_NEXT; }
#define FCMP(id, W, fn) \
    EXEC(id) { FP_CHECK(); uint32_t fl = 0; \
               RD = fn(F##W(d->rs1), F##W(d->rs2), &fl) ? 1 : 0; FLAGS(fl); return RV_NEXT; }
#define FTOI(id, W, fn) \
    EXEC(id) { FP_CHECK(); FP_RM(rm); uint32_t fl = 0; \
               RD = (uint64_t)fn(F##W(d->rs1), rm, &fl); FLAGS(fl); return RV_NEXT; }
#define ITOF(id, W, fn, T) \
    EXEC(id) { FP_CHECK(); FP_RM(rm); uint32_t fl = 0; \
               uint##W##_t r = fn((T)RS1, rm, &fl); SET_F##W(r); FLAGS(fl); return RV_NEXT; }

FOP3(fmadd_s, 32, f32_fmadd)
FOP3(fmsub_s, 32, f32_fmsub)
FOP3(fnmsub_s, 32, f32_fnmsub)
FOP3(fnmadd_s, 32, f32_fnmadd)
FOP2(fadd_s, 32, f32_add)
FOP2(fsub_s, 32, f32_sub)
FOP2(fmul_s, 32, f32_mul)
FOP2(fdiv_s, 32, f32_div)
EXEC(fsqrt_s)
{
    FP_CHECK(); FP_RM(rm); uint32_t fl = 0;
    uint32_t r = f32_sqrt(F32(d->rs1), rm, &fl);
    SET_F32(r); FLAGS(fl); return RV_NEXT;
}
EXEC(fsgnj_s)  { FP_CHECK(); SET_F32((F32(d->rs1) & 0x7fffffffu) | (F32(d->rs2) & 0x80000000u)); return RV_NEXT; }
EXEC(fsgnjn_s) { FP_CHECK(); SET_F32((F32(d->rs1) & 0x7fffffffu) | (~F32(d->rs2) & 0x80000000u)); return RV_NEXT; }
EXEC(fsgnjx_s) { FP_CHECK(); SET_F32(F32(d->rs1) ^ (F32(d->rs2) & 0x80000000u)); return RV_NEXT; }
FOP2NR(fmin_s, 32, f32_min)
FOP2NR(fmax_s, 32, f32_max)
FTOI(fcvt_w_s, 32, f32_to_i32)
FTOI(fcvt_wu_s, 32, f32_to_u32)
FTOI(fcvt_l_s, 32, f32_to_i64)
FTOI(fcvt_lu_s, 32, f32_to_u64)
EXEC(fmv_x_w)  { FP_CHECK(); RD = (uint64_t)sext32(c->f[d->rs1]); return RV_NEXT; }
FCMP(feq_s, 32, f32_eq)
FCMP(flt_s, 32, f32_lt)
FCMP(fle_s, 32, f32_le)
EXEC(fclass_s) { FP_CHECK(); RD = f32_classify(F32(d->rs1)); return RV_NEXT; }
ITOF(fcvt_s_w, 32, i32_to_f32, int32_t)
ITOF(fcvt_s_wu, 32, u32_to_f32, uint32_t)
ITOF(fcvt_s_l, 32, i64_to_f32, int64_t)
ITOF(fcvt_s_lu, 32, u64_to_f32, uint64_t)
EXEC(fmv_w_x)  { FP_CHECK(); SET_F32((uint32_t)RS1); return RV_NEXT; }

FOP3(fmadd_d, 64, f64_fmadd)
FOP3(fmsub_d, 64, f64_fmsub)
FOP3(fnmsub_d, 64, f64_fnmsub)
FOP3(fnmadd_d, 64, f64_fnmadd)
FOP2(fadd_d, 64, f64_add)
FOP2(fsub_d, 64, f64_sub)
FOP2(fmul_d, 64, f64_mul)
FOP2(fdiv_d, 64, f64_div)
EXEC(fsqrt_d)
{
    FP_CHECK(); FP_RM(rm); uint32_t fl = 0;
    uint64_t r = f64_sqrt(F64(d->rs1), rm, &fl);
    SET_F64(r); FLAGS(fl); return RV_NEXT;
}
EXEC(fsgnj_d)  { FP_CHECK(); SET_F64((F64(d->rs1) & ~(1ull << 63)) | (F64(d->rs2) & (1ull << 63))); return RV_NEXT; }
EXEC(fsgnjn_d) { FP_CHECK(); SET_F64((F64(d->rs1) & ~(1ull << 63)) | (~F64(d->rs2) & (1ull << 63))); return RV_NEXT; }
EXEC(fsgnjx_d) { FP_CHECK(); SET_F64(F64(d->rs1) ^ (F64(d->rs2) & (1ull << 63))); return RV_NEXT; }
FOP2NR(fmin_d, 64, f64_min)
FOP2NR(fmax_d, 64, f64_max)
EXEC(fcvt_s_d)
{
    FP_CHECK(); FP_RM(rm); uint32_t fl = 0;
    uint32_t r = f64_to_f32(F64(d->rs1), rm, &fl);
    SET_F32(r); FLAGS(fl); return RV_NEXT;
}
EXEC(fcvt_d_s)
{
    FP_CHECK(); FP_RM(rm); (void)rm; uint32_t fl = 0;
    uint64_t r = f32_to_f64(F32(d->rs1), &fl);
    SET_F64(r); FLAGS(fl); return RV_NEXT;
}
FCMP(feq_d, 64, f64_eq)
FCMP(flt_d, 64, f64_lt)
FCMP(fle_d, 64, f64_le)
EXEC(fclass_d) { FP_CHECK(); RD = f64_classify(F64(d->rs1)); return RV_NEXT; }
FTOI(fcvt_w_d, 64, f64_to_i32)
FTOI(fcvt_wu_d, 64, f64_to_u32)
FTOI(fcvt_l_d, 64, f64_to_i64)
FTOI(fcvt_lu_d, 64, f64_to_u64)
ITOF(fcvt_d_w, 64, i32_to_f64, int32_t)
ITOF(fcvt_d_wu, 64, u32_to_f64, uint32_t)
ITOF(fcvt_d_l, 64, i64_to_f64, int64_t)
ITOF(fcvt_d_lu, 64, u64_to_f64, uint64_t)
EXEC(fmv_x_d) { FP_CHECK(); RD = c->f[d->rs1]; return RV_NEXT; }
EXEC(fmv_d_x) { FP_CHECK(); SET_F64(RS1); return RV_NEXT; }

/* ---- Zba ---- */

EXEC(add_uw)    { RD = (RS1 & 0xffffffffull) + RS2; return RV_NEXT; }
EXEC(sh1add)    { RD = (RS1 << 1) + RS2; return RV_NEXT; }
EXEC(sh2add)    { RD = (RS1 << 2) + RS2; return RV_NEXT; }
EXEC(sh3add)    { RD = (RS1 << 3) + RS2; return RV_NEXT; }
EXEC(sh1add_uw) { RD = ((RS1 & 0xffffffffull) << 1) + RS2; return RV_NEXT; }
EXEC(sh2add_uw) { RD = ((RS1 & 0xffffffffull) << 2) + RS2; return RV_NEXT; }
EXEC(sh3add_uw) { RD = ((RS1 & 0xffffffffull) << 3) + RS2; return RV_NEXT; }
EXEC(slli_uw)   { RD = (RS1 & 0xffffffffull) << d->imm; return RV_NEXT; }

/* ---- Zbb ---- */

static inline uint64_t rol64(uint64_t v, unsigned n) { n &= 63; return n ? (v << n) | (v >> (64 - n)) : v; }
static inline uint64_t ror64(uint64_t v, unsigned n) { n &= 63; return n ? (v >> n) | (v << (64 - n)) : v; }
static inline uint32_t rol32(uint32_t v, unsigned n) { n &= 31; return n ? (v << n) | (v >> (32 - n)) : v; }
static inline uint32_t ror32(uint32_t v, unsigned n) { n &= 31; return n ? (v >> n) | (v << (32 - n)) : v; }

EXEC(andn)   { RD = RS1 & ~RS2; return RV_NEXT; }
EXEC(orn)    { RD = RS1 | ~RS2; return RV_NEXT; }
EXEC(xnor)   { RD = ~(RS1 ^ RS2); return RV_NEXT; }
EXEC(clz)    { uint64_t v = RS1; RD = v ? (uint64_t)__builtin_clzll(v) : 64; return RV_NEXT; }
EXEC(ctz)    { uint64_t v = RS1; RD = v ? (uint64_t)__builtin_ctzll(v) : 64; return RV_NEXT; }
EXEC(cpop)   { RD = (uint64_t)__builtin_popcountll(RS1); return RV_NEXT; }
EXEC(clzw)   { uint32_t v = (uint32_t)RS1; RD = v ? (uint64_t)__builtin_clz(v) : 32; return RV_NEXT; }
EXEC(ctzw)   { uint32_t v = (uint32_t)RS1; RD = v ? (uint64_t)__builtin_ctz(v) : 32; return RV_NEXT; }
EXEC(cpopw)  { RD = (uint64_t)__builtin_popcount((uint32_t)RS1); return RV_NEXT; }
EXEC(max)    { RD = (int64_t)RS1 > (int64_t)RS2 ? RS1 : RS2; return RV_NEXT; }
EXEC(maxu)   { RD = RS1 > RS2 ? RS1 : RS2; return RV_NEXT; }
EXEC(min)    { RD = (int64_t)RS1 < (int64_t)RS2 ? RS1 : RS2; return RV_NEXT; }
EXEC(minu)   { RD = RS1 < RS2 ? RS1 : RS2; return RV_NEXT; }
EXEC(sext_b) { RD = (uint64_t)(int64_t)(int8_t)RS1; return RV_NEXT; }
EXEC(sext_h) { RD = (uint64_t)(int64_t)(int16_t)RS1; return RV_NEXT; }
EXEC(zext_h) { RD = RS1 & 0xffff; return RV_NEXT; }
EXEC(rol)    { RD = rol64(RS1, (unsigned)RS2); return RV_NEXT; }
EXEC(ror)    { RD = ror64(RS1, (unsigned)RS2); return RV_NEXT; }
EXEC(rolw)   { RD = sext32(rol32((uint32_t)RS1, (unsigned)RS2)); return RV_NEXT; }
EXEC(rorw)   { RD = sext32(ror32((uint32_t)RS1, (unsigned)RS2)); return RV_NEXT; }
EXEC(rori)   { RD = ror64(RS1, (unsigned)d->imm); return RV_NEXT; }
EXEC(roriw)  { RD = sext32(ror32((uint32_t)RS1, (unsigned)d->imm)); return RV_NEXT; }
EXEC(orc_b)
{
    uint64_t v = RS1, r = 0;
    for (int i = 0; i < 8; i++)
        if ((v >> (8 * i)) & 0xff)
            r |= 0xffull << (8 * i);
    RD = r;
    return RV_NEXT;
}
EXEC(rev8) { RD = __builtin_bswap64(RS1); return RV_NEXT; }

/* ---- Zbs ---- */

EXEC(bclr)  { RD = RS1 & ~(1ull << (RS2 & 63)); return RV_NEXT; }
EXEC(bclri) { RD = RS1 & ~(1ull << d->imm); return RV_NEXT; }
EXEC(bext)  { RD = (RS1 >> (RS2 & 63)) & 1; return RV_NEXT; }
EXEC(bexti) { RD = (RS1 >> d->imm) & 1; return RV_NEXT; }
EXEC(binv)  { RD = RS1 ^ (1ull << (RS2 & 63)); return RV_NEXT; }
EXEC(binvi) { RD = RS1 ^ (1ull << d->imm); return RV_NEXT; }
EXEC(bset)  { RD = RS1 | (1ull << (RS2 & 63)); return RV_NEXT; }
EXEC(bseti) { RD = RS1 | (1ull << d->imm); return RV_NEXT; }

/* ---- Zicond ---- */

EXEC(czero_eqz) { RD = RS2 ? RS1 : 0; return RV_NEXT; }
EXEC(czero_nez) { RD = RS2 ? 0 : RS1; return RV_NEXT; }

EXEC(ILLEGAL) { return rv_illegal(c, d); }

#endif
