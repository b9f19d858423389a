/* query_words.c — q analysed into words (see query_plan.h): the same
 * analyzer as the documents, terms grouped by the word they came from, and
 * the whole query's normalised forms for exact-name and URN matching. */
#include "searchd/query_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "searchd/limits.h"

/* Longest Xapian term: 245 bytes. */
#define QP_TERM_MAX 245

static void unit_free(qp_unit *u)
{
    for (size_t i = 0; i < u->nalts; i++) {
        free(u->alts[i].term);
        free(u->alts[i].stem);
    }
    free(u->alts);
    memset(u, 0, sizeof *u);
}

static void word_free(qp_word *w)
{
    for (size_t i = 0; i < w->nparts; i++) {
        free(w->parts[i]);
        free(w->part_stems[i]);
        if (w->part_units)
            unit_free(&w->part_units[i]);
    }
    free(w->part_units);
    free(w->parts);
    free(w->part_stems);
    free(w->joined);
    free(w->joined_stem);
    free(w->text);
    unit_free(&w->joined_unit);
    unit_free(&w->split[0]);
    unit_free(&w->split[1]);
    unit_free(&w->span);
    free(w->suggestion);
}

void qp_free(qp_plan *p)
{
    for (size_t i = 0; i < p->nwords; i++)
        word_free(&p->words[i]);
    free(p->words);
    free(p->norm);
    for (size_t i = 0; i < p->nbonus; i++)
        free(p->bonus[i].term);
    free(p->bonus);
    memset(p, 0, sizeof *p);
}

int qp_add_bonus(qp_plan *p, const char *term, size_t len, qp_bonus_kind kind, unsigned edits)
{
    if (len == 0 || len > QP_TERM_MAX)
        return 0; /* no such term can be in the index */
    for (size_t i = 0; i < p->nbonus; i++)
        if (p->bonus[i].len == len && memcmp(p->bonus[i].term, term, len) == 0)
            return 0; /* the first (the best kind) stands */
    qp_bonus *nb = realloc(p->bonus, (p->nbonus + 1) * sizeof *nb);
    if (!nb)
        return -1;
    p->bonus = nb;
    qp_bonus *b = &p->bonus[p->nbonus];
    if (!(b->term = strndup(term, len)))
        return -1;
    b->len = len;
    b->kind = (uint8_t)kind;
    b->edits = (uint8_t)edits;
    p->nbonus++;
    return 0;
}

int qp_add_exact_name(qp_plan *p, const char *norm, size_t len, qp_bonus_kind kind, unsigned edits)
{
    char term[QP_TERM_MAX + 1];
    size_t plen = strlen(TERM_EXACT_PREFIX);
    if (len == 0 || plen + len > QP_TERM_MAX)
        return 0;
    memcpy(term, TERM_EXACT_PREFIX, plen);
    memcpy(term + plen, norm, len);
    return qp_add_bonus(p, term, plen + len, kind, edits);
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

/* q trimmed of surrounding white space, when it is one URN: its id term
 * (the same one the indexer writes, doc_id_term). */
static int urn_term(const char *q, size_t len, qp_plan *out)
{
    while (len && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
        q++, len--;
    while (len &&
           (q[len - 1] == ' ' || q[len - 1] == '\t' || q[len - 1] == '\n' || q[len - 1] == '\r'))
        len--;
    if (len < 8 || strncmp(q, "urn:li:", 7) != 0 || memchr(q, ' ', len))
        return 0;
    char *urn = strndup(q, len);
    char term[QP_TERM_MAX + 1];
    if (!urn)
        return -1;
    int n = doc_id_term(urn, term, sizeof term);
    free(urn);
    if (n < 0)
        return 0;
    return qp_add_bonus(out, term, (size_t)n, QP_B_EXACT, 0);
}

qp_status qp_analyze(an_analyzer *an, an_terms *scratch, const char *q, size_t len, qp_plan *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    an_terms_clear(scratch);
    if (len == 0)
        return QP_OK;
    out->last_open = !(q[len - 1] == ' ' || q[len - 1] == '\t');
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
        out->norm = an_normalize(an, q, len, &nlen);
        if (!out->norm || qp_add_exact_name(out, out->norm, nlen, QP_B_EXACT, 0) < 0)
            goto nomem;
    }
    if (urn_term(q, len, out) < 0)
        goto nomem;
    return QP_OK;
nomem:
    qp_free(out);
    snprintf(err, errlen, "out of memory");
    return QP_INTERNAL;
}
