/*
 * tern's entry point, and the place where everything is put together: parse the
 * command line, build the chosen machine, open the monitors, QMP and the gdb stub on
 * their chardevs, and run. As the composition root it may use every layer. Every user
 * error is one line on stderr and exit status 2.
 */
#include "core/cmdline.h"
#include "core/snapshot_cmd.h"
#include "core/machine.h"
#include "core/chardev.h"
#include "core/log.h"
#include "accel/accel.h"
#include "accel/cpus.h"
#include "debug/monitor.h"
#include "debug/qmp.h"
#include "debug/gdbstub.h"
#include "ui/display.h"
#include "hw/device_help.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *pidfile_written;

static void remove_pidfile(void)
{
    if (pidfile_written)
        unlink(pidfile_written);
}

/* The pid, written to a temporary name and renamed, so a reader never sees half. */
static bool write_pidfile(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        error_report("-pidfile %s: %s", path, strerror(errno));
        return false;
    }
    fprintf(f, "%d\n", (int)getpid());
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        error_report("-pidfile %s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    pidfile_written = path;
    atexit(remove_pidfile);
    return true;
}

/* -daemonize: the parent waits until the child has set the machine up, then exits with
 * its verdict; the child goes on in a new session with stdio on /dev/null. */
static int daemon_pipe = -1;

static void daemonize_start(void)
{
    int p[2];
    if (pipe(p) < 0) {
        error_report("-daemonize: %s", strerror(errno));
        exit(2);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        error_report("-daemonize: %s", strerror(errno));
        exit(2);
    }
    if (pid > 0) {
        close(p[1]);
        char ok = 0;
        ssize_t n = read(p[0], &ok, 1);
        _exit(n == 1 && ok == 1 ? 0 : 2);
    }
    close(p[0]);
    daemon_pipe = p[1];
    setsid();
}

static void daemonize_done(bool ok)
{
    if (daemon_pipe < 0)
        return;
    if (ok) {
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, STDIN_FILENO);
            dup2(fd, STDOUT_FILENO);
            /* stderr goes too: the parent has exited and nobody reads it */
            dup2(fd, STDERR_FILENO);
            if (fd > STDERR_FILENO)
                close(fd);
        }
    }
    char b = ok ? 1 : 0;
    ssize_t r = write(daemon_pipe, &b, 1);
    (void)r;
    close(daemon_pipe);
    daemon_pipe = -1;
}

/* What the board and devices left of the -global list is unknown to tern. */
static bool check_globals(machine_opts *o)
{
    for (int i = 0; i < o->nglobals; i++) {
        global_opt *g = &o->globals[i];
        if (!g->used) {
            error_report("-global %s.%s=%s: no device here has that property", g->driver, g->prop, g->value);
            return false;
        }
    }
    return true;
}

static int run(cmdline *cl, machine *m)
{
    const char *mname = cl->opts->machine ? cl->opts->machine : "virt";
    m->cls = machine_class_find(mname);
    if (!m->cls) {
        error_report("-M %s: unknown machine (-M help lists them)", mname);
        return 2;
    }
    m->name = cl->name;
    if (cl->logfile && !log_open(cl->logfile)) {
        error_report("-D %s: %s", cl->logfile, strerror(errno));
        return 2;
    }
    if (cl->daemonize) {
        for (int i = 0; i < cl->nmonitors; i++) {
            if (!strcmp(chardev_filename(cl->monitors[i].chr), "stdio")) {
                error_report("-daemonize: a monitor cannot use stdio in the background");
                return 2;
            }
        }
        if (m->opts.serial && !strcmp(chardev_filename(m->opts.serial), "stdio")) {
            error_report("-daemonize: the serial port cannot use stdio in the background");
            return 2;
        }
        daemonize_start();
    }
    /* the monitors attach before the board's devices, so a mux starts on the console */
    char err[512];
    for (int i = 0; i < cl->nmonitors; i++) {
        bool ok = cl->monitors[i].control
                      ? qmp_open(m, cl->monitors[i].chr, cl->monitors[i].pretty, err, sizeof(err))
                      : hmp_open(m, cl->monitors[i].chr, err, sizeof(err));
        if (!ok) {
            error_report("%s", err);
            return 2;
        }
    }
    as_init(&m->as);
    as_init(&m->io);
    int rc = m->cls->init(m);
    if (rc < 0)
        return 2;
    if (rc > 0)
        return 0;
    if (!check_globals(&m->opts))
        return 2;
    snapcmd_init(cl->snapshot_dir);
    rc = snapcmd_startup(m, cl->incoming, cl->loadvm);
    if (rc)
        return rc;
    if (cl->gdb_dev && !gdbstub_open(m, cl->gdb_dev, err, sizeof(err))) {
        error_report("-gdb %s", err);
        return 2;
    }
    if (cl->pidfile && !write_pidfile(cl->pidfile))
        return 2;
    if (!chardev_wait_clients(err, sizeof(err))) {
        error_report("%s", err);
        return 2;
    }
    if (cl->display == DISPLAY_SDL) {
        display_options dop = { .name = cl->name, .full_screen = cl->full_screen,
                                .show_cursor = cl->show_cursor, .no_window_close = !cl->window_close };
        if (!display_sdl_open(&dop, err, sizeof(err))) {
            error_report("%s", err);
            return 2;
        }
    }
    daemonize_done(true);
    chardev_start_all();
    int status = vm_run(m, cl->start_stopped);
    /* the window goes before the devices whose pictures it shows */
    display_sdl_close();
    return status;
}

int main(int argc, char **argv)
{
    /* a socket peer that goes away must not kill tern with SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    /* a file size limit (ulimit -f) must fail a snapshot save, not kill the machine */
    signal(SIGXFSZ, SIG_IGN);
    machine m;
    memset(&m, 0, sizeof(m));
    m.opts.ram_size = 128ull << 20;
    cmdline cl = { .opts = &m.opts, .window_close = true };
    cmdline_parse(argc, argv, &cl);
    if (cl.device_help) {
        int r = !strcmp(cl.device_help, "cpu-help") ? cpu_help(m.opts.machine) : device_help(cl.device_help);
        chardev_close_all();
        cmdline_free(&cl);
        return r;
    }
    int status = run(&cl, &m);
    daemonize_done(status == 0);
    gdbstub_close();              /* it still looks at the board's vCPUs */
    if (m.cls && m.board)
        m.cls->destroy(&m);
    qmp_close_all();
    hmp_close_all();
    chardev_close_all();
    cmdline_free(&cl);
    fflush(stdout);
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
    return status;
}
