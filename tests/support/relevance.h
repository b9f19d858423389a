/* relevance.h — the relevance regression set as data: judged cases
 * (tests/relevance/cases.tsv), their minimums (tests/relevance/thresholds.txt),
 * and the measures that compare a ranked list of hits with the judgments
 * (nDCG@k and reciprocal rank). The formats are in tests/relevance/README.md.
 * Pure functions over strings: no I/O, so the measures have unit tests of
 * their own (tests/unit/test_relevance_metrics.c). */
#ifndef MDX_TEST_RELEVANCE_H
#define MDX_TEST_RELEVANCE_H

#include <stddef.h>

#define REL_MAX_GRADE 3

typedef struct rel_judgment {
    char *urn;
    int grade; /* 1..REL_MAX_GRADE: 3 the answer, 2 very relevant, 1 relevant */
} rel_judgment;

typedef struct rel_case {
    char *query;
    char *category;
    rel_judgment *judgments; /* in file order */
    size_t njudgments;
    int line; /* line of the case in its file */
} rel_case;

typedef struct rel_cases {
    rel_case *v;
    size_t n;
} rel_cases;

/* Parses the text of a cases file into *out (zeroed first). Returns 0, or -1
 * with "line N: reason" in err (and nothing left allocated). */
int rel_cases_parse(const char *text, rel_cases *out, char *err, size_t errlen);
void rel_cases_free(rel_cases *c);

/* The grade of urn in the case's judgments; 0 when it is not judged. */
int rel_grade(const rel_case *c, const char *urn);
/* The highest grade the case gives: the grade of "the answer" for MRR. */
int rel_max_grade(const rel_case *c);

/* nDCG@k of a ranked list of URNs: gains 2^grade - 1, discount log2(rank + 1),
 * normalised by the ideal ordering of the judgments. A URN repeated in the
 * list gains nothing the second time. 0 for a case without judgments. */
double rel_ndcg(const rel_case *c, const char *const *ranked, size_t n, size_t k);
/* 1/rank of the first hit whose grade is the case's highest, among the
 * first k; 0 when none is. *rank (may be NULL) receives that 1-based rank,
 * or 0. */
double rel_reciprocal_rank(const rel_case *c, const char *const *ranked, size_t n, size_t k,
                           size_t *rank);

typedef enum { REL_NDCG10 = 0, REL_MRR = 1 } rel_metric;

typedef struct rel_threshold {
    rel_metric metric;
    char *scope; /* "overall" or a category */
    double min;
    int line;
} rel_threshold;

typedef struct rel_thresholds {
    rel_threshold *v;
    size_t n;
} rel_thresholds;

/* Parses "metric scope minimum" lines (metric: ndcg10 or mrr; minimum in
 * [0, 1]); '#' starts a comment. Returns 0, or -1 with "line N: reason". */
int rel_thresholds_parse(const char *text, rel_thresholds *out, char *err, size_t errlen);
void rel_thresholds_free(rel_thresholds *t);
/* The minimum for (metric, scope), or -1 when none is set. */
double rel_threshold_for(const rel_thresholds *t, rel_metric metric, const char *scope);
const char *rel_metric_name(rel_metric m);

#endif
