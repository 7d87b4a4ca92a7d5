/*
 * QEMU's option syntax: "value,key=value,key=value", where a bare "key" means key=on,
 * "nokey" means key=off (QEMU's old spelling, still accepted by 7.2), and ",," is a
 * comma inside a value. Every option parser of tern's command line uses this, so each
 * reports an option it does not know the same way.
 */
#ifndef TERN_OPTS_H
#define TERN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct opt_item {
    char *key, *val;
    bool used;
} opt_item;

typedef struct opt_list {
    opt_item *items;
    int n;
} opt_list;

/* Parse `text`. If `implied` is non-NULL, a first element without '=' is the value of
 * that key (e.g. "socket,id=c0" gives backend=socket). */
bool opts_parse(opt_list *l, const char *text, const char *implied, char *err, size_t errsize);
void opts_free(opt_list *l);
/* The value of `key` (the last one given), marking it used; NULL if absent. */
const char *opts_get(opt_list *l, const char *key);
bool opts_has(const opt_list *l, const char *key);
/* on|off|yes|no|true|false; def if absent. False (with err naming the key) if malformed. */
bool opts_get_bool(opt_list *l, const char *key, bool def, bool *out, char *err, size_t errsize);
/* A number with an optional K/M/G suffix. */
bool opts_get_u64(opt_list *l, const char *key, uint64_t def, uint64_t *out, char *err, size_t errsize);
/* The first key nobody asked for (NULL: none), for "unknown option" errors. */
const char *opts_unused(const opt_list *l);
/* "on"/"off" etc. as a bool; false if not one of them. */
bool opts_parse_bool(const char *s, bool *out);

#endif
