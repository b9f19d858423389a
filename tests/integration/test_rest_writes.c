/* test_rest_writes.c — POST /v1/events over HTTP against the real binaries:
 *   - through Kafka (librdkafka's mock cluster, a metadex-indexer in Kafka
 *     mode consuming the topic, searchd publishing to it): a write with
 *     wait=true is found by the very next search; with the indexer stopped
 *     it answers 202 with the event pending after timeout_ms, and the event
 *     is applied once an indexer runs again; searches and further writes
 *     are not held up behind the waiting request;
 *   - in --writable mode (searchd is the index's one writer): the same
 *     read-after-write; a ranking config PUT goes through searchd's writer
 *     while a metadex-indexer on the same index is refused by the lock;
 *   - a request mixing valid events, malformed JSON and a bad URN applies
 *     the valid ones and reports each rejected one with its reason (in
 *     Kafka mode the rejected ones are not published);
 *   - the write token: 401 without it or with another, 403 "disabled"
 *     when searchd has none; 400 for a body that is no JSON, 413 past the
 *     body limit; option conflicts are usage errors.
 */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/kafka_stream.h"
#include "tests/support/kafka_util.h"
#include "tests/support/testenv.h"

#define TOKEN "rest-write-token-0123456789"
#define ADMIN_TOKEN "rest-admin-token-0123456789"
#define TOPIC "events"
#define PARTITIONS 3

static const char *const AUTH[] = {"Authorization: Bearer " TOKEN, "Content-Type: application/json",
                                   NULL};

/* ---- scratch ------------------------------------------------------------- */

typedef struct fixture {
    char *dir;
    char *db;
    char *token_file, *admin_token_file;
    kt_mock mock;
    int have_mock;
    pid_t indexer;
    int indexer_runs; /* to name each indexer's log */
    pid_t searchd;
    int port;
} fixture;

static char *path_in(const fixture *f, const char *name)
{
    char *p = te_path_in(f->dir, name);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fputs(text, fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
}

static void fixture_init(fixture *f, const char *tag)
{
    memset(f, 0, sizeof *f);
    f->dir = te_tmpdir(tag);
    ck_assert_ptr_nonnull(f->dir);
    f->db = path_in(f, "index.db");
    f->token_file = path_in(f, "write.token");
    f->admin_token_file = path_in(f, "admin.token");
    write_text(f->token_file, TOKEN "\n");
    write_text(f->admin_token_file, ADMIN_TOKEN "\n");
}

static void start_mock(fixture *f)
{
    char err[512];
    const char *topics[] = {TOPIC ":3", NULL};
    char *bin = te_bin("tests/support/mdx-kafka-mock");
    char *log = path_in(f, "mock.log");
    int rc = kt_mock_start(&f->mock, bin, topics, log, err, sizeof err);
    free(bin);
    free(log);
    ck_assert_msg(rc == 0, "mock cluster: %s", err);
    f->have_mock = 1;
}

/* A metadex-indexer in Kafka mode: short batches so a trickle commits at once. */
static void start_indexer(fixture *f)
{
    char name[32];
    snprintf(name, sizeof name, "indexer-%d.log", ++f->indexer_runs);
    char *log = path_in(f, name);
    const char *extra[] = {"--commit-ms", "20", "--quiet", NULL};
    f->indexer = ks_start_indexer(f->db, f->mock.bootstrap, TOPIC, "rest", extra, log);
    free(log);
    ck_assert_int_gt(f->indexer, 0);
    /* The indexer creates the index as it starts; searchd answers 503 until
     * then, so tests wait for it rather than race it. */
    char *marker = path_in(f, "index.db/iamglass");
    int waited = 0;
    while (access(marker, F_OK) != 0 && waited < 10000) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        waited += 20;
    }
    ck_assert_msg(access(marker, F_OK) == 0, "the indexer created no index at %s", marker);
    free(marker);
}

static void start_searchd(fixture *f, const char *const *extra)
{
    f->searchd = te_start_searchd(f->db, extra, &f->port);
    ck_assert_msg(f->searchd > 0, "metadex-searchd did not start");
}

