/*
 * tern's command line, in QEMU's spelling: every option is parsed here into the
 * machine's options (machine_opts) and the rest of the run's setup (monitors, QMP,
 * the gdb stub, daemonizing). A bad option is one error line and exit status 2.
 */
#ifndef TERN_CMDLINE_H
#define TERN_CMDLINE_H

#include "core/machine.h"
#include "core/chardev.h"

#define MAX_MONITORS 8

typedef struct cmdline {
    machine_opts *opts;
    const char *machine_name;
    const char *name;                   /* -name */
    const char *logfile;                /* -D */
    const char *pidfile;
    bool daemonize;
    bool start_stopped;                 /* -S */
    const char *gdb_dev;                /* -gdb DEV or -s */
    struct {
        chardev *chr;
        bool control;                   /* QMP (control) or the human monitor (readline) */
        bool pretty;
    } monitors[MAX_MONITORS];
    int nmonitors;
    const char *device_help;            /* -device help / -device NAME,help: print and exit */
    enum { DISPLAY_DEFAULT, DISPLAY_NONE, DISPLAY_SDL } display;   /* never DEFAULT once parsed */
    bool full_screen;                   /* -full-screen, -display sdl,full-screen=on */
    bool window_close;                  /* closing the window quits (QEMU's window-close=on) */
    bool show_cursor;                   /* show-cursor=on */
    const char *incoming;               /* -incoming file:PATH: the snapshot to start from */
    const char *loadvm;                 /* -loadvm NAME */
    const char *snapshot_dir;           /* -snapshot-dir DIR: where savevm keeps snapshots */
} cmdline;

/* Parse argv; exits (status 0) for --help, --version and the help listings, and (status
 * 2, one line on stderr) on any error. */
void cmdline_parse(int argc, char **argv, cmdline *cl);
/* Free what cmdline_parse kept (at exit). */
void cmdline_free(cmdline *cl);

#endif
