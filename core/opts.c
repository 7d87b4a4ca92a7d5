/* QEMU-style option lists (see opts.h). */
#include "core/opts.h"
#include "core/log.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(opt_list *l, char *key, char *val)
{
    opt_item *n = realloc(l->items, (size_t)(l->n + 1) * sizeof(*n));
    if (!n)
        fatal("out of memory");
    l->items = n;
    l->items[l->n++] = (opt_item){ key, val, false };
}

/* One element up to an unescaped comma, with ",," made ",". */
static char *element(const char **p)
{
    size_t cap = strlen(*p) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        fatal("out of memory");
    const char *s = *p;
    while (*s) {
        if (*s == ',') {
            if (s[1] == ',') {
                out[n++] = ',';
                s += 2;
                continue;
            }
            break;
        }
        out[n++] = *s++;
    }
    out[n] = 0;
    if (*s == ',')
        s++;
    *p = s;
    return out;
}

bool opts_parse(opt_list *l, const char *text, const char *implied, char *err, size_t errsize)
{
    memset(l, 0, sizeof(*l));
    const char *p = text;
    bool first = true;
    while (*p || first) {
        char *e = element(&p);
        char *eq = strchr(e, '=');
        if (first && implied && !eq) {
            char *k = strdup(implied);
            if (!k)
                fatal("out of memory");
            add(l, k, e);
        } else if (eq) {
            *eq = 0;
            char *v = strdup(eq + 1);
            if (!v)
                fatal("out of memory");
            if (!*e) {
                snprintf(err, errsize, "'=%s': an option needs a name", v);
                free(e);
                free(v);
                opts_free(l);
                return false;
            }
            add(l, e, v);
        } else if (*e) {
            /* bare "key" is key=on; "nokey" is key=off */
            char *v = strdup(strncmp(e, "no", 2) || !e[2] ? "on" : "off");
            if (!v)
                fatal("out of memory");
            if (!strcmp(v, "off"))
                memmove(e, e + 2, strlen(e + 2) + 1);
            add(l, e, v);
        } else {
            free(e);
        }
        first = false;
    }
    return true;
}

void opts_free(opt_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].val);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

const char *opts_get(opt_list *l, const char *key)
{
    const char *v = NULL;
    for (int i = 0; i < l->n; i++) {
        if (!strcmp(l->items[i].key, key)) {
            l->items[i].used = true;
            v = l->items[i].val;
        }
    }
    return v;
}

bool opts_has(const opt_list *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].key, key))
            return true;
    return false;
}

bool opts_parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

bool opts_get_bool(opt_list *l, const char *key, bool def, bool *out, char *err, size_t errsize)
{
    const char *v = opts_get(l, key);
    if (!v) {
        *out = def;
        return true;
    }
    if (opts_parse_bool(v, out))
        return true;
    snprintf(err, errsize, "%s=%s: expected on or off", key, v);
    return false;
}

bool opts_get_u64(opt_list *l, const char *key, uint64_t def, uint64_t *out, char *err, size_t errsize)
{
    const char *v = opts_get(l, key);
    if (!v) {
        *out = def;
        return true;
    }
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    uint64_t mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    default: break;
    }
    if (end == v || *end || errno || *v == '-' || n > UINT64_MAX / mult) {
        snprintf(err, errsize, "%s=%s: expected a number", key, v);
        return false;
    }
    *out = n * mult;
    return true;
}

const char *opts_unused(const opt_list *l)
{
    for (int i = 0; i < l->n; i++)
        if (!l->items[i].used)
            return l->items[i].key;
    return NULL;
}
