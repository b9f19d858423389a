/* test_entity.c — the aspect table and shape checks, how events change an
 * entity's state (upsert, patch, delete, timeseries buckets, removed), and
 * every event of the real DataHub fixtures applied in order.
 * JSON in the tables is written with ' for " to stay readable. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/aspects.h"
#include "model/entity.h"
#include "model/event.h"

static json_t *q(const char *text)
{
    char *s = strdup(text);
    ck_assert_ptr_nonnull(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t jerr;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(v != NULL, "test JSON: %s: %s", jerr.text, s);
    free(s);
    return v;
}

/* ---- the aspect table ----------------------------------------------- */

START_TEST(test_lookup)
{
    ck_assert_int_eq(aspect_lookup("datasetProperties"), ASPECT_PLAIN);
    ck_assert_int_eq(aspect_lookup("schemaMetadata"), ASPECT_PLAIN);
    ck_assert_int_eq(aspect_lookup("usageFeatures"), ASPECT_PLAIN);
    ck_assert_int_eq(aspect_lookup("datasetUsageStatistics"), ASPECT_TIMESERIES);
    ck_assert_int_eq(aspect_lookup("chartUsageStatistics"), ASPECT_TIMESERIES);
    ck_assert_int_eq(aspect_lookup("datasetKey"), ASPECT_KEY);
    ck_assert_int_eq(aspect_lookup("tagKey"), ASPECT_KEY);
    ck_assert_int_eq(aspect_lookup("dataProcessInstanceKey"), ASPECT_KEY);
    ck_assert_int_eq(aspect_lookup("datasetProfile"), ASPECT_UNKNOWN);
    ck_assert_int_eq(aspect_lookup("browsePaths"), ASPECT_UNKNOWN);
    ck_assert_int_eq(aspect_lookup("Key"), ASPECT_UNKNOWN);
    ck_assert_int_eq(aspect_lookup(NULL), ASPECT_UNKNOWN);
    ck_assert_int_eq(aspect_entity_type_known("dataset"), 1);
    ck_assert_int_eq(aspect_entity_type_known("corpuser"), 1);
    ck_assert_int_eq(aspect_entity_type_known("container"), 1);
    ck_assert_int_eq(aspect_entity_type_known("dataProcessInstance"), 0);
    ck_assert_int_eq(aspect_entity_type_known(NULL), 0);
}
END_TEST

typedef struct shape_case {
    const char *aspect, *value;
    const char *reason; /* NULL: valid */
} shape_case;

static const shape_case shapes[] = {
    {"datasetProperties", "{'name':'t','description':'d','customProperties':{}}", NULL},
    {"datasetProperties", "[1]", "datasetProperties: expected an object"},
    {"datasetProperties", "{'name':5}", "datasetProperties.name: expected a string"},
    {"datasetProperties", "{'customProperties':[]}",
     "datasetProperties.customProperties: expected an object"},
    {"schemaMetadata", "{'fields':[{'fieldPath':'a'},{'fieldPath':'b'}]}", NULL},
    {"schemaMetadata", "{'fields':{}}", "schemaMetadata.fields: expected an array"},
    {"schemaMetadata", "{'fields':[{'fieldPath':'a'},{'fieldPath':'b'},{'fieldPath':'c'},{'x':1}]}",
     "schemaMetadata.fields[3].fieldPath: expected a string"},
    {"schemaMetadata", "{'fields':[7]}", "schemaMetadata.fields[0]: expected an object"},
    {"globalTags", "{'tags':[{'tag':'urn:li:tag:pii:email'}]}", NULL},
    {"globalTags", "{'tags':[{'tag':'pii'}]}", "globalTags.tags[0].tag: not a valid URN"},
    {"globalTags", "{'tags':[{'context':'x'}]}", "globalTags.tags[0].tag: expected a string"},
    {"glossaryTerms", "{'terms':[{'urn':'urn:li:glossaryTerm:a'}]}", NULL},
    {"glossaryTerms", "{'terms':[{'urn':'urn:li:glossaryTerm:(a'}]}",
     "glossaryTerms.terms[0].urn: not a valid URN (unbalanced"},
    {"ownership", "{'owners':[{'owner':'urn:li:corpuser:a','type':'DATAOWNER'}]}", NULL},
    {"ownership", "{'owners':[{'type':'DATAOWNER'}]}", "ownership.owners[0].owner: expected a string"},
    {"status", "{'removed':true}", NULL},
    {"status", "{}", NULL},
    {"status", "{'removed':'yes'}", "status.removed: expected a boolean"},
    {"upstreamLineage", "{'upstreams':[{'dataset':'urn:li:dataset:(urn:li:dataPlatform:a,b,PROD)'}]}",
     NULL},
    {"upstreamLineage", "{'upstreams':[{'type':'COPY'}]}",
     "upstreamLineage.upstreams[0].dataset: expected a string"},
    {"subTypes", "{'typeNames':['View']}", NULL},
    {"subTypes", "{'typeNames':[1]}", "subTypes.typeNames[0]: expected a string"},
    {"domains", "{'domains':['urn:li:domain:x']}", NULL},
    {"domains", "{'domains':[{}]}", "domains.domains[0]: expected a string"},
    {"container", "{'container':'urn:li:container:abc'}", NULL},
    {"container", "{}", "container.container: missing"},
    {"datasetUsageStatistics", "{'timestampMillis':1700000000000,'uniqueUserCount':3}", NULL},
    {"datasetUsageStatistics", "{'uniqueUserCount':3}", "datasetUsageStatistics.timestampMillis: missing"},
    {"dashboardUsageStatistics", "{'timestampMillis':'x'}",
     "dashboardUsageStatistics.timestampMillis: expected a number"},
    {"datasetKey", "{'platform':'urn:li:dataPlatform:hive','name':'t','origin':'PROD'}", NULL},
    {"datasetKey", "'x'", "datasetKey: expected an object"},
    {"someOtherKey", "[]", "someOtherKey: expected an object"},
    /* aspects metadex does not keep are not checked */
    {"datasetProfile", "[1,2]", NULL},
};

