/* test_docsets.c — per-revision document sets (searchd/docsets.h) and facet
 * counts over them (facets_count): term bitmaps equal Xapian's posting
 * lists, one docsets per revision shared by threads, a commit giving a new
 * docsets while a held old one stays whole, bitmaps past the budget going to
 * the caller's scratch, facet values equal to the filter terms, counts equal
 * to brute force and to the match spies' JSON, the value arrays, and the
 * background prebuild. The index is a real Xapian database written here. */
#include "searchd/bitmap_and.h"
#include "searchd/bitmap_count.h"
#include "searchd/docsets.h"

#include <check.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "searchd/facets.h"

#define NDOCS 2000
#define NOWNERS 120
#define NTAGS 6

static char tmpdir[256], dbpath[300];
static uint64_t rng;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static unsigned next_rand(unsigned n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng >> 33) % n);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_docsets.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/db", tmpdir);
    rng = 42;
}

static void teardown(void)
{
    docsets_stop();
    docsets_set_budget(DOCSETS_BUDGET_BYTES);
    docsets_set_prebuild_min_freq(DOCSETS_PREBUILD_MIN_FREQ);
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Adds one filter term per value and the values joined in the facet slot,
 * as the document builder does. */
static void add_facet(xap_doc *d, const field_def *f, char vals[][64], size_t n)
{
    xap_err e = {0};
    char slot[2048];
    size_t sl = 0;
    for (size_t i = 0; i < n; i++) {
        char term[128];
        int tl = snprintf(term, sizeof term, "%s:%s", f->filter_prefix, vals[i]);
        ck_assert_int_eq(xap_doc_add_boolean_term(d, term, (size_t)tl, &e), 0);
        if (i)
            slot[sl++] = XAP_MULTI_SEP;
        memcpy(slot + sl, vals[i], strlen(vals[i]));
        sl += strlen(vals[i]);
    }
    if (n)
        ck_assert_int_eq(xap_doc_add_value(d, (unsigned)f->slot, slot, sl, &e), 0);
}

/* Document k: words "Nw<j>" for a few j (word j in about 1/(j+1) of the
 * documents), 0-3 owners out of NOWNERS (skewed), 0-2 tags, a platform,
 * and a popularity (absent from every seventh document). */
static void write_doc(xap_db *w, unsigned k)
{
    xap_err e = {0};
    xap_doc *d = xap_doc_new();
    char term[128];
    int tl = snprintf(term, sizeof term, "Qurn:li:dataset:%u", k);
    ck_assert_int_eq(xap_doc_add_boolean_term(d, term, (size_t)tl, &e), 0);
    for (unsigned j = 0; j < 12; j++)
        if (next_rand(j + 1) == 0) {
            tl = snprintf(term, sizeof term, "Nw%u", j);
            ck_assert_int_eq(xap_doc_add_term(d, term, (size_t)tl, 1, &e), 0);
        }
    char vals[4][64];
    size_t n = next_rand(4);
    unsigned used[4];
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned o = next_rand(next_rand(2) ? 8 : NOWNERS);
        int dup = 0;
        for (size_t j = 0; j < nv; j++)
            dup |= used[j] == o;
        if (!dup) {
            used[nv] = o;
            snprintf(vals[nv++], 64, "urn:li:corpuser:u%03u", o);
        }
    }
    add_facet(d, &FIELDS[F_OWNERS], vals, nv);
    n = next_rand(3);
    nv = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned t = next_rand(NTAGS);
        int dup = 0;
        for (size_t j = 0; j < nv; j++)
            dup |= used[j] == t;
        if (!dup) {
            used[nv] = t;
            snprintf(vals[nv++], 64, "urn:li:tag:t%u", t);
        }
    }
    add_facet(d, &FIELDS[F_TAGS], vals, nv);
    snprintf(vals[0], 64, "%s", (const char *[]){"hive", "kafka", "snowflake"}[next_rand(3)]);
    add_facet(d, &FIELDS[F_PLATFORM], vals, 1);
    if (k % 7 != 3) {
        char v[18];
        size_t vl = xap_sortable_serialise((double)next_rand(100000) / 10.0, v);
        ck_assert_int_eq(xap_doc_add_value(d, SLOT_POPULARITY, v, vl, &e), 0);
    }
    ck_assert_int_eq(xap_db_add_document(w, d, NULL, &e), 0);
    xap_doc_free(d);
}

