/*
 * A conventional PCI bus, as the guest sees it through its host bridge: functions with
 * a 4 KiB configuration space (type 0 header, capability list), BARs the guest sizes
 * and places, the command register's enables, and INTx. A host bridge (ECAM on virt,
 * 0xCF8/0xCFC on microvm) reaches configuration space through pci_config_read/write;
 * the bus maps enabled BARs into the host bridge's windows and routes INTx.
 *
 * BAR mapping goes through the bridge's windows, which are fixed MMIO regions of the
 * machine: an access to a window looks up the BAR that covers it, under the big lock
 * like every device access, so BARs may appear, move and go while vCPUs run without
 * the address space ever changing under them.
 *
 * A RAM-backed BAR (VRAM, shared memory) is host memory the device owns. Besides the
 * window path it is an overlay of the address space (core/memory.h) wherever it is
 * mapped wholly inside a memory window, so that CPU loads and stores reach it directly;
 * when it appears, moves or goes the host bridge's ram_moved hook tells whoever caches
 * translations (the harts' TLBs, KVM's memory slots).
 */
#ifndef TERN_PCI_H
#define TERN_PCI_H

#include "core/memory.h"
#include "core/device.h"
#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_SIZE 4096
#define PCI_MAX_DEVFN 256
#define PCI_NUM_BARS 6

/* configuration space offsets */
enum {
    PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
    PCI_REVISION = 0x08, PCI_CLASS_PROG = 0x09, PCI_CLASS_DEVICE = 0x0a, PCI_HEADER_TYPE = 0x0e,
    PCI_BAR0 = 0x10, PCI_SUBSYS_VENDOR = 0x2c, PCI_SUBSYS_ID = 0x2e, PCI_CAP_PTR = 0x34,
    PCI_INTERRUPT_LINE = 0x3c, PCI_INTERRUPT_PIN = 0x3d,
};
enum { PCI_CMD_IO = 1, PCI_CMD_MEM = 2, PCI_CMD_MASTER = 4, PCI_CMD_INTX_DISABLE = 0x400 };
enum { PCI_STATUS_INTX = 0x08, PCI_STATUS_CAP_LIST = 0x10 };

typedef struct pci_dev pci_dev;
typedef struct pci_bus pci_bus;

typedef enum { PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO } pci_bar_kind;

typedef struct pci_bar {
    uint64_t size;                  /* a power of two; 0: no BAR here */
    pci_bar_kind kind;
    bool prefetch;
    const mmio_ops *ops;
    void *opaque;
    uint8_t *ram;                   /* RAM-backed: host memory of `size` bytes (ops NULL) */
    int overlay;                    /* its address-space overlay, -1 until first mapped */
    uint64_t ram_at;                /* where the overlay shows; PCI_UNMAPPED: nowhere */
    uint64_t mapped;                /* bus address it answers at; PCI_UNMAPPED: none */
    _Atomic uint64_t *dirty;        /* RAM-backed and tracked: a bit per 4 KiB page written */
} pci_bar;
#define PCI_UNMAPPED (~0ull)

struct pci_dev {
    pci_bus *bus;
    unsigned devfn;
    const char *name;               /* the model, for messages */
    const char *qdev_id;            /* the user's id= (NULL: none), for info pci */
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE]; /* bits the guest may write */
    uint8_t next_cap;               /* where the next capability goes */
    pci_bar bars[PCI_NUM_BARS];
    bool irq_level;                 /* INTx as the device drives it */
    /* optional: the device sees a config write after it took effect (MSI-X enable),
     * and may give a config read another value (a window into a BAR) */
    void (*config_written)(pci_dev *d, unsigned off, unsigned len);
    uint32_t (*config_read)(pci_dev *d, unsigned off, unsigned len, uint32_t val);
    void *opaque;                   /* the device model's state */
};

/* The host bridge's side of the bus. */
typedef struct pci_bus_host {
    /* INTx: a device's pin (1-4) changed level; the bridge swizzles and drives a line */
    void (*set_intx)(void *opaque, unsigned devfn, unsigned pin, bool level);
    void *opaque;
    /* the windows BARs may be placed in (bus addresses = CPU addresses for memory) */
    uint64_t mem_base, mem_size, mem64_base, mem64_size, io_base, io_size;
    /* RAM-backed BARs: the CPU's address space, and who to tell when one moved (its
     * overlay id, host memory, and where it showed before and shows now) */
    address_space *as;
    void (*ram_moved)(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t old_at,
                      uint64_t new_at);
    /* A tracked RAM BAR's writes are being collected (pci_bar_take_dirty): whoever lets
     * the CPUs write it directly must stop doing so unseen (drop the harts' writable
     * translations of host..host+size) or say which pages it saw written (OR them
     * into bitmap: KVM's dirty log of the overlay's slot). */
    void (*ram_sync_dirty)(void *opaque, int overlay, uint8_t *host, uint64_t size, uint64_t *bitmap);
    bool ram_sync_always;           /* call it even when no bit was set (KVM's log) */
    void *ram_opaque;
} pci_bus_host;

