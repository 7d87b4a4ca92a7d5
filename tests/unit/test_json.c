/*
 * Unit tests of the QMP JSON library (debug/json.c): parser error classes, escapes and
 * surrogates, numbers, the depth limit, emitter round trips, builders, accessors, and
 * the stream splitter fed at every byte boundary, including its error recovery.
 */
#include "debug/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

/* ---- helpers ---- */

static json *parse_n(const char *text, size_t len)
{
    char err[128];
    json *j = json_parse(text, len, err, sizeof(err));
    if (!j)
        printf("  (unexpected parse error for \"%.*s\": %s)\n", (int)len, text, err);
    return j;
}

static json *parse(const char *text)
{
    return parse_n(text, strlen(text));
}

/* Fails if text parses, or if the reason does not mention want. */
static bool rejects_n(const char *text, size_t len, const char *want)
{
    char err[128] = "untouched";
    json *j = json_parse(text, len, err, sizeof(err));
    if (j) {
        printf("  (\"%.*s\" parsed, expected an error about \"%s\")\n", (int)len, text, want);
        json_free(j);
        return false;
    }
    if (!strstr(err, want) || strchr(err, '\n')) {
        printf("  (\"%.*s\": error \"%s\", expected \"%s\")\n", (int)len, text, err, want);
        return false;
    }
    return true;
}

static bool rejects(const char *text, const char *want)
{
    return rejects_n(text, strlen(text), want);
}

/* Parses text, emits it and compares with want; also checks the emitted text reparses equal. */
static bool emits_n(const char *text, size_t len, const char *want)
{
    json *j = parse_n(text, len);
    if (!j)
        return false;
    char *out = json_emit(j);
    bool ok = out && strcmp(out, want) == 0;
    if (!ok)
        printf("  (\"%.*s\" emitted as \"%s\", expected \"%s\")\n", (int)len, text, out ? out : "(null)", want);
    json *again = out ? parse(out) : NULL;
    if (!json_equal(j, again)) {
        printf("  (\"%s\" did not reparse equal)\n", out ? out : "(null)");
        ok = false;
    }
    json_free(again);
    free(out);
    json_free(j);
    return ok;
}

static bool emits(const char *text, const char *want)
{
    return emits_n(text, strlen(text), want);
}

static bool emit_is(const json *j, const char *want)
{
    char *out = json_emit(j);
    bool ok = out && strcmp(out, want) == 0;
    if (!ok)
        printf("  (emitted \"%s\", expected \"%s\")\n", out ? out : "(null)", want);
    free(out);
    return ok;
}

/* The string value of text, compared byte for byte (with length) with want. */
static bool string_is(const char *text, const char *want, size_t wantlen)
{
    json *j = parse(text);
    size_t len = 0;
    const char *s = json_string_value(j, &len);
    bool ok = s && len == wantlen && memcmp(s, want, len) == 0 && s[len] == 0;
    if (!ok)
        printf("  (%s decoded wrongly)\n", text);
    json_free(j);
    return ok;
}

/* ---- parser ---- */