static void make_index(unsigned ndocs)
{
    xap_err e = {0};
    xap_db *w = xap_db_open_write(dbpath, &e);
    ck_assert_msg(w != NULL, "%s", e.msg);
    for (unsigned k = 0; k < ndocs; k++)
        write_doc(w, k);
    ck_assert_int_eq(xap_db_commit(w, &e), 0);
    xap_db_close(w);
}

static xap_db *open_at(uint64_t *rev)
{
    xap_err e = {0};
    xap_db *db = xap_db_open_read(dbpath, &e);
    ck_assert_msg(db != NULL, "%s", e.msg);
    ck_assert_int_eq(xap_db_revision(db, rev, &e), 0);
    return db;
}

/* The posting list of `term`, one document at a time, as a bitmap. */
static roaring_bitmap_t *postlist(xap_db *db, const char *term)
{
    xap_err e = {0};
    roaring_bitmap_t *bm = roaring_bitmap_create();
    xap_postiter *it = xap_db_postlist(db, term, strlen(term), &e);
    ck_assert_ptr_nonnull(it);
    xap_docid id;
    int rc;
    while ((rc = xap_postiter_next(it, &id, NULL, &e)) == 1)
        roaring_bitmap_add(bm, id);
    ck_assert_int_eq(rc, 0);
    xap_postiter_free(it);
    return bm;
}

static const roaring_bitmap_t *term(docsets *ds, xap_db *db, const char *t, ds_scratch *s)
{
    xap_err e = {0};
    const roaring_bitmap_t *bm = docsets_term(ds, db, t, strlen(t), s, &e);
    ck_assert_msg(bm != NULL, "%s: %s", t, e.msg);
    return bm;
}

static const char *const TERMS[] = {"Nw0", "Nw1", "Nw3", "Nw11", "XT:urn:li:tag:t2",
                                    "XO:urn:li:corpuser:u001", "Nabsent", "Qurn:li:dataset:7"};
#define NTERMS (sizeof TERMS / sizeof *TERMS)

START_TEST(test_term_bitmaps)
{
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets *ds = docsets_acquire(db, rev, &e);
    ck_assert_msg(ds != NULL, "%s", e.msg);
    ck_assert_uint_eq(docsets_revision(ds), rev);
    ck_assert_uint_eq(docsets_lastdocid(ds), NDOCS);
    ds_scratch s = {0};
    for (size_t i = 0; i < NTERMS; i++) {
        roaring_bitmap_t *want = postlist(db, TERMS[i]);
        const roaring_bitmap_t *got = term(ds, db, TERMS[i], &s);
        ck_assert_msg(roaring_bitmap_equals(got, want), "%s: %llu docs, want %llu", TERMS[i],
                      (unsigned long long)roaring_bitmap_get_cardinality(got),
                      (unsigned long long)roaring_bitmap_get_cardinality(want));
        /* The second ask is the cached bitmap itself. */
        ck_assert_ptr_eq(term(ds, db, TERMS[i], &s), got);
        roaring_bitmap_free(want);
    }
    ck_assert_uint_eq(roaring_bitmap_get_cardinality(term(ds, db, "Nabsent", &s)), 0);
    /* The empty term: every document. */
    ck_assert_uint_eq(roaring_bitmap_get_cardinality(term(ds, db, "", &s)), NDOCS);
    ck_assert_uint_gt(roaring_bitmap_get_cardinality(term(ds, db, "Nw0", &s)), NDOCS - 1);
    ck_assert_uint_eq(s.n, 0); /* all within the budget */

    /* The shim's bulk read, on its own: ascending, equal to the postings. */
    uint32_t *ids;
    size_t n;
    ck_assert_int_eq(xap_db_postlist_docids(db, "Nw3", 3, &ids, &n, &e), 0);
    roaring_bitmap_t *want = postlist(db, "Nw3");
    ck_assert_uint_eq(n, roaring_bitmap_get_cardinality(want));
    for (size_t i = 0; i < n; i++) {
        ck_assert(roaring_bitmap_contains(want, ids[i]));
        ck_assert(i == 0 || ids[i] > ids[i - 1]);
    }
    free(ids);
    roaring_bitmap_free(want);
    ck_assert_int_eq(xap_db_postlist_docids(db, "Nabsent", 7, &ids, &n, &e), 0);
    ck_assert_uint_eq(n, 0);
    free(ids);

    docsets_stats st;
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.revision, rev);
    ck_assert_uint_eq(st.terms, NTERMS + 1);
    ck_assert_uint_eq(st.misses, NTERMS + 1);
    ck_assert_uint_gt(st.bytes, 0);
    ds_scratch_free(&s);
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

