/* test_match_eval.c — the in-memory evaluator (searchd/match_eval.h) gives
 * every query tree the match set and the scores Xapian gives its
 * translation (mt_to_xap under coordinate weighting), on a real index with
 * skewed term frequencies, deleted documents and a popularity slot: for
 * seeded random trees of every operator, and for the shapes the planner
 * builds (MAX of scaled synonym groups per field, popularity AND_MAYBE,
 * bonus, filters, removed). Also: top-k is the head of the full ranking,
 * ranking by value, and a MAX over a varying child is refused. */
#include "searchd/match_eval.h"

#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/fields.h"

#define NDOCS 3000
#define NWORDS 40
#define NRARE 8 /* words "Ar00".."Ar07", each in a few percent of the documents */
#define NTREES 400

static char tmpdir[256], dbpath[300];
static xap_db *db;
static docsets *ds;
static uint64_t seed = 12345;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((seed >> 33) % n);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void word(char *out, size_t len, unsigned i)
{
    snprintf(out, len, "Aw%02u", i);
}

/* Document d's docid: the second half of the documents starts a new chunk
 * of 65536 docids, so that sets span two (and bitmaps have two containers). */
static xap_docid docid_of(unsigned d)
{
    return d <= NDOCS / 2 ? d : 65536 + d;
}

/* Word i is in a document with probability 0.9 / (1 + i / 3): a few words
 * are in most documents, most are rare. Every tenth document is deleted
 * (docids with gaps); most have a popularity value; some are removed. */
static void build_index(void)
{
    xap_err e = {0};
    xap_db *w = xap_db_open_write(dbpath, &e);
    ck_assert_msg(w != NULL, "%s", e.msg);
    for (unsigned d = 1; d <= NDOCS; d++) {
        xap_doc *doc = xap_doc_new();
        ck_assert_ptr_nonnull(doc);
        char t[32];
        for (unsigned i = 0; i < NWORDS; i++)
            if (rnd(1000) < (uint32_t)(900.0 / (1.0 + i / 3.0))) {
                word(t, sizeof t, i);
                ck_assert_int_eq(xap_doc_add_term(doc, t, strlen(t), 1 + rnd(3), &e), 0);
            }
        for (unsigned r = 0; r < NRARE; r++) /* in 0.5% to 4% of the documents */
            if (rnd(1000) < 5 + 5 * r) {
                snprintf(t, sizeof t, "Ar%02u", r);
                ck_assert_int_eq(xap_doc_add_term(doc, t, strlen(t), 1, &e), 0);
            }
        if (d <= NDOCS / 2) /* the first chunk's documents only */
            ck_assert_int_eq(xap_doc_add_term(doc, "Ahalf", 5, 1, &e), 0);
        if (rnd(10) < 8) {
            char v[18];
            size_t n = xap_sortable_serialise(rnd(4) ? (double)rnd(5000) : 0.0, v);
            ck_assert_int_eq(xap_doc_add_value(doc, SLOT_POPULARITY, v, n, &e), 0);
        }
        if (rnd(20) == 0)
            ck_assert_int_eq(xap_doc_add_boolean_term(doc, TERM_REMOVED, strlen(TERM_REMOVED), &e),
                             0);
        ck_assert_int_eq(xap_db_replace_document(w, docid_of(d), doc, &e), 0);
        xap_doc_free(doc);
    }
    for (unsigned d = 10; d <= NDOCS; d += 10)
        ck_assert_int_eq(xap_db_delete_document(w, docid_of(d), &e), 0);
    ck_assert_int_eq(xap_db_commit(w, &e), 0);
    xap_db_close(w);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_match_eval.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/db", tmpdir);
    build_index();
    xap_err e = {0};
    db = xap_db_open_read(dbpath, &e);
    ck_assert_msg(db != NULL, "%s", e.msg);
    uint64_t rev = 0;
    ck_assert_int_eq(xap_db_revision(db, &rev, &e), 0);
    ds = docsets_acquire(db, rev, &e);
    ck_assert_msg(ds != NULL, "%s", e.msg);
}

