/* test_set_cache.c — match sets kept between searches (set_cache.h): found
 * by key, the least recently used out past the byte budget, a held set
 * valid until released even once evicted, the first of two kept under one
 * key shared, nothing kept past the budget, and many threads at once.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "searchd/set_cache.h"

/* A set of n documents from `from`, every `step`-th. */
static roaring_bitmap_t *range(uint32_t from, uint32_t n, uint32_t step)
{
    roaring_bitmap_t *b = roaring_bitmap_create();
    for (uint32_t i = 0; i < n; i++)
        roaring_bitmap_add(b, from + i * step);
    return b;
}

static size_t cost(uint32_t n, size_t keylen)
{
    roaring_bitmap_t *b = range(0, n, 3);
    roaring_bitmap_shrink_to_fit(b);
    size_t c = roaring_bitmap_size_in_bytes(b) + keylen;
    roaring_bitmap_free(b);
    return c;
}

START_TEST(finds_what_was_kept_by_key)
{
    set_cache *c = sc_new(1 << 20);
    ck_assert_ptr_nonnull(c);
    sc_entry *h = NULL;
    ck_assert_ptr_null(sc_get(c, "a", 1, &h));
    ck_assert_ptr_null(h);
    roaring_bitmap_t *b = range(10, 100, 3), *copy = roaring_bitmap_copy(b);
    const roaring_bitmap_t *kept = sc_put(c, "a", 1, b, &h);
    ck_assert_ptr_eq(kept, b);
    ck_assert_ptr_nonnull(h);
    sc_release(c, h);
    /* Keys are bytes: a longer key sharing the prefix is another. */
    ck_assert_ptr_null(sc_get(c, "ab", 2, &h));
    const roaring_bitmap_t *got = sc_get(c, "a", 1, &h);
    ck_assert_ptr_nonnull(got);
    ck_assert(roaring_bitmap_equals(got, copy));
    sc_release(c, h);
    sc_stats st;
    sc_get_stats(c, &st);
    ck_assert_uint_eq(st.sets, 1);
    ck_assert_uint_eq(st.hits, 1);
    ck_assert_uint_eq(st.misses, 2);
    ck_assert_uint_ge(st.bytes, cost(100, 1));
    roaring_bitmap_free(copy);
    sc_free(c);
}
END_TEST

START_TEST(the_least_recently_used_go_first)
{
    /* Room for about three sets of 1000. */
    set_cache *c = sc_new(cost(1000, 2) * 3 + 3 * 200);
    sc_entry *h;
    char key[3] = "k0";
    for (int i = 0; i < 3; i++) {
        key[1] = (char)('0' + i);
        ck_assert_ptr_nonnull(sc_put(c, key, 2, range((uint32_t)i, 1000, 3), &h));
        sc_release(c, h);
    }
    /* k0 used again: k1 is now the least recently used. */
    ck_assert_ptr_nonnull(sc_get(c, "k0", 2, &h));
    sc_release(c, h);
    ck_assert_ptr_nonnull(sc_put(c, "k3", 2, range(3, 1000, 3), &h));
    sc_release(c, h);
    ck_assert_ptr_null(sc_get(c, "k1", 2, &h));
    const char *kept[] = {"k0", "k2", "k3"};
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(sc_get(c, kept[i], 2, &h) != NULL, "%s was evicted", kept[i]);
        sc_release(c, h);
    }
    sc_stats st;
    sc_get_stats(c, &st);
    ck_assert_uint_eq(st.sets, 3);
    sc_free(c);
}
END_TEST

