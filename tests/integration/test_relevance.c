/* test_relevance.c — the relevance regression set, run against the real
 * binaries: tests/relevance/corpus.jsonl is indexed by metadex-indexer,
 * metadex-searchd answers every judged query of tests/relevance/cases.tsv
 * (/v1/search?q=...&limit=10), and the answers are measured with nDCG@10 and
 * MRR, overall and per category. The figures, and every case whose answer is
 * not first with what came before it, are printed; the tests assert the
 * minimums of tests/relevance/thresholds.txt, so a change that makes search
 * worse than the recorded level fails here. */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/relevance.h"
#include "tests/support/testenv.h"

#define RT_K 10          /* the cut-off of both measures, and the page asked for */
#define RT_SHOWN 3       /* hits printed for a case whose answer is not first */
#define RT_ERR_MAX 8192  /* room for the list of problems one test reports */

/* What searchd answered for one case, and its measures. */
typedef struct rt_result {
    long status;               /* HTTP status, -1 on transport error */
    char *urns[RT_K], *names[RT_K];
    size_t nhits;
    double ndcg, rr;
    size_t rank; /* 1-based rank of the answer, 0 if not in the first RT_K */
} rt_result;

typedef struct rt_category {
    const char *name;
    size_t n;
    double ndcg, rr; /* means */
} rt_category;

/* The one evaluation every test reads: made once, by the unchecked fixture,
 * before the tests fork. Setup problems are kept as text (not asserted
 * there) so that each test reports them as its own failure. */
static struct {
    char setup_error[RT_ERR_MAX];
    char *tmp;
    rel_cases cases;
    rel_thresholds thresholds;
    rt_result *results;
    rt_category *categories;
    size_t ncategories;
    rt_category overall;
    /* corpus checks */
    int indexer_status;
    long dead_letters;
    long entities, docs;
    char corpus_problems[RT_ERR_MAX];
} rt;

static void rt_setup_fail(const char *fmt, const char *arg)
{
    if (!rt.setup_error[0])
        snprintf(rt.setup_error, sizeof rt.setup_error, fmt, arg ? arg : "");
}

/* Appends an item to a problem list ("; " between items: one line, so the
 * suite's summary, which shows a failure's first line, shows them all),
 * noting when it is full rather than cutting an item in the middle. */
static void rt_note(char *buf, size_t cap, const char *line)
{
    size_t used = strlen(buf), n = strlen(line);
    static const char full[] = "; (more problems not shown)";
    if (strstr(buf, full))
        return;
    if (used + n + 3 + sizeof full >= cap) {
        memcpy(buf + used, full, sizeof full);
        return;
    }
    if (used) {
        buf[used++] = ';';
        buf[used++] = ' ';
    }
    memcpy(buf + used, line, n + 1);
}

/* ---- the corpus: which entities exist, which are removed ---------------- */

typedef struct rt_entity {
    char *urn;
    int removed;
} rt_entity;

static int rt_entity_cmp(const void *a, const void *b)
{
    return strcmp(((const rt_entity *)a)->urn, ((const rt_entity *)b)->urn);
}

/* Reads the corpus's entity URNs (sorted, distinct) and, from the last
 * status aspect of each, whether it is removed. */
static rt_entity *rt_corpus_entities(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    rt_entity *v = NULL;
    size_t cnt = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    int bad = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t je;
        json_t *ev = json_loads(line, 0, &je);
        const char *urn = json_string_value(json_object_get(ev, "entityUrn"));
        const char *aspect = json_string_value(json_object_get(ev, "aspectName"));
        if (!urn) {
            bad = 1;
            json_decref(ev);
            break;
        }
        int removed = -1;
        if (aspect && strcmp(aspect, "status") == 0)
            removed = json_is_true(json_object_get(
                json_object_get(json_object_get(ev, "aspect"), "json"), "removed"));
        size_t i = 0;
        while (i < cnt && strcmp(v[i].urn, urn) != 0)
            i++;
        if (i == cnt) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 256;
                rt_entity *nv = realloc(v, cap * sizeof *nv);
                if (!nv) {
                    bad = 1;
                    json_decref(ev);
                    break;
                }
                v = nv;
            }
            v[cnt].urn = strdup(urn);
            v[cnt].removed = 0;
            if (!v[cnt].urn) {
                bad = 1;
                json_decref(ev);
                break;
            }
            cnt++;
        }
        if (removed >= 0)
            v[i].removed = removed;
        json_decref(ev);
    }
    free(line);
    fclose(f);
    if (bad) {
        for (size_t i = 0; i < cnt; i++)
            free(v[i].urn);
        free(v);
        return NULL;
    }
    qsort(v, cnt, sizeof *v, rt_entity_cmp);
    *n = cnt;
    return v;
}

