/* test_kafka_outage.c — every broker goes down under a running indexer: it
 * keeps running (retrying, logging without flooding), and once the brokers
 * are back the events produced after the outage reach the index, which
 * then equals a file-built one of all the events; SIGTERM while every
 * broker is down still exits 0 at once. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/support/index_compare.h"
#include "tests/support/kafka_stream.h"
#include "tests/support/kafka_util.h"
#include "tests/support/testenv.h"

START_TEST(test_brokers_down_and_back)
{
    char err[512];
    char *dir = te_tmpdir("kafka-outage");
    ck_assert_ptr_nonnull(dir);
    char *mock_bin = te_bin("tests/support/mdx-kafka-mock");
    char *mocklog = te_path_in(dir, "mock.log");
    const char *topics[] = {"events:2", NULL};
    kt_mock mock;
    ck_assert_msg(kt_mock_start(&mock, mock_bin, topics, mocklog, err, sizeof err) == 0,
                  "mock cluster: %s", err);

    char *before = te_path_in(dir, "before.jsonl"), *after = te_path_in(dir, "after.jsonl");
    ck_assert_int_eq(ks_write_generated(before, 5, 1500, 200, "outage"), 0);
    ck_assert_int_eq(ks_write_generated(after, 6, 1500, 200, "outage"), 0);
    ck_assert_int_eq(ks_produce_files(mock.bootstrap, "events", &before, 1), 1500);
    int64_t high[2];
    ck_assert_int_eq(kt_high_watermarks(mock.bootstrap, "events", 2, high), 0);

    char *db = te_path_in(dir, "kafka.db"), *log = te_path_in(dir, "indexer.log");
    const char *extra[] = {"--commit-ms", "100", "-X", "reconnect.backoff.max.ms=1000", NULL};
    pid_t pid = ks_start_indexer(db, mock.bootstrap, "events", "outage", extra, log);
    ck_assert_int_gt(pid, 0);
    int rc = ks_wait_offsets(db, "events", 2, high, 30000, pid);
    if (rc != 0)
        ks_dump_log(log, 30);
    ck_assert_int_eq(rc, 0);

    ck_assert_int_eq(kt_mock_command(&mock, "down all"), 0);
    te_sleep_ms(6000);
    int st;
    ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "the indexer exited during the outage");
    /* It said so, but did not flood the log with one line per retry. */
    long lines = te_count_lines(log);
    ck_assert_int_lt(lines, 60);
    ck_assert_int_eq(kt_mock_command(&mock, "up all"), 0);

    ck_assert_int_eq(ks_produce_files(mock.bootstrap, "events", &after, 1), 1500);
    ck_assert_int_eq(kt_high_watermarks(mock.bootstrap, "events", 2, high), 0);
    ck_assert_int_eq(high[0] + high[1], 3000);
    rc = ks_wait_offsets(db, "events", 2, high, 40000, pid);
    if (rc != 0)
        ks_dump_log(log, 30);
    ck_assert_msg(rc == 0, "events produced after the outage never reached the index");
    /* Stopping while no broker answers still ends cleanly, and soon, even
     * before the indexer has noticed the outage: the group commit and the
     * group leave at exit must not wait for a coordinator that is gone
     * (a 10 s wait here is a kill and a failure). */
    ck_assert_int_eq(kt_mock_command(&mock, "down all"), 0);
    te_sleep_ms(50);
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    ck_assert_int_eq(kt_mock_command(&mock, "up all"), 0);

    char *ref = te_path_in(dir, "ref.db"), *reflog = te_path_in(dir, "ref.log");
    char *both[] = {before, after};
    ck_assert_int_eq(ks_index_files(ref, NULL, both, 2, reflog), 0);
    char why[2048];
    rc = ixc_compare(ref, db, why, sizeof why);
    ck_assert_msg(rc == 0, "index differs from the file-built one: %s", why);

    kt_mock_stop(&mock);
    te_rmtree(dir);
    free(dir);
    free(mock_bin);
    free(mocklog);
    free(before);
    free(after);
    free(db);
    free(log);
    free(ref);
    free(reflog);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka_outage");
    TCase *tc = tcase_create("outage");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_brokers_down_and_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
