/* test_summary.c — what a summary reads from an entity's state: names,
 * columns (v2 paths reduced, edits merged), owners, tags, lineage, usage,
 * per entity type, from real DataHub fixtures and hand-written states; field
 * path reduction and URN labels; wrong shapes tolerated. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/summary.h"

/* ---- building states from fixture files ---------------------------------- */

/* "com.linkedin.pegasus2avro.dataset.DatasetProperties" → "datasetProperties" */
static void aspect_name(const char *cls, char *out, size_t cap)
{
    const char *dot = strrchr(cls, '.');
    snprintf(out, cap, "%s", dot ? dot + 1 : cls);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

static int is_timeseries(const char *name)
{
    return strcmp(name, "datasetUsageStatistics") == 0 ||
           strcmp(name, "dashboardUsageStatistics") == 0 ||
           strcmp(name, "chartUsageStatistics") == 0;
}

static void put_aspect(json_t *aspects, const char *name, json_t *value)
{
    if (is_timeseries(name)) {
        json_t *arr = json_object_get(aspects, name);
        if (!arr) {
            arr = json_array();
            json_object_set_new(aspects, name, arr);
        }
        json_array_append(arr, value);
    } else {
        json_object_set(aspects, name, value);
    }
}

/* The state of `urn` as the entity merge keeps it: every aspect the fixture
 * file holds for it (MCE snapshots and MCPs), timeseries as arrays. */
static json_t *fixture_state(const char *rel, const char *urn, const char *type)
{
    const char *dir = getenv("MDX_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures/datahub", rel);
    json_error_t jerr;
    json_t *events = json_load_file(path, 0, &jerr);
    ck_assert_msg(events != NULL, "%s: %s", path, jerr.text);
    json_t *aspects = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        json_t *snap = json_object_get(ev, "proposedSnapshot");
        if (snap) {
            const char *k;
            json_t *body;
            json_object_foreach(snap, k, body)
            {
                if (strcmp(json_string_value(json_object_get(body, "urn")), urn) != 0)
                    continue;
                size_t j;
                json_t *a;
                json_array_foreach(json_object_get(body, "aspects"), j, a)
                {
                    const char *cls;
                    json_t *val;
                    json_object_foreach(a, cls, val)
                    {
                        char name[128];
                        aspect_name(cls, name, sizeof name);
                        put_aspect(aspects, name, val);
                    }
                }
            }
            continue;
        }
        const char *eu = json_string_value(json_object_get(ev, "entityUrn"));
        const char *an = json_string_value(json_object_get(ev, "aspectName"));
        if (!eu || !an || strcmp(eu, urn) != 0)
            continue;
        json_t *asp = json_object_get(ev, "aspect");
        json_t *val = json_object_get(asp, "json");
        if (val) {
            put_aspect(aspects, an, val);
        } else {
            json_t *parsed = json_loads(json_string_value(json_object_get(asp, "value")), 0, &jerr);
            ck_assert_ptr_nonnull(parsed);
            put_aspect(aspects, an, parsed);
            json_decref(parsed);
        }
    }
    ck_assert_msg(json_object_size(aspects) > 0, "no aspects for %s in %s", urn, rel);
    json_t *state = json_pack("{s:s, s:s, s:o}", "urn", urn, "type", type, "aspects", aspects);
    json_decref(events);
    return state;
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    ck_assert_msg(v != NULL, "bad test JSON: %s", jerr.text);
    return v;
}

static int has(const sum_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return 1;
    return 0;
}

static const sum_column *column(const summary *s, const char *path)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strcmp(s->columns[i].path, path) == 0)
            return &s->columns[i];
    return NULL;
}

static void build(const json_t *state, summary *s)
{
    char err[256];
    ck_assert_msg(summary_build(state, s, err, sizeof err) == 0, "%s", err);
}

/* ---- real entities --------------------------------------------------------- */