static void teardown(void)
{
    docsets_release(ds);
    xap_db_close(db);
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- random trees ----------------------------------------------------------- */

static mt_node *rand_term(void)
{
    char t[32];
    /* Now and then a word no document has. */
    if (rnd(15) == 0)
        snprintf(t, sizeof t, "Anothere");
    else
        word(t, sizeof t, rnd(NWORDS));
    return mt_term(t, strlen(t));
}

static const double weights[] = {0, 0.5, 1, 2.5, 4, 10};

static mt_node *take2(mt_op op, mt_node *a, mt_node *b)
{
    mt_node *v[2] = {a, b};
    mt_node *r = mt_combine(op, v, 2);
    mt_free(a);
    mt_free(b);
    return r;
}

static mt_node *scaled(mt_node *q, double w)
{
    mt_node *r = mt_scale(q, w);
    mt_free(q);
    return r;
}

static mt_node *rare_term(void)
{
    char t[32];
    snprintf(t, sizeof t, "Ar%02u", rnd(NRARE));
    return mt_term(t, strlen(t));
}

/* One of the `n` commonest words (each in half the documents or more when n <= 6). */
static mt_node *common_term(unsigned n)
{
    char t[32];
    word(t, sizeof t, rnd(n));
    return mt_term(t, strlen(t));
}

/* A constant-weight group: SCALE(SYNONYM(terms) or TERM), of common
 * words only when `common`. */
static mt_node *group_of(int common)
{
    size_t n = 1 + rnd(3);
    mt_node *v[3];
    for (size_t i = 0; i < n; i++)
        v[i] = common ? common_term(6) : rand_term();
    mt_node *g = n == 1 ? mt_ref(v[0]) : mt_combine(MT_SYNONYM, v, n);
    for (size_t i = 0; i < n; i++)
        mt_free(v[i]);
    return scaled(g, weights[1 + rnd(5)]);
}

static mt_node *rand_group(void)
{
    return group_of(0);
}

static mt_node *rand_tree(int depth)
{
    unsigned pick = depth <= 0 ? rnd(3) : rnd(11);
    switch (pick) {
    case 0:
        return rand_term();
    case 1:
        return rand_group();
    case 2:
        return scaled(rand_term(), weights[rnd(6)]);
    case 3:
    case 4: {
        /* MAX over groups: a field's best alternative. */
        size_t n = 1 + rnd(4);
        mt_node *v[4];
        for (size_t i = 0; i < n; i++)
            v[i] = rand_group();
        mt_node *r = mt_combine(MT_MAX, v, n);
        for (size_t i = 0; i < n; i++)
            mt_free(v[i]);
        return r;
    }
    case 5:
    case 6: {
        size_t n = 2 + rnd(3);
        mt_node *v[4];
        for (size_t i = 0; i < n; i++)
            v[i] = rand_tree(depth - 1);
        mt_node *r = mt_combine(rnd(2) ? MT_OR : MT_AND, v, n);
        for (size_t i = 0; i < n; i++)
            mt_free(v[i]);
        return r;
    }
    case 7:
        return take2(MT_AND_MAYBE, rand_tree(depth - 1),
                     rnd(2) ? mt_prior(SLOT_POPULARITY, 0.5 + rnd(3), 1.0 + rnd(4))
                            : rand_tree(depth - 1));
    case 8:
        return take2(MT_FILTER, rand_tree(depth - 1), rand_tree(depth - 1));
    case 9:
        return take2(MT_AND_NOT, rand_tree(depth - 1),
                     rnd(2) ? mt_term(TERM_REMOVED, strlen(TERM_REMOVED)) : rand_term());
    default:
        return scaled(rand_tree(depth - 1), weights[1 + rnd(5)]);
    }
}

/* ---- comparing with Xapian ---------------------------------------------------- */

typedef struct xhit {
    uint32_t id;
    double w;
} xhit;

/* Every match of q by Xapian, with its weight. */
static size_t xapian_all(const mt_node *q, xhit **out)
{
    xap_err e = {0};
    xap_query *xq = mt_to_xap(q, &e);
    ck_assert_msg(xq != NULL, "%s", e.msg);
    xap_enquire *enq = xap_enquire_new(db, &e);
    ck_assert_ptr_nonnull(enq);
    ck_assert_int_eq(xap_enquire_set_coord(enq, &e), 0);
    ck_assert_int_eq(xap_enquire_set_query(enq, xq, &e), 0);
    xap_mset *m = xap_enquire_get_mset(enq, 0, NDOCS, NDOCS, &e);
    ck_assert_msg(m != NULL, "%s", e.msg);
    size_t n = xap_mset_size(m);
    *out = calloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (xhit){xap_mset_docid(m, i), xap_mset_weight(m, i)};
    xap_mset_free(m);
    xap_enquire_free(enq);
    xap_query_free(xq);
    return n;
}

static int close_enough(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1 + fabs(a) + fabs(b));
}

