/* test_event_json.c — ev_json_load gives what json_loadb gives: the same
 * values (types, key order, duplicate keys) for text that parses, the same
 * error for text that does not. Checked on hand-picked cases at the edges
 * of the grammar, on every DataHub fixture file, and on many thousand
 * random mutations of fixture text and of escape-heavy strings. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event_json.h"

/* The compact dump keeps key order and tells 1 from 1.0. */
static char *dump(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Both parsers on buf[0..len) with `flags`: same outcome. Returns 1 if it parsed. */
static int same(const char *buf, size_t len, size_t flags)
{
    json_error_t je, fe;
    json_t *want = json_loadb(buf, len, flags, &je);
    json_t *got = ev_json_load(buf, len, flags, &fe);
    if (!want) {
        ck_assert_msg(got == NULL, "jansson refuses, fast path accepts: %.*s", (int)len, buf);
        ck_assert_str_eq(fe.text, je.text);
        ck_assert_int_eq(fe.line, je.line);
        ck_assert_int_eq(fe.column, je.column);
        ck_assert_int_eq(fe.position, je.position);
        return 0;
    }
    ck_assert_msg(got != NULL, "jansson accepts, fast path refuses: %.*s (%s)", (int)len, buf,
                  fe.text);
    char *a = dump(want), *b = dump(got);
    ck_assert_msg(strcmp(a, b) == 0, "different values for %.*s:\n%s\n%s", (int)len, buf, a, b);
    ck_assert(json_equal(want, got));
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
    return 1;
}

static int same_str(const char *s, size_t flags)
{
    return same(s, strlen(s), flags);
}

static const char *const valid[] = {
    "{}",
    "[]",
    " \t\r\n{ \"a\" : 1 , \"b\":[true,false,null] }\n",
    "{\"a\":1,\"b\":2,\"a\":3}",                     /* a duplicate key replaces, in place */
    "{\"z\":{},\"y\":[],\"x\":[[[]]],\"w\":{\"v\":{}}}", /* key order kept */
    "[0,-0,1,-1,123456789012345678,-123456789012345678]",
    "[1.0,-0.0,0.5,1e5,1E5,1e+5,1e-5,-1.25e-3,3.141592653589793,1e-400]",
    "[\"\",\"plain\",\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\x7f\"]",
    "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
    "[\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00 tail\"]",
    "{\"k\\u00e9y\":\"v\",\"k\\ny\":{\"inner\\t\":[1]}}",
    "{\"\":\"empty key\"}",
    "[9223372036854775807,-9223372036854775808]",
    "[1.7976931348623157e308]",
};

static const char *const invalid[] = {
    "",
    "   ",
    "{",
    "}",
    "[1,]",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{1:2}",
    "[01]",
    "[-]",
    "[1.]",
    "[.5]",
    "[1e]",
    "[1e+]",
    "[+1]",
    "[tru]",
    "[truex]",
    "[nul]",
    "[\"unterminated]",
    "[\"a\\x\"]",
    "[\"\\u12\"]",
    "[\"\\u0000\"]",
    "{\"a\\u0000b\":1}",
    "[\"\\ud800\"]",
    "[\"\\ud800\\u0041\"]",
    "[\"\\udc00\"]",
    "[\"tab\there\"]",
    "[\"\xc3\"]",
    "[\"\xc0\x80\"]",
    "[\"\xed\xa0\x80\"]",
    "[\"\xf4\x90\x80\x80\"]",
    "[\"\xff\"]",
    "[\"\x80\"]",
    "[1e400]",
    "[-1e400]",
    "[9223372036854775808]",
    "[-9223372036854775809]",
    "[12345678901234567890123]",
    "{} x",
    "{}{}",
    "[1] 2",
    "\xef\xbb\xbf{}",
    "[1,2",
};

START_TEST(test_valid_cases)
{
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        ck_assert_msg(same_str(valid[i], 0), "should parse: %s", valid[i]);
        same_str(valid[i], JSON_DECODE_ANY);
    }
}
END_TEST

START_TEST(test_invalid_cases)
{
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        ck_assert_msg(!same_str(invalid[i], 0), "should not parse: %s", invalid[i]);
        same_str(invalid[i], JSON_DECODE_ANY);
    }
}
END_TEST

START_TEST(test_scalars_need_decode_any)
{
    const char *scalars[] = {"1", "-2.5", "\"s\"", "true", "false", "null", " 7 "};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        ck_assert(!same_str(scalars[i], 0));
        ck_assert(same_str(scalars[i], JSON_DECODE_ANY));
    }
}
END_TEST

START_TEST(test_text_not_nul_terminated)
{
    /* The buffer goes on past len: only len bytes are read. */
    const char *buf = "{\"a\":12}34";
    ck_assert(same(buf, 8, 0));
    ck_assert(same(buf + 5, 2, JSON_DECODE_ANY)); /* "12", not "12}34" */
    json_t *v = ev_json_load(buf + 5, 2, JSON_DECODE_ANY, NULL);
    ck_assert_int_eq(json_integer_value(v), 12);
    json_decref(v);
}
END_TEST

START_TEST(test_deep_nesting)
{
    /* Past the fast path's depth jansson parses (or refuses) it. */
    size_t depths[] = {EV_JSON_MAX_DEPTH - 1, EV_JSON_MAX_DEPTH, EV_JSON_MAX_DEPTH + 1, 2048, 2049,
                       3000};
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
        size_t n = depths[d];
        char *s = malloc(2 * n + 1);
        ck_assert_ptr_nonnull(s);
        memset(s, '[', n);
        memset(s + n, ']', n);
        s[2 * n] = '\0';
        same(s, 2 * n, 0);
        free(s);
    }
}
END_TEST

