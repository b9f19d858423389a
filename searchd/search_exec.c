/* search_exec.c — composing, running and paging a search (see search_exec.h). */
#include "searchd/search_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/fields.h"
#include "searchd/explain.h"
#include "searchd/highlight.h"
#include "searchd/hits.h"
#include "searchd/limits.h"

/* Longest id term (doc_id_term): Xapian's 245-byte limit. */
#define QP_ID_TERM_MAX 245

/* Fails with the shim's error in xe. */
#define XFAIL(xe, err, errlen, what)                                                    \
    do {                                                                                \
        snprintf(err, errlen, "%s: %s", what, (xe)->msg);                               \
        return (xe)->code ? (xe)->code : XAP_E_GENERIC;                                 \
    } while (0)

/* q OP other, freeing q (and other when `free_other`); NULL on failure. */
static xap_query *wrap(xap_query *q, xap_op op, xap_query *other, int free_other, xap_err *xe)
{
    if (!q || !other) {
        xap_query_free(q);
        if (free_other)
            xap_query_free(other);
        return NULL;
    }
    xap_query *v[2] = {q, other};
    xap_query *r = xap_query_combine(op, v, 2, 0, xe);
    xap_query_free(q);
    if (free_other)
        xap_query_free(other);
    return r;
}

/* q (taken over) under the request's filters, without removed entities. */
static xap_query *filtered(const search_spec *sp, xap_query *q, xap_err *xe)
{
    if (q && sp->filter)
        q = wrap(q, XAP_OP_FILTER, (xap_query *)sp->filter, 0, xe);
    if (q && !sp->show_removed)
        q = wrap(q, XAP_OP_AND_NOT, xap_query_term(TERM_REMOVED, strlen(TERM_REMOVED), 1, xe),
                 1, xe);
    return q;
}

/* The text query plus the popularity prior (NULL text: everything). */
static xap_query *scored(const search_spec *sp, const xap_query *text, xap_err *xe)
{
    if (!text)
        return xap_query_match_all(xe);
    xap_query *v[2] = {(xap_query *)text, qp_popularity_prior(sp->rank, xe)};
    if (!v[1])
        return NULL;
    xap_query *q = xap_query_combine(XAP_OP_AND_MAYBE, v, 2, 0, xe);
    xap_query_free(v[1]);
    return q;
}

/* The full query around a text query (NULL text: browse). */
static xap_query *compose(const search_spec *sp, const xap_query *text, xap_err *xe)
{
    return filtered(sp, scored(sp, text, xe), xe);
}

/* 1 if the full query around `text` matches anything, 0 if not, <0 error
 * (the negated XAP code). */
static int probe(const search_spec *sp, const xap_query *text, xap_err *xe)
{
    int rc = -XAP_E_GENERIC;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_query *q = compose(sp, text, xe);
    if (!q)
        goto done;
    if (!(e = xap_enquire_new(sp->rd->db, xe)) || xap_enquire_set_query(e, q, xe) != XAP_OK ||
        !(m = xap_enquire_get_mset(e, 0, 1, 1, xe)))
        goto done;
    rc = xap_mset_size(m) > 0;
done:
    if (rc < 0 && xe->code)
        rc = -xe->code;
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    return rc;
}

/* One run of the full query: page, total, facets. */
typedef struct exec {
    const search_spec *sp;
    xap_query *scored;    /* text (with type and platform boosts) + popularity */
    xap_query *bonus;     /* the exact-match bonus terms, or NULL */
    xap_query *full;      /* (scored, or a bonus term) + bonus, filtered */
    xap_enquire *e;       /* the full query, facet counters attached */
    xap_mset *m;
    xap_enquire *cols_e;  /* the text query's column-field leaves alone: hits ask it which
                             columns matched, far cheaper than listing every term */
    xap_enquire *pin_e;   /* the pinned pass */
    xap_mset *pin_m;
    facet_run fr;
    hl_ctx hl;
    int hl_ready;
} exec;

