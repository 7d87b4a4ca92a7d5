/*
 * Unit tests of the PCI layer: configuration space through ECAM and through ports
 * 0xCF8/0xCFC, BAR sizing and placement, the windows, firmware-style assignment, and
 * RAM-backed BARs as address-space overlays that appear, move and go (with a reader
 * thread looking them up all the while, as a running vCPU would).
 */
#include "hw/pci/pci_host_gpex.h"
#include "hw/pci/pci_host_cf8.h"
#include "cpu/riscv/cpu.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define ECAM 0x30000000ull
#define MMIO 0x40000000ull
#define RAM 0x80000000ull
#define VRAM_SIZE 0x10000ull

static address_space as, io;
static uint8_t vram[VRAM_SIZE] __attribute__((aligned(4096)));
static int moves;
static rv_cpu *hart;            /* a hart whose TLB must forget a moved BAR */
static uint64_t moved_old, moved_new;

static void set_line(void *o, unsigned line, bool level) { (void)o, (void)line, (void)level; }
static void ram_moved(void *o, int ov, uint8_t *host, uint64_t size, uint64_t old_at, uint64_t new_at)
{
    (void)o, (void)ov;
    CHECK(host == vram && size == VRAM_SIZE);
    moves++;
    if (hart)
        rv_tlb_drop_host(hart, host, size);
    moved_old = old_at;
    moved_new = new_at;
}

static uint64_t regs_read(void *o, uint64_t off, unsigned size) { (void)o, (void)size; return 0xab00 + off; }
static void regs_write(void *o, uint64_t off, uint64_t v, unsigned size) { (void)o, (void)off, (void)v, (void)size; }
static const mmio_ops regs_ops = { regs_read, regs_write };

static uint32_t cfg_rd(unsigned devfn, unsigned reg, unsigned size)
{
    uint64_t v = 0;
    as_read(&as, ECAM + (devfn << 12) + reg, size, &v);
    return (uint32_t)v;
}

static void cfg_wr(unsigned devfn, unsigned reg, uint32_t v, unsigned size)
{
    as_write(&as, ECAM + (devfn << 12) + reg, size, v);
}

static void place(unsigned devfn, uint64_t at, bool mem_on)
{
    cfg_wr(devfn, 0x04, 0, 2);
    cfg_wr(devfn, 0x10, (uint32_t)at, 4);
    cfg_wr(devfn, 0x14, (uint32_t)(at >> 32), 4);
    cfg_wr(devfn, 0x04, mem_on ? 2 : 0, 2);
}

/* a vCPU's view: whatever it finds must be the right byte of VRAM or nothing */
static atomic_int stop;
static atomic_long bad, hits;
static void *reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        for (uint64_t base = MMIO + 0x100000; base <= MMIO + 0x200000; base += 0x100000) {
            uint8_t *p = as_data_ptr(&as, base + 0x1230, 8);
            if (p) {
                atomic_fetch_add(&hits, 1);
                if (p != vram + 0x1230)
                    atomic_fetch_add(&bad, 1);
            }
        }
    }
    return NULL;
}

