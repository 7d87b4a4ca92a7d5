/*
 * Disk images for block devices: raw files, read-only or read-write, and with
 * `snapshot` an in-memory overlay that takes every write so the file never changes.
 */
#ifndef TERN_BLOCK_H
#define TERN_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct block block;

block *block_open(const char *path, bool readonly, bool snapshot, char *err, size_t errsize);
void block_close(block *b);
uint64_t block_size(const block *b);
bool block_readonly(const block *b);
/* false on an I/O error or a range past the end */
bool block_read(block *b, uint64_t off, void *buf, size_t len);
bool block_write(block *b, uint64_t off, const void *buf, size_t len);
bool block_flush(block *b);

#endif
