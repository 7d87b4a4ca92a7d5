/* The front end's floating-point part (placeholder until native FP lands). */
#include "jit/translate.h"

int tr_insn_fp(tctx *t, const rv_insn *d)
{
    (void)t;
    (void)d;
    return -1;
}
