/* test_search.c — search over HTTP against the real binaries.
 *
 * One index is built by metadex-indexer from every DataHub fixture plus a
 * small crafted catalog (platform "mdxtest": tags with display names, a
 * removed dataset, columns, edited descriptions), and one metadex-searchd
 * serves it on a free loopback port. The cases ask what a portal user asks:
 * is each entity found by its name, is an exact dataset name first, does a
 * column name find its table, do tags match by label and filter exactly, do
 * facet counts equal the filtered totals, how do several words combine.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/limits.h"
#include "tests/integration/test_search_env.h"
#include "tests/support/testenv.h"

#define DS(name, env) "urn:li:dataset:(urn:li:dataPlatform:mdxtest," name "," env ")"
#define U_LEGACY DS("shop.orders_legacy", "PROD")
#define U_EMAILS DS("crm.customer_emails", "PROD")
#define U_LEDGER DS("finance.general_ledger", "DEV")
#define U_CAMPAIGNS DS("marketing.email_campaigns", "PROD")
#define U_SESSIONS DS("web.web_sessions", "PROD")
#define U_RETIRED DS("shop.retired_orders_archive", "PROD")

/* One MCP line: entity urn, aspect name, aspect JSON. */
#define MCP(urn, aspect, json)                                                                \
    "{\"entityType\":\"dataset\",\"entityUrn\":\"" urn "\",\"changeType\":\"UPSERT\","         \
    "\"aspectName\":\"" aspect "\",\"aspect\":{\"json\":" json "}}\n"
#define SCHEMA(fields)                                                                        \
    "{\"schemaName\":\"t\",\"platform\":\"urn:li:dataPlatform:mdxtest\",\"version\":0,"       \
    "\"hash\":\"\",\"platformSchema\":{\"com.linkedin.schema.MySqlDDL\":{\"tableSchema\":\"\"}}," \
    "\"fields\":[" fields "]}"
#define COLUMN(path, desc, extra)                                                             \
    "{\"fieldPath\":\"" path "\",\"nativeDataType\":\"varchar\",\"description\":\"" desc "\"," \
    "\"type\":{\"type\":{\"com.linkedin.schema.StringType\":{}}}" extra "}"
#define TAGS(t) "{\"tags\":[{\"tag\":\"" t "\"}]}"

static const char CRAFTED[] =
    MCP(U_LEGACY, "datasetProperties",
        "{\"name\":\"orders_legacy\",\"description\":\"Old order records kept for audits.\"}")
    MCP(U_LEGACY, "globalTags", TAGS("urn:li:tag:Legacy Data"))
    MCP(U_LEGACY, "ownership",
        "{\"owners\":[{\"owner\":\"urn:li:corpuser:jdoe\",\"type\":\"DATAOWNER\"}]}")
    MCP(U_EMAILS, "datasetProperties",
        "{\"name\":\"customer_emails\",\"description\":\"Contact addresses of customers.\"}")
    MCP(U_EMAILS, "globalTags", TAGS("urn:li:tag:pii:email"))
    MCP(U_EMAILS, "ownership",
        "{\"owners\":[{\"owner\":\"urn:li:corpGroup:finance_team\",\"type\":\"DATAOWNER\"}]}")
    MCP(U_EMAILS, "schemaMetadata",
        SCHEMA(COLUMN("customer_id", "Unique customer identifier", "") ","
               COLUMN("email_address", "Primary email of the customer",
                      ",\"globalTags\":" TAGS("urn:li:tag:pii:email")) ","
               COLUMN("signup_date", "Day of the first order", "")))
    MCP(U_EMAILS, "editableDatasetProperties",
        "{\"description\":\"Curated contact emails, one row per customer.\"}")
    MCP(U_LEDGER, "datasetProperties",
        "{\"name\":\"general_ledger\",\"description\":\"Booked amounts per account.\"}")
    MCP(U_LEDGER, "globalTags", TAGS("urn:li:tag:team-finance"))
    MCP(U_LEDGER, "schemaMetadata",
        SCHEMA(COLUMN("amount_usd", "Amount in dollars", "") ","
               COLUMN("account_code", "Chart of accounts code", "")))
    MCP(U_CAMPAIGNS, "datasetProperties",
        "{\"name\":\"email_campaigns\",\"description\":"
        "\"Marketing email campaigns <b>sent</b> per week & more.\"}")
    MCP(U_SESSIONS, "datasetProperties", "{\"name\":\"web_sessions\"}")
    MCP(U_SESSIONS, "schemaMetadata",
        SCHEMA(COLUMN("session_id", "Session key", "") ","
               COLUMN("landing_page", "First page seen",
                      ",\"globalTags\":" TAGS("urn:li:tag:pii:email"))))
    MCP(U_RETIRED, "datasetProperties", "{\"name\":\"retired_orders_archive\"}")
    MCP(U_RETIRED, "status", "{\"removed\":true}");