static void start_kafka_searchd(fixture *f)
{
    /* Two worker threads: one request may wait for the index at a time. */
    const char *extra[] = {
        "--brokers",   f->mock.bootstrap, "--topic", TOPIC,     "--write-token-file",
        f->token_file, "--threads",       "2",       "--quiet", NULL};
    start_searchd(f, extra);
}

static void fixture_done(fixture *f)
{
    if (f->searchd > 0)
        ck_assert_int_eq(te_stop(f->searchd, SIGTERM), 0);
    if (f->indexer > 0)
        ck_assert_int_eq(te_stop(f->indexer, SIGTERM), 0);
    if (f->have_mock)
        kt_mock_stop(&f->mock);
    te_rmtree(f->dir);
    free(f->dir);
    free(f->db);
    free(f->token_file);
    free(f->admin_token_file);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- events and requests ------------------------------------------------- */

static char *dataset_urn(const char *name)
{
    char *u = malloc(256);
    ck_assert_ptr_nonnull(u);
    snprintf(u, 256, "urn:li:dataset:(urn:li:dataPlatform:hive,restdb.%s,PROD)", name);
    return u;
}

/* An MCP upserting datasetProperties of dataset `name` (malloc'd JSON). */
static char *dataset_event(const char *name, const char *description)
{
    char *urn = dataset_urn(name);
    json_t *ev =
        json_pack("{s:s,s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "entityType", "dataset", "entityUrn", urn,
                  "changeType", "UPSERT", "aspectName", "datasetProperties", "aspect", "json",
                  "name", name, "description", description);
    free(urn);
    char *s = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* POSTs body to /v1/events?query; returns the parsed answer, the status in
 * *status. */
static json_t *post_events(int port, const char *query, const char *body,
                           const char *const *headers, long *status)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/events%s%s", query ? "?" : "", query ? query : "");
    te_http r;
    ck_assert_int_eq(te_http_do(port, "POST", path, body, headers, &r), 0);
    *status = r.status;
    json_error_t je;
    json_t *j = json_loads(r.body, 0, &je);
    ck_assert_msg(j != NULL, "answer %ld is not JSON: %.300s", r.status, r.body);
    te_http_free(&r);
    return j;
}

static long count_of(const json_t *ans, const char *key)
{
    return (long)json_integer_value(json_object_get(ans, key));
}

static const json_t *result_at(const json_t *ans, size_t i)
{
    const json_t *res = json_object_get(ans, "results");
    ck_assert_msg(json_is_array(res) && i < json_array_size(res), "no results[%zu]", i);
    const json_t *r = json_array_get(res, i);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "index")), (json_int_t)i);
    return r;
}

static const char *status_at(const json_t *ans, size_t i)
{
    return json_string_value(json_object_get(result_at(ans, i), "status"));
}

/* 1 if searching `word` finds `urn` among the hits. */
static int search_finds(int port, const char *word, const char *urn)
{
    char *q = te_urlencode(word);
    char path[512];
    snprintf(path, sizeof path, "/v1/search?q=%s&limit=20", q);
    free(q);
    long status = 0;
    json_t *j = te_get_json(port, path, &status);
    ck_assert_msg(j && status == 200, "search %s answered %ld", word, status);
    int found = 0;
    size_t i;
    json_t *hit;
    json_array_foreach(json_object_get(j, "hits"), i, hit)
    {
        if (strcmp(json_string_value(json_object_get(hit, "urn")), urn) == 0)
            found = 1;
    }
    json_decref(j);
    return found;
}

/* Writes `n` datasets with unique names one request at a time with
 * wait=true, and checks each is found by the search made right after. */
static void check_read_after_write(int port, const char *tag, int n)
{
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s_quillback%d", tag, i);
        char *ev = dataset_event(name, "written through the REST API");
        char *urn = dataset_urn(name);
        ck_assert_int_eq(search_finds(port, name, urn), 0);
        long status;
        json_t *ans = post_events(port, "wait=true", ev, AUTH, &status);
        ck_assert_msg(status == 200, "write %d answered %ld", i, status);
        ck_assert_int_eq(count_of(ans, "applied"), 1);
        ck_assert_int_eq(count_of(ans, "pending"), 0);
        ck_assert_str_eq(status_at(ans, 0), "applied");
        ck_assert_str_eq(json_string_value(json_object_get(result_at(ans, 0), "urn")), urn);
        ck_assert_msg(search_finds(port, name, urn), "write %d not found by the next search", i);
        json_decref(ans);
        free(ev);
        free(urn);
    }
}