static const rt_entity *rt_entity_find(const rt_entity *v, size_t n, const char *urn)
{
    rt_entity key = {.urn = (char *)urn};
    return bsearch(&key, v, n, sizeof *v, rt_entity_cmp);
}

/* Every judged URN must be an entity of the corpus that search can show:
 * a typo in cases.tsv would otherwise silently lower the figures. */
static void rt_check_judgments(const rt_entity *ents, size_t nents)
{
    char line[1024];
    for (size_t i = 0; i < rt.cases.n; i++) {
        const rel_case *c = &rt.cases.v[i];
        for (size_t j = 0; j < c->njudgments; j++) {
            const rt_entity *e = rt_entity_find(ents, nents, c->judgments[j].urn);
            if (e && !e->removed)
                continue;
            snprintf(line, sizeof line, "cases.tsv line %d (\"%s\"): %s %s", c->line, c->query,
                     c->judgments[j].urn, e ? "is removed (search hides it)" : "is not in the corpus");
            rt_note(rt.corpus_problems, sizeof rt.corpus_problems, line);
        }
    }
    for (size_t i = 0; i < rt.thresholds.n; i++) {
        const char *scope = rt.thresholds.v[i].scope;
        int known = strcmp(scope, "overall") == 0;
        for (size_t k = 0; !known && k < rt.cases.n; k++)
            known = strcmp(rt.cases.v[k].category, scope) == 0;
        if (!known) {
            snprintf(line, sizeof line, "thresholds.txt line %d: no case has the category \"%s\"",
                     rt.thresholds.v[i].line, scope);
            rt_note(rt.corpus_problems, sizeof rt.corpus_problems, line);
        }
    }
}

/* ---- asking searchd ----------------------------------------------------- */

static void rt_ask(int port, const rel_case *c, rt_result *r)
{
    char *q = te_urlencode(c->query);
    if (!q) {
        r->status = -1;
        return;
    }
    size_t n = strlen(q) + 64;
    char *path = malloc(n);
    if (!path) {
        free(q);
        r->status = -1;
        return;
    }
    snprintf(path, n, "/v1/search?q=%s&limit=%d", q, RT_K);
    free(q);
    long status = -1;
    json_t *res = te_get_json(port, path, &status);
    free(path);
    r->status = res ? status : (status > 0 ? status : -1);
    json_t *hits = json_object_get(res, "hits");
    if (status == 200 && !json_is_array(hits))
        r->status = -2; /* 200 without a hit list */
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        if (r->nhits == RT_K)
            break;
        const char *urn = json_string_value(json_object_get(h, "urn"));
        const char *name = json_string_value(json_object_get(h, "name"));
        r->urns[r->nhits] = strdup(urn ? urn : "");
        r->names[r->nhits] = strdup(name ? name : "");
        if (!r->urns[r->nhits] || !r->names[r->nhits]) {
            free(r->urns[r->nhits]);
            free(r->names[r->nhits]);
            r->status = -1;
            break;
        }
        r->nhits++;
    }
    json_decref(res);
    r->ndcg = rel_ndcg(c, (const char *const *)r->urns, r->nhits, RT_K);
    r->rr = rel_reciprocal_rank(c, (const char *const *)r->urns, r->nhits, RT_K, &r->rank);
}

/* ---- figures ------------------------------------------------------------ */

