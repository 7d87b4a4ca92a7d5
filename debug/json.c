/*
 * JSON for the QMP server: the value tree, the strict parser (plus QEMU's single-quoted
 * strings), the compact emitter, the template builder and the stream splitter that cuts
 * a connection's bytes into texts. json.h states the rules each part follows.
 */
#include "debug/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(JSON_MAX_DEPTH <= 64, "the stream splitter keeps one bit per level");

typedef struct {
    char *key;                  /* NUL-terminated, may also hold NULs */
    size_t klen;
    json *value;
} json_member;

struct json {
    json_type type;
    union {
        bool b;
        struct {
            double d;           /* always set */
            int64_t i;
            uint64_t u;
            bool is_int;        /* i is the exact value */
            bool is_uint;       /* u is the exact value */
        } num;
        struct {
            char *s;            /* NUL-terminated, may also hold NULs */
            size_t len;
        } str;
        struct {
            json **v;
            size_t n, cap;
        } arr;
        struct {
            json_member *m;     /* insertion order */
            size_t n, cap;
            uint32_t *index;    /* open-addressed key hash -> member number + 1 */
            size_t index_cap;   /* a power of two, 0 without an index */
        } obj;
    };
};

/* ---- memory helpers ---- */

/*
 * Make room for need elements of size el; returns the new block (and updates *cap), or
 * NULL with p and *cap untouched when out of memory.
 */
static void *grow(void *p, size_t *cap, size_t need, size_t el)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 4;
    while (n < need) {
        if (n > SIZE_MAX / 2 / el)
            return NULL;
        n *= 2;
    }
    void *q = realloc(p, n * el);
    if (q)
        *cap = n;
    return q;
}

static char *dup_bytes(const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = malloc(n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629), or 0 if there is none. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;

    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;               /* continuation byte or overlong 2-byte lead */
    if (c < 0xe0) {
        n = 2;
    } else if (c < 0xf0) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;          /* overlong */
        else if (c == 0xed)
            hi = 0x9f;          /* UTF-16 surrogates */
    } else if (c < 0xf5) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;          /* overlong */
        else if (c == 0xf4)
            hi = 0x8f;          /* above U+10FFFF */
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- values ---- */

static json *new_node(json_type t)
{
    json *j = calloc(1, sizeof(*j));
    if (j)
        j->type = t;
    return j;
}

json *json_new_null(void)
{
    return new_node(JSON_NULL);
}

json *json_new_bool(bool b)
{
    json *j = new_node(JSON_BOOL);
    if (j)
        j->b = b;
    return j;
}

json *json_new_int(int64_t i)
{
    json *j = new_node(JSON_NUMBER);
    if (j) {
        j->num.d = (double)i;
        j->num.i = i;
        j->num.is_int = true;
        if (i >= 0) {
            j->num.u = (uint64_t)i;
            j->num.is_uint = true;
        }
    }
    return j;
}

json *json_new_uint(uint64_t u)
{
    json *j = new_node(JSON_NUMBER);
    if (j) {
        j->num.d = (double)u;
        j->num.u = u;
        j->num.is_uint = true;
        if (u <= INT64_MAX) {
            j->num.i = (int64_t)u;
            j->num.is_int = true;
        }
    }
    return j;
}

json *json_new_double(double d)
{
    json *j = new_node(JSON_NUMBER);
    if (j)
        j->num.d = d;
    return j;
}

/* Takes ownership of s, a malloc'd buffer of len bytes plus a NUL. */
static json *new_string_owned(char *s, size_t len)
{
    json *j = new_node(JSON_STRING);
    if (!j) {
        free(s);
        return NULL;
    }
    j->str.s = s;
    j->str.len = len;
    return j;
}

json *json_new_stringn(const char *s, size_t len)
{
    char *copy = dup_bytes(s, len);
    return copy ? new_string_owned(copy, len) : NULL;
}

json *json_new_string(const char *s)
{
    return s ? json_new_stringn(s, strlen(s)) : json_new_null();
}

json *json_new_array(void)
{
    return new_node(JSON_ARRAY);
}

json *json_new_object(void)
{
    return new_node(JSON_OBJECT);
}

void json_free(json *j)
{
    if (!j)
        return;
    switch (j->type) {
    case JSON_STRING:
        free(j->str.s);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < j->arr.n; i++)
            json_free(j->arr.v[i]);
        free(j->arr.v);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < j->obj.n; i++) {
            free(j->obj.m[i].key);
            json_free(j->obj.m[i].value);
        }
        free(j->obj.m);
        free(j->obj.index);
        break;
    default:
        break;
    }
    free(j);
}

bool json_array_append(json *arr, json *value)
{
    if (!arr || arr->type != JSON_ARRAY || !value) {
        json_free(value);
        return false;
    }
    json **v = grow(arr->arr.v, &arr->arr.cap, arr->arr.n + 1, sizeof(*v));
    if (!v) {
        json_free(value);
        return false;
    }
    arr->arr.v = v;
    v[arr->arr.n++] = value;
    return true;
}

/* ---- objects: members in insertion order, hashed once they are many ---- */

/* Objects smaller than this are searched linearly, which is faster for QMP's small ones. */
#define INDEX_MIN 8

