/* test_gen.c — the benchmark corpus generator (bench/gen_*.c) makes the
 * catalog it promises: deterministic bytes, valid DataHub MCP lines, the
 * planned mix of entity types, 5–60 columns, long-tailed usage, skewed
 * ownership, references that resolve, partially colliding names, and a
 * query mix whose targets and typos are what they claim to be. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_catalog.h"
#include "bench/gen_json.h"

#define N_ENTITIES 2000L
#define SEED 11

typedef struct output {
    char *catalog, *queries;
    size_t catalog_len, queries_len;
    gen_stats stats;
    int rc;
    char err[256];
} output;

static void generate(uint64_t seed, long n, int with_queries, output *o)
{
    memset(o, 0, sizeof *o);
    gen_options opt = {.seed = seed, .entities = n, .now_ms = GEN_DEFAULT_NOW_MS, .queries = 500};
    FILE *c = open_memstream(&o->catalog, &o->catalog_len);
    FILE *q = with_queries ? open_memstream(&o->queries, &o->queries_len) : NULL;
    ck_assert_ptr_nonnull(c);
    o->rc = gen_catalog_write(&opt, c, q, &o->stats, o->err, sizeof o->err);
    fclose(c);
    if (q)
        fclose(q);
}

static void output_free(output *o)
{
    free(o->catalog);
    free(o->queries);
}

/* One catalog for the read-only tests, made once before they fork. */
static output g_out;
static json_t *g_events;  /* every line, parsed */
static json_t *g_types;   /* urn → entity type */
static json_t *g_queries; /* query lines, parsed */
static long g_bad_lines;

static json_t *parse_lines(const char *buf, size_t len, long *bad)
{
    json_t *arr = json_array();
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t e;
        json_t *v = json_loadb(p, n, 0, &e);
        if (v)
            json_array_append_new(arr, v);
        else
            (*bad)++;
        p += n + 1;
    }
    return arr;
}

static void setup_catalog(void)
{
    generate(SEED, N_ENTITIES, 1, &g_out);
    if (g_out.rc != 0)
        return;
    g_events = parse_lines(g_out.catalog, g_out.catalog_len, &g_bad_lines);
    long bad_q = 0;
    g_queries = parse_lines(g_out.queries, g_out.queries_len, &bad_q);
    g_bad_lines += bad_q;
    g_types = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        const char *urn = json_string_value(json_object_get(ev, "entityUrn"));
        json_t *type = json_object_get(ev, "entityType");
        if (urn && json_is_string(type) && !json_object_get(g_types, urn))
            json_object_set(g_types, urn, type);
    }
}

static void teardown_catalog(void)
{
    json_decref(g_events);
    json_decref(g_types);
    json_decref(g_queries);
    output_free(&g_out);
}

static const char *str_at(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

static json_t *aspect_json(json_t *ev)
{
    return json_object_get(json_object_get(ev, "aspect"), "json");
}

static int is_type(const char *urn, const char *type)
{
    const char *t = json_string_value(json_object_get(g_types, urn));
    return t && strcmp(t, type) == 0;
}

/* A v2 path to a field inside a record: "...address.[type=string].zipcode". */
static int is_nested_child(const char *path)
{
    if (strncmp(path, "[version=2.0]", 13) != 0)
        return 0;
    for (const char *p = strstr(path, ".[type="); p; p = strstr(p + 1, ".[type="))
        if (p[-1] != ']')
            return 1;
    return 0;
}

static int cmp_long_desc(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x < y) - (x > y);
}

static size_t osa(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t *d = calloc((n + 1) * (m + 1), sizeof *d);
#define D(i, j) d[(i) * (m + 1) + (j)]
    for (size_t i = 0; i <= n; i++)
        D(i, 0) = i;
    for (size_t j = 0; j <= m; j++)
        D(0, j) = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (D(i - 1, j - 1) + (a[i - 1] != b[j - 1]) < v)
                v = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    size_t r = D(n, m);
#undef D
    free(d);
    return r;
}

