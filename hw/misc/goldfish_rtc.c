/*
 * Goldfish RTC. Time is the host's real time plus an offset the guest may set; reading
 * TIME_LOW latches TIME_HIGH so the 64-bit value is read consistently.
 */
#include "hw/misc/goldfish_rtc.h"
#include "core/clock.h"
#include "core/log.h"
#include <stdlib.h>
#include <time.h>

enum {
    RTC_TIME_LOW = 0x00, RTC_TIME_HIGH = 0x04, RTC_ALARM_LOW = 0x08, RTC_ALARM_HIGH = 0x0c,
    RTC_IRQ_ENABLED = 0x10, RTC_CLEAR_ALARM = 0x14, RTC_ALARM_STATUS = 0x18,
    RTC_CLEAR_INTERRUPT = 0x1c,
};

typedef struct goldfish_rtc {
    irq_fn irq;
    void *irq_opaque;
    qtimer *timer;
    int64_t offset;              /* guest time - host real time, ns */
    uint32_t time_high_latch, alarm_high;
    uint64_t alarm;
    bool alarm_running, irq_enabled, irq_pending;
} goldfish_rtc;

static uint64_t host_real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rtc_now(goldfish_rtc *r) { return host_real_ns() + (uint64_t)r->offset; }

static void rtc_update_irq(goldfish_rtc *r)
{
    r->irq(r->irq_opaque, r->irq_pending && r->irq_enabled);
}

static void rtc_arm(goldfish_rtc *r)
{
    if (!r->alarm_running) {
        qtimer_del(r->timer);
        return;
    }
    uint64_t now = rtc_now(r), vnow = vclock_ns();
    uint64_t delta = r->alarm > now ? r->alarm - now : 0;
    /* an alarm centuries away must not wrap into "due now", which re-armed the timer
     * forever and starved the vCPUs (found by the device fuzzer) */
    qtimer_mod(r->timer, delta > UINT64_MAX - vnow ? UINT64_MAX : vnow + delta);
}

static void rtc_alarm_fired(void *opaque)
{
    goldfish_rtc *r = opaque;
    if (!r->alarm_running)
        return;
    if (rtc_now(r) < r->alarm) {
        rtc_arm(r);
        return;
    }
    r->alarm_running = false;
    r->irq_pending = true;
    rtc_update_irq(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    goldfish_rtc *r = opaque;
    switch (off) {
    case RTC_TIME_LOW: {
        uint64_t t = rtc_now(r);
        r->time_high_latch = (uint32_t)(t >> 32);
        return (uint32_t)t;
    }
    case RTC_TIME_HIGH: return r->time_high_latch;
    case RTC_ALARM_LOW: return (uint32_t)r->alarm;
    case RTC_ALARM_HIGH: return (uint32_t)(r->alarm >> 32);
    case RTC_IRQ_ENABLED: return r->irq_enabled;
    case RTC_ALARM_STATUS: return r->alarm_running;
    default: return 0;
    }
}

static void rtc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    goldfish_rtc *r = opaque;
    uint32_t v = (uint32_t)val;
    switch (off) {
    case RTC_TIME_LOW: {
        uint64_t t = ((uint64_t)r->time_high_latch << 32) | v;
        r->offset = (int64_t)(t - host_real_ns());
        break;
    }
    case RTC_TIME_HIGH: r->time_high_latch = v; break;
    case RTC_ALARM_LOW:
        r->alarm = ((uint64_t)r->alarm_high << 32) | v;
        r->alarm_running = true;
        rtc_arm(r);
        break;
    case RTC_ALARM_HIGH: r->alarm_high = v; break;
    case RTC_IRQ_ENABLED:
        r->irq_enabled = v & 1;
        rtc_update_irq(r);
        break;
    case RTC_CLEAR_ALARM:
        r->alarm_running = false;
        rtc_arm(r);
        break;
    case RTC_CLEAR_INTERRUPT:
        r->irq_pending = false;
        rtc_update_irq(r);
        break;
    default:
        guest_error("guest_errors: goldfish-rtc: write to 0x%llx\n", (unsigned long long)off);
        break;
    }
}

static const mmio_ops rtc_ops = { rtc_read, rtc_write };

static const state_field rtc_fields[] = {
    STATE_FIELD(goldfish_rtc, offset), STATE_FIELD(goldfish_rtc, time_high_latch),
    STATE_FIELD(goldfish_rtc, alarm_high), STATE_FIELD(goldfish_rtc, alarm),
    STATE_FIELD(goldfish_rtc, alarm_running), STATE_FIELD(goldfish_rtc, irq_enabled),
    STATE_FIELD(goldfish_rtc, irq_pending),
};
static const state_desc rtc_state = STATE_DESC(1, rtc_fields);

static void rtc_reset(void *dev)
{
    goldfish_rtc *r = dev;
    qtimer_del(r->timer);
    rtc_update_irq(r);
}

static void rtc_destroy(void *dev)
{
    goldfish_rtc *r = dev;
    qtimer_free(r->timer);
    free(r);
}

/* After a load the alarm timer is armed again from the loaded alarm and the line
 * follows the loaded flags. The offset is to the host's real time, as QEMU's RTC
 * follows the host: a guest restored an hour later reads a clock an hour on, and an
 * alarm that came due meanwhile fires at once. */
static void rtc_post_load(void *dev)
{
    goldfish_rtc *r = dev;
    rtc_arm(r);
    rtc_update_irq(r);
}

static const device_ops rtc_dev_ops = {
    .type = "goldfish-rtc", .state = &rtc_state, .reset = rtc_reset, .destroy = rtc_destroy,
    .post_load = rtc_post_load,
};

void goldfish_rtc_create(device_list *devs, address_space *as, uint64_t base,
                         irq_fn irq, void *irq_opaque)
{
    goldfish_rtc *r = calloc(1, sizeof(*r));
    if (!r)
        fatal("out of memory");
    r->irq = irq;
    r->irq_opaque = irq_opaque;
    r->timer = qtimer_new(rtc_alarm_fired, r);
    as_add_mmio(as, "goldfish-rtc", base, 0x1000, &rtc_ops, r);
    device_register(devs, "goldfish-rtc", &rtc_dev_ops, r);
}
