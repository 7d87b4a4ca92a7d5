/*
 * The SDL2 window (see display.h), after QEMU's SDL display: one window showing the
 * current console, refreshed from a host-clock timer on the main thread at most at the
 * screen's refresh rate (60 Hz where it does not say). Each tick takes the window's events, brings the shown console up to date
 * (console_refresh takes the big lock briefly) and uploads only the changed lines to
 * a texture; with nothing changed it draws nothing, so an idle guest display costs
 * next to no host CPU. Rendering never holds the big lock.
 *
 * Keys: Ctrl-Alt-G grabs and lets go of the pointer and keyboard, Ctrl-Alt-F toggles
 * full screen, Ctrl-Alt-1..9 show console N, Ctrl-Alt-U gives the window back its 1:1
 * size and Ctrl-Alt-+/- scale it. Other keys go to the guest's keyboard as evdev codes
 * on a graphic console, and as the bytes a terminal sends on a text console.
 */
#include "ui/display.h"
#include "build/config.h"
#include <stdio.h>

#ifndef CONFIG_SDL

bool display_sdl_available(void) { return false; }

uint64_t display_sdl_frames(void) { return 0; }

bool display_sdl_open(const display_options *o, char *err, size_t errsize)
{
    snprintf(err, errsize, "-display sdl: this tern was built without SDL2 (install libsdl2-dev and "
             "run ./configure again)");
    return false;
}

void display_sdl_close(void) {}

#else

#include "ui/console.h"
#include "ui/input.h"
#include "accel/cpus.h"
#include "core/clock.h"
#include "core/main_loop.h"
#include "core/memory.h"
#include <SDL.h>
#include <linux/input-event-codes.h>   /* the KEY_* codes */
#include <stdlib.h>
#include <string.h>

#define FRAME_NS 16666667ull        /* 60 Hz, where the display does not say its rate */
#define HIDDEN_FRAME_NS 500000000ull /* minimised: only the events, twice a second */
#define MIN_WIDTH 160

