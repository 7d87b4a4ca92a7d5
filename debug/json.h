/*
 * JSON values, parser, emitter and stream splitter for the QMP server.
 *
 * Parsing is strict RFC 8259 with one extension taken from QEMU: strings may also be
 * written in single quotes ('abc'), where \' is an escape and " needs none. Rules the
 * RFC leaves open:
 *   - duplicate object keys: the last one wins; the key keeps the position of its first
 *     occurrence (json_object_set behaves the same way);
 *   - \u escapes must form valid UTF-16: a lone or reversed surrogate is an error;
 *     \u0000 is accepted (strings carry a length and may hold NUL bytes);
 *   - raw bytes in strings must be valid UTF-8 (no overlongs, surrogates or > U+10FFFF);
 *   - integers that fit int64 (or uint64) keep that exact value as well as a double;
 *     larger integers become doubles only; a number whose magnitude overflows a double
 *     is an error ("1e999"), one that underflows becomes 0 or a subnormal;
 *   - nesting deeper than JSON_MAX_DEPTH is an error; no byte-order mark, no comments.
 * The parser recurses at most JSON_MAX_DEPTH levels and never reads past len. The
 * emitter, json_free and json_equal recurse as deep as the tree, which the parser
 * bounds; trees built by hand are as deep as their builder makes them.
 *
 * Numbers assume LC_NUMERIC is "C" (tern never calls setlocale).
 */
#ifndef TERN_JSON_H
#define TERN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