static char *g_dir, *g_db, *g_log;
static int g_port;
static pid_t g_pid = -1;

static void start(void)
{
    g_dir = te_tmpdir("search");
    ck_assert_ptr_nonnull(g_dir);
    ck_assert_int_ge(asprintf(&g_db, "%s/index", g_dir), 0);
    ck_assert_int_ge(asprintf(&g_log, "%s/indexer.log", g_dir), 0);
    char *crafted = NULL;
    ck_assert_int_ge(asprintf(&crafted, "%s/crafted.jsonl", g_dir), 0);
    ck_assert_int_eq(se_write(crafted, CRAFTED), 0);

    size_t nf = 0;
    char **files = se_fixture_files(&nf);
    ck_assert_uint_gt(nf, 0);
    files = realloc(files, (nf + 1) * sizeof *files);
    files[nf++] = crafted;
    int rc = se_index(g_db, (const char *const *)files, nf, g_log);
    if (rc != 0) {
        char *log = te_read_file(g_log, NULL);
        ck_abort_msg("metadex-indexer exited %d:\n%s", rc, log ? log : "");
    }
    se_strv_free(files, nf); /* crafted is the last of them */

    static const char *const extra[] = {"--threads", "2", "--quiet", NULL};
    g_pid = te_start_searchd(g_db, extra, &g_port);
    ck_assert_int_gt(g_pid, 0);
}

static void stop(void)
{
    if (g_pid > 0)
        ck_assert_int_eq(te_stop(g_pid, SIGTERM), 0); /* a clean stop exits 0 */
    te_rmtree(g_dir);
    free(g_dir);
    free(g_db);
    free(g_log);
}

/* ---- helpers ------------------------------------------------------------ */

static long total_of(const json_t *res) { return (long)json_integer_value(json_object_get(res, "total")); }

/* Asserts that the URN set of a search equals `want` (NULL-terminated). */
static void assert_urns(char **got, size_t n, const char *const *want, const char *what)
{
    size_t nw = 0;
    while (want[nw])
        nw++;
    for (size_t i = 0; i < nw; i++) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(got[k], want[i]) == 0;
        ck_assert_msg(found, "%s: %s missing", what, want[i]);
    }
    ck_assert_msg(n == nw, "%s: %zu results, expected %zu", what, n, nw);
}

/* Pages through a search until urn appears; its overall rank or -1. */
static long find_rank(const char *q, const char *type, const char *urn, json_t **first_page)
{
    *first_page = NULL;
    for (int page = 0; page < 10; page++) {
        char off[16];
        snprintf(off, sizeof off, "%d", page * 100);
        json_t *res = se_search(g_port, "q", q, "type", type, "limit", "100", "offset", off,
                                NULL);
        long r = se_rank(res, urn);
        long total = total_of(res);
        if (page == 0)
            *first_page = res;
        else
            json_decref(res);
        if (r >= 0)
            return page * 100 + r;
        if ((page + 1) * 100 >= total)
            break;
    }
    return -1;
}

/* ---- found by name, exact name first, columns ---------------------------- */

/* A hit describes its entity as GET /v1/entities does: hits read states
 * without what they do not show (columns they did not match), and must not
 * lose anything they do show (column tags and terms count for the entity). */
