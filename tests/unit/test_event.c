/* test_event.c — decoding DataHub events (MCP, MCE, MAE), union
 * unwrapping, aspect names of MCE classes, splitting buffers into events,
 * and every event of the real DataHub fixtures. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(v != NULL, "test JSON does not parse: %s: %s", jerr.text, text);
    return v;
}

static int decode_text(const char *text, ev_event *ev, char *err, size_t errlen)
{
    json_t *v = parse(text);
    int rc = ev_decode(v, ev, err, errlen);
    json_decref(v);
    return rc;
}

static void assert_json_eq(const json_t *got, const char *want_text)
{
    json_t *want = parse(want_text);
    char *g = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    ck_assert_msg(json_equal(got, want), "got %s, want %s", g ? g : "(null)", want_text);
    free(g);
    json_decref(want);
}

/* ---- decoding ------------------------------------------------------- */

START_TEST(test_mcp_json)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(
        decode_text("{\"entityType\":\"dataset\",\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:"
                    "hive,db.t,PROD)\",\"changeType\":\"UPSERT\",\"aspectName\":\"datasetProperties\","
                    "\"aspect\":{\"json\":{\"name\":\"t\",\"customProperties\":{\"k\":\"v\"}}},"
                    "\"systemMetadata\":{\"runId\":\"r\"}}",
                    &ev, err, sizeof err),
        0);
    ck_assert_str_eq(ev.urn, "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)");
    ck_assert_str_eq(ev.entity_type, "dataset");
    ck_assert_int_eq(ev.change, EV_UPSERT);
    ck_assert_uint_eq(ev.naspects, 1);
    ck_assert_str_eq(ev.aspects[0].name, "datasetProperties");
    assert_json_eq(ev.aspects[0].value, "{\"name\":\"t\",\"customProperties\":{\"k\":\"v\"}}");
    ev_free(&ev);
}
END_TEST

START_TEST(test_mcp_value_string)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(
        decode_text("{\"entityType\":\"corpuser\",\"entityUrn\":\"urn:li:corpuser:jdoe\","
                    "\"changeType\":\"UPSERT\",\"aspectName\":\"corpUserInfo\",\"aspect\":{\"value\":"
                    "\"{\\\"displayName\\\": {\\\"string\\\": \\\"Harshal Sheth\\\"}, \\\"active\\\": "
                    "true}\",\"contentType\":\"application/json\"}}",
                    &ev, err, sizeof err),
        0);
    ck_assert_str_eq(ev.entity_type, "corpuser");
    assert_json_eq(ev.aspects[0].value, "{\"displayName\":\"Harshal Sheth\",\"active\":true}");
    ev_free(&ev);
}
END_TEST

static const struct {
    const char *change;
    ev_change want;
} changes[] = {
    {"UPSERT", EV_UPSERT}, {"CREATE", EV_UPSERT},        {"UPDATE", EV_UPSERT},
    {"RESTATE", EV_UPSERT}, {"CREATE_ENTITY", EV_UPSERT}, {"PATCH", EV_PATCH},
    {"DELETE", EV_DELETE},
};

START_TEST(test_change_types)
{
    char text[512];
    const char *aspect = changes[_i].want == EV_PATCH
                             ? "[{\"op\":\"add\",\"path\":\"/tags/urn:li:tag:x\",\"value\":{\"tag\":"
                               "\"urn:li:tag:x\"}}]"
                             : "{\"tags\":[]}";
    snprintf(text, sizeof text,
             "{\"entityUrn\":\"urn:li:chart:(looker,c1)\",\"changeType\":\"%s\",\"aspectName\":"
             "\"globalTags\",\"aspect\":{\"json\":%s}}",
             changes[_i].change, aspect);
    ev_event ev;
    char err[256];
    ck_assert_msg(decode_text(text, &ev, err, sizeof err) == 0, "%s: %s", changes[_i].change, err);
    ck_assert_int_eq(ev.change, changes[_i].want);
    ck_assert_uint_eq(ev.naspects, 1);
    ck_assert_str_eq(ev.aspects[0].name, "globalTags");
    if (ev.change == EV_DELETE)
        ck_assert_ptr_null(ev.aspects[0].value);
    else if (ev.change == EV_PATCH)
        ck_assert(json_is_array(ev.aspects[0].value));
    else
        ck_assert(json_is_object(ev.aspects[0].value));
    ev_free(&ev);
}
END_TEST

