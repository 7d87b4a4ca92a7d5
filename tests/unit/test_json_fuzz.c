/*
 * Fuzz test of the QMP JSON library (debug/json.c). Each case is random bytes, a random
 * soup of JSON fragments, a mutation of a valid QMP-like message, or the text of a
 * randomly built tree. Every case goes through json_parse; whatever parses must emit,
 * reparse equal and emit identically. Each case also goes through a stream splitter
 * in random chunks, which must deliver a valid text as exactly one equal value, and
 * the cases run together (no separators) through a second splitter, which must still
 * deliver a marker message sent after a 0xff byte. Run under AddressSanitizer this
 * also checks for overreads and leaks.
 *
 * Usage: test_json_fuzz [cases [seed]]   (default 1000000 cases, a fixed seed)
 */
#include "debug/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXLEN 2048             /* cases longer than this are cut */
#define BATCH 64                /* cases per run of the shared stream */

static uint64_t rng;
static int failures;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);          /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static const char *const corpus[] = {
    "{\"execute\":\"qmp_capabilities\"}",
    "{\"execute\":\"query-status\"}",
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info registers\"}}",
    "{\"execute\":\"stop\",\"id\":1}",
    "{\"execute\":\"cont\",\"id\":\"abc\"}",
    "{\"execute\":\"memsave\",\"arguments\":{\"val\":18446744071562067968,\"size\":4096,"
        "\"filename\":\"/tmp/m\"}}",
    "{ \"execute\" : \"system_reset\" }\r\n",
    "{\"return\":{}}",
    "{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}",
    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'x' is missing\"}}",
    "{\"event\":\"STOP\",\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}",
    "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":8},\"package\":\"\"},"
        "\"capabilities\":[\"oob\"]}}",
    "{'execute':'query-cpus-fast','arguments':{'x':'it\\'s \"q\"'}}",
    "[1,-2,3.5,-0.0,1e10,1E-5,9223372036854775807,-9223372036854775808,"
        "18446744073709551615,123456789012345678901234567890,0.1,4.9e-324]",
    "{\"s\":\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\u20AC \\ud83d\\ude00\","
        "\"u\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 \xe2\x82\xac\"}",
    "{\"a\":[[[[{\"b\":[{\"c\":null}]}]]]],\"d\":{\"e\":{\"f\":{\"g\":[true,false]}}}}",
    "\"just a string\"",
    "42",
    "null",
    "[]",
    "{\"execute\":\"x\",\"arguments\":{\"a\":[1,2,{\"b\":\"c\"}],\"n\":-1.25e-300,\"a\":0}}",
    "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-blk-device\","
        "\"id\":\"d1\",\"drive\":\"hd0\"},\"id\":{\"seq\":[7,8]}}",
};
#define NCORPUS (sizeof(corpus) / sizeof(corpus[0]))

/* Fragments that make mutations and the token soup interesting to the parser. */
static const char *const fragments[] = {
    "{", "}", "[", "]", "\"", "'", "\\", "\\u", "\\ud800", "\\udc00", "\\u00", ",", ":",
    "0", "-", "1e999", ".", "e", "E+", "true", "false", "null", " ", "\n", "\t", "\r",
    "\xc3", "\xa9", "\xf0\x9f", "\xed\xa0\x80", "\xff", "\xfe", "\x1f", "9223372036854775808",
    "-0", "1.5e-10", "00", "\"a\":", "{\"k\":[", "]}", "\"\\n\"", "'x'", "\\'", "%",
};
#define NFRAG (sizeof(fragments) / sizeof(fragments[0]))

typedef struct {
    unsigned char b[MAXLEN];
    size_t n;
} text;

static void insert(text *t, size_t at, const void *p, size_t n)
{
    if (t->n + n > MAXLEN)
        n = MAXLEN - t->n;
    memmove(t->b + at + n, t->b + at, t->n - at);
    memcpy(t->b + at, p, n);
    t->n += n;
}

