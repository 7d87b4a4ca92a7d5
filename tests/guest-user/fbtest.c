/*
 * The guest's side of the display tests (tests/guest-kit/display_test.py) and of
 * bench/display, run from the test guest's shell:
 *   fbtest pattern       put the first VT in graphics mode and fill /dev/fb0 with a pattern
 *                        the host recomputes pixel by pixel from its coordinates
 *   fbtest text          the first VT back in text mode (fbcon draws again)
 *   fbtest font STRING   the console font's glyphs for STRING, so the host can render the
 *                        text fbcon should show without a font of its own
 *   fbtest loop SECONDS  redraw the whole screen, a new colour each time, and report the
 *                        frames drawn per second
 *   fbtest drm SECONDS   the same through DRM (a dumb buffer on the first connector's
 *                        CRTC, DIRTYFB after each frame): what the display pipeline itself
 *                        does, without fbdev's 20 Hz deferred I/O in the way
 *   fbtest input NAME N  print the first N events of the input device called NAME
 */
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <linux/input.h>
#include <linux/kd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
    perror(what);
    printf("fbtest: FAIL %s\n", what);
    return 1;
}

/* The pattern display_test.py expects at (x, y), as 0x00RRGGBB. */
static uint32_t pattern(uint32_t x, uint32_t y)
{
    return ((x ^ y) & 0xff) << 16 | ((x * 3) & 0xff) << 8 | ((y * 5 + (x >> 8)) & 0xff);
}

static int set_vt_mode(int mode)
{
    int tty = open("/dev/tty1", O_RDWR);
    if (tty < 0)
        return fail("open /dev/tty1");
    if (ioctl(tty, KDSETMODE, mode) < 0)
        return fail("KDSETMODE");
    close(tty);
    return 0;
}

typedef struct fb {
    int fd;
    struct fb_var_screeninfo var;
    struct fb_fix_screeninfo fix;
    uint8_t *mem;
    size_t len;
} fb;

static int fb_open(fb *f)
{
    f->fd = open("/dev/fb0", O_RDWR);
    if (f->fd < 0)
        return fail("open /dev/fb0");
    if (ioctl(f->fd, FBIOGET_VSCREENINFO, &f->var) < 0 || ioctl(f->fd, FBIOGET_FSCREENINFO, &f->fix) < 0)
        return fail("FBIOGET_*SCREENINFO");
    if (f->var.bits_per_pixel != 32) {
        printf("fbtest: FAIL %u bits per pixel, not 32\n", f->var.bits_per_pixel);
        return 1;
    }
    f->len = f->fix.smem_len;
    f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    if (f->mem == MAP_FAILED)
        return fail("mmap /dev/fb0");
    return 0;
}

/* A pixel in the framebuffer's own layout (its colour offsets, which are RGB here). */
static uint32_t fb_pixel(const fb *f, uint32_t rgb)
{
    uint32_t r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
    return r << f->var.red.offset | g << f->var.green.offset | b << f->var.blue.offset;
}

static uint8_t *fb_line(const fb *f, uint32_t y)
{
    return f->mem + (size_t)(y + f->var.yoffset) * f->fix.line_length + (size_t)f->var.xoffset * 4;
}

static int cmd_pattern(void)
{
    fb f;
    if (set_vt_mode(KD_GRAPHICS) || fb_open(&f))
        return 1;
    for (uint32_t y = 0; y < f.var.yres; y++) {
        uint32_t *line = (uint32_t *)fb_line(&f, y);
        for (uint32_t x = 0; x < f.var.xres; x++)
            line[x] = fb_pixel(&f, pattern(x, y));
    }
    msync(f.mem, f.len, MS_SYNC);
    printf("fbtest: pattern %ux%u stride %u\n", f.var.xres, f.var.yres, f.fix.line_length);
    return 0;
}