static void assert_hit_is_entity(const json_t *hit, const json_t *ent, const char *urn)
{
    static const char *const same[] = {"type",      "name",       "qualifiedName", "platform",
                                       "origin",    "subTypes",   "container",     "popularity",
                                       "removed",   NULL};
    for (size_t k = 0; same[k]; k++)
        ck_assert_msg(json_equal(json_object_get(hit, same[k]), json_object_get(ent, same[k])),
                      "%s: the hit's %s differs from the entity's", urn, same[k]);
    static const char *const labels[] = {"owners", "tags", "glossaryTerms", "domains", NULL};
    for (size_t k = 0; labels[k]; k++) {
        const json_t *h = json_object_get(hit, labels[k]), *e = json_object_get(ent, labels[k]);
        ck_assert_msg(json_array_size(h) == json_array_size(e), "%s: %zu %s in the hit, %zu",
                      urn, json_array_size(h), labels[k], json_array_size(e));
        for (size_t i = 0; i < json_array_size(e); i++) {
            const json_t *v = json_array_get(e, i);
            const char *label = json_is_string(v) ? json_string_value(v)
                                                  : json_string_value(json_object_get(v, "label"));
            ck_assert_msg(label && se_array_has(h, label), "%s: %s '%s' missing from the hit", urn,
                          labels[k], label ? label : "?");
        }
    }
}

static const char *const TYPES[] = {"dataset", "dashboard", "chart", "dataJob", "dataFlow",
                                    "mlModel", "mlFeature", "mlFeatureTable", "glossaryTerm",
                                    "tag", "corpuser", "corpGroup", "domain", "container", NULL};

START_TEST(every_fixture_entity_is_found_by_name)
{
    size_t nf = 0;
    char **files = se_fixture_files(&nf);
    size_t seen = 0, indexed = 0, checked = 0, exact_first = 0, skipped = 0;
    for (size_t t = 0; TYPES[t]; t++) {
        size_t nu = 0;
        char **urns = se_fixture_urns(files, nf, TYPES[t], &nu);
        for (size_t i = 0; i < nu; i++) {
            seen++;
            long st = 0;
            json_t *ent = se_entity(g_port, urns[i], &st);
            ck_assert_msg(ent && (st == 200 || st == 404), "entity %s: status %ld", urns[i], st);
            if (st == 404 || json_is_true(json_object_get(ent, "removed"))) {
                json_decref(ent);
                continue;
            }
            indexed++;
            const char *name = json_string_value(json_object_get(ent, "name"));
            ck_assert_msg(name && *name, "%s has no name", urns[i]);
            if (strlen(name) > SD_Q_MAX_BYTES) {
                skipped++;
                json_decref(ent);
                continue;
            }
            json_t *page = NULL;
            long rank = find_rank(name, TYPES[t], urns[i], &page);
            json_t *query = json_object_get(page, "query");
            if (json_array_size(json_object_get(query, "words")) == 0) {
                skipped++; /* a name of punctuation only: nothing to search by */
            } else {
                ck_assert_msg(rank >= 0, "%s %s not found by its name \"%s\" (total %ld)",
                              TYPES[t], urns[i], name, total_of(page));
                const json_t *hit = rank < 100 ? se_hit(page, urns[i]) : NULL;
                if (hit)
                    assert_hit_is_entity(hit, ent, urns[i]);
                long exact = (long)json_integer_value(json_object_get(query, "exact_matches"));
                ck_assert_msg(exact >= 1, "\"%s\": the exact name of %s gave no exact match", name,
                              urns[i]);
                if (strcmp(TYPES[t], "dataset") == 0 && exact < SD_EXACT_FIRST_MAX) {
                    ck_assert_msg(rank < exact,
                                  "dataset %s is at rank %ld for its exact name \"%s\", after "
                                  "the %ld exact-name matches",
                                  urns[i], rank, name, exact);
                    if (exact == 1)
                        ck_assert_int_eq(rank, 0);
                    exact_first++;
                }
                checked++;
            }
            json_decref(page);
            json_decref(ent);
        }
        se_strv_free(urns, nu);
    }
    se_strv_free(files, nf);
    fprintf(stderr, "found by name: %zu fixture URNs, %zu indexed, %zu checked (%zu datasets "
                    "exact-first), %zu skipped\n",
            seen, indexed, checked, exact_first, skipped);
    ck_assert_uint_gt(checked, 100);
    ck_assert_uint_eq(checked + skipped, indexed);
    ck_assert_msg(indexed * 10 >= seen * 9, "only %zu of %zu fixture entities are indexed",
                  indexed, seen);
    ck_assert_uint_le(skipped * 100, checked);
}
END_TEST

START_TEST(an_exact_dataset_name_comes_first)
{
    /* Many datasets contain "orders"; the one named exactly so wins. */
    json_t *res = se_search(g_port, "q", "orders_legacy", NULL);
    ck_assert_int_eq(se_rank(res, U_LEGACY), 0);
    json_decref(res);
    /* The exact name matches whatever its case and separators look like. */
    res = se_search(g_port, "q", "ORDERS_LEGACY", NULL);
    ck_assert_int_eq(se_rank(res, U_LEGACY), 0);
    json_decref(res);
}
END_TEST