static uint32_t hash_key(const char *k, size_t n)
{
    uint32_t h = 2166136261u;                   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static bool key_is(const json_member *m, const char *k, size_t n)
{
    return m->klen == n && memcmp(m->key, k, n) == 0;
}

static size_t obj_find(const json *o, const char *k, size_t n)
{
    if (o->obj.index) {
        size_t mask = o->obj.index_cap - 1;
        for (size_t h = hash_key(k, n) & mask; o->obj.index[h]; h = (h + 1) & mask) {
            size_t i = o->obj.index[h] - 1;
            if (key_is(&o->obj.m[i], k, n))
                return i;
        }
        return SIZE_MAX;
    }
    for (size_t i = 0; i < o->obj.n; i++)
        if (key_is(&o->obj.m[i], k, n))
            return i;
    return SIZE_MAX;
}

static void index_insert(uint32_t *index, size_t cap, const json_member *m, size_t i)
{
    size_t mask = cap - 1, h = hash_key(m->key, m->klen) & mask;
    while (index[h])
        h = (h + 1) & mask;
    index[h] = (uint32_t)(i + 1);
}

/*
 * Account for the member just appended. The index is only a speed-up: without memory
 * for it (or with absurdly many members) the object falls back to linear search.
 */
static void index_update(json *o)
{
    size_t n = o->obj.n;
    if (n < INDEX_MIN)
        return;
    if (o->obj.index && n * 2 <= o->obj.index_cap) {
        index_insert(o->obj.index, o->obj.index_cap, &o->obj.m[n - 1], n - 1);
        return;
    }
    free(o->obj.index);
    o->obj.index = NULL;
    o->obj.index_cap = 0;
    if (n > UINT32_MAX / 4)
        return;
    size_t cap = 4 * INDEX_MIN;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *index = calloc(cap, sizeof(*index));
    if (!index)
        return;
    for (size_t i = 0; i < n; i++)
        index_insert(index, cap, &o->obj.m[i], i);
    o->obj.index = index;
    o->obj.index_cap = cap;
}

/* Add or replace a member; takes ownership of key (malloc'd, NUL-terminated) and value. */
static bool obj_put(json *o, char *key, size_t klen, json *value)
{
    size_t i = obj_find(o, key, klen);
    if (i != SIZE_MAX) {
        free(key);
        json_free(o->obj.m[i].value);
        o->obj.m[i].value = value;
        return true;
    }
    json_member *m = grow(o->obj.m, &o->obj.cap, o->obj.n + 1, sizeof(*m));
    if (!m) {
        free(key);
        json_free(value);
        return false;
    }
    o->obj.m = m;
    m[o->obj.n++] = (json_member){ key, klen, value };
    index_update(o);
    return true;
}

bool json_object_setn(json *obj, const char *key, size_t klen, json *value)
{
    if (!obj || obj->type != JSON_OBJECT || !key || !value) {
        json_free(value);
        return false;
    }
    char *k = dup_bytes(key, klen);
    if (!k) {
        json_free(value);
        return false;
    }
    return obj_put(obj, k, klen, value);
}

bool json_object_set(json *obj, const char *key, json *value)
{
    return json_object_setn(obj, key, key ? strlen(key) : 0, value);
}

/* ---- inspection ---- */

json_type json_typeof(const json *j)
{
    return j ? j->type : JSON_NULL;
}

const char *json_type_name(json_type t)
{
    switch (t) {
    case JSON_NULL:   return "null";
    case JSON_BOOL:   return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY:  return "array";
    case JSON_OBJECT: return "object";
    }
    return "?";
}

bool json_bool_value(const json *j, bool *out)
{
    if (!j || j->type != JSON_BOOL)
        return false;
    *out = j->b;
    return true;
}

bool json_int_value(const json *j, int64_t *out)
{
    if (!j || j->type != JSON_NUMBER || !j->num.is_int)
        return false;
    *out = j->num.i;
    return true;
}

bool json_uint_value(const json *j, uint64_t *out)
{
    if (!j || j->type != JSON_NUMBER || !j->num.is_uint)
        return false;
    *out = j->num.u;
    return true;
}

bool json_double_value(const json *j, double *out)
{
    if (!j || j->type != JSON_NUMBER)
        return false;
    *out = j->num.d;
    return true;
}

const char *json_string_value(const json *j, size_t *len)
{
    if (!j || j->type != JSON_STRING)
        return NULL;
    if (len)
        *len = j->str.len;
    return j->str.s;
}

size_t json_array_len(const json *j)
{
    return j && j->type == JSON_ARRAY ? j->arr.n : 0;
}

const json *json_array_at(const json *j, size_t i)
{
    return i < json_array_len(j) ? j->arr.v[i] : NULL;
}

size_t json_object_len(const json *j)
{
    return j && j->type == JSON_OBJECT ? j->obj.n : 0;
}

const char *json_object_key_at(const json *j, size_t i, size_t *klen)
{
    if (i >= json_object_len(j))
        return NULL;
    if (klen)
        *klen = j->obj.m[i].klen;
    return j->obj.m[i].key;
}

const json *json_object_value_at(const json *j, size_t i)
{
    return i < json_object_len(j) ? j->obj.m[i].value : NULL;
}

const json *json_getn(const json *obj, const char *key, size_t klen)
{
    if (!obj || obj->type != JSON_OBJECT || !key)
        return NULL;
    size_t i = obj_find(obj, key, klen);
    return i == SIZE_MAX ? NULL : obj->obj.m[i].value;
}

const json *json_get(const json *obj, const char *key)
{
    return key ? json_getn(obj, key, strlen(key)) : NULL;
}

bool json_get_bool(const json *obj, const char *key, bool *out)
{
    return json_bool_value(json_get(obj, key), out);
}

bool json_get_int(const json *obj, const char *key, int64_t *out)
{
    return json_int_value(json_get(obj, key), out);
}

bool json_get_uint(const json *obj, const char *key, uint64_t *out)
{
    return json_uint_value(json_get(obj, key), out);
}

bool json_get_double(const json *obj, const char *key, double *out)
{
    return json_double_value(json_get(obj, key), out);
}

bool json_get_strn(const json *obj, const char *key, const char **out, size_t *len)
{
    size_t n;
    const char *s = json_string_value(json_get(obj, key), &n);
    if (!s)
        return false;
    *out = s;
    if (len)
        *len = n;
    return true;
}

bool json_get_str(const json *obj, const char *key, const char **out)
{
    size_t n;
    const char *s = json_string_value(json_get(obj, key), &n);
    if (!s || memchr(s, 0, n))
        return false;
    *out = s;
    return true;
}

/* ---- equality ---- */

static bool number_equal(const json *a, const json *b)
{
    bool ai = a->num.is_int || a->num.is_uint, bi = b->num.is_int || b->num.is_uint;
    if (ai != bi)
        return false;
    if (!ai)
        return a->num.d == b->num.d;
    if (a->num.is_int && b->num.is_int)
        return a->num.i == b->num.i;
    return a->num.is_uint && b->num.is_uint && a->num.u == b->num.u;
}

static bool object_equal(const json *a, const json *b)
{
    if (a->obj.n != b->obj.n)
        return false;
    for (size_t i = 0; i < a->obj.n; i++) {
        const json_member *m = &a->obj.m[i];
        size_t k = obj_find(b, m->key, m->klen);
        if (k == SIZE_MAX || !json_equal(m->value, b->obj.m[k].value))
            return false;
    }
    return true;
}

bool json_equal(const json *a, const json *b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JSON_NULL:
        return true;
    case JSON_BOOL:
        return a->b == b->b;
    case JSON_NUMBER:
        return number_equal(a, b);
    case JSON_STRING:
        return a->str.len == b->str.len && memcmp(a->str.s, b->str.s, a->str.len) == 0;
    case JSON_ARRAY:
        if (a->arr.n != b->arr.n)
            return false;
        for (size_t i = 0; i < a->arr.n; i++)
            if (!json_equal(a->arr.v[i], b->arr.v[i]))
                return false;
        return true;
    case JSON_OBJECT:
        return object_equal(a, b);
    }
    return false;
}