START_TEST(test_delete_entity)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(decode_text("{\"entityType\":\"tag\",\"entityUrn\":\"urn:li:tag:pii\","
                                 "\"changeType\":\"DELETE\"}",
                                 &ev, err, sizeof err),
                     0);
    ck_assert_int_eq(ev.change, EV_DELETE);
    ck_assert_uint_eq(ev.naspects, 0);
    ev_free(&ev);
}
END_TEST

START_TEST(test_generic_patch_form)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(
        decode_text("{\"entityUrn\":\"urn:li:tag:pii\",\"changeType\":\"PATCH\",\"aspectName\":"
                    "\"tagProperties\",\"aspect\":{\"value\":\"{\\\"patch\\\":[{\\\"op\\\":\\\"add\\\","
                    "\\\"path\\\":\\\"/name\\\",\\\"value\\\":\\\"pii\\\"}]}\",\"contentType\":"
                    "\"application/json-patch+json\"}}",
                    &ev, err, sizeof err),
        0);
    ck_assert(json_is_array(json_object_get(ev.aspects[0].value, "patch")));
    ev_free(&ev);
}
END_TEST

START_TEST(test_mce_snapshot)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(
        decode_text(
            "{\"auditHeader\":null,\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata."
            "snapshot.CorpUserSnapshot\":{\"urn\":\"urn:li:corpuser:hsheth\",\"aspects\":[{\"com."
            "linkedin.pegasus2avro.identity.CorpUserInfo\":{\"active\":true,\"displayName\":{"
            "\"string\":\"Harshal Sheth\"},\"email\":\"h@x.io\",\"customProperties\":{\"string\":"
            "\"kept\"}}},{\"com.linkedin.pegasus2avro.common.Status\":{\"removed\":false}}]}},"
            "\"proposedDelta\":null}",
            &ev, err, sizeof err),
        0);
    ck_assert_str_eq(ev.urn, "urn:li:corpuser:hsheth");
    ck_assert_str_eq(ev.entity_type, "corpuser");
    ck_assert_int_eq(ev.change, EV_UPSERT);
    ck_assert_uint_eq(ev.naspects, 2);
    ck_assert_str_eq(ev.aspects[0].name, "corpUserInfo");
    /* the union is unwrapped; the one-key customProperties map is data */
    assert_json_eq(ev.aspects[0].value, "{\"active\":true,\"displayName\":\"Harshal Sheth\","
                                        "\"email\":\"h@x.io\",\"customProperties\":{\"string\":"
                                        "\"kept\"}}");
    ck_assert_str_eq(ev.aspects[1].name, "status");
    ev_free(&ev);
}
END_TEST

START_TEST(test_mae_new_snapshot)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(
        decode_text("{\"oldSnapshot\":null,\"newSnapshot\":{\"com.linkedin.metadata.snapshot."
                    "MLFeatureSnapshot\":{\"urn\":\"urn:li:mlFeature:(ns,f)\",\"aspects\":[{\"com."
                    "linkedin.ml.metadata.MLFeatureProperties\":{\"description\":\"d\"}}]}}}",
                    &ev, err, sizeof err),
        0);
    ck_assert_str_eq(ev.entity_type, "mlFeature");
    ck_assert_str_eq(ev.aspects[0].name, "mlFeatureProperties");
    ev_free(&ev);
}
END_TEST

START_TEST(test_unknown_types_are_valid)
{
    ev_event ev;
    char err[256];
    ck_assert_int_eq(decode_text("{\"entityType\":\"platformResource\",\"entityUrn\":\"urn:li:"
                                 "platformResource:abc\",\"changeType\":\"UPSERT\",\"aspectName\":"
                                 "\"platformResourceInfo\",\"aspect\":{\"json\":{\"x\":1}}}",
                                 &ev, err, sizeof err),
                     0);
    ck_assert_str_eq(ev.entity_type, "platformResource");
    ev_free(&ev);
    ck_assert_int_eq(decode_text("{\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:a,b,PROD)\","
                                 "\"changeType\":\"UPSERT\",\"aspectName\":\"someFutureAspect\","
                                 "\"aspect\":{\"json\":[1,2]}}",
                                 &ev, err, sizeof err),
                     0);
    ev_free(&ev);
}
END_TEST

