/*
 * virtio-gpu (virtio 1.2, section 5.7), 2D: the command set Linux's virtio-gpu DRM driver
 * uses without 3D, answered as QEMU's virtio-gpu answers it. Queue 0 carries control
 * commands, queue 1 the cursor. Resources are host copies of the guest's framebuffers:
 * TRANSFER_TO_HOST_2D copies from the guest pages attached as backing, RESOURCE_FLUSH
 * says which lines of the scanout changed, and the console's refresh (main thread, big
 * lock) copies only those lines. One scanout; its preferred size follows the window,
 * told to the guest with a config-change event as QEMU does.
 *
 * Every field the guest sends is checked: a bad request gets the spec's error response,
 * never a crash, and host memory for resources is capped (QEMU's max_hostmem).
 */
#include "hw/virtio/virtio_gpu.h"
#include "ui/console.h"
#include "ui/edid.h"
#include "core/log.h"
#include "core/memory.h"
#include <stdlib.h>
#include <string.h>

enum {
    /* 2D commands */
    CMD_GET_DISPLAY_INFO = 0x0100,
    CMD_RESOURCE_CREATE_2D,
    CMD_RESOURCE_UNREF,
    CMD_SET_SCANOUT,
    CMD_RESOURCE_FLUSH,
    CMD_TRANSFER_TO_HOST_2D,
    CMD_RESOURCE_ATTACH_BACKING,
    CMD_RESOURCE_DETACH_BACKING,
    CMD_GET_CAPSET_INFO,
    CMD_GET_CAPSET,
    CMD_GET_EDID,
    CMD_RESOURCE_ASSIGN_UUID,
    CMD_RESOURCE_CREATE_BLOB,
    CMD_SET_SCANOUT_BLOB,
    /* cursor commands */
    CMD_UPDATE_CURSOR = 0x0300,
    CMD_MOVE_CURSOR,
    /* responses */
    RESP_OK_NODATA = 0x1100,
    RESP_OK_DISPLAY_INFO,
    RESP_OK_CAPSET_INFO,
    RESP_OK_CAPSET,
    RESP_OK_EDID,
    RESP_ERR_UNSPEC = 0x1200,
    RESP_ERR_OUT_OF_MEMORY,
    RESP_ERR_INVALID_SCANOUT_ID,
    RESP_ERR_INVALID_RESOURCE_ID,
    RESP_ERR_INVALID_CONTEXT_ID,
    RESP_ERR_INVALID_PARAMETER,
};

enum {
    FMT_B8G8R8A8 = 1, FMT_B8G8R8X8 = 2, FMT_A8R8G8B8 = 3, FMT_X8R8G8B8 = 4,
    FMT_R8G8B8A8 = 67, FMT_X8B8G8R8 = 68, FMT_A8B8G8R8 = 121, FMT_R8G8B8X8 = 134,
};

#define FLAG_FENCE 1u
#define FLAG_INFO_RING_IDX 2u
#define F_EDID (1ull << 1)
#define EVENT_DISPLAY 1u

#define NUM_SCANOUTS 1
#define MAX_SCANOUTS 16                 /* entries in the display info response */
#define MAX_HOSTMEM (256ull << 20)      /* QEMU's max_hostmem */
#define MAX_BACKING_ENTRIES 16384       /* QEMU's limit on one ATTACH_BACKING */
#define RES_OVERHEAD 256                /* host bytes charged per resource for its bookkeeping */
#define CURSOR_DIM 64
#define MIN_SCANOUT_DIM 16              /* QEMU refuses smaller scanouts */
#define RES_BUCKETS 1024
#define EDID_SIZE 256

typedef struct gpu_hdr {
    uint32_t type, flags;
    uint64_t fence_id;
    uint32_t ctx_id;
    uint8_t ring_idx, pad[3];
} gpu_hdr;
typedef struct gpu_rect { uint32_t x, y, width, height; } gpu_rect;

typedef struct { gpu_hdr hdr; uint32_t resource_id, format, width, height; } create_2d_cmd;
typedef struct { gpu_hdr hdr; uint32_t resource_id, pad; } res_cmd;      /* unref, detach */
typedef struct { gpu_hdr hdr; gpu_rect r; uint32_t scanout_id, resource_id; } set_scanout_cmd;
typedef struct { gpu_hdr hdr; gpu_rect r; uint32_t resource_id, pad; } flush_cmd;
typedef struct { gpu_hdr hdr; gpu_rect r; uint64_t offset; uint32_t resource_id, pad; } transfer_cmd;
typedef struct { gpu_hdr hdr; uint32_t resource_id, nr_entries; } attach_cmd;
typedef struct { uint64_t addr; uint32_t length, pad; } mem_entry;
typedef struct { gpu_hdr hdr; uint32_t scanout, pad; } get_edid_cmd;
typedef struct {
    gpu_hdr hdr;
    uint32_t scanout_id, x, y, pad0;
    uint32_t resource_id, hot_x, hot_y, pad1;
} cursor_cmd;
typedef struct {
    gpu_hdr hdr;
    struct { gpu_rect r; uint32_t enabled, flags; } pmodes[MAX_SCANOUTS];
} resp_display_info;
typedef struct { gpu_hdr hdr; uint32_t size, pad; uint8_t edid[1024]; } resp_edid;