/* ---- parser ---- */

/* One json_build argument, fetched from the va_list before parsing starts. */
typedef struct {
    char conv;                  /* s d u f b j, as in the template */
    union {
        const char *s;
        long long i;
        unsigned long long u;
        double d;
        bool b;
        json *j;                /* NULL once the tree owns it */
    };
} build_arg;

typedef struct {
    const unsigned char *start, *p, *end;
    char *err;
    size_t errsize;
    bool failed;
    bool build;                 /* json_build: '%' directives are values */
    build_arg *args;
    size_t nargs, next_arg;
} parser;

static void __attribute__((format(printf, 3, 4)))
fail(parser *ps, const unsigned char *at, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    if (!ps->err || !ps->errsize)
        return;
    char msg[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errsize, "%s at byte %zu", msg, (size_t)(at - ps->start));
}

/* Names a byte in an error message: 'x' when printable, else its hex value. */
static const char *byte_name(unsigned c, char buf[16])
{
    if (c == '\'')
        snprintf(buf, 16, "\"'\"");
    else if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", (char)c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

/* Reports what is at ps->p when it is not what the grammar wants there. */
static void fail_unexpected(parser *ps, const char *wanted)
{
    char b[16];
    if (ps->p == ps->end)
        fail(ps, ps->p, "unexpected end of input");
    else if (wanted)
        fail(ps, ps->p, "expected %s, found %s", wanted, byte_name(*ps->p, b));
    else
        fail(ps, ps->p, "unexpected %s", byte_name(*ps->p, b));
}

static void *fail_oom(parser *ps)
{
    fail(ps, ps->p, "out of memory");
    return NULL;
}

static bool is_digit(unsigned c)
{
    return c - '0' < 10;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static json *parse_value(parser *ps, int depth);

/* Four hex digits at p, before end; -1 if there are not. */
static long hex4(const unsigned char *p, const unsigned char *end)
{
    long v = 0;
    if (end - p < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        unsigned c = p[k];
        int d = is_digit(c) ? (int)(c - '0')
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (int)((c | 0x20) - 'a' + 10) : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* \uXXXX at *pp (the backslash), with a following low surrogate if it needs one. */
static bool decode_u(parser *ps, const unsigned char **pp, const unsigned char *end,
                     char *out, size_t *n)
{
    const unsigned char *p = *pp;
    long cp = hex4(p + 2, end);
    if (cp < 0) {
        fail(ps, p, "invalid \\u escape");
        return false;
    }
    p += 6;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2, end) : -1;
        if (lo < 0xdc00 || lo > 0xdfff) {
            fail(ps, *pp, "unpaired surrogate \\u%04lx", cp);
            return false;
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        p += 6;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        fail(ps, *pp, "unpaired surrogate \\u%04lx", cp);
        return false;
    }
    *n += utf8_put(out + *n, (uint32_t)cp);
    *pp = p;
    return true;
}

/* The escape at *pp (a backslash that has a next byte before end). */
static bool decode_escape(parser *ps, const unsigned char **pp, const unsigned char *end,
                          unsigned char quote, char *out, size_t *n)
{
    const unsigned char *p = *pp;
    char c;
    switch (p[1]) {
    case '"':  c = '"'; break;
    case '\\': c = '\\'; break;
    case '/':  c = '/'; break;
    case 'b':  c = '\b'; break;
    case 'f':  c = '\f'; break;
    case 'n':  c = '\n'; break;
    case 'r':  c = '\r'; break;
    case 't':  c = '\t'; break;
    case 'u':  return decode_u(ps, pp, end, out, n);
    case '\'':
        if (quote == '\'') {        /* only the single-quote extension needs it */
            c = '\'';
            break;
        }
        /* fall through */
    default: {
        char b[16];
        fail(ps, p, "invalid escape \\ followed by %s", byte_name(p[1], b));
        return false;
    }
    }
    out[(*n)++] = c;
    *pp = p + 2;
    return true;
}

/*
 * The string whose opening quote is at ps->p, decoded into a malloc'd NUL-terminated
 * buffer. The closing quote is found first: no escape makes text longer, so the raw
 * span bounds the decoded size.
 */
static char *parse_string(parser *ps, size_t *lenp)
{
    const unsigned char *open = ps->p, *s = open + 1, *e = s;
    unsigned char quote = *open;

    while (e < ps->end && *e != quote) {
        if (*e == '\\' && e + 1 < ps->end)
            e++;
        e++;
    }
    if (e == ps->end) {
        fail(ps, open, "unterminated string");
        return NULL;
    }
    char *out = malloc((size_t)(e - s) + 1);
    if (!out)
        return fail_oom(ps);

    size_t n = 0;
    const unsigned char *p = s;
    while (p < e) {
        unsigned c = *p;
        if (c == '\\') {
            if (!decode_escape(ps, &p, e, quote, out, &n))
                goto bad;
        } else if (c < 0x20) {
            fail(ps, p, "control character 0x%02x in string", c);
            goto bad;
        } else if (c < 0x80) {
            out[n++] = (char)c;
            p++;
        } else {
            size_t k = utf8_len(p, e);
            if (!k) {
                fail(ps, p, "invalid UTF-8 in string");
                goto bad;
            }
            memcpy(out + n, p, k);
            n += k;
            p += k;
        }
    }
    out[n] = 0;
    *lenp = n;
    ps->p = e + 1;
    return out;
bad:
    free(out);
    return NULL;
}

/* Fills in a number node from the validated text [s, e). */
static json *make_number(parser *ps, const unsigned char *s, const unsigned char *e,
                         bool integral)
{
    size_t len = (size_t)(e - s);
    char small[64], *text = len < sizeof(small) ? small : malloc(len + 1);
    if (!text)
        return fail_oom(ps);
    memcpy(text, s, len);
    text[len] = 0;              /* strtod needs a terminator the input may not have */
    errno = 0;
    double d = strtod(text, NULL);
    bool overflow = errno == ERANGE && isinf(d);
    if (text != small)
        free(text);
    if (overflow) {
        fail(ps, s, "number out of range");
        return NULL;
    }

    json *j = new_node(JSON_NUMBER);
    if (!j)
        return fail_oom(ps);
    j->num.d = d;
    if (!integral)
        return j;
    bool neg = *s == '-';
    uint64_t mag = 0;
    for (const unsigned char *p = s + neg; p < e; p++) {
        unsigned dig = *p - '0';
        if (mag > (UINT64_MAX - dig) / 10)
            return j;           /* beyond 64 bits: a double only */
        mag = mag * 10 + dig;
    }
    if (!neg || mag == 0) {
        j->num.u = mag;
        j->num.is_uint = true;
    }
    if (!neg && mag <= INT64_MAX) {
        j->num.i = (int64_t)mag;
        j->num.is_int = true;
    } else if (neg && mag <= (uint64_t)INT64_MAX + 1) {
        j->num.i = mag > INT64_MAX ? INT64_MIN : -(int64_t)mag;
        j->num.is_int = true;
    }
    return j;
}

static bool skip_digits(parser *ps, const char *after)
{
    if (ps->p == ps->end || !is_digit(*ps->p)) {
        char what[32];
        snprintf(what, sizeof(what), "a digit after %s", after);
        fail_unexpected(ps, what);
        return false;
    }
    while (ps->p < ps->end && is_digit(*ps->p))
        ps->p++;
    return true;
}

static json *parse_number(parser *ps)
{
    const unsigned char *s = ps->p;
    bool integral = true;

    if (*ps->p == '-')
        ps->p++;
    if (ps->p < ps->end && *ps->p == '0') {
        ps->p++;
        if (ps->p < ps->end && is_digit(*ps->p)) {
            fail(ps, s, "leading zero in number");
            return NULL;
        }
    } else if (!skip_digits(ps, "'-'")) {
        return NULL;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        integral = false;
        ps->p++;
        if (!skip_digits(ps, "'.'"))
            return NULL;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        integral = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!skip_digits(ps, "the exponent mark"))
            return NULL;
    }
    return make_number(ps, s, ps->p, integral);
}

static json *parse_literal(parser *ps, const char *word, json *(*make)(void))
{
    for (size_t k = 0; word[k]; k++, ps->p++) {
        if (ps->p == ps->end || *ps->p != (unsigned char)word[k]) {
            fail_unexpected(ps, NULL);
            return NULL;
        }
    }
    json *j = make();
    return j ? j : fail_oom(ps);
}

static json *new_true(void)
{
    return json_new_bool(true);
}

static json *new_false(void)
{
    return json_new_bool(false);
}

/* Length of the json_build directive at p ('%'), with its conversion and 'l' count. */
static size_t directive(const char *p, char *conv, int *longs)
{
    size_t k = 1;
    int l = 0;
    while (p[k] == 'l' && l < 2) {
        l++;
        k++;
    }
    char c = p[k];
    if (c == 'd' || c == 'u' || (l == 0 && c && strchr("sfgbj", c))) {
        *conv = c;
        *longs = l;
        return k + 1;
    }
    return 0;
}

/* The next json_build argument, as a value; ps->p is at its '%'. */
static json *take_arg(parser *ps, bool key)
{
    char conv;
    int longs;
    size_t k = directive((const char *)ps->p, &conv, &longs);
    if (!k || ps->next_arg == ps->nargs || (key && conv != 's')) {
        fail(ps, ps->p, key ? "expected %%s as a key" : "bad directive");
        return NULL;
    }
    build_arg *a = &ps->args[ps->next_arg++];
    json *j = NULL;
    switch (a->conv) {
    case 's': j = key && !a->s ? NULL : json_new_string(a->s); break;
    case 'd': j = json_new_int(a->i); break;
    case 'u': j = json_new_uint(a->u); break;
    case 'f': case 'g': j = json_new_double(a->d); break;
    case 'b': j = json_new_bool(a->b); break;
    case 'j': j = a->j; a->j = NULL; break;
    }
    if (!j) {
        fail(ps, ps->p, key ? "NULL %%s key" : "NULL %%j value or out of memory");
        return NULL;
    }
    ps->p += k;
    return j;
}

static bool parse_key(parser *ps, char **key, size_t *klen)
{
    if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''))
        return (*key = parse_string(ps, klen)) != NULL;
    if (ps->build && ps->p < ps->end && *ps->p == '%') {
        json *s = take_arg(ps, true);
        if (!s)
            return false;
        *key = s->str.s;        /* steal the buffer */
        *klen = s->str.len;
        s->str.s = NULL;
        json_free(s);
        return true;
    }
    fail_unexpected(ps, "a string key");
    return false;
}