int main(void)
{
    as_init(&as);
    as_init(&io);
    device_list *devs = device_list_new();
    uint8_t *ram = as_add_ram(&as, "ram", RAM, 1 << 20);
    gpex_config cfg = {
        .ecam_base = ECAM, .ecam_size = 0x10000000, .mmio_base = MMIO, .mmio_size = 0x40000000,
        .pio_base = 0x1000, .pio_size = 0xf000, .pio_bus_base = 0x1000, .pio_as = &io,
        .set_line = set_line, .ram_moved = ram_moved,
    };
    pci_bus *bus = gpex_create(&as, devs, &cfg);
    pci_cf8_create(&io, devs, bus);
    char err[128];
    pci_dev *d = pci_dev_new(bus, 2 << 3, "testdev", err, sizeof(err));
    CHECK(d != NULL);
    pci_set_ids(d, 0x1234, 0x1111, 2, 0x038000, 0x1af4, 0x1100);
    pci_set_bar_ram(d, 0, PCI_BAR_MEM64, VRAM_SIZE, true, vram);
    pci_set_bar(d, 2, PCI_BAR_MEM32, 0x1000, false, &regs_ops, NULL);
    pci_set_bar(d, 3, PCI_BAR_IO, 0x20, false, &regs_ops, NULL);
    unsigned df = 2 << 3;

    /* a second function makes function 0 say the slot is multi-function */
    CHECK((cfg_rd(df, 0x0e, 1) & 0x80) == 0);
    pci_dev *f1 = pci_dev_new(bus, (2 << 3) | 1, "fn1", err, sizeof(err));
    CHECK(f1 != NULL && (cfg_rd(df, 0x0e, 1) & 0x80) == 0x80);
    pci_set_ids(f1, 0x1234, 0x2222, 0, 0xff0000, 0, 0);
    CHECK(pci_dev_new(bus, (2 << 3) | 1, "again", err, sizeof(err)) == NULL);

    /* identity through ECAM, and nothing at an empty slot */
    CHECK(cfg_rd(0, 0, 4) == 0x00081b36);
    CHECK(cfg_rd(df, 0, 4) == 0x11111234);
    CHECK(cfg_rd(df, 0x0a, 2) == 0x0380);
    CHECK(cfg_rd(5 << 3, 0, 4) == 0xffffffff);
    /* mechanism #1: the latch takes dwords only; data follows it */
    as_write(&io, 0xcf8, 4, 0x80000000u | df << 8);
    uint64_t v = 0;
    as_write(&io, 0xcfb, 1, 0x01);
    CHECK(as_read(&io, 0xcf8, 4, &v) && v == (0x80000000u | df << 8));
    CHECK(as_read(&io, 0xcfc, 4, &v) && v == 0x11111234);
    CHECK(as_read(&io, 0xcfe, 2, &v) && v == 0x1111);
    as_write(&io, 0xcf8, 4, df << 8);                      /* enable bit clear */
    CHECK(as_read(&io, 0xcfc, 4, &v) && v == 0xffffffff);
    as_write(&io, 0xcf8, 4, 0x80010000u);                  /* bus 1: nothing */
    CHECK(as_read(&io, 0xcfc, 4, &v) && v == 0xffffffff);

    /* sizing: all ones reads back the size mask and the type bits */
    cfg_wr(df, 0x10, 0xffffffff, 4);
    cfg_wr(df, 0x14, 0xffffffff, 4);
    CHECK(cfg_rd(df, 0x10, 4) == ((uint32_t)~(VRAM_SIZE - 1) | 0x0c));
    CHECK(cfg_rd(df, 0x14, 4) == 0xffffffff);
    cfg_wr(df, 0x1c, 0xffffffff, 4);
    CHECK(cfg_rd(df, 0x1c, 4) == 0xffffffe1);

    /* a RAM BAR shows only with memory decoding on, inside a window */
    place(df, MMIO + 0x100000, false);
    CHECK(as_data_ptr(&as, MMIO + 0x100000, 8) == NULL && moves == 0);
    place(df, MMIO + 0x100000, true);
    CHECK(moves == 1 && moved_old == PCI_UNMAPPED && moved_new == MMIO + 0x100000);
    CHECK(as_data_ptr(&as, MMIO + 0x100010, 8) == vram + 0x10);
    CHECK(as_ram_ptr(&as, MMIO + 0x100010, 8) == NULL);   /* never a place to fetch code from */
    CHECK(as_write(&as, MMIO + 0x100020, 4, 0xdeadbeef) && vram[0x20] == 0xef);
    CHECK(as_read(&as, MMIO + 0x100020, 2, &v) && v == 0xbeef);
    CHECK(as_data_ptr(&as, MMIO + 0x100000 + VRAM_SIZE - 4, 8) == NULL);   /* runs off its end */
    /* moved: the old place reads all ones, the new one the same memory */
    place(df, MMIO + 0x200000, true);
    CHECK(moves == 3 && moved_new == MMIO + 0x200000);
    CHECK(as_data_ptr(&as, MMIO + 0x100010, 8) == NULL);
    CHECK(as_read(&as, MMIO + 0x100020, 4, &v) && v == 0xffffffff);
    CHECK(as_data_ptr(&as, MMIO + 0x200020, 4) == vram + 0x20);
    /* over RAM or outside the windows the bridge does not decode it: RAM stays RAM */
    place(df, RAM, true);
    CHECK(moved_new == PCI_UNMAPPED);
    CHECK(as_data_ptr(&as, RAM + 0x10, 8) == ram + 0x10);
    place(df, 0x20000000, true);
    CHECK(as_data_ptr(&as, 0x20000010, 8) == NULL);
    /* an unaligned address is aligned by the BAR's read-only bits */
    place(df, MMIO + 0x108000, true);
    CHECK(cfg_rd(df, 0x10, 4) == (uint32_t)(MMIO + 0x100000) + 0x0c);
    CHECK(as_data_ptr(&as, MMIO + 0x100000, 8) == vram);

    /* MMIO and I/O BARs through the windows */
    cfg_wr(df, 0x18, (uint32_t)(MMIO + 0x300000), 4);
    cfg_wr(df, 0x1c, 0x2000, 4);
    cfg_wr(df, 0x04, 3, 2);
    CHECK(as_read(&as, MMIO + 0x300008, 4, &v) && v == 0xab08);
    CHECK(as_read(&io, 0x2004, 2, &v) && v == 0xab04);
    CHECK(as_read(&io, 0x3000, 2, &v) && v == 0xffff);

    /* a hart's TLB: a load fills an entry for the BAR's page; the move drops it */
    place(df, MMIO + 0x100000, true);
    hart = aligned_alloc(64, (sizeof(rv_cpu) + 63) & ~(size_t)63);
    rv_cpu_init(hart, &as, 0);
    uint64_t tval;
    vram[0x40] = 0x5a;
    CHECK(rv_load_slow(hart, MMIO + 0x100040, 1, &v, &tval) == 0 && v == 0x5a);
    rv_tlb_entry *e = &hart->tlb[TLBCTX_M].e[ACC_READ][rv_tlb_index(MMIO + 0x100040)];
    CHECK(e->vpage == MMIO + 0x100000 && (uint8_t *)(uintptr_t)(e->vpage + e->addend) == vram);
    place(df, MMIO + 0x200000, true);
    CHECK(e->vpage == TLB_INVALID);
    CHECK(rv_load_slow(hart, MMIO + 0x100040, 1, &v, &tval) == 0 && v == 0xff);
    CHECK(rv_load_slow(hart, MMIO + 0x200040, 1, &v, &tval) == 0 && v == 0x5a);
    free(hart);
    hart = NULL;

    /* firmware placement: everything inside the windows, aligned, decoding on */
    pci_bus_reset(bus);
    CHECK(moved_new == PCI_UNMAPPED);
    pci_bus_assign_bars(bus);
    uint64_t b0 = (cfg_rd(df, 0x10, 4) & ~15u) | (uint64_t)cfg_rd(df, 0x14, 4) << 32;
    uint32_t b2 = cfg_rd(df, 0x18, 4) & ~15u, b3 = cfg_rd(df, 0x1c, 4) & ~3u;
    CHECK(b0 >= MMIO && b0 % VRAM_SIZE == 0 && b2 >= MMIO && b2 % 0x1000 == 0);
    CHECK(b2 + 0x1000 <= b0 || b0 + VRAM_SIZE <= b2);
    CHECK(b3 >= 0x1000 && b3 % 0x20 == 0);
    CHECK((cfg_rd(df, 0x04, 2) & 3) == 3);
    CHECK(as_data_ptr(&as, b0, 8) == vram);

    /* moving while a reader looks: it finds the memory or nothing, never a torn place */
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    for (int i = 0; i < 2000000 && (i < 20000 || atomic_load(&hits) < 20000); i++)
        place(df, MMIO + (i & 1 ? 0x200000 : 0x100000), (i % 3) != 0);
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    CHECK(atomic_load(&bad) == 0);
    printf("reader: %ld hits while the BAR moved\n", (long)atomic_load(&hits));

    device_list_free(devs);
    as_destroy(&as);
    as_destroy(&io);
    if (failures)
        printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