/* the layouts of virtio 1.2 section 5.7.6 */
_Static_assert(sizeof(gpu_hdr) == 24, "ctrl_hdr");
_Static_assert(sizeof(create_2d_cmd) == 40, "resource_create_2d");
_Static_assert(sizeof(res_cmd) == 32, "resource_unref");
_Static_assert(sizeof(set_scanout_cmd) == 48, "set_scanout");
_Static_assert(sizeof(flush_cmd) == 48, "resource_flush");
_Static_assert(sizeof(transfer_cmd) == 56, "transfer_to_host_2d");
_Static_assert(sizeof(attach_cmd) == 32, "resource_attach_backing");
_Static_assert(sizeof(mem_entry) == 16, "mem_entry");
_Static_assert(sizeof(cursor_cmd) == 56, "update_cursor");
_Static_assert(sizeof(resp_display_info) == 408, "resp_display_info");
_Static_assert(sizeof(resp_edid) == 1056, "resp_edid");

/* One run of guest memory backing a resource, at byte `start` of the backing. */
typedef struct gpu_ent { uint64_t addr, start; uint32_t len; } gpu_ent;

typedef struct gpu_res {
    struct gpu_res *next;       /* hash chain */
    uint32_t id, format, width, height;
    pixfmt fmt;
    unsigned skip;              /* formats with the pad/alpha byte first: show from byte 1 */
    uint8_t *data;              /* width * height * 4, then slack for `skip` */
    uint64_t hostmem;           /* charged for the pixels and bookkeeping */
    bool backed;                /* ATTACH_BACKING succeeded (maybe with no bytes) */
    gpu_ent *ents;              /* the runs with a length */
    uint32_t nents;
    uint64_t backing_len;
    uint64_t backing_mem;       /* charged for ents */
} gpu_res;

typedef struct vgpu {
    virtio_dev *vd;
    console *con;
    char *name;
    uint32_t pref_w, pref_h;    /* the mode offered: xres/yres, then the window's size */
    uint32_t events_read;
    gpu_res *buckets[RES_BUCKETS];
    uint64_t hostmem;
    struct {
        gpu_res *res;           /* NULL: disabled */
        uint32_t x, y, w, h;    /* the part of res shown */
    } scanout;
    uint32_t dirty_y0, dirty_y1;    /* scanout lines changed since the last refresh */
    bool blank_pending;             /* disabled since the last refresh */
    uint32_t cursor[CURSOR_DIM * CURSOR_DIM];   /* ARGB */
    /* the cursor as last told to the console, so a snapshot load can tell it again */
    bool cursor_on;
    uint32_t hot_x, hot_y;
    int32_t cursor_x, cursor_y;
} vgpu;

/* ---- resources ---- */

static unsigned bucket_of(uint32_t id)
{
    return (id * 2654435761u) >> 22;        /* 10 bits: RES_BUCKETS */
}

static gpu_res *find_res(vgpu *g, uint32_t id)
{
    for (gpu_res *r = g->buckets[bucket_of(id)]; r; r = r->next)
        if (r->id == id)
            return r;
    return NULL;
}

/* Which byte of a pixel holds red, green, blue and alpha (-1: opaque) for each format:
 * the format names give the bytes in memory order. */
typedef struct { uint32_t format; int8_t r, g, b, a; } fmt_layout;
static const fmt_layout layouts[] = {
    { FMT_B8G8R8A8, 2, 1, 0, 3 }, { FMT_B8G8R8X8, 2, 1, 0, -1 },
    { FMT_A8R8G8B8, 1, 2, 3, 0 }, { FMT_X8R8G8B8, 1, 2, 3, -1 },
    { FMT_R8G8B8A8, 0, 1, 2, 3 }, { FMT_X8B8G8R8, 3, 2, 1, -1 },
    { FMT_A8B8G8R8, 3, 2, 1, 0 }, { FMT_R8G8B8X8, 0, 1, 2, -1 },
};

static const fmt_layout *layout_of(uint32_t format)
{
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (layouts[i].format == format)
            return &layouts[i];
    return NULL;
}

static void drop_backing(vgpu *g, gpu_res *r)
{
    free(r->ents);
    r->ents = NULL;
    r->nents = 0;
    r->backing_len = 0;
    r->backed = false;
    g->hostmem -= r->backing_mem;
    r->backing_mem = 0;
}

static void disable_scanout(vgpu *g)
{
    if (!g->scanout.res)
        return;
    g->scanout.res = NULL;
    g->dirty_y0 = g->dirty_y1 = 0;
    g->blank_pending = true;
}

static void destroy_res(vgpu *g, gpu_res *r)
{
    if (g->scanout.res == r)
        disable_scanout(g);
    gpu_res **p = &g->buckets[bucket_of(r->id)];
    while (*p != r)
        p = &(*p)->next;
    *p = r->next;
    drop_backing(g, r);
    g->hostmem -= r->hostmem;
    free(r->data);
    free(r);
}

static void destroy_all(vgpu *g)
{
    for (unsigned i = 0; i < RES_BUCKETS; i++)
        while (g->buckets[i])
            destroy_res(g, g->buckets[i]);
}