START_TEST(test_json_strings_round_trip)
{
    /* Every control byte, quotes, backslashes and UTF-8, at offsets that
     * cross the writer's 8-byte scanning steps. */
    char in[400];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++) {
        in[n++] = 'a' + (char)(c % 26);
        in[n++] = (char)c;
    }
    const char *tail = "plain text \"quoted\" back\\slash Données 注文 ⚠️ end";
    memcpy(in + n, tail, strlen(tail));
    n += strlen(tail);
    for (size_t start = 0; start < 9; start++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        gen_json j;
        ck_assert_int_eq(gen_json_init(&j, f), 0);
        gen_json_strn(&j, in + start, n - start);
        ck_assert_int_eq(gen_json_flush(&j), 0);
        gen_json_free(&j);
        fclose(f);
        json_error_t e;
        json_t *v = json_loadb(buf, len, JSON_DECODE_ANY, &e);
        ck_assert_msg(v != NULL, "%s: %s", e.text, buf);
        ck_assert_uint_eq(json_string_length(v), n - start);
        ck_assert(memcmp(json_string_value(v), in + start, n - start) == 0);
        json_decref(v);
        free(buf);
    }
}
END_TEST

START_TEST(test_same_seed_same_bytes_other_seed_other_bytes)
{
    output a, b, c, d;
    generate(5, N_ENTITIES, 0, &a);
    generate(5, N_ENTITIES, 0, &b);
    generate(6, N_ENTITIES, 0, &c);
    generate(5, N_ENTITIES, 1, &d);
    ck_assert_int_eq(a.rc, 0);
    ck_assert_int_eq(b.rc, 0);
    ck_assert_int_eq(c.rc, 0);
    ck_assert_int_eq(d.rc, 0);
    ck_assert_uint_gt(a.catalog_len, 100000);
    ck_assert_uint_eq(a.catalog_len, b.catalog_len);
    ck_assert(memcmp(a.catalog, b.catalog, a.catalog_len) == 0);
    ck_assert(c.catalog_len != a.catalog_len || memcmp(a.catalog, c.catalog, a.catalog_len) != 0);
    /* Asking for the query mix leaves the catalog untouched. */
    ck_assert_uint_eq(a.catalog_len, d.catalog_len);
    ck_assert(memcmp(a.catalog, d.catalog, a.catalog_len) == 0);
    output_free(&a);
    output_free(&b);
    output_free(&c);
    output_free(&d);
}
END_TEST

START_TEST(test_every_line_is_an_mcp_event)
{
    ck_assert_msg(g_out.rc == 0, "generator failed: %s", g_out.err);
    ck_assert_int_eq(g_bad_lines, 0);
    ck_assert_int_eq((long long)json_array_size(g_events), g_out.stats.events);
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        ck_assert(json_is_object(ev));
        const char *urn = str_at(ev, "entityUrn", NULL);
        ck_assert_ptr_nonnull(str_at(ev, "entityType", NULL));
        ck_assert_ptr_nonnull(urn);
        ck_assert_msg(strncmp(urn, "urn:li:", 7) == 0, "%s", urn);
        ck_assert_str_eq(str_at(ev, "changeType", NULL), "UPSERT");
        ck_assert_ptr_nonnull(str_at(ev, "aspectName", NULL));
        ck_assert(json_is_object(aspect_json(ev)));
    }
}
END_TEST

