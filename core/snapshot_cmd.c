/* Snapshot commands (see snapshot_cmd.h). */
#include "core/snapshot_cmd.h"
#include "core/snapshot.h"
#include "core/log.h"
#include "accel/cpus.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUFFIX ".tsnap"

static const char *dir = "tern-snapshots";
static bool compress;

/* "\rsaving 123 / 512 MiB" on a terminal, cleared when done; only for large guests,
 * whose saves and loads take long enough to wonder about */
static void show_progress(const char *what, uint64_t done, uint64_t total)
{
    static bool shown;
    if (!what) {
        if (shown)
            fputs("\r\033[K", stderr);
        shown = false;
        return;
    }
    if (total < (256ull << 20))
        return;
    shown = true;
    fprintf(stderr, "\r%s %llu / %llu MiB", what, (unsigned long long)(done >> 20),
            (unsigned long long)(total >> 20));
}

void snapcmd_init(const char *d)
{
    if (d)
        dir = d;
    if (isatty(2))
        snapshot_set_progress(show_progress);
}

const char *snapcmd_dir(void) { return dir; }
void snapcmd_set_compress(bool on) { compress = on; }
bool snapcmd_compress(void) { return compress; }

static bool valid_name(const char *name, char *err, size_t errsize)
{
    if (!name || !*name || strchr(name, '/') || name[0] == '.' || strlen(name) > 200) {
        snprintf(err, errsize, "'%s' is not a snapshot name (no '/', not starting with '.')", name ? name : "");
        return false;
    }
    return true;
}

static char *named_path(const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s" SUFFIX, dir, name) < 0)
        fatal("out of memory");
    return p;
}

bool snapcmd_exists(const char *name)
{
    char *p = named_path(name);
    bool e = access(p, F_OK) == 0;
    free(p);
    return e;
}

/* Stop for the operation; the caller restarts if `was` is true. */
static bool stop_for(machine *m)
{
    bool was = vm_running();
    if (was)
        vm_stop(m, RUN_STATE_PAUSED);
    return was;
}

int snapcmd_savevm(machine *m, const char *name, char *err, size_t errsize)
{
    if (!valid_name(name, err, errsize))
        return -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errsize, "cannot make the snapshot directory %s: %s", dir, strerror(errno));
        return -1;
    }
    char *path = named_path(name);
    bool was = stop_for(m);
    snapshot_save_opts o = { .compress = compress };
    int r = snapshot_save(m, path, &o, err, errsize);
    if (was)
        vm_start(m);
    free(path);
    return r;
}

/* Load into a running tern: on a failure after the machine changed, it stays stopped
 * (its state is a mix of two), as QEMU leaves it. */
static int load_path(machine *m, const char *path, char *err, size_t errsize)
{
    bool was = stop_for(m);
    bool changed;
    int r = snapshot_load(m, path, false, &changed, err, errsize);
    /* running again only if it was running (after migrate it stays stopped, as QEMU) */
    if (was && (r == 0 || !changed))
        vm_start(m);
    return r;
}

int snapcmd_loadvm(machine *m, const char *name, char *err, size_t errsize)
{
    if (!valid_name(name, err, errsize))
        return -1;
    char *path = named_path(name);
    if (access(path, F_OK) != 0) {
        snprintf(err, errsize, "Snapshot '%s' does not exist in %s", name, dir);
        free(path);
        return -1;
    }
    int r = load_path(m, path, err, errsize);
    free(path);
    return r;
}

int snapcmd_delvm(const char *name, char *err, size_t errsize)
{
    if (!valid_name(name, err, errsize))
        return -1;
    char *path = named_path(name);
    int r;
    if (access(path, F_OK) != 0) {
        snprintf(err, errsize, "Snapshot '%s' does not exist in %s", name, dir);
        r = -1;
    } else {
        r = snapshot_delete(path, err, errsize);
    }
    free(path);
    return r;
}