/* Copy up to len bytes from byte `off` of r's backing into dst: the bytes copied. */
static size_t backing_read(virtio_dev *vd, const gpu_res *r, uint64_t off, uint8_t *dst, size_t len)
{
    if (off >= r->backing_len)
        return 0;
    if (len > r->backing_len - off)
        len = (size_t)(r->backing_len - off);
    /* the last run starting at or before off (runs are in order, none empty) */
    uint32_t lo = 0, hi = r->nents;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->ents[mid].start <= off)
            lo = mid;
        else
            hi = mid;
    }
    size_t done = 0;
    for (uint32_t i = lo; i < r->nents && done < len; i++) {
        const gpu_ent *e = &r->ents[i];
        uint64_t in = off + done - e->start;
        size_t n = (size_t)(e->len - in);
        if (n > len - done)
            n = len - done;
        if (!dma_read(vd->as, e->addr + in, dst + done, n)) {
            guest_error("guest_errors: virtio-gpu: backing of resource %u not in RAM\n", r->id);
            break;
        }
        done += n;
    }
    return done;
}

/* ---- control commands: each returns the response type ---- */

/* The whole command, or false when the request is shorter. */
static bool read_cmd(virtio_dev *vd, const vq_req *req, void *cmd, size_t len)
{
    if (vq_read(vd, req, 0, cmd, len) == len)
        return true;
    guest_error("guest_errors: virtio-gpu: command shorter than %zu bytes\n", len);
    return false;
}

/* A rectangle inside a w x h resource (64-bit sums: no wrap-around). */
static bool rect_inside(const gpu_rect *rc, uint32_t w, uint32_t h)
{
    return (uint64_t)rc->x + rc->width <= w && (uint64_t)rc->y + rc->height <= h;
}

static uint32_t display_info(vgpu *g, resp_display_info *resp)
{
    resp->pmodes[0].r.width = g->pref_w;
    resp->pmodes[0].r.height = g->pref_h;
    resp->pmodes[0].enabled = 1;
    return RESP_OK_DISPLAY_INFO;
}

static uint32_t get_edid(vgpu *g, virtio_dev *vd, const vq_req *req, resp_edid *resp)
{
    get_edid_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    if (c.scanout >= NUM_SCANOUTS)
        return RESP_ERR_INVALID_PARAMETER;
    resp->size = EDID_SIZE;
    edid_generate(resp->edid, EDID_SIZE, g->pref_w, g->pref_h, NULL);
    return RESP_OK_EDID;
}

static uint32_t create_2d(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    create_2d_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    if (c.resource_id == 0 || find_res(g, c.resource_id)) {
        guest_error("guest_errors: virtio-gpu: create: resource id %u is 0 or in use\n", c.resource_id);
        return RESP_ERR_INVALID_RESOURCE_ID;
    }
    const fmt_layout *l = layout_of(c.format);
    if (!l || !c.width || !c.height) {
        guest_error("guest_errors: virtio-gpu: create: format %u, %ux%u\n", c.format, c.width, c.height);
        return RESP_ERR_INVALID_PARAMETER;
    }
    /* width * height * 4 can exceed 64 bits: compare by division first */
    uint64_t bytes = c.width > MAX_HOSTMEM / 4 / c.height ? UINT64_MAX : (uint64_t)c.width * c.height * 4;
    uint64_t charge = bytes == UINT64_MAX ? UINT64_MAX : bytes + RES_OVERHEAD;
    if (charge > MAX_HOSTMEM - g->hostmem) {
        guest_error("guest_errors: virtio-gpu: create: %ux%u is over the host memory limit\n", c.width, c.height);
        return RESP_ERR_OUT_OF_MEMORY;
    }
    gpu_res *r = calloc(1, sizeof(*r));
    uint8_t *data = calloc(1, (size_t)bytes + 4);           /* the console reads 4 bytes from `skip` */
    if (!r || !data) {
        free(r);
        free(data);
        return RESP_ERR_OUT_OF_MEMORY;
    }
    r->id = c.resource_id;
    r->format = c.format;
    r->width = c.width;
    r->height = c.height;
    r->data = data;
    r->hostmem = charge;
    /* the console reads B,G,R or R,G,B at bytes 0-2; the formats with the pad or alpha
     * byte first have them at bytes 1-3, so their picture starts one byte later */
    r->skip = (l->r == 0 || l->b == 0) ? 0 : 1;
    r->fmt = l->b == (int)r->skip ? PIXFMT_XRGB8888 : PIXFMT_XBGR8888;
    unsigned b = bucket_of(r->id);
    r->next = g->buckets[b];
    g->buckets[b] = r;
    g->hostmem += charge;
    return RESP_OK_NODATA;
}

static uint32_t unref(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    res_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    gpu_res *r = find_res(g, c.resource_id);
    if (!r) {
        guest_error("guest_errors: virtio-gpu: unref: no resource %u\n", c.resource_id);
        return RESP_ERR_INVALID_RESOURCE_ID;
    }
    destroy_res(g, r);
    return RESP_OK_NODATA;
}

/* A resource that exists and (need_backing) has guest memory attached; else *err. */
static gpu_res *find_checked(vgpu *g, uint32_t id, bool need_backing, const char *what, uint32_t *err)
{
    gpu_res *r = find_res(g, id);
    if (!r) {
        guest_error("guest_errors: virtio-gpu: %s: no resource %u\n", what, id);
        *err = RESP_ERR_INVALID_RESOURCE_ID;
        return NULL;
    }
    if (need_backing && !r->backed) {
        guest_error("guest_errors: virtio-gpu: %s: resource %u has no backing\n", what, id);
        *err = RESP_ERR_UNSPEC;
        return NULL;
    }
    return r;
}