/* A JSON array of: a valid event, malformed JSON, an event whose URN does
 * not parse, another valid event. Returns the body; urns of the valid ones
 * in good[0..1]. */
static char *mixed_body(const char *tag, char *good[2], char *names[2])
{
    for (int i = 0; i < 2; i++) {
        names[i] = malloc(64);
        ck_assert_ptr_nonnull(names[i]);
        snprintf(names[i], 64, "%s_mixed_wobbegong%d", tag, i);
        good[i] = dataset_urn(names[i]);
    }
    char *a = dataset_event(names[0], "first good one");
    char *b = dataset_event(names[1], "second good one");
    const char *malformed = "{\"entityUrn\": \"urn:li:dataset:(urn:li:dataPlatform:hive,x,PROD)\", "
                            "\"aspectName\": }";
    const char *bad_urn = "{\"entityType\": \"dataset\", \"entityUrn\": \"urn:li:dataset:(urn:li:"
                          "dataPlatform:hive,half_open\", \"changeType\": \"UPSERT\", "
                          "\"aspectName\": \"datasetProperties\", \"aspect\": {\"json\": "
                          "{\"name\": \"half_open\"}}}";
    size_t n = strlen(a) + strlen(b) + strlen(malformed) + strlen(bad_urn) + 16;
    char *body = malloc(n);
    ck_assert_ptr_nonnull(body);
    snprintf(body, n, "[%s,\n%s,\n%s,\n%s]", a, malformed, bad_urn, b);
    free(a);
    free(b);
    return body;
}

/* Posts the mixed request and checks each outcome. */
static void check_mixed_request(int port, const char *tag)
{
    char *good[2], *names[2];
    char *body = mixed_body(tag, good, names);
    long status;
    json_t *ans = post_events(port, "wait=true", body, AUTH, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(count_of(ans, "applied"), 2);
    ck_assert_int_eq(count_of(ans, "rejected"), 2);
    ck_assert_int_eq(count_of(ans, "pending"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(ans, "results")), 4);
    ck_assert_str_eq(status_at(ans, 0), "applied");
    ck_assert_str_eq(status_at(ans, 3), "applied");

    const json_t *r1 = result_at(ans, 1);
    ck_assert_str_eq(status_at(ans, 1), "rejected");
    const char *why = json_string_value(json_object_get(r1, "reason"));
    ck_assert_msg(why && strstr(why, "invalid JSON"), "malformed: reason %s", why ? why : "none");

    const json_t *r2 = result_at(ans, 2);
    ck_assert_str_eq(status_at(ans, 2), "rejected");
    why = json_string_value(json_object_get(r2, "reason"));
    ck_assert_msg(why && strstr(why, "bad URN"), "bad URN: reason %s", why ? why : "none");
    /* The URN it claimed is echoed, so the client knows which one. */
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r2, "urn")), "half_open"));

    for (int i = 0; i < 2; i++) {
        ck_assert_msg(search_finds(port, names[i], good[i]), "valid event %d not applied", i);
        free(good[i]);
        free(names[i]);
    }
    ck_assert_int_eq(search_finds(port, "half_open",
                                  "urn:li:dataset:(urn:li:dataPlatform:hive,"
                                  "half_open"),
                     0);
    json_decref(ans);
    free(body);
}

static int64_t topic_messages(const fixture *f)
{
    int64_t high[PARTITIONS];
    ck_assert_int_eq(kt_high_watermarks(f->mock.bootstrap, TOPIC, PARTITIONS, high), 0);
    int64_t sum = 0;
    for (int p = 0; p < PARTITIONS; p++)
        sum += high[p];
    return sum;
}

/* ---- through Kafka ----------------------------------------------------- */

