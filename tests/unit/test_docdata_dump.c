/* test_docdata_dump.c — docdata_dump (the indexer's state writer, which
 * searchd's answers go through too) writes what json_dumps(v,
 * JSON_COMPACT) writes, byte for byte: on random nested values (strings
 * with every escape, control and multi-byte characters, reals of every
 * magnitude and integral ones, integers at their limits, empty containers,
 * keys in insertion order); it refuses nesting past DOCDATA_MAX_DEPTH.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/docdata.h"

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
            json_t *k = rand_string(); /* keys without NULs: cut at the first */
            json_object_set_new(o, json_string_value(k), rand_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

/* docdata_dump's text of v (malloc'd), or NULL. */
static char *dumped(const json_t *v)
{
    char *buf = NULL;
    size_t cap = 0, len = 0;
    if (docdata_dump(v, &buf, &cap, &len) != 0) {
        free(buf);
        return NULL;
    }
    ck_assert_uint_eq(len, strlen(buf));
    return buf;
}

START_TEST(writes_what_json_dumps_writes)
{
    for (int i = 0; i < 20000; i++) {
        json_t *v = rand_value(0);
        ck_assert_ptr_nonnull(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *got = dumped(v);
        ck_assert_ptr_nonnull(want);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, want) == 0, "value %d:\n got  %s\n want %s", i, got, want);
        free(want);
        free(got);
        json_decref(v);
    }
}
END_TEST

START_TEST(refuses_deep_nesting)
{
    json_t *deep = json_array(), *at = deep;
    for (int i = 0; i < DOCDATA_MAX_DEPTH + 50; i++) {
        json_t *a = json_array();
        json_array_append_new(at, a);
        at = a;
    }
    ck_assert_ptr_null(dumped(deep));
    json_decref(deep);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("docdata_dump");
    TCase *tc = tcase_create("dumps");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, writes_what_json_dumps_writes);
    tcase_add_test(tc, refuses_deep_nesting);
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
