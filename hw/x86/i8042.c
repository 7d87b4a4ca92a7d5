/* Keyboard-controller reset (see i8042.h). */
#include "hw/x86/i8042.h"
#include "hw/x86/microvm_map.h"
#include "hw/misc/test_finisher.h"
#include "core/clock.h"
#include "core/log.h"

static uint64_t kbc_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque; (void)off; (void)size;
    return 0;                             /* status: input and output buffers empty */
}

static void kbc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)opaque; (void)size;
    if (off == MVM_I8042_CMD - MVM_I8042_DATA && (val & 0xff) == 0xfe) {
        log_cat(LOG_INT, "int: keyboard controller reset\n");
        main_loop_request_exit(TERN_EXIT_RESET);
    }
}

static const mmio_ops kbc_ops = { kbc_read, kbc_write };

void i8042_create(address_space *io)
{
    as_add_mmio(io, "i8042", MVM_I8042_DATA, MVM_I8042_CMD - MVM_I8042_DATA + 1, &kbc_ops, NULL);
}