static rt_category *rt_category_get(const char *name)
{
    for (size_t i = 0; i < rt.ncategories; i++)
        if (strcmp(rt.categories[i].name, name) == 0)
            return &rt.categories[i];
    return NULL;
}

static int rt_aggregate(void)
{
    rt.categories = calloc(rt.cases.n ? rt.cases.n : 1, sizeof *rt.categories);
    if (!rt.categories)
        return -1;
    for (size_t i = 0; i < rt.cases.n; i++) {
        rt_category *cat = rt_category_get(rt.cases.v[i].category);
        if (!cat) {
            cat = &rt.categories[rt.ncategories++];
            cat->name = rt.cases.v[i].category;
        }
        cat->n++;
        cat->ndcg += rt.results[i].ndcg;
        cat->rr += rt.results[i].rr;
        rt.overall.n++;
        rt.overall.ndcg += rt.results[i].ndcg;
        rt.overall.rr += rt.results[i].rr;
    }
    for (size_t i = 0; i < rt.ncategories; i++) {
        rt.categories[i].ndcg /= (double)rt.categories[i].n;
        rt.categories[i].rr /= (double)rt.categories[i].n;
    }
    rt.overall.name = "overall";
    if (rt.overall.n) {
        rt.overall.ndcg /= (double)rt.overall.n;
        rt.overall.rr /= (double)rt.overall.n;
    }
    return 0;
}

static void rt_print_min(double min)
{
    if (min >= 0)
        printf("  %6.3f", min);
    else
        printf("  %6s", "-");
}

static void rt_print_row(const rt_category *c)
{
    printf("%-20s %6zu  %7.3f  %7.3f", c->name, c->n, c->ndcg, c->rr);
    rt_print_min(rel_threshold_for(&rt.thresholds, REL_NDCG10, c->name));
    rt_print_min(rel_threshold_for(&rt.thresholds, REL_MRR, c->name));
    printf("\n");
}

static void rt_report(void)
{
    printf("\nrelevance: %zu cases over %ld entities; nDCG@%d (gain 2^g-1, log2 discount) and MRR "
           "(first hit of the best grade)\n\n",
           rt.cases.n, rt.entities, RT_K);
    printf("%-20s %6s  %7s  %7s  %6s  %6s\n", "category", "cases", "nDCG@10", "MRR", "min", "min");
    for (size_t i = 0; i < rt.ncategories; i++)
        rt_print_row(&rt.categories[i]);
    rt_print_row(&rt.overall);

    size_t shown = 0;
    for (size_t i = 0; i < rt.cases.n; i++) {
        const rel_case *c = &rt.cases.v[i];
        const rt_result *r = &rt.results[i];
        if (r->rr >= 1.0 && r->status == 200)
            continue;
        if (shown++ == 0)
            printf("\ncases whose answer is not first (reciprocal rank < 1):\n");
        printf("\n[%s] \"%s\" (cases.tsv line %d): nDCG %.2f, ", c->category, c->query, c->line, r->ndcg);
        if (r->status != 200)
            printf("search failed (status %ld)\n", r->status);
        else if (r->rank)
            printf("answer (grade %d) at rank %zu\n", rel_max_grade(c), r->rank);
        else
            printf("answer (grade %d) not in the first %d of %zu hits\n", rel_max_grade(c), RT_K, r->nhits);
        size_t upto = r->rank ? r->rank - 1 : RT_SHOWN;
        if (upto > RT_SHOWN)
            upto = RT_SHOWN;
        for (size_t h = 0; h < upto && h < r->nhits; h++)
            printf("    %zu. [%d] %s  %s\n", h + 1, rel_grade(c, r->urns[h]), r->names[h], r->urns[h]);
        if (!r->rank) {
            for (size_t j = 0; j < c->njudgments; j++)
                if (c->judgments[j].grade == rel_max_grade(c)) {
                    printf("    wanted: %s\n", c->judgments[j].urn);
                    break;
                }
        }
    }
    printf("\n%zu of %zu cases have their answer first\n", rt.cases.n - shown, rt.cases.n);
    fflush(stdout);
}

/* ---- the fixture -------------------------------------------------------- */