typedef struct thread_arg {
    docsets *ds;
    const roaring_bitmap_t *bm;
    uint64_t rev;
} thread_arg;

static void *acquire_in_thread(void *p)
{
    thread_arg *a = p;
    xap_err e = {0};
    xap_db *db = xap_db_open_read(dbpath, &e);
    if (!db || xap_db_revision(db, &a->rev, &e) != 0)
        return NULL;
    a->ds = docsets_acquire(db, a->rev, &e);
    if (a->ds)
        a->bm = docsets_term(a->ds, db, "Nw2", 3, NULL, &e);
    xap_db_close(db);
    return NULL;
}

START_TEST(test_shared_by_threads)
{
    make_index(300);
    thread_arg a[2] = {{0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, acquire_in_thread, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ck_assert_ptr_nonnull(a[0].ds);
    ck_assert_uint_eq(a[0].rev, a[1].rev);
    ck_assert_ptr_eq(a[0].ds, a[1].ds);
    ck_assert_ptr_nonnull(a[0].bm);
    ck_assert_ptr_eq(a[0].bm, a[1].bm);
    docsets_stats st;
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.terms, 1);
    docsets_release(a[0].ds);
    docsets_release(a[1].ds);
}
END_TEST

START_TEST(test_new_revision)
{
    make_index(300);
    uint64_t r1;
    xap_db *db = open_at(&r1);
    xap_err e = {0};
    docsets *old = docsets_acquire(db, r1, &e);
    ck_assert_ptr_nonnull(old);
    const roaring_bitmap_t *old_w5 = term(old, db, "Nw5", NULL);
    roaring_bitmap_t *before = roaring_bitmap_copy(old_w5);
    const double *old_pop = docsets_values(old, db, SLOT_POPULARITY, &e);
    ck_assert_ptr_nonnull(old_pop);
    double pop10 = old_pop[10];

    /* Commit: one new document holding Nw5, document 10 deleted. Then
     * again, twice, so the old handle's revision is gone from disk. */
    for (int round = 0; round < 3; round++) {
        xap_db *w = xap_db_open_write(dbpath, &e);
        ck_assert_ptr_nonnull(w);
        xap_doc *d = xap_doc_new();
        ck_assert_int_eq(xap_doc_add_term(d, "Nw5", 3, 1, &e), 0);
        ck_assert_int_eq(xap_db_add_document(w, d, NULL, &e), 0);
        xap_doc_free(d);
        if (round == 0)
            ck_assert_int_eq(xap_db_delete_document(w, 10, &e), 0);
        ck_assert_int_eq(xap_db_commit(w, &e), 0);
        xap_db_close(w);
    }
    int changed;
    ck_assert_int_eq(xap_db_reopen(db, &changed, &e), 0);
    uint64_t r2;
    ck_assert_int_eq(xap_db_revision(db, &r2, &e), 0);
    ck_assert_uint_ne(r1, r2);

    /* A handle at the new revision may not fill the old docsets, nor make
     * one for a revision it is not at. */
    ck_assert_ptr_null(docsets_term(old, db, "Nw6", 3, NULL, &e));
    ck_assert_int_eq(e.code, XAP_E_MODIFIED);
    ck_assert_ptr_null(docsets_acquire(db, r1 + 100, &e));
    ck_assert_int_eq(e.code, XAP_E_MODIFIED);

    docsets *cur = docsets_acquire(db, r2, &e);
    ck_assert_ptr_nonnull(cur);
    ck_assert_ptr_ne(cur, old);
    ck_assert_uint_eq(docsets_lastdocid(cur), 303);
    roaring_bitmap_t *want = postlist(db, "Nw5");
    const roaring_bitmap_t *now = term(cur, db, "Nw5", NULL);
    ck_assert(roaring_bitmap_equals(now, want));
    ck_assert(roaring_bitmap_contains(now, 301));
    ck_assert(!roaring_bitmap_contains(now, 10));
    ck_assert_uint_eq(docsets_values(cur, db, SLOT_POPULARITY, &e)[10], 0);
    roaring_bitmap_free(want);

    /* The newest is the registry's; the old one stays whole for its holder. */
    docsets_stats st;
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.revision, r2);
    ck_assert(roaring_bitmap_equals(old_w5, before));
    ck_assert(!roaring_bitmap_contains(old_w5, 301));
    ck_assert(old_pop[10] == pop10);
    ck_assert_uint_eq(docsets_lastdocid(old), 300);
    docsets_release(old);
    roaring_bitmap_free(before);
    /* Acquired again, the old revision is a new docsets (the last holder
     * freed the first): with a handle at r2 it cannot be made. */
    ck_assert_ptr_null(docsets_acquire(db, r1, &e));
    ck_assert_int_eq(e.code, XAP_E_MODIFIED);
    docsets_release(cur);
    xap_db_close(db);
}
END_TEST

