/* test_xap.c — the Xapian shim (xap.h) over real databases in a temporary
 * directory: writing and reading documents, transactions, locking, queries
 * and weighting, facets, priors, term iteration, stemming and errors. */
#include "xapian-shim/xap.h"

#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];
static char dbpath[300];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_xap.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/db", tmpdir);
}

static void teardown(void) { nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

#define OK(call)                                                                          \
    do {                                                                                  \
        xap_err e_ = {0};                                                                 \
        xap_err *err = &e_;                                                               \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == 0, "%s failed: %d %s", #call, rc_, e_.msg);                  \
    } while (0)

static xap_db *open_write(void) {
    xap_err err = {0};
    xap_db *db = xap_db_open_write(dbpath, &err);
    ck_assert_msg(db != NULL, "open_write: %s", err.msg);
    return db;
}

static xap_db *open_read(void) {
    xap_err err = {0};
    xap_db *db = xap_db_open_read(dbpath, &err);
    ck_assert_msg(db != NULL, "open_read: %s", err.msg);
    return db;
}

/* A document with unique id term "Q<id>", text words at positions 1.., and data. */
static xap_doc *make_doc(const char *id, const char *words, const char *data) {
    xap_err e = {0};
    xap_doc *d = xap_doc_new();
    ck_assert_ptr_nonnull(d);
    char q[64];
    snprintf(q, sizeof q, "Q%s", id);
    ck_assert_int_eq(xap_doc_add_boolean_term(d, q, strlen(q), &e), 0);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", words);
    uint32_t pos = 1;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
        ck_assert_int_eq(xap_doc_add_posting(d, w, strlen(w), pos++, 1, &e), 0);
    if (data) ck_assert_int_eq(xap_doc_set_data(d, data, strlen(data), &e), 0);
    return d;
}

static void put(xap_db *db, const char *id, const char *words, const char *data) {
    xap_doc *d = make_doc(id, words, data);
    char q[64];
    snprintf(q, sizeof q, "Q%s", id);
    xap_docid did = 0;
    OK(xap_db_replace_by_term(db, q, strlen(q), d, &did, err));
    ck_assert_uint_gt(did, 0);
    xap_doc_free(d);
}

static xap_docid find(xap_db *db, const char *id) {
    char q[64];
    snprintf(q, sizeof q, "Q%s", id);
    xap_docid did = 0;
    OK(xap_db_find_by_term(db, q, strlen(q), &did, err));
    return did;
}

static xap_query *term(const char *t) {
    xap_err e = {0};
    xap_query *q = xap_query_term(t, strlen(t), 1, &e);
    ck_assert_msg(q != NULL, "%s", e.msg);
    return q;
}

static xap_query *combine2(xap_op op, xap_query *a, xap_query *b) {
    xap_err e = {0};
    xap_query *subs[2] = {a, b};
    xap_query *q = xap_query_combine(op, subs, 2, 0, &e);
    ck_assert_msg(q != NULL, "%s", e.msg);
    xap_query_free(a);
    xap_query_free(b);
    return q;
}

/* Runs q and returns the matching docids in rank order (at most cap). */
static size_t search(xap_db *db, const xap_query *q, xap_docid *ids, size_t cap) {
    xap_err e = {0};
    xap_enquire *en = xap_enquire_new(db, &e);
    ck_assert_msg(en != NULL, "%s", e.msg);
    ck_assert_int_eq(xap_enquire_set_query(en, q, &e), 0);
    xap_mset *m = xap_enquire_get_mset(en, 0, (uint32_t)cap, 0, &e);
    ck_assert_msg(m != NULL, "%s", e.msg);
    size_t n = xap_mset_size(m);
    for (size_t i = 0; i < n; i++) ids[i] = xap_mset_docid(m, i);
    xap_mset_free(m);
    xap_enquire_free(en);
    return n;
}

START_TEST(test_write_read_back) {
    xap_db *w = open_write();
    xap_doc *d = make_doc("a", "hello world", "payload-a");
    char v[18];
    size_t vl = xap_sortable_serialise(42.5, v);
    OK(xap_doc_add_value(d, 3, v, vl, err));
    OK(xap_doc_add_term(d, "Xextra", 6, 2, err));
    xap_docid id = 0;
    OK(xap_db_add_document(w, d, &id, err));
    xap_doc_free(d);
    OK(xap_db_commit(w, err));
    xap_db_close(w);

    xap_db *r = open_read();
    uint32_t count = 0;
    OK(xap_db_doccount(r, &count, err));
    ck_assert_uint_eq(count, 1);
    xap_err e = {0};
    xap_doc *got = xap_db_get_document(r, id, &e);
    ck_assert_msg(got != NULL, "%s", e.msg);
    char *data = NULL;
    size_t len = 0;
    OK(xap_doc_get_data(got, &data, &len, err));
    ck_assert_str_eq(data, "payload-a");
    ck_assert_uint_eq(len, 9);
    free(data);
    char *val = NULL;
    OK(xap_doc_get_value(got, 3, &val, &len, err));
    ck_assert_double_eq(xap_sortable_unserialise(val, len), 42.5);
    free(val);

    /* Terms come back sorted, with their database term frequency. */
    xap_termiter *it = xap_doc_termlist(got, &e);
    ck_assert_ptr_nonnull(it);
    const char *expect[] = {"Qa", "Xextra", "hello", "world"};
    const char *t;
    uint32_t tf;
    size_t i = 0;
    int rc;
    while ((rc = xap_termiter_next(it, &t, &len, &tf, &e)) == 1) {
        ck_assert_uint_lt(i, 4);
        ck_assert_str_eq(t, expect[i]);
        ck_assert_uint_eq(tf, 1);
        i++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(i, 4);
    xap_termiter_free(it);
    xap_doc_free(got);
    xap_db_close(r);
}
END_TEST

START_TEST(test_phrase_positions) {
    xap_db *w = open_write();
    put(w, "a", "data catalog search", NULL);
    put(w, "b", "catalog data search", NULL);
    OK(xap_db_commit(w, err));
    xap_db *r = open_read();
    xap_docid ids[4];
    xap_query *q = combine2(XAP_OP_PHRASE, term("data"), term("catalog"));
    ck_assert_uint_eq(search(r, q, ids, 4), 1);
    ck_assert_uint_eq(ids[0], find(r, "a"));
    xap_query_free(q);
    /* Reversed order finds only the other document. */
    q = combine2(XAP_OP_PHRASE, term("catalog"), term("data"));
    ck_assert_uint_eq(search(r, q, ids, 4), 1);
    ck_assert_uint_eq(ids[0], find(r, "b"));
    xap_query_free(q);
    /* A wider window lets "data" and "search" one word apart match. */
    xap_query *subs[2] = {term("data"), term("search")};
    xap_err e = {0};
    q = xap_query_combine(XAP_OP_PHRASE, subs, 2, 0, &e);
    ck_assert_uint_eq(search(r, q, ids, 4), 1);
    ck_assert_uint_eq(ids[0], find(r, "b"));
    xap_query_free(q);
    q = xap_query_combine(XAP_OP_PHRASE, subs, 2, 3, &e);
    ck_assert_uint_eq(search(r, q, ids, 4), 2);
    xap_query_free(q);
    xap_query_free(subs[0]);
    xap_query_free(subs[1]);
    xap_db_close(r);
    xap_db_close(w);
}
END_TEST

START_TEST(test_errors_returned) {
    xap_err e = {0};
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nope", tmpdir);
    xap_db *db = xap_db_open_read(missing, &e);
    ck_assert_ptr_null(db);
    ck_assert_msg(e.code == XAP_E_OPENING || e.code == XAP_E_NOT_FOUND, "code %d", e.code);
    ck_assert_msg(strstr(e.msg, "Error: ") != NULL, "msg '%s'", e.msg);

    xap_db *w = open_write();
    put(w, "a", "x", NULL);
    OK(xap_db_commit(w, err));
    memset(&e, 0, sizeof e);
    ck_assert_ptr_null(xap_db_get_document(w, 999, &e));
    ck_assert_int_eq(e.code, XAP_E_NOT_FOUND);
    ck_assert_msg(strstr(e.msg, "DocNotFoundError") != NULL, "msg '%s'", e.msg);
    xap_db_close(w);
}
END_TEST

static Suite *xap_suite(void) {
    Suite *s = suite_create("xap");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_read_back);
    tcase_add_test(tc, test_phrase_positions);
    tcase_add_test(tc, test_errors_returned);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(xap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
