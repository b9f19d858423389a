/* test_names.c — the autocomplete index (searchd/names.h) over a real Xapian
 * index written with doc_build: word-by-word prefix matching in any order,
 * ranking by match quality then popularity, typo on the last word, type
 * filter, removed entities left out, owners/tags/terms as suggestions (with
 * and without entities of their own), highlighting, limits, wide prefixes,
 * and a cross-check against a naive scan over random catalogs. */
#include "searchd/names.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/docbuild.h"

static char tmpdir[256];
static an_analyzer *an;
static an_terms scratch;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_names.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char err[256];
    an = an_new(err, sizeof err);
    ck_assert_msg(an != NULL, "%s", err);
    an_terms_init(&scratch);
}

static void teardown(void)
{
    an_terms_free(&scratch);
    an_free(an);
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- a catalog ---------------------------------------------------------------- */

typedef struct ent {
    const char *type;     /* "dataset", "dashboard", "tag", ... */
    const char *name;     /* display name (datasets: the table, URN name db.NAME) */
    double usage;         /* queries over 30 days */
    const char *extra;    /* more aspects (JSON members), may be NULL */
} ent;

static char *state_json(const ent *e)
{
    char *s = NULL;
    const char *extra = e->extra ? e->extra : "";
    const char *comma = e->extra ? "," : "";
    int n;
    if (strcmp(e->type, "dataset") == 0)
        n = asprintf(&s,
                     "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,db.%s,PROD)\","
                     "\"type\":\"dataset\",\"aspects\":{\"datasetProperties\":{\"name\":\"%s\"},"
                     "\"usageFeatures\":{\"queryCountLast30Days\":%g}%s%s}}",
                     e->name, e->name, e->usage, comma, extra);
    else if (strcmp(e->type, "dashboard") == 0)
        n = asprintf(&s,
                     "{\"urn\":\"urn:li:dashboard:(looker,%s)\",\"type\":\"dashboard\","
                     "\"aspects\":{\"dashboardInfo\":{\"title\":\"%s\"},"
                     "\"usageFeatures\":{\"viewCountLast30Days\":%g}%s%s}}",
                     e->name, e->name, e->usage, comma, extra);
    else
        n = asprintf(&s, "{\"urn\":\"urn:li:%s:%s\",\"type\":\"%s\",\"aspects\":{%s}}", e->type,
                     e->name, e->type, extra);
    ck_assert_int_gt(n, 0);
    return s;
}

static void write_index(const char *path, const ent *ents, size_t n)
{
    xap_err xe = {0};
    xap_db *db = xap_db_open_write(path, &xe);
    ck_assert_msg(db != NULL, "%s", xe.msg);
    ck_assert_int_eq(xap_db_begin_transaction(db, 1, &xe), 0);
    for (size_t i = 0; i < n; i++) {
        char *js = state_json(&ents[i]);
        json_error_t je;
        json_t *st = json_loads(js, 0, &je);
        ck_assert_msg(st != NULL, "bad JSON %s: %s", js, je.text);
        xap_doc *d = xap_doc_new();
        char err[256];
        ck_assert_msg(doc_build(an, st, NULL, NULL, d, err, sizeof err) == 0, "%s", err);
        char id[300];
        int idlen = doc_id_term(json_string_value(json_object_get(st, "urn")), id, sizeof id);
        ck_assert_int_gt(idlen, 0);
        xap_docid did;
        ck_assert_int_eq(xap_db_replace_by_term(db, id, (size_t)idlen, d, &did, &xe), 0);
        xap_doc_free(d);
        json_decref(st);
        free(js);
    }
    ck_assert_int_eq(xap_db_commit_transaction(db, &xe), 0);
    xap_db_close(db);
}

static names *build(const ent *ents, size_t n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/db", tmpdir);
    write_index(path, ents, n);
    xap_err xe = {0};
    xap_db *db = xap_db_open_read(path, &xe);
    ck_assert_msg(db != NULL, "%s", xe.msg);
    char err[256] = "";
    names *nm = names_build(db, an, err, sizeof err);
    ck_assert_msg(nm != NULL, "names_build: %s", err);
    xap_db_close(db);
    return nm;
}

static names_result res;

static size_t search(const names *nm, const char *q, const char *type, size_t limit)
{
    char err[256] = "";
    names_status st = names_search(nm, an, &scratch, q, strlen(q), type, limit, &res, err,
                                   sizeof err);
    ck_assert_msg(st == NAMES_OK, "'%s': %s", q, err);
    return res.n;
}

/* names_find_compact gives the exact (and with `starts` the starting)
 * compact-name hits of names_search for q, in its order, and no others. */
static void check_compact(const names *nm, const char *q, const char *type, size_t limit)
{
    static names_result all, some;
    char err[256] = "";
    ck_assert_int_eq(names_search(nm, an, &scratch, q, strlen(q), type, limit, &all, err,
                                  sizeof err),
                     NAMES_OK);
    for (int starts = 0; starts < 2; starts++) {
        ck_assert_int_eq(names_find_compact(nm, an, &scratch, q, strlen(q), type, limit, starts,
                                            &some, err, sizeof err),
                         NAMES_OK);
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (all.hits[i].quality != NAMES_Q_EXACT &&
                !(starts && all.hits[i].quality == NAMES_Q_START))
                continue;
            ck_assert_msg(k < some.n && strcmp(some.hits[k].text, all.hits[i].text) == 0 &&
                              some.hits[k].quality == all.hits[i].quality,
                          "'%s' (starts %d) #%zu: %s, names_search %s", q, starts, k,
                          k < some.n ? some.hits[k].text : "nothing", all.hits[i].text);
            k++;
        }
        ck_assert_msg(some.n == k, "'%s' (starts %d): %zu hits, names_search %zu", q, starts,
                      some.n, k);
    }
}