/* SDL scancodes are USB HID usages; Linux's evdev codes are what virtio-input sends. */
static const uint16_t scancode_to_evdev[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_A] = KEY_A, [SDL_SCANCODE_B] = KEY_B, [SDL_SCANCODE_C] = KEY_C,
    [SDL_SCANCODE_D] = KEY_D, [SDL_SCANCODE_E] = KEY_E, [SDL_SCANCODE_F] = KEY_F,
    [SDL_SCANCODE_G] = KEY_G, [SDL_SCANCODE_H] = KEY_H, [SDL_SCANCODE_I] = KEY_I,
    [SDL_SCANCODE_J] = KEY_J, [SDL_SCANCODE_K] = KEY_K, [SDL_SCANCODE_L] = KEY_L,
    [SDL_SCANCODE_M] = KEY_M, [SDL_SCANCODE_N] = KEY_N, [SDL_SCANCODE_O] = KEY_O,
    [SDL_SCANCODE_P] = KEY_P, [SDL_SCANCODE_Q] = KEY_Q, [SDL_SCANCODE_R] = KEY_R,
    [SDL_SCANCODE_S] = KEY_S, [SDL_SCANCODE_T] = KEY_T, [SDL_SCANCODE_U] = KEY_U,
    [SDL_SCANCODE_V] = KEY_V, [SDL_SCANCODE_W] = KEY_W, [SDL_SCANCODE_X] = KEY_X,
    [SDL_SCANCODE_Y] = KEY_Y, [SDL_SCANCODE_Z] = KEY_Z,
    [SDL_SCANCODE_1] = KEY_1, [SDL_SCANCODE_2] = KEY_2, [SDL_SCANCODE_3] = KEY_3,
    [SDL_SCANCODE_4] = KEY_4, [SDL_SCANCODE_5] = KEY_5, [SDL_SCANCODE_6] = KEY_6,
    [SDL_SCANCODE_7] = KEY_7, [SDL_SCANCODE_8] = KEY_8, [SDL_SCANCODE_9] = KEY_9,
    [SDL_SCANCODE_0] = KEY_0,
    [SDL_SCANCODE_RETURN] = KEY_ENTER, [SDL_SCANCODE_ESCAPE] = KEY_ESC,
    [SDL_SCANCODE_BACKSPACE] = KEY_BACKSPACE, [SDL_SCANCODE_TAB] = KEY_TAB,
    [SDL_SCANCODE_SPACE] = KEY_SPACE, [SDL_SCANCODE_MINUS] = KEY_MINUS,
    [SDL_SCANCODE_EQUALS] = KEY_EQUAL, [SDL_SCANCODE_LEFTBRACKET] = KEY_LEFTBRACE,
    [SDL_SCANCODE_RIGHTBRACKET] = KEY_RIGHTBRACE, [SDL_SCANCODE_BACKSLASH] = KEY_BACKSLASH,
    /* the key left of Enter on ISO keyboards sends the same code as backslash on ANSI */
    [SDL_SCANCODE_NONUSHASH] = KEY_BACKSLASH,
    [SDL_SCANCODE_SEMICOLON] = KEY_SEMICOLON, [SDL_SCANCODE_APOSTROPHE] = KEY_APOSTROPHE,
    [SDL_SCANCODE_GRAVE] = KEY_GRAVE, [SDL_SCANCODE_COMMA] = KEY_COMMA,
    [SDL_SCANCODE_PERIOD] = KEY_DOT, [SDL_SCANCODE_SLASH] = KEY_SLASH,
    [SDL_SCANCODE_CAPSLOCK] = KEY_CAPSLOCK,
    [SDL_SCANCODE_F1] = KEY_F1, [SDL_SCANCODE_F2] = KEY_F2, [SDL_SCANCODE_F3] = KEY_F3,
    [SDL_SCANCODE_F4] = KEY_F4, [SDL_SCANCODE_F5] = KEY_F5, [SDL_SCANCODE_F6] = KEY_F6,
    [SDL_SCANCODE_F7] = KEY_F7, [SDL_SCANCODE_F8] = KEY_F8, [SDL_SCANCODE_F9] = KEY_F9,
    [SDL_SCANCODE_F10] = KEY_F10, [SDL_SCANCODE_F11] = KEY_F11, [SDL_SCANCODE_F12] = KEY_F12,
    [SDL_SCANCODE_PRINTSCREEN] = KEY_SYSRQ, [SDL_SCANCODE_SCROLLLOCK] = KEY_SCROLLLOCK,
    [SDL_SCANCODE_PAUSE] = KEY_PAUSE, [SDL_SCANCODE_INSERT] = KEY_INSERT,
    [SDL_SCANCODE_HOME] = KEY_HOME, [SDL_SCANCODE_PAGEUP] = KEY_PAGEUP,
    [SDL_SCANCODE_DELETE] = KEY_DELETE, [SDL_SCANCODE_END] = KEY_END,
    [SDL_SCANCODE_PAGEDOWN] = KEY_PAGEDOWN, [SDL_SCANCODE_RIGHT] = KEY_RIGHT,
    [SDL_SCANCODE_LEFT] = KEY_LEFT, [SDL_SCANCODE_DOWN] = KEY_DOWN, [SDL_SCANCODE_UP] = KEY_UP,
    [SDL_SCANCODE_NUMLOCKCLEAR] = KEY_NUMLOCK, [SDL_SCANCODE_KP_DIVIDE] = KEY_KPSLASH,
    [SDL_SCANCODE_KP_MULTIPLY] = KEY_KPASTERISK, [SDL_SCANCODE_KP_MINUS] = KEY_KPMINUS,
    [SDL_SCANCODE_KP_PLUS] = KEY_KPPLUS, [SDL_SCANCODE_KP_ENTER] = KEY_KPENTER,
    [SDL_SCANCODE_KP_1] = KEY_KP1, [SDL_SCANCODE_KP_2] = KEY_KP2, [SDL_SCANCODE_KP_3] = KEY_KP3,
    [SDL_SCANCODE_KP_4] = KEY_KP4, [SDL_SCANCODE_KP_5] = KEY_KP5, [SDL_SCANCODE_KP_6] = KEY_KP6,
    [SDL_SCANCODE_KP_7] = KEY_KP7, [SDL_SCANCODE_KP_8] = KEY_KP8, [SDL_SCANCODE_KP_9] = KEY_KP9,
    [SDL_SCANCODE_KP_0] = KEY_KP0, [SDL_SCANCODE_KP_PERIOD] = KEY_KPDOT,
    [SDL_SCANCODE_NONUSBACKSLASH] = KEY_102ND, [SDL_SCANCODE_APPLICATION] = KEY_COMPOSE,
    [SDL_SCANCODE_POWER] = KEY_POWER, [SDL_SCANCODE_KP_EQUALS] = KEY_KPEQUAL,
    [SDL_SCANCODE_F13] = KEY_F13, [SDL_SCANCODE_F14] = KEY_F14, [SDL_SCANCODE_F15] = KEY_F15,
    [SDL_SCANCODE_F16] = KEY_F16, [SDL_SCANCODE_F17] = KEY_F17, [SDL_SCANCODE_F18] = KEY_F18,
    [SDL_SCANCODE_F19] = KEY_F19, [SDL_SCANCODE_F20] = KEY_F20, [SDL_SCANCODE_F21] = KEY_F21,
    [SDL_SCANCODE_F22] = KEY_F22, [SDL_SCANCODE_F23] = KEY_F23, [SDL_SCANCODE_F24] = KEY_F24,
    [SDL_SCANCODE_HELP] = KEY_HELP, [SDL_SCANCODE_MENU] = KEY_MENU,
    [SDL_SCANCODE_SELECT] = KEY_SELECT, [SDL_SCANCODE_STOP] = KEY_STOP,
    [SDL_SCANCODE_AGAIN] = KEY_AGAIN, [SDL_SCANCODE_UNDO] = KEY_UNDO,
    [SDL_SCANCODE_CUT] = KEY_CUT, [SDL_SCANCODE_COPY] = KEY_COPY,
    [SDL_SCANCODE_PASTE] = KEY_PASTE, [SDL_SCANCODE_FIND] = KEY_FIND,
    [SDL_SCANCODE_MUTE] = KEY_MUTE, [SDL_SCANCODE_VOLUMEUP] = KEY_VOLUMEUP,
    [SDL_SCANCODE_VOLUMEDOWN] = KEY_VOLUMEDOWN, [SDL_SCANCODE_KP_COMMA] = KEY_KPCOMMA,
    [SDL_SCANCODE_INTERNATIONAL1] = KEY_RO, [SDL_SCANCODE_INTERNATIONAL2] = KEY_KATAKANAHIRAGANA,
    [SDL_SCANCODE_INTERNATIONAL3] = KEY_YEN, [SDL_SCANCODE_INTERNATIONAL4] = KEY_HENKAN,
    [SDL_SCANCODE_INTERNATIONAL5] = KEY_MUHENKAN, [SDL_SCANCODE_LANG1] = KEY_HANGEUL,
    [SDL_SCANCODE_LANG2] = KEY_HANJA, [SDL_SCANCODE_LANG3] = KEY_KATAKANA,
    [SDL_SCANCODE_LANG4] = KEY_HIRAGANA, [SDL_SCANCODE_LANG5] = KEY_ZENKAKUHANKAKU,
    [SDL_SCANCODE_SYSREQ] = KEY_SYSRQ,
    [SDL_SCANCODE_KP_LEFTPAREN] = KEY_KPLEFTPAREN, [SDL_SCANCODE_KP_RIGHTPAREN] = KEY_KPRIGHTPAREN,
    [SDL_SCANCODE_LCTRL] = KEY_LEFTCTRL, [SDL_SCANCODE_LSHIFT] = KEY_LEFTSHIFT,
    [SDL_SCANCODE_LALT] = KEY_LEFTALT, [SDL_SCANCODE_LGUI] = KEY_LEFTMETA,
    [SDL_SCANCODE_RCTRL] = KEY_RIGHTCTRL, [SDL_SCANCODE_RSHIFT] = KEY_RIGHTSHIFT,
    [SDL_SCANCODE_RALT] = KEY_RIGHTALT, [SDL_SCANCODE_RGUI] = KEY_RIGHTMETA,
    [SDL_SCANCODE_AUDIONEXT] = KEY_NEXTSONG, [SDL_SCANCODE_AUDIOPREV] = KEY_PREVIOUSSONG,
    [SDL_SCANCODE_AUDIOSTOP] = KEY_STOPCD, [SDL_SCANCODE_AUDIOPLAY] = KEY_PLAYPAUSE,
    [SDL_SCANCODE_AUDIOMUTE] = KEY_MUTE, [SDL_SCANCODE_MEDIASELECT] = KEY_MEDIA,
    [SDL_SCANCODE_WWW] = KEY_WWW, [SDL_SCANCODE_MAIL] = KEY_MAIL,
    [SDL_SCANCODE_CALCULATOR] = KEY_CALC, [SDL_SCANCODE_COMPUTER] = KEY_COMPUTER,
    [SDL_SCANCODE_AC_SEARCH] = KEY_SEARCH, [SDL_SCANCODE_AC_HOME] = KEY_HOMEPAGE,
    [SDL_SCANCODE_AC_BACK] = KEY_BACK, [SDL_SCANCODE_AC_FORWARD] = KEY_FORWARD,
    [SDL_SCANCODE_AC_STOP] = KEY_STOP, [SDL_SCANCODE_AC_REFRESH] = KEY_REFRESH,
    [SDL_SCANCODE_AC_BOOKMARKS] = KEY_BOOKMARKS, [SDL_SCANCODE_EJECT] = KEY_EJECTCD,
    [SDL_SCANCODE_SLEEP] = KEY_SLEEP,
};

