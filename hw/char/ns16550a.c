/*
 * NS16550A UART (see ns16550a.h). This first version models the register file and
 * transmit path; receive FIFO and interrupts come with the console work.
 */
#include "hw/char/ns16550a.h"
#include "core/log.h"
#include <stdlib.h>
#include <unistd.h>

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct ns16550a {
    int out_fd;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
};

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    ns16550a *u = opaque;
    bool dlab = u->lcr & 0x80;
    switch (off) {
    case 0: return dlab ? u->dll : 0;
    case 1: return dlab ? u->dlm : u->ier;
    case 2: return 0xc1;                      /* FIFOs enabled, no interrupt pending */
    case 3: return u->lcr;
    case 4: return u->mcr;
    case 5: return LSR_THRE | LSR_TEMT;
    case 6: return 0xb0;                      /* DCD, DSR, CTS */
    case 7: return u->scr;
    default: return 0;
    }
}

static void uart_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    ns16550a *u = opaque;
    bool dlab = u->lcr & 0x80;
    uint8_t b = (uint8_t)val;
    switch (off) {
    case 0:
        if (dlab) {
            u->dll = b;
        } else if (u->out_fd >= 0) {
            ssize_t r = write(u->out_fd, &b, 1);
            (void)r;
        }
        break;
    case 1:
        if (dlab)
            u->dlm = b;
        else
            u->ier = b & 0x0f;
        break;
    case 2: u->fcr = b; break;
    case 3: u->lcr = b; break;
    case 4: u->mcr = b & 0x1f; break;
    case 7: u->scr = b; break;
    default: break;
    }
}

static const mmio_ops uart_ops = { uart_read, uart_write };

static void uart_reset(void *dev)
{
    ns16550a *u = dev;
    u->ier = u->lcr = u->mcr = u->scr = u->dll = u->dlm = u->fcr = 0;
}

static const device_ops uart_dev_ops = { .type = "ns16550a", .reset = uart_reset, .destroy = free };

ns16550a *ns16550a_create(device_list *devs, address_space *as, uint64_t base, int out_fd)
{
    ns16550a *u = calloc(1, sizeof(*u));
    if (!u)
        fatal("out of memory");
    u->out_fd = out_fd;
    as_add_mmio(as, "uart0", base, 0x100, &uart_ops, u);
    device_register(devs, "uart0", &uart_dev_ops, u);
    return u;
}
