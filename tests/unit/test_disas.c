/*
 * Decoder and disassembler tests: every case in disas_cases.h (objdump's text for an
 * assembled corpus covering every row of insn.def, the aliases and the compressed forms)
 * must decode and print identically; every table row's own encoding must decode to that
 * row; and the reserved compressed encodings must be illegal.
 */
#include "cpu/riscv/insn.h"
#include <stdio.h>
#include <string.h>
#include "disas_cases.h"

static int failures;

static void expect_text(uint32_t raw, uint64_t pc, const char *want)
{
    rv_insn d;
    char buf[128];
    rv_decode(raw, &d);
    rv_disas(&d, pc, buf, sizeof(buf));
    if (strcmp(buf, want)) {
        printf("FAIL %08x: got \"%s\", want \"%s\"\n", raw, buf, want);
        failures++;
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof(disas_cases) / sizeof(disas_cases[0]); i++)
        expect_text(disas_cases[i].raw, disas_cases[i].pc, disas_cases[i].text);

    /* Zicond is newer than Debian 12's binutils: spelled as the spec does */
    expect_text(0x0ec5d533, 0, "czero.eqz\ta0,a1,a2");
    expect_text(0x0ec5f533, 0, "czero.nez\ta0,a1,a2");

    /* each row's match pattern decodes to that row, with operand bits varied */
    for (unsigned op = 0; op < RV_OP_COUNT; op++) {
        const rv_insn_info *ii = &rv_insn_table[op];
        uint32_t vary[] = { 0, 0x00a58500u, 0x01f8ff80u, 0xffffffffu };
        for (unsigned k = 0; k < 4; k++) {
            uint32_t raw = ii->match | (vary[k] & ~ii->mask);
            /* keep the rounding-mode field legal for FP rows (dyn) */
            if ((ii->flags & RV_F_RM) && !(ii->mask & 0x7000))
                raw = (raw & ~0x7000u) | 0x7000u;
            rv_insn d;
            rv_decode(raw, &d);
            if (d.op != op) {
                printf("FAIL row %s: %08x decodes as %s\n", ii->name, raw,
                       rv_insn_table[d.op].name);
                failures++;
            }
        }
    }

    /* x0 destinations decode to the sink register 32; the architectural rd is kept */
    rv_insn d;
    rv_decode(0x00000013, &d);                 /* nop = addi zero,zero,0 */
    if (d.rd != 32 || rv_insn_rd(&d) != 0) {
        printf("FAIL nop: rd %u\n", d.rd);
        failures++;
    }

    /* reserved / illegal compressed encodings */
    static const uint16_t reserved[] = {
        0x0000,   /* c.addi4spn with nzuimm 0 */
        0x8000,   /* quadrant 0, funct3 4: reserved */
        0x6101,   /* c.addi16sp with imm 0 */
        0x6501,   /* c.lui a0 with imm 0 */
        0x2001,   /* c.addiw rd=0 */
        0x4002,   /* c.lwsp rd=0 */
        0x6002,   /* c.ldsp rd=0 */
        0x8002,   /* c.jr rs1=0 */
        0x9c41,   /* c.subw... funct6 100111, funct2 10: reserved */
    };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        rv_decode(reserved[i], &d);
        if (d.op != RV_OP_ILLEGAL || d.len != 2 || d.raw != reserved[i]) {
            printf("FAIL reserved c %04x decoded as %s\n", reserved[i], rv_insn_table[d.op].name);
            failures++;
        }
    }
    /* a 32-bit encoding matching no row is illegal and keeps its bits for mtval */
    rv_decode(0xffffffff, &d);
    if (d.op != RV_OP_ILLEGAL || d.raw != 0xffffffff || d.len != 4) {
        printf("FAIL 0xffffffff not illegal\n");
        failures++;
    }
    if (failures)
        printf("%d failures\n", failures);
    else
        printf("%zu disassembly cases, %u table rows checked\n",
               sizeof(disas_cases) / sizeof(disas_cases[0]), (unsigned)RV_OP_COUNT);
    return failures ? 1 : 0;
}