static struct {
    bool open;
    display_options opts;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    uint32_t tex_w, tex_h;
    qtimer *timer;
    unsigned shown;             /* index of the console in the window */
    bool need_full;             /* the texture must be filled from the whole picture */
    bool need_present;          /* the window needs drawing though the picture is the same */
    uint64_t frames;            /* pictures presented (bench/display) */
    uint64_t frame_ns;          /* the refresh period: the display's own rate */
    uint64_t rate_checked_ns;   /* when that was last asked */
    uint32_t pic_w, pic_h;      /* the shown console's picture */
    bool full_screen;
    bool grabbed;
    bool absolute;              /* the guest has a tablet: the pointer needs no grab */
    bool vm_running;
    char title[256];
    /* keys the guest was told are down, to let go of them when focus goes */
    bool key_down[KEY_MAX + 1];
    /* a hotkey's key is kept from the guest, its release too */
    bool hotkey_held[SDL_NUM_SCANCODES];
    uint32_t buttons;           /* SDL button mask the guest knows about */
    /* the guest's pointer sprite: an SDL cursor (absolute pointer) or drawn (relative) */
    SDL_Cursor *sprite_cursor, *default_cursor, *applied_cursor;
    bool applied_show;
    SDL_Texture *sprite_tex;
    int sprite_x, sprite_y;
    uint32_t sprite_w, sprite_h, sprite_hx, sprite_hy;
    bool have_sprite;
} S;

static console *shown_console(void) { return console_get(S.shown); }

static bool shown_is_graphic(void)
{
    console *c = shown_console();
    return c && console_is_graphic(c);
}

/* ---- the window ---- */

static void update_title(void)
{
    char t[256];
    const char *status = "";
    if (!S.vm_running)
        status = " [Stopped]";
    else if (S.grabbed)
        status = " - Press Ctrl-Alt-G to exit grab";
    if (S.opts.name && *S.opts.name)
        snprintf(t, sizeof(t), "tern (%s)%s", S.opts.name, status);
    else
        snprintf(t, sizeof(t), "tern%s", status);
    if (strcmp(t, S.title)) {
        snprintf(S.title, sizeof(S.title), "%s", t);
        SDL_SetWindowTitle(S.win, S.title);
    }
}

/* The window follows the picture's size, as QEMU's: a mode change resizes it. */
static void fit_window(void)
{
    if (S.full_screen)
        return;
    SDL_SetWindowSize(S.win, (int)S.pic_w, (int)S.pic_h);
    /* a window placed for 640x480 may now reach past the screen's edge: move it back
     * in, so the whole picture can be seen (and read back from the X server) */
    int d = SDL_GetWindowDisplayIndex(S.win), x, y;
    SDL_Rect b;
    if (d < 0 || SDL_GetDisplayUsableBounds(d, &b) != 0)
        return;
    SDL_GetWindowPosition(S.win, &x, &y);
    int nx = x, ny = y;
    if (nx + (int)S.pic_w > b.x + b.w)
        nx = b.x + b.w - (int)S.pic_w;
    if (ny + (int)S.pic_h > b.y + b.h)
        ny = b.y + b.h - (int)S.pic_h;
    if (nx < b.x)
        nx = b.x;
    if (ny < b.y)
        ny = b.y;
    if (nx != x || ny != y)
        SDL_SetWindowPosition(S.win, nx, ny);
}