START_TEST(test_shapes)
{
    const shape_case *c = &shapes[_i];
    json_t *v = q(c->value);
    char err[256] = "";
    int rc = aspect_check(c->aspect, v, err, sizeof err);
    if (!c->reason) {
        ck_assert_msg(rc == 0, "%s %s: %s", c->aspect, c->value, err);
    } else {
        ck_assert_msg(rc == -1, "%s %s: accepted", c->aspect, c->value);
        ck_assert_msg(strstr(err, c->reason) != NULL, "reason \"%s\", expected \"%s\"", err,
                      c->reason);
    }
    json_decref(v);
}
END_TEST

/* ---- applying events ------------------------------------------------ */

#define URN1 "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)"

/* Decodes an MCP built from its parts (the aspect JSON with ' for "). */
static void mcp(ev_event *ev, const char *change, const char *aspect, const char *json)
{
    json_t *o = json_pack("{s:s,s:s}", "entityUrn", URN1, "changeType", change);
    if (aspect)
        json_object_set_new(o, "aspectName", json_string(aspect));
    if (json)
        json_object_set_new(o, "aspect", json_pack("{s:o}", "json", q(json)));
    char err[256];
    ck_assert_msg(ev_decode(o, ev, err, sizeof err) == 0, "%s", err);
    json_decref(o);
}

static int apply(json_t **state, const char *change, const char *aspect, const char *json,
                 char *err, size_t errlen)
{
    ev_event ev;
    mcp(&ev, change, aspect, json);
    int rc = entity_apply(state, &ev, err, errlen);
    ev_free(&ev);
    return rc;
}

static const json_t *aspect_of(const json_t *state, const char *name)
{
    return json_object_get(json_object_get(state, "aspects"), name);
}

START_TEST(test_new_state)
{
    json_t *s = entity_new(URN1, "dataset");
    json_t *want = q("{'urn':'" URN1 "','type':'dataset','aspects':{},'ignored':0}");
    ck_assert(json_equal(s, want));
    json_decref(want);
    json_decref(s);
}
END_TEST

START_TEST(test_upsert_replaces)
{
    json_t *s = NULL;
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "datasetProperties", "{'name':'a','description':'x'}",
                           err, sizeof err),
                     ENT_APPLIED);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(json_string_value(json_object_get(s, "urn")), URN1);
    ck_assert_str_eq(json_string_value(json_object_get(s, "type")), "dataset");
    ck_assert_int_eq(apply(&s, "UPSERT", "datasetProperties", "{'name':'b'}", err, sizeof err),
                     ENT_APPLIED);
    json_t *want = q("{'name':'b'}");
    ck_assert(json_equal(aspect_of(s, "datasetProperties"), want));
    json_decref(want);
    json_decref(s);
}
END_TEST