START_TEST(test_other_flags_go_to_jansson)
{
    const char *s = "{\"a\":\"x\\u0000y\"}";
    ck_assert(same_str(s, JSON_ALLOW_NUL));
    ck_assert(!same_str("{\"a\":1,\"a\":2}", JSON_REJECT_DUPLICATES));
    ck_assert(same_str("[1] 2", JSON_DISABLE_EOF_CHECK));
}
END_TEST

/* ---- fixtures and mutations -------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static const char mutation_bytes[] = "\"\\u{}[],:0123456789.eE+-tfn \n\t\x01\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xff";

/* Replaces, inserts or deletes one to three bytes of src into dst; its length. */
static size_t mutate(const char *src, size_t len, char *dst)
{
    memcpy(dst, src, len);
    int edits = 1 + (int)(rng() % 3);
    for (int e = 0; e < edits && len > 0; e++) {
        size_t at = rng() % len;
        char c = mutation_bytes[rng() % (sizeof mutation_bytes - 1)];
        switch (rng() % 3) {
        case 0:
            dst[at] = c;
            break;
        case 1:
            memmove(dst + at + 1, dst + at, len - at);
            dst[at] = c;
            len++;
            break;
        default:
            memmove(dst + at, dst + at + 1, len - at - 1);
            len--;
            break;
        }
    }
    return len;
}

static int nfiles, nmutations;

static int visit_fixture(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0)
        return 0;
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t len = 0;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *nb = realloc(buf, len + got);
        ck_assert_ptr_nonnull(nb);
        buf = nb;
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    ck_assert_msg(same(buf, len, 0), "fixture does not parse: %s", path);
    nfiles++;
    /* Mutations of windows of the file: short ones, so that most of them
     * are about a value's edge rather than the whole file's. */
    char *m = malloc(4096 + 8);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < 400 && len > 0; i++) {
        size_t start = rng() % len, wl = 1 + rng() % 4096;
        if (wl > len - start)
            wl = len - start;
        size_t ml = mutate(buf + start, wl, m);
        same(m, ml, JSON_DECODE_ANY);
        /* And the whole file with one mutation, now and then. */
        nmutations++;
    }
    for (int i = 0; i < 20; i++) {
        char *whole = malloc(len + 8);
        ck_assert_ptr_nonnull(whole);
        size_t ml = mutate(buf, len, whole);
        same(whole, ml, 0);
        free(whole);
        nmutations++;
    }
    free(m);
    free(buf);
    return 0;
}

START_TEST(test_fixtures_and_mutations)
{
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_msg(dir != NULL, "MDX_FIXTURES is not set (run through tests/run-suite)");
    ck_assert_int_eq(nftw(dir, visit_fixture, 16, FTW_PHYS), 0);
    ck_assert_int_gt(nfiles, 10);
    ck_assert_int_gt(nmutations, 4000);
}
END_TEST

/* Random strings of escapes, multi-byte characters and plain bytes. */
START_TEST(test_random_strings)
{
    static const char *const pieces[] = {
        "a", "Z", " ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041",
        "\\u00e9", "\\u20ac", "\\uFFFF", "\\ud83d\\ude00", "\\ud800", "\\udfff", "\\u0000",
        "\\u12", "\\x", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\x01", "\x7f",
        "\xed\xa0\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
    };
    char buf[1024];
    int parsed = 0;
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        int key = rng() % 2;
        n += (size_t)sprintf(buf + n, key ? "{\"" : "[\"");
        int count = (int)(rng() % 12);
        for (int k = 0; k < count; k++) {
            const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
            memcpy(buf + n, p, strlen(p));
            n += strlen(p);
        }
        n += (size_t)sprintf(buf + n, key ? "\":[1,2.5,\"x\"]}" : "\",-3]");
        parsed += same(buf, n, 0);
    }
    ck_assert_int_gt(parsed, 1000);
}
END_TEST

START_TEST(test_random_numbers)
{
    char buf[128];
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        buf[n++] = '[';
        if (rng() % 2)
            buf[n++] = '-';
        int digits = (int)(rng() % 22);
        for (int d = 0; d < digits; d++)
            buf[n++] = (char)('0' + rng() % 10);
        if (rng() % 3 == 0) {
            buf[n++] = '.';
            for (int d = (int)(rng() % 6); d > 0; d--)
                buf[n++] = (char)('0' + rng() % 10);
        }
        if (rng() % 3 == 0) {
            buf[n++] = rng() % 2 ? 'e' : 'E';
            if (rng() % 2)
                buf[n++] = rng() % 2 ? '+' : '-';
            for (int d = (int)(rng() % 4); d > 0; d--)
                buf[n++] = (char)('0' + rng() % 10);
        }
        buf[n++] = ']';
        same(buf, n, 0);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("event_json");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_valid_cases);
    tcase_add_test(tc, test_invalid_cases);
    tcase_add_test(tc, test_scalars_need_decode_any);
    tcase_add_test(tc, test_text_not_nul_terminated);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_other_flags_go_to_jansson);
    tcase_add_test(tc, test_fixtures_and_mutations);
    tcase_add_test(tc, test_random_strings);
    tcase_add_test(tc, test_random_numbers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
