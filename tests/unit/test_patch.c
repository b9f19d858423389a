/* test_patch.c — JSON Patch as DataHub applies it: RFC 6902 operations,
 * keyed array paths, fineGrainedLineages, the generic patch form, and
 * errors that leave the document unchanged.
 * JSON in the tables is written with ' for " to stay readable. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "model/patch.h"

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

typedef struct patch_case {
    const char *name;
    const char *doc; /* NULL: no document yet */
    const char *ops;
    const char *want;   /* the result, or NULL when an error is expected */
    const char *reason; /* a substring of the error */
} patch_case;

#define DS1 "urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)"
#define DS2 "urn:li:dataset:(urn:li:dataPlatform:hive,db.b,PROD)"
#define F(ds, col) "urn:li:schemaField:(" ds "," col ")"

static const patch_case cases[] = {
    /* RFC 6902 */
    {"add member", "{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}", NULL},
    {"add replaces member", "{'a':1}", "[{'op':'add','path':'/a','value':[3]}]", "{'a':[3]}", NULL},
    {"add to nothing", NULL, "[{'op':'add','path':'/title','value':'t'}]", "{'title':'t'}", NULL},
    {"add creates parents", "{}",
     "[{'op':'add','path':'/customProperties/chartCount','value':'2'}]",
     "{'customProperties':{'chartCount':'2'}}", NULL},
    {"add over null parent", "{'customProperties':null}",
     "[{'op':'add','path':'/customProperties/k','value':'v'}]", "{'customProperties':{'k':'v'}}",
     NULL},
    {"remove member", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}", NULL},
    {"remove absent is a no-op", "{'a':1}", "[{'op':'remove','path':'/x/y'}]", "{'a':1}", NULL},
    {"replace member", "{'a':1}", "[{'op':'replace','path':'/a','value':5}]", "{'a':5}", NULL},
    {"replace absent", "{'a':1}", "[{'op':'replace','path':'/b','value':5}]", NULL,
     "no member \"b\" to replace"},
    {"test passes", "{'a':{'b':[1]}}", "[{'op':'test','path':'/a/b','value':[1]}]",
     "{'a':{'b':[1]}}", NULL},
    {"test fails", "{'a':1}", "[{'op':'test','path':'/a','value':2}]", NULL, "test failed"},
    {"array insert", "{'l':[1,3]}", "[{'op':'add','path':'/l/1','value':2}]", "{'l':[1,2,3]}",
     NULL},
    {"array append", "{'l':[1]}", "[{'op':'add','path':'/l/-','value':2}]", "{'l':[1,2]}", NULL},
    {"array append at size", "{'l':[1]}", "[{'op':'add','path':'/l/1','value':2}]", "{'l':[1,2]}",
     NULL},
    {"array past end", "{'l':[1]}", "[{'op':'add','path':'/l/5','value':2}]", NULL,
     "past the end"},
    {"array remove index", "{'l':[1,2,3]}", "[{'op':'remove','path':'/l/0'}]", "{'l':[2,3]}", NULL},
    {"array replace index", "{'l':[1,2]}", "[{'op':'replace','path':'/l/1','value':9}]",
     "{'l':[1,9]}", NULL},
    {"array replace out of range", "{'l':[1]}", "[{'op':'replace','path':'/l/3','value':9}]",
     NULL, "out of range"},
    {"dash only for add", "{'l':[1]}", "[{'op':'remove','path':'/l/-'}]", NULL,
     "only names the end"},
    {"copy", "{'a':{'x':1}}", "[{'op':'copy','from':'/a','path':'/b'}]",
     "{'a':{'x':1},'b':{'x':1}}", NULL},
    {"move", "{'a':{'x':1}}", "[{'op':'move','from':'/a/x','path':'/b'}]", "{'a':{},'b':1}", NULL},
    {"move into itself", "{'a':{'x':1}}", "[{'op':'move','from':'/a','path':'/a/y'}]", NULL,
     "is inside"},
    {"copy from nothing", "{}", "[{'op':'copy','from':'/zz','path':'/b'}]", NULL,
     "no member \"zz\""},
    {"root replace", "{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]", "{'b':2}", NULL},
    {"escaped segments", "{}", "[{'op':'add','path':'/a~1b/c~0d','value':1}]",
     "{'a/b':{'c~d':1}}", NULL},
    {"ops applied in order", "{}",
     "[{'op':'add','path':'/a','value':1},{'op':'replace','path':'/a','value':2},"
     "{'op':'add','path':'/b','value':3},{'op':'remove','path':'/b'}]",
     "{'a':2}", NULL},

    /* DataHub keyed arrays */
    {"tag added to nothing", NULL,
     "[{'op':'add','path':'/tags/urn:li:tag:pii','value':{'tag':'urn:li:tag:pii'}}]",
     "{'tags':[{'tag':'urn:li:tag:pii'}]}", NULL},
    {"tag key injected", "{'tags':[]}",
     "[{'op':'add','path':'/tags/urn:li:tag:pii','value':{'context':'c'}}]",
     "{'tags':[{'context':'c','tag':'urn:li:tag:pii'}]}", NULL},
    {"tag replaced, not duplicated",
     "{'tags':[{'tag':'urn:li:tag:a'},{'tag':'urn:li:tag:pii','context':'old'}]}",
     "[{'op':'add','path':'/tags/urn:li:tag:pii','value':{'tag':'urn:li:tag:pii','context':'new'}}]",
     "{'tags':[{'tag':'urn:li:tag:a'},{'tag':'urn:li:tag:pii','context':'new'}]}", NULL},
    {"tag removed", "{'tags':[{'tag':'urn:li:tag:a'},{'tag':'urn:li:tag:b'}]}",
     "[{'op':'remove','path':'/tags/urn:li:tag:a'}]", "{'tags':[{'tag':'urn:li:tag:b'}]}", NULL},
    {"absent tag removed", "{'tags':[{'tag':'urn:li:tag:b'}]}",
     "[{'op':'remove','path':'/tags/urn:li:tag:zz'}]", "{'tags':[{'tag':'urn:li:tag:b'}]}", NULL},
    {"tag with escaped slash", "{}",
     "[{'op':'add','path':'/tags/urn:li:tag:a~1b','value':{'tag':'urn:li:tag:a/b'}}]",
     "{'tags':[{'tag':'urn:li:tag:a/b'}]}", NULL},
    {"glossary term by urn", "{'terms':[{'urn':'urn:li:glossaryTerm:a'}]}",
     "[{'op':'remove','path':'/terms/urn:li:glossaryTerm:a'}]", "{'terms':[]}", NULL},
    {"owner by owner and type",
     "{'owners':[{'owner':'urn:li:corpuser:a','type':'TECHNICAL_OWNER'}]}",
     "[{'op':'add','path':'/owners/urn:li:corpuser:a/DATAOWNER',"
     "'value':{'owner':'urn:li:corpuser:a','type':'DATAOWNER'}}]",
     "{'owners':[{'owner':'urn:li:corpuser:a','type':'TECHNICAL_OWNER'},"
     "{'owner':'urn:li:corpuser:a','type':'DATAOWNER'}]}",
     NULL},
    {"owner removed with all types",
     "{'owners':[{'owner':'urn:li:corpuser:a','type':'TECHNICAL_OWNER'},"
     "{'owner':'urn:li:corpuser:b','type':'DATAOWNER'},"
     "{'owner':'urn:li:corpuser:a','type':'DATAOWNER'}]}",
     "[{'op':'remove','path':'/owners/urn:li:corpuser:a'}]",
     "{'owners':[{'owner':'urn:li:corpuser:b','type':'DATAOWNER'}]}", NULL},
    {"upstream by dataset", "{'upstreams':[{'dataset':'" DS1 "','type':'COPY'}]}",
     "[{'op':'add','path':'/upstreams/" DS2 "','value':{'dataset':'" DS2 "','type':'TRANSFORMED'}}]",
     "{'upstreams':[{'dataset':'" DS1 "','type':'COPY'},{'dataset':'" DS2
     "','type':'TRANSFORMED'}]}",
     NULL},
    {"edge with an unescaped slash inside the URN", NULL,
     "[{'op':'add','path':'/inputDatasetEdges/urn:li:dataset:(urn:li:dataPlatform:s3,bkt/dir/f.csv,PROD)',"
     "'value':{'destinationUrn':'urn:li:dataset:(urn:li:dataPlatform:s3,bkt/dir/f.csv,PROD)'}}]",
     "{'inputDatasetEdges':[{'destinationUrn':'urn:li:dataset:(urn:li:dataPlatform:s3,bkt/dir/f.csv,PROD)'}]}",
     NULL},
    {"string array by value", "{'charts':['urn:li:chart:(x,1)']}",
     "[{'op':'add','path':'/charts/urn:li:chart:(x,1)','value':'urn:li:chart:(x,1)'},"
     "{'op':'add','path':'/charts/urn:li:chart:(x,2)','value':'urn:li:chart:(x,2)'}]",
     "{'charts':['urn:li:chart:(x,1)','urn:li:chart:(x,2)']}", NULL},
    {"string array created", NULL,
     "[{'op':'add','path':'/domains/urn:li:domain:d','value':'urn:li:domain:d'}]",
     "{'domains':['urn:li:domain:d']}", NULL},
    {"undeclared array matched by any string member", "{'things':[{'id':'a','v':1},{'id':'b'}]}",
     "[{'op':'replace','path':'/things/b','value':{'id':'b','v':2}}]",
     "{'things':[{'id':'a','v':1},{'id':'b','v':2}]}", NULL},
    {"keyed element replace absent", "{'tags':[]}",
     "[{'op':'replace','path':'/tags/urn:li:tag:x','value':{}}]", NULL, "no element"},
    {"deep path into a keyed element", NULL,
     "[{'op':'add','path':'/editableSchemaFieldInfo/col1/globalTags/tags/urn:li:tag:pii',"
     "'value':{'tag':'urn:li:tag:pii'}}]",
     "{'editableSchemaFieldInfo':[{'fieldPath':'col1','globalTags':{'tags':[{'tag':'urn:li:tag:pii'}]}}]}",
     NULL},
    {"deep path into an existing element",
     "{'editableSchemaFieldInfo':[{'fieldPath':'c','description':'d'}]}",
     "[{'op':'add','path':'/editableSchemaFieldInfo/c/description','value':'new'}]",
     "{'editableSchemaFieldInfo':[{'fieldPath':'c','description':'new'}]}", NULL},
    {"generic form with arrayPrimaryKeys", "{'items':[{'name':'x','id':'1'}]}",
     "{'patch':[{'op':'add','path':'/items/x','value':{'name':'x','id':'2'}}],"
     "'arrayPrimaryKeys':{'items':['name']}}",
     "{'items':[{'name':'x','id':'2'}]}", NULL},

    /* fineGrainedLineages: /<transform>/<downstream>/<query>/<upstream> */
    {"fine-grained lineage built", NULL,
     "[{'op':'add','path':'/fineGrainedLineages/NONE/" F(DS1, "a") "/NONE/" F(DS2, "a") "',"
     "'value':{'confidenceScore':1.0}},"
     "{'op':'add','path':'/fineGrainedLineages/NONE/" F(DS1, "a") "/NONE/" F(DS2, "b") "',"
     "'value':{'confidenceScore':0.5}}]",
     "{'fineGrainedLineages':[{'upstreamType':'FIELD_SET','upstreams':['" F(DS2, "a") "','" F(DS2, "b")
     "'],'downstreamType':'FIELD','downstreams':['" F(DS1, "a") "'],'transformOperation':'NONE',"
     "'confidenceScore':0.5}]}",
     NULL},
    {"fine-grained lineage with a query", NULL,
     "[{'op':'add','path':'/fineGrainedLineages/SQL/" F(DS1, "a") "/urn:li:query:q1/" F(DS2, "a") "',"
     "'value':{'confidenceScore':0.8}}]",
     "{'fineGrainedLineages':[{'upstreamType':'FIELD_SET','upstreams':['" F(DS2, "a") "'],"
     "'downstreamType':'FIELD','downstreams':['" F(DS1, "a") "'],'transformOperation':'SQL',"
     "'confidenceScore':0.8,'query':'urn:li:query:q1'}]}",
     NULL},
    {"fine-grained upstream removed",
     "{'fineGrainedLineages':[{'upstreams':['" F(DS2, "a") "','" F(DS2, "b") "'],'downstreams':['" F(
         DS1, "a") "'],'transformOperation':'NONE'}]}",
     "[{'op':'remove','path':'/fineGrainedLineages/NONE/" F(DS1, "a") "/NONE/" F(DS2, "a") "'}]",
     "{'fineGrainedLineages':[{'upstreams':['" F(DS2, "b") "'],'downstreams':['" F(
         DS1, "a") "'],'transformOperation':'NONE'}]}",
     NULL},
    {"fine-grained lineage removed with its last upstream",
     "{'fineGrainedLineages':[{'upstreams':['" F(DS2, "a") "'],'downstreams':['" F(DS1, "a") "']}]}",
     "[{'op':'remove','path':'/fineGrainedLineages/NONE/" F(DS1, "a") "/NONE/" F(DS2, "a") "'}]",
     "{'fineGrainedLineages':[]}", NULL},

    /* errors */
    {"ops not an array", "{}", "{'op':'add'}", NULL, "expected an array of operations"},
    {"op not an object", "{}", "[5]", NULL, "operation 0: not an object"},
    {"no op", "{}", "[{'path':'/a'}]", NULL, "no \"op\""},
    {"unknown op", "{}", "[{'op':'merge','path':'/a'}]", NULL, "unknown op \"merge\""},
    {"no path", "{}", "[{'op':'add','value':1}]", NULL, "no \"path\""},
    {"no value", "{}", "[{'op':'add','path':'/a'}]", NULL, "no \"value\""},
    {"path without slash", "{}", "[{'op':'add','path':'a','value':1}]", NULL,
     "does not start with '/'"},
    {"into a scalar", "{'a':'s'}", "[{'op':'add','path':'/a/b','value':1}]", NULL,
     "\"a\" is not an object or array"},
    {"error names the operation", "{}",
     "[{'op':'add','path':'/a','value':1},{'op':'replace','path':'/zz','value':1}]", NULL,
     "operation 1 (replace /zz)"},
};

