/*
 * Unit tests of the interrupt path devices without a guest: PLIC priorities, enables,
 * threshold, claim/complete and level re-triggering across two harts' contexts, and
 * the UART's IIR/LSR behaviour (THR-empty acknowledge, loopback receive, FIFO).
 */
#include "core/memory.h"
#include "core/chardev.h"
#include "cpu/riscv/cpu.h"
#include "hw/intc/plic.h"
#include "hw/char/ns16550a.h"
#include <stdio.h>
#include <stdlib.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static int kicks;
static void kick(void *opaque, unsigned hart) { kicks++; }

static uint64_t rd(address_space *as, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    CHECK(as_read(as, pa, size, &v));
    return v;
}
static void wr(address_space *as, uint64_t pa, unsigned size, uint64_t v) { CHECK(as_write(as, pa, size, v)); }
static bool line(rv_cpu *c, unsigned irq) { return (atomic_load(&c->irq_lines) >> irq) & 1; }

static bool uart_irq_level;
static void uart_irq(void *opaque, bool level) { uart_irq_level = level; }

int main(void)
{
    address_space as;
    as_init(&as);
    device_list *devs = device_list_new();
    rv_cpu *harts[2];
    for (int i = 0; i < 2; i++) {
        harts[i] = aligned_alloc(64, (sizeof(rv_cpu) + 63) & ~(size_t)63);
        rv_cpu_init(harts[i], &as, (unsigned)i);
    }
    const uint64_t P = 0x0c000000;
    plic *p = plic_create(devs, &as, P, harts, 2, kick, NULL);

    /* source 5 to hart 1's S context (3), source 7 to hart 0's M context (0) */
    wr(&as, P + 4 * 5, 4, 3);
    wr(&as, P + 4 * 7, 4, 1);
    wr(&as, P + 0x2000 + 3 * 0x80, 4, 1 << 5);
    wr(&as, P + 0x2000 + 0 * 0x80, 4, 1 << 7);
    plic_set_irq(p, 5, true);
    CHECK(line(harts[1], IRQ_SEI) && !line(harts[0], IRQ_SEI) && !line(harts[0], IRQ_MEI));
    CHECK(rd(&as, P + 0x1000, 4) == (1u << 5));              /* pending bits */
    /* claim: the source, which is then in service (not pending, line down) */
    CHECK(rd(&as, P + 0x200000 + 3 * 0x1000 + 4, 4) == 5);
    CHECK(!line(harts[1], IRQ_SEI));
    CHECK(rd(&as, P + 0x200000 + 3 * 0x1000 + 4, 4) == 0);    /* nothing else */
    /* complete while the device still holds the line: pending again */
    wr(&as, P + 0x200000 + 3 * 0x1000 + 4, 4, 5);
    CHECK(line(harts[1], IRQ_SEI));
    /* lowering the line clears it */
    plic_set_irq(p, 5, false);
    CHECK(!line(harts[1], IRQ_SEI));
    /* threshold at or above the priority masks it */
    wr(&as, P + 0x200000 + 3 * 0x1000, 4, 3);
    plic_set_irq(p, 5, true);
    CHECK(!line(harts[1], IRQ_SEI));
    wr(&as, P + 0x200000 + 3 * 0x1000, 4, 2);
    CHECK(line(harts[1], IRQ_SEI));
    /* priority 0 never interrupts */
    wr(&as, P + 4 * 5, 4, 0);
    CHECK(!line(harts[1], IRQ_SEI));
    wr(&as, P + 4 * 5, 4, 3);
    /* M context of hart 0 */
    plic_set_irq(p, 7, true);
    CHECK(line(harts[0], IRQ_MEI));
    /* highest priority wins; ties go to the lower source number */
    wr(&as, P + 0x2000 + 3 * 0x80, 4, (1 << 5) | (1 << 6) | (1 << 4));
    wr(&as, P + 4 * 6, 4, 7);
    wr(&as, P + 4 * 4, 4, 7);
    plic_set_irq(p, 6, true);
    plic_set_irq(p, 4, true);
    CHECK(rd(&as, P + 0x200000 + 3 * 0x1000 + 4, 4) == 4);
    CHECK(rd(&as, P + 0x200000 + 3 * 0x1000 + 4, 4) == 6);
    CHECK(rd(&as, P + 0x200000 + 3 * 0x1000 + 4, 4) == 5);
    /* a completion from a context where the source is no longer enabled still counts */
    wr(&as, P + 0x2000 + 3 * 0x80, 4, 0);
    wr(&as, P + 0x200000 + 3 * 0x1000 + 4, 4, 4);
    CHECK(rd(&as, P + 0x1000, 4) & (1u << 4));
    /* reset through the registry clears the state, lines stay as devices drive them */
    device_list_reset(devs);
    CHECK(rd(&as, P + 4 * 5, 4) == 0 && !line(harts[1], IRQ_SEI));

    /* UART */
    chardev *null = chardev_null();
    CHECK(null != NULL);
    const uint64_t U = 0x10000000;
    ns16550a_create(devs, &as, U, null, uart_irq, NULL);
    CHECK((rd(&as, U + 5, 1) & 0x60) == 0x60);                /* THR empty, TEMT */
    CHECK((rd(&as, U + 2, 1) & 0x0f) == 1);                   /* no interrupt */
    wr(&as, U + 2, 1, 0x07);                                  /* FIFO on, cleared */
    wr(&as, U + 1, 1, 0x02);                                  /* enable THRI: raises it */
    CHECK(uart_irq_level);
    CHECK(rd(&as, U + 2, 1) == 0xc2);                         /* THRI, FIFOs enabled */
    CHECK(!uart_irq_level);                                   /* reading IIR acknowledged */
    CHECK((rd(&as, U + 2, 1) & 0x0f) == 1);
    wr(&as, U + 0, 1, 'x');                                   /* sent: THR empty again */
    CHECK(uart_irq_level);
    wr(&as, U + 1, 1, 0x00);
    CHECK(!uart_irq_level);
    /* loopback: transmitted bytes come back as received data */
    wr(&as, U + 4, 1, 0x10);
    wr(&as, U + 1, 1, 0x01);                                  /* enable RDI */
    wr(&as, U + 0, 1, 'a');
    wr(&as, U + 0, 1, 'b');
    CHECK(rd(&as, U + 5, 1) & 1);                             /* data ready */
    CHECK((rd(&as, U + 2, 1) & 0x0f) == 4 && uart_irq_level);
    CHECK(rd(&as, U + 0, 1) == 'a');
    CHECK(rd(&as, U + 0, 1) == 'b');
    CHECK(!(rd(&as, U + 5, 1) & 1) && !uart_irq_level);
    /* loopback modem status mirrors MCR: RTS -> CTS, DTR -> DSR */
    wr(&as, U + 4, 1, 0x13);
    CHECK((rd(&as, U + 6, 1) & 0x30) == 0x30);
    /* the divisor latch shadows THR/IER */
    wr(&as, U + 3, 1, 0x80);
    wr(&as, U + 0, 1, 0x0c);
    CHECK(rd(&as, U + 0, 1) == 0x0c);
    wr(&as, U + 3, 1, 0x03);

    device_list_free(devs);
    chardev_close(null);
    for (int i = 0; i < 2; i++)
        free(harts[i]);
    as_destroy(&as);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