/* After a member or element: true to go on (a ',' was eaten), false at the end or an error. */
static bool next_item(parser *ps, char close, bool *done)
{
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        return true;
    }
    if (ps->p < ps->end && *ps->p == (unsigned char)close) {
        ps->p++;
        *done = true;
        return false;
    }
    fail_unexpected(ps, close == '}' ? "',' or '}'" : "',' or ']'");
    return false;
}

static json *parse_array(parser *ps, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, ps->p, "nesting deeper than %d", JSON_MAX_DEPTH);
        return NULL;
    }
    ps->p++;
    json *a = json_new_array();
    if (!a)
        return fail_oom(ps);
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return a;
    }
    bool done = false;
    do {
        json *v = parse_value(ps, depth);
        if (!v)
            break;
        if (!json_array_append(a, v)) {
            fail_oom(ps);
            break;
        }
    } while (next_item(ps, ']', &done));
    if (done)
        return a;
    json_free(a);
    return NULL;
}

static json *parse_object(parser *ps, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, ps->p, "nesting deeper than %d", JSON_MAX_DEPTH);
        return NULL;
    }
    ps->p++;
    json *o = json_new_object();
    if (!o)
        return fail_oom(ps);
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return o;
    }
    bool done = false;
    do {
        char *key;
        size_t klen;
        skip_ws(ps);
        if (!parse_key(ps, &key, &klen))
            break;
        skip_ws(ps);
        if (ps->p == ps->end || *ps->p != ':') {
            fail_unexpected(ps, "':'");
            free(key);
            break;
        }
        ps->p++;
        json *v = parse_value(ps, depth);
        if (!v) {
            free(key);
            break;
        }
        if (!obj_put(o, key, klen, v)) {
            fail_oom(ps);
            break;
        }
    } while (next_item(ps, '}', &done));
    if (done)
        return o;
    json_free(o);
    return NULL;
}