START_TEST(hive_dataset_with_nested_columns)
{
    const char *urn = "urn:li:dataset:(urn:li:dataPlatform:hive,db1.nested_struct_test,PROD)";
    json_t *st = fixture_state("golden/hive/hive_mces_golden.json", urn, "dataset");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.urn, urn);
    ck_assert_str_eq(s.type, "dataset");
    ck_assert_str_eq(s.name, "nested_struct_test");
    ck_assert_str_eq(s.urn_name, "db1.nested_struct_test");
    ck_assert_str_eq(s.platform, "hive");
    ck_assert_str_eq(s.origin, "PROD");
    ck_assert_str_eq(s.container, "urn:li:container:ded36d15fcfbbb939830549697122661");
    ck_assert_uint_eq(s.subtypes.n, 1);
    ck_assert_str_eq(s.subtypes.v[0], "Table");
    ck_assert_int_eq(s.removed, 0);
    const char *paths[] = {"property_id",     "service",
                           "service.type",    "service.provider",
                           "service.provider.name", "service.provider.id"};
    ck_assert_uint_eq(s.ncolumns, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(s.columns[i].path, paths[i]);
    ck_assert_str_eq(column(&s, "service.provider.name")->native_type, "varchar(50)");
    ck_assert_str_eq(column(&s, "property_id")->native_type, "int");
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(dataset_owners_lineage_and_column_edits)
{
    const char *urn = "urn:li:dataset:(urn:li:dataPlatform:hdfs,SampleHdfsDataset,PROD)";
    json_t *st = fixture_state("examples/mce_files/bootstrap_mce.json", urn, "dataset");
    summary s;
    build(st, &s);
    /* No datasetProperties: the name comes from the URN. */
    ck_assert_str_eq(s.name, "SampleHdfsDataset");
    ck_assert_str_eq(s.platform, "hdfs");
    ck_assert_uint_eq(s.owners.n, 2);
    ck_assert(has(&s.owners, "urn:li:corpuser:jdoe"));
    ck_assert(has(&s.owners, "urn:li:corpuser:datahub"));
    ck_assert(has(&s.upstreams, "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"));
    ck_assert_uint_eq(s.ncolumns, 7);
    const sum_column *c = column(&s, "shipment_info");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->description, "Shipment info description");
    ck_assert_uint_eq(c->tags.n, 1);
    ck_assert_str_eq(c->tags.v[0], "urn:li:tag:Legacy");
    /* A column's tag is the entity's tag too. */
    ck_assert(has(&s.tags, "urn:li:tag:Legacy"));
    ck_assert_ptr_nonnull(column(&s, "shipment_info.geo_info.lat"));
    ck_assert_int_eq(s.updated_ms, 1747341257143LL);
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(dataset_usage_from_timeseries)
{
    const char *urn = "urn:li:dataset:(urn:li:dataPlatform:hive,SampleHiveDataset,PROD)";
    json_t *st = fixture_state("examples/mce_files/bootstrap_mce.json", urn, "dataset");
    summary s;
    build(st, &s);
    ck_assert(has(&s.tags, "urn:li:tag:Legacy"));
    ck_assert_double_eq(s.usage_queries, 2);
    ck_assert_double_eq(s.usage_users, 1);
    ck_assert_str_eq(column(&s, "field_foo")->description, "Foo field description");
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(corpuser_and_job)
{
    json_t *st = fixture_state("examples/mce_files/bootstrap_mce.json", "urn:li:corpuser:jdoe",
                               "corpuser");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.name, "John Doe");
    ck_assert_str_eq(s.urn_name, "jdoe");
    ck_assert_str_eq(s.qualified_name, "jdoe@linkedin.com");
    ck_assert(has(&s.descriptions, "Software Engineer"));
    summary_free(&s);
    json_decref(st);

    const char *job = "urn:li:dataJob:(urn:li:dataFlow:(airflow,dag_abc,PROD),task_123)";
    st = fixture_state("examples/mce_files/bootstrap_mce.json", job, "dataJob");
    build(st, &s);
    ck_assert_str_eq(s.name, "User Creations");
    ck_assert_str_eq(s.description, "Constructs the fct_users_created from logging_events");
    ck_assert(has(&s.upstreams, "urn:li:dataset:(urn:li:dataPlatform:hive,logging_events,PROD)"));
    ck_assert(has(&s.downstreams, "urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)"));
    ck_assert(has(&s.owners, "urn:li:corpuser:datahub"));
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(glossary_term_and_tag)
{
    json_t *st = fixture_state("examples/mce_files/bootstrap_mce.json",
                               "urn:li:glossaryTerm:CustomerAccount", "glossaryTerm");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.type, "glossaryTerm");
    ck_assert_str_eq(s.name, "CustomerAccount");
    ck_assert_ptr_nonnull(s.description);
    ck_assert_uint_gt(s.descriptions.n, 0);
    summary_free(&s);
    json_decref(st);

    st = fixture_state("examples/mce_files/bootstrap_mce.json", "urn:li:tag:Legacy", "tag");
    build(st, &s);
    ck_assert_str_eq(s.name, "Legacy");
    ck_assert_ptr_nonnull(s.description);
    summary_free(&s);
    json_decref(st);
}
END_TEST

/* ---- hand-written states -------------------------------------------------- */

START_TEST(edited_description_wins_both_searchable)
{
    json_t *st = parse(
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:snowflake,db.sales.orders,PROD)\","
        "\"type\":\"dataset\",\"aspects\":{"
        "\"datasetProperties\":{\"description\":\"ingested text\",\"qualifiedName\":\"DB.SALES.ORDERS\"},"
        "\"editableDatasetProperties\":{\"description\":\"edited text\"},"
        "\"schemaMetadata\":{\"fields\":["
        "{\"fieldPath\":\"[version=2.0].[type=struct].address.[type=string].zipcode\",\"description\":\"zip\"},"
        "{\"fieldPath\":\"[version=2.0].[key=True].[type=int].id\",\"nativeDataType\":\"NUMBER\"}]},"
        "\"editableSchemaMetadata\":{\"editableSchemaFieldInfo\":["
        "{\"fieldPath\":\"[version=2.0].[type=struct].address.[type=string].zipcode\","
        "\"description\":\"postal code\",\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:Address\"}]}},"
        "{\"fieldPath\":\"only_edited\",\"description\":\"a column only the editor knows\"}]},"
        "\"status\":{\"removed\":true}}}");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.name, "orders"); /* last dotted part of the URN name */
    ck_assert_str_eq(s.urn_name, "db.sales.orders");
    ck_assert_str_eq(s.qualified_name, "DB.SALES.ORDERS");
    ck_assert_str_eq(s.description, "edited text");
    ck_assert_uint_eq(s.descriptions.n, 2);
    ck_assert(has(&s.descriptions, "ingested text"));
    ck_assert(has(&s.descriptions, "edited text"));
    ck_assert_uint_eq(s.ncolumns, 3);
    const sum_column *zip = column(&s, "address.zipcode");
    ck_assert_ptr_nonnull(zip);
    ck_assert_str_eq(zip->description, "postal code");
    ck_assert(has(&zip->terms, "urn:li:glossaryTerm:Address"));
    ck_assert(has(&s.terms, "urn:li:glossaryTerm:Address"));
    ck_assert_str_eq(column(&s, "id")->native_type, "NUMBER");
    ck_assert_str_eq(column(&s, "only_edited")->description, "a column only the editor knows");
    ck_assert_int_eq(s.removed, 1);
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(name_sources_per_type)
{
    struct {
        const char *state, *name;
    } cases[] = {
        {"{\"urn\":\"urn:li:dashboard:(looker,dashboards.11)\",\"type\":\"dashboard\",\"aspects\":"
         "{\"dashboardInfo\":{\"title\":\"Revenue\"}}}",
         "Revenue"},
        {"{\"urn\":\"urn:li:chart:(looker,1)\",\"type\":\"chart\",\"aspects\":"
         "{\"chartInfo\":{\"title\":\"Weekly\"}}}",
         "Weekly"},
        {"{\"urn\":\"urn:li:corpuser:jdoe\",\"type\":\"corpuser\",\"aspects\":"
         "{\"corpUserInfo\":{\"firstName\":\"John\",\"lastName\":\"Doe\"}}}",
         "John Doe"},
        {"{\"urn\":\"urn:li:corpuser:jdoe\",\"type\":\"corpuser\",\"aspects\":"
         "{\"corpUserInfo\":{\"displayName\":\"John\"},\"corpUserEditableInfo\":{\"displayName\":\"Johnny\"}}}",
         "Johnny"},
        {"{\"urn\":\"urn:li:corpGroup:finance\",\"type\":\"corpGroup\",\"aspects\":"
         "{\"corpGroupInfo\":{\"displayName\":\"Finance Team\"}}}",
         "Finance Team"},
        {"{\"urn\":\"urn:li:domain:7c1e\",\"type\":\"domain\",\"aspects\":"
         "{\"domainProperties\":{\"name\":\"Marketing\"}}}",
         "Marketing"},
        {"{\"urn\":\"urn:li:container:abc\",\"type\":\"container\",\"aspects\":"
         "{\"containerProperties\":{\"name\":\"db1\",\"env\":\"PROD\"}}}",
         "db1"},
        {"{\"urn\":\"urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)\",\"type\":\"mlModel\","
         "\"aspects\":{\"mlModelProperties\":{\"name\":\"Churn v2\"}}}",
         "Churn v2"},
        {"{\"urn\":\"urn:li:glossaryTerm:Classification.Sensitive\",\"type\":\"glossaryTerm\","
         "\"aspects\":{}}",
         "Sensitive"},
        {"{\"urn\":\"urn:li:tag:pii:email\",\"type\":\"tag\",\"aspects\":{}}", "pii:email"},
        /* An empty title is no name. */
        {"{\"urn\":\"urn:li:chart:(looker,42)\",\"type\":\"chart\",\"aspects\":"
         "{\"chartInfo\":{\"title\":\"\"}}}",
         "42"},
        /* A type metadex does not know still gets a name from its URN. */
        {"{\"urn\":\"urn:li:thing:widget\",\"aspects\":{}}", "widget"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *st = parse(cases[i].state);
        summary s;
        build(st, &s);
        ck_assert_msg(strcmp(s.name, cases[i].name) == 0, "case %zu: %s != %s", i, s.name,
                      cases[i].name);
        summary_free(&s);
        json_decref(st);
    }
}
END_TEST

START_TEST(type_from_urn_and_container_origin)
{
    json_t *st = parse("{\"urn\":\"urn:li:container:abc\",\"aspects\":{"
                       "\"containerProperties\":{\"name\":\"db1\",\"env\":\"DEV\"},"
                       "\"dataPlatformInstance\":{\"platform\":\"urn:li:dataPlatform:hive\"}}}");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.type, "container");
    ck_assert_str_eq(s.origin, "DEV");
    ck_assert_str_eq(s.platform, "hive");
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(usage_rules)
{
    /* Day buckets are summed; unique users: the largest bucket. */
    json_t *st = parse(
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\","
        "\"aspects\":{\"datasetUsageStatistics\":["
        "{\"timestampMillis\":1,\"eventGranularity\":{\"unit\":\"DAY\"},\"totalSqlQueries\":10,\"uniqueUserCount\":3},"
        "{\"timestampMillis\":2,\"eventGranularity\":{\"unit\":\"DAY\"},\"totalSqlQueries\":5,\"uniqueUserCount\":4}]}}");
    summary s;
    build(st, &s);
    ck_assert_double_eq(s.usage_queries, 15);
    ck_assert_double_eq(s.usage_users, 4);
    ck_assert_int_eq(s.updated_ms, 2);
    summary_free(&s);
    json_decref(st);

    /* Absolute dashboard statistics are running totals: the latest counts. */
    st = parse("{\"urn\":\"urn:li:dashboard:(tableau,x)\",\"type\":\"dashboard\","
               "\"aspects\":{\"dashboardUsageStatistics\":["
               "{\"timestampMillis\":100,\"viewsCount\":3},{\"timestampMillis\":200,\"viewsCount\":7}]}}");
    build(st, &s);
    ck_assert_double_eq(s.usage_queries, 7);
    summary_free(&s);
    json_decref(st);

    /* usageFeatures holds the 30-day figures and wins. */
    st = parse("{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\","
               "\"aspects\":{\"usageFeatures\":{\"queryCountLast30Days\":40,\"viewCountLast30Days\":2,"
               "\"uniqueUserCountLast30Days\":6},"
               "\"datasetUsageStatistics\":[{\"eventGranularity\":{},\"totalSqlQueries\":999}]}}");
    build(st, &s);
    ck_assert_double_eq(s.usage_queries, 42);
    ck_assert_double_eq(s.usage_users, 6);
    summary_free(&s);
    json_decref(st);
}
END_TEST

START_TEST(common_aspects)
{
    json_t *st = parse(
        "{\"urn\":\"urn:li:dashboard:(looker,d1)\",\"type\":\"dashboard\",\"aspects\":{"
        "\"dashboardInfo\":{\"title\":\"T\",\"description\":\"ingested\",\"charts\":[\"urn:li:chart:(looker,1)\"],"
        "\"datasetEdges\":[{\"destinationUrn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\"}]},"
        "\"editableDashboardProperties\":{\"description\":\"edited\"},"
        "\"ownership\":{\"owners\":[{\"owner\":\"urn:li:corpuser:a\"},{\"owner\":\"urn:li:corpGroup:g\"},"
        "{\"owner\":\"urn:li:corpuser:a\"}]},"
        "\"globalTags\":{\"tags\":[{\"tag\":\"urn:li:tag:Legacy Data\"},{\"tag\":\"urn:li:tag:pii:email\"}]},"
        "\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:9f2c\"}]},"
        "\"domains\":{\"domains\":[\"urn:li:domain:sales\"]},"
        "\"subTypes\":{\"typeNames\":[\"Dashboard\",\"Workbook\"]},"
        "\"container\":{\"container\":\"urn:li:container:c1\"}}}");
    summary s;
    build(st, &s);
    ck_assert_str_eq(s.description, "edited");
    ck_assert_uint_eq(s.owners.n, 2); /* duplicates once */
    ck_assert(has(&s.tags, "urn:li:tag:Legacy Data"));
    ck_assert(has(&s.tags, "urn:li:tag:pii:email"));
    ck_assert(has(&s.terms, "urn:li:glossaryTerm:9f2c"));
    ck_assert(has(&s.domains, "urn:li:domain:sales"));
    ck_assert_uint_eq(s.subtypes.n, 2);
    ck_assert_str_eq(s.container, "urn:li:container:c1");
    ck_assert(has(&s.upstreams, "urn:li:chart:(looker,1)"));
    ck_assert(has(&s.upstreams, "urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)"));
    ck_assert_str_eq(s.platform, "looker");
    summary_free(&s);
    json_decref(st);
}
END_TEST

/* Shapes were checked upstream; whatever slips through is skipped, never a
 * crash or an error. */
START_TEST(wrong_shapes_tolerated)
{
    const char *states[] = {
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\","
        "\"aspects\":{\"ownership\":5,\"globalTags\":{\"tags\":\"x\"},\"glossaryTerms\":{\"terms\":[1,null,{}]},"
        "\"schemaMetadata\":{\"fields\":{}},\"editableSchemaMetadata\":{\"editableSchemaFieldInfo\":[7,{\"fieldPath\":3}]},"
        "\"datasetProperties\":{\"name\":12,\"description\":[]},\"status\":{\"removed\":\"yes\"},"
        "\"datasetUsageStatistics\":{\"totalSqlQueries\":\"many\"},\"domains\":[],\"subTypes\":{\"typeNames\":[1]},"
        "\"upstreamLineage\":{\"upstreams\":[{\"dataset\":{}}]},\"container\":{\"container\":1}}}",
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\",\"aspects\":[]}",
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":7}",
        "{\"urn\":\"not a urn\"}",
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        json_t *st = parse(states[i]);
        summary s;
        build(st, &s);
        ck_assert_ptr_nonnull(s.name);
        ck_assert_uint_gt(strlen(s.name), 0);
        ck_assert_ptr_nonnull(s.type);
        ck_assert_int_eq(s.removed, 0);
        summary_free(&s);
        json_decref(st);
    }
}
END_TEST

START_TEST(state_without_urn_is_an_error)
{
    json_t *st = parse("{\"type\":\"dataset\",\"aspects\":{}}");
    summary s;
    char err[128] = "";
    ck_assert_int_eq(summary_build(st, &s, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    json_decref(st);
}
END_TEST

START_TEST(wide_table_merges_edits)
{
    enum { N = 3000 };
    json_t *fields = json_array(), *edits = json_array();
    char path[64];
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "[version=2.0].[type=struct].col_%d", i);
        json_array_append_new(fields, json_pack("{s:s}", "fieldPath", path));
        if (i % 3 == 0)
            json_array_append_new(edits, json_pack("{s:s,s:s}", "fieldPath", path, "description",
                                                   "edited"));
    }
    json_t *st = json_pack("{s:s,s:s,s:{s:{s:o},s:{s:o}}}", "urn",
                           "urn:li:dataset:(urn:li:dataPlatform:hive,w.t,PROD)", "type", "dataset",
                           "aspects", "schemaMetadata", "fields", fields, "editableSchemaMetadata",
                           "editableSchemaFieldInfo", edits);
    summary s;
    build(st, &s);
    ck_assert_uint_eq(s.ncolumns, N);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "col_%d", i);
        ck_assert_str_eq(s.columns[i].path, path);
        if (i % 3 == 0)
            ck_assert_str_eq(s.columns[i].description, "edited");
        else
            ck_assert_ptr_null(s.columns[i].description);
    }
    summary_free(&s);
    json_decref(st);
}
END_TEST