/* Match set and every score equal Xapian's; the top 10 is the head of the
 * full ranking and agrees with Xapian's scores. */
static void check_tree(const mt_node *q, const char *what)
{
    xhit *x = NULL;
    size_t nx = xapian_all(q, &x);
    me_ctx c;
    me_init(&c, ds, db);
    xap_err e = {0};
    const roaring_bitmap_t *m = me_match(&c, q, &e);
    ck_assert_msg(m != NULL, "%s: %s", what, e.msg);
    ck_assert_msg(roaring_bitmap_get_cardinality(m) == nx, "%s: %llu matches, Xapian %zu", what,
                  (unsigned long long)roaring_bitmap_get_cardinality(m), nx);
    for (size_t i = 0; i < nx; i++)
        ck_assert_msg(roaring_bitmap_contains(m, x[i].id), "%s: doc %u missing", what, x[i].id);
    me_hit *all = NULL, *top = NULL;
    size_t na = 0, nt = 0;
    ck_assert_int_eq(me_top(&c, q, m, NDOCS, &all, &na, &e), 0);
    ck_assert_int_eq(me_top(&c, q, m, 10, &top, &nt, &e), 0);
    ck_assert_uint_eq(na, nx);
    ck_assert_uint_eq(nt, nx < 10 ? nx : 10);
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nx && x[j].id != all[i].docid)
            j++;
        ck_assert_msg(j < nx, "%s: ranked doc %u not matched by Xapian", what, all[i].docid);
        ck_assert_msg(close_enough(all[i].score, x[j].w), "%s: doc %u scores %.12g, Xapian %.12g",
                      what, all[i].docid, all[i].score, x[j].w);
        if (i > 0) /* score descending, then docid ascending */
            ck_assert_msg(all[i - 1].score > all[i].score ||
                              (close_enough(all[i - 1].score, all[i].score) &&
                               all[i - 1].docid < all[i].docid),
                          "%s: ranking out of order at %zu", what, i);
    }
    for (size_t i = 0; i < nt; i++)
        ck_assert_uint_eq(top[i].docid, all[i].docid);
    free(all);
    free(top);
    free(x);
    me_free(&c);
}

/* check_tree on q, named "<what> <i>", then frees q. */
static void check_and_free(mt_node *q, const char *what, int i)
{
    char name[64];
    ck_assert_ptr_nonnull(q);
    snprintf(name, sizeof name, "%s %d", what, i);
    check_tree(q, name);
    mt_free(q);
}

START_TEST(random_trees_agree_with_xapian)
{
    for (int i = 0; i < NTREES; i++) {
        mt_node *q = rand_tree(3);
        ck_assert_ptr_nonnull(q);
        char what[32];
        snprintf(what, sizeof what, "tree %d", i);
        check_tree(q, what);
        mt_free(q);
    }
}
END_TEST

/* The planner's shape: per word, OR over fields of MAX over weighted
 * groups; words ANDed; popularity prior; the exact bonus as
 * AND_MAYBE(OR(scored, bonus × 0), bonus); filtered, removed excluded. */
