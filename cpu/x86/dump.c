/* x86 register dumps and guest-code disassembly (capstone) for the monitor and errors. */
#include "cpu/x86/cpu.h"
#include "build/config.h"
#ifdef CONFIG_CAPSTONE
#include <capstone.h>
#endif

static void seg(FILE *f, const char *name, const x86_segment *s)
{
    fprintf(f, "%-3s %04x %016llx %08x type %x dpl %u%s%s\n", name, s->selector,
            (unsigned long long)s->base, s->limit, s->type, s->dpl, s->l ? " L" : "",
            s->db ? " D" : "");
}

void x86_regs_dump(const x86_regs *r, FILE *f)
{
    fprintf(f, "rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)r->rax,
            (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    fprintf(f, "rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", (unsigned long long)r->rsi,
            (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->rsp);
    fprintf(f, "r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", (unsigned long long)r->r8,
            (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11);
    fprintf(f, "r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)r->r12,
            (unsigned long long)r->r13, (unsigned long long)r->r14, (unsigned long long)r->r15);
    fprintf(f, "rip %016llx rflags %08llx\n", (unsigned long long)r->rip, (unsigned long long)r->rflags);
    seg(f, "cs", &r->cs);
    seg(f, "ss", &r->ss);
    seg(f, "ds", &r->ds);
    seg(f, "tr", &r->tr);
    fprintf(f, "gdt %016llx/%04x idt %016llx/%04x\n", (unsigned long long)r->gdt.base, r->gdt.limit,
            (unsigned long long)r->idt.base, r->idt.limit);
    fprintf(f, "cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %016llx\n",
            (unsigned long long)r->cr0, (unsigned long long)r->cr2, (unsigned long long)r->cr3,
            (unsigned long long)r->cr4, (unsigned long long)r->efer);
}

int x86_disas(const uint8_t *code, size_t len, uint64_t addr, bool long_mode, int n, FILE *f)
{
#ifdef CONFIG_CAPSTONE
    csh cs;
    if (cs_open(CS_ARCH_X86, long_mode ? CS_MODE_64 : CS_MODE_32, &cs) != CS_ERR_OK)
        return 0;
    cs_insn *insn;
    size_t got = cs_disasm(cs, code, len, addr, (size_t)n, &insn);
    for (size_t i = 0; i < got; i++)
        fprintf(f, "  %016llx: %-8s %s\n", (unsigned long long)insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
    if (got)
        cs_free(insn, got);
    cs_close(&cs);
    return (int)got;
#else
    (void)code; (void)len; (void)addr; (void)long_mode; (void)n;
    fprintf(f, "  (tern was built without capstone: no disassembly)\n");
    return 0;
#endif
}