/* ---- field paths and labels ---------------------------------------------- */

START_TEST(field_path_reduction)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"[version=2.0].[type=struct].address.[type=string].zipcode", "address.zipcode"},
        {"[version=2.0].[key=True].[type=int].id", "id"},
        {"[version=2.0].[type=union].[type=array].[type=struct].items.[type=long].qty", "items.qty"},
        {"address.zipcode", "address.zipcode"},
        {"plain", "plain"},
        {"a..b", "a..b"},
        {"weird[0].name", "weird[0].name"},
        {"[version=2.0].[type=map].[type=string].tags[key]", "tags[key]"},
        {"[version=2.0].[type=int]", ""},
        {"", ""},
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = summary_field_path(cases[i].in, out, sizeof out);
        ck_assert_int_eq(n, (int)strlen(cases[i].out));
        ck_assert_str_eq(out, cases[i].out);
    }
    /* Too small: an error, never a truncated name. */
    ck_assert_int_eq(summary_field_path("[version=2.0].address.zipcode", out, 8), -1);
    ck_assert_int_eq(summary_field_path("address", out, 7), -1);
    ck_assert_int_eq(summary_field_path("address", out, 8), 7);
    ck_assert_int_eq(summary_field_path("x", out, 0), -1);
}
END_TEST

