/* RISC-V registers for gdb (see gdb.h). */
#include "cpu/riscv/gdb.h"
#include "cpu/riscv/cpu.h"
#include "cpu/riscv/csr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* gdb's RISC-V numbering: x0-x31, pc, f0-f31, then 65 + CSR number; priv after them */
enum { REG_PC = 32, REG_F0 = 33, REG_CSR0 = 65, REG_PRIV = 65 + 4096 };

static const char *const xnames[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const fnames[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
    "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
    "ft8", "ft9", "ft10", "ft11",
};

static bool fp_csr(unsigned num)
{
    return num == CSR_FFLAGS || num == CSR_FRM || num == CSR_FCSR;
}

static char *build_xml(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
               "<architecture>riscv:rv64</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (int i = 0; i < 32; i++)
        fprintf(f, "<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>\n", xnames[i],
                i == 1 ? "code_ptr" : (i == 2 || i == 3 || i == 4 || i == 8) ? "data_ptr" : "int", i);
    fprintf(f, "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%d\"/>\n</feature>\n", REG_PC);
    fprintf(f, "<feature name=\"org.gnu.gdb.riscv.fpu\">\n<union id=\"riscv_double\">"
               "<field name=\"float\" type=\"ieee_single\"/><field name=\"double\" type=\"ieee_double\"/>"
               "</union>\n");
    for (int i = 0; i < 32; i++)
        fprintf(f, "<reg name=\"%s\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%d\"/>\n", fnames[i],
                REG_F0 + i);
    fprintf(f, "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
               "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
               "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n</feature>\n",
            REG_CSR0 + CSR_FFLAGS, REG_CSR0 + CSR_FRM, REG_CSR0 + CSR_FCSR);
    /* the CSRs from the one table: every one tern implements */
    fprintf(f, "<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    size_t n;
    const rv_csr_info *list = rv_csr_list(&n);
    for (size_t i = 0; i < n; i++) {
        if (fp_csr(list[i].num))
            continue;
        fprintf(f, "<reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%d\" save-restore=\"no\"/>\n",
                list[i].name, REG_CSR0 + list[i].num);
    }
    fprintf(f, "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
               "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n</feature>\n</target>\n",
            REG_PRIV);
    fclose(f);
    return buf;
}

const char *rv_gdb_xml(const char *annex)
{
    static char *xml;
    if (strcmp(annex, "target.xml"))
        return NULL;
    if (!xml)
        xml = build_xml();
    return xml;
}

static int put(uint8_t *buf, uint64_t v, int size)
{
    memcpy(buf, &v, (size_t)size);      /* the host is little-endian, as RISC-V */
    return size;
}

static uint64_t get(const uint8_t *buf, int len)
{
    uint64_t v = 0;
    memcpy(&v, buf, len > 8 ? 8 : (size_t)len);
    return v;
}

int rv_gdb_read_reg(rv_cpu *c, int reg, uint8_t *buf)
{
    if (reg >= 0 && reg < 32)
        return put(buf, reg ? c->x[reg] : 0, 8);
    if (reg == REG_PC)
        return put(buf, c->pc, 8);
    if (reg >= REG_F0 && reg < REG_F0 + 32)
        return put(buf, c->f[reg - REG_F0], 8);
    if (reg == REG_PRIV)
        return put(buf, c->priv, 8);
    if (reg >= REG_CSR0 && reg < REG_CSR0 + 4096) {
        unsigned num = (unsigned)(reg - REG_CSR0);
        uint64_t v;
        if (!rv_csr_debug_read(c, num, &v))
            return 0;
        return put(buf, v, fp_csr(num) ? 4 : 8);
    }
    return 0;
}

bool rv_gdb_write_reg(rv_cpu *c, int reg, const uint8_t *buf, int len)
{
    uint64_t v = get(buf, len);
    if (reg > 0 && reg < 32) {
        c->x[reg] = v;
        return true;
    }
    if (reg == 0)
        return true;                      /* zero stays zero */
    if (reg == REG_PC) {
        c->pc = v;
        return true;
    }
    if (reg >= REG_F0 && reg < REG_F0 + 32) {
        c->f[reg - REG_F0] = v;
        return true;
    }
    if (reg == REG_PRIV) {
        /* U, S or M; H-mode (2) does not exist */
        if (v > 3 || v == 2)
            return false;
        c->priv = (unsigned)v;
        rv_mode_changed(c);
        return true;
    }
    if (reg >= REG_CSR0 && reg < REG_CSR0 + 4096)
        return rv_csr_debug_write(c, (unsigned)(reg - REG_CSR0), v);
    return false;
}
