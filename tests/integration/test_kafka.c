/* test_kafka.c — metadex-indexer's Kafka mode against a real Kafka protocol
 * endpoint (librdkafka's mock cluster, started here):
 *   - the DataHub fixtures and generated events streamed through Kafka end
 *     in the same entity states as the same events indexed from files, and
 *     /metrics counts them;
 *   - two topics with several partitions; unusable messages go to the
 *     dead-letter topic with their reason and the stream goes on;
 *   - SIGTERM commits the pending batch with its offsets and exits 0;
 *   - bad options are usage errors, and auto-commit cannot be switched on.
 */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/index_compare.h"
#include "tests/support/kafka_stream.h"
#include "tests/support/kafka_util.h"
#include "tests/support/testenv.h"

/* The test's scratch: a directory, the mock cluster, paths inside. */
typedef struct fixture {
    char *dir;
    char *mock_bin;
    kt_mock mock;
} fixture;

static char *path_in(const fixture *f, const char *name)
{
    char *p = te_path_in(f->dir, name);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void fixture_start(fixture *f, const char *tag, const char *const *topics)
{
    char err[512];
    f->dir = te_tmpdir(tag);
    ck_assert_ptr_nonnull(f->dir);
    f->mock_bin = te_bin("tests/support/mdx-kafka-mock");
    char *log = path_in(f, "mock.log");
    int rc = kt_mock_start(&f->mock, f->mock_bin, topics, log, err, sizeof err);
    free(log);
    ck_assert_msg(rc == 0, "mock cluster: %s", err);
}

static void fixture_stop(fixture *f)
{
    kt_mock_stop(&f->mock);
    te_rmtree(f->dir);
    free(f->dir);
    free(f->mock_bin);
}

/* The value of the sample `name` (with its labels, exactly) in Prometheus
 * text; -1 when absent. */
static double metric(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    }
    return -1;
}

/* GET /metrics (NULL on transport error; caller frees). */
static char *get_metrics(int port)
{
    te_http r;
    if (te_http_do(port, "GET", "/metrics", NULL, NULL, &r) != 0)
        return NULL;
    char *body = r.status == 200 ? r.body : NULL;
    if (!body)
        free(r.body);
    free(r.content_type);
    return body;
}

/* Waits until /metrics shows `name` == want; returns the last metrics text. */
static char *wait_metric(int port, const char *name, double want, int timeout_ms)
{
    char *text = NULL;
    for (int waited = 0; waited <= timeout_ms; waited += 100) {
        free(text);
        text = get_metrics(port);
        if (text && metric(text, name) == want)
            return text;
        te_sleep_ms(100);
    }
    return text;
}