static mt_node *planner_tree(int common)
{
    size_t nw = 1 + rnd(3);
    mt_node *words[3];
    for (size_t w = 0; w < nw; w++) {
        size_t nf = 1 + rnd(4);
        mt_node *fields[4];
        for (size_t f = 0; f < nf; f++) {
            size_t ng = 1 + rnd(3);
            mt_node *g[3];
            for (size_t k = 0; k < ng; k++)
                g[k] = group_of(common);
            fields[f] = mt_combine(MT_MAX, g, ng);
            for (size_t k = 0; k < ng; k++)
                mt_free(g[k]);
        }
        words[w] = mt_combine(MT_OR, fields, nf);
        for (size_t f = 0; f < nf; f++)
            mt_free(fields[f]);
    }
    mt_node *text = mt_combine(MT_AND, words, nw);
    for (size_t w = 0; w < nw; w++)
        mt_free(words[w]);
    mt_node *scored = take2(MT_AND_MAYBE, text, mt_prior(SLOT_POPULARITY, 0.5, 2.0));
    mt_node *b[2] = {scaled(common ? rare_term() : rand_term(), 50),
                     scaled(common ? rare_term() : rand_term(), 25)};
    mt_node *bonus = mt_combine(MT_MAX, b, 2);
    mt_free(b[0]);
    mt_free(b[1]);
    mt_node *q = take2(MT_AND_MAYBE, take2(MT_OR, scored, mt_scale(bonus, 0)), bonus);
    if (rnd(2))
        q = take2(MT_FILTER, q, rand_term());
    return take2(MT_AND_NOT, q, mt_term(TERM_REMOVED, strlen(TERM_REMOVED)));
}

START_TEST(planner_shapes_agree_with_xapian)
{
    for (int i = 0; i < 60; i++) {
        mt_node *q = planner_tree(0);
        char what[32];
        snprintf(what, sizeof what, "plan %d", i);
        check_tree(q, what);
        mt_free(q);
    }
}
END_TEST

/* Sets kept between searches (set_cache.h): the same trees again, built
 * anew (other nodes, the same terms), match and rank as Xapian does from
 * the kept unions; the kept sets were used. */
START_TEST(kept_sets_answer_as_built_ones)
{
    sc_stats before, after;
    sc_get_stats(docsets_sets(ds), &before);
    uint64_t start = seed;
    for (int pass = 0; pass < 2; pass++) {
        seed = start;
        for (int i = 0; i < 40; i++) {
            char what[32];
            snprintf(what, sizeof what, "pass %d plan %d", pass, i);
            mt_node *q = planner_tree(0);
            check_tree(q, what);
            mt_free(q);
        }
        if (pass == 0)
            sc_get_stats(docsets_sets(ds), &after);
    }
    sc_stats second;
    sc_get_stats(docsets_sets(ds), &second);
    ck_assert_uint_gt(after.sets, before.sets);
    /* The second pass found what the first kept. */
    ck_assert_uint_gt(second.hits - after.hits, after.hits - before.hits);
}
END_TEST

/* The walk in prior order alone (no MaxScore before it, no classes after)
 * ranks as Xapian does wherever it applies, with and without selective
 * documents (rare words). Planner shapes over common words, where it
 * applies most, and random trees. */
START_TEST(walk_agrees_with_xapian)
{
    me_stats before, after;
    me_get_stats(&before);
    me_set_rankings(ME_RANK_WALK);
    for (int i = 0; i < 120; i++)
        check_and_free(i % 3 ? planner_tree(1) : rand_tree(3), "walk", i);
    me_set_rankings(ME_RANK_ALL);
    me_get_stats(&after);
    ck_assert_msg(after.walk - before.walk >= 10, "the walk ranked %llu trees of 120",
                  (unsigned long long)(after.walk - before.walk));
}
END_TEST

/* A walk scored in batches from its first document (batches of 1, 2,
 * 4, ... scored as sets) ranks as Xapian does: a common word or a rarer
 * one under the prior (the best ten come from the batches), two heavy
 * words (batches, then pruning), planner shapes and random trees. */
static mt_node *common_words_tree(unsigned a)
{
    char t[32];
    word(t, sizeof t, a);
    mt_node *common = scaled(mt_term(t, strlen(t)), 1);
    word(t, sizeof t, a + 10);
    mt_node *rarer = scaled(mt_term(t, strlen(t)), 1 + a % 4);
    mt_node *v[2] = {common, rarer};
    /* Priors from weak to strong: walks of many batches and of few. */
    mt_node *q = take2(MT_AND_MAYBE, mt_combine(MT_OR, v, 2),
                       mt_prior(SLOT_POPULARITY, 0.5 + 0.5 * a, 2 + a));
    mt_free(common);
    mt_free(rarer);
    return q;
}

