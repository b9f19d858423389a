/* test_json_write.c — jw_dumps writes what json_dumps(v, JSON_COMPACT)
 * writes, byte for byte: on random nested values (strings with every
 * escape, control and multi-byte characters, reals of every magnitude and
 * integral ones, integers at their limits, empty containers, keys in
 * insertion order); refuses text that is not UTF-8, as json_dumps does,
 * and nesting past 2048.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/json_write.h"

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((seed >> 33) % n);
}

/* Random valid UTF-8: ASCII, escapes, controls, 2-, 3- and 4-byte
 * characters, embedded NULs. */
static json_t *rand_string(void)
{
    static const char *const pieces[] = {
        "a",  "Z",  " ",  "\"", "\\", "/",  "\b", "\f", "\n",     "\r",          "\t",
        "\x01", "\x1f", "\x7f", "é", "Café", "中文", "😀", "\xe2\x80\xa8", "fact_orders_v2", "<mark>",
    };
    char buf[256];
    size_t n = 0, parts = rnd(12);
    for (size_t i = 0; i < parts; i++) {
        if (rnd(20) == 0) {
            buf[n++] = '\0'; /* json_stringn keeps it */
            continue;
        }
        const char *p = pieces[rnd(sizeof pieces / sizeof *pieces)];
        size_t k = strlen(p);
        memcpy(buf + n, p, k);
        n += k;
    }
    return json_stringn(buf, n);
}

static double rand_real(void)
{
    switch (rnd(8)) {
    case 0: return (double)(int)rnd(100000) - 50000; /* integral: ".0" added */
    case 1: return ldexp((double)rnd(1u << 30), -(int)rnd(80));
    case 2: return ldexp((double)rnd(1u << 30), (int)rnd(990)); /* large exponents */
    case 3: return -ldexp((double)rnd(1u << 30), -(int)rnd(1070));
    case 4: return 0.1 * rnd(1000);
    case 5: return rnd(2) ? DBL_MAX : DBL_MIN;
    case 6: return 1e-5 * (1 + rnd(9)); /* exponent with a leading zero */
    default: return -0.0;
    }
}

static json_t *rand_value(int depth)
{
    uint32_t kind = rnd(depth > 4 ? 6 : 8);
    switch (kind) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: {
        static const json_int_t edge[] = {0, -1, 1, INT64_MAX, INT64_MIN, 1234567};
        return json_integer(rnd(2) ? edge[rnd(6)] : (json_int_t)rnd(1u << 31) - (1 << 30));
    }
    case 3: return json_real(rand_real());
    case 4:
    case 5: return rand_string();
    case 6: {
        json_t *a = json_array();
        for (uint32_t i = 0, n = rnd(6); i < n; i++)
            json_array_append_new(a, rand_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (uint32_t i = 0, n = rnd(6); i < n; i++) {
            json_t *k = rand_string();
            json_object_setn_new(o, json_string_value(k), json_string_length(k),
                                 rand_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

START_TEST(writes_what_json_dumps_writes)
{
    for (int i = 0; i < 20000; i++) {
        json_t *v = rand_value(0);
        ck_assert_ptr_nonnull(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t len = 0;
        char *got = jw_dumps(v, "", &len);
        ck_assert_ptr_nonnull(want);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, want) == 0, "value %d:\n got  %s\n want %s", i, got, want);
        ck_assert_uint_eq(len, strlen(want));
        free(want);
        free(got);
        json_decref(v);
    }
}
END_TEST

START_TEST(appends_the_tail)
{
    json_t *v = json_pack("{s:i,s:[s,n]}", "total", 3, "hits", "a", NULL);
    size_t len = 0;
    char *got = jw_dumps(v, "\n", &len);
    ck_assert_str_eq(got, "{\"total\":3,\"hits\":[\"a\",null]}\n");
    ck_assert_uint_eq(len, strlen(got));
    free(got);
    json_decref(v);
}
END_TEST

START_TEST(refuses_text_not_utf8_and_deep_nesting)
{
    /* Not UTF-8: a lone continuation byte, an overlong '/', a surrogate, a
     * code point past U+10FFFF, a cut sequence. */
    static const char *const bad[] = {"a\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xe4\xb8"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *s = json_stringn_nocheck(bad[i], strlen(bad[i]));
        ck_assert_ptr_null(json_dumps(s, JSON_ENCODE_ANY));
        ck_assert_ptr_null(jw_dumps(s, "", NULL));
        json_decref(s);
    }
    /* Nesting past 2048 (json_dumps would recurse on). */
    json_t *deep = json_array(), *at = deep;
    for (int i = 0; i < 2100; i++) {
        json_t *a = json_array();
        json_array_append_new(at, a);
        at = a;
    }
    ck_assert_ptr_null(jw_dumps(deep, "", NULL));
    json_decref(deep);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("json_write");
    TCase *tc = tcase_create("dumps");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, writes_what_json_dumps_writes);
    tcase_add_test(tc, appends_the_tail);
    tcase_add_test(tc, refuses_text_not_utf8_and_deep_nesting);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
