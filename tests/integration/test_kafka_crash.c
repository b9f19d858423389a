/* test_kafka_crash.c — exactly-once effect across kill -9: the indexer is
 * killed with SIGKILL several times while it streams a topic (each kill
 * landing mid-way, between and during commits), restarted each time; the
 * final index equals the one an uninterrupted file run builds, entity by
 * entity, and the stored offsets end at each partition's high watermark. */
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

#define NPARTS 4
#define NEVENTS 16000
#define NKILLS 3

START_TEST(test_kill9_resumes_exactly)
{
    char err[512];
    char *dir = te_tmpdir("kafka-crash");
    ck_assert_ptr_nonnull(dir);
    char *mock_bin = te_bin("tests/support/mdx-kafka-mock");
    char *mocklog = te_path_in(dir, "mock.log");
    const char *topics[] = {"events:4", NULL};
    kt_mock mock;
    ck_assert_msg(kt_mock_start(&mock, mock_bin, topics, mocklog, err, sizeof err) == 0,
                  "mock cluster: %s", err);

    char *gen = te_path_in(dir, "events.jsonl");
    ck_assert_int_eq(ks_write_generated(gen, 99, NEVENTS, 2000, "crash"), 0);
    ck_assert_int_eq(ks_produce_files(mock.bootstrap, "events", &gen, 1), NEVENTS);
    int64_t high[NPARTS];
    ck_assert_int_eq(kt_high_watermarks(mock.bootstrap, "events", NPARTS, high), 0);

    char *db = te_path_in(dir, "kafka.db"), *log = te_path_in(dir, "indexer.log");
    /* Small batches: many commits, so kills land between and inside them. */
    const char *extra[] = {"--commit-every", "250", "--commit-ms", "100", "--quiet", NULL};
    int64_t at_kill[NKILLS];
    for (int k = 0; k < NKILLS; k++) {
        pid_t pid = ks_start_indexer(db, mock.bootstrap, "events", "crash", extra, log);
        ck_assert_int_gt(pid, 0);
        /* Kill once this run has moved the stored offsets forward a little. */
        int64_t before = ks_offsets_sum(db, "events", NPARTS);
        int64_t target = before + (NEVENTS / 6) + k * 137;
        for (int waited = 0; waited < 40000; waited += 20) {
            if (ks_offsets_sum(db, "events", NPARTS) >= target)
                break;
            te_sleep_ms(20);
        }
        te_sleep_ms(7 * k); /* vary where in the commit cycle the kill falls */
        ck_assert_int_eq(te_stop(pid, SIGKILL), 128 + SIGKILL);
        at_kill[k] = ks_offsets_sum(db, "events", NPARTS);
        if (at_kill[k] <= before || at_kill[k] >= NEVENTS)
            ks_dump_log(log, 20);
        ck_assert_msg(at_kill[k] > before, "run %d made no progress before the kill", k);
        ck_assert_msg(at_kill[k] < NEVENTS,
                      "kill %d landed after the end of the stream (%lld of %d stored)", k,
                      (long long)at_kill[k], NEVENTS);
    }

    pid_t pid = ks_start_indexer(db, mock.bootstrap, "events", "crash", extra, log);
    ck_assert_int_gt(pid, 0);
    int rc = ks_wait_offsets(db, "events", NPARTS, high, 50000, pid);
    if (rc != 0)
        ks_dump_log(log, 30);
    ck_assert_msg(rc == 0, "the index never caught up after the restarts");
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    for (int p = 0; p < NPARTS; p++)
        ck_assert_int_eq(ixc_offset(db, "events", p), high[p]);

    char *ref = te_path_in(dir, "ref.db"), *reflog = te_path_in(dir, "ref.log");
    ck_assert_int_eq(ks_index_files(ref, NULL, &gen, 1, reflog), 0);
    char why[2048];
    rc = ixc_compare(ref, db, why, sizeof why);
    ck_assert_msg(rc == 0, "index after %d kills differs from an uninterrupted run: %s", NKILLS,
                  why);
    fprintf(stderr, "kills landed at %lld, %lld, %lld of %d events\n", (long long)at_kill[0],
            (long long)at_kill[1], (long long)at_kill[2], NEVENTS);

    kt_mock_stop(&mock);
    te_rmtree(dir);
    free(dir);
    free(mock_bin);
    free(mocklog);
    free(gen);
    free(db);
    free(log);
    free(ref);
    free(reflog);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka_crash");
    TCase *tc = tcase_create("kill9");
    tcase_set_timeout(tc, 150);
    tcase_add_test(tc, test_kill9_resumes_exactly);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