static void mark_dirty(vgpu *g, uint32_t y0, uint32_t y1)
{
    if (y0 >= y1)
        return;
    if (g->dirty_y0 >= g->dirty_y1) {
        g->dirty_y0 = y0;
        g->dirty_y1 = y1;
        return;
    }
    if (y0 < g->dirty_y0)
        g->dirty_y0 = y0;
    if (y1 > g->dirty_y1)
        g->dirty_y1 = y1;
}

static uint32_t set_scanout(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    set_scanout_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    if (c.scanout_id >= NUM_SCANOUTS) {
        guest_error("guest_errors: virtio-gpu: set_scanout: no scanout %u\n", c.scanout_id);
        return RESP_ERR_INVALID_SCANOUT_ID;
    }
    if (c.resource_id == 0) {
        disable_scanout(g);
        return RESP_OK_NODATA;
    }
    uint32_t err = RESP_OK_NODATA;
    gpu_res *r = find_checked(g, c.resource_id, true, "set_scanout", &err);
    if (!r)
        return err;
    if (c.r.width < MIN_SCANOUT_DIM || c.r.height < MIN_SCANOUT_DIM || !rect_inside(&c.r, r->width, r->height)) {
        guest_error("guest_errors: virtio-gpu: set_scanout: %ux%u+%u+%u on a %ux%u resource\n",
                    c.r.width, c.r.height, c.r.x, c.r.y, r->width, r->height);
        return RESP_ERR_INVALID_PARAMETER;
    }
    if (g->scanout.res != r || g->scanout.x != c.r.x || g->scanout.y != c.r.y ||
        g->scanout.w != c.r.width || g->scanout.h != c.r.height) {
        /* another picture: the console takes all of it */
        g->scanout.res = r;
        g->scanout.x = c.r.x;
        g->scanout.y = c.r.y;
        g->scanout.w = c.r.width;
        g->scanout.h = c.r.height;
        g->blank_pending = false;
        g->dirty_y0 = 0;
        g->dirty_y1 = c.r.height;
    }
    return RESP_OK_NODATA;
}

static uint32_t flush(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    flush_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    uint32_t err = RESP_OK_NODATA;
    gpu_res *r = find_checked(g, c.resource_id, false, "flush", &err);
    if (!r)
        return err;
    if (!rect_inside(&c.r, r->width, r->height)) {
        guest_error("guest_errors: virtio-gpu: flush: %ux%u+%u+%u on a %ux%u resource\n",
                    c.r.width, c.r.height, c.r.x, c.r.y, r->width, r->height);
        return RESP_ERR_INVALID_PARAMETER;
    }
    if (g->scanout.res != r)
        return RESP_OK_NODATA;
    /* the lines of the scanout the flushed rectangle covers (only lines are tracked) */
    uint64_t x0 = c.r.x, x1 = (uint64_t)c.r.x + c.r.width;
    uint64_t y0 = c.r.y, y1 = (uint64_t)c.r.y + c.r.height;
    uint64_t sx0 = g->scanout.x, sx1 = sx0 + g->scanout.w;
    uint64_t sy0 = g->scanout.y, sy1 = sy0 + g->scanout.h;
    if (x0 < sx0)
        x0 = sx0;
    if (x1 > sx1)
        x1 = sx1;
    if (y0 < sy0)
        y0 = sy0;
    if (y1 > sy1)
        y1 = sy1;
    if (x0 < x1 && y0 < y1)
        mark_dirty(g, (uint32_t)(y0 - sy0), (uint32_t)(y1 - sy0));
    return RESP_OK_NODATA;
}

static uint32_t transfer_to_host(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    transfer_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    uint32_t err = RESP_OK_NODATA;
    gpu_res *r = find_checked(g, c.resource_id, true, "transfer_to_host_2d", &err);
    if (!r)
        return err;
    if (!rect_inside(&c.r, r->width, r->height)) {
        guest_error("guest_errors: virtio-gpu: transfer: %ux%u+%u+%u on a %ux%u resource\n",
                    c.r.width, c.r.height, c.r.x, c.r.y, r->width, r->height);
        return RESP_ERR_INVALID_PARAMETER;
    }
    /* the guest's copy has the resource's layout: line h of the rectangle starts at
     * offset + h * stride of the backing (Linux passes offset = y * stride + x * 4);
     * what the backing does not hold stays as it was, as with QEMU */
    size_t stride = (size_t)r->width * 4;
    uint8_t *dst = r->data + (size_t)c.r.y * stride + (size_t)c.r.x * 4;
    if (c.r.x == 0 && c.r.width == r->width) {
        backing_read(vd, r, c.offset, dst, stride * c.r.height);
        return RESP_OK_NODATA;
    }
    for (uint32_t h = 0; h < c.r.height; h++) {
        uint64_t off;
        if (__builtin_add_overflow(c.offset, (uint64_t)h * stride, &off))
            break;
        backing_read(vd, r, off, dst + h * stride, (size_t)c.r.width * 4);
    }
    return RESP_OK_NODATA;
}