/* What the pointer looks like over the window: the guest's sprite when the guest has
 * an absolute pointer and a sprite; nothing when it has an absolute pointer and draws
 * its own (unless show-cursor); the host's arrow otherwise (relative mode hides it
 * while grabbed). */
static void apply_cursor(void)
{
    SDL_Cursor *want = S.default_cursor;
    bool show = true;
    if (shown_is_graphic() && S.absolute) {
        if (S.have_sprite && S.sprite_cursor)
            want = S.sprite_cursor;
        else if (!S.opts.show_cursor)
            show = false;
    }
    if (want != S.applied_cursor && want) {
        SDL_SetCursor(want);
        S.applied_cursor = want;
    }
    if (show != S.applied_show) {
        SDL_ShowCursor(show ? SDL_ENABLE : SDL_DISABLE);
        S.applied_show = show;
    }
}

static void grab_start(void)
{
    /* grabbing a window without the focus would take the whole screen's input */
    if (S.grabbed || !shown_is_graphic() || !(SDL_GetWindowFlags(S.win) & SDL_WINDOW_INPUT_FOCUS))
        return;
    S.grabbed = true;
    SDL_SetWindowGrab(S.win, SDL_TRUE);
    if (!S.absolute)
        SDL_SetRelativeMouseMode(SDL_TRUE);
    update_title();
}

static void grab_end(void)
{
    if (!S.grabbed)
        return;
    S.grabbed = false;
    SDL_SetRelativeMouseMode(SDL_FALSE);
    SDL_SetWindowGrab(S.win, SDL_FALSE);
    apply_cursor();
    update_title();
}

/* Tell the guest every key it thinks is down has gone up (focus lost, console
 * switched): otherwise a Ctrl held while switching would stay stuck. */
static void release_keys(void)
{
    bool any = false;
    big_lock();
    for (unsigned k = 0; k <= KEY_MAX; k++) {
        if (S.key_down[k]) {
            S.key_down[k] = false;
            input_send_key((uint16_t)k, false);
            any = true;
        }
    }
    if (S.buttons) {
        static const uint16_t btn[] = { 0, INPUT_BTN_LEFT, INPUT_BTN_MIDDLE, INPUT_BTN_RIGHT, INPUT_BTN_SIDE, INPUT_BTN_EXTRA };
        for (unsigned b = 1; b <= 5; b++)
            if (S.buttons & SDL_BUTTON(b))
                input_send_button(btn[b], false);
        S.buttons = 0;
        any = true;
    }
    if (any)
        input_sync();
    big_unlock();
}

static void toggle_full_screen(void)
{
    static bool grabbed_before;
    S.full_screen = !S.full_screen;
    if (S.full_screen) {
        grabbed_before = S.grabbed;
        SDL_SetWindowFullscreen(S.win, SDL_WINDOW_FULLSCREEN_DESKTOP);
        grab_start();
    } else {
        SDL_SetWindowFullscreen(S.win, 0);
        fit_window();
        if (!grabbed_before)
            grab_end();
    }
    S.need_present = true;
}

static void show_console(unsigned idx)
{
    if (idx >= console_count() || idx == S.shown)
        return;
    release_keys();
    S.shown = idx;
    if (!shown_is_graphic())
        grab_end();
    S.need_full = true;
    apply_cursor();
}

/* Ctrl-Alt-+/-: the window 50 pixels wider or narrower, the height in proportion. */
static void scale_window(int step)
{
    if (S.full_screen || !S.pic_w || !S.pic_h)
        return;
    int w, h;
    SDL_GetWindowSize(S.win, &w, &h);
    w += step;
    if (w < MIN_WIDTH)
        w = MIN_WIDTH;
    h = (int)((uint64_t)S.pic_h * (uint64_t)w / S.pic_w);
    SDL_SetWindowSize(S.win, w, h > 0 ? h : 1);
}

/* ---- keys ---- */

/* QEMU's hotkey modifiers: the left Ctrl and Alt together. */
static bool hotkey_mods(SDL_Keymod m)
{
    return (m & KMOD_LCTRL) && (m & KMOD_LALT);
}

/* A Ctrl-Alt hotkey: true if the key was one (and is kept from the guest). */
static bool hotkey(SDL_Scancode sc)
{
    switch (sc) {
    case SDL_SCANCODE_G:
        if (S.grabbed) {
            if (!S.full_screen)
                grab_end();
        } else {
            grab_start();
        }
        return true;
    case SDL_SCANCODE_F:
        toggle_full_screen();
        return true;
    case SDL_SCANCODE_U:
        fit_window();
        return true;
    case SDL_SCANCODE_KP_PLUS:
    case SDL_SCANCODE_EQUALS:
        scale_window(50);
        return true;
    case SDL_SCANCODE_KP_MINUS:
    case SDL_SCANCODE_MINUS:
        scale_window(-50);
        return true;
    default:
        if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_9) {
            show_console((unsigned)(sc - SDL_SCANCODE_1));
            return true;
        }
        return false;
    }
}

static void text_input(const char *bytes, size_t n)
{
    console *c = shown_console();
    if (!c || !n)
        return;
    void *opaque;
    const console_ops *ops = console_ops_of(c, &opaque);
    if (!ops || !ops->text_input)
        return;
    big_lock();
    ops->text_input(opaque, (const uint8_t *)bytes, n);
    big_unlock();
}

