/* query_plan.c — analyse q into words and build their Xapian queries
 * (see query_plan.h). */
#include "searchd/query_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/limits.h"

/* Longest Xapian term: 245 bytes. */
#define QP_TERM_MAX 245

void qp_rank_defaults(qp_rank *r)
{
    for (int i = 0; i < F_COUNT; i++)
        r->field_boost[i] = FIELDS[i].boost;
    /* A stem-only match ("orders" for "order") counts a little less than the
     * word itself, which also matches through the unstemmed term. */
    r->stem_factor = 0.6;
    /* log1p(1000 queries) * 0.3 ≈ 2: enough to order equal text matches by
     * use, capped so that it never outweighs a name match. */
    r->popularity_factor = 0.3;
    r->popularity_cap = 2.5;
}

static void word_free(qp_word *w)
{
    for (size_t i = 0; i < w->nparts; i++) {
        free(w->parts[i]);
        free(w->part_stems[i]);
    }
    free(w->parts);
    free(w->part_stems);
    free(w->joined);
    free(w->joined_stem);
    free(w->text);
}

void qp_free(qp_plan *p)
{
    for (size_t i = 0; i < p->nwords; i++)
        word_free(&p->words[i]);
    free(p->words);
    free(p->exact_term);
    memset(p, 0, sizeof *p);
}

static char *stem_of(an_analyzer *an, const char *t, size_t len)
{
    char buf[AN_MAX_TERM_BYTES * 2 + 8];
    int n = an_stem(an, t, len, buf, sizeof buf);
    if (n < 0)
        return strndup(t, len); /* cannot happen for terms within AN_MAX_TERM_BYTES */
    return strndup(buf, (size_t)n);
}

/* Adds term t (a part or the joined form) to word w. */
static int word_add(an_analyzer *an, qp_word *w, const an_term *t)
{
    if (t->kind == AN_JOINED) {
        if (w->joined)
            return 0; /* one identifier has one joined form */
        w->joined = strndup(t->text, t->len);
        w->joined_stem = w->joined ? stem_of(an, t->text, t->len) : NULL;
        return w->joined && w->joined_stem ? 0 : -1;
    }
    for (size_t i = 0; i < w->nparts; i++)
        if (strcmp(w->parts[i], t->text) == 0)
            return 0; /* "a_a": the second "a" adds nothing to an AND */
    char **np = realloc(w->parts, (w->nparts + 1) * sizeof *np);
    if (!np)
        return -1;
    w->parts = np;
    char **ns = realloc(w->part_stems, (w->nparts + 1) * sizeof *ns);
    if (!ns)
        return -1;
    w->part_stems = ns;
    w->parts[w->nparts] = strndup(t->text, t->len);
    w->part_stems[w->nparts] = stem_of(an, t->text, t->len);
    w->nparts++;
    return w->parts[w->nparts - 1] && w->part_stems[w->nparts - 1] ? 0 : -1;
}

qp_status qp_analyze(an_analyzer *an, an_terms *scratch, const char *q, size_t len,
                     qp_plan *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    an_terms_clear(scratch);
    if (len == 0)
        return QP_OK;
    if (an_analyze(an, q, len, 0, scratch) < 0) {
        snprintf(err, errlen, "analyzing the query failed (out of memory)");
        return QP_INTERNAL;
    }
    if (scratch->dropped > 0) {
        snprintf(err, errlen, "a word of q is longer than %d bytes", AN_MAX_TERM_BYTES);
        return QP_BAD_QUERY;
    }
    /* Word ids in an_terms are increasing; group consecutive terms by id. */
    size_t nwords = 0;
    for (size_t i = 0; i < scratch->n; i++)
        if (i == 0 || scratch->v[i].word != scratch->v[i - 1].word)
            nwords++;
    if (nwords > SD_QUERY_WORDS_MAX) {
        snprintf(err, errlen, "q has %zu words; at most %d are allowed", nwords,
                 SD_QUERY_WORDS_MAX);
        return QP_BAD_QUERY;
    }
    if (nwords > 0) {
        out->words = calloc(nwords, sizeof *out->words);
        if (!out->words)
            goto nomem;
    }
    size_t wi = 0;
    for (size_t i = 0; i < scratch->n;) {
        qp_word *w = &out->words[wi++];
        out->nwords = wi;
        uint32_t id = scratch->v[i].word;
        uint32_t start = scratch->v[i].start, end = scratch->v[i].end;
        for (; i < scratch->n && scratch->v[i].word == id; i++) {
            const an_term *t = &scratch->v[i];
            if (t->start < start)
                start = t->start;
            if (t->end > end)
                end = t->end;
            if (word_add(an, w, t) < 0)
                goto nomem;
        }
        if (end > len || start > end)
            start = end = 0; /* defensive: the analyzer reports spans in q */
        w->text = strndup(q + start, end - start);
        if (!w->text)
            goto nomem;
        if (w->nparts == 0 && w->joined) {
            /* A joined form alone is a plain word. */
            w->parts = malloc(sizeof *w->parts);
            w->part_stems = malloc(sizeof *w->part_stems);
            if (!w->parts || !w->part_stems)
                goto nomem;
            w->parts[0] = w->joined;
            w->part_stems[0] = w->joined_stem;
            w->nparts = 1;
            w->joined = w->joined_stem = NULL;
        }
    }
    if (out->nwords > 0) {
        size_t nlen = 0;
        char *norm = an_normalize(an, q, len, &nlen);
        if (!norm)
            goto nomem;
        size_t plen = strlen(TERM_EXACT_PREFIX);
        if (nlen > 0 && plen + nlen <= QP_TERM_MAX) {
            out->exact_term = malloc(plen + nlen + 1);
            if (!out->exact_term) {
                free(norm);
                goto nomem;
            }
            memcpy(out->exact_term, TERM_EXACT_PREFIX, plen);
            memcpy(out->exact_term + plen, norm, nlen + 1);
            out->exact_len = plen + nlen;
        }
        free(norm);
    }
    return QP_OK;
nomem:
    qp_free(out);
    snprintf(err, errlen, "out of memory");
    return QP_INTERNAL;
}

