/* The ISA extensions table (see ext.h). */
#include "cpu/riscv/ext.h"
#include "cpu/riscv/insn.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const riscv_ext riscv_exts[] = {
    { "i", true, "base integer ISA", 0, NULL },
    { "m", true, "integer multiply and divide", 0, NULL },
    { "a", true, "atomics", 0, NULL },
    { "f", true, "single-precision floating point", 0, NULL },
    { "d", true, "double-precision floating point", 0, NULL },
    { "c", true, "compressed instructions", 0, NULL },
    { "s", true, "supervisor mode", 0, NULL },
    { "u", true, "user mode", 0, NULL },
    { "mmu", true, "Sv39, Sv48 and Sv57 paging", 0, NULL },
    { "pmp", true, "physical memory protection, 16 entries", 0, NULL },
    { "zicsr", true, "CSR instructions", 0, "_zicsr" },
    { "zifencei", true, "instruction-fetch fence", 0, "_zifencei" },
    { "zicntr", true, "cycle, time and instret counters", 0, "_zicntr" },
    { "zicond", true, "integer conditional operations", RV_EXT_OFF_ZICOND, "_zicond" },
    { "zba", true, "address generation", RV_EXT_OFF_ZBA, "_zba" },
    { "zbb", true, "basic bit manipulation", RV_EXT_OFF_ZBB, "_zbb" },
    { "zbs", true, "single-bit instructions", RV_EXT_OFF_ZBS, "_zbs" },
    { "sstc", true, "supervisor timer compare (stimecmp)", 0, "_sstc" },
    { "e", false, "RV32E/RV64E", 0, NULL },
    { "h", false, "hypervisor", 0, NULL },
    { "v", false, "vectors", 0, NULL },
    { "zbc", false, "carry-less multiply", 0, NULL },
    { "zfh", false, "half-precision floating point", 0, NULL },
    { "zicbom", false, "cache-block management", 0, NULL },
    { "zicboz", false, "cache-block zero", 0, NULL },
    { "svpbmt", false, "page-based memory types", 0, NULL },
    { "svnapot", false, "NAPOT translation contiguity", 0, NULL },
    { "svinval", false, "fine-grained address-translation cache invalidation", 0, NULL },
    { "sscofpmf", false, "counter overflow and mode-based filtering", 0, NULL },
    { NULL, false, NULL, 0, NULL },
};

const char *riscv_isa_string(uint32_t off)
{
    static char isa[160];
    snprintf(isa, sizeof(isa), "rv64imafdc");
    for (const riscv_ext *e = riscv_exts; e->name; e++)
        if (e->present && e->isa && !(e->off_bit & off))
            strncat(isa, e->isa, sizeof(isa) - strlen(isa) - 1);
    return isa;
}

const riscv_ext *riscv_ext_find(const char *name)
{
    for (const riscv_ext *e = riscv_exts; e->name; e++)
        if (!strcasecmp(e->name, name))
            return e;
    return NULL;
}