/* A key on a text console: what xterm sends for the keys that are not text (the text
 * comes as SDL_TEXTINPUT). */
static void text_key(const SDL_KeyboardEvent *k)
{
    SDL_Keymod m = k->keysym.mod;
    /* xterm's modifier parameter: 1 + Shift + 2*Alt + 4*Ctrl */
    int mod = 1 + ((m & KMOD_SHIFT) ? 1 : 0) + ((m & KMOD_ALT) ? 2 : 0) + ((m & KMOD_CTRL) ? 4 : 0);
    char buf[16];
    const char *s = NULL;
    char letter = 0;            /* CSI letter keys (arrows, Home, End) */
    int tilde = 0;              /* CSI N ~ keys */
    SDL_Scancode sc = k->keysym.scancode;
    switch (sc) {
    case SDL_SCANCODE_RETURN: case SDL_SCANCODE_KP_ENTER: s = "\r"; break;
    case SDL_SCANCODE_BACKSPACE: s = "\x7f"; break;
    case SDL_SCANCODE_TAB: s = (m & KMOD_SHIFT) ? "\033[Z" : "\t"; break;
    case SDL_SCANCODE_ESCAPE: s = "\033"; break;
    case SDL_SCANCODE_UP: letter = 'A'; break;
    case SDL_SCANCODE_DOWN: letter = 'B'; break;
    case SDL_SCANCODE_RIGHT: letter = 'C'; break;
    case SDL_SCANCODE_LEFT: letter = 'D'; break;
    case SDL_SCANCODE_HOME: letter = 'H'; break;
    case SDL_SCANCODE_END: letter = 'F'; break;
    case SDL_SCANCODE_INSERT: tilde = 2; break;
    case SDL_SCANCODE_DELETE: tilde = 3; break;
    case SDL_SCANCODE_PAGEUP: tilde = 5; break;
    case SDL_SCANCODE_PAGEDOWN: tilde = 6; break;
    case SDL_SCANCODE_F1: s = "\033OP"; break;
    case SDL_SCANCODE_F2: s = "\033OQ"; break;
    case SDL_SCANCODE_F3: s = "\033OR"; break;
    case SDL_SCANCODE_F4: s = "\033OS"; break;
    case SDL_SCANCODE_F5: tilde = 15; break;
    case SDL_SCANCODE_F6: tilde = 17; break;
    case SDL_SCANCODE_F7: tilde = 18; break;
    case SDL_SCANCODE_F8: tilde = 19; break;
    case SDL_SCANCODE_F9: tilde = 20; break;
    case SDL_SCANCODE_F10: tilde = 21; break;
    case SDL_SCANCODE_F11: tilde = 23; break;
    case SDL_SCANCODE_F12: tilde = 24; break;
    default:
        break;
    }
    if (letter) {
        if (mod > 1)
            snprintf(buf, sizeof(buf), "\033[1;%d%c", mod, letter);
        else
            snprintf(buf, sizeof(buf), "\033[%c", letter);
        s = buf;
    } else if (tilde) {
        if (mod > 1)
            snprintf(buf, sizeof(buf), "\033[%d;%d~", tilde, mod);
        else
            snprintf(buf, sizeof(buf), "\033[%d~", tilde);
        s = buf;
    } else if (!s && (m & KMOD_CTRL) && !(m & KMOD_ALT)) {
        /* Ctrl-letter and friends: the control characters (no SDL_TEXTINPUT for them) */
        SDL_Keycode kc = k->keysym.sym;
        if (kc >= 'a' && kc <= 'z')
            buf[0] = (char)(kc - 'a' + 1);
        else if (kc == '[' || kc == '\\' || kc == ']')
            buf[0] = (char)(kc - '[' + 0x1b);
        else if (kc == ' ' || kc == '2' || kc == '@')
            buf[0] = 0;
        else if (kc == '/' || kc == '-')
            buf[0] = 0x1f;
        else
            return;
        text_input(buf, 1);
        return;
    }
    if (s)
        text_input(s, strlen(s));
}

static void guest_key(const SDL_KeyboardEvent *k, bool down)
{
    uint16_t code = scancode_to_evdev[k->keysym.scancode];
    /* SDL repeats a held key; the guest's own autorepeat does that job */
    if (!code || (down && k->repeat) || (!down && !S.key_down[code]))
        return;
    S.key_down[code] = down;
    big_lock();
    input_send_key(code, down);
    input_sync();
    big_unlock();
}

static void on_key(const SDL_KeyboardEvent *k, bool down)
{
    SDL_Scancode sc = k->keysym.scancode;
    if ((unsigned)sc >= SDL_NUM_SCANCODES)
        return;
    /* the modifiers as they were at this key (SDL's current state may be later) */
    if (down && hotkey_mods(k->keysym.mod) && (S.hotkey_held[sc] || hotkey(sc))) {
        S.hotkey_held[sc] = true;
        return;
    }
    if (!down && S.hotkey_held[sc]) {
        S.hotkey_held[sc] = false;
        return;
    }
    if (shown_is_graphic())
        guest_key(k, down);
    else if (down)
        text_key(k);
}

/* ---- the pointer ---- */

static uint16_t sdl_button(uint8_t b)
{
    switch (b) {
    case SDL_BUTTON_LEFT: return INPUT_BTN_LEFT;
    case SDL_BUTTON_MIDDLE: return INPUT_BTN_MIDDLE;
    case SDL_BUTTON_RIGHT: return INPUT_BTN_RIGHT;
    case SDL_BUTTON_X1: return INPUT_BTN_SIDE;
    case SDL_BUTTON_X2: return INPUT_BTN_EXTRA;
    }
    return 0;
}