static uint32_t attach_backing(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    attach_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    uint32_t err = RESP_OK_NODATA;
    gpu_res *r = find_checked(g, c.resource_id, false, "attach_backing", &err);
    if (!r)
        return err;
    if (r->backed) {
        guest_error("guest_errors: virtio-gpu: attach_backing: resource %u already has backing\n", r->id);
        return RESP_ERR_UNSPEC;
    }
    if (c.nr_entries > MAX_BACKING_ENTRIES) {
        guest_error("guest_errors: virtio-gpu: attach_backing: %u entries\n", c.nr_entries);
        return RESP_ERR_UNSPEC;
    }
    if (c.nr_entries == 0)
        return RESP_OK_NODATA;          /* QEMU's answer; the resource stays unbacked */
    uint64_t charge = (uint64_t)c.nr_entries * sizeof(gpu_ent);
    if (charge > MAX_HOSTMEM - g->hostmem)
        return RESP_ERR_OUT_OF_MEMORY;
    size_t n = c.nr_entries;
    mem_entry *in = malloc(n * sizeof(*in));
    gpu_ent *ents = malloc(n * sizeof(*ents));
    if (!in || !ents) {
        free(in);
        free(ents);
        return RESP_ERR_OUT_OF_MEMORY;
    }
    uint32_t result = RESP_OK_NODATA;
    uint32_t k = 0;
    uint64_t total = 0;
    if (vq_read(vd, req, sizeof(c), in, n * sizeof(*in)) != n * sizeof(*in)) {
        guest_error("guest_errors: virtio-gpu: attach_backing: %u entries do not follow the command\n",
                    c.nr_entries);
        result = RESP_ERR_UNSPEC;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!in[i].length)
            continue;
        /* each run must be guest RAM, now: transfers then cannot touch anything else */
        if (in[i].addr + in[i].length < in[i].addr || !as_ram_ptr(vd->as, in[i].addr, in[i].length)) {
            guest_error("guest_errors: virtio-gpu: attach_backing: entry %zu (0x%llx, %u bytes) is not RAM\n",
                        i, (unsigned long long)in[i].addr, in[i].length);
            result = RESP_ERR_UNSPEC;
            goto out;
        }
        ents[k++] = (gpu_ent){ in[i].addr, total, in[i].length };
        total += in[i].length;
    }
    r->ents = ents;
    ents = NULL;
    r->nents = k;
    r->backing_len = total;
    r->backed = true;
    r->backing_mem = charge;
    g->hostmem += charge;
out:
    free(in);
    free(ents);
    return result;
}

static uint32_t detach_backing(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    res_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return RESP_ERR_UNSPEC;
    uint32_t err = RESP_OK_NODATA;
    gpu_res *r = find_checked(g, c.resource_id, true, "detach_backing", &err);
    if (!r)
        return err;
    drop_backing(g, r);
    return RESP_OK_NODATA;
}

static void handle_ctrl(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    union {
        gpu_hdr hdr;
        resp_display_info info;
        resp_edid edid;
    } resp;
    memset(&resp, 0, sizeof(resp));
    size_t resp_len = sizeof(gpu_hdr);
    gpu_hdr hdr;
    uint32_t type;
    if (!read_cmd(vd, req, &hdr, sizeof(hdr))) {
        memset(&hdr, 0, sizeof(hdr));
        type = RESP_ERR_UNSPEC;
    } else {
        switch (hdr.type) {
        case CMD_GET_DISPLAY_INFO:
            type = display_info(g, &resp.info);
            if (type == RESP_OK_DISPLAY_INFO)
                resp_len = sizeof(resp.info);
            break;
        case CMD_GET_EDID:
            type = get_edid(g, vd, req, &resp.edid);
            if (type == RESP_OK_EDID)
                resp_len = sizeof(resp.edid);
            break;
        case CMD_RESOURCE_CREATE_2D: type = create_2d(g, vd, req); break;
        case CMD_RESOURCE_UNREF: type = unref(g, vd, req); break;
        case CMD_SET_SCANOUT: type = set_scanout(g, vd, req); break;
        case CMD_RESOURCE_FLUSH: type = flush(g, vd, req); break;
        case CMD_TRANSFER_TO_HOST_2D: type = transfer_to_host(g, vd, req); break;
        case CMD_RESOURCE_ATTACH_BACKING: type = attach_backing(g, vd, req); break;
        case CMD_RESOURCE_DETACH_BACKING: type = detach_backing(g, vd, req); break;
        case CMD_RESOURCE_CREATE_BLOB:
        case CMD_SET_SCANOUT_BLOB:
            /* blob resources are not offered: QEMU answers these so */
            type = RESP_ERR_INVALID_PARAMETER;
            break;
        default:
            /* capsets, 3D, and what does not exist: 2D QEMU's answer */
            guest_error("guest_errors: virtio-gpu: unsupported command 0x%x\n", hdr.type);
            type = RESP_ERR_UNSPEC;
            break;
        }
    }
    resp.hdr.type = type;
    if (hdr.flags & FLAG_FENCE) {
        /* commands complete in order before the response, so a fence is simply echoed */
        resp.hdr.flags |= FLAG_FENCE;
        resp.hdr.fence_id = hdr.fence_id;
        resp.hdr.ctx_id = hdr.ctx_id;
        if (hdr.flags & FLAG_INFO_RING_IDX) {
            resp.hdr.flags |= FLAG_INFO_RING_IDX;
            resp.hdr.ring_idx = hdr.ring_idx;
        }
    }
    size_t n = vq_write(vd, req, 0, &resp, resp_len);
    if (n != resp_len)
        guest_error("guest_errors: virtio-gpu: response of %zu bytes got %zu\n", resp_len, n);
    vq_push(vd, 0, req, (uint32_t)n);
}

/* ---- cursor queue ---- */