START_TEST(test_entity_counts_match_the_plan)
{
    long plan[GEN_T_COUNT], seen[GEN_T_COUNT] = {0}, total = 0;
    char err[128];
    ck_assert_int_eq(gen_catalog_plan(N_ENTITIES, plan, err, sizeof err), 0);
    const char *urn;
    json_t *type;
    json_object_foreach(g_types, urn, type)
    {
        int t;
        for (t = 0; t < GEN_T_COUNT; t++)
            if (strcmp(json_string_value(type), GEN_TYPE_NAMES[t]) == 0)
                break;
        ck_assert_msg(t < GEN_T_COUNT, "unexpected type %s", json_string_value(type));
        seen[t]++;
        total++;
        /* URN kind matches the entity type: urn:li:<type>:... */
        char prefix[64];
        snprintf(prefix, sizeof prefix, "urn:li:%s:", GEN_TYPE_NAMES[t]);
        ck_assert_msg(strncmp(urn, prefix, strlen(prefix)) == 0, "%s is not a %s", urn, prefix);
    }
    ck_assert_int_eq(total, N_ENTITIES);
    for (int t = 0; t < GEN_T_COUNT; t++) {
        ck_assert_msg(seen[t] == plan[t] && seen[t] == g_out.stats.entities[t],
                      "%s: %ld seen, %ld planned", GEN_TYPE_NAMES[t], seen[t], plan[t]);
        ck_assert_int_gt(seen[t], 0);
    }
    /* The catalog mix: mostly datasets, ~5% BI, ~3% pipelines. */
    ck_assert_int_ge(seen[GEN_T_DATASET], N_ENTITIES * 75 / 100);
    ck_assert_int_le(seen[GEN_T_DATASET], N_ENTITIES * 92 / 100);
    long bi = seen[GEN_T_DASHBOARD] + seen[GEN_T_CHART],
         jobs = seen[GEN_T_DATAFLOW] + seen[GEN_T_DATAJOB];
    ck_assert_int_ge(bi, N_ENTITIES * 4 / 100);
    ck_assert_int_le(bi, N_ENTITIES * 6 / 100);
    ck_assert_int_ge(jobs, N_ENTITIES * 2 / 100);
    ck_assert_int_le(jobs, N_ENTITIES * 4 / 100);
}
END_TEST

START_TEST(test_too_few_entities_is_a_clear_error)
{
    output o;
    generate(1, GEN_MIN_ENTITIES - 1, 0, &o);
    ck_assert_int_eq(o.rc, -1);
    ck_assert_msg(strstr(o.err, "--entities") != NULL, "%s", o.err);
    output_free(&o);
}
END_TEST

START_TEST(test_schemas_have_5_to_60_columns)
{
    size_t i;
    json_t *ev;
    long schemas = 0, nested = 0, described = 0, tagged = 0;
    json_array_foreach(g_events, i, ev)
    {
        if (strcmp(str_at(ev, "aspectName", NULL), "schemaMetadata") != 0)
            continue;
        schemas++;
        json_t *fields = json_object_get(aspect_json(ev), "fields");
        size_t n = json_array_size(fields);
        ck_assert_msg(n >= 5 && n <= 60, "%s has %zu columns", str_at(ev, "entityUrn", NULL), n);
        json_t *paths = json_object();
        size_t k;
        json_t *f;
        int has_nested = 0;
        json_array_foreach(fields, k, f)
        {
            const char *path = str_at(f, "fieldPath", NULL);
            ck_assert_ptr_nonnull(path);
            ck_assert_ptr_nonnull(str_at(f, "nativeDataType", NULL));
            ck_assert(json_is_object(json_object_get(json_object_get(f, "type"), "type")));
            ck_assert_msg(!json_object_get(paths, path), "duplicate column %s", path);
            json_object_set_new(paths, path, json_true());
            has_nested |= is_nested_child(path);
            described += json_object_get(f, "description") != NULL;
            tagged += json_object_get(f, "globalTags") != NULL;
        }
        nested += has_nested;
        json_decref(paths);
    }
    ck_assert_int_eq(schemas, g_out.stats.entities[GEN_T_DATASET]);
    ck_assert_int_gt(nested, 0);
    ck_assert_int_gt(described, 0);
    ck_assert_int_gt(tagged, 0);
}
END_TEST

