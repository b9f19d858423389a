/* test_autocomplete.c — GET /v1/autocomplete over the real binaries: a
 * catalog written as DataHub events, indexed by metadex-indexer, served by
 * metadex-searchd on a loopback port. Prefixes list the names they start,
 * words match in any order, a typo in the last word is forgiven from four
 * letters, type= filters, highlights mark what matched, limits are enforced,
 * popularity orders equal matches, and new entities show up without a
 * restart. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/testenv.h"

static char *g_dir, *g_db, *g_log;
static pid_t g_pid = -1;
static int g_port;

/* ---- the catalog --------------------------------------------------------------- */

typedef struct item {
    const char *type, *name;
    int usage;
    const char *tag; /* a tag URN, or NULL */
} item;

static const item CATALOG[] = {
    {"dataset", "customer_orders", 100, NULL},
    {"dataset", "customers", 500, NULL},
    {"dataset", "customer_orders_daily", 10, NULL},
    {"dataset", "fact_customer_orders", 1000, NULL},
    {"dataset", "customer_profile", 150, "urn:li:tag:pii"},
    {"dataset", "customer_events", 70, "urn:li:tag:pii"},
    {"dataset", "orders", 50, NULL},
    {"dataset", "order_items", 200, NULL},
    {"dataset", "R&D <budget>", 5, NULL},
    {"dashboard", "Customer Overview", 300, NULL},
    {"chart", "Customer Churn", 20, NULL},
};
#define NCATALOG (sizeof CATALOG / sizeof CATALOG[0])

static void urn_of(const item *it, char *out, size_t cap)
{
    if (strcmp(it->type, "dataset") == 0)
        snprintf(out, cap, "urn:li:dataset:(urn:li:dataPlatform:snowflake,shop.public.%s,PROD)",
                 it->name);
    else
        snprintf(out, cap, "urn:li:%s:(looker,%d)", it->type, (int)(it - CATALOG));
}

/* One MCP line. `json` is the aspect's JSON text. */
static void mcp(FILE *f, const char *type, const char *urn, const char *aspect, const char *json)
{
    json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:{s:o}}", "entityType", type, "entityUrn", urn,
                           "changeType", "UPSERT", "aspectName", aspect, "aspect", "json",
                           json_loads(json, 0, NULL));
    ck_assert_ptr_nonnull(ev);
    char *line = json_dumps(ev, JSON_COMPACT);
    ck_assert_ptr_nonnull(line);
    fprintf(f, "%s\n", line);
    free(line);
    json_decref(ev);
}

static void write_item(FILE *f, const item *it)
{
    char urn[512], buf[1024];
    urn_of(it, urn, sizeof urn);
    json_t *name = json_string(it->name);
    char *qname = json_dumps(name, JSON_ENCODE_ANY);
    json_decref(name);
    if (strcmp(it->type, "dataset") == 0) {
        snprintf(buf, sizeof buf, "{\"name\":%s}", qname);
        mcp(f, it->type, urn, "datasetProperties", buf);
        snprintf(buf, sizeof buf, "{\"queryCountLast30Days\":%d}", it->usage);
    } else {
        snprintf(buf, sizeof buf, "{\"title\":%s,\"description\":\"\"}", qname);
        mcp(f, it->type, urn, strcmp(it->type, "chart") == 0 ? "chartInfo" : "dashboardInfo", buf);
        snprintf(buf, sizeof buf, "{\"viewCountLast30Days\":%d}", it->usage);
    }
    mcp(f, it->type, urn, "usageFeatures", buf);
    if (it->tag) {
        snprintf(buf, sizeof buf, "{\"tags\":[{\"tag\":\"%s\"}]}", it->tag);
        mcp(f, it->type, urn, "globalTags", buf);
    }
    free(qname);
}

static void index_items(const item *items, size_t n, const char *file)
{
    char *path = malloc(strlen(g_dir) + strlen(file) + 2);
    ck_assert_ptr_nonnull(path);
    sprintf(path, "%s/%s", g_dir, file);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        write_item(f, &items[i]);
    ck_assert_int_eq(fclose(f), 0);
    char *bin = te_bin("indexer/metadex-indexer");
    char *argv[] = {bin, "--db", g_db, "--quiet", path, NULL};
    ck_assert_int_eq(te_run(argv, NULL, g_log), 0);
    free(bin);
    free(path);
}

