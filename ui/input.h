/*
 * Input from the window to the guest, in Linux's evdev terms (KEY_*, BTN_*, REL_*,
 * ABS_*): the front end (ui/sdl.c) sends, the virtio-input devices receive. Every
 * call is on the main thread with the big lock held.
 */
#ifndef TERN_UI_INPUT_H
#define TERN_UI_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/* evdev event types */
enum { INPUT_EV_SYN = 0, INPUT_EV_KEY = 1, INPUT_EV_REL = 2, INPUT_EV_ABS = 3 };
/* evdev codes the router itself produces (values as in linux/input-event-codes.h) */
enum { INPUT_SYN_REPORT = 0 };
enum {
    INPUT_BTN_LEFT = 0x110, INPUT_BTN_RIGHT = 0x111, INPUT_BTN_MIDDLE = 0x112,
    INPUT_BTN_SIDE = 0x113, INPUT_BTN_EXTRA = 0x114,
};
enum { INPUT_REL_X = 0, INPUT_REL_Y = 1, INPUT_REL_WHEEL = 8 };
enum { INPUT_ABS_X = 0, INPUT_ABS_Y = 1 };
/* what a handler takes */
enum { INPUT_KIND_KEYBOARD = 1, INPUT_KIND_MOUSE = 2, INPUT_KIND_TABLET = 4 };
/* absolute coordinates run from 0 to INPUT_ABS_MAX across the picture */
#define INPUT_ABS_MAX 0x7fff

typedef struct input_handler {
    unsigned kind;              /* one INPUT_KIND_* */
    /* one evdev event; a SYN_REPORT (type 0, code 0) ends each group */
    void (*event)(void *opaque, uint16_t type, uint16_t code, int32_t value);
    void *opaque;
} input_handler;

void input_register(const input_handler *h);
void input_unregister(const input_handler *h);
/* Is there a handler of this kind (the window grabs the pointer only for a mouse). */
bool input_have(unsigned kind);

/* A key (KEY_* code) went down or up: to keyboards. */
void input_send_key(uint16_t code, bool down);
/* A pointer button (BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA): to mice and
 * tablets. */
void input_send_button(uint16_t btn, bool down);
/* Relative motion: to mice; the wheel (positive away from the user) to mice and
 * tablets, which have one too, as QEMU's do. Zero amounts send nothing. */
void input_send_rel(int32_t dx, int32_t dy, int32_t wheel);
/* Absolute position, 0..INPUT_ABS_MAX in each axis (larger values are clamped): to
 * tablets. */
void input_send_abs(uint32_t x, uint32_t y);
/* One axis only (QMP's input-send-event sends them one at a time). */
void input_send_abs_axis(unsigned axis, uint32_t v);
/* End of a group of events (a SYN_REPORT to every handler that got one). */
void input_sync(void);

/* QEMU's key names (its QKeyCode spellings: "a", "ret", "ctrl", "f1", "kp_enter") and
 * key numbers (PC scancodes, 0x80 for the 0xe0 prefix): the KEY_* code, or -1. */
int input_qcode_to_key(const char *name);
int input_number_to_key(int number);
/* Press keys in order now and release them in reverse hold_ms later (the monitor's
 * sendkey, QMP's send-key); a chord still held is released first. */
void input_send_keys(const uint16_t *codes, unsigned n, unsigned hold_ms);

#endif