START_TEST(test_usage_is_long_tailed)
{
    json_t *queries = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        if (strcmp(str_at(ev, "aspectName", NULL), "datasetUsageStatistics") != 0)
            continue;
        json_t *a = aspect_json(ev);
        ck_assert(json_is_integer(json_object_get(a, "timestampMillis")));
        long long ts = json_integer_value(json_object_get(a, "timestampMillis"));
        ck_assert(ts < GEN_DEFAULT_NOW_MS && ts >= GEN_DEFAULT_NOW_MS - 30LL * 86400000LL);
        const char *urn = str_at(ev, "entityUrn", NULL);
        json_int_t q = json_integer_value(json_object_get(a, "totalSqlQueries"));
        json_int_t prev = json_integer_value(json_object_get(queries, urn));
        json_object_set_new(queries, urn, json_integer(prev + q));
    }
    size_t n = json_object_size(queries), k = 0;
    ck_assert_uint_gt(n, (size_t)g_out.stats.entities[GEN_T_DATASET] / 2);
    long *v = malloc(n * sizeof *v), total = 0;
    const char *urn;
    json_t *q;
    json_object_foreach(queries, urn, q)
    {
        v[k] = (long)json_integer_value(q);
        total += v[k++];
    }
    qsort(v, n, sizeof *v, cmp_long_desc);
    long median = v[n / 2], max = v[0], top = 0;
    for (size_t j = 0; j < (n + 99) / 100; j++)
        top += v[j];
    ck_assert_msg(median <= 10, "median %ld", median);
    ck_assert_msg(max >= 100 * (median > 0 ? median : 1), "max %ld, median %ld", max, median);
    ck_assert_msg(top * 10 >= total * 3, "top 1%% hold %ld of %ld queries", top, total);
    free(v);
    json_decref(queries);
}
END_TEST

START_TEST(test_a_few_owners_own_many_datasets)
{
    json_t *owned = json_object(); /* user → datasets owned */
    long datasets = g_out.stats.entities[GEN_T_DATASET];
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        if (strcmp(str_at(ev, "aspectName", NULL), "ownership") != 0)
            continue;
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(aspect_json(ev), "owners"), k, o)
        {
            const char *owner = str_at(o, "owner", NULL);
            ck_assert_ptr_nonnull(owner);
            /* Owners are people and groups of this catalog. */
            ck_assert_msg(is_type(owner, "corpuser") || is_type(owner, "corpGroup"), "%s", owner);
            if (is_type(owner, "corpuser") && is_type(str_at(ev, "entityUrn", NULL), "dataset")) {
                json_t *set = json_object_get(owned, owner);
                if (!set)
                    json_object_set_new(owned, owner, set = json_object());
                json_object_set_new(set, str_at(ev, "entityUrn", NULL), json_true());
            }
        }
    }
    /* Top 1% of all users (rounded up) by datasets owned. */
    long users = g_out.stats.entities[GEN_T_CORPUSER];
    size_t ntop = (size_t)((users + 99) / 100), n = json_object_size(owned);
    const char **who = malloc(n * sizeof *who);
    long *count = malloc(n * sizeof *count);
    size_t k = 0;
    const char *user;
    json_t *set;
    json_object_foreach(owned, user, set)
    {
        who[k] = user;
        count[k++] = (long)json_object_size(set);
    }
    json_t *top = json_object();
    for (size_t t = 0; t < ntop && t < n; t++) {
        size_t best = 0;
        for (size_t j = 1; j < n; j++)
            if (count[j] > count[best])
                best = j;
        const char *durn;
        json_t *x;
        json_object_foreach(json_object_get(owned, who[best]), durn, x)
            json_object_set(top, durn, x);
        count[best] = -1;
    }
    ck_assert_msg((long)json_object_size(top) * 10 >= datasets,
                  "top %zu users own %zu of %ld datasets", ntop, json_object_size(top), datasets);
    json_decref(top);
    free(who);
    free(count);
    json_decref(owned);
}
END_TEST

static void check_urn(const char *urn, const char *type, const char *where)
{
    ck_assert_msg(urn && is_type(urn, type), "%s points to %s, not a %s of the catalog", where,
                  urn ? urn : "(null)", type);
}

