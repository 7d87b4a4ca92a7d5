/* The x86 exit port (see debug_exit.h). */
#include "hw/misc/debug_exit.h"
#include "hw/misc/test_finisher.h"
#include "core/clock.h"

static uint64_t exit_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque; (void)off; (void)size;
    return 0;
}

static void exit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)opaque;
    if (off != 0)
        return;
    uint32_t v = (uint32_t)val;
    if (size == 4 && (v & 0xffff) == 0x5555) {
        main_loop_request_exit(0);
    } else if (size == 4 && (v & 0xffff) == 0x3333) {
        unsigned code = (v >> 16) & 0xff;
        main_loop_request_exit(code ? (int)code : 1);
    } else if (size == 4 && (v & 0xffff) == 0x7777) {
        main_loop_request_exit(TERN_EXIT_RESET);
    } else {
        main_loop_request_exit((int)(((v << 1) | 1) & 0xff));
    }
}

static const mmio_ops exit_ops = { exit_read, exit_write };

void debug_exit_create(address_space *io, uint64_t port)
{
    as_add_mmio(io, "debug-exit", port, 4, &exit_ops, NULL);
}