START_TEST(a_column_name_finds_its_dataset)
{
    size_t nf = 0;
    char **files = se_fixture_files(&nf);
    size_t nu = 0;
    char **urns = se_fixture_urns(files, nf, "dataset", &nu);
    size_t tried = 0;
    /* Every third dataset with columns, its longest column name. */
    for (size_t i = 0; i < nu; i += 3) {
        long st = 0;
        json_t *ent = se_entity(g_port, urns[i], &st);
        json_t *cols = json_object_get(ent, "columns");
        if (st != 200 || json_array_size(cols) == 0 || json_is_true(json_object_get(ent, "removed"))) {
            json_decref(ent);
            continue;
        }
        const char *path = NULL;
        for (size_t c = 0; c < json_array_size(cols); c++) {
            const char *p = json_string_value(json_object_get(json_array_get(cols, c), "path"));
            if (p && (!path || strlen(p) > strlen(path)) && strlen(p) < 200)
                path = p;
        }
        if (!path) {
            json_decref(ent);
            continue;
        }
        json_t *page = NULL;
        long rank = find_rank(path, "dataset", urns[i], &page);
        if (json_array_size(json_object_get(json_object_get(page, "query"), "words")) > 0) {
            ck_assert_msg(rank >= 0, "column \"%s\" does not find %s", path, urns[i]);
            if (rank < 100) {
                json_t *hit = se_hit(page, urns[i]);
                json_t *mc = json_object_get(hit, "matched_columns");
                int listed = 0;
                for (size_t c = 0; c < json_array_size(mc) && !listed; c++)
                    listed = strcmp(json_string_value(json_object_get(json_array_get(mc, c),
                                                                      "path")),
                                    path) == 0;
                ck_assert_msg(listed, "%s: column %s not in matched_columns", urns[i], path);
            }
            tried++;
        }
        json_decref(page);
        json_decref(ent);
    }
    se_strv_free(urns, nu);
    se_strv_free(files, nf);
    ck_assert_uint_gt(tried, 30);
}
END_TEST

START_TEST(matched_columns_lists_every_matching_column)
{
    json_t *res = se_search(g_port, "q", "email", "filter", "platform:mdxtest", NULL);
    json_t *hit = se_hit(res, U_EMAILS);
    ck_assert_ptr_nonnull(hit);
    json_t *mc = json_object_get(hit, "matched_columns");
    /* email_address matches by name and by description; customer_id and
     * signup_date hold no "email". */
    ck_assert_uint_eq(json_array_size(mc), 1);
    json_t *col = json_array_get(mc, 0);
    ck_assert_str_eq(json_string_value(json_object_get(col, "path")), "email_address");
    ck_assert_str_eq(json_string_value(json_object_get(col, "snippet")),
                     "<mark>email</mark>_address");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(col, "description")),
                                 "<mark>email</mark>"));
    json_decref(res);

    /* An identifier typed whole matches the column spelled with parts. */
    res = se_search(g_port, "q", "CustomerId", "filter", "platform:mdxtest", NULL);
    hit = se_hit(res, U_EMAILS);
    ck_assert_ptr_nonnull(hit);
    mc = json_object_get(hit, "matched_columns");
    int has_id = 0;
    for (size_t i = 0; i < json_array_size(mc); i++)
        has_id |= strcmp(json_string_value(json_object_get(json_array_get(mc, i), "path")),
                         "customer_id") == 0;
    ck_assert(has_id);
    json_decref(res);
}
END_TEST

START_TEST(descriptions_are_marked_and_escaped)
{
    json_t *res = se_search(g_port, "q", "campaigns", "filter", "platform:mdxtest", NULL);
    json_t *hit = se_hit(res, U_CAMPAIGNS);
    ck_assert_ptr_nonnull(hit);
    const char *d = json_string_value(json_object_get(hit, "description"));
    ck_assert_str_eq(d, "Marketing email <mark>campaigns</mark> &lt;b&gt;sent&lt;/b&gt; per "
                        "week &amp; more.");
    json_decref(res);
    /* Stems meet: "campaign" marks "campaigns". */
    res = se_search(g_port, "q", "campaign", "filter", "platform:mdxtest", NULL);
    hit = se_hit(res, U_CAMPAIGNS);
    ck_assert_ptr_nonnull(hit);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(hit, "description")),
                                 "<mark>campaigns</mark>"));
    json_decref(res);
}
END_TEST

