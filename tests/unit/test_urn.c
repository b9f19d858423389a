/* test_urn.c — the URN parser: real DataHub URNs and what they say
 * (platform, name, env), malformed URNs and their reasons, and a mutation
 * run that feeds the parser many broken strings. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/urn.h"

typedef struct urn_case {
    const char *in;
    const char *type;
    size_t nparts;
    const char *parts[5];
    const char *platform, *name, *env;
} urn_case;

static const urn_case good[] = {
    {"urn:li:dataset:(urn:li:dataPlatform:hive,db.schema.table,PROD)", "dataset", 3,
     {"urn:li:dataPlatform:hive", "db.schema.table", "PROD"}, "hive", "db.schema.table", "PROD"},
    {"urn:li:dataJob:(urn:li:dataFlow:(airflow,dag,prod),task_1)", "dataJob", 2,
     {"urn:li:dataFlow:(airflow,dag,prod)", "task_1"}, "airflow", "task_1", "prod"},
    {"urn:li:dataFlow:(airflow,simple_dag,prod)", "dataFlow", 3, {"airflow", "simple_dag", "prod"},
     "airflow", "simple_dag", "prod"},
    {"urn:li:chart:(powerbi,charts.B8E293DC-0C83-4AA0-9BB9-0A8738DF24A0)", "chart", 2,
     {"powerbi", "charts.B8E293DC-0C83-4AA0-9BB9-0A8738DF24A0"}, "powerbi",
     "charts.B8E293DC-0C83-4AA0-9BB9-0A8738DF24A0", NULL},
    {"urn:li:dashboard:(superset,1)", "dashboard", 2, {"superset", "1"}, "superset", "1", NULL},
    {"urn:li:mlModel:(urn:li:dataPlatform:mlflow,test-model_1,PROD)", "mlModel", 3,
     {"urn:li:dataPlatform:mlflow", "test-model_1", "PROD"}, "mlflow", "test-model_1", "PROD"},
    {"urn:li:mlModelGroup:(urn:li:dataPlatform:vertexai,test-project.model_group,PROD)",
     "mlModelGroup", 3, {"urn:li:dataPlatform:vertexai", "test-project.model_group", "PROD"},
     "vertexai", "test-project.model_group", "PROD"},
    {"urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,test_repository.driver_hourly_stats)",
     "mlFeatureTable", 2, {"urn:li:dataPlatform:feast", "test_repository.driver_hourly_stats"},
     "feast", "test_repository.driver_hourly_stats", NULL},
    {"urn:li:mlFeature:(test_repository.driver_hourly_stats,conv_rate)", "mlFeature", 2,
     {"test_repository.driver_hourly_stats", "conv_rate"}, NULL, "conv_rate", NULL},
    {"urn:li:mlPrimaryKey:(test_repository.driver_hourly_stats,driver_id)", "mlPrimaryKey", 2,
     {"test_repository.driver_hourly_stats", "driver_id"}, NULL, "driver_id", NULL},
    {"urn:li:container:b5e95fce839e7d78151ed7e0a7420d84", "container", 1,
     {"b5e95fce839e7d78151ed7e0a7420d84"}, NULL, "b5e95fce839e7d78151ed7e0a7420d84", NULL},
    {"urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:tableau,801c95e3,PROD),Id "
     "%28Activity - Click Email%29)",
     "schemaField", 2,
     {"urn:li:dataset:(urn:li:dataPlatform:tableau,801c95e3,PROD)", "Id (Activity - Click Email)"},
     "tableau", "Id (Activity - Click Email)", "PROD"},
    {"urn:li:dataset:(urn:li:dataPlatform:external,sample - superstore%2C %28new%29.xls.orders,PROD)",
     "dataset", 3,
     {"urn:li:dataPlatform:external", "sample - superstore, (new).xls.orders", "PROD"}, "external",
     "sample - superstore, (new).xls.orders", "PROD"},
    {"urn:li:dataset:(urn:li:dataPlatform:s3,bucket/path/to/file.csv,DEV)", "dataset", 3,
     {"urn:li:dataPlatform:s3", "bucket/path/to/file.csv", "DEV"}, "s3", "bucket/path/to/file.csv",
     "DEV"},
    /* commas and parentheses inside a text part count only at depth 1 */
    {"urn:li:dataset:(urn:li:dataPlatform:hive,fn(a,b),PROD)", "dataset", 3,
     {"urn:li:dataPlatform:hive", "fn(a,b)", "PROD"}, "hive", "fn(a,b)", "PROD"},
    /* a nested URN keeps its escapes: decoding them would change its parts */
    {"urn:li:dataJob:(urn:li:dataFlow:(nifi,a%2Cb,PROD),job)", "dataJob", 2,
     {"urn:li:dataFlow:(nifi,a%2Cb,PROD)", "job"}, "nifi", "job", "PROD"},
    {"urn:li:tag:pii:email", "tag", 1, {"pii:email"}, NULL, "pii:email", NULL},
    {"urn:li:tag:Data Team", "tag", 1, {"Data Team"}, NULL, "Data Team", NULL},
    {"urn:li:glossaryTerm:Classification.Sensitive", "glossaryTerm", 1,
     {"Classification.Sensitive"}, NULL, "Classification.Sensitive", NULL},
    {"urn:li:glossaryTerm:Revenue (Net)", "glossaryTerm", 1, {"Revenue (Net)"}, NULL,
     "Revenue (Net)", NULL},
    {"urn:li:corpGroup:Trust and Safety", "corpGroup", 1, {"Trust and Safety"}, NULL,
     "Trust and Safety", NULL},
    {"urn:li:corpuser:johngreen@acryl.io", "corpuser", 1, {"johngreen@acryl.io"}, NULL,
     "johngreen@acryl.io", NULL},
    {"urn:li:dataPlatform:hive", "dataPlatform", 1, {"hive"}, "hive", "hive", NULL},
    {"urn:li:domain:marketing", "domain", 1, {"marketing"}, NULL, "marketing", NULL},
    {"urn:li:assertion:4c0a7b1e", "assertion", 1, {"4c0a7b1e"}, NULL, "4c0a7b1e", NULL},
    {"urn:li:query:view_abc", "query", 1, {"view_abc"}, NULL, "view_abc", NULL},
    {"urn:li:glossaryNode:Classification", "glossaryNode", 1, {"Classification"}, NULL,
     "Classification", NULL},
    {"urn:li:x:(a,b,c,d)", "x", 4, {"a", "b", "c", "d"}, NULL, "a", NULL},
    {"urn:li:newThing:(urn:li:dataPlatform:kafka,topic,PROD)", "newThing", 3,
     {"urn:li:dataPlatform:kafka", "topic", "PROD"}, "kafka", "topic", "PROD"},
    {"urn:acme:widget:w-1", "widget", 1, {"w-1"}, NULL, "w-1", NULL},
    {"urn:li:tag:caf%C3%A9", "tag", 1, {"caf\xc3\xa9"}, NULL, "caf\xc3\xa9", NULL},
};