static json *parse_value(parser *ps, int depth)
{
    skip_ws(ps);
    if (ps->p == ps->end) {
        fail_unexpected(ps, NULL);
        return NULL;
    }
    switch (*ps->p) {
    case '{':
        return parse_object(ps, depth + 1);
    case '[':
        return parse_array(ps, depth + 1);
    case '"':
    case '\'': {
        size_t len;
        char *s = parse_string(ps, &len);
        if (!s)
            return NULL;
        json *j = new_string_owned(s, len);
        return j ? j : fail_oom(ps);
    }
    case 't':
        return parse_literal(ps, "true", new_true);
    case 'f':
        return parse_literal(ps, "false", new_false);
    case 'n':
        return parse_literal(ps, "null", json_new_null);
    case '%':
        if (ps->build)
            return take_arg(ps, false);
        break;
    default:
        if (*ps->p == '-' || is_digit(*ps->p))
            return parse_number(ps);
        break;
    }
    fail_unexpected(ps, NULL);
    return NULL;
}

/* A whole text: one value with optional whitespace around it. */
static json *parse_text(parser *ps)
{
    json *j = parse_value(ps, 0);
    if (!j)
        return NULL;
    skip_ws(ps);
    if (ps->p != ps->end) {
        char b[16];
        fail(ps, ps->p, "trailing %s after the value", byte_name(*ps->p, b));
        json_free(j);
        return NULL;
    }
    return j;
}

