/* State tables and state streams (see state.h). */
#include "core/state.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- byte streams ---- */

void state_put(state_out *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n)
            cap *= 2;
        o->data = realloc(o->data, cap);
        if (!o->data)
            fatal("out of memory");
        o->cap = cap;
    }
    if (n)
        memcpy(o->data + o->len, p, n);
    o->len += n;
}

/* little-endian whatever the host: tern's hosts are, but the format says so */
static void put_le(state_out *o, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    state_put(o, b, n);
}

void state_put_u8(state_out *o, uint8_t v) { put_le(o, v, 1); }
void state_put_u16(state_out *o, uint16_t v) { put_le(o, v, 2); }
void state_put_u32(state_out *o, uint32_t v) { put_le(o, v, 4); }
void state_put_u64(state_out *o, uint64_t v) { put_le(o, v, 8); }

void state_put_str(state_out *o, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    state_put_u32(o, (uint32_t)n);
    state_put(o, s, n);
}

void state_out_free(state_out *o)
{
    free(o->data);
    memset(o, 0, sizeof(*o));
}

const uint8_t *state_get_ptr(state_in *in, size_t n)
{
    if (in->bad || n > in->len - in->pos) {
        in->bad = true;
        return NULL;
    }
    const uint8_t *p = in->data + in->pos;
    in->pos += n;
    return p;
}

bool state_get(state_in *in, void *p, size_t n)
{
    const uint8_t *s = state_get_ptr(in, n);
    if (!s) {
        memset(p, 0, n);
        return false;
    }
    memcpy(p, s, n);
    return true;
}

static uint64_t get_le(state_in *in, unsigned n)
{
    const uint8_t *s = state_get_ptr(in, n);
    uint64_t v = 0;
    for (unsigned i = 0; s && i < n; i++)
        v |= (uint64_t)s[i] << (8 * i);
    return v;
}

uint8_t state_get_u8(state_in *in) { return (uint8_t)get_le(in, 1); }
uint16_t state_get_u16(state_in *in) { return (uint16_t)get_le(in, 2); }
uint32_t state_get_u32(state_in *in) { return (uint32_t)get_le(in, 4); }
uint64_t state_get_u64(state_in *in) { return get_le(in, 8); }

bool state_get_str(state_in *in, char *buf, size_t size)
{
    uint32_t n = state_get_u32(in);
    const uint8_t *s = state_get_ptr(in, n);
    if (!s || n >= size) {
        in->bad = true;
        if (size)
            buf[0] = 0;
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    return true;
}

/* ---- tables ---- */

static unsigned type_bytes(uint8_t type)
{
    switch (type) {
    case ST_U8: case ST_BOOL: return 1;
    case ST_U16: return 2;
    case ST_U32: return 4;
    case ST_U64: return 8;
    default: return 0;
    }
}

static uint64_t read_mem(const uint8_t *p, uint32_t size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void write_mem(uint8_t *p, uint32_t size, uint64_t v)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

void state_save(const state_desc *d, const void *obj, state_out *o)
{
    for (size_t f = 0; f < d->nfields; f++) {
        const state_field *fd = &d->fields[f];
        if (fd->since > d->version)
            continue;
        const uint8_t *p = (const uint8_t *)obj + fd->offset;
        for (uint32_t k = 0; k < fd->count; k++, p += fd->size) {
            if (fd->type == ST_STRUCT)
                state_save(fd->sub, p, o);
            else if (fd->type == ST_BOOL)
                state_put_u8(o, *(const bool *)p ? 1 : 0);
            else
                put_le(o, read_mem(p, fd->size), type_bytes(fd->type));
        }
    }
}

bool state_load(const state_desc *d, void *obj, state_in *in, uint32_t version)
{
    for (size_t f = 0; f < d->nfields; f++) {
        const state_field *fd = &d->fields[f];
        if (fd->since > version)
            continue;
        uint8_t *p = (uint8_t *)obj + fd->offset;
        for (uint32_t k = 0; k < fd->count; k++, p += fd->size) {
            if (fd->type == ST_STRUCT) {
                /* a nested table is read at its own current version: its version is part
                 * of the outer table's (a change to it bumps the outer one) */
                if (!state_load(fd->sub, p, in, fd->sub->version))
                    return false;
            } else if (fd->type == ST_BOOL) {
                uint8_t v = state_get_u8(in);
                if (v > 1)
                    in->bad = true;
                *(bool *)p = v != 0;
            } else {
                write_mem(p, fd->size, get_le(in, type_bytes(fd->type)));
            }
        }
    }
    return !in->bad;
}

size_t state_size(const state_desc *d, uint32_t version)
{
    size_t n = 0;
    for (size_t f = 0; f < d->nfields; f++) {
        const state_field *fd = &d->fields[f];
        if (fd->since > version)
            continue;
        size_t one = fd->type == ST_STRUCT ? state_size(fd->sub, fd->sub->version) : type_bytes(fd->type);
        n += one * fd->count;
    }
    return n;
}

bool state_check(const state_desc *d, size_t objsize, char *err, size_t errsize)
{
    for (size_t f = 0; f < d->nfields; f++) {
        const state_field *fd = &d->fields[f];
        bool ok = fd->type == ST_STRUCT ? fd->sub != NULL
                                        : type_bytes(fd->type) && type_bytes(fd->type) == fd->size;
        if (ok && (uint64_t)fd->offset + (uint64_t)fd->size * fd->count > objsize)
            ok = false;
        if (ok && fd->type == ST_STRUCT && !state_check(fd->sub, fd->size, err, errsize))
            return false;
        if (!ok) {
            snprintf(err, errsize, "state field '%s' has no type a snapshot can hold", fd->name);
            return false;
        }
    }
    return true;
}

void state_clear(const state_desc *d, void *obj)
{
    for (size_t f = 0; f < d->nfields; f++)
        memset((uint8_t *)obj + d->fields[f].offset, 0, (size_t)d->fields[f].size * d->fields[f].count);
}

/* ---- CRC-32C ---- */

static uint32_t crc_table[8][256];
static bool crc_hw;              /* SSE4.2's crc32 instruction is there */

__attribute__((constructor)) static void crc_init(void)
{
#if defined(__x86_64__)
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint32_t crc32c_soft(uint32_t c, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= c;
        c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^ crc_table[5][(w >> 16) & 0xff] ^
            crc_table[4][(w >> 24) & 0xff] ^ crc_table[3][(w >> 32) & 0xff] ^
            crc_table[2][(w >> 40) & 0xff] ^ crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__)
/* SSE4.2's crc32 instruction computes the same polynomial, eight bytes at a time
 * (about 8 GB/s: RAM checksums of a large guest stay in the tens of milliseconds). */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p, size_t len)
{
    uint64_t c64 = c;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        len -= 8;
    }
    c = (uint32_t)c64;
    while (len--)
        c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (crc_hw)
        return ~crc32c_hw(c, buf, len);
#endif
    return ~crc32c_soft(c, buf, len);
}
