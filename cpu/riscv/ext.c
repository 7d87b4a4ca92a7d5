/* The ISA extensions table (see ext.h). */
#include "cpu/riscv/ext.h"
#include <stddef.h>
#include <strings.h>

const riscv_ext riscv_exts[] = {
    { "i", true, "base integer ISA" },
    { "m", true, "integer multiply and divide" },
    { "a", true, "atomics" },
    { "f", true, "single-precision floating point" },
    { "d", true, "double-precision floating point" },
    { "c", true, "compressed instructions" },
    { "s", true, "supervisor mode" },
    { "u", true, "user mode" },
    { "mmu", true, "Sv39, Sv48 and Sv57 paging" },
    { "pmp", true, "physical memory protection, 16 entries" },
    { "zicsr", true, "CSR instructions" },
    { "zifencei", true, "instruction-fetch fence" },
    { "zicntr", true, "cycle, time and instret counters" },
    { "zba", true, "address generation" },
    { "zbb", true, "basic bit manipulation" },
    { "zbs", true, "single-bit instructions" },
    { "zicond", true, "integer conditional operations" },
    { "sstc", true, "supervisor timer compare (stimecmp)" },
    { "e", false, "RV32E/RV64E" },
    { "h", false, "hypervisor" },
    { "v", false, "vectors" },
    { "zbc", false, "carry-less multiply" },
    { "zfh", false, "half-precision floating point" },
    { "zicbom", false, "cache-block management" },
    { "zicboz", false, "cache-block zero" },
    { "svpbmt", false, "page-based memory types" },
    { "svnapot", false, "NAPOT translation contiguity" },
    { "svinval", false, "fine-grained address-translation cache invalidation" },
    { "sscofpmf", false, "counter overflow and mode-based filtering" },
    { NULL, false, NULL },
};

const riscv_ext *riscv_ext_find(const char *name)
{
    for (const riscv_ext *e = riscv_exts; e->name; e++)
        if (!strcasecmp(e->name, name))
            return e;
    return NULL;
}