typedef struct bad_event {
    const char *json;
    const char *reason;
} bad_event;

#define DS "\"urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)\""
static const bad_event bad_events[] = {
    {"[1,2]", "not a JSON object"},
    {"\"text\"", "not a JSON object"},
    {"{}", "no URN"},
    {"{\"foo\":1}", "no URN"},
    {"{\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":{\"json\":{}}}", "no URN"},
    {"{\"entityUrn\":null,\"entityKeyAspect\":{},\"changeType\":\"UPSERT\"}", "no URN"},
    {"{\"entityUrn\":42,\"changeType\":\"UPSERT\"}", "entityUrn is not a string"},
    {"{\"entityUrn\":\"urn:li:dataset:(a,b\",\"changeType\":\"UPSERT\",\"aspectName\":\"status\","
     "\"aspect\":{\"json\":{}}}",
     "bad URN \"urn:li:dataset:(a,b\" in entityUrn: unbalanced"},
    {"{\"entityUrn\":\"dataset:x\",\"changeType\":\"UPSERT\"}", "does not start with"},
    {"{\"entityType\":\"chart\",\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":"
     "\"status\",\"aspect\":{\"json\":{}}}",
     "entityType \"chart\" disagrees with the URN's entity type \"dataset\""},
    {"{\"entityUrn\":" DS ",\"aspectName\":\"status\",\"aspect\":{\"json\":{}}}", "no changeType"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"MERGE\",\"aspectName\":\"status\",\"aspect\":{"
     "\"json\":{}}}",
     "unknown changeType \"MERGE\""},
    {"{\"entityUrn\":" DS ",\"changeType\":7,\"aspectName\":\"status\"}",
     "changeType is not a string"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\"}",
     "no aspect for UPSERT of status"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":null}",
     "no aspect for UPSERT of status"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"PATCH\",\"aspectName\":\"status\"}",
     "no aspect for PATCH of status"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspect\":{\"json\":{}}}", "no aspectName"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"\",\"aspect\":{\"json\":{}}}",
     "aspectName is not a non-empty string"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":{"
     "\"value\":\"{not json\",\"contentType\":\"application/json\"}}",
     "status: aspect.value is not valid JSON"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":{"
     "\"value\":\"{}\",\"contentType\":\"application/avro\"}}",
     "is not JSON"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":{"
     "\"removed\":true}}",
     "neither \"json\" nor \"value\""},
    {"{\"entityUrn\":" DS ",\"changeType\":\"UPSERT\",\"aspectName\":\"status\",\"aspect\":5}",
     "aspect: expected an object"},
    {"{\"entityUrn\":" DS ",\"changeType\":\"PATCH\",\"aspectName\":\"status\",\"aspect\":{"
     "\"json\":{\"removed\":true}}}",
     "PATCH aspect is not a JSON Patch array"},
    {"{\"proposedSnapshot\":{}}", "proposedSnapshot: expected"},
    {"{\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot\":{"
     "\"aspects\":[]}}}",
     "no URN (proposedSnapshot urn missing)"},
    {"{\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot\":{"
     "\"urn\":" DS ",\"aspects\":[]}}}",
     "proposedSnapshot has no aspects"},
    {"{\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot\":{"
     "\"urn\":" DS "}}}",
     "proposedSnapshot aspects: expected an array"},
    {"{\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot\":{"
     "\"urn\":" DS ",\"aspects\":[{\"a.b.C\":{},\"d.e.F\":{}}]}}}",
     "proposedSnapshot aspects[0]: expected"},
    {"{\"proposedSnapshot\":{\"com.linkedin.pegasus2avro.metadata.snapshot.ChartSnapshot\":{"
     "\"urn\":" DS ",\"aspects\":[{\"com.linkedin.pegasus2avro.common.Status\":{}}]}}}",
     "class ChartSnapshot does not match the URN's entity type \"dataset\""},
    {"{\"proposedSnapshot\":{\"x.y.CorpUserSnapshot\":{\"urn\":\"urn:li:corpuser:(a\",\"aspects\":"
     "[{\"a.b.C\":{}}]}}}",
     "bad URN \"urn:li:corpuser:(a\" in proposedSnapshot urn"},
    {"{\"oldSnapshot\":{}}", "MAE without newSnapshot"},
};

START_TEST(test_bad_events)
{
    ev_event ev;
    char err[256] = "";
    ck_assert_msg(decode_text(bad_events[_i].json, &ev, err, sizeof err) == -1, "accepted: %s",
                  bad_events[_i].json);
    ck_assert_msg(strstr(err, bad_events[_i].reason) != NULL, "reason \"%s\", expected \"%s\"", err,
                  bad_events[_i].reason);
    /* a failed decode leaves nothing to free */
    ck_assert_ptr_null(ev.urn);
    ck_assert_ptr_null(ev.aspects);
    ev_free(&ev);
}
END_TEST

START_TEST(test_decode_leaves_input_alone)
{
    const char *text = "{\"entityUrn\":\"urn:li:tag:t\",\"changeType\":\"UPSERT\",\"aspectName\":"
                       "\"tagProperties\",\"aspect\":{\"json\":{\"name\":{\"string\":\"t\"}}}}";
    json_t *v = parse(text);
    json_t *copy = json_deep_copy(v);
    ev_event ev;
    char err[256];
    ck_assert_int_eq(ev_decode(v, &ev, err, sizeof err), 0);
    assert_json_eq(ev.aspects[0].value, "{\"name\":\"t\"}");
    ck_assert(json_equal(v, copy));
    ev_free(&ev);
    json_decref(v);
    json_decref(copy);
}
END_TEST

/* ---- unions and class names ----------------------------------------- */

static const struct {
    const char *in, *out;
} unwraps[] = {
    {"{\"displayName\":{\"string\":\"Harshal Sheth\"}}", "{\"displayName\":\"Harshal Sheth\"}"},
    {"{\"a\":{\"long\":5},\"b\":{\"double\":1.5},\"c\":{\"boolean\":true}}",
     "{\"a\":5,\"b\":1.5,\"c\":true}"},
    {"{\"l\":{\"array\":[{\"string\":\"x\"},{\"int\":2}]}}", "{\"l\":[\"x\",2]}"},
    {"{\"type\":{\"type\":{\"com.linkedin.pegasus2avro.schema.StringType\":{}}}}",
     "{\"type\":{\"type\":{}}}"},
    {"{\"p\":{\"com.linkedin.schema.MySqlDDL\":{\"tableSchema\":\"\"}}}",
     "{\"p\":{\"tableSchema\":\"\"}}"},
    {"{\"e\":{\"com.linkedin.common.FabricType\":\"PROD\"}}", "{\"e\":\"PROD\"}"},
    /* nested wrappers */
    {"{\"x\":{\"com.a.B\":{\"string\":\"v\"}}}", "{\"x\":\"v\"}"},
    /* not unions: ordinary one-key objects stay */
    {"{\"json\":{\"a\":1}}", "{\"json\":{\"a\":1}}"},
    {"{\"m\":{\"owner\":\"x\"}}", "{\"m\":{\"owner\":\"x\"}}"},
    {"{\"m\":{\"string\":5}}", "{\"m\":{\"string\":5}}"},
    {"{\"m\":{\"com.Foo\":{}}}", "{\"m\":{\"com.Foo\":{}}}"},
    {"{\"m\":{\"com.linkedin.foo\":{}}}", "{\"m\":{\"com.linkedin.foo\":{}}}"},
    {"{\"m\":{\"com.linkedin.X\":[1]}}", "{\"m\":{\"com.linkedin.X\":[1]}}"},
    {"{\"customProperties\":{\"string\":\"kept\"}}", "{\"customProperties\":{\"string\":\"kept\"}}"},
    {"{\"customProperties\":{\"spark.app.Name\":\"kept\"}}",
     "{\"customProperties\":{\"spark.app.Name\":\"kept\"}}"},
    {"{\"customProperties\":{\"map\":{\"k\":\"v\"}}}", "{\"customProperties\":{\"k\":\"v\"}}"},
    {"[{\"string\":\"a\"},{\"x\":1}]", "[\"a\",{\"x\":1}]"},
    {"{\"string\":\"top\"}", "\"top\""},
};

START_TEST(test_unwrap)
{
    json_t *in = parse(unwraps[_i].in);
    json_t *out = ev_unwrap_unions(in);
    assert_json_eq(out, unwraps[_i].out);
    json_decref(out);
    json_decref(in);
}
END_TEST

static const struct {
    const char *cls, *name;
} class_names[] = {
    {"com.linkedin.pegasus2avro.dataset.DatasetProperties", "datasetProperties"},
    {"com.linkedin.pegasus2avro.ml.metadata.MLFeatureProperties", "mlFeatureProperties"},
    {"com.linkedin.pegasus2avro.ml.metadata.MLPrimaryKeyProperties", "mlPrimaryKeyProperties"},
    {"com.linkedin.pegasus2avro.ml.metadata.MLModelProperties", "mlModelProperties"},
    {"com.linkedin.pegasus2avro.identity.CorpUserInfo", "corpUserInfo"},
    {"com.linkedin.pegasus2avro.schema.SchemaMetadata", "schemaMetadata"},
    {"com.linkedin.pegasus2avro.schema.EditableSchemaMetadata", "editableSchemaMetadata"},
    {"com.linkedin.pegasus2avro.common.Status", "status"},
    {"com.linkedin.pegasus2avro.metadata.key.DatasetKey", "datasetKey"},
    {"com.linkedin.ml.metadata.EditableMLFeatureProperties", "editableMLFeatureProperties"},
    {"com.linkedin.pegasus2avro.ml.metadata.TrainingData", "mlModelTrainingData"},
    {"com.linkedin.pegasus2avro.ml.metadata.IntendedUse", "intendedUse"},
    {"ML", "ml"},
    {"Status", "status"},
};

START_TEST(test_class_names)
{
    char out[64];
    ck_assert_int_eq(ev_aspect_name_from_class(class_names[_i].cls, out, sizeof out), 0);
    ck_assert_str_eq(out, class_names[_i].name);
}
END_TEST

START_TEST(test_class_name_limits)
{
    char out[8];
    ck_assert_int_eq(ev_aspect_name_from_class("a.b.DatasetProperties", out, sizeof out), -1);
    ck_assert_int_eq(ev_aspect_name_from_class("a.b.Status", out, sizeof out), 0);
    ck_assert_str_eq(out, "status");
    ck_assert_int_eq(ev_aspect_name_from_class("a.b.", out, sizeof out), -1);
}
END_TEST

/* ---- splitting ------------------------------------------------------ */

typedef struct collected {
    int n;
    char kinds[64]; /* 'o' object, 'v' other value, 'e' parse error */
    char raws[64][128];
    char errs[64][160];
    int stop_after; /* 0: never */
} collected;

static int collect(void *ctx, json_t *obj, const char *raw, size_t rawlen, const char *perr)
{
    collected *c = ctx;
    if (c->n < 64) {
        c->kinds[c->n] = obj ? (json_is_object(obj) ? 'o' : 'v') : 'e';
        snprintf(c->raws[c->n], sizeof c->raws[0], "%.*s", (int)rawlen, raw);
        snprintf(c->errs[c->n], sizeof c->errs[0], "%s", perr ? perr : "");
        ck_assert((obj == NULL) == (perr != NULL));
    }
    c->n++;
    if (c->stop_after && c->n >= c->stop_after)
        return 1;
    return 0;
}

static long split_str(const char *s, collected *c)
{
    memset(c, 0, sizeof *c);
    return ev_split(s, strlen(s), collect, c);
}

static const struct {
    const char *in;
    const char *kinds; /* expected item kinds in order */
} splits[] = {
    {"", ""},
    {"  \n\n ", ""},
    {"{\"a\":1}\n{\"b\":2}\n", "oo"},
    {"{\"a\":1}\r\n\r\n{\"b\":2}", "oo"},
    {"{\"a\":1}\n{\"b\":\n{\"c\":3}\n", "oeo"},
    {"{\"a\":1}\nnot json at all\n{\"c\":3}\n", "oeo"},
    {"{\"a\":1} trailing\n{\"c\":3}\n", "eo"},
    {"[{\"a\":1},{\"b\":2}]", "oo"},
    {"[]", ""},
    {"[\n  {\"a\": [1, 2, {\"x\": \"]\"}]},\n  {\"b\": \"},\\\"\"}\n]\n", "oo"},
    {"[{\"a\":1},{\"b\":},{\"c\":3}]", "oeo"},
    {"[{\"a\":1},,{\"c\":3}]", "oeo"},
    {"[{\"a\":1},{\"b\":2}", "oo"},
    {"[", "e"},
    {"[{\"a\":1}]\n[{\"b\":2}]\n", "oo"},
    {"{\n  \"a\": 1,\n  \"b\": {\"c\": [1, 2]}\n}\n", "o"},
    {"{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}", "oo"},
    {"{\n  \"a\": \n}\n{\"c\":3}\n", "eeeo"},
    {"\xEF\xBB\xBF{\"a\":1}", "o"},
    {"42\n{\"a\":1}", "vo"},
};

START_TEST(test_split_shapes)
{
    collected c;
    long n = split_str(splits[_i].in, &c);
    ck_assert_int_eq(n, (long)strlen(splits[_i].kinds));
    c.kinds[c.n < 64 ? c.n : 63] = '\0';
    ck_assert_msg(strcmp(c.kinds, splits[_i].kinds) == 0, "input %s: got %s, want %s",
                  splits[_i].in, c.kinds, splits[_i].kinds);
}
END_TEST

START_TEST(test_split_raw_and_errors)
{
    collected c;
    ck_assert_int_eq(split_str("{\"a\":1}\n{\"b\":\n  {\"c\":3}  \r\n", &c), 3);
    ck_assert_str_eq(c.raws[0], "{\"a\":1}");
    ck_assert_str_eq(c.raws[1], "{\"b\":");
    ck_assert_msg(strstr(c.errs[1], "invalid JSON") != NULL, "%s", c.errs[1]);
    ck_assert_str_eq(c.raws[2], "{\"c\":3}");

    ck_assert_int_eq(split_str("[ {\"a\":1} , {\"b\":x} ]", &c), 2);
    ck_assert_str_eq(c.raws[0], "{\"a\":1}");
    ck_assert_str_eq(c.raws[1], "{\"b\":x}");
    ck_assert_msg(strstr(c.errs[1], "invalid JSON") != NULL, "%s", c.errs[1]);

    ck_assert_int_eq(split_str("[\n", &c), 1);
    ck_assert_msg(strstr(c.errs[0], "unterminated array") != NULL, "%s", c.errs[0]);
}
END_TEST

START_TEST(test_split_stop)
{
    collected c;
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    const char *s = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
    ck_assert_int_eq(ev_split(s, strlen(s), collect, &c), -1);
    ck_assert_int_eq(c.n, 2);
}
END_TEST

/* A large JSON-lines buffer goes through quickly and completely. */
START_TEST(test_split_large)
{
    size_t n = 100000;
    size_t cap = n * 80 + 1, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "{\"entityUrn\":\"urn:li:tag:t%zu\",\"changeType\":\"DELETE\"}\n", i);
    collected c;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ev_split(buf, len, collect, &c), (long)n);
    free(buf);
}
END_TEST