START_TEST(test_unknown_aspects_counted)
{
    json_t *s = NULL;
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "datasetProfile", "{'rowCount':5}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "UPSERT", "browsePaths", "{'paths':[]}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_ptr_null(aspect_of(s, "datasetProfile"));
    ck_assert_int_eq(json_integer_value(json_object_get(s, "ignored")), 2);
    json_decref(s);
}
END_TEST

START_TEST(test_bad_shape_leaves_state)
{
    json_t *s = NULL;
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "globalTags", "{'tags':[{'tag':'urn:li:tag:a'}]}", err,
                           sizeof err),
                     ENT_APPLIED);
    json_t *before = json_deep_copy(s);
    ck_assert_int_eq(apply(&s, "UPSERT", "globalTags", "{'tags':[{'tag':'nope'}]}", err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "globalTags.tags[0].tag: not a valid URN") != NULL, "%s", err);
    ck_assert(json_equal(s, before));
    json_decref(before);
    json_decref(s);
}
END_TEST

START_TEST(test_patch_applies)
{
    json_t *s = NULL;
    char err[512];
    /* a patch can build an aspect from nothing */
    ck_assert_int_eq(apply(&s, "PATCH", "globalTags",
                           "[{'op':'add','path':'/tags/urn:li:tag:a','value':{'tag':'urn:li:tag:a'}}]",
                           err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "PATCH", "globalTags",
                           "[{'op':'add','path':'/tags/urn:li:tag:b','value':{'tag':'urn:li:tag:b'}},"
                           "{'op':'remove','path':'/tags/urn:li:tag:a'}]",
                           err, sizeof err),
                     ENT_APPLIED);
    json_t *want = q("{'tags':[{'tag':'urn:li:tag:b'}]}");
    ck_assert(json_equal(aspect_of(s, "globalTags"), want));
    json_decref(want);
    /* a patch whose result has the wrong shape is refused */
    json_t *before = json_deep_copy(s);
    ck_assert_int_eq(apply(&s, "PATCH", "globalTags",
                           "[{'op':'add','path':'/tags/-','value':{'tag':'bad'}}]", err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "globalTags.tags[1].tag: not a valid URN") != NULL, "%s", err);
    ck_assert(json_equal(s, before));
    /* a patch that does not apply is refused with the reason */
    ck_assert_int_eq(apply(&s, "PATCH", "globalTags",
                           "[{'op':'test','path':'/tags/urn:li:tag:b','value':{}}]", err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "globalTags: patch does not apply: operation 0 (test") != NULL, "%s",
                  err);
    ck_assert(json_equal(s, before));
    json_decref(before);
    json_decref(s);
}
END_TEST