int snapcmd_migrate(machine *m, const char *uri, char *err, size_t errsize)
{
    if (strncmp(uri, "file:", 5) || !uri[5]) {
        snprintf(err, errsize, "migrate %s: tern migrates to files only (file:PATH)", uri);
        return -1;
    }
    bool was = stop_for(m);
    snapshot_save_opts o = { .compress = compress };
    int r = snapshot_save(m, uri + 5, &o, err, errsize);
    if (r == 0)
        vm_stop(m, RUN_STATE_POSTMIGRATE);     /* as QEMU: stopped until cont */
    else if (was)
        vm_start(m);                           /* a failed save: the guest runs on */
    return r;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void snapcmd_list(void (*out)(void *opaque, const char *line), void *opaque)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= strlen(SUFFIX) || strcmp(e->d_name + len - strlen(SUFFIX), SUFFIX) || e->d_name[0] == '.')
            continue;
        names = realloc(names, sizeof(char *) * (size_t)(n + 1));
        if (!names || !(names[n] = strndup(e->d_name, len - strlen(SUFFIX))))
            fatal("out of memory");
        n++;
    }
    if (d)
        closedir(d);
    if (!n) {
        out(opaque, "There is no snapshot available.\n");
        free(names);
        return;
    }
    qsort(names, (size_t)n, sizeof(char *), by_name);
    char line[512];
    snprintf(line, sizeof(line), "List of snapshots in %s:\n", dir);
    out(opaque, line);
    out(opaque, "ID        TAG                     VM SIZE                DATE     VM CLOCK     ICOUNT\n");
    for (int i = 0; i < n; i++) {
        char *path = named_path(names[i]);
        snapshot_info info;
        if (snapshot_read_info(path, &info) == 0) {
            char date[32], size[32];
            struct tm tm;
            time_t t = (time_t)info.saved_at;
            localtime_r(&t, &tm);
            strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
            double mib = (double)info.file_bytes / (1 << 20);
            if (mib >= 1024)
                snprintf(size, sizeof(size), "%.1f GiB", mib / 1024);
            else
                snprintf(size, sizeof(size), "%.1f MiB", mib);
            uint64_t ms = info.vm_clock_ns / 1000000;
            snprintf(line, sizeof(line), "%-9s %-20s %10s %s %02llu:%02llu:%02llu.%03llu\n", "--", names[i], size, date,
                     (unsigned long long)(ms / 3600000), (unsigned long long)(ms / 60000 % 60),
                     (unsigned long long)(ms / 1000 % 60), (unsigned long long)(ms % 1000));
        } else {
            snprintf(line, sizeof(line), "%-9s %-20s (not a readable snapshot)\n", "--", names[i]);
        }
        out(opaque, line);
        free(path);
        free(names[i]);
    }
    free(names);
}

int snapcmd_startup(machine *m, const char *incoming, const char *loadvm)
{
    char err[600];
    char *path = NULL;
    if (incoming && loadvm) {
        error_report("-incoming and -loadvm: give one snapshot to start from");
        return 2;
    }
    if (loadvm) {
        if (!valid_name(loadvm, err, sizeof(err))) {
            error_report("-loadvm: %s", err);
            return 2;
        }
        path = named_path(loadvm);
        if (access(path, F_OK) != 0) {
            error_report("-loadvm %s: Snapshot '%s' does not exist in %s", loadvm, loadvm, dir);
            free(path);
            return 2;
        }
    } else if (incoming) {
        path = strdup(incoming);
    } else {
        return 0;
    }
    bool changed;
    int r = snapshot_load(m, path, true, &changed, err, sizeof(err));
    if (r < 0)
        error_report("%s: %s", loadvm ? "-loadvm" : "-incoming", err);
    if (r == 0 && getenv("TERN_SNAPSHOT_TIMING")) {
        const snapshot_stats *s = snapshot_last_stats();
        fprintf(stderr, "tern: restored in %.3f ms\n", (double)s->total_ns / 1e6);
    }
    free(path);
    return r < 0 ? 2 : 0;
}
