/* QEMU's generic PCIe host bridge (see pci_host_gpex.h). */
#include "hw/pci/pci_host_gpex.h"
#include "core/log.h"
#include <stdlib.h>

typedef struct gpex gpex;

/* One of the bridge's windows: which kind of BAR it reaches, and the bus address of
 * its first byte. */
typedef struct gpex_window {
    gpex *g;
    bool io;
    uint64_t bus_base;
} gpex_window;

struct gpex {
    pci_bus *bus;
    gpex_config cfg;
    bool dev_level[PCI_MAX_DEVFN][4];     /* each function's INTx, by pin */
    bool line_level[4];
    gpex_window mmio32, mmio64, pio;
};

/* INTx: the standard swizzle, (slot + pin - 1) mod 4, each line the OR of its pins;
 * `force` drives every line, changed or not (after a snapshot load) */
static void update_lines(gpex *g, bool force)
{
    for (unsigned line = 0; line < 4; line++) {
        bool on = false;
        for (unsigned f = 0; f < PCI_MAX_DEVFN && !on; f++)
            for (unsigned p = 0; p < 4 && !on; p++)
                on = g->dev_level[f][p] && ((f >> 3) + p) % 4 == line;
        if (on != g->line_level[line] || force) {
            g->line_level[line] = on;
            g->cfg.set_line(g->cfg.line_opaque, line, on);
        }
    }
}

static void set_intx(void *opaque, unsigned devfn, unsigned pin, bool level)
{
    gpex *g = opaque;
    if (pin < 1 || pin > 4 || devfn >= PCI_MAX_DEVFN)
        return;
    g->dev_level[devfn][pin - 1] = level;
    update_lines(g, false);
}

static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
    gpex *g = opaque;
    unsigned busno = (unsigned)(off >> 20), devfn = (unsigned)(off >> 12) & 0xff, reg = (unsigned)off & 0xfff;
    if (busno != 0)
        return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    if (size == 8)
        return pci_config_read(g->bus, devfn, reg, 4) | (uint64_t)pci_config_read(g->bus, devfn, reg + 4, 4) << 32;
    return pci_config_read(g->bus, devfn, reg, size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    gpex *g = opaque;
    unsigned busno = (unsigned)(off >> 20), devfn = (unsigned)(off >> 12) & 0xff, reg = (unsigned)off & 0xfff;
    if (busno != 0)
        return;
    if (size == 8) {
        pci_config_write(g->bus, devfn, reg, (uint32_t)val, 4);
        pci_config_write(g->bus, devfn, reg + 4, (uint32_t)(val >> 32), 4);
        return;
    }
    pci_config_write(g->bus, devfn, reg, (uint32_t)val, size);
}

static const mmio_ops ecam_ops = { ecam_read, ecam_write };

/* The windows: a BAR there answers; nothing there reads all ones, as on a real bus.
 * Each window is registered at its CPU address, so off is relative to it. */
static uint64_t window_read(void *opaque, uint64_t off, unsigned size)
{
    gpex_window *w = opaque;
    uint64_t v;
    if (pci_window_read(w->g->bus, w->io, w->bus_base + off, size, &v))
        return v;
    return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void window_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    gpex_window *w = opaque;
    pci_window_write(w->g->bus, w->io, w->bus_base + off, size, val);
}

static const mmio_ops window_ops = { window_read, window_write };

static void gpex_reset(void *dev)
{
    gpex *g = dev;
    pci_bus_reset(g->bus);
}

static void gpex_destroy(void *dev)
{
    gpex *g = dev;
    pci_bus_free(g->bus);
    free(g);
}

/* The bridge keeps the INTx levels it swizzles (the lines' levels follow from them,
 * and stay out of the table so that a reset, which clears the table, still lowers a
 * line that was up); the bus (every function's configuration space) goes after them
 * in the same section. */
static const state_field gpex_fields[] = {
    STATE_ARRAY2(gpex, dev_level),
};
static const state_desc gpex_state = STATE_DESC(1, gpex_fields);

static void gpex_save_extra(void *dev, state_out *o)
{
    gpex *g = dev;
    pci_bus_save(g->bus, o);
}

static bool gpex_load_extra(void *dev, state_in *in, uint32_t version, char *err, size_t errsize)
{
    gpex *g = dev;
    (void)version;
    return pci_bus_load(g->bus, in, err, errsize);
}

/* BARs mapped where the loaded configuration puts them; then the four lines as the
 * loaded levels make them, all driven (the interrupt controller's own state has them
 * too: driving a line to the level it has changes nothing there). */
static void gpex_post_load(void *dev)
{
    gpex *g = dev;
    pci_bus_post_load(g->bus);
    update_lines(g, true);
}

static const device_ops gpex_dev_ops = {
    .type = "gpex-pcihost", .state = &gpex_state, .reset = gpex_reset, .destroy = gpex_destroy,
    .save_extra = gpex_save_extra, .load_extra = gpex_load_extra, .post_load = gpex_post_load,
};

pci_bus *gpex_create(address_space *as, device_list *devs, const gpex_config *cfg)
{
    gpex *g = calloc(1, sizeof(*g));
    if (!g)
        fatal("out of memory");
    g->cfg = *cfg;
    pci_bus_host host = {
        .set_intx = set_intx, .opaque = g, .mem_base = cfg->mmio_base, .mem_size = cfg->mmio_size,
        .mem64_base = cfg->mmio64_base, .mem64_size = cfg->mmio64_size, .io_base = cfg->pio_bus_base,
        .io_size = cfg->pio_size, .as = as, .ram_moved = cfg->ram_moved, .ram_opaque = cfg->line_opaque,
        .ram_sync_dirty = cfg->ram_sync_dirty, .ram_sync_always = cfg->ram_sync_always,
    };
    g->bus = pci_bus_new("pcie.0", &host);
    /* the host bridge function: QEMU's IDs */
    char err[64];
    pci_dev *hb = pci_dev_new(g->bus, 0, "gpex-root", err, sizeof(err));
    pci_set_ids(hb, 0x1b36, 0x0008, 0, 0x060000, 0x1af4, 0x1100);
    as_add_mmio(as, "pcie-ecam", cfg->ecam_base, cfg->ecam_size, &ecam_ops, g);
    g->mmio32 = (gpex_window){ g, false, cfg->mmio_base };
    g->mmio64 = (gpex_window){ g, false, cfg->mmio64_base };
    g->pio = (gpex_window){ g, true, cfg->pio_bus_base };
    as_add_mmio(as, "pcie-mmio", cfg->mmio_base, cfg->mmio_size, &window_ops, &g->mmio32);
    if (cfg->mmio64_size)
        as_add_mmio(as, "pcie-mmio-high", cfg->mmio64_base, cfg->mmio64_size, &window_ops, &g->mmio64);
    as_add_mmio(cfg->pio_as ? cfg->pio_as : as, "pcie-pio", cfg->pio_base, cfg->pio_size, &window_ops, &g->pio);
    device_register(devs, "pcie-host", &gpex_dev_ops, g);
    return g->bus;
}