/* A window position (logical: the picture's pixels) as the tablet's 0..0x7fff. */
static void send_abs(int x, int y)
{
    if (!S.pic_w || !S.pic_h)
        return;
    int64_t cx = x < 0 ? 0 : x >= (int)S.pic_w ? (int)S.pic_w - 1 : x;
    int64_t cy = y < 0 ? 0 : y >= (int)S.pic_h ? (int)S.pic_h - 1 : y;
    uint32_t ax = S.pic_w > 1 ? (uint32_t)(cx * INPUT_ABS_MAX / (S.pic_w - 1)) : 0;
    uint32_t ay = S.pic_h > 1 ? (uint32_t)(cy * INPUT_ABS_MAX / (S.pic_h - 1)) : 0;
    input_send_abs(ax, ay);
}

static void on_motion(const SDL_MouseMotionEvent *m)
{
    if (!shown_is_graphic())
        return;
    if (S.absolute) {
        big_lock();
        send_abs(m->x, m->y);
        input_sync();
        big_unlock();
    } else if (S.grabbed && (m->xrel || m->yrel)) {
        big_lock();
        input_send_rel(m->xrel, m->yrel, 0);
        input_sync();
        big_unlock();
    }
}

static void on_button(const SDL_MouseButtonEvent *b, bool down)
{
    if (!shown_is_graphic())
        return;
    if (!S.absolute && !S.grabbed) {
        /* a click into the window grabs the pointer when the guest has a mouse, as QEMU */
        if (!down && b->button == SDL_BUTTON_LEFT) {
            big_lock();
            bool mouse = input_have(INPUT_KIND_MOUSE);
            big_unlock();
            if (mouse)
                grab_start();
        }
        return;
    }
    uint16_t btn = sdl_button(b->button);
    uint32_t bit = SDL_BUTTON(b->button);
    /* a release the guest never saw pressed (the click that grabbed) stays here */
    if (!btn || (!down && !(S.buttons & bit)))
        return;
    S.buttons = down ? S.buttons | bit : S.buttons & ~bit;
    big_lock();
    if (S.absolute)
        send_abs(b->x, b->y);
    input_send_button(btn, down);
    input_sync();
    big_unlock();
}

static void on_wheel(const SDL_MouseWheelEvent *w)
{
    if (!shown_is_graphic() || (!S.absolute && !S.grabbed))
        return;
    int y = w->direction == SDL_MOUSEWHEEL_FLIPPED ? -w->y : w->y;
    if (!y)
        return;
    big_lock();
    input_send_rel(0, 0, y);
    input_sync();
    big_unlock();
}

/* The guest's sprite changed: a new SDL cursor and texture from its pixels. */
static void take_sprite(const console_view *v)
{
    if (S.sprite_cursor) {
        if (S.applied_cursor == S.sprite_cursor) {
            SDL_SetCursor(S.default_cursor);
            S.applied_cursor = S.default_cursor;
        }
        SDL_FreeCursor(S.sprite_cursor);
        S.sprite_cursor = NULL;
    }
    if (S.sprite_tex) {
        SDL_DestroyTexture(S.sprite_tex);
        S.sprite_tex = NULL;
    }
    S.have_sprite = v->cursor != NULL;
    if (!v->cursor)
        return;
    S.sprite_w = v->cursor_w;
    S.sprite_h = v->cursor_h;
    S.sprite_hx = v->cursor_hx;
    S.sprite_hy = v->cursor_hy;
    /* the surface only borrows the pixels; SDL copies them into the cursor and texture */
    SDL_Surface *s = SDL_CreateRGBSurfaceFrom((void *)v->cursor, (int)v->cursor_w, (int)v->cursor_h, 32,
                                              (int)v->cursor_w * 4, 0xff0000, 0xff00, 0xff, 0xff000000u);
    if (!s)
        return;
    S.sprite_cursor = SDL_CreateColorCursor(s, (int)v->cursor_hx, (int)v->cursor_hy);
    S.sprite_tex = SDL_CreateTextureFromSurface(S.ren, s);
    if (S.sprite_tex)
        SDL_SetTextureBlendMode(S.sprite_tex, SDL_BLENDMODE_BLEND);
    SDL_FreeSurface(s);
}

/* ---- a frame ---- */

static void on_window_event(const SDL_WindowEvent *w)
{
    switch (w->event) {
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SIZE_CHANGED:
    case SDL_WINDOWEVENT_RESTORED:
    case SDL_WINDOWEVENT_SHOWN:
        S.need_present = true;
        break;
    case SDL_WINDOWEVENT_RESIZED: {
        S.need_present = true;
        /* the user resized the window: a display that can change mode (virtio-gpu) is
         * told the new size, as QEMU does; the others are scaled */
        console *c = shown_console();
        void *opaque;
        const console_ops *ops = c ? console_ops_of(c, &opaque) : NULL;
        if (ops && ops->resize_hint && w->data1 > 0 && w->data2 > 0 &&
            ((uint32_t)w->data1 != S.pic_w || (uint32_t)w->data2 != S.pic_h)) {
            big_lock();
            ops->resize_hint(opaque, (uint32_t)w->data1, (uint32_t)w->data2);
            big_unlock();
        }
        break;
    }
    case SDL_WINDOWEVENT_FOCUS_LOST:
        if (!S.full_screen)
            grab_end();
        release_keys();
        break;
    case SDL_WINDOWEVENT_CLOSE:
        if (!S.opts.no_window_close) {
            big_lock();
            main_loop_request_exit_why(0, false, "host-ui");
            big_unlock();
        }
        break;
    }
}