static mt_node *heavy_words_tree(unsigned a)
{
    char t[32];
    word(t, sizeof t, 0);
    mt_node *base = scaled(mt_term(t, strlen(t)), 1);
    word(t, sizeof t, a);
    mt_node *heavy = scaled(mt_term(t, strlen(t)), 10);
    word(t, sizeof t, a + 5);
    mt_node *other = scaled(mt_term(t, strlen(t)), 6);
    mt_node *v[3] = {base, heavy, other};
    mt_node *q = take2(MT_AND_MAYBE, mt_combine(MT_OR, v, 3), mt_prior(SLOT_POPULARITY, 0.5, 2));
    for (int i = 0; i < 3; i++)
        mt_free(v[i]);
    return q;
}

START_TEST(walk_in_batches_agrees_with_xapian)
{
    me_stats before, after;
    me_get_stats(&before);
    me_set_rankings(ME_RANK_WALK);
    me_set_walk_alone(0);
    for (unsigned a = 0; a < 10; a++)
        check_and_free(common_words_tree(a), "common words in batches", (int)a);
    for (unsigned a = 20; a < 30; a++)
        check_and_free(heavy_words_tree(a), "heavy words in batches", (int)a);
    for (int i = 0; i < 120; i++)
        check_and_free(i % 3 ? planner_tree(1) : rand_tree(3), "walk in batches", i);
    me_set_walk_alone(ME_WALK_ALONE);
    me_set_rankings(ME_RANK_ALL);
    me_get_stats(&after);
    ck_assert_msg(after.walk_batches - before.walk_batches >= 50,
                  "the walks scored %llu batches",
                  (unsigned long long)(after.walk_batches - before.walk_batches));
}
END_TEST

/* MaxScore that gives up after ranking its seed hands the seed, scored,
 * to the walk, which neither scores nor walks those documents again: the
 * two together rank as Xapian does. */
/* Four words each in a sixth of the documents or so, and a common one:
 * MaxScore's seed (one word) is small, but no word's bound is below the
 * k-th best, so widening passes its limit and MaxScore gives up. */
static mt_node *several_words_tree(unsigned a)
{
    mt_node *v[5];
    char t[32];
    for (unsigned i = 0; i < 4; i++) {
        word(t, sizeof t, a + i);
        v[i] = scaled(mt_term(t, strlen(t)), 3);
    }
    word(t, sizeof t, 0);
    v[4] = scaled(mt_term(t, strlen(t)), 1);
    mt_node *q = take2(MT_AND_MAYBE, mt_combine(MT_OR, v, 5), mt_prior(SLOT_POPULARITY, 0.5, 2));
    for (int i = 0; i < 5; i++)
        mt_free(v[i]);
    return q;
}

START_TEST(walk_after_maxscore_agrees_with_xapian)
{
    me_stats before, after;
    me_get_stats(&before);
    me_set_rankings(ME_RANK_MAXSCORE | ME_RANK_WALK);
    for (unsigned a = 0; a < 10; a++)
        check_and_free(common_words_tree(a), "common words after MaxScore", (int)a);
    for (unsigned a = 20; a < 30; a++)
        check_and_free(heavy_words_tree(a), "heavy words after MaxScore", (int)a);
    for (unsigned a = 8; a < 30; a++)
        check_and_free(several_words_tree(a), "several words after MaxScore", (int)a);
    for (int i = 0; i < 120; i++)
        check_and_free(i % 3 ? planner_tree(1) : rand_tree(3), "walk after MaxScore", i);
    me_set_rankings(ME_RANK_ALL);
    me_get_stats(&after);
    ck_assert_msg(after.walk_seeded - before.walk_seeded >= 10,
                  "%llu walks began from MaxScore's seed",
                  (unsigned long long)(after.walk_seeded - before.walk_seeded));
}
END_TEST

