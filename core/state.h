/*
 * Typed, versioned state tables (DESIGN.md, interface 4) and the byte streams that
 * snapshots write them to.
 *
 * A device (or a hart) declares its guest-visible state next to its struct as a table
 * of fields: name, offset, element type, count, and the table version that added the
 * field. The type comes from the member's C type (_Generic), so a table cannot save a
 * struct's padding or guess a width: a member that is a struct is declared with
 * STATE_STRUCT / STATE_STRUCT_ARRAY and its own table. Values are written
 * little-endian, one after another, with nothing in between.
 *
 * Reset clears the table's fields, the monitor prints them, snapshots save and load
 * them. State that has no fixed shape (queued input, a list of resources) goes through
 * a device's save_extra/load_extra hooks with the same put/get functions.
 */
#ifndef TERN_STATE_H
#define TERN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum state_type {
    ST_INVALID = 0, ST_U8, ST_U16, ST_U32, ST_U64, ST_BOOL, ST_STRUCT,
} state_type;

struct state_desc;

typedef struct state_field {
    const char *name;
    uint32_t offset;             /* from the start of the struct */
    uint32_t size;               /* of one element in memory */
    uint32_t count;              /* elements (1 for a scalar) */
    uint8_t type;                /* state_type */
    uint8_t since;               /* the table version that added it (0: the first) */
    const struct state_desc *sub;   /* ST_STRUCT: the element's table */
} state_field;

typedef struct state_desc {
    uint32_t version;
    const state_field *fields;
    size_t nfields;
} state_desc;

/* The element type of an lvalue, from its C type. Anything else (a struct, a pointer, a
 * float) is ST_INVALID, which state_check() refuses at start-up. */
#define STATE_TYPE_OF(x) _Generic((x), \
    _Bool: ST_BOOL, \
    char: ST_U8, signed char: ST_U8, unsigned char: ST_U8, \
    short: ST_U16, unsigned short: ST_U16, \
    int: ST_U32, unsigned int: ST_U32, \
    long: ST_U64, unsigned long: ST_U64, \
    long long: ST_U64, unsigned long long: ST_U64, \
    default: ST_INVALID)

#define STATE_FIELD_V(type, member, ver) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member), 1, \
      STATE_TYPE_OF(((type *)0)->member), ver, NULL }
#define STATE_ARRAY_V(type, member, ver) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member[0]), \
      sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0]), \
      STATE_TYPE_OF(((type *)0)->member[0]), ver, NULL }
/* a two-dimensional array of scalars, saved row after row */
#define STATE_ARRAY2_V(type, member, ver) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member[0][0]), \
      sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0][0]), \
      STATE_TYPE_OF(((type *)0)->member[0][0]), ver, NULL }
#define STATE_STRUCT_V(type, member, desc, ver) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member), 1, ST_STRUCT, ver, &(desc) }
#define STATE_STRUCT_ARRAY_V(type, member, desc, ver) \
    { #member, offsetof(type, member), sizeof(((type *)0)->member[0]), \
      sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0]), ST_STRUCT, ver, &(desc) }

#define STATE_FIELD(type, member) STATE_FIELD_V(type, member, 0)
#define STATE_ARRAY(type, member) STATE_ARRAY_V(type, member, 0)
#define STATE_ARRAY2(type, member) STATE_ARRAY2_V(type, member, 0)
#define STATE_STRUCT(type, member, desc) STATE_STRUCT_V(type, member, desc, 0)
#define STATE_STRUCT_ARRAY(type, member, desc) STATE_STRUCT_ARRAY_V(type, member, desc, 0)
#define STATE_DESC(version, table) { version, table, sizeof(table) / sizeof(table[0]) }

/* A growing byte buffer that state is written to. */
typedef struct state_out {
    uint8_t *data;
    size_t len, cap;
} state_out;

/* A bounded reader; any read past the end sets `bad` and reads zeroes, so callers check
 * once at the end. */
typedef struct state_in {
    const uint8_t *data;
    size_t len, pos;
    bool bad;
} state_in;

void state_put(state_out *o, const void *p, size_t n);
void state_put_u8(state_out *o, uint8_t v);
void state_put_u16(state_out *o, uint16_t v);
void state_put_u32(state_out *o, uint32_t v);
void state_put_u64(state_out *o, uint64_t v);
void state_put_str(state_out *o, const char *s);      /* u32 length, bytes */
void state_out_free(state_out *o);

bool state_get(state_in *in, void *p, size_t n);
uint8_t state_get_u8(state_in *in);
uint16_t state_get_u16(state_in *in);
uint32_t state_get_u32(state_in *in);
uint64_t state_get_u64(state_in *in);
/* A string written by state_put_str, into buf (NUL-terminated); false if it does not fit. */
bool state_get_str(state_in *in, char *buf, size_t size);
/* A pointer to the next n bytes (NULL, and bad set, if there are fewer). */
const uint8_t *state_get_ptr(state_in *in, size_t n);

/* The table's fields of obj, at the table's version. */
void state_save(const state_desc *d, const void *obj, state_out *o);
/* Read fields saved at `version` (<= d->version) into obj: fields added later keep the
 * value obj has (its reset value). False if the stream is short. */
bool state_load(const state_desc *d, void *obj, state_in *in, uint32_t version);
/* Bytes state_save writes for a table at a version. */
size_t state_size(const state_desc *d, uint32_t version);
/* False (with the field named in err) if a table has a field of no known type or one
 * that lies outside `objsize`. */
bool state_check(const state_desc *d, size_t objsize, char *err, size_t errsize);
/* Zero the table's fields in obj (device reset). */
void state_clear(const state_desc *d, void *obj);

/* CRC-32C (Castagnoli) of a buffer, continuing from `crc` (0 to start). */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif
