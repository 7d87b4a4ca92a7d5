/* NS16550A UART (see ns16550a.h). Transmission is instant: THR is always empty. */
#include "hw/char/ns16550a.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDI  0x01
#define IER_THRI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI  0x04
#define MCR_LOOP 0x10
#define FIFO_SIZE 16

struct ns16550a {
    chardev *chr;
    irq_fn irq;
    void *irq_opaque;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thr_int;                /* THR-empty interrupt pending until IIR read or THR write */
    uint8_t fifo[FIFO_SIZE];
    unsigned head, count;
};

static uint8_t iir(ns16550a *u)
{
    uint8_t fifo_bits = (u->fcr & 1) ? 0xc0 : 0;
    if ((u->ier & IER_RDI) && u->count)
        return IIR_RDI | fifo_bits;
    if ((u->ier & IER_THRI) && u->thr_int)
        return IIR_THRI | fifo_bits;
    return IIR_NONE | fifo_bits;
}

static void update_irq(ns16550a *u)
{
    u->irq(u->irq_opaque, !(iir(u) & IIR_NONE));
}

static void push_rx(ns16550a *u, uint8_t b)
{
    if (u->count == FIFO_SIZE)
        return;                  /* overrun: the byte is lost */
    u->fifo[(u->head + u->count) % FIFO_SIZE] = b;
    u->count++;
}

static size_t uart_can_rx(void *opaque)
{
    ns16550a *u = opaque;
    if (u->mcr & MCR_LOOP)
        return 0;
    return (u->fcr & 1) ? FIFO_SIZE - u->count : (u->count ? 0 : 1);
}

static void uart_rx(void *opaque, uint8_t b)
{
    ns16550a *u = opaque;
    push_rx(u, b);
    update_irq(u);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    ns16550a *u = opaque;
    bool dlab = u->lcr & 0x80;
    uint8_t v = 0;
    switch (off) {
    case 0:
        if (dlab) {
            v = u->dll;
        } else if (u->count) {
            v = u->fifo[u->head];
            u->head = (u->head + 1) % FIFO_SIZE;
            u->count--;
            update_irq(u);
            chardev_accept_input(u->chr);
        }
        break;
    case 1:
        v = dlab ? u->dlm : u->ier;
        break;
    case 2:
        v = iir(u);
        if ((v & 0x0f) == IIR_THRI) {
            u->thr_int = false;  /* reading IIR acknowledges THR empty */
            update_irq(u);
        }
        break;
    case 3: v = u->lcr; break;
    case 4: v = u->mcr; break;
    case 5: v = LSR_THRE | LSR_TEMT | (u->count ? LSR_DR : 0); break;
    case 6:
        if (u->mcr & MCR_LOOP) {
            /* loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 */
            v = ((u->mcr & 2) << 3) | ((u->mcr & 1) << 5) | ((u->mcr & 4) << 4) | ((u->mcr & 8) << 4);
        } else {
            v = 0xb0;            /* DCD, DSR, CTS */
        }
        break;
    case 7: v = u->scr; break;
    default: break;
    }
    return v;
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
            break;
        }
        if (u->mcr & MCR_LOOP)
            push_rx(u, b);
        else
            chardev_write(u->chr, &b, 1);
        u->thr_int = true;       /* sent at once: THR empty again */
        break;
    case 1:
        if (dlab) {
            u->dlm = b;
            break;
        }
        /* enabling the THR interrupt with THR empty raises it */
        if ((b & IER_THRI) && !(u->ier & IER_THRI))
            u->thr_int = true;
        u->ier = b & 0x0f;
        break;
    case 2:
        if (b & 2) {             /* clear the receive FIFO */
            u->count = 0;
            u->head = 0;
        }
        u->fcr = b & 0xc9;
        break;
    case 3: u->lcr = b; break;
    case 4: u->mcr = b & 0x1f; break;
    case 7: u->scr = b; break;
    default: break;
    }
    update_irq(u);
    chardev_accept_input(u->chr);
}

static const mmio_ops uart_ops = { uart_read, uart_write };

static const state_field uart_fields[] = {
    STATE_FIELD(ns16550a, ier), STATE_FIELD(ns16550a, lcr), STATE_FIELD(ns16550a, mcr),
    STATE_FIELD(ns16550a, scr), STATE_FIELD(ns16550a, dll), STATE_FIELD(ns16550a, dlm),
    STATE_FIELD(ns16550a, fcr), STATE_FIELD(ns16550a, thr_int), STATE_ARRAY(ns16550a, fifo),
    STATE_FIELD(ns16550a, head), STATE_FIELD(ns16550a, count),
};
static const state_desc uart_state = STATE_DESC(1, uart_fields);

/* The registry has cleared the state table; only the irq output needs re-deriving. */
static void uart_reset(void *dev)
{
    update_irq(dev);
}

/* The receive FIFO's indices come from a file: out of range they would index past it. */
static bool uart_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    ns16550a *u = dev;
    (void)in, (void)version;
    if (u->head >= FIFO_SIZE || u->count > FIFO_SIZE) {
        snprintf(err, errsize, "receive FIFO at %u with %u bytes (it holds %d)", u->head, u->count, FIFO_SIZE);
        return false;
    }
    return true;
}

/* The interrupt line follows the loaded registers; input the chardev held back while
 * the FIFO was full may come now. */
static void uart_post_load(void *dev)
{
    ns16550a *u = dev;
    update_irq(u);
    chardev_accept_input(u->chr);
}

static const device_ops uart_dev_ops = {
    .type = "ns16550a", .state = &uart_state, .reset = uart_reset, .destroy = free,
    .load_extra = uart_load_extra, .post_load = uart_post_load,
};

ns16550a *ns16550a_create(device_list *devs, address_space *as, uint64_t base, chardev *chr,
                          irq_fn irq, void *irq_opaque)
{
    ns16550a *u = calloc(1, sizeof(*u));
    if (!u)
        fatal("out of memory");
    u->chr = chr;
    u->irq = irq;
    u->irq_opaque = irq_opaque;
    if (chr) {
        char err[256];
        if (!chardev_attach(chr, uart_can_rx, uart_rx, NULL, u, err, sizeof(err))) {
            error_report("-serial: %s", err);
            free(u);
            return NULL;
        }
    }
    as_add_mmio(as, "uart0", base, 0x100, &uart_ops, u);
    device_register(devs, "uart0", &uart_dev_ops, u);
    return u;
}
