/* The test finisher device (see test_finisher.h). */
#include "hw/misc/test_finisher.h"
#include "core/clock.h"
#include "core/log.h"

static uint64_t finisher_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void finisher_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    if (off != 0)
        return;
    uint32_t v = (uint32_t)val;
    switch (v & 0xffff) {
    case 0x5555:
        main_loop_request_exit(0);
        break;
    case 0x3333: {
        /* a failure must not look like success when the code is a multiple of 256 */
        unsigned code = (v >> 16) & 0xff;
        main_loop_request_exit(code ? (int)code : 1);
        break;
    }
    case 0x7777:
        main_loop_request_exit(TERN_EXIT_RESET);
        break;
    default:
        guest_error("guest_errors: test finisher: unknown command 0x%x\n", v);
        break;
    }
}

static const mmio_ops finisher_ops = { finisher_read, finisher_write };

void test_finisher_create(address_space *as, uint64_t base)
{
    as_add_mmio(as, "test-finisher", base, 0x1000, &finisher_ops, NULL);
}
