/* test_relevance_metrics.c — the instruments of the relevance regression
 * set measured on hand-computed examples: nDCG@k (gains 2^g - 1, log2
 * discount), reciprocal rank of the best-graded hit, and the parsers of
 * cases.tsv and thresholds.txt with their error messages. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/relevance.h"

#define A "urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)"
#define B "urn:li:dataset:(urn:li:dataPlatform:hive,db.b,PROD)"
#define C "urn:li:tag:Legacy Data"
#define X "urn:li:corpuser:unjudged"

static rel_cases parse_ok(const char *text)
{
    rel_cases cs;
    char err[256] = "";
    ck_assert_msg(rel_cases_parse(text, &cs, err, sizeof err) == 0, "%s", err);
    return cs;
}

static void parse_fails(const char *text, const char *want)
{
    rel_cases cs;
    char err[256] = "";
    ck_assert_int_eq(rel_cases_parse(text, &cs, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
    ck_assert_ptr_null(cs.v);
}

START_TEST(test_parse_cases)
{
    rel_cases cs = parse_ok("# comment\n"
                            "\n"
                            "fact orders\tpartial_name\t" A "=3\t" C "=1\r\n"
                            "  # indented comment\n"
                            "x=y\texact_name\t" B "=2\t\n");
    ck_assert_uint_eq(cs.n, 2);
    ck_assert_str_eq(cs.v[0].query, "fact orders");
    ck_assert_str_eq(cs.v[0].category, "partial_name");
    ck_assert_int_eq(cs.v[0].line, 3);
    ck_assert_uint_eq(cs.v[0].njudgments, 2);
    ck_assert_str_eq(cs.v[0].judgments[0].urn, A); /* commas inside the URN */
    ck_assert_int_eq(cs.v[0].judgments[0].grade, 3);
    ck_assert_str_eq(cs.v[0].judgments[1].urn, C); /* a space inside the URN, CRLF ending */
    ck_assert_int_eq(cs.v[0].judgments[1].grade, 1);
    ck_assert_str_eq(cs.v[1].query, "x=y");
    ck_assert_int_eq(cs.v[1].line, 5);
    ck_assert_int_eq(rel_grade(&cs.v[0], C), 1);
    ck_assert_int_eq(rel_grade(&cs.v[0], B), 0);
    ck_assert_int_eq(rel_max_grade(&cs.v[1]), 2);
    rel_cases_free(&cs);
}
END_TEST

START_TEST(test_parse_case_errors)
{
    parse_fails("q\tcat\n", "line 1: expected query<TAB>category");
    parse_fails("\tcat\t" A "=3\n", "empty query");
    parse_fails("q\tCat\t" A "=3\n", "category \"Cat\"");
    parse_fails("q\toverall\t" A "=3\n", "not \"overall\"");
    parse_fails("# c\nq\tcat\t" A "=4\n", "line 2: judgment");
    parse_fails("q\tcat\t" A "=0\n", "is not 1..3");
    parse_fails("q\tcat\t" A "\n", "expected urn=grade");
    parse_fails("q\tcat\tdb.a=3\n", "not an urn:li: URN");
    parse_fails("q\tcat\t" A "=3\t" A "=1\n", "judged twice");
    parse_fails("q\tcat\t\n", "no judgments");
}
END_TEST

START_TEST(test_ndcg_values)
{
    rel_cases cs = parse_ok("q\tc\t" A "=3\t" B "=1\n");
    const rel_case *c = &cs.v[0];
    const char *perfect[] = {A, B};
    ck_assert_double_eq_tol(rel_ndcg(c, perfect, 2, 10), 1.0, 1e-12);
    /* swapped: DCG = 1/log2(2) + 7/log2(3); ideal = 7 + 1/log2(3) */
    const char *swapped[] = {B, A};
    double want = (1.0 + 7.0 / log2(3.0)) / (7.0 + 1.0 / log2(3.0));
    ck_assert_double_eq_tol(rel_ndcg(c, swapped, 2, 10), want, 1e-12);
    /* an unjudged hit first pushes the answer to rank 2 */
    const char *pushed[] = {X, A, B};
    want = (7.0 / log2(3.0) + 1.0 / log2(4.0)) / (7.0 + 1.0 / log2(3.0));
    ck_assert_double_eq_tol(rel_ndcg(c, pushed, 3, 10), want, 1e-12);
    /* nothing relevant, or nothing at all */
    const char *none[] = {X};
    ck_assert_double_eq(rel_ndcg(c, none, 1, 10), 0.0);
    ck_assert_double_eq(rel_ndcg(c, NULL, 0, 10), 0.0);
    /* a repeated hit gains once */
    const char *dup[] = {A, A, A};
    ck_assert_double_eq_tol(rel_ndcg(c, dup, 3, 10), 7.0 / (7.0 + 1.0 / log2(3.0)), 1e-12);
    rel_cases_free(&cs);
}
END_TEST

