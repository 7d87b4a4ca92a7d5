/*
 * Whole-machine snapshots: the file format (docs/snapshots.md), saving a stopped machine
 * to a file and loading one back, in a new process or in the running one.
 *
 * A save writes a temporary file beside the destination and renames it into place, so
 * no snapshot is ever half written; writable disk images are copied beside it (see
 * core/block.h). A load checks everything it can before it changes anything: the
 * header, every section's checksum, that the file was saved by this kind of machine,
 * the versions. RAM that was saved uncompressed is then mapped copy-on-write, not
 * read, so a restore costs what the devices and CPUs cost, whatever the RAM size; its
 * checksums are verified by a thread that runs alongside the guest (when nothing on
 * the host is written meanwhile) or before the load changes anything.
 *
 * Loading, in the same process, the snapshot RAM was last saved to or loaded from reads
 * back only the pages written since (RAM write tracking, core/memory.h).
 */
#ifndef TERN_SNAPSHOT_H
#define TERN_SNAPSHOT_H

#include "core/machine.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAPSHOT_FORMAT_VERSION 1

typedef struct snapshot_save_opts {
    bool compress;               /* RAM as zstd frames, compressed on every core */
} snapshot_save_opts;

/* What the last save or load did, for query-migrate and info snapshots. */
typedef struct snapshot_stats {
    bool save;                   /* the last operation was a save (else a load) */
    bool ok;
    uint64_t total_ns;           /* the whole operation */
    uint64_t ram_bytes;          /* guest RAM */
    uint64_t ram_written;        /* RAM bytes stored (non-zero pages), or read back */
    uint64_t pages_back;         /* in-place return: pages read back */
    bool incremental;            /* in-place return to the last snapshot */
    uint64_t file_bytes;         /* on disk */
} snapshot_stats;

/* Machine stopped, big lock held. 0, or -1 with one line in err (nothing was written,
 * the machine is unchanged and may go on). */
int snapshot_save(machine *m, const char *path, const snapshot_save_opts *o, char *err, size_t errsize);

/* Machine stopped, big lock held. `startup`: the machine has not run yet (-incoming,
 * -loadvm), so RAM checksums may be verified alongside the guest. 0, or -1 with one line
 * in err; on a failure found before anything was changed (a damaged or foreign file)
 * *changed is false. */
int snapshot_load(machine *m, const char *path, bool startup, bool *changed, char *err, size_t errsize);

/* Delete a snapshot file and the disk copies it names. */
int snapshot_delete(const char *path, char *err, size_t errsize);

/* Header facts of a snapshot file, for listings: -1 if it is not a readable snapshot. */
typedef struct snapshot_info {
    uint64_t vm_clock_ns;        /* guest time at the save */
    int64_t saved_at;            /* host time of the save, seconds since the epoch */
    uint64_t file_bytes;         /* including the disk copies */
} snapshot_info;
int snapshot_read_info(const char *path, snapshot_info *info);

const snapshot_stats *snapshot_last_stats(void);

/* Progress on a terminal: set by the front end (NULL: none). */
typedef void snapshot_progress_fn(const char *what, uint64_t done, uint64_t total);
void snapshot_set_progress(snapshot_progress_fn *fn);

#endif