static void handle_cursor(vgpu *g, virtio_dev *vd, const vq_req *req)
{
    cursor_cmd c;
    if (!read_cmd(vd, req, &c, sizeof(c)))
        return;
    if (c.scanout_id >= NUM_SCANOUTS)
        return;
    if (c.hdr.type == CMD_UPDATE_CURSOR) {
        bool visible = c.resource_id != 0;
        if (visible) {
            /* the image is the resource's host copy, transferred beforehand; anything
             * but 64x64 leaves the previous image, as in QEMU */
            gpu_res *r = find_res(g, c.resource_id);
            if (r && r->width == CURSOR_DIM && r->height == CURSOR_DIM) {
                const fmt_layout *l = layout_of(r->format);
                for (unsigned i = 0; i < CURSOR_DIM * CURSOR_DIM; i++) {
                    const uint8_t *p = r->data + 4 * i;
                    uint32_t a = l->a < 0 ? 0xff : p[l->a];
                    g->cursor[i] = a << 24 | (uint32_t)p[l->r] << 16 | (uint32_t)p[l->g] << 8 | p[l->b];
                }
            } else {
                guest_error("guest_errors: virtio-gpu: cursor resource %u is not a 64x64 one\n", c.resource_id);
            }
        }
        g->cursor_on = visible;
        g->hot_x = c.hot_x;
        g->hot_y = c.hot_y;
        if (g->con)
            console_set_cursor(g->con, visible ? g->cursor : NULL, CURSOR_DIM, CURSOR_DIM, c.hot_x, c.hot_y);
    } else if (c.hdr.type != CMD_MOVE_CURSOR) {
        guest_error("guest_errors: virtio-gpu: cursor queue: command 0x%x\n", c.hdr.type);
        return;
    }
    /* Linux sends the plane's position, which is negative off the top or left edge */
    g->cursor_x = (int32_t)c.x;
    g->cursor_y = (int32_t)c.y;
    if (g->con)
        console_move_cursor(g->con, (int32_t)c.x, (int32_t)c.y);
}

static void gpu_notify(virtio_dev *vd, unsigned q)
{
    vgpu *g = vd->priv;
    vq_req req;
    while (vq_pop(vd, q, &req) == 1) {
        if (q == 0) {
            handle_ctrl(g, vd, &req);
        } else {
            handle_cursor(g, vd, &req);
            vq_push(vd, q, &req, 0);
        }
    }
}

/* ---- configuration space: events_read, events_clear, num_scanouts, num_capsets ---- */