START_TEST(test_budget)
{
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets_set_budget(1); /* nothing fits */
    docsets *ds = docsets_acquire(db, rev, &e);
    ck_assert_ptr_nonnull(ds);
    ds_scratch s = {0};
    for (size_t i = 0; i < NTERMS; i++) {
        roaring_bitmap_t *want = postlist(db, TERMS[i]);
        const roaring_bitmap_t *got = term(ds, db, TERMS[i], &s);
        ck_assert(roaring_bitmap_equals(got, want));
        ck_assert_uint_eq(s.n, i + 1);
        ck_assert_ptr_eq(s.own[i], got);
        roaring_bitmap_free(want);
    }
    /* Without a scratch, a bitmap past the budget is an error, not a leak. */
    ck_assert_ptr_null(docsets_term(ds, db, "Nw0", 3, NULL, &e));
    docsets_stats st;
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.terms, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ds_scratch_free(&s);
    ck_assert_uint_eq(s.n, 0);

    /* A budget of 4000 bytes: a word held by 1/12 of the documents fits,
     * one held by all 2000 (4000 bytes of docids alone) does not. */
    docsets_set_budget(4000);
    const roaring_bitmap_t *small = term(ds, db, "Nw11", &s);
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.terms, 1);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_ptr_eq(term(ds, db, "Nw11", &s), small);
    const roaring_bitmap_t *big = term(ds, db, "Nw0", &s);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_ptr_eq(s.own[0], big);
    ck_assert_uint_eq(roaring_bitmap_get_cardinality(big), NDOCS);
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.terms, 1);
    ck_assert_uint_le(st.bytes, 4000);
    ds_scratch_free(&s);
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

/* Every term of `prefix`: its body (after the prefix) in order. */
static size_t list_terms(xap_db *db, const char *prefix, char bodies[][64], size_t cap)
{
    xap_err e = {0};
    xap_termiter *it = xap_db_allterms(db, prefix, strlen(prefix), &e);
    ck_assert_ptr_nonnull(it);
    const char *t;
    size_t len, n = 0;
    while (xap_termiter_next(it, &t, &len, NULL, &e) == 1) {
        ck_assert_uint_lt(n, cap);
        snprintf(bodies[n++], 64, "%.*s", (int)(len - strlen(prefix)), t + strlen(prefix));
    }
    xap_termiter_free(it);
    return n;
}

