/*
 * Host memory backends, QEMU's -object memory-backend-ram / memory-backend-file /
 * memory-backend-memfd: memory a device shows to the guest (ivshmem's shared BAR),
 * optionally a file other processes map too (share=on).
 */
#ifndef TERN_HOSTMEM_H
#define TERN_HOSTMEM_H
#include "core/opts.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hostmem {
    char *id, *type, *path;
    uint64_t size;
    bool share;
    uint8_t *host;              /* mapped on first use */
    bool used;                  /* a device has it */
} hostmem;

/* Check one -object argument and keep it; false with a reason in err. Objects of
 * other kinds are refused by name. */
bool hostmem_parse(const char *arg, char *err, size_t errsize);
/* The backend with this id, mapped; NULL with a reason in err. */
hostmem *hostmem_get(const char *id, char *err, size_t errsize);
/* Unmap and forget them all (exit). */
void hostmem_free_all(void);

#endif