static void gpu_config_read(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len)
{
    vgpu *g = vd->priv;
    uint32_t cfg[4] = { g->events_read, 0, NUM_SCANOUTS, 0 };
    memset(buf, 0, len);
    if (off < sizeof(cfg))
        memcpy(buf, (uint8_t *)cfg + off, len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

static void gpu_config_write(virtio_dev *vd, uint32_t off, const uint8_t *buf, uint32_t len)
{
    vgpu *g = vd->priv;
    /* events_clear (bytes 4-7) is write-1-to-clear on events_read; the rest is read-only */
    for (uint32_t i = 0; i < len; i++) {
        uint64_t at = (uint64_t)off + i;
        if (at >= 4 && at < 8)
            g->events_read &= ~((uint32_t)buf[i] << (8 * (at - 4)));
    }
}

static void gpu_reset(virtio_dev *vd)
{
    vgpu *g = vd->priv;
    destroy_all(g);
    disable_scanout(g);
    g->blank_pending = true;
    g->events_read = 0;
    g->cursor_on = false;
    if (g->con)
        console_set_cursor(g->con, NULL, 0, 0, 0, 0);
}

/* ---- snapshots ----
 *
 * Saved: the mode offered and the pending display event; the cursor (image, hot spot,
 * position, shown or not); every resource (id, format, size, its backing as the guest-
 * physical runs it attached, and its host pixels); the scanout (which resource, which
 * part). The host pixels are saved, not re-read from the backing: they hold what the
 * guest last transferred, which the backing pages may have moved on from, and the
 * guest transfers again only what it changes. Commands complete inside the notify, so
 * none is in flight. Load builds the resources aside and checks everything a command
 * would check before it replaces the device's. */

static uint32_t clamp_dim(uint32_t v);

static void gpu_save(virtio_dev *vd, state_out *o)
{
    vgpu *g = vd->priv;
    state_put_u32(o, g->pref_w);
    state_put_u32(o, g->pref_h);
    state_put_u32(o, g->events_read);
    state_put_u8(o, g->cursor_on);
    state_put_u32(o, g->hot_x);
    state_put_u32(o, g->hot_y);
    state_put_u32(o, (uint32_t)g->cursor_x);
    state_put_u32(o, (uint32_t)g->cursor_y);
    for (unsigned i = 0; i < CURSOR_DIM * CURSOR_DIM; i++)
        state_put_u32(o, g->cursor[i]);
    uint32_t n = 0;
    for (unsigned b = 0; b < RES_BUCKETS; b++)
        for (gpu_res *r = g->buckets[b]; r; r = r->next)
            n++;
    state_put_u32(o, n);
    for (unsigned b = 0; b < RES_BUCKETS; b++) {
        for (gpu_res *r = g->buckets[b]; r; r = r->next) {
            state_put_u32(o, r->id);
            state_put_u32(o, r->format);
            state_put_u32(o, r->width);
            state_put_u32(o, r->height);
            state_put_u8(o, r->backed);
            state_put_u32(o, r->nents);
            for (uint32_t i = 0; i < r->nents; i++) {
                state_put_u64(o, r->ents[i].addr);
                state_put_u32(o, r->ents[i].len);
            }
            state_put(o, r->data, (size_t)r->width * r->height * 4);
        }
    }
    state_put_u32(o, g->scanout.res ? g->scanout.res->id : 0);
    state_put_u32(o, g->scanout.x);
    state_put_u32(o, g->scanout.y);
    state_put_u32(o, g->scanout.w);
    state_put_u32(o, g->scanout.h);
}

static void free_list(gpu_res *list)
{
    while (list) {
        gpu_res *r = list;
        list = r->next;
        free(r->ents);
        free(r->data);
        free(r);
    }
}

/* One saved resource, made as create_2d and attach_backing make it; NULL with err. */
static gpu_res *load_res(vgpu *g, virtio_dev *vd, state_in *in, gpu_res *list, uint64_t *hostmem,
                         char *err, size_t errsize)
{
    uint32_t id = state_get_u32(in), format = state_get_u32(in);
    uint32_t w = state_get_u32(in), h = state_get_u32(in);
    bool backed = state_get_u8(in) != 0;
    uint32_t nents = state_get_u32(in);
    if (in->bad)
        return NULL;
    const fmt_layout *l = layout_of(format);
    bool dup = false;
    for (gpu_res *r = list; r && !dup; r = r->next)
        dup = r->id == id;
    if (!id || dup || !l || !w || !h || nents > MAX_BACKING_ENTRIES || (nents && !backed)) {
        snprintf(err, errsize, "virtio-gpu: resource %u (format %u, %ux%u, %u runs) is not one a guest can make",
                 id, format, w, h, nents);
        return NULL;
    }
    uint64_t bytes = w > MAX_HOSTMEM / 4 / h ? UINT64_MAX : (uint64_t)w * h * 4;
    uint64_t charge = bytes == UINT64_MAX ? UINT64_MAX : bytes + RES_OVERHEAD;
    uint64_t ent_charge = (uint64_t)nents * sizeof(gpu_ent);
    if (charge > MAX_HOSTMEM - *hostmem || ent_charge > MAX_HOSTMEM - *hostmem - charge) {
        snprintf(err, errsize, "virtio-gpu: resources over the host memory limit");
        return NULL;
    }
    gpu_res *r = calloc(1, sizeof(*r));
    uint8_t *data = calloc(1, (size_t)bytes + 4);
    gpu_ent *ents = nents ? malloc(nents * sizeof(*ents)) : NULL;
    if (!r || !data || (nents && !ents))
        fatal("out of memory");
    r->id = id;
    r->format = format;
    r->width = w;
    r->height = h;
    r->data = data;
    r->ents = ents;
    r->hostmem = charge;
    r->skip = (l->r == 0 || l->b == 0) ? 0 : 1;
    r->fmt = l->b == (int)r->skip ? PIXFMT_XRGB8888 : PIXFMT_XBGR8888;
    r->backed = backed;
    r->backing_mem = backed && nents ? ent_charge : 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < nents; i++) {
        uint64_t addr = state_get_u64(in);
        uint32_t len = state_get_u32(in);
        if (in->bad)
            break;
        if (!len || addr + len < addr || !as_ram_ptr(vd->as, addr, len)) {
            snprintf(err, errsize, "virtio-gpu: resource %u's backing (0x%llx, %u bytes) is not RAM",
                     id, (unsigned long long)addr, len);
            free_list(r);
            return NULL;
        }
        ents[i] = (gpu_ent){ addr, total, len };
        total += len;
    }
    r->nents = nents;
    r->backing_len = total;
    if (!state_get(in, data, (size_t)bytes)) {
        free_list(r);
        return NULL;
    }
    *hostmem += charge + r->backing_mem;
    return r;
}

static bool gpu_load(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize)
{
    vgpu *g = vd->priv;
    uint32_t pref_w = state_get_u32(in), pref_h = state_get_u32(in), events = state_get_u32(in);
    bool cursor_on = state_get_u8(in) != 0;
    uint32_t hot_x = state_get_u32(in), hot_y = state_get_u32(in);
    int32_t cx = (int32_t)state_get_u32(in), cy = (int32_t)state_get_u32(in);
    uint32_t *cursor = malloc(sizeof(g->cursor));
    if (!cursor)
        fatal("out of memory");
    for (unsigned i = 0; i < CURSOR_DIM * CURSOR_DIM; i++)
        cursor[i] = state_get_u32(in);
    uint32_t n = state_get_u32(in);
    gpu_res *list = NULL;
    uint64_t hostmem = 0;
    err[0] = 0;
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        gpu_res *r = load_res(g, vd, in, list, &hostmem, err, errsize);
        if (!r)
            break;
        r->next = list;
        list = r;
    }
    uint32_t sid = state_get_u32(in), sx = state_get_u32(in), sy = state_get_u32(in);
    uint32_t sw = state_get_u32(in), sh = state_get_u32(in);
    gpu_res *shown = NULL;
    if (!err[0] && !in->bad && sid) {
        for (gpu_res *r = list; r; r = r->next)
            if (r->id == sid)
                shown = r;
        gpu_rect rc = { sx, sy, sw, sh };
        if (!shown || !shown->backed || sw < MIN_SCANOUT_DIM || sh < MIN_SCANOUT_DIM ||
            !rect_inside(&rc, shown->width, shown->height))
            snprintf(err, errsize, "virtio-gpu: scanout of resource %u (%ux%u+%u+%u) is not one a guest can set",
                     sid, sw, sh, sx, sy);
    }
    if (!err[0] && (in->bad || !pref_w || !pref_h))
        snprintf(err, errsize, "virtio-gpu: its state is cut short");
    if (err[0]) {
        free_list(list);
        free(cursor);
        return false;
    }
    destroy_all(g);
    while (list) {
        gpu_res *r = list;
        list = r->next;
        unsigned b = bucket_of(r->id);
        r->next = g->buckets[b];
        g->buckets[b] = r;
    }
    g->hostmem = hostmem;
    g->pref_w = clamp_dim(pref_w);
    g->pref_h = clamp_dim(pref_h);
    g->events_read = events;
    memcpy(g->cursor, cursor, sizeof(g->cursor));
    free(cursor);
    g->cursor_on = cursor_on;
    g->hot_x = hot_x;
    g->hot_y = hot_y;
    g->cursor_x = cx;
    g->cursor_y = cy;
    g->scanout.res = shown;
    g->scanout.x = sx;
    g->scanout.y = sy;
    g->scanout.w = sw;
    g->scanout.h = sh;
    return true;
}