static void add_fragment(text *t, size_t at)
{
    const char *f = fragments[below(NFRAG)];
    insert(t, at, f, strlen(f));
}

static void set_corpus(text *t, size_t k)
{
    t->n = strlen(corpus[k]);
    memcpy(t->b, corpus[k], t->n);
}

/* ---- case generators ---- */

static void gen_random(text *t)
{
    t->n = below(65);
    for (size_t i = 0; i < t->n; i++)
        t->b[i] = (unsigned char)rnd();
}

static void gen_soup(text *t)
{
    t->n = 0;
    for (size_t k = below(24); k > 0; k--)
        add_fragment(t, t->n);
}

static void mutate_once(text *t)
{
    size_t at = below(t->n + 1);
    switch (below(7)) {
    case 0:                                             /* bit flip */
        if (t->n)
            t->b[below(t->n)] ^= (unsigned char)(1u << below(8));
        break;
    case 1: {                                           /* random byte */
        unsigned char c = (unsigned char)rnd();
        if (t->n)
            t->b[below(t->n)] = c;
        else
            insert(t, 0, &c, 1);
        break;
    }
    case 2:                                             /* fragment */
        add_fragment(t, at);
        break;
    case 3: {                                           /* deletion */
        size_t n = 1 + below(8);
        if (at + n > t->n)
            n = t->n - at;
        memmove(t->b + at, t->b + at + n, t->n - at - n);
        t->n -= n;
        break;
    }
    case 4: {                                           /* splice from the corpus */
        const char *src = corpus[below(NCORPUS)];
        size_t len = strlen(src), from = below(len), n = 1 + below(len - from);
        insert(t, at, src + from, n);
        break;
    }
    case 5: {                                           /* duplicate a range of itself */
        if (!t->n)
            break;
        unsigned char copy[64];
        size_t from = below(t->n), n = 1 + below(t->n - from);
        if (n > sizeof(copy))
            n = sizeof(copy);
        memcpy(copy, t->b + from, n);
        insert(t, at, copy, n);
        break;
    }
    case 6:                                             /* truncation */
        t->n = at;
        break;
    }
}

static void gen_mutation(text *t)
{
    set_corpus(t, below(NCORPUS));
    for (size_t k = 1 + below(4); k > 0; k--)
        mutate_once(t);
}