static int hit_index(const char *text)
{
    for (size_t i = 0; i < res.n; i++)
        if (strcmp(res.hits[i].text, text) == 0)
            return (int)i;
    return -1;
}

#define TAGS(t) "\"globalTags\":{\"tags\":[{\"tag\":\"" t "\"}]}"
#define OWNER(o) "\"ownership\":{\"owners\":[{\"owner\":\"" o "\",\"type\":\"DATAOWNER\"}]}"
#define TERM(t) "\"glossaryTerms\":{\"terms\":[{\"urn\":\"" t "\"}]}"

static const ent CATALOG[] = {
    {"dataset", "customer_orders", 100, TAGS("urn:li:tag:pii")},
    {"dataset", "customers", 500, OWNER("urn:li:corpuser:jdoe")},
    {"dataset", "customer_orders_daily", 10, TAGS("urn:li:tag:pii")},
    {"dataset", "orders", 50, NULL},
    {"dataset", "fact_customer_orders", 1000, TERM("urn:li:glossaryTerm:Classification.Sensitive")},
    {"dataset", "order_items", 200, TAGS("urn:li:tag:Legacy")},
    {"dashboard", "Customer Overview", 300, NULL},
    {"dataset", "customer_secrets", 5000, "\"status\":{\"removed\":true}"},
    {"dataset", "Fish & <Chips>", 1, NULL},
    {"tag", "Legacy", 0, "\"tagProperties\":{\"name\":\"Legacy\"}"},
};
#define NCATALOG (sizeof CATALOG / sizeof CATALOG[0])