START_TEST(test_facet_values)
{
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets *ds = docsets_acquire(db, rev, &e);
    static char want[NOWNERS + 8][64];
    const field_def *fields[] = {&FIELDS[F_OWNERS], &FIELDS[F_TAGS], &FIELDS[F_PLATFORM],
                                 &FIELDS[F_DOMAINS]};
    for (size_t k = 0; k < 4; k++) {
        const field_def *f = fields[k];
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%s:", f->filter_prefix);
        size_t nw = list_terms(db, prefix, want, NOWNERS + 8);
        const ds_value *v;
        size_t n;
        ck_assert_int_eq(docsets_facet(ds, db, f, &v, &n, &e), 0);
        ck_assert_uint_eq(n, nw);
        ck_assert(k == 3 || n > 2); /* domains: none in this index */
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_eq(v[i].len, strlen(want[i]));
            ck_assert_mem_eq(v[i].value, want[i], v[i].len);
            char t[128];
            snprintf(t, sizeof t, "%s%.63s", prefix, want[i]);
            roaring_bitmap_t *p = postlist(db, t);
            ck_assert(roaring_bitmap_equals(v[i].docs, p));
            ck_assert_uint_eq(v[i].ndocs, roaring_bitmap_get_cardinality(p));
            /* The same bitmap a query asking for the filter term gets. */
            ck_assert_ptr_eq(term(ds, db, t, NULL), v[i].docs);
            roaring_bitmap_free(p);
        }
        const ds_value *again;
        ck_assert_int_eq(docsets_facet(ds, db, f, &again, &n, &e), 0);
        ck_assert_ptr_eq(again, v); /* listed once */

        /* Per document: exactly the values whose bitmaps hold it. */
        const uint32_t *off, *ids;
        ck_assert_int_eq(docsets_facet_docs(ds, db, f, &off, &ids, &e), 0);
        ck_assert_uint_eq(off[0], 0);
        for (uint32_t d = 0; d <= docsets_lastdocid(ds); d++) {
            uint32_t j = off[d];
            for (size_t i = 0; i < n; i++)
                if (roaring_bitmap_contains(v[i].docs, d)) {
                    ck_assert_uint_lt(j, off[d + 1]);
                    ck_assert_uint_eq(ids[j++], i);
                }
            ck_assert_uint_eq(j, off[d + 1]);
        }
    }
    const ds_value *v;
    size_t n;
    ck_assert_int_eq(docsets_facet(ds, db, &FIELDS[F_NAME], &v, &n, &e), -1); /* no filter */
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

/* The counts of `f`'s values among `match`, read from each document's
 * facet slot, in the spies' order. */
typedef struct bf_count {
    char value[64];
    uint32_t count;
} bf_count;