START_TEST(test_stream_equals_files)
{
    fixture f;
    const char *topics[] = {"events:4", NULL};
    fixture_start(&f, "kafka-stream", topics);

    size_t nfix = 0;
    char **fix = ks_fixture_files(&nfix);
    ck_assert_msg(fix && nfix > 10, "fixtures not found under $MDX_FIXTURES");
    char **files = calloc(nfix + 2, sizeof *files);
    ck_assert_ptr_nonnull(files);
    memcpy(files, fix, nfix * sizeof *files);
    char *gen = path_in(&f, "generated.jsonl");
    ck_assert_int_eq(ks_write_generated(gen, 7, 3000, 300, "stream"), 0);
    files[nfix] = gen;
    size_t nfiles = nfix + 1;

    long produced = ks_produce_files(f.mock.bootstrap, "events", files, nfiles);
    ck_assert_int_gt(produced, 3000);
    int64_t high[4];
    ck_assert_int_eq(kt_high_watermarks(f.mock.bootstrap, "events", 4, high), 0);
    ck_assert_int_eq(high[0] + high[1] + high[2] + high[3], produced);

    char *ref = path_in(&f, "ref.db"), *refdl = path_in(&f, "ref-dead.jsonl");
    char *reflog = path_in(&f, "ref.log");
    int rc = ks_index_files(ref, refdl, files, nfiles, reflog);
    if (rc != 0)
        ks_dump_log(reflog, 20);
    ck_assert_int_eq(rc, 0);

    char *db = path_in(&f, "kafka.db"), *dl = path_in(&f, "kafka-dead.jsonl");
    char *log = path_in(&f, "indexer.log");
    int port = te_free_port();
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    const char *extra[] = {"--commit-every",  "400",  "--commit-ms", "200", "--dead-letter", dl,
                           "--status-listen", listen, NULL};
    pid_t pid = ks_start_indexer(db, f.mock.bootstrap, "events", "stream", extra, log);
    ck_assert_int_gt(pid, 0);
    rc = ks_wait_offsets(db, "events", 4, high, 45000, pid);
    if (rc != 0)
        ks_dump_log(log, 30);
    ck_assert_msg(rc == 0, "the index never caught up with the topic");

    /* /metrics counts what was consumed, applied and dead-lettered, and the
     * lag of every partition drops to 0 (high watermark - stored offset). */
    char *m = wait_metric(port, "metadex_indexer_events_consumed_total", (double)produced, 10000);
    ck_assert_msg(m != NULL, "no answer from /metrics");
    ck_assert_double_eq(metric(m, "metadex_indexer_events_consumed_total"), (double)produced);
    ck_assert_double_gt(metric(m, "metadex_indexer_batches_total"), 0);
    ck_assert_double_gt(metric(m, "metadex_indexer_events_applied_total"), 0);
    ck_assert_double_gt(metric(m, "metadex_indexer_commit_seconds_count"), 0);
    ck_assert_double_gt(metric(m, "metadex_indexer_last_commit_timestamp_seconds"), 1e9);
    ck_assert_double_eq(metric(m, "metadex_indexer_partitions_assigned"), 4);
    free(m);
    m = wait_metric(port, "metadex_indexer_partition_lag{topic=\"events\",partition=\"3\"}", 0,
                    5000);
    ck_assert_ptr_nonnull(m);
    for (int p = 0; p < 4; p++) {
        char name[128];
        snprintf(name, sizeof name,
                 "metadex_indexer_partition_committed_offset{topic=\"events\",partition=\"%d\"}",
                 p);
        ck_assert_double_eq(metric(m, name), (double)high[p]);
        snprintf(name, sizeof name,
                 "metadex_indexer_partition_lag{topic=\"events\",partition=\"%d\"}", p);
        ck_assert_double_eq(metric(m, name), 0);
    }
    double dead = metric(m, "metadex_indexer_events_dead_lettered_total");
    free(m);
    te_http h;
    ck_assert_int_eq(te_http_do(port, "GET", "/healthz", NULL, NULL, &h), 0);
    ck_assert_int_eq(h.status, 200);
    ck_assert_ptr_nonnull(strstr(h.body, "\"ok\""));
    te_http_free(&h);

    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);

    char why[2048];
    rc = ixc_compare(ref, db, why, sizeof why);
    ck_assert_msg(rc == 0, "Kafka-built index differs from the file-built one: %s", why);
    ck_assert_int_gt(ixc_entities(db), 300);
    /* The same events were unusable either way. */
    ck_assert_int_eq(te_count_lines(dl), te_count_lines(refdl));
    ck_assert_double_eq(dead, (double)te_count_lines(dl));

    free(ref);
    free(refdl);
    free(reflog);
    free(db);
    free(dl);
    free(log);
    free(files);
    ks_free_list(fix);
    free(gen);
    fixture_stop(&f);
}
END_TEST

/* A dead letter read back from the topic. */
typedef struct letters {
    int n;
    int raw_seen, event_seen, empty_seen;
    char first_bad[512];
} letters;

