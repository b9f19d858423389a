/* test_json_arena.c — jansson values parsed into a thread's arena
 * (searchd/json_arena.h): readable until released, freed at once when the
 * last parse held in the arena is released, never mixed up with values
 * allocated outside it or by another thread. */
#include "searchd/json_arena.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A state-like document of n columns. */
static char *doc_text(int n)
{
    size_t cap = 256 + (size_t)n * 128, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"urn\":\"urn:li:dataset:%d\",\"fields\":[", n);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s{\"fieldPath\":\"col_%d\",\"nullable\":%s}",
                                i ? "," : "", i, i % 2 ? "true" : "false");
    snprintf(s + len, cap - len, "]}");
    return s;
}

static json_t *parse_in_arena(int n, int *arena)
{
    char *text = doc_text(n);
    *arena = ja_open();
    json_t *v = json_loads(text, 0, NULL);
    ja_close();
    free(text);
    ck_assert_ptr_nonnull(v);
    return v;
}

static void check_doc(const json_t *v, int n)
{
    char urn[64];
    snprintf(urn, sizeof urn, "urn:li:dataset:%d", n);
    ck_assert_str_eq(json_string_value(json_object_get(v, "urn")), urn);
    const json_t *f = json_object_get(v, "fields");
    ck_assert_uint_eq(json_array_size(f), (size_t)n);
    for (int i = 0; i < n; i++) {
        char path[32];
        snprintf(path, sizeof path, "col_%d", i);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(f, (size_t)i),
                                                           "fieldPath")),
                         path);
    }
}

/* Values parsed in the arena stay readable while held, even past a
 * block (thousands of columns), alongside values allocated outside it;
 * two parses held at once survive the release of the first. */
START_TEST(test_held_values_stay_valid)
{
    for (int round = 0; round < 3; round++) {
        int a1, a2;
        json_t *outside = json_pack("{s:s}", "k", "outside the arena");
        json_t *v1 = parse_in_arena(3000, &a1); /* more than one block */
        json_t *v2 = parse_in_arena(40, &a2);
        ck_assert_int_eq(a1, 1);
        ck_assert_int_eq(a2, 1);
        check_doc(v1, 3000);
        ja_release(); /* v1: v2 is still held, the arena stays */
        int a3;
        json_t *v3 = parse_in_arena(60, &a3); /* would overwrite v2 were it emptied */
        check_doc(v2, 40);
        check_doc(v3, 60);
        json_t *after = json_pack("{s:i}", "n", round); /* closed: outside */
        ja_release();
        ja_release();
        ck_assert_str_eq(json_string_value(json_object_get(outside, "k")), "outside the arena");
        ck_assert_int_eq(json_integer_value(json_object_get(after, "n")), round);
        json_decref(outside);
        json_decref(after);
    }
}
END_TEST

/* Freeing a value of the arena is a no-op (json_decref on an error path),
 * and a value allocated while the arena was closed is freed normally. */
START_TEST(test_decref_in_arena)
{
    int a;
    json_t *v = parse_in_arena(10, &a);
    ck_assert_int_eq(a, 1);
    json_decref(v);
    ja_release();
    json_t *w = json_string("plain");
    json_decref(w);
}
END_TEST

static void *other_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        int a;
        json_t *v = parse_in_arena(50 + i % 7, &a);
        check_doc(v, 50 + i % 7);
        ja_release();
        json_t *plain = json_pack("[i,i]", i, i + 1);
        json_decref(plain);
    }
    return NULL;
}

/* Two threads parse and release at the same time: each in its own arena. */
START_TEST(test_threads)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
    other_thread(NULL);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

int main(void)
{
    ja_install();
    Suite *s = suite_create("json_arena");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_held_values_stay_valid);
    tcase_add_test(tc, test_decref_in_arena);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
