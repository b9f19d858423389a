/* test_lexicon.c — the background-built snapshots (searchd/lexicon.h): none
 * and no waiting while the index does not exist, the first snapshot waited
 * for, a new revision picked up without blocking readers, an old snapshot
 * held by a reader staying valid after the swap, and a clean stop. */
#include "searchd/lexicon.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/fields.h"

static char tmpdir[256], dbpath[300];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_lexicon.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/db", tmpdir);
}

static void teardown(void)
{
    lexicon_stop();
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Adds a document with name word `word` (and its suggestion slot) and commits. */
static void add_named(const char *word)
{
    xap_err e = {0};
    xap_db *w = xap_db_open_write(dbpath, &e);
    ck_assert_msg(w != NULL, "%s", e.msg);
    xap_doc *d = xap_doc_new();
    char term[128], urn[128], sugg[300];
    snprintf(term, sizeof term, "N%s", word);
    snprintf(urn, sizeof urn, "Qurn:li:tag:%s", word);
    int n = snprintf(sugg, sizeof sugg, "urn:li:tag:%s%c%c%s", word, XAP_MULTI_SEP,
                     XAP_MULTI_SEP, word);
    ck_assert_int_eq(xap_doc_add_term(d, term, strlen(term), 1, &e), 0);
    ck_assert_int_eq(xap_doc_add_boolean_term(d, urn, strlen(urn), &e), 0);
    ck_assert_int_eq(xap_doc_add_value(d, SLOT_SUGGEST, sugg, (size_t)n, &e), 0);
    xap_docid id;
    ck_assert_int_eq(xap_db_replace_by_term(w, urn, strlen(urn), d, &id, &e), 0);
    ck_assert_int_eq(xap_db_commit(w, &e), 0);
    xap_doc_free(d);
    xap_db_close(w);
}

START_TEST(test_no_index)
{
    char err[256];
    ck_assert_int_eq(lexicon_start(dbpath, err, sizeof err), 0);
    ck_assert_ptr_null(lexicon_acquire());
    double t0 = now_ms();
    ck_assert_ptr_null(lexicon_acquire_wait(20000));
    ck_assert_msg(now_ms() - t0 < 5000, "waited %.0f ms for an index that does not exist",
                  now_ms() - t0);
}
END_TEST

START_TEST(test_snapshots)
{
    add_named("customers");
    char err[256];
    ck_assert_int_eq(lexicon_start(dbpath, err, sizeof err), 0);
    ck_assert_int_eq(lexicon_start(dbpath, err, sizeof err), 0); /* a second start: no-op */
    lexicon *a = lexicon_acquire_wait(20000);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(vocab_find(a->vocab, "customers", 9, NULL), 1);
    ck_assert_uint_eq(names_count(a->names), 1);
    uint64_t rev = a->revision;

    /* A new revision: picked up in the background while `a` is held. */
    add_named("orders");
    lexicon_nudge(rev + 1);
    lexicon *b = NULL;
    double t0 = now_ms();
    while (now_ms() - t0 < 20000) {
        double q0 = now_ms();
        b = lexicon_acquire();
        ck_assert_msg(now_ms() - q0 < 100, "acquire blocked");
        if (b && b->revision != rev)
            break;
        lexicon_release(b);
        b = NULL;
        usleep(50 * 1000);
    }
    ck_assert_msg(b != NULL, "the new revision was never built");
    ck_assert_int_eq(vocab_find(b->vocab, "orders", 6, NULL), 1);
    ck_assert_uint_eq(names_count(b->names), 2);
    /* The old snapshot is still whole for its holder. */
    ck_assert_int_eq(vocab_find(a->vocab, "orders", 6, NULL), 0);
    ck_assert_uint_eq(names_count(a->names), 1);
    lexicon_release(a);
    lexicon_stats st;
    lexicon_get_stats(&st);
    ck_assert_uint_ge(st.builds, 2);
    ck_assert_uint_eq(st.revision, b->revision);
    ck_assert_uint_eq(st.words, 2);
    /* Stopping while a reader holds a snapshot: it stays valid until released. */
    lexicon_stop();
    ck_assert_ptr_null(lexicon_acquire());
    ck_assert_int_eq(vocab_find(b->vocab, "customers", 9, NULL), 1);
    lexicon_release(b);
}
END_TEST

static Suite *lexicon_suite(void)
{
    Suite *s = suite_create("lexicon");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_no_index);
    tcase_add_test(tc, test_snapshots);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lexicon_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
