/*
 * tern's version, and the version of QEMU whose interfaces (command line, QMP, HMP) it
 * follows: QMP's greeting and query-version report the latter in their "qemu" fields,
 * since clients decide what a peer can do from it, and name tern in "package".
 */
#ifndef TERN_VERSION_H
#define TERN_VERSION_H

#include "build/config.h"

#define TERN_QEMU_COMPAT_VERSION "7.2.0"
#define TERN_QEMU_MAJOR 7
#define TERN_QEMU_MINOR 2
#define TERN_QEMU_MICRO 0

#endif