/* A walk that cannot stop early (two heavy words, each in a tenth of the
 * documents, rarely together: the bound is their sum) ends by setting
 * them aside and scoring their documents, and still ranks as Xapian does. */
START_TEST(walk_ended_by_pruning_agrees_with_xapian)
{
    me_stats before, after;
    me_get_stats(&before);
    me_set_rankings(ME_RANK_WALK);
    for (unsigned a = 20; a < 30; a++)
        check_and_free(heavy_words_tree(a), "heavy words", (int)a);
    me_set_rankings(ME_RANK_ALL);
    me_get_stats(&after);
    ck_assert_msg(after.walk_pruned > before.walk_pruned,
                  "no walk was ended by setting broad leaves aside");
}
END_TEST

/* Scoring chunk by chunk on bitsets (forced here for every set, however
 * sparse) gives the scores scoring bitmap by bitmap does, under every
 * ranking: random trees, the planner's shapes, the prior set aside. */
START_TEST(chunked_scoring_agrees_with_xapian)
{
    static const unsigned masks[] = {ME_RANK_ALL, ME_RANK_WALK, ME_RANK_CLASSES, 0};
    me_stats before, after;
    me_get_stats(&before);
    me_set_chunk_min(0);
    for (size_t m = 0; m < sizeof masks / sizeof *masks; m++) {
        me_set_rankings(masks[m]);
        for (int i = 0; i < 40; i++)
            check_and_free(i % 2 ? planner_tree(i % 4 == 1) : rand_tree(3), "chunked", i);
        /* The prior under a light word of the first chunk only: the
         * second chunk's documents never reach it (credited, they would
         * rank among the first chunk's). */
        char t[32];
        word(t, sizeof t, 0);
        mt_node *common = scaled(mt_term(t, strlen(t)), 4);
        mt_node *half = take2(MT_AND_MAYBE, scaled(mt_term("Ahalf", 5), 1e-4),
                              mt_prior(SLOT_POPULARITY, 0.5, 100));
        check_and_free(take2(MT_OR, common, half), "prior in one chunk", (int)m);
    }
    me_set_rankings(ME_RANK_ALL);
    me_set_chunk_min(ME_CHUNK_MIN);
    me_get_stats(&after);
    ck_assert_msg(after.chunked - before.chunked >= 100, "only %llu sets were scored by chunks",
                  (unsigned long long)(after.chunked - before.chunked));
}
END_TEST

/* Every pruned ranking ran in the checks above (and agreed with scoring
 * every match): the trees are such that they apply. */
START_TEST(pruned_rankings_were_exercised)
{
    me_stats before, after;
    me_get_stats(&before);
    for (int i = 0; i < 60; i++) {
        mt_node *q = rand_tree(3);
        check_tree(q, "tree");
        mt_free(q);
    }
    /* The planner's shape with a selective bonus: MaxScore applies. */
    char t[32];
    word(t, sizeof t, NWORDS - 1); /* the rarest word */
    mt_node *rare = mt_term(t, strlen(t));
    word(t, sizeof t, 0);          /* the commonest */
    mt_node *common = mt_term(t, strlen(t));
    mt_node *bonus = scaled(rare, 50);
    mt_node *text = take2(MT_AND_MAYBE, scaled(common, 4), mt_prior(SLOT_POPULARITY, 0.5, 2));
    mt_node *q = take2(MT_AND_MAYBE, take2(MT_OR, text, mt_scale(bonus, 0)), mt_ref(bonus));
    check_tree(q, "selective bonus");
    mt_free(q);
    /* A broad word and the prior alone: most matches score the word's
     * weight, and the walk in prior order finds the best of them. */
    mt_node *broad = mt_term(t, strlen(t));
    q = take2(MT_AND_MAYBE, scaled(broad, 4), mt_prior(SLOT_POPULARITY, 0.5, 2));
    check_tree(q, "broad word");
    mt_free(q);
    /* Two broad alternatives no document matches both ways: the walk's
     * bound (4 + 4) is twice any text score, it never stops early, and
     * ranking by classes takes over. */
    word(t, sizeof t, 0);
    mt_node *first = mt_term(t, strlen(t));
    word(t, sizeof t, 1);
    mt_node *other = mt_term(t, strlen(t));
    mt_node *either[2] = {take2(MT_AND_NOT, scaled(first, 4), mt_ref(other)),
                          scaled(mt_ref(other), 4)};
    q = take2(MT_AND_MAYBE, mt_combine(MT_OR, either, 2), mt_prior(SLOT_POPULARITY, 0.5, 2));
    mt_free(either[0]);
    mt_free(either[1]);
    check_tree(q, "exclusive alternatives");
    mt_free(q);
    mt_free(other);
    mt_free(bonus);
    me_get_stats(&after);
    ck_assert_msg(after.maxscore > before.maxscore, "MaxScore never applied");
    ck_assert_msg(after.walk > before.walk, "the walk in prior order never applied");
    ck_assert_msg(after.classes > before.classes, "ranking by classes never applied");
    ck_assert_msg(after.scored_all > before.scored_all, "scoring every match never applied");
}
END_TEST