START_TEST(test_patch_cases)
{
    const patch_case *c = &cases[_i];
    json_t *doc = c->doc ? q(c->doc) : NULL;
    json_t *before = doc ? json_deep_copy(doc) : NULL;
    json_t *ops = q(c->ops);
    char err[512] = "";
    int rc = patch_apply(&doc, ops, err, sizeof err);
    if (c->want) {
        ck_assert_msg(rc == 0, "%s: %s", c->name, err);
        json_t *want = q(c->want);
        char *got = json_dumps(doc, JSON_SORT_KEYS);
        ck_assert_msg(json_equal(doc, want), "%s: got %s", c->name, got);
        free(got);
        json_decref(want);
        /* the input document object was not modified in place */
        if (before && c->doc) {
            json_t *orig = q(c->doc);
            ck_assert(json_equal(before, orig));
            json_decref(orig);
        }
    } else {
        ck_assert_msg(rc == -1, "%s: accepted", c->name);
        ck_assert_msg(strstr(err, c->reason) != NULL, "%s: reason \"%s\", expected \"%s\"", c->name,
                      err, c->reason);
        /* a failed patch leaves the document as it was */
        if (before)
            ck_assert_msg(json_equal(doc, before), "%s: document changed", c->name);
        else
            ck_assert_ptr_null(doc);
    }
    json_decref(doc);
    json_decref(before);
    json_decref(ops);
}
END_TEST