/* A growable list of subqueries that frees what it holds. */
typedef struct qlist {
    xap_query **v;
    size_t n, cap;
} qlist;

static int ql_push(qlist *l, xap_query *q)
{
    if (!q)
        return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        xap_query **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            xap_query_free(q);
            return -1;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = q;
    return 0;
}

static void ql_free(qlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        xap_query_free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Combines and frees the list; a single query is returned as is. */
static xap_query *ql_combine(qlist *l, xap_op op, xap_err *err)
{
    xap_query *q;
    if (l->n == 1) {
        q = l->v[0];
        l->n = 0;
    } else if (l->n == 0) {
        q = xap_query_match_nothing(err);
    } else {
        q = xap_query_combine(op, l->v, l->n, 0, err);
    }
    ql_free(l);
    return q;
}

/* prefix + [mark] + body as one Xapian term, scaled. */
static xap_query *scaled_term(const char *prefix, const char *mark, const char *body,
                              double factor, xap_err *err)
{
    char buf[QP_TERM_MAX + 1];
    int n = snprintf(buf, sizeof buf, "%s%s%s", prefix, mark, body);
    if (n < 0 || (size_t)n >= sizeof buf)
        return xap_query_match_nothing(err); /* longer than any indexed term */
    xap_query *t = xap_query_term(buf, (size_t)n, 1, err);
    if (!t)
        return NULL;
    xap_query *s = xap_query_scale(t, factor, err);
    xap_query_free(t);
    return s;
}

/* One normalised term searched in every text field, boosted per field. */
static xap_query *term_across_fields(const qp_rank *rank, const char *term, const char *stem,
                                     xap_err *err)
{
    qlist l = {0};
    for (int f = 0; f < F_COUNT; f++) {
        const field_def *fd = &FIELDS[f];
        double boost = rank->field_boost[f];
        if (!(fd->flags & FIELD_TEXT) || !fd->prefix || boost <= 0)
            continue;
        if (ql_push(&l, scaled_term(fd->prefix, "", term, boost, err)) < 0)
            goto fail;
        if ((fd->flags & FIELD_STEMMED) && stem &&
            ql_push(&l, scaled_term(fd->prefix, TERM_STEM_MARK, stem,
                                    boost * rank->stem_factor, err)) < 0)
            goto fail;
    }
    return ql_combine(&l, XAP_OP_OR, err);
fail:
    ql_free(&l);
    return NULL;
}

static xap_query *word_query(const qp_rank *rank, const qp_word *w, xap_err *err)
{
    qlist parts = {0};
    for (size_t i = 0; i < w->nparts; i++)
        if (ql_push(&parts, term_across_fields(rank, w->parts[i], w->part_stems[i], err)) < 0)
            goto fail;
    xap_query *all_parts = ql_combine(&parts, XAP_OP_AND, err);
    if (!all_parts || !w->joined)
        return all_parts;
    qlist alt = {0};
    if (ql_push(&alt, all_parts) < 0 ||
        ql_push(&alt, term_across_fields(rank, w->joined, w->joined_stem, err)) < 0) {
        ql_free(&alt);
        return NULL;
    }
    return ql_combine(&alt, XAP_OP_OR, err);
fail:
    ql_free(&parts);
    return NULL;
}

xap_query *qp_words_query(const qp_plan *p, const qp_rank *rank, size_t nwords, xap_op op,
                          xap_err *err)
{
    qlist l = {0};
    if (nwords > p->nwords)
        nwords = p->nwords;
    for (size_t i = 0; i < nwords; i++)
        if (ql_push(&l, word_query(rank, &p->words[i], err)) < 0) {
            ql_free(&l);
            return NULL;
        }
    return ql_combine(&l, op, err);
}

xap_query *qp_popularity_prior(const qp_rank *rank, xap_err *err)
{
    return xap_query_log_value_weight(SLOT_POPULARITY, rank->popularity_factor,
                                      rank->popularity_cap, err);
}