static void poll_events(void)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        switch (ev.type) {
        case SDL_KEYDOWN:
            on_key(&ev.key, true);
            break;
        case SDL_KEYUP:
            on_key(&ev.key, false);
            break;
        case SDL_TEXTINPUT:
            /* the text a Ctrl-Alt hotkey may make is not typed */
            if (!shown_is_graphic() && !hotkey_mods(SDL_GetModState()))
                text_input(ev.text.text, strlen(ev.text.text));
            break;
        case SDL_MOUSEMOTION:
            on_motion(&ev.motion);
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            on_button(&ev.button, ev.type == SDL_MOUSEBUTTONDOWN);
            break;
        case SDL_MOUSEWHEEL:
            on_wheel(&ev.wheel);
            break;
        case SDL_WINDOWEVENT:
            on_window_event(&ev.window);
            break;
        case SDL_QUIT:
            if (!S.opts.no_window_close) {
                big_lock();
                main_loop_request_exit_why(0, false, "host-ui");
                big_unlock();
            }
            break;
        }
    }
}

static bool ensure_texture(uint32_t w, uint32_t h)
{
    if (S.tex && S.tex_w == w && S.tex_h == h)
        return true;
    if (S.tex)
        SDL_DestroyTexture(S.tex);
    /* SDL's RGB888 is a 32-bit word 0x00RRGGBB: the consoles' XRGB8888 as it is */
    S.tex = SDL_CreateTexture(S.ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h);
    S.tex_w = w;
    S.tex_h = h;
    return S.tex != NULL;
}

static void frame(void)
{
    poll_events();
    if (!S.open)
        return;
    console *c = shown_console();
    console_view v;
    if (!c) {
        /* no display device and no text console: an empty black window */
        if (S.need_present || S.need_full) {
            SDL_SetRenderDrawColor(S.ren, 0, 0, 0, 255);
            SDL_RenderClear(S.ren);
            SDL_RenderPresent(S.ren);
            S.need_present = S.need_full = false;
        }
        return;
    }
    bool full = S.need_full;
    console_refresh(c, full, &v);
    bool changed = full || v.resized || v.dirty_y0 < v.dirty_y1;
    if (v.resized || full || v.width != S.pic_w || v.height != S.pic_h) {
        bool new_size = v.width != S.pic_w || v.height != S.pic_h;
        S.pic_w = v.width;
        S.pic_h = v.height;
        SDL_RenderSetLogicalSize(S.ren, (int)v.width, (int)v.height);
        if (new_size)
            fit_window();
        v.dirty_y0 = 0;
        v.dirty_y1 = v.height;
    }
    if (full || v.cursor_changed) {
        if (v.cursor_changed || (v.cursor != NULL) != S.have_sprite)
            take_sprite(&v);
        S.sprite_x = v.cursor_x;
        S.sprite_y = v.cursor_y;
        apply_cursor();
        /* a sprite drawn into the picture (relative pointer) moves with a redraw */
        if (S.have_sprite && !S.absolute)
            changed = true;
    }
    S.need_full = false;
    if (!changed && !S.need_present)
        return;
    if (!ensure_texture(v.width, v.height))
        return;
    if (v.dirty_y0 < v.dirty_y1 && v.dirty_y1 <= v.height) {
        SDL_Rect r = { 0, (int)v.dirty_y0, (int)v.width, (int)(v.dirty_y1 - v.dirty_y0) };
        SDL_UpdateTexture(S.tex, &r, v.pixels + (size_t)v.dirty_y0 * v.width, (int)v.width * 4);
    }
    SDL_SetRenderDrawColor(S.ren, 0, 0, 0, 255);
    SDL_RenderClear(S.ren);
    SDL_RenderCopy(S.ren, S.tex, NULL, NULL);
    if (S.have_sprite && S.sprite_tex && !S.absolute && shown_is_graphic()) {
        SDL_Rect d = { S.sprite_x - (int)S.sprite_hx, S.sprite_y - (int)S.sprite_hy, (int)S.sprite_w,
                       (int)S.sprite_h };
        SDL_RenderCopy(S.ren, S.sprite_tex, NULL, &d);
    }
    SDL_RenderPresent(S.ren);
    S.need_present = false;
    S.frames++;
}

/* No faster than the screen the window is on refreshes (asked again every 2 s, not every
 * frame, which can cost a round trip to the X server: the window may move to another
 * screen); 60 Hz where it does not say, and never above 240 Hz. */
static uint64_t frame_period(void)
{
    uint64_t now = host_clock_ns();
    if (S.frame_ns && now - S.rate_checked_ns < 2000000000ull)
        return S.frame_ns;
    S.rate_checked_ns = now;
    SDL_DisplayMode mode;
    int d = SDL_GetWindowDisplayIndex(S.win);
    if (d >= 0 && SDL_GetCurrentDisplayMode(d, &mode) == 0 && mode.refresh_rate > 0)
        S.frame_ns = 1000000000ull / (uint64_t)(mode.refresh_rate < 240 ? mode.refresh_rate : 240);
    else
        S.frame_ns = FRAME_NS;
    return S.frame_ns;
}