START_TEST(test_prefix_and_ranking)
{
    names *nm = build(CATALOG, NCATALOG);
    ck_assert_uint_gt(names_memory(nm), 0);
    /* "cust": names starting with it first (by popularity), then names with
     * a word starting with it. The removed entity never shows. */
    size_t n = search(nm, "cust", NULL, 10);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(res.hits[0].text, "customers");
    ck_assert_str_eq(res.hits[1].text, "Customer Overview");
    ck_assert_str_eq(res.hits[2].text, "customer_orders");
    ck_assert_str_eq(res.hits[3].text, "customer_orders_daily");
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(res.hits[i].quality, NAMES_Q_START);
    ck_assert_str_eq(res.hits[4].text, "fact_customer_orders");
    ck_assert_int_eq(res.hits[4].quality, NAMES_Q_WORDS);
    ck_assert_int_lt(hit_index("customer_secrets"), 0);
    ck_assert(res.hits[0].score > res.hits[4].score);
    /* Record fields. */
    ck_assert_str_eq(res.hits[2].urn,
                     "urn:li:dataset:(urn:li:dataPlatform:hive,db.customer_orders,PROD)");
    ck_assert_str_eq(res.hits[2].type, "dataset");
    ck_assert_str_eq(res.hits[2].platform, "hive");
    ck_assert_str_eq(res.hits[2].path, "db");
    ck_assert_int_eq(res.hits[2].kind, NAMES_ENTITY);
    ck_assert_str_eq(res.hits[1].type, "dashboard");
    /* Words in any order; every word a prefix. */
    n = search(nm, "ord cust", NULL, 10);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(res.hits[0].text, "fact_customer_orders");
    ck_assert_str_eq(res.hits[1].text, "customer_orders");
    ck_assert_str_eq(res.hits[2].text, "customer_orders_daily");
    /* The exact name first, however unpopular. */
    n = search(nm, "Orders", NULL, 10);
    ck_assert_uint_ge(n, 4);
    ck_assert_str_eq(res.hits[0].text, "orders");
    ck_assert_int_eq(res.hits[0].quality, NAMES_Q_EXACT);
    ck_assert_str_eq(res.hits[1].text, "fact_customer_orders");
    ck_assert_int_eq(res.hits[1].quality, NAMES_Q_WORDS);
    names_free(nm);
}
END_TEST

START_TEST(test_typo_type_limit)
{
    names *nm = build(CATALOG, NCATALOG);
    /* A typo in the last word (4+ letters) still finds customer names. */
    size_t n = search(nm, "custmer", NULL, 10);
    ck_assert_uint_ge(n, 4);
    ck_assert_int_ge(hit_index("customer_orders"), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(res.hits[i].quality, NAMES_Q_TYPO);
    n = search(nm, "ordrs cust", NULL, 10);
    ck_assert_uint_eq(n, 0); /* only the last word may have a typo */
    n = search(nm, "cust ordrs", NULL, 10);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(res.hits[0].quality, NAMES_Q_TYPO);
    /* Three letters: no typo. */
    ck_assert_uint_eq(search(nm, "cus", NULL, 10) > 0, 1);
    ck_assert_uint_eq(search(nm, "cxs", NULL, 10), 0);
    /* Type filter. */
    n = search(nm, "cust", "dashboard", 10);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(res.hits[0].text, "Customer Overview");
    ck_assert_uint_eq(search(nm, "cust", "chart", 10), 0);
    n = search(nm, "cust", "dataset", 10);
    ck_assert_uint_eq(n, 4);
    /* Limit bounds. */
    ck_assert_uint_eq(search(nm, "cust", NULL, 2), 2);
    ck_assert_str_eq(res.hits[1].text, "Customer Overview");
    char err[128];
    ck_assert_int_eq(names_search(nm, an, &scratch, "c", 1, NULL, 0, &res, err, sizeof err),
                     NAMES_BAD_QUERY);
    ck_assert_int_eq(names_search(nm, an, &scratch, "c", 1, NULL, NAMES_LIMIT_MAX + 1, &res,
                                  err, sizeof err),
                     NAMES_BAD_QUERY);
    ck_assert_uint_eq(search(nm, "", NULL, 5), 0);
    ck_assert_uint_eq(search(nm, "  -- ", NULL, 5), 0);
    names_free(nm);
}
END_TEST

START_TEST(test_owners_tags_terms)
{
    names *nm = build(CATALOG, NCATALOG);
    /* A tag with no entity of its own is suggested by its label. */
    size_t n = search(nm, "pii", NULL, 10);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(res.hits[0].text, "pii");
    ck_assert_int_eq(res.hits[0].kind, NAMES_TAG);
    ck_assert_str_eq(res.hits[0].urn, "urn:li:tag:pii");
    ck_assert(res.hits[0].popularity == 2); /* carried by two datasets */
    n = search(nm, "jdo", NULL, 10);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(res.hits[0].kind, NAMES_OWNER);
    ck_assert_str_eq(res.hits[0].type, "corpuser");
    n = search(nm, "sensit", NULL, 10);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(res.hits[0].kind, NAMES_TERM);
    ck_assert_str_eq(res.hits[0].text, "Sensitive");
    ck_assert_str_eq(res.hits[0].path, "Classification");
    /* A tag entity appears once, with its uses as popularity. */
    n = search(nm, "legacy", NULL, 10);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(res.hits[0].kind, NAMES_TAG);
    ck_assert(res.hits[0].popularity == 1);
    ck_assert_str_eq(names_kind_name(NAMES_TERM), "glossaryTerm");
    names_free(nm);
}
END_TEST

static char *hl(const names *nm, const char *q, const char *text)
{
    search(nm, q, NULL, NAMES_LIMIT_MAX);
    int i = hit_index(text);
    ck_assert_msg(i >= 0, "'%s' does not find '%s'", q, text);
    char *h = names_highlight(nm, &res, (size_t)i, an, &scratch);
    ck_assert_ptr_nonnull(h);
    return h;
}

START_TEST(test_highlight)
{
    names *nm = build(CATALOG, NCATALOG);
    char *h = hl(nm, "ord cust", "customer_orders");
    ck_assert_str_eq(h, "<mark>cust</mark>omer_<mark>ord</mark>ers");
    free(h);
    h = hl(nm, "customer", "Customer Overview");
    ck_assert_str_eq(h, "<mark>Customer</mark> Overview");
    free(h);
    h = hl(nm, "customerord", "customer_orders_daily");
    ck_assert_str_eq(h, "<mark>customer</mark>_<mark>ord</mark>ers_daily");
    free(h);
    h = hl(nm, "fish", "Fish & <Chips>");
    ck_assert_str_eq(h, "<mark>Fish</mark> &amp; &lt;Chips&gt;");
    free(h);
    h = hl(nm, "custmer", "customer_orders");
    ck_assert_str_eq(h, "<mark>custome</mark>r_orders");
    free(h);
    names_free(nm);
}
END_TEST

/* ---- cross-check against a naive scan ------------------------------------------- */

static const char *const PARTS[] = {"cust", "customer", "order", "orders", "item",   "sale",
                                    "sales", "fact", "dim",     "daily", "account", "acct",
                                    "ship",  "shipment", "v2", "tmp"};
#define NPARTS (sizeof PARTS / sizeof PARTS[0])

typedef struct naive {
    char name[128];
    char key[128];
    char words[16][64];
    int nwords;
    double pop;
    const char *type;
} naive;

static void compact_of(const char *s, char *out)
{
    size_t len;
    char *norm = an_normalize(an, s, strlen(s), &len);
    ck_assert_ptr_nonnull(norm);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)norm[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
    }
    out[o] = '\0';
    free(norm);
}