static int cmd_font(const char *s)
{
    static uint8_t data[512 * 32 * 4];
    struct console_font_op op = { .op = KD_FONT_OP_GET, .width = 32, .height = 32, .charcount = 512,
                                  .data = data };
    int tty = open("/dev/tty1", O_RDWR);
    if (tty < 0)
        return fail("open /dev/tty1");
    if (ioctl(tty, KDFONTOP, &op) < 0)
        return fail("KDFONTOP");
    if (op.width != 8) {
        printf("fbtest: FAIL font %ux%u, not 8 wide\n", op.width, op.height);
        return 1;
    }
    /* one byte per row, 32 rows per glyph whatever its height */
    printf("fbtest: font %ux%u\n", op.width, op.height);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        printf("glyph %02x", *p);
        for (unsigned r = 0; r < op.height; r++)
            printf(" %02x", data[*p * 32 + r]);
        printf("\n");
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmd_loop(double seconds)
{
    fb f;
    if (set_vt_mode(KD_GRAPHICS) || fb_open(&f))
        return 1;
    double start = now(), end = start + seconds;
    unsigned frames = 0;
    while (now() < end) {
        uint32_t px = fb_pixel(&f, (frames * 0x3f1d27u) & 0xffffff);
        for (uint32_t y = 0; y < f.var.yres; y++) {
            uint32_t *line = (uint32_t *)fb_line(&f, y);
            for (uint32_t x = 0; x < f.var.xres; x++)
                line[x] = px;
        }
        frames++;
    }
    double t = now() - start;
    printf("fbtest: loop %ux%u %u frames in %.2f s: %.1f frames/s\n", f.var.xres, f.var.yres, frames, t,
           frames / t);
    return 0;
}

static int cmd_drm(double seconds)
{
    int fd = open("/dev/dri/card0", O_RDWR);
    if (fd < 0)
        return fail("open /dev/dri/card0");
    uint32_t conns[8], crtcs[8];
    struct drm_mode_card_res res = { 0 };
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) < 0)
        return fail("GETRESOURCES");
    if (res.count_connectors > 8)
        res.count_connectors = 8;
    if (res.count_crtcs > 8)
        res.count_crtcs = 8;
    res.connector_id_ptr = (uintptr_t)conns;
    res.crtc_id_ptr = (uintptr_t)crtcs;
    res.count_fbs = res.count_encoders = 0;
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) < 0 || !res.count_connectors || !res.count_crtcs)
        return fail("GETRESOURCES (ids)");
    struct drm_mode_modeinfo modes[64];
    struct drm_mode_get_connector conn = { .connector_id = conns[0] };
    if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn) < 0 || !conn.count_modes)
        return fail("GETCONNECTOR");
    if (conn.count_modes > 64)
        conn.count_modes = 64;
    conn.modes_ptr = (uintptr_t)modes;
    conn.count_props = conn.count_encoders = 0;
    if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn) < 0)
        return fail("GETCONNECTOR (modes)");
    struct drm_mode_modeinfo *mode = &modes[0];
    for (unsigned i = 0; i < conn.count_modes; i++)
        if (modes[i].type & DRM_MODE_TYPE_PREFERRED) {
            mode = &modes[i];
            break;
        }
    struct drm_mode_create_dumb cd = { .width = mode->hdisplay, .height = mode->vdisplay, .bpp = 32 };
    if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd) < 0)
        return fail("CREATE_DUMB");
    struct drm_mode_fb_cmd fbc = { .width = cd.width, .height = cd.height, .pitch = cd.pitch, .bpp = 32,
                                   .depth = 24, .handle = cd.handle };
    if (ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fbc) < 0)
        return fail("ADDFB");
    struct drm_mode_map_dumb md = { .handle = cd.handle };
    if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md) < 0)
        return fail("MAP_DUMB");
    uint8_t *mem = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)md.offset);
    if (mem == MAP_FAILED)
        return fail("mmap dumb buffer");
    struct drm_mode_crtc crtc = { .crtc_id = crtcs[0], .fb_id = fbc.fb_id, .set_connectors_ptr = (uintptr_t)conns,
                                  .count_connectors = 1, .mode = *mode, .mode_valid = 1 };
    if (ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc) < 0)
        return fail("SETCRTC");
    struct drm_clip_rect clip = { 0, 0, (unsigned short)cd.width, (unsigned short)cd.height };
    struct drm_mode_fb_dirty_cmd dirty = { .fb_id = fbc.fb_id, .num_clips = 1, .clips_ptr = (uintptr_t)&clip };
    double start = now(), end = start + seconds;
    unsigned frames = 0;
    while (now() < end) {
        uint32_t px = (frames * 0x3f1d27u) & 0xffffff;
        for (uint32_t y = 0; y < cd.height; y++) {
            uint32_t *line = (uint32_t *)(mem + (size_t)y * cd.pitch);
            for (uint32_t x = 0; x < cd.width; x++)
                line[x] = px;
        }
        ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);     /* virtio-gpu: transfer and flush */
        frames++;
    }
    double t = now() - start;
    printf("fbtest: drm %ux%u %u frames in %.2f s: %.1f frames/s\n", cd.width, cd.height, frames, t, frames / t);
    return 0;
}

static int cmd_input(const char *name, int count)
{
    char path[64], got[256];
    int fd = -1;
    for (int i = 0; i < 32 && fd < 0; i++) {
        snprintf(path, sizeof(path), "/dev/input/event%d", i);
        int e = open(path, O_RDONLY);
        if (e < 0)
            continue;
        if (ioctl(e, EVIOCGNAME(sizeof(got)), got) > 0 && !strcmp(got, name))
            fd = e;
        else
            close(e);
    }
    if (fd < 0) {
        printf("fbtest: FAIL no input device called '%s'\n", name);
        return 1;
    }
    printf("fbtest: reading %s (%s)\n", path, name);
    fflush(stdout);
    for (int n = 0; n < count;) {
        struct input_event ev;
        if (read(fd, &ev, sizeof(ev)) != sizeof(ev))
            return fail("read");
        if (ev.type == EV_SYN)
            continue;
        printf("event type %u code %u value %d\n", ev.type, ev.code, ev.value);
        fflush(stdout);
        n++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "pattern"))
        return cmd_pattern();
    if (argc >= 2 && !strcmp(argv[1], "text"))
        return set_vt_mode(KD_TEXT);
    if (argc >= 3 && !strcmp(argv[1], "font"))
        return cmd_font(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "loop"))
        return cmd_loop(atof(argv[2]));
    if (argc >= 3 && !strcmp(argv[1], "drm"))
        return cmd_drm(atof(argv[2]));
    if (argc >= 4 && !strcmp(argv[1], "input"))
        return cmd_input(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: fbtest pattern | text | font STRING | loop SECONDS | drm SECONDS | input NAME COUNT\n");
    return 2;
}
