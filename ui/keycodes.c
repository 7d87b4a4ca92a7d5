/*
 * Keys by QEMU's names and numbers, for the monitor's sendkey and QMP's send-key and
 * input-send-event: what scripts written for QEMU type into a guest without a window.
 * The names are QEMU's QKeyCode spellings; the numbers its "number" keys (PC scancode
 * set 1, with 0x80 standing for the 0xe0 prefix). Both become Linux key codes, which is
 * what the input devices carry (ui/input.h).
 */
#include "ui/input.h"
#include "core/clock.h"
#include "core/main_loop.h"
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; uint16_t key; } qcodes[] = {
    { "shift", KEY_LEFTSHIFT }, { "shift_r", KEY_RIGHTSHIFT }, { "alt", KEY_LEFTALT },
    { "alt_r", KEY_RIGHTALT }, { "ctrl", KEY_LEFTCTRL }, { "ctrl_r", KEY_RIGHTCTRL },
    { "menu", KEY_COMPOSE }, { "esc", KEY_ESC }, { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 },
    { "4", KEY_4 }, { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 },
    { "0", KEY_0 }, { "minus", KEY_MINUS }, { "equal", KEY_EQUAL }, { "backspace", KEY_BACKSPACE },
    { "tab", KEY_TAB }, { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R }, { "t", KEY_T },
    { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I }, { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE }, { "ret", KEY_ENTER },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F }, { "g", KEY_G }, { "h", KEY_H },
    { "j", KEY_J }, { "k", KEY_K }, { "l", KEY_L }, { "semicolon", KEY_SEMICOLON },
    { "apostrophe", KEY_APOSTROPHE }, { "grave_accent", KEY_GRAVE }, { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V }, { "b", KEY_B }, { "n", KEY_N },
    { "m", KEY_M }, { "comma", KEY_COMMA }, { "dot", KEY_DOT }, { "slash", KEY_SLASH },
    { "asterisk", KEY_KPASTERISK }, { "spc", KEY_SPACE }, { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 }, { "f5", KEY_F5 },
    { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 }, { "f9", KEY_F9 }, { "f10", KEY_F10 },
    { "num_lock", KEY_NUMLOCK }, { "scroll_lock", KEY_SCROLLLOCK }, { "kp_divide", KEY_KPSLASH },
    { "kp_multiply", KEY_KPASTERISK }, { "kp_subtract", KEY_KPMINUS }, { "kp_add", KEY_KPPLUS },
    { "kp_enter", KEY_KPENTER }, { "kp_decimal", KEY_KPDOT }, { "sysrq", KEY_SYSRQ },
    { "kp_0", KEY_KP0 }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 }, { "kp_3", KEY_KP3 },
    { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 }, { "kp_6", KEY_KP6 }, { "kp_7", KEY_KP7 },
    { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 }, { "less", KEY_102ND }, { "f11", KEY_F11 },
    { "f12", KEY_F12 }, { "print", KEY_SYSRQ }, { "home", KEY_HOME }, { "pgup", KEY_PAGEUP },
    { "pgdn", KEY_PAGEDOWN }, { "end", KEY_END }, { "left", KEY_LEFT }, { "up", KEY_UP },
    { "down", KEY_DOWN }, { "right", KEY_RIGHT }, { "insert", KEY_INSERT }, { "delete", KEY_DELETE },
    { "stop", KEY_STOP }, { "again", KEY_AGAIN }, { "props", KEY_PROPS }, { "undo", KEY_UNDO },
    { "front", KEY_FRONT }, { "copy", KEY_COPY }, { "open", KEY_OPEN }, { "paste", KEY_PASTE },
    { "find", KEY_FIND }, { "cut", KEY_CUT }, { "lf", KEY_LINEFEED }, { "help", KEY_HELP },
    { "meta_l", KEY_LEFTMETA }, { "meta_r", KEY_RIGHTMETA }, { "compose", KEY_COMPOSE },
    { "pause", KEY_PAUSE }, { "ro", KEY_RO }, { "hiragana", KEY_HIRAGANA }, { "henkan", KEY_HENKAN },
    { "yen", KEY_YEN }, { "muhenkan", KEY_MUHENKAN }, { "katakanahiragana", KEY_KATAKANAHIRAGANA },
    { "kp_comma", KEY_KPCOMMA }, { "kp_equals", KEY_KPEQUAL }, { "power", KEY_POWER },
    { "sleep", KEY_SLEEP }, { "wake", KEY_WAKEUP }, { "audionext", KEY_NEXTSONG },
    { "audioprev", KEY_PREVIOUSSONG }, { "audiostop", KEY_STOPCD }, { "audioplay", KEY_PLAYPAUSE },
    { "audiomute", KEY_MUTE }, { "volumeup", KEY_VOLUMEUP }, { "volumedown", KEY_VOLUMEDOWN },
    { "mediaselect", KEY_MEDIA }, { "mail", KEY_MAIL }, { "calculator", KEY_CALC },
    { "computer", KEY_COMPUTER }, { "ac_home", KEY_HOMEPAGE }, { "ac_back", KEY_BACK },
    { "ac_forward", KEY_FORWARD }, { "ac_refresh", KEY_REFRESH }, { "ac_bookmarks", KEY_BOOKMARKS },
    { "lang1", KEY_HANGEUL }, { "lang2", KEY_HANJA }, { "f13", KEY_F13 }, { "f14", KEY_F14 },
    { "f15", KEY_F15 }, { "f16", KEY_F16 }, { "f17", KEY_F17 }, { "f18", KEY_F18 },
    { "f19", KEY_F19 }, { "f20", KEY_F20 }, { "f21", KEY_F21 }, { "f22", KEY_F22 },
    { "f23", KEY_F23 }, { "f24", KEY_F24 },
};