START_TEST(ranks_by_value_highest_first)
{
    me_ctx c;
    me_init(&c, ds, db);
    xap_err e = {0};
    mt_node *all = mt_all();
    const roaring_bitmap_t *m = me_match(&c, all, &e);
    ck_assert_ptr_nonnull(m);
    /* Every document that is not deleted. */
    ck_assert_uint_eq(roaring_bitmap_get_cardinality(m), NDOCS - NDOCS / 10);
    me_hit *top = NULL;
    size_t n = 0;
    ck_assert_int_eq(me_top_by_value(&c, m, SLOT_POPULARITY, 50, &top, &n, &e), 0);
    ck_assert_uint_eq(n, 50);
    for (size_t i = 0; i < n; i++) {
        xap_doc *d = xap_db_get_document(db, top[i].docid, &e);
        ck_assert_ptr_nonnull(d);
        char *v = NULL;
        size_t len = 0;
        double val = 0;
        if (xap_doc_get_value(d, SLOT_POPULARITY, &v, &len, &e) == 0 && len > 0)
            val = xap_sortable_unserialise(v, len);
        free(v);
        xap_doc_free(d);
        ck_assert_msg(val == top[i].score, "doc %u value %g, ranked with %g", top[i].docid, val,
                      top[i].score);
        if (i > 0)
            ck_assert(top[i - 1].score > top[i].score ||
                      (top[i - 1].score == top[i].score && top[i - 1].docid < top[i].docid));
    }
    free(top);
    mt_free(all);
    me_free(&c);
}
END_TEST

START_TEST(max_over_varying_child_is_refused)
{
    mt_node *v[2] = {mt_prior(SLOT_POPULARITY, 1, 5), rand_group()};
    mt_node *q = mt_combine(MT_MAX, v, 2);
    me_ctx c;
    me_init(&c, ds, db);
    xap_err e = {0};
    const roaring_bitmap_t *m = me_match(&c, q, &e);
    ck_assert_ptr_nonnull(m);
    me_hit *top = NULL;
    size_t n = 0;
    ck_assert_int_eq(me_top(&c, q, m, 10, &top, &n, &e), -1);
    ck_assert_int_eq(e.code, XAP_E_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "MAX"));
    free(top);
    me_free(&c);
    mt_free(v[0]);
    mt_free(v[1]);
    mt_free(q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("match_eval");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_trees_agree_with_xapian);
    tcase_add_test(tc, planner_shapes_agree_with_xapian);
    tcase_add_test(tc, kept_sets_answer_as_built_ones);
    tcase_add_test(tc, walk_agrees_with_xapian);
    tcase_add_test(tc, walk_in_batches_agrees_with_xapian);
    tcase_add_test(tc, walk_after_maxscore_agrees_with_xapian);
    tcase_add_test(tc, walk_ended_by_pruning_agrees_with_xapian);
    tcase_add_test(tc, pruned_rankings_were_exercised);
    tcase_add_test(tc, chunked_scoring_agrees_with_xapian);
    tcase_add_test(tc, ranks_by_value_highest_first);
    tcase_add_test(tc, max_over_varying_child_is_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