static const char *str_or_null(const char *s) { return s ? s : "(null)"; }

START_TEST(test_good_urns)
{
    const urn_case *c = &good[_i];
    urn u;
    char err[256] = "";
    ck_assert_msg(urn_parse(c->in, &u, err, sizeof err) == 0, "%s: %s", c->in, err);
    ck_assert_str_eq(u.raw, c->in);
    ck_assert_str_eq(u.entity_type, c->type);
    ck_assert_uint_eq(u.nparts, c->nparts);
    for (size_t i = 0; i < c->nparts; i++)
        ck_assert_str_eq(u.parts[i], c->parts[i]);
    ck_assert_msg((urn_platform(&u) == NULL) == (c->platform == NULL) &&
                      (!c->platform || strcmp(urn_platform(&u), c->platform) == 0),
                  "%s: platform %s, expected %s", c->in, str_or_null(urn_platform(&u)),
                  str_or_null(c->platform));
    ck_assert_str_eq(urn_name(&u), c->name);
    ck_assert_msg((urn_env(&u) == NULL) == (c->env == NULL) &&
                      (!c->env || strcmp(urn_env(&u), c->env) == 0),
                  "%s: env %s, expected %s", c->in, str_or_null(urn_env(&u)), str_or_null(c->env));
    urn_free(&u);
}
END_TEST