/* The console shows the loaded picture whole and the loaded cursor. */
static void gpu_post_load(virtio_dev *vd)
{
    vgpu *g = vd->priv;
    if (g->scanout.res) {
        g->blank_pending = false;
        g->dirty_y0 = 0;
        g->dirty_y1 = g->scanout.h;
    } else {
        g->blank_pending = true;
        g->dirty_y0 = g->dirty_y1 = 0;
    }
    if (g->con) {
        console_set_cursor(g->con, g->cursor_on ? g->cursor : NULL, CURSOR_DIM, CURSOR_DIM, g->hot_x, g->hot_y);
        console_move_cursor(g->con, g->cursor_x, g->cursor_y);
    }
}

static void gpu_destroy(virtio_dev *vd)
{
    /* at teardown only: the console keeps pointing here and cannot be unregistered */
    vgpu *g = vd->priv;
    destroy_all(g);
    free(g->name);
    free(g);
}

const virtio_backend virtio_gpu_backend = {
    .name = "virtio-gpu",
    .device_id = 16,
    .num_queues = 2,
    .features = F_EDID,
    .config_read = gpu_config_read,
    .config_write = gpu_config_write,
    .queue_notify = gpu_notify,
    .reset = gpu_reset,
    .destroy = gpu_destroy,
    .state_version = 1,
    .save = gpu_save,
    .load = gpu_load,
    .post_load = gpu_post_load,
};

/* ---- the console ---- */

static void gpu_refresh(void *opaque, console *c, bool full)
{
    vgpu *g = opaque;
    gpu_res *r = g->scanout.res;
    if (!r) {
        if (full || g->blank_pending)
            console_blank(c);
        g->blank_pending = false;
        return;
    }
    uint32_t y0 = full ? 0 : g->dirty_y0, y1 = full ? g->scanout.h : g->dirty_y1;
    g->dirty_y0 = g->dirty_y1 = 0;
    if (y0 >= y1)
        return;
    size_t stride = (size_t)r->width * 4;
    gfx_surface s = {
        .width = g->scanout.w,
        .height = g->scanout.h,
        .stride = (uint32_t)stride,
        .fmt = r->fmt,
        .data = r->data + (size_t)g->scanout.y * stride + (size_t)g->scanout.x * 4 + r->skip,
    };
    console_update(c, &s, y0, y1);
}

/* The modes the EDID can describe (and Linux takes from it), so that the display info
 * and the EDID always agree. */
static uint32_t clamp_dim(uint32_t v)
{
    return v < EDID_MIN_DIM ? EDID_MIN_DIM : v > EDID_MAX_DIM ? EDID_MAX_DIM : v;
}

static void gpu_resize_hint(void *opaque, uint32_t w, uint32_t h)
{
    vgpu *g = opaque;
    if (!w || !h)
        return;
    w = clamp_dim(w);
    h = clamp_dim(h);
    big_lock();
    if (w != g->pref_w || h != g->pref_h) {
        g->pref_w = w;
        g->pref_h = h;
        /* the guest re-reads display info and EDID on a display event (QEMU does this) */
        g->events_read |= EVENT_DISPLAY;
        virtio_dev *vd = g->vd;
        if (vd && (vd->status & VIRTIO_STATUS_DRIVER_OK)) {
            vd->isr |= 2;
            vd->notify_queue = -1;
            if (vd->notify)
                vd->notify(vd);
        }
    }
    big_unlock();
}

static const console_ops gpu_console_ops = {
    .refresh = gpu_refresh,
    .resize_hint = gpu_resize_hint,
};

void *virtio_gpu_new(uint32_t xres, uint32_t yres, const char *name)
{
    vgpu *g = calloc(1, sizeof(*g));
    if (!g || !(g->name = strdup(name ? name : "virtio-gpu")))
        fatal("out of memory");
    if (!xres || !yres) {
        xres = 1280;
        yres = 800;
    }
    g->pref_w = clamp_dim(xres);
    g->pref_h = clamp_dim(yres);
    g->blank_pending = true;
    return g;
}

bool virtio_gpu_attach(virtio_dev *vd, char *err, size_t errsize)
{
    (void)err;
    (void)errsize;
    vgpu *g = vd->priv;
    g->vd = vd;
    if (!g->con)
        g->con = console_new_graphic(g->name, &gpu_console_ops, g);
    return true;
}