static void test_literals_and_structure(void)
{
    json *j = parse(" \t\r\n{ \"a\" : [ true , false , null ] , \"b\" : { } , \"c\" : [ ] } \n");
    CHECK(json_typeof(j) == JSON_OBJECT && json_object_len(j) == 3);
    const json *a = json_get(j, "a");
    CHECK(json_array_len(a) == 3);
    bool b = false;
    CHECK(json_bool_value(json_array_at(a, 0), &b) && b);
    CHECK(json_bool_value(json_array_at(a, 1), &b) && !b);
    CHECK(json_typeof(json_array_at(a, 2)) == JSON_NULL && json_array_at(a, 2) != NULL);
    CHECK(json_array_at(a, 3) == NULL);
    CHECK(json_typeof(json_get(j, "b")) == JSON_OBJECT && json_object_len(json_get(j, "b")) == 0);
    CHECK(json_typeof(json_get(j, "c")) == JSON_ARRAY && json_array_len(json_get(j, "c")) == 0);
    CHECK(emit_is(j, "{\"a\":[true,false,null],\"b\":{},\"c\":[]}"));
    json_free(j);

    CHECK(emits("[]", "[]"));
    CHECK(emits("{}", "{}"));
    CHECK(emits("[[[]],{}]", "[[[]],{}]"));
    CHECK(emits("\"x\"", "\"x\""));
    CHECK(emits("null", "null"));
    CHECK(emits("  true  ", "true"));

    /* structural errors */
    CHECK(rejects("", "unexpected end of input at byte 0"));
    CHECK(rejects("   ", "unexpected end of input at byte 3"));
    CHECK(rejects("[1,]", "unexpected ']' at byte 3"));
    CHECK(rejects("[1 2]", "expected ',' or ']', found '2' at byte 3"));
    CHECK(rejects("{\"a\" 1}", "expected ':'"));
    CHECK(rejects("{\"a\":}", "unexpected '}'"));
    CHECK(rejects("{1:2}", "expected a string key, found '1'"));
    CHECK(rejects("{\"a\":1,}", "expected a string key, found '}'"));
    CHECK(rejects("{\"a\":1 \"b\":2}", "expected ',' or '}'"));
    CHECK(rejects("[", "unexpected end of input"));
    CHECK(rejects("{", "unexpected end of input"));
    CHECK(rejects("{\"a\"", "unexpected end of input"));
    CHECK(rejects("{\"a\":", "unexpected end of input"));
    CHECK(rejects("[1", "unexpected end of input"));
    CHECK(rejects("]", "unexpected ']' at byte 0"));
    CHECK(rejects(",", "unexpected ','"));
    CHECK(rejects("1 2", "trailing '2' after the value at byte 2"));
    CHECK(rejects("{} x", "trailing 'x'"));
    CHECK(rejects("{}}", "trailing '}'"));
    CHECK(rejects("nul", "unexpected end of input at byte 3"));
    CHECK(rejects("tru", "unexpected end of input"));
    CHECK(rejects("truex", "trailing 'x'"));
    CHECK(rejects("trUe", "unexpected 'U' at byte 2"));
    CHECK(rejects("[true false]", "expected ',' or ']'"));
    CHECK(rejects("garbage", "unexpected 'g' at byte 0"));
    CHECK(rejects("NaN", "unexpected 'N'"));
    CHECK(rejects("Infinity", "unexpected 'I'"));
    CHECK(rejects("\xef\xbb\xbf{}", "unexpected byte 0xef"));   /* no BOM */
    CHECK(rejects("/* c */ {}", "unexpected '/'"));
    CHECK(rejects_n("[1,\0]", 5, "unexpected byte 0x00 at byte 3"));
    CHECK(rejects_n("{}\0", 3, "trailing byte 0x00"));
    CHECK(rejects("[\v1]", "unexpected byte 0x0b"));         /* not JSON whitespace */
    CHECK(rejects("\f{}", "unexpected byte 0x0c"));

    /* never reads past len: the text continues validly beyond it */
    CHECK(rejects_n("[1,2]", 4, "unexpected end of input at byte 4"));
    CHECK(rejects_n("\"abc\"", 4, "unterminated string"));
    CHECK(rejects_n("true", 3, "unexpected end of input"));
    CHECK(rejects_n("\"\\u0041\"", 6, "unterminated string"));
    CHECK(rejects_n("\"\\u0041\"", 7, "unterminated string"));
    json *one = parse_n("12345", 2);
    int64_t i = 0;
    CHECK(json_int_value(one, &i) && i == 12);
    json_free(one);
    CHECK(rejects_n(NULL, 0, "unexpected end of input"));

    /* a NULL or zero-sized err buffer is fine */
    CHECK(json_parse("[", 1, NULL, 0) == NULL);
    char tiny[4] = "xyz";
    CHECK(json_parse("[", 1, tiny, sizeof(tiny)) == NULL && strlen(tiny) == 3);
}

