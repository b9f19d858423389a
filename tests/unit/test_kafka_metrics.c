/* test_kafka_metrics.c — what the Kafka mode's status endpoint shows:
 * counters, the commit latency histogram (cumulative buckets), per-partition
 * offsets and lag, /healthz while running and stopping; and its log's rate
 * limit of repeated conditions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "indexer/kafka_log.h"
#include "indexer/kafka_metrics.h"

/* The value of sample `name` (exactly, labels included), or -1. */
static double sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return -1;
}

START_TEST(test_counters_and_histogram)
{
    kafka_metrics *m = kafka_metrics_new();
    ck_assert_ptr_nonnull(m);
    kafka_counters c = {0};
    c.events_consumed = 1234;
    c.events_applied = 1200;
    c.events_dead = 34;
    c.batches = 7;
    c.last_commit_time = 1700000000.5;
    c.partitions_assigned = 2;
    kafka_metrics_set(m, &c);
    kafka_metrics_add_dead_letter_error(m);
    kafka_metrics_observe_commit(m, 0.003);
    kafka_metrics_observe_commit(m, 0.2);
    kafka_metrics_observe_commit(m, 20);
    size_t len = 0;
    char *t = kafka_metrics_render(m, &len);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(len, strlen(t));
    ck_assert_double_eq(sample(t, "metadex_indexer_events_consumed_total"), 1234);
    ck_assert_double_eq(sample(t, "metadex_indexer_events_applied_total"), 1200);
    ck_assert_double_eq(sample(t, "metadex_indexer_events_dead_lettered_total"), 34);
    ck_assert_double_eq(sample(t, "metadex_indexer_dead_letter_errors_total"), 1);
    ck_assert_double_eq(sample(t, "metadex_indexer_batches_total"), 7);
    ck_assert_double_eq(sample(t, "metadex_indexer_last_commit_timestamp_seconds"), 1700000000.5);
    /* Buckets are cumulative and end with +Inf == count. */
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_bucket{le=\"0.001\"}"), 0);
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_bucket{le=\"0.005\"}"), 1);
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_bucket{le=\"0.25\"}"), 2);
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_bucket{le=\"10\"}"), 2);
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_bucket{le=\"+Inf\"}"), 3);
    ck_assert_double_eq(sample(t, "metadex_indexer_commit_seconds_count"), 3);
    ck_assert_double_eq_tol(sample(t, "metadex_indexer_commit_seconds_sum"), 20.203, 1e-9);
    ck_assert_ptr_nonnull(strstr(t, "# TYPE metadex_indexer_commit_seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE metadex_indexer_events_consumed_total counter\n"));
    free(t);
    kafka_metrics_free(m);
}
END_TEST

START_TEST(test_partitions_and_lag)
{
    kafka_metrics *m = kafka_metrics_new();
    ck_assert_int_eq(kafka_metrics_set_partition(m, "events", 0, 40, 100, 1), 0);
    ck_assert_int_eq(kafka_metrics_set_partition(m, "events", 1, -1, 25, 1), 0);
    ck_assert_int_eq(kafka_metrics_set_partition(m, "events", 2, 10, 10, 0), 0);
    ck_assert_int_eq(kafka_metrics_set_partition(m, "we\"ird", 0, 5, -1, 1), 0);
    /* A second call updates, it does not add. */
    ck_assert_int_eq(kafka_metrics_set_partition(m, "events", 0, 60, 100, 1), 0);
    char *t = kafka_metrics_render(m, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(
        sample(t, "metadex_indexer_partition_committed_offset{topic=\"events\",partition=\"0\"}"),
        60);
    ck_assert_double_eq(
        sample(t, "metadex_indexer_partition_lag{topic=\"events\",partition=\"0\"}"), 40);
    /* Nothing committed yet: all of it is lag, and no committed sample. */
    ck_assert_double_eq(
        sample(t, "metadex_indexer_partition_lag{topic=\"events\",partition=\"1\"}"), 25);
    ck_assert_double_eq(
        sample(t, "metadex_indexer_partition_committed_offset{topic=\"events\",partition=\"1\"}"),
        -1);
    /* Not assigned: not shown. */
    ck_assert_ptr_null(strstr(t, "partition=\"2\""));
    /* Labels are escaped; an unknown watermark shows no lag. */
    ck_assert_double_eq(
        sample(t,
               "metadex_indexer_partition_committed_offset{topic=\"we\\\"ird\",partition=\"0\"}"),
        5);
    ck_assert_ptr_null(strstr(t, "metadex_indexer_partition_lag{topic=\"we"));
    free(t);
    kafka_metrics_free(m);
}
END_TEST

START_TEST(test_health)
{
    kafka_metrics *m = kafka_metrics_new();
    int status = 0;
    size_t len;
    char *h = kafka_metrics_health(m, &len, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(strstr(h, "\"status\":\"ok\""));
    free(h);
    kafka_metrics_set_brokers_up(m, 0);
    kafka_metrics_set_running(m, 0);
    h = kafka_metrics_health(m, &len, &status);
    ck_assert_int_eq(status, 503);
    ck_assert_ptr_nonnull(strstr(h, "\"stopping\""));
    ck_assert_ptr_nonnull(strstr(h, "\"brokers_up\":false"));
    free(h);
    char *t = kafka_metrics_render(m, NULL);
    ck_assert_double_eq(sample(t, "metadex_indexer_brokers_up"), 0);
    free(t);
    kafka_metrics_free(m);
}
END_TEST

START_TEST(test_log_rate_limit)
{
    char path[] = "/tmp/test_kafka_log_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    for (int i = 0; i < 100; i++)
        kafka_log_limited(KAFKA_LOG_WARN, "broker-down", 200, "broker %d is down", i);
    kafka_log_limited(KAFKA_LOG_WARN, "other", 200, "another condition");
    struct timespec ts = {0, 300000000L};
    nanosleep(&ts, NULL);
    kafka_log_limited(KAFKA_LOG_WARN, "broker-down", 200, "broker %d is down", 100);
    kafka_log_set_quiet(1);
    kafka_log(KAFKA_LOG_INFO, "dropped under --quiet");
    kafka_log(KAFKA_LOG_ERROR, "kept under --quiet");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    const char *want = "metadex-indexer: warning: broker 0 is down\n"
                       "metadex-indexer: warning: another condition\n"
                       "metadex-indexer: warning: broker 100 is down (99 similar lines held back)\n"
                       "metadex-indexer: error: kept under --quiet\n";
    ck_assert_str_eq(buf, want);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka_metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_counters_and_histogram);
    tcase_add_test(tc, test_partitions_and_lag);
    tcase_add_test(tc, test_health);
    tcase_add_test(tc, test_log_rate_limit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