static int naive_class(const naive *e, const char *q, char (*qw)[64], int nq)
{
    char cq[256];
    compact_of(q, cq);
    if (!*cq)
        return -1;
    if (strcmp(e->key, cq) == 0)
        return 0;
    if (strncmp(e->key, cq, strlen(cq)) == 0)
        return 1;
    for (int i = 0; i < nq; i++) {
        int ok = 0;
        for (int w = 0; w < e->nwords && !ok; w++)
            ok = strncmp(e->words[w], qw[i], strlen(qw[i])) == 0;
        if (!ok)
            return -1;
    }
    return nq > 0 ? 2 : -1;
}

static naive *g_naive;
static int naive_cmp(const void *a, const void *b)
{
    const int *x = a, *y = b;
    if (x[1] != y[1])
        return x[1] - y[1];
    const naive *p = &g_naive[x[0]], *q = &g_naive[y[0]];
    if (p->pop != q->pop)
        return p->pop > q->pop ? -1 : 1;
    return strcmp(p->name, q->name);
}

START_TEST(test_cross_check)
{
    enum { N = 2500, Q = 300 };
    ent *ents = calloc(N, sizeof *ents);
    naive *nv = calloc(N, sizeof *nv);
    ck_assert_ptr_nonnull(ents);
    ck_assert_ptr_nonnull(nv);
    srand(4242);
    for (int i = 0; i < N; i++) {
        int parts = 1 + rand() % 3;
        char *p = nv[i].name;
        p[0] = '\0';
        for (int k = 0; k < parts; k++) {
            if (k)
                strcat(p, rand() % 2 ? "_" : "");
            strcat(p, PARTS[rand() % NPARTS]);
        }
        char num[16];
        snprintf(num, sizeof num, "_%d", i); /* unique names and URNs */
        strcat(p, num);
        nv[i].pop = (double)(rand() % 100000);
        nv[i].type = i % 10 == 0 ? "dashboard" : "dataset";
        ents[i] = (ent){nv[i].type, nv[i].name, nv[i].pop, NULL};
        compact_of(p, nv[i].key);
        an_terms_clear(&scratch);
        ck_assert_int_ge(an_analyze(an, p, strlen(p), 0, &scratch), 0);
        for (size_t t = 0; t < scratch.n && nv[i].nwords < 16; t++)
            snprintf(nv[i].words[nv[i].nwords++], 64, "%s", scratch.v[t].text);
    }
    names *nm = build(ents, N);
    ck_assert_uint_eq(names_count(nm), N);
    int(*order)[2] = malloc(N * sizeof *order);
    ck_assert_ptr_nonnull(order);
    g_naive = nv;
    for (int qi = 0; qi < Q; qi++) {
        char q[128] = "";
        int words = 1 + rand() % 2;
        for (int k = 0; k < words; k++) {
            const char *part = PARTS[rand() % NPARTS];
            size_t plen = 1 + (size_t)rand() % strlen(part);
            if (k)
                strcat(q, " ");
            strncat(q, part, plen);
        }
        const char *type = qi % 7 == 0 ? "dashboard" : NULL;
        size_t limit = 1 + (size_t)rand() % NAMES_LIMIT_MAX;
        char qw[8][64];
        int nq = 0;
        an_terms_clear(&scratch);
        ck_assert_int_ge(an_analyze(an, q, strlen(q), 0, &scratch), 0);
        for (size_t t = 0; t < scratch.n; t++)
            if (scratch.v[t].kind == AN_PART)
                snprintf(qw[nq++], 64, "%s", scratch.v[t].text);
        int m = 0;
        for (int i = 0; i < N; i++) {
            if (type && strcmp(nv[i].type, type) != 0)
                continue;
            int c = naive_class(&nv[i], q, qw, nq);
            if (c >= 0) {
                order[m][0] = i;
                order[m][1] = c;
                m++;
            }
        }
        qsort(order, (size_t)m, sizeof *order, naive_cmp);
        size_t n = search(nm, q, type, limit);
        size_t want = (size_t)m < limit ? (size_t)m : limit;
        /* Typo matches may fill what exact ones leave. */
        size_t exact = 0;
        while (exact < n && res.hits[exact].quality != NAMES_Q_TYPO)
            exact++;
        ck_assert_msg(exact == want, "'%s' (%s, limit %zu): %zu exact-class hits, expected %zu", q,
                      type ? type : "any", limit, exact, want);
        check_compact(nm, q, type, limit);
        /* And a whole name, written as it is or with its separators
         * changed: exact compact hits. */
        char whole[128];
        snprintf(whole, sizeof whole, "%s", nv[rand() % N].name);
        if (qi % 2)
            for (char *c = whole; *c; c++)
                *c = *c == '_' ? ' ' : *c;
        check_compact(nm, whole, type, limit);
        n = search(nm, q, type, limit); /* res again, for the checks below */
        for (size_t i = 0; i < want; i++)
            ck_assert_msg(strcmp(res.hits[i].text, nv[order[i][0]].name) == 0 &&
                              (int)res.hits[i].quality == order[i][1],
                          "'%s' #%zu: got %s (q%d), expected %s (q%d)", q, i, res.hits[i].text,
                          res.hits[i].quality, nv[order[i][0]].name, order[i][1]);
    }
    names_free(nm);
    free(order);
    free(ents);
    free(nv);
}
END_TEST

static Suite *names_suite(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_prefix_and_ranking);
    tcase_add_test(tc, test_typo_type_limit);
    tcase_add_test(tc, test_owners_tags_terms);
    tcase_add_test(tc, test_highlight);
    tcase_add_test(tc, test_cross_check);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(names_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