static void setup(void)
{
    g_dir = te_tmpdir("autocomplete");
    ck_assert_ptr_nonnull(g_dir);
    g_db = malloc(strlen(g_dir) + 8);
    g_log = malloc(strlen(g_dir) + 16);
    ck_assert_ptr_nonnull(g_db);
    ck_assert_ptr_nonnull(g_log);
    sprintf(g_db, "%s/db", g_dir);
    sprintf(g_log, "%s/log.txt", g_dir);
    index_items(CATALOG, NCATALOG, "catalog.jsonl");
    g_pid = te_start_searchd(g_db, NULL, &g_port);
    ck_assert_int_gt(g_pid, 0);
}

static void teardown(void)
{
    if (g_pid > 0)
        te_stop(g_pid, SIGTERM);
    g_pid = -1;
    te_rmtree(g_dir);
    free(g_dir);
    free(g_db);
    free(g_log);
}

/* ---- asking ---------------------------------------------------------------------- */

/* GET /v1/autocomplete with q (URL-encoded) and extra raw parameters. */
static json_t *ac(long *status, const char *q, const char *fmt, ...)
{
    char extra[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    char *eq = te_urlencode(q);
    ck_assert_ptr_nonnull(eq);
    char path[2048];
    snprintf(path, sizeof path, "/v1/autocomplete?q=%s%s%s", eq, *extra ? "&" : "", extra);
    free(eq);
    long st = 0;
    json_t *res = te_get_json(g_port, path, &st);
    if (status)
        *status = st;
    ck_assert_msg(res != NULL, "no JSON from %s", path);
    return res;
}

static json_t *ac_ok(const char *q, const char *fmt, ...)
{
    char extra[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    long st;
    json_t *res = ac(&st, q, *extra ? "%s" : NULL, extra);
    ck_assert_msg(st == 200, "q=%s %s: status %ld", q, extra, st);
    ck_assert(json_is_array(json_object_get(res, "suggestions")));
    ck_assert(json_is_number(json_object_get(res, "took_ms")));
    return res;
}

static json_t *sugg(const json_t *res, size_t i)
{
    return json_array_get(json_object_get(res, "suggestions"), i);
}

static size_t nsugg(const json_t *res)
{
    return json_array_size(json_object_get(res, "suggestions"));
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Index of the suggestion with this text, or -1. */
static long find_text(const json_t *res, const char *text)
{
    for (size_t i = 0; i < nsugg(res); i++)
        if (strcmp(str(sugg(res, i), "text"), text) == 0)
            return (long)i;
    return -1;
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(test_prefix_lists_names)
{
    json_t *res = ac_ok("cust", "limit=20");
    /* Every name with a word starting "cust", and nothing else. */
    size_t want = 0;
    for (size_t i = 0; i < NCATALOG; i++)
        if (strstr(CATALOG[i].name, "ustomer")) {
            want++;
            ck_assert_msg(find_text(res, CATALOG[i].name) >= 0, "missing %s", CATALOG[i].name);
        }
    ck_assert_uint_eq(nsugg(res), want);
    /* Names starting with the query, by popularity, then the rest. */
    const char *order[] = {"customers",       "Customer Overview", "customer_profile",
                           "customer_orders", "customer_events",   "Customer Churn",
                           "customer_orders_daily", "fact_customer_orders"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        ck_assert_msg(strcmp(str(sugg(res, i), "text"), order[i]) == 0, "#%zu is %s, not %s", i,
                      str(sugg(res, i), "text"), order[i]);
    /* Fields of one suggestion. */
    const json_t *s = sugg(res, 3);
    ck_assert_str_eq(str(s, "kind"), "entity");
    ck_assert_str_eq(str(s, "type"), "dataset");
    ck_assert_str_eq(str(s, "platform"), "snowflake");
    ck_assert_str_eq(str(s, "path"), "shop.public");
    ck_assert_str_eq(str(s, "urn"),
                     "urn:li:dataset:(urn:li:dataPlatform:snowflake,shop.public.customer_orders,PROD)");
    ck_assert(json_is_number(json_object_get(s, "score")));
    /* Scores never rise down the list. */
    for (size_t i = 1; i < nsugg(res); i++)
        ck_assert(json_number_value(json_object_get(sugg(res, i), "score")) <=
                  json_number_value(json_object_get(sugg(res, i - 1), "score")));
    json_decref(res);
    /* The default limit is 8. */
    res = ac_ok("cust", NULL);
    ck_assert_uint_eq(nsugg(res), 8);
    json_decref(res);
}
END_TEST

START_TEST(test_words_any_order)
{
    json_t *res = ac_ok("ord cust", NULL);
    ck_assert_uint_eq(nsugg(res), 3);
    ck_assert_str_eq(str(sugg(res, 0), "text"), "fact_customer_orders");
    ck_assert_str_eq(str(sugg(res, 1), "text"), "customer_orders");
    ck_assert_str_eq(str(sugg(res, 2), "text"), "customer_orders_daily");
    ck_assert_int_lt(find_text(res, "customers"), 0);
    ck_assert_int_lt(find_text(res, "orders"), 0);
    json_decref(res);
    /* The exact name first, however unpopular. */
    res = ac_ok("Orders", NULL);
    ck_assert_str_eq(str(sugg(res, 0), "text"), "orders");
    json_decref(res);
}
END_TEST

START_TEST(test_typo_last_word)
{
    json_t *res = ac_ok("custmer", NULL);
    ck_assert_int_ge(find_text(res, "customer_orders"), 0);
    ck_assert_int_ge(find_text(res, "customers"), 0);
    json_decref(res);
    res = ac_ok("cust ordres", NULL); /* a transposition: one edit */
    ck_assert_int_ge(find_text(res, "customer_orders"), 0);
    ck_assert_int_lt(find_text(res, "customers"), 0);
    json_decref(res);
    /* Under four letters, no typo; and only the last word may have one. */
    res = ac_ok("cst", NULL);
    ck_assert_uint_eq(nsugg(res), 0);
    json_decref(res);
    res = ac_ok("ordres cust", NULL);
    ck_assert_uint_eq(nsugg(res), 0);
    json_decref(res);
}
END_TEST

START_TEST(test_type_filter)
{
    json_t *res = ac_ok("cust", "type=dashboard");
    ck_assert_uint_eq(nsugg(res), 1);
    ck_assert_str_eq(str(sugg(res, 0), "text"), "Customer Overview");
    ck_assert_str_eq(str(sugg(res, 0), "type"), "dashboard");
    json_decref(res);
    res = ac_ok("cust", "type=dataset&limit=20");
    ck_assert_uint_eq(nsugg(res), 6);
    for (size_t i = 0; i < nsugg(res); i++)
        ck_assert_str_eq(str(sugg(res, i), "type"), "dataset");
    json_decref(res);
    res = ac_ok("cust", "type=mlModel");
    ck_assert_uint_eq(nsugg(res), 0);
    json_decref(res);
}
END_TEST

START_TEST(test_highlight_and_kinds)
{
    json_t *res = ac_ok("ord cust", NULL);
    long i = find_text(res, "customer_orders");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(str(sugg(res, (size_t)i), "highlight"),
                     "<mark>cust</mark>omer_<mark>ord</mark>ers");
    json_decref(res);
    res = ac_ok("r", NULL);
    i = find_text(res, "R&D <budget>");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(str(sugg(res, (size_t)i), "highlight"),
                     "<mark>R</mark>&amp;D &lt;budget&gt;");
    json_decref(res);
    /* A tag no entity defines is still suggested, by its label. */
    res = ac_ok("pi", NULL);
    i = find_text(res, "pii");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(str(sugg(res, (size_t)i), "kind"), "tag");
    ck_assert_str_eq(str(sugg(res, (size_t)i), "urn"), "urn:li:tag:pii");
    ck_assert(json_is_null(json_object_get(sugg(res, (size_t)i), "platform")));
    json_decref(res);
}
END_TEST

START_TEST(test_limits)
{
    json_t *res = ac_ok("cust", "limit=1");
    ck_assert_uint_eq(nsugg(res), 1);
    ck_assert_str_eq(str(sugg(res, 0), "text"), "customers");
    json_decref(res);
    res = ac_ok("cust", "limit=20");
    json_decref(res);
    const char *bad[] = {"limit=21", "limit=0", "limit=-3", "limit=ten", "lang=en",
                         "limit=2&limit=3"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        long st;
        res = ac(&st, "cust", "%s", bad[k]);
        ck_assert_msg(st == 400, "%s: status %ld", bad[k], st);
        ck_assert_str_eq(str(json_object_get(res, "error"), "code"), "bad_request");
        json_decref(res);
    }
    char *big = malloc(2001);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', 2000);
    big[2000] = '\0';
    long st;
    res = ac(&st, big, NULL);
    ck_assert_int_eq(st, 400);
    json_decref(res);
    free(big);
    /* No words: no suggestions, not an error. */
    res = ac_ok("", NULL);
    ck_assert_uint_eq(nsugg(res), 0);
    json_decref(res);
}
END_TEST

START_TEST(test_popularity_orders_equals)
{
    /* Every "customer*" dataset starts with the query: popularity alone
     * orders them, whatever the order they were indexed in. */
    json_t *res = ac_ok("customer", "type=dataset&limit=20");
    double prev = 1e300;
    size_t seen = 0;
    for (size_t i = 0; i < nsugg(res); i++) {
        const char *t = str(sugg(res, i), "text");
        if (strncmp(t, "customer", 8) != 0)
            break;
        int usage = -1;
        for (size_t k = 0; k < NCATALOG; k++)
            if (strcmp(CATALOG[k].name, t) == 0)
                usage = CATALOG[k].usage;
        ck_assert_int_ge(usage, 0);
        ck_assert_msg(usage <= prev, "%s (%d) after a less popular name", t, usage);
        prev = usage;
        seen++;
    }
    ck_assert_uint_eq(seen, 5);
    json_decref(res);
}
END_TEST

START_TEST(test_new_entities_appear)
{
    const item more[] = {{"dataset", "zebra_sightings", 3, NULL}};
    json_t *res = ac_ok("zebr", NULL);
    ck_assert_uint_eq(nsugg(res), 0);
    json_decref(res);
    index_items(more, 1, "more.jsonl");
    /* Rebuilt in the background: within a few seconds, no restart. */
    int found = 0;
    for (int i = 0; i < 150 && !found; i++) {
        res = ac_ok("zebr", NULL);
        found = find_text(res, "zebra_sightings") >= 0;
        json_decref(res);
        if (!found)
            usleep(100 * 1000);
    }
    ck_assert_msg(found, "a new entity never reached autocomplete");
}
END_TEST

START_TEST(test_no_index_yet)
{
    char *db = malloc(strlen(g_dir) + 16);
    ck_assert_ptr_nonnull(db);
    sprintf(db, "%s/none", g_dir);
    int port;
    pid_t pid = te_start_searchd(db, NULL, &port);
    ck_assert_int_gt(pid, 0);
    long st;
    json_t *res = te_get_json(port, "/v1/autocomplete?q=cust", &st);
    ck_assert_int_eq(st, 503);
    json_decref(res);
    te_stop(pid, SIGTERM);
    free(db);
}
END_TEST

static Suite *autocomplete_suite(void)
{
    Suite *s = suite_create("autocomplete");
    TCase *tc = tcase_create("http");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_prefix_lists_names);
    tcase_add_test(tc, test_words_any_order);
    tcase_add_test(tc, test_typo_last_word);
    tcase_add_test(tc, test_type_filter);
    tcase_add_test(tc, test_highlight_and_kinds);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_popularity_orders_equals);
    tcase_add_test(tc, test_new_entities_appear);
    tcase_add_test(tc, test_no_index_yet);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(autocomplete_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
