/*
 * virtio-input (virtio 1.x, section 5.8; device ID 18): keyboard, mouse and tablet.
 * Queue 0 (eventq) carries evdev events to the driver, one 8-byte event per buffer;
 * queue 1 (statusq) brings LED changes back. The configuration space answers the
 * driver's (select, subsel) questions: name, IDs, and which events the device sends.
 * Everything the guest can see (names, IDs, event bits, axis ranges) is as in QEMU's
 * virtio-keyboard/-mouse/-tablet, which guests and scripts recognise.
 *
 * Events wait in a ring in the device until the driver has posted buffers. They travel
 * in groups ending in SYN_REPORT, and a group goes only whole: the driver hands each
 * event to the input core at once, so half a group would reach applications as a state
 * that never was (a button press without its position, say).
 */
#include "hw/virtio/virtio_input.h"
#include "ui/input.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* configuration space selectors */
enum {
    CFG_UNSET = 0x00, CFG_ID_NAME = 0x01, CFG_ID_SERIAL = 0x02, CFG_ID_DEVIDS = 0x03,
    CFG_PROP_BITS = 0x10, CFG_EV_BITS = 0x11, CFG_ABS_INFO = 0x12,
};
/* struct virtio_input_config: select, subsel, size, 5 reserved bytes, a 128-byte union */
#define CFG_UNION 8
#define CFG_SIZE (CFG_UNION + 128)

/* evdev types and codes beyond ui/input.h's */
#define EV_LED 0x11
#define EV_REP 0x14
#define LED_NUML 0
#define LED_CAPSL 1
#define LED_SCROLLL 2
#define BTN_TOUCH 0x14a
#define BTN_GEAR_DOWN 0x150
#define BTN_GEAR_UP 0x151
#define BUS_VIRTUAL 0x06

/* Events held for the driver: past this, the oldest whole group is dropped. */
#define RING_EVENTS 256

typedef struct vi_event { uint16_t type, code; int32_t value; } vi_event;

typedef struct vinput {
    virtio_input_kind kind;
    virtio_dev *vd;
    input_handler handler;
    bool registered;
    /* EV_BITS for the types the router sends (KEY, REL, ABS): advertised, and the
     * filter for what the device passes on (the guest's input core would drop the rest) */
    uint8_t bits[INPUT_EV_ABS + 1][128];
    uint8_t select, subsel;
    uint8_t cfg[CFG_SIZE];       /* what the driver reads for (select, subsel) */
    vi_event ring[RING_EVENTS];
    unsigned head, count;        /* the queued events, oldest first */
    unsigned open;               /* of which the last `open` are a group not yet ended */
    bool discarding;             /* the open group did not fit the ring: drop to its end */
    uint8_t leds;                /* LED state the driver last set (bit per LED_*) */
} vinput;

/*
 * The keys QEMU's virtio-keyboard advertises: every Linux key code its key code table
 * (keycodemapdb's QKeyCode column) maps a key to, as inclusive ranges.
 */
static const uint16_t keyboard_keys[][2] = {
    { 1, 83 }, { 86, 89 }, { 91, 94 }, { 96, 111 }, { 113, 117 }, { 119, 119 },
    { 121, 140 }, { 142, 143 }, { 155, 159 }, { 163, 166 }, { 172, 173 }, { 183, 194 },
    { 226, 226 },   /* KEY_MEDIA */
};

/* QEMU's pointer buttons; the gear "buttons" are its wheel buttons, advertised though
 * the wheel goes as REL_WHEEL, and BTN_TOUCH is its touch button. */
static const uint16_t pointer_buttons[] = {
    INPUT_BTN_LEFT, INPUT_BTN_RIGHT, INPUT_BTN_MIDDLE, INPUT_BTN_SIDE, INPUT_BTN_EXTRA,
    BTN_TOUCH, BTN_GEAR_DOWN, BTN_GEAR_UP,
};

static const char *const names[] = {
    [VIRTIO_INPUT_KEYBOARD] = "QEMU Virtio Keyboard",
    [VIRTIO_INPUT_MOUSE] = "QEMU Virtio Mouse",
    [VIRTIO_INPUT_TABLET] = "QEMU Virtio Tablet",
};

