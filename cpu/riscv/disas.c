/*
 * RISC-V disassembler, driven by the instruction table's format and register-class
 * flags, printing what GNU objdump prints by default (with its aliases: li, mv, ret, j,
 * csrr, fmv.d, ...), so tern's traces can be diffed against objdump listings.
 */
#include "cpu/riscv/insn.h"
#include "cpu/riscv/csr.h"
#include <stdio.h>
#include <string.h>
#include <stdarg.h>
#include <stdbool.h>

const char *const rv_xreg_name[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
};
const char *const rv_freg_name[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
    "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* CSR names come from csr.def, ranges (pmpcfgN, hpmcounterN, ...) included; NULL for a
 * number tern does not know, which is printed in hex as objdump does. */
const char *rv_csr_name(unsigned csr)
{
    const rv_csr_info *i = rv_csr_info_find(csr);
    return i ? i->name : NULL;
}

typedef struct out { char *buf; size_t size, len; } out;

static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = vsnprintf(o->buf + o->len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static const char *X(unsigned r) { return rv_xreg_name[r & 31]; }
static const char *F(unsigned r) { return rv_freg_name[r & 31]; }

static void csr_operand(out *o, unsigned csr)
{
    const char *n = rv_csr_name(csr);
    if (n)
        put(o, "%s", n);
    else
        put(o, "0x%x", csr);
}

static void fence_set(out *o, unsigned bits)
{
    if (!bits) {
        put(o, "0");
        return;
    }
    if (bits & 8) put(o, "i");
    if (bits & 4) put(o, "o");
    if (bits & 2) put(o, "r");
    if (bits & 1) put(o, "w");
}

static const char *const rm_names[8] = { "rne", "rtz", "rdn", "rup", "rmm", "0x5", "0x6", "dyn" };

/* Aliases objdump prints instead of the base instruction; true if one was printed. */
static bool alias(out *o, const rv_insn *d, unsigned rd, uint64_t pc)
{
    unsigned rs1 = d->rs1, rs2 = d->rs2;
    int64_t imm = d->imm;
    switch (d->op) {
    case RV_OP_addi:
        if (rd == 0 && rs1 == 0 && imm == 0) { put(o, "nop"); return true; }
        if (rs1 == 0) { put(o, "li\t%s,%lld", X(rd), (long long)imm); return true; }
        if (imm == 0) { put(o, "mv\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_addiw:
        if (imm == 0) { put(o, "sext.w\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_xori:
        if (imm == -1) { put(o, "not\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_andi:
        if (imm == 255) { put(o, "zext.b\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_sltiu:
        if (imm == 1) { put(o, "seqz\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_sub:
        if (rs1 == 0) { put(o, "neg\t%s,%s", X(rd), X(rs2)); return true; }
        return false;
    case RV_OP_subw:
        if (rs1 == 0) { put(o, "negw\t%s,%s", X(rd), X(rs2)); return true; }
        return false;
    case RV_OP_sltu:
        if (rs1 == 0) { put(o, "snez\t%s,%s", X(rd), X(rs2)); return true; }
        return false;
    case RV_OP_slt:
        if (rs2 == 0) { put(o, "sltz\t%s,%s", X(rd), X(rs1)); return true; }
        if (rs1 == 0) { put(o, "sgtz\t%s,%s", X(rd), X(rs2)); return true; }
        return false;
    case RV_OP_add_uw:
        if (rs2 == 0) { put(o, "zext.w\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_beq: case RV_OP_bne: case RV_OP_blt: case RV_OP_bge: {
        uint64_t t = pc + (uint64_t)imm;
        static const char *const z1[] = { "beqz", "bnez", "bltz", "bgez" };   /* rs2 == 0 */
        static const char *const z2[] = { NULL, NULL, "bgtz", "blez" };        /* rs1 == 0 */
        int k = d->op == RV_OP_beq ? 0 : d->op == RV_OP_bne ? 1 : d->op == RV_OP_blt ? 2 : 3;
        if (rs2 == 0) { put(o, "%s\t%s,%llx", z1[k], X(rs1), (unsigned long long)t); return true; }
        if (rs1 == 0 && z2[k]) { put(o, "%s\t%s,%llx", z2[k], X(rs2), (unsigned long long)t); return true; }
        return false;
    }
    case RV_OP_jal: {
        uint64_t t = pc + (uint64_t)imm;
        if (rd == 0) { put(o, "j\t%llx", (unsigned long long)t); return true; }
        if (rd == 1) { put(o, "jal\t%llx", (unsigned long long)t); return true; }
        return false;
    }
    case RV_OP_jalr:
        if (rd == 0 && rs1 == 1 && imm == 0) { put(o, "ret"); return true; }
        if (rd <= 1) {
            put(o, "%s\t", rd ? "jalr" : "jr");
            if (imm)
                put(o, "%lld(%s)", (long long)imm, X(rs1));
            else
                put(o, "%s", X(rs1));
            return true;
        }
        if (imm == 0) { put(o, "jalr\t%s,%s", X(rd), X(rs1)); return true; }
        return false;
    case RV_OP_add:
        /* c.mv is printed as mv; a 32-bit add from zero keeps its name */
        if (d->len == 2 && rs1 == 0) { put(o, "mv\t%s,%s", X(rd), X(rs2)); return true; }
        return false;
    case RV_OP_csrrs: {
        unsigned csr = (unsigned)imm;
        if (rs1 == 0) {
            if (csr == CSR_FFLAGS) { put(o, "frflags\t%s", X(rd)); return true; }
            if (csr == CSR_FRM) { put(o, "frrm\t%s", X(rd)); return true; }
            if (csr == CSR_FCSR) { put(o, "frcsr\t%s", X(rd)); return true; }
            if (csr == CSR_CYCLE) { put(o, "rdcycle\t%s", X(rd)); return true; }
            if (csr == CSR_TIME) { put(o, "rdtime\t%s", X(rd)); return true; }
            if (csr == CSR_INSTRET) { put(o, "rdinstret\t%s", X(rd)); return true; }
            put(o, "csrr\t%s,", X(rd));
            csr_operand(o, csr);
            return true;
        }
        if (rd == 0) { put(o, "csrs\t"); csr_operand(o, csr); put(o, ",%s", X(rs1)); return true; }
        return false;
    }
    case RV_OP_csrrw: {
        unsigned csr = (unsigned)imm;
        if (csr == CSR_CYCLE && rd == 0 && rs1 == 0) { put(o, "unimp"); return true; }
        if (csr == CSR_FFLAGS) { put(o, rd ? "fsflags\t%s,%s" : "fsflags\t%s", rd ? X(rd) : X(rs1), X(rs1)); return true; }
        if (csr == CSR_FRM) { put(o, rd ? "fsrm\t%s,%s" : "fsrm\t%s", rd ? X(rd) : X(rs1), X(rs1)); return true; }
        if (csr == CSR_FCSR) { put(o, rd ? "fscsr\t%s,%s" : "fscsr\t%s", rd ? X(rd) : X(rs1), X(rs1)); return true; }
        if (rd == 0) { put(o, "csrw\t"); csr_operand(o, csr); put(o, ",%s", X(rs1)); return true; }
        return false;
    }
    case RV_OP_csrrc:
        if (rd == 0) { put(o, "csrc\t"); csr_operand(o, (unsigned)imm); put(o, ",%s", X(rs1)); return true; }
        return false;
    case RV_OP_csrrwi: case RV_OP_csrrsi: case RV_OP_csrrci: {
        unsigned csr = (unsigned)imm;
        if (d->op == RV_OP_csrrwi && csr == CSR_FFLAGS) { put(o, "fsflagsi\t%s,%u", X(rd), rs1); return true; }
        if (d->op == RV_OP_csrrwi && csr == CSR_FRM) { put(o, "fsrmi\t%s,%u", X(rd), rs1); return true; }
        if (rd == 0) {
            const char *n = d->op == RV_OP_csrrwi ? "csrw" : d->op == RV_OP_csrrsi ? "csrs" : "csrc";
            put(o, "%s\t", n);
            csr_operand(o, csr);
            put(o, ",%u", rs1);
            return true;
        }
        return false;
    }
    case RV_OP_fsgnj_s: case RV_OP_fsgnj_d:
        if (rs1 == rs2) { put(o, "fmv.%c\t%s,%s", d->op == RV_OP_fsgnj_s ? 's' : 'd', F(rd), F(rs1)); return true; }
        return false;
    case RV_OP_fsgnjn_s: case RV_OP_fsgnjn_d:
        if (rs1 == rs2) { put(o, "fneg.%c\t%s,%s", d->op == RV_OP_fsgnjn_s ? 's' : 'd', F(rd), F(rs1)); return true; }
        return false;
    case RV_OP_fsgnjx_s: case RV_OP_fsgnjx_d:
        if (rs1 == rs2) { put(o, "fabs.%c\t%s,%s", d->op == RV_OP_fsgnjx_s ? 's' : 'd', F(rd), F(rs1)); return true; }
        return false;
    case RV_OP_fence:
        if (d->imm == 0x0ff) { put(o, "fence"); return true; }
        if (((uint32_t)d->imm >> 8) == 8 && (d->imm & 0xff) == 0x33) { put(o, "fence.tso"); return true; }
        if (d->imm == 0x010) { put(o, "pause"); return true; }
        return false;
    default:
        return false;
    }
}

int rv_disas(const rv_insn *d, uint64_t pc, char *buf, size_t size)
{
    out o = { buf, size, 0 };
    if (size)
        buf[0] = 0;
    if (d->op >= RV_OP_COUNT) {
        if (d->len == 2)
            put(&o, ".short\t0x%04x", d->raw);
        else
            put(&o, ".word\t0x%08x", d->raw);
        return (int)o.len;
    }
    const rv_insn_info *ii = &rv_insn_table[d->op];
    unsigned rd = rv_insn_rd(d);
    if (alias(&o, d, rd, pc))
        return (int)o.len;
    const char *rdn = (ii->flags & RV_F_FRD) ? F(rd) : X(rd);
    const char *name = ii->name;
    /* binutils 2.40 lists "add rd,rs,imm"-style aliases before addi & co., so its
     * objdump prints immediate forms under the register-form name */
    switch (d->op) {
    case RV_OP_addi: name = "add"; break;
    case RV_OP_addiw: name = "addw"; break;
    case RV_OP_slli: name = "sll"; break;
    case RV_OP_srli: name = "srl"; break;
    case RV_OP_srai: name = "sra"; break;
    case RV_OP_slliw: name = "sllw"; break;
    case RV_OP_srliw: name = "srlw"; break;
    case RV_OP_sraiw: name = "sraw"; break;
    case RV_OP_andi: name = "and"; break;
    case RV_OP_ori: name = "or"; break;
    case RV_OP_xori: name = "xor"; break;
    case RV_OP_bclri: name = "bclr"; break;
    case RV_OP_bexti: name = "bext"; break;
    case RV_OP_binvi: name = "binv"; break;
    case RV_OP_bseti: name = "bset"; break;
    case RV_OP_rori: name = "ror"; break;
    case RV_OP_roriw: name = "rorw"; break;
    case RV_OP_csrrwi: name = "csrrw"; break;
    case RV_OP_csrrsi: name = "csrrs"; break;
    case RV_OP_csrrci: name = "csrrc"; break;
    default: break;
    }
    const char *r1 = (ii->flags & RV_F_FRS1) ? F(d->rs1) : X(d->rs1);
    const char *r2 = (ii->flags & RV_F_FRS2) ? F(d->rs2) : X(d->rs2);
    put(&o, "%s", name);
    switch (ii->fmt) {
    case RV_FMT_R:
        put(&o, "\t%s,%s,%s", rdn, r1, r2);
        break;
    case RV_FMT_R1:
        put(&o, "\t%s,%s", rdn, r1);
        break;
    case RV_FMT_R4:
        put(&o, "\t%s,%s,%s,%s", rdn, r1, r2, F(d->rs3));
        break;
    case RV_FMT_I:
        if (d->op == RV_OP_jalr)
            put(&o, "\t%s,%lld(%s)", rdn, (long long)d->imm, r1);
        else
            put(&o, "\t%s,%s,%lld", rdn, r1, (long long)d->imm);
        break;
    case RV_FMT_SH:
        put(&o, "\t%s,%s,0x%llx", rdn, r1, (unsigned long long)d->imm);
        break;
    case RV_FMT_LOAD:
        put(&o, "\t%s,%lld(%s)", rdn, (long long)d->imm, X(d->rs1));
        break;
    case RV_FMT_STORE:
        put(&o, "\t%s,%lld(%s)", r2, (long long)d->imm, X(d->rs1));
        break;
    case RV_FMT_B:
        put(&o, "\t%s,%s,%llx", r1, r2, (unsigned long long)(pc + (uint64_t)d->imm));
        break;
    case RV_FMT_U:
        put(&o, "\t%s,0x%llx", rdn, (unsigned long long)(((uint64_t)d->imm >> 12) & 0xfffff));
        break;
    case RV_FMT_J:
        put(&o, "\t%s,%llx", rdn, (unsigned long long)(pc + (uint64_t)d->imm));
        break;
    case RV_FMT_CSR:
        put(&o, "\t%s,", rdn);
        csr_operand(&o, (unsigned)d->imm);
        put(&o, ",%s", r1);
        break;
    case RV_FMT_CSRI:
        put(&o, "\t%s,", rdn);
        csr_operand(&o, (unsigned)d->imm);
        put(&o, ",%u", d->rs1);
        break;
    case RV_FMT_FENCE:
        put(&o, "\t");
        fence_set(&o, ((unsigned)d->imm >> 4) & 15);
        put(&o, ",");
        fence_set(&o, (unsigned)d->imm & 15);
        break;
    case RV_FMT_SFENCE:
        if (d->rs2)
            put(&o, "\t%s,%s", X(d->rs1), X(d->rs2));
        else if (d->rs1)
            put(&o, "\t%s", X(d->rs1));
        break;
    case RV_FMT_AMO: case RV_FMT_LR: {
        bool aq = (d->raw >> 26) & 1, rl = (d->raw >> 25) & 1;
        if (aq || rl)
            put(&o, ".%s%s", aq ? "aq" : "", rl ? "rl" : "");
        if (ii->fmt == RV_FMT_LR)
            put(&o, "\t%s,(%s)", rdn, X(d->rs1));
        else
            put(&o, "\t%s,%s,(%s)", rdn, X(d->rs2), X(d->rs1));
        break;
    }
    default:
        break;
    }
    /* a static rounding mode is shown, except on the conversions that are always exact;
     * dyn (the default) is not */
    bool exact = d->op == RV_OP_fcvt_d_s || d->op == RV_OP_fcvt_d_w || d->op == RV_OP_fcvt_d_wu;
    if ((ii->flags & RV_F_RM) && d->rm != 7 && !exact)
        put(&o, ",%s", rm_names[d->rm]);
    return (int)o.len;
}