static void test_numbers(void)
{
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    json *j;

    j = parse("0");
    CHECK(json_int_value(j, &i) && i == 0 && json_uint_value(j, &u) && u == 0);
    json_free(j);
    j = parse("-0");
    CHECK(json_int_value(j, &i) && i == 0 && json_double_value(j, &d) && d == 0 && signbit(d));
    json_free(j);
    j = parse("-9223372036854775808");
    CHECK(json_int_value(j, &i) && i == INT64_MIN && !json_uint_value(j, &u));
    json_free(j);
    j = parse("9223372036854775807");
    CHECK(json_int_value(j, &i) && i == INT64_MAX && json_uint_value(j, &u) && u == INT64_MAX);
    json_free(j);
    j = parse("9223372036854775808");           /* uint64 only */
    CHECK(!json_int_value(j, &i) && json_uint_value(j, &u) && u == 9223372036854775808ull);
    CHECK(json_double_value(j, &d) && d == 9223372036854775808.0);
    json_free(j);
    j = parse("18446744073709551615");
    CHECK(!json_int_value(j, &i) && json_uint_value(j, &u) && u == UINT64_MAX);
    json_free(j);
    j = parse("18446744073709551616");          /* past 64 bits: double only */
    CHECK(!json_int_value(j, &i) && !json_uint_value(j, &u));
    CHECK(json_double_value(j, &d) && d == 18446744073709551616.0);
    json_free(j);
    j = parse("-9223372036854775809");
    CHECK(!json_int_value(j, &i) && !json_uint_value(j, &u) && json_double_value(j, &d));
    json_free(j);
    j = parse("9007199254740993");              /* exact as int, rounded as double */
    CHECK(json_int_value(j, &i) && i == 9007199254740993ll);
    CHECK(json_double_value(j, &d) && d == 9007199254740992.0);
    json_free(j);
    j = parse("1e2");                           /* integral value, but not integer text */
    CHECK(!json_int_value(j, &i) && json_double_value(j, &d) && d == 100);
    json_free(j);
    j = parse("1.0");
    CHECK(!json_int_value(j, &i) && json_double_value(j, &d) && d == 1);
    json_free(j);
    j = parse("-1.25e-3");
    CHECK(json_double_value(j, &d) && d == -1.25e-3);
    json_free(j);
    j = parse("1E+2");
    CHECK(json_double_value(j, &d) && d == 100);
    json_free(j);
    j = parse("1.7976931348623157e308");
    CHECK(json_double_value(j, &d) && d == DBL_MAX);
    json_free(j);
    j = parse("4.9e-324");                      /* smallest subnormal */
    CHECK(json_double_value(j, &d) && d > 0 && d < DBL_MIN);
    json_free(j);
    j = parse("1e-400");                        /* underflow reads as zero */
    CHECK(json_double_value(j, &d) && d == 0);
    json_free(j);
    j = parse("[1,-2,3.5]");
    CHECK(json_int_value(json_array_at(j, 1), &i) && i == -2);
    json_free(j);

    /* a long integer and a long fraction (past any fixed buffer) */
    char big[400];
    memset(big, '9', 300);
    big[300] = 0;
    j = parse(big);
    CHECK(json_double_value(j, &d) && d == 1e300 && !json_uint_value(j, &u));
    json_free(j);
    big[0] = '0';
    big[1] = '.';
    j = parse(big);
    CHECK(json_double_value(j, &d) && d == 1.0);
    json_free(j);

    CHECK(rejects("1e309", "number out of range at byte 0"));
    CHECK(rejects("-1e400", "number out of range"));
    CHECK(rejects("[0, 1e999999999999]", "number out of range at byte 4"));
    CHECK(rejects("01", "leading zero in number at byte 0"));
    CHECK(rejects("-01", "leading zero"));
    CHECK(rejects("00", "leading zero"));
    CHECK(rejects("[007]", "leading zero in number at byte 1"));
    CHECK(rejects("-", "unexpected end of input"));
    CHECK(rejects("-a", "expected a digit after '-', found 'a'"));
    CHECK(rejects("1.", "unexpected end of input"));
    CHECK(rejects("1.e3", "expected a digit after '.', found 'e'"));
    CHECK(rejects(".5", "unexpected '.'"));
    CHECK(rejects("+1", "unexpected '+'"));
    CHECK(rejects("1e", "unexpected end of input"));
    CHECK(rejects("1e+", "unexpected end of input"));
    CHECK(rejects("1ex", "expected a digit after the exponent mark"));
    CHECK(rejects("0x10", "trailing 'x'"));
    CHECK(rejects("- 1", "expected a digit after '-'"));

    /* emitted forms: integers exactly, doubles shortest and never integer-looking */
    CHECK(emits("0", "0"));
    CHECK(emits("-9223372036854775808", "-9223372036854775808"));
    CHECK(emits("18446744073709551615", "18446744073709551615"));
    CHECK(emits("18446744073709551616", "1.8446744073709552e+19"));
    CHECK(emits("0.1", "0.1"));
    CHECK(emits("1.0", "1.0"));
    CHECK(emits("-0.0", "-0.0"));
    CHECK(emits("1e2", "100.0"));
    CHECK(emits("1.5e300", "1.5e+300"));
    CHECK(emits("4.9e-324", "4.94065645841247e-324"));
    CHECK(emits("0.30000000000000004", "0.30000000000000004"));
    CHECK(emits("1e-400", "0.0"));
    CHECK(emits("123456789012345678901234567890", "1.2345678901234568e+29"));
}

