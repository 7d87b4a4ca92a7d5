/*
 * The input router: events from the front end (the SDL window) go to every registered
 * handler of the kind that takes them (keys to keyboards, motion to mice or tablets).
 * Every handler of the kind gets every event: with one keyboard and one pointer, the
 * usual setup, that is all routing needs, and it is predictable with more.
 */
#include "ui/input.h"
#include "core/log.h"
#include <stdlib.h>

typedef struct route {
    const input_handler *h;
    bool pending;            /* got events since the last SYN_REPORT */
} route;

static route *routes;
static size_t nroutes, cap;

void input_register(const input_handler *h)
{
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].h == h)
            return;
    if (nroutes == cap) {
        cap = cap ? 2 * cap : 8;
        routes = realloc(routes, cap * sizeof(*routes));
        if (!routes)
            fatal("out of memory");
    }
    routes[nroutes++] = (route){ h, false };
}

void input_unregister(const input_handler *h)
{
    for (size_t i = 0; i < nroutes; i++) {
        if (routes[i].h == h) {
            /* keep the order: events reach handlers in registration order */
            for (size_t j = i + 1; j < nroutes; j++)
                routes[j - 1] = routes[j];
            nroutes--;
            return;
        }
    }
}

bool input_have(unsigned kind)
{
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].h->kind & kind)
            return true;
    return false;
}

static void send(unsigned kinds, uint16_t type, uint16_t code, int32_t value)
{
    for (size_t i = 0; i < nroutes; i++) {
        if (routes[i].h->kind & kinds) {
            routes[i].pending = true;
            routes[i].h->event(routes[i].h->opaque, type, code, value);
        }
    }
}

void input_send_key(uint16_t code, bool down)
{
    send(INPUT_KIND_KEYBOARD, INPUT_EV_KEY, code, down);
}

void input_send_button(uint16_t btn, bool down)
{
    send(INPUT_KIND_MOUSE | INPUT_KIND_TABLET, INPUT_EV_KEY, btn, down);
}

void input_send_rel(int32_t dx, int32_t dy, int32_t wheel)
{
    if (dx)
        send(INPUT_KIND_MOUSE, INPUT_EV_REL, INPUT_REL_X, dx);
    if (dy)
        send(INPUT_KIND_MOUSE, INPUT_EV_REL, INPUT_REL_Y, dy);
    /* tablets have a wheel too (QEMU's virtio-tablet does): scrolling must work in the
     * usual setup of a tablet and no mouse */
    if (wheel)
        send(INPUT_KIND_MOUSE | INPUT_KIND_TABLET, INPUT_EV_REL, INPUT_REL_WHEEL, wheel);
}

void input_send_abs(uint32_t x, uint32_t y)
{
    send(INPUT_KIND_TABLET, INPUT_EV_ABS, INPUT_ABS_X, (int32_t)(x > INPUT_ABS_MAX ? INPUT_ABS_MAX : x));
    send(INPUT_KIND_TABLET, INPUT_EV_ABS, INPUT_ABS_Y, (int32_t)(y > INPUT_ABS_MAX ? INPUT_ABS_MAX : y));
}

void input_send_abs_axis(unsigned axis, uint32_t v)
{
    send(INPUT_KIND_TABLET, INPUT_EV_ABS, (uint16_t)axis, (int32_t)(v > INPUT_ABS_MAX ? INPUT_ABS_MAX : v));
}

void input_sync(void)
{
    for (size_t i = 0; i < nroutes; i++) {
        if (routes[i].pending) {
            routes[i].pending = false;
            routes[i].h->event(routes[i].h->opaque, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
        }
    }
}