/* A failed operation after successful ones changes nothing. */
START_TEST(test_all_or_nothing)
{
    json_t *doc = q("{'tags':[{'tag':'urn:li:tag:a'}]}");
    json_t *keep = doc;
    json_t *ops = q("[{'op':'remove','path':'/tags/urn:li:tag:a'},"
                    "{'op':'test','path':'/x','value':1}]");
    char err[256];
    ck_assert_int_eq(patch_apply(&doc, ops, err, sizeof err), -1);
    ck_assert_ptr_eq(doc, keep);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "tags")), 1);
    json_decref(ops);
    json_decref(doc);
}
END_TEST

/* Values are copied into the document, never shared with the operations. */
START_TEST(test_values_copied)
{
    json_t *doc = NULL;
    json_t *ops = q("[{'op':'add','path':'/a','value':{'x':1}}]");
    char err[256];
    ck_assert_int_eq(patch_apply(&doc, ops, err, sizeof err), 0);
    json_object_set_new(json_object_get(doc, "a"), "y", json_integer(2));
    json_t *v = json_object_get(json_array_get(ops, 0), "value");
    ck_assert_ptr_null(json_object_get(v, "y"));
    json_decref(ops);
    json_decref(doc);
}
END_TEST

START_TEST(test_too_many_segments)
{
    char path[2048] = "";
    for (int i = 0; i < 300; i++)
        strcat(path, "/a");
    json_t *ops = json_pack("[{s:s,s:s,s:i}]", "op", "add", "path", path, "value", 1);
    json_t *doc = NULL;
    char err[256];
    ck_assert_int_eq(patch_apply(&doc, ops, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "more than") != NULL, "%s", err);
    json_decref(ops);
}
END_TEST