START_TEST(test_references_resolve)
{
    json_t *seen_datasets = json_object();
    size_t i;
    json_t *ev;
    long lineage = 0;
    json_array_foreach(g_events, i, ev)
    {
        const char *aspect = str_at(ev, "aspectName", NULL), *urn = str_at(ev, "entityUrn", NULL);
        json_t *a = aspect_json(ev), *x;
        size_t k;
        if (strcmp(aspect, "upstreamLineage") == 0) {
            json_array_foreach(json_object_get(a, "upstreams"), k, x)
            {
                const char *up = str_at(x, "dataset", NULL);
                check_urn(up, "dataset", urn);
                /* Lineage points back in the stream: upstreams come first. */
                ck_assert_msg(json_object_get(seen_datasets, up) != NULL, "%s before %s", urn, up);
                lineage++;
            }
        } else if (strcmp(aspect, "globalTags") == 0) {
            json_array_foreach(json_object_get(a, "tags"), k, x)
                check_urn(str_at(x, "tag", NULL), "tag", urn);
        } else if (strcmp(aspect, "glossaryTerms") == 0) {
            json_array_foreach(json_object_get(a, "terms"), k, x)
                check_urn(str_at(x, "urn", NULL), "glossaryTerm", urn);
        } else if (strcmp(aspect, "domains") == 0) {
            json_array_foreach(json_object_get(a, "domains"), k, x)
                check_urn(json_string_value(x), "domain", urn);
        } else if (strcmp(aspect, "container") == 0) {
            check_urn(str_at(a, "container", NULL), "container", urn);
        } else if (strcmp(aspect, "chartInfo") == 0) {
            json_array_foreach(json_object_get(a, "inputs"), k, x)
                check_urn(str_at(x, "string", NULL), "dataset", urn);
        } else if (strcmp(aspect, "dashboardInfo") == 0) {
            json_array_foreach(json_object_get(a, "charts"), k, x)
                check_urn(json_string_value(x), "chart", urn);
        } else if (strcmp(aspect, "dataJobInputOutput") == 0) {
            json_array_foreach(json_object_get(a, "inputDatasets"), k, x)
                check_urn(json_string_value(x), "dataset", urn);
            json_array_foreach(json_object_get(a, "outputDatasets"), k, x)
                check_urn(json_string_value(x), "dataset", urn);
            json_array_foreach(json_object_get(a, "inputDatajobs"), k, x)
                check_urn(json_string_value(x), "dataJob", urn);
        } else if (strcmp(aspect, "schemaMetadata") == 0) {
            json_array_foreach(json_object_get(a, "fields"), k, x)
            {
                size_t m;
                json_t *t;
                json_array_foreach(json_object_get(json_object_get(x, "globalTags"), "tags"), m, t)
                    check_urn(str_at(t, "tag", NULL), "tag", urn);
                json_array_foreach(json_object_get(json_object_get(x, "glossaryTerms"), "terms"), m,
                                   t) check_urn(str_at(t, "urn", NULL), "glossaryTerm", urn);
            }
        }
        if (is_type(urn, "dataset"))
            json_object_set_new(seen_datasets, urn, json_true());
    }
    ck_assert_int_gt(lineage, g_out.stats.entities[GEN_T_DATASET] / 4);
    json_decref(seen_datasets);
}
END_TEST

/* name → occurrences, from datasetProperties. */
static json_t *dataset_names(void)
{
    json_t *names = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        if (strcmp(str_at(ev, "aspectName", NULL), "datasetProperties") != 0)
            continue;
        const char *name = str_at(aspect_json(ev), "name", NULL);
        ck_assert_ptr_nonnull(name);
        json_int_t c = json_integer_value(json_object_get(names, name));
        json_object_set_new(names, name, json_integer(c + 1));
    }
    return names;
}

START_TEST(test_names_collide_partially)
{
    json_t *names = dataset_names();
    long repeated = 0, contained = 0;
    const char *a, *b;
    json_t *ca, *cb;
    json_object_foreach(names, a, ca)
    {
        repeated += json_integer_value(ca) > 1;
        size_t la = strlen(a);
        json_object_foreach(names, b, cb)
        {
            /* "orders" inside "stg_orders", "orders_v2", "customer_orders". */
            const char *at = strstr(b, a);
            if (at && strlen(b) > la && (at == b || at[-1] == '_') &&
                (at[la] == '\0' || at[la] == '_'))
                contained++;
        }
    }
    ck_assert_int_ge(repeated, 20);
    ck_assert_int_ge(contained, 100);
    json_decref(names);
}
END_TEST

