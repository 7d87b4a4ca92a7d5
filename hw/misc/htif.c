/* HTIF tohost/fromhost (see htif.h). The two words are MMIO overlays on guest RAM. */
#include "hw/misc/htif.h"
#include "core/clock.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct htif {
    address_space *as;
    uint64_t tohost, fromhost;
    uint64_t low;               /* the low half of an RV32-style split tohost write */
} htif;

static void syscall_proxy(htif *h, uint64_t addr)
{
    uint64_t blk[8];
    if (!dma_read(h->as, addr, blk, sizeof(blk))) {
        guest_error("guest_errors: htif: bad syscall block at 0x%llx\n", (unsigned long long)addr);
        return;
    }
    uint64_t ret = (uint64_t)-1;
    switch (blk[0]) {
    case 64: {                                  /* write(fd, buf, len) */
        uint64_t len = blk[3] > 65536 ? 65536 : blk[3];
        char *buf = malloc(len ? len : 1);
        if (buf && dma_read(h->as, blk[2], buf, len) && (blk[1] == 1 || blk[1] == 2)) {
            fflush(stdout);
            ret = (uint64_t)write(blk[1] == 2 ? 2 : 1, buf, len);
        }
        free(buf);
        break;
    }
    case 93:                                    /* exit(code) */
        main_loop_request_exit(blk[1] == 0 ? 0 : (blk[1] & 0xff) ? (int)(blk[1] & 0xff) : 1);
        return;
    default:
        guest_error("guest_errors: htif: unsupported syscall %llu\n", (unsigned long long)blk[0]);
        break;
    }
    blk[0] = ret;
    dma_write(h->as, addr, blk, 8);
    h->fromhost = 1;
}

static void tohost_cmd(htif *h, uint64_t v)
{
    unsigned dev = v >> 56, cmd = (v >> 48) & 0xff;
    uint64_t payload = v & ((1ull << 48) - 1);
    if (dev == 0 && cmd == 0) {
        if (payload & 1) {
            uint64_t code = payload >> 1;
            main_loop_request_exit(code == 0 ? 0 : code > 255 ? 255 : (int)code);
        } else {
            syscall_proxy(h, payload);
        }
    } else if (dev == 1 && cmd == 1) {
        fputc((int)(payload & 0xff), stdout);
        fflush(stdout);
        h->fromhost = (1ull << 56) | (1ull << 48);
    } else if (dev == 1 && cmd == 0) {
        /* console read: no input yet */
    } else {
        guest_error("guest_errors: htif: unknown command dev %u cmd %u\n", dev, cmd);
    }
}

static uint64_t tohost_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;                                   /* commands complete at once */
}

static void tohost_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    htif *h = opaque;
    if (size == 8 && off == 0) {
        if (val)
            tohost_cmd(opaque, val);
    } else if (off == 0) {
        h->low = val & 0xffffffffull;
        if (h->low & 1 && !(h->low >> 32))
            tohost_cmd(opaque, h->low);
    } else if (off == 4) {
        uint64_t v = h->low | (val << 32);
        if (v)
            tohost_cmd(opaque, v);
    }
}

static uint64_t fromhost_read(void *opaque, uint64_t off, unsigned size)
{
    htif *h = opaque;
    return off == 0 ? h->fromhost : off == 4 ? h->fromhost >> 32 : 0;
}

static void fromhost_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    htif *h = opaque;
    if (off == 0)
        h->fromhost = size == 8 ? val : (h->fromhost & ~0xffffffffull) | (val & 0xffffffffull);
}

static const mmio_ops tohost_ops = { tohost_read, tohost_write };
static const mmio_ops fromhost_ops = { fromhost_read, fromhost_write };

static const state_field htif_fields[] = { STATE_FIELD(htif, fromhost), STATE_FIELD(htif, low) };
static const state_desc htif_state = STATE_DESC(1, htif_fields);
static const device_ops htif_dev_ops = { .type = "htif", .state = &htif_state, .destroy = free };

void htif_create(device_list *devs, address_space *as, uint64_t tohost, uint64_t fromhost, bool has_fromhost)
{
    htif *h = calloc(1, sizeof(*h));
    if (!h)
        fatal("out of memory");
    h->as = as;
    h->tohost = tohost;
    h->fromhost = 0;
    device_register(devs, "htif", &htif_dev_ops, h);
    as_add_mmio(as, "htif-tohost", tohost, 8, &tohost_ops, h);
    if (has_fromhost)
        as_add_mmio(as, "htif-fromhost", fromhost, 8, &fromhost_ops, h);
}