/* ---- tags ------------------------------------------------------------------- */

START_TEST(tags_are_found_by_their_display_names)
{
    static const struct {
        const char *q, *urn, *label;
    } cases[] = {
        {"legacy data", U_LEGACY, "Legacy Data"},
        {"Legacy", U_LEGACY, "Legacy Data"},
        {"pii", U_EMAILS, "pii:email"},
        {"team finance", U_LEDGER, "team-finance"},
        {"team-finance", U_LEDGER, "team-finance"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *res = se_search(g_port, "q", cases[i].q, "limit", "100", NULL);
        json_t *hit = se_hit(res, cases[i].urn);
        ck_assert_msg(hit != NULL, "q=%s does not find %s", cases[i].q, cases[i].urn);
        json_t *mt = json_object_get(json_object_get(hit, "matched"), "tags");
        ck_assert_msg(se_array_has(mt, cases[i].label), "q=%s: matched.tags lacks %s", cases[i].q,
                      cases[i].label);
        ck_assert(se_array_has(json_object_get(hit, "tags"), cases[i].label));
        json_decref(res);
    }
    /* "email" finds the tagged table and the one that only says email. */
    json_t *res = se_search(g_port, "q", "email", "filter", "platform:mdxtest", NULL);
    ck_assert_int_ge(se_rank(res, U_EMAILS), 0);
    ck_assert_int_ge(se_rank(res, U_CAMPAIGNS), 0);
    json_decref(res);
}
END_TEST

START_TEST(tag_filters_are_exact)
{
    static const char *const pii[] = {U_EMAILS, U_SESSIONS, NULL};
    static const char *const legacy[] = {U_LEGACY, NULL};
    static const char *const values[] = {"tags:pii:email", "tags:urn:li:tag:pii:email", NULL};
    for (size_t v = 0; values[v]; v++) {
        size_t n = 0;
        char **got = se_all_urns(g_port, &n, "filter", values[v], "filter", "platform:mdxtest",
                                 NULL);
        assert_urns(got, n, pii, values[v]);
        se_strv_free(got, n);
    }
    size_t n = 0;
    char **got = se_all_urns(g_port, &n, "filter", "tags:Legacy Data", "filter",
                             "platform:mdxtest", NULL);
    assert_urns(got, n, legacy, "tags:Legacy Data");
    se_strv_free(got, n);
    /* Over the whole catalog, every hit carries the tag. */
    json_t *res = se_search(g_port, "filter", "tags:pii:email", "limit", "100", NULL);
    json_t *hits = json_object_get(res, "hits");
    ck_assert_uint_ge(json_array_size(hits), 2);
    for (size_t i = 0; i < json_array_size(hits); i++)
        ck_assert(se_array_has(json_object_get(json_array_get(hits, i), "tags"), "pii:email"));
    json_decref(res);
    /* A tag nobody has filters everything out. */
    res = se_search(g_port, "filter", "tags:no-such-tag-anywhere", NULL);
    ck_assert_int_eq(total_of(res), 0);
    json_decref(res);
}
END_TEST

/* ---- facets and filters ----------------------------------------------------- */

static void check_facets(const char *q)
{
    json_t *res = se_search(g_port, "q", q, "facets", "all", "facet_limit", "1000", NULL);
    long total = total_of(res);
    ck_assert(json_is_true(json_object_get(res, "total_exact")));
    json_t *facets = json_object_get(res, "facets");
    ck_assert_uint_ge(json_object_size(facets), 7);
    long type_sum = 0;
    size_t checked = 0;
    const char *field;
    json_t *vals;
    json_object_foreach(facets, field, vals) {
        for (size_t i = 0; i < json_array_size(vals); i++) {
            json_t *v = json_array_get(vals, i);
            const char *value = json_string_value(json_object_get(v, "value"));
            long count = (long)json_integer_value(json_object_get(v, "count"));
            ck_assert(json_is_string(json_object_get(v, "label")));
            ck_assert_int_gt(count, 0);
            char *filter = NULL;
            ck_assert_int_ge(asprintf(&filter, "%s:%s", field, value), 0);
            json_t *f = se_search(g_port, "q", q, "filter", filter, "limit", "1", NULL);
            ck_assert_msg(total_of(f) == count, "q=%s facet %s: count %ld, filtered total %ld",
                          q, filter, count, total_of(f));
            json_decref(f);
            free(filter);
            if (strcmp(field, "type") == 0)
                type_sum += count;
            checked++;
        }
    }
    /* Every entity has exactly one type. */
    ck_assert_int_eq(type_sum, total);
    ck_assert_uint_gt(checked, 5);
    json_decref(res);
}

START_TEST(facet_counts_equal_filtered_totals)
{
    check_facets("");
    check_facets("email");
    check_facets("customer orders");
}
END_TEST

START_TEST(facet_labels_and_errors)
{
    json_t *res = se_search(g_port, "q", "", "filter", "platform:mdxtest", "facets",
                            "tags,owners", NULL);
    json_t *tags = json_object_get(json_object_get(res, "facets"), "tags");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(tags); i++) {
        json_t *v = json_array_get(tags, i);
        if (strcmp(json_string_value(json_object_get(v, "value")), "urn:li:tag:pii:email") == 0) {
            ck_assert_str_eq(json_string_value(json_object_get(v, "label")), "pii:email");
            ck_assert_int_eq(json_integer_value(json_object_get(v, "count")), 2);
            seen = 1;
        }
    }
    ck_assert(seen);
    ck_assert_ptr_null(json_object_get(json_object_get(res, "facets"), "platform"));
    json_decref(res);
    /* Without facets= no facet is counted. */
    res = se_search(g_port, "q", "email", NULL);
    ck_assert_uint_eq(json_object_size(json_object_get(res, "facets")), 0);
    json_decref(res);
}
END_TEST

