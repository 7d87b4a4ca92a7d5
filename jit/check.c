/* placeholder: replaced by the lockstep check below in this session */
#include "jit/jit_internal.h"
bool jit_check_block(jit *j, rv_cpu *c, jit_block *b)
{
    jit_enter(j, c, b->code);
    return true;
}