json *json_parse(const char *text, size_t len, char *err, size_t errsize)
{
    if (!text)
        text = "";
    const unsigned char *t = (const unsigned char *)text;
    parser ps = { .start = t, .p = t, .end = t + len, .err = err, .errsize = errsize };
    if (err && errsize)
        err[0] = 0;
    return parse_text(&ps);
}

/* ---- json_build ---- */

/* Fetch one argument of type conv (with l 'l's) from ap. */
static void fetch_arg(build_arg *a, char conv, int l, va_list *ap)
{
    a->conv = conv;
    switch (conv) {
    case 's':
        a->s = va_arg(*ap, const char *);
        break;
    case 'd':
        a->i = l == 0 ? va_arg(*ap, int) : l == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
        break;
    case 'u':
        a->u = l == 0 ? va_arg(*ap, unsigned)
             : l == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
        break;
    case 'f':
    case 'g':
        a->d = va_arg(*ap, double);
        break;
    case 'b':
        a->b = va_arg(*ap, int) != 0;
        break;
    case 'j':
        a->j = va_arg(*ap, json *);
        break;
    }
}

/*
 * Walk the template's directives outside quoted strings, the same way the parser will
 * meet them, and (with ap) fetch each argument into args, or when args is NULL just
 * free the %j ones. Returns the number of directives, or SIZE_MAX at a malformed one:
 * its argument's type is unknown, so nothing after it can be fetched.
 */
static size_t scan_directives(const char *fmt, build_arg *args, va_list *ap)
{
    size_t n = 0;
    char quote = 0;
    for (const char *p = fmt; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '%') {
            char conv;
            int l;
            size_t k = directive(p, &conv, &l);
            if (!k)
                return SIZE_MAX;
            if (ap) {
                build_arg scratch;
                build_arg *a = args ? &args[n] : &scratch;
                fetch_arg(a, conv, l, ap);
                if (!args && conv == 'j')
                    json_free(a->j);
            }
            n++;
            p += k - 1;
        }
    }
    return n;
}

json *json_build(const char *fmt, ...)
{
    size_t n = scan_directives(fmt, NULL, NULL);
    build_arg *args = n == SIZE_MAX ? NULL : calloc(n ? n : 1, sizeof(*args));
    va_list ap;
    va_start(ap, fmt);
    scan_directives(fmt, args, &ap);    /* without args, this frees the %j values */
    va_end(ap);
    if (!args)
        return NULL;

    const unsigned char *t = (const unsigned char *)fmt;
    parser ps = { .start = t, .p = t, .end = t + strlen(fmt), .build = true,
                  .args = args, .nargs = n };
    json *j = parse_text(&ps);
    for (size_t i = 0; i < n; i++)      /* those the tree did not take */
        if (args[i].conv == 'j')
            json_free(args[i].j);
    free(args);
    return j;
}

/* ---- emitter ---- */

typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} jbuf;