START_TEST(filters_and_across_fields_or_within)
{
    static const char *const dev[] = {U_LEDGER, NULL};
    size_t n = 0;
    char **got = se_all_urns(g_port, &n, "filter", "platform:mdxtest", "filter", "origin:DEV",
                             NULL);
    assert_urns(got, n, dev, "platform AND origin");
    se_strv_free(got, n);

    static const char *const either[] = {U_EMAILS, U_SESSIONS, U_LEGACY, NULL};
    got = se_all_urns(g_port, &n, "filter", "platform:mdxtest", "filter", "tags:pii:email",
                      "filter", "tags:Legacy Data", NULL);
    assert_urns(got, n, either, "platform AND (pii OR legacy)");
    se_strv_free(got, n);

    /* OR within a field adds up; type= is filter=type:. */
    json_t *a = se_search(g_port, "type", "dashboard", NULL);
    json_t *b = se_search(g_port, "filter", "type:chart", NULL);
    json_t *ab = se_search(g_port, "type", "dashboard", "filter", "type:chart", NULL);
    ck_assert_int_gt(total_of(a), 0);
    ck_assert_int_gt(total_of(b), 0);
    ck_assert_int_eq(total_of(ab), total_of(a) + total_of(b));
    json_decref(a);
    json_decref(b);
    json_decref(ab);

    /* Owners by id, whatever their kind (user or group). */
    static const char *const jdoe[] = {U_LEGACY, NULL};
    got = se_all_urns(g_port, &n, "filter", "owners:jdoe", "filter", "platform:mdxtest", NULL);
    assert_urns(got, n, jdoe, "owners:jdoe");
    se_strv_free(got, n);
    static const char *const fin[] = {U_EMAILS, NULL};
    got = se_all_urns(g_port, &n, "filter", "owners:finance_team", "filter", "platform:mdxtest",
                      NULL);
    assert_urns(got, n, fin, "owners:finance_team");
    se_strv_free(got, n);

    /* A value that exists in no exact form is matched folded. */
    got = se_all_urns(g_port, &n, "filter", "platform:mdxtest", "filter", "origin:dev", NULL);
    assert_urns(got, n, dev, "origin:dev");
    se_strv_free(got, n);
    got = se_all_urns(g_port, &n, "filter", "platform:MDXTEST", "filter", "owners:JDOE", NULL);
    assert_urns(got, n, jdoe, "owners:JDOE");
    se_strv_free(got, n);
}
END_TEST

/* ---- words --------------------------------------------------------------- */