/* ---- the real DataHub fixtures --------------------------------------- */

typedef struct fixture_tally {
    long items, decoded, mce, mcp, patch;
    char first_error[512];
} fixture_tally;

static int decode_item(void *ctx, json_t *obj, const char *raw, size_t rawlen, const char *perr)
{
    fixture_tally *t = ctx;
    t->items++;
    if (!obj) {
        if (!t->first_error[0])
            snprintf(t->first_error, sizeof t->first_error, "parse: %s: %.100s", perr, raw);
        return 0;
    }
    (void)rawlen;
    ev_event ev;
    char err[256];
    if (ev_decode(obj, &ev, err, sizeof err) != 0) {
        if (!t->first_error[0])
            snprintf(t->first_error, sizeof t->first_error, "decode: %s: %.200s", err, raw);
        return 0;
    }
    t->decoded++;
    if (json_object_get(obj, "proposedSnapshot"))
        t->mce++;
    else
        t->mcp++;
    if (ev.change == EV_PATCH)
        t->patch++;
    ck_assert_uint_ge(ev.naspects, 1);
    for (size_t i = 0; i < ev.naspects; i++)
        ck_assert_ptr_nonnull(ev.aspects[i].value);
    ev_free(&ev);
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    do {
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static fixture_tally g_tally;
static long g_files, g_expected_items;

static int visit_fixture(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t pl = strlen(path);
    if (flag != FTW_F || pl < 5 || strcmp(path + pl - 5, ".json") != 0)
        return 0;
    size_t len;
    char *buf = read_file(path, &len);
    ck_assert_msg(buf != NULL, "cannot read %s", path);
    /* an independent count: the whole file parsed by jansson */
    json_t *whole = json_loadb(buf, len, 0, NULL);
    ck_assert_msg(whole != NULL, "%s does not parse as a whole", path);
    g_expected_items += json_is_array(whole) ? (long)json_array_size(whole) : 1;
    json_decref(whole);
    long before = g_tally.items;
    long n = ev_split(buf, len, decode_item, &g_tally);
    ck_assert_int_eq(n, g_tally.items - before);
    ck_assert_msg(!g_tally.first_error[0], "%s: %s", path, g_tally.first_error);
    free(buf);
    g_files++;
    return 0;
}

START_TEST(test_fixtures_decode)
{
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_msg(dir != NULL, "MDX_FIXTURES is not set (run through tests/run-suite)");
    memset(&g_tally, 0, sizeof g_tally);
    g_files = g_expected_items = 0;
    ck_assert_int_eq(nftw(dir, visit_fixture, 16, FTW_PHYS), 0);
    ck_assert_int_gt(g_files, 20);
    ck_assert_int_eq(g_tally.items, g_expected_items);
    ck_assert_int_eq(g_tally.decoded, g_tally.items);
    ck_assert_int_gt(g_tally.mce, 0);
    ck_assert_int_gt(g_tally.mcp, 0);
    ck_assert_int_gt(g_tally.patch, 0);
    fprintf(stderr, "fixtures: %ld files, %ld events (%ld MCE, %ld MCP, %ld PATCH)\n", g_files,
            g_tally.items, g_tally.mce, g_tally.mcp, g_tally.patch);
}
END_TEST

static Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, test_mcp_json);
    tcase_add_test(tc, test_mcp_value_string);
    tcase_add_loop_test(tc, test_change_types, 0, (int)(sizeof changes / sizeof changes[0]));
    tcase_add_test(tc, test_delete_entity);
    tcase_add_test(tc, test_generic_patch_form);
    tcase_add_test(tc, test_mce_snapshot);
    tcase_add_test(tc, test_mae_new_snapshot);
    tcase_add_test(tc, test_unknown_types_are_valid);
    tcase_add_loop_test(tc, test_bad_events, 0, (int)(sizeof bad_events / sizeof bad_events[0]));
    tcase_add_test(tc, test_decode_leaves_input_alone);
    suite_add_tcase(s, tc);

    tc = tcase_create("unions");
    tcase_add_loop_test(tc, test_unwrap, 0, (int)(sizeof unwraps / sizeof unwraps[0]));
    tcase_add_loop_test(tc, test_class_names, 0, (int)(sizeof class_names / sizeof class_names[0]));
    tcase_add_test(tc, test_class_name_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("split");
    tcase_add_loop_test(tc, test_split_shapes, 0, (int)(sizeof splits / sizeof splits[0]));
    tcase_add_test(tc, test_split_raw_and_errors);
    tcase_add_test(tc, test_split_stop);
    tcase_add_test(tc, test_split_large);
    suite_add_tcase(s, tc);

    tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixtures_decode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(event_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