static void test_strings(void)
{
    CHECK(string_is("\"\"", "", 0));
    CHECK(string_is("\"abc\"", "abc", 3));
    CHECK(string_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8));
    CHECK(string_is("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6));
    CHECK(string_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4));       /* surrogate pair */
    CHECK(string_is("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4));       /* U+10FFFF */
    CHECK(string_is("\"a\\u0000b\"", "a\0b", 3));                       /* NUL kept */
    CHECK(string_is("\"\\uffff\\ufffe\"", "\xef\xbf\xbf\xef\xbf\xbe", 6)); /* noncharacters ok */
    CHECK(string_is("\"\xf0\x9f\x98\x80 \xc3\xa9 \x7f\"", "\xf0\x9f\x98\x80 \xc3\xa9 \x7f", 9));
    CHECK(string_is("\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"", "\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7));

    /* single-quoted strings, QEMU's extension */
    CHECK(string_is("'abc'", "abc", 3));
    CHECK(string_is("'it\\'s'", "it's", 4));
    CHECK(string_is("'say \"hi\"'", "say \"hi\"", 8));
    CHECK(string_is("'\\\"'", "\"", 1));
    CHECK(string_is("\"it's\"", "it's", 4));
    CHECK(emits("{'execute':'qmp_capabilities'}", "{\"execute\":\"qmp_capabilities\"}"));
    CHECK(emits("['it\\'s', \"x\"]", "[\"it's\",\"x\"]"));
    CHECK(rejects("\"it\\'s\"", "invalid escape \\ followed by \"'\" at byte 3"));
    CHECK(rejects("'abc", "unterminated string at byte 0"));
    CHECK(rejects("'abc\"", "unterminated string"));

    /* escapes and surrogates */
    CHECK(rejects("\"\\q\"", "invalid escape \\ followed by 'q' at byte 1"));
    CHECK(rejects("\"\\x41\"", "invalid escape"));
    CHECK(rejects("\"\\U0041\"", "invalid escape"));
    CHECK(rejects("\"\\\x01\"", "invalid escape \\ followed by byte 0x01"));
    CHECK(rejects("\"\\u12g4\"", "invalid \\u escape at byte 1"));
    CHECK(rejects("\"\\u12\"", "invalid \\u escape"));
    CHECK(rejects("\"\\u\"", "invalid \\u escape"));
    CHECK(rejects("\"\\ud800\"", "unpaired surrogate \\ud800 at byte 1"));
    CHECK(rejects("\"\\udc00\"", "unpaired surrogate \\udc00"));
    CHECK(rejects("\"\\ud800\\u0041\"", "unpaired surrogate \\ud800"));
    CHECK(rejects("\"\\ud800\\ud800\"", "unpaired surrogate"));
    CHECK(rejects("\"\\udc00\\ud800\"", "unpaired surrogate \\udc00"));   /* reversed */
    CHECK(rejects("\"\\ud800x\\udc00\"", "unpaired surrogate"));
    CHECK(rejects("\"\\ud800\\\"", "unterminated string"));
    CHECK(rejects("\"\\ud800\\n\"", "unpaired surrogate"));
    CHECK(rejects("\"abc\\", "unterminated string"));
    CHECK(rejects("\"abc\\\"", "unterminated string"));

    /* control characters must be escaped */
    CHECK(rejects("\"a\nb\"", "control character 0x0a in string at byte 2"));
    CHECK(rejects("\"a\tb\"", "control character 0x09"));
    CHECK(rejects_n("\"a\0b\"", 5, "control character 0x00"));
    CHECK(rejects("\"\x1f\"", "control character 0x1f"));

    /* invalid UTF-8 */
    CHECK(rejects("\"\xc3\"", "invalid UTF-8 in string at byte 1"));             /* truncated */
    CHECK(rejects("\"\xe2\x82\"", "invalid UTF-8"));
    CHECK(rejects("\"\xc0\x80\"", "invalid UTF-8"));                             /* overlong NUL */
    CHECK(rejects("\"\xc1\xbf\"", "invalid UTF-8"));
    CHECK(rejects("\"\xe0\x9f\xbf\"", "invalid UTF-8"));                         /* overlong */
    CHECK(rejects("\"\xf0\x8f\xbf\xbf\"", "invalid UTF-8"));                     /* overlong */
    CHECK(rejects("\"\xed\xa0\x80\"", "invalid UTF-8"));                         /* surrogate */
    CHECK(rejects("\"\xed\xbf\xbf\"", "invalid UTF-8"));
    CHECK(rejects("\"\xf4\x90\x80\x80\"", "invalid UTF-8"));                     /* > U+10FFFF */
    CHECK(rejects("\"\xf5\x80\x80\x80\"", "invalid UTF-8"));
    CHECK(rejects("\"\x80\"", "invalid UTF-8"));                                 /* lone continuation */
    CHECK(rejects("\"ab\xff\"", "invalid UTF-8 in string at byte 3"));
    CHECK(rejects("\"\xfe\"", "invalid UTF-8"));
    CHECK(rejects("\"\xc3\x28\"", "invalid UTF-8"));
    CHECK(rejects("\"\xe2\x28\xa1\"", "invalid UTF-8"));
    CHECK(rejects("\"\xf0\x9f\x98\"", "invalid UTF-8"));
    CHECK(rejects("\xc3\xa9", "unexpected byte 0xc3"));                         /* outside strings */

    /* emitted escapes */
    CHECK(emits("\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\/\\u007f\"",
                "\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\x7f\""));
    CHECK(emits("\"\\u0000\"", "\"\\u0000\""));
    CHECK(emits("\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\""));
    CHECK(emits("{\"a\\u0000b\":1}", "{\"a\\u0000b\":1}"));
}

static void test_duplicates_and_depth(void)
{
    json *j = parse("{\"a\":1,\"b\":2,\"a\":{\"x\":[3]}}");
    CHECK(json_object_len(j) == 2);
    size_t klen = 0;
    CHECK(strcmp(json_object_key_at(j, 0, &klen), "a") == 0 && klen == 1);
    CHECK(json_object_key_at(j, 2, NULL) == NULL);
    CHECK(emit_is(j, "{\"a\":{\"x\":[3]},\"b\":2}"));
    json_free(j);

    /* 64 levels parse, 65 do not, whatever the mix of brackets */
    char deep[600];
    for (int kind = 0; kind < 3; kind++) {
        for (int levels = 63; levels <= 66; levels++) {
            size_t n = 0;
            for (int k = 0; k < levels; k++) {
                bool obj = kind == 1 || (kind == 2 && k % 2);
                n += (size_t)sprintf(deep + n, obj ? "{\"k\":" : "[");
            }
            n += (size_t)sprintf(deep + n, "0");
            for (int k = levels - 1; k >= 0; k--) {
                bool obj = kind == 1 || (kind == 2 && k % 2);
                deep[n++] = obj ? '}' : ']';
            }
            json *d = json_parse(deep, n, NULL, 0);
            CHECK((d != NULL) == (levels <= JSON_MAX_DEPTH));
            json_free(d);
            if (levels > JSON_MAX_DEPTH)
                CHECK(rejects_n(deep, n, "nesting deeper than 64"));
        }
    }

    /* a hostile depth is refused without recursing into it */
    size_t huge = 1000000;
    char *brackets = malloc(huge);
    memset(brackets, '[', huge);
    CHECK(rejects_n(brackets, huge, "nesting deeper than 64 at byte 64"));
    free(brackets);
}

/* ---- accessors, builders, emitter ---- */

static void test_accessors(void)
{
    json *j = parse("{\"s\":\"str\",\"z\":\"a\\u0000b\",\"i\":-5,\"u\":18446744073709551615,"
                    "\"d\":2.5,\"one\":1.0,\"t\":true,\"n\":null,\"a\":[1,2],\"o\":{\"x\":1}}");
    const char *s = NULL;
    size_t len = 0;
    int64_t i = 7;
    uint64_t u = 7;
    double d = 0;
    bool b = false;

    CHECK(json_get_str(j, "s", &s) && strcmp(s, "str") == 0);
    CHECK(!json_get_str(j, "z", &s) && strcmp(s, "str") == 0);   /* NUL inside */
    CHECK(json_get_strn(j, "z", &s, &len) && len == 3 && memcmp(s, "a\0b", 3) == 0);
    CHECK(!json_get_str(j, "i", &s) && !json_get_str(j, "missing", &s));
    CHECK(json_get_int(j, "i", &i) && i == -5);
    CHECK(!json_get_uint(j, "i", &u) && u == 7);
    CHECK(!json_get_int(j, "u", &i) && i == -5);
    CHECK(json_get_uint(j, "u", &u) && u == UINT64_MAX);
    CHECK(!json_get_int(j, "d", &i) && !json_get_int(j, "one", &i) && !json_get_int(j, "s", &i));
    CHECK(json_get_double(j, "d", &d) && d == 2.5);
    CHECK(json_get_double(j, "i", &d) && d == -5);
    CHECK(!json_get_double(j, "t", &d));
    CHECK(json_get_bool(j, "t", &b) && b);
    CHECK(!json_get_bool(j, "n", &b) && !json_get_bool(j, "i", &b));
    CHECK(json_typeof(json_get(j, "n")) == JSON_NULL && json_get(j, "n") != NULL);
    CHECK(json_get(j, "missing") == NULL && json_get(j, NULL) == NULL);
    CHECK(json_getn(j, "sx", 1) == json_get(j, "s"));
    CHECK(json_array_len(json_get(j, "a")) == 2 && json_array_len(json_get(j, "o")) == 0);
    CHECK(json_object_len(json_get(j, "o")) == 1 && json_object_len(json_get(j, "a")) == 0);
    CHECK(json_get(json_get(j, "a"), "x") == NULL);
    CHECK(json_array_at(json_get(j, "o"), 0) == NULL);
    CHECK(json_object_value_at(j, 2) == json_get(j, "i"));
    CHECK(json_string_value(json_get(j, "i"), &len) == NULL);

    /* everything accepts NULL */
    CHECK(json_get(NULL, "x") == NULL && !json_get_int(NULL, "x", &i) && json_array_len(NULL) == 0);
    CHECK(json_typeof(NULL) == JSON_NULL && json_object_len(NULL) == 0);
    CHECK(strcmp(json_type_name(JSON_OBJECT), "object") == 0);
    CHECK(strcmp(json_type_name(JSON_BOOL), "boolean") == 0);
    json_free(NULL);
    json_free(j);
}

static void test_builders(void)
{
    json *r = json_new_object();
    CHECK(json_object_set(r, "return", json_new_object()));
    CHECK(json_object_set(r, "id", json_new_string("x\"1\n")));
    CHECK(emit_is(r, "{\"return\":{},\"id\":\"x\\\"1\\n\"}"));
    CHECK(json_object_set(r, "return", json_new_int(3)));    /* replaced in place */
    CHECK(emit_is(r, "{\"return\":3,\"id\":\"x\\\"1\\n\"}"));
    CHECK(!json_object_set(r, "bad", NULL));
    CHECK(!json_object_set(r, NULL, json_new_null()));       /* value freed */
    CHECK(json_object_len(r) == 2);
    json_free(r);

    json *a = json_new_array();
    CHECK(json_array_append(a, json_new_int(INT64_MIN)));
    CHECK(json_array_append(a, json_new_uint(UINT64_MAX)));
    CHECK(json_array_append(a, json_new_uint(5)));
    CHECK(json_array_append(a, json_new_double(1)));
    CHECK(json_array_append(a, json_new_double(-0.5)));
    CHECK(json_array_append(a, json_new_double(NAN)));
    CHECK(json_array_append(a, json_new_double(-INFINITY)));
    CHECK(json_array_append(a, json_new_double(1e21)));
    CHECK(json_array_append(a, json_new_bool(false)));
    CHECK(json_array_append(a, json_new_null()));
    CHECK(json_array_append(a, json_new_string(NULL)));
    CHECK(json_array_append(a, json_new_stringn("a\0\x01\x1f", 4)));
    CHECK(json_array_append(a, json_new_stringn("\xff\xc3(\xe2\x82", 5)));   /* bad UTF-8 */
    CHECK(json_array_append(a, json_new_stringn("\xed\xa0\x80", 3)));        /* a surrogate */
    CHECK(!json_array_append(a, NULL));
    CHECK(!json_array_append(NULL, json_new_int(1)));                       /* value freed */
    CHECK(!json_object_set(a, "k", json_new_int(1)));                       /* not an object */
    CHECK(emit_is(a, "[-9223372036854775808,18446744073709551615,5,1.0,-0.5,null,null,1e+21,"
                     "false,null,null,\"a\\u0000\\u0001\\u001f\",\"\\ufffd\\ufffd(\\ufffd\\ufffd\","
                     "\"\\ufffd\\ufffd\\ufffd\"]"));
    uint64_t u = 0;
    int64_t i = 0;
    CHECK(json_uint_value(json_array_at(a, 2), &u) && u == 5);
    CHECK(json_int_value(json_array_at(a, 2), &i) && i == 5);
    CHECK(!json_int_value(json_array_at(a, 3), &i));
    json_free(a);

    /* json_equal */
    json *x = parse("{\"a\":1,\"b\":[1.5,\"s\",null,true]}");
    json *y = parse("{\"b\":[1.5,\"s\",null,true],\"a\":1}");
    json *z = parse("{\"a\":1.0,\"b\":[1.5,\"s\",null,true]}");
    json *w = parse("{\"a\":1,\"b\":[1.5,\"s\",null,false]}");
    json *v = parse("{\"a\":1,\"c\":[1.5,\"s\",null,true]}");
    CHECK(json_equal(x, y) && json_equal(y, x) && json_equal(x, x));
    CHECK(!json_equal(x, z) && !json_equal(x, w) && !json_equal(x, v) && !json_equal(x, NULL));
    CHECK(json_equal(NULL, NULL));
    json_free(x);
    json_free(y);
    json_free(z);
    json_free(w);
    json_free(v);
    json *n1 = json_new_int(5), *n2 = json_new_uint(5), *n3 = json_new_double(5);
    CHECK(json_equal(n1, n2) && !json_equal(n1, n3));
    json_free(n1);
    json_free(n2);
    json_free(n3);
}

/* Many members: exercises the hash index, its growth, replacement and equality. */
static void test_big_object(void)
{
    json *o = json_new_object(), *p = json_new_object();
    char key[32];
    for (int k = 0; k < 5000; k++) {
        snprintf(key, sizeof(key), "key%d", k);
        CHECK(json_object_set(o, key, json_new_int(k)));
        snprintf(key, sizeof(key), "key%d", 4999 - k);
        json_object_set(p, key, json_new_int(4999 - k));
    }
    CHECK(json_object_len(o) == 5000);
    bool all = true;
    for (int k = 0; k < 5000; k++) {
        int64_t v = -1;
        snprintf(key, sizeof(key), "key%d", k);
        all = all && json_get_int(o, key, &v) && v == k;
    }
    CHECK(all);
    CHECK(json_get(o, "key5000") == NULL);
    CHECK(json_equal(o, p));
    json_object_set(o, "key77", json_new_string("x"));
    CHECK(json_object_len(o) == 5000 && !json_equal(o, p));
    CHECK(json_typeof(json_object_value_at(o, 77)) == JSON_STRING);

    char *text = json_emit(o);
    json *back = parse(text);
    CHECK(json_equal(o, back));
    json_free(back);
    free(text);
    json_free(o);
    json_free(p);

    /* the same through the parser, with duplicates */
    size_t cap = 200000, n = 0;
    char *t = malloc(cap);
    t[n++] = '{';
    for (int k = 0; k < 6000; k++)
        n += (size_t)snprintf(t + n, cap - n, "%s\"k%d\":%d", k ? "," : "", k % 3000, k);
    t[n++] = '}';
    json *d = parse_n(t, n);
    int64_t v = 0;
    CHECK(json_object_len(d) == 3000 && json_get_int(d, "k10", &v) && v == 3010);
    CHECK(strcmp(json_object_key_at(d, 10, NULL), "k10") == 0);
    json_free(d);
    free(t);
}

static void test_build(void)
{
    json *j = json_build("{'return': {'running': %b, 'status': %s, 'n': %d, 'big': %llu,"
                         " 'l': %ld, 'x': %f, 'sub': %j, 'none': %s, '100%': '%d'}, %s: %u}",
                         1, "running", -3, 18446744073709551615ull, -4l, 0.5,
                         json_build("[%d, %s]", 1, "a"), (const char *)NULL, "id", 7u);
    CHECK(emit_is(j, "{\"return\":{\"running\":true,\"status\":\"running\",\"n\":-3,"
                     "\"big\":18446744073709551615,\"l\":-4,\"x\":0.5,\"sub\":[1,\"a\"],"
                     "\"none\":null,\"100%\":\"%d\"},\"id\":7}"));
    json_free(j);

    /* failures free the %j arguments (checked by the sanitizer build) */
    CHECK(json_build("[%j, %j", json_new_int(1), json_new_int(2)) == NULL);
    CHECK(json_build("[1 %j]", json_new_int(1)) == NULL);
    CHECK(json_build("{%d: 1}", 5) == NULL);
    CHECK(json_build("[%j]", (json *)NULL) == NULL);
    CHECK(json_build("{%s: 1}", (const char *)NULL) == NULL);
    CHECK(json_build("[%q]") == NULL);
    CHECK(json_build("[%lls]") == NULL);
    j = json_build("'%s'");
    CHECK(emit_is(j, "\"%s\""));
    json_free(j);
}

/* ---- stream splitter ---- */

typedef struct {
    char log[4096];             /* one line per callback: emitted value or "ERR: reason" */
    int calls;
} sink;

static void collect(void *opaque, json *value, const char *error)
{
    sink *k = opaque;
    size_t n = strlen(k->log);
    k->calls++;
    if ((value == NULL) == (error == NULL)) {
        snprintf(k->log + n, sizeof(k->log) - n, "BAD CALLBACK\n");
        return;
    }
    if (value) {
        char *t = json_emit(value);
        snprintf(k->log + n, sizeof(k->log) - n, "%s\n", t);
        free(t);
        json_free(value);
    } else {
        snprintf(k->log + n, sizeof(k->log) - n, "ERR: %s\n", error);
    }
}

/* Feeds input whole, in two pieces at every boundary, in three at every pair and byte by byte. */
static bool stream_gives_n(size_t max_text, const char *in, size_t len, bool flush,
                           const char *want)
{
    bool ok = true;
    size_t cuts = 0;
    for (size_t a = 0; a <= len && ok; a += (len > 200 ? 37 : 1)) {
        for (size_t b = a; b <= len && ok; b += (len > 200 ? 37 : 1)) {
            sink k = { "", 0 };
            json_stream *s = json_stream_new(max_text);
            json_stream_feed(s, in, a, collect, &k);
            json_stream_feed(s, in + a, b - a, collect, &k);
            json_stream_feed(s, in + b, len - b, collect, &k);
            if (flush)
                json_stream_flush(s, collect, &k);
            json_stream_free(s);
            if (strcmp(k.log, want)) {
                printf("  (split at %zu,%zu of \"%.*s\":\n%s  expected:\n%s)\n", a, b, (int)len, in,
                       k.log, want);
                ok = false;
            }
            cuts++;
        }
    }
    sink k = { "", 0 };
    json_stream *s = json_stream_new(max_text);
    for (size_t i = 0; i < len; i++)
        json_stream_feed(s, in + i, 1, collect, &k);
    if (flush)
        json_stream_flush(s, collect, &k);
    json_stream_free(s);
    if (ok && strcmp(k.log, want)) {
        printf("  (byte by byte \"%.*s\":\n%s  expected:\n%s)\n", (int)len, in, k.log, want);
        ok = false;
    }
    return ok;
}

static bool stream_gives(const char *in, const char *want)
{
    return stream_gives_n(0, in, strlen(in), false, want);
}

static bool stream_gives_max(size_t max_text, const char *in, const char *want)
{
    return stream_gives_n(max_text, in, strlen(in), false, want);
}

static void test_stream(void)
{
    /* plain traffic, strings hiding brackets and quotes, any value at top level */
    CHECK(stream_gives("{\"execute\":\"qmp_capabilities\"}\r\n{\"execute\":\"query-status\","
                       "\"id\":1}\n",
                       "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-status\",\"id\":1}\n"));
    CHECK(stream_gives("{\"a\":\"}]\\\"{[\"}[\"\\\\\"]{'b':'}\"\\''}",
                       "{\"a\":\"}]\\\"{[\"}\n[\"\\\\\"]\n{\"b\":\"}\\\"'\"}\n"));
    CHECK(stream_gives("{\"a\":\"it's\"}{'a':\"x'\"}", "{\"a\":\"it's\"}\n{\"a\":\"x'\"}\n"));
    CHECK(stream_gives("1 -2.5e3\ttrue\nnull \"x{\" 'y' [] {} ",
                       "1\n-2500.0\ntrue\nnull\n\"x{\"\n\"y\"\n[]\n{}\n"));
    CHECK(stream_gives("{}[]\"a\"{}", "{}\n[]\n\"a\"\n{}\n"));
    CHECK(stream_gives("  \r\n\t ", ""));
    CHECK(stream_gives("\xff\xff{}\xff", "{}\n"));

    /* a bare word needs a delimiter, or the flush */
    CHECK(stream_gives("123", ""));
    CHECK(stream_gives_n(0, "123", 3, true, "123\n"));
    CHECK(stream_gives("12{}", "12\n{}\n"));
    CHECK(stream_gives_n(0, "{\"a\":1", 6, true, "ERR: unexpected end of input at byte 6\n"));
    CHECK(stream_gives_n(0, "\"abc", 4, true, "ERR: unterminated string at byte 0\n"));

    /* recovery after garbage: the next text is still delivered */
    CHECK(stream_gives("{\"a\":1} garbage {\"execute\":\"x\"}",
                       "{\"a\":1}\nERR: unexpected 'g' at byte 0\n{\"execute\":\"x\"}\n"));
    CHECK(stream_gives("{\"a\":1}}{\"b\":2}", "{\"a\":1}\nERR: unexpected '}' at byte 0\n{\"b\":2}\n"));
    CHECK(stream_gives("{\"a\":1},{\"b\":2}", "{\"a\":1}\nERR: unexpected ',' at byte 0\n{\"b\":2}\n"));
    CHECK(stream_gives("{\"a\":1 2}\n{\"b\":2}",
                       "ERR: expected ',' or '}', found '2' at byte 7\n{\"b\":2}\n"));
    CHECK(stream_gives("{\"a\":\"\\q\"}{\"b\":2}",
                       "ERR: invalid escape \\ followed by 'q' at byte 6\n{\"b\":2}\n"));
    CHECK(stream_gives("{\"a\":01}{\"b\":\"\\ud800\"}{\"c\":3}",
                       "ERR: leading zero in number at byte 5\n"
                       "ERR: unpaired surrogate \\ud800 at byte 6\n{\"c\":3}\n"));
    CHECK(stream_gives("truex tru nul 1.2.3 -",
                       "ERR: trailing 'x' after the value at byte 4\n"
                       "ERR: unexpected end of input at byte 3\n"
                       "ERR: unexpected end of input at byte 3\n"
                       "ERR: trailing '.' after the value at byte 3\n"));
    CHECK(stream_gives("{\"a\":\"\xc3\"}{\"b\":1}",
                       "ERR: invalid UTF-8 in string at byte 6\n{\"b\":1}\n"));

    /* broken structure: skip to the next newline */
    CHECK(stream_gives("{\"a\":[1}, \"b\":2}\n{\"c\":3}",
                       "ERR: '}' closing a '[' at byte 7\n{\"c\":3}\n"));
    CHECK(stream_gives("[{]]]{}\n[]", "ERR: ']' closing a '{' at byte 2\n[]\n"));
    CHECK(stream_gives("{\"a:1}\n{\"b\":2}", "ERR: control character in string at byte 6\n{\"b\":2}\n"));
    CHECK(stream_gives("{\"a\":\"x\ty\"} {\"z\":0}\n{\"b\":2}",
                       "ERR: control character in string at byte 7\n{\"b\":2}\n"));

    /* 0xff resets at any point */
    CHECK(stream_gives("{\"a\":[\"x\xff{\"b\":1}",
                       "ERR: text cut short by a 0xff byte at byte 8\n{\"b\":1}\n"));
    CHECK(stream_gives("{\"a\":[1}\xff{\"b\":1}", "ERR: '}' closing a '[' at byte 7\n{\"b\":1}\n"));
    CHECK(stream_gives("12\xff{}", "ERR: text cut short by a 0xff byte at byte 2\n{}\n"));

    /* size limit: exactly max_text is fine, one more is an error and the text is skipped */
    CHECK(stream_gives_max(10, "{\"a\":\"12\"}{\"a\":\"123\"}{\"b\":1}",
                         "{\"a\":\"12\"}\nERR: text longer than 10 bytes\n{\"b\":1}\n"));
    CHECK(stream_gives_max(10, "{\"a\":\"1]}\\\"{[\"\n}\n{}",
                         "ERR: text longer than 10 bytes\n{}\n"));
    CHECK(stream_gives_max(10, "{\"a\":\"12345678\n{}",
                         "ERR: text longer than 10 bytes\n{}\n"));
    CHECK(stream_gives_max(4, "123456 {}", "ERR: text longer than 4 bytes\n{}\n"));
    CHECK(stream_gives_max(4, "12345{}", "ERR: text longer than 4 bytes\n{}\n"));
    CHECK(stream_gives_max(4, "1234{}", "1234\n{}\n"));

    /* nesting limit: the error comes once, the rest of that text is skipped */
    char deep[400];
    size_t n = 0;
    for (int k = 0; k < 70; k++)
        deep[n++] = '[';
    n += (size_t)sprintf(deep + n, "\"]]\"");
    for (int k = 0; k < 70; k++)
        deep[n++] = ']';
    n += (size_t)sprintf(deep + n, "{\"ok\":1}");
    CHECK(stream_gives_n(0, deep, n, false, "ERR: nesting deeper than 64 at byte 64\n{\"ok\":1}\n"));
    n = 0;
    for (int k = 0; k < 64; k++)
        deep[n++] = '[';
    for (int k = 0; k < 64; k++)
        deep[n++] = ']';
    json *want = json_parse(deep, n, NULL, 0);
    char *wtext = json_emit(want);
    char wline[200];
    snprintf(wline, sizeof(wline), "%s\n", wtext);
    CHECK(stream_gives_n(0, deep, n, false, wline));
    free(wtext);
    json_free(want);

    /* a large text split everywhere (sampled) still arrives whole */
    char big[3000];
    n = (size_t)sprintf(big, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"");
    while (n < 2000)
        big[n++] = 'x';
    n += (size_t)sprintf(big + n, "\"}}");
    char bigwant[3100];
    snprintf(bigwant, sizeof(bigwant), "%.*s\n", (int)n, big);
    CHECK(stream_gives_n(0, big, n, false, bigwant));

    /* callback NULL just drops values */
    json_stream *s = json_stream_new(0);
    json_stream_feed(s, "{} x ", 5, NULL, NULL);
    json_stream_free(s);
}

int main(void)
{
    test_literals_and_structure();
    test_numbers();
    test_strings();
    test_duplicates_and_depth();
    test_accessors();
    test_builders();
    test_big_object();
    test_build();
    test_stream();
    printf("json: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
