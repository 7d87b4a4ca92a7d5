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
/* Writes go to an in-memory overlay (-snapshot, snapshot=on): the file never changes. */
bool block_is_overlay(const block *b);
/* false on an I/O error or a range past the end */
bool block_read(block *b, uint64_t off, void *buf, size_t len);
bool block_write(block *b, uint64_t off, const void *buf, size_t len);
bool block_flush(block *b);

/*
 * Snapshots. Open images are kept in order of opening, which a machine's command line
 * fixes, so the n-th image of a snapshot is the n-th image of the machine it loads into.
 *
 * A save writes each writable image's contents as they read now (file plus overlay) to
 * a raw file beside the snapshot: a reflink where the file system has them, else a copy
 * of the allocated extents only. A load makes each image read as that copy did:
 *  - with an overlay (-snapshot, snapshot=on): the copy becomes the read-only base and
 *    the overlay starts empty; nothing is copied, and many processes share the copy;
 *  - without: the copy is written over the image, in full, or, going back to the
 *    snapshot the image was last saved to or loaded from in this process, only the
 *    64 KiB chunks written since.
 * Read-only images are not copied; the snapshot records their size and modification
 * time, and a load refuses an image that changed.
 */
int block_count(void);
block *block_at(int i);
const char *block_path(const block *b);
/* The image's contents now, into a new file `dest` (which must not exist). */
bool block_save_copy(block *b, const char *dest, char *err, size_t errsize);
/* Saved to or loaded from `copy`: start tracking writes against it. */
void block_set_base(block *b, const char *copy);
/* Make the image read as `copy` does. */
bool block_load_copy(block *b, const char *copy, char *err, size_t errsize);
/* Size and modification time of the image file, for read-only images. */
bool block_identity(block *b, uint64_t *size, int64_t *mtime_ns);

#endif