struct pci_bus {
    pci_bus_host host;
    pci_dev *devs[PCI_MAX_DEVFN];
    pci_dev *list[PCI_MAX_DEVFN];   /* the functions present, for the windows' lookups */
    unsigned nlist;
    const char *name;               /* "pcie.0": -device ...,bus= */
};

pci_bus *pci_bus_new(const char *name, const pci_bus_host *host);
void pci_bus_free(pci_bus *b);

/* A function at devfn (slot << 3 | fn), or the first free slot's function 0 if devfn
 * is -1. NULL (with a reason) if taken or full. The device fills its IDs and BARs. */
pci_dev *pci_dev_new(pci_bus *b, int devfn, const char *name, char *err, size_t errsize);
void pci_set_ids(pci_dev *d, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
                 uint16_t subsys_vendor, uint16_t subsys_id);
void pci_set_bar(pci_dev *d, int bar, pci_bar_kind kind, uint64_t size, bool prefetch,
                 const mmio_ops *ops, void *opaque);
/* A memory BAR backed by host memory (size >= 4 KiB, a power of two), which the device
 * keeps for its lifetime. */
void pci_set_bar_ram(pci_dev *d, int bar, pci_bar_kind kind, uint64_t size, bool prefetch, uint8_t *host);
/* Track writes to RAM BAR `bar` (VRAM), however they come: CPU stores through the
 * overlay or the window, KVM's dirty log. */
void pci_bar_track_dirty(pci_dev *d, int bar);
/* The pages of a tracked RAM BAR written since the last call (all of them the first
 * time, and after it moved): bit i of bitmap (size / 4 KiB bits, zeroed by the caller)
 * for bytes 4096i..; true if any. Under the big lock. */
bool pci_bar_take_dirty(pci_dev *d, int bar, uint64_t *bitmap);
void pci_set_intx_pin(pci_dev *d, unsigned pin);          /* 1-4: INTA-INTD */
/* Add a capability of len bytes (id, next pointer and the rest), returning its offset;
 * the bytes after the header are the caller's to fill. */
unsigned pci_add_capability(pci_dev *d, uint8_t id, unsigned len);
/* Drive the function's INTx (masked by the command register's INTx disable). */
void pci_set_irq(pci_dev *d, bool level);
/* Bus mastering on: the device may do DMA. */
bool pci_bus_master(const pci_dev *d);

/* Configuration space by bus/device/function number (the host bridge's accesses). A
 * missing function reads all ones and ignores writes. */
uint32_t pci_config_read(pci_bus *b, unsigned devfn, unsigned off, unsigned len);
void pci_config_write(pci_bus *b, unsigned devfn, unsigned off, uint32_t val, unsigned len);

/* A window access at bus address addr: the mapped BAR of the right kind that covers it. */
bool pci_window_read(pci_bus *b, bool io, uint64_t addr, unsigned size, uint64_t *val);
bool pci_window_write(pci_bus *b, bool io, uint64_t addr, unsigned size, uint64_t val);

/* Back to power-on: every function's command register and BARs cleared. */
void pci_bus_reset(pci_bus *b);
/* Snapshots. The host bridge saves its bus: every function's configuration space (the
 * BARs' addresses and the command register among it) and INTx level, in devfn order.
 * Load checks that the same functions (vendor and device IDs) sit at the same places
 * and changes nothing when they do not; post_load maps the BARs where the loaded
 * configuration puts them (RAM BARs' overlays included) and re-drives INTx. */
void pci_bus_save(pci_bus *b, state_out *o);
bool pci_bus_load(pci_bus *b, state_in *in, char *err, size_t errsize);
void pci_bus_post_load(pci_bus *b);
/* The bytes of RAM BAR `bar` (VRAM, shared memory) as device state: the pages that are
 * not all zero, with a bitmap of which. Load writes every page (zeroing the others) and
 * marks a tracked BAR wholly dirty, so a display redraws all of it. */
void pci_bar_ram_save(const pci_dev *d, int bar, state_out *o);
bool pci_bar_ram_load(pci_dev *d, int bar, state_in *in, char *err, size_t errsize);

/* Firmware's BAR placement (a PC BIOS's job): see pci.c. */
void pci_bus_assign_bars(pci_bus *b);
/* The guest-programmed address of BAR i (type bits dropped), for the monitors. */
uint64_t pci_bar_address(const pci_dev *d, int i);
/* The name lspci and QEMU give a class code (class << 16 | subclass << 8 | prog-if). */
const char *pci_class_name(uint32_t cls);
/* info pci */
void pci_bus_print(pci_bus *b, void (*out)(void *opaque, const char *text), void *opaque);

#endif
