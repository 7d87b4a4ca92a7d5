/*
 * Whole reads and writes at an offset: pread/pwrite until done, through EINTR and short
 * transfers. False on an error or end of file (a write of 0 bytes sets ENOSPC).
 */
#ifndef TERN_FILEIO_H
#define TERN_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool pread_full(int fd, void *buf, size_t len, uint64_t off);
bool pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