START_TEST(test_ndcg_cutoff)
{
    rel_cases cs = parse_ok("q\tc\t" A "=3\t" B "=2\t" C "=1\n");
    const rel_case *c = &cs.v[0];
    /* k = 1: only the first hit counts, and the ideal is the 3 alone */
    const char *b_first[] = {B, A, C};
    ck_assert_double_eq_tol(rel_ndcg(c, b_first, 3, 1), 3.0 / 7.0, 1e-12);
    /* the answer just past the cut-off gains nothing */
    const char *late[] = {X, X, A};
    ck_assert_double_eq(rel_ndcg(c, late, 3, 2), 0.0);
    rel_cases_free(&cs);
}
END_TEST

START_TEST(test_reciprocal_rank)
{
    rel_cases cs = parse_ok("q\tc\t" A "=3\t" B "=2\n"
                            "q2\tc\t" B "=2\t" C "=2\t" A "=1\n");
    size_t rank = 99;
    const char *first[] = {A, B};
    ck_assert_double_eq(rel_reciprocal_rank(&cs.v[0], first, 2, 10, &rank), 1.0);
    ck_assert_uint_eq(rank, 1);
    /* a very relevant hit first is not the answer */
    const char *second[] = {B, X, A};
    ck_assert_double_eq_tol(rel_reciprocal_rank(&cs.v[0], second, 3, 10, &rank), 1.0 / 3.0, 1e-12);
    ck_assert_uint_eq(rank, 3);
    ck_assert_double_eq(rel_reciprocal_rank(&cs.v[0], second, 3, 2, &rank), 0.0);
    ck_assert_uint_eq(rank, 0);
    /* without a grade 3 the best grade present is the answer: either 2 */
    const char *grade2[] = {A, C, B};
    ck_assert_double_eq_tol(rel_reciprocal_rank(&cs.v[1], grade2, 3, 10, &rank), 0.5, 1e-12);
    ck_assert_uint_eq(rank, 2);
    ck_assert_double_eq(rel_reciprocal_rank(&cs.v[1], NULL, 0, 10, NULL), 0.0);
    rel_cases_free(&cs);
}
END_TEST

START_TEST(test_thresholds)
{
    rel_thresholds t;
    char err[256] = "";
    ck_assert_msg(rel_thresholds_parse("# minimums\n"
                                       "ndcg10 overall 0.80  # the whole set\n"
                                       "\n"
                                       "mrr\toverall\t0.75\n"
                                       "ndcg10 typo1 0\n"
                                       "mrr typo1 1\n",
                                       &t, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_uint_eq(t.n, 4);
    ck_assert_double_eq(rel_threshold_for(&t, REL_NDCG10, "overall"), 0.80);
    ck_assert_double_eq(rel_threshold_for(&t, REL_MRR, "overall"), 0.75);
    ck_assert_double_eq(rel_threshold_for(&t, REL_NDCG10, "typo1"), 0.0);
    ck_assert_double_eq(rel_threshold_for(&t, REL_MRR, "typo1"), 1.0);
    ck_assert_double_eq(rel_threshold_for(&t, REL_MRR, "typo2"), -1.0);
    ck_assert_int_eq(t.v[1].line, 4);
    ck_assert_str_eq(rel_metric_name(t.v[1].metric), "mrr");
    rel_thresholds_free(&t);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"ndcg overall 0.5\n", "metric \"ndcg\""},
        {"mrr overall\n", "line 1: expected: metric scope minimum"},
        {"mrr overall 0.5 extra\n", "expected: metric scope minimum"},
        {"mrr overall 1.5\n", "in [0, 1]"},
        {"mrr overall half\n", "in [0, 1]"},
        {"mrr overall 0.5\nmrr overall 0.6\n", "line 2: mrr overall is set twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(rel_thresholds_parse(bad[i].text, &t, err, sizeof err), -1);
        ck_assert_msg(strstr(err, bad[i].want) != NULL, "\"%s\": error \"%s\" lacks \"%s\"", bad[i].text,
                      err, bad[i].want);
        ck_assert_ptr_null(t.v);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("relevance_metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_cases);
    tcase_add_test(tc, test_parse_case_errors);
    tcase_add_test(tc, test_ndcg_values);
    tcase_add_test(tc, test_ndcg_cutoff);
    tcase_add_test(tc, test_reciprocal_rank);
    tcase_add_test(tc, test_thresholds);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
