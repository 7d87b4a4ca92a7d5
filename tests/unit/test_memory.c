/* Unit tests of the physical address space: RAM/MMIO lookup, overlays and DMA bounds. */
#include "core/memory.h"
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static uint64_t last_off, last_val;
static unsigned last_size;
static uint64_t dev_read(void *o, uint64_t off, unsigned size) { return 0x1000 + off; }
static void dev_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    last_off = off;
    last_val = v;
    last_size = size;
}
static const mmio_ops dev_ops = { dev_read, dev_write };

int main(void)
{
    address_space as;
    as_init(&as);
    uint8_t *ram = as_add_ram(&as, "ram", 0x80000000, 1 << 20);
    CHECK(ram != NULL);
    as_add_mmio(&as, "dev", 0x10000000, 0x100, &dev_ops, NULL);
    as_add_mmio(&as, "overlay", 0x80001000, 8, &dev_ops, NULL);

    /* RAM pointers: whole page, end of RAM, past the end, overlay page refused */
    CHECK(as_ram_ptr(&as, 0x80000000, 4096) == ram);
    CHECK(as_ram_ptr(&as, 0x800ff000, 4096) == ram + 0xff000);
    CHECK(as_ram_ptr(&as, 0x800ff001, 4096) == NULL);
    CHECK(as_ram_ptr(&as, 0x7ffff000, 8) == NULL);
    CHECK(as_ram_ptr(&as, 0x80001000, 4096) == NULL);
    CHECK(as_ram_ptr(&as, 0x80001008, 8) != NULL);

    /* CPU-side reads and writes route to RAM or MMIO */
    uint64_t v = 0;
    CHECK(as_write(&as, 0x80000010, 8, 0x1122334455667788ull));
    CHECK(as_read(&as, 0x80000010, 4, &v) && v == 0x55667788);
    CHECK(as_read(&as, 0x10000004, 4, &v) && v == 0x1004);
    CHECK(as_write(&as, 0x10000008, 2, 0xabcd) && last_off == 8 && last_val == 0xabcd && last_size == 2);
    CHECK(as_write(&as, 0x80001000, 8, 7) && last_off == 0 && last_val == 7);
    CHECK(!as_read(&as, 0x20000000, 4, &v));
    CHECK(!as_read(&as, 0x100000fe, 4, &v));      /* runs off the end of the MMIO region */

    /* DMA refuses anything not wholly in RAM, including wrap-around */
    uint8_t buf[64];
    memset(buf, 0x5a, sizeof(buf));
    CHECK(dma_write(&as, 0x80000100, buf, sizeof(buf)));
    CHECK(ram[0x100] == 0x5a && ram[0x13f] == 0x5a);
    CHECK(!dma_write(&as, 0x800fffe0, buf, sizeof(buf)));
    CHECK(!dma_read(&as, 0x10000000, buf, 4));
    CHECK(!dma_read(&as, ~0ull - 8, buf, 64));
    CHECK(dma_read(&as, 0x80000010, buf, 8) && buf[0] == 0x88);

    /* reset zeroes RAM */
    as_reset_ram(&as);
    CHECK(ram[0x100] == 0 && ram[0x10] == 0);
    as_destroy(&as);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