/* xorshift: a fixed seed keeps a failure reproducible */
static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;
static unsigned long long rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random operations over random paths: each is applied or refused with a
 * reason, and a refused one leaves the document as it was. */
START_TEST(test_random_ops)
{
    static const char *segs[] = {"tags", "urn:li:tag:a", "urn:li:tag:(b/c)", "owners",
                                 "urn:li:corpuser:x", "DATAOWNER", "fineGrainedLineages", "NONE",
                                 "0", "1", "-", "a~1b", "~", "", "customProperties", "k",
                                 "upstreams", "urn:li:dataset:(urn:li:dataPlatform:s3,x/y,PROD)"};
    static const char *opnames[] = {"add", "remove", "replace", "test", "copy", "move", "bogus"};
    static const char *values[] = {"1", "'s'", "{}", "[]", "{'tag':'urn:li:tag:a'}", "null",
                                   "{'confidenceScore':0.5}", "[1,{'a':2}]"};
    json_t *doc = q("{'tags':[{'tag':'urn:li:tag:a'}],'owners':[],'customProperties':{'k':'v'}}");
    int applied = 0, refused = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char path[512] = "", from[512] = "";
        int n = (int)(rng() % 5);
        for (int i = 0; i < n; i++) {
            strcat(path, "/");
            strcat(path, segs[rng() % (sizeof segs / sizeof segs[0])]);
        }
        n = (int)(rng() % 3);
        for (int i = 0; i < n; i++) {
            strcat(from, "/");
            strcat(from, segs[rng() % (sizeof segs / sizeof segs[0])]);
        }
        json_t *op = json_pack("{s:s,s:s,s:s}", "op", opnames[rng() % 7], "path", path, "from",
                               from);
        if (rng() % 8)
            json_object_set_new(op, "value", q(values[rng() % (sizeof values / sizeof values[0])]));
        json_t *ops = json_pack("[o]", op);
        json_t *before = json_deep_copy(doc);
        char err[512] = "";
        if (patch_apply(&doc, ops, err, sizeof err) == 0) {
            applied++;
        } else {
            refused++;
            ck_assert_msg(err[0] != '\0', "no reason for %s", path);
            ck_assert(json_equal(doc, before));
        }
        /* keep the document small and varied */
        if (json_dumpb(doc, NULL, 0, 0) > 4000 || !json_is_object(doc)) {
            json_decref(doc);
            doc = json_deep_copy(before);
            if (!json_is_object(doc)) {
                json_decref(doc);
                doc = json_object();
            }
        }
        json_decref(before);
        json_decref(ops);
    }
    ck_assert_int_gt(applied, 1000);
    ck_assert_int_gt(refused, 1000);
    json_decref(doc);
}
END_TEST

static Suite *patch_suite(void)
{
    Suite *s = suite_create("patch");
    TCase *tc = tcase_create("apply");
    tcase_add_loop_test(tc, test_patch_cases, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_all_or_nothing);
    tcase_add_test(tc, test_values_copied);
    tcase_add_test(tc, test_too_many_segments);
    tcase_add_test(tc, test_random_ops);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(patch_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