START_TEST(test_deletes)
{
    json_t *s = NULL;
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "status", "{'removed':false}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "UPSERT", "subTypes", "{'typeNames':['View']}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "DELETE", "subTypes", NULL, err, sizeof err), ENT_APPLIED);
    ck_assert_ptr_null(aspect_of(s, "subTypes"));
    ck_assert_ptr_nonnull(aspect_of(s, "status"));
    /* deleting an aspect it never had, or one metadex does not keep */
    ck_assert_int_eq(apply(&s, "DELETE", "domains", NULL, err, sizeof err), ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "DELETE", "datasetProfile", NULL, err, sizeof err), ENT_APPLIED);
    ck_assert_int_eq(json_integer_value(json_object_get(s, "ignored")), 0);
    /* another type's key aspect is only an aspect */
    ck_assert_int_eq(apply(&s, "UPSERT", "chartKey", "{'dashboardTool':'x','chartId':'1'}", err,
                           sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "DELETE", "chartKey", NULL, err, sizeof err), ENT_APPLIED);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(aspect_of(s, "chartKey"));
    /* the entity's own key aspect takes the entity with it */
    ck_assert_int_eq(apply(&s, "DELETE", "datasetKey", NULL, err, sizeof err), ENT_DELETED);
    ck_assert_ptr_null(s);
    /* so does a DELETE without an aspect */
    ck_assert_int_eq(apply(&s, "UPSERT", "status", "{'removed':false}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(apply(&s, "DELETE", NULL, NULL, err, sizeof err), ENT_DELETED);
    ck_assert_ptr_null(s);
    /* and of an entity never seen */
    ck_assert_int_eq(apply(&s, "DELETE", NULL, NULL, err, sizeof err), ENT_DELETED);
}
END_TEST

/* corpuser's key aspect is corpUserKey: the names differ in case. */
START_TEST(test_delete_key_case)
{
    json_t *o = q("{'entityUrn':'urn:li:corpuser:jdoe','changeType':'UPSERT','aspectName':"
                  "'corpUserInfo','aspect':{'json':{'displayName':'J'}}}");
    ev_event ev;
    char err[256];
    ck_assert_int_eq(ev_decode(o, &ev, err, sizeof err), 0);
    json_t *s = NULL;
    ck_assert_int_eq(entity_apply(&s, &ev, err, sizeof err), ENT_APPLIED);
    ev_free(&ev);
    json_decref(o);
    o = q("{'entityUrn':'urn:li:corpuser:jdoe','changeType':'DELETE','aspectName':'corpUserKey'}");
    ck_assert_int_eq(ev_decode(o, &ev, err, sizeof err), 0);
    ck_assert_int_eq(entity_apply(&s, &ev, err, sizeof err), ENT_DELETED);
    ck_assert_ptr_null(s);
    ev_free(&ev);
    json_decref(o);
}
END_TEST

START_TEST(test_removed)
{
    json_t *s = NULL;
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "datasetProperties", "{}", err, sizeof err), ENT_APPLIED);
    ck_assert_int_eq(entity_is_removed(s), 0);
    ck_assert_int_eq(apply(&s, "UPSERT", "status", "{'removed':true}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(entity_is_removed(s), 1);
    ck_assert_int_eq(apply(&s, "UPSERT", "status", "{'removed':false}", err, sizeof err),
                     ENT_APPLIED);
    ck_assert_int_eq(entity_is_removed(s), 0);
    ck_assert_int_eq(entity_is_removed(NULL), 0);
    json_decref(s);
}
END_TEST

#define DAY 86400000LL

static void usage(json_t **s, long long ts, int users)
{
    char buf[128];
    snprintf(buf, sizeof buf, "{'timestampMillis':%lld,'uniqueUserCount':%d}", ts, users);
    char err[256];
    ck_assert_int_eq(apply(s, "UPSERT", "datasetUsageStatistics", buf, err, sizeof err),
                     ENT_APPLIED);
}

static void assert_buckets(const json_t *s, const char *want_ts_users)
{
    const json_t *b = aspect_of(s, "datasetUsageStatistics");
    ck_assert(json_is_array(b));
    char got[512] = "";
    size_t i;
    const json_t *x;
    json_array_foreach(b, i, x)
    {
        char one[64];
        snprintf(one, sizeof one, "%s%lld:%lld", i ? " " : "",
                 (long long)json_integer_value(json_object_get(x, "timestampMillis")) / DAY,
                 (long long)json_integer_value(json_object_get(x, "uniqueUserCount")));
        strcat(got, one);
    }
    ck_assert_str_eq(got, want_ts_users);
}

START_TEST(test_timeseries_buckets)
{
    json_t *s = NULL;
    long long base = 20000 * DAY;
    usage(&s, base + 5 * DAY, 5);
    usage(&s, base + 1 * DAY, 1);
    usage(&s, base + 3 * DAY, 3);
    assert_buckets(s, "20001:1 20003:3 20005:5"); /* sorted by time */
    usage(&s, base + 3 * DAY, 33);
    assert_buckets(s, "20001:1 20003:33 20005:5"); /* same time replaces */
    usage(&s, base + 33 * DAY, 7);
    assert_buckets(s, "20003:33 20005:5 20033:7"); /* 30 days before the newest kept */
    usage(&s, base - 10 * DAY, 9);
    assert_buckets(s, "20003:33 20005:5 20033:7"); /* too old to keep */
    char err[256];
    ck_assert_int_eq(apply(&s, "PATCH", "datasetUsageStatistics",
                           "[{'op':'add','path':'/uniqueUserCount','value':1}]", err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "not supported") != NULL, "%s", err);
    ck_assert_int_eq(apply(&s, "DELETE", "datasetUsageStatistics", NULL, err, sizeof err),
                     ENT_APPLIED);
    ck_assert_ptr_null(aspect_of(s, "datasetUsageStatistics"));
    json_decref(s);
}
END_TEST

START_TEST(test_snapshot_all_or_nothing)
{
    json_t *o = q("{'proposedSnapshot':{'com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot':"
                  "{'urn':'" URN1 "','aspects':["
                  "{'com.linkedin.pegasus2avro.dataset.DatasetProperties':{'name':'ok'}},"
                  "{'com.linkedin.pegasus2avro.common.GlobalTags':{'tags':[{'tag':'bad'}]}}]}}}");
    ev_event ev;
    char err[256];
    ck_assert_int_eq(ev_decode(o, &ev, err, sizeof err), 0);
    json_t *s = NULL;
    ck_assert_int_eq(entity_apply(&s, &ev, err, sizeof err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "globalTags.tags[0].tag") != NULL, "%s", err);
    ev_free(&ev);
    json_decref(o);
}
END_TEST

START_TEST(test_wrong_state)
{
    json_t *s = entity_new("urn:li:tag:other", "tag");
    char err[256];
    ck_assert_int_eq(apply(&s, "UPSERT", "status", "{'removed':false}", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "applied to the state of urn:li:tag:other") != NULL, "%s", err);
    json_decref(s);
}
END_TEST

/* ---- the real DataHub fixtures --------------------------------------- */

typedef struct fixture_run {
    json_t *states; /* urn -> state, for the file being applied */
    long events, applied, deleted;
    char first_error[700];
} fixture_run;

static int apply_item(void *ctx, json_t *obj, const char *raw, size_t rawlen, const char *perr)
{
    fixture_run *r = ctx;
    (void)rawlen;
    r->events++;
    ev_event ev;
    char err[400];
    if (!obj || ev_decode(obj, &ev, err, sizeof err) != 0) {
        if (!r->first_error[0])
            snprintf(r->first_error, sizeof r->first_error, "%s: %.200s", obj ? err : perr, raw);
        return 0;
    }
    json_t *state = json_incref(json_object_get(r->states, ev.urn));
    int rc = entity_apply(&state, &ev, err, sizeof err);
    if (rc < 0) {
        if (!r->first_error[0])
            snprintf(r->first_error, sizeof r->first_error, "apply: %s: %.200s", err, raw);
    } else if (rc == ENT_DELETED) {
        r->deleted++;
        json_object_del(r->states, ev.urn);
    } else {
        r->applied++;
        json_object_set(r->states, ev.urn, state);
    }
    json_decref(state);
    ev_free(&ev);
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Applies one fixture file (relative to MDX_FIXTURES) to fresh states. */
static void run_fixture(const char *path, fixture_run *r)
{
    size_t len;
    char *buf = read_file(path, &len);
    ck_assert_msg(buf != NULL, "cannot read %s", path);
    memset(r, 0, sizeof *r);
    r->states = json_object();
    ck_assert_int_ge(ev_split(buf, len, apply_item, r), 1);
    free(buf);
    ck_assert_msg(!r->first_error[0], "%s: %s", path, r->first_error);
}

static long g_files, g_events, g_entities;

static int visit_fixture(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t pl = strlen(path);
    if (flag != FTW_F || pl < 5 || strcmp(path + pl - 5, ".json") != 0)
        return 0;
    fixture_run r;
    run_fixture(path, &r);
    ck_assert_int_eq(r.applied + r.deleted, r.events);
    g_files++;
    g_events += r.events;
    g_entities += (long)json_object_size(r.states);
    json_decref(r.states);
    return 0;
}

START_TEST(test_fixtures_apply)
{
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_msg(dir != NULL, "MDX_FIXTURES is not set (run through tests/run-suite)");
    g_files = g_events = g_entities = 0;
    ck_assert_int_eq(nftw(dir, visit_fixture, 16, FTW_PHYS), 0);
    ck_assert_int_gt(g_files, 20);
    ck_assert_int_gt(g_events, 2000);
    fprintf(stderr, "fixtures: %ld files, %ld events applied, %ld entities\n", g_files, g_events,
            g_entities);
}
END_TEST

static const json_t *fixture_aspect(const char *rel, const char *urn, const char *aspect,
                                    fixture_run *r)
{
    char path[1024];
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_ptr_nonnull(dir);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    run_fixture(path, r);
    const json_t *state = json_object_get(r->states, urn);
    ck_assert_msg(state != NULL, "no entity %s in %s", urn, rel);
    const json_t *a = aspect_of(state, aspect);
    ck_assert_msg(a != NULL, "%s of %s missing", aspect, urn);
    return a;
}

static int has_member_value(const json_t *arr, const char *member, const char *value)
{
    size_t i;
    const json_t *el;
    json_array_foreach(arr, i, el)
    {
        const json_t *v = member ? json_object_get(el, member) : el;
        if (json_is_string(v) && !strcmp(json_string_value(v), value))
            return 1;
    }
    return 0;
}

#define NIFI_FLOW "urn:li:dataFlow:(nifi,803ebb92-017d-1000-2961-4bdaa27a3ba0,PROD)"

START_TEST(test_fixture_nifi_patch)
{
    fixture_run r;
    const json_t *io = fixture_aspect(
        "golden/nifi/nifi_mces_golden_standalone.json",
        "urn:li:dataJob:(" NIFI_FLOW ",aed63edf-e660-3f29-b56b-192cf6286889)",
        "dataJobInputOutput", &r);
    ck_assert(has_member_value(json_object_get(io, "inputDatajobEdges"), "destinationUrn",
                               "urn:li:dataJob:(" NIFI_FLOW ",91d59f03-1c2b-3f3f-48bc-f89296a328bd)"));
    const json_t *io2 = aspect_of(
        json_object_get(r.states, "urn:li:dataJob:(" NIFI_FLOW ",91d59f03-1c2b-3f3f-48bc-f89296a328bd)"),
        "dataJobInputOutput");
    ck_assert_ptr_nonnull(io2);
    ck_assert(has_member_value(json_object_get(io2, "inputDatasetEdges"), "destinationUrn",
                               "urn:li:dataset:(urn:li:dataPlatform:s3,enriched-topical-chat,PROD)"));
    ck_assert_uint_eq(json_array_size(json_object_get(io2, "inputDatajobEdges")), 1);
    json_decref(r.states);
}
END_TEST

START_TEST(test_fixture_powerbi_patch)
{
    fixture_run r;
    const json_t *info = fixture_aspect(
        "golden/powerbi/golden_test_ingest.json",
        "urn:li:dashboard:(powerbi,dashboards.7D668CAD-7FFC-4505-9215-655BCA5BEBAE)",
        "dashboardInfo", &r);
    ck_assert_str_eq(json_string_value(json_object_get(info, "title")), "test_dashboard");
    ck_assert_str_eq(json_string_value(json_object_get(info, "description")),
                     "Description of test dashboard");
    const json_t *cp = json_object_get(info, "customProperties");
    ck_assert_str_eq(json_string_value(json_object_get(cp, "chartCount")), "2");
    ck_assert_str_eq(json_string_value(json_object_get(cp, "workspaceName")), "demo-workspace");
    const json_t *charts = json_object_get(info, "charts");
    ck_assert_uint_eq(json_array_size(charts), 2);
    ck_assert(has_member_value(charts, NULL,
                               "urn:li:chart:(powerbi,charts.B8E293DC-0C83-4AA0-9BB9-0A8738DF24A0)"));
    json_decref(r.states);
}
END_TEST

#define DBT_PG "urn:li:dataset:(urn:li:dataPlatform:postgres,pagila.dbt_postgres.an-aliased-view-for-monthly-billing,PROD)"
#define DBT_DBT "urn:li:dataset:(urn:li:dataPlatform:dbt,pagila.dbt_postgres.an-aliased-view-for-monthly-billing,PROD)"

START_TEST(test_fixture_dbt_lineage_patch)
{
    fixture_run r;
    const json_t *ul = fixture_aspect("golden/dbt/dbt_enabled_with_schemas_mces_golden.json", DBT_PG,
                                      "upstreamLineage", &r);
    const json_t *ups = json_object_get(ul, "upstreams");
    ck_assert(has_member_value(ups, "dataset", DBT_DBT));
    /* the patched column lineage: amount <- dbt amount */
    const json_t *fgl = json_object_get(ul, "fineGrainedLineages");
    int found = 0;
    size_t i;
    const json_t *el;
    json_array_foreach(fgl, i, el)
    {
        if (has_member_value(json_object_get(el, "downstreams"), NULL,
                             "urn:li:schemaField:(" DBT_PG ",amount)") &&
            has_member_value(json_object_get(el, "upstreams"), NULL,
                             "urn:li:schemaField:(" DBT_DBT ",amount)"))
            found = 1;
    }
    ck_assert_msg(found, "patched fine-grained lineage missing");
    json_decref(r.states);
}
END_TEST

/* xorshift: a fixed seed keeps a failure reproducible */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static unsigned long long rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct mutant_run {
    json_t *states;
    long ok, refused;
} mutant_run;

static int apply_mutant(void *ctx, json_t *obj, const char *raw, size_t rawlen, const char *perr)
{
    mutant_run *m = ctx;
    (void)raw;
    (void)rawlen;
    if (!obj) {
        ck_assert(perr && perr[0]);
        m->refused++;
        return 0;
    }
    ev_event ev;
    char err[400] = "";
    if (ev_decode(obj, &ev, err, sizeof err) != 0) {
        ck_assert(err[0]);
        m->refused++;
        return 0;
    }
    json_t *state = json_incref(json_object_get(m->states, ev.urn));
    json_t *before = state ? json_deep_copy(state) : NULL;
    err[0] = '\0';
    int rc = entity_apply(&state, &ev, err, sizeof err);
    if (rc < 0) {
        ck_assert(err[0]);
        ck_assert(before ? json_equal(state, before) : state == NULL);
        m->refused++;
    } else {
        m->ok++;
        if (state)
            json_object_set(m->states, ev.urn, state);
        else
            json_object_del(m->states, ev.urn);
    }
    json_decref(before);
    json_decref(state);
    ev_free(&ev);
    return 0;
}

/* Fixture files with random bytes changed: every event is applied or
 * refused with a reason, and a refused one leaves its entity alone. */
START_TEST(test_mutated_fixtures)
{
    static const char *files[] = {"golden/nifi/nifi_mces_golden_standalone.json",
                                  "golden/powerbi/golden_test_ingest.json",
                                  "examples/mce_files/bootstrap_mce.json"};
    static const char alphabet[] = "{}[],:\"\\ 0aZ\n/()%~-";
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_ptr_nonnull(dir);
    mutant_run m = {NULL, 0, 0};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        size_t len;
        char *orig = read_file(path, &len);
        ck_assert_ptr_nonnull(orig);
        char *buf = malloc(len);
        ck_assert_ptr_nonnull(buf);
        for (int iter = 0; iter < 60; iter++) {
            memcpy(buf, orig, len);
            int edits = 1 + (int)(rng() % 40);
            for (int e = 0; e < edits; e++)
                buf[rng() % len] = alphabet[rng() % (sizeof alphabet - 1)];
            m.states = json_object();
            ck_assert_int_ge(ev_split(buf, len, apply_mutant, &m), 0);
            json_decref(m.states);
        }
        free(buf);
        free(orig);
    }
    fprintf(stderr, "mutated fixtures: %ld events applied, %ld refused\n", m.ok, m.refused);
    ck_assert_int_gt(m.ok, 1000);
    ck_assert_int_gt(m.refused, 10);
}
END_TEST

static Suite *entity_suite(void)
{
    Suite *s = suite_create("entity");
    TCase *tc = tcase_create("aspects");
    tcase_add_test(tc, test_lookup);
    tcase_add_loop_test(tc, test_shapes, 0, (int)(sizeof shapes / sizeof shapes[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("apply");
    tcase_add_test(tc, test_new_state);
    tcase_add_test(tc, test_upsert_replaces);
    tcase_add_test(tc, test_unknown_aspects_counted);
    tcase_add_test(tc, test_bad_shape_leaves_state);
    tcase_add_test(tc, test_patch_applies);
    tcase_add_test(tc, test_deletes);
    tcase_add_test(tc, test_delete_key_case);
    tcase_add_test(tc, test_removed);
    tcase_add_test(tc, test_timeseries_buckets);
    tcase_add_test(tc, test_snapshot_all_or_nothing);
    tcase_add_test(tc, test_wrong_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixtures_apply);
    tcase_add_test(tc, test_fixture_nifi_patch);
    tcase_add_test(tc, test_fixture_powerbi_patch);
    tcase_add_test(tc, test_fixture_dbt_lineage_patch);
    tcase_add_test(tc, test_mutated_fixtures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(entity_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