START_TEST(urn_labels)
{
    ck_assert_str_eq(summary_urn_label("urn:li:tag:Legacy Data"), "Legacy Data");
    ck_assert_str_eq(summary_urn_label("urn:li:tag:pii:email"), "pii:email");
    ck_assert_str_eq(summary_urn_label("urn:li:corpuser:jdoe"), "jdoe");
    ck_assert_str_eq(summary_urn_label("urn:li:corpuser:john.doe@acme.com"), "john.doe@acme.com");
    ck_assert_str_eq(summary_urn_label("urn:li:glossaryTerm:Classification.Sensitive"),
                     "Classification.Sensitive");
    ck_assert_str_eq(summary_urn_label("urn:li:glossaryTerm:9f2c6a0e-3c1d"), "9f2c6a0e-3c1d");
    ck_assert_str_eq(summary_urn_label("urn:li:domain:sales"), "sales");
    ck_assert_str_eq(summary_urn_label("Legacy"), "Legacy");
    ck_assert_str_eq(summary_urn_label("urn:li:tag:"), "urn:li:tag:");
    ck_assert_str_eq(summary_urn_label("urn:li"), "urn:li");
}
END_TEST

START_TEST(short_names)
{
    json_t *st = parse("{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:s3,bucket/dir/data.csv,PROD)\","
                       "\"type\":\"dataset\",\"aspects\":{}}");
    summary s;
    build(st, &s);
    ck_assert_str_eq(summary_short_name(&s), "data.csv");
    ck_assert_str_eq(s.name, "data.csv");
    summary_free(&s);
    json_decref(st);
    /* An e-mail-like user id is not a dotted path. */
    st = parse("{\"urn\":\"urn:li:corpuser:john.doe@acme.com\",\"type\":\"corpuser\",\"aspects\":{}}");
    build(st, &s);
    ck_assert_str_eq(summary_short_name(&s), "john.doe@acme.com");
    ck_assert_str_eq(s.name, "john.doe@acme.com");
    summary_free(&s);
    json_decref(st);
}
END_TEST

static Suite *summary_suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, hive_dataset_with_nested_columns);
    tcase_add_test(tc, dataset_owners_lineage_and_column_edits);
    tcase_add_test(tc, dataset_usage_from_timeseries);
    tcase_add_test(tc, corpuser_and_job);
    tcase_add_test(tc, glossary_term_and_tag);
    suite_add_tcase(s, tc);
    tc = tcase_create("states");
    tcase_add_test(tc, edited_description_wins_both_searchable);
    tcase_add_test(tc, name_sources_per_type);
    tcase_add_test(tc, type_from_urn_and_container_origin);
    tcase_add_test(tc, usage_rules);
    tcase_add_test(tc, common_aspects);
    tcase_add_test(tc, wrong_shapes_tolerated);
    tcase_add_test(tc, state_without_urn_is_an_error);
    tcase_add_test(tc, wide_table_merges_edits);
    suite_add_tcase(s, tc);
    tc = tcase_create("strings");
    tcase_add_test(tc, field_path_reduction);
    tcase_add_test(tc, urn_labels);
    tcase_add_test(tc, short_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(summary_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