START_TEST(kafka_write_is_searchable_with_wait)
{
    fixture f;
    fixture_init(&f, "rest-kafka");
    start_mock(&f);
    start_indexer(&f);
    start_kafka_searchd(&f);

    check_read_after_write(f.port, "kafka", 5);
    int64_t before = topic_messages(&f);
    ck_assert_int_eq(before, 5);
    check_mixed_request(f.port, "kafka");
    /* Only the two valid events were published. */
    ck_assert_int_eq(topic_messages(&f), before + 2);

    /* Without wait: 202 once Kafka acknowledged, with where it went. */
    char *ev = dataset_event("kafka_nowait_garibaldi", "published, not waited for");
    long status;
    json_t *ans = post_events(f.port, NULL, ev, AUTH, &status);
    ck_assert_int_eq(status, 202);
    ck_assert_int_eq(count_of(ans, "pending"), 1);
    ck_assert_str_eq(status_at(ans, 0), "pending");
    const json_t *r0 = result_at(ans, 0);
    json_int_t part = json_integer_value(json_object_get(r0, "partition"));
    ck_assert(part >= 0 && part < PARTITIONS);
    ck_assert(json_integer_value(json_object_get(r0, "offset")) >= 0);
    json_decref(ans);
    free(ev);
    fixture_done(&f);
}
END_TEST

/* A wait=true request on its own thread. */
typedef struct waiting_post {
    int port;
    const char *query, *body;
    long status;
    double took_ms;
    json_t *answer;
} waiting_post;

static void *waiting_post_run(void *arg)
{
    waiting_post *w = arg;
    double t0 = now_ms();
    w->answer = post_events(w->port, w->query, w->body, AUTH, &w->status);
    w->took_ms = now_ms() - t0;
    return NULL;
}

START_TEST(kafka_wait_with_indexer_stopped_is_202_pending)
{
    fixture f;
    fixture_init(&f, "rest-kafka-stopped");
    start_mock(&f);
    start_indexer(&f);
    start_kafka_searchd(&f);
    check_read_after_write(f.port, "before_stop", 1);
    ck_assert_int_eq(te_stop(f.indexer, SIGTERM), 0);
    f.indexer = 0;

    char *ev = dataset_event("stopped_mudskipper", "waits for an indexer");
    char *urn = dataset_urn("stopped_mudskipper");
    waiting_post w = {.port = f.port, .query = "wait=true&timeout_ms=1500", .body = ev};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, waiting_post_run, &w), 0);
    te_sleep_ms(300); /* it is waiting now */

    /* Meanwhile searches answer, and a second waiting write is not held:
     * one worker thread is left for them. */
    double t0 = now_ms();
    ck_assert_int_eq(search_finds(f.port, "stopped_mudskipper", urn), 0);
    char *ev2 = dataset_event("stopped_blenny", "not waited for");
    long status;
    json_t *ans = post_events(f.port, "wait=true&timeout_ms=1500", ev2, AUTH, &status);
    double took = now_ms() - t0;
    ck_assert_int_eq(status, 202);
    ck_assert_str_eq(status_at(ans, 0), "pending");
    const char *why = json_string_value(json_object_get(result_at(ans, 0), "reason"));
    ck_assert_msg(why && strstr(why, "not waited for"), "reason: %s", why ? why : "none");
    ck_assert_msg(took < 1000, "held up for %.0f ms behind the waiting request", took);
    json_decref(ans);

    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(w.status, 202);
    ck_assert_int_eq(count_of(w.answer, "pending"), 1);
    ck_assert_int_eq(count_of(w.answer, "applied"), 0);
    ck_assert_str_eq(status_at(w.answer, 0), "pending");
    ck_assert_ptr_null(json_object_get(result_at(w.answer, 0), "reason"));
    ck_assert_msg(w.took_ms >= 1500 && w.took_ms < 6000, "answered after %.0f ms", w.took_ms);
    json_decref(w.answer);
    ck_assert_int_eq(search_finds(f.port, "stopped_mudskipper", urn), 0);

    /* Published all the same: an indexer that runs again applies both. */
    start_indexer(&f);
    char *urn2 = dataset_urn("stopped_blenny");
    int found = 0;
    for (double t1 = now_ms(); !found && now_ms() - t1 < 20000; te_sleep_ms(50))
        found = search_finds(f.port, "stopped_mudskipper", urn) &&
                search_finds(f.port, "stopped_blenny", urn2);
    ck_assert_msg(found, "the pending events were never applied");
    free(urn2);
    free(ev2);
    free(ev);
    free(urn);
    fixture_done(&f);
}
END_TEST