static char *rt_load(const char *rel)
{
    char *path = te_path(rel);
    if (!path)
        return NULL;
    char *text = te_read_file(path, NULL);
    if (!text)
        rt_setup_fail("cannot read %s", path);
    free(path);
    return text;
}

static void rt_setup(void)
{
    char err[512];
    char *cases = rt_load("tests/relevance/cases.tsv");
    char *thresholds = rt_load("tests/relevance/thresholds.txt");
    if (!cases || !thresholds) {
        free(cases);
        free(thresholds);
        return;
    }
    int rc = rel_cases_parse(cases, &rt.cases, err, sizeof err);
    free(cases);
    if (rc != 0) {
        rt_setup_fail("tests/relevance/cases.tsv: %s", err);
        free(thresholds);
        return;
    }
    rc = rel_thresholds_parse(thresholds, &rt.thresholds, err, sizeof err);
    free(thresholds);
    if (rc != 0) {
        rt_setup_fail("tests/relevance/thresholds.txt: %s", err);
        return;
    }
    if (rt.cases.n == 0) {
        rt_setup_fail("tests/relevance/cases.tsv holds no case%s", NULL);
        return;
    }

    char *corpus = te_path("tests/relevance/corpus.jsonl");
    size_t nents = 0;
    rt_entity *ents = corpus ? rt_corpus_entities(corpus, &nents) : NULL;
    if (!ents) {
        rt_setup_fail("cannot read the entities of %s", corpus);
        free(corpus);
        return;
    }
    rt.entities = (long)nents;
    rt_check_judgments(ents, nents);
    for (size_t i = 0; i < nents; i++)
        free(ents[i].urn);
    free(ents);

    rt.tmp = te_tmpdir("relevance");
    if (!rt.tmp) {
        rt_setup_fail("cannot make a temporary directory%s", NULL);
        free(corpus);
        return;
    }
    size_t n = strlen(rt.tmp) + 32;
    char *db = malloc(n), *dl = malloc(n), *log = malloc(n);
    char *indexer = te_bin("indexer/metadex-indexer");
    if (!db || !dl || !log || !indexer) {
        rt_setup_fail("out of memory%s", NULL);
        goto out;
    }
    snprintf(db, n, "%s/db", rt.tmp);
    snprintf(dl, n, "%s/dead-letters.jsonl", rt.tmp);
    snprintf(log, n, "%s/indexer.log", rt.tmp);
    char *const iargv[] = {indexer, "--db", db, "--dead-letter", dl, "--quiet", corpus, NULL};
    rt.indexer_status = te_run(iargv, NULL, log);
    rt.dead_letters = te_count_lines(dl);
    if (rt.indexer_status != 0) {
        rt_setup_fail("metadex-indexer over the corpus failed; its log: %s", log);
        goto out;
    }

    int port = 0;
    static const char *const quiet[] = {"--quiet", NULL}; /* the report, not a request log */
    pid_t pid = te_start_searchd(db, quiet, &port);
    if (pid <= 0) {
        rt_setup_fail("metadex-searchd did not start over %s", db);
        goto out;
    }
    long st = 0;
    json_t *health = te_get_json(port, "/healthz", &st);
    rt.docs = (long)json_integer_value(json_object_get(health, "docs"));
    json_decref(health);

    rt.results = calloc(rt.cases.n, sizeof *rt.results);
    if (!rt.results) {
        rt_setup_fail("out of memory%s", NULL);
        te_stop(pid, SIGTERM);
        goto out;
    }
    for (size_t i = 0; i < rt.cases.n; i++)
        rt_ask(port, &rt.cases.v[i], &rt.results[i]);
    te_stop(pid, SIGTERM);
    if (rt_aggregate() != 0) {
        rt_setup_fail("out of memory%s", NULL);
        goto out;
    }
    rt_report();
out:
    free(corpus);
    free(db);
    free(dl);
    free(log);
    free(indexer);
}

