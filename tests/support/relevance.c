/* relevance.c — parsing the relevance regression set's data files and the
 * measures nDCG@k and reciprocal rank (see relevance.h). */
#include "tests/support/relevance.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rel_fail(char *err, size_t errlen, int line, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "line %d: ", line);
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* The next line of *p (without its "\n" or "\r\n") as a malloc'd string;
 * NULL at the end of the text or when out of memory (*oom set). */
static char *next_line(const char **p, int *oom)
{
    const char *s = *p;
    if (!*s)
        return NULL;
    const char *e = strchr(s, '\n');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    *p = e ? e + 1 : s + n;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    char *l = malloc(n + 1);
    if (!l) {
        *oom = 1;
        return NULL;
    }
    memcpy(l, s, n);
    l[n] = '\0';
    return l;
}

static int blank_or_comment(const char *l)
{
    while (*l == ' ' || *l == '\t')
        l++;
    return *l == '\0' || *l == '#';
}

/* Category names are identifiers so the report's table lines up and a
 * threshold line can name one. */
static int valid_category(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static void case_free(rel_case *c)
{
    free(c->query);
    free(c->category);
    for (size_t i = 0; i < c->njudgments; i++)
        free(c->judgments[i].urn);
    free(c->judgments);
}

void rel_cases_free(rel_cases *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        case_free(&c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

/* Splits one case line (modified in place) into *c. */
static int parse_case(char *l, int line, rel_case *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->line = line;
    char *fields[3] = {NULL, NULL, NULL};
    char *rest = l;
    for (int f = 0; f < 2; f++) {
        char *tab = strchr(rest, '\t');
        if (!tab)
            return rel_fail(err, errlen, line, "expected query<TAB>category<TAB>urn=grade...");
        *tab = '\0';
        fields[f] = rest;
        rest = tab + 1;
    }
    fields[2] = rest;
    if (!*fields[0])
        return rel_fail(err, errlen, line, "empty query");
    if (!valid_category(fields[1]) || strcmp(fields[1], "overall") == 0)
        return rel_fail(err, errlen, line, "category \"%s\": use lower-case letters, digits and _ (not \"overall\")",
                        fields[1]);
    c->query = strdup(fields[0]);
    c->category = strdup(fields[1]);
    if (!c->query || !c->category)
        return rel_fail(err, errlen, line, "out of memory");
    size_t cap = 0;
    while (rest) {
        char *tab = strchr(rest, '\t');
        if (tab)
            *tab = '\0';
        char *j = rest;
        rest = tab ? tab + 1 : NULL;
        if (!*j) /* an empty field: a trailing tab */
            continue;
        char *eq = strrchr(j, '=');
        if (!eq)
            return rel_fail(err, errlen, line, "judgment \"%s\": expected urn=grade", j);
        *eq = '\0';
        const char *g = eq + 1;
        if (!(g[0] >= '1' && g[0] <= '0' + REL_MAX_GRADE && g[1] == '\0'))
            return rel_fail(err, errlen, line, "judgment \"%s\": grade \"%s\" is not 1..%d", j, g, REL_MAX_GRADE);
        if (strncmp(j, "urn:li:", 7) != 0)
            return rel_fail(err, errlen, line, "judgment \"%s\": not an urn:li: URN", j);
        if (rel_grade(c, j) != 0)
            return rel_fail(err, errlen, line, "%s is judged twice", j);
        if (c->njudgments == cap) {
            cap = cap ? cap * 2 : 8;
            rel_judgment *nv = realloc(c->judgments, cap * sizeof *nv);
            if (!nv)
                return rel_fail(err, errlen, line, "out of memory");
            c->judgments = nv;
        }
        char *u = strdup(j);
        if (!u)
            return rel_fail(err, errlen, line, "out of memory");
        c->judgments[c->njudgments].urn = u;
        c->judgments[c->njudgments].grade = g[0] - '0';
        c->njudgments++;
    }
    if (c->njudgments == 0)
        return rel_fail(err, errlen, line, "no judgments");
    return 0;
}

int rel_cases_parse(const char *text, rel_cases *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    size_t cap = 0;
    int line = 0, oom = 0;
    char *l;
    while ((l = next_line(&p, &oom)) != NULL) {
        line++;
        if (blank_or_comment(l)) {
            free(l);
            continue;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            rel_case *nv = realloc(out->v, cap * sizeof *nv);
            if (!nv) {
                free(l);
                rel_cases_free(out);
                return rel_fail(err, errlen, line, "out of memory");
            }
            out->v = nv;
        }
        rel_case *c = &out->v[out->n];
        int rc = parse_case(l, line, c, err, errlen);
        free(l);
        if (rc != 0) {
            case_free(c);
            rel_cases_free(out);
            return -1;
        }
        out->n++;
    }
    if (oom) {
        rel_cases_free(out);
        return rel_fail(err, errlen, line + 1, "out of memory");
    }
    return 0;
}

int rel_grade(const rel_case *c, const char *urn)
{
    for (size_t i = 0; i < c->njudgments; i++)
        if (strcmp(c->judgments[i].urn, urn) == 0)
            return c->judgments[i].grade;
    return 0;
}

int rel_max_grade(const rel_case *c)
{
    int m = 0;
    for (size_t i = 0; i < c->njudgments; i++)
        if (c->judgments[i].grade > m)
            m = c->judgments[i].grade;
    return m;
}

static double rel_gain(int grade)
{
    return (double)((1 << grade) - 1);
}

/* 1 if ranked[i] already appeared before position i. */
static int seen_before(const char *const *ranked, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (ranked[j] && ranked[i] && strcmp(ranked[j], ranked[i]) == 0)
            return 1;
    return 0;
}

double rel_ndcg(const rel_case *c, const char *const *ranked, size_t n, size_t k)
{
    if (c->njudgments == 0 || k == 0)
        return 0;
    /* Ideal: the judged grades in decreasing order. Counting grades avoids
     * sorting a copy. */
    size_t count[REL_MAX_GRADE + 1] = {0};
    for (size_t i = 0; i < c->njudgments; i++)
        count[c->judgments[i].grade]++;
    double ideal = 0;
    size_t pos = 0;
    for (int g = REL_MAX_GRADE; g >= 1 && pos < k; g--)
        for (size_t i = 0; i < count[g] && pos < k; i++, pos++)
            ideal += rel_gain(g) / log2((double)pos + 2);
    double dcg = 0;
    for (size_t i = 0; i < n && i < k; i++) {
        if (!ranked[i] || seen_before(ranked, i))
            continue;
        int g = rel_grade(c, ranked[i]);
        if (g > 0)
            dcg += rel_gain(g) / log2((double)i + 2);
    }
    return ideal > 0 ? dcg / ideal : 0;
}

double rel_reciprocal_rank(const rel_case *c, const char *const *ranked, size_t n, size_t k,
                           size_t *rank)
{
    int want = rel_max_grade(c);
    if (rank)
        *rank = 0;
    if (want == 0)
        return 0;
    for (size_t i = 0; i < n && i < k; i++) {
        if (ranked[i] && rel_grade(c, ranked[i]) == want) {
            if (rank)
                *rank = i + 1;
            return 1.0 / (double)(i + 1);
        }
    }
    return 0;
}

static const char *const METRIC_NAMES[] = {[REL_NDCG10] = "ndcg10", [REL_MRR] = "mrr"};

const char *rel_metric_name(rel_metric m)
{
    return (unsigned)m < sizeof METRIC_NAMES / sizeof METRIC_NAMES[0] ? METRIC_NAMES[m] : "?";
}

void rel_thresholds_free(rel_thresholds *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].scope);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

int rel_thresholds_parse(const char *text, rel_thresholds *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    size_t cap = 0;
    int line = 0, oom = 0;
    char *l;
    while ((l = next_line(&p, &oom)) != NULL) {
        line++;
        char *hash = strchr(l, '#');
        if (hash)
            *hash = '\0';
        char metric[32], scope[128], min[64], extra[2];
        int got = sscanf(l, "%31s %127s %63s %1s", metric, scope, min, extra);
        free(l);
        if (got <= 0)
            continue; /* blank or comment */
        if (got != 3) {
            rel_thresholds_free(out);
            return rel_fail(err, errlen, line, "expected: metric scope minimum");
        }
        rel_threshold th = {.line = line};
        if (strcmp(metric, "ndcg10") == 0)
            th.metric = REL_NDCG10;
        else if (strcmp(metric, "mrr") == 0)
            th.metric = REL_MRR;
        else {
            rel_thresholds_free(out);
            return rel_fail(err, errlen, line, "metric \"%s\": expected ndcg10 or mrr", metric);
        }
        char *end;
        errno = 0;
        th.min = strtod(min, &end);
        if (errno || *end || end == min || !(th.min >= 0 && th.min <= 1)) {
            rel_thresholds_free(out);
            return rel_fail(err, errlen, line, "minimum \"%s\": expected a number in [0, 1]", min);
        }
        if (rel_threshold_for(out, th.metric, scope) >= 0) {
            rel_thresholds_free(out);
            return rel_fail(err, errlen, line, "%s %s is set twice", metric, scope);
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            rel_threshold *nv = realloc(out->v, cap * sizeof *nv);
            if (!nv) {
                rel_thresholds_free(out);
                return rel_fail(err, errlen, line, "out of memory");
            }
            out->v = nv;
        }
        th.scope = strdup(scope);
        if (!th.scope) {
            rel_thresholds_free(out);
            return rel_fail(err, errlen, line, "out of memory");
        }
        out->v[out->n++] = th;
    }
    if (oom) {
        rel_thresholds_free(out);
        return rel_fail(err, errlen, line + 1, "out of memory");
    }
    return 0;
}

double rel_threshold_for(const rel_thresholds *t, rel_metric metric, const char *scope)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].metric == metric && strcmp(t->v[i].scope, scope) == 0)
            return t->v[i].min;
    return -1;
}