typedef struct bad_case {
    const char *in;
    const char *reason; /* a substring of the error */
} bad_case;

static const bad_case bad[] = {
    {"", "empty URN"},
    {"dataset:(a,b,c)", "does not start with"},
    {"urn:", "does not start with"},
    {"urn:li", "does not start with"},
    {"URN:li:tag:x", "does not start with"},
    {"urn:li::x", "empty entity type"},
    {"urn:li:dataset", "no key"},
    {"urn:li:dataset:", "empty key"},
    {"urn:li:data set:x", "bad character"},
    {"urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD", "unbalanced"},
    {"urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD))", "text after"},
    {"urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)x", "text after"},
    {"urn:li:dataset:(a,b),", "text after"},
    {"urn:li:tag:a)b", "unbalanced"},
    {"urn:li:tag:a(b", "unbalanced"},
    {"urn:li:dataset:(a,,b)", "empty key part 2"},
    {"urn:li:dataset:()", "empty key part 1"},
    {"urn:li:dataset:(urn:li:dataPlatform:,t,PROD)", "key part 1: empty key"},
    {"urn:li:dataJob:(urn:li:dataFlow:(a,b,c,job)", "unbalanced"},
    {"urn:li:tag:a%2", "bad %-escape"},
    {"urn:li:tag:a%zzb", "bad %-escape"},
    {"urn:li:tag:a%", "bad %-escape"},
    {"urn:li:tag:a%00b", "control character"},
    {"urn:li:tag:a\tb", "control character"},
    {"urn:li:tag:a\nb", "control character"},
    {"urn:li:x:(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17)", "more than 16"},
};

START_TEST(test_bad_urns)
{
    const bad_case *c = &bad[_i];
    urn u;
    char err[256] = "";
    ck_assert_msg(urn_parse(c->in, &u, err, sizeof err) == -1, "accepted: %s", c->in);
    ck_assert_msg(strstr(err, c->reason) != NULL, "%s: reason \"%s\", expected \"%s\"", c->in, err,
                  c->reason);
    /* nothing to free on error: the struct is left empty */
    ck_assert_ptr_null(u.raw);
    ck_assert_ptr_null(u.entity_type);
    ck_assert_uint_eq(u.nparts, 0);
}
END_TEST

START_TEST(test_too_long)
{
    size_t n = URN_MAX_LEN + 1;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, "urn:li:tag:", 11);
    memset(s + 11, 'a', n - 11);
    s[n] = '\0';
    urn u;
    char err[256] = "";
    ck_assert_int_eq(urn_parse(s, &u, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "longer than") != NULL, "%s", err);
    s[URN_MAX_LEN] = '\0'; /* exactly the limit is fine */
    ck_assert_int_eq(urn_parse(s, &u, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(u.parts[0]), URN_MAX_LEN - 11);
    urn_free(&u);
    free(s);
}
END_TEST

START_TEST(test_deep_nesting)
{
    /* urn:li:a:(urn:li:a:(...x...)) nested 40 deep: refused, not a crash */
    char buf[2048] = "";
    for (int i = 0; i < 40; i++)
        strcat(buf, "urn:li:a:(");
    strcat(buf, "x");
    for (int i = 0; i < 40; i++)
        strcat(buf, ")");
    urn u;
    char err[256] = "";
    ck_assert_int_eq(urn_parse(buf, &u, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "nested") != NULL, "%s", err);
    /* 5 deep is fine */
    buf[0] = '\0';
    for (int i = 0; i < 5; i++)
        strcat(buf, "urn:li:a:(b,");
    strcat(buf, "x");
    for (int i = 0; i < 5; i++)
        strcat(buf, ")");
    ck_assert_int_eq(urn_parse(buf, &u, err, sizeof err), 0);
    ck_assert_uint_eq(u.nparts, 2);
    ck_assert_str_eq(u.parts[0], "b");
    urn_free(&u);
}
END_TEST