static void rt_teardown(void)
{
    if (rt.tmp) {
        te_rmtree(rt.tmp);
        free(rt.tmp);
    }
    for (size_t i = 0; rt.results && i < rt.cases.n; i++)
        for (size_t h = 0; h < rt.results[i].nhits; h++) {
            free(rt.results[i].urns[h]);
            free(rt.results[i].names[h]);
        }
    free(rt.results);
    free(rt.categories);
    rel_cases_free(&rt.cases);
    rel_thresholds_free(&rt.thresholds);
}

static void rt_require_setup(void)
{
    ck_assert_msg(rt.setup_error[0] == '\0', "%s", rt.setup_error);
    ck_assert_ptr_nonnull(rt.results);
}

/* ---- the tests ---------------------------------------------------------- */

START_TEST(test_corpus_indexes_whole)
{
    ck_assert_msg(rt.setup_error[0] == '\0', "%s", rt.setup_error);
    ck_assert_int_eq(rt.indexer_status, 0);
    ck_assert_msg(rt.dead_letters == 0, "%ld corpus events were dead-lettered", rt.dead_letters);
    ck_assert_msg(rt.docs == rt.entities, "the index holds %ld documents for the corpus's %ld entities",
                  rt.docs, rt.entities);
}
END_TEST

START_TEST(test_judgments_name_corpus_entities)
{
    ck_assert_msg(rt.setup_error[0] == '\0', "%s", rt.setup_error);
    ck_assert_msg(rt.corpus_problems[0] == '\0', "%s", rt.corpus_problems);
}
END_TEST

START_TEST(test_every_case_answers)
{
    rt_require_setup();
    char problems[RT_ERR_MAX] = "", line[512];
    for (size_t i = 0; i < rt.cases.n; i++)
        if (rt.results[i].status != 200) {
            snprintf(line, sizeof line, "\"%s\": status %ld%s", rt.cases.v[i].query, rt.results[i].status,
                     rt.results[i].status == -2 ? " (no \"hits\" array)" : "");
            rt_note(problems, sizeof problems, line);
        }
    ck_assert_msg(problems[0] == '\0', "searches that did not answer 200 with hits: %s", problems);
}
END_TEST

static void rt_check_min(const rt_category *c, rel_metric m, char *problems, size_t cap)
{
    double min = rel_threshold_for(&rt.thresholds, m, c->name);
    double got = m == REL_NDCG10 ? c->ndcg : c->rr;
    if (min < 0 || got >= min)
        return;
    char line[256];
    snprintf(line, sizeof line, "%s %s: %.3f is below the minimum %.3f", rel_metric_name(m), c->name, got, min);
    rt_note(problems, cap, line);
}

START_TEST(test_overall_minimums)
{
    rt_require_setup();
    ck_assert_msg(rel_threshold_for(&rt.thresholds, REL_NDCG10, "overall") >= 0 &&
                      rel_threshold_for(&rt.thresholds, REL_MRR, "overall") >= 0,
                  "thresholds.txt must set ndcg10 overall and mrr overall");
    char problems[RT_ERR_MAX] = "";
    rt_check_min(&rt.overall, REL_NDCG10, problems, sizeof problems);
    rt_check_min(&rt.overall, REL_MRR, problems, sizeof problems);
    ck_assert_msg(problems[0] == '\0', "%s", problems);
}
END_TEST

START_TEST(test_category_minimums)
{
    rt_require_setup();
    char problems[RT_ERR_MAX] = "";
    for (size_t i = 0; i < rt.ncategories; i++) {
        rt_check_min(&rt.categories[i], REL_NDCG10, problems, sizeof problems);
        rt_check_min(&rt.categories[i], REL_MRR, problems, sizeof problems);
    }
    ck_assert_msg(problems[0] == '\0', "%s", problems);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("relevance");
    TCase *tc = tcase_create("regression_set");
    tcase_add_unchecked_fixture(tc, rt_setup, rt_teardown);
    tcase_add_test(tc, test_corpus_indexes_whole);
    tcase_add_test(tc, test_judgments_name_corpus_entities);
    tcase_add_test(tc, test_every_case_answers);
    tcase_add_test(tc, test_overall_minimums);
    tcase_add_test(tc, test_category_minimums);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