static int on_letter(void *ctx, int32_t partition, int64_t offset, const char *key, size_t keylen,
                     const char *value, size_t len)
{
    (void)partition;
    (void)offset;
    letters *l = ctx;
    l->n++;
    json_error_t je;
    json_t *o = json_loadb(value, len, 0, &je);
    const char *reason = o ? json_string_value(json_object_get(o, "reason")) : NULL;
    const char *topic = o ? json_string_value(json_object_get(o, "topic")) : NULL;
    int ok = reason && *reason && topic &&
             (strcmp(topic, "orders") == 0 || strcmp(topic, "people") == 0) &&
             json_is_integer(json_object_get(o, "offset")) &&
             json_is_integer(json_object_get(o, "partition")) && keylen > 0;
    (void)key;
    if (ok) {
        const char *raw = json_string_value(json_object_get(o, "raw"));
        if (raw && strcmp(raw, "{\"entityUrn\": \"urn:li:dataset:(broken") == 0)
            l->raw_seen++;
        else if (raw && *raw == '\0')
            l->empty_seen++;
        else if (json_is_object(json_object_get(o, "event")))
            l->event_seen++;
        else
            ok = 0;
    }
    if (!ok && !l->first_bad[0])
        snprintf(l->first_bad, sizeof l->first_bad, "%.*s", (int)(len < 400 ? len : 400), value);
    json_decref(o);
    return 0;
}