typedef enum {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_type;

typedef struct json json;

/*
 * Parse one JSON text of len bytes (no NUL needed; NUL bytes are just invalid outside
 * strings). On error returns NULL and, if err is not NULL, a one-line reason such as
 * "invalid escape \ followed by 'q' at byte 7".
 */
json *json_parse(const char *text, size_t len, char *err, size_t errsize);

/*
 * Compact text of j, NUL-terminated, malloc'd; NULL only when out of memory. Strings
 * are written in double quotes with ", \ and control characters escaped (\n-style
 * where JSON has one, else \u00XX); valid UTF-8 is copied as is, and any byte that is
 * not valid UTF-8 (possible only in strings made by the builders) becomes \ufffd.
 * Integers are written exactly; other numbers in the shortest form that reads back to
 * the same double, always with a '.' or an exponent so they stay non-integers;
 * infinities and NaN (only possible from json_new_double) are written as null.
 */
char *json_emit(const json *j);

void json_free(json *j);

/*
 * Same type and value. Numbers: both integers (of the int64/uint64 kind) with the same
 * value, or both non-integers with the same double (so 1 and 1.0 differ). Objects are
 * compared as maps: same keys with equal values, in any order.
 */
bool json_equal(const json *a, const json *b);

/* Builders. Each returns NULL when out of memory. */
json *json_new_null(void);
json *json_new_bool(bool b);
json *json_new_int(int64_t i);
json *json_new_uint(uint64_t u);
json *json_new_double(double d);
json *json_new_string(const char *s);             /* NULL s makes a JSON null */
json *json_new_stringn(const char *s, size_t len);
json *json_new_array(void);
json *json_new_object(void);

/*
 * Add value to an object or array. Both take ownership of value, even when they fail
 * (out of memory, obj of the wrong type, value NULL), so builder calls can be nested
 * without checks: json_object_set(o, "id", json_new_int(1)). An existing key has its
 * value replaced in place.
 */
bool json_object_set(json *obj, const char *key, json *value);
bool json_object_setn(json *obj, const char *key, size_t klen, json *value);
bool json_array_append(json *arr, json *value);

/*
 * Build a value from a JSON template (single quotes are handy in C) with printf-like
 * directives in value positions, or %s as an object key:
 *   %s  const char * (NULL gives null)       %d %ld %lld  int, long, long long
 *   %u %lu %llu  the unsigned ones           %f %g  double
 *   %b  bool (passed as int)                  %j  json *, whose ownership is taken
 * '%' inside a quoted string is literal. Returns NULL for a malformed template or out
 * of memory; every %j argument is freed or owned by the result either way (except
 * those after a malformed directive, whose types cannot be known). Example:
 *   json_build("{'return': {'running': %b, 'status': %s}}", running, "running")
 */
json *json_build(const char *fmt, ...);

/* Inspection. All accept NULL and the wrong type, and then fail or return 0/NULL. */
json_type json_typeof(const json *j);              /* JSON_NULL for a NULL pointer */
const char *json_type_name(json_type t);           /* "null", "boolean", "number", ... */
bool json_bool_value(const json *j, bool *out);
bool json_int_value(const json *j, int64_t *out);  /* integers that fit int64 only */
bool json_uint_value(const json *j, uint64_t *out);/* integers that fit uint64 only */
bool json_double_value(const json *j, double *out);/* any number */
const char *json_string_value(const json *j, size_t *len); /* NUL-terminated too */
size_t json_array_len(const json *j);
const json *json_array_at(const json *j, size_t i);
size_t json_object_len(const json *j);
const char *json_object_key_at(const json *j, size_t i, size_t *klen);
const json *json_object_value_at(const json *j, size_t i);

/* Member lookup in an object; NULL if obj is not an object or has no such key. */
const json *json_get(const json *obj, const char *key);
const json *json_getn(const json *obj, const char *key, size_t klen);

/*
 * Typed member getters: false, *out untouched, if the key is missing or of another
 * type. json_get_int needs an integer that fits int64 (1.0 and 1e2 are not integers),
 * as QEMU's QMP does. json_get_str also refuses a string holding a NUL byte, which a
 * C string would silently truncate; use json_get_strn for those.
 */
bool json_get_bool(const json *obj, const char *key, bool *out);
bool json_get_int(const json *obj, const char *key, int64_t *out);
bool json_get_uint(const json *obj, const char *key, uint64_t *out);
bool json_get_double(const json *obj, const char *key, double *out);
bool json_get_str(const json *obj, const char *key, const char **out);
bool json_get_strn(const json *obj, const char *key, const char **out, size_t *len);

/*
 * Stream splitter: cuts a byte stream of concatenated JSON texts (a QMP connection)
 * into texts and parses each. It follows strings (either quote), escapes and the
 * {}/[] structure, skips whitespace between texts, and calls cb once per top-level
 * text with exactly one of value (owned by cb, which must json_free it) or error (valid
 * during the call). Texts may be split at any byte across feed calls. A bare scalar
 * at top level (123, true, garbage) ends at whitespace or at one of {}[]"',: so it
 * is delivered only once such a byte (or json_stream_flush) arrives. Non-object
 * values are delivered like any other.
 *
 * Errors and resynchronisation:
 *   - a text whose structure is complete but which is not valid JSON (bad escape,
 *     missing comma, "garbage") gets one error, and the next byte starts afresh;
 *   - a stray '}', ']', ',' or ':' at top level is a one-byte text and gets an error;
 *   - a text longer than max_text bytes, or nested deeper than JSON_MAX_DEPTH, gets an
 *     error, then the rest of that text is skipped, still following its structure;
 *   - broken structure (a closing bracket of the wrong kind, a raw control character
 *     inside a string, such as the newline of an unterminated string) gets an error,
 *     then input is skipped up to and including the next '\n' or 0xff byte;
 *   - a 0xff byte (never valid in UTF-8) always resets: a text in progress gets an
 *     error, and a 0xff between texts is silently ignored, so a client can send one
 *     to resynchronise at any time (as with QEMU's guest agent).
 * max_text 0 means no limit. cb must not feed, flush or free the same stream.
 */
typedef struct json_stream json_stream;
typedef void json_stream_cb(void *opaque, json *value, const char *error);

json_stream *json_stream_new(size_t max_text);     /* NULL when out of memory */
void json_stream_feed(json_stream *s, const char *buf, size_t n, json_stream_cb *cb,
                      void *opaque);
/* End of input: deliver a pending bare scalar, or an error for an unfinished text. */
void json_stream_flush(json_stream *s, json_stream_cb *cb, void *opaque);
void json_stream_free(json_stream *s);

#endif
