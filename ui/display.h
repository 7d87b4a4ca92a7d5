/*
 * The display front ends main.c opens: today the SDL2 window (-display sdl), which
 * shows one console at a time (Ctrl-Alt-1..9 switch), sends keys and the pointer to
 * the guest's input devices, and types into text consoles, as QEMU's SDL display.
 */
#ifndef TERN_UI_DISPLAY_H
#define TERN_UI_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct display_options {
    const char *name;           /* -name: the title is "tern (NAME)"; NULL: "tern" */
    bool full_screen;           /* -full-screen: start full screen (and grabbed) */
    bool show_cursor;           /* show-cursor=on: keep the host pointer visible over a guest
                                 * with an absolute pointer and no cursor sprite of its own */
    bool no_window_close;       /* window-close=off: closing the window does not quit */
} display_options;

/* Is the SDL window built in (configure found SDL2)? */
bool display_sdl_available(void);
/* Open the window on console 0 and start refreshing it from the main loop, at most 60
 * times a second. Main thread, after the machine and its consoles exist; the big lock
 * may be held or not. False with a reason (no SDL in this build, no X display). */
bool display_sdl_open(const display_options *o, char *err, size_t errsize);
/* Pictures the window has shown so far (bench/display, QMP x-query-display). */
uint64_t display_sdl_frames(void);
/* Close the window (at exit; harmless when it is not open). Main thread. */
void display_sdl_close(void);

#endif