START_TEST(test_two_topics_dead_letter)
{
    fixture f;
    const char *topics[] = {"orders:3", "people:2", "dlt:1", NULL};
    fixture_start(&f, "kafka-dlt", topics);
    char *a = path_in(&f, "orders.jsonl"), *b = path_in(&f, "people.jsonl");
    ck_assert_int_eq(ks_write_generated(a, 11, 900, 120, "orders"), 0);
    ck_assert_int_eq(ks_write_generated(b, 12, 700, 90, "people"), 0);

    /* Unusable messages first in their partitions: everything after them
     * in the same partition must still reach the index. */
    char err[512];
    kt_producer p;
    ck_assert_int_eq(kt_producer_open(&p, f.mock.bootstrap, err, sizeof err), 0);
    const char *truncated = "{\"entityUrn\": \"urn:li:dataset:(broken";
    const char *bad_urn = "{\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,x\","
                          "\"entityType\":\"dataset\",\"changeType\":\"UPSERT\","
                          "\"aspectName\":\"status\",\"aspect\":{\"json\":{\"removed\":false}}}";
    ck_assert_int_eq(kt_produce(&p, "orders", 0, NULL, 0, truncated, strlen(truncated)), 0);
    ck_assert_int_eq(kt_produce(&p, "people", 1, NULL, 0, bad_urn, strlen(bad_urn)), 0);
    ck_assert_int_eq(kt_produce(&p, "orders", 2, NULL, 0, "", 0), 0);
    ck_assert_int_eq(kt_producer_flush(&p, 30000), 0);
    kt_producer_close(&p);
    ck_assert_int_eq(ks_produce_files(f.mock.bootstrap, "orders", &a, 1), 900);
    ck_assert_int_eq(ks_produce_files(f.mock.bootstrap, "people", &b, 1), 700);

    int64_t ho[3], hp[2];
    ck_assert_int_eq(kt_high_watermarks(f.mock.bootstrap, "orders", 3, ho), 0);
    ck_assert_int_eq(kt_high_watermarks(f.mock.bootstrap, "people", 2, hp), 0);
    ck_assert_int_gt(ho[0], 1);
    ck_assert_int_gt(hp[1], 1);

    char *db = path_in(&f, "kafka.db"), *log = path_in(&f, "indexer.log");
    const char *extra[] = {"--commit-every", "250", "--dead-letter-topic", "dlt", NULL};
    pid_t pid = ks_start_indexer(db, f.mock.bootstrap, "orders,people", "two", extra, log);
    ck_assert_int_gt(pid, 0);
    int rc = ks_wait_offsets(db, "orders", 3, ho, 45000, pid);
    if (rc == 0)
        rc = ks_wait_offsets(db, "people", 2, hp, 20000, pid);
    if (rc != 0)
        ks_dump_log(log, 30);
    ck_assert_msg(rc == 0, "the index never caught up with both topics");
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);

    letters l;
    memset(&l, 0, sizeof l);
    ck_assert_int_ge(kt_read_topic(f.mock.bootstrap, "dlt", 1, on_letter, &l), 0);
    ck_assert_msg(l.first_bad[0] == '\0', "unexpected dead letter: %s", l.first_bad);
    ck_assert_int_eq(l.n, 3);
    ck_assert_int_eq(l.raw_seen, 1);
    ck_assert_int_eq(l.event_seen, 1);
    ck_assert_int_eq(l.empty_seen, 1);

    /* The stream went on: every entity of both topics is as indexing the
     * two files gives. */
    char *ref = path_in(&f, "ref.db"), *reflog = path_in(&f, "ref.log");
    char *both[] = {a, b};
    ck_assert_int_eq(ks_index_files(ref, NULL, both, 2, reflog), 0);
    char why[2048];
    rc = ixc_compare(ref, db, why, sizeof why);
    ck_assert_msg(rc == 0, "Kafka-built index differs from the file-built one: %s", why);

    free(a);
    free(b);
    free(db);
    free(log);
    free(ref);
    free(reflog);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_sigterm_commits_batch)
{
    fixture f;
    const char *topics[] = {"events:2", NULL};
    fixture_start(&f, "kafka-term", topics);
    char *gen = path_in(&f, "events.jsonl");
    ck_assert_int_eq(ks_write_generated(gen, 21, 500, 80, "term"), 0);
    ck_assert_int_eq(ks_produce_files(f.mock.bootstrap, "events", &gen, 1), 500);
    int64_t high[2];
    ck_assert_int_eq(kt_high_watermarks(f.mock.bootstrap, "events", 2, high), 0);

    /* A batch that would only close after ten minutes: SIGTERM must close it. */
    char *db = path_in(&f, "kafka.db"), *log = path_in(&f, "indexer.log");
    int port = te_free_port();
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    const char *extra[] = {"--commit-every",  "1000000", "--commit-ms", "600000",
                           "--status-listen", listen,    NULL};
    pid_t pid = ks_start_indexer(db, f.mock.bootstrap, "events", "term", extra, log);
    ck_assert_int_gt(pid, 0);
    char *m = wait_metric(port, "metadex_indexer_events_consumed_total", 500, 30000);
    if (!m || metric(m, "metadex_indexer_events_consumed_total") != 500)
        ks_dump_log(log, 30);
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(metric(m, "metadex_indexer_events_consumed_total"), 500);
    ck_assert_double_eq(metric(m, "metadex_indexer_batches_total"), 0);
    free(m);
    /* Lag is everything until the batch commits. */
    m = wait_metric(port, "metadex_indexer_partition_lag{topic=\"events\",partition=\"0\"}",
                    (double)high[0], 5000);
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(
        metric(m, "metadex_indexer_partition_lag{topic=\"events\",partition=\"0\"}"),
        (double)high[0]);
    free(m);
    ck_assert_int_eq(ks_offsets_sum(db, "events", 2), 0);
    ck_assert_int_eq(ixc_entities(db), 0);

    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    for (int p = 0; p < 2; p++)
        ck_assert_int_eq(ixc_offset(db, "events", p), high[p]);
    ck_assert_int_gt(ixc_entities(db), 0);

    /* Restarted, it has nothing left to apply: the stored offsets hold. */
    pid = ks_start_indexer(db, f.mock.bootstrap, "events", "term", extra, log);
    ck_assert_int_gt(pid, 0);
    m = wait_metric(port, "metadex_indexer_partitions_assigned", 2, 30000);
    ck_assert_ptr_nonnull(m);
    free(m);
    te_sleep_ms(500);
    m = get_metrics(port);
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(metric(m, "metadex_indexer_events_consumed_total"), 0);
    free(m);
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    for (int p = 0; p < 2; p++)
        ck_assert_int_eq(ixc_offset(db, "events", p), high[p]);

    free(gen);
    free(db);
    free(log);
    fixture_stop(&f);
}
END_TEST