/* Always leaves room for the final NUL. */
static void put(jbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    char *q = grow(b->p, &b->cap, b->n + n + 1, 1);
    if (!q) {
        b->oom = true;
        return;
    }
    b->p = q;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put_str(jbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void emit_string(jbuf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + len;
    put(b, "\"", 1);
    while (p < e) {
        const unsigned char *run = p;
        while (p < e && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        put(b, run, (size_t)(p - run));
        if (p == e)
            break;
        unsigned c = *p;
        if (c >= 0x80) {
            size_t k = utf8_len(p, e);
            if (k)
                put(b, p, k);
            else
                put_str(b, "\\ufffd");  /* keep the output valid UTF-8 */
            p += k ? k : 1;
            continue;
        }
        char esc[8];
        switch (c) {
        case '"':  put_str(b, "\\\""); break;
        case '\\': put_str(b, "\\\\"); break;
        case '\b': put_str(b, "\\b"); break;
        case '\f': put_str(b, "\\f"); break;
        case '\n': put_str(b, "\\n"); break;
        case '\r': put_str(b, "\\r"); break;
        case '\t': put_str(b, "\\t"); break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put_str(b, esc);
        }
        p++;
    }
    put(b, "\"", 1);
}

/* Shortest %g form that reads back as d, with ".0" added if it would look like an integer. */
static void format_double(char *t, size_t size, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, size, "%.*g", prec, d);
        if (strtod(t, NULL) == d)
            break;
    }
    if (!strpbrk(t, ".e"))
        strcat(t, ".0");
}

static void emit_number(jbuf *b, const json *j)
{
    char t[40];
    if (j->num.is_int)
        snprintf(t, sizeof(t), "%" PRId64, j->num.i);
    else if (j->num.is_uint)
        snprintf(t, sizeof(t), "%" PRIu64, j->num.u);
    else if (!isfinite(j->num.d))
        strcpy(t, "null");
    else
        format_double(t, sizeof(t), j->num.d);
    put_str(b, t);
}

static void emit_value(jbuf *b, const json *j)
{
    if (!j) {
        put_str(b, "null");
        return;
    }
    switch (j->type) {
    case JSON_NULL:
        put_str(b, "null");
        break;
    case JSON_BOOL:
        put_str(b, j->b ? "true" : "false");
        break;
    case JSON_NUMBER:
        emit_number(b, j);
        break;
    case JSON_STRING:
        emit_string(b, j->str.s, j->str.len);
        break;
    case JSON_ARRAY:
        put(b, "[", 1);
        for (size_t i = 0; i < j->arr.n; i++) {
            if (i)
                put(b, ",", 1);
            emit_value(b, j->arr.v[i]);
        }
        put(b, "]", 1);
        break;
    case JSON_OBJECT:
        put(b, "{", 1);
        for (size_t i = 0; i < j->obj.n; i++) {
            if (i)
                put(b, ",", 1);
            emit_string(b, j->obj.m[i].key, j->obj.m[i].klen);
            put(b, ":", 1);
            emit_value(b, j->obj.m[i].value);
        }
        put(b, "}", 1);
        break;
    }
}

char *json_emit(const json *j)
{
    jbuf b = { 0 };
    emit_value(&b, j);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    b.p[b.n] = 0;
    return b.p;
}

/* ---- stream splitter ---- */

enum {
    ST_IDLE,            /* between texts */
    ST_TEXT,            /* collecting an object, array or string */
    ST_SCALAR,          /* collecting a bare word: number, literal or garbage */
    ST_SKIP_TEXT,       /* dropping the rest of an over-long or over-deep text */
    ST_SKIP_SCALAR,     /* dropping the rest of an over-long bare word */
    ST_SKIP_LINE,       /* structure lost: dropping up to '\n' or 0xff */
};

enum { EV_MORE, EV_DONE, EV_BROKEN, EV_DEEP };

struct json_stream {
    size_t max_text;
    int state;
    char *buf;
    size_t len, cap;
    size_t depth;
    uint64_t is_obj;    /* bit k: nesting level k + 1 was opened by '{' */
    bool in_str, esc;
    unsigned char quote;
    char err[96];
};

json_stream *json_stream_new(size_t max_text)
{
    json_stream *s = calloc(1, sizeof(*s));
    if (s)
        s->max_text = max_text ? max_text : SIZE_MAX;
    return s;
}

void json_stream_free(json_stream *s)
{
    if (s) {
        free(s->buf);
        free(s);
    }
}

static void give(json_stream_cb *cb, void *opaque, json *value, const char *error)
{
    if (cb)
        cb(opaque, value, error);
    else
        json_free(value);
}

static void __attribute__((format(printf, 4, 5)))
report(json_stream *s, json_stream_cb *cb, void *opaque, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    give(cb, opaque, NULL, s->err);
}

/* The current text is complete: parse it and hand it over. */
static void deliver(json_stream *s, json_stream_cb *cb, void *opaque)
{
    json *v = json_parse(s->buf, s->len, s->err, sizeof(s->err));
    s->state = ST_IDLE;
    s->len = 0;
    if (s->cap > 65536) {       /* don't keep a huge buffer for one big text */
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
    give(cb, opaque, v, v ? NULL : s->err);
}

/*
 * Follow a text's structure across byte c. strict (while collecting) checks bracket
 * kinds and the depth limit; while skipping only depth counts, unbounded.
 */
static int track(json_stream *s, unsigned char c, bool strict, const char **why)
{
    if (s->in_str) {
        if (s->esc)
            s->esc = false;
        else if (c == '\\')
            s->esc = true;
        else if (c == s->quote)
            s->in_str = false;
        else if (c < 0x20) {
            *why = "control character in string";
            return EV_BROKEN;
        }
        return s->in_str || s->depth ? EV_MORE : EV_DONE;
    }
    switch (c) {
    case '"':
    case '\'':
        s->in_str = true;
        s->quote = c;
        return EV_MORE;
    case '{':
    case '[':
        s->depth++;
        if (s->depth > JSON_MAX_DEPTH)
            return strict ? EV_DEEP : EV_MORE;
        if (c == '{')
            s->is_obj |= 1ull << (s->depth - 1);
        else
            s->is_obj &= ~(1ull << (s->depth - 1));
        return EV_MORE;
    case '}':
    case ']':
        if (strict && ((s->is_obj >> (s->depth - 1) & 1) != 0) != (c == '}')) {
            *why = c == '}' ? "'}' closing a '['" : "']' closing a '{'";
            return EV_BROKEN;
        }
        s->depth--;
        return s->depth ? EV_MORE : EV_DONE;
    }
    return EV_MORE;
}

/* Add c to the text; false after reporting an error if it won't fit. */
static bool append(json_stream *s, unsigned char c, json_stream_cb *cb, void *opaque)
{
    if (s->len >= s->max_text) {
        report(s, cb, opaque, "text longer than %zu bytes", s->max_text);
        return false;
    }
    if (s->len == s->cap) {
        char *b = grow(s->buf, &s->cap, s->len + 1, 1);
        if (!b) {
            report(s, cb, opaque, "out of memory");
            return false;
        }
        s->buf = b;
    }
    s->buf[s->len++] = (char)c;
    return true;
}

static void lose_structure(json_stream *s, unsigned char c)
{
    s->state = c == '\n' ? ST_IDLE : ST_SKIP_LINE;
}

static void text_byte(json_stream *s, unsigned char c, json_stream_cb *cb, void *opaque)
{
    const char *why = "";
    int ev = track(s, c, true, &why);
    if (ev == EV_BROKEN) {
        report(s, cb, opaque, "%s at byte %zu", why, s->len);
        lose_structure(s, c);
    } else if (ev == EV_DEEP) {
        report(s, cb, opaque, "nesting deeper than %d at byte %zu", JSON_MAX_DEPTH, s->len);
        s->state = ST_SKIP_TEXT;
    } else if (!append(s, c, cb, opaque)) {
        s->state = ev == EV_DONE ? ST_IDLE : ST_SKIP_TEXT;
    } else if (ev == EV_DONE) {
        deliver(s, cb, opaque);
    }
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes that end a bare word at top level (and start something else). */
static bool ends_scalar(unsigned char c)
{
    return is_space(c) || (c && strchr("{}[]\"',:", c));
}

static void start_text(json_stream *s, unsigned char c, json_stream_cb *cb, void *opaque)
{
    if (is_space(c))
        return;
    s->len = 0;
    s->depth = 0;
    s->in_str = s->esc = false;
    if (c == '{' || c == '[' || c == '"' || c == '\'') {
        s->state = ST_TEXT;
        text_byte(s, c, cb, opaque);
        return;
    }
    s->state = ST_SCALAR;
    if (!append(s, c, cb, opaque))
        s->state = ST_SKIP_SCALAR;
    else if (ends_scalar(c))    /* a stray '}' ']' ',' ':' is a text of its own */
        deliver(s, cb, opaque);
}

static void feed_byte(json_stream *s, unsigned char c, json_stream_cb *cb, void *opaque)
{
    const char *why;

    if (c == 0xff) {
        if (s->state == ST_TEXT || s->state == ST_SCALAR)
            report(s, cb, opaque, "text cut short by a 0xff byte at byte %zu", s->len);
        s->state = ST_IDLE;
        s->len = 0;
        return;
    }
    switch (s->state) {
    case ST_IDLE:
        start_text(s, c, cb, opaque);
        break;
    case ST_TEXT:
        text_byte(s, c, cb, opaque);
        break;
    case ST_SCALAR:
        if (ends_scalar(c)) {
            deliver(s, cb, opaque);
            start_text(s, c, cb, opaque);
        } else if (!append(s, c, cb, opaque)) {
            s->state = ST_SKIP_SCALAR;
        }
        break;
    case ST_SKIP_TEXT:
        switch (track(s, c, false, &why)) {
        case EV_DONE:
            s->state = ST_IDLE;
            break;
        case EV_BROKEN:
            lose_structure(s, c);
            break;
        }
        break;
    case ST_SKIP_SCALAR:
        if (ends_scalar(c)) {
            s->state = ST_IDLE;
            start_text(s, c, cb, opaque);
        }
        break;
    case ST_SKIP_LINE:
        if (c == '\n')
            s->state = ST_IDLE;
        break;
    }
}

void json_stream_feed(json_stream *s, const char *buf, size_t n, json_stream_cb *cb,
                      void *opaque)
{
    const unsigned char *p = (const unsigned char *)buf;
    for (size_t i = 0; i < n; i++)
        feed_byte(s, p[i], cb, opaque);
}

void json_stream_flush(json_stream *s, json_stream_cb *cb, void *opaque)
{
    if (s->state == ST_TEXT || s->state == ST_SCALAR)
        deliver(s, cb, opaque);         /* the parser says what is missing */
    s->state = ST_IDLE;
    s->len = 0;
}
