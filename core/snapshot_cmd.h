/*
 * Snapshots as the user asks for them, in QEMU's words: `migrate file:PATH` and
 * `-incoming file:PATH`; named snapshots (savevm, loadvm, delvm, info snapshots,
 * -loadvm) kept as files in one directory (-snapshot-dir, ./tern-snapshots by
 * default). The human monitor and QMP both call these; they stop the machine for the
 * operation and let it go on as QEMU does.
 */
#ifndef TERN_SNAPSHOT_CMD_H
#define TERN_SNAPSHOT_CMD_H

#include "core/machine.h"
#include <stdbool.h>
#include <stddef.h>

/* Where named snapshots live (NULL: ./tern-snapshots); shows progress if stderr is a
 * terminal. */
void snapcmd_init(const char *dir);
const char *snapcmd_dir(void);
/* migrate_set_parameter multifd-compression zstd|none: RAM compression for saves */
void snapcmd_set_compress(bool on);
bool snapcmd_compress(void);

/* Main thread, big lock held. 0, or -1 with one line in err. */
int snapcmd_savevm(machine *m, const char *name, char *err, size_t errsize);
int snapcmd_loadvm(machine *m, const char *name, char *err, size_t errsize);
int snapcmd_delvm(const char *name, char *err, size_t errsize);
/* migrate file:PATH: the machine is left stopped ("postmigrate") as in QEMU. */
int snapcmd_migrate(machine *m, const char *uri, char *err, size_t errsize);
/* The listing `info snapshots` prints. */
void snapcmd_list(void (*out)(void *opaque, const char *line), void *opaque);
/* Does a named snapshot exist? */
bool snapcmd_exists(const char *name);

/* -incoming / -loadvm, before the machine first runs: 0, or an exit status (the error
 * printed). */
int snapcmd_startup(machine *m, const char *incoming, const char *loadvm);

#endif