/* ---- searchd as the writer ----------------------------------------------- */

static json_t *admin_call(int port, const char *method, const char *path, const char *body,
                          long *status)
{
    static const char *const hdr[] = {"Authorization: Bearer " ADMIN_TOKEN,
                                      "Content-Type: application/json", NULL};
    te_http r;
    ck_assert_int_eq(te_http_do(port, method, path, body, hdr, &r), 0);
    *status = r.status;
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_msg(j != NULL, "admin answer %ld is not JSON: %.300s", r.status, r.body);
    te_http_free(&r);
    return j;
}

START_TEST(writable_write_is_searchable_and_ranking_goes_through_the_writer)
{
    fixture f;
    fixture_init(&f, "rest-writable");
    const char *extra[] = {"--writable",
                           "--write-token-file",
                           f.token_file,
                           "--admin-token-file",
                           f.admin_token_file,
                           "--quiet",
                           NULL};
    start_searchd(&f, extra);

    check_read_after_write(f.port, "local", 5);
    check_mixed_request(f.port, "local");

    /* A ranking save while searchd holds the write lock: through its writer. */
    long status;
    json_t *saved =
        admin_call(f.port, "PUT", "/v1/admin/ranking", "{\"exact_bonus\": 17}", &status);
    ck_assert_msg(status == 200, "ranking PUT answered %ld", status);
    json_int_t version = json_integer_value(json_object_get(saved, "version"));
    ck_assert_int_ge(version, 1);
    json_decref(saved);
    json_t *cur = te_get_json(f.port, "/v1/admin/ranking", &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(cur, "version")), version);
    ck_assert_double_eq(
        json_number_value(json_object_get(json_object_get(cur, "config"), "exact_bonus")), 17);
    json_decref(cur);

    /* A second writer on the same index is refused by the lock. */
    char *events = path_in(&f, "more.jsonl");
    char *ev = dataset_event("second_writer_sculpin", "never written");
    write_text(events, ev);
    char *log = path_in(&f, "second-writer.log");
    char *bin = te_bin("indexer/metadex-indexer");
    char *argv[] = {bin, "--db", f.db, "--quiet", events, NULL};
    int rc = te_run(argv, NULL, log);
    ck_assert_int_eq(rc, 1);
    char *text = te_read_file(log, NULL);
    ck_assert_msg(text && strstr(text, "another writer"), "indexer said: %s", text ? text : "");
    free(text);

    /* searchd's writer is unharmed: writes and saves still go through. */
    check_read_after_write(f.port, "after_lock", 1);
    saved = admin_call(f.port, "PUT", "/v1/admin/ranking", "{\"exact_bonus\": 18}", &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(saved, "version")), version + 1);
    json_decref(saved);

    free(bin);
    free(log);
    free(ev);
    free(events);
    fixture_done(&f);
}
END_TEST

/* ---- the token, the body, the options ----------------------------------- */