static void set_bit(uint8_t *map, unsigned bit)
{
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static bool test_bit(const uint8_t *map, unsigned bit)
{
    return bit < 128 * 8 && (map[bit / 8] >> (bit % 8)) & 1;
}

/* A bitmap's size as the config space gives it: up to its last non-zero byte. */
static uint8_t bitmap_size(const uint8_t *map)
{
    unsigned n = 128;
    while (n && !map[n - 1])
        n--;
    return (uint8_t)n;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

/* ---- configuration space ---- */

/* Fill the image the driver reads for the current (select, subsel); size 0 means
 * "nothing here", which is also the answer to anything unknown. */
static void select_config(vinput *vi)
{
    uint8_t *u = vi->cfg + CFG_UNION;
    uint8_t size = 0;
    memset(vi->cfg, 0, sizeof(vi->cfg));
    vi->cfg[0] = vi->select;
    vi->cfg[1] = vi->subsel;
    switch (vi->select) {
    case CFG_ID_NAME:
        if (vi->subsel == 0) {
            /* the size counts the NUL, as QEMU's does */
            size = (uint8_t)(strlen(names[vi->kind]) + 1);
            memcpy(u, names[vi->kind], size);
        }
        break;
    case CFG_ID_DEVIDS:
        if (vi->subsel == 0) {
            /* QEMU's: its USB HID vendor; the mouse and tablet are version 2, the
             * ones with a wheel axis */
            put_le16(u, BUS_VIRTUAL);
            put_le16(u + 2, 0x0627);
            put_le16(u + 4, (uint16_t)(vi->kind + 1));
            put_le16(u + 6, vi->kind == VIRTIO_INPUT_KEYBOARD ? 1 : 2);
            size = 8;
        }
        break;
    case CFG_EV_BITS:
        if (vi->subsel >= INPUT_EV_KEY && vi->subsel <= INPUT_EV_ABS) {
            memcpy(u, vi->bits[vi->subsel], 128);
            size = bitmap_size(u);
        } else if (vi->kind == VIRTIO_INPUT_KEYBOARD && vi->subsel == EV_LED) {
            set_bit(u, LED_NUML);
            set_bit(u, LED_CAPSL);
            set_bit(u, LED_SCROLLL);
            size = 1;
        } else if (vi->kind == VIRTIO_INPUT_KEYBOARD && vi->subsel == EV_REP) {
            /* a non-empty answer turns on the guest's own autorepeat; no codes */
            size = 1;
        }
        break;
    case CFG_ABS_INFO:
        if (vi->kind == VIRTIO_INPUT_TABLET && (vi->subsel == INPUT_ABS_X || vi->subsel == INPUT_ABS_Y)) {
            /* min, max, fuzz, flat, res */
            put_le32(u, 0);
            put_le32(u + 4, INPUT_ABS_MAX);
            size = 20;
        }
        break;
    default:
        /* CFG_ID_SERIAL (QEMU has none unless told one), CFG_PROP_BITS (no properties
         * on these three), CFG_UNSET and anything else */
        break;
    }
    vi->cfg[2] = size;
}

static void input_config_read(virtio_dev *vd, uint32_t off, uint8_t *buf, uint32_t len)
{
    vinput *vi = vd->priv;
    memset(buf, 0, len);
    if (off < CFG_SIZE)
        memcpy(buf, vi->cfg + off, len < CFG_SIZE - off ? len : CFG_SIZE - off);
}

static void input_config_write(virtio_dev *vd, uint32_t off, const uint8_t *buf, uint32_t len)
{
    vinput *vi = vd->priv;
    bool changed = false;
    /* only select and subsel are the driver's to write; the rest is read-only */
    for (uint32_t i = 0; i < len; i++) {
        uint64_t o = (uint64_t)off + i;
        if (o == 0) {
            vi->select = buf[i];
            changed = true;
        } else if (o == 1) {
            vi->subsel = buf[i];
            changed = true;
        }
    }
    if (changed)
        select_config(vi);
}

/* ---- the event ring ---- */

static bool driver_ready(virtio_dev *vd)
{
    return vd && (vd->status & VIRTIO_STATUS_DRIVER_OK) && !(vd->status & VIRTIO_STATUS_NEEDS_RESET);
}

static vi_event *ring_at(vinput *vi, unsigned i)
{
    return &vi->ring[(vi->head + i) % RING_EVENTS];
}

static void ring_drop_head(vinput *vi, unsigned n)
{
    vi->head = (vi->head + n) % RING_EVENTS;
    vi->count -= n;
}

/* Events in the oldest complete group, its SYN_REPORT included; 0 if there is none. */
static unsigned first_group_len(vinput *vi)
{
    unsigned complete = vi->count - vi->open;
    for (unsigned i = 0; i < complete; i++) {
        vi_event *e = ring_at(vi, i);
        if (e->type == INPUT_EV_SYN && e->code == INPUT_SYN_REPORT)
            return i + 1;
    }
    return 0;
}

/* Deliver whole groups while the driver has posted buffers for them. */
static void flush(vinput *vi)
{
    virtio_dev *vd = vi->vd;
    if (!driver_ready(vd) || !vd->vq[0].ready)
        return;
    virtqueue *vq = &vd->vq[0];
    unsigned len;
    while ((len = first_group_len(vi)) != 0) {
        if (len > vq->num) {
            /* more events than the queue has buffers: it could never go */
            ring_drop_head(vi, len);
            continue;
        }
        /* how many buffers are posted (vq_pop checks the index against the queue size
         * and reports a bad one; an unreadable ring just delivers nothing) */
        uint16_t avail_idx;
        if (!dma_read(vd->as, vq->avail + 2, &avail_idx, 2))
            return;
        if ((uint16_t)(avail_idx - vq->last_avail) < len)
            return;              /* wait for the driver to post more */
        for (unsigned i = 0; i < len; i++) {
            vq_req req;
            if (vq_pop(vd, 0, &req) != 1)
                return;          /* malformed (NEEDS_RESET), or the guest took buffers back */
            vi_event *e = ring_at(vi, 0);
            uint8_t b[8];
            put_le16(b, e->type);
            put_le16(b + 2, e->code);
            put_le32(b + 4, (uint32_t)e->value);
            ring_drop_head(vi, 1);
            size_t n = vq_write(vd, &req, 0, b, sizeof(b));
            vq_push(vd, 0, &req, (uint32_t)n);
        }
    }
}

/* Make room for one event by dropping the oldest complete group; false if the ring
 * holds nothing but the open group. */
static bool make_room(vinput *vi)
{
    if (vi->count < RING_EVENTS)
        return true;
    unsigned len = first_group_len(vi);
    if (!len)
        return false;
    ring_drop_head(vi, len);
    return true;
}

static void drop_open_group(vinput *vi)
{
    vi->count -= vi->open;
    vi->open = 0;
}

static void append(vinput *vi, uint16_t type, uint16_t code, int32_t value)
{
    *ring_at(vi, vi->count) = (vi_event){ type, code, value };
    vi->count++;
    vi->open++;
}

static bool wanted(vinput *vi, uint16_t type, uint16_t code)
{
    return type <= INPUT_EV_ABS && type != INPUT_EV_SYN && test_bit(vi->bits[type], code);
}

/* The router's handler: gather events into a group; a SYN_REPORT ends it. */
static void vinput_event(void *opaque, uint16_t type, uint16_t code, int32_t value)
{
    vinput *vi = opaque;
    if (type == INPUT_EV_SYN) {
        if (code != INPUT_SYN_REPORT)
            return;
        if (vi->discarding) {
            vi->discarding = false;
            return;
        }
        if (!vi->open)
            return;              /* nothing this device sends was in the group */
        /* as QEMU's: no driver, no events (they would be stale when one comes) */
        if (!driver_ready(vi->vd) || !make_room(vi)) {
            drop_open_group(vi);
            return;
        }
        append(vi, type, code, value);
        vi->open = 0;
        flush(vi);
        return;
    }
    if (vi->discarding || !wanted(vi, type, code))
        return;
    if (!make_room(vi)) {
        /* one group larger than the ring: it cannot be delivered whole */
        drop_open_group(vi);
        vi->discarding = true;
        return;
    }
    append(vi, type, code, value);
}

/* ---- queues ---- */

static void status_notify(virtio_dev *vd)
{
    vinput *vi = vd->priv;
    vq_req req;
    while (vq_pop(vd, 1, &req) == 1) {
        uint8_t b[8] = { 0 };
        if (vq_read(vd, &req, 0, b, sizeof(b)) == sizeof(b)) {
            uint16_t type = (uint16_t)(b[0] | b[1] << 8), code = (uint16_t)(b[2] | b[3] << 8);
            uint32_t value = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
            /* remembered only: the host keyboard's LEDs are not tern's to set */
            if (vi->kind == VIRTIO_INPUT_KEYBOARD && type == EV_LED && code <= LED_SCROLLL) {
                if (value)
                    vi->leds |= (uint8_t)(1u << code);
                else
                    vi->leds &= (uint8_t)~(1u << code);
            }
        }
        vq_push(vd, 1, &req, 0);
    }
}

static void input_queue_notify(virtio_dev *vd, unsigned q)
{
    vinput *vi = vd->priv;
    if (q == 0)
        flush(vi);               /* the driver posted event buffers */
    else if (q == 1)
        status_notify(vd);
}

static void input_reset(virtio_dev *vd)
{
    vinput *vi = vd->priv;
    vi->head = vi->count = vi->open = 0;
    vi->discarding = false;
    vi->leds = 0;
}

static void input_destroy(virtio_dev *vd)
{
    vinput *vi = vd->priv;
    if (!vi)
        return;
    if (vi->registered)
        input_unregister(&vi->handler);
    free(vi);
}

/* Snapshots: the configuration selector, the LEDs the driver set, and the events held
 * for the driver (oldest first; the open group, if the router was halfway through one,
 * goes too). The event bits and names are the kind's, made again by virtio_input_new. */
static void input_save(virtio_dev *vd, state_out *o)
{
    vinput *vi = vd->priv;
    state_put_u8(o, vi->select);
    state_put_u8(o, vi->subsel);
    state_put_u8(o, vi->leds);
    state_put_u8(o, vi->discarding);
    state_put_u32(o, vi->count);
    state_put_u32(o, vi->open);
    for (unsigned i = 0; i < vi->count; i++) {
        const vi_event *e = ring_at(vi, i);
        state_put_u16(o, e->type);
        state_put_u16(o, e->code);
        state_put_u32(o, (uint32_t)e->value);
    }
}

static bool input_load(virtio_dev *vd, state_in *in, uint32_t version, char *err, size_t errsize)
{
    vinput *vi = vd->priv;
    uint8_t select = state_get_u8(in), subsel = state_get_u8(in), leds = state_get_u8(in);
    bool discarding = state_get_u8(in) != 0;
    uint32_t count = state_get_u32(in), open = state_get_u32(in);
    if (in->bad || count > RING_EVENTS || open > count) {
        snprintf(err, errsize, "virtio-input: %u events held, %u of them open (it holds %d)", count, open, RING_EVENTS);
        return false;
    }
    vi_event ring[RING_EVENTS];
    for (unsigned i = 0; i < count; i++) {
        ring[i].type = state_get_u16(in);
        ring[i].code = state_get_u16(in);
        ring[i].value = (int32_t)state_get_u32(in);
    }
    if (in->bad) {
        snprintf(err, errsize, "virtio-input: its state is cut short");
        return false;
    }
    memcpy(vi->ring, ring, count * sizeof(ring[0]));
    vi->vd = vd;
    vi->head = 0;
    vi->count = count;
    vi->open = open;
    vi->discarding = discarding;
    vi->select = select;
    vi->subsel = subsel;
    vi->leds = leds;
    select_config(vi);
    return true;
}

const virtio_backend virtio_input_backend = {
    .name = "virtio-input",
    .device_id = 18,
    .num_queues = 2,
    .config_read = input_config_read,
    .config_write = input_config_write,
    .queue_notify = input_queue_notify,
    .reset = input_reset,
    .destroy = input_destroy,
    .state_version = 1,
    .save = input_save,
    .load = input_load,
};

void *virtio_input_new(virtio_input_kind kind)
{
    static const unsigned handler_kind[] = {
        [VIRTIO_INPUT_KEYBOARD] = INPUT_KIND_KEYBOARD,
        [VIRTIO_INPUT_MOUSE] = INPUT_KIND_MOUSE,
        [VIRTIO_INPUT_TABLET] = INPUT_KIND_TABLET,
    };
    if ((unsigned)kind > VIRTIO_INPUT_TABLET)
        fatal("virtio-input: no such kind %d", (int)kind);
    vinput *vi = calloc(1, sizeof(*vi));
    if (!vi)
        fatal("out of memory");
    vi->kind = kind;
    vi->handler = (input_handler){ .kind = handler_kind[kind], .event = vinput_event, .opaque = vi };
    if (kind == VIRTIO_INPUT_KEYBOARD) {
        for (size_t r = 0; r < sizeof(keyboard_keys) / sizeof(keyboard_keys[0]); r++)
            for (unsigned k = keyboard_keys[r][0]; k <= keyboard_keys[r][1]; k++)
                set_bit(vi->bits[INPUT_EV_KEY], k);
    } else {
        for (size_t i = 0; i < sizeof(pointer_buttons) / sizeof(pointer_buttons[0]); i++)
            set_bit(vi->bits[INPUT_EV_KEY], pointer_buttons[i]);
        set_bit(vi->bits[INPUT_EV_REL], INPUT_REL_WHEEL);
        if (kind == VIRTIO_INPUT_MOUSE) {
            set_bit(vi->bits[INPUT_EV_REL], INPUT_REL_X);
            set_bit(vi->bits[INPUT_EV_REL], INPUT_REL_Y);
        } else {
            set_bit(vi->bits[INPUT_EV_ABS], INPUT_ABS_X);
            set_bit(vi->bits[INPUT_EV_ABS], INPUT_ABS_Y);
        }
    }
    select_config(vi);
    return vi;
}

bool virtio_input_attach(virtio_dev *vd, char *err, size_t errsize)
{
    (void)err;
    (void)errsize;
    vinput *vi = vd->priv;
    vi->vd = vd;
    input_register(&vi->handler);
    vi->registered = true;
    return true;
}