START_TEST(test_queries_say_what_they_are)
{
    ck_assert_int_eq((long long)json_array_size(g_queries), g_out.stats.queries);
    ck_assert_int_eq(g_out.stats.queries, 500);
    json_t *names = dataset_names();
    json_t *name_of = json_object(), *columns = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(g_events, i, ev)
    {
        const char *aspect = str_at(ev, "aspectName", NULL);
        if (strcmp(aspect, "datasetProperties") == 0) {
            json_object_set(name_of, str_at(ev, "entityUrn", NULL),
                            json_object_get(aspect_json(ev), "name"));
        } else if (strcmp(aspect, "schemaMetadata") == 0) {
            size_t k;
            json_t *f;
            json_array_foreach(json_object_get(aspect_json(ev), "fields"), k, f)
                json_object_set_new(columns, str_at(f, "fieldPath", NULL), json_true());
        }
    }
    static const char *const kinds[] = {"exact", "partial", "column", "owner",
                                        "tag",   "typo1",   "typo2",  "prefix"};
    long per_kind[8] = {0};
    json_t *q;
    json_array_foreach(g_queries, i, q)
    {
        const char *text = str_at(q, "q", NULL), *kind = str_at(q, "kind", NULL);
        json_t *target = json_object_get(q, "target");
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_nonnull(kind);
        ck_assert(json_is_string(target) || json_is_null(target));
        size_t k;
        for (k = 0; k < 8 && strcmp(kind, kinds[k]) != 0; k++)
            ;
        ck_assert_msg(k < 8, "kind %s", kind);
        per_kind[k]++;
        const char *t = json_string_value(target);
        const char *name = t ? json_string_value(json_object_get(name_of, t)) : NULL;
        if (!strcmp(kind, "exact")) {
            ck_assert_str_eq(text, name);
            ck_assert_int_eq(json_integer_value(json_object_get(names, name)), 1);
        } else if (!strcmp(kind, "prefix")) {
            ck_assert_ptr_nonnull(name);
            ck_assert(strlen(text) >= 3 && strlen(text) < strlen(name));
            ck_assert(strncmp(text, name, strlen(text)) == 0);
        } else if (!strcmp(kind, "partial")) {
            ck_assert_ptr_nonnull(name);
        } else if (!strcmp(kind, "typo1") || !strcmp(kind, "typo2")) {
            ck_assert_ptr_nonnull(name);
            json_int_t edits = json_integer_value(json_object_get(q, "edits"));
            ck_assert_int_eq(edits, kind[4] - '0');
            ck_assert_msg(osa(text, name) == (size_t)edits, "%s vs %s", text, name);
            ck_assert_msg(json_object_get(names, text) == NULL, "typo %s is a real name", text);
        } else if (!strcmp(kind, "column")) {
            ck_assert(json_is_null(target));
            ck_assert_msg(json_object_get(columns, text) != NULL, "no column %s", text);
        } else if (!strcmp(kind, "owner")) {
            check_urn(t, "corpuser", text);
        } else {
            check_urn(t, "tag", text);
        }
    }
    for (size_t k = 0; k < 8; k++)
        ck_assert_msg(per_kind[k] > 0, "no %s queries", kinds[k]);
    json_decref(names);
    json_decref(name_of);
    json_decref(columns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gen");
    TCase *tc = tcase_create("catalog");
    tcase_add_unchecked_fixture(tc, setup_catalog, teardown_catalog);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_json_strings_round_trip);
    tcase_add_test(tc, test_same_seed_same_bytes_other_seed_other_bytes);
    tcase_add_test(tc, test_every_line_is_an_mcp_event);
    tcase_add_test(tc, test_entity_counts_match_the_plan);
    tcase_add_test(tc, test_too_few_entities_is_a_clear_error);
    tcase_add_test(tc, test_schemas_have_5_to_60_columns);
    tcase_add_test(tc, test_usage_is_long_tailed);
    tcase_add_test(tc, test_a_few_owners_own_many_datasets);
    tcase_add_test(tc, test_references_resolve);
    tcase_add_test(tc, test_names_collide_partially);
    tcase_add_test(tc, test_queries_say_what_they_are);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
