/*
 * Snapshot state of the interrupt path, the UART and PCI, device by device: a machine's
 * devices are driven into a state that matters (timer and software interrupts pending,
 * a source in service, bytes in the FIFO, BARs placed and decoding, VRAM written),
 * saved as the snapshot code saves them (each device's table, then its save_extra),
 * loaded into a second machine built the same way, and post_load run on all of them.
 * The second machine must then behave as the first: same irq lines, same answers to
 * the guest's reads, BARs mapped at the same addresses. Bad input (another machine's
 * PCI devices, a FIFO index out of range) is refused with a reason.
 */
#include "core/memory.h"
#include "core/chardev.h"
#include "cpu/riscv/cpu.h"
#include "hw/intc/aclint.h"
#include "hw/intc/plic.h"
#include "hw/char/ns16550a.h"
#include "hw/pci/pci_host_gpex.h"
#include "hw/pci/pci_host_cf8.h"
#include "hw/display/bochs_display.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define CLINT 0x02000000ull
#define PLIC 0x0c000000ull
#define UART 0x10000000ull
#define ECAM 0x30000000ull
#define MMIO 0x40000000ull

/* ---- the snapshot code's order, for a device list ---- */

static void snap_save(device_list *l, state_out *o)
{
    char err[256];
    for (int i = 0; i < device_list_count(l); i++) {
        const device_ops *ops = device_ops_of(l, i);
        void *d = device_instance(l, i);
        CHECK(!ops->pre_save || ops->pre_save(d, err, sizeof(err)) == 0);
        state_put_str(o, device_name(l, i));
        if (ops->state)
            state_save(ops->state, d, o);
        if (ops->save_extra)
            ops->save_extra(d, o);
    }
}

/* Every device's table and extra, then every post_load; false (err) at the first
 * device that refuses. */
static bool snap_load(device_list *l, const state_out *saved, char *err, size_t errsize)
{
    state_in in = { .data = saved->data, .len = saved->len };
    for (int i = 0; i < device_list_count(l); i++) {
        const device_ops *ops = device_ops_of(l, i);
        void *d = device_instance(l, i);
        char name[64];
        CHECK(state_get_str(&in, name, sizeof(name)) && !strcmp(name, device_name(l, i)));
        uint32_t v = ops->state ? ops->state->version : 0;
        if (ops->state && !state_load(ops->state, d, &in, v)) {
            snprintf(err, errsize, "%s: cut short", name);
            return false;
        }
        if (ops->load_extra && !ops->load_extra(d, &in, v, err, errsize))
            return false;
    }
    CHECK(!in.bad && in.pos == in.len);
    for (int i = 0; i < device_list_count(l); i++)
        if (device_ops_of(l, i)->post_load)
            device_ops_of(l, i)->post_load(device_instance(l, i));
    return true;
}

/* ---- a small machine: two harts, ACLINT, PLIC, UART; PCI with a bochs-display ---- */

typedef struct mach {
    address_space as, io;
    device_list *devs;
    rv_cpu *harts[2];
    plic *plic;
    bool uart_irq;
    pci_bus *bus;
    pci_dev *vga, *nic;
    bool lines[4];
} mach;

static void kick(void *opaque, unsigned hart) { (void)opaque, (void)hart; }
static void uart_irq(void *opaque, bool level) { ((mach *)opaque)->uart_irq = level; }
static void pci_line(void *opaque, unsigned line, bool level) { ((mach *)opaque)->lines[line] = level; }

static void mach_free(mach *m)
{
    device_list_free(m->devs);
    for (int i = 0; i < 2; i++)
        free(m->harts[i]);
    as_destroy(&m->as);
    as_destroy(&m->io);
}

static void mach_init(mach *m, bool with_vga)
{
    memset(m, 0, sizeof(*m));
    as_init(&m->as);
    as_init(&m->io);
    m->devs = device_list_new();
    for (int i = 0; i < 2; i++) {
        m->harts[i] = aligned_alloc(64, (sizeof(rv_cpu) + 63) & ~(size_t)63);
        rv_cpu_init(m->harts[i], &m->as, (unsigned)i);
    }
    aclint_create(m->devs, &m->as, CLINT, m->harts, 2, kick, NULL);
    m->plic = plic_create(m->devs, &m->as, PLIC, m->harts, 2, kick, NULL);
    ns16550a_create(m->devs, &m->as, UART, NULL, uart_irq, m);
    gpex_config cfg = {
        .ecam_base = ECAM, .ecam_size = 0x10000000, .mmio_base = MMIO, .mmio_size = 0x40000000,
        .pio_base = 0x3000000, .pio_size = 0x10000, .pio_bus_base = 0, .pio_as = &m->io,
        .set_line = pci_line, .line_opaque = m,
    };
    m->bus = gpex_create(&m->as, m->devs, &cfg);
    pci_cf8_create(&m->io, m->devs, m->bus);
    if (with_vga) {
        char err[128];
        bochs_config bc = { .vga = false, .vram_size = 1 << 20, .edid = true, .id = "snapvga" };
        m->vga = bochs_display_create(m->devs, m->bus, 2 << 3, &bc, err, sizeof(err));
        CHECK(m->vga != NULL);
        /* a function with INTA in slot 3: line (3 + 1 - 1) mod 4 = 3 */
        m->nic = pci_dev_new(m->bus, 3 << 3, "intx-dev", err, sizeof(err));
        CHECK(m->nic != NULL);
        pci_set_ids(m->nic, 0x1af4, 0x1000, 0, 0x020000, 0x1af4, 1);
        pci_set_intx_pin(m->nic, 1);
    }
    device_list_reset(m->devs);
}

