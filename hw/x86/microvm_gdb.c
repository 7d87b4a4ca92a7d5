/*
 * An x86-64 vCPU under KVM as gdb sees it: the i386:x86-64 target description
 * (org.gnu.gdb.i386.core, .sse, .segments, as gdb's amd64 support expects), and the
 * registers by gdb's numbers, read and written through KVM with the vCPU parked.
 */
#include "hw/x86/microvm_gdb.h"
#include "accel/kvm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    REG_RIP = 16, REG_EFLAGS = 17, REG_CS = 18, REG_GS = 23, REG_ST0 = 24, REG_FCTRL = 32,
    REG_FOP = 39, REG_XMM0 = 40, REG_MXCSR = 56, REG_FS_BASE = 57, REG_GS_BASE = 58, REG_COUNT = 59,
};

static const char *const gpr_names[16] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const seg_names[6] = { "cs", "ss", "ds", "es", "fs", "gs" };
static const char *const fpu_names[8] = { "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop" };

const char *microvm_gdb_xml(const char *annex)
{
    static char *xml;
    if (strcmp(annex, "target.xml"))
        return NULL;
    if (xml)
        return xml;
    size_t len;
    FILE *f = open_memstream(&xml, &len);
    if (!f)
        return NULL;
    fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
               "<architecture>i386:x86-64</architecture>\n<feature name=\"org.gnu.gdb.i386.core\">\n");
    for (int i = 0; i < 16; i++)
        fprintf(f, "<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>\n", gpr_names[i],
                i == 6 || i == 7 ? "data_ptr" : "int64", i);
    fprintf(f, "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%d\"/>\n"
               "<reg name=\"eflags\" bitsize=\"32\" type=\"int32\" regnum=\"%d\"/>\n", REG_RIP, REG_EFLAGS);
    for (int i = 0; i < 6; i++)
        fprintf(f, "<reg name=\"%s\" bitsize=\"32\" type=\"int32\" regnum=\"%d\"/>\n", seg_names[i], REG_CS + i);
    for (int i = 0; i < 8; i++)
        fprintf(f, "<reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\" regnum=\"%d\"/>\n", i, REG_ST0 + i);
    for (int i = 0; i < 8; i++)
        fprintf(f, "<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%d\"/>\n",
                fpu_names[i], REG_FCTRL + i);
    fprintf(f, "</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
               "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
               "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
               "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
               "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
               "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
               "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
               "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
               "<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
               "<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
               "<field name=\"uint128\" type=\"uint128\"/></union>\n");
    for (int i = 0; i < 16; i++)
        fprintf(f, "<reg name=\"xmm%d\" bitsize=\"128\" type=\"vec128\" regnum=\"%d\"/>\n", i, REG_XMM0 + i);
    fprintf(f, "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\" regnum=\"%d\"/>\n</feature>\n"
               "<feature name=\"org.gnu.gdb.i386.segments\">\n"
               "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n"
               "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n</feature>\n</target>\n",
            REG_MXCSR, REG_FS_BASE, REG_GS_BASE);
    fclose(f);
    return xml;
}

static uint64_t *gpr(x86_regs *r, int i)
{
    uint64_t *order[16] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp,
                            &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    return order[i];
}

static x86_segment *seg(x86_regs *r, int i)
{
    x86_segment *order[6] = { &r->cs, &r->ss, &r->ds, &r->es, &r->fs, &r->gs };
    return order[i];
}

static int put(uint8_t *buf, const void *v, int size)
{
    memcpy(buf, v, (size_t)size);
    return size;
}

int microvm_gdb_read_reg(struct vcpu *v, int reg, uint8_t *buf)
{
    x86_regs r;
    if (reg < 0 || reg >= REG_COUNT || !kvm_vcpu_get_regs(v, &r))
        return 0;
    if (reg < 16)
        return put(buf, gpr(&r, reg), 8);
    if (reg == REG_RIP)
        return put(buf, &r.rip, 8);
    if (reg == REG_EFLAGS) {
        uint32_t f = (uint32_t)r.rflags;
        return put(buf, &f, 4);
    }
    if (reg >= REG_CS && reg <= REG_GS) {
        uint32_t sel = seg(&r, reg - REG_CS)->selector;
        return put(buf, &sel, 4);
    }
    if (reg == REG_FS_BASE)
        return put(buf, &r.fs.base, 8);
    if (reg == REG_GS_BASE)
        return put(buf, &r.gs.base, 8);
    struct kvm_fpu fpu;
    if (!kvm_vcpu_get_fpu(v, &fpu))
        return 0;
    if (reg >= REG_ST0 && reg < REG_ST0 + 8)
        return put(buf, fpu.fpr[reg - REG_ST0], 10);
    if (reg >= REG_XMM0 && reg < REG_XMM0 + 16)
        return put(buf, fpu.xmm[reg - REG_XMM0], 16);
    if (reg == REG_MXCSR)
        return put(buf, &fpu.mxcsr, 4);
    uint32_t val = 0;
    switch (reg - REG_FCTRL) {
    case 0: val = fpu.fcw; break;
    case 1: val = fpu.fsw; break;
    case 2:
        /* FXSAVE's abridged tags (1: in use) as the full tag word (00 valid, 11 empty) */
        for (int i = 0; i < 8; i++)
            val |= ((fpu.ftwx >> i) & 1 ? 0u : 3u) << (2 * i);
        break;
    case 4: val = (uint32_t)fpu.last_ip; break;
    case 6: val = (uint32_t)fpu.last_dp; break;
    case 7: val = fpu.last_opcode; break;
    default: break;
    }
    return put(buf, &val, 4);
}

bool microvm_gdb_write_reg(struct vcpu *v, int reg, const uint8_t *buf, int len)
{
    x86_regs r;
    if (reg < 0 || reg >= REG_COUNT || !kvm_vcpu_get_regs(v, &r))
        return false;
    uint64_t val = 0;
    memcpy(&val, buf, len > 8 ? 8 : (size_t)len);
    if (reg < 16 || reg == REG_RIP || reg == REG_EFLAGS) {
        if (reg < 16)
            *gpr(&r, reg) = val;
        else if (reg == REG_RIP)
            r.rip = val;
        else
            r.rflags = (r.rflags & ~0xffffffffull) | (uint32_t)val | 2;
        return kvm_vcpu_set_regs(v, &r);
    }
    if (reg >= REG_CS && reg <= REG_GS)
        return seg(&r, reg - REG_CS)->selector == (uint16_t)val;   /* not settable alone */
    if (reg == REG_FS_BASE || reg == REG_GS_BASE) {
        (reg == REG_FS_BASE ? &r.fs : &r.gs)->base = val;
        return kvm_vcpu_set_regs(v, &r);
    }
    struct kvm_fpu fpu;
    if (!kvm_vcpu_get_fpu(v, &fpu))
        return false;
    if (reg >= REG_ST0 && reg < REG_ST0 + 8 && len >= 10)
        memcpy(fpu.fpr[reg - REG_ST0], buf, 10);
    else if (reg >= REG_XMM0 && reg < REG_XMM0 + 16 && len >= 16)
        memcpy(fpu.xmm[reg - REG_XMM0], buf, 16);
    else if (reg == REG_MXCSR)
        fpu.mxcsr = (uint32_t)val;
    else if (reg == REG_FCTRL)
        fpu.fcw = (uint16_t)val;
    else if (reg == REG_FCTRL + 1)
        fpu.fsw = (uint16_t)val;
    else
        return true;              /* tags and pointers: kept as they are */
    return kvm_vcpu_set_fpu(v, &fpu);
}