int input_qcode_to_key(const char *name)
{
    for (size_t i = 0; i < sizeof(qcodes) / sizeof(qcodes[0]); i++)
        if (!strcmp(qcodes[i].name, name))
            return qcodes[i].key;
    return -1;
}

int input_number_to_key(int number)
{
    /* set 1 without the prefix is Linux's numbering, up to F12 */
    if (number >= 1 && number <= 0x58)
        return number;
    static const struct { uint8_t num; uint16_t key; } ext[] = {
        { 0x9c, KEY_KPENTER }, { 0x9d, KEY_RIGHTCTRL }, { 0xb5, KEY_KPSLASH }, { 0xb7, KEY_SYSRQ },
        { 0xb8, KEY_RIGHTALT }, { 0xc6, KEY_PAUSE }, { 0xc7, KEY_HOME }, { 0xc8, KEY_UP },
        { 0xc9, KEY_PAGEUP }, { 0xcb, KEY_LEFT }, { 0xcd, KEY_RIGHT }, { 0xcf, KEY_END },
        { 0xd0, KEY_DOWN }, { 0xd1, KEY_PAGEDOWN }, { 0xd2, KEY_INSERT }, { 0xd3, KEY_DELETE },
        { 0xdb, KEY_LEFTMETA }, { 0xdc, KEY_RIGHTMETA }, { 0xdd, KEY_COMPOSE },
    };
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (ext[i].num == number)
            return ext[i].key;
    return -1;
}

/* The keys a sendkey holds down until its timer lets them go. */
static uint16_t held[16];
static unsigned nheld;
static qtimer *release_timer;

static void release_held(void *opaque)
{
    (void)opaque;
    while (nheld)
        input_send_key(held[--nheld], false);
    input_sync();
}

void input_send_keys(const uint16_t *codes, unsigned n, unsigned hold_ms)
{
    if (!release_timer)
        release_timer = qtimer_new_host(release_held, NULL);
    /* a chord still held from the last sendkey goes up first, as a person's would */
    qtimer_del(release_timer);
    release_held(NULL);
    for (unsigned i = 0; i < n && nheld < sizeof(held) / sizeof(held[0]); i++) {
        input_send_key(codes[i], true);
        input_sync();
        held[nheld++] = codes[i];
    }
    qtimer_mod(release_timer, host_clock_ns() + (uint64_t)hold_ms * 1000000);
}