static uint64_t rd(address_space *as, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    CHECK(as_read(as, pa, size, &v));
    return v;
}
static void wr(address_space *as, uint64_t pa, unsigned size, uint64_t v) { CHECK(as_write(as, pa, size, v)); }
static bool line(rv_cpu *c, unsigned irq) { return (atomic_load(&c->irq_lines) >> irq) & 1; }

int main(void)
{
    mach a, b;
    mach_init(&a, true);
    mach_init(&b, true);
    char err[256];

    /* ACLINT: hart 0's timer due long ago, hart 1's never; hart 1 has a software irq */
    wr(&a.as, CLINT + 0x4000, 8, 0);
    wr(&a.as, CLINT + 0x4008, 8, UINT64_MAX - 1);
    wr(&a.as, CLINT + 4, 4, 1);
    CHECK(line(a.harts[0], IRQ_MTI) && !line(a.harts[1], IRQ_MTI) && line(a.harts[1], IRQ_MSI));

    /* PLIC: source 5 claimed by hart 1's S context while its line stays high; source 7
     * pending for hart 0's M context */
    wr(&a.as, PLIC + 4 * 5, 4, 3);
    wr(&a.as, PLIC + 4 * 7, 4, 2);
    wr(&a.as, PLIC + 0x2000 + 3 * 0x80, 4, 1 << 5);
    wr(&a.as, PLIC + 0x2000 + 0 * 0x80, 4, 1 << 7);
    plic_set_irq(a.plic, 5, true);
    CHECK(rd(&a.as, PLIC + 0x200000 + 3 * 0x1000 + 4, 4) == 5);
    plic_set_irq(a.plic, 7, true);
    CHECK(line(a.harts[0], IRQ_MEI) && !line(a.harts[1], IRQ_SEI));

    /* UART: FIFO on, loopback, three bytes in, receive interrupt enabled */
    wr(&a.as, UART + 2, 1, 1);
    wr(&a.as, UART + 4, 1, 0x10);
    wr(&a.as, UART + 0, 1, 'x');
    wr(&a.as, UART + 0, 1, 'y');
    wr(&a.as, UART + 0, 1, 'z');
    CHECK(rd(&a.as, UART + 0, 1) == 'x');
    wr(&a.as, UART + 1, 1, 1);
    wr(&a.as, UART + 7, 1, 0x5a);
    CHECK(a.uart_irq);

    /* PCI: the bochs-display's VRAM BAR and register BAR placed, memory decoding on,
     * VRAM written through the window; the CF8 latch left pointing at it */
    const unsigned df = 2 << 3;
    wr(&a.as, ECAM + (df << 12) + 0x10, 4, MMIO + 0x1000000);
    wr(&a.as, ECAM + (df << 12) + 0x18, 4, MMIO + 0x2000000);
    wr(&a.as, ECAM + (df << 12) + 0x04, 2, 2);
    wr(&a.as, MMIO + 0x1000000 + 0x5008, 4, 0xc0ffee11);
    wr(&a.as, MMIO + 0x1000000 + 0xff000, 1, 0x77);
    wr(&a.as, MMIO + 0x2000000 + 0x500 + 2 * 1, 2, 800);       /* DISPI XRES */
    as_write(&a.io, 0xcf8, 4, 0x80000000u | df << 8);
    pci_set_irq(a.nic, true);
    CHECK(a.lines[3] && !a.lines[0]);

    state_out snap = { 0 };
    snap_save(a.devs, &snap);
    CHECK(snap_load(b.devs, &snap, err, sizeof(err)));

    /* ACLINT */
    CHECK(line(b.harts[0], IRQ_MTI) && !line(b.harts[1], IRQ_MTI));
    CHECK(line(b.harts[1], IRQ_MSI) && !line(b.harts[0], IRQ_MSI));
    CHECK(rd(&b.as, CLINT + 0x4008, 8) == UINT64_MAX - 1);
    wr(&b.as, CLINT + 0x4000, 8, UINT64_MAX);                    /* and it works on */
    CHECK(!line(b.harts[0], IRQ_MTI));

    /* PLIC: hart 0's M line up; 5 in service, pending again once completed */
    CHECK(line(b.harts[0], IRQ_MEI) && !line(b.harts[1], IRQ_SEI));
    CHECK(rd(&b.as, PLIC + 0x1000, 4) == (1u << 7));
    wr(&b.as, PLIC + 0x200000 + 3 * 0x1000 + 4, 4, 5);
    CHECK(line(b.harts[1], IRQ_SEI));
    CHECK(rd(&b.as, PLIC + 0x200000 + 0 * 0x1000 + 4, 4) == 7);

    /* UART: the line is up and the rest of the FIFO reads back */
    CHECK(b.uart_irq);
    CHECK(rd(&b.as, UART + 7, 1) == 0x5a);
    CHECK(rd(&b.as, UART + 5, 1) & 1);
    CHECK(rd(&b.as, UART + 0, 1) == 'y' && rd(&b.as, UART + 0, 1) == 'z');
    CHECK(!(rd(&b.as, UART + 5, 1) & 1) && !b.uart_irq);

    /* PCI: the configuration space, the BARs mapped, VRAM and registers behind them */
    CHECK(rd(&b.as, ECAM + (df << 12) + 0x10, 4) == ((MMIO + 0x1000000) | 8));
    CHECK(rd(&b.as, ECAM + (df << 12) + 0x04, 2) == 2);
    CHECK(rd(&b.as, MMIO + 0x1000000 + 0x5008, 4) == 0xc0ffee11);
    CHECK(rd(&b.as, MMIO + 0x1000000 + 0xff000, 1) == 0x77);
    CHECK(rd(&b.as, MMIO + 0x1000000 + 0x9000, 4) == 0);
    CHECK(as_data_ptr(&b.as, MMIO + 0x1000000 + 0x5008, 4) != NULL);   /* the RAM overlay */
    CHECK(rd(&b.as, MMIO + 0x2000000 + 0x500 + 2 * 1, 2) == 800);
    uint64_t v = 0;
    CHECK(as_read(&b.io, 0xcfc, 4, &v) && v == 0x11111234);
    uint64_t bm[4] = { 0 };
    CHECK(pci_bar_take_dirty(b.vga, 0, bm) && bm[0] == ~0ull);       /* all to be redrawn */
    /* INTx: the line is driven up again, and goes down when the device lowers it */
    CHECK(b.lines[3] && !b.lines[0]);
    CHECK(rd(&b.as, ECAM + ((3u << 3) << 12) + 0x06, 2) & 0x08);     /* status: INTx */
    pci_set_irq(b.nic, false);
    CHECK(!b.lines[3]);

    /* a machine without the display refuses the snapshot, naming what differs */
    mach c;
    mach_init(&c, false);
    err[0] = 0;
    CHECK(!snap_load(c.devs, &snap, err, sizeof(err)));
    CHECK(strstr(err, "PCI functions") != NULL);
    printf("refused: %s\n", err);

    /* a FIFO index out of range is refused, not used */
    mach d;
    mach_init(&d, true);
    state_out bad = { 0 };
    snap_save(a.devs, &bad);
    int u = device_find(a.devs, "uart0");
    CHECK(u >= 0);
    /* the UART's record: its name, then ier lcr mcr scr dll dlm fcr thr_int fifo[16] head(4) */
    size_t at = 0;
    for (int i = 0; i <= u; i++) {
        const device_ops *ops = device_ops_of(a.devs, i);
        state_in in = { .data = bad.data, .len = bad.len, .pos = at };
        char name[64];
        state_get_str(&in, name, sizeof(name));
        if (i == u) {
            at = in.pos + 8 + 16;
            break;
        }
        in.pos += ops->state ? state_size(ops->state, ops->state->version) : 0;
        at = in.pos;
        CHECK(!ops->save_extra);                 /* the devices before it have tables only */
    }
    bad.data[at] = 200;                          /* head */
    err[0] = 0;
    CHECK(!snap_load(d.devs, &bad, err, sizeof(err)));
    CHECK(strstr(err, "FIFO") != NULL);
    printf("refused: %s\n", err);

    state_out_free(&snap);
    state_out_free(&bad);
    mach_free(&a);
    mach_free(&b);
    mach_free(&c);
    mach_free(&d);
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("snapshot state of aclint, plic, uart, pci, bochs-display: ok\n");
    return 0;
}