START_TEST(writes_need_the_token)
{
    fixture f;
    fixture_init(&f, "rest-auth");
    const char *extra[] = {"--writable", "--write-token-file", f.token_file, "--quiet", NULL};
    start_searchd(&f, extra);
    char *ev = dataset_event("auth_tilefish", "needs the token");
    char *urn = dataset_urn("auth_tilefish");
    long status;

    json_t *ans = post_events(f.port, "wait=true", ev, NULL, &status);
    ck_assert_int_eq(status, 401);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ans, "error"), "code")),
                     "unauthorized");
    json_decref(ans);
    const char *wrong[] = {"Authorization: Bearer " TOKEN "x", NULL};
    ans = post_events(f.port, "wait=true", ev, wrong, &status);
    ck_assert_int_eq(status, 401);
    json_decref(ans);
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    ans = post_events(f.port, "wait=true", ev, basic, &status);
    ck_assert_int_eq(status, 401);
    json_decref(ans);
    ck_assert_int_eq(search_finds(f.port, "auth_tilefish", urn), 0);

    /* No JSON at all: 400; an empty body: 400. */
    ans = post_events(f.port, NULL, "this is not json\nnor is this", AUTH, &status);
    ck_assert_int_eq(status, 400);
    ck_assert_ptr_nonnull(strstr(
        json_string_value(json_object_get(json_object_get(ans, "error"), "message")), "JSON"));
    json_decref(ans);
    ans = post_events(f.port, NULL, " \n", AUTH, &status);
    ck_assert_int_eq(status, 400);
    json_decref(ans);
    /* Bad parameters: 400. */
    ans = post_events(f.port, "wait=true&timeout_ms=99999999", ev, AUTH, &status);
    ck_assert_int_eq(status, 400);
    json_decref(ans);

    /* Past the body limit: 413 with a JSON error. */
    size_t big = (16u << 20) + 1024;
    char *huge = malloc(big + 1);
    ck_assert_ptr_nonnull(huge);
    memset(huge, ' ', big);
    huge[0] = '[';
    huge[big - 1] = ']';
    huge[big] = '\0';
    ans = post_events(f.port, NULL, huge, AUTH, &status);
    ck_assert_int_eq(status, 413);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ans, "error"), "code")),
                     "payload_too_large");
    json_decref(ans);
    free(huge);

    /* With the token, JSON lines as well as arrays. */
    char *ev2 = dataset_event("auth_lumpsucker", "second line");
    char *urn2 = dataset_urn("auth_lumpsucker");
    size_t n = strlen(ev) + strlen(ev2) + 3;
    char *lines = malloc(n);
    ck_assert_ptr_nonnull(lines);
    snprintf(lines, n, "%s\n%s\n", ev, ev2);
    ans = post_events(f.port, "wait=true", lines, AUTH, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(count_of(ans, "applied"), 2);
    json_decref(ans);
    ck_assert_int_eq(search_finds(f.port, "auth_tilefish", urn), 1);
    ck_assert_int_eq(search_finds(f.port, "auth_lumpsucker", urn2), 1);
    free(lines);
    free(ev2);
    free(urn2);
    ck_assert_int_eq(te_stop(f.searchd, SIGTERM), 0);

    /* No token configured: writes are disabled, and say how to enable them. */
    const char *no_token[] = {"--writable", "--quiet", NULL};
    start_searchd(&f, no_token);
    ans = post_events(f.port, "wait=true", ev, AUTH, &status);
    ck_assert_int_eq(status, 403);
    const char *msg = json_string_value(json_object_get(json_object_get(ans, "error"), "message"));
    ck_assert_msg(msg && strstr(msg, "disabled") && strstr(msg, "--write-token-file"),
                  "message: %s", msg ? msg : "none");
    json_decref(ans);
    free(ev);
    free(urn);
    fixture_done(&f);
}
END_TEST

START_TEST(conflicting_options_are_usage_errors)
{
    fixture f;
    fixture_init(&f, "rest-usage");
    char *bin = te_bin("searchd/metadex-searchd");
    char *log = path_in(&f, "usage.log");
    char *both[] = {bin,           "--db",    f.db, "--writable", "--brokers",
                    "127.0.0.1:1", "--topic", "t",  NULL};
    ck_assert_int_eq(te_run(both, NULL, log), 2);
    char *nowhere[] = {bin, "--db", f.db, "--write-token-file", f.token_file, NULL};
    ck_assert_int_eq(te_run(nowhere, NULL, log), 2);
    char *half[] = {bin, "--db", f.db, "--brokers", "127.0.0.1:1", NULL};
    ck_assert_int_eq(te_run(half, NULL, log), 2);
    char *text = te_read_file(log, NULL);
    ck_assert_msg(text && strstr(text, "mutually exclusive"), "said: %s", text ? text : "");
    free(text);
    free(bin);
    free(log);
    fixture_done(&f);
}
END_TEST

static Suite *rest_suite(void)
{
    Suite *s = suite_create("rest_writes");
    TCase *t = tcase_create("rest_writes");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, kafka_write_is_searchable_with_wait);
    tcase_add_test(t, kafka_wait_with_indexer_stopped_is_202_pending);
    tcase_add_test(t, writable_write_is_searchable_and_ranking_goes_through_the_writer);
    tcase_add_test(t, writes_need_the_token);
    tcase_add_test(t, conflicting_options_are_usage_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rest_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