static void exec_free(exec *x)
{
    xap_mset_free(x->m);
    xap_enquire_free(x->e);
    xap_enquire_free(x->cols_e);
    xap_mset_free(x->pin_m);
    xap_enquire_free(x->pin_e);
    xap_query_free(x->full);
    xap_query_free(x->bonus);
    xap_query_free(x->scored);
    facets_run_free(&x->fr);
    if (x->hl_ready)
        hl_free(&x->hl);
}

/* One entry of the merged list: item i of mset m. */
typedef struct ranked {
    xap_mset *m;
    size_t i;
    double score;
    int pinned;
    size_t order; /* position in the pinned list, or in the source lists */
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->pinned != y->pinned)
        return y->pinned - x->pinned;
    if (!x->pinned && x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends the hit for r to out->hits; fills *ed for explain. */
static int emit(exec *x, const ranked *r, search_result *out, explain_doc *ed, char *err,
                size_t errlen)
{
    reader *rd = x->sp->rd;
    xap_docid id = xap_mset_docid(r->m, r->i);
    sc_ref ref;
    int rc = sc_get(&rd->states, rd->db, rd->revision, id, &ref, err, errlen);
    if (rc != XAP_OK)
        return rc;
    json_t *hit = hit_json(&x->hl, x->cols_e ? x->cols_e : x->e, id, ref.sum, r->score, err,
                           errlen);
    if (hit && ed) {
        /* The summary's strings live only while ref is held: explain
         * keeps copies. */
        ed->id = id;
        ed->hit = hit;
        ed->urn = strdup(ref.sum->urn);
        ed->type = ref.sum->type ? strdup(ref.sum->type) : NULL;
        ed->platform = ref.sum->platform ? strdup(ref.sum->platform) : NULL;
        if (!ed->urn || (ref.sum->type && !ed->type) || (ref.sum->platform && !ed->platform)) {
            json_decref(hit);
            hit = NULL;
            snprintf(err, errlen, "out of memory");
        }
    }
    sc_release(&ref);
    if (!hit)
        return XAP_E_GENERIC;
    if (r->pinned)
        json_object_set_new(hit, "pinned", json_true());
    json_array_append_new(out->hits, hit);
    return XAP_OK;
}

/* The documents holding one of terms[0..n), under the same filters, each
 * with the score the full query gives it — or, when the text does not
 * match it (a pasted URN, a pinned entity), its bonus alone (maybe 0):
 * FILTER(AND_MAYBE(OR(bonus, terms scaled to 0), scored), terms). */
static int head_pass(exec *x, char *const *terms, const size_t *lens, size_t n, uint32_t max,
                     xap_enquire **e_out, xap_mset **m_out, xap_err *xe)
{
    const search_spec *sp = x->sp;
    xap_query **v = calloc(n, sizeof *v), *sel = NULL, *left = NULL, *q = NULL;
    size_t k = 0;
    int rc = XAP_E_GENERIC;
    if (!v) {
        xe->code = XAP_E_NOMEM;
        return XAP_E_NOMEM;
    }
    for (; k < n; k++)
        if (!(v[k] = xap_query_term(terms[k], lens[k], 1, xe)))
            goto done;
    if (!(sel = xap_query_combine(XAP_OP_OR, v, k, 0, xe)) ||
        !(left = xap_query_scale(sel, 0, xe)))
        goto done;
    if (x->bonus && !(left = wrap(left, XAP_OP_OR, x->bonus, 0, xe)))
        goto done;
    xap_query *pair[2] = {left, x->scored};
    q = xap_query_combine(XAP_OP_AND_MAYBE, pair, 2, 0, xe);
    q = filtered(sp, wrap(q, XAP_OP_FILTER, sel, 0, xe), xe);
    if (!q || !(*e_out = xap_enquire_new(sp->rd->db, xe)) || qp_set_weighting(*e_out, xe) ||
        xap_enquire_set_query(*e_out, q, xe) != XAP_OK ||
        !(*m_out = xap_enquire_get_mset(*e_out, 0, max, 0, xe)))
        goto done;
    rc = XAP_OK;
done:
    if (rc != XAP_OK && xe->code)
        rc = xe->code;
    for (size_t i = 0; i < k; i++)
        xap_query_free(v[i]);
    free(v);
    xap_query_free(sel);
    xap_query_free(left);
    xap_query_free(q);
    return rc;
}

/* Pinned URNs of the config for this query (those that exist and pass the
 * filters), in x->pin_m, with their full-query scores (0 when the text
 * does not match them). */
static int pinned_pass(exec *x, const rk_pin **pin_out, xap_err *xe)
{
    const qp_plan *p = x->sp->plan;
    const rk_pin *pin = p->norm ? rk_pinned_for(x->sp->rank->cfg, p->norm) : NULL;
    *pin_out = pin;
    if (!pin)
        return XAP_OK;
    char *terms[RK_PINNED_URNS_MAX];
    size_t lens[RK_PINNED_URNS_MAX], n = 0;
    char buf[RK_PINNED_URNS_MAX][QP_ID_TERM_MAX + 1];
    for (size_t i = 0; i < pin->n && n < RK_PINNED_URNS_MAX; i++) {
        int len = doc_id_term(pin->urns[i], buf[n], sizeof buf[n]);
        if (len < 0)
            continue;
        terms[n] = buf[n];
        lens[n++] = (size_t)len;
    }
    if (n == 0)
        return XAP_OK;
    return head_pass(x, terms, lens, n, RK_PINNED_URNS_MAX, &x->pin_e, &x->pin_m, xe);
}

/* How many entities (under the filters) the query names exactly: its name,
 * short name or URN. Boolean terms only, so it costs a few postlists, not
 * the text query. */
static int exact_count(exec *x, size_t *count, xap_err *xe)
{
    const qp_plan *p = x->sp->plan;
    *count = 0;
    xap_query **v = calloc(p->nbonus ? p->nbonus : 1, sizeof *v), *q = NULL;
    size_t n = 0;
    int rc = XAP_E_GENERIC;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (!v) {
        xe->code = XAP_E_NOMEM;
        return XAP_E_NOMEM;
    }
    for (size_t i = 0; i < p->nbonus; i++) {
        if (p->bonus[i].kind != QP_B_EXACT)
            continue;
        uint32_t freq = 0;
        if (xap_db_termfreq(x->sp->rd->db, p->bonus[i].term, p->bonus[i].len, &freq, xe) !=
            XAP_OK)
            goto done;
        if (freq && !(v[n++] = xap_query_term(p->bonus[i].term, p->bonus[i].len, 1, xe)))
            goto done;
    }
    rc = XAP_OK;
    if (n == 0)
        goto done;
    rc = XAP_E_GENERIC;
    q = filtered(x->sp, xap_query_combine(XAP_OP_OR, v, n, 0, xe), xe);
    if (!q || !(e = xap_enquire_new(x->sp->rd->db, xe)) ||
        xap_enquire_set_query(e, q, xe) != XAP_OK ||
        !(m = xap_enquire_get_mset(e, 0, 0, SD_EXACT_FIRST_MAX, xe)))
        goto done;
    *count = xap_mset_matches_estimated(m);
    rc = XAP_OK;
done:
    if (rc != XAP_OK && xe->code)
        rc = xe->code;
    for (size_t i = 0; i < n; i++)
        xap_query_free(v[i]);
    free(v);
    xap_query_free(q);
    xap_mset_free(m);
    xap_enquire_free(e);
    return rc;
}

static int seen_before(const ranked *v, size_t n, xap_docid id)
{
    for (size_t i = 0; i < n; i++)
        if (xap_mset_docid(v[i].m, v[i].i) == id)
            return 1;
    return 0;
}

/* The pinned and ranked lists as one: pinned in the config's order, then
 * the rest by score (one document once; its score is the same in both). */
static int merge(exec *x, const rk_pin *pin, ranked **out, size_t *n)
{
    xap_mset *lists[1] = {x->m};
    size_t total = x->pin_m ? xap_mset_size(x->pin_m) : 0;
    for (int l = 0; l < 1; l++)
        total += lists[l] ? xap_mset_size(lists[l]) : 0;
    ranked *v = malloc((total + 1) * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t u = 0; pin && x->pin_m && u < pin->n; u++) {
        char term[QP_ID_TERM_MAX + 1];
        int len = doc_id_term(pin->urns[u], term, sizeof term);
        xap_docid id = 0;
        xap_err xe = {0};
        if (len < 0 || xap_db_find_by_term(x->sp->rd->db, term, (size_t)len, &id, &xe) != XAP_OK)
            continue;
        for (size_t i = 0; id && i < xap_mset_size(x->pin_m); i++)
            if (xap_mset_docid(x->pin_m, i) == id && !seen_before(v, k, id)) {
                v[k++] = (ranked){x->pin_m, i, xap_mset_weight(x->pin_m, i), 1, u};
                break;
            }
    }
    size_t order = 0;
    for (int l = 0; l < 1; l++)
        for (size_t i = 0; lists[l] && i < xap_mset_size(lists[l]); i++, order++)
            if (!seen_before(v, k, xap_mset_docid(lists[l], i)))
                v[k++] = (ranked){lists[l], i, xap_mset_weight(lists[l], i), 0, order};
    qsort(v, k, sizeof *v, ranked_cmp);
    *out = v;
    *n = k;
    return 0;
}

/* x->cols_e: an enquire over the column-field leaves of the text query. */
static int column_enquire(exec *x, size_t nwords, int any, xap_err *xe)
{
    qp_rank cols = *x->sp->rank;
    cols.only_fields = (1u << F_FIELDS) | (1u << F_FIELD_DOCS);
    xap_query *q = qp_words_query(x->sp->plan, &cols, nwords, any ? XAP_OP_OR : XAP_OP_AND, xe);
    int rc = XAP_E_GENERIC;
    if (q && (x->cols_e = xap_enquire_new(x->sp->rd->db, xe)) &&
        xap_enquire_set_query(x->cols_e, q, xe) == XAP_OK)
        rc = XAP_OK;
    xap_query_free(q);
    return rc == XAP_OK ? rc : xe->code ? xe->code : rc;
}

static int exec_one(const search_spec *sp, const xap_query *text, size_t nwords, int any,
                    search_result *out, char *err, size_t errlen)
{
    exec x;
    xap_err xe = {0};
    int rc = XAP_OK;
    ranked *list = NULL;
    explain_doc *eds = NULL;
    size_t nlist = 0, neds = 0, ncap = 0;
    memset(&x, 0, sizeof x);
    x.sp = sp;
    out->words_used = nwords;
    out->mode_any = any;
    out->hits = json_array();
    if (!out->hits) {
        snprintf(err, errlen, "out of memory");
        return XAP_E_NOMEM;
    }
    hl_init(&x.hl, sp->rd->an, sp->plan, nwords);
    x.hl_ready = 1;

    xap_query *boosted = text ? qp_boosted(text, sp->rank, &xe) : NULL;
    x.scored = (!text || boosted) ? scored(sp, boosted, &xe) : NULL;
    xap_query_free(boosted);
    /* A document holding a bonus term is a result even when the text does
     * not match it (a pasted URN, a name the query starts that no capped
     * completion reached): AND_MAYBE(OR(scored, bonus × 0), bonus). */
    xap_query *main_q = NULL;
    if (x.scored && text && qp_bonus_query(sp->plan, sp->rank, ~0, &x.bonus, &xe) == 0)
        main_q = x.bonus ? wrap(wrap(xap_query_scale(x.scored, 1.0, &xe), XAP_OP_OR,
                                     xap_query_scale(x.bonus, 0, &xe), 1, &xe),
                                XAP_OP_AND_MAYBE, x.bonus, 0, &xe)
                         : xap_query_scale(x.scored, 1.0, &xe);
    else if (x.scored && !text)
        main_q = xap_query_match_all(&xe);
    if (!main_q || !(x.full = filtered(sp, main_q, &xe)) ||
        !(x.e = xap_enquire_new(sp->rd->db, &xe)) || qp_set_weighting(x.e, &xe) != XAP_OK ||
        xap_enquire_set_query(x.e, x.full, &xe) != XAP_OK ||
        (!text && xap_enquire_set_sort_by_value(x.e, SLOT_POPULARITY, 1, 0, &xe) != XAP_OK) ||
        facets_attach(sp->facets, x.e, &x.fr, &xe) != 0) {
        snprintf(err, errlen, "preparing the match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    if (text && column_enquire(&x, nwords, any, &xe) != XAP_OK) {
        snprintf(err, errlen, "preparing the column match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    const rk_pin *pin = NULL;
    size_t nexact = 0;
    if (text && ((rc = pinned_pass(&x, &pin, &xe)) != XAP_OK ||
                 (x.bonus && (rc = exact_count(&x, &nexact, &xe)) != XAP_OK))) {
        snprintf(err, errlen, "pinned and exact passes: %s", xe.msg);
        goto done;
    }
    size_t nheads = x.pin_m ? xap_mset_size(x.pin_m) : 0;
    /* Facets need every match examined; otherwise enough for a useful total. */
    uint32_t check = sp->facets->n ? sp->rd->doccount : SD_TOTAL_CHECK_AT_LEAST;
    uint32_t first = nheads ? 0 : sp->offset;
    uint32_t count = nheads ? sp->offset + sp->limit + (uint32_t)nheads : sp->limit;
    if (!(x.m = xap_enquire_get_mset(x.e, first, count, check, &xe))) {
        snprintf(err, errlen, "running the match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    if (merge(&x, pin, &list, &nlist) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = XAP_E_NOMEM;
        goto done;
    }
    /* Without heads the mset is already the page. */
    size_t from = nheads ? sp->offset : 0;
    size_t to = nheads ? sp->offset + sp->limit : nlist;
    if (to > nlist)
        to = nlist;
    if (sp->explain && to > from) {
        if (!(eds = calloc(to - from, sizeof *eds))) {
            snprintf(err, errlen, "out of memory");
            rc = XAP_E_NOMEM;
            goto done;
        }
        ncap = to - from;
    }
    for (size_t i = from; i < to && rc == XAP_OK; i++) {
        rc = emit(&x, &list[i], out, eds ? &eds[neds] : NULL, err, errlen);
        if (rc == XAP_OK && eds)
            neds++;
    }
    if (rc != XAP_OK)
        goto done;
    if (eds) {
        explain_spec es = {.db = sp->rd->db, .plan = sp->plan, .rank = sp->rank,
                           .nwords = nwords, .op = any ? XAP_OP_OR : XAP_OP_AND, .e = x.e,
                           .bonus = x.bonus, .browse = text == NULL};
        rc = explain_page(&es, eds, neds, &xe);
        if (rc != XAP_OK) {
            snprintf(err, errlen, "explaining the scores: %s", xe.msg);
            goto done;
        }
    }
    out->exact_first = nexact;
    out->pinned_first = x.pin_m ? xap_mset_size(x.pin_m) : 0;
    out->total = xap_mset_matches_estimated(x.m);
    out->total_exact = xap_mset_matches_lower_bound(x.m) == xap_mset_matches_upper_bound(x.m);
    /* Heads the full query does not match are results it did not count. */
    for (size_t i = 0; i < nlist; i++) {
        if (list[i].m == x.m)
            continue;
        xap_docid id = xap_mset_docid(list[i].m, list[i].i);
        int in_main = 0;
        for (size_t j = 0; j < xap_mset_size(x.m) && !in_main; j++)
            in_main = xap_mset_docid(x.m, j) == id;
        if (!in_main && xap_mset_size(x.m) < count)
            out->total++; /* the page holds every match: the head is not one */
    }
    if (!(out->facets = facets_json(sp->facets, &x.fr, &xe))) {
        snprintf(err, errlen, "counting facets: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
    }
done:
    free(list);
    for (size_t i = 0; eds && i < ncap; i++) { /* calloc'd: unused entries are NULL */
        free(eds[i].urn);
        free(eds[i].type);
        free(eds[i].platform);
    }
    free(eds);
    exec_free(&x);
    return rc;
}

void search_result_free(search_result *r)
{
    json_decref(r->hits);
    json_decref(r->facets);
    memset(r, 0, sizeof *r);
}

/* The answer of a query that matches nothing: no hits, total 0, every
 * requested facet empty. */
static int empty_answer(const search_spec *sp, size_t nwords, search_result *out, char *err,
                        size_t errlen)
{
    search_result_free(out);
    facet_run none;
    xap_err xe = {0};
    memset(&none, 0, sizeof none);
    out->words_used = nwords;
    out->total_exact = 1;
    out->hits = json_array();
    out->facets = facets_json(sp->facets, &none, &xe);
    if (!out->hits || !out->facets) {
        snprintf(err, errlen, "out of memory");
        return XAP_E_NOMEM;
    }
    return XAP_OK;
}

int search_exec(const search_spec *sp, search_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n = sp->plan->nwords;
    xap_err xe = {0};
    if (n == 0)
        return exec_one(sp, NULL, 0, 0, out, err, errlen);
    /* With a vocabulary of this revision, a word none of whose forms it
     * holds matches nothing: every AND over it is skipped rather than run
     * (unless the query is a URN, found by its id term alone). */
    size_t hopeless = n;
    int urn = 0;
    for (size_t i = 0; i < sp->plan->nbonus; i++)
        urn |= strncmp(sp->plan->bonus[i].term, TERM_ID_PREFIX, strlen(TERM_ID_PREFIX)) == 0;
    for (size_t i = 0; sp->plan->vocab_current && !urn && i < n && hopeless == n; i++)
        if (sp->plan->words[i].nothing)
            hopeless = i;
    int rc = XAP_OK;
    if (hopeless == n) {
        xap_query *text = qp_words_query(sp->plan, sp->rank, n, XAP_OP_AND, &xe);
        if (!text)
            XFAIL(&xe, err, errlen, "building the query");
        rc = exec_one(sp, text, n, 0, out, err, errlen);
        xap_query_free(text);
        if (rc != XAP_OK || out->total > 0 || n == 1)
            return rc;
    }

    /* Nothing has every word: drop words from the end, then allow any word. */
    xap_query *chosen = NULL;
    size_t used = 0;
    int any = 0;
    for (size_t k = hopeless < n ? hopeless : n - 1; k >= 1 && !chosen; k--) {
        xap_query *t = qp_words_query(sp->plan, sp->rank, k, XAP_OP_AND, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, t, &xe);
        if (p < 0) {
            xap_query_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = k;
        } else {
            xap_query_free(t);
        }
    }
    if (!chosen) {
        xap_query *t = qp_words_query(sp->plan, sp->rank, n, XAP_OP_OR, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, t, &xe);
        if (p < 0) {
            xap_query_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = n;
            any = 1;
        } else {
            xap_query_free(t);
        }
    }
    if (!chosen && hopeless < n)
        return empty_answer(sp, n, out, err, errlen); /* all words, without running them */
    if (!chosen)
        return XAP_OK; /* the empty answer for all words stands */
    search_result_free(out);
    rc = exec_one(sp, chosen, used, any, out, err, errlen);
    xap_query_free(chosen);
    return rc;
}