START_TEST(a_held_set_outlives_its_eviction)
{
    set_cache *c = sc_new(cost(5000, 1) + 300);
    sc_entry *held, *h;
    roaring_bitmap_t *b = range(7, 5000, 5), *copy = roaring_bitmap_copy(b);
    const roaring_bitmap_t *s = sc_put(c, "x", 1, b, &held);
    ck_assert_ptr_nonnull(s);
    /* Another set evicts it while it is held. */
    ck_assert_ptr_nonnull(sc_put(c, "y", 1, range(1, 5000, 5), &h));
    sc_release(c, h);
    ck_assert_ptr_null(sc_get(c, "x", 1, &h));
    ck_assert(roaring_bitmap_equals(s, copy)); /* still whole */
    sc_release(c, held);                       /* freed now */
    roaring_bitmap_free(copy);
    sc_free(c);
}
END_TEST

START_TEST(the_first_kept_is_shared)
{
    set_cache *c = sc_new(1 << 20);
    sc_entry *h1, *h2;
    roaring_bitmap_t *first = range(0, 10, 1);
    const roaring_bitmap_t *a = sc_put(c, "k", 1, first, &h1);
    const roaring_bitmap_t *b = sc_put(c, "k", 1, range(0, 10, 1), &h2);
    ck_assert_ptr_eq(a, first);
    ck_assert_ptr_eq(b, first); /* the second one was freed */
    ck_assert_ptr_eq(h1, h2);
    sc_release(c, h1);
    sc_release(c, h2);
    sc_stats st;
    sc_get_stats(c, &st);
    ck_assert_uint_eq(st.sets, 1);
    sc_free(c);
}
END_TEST

START_TEST(nothing_is_kept_past_the_budget)
{
    set_cache *none = sc_new(0);
    sc_entry *h = (sc_entry *)1;
    roaring_bitmap_t *b = range(0, 100, 1);
    ck_assert_ptr_null(sc_put(none, "k", 1, b, &h));
    ck_assert_ptr_null(h);
    ck_assert_uint_eq(roaring_bitmap_get_cardinality(b), 100); /* still the caller's */
    roaring_bitmap_free(b);
    sc_free(none);

    set_cache *small = sc_new(cost(100, 1) + 300);
    b = range(0, 100000, 7); /* larger than the whole budget */
    ck_assert_ptr_null(sc_put(small, "big", 3, b, &h));
    roaring_bitmap_free(b);
    sc_stats st;
    sc_get_stats(small, &st);
    ck_assert_uint_eq(st.sets, 0);
    ck_assert_uint_eq(st.bytes, 0);
    sc_free(small);
}
END_TEST

/* Threads keeping and taking sets of a few keys under a budget that holds
 * only some: every set found is the one its key names. */
static set_cache *shared;

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t k = (seed >> 16) % 40;
        char key[8];
        snprintf(key, sizeof key, "k%u", k);
        sc_entry *h;
        const roaring_bitmap_t *s = sc_get(shared, key, strlen(key), &h);
        if (!s)
            s = sc_put(shared, key, strlen(key), range(k, 64, 1), &h);
        if (!s)
            return "not kept";
        if (roaring_bitmap_minimum(s) != k || roaring_bitmap_get_cardinality(s) != 64)
            return "a set under another key";
        sc_release(shared, h);
    }
    return NULL;
}

START_TEST(many_threads_at_once)
{
    shared = sc_new(cost(64, 3) * 10);
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)(i + 1)), 0);
    for (int i = 0; i < 4; i++) {
        void *why = NULL;
        pthread_join(t[i], &why);
        ck_assert_msg(why == NULL, "%s", (const char *)why);
    }
    sc_stats st;
    sc_get_stats(shared, &st);
    ck_assert_uint_lt(st.sets, 40);
    ck_assert_uint_gt(st.hits, 0);
    sc_free(shared);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("set_cache");
    TCase *tc = tcase_create("kept_sets");
    tcase_add_test(tc, finds_what_was_kept_by_key);
    tcase_add_test(tc, the_least_recently_used_go_first);
    tcase_add_test(tc, a_held_set_outlives_its_eviction);
    tcase_add_test(tc, the_first_kept_is_shared);
    tcase_add_test(tc, nothing_is_kept_past_the_budget);
    tcase_add_test(tc, many_threads_at_once);
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