/* The host-clock timer: runs with the big lock held, which the frame lets go of. */
static void tick(void *opaque)
{
    bool running = vm_running();
    bool absolute = input_have(INPUT_KIND_TABLET);
    int depth = big_lock_drop_all();
    if (running != S.vm_running) {
        S.vm_running = running;
        update_title();
    }
    if (absolute != S.absolute) {
        /* a tablet came or went: the pointer changes between absolute and grabbed */
        grab_end();
        S.absolute = absolute;
        apply_cursor();
    }
    frame();
    big_lock_retake(depth);
    if (S.open) {
        bool hidden = SDL_GetWindowFlags(S.win) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN);
        qtimer_mod(S.timer, host_clock_ns() + (hidden ? HIDDEN_FRAME_NS : frame_period()));
    }
}

bool display_sdl_available(void) { return true; }

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer build's leak check at exit: what the libraries under SDL keep for the
 * life of the process (D-Bus's connection, the X and GL drivers' caches) is theirs,
 * not tern's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdbus-1.so\nleak:libSDL2\nleak:libX11.so\nleak:libGLX\nleak:libGL.so\n"
           "leak:swrast_dri.so\nleak:libLLVM\nleak:libxcb\n";
}

/* and says nothing of them: an error stays one line */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

uint64_t display_sdl_frames(void) { return S.frames; }

bool display_sdl_open(const display_options *o, char *err, size_t errsize)
{
    if (S.open) {
        snprintf(err, errsize, "-display sdl: the window is open already");
        return false;
    }
    /* tern keeps its own signal handling (SDL would turn SIGINT into a quit event);
     * the keyboard grab takes the window manager's keys too, as QEMU's does */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    /* only the kind of display the environment names, so that probing the other one
     * prints nothing of its own (libwayland complains on stderr) */
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if (!getenv("SDL_VIDEODRIVER") && ((x && *x) != (wl && *wl)))
        SDL_SetHint(SDL_HINT_VIDEODRIVER, x && *x ? "x11" : "wayland");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        if (x && *x)
            snprintf(err, errsize, "-display sdl: cannot open a window on DISPLAY=%s: %s", x, SDL_GetError());
        else
            snprintf(err, errsize, "-display sdl: cannot open a window: %s%s", SDL_GetError(),
                     wl && *wl ? "" : " (DISPLAY is not set)");
        return false;
    }
    /* where no X server or Wayland compositor answers, SDL falls back to drivers with
     * no window anyone sees (KMS/DRM on a console, offscreen): a user asking for a
     * window is told, unless they chose the driver themselves */
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!getenv("SDL_VIDEODRIVER") && drv && strcmp(drv, "x11") && strcmp(drv, "wayland")) {
        snprintf(err, errsize, "-display sdl: cannot open a window: no X11 or Wayland display answers%s "
                 "(SDL would use '%s')", getenv("DISPLAY") ? " at $DISPLAY" : "", drv);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return false;
    }
    memset(&S, 0, sizeof(S));
    S.opts = *o;
    S.opts.name = o->name ? strdup(o->name) : NULL;
    S.vm_running = true;

    /* the first picture decides the window's size (QEMU's 640x480 until the guest sets a mode) */
    console *c = console_get(0);
    console_view v = { .width = 640, .height = 480 };
    if (c)
        console_refresh(c, true, &v);
    S.pic_w = v.width;
    S.pic_h = v.height;
    Uint32 flags = SDL_WINDOW_RESIZABLE | (o->full_screen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    S.win = SDL_CreateWindow("tern", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, (int)v.width, (int)v.height,
                             flags);
    if (!S.win) {
        snprintf(err, errsize, "-display sdl: cannot create the window: %s", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        free((char *)S.opts.name);
        return false;
    }
    /* an accelerated renderer where there is one, else SDL's software one (Xvfb) */
    S.ren = SDL_CreateRenderer(S.win, -1, 0);
    if (!S.ren)
        S.ren = SDL_CreateRenderer(S.win, -1, SDL_RENDERER_SOFTWARE);
    if (!S.ren) {
        snprintf(err, errsize, "-display sdl: no renderer: %s", SDL_GetError());
        SDL_DestroyWindow(S.win);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        free((char *)S.opts.name);
        return false;
    }
    SDL_RenderSetLogicalSize(S.ren, (int)v.width, (int)v.height);
    S.open = true;
    S.full_screen = o->full_screen;
    S.need_full = true;
    S.need_present = true;
    S.default_cursor = SDL_GetDefaultCursor();
    S.applied_cursor = S.default_cursor;
    S.applied_show = true;
    SDL_StartTextInput();
    big_lock();
    S.absolute = input_have(INPUT_KIND_TABLET);
    S.vm_running = vm_running();
    big_unlock();
    update_title();
    apply_cursor();
    if (S.full_screen)
        grab_start();
    S.timer = qtimer_new_host(tick, NULL);
    qtimer_mod(S.timer, host_clock_ns());
    return true;
}

void display_sdl_close(void)
{
    if (!S.open)
        return;
    S.open = false;
    qtimer_free(S.timer);
    if (S.grabbed) {
        SDL_SetRelativeMouseMode(SDL_FALSE);
        SDL_SetWindowGrab(S.win, SDL_FALSE);
    }
    if (S.sprite_cursor)
        SDL_FreeCursor(S.sprite_cursor);
    if (S.sprite_tex)
        SDL_DestroyTexture(S.sprite_tex);
    if (S.tex)
        SDL_DestroyTexture(S.tex);
    SDL_DestroyRenderer(S.ren);
    SDL_DestroyWindow(S.win);
#if !defined(__SANITIZE_ADDRESS__)
    /* (the sanitizer build leaves the video drivers loaded: unloaded, what they keep
     * for the process's life shows as leaks from modules nobody can name) */
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
#endif
    free((char *)S.opts.name);
    memset(&S, 0, sizeof(S));
}

#endif
