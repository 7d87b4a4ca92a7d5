/*
 * EDID for the emulated displays (virtio-gpu's GET_EDID, bochs-display's EDID BAR):
 * a monitor whose preferred mode is the size the window asks for, so that the guest's
 * driver picks that mode on its own.
 */
#ifndef TERN_UI_EDID_H
#define TERN_UI_EDID_H

#include <stddef.h>
#include <stdint.h>

/* Largest mode a detailed timing descriptor can carry (12-bit fields), and the smallest
 * Linux takes from one (it ignores smaller detailed timings). */
#define EDID_MAX_DIM 4095
#define EDID_MIN_DIM 64

/*
 * Fill `len` bytes of `out`: an EDID 1.4 base block (128 bytes) whose preferred detailed
 * timing is xres x yres at about 60 Hz (each clamped to EDID_MIN_DIM..EDID_MAX_DIM;
 * 0 means 1280x800), with a monitor-name descriptor (`monitor_name`, first 13 characters; NULL
 * for "tern Monitor") and range limits. With len >= 256 a CTA-861 extension block
 * follows; bytes past 256 are zeroed. len < 128 leaves out zeroed and nothing else.
 */
void edid_generate(uint8_t *out, size_t len, uint32_t xres, uint32_t yres, const char *monitor_name);

#endif