/* Runs metadex-indexer with argv[1..] (NULL-terminated); its exit status. */
static int run_indexer(const char *log, const char *const *args)
{
    char *argv[24];
    char *bin = te_bin("indexer/metadex-indexer");
    size_t k = 0;
    argv[k++] = bin;
    for (; args[k - 1] && k < 23; k++)
        argv[k] = (char *)args[k - 1];
    argv[k] = NULL;
    int rc = te_run(argv, NULL, log);
    free(bin);
    return rc;
}

START_TEST(test_options)
{
    char *dir = te_tmpdir("kafka-opts");
    ck_assert_ptr_nonnull(dir);
    char db[512], log[512];
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    /* Usage errors exit 2 before anything is opened or connected. */
    const char *no_db[] = {"--brokers", "127.0.0.1:1", "--topic", "t", NULL};
    ck_assert_int_eq(run_indexer(log, no_db), 2);
    const char *no_topic[] = {"--db", db, "--brokers", "127.0.0.1:1", NULL};
    ck_assert_int_eq(run_indexer(log, no_topic), 2);
    const char *zero[] = {"--db",           db,  "--brokers", "127.0.0.1:1", "--topic", "t",
                          "--commit-every", "0", NULL};
    ck_assert_int_eq(run_indexer(log, zero), 2);
    const char *ms[] = {"--db",        db,    "--brokers", "127.0.0.1:1", "--topic", "t",
                        "--commit-ms", "12x", NULL};
    ck_assert_int_eq(run_indexer(log, ms), 2);
    const char *both[] = {
        "--db",          db,  "--brokers",           "127.0.0.1:1", "--topic", "t",
        "--dead-letter", "x", "--dead-letter-topic", "y",           NULL};
    ck_assert_int_eq(run_indexer(log, both), 2);
    const char *loop[] = {"--db",    db,     "--brokers",           "127.0.0.1:1",
                          "--topic", "a,dl", "--dead-letter-topic", "dl",
                          NULL};
    ck_assert_int_eq(run_indexer(log, loop), 2);
    const char *empty_topic[] = {"--db", db, "--brokers", "127.0.0.1:1", "--topic", "a,,b", NULL};
    ck_assert_int_eq(run_indexer(log, empty_topic), 2);
    const char *files[] = {"--db", db, "--brokers", "127.0.0.1:1", "--topic", "t", "f.json", NULL};
    ck_assert_int_eq(run_indexer(log, files), 2);
    const char *bad_x[] = {"--db", db,   "--brokers", "127.0.0.1:1", "--topic",
                           "t",    "-X", "novalue",   NULL};
    ck_assert_int_eq(run_indexer(log, bad_x), 2);
    ck_assert_int_eq(te_count_lines(log) >= 9, 1);
    /* Offsets live in the index: librdkafka may not commit on its own. */
    const char *auto_commit[] = {"--db",    db,  "--brokers", "127.0.0.1:1",
                                 "--topic", "t", "-X",        "enable.auto.commit=true",
                                 NULL};
    ck_assert_int_eq(run_indexer(log, auto_commit), 1);
    size_t len;
    char *text = te_read_file(log, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "offsets live in the index"));
    free(text);
    const char *help[] = {"--brokers", "127.0.0.1:1", "--help", NULL};
    ck_assert_int_eq(run_indexer(log, help), 0);
    text = te_read_file(log, &len);
    ck_assert_ptr_nonnull(strstr(text, "--commit-ms"));
    free(text);
    te_rmtree(dir);
    free(dir);
}
END_TEST

static Suite *kafka_suite(void)
{
    Suite *s = suite_create("kafka");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stream_equals_files);
    tcase_add_test(tc, test_two_topics_dead_letter);
    tcase_add_test(tc, test_sigterm_commits_batch);
    suite_add_tcase(s, tc);
    TCase *opts = tcase_create("options");
    tcase_add_test(opts, test_options);
    suite_add_tcase(s, opts);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kafka_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
