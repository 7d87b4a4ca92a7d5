/*
 * -d out_asm: each translated block's host code, disassembled with capstone, under
 * the guest instruction it came from; then the block's cold code (slow paths, exits).
 */
#include "jit/jit_internal.h"
#include "core/log.h"
#include "build/config.h"
#ifdef CONFIG_CAPSTONE
#include <capstone.h>
#endif

#ifdef CONFIG_CAPSTONE
static void dump_range(csh cs, const uint8_t *code, size_t len, uint64_t addr)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, len, addr, 0, &insn);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        log_printf("    0x%012llx:  %-8s %s\n", (unsigned long long)insn[i].address,
                   insn[i].mnemonic, insn[i].op_str);
        done += insn[i].size;
    }
    if (n)
        cs_free(insn, n);
    if (done < len)
        log_printf("    0x%012llx:  (%zu bytes capstone could not decode)\n",
                   (unsigned long long)(addr + done), len - done);
}
#endif

void jit_log_block(jit *j, jit_block *b)
{
    log_printf("OUT: [jit] block %016llx: %u guest instructions, %u host bytes at %p\n",
               (unsigned long long)b->vpc, b->ninsns, b->code_size, (void *)b->code);
#ifdef CONFIG_CAPSTONE
    csh cs;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        log_printf("    (capstone unavailable)\n");
        return;
    }
    const uint8_t *code = jit_rw(j, b->code);
    uint64_t addr = (uint64_t)(uintptr_t)b->code;
    log_printf("  -- entry\n");
    dump_range(cs, code, b->host_off[0], addr);
    uint64_t pc = b->vpc;
    for (unsigned i = 0; i < b->ninsns; i++) {
        char buf[96];
        rv_disas(&b->insns[i], pc, buf, sizeof(buf));
        log_printf("  -- %016llx: %s\n", (unsigned long long)pc, buf);
        uint32_t from = b->host_off[i], to = b->host_off[i + 1];
        dump_range(cs, code + from, to - from, addr + from);
        pc += b->insns[i].len;
    }
    log_printf("  -- cold code\n");
    uint32_t end = b->host_off[b->ninsns];
    dump_range(cs, code + end, b->code_size - end, addr + end);
    cs_close(&cs);
#else
    (void)j;
    log_printf("    (tern was built without capstone: no host disassembly)\n");
#endif
}