START_TEST(all_words_must_match_then_words_are_dropped)
{
    /* Both words in one table. */
    json_t *res = se_search(g_port, "q", "email campaigns", "filter", "platform:mdxtest", NULL);
    ck_assert_int_eq(total_of(res), 1);
    ck_assert_int_eq(se_rank(res, U_CAMPAIGNS), 0);
    json_t *query = json_object_get(res, "query");
    ck_assert_str_eq(json_string_value(json_object_get(query, "mode")), "all");
    ck_assert_uint_eq(json_array_size(json_object_get(query, "dropped")), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(query, "words")), 2);
    json_decref(res);

    /* No table has both: the last word is dropped, and the answer says so. */
    res = se_search(g_port, "q", "campaigns ledger", "filter", "platform:mdxtest", NULL);
    ck_assert_int_eq(se_rank(res, U_CAMPAIGNS), 0);
    ck_assert_int_eq(total_of(res), 1);
    query = json_object_get(res, "query");
    ck_assert_str_eq(json_string_value(json_object_get(query, "mode")), "all");
    ck_assert(se_array_has(json_object_get(query, "dropped"), "ledger"));
    ck_assert_uint_eq(json_array_size(json_object_get(query, "dropped")), 1);
    json_decref(res);

    /* The first word matches nothing: any word may match. */
    res = se_search(g_port, "q", "zzqxnothing ledger", "filter", "platform:mdxtest", NULL);
    ck_assert_int_eq(se_rank(res, U_LEDGER), 0);
    query = json_object_get(res, "query");
    ck_assert_str_eq(json_string_value(json_object_get(query, "mode")), "any");
    json_decref(res);

    /* Nothing at all. */
    res = se_search(g_port, "q", "zzqxnothing zzqxnever", NULL);
    ck_assert_int_eq(total_of(res), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(res, "hits")), 0);
    json_decref(res);

    /* AND never finds more than one of its words. */
    json_t *one = se_search(g_port, "q", "customer", NULL);
    json_t *two = se_search(g_port, "q", "customer orders", NULL);
    if (strcmp(json_string_value(json_object_get(json_object_get(two, "query"), "mode")),
               "all") == 0 &&
        json_array_size(json_object_get(json_object_get(two, "query"), "dropped")) == 0)
        ck_assert_int_le(total_of(two), total_of(one));
    json_decref(one);
    json_decref(two);
}
END_TEST

START_TEST(paging_is_consistent)
{
    json_t *all = se_search(g_port, "q", "customer", "limit", "20", NULL);
    json_t *p1 = se_search(g_port, "q", "customer", "limit", "10", NULL);
    json_t *p2 = se_search(g_port, "q", "customer", "limit", "10", "offset", "10", NULL);
    json_t *ha = json_object_get(all, "hits");
    ck_assert_uint_eq(json_array_size(ha), 20);
    for (size_t i = 0; i < 20; i++) {
        json_t *p = i < 10 ? p1 : p2;
        const char *a = json_string_value(json_object_get(json_array_get(ha, i), "urn"));
        const char *b = json_string_value(
            json_object_get(json_array_get(json_object_get(p, "hits"), i % 10), "urn"));
        ck_assert_str_eq(a, b);
    }
    json_decref(all);
    json_decref(p1);
    json_decref(p2);
}
END_TEST

/* ---- removed, entities ------------------------------------------------------ */

START_TEST(removed_entities_are_hidden)
{
    json_t *res = se_search(g_port, "q", "retired_orders_archive", NULL);
    ck_assert_int_lt(se_rank(res, U_RETIRED), 0);
    json_decref(res);
    res = se_search(g_port, "q", "retired_orders_archive", "removed", "true", NULL);
    ck_assert_int_eq(se_rank(res, U_RETIRED), 0);
    json_decref(res);
    size_t n = 0;
    char **got = se_all_urns(g_port, &n, "filter", "platform:mdxtest", NULL);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_ne(got[i], U_RETIRED);
    se_strv_free(got, n);
    long st = 0;
    json_t *ent = se_entity(g_port, U_RETIRED, &st);
    ck_assert_int_eq(st, 200);
    ck_assert(json_is_true(json_object_get(ent, "removed")));
    json_decref(ent);
}
END_TEST