START_TEST(test_last_field)
{
    ck_assert_str_eq(urn_last_field("urn:li:dataPlatform:hive"), "hive");
    ck_assert_str_eq(urn_last_field("urn:li:tag:pii:email"), "pii:email");
    ck_assert_str_eq(urn_last_field("hive"), "hive");
    ck_assert_str_eq(urn_last_field("urn:li:dataset:(a,b,c)"), "urn:li:dataset:(a,b,c)");
    ck_assert_ptr_null(urn_last_field(NULL));
}
END_TEST

START_TEST(test_null_and_small_err)
{
    urn u;
    char err[8];
    ck_assert_int_eq(urn_parse(NULL, &u, err, sizeof err), -1);
    /* a short error buffer is truncated safely, never overrun */
    ck_assert_int_eq(urn_parse("urn:li:dataset:(a,b", &u, err, sizeof err), -1);
    ck_assert_uint_lt(strlen(err), sizeof err);
    ck_assert_int_eq(urn_parse("urn:li:dataset:(a,b", &u, NULL, 0), -1);
}
END_TEST

/* xorshift: a fixed seed keeps a failure reproducible */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void check_one(const char *s)
{
    urn u;
    char err[256];
    err[0] = '\0';
    if (urn_parse(s, &u, err, sizeof err) == 0) {
        ck_assert_str_eq(u.raw, s);
        ck_assert_ptr_nonnull(u.entity_type);
        ck_assert_uint_gt(strlen(u.entity_type), 0);
        ck_assert_uint_ge(u.nparts, 1);
        ck_assert_uint_le(u.nparts, URN_MAX_PARTS);
        for (size_t i = 0; i < u.nparts; i++)
            ck_assert_ptr_nonnull(u.parts[i]);
        ck_assert_ptr_nonnull(urn_name(&u));
        (void)urn_platform(&u);
        (void)urn_env(&u);
        urn_free(&u);
    } else {
        ck_assert_msg(err[0] != '\0', "no reason for %s", s);
        ck_assert_ptr_null(u.raw);
    }
    (void)urn_last_field(s);
}

START_TEST(test_mutations_never_crash)
{
    static const char alphabet[] = "(),%:urnli2CFa0 /\\\x01\xff";
    char buf[512];
    int parsed = 0, refused = 0;
    for (int iter = 0; iter < 40000; iter++) {
        const char *seed = good[rng() % (sizeof good / sizeof good[0])].in;
        size_t n = strlen(seed);
        if (n >= sizeof buf - 16)
            n = sizeof buf - 16;
        memcpy(buf, seed, n);
        buf[n] = '\0';
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++) {
            size_t len = strlen(buf);
            size_t at = len ? rng() % len : 0;
            switch (rng() % 4) {
            case 0: /* replace a byte */
                if (len)
                    buf[at] = alphabet[rng() % (sizeof alphabet - 1)];
                break;
            case 1: /* insert a byte */
                if (len + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, len - at + 1);
                    buf[at] = alphabet[rng() % (sizeof alphabet - 1)];
                }
                break;
            case 2: /* delete a byte */
                if (len)
                    memmove(buf + at, buf + at + 1, len - at);
                break;
            default: /* truncate */
                buf[at] = '\0';
                break;
            }
        }
        urn u;
        char err[64];
        if (urn_parse(buf, &u, err, sizeof err) == 0) {
            parsed++;
            urn_free(&u);
        } else {
            refused++;
        }
        check_one(buf);
    }
    /* purely random strings too */
    for (int iter = 0; iter < 10000; iter++) {
        size_t len = rng() % 64;
        memcpy(buf, "urn:li:", 7);
        for (size_t i = 7; i < 7 + len; i++)
            buf[i] = alphabet[rng() % (sizeof alphabet - 1)];
        buf[7 + len] = '\0';
        check_one(buf);
        check_one(buf + 7);
    }
    /* both outcomes were exercised */
    ck_assert_int_gt(parsed, 1000);
    ck_assert_int_gt(refused, 1000);
}
END_TEST

static Suite *urn_suite(void)
{
    Suite *s = suite_create("urn");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_good_urns, 0, (int)(sizeof good / sizeof good[0]));
    tcase_add_loop_test(tc, test_bad_urns, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_too_long);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_last_field);
    tcase_add_test(tc, test_null_and_small_err);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(urn_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