/* A random valid UTF-8 string: ASCII (with quotes, backslashes, controls, NUL) and up. */
static json *random_string(char *buf, size_t *len)
{
    size_t n = 0, want = below(12);
    for (size_t k = 0; k < want; k++) {
        uint32_t cp;
        switch (below(5)) {
        case 0: cp = (uint32_t)below(0x20); break;
        case 1: cp = "\"\\/'{}[]:,"[below(10)]; break;
        case 2: cp = 0x20 + (uint32_t)below(0x60); break;
        case 3: cp = 0x80 + (uint32_t)below(0xd800 - 0x80); break;
        default: cp = 0xe000 + (uint32_t)below(0x110000 - 0xe000); break;
        }
        if (cp < 0x80) {
            buf[n++] = (char)cp;
        } else if (cp < 0x800) {
            buf[n++] = (char)(0xc0 | cp >> 6);
            buf[n++] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            buf[n++] = (char)(0xe0 | cp >> 12);
            buf[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
            buf[n++] = (char)(0x80 | (cp & 0x3f));
        } else {
            buf[n++] = (char)(0xf0 | cp >> 18);
            buf[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
            buf[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
            buf[n++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    *len = n;
    return json_new_stringn(buf, n);
}

static json *random_number(void)
{
    switch (below(5)) {
    case 0:
        return json_new_int((int64_t)rnd());
    case 1:
        return json_new_int((int64_t)below(2001) - 1000);
    case 2:
        return json_new_uint(rnd() | 1ull << 63);
    case 3: {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof(d));
        return json_new_double(isfinite(d) ? d : 0.5);
    }
    default:
        return json_new_double((double)(int64_t)below(20001) / 8 - 1000);
    }
}

static json *random_tree(int depth)
{
    char buf[64];
    size_t len;
    unsigned kind = (unsigned)below(depth < 6 ? 8 : 5);
    switch (kind) {
    case 0: return json_new_null();
    case 1: return json_new_bool(rnd() & 1);
    case 2: return random_number();
    case 3: case 4: return random_string(buf, &len);
    case 5: case 6: {
        json *o = json_new_object();
        for (size_t k = below(5); k > 0; k--) {
            json *key = random_string(buf, &len);
            json_free(key);
            json_object_setn(o, buf, len, random_tree(depth + 1));
        }
        return o;
    }
    default: {
        json *a = json_new_array();
        for (size_t k = below(5); k > 0; k--)
            json_array_append(a, random_tree(depth + 1));
        return a;
    }
    }
}

/* A built tree must survive emit and parse; its text becomes the case. */
static void gen_tree(text *t, uint64_t index)
{
    json *tree = random_tree(0);
    char *out = json_emit(tree);
    size_t n = strlen(out);
    char err[128];
    json *back = json_parse(out, n, err, sizeof(err));
    if ((!back || !json_equal(tree, back)) && failures++ < 20)
        printf("FAIL case %" PRIu64 ": built tree %s did not read back (%s)\n", index, out,
               back ? "unequal" : err);
    t->n = n < MAXLEN ? n : MAXLEN;
    memcpy(t->b, out, t->n);
    json_free(back);
    json_free(tree);
    free(out);
}

/* ---- checks ---- */

static void dump(const text *t)
{
    printf("  case bytes (%zu):", t->n);
    for (size_t i = 0; i < t->n && i < 200; i++)
        printf(" %02x", t->b[i]);
    printf("\n");
}

static void fail_case(uint64_t index, const text *t, const char *what)
{
    if (failures++ < 20) {
        printf("FAIL case %" PRIu64 ": %s\n", index, what);
        dump(t);
    }
}

/* Emit, reparse, compare; also every key of an object must look up to its own value. */
static void check_round_trip(uint64_t index, const text *t, const json *j)
{
    char *out = json_emit(j);
    if (!out) {
        fail_case(index, t, "emit failed");
        return;
    }
    char err[128];
    json *back = json_parse(out, strlen(out), err, sizeof(err));
    if (!back) {
        fail_case(index, t, "emitted text does not parse");
        printf("  emitted: %s\n  error: %s\n", out, err);
    } else if (!json_equal(j, back) || !json_equal(back, j)) {
        fail_case(index, t, "reparsed tree differs");
    } else {
        char *again = json_emit(back);
        if (!again || strcmp(out, again))
            fail_case(index, t, "second emit differs");
        free(again);
    }
    for (size_t i = 0; i < json_object_len(j); i++) {
        size_t klen;
        const char *key = json_object_key_at(j, i, &klen);
        if (json_getn(j, key, klen) != json_object_value_at(j, i))
            fail_case(index, t, "key lookup disagrees with member order");
    }
    json_free(back);
    free(out);
}

typedef struct {
    int values, errors;
    json *last;                 /* the latest value, kept for comparison */
    bool bad;                   /* a callback broke the value-xor-error rule */
    uint64_t total_values, total_errors;
} sink;

static void collect(void *opaque, json *value, const char *error)
{
    sink *k = opaque;
    if ((value == NULL) == (error == NULL) || (error && (!*error || strchr(error, '\n'))))
        k->bad = true;
    if (value) {
        k->values++;
        k->total_values++;
        json_free(k->last);
        k->last = value;
    } else {
        k->errors++;
        k->total_errors++;
    }
}

static void sink_reset(sink *k)
{
    json_free(k->last);
    k->last = NULL;
    k->values = k->errors = 0;
    k->bad = false;
}

static void feed_chunks(json_stream *s, const unsigned char *p, size_t n, sink *k)
{
    while (n) {
        size_t c = below(4) ? 1 + below(16) : 1 + below(n);
        if (c > n)
            c = n;
        json_stream_feed(s, (const char *)p, c, collect, k);
        p += c;
        n -= c;
    }
}

/*
 * One case alone through the stream (the stream is idle: the previous case ended with
 * 0xff). A text that parses must come out as exactly one equal value.
 */
static void check_stream(uint64_t index, const text *t, const json *parsed, json_stream *s,
                         sink *k)
{
    sink_reset(k);
    feed_chunks(s, t->b, t->n, k);
    json_stream_feed(s, "\n", 1, collect, k);
    if (parsed && (k->values != 1 || k->errors || !json_equal(k->last, parsed)))
        fail_case(index, t, "stream did not deliver the text as one equal value");
    json_stream_feed(s, "\xff", 1, collect, k);
    if (k->bad)
        fail_case(index, t, "stream callback without exactly one of value and error");
}

/* A batch of cases run together, then a marker after 0xff, which must be the last value. */
static void check_batch(uint64_t index, const text *batch, json_stream *s, sink *k)
{
    static const char marker[] = "\xff{\"execute\":\"marker\",\"id\":12345}";
    sink_reset(k);
    feed_chunks(s, batch->b, batch->n, k);
    json_stream_feed(s, marker, sizeof(marker) - 1, collect, k);
    int64_t id = 0;
    if (k->bad || !json_get_int(k->last, "id", &id) || id != 12345)
        fail_case(index, batch, "stream did not recover for the marker after a batch");
}

int main(int argc, char **argv)
{
    uint64_t cases = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x7e4a15f0c0ffee11ull;
    rng = seed;

    json_stream *alone = json_stream_new(1 << 16), *shared = json_stream_new(512);
    sink ka = { 0 }, ks = { 0 };
    static text t, batch;
    uint64_t kinds[4] = { 0 }, parsed_ok = 0;
    char err[128];

    for (uint64_t i = 0; i < cases; i++) {
        unsigned kind = (unsigned)(i % 10 < 2 ? 0 : i % 10 < 4 ? 1 : i % 10 < 9 ? 2 : 3);
        kinds[kind]++;
        switch (kind) {
        case 0: gen_random(&t); break;
        case 1: gen_soup(&t); break;
        case 2: gen_mutation(&t); break;
        default: gen_tree(&t, i); break;
        }

        memset(err, 0, sizeof(err));
        json *j = json_parse((const char *)t.b, t.n, err, sizeof(err));
        if (j) {
            parsed_ok++;
            check_round_trip(i, &t, j);
        } else if (!err[0] || strchr(err, '\n') || !strstr(err, " at byte ")) {
            fail_case(i, &t, "error message is not one line with a position");
        }
        check_stream(i, &t, j, alone, &ka);
        json_free(j);

        size_t room = MAXLEN - batch.n;
        memcpy(batch.b + batch.n, t.b, t.n < room ? t.n : room);
        batch.n += t.n < room ? t.n : room;
        if (i % BATCH == BATCH - 1 || i == cases - 1) {
            check_batch(i, &batch, shared, &ks);
            batch.n = 0;
        }
    }
    json_stream_flush(shared, collect, &ks);
    sink_reset(&ka);
    sink_reset(&ks);
    json_stream_free(alone);
    json_stream_free(shared);

    printf("json fuzz: %" PRIu64 " cases (seed 0x%" PRIx64 "; %" PRIu64 " random, %" PRIu64
           " fragment soup, %" PRIu64 " mutated, %" PRIu64 " built), %" PRIu64 " parsed OK; "
           "streams delivered %" PRIu64 " values, %" PRIu64 " errors; %d failures\n",
           cases, seed, kinds[0], kinds[1], kinds[2], kinds[3], parsed_ok,
           ka.total_values + ks.total_values, ka.total_errors + ks.total_errors, failures);
    return failures ? 1 : 0;
}