START_TEST(an_entity_is_returned_merged)
{
    long st = 0;
    json_t *ent = se_entity(g_port, U_EMAILS, &st);
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(json_string_value(json_object_get(ent, "urn")), U_EMAILS);
    ck_assert_str_eq(json_string_value(json_object_get(ent, "type")), "dataset");
    ck_assert_str_eq(json_string_value(json_object_get(ent, "name")), "customer_emails");
    ck_assert_str_eq(json_string_value(json_object_get(ent, "platform")), "mdxtest");
    /* The edited description wins for display. */
    ck_assert_str_eq(json_string_value(json_object_get(ent, "description")),
                     "Curated contact emails, one row per customer.");
    json_t *aspects = json_object_get(ent, "aspects");
    static const char *const names[] = {"datasetProperties", "editableDatasetProperties",
                                        "globalTags", "ownership", "schemaMetadata", NULL};
    for (size_t i = 0; names[i]; i++)
        ck_assert_msg(json_object_get(aspects, names[i]) != NULL, "aspect %s missing", names[i]);
    ck_assert_uint_eq(json_array_size(json_object_get(ent, "columns")), 3);
    json_t *tag = json_array_get(json_object_get(ent, "tags"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(tag, "urn")), "urn:li:tag:pii:email");
    ck_assert_str_eq(json_string_value(json_object_get(tag, "label")), "pii:email");
    json_decref(ent);

    ent = se_entity(g_port, DS("shop.no_such_table", "PROD"), &st);
    ck_assert_int_eq(st, 404);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ent, "error"), "code")),
                     "not_found");
    json_decref(ent);
}
END_TEST

START_TEST(browse_without_words_lists_everything_filtered)
{
    size_t n = 0;
    char **got = se_all_urns(g_port, &n, "filter", "platform:mdxtest", NULL);
    static const char *const all[] = {U_LEGACY, U_EMAILS, U_LEDGER, U_CAMPAIGNS, U_SESSIONS, NULL};
    assert_urns(got, n, all, "browse platform:mdxtest");
    se_strv_free(got, n);
    json_t *res = se_search(g_port, "q", "", NULL);
    json_t *h = se_get(g_port, NULL, "/healthz", NULL);
    /* Everything but removed entities. */
    ck_assert_int_gt(total_of(res), 0);
    ck_assert_int_le(total_of(res), (long)json_integer_value(json_object_get(h, "docs")));
    json_decref(res);
    json_decref(h);
}
END_TEST

/* /healthz shows the in-memory structures searches run on: the document
 * sets of the revision just searched, and that a ranking was made. */
START_TEST(health_shows_the_sets_searches_run_on)
{
    json_t *res = se_search(g_port, "q", "customer", NULL);
    ck_assert_int_gt(total_of(res), 0);
    json_decref(res);
    json_t *h = se_get(g_port, NULL, "/healthz", NULL);
    json_t *mem = json_object_get(h, "memory");
    ck_assert_ptr_nonnull(mem);
    json_t *ds = json_object_get(mem, "docsets"), *rk = json_object_get(mem, "rankings");
    ck_assert_int_eq(json_integer_value(json_object_get(ds, "revision")),
                     json_integer_value(json_object_get(h, "revision")));
    ck_assert_int_gt(json_integer_value(json_object_get(ds, "terms")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(ds, "bytes")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(rk, "scored_all")) +
                         json_integer_value(json_object_get(rk, "maxscore")) +
                         json_integer_value(json_object_get(rk, "walk")) +
                         json_integer_value(json_object_get(rk, "classes")),
                     0);
    ck_assert_ptr_nonnull(json_object_get(json_object_get(mem, "lexicon"), "words"));
    json_decref(h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("search");
    tcase_add_unchecked_fixture(tc, start, stop);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_fixture_entity_is_found_by_name);
    tcase_add_test(tc, an_exact_dataset_name_comes_first);
    tcase_add_test(tc, a_column_name_finds_its_dataset);
    tcase_add_test(tc, matched_columns_lists_every_matching_column);
    tcase_add_test(tc, descriptions_are_marked_and_escaped);
    tcase_add_test(tc, tags_are_found_by_their_display_names);
    tcase_add_test(tc, tag_filters_are_exact);
    tcase_add_test(tc, facet_counts_equal_filtered_totals);
    tcase_add_test(tc, facet_labels_and_errors);
    tcase_add_test(tc, filters_and_across_fields_or_within);
    tcase_add_test(tc, all_words_must_match_then_words_are_dropped);
    tcase_add_test(tc, paging_is_consistent);
    tcase_add_test(tc, health_shows_the_sets_searches_run_on);
    tcase_add_test(tc, removed_entities_are_hidden);
    tcase_add_test(tc, an_entity_is_returned_merged);
    tcase_add_test(tc, browse_without_words_lists_everything_filtered);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