static int bf_order(const void *a, const void *b)
{
    const bf_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static size_t brute_force(xap_db *db, const field_def *f, const roaring_bitmap_t *match,
                          bf_count *out, size_t cap)
{
    xap_err e = {0};
    size_t n = 0;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(match, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
        xap_doc *d = xap_db_get_document(db, it.current_value, &e);
        ck_assert_ptr_nonnull(d);
        char *val;
        size_t len;
        ck_assert_int_eq(xap_doc_get_value(d, (unsigned)f->slot, &val, &len, &e), 0);
        for (char *p = val, *end = val + len; p < end;) {
            char *sep = memchr(p, XAP_MULTI_SEP, (size_t)(end - p));
            size_t pl = (size_t)((sep ? sep : end) - p);
            size_t i = 0;
            while (i < n && !(strlen(out[i].value) == pl && memcmp(out[i].value, p, pl) == 0))
                i++;
            if (i == n) {
                ck_assert_uint_lt(n, cap);
                snprintf(out[n].value, 64, "%.*s", (int)pl, p);
                out[n++].count = 0;
            }
            out[i].count++;
            p += pl + 1;
        }
        free(val);
        xap_doc_free(d);
    }
    qsort(out, n, sizeof *out, bf_order);
    return n;
}

/* bm_and_cardinality counts what CRoaring counts, for every pair of chunk
 * kinds: bitsets (dense chunks), arrays (sparse ones), runs, absent. */
START_TEST(test_and_cardinality)
{
    roaring_bitmap_t *v[4];
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(v[i] = roaring_bitmap_create());
    for (uint32_t d = 0; d < 5 * 65536; d++) {
        if (d % 3 == 0 || (d >> 16) == 4) /* dense chunks */
            roaring_bitmap_add(v[0], d);
        if (next_rand(2) == 0) /* dense, random */
            roaring_bitmap_add(v[1], d);
        if (next_rand(100) == 0 && (d >> 16) != 2) /* sparse, one chunk absent */
            roaring_bitmap_add(v[2], d);
    }
    roaring_bitmap_add_range(v[3], 70000, 200000); /* runs after optimizing */
    roaring_bitmap_run_optimize(v[3]);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            ck_assert_uint_eq(bm_and_cardinality(v[i], v[j]),
                              roaring_bitmap_and_cardinality(v[i], v[j]));
    for (int i = 0; i < 4; i++)
        roaring_bitmap_free(v[i]);
}
END_TEST

/* bm_and gives CRoaring's intersection (and bm_and_cardinality its size)
 * for every pair of chunk kinds:
 * arrays of every size from empty to 4096 (tails shorter than the eight
 * values compared at once, equal and skewed sizes, dense and sparse
 * overlaps, the values 0 and 65535), bitsets, runs, absent chunks. */
START_TEST(test_bm_and)
{
    enum { NB = 12 };
    for (int round = 0; round < 40; round++) {
        roaring_bitmap_t *v[NB];
        for (int i = 0; i < NB; i++) {
            ck_assert_ptr_nonnull(v[i] = roaring_bitmap_create());
            /* Chunk by chunk: how many values, and from how wide a range. */
            for (uint32_t chunk = 0; chunk < 4; chunk++) {
                if (next_rand(5) == 0)
                    continue; /* absent */
                uint32_t kind = next_rand(6), base = chunk << 16;
                uint32_t n = kind == 0   ? next_rand(9)
                             : kind == 1 ? next_rand(64)
                             : kind == 2 ? next_rand(4096)
                                         : 64 + next_rand(2000);
                uint32_t span = kind == 3 ? 4096 : kind == 4 ? 256 : 65536;
                for (uint32_t k = 0; k < n; k++)
                    roaring_bitmap_add(v[i], base + next_rand(span));
                if (kind == 5 && next_rand(2)) /* a dense chunk: a bitset */
                    for (uint32_t d = 0; d < 65536; d += 1 + next_rand(4))
                        roaring_bitmap_add(v[i], base + d);
                if (next_rand(4) == 0) { /* the ends of the chunk */
                    roaring_bitmap_add(v[i], base);
                    roaring_bitmap_add(v[i], base + 65535);
                }
            }
            if (i % 4 == 3) {
                roaring_bitmap_add_range(v[i], 70000, 70000 + next_rand(3000));
                roaring_bitmap_run_optimize(v[i]);
            }
        }
        for (int i = 0; i < NB; i++)
            for (int j = 0; j < NB; j++) {
                ck_assert_uint_eq(bm_and_cardinality(v[i], v[j]),
                                  roaring_bitmap_and_cardinality(v[i], v[j]));
                roaring_bitmap_t *want = roaring_bitmap_and(v[i], v[j]);
                roaring_bitmap_t *got = bm_and(v[i], v[j]);
                ck_assert_ptr_nonnull(got);
                ck_assert_msg(roaring_bitmap_equals(got, want),
                              "round %d, bitmaps %d and %d: %llu documents, CRoaring %llu", round,
                              i, j, (unsigned long long)roaring_bitmap_get_cardinality(got),
                              (unsigned long long)roaring_bitmap_get_cardinality(want));
                roaring_bitmap_free(got);
                roaring_bitmap_free(want);
            }
        for (int i = 0; i < NB; i++)
            roaring_bitmap_free(v[i]);
    }
}
END_TEST

START_TEST(test_facets_count)
{
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets *ds = docsets_acquire(db, rev, &e);
    facet_req fr = {.fields = {&FIELDS[F_OWNERS], &FIELDS[F_TAGS], &FIELDS[F_PLATFORM]},
                    .n = 3};
    static bf_count want[NOWNERS + 8];
    /* Match sets from one document to all, counted the way estimated
     * cheaper (sparse ones per document, dense ones per value), always
     * per document and always per value: all must agree with brute
     * force. */
    const char *words[] = {"Qurn:li:dataset:7", "Nw9", "Nw3", "Nw1", "Nw0", "Nabsent"};
    enum { NWORDS = sizeof words / sizeof *words };
    const roaring_bitmap_t *matches[NWORDS + 1];
    const char *names[NWORDS + 1];
    for (size_t m = 0; m < NWORDS; m++) {
        matches[m] = term(ds, db, words[m], NULL);
        names[m] = words[m];
    }
    /* Three quarters of the documents, the rest spread among them. */
    roaring_bitmap_t *most = roaring_bitmap_andnot(term(ds, db, "Nw0", NULL),
                                                   term(ds, db, "Nw3", NULL));
    ck_assert_uint_gt(roaring_bitmap_get_cardinality(most) * 2, NDOCS);
    ck_assert_uint_lt(roaring_bitmap_get_cardinality(most), NDOCS);
    matches[NWORDS] = most;
    names[NWORDS] = "Nw0 but not Nw3";
    size_t limits[] = {1, 5, 1000};
    int modes[] = {FACETS_BY_COST, FACETS_BY_DOCUMENT, FACETS_BY_VALUE};
    for (size_t mode = 0; mode < 3; mode++) {
        facets_set_counting(modes[mode]);
        for (size_t m = 0; m <= NWORDS; m++) {
            const roaring_bitmap_t *match = matches[m];
            for (size_t l = 0; l < 3; l++) {
                fr.max_values = limits[l];
                facet_run run;
                memset(&run, 0, sizeof run);
                ck_assert_msg(facets_count(&fr, ds, db, match, &run, &e) == 0, "%s", e.msg);
                ck_assert_uint_eq(run.counted, fr.n);
                for (size_t i = 0; i < fr.n; i++) {
                    size_t nw = brute_force(db, fr.fields[i], match, want, NOWNERS + 8);
                    size_t keep = nw < fr.max_values ? nw : fr.max_values;
                    ck_assert_msg(run.ncounts[i] == keep, "%s/%s (mode %d): %zu values, want %zu",
                                  names[m], fr.fields[i]->name, modes[mode], run.ncounts[i], keep);
                    for (size_t k = 0; k < keep; k++) {
                        ck_assert_str_eq(run.counts[i][k].value, want[k].value);
                        ck_assert_msg(run.counts[i][k].count == want[k].count,
                                      "%s/%s (mode %d): %s counted %u, want %u", names[m],
                                      fr.fields[i]->name, modes[mode], want[k].value,
                                      (unsigned)run.counts[i][k].count, (unsigned)want[k].count);
                    }
                }
                facets_run_free(&run);
            }
        }
    }
    facets_set_counting(FACETS_BY_COST);
    roaring_bitmap_free(most);
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

/* facets_count gives the counts of the shim's match spies (the path
 * searches took before document sets) for the same match, in the same
 * order. */
START_TEST(test_facets_json_same)
{
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets *ds = docsets_acquire(db, rev, &e);
    facet_req fr = {.fields = {&FIELDS[F_PLATFORM], &FIELDS[F_OWNERS], &FIELDS[F_TAGS],
                               &FIELDS[F_DOMAINS]},
                    .n = 4,
                    .max_values = 7};
    const char *words[] = {"Nw0", "Nw2", "Nw10"};
    for (size_t w = 0; w < 3; w++) {
        xap_query *q = xap_query_term(words[w], strlen(words[w]), 1, &e);
        xap_enquire *en = xap_enquire_new(db, &e);
        ck_assert_int_eq(xap_enquire_set_query(en, q, &e), 0);
        xap_facetspy *spies[4];
        for (size_t f = 0; f < fr.n; f++) {
            spies[f] = xap_facetspy_new((unsigned)fr.fields[f]->slot, &e);
            ck_assert_ptr_nonnull(spies[f]);
            ck_assert_int_eq(xap_enquire_add_facetspy(en, spies[f], &e), 0);
        }
        xap_mset *m = xap_enquire_get_mset(en, 0, 10, NDOCS + 10, &e);
        ck_assert_ptr_nonnull(m);
        facet_run counted;
        memset(&counted, 0, sizeof counted);
        ck_assert_int_eq(facets_count(&fr, ds, db, term(ds, db, words[w], NULL), &counted, &e),
                         0);
        int urn_seen = 0;
        for (size_t f = 0; f < fr.n; f++) {
            xap_facet_count *c = NULL;
            size_t n = 0;
            ck_assert_int_eq(xap_facetspy_counts(spies[f], fr.max_values, &c, &n, &e), 0);
            ck_assert_uint_eq(counted.ncounts[f], n);
            for (size_t k = 0; k < n; k++) {
                ck_assert_uint_eq(counted.counts[f][k].len, c[k].len);
                ck_assert_int_eq(memcmp(counted.counts[f][k].value, c[k].value, c[k].len), 0);
                ck_assert_uint_eq(counted.counts[f][k].count, c[k].count);
                urn_seen |= strncmp(c[k].value, "urn:li:corpuser:", 16) == 0;
            }
            xap_facet_counts_free(c, n);
            xap_facetspy_free(spies[f]);
        }
        ck_assert(urn_seen);
        facets_run_free(&counted);
        xap_mset_free(m);
        xap_enquire_free(en);
        xap_query_free(q);
    }
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

START_TEST(test_values)
{
    make_index(300);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    xap_err e = {0};
    docsets *ds = docsets_acquire(db, rev, &e);
    const double *v = docsets_values(ds, db, SLOT_POPULARITY, &e);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_eq(docsets_values(ds, db, SLOT_POPULARITY, &e), v);
    ck_assert(v[0] == 0);
    size_t nonzero = 0;
    for (xap_docid id = 1; id <= 300; id++) {
        xap_doc *d = xap_db_get_document(db, id, &e);
        ck_assert_ptr_nonnull(d);
        char *val;
        size_t len;
        ck_assert_int_eq(xap_doc_get_value(d, SLOT_POPULARITY, &val, &len, &e), 0);
        double want = len ? xap_sortable_unserialise(val, len) : 0;
        ck_assert_msg(v[id] == want, "doc %u: %g, want %g", id, v[id], want);
        ck_assert(len > 0 || (id - 1) % 7 == 3);
        nonzero += v[id] != 0;
        free(val);
        xap_doc_free(d);
    }
    ck_assert_uint_gt(nonzero, 200);
    docsets_release(ds);
    xap_db_close(db);
}
END_TEST

static int wait_prebuilt(uint64_t rev, docsets_stats *st)
{
    for (int i = 0; i < 400; i++) {
        docsets_get_stats(st);
        if (st->revision == rev && st->prebuild_ms > 0)
            return 1;
        usleep(50 * 1000);
    }
    return 0;
}

START_TEST(test_prebuild)
{
    char err[256];
    ck_assert_int_eq(docsets_start(dbpath, err, sizeof err), 0); /* no index yet */
    ck_assert_int_eq(docsets_start(dbpath, err, sizeof err), 0); /* a second start: no-op */
    docsets_set_prebuild_min_freq(500);
    make_index(NDOCS);
    uint64_t rev;
    xap_db *db = open_at(&rev);
    docsets_stats st;
    ck_assert_msg(wait_prebuilt(rev, &st), "revision %llu never prebuilt",
                  (unsigned long long)rev);
    /* Every term held by >= 500 documents, then every facet field's values. */
    xap_err e = {0};
    xap_termiter *it = xap_db_allterms(db, "", 0, &e);
    const char *t;
    size_t len;
    uint32_t freq, broad = 0, facet_terms = 0;
    while (xap_termiter_next(it, &t, &len, &freq, &e) == 1) {
        broad += freq >= 500;
        facet_terms += freq < 500 && t[0] == 'X' && len > 3 && t[2] == ':';
    }
    xap_termiter_free(it);
    ck_assert_uint_ge(broad, 5);
    ck_assert_uint_eq(st.prebuilt, broad + facet_terms);
    ck_assert_uint_eq(st.terms, broad + facet_terms);
    ck_assert_uint_eq(st.misses, 0);
    docsets *ds = docsets_acquire(db, rev, &e);
    term(ds, db, "Nw0", NULL);
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.misses, 0); /* prebuilt: no query builds it */
    docsets_release(ds);

    /* A commit: the newer revision is prebuilt in turn. */
    xap_db *w = xap_db_open_write(dbpath, &e);
    write_doc(w, NDOCS);
    ck_assert_int_eq(xap_db_commit(w, &e), 0);
    xap_db_close(w);
    int changed;
    ck_assert_int_eq(xap_db_reopen(db, &changed, &e), 0);
    uint64_t r2;
    xap_db_revision(db, &r2, &e);
    ck_assert_msg(wait_prebuilt(r2, &st), "revision %llu never prebuilt",
                  (unsigned long long)r2);
    ck_assert_uint_ge(st.prebuilt, broad);
    docsets_stop();
    docsets_get_stats(&st);
    ck_assert_uint_eq(st.revision, 0);
    xap_db_close(db);
}
END_TEST

static Suite *docsets_suite(void)
{
    Suite *s = suite_create("docsets");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_term_bitmaps);
    tcase_add_test(tc, test_shared_by_threads);
    tcase_add_test(tc, test_new_revision);
    tcase_add_test(tc, test_budget);
    tcase_add_test(tc, test_facet_values);
    tcase_add_test(tc, test_and_cardinality);
    tcase_add_test(tc, test_bm_and);
    tcase_add_test(tc, test_facets_count);
    tcase_add_test(tc, test_facets_json_same);
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_prebuild);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(docsets_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
